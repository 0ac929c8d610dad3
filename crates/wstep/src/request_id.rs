//! [`RequestId`]: the `RequestID` element of the enrollment namespace.

use crate::ns;
use soap_envelope::xsd::trim;
use soap_envelope::{FromXml, QName, Result, Start, ToXml, XmlReader, XmlWriter};

/// The `RequestID` element, [MS-WSTEP] 3.1.4.1.3.3: the CA's request
/// number, nil in a new request.
///
/// ```xml
/// <xs:element name="RequestID" type="xs:string" nillable="true" />
/// ```
///
/// `RequestId(None)` is nil. The value is read with surrounding whitespace
/// removed (MS-MDE2 4.3.2 writes `0` followed by a line break).
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct RequestId(pub Option<String>);

impl RequestId {
    /// The element name (enrollment namespace).
    pub const NAME: QName = QName::new(ns::WSTEP, "RequestID");

    /// A nil `RequestID`.
    pub fn nil() -> Self {
        Self(None)
    }

    /// A `RequestID` with a value.
    pub fn new(id: impl Into<String>) -> Self {
        Self(Some(id.into()))
    }

    /// The value, `None` when nil.
    pub fn as_str(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

/// Read by hand: a nil element is `RequestId(None)` (the derive's nillable
/// fields are `Option`s of the value, not a newtype around one).
impl<'a> FromXml<'a> for RequestId {
    fn matches(start: &Start<'_>) -> bool {
        start.is(Self::NAME)
    }

    fn read(r: &mut XmlReader<'a>, start: &Start<'a>) -> Result<Self> {
        if r.is_nil(start)? {
            r.skip()?;
            return Ok(Self(None));
        }
        Ok(Self(Some(trim(&r.text()?).to_owned())))
    }
}

impl ToXml for RequestId {
    fn prefixes(&self) -> soap_envelope::Prefixes {
        crate::PREFIXES
    }
    fn write(&self, w: &mut XmlWriter) -> Result<()> {
        match &self.0 {
            Some(id) => w.text_element(Self::NAME, id),
            None => w.nil_element(Self::NAME),
        }
    }
}
