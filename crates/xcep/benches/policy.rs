//! Reading a large GetPoliciesResponse into the typed model, against
//! quick-xml's raw namespace reader over the same bytes (the baseline: every
//! event read, every element name resolved, every attribute value and text
//! touched, nothing built), as `crates/soap-envelope/benches/envelope.rs`
//! does for envelopes.
//!
//! The input is a bare `GetPoliciesResponse` element (no SOAP envelope, so
//! that only the MS-XCEP model is measured), built with the model's builders
//! and written with `to_xml`: 500 templates, 20 CAs (2 or 3 CAURIs
//! and a 1 KB certificate each) and 1,000 OIDs, with the fields a Windows
//! policy server fills in (flags, crypto providers, extensions with base64
//! values, superseded templates, RA requirements, key archival).
//!
//! Besides criterion's report, the bench prints, timed in this same
//! process:
//!
//! - `RATIO`: parse time / baseline time, parse + resolve
//!   (`GetPoliciesResponse::resolve`) time / baseline time, and the time of
//!   resolve alone;
//! - `ALLOC`: for one parse, the bytes requested from the allocator (a
//!   `realloc` counts its new size) and the peak of live bytes above those
//!   live before the parse (the input is not counted), each per input byte.
//!
//! With `XCEP_BENCH_WRITE_INPUT=FILE` set, the input is also written to
//! `FILE`.
//!
//! Allocations are counted by the `cap` crate's allocator (a wrapper of
//! `System` with atomic counters; the workspace forbids `unsafe_code`, so
//! the `unsafe impl GlobalAlloc` cannot live here). It is the global
//! allocator of this whole binary, so the baseline and the parse pay the
//! same few atomic operations per allocation.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

use std::alloc::System;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use cap::Cap;
use criterion::{Criterion, Throughput, criterion_group};
use testkit::bench::{allocations, baseline, time_per_iter};
use xcep::flags::{
    ClientAuthentication, EnrollmentFlags, GeneralFlags, KeySpec, KeyUsageProperty,
    PrivateKeyFlags, SubjectNameFlags,
};
use xcep::{
    Attributes, Base64Text, Ca, CaUri, CertificateEnrollmentPolicy, CertificateValidity,
    EnrollmentPermission, Extension, GetPoliciesResponse, KeyArchivalAttributes, Oid, OidGroup,
    PrivateKeyAttributes, RaRequirements, Response, Revision,
};

/// Counts every allocation of this binary: total bytes requested and peak
/// live bytes (`stats` feature), with no limit.
#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

// ---------------------------------------------------------------------------
// The input.

const TEMPLATES: i32 = 500;
const CAS: i32 = 20;
const OIDS: i32 = 1000;

/// Deterministic pseudo-random bytes (xorshift), for certificates and
/// extension values.
struct Bytes(u64);

impl Bytes {
    fn next(&mut self) -> u8 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 24) as u8
    }

    /// `len` bytes behind a DER SEQUENCE header (long form when needed), so
    /// that the base64 starts like a real certificate's (`MII...`).
    fn der(&mut self, len: usize) -> Vec<u8> {
        let mut v = if len > 255 {
            vec![0x30, 0x82, (len >> 8) as u8, len as u8]
        } else {
            vec![0x30, len as u8]
        };
        v.extend((0..len).map(|_| self.next()));
        v
    }
}

/// The OID table: reference ids 0..1000. The first 500 are the templates'
/// own OIDs (group 9); then algorithms, EKUs, extensions, policies and RDNs.
fn oids() -> Vec<Oid> {
    let fixed: &[(&str, u32, &str)] = &[
        ("2.16.840.1.101.3.4.2.1", 1, "sha256"),
        ("2.16.840.1.101.3.4.2.2", 1, "sha384"),
        ("1.3.14.3.2.26", 1, "sha1"),
        ("2.16.840.1.101.3.4.1.42", 2, "aes256"),
        ("1.2.840.113549.3.7", 2, "3des"),
        ("1.2.840.113549.1.1.1", 3, "RSA"),
        ("1.2.840.10045.2.1", 3, "ECC"),
        ("1.2.840.113549.1.1.11", 4, "sha256RSA"),
        ("1.2.840.10045.4.3.2", 4, "sha256ECDSA"),
        ("2.5.4.3", 5, "CN"),
        ("1.3.6.1.4.1.311.20.2", 6, "Certificate Template Name"),
        (
            "1.3.6.1.4.1.311.21.7",
            6,
            "Certificate Template Information",
        ),
        ("2.5.29.37", 6, "Enhanced Key Usage"),
        ("2.5.29.15", 6, "Key Usage"),
        ("1.3.6.1.4.1.311.21.10", 6, "Application Policies"),
        ("1.3.6.1.5.5.7.3.2", 7, "Client Authentication"),
        ("1.3.6.1.5.5.7.3.1", 7, "Server Authentication"),
        ("1.3.6.1.5.5.7.3.4", 7, "Secure Email"),
        ("1.3.6.1.4.1.311.10.3.4", 7, "Encrypting File System"),
        ("1.3.6.1.4.1.311.20.2.1", 7, "Certificate Request Agent"),
        ("1.3.6.1.4.1.311.21.8.1.400", 8, "High Assurance"),
    ];
    let mut v = Vec::new();
    for i in 0..OIDS {
        let oid = if i < TEMPLATES {
            Oid::new(
                format!("1.3.6.1.4.1.311.21.8.3800100.3166153.13323660.9808540.8334961.78.{i}"),
                OidGroup::EnrollmentObject,
                i,
            )
            .with_default_name(format!("Contoso Template {i:03}"))
        } else if let Some(&(value, group, name)) = fixed.get((i - TEMPLATES) as usize) {
            Oid::new(value, OidGroup::from(group), i).with_default_name(name)
        } else {
            // Issuance policies and application policies of the forest.
            let group = if i % 2 == 0 { 8 } else { 7 };
            Oid::new(
                format!("1.3.6.1.4.1.311.21.8.3800100.3166153.13323660.9808540.8334961.{i}"),
                OidGroup::from(group),
                i,
            )
            .with_default_name(format!("Contoso policy {i}"))
        };
        v.push(oid);
    }
    v
}

/// The reference id of a fixed OID (`oids()` puts them after the
/// templates').
const fn fixed(index: i32) -> i32 {
    TEMPLATES + index
}

const SHA256: i32 = fixed(0);
const AES256: i32 = fixed(3);
const RSA: i32 = fixed(5);
const ECC: i32 = fixed(6);
const TEMPLATE_NAME_EXT: i32 = fixed(10);
const TEMPLATE_INFO_EXT: i32 = fixed(11);
const EKU_EXT: i32 = fixed(12);
const KEY_USAGE_EXT: i32 = fixed(13);
const APP_POLICIES_EXT: i32 = fixed(14);
const REQUEST_AGENT_EKU: i32 = fixed(19);
const HIGH_ASSURANCE: i32 = fixed(20);

fn template(i: i32, bytes: &mut Bytes) -> CertificateEnrollmentPolicy {
    let schema = [1, 2, 2, 3][i as usize % 4];
    let mut key = PrivateKeyAttributes::new(if i % 5 == 0 { 4096 } else { 2048 }).with_key_spec(
        if i % 3 == 0 {
            KeySpec::AT_SIGNATURE
        } else {
            KeySpec::AT_KEYEXCHANGE
        },
    );
    if schema == 3 {
        key = key
            .with_key_usage_property(KeyUsageProperty::SIGN | KeyUsageProperty::DECRYPT)
            .with_algorithm_oid_reference(if i % 2 == 0 { RSA } else { ECC })
            .with_permissions("D:(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x1200a9;;;AU)")
            .with_crypto_provider("Microsoft Software Key Storage Provider")
            .with_crypto_provider("Microsoft Platform Crypto Provider");
    } else {
        key = key
            .with_crypto_provider("Microsoft Enhanced Cryptographic Provider v1.0")
            .with_crypto_provider("Microsoft Base Cryptographic Provider v1.0")
            .with_crypto_provider("Microsoft Enhanced RSA and AES Cryptographic Provider");
    }
    let mut attributes = Attributes::new(
        format!("ContosoTemplate{i:03}"),
        schema,
        CertificateValidity::new(31_536_000 * (1 + i as u64 % 3), 3_628_800),
        EnrollmentPermission::new(true, i % 4 == 1),
        key,
        Revision::new(100 + i as u32 % 7, i as u32 % 5),
    )
    .with_private_key_flags(
        PrivateKeyFlags::EXPORTABLE_KEY
            .with_client_version(6)
            .with_server_version(if schema == 3 { 5 } else { 0 }),
    )
    .with_subject_name_flags(
        SubjectNameFlags::SUBJECT_ALT_REQUIRE_UPN
            | SubjectNameFlags::SUBJECT_REQUIRE_DIRECTORY_PATH,
    )
    .with_enrollment_flags(
        EnrollmentFlags::AUTO_ENROLLMENT
            | EnrollmentFlags::PUBLISH_TO_DS
            | EnrollmentFlags::INCLUDE_SYMMETRIC_ALGORITHMS,
    )
    .with_general_flags(
        GeneralFlags::ADD_TEMPLATE_NAME | GeneralFlags::IS_MODIFIED | GeneralFlags::AUTO_ENROLLMENT,
    );
    if schema == 3 {
        attributes = attributes.with_hash_algorithm_oid_reference(SHA256);
    }
    if i % 3 == 0 && i > 0 {
        attributes = attributes
            .with_superseded_policy(format!("ContosoTemplate{:03}", i - 1))
            .with_superseded_policy("User");
    }
    if i % 10 == 0 {
        attributes = attributes.with_ra_requirements(
            RaRequirements::new(1)
                .with_ra_eku(REQUEST_AGENT_EKU)
                .with_ra_policy(HIGH_ASSURANCE),
        );
    }
    if i % 25 == 0 {
        attributes =
            attributes.with_key_archival_attributes(KeyArchivalAttributes::new(AES256, 256));
    }
    // The extensions a Windows CA puts in a template: its name or
    // information (v1 / v2+), EKUs, key usage and application policies.
    let info = if schema == 1 {
        TEMPLATE_NAME_EXT
    } else {
        TEMPLATE_INFO_EXT
    };
    for (oid, critical, len) in [
        (info, false, 40),
        (EKU_EXT, false, 24),
        (KEY_USAGE_EXT, true, 4),
        (APP_POLICIES_EXT, false, 28),
    ] {
        attributes = attributes.with_extension(Extension::new(
            oid,
            critical,
            Base64Text::from_bytes(&bytes.der(len)),
        ));
    }
    let mut policy = CertificateEnrollmentPolicy::new(i, attributes);
    for k in 0..=(i % 3) {
        policy = policy.with_ca_reference((i + k * 7) % CAS);
    }
    policy
}

fn ca(i: i32, bytes: &mut Bytes) -> Ca {
    let host = format!("ca{i:02}.corp.contoso.com");
    let mut ca = Ca::new(i, Base64Text::from_bytes(&bytes.der(1020)), true)
        .with_uri(
            CaUri::new(
                ClientAuthentication::KERBEROS,
                format!("https://{host}/Contoso-CA{i:02}_CES_Kerberos/service.svc/CES"),
            )
            .with_priority(1),
        )
        .with_uri(
            CaUri::new(
                ClientAuthentication::CLIENT_CERTIFICATE,
                format!("https://{host}/Contoso-CA{i:02}_CES_Certificate/service.svc/CES"),
            )
            .with_priority(2)
            .with_renewal_only(true),
        );
    if i % 2 == 0 {
        ca = ca.with_uri(
            CaUri::new(
                ClientAuthentication::USERNAME_PASSWORD,
                format!("https://{host}/Contoso-CA{i:02}_CES_UsernamePassword/service.svc/CES"),
            )
            .with_priority(3),
        );
    }
    ca
}

/// The response, bare (root `GetPoliciesResponse`), as written by the
/// model.
fn large_response() -> Vec<u8> {
    let mut bytes = Bytes(0x9E37_79B9_7F4A_7C15);
    let mut response = Response::new("{083C7011-1D0A-4855-885D-AC945184658C}")
        .with_policy_friendly_name("Contoso Enrollment Policy")
        .with_next_update_hours(8)
        .with_policies_not_changed(false);
    for i in 0..TEMPLATES {
        response = response.with_policy(template(i, &mut bytes));
    }
    let mut r = GetPoliciesResponse::new().with_response(response);
    for i in 0..CAS {
        r = r.with_ca(ca(i, &mut bytes));
    }
    for oid in oids() {
        r = r.with_oid(oid);
    }
    r.to_xml().unwrap()
}

// ---------------------------------------------------------------------------
// What is timed.

fn parse(input: &[u8]) -> GetPoliciesResponse {
    GetPoliciesResponse::from_xml(input).unwrap()
}

/// Parse, then resolve every reference (`GetPoliciesResponse::resolve`,
/// which builds its id maps once).
fn parse_and_resolve(input: &[u8]) {
    let r = parse(input);
    black_box(r.resolve().unwrap());
}

fn bench(c: &mut Criterion) {
    let name = "policy_500_templates";
    let input = large_response();
    let len = input.len();
    // To look at the input, or feed it to `cepces inspect`.
    if let Some(path) = std::env::var_os("XCEP_BENCH_WRITE_INPUT") {
        std::fs::write(path, &input).unwrap();
    }

    // Sanity: the input reads back with everything in it.
    assert!(baseline(&input) > 0);
    let r = parse(&input);
    assert_eq!(r.policies().len(), TEMPLATES as usize);
    assert_eq!(r.cas.as_ref().unwrap().len(), CAS as usize);
    assert_eq!(r.oids.as_ref().unwrap().len(), OIDS as usize);
    drop(r);

    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Bytes(len as u64));
    g.bench_function("quick_xml_ns_reader", |b| {
        b.iter(|| baseline(black_box(&input)));
    });
    g.bench_function("xcep_parse", |b| b.iter(|| parse(black_box(&input))));
    g.bench_function("xcep_parse_resolve", |b| {
        b.iter(|| parse_and_resolve(black_box(&input)));
    });
    let parsed = parse(&input);
    g.bench_function("xcep_resolve_only", |b| {
        b.iter(|| {
            black_box(black_box(&parsed).resolve().unwrap())
                .templates()
                .len()
        });
    });
    g.finish();

    let budget = Duration::from_millis(1500);
    let base = time_per_iter(
        &|| {
            black_box(baseline(black_box(&input)));
        },
        budget,
    );
    let mine = time_per_iter(
        &|| {
            black_box(parse(black_box(&input)));
        },
        budget,
    );
    let mut line = format!(
        "RATIO {name}: {len} bytes (bare GetPoliciesResponse), baseline {:.2} ms, xcep parse {:.2} ms, ratio {:.2}",
        base * 1e3,
        mine * 1e3,
        mine / base
    );
    let both = time_per_iter(&|| parse_and_resolve(black_box(&input)), budget);
    let alone = time_per_iter(
        &|| {
            black_box(black_box(&parsed).resolve().unwrap().templates().len());
        },
        budget,
    );
    let _ = write!(
        line,
        ", parse+resolve {:.2} ms, ratio {:.2}; resolve alone {:.2} ms",
        both * 1e3,
        both / base,
        alone * 1e3
    );
    drop(parsed);
    println!("{line}");

    let per_byte = |n: usize| n as f64 / len as f64;
    let run_baseline = || {
        black_box(baseline(black_box(&input)));
    };
    let run_parse = || {
        black_box(parse(black_box(&input)));
    };
    let runs: [(&str, &dyn Fn()); 2] = [("baseline", &run_baseline), ("xcep parse", &run_parse)];
    for (what, f) in runs {
        let (total, peak) = allocations(&ALLOC, f);
        println!(
            "ALLOC {name} {what}: {len} input bytes, allocated {total} bytes ({:.2} per input byte), peak live {peak} bytes ({:.2} per input byte)",
            per_byte(total),
            per_byte(peak)
        );
    }
    let (total, peak) = allocations(&ALLOC, &|| parse_and_resolve(black_box(&input)));
    println!(
        "ALLOC {name} xcep parse+resolve: {len} input bytes, allocated {total} bytes ({:.2} per input byte), peak live {peak} bytes ({:.2} per input byte)",
        per_byte(total),
        per_byte(peak)
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
