//! Shared by the `serve` integration tests: a `cepces serve` child process
//! on an ephemeral loopback port with a CA in a temporary directory, the
//! `cepces` binary for clients and administrators, and curl/openssl.
#![allow(dead_code, clippy::unwrap_used, missing_docs)]

pub mod certmonger;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_cepces");
pub const PASSWORD: &str = "correct horse battery staple";
pub const BOB_PASSWORD: &str = "bob's password";

/// An argon2 hash of `password`, by `cepces hash-password`.
pub fn hash(password: &str) -> String {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .arg("hash-password")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// The test CA's templates and users. `max_request_bytes` is small so
/// that an oversized body is cheap to send.
pub fn config() -> String {
    format!(
        r#"[ca]
common_name = "cepces Test CA"

[service]
max_request_bytes = 65536

[[template]]
name = "User"
validity_days = 30
enroll = ["Staff"]
subject = "directory"
ekus = ["1.3.6.1.5.5.7.3.2"]

[[template]]
name = "Web"
subject = "request"
oid = "1.3.6.1.4.1.311.21.8.99.1"
major_revision = 7
minor_revision = 2
validity_days = 90
enroll = ["Staff"]
ekus = ["1.3.6.1.5.5.7.3.1"]

[[template]]
name = "Approval"
approval = true
enroll = ["Staff"]

[[template]]
name = "Admins"
enroll = ["Administrators"]

# A supplied subject on a client-authentication template, allowed on
# purpose (ESC1 as a test fixture: TLS client certificates must map to the
# CA's record, not to the subject).
[[template]]
name = "Strong"
subject = "request"
allow_supplied_subject_for_authentication = true
minimal_key_length = 3072
enroll = ["Staff"]

[[user]]
name = "alice"
password_hash = "{}"
groups = ["Staff"]

[[user]]
name = "bob"
password_hash = "{}"
groups = ["Staff"]
"#,
        hash(PASSWORD),
        hash(BOB_PASSWORD)
    )
}

/// A running `cepces serve`.
pub struct Server {
    pub child: Child,
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub log: PathBuf,
    /// What it printed after its first line.
    pub printed: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Server {
    /// A server with [`config`] in a new directory.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cepces.toml"), config()).unwrap();
        Self::start_in(dir)
    }

    /// A server on the state directory `dir` (kept: a restart).
    pub fn start_in(dir: tempfile::TempDir) -> Self {
        let config = dir.path().join("cepces.toml");
        Self::launch(dir, &["--config".as_ref(), config.as_os_str()])
    }

    /// A server with the configuration `config`, started with `extra`
    /// arguments (e.g. `--public-url`).
    pub fn start_with(config: &str, extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cepces.toml");
        std::fs::write(&path, config).unwrap();
        let mut args: Vec<&std::ffi::OsStr> = vec!["--config".as_ref(), path.as_os_str()];
        args.extend(extra.iter().map(std::ffi::OsStr::new));
        Self::launch(dir, &args)
    }

    /// A server with the configuration `config` in a new directory and the
    /// environment variables `env` set.
    pub fn start_with_env(config: &str, env: &[(&str, &std::ffi::OsStr)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cepces.toml");
        std::fs::write(&path, config).unwrap();
        Self::launch_with_env(dir, &["--config".as_ref(), path.as_os_str()], env)
    }

    /// Whether the server's log holds `needle` within `seconds` (log lines
    /// come asynchronously).
    pub fn log_has(&self, needle: &str, seconds: u64) -> bool {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        loop {
            if self.log().contains(needle) {
                return true;
            }
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    /// `cepces serve` on `DIR/ca` with `args`, once it listens.
    pub fn launch(dir: tempfile::TempDir, args: &[&std::ffi::OsStr]) -> Self {
        Self::launch_with_env(dir, args, &[])
    }

    /// [`Server::launch`] with environment variables `env` set.
    pub fn launch_with_env(
        dir: tempfile::TempDir,
        args: &[&std::ffi::OsStr],
        env: &[(&str, &std::ffi::OsStr)],
    ) -> Self {
        let log = dir.path().join(format!("serve-{}.log", std::process::id()));
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--dir"])
            .arg(dir.path().join("ca"))
            .args(args)
            .envs(env.iter().copied())
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let Some(first) = lines.next() else {
            let _ = child.wait();
            panic!(
                "serve printed nothing; its log:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        };
        let first = first.unwrap();
        let port = first
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
        // Keep draining stdout so the child never blocks on it.
        let printed = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let keep = std::sync::Arc::clone(&printed);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                keep.lock().unwrap().push(line);
            }
        });
        Self {
            child,
            dir,
            port,
            log,
            printed,
        }
    }

    /// The first line it printed that starts with `prefix` (waiting up to
    /// ten seconds for it).
    pub fn printed_line(&self, prefix: &str) -> String {
        for _ in 0..200 {
            if let Some(l) = self
                .printed
                .lock()
                .unwrap()
                .iter()
                .find(|l| l.starts_with(prefix))
            {
                return l.clone();
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("serve printed no line starting with {prefix:?}")
    }

    /// Stops the server and gives back its directory.
    pub fn stop(mut self) -> tempfile::TempDir {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        let dir = tempfile::TempDir::new().unwrap();
        std::mem::replace(&mut self.dir, dir)
    }

    /// Whether the process is still running.
    pub fn is_alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    pub fn ca_dir(&self) -> PathBuf {
        self.dir.path().join("ca")
    }
    pub fn ca_file(&self) -> PathBuf {
        self.ca_dir().join("ca.pem")
    }
    pub fn base(&self) -> String {
        format!("https://localhost:{}", self.port)
    }
    pub fn cep(&self, auth: &str) -> String {
        format!(
            "{}/ADPolicyProvider_CEP_{auth}/service.svc/CEP",
            self.base()
        )
    }
    pub fn ces(&self, auth: &str) -> String {
        format!("{}/cepces-Test-CA_CES_{auth}/service.svc/CES", self.base())
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `cepces enroll` as alice (or `user`) for `template`, writing
    /// `<name>-key.pem` and `<name>-cert.pem`; `extra` arguments follow.
    pub fn enroll(
        &self,
        user: &str,
        password: &str,
        template: &str,
        name: &str,
        extra: &[&str],
    ) -> Output {
        let mut cmd = Command::new(BIN);
        cmd.args(["enroll", "--quiet", "--cep"])
            .arg(self.cep("UsernamePassword"))
            .arg("--ca-file")
            .arg(self.ca_file())
            .args([
                "--template",
                template,
                "--username",
                user,
                "--password",
                password,
            ])
            .arg("--out-key")
            .arg(self.path(&format!("{name}-key.pem")))
            .arg("--out-cert")
            .arg(self.path(&format!("{name}-cert.pem")))
            .args(extra);
        cmd.output().unwrap()
    }

    /// `cepces renew` at the Certificate endpoint with the certificate
    /// `<name>-cert.pem` (its key as the TLS client key and the signer),
    /// writing `<out>-key.pem` and `<out>-cert.pem`.
    pub fn renew(&self, name: &str, out: &str) -> Output {
        Command::new(BIN)
            .args(["renew", "--quiet", "--cep"])
            .arg(self.cep("Certificate"))
            .arg("--ca-file")
            .arg(self.ca_file())
            .arg("--cert")
            .arg(self.path(&format!("{name}-cert.pem")))
            .arg("--key")
            .arg(self.path(&format!("{name}-key.pem")))
            .arg("--out-key")
            .arg(self.path(&format!("{out}-key.pem")))
            .arg("--out-cert")
            .arg(self.path(&format!("{out}-cert.pem")))
            .output()
            .unwrap()
    }

    /// `cepces <command> --dir <ca> args`.
    pub fn admin(&self, command: &str, args: &[&str]) -> Output {
        Command::new(BIN)
            .arg(command)
            .arg("--dir")
            .arg(self.ca_dir())
            .arg("--config")
            .arg(self.path("cepces.toml"))
            .args(args)
            .output()
            .unwrap()
    }

    /// POSTs `body` with `content_type` to `url` with curl (trusting the
    /// CA); returns (HTTP status, body). `client` is a TLS client
    /// certificate and key.
    pub fn curl(
        &self,
        url: &str,
        content_type: &str,
        body: &[u8],
        client: Option<(&Path, &Path)>,
    ) -> (u16, Vec<u8>) {
        let body_file = self.path(&format!("body-{}", rand_name()));
        std::fs::write(&body_file, body).unwrap();
        let out_file = self.path(&format!("out-{}", rand_name()));
        let mut cmd = Command::new("curl");
        cmd.args(["-sS", "--max-time", "60", "--cacert"])
            .arg(self.ca_file())
            .args([
                "-H",
                &format!("Content-Type: {content_type}"),
                "--data-binary",
            ])
            .arg(format!("@{}", body_file.display()))
            .arg("-o")
            .arg(&out_file)
            .args(["-w", "%{http_code}"]);
        if let Some((cert, key)) = client {
            cmd.arg("--cert").arg(cert).arg("--key").arg(key);
        }
        let out = cmd.arg(url).output().unwrap();
        assert!(
            out.status.success(),
            "curl: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let status = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
        (status, std::fs::read(&out_file).unwrap_or_default())
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn rand_name() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::Relaxed).to_string()
}

/// Kills `b` (SIGKILL) while `clients` clients enroll through it (up to
/// `per_client` each, as alice for `User`), once two certificates went
/// out; what the clients received (request ID and certificate file), and
/// `b`'s directory.
pub fn killed_under_load(
    b: Server,
    clients: usize,
    per_client: usize,
) -> (Vec<(i64, std::path::PathBuf)>, tempfile::TempDir) {
    let b_port = b.port;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let threads: Vec<_> = (0..clients)
        .map(|t| {
            let base = b.path(&format!("load{t}"));
            let ca = b.ca_file();
            let done = std::sync::Arc::clone(&done);
            std::thread::spawn(move || {
                let mut got = Vec::new();
                for n in 0..per_client {
                    let cert = base.with_extension(format!("{n}.pem"));
                    let out = Command::new(BIN)
                        .args(["enroll", "--quiet", "--cep"])
                        .arg(format!(
                            "https://localhost:{b_port}/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP"
                        ))
                        .arg("--ca-file")
                        .arg(&ca)
                        .args(["--template", "User", "--username", "alice", "--password", PASSWORD])
                        .arg("--out-key")
                        .arg(base.with_extension(format!("{n}-key.pem")))
                        .arg("--out-cert")
                        .arg(&cert)
                        .output()
                        .unwrap();
                    if !out.status.success() {
                        break;
                    }
                    let id: i64 = stdout(&out).trim().strip_prefix("issued ").unwrap().parse().unwrap();
                    got.push((id, cert));
                    done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
                got
            })
        })
        .collect();
    // Mid-load: once two certificates went out.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while done.load(std::sync::atomic::Ordering::SeqCst) < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "no enrollment through B"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let b_dir = b.stop(); // SIGKILL
    let acknowledged: Vec<(i64, std::path::PathBuf)> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert!(acknowledged.len() >= 2 && acknowledged.len() < clients * per_client);
    (acknowledged, b_dir)
}

/// `pKIExpirationPeriod`-style interval: `days` as a negative FILETIME
/// count of 100 ns, little-endian, base64 for LDIF.
pub fn interval(days: i64) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode((-days * 86_400 * 10_000_000).to_le_bytes())
}

/// Checks that `cepces list`'s output `listed` has each of
/// `acknowledged` (request ID, certificate file) as Issued with the
/// certificate's serial.
pub fn assert_on_record(listed: &str, acknowledged: &[(i64, PathBuf)]) {
    for (id, cert) in acknowledged {
        let serial = serial_of(cert);
        assert!(
            listed
                .lines()
                .any(|l| l.starts_with(&format!("{id}\tIssued\t")) && l.contains(&serial)),
            "request {id} ({serial}) not on record:\n{listed}"
        );
    }
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `cepces serve` on `ca_dir` with `args` when it is expected to refuse
/// to start: its output once it exits (panics if it is still running
/// after 30 s, i.e. it started).
pub fn serve_refused(ca_dir: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--dir"])
        .arg(ca_dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..300 {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!(
        "serve started instead of refusing: {:?}",
        child.wait_with_output().unwrap()
    );
}

/// Runs `openssl verify -CAfile ca cert`; panics unless it says OK.
pub fn openssl_verify(ca: &Path, cert: &Path) {
    let out = Command::new("openssl")
        .args(["verify", "-CAfile"])
        .arg(ca)
        .arg(cert)
        .output()
        .unwrap();
    assert!(
        out.status.success() && stdout(&out).trim_end().ends_with(": OK"),
        "openssl verify: {}{}",
        stdout(&out),
        stderr(&out)
    );
}

/// `openssl x509 -serial`'s hex serial of the certificate at `path`.
pub fn serial_of(path: &Path) -> String {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-serial", "-in"])
        .arg(path)
        .output()
        .unwrap();
    stdout(&out)
        .trim()
        .strip_prefix("serial=")
        .unwrap()
        .to_owned()
}

/// The first certificate of a PEM file.
pub fn read_cert(path: &Path) -> x509_cert::Certificate {
    use der::DecodePem;
    let pem = std::fs::read_to_string(path).unwrap();
    let first = pem
        .split_inclusive("-----END CERTIFICATE-----\n")
        .next()
        .unwrap();
    x509_cert::Certificate::from_pem(first).unwrap()
}

/// A GetPolicies envelope to `to` with `action`, alice's UsernameToken
/// (password `password`) and MessageID `urn:uuid:...-42`.
pub fn get_policies(to: &str, action: &str, password: &str) -> Vec<u8> {
    format!(
        r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing">
<s:Header>
<a:Action s:mustUnderstand="1">{action}</a:Action>
<a:MessageID>urn:uuid:00000000-0000-4000-8000-000000000042</a:MessageID>
<a:To s:mustUnderstand="1">{to}</a:To>
<o:Security s:mustUnderstand="1" xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
<o:UsernameToken><o:Username>alice</o:Username><o:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">{password}</o:Password></o:UsernameToken>
</o:Security>
</s:Header>
<s:Body><GetPolicies xmlns="http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy"><client><lastUpdate xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/><preferredLanguage xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/></client><requestFilter xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/></GetPolicies></s:Body>
</s:Envelope>"#
    )
    .into_bytes()
}

pub const GET_POLICIES_ACTION: &str =
    "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies";
pub const RST_ACTION: &str =
    "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RST/wstep";
pub const SOAP12: &str = "application/soap+xml; charset=utf-8";

/// The fault subcodes and reason of a SOAP fault answer.
pub fn fault_of(body: &[u8]) -> soap_envelope::Fault {
    let env = soap_envelope::Envelope::<soap_envelope::AnyElement>::from_xml(body)
        .unwrap_or_else(|e| panic!("not an envelope: {e}: {}", String::from_utf8_lossy(body)));
    env.as_fault().cloned().expect("not a fault")
}

/// An Issue RST for `csr_der` (PKCS#10) naming `template` in the
/// `CertificateTemplate` context item.
pub fn issue_rst(csr_der: &[u8], template: &str) -> wstep::RequestSecurityToken {
    wstep::RequestSecurityToken::new(wstep::RequestType::Issue)
        .with_token_type(wstep::actions::TOKEN_TYPE_X509V3)
        .with_binary_security_token(wstep::ValueKind::Pkcs10.token(csr_der))
        .with_additional_context(
            wstep::AdditionalContext::new()
                .with_item(wstep::context_items::CERTIFICATE_TEMPLATE, template),
        )
        .with_request_id(wstep::RequestId::nil())
}

/// A header with `action`, `to` and alice's UsernameToken.
pub fn alice_header(action: &str, to: &str) -> soap_envelope::Header {
    soap_envelope::Header::new()
        .with_action(action)
        .with_message_id("urn:uuid:00000000-0000-4000-8000-000000000007")
        .with_to(to)
        .with_security(soap_envelope::Security::new().with_username_token(
            soap_envelope::UsernameToken::password_text("alice", PASSWORD),
        ))
}

/// `rst` to `server`'s UsernamePassword CES as alice.
pub fn rst_envelope(server: &Server, rst: wstep::RequestSecurityToken) -> Vec<u8> {
    let to = server.ces("UsernamePassword");
    soap_envelope::Envelope::new(
        alice_header(RST_ACTION, &to),
        wstep::WstepMessage::from(rst),
    )
    .to_xml()
    .unwrap()
}
