//! certmonger itself (Debian's `certmonger`, in the foreground with its
//! own state directories and a private socket) driving `cepces
//! certmonger` against `cepces serve`: issued → MONITORING with the key
//! and certificate files written; a template needing approval → pending,
//! `cepces approve`, polled → MONITORING; a template the user may not
//! enroll in → CA_REJECTED; `getcert resubmit` → a new certificate; the
//! CA's certificate fetched (FETCH-ROOTS). Skipped without certmonger
//! outside CI; a failure in CI.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::certmonger::{Certmonger, certmonger_available};
use common::{BIN, PASSWORD, Server, read_cert, stderr, stdout};

#[test]
fn certmonger_enrolls_polls_is_rejected_and_resubmits_through_cepces() {
    if !certmonger_available() {
        eprintln!("skipped: certmonger (or openssl) is not installed");
        return;
    }
    let server = Server::start();
    let cm = Certmonger::start();
    let password_file = cm.path("password");
    std::fs::write(&password_file, format!("{PASSWORD}\n")).unwrap();
    let helper = format!(
        "{BIN} certmonger --cep {} --auth UsernamePassword --username alice --password-file {} --ca-file {} --poll-delay 1",
        server.cep("UsernamePassword"),
        password_file.display(),
        server.ca_file().display()
    );
    let out = cm.getcert(&["add-ca", "-c", "cepces", "-e", &helper]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));

    // Issued: MONITORING, key and certificate written, subject from the
    // account (the User template builds it from the directory).
    let (key, cert) = (cm.path("user.key"), cm.path("user.crt"));
    let out = cm.getcert(&[
        "request",
        "-c",
        "cepces",
        "-T",
        "User",
        "-I",
        "user",
        "-k",
        key.to_str().unwrap(),
        "-f",
        cert.to_str().unwrap(),
        "-w",
    ]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    cm.wait_for("user", "MONITORING");
    let issued = read_cert(&cert);
    assert_eq!(issued.tbs_certificate.subject.to_string(), "CN=alice");
    assert!(key.exists());
    common::openssl_verify(&server.ca_file(), &cert);

    // IDENTIFY and FETCH-ROOTS: certmonger keeps the helper's name and the
    // CA's certificate (it asks in the background after add-ca).
    let stored = || -> String {
        std::fs::read_dir(cm.path("cas"))
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default())
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while !(stored().contains("ca_root_certs=cepces Test CA")
        && stored().contains("ca_aka=cepces "))
    {
        assert!(Instant::now() < deadline, "{}", stored());
        std::thread::sleep(Duration::from_millis(200));
    }

    // Pending: CA_WORKING, then approved and polled to MONITORING.
    let approval_cert = cm.path("approval.crt");
    let out = cm.getcert(&[
        "request",
        "-c",
        "cepces",
        "-T",
        "Approval",
        "-I",
        "approval",
        "-k",
        cm.path("approval.key").to_str().unwrap(),
        "-f",
        approval_cert.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    cm.wait_for("approval", "CA_WORKING");
    let list = stdout(&server.admin("list", &[]));
    let id = list
        .lines()
        .find(|l| l.contains("\tPending\tApproval\talice"))
        .and_then(|l| l.split('\t').next())
        .unwrap_or_else(|| panic!("no pending request in {list}"))
        .to_owned();
    let out = server.admin("approve", &[&id]);
    assert!(out.status.success(), "{}", stderr(&out));
    cm.wait_for("approval", "MONITORING");
    assert!(approval_cert.exists());

    // Rejected: alice may not enroll in Admins.
    let out = cm.getcert(&[
        "request",
        "-c",
        "cepces",
        "-T",
        "Admins",
        "-I",
        "admins",
        "-k",
        cm.path("admins.key").to_str().unwrap(),
        "-f",
        cm.path("admins.crt").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    cm.wait_for("admins", "CA_REJECTED");
    let listing = stdout(&cm.getcert(&["list", "-i", "admins"]));
    assert!(listing.contains("CERTSRV_E_TEMPLATE_DENIED"), "{listing}");

    // Resubmitted: a new certificate in the same file.
    let before = issued.tbs_certificate.serial_number.clone();
    let out = cm.getcert(&["resubmit", "-i", "user", "-w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    cm.wait_for("user", "MONITORING");
    let renewed = read_cert(&cert);
    assert_ne!(renewed.tbs_certificate.serial_number, before);
}

/// The helper run by hand, as certmonger runs it (no daemon).
fn helper(server: &Server, operation: &str, env: &[(&str, &str)]) -> Output {
    let password_file = server.path("helper-password");
    std::fs::write(&password_file, format!("{PASSWORD}\n")).unwrap();
    let mut cmd = Command::new(BIN);
    cmd.args(["certmonger", "--cep"])
        .arg(server.cep("UsernamePassword"))
        .args(["--auth", "UsernamePassword", "--username", "alice"])
        .arg("--password-file")
        .arg(&password_file)
        .arg("--ca-file")
        .arg(server.ca_file())
        .env("CERTMONGER_OPERATION", operation);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn helper_operations_answer_in_certmongers_terms() {
    if !testkit::openssl_available() {
        eprintln!("skipped: openssl is not installed");
        return;
    }
    let server = Server::start();
    let out = helper(&server, "IDENTIFY", &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("cepces "), "{}", stdout(&out));
    let out = helper(&server, "GET-NEW-REQUEST-REQUIREMENTS", &[]);
    assert_eq!(stdout(&out).trim(), "CERTMONGER_CA_PROFILE");
    let out = helper(&server, "GET-SUPPORTED-TEMPLATES", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let names = stdout(&out);
    let templates: Vec<&str> = names.lines().map(str::trim).collect();
    for t in ["User", "Web", "Approval", "Admins", "Strong"] {
        assert!(templates.contains(&t), "{t} not in {names}");
    }
    let out = helper(&server, "FETCH-ROOTS", &[]);
    assert_eq!(out.status.code(), Some(0));
    let roots = stdout(&out);
    assert!(
        roots.starts_with("cepces Test CA\n-----BEGIN CERTIFICATE-----"),
        "{roots}"
    );
    // Unknown operations are 6; a SUBMIT without template is 4.
    assert_eq!(
        helper(&server, "FETCH-SCEP-CA-CAPS", &[]).status.code(),
        Some(6)
    );
    let out = helper(&server, "SUBMIT", &[("CERTMONGER_CSR", "x")]);
    assert_eq!(out.status.code(), Some(4), "{}", stdout(&out));
    // A pending SUBMIT: 5, the delay, the cookie; POLL with the cookie
    // before and after approval.
    let dir = server.path("openssl");
    std::fs::create_dir_all(&dir).unwrap();
    let rsa = ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"];
    let der = testkit::csr(&dir, &rsa, "/CN=alice", &[]);
    let pem = der::Document::try_from(der.as_slice())
        .unwrap()
        .to_pem("CERTIFICATE REQUEST", der::pem::LineEnding::LF)
        .unwrap();
    let out = helper(
        &server,
        "SUBMIT",
        &[
            ("CERTMONGER_CSR", &pem),
            ("CERTMONGER_CA_PROFILE", "Approval"),
        ],
    );
    assert_eq!(out.status.code(), Some(5), "{}", stdout(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("3600"));
    let cookie = lines.next().unwrap().to_owned();
    assert!(cookie.starts_with("cepces1\t"), "{cookie}");
    assert!(
        cookie.contains("_CES_UsernamePassword/service.svc/CES"),
        "{cookie}"
    );
    let out = helper(&server, "POLL", &[("CERTMONGER_CA_COOKIE", &cookie)]);
    assert_eq!(out.status.code(), Some(5), "{}", stdout(&out));
    let id = cookie.split('\t').nth(1).unwrap();
    assert!(server.admin("approve", &[id]).status.success());
    let out = helper(&server, "POLL", &[("CERTMONGER_CA_COOKIE", &cookie)]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).starts_with("-----BEGIN CERTIFICATE-----"));
    // Denied: 2 with the HRESULT name.
    let out = helper(
        &server,
        "SUBMIT",
        &[
            ("CERTMONGER_CSR", &pem),
            ("CERTMONGER_CA_PROFILE", "Admins"),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stdout(&out).starts_with("CERTSRV_E_TEMPLATE_DENIED"),
        "{}",
        stdout(&out)
    );
    // The server gone: unreachable (3), certmonger retries later.
    let cep = server.cep("UsernamePassword");
    drop(server);
    let out = Command::new(BIN)
        .args(["certmonger", "--cep", &cep, "--auth", "UsernamePassword"])
        .args(["--username", "alice", "--password-file", "/dev/null"])
        .env("CERTMONGER_OPERATION", "SUBMIT")
        .env("CERTMONGER_CSR", &pem)
        .env("CERTMONGER_CA_PROFILE", "User")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
}
