//! The client half: a state machine from `GetPolicies` ([MS-XCEP] 3.1.4.1)
//! to an issued, pending or denied certificate request ([MS-WSTEP]
//! 3.1.4.1), driven by the caller.
//!
//! The machine never does I/O, never reads the clock, never makes message
//! IDs and never holds a key: the caller passes `now` and a fresh
//! `message_id` to [`Enrollment::poll_transmit`], sends the [`Transmit`]
//! it gets, feeds the HTTP answer to [`Enrollment::handle_response`], and
//! reads [`Event`]s with [`Enrollment::poll_event`]. When the machine
//! reports [`Event::CsrNeeded`], the caller makes a key and signs a PKCS#10
//! that meets the [`Requirements`], and calls [`Enrollment::provide_csr`]
//! (or, for a renewal, [`Enrollment::provide_renewal_request`] with a
//! PKCS#7 built with [`wstep::payload::RenewalRequestBuilder`]).
//!
//! ```text
//! SendPolicies -> ExpectPolicies -> AwaitingCsr -> SendRequest -> ExpectIssued
//!                                                                  |  |  |
//!                       Done (Issued) <----------------------------+  |  +--> Done (Denied) / Failed
//!                       Pending -> query_pending() -> SendQuery -> ExpectIssued
//! ```
//!
//! # Checking the issued certificate
//!
//! The issued certificate must chain to the certificate of the CA
//! ([MS-XCEP] 3.1.4.1.3.2, `CA/certificate`) whose endpoint was used: its
//! issuer name must equal the CA certificate's subject name, or the
//! response is [`Error::Chain`]. Its signature is then verified with the
//! CA's public key by [`wstep::payload::signature::verify`]; a signature
//! algorithm that function does not support leaves the check at name
//! chaining, reported as [`ChainCheck::NameOnly`]. Validity periods,
//! extensions and revocation are not checked.
//!
//! [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
//! [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/

use std::collections::VecDeque;
use std::fmt;

use der::{Decode, Encode};
use soap_envelope::xsd::DateTime;
use soap_envelope::{Envelope, Fault, Header, Security, UsernameToken};
use wstep::hresult::HResult;
use wstep::{
    BinarySecurityTokenExt, CertificateEnrollmentWsDetail, RequestId, RequestSecurityToken,
    RequestSecurityTokenResponse, RequestType, ValueKind, WstepMessage, actions,
};
use x509_cert::Certificate;
use xcep::cache::{CachedPolicy, Merge};
use xcep::flags::{ClientAuthentication, KeySpec, KeyUsageProperty, SubjectNameFlags};
use xcep::{EndpointFilter, GetPolicies, GetPoliciesResponse, ResolvedTemplate};

/// The media type of SOAP 1.2 messages ([RFC 3902]), which both services
/// use.
///
/// [RFC 3902]: https://www.rfc-editor.org/rfc/rfc3902
const SOAP_MEDIA_TYPE: &str = "application/soap+xml";

/// Which template to enroll for: by `commonName` or by the template OID
/// ([MS-XCEP] 3.1.4.1.3.4, `policyOIDReference`).
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TemplateSelector {
    /// The template's `commonName`, e.g. `Machine`.
    Name(String),
    /// The template's OID (`1.3.6.1.4.1.311.21.8...`).
    Oid(String),
}

impl fmt::Display for TemplateSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name(name) => write!(f, "name {name:?}"),
            Self::Oid(oid) => write!(f, "OID {oid}"),
        }
    }
}

/// What the client asks for: a new certificate or a renewal
/// ([MS-WSTEP] 3.1.4.1.2.1 `RequestType`).
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Mode {
    /// `Issue` with a PKCS#10 ([`Enrollment::provide_csr`]).
    #[default]
    Enroll,
    /// `Renew` with a PKCS#7 signed by the old key
    /// ([`Enrollment::provide_renewal_request`]); `renewalOnly` endpoints
    /// are used too.
    Renew,
}

/// The configuration of one enrollment.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// The CEP (policy) endpoint URL.
    pub cep_url: String,
    /// The template to enroll for.
    pub template: TemplateSelector,
    /// A policy cached from an earlier run; its `lastUpdate` is sent
    /// ([MS-XCEP] 3.1.4.1.3.9) and a `policiesNotChanged` answer reuses it.
    ///
    /// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
    pub cached_policy: Option<CachedPolicy>,
    /// New certificate or renewal.
    pub mode: Mode,
    /// The client authentications the caller can do; `None` for any.
    pub authentication: Option<ClientAuthentication>,
    /// `client/preferredLanguage` of the GetPolicies request.
    pub preferred_language: Option<String>,
    /// A WS-Security `UsernameToken` (user name and password, sent as
    /// text over TLS) for the `UsernamePassword` endpoints ([MS-XCEP]
    /// 3.1.4.1.3.5 `clientAuthentication` 4); every request then carries a
    /// `wsse:Security` header with `mustUnderstand="1"`.
    ///
    /// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
    pub username_token: Option<UsernameToken>,
    /// How long after a pending answer the machine asks again
    /// ([`Enrollment::poll_timeout`]); `None`: only when the caller calls
    /// [`Enrollment::query_pending`].
    pub poll_interval_secs: Option<u32>,
    /// A request left pending by an earlier run, to ask about instead of
    /// enrolling ([`Config::resuming`]).
    pub resume: Option<PendingRequest>,
}

/// A pending request, as an earlier run left it: what a caller keeps
/// between runs (certmonger's cookie) to ask about it again.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PendingRequest {
    /// The CA's `RequestID`.
    pub request_id: String,
    /// Where to ask ([`Enrollment::query_url`] of that run), if known.
    pub query_url: Option<String>,
}

impl PendingRequest {
    /// Request `request_id`, to be asked about at `query_url` (or at the
    /// template's endpoint when `None`).
    pub fn new(request_id: impl Into<String>, query_url: Option<String>) -> Self {
        Self {
            request_id: request_id.into(),
            query_url,
        }
    }
}

impl Config {
    /// Enrollment for `template` with the policy at `cep_url`.
    pub fn new(cep_url: impl Into<String>, template: TemplateSelector) -> Self {
        Self {
            cep_url: cep_url.into(),
            template,
            cached_policy: None,
            mode: Mode::Enroll,
            authentication: None,
            preferred_language: None,
            username_token: None,
            poll_interval_secs: None,
            resume: None,
        }
    }

    /// Asks about `pending` (a QueryTokenStatus) once the policy is read,
    /// instead of asking for a CSR: a later run of an enrollment that was
    /// left pending. Its `query_url` is used only on the origin of the
    /// template's endpoint, as in the run that got it.
    #[must_use]
    pub fn resuming(mut self, pending: PendingRequest) -> Self {
        self.resume = Some(pending);
        self
    }

    /// Asks again about a pending request `secs` seconds after each
    /// pending answer (see [`Enrollment::poll_timeout`]).
    #[must_use]
    pub fn with_poll_interval(mut self, secs: u32) -> Self {
        self.poll_interval_secs = Some(secs);
        self
    }

    /// Authenticates every request with a WS-Security `UsernameToken`
    /// carrying `username` and `password` as text (see
    /// [`Config::username_token`]).
    #[must_use]
    pub fn with_username_password(
        mut self,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        self.username_token = Some(UsernameToken::password_text(username, password));
        self
    }

    /// Uses (and refreshes) a cached policy.
    #[must_use]
    pub fn with_cached_policy(mut self, cached: CachedPolicy) -> Self {
        self.cached_policy = Some(cached);
        self
    }

    /// Sets the mode (renewal or not).
    #[must_use]
    pub fn with_mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Keeps only CES endpoints with one of these authentications.
    #[must_use]
    pub fn with_authentication(mut self, accepted: ClientAuthentication) -> Self {
        self.authentication = Some(accepted);
        self
    }

    /// Sets `client/preferredLanguage`.
    #[must_use]
    pub fn with_preferred_language(mut self, language: impl Into<String>) -> Self {
        self.preferred_language = Some(language.into());
        self
    }
}

/// An algorithm named by the policy: OID and `defaultName` ([MS-XCEP]
/// 3.1.4.1.3.16).
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Algorithm {
    /// The dotted OID.
    pub oid: String,
    /// The `defaultName`, e.g. `RSA` or `sha256`.
    pub name: Option<String>,
}

/// How the subject of the request is formed, from `subjectNameFlags`
/// ([MS-XCEP] 3.1.4.1.3.1 / [MS-CRTD] 2.28).
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
/// [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SubjectNameRules {
    /// `CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT`: the request's subject is used;
    /// otherwise the CA builds it from the directory and the request's
    /// subject may be empty.
    pub enrollee_supplies_subject: bool,
    /// `CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME`: the request's
    /// subjectAltName extension is used.
    pub enrollee_supplies_subject_alt_name: bool,
    /// The whole flag set (the `SUBJECT_REQUIRE_*` / `SUBJECT_ALT_REQUIRE_*`
    /// bits say what the CA puts in from the directory); empty when nil.
    pub flags: SubjectNameFlags,
}

impl SubjectNameRules {
    /// Whether the CA builds the subject from the directory (the enrollee
    /// does not supply it).
    pub fn built_from_directory(&self) -> bool {
        !self.enrollee_supplies_subject
    }
}

/// The template extension the request should carry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TemplateExtension {
    /// Schema 1: the template name as a BMPString in the
    /// `szOID_ENROLL_CERTTYPE_EXTENSION` extension (1.3.6.1.4.1.311.20.2).
    Name(String),
    /// Schema 2 and later: `szOID_CERTIFICATE_TEMPLATE`
    /// (1.3.6.1.4.1.311.21.7), the template OID with the major and minor
    /// revision ([MS-WCCE] 2.2.2.7.7.2).
    ///
    /// [MS-WCCE]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wcce/
    Info {
        /// The template OID.
        oid: String,
        /// `revision/majorRevision` (0 when `revision` is absent, as from
        /// MS-MDE2 servers).
        major: u32,
        /// `revision/minorRevision` (0 when nil or absent).
        minor: u32,
    },
}

impl TemplateExtension {
    /// The OID of the extension.
    pub fn extension_oid(&self) -> &'static str {
        match self {
            Self::Name(_) => "1.3.6.1.4.1.311.20.2",
            Self::Info { .. } => "1.3.6.1.4.1.311.21.7",
        }
    }
}

/// A CES endpoint for the chosen template ([MS-XCEP] 3.1.4.1.3.5), with the
/// certificate of its CA.
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CesEndpoint {
    /// The `uri`.
    pub url: String,
    /// `clientAuthentication`.
    pub client_authentication: ClientAuthentication,
    /// `priority` (lower first).
    pub priority: Option<u32>,
    /// `renewalOnly`.
    pub renewal_only: bool,
    /// The CA's `cAReferenceID`.
    pub ca_reference_id: i32,
    /// The CA's certificate (DER), which issued certificates chain to.
    pub ca_certificate: Vec<u8>,
}

/// What the chosen template asks of the request ([MS-XCEP] 3.1.4.1.3.1
/// `Attributes`).
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Requirements {
    /// The template's `commonName`; when a MS-MDE2 server left it out, the
    /// template OID's `defaultName`, else the template OID (see
    /// `xcep::resolve::ResolvedTemplate::name`).
    pub template_name: String,
    /// The template OID.
    pub template_oid: String,
    /// `policySchema`.
    pub policy_schema: u32,
    /// The key algorithm (`algorithmOIDReference`); `None` when nil, which
    /// means RSA for schema 1 and 2 templates.
    pub key_algorithm: Option<Algorithm>,
    /// `minimalKeyLength` in bits.
    pub minimal_key_length: u32,
    /// `hashAlgorithmOIDReference`; `None` when nil.
    pub hash_algorithm: Option<Algorithm>,
    /// `keySpec`; `None` when nil.
    pub key_spec: Option<KeySpec>,
    /// `keyUsageProperty`; `None` when nil.
    pub key_usage: Option<KeyUsageProperty>,
    /// How the subject is formed.
    pub subject: SubjectNameRules,
    /// The template extension to include.
    pub template_extension: TemplateExtension,
    /// The CES endpoints, best first; the request goes to the first.
    pub endpoints: Vec<CesEndpoint>,
}

impl Requirements {
    fn from_template(
        template: &ResolvedTemplate<'_>,
        filter: &EndpointFilter,
    ) -> Result<Self, Error> {
        let attributes = template.attributes();
        let key = &attributes.private_key_attributes;
        let algorithm = |oid: &xcep::Oid| Algorithm {
            oid: oid.value.clone(),
            name: oid.default_name.clone(),
        };
        let flags = attributes
            .subject_name_flags
            .unwrap_or(SubjectNameFlags::empty());
        let template_extension = if attributes.policy_schema < 2 {
            TemplateExtension::Name(template.name().to_owned())
        } else {
            TemplateExtension::Info {
                oid: template.oid().value.clone(),
                major: attributes.revision.as_ref().map_or(0, |r| r.major_revision),
                minor: attributes
                    .revision
                    .as_ref()
                    .and_then(|r| r.minor_revision)
                    .unwrap_or(0),
            }
        };
        let endpoints = template
            .endpoints(filter)
            .into_iter()
            .map(|e| {
                let ca_certificate =
                    e.ca.certificate
                        .decode()
                        .map_err(|reason| Error::BadCaCertificate {
                            ca_reference_id: e.ca.ca_reference_id,
                            reason,
                        })?;
                Ok(CesEndpoint {
                    url: e.uri.uri.clone(),
                    client_authentication: e.uri.client_authentication,
                    priority: e.uri.priority,
                    renewal_only: e.uri.renewal_only == Some(true),
                    ca_reference_id: e.ca.ca_reference_id,
                    ca_certificate,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Self {
            template_name: template.name().to_owned(),
            template_oid: template.oid().value.clone(),
            policy_schema: attributes.policy_schema,
            key_algorithm: template.key_algorithm().map(algorithm),
            minimal_key_length: key.minimal_key_length,
            hash_algorithm: template.hash_algorithm().map(algorithm),
            key_spec: key.key_spec,
            key_usage: key.key_usage_property,
            subject: SubjectNameRules {
                enrollee_supplies_subject: flags
                    .contains(SubjectNameFlags::ENROLLEE_SUPPLIES_SUBJECT),
                enrollee_supplies_subject_alt_name: flags
                    .contains(SubjectNameFlags::ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME),
                flags,
            },
            template_extension,
            endpoints,
        })
    }
}

/// A message to send: POST `body` to `url` with `Content-Type:
/// content_type`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Transmit {
    /// Where to send it (also the WS-Addressing `To`).
    pub url: String,
    /// The WS-Addressing `Action`.
    pub action: &'static str,
    /// The HTTP `Content-Type` ([`soap_envelope::CONTENT_TYPE`]).
    pub content_type: &'static str,
    /// The SOAP envelope.
    pub body: Vec<u8>,
}

/// An HTTP answer, as the caller received it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Response<'a> {
    /// The HTTP status code.
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: &'a str,
    /// The body.
    pub body: &'a [u8],
}

impl<'a> Response<'a> {
    /// The answer with HTTP status `status`, `Content-Type`
    /// `content_type` and `body`.
    pub fn new(status: u16, content_type: &'a str, body: &'a [u8]) -> Self {
        Self {
            status,
            content_type,
            body,
        }
    }
}

/// How far the issued certificate was checked against the CA certificate
/// of the policy (see the [module documentation](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChainCheck {
    /// Issuer name equals the CA's subject and the signature verifies with
    /// the CA's key.
    SignatureVerified,
    /// Issuer name equals the CA's subject; the signature algorithm is not
    /// one [`wstep::payload::signature::verify`] supports.
    NameOnly,
}

/// Something the caller should know or act on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The policy was received and folded into the cache (see
    /// [`Enrollment::cached_policy`]).
    PolicyReceived {
        /// What the answer did to the cache.
        merge: Merge,
    },
    /// Sign a request meeting these requirements and call
    /// [`Enrollment::provide_csr`] (or
    /// [`Enrollment::provide_renewal_request`]).
    CsrNeeded {
        /// What the template asks for.
        requirements: Box<Requirements>,
    },
    /// The CA holds the request for approval ([MS-WSTEP] 3.1.4.1.4:
    /// an RSTR without an issued token); call [`Enrollment::query_pending`]
    /// later.
    ///
    /// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
    Pending {
        /// The CA's `RequestID` (from `RequestID`, else from the `pendInfo`
        /// of the CMC status token).
        request_id: String,
        /// The `DispositionMessage`, if any.
        message: Option<String>,
        /// The `URI` of `RequestedSecurityToken/SecurityTokenReference/
        /// Reference` ([MS-WSTEP] 3.1.4.1.3.2): the CES endpoint to ask
        /// again, if given. The QueryTokenStatus goes there when it is on
        /// the same scheme, host and port as the endpoint used (so that
        /// credentials never go to another server); else to the endpoint
        /// used.
        reference: Option<String>,
    },
    /// The certificate was issued ([MS-WSTEP] 3.1.4.1.2.2
    /// `RequestedSecurityToken`).
    ///
    /// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
    Issued {
        /// The issued certificate.
        certificate: Box<x509_cert::Certificate>,
        /// The certificates of the PKCS#7 the CES returned, if any.
        chain: Vec<x509_cert::Certificate>,
        /// How the certificate was checked against the policy's CA.
        check: ChainCheck,
    },
    /// The CA refused: a SOAP fault with a `CertificateEnrollmentWSDetail`
    /// ([MS-WSTEP] 3.1.4.1.2.4).
    ///
    /// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
    Denied {
        /// The `ErrorCode`, if given.
        hresult: Option<HResult>,
        /// Its `winerror.h` name, when known (`CERTSRV_E_TEMPLATE_DENIED`).
        name: Option<&'static str>,
        /// The fault reason (or the HRESULT's message).
        message: String,
        /// The detail's `RequestID`, if any.
        request_id: Option<String>,
    },
    /// The enrollment stopped: a plain SOAP fault or an [`Error`].
    Failed {
        /// Why.
        error: Error,
    },
}

/// Where the machine is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum State {
    /// A GetPolicies request is ready for [`Enrollment::poll_transmit`].
    SendPolicies,
    /// Waiting for the GetPolicies answer.
    ExpectPolicies,
    /// Waiting for [`Enrollment::provide_csr`].
    AwaitingCsr,
    /// An RST is ready for [`Enrollment::poll_transmit`].
    SendRequest,
    /// Waiting for the RSTRC.
    ExpectIssued,
    /// The request is pending; waiting for [`Enrollment::query_pending`].
    Pending,
    /// Issued or denied.
    Done,
    /// Stopped on an error or a plain fault.
    Failed,
}

/// The one error type of the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The call does not fit the state.
    #[error("{operation} is not possible in state {state:?}")]
    WrongState {
        /// The call.
        operation: &'static str,
        /// The state.
        state: State,
    },
    /// The answer is not `application/soap+xml`.
    #[error("unexpected content type {0:?}")]
    ContentType(String),
    /// A non-200 answer that is not a SOAP fault.
    #[error("HTTP status {0} without a SOAP fault")]
    HttpStatus(u16),
    /// The envelope could not be read or written.
    #[error(transparent)]
    Soap(#[from] soap_envelope::Error),
    /// An MS-XCEP error (e.g. a dangling reference in the policy).
    #[error(transparent)]
    Xcep(#[from] xcep::Error),
    /// An MS-WSTEP error (bad token, bad DER payload).
    #[error(transparent)]
    Wstep(#[from] wstep::Error),
    /// A DER error in a certificate.
    #[error("DER: {0}")]
    Der(#[from] der::Error),
    /// The policy has no template with this name or OID.
    #[error("no template with {0}")]
    UnknownTemplate(TemplateSelector),
    /// The template has no usable CES endpoint.
    #[error("template {0:?} has no usable enrollment endpoint")]
    NoEndpoint(String),
    /// A CA certificate in the policy is not base64.
    #[error("CA {ca_reference_id}: certificate is not base64: {reason}")]
    BadCaCertificate {
        /// The CA's `cAReferenceID`.
        ca_reference_id: i32,
        /// Why.
        reason: String,
    },
    /// A `policiesNotChanged` answer that does not fit the cache (no cache,
    /// or another `policyID`).
    #[error("the server says the policy did not change, but no matching policy is cached")]
    NotChangedWithoutCache,
    /// The body is not the expected message.
    #[error("unexpected message: {0}")]
    UnexpectedMessage(String),
    /// A SOAP fault without a `CertificateEnrollmentWSDetail`.
    #[error("SOAP fault: {reason}")]
    Fault {
        /// The fault's reason text.
        reason: String,
    },
    /// The issued certificate does not chain to the policy's CA.
    #[error("issued certificate does not chain to the CA: {0}")]
    Chain(String),
}

#[derive(Debug, Clone)]
struct Submission {
    request_type: RequestType,
    token: wstep::BinarySecurityToken,
}

/// The client state machine (see the [module documentation](self)).
#[derive(Debug)]
pub struct Enrollment {
    config: Config,
    state: State,
    cache: Option<CachedPolicy>,
    requirements: Option<Requirements>,
    submission: Option<Submission>,
    request_id: Option<String>,
    /// Where to send the QueryTokenStatus: the pending answer's reference.
    query_url: Option<String>,
    next_poll: Option<DateTime>,
    events: VecDeque<Event>,
}

impl Enrollment {
    /// A new enrollment; the first [`poll_transmit`](Self::poll_transmit)
    /// gives the GetPolicies request.
    pub fn new(mut config: Config) -> Self {
        let cache = config.cached_policy.take();
        Self {
            config,
            state: State::SendPolicies,
            cache,
            requirements: None,
            submission: None,
            request_id: None,
            query_url: None,
            next_poll: None,
            events: VecDeque::new(),
        }
    }

    /// The state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The policy as cached after the last GetPolicies answer (or as given
    /// in the [`Config`]): keep it for the next run.
    pub fn cached_policy(&self) -> Option<&CachedPolicy> {
        self.cache.as_ref()
    }

    /// The requirements of the chosen template, once known.
    pub fn requirements(&self) -> Option<&Requirements> {
        self.requirements.as_ref()
    }

    /// The CA's `RequestID` of a pending (or issued) request.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The URL the QueryTokenStatus of a pending request goes to: the
    /// pending answer's reference when it is on the origin of the endpoint
    /// used (see [`Event::Pending`]), else that endpoint; `None` before a
    /// pending answer.
    pub fn query_url(&self) -> Option<&str> {
        self.query_url.as_deref()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When the machine wants [`handle_timeout`](Self::handle_timeout)
    /// called: while a request is pending and a poll interval is
    /// configured ([`Config::with_poll_interval`]), that long after the
    /// last pending answer. The caller owns the clock and the sleeping.
    pub fn poll_timeout(&self) -> Option<DateTime> {
        (self.state == State::Pending)
            .then_some(self.next_poll)
            .flatten()
    }

    /// Lets the machine act on the time `now`: once the
    /// [`poll_timeout`](Self::poll_timeout) has come, a QueryTokenStatus
    /// is ready ([`poll_transmit`](Self::poll_transmit)), as after
    /// [`query_pending`](Self::query_pending). Before it, nothing happens.
    pub fn handle_timeout(&mut self, now: DateTime) {
        if let Some(due) = self.poll_timeout()
            && now.to_unix() >= due.to_unix()
        {
            self.next_poll = None;
            self.submission = None;
            self.state = State::SendRequest;
        }
    }

    /// The next message to send, if one is due. `message_id` is the
    /// WS-Addressing `MessageID` (a fresh `urn:uuid:...`, made by the
    /// caller). A pending request is asked about again once the caller
    /// calls [`query_pending`](Self::query_pending) or
    /// [`handle_timeout`](Self::handle_timeout) at its time; `now` is the
    /// time of sending.
    pub fn poll_transmit(&mut self, now: DateTime, message_id: &str) -> Option<Transmit> {
        let _ = now;
        let result = match self.state {
            State::SendPolicies => self.policies_transmit(message_id),
            State::SendRequest => self.request_transmit(message_id),
            _ => return None,
        };
        match result {
            Ok(transmit) => Some(transmit),
            Err(error) => {
                self.fail(error);
                None
            }
        }
    }

    /// Handles the answer to the last [`Transmit`]. `now` is when it was
    /// received (the cache's time). Outcomes (issued, pending, denied, a
    /// plain fault) are [`Event`]s; an `Err` also moves the machine to
    /// [`State::Failed`] and is reported as [`Event::Failed`].
    pub fn handle_response(&mut self, now: DateTime, response: Response<'_>) -> Result<(), Error> {
        let result = match self.state {
            State::ExpectPolicies => self.handle_policies(now, response),
            State::ExpectIssued => self.handle_issued(now, response),
            state => {
                return Err(Error::WrongState {
                    operation: "handle_response",
                    state,
                });
            }
        };
        result.inspect_err(|e| self.fail(e.clone()))
    }

    /// Gives the signed PKCS#10 (DER) for [`Mode::Enroll`]; an `Issue` RST
    /// ([MS-WSTEP] 3.1.4.1.3.1) is then ready.
    ///
    /// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
    pub fn provide_csr(&mut self, der: &[u8]) -> Result<(), Error> {
        self.submit(
            "provide_csr",
            Mode::Enroll,
            RequestType::Issue,
            ValueKind::Pkcs10,
            der,
        )
    }

    /// Gives the renewal request (a PKCS#7 SignedData over the new PKCS#10,
    /// signed with the old key, [MS-WSTEP] 3.1.4.1.3.1 / 4.1.5.1, e.g. from
    /// [`wstep::payload::RenewalRequestBuilder`]) for [`Mode::Renew`]; a
    /// `Renew` RST is then ready.
    ///
    /// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
    pub fn provide_renewal_request(&mut self, der: &[u8]) -> Result<(), Error> {
        self.submit(
            "provide_renewal_request",
            Mode::Renew,
            RequestType::Renew,
            ValueKind::Pkcs7,
            der,
        )
    }

    /// Asks about a pending request: a `QueryTokenStatus` RST with its
    /// `RequestID` ([MS-WSTEP] 3.1.4.1.3.1) is then ready.
    ///
    /// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
    pub fn query_pending(&mut self) -> Result<(), Error> {
        if self.state != State::Pending {
            return Err(Error::WrongState {
                operation: "query_pending",
                state: self.state,
            });
        }
        self.submission = None;
        self.state = State::SendRequest;
        Ok(())
    }

    fn submit(
        &mut self,
        operation: &'static str,
        mode: Mode,
        request_type: RequestType,
        kind: ValueKind,
        der: &[u8],
    ) -> Result<(), Error> {
        if self.state != State::AwaitingCsr || self.config.mode != mode {
            return Err(Error::WrongState {
                operation,
                state: self.state,
            });
        }
        self.submission = Some(Submission {
            request_type,
            token: kind.token(der),
        });
        self.state = State::SendRequest;
        Ok(())
    }

    fn fail(&mut self, error: Error) {
        self.state = State::Failed;
        self.events.push_back(Event::Failed { error });
    }

    fn policies_transmit(&mut self, message_id: &str) -> Result<Transmit, Error> {
        let mut client = xcep::Client::new();
        if let Some(language) = &self.config.preferred_language {
            client = client.with_preferred_language(language.clone());
        }
        let mut request = GetPolicies::new(client);
        if let Some(cache) = &self.cache {
            request = cache.request(request);
        }
        let body = envelope(
            GetPolicies::ACTION,
            message_id,
            &self.config.cep_url,
            self.config.username_token.as_ref(),
            request,
        )?;
        self.state = State::ExpectPolicies;
        Ok(Transmit {
            url: self.config.cep_url.clone(),
            action: GetPolicies::ACTION,
            content_type: soap_envelope::CONTENT_TYPE,
            body,
        })
    }

    fn request_transmit(&mut self, message_id: &str) -> Result<Transmit, Error> {
        let requirements = self.requirements.as_ref().ok_or(Error::WrongState {
            operation: "poll_transmit",
            state: self.state,
        })?;
        let endpoint = requirements
            .endpoints
            .first()
            .ok_or_else(|| Error::NoEndpoint(requirements.template_name.clone()))?;
        let rst = match (&self.submission, &self.request_id) {
            (Some(submission), _) => RequestSecurityToken::for_template(
                submission.request_type.clone(),
                submission.token.clone(),
                requirements.template_name.clone(),
            ),
            (None, Some(id)) => RequestSecurityToken::new(RequestType::QueryTokenStatus)
                .with_token_type(actions::TOKEN_TYPE_X509V3)
                .with_request_id(RequestId::new(id.clone())),
            (None, None) => {
                return Err(Error::WrongState {
                    operation: "poll_transmit",
                    state: self.state,
                });
            }
        };
        let url = match (&self.submission, &self.query_url) {
            (None, Some(query)) => query.clone(),
            _ => endpoint.url.clone(),
        };
        let body = envelope(
            actions::RST,
            message_id,
            &url,
            self.config.username_token.as_ref(),
            WstepMessage::from(rst),
        )?;
        self.state = State::ExpectIssued;
        Ok(Transmit {
            url,
            action: actions::RST,
            content_type: soap_envelope::CONTENT_TYPE,
            body,
        })
    }

    fn handle_policies(&mut self, now: DateTime, response: Response<'_>) -> Result<(), Error> {
        let envelope = read::<GetPoliciesResponse>(response)?;
        if let Some(fault) = envelope.as_fault() {
            self.fail(Error::Fault {
                reason: fault_reason(fault),
            });
            return Ok(());
        }
        let answer = envelope
            .payload()
            .cloned()
            .ok_or_else(|| Error::UnexpectedMessage("empty body".into()))?;
        let merge = if let Some(cache) = &mut self.cache {
            cache.update(answer, now)
        } else {
            if answer
                .response
                .as_ref()
                .and_then(|r| r.policies_not_changed)
                == Some(true)
            {
                return Err(Error::NotChangedWithoutCache);
            }
            self.cache = Some(CachedPolicy::new(answer, now));
            Merge::Replaced
        };
        if merge == Merge::PolicyIdMismatch {
            return Err(Error::NotChangedWithoutCache);
        }
        self.events.push_back(Event::PolicyReceived { merge });
        let Some(cache) = &self.cache else {
            return Err(Error::NotChangedWithoutCache);
        };
        let resolved = cache.response().resolve()?;
        let template = match &self.config.template {
            TemplateSelector::Name(name) => resolved.template_by_name(name),
            TemplateSelector::Oid(oid) => resolved.template_by_oid(oid),
        }
        .ok_or_else(|| Error::UnknownTemplate(self.config.template.clone()))?;
        let mut filter = match self.config.mode {
            Mode::Enroll => EndpointFilter::enrollment(),
            Mode::Renew => EndpointFilter::renewal(),
        };
        if let Some(accepted) = self.config.authentication {
            filter = filter.with_authentication(accepted);
        }
        let requirements = Requirements::from_template(template, &filter)?;
        if requirements.endpoints.is_empty() {
            return Err(Error::NoEndpoint(requirements.template_name));
        }
        if let Some(pending) = self.config.resume.take() {
            let used = requirements.endpoints.first().map(|e| e.url.clone());
            self.query_url = match (pending.query_url, used) {
                (Some(q), Some(used)) if same_origin(&q, &used) => Some(q),
                (_, used) => used,
            };
            self.request_id = Some(pending.request_id);
            self.submission = None;
            self.requirements = Some(requirements);
            self.state = State::SendRequest;
            return Ok(());
        }
        self.events.push_back(Event::CsrNeeded {
            requirements: Box::new(requirements.clone()),
        });
        self.requirements = Some(requirements);
        self.state = State::AwaitingCsr;
        Ok(())
    }

    fn handle_issued(&mut self, now: DateTime, response: Response<'_>) -> Result<(), Error> {
        let envelope = read::<WstepMessage>(response)?;
        if let Some(fault) = envelope.as_fault() {
            match CertificateEnrollmentWsDetail::from_fault(fault) {
                Some(detail) => {
                    let detail = detail?;
                    let hresult = detail.error_code;
                    let name = hresult.and_then(|h| h.name());
                    let message = fault
                        .reason_text(None)
                        .map(str::to_owned)
                        .or_else(|| hresult.and_then(|h| h.message()).map(str::to_owned))
                        .unwrap_or_default();
                    self.state = State::Done;
                    self.events.push_back(Event::Denied {
                        hresult,
                        name,
                        message,
                        request_id: detail.request_id,
                    });
                }
                None => self.fail(Error::Fault {
                    reason: fault_reason(fault),
                }),
            }
            return Ok(());
        }
        let rstr: &RequestSecurityTokenResponse = match envelope.payload() {
            Some(WstepMessage::RequestSecurityTokenResponseCollection(c)) => c
                .response()
                .ok_or_else(|| Error::UnexpectedMessage("empty RSTRC".into()))?,
            Some(WstepMessage::RequestSecurityTokenResponse(r)) => r,
            _ => return Err(Error::UnexpectedMessage("not an RSTRC".into())),
        };
        let request_id = rstr
            .request_id
            .as_ref()
            .and_then(RequestId::as_str)
            .map(str::to_owned);
        let request_id = match request_id {
            Some(id) => Some(id),
            None if rstr.certificate().is_none() => pend_info_request_id(rstr),
            None => None,
        };
        if request_id.is_some() {
            self.request_id.clone_from(&request_id);
        }
        let message = rstr
            .disposition_message
            .as_ref()
            .and_then(|m| m.text.clone());
        let Some(token) = rstr.certificate() else {
            let request_id = request_id.ok_or_else(|| {
                Error::UnexpectedMessage("RSTR without a certificate or a RequestID".into())
            })?;
            let reference = rstr.token_reference().map(|r| r.uri.clone());
            let used = self
                .requirements
                .as_ref()
                .and_then(|r| r.endpoints.first())
                .map(|e| e.url.clone());
            self.query_url = match (&reference, used) {
                (Some(r), Some(used)) if same_origin(r, &used) => Some(r.clone()),
                (_, used) => used,
            };
            self.state = State::Pending;
            self.next_poll = self
                .config
                .poll_interval_secs
                .map(|secs| DateTime::from_unix(now.to_unix().saturating_add(i64::from(secs)), 0));
            self.events.push_back(Event::Pending {
                request_id,
                message,
                reference,
            });
            return Ok(());
        };
        let certificate_der = token.decode_bytes()?;
        let chain = match &rstr.binary_security_token {
            Some(pkcs7) => wstep::payload::decode_signed_data(&pkcs7.decode_bytes()?)?.certificates,
            None => Vec::new(),
        };
        let check = self.check_chain(&certificate_der)?;
        let certificate = wstep::payload::decode_certificate(&certificate_der)?.certificate;
        self.state = State::Done;
        self.events.push_back(Event::Issued {
            certificate: Box::new(certificate),
            chain,
            check,
        });
        Ok(())
    }

    fn check_chain(&self, certificate: &[u8]) -> Result<ChainCheck, Error> {
        let ca_der = self
            .requirements
            .as_ref()
            .and_then(|r| r.endpoints.first())
            .map(|e| e.ca_certificate.as_slice())
            .ok_or(Error::WrongState {
                operation: "handle_response",
                state: self.state,
            })?;
        let issued = Certificate::from_der(certificate)?;
        let ca = Certificate::from_der(ca_der)?;
        if issued.tbs_certificate.issuer != ca.tbs_certificate.subject {
            return Err(Error::Chain(format!(
                "issuer {} is not the CA {}",
                issued.tbs_certificate.issuer, ca.tbs_certificate.subject
            )));
        }
        let tbs = issued.tbs_certificate.to_der()?;
        match wstep::payload::signature::verify(
            &ca.tbs_certificate.subject_public_key_info,
            &issued.signature_algorithm,
            &tbs,
            issued.signature.raw_bytes(),
        ) {
            Ok(()) => Ok(ChainCheck::SignatureVerified),
            Err(wstep::Error::UnsupportedAlgorithm(_)) => Ok(ChainCheck::NameOnly),
            Err(e) => Err(Error::Chain(format!("signature: {e}"))),
        }
    }
}

/// A SOAP 1.2 envelope with the WS-Addressing `Action`, `MessageID`, `To`
/// and an anonymous `ReplyTo` ([MS-XCEP] 3.1.4.1, [MS-WSTEP] 3.1.4.1),
/// and a `wsse:Security` header when there is a `UsernameToken`.
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
fn envelope<B: soap_envelope::Payload>(
    action: &str,
    message_id: &str,
    to: &str,
    username_token: Option<&UsernameToken>,
    payload: B,
) -> Result<Vec<u8>, Error> {
    let mut header = Header::new()
        .with_action(action)
        .with_message_id(message_id)
        .with_reply_to_anonymous()
        .with_to(to);
    if let Some(token) = username_token {
        header = header.with_security(Security::new().with_username_token(token.clone()));
    }
    Ok(Envelope::new(header, payload).to_xml()?)
}

/// Checks the content type, reads the envelope; a non-200 status must
/// carry a fault.
fn read<B: soap_envelope::Payload>(response: Response<'_>) -> Result<Envelope<B>, Error> {
    let media = response
        .content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim();
    if !media.eq_ignore_ascii_case(SOAP_MEDIA_TYPE) {
        return Err(Error::ContentType(response.content_type.to_owned()));
    }
    let envelope = match Envelope::<B>::from_xml(response.body) {
        Ok(envelope) => envelope,
        Err(_) if response.status != 200 => return Err(Error::HttpStatus(response.status)),
        Err(e) => return Err(e.into()),
    };
    if response.status != 200 && envelope.as_fault().is_none() {
        return Err(Error::HttpStatus(response.status));
    }
    Ok(envelope)
}

/// The request ID in the `pendInfo` of the RSTR's CMC status token, when
/// it has one.
fn pend_info_request_id(rstr: &RequestSecurityTokenResponse) -> Option<String> {
    let bytes = rstr.binary_security_token.as_ref()?.decode_bytes().ok()?;
    let signed = wstep::payload::SignedPayload::from_der(&bytes).ok()?;
    let id = signed.pend_info().ok()??.request_id()?;
    Some(id.to_string())
}

/// The scheme, host and port of an absolute `http(s)` URL, lowercased,
/// with the default port made explicit.
fn origin(url: &str) -> Option<(String, String)> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let authority = authority.to_ascii_lowercase();
    let default = match scheme.as_str() {
        "https" => "443",
        "http" => "80",
        _ => return None,
    };
    let has_port = authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let authority = if has_port {
        authority
    } else {
        format!("{authority}:{default}")
    };
    Some((scheme, authority))
}

/// Whether `a` and `b` are on the same scheme, host and port.
fn same_origin(a: &str, b: &str) -> bool {
    matches!((origin(a), origin(b)), (Some(x), Some(y)) if x == y)
}

fn fault_reason(fault: &Fault) -> String {
    fault.reason_text(None).unwrap_or("(no reason)").to_owned()
}
