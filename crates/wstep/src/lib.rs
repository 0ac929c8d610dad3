//! MS-WSTEP: WS-Trust X.509v3 Token Enrollment Extensions (CES).
//!
//! (Crate guide: to be written with the model.)
#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::unwrap_used)]

pub mod hresult;

/// The MS-WSTEP namespace.
pub use soap_envelope::ns::WSTEP as NAMESPACE;
