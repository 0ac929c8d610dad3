//! `cepces serve`: a CEP and a CES endpoint over HTTPS for a CA kept in a
//! state directory, and the administrator's `approve`, `deny` and `list`.
//!
//! The state directory (0700) holds `ca-key.pem` and `ca.pem` (made on
//! the first start in an empty directory, never over existing state),
//! `tls-key.pem` and `tls.pem` (the server's certificate, issued by that
//! CA for `localhost`, 127.0.0.1, ::1 and each `--hostname`),
//! `cepces.toml` (the templates and users; the shipped example, with no
//! user, is written on first start when `--config` is not given) and
//! `cepces.db` (SQLite: every request, its state and its certificate).
//! Keys, the configuration and the database are 0600.

pub mod app;
#[cfg(feature = "directory")]
pub mod directory;
pub mod files;
pub mod http;
pub mod status;
pub mod users;

pub use cepces_server::{config, store};

/// The example configuration that ships with the tool, written into a new
/// state directory by `serve` (and `user add`).
pub const EXAMPLE: &str = include_str!("../../cepces.example.toml");

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use rustls::RootCertStore;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use cepces_server::sqlite::SqliteStore;
use cepces_server::{Parts, PasswordAccounts, Server};
use config::{Auth, Service, Urls};
use files::StateDir;

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
    /// The server answering, which [`reload`] replaces.
    pub current: Arc<http::Current>,
    /// Whether the `…_Kerberos` endpoints are served.
    pub kerberos: bool,
    /// Where the CRL and CA certificate are served over plain HTTP, and
    /// the URL of the CRL.
    pub published: Option<(SocketAddr, String)>,
    /// Where `/health` and `/metrics` are served.
    pub status: Option<SocketAddr>,
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

/// Opens the CA of `dir` for the administrator commands, which never
/// write a configuration or a CA.
pub fn open_admin(args: &AdminArgs) -> Result<Server, String> {
    let dir = StateDir {
        root: args.dir.clone(),
    };
    if !dir.ca_cert().exists() && !dir.ca_key().exists() {
        return Err(app::no_ca(&dir));
    }
    let config = app::load_config(&dir, args.config.as_deref(), false)?;
    let ca = app::load_or_create_ca(&dir, &config, false)?;
    let urls = Urls::new("https://localhost", config.ces_name());
    new_server(&dir, config, ca, urls, false)
}

/// The server of the CA in `dir`: its configuration's templates and
/// accounts, the CA's key, and the records in `DIR/cepces.db`.
fn new_server(
    dir: &StateDir,
    config: config::Config,
    ca: Box<dyn cepces_server::Issuer>,
    urls: Urls,
    serving: bool,
) -> Result<Server, String> {
    let (store, db) = open_store(dir, &config)?;
    let accounts =
        PasswordAccounts::new(config.users.clone(), config.service.max_concurrent_logins)
            .with_verified_cache(config.service.password_cache_seconds);
    let (source, accounts) = sources(&config, Box::new(accounts))?;
    let mut parts = Parts::new(urls, source, accounts, ca, store).with_settings(config.service);
    if let Some(p) = config.publication {
        parts = parts.with_publication(p);
    }
    let parts = match (&config.kerberos, serving) {
        (Some(k), true) => parts.with_negotiate(negotiate(k)?),
        _ => parts,
    };
    Server::new(parts, crate::pki::unix_now()).map_err(|e| format!("{db}: {e}"))
}

/// The record store `config` names (`[store] postgres`), or the state
/// directory's SQLite database; and how to name it in errors.
fn open_store(
    dir: &StateDir,
    config: &config::Config,
) -> Result<(Box<dyn cepces_server::RequestStore>, String), String> {
    if let Some(pg) = &config.store.postgres {
        return open_postgres(pg).map(|s| (s, "[store] postgres".to_owned()));
    }
    let db = dir.db();
    let store = SqliteStore::open(&db).map_err(|e| format!("{}: {e}", db.display()))?;
    Ok((Box::new(store), db.display().to_string()))
}

#[cfg(feature = "postgres")]
fn open_postgres(config: &str) -> Result<Box<dyn cepces_server::RequestStore>, String> {
    cepces_server::postgres::PostgresStore::open(config)
        .map(|s| Box::new(s) as Box<dyn cepces_server::RequestStore>)
        .map_err(|e| format!("[store] postgres: {e}"))
}

#[cfg(not(feature = "postgres"))]
fn open_postgres(_: &str) -> Result<Box<dyn cepces_server::RequestStore>, String> {
    Err("[store] postgres: this cepces was built without the `postgres` feature".into())
}

/// The policy source and the accounts of a server.
type Sources = (
    Box<dyn cepces_server::policy::PolicySource>,
    Box<dyn cepces_server::Authenticator>,
);

/// Where the templates and accounts come from: `[directory]` (falling
/// back to the `[[user]]`s for passwords and accounts it does not have),
/// or the configuration itself.
#[cfg(feature = "directory")]
#[allow(clippy::unnecessary_wraps)] // the same signature as without the feature
fn sources(
    config: &config::Config,
    users: Box<dyn cepces_server::Authenticator>,
) -> Result<Sources, String> {
    let Some(d) = &config.directory else {
        return Ok((Box::new(config.clone()), users));
    };
    let directory = Arc::new(directory::Directory::new(d.clone()));
    Ok((
        Box::new(directory::DirectorySource::new(
            Arc::clone(&directory),
            config.ca.common_name.clone(),
        )),
        Box::new(directory::DirectoryAccounts::new(directory, users)),
    ))
}

#[cfg(not(feature = "directory"))]
fn sources(
    config: &config::Config,
    users: Box<dyn cepces_server::Authenticator>,
) -> Result<Sources, String> {
    if config.directory.is_some() {
        return Err(
            "[directory] is configured, but this cepces was built without the `directory` feature"
                .into(),
        );
    }
    Ok((Box::new(config.clone()), users))
}

/// HTTP Negotiate with the system GSS-API and the configured keytab
/// ([`use_keytab`] has put it in `KRB5_KTNAME`).
#[cfg(feature = "kerberos")]
fn negotiate(k: &config::KerberosConfig) -> Result<cepces_server::Negotiate, String> {
    let acceptor = cepces_server::negotiate::GssAcceptor::new()
        .map_err(|e| format!("[kerberos] keytab {}: {e}", k.keytab.display()))?;
    Ok(
        cepces_server::Negotiate::new(Box::new(acceptor), k.realm.clone(), k.domain.clone())
            .with_channel_binding(k.channel_binding),
    )
}

#[cfg(not(feature = "kerberos"))]
fn negotiate(_: &config::KerberosConfig) -> Result<cepces_server::Negotiate, String> {
    Err("[kerberos] is configured, but this cepces was built without the `kerberos` feature".into())
}

/// GSS-API reads the acceptor's keys from `KRB5_KTNAME`, an environment
/// variable the library reads on its own; setting it in a running
/// process is `unsafe` (other threads may read the environment), so
/// `cepces serve` runs itself again, at once and before any thread
/// starts, with `KRB5_KTNAME=FILE:<keytab>`. Returns only when the
/// variable already names the keytab (or there is none to set).
fn use_keytab(args: &ServeArgs) -> Result<(), String> {
    let dir = StateDir {
        root: args.dir.clone(),
    };
    let Ok(config) = app::load_config(&dir, args.config.as_deref(), false) else {
        // Reported by the normal start.
        return Ok(());
    };
    let Some(k) = config.kerberos else {
        return Ok(());
    };
    let keytab = k
        .keytab
        .canonicalize()
        .map_err(|e| format!("[kerberos] keytab {}: {e}", k.keytab.display()))?;
    let mut vars = vec![("KRB5_KTNAME", format!("FILE:{}", keytab.display()))];
    // The directory is read with the same keys, as a client: MIT takes an
    // initiator's keys from KRB5_CLIENT_KTNAME and keeps the tickets in a
    // cache of this process alone.
    if config
        .directory
        .as_ref()
        .is_some_and(|d| d.bind == config::DirectoryBind::Kerberos)
    {
        vars.push(("KRB5_CLIENT_KTNAME", format!("FILE:{}", keytab.display())));
        vars.push(("KRB5CCNAME", "MEMORY:cepces-directory".to_owned()));
    }
    crate::reexec_with_env(&vars)
}

/// The password the example configuration of earlier versions documented
/// for its user: an account with it is refused at start.
const DOCUMENTED_PASSWORD: &str = "change-me";

/// What `serve` says at start about a configuration: accounts with a
/// documented password (an error), templates that can be abused, and
/// how to add a first user.
fn check_config(
    config: &config::Config,
    dir: &StateDir,
    path: Option<&std::path::Path>,
) -> Result<(), String> {
    use argon2::{PasswordHash, PasswordVerifier};
    for u in &config.users {
        let documented = PasswordHash::new(&u.password_hash).is_ok_and(|h| {
            argon2::Argon2::default()
                .verify_password(DOCUMENTED_PASSWORD.as_bytes(), &h)
                .is_ok()
        });
        if documented {
            return Err(format!(
                "user {:?} has the documented example password {DOCUMENTED_PASSWORD:?}: \
                 refusing to start (set a new one with `cepces user add --force`)",
                u.name
            ));
        }
    }
    for t in &config.templates {
        if let Some(warning) = t.exploitable() {
            tracing::warn!("{warning}");
            eprintln!("cepces serve: WARNING: {warning}");
        } else if t.needs_approval() && !t.approval {
            tracing::warn!(
                template = t.name,
                "the request names the subject of a certificate that authenticates: \
                 every request waits for `cepces approve` (set subject = \"directory\", or \
                 allow_supplied_subject_for_authentication = true to accept the risk)"
            );
        }
    }
    if config.users.is_empty() && config.directory.is_none() {
        let config_arg = path.map_or_else(String::new, |p| format!(" --config {}", p.display()));
        eprintln!(
            "cepces serve: no [[user]] yet: nobody can log in with a password. Add one with\n  \
             cepces user add --dir {}{config_arg} NAME --group GROUP\nand restart.",
            dir.root.display()
        );
    }
    Ok(())
}

/// `max_connections`, lowered to fit the open-file limit (each
/// connection takes one descriptor; the database, the log and the
/// listener need some too).
fn connection_cap(wanted: usize) -> usize {
    const RESERVED: u64 = 64;
    #[cfg(unix)]
    {
        let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile).current;
        if let Some(limit) = limit {
            let fits = usize::try_from(limit.saturating_sub(RESERVED).max(1)).unwrap_or(usize::MAX);
            if fits < wanted {
                tracing::warn!(
                    max_connections = wanted,
                    open_file_limit = limit,
                    serving = fits,
                    "max_connections lowered to fit the open-file limit (raise it with ulimit -n)"
                );
                return fits;
            }
        }
    }
    wanted
}

/// Sets up the state directory, binds, and starts serving on the current
/// tokio runtime.
pub async fn start(args: &ServeArgs) -> Result<Running, String> {
    let dir = StateDir {
        root: args.dir.clone(),
    };
    dir.create()?;
    let config = app::load_config(&dir, args.config.as_deref(), true)?;
    check_config(&config, &dir, args.config.as_deref())?;
    let ca = app::load_or_create_ca(&dir, &config, true)?;
    let (key, chain) = app::load_or_create_tls(&dir, ca.as_ref(), &args.hostnames)?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("listening on {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let urls = Urls::new(
        args.public_url.as_ref().map_or_else(
            || format!("https://localhost:{}", addr.port()),
            |u| u.trim_end_matches('/').to_owned(),
        ),
        config.ces_name(),
    );
    let (tls, binding) = tls_config(ca.as_ref(), key, chain)?;
    let max_connections = connection_cap(config.service.max_connections);
    let status_on = bind_plain(config.service.status_listen, "[service] status_listen").await?;
    let publish_on = bind_plain(
        config.publication.as_ref().and_then(|p| p.listen),
        "[publication] listen",
    )
    .await?;
    let refresh = config.directory.as_ref().map(|d| d.refresh_seconds.max(5));
    // The first read of a directory blocks (ldap3's own runtime): not on
    // this runtime's thread.
    let app = std::thread::scope(|s| {
        s.spawn(|| new_server(&dir, config, ca, urls.clone(), true))
            .join()
            .unwrap_or_else(|_| Err("the server did not start".into()))
    })?;
    let app = Arc::new(app);
    let current = Arc::new(http::Current::new(Arc::clone(&app)));
    if let Some(seconds) = refresh {
        tokio::spawn(refresh_policy(Arc::clone(&current), seconds));
    }
    let kerberos = app.serves_kerberos();
    if app.publication().is_some() {
        tokio::spawn(keep_crl_current(Arc::clone(&current)));
    }
    let published = match (publish_on, app.publication()) {
        (Some(listener), Some(p)) => Some((
            spawn_plain(
                listener,
                &current,
                max_connections,
                http::Plain::Publication,
            )?,
            p.crl_url().to_owned(),
        )),
        _ => None,
    };
    let metrics = Arc::new(status::Metrics::default());
    let status = status_on
        .map(|l| {
            let what = http::Plain::Status(Arc::clone(&metrics));
            spawn_plain(l, &current, max_connections, what)
        })
        .transpose()?;
    dir.warn_exposed(args.config.as_deref());
    let task = tokio::spawn(http::serve(
        listener,
        tokio_rustls::TlsAcceptor::from(Arc::new(tls)),
        Arc::clone(&current),
        max_connections,
        binding,
        metrics,
    ));
    Ok(Running {
        addr,
        urls,
        ca_file: dir.ca_cert(),
        task,
        current,
        kerberos,
        published,
        status,
    })
}

/// The `tls-server-end-point` channel binding of the server's certificate.
type ChannelBinding = Arc<[u8]>;

/// The rustls configuration of the HTTPS listener (client certificates of
/// the CA accepted, not required; HTTP/1.1 only) and the channel binding
/// of its certificate.
fn tls_config(
    ca: &dyn cepces_server::Issuer,
    key: Vec<u8>,
    chain: Vec<Vec<u8>>,
) -> Result<(rustls::ServerConfig, Option<ChannelBinding>), String> {
    let mut roots = RootCertStore::empty();
    let ca_der = crate::pki::to_der(ca.ca_certificate())?;
    roots
        .add(CertificateDer::from(ca_der))
        .map_err(|e| format!("CA certificate: {e}"))?;
    let provider = crypto_provider();
    let verifier =
        WebPkiClientVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
            .allow_unauthenticated()
            .build()
            .map_err(|e| format!("client verifier: {e}"))?;
    // The channel binding of every connection: the leaf's hash.
    let binding = chain
        .first()
        .map(|leaf| cepces_server::negotiate::tls_server_end_point(leaf))
        .transpose()
        .map_err(|e| format!("TLS certificate: {e}"))?
        .map(Arc::from);
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
    Ok((tls, binding))
}

/// A plain-HTTP listener on `listen`, if one is configured.
async fn bind_plain(
    listen: Option<SocketAddr>,
    what: &str,
) -> Result<Option<tokio::net::TcpListener>, String> {
    match listen {
        Some(listen) => tokio::net::TcpListener::bind(listen)
            .await
            .map(Some)
            .map_err(|e| format!("{what} {listen}: {e}")),
        None => Ok(None),
    }
}

/// Serves `what` on `listener` in a task of its own; the address.
fn spawn_plain(
    listener: tokio::net::TcpListener,
    current: &Arc<http::Current>,
    max_connections: usize,
    what: http::Plain,
) -> Result<SocketAddr, String> {
    let on = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(http::serve_plain(
        listener,
        Arc::clone(current),
        max_connections,
        what,
    ));
    Ok(on)
}

/// Every ten minutes, has the current CRL made ([`Server::crl`]): a new
/// one is signed once the old one's overlap begins, whether or not a
/// client asks for it, so that the stored CRL is never one that expired.
async fn keep_crl_current(current: Arc<http::Current>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        tick.tick().await;
        let server = current.get();
        let now = crate::pki::unix_now();
        match tokio::task::spawn_blocking(move || server.crl(now)).await {
            Ok(Some(Ok(crl))) => {
                tracing::debug!(
                    event = "crl_current",
                    number = crl.number,
                    next_update = crl.next_update,
                    "CRL current"
                );
            }
            Ok(Some(Err(e))) => tracing::warn!(event = "crl_failed", error = %e, "no current CRL"),
            Ok(None) => {}
            Err(e) => tracing::warn!(event = "crl_failed", error = %e, "CRL task"),
        }
    }
}

/// Asks the policy source for changes every `seconds`, on the blocking
/// pool (a directory source reads the directory).
async fn refresh_policy(current: Arc<http::Current>, seconds: u64) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(seconds));
    tick.tick().await;
    loop {
        tick.tick().await;
        let server = current.get();
        let now = crate::pki::unix_now();
        match tokio::task::spawn_blocking(move || server.refresh(now)).await {
            Ok(Ok(true)) => tracing::info!(event = "policy_refreshed", "the policy changed"),
            Ok(Ok(false)) => tracing::debug!(event = "policy_unchanged", "the policy is current"),
            Ok(Err(e)) => {
                tracing::warn!(event = "policy_refresh_failed", error = %e, "policy not refreshed");
            }
            Err(e) => tracing::warn!(event = "policy_refresh_failed", error = %e, "refresh task"),
        }
    }
}

/// `cepces serve`: runs until interrupted.
pub fn run(args: &ServeArgs) -> u8 {
    if let Err(e) = use_keytab(args) {
        eprintln!("cepces serve: {e}");
        return crate::exit::IO;
    }
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
        for auth in [Auth::UsernamePassword, Auth::Certificate, Auth::Kerberos] {
            if auth == Auth::Kerberos && !running.kerberos {
                continue;
            }
            println!("CEP {:?}: {}", auth, running.urls.url(Service::Cep, auth));
            println!("CES {:?}: {}", auth, running.urls.url(Service::Ces, auth));
        }
        println!("CA certificate: {}", running.ca_file.display());
        if let Some((on, crl)) = &running.published {
            println!("CRL: {crl} (served on http://{on})");
        }
        if let Some(on) = running.status {
            println!("status: http://{on}/health and /metrics");
        }
        let _ = std::io::Write::flush(&mut std::io::stdout());
        wait_for_signals(args, &running).await;
        running.task.abort();
        crate::exit::OK
    })
}

/// Until SIGINT or SIGTERM: each SIGHUP reloads the configuration
/// ([`reload`]).
async fn wait_for_signals(args: &ServeArgs, running: &Running) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut hup), Ok(mut term)) = (
        signal(SignalKind::hangup()),
        signal(SignalKind::terminate()),
    ) else {
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return,
            _ = term.recv() => return,
            _ = hup.recv() => {
                let args = args.clone();
                let urls = running.urls.clone();
                match tokio::task::spawn_blocking(move || reload(&args, urls)).await {
                    Ok(Ok(app)) => {
                        running.current.set(Arc::new(app));
                        tracing::info!(event = "reloaded", "configuration reloaded: new requests get it");
                    }
                    Ok(Err(e)) => tracing::error!(
                        event = "reload_failed", error = %e,
                        "configuration not reloaded: still serving the previous one"
                    ),
                    Err(e) => tracing::error!(event = "reload_failed", error = %e, "reload task"),
                }
            }
        }
    }
}

/// A server from the configuration as it is now (templates, users,
/// service settings, publication, store), for the CA already in the state
/// directory, at the same `urls`. Listener addresses, TLS and timeouts of
/// the listeners stay as started.
pub fn reload(args: &ServeArgs, urls: Urls) -> Result<Server, String> {
    let dir = StateDir {
        root: args.dir.clone(),
    };
    let config = app::load_config(&dir, args.config.as_deref(), false)?;
    check_config(&config, &dir, args.config.as_deref())?;
    let ca = app::load_or_create_ca(&dir, &config, false)?;
    new_server(&dir, config, ca, urls, true)
}

/// `cepces approve ID`.
pub fn approve(args: &AdminArgs, id: i64) -> u8 {
    match open_admin(args).and_then(|app| {
        app.approve(id, crate::pki::unix_now())
            .map_err(|e| e.to_string())
    }) {
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
    match open_admin(args).and_then(|app| {
        app.deny(id, message, crate::pki::unix_now())
            .map_err(|e| e.to_string())
    }) {
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

/// A revocation reason of `cepces revoke` (RFC 5280 5.3.1; its names are
/// accepted too, `keyCompromise`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Reason {
    /// No reason given (no reason code in the CRL).
    Unspecified,
    /// The certificate's key is compromised.
    #[value(alias = "keyCompromise")]
    KeyCompromise,
    /// The CA's key is compromised.
    #[value(alias = "cACompromise")]
    CaCompromise,
    /// The subject's name or affiliation changed.
    #[value(alias = "affiliationChanged")]
    AffiliationChanged,
    /// Replaced by another certificate.
    #[value(alias = "superseded")]
    Superseded,
    /// No longer needed.
    #[value(alias = "cessationOfOperation")]
    CessationOfOperation,
    /// Suspended: `cepces unrevoke` ends it; `revoke` with another reason
    /// makes it final.
    #[value(alias = "certificateHold")]
    CertificateHold,
    /// The subject's privileges were withdrawn.
    #[value(alias = "privilegeWithdrawn")]
    PrivilegeWithdrawn,
    /// An attribute authority's key is compromised.
    #[value(alias = "aACompromise")]
    AaCompromise,
}

impl From<Reason> for store::CrlReason {
    fn from(r: Reason) -> Self {
        match r {
            Reason::Unspecified => Self::Unspecified,
            Reason::KeyCompromise => Self::KeyCompromise,
            Reason::CaCompromise => Self::CaCompromise,
            Reason::AffiliationChanged => Self::AffiliationChanged,
            Reason::Superseded => Self::Superseded,
            Reason::CessationOfOperation => Self::CessationOfOperation,
            Reason::CertificateHold => Self::CertificateHold,
            Reason::PrivilegeWithdrawn => Self::PrivilegeWithdrawn,
            Reason::AaCompromise => Self::AaCompromise,
        }
    }
}

/// `cepces revoke SERIAL --reason R`.
pub fn revoke(args: &AdminArgs, serial: &str, reason: Reason) -> u8 {
    let now = crate::pki::unix_now();
    let app = match open_admin(args) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("cepces revoke: {e}");
            return crate::exit::BAD_INPUT;
        }
    };
    match app.revoke(serial, reason.into(), now) {
        Ok(store::RevokeOutcome::Revoked) => {
            println!("{serial} revoked ({})", store::reason_name(reason.into()));
            if app.publication().is_none() {
                println!("no [publication] configured: no CRL lists it");
            }
            crate::exit::OK
        }
        Ok(store::RevokeOutcome::AlreadyRevoked(earlier)) => {
            eprintln!(
                "cepces revoke: {serial} was revoked before ({}), which stands",
                store::reason_name(earlier.reason)
            );
            crate::exit::BAD_INPUT
        }
        Ok(_) => {
            eprintln!("cepces revoke: no certificate with serial {serial} was issued by this CA");
            crate::exit::BAD_INPUT
        }
        Err(e) => {
            eprintln!("cepces revoke: {e}");
            crate::exit::BAD_INPUT
        }
    }
}

/// `cepces unrevoke SERIAL`.
pub fn unrevoke(args: &AdminArgs, serial: &str) -> u8 {
    match open_admin(args).and_then(|app| {
        app.release(serial, crate::pki::unix_now())
            .map_err(|e| e.to_string())
    }) {
        Ok(true) => {
            println!("{serial} is no longer on hold");
            crate::exit::OK
        }
        Ok(false) => {
            eprintln!("cepces unrevoke: {serial} is not on hold (certificateHold)");
            crate::exit::BAD_INPUT
        }
        Err(e) => {
            eprintln!("cepces unrevoke: {e}");
            crate::exit::BAD_INPUT
        }
    }
}

/// `cepces list`.
pub fn list(args: &AdminArgs) -> u8 {
    match open_admin(args).and_then(|app| app.records().map_err(|e| e.to_string())) {
        Ok(records) => {
            for r in records {
                let revoked = r.revoked.map_or_else(String::new, |v| {
                    format!("\trevoked {}", store::reason_name(v.reason))
                });
                println!(
                    "{}\t{:?}\t{}\t{}\t{}{revoked}",
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

#[cfg(test)]
mod tests {
    use super::EXAMPLE;
    use super::config::{Auth, Config, Service, SubjectSource, Urls};

    #[test]
    fn the_example_parses_and_gives_a_policy_that_resolves() {
        let config = Config::from_toml(EXAMPLE).unwrap();
        let urls = Urls::new("https://localhost:8443", config.ces_name());
        let policy = config.policy(&[0x30, 0x00], &urls).unwrap();
        let resolved = policy.resolve().unwrap();
        for t in &config.templates {
            assert!(resolved.template_by_name(&t.name).is_some(), "{}", t.name);
        }
        assert_eq!(
            urls.route(&urls.path(Service::Ces, Auth::Certificate)),
            Some((Service::Ces, Auth::Certificate))
        );
        assert_eq!(urls.route("/CES"), None);
        // No account ships: nobody can log in with a documented password.
        assert!(config.users.is_empty());
        // No template of the example can be abused for ESC1.
        for t in &config.templates {
            assert_eq!(t.exploitable(), None, "{}", t.name);
        }
        let user = config.template("User").unwrap();
        assert_eq!(user.subject, SubjectSource::Directory);
        assert!(user.authenticates());
        let web = config.template("WebServer").unwrap();
        assert_eq!(web.subject, SubjectSource::Request);
        assert!(!web.authenticates() && !web.needs_approval());
    }
}
