//! MS-WSTEP: WS-Trust X.509v3 Token Enrollment Extensions (CES).
//!
//! This crate will hold the RequestSecurityToken / response model and the
//! DER payloads; it is filled by a later issue. The namespace it uses is
//! [`soap_envelope::ns::WSTEP`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// The MS-WSTEP namespace, re-exported for convenience.
pub use soap_envelope::ns::WSTEP as NAMESPACE;
