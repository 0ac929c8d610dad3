//! The CA behind `cepces serve`: its state directory, authentication, and
//! the answer to one SOAP request (no sockets here; `http.rs` has those).

use std::fs;
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use argon2::{Argon2, PasswordHash, PasswordVerifier};
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

use super::config::{Auth, Config, Service, SubjectSource, Urls};
use super::store::{self, NewRequest, Record, Store, StoreOr};
use crate::pki::{self, Authority, CertificateSpec, Profile};

/// The files of a state directory.
#[derive(Debug, Clone)]
pub struct StateDir {
    /// The directory.
    pub root: PathBuf,
}

impl StateDir {
    /// `root/name`.
    pub fn file(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }
    /// The CA certificate (PEM).
    pub fn ca_cert(&self) -> PathBuf {
        self.file("ca.pem")
    }
    /// The database.
    pub fn db(&self) -> PathBuf {
        self.file("cepces.db")
    }
    /// The default configuration file.
    pub fn config(&self) -> PathBuf {
        self.file("cepces.toml")
    }
}

/// Writes `contents` to `path` readable by the owner only.
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path)?;
    f.write_all(contents)?;
    f.sync_all()
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> String + '_ {
    move |e| format!("{}: {e}", path.display())
}

/// Loads the configuration (writing the shipped example to the default
/// path on first start).
pub fn load_config(dir: &StateDir, path: Option<&Path>) -> Result<Config, String> {
    let path = if let Some(p) = path {
        p.to_path_buf()
    } else {
        let p = dir.config();
        if !p.exists() {
            fs::write(&p, super::config::EXAMPLE).map_err(|e| format!("{}: {e}", p.display()))?;
            tracing::info!(path = %p.display(), "wrote the example configuration");
        }
        p
    };
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Config::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Loads the CA from `dir`, creating key and self-signed certificate on
/// first start.
pub fn load_or_create_ca(dir: &StateDir, config: &Config) -> Result<Authority, String> {
    let key_path = dir.file("ca-key.pem");
    let cert_path = dir.ca_cert();
    if key_path.exists() && cert_path.exists() {
        let key = pki::key_from_pem(&fs::read_to_string(&key_path).map_err(io_err(&key_path))?)?;
        let certificate =
            pki::cert_from_pem(&fs::read_to_string(&cert_path).map_err(io_err(&cert_path))?)?;
        return Ok(Authority { key, certificate });
    }
    let key = pki::generate_key(config.ca.key_bits)?;
    let ca = Authority::create(
        key,
        &config.ca.common_name,
        pki::unix_now(),
        i64::from(config.ca.validity_days) * 86_400,
    )?;
    write_private(&key_path, pki::key_to_pem(&ca.key)?.as_bytes()).map_err(io_err(&key_path))?;
    fs::write(&cert_path, pki::cert_to_pem(&ca.certificate)?).map_err(io_err(&cert_path))?;
    tracing::info!(subject = %ca.certificate.tbs_certificate.subject, "created the CA");
    Ok(ca)
}

/// The TLS server key (PKCS#8 DER) and certificate chain (DER, leaf
/// first), issued by the CA for `localhost`, the loopback addresses and
/// `hostnames`; made on first start.
pub fn load_or_create_tls(
    dir: &StateDir,
    ca: &Authority,
    hostnames: &[String],
) -> Result<(Vec<u8>, Vec<Vec<u8>>), String> {
    let key_path = dir.file("tls-key.pem");
    let cert_path = dir.file("tls.pem");
    let (key, cert) = if key_path.exists() && cert_path.exists() {
        (
            pki::key_from_pem(&fs::read_to_string(&key_path).map_err(io_err(&key_path))?)?,
            pki::cert_from_pem(&fs::read_to_string(&cert_path).map_err(io_err(&cert_path))?)?,
        )
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
        write_private(&key_path, pki::key_to_pem(&key)?.as_bytes()).map_err(io_err(&key_path))?;
        fs::write(&cert_path, pki::cert_to_pem(&cert)?).map_err(io_err(&cert_path))?;
        (key, cert)
    };
    Ok((
        pki::key_to_pkcs8_der(&key)?,
        vec![pki::to_der(&cert)?, pki::to_der(&ca.certificate)?],
    ))
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
}

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
        let store = Store::open(&dir.db()).map_err(|e| format!("{}: {e}", dir.db().display()))?;
        Ok(Self {
            policy: PolicyServer::new(policy.clone(), last_update)
                .with_permissions(permissions.clone()),
            ces: EnrollmentServer::new(policy).with_permissions(permissions),
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

    /// Answers one SOAP request that arrived at `endpoint` as `to_url`,
    /// with the TLS client certificate (verified by the TLS layer against
    /// the CA) if any.
    pub fn handle(
        &self,
        endpoint: (Service, Auth),
        to_url: &str,
        body: &[u8],
        client_cert: Option<&[u8]>,
        now: i64,
    ) -> (Reply, Outcome) {
        let ctx = RequestContext::new(to_url, DateTime::from_unix(now, 0));
        let ctx = match self.authenticate(endpoint.1, body, client_cert) {
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
        client_cert: Option<&[u8]>,
    ) -> Result<Option<Principal>, (Reply, Outcome)> {
        let Ok(envelope) = Envelope::<AnyElement>::from_xml(body) else {
            return Ok(None);
        };
        let relates_to = envelope.header.message_id();
        let failed = |why: &str| {
            tracing::warn!(reason = why, "authentication failed");
            let fault = Fault::new(
                FaultCodeValue::Sender,
                "An error occurred when verifying security for the message.",
            )
            .with_subcode(subcode::FAILED_AUTHENTICATION);
            match fault_reply(fault, relates_to) {
                Ok(reply) => (
                    reply,
                    Outcome::Fault(format!("FailedAuthentication: {why}")),
                ),
                Err(e) => internal(&e.to_string()),
            }
        };
        match auth {
            Auth::UsernamePassword => {
                let Some(token) = envelope
                    .header
                    .security
                    .as_ref()
                    .and_then(|s| s.username_token.as_ref())
                else {
                    return Err(failed("no UsernameToken"));
                };
                let password = token.password.as_ref().map_or("", |p| p.value.as_str());
                let user = self.config.user(&token.username);
                let verified = user.is_some_and(|u| {
                    PasswordHash::new(&u.password_hash).is_ok_and(|hash| {
                        Argon2::default()
                            .verify_password(password.as_bytes(), &hash)
                            .is_ok()
                    })
                });
                match user {
                    Some(u) if verified => {
                        Ok(Some(Principal::new(u.name.clone(), u.groups.clone())))
                    }
                    _ => Err(failed("unknown user or wrong password")),
                }
            }
            Auth::Certificate => {
                // The account is the one the certificate was issued to, by
                // this CA's records: never its subject, which an enrollee
                // may have chosen ("subject = request" templates).
                let Some(cert) = client_cert.and_then(|der| Certificate::from_der(der).ok()) else {
                    return Err(failed("no TLS client certificate"));
                };
                let record = self
                    .store()
                    .by_serial(&pki::serial_hex(&cert))
                    .ok()
                    .flatten();
                match record {
                    Some(r) if r.state == store::State::Issued => {
                        let groups = self
                            .config
                            .user(&r.principal)
                            .map_or(r.groups, |u| u.groups.clone());
                        Ok(Some(Principal::new(r.principal, groups)))
                    }
                    _ => Err(failed(
                        "the TLS client certificate is not one this CA issued",
                    )),
                }
            }
        }
    }

    fn enroll(&self, body: &[u8], ctx: RequestContext, now: i64) -> (Reply, Outcome) {
        // A renewal is made by the holder of a certificate this CA issued:
        // that record's caller enrolls again.
        let renewed = self.renewed_record(body, now);
        let ctx = match &renewed {
            Some(r) => ctx.with_principal(Principal::new(r.principal.clone(), r.groups.clone())),
            None => ctx,
        };
        let decision = self.ces.decide_with(body, &ctx, |id| self.stored_state(id));
        let result = match &decision {
            Decision::Issue(request) => self.issue(request, renewed.as_ref(), now),
            Decision::Pend(request) => self.pend(request, renewed.as_ref(), now),
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

    fn stored_state(&self, id: &str) -> Option<StoredState> {
        let record = self.store().get(id.parse().ok()?).ok()??;
        Some(match record.state {
            store::State::Pending => StoredState::Pending,
            store::State::Issued => StoredState::Issued {
                certificate_der: record.certificate?,
                chain: vec![self.ca.certificate.clone()],
            },
            store::State::Denied => StoredState::Denied {
                hresult: HResult::from(i32::try_from(record.hresult?).ok()?),
                message: record.message.unwrap_or_default(),
            },
        })
    }

    /// The record of the certificate that signed a Renew request, if it
    /// is one this CA issued and it has not expired.
    fn renewed_record(&self, body: &[u8], now: i64) -> Option<Record> {
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
        let old = signed.signer.as_ref()?;
        if old.tbs_certificate.issuer != self.ca.certificate.tbs_certificate.subject {
            return None;
        }
        wstep::payload::signature::verify(
            &self.ca.certificate.tbs_certificate.subject_public_key_info,
            &old.signature_algorithm,
            &old.tbs_certificate.to_der().ok()?,
            old.signature.raw_bytes(),
        )
        .ok()?;
        let record = self.store().by_serial(&pki::serial_hex(old)).ok()??;
        (record.state == store::State::Issued && record.not_after.is_some_and(|t| t > now))
            .then_some(record)
    }

    fn new_request<'a>(
        request: &'a IssueRequest,
        renewed: Option<&Record>,
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
            renewal_of: renewed.map(|r| r.id),
        }
    }

    fn renewal_denial(
        request: &IssueRequest,
        renewed: Option<&Record>,
    ) -> Option<Result<(Reply, Outcome), String>> {
        if !request.renewal {
            return None;
        }
        let message = match renewed {
            None => "The renewal request is not signed by a valid certificate of this CA.",
            Some(r) if !r.template.eq_ignore_ascii_case(request.template_name()) => {
                "The renewal request asks for another template than the certificate it renews."
            }
            Some(_) => return None,
        };
        let hresult = HResult::CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE;
        Some(
            denied_reply(hresult, message, None, request.relates_to.as_deref())
                .map(|r| {
                    (
                        r,
                        Outcome::Fault("CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE".into()),
                    )
                })
                .map_err(|e| e.to_string()),
        )
    }

    fn issue(
        &self,
        request: &IssueRequest,
        renewed: Option<&Record>,
        now: i64,
    ) -> Result<(Reply, Outcome), String> {
        if let Some(denial) = Self::renewal_denial(request, renewed) {
            return denial;
        }
        let csr_der = request.csr.request.to_der().map_err(|e| e.to_string())?;
        let principal = request.principal.as_ref().map_or("", |p| p.name.as_str());
        let mut certificate = None;
        let id = self
            .store()
            .insert_issued(&Self::new_request(request, renewed, &csr_der, now), |_| {
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
        renewed: Option<&Record>,
        now: i64,
    ) -> Result<(Reply, Outcome), String> {
        if let Some(denial) = Self::renewal_denial(request, renewed) {
            return denial;
        }
        let csr_der = request.csr.request.to_der().map_err(|e| e.to_string())?;
        let id = self
            .store()
            .insert_pending(&Self::new_request(request, renewed, &csr_der, now))
            .map_err(|e| format!("database: {e}"))?;
        let reply = request
            .pending_reply(&id.to_string())
            .map_err(|e| e.to_string())?;
        Ok((reply, Outcome::Pending(id)))
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
        let from_request = t.subject == SubjectSource::Request;
        let subject = if from_request && !csr.request.info.subject.0.is_empty() {
            csr.request.info.subject.clone()
        } else {
            pki::name_with_cn(if principal.is_empty() {
                "unknown"
            } else {
                principal
            })?
        };
        if from_request {
            extensions.extend(
                csr.extensions
                    .iter()
                    .filter(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_SUBJECT_ALT_NAME)
                    .cloned()
                    .map(|e: Extension| Extension {
                        critical: false,
                        ..e
                    }),
            );
        }
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
