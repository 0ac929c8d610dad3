//! The request message: [`RequestSecurityToken`] and its [`RequestType`].

use std::fmt;
use std::str::FromStr;

use crate::ns;
use soap_envelope::{
    AnyElement, BinarySecurityToken, FromXml, Limits, Payload, ToXml, fields, read_document,
};

use crate::actions;
use crate::additional_context::AdditionalContext;
use crate::codec::{or_unqualified, uri_enum};
use crate::request_id::RequestId;

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
/// let bytes = rst.to_xml().unwrap();
/// assert_eq!(RequestSecurityToken::from_xml(&bytes).unwrap(), rst);
/// ```
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
/// [MS-MDE2]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-mde2/
#[derive(Debug, Clone, PartialEq, Eq, FromXml, ToXml)]
#[xml(ns = ns::WST, prefixes = crate::PREFIXES, name = "RequestSecurityToken")]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RequestSecurityToken {
    /// The `Context` attribute.
    #[xml(attribute(name = "Context"), with = fields::token)]
    pub context: Option<String>,
    /// The `PreferredLanguage` attribute (enrollment namespace; an
    /// unqualified one is read too).
    #[xml(attribute(name = "PreferredLanguage", ns = ns::WSTEP), with = or_unqualified)]
    pub preferred_language: Option<String>,
    /// `wst:TokenType` (whitespace collapsed), usually
    /// [`actions::TOKEN_TYPE_X509V3`] or [`actions::TOKEN_TYPE_MDE2`].
    #[xml(name = "TokenType", with = fields::token)]
    pub token_type: Option<String>,
    /// `wst:RequestType`.
    #[xml(name = "RequestType", with = uri_enum)]
    pub request_type: RequestType,
    /// `wsse:BinarySecurityToken`: the certificate request.
    #[xml(ns = ns::WSSE, name = "BinarySecurityToken", with = fields::element)]
    pub binary_security_token: Option<BinarySecurityToken>,
    /// `auth:AdditionalContext`.
    #[xml(ns = ns::AUTH, name = "AdditionalContext")]
    pub additional_context: Option<AdditionalContext>,
    /// `wstep:RequestID`.
    #[xml(ns = ns::WSTEP, name = "RequestID", with = fields::element)]
    pub request_id: Option<RequestId>,
    /// Other children, kept as read (written after the defined ones).
    #[xml(unknown)]
    pub unknown: Vec<AnyElement>,
}

impl RequestSecurityToken {
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

    /// A request for a certificate from `template` as Windows sends one
    /// ([MS-WSTEP] 3.1.4.1.2.1): `request_type` (`Issue`, or `Renew`) for an
    /// X.509 v3 token, `token` (the PKCS#10, or the renewal's PKCS#7), the
    /// template as the `CertificateTemplate` context item and a nil
    /// `RequestID`.
    ///
    /// ```
    /// use wstep::{RequestId, RequestSecurityToken, RequestType, ValueKind};
    ///
    /// let token = ValueKind::Pkcs10.token(&[0x30, 0x00]);
    /// let rst = RequestSecurityToken::for_template(RequestType::Issue, token.clone(), "User");
    /// let context = rst.additional_context.as_ref().unwrap();
    /// assert_eq!(context.certificate_template(), Some("User"));
    /// assert_eq!(rst.binary_security_token, Some(token));
    /// assert_eq!(rst.request_id, Some(RequestId::nil()));
    /// assert_eq!(rst.token_type.as_deref(), Some(wstep::actions::TOKEN_TYPE_X509V3));
    /// ```
    ///
    /// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
    pub fn for_template(
        request_type: RequestType,
        token: BinarySecurityToken,
        template: impl Into<String>,
    ) -> Self {
        Self::new(request_type)
            .with_binary_security_token(token)
            .with_additional_context(
                AdditionalContext::new()
                    .with_item(crate::context_items::CERTIFICATE_TEMPLATE, template),
            )
            .with_request_id(RequestId::nil())
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
    pub fn from_xml(input: &[u8]) -> crate::Result<Self> {
        Ok(read_document(input, &Limits::default())?)
    }

    /// This element alone, as UTF-8 bytes.
    pub fn to_xml(&self) -> crate::Result<Vec<u8>> {
        Ok(ToXml::to_xml(self)?)
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
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum RequestType {
    /// A new certificate.
    Issue,
    /// Renewal of a certificate (the request is signed with it).
    Renew,
    /// The status of a pending request, by `RequestID`.
    QueryTokenStatus,
    /// The CA's key exchange certificate.
    #[cfg_attr(feature = "serde", serde(rename = "KET"))]
    KeyExchangeToken,
    /// Any other URI, kept as read.
    #[cfg_attr(feature = "serde", serde(untagged))]
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
        let e = RequestSecurityToken::from_xml(xml.as_bytes()).unwrap_err();
        let crate::Error::Xml(e) = e else { panic!() };
        assert!(matches!(e.kind(), ErrorKind::MissingElement(_)), "{e}");
        assert!(e.path().ends_with("/RequestType"), "{}", e.path());
    }

    #[test]
    fn other_request_type_round_trips() {
        let rst = RequestSecurityToken::new(RequestType::Other("urn:x".into()));
        let again = RequestSecurityToken::from_xml(&rst.to_xml().unwrap()).unwrap();
        assert_eq!(again, rst);
    }
}
