//! MS-XCEP: the X.509 Certificate Enrollment Policy protocol (CEP).
//!
//! This crate will hold the GetPolicies / GetPoliciesResponse model; it is
//! filled by a later issue. The namespace it uses is
//! [`soap_envelope::ns::XCEP`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// The MS-XCEP namespace, re-exported for convenience.
pub use soap_envelope::ns::XCEP as NAMESPACE;
