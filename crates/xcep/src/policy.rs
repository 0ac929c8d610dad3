//! Certificate enrollment policies (templates) and their parts:
//! [`CertificateEnrollmentPolicy`], [`Attributes`] and the types inside.

use soap_envelope::{AnyElement, FromXml, QName, Result, Start, ToXml, XmlReader, XmlWriter};

use crate::base64_text::Base64Text;
use crate::codec::{
    Children, ReadFields, is_nil, item_string, item_value, nillable_complex, nillable_list,
    nillable_string, nillable_value, once, once_nillable, required, text_item, value_item,
    write_all, write_nillable, write_nillable_list, write_nillable_text, write_nillable_value,
    xcep,
};
use crate::flags::{
    EnrollmentFlags, GeneralFlags, KeySpec, KeyUsageProperty, PrivateKeyFlags, SubjectNameFlags,
};

const POLICY_OID_REFERENCE: QName = xcep("policyOIDReference");
const CAS: QName = xcep("cAs");
const CA_REFERENCE: QName = xcep("cAReference");
const ATTRIBUTES: QName = xcep("attributes");

const COMMON_NAME: QName = xcep("commonName");
const POLICY_SCHEMA: QName = xcep("policySchema");
const CERTIFICATE_VALIDITY: QName = xcep("certificateValidity");
const PERMISSION: QName = xcep("permission");
const PRIVATE_KEY_ATTRIBUTES: QName = xcep("privateKeyAttributes");
const REVISION: QName = xcep("revision");
const SUPERSEDED_POLICIES: QName = xcep("supersededPolicies");
const PRIVATE_KEY_FLAGS: QName = xcep("privateKeyFlags");
const SUBJECT_NAME_FLAGS: QName = xcep("subjectNameFlags");
const ENROLLMENT_FLAGS: QName = xcep("enrollmentFlags");
const GENERAL_FLAGS: QName = xcep("generalFlags");
const HASH_ALGORITHM_OID_REFERENCE: QName = xcep("hashAlgorithmOIDReference");
const RA_REQUIREMENTS: QName = xcep("rARequirements");
const KEY_ARCHIVAL_ATTRIBUTES: QName = xcep("keyArchivalAttributes");
const EXTENSIONS: QName = xcep("extensions");
const EXTENSION: QName = xcep("extension");

const VALIDITY_PERIOD_SECONDS: QName = xcep("validityPeriodSeconds");
const RENEWAL_PERIOD_SECONDS: QName = xcep("renewalPeriodSeconds");
const ENROLL: QName = xcep("enroll");
const AUTO_ENROLL: QName = xcep("autoEnroll");
const MINIMAL_KEY_LENGTH: QName = xcep("minimalKeyLength");
const KEY_SPEC: QName = xcep("keySpec");
const KEY_USAGE_PROPERTY: QName = xcep("keyUsageProperty");
const PERMISSIONS: QName = xcep("permissions");
const ALGORITHM_OID_REFERENCE: QName = xcep("algorithmOIDReference");
const CRYPTO_PROVIDERS: QName = xcep("cryptoProviders");
const PROVIDER: QName = xcep("provider");
const MAJOR_REVISION: QName = xcep("majorRevision");
const MINOR_REVISION: QName = xcep("minorRevision");
const RA_SIGNATURES: QName = xcep("rASignatures");
const RA_EKUS: QName = xcep("rAEKUs");
const RA_POLICIES: QName = xcep("rAPolicies");
const OID_REFERENCE: QName = xcep("oIDReference");
const SYMMETRIC_ALGORITHM_OID_REFERENCE: QName = xcep("symmetricAlgorithmOIDReference");
const SYMMETRIC_ALGORITHM_KEY_LENGTH: QName = xcep("symmetricAlgorithmKeyLength");
const CRITICAL: QName = xcep("critical");
const VALUE: QName = xcep("value");

/// Implements `FromXml` (matching the type's element name) for a type that
/// implements `ReadFields`.
macro_rules! from_xml_by_name {
    ($t:ty) => {
        impl<'a> FromXml<'a> for $t {
            fn matches(start: &Start<'_>) -> bool {
                start.is(Self::NAME)
            }

            fn from_xml(r: &mut XmlReader<'a>, _start: &Start<'a>) -> Result<Self> {
                Self::read_fields(r, Children::new())
            }
        }
    };
}

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
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CertificateEnrollmentPolicy {
    /// `policyOIDReference`: the `oIDReferenceID` of the template's OID
    /// (group 9, enrollment object); identifies the policy.
    pub policy_oid_reference: i32,
    /// `cAs`: the `cAReferenceID`s of the CAs that issue this template
    /// (`CAReferenceCollection`, [MS-XCEP] 3.1.4.1.3.4); `None` when nil.
    /// An empty list is written as nil.
    pub cas: Option<Vec<i32>>,
    /// `attributes`: the template's settings.
    pub attributes: Attributes,
    /// Elements of the `##any` extension point, kept as read.
    pub extensions: Vec<AnyElement>,
}

impl CertificateEnrollmentPolicy {
    /// The element name, `policy`.
    pub const NAME: QName = xcep("policy");

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

impl<'a> ReadFields<'a> for CertificateEnrollmentPolicy {
    fn read_fields(r: &mut XmlReader<'a>, mut children: Children<'a>) -> Result<Self> {
        let mut policy_oid_reference = None;
        let (mut cas, mut seen_cas) = (None, false);
        let mut attributes = None;
        let mut extensions = Vec::new();
        while let Some(child) = children.next(r)? {
            if child.is(POLICY_OID_REFERENCE) {
                once(
                    r,
                    &mut policy_oid_reference,
                    POLICY_OID_REFERENCE,
                    XmlReader::value,
                )?;
            } else if child.is(CAS) {
                once_nillable(r, &mut cas, &mut seen_cas, CAS, |r| {
                    nillable_list(r, &child, CA_REFERENCE, item_value)
                })?;
            } else if child.is(ATTRIBUTES) {
                once(r, &mut attributes, ATTRIBUTES, |r| {
                    Attributes::read_fields(r, Children::new())
                })?;
            } else {
                extensions.push(r.any(&child)?);
            }
        }
        Ok(Self {
            policy_oid_reference: required(r, policy_oid_reference, POLICY_OID_REFERENCE)?,
            cas,
            attributes: required(r, attributes, ATTRIBUTES)?,
            extensions,
        })
    }
}

from_xml_by_name!(CertificateEnrollmentPolicy);

impl ToXml for CertificateEnrollmentPolicy {
    fn to_xml(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(Self::NAME)?;
        w.value_element(POLICY_OID_REFERENCE, &self.policy_oid_reference)?;
        write_nillable_list(w, CAS, self.cas.as_ref(), value_item(CA_REFERENCE))?;
        self.attributes.to_xml(w)?;
        write_all(w, &self.extensions)?;
        w.end()
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
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attributes {
    /// `commonName`: the template's name, unique in a response. Required
    /// by the schema; `None` when absent (MS-MDE2 servers leave it out).
    pub common_name: Option<String>,
    /// `policySchema`: the template schema version, 1, 2 or 3.
    pub policy_schema: u32,
    /// `certificateValidity`. Required by the schema; `None` when absent
    /// (MS-MDE2 servers leave it out).
    pub certificate_validity: Option<CertificateValidity>,
    /// `permission`. Required by the schema; `None` when absent (MS-MDE2
    /// servers leave it out).
    pub permission: Option<EnrollmentPermission>,
    /// `privateKeyAttributes`.
    pub private_key_attributes: PrivateKeyAttributes,
    /// `revision`. Required by the schema; `None` when absent (MS-MDE2
    /// servers leave it out).
    pub revision: Option<Revision>,
    /// `supersededPolicies`: `None` when nil (the template supersedes
    /// none).
    pub superseded_policies: Option<SupersededPolicies>,
    /// `privateKeyFlags`.
    pub private_key_flags: Option<PrivateKeyFlags>,
    /// `subjectNameFlags`.
    pub subject_name_flags: Option<SubjectNameFlags>,
    /// `enrollmentFlags`.
    pub enrollment_flags: Option<EnrollmentFlags>,
    /// `generalFlags`.
    pub general_flags: Option<GeneralFlags>,
    /// `hashAlgorithmOIDReference`: the `oIDReferenceID` of the hash
    /// algorithm; nil for schema 1 and 2 templates.
    pub hash_algorithm_oid_reference: Option<i32>,
    /// `rARequirements`.
    pub ra_requirements: Option<RaRequirements>,
    /// `keyArchivalAttributes`.
    pub key_archival_attributes: Option<KeyArchivalAttributes>,
    /// `extensions` (`ExtensionCollection`, [MS-XCEP] 3.1.4.1.3.13): the
    /// X.509 extensions to put in the request. An empty list is written as
    /// nil.
    pub extensions: Option<Vec<Extension>>,
    /// Elements of the `##any` vendor extension point, kept as read (for
    /// example MS-MDE2's `attestation`). Named so because `extensions` is
    /// the schema's own element.
    pub vendor_extensions: Vec<AnyElement>,
}

impl Attributes {
    /// The element name, `attributes`.
    pub const NAME: QName = ATTRIBUTES;

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

/// The nillable fields of [`Attributes`] while they are read: the value and
/// whether the element was seen.
#[derive(Default)]
struct Nillables {
    superseded_policies: (Option<SupersededPolicies>, bool),
    private_key_flags: (Option<u32>, bool),
    subject_name_flags: (Option<u32>, bool),
    enrollment_flags: (Option<u32>, bool),
    general_flags: (Option<u32>, bool),
    hash_algorithm_oid_reference: (Option<i32>, bool),
    ra_requirements: (Option<RaRequirements>, bool),
    key_archival_attributes: (Option<KeyArchivalAttributes>, bool),
    extensions: (Option<Vec<Extension>>, bool),
}

impl Nillables {
    /// Reads `child` if it is one of the nillable fields; `false` if not.
    fn read<'a>(&mut self, r: &mut XmlReader<'a>, child: &Start<'a>) -> Result<bool> {
        let flags = [
            (PRIVATE_KEY_FLAGS, &mut self.private_key_flags),
            (SUBJECT_NAME_FLAGS, &mut self.subject_name_flags),
            (ENROLLMENT_FLAGS, &mut self.enrollment_flags),
            (GENERAL_FLAGS, &mut self.general_flags),
        ];
        for (name, (slot, seen)) in flags {
            if child.is(name) {
                once_nillable(r, slot, seen, name, |r| nillable_value(r, child))?;
                return Ok(true);
            }
        }
        if child.is(SUPERSEDED_POLICIES) {
            let (slot, seen) = &mut self.superseded_policies;
            once_nillable(r, slot, seen, SUPERSEDED_POLICIES, |r| {
                Ok(nillable_list(r, child, COMMON_NAME, item_string)?
                    .map(|common_names| SupersededPolicies { common_names }))
            })?;
        } else if child.is(HASH_ALGORITHM_OID_REFERENCE) {
            let (slot, seen) = &mut self.hash_algorithm_oid_reference;
            once_nillable(r, slot, seen, HASH_ALGORITHM_OID_REFERENCE, |r| {
                nillable_value(r, child)
            })?;
        } else if child.is(RA_REQUIREMENTS) {
            let (slot, seen) = &mut self.ra_requirements;
            once_nillable(r, slot, seen, RA_REQUIREMENTS, |r| {
                nillable_complex(r, child)
            })?;
        } else if child.is(KEY_ARCHIVAL_ATTRIBUTES) {
            let (slot, seen) = &mut self.key_archival_attributes;
            once_nillable(r, slot, seen, KEY_ARCHIVAL_ATTRIBUTES, |r| {
                nillable_complex(r, child)
            })?;
        } else if child.is(EXTENSIONS) {
            let (slot, seen) = &mut self.extensions;
            once_nillable(r, slot, seen, EXTENSIONS, |r| {
                nillable_list(r, child, EXTENSION, |r, _| {
                    Extension::read_fields(r, Children::new())
                })
            })?;
        } else {
            return Ok(false);
        }
        Ok(true)
    }
}

impl<'a> ReadFields<'a> for Attributes {
    fn read_fields(r: &mut XmlReader<'a>, mut children: Children<'a>) -> Result<Self> {
        let mut common_name = None;
        let mut policy_schema = None;
        let mut certificate_validity = None;
        let mut permission = None;
        let mut private_key_attributes = None;
        let mut revision = None;
        let mut n = Nillables::default();
        let mut vendor_extensions = Vec::new();
        while let Some(child) = children.next(r)? {
            if child.is(COMMON_NAME) {
                once(r, &mut common_name, COMMON_NAME, |r| {
                    Ok(r.text()?.into_owned())
                })?;
            } else if child.is(POLICY_SCHEMA) {
                once(r, &mut policy_schema, POLICY_SCHEMA, XmlReader::value)?;
            } else if child.is(CERTIFICATE_VALIDITY) {
                once(r, &mut certificate_validity, CERTIFICATE_VALIDITY, |r| {
                    CertificateValidity::read_fields(r, Children::new())
                })?;
            } else if child.is(PERMISSION) {
                once(r, &mut permission, PERMISSION, |r| {
                    EnrollmentPermission::read_fields(r, Children::new())
                })?;
            } else if child.is(PRIVATE_KEY_ATTRIBUTES) {
                once(
                    r,
                    &mut private_key_attributes,
                    PRIVATE_KEY_ATTRIBUTES,
                    |r| PrivateKeyAttributes::read_fields(r, Children::new()),
                )?;
            } else if child.is(REVISION) {
                once(r, &mut revision, REVISION, |r| {
                    Revision::read_fields(r, Children::new())
                })?;
            } else if !n.read(r, &child)? {
                vendor_extensions.push(r.any(&child)?);
            }
        }
        Ok(Self {
            // Lenient: MS-MDE2 servers leave these four out.
            common_name,
            policy_schema: required(r, policy_schema, POLICY_SCHEMA)?,
            certificate_validity,
            permission,
            private_key_attributes: required(r, private_key_attributes, PRIVATE_KEY_ATTRIBUTES)?,
            revision,
            superseded_policies: n.superseded_policies.0,
            private_key_flags: n.private_key_flags.0.map(PrivateKeyFlags::from_bits_retain),
            subject_name_flags: n
                .subject_name_flags
                .0
                .map(SubjectNameFlags::from_bits_retain),
            enrollment_flags: n.enrollment_flags.0.map(EnrollmentFlags::from_bits_retain),
            general_flags: n.general_flags.0.map(GeneralFlags::from_bits_retain),
            hash_algorithm_oid_reference: n.hash_algorithm_oid_reference.0,
            ra_requirements: n.ra_requirements.0,
            key_archival_attributes: n.key_archival_attributes.0,
            extensions: n.extensions.0,
            vendor_extensions,
        })
    }
}

from_xml_by_name!(Attributes);

impl ToXml for Attributes {
    fn to_xml(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(Self::NAME)?;
        // What is present: see the type's documentation.
        if let Some(name) = &self.common_name {
            w.text_element(COMMON_NAME, name)?;
        }
        w.value_element(POLICY_SCHEMA, &self.policy_schema)?;
        if let Some(validity) = &self.certificate_validity {
            validity.to_xml(w)?;
        }
        if let Some(permission) = &self.permission {
            permission.to_xml(w)?;
        }
        self.private_key_attributes.to_xml(w)?;
        if let Some(revision) = &self.revision {
            revision.to_xml(w)?;
        }
        write_nillable_list(
            w,
            SUPERSEDED_POLICIES,
            self.superseded_policies.as_ref().map(|s| &s.common_names),
            text_item(COMMON_NAME),
        )?;
        write_nillable_value(
            w,
            PRIVATE_KEY_FLAGS,
            self.private_key_flags.map(|f| f.bits()).as_ref(),
        )?;
        write_nillable_value(
            w,
            SUBJECT_NAME_FLAGS,
            self.subject_name_flags.map(|f| f.bits()).as_ref(),
        )?;
        write_nillable_value(
            w,
            ENROLLMENT_FLAGS,
            self.enrollment_flags.map(|f| f.bits()).as_ref(),
        )?;
        write_nillable_value(
            w,
            GENERAL_FLAGS,
            self.general_flags.map(|f| f.bits()).as_ref(),
        )?;
        write_nillable_value(
            w,
            HASH_ALGORITHM_OID_REFERENCE,
            self.hash_algorithm_oid_reference.as_ref(),
        )?;
        write_nillable(w, RA_REQUIREMENTS, self.ra_requirements.as_ref())?;
        write_nillable(
            w,
            KEY_ARCHIVAL_ATTRIBUTES,
            self.key_archival_attributes.as_ref(),
        )?;
        write_nillable_list(w, EXTENSIONS, self.extensions.as_ref(), |w, e| e.to_xml(w))?;
        write_all(w, &self.vendor_extensions)?;
        w.end()
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
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CertificateValidity {
    /// `validityPeriodSeconds`: "MUST be a positive nonzero long".
    pub validity_period_seconds: u64,
    /// `renewalPeriodSeconds`: "MUST be a positive nonzero long".
    pub renewal_period_seconds: u64,
    /// Child elements the schema does not define, kept as read (written
    /// after the defined ones).
    pub unknown: Vec<AnyElement>,
}

impl CertificateValidity {
    /// The element name, `certificateValidity`.
    pub const NAME: QName = CERTIFICATE_VALIDITY;

    /// Periods in seconds.
    pub fn new(validity_period_seconds: u64, renewal_period_seconds: u64) -> Self {
        Self {
            validity_period_seconds,
            renewal_period_seconds,
            unknown: Vec::new(),
        }
    }
}

impl<'a> ReadFields<'a> for CertificateValidity {
    fn read_fields(r: &mut XmlReader<'a>, mut children: Children<'a>) -> Result<Self> {
        let mut validity = None;
        let mut renewal = None;
        let mut unknown = Vec::new();
        while let Some(child) = children.next(r)? {
            if child.is(VALIDITY_PERIOD_SECONDS) {
                once(r, &mut validity, VALIDITY_PERIOD_SECONDS, XmlReader::value)?;
            } else if child.is(RENEWAL_PERIOD_SECONDS) {
                once(r, &mut renewal, RENEWAL_PERIOD_SECONDS, XmlReader::value)?;
            } else {
                unknown.push(r.any(&child)?);
            }
        }
        Ok(Self {
            validity_period_seconds: required(r, validity, VALIDITY_PERIOD_SECONDS)?,
            renewal_period_seconds: required(r, renewal, RENEWAL_PERIOD_SECONDS)?,
            unknown,
        })
    }
}

from_xml_by_name!(CertificateValidity);

impl ToXml for CertificateValidity {
    fn to_xml(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(Self::NAME)?;
        w.value_element(VALIDITY_PERIOD_SECONDS, &self.validity_period_seconds)?;
        w.value_element(RENEWAL_PERIOD_SECONDS, &self.renewal_period_seconds)?;
        write_all(w, &self.unknown)?;
        w.end()
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
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct EnrollmentPermission {
    /// `enroll`: the requestor may enroll.
    pub enroll: bool,
    /// `autoEnroll`: the requestor may enroll automatically.
    pub auto_enroll: bool,
    /// Child elements the schema does not define, kept as read (written
    /// after the defined ones).
    pub unknown: Vec<AnyElement>,
}

impl EnrollmentPermission {
    /// The element name, `permission`.
    pub const NAME: QName = PERMISSION;

    /// The two permissions.
    pub fn new(enroll: bool, auto_enroll: bool) -> Self {
        Self {
            enroll,
            auto_enroll,
            unknown: Vec::new(),
        }
    }
}

impl<'a> ReadFields<'a> for EnrollmentPermission {
    fn read_fields(r: &mut XmlReader<'a>, mut children: Children<'a>) -> Result<Self> {
        let mut enroll = None;
        let mut auto_enroll = None;
        let mut unknown = Vec::new();
        while let Some(child) = children.next(r)? {
            if child.is(ENROLL) {
                once(r, &mut enroll, ENROLL, XmlReader::value)?;
            } else if child.is(AUTO_ENROLL) {
                once(r, &mut auto_enroll, AUTO_ENROLL, XmlReader::value)?;
            } else {
                unknown.push(r.any(&child)?);
            }
        }
        Ok(Self {
            enroll: required(r, enroll, ENROLL)?,
            auto_enroll: required(r, auto_enroll, AUTO_ENROLL)?,
            unknown,
        })
    }
}

from_xml_by_name!(EnrollmentPermission);

impl ToXml for EnrollmentPermission {
    fn to_xml(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(Self::NAME)?;
        w.value_element(ENROLL, &self.enroll)?;
        w.value_element(AUTO_ENROLL, &self.auto_enroll)?;
        write_all(w, &self.unknown)?;
        w.end()
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
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Revision {
    /// `majorRevision` (MS-CRTD `revision`).
    pub major_revision: u32,
    /// `minorRevision` (MS-CRTD `msPKI-Template-Minor-Revision`); `None`
    /// when nil (§3 only).
    pub minor_revision: Option<u32>,
    /// Child elements the schema does not define, kept as read (written
    /// after the defined ones).
    pub unknown: Vec<AnyElement>,
}

impl Revision {
    /// The element name, `revision`.
    pub const NAME: QName = REVISION;

    /// A major and minor revision.
    pub fn new(major_revision: u32, minor_revision: u32) -> Self {
        Self {
            major_revision,
            minor_revision: Some(minor_revision),
            unknown: Vec::new(),
        }
    }
}

impl<'a> ReadFields<'a> for Revision {
    fn read_fields(r: &mut XmlReader<'a>, mut children: Children<'a>) -> Result<Self> {
        let mut major = None;
        let (mut minor, mut seen_minor) = (None, false);
        let mut unknown = Vec::new();
        while let Some(child) = children.next(r)? {
            if child.is(MAJOR_REVISION) {
                once(r, &mut major, MAJOR_REVISION, XmlReader::value)?;
            } else if child.is(MINOR_REVISION) {
                once_nillable(r, &mut minor, &mut seen_minor, MINOR_REVISION, |r| {
                    nillable_value(r, &child)
                })?;
            } else {
                unknown.push(r.any(&child)?);
            }
        }
        Ok(Self {
            major_revision: required(r, major, MAJOR_REVISION)?,
            minor_revision: minor,
            unknown,
        })
    }
}

from_xml_by_name!(Revision);

impl ToXml for Revision {
    fn to_xml(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(Self::NAME)?;
        w.value_element(MAJOR_REVISION, &self.major_revision)?;
        write_nillable_value(w, MINOR_REVISION, self.minor_revision.as_ref())?;
        write_all(w, &self.unknown)?;
        w.end()
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
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PrivateKeyAttributes {
    /// `minimalKeyLength`: the minimum key length in bits.
    pub minimal_key_length: u32,
    /// `keySpec` (MS-WCCE `pKIDefaultKeySpec`).
    pub key_spec: Option<KeySpec>,
    /// `keyUsageProperty` (MS-WCCE `pKIKeyUsage`).
    pub key_usage_property: Option<KeyUsageProperty>,
    /// `permissions`: an SDDL security descriptor for the created key.
    pub permissions: Option<String>,
    /// `algorithmOIDReference`: the `oIDReferenceID` of the key's
    /// asymmetric algorithm.
    pub algorithm_oid_reference: Option<i32>,
    /// `cryptoProviders` (`CryptoProviders`, [MS-XCEP] 3.1.4.1.3.10): the
    /// provider names, not ordered. An empty list is written as nil.
    pub crypto_providers: Option<Vec<String>>,
    /// Child elements the schema does not define, kept as read (written
    /// after the defined ones).
    pub unknown: Vec<AnyElement>,
}

impl PrivateKeyAttributes {
    /// The element name, `privateKeyAttributes`.
    pub const NAME: QName = PRIVATE_KEY_ATTRIBUTES;

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

impl<'a> ReadFields<'a> for PrivateKeyAttributes {
    fn read_fields(r: &mut XmlReader<'a>, mut children: Children<'a>) -> Result<Self> {
        let mut minimal_key_length = None;
        let (mut key_spec, mut seen_key_spec) = (None, false);
        let (mut key_usage, mut seen_key_usage) = (None, false);
        let (mut permissions, mut seen_permissions) = (None, false);
        let (mut algorithm, mut seen_algorithm) = (None, false);
        let (mut providers, mut seen_providers) = (None, false);
        let mut unknown = Vec::new();
        while let Some(child) = children.next(r)? {
            if child.is(MINIMAL_KEY_LENGTH) {
                once(
                    r,
                    &mut minimal_key_length,
                    MINIMAL_KEY_LENGTH,
                    XmlReader::value,
                )?;
            } else if child.is(KEY_SPEC) {
                once_nillable(r, &mut key_spec, &mut seen_key_spec, KEY_SPEC, |r| {
                    nillable_value(r, &child)
                })?;
            } else if child.is(KEY_USAGE_PROPERTY) {
                once_nillable(
                    r,
                    &mut key_usage,
                    &mut seen_key_usage,
                    KEY_USAGE_PROPERTY,
                    |r| nillable_value(r, &child),
                )?;
            } else if child.is(PERMISSIONS) {
                once_nillable(
                    r,
                    &mut permissions,
                    &mut seen_permissions,
                    PERMISSIONS,
                    |r| nillable_string(r, &child),
                )?;
            } else if child.is(ALGORITHM_OID_REFERENCE) {
                once_nillable(
                    r,
                    &mut algorithm,
                    &mut seen_algorithm,
                    ALGORITHM_OID_REFERENCE,
                    |r| nillable_value(r, &child),
                )?;
            } else if child.is(CRYPTO_PROVIDERS) {
                once_nillable(
                    r,
                    &mut providers,
                    &mut seen_providers,
                    CRYPTO_PROVIDERS,
                    |r| nillable_list(r, &child, PROVIDER, item_string),
                )?;
            } else {
                unknown.push(r.any(&child)?);
            }
        }
        Ok(Self {
            minimal_key_length: required(r, minimal_key_length, MINIMAL_KEY_LENGTH)?,
            key_spec: key_spec.map(KeySpec::from_bits_retain),
            key_usage_property: key_usage.map(KeyUsageProperty::from_bits_retain),
            permissions,
            algorithm_oid_reference: algorithm,
            crypto_providers: providers,
            unknown,
        })
    }
}

from_xml_by_name!(PrivateKeyAttributes);

impl ToXml for PrivateKeyAttributes {
    fn to_xml(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(Self::NAME)?;
        w.value_element(MINIMAL_KEY_LENGTH, &self.minimal_key_length)?;
        write_nillable_value(w, KEY_SPEC, self.key_spec.map(|k| k.bits()).as_ref())?;
        write_nillable_value(
            w,
            KEY_USAGE_PROPERTY,
            self.key_usage_property.map(|k| k.bits()).as_ref(),
        )?;
        write_nillable_text(w, PERMISSIONS, self.permissions.as_deref())?;
        write_nillable_value(
            w,
            ALGORITHM_OID_REFERENCE,
            self.algorithm_oid_reference.as_ref(),
        )?;
        write_nillable_list(
            w,
            CRYPTO_PROVIDERS,
            self.crypto_providers.as_ref(),
            text_item(PROVIDER),
        )?;
        write_all(w, &self.unknown)?;
        w.end()
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
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RaRequirements {
    /// `rASignatures`: how many additional signatures are required.
    pub ra_signatures: u32,
    /// `rAEKUs`: `oIDReferenceID`s of the EKUs the RA certificate must
    /// have; `None` when nil. An empty list is written as nil.
    pub ra_ekus: Option<Vec<i32>>,
    /// `rAPolicies`: `oIDReferenceID`s of the policies the RA certificate
    /// must have; `None` when nil. An empty list is written as nil.
    pub ra_policies: Option<Vec<i32>>,
    /// Child elements the schema does not define, kept as read (written
    /// after the defined ones).
    pub unknown: Vec<AnyElement>,
}

impl RaRequirements {
    /// The element name, `rARequirements`.
    pub const NAME: QName = RA_REQUIREMENTS;

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

impl<'a> ReadFields<'a> for RaRequirements {
    fn read_fields(r: &mut XmlReader<'a>, mut children: Children<'a>) -> Result<Self> {
        let mut ra_signatures = None;
        let (mut ekus, mut seen_ekus) = (None, false);
        let (mut policies, mut seen_policies) = (None, false);
        let mut unknown = Vec::new();
        while let Some(child) = children.next(r)? {
            if child.is(RA_SIGNATURES) {
                once(r, &mut ra_signatures, RA_SIGNATURES, XmlReader::value)?;
            } else if child.is(RA_EKUS) {
                once_nillable(r, &mut ekus, &mut seen_ekus, RA_EKUS, |r| {
                    nillable_list(r, &child, OID_REFERENCE, item_value)
                })?;
            } else if child.is(RA_POLICIES) {
                once_nillable(r, &mut policies, &mut seen_policies, RA_POLICIES, |r| {
                    nillable_list(r, &child, OID_REFERENCE, item_value)
                })?;
            } else {
                unknown.push(r.any(&child)?);
            }
        }
        Ok(Self {
            ra_signatures: required(r, ra_signatures, RA_SIGNATURES)?,
            ra_ekus: ekus,
            ra_policies: policies,
            unknown,
        })
    }
}

from_xml_by_name!(RaRequirements);

impl ToXml for RaRequirements {
    fn to_xml(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(Self::NAME)?;
        w.value_element(RA_SIGNATURES, &self.ra_signatures)?;
        write_nillable_list(w, RA_EKUS, self.ra_ekus.as_ref(), value_item(OID_REFERENCE))?;
        write_nillable_list(
            w,
            RA_POLICIES,
            self.ra_policies.as_ref(),
            value_item(OID_REFERENCE),
        )?;
        write_all(w, &self.unknown)?;
        w.end()
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
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyArchivalAttributes {
    /// `symmetricAlgorithmOIDReference`: the `oIDReferenceID` of the
    /// symmetric algorithm.
    pub symmetric_algorithm_oid_reference: i32,
    /// `symmetricAlgorithmKeyLength`: its key length in bits.
    pub symmetric_algorithm_key_length: u32,
    /// Child elements the schema does not define, kept as read (written
    /// after the defined ones).
    pub unknown: Vec<AnyElement>,
}

impl KeyArchivalAttributes {
    /// The element name, `keyArchivalAttributes`.
    pub const NAME: QName = KEY_ARCHIVAL_ATTRIBUTES;

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

impl<'a> ReadFields<'a> for KeyArchivalAttributes {
    fn read_fields(r: &mut XmlReader<'a>, mut children: Children<'a>) -> Result<Self> {
        let mut algorithm = None;
        let mut length = None;
        let mut unknown = Vec::new();
        while let Some(child) = children.next(r)? {
            if child.is(SYMMETRIC_ALGORITHM_OID_REFERENCE) {
                once(
                    r,
                    &mut algorithm,
                    SYMMETRIC_ALGORITHM_OID_REFERENCE,
                    XmlReader::value,
                )?;
            } else if child.is(SYMMETRIC_ALGORITHM_KEY_LENGTH) {
                once(
                    r,
                    &mut length,
                    SYMMETRIC_ALGORITHM_KEY_LENGTH,
                    XmlReader::value,
                )?;
            } else {
                unknown.push(r.any(&child)?);
            }
        }
        Ok(Self {
            symmetric_algorithm_oid_reference: required(
                r,
                algorithm,
                SYMMETRIC_ALGORITHM_OID_REFERENCE,
            )?,
            symmetric_algorithm_key_length: required(r, length, SYMMETRIC_ALGORITHM_KEY_LENGTH)?,
            unknown,
        })
    }
}

from_xml_by_name!(KeyArchivalAttributes);

impl ToXml for KeyArchivalAttributes {
    fn to_xml(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(Self::NAME)?;
        w.value_element(
            SYMMETRIC_ALGORITHM_OID_REFERENCE,
            &self.symmetric_algorithm_oid_reference,
        )?;
        w.value_element(
            SYMMETRIC_ALGORITHM_KEY_LENGTH,
            &self.symmetric_algorithm_key_length,
        )?;
        write_all(w, &self.unknown)?;
        w.end()
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
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Extension {
    /// `oIDReference`: the `oIDReferenceID` of the extension's OID.
    pub oid_reference: i32,
    /// `critical`; `None` when nil (§3 only).
    pub critical: Option<bool>,
    /// `value`: the DER of the extension value, in base64; `None` when nil
    /// or empty.
    pub value: Option<Base64Text>,
    /// Child elements the schema does not define, kept as read (written
    /// after the defined ones).
    pub unknown: Vec<AnyElement>,
}

impl Extension {
    /// The element name, `extension`.
    pub const NAME: QName = EXTENSION;

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

impl<'a> ReadFields<'a> for Extension {
    fn read_fields(r: &mut XmlReader<'a>, mut children: Children<'a>) -> Result<Self> {
        let mut oid_reference = None;
        let (mut critical, mut seen_critical) = (None, false);
        let (mut value, mut seen_value) = (None, false);
        let mut unknown = Vec::new();
        while let Some(child) = children.next(r)? {
            if child.is(OID_REFERENCE) {
                once(r, &mut oid_reference, OID_REFERENCE, XmlReader::value)?;
            } else if child.is(CRITICAL) {
                once_nillable(r, &mut critical, &mut seen_critical, CRITICAL, |r| {
                    nillable_value(r, &child)
                })?;
            } else if child.is(VALUE) {
                once_nillable(r, &mut value, &mut seen_value, VALUE, |r| {
                    if is_nil(r, &child)? {
                        r.skip()?;
                        return Ok(None);
                    }
                    let v = Base64Text::new(&r.text()?);
                    Ok((!v.is_empty()).then_some(v))
                })?;
            } else {
                unknown.push(r.any(&child)?);
            }
        }
        Ok(Self {
            oid_reference: required(r, oid_reference, OID_REFERENCE)?,
            critical,
            value,
            unknown,
        })
    }
}

from_xml_by_name!(Extension);

impl ToXml for Extension {
    fn to_xml(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(Self::NAME)?;
        w.value_element(OID_REFERENCE, &self.oid_reference)?;
        write_nillable_value(w, CRITICAL, self.critical.as_ref())?;
        write_nillable_text(w, VALUE, self.value.as_ref().map(Base64Text::as_str))?;
        write_all(w, &self.unknown)?;
        w.end()
    }
}
