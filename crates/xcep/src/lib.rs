//! MS-XCEP: the X.509 Certificate Enrollment Policy protocol (CEP).
//!
//! (Crate guide: to be written with the model.)
#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::unwrap_used)]

mod error;
pub mod flags;

pub use error::{Error, Result};

/// The MS-XCEP namespace.
pub use soap_envelope::ns::XCEP as NAMESPACE;
