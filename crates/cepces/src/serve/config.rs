//! The `serve` configuration file (TOML): the CA, the service, the
//! templates and the users. `cepces.example.toml` beside this crate's
//! `Cargo.toml` is the documented example; `serve` writes it into a new
//! state directory when no configuration exists there.

use std::collections::BTreeMap;

use cepces_enroll::server::Permissions;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use xcep::flags::{ClientAuthentication, EnrollmentFlags, KeySpec, SubjectNameFlags};
use xcep::{
    Attributes, Base64Text, Ca, CaUri, CertificateEnrollmentPolicy, CertificateValidity,
    EnrollmentPermission, Extension, GetPoliciesResponse, Oid, OidGroup, PrivateKeyAttributes,
    Response, Revision,
};

/// The example configuration that ships with the tool.
pub const EXAMPLE: &str = include_str!("../../cepces.example.toml");

/// The OID arc under which templates without an `oid` get one
/// (`szOID_CERTTYPE` arc `1.3.6.1.4.1.311.21.8`, then a fixed prefix).
const TEMPLATE_ARC: &str = "1.3.6.1.4.1.311.21.8.4242.1";

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `[ca]`.
    pub ca: CaConfig,
    /// `[service]`.
    #[serde(default)]
    pub service: ServiceConfig,
    /// `[[template]]`.
    #[serde(rename = "template", default)]
    pub templates: Vec<TemplateConfig>,
    /// `[[user]]`.
    #[serde(rename = "user", default)]
    pub users: Vec<UserConfig>,
}

/// `[ca]`: the CA made on first start.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaConfig {
    /// The CA certificate's common name.
    pub common_name: String,
    /// The CA certificate's validity.
    #[serde(default = "default_ca_days")]
    pub validity_days: u32,
    /// The CA key size.
    #[serde(default = "default_key_bits")]
    pub key_bits: usize,
}

/// `[service]`: URLs and limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    /// The `policyID` ([MS-XCEP] 3.1.4.1.3.24); derived from the CA
    /// certificate when absent.
    pub policy_id: Option<String>,
    /// `policyFriendlyName`.
    #[serde(default = "default_friendly_name")]
    pub friendly_name: String,
    /// `nextUpdateHours`.
    #[serde(default = "default_next_update")]
    pub next_update_hours: u32,
    /// The CES path's CA part: `/<ces_name>_CES_UsernamePassword/...`.
    pub ces_name: Option<String>,
    /// Requests larger than this are refused with 413.
    #[serde(default = "default_max_request")]
    pub max_request_bytes: usize,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            policy_id: None,
            friendly_name: default_friendly_name(),
            next_update_hours: default_next_update(),
            ces_name: None,
            max_request_bytes: default_max_request(),
        }
    }
}

/// Where the subject of an issued certificate comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SubjectSource {
    /// The request's subject and subjectAltName
    /// (`CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT`).
    #[default]
    Request,
    /// `CN=<the authenticated user>`, as AD CS builds it from the directory.
    Directory,
}

/// `[[template]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateConfig {
    /// The template `commonName`.
    pub name: String,
    /// The template OID; `1.3.6.1.4.1.311.21.8.4242.1.<n>` when absent.
    pub oid: Option<String>,
    /// `policySchema`.
    #[serde(default = "default_schema")]
    pub schema: u32,
    /// `revision/majorRevision`.
    #[serde(default = "default_major")]
    pub major_revision: u32,
    /// `revision/minorRevision`.
    #[serde(default)]
    pub minor_revision: u32,
    /// Validity of issued certificates.
    #[serde(default = "default_validity")]
    pub validity_days: u32,
    /// `renewalPeriodSeconds`, in days.
    #[serde(default = "default_renewal")]
    pub renewal_days: u32,
    /// `minimalKeyLength` (RSA bits).
    #[serde(default = "default_key_bits_u32")]
    pub minimal_key_length: u32,
    /// Requests wait for `cepces approve` (`CT_FLAG_PEND_ALL_REQUESTS`).
    #[serde(default)]
    pub approval: bool,
    /// Subject source.
    #[serde(default)]
    pub subject: SubjectSource,
    /// Users and groups that may enroll; empty: every authenticated user.
    #[serde(default)]
    pub enroll: Vec<String>,
    /// Extended key usages of issued certificates.
    #[serde(default = "default_ekus")]
    pub ekus: Vec<String>,
}

/// `[[user]]`: a UsernameToken account.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    /// The user name (compared without regard to ASCII case).
    pub name: String,
    /// The argon2 PHC hash of the password (`cepces hash-password`).
    pub password_hash: String,
    /// Groups, for templates' `enroll` lists.
    #[serde(default)]
    pub groups: Vec<String>,
}

fn default_ca_days() -> u32 {
    3650
}
fn default_key_bits() -> usize {
    2048
}
fn default_key_bits_u32() -> u32 {
    2048
}
fn default_friendly_name() -> String {
    "cepces".to_owned()
}
fn default_next_update() -> u32 {
    8
}
fn default_max_request() -> usize {
    1 << 20
}
fn default_schema() -> u32 {
    2
}
fn default_major() -> u32 {
    100
}
fn default_validity() -> u32 {
    365
}
fn default_renewal() -> u32 {
    42
}
fn default_ekus() -> Vec<String> {
    vec!["1.3.6.1.5.5.7.3.2".to_owned()]
}

/// The endpoint URLs, as Windows lays them out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Urls {
    /// `https://host:port`.
    pub base: String,
    /// The CES path's CA part.
    pub ces_name: String,
}

/// How a client authenticates at an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// WS-Security UsernameToken.
    UsernamePassword,
    /// TLS client certificate.
    Certificate,
}

impl Auth {
    fn path_name(self) -> &'static str {
        match self {
            Self::UsernamePassword => "UsernamePassword",
            Self::Certificate => "Certificate",
        }
    }
}

/// The two services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// MS-XCEP.
    Cep,
    /// MS-WSTEP.
    Ces,
}

impl Urls {
    /// The path of `service` with `auth`.
    pub fn path(&self, service: Service, auth: Auth) -> String {
        match service {
            Service::Cep => format!("/ADPolicyProvider_CEP_{}/service.svc/CEP", auth.path_name()),
            Service::Ces => format!(
                "/{}_CES_{}/service.svc/CES",
                self.ces_name,
                auth.path_name()
            ),
        }
    }

    /// The URL of `service` with `auth`.
    pub fn url(&self, service: Service, auth: Auth) -> String {
        format!("{}{}", self.base, self.path(service, auth))
    }

    /// Which endpoint `path` is (ASCII case ignored, as IIS does: Windows
    /// clients send these paths in lower case).
    pub fn route(&self, path: &str) -> Option<(Service, Auth)> {
        [Service::Cep, Service::Ces]
            .into_iter()
            .flat_map(|s| [(s, Auth::UsernamePassword), (s, Auth::Certificate)])
            .find(|&(s, a)| self.path(s, a).eq_ignore_ascii_case(path))
    }
}

/// A reason the configuration is unusable.
pub type ConfigError = String;

impl Config {
    /// Parses and checks the file.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let config: Self = toml::from_str(text).map_err(|e| e.to_string())?;
        if config.templates.is_empty() {
            return Err("no [[template]]".into());
        }
        let mut seen = BTreeMap::new();
        for (i, t) in config.templates.iter().enumerate() {
            if seen.insert(t.name.to_ascii_lowercase(), i).is_some() {
                return Err(format!("template {:?} is defined twice", t.name));
            }
            for oid in t.oid.iter().chain(&t.ekus) {
                oid.parse::<const_oid::ObjectIdentifier>()
                    .map_err(|e| format!("template {:?}: OID {oid:?}: {e}", t.name))?;
            }
            if t.validity_days == 0 {
                return Err(format!("template {:?}: validity_days is 0", t.name));
            }
        }
        for u in &config.users {
            argon2::password_hash::PasswordHash::new(&u.password_hash)
                .map_err(|e| format!("user {:?}: password_hash: {e}", u.name))?;
        }
        Ok(config)
    }

    /// The CES path's CA part: `[service] ces_name`, else the CA name with
    /// every character other than letters, digits, `-` and `_` made `-`.
    pub fn ces_name(&self) -> String {
        self.service.ces_name.clone().unwrap_or_else(|| {
            self.ca
                .common_name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect()
        })
    }

    /// The template named `name` (ASCII case ignored).
    pub fn template(&self, name: &str) -> Option<&TemplateConfig> {
        self.templates
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }

    /// The OID of template `index`.
    pub fn template_oid(&self, index: usize) -> String {
        self.templates[index]
            .oid
            .clone()
            .unwrap_or_else(|| format!("{TEMPLATE_ARC}.{}", index + 1))
    }

    /// The user named `name` (ASCII case ignored).
    pub fn user(&self, name: &str) -> Option<&UserConfig> {
        self.users
            .iter()
            .find(|u| u.name.eq_ignore_ascii_case(name))
    }

    /// Each template's `enroll` list.
    pub fn permissions(&self) -> Permissions {
        self.templates
            .iter()
            .filter(|t| !t.enroll.is_empty())
            .fold(Permissions::new(), |p, t| {
                p.with_enroll(t.name.clone(), t.enroll.clone())
            })
    }

    /// The GetPoliciesResponse for the CA certificate `ca_der` at `urls`.
    pub fn policy(&self, ca_der: &[u8], urls: &Urls) -> Result<GetPoliciesResponse, ConfigError> {
        const RSA: i32 = 1;
        const SHA256: i32 = 2;
        const EKU_EXTENSION: i32 = 3;
        let policy_id = self.service.policy_id.clone().unwrap_or_else(|| {
            let d = Sha256::digest(ca_der);
            let hex = crate::pki::hex(&d[..16]);
            format!(
                "{{{}-{}-{}-{}-{}}}",
                &hex[0..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..32]
            )
        });
        let mut response = Response::new(policy_id)
            .with_policy_friendly_name(self.service.friendly_name.clone())
            .with_next_update_hours(self.service.next_update_hours)
            .with_policies_not_changed(false);
        let mut oids = vec![
            Oid::new("1.2.840.113549.1.1.1", OidGroup::PublicKey, RSA).with_default_name("RSA"),
            Oid::new("2.16.840.1.101.3.4.2.1", OidGroup::HashAlgorithm, SHA256)
                .with_default_name("sha256"),
            Oid::new("2.5.29.37", OidGroup::ExtensionOrAttribute, EKU_EXTENSION)
                .with_default_name("Enhanced Key Usage"),
        ];
        for ((i, t), oid_ref) in self.templates.iter().enumerate().zip(EKU_EXTENSION + 1..) {
            oids.push(
                Oid::new(self.template_oid(i), OidGroup::EnrollmentObject, oid_ref)
                    .with_default_name(t.name.clone()),
            );
            let subject_flags = match t.subject {
                SubjectSource::Request => SubjectNameFlags::ENROLLEE_SUPPLIES_SUBJECT,
                SubjectSource::Directory => SubjectNameFlags::SUBJECT_REQUIRE_COMMON_NAME,
            };
            let mut enrollment_flags = EnrollmentFlags::INCLUDE_SYMMETRIC_ALGORITHMS;
            if t.approval {
                enrollment_flags |= EnrollmentFlags::PEND_ALL_REQUESTS;
            }
            let ekus = t
                .ekus
                .iter()
                .map(|o| o.parse().map_err(|e| format!("{o}: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            let eku_der = der::Encode::to_der(&x509_cert::ext::pkix::ExtendedKeyUsage(ekus))
                .map_err(|e| e.to_string())?;
            let attributes = Attributes::new(
                t.name.clone(),
                t.schema,
                CertificateValidity::new(
                    u64::from(t.validity_days) * 86_400,
                    u64::from(t.renewal_days) * 86_400,
                ),
                EnrollmentPermission::new(true, false),
                PrivateKeyAttributes::new(t.minimal_key_length)
                    .with_key_spec(KeySpec::AT_KEYEXCHANGE)
                    .with_algorithm_oid_reference(RSA),
                Revision::new(t.major_revision, t.minor_revision),
            )
            .with_subject_name_flags(subject_flags)
            .with_enrollment_flags(enrollment_flags)
            .with_hash_algorithm_oid_reference(SHA256)
            .with_extension(Extension::new(
                EKU_EXTENSION,
                false,
                Base64Text::from_bytes(&eku_der),
            ));
            response = response.with_policy(
                CertificateEnrollmentPolicy::new(oid_ref, attributes).with_ca_reference(0),
            );
        }
        let ca = Ca::new(0, Base64Text::from_bytes(ca_der), true)
            .with_uri(
                CaUri::new(
                    ClientAuthentication::USERNAME_PASSWORD,
                    urls.url(Service::Ces, Auth::UsernamePassword),
                )
                .with_priority(1)
                .with_renewal_only(false),
            )
            .with_uri(
                CaUri::new(
                    ClientAuthentication::CLIENT_CERTIFICATE,
                    urls.url(Service::Ces, Auth::Certificate),
                )
                .with_priority(2)
                .with_renewal_only(false),
            );
        let mut policy = GetPoliciesResponse::new()
            .with_response(response)
            .with_ca(ca);
        for oid in oids {
            policy = policy.with_oid(oid);
        }
        Ok(policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_parses_and_gives_a_policy_that_resolves() {
        let config = Config::from_toml(EXAMPLE).unwrap();
        let urls = Urls {
            base: "https://localhost:8443".into(),
            ces_name: config.ces_name(),
        };
        let policy = config.policy(&[0x30, 0x00], &urls).unwrap();
        let resolved = policy.resolve().unwrap();
        for t in &config.templates {
            assert!(resolved.template_by_name(&t.name).is_some(), "{}", t.name);
        }
        assert_eq!(
            urls.route(&urls.path(Service::Ces, Auth::Certificate)),
            Some((Service::Ces, Auth::Certificate))
        );
        assert_eq!(urls.route("/CES"), None);
        // The documented password of the example's user.
        let alice = config.user("ALICE").unwrap();
        let hash = argon2::PasswordHash::new(&alice.password_hash).unwrap();
        assert!(
            argon2::PasswordVerifier::verify_password(
                &argon2::Argon2::default(),
                b"change-me",
                &hash
            )
            .is_ok()
        );
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        let e = Config::from_toml("[ca]\ncommon_name = \"x\"\n").unwrap_err();
        assert!(e.contains("no [[template]]"), "{e}");
        let e = Config::from_toml(
            "[ca]\ncommon_name = \"x\"\n[[template]]\nname = \"A\"\nekus = [\"not.an.oid\"]\n",
        )
        .unwrap_err();
        assert!(e.contains("not.an.oid"), "{e}");
        let e = Config::from_toml("[ca]\ncommon_name = \"x\"\nbogus = 1\n").unwrap_err();
        assert!(e.contains("bogus"), "{e}");
    }
}
