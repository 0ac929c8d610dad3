//! An LDAP entry as any LDAP library returns it: a DN and attributes with
//! byte-string values.

use std::collections::BTreeMap;

use crate::error::{Error, ErrorKind, Result};

/// An LDAP entry: its distinguished name and its attributes, each with its
/// values as bytes (strings are UTF-8, binary attributes such as
/// `cACertificate` or `nTSecurityDescriptor` their octets). Attribute names
/// are compared without regard to ASCII case, as LDAP compares them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    dn: String,
    attributes: BTreeMap<String, Vec<Vec<u8>>>,
}

impl Entry {
    /// An entry with no attributes.
    pub fn new(dn: impl Into<String>) -> Self {
        Self {
            dn: dn.into(),
            attributes: BTreeMap::new(),
        }
    }

    /// Adds the values of `name`.
    #[must_use]
    pub fn with<V: AsRef<[u8]>>(mut self, name: &str, values: impl IntoIterator<Item = V>) -> Self {
        self.push(name, values);
        self
    }

    /// Adds the values of `name`.
    pub fn push<V: AsRef<[u8]>>(&mut self, name: &str, values: impl IntoIterator<Item = V>) {
        self.attributes
            .entry(name.to_ascii_lowercase())
            .or_default()
            .extend(values.into_iter().map(|v| v.as_ref().to_vec()));
    }

    /// The distinguished name.
    pub fn dn(&self) -> &str {
        &self.dn
    }

    /// The values of `name` (none when absent).
    pub fn values(&self, name: &str) -> &[Vec<u8>] {
        self.attributes
            .get(&name.to_ascii_lowercase())
            .map_or(&[], Vec::as_slice)
    }

    /// The first value of `name`.
    pub fn first(&self, name: &str) -> Option<&[u8]> {
        self.values(name).first().map(Vec::as_slice)
    }

    pub(crate) fn error(&self, attribute: &'static str, kind: ErrorKind) -> Error {
        Error::new(&self.dn, attribute, kind)
    }

    pub(crate) fn malformed(&self, attribute: &'static str, what: impl Into<String>) -> Error {
        self.error(attribute, ErrorKind::Malformed(what.into()))
    }

    /// The first value of `name` as UTF-8 text.
    pub(crate) fn string(&self, attribute: &'static str) -> Result<Option<String>> {
        self.first(attribute)
            .map(|v| {
                std::str::from_utf8(v)
                    .map(str::to_owned)
                    .map_err(|_| self.malformed(attribute, "not UTF-8"))
            })
            .transpose()
    }

    /// Every value of `name` as UTF-8 text.
    pub(crate) fn strings(&self, attribute: &'static str) -> Result<Vec<String>> {
        self.values(attribute)
            .iter()
            .map(|v| {
                std::str::from_utf8(v)
                    .map(str::to_owned)
                    .map_err(|_| self.malformed(attribute, "not UTF-8"))
            })
            .collect()
    }

    /// A required text value.
    pub(crate) fn required(&self, attribute: &'static str) -> Result<String> {
        self.string(attribute)?
            .ok_or_else(|| self.error(attribute, ErrorKind::Missing))
    }

    /// An LDAP INTEGER (decimal text, 2.5.5.9) as the 32-bit pattern AD
    /// stores: flags such as `msPKI-Certificate-Name-Flag` are written
    /// signed (`-2113929216` is `0x82000000`).
    pub(crate) fn u32(&self, attribute: &'static str) -> Result<Option<u32>> {
        let Some(text) = self.string(attribute)? else {
            return Ok(None);
        };
        let t = text.trim();
        let value = t
            .parse::<i64>()
            .ok()
            .filter(|v| (i64::from(i32::MIN)..=i64::from(u32::MAX)).contains(v))
            .ok_or_else(|| self.malformed(attribute, format!("{t:?} is not a 32-bit integer")))?;
        // A negative value is the same bits as its unsigned twin.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(Some(value as u32))
    }
}
