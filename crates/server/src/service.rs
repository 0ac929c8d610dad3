//! [`Server`]: the CEP and CES services of one CA, answering a request
//! body that arrived at one endpoint.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, RwLock};

use cepces_enroll::server::{
    Decision, EnrollmentServer, IssueRequest, PolicyServer, Principal, Reply, RequestContext,
    StoredState, denied_reply, fault_reply,
};
use der::{Decode, Encode};
use soap_envelope::fault::subcode;
use soap_envelope::xsd::DateTime;
use soap_envelope::{AnyElement, Envelope, Fault, FaultCodeValue, Header};
use wstep::hresult::HResult;
use wstep::payload::{Csr, TokenContent};
use wstep::{RequestType, WstepMessage, decode_token};
use x509_cert::Certificate;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use xcep::XcepMessage;

use crate::Error;
use crate::accounts::Authenticator;
use crate::config::{
    AccountAttribute, Auth, Service, ServiceConfig, SubjectSource, TemplateConfig, Urls,
};
use crate::guard::{Guard, Refusal};
use crate::negotiate::{self, Acceptor, ChannelBinding, Refused, map_principal};
use crate::pki::{self, CertificateSpec, Issuer, Profile};
use crate::policy::{Policy, PolicySource};
use crate::publish::{Publication, Published};
use crate::store::{self, CrlReason, NewRequest, Record, RequestStore, RevokeOutcome, StoredCrl};

/// Checks that the records of `store` were issued by `ca` (a database
/// from another CA beside this key would hand out certificates that do
/// not chain).
fn check_records(store: &dyn RequestStore, ca: &Certificate) -> Result<(), Error> {
    let Some(der) = store.any_certificate()? else {
        return Ok(());
    };
    let cert = Certificate::from_der(&der).map_err(|e| Error::Store(Box::new(e)))?;
    let tbs = cert
        .tbs_certificate
        .to_der()
        .map_err(|e| Error::Store(Box::new(e)))?;
    let signed_by_ca = cert.tbs_certificate.issuer == ca.tbs_certificate.subject
        && wstep::payload::signature::verify(
            &ca.tbs_certificate.subject_public_key_info,
            &cert.signature_algorithm,
            &tbs,
            cert.signature.raw_bytes(),
        )
        .is_ok();
    if signed_by_ca {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "the records hold certificates issued by {}, not by this CA ({}): refusing to start",
            cert.tbs_certificate.issuer, ca.tbs_certificate.subject
        )))
    }
}

/// What the connection tells about a request besides its bytes.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct Transport<'a> {
    /// The client's address.
    pub peer: Option<SocketAddr>,
    /// Our address the client connected to (the listener's own URL is
    /// accepted as WS-Addressing `To` beside the public one).
    pub local: Option<SocketAddr>,
    /// The TLS client certificate (DER), verified by the TLS layer
    /// against the CA.
    pub client_cert: Option<&'a [u8]>,
    /// The account HTTP Negotiate authenticated ([`Server::negotiate`]),
    /// for the `…_Kerberos` endpoints.
    pub negotiated: Option<&'a str>,
}

/// What one request came to, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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

impl std::fmt::Display for Outcome {
    /// `policy`, `issued ID`, `pending ID`, `status` or `fault WHY`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Policy => f.write_str("policy"),
            Self::Issued(id) => write!(f, "issued {id}"),
            Self::Pending(id) => write!(f, "pending {id}"),
            Self::Status => f.write_str("status"),
            Self::Fault(why) => write!(f, "fault {why}"),
        }
    }
}

/// The CEP and CES services of one CA: [`Server::handle`] answers a
/// request body; no sockets, no clock (the caller passes the time).
#[derive(Debug)]
pub struct Server {
    settings: ServiceConfig,
    urls: Urls,
    source: Box<dyn PolicySource>,
    loaded: RwLock<Arc<Loaded>>,
    accounts: Box<dyn Authenticator>,
    issuer: Box<dyn Issuer>,
    store: Box<dyn RequestStore>,
    guard: Guard,
    negotiate: Option<Negotiate>,
    publication: Option<Publication>,
}

/// A policy as loaded, with the CEP and CES services answering from it;
/// replaced whole when the source changes ([`Server::refresh`]).
#[derive(Debug)]
struct Loaded {
    rules: Arc<Policy>,
    policy: PolicyServer,
    ces: EnrollmentServer,
}

impl Loaded {
    fn new(rules: Policy, settings: &ServiceConfig) -> Self {
        Self {
            policy: PolicyServer::new(rules.response.clone(), rules.last_update)
                .with_permissions(rules.permissions.clone()),
            ces: EnrollmentServer::new(rules.response.clone())
                .with_permissions(rules.permissions.clone())
                .with_max_key_bits(
                    usize::try_from(settings.max_rsa_key_bits).unwrap_or(usize::MAX),
                ),
            rules: Arc::new(rules),
        }
    }
}

/// HTTP Negotiate for the `…_Kerberos` endpoints: the token check and how
/// principals become accounts.
#[derive(Debug)]
pub struct Negotiate {
    acceptor: Box<dyn Acceptor>,
    realm: String,
    domain: String,
    channel_binding: ChannelBinding,
}

impl Negotiate {
    /// Tokens checked by `acceptor`; principals of `realm` are accounts
    /// of the NetBIOS domain `domain` ([`map_principal`]).
    pub fn new(
        acceptor: Box<dyn Acceptor>,
        realm: impl Into<String>,
        domain: impl Into<String>,
    ) -> Self {
        Self {
            acceptor,
            realm: realm.into(),
            domain: domain.into(),
            channel_binding: ChannelBinding::default(),
        }
    }

    /// Whether tokens must be bound to the TLS channel (default
    /// [`ChannelBinding::WhenSupported`]).
    #[must_use]
    pub fn with_channel_binding(mut self, policy: ChannelBinding) -> Self {
        self.channel_binding = policy;
        self
    }
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

/// The parts a [`Server`] is made of, each replaceable.
#[derive(Debug)]
#[non_exhaustive]
pub struct Parts {
    /// Limits, skews, administrators ([`ServiceConfig`]).
    pub settings: ServiceConfig,
    /// Where the endpoints are (the public URL clients were given).
    pub urls: Urls,
    /// The templates.
    pub policy: Box<dyn PolicySource>,
    /// The accounts.
    pub accounts: Box<dyn Authenticator>,
    /// The CA.
    pub issuer: Box<dyn Issuer>,
    /// The records.
    pub store: Box<dyn RequestStore>,
    /// HTTP Negotiate, when the `…_Kerberos` endpoints are served.
    pub negotiate: Option<Negotiate>,
    /// Where the CRL and the CA certificate are published, when they are.
    pub publication: Option<crate::config::PublicationConfig>,
}

impl Parts {
    /// The parts of a server at `urls` with default settings.
    pub fn new(
        urls: Urls,
        policy: Box<dyn PolicySource>,
        accounts: Box<dyn Authenticator>,
        issuer: Box<dyn Issuer>,
        store: Box<dyn RequestStore>,
    ) -> Self {
        Self {
            settings: ServiceConfig::default(),
            urls,
            policy,
            accounts,
            issuer,
            store,
            negotiate: None,
            publication: None,
        }
    }

    /// Publishes the CRL and the CA certificate as `publication` says, and
    /// names them in every certificate issued.
    #[must_use]
    pub fn with_publication(mut self, publication: crate::config::PublicationConfig) -> Self {
        self.publication = Some(publication);
        self
    }

    /// Serves the `…_Kerberos` endpoints with `negotiate`.
    #[must_use]
    pub fn with_negotiate(mut self, negotiate: Negotiate) -> Self {
        self.negotiate = Some(negotiate);
        self
    }

    /// Replaces the settings.
    #[must_use]
    pub fn with_settings(mut self, settings: ServiceConfig) -> Self {
        self.settings = settings;
        self
    }
}

impl Server {
    /// A server of `parts`, its policy loaded as of `now` (seconds since
    /// 1970). Refuses records issued by another CA than the issuer's.
    pub fn new(parts: Parts, now: i64) -> Result<Self, Error> {
        let Parts {
            settings,
            urls,
            policy,
            accounts,
            issuer,
            store,
            negotiate,
            publication,
        } = parts;
        check_records(store.as_ref(), issuer.ca_certificate())?;
        let publication = publication
            .map(|p| Publication::new(p, issuer.ca_certificate()))
            .transpose()?;
        let rules = policy.policy(issuer.ca_certificate(), &urls, DateTime::from_unix(now, 0))?;
        Ok(Self {
            loaded: RwLock::new(Arc::new(Loaded::new(rules, &settings))),
            source: policy,
            guard: Guard::new(&settings),
            settings,
            urls,
            accounts,
            issuer,
            store,
            negotiate,
            publication,
        })
    }

    /// Whether the `…_Kerberos` endpoints are served.
    pub fn serves_kerberos(&self) -> bool {
        self.negotiate.is_some()
    }

    /// Checks the `Authorization` header of a request to a `…_Kerberos`
    /// endpoint: the account it authenticates and the token for the
    /// client's mutual authentication (`WWW-Authenticate: Negotiate
    /// <token>`). `channel_binding` is the connection's
    /// ([`negotiate::tls_server_end_point`] of the server's certificate),
    /// checked as [`Negotiate::with_channel_binding`] says. Every refusal
    /// is a 401 for the client.
    pub fn negotiate(
        &self,
        authorization: Option<&str>,
        channel_binding: Option<&[u8]>,
    ) -> Result<(String, Option<Vec<u8>>), Refused> {
        let n = self.negotiate.as_ref().ok_or(Refused::Missing)?;
        let token = negotiate::token_of(authorization)?;
        let binding = match n.channel_binding {
            ChannelBinding::Off => None,
            ChannelBinding::WhenSupported => channel_binding,
            ChannelBinding::Required => Some(channel_binding.ok_or(Refused::Unbound)?),
        };
        let accepted = n.acceptor.accept(&token, binding)?;
        if n.channel_binding == ChannelBinding::Required && !accepted.channel_bound {
            return Err(Refused::Unbound);
        }
        let account = map_principal(&accepted.principal, &n.realm, &n.domain)
            .ok_or_else(|| Refused::ForeignRealm(accepted.principal.clone()))?;
        Ok((account, accepted.reply))
    }

    /// The endpoint URLs.
    pub fn urls(&self) -> &Urls {
        &self.urls
    }

    /// The settings.
    pub fn settings(&self) -> &ServiceConfig {
        &self.settings
    }

    /// The policy served (as of the last [`refresh`](Self::refresh)).
    pub fn policy(&self) -> Arc<Policy> {
        Arc::clone(&self.loaded().rules)
    }

    /// Asks the policy source whether the policy changed
    /// ([`PolicySource::refresh`]) and, when it did, serves the new one
    /// from the next request on (a request being answered finishes with
    /// the policy it began with). `Ok(true)` when it changed. The caller
    /// owns the schedule (and the thread: a directory source reads the
    /// directory here).
    pub fn refresh(&self, now: i64) -> Result<bool, Error> {
        let current = self.policy();
        let next = self.source.refresh(
            &current,
            self.issuer.ca_certificate(),
            &self.urls,
            DateTime::from_unix(now, 0),
        )?;
        let Some(next) = next else {
            return Ok(false);
        };
        let loaded = Arc::new(Loaded::new(next, &self.settings));
        *self
            .loaded
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = loaded;
        Ok(true)
    }

    fn loaded(&self) -> Arc<Loaded> {
        Arc::clone(
            &self
                .loaded
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// The largest request body accepted.
    pub fn max_request_bytes(&self) -> usize {
        self.settings.max_request_bytes
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
        // One read of a good request: its header authenticates, its body
        // is decided. A request that does not read as its service's
        // message is read again with any body, to authenticate it as
        // before, and the service answers it with its fault.
        let loaded = self.loaded();
        match endpoint.0 {
            Service::Cep => {
                let reply = match Envelope::<XcepMessage>::from_xml(body) {
                    Ok(envelope) => {
                        match self.authenticate(endpoint.1, &envelope.header, transport, now) {
                            Ok(principal) => loaded
                                .policy
                                .handle_envelope(&envelope, &ctx.with_principal(principal)),
                            Err(fault) => return fault,
                        }
                    }
                    Err(_) => match self.authenticate_any(endpoint.1, body, transport, now) {
                        Ok(ctx_principal) => loaded
                            .policy
                            .handle_get_policies(body, &with_principal(ctx, ctx_principal)),
                        Err(fault) => return fault,
                    },
                };
                match reply {
                    Ok(reply) => {
                        let outcome = if reply.is_fault() {
                            Outcome::Fault(fault_reason(&reply))
                        } else {
                            Outcome::Policy
                        };
                        (reply, outcome)
                    }
                    Err(e) => internal(&e.to_string()),
                }
            }
            Service::Ces => match Envelope::<WstepMessage>::from_xml(body) {
                Ok(envelope) => {
                    match self.authenticate(endpoint.1, &envelope.header, transport, now) {
                        Ok(principal) => self.enroll(&envelope, ctx.with_principal(principal), now),
                        Err(fault) => fault,
                    }
                }
                Err(_) => match self.authenticate_any(endpoint.1, body, transport, now) {
                    Ok(principal) => {
                        self.reject(&loaded.ces.decide(body, &with_principal(ctx, principal)))
                    }
                    Err(fault) => fault,
                },
            },
        }
    }

    /// [`authenticate`](Self::authenticate) for a body that does not read
    /// as its service's message: `Ok(None)` when it is not even an
    /// envelope (the service answers that with its own fault).
    fn authenticate_any(
        &self,
        auth: Auth,
        body: &[u8],
        transport: Transport<'_>,
        now: i64,
    ) -> Result<Option<Principal>, (Reply, Outcome)> {
        match Envelope::<AnyElement>::from_xml(body) {
            Ok(envelope) => self
                .authenticate(auth, &envelope.header, transport, now)
                .map(Some),
            Err(_) => Ok(None),
        }
    }

    /// The principal of a request with `header`: by UsernameToken or by
    /// TLS client certificate, as the endpoint demands.
    fn authenticate(
        &self,
        auth: Auth,
        header: &Header,
        transport: Transport<'_>,
        now: i64,
    ) -> Result<Principal, (Reply, Outcome)> {
        let peer = transport.peer.map(|p| p.ip());
        let security = header.security.as_ref();
        let principal = self
            .guard
            .check_timestamp(security, now)
            .map_err(|r| NotAuthenticated::Refused(r, String::new()))
            .and_then(|()| match auth {
                Auth::UsernamePassword => self.password_principal(security, peer, now),
                Auth::Certificate => self.certificate_principal(transport.client_cert),
                Auth::Kerberos => self.negotiated_principal(transport.negotiated),
            });
        principal.map_err(|why| auth_fault(&why, header.message_id(), peer))
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
        let Some(account) = self
            .accounts
            .verify_password_at(&token.username, password, now)
        else {
            let failures = self.guard.failed(&token.username, peer, now);
            tracing::warn!(
                event = "login_failed",
                account = token.username,
                peer = ?peer,
                failures,
                "wrong user name or password"
            );
            return Err(NotAuthenticated::Failed(
                "unknown user or wrong password".into(),
            ));
        };
        self.guard.succeeded(token, now).map_err(refused)?;
        Ok(Principal::new(account.name, account.groups))
    }

    /// The account HTTP Negotiate authenticated, with its groups when the
    /// accounts know it.
    fn negotiated_principal(&self, account: Option<&str>) -> Result<Principal, NotAuthenticated> {
        let name = account
            .ok_or_else(|| NotAuthenticated::Failed("not authenticated by Negotiate".into()))?;
        let groups = self
            .accounts
            .account(name)
            .map(|a| a.groups)
            .unwrap_or_default();
        Ok(Principal::new(name, groups))
    }

    /// The account a TLS client certificate was issued to, by this CA's
    /// records: never its subject, which an enrollee may have chosen
    /// ("subject = request" templates). The account must still exist:
    /// removing a user from the configuration ends their access.
    fn certificate_principal(&self, der: Option<&[u8]>) -> Result<Principal, NotAuthenticated> {
        let failed = |why: &str| NotAuthenticated::Failed(why.to_owned());
        // The TLS layer checked the certificate's chain: only its serial
        // number is read, to find its record.
        let serial = der
            .and_then(pki::serial_hex_of_der)
            .ok_or_else(|| failed("no TLS client certificate"))?;
        let record = self
            .store
            .by_serial(&serial)
            .ok()
            .flatten()
            .filter(|r| r.state == store::State::Issued)
            .ok_or_else(|| failed("the TLS client certificate is not one this CA issued"))?;
        if record.revoked.is_some() {
            return Err(failed("the TLS client certificate is revoked"));
        }
        let user = self
            .accounts
            .account(&record.principal)
            .ok_or_else(|| failed("the account of the TLS client certificate no longer exists"))?;
        Ok(Principal::new(user.name, user.groups))
    }

    fn enroll(
        &self,
        envelope: &Envelope<WstepMessage>,
        ctx: RequestContext,
        now: i64,
    ) -> (Reply, Outcome) {
        // A renewal is made by the holder of a certificate this CA issued:
        // that record's account enrolls again, with its groups of now.
        let renewal = self.renewal(envelope, now);
        let ctx = match renewal
            .record()
            .and_then(|r| self.accounts.account(&r.principal))
        {
            Some(u) => ctx.with_principal(Principal::new(u.name, u.groups)),
            None => ctx,
        };
        let caller = ctx.authenticated.clone();
        let decision = self
            .loaded()
            .ces
            .decide_envelope(envelope, &ctx, |id| self.stored_state(id, caller.as_ref()));
        self.answer(&decision, &renewal, now)
    }

    /// The answer for a request that was not read (it can only be a
    /// rejection).
    fn reject(&self, decision: &Decision) -> (Reply, Outcome) {
        self.answer(decision, &Renewal::None, 0)
    }

    /// What `decision` comes to: a certificate issued, a request pending,
    /// a status, or the fault.
    fn answer(&self, decision: &Decision, renewal: &Renewal, now: i64) -> (Reply, Outcome) {
        let result = match decision {
            Decision::Issue(request) => self.issue(request, renewal, now),
            Decision::Pend(request) => self.pend(request, renewal, now),
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
        self.settings.administrators.iter().any(|a| {
            a.eq_ignore_ascii_case(&principal.name)
                || principal.groups.iter().any(|g| g.eq_ignore_ascii_case(a))
        })
    }

    /// The stored state of request `id`, for `caller`: only the account
    /// that made it (or an administrator) learns anything; for anyone
    /// else it does not exist, exactly as an unknown ID.
    fn stored_state(&self, id: &str, caller: Option<&Principal>) -> Option<StoredState> {
        let record = self.store.get(id.parse().ok()?).ok()??;
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
                chain: vec![self.issuer.ca_certificate().clone()],
            },
            store::State::Denied => StoredState::Denied {
                hresult: HResult::from(i32::try_from(record.hresult?).ok()?),
                message: record.message.clone().unwrap_or_default(),
            },
        })
    }

    /// The certificate that signed a Renew request: one this CA issued,
    /// unexpired, not renewed before, whose account still exists.
    fn renewal(&self, envelope: &Envelope<WstepMessage>, now: i64) -> Renewal {
        let Some(old) = Self::renewal_signer(envelope) else {
            return Renewal::None;
        };
        let ca = self.issuer.ca_certificate();
        let signed_by_us = old.tbs_certificate.issuer == ca.tbs_certificate.subject
            && old.tbs_certificate.to_der().is_ok_and(|tbs| {
                wstep::payload::signature::verify(
                    &ca.tbs_certificate.subject_public_key_info,
                    &old.signature_algorithm,
                    &tbs,
                    old.signature.raw_bytes(),
                )
                .is_ok()
            });
        let record = if signed_by_us {
            self.store.by_serial(&pki::serial_hex(&old)).ok().flatten()
        } else {
            None
        };
        match record {
            Some(r) if r.state == store::State::Issued && r.not_after.is_some_and(|t| t > now) => {
                if r.revoked.is_some() {
                    Renewal::Refused("The certificate is revoked.")
                } else if self.accounts.account(&r.principal).is_none() {
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
    fn renewal_signer(envelope: &Envelope<WstepMessage>) -> Option<Certificate> {
        let Some(WstepMessage::RequestSecurityToken(rst)) = envelope.payload() else {
            return None;
        };
        if rst.request_type != RequestType::Renew {
            return None;
        }
        let TokenContent::Pkcs7(signed) = decode_token(rst.binary_security_token.as_ref()?).ok()?
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
    /// request recorded within the message window (`max_message_age_secs`
    /// plus the clock skew) is answered from its record (a client that
    /// lost our answer and sends again gets the same request ID, not a
    /// second certificate; a resubmission later, as certmonger's
    /// `getcert resubmit`, is a new request); then the renewal and subject
    /// checks.
    fn admit(
        &self,
        request: &IssueRequest,
        renewal: &Renewal,
        csr_der: &[u8],
        now: i64,
    ) -> Result<(), Result<(Reply, Outcome), String>> {
        let principal = request.principal.as_ref().map_or("", |p| p.name.as_str());
        let window = i64::from(self.settings.max_message_age_secs)
            + i64::from(self.settings.clock_skew_secs);
        let earlier = self
            .store
            .same_request(csr_der, principal, request.template_name(), now - window)
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
        if let Err(answer) = self.admit(request, renewal, &csr_der, now) {
            return answer;
        }
        let principal = request.principal.as_ref().map_or("", |p| p.name.as_str());
        // Signed before the store is entered: the signature (milliseconds
        // of RSA) holds no lock and no transaction. A certificate whose
        // record then fails to be written is never sent.
        let cert = self.certificate_for(
            &request.csr,
            request.template_name(),
            principal,
            request.not_before.to_unix(),
            request.not_after.to_unix(),
        )?;
        let der = pki::to_der(&cert)?;
        let made = (
            der.clone(),
            pki::serial_hex(&cert),
            pki::validity_secs(&cert).1,
        );
        let mut made = Some(made);
        let id = self
            .store
            .insert_issued(
                &Self::new_request(request, renewal, &csr_der, now),
                &mut |_| {
                    made.take()
                        .ok_or_else(|| Error::Issuer("the certificate was taken twice".into()))
                },
            )
            .map_err(|e| e.to_string())?;
        let reply = request
            .issued_reply(
                &id.to_string(),
                &der,
                std::slice::from_ref(self.issuer.ca_certificate()),
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
        if let Err(answer) = self.admit(request, renewal, &csr_der, now) {
            return answer;
        }
        let id = self
            .store
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
    fn subject_for(
        &self,
        csr: &Csr,
        template: &str,
        principal: &str,
    ) -> Result<(Name, Option<Extension>), Denial> {
        let rules = self.policy();
        let t = rules.template(template).ok_or_else(|| {
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
            SubjectSource::Directory => self.account_names(t, principal, template)?,
        };
        let ca = &self.issuer.ca_certificate().tbs_certificate.subject;
        if pki::same_name_ignoring_case(&subject, ca) {
            return Err((
                HResult::CERTSRV_E_BAD_REQUESTSUBJECT,
                "The requested subject is the CA's own name.".to_owned(),
            ));
        }
        Ok((subject, alt_names))
    }

    /// The subject and subjectAltName of a `directory` template, from the
    /// account of `principal` ([MS-WCCE] 3.2.2.6.2.1.4.5.9): a required
    /// attribute the account lacks is the HRESULT AD CS gives.
    ///
    /// [MS-WCCE]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wcce/
    fn account_names(
        &self,
        t: &TemplateConfig,
        principal: &str,
        template: &str,
    ) -> Result<(Name, Option<Extension>), Denial> {
        let bad = |e: String| (HResult::CERTSRV_E_BAD_REQUESTSUBJECT, e);
        let account = self.accounts.account(principal);
        let user = account.as_ref();
        let wants = |a| t.from_account.contains(&a);
        let needed = (principal, template);
        let email = required(
            wants(AccountAttribute::Email),
            user.and_then(|u| u.email.as_ref()),
            (HResult::CERTSRV_E_SUBJECT_EMAIL_REQUIRED, "e-mail address"),
            needed,
        )?;
        let upn = required(
            wants(AccountAttribute::Upn),
            user.and_then(|u| u.upn.as_ref()),
            (HResult::CERTSRV_E_SUBJECT_UPN_REQUIRED, "UPN"),
            needed,
        )?;
        let dns = required(
            wants(AccountAttribute::Dns),
            user.and_then(|u| u.dns_name.as_ref()),
            (HResult::CERTSRV_E_SUBJECT_DNS_REQUIRED, "DNS name"),
            needed,
        )?;
        let dns_cn = required(
            wants(AccountAttribute::DnsAsCn),
            user.and_then(|u| u.dns_name.as_ref()),
            (HResult::CERTSRV_E_SUBJECT_DNS_REQUIRED, "DNS name"),
            needed,
        )?;
        let path = required(
            wants(AccountAttribute::DirectoryPath),
            user.and_then(|u| u.dn.as_ref()),
            (HResult::CERTSRV_E_BAD_REQUESTSUBJECT, "distinguished name"),
            needed,
        )?;
        let cn = required(
            wants(AccountAttribute::Cn),
            user.and_then(|u| u.cn.as_ref()),
            (HResult::CERTSRV_E_BAD_REQUESTSUBJECT, "common name"),
            needed,
        )?;
        let guid = if wants(AccountAttribute::DirectoryGuid) {
            Some(user.and_then(|u| u.object_guid.as_ref()).ok_or_else(|| {
                (
                    HResult::CERTSRV_E_SUBJECT_DIRECTORY_GUID_REQUIRED,
                    format!(
                        "The account {principal:?} has no objectGUID for template {template:?}."
                    ),
                )
            })?)
        } else {
            None
        };
        let name =
            t.from_account
                .contains(&AccountAttribute::Name)
                .then_some(if principal.is_empty() {
                    "unknown"
                } else {
                    principal
                });
        // As AD CS: the directory path, else the common name (the
        // DNS name for DNS_AS_CN), and the e-mail address.
        let subject = match path {
            Some(dn) => pki::directory_subject(dn, email),
            None => pki::account_subject(dns_cn.or(cn).or(name), email),
        };
        Ok((
            subject.map_err(bad)?,
            pki::directory_alt_names(upn, email, dns, guid).map_err(bad)?,
        ))
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
        let rules = self.policy();
        let t = rules
            .template(template)
            .ok_or_else(|| format!("template {template:?} is not configured"))?;
        let ekus = t
            .ekus
            .iter()
            .map(|o| o.parse().map_err(|e| format!("{o}: {e}")))
            .collect::<Result<Vec<_>, String>>()?;
        let template_oid = t
            .oid
            .as_deref()
            .unwrap_or_default()
            .parse()
            .map_err(|e| format!("template OID: {e}"))?;
        // The template as AD CS names it in the certificate: a version 1
        // template by name (szOID_ENROLL_CERTTYPE_EXTENSION, a BMPString),
        // later ones by OID and revision (szOID_CERTIFICATE_TEMPLATE).
        let template_ext = if t.schema <= 1 {
            let name = der::asn1::BmpString::from_utf8(&t.name)
                .map_err(|e| format!("template name: {e}"))?;
            pki::extension(pki::TEMPLATE_NAME, false, &name)?
        } else {
            pki::extension(
                pki::TEMPLATE_INFO,
                false,
                &wstep::payload::TemplateInfo {
                    template_id: template_oid,
                    major_version: Some(t.major_revision),
                    minor_version: Some(t.minor_revision),
                },
            )?
        };
        let mut extensions = vec![pki::extended_key_usage(&ekus)?, template_ext];
        let (subject, alt_names) = self
            .subject_for(csr, template, principal)
            .map_err(|(hresult, message)| format!("{hresult}: {message}"))?;
        extensions.extend(alt_names);
        // Built from the account: its SID, for strong certificate mapping
        // (KB5014754), when the directory gave one.
        if t.subject == SubjectSource::Directory
            && let Some(sid) = self.accounts.account(principal).and_then(|a| a.sid)
        {
            extensions.push(pki::sid_extension(&sid)?);
        }
        if let Some(p) = &self.publication {
            extensions.extend_from_slice(p.extensions());
        }
        self.issuer.issue(&CertificateSpec {
            subject,
            public_key: csr.request.info.public_key.clone(),
            not_before,
            not_after,
            profile: Profile::Leaf,
            extensions,
        })
    }

    /// Issues the pending request `id` (an administrator's approval).
    pub fn approve(&self, id: i64, now: i64) -> Result<Certificate, Error> {
        let not_pending = || Error::Request(format!("request {id} is not pending"));
        let record = self
            .store
            .get(id)?
            .ok_or_else(|| Error::Request(format!("no request {id}")))?;
        if record.state != store::State::Pending {
            return Err(not_pending());
        }
        let csr = Csr::from_der(&record.csr).map_err(|e| Error::Store(Box::new(e)))?;
        let validity = self
            .policy()
            .template(&record.template)
            .map(|t| i64::from(t.validity_days) * 86_400)
            .ok_or_else(|| {
                Error::Request(format!("template {:?} is not configured", record.template))
            })?;
        let cert = self
            .certificate_for(
                &csr,
                &record.template,
                &record.principal,
                now,
                now + validity,
            )
            .map_err(Error::Issuer)?;
        let der = pki::to_der(&cert).map_err(Error::Issuer)?;
        let issued = store::Issued {
            certificate: &der,
            serial: &pki::serial_hex(&cert),
            not_after: now + validity,
        };
        if !self.store.approve(id, &issued, now)? {
            return Err(not_pending());
        }
        Ok(cert)
    }

    /// Denies the pending request `id` (an administrator's denial,
    /// `CERTSRV_E_ADMIN_DENIED_REQUEST` with `message`).
    pub fn deny(&self, id: i64, message: &str, now: i64) -> Result<(), Error> {
        let hresult = i64::from(HResult::CERTSRV_E_ADMIN_DENIED_REQUEST.as_i32());
        if self.store.deny(id, hresult, message, now)? {
            Ok(())
        } else {
            Err(Error::Request(format!("request {id} is not pending")))
        }
    }

    /// Every record, oldest first.
    pub fn records(&self) -> Result<Vec<Record>, Error> {
        self.store.list()
    }

    /// How many requests are pending, issued and denied; an error when
    /// the record store does not answer (a health check).
    pub fn counts(&self) -> Result<store::Counts, Error> {
        self.store.counts()
    }

    /// Revokes the certificate with serial `serial` (hex, either case,
    /// `:` between bytes allowed) for `reason` as of `now`, and signs the
    /// CRL that lists it when the CRL is published here. A certificate
    /// revoked before keeps that revocation, unless it was on hold
    /// (`certificateHold`) and `reason` makes it final. `removeFromCRL`
    /// is not a reason to revoke: [`release`](Self::release) ends a hold.
    pub fn revoke(
        &self,
        serial: &str,
        reason: CrlReason,
        now: i64,
    ) -> Result<RevokeOutcome, Error> {
        if reason == CrlReason::RemoveFromCRL {
            return Err(Error::Request(
                "removeFromCRL is not a revocation reason: release a certificate on hold instead"
                    .into(),
            ));
        }
        let serial = normal_serial(serial)?;
        let outcome = self.store.revoke(&serial, reason, now)?;
        if outcome == RevokeOutcome::Revoked {
            self.publish_crl(now)?;
        }
        Ok(outcome)
    }

    /// Takes the certificate with serial `serial` off hold and signs the
    /// CRL without it. `false` when it was not on hold.
    pub fn release(&self, serial: &str, now: i64) -> Result<bool, Error> {
        let released = self.store.release(&normal_serial(serial)?)?;
        if released {
            self.publish_crl(now)?;
        }
        Ok(released)
    }

    /// Signs the CRL anew (when it is published here) after a change.
    fn publish_crl(&self, now: i64) -> Result<(), Error> {
        self.crl(now).transpose().map(drop)
    }

    /// The current CRL ([`Publication::crl`]), when it is published here.
    pub fn crl(&self, now: i64) -> Option<Result<StoredCrl, Error>> {
        self.publication
            .as_ref()
            .map(|p| p.crl(self.store.as_ref(), self.issuer.as_ref(), now))
    }

    /// Where the CRL and the CA certificate are published, when they are.
    pub fn publication(&self) -> Option<&Publication> {
        self.publication.as_ref()
    }

    /// The published file at `path` (the path of an HTTP `GET`): the CRL
    /// or the CA certificate; `None` for any other path.
    pub fn published(&self, path: &str, now: i64) -> Option<Result<Published, Error>> {
        self.publication
            .as_ref()?
            .get(path, self.store.as_ref(), self.issuer.as_ref(), now)
    }
}

/// `serial` as the store keeps serials: upper-case hex without
/// separators.
fn normal_serial(serial: &str) -> Result<String, Error> {
    let hex: String = serial
        .chars()
        .filter(|c| *c != ':')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if hex.is_empty() || pki::from_hex(&hex).is_none() {
        return Err(Error::Request(format!(
            "{serial:?} is not a serial number in hex"
        )));
    }
    Ok(hex)
}

/// `ctx` with the principal, when there is one.
fn with_principal(ctx: RequestContext, principal: Option<Principal>) -> RequestContext {
    match principal {
        Some(p) => ctx.with_principal(p),
        None => ctx,
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
/// or the denial (`hresult`, naming `what`) when the account lacks it;
/// `needed` is the account and template, for the message.
fn required<'v>(
    wanted: bool,
    value: Option<&'v String>,
    (hresult, what): (HResult, &str),
    (principal, template): (&str, &str),
) -> Result<Option<&'v str>, Denial> {
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
    (
        Reply::internal_error(),
        Outcome::Fault(format!("internal: {why}")),
    )
}
