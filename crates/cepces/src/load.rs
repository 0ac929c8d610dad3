//! `cepces load`: a bounded, self-stopping load generator. It starts
//! `cepces serve` as a child process on a fresh CA on a loopback port,
//! makes every request body before the clock starts (distinct CSRs, so that
//! no answer comes from the replay cache), then sends them from N
//! concurrent keep-alive clients, checks every answer (each certificate
//! against the CA's key, each policy for the template) and prints
//! requests/s, latency percentiles, and the server's CPU time per request
//! and memory, read from `/proc`. With `openssl` on the path it also
//! measures the signature floor (`openssl speed rsa2048`: one signature and
//! one verification per enrollment) in the same minutes and says how close
//! the server comes to it.
//!
//! It stops by itself: after `--requests` requests or `--max-seconds`,
//! whichever comes first, and the child server is stopped in every case.

// Counts and times become f64 only to be printed as rates.
#![allow(clippy::cast_precision_loss)]

use std::fmt::Write as _;
use std::io::Read as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use cepces_enroll::client::{Config, Enrollment, Event, Requirements, Response};
use clap::{Args, ValueEnum};
use soap_envelope::{Envelope, Header, Security, UsernameToken};
use wstep::{
    BinarySecurityTokenExt as _, RequestSecurityToken, RequestType, ValueKind, WstepMessage,
    actions,
};
use x509_cert::Certificate;
use xcep::XcepMessage;
use xcep::flags::ClientAuthentication;

use crate::client::{self, EnrollArgs, Outcome};
use crate::pki;
use crate::serve::config::{Auth, Service, Urls};

/// What each request asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Operation {
    /// An Issue RST with a new CSR: one CSR verification and one signature
    /// on the server.
    Enroll,
    /// GetPolicies.
    Policies,
}

/// How the clients authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LoadAuth {
    /// A TLS client certificate (the `…_Certificate` endpoints).
    Certificate,
    /// A WS-Security UsernameToken (the `…_UsernamePassword` endpoints).
    Password,
}

/// Arguments of `cepces load`.
#[derive(Debug, Clone, Args)]
pub struct LoadArgs {
    /// Concurrent clients, each on its own keep-alive connection.
    #[arg(long, default_value_t = 32)]
    pub clients: usize,
    /// Requests in all.
    #[arg(long, default_value_t = 1000)]
    pub requests: usize,
    /// What the requests ask.
    #[arg(long, value_enum, default_value = "enroll")]
    pub operation: Operation,
    /// How the clients authenticate.
    #[arg(long, value_enum, default_value = "certificate")]
    pub auth: LoadAuth,
    /// Stop sending after this many seconds even if requests are left.
    #[arg(long, default_value_t = 300)]
    pub max_seconds: u64,
    /// The RSA key size of the requests.
    #[arg(long, default_value_t = 2048)]
    pub key_bits: usize,
    /// Keep the CA, its records and the server's log in this (empty or new)
    /// directory (default: a temporary directory, removed at the end).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

fn say(line: &str) {
    println!("load: {line}");
}

/// `cepces load`.
pub fn run(args: &LoadArgs) -> u8 {
    let runtime = match crate::runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    match runtime.block_on(load(args)) {
        Ok(()) => crate::exit::OK,
        Err(e) => {
            eprintln!("cepces load: FAILED: {e}");
            client::code::FAILED
        }
    }
}

/// The CA's configuration: one template, one account.
fn config(password_hash: &str) -> String {
    format!(
        r#"# Written by `cepces load`.
[ca]
common_name = "cepces Load CA"

[[template]]
name = "Load"
validity_days = 30
enroll = ["Load Users"]

[[user]]
name = "load"
password_hash = "{password_hash}"
groups = ["Load Users"]
"#
    )
}

/// The `cepces serve` child, stopped when dropped.
struct Server {
    child: Child,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = rustix::process::kill_process(
            rustix::process::Pid::from_child(&self.child),
            rustix::process::Signal::TERM,
        );
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// Starts `cepces serve` on a free loopback port and waits until it
/// answers; gives the server and its address.
async fn start_server(dir: &Path) -> Result<(Server, String), String> {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))?
        .port();
    let addr = format!("127.0.0.1:{port}");
    let log = dir.join("serve.log");
    let out = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let child = Command::new(exe)
        .args(["serve", "--dir"])
        .arg(dir.join("ca"))
        .args(["--listen", &addr])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("starting cepces serve: {e}"))?;
    let mut server = Server { child, log };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(Some(status)) = server.child.try_wait() {
            return Err(format!(
                "cepces serve ended ({status}):\n{}",
                server.log_tail()
            ));
        }
        if dir.join("ca/ca.pem").exists() && tokio::net::TcpStream::connect(&addr).await.is_ok() {
            return Ok((server, addr));
        }
        if Instant::now() > deadline {
            let tail = server.log_tail();
            drop(server);
            return Err(format!("cepces serve did not answer in 60 s:\n{tail}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A process's CPU time (user + system) and its resident and peak
/// resident memory, from `/proc`.
#[derive(Debug, Clone, Copy)]
struct Usage {
    cpu: Duration,
    rss_kib: u64,
    hwm_kib: u64,
}

fn usage(pid: u32) -> Result<Usage, String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|e| format!("/proc/{pid}/stat: {e}"))?;
    // The fields after the command name, which is in parentheses.
    let rest = stat.rsplit_once(") ").map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of stat(5), 12 and 13 here.
    let hz = rustix::param::clock_ticks_per_second().max(1);
    let cpu = Duration::from_millis((ticks(11) + ticks(12)) * 1000 / hz);
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("/proc/{pid}/status: {e}"))?;
    let kib = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Ok(Usage {
        cpu,
        rss_kib: kib("VmRSS:"),
        hwm_kib: kib("VmHWM:"),
    })
}

/// What the clients need: the URLs, the TLS identity, the account.
struct Target {
    ca: Certificate,
    ca_file: PathBuf,
    cep: String,
    ces: String,
    identity: Option<(Vec<Vec<u8>>, Vec<u8>)>,
    password: Option<String>,
    template: Box<Requirements>,
}

/// The CEP endpoint of `auth` on the server at `addr` (its path does not
/// depend on the CA's name).
fn cep_url(addr: &str, auth: Auth) -> String {
    Urls::new(format!("https://{addr}"), "").url(Service::Cep, auth)
}

/// Enrolls a TLS client certificate (with the password) when the clients
/// use one, then asks the policy once to learn the template's CES URL.
async fn prepare(
    args: &LoadArgs,
    dir: &Path,
    addr: &str,
    password: &str,
) -> Result<Target, String> {
    let ca_file = dir.join("ca/ca.pem");
    let ca = pki::cert_from_pem(&client::read(&ca_file)?)?;
    let identity = if args.auth == LoadAuth::Certificate {
        let enroll = EnrollArgs {
            connection: crate::client::Connection {
                ca_file: Some(ca_file.clone()),
                quiet: true,
                ..crate::client::Connection::new(cep_url(addr, Auth::UsernamePassword))
            },
            template: "Load".into(),
            username: Some("load".into()),
            password: Some(password.to_owned()),
            password_file: None,
            tls_cert: None,
            tls_key: None,
            subject: None,
            dns: Vec::new(),
            key_bits: Some(2048),
            out_key: dir.join("client-key.pem"),
            out_cert: dir.join("client-cert.pem"),
        };
        let outcome = client::enroll(&enroll).await?;
        if !matches!(outcome, Outcome::Issued { .. }) {
            return Err(format!(
                "the client certificate was not issued: {outcome:?}"
            ));
        }
        client::save(&outcome, &enroll.out_cert)?;
        Some(client::tls_identity(&enroll.out_cert, &enroll.out_key)?)
    } else {
        None
    };
    let (auth, cep) = match args.auth {
        LoadAuth::Certificate => (
            ClientAuthentication::CLIENT_CERTIFICATE,
            cep_url(addr, Auth::Certificate),
        ),
        LoadAuth::Password => (
            ClientAuthentication::USERNAME_PASSWORD,
            cep_url(addr, Auth::UsernamePassword),
        ),
    };
    let password = (args.auth == LoadAuth::Password).then(|| password.to_owned());
    let http = client::http_client(Some(&ca_file), identity.clone())?;
    let mut config = Config::new(cep.clone(), client::selector("Load")).with_authentication(auth);
    if let Some(p) = &password {
        config = config.with_username_password("load", p.clone());
    }
    let mut machine = Enrollment::new(config);
    let template = loop {
        if let Some(tx) = machine.poll_transmit(client::now(), &client::message_id()) {
            let (status, content_type, body) = client::send(&http, tx).await?;
            let _ =
                machine.handle_response(client::now(), Response::new(status, &content_type, &body));
        }
        match machine.poll_event() {
            Some(Event::CsrNeeded { requirements }) => break requirements,
            Some(Event::Failed { error }) => return Err(format!("GetPolicies: {error}")),
            Some(_) => {}
            None => return Err("the policy offers no Load template".into()),
        }
    };
    let ces = template
        .endpoints
        .first()
        .map(|e| e.url.clone())
        .ok_or("the Load template has no CES endpoint")?;
    Ok(Target {
        ca,
        ca_file,
        cep,
        ces,
        identity,
        password,
        template,
    })
}

/// The URL the requests go to and their bodies, made before the clock
/// starts.
fn bodies(args: &LoadArgs, target: &Target) -> Result<(String, Vec<bytes::Bytes>), String> {
    let token = target
        .password
        .as_ref()
        .map(|p| UsernameToken::password_text("load", p.clone()));
    let header = |action: &str, to: &str| {
        let mut h = Header::new()
            .with_action(action)
            .with_message_id(client::message_id())
            .with_reply_to_anonymous()
            .with_to(to);
        if let Some(t) = &token {
            h = h.with_security(Security::new().with_username_token(t.clone()));
        }
        h
    };
    let key = match args.operation {
        Operation::Enroll => Some(pki::generate_key(args.key_bits)?),
        Operation::Policies => None,
    };
    let extension = client::template_extension(&target.template)?;
    let bodies = (0..args.requests)
        .map(|i| {
            let body = match &key {
                Some(key) => {
                    let csr = crate::csr::build_csr(
                        key,
                        pki::name_with_cn(&format!("load-{i}"))?,
                        vec![extension.clone()],
                    )?;
                    let rst = RequestSecurityToken::for_template(
                        RequestType::Issue,
                        ValueKind::Pkcs10.token(&csr),
                        target.template.template_name.clone(),
                    );
                    Envelope::new(header(actions::RST, &target.ces), WstepMessage::from(rst))
                        .to_xml()
                }
                None => Envelope::new(
                    header(xcep::GetPolicies::ACTION, &target.cep),
                    XcepMessage::from(xcep::GetPolicies::new(xcep::Client::new())),
                )
                .to_xml(),
            }
            .map_err(|e| e.to_string())?;
            Ok(bytes::Bytes::from(body))
        })
        .collect::<Result<_, String>>()?;
    let url = match args.operation {
        Operation::Enroll => target.ces.clone(),
        Operation::Policies => target.cep.clone(),
    };
    Ok((url, bodies))
}

/// Checks one answer: an issued certificate signed by the CA, or a policy
/// that offers the template.
fn check(operation: Operation, ca: &Certificate, status: u16, body: &[u8]) -> Result<(), String> {
    if status != 200 {
        return Err(format!(
            "HTTP {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        ));
    }
    match operation {
        Operation::Enroll => {
            let env = Envelope::<WstepMessage>::from_xml(body).map_err(|e| e.to_string())?;
            let rstr = match env.payload() {
                Some(WstepMessage::RequestSecurityTokenResponseCollection(c)) => c.response(),
                Some(WstepMessage::RequestSecurityTokenResponse(r)) => Some(r),
                _ => None,
            }
            .ok_or("no RSTR in the answer")?;
            let token = rstr.certificate().ok_or("no certificate in the answer")?;
            let der = token.decode_bytes().map_err(|e| e.to_string())?;
            let cert = wstep::payload::decode_certificate(&der)
                .map_err(|e| e.to_string())?
                .certificate;
            crate::demo::verify_issued(&cert, ca)
        }
        Operation::Policies => {
            let env = Envelope::<XcepMessage>::from_xml(body).map_err(|e| e.to_string())?;
            match env.payload() {
                Some(XcepMessage::GetPoliciesResponse(r))
                    if r.response
                        .iter()
                        .flat_map(|r| r.policies.iter().flatten())
                        .any(|p| p.attributes.common_name.as_deref() == Some("Load")) =>
                {
                    Ok(())
                }
                _ => Err("the policy does not offer the Load template".into()),
            }
        }
    }
}

/// What one client saw.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: Vec<String>,
}

/// Sends the bodies from `clients` concurrent keep-alive connections.
async fn drive(
    args: &LoadArgs,
    target: &Target,
    (url, bodies): (String, Vec<bytes::Bytes>),
) -> Result<(Tally, Duration), String> {
    let (url, bodies) = (Arc::new(url), Arc::new(bodies));
    let next = Arc::new(AtomicUsize::new(0));
    let ca = Arc::new(target.ca.clone());
    let stop_at = Instant::now() + Duration::from_secs(args.max_seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.clients.max(1) {
        // One client each: one keep-alive connection each.
        let http = client::http_client(Some(&target.ca_file), target.identity.clone())?;
        let (url, bodies, next, ca) = (url.clone(), bodies.clone(), next.clone(), ca.clone());
        let operation = args.operation;
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(i) else {
                    break;
                };
                if Instant::now() > stop_at {
                    break;
                }
                let sent = Instant::now();
                let answer = http
                    .post(url.as_str())
                    .header(reqwest::header::CONTENT_TYPE, soap_envelope::CONTENT_TYPE)
                    // A reference count, not a copy of the body.
                    .body(body.clone())
                    .send()
                    .await;
                let result = match answer {
                    Ok(a) => {
                        let status = a.status().as_u16();
                        match a.bytes().await {
                            Ok(b) => {
                                tally.latencies.push(sent.elapsed());
                                // Checked on the blocking pool: the
                                // signature check is CPU work.
                                let ca = ca.clone();
                                tokio::task::spawn_blocking(move || {
                                    check(operation, &ca, status, &b)
                                })
                                .await
                                .unwrap_or_else(|e| Err(e.to_string()))
                            }
                            Err(e) => Err(e.to_string()),
                        }
                    }
                    Err(e) => Err(e.to_string()),
                };
                if let Err(e) = result {
                    tally.errors.push(format!("request {i}: {e}"));
                }
            }
            tally
        }));
    }
    let mut all = Tally::default();
    for t in tasks {
        let t = t.await.map_err(|e| e.to_string())?;
        all.latencies.extend(t.latencies);
        all.errors.extend(t.errors);
    }
    Ok((all, started.elapsed()))
}

/// The `percent` percentile of sorted latencies (nearest rank below).
fn percentile(sorted: &[Duration], percent: usize) -> Duration {
    let i = sorted.len().saturating_sub(1) * percent.min(100) / 100;
    sorted.get(i).copied().unwrap_or_default()
}

/// Signatures and verifications per second on one core, from `openssl
/// speed rsa<bits>`; `None` without openssl.
fn openssl_floor(bits: usize) -> Option<(f64, f64)> {
    let mut child = Command::new("openssl")
        .args(["speed", "-seconds", "2", &format!("rsa{bits}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut out = String::new();
    child.stdout.take()?.read_to_string(&mut out).ok()?;
    child.wait().ok()?;
    // "rsa 2048 bits 0.000536s 0.000016s   1865.3  62499.7"
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("rsa {bits} bits")))?;
    let nums: Vec<f64> = line
        .split_whitespace()
        .filter_map(|w| w.parse::<f64>().ok())
        .collect();
    match nums[..] {
        [_, sign, verify] => Some((sign, verify)),
        _ => None,
    }
}

async fn load(args: &LoadArgs) -> Result<(), String> {
    if args.requests == 0 {
        return Err("--requests must be at least 1".into());
    }
    let scratch = crate::demo::Scratch::new(args.dir.as_deref(), config)?;
    let (dir, ca_dir, password) = (&scratch.dir, &scratch.ca_dir, &scratch.password);
    let (server, addr) = start_server(dir).await?;
    say(&format!(
        "cepces serve (pid {}) on https://{addr}, a fresh CA in {}",
        server.pid(),
        ca_dir.display()
    ));
    let target = prepare(args, dir, &addr, password).await?;
    let (what, auth) = names(args);
    say(&format!(
        "making {} request bodies ({what}, {auth}{})",
        args.requests,
        if args.operation == Operation::Enroll {
            format!(", RSA-{} CSRs", args.key_bits)
        } else {
            String::new()
        }
    ));
    let bodies = bodies(args, &target)?;
    let before = usage(server.pid())?;
    let (mut tally, elapsed) = drive(args, &target, bodies).await?;
    let after = usage(server.pid())?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let idle = usage(server.pid())?;
    tally.latencies.sort_unstable();
    let report = report(args, &tally, elapsed, [before, after, idle]);
    let done = tally.latencies.len();
    for line in report.lines() {
        say(line);
    }
    for e in tally.errors.iter().take(5) {
        eprintln!("cepces load: {e}");
    }
    drop(server);
    if !tally.errors.is_empty() {
        return Err(format!("{} of {done} requests failed", tally.errors.len()));
    }
    if done < args.requests {
        return Err(format!(
            "only {done} of {} requests were sent in --max-seconds {}",
            args.requests, args.max_seconds
        ));
    }
    Ok(())
}

/// The report: rate and latency, the server's CPU and memory (`usage`
/// before, right after and 3 s after the run), the floor, the errors.
fn report(args: &LoadArgs, tally: &Tally, elapsed: Duration, usage: [Usage; 3]) -> String {
    let [before, after, idle] = usage;
    let (what, auth) = names(args);
    let done = tally.latencies.len();
    let cpu = after.cpu.saturating_sub(before.cpu);
    let per_request = cpu.as_secs_f64() / done.max(1) as f64;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut report = String::new();
    let _ = writeln!(
        report,
        "{done} {what} ({auth}, {} clients) in {:.2} s: {:.1}/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        args.clients,
        elapsed.as_secs_f64(),
        done as f64 / elapsed.as_secs_f64(),
        ms(percentile(&tally.latencies, 50)),
        ms(percentile(&tally.latencies, 99)),
        ms(percentile(&tally.latencies, 100)),
    );
    let per_core = if per_request > 0.0 {
        1.0 / per_request
    } else {
        f64::INFINITY
    };
    let _ = writeln!(
        report,
        "server CPU {:.2} s: {:.3} ms per request, {per_core:.0} per core-second; \
         RSS {} MiB before, peak {} MiB, {} MiB after 3 s idle",
        cpu.as_secs_f64(),
        per_request * 1000.0,
        before.rss_kib / 1024,
        after.hwm_kib / 1024,
        idle.rss_kib / 1024,
    );
    if args.operation == Operation::Enroll
        && let Some((sign, verify)) = openssl_floor(args.key_bits)
    {
        let floor = 1.0 / (1.0 / sign + 1.0 / verify);
        let _ = writeln!(
            report,
            "floor (openssl speed rsa{}: {sign:.0} sign/s, {verify:.0} verify/s): \
             {floor:.0} enrollments per core-second; the server is at {:.1} % of it",
            args.key_bits,
            100.0 * per_core / floor,
        );
    }
    let _ = write!(
        report,
        "{} errors; every answer checked ({})",
        tally.errors.len(),
        match args.operation {
            Operation::Enroll => "certificate issued and signed by the CA",
            Operation::Policies => "policy offers the template",
        }
    );
    report
}

/// What the requests are and how they authenticate, in words.
fn names(args: &LoadArgs) -> (&'static str, &'static str) {
    let what = match args.operation {
        Operation::Enroll => "enrollments",
        Operation::Policies => "GetPolicies",
    };
    let auth = match args.auth {
        LoadAuth::Certificate => "TLS client certificate",
        LoadAuth::Password => "UsernameToken",
    };
    (what, auth)
}
