//! The certificate enrollment flow over MS-XCEP (CEP) and MS-WSTEP (CES),
//! with no I/O: the caller owns sockets, keys and time.
//!
//! - [`client`]: a state machine from GetPolicies to an issued, pending or
//!   denied outcome.
//! - [`server`]: the decisions a CEP/CES server makes for a caller's CA.
//!
//! # Driving the client
//!
//! The caller's loop: take a [`client::Transmit`] (a POST to make), send it
//! with any HTTP stack, hand the answer back, and read the
//! [`client::Event`]s. Here the answer is a SOAP fault, as AD CS sends when
//! the credentials are wrong; no network is involved.
//!
//! ```
//! use cepces_enroll::client::{Config, Enrollment, Event, Response, State, TemplateSelector};
//! use soap_envelope::xsd::DateTime;
//!
//! let config = Config::new(
//!     "https://cep.example.com/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP",
//!     TemplateSelector::Name("User".into()),
//! )
//! .with_username_password("alice", "secret");
//! let mut enrollment = Enrollment::new(config);
//! let now: DateTime = "2026-12-01T12:00:00Z".parse()?;
//!
//! // First, GetPolicies ([MS-XCEP] 3.1.4.1).
//! let post = enrollment
//!     .poll_transmit(now, "urn:uuid:5a0e2c38-8b9c-4a53-9f5c-0d6e1b7c2a41")
//!     .expect("a GetPolicies request is ready");
//! assert_eq!(post.content_type, "application/soap+xml; charset=utf-8");
//! assert!(post.action.ends_with("IPolicy/GetPolicies"));
//! assert_eq!(enrollment.state(), State::ExpectPolicies);
//!
//! // The server refuses the password.
//! let fault = br#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">
//!   <s:Body><s:Fault>
//!     <s:Code><s:Value>s:Sender</s:Value>
//!       <s:Subcode><s:Value xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">wsse:FailedAuthentication</s:Value></s:Subcode>
//!     </s:Code>
//!     <s:Reason><s:Text xml:lang="en-US">The security token could not be authenticated.</s:Text></s:Reason>
//!   </s:Fault></s:Body>
//! </s:Envelope>"#;
//! let answer = Response::new(500, "application/soap+xml; charset=utf-8", fault);
//! // A fault is an answer, not a misuse of the machine: it is reported
//! // as an event.
//! enrollment.handle_response(now, answer).expect("the answer is read");
//! let event = enrollment.poll_event();
//! assert!(matches!(event, Some(Event::Failed { .. })), "{event:?}");
//! assert_eq!(enrollment.state(), State::Failed);
//! # Ok::<(), String>(())
//! ```
//!
//! With a policy, the machine goes on to [`client::Event::CsrNeeded`]: the
//! caller signs a PKCS#10 that meets the template's
//! [`client::Requirements`] and gives it to
//! [`client::Enrollment::provide_csr`]; the next transmit is the CES
//! `RequestSecurityToken`. `crates/cepces/src/client.rs` in the repository
//! is a complete driver over HTTPS.
//!
//! # Cargo features
//!
//! None.
//!
//! [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::unwrap_used)]

pub mod client;
pub mod server;

// The RustCrypto crates whose types are in this crate's signatures
// (`Event::Issued` holds `x509_cert::Certificate`s), so that users name
// the same versions.
pub use der;
pub use x509_cert;
