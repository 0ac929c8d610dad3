//! `cepces serve` with its CA key in a token (SoftHSM2, through its
//! PKCS#11 module): the key is generated in the token on the first start,
//! every certificate is signed there, a restart finds it again, and no
//! file of the state directory holds it. A wrong PIN stops the start.
#![cfg(feature = "pkcs11")]
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::ffi::OsStr;
use std::process::Command;

use common::{PASSWORD, Server, openssl_verify, read_cert, stderr};
use testkit::softhsm::SoftHsm;

/// The test configuration with `[ca.pkcs11]` for `hsm`, the PIN in
/// `pin_file`.
fn config(hsm: &SoftHsm, pin_file: &std::path::Path) -> String {
    format!(
        "{}\n[ca.pkcs11]\nmodule = \"{}\"\ntoken = \"{}\"\nkey_label = \"cepces CA key\"\npin_file = \"{}\"\n",
        common::config(),
        hsm.module().display(),
        hsm.label,
        pin_file.display()
    )
}

fn launch(dir: tempfile::TempDir, hsm: &SoftHsm) -> Server {
    let config = dir.path().join("cepces.toml");
    let conf = hsm.conf();
    Server::launch_with_env(
        dir,
        &["--config".as_ref(), config.as_os_str()],
        &[("SOFTHSM2_CONF", conf.as_os_str())],
    )
}

#[test]
fn the_ca_key_is_generated_and_used_in_the_token() {
    testkit::openssl_or_skip!();
    let Some(hsm) = SoftHsm::new("cepces-test", "4711") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pin_file = dir.path().join("pin");
    std::fs::write(&pin_file, "4711\n").unwrap();
    std::fs::write(dir.path().join("cepces.toml"), config(&hsm, &pin_file)).unwrap();
    let before = hsm.object_files().len();
    let server = launch(dir, &hsm);
    // The key pair was made in the token; no CA key file exists.
    assert!(
        hsm.object_files().len() >= before + 2,
        "{:?}",
        hsm.object_files()
    );
    assert!(!server.ca_dir().join("ca-key.pem").exists());
    let ca = read_cert(&server.ca_file());
    assert_eq!(ca.tbs_certificate.subject.to_string(), "CN=cepces Test CA");
    // The CA certificate is self-signed by the token's key, and what it
    // issues verifies under it.
    openssl_verify(&server.ca_file(), &server.ca_file());
    let out = server.enroll("alice", PASSWORD, "User", "first", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    openssl_verify(&server.ca_file(), &server.path("first-cert.pem"));
    // The only private key in the state directory is the TLS server's.
    for entry in std::fs::read_dir(server.ca_dir()).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read(&path).unwrap_or_default();
        let holds_key = text.windows(11).any(|w| w == b"PRIVATE KEY");
        assert_eq!(
            holds_key,
            path.file_name() == Some(OsStr::new("tls-key.pem")),
            "{}",
            path.display()
        );
    }

    // A restart finds the key in the token again: the same CA.
    let dir = server.stop();
    let objects = hsm.object_files().len();
    let server = launch(dir, &hsm);
    assert_eq!(hsm.object_files().len(), objects);
    assert_eq!(read_cert(&server.ca_file()), ca);
    let out = server.enroll("bob", common::BOB_PASSWORD, "User", "second", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    openssl_verify(&server.ca_file(), &server.path("second-cert.pem"));
    let second = read_cert(&server.path("second-cert.pem"));
    assert_eq!(second.tbs_certificate.issuer, ca.tbs_certificate.subject);

    // A wrong PIN stops the start with the token's error.
    let dir = server.stop();
    std::fs::write(&pin_file, "1234\n").unwrap();
    let config = dir.path().join("cepces.toml");
    let out = Command::new(common::BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--dir"])
        .arg(dir.path().join("ca"))
        .arg("--config")
        .arg(&config)
        .env("SOFTHSM2_CONF", hsm.conf())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("logging in"), "{}", stderr(&out));
}
