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
    /// A `BinarySecurityToken` whose `EncodingType` names an encoding other
    /// than base64 (e.g. WS-Security's `#HexBinary`); the URI is given.
    /// Every spelling of base64 seen from peers is read.
    #[error("BinarySecurityToken EncodingType {0} is not base64")]
    UnsupportedEncoding(String),
    /// A payload (PKCS#10, PKCS#7/CMS, CMC or X.509) that is not valid DER
    /// for the structure named; der's error carries the byte position.
    #[error("{structure} is not valid DER: {error}")]
    Der {
        /// The ASN.1 structure that was being read, e.g. `CertificationRequest`.
        structure: &'static str,
        /// der's error: its kind and the byte position.
        error: der::Error,
    },
    /// A signature or key algorithm that [`crate::payload`] does not
    /// support; the dotted OID (and, for EC keys, the curve) is given.
    #[error("unsupported algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// A signature algorithm that is known but refused because its digest
    /// is broken (`md5WithRSAEncryption`, `md2WithRSAEncryption`): a
    /// collision-prone digest makes the signature no proof of possession.
    /// The algorithm's name and OID are given.
    #[error("insecure algorithm {0} refused")]
    InsecureAlgorithm(&'static str),
    /// A public key that cannot be read for its declared algorithm.
    #[error("invalid public key: {0}")]
    InvalidKey(String),
    /// An RSA key larger than a signature is verified with
    /// ([`crate::payload::signature::MAX_RSA_BITS`]).
    #[error("RSA key of {bits} bits is larger than the {max} bits verified")]
    KeyTooLarge {
        /// The key's modulus size.
        bits: usize,
        /// The largest accepted.
        max: usize,
    },
    /// A signature that does not verify (or is malformed).
    #[error("signature does not verify")]
    BadSignature,
    /// The DER is well-formed but not the content expected, e.g. a
    /// `ContentInfo` that is not SignedData.
    #[error("unexpected payload content: {0}")]
    UnexpectedContent(String),
}

impl Error {
    /// The stable kind name: `base64`, `unsupported-encoding`, `der`,
    /// `unsupported-algorithm`, `insecure-algorithm`,
    /// `invalid-key`, `key-too-large`, `bad-signature`, `unexpected-content`,
    /// `unexpected-message`, or the XML error's own kind name.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::Xml(e) => e.kind_name(),
            Self::UnexpectedMessage(_) => "unexpected-message",
            Self::Base64(_) => "base64",
            Self::UnsupportedEncoding(_) => "unsupported-encoding",
            Self::Der { .. } => "der",
            Self::UnsupportedAlgorithm(_) => "unsupported-algorithm",
            Self::InsecureAlgorithm(_) => "insecure-algorithm",
            Self::InvalidKey(_) => "invalid-key",
            Self::KeyTooLarge { .. } => "key-too-large",
            Self::BadSignature => "bad-signature",
            Self::UnexpectedContent(_) => "unexpected-content",
        }
    }

    /// For an [`Error::Der`], der's byte position in the payload, when
    /// der knows it.
    pub fn der_position(&self) -> Option<u32> {
        match self {
            Self::Der { error, .. } => error.position().map(u32::from),
            _ => None,
        }
    }

    /// An [`Error::Der`] for `structure`.
    pub(crate) fn der(structure: &'static str) -> impl FnOnce(der::Error) -> Self {
        move |error| Self::Der { structure, error }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
