//! The WS-Security 1.0 `Security` header ([WSS 1.0] 5) with the tokens
//! CEP, CES and Windows MDM enrollment use: UsernameToken ([WSS
//! UsernameToken Profile 1.0]), BinarySecurityToken ([WSS 1.0] 6.3) and
//! `wsu:Timestamp` ([WSS 1.0] 10).
//!
//! [WSS 1.0]: https://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0.pdf
//! [WSS UsernameToken Profile 1.0]: https://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0.pdf

use crate::any::AnyElement;
use crate::error::Result;
use crate::fields::{self, once};
use crate::header_attrs::HeaderAttrs;
use crate::name::QName;
use crate::ns;
use crate::reader::{Start, XmlReader};
use crate::traits::{FromXml, ToXml};
use crate::writer::XmlWriter;
use crate::xsd::{Base64Binary, DateTime, XsdType, collapse};
use soap_envelope_derive::{FromXml, ToXml};

/// `Type` of a plain-text password.
pub const PASSWORD_TEXT: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";
/// `Type` of a password digest.
pub const PASSWORD_DIGEST: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
/// `ValueType` of an X.509 v3 certificate token.
pub const VALUE_TYPE_X509V3: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
/// `EncodingType` base64, as WS-Security 1.0 spells it and Windows writes it.
pub const ENCODING_BASE64: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";
/// `EncodingType` base64 as MS-WSTEP and MS-MDE2 examples spell it (read as
/// a synonym of [`ENCODING_BASE64`]).
pub const ENCODING_BASE64_SECEXT: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd#base64binary";

pub(crate) const SECURITY: QName = QName::new(ns::WSSE, "Security");

/// The codec of `wsu:Id`, also read unqualified as some peers write it
/// (MS-MDE2 4.2.1.2 does); written qualified.
mod wsu_id {
    use super::{QName, Result, Start, XmlReader, XmlWriter};

    #[allow(clippy::unnecessary_wraps)] // the codec's signature
    pub(super) fn read_attr(
        _r: &XmlReader<'_>,
        start: &Start<'_>,
        name: QName,
    ) -> Result<Option<String>> {
        Ok(start
            .attr(name)
            .or_else(|| start.attr(QName::new("", name.local)))
            .map(str::to_owned))
    }

    pub(super) fn write_attr(w: &mut XmlWriter, name: QName, id: &str) -> Result<()> {
        w.attribute(name, id)
    }
}

/// The codec of `wsse:Password/@Type`: WSS defines it unqualified; MS-MDE2
/// examples write `wsse:Type`, also read. Whitespace collapsed.
mod password_type {
    use super::{QName, Result, Start, XmlReader, XmlWriter, collapse, ns};

    #[allow(clippy::unnecessary_wraps)] // the codec's signature
    pub(super) fn read_attr(
        _r: &XmlReader<'_>,
        start: &Start<'_>,
        name: QName,
    ) -> Result<Option<String>> {
        Ok(start
            .attr(name)
            .or_else(|| start.attr(QName::new(ns::WSSE, name.local)))
            .map(|s| collapse(s).into_owned()))
    }

    pub(super) fn write_attr(w: &mut XmlWriter, name: QName, value: &str) -> Result<()> {
        w.attribute(name, value)
    }
}

/// The `wsse:Security` header block ([WSS 1.0] 5).
///
/// ```
/// use soap_envelope::{Security, UsernameToken};
///
/// let s = Security::new().with_username_token(UsernameToken::password_text("alice", "s3cret"));
/// assert!(s.attrs.must_understand);
/// assert_eq!(s.username_token.unwrap().password.unwrap().value, "s3cret");
/// ```
///
/// [WSS 1.0]: https://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0.pdf
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Security {
    /// The SOAP header block attributes.
    pub attrs: HeaderAttrs,
    /// `wsu:Timestamp`.
    pub timestamp: Option<Timestamp>,
    /// `wsse:UsernameToken`.
    pub username_token: Option<UsernameToken>,
    /// `wsse:BinarySecurityToken`s.
    pub binary_security_tokens: Vec<BinarySecurityToken>,
    /// Other children (for example `ds:Signature`), kept as read.
    pub other: Vec<AnyElement>,
}

impl Security {
    /// An empty Security header with `mustUnderstand="1"`.
    pub fn new() -> Self {
        Self {
            attrs: HeaderAttrs::must_understand(),
            ..Self::default()
        }
    }

    /// Sets the UsernameToken.
    #[must_use]
    pub fn with_username_token(mut self, token: UsernameToken) -> Self {
        self.username_token = Some(token);
        self
    }

    /// Sets the Timestamp.
    #[must_use]
    pub fn with_timestamp(mut self, timestamp: Timestamp) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    /// Adds a BinarySecurityToken.
    #[must_use]
    pub fn with_binary_security_token(mut self, token: BinarySecurityToken) -> Self {
        self.binary_security_tokens.push(token);
        self
    }

    pub(crate) fn matches(start: &Start<'_>) -> bool {
        start.is(SECURITY)
    }

    pub(crate) fn read(
        r: &mut XmlReader<'_>,
        _start: &Start<'_>,
        attrs: HeaderAttrs,
    ) -> Result<Self> {
        let mut s = Security {
            attrs,
            ..Security::default()
        };
        while let Some(child) = r.next_child()? {
            if child.is(Timestamp::NAME) {
                once(r, &mut s.timestamp, Timestamp::NAME, |r| {
                    Timestamp::read(r, &child)
                })?;
            } else if child.is(UsernameToken::NAME) {
                once(r, &mut s.username_token, UsernameToken::NAME, |r| {
                    UsernameToken::read(r, &child)
                })?;
            } else if child.is(BinarySecurityToken::NAME) {
                s.binary_security_tokens
                    .push(BinarySecurityToken::read(r, &child)?);
            } else {
                s.other.push(r.any(&child)?);
            }
        }
        Ok(s)
    }
}

impl ToXml for Security {
    fn write(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(SECURITY)?;
        self.attrs.write(w)?;
        if let Some(t) = &self.timestamp {
            t.write(w)?;
        }
        if let Some(t) = &self.username_token {
            t.write(w)?;
        }
        for t in &self.binary_security_tokens {
            t.write(w)?;
        }
        for o in &self.other {
            o.write(w)?;
        }
        w.end()
    }
}

/// `wsu:Timestamp`: when the message was created and when it expires
/// ([WSS 1.0] 10).
///
/// [WSS 1.0]: https://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0.pdf
///
/// Children other than `Created` and `Expires` are skipped.
#[derive(Debug, Clone, PartialEq, Eq, Default, FromXml, ToXml)]
#[xml(ns = ns::WSU, name = "Timestamp", skip_unknown)]
#[non_exhaustive]
pub struct Timestamp {
    /// `wsu:Id`.
    #[xml(attribute(name = "Id", ns = ns::WSU), with = wsu_id)]
    pub id: Option<String>,
    /// `wsu:Created`.
    #[xml(name = "Created", with = fields::value)]
    pub created: Option<DateTime>,
    /// `wsu:Expires`.
    #[xml(name = "Expires", with = fields::value)]
    pub expires: Option<DateTime>,
}

impl Timestamp {
    /// A timestamp created at `created`, valid for `lifetime_secs` seconds.
    /// The caller owns the clock.
    pub fn new(created: DateTime, lifetime_secs: i64) -> Self {
        Self {
            id: Some("_0".to_owned()),
            created: Some(created),
            expires: Some(DateTime::from_unix(created.to_unix() + lifetime_secs, 0)),
        }
    }
}

/// `wsse:UsernameToken` ([WSS UsernameToken Profile 1.0] 3).
///
/// [WSS UsernameToken Profile 1.0]: https://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0.pdf
///
/// `Username` is required; children the profile does not define are
/// skipped.
#[derive(Debug, Clone, PartialEq, Eq, Default, FromXml, ToXml)]
#[xml(ns = ns::WSSE, name = "UsernameToken", skip_unknown)]
#[non_exhaustive]
pub struct UsernameToken {
    /// `wsu:Id`.
    #[xml(attribute(name = "Id", ns = ns::WSU), with = wsu_id)]
    pub id: Option<String>,
    /// `wsse:Username` (surrounding whitespace removed).
    #[xml(name = "Username", with = fields::trimmed)]
    pub username: String,
    /// `wsse:Password`.
    #[xml(name = "Password")]
    pub password: Option<Password>,
    /// `wsse:Nonce`, base64 as written (whitespace collapsed).
    #[xml(name = "Nonce", with = fields::token)]
    pub nonce: Option<String>,
    /// `wsu:Created`.
    #[xml(name = "Created", ns = ns::WSU, with = fields::value)]
    pub created: Option<DateTime>,
}

impl UsernameToken {
    /// A token with a plain-text password (over TLS, as CEP/CES use it).
    pub fn password_text(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            id: None,
            username: username.into(),
            password: Some(Password::text(password)),
            nonce: None,
            created: None,
        }
    }
}

/// `wsse:Password` with its `Type`.
///
/// Its `Debug` output never shows the value, so logging a parsed envelope
/// does not leak the password.
#[derive(Clone, PartialEq, Eq, Default, FromXml, ToXml)]
#[xml(ns = ns::WSSE, name = "Password")]
#[non_exhaustive]
pub struct Password {
    /// The password (or digest) exactly as sent.
    #[xml(text, with = fields::string)]
    pub value: String,
    /// `Type`: [`PASSWORD_TEXT`], [`PASSWORD_DIGEST`] or another URI; `None`
    /// means text.
    #[xml(attribute(name = "Type"), with = password_type)]
    pub password_type: Option<String>,
}

impl Password {
    /// A plain-text password ([`PASSWORD_TEXT`]).
    pub fn text(value: impl Into<String>) -> Self {
        Self::with_type(value, PASSWORD_TEXT)
    }

    /// A password (or digest) of `Type` `password_type`, such as
    /// [`PASSWORD_DIGEST`].
    pub fn with_type(value: impl Into<String>, password_type: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            password_type: Some(password_type.into()),
        }
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Password")
            .field("value", &"<redacted>")
            .field("password_type", &self.password_type)
            .finish()
    }
}

/// `wsse:BinarySecurityToken` ([WSS 1.0] 6.3): a binary token (a
/// certificate, a PKCS#10 or PKCS#7 blob) as base64 text.
///
/// `ValueType` and `EncodingType` are kept exactly as read; peers spell
/// them differently (see [`ENCODING_BASE64`] and [`ENCODING_BASE64_SECEXT`]).
/// The value is kept as text, with surrounding whitespace removed, so that a
/// placeholder or damaged token does not stop the envelope from parsing;
/// [`decode`](Self::decode) turns it into bytes.
///
/// [WSS 1.0]: https://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0.pdf
#[derive(Debug, Clone, PartialEq, Eq, Default, FromXml, ToXml)]
#[xml(ns = ns::WSSE, name = "BinarySecurityToken")]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct BinarySecurityToken {
    /// `ValueType`.
    #[xml(attribute(name = "ValueType"), with = fields::token)]
    pub value_type: Option<String>,
    /// `EncodingType`.
    #[xml(attribute(name = "EncodingType"), with = fields::token)]
    pub encoding_type: Option<String>,
    /// `wsu:Id` (or an unqualified `Id`).
    #[xml(attribute(name = "Id", ns = ns::WSU), with = wsu_id)]
    pub id: Option<String>,
    /// The base64 text.
    #[xml(text, with = fields::trimmed)]
    pub value: String,
}

impl BinarySecurityToken {
    /// A token carrying `bytes`, base64-encoded without line breaks, with the
    /// WS-Security base64 `EncodingType`.
    pub fn new(value_type: impl Into<String>, bytes: &[u8]) -> Self {
        Self {
            id: None,
            value_type: Some(value_type.into()),
            encoding_type: Some(ENCODING_BASE64.to_owned()),
            value: Base64Binary(bytes.to_vec()).to_xsd().into_owned(),
        }
    }

    /// The decoded bytes; whitespace and line breaks in the text are
    /// ignored.
    pub fn decode(&self) -> std::result::Result<Vec<u8>, String> {
        Base64Binary::parse_xsd(&self.value).map(|b| b.0)
    }

    /// Reads a `BinarySecurityToken` element (its start tag already read):
    /// [`FromXml::read`].
    pub fn read<'a>(r: &mut XmlReader<'a>, start: &Start<'a>) -> Result<Self> {
        <Self as FromXml<'a>>::read(r, start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password() {
        let t = UsernameToken::password_text("alice", "hunter2");
        let shown = format!("{:?}", Security::new().with_username_token(t));
        assert!(shown.contains("alice"));
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
