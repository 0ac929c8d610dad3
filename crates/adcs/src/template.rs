//! `pKICertificateTemplate` objects ([MS-CRTD] 2) and their XCEP form
//! ([MS-XCEP] 3.1.4.1.3.1, `Attributes`).
//!
//! [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/
//! [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/

use der::Encode;
use der::asn1::{BitString, ObjectIdentifier};
use x509_cert::ext::pkix::{CertificatePolicies, ExtendedKeyUsage, KeyUsage};
use xcep::flags::{EnrollmentFlags, GeneralFlags, KeySpec, PrivateKeyFlags, SubjectNameFlags};
use xcep::{
    Attributes, Base64Text, CertificateEnrollmentPolicy, CertificateValidity, EnrollmentPermission,
    Extension, KeyArchivalAttributes, OidGroup, PrivateKeyAttributes, RaRequirements, Revision,
};

use crate::entry::Entry;
use crate::error::{ErrorKind, Result};
use crate::oid_table::OidTable;
use crate::period;
use crate::security::{Rights, SecurityDescriptor};

/// `szOID_CERTIFICATE_TEMPLATE`, the template-information extension
/// ([MS-WCCE] 2.2.2.7.7.2).
pub const TEMPLATE_INFO_EXTENSION: &str = "1.3.6.1.4.1.311.21.7";
/// `szOID_ENROLL_CERTTYPE_EXTENSION`, the template-name extension of
/// schema 1 templates ([MS-WCCE] 2.2.2.7.7.1).
pub const TEMPLATE_NAME_EXTENSION: &str = "1.3.6.1.4.1.311.20.2";
/// `szOID_APPLICATION_CERT_POLICIES` ([MS-WCCE] 2.2.2.7.7.3).
pub const APPLICATION_POLICIES_EXTENSION: &str = "1.3.6.1.4.1.311.21.10";
/// X.509 extended key usage.
pub const EKU_EXTENSION: &str = "2.5.29.37";
/// X.509 key usage.
pub const KEY_USAGE_EXTENSION: &str = "2.5.29.15";
/// X.509 certificate policies.
pub const CERTIFICATE_POLICIES_EXTENSION: &str = "2.5.29.32";

/// `CT_FLAG_REQUIRE_PRIVATE_KEY_ARCHIVAL` of `msPKI-Private-Key-Flag`.
const REQUIRE_PRIVATE_KEY_ARCHIVAL: u32 = 0x1;

/// The properties of a schema 4 template's `msPKI-RA-Application-Policies`
/// ([MS-CRTD] 2.23.2): `name`type`value` triples after the RA policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyProperties {
    /// `msPKI-RA-Application-Policies` proper: the RA's application policy
    /// OID, when given.
    pub ra_application_policy: Option<String>,
    /// `msPKI-Asymmetric-Algorithm` (a CNG name: `RSA`, `ECDH_P256`, ...).
    pub asymmetric_algorithm: Option<String>,
    /// `msPKI-Hash-Algorithm` (`SHA256`, ...).
    pub hash_algorithm: Option<String>,
    /// `msPKI-Key-Usage` (the CNG `NCRYPT_ALLOW_*` flags).
    pub key_usage: Option<u32>,
    /// `msPKI-Symmetric-Algorithm` (for key archival).
    pub symmetric_algorithm: Option<String>,
    /// `msPKI-Symmetric-Key-Length`.
    pub symmetric_key_length: Option<u32>,
    /// `msPKI-Key-Security-Descriptor` (SDDL).
    pub key_security_descriptor: Option<String>,
}

impl KeyProperties {
    /// Reads a schema 4 value: `msPKI-RA-Application-Policies` with its
    /// properties, separated by backquotes.
    fn parse(value: &str) -> Self {
        let mut p = Self::default();
        let fields: Vec<&str> = value.split('`').collect();
        let mut i = 0;
        while i + 2 < fields.len() {
            let (name, value) = (fields[i], fields[i + 2]);
            match name {
                "msPKI-RA-Application-Policies" => {
                    p.ra_application_policy = Some(value.to_owned());
                }
                "msPKI-Asymmetric-Algorithm" => p.asymmetric_algorithm = Some(value.to_owned()),
                "msPKI-Hash-Algorithm" => p.hash_algorithm = Some(value.to_owned()),
                "msPKI-Key-Usage" => p.key_usage = value.parse().ok(),
                "msPKI-Symmetric-Algorithm" => p.symmetric_algorithm = Some(value.to_owned()),
                "msPKI-Symmetric-Key-Length" => p.symmetric_key_length = value.parse().ok(),
                "msPKI-Key-Security-Descriptor" => {
                    p.key_security_descriptor = Some(value.to_owned());
                }
                _ => {}
            }
            i += 3;
        }
        p
    }
}

/// A `pKICertificateTemplate` object, every attribute AD CS uses.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Template {
    /// `cn`: the template's name, what a CSR's template extension names.
    pub name: String,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `msPKI-Cert-Template-OID`.
    pub oid: Option<String>,
    /// `msPKI-Template-Schema-Version` (1 when absent).
    pub schema_version: u32,
    /// `revision`: the major revision.
    pub revision: u32,
    /// `msPKI-Template-Minor-Revision`.
    pub minor_revision: u32,
    /// `flags` ([MS-CRTD] 2.13).
    pub general_flags: GeneralFlags,
    /// `msPKI-Enrollment-Flag` ([MS-CRTD] 2.26).
    pub enrollment_flags: EnrollmentFlags,
    /// `msPKI-Private-Key-Flag` ([MS-CRTD] 2.27).
    pub private_key_flags: PrivateKeyFlags,
    /// `msPKI-Certificate-Name-Flag` ([MS-CRTD] 2.28).
    pub subject_name_flags: SubjectNameFlags,
    /// `msPKI-Minimal-Key-Size`.
    pub minimal_key_size: u32,
    /// `pKIDefaultKeySpec`.
    pub key_spec: Option<KeySpec>,
    /// `pKIKeyUsage`: the key usage extension's bits as stored.
    pub key_usage: Option<Vec<u8>>,
    /// `pKIExtendedKeyUsage`.
    pub extended_key_usage: Vec<String>,
    /// `msPKI-Certificate-Application-Policy`.
    pub application_policies: Vec<String>,
    /// `msPKI-Certificate-Policy`: the issuance policies.
    pub issuance_policies: Vec<String>,
    /// `pKICriticalExtensions`.
    pub critical_extensions: Vec<String>,
    /// `pKIDefaultCSPs`, in their order (`N,Provider` sorted by `N`).
    pub crypto_providers: Vec<String>,
    /// `pKIExpirationPeriod`, in seconds.
    pub validity_seconds: u64,
    /// `pKIOverlapPeriod`, in seconds.
    pub renewal_seconds: u64,
    /// `msPKI-RA-Signature`: how many RA signatures a request needs.
    pub ra_signatures: u32,
    /// `msPKI-RA-Application-Policies` (schema 2 and 3: OIDs).
    pub ra_application_policies: Vec<String>,
    /// `msPKI-RA-Policies`.
    pub ra_issuance_policies: Vec<String>,
    /// The schema 4 properties of `msPKI-RA-Application-Policies`.
    pub key_properties: KeyProperties,
    /// `msPKI-Supersede-Templates`.
    pub supersedes: Vec<String>,
    /// `nTSecurityDescriptor`, when read.
    pub security: Option<SecurityDescriptor>,
}

/// A CNG algorithm name's OID (the ones certreq and the template console
/// offer).
fn cng_algorithm_oid(name: &str) -> Option<(&'static str, OidGroup)> {
    Some(match name.to_ascii_uppercase().as_str() {
        "RSA" => ("1.2.840.113549.1.1.1", OidGroup::PublicKey),
        "ECDH_P256" | "ECDSA_P256" => ("1.2.840.10045.3.1.7", OidGroup::PublicKey),
        "ECDH_P384" | "ECDSA_P384" => ("1.3.132.0.34", OidGroup::PublicKey),
        "ECDH_P521" | "ECDSA_P521" => ("1.3.132.0.35", OidGroup::PublicKey),
        "SHA1" => ("1.3.14.3.2.26", OidGroup::HashAlgorithm),
        "SHA256" => ("2.16.840.1.101.3.4.2.1", OidGroup::HashAlgorithm),
        "SHA384" => ("2.16.840.1.101.3.4.2.2", OidGroup::HashAlgorithm),
        "SHA512" => ("2.16.840.1.101.3.4.2.3", OidGroup::HashAlgorithm),
        "3DES" => ("1.2.840.113549.3.7", OidGroup::EncryptionAlgorithm),
        "AES" | "AES128" => ("2.16.840.1.101.3.4.1.2", OidGroup::EncryptionAlgorithm),
        "AES192" => ("2.16.840.1.101.3.4.1.22", OidGroup::EncryptionAlgorithm),
        "AES256" => ("2.16.840.1.101.3.4.1.42", OidGroup::EncryptionAlgorithm),
        _ => return None,
    })
}

fn oid(e: &Entry, attribute: &'static str, value: &str) -> Result<ObjectIdentifier> {
    value
        .trim()
        .parse()
        .map_err(|_| e.malformed(attribute, format!("{value:?} is not an OID")))
}

impl Template {
    /// Reads the object's attributes. `cn` is required; a value that its
    /// syntax does not allow is an error naming the attribute.
    pub fn from_entry(e: &Entry) -> Result<Self> {
        let period = |attribute: &'static str| -> Result<u64> {
            match e.first(attribute) {
                None => Ok(0),
                Some(v) => period::seconds(v).ok_or_else(|| {
                    e.malformed(attribute, "not an 8-byte negative FILETIME interval")
                }),
            }
        };
        let oids = |attribute: &'static str| -> Result<Vec<String>> {
            let values = e.strings(attribute)?;
            for v in &values {
                oid(e, attribute, v)?;
            }
            Ok(values.into_iter().map(|v| v.trim().to_owned()).collect())
        };
        let mut csps: Vec<(u32, String)> = Vec::new();
        for v in e.strings("pKIDefaultCSPs")? {
            let (n, name) = v
                .split_once(',')
                .and_then(|(n, name)| Some((n.trim().parse().ok()?, name.to_owned())))
                .ok_or_else(|| e.malformed("pKIDefaultCSPs", format!("{v:?} is not N,Provider")))?;
            csps.push((n, name));
        }
        csps.sort_by_key(|(n, _)| *n);
        let schema_version = e.u32("msPKI-Template-Schema-Version")?.unwrap_or(1);
        let ra_values = e.strings("msPKI-RA-Application-Policies")?;
        let (ra_application_policies, key_properties) = if ra_values.iter().any(|v| v.contains('`'))
        {
            let p = KeyProperties::parse(&ra_values.concat());
            (p.ra_application_policy.iter().cloned().collect(), p)
        } else {
            (
                oids("msPKI-RA-Application-Policies")?,
                KeyProperties::default(),
            )
        };
        let security = e
            .first("nTSecurityDescriptor")
            .map(|b| {
                SecurityDescriptor::from_bytes(b)
                    .map_err(|m| e.error("nTSecurityDescriptor", ErrorKind::SecurityDescriptor(m)))
            })
            .transpose()?;
        Ok(Self {
            name: e.required("cn")?,
            display_name: e.string("displayName")?,
            oid: e
                .string("msPKI-Cert-Template-OID")?
                .map(|v| oid(e, "msPKI-Cert-Template-OID", &v).map(|o| o.to_string()))
                .transpose()?,
            schema_version,
            revision: e.u32("revision")?.unwrap_or(0),
            minor_revision: e.u32("msPKI-Template-Minor-Revision")?.unwrap_or(0),
            general_flags: GeneralFlags::from_bits_retain(e.u32("flags")?.unwrap_or(0)),
            enrollment_flags: EnrollmentFlags::from_bits_retain(
                e.u32("msPKI-Enrollment-Flag")?.unwrap_or(0),
            ),
            private_key_flags: PrivateKeyFlags::from_bits_retain(
                e.u32("msPKI-Private-Key-Flag")?.unwrap_or(0),
            ),
            subject_name_flags: SubjectNameFlags::from_bits_retain(
                e.u32("msPKI-Certificate-Name-Flag")?.unwrap_or(0),
            ),
            minimal_key_size: e.u32("msPKI-Minimal-Key-Size")?.unwrap_or(0),
            key_spec: e.u32("pKIDefaultKeySpec")?.map(KeySpec::from_bits_retain),
            key_usage: e.first("pKIKeyUsage").map(<[u8]>::to_vec),
            extended_key_usage: oids("pKIExtendedKeyUsage")?,
            application_policies: oids("msPKI-Certificate-Application-Policy")?,
            issuance_policies: oids("msPKI-Certificate-Policy")?,
            critical_extensions: oids("pKICriticalExtensions")?,
            crypto_providers: csps.into_iter().map(|(_, n)| n).collect(),
            validity_seconds: period("pKIExpirationPeriod")?,
            renewal_seconds: period("pKIOverlapPeriod")?,
            ra_signatures: e.u32("msPKI-RA-Signature")?.unwrap_or(0),
            ra_application_policies,
            ra_issuance_policies: oids("msPKI-RA-Policies")?,
            key_properties,
            supersedes: e.strings("msPKI-Supersede-Templates")?,
            security,
        })
    }

    /// The rights the caller holding `sids` has on this template; none
    /// when its security descriptor was not read.
    pub fn rights(&self, sids: &[crate::security::Sid]) -> Rights {
        self.security
            .as_ref()
            .map_or_else(Rights::default, |sd| sd.rights(sids))
    }

    /// The template's X.509 extensions, as AD CS puts them in a policy and
    /// in what it issues: the template extension (information for schema 2
    /// and later, name for schema 1), key usage, extended key usage,
    /// application policies and issuance policies, critical as
    /// `pKICriticalExtensions` says.
    pub fn extensions(&self) -> Result<Vec<(String, bool, Vec<u8>)>> {
        let der_err = |what: &str, e: der::Error| crate::error::Error {
            dn: self.name.clone(),
            attribute: "extensions",
            kind: ErrorKind::Malformed(format!("{what}: {e}")),
        };
        let parse = |v: &String| -> Result<ObjectIdentifier> {
            v.parse().map_err(|_| crate::error::Error {
                dn: self.name.clone(),
                attribute: "extensions",
                kind: ErrorKind::Malformed(format!("{v:?} is not an OID")),
            })
        };
        let parse_all = |v: &[String]| v.iter().map(parse).collect::<Result<Vec<_>>>();
        let mut out = Vec::new();
        if let (Some(o), true) = (&self.oid, self.schema_version >= 2) {
            let info = TemplateInfoDer {
                template_id: parse(o)?,
                major_version: Some(self.revision),
                minor_version: Some(self.minor_revision),
            };
            out.push((
                TEMPLATE_INFO_EXTENSION,
                info.to_der().map_err(|e| der_err("template", e))?,
            ));
        } else {
            let name = der::asn1::BmpString::from_utf8(&self.name)
                .map_err(|e| der_err("template name", e))?;
            out.push((
                TEMPLATE_NAME_EXTENSION,
                name.to_der().map_err(|e| der_err("template name", e))?,
            ));
        }
        if let Some(bits) = &self.key_usage {
            let mut bytes: Vec<u8> = bits.clone();
            while bytes.last() == Some(&0) {
                bytes.pop();
            }
            let unused = bytes.last().map_or(0, |b| b.trailing_zeros());
            #[allow(clippy::cast_possible_truncation)]
            let bit_string =
                BitString::new(unused as u8, bytes).map_err(|e| der_err("key usage", e))?;
            out.push((
                KEY_USAGE_EXTENSION,
                bit_string.to_der().map_err(|e| der_err("key usage", e))?,
            ));
            // KeyUsage is a BIT STRING; checked to read back as one.
            let _: KeyUsage =
                der::Decode::from_der(&out.last().map(|x| x.1.clone()).unwrap_or_default())
                    .map_err(|e| der_err("key usage", e))?;
        }
        if !self.extended_key_usage.is_empty() {
            let eku = ExtendedKeyUsage(parse_all(&self.extended_key_usage)?);
            out.push((EKU_EXTENSION, eku.to_der().map_err(|e| der_err("EKU", e))?));
        }
        if !self.application_policies.is_empty() {
            let policies = policies(parse_all(&self.application_policies)?);
            out.push((
                APPLICATION_POLICIES_EXTENSION,
                policies
                    .to_der()
                    .map_err(|e| der_err("application policies", e))?,
            ));
        }
        if !self.issuance_policies.is_empty() {
            let policies = policies(parse_all(&self.issuance_policies)?);
            out.push((
                CERTIFICATE_POLICIES_EXTENSION,
                policies
                    .to_der()
                    .map_err(|e| der_err("issuance policies", e))?,
            ));
        }
        Ok(out
            .into_iter()
            .map(|(o, v)| {
                let critical = self.critical_extensions.iter().any(|c| c == o);
                (o.to_owned(), critical, v)
            })
            .collect())
    }

    /// This template as an XCEP policy ([MS-XCEP] 3.1.4.1.3.3), its OIDs
    /// added to `oids`, offered by the CAs `cas` (their reference IDs),
    /// with the caller's `rights`.
    ///
    /// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
    pub fn to_policy(
        &self,
        oids: &mut OidTable,
        cas: &[i32],
        rights: Rights,
    ) -> Result<CertificateEnrollmentPolicy> {
        let name = self.display_name.as_deref().unwrap_or(&self.name);
        let template_oid = self.oid.clone().unwrap_or_default();
        let policy_ref = oids.reference(&template_oid, OidGroup::EnrollmentObject, Some(name));
        let mut key = PrivateKeyAttributes::new(self.minimal_key_size);
        if let Some(spec) = self.key_spec {
            key = key.with_key_spec(spec);
        }
        if let Some(usage) = self.key_properties.key_usage {
            key =
                key.with_key_usage_property(xcep::flags::KeyUsageProperty::from_bits_retain(usage));
        }
        if let Some(sddl) = &self.key_properties.key_security_descriptor {
            key = key.with_permissions(sddl.clone());
        }
        if let Some((o, g)) = self
            .key_properties
            .asymmetric_algorithm
            .as_deref()
            .and_then(cng_algorithm_oid)
        {
            key = key.with_algorithm_oid_reference(oids.reference(o, g, None));
        }
        for p in &self.crypto_providers {
            key = key.with_crypto_provider(p.clone());
        }
        let mut attributes = Attributes::new(
            self.name.clone(),
            self.schema_version,
            CertificateValidity::new(self.validity_seconds, self.renewal_seconds),
            EnrollmentPermission::new(rights.enroll, rights.auto_enroll),
            key,
            Revision::new(self.revision, self.minor_revision),
        )
        .with_private_key_flags(self.private_key_flags)
        .with_subject_name_flags(self.subject_name_flags)
        .with_enrollment_flags(self.enrollment_flags)
        .with_general_flags(self.general_flags);
        for s in &self.supersedes {
            attributes = attributes.with_superseded_policy(s.clone());
        }
        if let Some((o, g)) = self
            .key_properties
            .hash_algorithm
            .as_deref()
            .and_then(cng_algorithm_oid)
        {
            attributes = attributes.with_hash_algorithm_oid_reference(oids.reference(o, g, None));
        }
        if self.ra_signatures > 0 {
            let mut ra = RaRequirements::new(self.ra_signatures);
            for o in &self.ra_application_policies {
                ra = ra.with_ra_eku(oids.reference(o, OidGroup::ExtendedKeyUsage, None));
            }
            for o in &self.ra_issuance_policies {
                ra = ra.with_ra_policy(oids.reference(o, OidGroup::CertificatePolicy, None));
            }
            attributes = attributes.with_ra_requirements(ra);
        }
        if self.private_key_flags.bits() & REQUIRE_PRIVATE_KEY_ARCHIVAL != 0 {
            // The CA's default archival algorithm: 3DES, 168 bits, unless
            // the schema 4 properties say otherwise.
            let (alg, bits) = self
                .key_properties
                .symmetric_algorithm
                .as_deref()
                .and_then(cng_algorithm_oid)
                .map_or(("1.2.840.113549.3.7", 168), |(o, _)| {
                    (o, self.key_properties.symmetric_key_length.unwrap_or(168))
                });
            let r = oids.reference(alg, OidGroup::EncryptionAlgorithm, None);
            attributes =
                attributes.with_key_archival_attributes(KeyArchivalAttributes::new(r, bits));
        }
        for o in &self.extended_key_usage {
            oids.reference(o, OidGroup::ExtendedKeyUsage, None);
        }
        for o in &self.issuance_policies {
            oids.reference(o, OidGroup::CertificatePolicy, None);
        }
        for (o, critical, value) in self.extensions()? {
            let r = oids.reference(&o, OidGroup::ExtensionOrAttribute, None);
            attributes = attributes.with_extension(Extension::new(
                r,
                critical,
                Base64Text::from_bytes(&value),
            ));
        }
        let mut policy = CertificateEnrollmentPolicy::new(policy_ref, attributes);
        for ca in cas {
            policy = policy.with_ca_reference(*ca);
        }
        Ok(policy)
    }
}

/// `CertificateTemplateOID` ([MS-WCCE] 2.2.2.7.7.2).
#[derive(der::Sequence)]
struct TemplateInfoDer {
    template_id: ObjectIdentifier,
    #[asn1(optional = "true")]
    major_version: Option<u32>,
    #[asn1(optional = "true")]
    minor_version: Option<u32>,
}

fn policies(oids: Vec<ObjectIdentifier>) -> CertificatePolicies {
    CertificatePolicies(
        oids.into_iter()
            .map(|o| x509_cert::ext::pkix::certpolicy::PolicyInformation {
                policy_identifier: o,
                policy_qualifiers: None,
            })
            .collect(),
    )
}
