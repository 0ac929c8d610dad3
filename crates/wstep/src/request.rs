//! The request message: [`RequestSecurityToken`] and its [`RequestType`].

use std::fmt;
use std::str::FromStr;

use soap_envelope::xsd::collapse;
use soap_envelope::{
    AnyElement, BinarySecurityToken, FromXml, Limits, Payload, QName, Result, Start, ToXml,
    XmlReader, XmlWriter, ns, read_document,
};

use crate::actions;
use crate::additional_context::AdditionalContext;
use crate::codec::{once, required};
use crate::request_id::RequestId;

pub(crate) const TOKEN_TYPE: QName = QName::new(ns::WST, "TokenType");
const REQUEST_TYPE: QName = QName::new(ns::WST, "RequestType");
pub(crate) const BINARY_SECURITY_TOKEN: QName = QName::new(ns::WSSE, "BinarySecurityToken");
pub(crate) const CONTEXT: QName = QName::new("", "Context");
const PREFERRED_LANGUAGE: QName = QName::new(ns::WSTEP, "PreferredLanguage");
const PREFERRED_LANGUAGE_UNQUALIFIED: QName = QName::new("", "PreferredLanguage");

/// The `wst:RequestSecurityToken` element as MS-WSTEP profiles it,
/// [MS-WSTEP] 3.1.4.1.2.1 (and [MS-MDE2] 3.4.4.1.1.1): a certificate
/// enrollment, renewal, QueryTokenStatus or key exchange token request.
///
/// ```xml
/// <xs:element name="RequestSecurityToken" type="wst:RequestSecurityTokenType" />
/// <xs:complexType name="RequestSecurityTokenType">
///   <xs:sequence>
///     <xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded" />
///   </xs:sequence>
///   <xs:attribute name="Context" type="xs:anyURI" use="optional" />
///   <xs:anyAttribute namespace="##other" processContents="lax" />
/// </xs:complexType>
/// ```
///
/// The children MS-WSTEP uses are `wst:TokenType`, `wst:RequestType`
/// (required), `wsse:BinarySecurityToken` (the PKCS#10, PKCS#7 or CMC
/// request), `auth:AdditionalContext` and `wstep:RequestID`; others (such
/// as `wst:RequestKET` of [MS-WSTEP] 4.1.2.1) are kept in `unknown`.
/// Children are accepted in any order and written in that order.
///
/// ```
/// use wstep::{RequestSecurityToken, RequestType, ValueKind};
///
/// let rst = RequestSecurityToken::new(RequestType::Issue)
///     .with_binary_security_token(ValueKind::Pkcs10.token(&[0x30, 0x00]))
///     .with_request_id(wstep::RequestId::nil());
/// let bytes = rst.to_xml_bytes().unwrap();
/// assert_eq!(RequestSecurityToken::from_xml_bytes(&bytes).unwrap(), rst);
/// ```
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
/// [MS-MDE2]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-mde2/
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestSecurityToken {
    /// The `Context` attribute.
    pub context: Option<String>,
    /// The `PreferredLanguage` attribute (enrollment namespace; an
    /// unqualified one is read too).
    pub preferred_language: Option<String>,
    /// `wst:TokenType` (whitespace collapsed), usually
    /// [`actions::TOKEN_TYPE_X509V3`] or [`actions::TOKEN_TYPE_MDE2`].
    pub token_type: Option<String>,
    /// `wst:RequestType`.
    pub request_type: RequestType,
    /// `wsse:BinarySecurityToken`: the certificate request.
    pub binary_security_token: Option<BinarySecurityToken>,
    /// `auth:AdditionalContext`.
    pub additional_context: Option<AdditionalContext>,
    /// `wstep:RequestID`.
    pub request_id: Option<RequestId>,
    /// Other children, kept as read (written after the defined ones).
    pub unknown: Vec<AnyElement>,
}

impl RequestSecurityToken {
    /// The element name.
    pub const NAME: QName = QName::new(ns::WST, "RequestSecurityToken");

    /// A request of type `request_type` for an X.509 v3 token.
    pub fn new(request_type: RequestType) -> Self {
        Self {
            context: None,
            preferred_language: None,
            token_type: Some(actions::TOKEN_TYPE_X509V3.to_owned()),
            request_type,
            binary_security_token: None,
            additional_context: None,
            request_id: None,
            unknown: Vec::new(),
        }
    }

    /// Sets the token type.
    #[must_use]
    pub fn with_token_type(mut self, token_type: impl Into<String>) -> Self {
        self.token_type = Some(token_type.into());
        self
    }

    /// Sets the request token.
    #[must_use]
    pub fn with_binary_security_token(mut self, token: BinarySecurityToken) -> Self {
        self.binary_security_token = Some(token);
        self
    }

    /// Sets the additional context.
    #[must_use]
    pub fn with_additional_context(mut self, context: AdditionalContext) -> Self {
        self.additional_context = Some(context);
        self
    }

    /// Sets the request ID.
    #[must_use]
    pub fn with_request_id(mut self, id: RequestId) -> Self {
        self.request_id = Some(id);
        self
    }

    /// Sets the `PreferredLanguage` attribute.
    #[must_use]
    pub fn with_preferred_language(mut self, lang: impl Into<String>) -> Self {
        self.preferred_language = Some(lang.into());
        self
    }

    /// The WS-Addressing Action for this request: [`actions::KET`] for a key
    /// exchange token request, [`actions::RST`] otherwise.
    pub fn action(&self) -> &'static str {
        if self.request_type == RequestType::KeyExchangeToken {
            actions::KET
        } else {
            actions::RST
        }
    }

    /// Reads a document whose root is a `RequestSecurityToken` (a bare body
    /// payload). For a whole SOAP message use
    /// `Envelope::<WstepMessage>::from_xml`.
    pub fn from_xml_bytes(input: &[u8]) -> crate::Result<Self> {
        Ok(read_document(input, &Limits::default())?)
    }

    /// This element alone, as UTF-8 bytes.
    pub fn to_xml_bytes(&self) -> crate::Result<Vec<u8>> {
        Ok(ToXml::to_xml_bytes(self)?)
    }
}

impl<'a> FromXml<'a> for RequestSecurityToken {
    fn matches(start: &Start<'_>) -> bool {
        start.is(Self::NAME)
    }

    fn from_xml(r: &mut XmlReader<'a>, start: &Start<'a>) -> Result<Self> {
        let context = start.attr(CONTEXT).map(|s| collapse(s).into_owned());
        let preferred_language = start
            .attr(PREFERRED_LANGUAGE)
            .or_else(|| start.attr(PREFERRED_LANGUAGE_UNQUALIFIED))
            .map(|s| collapse(s).into_owned());
        let mut token_type = None;
        let mut request_type = None;
        let mut bst = None;
        let mut additional_context = None;
        let mut request_id = None;
        let mut unknown = Vec::new();
        while let Some(child) = r.next_child()? {
            if child.is(TOKEN_TYPE) {
                once(r, &mut token_type, TOKEN_TYPE, |r| {
                    Ok(collapse(&r.text()?).into_owned())
                })?;
            } else if child.is(REQUEST_TYPE) {
                once(r, &mut request_type, REQUEST_TYPE, |r| {
                    let text = r.text()?;
                    Ok(collapse(&text)
                        .parse::<RequestType>()
                        .unwrap_or_else(|e| match e {}))
                })?;
            } else if child.is(BINARY_SECURITY_TOKEN) {
                once(r, &mut bst, BINARY_SECURITY_TOKEN, |r| {
                    BinarySecurityToken::read(r, &child)
                })?;
            } else if child.is(AdditionalContext::NAME) {
                once(r, &mut additional_context, AdditionalContext::NAME, |r| {
                    AdditionalContext::from_xml(r, &child)
                })?;
            } else if child.is(RequestId::NAME) {
                once(r, &mut request_id, RequestId::NAME, |r| {
                    RequestId::read(r, &child)
                })?;
            } else {
                unknown.push(r.any(&child)?);
            }
        }
        let request_type = required(r, request_type, REQUEST_TYPE)?;
        Ok(Self {
            context,
            preferred_language,
            token_type,
            request_type,
            binary_security_token: bst,
            additional_context,
            request_id,
            unknown,
        })
    }
}

impl ToXml for RequestSecurityToken {
    fn to_xml(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(Self::NAME)?;
        if let Some(c) = &self.context {
            w.attribute(CONTEXT, c)?;
        }
        if let Some(l) = &self.preferred_language {
            w.attribute(PREFERRED_LANGUAGE, l)?;
        }
        if let Some(t) = &self.token_type {
            w.text_element(TOKEN_TYPE, t)?;
        }
        w.text_element(REQUEST_TYPE, &self.request_type.to_string())?;
        if let Some(t) = &self.binary_security_token {
            t.to_xml(w)?;
        }
        if let Some(c) = &self.additional_context {
            c.to_xml(w)?;
        }
        if let Some(id) = &self.request_id {
            id.write(w)?;
        }
        for u in &self.unknown {
            u.to_xml(w)?;
        }
        w.end()
    }
}

impl Payload for RequestSecurityToken {
    fn action(&self) -> Option<&str> {
        Some(RequestSecurityToken::action(self))
    }
}

/// The `wst:RequestType` URI, [MS-WSTEP] 3.1.4.1.2.7.
///
/// ```text
/// http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue
/// http://docs.oasis-open.org/ws-sx/ws-trust/200512/Renew
/// http://schemas.microsoft.com/windows/pki/2009/01/enrollment/QueryTokenStatus
/// http://docs.oasis-open.org/ws-sx/ws-trust/200512/KET
/// ```
///
/// Another URI is kept as [`RequestType::Other`].
///
/// ```
/// use wstep::RequestType;
///
/// let t: RequestType = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/KET".parse().unwrap();
/// assert_eq!(t, RequestType::KeyExchangeToken);
/// assert_eq!(RequestType::Issue.to_string(), "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue");
/// ```
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestType {
    /// A new certificate.
    Issue,
    /// Renewal of a certificate (the request is signed with it).
    Renew,
    /// The status of a pending request, by `RequestID`.
    QueryTokenStatus,
    /// The CA's key exchange certificate.
    KeyExchangeToken,
    /// Any other URI, kept as read.
    Other(String),
}

impl RequestType {
    /// `Issue`.
    pub const ISSUE: &'static str = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue";
    /// `Renew`.
    pub const RENEW: &'static str = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Renew";
    /// `QueryTokenStatus`.
    pub const QUERY_TOKEN_STATUS: &'static str =
        "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/QueryTokenStatus";
    /// `KET`.
    pub const KEY_EXCHANGE_TOKEN: &'static str =
        "http://docs.oasis-open.org/ws-sx/ws-trust/200512/KET";

    /// The URI.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Issue => Self::ISSUE,
            Self::Renew => Self::RENEW,
            Self::QueryTokenStatus => Self::QUERY_TOKEN_STATUS,
            Self::KeyExchangeToken => Self::KEY_EXCHANGE_TOKEN,
            Self::Other(s) => s,
        }
    }
}

impl fmt::Display for RequestType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RequestType {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Ok(match s.trim() {
            Self::ISSUE => Self::Issue,
            Self::RENEW => Self::Renew,
            Self::QUERY_TOKEN_STATUS => Self::QueryTokenStatus,
            Self::KEY_EXCHANGE_TOKEN => Self::KeyExchangeToken,
            other => Self::Other(other.to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use soap_envelope::ErrorKind;

    #[test]
    fn request_type_missing_or_foreign_namespace() {
        let xml = format!(
            "<RequestSecurityToken xmlns='{}'><RequestType xmlns='urn:x'>{}</RequestType></RequestSecurityToken>",
            ns::WST,
            RequestType::ISSUE
        );
        let e = RequestSecurityToken::from_xml_bytes(xml.as_bytes()).unwrap_err();
        let crate::Error::Xml(e) = e else { panic!() };
        assert!(matches!(e.kind(), ErrorKind::MissingElement(_)), "{e}");
        assert!(e.path().ends_with("/RequestType"), "{}", e.path());
    }

    #[test]
    fn other_request_type_round_trips() {
        let rst = RequestSecurityToken::new(RequestType::Other("urn:x".into()));
        let again = RequestSecurityToken::from_xml_bytes(&rst.to_xml_bytes().unwrap()).unwrap();
        assert_eq!(again, rst);
    }
}
