//! The CES server: deciding a RequestSecurityToken.

use soap_envelope::xsd::DateTime;
use soap_envelope::{Envelope, Fault, FaultCodeValue};
use wstep::hresult::HResult;
use wstep::payload::{Csr, SignedPayload, TokenContent};
use wstep::{RequestSecurityToken, RequestType, WstepMessage, actions, decode_token};
use x509_cert::Certificate;
use xcep::flags::EnrollmentFlags;
use xcep::{CertificateEnrollmentPolicy, GetPoliciesResponse};

use super::ServerError;
use super::envelope::{Reply, RequestContext, check, check_header};
use super::permission::{Permissions, Principal};
use super::replies::{denied_fault, denied_reply, fault_reply, issued_reply, pending_reply};

/// Where the CSR came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestSource {
    /// A bare PKCS#10.
    Pkcs10,
    /// A CMC `PKIData` (bare).
    Cmc,
    /// A PKCS#7 `SignedData` (CMC or a renewal signed with the old
    /// certificate), whose signature verified; the caller checks the
    /// signer's certificate (issued by its CA, not revoked).
    Signed(Box<SignedPayload>),
}

/// A request that passed every check: the caller issues (or pends) it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IssueRequest {
    /// The CSR (signature verified).
    pub csr: Box<Csr>,
    /// How the CSR was wrapped.
    pub source: RequestSource,
    /// The template (`policy` of the described policy) to issue from.
    pub template: Box<CertificateEnrollmentPolicy>,
    /// `notBefore`: the request's time.
    pub not_before: DateTime,
    /// `notAfter`: `not_before` plus the template's validity period.
    pub not_after: DateTime,
    /// Whether the request was a `Renew`.
    pub renewal: bool,
    /// The authenticated caller.
    pub principal: Option<Principal>,
    /// The request's `MessageID`, for the reply's `RelatesTo`.
    pub relates_to: Option<String>,
    /// The CES endpoint URL the request arrived at
    /// ([`RequestContext::to_url`]): the reference of a pending answer.
    pub ces_url: String,
    /// The request as read.
    pub request: Box<RequestSecurityToken>,
}

impl IssueRequest {
    /// The template's `commonName` (the template was found by it, so it is
    /// present).
    pub fn template_name(&self) -> &str {
        template_name(&self.template)
    }

    /// [`issued_reply`] for this request.
    pub fn issued_reply(
        &self,
        request_id: &str,
        certificate_der: &[u8],
        chain: &[Certificate],
    ) -> Result<Reply, ServerError> {
        issued_reply(
            request_id,
            certificate_der,
            chain,
            self.relates_to.as_deref(),
        )
    }

    /// [`pending_reply`] for this request: its reference is the CES
    /// endpoint the request arrived at ([`IssueRequest::ces_url`]), the
    /// time to ask again the request's time.
    pub fn pending_reply(&self, request_id: &str) -> Result<Reply, ServerError> {
        pending_reply(
            request_id,
            &self.ces_url,
            self.not_before,
            self.relates_to.as_deref(),
        )
    }
}

/// The state of an earlier request, as the caller stored it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoredState {
    /// Issued: the certificate (DER) and its chain.
    Issued {
        /// The certificate's DER.
        certificate_der: Vec<u8>,
        /// The chain (issuer first).
        chain: Vec<Certificate>,
    },
    /// Still pending.
    Pending,
    /// Denied, with the HRESULT and message to answer.
    Denied {
        /// The HRESULT.
        hresult: HResult,
        /// The message.
        message: String,
    },
}

/// The answer to a QueryTokenStatus: the stored state of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusAnswer {
    /// The `RequestID` asked about.
    pub request_id: String,
    /// Its state.
    pub state: StoredState,
    /// The request's `MessageID`.
    pub relates_to: Option<String>,
    /// The CES endpoint URL the query arrived at
    /// ([`RequestContext::to_url`]): the reference of a pending answer.
    pub ces_url: String,
    /// The time of the query ([`RequestContext::now`]).
    pub now: DateTime,
}

impl StatusAnswer {
    /// The reply: [`issued_reply`], [`pending_reply`] or [`denied_reply`].
    pub fn reply(&self) -> Result<Reply, ServerError> {
        let relates_to = self.relates_to.as_deref();
        match &self.state {
            StoredState::Issued {
                certificate_der,
                chain,
            } => issued_reply(&self.request_id, certificate_der, chain, relates_to),
            StoredState::Pending => {
                pending_reply(&self.request_id, &self.ces_url, self.now, relates_to)
            }
            StoredState::Denied { hresult, message } => {
                denied_reply(*hresult, message, Some(&self.request_id), relates_to)
            }
        }
    }
}

/// What the server decided.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Issue a certificate: the caller's CA signs it, then answers
    /// [`IssueRequest::issued_reply`].
    Issue(Box<IssueRequest>),
    /// The template has `CT_FLAG_PEND_ALL_REQUESTS`: the caller stores the
    /// request and answers [`IssueRequest::pending_reply`].
    Pend(Box<IssueRequest>),
    /// A QueryTokenStatus answered from the caller's store.
    Status(Box<StatusAnswer>),
    /// Rejected: answer [`Decision::reply`] (the fault, status 500).
    Reject {
        /// The fault; a denial carries a `CertificateEnrollmentWSDetail`
        /// with the HRESULT.
        fault: Fault,
        /// The request's `MessageID`.
        relates_to: Option<String>,
    },
}

impl Decision {
    /// The reply for a [`Decision::Reject`] or [`Decision::Status`];
    /// `None` for `Issue` and `Pend`, which need the caller's request ID
    /// (and certificate).
    pub fn reply(&self) -> Option<Result<Reply, ServerError>> {
        match self {
            Self::Reject { fault, relates_to } => {
                Some(fault_reply(fault.clone(), relates_to.as_deref()))
            }
            Self::Status(status) => Some(status.reply()),
            Self::Issue(_) | Self::Pend(_) => None,
        }
    }

    /// The reply, which cannot fail: a [`Decision::Reject`] or
    /// [`Decision::Status`] answered here; an [`Decision::Issue`] or
    /// [`Decision::Pend`] by `recorded`, which records (and signs) the
    /// request and builds its answer ([`IssueRequest::issued_reply`],
    /// [`IssueRequest::pending_reply`]). A reply that cannot be written is
    /// [`Reply::internal_error`].
    pub fn into_reply(
        self,
        recorded: impl FnOnce(&IssueRequest) -> Result<Reply, ServerError>,
    ) -> Reply {
        let result = match &self {
            Self::Issue(request) | Self::Pend(request) => recorded(request),
            Self::Reject { .. } | Self::Status(_) => match self.reply() {
                Some(result) => result,
                None => return Reply::internal_error(),
            },
        };
        Reply::or_internal_error(result)
    }

    /// The HRESULT of a rejection's `CertificateEnrollmentWSDetail`.
    pub fn hresult(&self) -> Option<HResult> {
        match self {
            Self::Reject { fault, .. } => wstep::CertificateEnrollmentWsDetail::from_fault(fault)
                .and_then(Result::ok)
                .and_then(|d| d.error_code),
            _ => None,
        }
    }
}

/// A CES server for the templates of a policy: it decides
/// RequestSecurityTokens ([MS-WSTEP] 3.1.4.1).
///
/// Checks after the envelope's (see the [module documentation](super)),
/// with the HRESULT of the denial fault:
///
/// | check | HRESULT |
/// |---|---|
/// | `RequestType` Issue, Renew or QueryTokenStatus | `E_NOTIMPL` |
/// | a `BinarySecurityToken` is present and is base64 | `E_INVALIDARG` |
/// | its DER is a PKCS#10, CMC or PKCS#7 with a request | `CRYPT_E_ASN1_BADTAG` |
/// | the CSR's (and PKCS#7 signer's) signature verifies | `NTE_BAD_SIGNATURE` (`NTE_BAD_ALGID` for an unsupported or refused-as-insecure algorithm, e.g. MD5) |
/// | a template is named (CSR template extension, else `CertificateTemplate` context item) | `CERTSRV_E_NO_CERT_TYPE` |
/// | the template exists | `CERTSRV_E_UNSUPPORTED_CERT_TYPE` |
/// | the caller may enroll ([`Permissions`]) | `CERTSRV_E_TEMPLATE_DENIED` |
/// | the key's algorithm is the template's (`algorithmOIDReference`, when set) | `NTE_BAD_ALGID` |
/// | the key is at least `minimalKeyLength` bits, and at most the maximum ([`EnrollmentServer::with_max_key_bits`], checked before the signature) | `CERTSRV_E_KEY_LENGTH` |
/// | QueryTokenStatus: a `RequestID` the store knows | `CERTSRV_E_NO_REQUEST` |
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentServer {
    policy: GetPoliciesResponse,
    permissions: Permissions,
    max_key_bits: usize,
}

/// A denial: HRESULT and message.
type Denial = (HResult, String);

fn deny(hresult: HResult, message: impl Into<String>) -> Denial {
    (hresult, message.into())
}

impl EnrollmentServer {
    /// A server for the templates of `policy`; each template's static
    /// `permission/enroll` decides who may enroll.
    pub fn new(policy: GetPoliciesResponse) -> Self {
        Self {
            policy,
            permissions: Permissions::new(),
            max_key_bits: wstep::payload::signature::MAX_RSA_BITS,
        }
    }

    /// Sets the largest key a request may carry, in bits (default and
    /// ceiling [`wstep::payload::signature::MAX_RSA_BITS`]): a larger one is
    /// denied `CERTSRV_E_KEY_LENGTH` before its signature is checked.
    #[must_use]
    pub fn with_max_key_bits(mut self, bits: usize) -> Self {
        self.max_key_bits = bits.min(wstep::payload::signature::MAX_RSA_BITS);
        self
    }

    /// Sets per-template enroll permissions.
    #[must_use]
    pub fn with_permissions(mut self, permissions: Permissions) -> Self {
        self.permissions = permissions;
        self
    }

    /// Decides an Issue or Renew request; a QueryTokenStatus is answered
    /// as not supported (`E_NOTIMPL`). See [`EnrollmentServer::decide_with`].
    pub fn decide(&self, request: &[u8], ctx: &RequestContext) -> Decision {
        self.decide_with(request, ctx, |_| None)
    }

    /// Decides a RequestSecurityToken envelope; `lookup` gives the stored
    /// state of a request ID for a QueryTokenStatus (`None`: unknown).
    pub fn decide_with(
        &self,
        request: &[u8],
        ctx: &RequestContext,
        lookup: impl Fn(&str) -> Option<StoredState>,
    ) -> Decision {
        match check::<WstepMessage>(request, ctx, &[actions::RST]) {
            Ok(envelope) => self.decide_checked(&envelope, ctx, lookup),
            Err(e) => Decision::Reject {
                fault: e.fault,
                relates_to: e.relates_to,
            },
        }
    }

    /// [`decide_with`](Self::decide_with) for an envelope the caller has
    /// read already (to authenticate its header, say): the same header
    /// checks, and no second read.
    pub fn decide_envelope(
        &self,
        envelope: &Envelope<WstepMessage>,
        ctx: &RequestContext,
        lookup: impl Fn(&str) -> Option<StoredState>,
    ) -> Decision {
        match check_header(&envelope.header, ctx, &[actions::RST]) {
            Ok(()) => self.decide_checked(envelope, ctx, lookup),
            Err(e) => Decision::Reject {
                fault: e.fault,
                relates_to: e.relates_to,
            },
        }
    }

    fn decide_checked(
        &self,
        envelope: &Envelope<WstepMessage>,
        ctx: &RequestContext,
        lookup: impl Fn(&str) -> Option<StoredState>,
    ) -> Decision {
        let relates_to = envelope.header.message_id().map(str::to_owned);
        let reject = |fault: Fault| Decision::Reject {
            fault,
            relates_to: relates_to.clone(),
        };
        let Some(WstepMessage::RequestSecurityToken(rst)) = envelope.payload() else {
            return reject(Fault::new(
                FaultCodeValue::Sender,
                "The body is not a RequestSecurityToken.",
            ));
        };
        let request_id = rst.request_id.as_ref().and_then(|r| r.as_str());
        let denial = |(hresult, message): Denial| match denied_fault(hresult, &message, request_id)
        {
            Ok(fault) => reject(fault),
            Err(e) => reject(Fault::new(FaultCodeValue::Receiver, e.to_string())),
        };
        match &rst.request_type {
            RequestType::Issue | RequestType::Renew => match self.check_request(rst, ctx) {
                Ok((csr, source, template)) => {
                    self.decision(rst, ctx, csr, source, template, relates_to.clone())
                }
                Err(d) => denial(d),
            },
            RequestType::QueryTokenStatus => {
                let Some(id) = request_id else {
                    return denial(deny(HResult::E_INVALIDARG, "The RequestID is missing."));
                };
                match lookup(id) {
                    Some(state) => Decision::Status(Box::new(StatusAnswer {
                        request_id: id.to_owned(),
                        state,
                        relates_to: relates_to.clone(),
                        ces_url: ctx.to_url.clone(),
                        now: ctx.now,
                    })),
                    None => denial(deny(
                        HResult::CERTSRV_E_NO_REQUEST,
                        format!("The request {id} does not exist."),
                    )),
                }
            }
            other => denial(deny(
                HResult::E_NOTIMPL,
                format!("The RequestType {} is not supported.", other.as_str()),
            )),
        }
    }

    fn decision(
        &self,
        rst: &RequestSecurityToken,
        ctx: &RequestContext,
        csr: Csr,
        source: RequestSource,
        template: &CertificateEnrollmentPolicy,
        relates_to: Option<String>,
    ) -> Decision {
        let _ = self;
        let validity = template
            .attributes
            .certificate_validity
            .as_ref()
            .map_or(DEFAULT_VALIDITY_SECONDS, |v| v.validity_period_seconds);
        let not_after = DateTime::from_unix(
            ctx.now
                .to_unix()
                .saturating_add(i64::try_from(validity).unwrap_or(i64::MAX)),
            0,
        );
        let pend = template
            .attributes
            .enrollment_flags
            .is_some_and(|f| f.contains(EnrollmentFlags::PEND_ALL_REQUESTS));
        let issue = Box::new(IssueRequest {
            csr: Box::new(csr),
            source,
            template: Box::new(template.clone()),
            not_before: DateTime::from_unix(ctx.now.to_unix(), 0),
            not_after,
            renewal: rst.request_type == RequestType::Renew,
            principal: ctx.authenticated.clone(),
            relates_to,
            ces_url: ctx.to_url.clone(),
            request: Box::new(rst.clone()),
        });
        if pend {
            Decision::Pend(issue)
        } else {
            Decision::Issue(issue)
        }
    }

    fn check_request(
        &self,
        rst: &RequestSecurityToken,
        ctx: &RequestContext,
    ) -> Result<(Csr, RequestSource, &CertificateEnrollmentPolicy), Denial> {
        let token = rst.binary_security_token.as_ref().ok_or_else(|| {
            deny(
                HResult::E_INVALIDARG,
                "The request has no BinarySecurityToken.",
            )
        })?;
        let payload = decode_token(token).map_err(|e| match e {
            wstep::Error::Base64(_) | wstep::Error::UnsupportedEncoding(_) => deny(
                HResult::E_INVALIDARG,
                format!("The BinarySecurityToken could not be read: {e}"),
            ),
            _ => deny(
                HResult::CRYPT_E_ASN1_BADTAG,
                format!("The request could not be decoded: {e}"),
            ),
        })?;
        let (csr, source) = match payload {
            TokenContent::Pkcs10(csr) => (*csr, RequestSource::Pkcs10),
            TokenContent::Cmc(data) => {
                let (_, req) = data
                    .certification_requests()
                    .ok()
                    .and_then(|r| r.into_iter().next())
                    .ok_or_else(|| {
                        deny(
                            HResult::CRYPT_E_ASN1_BADTAG,
                            "The CMC request has no PKCS#10.",
                        )
                    })?;
                let csr = Csr::from_cert_req(req).map_err(|e| {
                    deny(
                        HResult::CRYPT_E_ASN1_BADTAG,
                        format!("The request could not be decoded: {e}"),
                    )
                })?;
                (csr, RequestSource::Cmc)
            }
            TokenContent::Pkcs7(signed) => {
                signed.verify_signer().map_err(|e| signature_denial(&e))?;
                let csr = signed.request().cloned().ok_or_else(|| {
                    deny(
                        HResult::CRYPT_E_ASN1_BADTAG,
                        "The PKCS#7 carries no certificate request.",
                    )
                })?;
                (csr, RequestSource::Signed(signed))
            }
            _ => {
                return Err(deny(
                    HResult::CRYPT_E_ASN1_BADTAG,
                    "The BinarySecurityToken is not a certificate request.",
                ));
            }
        };
        if let Some(bits) = csr.key_bits().filter(|b| *b > self.max_key_bits) {
            return Err(deny(
                HResult::CERTSRV_E_KEY_LENGTH,
                format!(
                    "The public key ({bits} bits) is larger than the maximum ({} bits) this CA accepts.",
                    self.max_key_bits
                ),
            ));
        }
        csr.verify_signature().map_err(|e| signature_denial(&e))?;
        let template = self.template_for(rst, &csr)?;
        if !self
            .permissions
            .may_enroll(ctx.authenticated.as_ref(), template)
        {
            return Err(deny(
                HResult::CERTSRV_E_TEMPLATE_DENIED,
                format!(
                    "Denied by Policy Module: the permissions on the {} template do not allow the current user to enroll.",
                    template_name(template)
                ),
            ));
        }
        self.check_key(&csr, template)?;
        Ok((csr, source, template))
    }

    fn template_for(
        &self,
        rst: &RequestSecurityToken,
        csr: &Csr,
    ) -> Result<&CertificateEnrollmentPolicy, Denial> {
        let policies = self.policy.policies();
        let from_csr = csr.template.as_ref();
        if let Some(oid) = from_csr
            .and_then(|t| t.info.as_ref())
            .map(|i| i.template_id.to_string())
        {
            return policies
                .iter()
                .find(|p| {
                    self.policy
                        .find_oid(p.policy_oid_reference)
                        .is_some_and(|o| o.value == oid)
                })
                .ok_or_else(|| unsupported(&oid));
        }
        let name = from_csr
            .and_then(|t| t.name.as_deref())
            .or_else(|| {
                rst.additional_context
                    .as_ref()
                    .and_then(|c| c.certificate_template())
            })
            .ok_or_else(|| {
                deny(
                    HResult::CERTSRV_E_NO_CERT_TYPE,
                    "The request contains no certificate template information.",
                )
            })?;
        policies
            .iter()
            .find(|p| {
                p.attributes
                    .common_name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .ok_or_else(|| unsupported(name))
    }

    fn check_key(&self, csr: &Csr, template: &CertificateEnrollmentPolicy) -> Result<(), Denial> {
        let keys = &template.attributes.private_key_attributes;
        if let Some(oid) = keys
            .algorithm_oid_reference
            .and_then(|r| self.policy.find_oid(r))
        {
            let found = csr.request.info.public_key.algorithm.oid.to_string();
            if found != oid.value {
                return Err(deny(
                    HResult::NTE_BAD_ALGID,
                    format!(
                        "The key algorithm {found} is not the template's {}.",
                        oid.value
                    ),
                ));
            }
        }
        let minimum = usize::try_from(keys.minimal_key_length).unwrap_or(usize::MAX);
        match csr.key_bits() {
            Some(bits) if bits >= minimum => Ok(()),
            bits => Err(deny(
                HResult::CERTSRV_E_KEY_LENGTH,
                format!(
                    "The public key ({} bits) does not meet the minimum size ({minimum} bits) required by the {} template.",
                    bits.map_or_else(|| "unknown".to_owned(), |b| b.to_string()),
                    template_name(template)
                ),
            )),
        }
    }
}

/// The validity of a certificate issued for a template without
/// `certificateValidity` (the schema requires it; a policy built with
/// `xcep::Attributes::new` always has it): one year.
const DEFAULT_VALIDITY_SECONDS: u64 = 365 * 86_400;

/// A template's `commonName`; empty when absent (templates are found by
/// name, so a template the server works with has one).
fn template_name(template: &CertificateEnrollmentPolicy) -> &str {
    template
        .attributes
        .common_name
        .as_deref()
        .unwrap_or_default()
}

fn unsupported(template: &str) -> Denial {
    deny(
        HResult::CERTSRV_E_UNSUPPORTED_CERT_TYPE,
        format!("The requested certificate template {template} is not supported by this CA."),
    )
}

fn signature_denial(error: &wstep::Error) -> Denial {
    match error {
        wstep::Error::KeyTooLarge { .. } => deny(
            HResult::CERTSRV_E_KEY_LENGTH,
            format!("The public key is too large: {error}"),
        ),
        wstep::Error::UnsupportedAlgorithm(_) | wstep::Error::InsecureAlgorithm(_) => deny(
            HResult::NTE_BAD_ALGID,
            format!("The signature algorithm is not supported: {error}"),
        ),
        _ => deny(
            HResult::NTE_BAD_SIGNATURE,
            format!("The request's signature is invalid: {error}"),
        ),
    }
}
