//! Parsing and writing every message type of the two services, each against
//! quick-xml over the same bytes and, where it handles the message, the
//! other Rust MS-WSTEP implementation, in the same run; as
//! `crates/soap-envelope/benches/envelope.rs`, `crates/xcep/benches/policy.rs`
//! and `crates/wstep/benches/rstrc.rs` do for one message each. It lives in
//! `cepces-server` because that crate depends on both `xcep` and `wstep`.
//!
//! The messages, each a whole SOAP envelope:
//!
//! - `get_policies`: the [MS-XCEP] 4.1.1.1 GetPolicies request;
//! - `policy_small`: the [MS-XCEP] 4.1.1.2 GetPoliciesResponse (two
//!   templates, one CA);
//! - `policy_500`: the response of `crates/xcep/benches/policy.rs` (500
//!   templates, 20 CAs, 1,000 OIDs; its generator is copied below) in an
//!   envelope with its Action;
//! - `rst_rsa2048`, `rst_rsa4096`: an Issue request built with `wstep`'s
//!   builders around a 2048- or 4096-bit RSA PKCS#10 CSR
//!   (`testdata/bench/csr-rsa*.der`, made once with `openssl req -new
//!   -newkey rsa:N -nodes -subj /CN=bench -keyout /dev/null -outform DER`),
//!   with a `CertificateTemplate` context item and WS-Addressing headers;
//! - `rstrc_chain3`: the [MS-WSTEP] 4.1.1.2 issued response, whose PKCS#7
//!   holds a 3-certificate chain (root, sub CA, leaf); without the spec
//!   folder, one built with the builders from `testdata/bench/chain3.p7b`
//!   and `leaf.der` (an openssl-made root, intermediate and leaf);
//! - `fault_ces`: a CES fault with a `CertificateEnrollmentWSDetail`
//!   (`testdata/messages/wstep-fault.xml`; the spec has no example);
//! - `fault_soap`: a plain SOAP fault, the [MS-WSTEP] 4.1.4.2 WCF fault.
//!
//! Spec examples are read from `/work/shared/testdata/spec` (or
//! `$CEPCES_SPEC_DIR`) when present, otherwise from the repository's
//! `testdata/messages` (the `INPUT` line names the file).
//!
//! Measured, per message:
//!
//! - `parse/quick_xml_ns_reader`: the parse baseline, quick-xml's raw
//!   namespace reader (`testkit::bench::baseline`: every event read, every
//!   element name resolved, every attribute value and text touched, nothing
//!   built);
//! - `parse/ours`: `Envelope::<XcepMessage>::from_xml` or
//!   `Envelope::<WstepMessage>::from_xml`, the typed model; for
//!   `fault_ces` also `CertificateEnrollmentWsDetail::from_fault`, the
//!   detail typed;
//! - `write/quick_xml_writer`: the write baseline, quick-xml's raw `Writer`
//!   emitting into a `Vec` the events of our own output (read once with
//!   quick-xml's reader, outside the timed loop), so the same bytes
//!   (`testkit::bench::baseline_write`);
//! - `write/ours`: `Envelope::to_xml` of the parsed value;
//! - `parse/wstep_rs`: `wstep-rs` 0.1.3,
//!   `WstepResponse::new_from_soap_xml_str` (serde over quick-xml 0.37,
//!   matching prefixed names, borrowing text from the input, decoding no
//!   DER), on the responses and faults it reads;
//! - `write/wstep_rs`: `wstep-rs`'s `WstepRequest::new_issue_x509v3(..)
//!   .serialize_request()` with the same base64 CSR, for the RSTs (its
//!   request has a different shape: ValueType PKCS7, no AdditionalContext).
//!
//! Besides criterion's report, the bench prints, timed in this same
//! process:
//!
//! - `RATIO <message>`: parse time / parse baseline time and write time /
//!   write baseline time (and each wstep-rs time / our baseline's);
//! - `ALLOC <message> <what>`: for one run, the bytes requested from the
//!   allocator (a `realloc` counting its new size) and the peak of live
//!   bytes above those live before, each per input byte (parse) or per
//!   output byte (write), counted by the `cap` crate's allocator (the
//!   workspace forbids `unsafe_code`, so the `unsafe impl GlobalAlloc`
//!   cannot live here).
//!
//! `BENCH_MESSAGE=rstrc_chain3` limits the run to one message; with it,
//! `BENCH_LOOP=parse` (or `write`) runs only our parse (or write) of it for
//! ten seconds, for a profiler.
//!
//! [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
//! [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    clippy::too_many_lines
)]

use std::alloc::System;
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use cap::Cap;
use criterion::{Criterion, Throughput, criterion_group};
use soap_envelope::{Envelope, Header, Payload};
use testkit::bench::{allocations, baseline, baseline_write, owned_events, time_per_iter};
use wstep::{
    AdditionalContext, BinarySecurityTokenExt, CertificateEnrollmentWsDetail, DispositionMessage,
    RequestId, RequestSecurityToken, RequestSecurityTokenResponse,
    RequestSecurityTokenResponseCollection, RequestType, RequestedSecurityToken, ValueKind,
    WstepMessage,
};
use xcep::XcepMessage;

/// Counts every allocation of this binary: total bytes requested and peak
/// live bytes (`stats` feature), with no limit.
#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

const SPEC: &str = "/work/shared/testdata/spec";

// ---------------------------------------------------------------------------
// The 500-template response of `crates/xcep/benches/policy.rs`.

#[path = "../../xcep/benches/common/large_policy.rs"]
#[allow(dead_code)] // its counts are asserted by the xcep bench
mod large_policy;

/// The response of `crates/xcep/benches/policy.rs` in an envelope, as a
/// policy server sends it.
fn policy_500() -> Vec<u8> {
    let r = large_policy::large_response();
    let message = XcepMessage::from(r);
    let header = Header::new()
        .with_action(message.action().unwrap())
        .with_relates_to(MESSAGE_ID);
    Envelope::new(header, message).to_xml().unwrap()
}

// ---------------------------------------------------------------------------
// The other inputs.

const MESSAGE_ID: &str = "urn:uuid:b5d1a601-5091-4a7d-b34b-5204c18b5919";
const CES_URI: &str = "https://ces.contoso.com/Contoso-CA_CES_Kerberos/service.svc/CES";
const ANONYMOUS: &str = "http://www.w3.org/2005/08/addressing/anonymous";

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata")
        .join(name)
}

/// The spec example `spec` (under the spec folder) when present, else the
/// repository's `fallback` (under `testdata/`): where it was read from and
/// its bytes.
fn spec_or(spec: &str, fallback: &str) -> (String, Vec<u8>) {
    let dir =
        std::env::var_os("CEPCES_SPEC_DIR").map_or_else(|| PathBuf::from(SPEC), PathBuf::from);
    for path in [dir.join(spec), testdata(fallback)] {
        if let Ok(bytes) = std::fs::read(&path) {
            return (path.display().to_string(), bytes);
        }
    }
    panic!("neither {spec} in the spec folder nor testdata/{fallback} is readable");
}

/// An Issue request for template `User` around the DER CSR `csr`, built
/// with the model's builders and written with `to_xml`.
fn rst(csr: &[u8]) -> Vec<u8> {
    let rst = RequestSecurityToken::new(RequestType::Issue)
        .with_binary_security_token(ValueKind::Pkcs10.token(csr))
        .with_additional_context(
            AdditionalContext::new()
                .with_item("CertificateTemplate", "User")
                .with_item("ccm", "ws01.corp.contoso.com"),
        )
        .with_preferred_language("en-US");
    let message = WstepMessage::from(rst);
    let header = Header::new()
        .with_action(message.action().unwrap())
        .with_message_id(MESSAGE_ID)
        .with_reply_to_anonymous()
        .with_to(CES_URI);
    Envelope::new(header, message).to_xml().unwrap()
}

/// The issued response when the spec folder is absent: the PKCS#7 chain
/// `testdata/bench/chain3.p7b` (root, intermediate, leaf) and the leaf.
fn rstrc_chain3() -> Vec<u8> {
    let p7 = std::fs::read(testdata("bench/chain3.p7b")).unwrap();
    let leaf = std::fs::read(testdata("bench/leaf.der")).unwrap();
    let response = RequestSecurityTokenResponse::new()
        .with_disposition_message(DispositionMessage::new("Issued").with_lang("en-US"))
        .with_binary_security_token(ValueKind::Pkcs7.token(&p7))
        .with_requested_security_token(RequestedSecurityToken::new(ValueKind::X509v3.token(&leaf)))
        .with_request_id(RequestId::new("58"));
    let message = WstepMessage::from(RequestSecurityTokenResponseCollection::new(response));
    let header = Header::new()
        .with_action(message.action().unwrap())
        .with_relates_to(MESSAGE_ID);
    Envelope::new(header, message).to_xml().unwrap()
}

/// Which typed model reads a message.
#[derive(Clone, Copy)]
enum Kind {
    /// `Envelope<XcepMessage>`.
    Xcep,
    /// `Envelope<WstepMessage>`.
    Wstep,
    /// `Envelope<WstepMessage>`, then the fault's
    /// `CertificateEnrollmentWSDetail` typed.
    CesFault,
}

/// What the other implementation does with a message.
enum Peer {
    None,
    /// `wstep-rs` reads it (a response or fault).
    Parse,
    /// `wstep-rs` writes an Issue request around this base64 CSR.
    WriteRst(String),
}

struct Message {
    name: &'static str,
    source: String,
    kind: Kind,
    input: Vec<u8>,
    peer: Peer,
}

fn messages() -> Vec<Message> {
    let mut v = Vec::new();
    let (source, input) = spec_or(
        "xcep/4.1.1.1-GetPolicies-request.xml",
        "messages/get-policies-request.xml",
    );
    v.push(Message {
        name: "get_policies",
        source,
        kind: Kind::Xcep,
        input,
        peer: Peer::None,
    });
    let (source, input) = spec_or(
        "xcep/4.1.1.2-GetPoliciesResponse.normalized.xml",
        "messages/get-policies-response.xml",
    );
    v.push(Message {
        name: "policy_small",
        source,
        kind: Kind::Xcep,
        input,
        peer: Peer::None,
    });
    v.push(Message {
        name: "policy_500",
        source: "built (crates/xcep/benches/policy.rs's response in an envelope)".into(),
        kind: Kind::Xcep,
        input: policy_500(),
        peer: Peer::None,
    });
    for (name, file) in [
        ("rst_rsa2048", "bench/csr-rsa2048.der"),
        ("rst_rsa4096", "bench/csr-rsa4096.der"),
    ] {
        let csr = std::fs::read(testdata(file)).unwrap();
        let token = ValueKind::Pkcs10.token(&csr);
        v.push(Message {
            name,
            source: format!("built around testdata/{file} ({} bytes DER)", csr.len()),
            kind: Kind::Wstep,
            input: rst(&csr),
            peer: Peer::WriteRst(token.value.clone()),
        });
    }
    let dir =
        std::env::var_os("CEPCES_SPEC_DIR").map_or_else(|| PathBuf::from(SPEC), PathBuf::from);
    let spec = dir.join("wstep/4.1.1.2-RSTRC-issued.normalized.xml");
    let (source, input) = match std::fs::read(&spec) {
        Ok(bytes) => (spec.display().to_string(), bytes),
        Err(_) => (
            "built around testdata/bench/chain3.p7b and leaf.der".into(),
            rstrc_chain3(),
        ),
    };
    v.push(Message {
        name: "rstrc_chain3",
        source,
        kind: Kind::Wstep,
        input,
        peer: Peer::Parse,
    });
    let path = testdata("messages/wstep-fault.xml");
    v.push(Message {
        name: "fault_ces",
        source: path.display().to_string(),
        kind: Kind::CesFault,
        input: std::fs::read(&path).unwrap(),
        peer: Peer::Parse,
    });
    let (source, input) = spec_or(
        "wstep/4.1.4.2-fault-response.normalized.xml",
        "messages/security-fault.xml",
    );
    v.push(Message {
        name: "fault_soap",
        source,
        kind: Kind::Wstep,
        input,
        peer: Peer::Parse,
    });
    v
}

// ---------------------------------------------------------------------------
// What is timed.

/// A parsed message (moved out once per parse, as the typed model is
/// returned by `from_xml`: no box, so no allocation the model does not
/// make itself).
#[allow(clippy::large_enum_variant)]
enum Parsed {
    Xcep(Envelope<XcepMessage>),
    Wstep(
        Envelope<WstepMessage>,
        Option<CertificateEnrollmentWsDetail>,
    ),
}

fn parse(kind: Kind, input: &[u8]) -> Parsed {
    match kind {
        Kind::Xcep => Parsed::Xcep(Envelope::from_xml(input).unwrap()),
        Kind::Wstep => Parsed::Wstep(Envelope::from_xml(input).unwrap(), None),
        Kind::CesFault => {
            let env = Envelope::<WstepMessage>::from_xml(input).unwrap();
            let detail = CertificateEnrollmentWsDetail::from_fault(env.as_fault().unwrap())
                .unwrap()
                .unwrap();
            Parsed::Wstep(env, Some(detail))
        }
    }
}

fn write(parsed: &Parsed) -> Vec<u8> {
    match parsed {
        Parsed::Xcep(env) => env.to_xml().unwrap(),
        Parsed::Wstep(env, _) => env.to_xml().unwrap(),
    }
}

fn wstep_rs_parse(input: &str) -> Result<wstep_rs::response::WstepResponse<'_>, String> {
    wstep_rs::response::WstepResponse::new_from_soap_xml_str(input).map_err(|e| e.to_string())
}

fn wstep_rs_write(csr_base64: &str) -> String {
    wstep_rs::request::WstepRequest::new_issue_x509v3(
        csr_base64,
        MESSAGE_ID,
        Some(CES_URI),
        Some(ANONYMOUS),
    )
    .serialize_request()
    .unwrap()
}

/// What a message's input holds, for the `INPUT` line: the tokens' decoded
/// kinds, and the certificates of a PKCS#7.
fn describe(parsed: &Parsed) -> String {
    let Parsed::Wstep(env, detail) = parsed else {
        return String::new();
    };
    if let Some(d) = detail {
        return format!(", detail error code {:?}", d.error_code);
    }
    let mut tokens = Vec::new();
    match env.payload() {
        Some(WstepMessage::RequestSecurityToken(r)) => {
            tokens.extend(r.binary_security_token.as_ref());
        }
        Some(WstepMessage::RequestSecurityTokenResponseCollection(c)) => {
            for r in &c.responses {
                tokens.extend(r.binary_security_token.as_ref());
                tokens.extend(
                    r.requested_security_token
                        .as_ref()
                        .and_then(|t| t.binary_security_token.as_ref()),
                );
            }
        }
        _ => {}
    }
    let mut s = String::new();
    for t in tokens {
        match wstep::decode_token(t).unwrap() {
            wstep::TokenContent::Pkcs7(p) => {
                let _ = write!(s, ", PKCS#7 with {} certificates", p.certificates.len());
            }
            c => {
                let _ = write!(
                    s,
                    ", {:?} ({} bytes DER)",
                    c.kind(),
                    t.decode_bytes().unwrap().len()
                );
            }
        }
    }
    s
}

fn bench(c: &mut Criterion) {
    let budget = Duration::from_secs(1);
    let only = std::env::var("BENCH_MESSAGE").ok();
    for m in messages() {
        if only.as_deref().is_some_and(|o| o != m.name) {
            continue;
        }
        let Message {
            name,
            source,
            kind,
            input,
            peer,
        } = &m;
        let (name, kind) = (*name, *kind);
        let len = input.len();
        let text = std::str::from_utf8(input).unwrap();

        // Sanity: both readers read the document; our output reads back
        // and is written again the same; quick-xml's writer, given the
        // events of our output, writes it byte for byte.
        assert!(baseline(input) > 0);
        let parsed = parse(kind, input);
        let out = write(&parsed);
        let out_len = out.len();
        if write(&parse(kind, &out)) != out {
            println!("NOTE {name}: our output, read back and written again, differs");
        }
        let events = owned_events(&out);
        if baseline_write(&events, out_len) != out {
            println!("NOTE {name}: quick-xml's writer does not reproduce our output byte for byte");
        }
        let theirs_ok = match peer {
            Peer::Parse => match wstep_rs_parse(text) {
                Ok(_) => true,
                Err(e) => {
                    println!("WSTEP_RS {name}: wstep-rs cannot read {source}: {e}");
                    false
                }
            },
            Peer::WriteRst(b64) => !wstep_rs_write(b64).is_empty(),
            Peer::None => false,
        };
        println!(
            "INPUT {name}: {source}, {len} bytes read, {out_len} bytes written{}",
            describe(&parsed)
        );
        // For a profiler: only our parse or write, for ten seconds.
        let only_ours: Option<Box<dyn Fn()>> = match std::env::var("BENCH_LOOP").as_deref() {
            Ok("parse") => Some(Box::new(|| drop(black_box(parse(kind, black_box(input)))))),
            Ok("write") => Some(Box::new(|| drop(black_box(write(black_box(&parsed)))))),
            _ => None,
        };
        if let Some(f) = only_ours {
            let end = std::time::Instant::now() + Duration::from_secs(10);
            while std::time::Instant::now() < end {
                for _ in 0..100 {
                    f();
                }
            }
            continue;
        }

        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_function("parse/quick_xml_ns_reader", |b| {
            b.iter(|| baseline(black_box(input)));
        });
        g.bench_function("parse/ours", |b| b.iter(|| parse(kind, black_box(input))));
        g.bench_function("write/quick_xml_writer", |b| {
            b.iter(|| baseline_write(black_box(&events), out_len));
        });
        g.bench_function("write/ours", |b| b.iter(|| write(black_box(&parsed))));
        match peer {
            Peer::Parse if theirs_ok => {
                g.bench_function("parse/wstep_rs", |b| {
                    b.iter(|| wstep_rs_parse(black_box(text)).unwrap());
                });
            }
            Peer::WriteRst(b64) => {
                g.bench_function("write/wstep_rs", |b| {
                    b.iter(|| wstep_rs_write(black_box(b64)));
                });
            }
            _ => {}
        }
        g.finish();

        let run_parse_base = || {
            black_box(baseline(black_box(input)));
        };
        let run_parse = || {
            black_box(parse(kind, black_box(input)));
        };
        let run_write_base = || {
            black_box(baseline_write(black_box(&events), out_len));
        };
        let run_write = || {
            black_box(write(black_box(&parsed)));
        };
        let run_theirs_parse = || {
            black_box(wstep_rs_parse(black_box(text)).unwrap());
        };
        let theirs_b64 = match peer {
            Peer::WriteRst(b64) => b64.as_str(),
            _ => "",
        };
        let run_theirs_write = || {
            black_box(wstep_rs_write(black_box(theirs_b64)));
        };

        let parse_base = time_per_iter(&run_parse_base, budget);
        let parse_ours = time_per_iter(&run_parse, budget);
        let write_base = time_per_iter(&run_write_base, budget);
        let write_ours = time_per_iter(&run_write, budget);
        let mut line = format!(
            "RATIO {name}: {len} bytes, parse {:.2} us / {:.2} us = {:.2}, write {:.2} us / {:.2} us = {:.2}",
            parse_ours * 1e6,
            parse_base * 1e6,
            parse_ours / parse_base,
            write_ours * 1e6,
            write_base * 1e6,
            write_ours / write_base
        );
        match peer {
            Peer::Parse if theirs_ok => {
                let t = time_per_iter(&run_theirs_parse, budget);
                let _ = write!(
                    line,
                    "; wstep-rs parse {:.2} us = {:.2} x baseline, {:.2} x ours",
                    t * 1e6,
                    t / parse_base,
                    t / parse_ours
                );
            }
            Peer::WriteRst(_) => {
                let t = time_per_iter(&run_theirs_write, budget);
                let _ = write!(
                    line,
                    "; wstep-rs write {:.2} us = {:.2} x baseline, {:.2} x ours",
                    t * 1e6,
                    t / write_base,
                    t / write_ours
                );
            }
            _ => {}
        }
        println!("{line}");

        let theirs_len = wstep_rs_write(theirs_b64).len();
        let mut runs: Vec<(&str, &dyn Fn(), &str, usize)> = vec![
            ("parse baseline", &run_parse_base, "input", len),
            ("parse ours", &run_parse, "input", len),
            ("write baseline", &run_write_base, "output", out_len),
            ("write ours", &run_write, "output", out_len),
        ];
        match peer {
            Peer::Parse if theirs_ok => {
                runs.push(("parse wstep-rs", &run_theirs_parse, "input", len));
            }
            Peer::WriteRst(_) => {
                runs.push(("write wstep-rs", &run_theirs_write, "output", theirs_len));
            }
            _ => {}
        }
        for (what, f, unit, n) in runs {
            let (total, peak) = allocations(&ALLOC, f);
            println!(
                "ALLOC {name} {what}: {n} {unit} bytes, allocated {total} bytes ({:.2} per {unit} byte), peak live {peak} bytes ({:.2} per {unit} byte)",
                total as f64 / n as f64,
                peak as f64 / n as f64
            );
        }
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
