//! `cepces inspect`: read a message and build a [`Report`] of what it holds.
//!
//! A message is either a whole SOAP envelope or a bare payload element (the
//! Body's child, as logs often hold it). [`read`] looks at the root
//! element to tell which, reads it with `soap-envelope`, and turns the typed
//! values into a [`Report`]: plain data that [`crate::output`] renders as
//! text or JSON.
//!
//! The payload can be large (a GetPoliciesResponse with hundreds of
//! templates), so the report holds its generic tree as read, with no copy,
//! and reads its typed view later, from the input
//! ([`PayloadReport::read_view`]): the JSON output shows the tree first,
//! lets it go, then reads and shows the view, so that the tree and the
//! typed model are never held together.
//!
//! The report holds values only (expanded names, decoded text, canonical
//! dates), never prefixes, byte offsets or input sizes, so that it is the
//! same for every spelling of the same message. What it shows of an element
//! ([`Shown`]) has no field that could hold a password: the UsernameToken's
//! password is reduced to its presence and `Type`, and the text of any
//! `wsse:Password` element met elsewhere is withheld.

use soap_envelope::{
    AnyAttribute, AnyElement, AnyNode, BinarySecurityToken, Body, EndpointReference, Envelope,
    Error, ErrorKind, Fault, Header, HeaderAttrs, HeaderValue, OwnedQName, QName, ReadOptions,
    RelatesTo, Security, SoapVersion, Timestamp, UnknownHeader, UsernameToken, XmlReader,
    decode_input, ns, read_document,
};

use crate::views::{self, Reading, Recognized, Source, View, ViewError};

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
#[derive(Debug)]
pub struct Report<'i> {
    /// The kind of message.
    pub kind: MessageKind,
    /// The SOAP version of the envelope; `None` for a bare element.
    pub soap_version: Option<SoapVersion>,
    /// The envelope's header; `None` for a bare element (an envelope
    /// without a Header element has an empty one).
    pub header: Option<HeaderReport>,
    /// The payload (the Body's child, or the bare element); `None` when the
    /// Body holds a fault.
    pub payload: Option<PayloadReport<'i>>,
    /// The fault, when the Body holds one.
    pub fault: Option<FaultReport>,
}

impl Report<'_> {
    /// The views whose typed model refused its element (the payload's,
    /// once [read](PayloadReport::read_view), then the fault detail
    /// entries'), with the error: the message was read, but is not one the
    /// workspace understands.
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
    pub reference_parameters: Vec<AnyElement>,
    /// Metadata and extension elements.
    pub other: Vec<AnyElement>,
    /// The block's SOAP attributes.
    pub attrs: BlockAttrs,
}

impl From<EndpointReference> for EndpointReport {
    fn from(e: EndpointReference) -> Self {
        Self {
            attrs: (&e.attrs).into(),
            address: e.address,
            reference_parameters: e.reference_parameters,
            other: e.other,
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
    pub other: Vec<AnyElement>,
}

impl From<Security> for SecurityReport {
    fn from(s: Security) -> Self {
        Self {
            attrs: (&s.attrs).into(),
            timestamp: s.timestamp.as_ref().map(Into::into),
            username_token: s.username_token.as_ref().map(Into::into),
            binary_security_tokens: s.binary_security_tokens.iter().map(Into::into).collect(),
            other: s.other,
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
    pub element: AnyElement,
}

impl From<UnknownHeader> for UnknownReport {
    fn from(u: UnknownHeader) -> Self {
        Self {
            attrs: (&u.attrs).into(),
            // Same rule as `Header::not_understood`.
            not_understood: u.is_not_understood(),
            element: u.element,
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

impl From<Header> for HeaderReport {
    fn from(h: Header) -> Self {
        Self {
            action: h.action.as_ref().map(Into::into),
            message_id: h.message_id.as_ref().map(Into::into),
            to: h.to.as_ref().map(Into::into),
            relates_to: h.relates_to.iter().map(Into::into).collect(),
            reply_to: h.reply_to.map(Into::into),
            from: h.from.map(Into::into),
            fault_to: h.fault_to.map(Into::into),
            security: h.security.map(Into::into),
            unknown: h.unknown.into_iter().map(Into::into).collect(),
        }
    }
}

/// The payload element: its tree and, when known, what it is.
#[derive(Debug)]
pub struct PayloadReport<'i> {
    /// The element tree, as read; `None` once [let go](Self::release).
    pub element: Option<AnyElement>,
    /// What it is in protocol terms, when a view knows it, once
    /// [read](Self::read_view).
    pub view: Option<View>,
    /// What it is, recognized by name, while its typed view is not read.
    recognized: Option<Recognized>,
    /// Where it is.
    place: Place<'i>,
}

impl<'i> PayloadReport<'i> {
    /// The report of `element`, found at `place`, its view not read yet.
    fn new(element: AnyElement, place: Place<'i>) -> Self {
        Self {
            recognized: views::recognize(&element),
            element: Some(element),
            view: None,
            place,
        }
    }

    /// Lets the element tree go, once it has been shown.
    pub fn release(&mut self) {
        self.element = None;
    }

    /// Reads the typed view (once), straight from the payload in the
    /// input: the tree may have been let go. Where the typed reader refuses
    /// text between the payload's elements (a character reference to a
    /// space there, a value to the generic tree, which drops whitespace
    /// between elements however spelled, but text to the typed reader),
    /// the view is read from the tree written back, as the tree shows it;
    /// the tree is read again if it was let go.
    pub fn read_view(&mut self) {
        let Some(recognized) = self.recognized.take() else {
            return;
        };
        let reading = match self.place.read(&recognized) {
            Some(Err(e)) if matches!(e.kind(), ErrorKind::UnexpectedText) => None,
            direct => direct,
        };
        let reading = reading.unwrap_or_else(|| match &self.element {
            Some(el) => recognized.read(Source::Tree(el)),
            // Written back, the tree read again is let go before the model
            // is read.
            None => self
                .place
                .tree()
                .and_then(|el| el.to_xml())
                .and_then(|bytes| recognized.read(Source::Written(&bytes))),
        });
        self.view = Some(recognized.view(reading, self.place.at()));
    }
}

/// Where the payload is: the input, how it was read, and whether it is an
/// envelope's Body child.
#[derive(Debug, Clone, Copy)]
struct Place<'i> {
    /// The message.
    input: &'i [u8],
    /// How it was read.
    options: &'i ReadOptions,
    /// The envelope's version; `None` for a bare element.
    envelope: Option<SoapVersion>,
}

impl Place<'_> {
    /// The payload's element path in the document: that of the Body, or
    /// empty for the root.
    fn at(&self) -> &'static str {
        if self.envelope.is_some() {
            BODY_PATH
        } else {
            ""
        }
    }

    /// The payload's typed model, read by `recognized` where the payload is
    /// in the input; `None` when it cannot be reached (never: the input was
    /// read whole before).
    fn read(&self, recognized: &Recognized) -> Option<Result<Reading, Error>> {
        let text = decode_input(self.input, &self.options.limits).ok()?;
        let mut r = XmlReader::with_limits(&text, self.options.limits).ok()?;
        let mut start = r.root().ok()?;
        if let Some(version) = self.envelope {
            let body = QName::new(version.namespace(), "Body");
            loop {
                let child = r.next_child().ok()??;
                if child.is(body) {
                    break;
                }
                r.skip().ok()?;
            }
            start = r.next_child().ok()??;
        }
        Some(recognized.read(Source::Input(&mut r, &start)))
    }

    /// The payload's tree, read again.
    fn tree(&self) -> Result<AnyElement, Error> {
        if self.envelope.is_none() {
            return read_document(self.input, &self.options.limits);
        }
        match Envelope::<AnyElement>::from_xml_with(self.input, self.options)?.body {
            Body::Payload(p) => Ok(p),
            // The input was read as an envelope with a payload before.
            Body::Fault(_) => Err(Error::detached(ErrorKind::BodyChildCount(0))),
        }
    }
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
    pub element: AnyElement,
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
    pub attributes: Vec<AnyAttribute>,
    /// The detail entries, in order.
    pub entries: Vec<DetailEntry>,
}

impl From<Fault> for FaultReport {
    fn from(f: Fault) -> Self {
        Self {
            code: f.code.value.as_str(),
            subcodes: f.code.subcodes,
            reasons: f
                .reason
                .into_iter()
                .map(|r| ReasonReport {
                    lang: r.lang,
                    text: r.text,
                })
                .collect(),
            node: f.node,
            role: f.role,
            detail: f.detail.map(|d| {
                let mut attributes = d.attributes;
                attributes.sort_by(by_name);
                DetailReport {
                    attributes,
                    entries: d
                        .entries
                        .into_iter()
                        .map(|e| DetailEntry {
                            // The entries are small and kept with the
                            // fault: their views read their trees.
                            view: views::view_at(&e, DETAIL_PATH),
                            element: e,
                        })
                        .collect(),
                }
            }),
        }
    }
}

/// Attributes ordered by expanded name, then value: their order in a start
/// tag carries no meaning.
fn by_name(a: &AnyAttribute, b: &AnyAttribute) -> std::cmp::Ordering {
    (&a.name, &a.value).cmp(&(&b.name, &b.value))
}

/// The `wsse:Password` element, whose text is never reported wherever it
/// appears.
const PASSWORD: QName = QName::new(ns::WSSE, "Password");

/// An element as the report shows it: name, attributes, direct text; its
/// child elements are [`AnyElement::child_elements`], shown in turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown<'e> {
    /// The expanded name.
    pub name: &'e OwnedQName,
    /// The attributes, sorted by expanded name (namespace declarations are
    /// not attributes).
    pub attributes: Vec<&'e AnyAttribute>,
    /// The concatenated direct text, `None` when the element has none. In
    /// mixed content the text pieces are joined and their positions among
    /// the child elements are not kept.
    pub text: Option<String>,
    /// Whether the text was withheld (a `wsse:Password`).
    pub redacted: bool,
}

impl<'e> Shown<'e> {
    /// What is shown of `e` itself.
    pub fn of(e: &'e AnyElement) -> Self {
        let has_text = e.children.iter().any(|c| matches!(c, AnyNode::Text(_)));
        let redacted = has_text && e.name.is(PASSWORD);
        let mut attributes: Vec<&AnyAttribute> = e.attributes.iter().collect();
        attributes.sort_by(|a, b| by_name(a, b));
        Self {
            name: &e.name,
            attributes,
            text: (has_text && !redacted).then(|| e.text()),
            redacted,
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
/// `accept` is [`Accept::EnvelopeOnly`]) and reports what it holds. The
/// payload's typed view is not read yet: see [`PayloadReport::read_view`].
pub fn read<'i>(
    input: &'i [u8],
    options: &'i ReadOptions,
    accept: Accept,
) -> Result<Report<'i>, Error> {
    let shape = match accept {
        Accept::Any => detect(input, options)?,
        Accept::EnvelopeOnly => Shape::Envelope,
    };
    let mut place = Place {
        input,
        options,
        envelope: None,
    };
    match shape {
        Shape::Envelope => {
            let Envelope {
                version,
                header,
                body,
                ..
            } = Envelope::<AnyElement>::from_xml_with(input, options)?;
            place.envelope = Some(version);
            let (kind, payload, fault) = match body {
                Body::Payload(p) => (
                    MessageKind::EnvelopePayload,
                    Some(PayloadReport::new(p, place)),
                    None,
                ),
                Body::Fault(f) => (MessageKind::EnvelopeFault, None, Some(f.into())),
            };
            Ok(Report {
                kind,
                soap_version: Some(version),
                header: Some(header.into()),
                payload,
                fault,
            })
        }
        Shape::Bare => {
            let el: AnyElement = read_document(input, &options.limits)?;
            Ok(Report {
                kind: MessageKind::BareElement,
                soap_version: None,
                header: None,
                payload: Some(PayloadReport::new(el, place)),
                fault: None,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_text_is_withheld_anywhere() {
        let el = AnyElement::new(QName::new("urn:v", "Wrapper"))
            .with_child(AnyElement::new(PASSWORD).with_text("hunter2"));
        let s = Shown::of(el.child_elements().next().expect("child"));
        assert_eq!(s.text, None);
        assert!(s.redacted);
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    /// The payload's tree and view.
    fn payload(input: &[u8]) -> (MessageKind, Option<AnyElement>, Option<View>) {
        let opts = ReadOptions::default();
        let report = read(input, &opts, Accept::Any).expect("read");
        let mut p = report.payload.expect("payload");
        p.read_view();
        (report.kind, p.element, p.view)
    }

    #[test]
    fn bare_and_enveloped_payload_read_the_same() {
        let bare = br#"<p:Ping xmlns:p="urn:x" a="1"><p:v>t</p:v></p:Ping>"#;
        let env = br#"<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body><Ping xmlns="urn:x" a="1"><v>t</v></Ping></Body></Envelope>"#;
        let (a_kind, a_tree, a_view) = payload(bare);
        let (b_kind, b_tree, b_view) = payload(env);
        assert_eq!(a_kind, MessageKind::BareElement);
        assert_eq!(b_kind, MessageKind::EnvelopePayload);
        assert_eq!((a_tree, a_view), (b_tree, b_view));
    }

    /// A view read from the input, once its tree is let go, is the view read
    /// from the tree; an error's path is the one in the document.
    #[test]
    fn a_view_read_from_the_input_is_the_one_read_from_the_tree() {
        const XCEP: &str = "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy";
        let env = format!(
            r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header/><s:Body><GetPolicies xmlns="{XCEP}"><client><lastUpdate>not a date</lastUpdate></client></GetPolicies></s:Body></s:Envelope>"#
        );
        let opts = ReadOptions::default();
        let mut report = read(env.as_bytes(), &opts, Accept::Any).expect("read");
        let p = report.payload.as_mut().expect("payload");
        let tree = views::view_at(p.element.as_ref().expect("tree"), BODY_PATH);
        p.release();
        p.read_view();
        assert_eq!(p.view, tree);
        let e = p
            .view
            .as_ref()
            .and_then(|v| v.error.as_ref())
            .expect("error");
        assert!(
            e.path.starts_with("/Envelope/Body/GetPolicies/client/"),
            "{}",
            e.path
        );
    }

    /// A character reference to a space between elements is whitespace to
    /// the tree, text to the typed reader: the view is read from the tree,
    /// as for a literal space.
    #[test]
    fn whitespace_written_as_a_reference_between_elements_is_whitespace() {
        const XCEP: &str = "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy";
        let doc = |sep: &str| {
            format!(
                r#"<GetPoliciesResponse xmlns="{XCEP}">{sep}<response>{sep}<policyID>p</policyID>{sep}</response></GetPoliciesResponse>"#
            )
        };
        let (_, _, literal) = payload(doc(" ").as_bytes());
        let (_, _, reference) = payload(doc("&#32;").as_bytes());
        assert!(literal.as_ref().is_some_and(|v| v.model.is_some()));
        assert_eq!(literal, reference);
    }

    #[test]
    fn envelope_only_refuses_bare_elements() {
        let err = read(b"<a/>", &ReadOptions::default(), Accept::EnvelopeOnly)
            .expect_err("not an envelope");
        assert_eq!(err.kind_name(), "not-an-envelope");
    }
}
