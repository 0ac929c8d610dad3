//! `cepces certmonger`: a CA helper for certmonger. certmonger runs it
//! with the operation in `CERTMONGER_OPERATION` and its data in other
//! `CERTMONGER_*` variables, reads what it prints, and acts on its exit
//! status (certmonger's `doc/submit.txt`):
//!
//! | status | meaning | standard output |
//! |---|---|---|
//! | 0 | issued / done | the certificate (PEM), or the operation's answer |
//! | 1 | wait (no delay) | a cookie |
//! | 2 | rejected | the reason |
//! | 3 | unreachable, retry later | the reason |
//! | 4 | under-configured | the reason |
//! | 5 | wait, then poll | the delay in seconds, then the cookie |
//! | 6 | operation not supported | |
//!
//! Operations: `SUBMIT` (the CSR in `CERTMONGER_CSR`, the template in
//! `CERTMONGER_CA_PROFILE`), `POLL` (the cookie in `CERTMONGER_CA_COOKIE`),
//! `IDENTIFY`, `FETCH-ROOTS` (the policy's CA certificates),
//! `GET-SUPPORTED-TEMPLATES`, `GET-DEFAULT-TEMPLATE`,
//! `GET-NEW-REQUEST-REQUIREMENTS` and `GET-RENEW-REQUEST-REQUIREMENTS`
//! (the variables a request needs: `CERTMONGER_CA_PROFILE`); anything else
//! is 6. Without `CERTMONGER_OPERATION` (run by hand) the operation is
//! `SUBMIT`, with the CSR on standard input.
//!
//! ```text
//! getcert add-ca -c cepces -e '/usr/bin/cepces certmonger --server ca.example.com --auth UsernamePassword --username alice --password-file /etc/cepces/pw'
//! getcert request -c cepces -T User -k /etc/pki/alice.key -f /etc/pki/alice.crt
//! ```

use std::collections::HashMap;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use der::{Decode, EncodePem};
use x509_cert::Certificate;
use xcep::flags::ClientAuthentication;

use cepces_enroll::client::{Config, Enrollment, PendingRequest, Requirements};

use crate::client::{self, Connection, Outcome, Progress};
use crate::helper_config::{self, HelperConfig};

/// certmonger's exit statuses for a helper.
pub mod status {
    /// Issued (or the operation's answer printed).
    pub const ISSUED: u8 = 0;
    /// Rejected by the CA.
    pub const REJECTED: u8 = 2;
    /// The CA could not be reached: retry later.
    pub const UNREACHABLE: u8 = 3;
    /// Configuration is missing or wrong.
    pub const UNDERCONFIGURED: u8 = 4;
    /// Wait the delay printed, then poll with the cookie printed.
    pub const WAIT_WITH_DELAY: u8 = 5;
    /// certmonger asked for an operation this helper does not do.
    pub const UNSUPPORTED: u8 = 6;
}

/// How the helper authenticates to CEP and CES.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthKind {
    /// A WS-Security UsernameToken (`..._CEP_UsernamePassword`).
    #[value(name = "UsernamePassword")]
    UsernamePassword,
    /// A TLS client certificate (`..._CEP_Certificate`).
    #[value(name = "Certificate")]
    Certificate,
    /// HTTP Negotiate (`..._CEP_Kerberos`): the default credential cache,
    /// or `--keytab` (built with the `kerberos` feature).
    #[value(name = "Kerberos")]
    Kerberos,
}

impl AuthKind {
    fn path_name(self) -> &'static str {
        match self {
            Self::UsernamePassword => "UsernamePassword",
            Self::Certificate => "Certificate",
            Self::Kerberos => "Kerberos",
        }
    }
}

/// Arguments of `cepces certmonger` (the flags of the Python helper
/// `cepces-submit` where they mean the same). What the command line does
/// not say is read from its configuration file (`--config`, by default
/// `/etc/cepces/cepces.conf` when it exists): see [`crate::helper_config`].
#[derive(Debug, Clone, Args)]
pub struct CertmongerArgs {
    /// The CEP/CES host: the policy is at
    /// `https://HOST/ADPolicyProvider_CEP_<auth>/service.svc/CEP` (or the
    /// configuration file's `endpoint`, with `${server}` this host).
    #[arg(long)]
    pub server: Option<String>,
    /// The CEP URL, instead of `--server`.
    #[arg(long)]
    pub cep: Option<String>,
    /// How to authenticate (default: the configuration file's `auth`, else
    /// Kerberos, as `cepces-submit`).
    #[arg(long, value_enum)]
    pub auth: Option<AuthKind>,
    /// The user name (UsernamePassword).
    #[arg(long)]
    pub username: Option<String>,
    /// A file whose first line is the password (UsernamePassword).
    #[arg(long)]
    pub password_file: Option<PathBuf>,
    /// A TLS client certificate (PEM; Certificate).
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// Its key (PKCS#8 PEM).
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// PEM certificates to trust for HTTPS, a file or a directory of them
    /// (default: the configuration file's `cas`, else the system's roots).
    #[arg(long)]
    pub ca_file: Option<PathBuf>,
    /// Seconds certmonger waits before polling a pending request (default:
    /// the configuration file's `poll_interval`, else 3600).
    #[arg(long)]
    pub poll_delay: Option<u32>,
    /// A keytab for Kerberos (a machine's, e.g. `/etc/krb5.keytab`).
    #[arg(long)]
    pub keytab: Option<PathBuf>,
    /// The Kerberos principal (e.g. `HOST$@EXAMPLE.TEST`).
    #[arg(long)]
    pub principal: Option<String>,
    /// `cepces-submit`'s configuration file (INI).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The password, from the configuration file's `[usernamepassword]`.
    #[arg(skip)]
    pub password: Option<String>,
    /// More principals to try, in order, from the configuration file's
    /// `principals` (the first the keytab has is used).
    #[arg(skip)]
    pub principals: Vec<String>,
}

/// Where `cepces-submit` keeps its configuration.
pub const DEFAULT_CONFIG: &str = "/etc/cepces/cepces.conf";

/// The system keytab, used for Kerberos when nothing else names one and
/// there is no credential cache in the environment (a machine's
/// certmonger, as `cepces-submit` does with `ccache = True`).
const SYSTEM_KEYTAB: &str = "/etc/krb5.keytab";

impl CertmongerArgs {
    /// The authentication method in effect.
    fn auth(&self) -> AuthKind {
        self.auth.unwrap_or(AuthKind::Kerberos)
    }

    /// The connection options for the enroll client.
    fn connection(&self, cep: String) -> Connection {
        Connection {
            ca_file: self.ca_file.clone(),
            poll_interval: 1,
            quiet: true,
            kerberos: self.auth() == AuthKind::Kerberos,
            keytab: self.keytab.clone(),
            principal: self.principal.clone(),
            principals: self.principals.clone(),
            ..Connection::new(cep)
        }
    }

    /// These arguments completed from the configuration file (the command
    /// line wins) and the defaults.
    pub fn resolve(&self) -> Result<Self, String> {
        let (path, required) = match &self.config {
            Some(p) => (p.clone(), true),
            None => (PathBuf::from(DEFAULT_CONFIG), false),
        };
        let hostname = helper_config::hostname();
        let file = match std::fs::read_to_string(&path) {
            Ok(text) => {
                Some(HelperConfig::parse(&text, &path.display().to_string())?.with_host(&hostname))
            }
            Err(e) if required || e.kind() != std::io::ErrorKind::NotFound => {
                return Err(format!("{}: {e}", path.display()));
            }
            Err(_) => None,
        };
        let mut out = self.clone();
        if let Some(file) = &file {
            out.apply(file)?;
        }
        if out.auth() == AuthKind::Kerberos
            && out.keytab.is_none()
            && std::env::var_os("KRB5CCNAME").is_none()
            && std::fs::File::open(SYSTEM_KEYTAB).is_ok()
        {
            out.keytab = Some(PathBuf::from(SYSTEM_KEYTAB));
            if out.principal.is_none() && out.principals.is_empty() {
                out.principals = default_principals(&hostname);
            }
        }
        Ok(out)
    }

    /// Fills what the command line left out from `file`.
    fn apply(&mut self, file: &HelperConfig) -> Result<(), String> {
        let mut overrides = HashMap::new();
        if let Some(server) = &self.server {
            overrides.insert("server", server.clone());
        }
        if let Some(auth) = self.auth {
            overrides.insert("auth", auth.path_name().to_owned());
        }
        if self.auth.is_none()
            && let Some(auth) = file.get("global", "auth", &overrides)?
        {
            self.auth = Some(match auth.as_str() {
                "Kerberos" => AuthKind::Kerberos,
                "UsernamePassword" => AuthKind::UsernamePassword,
                "Certificate" => AuthKind::Certificate,
                other => {
                    return Err(format!(
                        "auth = {other}: this helper authenticates with Kerberos, UsernamePassword or Certificate"
                    ));
                }
            });
            overrides.insert("auth", auth);
        }
        let get = |section: &str, key: &str| file.get(section, key, &overrides);
        if let Some(kind) = get("global", "type")?
            && kind != "Policy"
        {
            return Err(format!(
                "type = {kind}: only Policy (CEP, then the CES it names) is supported"
            ));
        }
        if self.cep.is_none() {
            if let Some(endpoint) = get("global", "endpoint")? {
                self.cep = Some(endpoint);
            } else if self.server.is_none() {
                self.server = get("global", "server")?;
            }
        }
        if self.ca_file.is_none()
            && let Some(cas) = get("global", "cas")?
        {
            if cas.is_empty() {
                return Err(
                    "cas is empty: this helper never turns certificate verification off".into(),
                );
            }
            self.ca_file = Some(PathBuf::from(cas));
        }
        if self.poll_delay.is_none()
            && let Some(p) = get("global", "poll_interval")?
        {
            self.poll_delay = Some(
                p.parse()
                    .map_err(|_| format!("poll_interval = {p}: not a number of seconds"))?,
            );
        }
        let ccache = get("kerberos", "ccache")?
            .map(|v| helper_config::boolean(&v).map_err(|e| format!("[kerberos] ccache: {e}")))
            .transpose()?
            .unwrap_or(true);
        if self.keytab.is_none() && ccache {
            self.keytab = get("kerberos", "keytab")?
                .filter(|k| !k.is_empty())
                .map(PathBuf::from);
        }
        if self.principal.is_none() && self.principals.is_empty() {
            let realm = get("kerberos", "realm")?.filter(|r| !r.is_empty());
            self.principals = get("kerberos", "principals")?
                .map(|v| helper_config::list(&v))
                .unwrap_or_default()
                .into_iter()
                .map(|p| match &realm {
                    Some(r) if !p.contains('@') => format!("{p}@{r}"),
                    _ => p,
                })
                .collect();
        }
        if self.tls_cert.is_none() && self.tls_key.is_none() {
            self.tls_cert = get("certificate", "certfile")?.map(PathBuf::from);
            self.tls_key = get("certificate", "keyfile")?.map(PathBuf::from);
        }
        if self.username.is_none() {
            self.username = get("usernamepassword", "username")?;
        }
        if self.password_file.is_none() {
            self.password = get("usernamepassword", "password")?;
        }
        Ok(())
    }
}

/// `cepces-submit`'s principals for a machine: `shortname$`,
/// `SHORTNAME$`, `host/SHORTNAME`, `host/fqdn`.
fn default_principals(hostname: &str) -> Vec<String> {
    let short = hostname.split('.').next().unwrap_or(hostname);
    vec![
        format!("{}$", short.to_ascii_lowercase()),
        format!("{}$", short.to_ascii_uppercase()),
        format!("host/{}", short.to_ascii_uppercase()),
        format!("host/{hostname}"),
    ]
}

/// What a helper run prints and exits with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The exit status ([`status`]).
    pub status: u8,
    /// Standard output.
    pub stdout: String,
}

impl Answer {
    fn new(status: u8, stdout: impl Into<String>) -> Self {
        let mut stdout = stdout.into();
        if !stdout.is_empty() && !stdout.ends_with('\n') {
            stdout.push('\n');
        }
        Self { status, stdout }
    }
}

/// The cookie of a pending request: a version tag, the request ID, the
/// template and where to ask, tab-separated on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cookie {
    /// The CA's request ID.
    pub request_id: String,
    /// The template.
    pub template: String,
    /// The CES URL to ask at.
    pub query_url: Option<String>,
}

const COOKIE_TAG: &str = "cepces1";

impl Cookie {
    /// The cookie as certmonger keeps it.
    pub fn encode(&self) -> String {
        format!(
            "{COOKIE_TAG}\t{}\t{}\t{}",
            self.request_id,
            self.template,
            self.query_url.as_deref().unwrap_or("-")
        )
    }

    /// A cookie [`encode`](Self::encode) wrote.
    pub fn decode(text: &str) -> Option<Self> {
        let mut fields = text.trim().split('\t');
        if fields.next()? != COOKIE_TAG {
            return None;
        }
        let request_id = fields.next().filter(|s| !s.is_empty())?.to_owned();
        let template = fields.next().filter(|s| !s.is_empty())?.to_owned();
        let query_url = fields.next().filter(|s| *s != "-").map(str::to_owned);
        fields.next().is_none().then_some(Self {
            request_id,
            template,
            query_url,
        })
    }
}

/// `cepces certmonger`: runs the operation certmonger asked for, prints
/// its answer and returns the exit status.
pub fn run(args: &CertmongerArgs) -> u8 {
    let args = match args.resolve() {
        Ok(a) => a,
        Err(e) => {
            println!("{e}");
            return status::UNDERCONFIGURED;
        }
    };
    let args = &args;
    if args.auth() == AuthKind::Kerberos
        && let Err(e) = client::use_client_keytab(&args.connection(String::new()))
    {
        println!("{e}");
        return status::UNDERCONFIGURED;
    }
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let operation = env("CERTMONGER_OPERATION").unwrap_or_else(|| "SUBMIT".to_owned());
    let answer = match crate::runtime() {
        Ok(runtime) => runtime.block_on(operate(args, &operation, &env)),
        Err(_) => Answer::new(status::UNREACHABLE, "cannot start the runtime"),
    };
    print!("{}", answer.stdout);
    let _ = std::io::Write::flush(&mut std::io::stdout());
    answer.status
}

/// The operation `operation` with certmonger's variables from `env`.
pub async fn operate(
    args: &CertmongerArgs,
    operation: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Answer {
    match operation {
        "IDENTIFY" => Answer::new(
            status::ISSUED,
            format!("cepces {} (MS-XCEP/MS-WSTEP)", env!("CARGO_PKG_VERSION")),
        ),
        "GET-NEW-REQUEST-REQUIREMENTS" | "GET-RENEW-REQUEST-REQUIREMENTS" => {
            Answer::new(status::ISSUED, "CERTMONGER_CA_PROFILE")
        }
        "GET-DEFAULT-TEMPLATE" => Answer::new(status::ISSUED, ""),
        "GET-SUPPORTED-TEMPLATES" => {
            policy_answer(args, |policy| {
                policy
                    .policies()
                    .iter()
                    .filter_map(|p| p.attributes.common_name.clone())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .await
        }
        "FETCH-ROOTS" => policy_answer(args, roots).await,
        "SUBMIT" => {
            let Some(template) = env("CERTMONGER_CA_PROFILE") else {
                return Answer::new(
                    status::UNDERCONFIGURED,
                    "no template: request with `getcert request -T TEMPLATE`",
                );
            };
            let csr = match env("CERTMONGER_CSR").map_or_else(read_stdin, Ok) {
                Ok(pem) => pem,
                Err(e) => return Answer::new(status::UNDERCONFIGURED, e),
            };
            match csr_der(&csr) {
                Ok(der) => enroll(args, &template, Some(der), None).await,
                Err(e) => Answer::new(status::UNDERCONFIGURED, e),
            }
        }
        "POLL" => match env("CERTMONGER_CA_COOKIE")
            .as_deref()
            .and_then(Cookie::decode)
        {
            Some(cookie) => {
                let pending = PendingRequest::new(cookie.request_id, cookie.query_url);
                enroll(args, &cookie.template, None, Some(pending)).await
            }
            None => Answer::new(
                status::UNDERCONFIGURED,
                "no cookie of this helper in CERTMONGER_CA_COOKIE",
            ),
        },
        _ => Answer::new(status::UNSUPPORTED, ""),
    }
}

fn read_stdin() -> Result<String, String> {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
        .map_err(|e| format!("reading the CSR: {e}"))?;
    Ok(text)
}

/// The DER of a PEM CSR (`CERTIFICATE REQUEST` or `NEW CERTIFICATE
/// REQUEST`), checked to be a PKCS#10.
fn csr_der(pem: &str) -> Result<Vec<u8>, String> {
    let (label, der) = der::pem::decode_vec(pem.trim().as_bytes())
        .map_err(|e| format!("CERTMONGER_CSR is not PEM: {e}"))?;
    if !label.ends_with("CERTIFICATE REQUEST") {
        return Err(format!(
            "CERTMONGER_CSR is a {label}, not a CERTIFICATE REQUEST"
        ));
    }
    x509_cert::request::CertReq::from_der(&der)
        .map_err(|e| format!("CERTMONGER_CSR is not a PKCS#10: {e}"))?;
    Ok(der)
}

/// The CEP URL and the enrollment configuration for `template`.
fn config(args: &CertmongerArgs, template: &str) -> Result<(Config, reqwest::Client), Answer> {
    let under = |e: String| Answer::new(status::UNDERCONFIGURED, e);
    let cep = match (&args.cep, &args.server) {
        (Some(url), _) => url.clone(),
        (None, Some(host)) => format!(
            "https://{host}/ADPolicyProvider_CEP_{}/service.svc/CEP",
            args.auth().path_name()
        ),
        (None, None) => {
            return Err(under(
                "--server or --cep is needed (or server/endpoint in the configuration file)".into(),
            ));
        }
    };
    let mut config = Config::new(cep, client::selector(template));
    let identity = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(client::tls_identity(cert, key).map_err(under)?),
        _ => None,
    };
    match args.auth() {
        AuthKind::UsernamePassword => {
            let needs =
                || under("--auth UsernamePassword needs --username and --password-file".into());
            let user = args.username.as_ref().ok_or_else(needs)?;
            let password = match (&args.password_file, &args.password) {
                (Some(file), _) => client::read(file)
                    .map_err(under)?
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_owned(),
                (None, Some(p)) => p.clone(),
                (None, None) => return Err(needs()),
            };
            config = config
                .with_username_password(user.clone(), password)
                .with_authentication(ClientAuthentication::USERNAME_PASSWORD);
        }
        AuthKind::Certificate => {
            if identity.is_none() {
                return Err(under(
                    "--auth Certificate needs --tls-cert and --tls-key".into(),
                ));
            }
            config = config.with_authentication(ClientAuthentication::CLIENT_CERTIFICATE);
        }
        AuthKind::Kerberos => {
            client::Negotiator::for_connection(&args.connection(String::new())).map_err(under)?;
            config = config.with_authentication(ClientAuthentication::KERBEROS);
        }
    }
    let http = client::http_client(args.ca_file.as_deref(), identity).map_err(under)?;
    Ok((config, http))
}

/// Submits `csr` (or, with `pending`, asks about that request) for
/// `template`, and says what came of it in certmonger's terms.
async fn enroll(
    args: &CertmongerArgs,
    template: &str,
    csr: Option<Vec<u8>>,
    pending: Option<PendingRequest>,
) -> Answer {
    let (mut config, http) = match config(args, template) {
        Ok(c) => c,
        Err(answer) => return answer,
    };
    if let Some(p) = pending {
        config = config.resuming(p);
    }
    let connection = args.connection(config.cep_url.clone());
    let mut make = move |_: &Requirements| -> Result<Vec<u8>, String> {
        csr.clone()
            .ok_or_else(|| "a CSR was asked for while polling".to_owned())
    };
    let outcome = client::drive(
        &http,
        Enrollment::new(config),
        &mut make,
        &connection,
        Progress::new(true),
        false,
    )
    .await;
    match outcome {
        Ok(Outcome::Issued { certificate, .. }) => match pem(&certificate) {
            Ok(pem) => Answer::new(status::ISSUED, pem),
            Err(e) => Answer::new(status::UNREACHABLE, e),
        },
        Ok(Outcome::Pending {
            request_id,
            query_url,
        }) => {
            let cookie = Cookie {
                request_id,
                template: template.to_owned(),
                query_url,
            };
            Answer::new(
                status::WAIT_WITH_DELAY,
                format!("{}\n{}", args.poll_delay.unwrap_or(3600), cookie.encode()),
            )
        }
        Ok(Outcome::Denied(name, message)) => {
            Answer::new(status::REJECTED, format!("{name}: {message}"))
        }
        Err(e) => Answer::new(status::UNREACHABLE, e),
    }
}

/// Reads the policy (GetPolicies) and answers with `f` of it.
async fn policy_answer(
    args: &CertmongerArgs,
    f: impl FnOnce(&xcep::GetPoliciesResponse) -> String,
) -> Answer {
    let (config, http) = match config(args, "") {
        Ok(c) => c,
        Err(answer) => return answer,
    };
    let mut machine = Enrollment::new(config);
    let Some(tx) = machine.poll_transmit(client::now(), &client::message_id()) else {
        return Answer::new(status::UNDERCONFIGURED, "no GetPolicies to send");
    };
    let negotiator = client::Negotiator::for_connection(&args.connection(String::new()))
        .ok()
        .flatten();
    let (http_status, _, body) = match client::send_negotiated(&http, tx, negotiator.as_ref()).await
    {
        Ok(answer) => answer,
        Err(e) => return Answer::new(status::UNREACHABLE, e),
    };
    if http_status != 200 {
        return Answer::new(status::UNREACHABLE, "the CEP answered with a fault");
    }
    match soap_envelope::Envelope::<xcep::XcepMessage>::from_xml(&body) {
        Ok(envelope) => match envelope.payload() {
            Some(xcep::XcepMessage::GetPoliciesResponse(policy)) => {
                Answer::new(status::ISSUED, f(policy))
            }
            _ => Answer::new(status::UNREACHABLE, "not a GetPoliciesResponse"),
        },
        Err(e) => Answer::new(status::UNREACHABLE, e.to_string()),
    }
}

/// `FETCH-ROOTS`: each CA certificate of the policy, its subject's common
/// name (else the subject) on a line, then the certificate in PEM.
fn roots(policy: &xcep::GetPoliciesResponse) -> String {
    let mut out = String::new();
    for ca in policy.cas.iter().flatten() {
        let Ok(der) = ca.certificate.decode() else {
            continue;
        };
        let Ok(cert) = Certificate::from_der(&der) else {
            continue;
        };
        let subject = cert.tbs_certificate.subject.to_string();
        let nickname = subject
            .split(',')
            .find_map(|rdn| rdn.trim().strip_prefix("CN="))
            .unwrap_or(&subject)
            .to_owned();
        if let Ok(pem) = cert.to_pem(der::pem::LineEnding::LF) {
            out.push_str(&nickname);
            out.push('\n');
            out.push_str(&pem);
        }
    }
    out
}

fn pem(der: &[u8]) -> Result<String, String> {
    Certificate::from_der(der)
        .map_err(|e| e.to_string())?
        .to_pem(der::pem::LineEnding::LF)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_round_trip_and_foreign_ones_are_refused() {
        let c = Cookie {
            request_id: "42".into(),
            template: "User".into(),
            query_url: Some("https://ca.example.com/X_CES_UsernamePassword/service.svc/CES".into()),
        };
        assert_eq!(Cookie::decode(&c.encode()), Some(c.clone()));
        let none = Cookie {
            query_url: None,
            ..c
        };
        assert_eq!(Cookie::decode(&format!("{}\n", none.encode())), Some(none));
        assert_eq!(Cookie::decode("42"), None);
        assert_eq!(Cookie::decode("cepces1\t\tUser\t-"), None);
        assert_eq!(Cookie::decode("cepces1\t1\tUser\t-\textra"), None);
    }

    #[test]
    fn a_csr_must_be_a_pkcs10_in_pem() {
        assert!(csr_der("not pem").unwrap_err().contains("not PEM"));
        let cert = "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";
        assert!(
            csr_der(cert)
                .unwrap_err()
                .contains("not a CERTIFICATE REQUEST")
        );
    }
}
