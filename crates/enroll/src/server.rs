//! The server half of the enrollment flow: the decisions a CEP (MS-XCEP)
//! and CES (MS-WSTEP) server makes, with no I/O. The caller owns the
//! socket and TLS, authenticates the caller (a [`Principal`]), gives the
//! time, and signs certificates with its CA.
//!
//! - [`PolicyServer::handle_get_policies`]: a GetPolicies envelope in, a
//!   [`Reply`] (HTTP status, content type, body) out.
//! - [`EnrollmentServer::decide`]: a RequestSecurityToken envelope in, a
//!   [`Decision`] out (issue, pend, reject, or the stored status of a
//!   request); [`issued_reply`], [`pending_reply`] and [`denied_reply`]
//!   build the answers.
//!
//! Envelope checks, in order, for both services: SOAP 1.2 (else a
//! `VersionMismatch` fault), no `mustUnderstand` header left unknown (else
//! `MustUnderstand`), the WS-Addressing `Action` of the service (else a
//! `Sender` fault with subcode `wsa:ActionNotSupported`), `To`, when
//! present, naming the endpoint URL (ASCII case and an explicit default
//! port ignored, as IIS does; else `wsa:DestinationUnreachable`). A missing
//! `To` is accepted: WS-Addressing 1.0 makes it optional, and the
//! [MS-WSTEP] 4.1.1.1 capture has none.
//!
//! [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/

mod enrollment;
mod envelope;
mod permission;
mod policy;
mod replies;

pub use enrollment::{
    Decision, EnrollmentServer, IssueRequest, RequestSource, StatusAnswer, StoredState,
};
pub use envelope::{Reply, RequestContext};
pub use permission::{AccessEntry, Permissions, Principal, Rights};
pub use policy::PolicyServer;
pub use replies::{denied_fault, denied_reply, fault_reply, issued_reply, pending_reply};

/// An error building a reply: the message could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// Writing the SOAP envelope failed.
    #[error("writing the SOAP envelope: {0}")]
    Soap(#[from] soap_envelope::Error),
    /// Writing an MS-XCEP element failed.
    #[error("writing MS-XCEP: {0}")]
    Xcep(#[from] xcep::Error),
    /// Writing an MS-WSTEP element or DER payload failed.
    #[error("writing MS-WSTEP: {0}")]
    Wstep(#[from] wstep::Error),
    /// Encoding a certificate failed.
    #[error("encoding DER: {0}")]
    Der(#[from] der::Error),
}
