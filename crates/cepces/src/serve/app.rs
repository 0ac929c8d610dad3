//! The CA behind `cepces serve`: its state directory, authentication, and
//! the answer to one SOAP request (no sockets here; `http.rs` has those).

use std::fs;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Mutex;

use cepces_enroll::server::{
    Decision, EnrollmentServer, IssueRequest, PolicyServer, Principal, Reply, RequestContext,
    StoredState, denied_reply, fault_reply,
};
use der::{Decode, Encode};
use soap_envelope::fault::subcode;
use soap_envelope::xsd::DateTime;
use soap_envelope::{AnyElement, Envelope, Fault, FaultCodeValue};
use wstep::hresult::HResult;
use wstep::payload::{Csr, Payload};
use wstep::{RequestType, WstepMessage, decode_payload};
use x509_cert::Certificate;
use x509_cert::ext::Extension;

use x509_cert::name::Name;

use super::config::{AccountAttribute, Auth, Config, Service, SubjectSource, Urls};
use super::files;
use super::guard::{Guard, Refusal};
use super::store::{self, NewRequest, Record, Store, StoreOr};
use crate::pki::{self, Authority, CertificateSpec, Profile};

pub use super::files::{StateDir, write_private};

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> String + '_ {
    move |e| format!("{}: {e}", path.display())
}

/// Reads the configuration at `path` (default `DIR/cepces.toml`). Only
/// `serve` may write the shipped example there, and only when no file
/// exists (`write_example`); the administrator commands never write.
pub fn load_config(
    dir: &StateDir,
    path: Option<&Path>,
    write_example: bool,
) -> Result<Config, String> {
    let path = path.map_or_else(|| dir.config(), Path::to_path_buf);
    if write_example && !path.exists() {
        files::write_private(&path, super::config::EXAMPLE.as_bytes()).map_err(io_err(&path))?;
        tracing::info!(path = %path.display(), "wrote the example configuration");
    }
    let text = fs::read_to_string(&path).map_err(io_err(&path))?;
    Config::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Loads the CA of `dir`. A CA is created (with `create`) only where the
/// directory holds no state at all; a key without its certificate, a
/// certificate without its key, or a key that does not match the
/// certificate stops the start: key material is never overwritten.
pub fn load_or_create_ca(
    dir: &StateDir,
    config: &Config,
    create: bool,
) -> Result<Authority, String> {
    let (key_path, cert_path) = (dir.ca_key(), dir.ca_cert());
    if let Some((key, certificate)) = load_pair(&key_path, &cert_path)? {
        return Ok(Authority { key, certificate });
    }
    if !create {
        return Err(format!(
            "{} holds no CA (run `cepces serve` first)",
            dir.root.display()
        ));
    }
    refuse_over_state(dir)?;
    let key = pki::generate_key(config.ca.key_bits)?;
    let ca = Authority::create(
        key,
        &config.ca.common_name,
        pki::unix_now(),
        i64::from(config.ca.validity_days) * 86_400,
    )?;
    write_pair(
        &key_path,
        &pki::key_to_pem(&ca.key)?,
        &cert_path,
        &pki::cert_to_pem(&ca.certificate)?,
    )?;
    tracing::info!(subject = %ca.certificate.tbs_certificate.subject, "created the CA");
    Ok(ca)
}

/// Refuses to create a CA where state from an earlier one remains.
fn refuse_over_state(dir: &StateDir) -> Result<(), String> {
    let existing = dir.existing_state();
    if existing.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = existing.iter().map(|p| p.display().to_string()).collect();
    Err(format!(
        "no CA key and certificate in {}, but {} exist: refusing to create a new CA over them \
         (restore ca-key.pem and ca.pem, or start in an empty directory)",
        dir.root.display(),
        names.join(", ")
    ))
}

/// A key and its certificate, when both exist and match; `None` when
/// neither exists; an error for one without the other or a mismatch.
fn load_pair(
    key_path: &Path,
    cert_path: &Path,
) -> Result<Option<(rsa::RsaPrivateKey, Certificate)>, String> {
    match (key_path.exists(), cert_path.exists()) {
        (false, false) => Ok(None),
        (true, false) | (false, true) => {
            let (present, missing) = if key_path.exists() {
                (key_path, cert_path)
            } else {
                (cert_path, key_path)
            };
            Err(format!(
                "{} exists but {} does not: refusing to start (key material is never \
                 overwritten; restore the missing file, or move both away to start anew)",
                present.display(),
                missing.display()
            ))
        }
        (true, true) => {
            let key = pki::key_from_pem(&fs::read_to_string(key_path).map_err(io_err(key_path))?)
                .map_err(|e| format!("{}: {e}", key_path.display()))?;
            let cert =
                pki::cert_from_pem(&fs::read_to_string(cert_path).map_err(io_err(cert_path))?)
                    .map_err(|e| format!("{}: {e}", cert_path.display()))?;
            if pki::spki(&key.to_public_key())? != cert.tbs_certificate.subject_public_key_info {
                return Err(format!(
                    "{} is not the key of {}: refusing to start",
                    key_path.display(),
                    cert_path.display()
                ));
            }
            Ok(Some((key, cert)))
        }
    }
}

/// Writes a new key (0600) and its certificate, each atomically; when the
/// certificate cannot be written the new key is removed again, so that a
/// failed first start leaves nothing that blocks the next.
fn write_pair(
    key_path: &Path,
    key_pem: &str,
    cert_path: &Path,
    cert_pem: &str,
) -> Result<(), String> {
    files::write_private(key_path, key_pem.as_bytes()).map_err(io_err(key_path))?;
    if let Err(e) = files::write_atomic(cert_path, cert_pem.as_bytes(), files::PUBLIC) {
        let _ = fs::remove_file(key_path);
        return Err(io_err(cert_path)(e));
    }
    Ok(())
}

/// Checks that the records of `store` were issued by `ca` (a database
/// from another CA beside this key would hand out certificates that do
/// not chain).
fn check_records(store: &Store, ca: &Authority, db: &Path) -> Result<(), String> {
    let Some(der) = store
        .any_certificate()
        .map_err(|e| format!("{}: {e}", db.display()))?
    else {
        return Ok(());
    };
    let cert = Certificate::from_der(&der).map_err(|e| format!("{}: {e}", db.display()))?;
    let tbs = cert.tbs_certificate.to_der().map_err(|e| e.to_string())?;
    let signed_by_ca = cert.tbs_certificate.issuer == ca.certificate.tbs_certificate.subject
        && wstep::payload::signature::verify(
            &ca.certificate.tbs_certificate.subject_public_key_info,
            &cert.signature_algorithm,
            &tbs,
            cert.signature.raw_bytes(),
        )
        .is_ok();
    if signed_by_ca {
        Ok(())
    } else {
        Err(format!(
            "{} holds certificates issued by {}, not by this CA ({}): refusing to start",
            db.display(),
            cert.tbs_certificate.issuer,
            ca.certificate.tbs_certificate.subject
        ))
    }
}

/// The TLS server key (PKCS#8 DER) and certificate chain (DER, leaf
/// first), issued by the CA for `localhost`, the loopback addresses and
/// `hostnames`; made on first start, never over a key that exists.
pub fn load_or_create_tls(
    dir: &StateDir,
    ca: &Authority,
    hostnames: &[String],
) -> Result<(Vec<u8>, Vec<Vec<u8>>), String> {
    let (key_path, cert_path) = (dir.tls_key(), dir.tls_cert());
    let (key, cert) = if let Some(pair) = load_pair(&key_path, &cert_path)? {
        pair
    } else {
        let key = pki::generate_key(2048)?;
        let mut dns = vec!["localhost"];
        let mut ips: Vec<IpAddr> =
            vec![[127, 0, 0, 1].into(), std::net::Ipv6Addr::LOCALHOST.into()];
        for h in hostnames {
            match h.parse::<IpAddr>() {
                Ok(ip) => ips.push(ip),
                Err(_) => dns.push(h),
            }
        }
        let now = pki::unix_now();
        let spec = CertificateSpec {
            subject: pki::name_with_cn(dns.last().copied().unwrap_or("localhost"))?,
            public_key: pki::spki(&key.to_public_key())?,
            not_before: now - 60,
            not_after: now + 825 * 86_400,
            profile: Profile::Leaf,
            extensions: vec![
                pki::subject_alt_name(&dns, &ips)?,
                pki::extended_key_usage(&[const_oid::db::rfc5280::ID_KP_SERVER_AUTH])?,
            ],
        };
        let cert = ca.issue(&spec)?;
        write_pair(
            &key_path,
            &pki::key_to_pem(&key)?,
            &cert_path,
            &pki::cert_to_pem(&cert)?,
        )?;
        (key, cert)
    };
    Ok((
        pki::key_to_pkcs8_der(&key)?,
        vec![pki::to_der(&cert)?, pki::to_der(&ca.certificate)?],
    ))
}

/// What the connection tells about a request besides its bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Transport<'a> {
    /// The client's address.
    pub peer: Option<SocketAddr>,
    /// Our address the client connected to (the listener's own URL is
    /// accepted as WS-Addressing `To` beside the public one).
    pub local: Option<SocketAddr>,
    /// The TLS client certificate (DER), verified by the TLS layer
    /// against the CA.
    pub client_cert: Option<&'a [u8]>,
}

/// What one request came to, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// GetPolicies answered.
    Policy,
    /// A certificate was issued under this request ID.
    Issued(i64),
    /// A request is pending under this ID.
    Pending(i64),
    /// A QueryTokenStatus was answered.
    Status,
    /// A SOAP fault; the HRESULT name or the fault's reason.
    Fault(String),
}

/// The CA and its two services.
#[derive(Debug)]
pub struct App {
    config: Config,
    ca: Authority,
    urls: Urls,
    policy: PolicyServer,
    ces: EnrollmentServer,
    store: Mutex<Store>,
    guard: Guard,
}

/// A denial of a request: the HRESULT and the message for the client.
type Denial = (HResult, String);

/// The certificate that signed a Renew request, as this CA's records
/// know it.
enum Renewal {
    /// Not a renewal signed with a certificate.
    None,
    /// A certificate of this CA, unexpired, whose account still exists.
    Valid(Box<Record>),
    /// Signed, but not by a certificate that may renew: why.
    Refused(&'static str),
}

impl Renewal {
    fn record(&self) -> Option<&Record> {
        match self {
            Self::Valid(r) => Some(r),
            _ => None,
        }
    }
}

/// An argon2 hash verified when the account does not exist, so that an
/// unknown name takes as long as a wrong password (no account
/// enumeration by timing). Its password is random and unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$7w3xbHnAEPyLwtpyEjp3Nw$6W8TdMcsGvMEC3JIS+kQK+Q3jQNhHyh55GWgqpK7xQg";

impl App {
    /// The CA in `dir` with `config`, its endpoints at `urls`.
    pub fn new(dir: &StateDir, config: Config, ca: Authority, urls: Urls) -> Result<Self, String> {
        let ca_der = pki::to_der(&ca.certificate)?;
        let policy = config.policy(&ca_der, &urls)?;
        let permissions = config.permissions();
        // The templates may have changed with the configuration since the
        // last start: the policy is "last updated" when the server starts,
        // so a client's cached copy from before is sent again in full.
        let last_update = DateTime::from_unix(pki::unix_now(), 0);
        let db = dir.db();
        let store = Store::open(&db).map_err(|e| format!("{}: {e}", db.display()))?;
        check_records(&store, &ca, &db)?;
        Ok(Self {
            policy: PolicyServer::new(policy.clone(), last_update)
                .with_permissions(permissions.clone()),
            ces: EnrollmentServer::new(policy)
                .with_permissions(permissions)
                .with_max_key_bits(
                    usize::try_from(config.service.max_rsa_key_bits).unwrap_or(usize::MAX),
                ),
            guard: Guard::new(&config.service),
            config,
            ca,
            urls,
            store: Mutex::new(store),
        })
    }

    /// The endpoint URLs.
    pub fn urls(&self) -> &Urls {
        &self.urls
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The largest request body accepted.
    pub fn max_request_bytes(&self) -> usize {
        self.config.service.max_request_bytes
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        // A panic while holding the lock cannot leave a half-written
        // record (every write is one transaction), so the data is usable.
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Answers one SOAP request that arrived at `endpoint` over
    /// `transport`. The WS-Addressing `To` must name the endpoint at the
    /// public URL (what a client behind a proxy or load balancer was
    /// given) or at the address the client connected to.
    pub fn handle(
        &self,
        endpoint: (Service, Auth),
        transport: Transport<'_>,
        body: &[u8],
        now: i64,
    ) -> (Reply, Outcome) {
        let path = self.urls.path(endpoint.0, endpoint.1);
        let mut ctx = RequestContext::new(
            self.urls.url(endpoint.0, endpoint.1),
            DateTime::from_unix(now, 0),
        );
        if let Some(local) = transport.local {
            ctx = ctx.with_alias(format!("https://{local}{path}"));
            if local.ip().is_loopback() {
                ctx = ctx.with_alias(format!("https://localhost:{}{path}", local.port()));
            }
        }
        let ctx = match self.authenticate(endpoint.1, body, transport, now) {
            Ok(Some(principal)) => ctx.with_principal(principal),
            Ok(None) => ctx,
            Err(fault) => return fault,
        };
        match endpoint.0 {
            Service::Cep => match self.policy.handle_get_policies(body, &ctx) {
                Ok(reply) => {
                    let outcome = if reply.is_fault() {
                        Outcome::Fault(fault_reason(&reply))
                    } else {
                        Outcome::Policy
                    };
                    (reply, outcome)
                }
                Err(e) => internal(&e.to_string()),
            },
            Service::Ces => self.enroll(body, ctx, now),
        }
    }

    /// The principal of the request: by UsernameToken or by TLS client
    /// certificate, as the endpoint demands. `Ok(None)` when the envelope
    /// cannot be read (the service answers that with its own fault).
    fn authenticate(
        &self,
        auth: Auth,
        body: &[u8],
        transport: Transport<'_>,
        now: i64,
    ) -> Result<Option<Principal>, (Reply, Outcome)> {
        let Ok(envelope) = Envelope::<AnyElement>::from_xml(body) else {
            return Ok(None);
        };
        let peer = transport.peer.map(|p| p.ip());
        let security = envelope.header.security.as_ref();
        let principal = self
            .guard
            .check_timestamp(security, now)
            .map_err(|r| NotAuthenticated::Refused(r, String::new()))
            .and_then(|()| match auth {
                Auth::UsernamePassword => self.password_principal(security, peer, now),
                Auth::Certificate => self.certificate_principal(transport.client_cert),
            });
        principal
            .map(Some)
            .map_err(|why| auth_fault(&why, envelope.header.message_id(), peer))
    }

    /// The account a UsernameToken names, if its password is right and
    /// the guard lets it through.
    fn password_principal(
        &self,
        security: Option<&soap_envelope::Security>,
        peer: Option<IpAddr>,
        now: i64,
    ) -> Result<Principal, NotAuthenticated> {
        let Some(token) = security.and_then(|s| s.username_token.as_ref()) else {
            return Err(NotAuthenticated::Failed("no UsernameToken".into()));
        };
        let refused = |r| NotAuthenticated::Refused(r, token.username.clone());
        self.guard
            .before_password(token, peer, now)
            .map_err(refused)?;
        let password = token.password.as_ref().map_or("", |p| p.value.as_str());
        let user = self.config.user(&token.username);
        let hash = user.map_or(DUMMY_HASH, |u| u.password_hash.as_str());
        let verified = self.guard.verify_password(hash, password);
        match user {
            Some(u) if verified => {
                self.guard.succeeded(token, now).map_err(refused)?;
                Ok(Principal::new(u.name.clone(), u.groups.clone()))
            }
            _ => {
                let failures = self.guard.failed(&token.username, peer, now);
                tracing::warn!(
                    event = "login_failed",
                    account = token.username,
                    peer = ?peer,
                    failures,
                    "wrong user name or password"
                );
                Err(NotAuthenticated::Failed(
                    "unknown user or wrong password".into(),
                ))
            }
        }
    }

    /// The account a TLS client certificate was issued to, by this CA's
    /// records: never its subject, which an enrollee may have chosen
    /// ("subject = request" templates). The account must still exist:
    /// removing a user from the configuration ends their access.
    fn certificate_principal(&self, der: Option<&[u8]>) -> Result<Principal, NotAuthenticated> {
        let failed = |why: &str| NotAuthenticated::Failed(why.to_owned());
        let cert = der
            .and_then(|der| Certificate::from_der(der).ok())
            .ok_or_else(|| failed("no TLS client certificate"))?;
        let record = self
            .store()
            .by_serial(&pki::serial_hex(&cert))
            .ok()
            .flatten()
            .filter(|r| r.state == store::State::Issued)
            .ok_or_else(|| failed("the TLS client certificate is not one this CA issued"))?;
        let user = self
            .config
            .user(&record.principal)
            .ok_or_else(|| failed("the account of the TLS client certificate no longer exists"))?;
        Ok(Principal::new(user.name.clone(), user.groups.clone()))
    }

    fn enroll(&self, body: &[u8], ctx: RequestContext, now: i64) -> (Reply, Outcome) {
        // A renewal is made by the holder of a certificate this CA issued:
        // that record's account enrolls again, with its groups of now.
        let renewal = self.renewal(body, now);
        let ctx = match renewal
            .record()
            .and_then(|r| self.config.user(&r.principal))
        {
            Some(u) => ctx.with_principal(Principal::new(u.name.clone(), u.groups.clone())),
            None => ctx,
        };
        let caller = ctx.authenticated.clone();
        let decision = self
            .ces
            .decide_with(body, &ctx, |id| self.stored_state(id, caller.as_ref()));
        let result = match &decision {
            Decision::Issue(request) => self.issue(request, &renewal, now),
            Decision::Pend(request) => self.pend(request, &renewal, now),
            Decision::Status(status) => status
                .reply()
                .map(|r| (r, Outcome::Status))
                .map_err(|e| e.to_string()),
            Decision::Reject { .. } => {
                let name = decision
                    .hresult()
                    .map(|h| h.name().map_or_else(|| h.to_string(), str::to_owned));
                match decision.reply() {
                    Some(Ok(reply)) => {
                        let why = name.unwrap_or_else(|| fault_reason(&reply));
                        Ok((reply, Outcome::Fault(why)))
                    }
                    Some(Err(e)) => Err(e.to_string()),
                    None => Err("a rejection without a reply".into()),
                }
            }
            _ => Err("an unknown decision".into()),
        };
        result.unwrap_or_else(|e| internal(&e))
    }

    /// Whether `principal` may see every request (`[service]
    /// administrators` names it or one of its groups).
    fn is_administrator(&self, principal: &Principal) -> bool {
        self.config.service.administrators.iter().any(|a| {
            a.eq_ignore_ascii_case(&principal.name)
                || principal.groups.iter().any(|g| g.eq_ignore_ascii_case(a))
        })
    }

    /// The stored state of request `id`, for `caller`: only the account
    /// that made it (or an administrator) learns anything; for anyone
    /// else it does not exist, exactly as an unknown ID.
    fn stored_state(&self, id: &str, caller: Option<&Principal>) -> Option<StoredState> {
        let record = self.store().get(id.parse().ok()?).ok()??;
        let caller = caller?;
        if !record.principal.eq_ignore_ascii_case(&caller.name) && !self.is_administrator(caller) {
            tracing::warn!(
                event = "foreign_request",
                account = caller.name,
                request = record.id,
                "a status query for another account's request"
            );
            return None;
        }
        self.state_of(&record)
    }

    fn state_of(&self, record: &Record) -> Option<StoredState> {
        Some(match record.state {
            store::State::Pending => StoredState::Pending,
            store::State::Issued => StoredState::Issued {
                certificate_der: record.certificate.clone()?,
                chain: vec![self.ca.certificate.clone()],
            },
            store::State::Denied => StoredState::Denied {
                hresult: HResult::from(i32::try_from(record.hresult?).ok()?),
                message: record.message.clone().unwrap_or_default(),
            },
        })
    }

    /// The certificate that signed a Renew request: one this CA issued,
    /// unexpired, not renewed before, whose account still exists.
    fn renewal(&self, body: &[u8], now: i64) -> Renewal {
        let Some(old) = Self::renewal_signer(body) else {
            return Renewal::None;
        };
        let signed_by_us = old.tbs_certificate.issuer
            == self.ca.certificate.tbs_certificate.subject
            && old.tbs_certificate.to_der().is_ok_and(|tbs| {
                wstep::payload::signature::verify(
                    &self.ca.certificate.tbs_certificate.subject_public_key_info,
                    &old.signature_algorithm,
                    &tbs,
                    old.signature.raw_bytes(),
                )
                .is_ok()
            });
        let record = if signed_by_us {
            self.store()
                .by_serial(&pki::serial_hex(&old))
                .ok()
                .flatten()
        } else {
            None
        };
        match record {
            Some(r) if r.state == store::State::Issued && r.not_after.is_some_and(|t| t > now) => {
                if self.config.user(&r.principal).is_none() {
                    Renewal::Refused("The account of the certificate no longer exists.")
                } else if r.superseded_by.is_some() {
                    Renewal::Refused("The certificate has already been renewed.")
                } else {
                    Renewal::Valid(Box::new(r))
                }
            }
            _ => Renewal::Refused(
                "The renewal request is not signed by a valid certificate of this CA.",
            ),
        }
    }

    /// The signer's certificate of a Renew request's PKCS#7 whose
    /// signature verifies.
    fn renewal_signer(body: &[u8]) -> Option<Certificate> {
        let envelope = Envelope::<WstepMessage>::from_xml(body).ok()?;
        let Some(WstepMessage::RequestSecurityToken(rst)) = envelope.payload() else {
            return None;
        };
        if rst.request_type != RequestType::Renew {
            return None;
        }
        let Payload::Pkcs7(signed) = decode_payload(rst.binary_security_token.as_ref()?).ok()?
        else {
            return None;
        };
        signed.verify_signer().ok()?;
        signed.signer
    }

    fn new_request<'a>(
        request: &'a IssueRequest,
        renewal: &Renewal,
        csr_der: &'a [u8],
        now: i64,
    ) -> NewRequest<'a> {
        let principal = request.principal.as_ref();
        NewRequest {
            received: now,
            principal: principal.map_or("", |p| p.name.as_str()),
            groups: principal.map_or(&[], |p| p.groups.as_slice()),
            template: request.template_name(),
            csr: csr_der,
            renewal_of: renewal.record().map(|r| r.id),
        }
    }

    fn denial_reply(
        request: &IssueRequest,
        (hresult, message): Denial,
    ) -> Result<(Reply, Outcome), String> {
        let name = hresult
            .name()
            .map_or_else(|| hresult.to_string(), str::to_owned);
        denied_reply(hresult, &message, None, request.relates_to.as_deref())
            .map(|r| (r, Outcome::Fault(name)))
            .map_err(|e| e.to_string())
    }

    fn renewal_denial(request: &IssueRequest, renewal: &Renewal) -> Option<Denial> {
        if !request.renewal {
            return None;
        }
        let message = match renewal {
            Renewal::None => "The renewal request is not signed by a valid certificate of this CA.",
            Renewal::Refused(why) => why,
            Renewal::Valid(r) if !r.template.eq_ignore_ascii_case(request.template_name()) => {
                "The renewal request asks for another template than the certificate it renews."
            }
            Renewal::Valid(_) => return None,
        };
        Some((
            HResult::CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE,
            message.to_owned(),
        ))
    }

    /// What every new request passes before it is recorded: an identical
    /// request recorded before is answered from its record (a client that
    /// lost our answer and sends again gets the same request ID, not a
    /// second certificate); then the renewal and subject checks.
    fn admit(
        &self,
        request: &IssueRequest,
        renewal: &Renewal,
        csr_der: &[u8],
    ) -> Result<(), Result<(Reply, Outcome), String>> {
        let principal = request.principal.as_ref().map_or("", |p| p.name.as_str());
        let earlier = self
            .store()
            .same_request(csr_der, principal, request.template_name())
            .map_err(|e| Err(format!("database: {e}")))?;
        if let Some(record) = earlier {
            return Err(self.answer_again(request, &record));
        }
        if let Some(denial) = Self::renewal_denial(request, renewal) {
            return Err(Self::denial_reply(request, denial));
        }
        if let Err(denial) = self.subject_for(&request.csr, request.template_name(), principal) {
            return Err(Self::denial_reply(request, denial));
        }
        Ok(())
    }

    /// The answer for a request that was recorded before as `record`.
    fn answer_again(
        &self,
        request: &IssueRequest,
        record: &Record,
    ) -> Result<(Reply, Outcome), String> {
        let id = record.id.to_string();
        tracing::info!(
            request = record.id,
            "the same request again: answered from its record"
        );
        match self.state_of(record) {
            Some(StoredState::Issued {
                certificate_der,
                chain,
            }) => request
                .issued_reply(&id, &certificate_der, &chain)
                .map(|r| (r, Outcome::Issued(record.id))),
            Some(StoredState::Denied { hresult, message }) => {
                denied_reply(hresult, &message, Some(&id), request.relates_to.as_deref())
                    .map(|r| (r, Outcome::Fault(format!("denied {id} (again)"))))
            }
            _ => request
                .pending_reply(&id)
                .map(|r| (r, Outcome::Pending(record.id))),
        }
        .map_err(|e| e.to_string())
    }

    fn issue(
        &self,
        request: &IssueRequest,
        renewal: &Renewal,
        now: i64,
    ) -> Result<(Reply, Outcome), String> {
        let csr_der = request.csr.request.to_der().map_err(|e| e.to_string())?;
        if let Err(answer) = self.admit(request, renewal, &csr_der) {
            return answer;
        }
        let principal = request.principal.as_ref().map_or("", |p| p.name.as_str());
        let mut certificate = None;
        let id = self
            .store()
            .insert_issued(&Self::new_request(request, renewal, &csr_der, now), |_| {
                let cert = self.certificate_for(
                    &request.csr,
                    request.template_name(),
                    principal,
                    request.not_before.to_unix(),
                    request.not_after.to_unix(),
                )?;
                let der = pki::to_der(&cert)?;
                certificate = Some(der.clone());
                Ok::<_, String>((der, pki::serial_hex(&cert), pki::validity_secs(&cert).1))
            })
            .map_err(|e| match e {
                StoreOr::Store(e) => format!("database: {e}"),
                StoreOr::Other(e) => e,
            })?;
        let der = certificate.ok_or("no certificate")?;
        let reply = request
            .issued_reply(
                &id.to_string(),
                &der,
                std::slice::from_ref(&self.ca.certificate),
            )
            .map_err(|e| e.to_string())?;
        Ok((reply, Outcome::Issued(id)))
    }

    fn pend(
        &self,
        request: &IssueRequest,
        renewal: &Renewal,
        now: i64,
    ) -> Result<(Reply, Outcome), String> {
        let csr_der = request.csr.request.to_der().map_err(|e| e.to_string())?;
        if let Err(answer) = self.admit(request, renewal, &csr_der) {
            return answer;
        }
        let id = self
            .store()
            .insert_pending(&Self::new_request(request, renewal, &csr_der, now))
            .map_err(|e| format!("database: {e}"))?;
        let reply = request
            .pending_reply(&id.to_string())
            .map_err(|e| e.to_string())?;
        Ok((reply, Outcome::Pending(id)))
    }

    /// The subject and subjectAltName (if any) of a certificate for `csr`
    /// from `template` for `principal`: the request's on a `request`
    /// template, the account's on a `directory` one (the request's are
    /// then ignored). Never the CA's own name.
    fn subject_for<'a>(
        &'a self,
        csr: &Csr,
        template: &str,
        principal: &str,
    ) -> Result<(Name, Option<Extension>), Denial> {
        let t = self.config.template(template).ok_or_else(|| {
            (
                HResult::CERTSRV_E_UNSUPPORTED_CERT_TYPE,
                format!("The template {template:?} is not configured."),
            )
        })?;
        let bad = |e: String| (HResult::CERTSRV_E_BAD_REQUESTSUBJECT, e);
        let (subject, alt_names) = match t.subject {
            SubjectSource::Request => {
                let subject = if csr.request.info.subject.0.is_empty() {
                    pki::name_with_cn(principal).map_err(bad)?
                } else {
                    csr.request.info.subject.clone()
                };
                let san = csr
                    .extensions
                    .iter()
                    .find(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_SUBJECT_ALT_NAME)
                    .cloned()
                    .map(|e: Extension| Extension {
                        critical: false,
                        ..e
                    });
                (subject, san)
            }
            SubjectSource::Directory => {
                let user = self.config.user(principal);
                let attribute = |a: AccountAttribute, value: Option<&'a String>, hresult, what| {
                    required(
                        t.from_account.contains(&a),
                        value,
                        hresult,
                        what,
                        principal,
                        template,
                    )
                };
                let email = attribute(
                    AccountAttribute::Email,
                    user.and_then(|u| u.email.as_ref()),
                    HResult::CERTSRV_E_SUBJECT_EMAIL_REQUIRED,
                    "e-mail address",
                )?;
                let upn = attribute(
                    AccountAttribute::Upn,
                    user.and_then(|u| u.upn.as_ref()),
                    HResult::CERTSRV_E_SUBJECT_UPN_REQUIRED,
                    "UPN",
                )?;
                let dns = attribute(
                    AccountAttribute::Dns,
                    user.and_then(|u| u.dns_name.as_ref()),
                    HResult::CERTSRV_E_SUBJECT_DNS_REQUIRED,
                    "DNS name",
                )?;
                let name = t.from_account.contains(&AccountAttribute::Name).then_some(
                    if principal.is_empty() {
                        "unknown"
                    } else {
                        principal
                    },
                );
                (
                    pki::account_subject(name, email).map_err(bad)?,
                    pki::account_alt_names(upn, email, dns).map_err(bad)?,
                )
            }
        };
        let ca = &self.ca.certificate.tbs_certificate.subject;
        if subject == *ca || subject.to_string().eq_ignore_ascii_case(&ca.to_string()) {
            return Err((
                HResult::CERTSRV_E_BAD_REQUESTSUBJECT,
                "The requested subject is the CA's own name.".to_owned(),
            ));
        }
        Ok((subject, alt_names))
    }

    /// The certificate for `csr` from template `template` for
    /// `principal`, valid from `not_before` to `not_after`.
    pub fn certificate_for(
        &self,
        csr: &Csr,
        template: &str,
        principal: &str,
        not_before: i64,
        not_after: i64,
    ) -> Result<Certificate, String> {
        let index = self
            .config
            .templates
            .iter()
            .position(|t| t.name.eq_ignore_ascii_case(template))
            .ok_or_else(|| format!("template {template:?} is not configured"))?;
        let t = &self.config.templates[index];
        let ekus = t
            .ekus
            .iter()
            .map(|o| o.parse().map_err(|e| format!("{o}: {e}")))
            .collect::<Result<Vec<_>, String>>()?;
        let template_oid = self
            .config
            .template_oid(index)
            .parse()
            .map_err(|e| format!("template OID: {e}"))?;
        let mut extensions = vec![
            pki::extended_key_usage(&ekus)?,
            pki::extension(
                pki::TEMPLATE_INFO,
                false,
                &wstep::payload::TemplateInfo {
                    template_id: template_oid,
                    major_version: Some(t.major_revision),
                    minor_version: Some(t.minor_revision),
                },
            )?,
        ];
        let (subject, alt_names) = self
            .subject_for(csr, template, principal)
            .map_err(|(hresult, message)| format!("{hresult}: {message}"))?;
        extensions.extend(alt_names);
        self.ca.issue(&CertificateSpec {
            subject,
            public_key: csr.request.info.public_key.clone(),
            not_before,
            not_after,
            profile: Profile::Leaf,
            extensions,
        })
    }

    /// Issues the pending request `id` (`cepces approve`).
    pub fn approve(&self, id: i64, now: i64) -> Result<Certificate, String> {
        let record = self
            .store()
            .get(id)
            .map_err(|e| format!("database: {e}"))?
            .ok_or_else(|| format!("no request {id}"))?;
        if record.state != store::State::Pending {
            return Err(format!("request {id} is not pending"));
        }
        let csr = Csr::from_der(&record.csr).map_err(|e| e.to_string())?;
        let validity = self
            .config
            .template(&record.template)
            .map(|t| i64::from(t.validity_days) * 86_400)
            .ok_or_else(|| format!("template {:?} is not configured", record.template))?;
        let cert = self.certificate_for(
            &csr,
            &record.template,
            &record.principal,
            now,
            now + validity,
        )?;
        let der = pki::to_der(&cert)?;
        let issued = store::Issued {
            certificate: &der,
            serial: &pki::serial_hex(&cert),
            not_after: now + validity,
        };
        if !self
            .store()
            .approve(id, &issued, now)
            .map_err(|e| format!("database: {e}"))?
        {
            return Err(format!("request {id} is not pending"));
        }
        Ok(cert)
    }

    /// Denies the pending request `id` (`cepces deny`).
    pub fn deny(&self, id: i64, message: &str, now: i64) -> Result<(), String> {
        let hresult = i64::from(HResult::CERTSRV_E_ADMIN_DENIED_REQUEST.as_i32());
        if self
            .store()
            .deny(id, hresult, message, now)
            .map_err(|e| format!("database: {e}"))?
        {
            Ok(())
        } else {
            Err(format!("request {id} is not pending"))
        }
    }

    /// Every record (`cepces list`).
    pub fn records(&self) -> Result<Vec<Record>, String> {
        self.store().list().map_err(|e| format!("database: {e}"))
    }
}

/// Why a request is not authenticated.
enum NotAuthenticated {
    /// No or wrong credentials.
    Failed(String),
    /// Refused by the guard before or after the password (the account
    /// named, if any).
    Refused(Refusal, String),
}

/// The WS-Security fault for `why`, logged.
fn auth_fault(
    why: &NotAuthenticated,
    relates_to: Option<&str>,
    peer: Option<IpAddr>,
) -> (Reply, Outcome) {
    const FAILED: &str = "An error occurred when verifying security for the message.";
    let (subcode, reason, why) = match why {
        NotAuthenticated::Failed(why) => {
            tracing::warn!(reason = why, peer = ?peer, "authentication failed");
            (subcode::FAILED_AUTHENTICATION, FAILED, why.clone())
        }
        NotAuthenticated::Refused(refusal, account) => {
            let why = refusal.to_string();
            tracing::warn!(
                event = "login_refused",
                account,
                peer = ?peer,
                reason = %why,
                "authentication refused"
            );
            match refusal {
                Refusal::Expired(_) => (subcode::MESSAGE_EXPIRED, "The message has expired.", why),
                Refusal::PasswordType(_) => (
                    subcode::UNSUPPORTED_SECURITY_TOKEN,
                    "An unsupported token was provided.",
                    why,
                ),
                Refusal::Replayed | Refusal::Throttled { .. } => {
                    (subcode::FAILED_AUTHENTICATION, FAILED, why)
                }
            }
        }
    };
    let fault = Fault::new(FaultCodeValue::Sender, reason).with_subcode(subcode);
    match fault_reply(fault, relates_to) {
        Ok(reply) => (reply, Outcome::Fault(format!("{}: {why}", subcode.local))),
        Err(e) => internal(&e.to_string()),
    }
}

/// The account attribute `value` when the template wants it (`wanted`),
/// or the denial naming what the account lacks.
fn required<'a>(
    wanted: bool,
    value: Option<&'a String>,
    hresult: HResult,
    what: &str,
    principal: &str,
    template: &str,
) -> Result<Option<&'a str>, Denial> {
    if !wanted {
        return Ok(None);
    }
    value.map(|v| Some(v.as_str())).ok_or_else(|| {
        (
            hresult,
            format!("The account {principal:?} has no {what} for template {template:?}."),
        )
    })
}

fn fault_reason(reply: &Reply) -> String {
    Envelope::<AnyElement>::from_xml(&reply.body)
        .ok()
        .and_then(|e| {
            e.as_fault()
                .and_then(|f| f.reason_text(None).map(str::to_owned))
        })
        .unwrap_or_else(|| "fault".into())
}

/// A `Receiver` fault for a server-side failure (the details go to the
/// log, not to the client).
fn internal(why: &str) -> (Reply, Outcome) {
    tracing::error!(error = why, "internal error");
    let fault = Fault::new(
        FaultCodeValue::Receiver,
        "The server could not process the request.",
    );
    let reply = fault_reply(fault, None).unwrap_or_else(|_| Reply {
        status: 500,
        content_type: soap_envelope::CONTENT_TYPE,
        body: Vec::new(),
    });
    (reply, Outcome::Fault(format!("internal: {why}")))
}
