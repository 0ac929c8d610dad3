//! [`CertificateTemplate`]: a `pKICertificateTemplate` entry ([MS-CRTD] 2).
//!
//! [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/

use xcep::flags::{
    EnrollmentFlags, GeneralFlags, KeySpec, KeyUsageProperty, PrivateKeyFlags, SubjectNameFlags,
};

use crate::entry::{LdapEntry, check_oid};
use crate::error::{Result, ValueError};
use crate::filetime::Interval;
use crate::security::SecurityDescriptor;

/// One entry of `pKIDefaultCSPs` ([MS-CRTD] 2.8): `intNum, <strCSP>`, a
/// priority (lower first) and a provider name.
///
/// [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Csp {
    /// `intNum`: the administrator's order of preference.
    pub priority: u32,
    /// `strCSP`: the provider's name.
    pub name: String,
}

impl Csp {
    /// Reads `N,Provider Name` (spaces around either part are removed).
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        let bad =
            || ValueError::BadFormat(format!("{:?} is not \"N,Provider Name\"", trunc(value)));
        let (n, name) = value.split_once(',').ok_or_else(bad)?;
        let priority = n.trim().parse().map_err(|_| bad())?;
        let name = name.trim();
        if name.is_empty() {
            return Err(bad());
        }
        Ok(Self {
            priority,
            name: name.to_owned(),
        })
    }
}

/// The properties of `msPKI-RA-Application-Policies` ([MS-CRTD] 2.23).
///
/// For schema 1 and 2 templates, and schema 4 ones with
/// `CT_FLAG_USE_LEGACY_PROVIDER`, the attribute is a list of RA
/// application policy OIDs (syntax option 1, [MS-CRTD] 2.23.1). For
/// schema 3, and schema 4 without that flag, it is one string of
/// `` Name`Type`Value` `` triplets (syntax option 2, [MS-CRTD] 2.23.2)
/// whose `msPKI-RA-Application-Policies` property holds the
/// comma-separated OIDs and whose other properties are the key's
/// [`CryptoProperties`].
///
/// [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RaApplicationPolicies {
    /// The application policy (EKU) OIDs an RA certificate must have.
    pub oids: Vec<String>,
    /// The key properties, from syntax option 2 only.
    pub crypto: CryptoProperties,
}

/// The key properties of a schema 3 or 4 template, from the syntax option
/// 2 triplets of `msPKI-RA-Application-Policies` ([MS-CRTD] 2.23.2; client
/// rules in [MS-WCCE] 3.1.2.4.2.2.2.5).
///
/// [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/
/// [MS-WCCE]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wcce/
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CryptoProperties {
    /// `msPKI-Asymmetric-Algorithm` (`RSA`, `ECDSA_P256`, ...).
    pub asymmetric_algorithm: Option<String>,
    /// `msPKI-Hash-Algorithm` (`SHA256`, ...).
    pub hash_algorithm: Option<String>,
    /// `msPKI-Key-Security-Descriptor`: SDDL for the private key.
    pub key_security_descriptor: Option<String>,
    /// `msPKI-Key-Usage`: `NCRYPT_ALLOW_*` flags.
    pub key_usage: Option<KeyUsageProperty>,
    /// `msPKI-Symmetric-Algorithm` (`3DES`, `AES`, ...), for key archival.
    pub symmetric_algorithm: Option<String>,
    /// `msPKI-Symmetric-Key-Length`, in bits.
    pub symmetric_key_length: Option<u32>,
}

impl RaApplicationPolicies {
    /// Reads the attribute's values for a template of `schema_version`
    /// whose private key flags are `private_key_flags`.
    pub fn parse(
        values: &[&str],
        schema_version: u32,
        private_key_flags: PrivateKeyFlags,
    ) -> Result<Self, ValueError> {
        let option2 = schema_version == 3
            || (schema_version >= 4
                && !private_key_flags.contains(PrivateKeyFlags::USE_LEGACY_PROVIDER));
        let mut out = Self::default();
        if !option2 {
            for v in values {
                out.oids.push(check_oid(v.trim())?);
            }
            return Ok(out);
        }
        for value in values {
            // A list of Name`Type`Value` triplets; the last delimiter may be
            // missing. Values never contain a grave accent.
            let fields: Vec<&str> = value.trim().trim_end_matches('`').split('`').collect();
            if !fields.len().is_multiple_of(3) {
                return Err(ValueError::BadFormat(format!(
                    "{:?} is not a list of Name`Type`Value` triplets",
                    trunc(value)
                )));
            }
            for t in fields.chunks_exact(3) {
                out.property(t[0], t[1], t[2])?;
            }
        }
        Ok(out)
    }

    fn property(&mut self, name: &str, ty: &str, value: &str) -> Result<(), ValueError> {
        let want = |expected: &str| {
            if ty == expected {
                Ok(())
            } else {
                Err(ValueError::BadFormat(format!(
                    "property {name} has type {ty:?}, not {expected}"
                )))
            }
        };
        let dword = || {
            want("DWORD")?;
            value
                .trim()
                .parse::<u32>()
                .map_err(|_| ValueError::not_an_integer(value, 0, i64::from(u32::MAX)))
        };
        let string = || want("PZPWSTR").map(|()| Some(value.to_owned()));
        let c = &mut self.crypto;
        match name {
            "msPKI-RA-Application-Policies" => {
                want("PZPWSTR")?;
                for oid in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    self.oids.push(check_oid(oid)?);
                }
            }
            "msPKI-Asymmetric-Algorithm" => c.asymmetric_algorithm = string()?,
            "msPKI-Hash-Algorithm" => c.hash_algorithm = string()?,
            "msPKI-Key-Security-Descriptor" => c.key_security_descriptor = string()?,
            "msPKI-Symmetric-Algorithm" => c.symmetric_algorithm = string()?,
            "msPKI-Symmetric-Key-Length" => c.symmetric_key_length = Some(dword()?),
            "msPKI-Key-Usage" => c.key_usage = Some(KeyUsageProperty::from_bits_retain(dword()?)),
            // "MUST be one of" the names above; a newer one is not ours to
            // refuse.
            _ => {}
        }
        Ok(())
    }
}

/// A certificate template: the attributes of a `pKICertificateTemplate`
/// object ([MS-CRTD] 2, [MS-ADSC] 2.222), typed.
///
/// [`CertificateTemplate::from_entry`] reads every attribute AD CS uses;
/// [`crate::PolicyBuilder`] turns templates into XCEP policies. Integer
/// flag words are kept as the `xcep::flags` sets (unknown bits kept).
///
/// | attribute | field | [MS-CRTD] |
/// |---|---|---|
/// | `cn` | [`cn`](Self::cn) | 2.1 |
/// | `displayName` | [`display_name`](Self::display_name) | 2.2 |
/// | `flags` | [`general_flags`](Self::general_flags) | 2.4 |
/// | `nTSecurityDescriptor` | [`security_descriptor`](Self::security_descriptor) | 2.5 |
/// | `revision` | [`revision`](Self::revision) | 2.6 |
/// | `pKICriticalExtensions` | [`critical_extensions`](Self::critical_extensions) | 2.7 |
/// | `pKIDefaultCSPs` | [`csps`](Self::csps) | 2.8 |
/// | `pKIDefaultKeySpec` | [`key_spec`](Self::key_spec) | 2.9 |
/// | `pKIExpirationPeriod` | [`validity`](Self::validity) | 2.11 |
/// | `pKIExtendedKeyUsage` | [`extended_key_usage`](Self::extended_key_usage) | 2.12 |
/// | `pKIKeyUsage` | [`key_usage`](Self::key_usage) | 2.13 |
/// | `pKIMaxIssuingDepth` | [`max_issuing_depth`](Self::max_issuing_depth) | 2.14 |
/// | `pKIOverlapPeriod` | [`overlap`](Self::overlap) | 2.15 |
/// | `msPKI-Template-Schema-Version` | [`schema_version`](Self::schema_version) | 2.16 |
/// | `msPKI-Template-Minor-Revision` | [`minor_revision`](Self::minor_revision) | 2.17 |
/// | `msPKI-RA-Signature` | [`ra_signatures`](Self::ra_signatures) | 2.18 |
/// | `msPKI-Minimal-Key-Size` | [`minimal_key_size`](Self::minimal_key_size) | 2.19 |
/// | `msPKI-Cert-Template-OID` | [`oid`](Self::oid) | 2.20 |
/// | `msPKI-Supersede-Templates` | [`supersedes`](Self::supersedes) | 2.21 |
/// | `msPKI-RA-Policies` | [`ra_policies`](Self::ra_policies) | 2.22 |
/// | `msPKI-RA-Application-Policies` | [`ra_application_policies`](Self::ra_application_policies) | 2.23 |
/// | `msPKI-Certificate-Policy` | [`certificate_policies`](Self::certificate_policies) | 2.24 |
/// | `msPKI-Certificate-Application-Policy` | [`application_policies`](Self::application_policies) | 2.25 |
/// | `msPKI-Enrollment-Flag` | [`enrollment_flags`](Self::enrollment_flags) | 2.26 |
/// | `msPKI-Private-Key-Flag` | [`private_key_flags`](Self::private_key_flags) | 2.27 |
/// | `msPKI-Certificate-Name-Flag` | [`subject_name_flags`](Self::subject_name_flags) | 2.28 |
///
/// [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/
/// [MS-ADSC]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-adsc/
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CertificateTemplate {
    /// The entry's distinguished name.
    pub dn: String,
    /// `cn`: the template's name, what a request's template extension and
    /// XCEP's `commonName` carry. Required.
    pub cn: String,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `flags` ([MS-CRTD] 2.4), XCEP's `generalFlags`.
    pub general_flags: GeneralFlags,
    /// `revision`: the major version. Required.
    pub revision: u32,
    /// `msPKI-Template-Minor-Revision` (0 when absent, as on Windows 2000
    /// templates).
    pub minor_revision: u32,
    /// `msPKI-Template-Schema-Version`: 1 to 4 (1 when absent, as on
    /// Windows 2000 templates; [MS-CRTD] 2.16 allows only 1 to 4).
    pub schema_version: u32,
    /// `msPKI-Cert-Template-OID`: the template's OID.
    pub oid: Option<String>,
    /// `pKIExpirationPeriod`: the validity period. Required.
    pub validity: Interval,
    /// `pKIOverlapPeriod`: the renewal period. Required.
    pub overlap: Interval,
    /// `pKIKeyUsage`: the KeyUsage extension's bits as stored (1 or 2
    /// bytes, first byte `digitalSignature` = 0x80 ... `decipherOnly` the
    /// top bit of the second).
    pub key_usage: Option<Vec<u8>>,
    /// `pKIExtendedKeyUsage`: EKU OIDs.
    pub extended_key_usage: Vec<String>,
    /// `msPKI-Certificate-Application-Policy`: application policy OIDs.
    pub application_policies: Vec<String>,
    /// `pKICriticalExtensions`: OIDs of extensions to mark critical.
    pub critical_extensions: Vec<String>,
    /// `pKIDefaultKeySpec`.
    pub key_spec: Option<KeySpec>,
    /// `pKIDefaultCSPs`, sorted by priority.
    pub csps: Vec<Csp>,
    /// `pKIMaxIssuingDepth`: the path length of a CA template's basic
    /// constraints (-1 for none).
    pub max_issuing_depth: Option<i32>,
    /// `msPKI-Minimal-Key-Size`, in bits (0 when absent).
    pub minimal_key_size: u32,
    /// `msPKI-Enrollment-Flag`, XCEP's `enrollmentFlags`.
    pub enrollment_flags: EnrollmentFlags,
    /// `msPKI-Private-Key-Flag`, XCEP's `privateKeyFlags`.
    pub private_key_flags: PrivateKeyFlags,
    /// `msPKI-Certificate-Name-Flag`, XCEP's `subjectNameFlags`.
    pub subject_name_flags: SubjectNameFlags,
    /// `msPKI-RA-Signature`: the number of RA signatures a request needs.
    pub ra_signatures: u32,
    /// `msPKI-RA-Application-Policies`, with the key properties of schema
    /// 3 and 4 templates.
    pub ra_application_policies: RaApplicationPolicies,
    /// `msPKI-RA-Policies`: issuance policy OIDs of the RA certificate.
    pub ra_policies: Vec<String>,
    /// `msPKI-Supersede-Templates`: names of the templates this one
    /// supersedes.
    pub supersedes: Vec<String>,
    /// `msPKI-Certificate-Policy`: issuance policy OIDs.
    pub certificate_policies: Vec<String>,
    /// `nTSecurityDescriptor`: who may enroll (`None` when not read).
    pub security_descriptor: Option<SecurityDescriptor>,
}

impl CertificateTemplate {
    /// Reads a `pKICertificateTemplate` entry. `cn`, `revision`,
    /// `pKIExpirationPeriod` and `pKIOverlapPeriod` are required; every
    /// malformed value is an [`Error`](crate::Error) naming the entry and
    /// the attribute.
    #[allow(clippy::too_many_lines)] // one line or two per attribute
    pub fn from_entry(e: &LdapEntry) -> Result<Self> {
        let cn = e.required_string("cn")?.to_owned();
        let period = |attr: &'static str| -> Result<Interval> {
            let v = e.single(attr)?.ok_or_else(|| e.missing(attr))?;
            Interval::from_filetime_bytes(v).map_err(|k| e.bad(attr, k))
        };
        let schema_version = match e.unsigned("msPKI-Template-Schema-Version")? {
            None => 1,
            Some(v @ 1..=4) => v,
            Some(v) => {
                return Err(e.bad(
                    "msPKI-Template-Schema-Version",
                    ValueError::not_an_integer(&v.to_string(), 1, 4),
                ));
            }
        };
        let private_key_flags =
            PrivateKeyFlags::from_bits_retain(e.flags32("msPKI-Private-Key-Flag")?.unwrap_or(0));
        let ra_application_policies = RaApplicationPolicies::parse(
            &e.strings("msPKI-RA-Application-Policies")?,
            schema_version,
            private_key_flags,
        )
        .map_err(|k| e.bad("msPKI-RA-Application-Policies", k))?;
        let key_usage = match e.single("pKIKeyUsage")? {
            Some(v) if v.is_empty() || v.len() > 2 => {
                return Err(e.bad(
                    "pKIKeyUsage",
                    ValueError::WrongLength {
                        expected: 2,
                        actual: v.len(),
                    },
                ));
            }
            v => v.map(<[u8]>::to_vec),
        };
        let mut csps = e
            .strings("pKIDefaultCSPs")?
            .into_iter()
            .map(|v| Csp::parse(v).map_err(|k| e.bad("pKIDefaultCSPs", k)))
            .collect::<Result<Vec<_>>>()?;
        csps.sort();
        let key_spec = match e.unsigned("pKIDefaultKeySpec")? {
            None => None,
            Some(v @ 1..=2) => Some(KeySpec::from_bits_retain(v)),
            Some(v) => {
                return Err(e.bad(
                    "pKIDefaultKeySpec",
                    ValueError::not_an_integer(&v.to_string(), 1, 2),
                ));
            }
        };
        let security_descriptor = e
            .single("nTSecurityDescriptor")?
            .map(|v| {
                SecurityDescriptor::from_bytes(v)
                    .map_err(|k| e.bad("nTSecurityDescriptor", k.into()))
            })
            .transpose()?;
        Ok(Self {
            dn: e.dn().to_owned(),
            cn,
            display_name: e.string("displayName")?.map(str::to_owned),
            general_flags: GeneralFlags::from_bits_retain(e.flags32("flags")?.unwrap_or(0)),
            revision: e
                .unsigned("revision")?
                .ok_or_else(|| e.missing("revision"))?,
            minor_revision: e.unsigned("msPKI-Template-Minor-Revision")?.unwrap_or(0),
            schema_version,
            oid: e
                .string("msPKI-Cert-Template-OID")?
                .map(|s| check_oid(s.trim()).map_err(|k| e.bad("msPKI-Cert-Template-OID", k)))
                .transpose()?,
            validity: period("pKIExpirationPeriod")?,
            overlap: period("pKIOverlapPeriod")?,
            key_usage,
            extended_key_usage: e.oids("pKIExtendedKeyUsage")?,
            application_policies: e.oids("msPKI-Certificate-Application-Policy")?,
            critical_extensions: e.oids("pKICriticalExtensions")?,
            key_spec,
            csps,
            max_issuing_depth: e
                .integer(
                    "pKIMaxIssuingDepth",
                    i64::from(i32::MIN),
                    i64::from(i32::MAX),
                )?
                .and_then(|v| i32::try_from(v).ok()),
            minimal_key_size: e.unsigned("msPKI-Minimal-Key-Size")?.unwrap_or(0),
            enrollment_flags: EnrollmentFlags::from_bits_retain(
                e.flags32("msPKI-Enrollment-Flag")?.unwrap_or(0),
            ),
            private_key_flags,
            subject_name_flags: SubjectNameFlags::from_bits_retain(
                e.flags32("msPKI-Certificate-Name-Flag")?.unwrap_or(0),
            ),
            ra_signatures: e.unsigned("msPKI-RA-Signature")?.unwrap_or(0),
            ra_application_policies,
            ra_policies: e.oids("msPKI-RA-Policies")?,
            supersedes: e
                .strings("msPKI-Supersede-Templates")?
                .into_iter()
                .map(str::to_owned)
                .collect(),
            certificate_policies: e.oids("msPKI-Certificate-Policy")?,
            security_descriptor,
        })
    }

    /// The key properties (schema 3 and 4 templates; empty otherwise).
    pub fn crypto(&self) -> &CryptoProperties {
        &self.ra_application_policies.crypto
    }

    /// Whether `oid` is listed in `pKICriticalExtensions`.
    pub fn is_critical(&self, oid: &str) -> bool {
        self.critical_extensions.iter().any(|c| c == oid)
    }
}

fn trunc(s: &str) -> String {
    s.chars().take(64).collect()
}
