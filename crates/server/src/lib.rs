//! The CEP and CES services ([MS-XCEP], [MS-WSTEP]) of a certificate
//! authority as a library: a request body and what the connection knows
//! (peer, local address, TLS client certificate) in, a reply out. No
//! sockets, no clock: the caller owns both, and brings its HTTP stack
//! (the `tower` feature adapts one).
//!
//! A [`Server`] is made of replaceable [`Parts`]:
//!
//! | part | trait | given here |
//! |---|---|---|
//! | who may log in | [`Authenticator`] | [`PasswordAccounts`] (argon2 hashes) |
//! | who signs | [`Issuer`] | [`pki::Authority`] (a key in memory) |
//! | the records | [`RequestStore`] | [`SqliteStore`](sqlite::SqliteStore) (feature `sqlite`), [`MemoryStore`] |
//! | the templates | [`PolicySource`] | [`Config`] (the TOML file of `cepces serve`) |
//!
//! What the server decides itself, whatever the parts: the envelope,
//! `Action` and `To` checks; the WS-Security timestamp window, nonce
//! replay, password type and login back-off ([`Guard`]); that a TLS
//! client certificate names the account the records give, never its
//! subject; that only the requester (or `administrators`) may read a
//! request; that a template builds the subject from the account unless it
//! lets the request supply it (ESC1); renewals, resubmissions and the
//! CA's own name.
//!
//! ```
//! use cepces_server::config::{Auth, Service, Urls};
//! use cepces_server::{Config, MemoryStore, Parts, PasswordAccounts, Server, Transport};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::from_toml(
//!     r#"
//!     [ca]
//!     common_name = "Example CA"
//!     [[template]]
//!     name = "User"
//!     "#,
//! )?;
//! let ca = cepces_server::pki::Authority::create(
//!     cepces_server::pki::generate_key(2048)?,
//!     "Example CA",
//!     1_800_000_000,
//!     86_400 * 365,
//! )?;
//! let urls = Urls::new("https://ca.example.com", config.ces_name());
//! let accounts = PasswordAccounts::new(config.users.clone(), 4);
//! let parts = Parts::new(
//!     urls.clone(),
//!     Box::new(config),
//!     Box::new(accounts),
//!     Box::new(ca),
//!     Box::new(MemoryStore::new()),
//! );
//! let server = Server::new(parts, 1_800_000_000)?;
//! // A body that is not SOAP is a fault, never a panic.
//! let (reply, _outcome) = server.handle(
//!     (Service::Cep, Auth::UsernamePassword),
//!     Transport::default(),
//!     b"not xml",
//!     1_800_000_000,
//! );
//! assert_eq!(reply.status, 500);
//! # Ok(()) }
//! ```
//!
//! [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
//! [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod accounts;
pub mod config;
mod error;
pub mod guard;
pub mod negotiate;
#[cfg(feature = "pkcs11")]
pub mod pkcs11;
pub mod pki;
pub mod policy;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod publish;
mod service;
#[cfg(feature = "sqlite")]
pub mod sqlite;
pub mod store;
#[cfg(feature = "tower")]
pub mod tower;

pub use accounts::{Account, Authenticator, PasswordAccounts};
pub use config::Config;
pub use error::Error;
pub use guard::Guard;
pub use pki::Issuer;
pub use policy::{Policy, PolicySource};
pub use service::{Negotiate, Outcome, Parts, Server, Transport};
pub use store::{MemoryStore, RequestStore};

pub use cepces_enroll::server::Reply;

// The RustCrypto crates whose types are in this crate's signatures (the
// issuer signs `x509_cert` certificates for `spki` keys), so that users
// name the same versions.
pub use der;
pub use spki;
pub use x509_cert;
