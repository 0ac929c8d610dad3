//! End-to-end tests of the decoded DER payloads that `cepces inspect` shows
//! for MS-WSTEP `BinarySecurityToken`s, running the built binary:
//!
//! - the spec examples (MS-WSTEP 4.1.1.1: a PKCS#10 labelled PKCS7;
//!   4.1.1.2: the issued certificate and its chain; 4.1.5.1: a renewal
//!   signed by abby's certificate), skipped with a message when
//!   `../shared/testdata/spec` is absent, an error in CI;
//! - `testdata/messages/rst-issue-request.xml` (an EC P-256 PKCS#10);
//! - the `rst-bad-*-token.xml` files: a token that does not decode is shown
//!   with its typed error (`base64`, `der` with der's position) and the
//!   token's element path, after the rest of the report, and `inspect`
//!   exits 2.

#![allow(clippy::unwrap_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_cepces");

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn message_path(name: &str) -> String {
    let p = workspace_root().join("testdata/messages").join(name);
    p.to_str().unwrap().to_owned()
}

/// `<workspace root>/../shared/testdata/spec/<rel>`, or `None` (after
/// saying so) when the spec folder is absent; panics then in CI.
fn spec_file(rel: &str) -> Option<String> {
    let dir = workspace_root().join("../shared/testdata/spec");
    if !dir.is_dir() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{} not found; the spec examples are required in CI",
            dir.display()
        );
        eprintln!("skipped: ../shared/testdata/spec not found");
        return None;
    }
    let path = dir.join(rel);
    assert!(path.is_file(), "{} missing", path.display());
    Some(path.to_str().unwrap().to_owned())
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run cepces")
}

/// Text and JSON of `path`, both with exit status `code`.
fn inspect(path: &str, code: i32) -> (String, Value, String) {
    let t = run(&["inspect", path]);
    let err = String::from_utf8_lossy(&t.stderr).into_owned();
    assert_eq!(t.status.code(), Some(code), "{path}: {err}");
    assert!(!err.contains("panicked"), "{path}: {err}");
    let j = run(&["inspect", "--json", path]);
    assert_eq!(j.status.code(), Some(code), "{path}");
    (
        String::from_utf8(t.stdout).unwrap(),
        serde_json::from_slice(&j.stdout).unwrap(),
        err,
    )
}

fn model(j: &Value) -> &Value {
    &j["payload"]["recognized"]["model"]
}

#[test]
fn spec_4_1_1_1_pkcs10_labelled_pkcs7() {
    let Some(p) = spec_file("wstep/4.1.1.1-RST-issue-request.normalized.xml") else {
        return;
    };
    let (text, j, _) = inspect(&p, 0);
    let token = &model(&j)["binary_security_token"];
    assert_eq!(token["kind"], "PKCS#7");
    let payload = &token["payload"];
    assert_eq!(payload["found"], "PKCS#10");
    assert_eq!(payload["note"], "declared PKCS#7, content is PKCS#10");
    let req = &payload["request"];
    assert_eq!(req["subject"], "");
    assert_eq!(req["lenient_subject"], false);
    assert_eq!(req["key_algorithm"], "RSA");
    assert_eq!(req["key_bits"], 2048);
    assert_eq!(req["signature"]["valid"], true);
    assert_eq!(req["template"]["name"], "User");
    assert!(
        text.contains("note: declared PKCS#7, content is PKCS#10"),
        "{text}"
    );
    assert!(text.contains("key_bits: 2048"), "{text}");
    assert!(j["payload"]["recognized"]["error"].is_null());
}

#[test]
fn spec_4_1_1_2_issued_certificate() {
    let Some(p) = spec_file("wstep/4.1.1.2-RSTRC-issued.normalized.xml") else {
        return;
    };
    let (text, j, _) = inspect(&p, 0);
    let r = &model(&j)["responses"][0];
    assert_eq!(r["disposition_message"].as_str().unwrap().trim(), "Issued");
    let issued = &r["issued_token"]["payload"];
    assert_eq!(issued["found"], "X.509v3");
    assert!(issued["note"].is_null());
    let cert = &issued["certificate"];
    assert!(
        cert["subject"].as_str().unwrap().contains("CN=abby"),
        "{cert}"
    );
    assert_eq!(cert["issuer"], "CN=FB_EntSubCA,OU=Microsoft PKI Team");
    assert_eq!(cert["serial"], "18D9D5D300000000003D");
    assert_eq!(cert["not_before"], "2009-03-05T18:25:45Z");
    assert_eq!(cert["not_after"], "2010-03-05T18:25:45Z");
    assert_eq!(cert["template"]["name"], "User");
    // The PKCS#7 response: the chain, the issued certificate last.
    let chain = &r["response_token"]["payload"];
    assert_eq!(chain["found"], "PKCS#7");
    let certs = chain["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 3);
    assert_eq!(certs[2]["serial"], "18D9D5D300000000003D");
    assert_eq!(chain["content"], "CMC response");
    assert!(text.contains("serial: 18D9D5D300000000003D"), "{text}");
}

#[test]
fn spec_4_1_5_1_renewal_signer() {
    let Some(p) = spec_file("wstep/4.1.5.1-RST-renewal-request.normalized.xml") else {
        return;
    };
    let (_, j, _) = inspect(&p, 0);
    let payload = &model(&j)["binary_security_token"]["payload"];
    assert_eq!(payload["found"], "PKCS#7");
    let signer = &payload["signer"];
    assert!(
        signer["subject"].as_str().unwrap().contains("CN=abby"),
        "{signer}"
    );
    assert_eq!(signer["issuer"], "CN=FB_EntSubCA,OU=Microsoft PKI Team");
    assert_eq!(payload["signer_signature"]["valid"], true);
    assert_eq!(payload["content"], "PKCS#10");
    assert_eq!(payload["request"]["key_bits"], 2048);
    assert_eq!(payload["request"]["signature"]["valid"], true);
}

#[test]
fn rst_issue_request_ec_csr() {
    let (_, j, _) = inspect(&message_path("rst-issue-request.xml"), 0);
    let payload = &model(&j)["binary_security_token"]["payload"];
    assert_eq!(payload["found"], "PKCS#10");
    assert!(payload["note"].is_null());
    let req = &payload["request"];
    assert_eq!(req["subject"], "CN=ws01.corp.example.com");
    assert_eq!(req["key_algorithm"], "EC P-256");
    assert_eq!(req["key_bits"], 256);
    assert_eq!(req["signature"]["valid"], true);
}

/// A bad token: the report is printed (header, token facts), the typed
/// error is in it and on standard error with the token's path, exit 2.
fn bad_token(file: &str, kind: &str) -> Value {
    const PATH: &str = "/Envelope/Body/RequestSecurityToken/BinarySecurityToken";
    let (text, j, err) = inspect(&message_path(file), 2);
    // Everything else is printed first.
    assert!(text.starts_with("Message"), "{text}");
    assert!(text.contains("Header"), "{text}");
    assert!(text.contains("request_kind: Issue"), "{text}");
    assert!(text.contains("name: CertificateTemplate"), "{text}");
    assert!(text.contains(&format!("kind: {kind}")), "{text}");
    assert!(
        err.contains(&format!("cepces: error [{kind}]")) && err.contains(PATH),
        "{err}"
    );
    let e = &j["payload"]["recognized"]["error"];
    assert_eq!(e["kind"], kind);
    assert_eq!(e["path"], PATH);
    assert!(j["header"]["action"]["value"].is_string(), "{j}");
    let m = model(&j);
    assert_eq!(m["request_kind"], "Issue");
    let payload = &m["binary_security_token"]["payload"];
    assert!(payload["found"].is_null());
    assert_eq!(payload["error"]["kind"], kind);
    payload["error"].clone()
}

#[test]
fn bad_base64_token_exits_2() {
    let e = bad_token("rst-bad-base64-token.xml", "base64");
    assert!(e["der_position"].is_null());
}

#[test]
fn garbage_der_token_exits_2() {
    let e = bad_token("rst-bad-garbage-der-token.xml", "der");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("CertificationRequest is not valid DER"),
        "{e}"
    );
}

#[test]
fn truncated_der_token_exits_2_with_position() {
    let e = bad_token("rst-bad-truncated-der-token.xml", "der");
    assert_eq!(e["der_position"], 3);
    assert!(e["message"].as_str().unwrap().contains("incomplete"), "{e}");
}
