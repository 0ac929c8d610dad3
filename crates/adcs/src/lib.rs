#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::unwrap_used)]

mod entry;
mod error;
mod filetime;
mod oid;
mod policy;
pub mod security;
mod service;
mod template;

pub use entry::LdapEntry;
pub use error::{DescriptorError, Error, Result, SidError, ValueError};
pub use filetime::Interval;
pub use oid::{EnterpriseOid, OidType};
pub use policy::{PolicyBuilder, Skipped};
pub use service::{EnrollmentServer, EnrollmentService};
pub use template::{CertificateTemplate, CryptoProperties, Csp, RaApplicationPolicies};
