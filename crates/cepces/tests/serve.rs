//! `cepces serve` and `cepces enroll` / `renew` / `approve` / `deny` over
//! real HTTPS on loopback: issued, pending then approved, denied (each
//! cause by its HRESULT), renewal, and spec example bodies posted with
//! curl whose answers validate against the official schemas. Every issued
//! certificate is checked field by field and with `openssl verify`.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::process::Command;
use std::time::Duration;

use common::{
    BIN, PASSWORD, SOAP12, Server, fault_of, issue_rst, openssl_verify, read_cert, rst_envelope,
    serial_of, stderr, stdout,
};
use der::{Decode, Encode};
use soap_envelope::Envelope;
use wstep::hresult::HResult;
use wstep::payload::TemplateInfo;
use wstep::{
    AdditionalContext, CertificateEnrollmentWsDetail, RequestId, RequestSecurityToken, RequestType,
    ValueKind, WstepMessage, actions, context_items,
};
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{ExtendedKeyUsage, SubjectAltName};

const DAY: u64 = 86_400;

fn tools_or_skip() -> bool {
    testkit::openssl_available()
}

fn validity_days(cert: &Certificate) -> u64 {
    let v = &cert.tbs_certificate.validity;
    v.not_after
        .to_unix_duration()
        .checked_sub(v.not_before.to_unix_duration())
        .unwrap()
        .as_secs()
        / DAY
}

fn extension<'a>(cert: &'a Certificate, oid: &str) -> &'a x509_cert::ext::Extension {
    cert.tbs_certificate
        .extensions
        .as_ref()
        .unwrap()
        .iter()
        .find(|e| e.extn_id.to_string() == oid)
        .unwrap_or_else(|| panic!("no extension {oid}"))
}

fn template_info(cert: &Certificate) -> TemplateInfo {
    TemplateInfo::from_der(
        extension(cert, "1.3.6.1.4.1.311.21.7")
            .extn_value
            .as_bytes(),
    )
    .unwrap()
}

fn ekus(cert: &Certificate) -> Vec<String> {
    ExtendedKeyUsage::from_der(extension(cert, "2.5.29.37").extn_value.as_bytes())
        .unwrap()
        .0
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn issued_id(out: &std::process::Output) -> i64 {
    let text = stdout(out);
    assert!(out.status.success(), "enroll failed: {text}{}", stderr(out));
    text.trim()
        .strip_prefix("issued ")
        .unwrap_or_else(|| panic!("not issued: {text}"))
        .parse()
        .unwrap()
}

#[test]
fn issued_user_certificate_has_the_templates_fields() {
    if !tools_or_skip() {
        return;
    }
    let server = Server::start();
    let out = server.enroll("alice", PASSWORD, "User", "user", &[]);
    let id = issued_id(&out);
    assert!(id >= 1);
    let cert_path = server.path("user-cert.pem");
    let cert = read_cert(&cert_path);
    let ca = read_cert(&server.ca_file());
    // subject = "directory": CN is the authenticated user.
    assert_eq!(cert.tbs_certificate.subject.to_string(), "CN=alice");
    assert_eq!(cert.tbs_certificate.issuer, ca.tbs_certificate.subject);
    assert_eq!(validity_days(&cert), 30);
    let info = template_info(&cert);
    assert_eq!(
        info.template_id.to_string(),
        "1.3.6.1.4.1.311.21.8.4242.1.1"
    );
    assert_eq!(
        (info.major_version, info.minor_version),
        (Some(100), Some(0))
    );
    assert_eq!(ekus(&cert), ["1.3.6.1.5.5.7.3.2"]);
    openssl_verify(&server.ca_file(), &cert_path);
    // The key written is the certificate's, and only its owner reads it.
    let key_path = server.path("user-key.pem");
    let spki = Command::new("openssl")
        .args(["pkey", "-pubout", "-outform", "DER", "-in"])
        .arg(&key_path)
        .output()
        .unwrap();
    assert_eq!(
        spki.stdout,
        cert.tbs_certificate
            .subject_public_key_info
            .to_der()
            .unwrap()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "key mode {mode:o}");
    }
}

#[test]
fn issued_web_certificate_keeps_the_requested_subject_and_alt_name() {
    if !tools_or_skip() {
        return;
    }
    let server = Server::start();
    let out = server.enroll(
        "bob",
        common::BOB_PASSWORD,
        "1.3.6.1.4.1.311.21.8.99.1",
        "web",
        &[
            "--subject",
            "CN=web.example.com,O=Example",
            "--dns",
            "web.example.com",
            "--key-bits",
            "3072",
        ],
    );
    issued_id(&out);
    let cert = read_cert(&server.path("web-cert.pem"));
    assert_eq!(
        cert.tbs_certificate.subject.to_string(),
        "CN=web.example.com,O=Example"
    );
    assert_eq!(validity_days(&cert), 90);
    let info = template_info(&cert);
    assert_eq!(info.template_id.to_string(), "1.3.6.1.4.1.311.21.8.99.1");
    assert_eq!((info.major_version, info.minor_version), (Some(7), Some(2)));
    assert_eq!(ekus(&cert), ["1.3.6.1.5.5.7.3.1"]);
    let san =
        SubjectAltName::from_der(extension(&cert, "2.5.29.17").extn_value.as_bytes()).unwrap();
    assert!(matches!(&san.0[..], [GeneralName::DnsName(d)] if d.as_str() == "web.example.com"));
    let bits = wstep::payload::KeyInfo::from_spki(&cert.tbs_certificate.subject_public_key_info)
        .unwrap()
        .bits();
    assert_eq!(bits, Some(3072));
    openssl_verify(&server.ca_file(), &server.path("web-cert.pem"));
}

#[test]
fn pending_request_is_issued_after_approval() {
    if !tools_or_skip() {
        return;
    }
    let server = Server::start();
    let waiting = Command::new(BIN)
        .args([
            "enroll",
            "--quiet",
            "--wait",
            "60",
            "--poll-interval",
            "1",
            "--cep",
        ])
        .arg(server.cep("UsernamePassword"))
        .arg("--ca-file")
        .arg(server.ca_file())
        .args([
            "--template",
            "Approval",
            "--username",
            "alice",
            "--password",
            PASSWORD,
        ])
        .arg("--out-key")
        .arg(server.path("p-key.pem"))
        .arg("--out-cert")
        .arg(server.path("p-cert.pem"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let id = loop {
        assert!(std::time::Instant::now() < deadline, "no pending request");
        std::thread::sleep(Duration::from_millis(200));
        let list = stdout(&server.admin("list", &[]));
        if let Some(line) = list
            .lines()
            .find(|l| l.contains("\tPending\tApproval\talice"))
        {
            break line.split('\t').next().unwrap().to_owned();
        }
    };
    let approved = server.admin("approve", &[&id]);
    assert!(approved.status.success(), "{}", stderr(&approved));
    // A second decision is refused.
    let again = server.admin("deny", &[&id]);
    assert_eq!(again.status.code(), Some(2), "{}", stdout(&again));
    let out = waiting.wait_with_output().unwrap();
    assert_eq!(issued_id(&out).to_string(), id);
    let cert = read_cert(&server.path("p-cert.pem"));
    // The template's subject = "request" with no subject in the CSR: the
    // user's name.
    assert_eq!(cert.tbs_certificate.subject.to_string(), "CN=alice");
    openssl_verify(&server.ca_file(), &server.path("p-cert.pem"));
}

/// A `Security` header with alice's UsernameToken.
/// The HRESULT of a CES denial answer.
fn denial(status: u16, body: &[u8]) -> HResult {
    assert_eq!(status, 500, "{}", String::from_utf8_lossy(body));
    let fault = fault_of(body);
    let detail = CertificateEnrollmentWsDetail::from_fault(&fault)
        .expect("no CertificateEnrollmentWSDetail")
        .unwrap();
    detail.error_code.unwrap()
}

#[test]
fn denials_carry_the_hresult_windows_uses() {
    if !tools_or_skip() {
        return;
    }
    let server = Server::start();
    // No permission: the client prints the name and exits 4.
    let out = server.enroll("alice", PASSWORD, "Admins", "admin", &[]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "denied CERTSRV_E_TEMPLATE_DENIED");
    assert!(stderr(&out).contains("do not allow the current user to enroll"));
    // Key shorter than the template's minimum.
    let out = server.enroll(
        "alice",
        PASSWORD,
        "Strong",
        "strong",
        &["--key-bits", "2048"],
    );
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "denied CERTSRV_E_KEY_LENGTH");

    let dir = server.path("openssl");
    std::fs::create_dir_all(&dir).unwrap();
    let rsa = ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"];
    let csr = testkit::csr(&dir, &rsa, "/CN=alice", &[]);
    let url = server.ces("UsernamePassword");
    // A template the CA does not have.
    let (status, body) = server.curl(
        &url,
        SOAP12,
        &rst_envelope(&server, issue_rst(&csr, "Nope")),
        None,
    );
    assert_eq!(
        denial(status, &body),
        HResult::CERTSRV_E_UNSUPPORTED_CERT_TYPE
    );
    // A CSR whose signature does not verify.
    let mut bad = csr.clone();
    let last = bad.len() - 1;
    bad[last] ^= 0x01;
    let (status, body) = server.curl(
        &url,
        SOAP12,
        &rst_envelope(&server, issue_rst(&bad, "User")),
        None,
    );
    assert_eq!(denial(status, &body), HResult::NTE_BAD_SIGNATURE);
    // Not DER at all.
    let (status, body) = server.curl(
        &url,
        SOAP12,
        &rst_envelope(&server, issue_rst(b"not a request", "User")),
        None,
    );
    assert_eq!(denial(status, &body), HResult::CRYPT_E_ASN1_BADTAG);
    // The same CSR, intact, is issued: the denials were for their causes.
    let (status, body) = server.curl(
        &url,
        SOAP12,
        &rst_envelope(&server, issue_rst(&csr, "User")),
        None,
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
}

#[test]
fn denied_pending_request_answers_query_token_status_with_the_denial() {
    if !tools_or_skip() {
        return;
    }
    let server = Server::start();
    let out = server.enroll("alice", PASSWORD, "Approval", "d", &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let id = stdout(&out)
        .trim()
        .strip_prefix("pending ")
        .unwrap()
        .to_owned();
    let denied = server.admin("deny", &[&id, "--message", "Not today."]);
    assert!(denied.status.success(), "{}", stderr(&denied));
    let query = RequestSecurityToken::new(RequestType::QueryTokenStatus)
        .with_token_type(actions::TOKEN_TYPE_X509V3)
        .with_request_id(RequestId::new(id.clone()));
    let (status, body) = server.curl(
        &server.ces("UsernamePassword"),
        SOAP12,
        &rst_envelope(&server, query),
        None,
    );
    assert_eq!(
        denial(status, &body),
        HResult::CERTSRV_E_ADMIN_DENIED_REQUEST
    );
    assert_eq!(fault_of(&body).reason_text(None), Some("Not today."));
    // An ID the CA never gave.
    let query = RequestSecurityToken::new(RequestType::QueryTokenStatus)
        .with_token_type(actions::TOKEN_TYPE_X509V3)
        .with_request_id(RequestId::new("999"));
    let (status, body) = server.curl(
        &server.ces("UsernamePassword"),
        SOAP12,
        &rst_envelope(&server, query),
        None,
    );
    assert_eq!(denial(status, &body), HResult::CERTSRV_E_NO_REQUEST);
}

/// The first response of an RSTRC answer.
fn rstr_of(body: &[u8]) -> wstep::RequestSecurityTokenResponse {
    let env = Envelope::<WstepMessage>::from_xml(body).unwrap();
    let Some(WstepMessage::RequestSecurityTokenResponseCollection(c)) = env.payload() else {
        panic!("not an RSTRC: {}", String::from_utf8_lossy(body));
    };
    c.response().unwrap().clone()
}

#[test]
fn pending_answer_refers_to_the_ces_and_query_there_is_issued_after_approval() {
    if !tools_or_skip() {
        return;
    }
    let server = Server::start();
    let dir = server.path("openssl");
    std::fs::create_dir_all(&dir).unwrap();
    let rsa = ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"];
    let csr = testkit::csr(&dir, &rsa, "/CN=alice", &[]);
    let ces = server.ces("UsernamePassword");
    let (status, body) = server.curl(
        &ces,
        SOAP12,
        &rst_envelope(&server, issue_rst(&csr, "Approval")),
        None,
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    // MS-WSTEP 3.1.4.1.3.2: the reference to the CES, in the bytes.
    let text = String::from_utf8(body.clone()).unwrap();
    assert!(
        text.contains("SecurityTokenReference") && text.contains(&format!("URI=\"{ces}\"")),
        "{text}"
    );
    if let Some(spec) = testkit::spec_dir()
        && let Some(v) =
            testkit::validate_bytes(spec, "deps/envelope-all.xsd", "pending.xml", &body)
    {
        assert!(v.is_clean_pass(), "{v:#?}");
    }
    let rstr = rstr_of(&body);
    assert!(rstr.certificate().is_none());
    let reference = rstr.token_reference().unwrap().uri.clone();
    assert_eq!(reference, ces);
    let id = rstr
        .request_id
        .as_ref()
        .and_then(RequestId::as_str)
        .unwrap()
        .to_owned();
    // The CMC status token says pending, with the same ID.
    let token =
        wstep::BinarySecurityTokenExt::decode_bytes(rstr.binary_security_token.as_ref().unwrap())
            .unwrap();
    let pend = wstep::payload::SignedPayload::from_der(&token)
        .unwrap()
        .pend_info()
        .unwrap()
        .unwrap();
    assert_eq!(pend.request_id().unwrap().to_string(), id);

    let query = || {
        let rst = RequestSecurityToken::new(RequestType::QueryTokenStatus)
            .with_token_type(actions::TOKEN_TYPE_X509V3)
            .with_request_id(RequestId::new(id.clone()));
        server.curl(&reference, SOAP12, &rst_envelope(&server, rst), None)
    };
    // Still pending: the same reference.
    let (status, body) = query();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(rstr_of(&body).token_reference().unwrap().uri, ces);

    let approved = server.admin("approve", &[&id]);
    assert!(approved.status.success(), "{}", stderr(&approved));
    let (status, body) = query();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let rstr = rstr_of(&body);
    assert!(rstr.token_reference().is_none());
    let issued = Certificate::from_der(
        &wstep::BinarySecurityTokenExt::decode_bytes(rstr.certificate().unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(issued.tbs_certificate.subject.to_string(), "CN=alice");
    assert_eq!(
        rstr.request_id.as_ref().and_then(RequestId::as_str),
        Some(id.as_str())
    );
}

#[test]
fn renewal_signed_with_the_old_certificate_is_issued() {
    if !tools_or_skip() {
        return;
    }
    let server = Server::start();
    let first = issued_id(&server.enroll("alice", PASSWORD, "User", "old", &[]));
    let out = Command::new(BIN)
        .args(["renew", "--quiet", "--cep"])
        .arg(server.cep("Certificate"))
        .arg("--ca-file")
        .arg(server.ca_file())
        .arg("--cert")
        .arg(server.path("old-cert.pem"))
        .arg("--key")
        .arg(server.path("old-key.pem"))
        .arg("--out-key")
        .arg(server.path("new-key.pem"))
        .arg("--out-cert")
        .arg(server.path("new-cert.pem"))
        .output()
        .unwrap();
    let renewed = issued_id(&out);
    assert!(renewed > first);
    let old = read_cert(&server.path("old-cert.pem"));
    let new = read_cert(&server.path("new-cert.pem"));
    assert_eq!(new.tbs_certificate.subject, old.tbs_certificate.subject);
    assert_ne!(
        new.tbs_certificate.serial_number,
        old.tbs_certificate.serial_number
    );
    assert_ne!(
        new.tbs_certificate.subject_public_key_info,
        old.tbs_certificate.subject_public_key_info
    );
    assert_eq!(template_info(&new), template_info(&old));
    openssl_verify(&server.ca_file(), &server.path("new-cert.pem"));
    // A renewal without a TLS client certificate is refused at the
    // Certificate endpoint.
    let (status, body) = server.curl(
        &server.ces("Certificate"),
        SOAP12,
        &rst_envelope(&server, issue_rst(b"x", "User")),
        None,
    );
    assert_eq!(status, 500);
    assert!(
        fault_of(&body)
            .code
            .subcodes
            .iter()
            .any(|s| s.local == "FailedAuthentication")
    );
}

/// Replaces the text of the first `To` header of `xml`, or adds one.
fn with_to(xml: &str, to: &str) -> String {
    if let Some(start) = xml.find(":To s:mustUnderstand=\"1\">") {
        let open_end = start + xml[start..].find('>').unwrap() + 1;
        let close = open_end + xml[open_end..].find("</").unwrap();
        format!("{}{to}{}", &xml[..open_end], &xml[close..])
    } else {
        xml.replacen(
            "</a:ReplyTo>",
            &format!("</a:ReplyTo>\n<a:To s:mustUnderstand=\"1\">{to}</a:To>"),
            1,
        )
    }
}

#[test]
fn spec_example_bodies_posted_with_curl_get_schema_valid_answers() {
    if !tools_or_skip() {
        return;
    }
    let Some(spec) = testkit::spec_dir() else {
        return;
    };
    let server = Server::start();
    // [MS-XCEP] 4.1.1.1, To our endpoint (in lower case, as in the
    // example), its 2009 timestamp moved to now (as the client would
    // send it today: an expired one is refused), and alice's name and
    // password where the capture has "<!--Removed-->".
    let example = String::from_utf8(testkit::read_spec(
        spec,
        "xcep/4.1.1.1-GetPolicies-request.xml",
    ))
    .unwrap();
    let now = soap_envelope::xsd::DateTime::from_unix(unix_now(), 0);
    let later = soap_envelope::xsd::DateTime::from_unix(unix_now() + 300, 0);
    let example = example
        .replacen("2009-03-26T00:58:51.549Z", &now.to_string(), 1)
        .replacen("2009-03-26T01:03:51.549Z", &later.to_string(), 1);
    let body = with_to(
        &example,
        &server.cep("UsernamePassword").to_ascii_lowercase(),
    )
    .replacen("<!--Removed-->", "alice", 1);
    // The password is the element's whole text (the capture is indented).
    let open = body.find("<o:Password>").unwrap() + "<o:Password>".len();
    let close = body.find("</o:Password>").unwrap();
    let body = format!("{}{PASSWORD}{}", &body[..open], &body[close..]);
    let (status, answer) = server.curl(
        &server.cep("UsernamePassword"),
        SOAP12,
        body.as_bytes(),
        None,
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
    let validation =
        testkit::validate_bytes(spec, "deps/envelope-all.xsd", "policy-answer.xml", &answer);
    if let Some(v) = validation {
        assert!(v.is_clean_pass(), "{v:?}");
    }
    let env = Envelope::<xcep::XcepMessage>::from_xml(&answer).unwrap();
    let Some(xcep::XcepMessage::GetPoliciesResponse(policy)) = env.payload() else {
        panic!("not a GetPoliciesResponse");
    };
    let names: Vec<&str> = policy
        .policies()
        .iter()
        .map(|p| p.attributes.common_name.as_deref().unwrap())
        .collect();
    assert_eq!(names, ["User", "Web", "Approval", "Admins", "Strong"]);
    assert_eq!(
        env.header.relates_to.first().map(|r| r.value.as_str()),
        Some("urn:uuid:5fb5f6fd-4709-414b-8afa-0c05f6686d1c")
    );

    // [MS-WSTEP] 4.1.1.1 (no To, no UsernameToken: the Certificate
    // endpoint with alice's certificate over TLS). Its CSR names template
    // "User" and has an empty subject.
    issued_id(&server.enroll("alice", PASSWORD, "User", "tls", &[]));
    let example = testkit::read_spec(spec, "wstep/4.1.1.1-RST-issue-request.xml");
    let (status, answer) = server.curl(
        &server.ces("Certificate"),
        SOAP12,
        &example,
        Some((&server.path("tls-cert.pem"), &server.path("tls-key.pem"))),
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
    if let Some(v) =
        testkit::validate_bytes(spec, "deps/envelope-all.xsd", "rstrc-answer.xml", &answer)
    {
        assert!(v.is_clean_pass(), "{v:?}");
    }
    let env = Envelope::<WstepMessage>::from_xml(&answer).unwrap();
    let Some(WstepMessage::RequestSecurityTokenResponseCollection(c)) = env.payload() else {
        panic!("not an RSTRC");
    };
    let token = c.response().unwrap().certificate().unwrap();
    let der = wstep::BinarySecurityTokenExt::decode_bytes(token).unwrap();
    let cert = Certificate::from_der(&der).unwrap();
    assert_eq!(cert.tbs_certificate.subject.to_string(), "CN=alice");
    let pem = server.path("spec-issued.pem");
    std::fs::write(
        &pem,
        der::EncodePem::to_pem(&cert, der::pem::LineEnding::LF).unwrap(),
    )
    .unwrap();
    openssl_verify(&server.ca_file(), &pem);
}

#[test]
fn demo_runs_all_four_outcomes_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["demo", "--dir"])
        .arg(dir.path())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    for expected in [
        "demo: 1/4 enroll for DemoUser: expect issued",
        "demo: the approved certificate was fetched by polling and verified against the CA",
        "demo: denied as expected: CERTSRV_E_TEMPLATE_DENIED",
        // The template builds the subject from the account: the demo's
        // requested "CN=alice issued,O=cepces demo" is not used.
        "demo: renewed: CN=alice serial",
        "demo: all four outcomes as expected",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // What the demo's CA issued, openssl accepts too: the TLS server's
    // certificate and each enrolled one.
    if testkit::openssl_available() {
        let ca = dir.path().join("ca/ca.pem");
        for cert in [
            "ca/tls.pem",
            "issued-cert.pem",
            "approved-cert.pem",
            "renewed-cert.pem",
        ] {
            openssl_verify(&ca, &dir.path().join(cert));
        }
    }
}

#[test]
fn get_policies_with_a_current_last_update_is_answered_not_changed() {
    let server = Server::start();
    let url = server.cep("UsernamePassword");
    let fresh = common::get_policies(&url, common::GET_POLICIES_ACTION, PASSWORD);
    let nil =
        r#"<lastUpdate xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>"#;
    let later = String::from_utf8(fresh.clone()).unwrap().replacen(
        nil,
        "<lastUpdate>2999-01-01T00:00:00Z</lastUpdate>",
        1,
    );
    let policy_of = |body: &[u8]| {
        let (status, answer) = server.curl(&url, SOAP12, body, None);
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
        let env = Envelope::<xcep::XcepMessage>::from_xml(&answer).unwrap();
        let Some(xcep::XcepMessage::GetPoliciesResponse(p)) = env.payload() else {
            panic!("not a GetPoliciesResponse");
        };
        p.clone()
    };
    let full = policy_of(&fresh);
    assert_eq!(full.policies().len(), 5);
    assert_eq!(
        full.response.as_ref().unwrap().policies_not_changed,
        Some(false)
    );
    let cached = policy_of(later.as_bytes());
    let response = cached.response.as_ref().unwrap();
    assert_eq!(response.policies_not_changed, Some(true));
    assert!(cached.policies().is_empty());
    assert_eq!(
        response.policy_id,
        full.response.as_ref().unwrap().policy_id
    );
}

#[test]
fn a_tls_client_certificate_authenticates_its_holder_not_its_subject() {
    if !tools_or_skip() {
        return;
    }
    let server = Server::start();
    // "Strong" takes the subject from the request: alice asks for CN=bob.
    let out = server.enroll(
        "alice",
        PASSWORD,
        "Strong",
        "fake-bob",
        &["--subject", "CN=bob", "--key-bits", "3072"],
    );
    issued_id(&out);
    let fake = read_cert(&server.path("fake-bob-cert.pem"));
    assert_eq!(fake.tbs_certificate.subject.to_string(), "CN=bob");
    // Over TLS with that certificate, "User" (subject from the account)
    // is issued to alice: the CA's record names the holder.
    let out = Command::new(BIN)
        .args(["enroll", "--quiet", "--template", "User", "--cep"])
        .arg(server.cep("Certificate"))
        .arg("--ca-file")
        .arg(server.ca_file())
        .arg("--tls-cert")
        .arg(server.path("fake-bob-cert.pem"))
        .arg("--tls-key")
        .arg(server.path("fake-bob-key.pem"))
        .arg("--out-key")
        .arg(server.path("via-tls-key.pem"))
        .arg("--out-cert")
        .arg(server.path("via-tls-cert.pem"))
        .output()
        .unwrap();
    issued_id(&out);
    let cert = read_cert(&server.path("via-tls-cert.pem"));
    assert_eq!(cert.tbs_certificate.subject.to_string(), "CN=alice");
    // Without a client certificate the Certificate endpoint refuses.
    let body = common::get_policies(&server.cep("Certificate"), common::GET_POLICIES_ACTION, "x");
    let (status, answer) = server.curl(&server.cep("Certificate"), SOAP12, &body, None);
    assert_eq!(status, 500);
    assert!(
        fault_of(&answer)
            .code
            .subcodes
            .iter()
            .any(|s| s.local == "FailedAuthentication")
    );
}

#[test]
fn renewal_signed_by_a_certificate_of_another_ca_is_denied() {
    if !tools_or_skip() {
        return;
    }
    let server = Server::start();
    let dir = server.path("foreign");
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| testkit::openssl(&dir, args);
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "old-key.pem",
        "-subj",
        "/CN=alice",
        "-days",
        "30",
        "-outform",
        "DER",
        "-out",
        "old.der",
    ]);
    let old = Certificate::from_der(&std::fs::read(dir.join("old.der")).unwrap()).unwrap();
    let rsa = ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"];
    let csr = testkit::csr(&dir, &rsa, "/CN=alice", &[]);
    let builder = wstep::payload::RenewalRequestBuilder::new(&csr, old).unwrap();
    std::fs::write(dir.join("to-sign"), builder.finalize().unwrap()).unwrap();
    run(&[
        "dgst",
        "-sha256",
        "-sign",
        "old-key.pem",
        "-out",
        "sig",
        "to-sign",
    ]);
    let pkcs7 = builder
        .assemble(&std::fs::read(dir.join("sig")).unwrap())
        .unwrap();
    let rst = RequestSecurityToken::new(RequestType::Renew)
        .with_token_type(actions::TOKEN_TYPE_X509V3)
        .with_binary_security_token(ValueKind::Pkcs7.token(&pkcs7))
        .with_additional_context(
            AdditionalContext::new().with_item(context_items::CERTIFICATE_TEMPLATE, "User"),
        )
        .with_request_id(RequestId::nil());
    let (status, body) = server.curl(
        &server.ces("UsernamePassword"),
        SOAP12,
        &rst_envelope(&server, rst),
        None,
    );
    // The PKCS#7 signature itself verifies: the refusal is for the signer.
    assert_eq!(
        denial(status, &body),
        HResult::CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE
    );
    let list = stdout(&server.admin("list", &[]));
    assert!(
        list.trim().is_empty(),
        "a refused renewal left a record: {list}"
    );
}

fn unix_now() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(since.as_secs()).unwrap()
}

/// The URI of `cert`'s extension `oid` whose value holds one URI (CRL
/// distribution point, authority information access): the IA5String
/// that `[6]` (uniformResourceIdentifier) tags.
fn uri_in(cert: &Certificate, oid: &str) -> String {
    let value = extension(cert, oid).extn_value.as_bytes();
    let at = value.iter().position(|b| *b == 0x86).unwrap();
    let len = usize::from(value[at + 1]);
    String::from_utf8(value[at + 2..at + 2 + len].to_vec()).unwrap()
}

/// `curl` of `url` (plain HTTP) into `to`; the HTTP status and
/// Content-Type.
fn fetch(url: &str, to: &std::path::Path) -> (u16, String) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "30", "-o"])
        .arg(to)
        .args(["-w", "%{http_code} %{content_type}", url])
        .output()
        .unwrap();
    assert!(out.status.success(), "curl: {}", stderr(&out));
    let text = stdout(&out);
    let (status, kind) = text.split_once(' ').unwrap();
    (status.parse().unwrap(), kind.to_owned())
}

/// `openssl verify -crl_check` of `server`'s certificate `name` against
/// the CRL (PEM) at `crl`.
fn crl_check(server: &Server, name: &str, crl: &std::path::Path) -> std::process::Output {
    Command::new("openssl")
        .args(["verify", "-crl_check", "-CAfile"])
        .arg(server.ca_file())
        .arg("-CRLfile")
        .arg(crl)
        .arg(server.path(&format!("{name}-cert.pem")))
        .output()
        .unwrap()
}

/// The CRL (DER) at `der` written as PEM to `pem`, and `openssl crl
/// -text` of it.
fn crl_text(der: &std::path::Path, pem: &std::path::Path) -> String {
    let out = Command::new("openssl")
        .args(["crl", "-inform", "DER", "-in"])
        .arg(der)
        .arg("-out")
        .arg(pem)
        .output()
        .unwrap();
    assert!(out.status.success(), "openssl crl: {}", stderr(&out));
    let out = Command::new("openssl")
        .args(["crl", "-noout", "-text", "-in"])
        .arg(pem)
        .output()
        .unwrap();
    stdout(&out)
}

/// The `X509v3 CRL Number` in `openssl crl -text`.
fn crl_number(text: &str) -> u64 {
    let at = text.find("X509v3 CRL Number:").unwrap();
    text[at..].lines().nth(1).unwrap().trim().parse().unwrap()
}

/// A server publishing its CRL on a loopback port (`[publication]` with
/// the URL `http://pki.example.test/CertEnroll`), alice's certificates
/// `names` from it, and the address the publication is served on.
fn publishing_server(names: &[&str]) -> (Server, String) {
    let config = format!(
        "{}\n[publication]\nurl = \"http://pki.example.test/CertEnroll\"\nlisten = \"127.0.0.1:0\"\n\
         crl_validity_hours = 48\ncrl_overlap_hours = 6\n",
        common::config()
    );
    let server = Server::start_with(&config, &[]);
    let line = server.printed_line("CRL: ");
    assert!(
        line.starts_with("CRL: http://pki.example.test/CertEnroll/cepces_Test_CA.crl "),
        "{line}"
    );
    let on = line.rsplit("http://").next().unwrap().trim_end_matches(')');
    let on = on.to_owned();
    for name in names {
        issued_id(&server.enroll("alice", PASSWORD, "User", name, &[]));
    }
    (server, on)
}

/// `url` (under `http://pki.example.test`) at the local address `on`.
fn local(on: &str, url: &str) -> String {
    let path = url.strip_prefix("http://pki.example.test").unwrap();
    format!("http://{on}{path}")
}

#[test]
fn certificates_name_the_crl_and_ca_certificate_served_over_http() {
    if !tools_or_skip() {
        return;
    }
    let (server, on) = publishing_server(&["good"]);
    // Every certificate names the CRL and the CA certificate, under the
    // configured URL and the CA's name.
    let good = read_cert(&server.path("good-cert.pem"));
    assert_eq!(
        uri_in(&good, "2.5.29.31"),
        "http://pki.example.test/CertEnroll/cepces_Test_CA.crl"
    );
    let aia = uri_in(&good, "1.3.6.1.5.5.7.1.1");
    assert_eq!(aia, "http://pki.example.test/CertEnroll/cepces_Test_CA.crt");
    // The CA certificate is served at its AIA URL.
    let ca_der = server.path("ca.der");
    let (status, kind) = fetch(&local(&on, &aia), &ca_der);
    assert_eq!((status, kind.as_str()), (200, "application/pkix-cert"));
    assert_eq!(
        std::fs::read(&ca_der).unwrap(),
        read_cert(&server.ca_file()).to_der().unwrap()
    );
    // With nothing revoked, the CRL lists nothing and the certificate
    // verifies against it.
    let (der, pem) = (server.path("crl.der"), server.path("crl.pem"));
    let (status, kind) = fetch(&local(&on, &uri_in(&good, "2.5.29.31")), &der);
    assert_eq!((status, kind.as_str()), (200, "application/pkix-crl"));
    let text = crl_text(&der, &pem);
    assert!(text.contains("No Revoked Certificates."), "{text}");
    let out = crl_check(&server, "good", &pem);
    assert!(
        stdout(&out).trim_end().ends_with(": OK"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    // Nothing else is served over plain HTTP: not the SOAP endpoints.
    let (status, _) = fetch(
        &format!("http://{on}/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP"),
        &server.path("nothing"),
    );
    assert_eq!(status, 404);
}

#[test]
fn revoked_certificates_are_on_the_crl_served_where_certificates_point() {
    if !tools_or_skip() {
        return;
    }
    let (server, on) = publishing_server(&["good", "bad", "held"]);
    let cert = |name: &str| server.path(&format!("{name}-cert.pem"));
    let crl_url = uri_in(&read_cert(&cert("bad")), "2.5.29.31");
    let bad = serial_of(&cert("bad"));
    let held = serial_of(&cert("held"));
    let out = server.admin("revoke", &[&bad, "--reason", "key-compromise"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = server.admin("revoke", &[&held, "--reason", "certificateHold"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A second revocation of a final one is refused and changes nothing.
    let again = server.admin("revoke", &[&bad, "--reason", "superseded"]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("keyCompromise"),
        "{}",
        stderr(&again)
    );
    let listed = stdout(&server.admin("list", &[]));
    assert!(
        listed.contains(&format!("{bad}\trevoked keyCompromise")),
        "{listed}"
    );

    // The CRL fetched from where the certificates point lists both, with
    // their reasons; openssl verifies against it.
    let (der1, pem1) = (server.path("crl1.der"), server.path("crl1.pem"));
    let (status, kind) = fetch(&local(&on, &crl_url), &der1);
    assert_eq!((status, kind.as_str()), (200, "application/pkix-crl"));
    let text = crl_text(&der1, &pem1);
    assert!(text.contains(&format!("Serial Number: {bad}")), "{text}");
    assert!(text.contains(&format!("Serial Number: {held}")), "{text}");
    assert!(text.contains("Key Compromise"), "{text}");
    assert!(text.contains("Certificate Hold"), "{text}");
    assert!(text.contains("Issuer: CN = cepces Test CA"), "{text}");
    let out = crl_check(&server, "good", &pem1);
    assert!(
        stdout(&out).trim_end().ends_with(": OK"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    for name in ["bad", "held"] {
        let out = crl_check(&server, name, &pem1);
        assert!(!out.status.success());
        assert!(
            format!("{}{}", stdout(&out), stderr(&out)).contains("certificate revoked"),
            "{name}: {}{}",
            stdout(&out),
            stderr(&out)
        );
    }

    // A revoked certificate no longer authenticates a renewal.
    let renew = server.renew("bad", "renewed");
    assert!(!renew.status.success());
    assert!(
        stderr(&renew).contains("verifying security"),
        "{}",
        stderr(&renew)
    );
    assert!(
        server
            .log()
            .contains("the TLS client certificate is revoked"),
        "{}",
        server.log()
    );
    assert!(!server.path("renewed-cert.pem").exists());

    // Off hold: the next CRL (a higher number) no longer lists it.
    let out = server.admin("unrevoke", &[&held]);
    assert!(out.status.success(), "{}", stderr(&out));
    let not_held = server.admin("unrevoke", &[&bad]);
    assert!(!not_held.status.success());
    let (der2, pem2) = (server.path("crl2.der"), server.path("crl2.pem"));
    assert_eq!(fetch(&local(&on, &crl_url), &der2).0, 200);
    let text2 = crl_text(&der2, &pem2);
    assert!(
        !text2.contains(&format!("Serial Number: {held}")),
        "{text2}"
    );
    assert!(text2.contains(&format!("Serial Number: {bad}")), "{text2}");
    assert!(crl_number(&text2) > crl_number(&text), "{text2}");
    let out = crl_check(&server, "held", &pem2);
    assert!(
        stdout(&out).trim_end().ends_with(": OK"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}

#[test]
fn health_and_metrics_are_served_on_the_status_listener() {
    if !tools_or_skip() {
        return;
    }
    let config = common::config().replacen(
        "[service]\n",
        "[service]\nstatus_listen = \"127.0.0.1:0\"\n",
        1,
    );
    let server = Server::start_with(&config, &[]);
    let line = server.printed_line("status: ");
    let on = line
        .strip_prefix("status: http://")
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    issued_id(&server.enroll("alice", PASSWORD, "User", "m", &[]));
    let (status, _) = server.curl(&server.ces("UsernamePassword"), "text/xml", b"x", None);
    assert_eq!(status, 415);
    let health = server.path("health");
    let (status, kind) = fetch(&format!("http://{on}/health"), &health);
    assert_eq!((status, kind.as_str()), (200, "text/plain; charset=utf-8"));
    assert_eq!(std::fs::read_to_string(&health).unwrap(), "ok\n");
    let metrics = server.path("metrics");
    let (status, kind) = fetch(&format!("http://{on}/metrics"), &metrics);
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    let text = std::fs::read_to_string(&metrics).unwrap();
    // enroll: one GetPolicies, one issued; curl: one refused (415).
    for line in [
        "cepces_requests_total{outcome=\"policy\"} 1",
        "cepces_requests_total{outcome=\"issued\"} 1",
        "cepces_requests_total{outcome=\"refused\"} 1",
        "cepces_requests_total{outcome=\"fault\"} 0",
        "cepces_request_duration_seconds_count 3",
        "cepces_request_duration_seconds_bucket{le=\"+Inf\"} 3",
        "cepces_records{state=\"issued\"} 1",
        "cepces_records{state=\"pending\"} 0",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} not in\n{text}");
    }
    // Nothing else there, and no SOAP endpoint.
    let (status, _) = fetch(
        &format!("http://{on}/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP"),
        &server.path("nothing"),
    );
    assert_eq!(status, 404);
}

/// Sends SIGHUP to `server` and waits for the log line `event`.
fn hup_and_wait(server: &Server, event: &str) {
    let before = server.log().matches(event).count();
    let out = Command::new("kill")
        .args(["-HUP", &server.child.id().to_string()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while server.log().matches(event).count() == before {
        assert!(
            std::time::Instant::now() < deadline,
            "no {event}: {}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn sighup_reloads_the_configuration_and_a_broken_one_is_not_taken() {
    if !tools_or_skip() {
        return;
    }
    let mut server = Server::start();
    let carol = "carol's password";
    let refused = server.enroll("carol", carol, "User", "carol0", &[]);
    assert!(!refused.status.success());
    // carol is added to the file the server runs with.
    let config = server.path("cepces.toml");
    let text = format!(
        "{}\n[[user]]\nname = \"carol\"\npassword_hash = \"{}\"\ngroups = [\"Staff\"]\n",
        std::fs::read_to_string(&config).unwrap(),
        common::hash(carol)
    );
    std::fs::write(&config, &text).unwrap();
    hup_and_wait(&server, "configuration reloaded");
    issued_id(&server.enroll("carol", carol, "User", "carol1", &[]));
    let cert = read_cert(&server.path("carol1-cert.pem"));
    assert_eq!(cert.tbs_certificate.subject.to_string(), "CN=carol");
    // A broken file is refused and the previous configuration stays.
    std::fs::write(&config, "[ca\n").unwrap();
    hup_and_wait(&server, "configuration not reloaded");
    issued_id(&server.enroll("carol", carol, "User", "carol2", &[]));
    assert!(server.is_alive());
    // The records of before the reload are still there.
    std::fs::write(&config, &text).unwrap();
    let listed = stdout(&server.admin("list", &[]));
    assert_eq!(
        listed.lines().filter(|l| l.contains("\tcarol\t")).count(),
        2,
        "{listed}"
    );
}
