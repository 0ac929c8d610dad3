//! The input: [`LdapEntry`], a distinguished name and its attributes as
//! any LDAP client returns them.

use crate::error::{Error, Result, ValueError};

/// One directory entry: its distinguished name and its attributes, each a
/// list of raw values (`Vec<u8>`, as the LDAP wire carries them: UTF-8 for
/// strings, decimal text for integers, bytes for octet strings).
///
/// Attribute names are matched ignoring ASCII case ([MS-CRTD] 2: "all
/// attributes ... are identified by their ldapDisplayName and are
/// case-insensitive"), so the results of any LDAP crate can be fed in as
/// they come. Adding values to a name already present appends them.
///
/// ```
/// use cepces_adcs::LdapEntry;
///
/// let entry = LdapEntry::new("CN=User,CN=Certificate Templates,CN=Public Key Services,CN=Services,CN=Configuration,DC=example,DC=test")
///     .with_attribute("cn", ["User"])
///     .with_attribute("pKIDefaultCSPs", ["2,Microsoft Base Cryptographic Provider v1.0", "1,Microsoft Enhanced Cryptographic Provider v1.0"]);
/// assert_eq!(entry.values("CN"), [b"User".to_vec()]);
/// assert_eq!(entry.values("pkidefaultcsps").len(), 2);
/// assert!(entry.values("flags").is_empty());
/// ```
///
/// [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LdapEntry {
    dn: String,
    attributes: Vec<(String, Vec<Vec<u8>>)>,
}

impl LdapEntry {
    /// An entry with no attributes.
    pub fn new(dn: impl Into<String>) -> Self {
        Self {
            dn: dn.into(),
            attributes: Vec::new(),
        }
    }

    /// Adds values to attribute `name`.
    #[must_use]
    pub fn with_attribute<V: Into<Vec<u8>>>(
        mut self,
        name: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        self.insert(name, values);
        self
    }

    /// Adds values to attribute `name`.
    pub fn insert<V: Into<Vec<u8>>>(
        &mut self,
        name: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) {
        let name = name.into();
        let values = values.into_iter().map(Into::into);
        match self
            .attributes
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(&name))
        {
            Some((_, existing)) => existing.extend(values),
            None => self.attributes.push((name, values.collect())),
        }
    }

    /// The distinguished name.
    pub fn dn(&self) -> &str {
        &self.dn
    }

    /// The values of attribute `name` (ASCII case ignored); empty when the
    /// entry does not have it.
    pub fn values(&self, name: &str) -> &[Vec<u8>] {
        self.attributes
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or(&[], |(_, v)| v.as_slice())
    }

    /// The attribute names, as given.
    pub fn attribute_names(&self) -> impl Iterator<Item = &str> {
        self.attributes.iter().map(|(n, _)| n.as_str())
    }

    // -- typed readers, each naming the entry and attribute on error --

    pub(crate) fn bad(&self, attribute: &'static str, kind: ValueError) -> Error {
        Error::BadValue {
            dn: self.dn.clone(),
            attribute,
            kind,
        }
    }

    pub(crate) fn missing(&self, attribute: &'static str) -> Error {
        Error::MissingAttribute {
            dn: self.dn.clone(),
            attribute,
        }
    }

    /// The one value of a single-valued attribute, `None` when absent.
    pub(crate) fn single(&self, attribute: &'static str) -> Result<Option<&[u8]>> {
        match self.values(attribute) {
            [] => Ok(None),
            [one] => Ok(Some(one.as_slice())),
            many => Err(self.bad(attribute, ValueError::MultipleValues { count: many.len() })),
        }
    }

    pub(crate) fn string(&self, attribute: &'static str) -> Result<Option<&str>> {
        self.single(attribute)?
            .map(|v| std::str::from_utf8(v).map_err(|_| self.bad(attribute, ValueError::NotUtf8)))
            .transpose()
    }

    pub(crate) fn required_string(&self, attribute: &'static str) -> Result<&str> {
        self.string(attribute)?
            .ok_or_else(|| self.missing(attribute))
    }

    pub(crate) fn strings(&self, attribute: &'static str) -> Result<Vec<&str>> {
        self.values(attribute)
            .iter()
            .map(|v| std::str::from_utf8(v).map_err(|_| self.bad(attribute, ValueError::NotUtf8)))
            .collect()
    }

    /// A multi-valued attribute of dotted OIDs, each checked.
    pub(crate) fn oids(&self, attribute: &'static str) -> Result<Vec<String>> {
        self.strings(attribute)?
            .into_iter()
            .map(|s| check_oid(s.trim()).map_err(|k| self.bad(attribute, k)))
            .collect()
    }

    /// An LDAP Integer (RFC 4517 3.3.16, decimal text) in `min..=max`.
    pub(crate) fn integer(
        &self,
        attribute: &'static str,
        min: i64,
        max: i64,
    ) -> Result<Option<i64>> {
        let Some(text) = self.string(attribute)? else {
            return Ok(None);
        };
        let t = text.trim();
        t.parse::<i64>()
            .ok()
            .filter(|v| (min..=max).contains(v))
            .map(Some)
            .ok_or_else(|| self.bad(attribute, ValueError::not_an_integer(t, min, max)))
    }

    /// A 32-bit flag word: AD stores integers as signed 32-bit values, so
    /// `-1509949440` is the bit pattern `0xA6000000`. Accepts
    /// `i32::MIN..=u32::MAX`.
    pub(crate) fn flags32(&self, attribute: &'static str) -> Result<Option<u32>> {
        Ok(self
            .integer(attribute, i64::from(i32::MIN), i64::from(u32::MAX))?
            .map(|v| {
                let bytes = v.to_le_bytes();
                u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
            }))
    }

    /// A non-negative 32-bit count or number.
    pub(crate) fn unsigned(&self, attribute: &'static str) -> Result<Option<u32>> {
        Ok(self
            .integer(attribute, 0, i64::from(u32::MAX))?
            .and_then(|v| u32::try_from(v).ok()))
    }
}

/// `s` if it is a dotted object identifier (as `der` reads one: at least
/// two arcs, the first 0 to 2).
pub(crate) fn check_oid(s: &str) -> Result<String, ValueError> {
    der::asn1::ObjectIdentifier::new(s)
        .map(|_| s.to_owned())
        .map_err(|_| ValueError::NotAnOid(s.chars().take(64).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_values_append() {
        let mut e = LdapEntry::new("CN=x").with_attribute("msPKI-Enrollment-Flag", ["41"]);
        e.insert("MSPKI-ENROLLMENT-FLAG", ["1"]);
        assert_eq!(e.values("mspki-enrollment-flag").len(), 2);
        let err = e.flags32("msPKI-Enrollment-Flag").unwrap_err();
        assert_eq!(
            err,
            Error::BadValue {
                dn: "CN=x".into(),
                attribute: "msPKI-Enrollment-Flag",
                kind: ValueError::MultipleValues { count: 2 }
            }
        );
    }

    #[test]
    fn negative_flag_words_are_bit_patterns() {
        let e = LdapEntry::new("CN=x")
            .with_attribute("msPKI-Certificate-Name-Flag", ["-1509949440"])
            .with_attribute("flags", ["4294967296"])
            .with_attribute("revision", ["x1"]);
        assert_eq!(
            e.flags32("msPKI-Certificate-Name-Flag").unwrap(),
            Some(0xA600_0000)
        );
        assert!(matches!(
            e.flags32("flags").unwrap_err(),
            Error::BadValue {
                attribute: "flags",
                kind: ValueError::NotAnInteger { .. },
                ..
            }
        ));
        assert!(matches!(
            e.unsigned("revision").unwrap_err().attribute(),
            "revision"
        ));
    }
}
