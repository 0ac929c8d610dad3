//! Object identifiers of a GetPoliciesResponse: [`Oid`] and [`OidGroup`].

use std::fmt;

use soap_envelope::{AnyElement, FromXml, ToXml};

/// `OID` complex type, [MS-XCEP] 3.1.4.1.3.16: an object identifier, what
/// it identifies (its [`group`](Self::group)) and the id by which templates
/// refer to it. Read from and written as an `<oID>` element of the response's
/// `oIDs` ([MS-XCEP] 3.1.4.1.3.17).
///
/// ```xml
/// <xs:complexType name="OID">
///   <xs:sequence>
///     <xs:element name="value" type="xs:string" />
///     <xs:element name="group" type="xs:unsignedInt" />
///     <xs:element name="oIDReferenceID" type="xs:int" />
///     <xs:element name="defaultName" type="xs:string" nillable="true" />
///     <xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded" />
///   </xs:sequence>
/// </xs:complexType>
/// ```
///
/// `value` is an `xs:string` in the schema; as a dotted OID it has no
/// meaningful whitespace, so surrounding whitespace is removed on reading
/// (the [MS-XCEP] 4.1.1.2 example wraps a value over three lines).
///
/// ```
/// use xcep::{Oid, OidGroup};
///
/// let oid = Oid::new("2.5.29.15", OidGroup::ExtensionOrAttribute, 7).with_default_name("Key Usage");
/// assert_eq!(u32::from(oid.group), 6);
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(FromXml, ToXml)]
#[xml(ns = crate::NAMESPACE, prefixes = crate::PREFIXES, nil = crate::codec::is_nil, name = "oID")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Oid {
    /// `value`: the dotted object identifier, e.g. `2.5.29.37`.
    #[xml(name = "value", with = crate::codec::with::trimmed)]
    pub value: String,
    /// `group`: what kind of object the OID identifies.
    #[xml(name = "group", with = group)]
    pub group: OidGroup,
    /// `oIDReferenceID`: unique within a response; the target of every
    /// `...OIDReference` element.
    #[xml(name = "oIDReferenceID", with = soap_envelope::fields::value)]
    pub oid_reference_id: i32,
    /// `defaultName`: a friendly, not localized name; `None` when nil.
    #[xml(name = "defaultName", nillable)]
    pub default_name: Option<String>,
    /// Elements of the `##any` extension point, kept as read.
    #[xml(unknown)]
    pub extensions: Vec<AnyElement>,
}

impl Oid {
    /// An OID without a default name.
    pub fn new(value: impl Into<String>, group: OidGroup, oid_reference_id: i32) -> Self {
        Self {
            value: value.into(),
            group,
            oid_reference_id,
            default_name: None,
            extensions: Vec::new(),
        }
    }

    /// Sets `defaultName`.
    #[must_use]
    pub fn with_default_name(mut self, name: impl Into<String>) -> Self {
        self.default_name = Some(name.into());
        self
    }

    /// Adds an element to the `##any` extension point.
    #[must_use]
    pub fn with_extension(mut self, element: AnyElement) -> Self {
        self.extensions.push(element);
        self
    }
}

/// The `group` of an [`Oid`], [MS-XCEP] 3.1.4.1.3.16: what the object
/// identifier identifies.
///
/// | value | variant |
/// |---|---|
/// | 1 | [`HashAlgorithm`](Self::HashAlgorithm) |
/// | 2 | [`EncryptionAlgorithm`](Self::EncryptionAlgorithm) |
/// | 3 | [`PublicKey`](Self::PublicKey) |
/// | 4 | [`SigningAlgorithm`](Self::SigningAlgorithm) |
/// | 5 | [`Rdn`](Self::Rdn) |
/// | 6 | [`ExtensionOrAttribute`](Self::ExtensionOrAttribute) |
/// | 7 | [`ExtendedKeyUsage`](Self::ExtendedKeyUsage) |
/// | 8 | [`CertificatePolicy`](Self::CertificatePolicy) |
/// | 9 | [`EnrollmentObject`](Self::EnrollmentObject) |
///
/// The spec says the group "MUST be one of" these; other values are kept as
/// [`Other`](Self::Other) so that a response from a newer server still
/// reads. Convert with `From<u32>` (which never yields `Other` for 1 to 9)
/// and `u32::from`.
///
/// ```
/// use xcep::OidGroup;
///
/// assert_eq!(OidGroup::from(9), OidGroup::EnrollmentObject);
/// assert_eq!(OidGroup::from(42), OidGroup::Other(42));
/// assert_eq!(u32::from(OidGroup::Other(42)), 42);
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OidGroup {
    /// 1: hash algorithm identifier.
    HashAlgorithm,
    /// 2: encryption algorithm identifier.
    EncryptionAlgorithm,
    /// 3: public key identifier.
    PublicKey,
    /// 4: signing algorithm identifier.
    SigningAlgorithm,
    /// 5: relative distinguished name (RDN) identifier.
    Rdn,
    /// 6: certificate extension or attribute identifier.
    ExtensionOrAttribute,
    /// 7: extended key usage identifier.
    ExtendedKeyUsage,
    /// 8: certificate policy identifier.
    CertificatePolicy,
    /// 9: enrollment object identifier (a template's `policyOIDReference`).
    EnrollmentObject,
    /// A value the spec does not define.
    Other(u32),
}

impl From<u32> for OidGroup {
    fn from(v: u32) -> Self {
        match v {
            1 => OidGroup::HashAlgorithm,
            2 => OidGroup::EncryptionAlgorithm,
            3 => OidGroup::PublicKey,
            4 => OidGroup::SigningAlgorithm,
            5 => OidGroup::Rdn,
            6 => OidGroup::ExtensionOrAttribute,
            7 => OidGroup::ExtendedKeyUsage,
            8 => OidGroup::CertificatePolicy,
            9 => OidGroup::EnrollmentObject,
            other => OidGroup::Other(other),
        }
    }
}

impl From<OidGroup> for u32 {
    fn from(g: OidGroup) -> Self {
        match g {
            OidGroup::HashAlgorithm => 1,
            OidGroup::EncryptionAlgorithm => 2,
            OidGroup::PublicKey => 3,
            OidGroup::SigningAlgorithm => 4,
            OidGroup::Rdn => 5,
            OidGroup::ExtensionOrAttribute => 6,
            OidGroup::ExtendedKeyUsage => 7,
            OidGroup::CertificatePolicy => 8,
            OidGroup::EnrollmentObject => 9,
            OidGroup::Other(v) => v,
        }
    }
}

impl fmt::Display for OidGroup {
    /// The spec's meaning, e.g. `hash algorithm`, or `group N`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            OidGroup::HashAlgorithm => "hash algorithm",
            OidGroup::EncryptionAlgorithm => "encryption algorithm",
            OidGroup::PublicKey => "public key",
            OidGroup::SigningAlgorithm => "signing algorithm",
            OidGroup::Rdn => "relative distinguished name",
            OidGroup::ExtensionOrAttribute => "certificate extension or attribute",
            OidGroup::ExtendedKeyUsage => "extended key usage",
            OidGroup::CertificatePolicy => "certificate policy",
            OidGroup::EnrollmentObject => "enrollment object",
            OidGroup::Other(v) => return write!(f, "group {v}"),
        };
        f.write_str(s)
    }
}

#[cfg(test)]
mod tests {
    use super::OidGroup;

    #[test]
    fn groups_convert_both_ways() {
        for v in (0..=12).chain([u32::MAX]) {
            let g = OidGroup::from(v);
            assert_eq!(u32::from(g), v);
            assert_eq!(matches!(g, OidGroup::Other(_)), !(1..=9).contains(&v));
        }
        assert_eq!(OidGroup::from(7).to_string(), "extended key usage");
        assert_eq!(OidGroup::Other(12).to_string(), "group 12");
    }
}

/// The codec of [`Oid::group`]: its `xs:unsignedInt` value.
mod group {
    use soap_envelope::{QName, Result, Start, XmlReader, XmlWriter};

    use super::OidGroup;

    pub(super) fn read(r: &mut XmlReader<'_>, _start: &Start<'_>) -> Result<OidGroup> {
        r.value::<u32>().map(OidGroup::from)
    }

    #[allow(clippy::trivially_copy_pass_by_ref)] // a codec's signature
    pub(super) fn write(w: &mut XmlWriter, name: QName, group: &OidGroup) -> Result<()> {
        w.value_element(name, &u32::from(*group))
    }
}
