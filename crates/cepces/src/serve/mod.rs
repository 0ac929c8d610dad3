//! `cepces serve`: a CEP and a CES endpoint over HTTPS for a CA kept in a
//! state directory, and the administrator's `approve`, `deny` and `list`.
//!
//! The state directory holds `ca-key.pem` and `ca.pem` (made on first
//! start), `tls-key.pem` and `tls.pem` (the server's certificate, issued
//! by that CA for `localhost`, 127.0.0.1, ::1 and each `--hostname`),
//! `cepces.toml` (the templates and users; the shipped example is written
//! on first start when `--config` is not given) and `cepces.db` (SQLite:
//! every request, its state and its certificate).

pub mod app;
pub mod config;
pub mod http;
pub mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use rustls::RootCertStore;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use app::{App, StateDir};
use config::{Auth, Service, Urls};

/// Arguments of `cepces serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The state directory (CA key and certificate, database, TLS key).
    #[arg(long, default_value = "cepces-ca")]
    pub dir: PathBuf,
    /// The templates and users (TOML); default `DIR/cepces.toml`.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub listen: SocketAddr,
    /// The base URL clients use (`https://host:port`), written into the
    /// policy's CES URLs; default `https://localhost:PORT`.
    #[arg(long)]
    pub public_url: Option<String>,
    /// More names (or addresses) for the TLS certificate made on first
    /// start.
    #[arg(long = "hostname")]
    pub hostnames: Vec<String>,
}

/// Arguments of `approve`, `deny` and `list`.
#[derive(Debug, Clone, Args)]
pub struct AdminArgs {
    /// The state directory of `serve`.
    #[arg(long, default_value = "cepces-ca")]
    pub dir: PathBuf,
    /// The templates (TOML); default `DIR/cepces.toml`.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// A server that is running.
#[derive(Debug)]
pub struct Running {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// Its endpoints.
    pub urls: Urls,
    /// The CA certificate (PEM file).
    pub ca_file: PathBuf,
    /// The accept loop (abort to stop).
    pub task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// The CEP URL for `auth`.
    pub fn cep_url(&self, auth: Auth) -> String {
        self.urls.url(Service::Cep, auth)
    }
}

/// The rustls provider all of `cepces` uses.
pub fn crypto_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Opens the CA of `dir` for the administrator commands.
pub fn open_admin(args: &AdminArgs) -> Result<App, String> {
    let dir = StateDir {
        root: args.dir.clone(),
    };
    if !dir.ca_cert().exists() {
        return Err(format!(
            "{} holds no CA (run `cepces serve` first)",
            dir.root.display()
        ));
    }
    let config = app::load_config(&dir, args.config.as_deref())?;
    let ca = app::load_or_create_ca(&dir, &config)?;
    let urls = Urls {
        base: "https://localhost".into(),
        ces_name: config.ces_name(),
    };
    App::new(&dir, config, ca, urls)
}

/// Sets up the state directory, binds, and starts serving on the current
/// tokio runtime.
pub async fn start(args: &ServeArgs) -> Result<Running, String> {
    std::fs::create_dir_all(&args.dir).map_err(|e| format!("{}: {e}", args.dir.display()))?;
    let dir = StateDir {
        root: args.dir.clone(),
    };
    let config = app::load_config(&dir, args.config.as_deref())?;
    let ca = app::load_or_create_ca(&dir, &config)?;
    let (key, chain) = app::load_or_create_tls(&dir, &ca, &args.hostnames)?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("listening on {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let urls = Urls {
        base: args.public_url.as_ref().map_or_else(
            || format!("https://localhost:{}", addr.port()),
            |u| u.trim_end_matches('/').to_owned(),
        ),
        ces_name: config.ces_name(),
    };
    let mut roots = RootCertStore::empty();
    let ca_der = crate::pki::to_der(&ca.certificate)?;
    roots
        .add(CertificateDer::from(ca_der))
        .map_err(|e| format!("CA certificate: {e}"))?;
    let provider = crypto_provider();
    let verifier =
        WebPkiClientVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
            .allow_unauthenticated()
            .build()
            .map_err(|e| format!("client verifier: {e}"))?;
    let mut tls = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            chain.into_iter().map(CertificateDer::from).collect(),
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)),
        )
        .map_err(|e| format!("TLS certificate: {e}"))?;
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    let app = Arc::new(App::new(&dir, config, ca, urls.clone())?);
    let task = tokio::spawn(http::serve(
        listener,
        tokio_rustls::TlsAcceptor::from(Arc::new(tls)),
        app,
    ));
    Ok(Running {
        addr,
        urls,
        ca_file: dir.ca_cert(),
        task,
    })
}

/// `cepces serve`: runs until interrupted.
pub fn run(args: &ServeArgs) -> u8 {
    crate::init_logging();
    let runtime = match crate::runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    runtime.block_on(async {
        let running = match start(args).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("cepces serve: {e}");
                return crate::exit::IO;
            }
        };
        println!("listening on https://{}", running.addr);
        for auth in [Auth::UsernamePassword, Auth::Certificate] {
            println!("CEP {:?}: {}", auth, running.urls.url(Service::Cep, auth));
            println!("CES {:?}: {}", auth, running.urls.url(Service::Ces, auth));
        }
        println!("CA certificate: {}", running.ca_file.display());
        let _ = std::io::Write::flush(&mut std::io::stdout());
        let _ = tokio::signal::ctrl_c().await;
        running.task.abort();
        crate::exit::OK
    })
}

/// `cepces approve ID`.
pub fn approve(args: &AdminArgs, id: i64) -> u8 {
    match open_admin(args).and_then(|app| app.approve(id, crate::pki::unix_now())) {
        Ok(cert) => {
            println!(
                "request {id} issued: {} serial {}",
                cert.tbs_certificate.subject,
                crate::pki::serial_hex(&cert)
            );
            crate::exit::OK
        }
        Err(e) => {
            eprintln!("cepces approve: {e}");
            crate::exit::BAD_INPUT
        }
    }
}

/// `cepces deny ID`.
pub fn deny(args: &AdminArgs, id: i64, message: &str) -> u8 {
    match open_admin(args).and_then(|app| app.deny(id, message, crate::pki::unix_now())) {
        Ok(()) => {
            println!("request {id} denied");
            crate::exit::OK
        }
        Err(e) => {
            eprintln!("cepces deny: {e}");
            crate::exit::BAD_INPUT
        }
    }
}

/// `cepces list`.
pub fn list(args: &AdminArgs) -> u8 {
    match open_admin(args).and_then(|app| app.records()) {
        Ok(records) => {
            for r in records {
                println!(
                    "{}\t{:?}\t{}\t{}\t{}",
                    r.id,
                    r.state,
                    r.template,
                    r.principal,
                    r.serial.unwrap_or_default()
                );
            }
            crate::exit::OK
        }
        Err(e) => {
            eprintln!("cepces list: {e}");
            crate::exit::BAD_INPUT
        }
    }
}
