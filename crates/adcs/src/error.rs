//! The crate's errors: [`Error`] names the directory entry and the
//! attribute, [`ValueError`] says what is wrong with the value, and
//! [`DescriptorError`] / [`SidError`] say where a binary security
//! descriptor or a SID is malformed.

use thiserror::Error;

/// A directory entry that cannot be mapped: which entry, which attribute,
/// and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Error {
    /// A required attribute is absent (or has no value).
    #[error("{dn}: required attribute {attribute} is missing")]
    MissingAttribute {
        /// The entry's distinguished name.
        dn: String,
        /// The attribute's LDAP display name.
        attribute: &'static str,
    },
    /// An attribute's value is malformed.
    #[error("{dn}: attribute {attribute}: {kind}")]
    BadValue {
        /// The entry's distinguished name.
        dn: String,
        /// The attribute's LDAP display name.
        attribute: &'static str,
        /// What is wrong.
        kind: ValueError,
    },
}

impl Error {
    /// The distinguished name of the entry the error is about.
    pub fn dn(&self) -> &str {
        match self {
            Error::MissingAttribute { dn, .. } | Error::BadValue { dn, .. } => dn,
        }
    }

    /// The LDAP display name of the attribute the error is about.
    pub fn attribute(&self) -> &'static str {
        match self {
            Error::MissingAttribute { attribute, .. } | Error::BadValue { attribute, .. } => {
                attribute
            }
        }
    }
}

/// What is wrong with one attribute value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ValueError {
    /// A single-valued attribute has more than one value.
    #[error("{count} values where one is allowed")]
    MultipleValues {
        /// How many values there were.
        count: usize,
    },
    /// A string attribute is not UTF-8 (LDAP strings are UTF-8, RFC 4517).
    #[error("not UTF-8")]
    NotUtf8,
    /// An integer attribute is not a decimal integer in the allowed range.
    #[error("{value:?} is not an integer in {min}..={max}")]
    NotAnInteger {
        /// The value as read (cut to 64 characters).
        value: String,
        /// The smallest allowed value.
        min: i64,
        /// The largest allowed value.
        max: i64,
    },
    /// A binary attribute has the wrong length.
    #[error("{actual} bytes where {expected} are needed")]
    WrongLength {
        /// The length the syntax needs.
        expected: usize,
        /// The length of the value.
        actual: usize,
    },
    /// A FILETIME interval that is not negative (an interval is stored as a
    /// negative count of 100-nanosecond units, MS-DTYP 2.3.3).
    #[error("FILETIME interval {0} is not negative")]
    NotAnInterval(i64),
    /// A value that should be a dotted object identifier is not one.
    #[error("{0:?} is not an object identifier")]
    NotAnOid(String),
    /// A value that does not have the format its attribute needs.
    #[error("{0}")]
    BadFormat(String),
    /// A malformed binary security descriptor.
    #[error("security descriptor: {0}")]
    Descriptor(#[from] DescriptorError),
    /// A malformed binary SID.
    #[error("SID: {0}")]
    Sid(#[from] SidError),
}

impl ValueError {
    /// A [`ValueError::NotAnInteger`] for `value` (cut to 64 characters).
    pub(crate) fn not_an_integer(value: &str, min: i64, max: i64) -> Self {
        ValueError::NotAnInteger {
            value: value.chars().take(64).collect(),
            min,
            max,
        }
    }
}

/// A malformed self-relative security descriptor ([MS-DTYP] 2.4.6), ACL
/// (2.4.5) or ACE (2.4.4). Offsets are from the start of the descriptor.
///
/// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DescriptorError {
    /// A structure runs past the end of the data.
    #[error("{what} at offset {offset} needs {needed} bytes, {available} are left")]
    Truncated {
        /// The structure, e.g. `ACE header`.
        what: &'static str,
        /// Where it starts.
        offset: usize,
        /// How many bytes it needs.
        needed: usize,
        /// How many bytes there are from `offset` on.
        available: usize,
    },
    /// A revision other than the one the spec allows.
    #[error("{what} revision {value} is not supported")]
    BadRevision {
        /// The structure, `security descriptor` or `ACL`.
        what: &'static str,
        /// The revision read.
        value: u8,
    },
    /// The control flags lack `SE_SELF_RELATIVE` (0x8000): the descriptor
    /// holds pointers, not offsets, and cannot be read from bytes.
    #[error("not a self-relative security descriptor (control {0:#06x})")]
    NotSelfRelative(u16),
    /// An ACE whose `AceSize` is smaller than its own fields, or not a
    /// multiple of 4.
    #[error("ACE {index} at offset {offset} has a bad size {size}")]
    BadAceSize {
        /// The ACE's 0-based index in its ACL.
        index: usize,
        /// Where it starts.
        offset: usize,
        /// Its `AceSize`.
        size: u16,
    },
    /// An ACL whose `AclSize` is smaller than its header.
    #[error("ACL at offset {offset} has a bad size {size}")]
    BadAclSize {
        /// Where it starts.
        offset: usize,
        /// Its `AclSize`.
        size: u16,
    },
    /// A malformed SID inside the descriptor.
    #[error("SID at offset {offset}: {error}")]
    Sid {
        /// Where the SID starts.
        offset: usize,
        /// What is wrong with it.
        error: SidError,
    },
}

/// A malformed SID, binary ([MS-DTYP] 2.4.2.2) or string ([MS-DTYP]
/// 2.4.2.1).
///
/// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SidError {
    /// Fewer bytes than the header and sub-authorities need.
    #[error("{needed} bytes needed, {available} given")]
    Truncated {
        /// Bytes the SID needs.
        needed: usize,
        /// Bytes there are.
        available: usize,
    },
    /// Bytes left after the SID where it should fill the value.
    #[error("{0} bytes after the SID")]
    TrailingBytes(usize),
    /// A revision other than 1.
    #[error("revision {0} (must be 1)")]
    BadRevision(u8),
    /// More than 15 sub-authorities.
    #[error("{0} sub-authorities (at most 15)")]
    TooManySubAuthorities(u8),
    /// A string that is not `S-1-<authority>(-<sub-authority>)*`.
    #[error("{0:?} is not a SID string")]
    BadString(String),
}

/// The crate's `Result`.
pub type Result<T, E = Error> = core::result::Result<T, E>;
