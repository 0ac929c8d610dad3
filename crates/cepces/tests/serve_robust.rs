//! `cepces serve` against bad clients: garbage and hostile bodies, wrong
//! content types, oversized bodies, wrong credentials and addressing,
//! clients that hang up halfway, wrong methods and paths; and its records
//! across a restart.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{GET_POLICIES_ACTION, PASSWORD, SOAP12, Server, fault_of, get_policies};
use soap_envelope::fault::subcode;
use soap_envelope::{Fault, FaultCodeValue, OwnedQName};

fn subcodes(fault: &Fault) -> Vec<OwnedQName> {
    fault.code.subcodes.clone()
}

/// A valid GetPolicies as alice to the CEP UsernamePassword endpoint.
fn valid(server: &Server) -> Vec<u8> {
    get_policies(
        &server.cep("UsernamePassword"),
        GET_POLICIES_ACTION,
        PASSWORD,
    )
}

/// Posts a valid GetPolicies and asserts a 200 GetPoliciesResponse.
fn assert_answers(server: &Server) {
    let (status, body) = server.curl(
        &server.cep("UsernamePassword"),
        SOAP12,
        &valid(server),
        None,
    );
    let text = String::from_utf8_lossy(&body);
    assert_eq!(status, 200, "{text}\n{}", server.log());
    assert!(text.contains("GetPoliciesResponse"), "{text}");
}

/// Posts `body` to `url` and asserts a 500 SOAP fault with code `code`;
/// returns the fault.
fn assert_fault(
    server: &Server,
    what: &str,
    url: &str,
    body: &[u8],
    code: FaultCodeValue,
) -> Fault {
    let (status, reply) = server.curl(url, SOAP12, body, None);
    assert_eq!(status, 500, "{what}: {}", String::from_utf8_lossy(&reply));
    let fault = fault_of(&reply);
    assert_eq!(fault.code.value, code, "{what}: {fault:?}");
    fault
}

/// Deterministic pseudo-random bytes (an LCG; no dependency needed).
fn garbage(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 56) as u8
        })
        .collect()
}

/// `curl -sS --cacert ca` with `args`, writing the body to a file and
/// printing the status; returns (status, body), or curl's complaint.
fn try_curl(server: &Server, url: &str, args: &[&str]) -> Result<(u16, Vec<u8>), String> {
    let out_file = server.path(&format!("curl-out-{}", std::process::id()));
    let _ = std::fs::remove_file(&out_file);
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "60", "--cacert"])
        .arg(server.ca_file())
        .args(args)
        .arg("-o")
        .arg(&out_file)
        .args(["-w", "%{http_code}"])
        .arg(url)
        .output()
        .unwrap();
    if !out.status.success() {
        return Err(format!(
            "curl {args:?}: {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let status = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    Ok((status, std::fs::read(&out_file).unwrap_or_default()))
}

/// [`try_curl`], asserting curl succeeded.
fn curl_with(server: &Server, url: &str, args: &[&str]) -> (u16, Vec<u8>) {
    try_curl(server, url, args).unwrap_or_else(|e| panic!("{e}"))
}

/// POSTs the file `body` (SOAP 1.2 content type, and `extra` arguments)
/// until an answer comes back. The server answers an oversized body
/// before reading all of it and then closes the connection, so curl may
/// still be sending and see the connection reset instead of the answer
/// (curl exit 55 or 56); such tries are repeated, up to 10.
fn post_oversized(server: &Server, url: &str, body: &Path, extra: &[&str]) -> (u16, Vec<u8>) {
    let data = format!("@{}", body.display());
    let content_type = format!("Content-Type: {SOAP12}");
    let mut args = vec!["-H", &content_type, "--data-binary", &data];
    args.extend_from_slice(extra);
    let mut errors = Vec::new();
    for _ in 0..10 {
        match try_curl(server, url, &args) {
            Ok(answer) => return answer,
            Err(e) if e.contains("Some(55)") || e.contains("Some(56)") => {
                eprintln!("retrying: {e}");
                errors.push(e);
            }
            Err(e) => panic!("{e}"),
        }
    }
    panic!("no answer in 10 tries: {errors:#?}");
}

fn hostile_dir() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/hostile"
    ))
}

/// `file<TAB>kind` of `testdata/hostile/EXPECTED.txt`.
fn expected_kinds() -> Vec<(String, String)> {
    std::fs::read_to_string(hostile_dir().join("EXPECTED.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (file, kind) = l.split_once('\t').unwrap();
            (file.to_owned(), kind.trim().to_owned())
        })
        .collect()
}

#[test]
fn malformed_bodies_get_sender_faults_and_the_server_keeps_answering() {
    let mut server = Server::start();
    let url = server.cep("UsernamePassword");

    let mut cases: Vec<(String, Vec<u8>, FaultCodeValue)> = vec![
        ("garbage".into(), garbage(4096, 1), FaultCodeValue::Sender),
        (
            "garbage-with-lt".into(),
            [b"<".as_slice(), &garbage(1000, 7)].concat(),
            FaultCodeValue::Sender,
        ),
        ("empty".into(), Vec::new(), FaultCodeValue::Sender),
    ];
    let whole = valid(&server);
    cases.push((
        "truncated valid".into(),
        whole[..whole.len() / 2].to_vec(),
        FaultCodeValue::Sender,
    ));

    let kinds = expected_kinds();
    let mut files: Vec<_> = std::fs::read_dir(hostile_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    files.sort();
    assert!(files.len() >= 50, "only {} hostile files", files.len());
    for path in &files {
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let kind = kinds.iter().find(|(f, _)| *f == name).map_or_else(
            || panic!("{name} is not in EXPECTED.txt"),
            |(_, k)| k.as_str(),
        );
        let code = if kind == "version-mismatch" {
            FaultCodeValue::VersionMismatch
        } else {
            FaultCodeValue::Sender
        };
        cases.push((name, std::fs::read(path).unwrap(), code));
    }

    for (what, body, code) in &cases {
        let fault = assert_fault(&server, what, &url, body, *code);
        if *code == FaultCodeValue::Sender {
            // Unreadable before any authentication or addressing check.
            assert!(subcodes(&fault).is_empty(), "{what}: {fault:?}");
            let reason = fault.reason_text(None).unwrap_or_default();
            assert!(
                reason.starts_with("The message could not be read"),
                "{what}: {reason}"
            );
        }
    }

    // Nothing was expanded or fetched: the XXE target is not echoed and the
    // bomb's entities are not expanded.
    let (_, reply) = server.curl(
        &url,
        SOAP12,
        &std::fs::read(hostile_dir().join("external-entity.xml")).unwrap(),
        None,
    );
    let reply = String::from_utf8_lossy(&reply);
    assert!(!reply.contains("root:"), "{reply}");
    let (_, reply) = server.curl(
        &url,
        SOAP12,
        &std::fs::read(hostile_dir().join("billion-laughs.xml")).unwrap(),
        None,
    );
    assert!(reply.len() < 10_000, "{} bytes", reply.len());
    assert!(!String::from_utf8_lossy(&reply).contains("lollol"));

    assert_answers(&server);
    assert!(server.is_alive(), "{}", server.log());
}

#[test]
fn wrong_content_type_is_415() {
    let mut server = Server::start();
    let url = server.cep("UsernamePassword");
    let body = valid(&server);
    for content_type in [
        "text/xml; charset=utf-8",
        "application/soap+xml; charset=iso-8859-1",
    ] {
        let (status, reply) = server.curl(&url, content_type, &body, None);
        let text = String::from_utf8_lossy(&reply);
        assert_eq!(status, 415, "{content_type}: {text}");
        assert!(
            text.contains(&format!(
                "the content type '{content_type}' was not the expected type"
            )),
            "{text}"
        );
    }
    // Parameters other than charset, and no charset at all, are accepted.
    let (status, _) = server.curl(&url, "application/soap+xml", &body, None);
    assert_eq!(status, 200);
    let (status, _) = server.curl(
        &url,
        "Application/SOAP+XML;charset=\"UTF-8\"; action=\"x\"",
        &body,
        None,
    );
    assert_eq!(status, 200);
    assert_answers(&server);
    assert!(server.is_alive());
}

#[test]
fn oversized_body_is_413_and_the_server_survives() {
    let mut server = Server::start();
    let url = server.cep("UsernamePassword");
    let envelope = String::from_utf8(valid(&server)).unwrap();
    let padding = format!("<!--{}-->", "x".repeat(200_000 - envelope.len() - 7));
    let big = format!("{padding}{envelope}").into_bytes();
    assert_eq!(big.len(), 200_000);

    // Content-Length over the limit: refused before the body is read.
    let file = server.path("big-body");
    std::fs::write(&file, &big).unwrap();
    let (status, reply) = post_oversized(&server, &url, &file, &[]);
    assert_eq!(status, 413, "{}", String::from_utf8_lossy(&reply));
    assert_eq!(String::from_utf8_lossy(&reply), "request too large\n");

    // Chunked (no Content-Length): refused by the limited read.
    let (status, reply) =
        post_oversized(&server, &url, &file, &["-H", "Transfer-Encoding: chunked"]);
    assert_eq!(status, 413, "{}", String::from_utf8_lossy(&reply));
    assert_eq!(String::from_utf8_lossy(&reply), "request too large\n");

    // Exactly at the limit is read (and then answered by the service).
    let padding = format!("<!--{}-->", "x".repeat(65_536 - envelope.len() - 7));
    let at_limit = format!("{padding}{envelope}").into_bytes();
    assert_eq!(at_limit.len(), 65_536);
    let (status, _) = server.curl(&url, SOAP12, &at_limit, None);
    assert_eq!(status, 200);
    let over = server.path("over-body");
    std::fs::write(&over, [at_limit.as_slice(), b" "].concat()).unwrap();
    let (status, _) = post_oversized(&server, &url, &over, &[]);
    assert_eq!(status, 413);

    assert_answers(&server);
    assert!(server.is_alive(), "{}", server.log());
}

#[test]
fn wrong_password_is_failed_authentication() {
    let mut server = Server::start();
    let url = server.cep("UsernamePassword");
    let failed = [OwnedQName::from(subcode::FAILED_AUTHENTICATION)];

    let wrong = get_policies(&url, GET_POLICIES_ACTION, "wrong password");
    let fault = assert_fault(
        &server,
        "wrong password",
        &url,
        &wrong,
        FaultCodeValue::Sender,
    );
    assert_eq!(subcodes(&fault), failed);

    let mallory = String::from_utf8(valid(&server)).unwrap().replace(
        "<o:Username>alice</o:Username>",
        "<o:Username>mallory</o:Username>",
    );
    assert!(mallory.contains("mallory"));
    let fault = assert_fault(
        &server,
        "unknown user",
        &url,
        mallory.as_bytes(),
        FaultCodeValue::Sender,
    );
    assert_eq!(subcodes(&fault), failed);

    let empty = get_policies(&url, GET_POLICIES_ACTION, "");
    let fault = assert_fault(
        &server,
        "empty password",
        &url,
        &empty,
        FaultCodeValue::Sender,
    );
    assert_eq!(subcodes(&fault), failed);

    let out = server.enroll("alice", "wrong password", "User", "wrong", &[]);
    assert_eq!(out.status.code(), Some(5), "{}", common::stderr(&out));
    let err = common::stderr(&out);
    assert!(err.contains("enrollment failed"), "{err}");
    assert!(
        err.contains("SOAP fault: An error occurred when verifying security for the message."),
        "{err}"
    );
    assert!(common::stdout(&out).is_empty(), "{}", common::stdout(&out));
    assert!(!server.path("wrong-cert.pem").exists());

    assert_answers(&server);
    assert!(server.is_alive());
}

#[test]
fn wrong_action_and_to_are_faults() {
    let mut server = Server::start();
    let url = server.cep("UsernamePassword");

    let action = format!("{GET_POLICIES_ACTION}X");
    let body = get_policies(&url, &action, PASSWORD);
    let fault = assert_fault(&server, "wrong action", &url, &body, FaultCodeValue::Sender);
    assert_eq!(
        subcodes(&fault),
        [OwnedQName::from(subcode::ACTION_NOT_SUPPORTED)]
    );

    let body = get_policies(
        &server.ces("UsernamePassword"),
        GET_POLICIES_ACTION,
        PASSWORD,
    );
    let fault = assert_fault(&server, "wrong To", &url, &body, FaultCodeValue::Sender);
    assert_eq!(
        subcodes(&fault),
        [OwnedQName::from(subcode::DESTINATION_UNREACHABLE)]
    );

    // Another port is another endpoint.
    let other_port = url.replace(&format!(":{}/", server.port), ":1/");
    let body = get_policies(&other_port, GET_POLICIES_ACTION, PASSWORD);
    let fault = assert_fault(
        &server,
        "To on another port",
        &url,
        &body,
        FaultCodeValue::Sender,
    );
    assert_eq!(
        subcodes(&fault),
        [OwnedQName::from(subcode::DESTINATION_UNREACHABLE)]
    );

    // Windows sends the paths in lower case.
    let lower = url.to_ascii_lowercase();
    assert_ne!(lower, url);
    let body = get_policies(&lower, GET_POLICIES_ACTION, PASSWORD);
    let (status, reply) = server.curl(&url, SOAP12, &body, None);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&reply));
    // ... and posts to them.
    let (status, reply) = server.curl(&lower, SOAP12, &body, None);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&reply));

    assert_answers(&server);
    assert!(server.is_alive());
}

fn have_openssl() -> bool {
    Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn client_disconnecting_mid_request_does_not_hurt() {
    if !have_openssl() {
        assert!(std::env::var_os("CI").is_none(), "openssl is not on PATH");
        eprintln!("skipped: openssl is not on PATH");
        return;
    }
    let mut server = Server::start();
    let path = server
        .cep("UsernamePassword")
        .trim_start_matches(&server.base())
        .to_owned();
    let body = valid(&server);
    for _ in 0..5 {
        let mut child = Command::new("openssl")
            .args(["s_client", "-connect"])
            .arg(format!("127.0.0.1:{}", server.port))
            .args(["-servername", "localhost", "-quiet"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        write!(
            stdin,
            "POST {path} HTTP/1.1\r\nHost: localhost:{}\r\nContent-Type: {SOAP12}\r\nContent-Length: 5000\r\n\r\n",
            server.port
        )
        .unwrap();
        stdin.write_all(&body[..100]).unwrap();
        stdin.flush().unwrap();
        // Let the handshake finish and the bytes go out.
        std::thread::sleep(Duration::from_millis(300));
        drop(stdin);
        child.kill().unwrap();
        child.wait().unwrap();
    }

    // Half a TLS handshake: a ClientHello record header and a few bytes.
    {
        let mut tcp = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        tcp.write_all(&[
            0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03,
        ])
        .unwrap();
    }
    // Not TLS at all.
    {
        let mut tcp = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        tcp.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    }

    assert_answers(&server);
    assert!(server.is_alive(), "{}", server.log());

    // The server noticed each of them (log lines come asynchronously).
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let log = server.log();
        let handshakes = log.matches("TLS handshake failed").count();
        let hung_up = log.matches("status=400 outcome=\"body:").count();
        if handshakes >= 2 && hung_up >= 5 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{handshakes} failed handshakes, {hung_up} unread bodies:\n{log}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn issued_records_survive_a_restart() {
    let server = Server::start();
    let out = server.enroll("alice", PASSWORD, "User", "a", &[]);
    let stdout = common::stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    assert!(stdout.starts_with("issued "), "{stdout}");
    let first: i64 = stdout
        .trim()
        .strip_prefix("issued ")
        .unwrap()
        .parse()
        .unwrap();
    let ca_before = std::fs::read(server.ca_file()).unwrap();

    let dir = server.stop();
    let mut server = Server::start_in(dir);
    assert!(server.is_alive());
    assert_eq!(std::fs::read(server.ca_file()).unwrap(), ca_before);

    let out = server.admin("list", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let list = common::stdout(&out);
    let line = list
        .lines()
        .find(|l| l.split('\t').next() == Some(first.to_string().as_str()))
        .unwrap_or_else(|| panic!("request {first} not listed:\n{list}"));
    let fields: Vec<_> = line.split('\t').collect();
    assert_eq!(fields[1], "Issued", "{line}");
    assert_eq!(fields[2], "User", "{line}");
    assert_eq!(fields[3], "alice", "{line}");
    assert!(!fields[4].is_empty(), "no serial: {line}");

    // The certificate issued before the restart still chains to the CA.
    common::openssl_verify(&server.ca_file(), &server.path("a-cert.pem"));

    let out = server.enroll("alice", PASSWORD, "User", "b", &[]);
    let stdout = common::stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let second: i64 = stdout
        .trim()
        .strip_prefix("issued ")
        .unwrap()
        .parse()
        .unwrap();
    assert!(second > first, "{second} after {first}");
    assert_eq!(std::fs::read(server.ca_file()).unwrap(), ca_before);
    assert!(server.is_alive());
}

#[test]
fn wrong_method_and_path() {
    let mut server = Server::start();
    let url = server.cep("UsernamePassword");

    let headers = server.path("get-headers");
    let headers_arg = headers.display().to_string();
    let (status, reply) = curl_with(&server, &url, &["-X", "GET", "-D", &headers_arg]);
    assert_eq!(status, 405, "{}", String::from_utf8_lossy(&reply));
    let head = std::fs::read_to_string(&headers)
        .unwrap()
        .to_ascii_lowercase();
    assert!(head.contains("\nallow: post"), "{head}");

    let (status, _) = curl_with(&server, &server.ces("UsernamePassword"), &["-X", "PUT"]);
    assert_eq!(status, 405);

    let (status, reply) = server.curl(
        &format!("{}/nope", server.base()),
        SOAP12,
        &valid(&server),
        None,
    );
    assert_eq!(status, 404, "{}", String::from_utf8_lossy(&reply));
    let (status, _) = curl_with(&server, &format!("{}/nope", server.base()), &["-X", "GET"]);
    assert_eq!(status, 404);

    assert_answers(&server);
    assert!(server.is_alive());
}
