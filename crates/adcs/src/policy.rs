//! [`PolicyBuilder`]: templates, CAs and OIDs from the directory, made into
//! the GetPoliciesResponse a caller gets.

use std::collections::HashMap;

use der::Encode;
use der::asn1::{BitString, BmpString, ObjectIdentifier};
use x509_cert::ext::pkix::certpolicy::PolicyInformation;
use x509_cert::ext::pkix::{BasicConstraints, CertificatePolicies, ExtendedKeyUsage};
use xcep::flags::PrivateKeyFlags;
use xcep::{
    Attributes, Base64Text, Ca, CertificateEnrollmentPolicy, CertificateValidity, Extension,
    GetPoliciesResponse, KeyArchivalAttributes, Oid, OidGroup, PrivateKeyAttributes,
    RaRequirements, Response, Revision,
};

use crate::oid::EnterpriseOid;
use crate::security::{Caller, ENROLL, Permission};
use crate::service::EnrollmentService;
use crate::template::CertificateTemplate;

/// A template, CA or OID the builder left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Skipped {
    /// The entry's distinguished name.
    pub dn: String,
    /// Why it is not in the response.
    pub reason: String,
}

/// Builds the GetPoliciesResponse ([MS-XCEP] 3.1.4.1.2.2) that AD's policy
/// provider would give one caller, from [`CertificateTemplate`]s,
/// [`EnrollmentService`]s and [`EnterpriseOid`]s read from the directory.
///
/// For [`build`](Self::build)'s `caller`:
///
/// - **Templates** whose security descriptor gives the caller Enroll
///   ([MS-CRTD] 2.5.1) are policies, with `permission` `{enroll,
///   autoEnroll}` as the descriptor says; others are left out (listed in
///   the skipped entries), as are templates without a
///   `msPKI-Cert-Template-OID` (XCEP names a policy by its OID) and
///   templates without a security descriptor (not read: nobody is
///   assumed to have rights).
/// - **CAs** with a certificate and at least one `msPKI-Enrollment-Servers`
///   endpoint are `cA`s, `cAReferenceID` 0, 1, ... in the order given;
///   `enrollPermission` is their own descriptor's Enroll right (true when
///   not read). A policy's `cAs` are the CAs whose `certificateTemplates`
///   name it.
/// - **Attributes** map one to one: `commonName` `cn`, `policySchema`
///   `msPKI-Template-Schema-Version`, `certificateValidity` the two
///   periods in seconds, `privateKeyAttributes` the minimal key size,
///   key spec, key usage property, key security descriptor, asymmetric
///   algorithm and CSPs (by priority), `revision` the major and minor
///   revision, `supersededPolicies`, the four flag words, the hash
///   algorithm, `rARequirements` (when `msPKI-RA-Signature` is not 0),
///   `keyArchivalAttributes` (when `CT_FLAG_REQUIRE_PRIVATE_KEY_ARCHIVAL`
///   is set; 3DES/168 unless the template names a symmetric algorithm).
/// - **Extensions**, critical as `pKICriticalExtensions` says: the
///   template name (`1.3.6.1.4.1.311.20.2`, a BMPString, schema 1) or
///   template information (`1.3.6.1.4.1.311.21.7`: OID, major and minor
///   revision, schema 2 and later), EKU (`2.5.29.37`), key usage
///   (`2.5.29.15`), application policies (`1.3.6.1.4.1.311.21.10`,
///   schema 2 and later), certificate policies (`2.5.29.32`) and, for CA
///   and cross-CA templates, basic constraints (`2.5.29.19`, `cA` true,
///   the path length from `pKIMaxIssuingDepth`, none when it is -1).
/// - **OIDs**: every OID a policy refers to, numbered from 1 in order of
///   first use, named from the [`EnterpriseOid`]s or a short table of
///   well-known names. Enterprise OIDs no policy uses are not sent.
///
/// Algorithm names map to OIDs as Windows' OID table does: `RSA`
/// 1.2.840.113549.1.1.1; `ECDSA_P256`/`ECDH_P256` 1.2.840.10045.3.1.7,
/// `_P384` 1.3.132.0.34, `_P521` 1.3.132.0.35; `SHA1`, `SHA256`, `SHA384`,
/// `SHA512`, `MD5`; `3DES`, `DES`, `RC2`, `AES` (by key length). An
/// unknown name leaves the reference nil.
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
/// [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/
#[derive(Debug, Clone, Default)]
pub struct PolicyBuilder {
    policy_id: String,
    friendly_name: Option<String>,
    next_update_hours: Option<u32>,
    templates: Vec<CertificateTemplate>,
    services: Vec<EnrollmentService>,
    oids: Vec<EnterpriseOid>,
}

impl PolicyBuilder {
    /// A builder for the policy `policy_id` (XCEP `policyID`; AD uses the
    /// forest's `msPKI-Cert-Template-OID` arc GUID).
    pub fn new(policy_id: impl Into<String>) -> Self {
        Self {
            policy_id: policy_id.into(),
            ..Self::default()
        }
    }

    /// Sets `policyFriendlyName`.
    #[must_use]
    pub fn with_friendly_name(mut self, name: impl Into<String>) -> Self {
        self.friendly_name = Some(name.into());
        self
    }

    /// Sets `nextUpdateHours`.
    #[must_use]
    pub fn with_next_update_hours(mut self, hours: u32) -> Self {
        self.next_update_hours = Some(hours);
        self
    }

    /// Adds a template.
    #[must_use]
    pub fn with_template(mut self, template: CertificateTemplate) -> Self {
        self.templates.push(template);
        self
    }

    /// Adds a CA.
    #[must_use]
    pub fn with_service(mut self, service: EnrollmentService) -> Self {
        self.services.push(service);
        self
    }

    /// Adds an enterprise OID.
    #[must_use]
    pub fn with_oid(mut self, oid: EnterpriseOid) -> Self {
        self.oids.push(oid);
        self
    }

    /// The response for `caller`, and what was left out.
    pub fn build(&self, caller: &Caller) -> (GetPoliciesResponse, Vec<Skipped>) {
        self.build_for(Some(caller))
    }

    /// The response with every template that has a security descriptor,
    /// whoever may enroll (each `permission` false, every CA's
    /// `enrollPermission` true): what a server keeps and decides per
    /// caller with [`SecurityDescriptor::enrollment_entries`](crate::security::SecurityDescriptor::enrollment_entries).
    pub fn build_unfiltered(&self) -> (GetPoliciesResponse, Vec<Skipped>) {
        self.build_for(None)
    }

    fn build_for(&self, caller: Option<&Caller>) -> (GetPoliciesResponse, Vec<Skipped>) {
        let mut skipped = Vec::new();
        let mut oids = OidTable::new(&self.oids);
        let mut cas: Vec<(Ca, &EnrollmentService)> = Vec::new();
        for s in &self.services {
            let enroll = match (caller, &s.security_descriptor) {
                (Some(caller), Some(sd)) => sd.grants(caller, &ENROLL),
                _ => true,
            };
            let id = i32::try_from(cas.len()).unwrap_or(i32::MAX);
            match s.to_ca(id, enroll) {
                Some(ca) if !ca.uris.is_empty() => cas.push((ca, s)),
                Some(_) => skipped.push(skip(&s.dn, "no msPKI-Enrollment-Servers endpoint")),
                None => skipped.push(skip(&s.dn, "no cACertificate")),
            }
        }
        let mut response = Response::new(self.policy_id.clone()).with_policies_not_changed(false);
        response
            .policy_friendly_name
            .clone_from(&self.friendly_name);
        response.next_update_hours = self.next_update_hours;
        for t in &self.templates {
            let Some(sd) = &t.security_descriptor else {
                skipped.push(skip(&t.dn, "no nTSecurityDescriptor"));
                continue;
            };
            let permission = caller.map_or_else(Permission::default, |c| sd.permission(c));
            if caller.is_some() && !permission.enroll {
                skipped.push(skip(&t.dn, "the caller may not enroll"));
                continue;
            }
            match policy(t, permission, &cas, &mut oids) {
                Ok(p) => response = response.with_policy(p),
                Err(reason) => skipped.push(skip(&t.dn, &reason)),
            }
        }
        let mut out = GetPoliciesResponse::new().with_response(response);
        for (ca, _) in cas {
            out = out.with_ca(ca);
        }
        for oid in oids.oids {
            out = out.with_oid(oid);
        }
        (out, skipped)
    }
}

fn skip(dn: &str, reason: &str) -> Skipped {
    Skipped {
        dn: dn.to_owned(),
        reason: reason.to_owned(),
    }
}

/// The OIDs of the response, each once per (value, group).
struct OidTable<'a> {
    enterprise: &'a [EnterpriseOid],
    oids: Vec<Oid>,
    ids: HashMap<(String, u32), i32>,
}

impl<'a> OidTable<'a> {
    fn new(enterprise: &'a [EnterpriseOid]) -> Self {
        Self {
            enterprise,
            oids: Vec::new(),
            ids: HashMap::new(),
        }
    }

    fn id(&mut self, value: &str, group: OidGroup, name: Option<&str>) -> i32 {
        let key = (value.to_owned(), u32::from(group));
        if let Some(&id) = self.ids.get(&key) {
            return id;
        }
        let id = i32::try_from(self.oids.len() + 1).unwrap_or(i32::MAX);
        let name = name
            .map(str::to_owned)
            .or_else(|| {
                self.enterprise
                    .iter()
                    .find(|o| o.oid == value)
                    .and_then(|o| o.name().map(str::to_owned))
            })
            .or_else(|| well_known_name(value).map(str::to_owned));
        let oid = Oid::new(value, group, id);
        self.oids.push(match name {
            Some(n) => oid.with_default_name(n),
            None => oid,
        });
        self.ids.insert(key, id);
        id
    }
}

/// Names Windows gives the OIDs a default policy uses.
fn well_known_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "1.3.6.1.4.1.311.20.2" => "Certificate Template Name",
        "1.3.6.1.4.1.311.21.7" => "Certificate Template Information",
        "1.3.6.1.4.1.311.21.10" => "Application Policies",
        "2.5.29.15" => "Key Usage",
        "2.5.29.19" => "Basic Constraints",
        "2.5.29.32" => "Certificate Policies",
        "2.5.29.37" => "Enhanced Key Usage",
        "1.3.6.1.5.5.7.3.1" => "Server Authentication",
        "1.3.6.1.5.5.7.3.2" => "Client Authentication",
        "1.3.6.1.5.5.7.3.4" => "Secure Email",
        "1.3.6.1.4.1.311.10.3.4" => "Encrypting File System",
        "1.3.6.1.4.1.311.20.2.1" => "Certificate Request Agent",
        "1.3.6.1.4.1.311.20.2.2" => "Smart Card Logon",
        "1.2.840.113549.1.1.1" => "RSA",
        "1.3.14.3.2.26" => "sha1",
        "2.16.840.1.101.3.4.2.1" => "sha256",
        "2.16.840.1.101.3.4.2.2" => "sha384",
        "2.16.840.1.101.3.4.2.3" => "sha512",
        "1.2.840.113549.3.7" => "3des",
        _ => return None,
    })
}

fn asymmetric_oid(name: &str) -> Option<&'static str> {
    Some(match name.to_ascii_uppercase().as_str() {
        "RSA" => "1.2.840.113549.1.1.1",
        "DSA" | "DS" => "1.2.840.10040.4.1",
        "DH" => "1.2.840.10046.2.1",
        "ECDSA_P256" | "ECDH_P256" => "1.2.840.10045.3.1.7",
        "ECDSA_P384" | "ECDH_P384" => "1.3.132.0.34",
        "ECDSA_P521" | "ECDH_P521" => "1.3.132.0.35",
        _ => return None,
    })
}

fn hash_oid(name: &str) -> Option<&'static str> {
    Some(match name.to_ascii_uppercase().as_str() {
        "SHA1" => "1.3.14.3.2.26",
        "SHA256" => "2.16.840.1.101.3.4.2.1",
        "SHA384" => "2.16.840.1.101.3.4.2.2",
        "SHA512" => "2.16.840.1.101.3.4.2.3",
        "MD5" => "1.2.840.113549.2.5",
        _ => return None,
    })
}

fn symmetric_oid(name: &str, bits: u32) -> Option<&'static str> {
    Some(match (name.to_ascii_uppercase().as_str(), bits) {
        ("3DES", _) => "1.2.840.113549.3.7",
        ("DES", _) => "1.3.14.3.2.7",
        ("RC2", _) => "1.2.840.113549.3.2",
        ("AES", 128) => "2.16.840.1.101.3.4.1.2",
        ("AES", 192) => "2.16.840.1.101.3.4.1.22",
        ("AES", 256) => "2.16.840.1.101.3.4.1.42",
        _ => return None,
    })
}

fn policy(
    t: &CertificateTemplate,
    permission: Permission,
    cas: &[(Ca, &EnrollmentService)],
    oids: &mut OidTable<'_>,
) -> Result<CertificateEnrollmentPolicy, String> {
    let template_oid = t.oid.as_deref().ok_or("no msPKI-Cert-Template-OID")?;
    let name = t.display_name.as_deref().unwrap_or(&t.cn);
    let policy_ref = oids.id(template_oid, OidGroup::EnrollmentObject, Some(name));
    let crypto = t.crypto();

    let mut key = PrivateKeyAttributes::new(t.minimal_key_size);
    key.key_spec = t.key_spec;
    key.key_usage_property = crypto.key_usage;
    key.permissions.clone_from(&crypto.key_security_descriptor);
    key.algorithm_oid_reference = crypto
        .asymmetric_algorithm
        .as_deref()
        .and_then(asymmetric_oid)
        .map(|o| oids.id(o, OidGroup::PublicKey, None));
    for csp in &t.csps {
        key = key.with_crypto_provider(csp.name.clone());
    }

    let mut a = Attributes::new(
        t.cn.clone(),
        t.schema_version,
        CertificateValidity::new(t.validity.seconds(), t.overlap.seconds()),
        permission.into(),
        key,
        Revision::new(t.revision, t.minor_revision),
    )
    .with_private_key_flags(t.private_key_flags)
    .with_subject_name_flags(t.subject_name_flags)
    .with_enrollment_flags(t.enrollment_flags)
    .with_general_flags(t.general_flags);
    for s in &t.supersedes {
        a = a.with_superseded_policy(s.clone());
    }
    a.hash_algorithm_oid_reference = crypto
        .hash_algorithm
        .as_deref()
        .and_then(hash_oid)
        .map(|o| oids.id(o, OidGroup::HashAlgorithm, None));
    if t.ra_signatures > 0 {
        let mut ra = RaRequirements::new(t.ra_signatures);
        for o in &t.ra_application_policies.oids {
            ra = ra.with_ra_eku(oids.id(o, OidGroup::ExtendedKeyUsage, None));
        }
        for o in &t.ra_policies {
            ra = ra.with_ra_policy(oids.id(o, OidGroup::CertificatePolicy, None));
        }
        a = a.with_ra_requirements(ra);
    }
    if t.private_key_flags
        .contains(PrivateKeyFlags::REQUIRE_PRIVATE_KEY_ARCHIVAL)
    {
        let (alg, bits) = match &crypto.symmetric_algorithm {
            Some(alg) => (alg.as_str(), crypto.symmetric_key_length.unwrap_or(0)),
            None => ("3DES", 168),
        };
        let oid = symmetric_oid(alg, bits).ok_or_else(|| {
            format!("unknown symmetric algorithm {alg} ({bits} bits) for key archival")
        })?;
        let id = oids.id(oid, OidGroup::EncryptionAlgorithm, None);
        a = a.with_key_archival_attributes(KeyArchivalAttributes::new(id, bits));
    }
    for (oid, value) in extensions(t, template_oid)? {
        let id = oids.id(oid, OidGroup::ExtensionOrAttribute, None);
        a = a.with_extension(Extension::new(
            id,
            t.is_critical(oid),
            Base64Text::from_bytes(&value),
        ));
    }

    let mut p = CertificateEnrollmentPolicy::new(policy_ref, a);
    for (ca, service) in cas {
        if service.issues(&t.cn) {
            p = p.with_ca_reference(ca.ca_reference_id);
        }
    }
    Ok(p)
}

/// The extension OIDs and DER values of a template's certificates.
fn extensions(
    t: &CertificateTemplate,
    template_oid: &str,
) -> Result<Vec<(&'static str, Vec<u8>)>, String> {
    let der_err = |e: der::Error| format!("cannot encode an extension: {e}");
    let oid = |s: &str| ObjectIdentifier::new(s).map_err(|e| format!("{s}: {e}"));
    let mut out = Vec::new();
    if t.schema_version == 1 {
        let name = BmpString::from_utf8(&t.cn).map_err(der_err)?;
        out.push(("1.3.6.1.4.1.311.20.2", name.to_der().map_err(der_err)?));
    } else {
        // CertificateTemplate ::= SEQUENCE { templateID OBJECT IDENTIFIER,
        //   templateMajorVersion INTEGER, templateMinorVersion INTEGER OPTIONAL }
        let mut body = oid(template_oid)?.to_der().map_err(der_err)?;
        body.extend(t.revision.to_der().map_err(der_err)?);
        body.extend(t.minor_revision.to_der().map_err(der_err)?);
        out.push(("1.3.6.1.4.1.311.21.7", sequence(&body)));
    }
    if !t.extended_key_usage.is_empty() {
        let ekus = t
            .extended_key_usage
            .iter()
            .map(|s| oid(s))
            .collect::<Result<Vec<_>, _>>()?;
        out.push((
            "2.5.29.37",
            ExtendedKeyUsage(ekus).to_der().map_err(der_err)?,
        ));
    }
    if let Some(bits) = &t.key_usage {
        out.push(("2.5.29.15", key_usage_der(bits).map_err(der_err)?));
    }
    let policies = |list: &[String]| -> Result<Vec<u8>, String> {
        let infos = list
            .iter()
            .map(|s| {
                Ok(PolicyInformation {
                    policy_identifier: oid(s)?,
                    policy_qualifiers: None,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        CertificatePolicies(infos).to_der().map_err(der_err)
    };
    if t.schema_version >= 2 && !t.application_policies.is_empty() {
        out.push(("1.3.6.1.4.1.311.21.10", policies(&t.application_policies)?));
    }
    if !t.certificate_policies.is_empty() {
        out.push(("2.5.29.32", policies(&t.certificate_policies)?));
    }
    if t.general_flags
        .intersects(xcep::flags::GeneralFlags::IS_CA | xcep::flags::GeneralFlags::IS_CROSS_CA)
    {
        let bc = BasicConstraints {
            ca: true,
            path_len_constraint: t.max_issuing_depth.and_then(|d| u8::try_from(d).ok()),
        };
        out.push(("2.5.29.19", bc.to_der().map_err(der_err)?));
    }
    Ok(out)
}

/// `pKIKeyUsage`'s bytes as the DER BIT STRING of a KeyUsage extension
/// (RFC 5280 4.2.1.3): trailing zero bytes and bits are not encoded.
fn key_usage_der(bits: &[u8]) -> der::Result<Vec<u8>> {
    let end = bits.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let bytes = &bits[..end];
    let unused = bytes
        .last()
        .map_or(0, |b| u8::try_from(b.trailing_zeros()).unwrap_or(0));
    BitString::new(unused, bytes)?.to_der()
}

/// A DER SEQUENCE around `body`.
fn sequence(body: &[u8]) -> Vec<u8> {
    let mut out = vec![0x30];
    let len = body.len();
    if len < 0x80 {
        out.push(u8::try_from(len).unwrap_or(0));
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | u8::try_from(bytes.len() - skip).unwrap_or(0));
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_usage_bits_encode_as_rfc5280_bit_strings() {
        // digitalSignature | keyEncipherment (User, Machine, WebServer).
        assert_eq!(
            key_usage_der(&[0xA0, 0x00]).unwrap(),
            [0x03, 0x02, 0x05, 0xA0]
        );
        // keyEncipherment only (EFS): "AwIFoA==" in MS-XCEP 4.1.1.2 is 0xA0.
        assert_eq!(
            key_usage_der(&[0x20, 0x00]).unwrap(),
            [0x03, 0x02, 0x05, 0x20]
        );
        // digitalSignature | keyCertSign | cRLSign (CA): 0x86.
        assert_eq!(
            key_usage_der(&[0x86, 0x00]).unwrap(),
            [0x03, 0x02, 0x01, 0x86]
        );
        // decipherOnly is the first bit of the second byte.
        assert_eq!(
            key_usage_der(&[0x00, 0x80]).unwrap(),
            [0x03, 0x03, 0x07, 0x00, 0x80]
        );
        assert_eq!(key_usage_der(&[0x00]).unwrap(), [0x03, 0x01, 0x00]);
    }

    #[test]
    fn long_sequences_use_long_lengths() {
        assert_eq!(sequence(&[1, 2]), [0x30, 2, 1, 2]);
        let s = sequence(&[0; 200]);
        assert_eq!(&s[..3], &[0x30, 0x81, 200]);
        assert_eq!(s.len(), 203);
    }
}
