//! The error type of this crate.

use soap_envelope::OwnedQName;

/// An error from reading, writing or resolving MS-XCEP messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The XML was malformed, hostile, or did not match the schema: the
    /// wrapped error names the kind, the element path and the byte offset.
    #[error(transparent)]
    Xml(#[from] soap_envelope::Error),
    /// A reference inside a GetPoliciesResponse points nowhere: a template's
    /// `cAReference` names no CA's `cAReferenceID`, or an `oIDReference`
    /// (policy, algorithm, hash, extension, RA) names no OID's
    /// `oIDReferenceID` ([MS-XCEP] 3.1.4.1.3.3, 3.1.4.1.3.16).
    ///
    /// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
    #[error("dangling {what} reference {id} in {path}")]
    DanglingReference {
        /// What kind of reference (`cAReference`, `policyOIDReference`, ...).
        what: &'static str,
        /// The referenced id.
        id: i32,
        /// Where the reference stands, e.g.
        /// `policies/policy[3]/cAs/cAReference[2]`.
        path: String,
    },
    /// The envelope's body was not the message expected.
    #[error("unexpected message {0}")]
    UnexpectedMessage(OwnedQName),
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
