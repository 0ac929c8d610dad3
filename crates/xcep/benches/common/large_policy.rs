//! The 500-template GetPoliciesResponse of the benches, built with the
//! model's builders: 500 templates, 20 CAs (2 or 3 CAURIs and a 1 KB
//! certificate each) and 1,000 OIDs, with the fields a Windows policy
//! server fills in. Shared by `crates/xcep/benches/policy.rs` and
//! `crates/server/benches/messages.rs` (as a `#[path]` module).

use xcep::flags::{
    ClientAuthentication, EnrollmentFlags, GeneralFlags, KeySpec, KeyUsageProperty,
    PrivateKeyFlags, SubjectNameFlags,
};
use xcep::{
    Attributes, Base64Text, Ca, CaUri, CertificateEnrollmentPolicy, CertificateValidity,
    EnrollmentPermission, Extension, GetPoliciesResponse, KeyArchivalAttributes, Oid, OidGroup,
    PrivateKeyAttributes, RaRequirements, Response, Revision,
};

pub const TEMPLATES: i32 = 500;
pub const CAS: i32 = 20;
pub const OIDS: i32 = 1000;

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

/// The response, as the model holds it.
pub fn large_response() -> GetPoliciesResponse {
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
    r
}
