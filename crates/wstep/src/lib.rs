//! MS-WSTEP: WS-Trust X.509v3 Token Enrollment Extensions (CES), as an
//! owned, typed model with no I/O.
//!
//! A client sends a [`RequestSecurityToken`] (a certificate request, a
//! renewal, a QueryTokenStatus for a pending request, or a key exchange
//! token request; see [`RequestType`]) and receives a
//! [`RequestSecurityTokenResponseCollection`] with one
//! [`RequestSecurityTokenResponse`]: its [`DispositionMessage`], the
//! PKCS#7/CMC response, the issued certificate in a
//! [`RequestedSecurityToken`] and the CA's [`RequestId`] ([MS-WSTEP]
//! 3.1.4.1). A refusal is a SOAP Fault whose detail is a
//! [`CertificateEnrollmentWsDetail`]. [`WstepMessage`] is any of the
//! messages, a [`soap_envelope::Payload`], so `Envelope<WstepMessage>` reads
//! a whole SOAP message; [`actions`] has the WS-Addressing Actions, token
//! types and value types. The MS-MDE2 profile (its `TokenType`,
//! [`AdditionalContext`] items such as `DeviceType` and `HWDevID`, the
//! provisioning document) reads into the same types.
//!
//! # Reading
//!
//! - Elements are matched by namespace and local name, never by prefix.
//! - Children are accepted in any order; elements the model does not define
//!   are kept in `unknown` and written back.
//! - `wsse:BinarySecurityToken` is [`soap_envelope::BinarySecurityToken`]:
//!   `ValueType` and `EncodingType` are kept exactly as read, the base64
//!   text is kept as text. [`BinarySecurityTokenExt::value_kind`] recognises
//!   both spellings of the PKCS#10/PKCS#7/CMC value types, and
//!   [`BinarySecurityTokenExt::decode_bytes`] ignores line breaks and
//!   `&#xD;`. New tokens ([`ValueKind::token`]) are written without line
//!   breaks, with the enrollment-namespace value type of [MS-WSTEP]
//!   3.1.4.1.3.1.
//! - URIs (`TokenType`, `RequestType`) are read with whitespace collapsed;
//!   `RequestID` and `DispositionMessage` with surrounding whitespace
//!   removed; context item values exactly.
//!
//! # Example
//!
//! ```
//! use soap_envelope::{Envelope, Header, Payload};
//! use wstep::{
//!     AdditionalContext, BinarySecurityTokenExt, RequestId, RequestSecurityToken, RequestType,
//!     ValueKind, WstepMessage, actions,
//! };
//!
//! // A request for a certificate from template "User".
//! let rst = RequestSecurityToken::new(RequestType::Issue)
//!     .with_binary_security_token(ValueKind::Pkcs10.token(&[0x30, 0x00]))
//!     .with_additional_context(AdditionalContext::new().with_item("CertificateTemplate", "User"))
//!     .with_request_id(RequestId::nil());
//! let message = WstepMessage::from(rst);
//! let header = Header::new()
//!     .with_action(message.action().unwrap())
//!     .with_message_id("urn:uuid:b5d1a601-5091-4a7d-b34b-5204c18b5919");
//! let bytes = Envelope::new(header, message).to_xml()?;
//!
//! // The server reads it.
//! let env = Envelope::<WstepMessage>::from_xml(&bytes)?;
//! assert_eq!(env.header.action(), Some(actions::RST));
//! let Some(WstepMessage::RequestSecurityToken(rst)) = env.payload() else { unreachable!() };
//! assert_eq!(rst.request_type, RequestType::Issue);
//! let token = rst.binary_security_token.as_ref().unwrap();
//! assert_eq!(token.value_kind(), Some(ValueKind::Pkcs10));
//! assert_eq!(token.decode_bytes()?, [0x30, 0x00]);
//! assert_eq!(rst.additional_context.as_ref().unwrap().certificate_template(), Some("User"));
//! # Ok::<(), wstep::Error>(())
//! ```
//!
//! # Cargo features
//!
//! - `verify` (on): signature checks of PKCS#10 requests and CMS signers
//!   ([`payload::signature::verify`]) with RustCrypto: RSA PKCS#1 v1.5 and
//!   PSS, ECDSA on P-256 and P-384. Without it no RSA or elliptic-curve
//!   code is built.
//! - `aws-lc` (off; implies `verify`): RSA PKCS#1 v1.5 signatures with
//!   SHA-256/384/512 and keys of 2048 to 8192 bits are checked with AWS-LC
//!   first (some ten times faster; C built by `cc`); whatever it does not
//!   accept is decided by RustCrypto, so the answers are the same. For
//!   servers that check every request.
//! - `serde` (off): `serde::Serialize` on the XML model types, for JSON
//!   views (`cepces inspect --json`). Fields keep their Rust names;
//!   [`RequestType`] is its WS-Trust short name (`Issue`, `KET`, ...) or the
//!   URI read, [`AuthPolicy`](mde2::AuthPolicy) its value,
//!   [`HResult`](hresult::HResult) `{"value": unsigned, "name": winerror.h
//!   name or "unknown"}`, [`RequestId`] its text or `null`. The DER payloads
//!   are not serialized: decode them with [`payload`].
//!
//! [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::unwrap_used)]

pub mod actions;
mod additional_context;
mod codec;
mod error;
mod fault;
pub mod hresult;
pub mod mde2;
mod message;
pub mod ns;
pub mod payload;
mod request;
mod request_id;
mod response;
#[cfg(feature = "serde")]
mod serde_impls;
mod token;

pub use additional_context::{AdditionalContext, ContextItem, names as context_items};
pub use error::{Error, Result};
pub use fault::CertificateEnrollmentWsDetail;
pub use message::WstepMessage;
pub use payload::{TokenContent, decode_token};
pub use request::{RequestSecurityToken, RequestType};
pub use request_id::RequestId;
pub use response::{
    DispositionMessage, KeyExchangeToken, Reference, RequestSecurityTokenResponse,
    RequestSecurityTokenResponseCollection, RequestedSecurityToken, SecurityTokenReference,
};
pub use soap_envelope::BinarySecurityToken;
pub use token::{BinarySecurityTokenExt, ValueKind};

/// The MS-WSTEP namespace ([`ns::WSTEP`]).
pub use crate::ns::WSTEP as NAMESPACE;

/// The prefixes wstep's messages are written with: MS-WSTEP and MS-MDE2 as
/// the default namespace and WS-Federation authorization as `ac`, as
/// Windows writes them (the writer's own table covers SOAP, WS-Addressing,
/// WS-Security, WS-Trust and `xsi`).
pub const PREFIXES: soap_envelope::Prefixes = &[(ns::WSTEP, ""), (ns::AUTH, "ac"), (ns::MDE2, "")];

// The RustCrypto crates whose types are in this crate's signatures
// (`Csr` wraps `x509_cert::request::CertReq`, `SignedPayload` a
// `cms::signed_data::SignedData`, keys are `spki::SubjectPublicKeyInfoOwned`,
// OIDs `der::oid::ObjectIdentifier`), so that users name the same versions.
pub use cms;
pub use der;
pub use spki;
pub use x509_cert;
