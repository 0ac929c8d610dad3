//! The one error type of this crate: what went wrong, where in the element
//! tree, and at which byte of the input.

use std::fmt;

use crate::limits::Limit;
use crate::name::OwnedQName;

/// An error while reading or writing XML.
///
/// Every error carries its [`ErrorKind`], the element path at which it
/// happened (for example
/// `/Envelope/Body/GetPoliciesResponse/response/policies/policy[3]/attributes`)
/// and the byte offset in the input (0 for errors that are not about input).
///
/// ```
/// use soap_envelope::{Envelope, AnyElement, ErrorKind};
///
/// let err = Envelope::<AnyElement>::from_xml(b"<!DOCTYPE x [<!ENTITY a 'b'>]><x/>").unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::DtdForbidden));
/// assert_eq!(err.offset(), 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    path: String,
    offset: u64,
}

impl Error {
    /// A new error of the given kind at the given path and byte offset.
    pub fn new(kind: ErrorKind, path: impl Into<String>, offset: u64) -> Self {
        Self {
            kind,
            path: path.into(),
            offset,
        }
    }

    /// An error that is not tied to a position in an input (for example, one
    /// raised while writing).
    pub fn detached(kind: ErrorKind) -> Self {
        Self::new(kind, String::new(), 0)
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The element path (`/Envelope/Body/...`), empty when not known.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The byte offset in the input where the problem was found.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// A short stable name of the kind, such as `limit-exceeded`; useful in
    /// logs and machine-readable output.
    pub fn kind_name(&self) -> &'static str {
        self.kind.name()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        if !self.path.is_empty() {
            write!(f, " at {}", self.path)?;
        }
        write!(f, " (byte {})", self.offset)
    }
}

impl std::error::Error for Error {}

/// The kinds of [`Error`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is not well-formed XML (mismatched tags, bad syntax,
    /// truncation, two root elements, ...).
    #[error("malformed XML: {0}")]
    Malformed(String),
    /// The input is not UTF-8 (or UTF-16 with a byte order mark), or names an
    /// encoding this crate does not read.
    #[error("bad encoding: {0}")]
    Encoding(String),
    /// The document contains a document type declaration. DTDs are never
    /// processed, so no entity is ever expanded or resolved.
    #[error("document type declarations (DTD) are forbidden")]
    DtdForbidden,
    /// A reference to an entity other than the five predefined ones.
    #[error("undefined entity '&{0};'")]
    UndefinedEntity(String),
    /// A prefix that no namespace declaration in scope binds.
    #[error("unbound namespace prefix '{0}'")]
    UnboundPrefix(String),
    /// An element that is not allowed where it stands.
    #[error("unexpected element {found}{}", expected.as_ref().map(|e| format!(", expected {e}")).unwrap_or_default())]
    UnexpectedElement {
        /// The element that was found.
        found: OwnedQName,
        /// What was expected instead, in words, when known.
        expected: Option<String>,
    },
    /// A required element is absent.
    #[error("missing element {0}")]
    MissingElement(OwnedQName),
    /// An element that may appear at most once appeared again.
    #[error("duplicate element {0}")]
    DuplicateElement(OwnedQName),
    /// A required attribute is absent.
    #[error("missing attribute {0}")]
    MissingAttribute(OwnedQName),
    /// Character data where only elements are allowed.
    #[error("unexpected text content")]
    UnexpectedText,
    /// A value that does not match its type's lexical space.
    #[error("bad {type_name} value '{value}': {reason}")]
    BadValue {
        /// The XML Schema type (or our name for it), e.g. `xs:unsignedInt`.
        type_name: &'static str,
        /// The offending value, truncated to 64 characters.
        value: String,
        /// Why it was rejected.
        reason: String,
    },
    /// One of the configured [`Limits`](crate::Limits) was exceeded.
    #[error("limit exceeded: {limit} (maximum {max})")]
    LimitExceeded {
        /// Which limit.
        limit: Limit,
        /// Its configured maximum.
        max: usize,
    },
    /// The root is a SOAP 1.1 envelope (or another version) where SOAP 1.2
    /// is required, or a root in a SOAP envelope namespace that is not
    /// `Envelope` (`envelope`, a bare `Fault`): "the namespace, local name
    /// or both did not match" ([SOAP 1.2 Part 1] 5.4.7). The root's
    /// namespace is given; the error's path names the root.
    ///
    /// [SOAP 1.2 Part 1]: https://www.w3.org/TR/soap12-part1/#faultcodes
    #[error("SOAP version mismatch: the root is not a SOAP 1.2 Envelope (root namespace '{0}')")]
    VersionMismatch(String),
    /// The root element is not a SOAP envelope.
    #[error("not a SOAP envelope: root element is {0}")]
    NotAnEnvelope(OwnedQName),
    /// The SOAP Body does not hold exactly one payload element.
    #[error("SOAP Body must hold exactly one element, found {0}")]
    BodyChildCount(usize),
    /// A payload type was asked to read an element it does not know.
    #[error("unsupported payload {0}")]
    UnsupportedPayload(OwnedQName),
    /// The writer was used out of order (for example, an end without a start).
    #[error("writer misuse: {0}")]
    Writer(&'static str),
}

impl ErrorKind {
    /// A short stable name of the kind, such as `limit-exceeded`.
    pub fn name(&self) -> &'static str {
        match self {
            ErrorKind::Malformed(_) => "malformed",
            ErrorKind::Encoding(_) => "encoding",
            ErrorKind::DtdForbidden => "dtd-forbidden",
            ErrorKind::UndefinedEntity(_) => "undefined-entity",
            ErrorKind::UnboundPrefix(_) => "unbound-prefix",
            ErrorKind::UnexpectedElement { .. } => "unexpected-element",
            ErrorKind::MissingElement(_) => "missing-element",
            ErrorKind::DuplicateElement(_) => "duplicate-element",
            ErrorKind::MissingAttribute(_) => "missing-attribute",
            ErrorKind::UnexpectedText => "unexpected-text",
            ErrorKind::BadValue { .. } => "bad-value",
            ErrorKind::LimitExceeded { .. } => "limit-exceeded",
            ErrorKind::VersionMismatch(_) => "version-mismatch",
            ErrorKind::NotAnEnvelope(_) => "not-an-envelope",
            ErrorKind::BodyChildCount(_) => "body-child-count",
            ErrorKind::UnsupportedPayload(_) => "unsupported-payload",
            ErrorKind::Writer(_) => "writer",
        }
    }

    /// A [`ErrorKind::BadValue`] with the value shortened to 64 characters.
    pub fn bad_value(type_name: &'static str, value: &str, reason: impl Into<String>) -> Self {
        let mut shown: String = value.chars().take(64).collect();
        if shown.len() < value.len() {
            shown.push('…');
        }
        ErrorKind::BadValue {
            type_name,
            value: shown,
            reason: reason.into(),
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
