//! Certificate enrollment policies (templates) and their parts:
//! [`CertificateEnrollmentPolicy`], [`Attributes`] and the types inside.

use soap_envelope::{AnyElement, FromXml, ToXml};

use crate::base64_text::Base64Text;
use crate::flags::{
    EnrollmentFlags, GeneralFlags, KeySpec, KeyUsageProperty, PrivateKeyFlags, SubjectNameFlags,
};

// ---------------------------------------------------------------------------
// CertificateEnrollmentPolicy
// ---------------------------------------------------------------------------

/// `CertificateEnrollmentPolicy` complex type, [MS-XCEP] 3.1.4.1.3.7: one
/// certificate template, the CAs that issue it and its attributes. Read
/// from and written as a `<policy>` element of the response's `policies`
/// (`PolicyCollection`, [MS-XCEP] 3.1.4.1.3.19).
///
/// ```xml
/// <xs:complexType name="CertificateEnrollmentPolicy">
///   <xs:sequence>
///     <xs:element name="policyOIDReference" type="xs:int" />
///     <xs:element name="cAs" type="xcep:CAReferenceCollection" nillable="true" />
///     <xs:element name="attributes" type="xcep:Attributes" />
///     <xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded" />
///   </xs:sequence>
/// </xs:complexType>
/// <xs:complexType name="CAReferenceCollection">
///   <xs:sequence>
///     <xs:element name="cAReference" type="xs:int" minOccurs="1" maxOccurs="unbounded" />
///   </xs:sequence>
/// </xs:complexType>
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(FromXml, ToXml)]
#[xml(ns = crate::NAMESPACE, prefixes = crate::PREFIXES, nil = crate::codec::is_nil, name = "policy")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CertificateEnrollmentPolicy {
    /// `policyOIDReference`: the `oIDReferenceID` of the template's OID
    /// (group 9, enrollment object); identifies the policy.
    #[xml(name = "policyOIDReference", with = soap_envelope::fields::value)]
    pub policy_oid_reference: i32,
    /// `cAs`: the `cAReferenceID`s of the CAs that issue this template
    /// (`CAReferenceCollection`, [MS-XCEP] 3.1.4.1.3.4); `None` when nil.
    /// An empty list is written as nil.
    #[xml(name = "cAs", nillable, list(item = "cAReference"), with = soap_envelope::fields::value)]
    pub cas: Option<Vec<i32>>,
    /// `attributes`: the template's settings.
    #[xml(name = "attributes")]
    pub attributes: Attributes,
    /// Elements of the `##any` extension point, kept as read.
    #[xml(unknown)]
    pub extensions: Vec<AnyElement>,
}

impl CertificateEnrollmentPolicy {
    /// A policy issued by no CA yet (`cAs` nil).
    pub fn new(policy_oid_reference: i32, attributes: Attributes) -> Self {
        Self {
            policy_oid_reference,
            cas: None,
            attributes,
            extensions: Vec::new(),
        }
    }

    /// Adds a `cAReference`.
    #[must_use]
    pub fn with_ca_reference(mut self, ca_reference_id: i32) -> Self {
        self.cas.get_or_insert_with(Vec::new).push(ca_reference_id);
        self
    }

    /// Adds an element to the `##any` extension point.
    #[must_use]
    pub fn with_extension(mut self, element: AnyElement) -> Self {
        self.extensions.push(element);
        self
    }
}

// ---------------------------------------------------------------------------
// Attributes
// ---------------------------------------------------------------------------

/// `Attributes` complex type, [MS-XCEP] 3.1.4.1.3.1: the settings of a
/// certificate template. Read from and written as the `<attributes>` element
/// of a [`CertificateEnrollmentPolicy`].
///
/// ```xml
/// <xs:complexType name="Attributes">
///   <xs:sequence>
///     <xs:element ref="xcep:commonName" />
///     <xs:element name="policySchema" type="xs:unsignedInt" />
///     <xs:element name="certificateValidity" type="xcep:CertificateValidity" />
///     <xs:element name="permission" type="xcep:EnrollmentPermission" />
///     <xs:element name="privateKeyAttributes" type="xcep:PrivateKeyAttributes" />
///     <xs:element name="revision" type="xcep:Revision" />
///     <xs:element name="supersededPolicies" type="xcep:SupersededPolicies" nillable="true" />
///     <xs:element name="privateKeyFlags" type="xs:unsignedInt" nillable="true" />
///     <xs:element name="subjectNameFlags" type="xs:unsignedInt" nillable="true" />
///     <xs:element name="enrollmentFlags" type="xs:unsignedInt" nillable="true" />
///     <xs:element name="generalFlags" type="xs:unsignedInt" nillable="true" />
///     <xs:element name="hashAlgorithmOIDReference" type="xs:int" nillable="true" />
///     <xs:element name="rARequirements" type="xcep:RARequirements" nillable="true" />
///     <xs:element name="keyArchivalAttributes" type="xcep:KeyArchivalAttributes" nillable="true" />
///     <xs:element name="extensions" type="xcep:ExtensionCollection" nillable="true" />
///     <xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded" />
///   </xs:sequence>
/// </xs:complexType>
/// <xs:complexType name="ExtensionCollection">
///   <xs:sequence>
///     <xs:element name="extension" type="xcep:Extension" minOccurs="1" maxOccurs="unbounded" />
///   </xs:sequence>
/// </xs:complexType>
/// ```
///
/// Every nillable field is `None` when nil (or absent, or empty). The
/// flags keep bits they do not name.
///
/// `commonName`, `certificateValidity`, `permission` and `revision` are
/// required by the schema but read as `None` when absent: MS-MDE2
/// enrollment servers leave them out, and the Windows MDM client, which
/// evaluates only `policySchema`, `privateKeyAttributes/minimalKeyLength`,
/// `algorithmOIDReference` and `hashAlgorithmOIDReference` of them
/// ([MS-MDE2] 3.3.4.1.1.2), enrolls anyway. [`Attributes::missing_required`]
/// names the ones absent. [`Attributes::new`] takes all four, so what this
/// crate builds is schema-valid; the writer writes what is present, so a
/// peer's attributes are written back as they were read.
///
/// ```
/// use xcep::{Attributes, CertificateValidity, EnrollmentPermission, PrivateKeyAttributes, Revision};
/// use xcep::flags::SubjectNameFlags;
///
/// let a = Attributes::new(
///     "WebServer",
///     2,
///     CertificateValidity::new(31_536_000, 3_628_800),
///     EnrollmentPermission::new(true, false),
///     PrivateKeyAttributes::new(2048),
///     Revision::new(100, 4),
/// )
/// .with_subject_name_flags(SubjectNameFlags::from_bits_retain(1));
/// assert_eq!(a.subject_name_flags.unwrap().bits(), 1);
/// assert!(a.extensions.is_none());
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
/// [MS-MDE2]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-mde2/
#[derive(FromXml, ToXml)]
#[xml(ns = crate::NAMESPACE, prefixes = crate::PREFIXES, nil = crate::codec::is_nil, name = "attributes")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Attributes {
    /// `commonName`: the template's name, unique in a response. Required
    /// by the schema; `None` when absent (MS-MDE2 servers leave it out).
    #[xml(name = "commonName")]
    pub common_name: Option<String>,
    /// `policySchema`: the template schema version, 1, 2 or 3.
    #[xml(name = "policySchema", with = soap_envelope::fields::value)]
    pub policy_schema: u32,
    /// `certificateValidity`. Required by the schema; `None` when absent
    /// (MS-MDE2 servers leave it out).
    #[xml(name = "certificateValidity")]
    pub certificate_validity: Option<CertificateValidity>,
    /// `permission`. Required by the schema; `None` when absent (MS-MDE2
    /// servers leave it out).
    #[xml(name = "permission")]
    pub permission: Option<EnrollmentPermission>,
    /// `privateKeyAttributes`.
    #[xml(name = "privateKeyAttributes")]
    pub private_key_attributes: PrivateKeyAttributes,
    /// `revision`. Required by the schema; `None` when absent (MS-MDE2
    /// servers leave it out).
    #[xml(name = "revision")]
    pub revision: Option<Revision>,
    /// `supersededPolicies`: `None` when nil (the template supersedes
    /// none).
    #[xml(name = "supersededPolicies", nillable, with = superseded)]
    pub superseded_policies: Option<SupersededPolicies>,
    /// `privateKeyFlags`.
    #[xml(name = "privateKeyFlags", nillable, with = crate::codec::with::flags)]
    pub private_key_flags: Option<PrivateKeyFlags>,
    /// `subjectNameFlags`.
    #[xml(name = "subjectNameFlags", nillable, with = crate::codec::with::flags)]
    pub subject_name_flags: Option<SubjectNameFlags>,
    /// `enrollmentFlags`.
    #[xml(name = "enrollmentFlags", nillable, with = crate::codec::with::flags)]
    pub enrollment_flags: Option<EnrollmentFlags>,
    /// `generalFlags`.
    #[xml(name = "generalFlags", nillable, with = crate::codec::with::flags)]
    pub general_flags: Option<GeneralFlags>,
    /// `hashAlgorithmOIDReference`: the `oIDReferenceID` of the hash
    /// algorithm; nil for schema 1 and 2 templates.
    #[xml(name = "hashAlgorithmOIDReference", nillable, with = soap_envelope::fields::value)]
    pub hash_algorithm_oid_reference: Option<i32>,
    /// `rARequirements`.
    #[xml(name = "rARequirements", nillable)]
    pub ra_requirements: Option<RaRequirements>,
    /// `keyArchivalAttributes`.
    #[xml(name = "keyArchivalAttributes", nillable)]
    pub key_archival_attributes: Option<KeyArchivalAttributes>,
    /// `extensions` (`ExtensionCollection`, [MS-XCEP] 3.1.4.1.3.13): the
    /// X.509 extensions to put in the request. An empty list is written as
    /// nil.
    #[xml(name = "extensions", nillable, list(item = "extension"))]
    pub extensions: Option<Vec<Extension>>,
    /// Elements of the `##any` vendor extension point, kept as read (for
    /// example MS-MDE2's `attestation`). Named so because `extensions` is
    /// the schema's own element.
    #[xml(unknown)]
    pub vendor_extensions: Vec<AnyElement>,
}

impl Attributes {
    /// Attributes with the required elements; every nillable one is nil.
    pub fn new(
        common_name: impl Into<String>,
        policy_schema: u32,
        certificate_validity: CertificateValidity,
        permission: EnrollmentPermission,
        private_key_attributes: PrivateKeyAttributes,
        revision: Revision,
    ) -> Self {
        Self {
            common_name: Some(common_name.into()),
            policy_schema,
            certificate_validity: Some(certificate_validity),
            permission: Some(permission),
            private_key_attributes,
            revision: Some(revision),
            superseded_policies: None,
            private_key_flags: None,
            subject_name_flags: None,
            enrollment_flags: None,
            general_flags: None,
            hash_algorithm_oid_reference: None,
            ra_requirements: None,
            key_archival_attributes: None,
            extensions: None,
            vendor_extensions: Vec::new(),
        }
    }

    /// The elements the schema requires that were absent when read, in
    /// schema order: some of `commonName`, `certificateValidity`,
    /// `permission` and `revision`. Empty for anything built with
    /// [`Attributes::new`].
    pub fn missing_required(&self) -> Vec<&'static str> {
        [
            (self.common_name.is_none(), "commonName"),
            (self.certificate_validity.is_none(), "certificateValidity"),
            (self.permission.is_none(), "permission"),
            (self.revision.is_none(), "revision"),
        ]
        .into_iter()
        .filter_map(|(missing, name)| missing.then_some(name))
        .collect()
    }

    /// Adds a superseded template's common name.
    #[must_use]
    pub fn with_superseded_policy(mut self, common_name: impl Into<String>) -> Self {
        self.superseded_policies
            .get_or_insert_with(SupersededPolicies::default)
            .common_names
            .push(common_name.into());
        self
    }

    /// Sets `privateKeyFlags`.
    #[must_use]
    pub fn with_private_key_flags(mut self, flags: PrivateKeyFlags) -> Self {
        self.private_key_flags = Some(flags);
        self
    }

    /// Sets `subjectNameFlags`.
    #[must_use]
    pub fn with_subject_name_flags(mut self, flags: SubjectNameFlags) -> Self {
        self.subject_name_flags = Some(flags);
        self
    }

    /// Sets `enrollmentFlags`.
    #[must_use]
    pub fn with_enrollment_flags(mut self, flags: EnrollmentFlags) -> Self {
        self.enrollment_flags = Some(flags);
        self
    }

    /// Sets `generalFlags`.
    #[must_use]
    pub fn with_general_flags(mut self, flags: GeneralFlags) -> Self {
        self.general_flags = Some(flags);
        self
    }

    /// Sets `hashAlgorithmOIDReference`.
    #[must_use]
    pub fn with_hash_algorithm_oid_reference(mut self, oid_reference_id: i32) -> Self {
        self.hash_algorithm_oid_reference = Some(oid_reference_id);
        self
    }

    /// Sets `rARequirements`.
    #[must_use]
    pub fn with_ra_requirements(mut self, ra: RaRequirements) -> Self {
        self.ra_requirements = Some(ra);
        self
    }

    /// Sets `keyArchivalAttributes`.
    #[must_use]
    pub fn with_key_archival_attributes(mut self, k: KeyArchivalAttributes) -> Self {
        self.key_archival_attributes = Some(k);
        self
    }

    /// Adds an X.509 extension.
    #[must_use]
    pub fn with_extension(mut self, extension: Extension) -> Self {
        self.extensions.get_or_insert_with(Vec::new).push(extension);
        self
    }

    /// Adds an element to the `##any` vendor extension point.
    #[must_use]
    pub fn with_vendor_extension(mut self, element: AnyElement) -> Self {
        self.vendor_extensions.push(element);
        self
    }
}

// ---------------------------------------------------------------------------
// SupersededPolicies
// ---------------------------------------------------------------------------

/// `SupersededPolicies` complex type, [MS-XCEP] 3.1.4.1.3.25: the common
/// names of the templates a template supersedes. The list is not ordered.
///
/// ```xml
/// <xs:complexType name="SupersededPolicies">
///   <xs:sequence>
///     <xs:element ref="xcep:commonName" minOccurs="1" maxOccurs="unbounded" />
///   </xs:sequence>
/// </xs:complexType>
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct SupersededPolicies {
    /// The `commonName`s. The schema requires at least one; an
    /// [`Attributes`] with an empty list writes `supersededPolicies` as nil.
    pub common_names: Vec<String>,
}

impl<S: Into<String>> FromIterator<S> for SupersededPolicies {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        Self {
            common_names: iter.into_iter().map(Into::into).collect(),
        }
    }
}

/// The codec of [`Attributes::superseded_policies`]: a nillable
/// collection of `commonName`s; no items is nil, and so is an empty list
/// when written.
mod superseded {
    use soap_envelope::{QName, Result, Start, XmlReader, XmlWriter, fields};

    use super::SupersededPolicies;
    use crate::codec::xcep;

    const COMMON_NAME: QName = xcep("commonName");

    pub(super) fn read_nillable(
        r: &mut XmlReader<'_>,
        _start: &Start<'_>,
    ) -> Result<Option<SupersededPolicies>> {
        Ok(fields::nonempty_list(r, COMMON_NAME, fields::string::read)?
            .map(|common_names| SupersededPolicies { common_names }))
    }

    pub(super) fn write_nillable(
        w: &mut XmlWriter,
        name: QName,
        value: Option<&SupersededPolicies>,
    ) -> Result<()> {
        fields::write_nillable_list(w, name, value.map(|s| &s.common_names), |w, t| {
            fields::string::write(w, COMMON_NAME, t)
        })
    }
}

// ---------------------------------------------------------------------------
// CertificateValidity, EnrollmentPermission, Revision
// ---------------------------------------------------------------------------

/// `CertificateValidity` complex type, [MS-XCEP] 3.1.4.1.3.8: the
/// recommended validity and renewal periods of an issued certificate.
///
/// ```xml
/// <xs:complexType name="CertificateValidity">
///   <xs:sequence>
///     <xs:element name="validityPeriodSeconds" type="xs:unsignedLong" />
///     <xs:element name="renewalPeriodSeconds" type="xs:unsignedLong" />
///   </xs:sequence>
/// </xs:complexType>
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(FromXml, ToXml)]
#[xml(ns = crate::NAMESPACE, prefixes = crate::PREFIXES, nil = crate::codec::is_nil, name = "certificateValidity")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CertificateValidity {
    /// `validityPeriodSeconds`: "MUST be a positive nonzero long".
    #[xml(name = "validityPeriodSeconds", with = soap_envelope::fields::value)]
    pub validity_period_seconds: u64,
    /// `renewalPeriodSeconds`: "MUST be a positive nonzero long".
    #[xml(name = "renewalPeriodSeconds", with = soap_envelope::fields::value)]
    pub renewal_period_seconds: u64,
    /// Child elements the schema does not define, kept as read (written
    /// after the defined ones).
    #[xml(unknown)]
    pub unknown: Vec<AnyElement>,
}

impl CertificateValidity {
    /// Periods in seconds.
    pub fn new(validity_period_seconds: u64, renewal_period_seconds: u64) -> Self {
        Self {
            validity_period_seconds,
            renewal_period_seconds,
            unknown: Vec::new(),
        }
    }
}

/// `EnrollmentPermission` complex type, [MS-XCEP] 3.1.4.1.3.11: what the
/// requestor may do with a template. Read from and written as the
/// `<permission>` element of [`Attributes`].
///
/// ```xml
/// <xs:complexType name="EnrollmentPermission">
///   <xs:sequence>
///     <xs:element name="enroll" type="xs:boolean" />
///     <xs:element name="autoEnroll" type="xs:boolean" />
///   </xs:sequence>
/// </xs:complexType>
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(FromXml, ToXml)]
#[xml(ns = crate::NAMESPACE, prefixes = crate::PREFIXES, nil = crate::codec::is_nil, name = "permission")]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct EnrollmentPermission {
    /// `enroll`: the requestor may enroll.
    #[xml(name = "enroll", with = soap_envelope::fields::value)]
    pub enroll: bool,
    /// `autoEnroll`: the requestor may enroll automatically.
    #[xml(name = "autoEnroll", with = soap_envelope::fields::value)]
    pub auto_enroll: bool,
    /// Child elements the schema does not define, kept as read (written
    /// after the defined ones).
    #[xml(unknown)]
    pub unknown: Vec<AnyElement>,
}

impl EnrollmentPermission {
    /// The two permissions.
    pub fn new(enroll: bool, auto_enroll: bool) -> Self {
        Self {
            enroll,
            auto_enroll,
            unknown: Vec::new(),
        }
    }
}

/// `Revision` complex type, [MS-XCEP] 3.1.4.1.3.24: the version of a
/// template.
///
/// ```xml
/// <xs:complexType name="Revision">
///   <xs:sequence>
///     <xs:element name="majorRevision" type="xs:unsignedInt" />
///     <xs:element name="minorRevision" type="xs:unsignedInt" nillable="true" />
///   </xs:sequence>
/// </xs:complexType>
/// ```
///
/// Erratum: §3.1.4.1.3.24 makes `minorRevision` nillable, the §6.2 schema
/// does not. We follow §3: `None` is nil, and writing it is valid against
/// §3 only.
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(FromXml, ToXml)]
#[xml(ns = crate::NAMESPACE, prefixes = crate::PREFIXES, nil = crate::codec::is_nil, name = "revision")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Revision {
    /// `majorRevision` (MS-CRTD `revision`).
    #[xml(name = "majorRevision", with = soap_envelope::fields::value)]
    pub major_revision: u32,
    /// `minorRevision` (MS-CRTD `msPKI-Template-Minor-Revision`); `None`
    /// when nil (§3 only).
    #[xml(name = "minorRevision", nillable, with = soap_envelope::fields::value)]
    pub minor_revision: Option<u32>,
    /// Child elements the schema does not define, kept as read (written
    /// after the defined ones).
    #[xml(unknown)]
    pub unknown: Vec<AnyElement>,
}

impl Revision {
    /// A major and minor revision.
    pub fn new(major_revision: u32, minor_revision: u32) -> Self {
        Self {
            major_revision,
            minor_revision: Some(minor_revision),
            unknown: Vec::new(),
        }
    }
}

// ---------------------------------------------------------------------------
// PrivateKeyAttributes
// ---------------------------------------------------------------------------

/// `PrivateKeyAttributes` complex type, [MS-XCEP] 3.1.4.1.3.20: how the
/// private key of a request for this template is made.
///
/// ```xml
/// <xs:complexType name="PrivateKeyAttributes">
///   <xs:sequence>
///     <xs:element name="minimalKeyLength" type="xs:unsignedInt" />
///     <xs:element name="keySpec" type="xs:unsignedInt" nillable="true" />
///     <xs:element name="keyUsageProperty" type="xs:unsignedInt" nillable="true" />
///     <xs:element name="permissions" type="xs:string" nillable="true" />
///     <xs:element name="algorithmOIDReference" type="xs:int" nillable="true" />
///     <xs:element name="cryptoProviders" type="xcep:CryptoProviders" nillable="true" />
///   </xs:sequence>
/// </xs:complexType>
/// <xs:complexType name="CryptoProviders">
///   <xs:sequence>
///     <xs:element name="provider" type="xs:string" minOccurs="1" maxOccurs="unbounded" />
///   </xs:sequence>
/// </xs:complexType>
/// ```
///
/// The type has no extension point, but MS-MDE2 4.2.2 puts
/// `AttestationFailureBehavior` and `OperationTimeout` inside it; such
/// elements are kept in [`unknown`](Self::unknown), so that these responses
/// read and nothing is lost (they are written after `cryptoProviders`, and
/// the result is, like the MS-MDE2 example, not valid against the schema).
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(FromXml, ToXml)]
#[xml(ns = crate::NAMESPACE, prefixes = crate::PREFIXES, nil = crate::codec::is_nil, name = "privateKeyAttributes")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PrivateKeyAttributes {
    /// `minimalKeyLength`: the minimum key length in bits.
    #[xml(name = "minimalKeyLength", with = soap_envelope::fields::value)]
    pub minimal_key_length: u32,
    /// `keySpec` (MS-WCCE `pKIDefaultKeySpec`).
    #[xml(name = "keySpec", nillable, with = crate::codec::with::flags)]
    pub key_spec: Option<KeySpec>,
    /// `keyUsageProperty` (MS-WCCE `pKIKeyUsage`).
    #[xml(name = "keyUsageProperty", nillable, with = crate::codec::with::flags)]
    pub key_usage_property: Option<KeyUsageProperty>,
    /// `permissions`: an SDDL security descriptor for the created key.
    #[xml(name = "permissions", nillable)]
    pub permissions: Option<String>,
    /// `algorithmOIDReference`: the `oIDReferenceID` of the key's
    /// asymmetric algorithm.
    #[xml(name = "algorithmOIDReference", nillable, with = soap_envelope::fields::value)]
    pub algorithm_oid_reference: Option<i32>,
    /// `cryptoProviders` (`CryptoProviders`, [MS-XCEP] 3.1.4.1.3.10): the
    /// provider names, not ordered. An empty list is written as nil.
    #[xml(name = "cryptoProviders", nillable, list(item = "provider"))]
    pub crypto_providers: Option<Vec<String>>,
    /// Child elements the schema does not define, kept as read (written
    /// after the defined ones).
    #[xml(unknown)]
    pub unknown: Vec<AnyElement>,
}

impl PrivateKeyAttributes {
    /// Attributes with a minimum key length; the nillable ones are nil.
    pub fn new(minimal_key_length: u32) -> Self {
        Self {
            minimal_key_length,
            key_spec: None,
            key_usage_property: None,
            permissions: None,
            algorithm_oid_reference: None,
            crypto_providers: None,
            unknown: Vec::new(),
        }
    }

    /// Sets `keySpec`.
    #[must_use]
    pub fn with_key_spec(mut self, key_spec: KeySpec) -> Self {
        self.key_spec = Some(key_spec);
        self
    }

    /// Sets `keyUsageProperty`.
    #[must_use]
    pub fn with_key_usage_property(mut self, usage: KeyUsageProperty) -> Self {
        self.key_usage_property = Some(usage);
        self
    }

    /// Sets `permissions` (SDDL).
    #[must_use]
    pub fn with_permissions(mut self, sddl: impl Into<String>) -> Self {
        self.permissions = Some(sddl.into());
        self
    }

    /// Sets `algorithmOIDReference`.
    #[must_use]
    pub fn with_algorithm_oid_reference(mut self, oid_reference_id: i32) -> Self {
        self.algorithm_oid_reference = Some(oid_reference_id);
        self
    }

    /// Adds a cryptographic provider name.
    #[must_use]
    pub fn with_crypto_provider(mut self, provider: impl Into<String>) -> Self {
        self.crypto_providers
            .get_or_insert_with(Vec::new)
            .push(provider.into());
        self
    }
}

// ---------------------------------------------------------------------------
// RaRequirements, KeyArchivalAttributes
// ---------------------------------------------------------------------------

/// `RARequirements` complex type, [MS-XCEP] 3.1.4.1.3.21: the registration
/// authority signatures an enrollment request for this template needs.
///
/// ```xml
/// <xs:complexType name="RARequirements">
///   <xs:sequence>
///     <xs:element name="rASignatures" type="xs:unsignedInt" />
///     <xs:element name="rAEKUs" type="xcep:OIDReferenceCollection" nillable="true" />
///     <xs:element name="rAPolicies" type="xcep:OIDReferenceCollection" nillable="true" />
///   </xs:sequence>
/// </xs:complexType>
/// <xs:complexType name="OIDReferenceCollection">
///   <xs:sequence>
///     <xs:element name="oIDReference" type="xs:int" minOccurs="1" maxOccurs="unbounded" />
///   </xs:sequence>
/// </xs:complexType>
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(FromXml, ToXml)]
#[xml(ns = crate::NAMESPACE, prefixes = crate::PREFIXES, nil = crate::codec::is_nil, name = "rARequirements")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RaRequirements {
    /// `rASignatures`: how many additional signatures are required.
    #[xml(name = "rASignatures", with = soap_envelope::fields::value)]
    pub ra_signatures: u32,
    /// `rAEKUs`: `oIDReferenceID`s of the EKUs the RA certificate must
    /// have; `None` when nil. An empty list is written as nil.
    #[xml(name = "rAEKUs", nillable, list(item = "oIDReference"), with = soap_envelope::fields::value)]
    pub ra_ekus: Option<Vec<i32>>,
    /// `rAPolicies`: `oIDReferenceID`s of the policies the RA certificate
    /// must have; `None` when nil. An empty list is written as nil.
    #[xml(name = "rAPolicies", nillable, list(item = "oIDReference"), with = soap_envelope::fields::value)]
    pub ra_policies: Option<Vec<i32>>,
    /// Child elements the schema does not define, kept as read (written
    /// after the defined ones).
    #[xml(unknown)]
    pub unknown: Vec<AnyElement>,
}

impl RaRequirements {
    /// Requirements with `rAEKUs` and `rAPolicies` nil.
    pub fn new(ra_signatures: u32) -> Self {
        Self {
            ra_signatures,
            ra_ekus: None,
            ra_policies: None,
            unknown: Vec::new(),
        }
    }

    /// Adds an `oIDReference` to `rAEKUs`.
    #[must_use]
    pub fn with_ra_eku(mut self, oid_reference_id: i32) -> Self {
        self.ra_ekus
            .get_or_insert_with(Vec::new)
            .push(oid_reference_id);
        self
    }

    /// Adds an `oIDReference` to `rAPolicies`.
    #[must_use]
    pub fn with_ra_policy(mut self, oid_reference_id: i32) -> Self {
        self.ra_policies
            .get_or_insert_with(Vec::new)
            .push(oid_reference_id);
        self
    }
}

/// `KeyArchivalAttributes` complex type, [MS-XCEP] 3.1.4.1.3.15: how the
/// client encrypts its private key when it sends it to the CA for archival.
///
/// ```xml
/// <xs:complexType name="KeyArchivalAttributes">
///   <xs:sequence>
///     <xs:element name="symmetricAlgorithmOIDReference" type="xs:int" />
///     <xs:element name="symmetricAlgorithmKeyLength" type="xs:unsignedInt" />
///   </xs:sequence>
/// </xs:complexType>
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(FromXml, ToXml)]
#[xml(ns = crate::NAMESPACE, prefixes = crate::PREFIXES, nil = crate::codec::is_nil, name = "keyArchivalAttributes")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct KeyArchivalAttributes {
    /// `symmetricAlgorithmOIDReference`: the `oIDReferenceID` of the
    /// symmetric algorithm.
    #[xml(name = "symmetricAlgorithmOIDReference", with = soap_envelope::fields::value)]
    pub symmetric_algorithm_oid_reference: i32,
    /// `symmetricAlgorithmKeyLength`: its key length in bits.
    #[xml(name = "symmetricAlgorithmKeyLength", with = soap_envelope::fields::value)]
    pub symmetric_algorithm_key_length: u32,
    /// Child elements the schema does not define, kept as read (written
    /// after the defined ones).
    #[xml(unknown)]
    pub unknown: Vec<AnyElement>,
}

impl KeyArchivalAttributes {
    /// The algorithm reference and key length.
    pub fn new(
        symmetric_algorithm_oid_reference: i32,
        symmetric_algorithm_key_length: u32,
    ) -> Self {
        Self {
            symmetric_algorithm_oid_reference,
            symmetric_algorithm_key_length,
            unknown: Vec::new(),
        }
    }
}

// ---------------------------------------------------------------------------
// Extension
// ---------------------------------------------------------------------------

/// `Extension` complex type, [MS-XCEP] 3.1.4.1.3.12: an X.509v3 extension
/// ([RFC 5280] 4.1.2.9) that a request for the template carries. Read from
/// and written as an `<extension>` element of [`Attributes::extensions`].
///
/// ```xml
/// <xs:complexType name="Extension">
///   <xs:sequence>
///     <xs:element name="oIDReference" type="xs:int" />
///     <xs:element name="critical" type="xs:boolean" nillable="true" />
///     <xs:element name="value" type="xs:base64Binary" nillable="true" />
///   </xs:sequence>
/// </xs:complexType>
/// ```
///
/// Erratum: §3.1.4.1.3.12 makes `critical` nillable, the §6.2 schema does
/// not. We follow §3: `None` is nil, and writing it is valid against §3
/// only.
///
/// An empty `<value/>` (the first extension of the [MS-XCEP] 4.1.1.2
/// example) reads as nil.
///
/// ```
/// use xcep::{Base64Text, Extension};
///
/// let key_usage = Extension::new(7, true, Base64Text::from_bytes(&[0x03, 0x02, 0x05, 0xA0]));
/// assert_eq!(key_usage.value.unwrap().as_str(), "AwIFoA==");
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
/// [RFC 5280]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.9
#[derive(FromXml, ToXml)]
#[xml(ns = crate::NAMESPACE, prefixes = crate::PREFIXES, nil = crate::codec::is_nil, name = "extension")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Extension {
    /// `oIDReference`: the `oIDReferenceID` of the extension's OID.
    #[xml(name = "oIDReference", with = soap_envelope::fields::value)]
    pub oid_reference: i32,
    /// `critical`; `None` when nil (§3 only).
    #[xml(name = "critical", nillable, with = soap_envelope::fields::value)]
    pub critical: Option<bool>,
    /// `value`: the DER of the extension value, in base64; `None` when nil
    /// or empty.
    #[xml(name = "value", nillable, with = crate::codec::with::base64)]
    pub value: Option<Base64Text>,
    /// Child elements the schema does not define, kept as read (written
    /// after the defined ones).
    #[xml(unknown)]
    pub unknown: Vec<AnyElement>,
}

impl Extension {
    /// An extension with a value.
    pub fn new(oid_reference: i32, critical: bool, value: Base64Text) -> Self {
        Self {
            oid_reference,
            critical: Some(critical),
            value: Some(value),
            unknown: Vec::new(),
        }
    }
}
