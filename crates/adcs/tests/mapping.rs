//! The directory's PKI objects, written as LDAP returns them from the
//! attribute definitions of MS-CRTD and MS-ADA2, mapped to the XCEP policy:
//! every attribute's value where it lands, the policy written, read back,
//! resolved by xcep and (when the spec folder and xmllint are there)
//! schema-valid.

#![allow(clippy::unwrap_used, missing_docs)]

use cepces_adcs::period;
use cepces_adcs::security::{
    AUTO_ENROLL, Ace, AceKind, ENROLL, GENERIC_ALL, Guid, RIGHT_DS_CONTROL_ACCESS,
    SecurityDescriptor, Sid,
};
use cepces_adcs::template::{
    CERTIFICATE_POLICIES_EXTENSION, EKU_EXTENSION, KEY_USAGE_EXTENSION, TEMPLATE_INFO_EXTENSION,
    TEMPLATE_NAME_EXTENSION,
};
use cepces_adcs::{
    Directory, EnrollmentServer, EnrollmentService, Entry, ErrorKind, PolicyOptions, Template,
};
use der::Decode;
use x509_cert::ext::pkix::ExtendedKeyUsage;
use xcep::flags::{
    ClientAuthentication, EnrollmentFlags, GeneralFlags, KeySpec, PrivateKeyFlags, SubjectNameFlags,
};
use xcep::{GetPoliciesResponse, OidGroup};

const DOMAIN: &str = "S-1-5-21-3623811015-3361044348-30300820";
const CONFIG: &str = "CN=Public Key Services,CN=Services,CN=Configuration,DC=example,DC=test";
const YEAR: i64 = -315_360_000_000_000; // 365 days in 100 ns units
const SIX_WEEKS: i64 = -36_288_000_000_000; // 42 days

fn sid(rid: u32) -> Sid {
    DOMAIN.parse::<Sid>().unwrap().with_rid(rid)
}

fn domain_users() -> Sid {
    sid(513)
}

fn domain_admins() -> Sid {
    sid(512)
}

/// The User template's DACL as AD CS creates it: Domain Admins and
/// Enterprise Admins full control (with enroll), Domain Users enroll.
fn user_dacl() -> SecurityDescriptor {
    SecurityDescriptor::new(vec![
        Ace::new(AceKind::Allow, domain_admins(), 0x000F_01FF, None),
        Ace::new(AceKind::Allow, sid(519), 0x000F_01FF, None),
        Ace::new(
            AceKind::Allow,
            domain_users(),
            RIGHT_DS_CONTROL_ACCESS,
            Some(ENROLL),
        ),
        Ace::new(
            AceKind::Allow,
            domain_admins(),
            RIGHT_DS_CONTROL_ACCESS,
            Some(ENROLL),
        ),
    ])
    .with_owner(domain_admins())
}

/// The schema 1 User template's attributes.
fn user_template() -> Entry {
    Entry::new(format!("CN=User,CN=Certificate Templates,{CONFIG}"))
        .with("cn", ["User"])
        .with("displayName", ["User"])
        .with("flags", ["66106"])
        .with("revision", ["3"])
        .with("msPKI-Template-Minor-Revision", ["1"])
        .with("msPKI-Template-Schema-Version", ["1"])
        .with(
            "msPKI-Cert-Template-OID",
            ["1.3.6.1.4.1.311.21.8.1.2.3.4.1"],
        )
        .with("pKIExpirationPeriod", [YEAR.to_le_bytes()])
        .with("pKIOverlapPeriod", [SIX_WEEKS.to_le_bytes()])
        .with("msPKI-Enrollment-Flag", ["41"])
        .with("msPKI-Private-Key-Flag", ["16"])
        // 0xA6000000 as AD writes a DWORD with the top bit set.
        .with("msPKI-Certificate-Name-Flag", ["-1509949440"])
        .with("msPKI-Minimal-Key-Size", ["2048"])
        .with("pKIDefaultKeySpec", ["1"])
        .with("pKIKeyUsage", [[0xa0, 0x00]])
        .with(
            "pKIExtendedKeyUsage",
            [
                "1.3.6.1.4.1.311.10.3.4",
                "1.3.6.1.5.5.7.3.4",
                "1.3.6.1.5.5.7.3.2",
            ],
        )
        .with("pKICriticalExtensions", ["2.5.29.15"])
        .with(
            "pKIDefaultCSPs",
            [
                "2,Microsoft Base Cryptographic Provider v1.0",
                "1,Microsoft Enhanced Cryptographic Provider v1.0",
            ],
        )
        .with("nTSecurityDescriptor", [user_dacl().to_bytes()])
}

/// A schema 4 template: key properties in `msPKI-RA-Application-Policies`
/// ([MS-CRTD] 2.23.2), an issuance policy, superseding another.
fn web_server_v4() -> Entry {
    Entry::new(format!("CN=WebServerV4,CN=Certificate Templates,{CONFIG}"))
        .with("cn", ["WebServerV4"])
        .with("displayName", ["Web Server (v4)"])
        .with("flags", ["131649"])
        .with("revision", ["100"])
        .with("msPKI-Template-Minor-Revision", ["4"])
        .with("msPKI-Template-Schema-Version", ["4"])
        .with("msPKI-Cert-Template-OID", ["1.3.6.1.4.1.311.21.8.1.2.3.4.16"])
        .with("pKIExpirationPeriod", [(YEAR * 2).to_le_bytes()])
        .with("pKIOverlapPeriod", [SIX_WEEKS.to_le_bytes()])
        .with("msPKI-Enrollment-Flag", ["8"])
        .with("msPKI-Private-Key-Flag", ["101056528"])
        .with("msPKI-Certificate-Name-Flag", ["1"])
        .with("msPKI-Minimal-Key-Size", ["3072"])
        .with("msPKI-Certificate-Application-Policy", ["1.3.6.1.5.5.7.3.1"])
        .with("pKIExtendedKeyUsage", ["1.3.6.1.5.5.7.3.1"])
        .with("msPKI-Certificate-Policy", ["1.3.6.1.4.1.311.21.8.1.2.3.4.400"])
        .with("msPKI-Supersede-Templates", ["WebServer"])
        .with("msPKI-RA-Signature", ["1"])
        .with("msPKI-RA-Policies", ["1.3.6.1.4.1.311.21.8.1.2.3.4.401"])
        .with(
            "msPKI-RA-Application-Policies",
            ["msPKI-Asymmetric-Algorithm`PZPWSTR`RSA`msPKI-Hash-Algorithm`PZPWSTR`SHA256`msPKI-Key-Usage`DWORD`16777215`msPKI-Symmetric-Algorithm`PZPWSTR`3DES`msPKI-Symmetric-Key-Length`DWORD`168`"],
        )
        .with(
            "nTSecurityDescriptor",
            [SecurityDescriptor::new(vec![
                Ace::new(AceKind::Allow, domain_admins(), RIGHT_DS_CONTROL_ACCESS, Some(ENROLL)),
                Ace::new(AceKind::Allow, domain_admins(), RIGHT_DS_CONTROL_ACCESS, Some(AUTO_ENROLL)),
            ])
            .to_bytes()],
        )
}

fn ca_entry() -> Entry {
    Entry::new(format!("CN=Example-CA,CN=Enrollment Services,{CONFIG}"))
        .with("cn", ["Example-CA"])
        .with("dNSHostName", ["ca.example.test"])
        .with("cACertificate", [[0x30, 0x03, 0x02, 0x01, 0x01]])
        .with("certificateTemplates", ["User", "WebServerV4"])
        .with(
            "msPKI-Enrollment-Servers",
            [
                "2\r\n4\r\n0\r\nhttps://ca.example.test/Example-CA_CES_UsernamePassword/service.svc/CES\r\n",
                "1\n2\n0\nhttps://ca.example.test/Example-CA_CES_Kerberos/service.svc/CES\n3\n8\n1\nhttps://ca.example.test/Example-CA_CES_Certificate/service.svc/CES",
            ],
        )
        .with("flags", ["10"])
}

fn oid_entry(oid: &str, flags: &str, name: &str) -> Entry {
    Entry::new(format!("CN=1.{name},CN=OID,{CONFIG}"))
        .with("msPKI-Cert-Template-OID", [oid])
        .with("flags", [flags])
        .with("displayName", [name])
        .with("msPKI-OID-LocalizedName", [format!("1033,{name}")])
}

fn directory() -> Directory {
    Directory::from_entries(
        &[user_template(), web_server_v4()],
        &[ca_entry()],
        &[
            oid_entry("1.3.6.1.4.1.311.21.8.1.2.3.4.400", "2", "High Assurance"),
            oid_entry("1.3.6.1.4.1.311.21.8.1.2.3.4.401", "2", "RA Policy"),
        ],
    )
    .unwrap()
}

#[test]
fn the_user_template_maps_every_attribute() {
    let t = Template::from_entry(&user_template()).unwrap();
    assert_eq!(t.name, "User");
    assert_eq!(t.schema_version, 1);
    assert_eq!((t.revision, t.minor_revision), (3, 1));
    assert_eq!(t.validity_seconds, 365 * 86_400);
    assert_eq!(t.renewal_seconds, 42 * 86_400);
    assert_eq!(
        t.enrollment_flags,
        EnrollmentFlags::INCLUDE_SYMMETRIC_ALGORITHMS
            | EnrollmentFlags::PUBLISH_TO_DS
            | EnrollmentFlags::AUTO_ENROLLMENT
    );
    assert_eq!(t.private_key_flags, PrivateKeyFlags::EXPORTABLE_KEY);
    assert_eq!(
        t.subject_name_flags,
        SubjectNameFlags::SUBJECT_ALT_REQUIRE_UPN
            | SubjectNameFlags::SUBJECT_ALT_REQUIRE_EMAIL
            | SubjectNameFlags::SUBJECT_REQUIRE_EMAIL
            | SubjectNameFlags::SUBJECT_REQUIRE_DIRECTORY_PATH
    );
    assert!(
        t.general_flags
            .contains(GeneralFlags::IS_DEFAULT | GeneralFlags::AUTO_ENROLLMENT)
    );
    assert_eq!(t.key_spec, Some(KeySpec::AT_KEYEXCHANGE));
    assert_eq!(t.minimal_key_size, 2048);
    // Sorted by the number before the comma.
    assert_eq!(
        t.crypto_providers,
        [
            "Microsoft Enhanced Cryptographic Provider v1.0",
            "Microsoft Base Cryptographic Provider v1.0"
        ]
    );
    // Schema 1: the template-name extension (a BMPString), key usage
    // critical as pKICriticalExtensions says, then the EKUs.
    let ext = t.extensions().unwrap();
    let ids: Vec<&str> = ext.iter().map(|(o, _, _)| o.as_str()).collect();
    assert_eq!(
        ids,
        [TEMPLATE_NAME_EXTENSION, KEY_USAGE_EXTENSION, EKU_EXTENSION]
    );
    let name = der::asn1::BmpString::from_der(&ext[0].2).unwrap();
    assert_eq!(name.to_string(), "User");
    assert_eq!(
        ext[1],
        (
            KEY_USAGE_EXTENSION.to_owned(),
            true,
            vec![0x03, 0x02, 0x05, 0xa0]
        )
    );
    let eku = ExtendedKeyUsage::from_der(&ext[2].2).unwrap();
    assert_eq!(
        eku.0.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "1.3.6.1.4.1.311.10.3.4",
            "1.3.6.1.5.5.7.3.4",
            "1.3.6.1.5.5.7.3.2"
        ]
    );
}

#[test]
fn a_schema_4_template_brings_its_key_properties() {
    let t = Template::from_entry(&web_server_v4()).unwrap();
    assert_eq!(
        t.key_properties.asymmetric_algorithm.as_deref(),
        Some("RSA")
    );
    assert_eq!(t.key_properties.hash_algorithm.as_deref(), Some("SHA256"));
    assert_eq!(t.key_properties.key_usage, Some(0x00FF_FFFF));
    assert_eq!(t.key_properties.symmetric_key_length, Some(168));
    assert_eq!(t.ra_signatures, 1);
    assert!(t.ra_application_policies.is_empty());
    assert_eq!(t.supersedes, ["WebServer"]);
    let ids: Vec<String> = t.extensions().unwrap().into_iter().map(|e| e.0).collect();
    assert!(ids.contains(&TEMPLATE_INFO_EXTENSION.to_owned()), "{ids:?}");
    assert!(
        ids.contains(&CERTIFICATE_POLICIES_EXTENSION.to_owned()),
        "{ids:?}"
    );
}

fn written_and_read_back(answer: &GetPoliciesResponse) -> GetPoliciesResponse {
    let bytes = answer.to_xml().unwrap();
    let again = GetPoliciesResponse::from_xml(&bytes).unwrap();
    assert_eq!(&again, answer);
    if let Some(spec) = testkit::spec_dir() {
        let dir = testkit::tmp_dir("adcs-schema");
        let file = dir.join("policy.xml");
        std::fs::write(&file, &bytes).unwrap();
        if let Some(v) = testkit::xmllint_with(spec, "xcep/ms-xcep.xsd", &file) {
            assert!(
                v.is_clean_pass(),
                "{v:?}\n{}",
                String::from_utf8_lossy(&bytes)
            );
        }
    }
    again
}

#[test]
fn a_domain_user_gets_the_user_template_from_the_ca_that_offers_it() {
    let answer = directory()
        .policy(
            &[sid(1104), domain_users()],
            &PolicyOptions::new("{6A3A7C52-55B8-4F0E-9D3B-1E1A6A8B2C11}"),
        )
        .unwrap();
    let answer = written_and_read_back(&answer);
    let resolved = answer.resolve().unwrap();
    let names: Vec<&str> = resolved
        .templates()
        .iter()
        .map(xcep::ResolvedTemplate::name)
        .collect();
    assert_eq!(names, ["User"]);
    let user = resolved.template_by_name("User").unwrap();
    let attributes = user.attributes();
    let permission = attributes.permission.as_ref().unwrap();
    assert!(permission.enroll && !permission.auto_enroll);
    assert_eq!(user.oid().value, "1.3.6.1.4.1.311.21.8.1.2.3.4.1");
    assert_eq!(user.oid().group, OidGroup::EnrollmentObject);
    assert_eq!(user.cas().len(), 1);
    // The CES URLs in priority order, from msPKI-Enrollment-Servers.
    let uris: Vec<(u32, ClientAuthentication, bool)> = user.cas()[0]
        .uris
        .iter()
        .map(|u| {
            (
                u.priority.unwrap(),
                u.client_authentication,
                u.renewal_only.unwrap(),
            )
        })
        .collect();
    assert_eq!(
        uris,
        [
            (1, ClientAuthentication::KERBEROS, false),
            (2, ClientAuthentication::USERNAME_PASSWORD, false),
            (3, ClientAuthentication::CLIENT_CERTIFICATE, true),
        ]
    );
    // Every extension resolves to its OID.
    let ext: Vec<&str> = user
        .extensions()
        .iter()
        .map(|e| e.oid.value.as_str())
        .collect();
    assert_eq!(
        ext,
        [TEMPLATE_NAME_EXTENSION, KEY_USAGE_EXTENSION, EKU_EXTENSION]
    );
}

#[test]
fn a_domain_admin_also_gets_the_v4_template_with_auto_enroll() {
    let answer = directory()
        .policy(
            &[domain_admins(), domain_users()],
            &PolicyOptions::new("{6A3A7C52-55B8-4F0E-9D3B-1E1A6A8B2C11}"),
        )
        .unwrap();
    let answer = written_and_read_back(&answer);
    let resolved = answer.resolve().unwrap();
    let v4 = resolved.template_by_name("WebServerV4").unwrap();
    let p = v4.attributes().permission.as_ref().unwrap();
    assert!(p.enroll && p.auto_enroll);
    assert_eq!(v4.key_algorithm().unwrap().value, "1.2.840.113549.1.1.1");
    assert_eq!(v4.hash_algorithm().unwrap().value, "2.16.840.1.101.3.4.2.1");
    assert_eq!(v4.oid().default_name.as_deref(), Some("Web Server (v4)"));
    let ra: Vec<(&str, Option<&str>)> = v4
        .ra_issuance_policies()
        .iter()
        .map(|o| (o.value.as_str(), o.default_name.as_deref()))
        .collect();
    // Named from the msPKI-Enterprise-Oid object.
    assert_eq!(
        ra,
        [("1.3.6.1.4.1.311.21.8.1.2.3.4.401", Some("RA Policy"))]
    );
    assert_eq!(
        v4.key_archival_algorithm().map(|o| o.value.as_str()),
        None,
        "no archival without CT_FLAG_REQUIRE_PRIVATE_KEY_ARCHIVAL"
    );
}

#[test]
fn deny_before_allow_wins_and_child_only_aces_do_not_count() {
    let contractors = sid(1200);
    let other_right = Guid::from_u128(0x1131f6aa_9c07_11d1_f79f_00c04fc2dcd2);
    let sd = SecurityDescriptor::new(vec![
        Ace::new(
            AceKind::Deny,
            contractors.clone(),
            RIGHT_DS_CONTROL_ACCESS,
            Some(ENROLL),
        ),
        // Inherit-only: for child objects, not this template.
        Ace::new(AceKind::Allow, contractors.clone(), GENERIC_ALL, None).with_flags(0x08 | 0x02),
        // Another extended right grants neither.
        Ace::new(
            AceKind::Allow,
            contractors.clone(),
            RIGHT_DS_CONTROL_ACCESS,
            Some(other_right),
        ),
        Ace::new(
            AceKind::Allow,
            domain_users(),
            RIGHT_DS_CONTROL_ACCESS,
            Some(ENROLL),
        ),
        // An object ACE without an object type grants every extended right.
        Ace::new(
            AceKind::Allow,
            domain_admins(),
            RIGHT_DS_CONTROL_ACCESS,
            None,
        ),
    ]);
    let sd = SecurityDescriptor::from_bytes(&sd.to_bytes()).unwrap();
    let contractor = sd.rights(&[contractors.clone(), domain_users()]);
    assert!(!contractor.enroll && !contractor.auto_enroll);
    let user = sd.rights(&[sid(1104), domain_users()]);
    assert!(user.enroll && !user.auto_enroll);
    let admin = sd.rights(&[domain_admins()]);
    assert!(admin.enroll && admin.auto_enroll);
    // A NULL DACL protects nothing; an empty one grants nothing.
    let null = SecurityDescriptor::default();
    assert!(
        SecurityDescriptor::from_bytes(&null.to_bytes())
            .unwrap()
            .rights(&[])
            .enroll
    );
    let empty = SecurityDescriptor::new(Vec::new());
    assert!(
        !SecurityDescriptor::from_bytes(&empty.to_bytes())
            .unwrap()
            .rights(&[domain_admins()])
            .enroll
    );
}

#[test]
fn sids_and_guids_read_and_write_as_windows_spells_them() {
    let s: Sid = "S-1-5-32-544".parse().unwrap();
    assert_eq!(
        s.to_bytes(),
        [1, 2, 0, 0, 0, 0, 0, 5, 0x20, 0, 0, 0, 0x20, 2, 0, 0]
    );
    assert_eq!(
        Sid::from_bytes(&s.to_bytes()).unwrap().to_string(),
        "S-1-5-32-544"
    );
    assert_eq!(ENROLL.to_string(), "0e10c968-78fb-11d2-90d4-00c04f79dc55");
    assert_eq!(
        AUTO_ENROLL.to_string(),
        "a05b8cc2-17bc-4802-a710-e7c15ab866a2"
    );
    // The GUID's binary form: the first three fields little-endian.
    assert_eq!(ENROLL.to_bytes()[..4], [0x68, 0xc9, 0x10, 0x0e]);
    assert!("S-1-5-32-x".parse::<Sid>().is_err());
    assert!(Sid::from_bytes(&[1, 16, 0, 0, 0, 0, 0, 5]).is_err());
}

#[test]
fn every_truncation_of_a_security_descriptor_is_an_error() {
    let bytes = user_dacl().to_bytes();
    for n in 0..bytes.len() {
        let cut = &bytes[..n];
        // Never a panic; a prefix that still parses must be one whose
        // offsets all fit.
        if let Ok(sd) = SecurityDescriptor::from_bytes(cut) {
            panic!("{n} bytes read as {sd:?}");
        }
    }
    // An ACE count far beyond what the ACL holds.
    let mut hostile = bytes.clone();
    let dacl = u32::from_le_bytes(hostile[16..20].try_into().unwrap()) as usize;
    hostile[dacl + 4..dacl + 6].copy_from_slice(&u16::MAX.to_le_bytes());
    assert!(SecurityDescriptor::from_bytes(&hostile).is_err());
    // As an attribute, the error names the entry and attribute.
    let e = Template::from_entry(&user_template().with("nTSecurityDescriptor", [[1u8, 0, 4]]));
    // The first value is still the good one: a second value is ignored.
    assert!(e.is_ok());
    let bad = Entry::new("CN=Bad")
        .with("cn", ["Bad"])
        .with("nTSecurityDescriptor", [&bytes[..30]]);
    let err = Template::from_entry(&bad).unwrap_err();
    assert_eq!(
        (err.dn.as_str(), err.attribute),
        ("CN=Bad", "nTSecurityDescriptor")
    );
    assert!(
        matches!(err.kind, ErrorKind::SecurityDescriptor(_)),
        "{err}"
    );
}

#[test]
fn periods_and_integers_outside_their_syntax_are_named_errors() {
    assert_eq!(period::seconds(&SIX_WEEKS.to_le_bytes()), Some(42 * 86_400));
    assert_eq!(period::seconds(&period::to_filetime(3_600)), Some(3_600));
    assert_eq!(period::seconds(&864_000_000_000_i64.to_le_bytes()), None);
    assert_eq!(period::seconds(&[0xff; 7]), None);
    let bad = Entry::new("CN=T")
        .with("cn", ["T"])
        .with("pKIExpirationPeriod", [[0u8; 4]]);
    let err = Template::from_entry(&bad).unwrap_err();
    assert_eq!(err.attribute, "pKIExpirationPeriod");
    let bad = Entry::new("CN=T")
        .with("cn", ["T"])
        .with("msPKI-Enrollment-Flag", ["lots"]);
    assert_eq!(
        Template::from_entry(&bad).unwrap_err().attribute,
        "msPKI-Enrollment-Flag"
    );
    let bad = Entry::new("CN=T")
        .with("cn", ["T"])
        .with("pKIExtendedKeyUsage", ["serverAuth"]);
    assert_eq!(
        Template::from_entry(&bad).unwrap_err().attribute,
        "pKIExtendedKeyUsage"
    );
    let missing = Entry::new("CN=T");
    let err = Template::from_entry(&missing).unwrap_err();
    assert_eq!((err.attribute, err.kind), ("cn", ErrorKind::Missing));
    // Attribute names are compared without case, as LDAP does.
    let t = Template::from_entry(
        &Entry::new("CN=T")
            .with("CN", ["T"])
            .with("MSPKI-MINIMAL-KEY-SIZE", ["4096"]),
    )
    .unwrap();
    assert_eq!(t.minimal_key_size, 4096);
}

#[test]
fn enrollment_servers_come_in_groups_of_four_lines() {
    let servers =
        EnrollmentServer::parse_value("1\n2\n0\nhttps://a/CES\n2\n8\n1\nhttps://b/CES\n").unwrap();
    assert_eq!(servers.len(), 2);
    assert_eq!(
        servers[1].authentication,
        ClientAuthentication::CLIENT_CERTIFICATE
    );
    assert!(servers[1].renewal_only);
    assert!(EnrollmentServer::parse_value("1\n2\nhttps://a/CES").is_err());
    assert!(EnrollmentServer::parse_value("1\n2\n7\nhttps://a/CES").is_err());
    let ca = EnrollmentService::from_entry(&ca_entry()).unwrap();
    assert_eq!(ca.enrollment_servers.len(), 3);
    assert!(ca.offers("user"));
    let no_cert = Entry::new("CN=X").with("cn", ["X"]);
    assert_eq!(
        EnrollmentService::from_entry(&no_cert)
            .unwrap_err()
            .attribute,
        "cACertificate"
    );
}
