//! The default templates, their DACLs and a CA made into the
//! GetPoliciesResponse of a caller; written, read back and validated.

#![allow(clippy::unwrap_used, clippy::too_many_lines, missing_docs)]

mod common;

use base64::Engine as _;
use cepces_adcs::security::Caller;
use cepces_adcs::{
    CertificateTemplate, EnrollmentService, EnterpriseOid, LdapEntry, PolicyBuilder,
};
use common::{
    MACHINE, OCSP_RESPONSE_SIGNING, USER, WEB_SERVER, ca_entry, domain, machine_dacl, template,
    user_dacl, web_server_dacl,
};
use xcep::flags::{ClientAuthentication, KeySpec, KeyUsageProperty, SubjectNameFlags};
use xcep::{EndpointFilter, GetPoliciesResponse, OidGroup};

const POLICY_ID: &str = "{6D2DA3C0-0E27-4E0B-8D6B-2F6C1A0B7B5E}";

fn builder() -> PolicyBuilder {
    let t = |cn, text, sd| CertificateTemplate::from_entry(&template(cn, text, sd)).unwrap();
    PolicyBuilder::new(POLICY_ID)
        .with_friendly_name("example.test enrollment policy")
        .with_next_update_hours(8)
        .with_template(t("User", USER, &user_dacl()))
        .with_template(t("Machine", MACHINE, &machine_dacl()))
        .with_template(t("WebServer", WEB_SERVER, &web_server_dacl()))
        .with_service(EnrollmentService::from_entry(&ca_entry()).unwrap())
}

fn user() -> Caller {
    Caller::new(domain(1104), [domain(513)])
}

fn decode(b64: &xcep::Base64Text) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(b64.as_str().split_whitespace().collect::<String>())
        .unwrap()
}

#[test]
fn a_domain_user_gets_the_user_template() {
    let (response, skipped) = builder().build(&user());
    let reasons: Vec<(&str, &str)> = skipped
        .iter()
        .map(|s| (s.dn.split(',').next().unwrap(), s.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("CN=Machine", "the caller may not enroll"),
            ("CN=WebServer", "the caller may not enroll")
        ]
    );
    let r = response.response.as_ref().unwrap();
    assert_eq!(r.policy_id.as_deref(), Some(POLICY_ID));
    assert_eq!(r.next_update_hours, Some(8));
    let policy = response.resolve().unwrap();
    assert_eq!(policy.templates().len(), 1);
    let t = policy.template_by_name("User").unwrap();
    assert_eq!(
        t.oid().value,
        "1.3.6.1.4.1.311.21.8.11034890.834619.12601478.16236816.7255827.176.1.1"
    );
    assert_eq!(t.oid().group, OidGroup::EnrollmentObject);
    assert_eq!(t.oid().default_name.as_deref(), Some("User"));
    let a = t.attributes();
    assert_eq!(a.policy_schema, 1);
    let v = a.certificate_validity.as_ref().unwrap();
    assert_eq!(
        (v.validity_period_seconds, v.renewal_period_seconds),
        (31_536_000, 3_628_800)
    );
    let p = a.permission.as_ref().unwrap();
    assert!(p.enroll && !p.auto_enroll);
    let k = &a.private_key_attributes;
    assert_eq!(k.minimal_key_length, 2048);
    assert_eq!(k.key_spec, Some(KeySpec::AT_KEYEXCHANGE));
    assert_eq!(
        k.crypto_providers.as_deref().unwrap(),
        [
            "Microsoft Enhanced Cryptographic Provider v1.0",
            "Microsoft Base Cryptographic Provider v1.0"
        ]
    );
    assert_eq!(k.algorithm_oid_reference, None); // schema 1: the CSP decides
    let rev = a.revision.as_ref().unwrap();
    assert_eq!((rev.major_revision, rev.minor_revision), (3, Some(1)));
    assert_eq!(a.subject_name_flags.unwrap().bits(), 0xA600_0000);
    assert_eq!(a.enrollment_flags.unwrap().bits(), 41);
    assert_eq!(a.general_flags.unwrap().bits(), 66_106);
    assert_eq!(a.private_key_flags.unwrap().bits(), 16);
    assert_eq!(a.ra_requirements, None);
    assert_eq!(a.hash_algorithm_oid_reference, None);

    // Extensions: template name (BMPString "User"), EKU, key usage (critical).
    let ext: Vec<(String, bool, Vec<u8>)> = t
        .extensions()
        .iter()
        .map(|e| {
            (
                e.oid.value.clone(),
                e.extension.critical.unwrap(),
                decode(e.extension.value.as_ref().unwrap()),
            )
        })
        .collect();
    assert_eq!(
        ext[0],
        (
            "1.3.6.1.4.1.311.20.2".into(),
            false,
            vec![0x1E, 8, 0, b'U', 0, b's', 0, b'e', 0, b'r']
        )
    );
    assert_eq!(ext[1].0, "2.5.29.37");
    assert!(!ext[1].1);
    assert_eq!(
        ext[1].2,
        [
            0x30, 0x20, 0x06, 0x0A, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x0A, 0x03, 0x04,
            0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x04, 0x06, 0x08, 0x2B, 0x06,
            0x01, 0x05, 0x05, 0x07, 0x03, 0x02
        ]
    );
    assert_eq!(
        ext[2],
        ("2.5.29.15".into(), true, vec![0x03, 0x02, 0x05, 0xA0])
    );
    assert_eq!(ext.len(), 3);

    // The CA, its endpoints by priority.
    assert_eq!(t.cas().len(), 1);
    let kerberos: Vec<&str> = t
        .endpoints(
            &EndpointFilter::enrollment().with_authentication(ClientAuthentication::KERBEROS),
        )
        .iter()
        .map(|e| e.uri.uri.as_str())
        .collect();
    assert_eq!(
        kerberos,
        ["https://ca.example.test/example-CA_CES_Kerberos/service.svc/CES"]
    );
    let ca = &response.cas.as_ref().unwrap()[0];
    assert!(ca.enroll_permission);
    assert_eq!(ca.uris.len(), 3);
    assert_eq!(ca.uris[2].renewal_only, Some(true));
}

#[test]
fn a_computer_gets_machine_with_autoenroll_and_an_admin_gets_all() {
    let computer = Caller::new(domain(1201), [domain(515)]);
    let (response, _) = builder().build(&computer);
    let policy = response.resolve().unwrap();
    let names: Vec<&str> = policy
        .templates()
        .iter()
        .filter_map(xcep::ResolvedTemplate::common_name)
        .collect();
    assert_eq!(names, ["Machine"]);
    let a = policy.template_by_name("Machine").unwrap().attributes();
    let p = a.permission.as_ref().unwrap();
    assert!(p.enroll && p.auto_enroll);
    assert_eq!(
        a.subject_name_flags.unwrap(),
        SubjectNameFlags::SUBJECT_REQUIRE_DNS_AS_CN | SubjectNameFlags::SUBJECT_ALT_REQUIRE_DNS
    );

    let admin = Caller::new(domain(500), [domain(512), domain(513), domain(519)]);
    let (response, skipped) = builder().build(&admin);
    // The admins' full control on Machine lacks CR: no Enroll there.
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0].dn.starts_with("CN=Machine,"));
    let policy = response.resolve().unwrap();
    let names: Vec<&str> = policy
        .templates()
        .iter()
        .filter_map(xcep::ResolvedTemplate::common_name)
        .collect();
    assert_eq!(names, ["User", "WebServer"]);
    // The two templates share the extension OIDs: each is listed once.
    let oids = response.oids.as_ref().unwrap();
    let eku = oids.iter().filter(|o| o.value == "2.5.29.37").count();
    assert_eq!(eku, 1);
    let ids: std::collections::BTreeSet<i32> = oids.iter().map(|o| o.oid_reference_id).collect();
    assert_eq!(ids.len(), oids.len());
}

#[test]
fn schema_3_templates_reference_their_algorithms() {
    let ocsp = template("OCSPResponseSigning", OCSP_RESPONSE_SIGNING, &user_dacl());
    let ent = LdapEntry::new(
        "CN=32.1A,CN=OID,CN=Public Key Services,CN=Services,CN=Configuration,DC=example,DC=test",
    )
    .with_attribute(
        "msPKI-Cert-Template-OID",
        ["1.3.6.1.4.1.311.21.8.11034890.834619.12601478.16236816.7255827.176.1.32"],
    )
    .with_attribute("flags", ["1"])
    .with_attribute("displayName", ["OCSP Response Signing"]);
    let (response, skipped) = PolicyBuilder::new(POLICY_ID)
        .with_template(CertificateTemplate::from_entry(&ocsp).unwrap())
        .with_oid(EnterpriseOid::from_entry(&ent).unwrap().unwrap())
        .build(&user());
    assert_eq!(skipped, []);
    let policy = response.resolve().unwrap();
    let t = policy.template_by_name("OCSPResponseSigning").unwrap();
    assert_eq!(
        t.oid().default_name.as_deref(),
        Some("OCSP Response Signing")
    );
    assert_eq!(t.key_algorithm().unwrap().value, "1.2.840.113549.1.1.1");
    assert_eq!(t.key_algorithm().unwrap().group, OidGroup::PublicKey);
    assert_eq!(t.hash_algorithm().unwrap().value, "1.3.14.3.2.26");
    let k = &t.attributes().private_key_attributes;
    assert_eq!(k.key_usage_property, Some(KeyUsageProperty::SIGN));
    assert!(
        k.permissions
            .as_deref()
            .unwrap()
            .starts_with("D:(A;;FA;;;BA)")
    );
    assert_eq!(k.crypto_providers, None);
    // Schema 2+: template information, not the name.
    let ext = t.extensions();
    assert_eq!(ext[0].oid.value, "1.3.6.1.4.1.311.21.7");
    let info = decode(ext[0].extension.value.as_ref().unwrap());
    assert_eq!(info[0], 0x30);
    assert!(
        info.ends_with(&[0x02, 0x01, 101, 0x02, 0x01, 0x00]),
        "{info:02x?}"
    );
    let values: Vec<&str> = ext.iter().map(|e| e.oid.value.as_str()).collect();
    assert_eq!(
        values,
        [
            "1.3.6.1.4.1.311.21.7",
            "2.5.29.37",
            "2.5.29.15",
            "1.3.6.1.4.1.311.21.10"
        ]
    );
    // No CA given: cAs nil.
    assert!(t.cas().is_empty());
}

#[test]
fn written_and_read_back_it_is_equal_and_valid() {
    let admin = Caller::new(domain(500), [domain(512), domain(513), domain(519)]);
    let (response, _) = builder().build(&admin);
    let xml = response.to_xml().unwrap();
    let back = GetPoliciesResponse::from_xml(&xml).unwrap();
    assert_eq!(back, response);
    let Some(spec) = testkit::spec_dir() else {
        return;
    };
    let Some(v) = testkit::validate_bytes(spec, "xcep/ms-xcep.xsd", "adcs-policy.xml", &xml) else {
        return;
    };
    assert!(
        v.is_clean_pass(),
        "{:#?}\n{}",
        v.messages,
        String::from_utf8_lossy(&xml)
    );
}

#[test]
fn ca_templates_ra_signatures_and_key_archival() {
    let t = |cn, text: &str| {
        CertificateTemplate::from_entry(&template(cn, text, &user_dacl())).unwrap()
    };
    // The User template with CT_FLAG_REQUIRE_PRIVATE_KEY_ARCHIVAL (0x1) added.
    let archival = USER.replace("msPKI-Private-Key-Flag: 16;", "msPKI-Private-Key-Flag: 17;");
    let (response, skipped) = PolicyBuilder::new(POLICY_ID)
        .with_template(t("SubCA", common::SUB_CA))
        .with_template(t("CrossCA", common::CROSS_CA))
        .with_template(t("User", &archival))
        .build(&user());
    assert_eq!(skipped, []);
    let policy = response.resolve().unwrap();

    // SubCA: key usage 0x86 and basic constraints cA, no path length (-1), both critical.
    let sub = policy.template_by_name("SubCA").unwrap();
    let ext: Vec<(&str, bool, Vec<u8>)> = sub
        .extensions()
        .iter()
        .map(|e| {
            (
                e.oid.value.as_str(),
                e.extension.critical.unwrap(),
                decode(e.extension.value.as_ref().unwrap()),
            )
        })
        .collect();
    assert_eq!(ext[1], ("2.5.29.15", true, vec![0x03, 0x02, 0x01, 0x86]));
    assert_eq!(
        ext[2],
        ("2.5.29.19", true, vec![0x30, 0x03, 0x01, 0x01, 0xFF])
    );
    assert_eq!(ext.len(), 3); // template name, key usage, basic constraints
    assert_eq!(
        sub.attributes().private_key_attributes.key_spec,
        Some(KeySpec::AT_SIGNATURE)
    );
    assert_eq!(
        sub.attributes()
            .certificate_validity
            .as_ref()
            .unwrap()
            .validity_period_seconds,
        5 * 31_536_000
    );

    // CrossCA: one RA signature with the Qualified Subordination EKU.
    let cross = policy.template_by_name("CrossCA").unwrap();
    let ra = cross.attributes().ra_requirements.as_ref().unwrap();
    assert_eq!(ra.ra_signatures, 1);
    let eku = response.find_oid(ra.ra_ekus.as_ref().unwrap()[0]).unwrap();
    assert_eq!(
        (eku.value.as_str(), eku.group),
        ("1.3.6.1.4.1.311.10.3.10", OidGroup::ExtendedKeyUsage)
    );
    assert_eq!(ra.ra_policies, None);
    let values: Vec<&str> = cross
        .extensions()
        .iter()
        .map(|e| e.oid.value.as_str())
        .collect();
    assert_eq!(values, ["1.3.6.1.4.1.311.21.7", "2.5.29.15", "2.5.29.19"]);

    // Key archival: 3DES, 168 bits, unless the template names another.
    let user = policy.template_by_name("User").unwrap();
    let k = user.attributes().key_archival_attributes.as_ref().unwrap();
    assert_eq!(k.symmetric_algorithm_key_length, 168);
    let alg = response
        .find_oid(k.symmetric_algorithm_oid_reference)
        .unwrap();
    assert_eq!(
        (alg.value.as_str(), alg.group),
        ("1.2.840.113549.3.7", OidGroup::EncryptionAlgorithm)
    );
    assert!(
        policy
            .template_by_name("CrossCA")
            .unwrap()
            .attributes()
            .key_archival_attributes
            .is_none()
    );
}

#[test]
fn the_ca_descriptor_decides_enroll_permission() {
    use cepces_adcs::security::{Ace, Acl, ENROLL, SecurityDescriptor, rights};
    // Enroll on the CA for Domain Computers only.
    let ca_sd = SecurityDescriptor::new(
        None,
        None,
        Acl::new(vec![Ace::new(
            false,
            rights::CONTROL_ACCESS,
            Some(ENROLL),
            domain(515),
        )]),
    );
    let ca = ca_entry().with_attribute("nTSecurityDescriptor", [ca_sd.to_bytes()]);
    let builder = PolicyBuilder::new(POLICY_ID)
        .with_template(
            CertificateTemplate::from_entry(&template("User", USER, &user_dacl())).unwrap(),
        )
        .with_service(EnrollmentService::from_entry(&ca).unwrap());
    let (response, _) = builder.build(&user());
    assert!(!response.cas.as_ref().unwrap()[0].enroll_permission);
    let computer = Caller::new(domain(1201), [domain(513), domain(515)]);
    let (response, _) = builder.build(&computer);
    assert!(response.cas.as_ref().unwrap()[0].enroll_permission);
    // A CA without a certificate or without endpoints is left out, and said so.
    let no_cert = LdapEntry::new("CN=bare,CN=Enrollment Services").with_attribute("cn", ["bare"]);
    let no_uri = LdapEntry::new("CN=nouri,CN=Enrollment Services")
        .with_attribute("cn", ["nouri"])
        .with_attribute("cACertificate", [vec![0x30, 0x00]]);
    let (response, skipped) = PolicyBuilder::new(POLICY_ID)
        .with_service(EnrollmentService::from_entry(&no_cert).unwrap())
        .with_service(EnrollmentService::from_entry(&no_uri).unwrap())
        .build(&user());
    assert_eq!(response.cas, None);
    let reasons: Vec<&str> = skipped.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(
        reasons,
        ["no cACertificate", "no msPKI-Enrollment-Servers endpoint"]
    );
}
