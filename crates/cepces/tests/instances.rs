//! Three `cepces serve` instances of one CA on one PostgreSQL database
//! (`[store] postgres`, a real server the test kit starts): a request
//! pended through one is approved through another and fetched through a
//! third, request IDs are unique across them, a revocation is on every
//! instance's CRL, and a `kill -9` of an instance under load loses no
//! certificate it acknowledged.
#![cfg(feature = "postgres")]
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::process::Command;

use common::{
    PASSWORD, SOAP12, Server, issue_rst, openssl_verify, read_cert, rst_envelope, serial_of,
    stderr, stdout,
};
use der::Decode;
use testkit::postgres::Postgres;
use wstep::{RequestId, RequestSecurityToken, RequestType, actions};
use x509_cert::Certificate;

fn config(pg: &Postgres) -> String {
    format!(
        "{}\n[publication]\nurl = \"http://pki.example.test/CertEnroll\"\nlisten = \"127.0.0.1:0\"\n\
         \n[store]\npostgres = \"{}\"\n",
        common::config(),
        pg.config("cepces")
    )
}

/// Another instance of `first`'s CA: its CA and TLS files, the same
/// configuration.
fn another(first: &Server, config: &str) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca");
    std::fs::create_dir(&ca).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::PermissionsExt::set_mode(
        &mut std::fs::metadata(&ca).unwrap().permissions(),
        0o700,
    );
    for f in ["ca.pem", "ca-key.pem", "tls.pem", "tls-key.pem"] {
        std::fs::copy(first.ca_dir().join(f), ca.join(f)).unwrap();
    }
    std::fs::write(dir.path().join("cepces.toml"), config).unwrap();
    Server::start_in(dir)
}

fn rstr_of(body: &[u8]) -> wstep::RequestSecurityTokenResponse {
    let envelope = soap_envelope::Envelope::<wstep::WstepMessage>::from_xml(body).unwrap();
    match envelope.payload() {
        Some(wstep::WstepMessage::RequestSecurityTokenResponseCollection(c)) => {
            c.responses[0].clone()
        }
        other => panic!("not an RSTRC: {other:?}"),
    }
}

/// The CRL served on `server`'s publication port, as `openssl crl -text`.
fn crl_text(server: &Server) -> String {
    let line = server.printed_line("CRL: ");
    let on = line.rsplit("http://").next().unwrap().trim_end_matches(')');
    let der = server.path(&format!("crl-{}.der", server.port));
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "30", "-o"])
        .arg(&der)
        .arg(format!("http://{on}/CertEnroll/cepces_Test_CA.crl"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(
        &Command::new("openssl")
            .args(["crl", "-inform", "DER", "-noout", "-text", "-in"])
            .arg(&der)
            .output()
            .unwrap(),
    )
}

/// A request pended through `a`, approved through `b`'s administrator
/// command (on `b`'s directory), fetched through `c`.
fn pended_approved_fetched(a: &Server, b: &Server, c: &Server) {
    // Pended through A.
    let dir = a.path("openssl");
    std::fs::create_dir_all(&dir).unwrap();
    let rsa = ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"];
    let csr = testkit::csr(&dir, &rsa, "/CN=alice", &[]);
    let (status, body) = a.curl(
        &a.ces("UsernamePassword"),
        SOAP12,
        &rst_envelope(a, issue_rst(&csr, "Approval")),
        None,
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let id = rstr_of(&body)
        .request_id
        .as_ref()
        .and_then(RequestId::as_str)
        .unwrap()
        .to_owned();
    // Approved through B (its administrator command, on B's directory).
    let approved = b.admin("approve", &[&id]);
    assert!(approved.status.success(), "{}", stderr(&approved));
    // Fetched through C.
    let rst = RequestSecurityToken::new(RequestType::QueryTokenStatus)
        .with_token_type(actions::TOKEN_TYPE_X509V3)
        .with_request_id(RequestId::new(id.clone()));
    let (status, body) = c.curl(
        &c.ces("UsernamePassword"),
        SOAP12,
        &rst_envelope(c, rst),
        None,
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let rstr = rstr_of(&body);
    let der = wstep::BinarySecurityTokenExt::decode_bytes(rstr.certificate().unwrap()).unwrap();
    let issued = Certificate::from_der(&der).unwrap();
    assert_eq!(issued.tbs_certificate.subject.to_string(), "CN=alice");
    let pem = der::EncodePem::to_pem(&issued, der::pem::LineEnding::LF).unwrap();
    std::fs::write(c.path("approved.pem"), pem).unwrap();
    openssl_verify(&c.ca_file(), &c.path("approved.pem"));
}

#[test]
fn three_instances_share_requests_revocations_and_survive_a_kill() {
    testkit::openssl_or_skip!();
    let Some(pg) = Postgres::start() else {
        return;
    };
    pg.create_database("cepces");
    let config = config(&pg);
    let a = Server::start_with(&config, &[]);
    let b = another(&a, &config);
    let c = another(&a, &config);

    pended_approved_fetched(&a, &b, &c);
    // Alternating enrollments: one sequence of IDs.
    let mut ids = Vec::new();
    for (i, server) in [&a, &b, &c, &a].into_iter().enumerate() {
        let out = server.enroll("alice", PASSWORD, "User", &format!("alt{i}"), &[]);
        let text = stdout(&out);
        assert!(out.status.success(), "{text}{}", stderr(&out));
        ids.push(
            text.trim()
                .strip_prefix("issued ")
                .unwrap()
                .parse::<i64>()
                .unwrap(),
        );
    }
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted, ids, "IDs {ids:?}");

    // Revoked through C's administrator: on A's and B's CRLs at once.
    let serial = serial_of(&a.path("alt0-cert.pem"));
    let revoked = c.admin("revoke", &[&serial, "--reason", "key-compromise"]);
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    for server in [&a, &b] {
        let text = crl_text(server);
        assert!(text.contains(&format!("Serial Number: {serial}")), "{text}");
        assert!(text.contains("Key Compromise"), "{text}");
    }

    // kill -9 of B while two clients enroll through it: every certificate
    // a client received is on record, issued, with its serial.
    let (acknowledged, b_dir) = common::killed_under_load(b, 2, 20);
    common::assert_on_record(&stdout(&a.admin("list", &[])), &acknowledged);
    drop(b_dir);
    // The survivors go on.
    let out = a.enroll("alice", PASSWORD, "User", "after", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    openssl_verify(&a.ca_file(), &a.path("after-cert.pem"));
    let _ = read_cert(&a.path("after-cert.pem"));
}

#[test]
fn a_read_only_database_gives_a_fault_and_no_half_written_record() {
    testkit::openssl_or_skip!();
    let Some(pg) = Postgres::start() else {
        return;
    };
    pg.create_database("cepces");
    let server = Server::start_with(&config(&pg), &[]);
    let count = || pg.psql("cepces", "SELECT count(*) FROM requests");
    let reconnect = || {
        pg.psql(
            "postgres",
            "SELECT count(pg_terminate_backend(pid)) >= 0 FROM pg_stat_activity \
             WHERE datname = 'cepces' AND pid <> pg_backend_pid()",
        );
    };
    let out = server.enroll("alice", PASSWORD, "User", "before", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The database turns read-only (as a full disk or a failed-over
    // replica would make it) and the server's connection is cut.
    pg.psql(
        "postgres",
        "ALTER DATABASE cepces SET default_transaction_read_only = on",
    );
    reconnect();
    let before = count();
    for name in ["ro1", "ro2"] {
        let out = server.enroll("alice", PASSWORD, "User", name, &[]);
        assert!(!out.status.success(), "{}", stdout(&out));
        assert!(stderr(&out).contains("SOAP fault"), "{}", stderr(&out));
        assert!(!server.path(&format!("{name}-cert.pem")).exists());
    }
    assert_eq!(count(), before);
    assert!(server.log().contains("read-only"), "{}", server.log());
    // Writable again: the server goes on without a restart.
    pg.psql(
        "postgres",
        "ALTER DATABASE cepces RESET default_transaction_read_only",
    );
    reconnect();
    let out = server.enroll("alice", PASSWORD, "User", "after", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    openssl_verify(&server.ca_file(), &server.path("after-cert.pem"));
}
