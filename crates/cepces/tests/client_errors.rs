//! `cepces enroll` against servers that do not answer SOAP: the error
//! names the HTTP status and what to check, and the exit code is 5
//! (failed). A tiny in-process HTTP server answers each request with a
//! fixed status and an HTML page; `openssl s_server` requiring a client
//! certificate stands in for a Certificate endpoint.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::{BIN, stderr};

/// Serves `status` with a `text/html` page to every request until the
/// process ends; returns the base URL.
fn html_server(status: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if let Some(v) = line
                    .to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().to_owned())
                {
                    length = v.parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let page = format!("<html><body><h1>{status}</h1></body></html>");
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
        }
    });
    format!("http://{addr}")
}

fn enroll(cep: &str, extra: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(BIN)
        .args(["enroll", "--quiet", "--cep", cep, "--template", "User"])
        .args(["--username", "alice", "--password", "secret"])
        .arg("--out-key")
        .arg(dir.path().join("key.pem"))
        .arg("--out-cert")
        .arg(dir.path().join("cert.pem"))
        .args(extra)
        .output()
        .unwrap()
}

const CEP_PATH: &str = "/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP";

#[test]
fn html_401_says_wrong_user_name_or_password() {
    let cep = format!("{}{CEP_PATH}", html_server("401 Unauthorized"));
    let out = enroll(&cep, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains("401 Unauthorized: wrong user name or password?"),
        "{err}"
    );
    assert!(!err.contains("unexpected content type"), "{err}");
}

#[test]
fn html_403_says_access_denied() {
    let cep = format!("{}{CEP_PATH}", html_server("403 Forbidden"));
    let out = enroll(&cep, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(err.contains("403 Forbidden: access denied"), "{err}");
    assert!(err.contains("client certificate"), "{err}");
}

#[test]
fn html_404_names_the_path_tried() {
    let cep = format!("{}{CEP_PATH}", html_server("404 Not Found"));
    let out = enroll(&cep, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains(&format!(
            "404 Not Found: wrong endpoint path? (tried {CEP_PATH})"
        )),
        "{err}"
    );
}

#[test]
fn html_500_is_not_read_as_a_fault() {
    let cep = format!("{}{CEP_PATH}", html_server("500 Internal Server Error"));
    let out = enroll(&cep, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains("500 Internal Server Error: not a SOAP answer (text/html; charset=utf-8)"),
        "{err}"
    );
}

/// In `dir`: `ca.pem`, and `cert.pem` and `key.pem` for 127.0.0.1 issued
/// by it, made with openssl.
fn server_certificates(dir: &std::path::Path) {
    testkit::server_certificates(dir, "127.0.0.1", "IP:127.0.0.1");
}

#[test]
fn tls_refused_for_want_of_a_client_certificate_says_so() {
    if !testkit::openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    server_certificates(dir.path());
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    // Requires a client certificate (-Verify), so a client without one is
    // refused in the handshake. TLS 1.2: the alert comes inside the
    // handshake. (In TLS 1.3 the client has finished its side when the
    // alert is sent, and a server that then closes at once can reset the
    // connection before the alert is read: a race, flaky under load.)
    let mut server = Command::new("openssl")
        .current_dir(dir.path())
        .args([
            "s_server",
            "-quiet",
            "-www",
            "-Verify",
            "1",
            "-verify_return_error",
            "-tls1_2",
        ])
        .args([
            "-cert", "cert.pem", "-key", "key.pem", "-CAfile", "cert.pem",
        ])
        .args(["-accept", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until it listens.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "s_server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let cep = format!("https://127.0.0.1:{port}{CEP_PATH}");
    let ca = dir.path().join("ca.pem");
    let out = enroll(&cep, &["--ca-file", ca.to_str().unwrap()]);
    server.kill().ok();
    server.wait().ok();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains("refused the TLS handshake over the client certificate"),
        "{err}"
    );
}
