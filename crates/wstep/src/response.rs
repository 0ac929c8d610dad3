//! The response messages: [`RequestSecurityTokenResponseCollection`],
//! [`RequestSecurityTokenResponse`] and their parts.

use crate::ns;
use soap_envelope::xsd::collapse;
use soap_envelope::{
    AnyElement, BinarySecurityToken, FromXml, Limits, Payload, QName, Result, Start, ToXml,
    XmlReader, XmlWriter, fields, read_document,
};

use crate::actions;
use crate::codec::once;
use crate::request_id::RequestId;
use soap_envelope::fields::trimmed;

const REFERENCE: QName = QName::new(ns::WSSE, "Reference");
const URI: QName = QName::new("", "URI");
const VALUE_TYPE: QName = QName::new("", "ValueType");

/// The `wst:RequestSecurityTokenResponseCollection` element, [MS-WSTEP]
/// 3.1.4.1.2.2: the answer to a request.
///
/// ```xml
/// <xs:element name="RequestSecurityTokenResponseCollection"
///             type="wst:RequestSecurityTokenResponseCollectionType" />
/// <xs:complexType name="RequestSecurityTokenResponseCollectionType">
///   <xs:sequence>
///     <xs:element ref="wst:RequestSecurityTokenResponse" minOccurs="1" maxOccurs="unbounded" />
///   </xs:sequence>
///   <xs:anyAttribute namespace="##other" processContents="lax" />
/// </xs:complexType>
/// ```
///
/// Other children are kept in `unknown`.
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
#[derive(Debug, Clone, PartialEq, Eq, Default, ToXml)]
#[xml(ns = ns::WST, prefixes = crate::PREFIXES, name = "RequestSecurityTokenResponseCollection")]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RequestSecurityTokenResponseCollection {
    /// The responses (MS-WSTEP sends one).
    #[xml(name = "RequestSecurityTokenResponse")]
    pub responses: Vec<RequestSecurityTokenResponse>,
    /// Other children, kept as read.
    #[xml(unknown)]
    pub unknown: Vec<AnyElement>,
}

impl RequestSecurityTokenResponseCollection {
    /// The element name.
    pub const NAME: QName = QName::new(ns::WST, "RequestSecurityTokenResponseCollection");

    /// A collection of one response.
    pub fn new(response: RequestSecurityTokenResponse) -> Self {
        Self {
            responses: vec![response],
            unknown: Vec::new(),
        }
    }

    /// The first response.
    pub fn response(&self) -> Option<&RequestSecurityTokenResponse> {
        self.responses.first()
    }

    /// Reads a document whose root is this element.
    pub fn from_xml(input: &[u8]) -> crate::Result<Self> {
        Ok(read_document(input, &Limits::default())?)
    }

    /// This element alone, as UTF-8 bytes.
    pub fn to_xml(&self) -> crate::Result<Vec<u8>> {
        Ok(ToXml::to_xml(self)?)
    }
}

/// Read by hand: no response is `MissingElement` at the collection itself
/// (the hostile suite pins that path), not at the missing child as a
/// derived required field would say.
impl<'a> FromXml<'a> for RequestSecurityTokenResponseCollection {
    fn matches(start: &Start<'_>) -> bool {
        start.is(Self::NAME)
    }

    fn read(r: &mut XmlReader<'a>, _start: &Start<'a>) -> Result<Self> {
        let mut c = Self::default();
        while let Some(child) = r.next_child()? {
            if child.is(RequestSecurityTokenResponse::NAME) {
                c.responses
                    .push(RequestSecurityTokenResponse::read(r, &child)?);
            } else {
                c.unknown.push(r.any(&child)?);
            }
        }
        if c.responses.is_empty() {
            return Err(r.error_after(soap_envelope::ErrorKind::MissingElement(
                RequestSecurityTokenResponse::NAME.to_owned_name(),
            )));
        }
        Ok(c)
    }
}

impl Payload for RequestSecurityTokenResponseCollection {
    fn action(&self) -> Option<&str> {
        Some(actions::RSTRC)
    }
}

/// The `wst:RequestSecurityTokenResponse` element, [MS-WSTEP]
/// 3.1.4.1.2.3: the disposition of one request and, when issued, the
/// certificate. Alone as a body, it is the key exchange token response
/// ([MS-WSTEP] 4.1.2.2, Action [`actions::KET_FINAL`]).
///
/// ```xml
/// <xs:complexType name="RequestSecurityTokenResponseType">
///   <xs:sequence>
///     <xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded" />
///   </xs:sequence>
///   <xs:attribute name="Context" type="xs:anyURI" use="optional" />
///   <xs:anyAttribute namespace="##other" processContents="lax" />
/// </xs:complexType>
/// ```
///
/// The children MS-WSTEP uses are `wst:TokenType`,
/// `wstep:DispositionMessage`, `wsse:BinarySecurityToken` (the PKCS#7/CMC
/// response with the chain), `wst:RequestedSecurityToken` (the issued
/// certificate) and `wstep:RequestID`; others are kept in `unknown`.
///
/// ```
/// use wstep::{DispositionMessage, RequestId, RequestSecurityTokenResponse, RequestedSecurityToken, ValueKind};
///
/// let r = RequestSecurityTokenResponse::new()
///     .with_disposition_message(DispositionMessage::new("Issued").with_lang("en-US"))
///     .with_requested_security_token(RequestedSecurityToken::new(ValueKind::X509v3.token(&[0x30, 0x00])))
///     .with_request_id(RequestId::new("61"));
/// let bytes = r.to_xml().unwrap();
/// let again = RequestSecurityTokenResponse::from_xml(&bytes).unwrap();
/// assert_eq!(again.certificate().unwrap().value, "MAA=");
/// assert_eq!(again, r);
/// ```
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
#[derive(Debug, Clone, PartialEq, Eq, Default, FromXml, ToXml)]
#[xml(ns = ns::WST, prefixes = crate::PREFIXES, name = "RequestSecurityTokenResponse")]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RequestSecurityTokenResponse {
    /// The `Context` attribute.
    #[xml(attribute(name = "Context"), with = fields::token)]
    pub context: Option<String>,
    /// `wst:TokenType` (whitespace collapsed).
    #[xml(name = "TokenType", with = fields::token)]
    pub token_type: Option<String>,
    /// `wstep:DispositionMessage`.
    #[xml(ns = ns::WSTEP, name = "DispositionMessage")]
    pub disposition_message: Option<DispositionMessage>,
    /// `wsse:BinarySecurityToken`: the full response (PKCS#7 or CMC).
    #[xml(ns = ns::WSSE, name = "BinarySecurityToken", with = fields::element)]
    pub binary_security_token: Option<BinarySecurityToken>,
    /// `wst:RequestedSecurityToken`.
    #[xml(name = "RequestedSecurityToken")]
    pub requested_security_token: Option<RequestedSecurityToken>,
    /// `wstep:RequestID`.
    #[xml(ns = ns::WSTEP, name = "RequestID", with = fields::element)]
    pub request_id: Option<RequestId>,
    /// Other children, kept as read.
    #[xml(unknown)]
    pub unknown: Vec<AnyElement>,
}

impl RequestSecurityTokenResponse {
    /// A response for an X.509 v3 token, otherwise empty.
    pub fn new() -> Self {
        Self {
            token_type: Some(actions::TOKEN_TYPE_X509V3.to_owned()),
            ..Self::default()
        }
    }

    /// Sets the disposition message.
    #[must_use]
    pub fn with_disposition_message(mut self, m: DispositionMessage) -> Self {
        self.disposition_message = Some(m);
        self
    }

    /// Sets the response token (PKCS#7 or CMC).
    #[must_use]
    pub fn with_binary_security_token(mut self, t: BinarySecurityToken) -> Self {
        self.binary_security_token = Some(t);
        self
    }

    /// Sets the requested security token.
    #[must_use]
    pub fn with_requested_security_token(mut self, t: RequestedSecurityToken) -> Self {
        self.requested_security_token = Some(t);
        self
    }

    /// Sets the request ID.
    #[must_use]
    pub fn with_request_id(mut self, id: RequestId) -> Self {
        self.request_id = Some(id);
        self
    }

    /// The issued certificate token: `RequestedSecurityToken`'s
    /// `BinarySecurityToken`, or the one in its `KeyExchangeToken`.
    pub fn certificate(&self) -> Option<&BinarySecurityToken> {
        let rst = self.requested_security_token.as_ref()?;
        rst.binary_security_token.as_ref().or_else(|| {
            rst.key_exchange_token
                .as_ref()
                .and_then(|k| k.binary_security_token.as_ref())
        })
    }

    /// The `wsse:Reference` of `RequestedSecurityToken`'s
    /// `wsse:SecurityTokenReference`: in a pending answer ([MS-WSTEP]
    /// 3.1.4.1.3.2), the CES endpoint to send the QueryTokenStatus to.
    ///
    /// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
    pub fn token_reference(&self) -> Option<&Reference> {
        self.requested_security_token
            .as_ref()?
            .security_token_reference
            .as_ref()?
            .reference
            .as_ref()
    }

    /// Reads a document whose root is this element.
    pub fn from_xml(input: &[u8]) -> crate::Result<Self> {
        Ok(read_document(input, &Limits::default())?)
    }

    /// This element alone, as UTF-8 bytes.
    pub fn to_xml(&self) -> crate::Result<Vec<u8>> {
        Ok(ToXml::to_xml(self)?)
    }
}

impl Payload for RequestSecurityTokenResponse {
    fn action(&self) -> Option<&str> {
        Some(actions::KET_FINAL)
    }
}

/// The `DispositionMessage` element, [MS-WSTEP] 3.1.4.1.3.1: the CA's
/// disposition in words (`Issued`, a pending or denial message).
///
/// ```xml
/// <xs:element name="DispositionMessage" type="wstep:DispositionMessageType" nillable="true" />
/// <xs:complexType name="DispositionMessageType">
///   <xs:simpleContent>
///     <xs:extension base="xs:string">
///       <xs:attribute ref="xml:lang" use="optional" />
///     </xs:extension>
///   </xs:simpleContent>
/// </xs:complexType>
/// ```
///
/// The text is read with surrounding whitespace removed (the examples
/// break the line before it); nil is `text: None`.
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
#[derive(Debug, Clone, PartialEq, Eq, Default, FromXml, ToXml)]
#[xml(ns = ns::WSTEP, prefixes = crate::PREFIXES, name = "DispositionMessage")]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DispositionMessage {
    /// `xml:lang`.
    #[xml(attribute(name = "lang", ns = ns::XML), with = fields::token)]
    pub lang: Option<String>,
    /// The text, `None` when nil.
    #[xml(text, nillable, with = trimmed)]
    pub text: Option<String>,
}

impl DispositionMessage {
    /// A message with this text and no language.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            lang: None,
            text: Some(text.into()),
        }
    }

    /// Sets `xml:lang`.
    #[must_use]
    pub fn with_lang(mut self, lang: impl Into<String>) -> Self {
        self.lang = Some(lang.into());
        self
    }
}

/// The `wst:RequestedSecurityToken` element as [MS-WSTEP] 3.1.4.1.3.2
/// extends it: the issued certificate; for a pending request, a
/// `wsse:SecurityTokenReference` whose `wsse:Reference` `URI` is the CES
/// endpoint to ask again; or (in the key exchange token response,
/// [MS-WSTEP] 4.1.2.2) a `wst:KeyExchangeToken` holding the CA's exchange
/// certificate.
///
/// ```xml
/// <xs:complexType name="RequestedSecurityTokenType">
///   <xs:sequence>
///     <xs:any namespace="##any" processContents="lax" />
///   </xs:sequence>
/// </xs:complexType>
/// <!-- MS-WSTEP: wsse:BinarySecurityToken | wsse:SecurityTokenReference -->
/// ```
///
/// Other children are kept in `unknown`. Each typed child may appear
/// once; they are written in the order of the fields.
///
/// ```
/// use wstep::{RequestedSecurityToken, RequestSecurityTokenResponse};
///
/// let ces = "https://ca.example.com/CA_CES_Kerberos/service.svc/CES";
/// let r = RequestSecurityTokenResponse::new()
///     .with_requested_security_token(RequestedSecurityToken::reference(ces));
/// let again = RequestSecurityTokenResponse::from_xml(&r.to_xml().unwrap()).unwrap();
/// assert_eq!(again.token_reference().unwrap().uri, ces);
/// ```
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
#[derive(Debug, Clone, PartialEq, Eq, Default, FromXml, ToXml)]
#[xml(ns = ns::WST, prefixes = crate::PREFIXES, name = "RequestedSecurityToken")]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RequestedSecurityToken {
    /// `wsse:BinarySecurityToken`: the issued certificate.
    #[xml(ns = ns::WSSE, name = "BinarySecurityToken", with = fields::element)]
    pub binary_security_token: Option<BinarySecurityToken>,
    /// `wsse:SecurityTokenReference`: where to ask for a pending
    /// certificate (boxed: most answers have none).
    #[xml(ns = ns::WSSE, name = "SecurityTokenReference", with = fields::element)]
    pub security_token_reference: Option<Box<SecurityTokenReference>>,
    /// `wst:KeyExchangeToken`.
    #[xml(name = "KeyExchangeToken")]
    pub key_exchange_token: Option<KeyExchangeToken>,
    /// Other children, kept as read.
    #[xml(unknown)]
    pub unknown: Vec<AnyElement>,
}

impl RequestedSecurityToken {
    /// A requested token carrying `token`.
    pub fn new(token: BinarySecurityToken) -> Self {
        Self {
            binary_security_token: Some(token),
            ..Self::default()
        }
    }

    /// A requested token that refers to `uri` (the CES endpoint, for a
    /// pending request) by a `wsse:SecurityTokenReference`.
    pub fn reference(uri: impl Into<String>) -> Self {
        Self {
            security_token_reference: Some(Box::new(SecurityTokenReference::new(uri))),
            ..Self::default()
        }
    }
}

/// The `wsse:SecurityTokenReference` element ([WSS 1.0] 7.1) that
/// [MS-WSTEP] 3.1.4.1.3.2 puts in the `RequestedSecurityToken` of a
/// pending answer: a `wsse:Reference` to the CES endpoint.
///
/// ```xml
/// <xsd:complexType name="SecurityTokenReferenceType">
///   <xsd:choice minOccurs="0" maxOccurs="unbounded">
///     <xsd:any processContents="lax" />
///   </xsd:choice>
///   <xsd:attribute ref="wsu:Id" />
///   <xsd:attribute name="Usage" type="tUsage" />
///   <xsd:anyAttribute namespace="##other" processContents="lax" />
/// </xsd:complexType>
/// ```
///
/// Read leniently: a `wsse:Reference` without `URI`, and other children
/// (`wsse:KeyIdentifier`, ...), are kept in `unknown`; written strictly:
/// the reference first, with its `URI`.
///
/// [WSS 1.0]: https://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0.pdf
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SecurityTokenReference {
    /// `wsse:Reference`.
    pub reference: Option<Reference>,
    /// Other children, kept as read.
    pub unknown: Vec<AnyElement>,
}

impl SecurityTokenReference {
    /// The element name.
    pub const NAME: QName = QName::new(ns::WSSE, "SecurityTokenReference");

    /// A reference to `uri`, with no `ValueType`.
    pub fn new(uri: impl Into<String>) -> Self {
        Self {
            reference: Some(Reference::new(uri)),
            unknown: Vec::new(),
        }
    }
}

/// Read by hand: a `wsse:Reference` without `URI` is kept in `unknown`
/// rather than refused.
impl<'a> FromXml<'a> for SecurityTokenReference {
    fn matches(start: &Start<'_>) -> bool {
        start.is(Self::NAME)
    }

    fn read(r: &mut XmlReader<'a>, _start: &Start<'a>) -> Result<Self> {
        let mut v = Self::default();
        while let Some(child) = r.next_child()? {
            match child.attr(URI) {
                Some(uri) if child.is(REFERENCE) => {
                    let reference = Reference {
                        uri: collapse(uri).into_owned(),
                        value_type: child.attr(VALUE_TYPE).map(|s| collapse(s).into_owned()),
                    };
                    once(r, &mut v.reference, REFERENCE, |r| {
                        r.skip()?;
                        Ok(reference)
                    })?;
                }
                _ => v.unknown.push(r.any(&child)?),
            }
        }
        Ok(v)
    }
}

impl ToXml for SecurityTokenReference {
    fn prefixes(&self) -> soap_envelope::Prefixes {
        crate::PREFIXES
    }
    fn write(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(Self::NAME)?;
        if let Some(reference) = &self.reference {
            w.start(REFERENCE)?;
            w.attribute(URI, &reference.uri)?;
            if let Some(t) = &reference.value_type {
                w.attribute(VALUE_TYPE, t)?;
            }
            w.end()?;
        }
        for u in &self.unknown {
            u.write(w)?;
        }
        w.end()
    }
}

/// The `wsse:Reference` element ([WSS 1.0] 7.2): a direct reference by
/// `URI` (whitespace collapsed), with an optional `ValueType`.
///
/// [WSS 1.0]: https://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0.pdf
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Reference {
    /// `URI`: for MS-WSTEP, the CES endpoint.
    pub uri: String,
    /// `ValueType`.
    pub value_type: Option<String>,
}

impl Reference {
    /// A reference to `uri`, with no `ValueType`.
    pub fn new(uri: impl Into<String>) -> Self {
        Self {
            uri: uri.into(),
            value_type: None,
        }
    }

    /// Sets `ValueType`.
    #[must_use]
    pub fn with_value_type(mut self, value_type: impl Into<String>) -> Self {
        self.value_type = Some(value_type.into());
        self
    }
}

/// The `wst:KeyExchangeToken` element ([WS-Trust 1.3] 8.4), holding the
/// CA's key exchange certificate in [MS-WSTEP] 4.1.2.2.
///
/// ```xml
/// <xs:complexType name="KeyExchangeTokenType">
///   <xs:sequence>
///     <xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded" />
///   </xs:sequence>
/// </xs:complexType>
/// ```
///
/// [WS-Trust 1.3]: https://docs.oasis-open.org/ws-sx/ws-trust/200512/ws-trust-1.3-os.html
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
#[derive(Debug, Clone, PartialEq, Eq, Default, FromXml, ToXml)]
#[xml(ns = ns::WST, prefixes = crate::PREFIXES, name = "KeyExchangeToken")]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct KeyExchangeToken {
    /// `wsse:BinarySecurityToken`: the exchange certificate.
    #[xml(ns = ns::WSSE, name = "BinarySecurityToken", with = fields::element)]
    pub binary_security_token: Option<BinarySecurityToken>,
    /// Other children, kept as read.
    #[xml(unknown)]
    pub unknown: Vec<AnyElement>,
}

impl KeyExchangeToken {
    /// A key exchange token carrying `token`.
    pub fn new(token: BinarySecurityToken) -> Self {
        Self {
            binary_security_token: Some(token),
            unknown: Vec::new(),
        }
    }
}
