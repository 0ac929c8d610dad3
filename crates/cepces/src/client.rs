//! `cepces enroll` and `cepces renew`: the HTTPS side of the no-IO
//! [`cepces_enroll::client::Enrollment`] machine. This module owns the
//! sockets (reqwest over rustls), the clock, the message IDs and the keys.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use cepces_enroll::client::{
    Config, Enrollment, Event, Mode, Requirements, Response, TemplateExtension, TemplateSelector,
};
use clap::Args;
use der::{Decode, Encode};
use rsa::RsaPrivateKey;
use rustls::RootCertStore;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use soap_envelope::xsd::DateTime;
use x509_cert::Certificate;
use xcep::flags::ClientAuthentication;

use crate::pki;

/// Exit codes of `enroll` and `renew` besides [`crate::exit`].
pub mod code {
    /// The request is pending (its ID is printed).
    pub const PENDING: u8 = 3;
    /// The CA denied the request (the HRESULT name is printed).
    pub const DENIED: u8 = 4;
    /// The enrollment failed (transport, protocol, chain check).
    pub const FAILED: u8 = 5;
}

/// The connection options both commands share.
#[derive(Debug, Clone, Args)]
pub struct Connection {
    /// The CEP (policy) URL, e.g.
    /// `https://cep.example.com/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP`.
    #[arg(long)]
    pub cep: String,
    /// PEM certificates to trust for HTTPS (default: the system's roots).
    #[arg(long)]
    pub ca_file: Option<PathBuf>,
    /// Poll a pending request until issued or denied, for up to this many
    /// seconds.
    #[arg(long, default_value_t = 0)]
    pub wait: u64,
    /// Seconds between polls of a pending request.
    #[arg(long, default_value_t = 5)]
    pub poll_interval: u64,
    /// Do not print progress lines.
    #[arg(long)]
    pub quiet: bool,
    /// Authenticate with Kerberos (HTTP Negotiate, `…_CEP_Kerberos`
    /// endpoints): the default credential cache's ticket, or `--keytab`'s.
    #[arg(long)]
    pub kerberos: bool,
    /// A keytab to get the Kerberos ticket from (a machine's, with
    /// `--principal 'HOST$@REALM'`).
    #[arg(long, requires = "kerberos")]
    pub keytab: Option<PathBuf>,
    /// The Kerberos principal to authenticate as (default: the credential
    /// cache's, or the keytab's first).
    #[arg(long, requires = "kerberos")]
    pub principal: Option<String>,
    /// Principals to try after `principal`, in order (the certmonger
    /// helper's configured `principals`): the first the keytab has.
    #[arg(skip)]
    #[cfg_attr(not(feature = "kerberos"), allow(dead_code))]
    pub principals: Vec<String>,
}

impl Connection {
    /// Options for `cep` and nothing else.
    pub fn new(cep: impl Into<String>) -> Self {
        Self {
            cep: cep.into(),
            ca_file: None,
            wait: 0,
            poll_interval: 5,
            quiet: false,
            kerberos: false,
            keytab: None,
            principal: None,
            principals: Vec::new(),
        }
    }
}

/// Arguments of `cepces enroll`.
#[derive(Debug, Clone, Args)]
pub struct EnrollArgs {
    /// Where to connect.
    #[command(flatten)]
    pub connection: Connection,
    /// The template's name (`commonName`) or OID.
    #[arg(long)]
    pub template: String,
    /// The user name for a UsernameToken (UsernamePassword endpoints).
    #[arg(long)]
    pub username: Option<String>,
    /// The password (prefer `--password-file` or `CEPCES_PASSWORD`).
    #[arg(long, env = "CEPCES_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// A file whose first line is the password.
    #[arg(long)]
    pub password_file: Option<PathBuf>,
    /// A TLS client certificate (PEM) for Certificate endpoints.
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The TLS client certificate's key (PKCS#8 PEM).
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// The request's subject, e.g. `CN=host.example.com,O=Example`
    /// (default `CN=<username>`).
    #[arg(long)]
    pub subject: Option<String>,
    /// DNS names for a subjectAltName extension.
    #[arg(long = "dns")]
    pub dns: Vec<String>,
    /// RSA key size (default: the template's minimum, at least 2048).
    #[arg(long)]
    pub key_bits: Option<usize>,
    /// Where to write the new key (PKCS#8 PEM, mode 0600).
    #[arg(long, default_value = "key.pem")]
    pub out_key: PathBuf,
    /// Where to write the certificate (PEM; the chain follows it).
    #[arg(long, default_value = "cert.pem")]
    pub out_cert: PathBuf,
}

/// Arguments of `cepces renew`.
#[derive(Debug, Clone, Args)]
pub struct RenewArgs {
    /// Where to connect.
    #[command(flatten)]
    pub connection: Connection,
    /// The certificate to renew (PEM); also the TLS client certificate.
    #[arg(long)]
    pub cert: PathBuf,
    /// Its key (PKCS#8 PEM).
    #[arg(long)]
    pub key: PathBuf,
    /// The template (default: the one named in the certificate).
    #[arg(long)]
    pub template: Option<String>,
    /// RSA key size of the new key.
    #[arg(long)]
    pub key_bits: Option<usize>,
    /// Where to write the new key.
    #[arg(long, default_value = "renewed-key.pem")]
    pub out_key: PathBuf,
    /// Where to write the new certificate.
    #[arg(long, default_value = "renewed-cert.pem")]
    pub out_cert: PathBuf,
}

/// How an enrollment ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Issued: the certificate and chain (DER), and the request ID.
    Issued {
        /// The certificate.
        certificate: Vec<u8>,
        /// The chain the CES returned.
        chain: Vec<Vec<u8>>,
        /// The request ID, if the CES gave one.
        request_id: Option<String>,
    },
    /// Still pending after `--wait`: the request ID, and where to ask
    /// about it ([`Enrollment::query_url`]).
    Pending {
        /// The CA's request ID.
        request_id: String,
        /// The CES URL to ask at.
        query_url: Option<String>,
    },
    /// Denied: HRESULT name (or hex) and message.
    Denied(String, String),
}

/// Prints progress lines to standard error.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    quiet: bool,
}

impl Progress {
    /// A printer; `quiet` prints nothing.
    pub fn new(quiet: bool) -> Self {
        Self { quiet }
    }

    /// One line.
    pub fn step(self, line: &str) {
        if !self.quiet {
            eprintln!("cepces: {line}");
        }
    }
}

/// A random `urn:uuid:` (version 4) for a `MessageID`.
pub fn message_id() -> String {
    let mut b = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = pki::hex(&b).to_ascii_lowercase();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

pub(crate) fn now() -> DateTime {
    DateTime::from_unix(pki::unix_now(), 0)
}

/// An HTTPS client trusting `ca_file` (else the system roots), with an
/// optional TLS client certificate (chain DER, PKCS#8 key DER).
pub fn http_client(
    ca_file: Option<&Path>,
    client_auth: Option<(Vec<Vec<u8>>, Vec<u8>)>,
) -> Result<reqwest::Client, String> {
    let mut roots = RootCertStore::empty();
    match ca_file {
        Some(path) if path.is_dir() => {
            // A directory of PEM files (`/etc/ssl/certs`): every file that
            // holds certificates; others (hash links to the same files,
            // CRLs, READMEs) add nothing or are skipped.
            let entries =
                std::fs::read_dir(path).map_err(|e| format!("{}: {e}", path.display()))?;
            for entry in entries.flatten() {
                let Ok(pem) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                for cert in pki::certs_from_pem(&pem).unwrap_or_default() {
                    if let Ok(der) = pki::to_der(&cert) {
                        let _ = roots.add(CertificateDer::from(der));
                    }
                }
            }
            if roots.is_empty() {
                return Err(format!("{}: no PEM certificates in it", path.display()));
            }
        }
        Some(path) => {
            let pem =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            for cert in pki::certs_from_pem(&pem)? {
                roots
                    .add(CertificateDer::from(pki::to_der(&cert)?))
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
        }
    }
    let builder = rustls::ClientConfig::builder_with_provider(crate::serve::crypto_provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots);
    let mut tls = match client_auth {
        Some((chain, key)) => builder
            .with_client_auth_cert(
                chain.into_iter().map(CertificateDer::from).collect(),
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)),
            )
            .map_err(|e| format!("TLS client certificate: {e}"))?,
        None => builder.with_no_client_auth(),
    };
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    tls.client_auth_cert_resolver = Arc::new(NoticeCertificateRequest(Arc::clone(
        &tls.client_auth_cert_resolver,
    )));
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        // The server's certificate, for Kerberos channel bindings.
        .tls_info(true)
        .timeout(Duration::from_secs(120))
        .connect_timeout(Duration::from_secs(20))
        .build()
        .map_err(|e| format!("HTTP client: {e}"))
}

/// The machine's poll interval for `--poll-interval` (at least 1 s).
fn poll_interval(connection: &Connection) -> u32 {
    u32::try_from(connection.poll_interval.max(1)).unwrap_or(u32::MAX)
}

/// Sends `tx` and gives the answer's status, content type and body; an
/// answer that is no SOAP reply (401, an HTML page, ...) or no answer at
/// all is an error saying what to do about it.
pub async fn send(
    http: &reqwest::Client,
    tx: cepces_enroll::client::Transmit,
) -> Result<(u16, String, bytes::Bytes), String> {
    let answer = http
        .post(&tx.url)
        .header(reqwest::header::CONTENT_TYPE, tx.content_type)
        .body(tx.body)
        .send()
        .await
        .map_err(|e| transport_error(&tx.url, &e))?;
    read_answer(&tx.url, answer).await
}

/// HTTP Negotiate for one run: the system GSS-API (feature `kerberos`).
#[cfg(feature = "kerberos")]
pub type Negotiator = crate::negotiate::Negotiator;
/// HTTP Negotiate is not built in without the `kerberos` feature.
#[cfg(not(feature = "kerberos"))]
#[derive(Debug)]
pub enum Negotiator {}

impl Negotiator {
    /// The negotiator `connection` asks for (`--kerberos`), if any.
    #[allow(clippy::unnecessary_wraps)] // fails without the feature
    pub fn for_connection(connection: &Connection) -> Result<Option<Self>, String> {
        if !connection.kerberos {
            return Ok(None);
        }
        #[cfg(feature = "kerberos")]
        return Ok(Some(crate::negotiate::Negotiator::new(
            connection
                .principal
                .iter()
                .chain(&connection.principals)
                .cloned()
                .collect(),
        )));
        #[cfg(not(feature = "kerberos"))]
        Err("--kerberos: this cepces was built without the `kerberos` feature".into())
    }
}

/// [`send`] with HTTP Negotiate: a first request without a token learns
/// the server's certificate (its 401 asks for Negotiate), then the
/// request goes with a token bound to it, and the server's answer must
/// authenticate the server.
pub async fn send_negotiated(
    http: &reqwest::Client,
    tx: cepces_enroll::client::Transmit,
    negotiator: Option<&Negotiator>,
) -> Result<(u16, String, bytes::Bytes), String> {
    let Some(negotiator) = negotiator else {
        return send(http, tx).await;
    };
    #[cfg(not(feature = "kerberos"))]
    match *negotiator {}
    #[cfg(feature = "kerberos")]
    {
        let host = reqwest::Url::parse(&tx.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .ok_or_else(|| format!("{}: no host", tx.url))?;
        if negotiator.binding(&host).is_none() {
            let first = http
                .post(&tx.url)
                .header(reqwest::header::CONTENT_TYPE, tx.content_type)
                .body(tx.body.clone())
                .send()
                .await
                .map_err(|e| transport_error(&tx.url, &e))?;
            if let Some(cert) = first
                .extensions()
                .get::<reqwest::tls::TlsInfo>()
                .and_then(reqwest::tls::TlsInfo::peer_certificate)
            {
                negotiator.learn(&host, cert)?;
            }
            if first.status() != reqwest::StatusCode::UNAUTHORIZED {
                return Err(format!(
                    "{}: HTTP {} without Kerberos: not a Kerberos endpoint",
                    tx.url,
                    first.status().as_u16()
                ));
            }
        }
        let (pending, token) = negotiator.start(&host, negotiator.binding(&host).as_deref())?;
        let authorization = cepces_server::negotiate::header_value(&token);
        let answer = http
            .post(&tx.url)
            .header(reqwest::header::CONTENT_TYPE, tx.content_type)
            .header(reqwest::header::AUTHORIZATION, authorization)
            .body(tx.body)
            .send()
            .await
            .map_err(|e| transport_error(&tx.url, &e))?;
        if answer.status() == reqwest::StatusCode::UNAUTHORIZED {
            return Err(format!(
                "{}: the server refused our Kerberos ticket (HTTP 401)",
                tx.url
            ));
        }
        pending
            .finish(
                answer
                    .headers()
                    .get(reqwest::header::WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok()),
            )
            .map_err(|e| format!("{}: {e}", tx.url))?;
        read_answer(&tx.url, answer).await
    }
}

/// The status, content type and body of `answer`.
async fn read_answer(
    url: &str,
    answer: reqwest::Response,
) -> Result<(u16, String, bytes::Bytes), String> {
    let status = answer.status().as_u16();
    let content_type = answer
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if let Some(message) = http_error(url, status, &content_type) {
        return Err(message);
    }
    let body = answer
        .bytes()
        .await
        .map_err(|e| format!("{url}: {}", error_chain(&e)))?;
    Ok((status, content_type, body))
}

/// What the caller signs when the machine asks for a request.
pub type MakeRequest<'a> = dyn FnMut(&Requirements) -> Result<Vec<u8>, String> + Send + 'a;

#[allow(clippy::too_many_lines)] // one match over the machine's events
/// Drives `machine` to its end over `http`; `make_request` gives the DER
/// (PKCS#10, or PKCS#7 for a renewal) for the template's requirements.
pub async fn drive(
    http: &reqwest::Client,
    mut machine: Enrollment,
    make_request: &mut MakeRequest<'_>,
    connection: &Connection,
    progress: Progress,
    renewal: bool,
) -> Result<Outcome, String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(connection.wait);
    let negotiator = Negotiator::for_connection(connection)?;
    loop {
        while let Some(tx) = machine.poll_transmit(now(), &message_id()) {
            let what = if tx.action == wstep::actions::RST {
                "RequestSecurityToken"
            } else {
                tx.action.rsplit('/').next().unwrap_or(tx.action)
            };
            progress.step(&format!("{what} -> {}", tx.url));
            let (status, content_type, body) =
                send_negotiated(http, tx, negotiator.as_ref()).await?;
            // Failures also arrive as Event::Failed below.
            let _ = machine.handle_response(now(), Response::new(status, &content_type, &body));
        }
        let mut progressed = false;
        while let Some(event) = machine.poll_event() {
            progressed = true;
            match event {
                Event::PolicyReceived { merge } => {
                    progress.step(&format!("policy received ({merge:?})"));
                }
                Event::CsrNeeded { requirements } => {
                    progress.step(&format!(
                        "template {} ({}): {} key of at least {} bits, CES {}",
                        requirements.template_name,
                        requirements.template_oid,
                        requirements
                            .key_algorithm
                            .as_ref()
                            .and_then(|a| a.name.clone())
                            .unwrap_or_else(|| "RSA".into()),
                        requirements.minimal_key_length,
                        requirements
                            .endpoints
                            .first()
                            .map_or("-", |e| e.url.as_str())
                    ));
                    let der = make_request(&requirements)?;
                    let result = if renewal {
                        machine.provide_renewal_request(&der)
                    } else {
                        machine.provide_csr(&der)
                    };
                    result.map_err(|e| e.to_string())?;
                }
                Event::Pending {
                    request_id,
                    message,
                    ..
                } => {
                    progress.step(&format!(
                        "request {request_id} is pending{}; asking at {}",
                        message.map(|m| format!(": {m}")).unwrap_or_default(),
                        machine.query_url().unwrap_or("-")
                    ));
                    // The machine says when to ask again; we own the clock.
                    let wait = machine
                        .poll_timeout()
                        .map_or(0, |t| t.to_unix().saturating_sub(now().to_unix()));
                    let wait = Duration::from_secs(u64::try_from(wait).unwrap_or(0));
                    if std::time::Instant::now() >= deadline {
                        return Ok(Outcome::Pending {
                            request_id,
                            query_url: machine.query_url().map(str::to_owned),
                        });
                    }
                    let left = deadline.saturating_duration_since(std::time::Instant::now());
                    tokio::time::sleep(wait.min(left)).await;
                    if wait > left {
                        // --wait ends before the next poll: ask a last time.
                        machine.query_pending().map_err(|e| e.to_string())?;
                    } else {
                        machine.handle_timeout(now());
                    }
                }
                Event::Issued {
                    certificate,
                    chain,
                    check,
                } => {
                    progress.step(&format!("issued; chain check: {check:?}"));
                    let der = |c: &x509_cert::Certificate| {
                        der::Encode::to_der(c).map_err(|e| e.to_string())
                    };
                    return Ok(Outcome::Issued {
                        certificate: der(&certificate)?,
                        chain: chain.iter().map(der).collect::<Result<_, _>>()?,
                        request_id: machine.request_id().map(str::to_owned),
                    });
                }
                Event::Denied {
                    hresult,
                    name,
                    message,
                    ..
                } => {
                    let name = name
                        .map(str::to_owned)
                        .or_else(|| hresult.map(|h| h.to_string()));
                    return Ok(Outcome::Denied(
                        name.unwrap_or_else(|| "denied".into()),
                        message,
                    ));
                }
                Event::Failed { error } => return Err(error.to_string()),
                other => progress.step(&format!("{other:?}")),
            }
        }
        if !progressed {
            return Err(format!(
                "the enrollment stopped in state {:?}",
                machine.state()
            ));
        }
    }
}

/// The error for an HTTP answer the machine should not read: any status
/// but 200 whose body is not SOAP 1.2 (`application/soap+xml`; only a 500
/// carries a SOAP fault), worded for the person at the keyboard: what the
/// status means here and what to check. `None` for an answer to read.
pub fn http_error(url: &str, status: u16, content_type: &str) -> Option<String> {
    let soap = content_type
        .split(';')
        .next()
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/soap+xml"));
    if status == 200 || (status == 500 && soap) {
        return None;
    }
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let hint = match status {
        401 => "wrong user name or password?".to_owned(),
        403 => "access denied: is the account permitted to enroll here, or was the TLS client certificate not accepted?".to_owned(),
        404 => format!(
            "wrong endpoint path? (tried {})",
            url_path(url)
        ),
        407 => "the proxy wants credentials".to_owned(),
        _ if content_type.is_empty() => "not a SOAP answer".to_owned(),
        _ => format!("not a SOAP answer ({content_type})"),
    };
    Some(format!("{url}: {status} {reason}: {hint}"))
}

/// The path (with query) of `url`, `/` when it has none.
fn url_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or("/", |i| &rest[i..])
}

/// The error for a request that got no HTTP answer; a TLS handshake the
/// server refused over the client certificate says so.
fn transport_error(url: &str, e: &reqwest::Error) -> String {
    let chain = error_chain(e);
    if client_certificate_refused(e) {
        return format!(
            "{url}: the server refused the TLS handshake over the client certificate: it wants one it accepts (give --tls-cert and --tls-key, or use a certificate its CA trusts) ({chain})"
        );
    }
    format!("{url}: {chain}")
}

/// Set once a server asked this process for a TLS client certificate:
/// then a TLS 1.2 `handshake_failure` alert (what OpenSSL and others send
/// for a missing or refused certificate) is about the certificate too.
static CERTIFICATE_REQUESTED: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// The client-certificate resolver, noting that the server asked.
#[derive(Debug)]
struct NoticeCertificateRequest(Arc<dyn rustls::client::ResolvesClientCert>);

impl rustls::client::ResolvesClientCert for NoticeCertificateRequest {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        sigschemes: &[rustls::SignatureScheme],
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        CERTIFICATE_REQUESTED.store(true, std::sync::atomic::Ordering::Relaxed);
        self.0.resolve(root_hint_subjects, sigschemes)
    }

    fn has_certs(&self) -> bool {
        self.0.has_certs()
    }
}

/// Whether a TLS alert the server sent in `e`'s chain is about the client
/// certificate (missing, bad, unknown issuer, ...).
fn client_certificate_refused(e: &(dyn std::error::Error + 'static)) -> bool {
    use rustls::AlertDescription as A;
    let mut source = Some(e);
    while let Some(inner) = source {
        // hyper wraps the TLS error in an io::Error, sometimes in two:
        // io::Error's `source` skips the wrapped error, so unwrap by hand.
        let mut tls = inner.downcast_ref::<rustls::Error>();
        let mut io = inner.downcast_ref::<std::io::Error>();
        while tls.is_none() {
            let Some(wrapped) = io.and_then(std::io::Error::get_ref) else {
                break;
            };
            tls = wrapped.downcast_ref::<rustls::Error>();
            io = wrapped.downcast_ref::<std::io::Error>();
        }
        if let Some(rustls::Error::AlertReceived(alert)) = tls
            && (matches!(
                alert,
                A::CertificateRequired
                    | A::BadCertificate
                    | A::UnsupportedCertificate
                    | A::CertificateRevoked
                    | A::CertificateExpired
                    | A::CertificateUnknown
                    | A::UnknownCA
                    | A::AccessDenied
            ) || (*alert == A::HandshakeFailure
                && CERTIFICATE_REQUESTED.load(std::sync::atomic::Ordering::Relaxed)))
        {
            return true;
        }
        source = inner.source();
    }
    false
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}

/// The template extension the requirements name.
pub fn template_extension(req: &Requirements) -> Result<x509_cert::ext::Extension, String> {
    match &req.template_extension {
        TemplateExtension::Info { oid, major, minor } => pki::extension(
            pki::TEMPLATE_INFO,
            false,
            &wstep::payload::TemplateInfo {
                template_id: oid
                    .parse()
                    .map_err(|e| format!("template OID {oid}: {e}"))?,
                major_version: Some(*major),
                minor_version: Some(*minor),
            },
        ),
        TemplateExtension::Name(name) => {
            let bmp = der::asn1::BmpString::from_utf8(name).map_err(|e| e.to_string())?;
            pki::extension(pki::TEMPLATE_NAME, false, &bmp)
        }
        other => Err(format!("unsupported template extension {other:?}")),
    }
}

fn key_bits(requested: Option<usize>, req: &Requirements) -> usize {
    requested.unwrap_or_else(|| {
        usize::try_from(req.minimal_key_length)
            .unwrap_or(2048)
            .max(2048)
    })
}

pub(crate) fn selector(template: &str) -> TemplateSelector {
    if template.parse::<const_oid::ObjectIdentifier>().is_ok() {
        TemplateSelector::Oid(template.to_owned())
    } else {
        TemplateSelector::Name(template.to_owned())
    }
}

pub(crate) fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes the certificate and chain as PEM.
fn write_certificate(path: &Path, certificate: &[u8], chain: &[Vec<u8>]) -> Result<(), String> {
    let mut pem = String::new();
    let mut seen = Vec::new();
    for der in std::iter::once(certificate).chain(chain.iter().map(Vec::as_slice)) {
        if seen.contains(&der) {
            continue;
        }
        seen.push(der);
        let cert = Certificate::from_der(der).map_err(|e| format!("certificate: {e}"))?;
        pem.push_str(&pki::cert_to_pem(&cert)?);
    }
    std::fs::write(path, pem).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reports an outcome; returns the exit code.
fn finish(outcome: Result<Outcome, String>, out_cert: &Path, progress: Progress) -> u8 {
    match outcome {
        Ok(Outcome::Issued {
            certificate,
            chain,
            request_id,
        }) => match write_certificate(out_cert, &certificate, &chain) {
            Ok(()) => {
                let subject = Certificate::from_der(&certificate)
                    .map(|c| c.tbs_certificate.subject.to_string())
                    .unwrap_or_default();
                progress.step(&format!(
                    "wrote {} ({subject}, request {})",
                    out_cert.display(),
                    request_id.as_deref().unwrap_or("-")
                ));
                println!("issued {}", request_id.as_deref().unwrap_or("-"));
                crate::exit::OK
            }
            Err(e) => {
                eprintln!("cepces: {e}");
                crate::exit::IO
            }
        },
        Ok(Outcome::Pending { request_id: id, .. }) => {
            println!("pending {id}");
            code::PENDING
        }
        Ok(Outcome::Denied(name, message)) => {
            println!("denied {name}");
            eprintln!("cepces: denied: {name}: {message}");
            code::DENIED
        }
        Err(e) => {
            eprintln!("cepces: enrollment failed: {e}");
            code::FAILED
        }
    }
}

/// Runs an enrollment; the async core of `cepces enroll`.
pub async fn enroll(args: &EnrollArgs) -> Result<Outcome, String> {
    let progress = Progress::new(args.connection.quiet);
    let password = match (&args.password, &args.password_file) {
        (Some(p), _) => Some(p.clone()),
        (None, Some(file)) => Some(read(file)?.lines().next().unwrap_or("").to_owned()),
        (None, None) => None,
    };
    let client_auth = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(tls_identity(cert, key)?),
        _ => None,
    };
    let http = http_client(args.connection.ca_file.as_deref(), client_auth.clone())?;
    let mut config = Config::new(args.connection.cep.clone(), selector(&args.template));
    match (&args.username, password) {
        (Some(user), Some(password)) => {
            config = config
                .with_username_password(user.clone(), password)
                .with_authentication(ClientAuthentication::USERNAME_PASSWORD);
        }
        (Some(_), None) => return Err("--username needs --password or --password-file".into()),
        _ if args.connection.kerberos => {
            config = config.with_authentication(ClientAuthentication::KERBEROS);
        }
        _ if client_auth.is_some() => {
            config = config.with_authentication(ClientAuthentication::CLIENT_CERTIFICATE);
        }
        _ => {}
    }
    let subject = match (&args.subject, &args.username) {
        (Some(s), _) => s
            .parse::<x509_cert::name::Name>()
            .map_err(|e| format!("--subject {s:?}: {e}"))?,
        (None, Some(user)) => pki::name_with_cn(user)?,
        (None, None) => x509_cert::name::Name::default(),
    };
    let out_key = args.out_key.clone();
    let dns = args.dns.clone();
    let bits = args.key_bits;
    let mut make = move |req: &Requirements| -> Result<Vec<u8>, String> {
        let bits = key_bits(bits, req);
        progress.step(&format!("generating an RSA-{bits} key"));
        let key = pki::generate_key(bits)?;
        // The key is on disk before the request leaves, so a pending
        // request can still be completed after a crash.
        crate::serve::files::write_private(&out_key, pki::key_to_pem(&key)?.as_bytes())
            .map_err(|e| format!("{}: {e}", out_key.display()))?;
        let mut extensions = vec![template_extension(req)?];
        if !dns.is_empty() {
            let names: Vec<&str> = dns.iter().map(String::as_str).collect();
            extensions.push(pki::subject_alt_name(&names, &[])?);
        }
        crate::csr::build_csr(&key, subject.clone(), extensions)
    };
    drive(
        &http,
        Enrollment::new(config.with_poll_interval(poll_interval(&args.connection))),
        &mut make,
        &args.connection,
        progress,
        false,
    )
    .await
}

/// Runs a renewal; the async core of `cepces renew`.
pub async fn renew(args: &RenewArgs) -> Result<Outcome, String> {
    let progress = Progress::new(args.connection.quiet);
    let old_cert = pki::cert_from_pem(&read(&args.cert)?)?;
    let old_key = pki::key_from_pem(&read(&args.key)?)?;
    // Over Kerberos, Negotiate authenticates; the old certificate (which
    // may not be a TLS client certificate at all) only signs the request.
    let identity = if args.connection.kerberos {
        None
    } else {
        Some(tls_identity(&args.cert, &args.key)?)
    };
    let http = http_client(args.connection.ca_file.as_deref(), identity)?;
    let template = match &args.template {
        Some(t) => selector(t),
        None => {
            template_of(&old_cert).ok_or("the certificate names no template; give --template")?
        }
    };
    let config = Config::new(args.connection.cep.clone(), template)
        .with_mode(Mode::Renew)
        .with_authentication(if args.connection.kerberos {
            ClientAuthentication::KERBEROS
        } else {
            ClientAuthentication::CLIENT_CERTIFICATE
        });
    let out_key = args.out_key.clone();
    let bits = args.key_bits;
    let subject = old_cert.tbs_certificate.subject.clone();
    let mut make = move |req: &Requirements| -> Result<Vec<u8>, String> {
        let bits = key_bits(bits, req);
        progress.step(&format!(
            "generating a new RSA-{bits} key; signing with the old one"
        ));
        let key: RsaPrivateKey = pki::generate_key(bits)?;
        crate::serve::files::write_private(&out_key, pki::key_to_pem(&key)?.as_bytes())
            .map_err(|e| format!("{}: {e}", out_key.display()))?;
        let csr = crate::csr::build_csr(&key, subject.clone(), vec![template_extension(req)?])?;
        let builder = wstep::payload::RenewalRequestBuilder::new(&csr, old_cert.clone())
            .map_err(|e| e.to_string())?;
        let to_sign = builder.finalize().map_err(|e| e.to_string())?;
        builder
            .assemble(&pki::sign(&old_key, &to_sign)?)
            .map_err(|e| e.to_string())
    };
    drive(
        &http,
        Enrollment::new(config.with_poll_interval(poll_interval(&args.connection))),
        &mut make,
        &args.connection,
        progress,
        true,
    )
    .await
}

/// The template a certificate was issued from (its template extension).
fn template_of(cert: &Certificate) -> Option<TemplateSelector> {
    let exts = cert
        .tbs_certificate
        .extensions
        .as_deref()
        .unwrap_or_default();
    let t = wstep::payload::CertificateTemplate::from_extensions(exts).ok()??;
    match (t.info, t.name) {
        (Some(info), _) => Some(TemplateSelector::Oid(info.template_id.to_string())),
        (None, Some(name)) => Some(TemplateSelector::Name(name)),
        (None, None) => None,
    }
}

/// The TLS identity of a PEM certificate and PKCS#8 key.
pub(crate) fn tls_identity(cert: &Path, key: &Path) -> Result<(Vec<Vec<u8>>, Vec<u8>), String> {
    let chain = pki::certs_from_pem(&read(cert)?)?
        .iter()
        .map(|c| c.to_der().map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    let key = pki::key_to_pkcs8_der(&pki::key_from_pem(&read(key)?)?)?;
    Ok((chain, key))
}

/// Runs `enrollment` on a new runtime and reports its outcome; returns
/// the exit code.
fn run(
    enrollment: impl std::future::Future<Output = Result<Outcome, String>>,
    connection: &Connection,
    out_cert: &Path,
) -> u8 {
    match crate::runtime() {
        Ok(runtime) => finish(
            runtime.block_on(enrollment),
            out_cert,
            Progress::new(connection.quiet),
        ),
        Err(code) => code,
    }
}

/// `cepces enroll`.
pub fn run_enroll(args: &EnrollArgs) -> u8 {
    if let Err(e) = use_client_keytab(&args.connection) {
        eprintln!("cepces enroll: {e}");
        return crate::exit::USAGE;
    }
    run(enroll(args), &args.connection, &args.out_cert)
}

/// GSS-API takes an initiator's keytab from `KRB5_CLIENT_KTNAME` only, an
/// environment variable: with `--keytab`, the command runs itself again
/// with it (and a private in-memory credential cache, so that the user's
/// own is neither read nor written), before any thread starts.
pub(crate) fn use_client_keytab(connection: &Connection) -> Result<(), String> {
    let Some(keytab) = &connection.keytab else {
        return Ok(());
    };
    let keytab = keytab
        .canonicalize()
        .map_err(|e| format!("--keytab {}: {e}", keytab.display()))?;
    crate::reexec_with_env(&[
        ("KRB5_CLIENT_KTNAME", format!("FILE:{}", keytab.display())),
        ("KRB5CCNAME", "MEMORY:cepces".to_owned()),
    ])
}

/// `cepces renew`.
pub fn run_renew(args: &RenewArgs) -> u8 {
    if let Err(e) = use_client_keytab(&args.connection) {
        eprintln!("cepces renew: {e}");
        return crate::exit::USAGE;
    }
    run(renew(args), &args.connection, &args.out_cert)
}

/// Writes an issued outcome's certificate (for `demo`).
pub fn save(outcome: &Outcome, path: &Path) -> Result<(), String> {
    match outcome {
        Outcome::Issued {
            certificate, chain, ..
        } => write_certificate(path, certificate, chain),
        other => Err(format!("not issued: {other:?}")),
    }
}
