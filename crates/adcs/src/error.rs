//! Errors: which entry, which attribute, what was wrong.

/// A directory value that cannot be mapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{dn}: {attribute}: {kind}")]
#[non_exhaustive]
pub struct Error {
    /// The entry's distinguished name.
    pub dn: String,
    /// The LDAP attribute (as the schema spells it).
    pub attribute: &'static str,
    /// What was wrong.
    pub kind: ErrorKind,
}

/// What was wrong with a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A required attribute is absent.
    #[error("missing")]
    Missing,
    /// The value is not what the attribute's syntax allows.
    #[error("malformed value: {0}")]
    Malformed(String),
    /// An `nTSecurityDescriptor` that cannot be read.
    #[error("security descriptor: {0}")]
    SecurityDescriptor(String),
}

impl Error {
    pub(crate) fn new(dn: &str, attribute: &'static str, kind: ErrorKind) -> Self {
        Self {
            dn: dn.to_owned(),
            attribute,
            kind,
        }
    }
}

/// A result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
