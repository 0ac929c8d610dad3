//! The traits through which crates plug their elements into the reader and
//! writer.

use crate::error::Result;
use crate::reader::{Start, XmlReader};
use crate::writer::{Prefixes, XmlWriter};

/// A value read from an element.
///
/// `read` is called with the element's start tag already read (it is the
/// reader's current element) and must consume the element's content, for
/// example with [`XmlReader::next_child`] until `None`.
pub trait FromXml<'a>: Sized {
    /// Whether this type reads elements with the name of `start`. Payload
    /// enums use it to pick the message; single-element types compare the
    /// expanded name.
    fn matches(start: &Start<'_>) -> bool;

    /// Reads the element whose start tag is `start`.
    fn read(r: &mut XmlReader<'a>, start: &Start<'a>) -> Result<Self>;
}

/// A boxed value reads as the value (a large, rarely present child).
impl<'a, T: FromXml<'a>> FromXml<'a> for Box<T> {
    fn matches(start: &Start<'_>) -> bool {
        T::matches(start)
    }

    fn read(r: &mut XmlReader<'a>, start: &Start<'a>) -> Result<Self> {
        T::read(r, start).map(Box::new)
    }
}

/// A value written as one element.
pub trait ToXml {
    /// Writes the element, start tag to end tag.
    fn write(&self, w: &mut XmlWriter) -> Result<()>;

    /// The prefixes this element prefers for its namespaces when it is
    /// written alone or as a SOAP Body ([`to_xml`](Self::to_xml),
    /// [`Envelope::to_xml`](crate::Envelope::to_xml)): its crate's table.
    /// None by default (the writer's built-in table and `ns0`, `ns1`, ...).
    fn prefixes(&self) -> Prefixes {
        &[]
    }

    /// This element written alone (its namespace declarations included),
    /// as UTF-8 bytes, with its [`prefixes`](Self::prefixes).
    fn to_xml(&self) -> Result<Vec<u8>> {
        let mut w = XmlWriter::with_prefixes(self.prefixes());
        self.write(&mut w)?;
        w.into_bytes()
    }
}

impl<T: ToXml + ?Sized> ToXml for Box<T> {
    fn write(&self, w: &mut XmlWriter) -> Result<()> {
        (**self).write(w)
    }
    fn prefixes(&self) -> Prefixes {
        (**self).prefixes()
    }
}

/// A SOAP Body payload: the one child of `Body` (a request, a response, or
/// [`AnyElement`](crate::AnyElement) for any element).
///
/// xcep and wstep implement it for their messages; [`Envelope`](crate::Envelope)
/// is generic over it.
pub trait Payload: for<'a> FromXml<'a> + ToXml {
    /// The WS-Addressing Action that goes with this payload, when it has a
    /// fixed one ([MS-XCEP] 3.1.4.1, [MS-WSTEP] 3.1.4.1).
    ///
    /// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
    /// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
    fn action(&self) -> Option<&str> {
        None
    }
}

impl Payload for crate::AnyElement {}
