//! The SOAP 1.2 Header: known blocks (WS-Addressing, WS-Security) and the
//! blocks this crate does not know, kept with their `mustUnderstand` value.

use crate::addressing::{EndpointReference, HeaderValue, RELATES_TO, RelatesTo};
use crate::any::AnyElement;
use crate::error::{ErrorKind, Result};
use crate::name::QName;
use crate::ns;
use crate::reader::XmlReader;
use crate::security::Security;
use crate::traits::ToXml;
use crate::writer::XmlWriter;

pub use crate::header_attrs::{
    HeaderAttrs, ROLE_NEXT, ROLE_NONE, ROLE_ULTIMATE_RECEIVER, SOAP11_ACTOR_NEXT,
};

/// A header block this crate does not know, kept whole.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnknownHeader {
    /// The block's SOAP attributes.
    pub attrs: HeaderAttrs,
    /// The block itself (its SOAP attributes are also in
    /// `element.attributes`).
    pub element: AnyElement,
}

impl UnknownHeader {
    /// The block `element` with its SOAP attributes `attrs`.
    pub fn new(attrs: HeaderAttrs, element: AnyElement) -> Self {
        Self { attrs, element }
    }

    /// Whether this block is marked `mustUnderstand` and targets the
    /// ultimate receiver, so that a receiver that does not know it must
    /// answer a `MustUnderstand` fault ([SOAP 1.2 Part 1] 5.2.3).
    ///
    /// [SOAP 1.2 Part 1]: https://www.w3.org/TR/soap12-part1/#soapmu
    pub fn is_not_understood(&self) -> bool {
        self.attrs.must_understand && self.attrs.targets_ultimate_receiver()
    }
}

/// The SOAP Header ([SOAP 1.2 Part 1] 5.2) with the blocks CEP, CES and
/// Windows MDM enrollment use: WS-Addressing 1.0 message addressing
/// properties ([WS-Addressing Core] 3) and the WS-Security 1.0 `Security`
/// header ([WSS 1.0] 5).
///
/// ```
/// use soap_envelope::Header;
///
/// let h = Header::new()
///     .with_action("http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies")
///     .with_message_id("urn:uuid:5fb5f6fd-4709-414b-8afa-0c05f6686d1c")
///     .with_to("https://cep.example.com/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP");
/// assert!(h.action.as_ref().unwrap().attrs.must_understand);
/// assert_eq!(h.action(), Some("http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies"));
/// ```
///
/// [SOAP 1.2 Part 1]: https://www.w3.org/TR/soap12-part1/#soapheader
/// [WS-Addressing Core]: https://www.w3.org/TR/ws-addr-core/#msgaddrprops
/// [WSS 1.0]: https://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0.pdf
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Header {
    /// `wsa:Action`.
    pub action: Option<HeaderValue>,
    /// `wsa:MessageID`.
    pub message_id: Option<HeaderValue>,
    /// `wsa:RelatesTo` (zero or more).
    pub relates_to: Vec<RelatesTo>,
    /// `wsa:To`.
    pub to: Option<HeaderValue>,
    /// `wsa:ReplyTo`.
    pub reply_to: Option<EndpointReference>,
    /// `wsa:From`.
    pub from: Option<EndpointReference>,
    /// `wsa:FaultTo`.
    pub fault_to: Option<EndpointReference>,
    /// `wsse:Security`.
    pub security: Option<Security>,
    /// Every other header block, in document order.
    pub unknown: Vec<UnknownHeader>,
}

pub(crate) const ACTION: QName = QName::new(ns::WSA, "Action");
pub(crate) const MESSAGE_ID: QName = QName::new(ns::WSA, "MessageID");
pub(crate) const TO: QName = QName::new(ns::WSA, "To");
pub(crate) const REPLY_TO: QName = QName::new(ns::WSA, "ReplyTo");
pub(crate) const FROM: QName = QName::new(ns::WSA, "From");
pub(crate) const FAULT_TO: QName = QName::new(ns::WSA, "FaultTo");

fn set_once<T>(r: &XmlReader<'_>, slot: &mut Option<T>, name: QName, v: T) -> Result<()> {
    if slot.is_some() {
        return Err(r.error(ErrorKind::DuplicateElement(name.to_owned_name())));
    }
    *slot = Some(v);
    Ok(())
}

impl Header {
    /// An empty header.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `wsa:Action` with `mustUnderstand="1"`.
    #[must_use]
    pub fn with_action(mut self, action: impl Into<String>) -> Self {
        self.action = Some(HeaderValue::must_understand(action));
        self
    }

    /// Sets `wsa:MessageID`.
    #[must_use]
    pub fn with_message_id(mut self, id: impl Into<String>) -> Self {
        self.message_id = Some(HeaderValue::new(id));
        self
    }

    /// Sets `wsa:To` with `mustUnderstand="1"`.
    #[must_use]
    pub fn with_to(mut self, to: impl Into<String>) -> Self {
        self.to = Some(HeaderValue::must_understand(to));
        self
    }

    /// Adds a `wsa:RelatesTo` (a reply's link to its request).
    #[must_use]
    pub fn with_relates_to(mut self, id: impl Into<String>) -> Self {
        self.relates_to.push(RelatesTo::reply(id));
        self
    }

    /// Sets `wsa:ReplyTo` to the anonymous address (reply on the same
    /// connection), as Windows clients send.
    #[must_use]
    pub fn with_reply_to_anonymous(mut self) -> Self {
        self.reply_to = Some(EndpointReference::anonymous());
        self
    }

    /// Sets the `wsse:Security` header.
    #[must_use]
    pub fn with_security(mut self, security: Security) -> Self {
        self.security = Some(security);
        self
    }

    /// The Action URI, if present.
    pub fn action(&self) -> Option<&str> {
        self.action.as_ref().map(|a| a.value.as_str())
    }

    /// The MessageID, if present.
    pub fn message_id(&self) -> Option<&str> {
        self.message_id.as_ref().map(|a| a.value.as_str())
    }

    /// The To URI, if present.
    pub fn to(&self) -> Option<&str> {
        self.to.as_ref().map(|a| a.value.as_str())
    }

    /// Whether the header has no block at all.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The unknown blocks marked `mustUnderstand` that target the ultimate
    /// receiver: a receiver must answer a `MustUnderstand` fault when this is
    /// not empty ([SOAP 1.2 Part 1] 5.2.3).
    ///
    /// [SOAP 1.2 Part 1]: https://www.w3.org/TR/soap12-part1/#soapmu
    pub fn not_understood(&self) -> impl Iterator<Item = &UnknownHeader> {
        self.unknown.iter().filter(|h| h.is_not_understood())
    }

    /// Reads the Header element's content (its start tag already read).
    pub fn read(r: &mut XmlReader<'_>, env_ns: &'static str) -> Result<Self> {
        let mut h = Header::default();
        while let Some(child) = r.next_child()? {
            let attrs = HeaderAttrs::read(r, &child, env_ns)?;
            if child.is(ACTION) {
                let v = HeaderValue::read(r, &child, attrs)?;
                set_once(r, &mut h.action, ACTION, v)?;
            } else if child.is(MESSAGE_ID) {
                let v = HeaderValue::read(r, &child, attrs)?;
                set_once(r, &mut h.message_id, MESSAGE_ID, v)?;
            } else if child.is(TO) {
                let v = HeaderValue::read(r, &child, attrs)?;
                set_once(r, &mut h.to, TO, v)?;
            } else if child.is(RELATES_TO) {
                h.relates_to.push(RelatesTo::read(r, &child, attrs)?);
            } else if child.is(REPLY_TO) {
                let v = EndpointReference::read(r, &child, attrs)?;
                set_once(r, &mut h.reply_to, REPLY_TO, v)?;
            } else if child.is(FROM) {
                let v = EndpointReference::read(r, &child, attrs)?;
                set_once(r, &mut h.from, FROM, v)?;
            } else if child.is(FAULT_TO) {
                let v = EndpointReference::read(r, &child, attrs)?;
                set_once(r, &mut h.fault_to, FAULT_TO, v)?;
            } else if Security::matches(&child) {
                let v = Security::read(r, &child, attrs)?;
                set_once(r, &mut h.security, crate::security::SECURITY, v)?;
            } else {
                let element = r.any(&child)?;
                h.unknown.push(UnknownHeader { attrs, element });
            }
        }
        Ok(h)
    }

    /// Writes the Header element (nothing when empty).
    pub fn write(&self, w: &mut XmlWriter) -> Result<()> {
        if self.is_empty() {
            return Ok(());
        }
        w.start(QName::new(ns::SOAP12, "Header"))?;
        if let Some(v) = &self.action {
            v.write(w, ACTION)?;
        }
        if let Some(v) = &self.message_id {
            v.write(w, MESSAGE_ID)?;
        }
        for v in &self.relates_to {
            v.write(w)?;
        }
        if let Some(v) = &self.reply_to {
            v.write(w, REPLY_TO)?;
        }
        if let Some(v) = &self.from {
            v.write(w, FROM)?;
        }
        if let Some(v) = &self.fault_to {
            v.write(w, FAULT_TO)?;
        }
        if let Some(v) = &self.to {
            v.write(w, TO)?;
        }
        if let Some(s) = &self.security {
            s.write(w)?;
        }
        for u in &self.unknown {
            u.element.write(w)?;
        }
        w.end()
    }
}
