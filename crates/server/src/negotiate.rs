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
//! Channel binding ([RFC 5929], what IIS calls Extended Protection): the
//! connection's `tls-server-end-point` binding ([`tls_server_end_point`],
//! put in [`ConnectionInfo`](crate::tower::ConnectionInfo) by whoever
//! terminates TLS) is given to the acceptor, so that a token made for
//! another TLS channel is refused; [`ChannelBinding`] says whether a token
//! without one is accepted.
//!
//! [RFC 4559]: https://www.rfc-editor.org/rfc/rfc4559
//! [RFC 5929]: https://www.rfc-editor.org/rfc/rfc5929

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
    /// Whether the token carried the channel binding the acceptor was
    /// given, and it matched (a token whose binding differs is refused).
    pub channel_bound: bool,
}

impl Accepted {
    /// The client `principal`, with `reply` for it, not channel bound.
    pub fn new(principal: impl Into<String>, reply: Option<Vec<u8>>) -> Self {
        Self {
            principal: principal.into(),
            reply,
            channel_bound: false,
        }
    }

    /// Says the token carried the matching channel binding.
    #[must_use]
    pub fn channel_bound(mut self, bound: bool) -> Self {
        self.channel_bound = bound;
        self
    }
}

/// Whether a Negotiate token must be bound to the TLS channel it came
/// over ([RFC 5929] `tls-server-end-point`), as IIS's Extended Protection
/// settings say it.
///
/// A token bound to *another* channel (a relayed one) is refused under
/// every setting but [`Off`](Self::Off); the setting decides only about a
/// token with no binding at all.
///
/// [RFC 5929]: https://www.rfc-editor.org/rfc/rfc5929
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ChannelBinding {
    /// The binding is not checked (IIS "Off").
    Off,
    /// A binding, when the token has one, must match; a token without one
    /// is accepted (IIS "Accept"; what clients without Extended
    /// Protection, such as curl and older Python helpers, need).
    #[default]
    WhenSupported,
    /// Every token must carry the matching binding (IIS "Require"; Windows
    /// and `cepces enroll` send it).
    Required,
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
    /// The server requires channel binding and the token has none (or
    /// the connection has no TLS channel to bind to).
    #[error("the token is not bound to the TLS channel (channel binding required)")]
    Unbound,
}

/// Checks a Negotiate token.
pub trait Acceptor: Send + Sync + std::fmt::Debug {
    /// Accepts the client's first (and, for Kerberos, only) token.
    /// `channel_binding` is the connection's binding
    /// ([`tls_server_end_point`]) when it is to be checked: a token bound
    /// to other data is refused, and [`Accepted::channel_bound`] says
    /// whether the token carried it.
    fn accept(&self, token: &[u8], channel_binding: Option<&[u8]>) -> Result<Accepted, Refused>;
}

/// The `tls-server-end-point` channel binding of a TLS server certificate
/// ([RFC 5929] section 4.1): the label and the hash of the certificate,
/// SHA-256 unless its signature uses a stronger hash (MD5 and SHA-1
/// signatures also take SHA-256). Client and server compute the same
/// bytes: the client from the certificate the server presented, the
/// server from its own.
///
/// [RFC 5929]: https://www.rfc-editor.org/rfc/rfc5929
pub fn tls_server_end_point(certificate: &[u8]) -> Result<Vec<u8>, der::Error> {
    use der::Decode;
    use sha2::Digest;
    let cert = x509_cert::Certificate::from_der(certificate)?;
    let hash: Vec<u8> = match cert.signature_algorithm.oid.to_string().as_str() {
        // sha384WithRSAEncryption, ecdsa-with-SHA384
        "1.2.840.113549.1.1.12" | "1.2.840.10045.4.3.3" => {
            sha2::Sha384::digest(certificate).to_vec()
        }
        // sha512WithRSAEncryption, ecdsa-with-SHA512
        "1.2.840.113549.1.1.13" | "1.2.840.10045.4.3.4" => {
            sha2::Sha512::digest(certificate).to_vec()
        }
        // SHA-256, and MD5 and SHA-1 (RFC 5929: SHA-256 for those).
        _ => sha2::Sha256::digest(certificate).to_vec(),
    };
    let mut out = b"tls-server-end-point:".to_vec();
    out.extend_from_slice(&hash);
    Ok(out)
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

    /// `GSS_C_CHANNEL_BOUND_FLAG` (MIT krb5 1.19, `gssapi_ext.h`): the
    /// acceptor's channel bindings matched the initiator's.
    const GSS_C_CHANNEL_BOUND_FLAG: u32 = 2048;

    /// The system GSS-API's acceptor (MIT Kerberos): the service keys come
    /// from the default keytab (`KRB5_KTNAME`), any of its principals
    /// accepted; tickets are checked for expiry and replay by the library,
    /// and a channel binding given to [`Acceptor::accept`] is checked by
    /// it too (`GSS_S_BAD_BINDINGS` for another channel's token;
    /// `GSS_C_CHANNEL_BOUND_FLAG`, MIT 1.19 and later, when it matched).
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
        fn accept(
            &self,
            token: &[u8],
            channel_binding: Option<&[u8]>,
        ) -> Result<Accepted, Refused> {
            let mut ctx = ServerCtx::new(Some(self.cred.clone()));
            let reply = ctx
                .step(token, channel_binding)
                .map_err(|e| Refused::Mechanism(e.to_string()))?;
            if !ctx.is_complete() {
                return Err(Refused::Continue);
            }
            let name = ctx
                .source_name()
                .map_err(|e| Refused::Mechanism(format!("client name: {e}")))?;
            let bound = channel_binding.is_some()
                && ctx
                    .flags()
                    .is_ok_and(|f| f.bits() & GSS_C_CHANNEL_BOUND_FLAG != 0);
            Ok(Accepted::new(name.to_string(), reply.map(|b| b.to_vec())).channel_bound(bound))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The issued certificate of the MS-WSTEP 4.1.1.2 example (signed
    /// sha1RSA, so hashed with SHA-256 as RFC 5929 says), and openssl's
    /// SHA-256 fingerprint of it.
    #[test]
    fn tls_server_end_point_is_the_label_and_openssls_sha256_fingerprint() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/testdata/spec/wstep/4.1.1.2-RSTRC-issued.xml"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("skipped: {path} is missing");
            return;
        };
        let issued = &text[text.find("<RequestedSecurityToken>").unwrap()..];
        let b64 = &issued[issued.find("xsd\">").unwrap() + 5..issued.find("</Binary").unwrap()];
        let der = <soap_envelope::xsd::Base64Binary as soap_envelope::xsd::XsdType>::parse_xsd(b64)
            .unwrap()
            .0;
        let binding = tls_server_end_point(&der).unwrap();
        assert_eq!(&binding[..21], b"tls-server-end-point:");
        assert_eq!(binding.len(), 21 + 32);
        let dir = std::env::temp_dir().join(format!("cb-{}", std::process::id()));
        std::fs::write(&dir, &der).unwrap();
        let out = std::process::Command::new("openssl")
            .args([
                "x509",
                "-inform",
                "DER",
                "-noout",
                "-fingerprint",
                "-sha256",
                "-in",
            ])
            .arg(&dir)
            .output();
        let _ = std::fs::remove_file(&dir);
        let Ok(out) = out else {
            eprintln!("skipped: no openssl");
            return;
        };
        let text = String::from_utf8(out.stdout).unwrap();
        let hex: String = text
            .split_once('=')
            .unwrap()
            .1
            .trim()
            .split(':')
            .collect::<String>()
            .to_lowercase();
        let ours: String = binding[21..].iter().fold(String::new(), |mut s, b| {
            use std::fmt::Write as _;
            let _ = write!(s, "{b:02x}");
            s
        });
        assert_eq!(ours, hex);
    }

    #[test]
    fn a_certificate_that_does_not_parse_is_an_error_not_a_binding() {
        assert!(tls_server_end_point(b"\x30\x03\x02\x01").is_err());
    }
}
