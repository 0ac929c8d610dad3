//! The template extension of an issued certificate, as AD CS writes it: a
//! version 1 template by name (`1.3.6.1.4.1.311.20.2`, a BMPString), a
//! later one by OID and revision (`1.3.6.1.4.1.311.21.7`).
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use cepces_server::{Config, PasswordAccounts};
use der::Decode;
use x509_cert::Certificate;

fn extension<'c>(cert: &'c Certificate, oid: &str) -> Option<&'c [u8]> {
    cert.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id.to_string() == oid)
        .map(|e| e.extn_value.as_bytes())
}

#[test]
fn version_one_templates_are_named_later_ones_identified() {
    testkit::openssl_or_skip!();
    let config = Config::from_toml(
        "[ca]\ncommon_name = \"Example CA\"\n\
         [[template]]\nname = \"Machine\"\nschema = 1\nsubject = \"request\"\nekus = [\"1.3.6.1.5.5.7.3.1\"]\n\
         [[template]]\nname = \"Web\"\noid = \"1.3.6.1.4.1.311.21.8.99.1\"\nmajor_revision = 7\nsubject = \"request\"\nekus = [\"1.3.6.1.5.5.7.3.1\"]\n",
    )
    .unwrap();
    let now = 1_800_000_000;
    let accounts = PasswordAccounts::new(config.users.clone(), 1);
    let server = common::server(&config, Box::new(config.clone()), accounts, now);
    let dir = testkit::tmp_dir("template-extension");
    let der = testkit::csr(
        &dir,
        &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        "/CN=web.example.com",
        &[],
    );
    let csr = wstep::payload::Csr::from_der(&der).unwrap();

    let v1 = server
        .certificate_for(&csr, "Machine", "alice", now, now + 86_400)
        .unwrap();
    let name = extension(&v1, "1.3.6.1.4.1.311.20.2").unwrap();
    let name = der::asn1::BmpString::from_der(name).unwrap();
    assert_eq!(name.to_string(), "Machine");
    assert!(extension(&v1, "1.3.6.1.4.1.311.21.7").is_none());

    let v2 = server
        .certificate_for(&csr, "Web", "alice", now, now + 86_400)
        .unwrap();
    assert!(extension(&v2, "1.3.6.1.4.1.311.20.2").is_none());
    let info = extension(&v2, "1.3.6.1.4.1.311.21.7").unwrap();
    let info = wstep::payload::TemplateInfo::from_der(info).unwrap();
    assert_eq!(info.template_id.to_string(), "1.3.6.1.4.1.311.21.8.99.1");
    assert_eq!(info.major_version, Some(7));
}
