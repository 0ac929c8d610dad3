//! The request context, the HTTP reply, and the envelope checks both
//! services share.

#[cfg(test)]
mod tests {
    use super::{RequestContext, same_endpoint};
    use soap_envelope::xsd::DateTime;

    #[test]
    fn to_may_name_the_public_url_or_an_alias() {
        let path = "/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP";
        let ctx = RequestContext::new(
            format!("https://ca.example.com{path}"),
            DateTime::from_unix(0, 0),
        )
        .with_alias(format!("https://10.0.0.5:8443{path}"));
        assert!(ctx.is_addressed_by(&format!("https://CA.example.com:443{path}")));
        assert!(ctx.is_addressed_by(&format!("https://10.0.0.5:8443{path}")));
        assert!(!ctx.is_addressed_by(&format!("https://10.0.0.5{path}")));
        assert!(!ctx.is_addressed_by(&format!("https://proxy.internal{path}")));
    }

    #[test]
    fn to_matches_without_case_or_default_port() {
        let url = "https://ca.example.com/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP";
        assert!(same_endpoint(
            "https://CA.example.com:443/adpolicyprovider_cep_usernamepassword/service.svc/cep",
            url
        ));
        assert!(!same_endpoint(
            "https://ca.example.com:8443/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP",
            url
        ));
        assert!(!same_endpoint(
            "https://ca.example.com/ADPolicyProvider_CEP_Kerberos/service.svc/CEP",
            url
        ));
        assert!(!same_endpoint(
            "http://ca.example.com/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP",
            url
        ));
    }
}

use soap_envelope::addressing::WSA_FAULT_ACTION;
use soap_envelope::fault::subcode;
use soap_envelope::xsd::DateTime;
use soap_envelope::{AnyElement, Envelope, ErrorKind, Fault, FaultCodeValue, Header, Payload};

use super::ServerError;
use super::permission::Principal;

/// What the caller knows about a request besides its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    /// The endpoint URL the request arrived at; the WS-Addressing `To`
    /// must equal it or one of [`aliases`](Self::aliases).
    pub to_url: String,
    /// Other URLs of the same endpoint that `To` may name: behind a
    /// TLS-terminating proxy or load balancer `to_url` is the public URL
    /// clients were given, and the listener's own URL is one of these.
    pub aliases: Vec<String>,
    /// The authenticated caller, if any.
    pub authenticated: Option<Principal>,
    /// The current time.
    pub now: DateTime,
}

impl RequestContext {
    /// A context for `to_url` at `now`, with no authenticated caller.
    pub fn new(to_url: impl Into<String>, now: DateTime) -> Self {
        Self {
            to_url: to_url.into(),
            aliases: Vec::new(),
            authenticated: None,
            now,
        }
    }

    /// Adds a URL that `To` may name instead of `to_url`.
    #[must_use]
    pub fn with_alias(mut self, url: impl Into<String>) -> Self {
        self.aliases.push(url.into());
        self
    }

    /// Whether `to` names this endpoint ([`same_endpoint`] with `to_url`
    /// or an alias).
    fn is_addressed_by(&self, to: &str) -> bool {
        std::iter::once(&self.to_url)
            .chain(&self.aliases)
            .any(|url| same_endpoint(to, url))
    }

    /// Sets the authenticated caller.
    #[must_use]
    pub fn with_principal(mut self, principal: Principal) -> Self {
        self.authenticated = Some(principal);
        self
    }
}

/// An HTTP reply: status, `Content-Type` and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// 200 for a message, 500 for a SOAP fault.
    pub status: u16,
    /// Always [`soap_envelope::CONTENT_TYPE`] (SOAP 1.2, UTF-8).
    pub content_type: &'static str,
    /// The envelope.
    pub body: Vec<u8>,
}

impl Reply {
    /// A 200 reply carrying `envelope`.
    pub(crate) fn ok<B: Payload>(envelope: &Envelope<B>) -> Result<Self, ServerError> {
        Ok(Self {
            status: 200,
            content_type: soap_envelope::CONTENT_TYPE,
            body: envelope.to_xml()?,
        })
    }

    /// A 500 reply carrying a fault envelope. A CES fault's detail is
    /// MS-WSTEP's `CertificateEnrollmentWSDetail`: written with wstep's
    /// prefixes, as AD CS writes it (its namespace the default one).
    pub(crate) fn fault(envelope: &Envelope<AnyElement>) -> Result<Self, ServerError> {
        Ok(Self {
            status: 500,
            content_type: soap_envelope::CONTENT_TYPE,
            body: envelope.to_xml_with(wstep::PREFIXES)?,
        })
    }

    /// Whether this reply carries a SOAP fault (status 500).
    pub fn is_fault(&self) -> bool {
        self.status == 500
    }

    /// The last-resort reply: a `Receiver` fault ("The server could not
    /// process the request.") written as constant bytes, so that it cannot
    /// fail. What a reply that could not be written becomes.
    pub fn internal_error() -> Self {
        const BODY: &str = concat!(
            r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" "#,
            r#"xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header>"#,
            r#"<a:Action s:mustUnderstand="1">http://www.w3.org/2005/08/addressing/fault</a:Action>"#,
            r#"</s:Header><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code>"#,
            r#"<s:Reason><s:Text xml:lang="en-US">The server could not process the request.</s:Text>"#,
            r#"</s:Reason></s:Fault></s:Body></s:Envelope>"#
        );
        Self {
            status: 500,
            content_type: soap_envelope::CONTENT_TYPE,
            body: BODY.as_bytes().to_vec(),
        }
    }

    /// The reply of `result`, or [`Reply::internal_error`] when it could
    /// not be written.
    pub fn or_internal_error(result: Result<Self, ServerError>) -> Self {
        result.unwrap_or_else(|_| Self::internal_error())
    }
}

/// An envelope check that failed: the fault to answer and the request's
/// `MessageID` it relates to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EnvelopeFault {
    pub(crate) fault: Fault,
    pub(crate) relates_to: Option<String>,
}

/// Reads `bytes` as an envelope whose body is `B` and checks the SOAP
/// version, the `mustUnderstand` headers, `Action` (one of `actions`) and
/// `To`. One read when the envelope is good; a body that does not read
/// as `B` is read again with any body, so that a body of the wrong
/// service is answered with its header's fault (ActionNotSupported), not
/// a parse error.
pub(crate) fn check<B: Payload>(
    bytes: &[u8],
    ctx: &RequestContext,
    actions: &[&str],
) -> Result<Envelope<B>, Box<EnvelopeFault>> {
    match Envelope::<B>::from_xml(bytes) {
        Ok(envelope) => {
            check_header(&envelope.header, ctx, actions)?;
            Ok(envelope)
        }
        Err(typed) => {
            let generic = Envelope::<AnyElement>::from_xml(bytes).map_err(|e| read_fault(&e))?;
            check_header(&generic.header, ctx, actions)?;
            Err(Box::new(EnvelopeFault {
                fault: malformed(&typed),
                relates_to: generic.header.message_id().map(str::to_owned),
            }))
        }
    }
}

/// The checks of an envelope's `header`: the `mustUnderstand` headers,
/// `Action` (one of `actions`) and `To`.
pub(crate) fn check_header(
    header: &Header,
    ctx: &RequestContext,
    actions: &[&str],
) -> Result<(), Box<EnvelopeFault>> {
    let relates_to = header.message_id().map(str::to_owned);
    let fail = |fault: Fault| {
        Box::new(EnvelopeFault {
            fault,
            relates_to: relates_to.clone(),
        })
    };
    if let Some(block) = header.not_understood().next() {
        return Err(fail(Fault::must_understand(&block.element.name)));
    }
    let action = header.action().unwrap_or("");
    if !actions.contains(&action) {
        return Err(fail(
            Fault::new(
                FaultCodeValue::Sender,
                format!("The message with Action '{action}' cannot be processed at the receiver."),
            )
            .with_subcode(subcode::ACTION_NOT_SUPPORTED),
        ));
    }
    // WS-Addressing 1.0 makes `To` optional, and the [MS-WSTEP] 4.1.1.1
    // capture has none: only a `To` naming another endpoint is refused.
    if !header.to().is_none_or(|to| ctx.is_addressed_by(to)) {
        return Err(fail(
            Fault::new(
                FaultCodeValue::Sender,
                format!(
                    "The message with To '{}' cannot be processed at the receiver.",
                    header.to().unwrap_or("")
                ),
            )
            .with_subcode(subcode::DESTINATION_UNREACHABLE),
        ));
    }
    Ok(())
}

/// Whether the `To` address names the endpoint `url`: equal without
/// regard to ASCII case, an explicit default port (`:443`, `:80`) ignored.
/// AD CS runs on IIS, whose paths are case-insensitive, and Windows
/// clients send the CEP/CES paths in lower case ([MS-XCEP] 4.1.1.1:
/// `.../ADPolicyProvider_cep_usernamepassword/service.svc/cep`).
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
pub(crate) fn same_endpoint(to: &str, url: &str) -> bool {
    fn normal(u: &str) -> String {
        let lower = u.trim().to_ascii_lowercase();
        let (scheme, rest) = lower.split_once("://").unwrap_or(("", &lower));
        let (authority, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
        let default = match scheme {
            "https" => ":443",
            "http" => ":80",
            _ => "",
        };
        let authority = if default.is_empty() {
            authority
        } else {
            authority.strip_suffix(default).unwrap_or(authority)
        };
        format!("{scheme}://{authority}{path}")
    }
    normal(to) == normal(url)
}

fn read_fault(error: &soap_envelope::Error) -> Box<EnvelopeFault> {
    let fault = if matches!(error.kind(), ErrorKind::VersionMismatch(_)) {
        Fault::version_mismatch()
    } else {
        malformed(error)
    };
    Box::new(EnvelopeFault {
        fault,
        relates_to: None,
    })
}

fn malformed(error: &soap_envelope::Error) -> Fault {
    Fault::new(
        FaultCodeValue::Sender,
        format!("The message could not be read: {error}"),
    )
}

/// The 500 reply for `fault`, with `Action` `action` and `RelatesTo`.
pub(crate) fn fault_envelope_reply(
    fault: Fault,
    action: &str,
    relates_to: Option<&str>,
) -> Result<Reply, ServerError> {
    let mut header = Header::new().with_action(action);
    if let Some(id) = relates_to {
        header = header.with_relates_to(id);
    }
    Reply::fault(&Envelope::fault(header, fault))
}

impl EnvelopeFault {
    /// The reply: a fault with the WS-Addressing fault Action.
    pub(crate) fn reply(self) -> Result<Reply, ServerError> {
        fault_envelope_reply(self.fault, WSA_FAULT_ACTION, self.relates_to.as_deref())
    }
}
