//! HTTP Negotiate ([RFC 4559]): the `…_CEP_Kerberos` and `…_CES_Kerberos`
//! endpoints authenticate the client at the HTTP layer with a SPNEGO
//! token in `Authorization: Negotiate <base64>`, answered with the
//! acceptor's mutual-authentication token in `WWW-Authenticate`.
//!
//! [`Acceptor`] is the part that checks a token; it has no system
//! dependency, so an embedder can bring its own. `GssAcceptor` (feature
//! `kerberos`) is the system GSS-API's (MIT Kerberos through `libgssapi`),
//! with the service keys of the default keytab (`KRB5_KTNAME`, which
//! `cepces serve` sets from its configuration). [`map_principal`] turns the
//! client's Kerberos name into the account name templates list.
//!
//! [RFC 4559]: https://www.rfc-editor.org/rfc/rfc4559

/// What an accepted token says.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Accepted {
    /// The client's Kerberos principal, `name@REALM` (`HOST$@REALM` for a
    /// machine).
    pub principal: String,
    /// The token for the client's mutual authentication, if the mechanism
    /// gives one.
    pub reply: Option<Vec<u8>>,
}

impl Accepted {
    /// The client `principal`, with `reply` for it.
    pub fn new(principal: impl Into<String>, reply: Option<Vec<u8>>) -> Self {
        Self {
            principal: principal.into(),
            reply,
        }
    }
}

/// Why a token was refused (always a 401 for the client; the reason goes
/// to the log).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refused {
    /// No `Authorization: Negotiate` header.
    #[error("no Negotiate token")]
    Missing,
    /// The header is not `Negotiate <base64>`.
    #[error("malformed Negotiate header")]
    Malformed,
    /// The mechanism refused the token (wrong service, expired, replayed,
    /// not for this realm, ...): its message.
    #[error("{0}")]
    Mechanism(String),
    /// The token needs another round trip (not Kerberos: NTLM), which
    /// these endpoints do not offer.
    #[error("the token needs another round (only Kerberos is accepted)")]
    Continue,
    /// The principal is not of the realm the server maps to accounts.
    #[error("principal {0} is not of the server's realm")]
    ForeignRealm(String),
}

/// Checks a Negotiate token.
pub trait Acceptor: Send + Sync + std::fmt::Debug {
    /// Accepts the client's first (and, for Kerberos, only) token.
    fn accept(&self, token: &[u8]) -> Result<Accepted, Refused>;
}

/// The token of an `Authorization` (or `WWW-Authenticate`) value
/// `Negotiate <base64>`, the scheme's case ignored.
pub fn token_of(header: Option<&str>) -> Result<Vec<u8>, Refused> {
    let value = header.ok_or(Refused::Missing)?.trim();
    let (scheme, token) = value.split_once(' ').ok_or(Refused::Malformed)?;
    if !scheme.eq_ignore_ascii_case("Negotiate") {
        return Err(Refused::Missing);
    }
    <soap_envelope::xsd::Base64Binary as soap_envelope::xsd::XsdType>::parse_xsd(token.trim())
        .map(|b| b.0)
        .map_err(|_| Refused::Malformed)
}

/// An `Authorization` or `WWW-Authenticate` value carrying `token`:
/// `Negotiate <base64>`.
pub fn header_value(token: &[u8]) -> String {
    format!(
        "Negotiate {}",
        <soap_envelope::xsd::Base64Binary as soap_envelope::xsd::XsdType>::to_xsd(
            &soap_envelope::xsd::Base64Binary(token.to_vec())
        )
    )
}

/// The account name of `principal` for the templates' enroll lists:
/// `alice@EXAMPLE.TEST` is `EXAMPLE\alice` when `realm` is `EXAMPLE.TEST`
/// (ASCII case ignored) and `domain` is `EXAMPLE`; `HOST$@EXAMPLE.TEST`
/// is `EXAMPLE\HOST$`. A principal of another realm, or with an instance
/// (`HTTP/web@...`, a service rather than an account), is `None`.
///
/// ```
/// use cepces_server::negotiate::map_principal;
///
/// assert_eq!(map_principal("alice@EXAMPLE.TEST", "example.test", "EXAMPLE").as_deref(), Some("EXAMPLE\\alice"));
/// assert_eq!(map_principal("WS01$@EXAMPLE.TEST", "EXAMPLE.TEST", "EXAMPLE").as_deref(), Some("EXAMPLE\\WS01$"));
/// assert_eq!(map_principal("alice@OTHER.TEST", "EXAMPLE.TEST", "EXAMPLE"), None);
/// assert_eq!(map_principal("HTTP/web@EXAMPLE.TEST", "EXAMPLE.TEST", "EXAMPLE"), None);
/// ```
pub fn map_principal(principal: &str, realm: &str, domain: &str) -> Option<String> {
    let (name, at) = principal.rsplit_once('@')?;
    if !at.eq_ignore_ascii_case(realm) || name.is_empty() || name.contains('/') {
        return None;
    }
    Some(format!("{domain}\\{name}"))
}

#[cfg(feature = "kerberos")]
pub use gss::GssAcceptor;

#[cfg(feature = "kerberos")]
mod gss {
    use libgssapi::context::{SecurityContext, ServerCtx};
    use libgssapi::credential::{Cred, CredUsage};

    use super::{Accepted, Acceptor, Refused};

    /// The system GSS-API's acceptor (MIT Kerberos): the service keys come
    /// from the default keytab (`KRB5_KTNAME`), any of its principals
    /// accepted; tickets are checked for expiry and replay by the library.
    #[derive(Debug)]
    pub struct GssAcceptor {
        /// Acquired once (a shared handle on the keytab).
        cred: Cred,
    }

    impl GssAcceptor {
        /// An acceptor with the keytab's credentials, acquired now, so that
        /// a bad keytab fails at start.
        pub fn new() -> Result<Self, String> {
            let cred = Cred::acquire(None, None, CredUsage::Accept, None)
                .map_err(|e| format!("no acceptor credentials in the keytab: {e}"))?;
            Ok(Self { cred })
        }
    }

    impl Acceptor for GssAcceptor {
        fn accept(&self, token: &[u8]) -> Result<Accepted, Refused> {
            let mut ctx = ServerCtx::new(Some(self.cred.clone()));
            let reply = ctx
                .step(token)
                .map_err(|e| Refused::Mechanism(e.to_string()))?;
            if !ctx.is_complete() {
                return Err(Refused::Continue);
            }
            let name = ctx
                .source_name()
                .map_err(|e| Refused::Mechanism(format!("client name: {e}")))?;
            Ok(Accepted::new(name.to_string(), reply.map(|b| b.to_vec())))
        }
    }
}
