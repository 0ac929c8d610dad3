//! `cepces demo`: a fresh CA on an ephemeral loopback port, and four
//! enrollments against it over real HTTPS: one issued, one pending then
//! approved, one denied, and a renewal of the first. Exits 0 only if every
//! outcome is the expected one and the issued certificates verify against
//! the CA.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use der::Encode;
use x509_cert::Certificate;

use crate::client::{self, Connection, EnrollArgs, Outcome, RenewArgs};
use crate::pki;
use crate::serve::config::Auth;
use crate::serve::{self, AdminArgs, ServeArgs};

/// Arguments of `cepces demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Keep the CA, keys and certificates in this directory (default: a
    /// temporary directory, removed at the end).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// The demo's configuration: three templates and one user.
fn config(password_hash: &str) -> String {
    format!(
        r#"# Written by `cepces demo`.
[ca]
common_name = "cepces Demo CA"

[[template]]
name = "DemoUser"
validity_days = 30
enroll = ["Demo Users"]

[[template]]
name = "DemoApproval"
approval = true
enroll = ["Demo Users"]

[[template]]
name = "DemoAdmin"
enroll = ["Demo Admins"]

[[user]]
name = "alice"
password_hash = "{password_hash}"
groups = ["Demo Users"]
"#
    )
}

fn say(line: &str) {
    println!("demo: {line}");
}

/// A directory for a fresh CA (`DIR/ca`, with a `cepces.toml` for one
/// account with a random password), temporary unless given: what `demo`
/// and `load` start from.
pub(crate) struct Scratch {
    _temp: Option<tempfile::TempDir>,
    /// The directory (given, or temporary and removed on drop).
    pub dir: PathBuf,
    /// `dir/ca`, the CA's state directory.
    pub ca_dir: PathBuf,
    /// The account's password.
    pub password: String,
}

impl Scratch {
    /// `dir` (or a temporary directory) with `ca/cepces.toml` written by
    /// `config` from the password's argon2 hash.
    pub(crate) fn new(dir: Option<&Path>, config: fn(&str) -> String) -> Result<Self, String> {
        let (temp, dir) = if let Some(d) = dir {
            (None, d.to_path_buf())
        } else {
            let t = tempfile::tempdir().map_err(|e| e.to_string())?;
            let d = t.path().to_path_buf();
            (Some(t), d)
        };
        let ca_dir = dir.join("ca");
        std::fs::create_dir_all(&ca_dir).map_err(|e| format!("{}: {e}", ca_dir.display()))?;
        let password = client::message_id()
            .trim_start_matches("urn:uuid:")
            .to_owned();
        let hash = serve::users::hash_password(&password)?;
        serve::files::write_private(&ca_dir.join("cepces.toml"), config(&hash).as_bytes())
            .map_err(|e| e.to_string())?;
        Ok(Self {
            _temp: temp,
            dir,
            ca_dir,
            password,
        })
    }
}

/// Checks that `path` holds a certificate issued and signed by the CA.
fn verify(path: &Path, ca: &Certificate) -> Result<Certificate, String> {
    let pem = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let cert = pki::cert_from_pem(&pem)?;
    verify_issued(&cert, ca).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(cert)
}

/// Checks that `cert` names the CA as its issuer and carries the CA's
/// signature.
pub(crate) fn verify_issued(cert: &Certificate, ca: &Certificate) -> Result<(), String> {
    if cert.tbs_certificate.issuer != ca.tbs_certificate.subject {
        return Err("not issued by the CA".into());
    }
    let tbs = cert.tbs_certificate.to_der().map_err(|e| e.to_string())?;
    wstep::payload::signature::verify(
        &ca.tbs_certificate.subject_public_key_info,
        &cert.signature_algorithm,
        &tbs,
        cert.signature.raw_bytes(),
    )
    .map_err(|e| format!("signature: {e}"))
}

/// `cepces demo`.
pub fn run(args: &DemoArgs) -> u8 {
    let runtime = match crate::runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    match runtime.block_on(demo(args)) {
        Ok(()) => {
            say("all four outcomes as expected; the certificates verify against the CA");
            crate::exit::OK
        }
        Err(e) => {
            eprintln!("cepces demo: FAILED: {e}");
            client::code::FAILED
        }
    }
}

#[allow(clippy::too_many_lines)] // the demo's script, step by step
async fn demo(args: &DemoArgs) -> Result<(), String> {
    let scratch = Scratch::new(args.dir.as_deref(), config)?;
    let (dir, ca_dir, password) = (&scratch.dir, &scratch.ca_dir, &scratch.password);

    say(&format!("starting a fresh CA in {}", ca_dir.display()));
    let running = serve::start(&ServeArgs {
        dir: ca_dir.clone(),
        config: None,
        listen: "127.0.0.1:0".parse().map_err(|e| format!("{e}"))?,
        public_url: None,
        hostnames: Vec::new(),
    })
    .await?;
    let ca_pem = std::fs::read_to_string(&running.ca_file).map_err(|e| e.to_string())?;
    let ca = pki::cert_from_pem(&ca_pem)?;
    say(&format!(
        "serving on https://{} (CA {})",
        running.addr, ca.tbs_certificate.subject
    ));
    let connection = |auth: Auth, wait: u64| Connection {
        ca_file: Some(running.ca_file.clone()),
        wait,
        poll_interval: 1,
        ..Connection::new(running.cep_url(auth))
    };
    let enroll_args = |template: &str, name: &str, wait: u64| EnrollArgs {
        connection: connection(Auth::UsernamePassword, wait),
        template: template.to_owned(),
        username: Some("alice".into()),
        password: Some(password.clone()),
        password_file: None,
        tls_cert: None,
        tls_key: None,
        subject: None,
        dns: Vec::new(),
        key_bits: None,
        out_key: dir.join(format!("{name}-key.pem")),
        out_cert: dir.join(format!("{name}-cert.pem")),
    };

    say("1/4 enroll for DemoUser: expect issued");
    let first = enroll_args("DemoUser", "issued", 0);
    let outcome = client::enroll(&first).await?;
    client::save(&outcome, &first.out_cert)?;
    let first_cert = verify(&first.out_cert, &ca)?;
    say(&format!(
        "issued {} serial {}, verified against the CA",
        first_cert.tbs_certificate.subject,
        pki::serial_hex(&first_cert)
    ));

    say("2/4 enroll for DemoApproval: expect pending, then approved by the administrator");
    let second = enroll_args("DemoApproval", "approved", 60);
    let waiting = tokio::spawn({
        let second = second.clone();
        async move { client::enroll(&second).await }
    });
    let admin = AdminArgs {
        dir: ca_dir.clone(),
        config: None,
    };
    let id = loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if waiting.is_finished() {
            return Err("the approval request ended before it was approved".into());
        }
        let app = serve::open_admin(&admin)?;
        if let Some(r) = app
            .records()
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|r| r.state == serve::store::State::Pending)
        {
            break r.id;
        }
    };
    say(&format!("administrator: cepces approve {id}"));
    let cert = serve::open_admin(&admin)?
        .approve(id, pki::unix_now())
        .map_err(|e| e.to_string())?;
    say(&format!("approved: serial {}", pki::serial_hex(&cert)));
    let outcome = waiting.await.map_err(|e| e.to_string())??;
    client::save(&outcome, &second.out_cert)?;
    verify(&second.out_cert, &ca)?;
    say("the approved certificate was fetched by polling and verified against the CA");

    say("3/4 enroll for DemoAdmin without permission: expect denied");
    match client::enroll(&enroll_args("DemoAdmin", "denied", 0)).await? {
        Outcome::Denied(name, message) if name == "CERTSRV_E_TEMPLATE_DENIED" => {
            say(&format!("denied as expected: {name}: {message}"));
        }
        other => return Err(format!("DemoAdmin: expected a denial, got {other:?}")),
    }

    say("4/4 renew the first certificate, authenticated by it over TLS");
    let renew_args = RenewArgs {
        connection: connection(Auth::Certificate, 0),
        cert: first.out_cert.clone(),
        key: first.out_key.clone(),
        template: None,
        key_bits: None,
        out_key: dir.join("renewed-key.pem"),
        out_cert: dir.join("renewed-cert.pem"),
    };
    let outcome = client::renew(&renew_args).await?;
    client::save(&outcome, &renew_args.out_cert)?;
    let renewed = verify(&renew_args.out_cert, &ca)?;
    say(&format!(
        "renewed: {} serial {} (was {})",
        renewed.tbs_certificate.subject,
        pki::serial_hex(&renewed),
        pki::serial_hex(&first_cert)
    ));
    running.task.abort();
    Ok(())
}
