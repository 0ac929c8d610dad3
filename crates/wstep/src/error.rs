//! The error type of this crate.

use soap_envelope::OwnedQName;

/// An error from reading or writing MS-WSTEP messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The XML was malformed, hostile, or did not match the schema: the
    /// wrapped error names the kind, the element path and the byte offset.
    #[error(transparent)]
    Xml(#[from] soap_envelope::Error),
    /// The envelope's body was not the message expected.
    #[error("unexpected message {0}")]
    UnexpectedMessage(OwnedQName),
    /// A `BinarySecurityToken` whose text is not base64.
    #[error("BinarySecurityToken is not base64: {0}")]
    Base64(String),
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
