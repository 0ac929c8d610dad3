#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::unwrap_used)]

// The derive's generated code names `::soap_envelope`, here too.
extern crate self as soap_envelope;

pub mod addressing;
mod any;
mod buffer;
mod envelope;
mod error;
pub mod fault;
pub mod fields;
pub mod header;
mod header_attrs;
mod lexical;
mod limits;
mod name;
pub mod ns;
mod reader;
pub mod security;
#[cfg(feature = "serde")]
mod serde_impls;
mod tokenizer;
mod traits;
pub mod writer;
pub mod xsd;

pub use addressing::{EndpointReference, HeaderValue, RelatesTo};
pub use any::{AnyAttribute, AnyElement, AnyNode};
pub use buffer::DocumentBuffer;
pub use envelope::{Body, CONTENT_TYPE, Envelope, ReadOptions, SoapVersion, read_document};
pub use error::{Error, ErrorKind, Result};
pub use fault::{Detail, Fault, FaultCode, FaultCodeValue, ReasonText};
pub use header::{Header, HeaderAttrs, UnknownHeader};
pub use limits::{Limit, Limits};
pub use name::{OwnedQName, QName};
pub use reader::{Attribute, Start, XmlReader, decode_input};
pub use security::{BinarySecurityToken, Password, Security, Timestamp, UsernameToken};
/// `#[derive(FromXml, ToXml)]`: see [`soap_envelope_derive`].
#[cfg(feature = "derive")]
pub use soap_envelope_derive::{FromXml, ToXml};
pub use traits::{FromXml, Payload, ToXml};
pub use writer::{Prefixes, XmlWriter};

/// The workspace README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct WorkspaceReadme;
