//! The certificate enrollment flow over MS-XCEP (CEP) and MS-WSTEP (CES),
//! with no I/O: the caller owns sockets, keys and time.
//!
//! - [`client`]: a state machine from GetPolicies to an issued, pending or
//!   denied outcome.
//! - [`server`]: the decisions a CEP/CES server makes for a caller's CA.
#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::unwrap_used)]

pub mod client;
pub mod server;
