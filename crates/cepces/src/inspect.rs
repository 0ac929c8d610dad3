//! `cepces inspect`: read a message and build a [`Report`] of what it holds.
//!
//! A message is either a whole SOAP envelope or a bare payload element (the
//! Body's child, as logs often hold it). [`inspect`] looks at the root
//! element to tell which, reads it with `soap-envelope`, and turns the typed
//! values into a [`Report`]: plain data that [`crate::output`] renders as
//! text or JSON.
//!
//! The report holds values only (expanded names, decoded text, canonical
//! dates), never prefixes, byte offsets or input sizes, so that it is the
//! same for every spelling of the same message. It has no field that could
//! hold a password: the UsernameToken's password is reduced to its presence
//! and `Type`, and the text of any `wsse:Password` element met elsewhere is
//! dropped.

use soap_envelope::{
    AnyAttribute, AnyElement, AnyNode, BinarySecurityToken, Body, EndpointReference, Envelope,
    Error, Fault, Header, HeaderAttrs, HeaderValue, OwnedQName, QName, ReadOptions, RelatesTo,
    Security, SoapVersion, Timestamp, UnknownHeader, UsernameToken, XmlReader, decode_input, ns,
    read_document,
};

use crate::views::{self, View, ViewError};

/// The element path of the Body's child in an envelope.
const BODY_PATH: &str = "/Envelope/Body";
/// The element path of a fault's detail entries.
const DETAIL_PATH: &str = "/Envelope/Body/Fault/Detail";

/// The local name that makes a root element read as an envelope.
const ENVELOPE: &str = "Envelope";

/// What kind of message was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// A SOAP envelope whose Body holds a payload element.
    EnvelopePayload,
    /// A SOAP envelope whose Body holds a Fault.
    EnvelopeFault,
    /// A bare element: the document's root is the payload itself.
    BareElement,
}

impl MessageKind {
    /// The stable machine-readable name (`envelope-payload`, ...).
    pub fn name(self) -> &'static str {
        match self {
            MessageKind::EnvelopePayload => "envelope-payload",
            MessageKind::EnvelopeFault => "envelope-fault",
            MessageKind::BareElement => "bare-element",
        }
    }

    /// A short description for people.
    pub fn describe(self) -> &'static str {
        match self {
            MessageKind::EnvelopePayload => "envelope with payload",
            MessageKind::EnvelopeFault => "envelope with fault",
            MessageKind::BareElement => "bare element (no envelope)",
        }
    }
}

/// Everything `inspect` found in a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The kind of message.
    pub kind: MessageKind,
    /// The SOAP version of the envelope; `None` for a bare element.
    pub soap_version: Option<SoapVersion>,
    /// The envelope's header; `None` for a bare element (an envelope
    /// without a Header element has an empty one).
    pub header: Option<HeaderReport>,
    /// The payload (the Body's child, or the bare element); `None` when the
    /// Body holds a fault.
    pub payload: Option<PayloadReport>,
    /// The fault, when the Body holds one.
    pub fault: Option<FaultReport>,
}

impl Report {
    /// The views whose typed model refused its element (the payload's,
    /// then the fault detail entries'), with the error: the message was
    /// read, but is not one the workspace understands.
    pub fn typed_errors(&self) -> Vec<(&View, &ViewError)> {
        let payload = self.payload.iter().filter_map(|p| p.view.as_ref());
        let details = self
            .fault
            .iter()
            .filter_map(|f| f.detail.as_ref())
            .flat_map(|d| d.entries.iter().filter_map(|e| e.view.as_ref()));
        payload
            .chain(details)
            .filter_map(|v| v.error.as_ref().map(|e| (v, e)))
            .collect()
    }
}

/// The SOAP attributes of a header block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BlockAttrs {
    /// `mustUnderstand`.
    pub must_understand: bool,
    /// `role` (or SOAP 1.1 `actor`), `None` for the ultimate receiver.
    pub role: Option<String>,
    /// `relay`.
    pub relay: bool,
}

impl From<&HeaderAttrs> for BlockAttrs {
    fn from(a: &HeaderAttrs) -> Self {
        Self {
            must_understand: a.must_understand,
            role: a.role.clone(),
            relay: a.relay,
        }
    }
}

/// A URI-valued WS-Addressing header (`Action`, `MessageID`, `To`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriHeader {
    /// The value (whitespace collapsed).
    pub value: String,
    /// The block's SOAP attributes.
    pub attrs: BlockAttrs,
}

impl From<&HeaderValue> for UriHeader {
    fn from(v: &HeaderValue) -> Self {
        Self {
            value: v.value.clone(),
            attrs: (&v.attrs).into(),
        }
    }
}

/// A `wsa:RelatesTo` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatesToReport {
    /// The related message's MessageID.
    pub value: String,
    /// `RelationshipType`; `None` means a reply.
    pub relationship_type: Option<String>,
    /// The block's SOAP attributes.
    pub attrs: BlockAttrs,
}

impl From<&RelatesTo> for RelatesToReport {
    fn from(v: &RelatesTo) -> Self {
        Self {
            value: v.value.clone(),
            relationship_type: v.relationship_type.clone(),
            attrs: (&v.attrs).into(),
        }
    }
}

/// An endpoint reference header (`ReplyTo`, `From`, `FaultTo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointReport {
    /// `wsa:Address`.
    pub address: String,
    /// The reference parameters.
    pub reference_parameters: Vec<ElementSummary>,
    /// Metadata and extension elements.
    pub other: Vec<ElementSummary>,
    /// The block's SOAP attributes.
    pub attrs: BlockAttrs,
}

impl From<&EndpointReference> for EndpointReport {
    fn from(e: &EndpointReference) -> Self {
        Self {
            address: e.address.clone(),
            reference_parameters: e
                .reference_parameters
                .iter()
                .map(ElementSummary::of)
                .collect(),
            other: e.other.iter().map(ElementSummary::of).collect(),
            attrs: (&e.attrs).into(),
        }
    }
}

/// `wsu:Timestamp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampReport {
    /// `wsu:Id`.
    pub id: Option<String>,
    /// `Created`, in canonical `xs:dateTime` form.
    pub created: Option<String>,
    /// `Expires`, in canonical `xs:dateTime` form.
    pub expires: Option<String>,
    /// `Expires` minus `Created`, in seconds, when both are present.
    pub lifetime_secs: Option<i64>,
}

impl From<&Timestamp> for TimestampReport {
    fn from(t: &Timestamp) -> Self {
        Self {
            id: t.id.clone(),
            created: t.created.map(|d| d.to_string()),
            expires: t.expires.map(|d| d.to_string()),
            lifetime_secs: match (t.created, t.expires) {
                (Some(c), Some(e)) => Some(e.to_unix() - c.to_unix()),
                _ => None,
            },
        }
    }
}

/// `wsse:UsernameToken`, without its password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsernameReport {
    /// `wsu:Id`.
    pub id: Option<String>,
    /// The user name.
    pub username: String,
    /// Whether a `Password` element is present.
    pub password_present: bool,
    /// The password's `Type` (`None` when absent or not given, which
    /// means text).
    pub password_type: Option<String>,
    /// Whether a `Nonce` is present.
    pub nonce_present: bool,
    /// `wsu:Created`, canonical.
    pub created: Option<String>,
}

impl From<&UsernameToken> for UsernameReport {
    fn from(t: &UsernameToken) -> Self {
        Self {
            id: t.id.clone(),
            username: t.username.clone(),
            password_present: t.password.is_some(),
            password_type: t.password.as_ref().and_then(|p| p.password_type.clone()),
            nonce_present: t.nonce.is_some(),
            created: t.created.map(|d| d.to_string()),
        }
    }
}

/// `wsse:BinarySecurityToken`, without its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenReport {
    /// `wsu:Id`.
    pub id: Option<String>,
    /// `ValueType`.
    pub value_type: Option<String>,
    /// `EncodingType`.
    pub encoding_type: Option<String>,
    /// The decoded length in bytes, `None` when the text is not base64.
    pub decoded_len: Option<usize>,
}

impl From<&BinarySecurityToken> for TokenReport {
    fn from(t: &BinarySecurityToken) -> Self {
        Self {
            id: t.id.clone(),
            value_type: t.value_type.clone(),
            encoding_type: t.encoding_type.clone(),
            decoded_len: t.decode().ok().map(|b| b.len()),
        }
    }
}

/// The `wsse:Security` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityReport {
    /// The block's SOAP attributes.
    pub attrs: BlockAttrs,
    /// `wsu:Timestamp`.
    pub timestamp: Option<TimestampReport>,
    /// `wsse:UsernameToken`.
    pub username_token: Option<UsernameReport>,
    /// `wsse:BinarySecurityToken`s.
    pub binary_security_tokens: Vec<TokenReport>,
    /// Other children (a `ds:Signature`, ...).
    pub other: Vec<ElementSummary>,
}

impl From<&Security> for SecurityReport {
    fn from(s: &Security) -> Self {
        Self {
            attrs: (&s.attrs).into(),
            timestamp: s.timestamp.as_ref().map(Into::into),
            username_token: s.username_token.as_ref().map(Into::into),
            binary_security_tokens: s.binary_security_tokens.iter().map(Into::into).collect(),
            other: s.other.iter().map(ElementSummary::of).collect(),
        }
    }
}

/// A header block `soap-envelope` does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownReport {
    /// The block's SOAP attributes.
    pub attrs: BlockAttrs,
    /// Whether the block is `mustUnderstand` and targets the ultimate
    /// receiver: a SOAP receiver that does not know it must answer a
    /// `MustUnderstand` fault ([SOAP 1.2 Part 1] 5.2.3).
    ///
    /// [SOAP 1.2 Part 1]: https://www.w3.org/TR/soap12-part1/#soapmu
    pub not_understood: bool,
    /// The block.
    pub element: ElementSummary,
}

impl From<&UnknownHeader> for UnknownReport {
    fn from(u: &UnknownHeader) -> Self {
        Self {
            attrs: (&u.attrs).into(),
            // Same rule as `Header::not_understood`.
            not_understood: u.is_not_understood(),
            element: ElementSummary::of(&u.element),
        }
    }
}

/// The header blocks of an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderReport {
    /// `wsa:Action`.
    pub action: Option<UriHeader>,
    /// `wsa:MessageID`.
    pub message_id: Option<UriHeader>,
    /// `wsa:To`.
    pub to: Option<UriHeader>,
    /// `wsa:RelatesTo`s.
    pub relates_to: Vec<RelatesToReport>,
    /// `wsa:ReplyTo`.
    pub reply_to: Option<EndpointReport>,
    /// `wsa:From`.
    pub from: Option<EndpointReport>,
    /// `wsa:FaultTo`.
    pub fault_to: Option<EndpointReport>,
    /// `wsse:Security`.
    pub security: Option<SecurityReport>,
    /// Other blocks, in document order.
    pub unknown: Vec<UnknownReport>,
}

impl From<&Header> for HeaderReport {
    fn from(h: &Header) -> Self {
        Self {
            action: h.action.as_ref().map(Into::into),
            message_id: h.message_id.as_ref().map(Into::into),
            to: h.to.as_ref().map(Into::into),
            relates_to: h.relates_to.iter().map(Into::into).collect(),
            reply_to: h.reply_to.as_ref().map(Into::into),
            from: h.from.as_ref().map(Into::into),
            fault_to: h.fault_to.as_ref().map(Into::into),
            security: h.security.as_ref().map(Into::into),
            unknown: h.unknown.iter().map(Into::into).collect(),
        }
    }
}

/// The payload element: its tree and, when known, what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadReport {
    /// The element tree.
    pub element: ElementSummary,
    /// What it is in protocol terms, when a view knows it.
    pub view: Option<View>,
}

/// One `Reason/Text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonReport {
    /// `xml:lang`.
    pub lang: String,
    /// The text.
    pub text: String,
}

/// A detail entry with its view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailEntry {
    /// The entry's tree.
    pub element: ElementSummary,
    /// What it is, when a view knows it.
    pub view: Option<View>,
}

/// A SOAP Fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultReport {
    /// `Code/Value`: its local name in the SOAP 1.2 namespace (`Sender`,
    /// `Receiver`, ...). A SOAP 1.1 fault's code is mapped to it.
    pub code: &'static str,
    /// The subcodes, outermost first.
    pub subcodes: Vec<OwnedQName>,
    /// The reason texts.
    pub reasons: Vec<ReasonReport>,
    /// `Node`.
    pub node: Option<String>,
    /// `Role`.
    pub role: Option<String>,
    /// `Detail`, when present.
    pub detail: Option<DetailReport>,
}

/// A fault's `Detail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailReport {
    /// The attributes of `Detail`, sorted by expanded name.
    pub attributes: Vec<AttributeSummary>,
    /// The detail entries, in order.
    pub entries: Vec<DetailEntry>,
}

impl From<&Fault> for FaultReport {
    fn from(f: &Fault) -> Self {
        Self {
            code: f.code.value.as_str(),
            subcodes: f.code.subcodes.clone(),
            reasons: f
                .reason
                .iter()
                .map(|r| ReasonReport {
                    lang: r.lang.clone(),
                    text: r.text.clone(),
                })
                .collect(),
            node: f.node.clone(),
            role: f.role.clone(),
            detail: f.detail.as_ref().map(|d| DetailReport {
                attributes: AttributeSummary::sorted(&d.attributes),
                entries: d
                    .entries
                    .iter()
                    .map(|e| DetailEntry {
                        element: ElementSummary::of(e),
                        view: views::view_at(e, DETAIL_PATH),
                    })
                    .collect(),
            }),
        }
    }
}

/// An attribute by expanded name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AttributeSummary {
    /// The attribute's expanded name.
    pub name: OwnedQName,
    /// Its normalized value.
    pub value: String,
}

impl AttributeSummary {
    /// The attributes sorted by expanded name: their order in a start tag
    /// carries no meaning.
    fn sorted(attrs: &[AnyAttribute]) -> Vec<Self> {
        let mut v: Vec<Self> = attrs
            .iter()
            .map(|a| Self {
                name: a.name.clone(),
                value: a.value.clone(),
            })
            .collect();
        v.sort();
        v
    }
}

/// The `wsse:Password` element, whose text is never reported wherever it
/// appears.
const PASSWORD: QName = QName::new(ns::WSSE, "Password");

/// An element tree, summarized: name, attributes, direct text and child
/// elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementSummary {
    /// The expanded name.
    pub name: OwnedQName,
    /// The attributes, sorted by expanded name (namespace declarations are
    /// not attributes).
    pub attributes: Vec<AttributeSummary>,
    /// The concatenated direct text, `None` when the element has none. In
    /// mixed content the text pieces are joined and their positions among
    /// the child elements are not kept.
    pub text: Option<String>,
    /// Whether the text was withheld (a `wsse:Password`).
    pub redacted: bool,
    /// The child elements, in order.
    pub children: Vec<ElementSummary>,
}

impl ElementSummary {
    /// Summarizes `e` and its subtree.
    pub fn of(e: &AnyElement) -> Self {
        let has_text = e.children.iter().any(|c| matches!(c, AnyNode::Text(_)));
        let redacted = has_text && e.name.is(PASSWORD);
        Self {
            name: e.name.clone(),
            attributes: AttributeSummary::sorted(&e.attributes),
            text: (has_text && !redacted).then(|| e.text()),
            redacted,
            children: e.child_elements().map(Self::of).collect(),
        }
    }
}

/// Whether the document's root element is to be read as an envelope, or
/// as a bare payload element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// The root is named `Envelope`.
    Envelope,
    /// Any other root.
    Bare,
}

/// Looks at the root element only. A root named `Envelope` is read as an
/// envelope whatever its namespace, so that a SOAP 1.1 (or otherwise
/// foreign) envelope is reported as a version mismatch rather than shown as
/// a bare element; so is any root in a SOAP envelope namespace (`envelope`
/// in lower case, a bare `Fault` or `Body`), which is a broken envelope,
/// not a payload. Roots in other namespaces (a bare `GetPoliciesResponse`)
/// are bare elements.
fn detect(input: &[u8], options: &ReadOptions) -> Result<Shape, Error> {
    let text = decode_input(input, &options.limits)?;
    let mut r = XmlReader::with_limits(&text, options.limits)?;
    let root = r.root()?;
    Ok(
        if root.local() == ENVELOPE || matches!(root.ns(), Some(ns::SOAP12 | ns::SOAP11)) {
            Shape::Envelope
        } else {
            Shape::Bare
        },
    )
}

/// Whether a bare element is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accept {
    /// A whole envelope or a bare payload element.
    Any,
    /// A whole envelope only: any other root is a `not-an-envelope` error.
    EnvelopeOnly,
}

/// Reads `input` (a whole envelope, or a bare payload element unless
/// `accept` is [`Accept::EnvelopeOnly`]) and reports what it holds.
pub fn inspect(input: &[u8], options: &ReadOptions, accept: Accept) -> Result<Report, Error> {
    let shape = match accept {
        Accept::Any => detect(input, options)?,
        Accept::EnvelopeOnly => Shape::Envelope,
    };
    match shape {
        Shape::Envelope => {
            let env = Envelope::<AnyElement>::from_xml_with(input, options)?;
            Ok(report_envelope(&env))
        }
        Shape::Bare => {
            let el: AnyElement = read_document(input, &options.limits)?;
            Ok(Report {
                kind: MessageKind::BareElement,
                soap_version: None,
                header: None,
                payload: Some(payload(&el, "")),
                fault: None,
            })
        }
    }
}

/// The payload report of `el`, found at element path `at`: its tree and
/// its view.
fn payload(el: &AnyElement, at: &str) -> PayloadReport {
    PayloadReport {
        element: ElementSummary::of(el),
        view: views::view_at(el, at),
    }
}

/// The report of a whole envelope.
fn report_envelope(env: &Envelope<AnyElement>) -> Report {
    let (kind, payload, fault) = match &env.body {
        Body::Payload(p) => (
            MessageKind::EnvelopePayload,
            Some(payload(p, BODY_PATH)),
            None,
        ),
        Body::Fault(f) => (MessageKind::EnvelopeFault, None, Some(f.into())),
    };
    Report {
        kind,
        soap_version: Some(env.version),
        header: Some((&env.header).into()),
        payload,
        fault,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_text_is_withheld_anywhere() {
        let el = AnyElement::new(QName::new("urn:v", "Wrapper"))
            .with_child(AnyElement::new(PASSWORD).with_text("hunter2"));
        let s = ElementSummary::of(&el);
        assert_eq!(s.children[0].text, None);
        assert!(s.children[0].redacted);
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn bare_and_enveloped_payload_read_the_same() {
        let bare = br#"<p:Ping xmlns:p="urn:x" a="1"><p:v>t</p:v></p:Ping>"#;
        let env = br#"<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body><Ping xmlns="urn:x" a="1"><v>t</v></Ping></Body></Envelope>"#;
        let opts = ReadOptions::default();
        let a = inspect(bare, &opts, Accept::Any).expect("bare");
        let b = inspect(env, &opts, Accept::Any).expect("envelope");
        assert_eq!(a.kind, MessageKind::BareElement);
        assert_eq!(b.kind, MessageKind::EnvelopePayload);
        assert_eq!(a.payload, b.payload);
    }

    #[test]
    fn envelope_only_refuses_bare_elements() {
        let err = inspect(b"<a/>", &ReadOptions::default(), Accept::EnvelopeOnly)
            .expect_err("not an envelope");
        assert_eq!(err.kind_name(), "not-an-envelope");
    }
}
