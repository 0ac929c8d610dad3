//! WS-Addressing 1.0 message addressing properties ([WS-Addressing Core] 3).
//!
//! [WS-Addressing Core]: https://www.w3.org/TR/ws-addr-core/

use crate::any::AnyElement;
use crate::error::{ErrorKind, Result};
use crate::header_attrs::HeaderAttrs;
use crate::name::QName;
use crate::ns;
use crate::reader::{Start, XmlReader};
use crate::traits::ToXml;
use crate::writer::XmlWriter;
use crate::xsd::collapse;

/// `wsa:RelatesTo`.
pub(crate) const RELATES_TO: QName = QName::new(ns::WSA, "RelatesTo");

/// The anonymous address: reply on the same connection
/// ([WS-Addressing Core] 2.1).
///
/// [WS-Addressing Core]: https://www.w3.org/TR/ws-addr-core/#predefaddr
pub const ANONYMOUS: &str = "http://www.w3.org/2005/08/addressing/anonymous";
/// The `Reply` relationship of `RelatesTo`, the default.
pub const RELATIONSHIP_REPLY: &str = "http://www.w3.org/2005/08/addressing/reply";
/// The Action a WCF server (and so AD CS) puts on a generic fault.
pub const WCF_FAULT_ACTION: &str =
    "http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher/fault";
/// The WS-Addressing fault Action ([WS-Addressing SOAP Binding] 6).
///
/// [WS-Addressing SOAP Binding]: https://www.w3.org/TR/ws-addr-soap/#faults
pub const WSA_FAULT_ACTION: &str = "http://www.w3.org/2005/08/addressing/fault";

/// A URI-valued header block: `wsa:Action`, `wsa:To` or `wsa:MessageID`
/// (`AttributedURIType`).
///
/// The value is read with the anyURI whitespace rule (collapsed), since
/// Windows and the spec examples put it on a line of its own.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct HeaderValue {
    /// The URI.
    pub value: String,
    /// The SOAP header block attributes.
    pub attrs: HeaderAttrs,
}

impl HeaderValue {
    /// A value with no SOAP attributes.
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            attrs: HeaderAttrs::default(),
        }
    }

    /// A value with `mustUnderstand="1"`.
    pub fn must_understand(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            attrs: HeaderAttrs::must_understand(),
        }
    }

    pub(crate) fn read(
        r: &mut XmlReader<'_>,
        _start: &Start<'_>,
        attrs: HeaderAttrs,
    ) -> Result<Self> {
        let text = r.text()?;
        Ok(Self {
            value: collapse(&text).into_owned(),
            attrs,
        })
    }

    pub(crate) fn write(&self, w: &mut XmlWriter, name: QName) -> Result<()> {
        w.start(name)?;
        self.attrs.write(w)?;
        w.text(&self.value)?;
        w.end()
    }
}

/// `wsa:RelatesTo`: the MessageID of a related message, with its
/// relationship (a reply when absent).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct RelatesTo {
    /// The related message's MessageID.
    pub value: String,
    /// `RelationshipType`, `None` for the default (reply).
    pub relationship_type: Option<String>,
    /// The SOAP header block attributes.
    pub attrs: HeaderAttrs,
}

impl RelatesTo {
    /// A reply to message `id`.
    pub fn reply(id: impl Into<String>) -> Self {
        Self {
            value: id.into(),
            ..Self::default()
        }
    }

    /// Sets `RelationshipType` (another relationship than a reply).
    #[must_use]
    pub fn with_relationship_type(mut self, uri: impl Into<String>) -> Self {
        self.relationship_type = Some(uri.into());
        self
    }

    pub(crate) fn read(
        r: &mut XmlReader<'_>,
        start: &Start<'_>,
        attrs: HeaderAttrs,
    ) -> Result<Self> {
        let relationship_type = start
            .attr(QName::new("", "RelationshipType"))
            .map(|s| collapse(s).into_owned());
        let text = r.text()?;
        Ok(Self {
            value: collapse(&text).into_owned(),
            relationship_type,
            attrs,
        })
    }

    pub(crate) fn write(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(RELATES_TO)?;
        self.attrs.write(w)?;
        if let Some(t) = &self.relationship_type {
            w.attribute(QName::new("", "RelationshipType"), t)?;
        }
        w.text(&self.value)?;
        w.end()
    }
}

/// An endpoint reference (`wsa:ReplyTo`, `wsa:From`, `wsa:FaultTo`):
/// an Address plus optional reference parameters and metadata, kept as read
/// ([WS-Addressing Core] 2.2).
///
/// [WS-Addressing Core]: https://www.w3.org/TR/ws-addr-core/#eprinfoset
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct EndpointReference {
    /// `wsa:Address`.
    pub address: String,
    /// The children of `wsa:ReferenceParameters`.
    pub reference_parameters: Vec<AnyElement>,
    /// `wsa:Metadata` and extension elements, as read.
    pub other: Vec<AnyElement>,
    /// The SOAP header block attributes.
    pub attrs: HeaderAttrs,
}

const ADDRESS: QName = QName::new(ns::WSA, "Address");
const REFERENCE_PARAMETERS: QName = QName::new(ns::WSA, "ReferenceParameters");

impl EndpointReference {
    /// The anonymous endpoint.
    pub fn anonymous() -> Self {
        Self::new(ANONYMOUS)
    }

    /// The endpoint at `address`.
    pub fn new(address: impl Into<String>) -> Self {
        Self {
            address: address.into(),
            ..Self::default()
        }
    }

    /// Adds a child of `wsa:ReferenceParameters`.
    #[must_use]
    pub fn with_reference_parameter(mut self, parameter: AnyElement) -> Self {
        self.reference_parameters.push(parameter);
        self
    }

    pub(crate) fn read(
        r: &mut XmlReader<'_>,
        _start: &Start<'_>,
        attrs: HeaderAttrs,
    ) -> Result<Self> {
        let mut address = None;
        let mut reference_parameters = Vec::new();
        let mut other = Vec::new();
        while let Some(child) = r.next_child()? {
            if child.is(ADDRESS) {
                if address.is_some() {
                    return Err(r.error(ErrorKind::DuplicateElement(ADDRESS.to_owned_name())));
                }
                address = Some(collapse(&r.text()?).into_owned());
            } else if child.is(REFERENCE_PARAMETERS) {
                while let Some(p) = r.next_child()? {
                    reference_parameters.push(r.any(&p)?);
                }
            } else {
                other.push(r.any(&child)?);
            }
        }
        let address =
            address.ok_or_else(|| r.error(ErrorKind::MissingElement(ADDRESS.to_owned_name())))?;
        Ok(Self {
            address,
            reference_parameters,
            other,
            attrs,
        })
    }

    pub(crate) fn write(&self, w: &mut XmlWriter, name: QName) -> Result<()> {
        w.start(name)?;
        self.attrs.write(w)?;
        w.text_element(ADDRESS, &self.address)?;
        if !self.reference_parameters.is_empty() {
            w.start(REFERENCE_PARAMETERS)?;
            for p in &self.reference_parameters {
                p.write(w)?;
            }
            w.end()?;
        }
        for o in &self.other {
            o.write(w)?;
        }
        w.end()
    }
}
