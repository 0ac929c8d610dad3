//! The error type of this crate.

/// What went wrong on the server's side. A client's bad request is never
/// one of these: it is answered with a SOAP fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration or the policy cannot be used.
    #[error("configuration: {0}")]
    Config(String),
    /// The record store failed.
    #[error("record store: {0}")]
    Store(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The issuer could not sign.
    #[error("issuer: {0}")]
    Issuer(String),
    /// A reply could not be written.
    #[error("reply: {0}")]
    Reply(#[from] cepces_enroll::server::ServerError),
    /// An administrator's request that cannot be done (no such request,
    /// not pending).
    #[error("{0}")]
    Request(String),
}
