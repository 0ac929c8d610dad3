//! The default templates of MS-CRTD 3 read from their attributes, and
//! malformed attributes.

#![allow(clippy::unwrap_used, clippy::too_many_lines, missing_docs)]

mod common;

use cepces_adcs::{CertificateTemplate, Csp, Error, LdapEntry, ValueError};
use common::{MACHINE, OCSP_RESPONSE_SIGNING, USER, WEB_SERVER, entry, template_dn};
use xcep::flags::{
    EnrollmentFlags, GeneralFlags, KeySpec, KeyUsageProperty, PrivateKeyFlags, SubjectNameFlags,
};

fn read(cn: &str, text: &str) -> CertificateTemplate {
    CertificateTemplate::from_entry(&entry(&template_dn(cn), text)).unwrap()
}

#[test]
fn default_user_template() {
    let t = read("User", USER);
    assert_eq!(t.cn, "User");
    assert_eq!(t.display_name.as_deref(), Some("User"));
    // flags 66106 = 0x1023A
    assert_eq!(
        t.general_flags,
        GeneralFlags::IS_DEFAULT
            | GeneralFlags::ADD_TEMPLATE_NAME
            | GeneralFlags::AUTO_ENROLLMENT
            | GeneralFlags::EXPORTABLE_KEY
            | GeneralFlags::PUBLISH_TO_DS
            | GeneralFlags::ADD_EMAIL
    );
    // -1509949440 = 0xA6000000
    assert_eq!(
        t.subject_name_flags,
        SubjectNameFlags::SUBJECT_REQUIRE_DIRECTORY_PATH
            | SubjectNameFlags::SUBJECT_REQUIRE_EMAIL
            | SubjectNameFlags::SUBJECT_ALT_REQUIRE_EMAIL
            | SubjectNameFlags::SUBJECT_ALT_REQUIRE_UPN
    );
    // 41 = 0x29
    assert_eq!(
        t.enrollment_flags,
        EnrollmentFlags::AUTO_ENROLLMENT
            | EnrollmentFlags::PUBLISH_TO_DS
            | EnrollmentFlags::INCLUDE_SYMMETRIC_ALGORITHMS
    );
    assert_eq!(t.private_key_flags, PrivateKeyFlags::EXPORTABLE_KEY);
    assert_eq!((t.revision, t.minor_revision, t.schema_version), (3, 1, 1));
    assert_eq!(
        t.oid.as_deref(),
        Some("1.3.6.1.4.1.311.21.8.11034890.834619.12601478.16236816.7255827.176.1.1")
    );
    assert_eq!(t.validity.seconds(), 31_536_000);
    assert_eq!(t.validity.units(), 315_360_000_000_000);
    assert_eq!(t.overlap.seconds(), 6 * 7 * 86_400);
    assert_eq!(t.key_usage.as_deref(), Some(&[0xA0, 0x00][..]));
    assert_eq!(
        t.extended_key_usage,
        [
            "1.3.6.1.4.1.311.10.3.4",
            "1.3.6.1.5.5.7.3.4",
            "1.3.6.1.5.5.7.3.2"
        ]
    );
    assert_eq!(t.critical_extensions, ["2.5.29.15"]);
    assert!(t.is_critical("2.5.29.15") && !t.is_critical("2.5.29.37"));
    assert_eq!(t.key_spec, Some(KeySpec::AT_KEYEXCHANGE));
    // Sorted by priority: 1 before 2.
    assert_eq!(
        t.csps,
        [
            Csp {
                priority: 1,
                name: "Microsoft Enhanced Cryptographic Provider v1.0".into()
            },
            Csp {
                priority: 2,
                name: "Microsoft Base Cryptographic Provider v1.0".into()
            },
        ]
    );
    assert_eq!(t.minimal_key_size, 2048);
    assert_eq!(t.max_issuing_depth, Some(0));
    assert_eq!(t.ra_signatures, 0);
    assert!(t.ra_application_policies.oids.is_empty());
    assert!(t.supersedes.is_empty() && t.certificate_policies.is_empty());
    assert_eq!(t.crypto().asymmetric_algorithm, None);
    assert_eq!(t.security_descriptor, None);
}

#[test]
fn default_machine_template() {
    let t = read("Machine", MACHINE);
    assert_eq!(t.display_name.as_deref(), Some("Computer"));
    // 66144 = 0x10260: a machine template.
    assert_eq!(
        t.general_flags,
        GeneralFlags::IS_DEFAULT
            | GeneralFlags::ADD_TEMPLATE_NAME
            | GeneralFlags::MACHINE_TYPE
            | GeneralFlags::AUTO_ENROLLMENT
    );
    // 402653184 = 0x18000000: DNS name as CN and in the SAN.
    assert_eq!(
        t.subject_name_flags,
        SubjectNameFlags::SUBJECT_REQUIRE_DNS_AS_CN | SubjectNameFlags::SUBJECT_ALT_REQUIRE_DNS
    );
    assert_eq!(t.enrollment_flags, EnrollmentFlags::AUTO_ENROLLMENT);
    assert_eq!(t.private_key_flags, PrivateKeyFlags::empty());
    assert_eq!((t.revision, t.minor_revision), (5, 1));
    assert_eq!(
        t.extended_key_usage,
        ["1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.1"]
    );
    assert_eq!(t.csps.len(), 1);
    assert_eq!(
        t.csps[0].name,
        "Microsoft RSA SChannel Cryptographic Provider"
    );
    assert_eq!(t.validity.to_string(), "1 year");
}

#[test]
fn default_web_server_template() {
    let t = read("WebServer", WEB_SERVER);
    // 66113 = 0x10241
    assert_eq!(
        t.general_flags,
        GeneralFlags::IS_DEFAULT
            | GeneralFlags::ADD_TEMPLATE_NAME
            | GeneralFlags::MACHINE_TYPE
            | GeneralFlags::from_bits_retain(0x1)
    );
    assert_eq!(
        t.subject_name_flags,
        SubjectNameFlags::ENROLLEE_SUPPLIES_SUBJECT
    );
    assert_eq!(t.enrollment_flags, EnrollmentFlags::empty());
    assert_eq!(t.validity.seconds(), 2 * 365 * 86_400);
    assert_eq!(t.validity.to_string(), "2 years");
    assert_eq!(t.overlap.to_string(), "6 weeks");
    assert_eq!(t.extended_key_usage, ["1.3.6.1.5.5.7.3.1"]);
    assert_eq!(
        t.csps[0].name,
        "Microsoft RSA SChannel Cryptographic Provider"
    );
    assert_eq!(
        t.csps[1].name,
        "Microsoft DH SChannel Cryptographic Provider"
    );
}

#[test]
fn schema_3_template_key_properties() {
    let t = read("OCSPResponseSigning", OCSP_RESPONSE_SIGNING);
    assert_eq!(t.schema_version, 3);
    let c = t.crypto();
    assert_eq!(c.asymmetric_algorithm.as_deref(), Some("RSA"));
    assert_eq!(c.hash_algorithm.as_deref(), Some("SHA1"));
    assert_eq!(
        c.key_security_descriptor.as_deref(),
        Some(
            "D:(A;;FA;;;BA)(A;;FA;;;SY)(A;;GR;;;S-1-5-80-3804348527-3718992918-2141599610-3686422417-2726379419)"
        )
    );
    assert_eq!(c.key_usage, Some(KeyUsageProperty::SIGN));
    assert_eq!(c.symmetric_algorithm, None);
    assert!(t.ra_application_policies.oids.is_empty());
    assert_eq!(t.application_policies, ["1.3.6.1.5.5.7.3.9"]);
    assert_eq!(t.enrollment_flags, EnrollmentFlags::ADD_OCSP_NOCHECK);
    assert_eq!(t.key_spec, Some(KeySpec::AT_SIGNATURE));
    assert_eq!(t.validity.seconds(), 14 * 86_400);
    assert_eq!(t.overlap.seconds(), 2 * 86_400);
}

#[test]
fn ra_application_policies_both_syntaxes() {
    // MS-CRTD 2.23.2's own example, on a schema 4 template (no legacy CSP).
    let v4 = format!(
        "{WEB_SERVER}\nmsPKI-Template-Schema-Version: 4\nmsPKI-RA-Signature: 1\n\
         msPKI-RA-Application-Policies: msPKI-Asymmetric-Algorithm`PZPWSTR`RSA`msPKI-Hash-Algorithm`PZPWSTR`SHA1`msPKI-Key-Usage`DWORD`2`msPKI-RA-Application-Policies`PZPWSTR`1.3.6.1.4.1.311.10.3.8`"
    );
    let mut e = entry(&template_dn("V4"), &v4);
    // Schema version given twice above: keep the last.
    e = rebuild(&e, "msPKI-Template-Schema-Version", &["4"]);
    e = rebuild(&e, "msPKI-RA-Signature", &["1"]);
    let t = CertificateTemplate::from_entry(&e).unwrap();
    assert_eq!(t.ra_application_policies.oids, ["1.3.6.1.4.1.311.10.3.8"]);
    assert_eq!(t.crypto().key_usage, Some(KeyUsageProperty::SIGN));
    // With CT_FLAG_USE_LEGACY_PROVIDER, syntax option 1: a list of OIDs.
    let e = rebuild(&e, "msPKI-Private-Key-Flag", &["256"]);
    let e = rebuild(
        &e,
        "msPKI-RA-Application-Policies",
        &["1.3.6.1.4.1.311.20.2.1"],
    );
    let t = CertificateTemplate::from_entry(&e).unwrap();
    assert_eq!(t.ra_application_policies.oids, ["1.3.6.1.4.1.311.20.2.1"]);
    assert_eq!(t.crypto().hash_algorithm, None);
}

/// `e` with attribute `name` replaced by `values`.
fn rebuild(e: &LdapEntry, name: &str, values: &[&str]) -> LdapEntry {
    let mut out = LdapEntry::new(e.dn());
    for n in e.attribute_names() {
        if !n.eq_ignore_ascii_case(name) {
            out.insert(n, e.values(n).iter().cloned());
        }
    }
    out.with_attribute(name, values.iter().map(|v| v.as_bytes().to_vec()))
}

fn rebuild_bytes(e: &LdapEntry, name: &str, value: &[u8]) -> LdapEntry {
    let mut out = rebuild(e, name, &[]);
    out.insert(name, [value.to_vec()]);
    out
}

/// An entry, the attribute it breaks, and a check of the error kind.
type Case = (LdapEntry, &'static str, fn(&ValueError) -> bool);

#[test]
fn malformed_attributes_name_the_entry_and_attribute() {
    let dn = template_dn("User");
    let good = entry(&dn, USER);
    let cases: Vec<Case> = vec![
        (rebuild(&good, "flags", &["0x10"]), "flags", |k| {
            matches!(k, ValueError::NotAnInteger { .. })
        }),
        (rebuild(&good, "revision", &["-1"]), "revision", |k| {
            matches!(k, ValueError::NotAnInteger { .. })
        }),
        (rebuild(&good, "revision", &["1", "2"]), "revision", |k| {
            *k == ValueError::MultipleValues { count: 2 }
        }),
        (
            rebuild(&good, "msPKI-Template-Schema-Version", &["5"]),
            "msPKI-Template-Schema-Version",
            |k| matches!(k, ValueError::NotAnInteger { min: 1, max: 4, .. }),
        ),
        (
            rebuild(&good, "pKIDefaultKeySpec", &["3"]),
            "pKIDefaultKeySpec",
            |k| matches!(k, ValueError::NotAnInteger { .. }),
        ),
        (
            rebuild(
                &good,
                "pKIDefaultCSPs",
                &["Microsoft Enhanced Cryptographic Provider v1.0"],
            ),
            "pKIDefaultCSPs",
            |k| matches!(k, ValueError::BadFormat(_)),
        ),
        (
            rebuild(&good, "pKIDefaultCSPs", &["x,Provider"]),
            "pKIDefaultCSPs",
            |k| matches!(k, ValueError::BadFormat(_)),
        ),
        (
            rebuild(
                &good,
                "pKIExtendedKeyUsage",
                &["1.3.6.1.5.5.7.3.2", "serverAuth"],
            ),
            "pKIExtendedKeyUsage",
            |k| *k == ValueError::NotAnOid("serverAuth".into()),
        ),
        (
            rebuild(&good, "msPKI-Cert-Template-OID", &["9.9"]),
            "msPKI-Cert-Template-OID",
            |k| matches!(k, ValueError::NotAnOid(_)),
        ),
        (
            rebuild_bytes(&good, "pKIExpirationPeriod", &[0; 4]),
            "pKIExpirationPeriod",
            |k| {
                *k == ValueError::WrongLength {
                    expected: 8,
                    actual: 4,
                }
            },
        ),
        (
            rebuild_bytes(&good, "pKIOverlapPeriod", &100_i64.to_le_bytes()),
            "pKIOverlapPeriod",
            |k| *k == ValueError::NotAnInterval(100),
        ),
        (
            rebuild_bytes(&good, "pKIKeyUsage", &[0xA0, 0, 0]),
            "pKIKeyUsage",
            |k| matches!(k, ValueError::WrongLength { actual: 3, .. }),
        ),
        (
            rebuild_bytes(&good, "displayName", &[0xFF, 0xFE]),
            "displayName",
            |k| *k == ValueError::NotUtf8,
        ),
        (
            rebuild_bytes(&good, "nTSecurityDescriptor", &[1, 0, 4, 0x80]),
            "nTSecurityDescriptor",
            |k| matches!(k, ValueError::Descriptor(_)),
        ),
        (
            rebuild(&good, "msPKI-Template-Schema-Version", &["3"]).with_attribute(
                "msPKI-RA-Application-Policies",
                ["msPKI-Key-Usage`PZPWSTR`2`"],
            ),
            "msPKI-RA-Application-Policies",
            |k| matches!(k, ValueError::BadFormat(_)),
        ),
        (
            rebuild(&good, "msPKI-Template-Schema-Version", &["3"])
                .with_attribute("msPKI-RA-Application-Policies", ["msPKI-Key-Usage`DWORD`"]),
            "msPKI-RA-Application-Policies",
            |k| matches!(k, ValueError::BadFormat(_)),
        ),
    ];
    for (e, attribute, kind) in cases {
        match CertificateTemplate::from_entry(&e) {
            Err(Error::BadValue {
                dn: got_dn,
                attribute: got,
                kind: k,
            }) => {
                assert_eq!((got_dn.as_str(), got), (dn.as_str(), attribute));
                assert!(kind(&k), "{attribute}: {k:?}");
                // The message names both.
                let msg = Error::BadValue {
                    dn: dn.clone(),
                    attribute,
                    kind: k,
                }
                .to_string();
                assert!(msg.contains(&dn) && msg.contains(attribute), "{msg}");
            }
            other => panic!("{attribute}: {other:?}"),
        }
    }
    for missing in ["cn", "revision", "pKIExpirationPeriod", "pKIOverlapPeriod"] {
        let e = rebuild(&good, missing, &[]);
        assert_eq!(
            CertificateTemplate::from_entry(&e).unwrap_err(),
            Error::MissingAttribute {
                dn: dn.clone(),
                attribute: missing
            }
        );
    }
}
