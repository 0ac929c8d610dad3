//! End-to-end tests of the typed MS-WSTEP / MS-MDE2 view of `cepces
//! inspect`, running the built binary: the spec examples (MS-WSTEP 4.1.1.1,
//! 4.1.1.2, 4.1.3.1, 4.1.4.2; MS-MDE2 4.1.1.1 and 4.1.2.1; skipped with a
//! message when `../shared/testdata/spec` is absent, an error in CI) and
//! the MS-WSTEP files of `testdata/messages/` show their values, a fault
//! detail's `ErrorCode` by HRESULT name, and a refused element its typed
//! error with exit status 2.

#![allow(clippy::unwrap_used, missing_docs)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

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

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .spawn()
        .expect("spawn cepces");
    if let Some(input) = stdin {
        let _ = child.stdin.take().unwrap().write_all(input);
    }
    child.wait_with_output().expect("wait for cepces")
}

/// Text and JSON of `path`, both with exit status 0.
fn inspect(path: &str) -> (String, Value) {
    let t = run(&["inspect", path], None);
    assert_eq!(
        t.status.code(),
        Some(0),
        "{path}: {}",
        String::from_utf8_lossy(&t.stderr)
    );
    let j = run(&["inspect", "--json", path], None);
    assert_eq!(j.status.code(), Some(0), "{path}");
    (
        String::from_utf8(t.stdout).unwrap(),
        serde_json::from_slice(&j.stdout).unwrap(),
    )
}

const X509V3: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";

#[test]
fn rst_issue_request_file() {
    let (t, j) = inspect(&message_path("rst-issue-request.xml"));
    let r = &j["payload"]["recognized"];
    assert_eq!(r["error"], Value::Null);
    assert_eq!(r["facts"]["token_type"], X509V3);
    let m = &r["model"];
    assert_eq!(m["request_kind"], "Issue");
    assert_eq!(m["preferred_language"], "en-US");
    assert_eq!(m["binary_security_token"]["kind"], "PKCS#10");
    assert_eq!(m["binary_security_token"]["decoded_bytes"], 223);
    assert_eq!(
        m["context_items"],
        json!([
            {"name": "ccm", "value": "ws01.corp.example.com"},
            {"name": "CertificateTemplate", "value": "WebServer"}
        ])
    );
    assert!(t.contains("request_kind: Issue"), "{t}");
    assert!(t.contains("kind: PKCS#10"), "{t}");
    assert!(t.contains("- name: CertificateTemplate"), "{t}");
    assert!(t.contains("value: WebServer"), "{t}");
}

#[test]
fn rst_issue_response_file() {
    let (t, j) = inspect(&message_path("rst-issue-response.xml"));
    let r = &j["payload"]["recognized"];
    assert_eq!(r["protocol"], "MS-WSTEP");
    let resp = &r["model"]["responses"][0];
    assert_eq!(resp["token_type"], X509V3);
    assert_eq!(resp["disposition_message"], "Issued");
    assert_eq!(resp["disposition_lang"], "en-US");
    assert_eq!(resp["request_id"], "58");
    assert_eq!(resp["response_token"]["kind"], "PKCS#7");
    assert_eq!(resp["response_token"]["decoded_bytes"], 471);
    assert_eq!(resp["issued_token"]["kind"], "X.509v3");
    assert_eq!(resp["issued_token"]["decoded_bytes"], 424);
    assert!(t.contains("disposition_message: Issued"), "{t}");
    assert!(t.contains("request_id: 58"), "{t}");
}

fn detail_of(j: &Value) -> &Value {
    &j["fault"]["detail"]["entries"][0]["recognized"]
}

#[test]
fn wstep_fault_file_names_the_error_code() {
    let (t, j) = inspect(&message_path("wstep-fault.xml"));
    let d = detail_of(&j);
    assert_eq!(d["facts"]["error_code"], "-2146875392 (0x80094800)");
    assert_eq!(
        d["model"]["hresult"],
        json!({"value": 0x8009_4800_u32, "name": "CERTSRV_E_UNSUPPORTED_CERT_TYPE"})
    );
    assert!(
        t.contains("hresult: CERTSRV_E_UNSUPPORTED_CERT_TYPE (0x80094800)"),
        "{t}"
    );
    assert!(t.contains("error_code: -2146875392 (0x80094800)"), "{t}");
}

#[test]
fn template_denied_fault_file() {
    let (t, j) = inspect(&message_path("wstep-fault-template-denied.xml"));
    let d = detail_of(&j);
    assert_eq!(d["facts"]["error_code"], "-2146877422 (0x80094012)");
    assert_eq!(d["facts"]["invalid_request"], "false");
    assert_eq!(d["facts"]["request_id"], "61");
    assert_eq!(d["model"]["hresult"]["name"], "CERTSRV_E_TEMPLATE_DENIED");
    assert!(
        d["model"]["hresult_message"]
            .as_str()
            .unwrap()
            .contains("do not allow the current user to enroll")
    );
    assert!(
        t.contains("hresult: CERTSRV_E_TEMPLATE_DENIED (0x80094012)"),
        "{t}"
    );
}

#[test]
fn spec_rst_and_query_token_status() {
    let Some(p) = spec_file("wstep/4.1.1.1-RST-issue-request.normalized.xml") else {
        return;
    };
    let (_, j) = inspect(&p);
    let r = &j["payload"]["recognized"];
    assert_eq!(r["model"]["request_kind"], "Issue");
    assert_eq!(r["model"]["binary_security_token"]["kind"], "PKCS#7");
    assert_eq!(r["model"]["binary_security_token"]["decoded_bytes"], 1040);

    let p = spec_file("wstep/4.1.3.1-RST-QueryTokenStatus-request.xml").unwrap();
    let (t, j) = inspect(&p);
    let r = &j["payload"]["recognized"];
    assert_eq!(r["model"]["request_kind"], "QueryTokenStatus");
    assert_eq!(r["facts"]["request_id"], "65");
    assert_eq!(r["model"]["binary_security_token"], Value::Null);
    assert!(t.contains("request_kind: QueryTokenStatus"), "{t}");
}

#[test]
fn spec_rstrc_issued() {
    let Some(p) = spec_file("wstep/4.1.1.2-RSTRC-issued.xml") else {
        return;
    };
    let (_, j) = inspect(&p);
    let resp = &j["payload"]["recognized"]["model"]["responses"][0];
    assert_eq!(resp["disposition_message"], "Issued");
    assert_eq!(resp["request_id"], "61");
    assert_eq!(resp["issued_token"]["decoded_bytes"], 1682);
    assert_eq!(resp["response_token"]["decoded_bytes"], 4504);
}

#[test]
fn spec_fault_without_enrollment_detail() {
    let Some(p) = spec_file("wstep/4.1.4.2-fault-response.normalized.xml") else {
        return;
    };
    let (t, j) = inspect(&p);
    assert_eq!(j["fault"]["code"], "Receiver");
    assert!(!t.contains("Recognized"), "{t}");
}

#[test]
fn spec_mde2_discover() {
    let Some(p) = spec_file("mde2/4.1.1.1-Discover-request-federated.xml") else {
        return;
    };
    let (t, j) = inspect(&p);
    let r = &j["payload"]["recognized"];
    assert_eq!(r["protocol"], "MS-MDE2");
    assert_eq!(r["message"], "Discover request");
    let m = &r["model"];
    assert_eq!(m["namespace"], "trailing-slash (erratum)");
    assert_eq!(m["email_address"], "user@contoso.com");
    assert_eq!(m["device_type"], "WindowsPhone");
    assert_eq!(m["application_version"], "10.0.0.0");
    assert_eq!(m["os_edition"], 3);
    assert_eq!(m["auth_policies"], json!(["Federated"]));
    assert!(t.contains("email_address: user@contoso.com"), "{t}");
    assert!(t.contains("request_version: 5.0"), "{t}");

    let p = spec_file("mde2/4.1.2.1-DiscoverResponse-federated.xml").unwrap();
    let (t, j) = inspect(&p);
    let m = &j["payload"]["recognized"]["model"];
    assert_eq!(m["auth_policy"], "Federated");
    assert_eq!(
        m["authentication_service_url"],
        "https://portal.manage.contoso.com/LoginRedirect.aspx"
    );
    assert!(t.contains("Recognized    MS-MDE2 Discover response"), "{t}");
}

#[test]
fn refused_element_shows_generic_reading_and_typed_error() {
    // A RequestSecurityToken without RequestType; and an ErrorCode that is
    // not an integer.
    let cases: [(&str, &str, &str); 2] = [
        (
            "<RequestSecurityToken xmlns='http://docs.oasis-open.org/ws-sx/ws-trust/200512'>\
             <TokenType>urn:x</TokenType></RequestSecurityToken>",
            "missing-element",
            "/RequestSecurityToken/RequestType",
        ),
        (
            "<DiscoverResponse xmlns='http://schemas.microsoft.com/windows/management/2012/01/enrollment'>\
             <DiscoverResult><AuthPolicy>Federated</AuthPolicy></DiscoverResult></DiscoverResponse>",
            "missing-element",
            "/DiscoverResponse/DiscoverResult/EnrollmentServiceUrl",
        ),
    ];
    for (xml, kind, path) in cases {
        let o = run(&["inspect", "-"], Some(xml.as_bytes()));
        assert_eq!(o.status.code(), Some(2), "{xml}");
        let out = String::from_utf8(o.stdout).unwrap();
        assert!(out.contains("Recognized"), "{out}");
        assert!(out.contains("Tree"), "{out}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(&format!("cepces: error [{kind}]")), "{err}");
        let o = run(&["inspect", "--json", "-"], Some(xml.as_bytes()));
        assert_eq!(o.status.code(), Some(2));
        let j: Value = serde_json::from_slice(&o.stdout).unwrap();
        let e = &j["payload"]["recognized"]["error"];
        assert_eq!(e["kind"], kind);
        assert_eq!(e["path"], path);
    }
}

#[test]
fn mde2_provisioning_document_is_decoded_under_any_spelling() {
    let path = message_path("mde2-rstrc-provisioning.xml");
    let (t, j) = inspect(&path);
    let token = &j["payload"]["recognized"]["model"]["responses"][0]["issued_token"];
    // The ValueType lacks MS-MDE2 4.3.2's `5.0.0.0` segment.
    assert_eq!(token["kind"], "provisioning document");
    let doc = &token["payload"];
    assert_eq!(doc["root"], "wap-provisioningdoc");
    assert_eq!(doc["version"], "1.1");
    assert_eq!(
        doc["parms"][3],
        json!({
            "characteristic": "APPLICATION",
            "name": "ADDR",
            "value": "https://mdm.contoso.com/omadm/WindowsPhone.ashx",
            "datatype": null
        })
    );
    assert_eq!(
        doc["parms"][0]["characteristic"],
        "CertificateStore/Root/System/031336C933CC7E228B88880D78824FB2909A0A2F"
    );
    assert!(t.contains("name: PROVIDER-ID"), "{t}");
    // Under a ValueType nobody knows, the XML content still tells.
    let other = std::fs::read_to_string(&path).unwrap().replace(
        "http://schemas.microsoft.com/ConfigurationManager/Enrollment/DeviceEnrollmentProvisionDoc",
        "urn:example:mdm:provisioning",
    );
    let out = run(&["inspect", "--json", "-"], Some(other.as_bytes()));
    assert_eq!(out.status.code(), Some(0));
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let token = &j["payload"]["recognized"]["model"]["responses"][0]["issued_token"];
    assert_eq!(token["kind"], Value::Null);
    assert_eq!(token["payload"]["found"], "provisioning document");
    assert_eq!(token["payload"]["parms"][1]["value"], "w7");
}

#[test]
fn pending_answer_shows_where_to_poll() {
    let (t, j) = inspect(&message_path("rstrc-pending.xml"));
    let resp = &j["payload"]["recognized"]["model"]["responses"][0];
    assert_eq!(resp["disposition_message"], "Taken Under Submission");
    assert_eq!(resp["request_id"], "63");
    assert_eq!(
        resp["token_reference"]["uri"],
        "https://ca.corp.example.com/Corp-CA_CES_UsernamePassword/service.svc/CES"
    );
    assert!(
        t.contains("uri: https://ca.corp.example.com/Corp-CA_CES_UsernamePassword/service.svc/CES"),
        "{t}"
    );
}
