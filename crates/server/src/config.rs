//! The configuration file (TOML) of a CA served from files: the CA, the
//! service settings, the templates and the users ([`Config::from_toml`]).
//! It is a [`PolicySource`](crate::PolicySource) (its templates) and gives
//! the [`PasswordAccounts`](crate::PasswordAccounts) of its users.
//! `cepces serve` ships a documented example.

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

/// The OID arc under which templates without an `oid` get one
/// (`szOID_CERTTYPE` arc `1.3.6.1.4.1.311.21.8`, then a fixed prefix).
const TEMPLATE_ARC: &str = "1.3.6.1.4.1.311.21.8.4242.1";

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
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
    /// `[kerberos]`: the `…_Kerberos` endpoints, when given.
    #[serde(default)]
    pub kerberos: Option<KerberosConfig>,
    /// `[directory]`: templates, CAs and accounts from Active Directory
    /// instead of `[[template]]` (read by `cepces serve`).
    #[serde(default)]
    pub directory: Option<DirectoryConfig>,
    /// `[publication]`: the CRL and the CA certificate, served over HTTP
    /// and named in every certificate issued.
    #[serde(default)]
    pub publication: Option<PublicationConfig>,
    /// `[store]`: where the records are; default the state directory's
    /// SQLite database.
    #[serde(default)]
    pub store: StoreConfig,
}

/// `[store]`: the record store.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct StoreConfig {
    /// A PostgreSQL database that several `cepces serve` instances of one
    /// CA share (a libpq connection string or URL, e.g. `host=/run/postgresql
    /// dbname=cepces user=cepces`; no TLS: a local socket or a protected
    /// network). Default: `cepces.db` (SQLite) in the state directory.
    pub postgres: Option<String>,
}

/// `[publication]`: where the CA publishes its CRL and certificate, as AD
/// CS does under `http://<host>/CertEnroll/`. Every certificate issued
/// names them (CRL distribution point, authority information access
/// `caIssuers`); the CRL is signed again when a revocation changes it and
/// before its `nextUpdate`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PublicationConfig {
    /// The `http://` URL the files are under
    /// (`http://pki.example.test/CertEnroll`): `<url>/<name>.crl` and
    /// `<url>/<name>.crt`, `<name>` the CA's common name with every
    /// character but letters, digits, `-`, `_` and `.` made `_`. Plain
    /// HTTP, as for AD CS: a client checking revocation of an HTTPS
    /// server's certificate cannot first need that server.
    pub url: String,
    /// Where `cepces serve` serves them over plain HTTP (nothing else is
    /// served there); none: publish them another way.
    pub listen: Option<std::net::SocketAddr>,
    /// How long a CRL is valid (`nextUpdate` − `thisUpdate`); default 168
    /// (a week, AD CS's base CRL period).
    #[serde(default = "default_crl_validity")]
    pub crl_validity_hours: u32,
    /// How long before `nextUpdate` the next CRL is signed, so that
    /// clients' cached copies are replaced before they expire; default 24.
    #[serde(default = "default_crl_overlap")]
    pub crl_overlap_hours: u32,
}

impl PublicationConfig {
    /// Published under `url`, with the default CRL validity and overlap
    /// and no listener.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            listen: None,
            crl_validity_hours: default_crl_validity(),
            crl_overlap_hours: default_crl_overlap(),
        }
    }

    /// Served on `listen` by `cepces serve`.
    #[must_use]
    pub fn with_listen(mut self, listen: std::net::SocketAddr) -> Self {
        self.listen = Some(listen);
        self
    }

    /// With a CRL validity and overlap of these hours.
    #[must_use]
    pub fn with_crl_hours(mut self, validity: u32, overlap: u32) -> Self {
        self.crl_validity_hours = validity;
        self.crl_overlap_hours = overlap;
        self
    }

    /// The problem with these settings, if any.
    pub fn check(&self) -> Result<(), ConfigError> {
        let rest = self.url.strip_prefix("http://").ok_or_else(|| {
            format!(
                "[publication] url {:?}: not http:// (CRLs and CA certificates are \
                 published over plain HTTP)",
                self.url
            )
        })?;
        if rest.is_empty() || rest.starts_with('/') || !self.url.is_ascii() {
            return Err(format!("[publication] url {:?}: no host", self.url));
        }
        if self.crl_validity_hours == 0 || self.crl_overlap_hours >= self.crl_validity_hours {
            return Err(
                "[publication] crl_validity_hours must be at least 1 and more than \
                        crl_overlap_hours"
                    .into(),
            );
        }
        Ok(())
    }
}

fn default_crl_validity() -> u32 {
    168
}

fn default_crl_overlap() -> u32 {
    24
}

/// `[directory]`: an Active Directory (or Samba AD) domain controller
/// whose `CN=Public Key Services` container gives the templates, CAs and
/// OIDs, and whose accounts (their SIDs and groups) decide who may enroll,
/// as Microsoft's AD policy provider does. The IO is `cepces serve`'s; this
/// is what it reads from the configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DirectoryConfig {
    /// `ldap://host[:port]` or `ldaps://host[:port]`.
    pub url: String,
    /// How to bind: `kerberos` (SASL GSSAPI with the keys of the
    /// `[kerberos]` keytab; the default) or `simple` (a DN and password,
    /// over `ldaps://` only).
    #[serde(default)]
    pub bind: DirectoryBind,
    /// `kerberos`: the keytab principal to bind as (for example
    /// `CEPSRV$@EXAMPLE.TEST`); default: the keytab's first.
    pub principal: Option<String>,
    /// The domain controller's host name, for its `ldap/<name>` service
    /// principal; default: the URL's host.
    pub server_name: Option<String>,
    /// `simple`: the bind DN (or `user@domain`).
    pub bind_dn: Option<String>,
    /// `simple`: a file holding the password (its first line).
    pub password_file: Option<std::path::PathBuf>,
    /// PEM certificates trusted for `ldaps://`; default: the system's.
    pub ca: Option<std::path::PathBuf>,
    /// Seconds between checks for changes in the directory (default 300).
    #[serde(default = "default_refresh")]
    pub refresh_seconds: u64,
}

/// How `[directory]` binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DirectoryBind {
    /// SASL GSSAPI with the server's own Kerberos keys.
    #[default]
    Kerberos,
    /// A simple bind with a DN and password, over TLS.
    Simple,
}

/// `[kerberos]`: HTTP Negotiate on the `…_CEP_Kerberos` and
/// `…_CES_Kerberos` endpoints.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct KerberosConfig {
    /// The service keytab (`HTTP/<host>` keys, e.g. from `samba-tool
    /// domain exportkeytab` or `ktpass`).
    pub keytab: std::path::PathBuf,
    /// The Kerberos realm whose principals are accounts (`EXAMPLE.TEST`).
    pub realm: String,
    /// The NetBIOS domain name accounts are named in (`EXAMPLE`):
    /// `alice@EXAMPLE.TEST` is the account `EXAMPLE\alice`.
    pub domain: String,
    /// `channel_binding = "off" | "when-supported" | "required"`: whether a
    /// token must be bound to the TLS channel (RFC 5929, IIS's Extended
    /// Protection). A token bound to another channel is refused unless
    /// `off`; `required` also refuses a token with no binding (curl, older
    /// helpers). Default `when-supported`.
    #[serde(default)]
    pub channel_binding: crate::negotiate::ChannelBinding,
}

/// `[ca]`: the CA made on first start.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CaConfig {
    /// The CA certificate's common name.
    pub common_name: String,
    /// The CA certificate's validity.
    #[serde(default = "default_ca_days")]
    pub validity_days: u32,
    /// The CA key size.
    #[serde(default = "default_key_bits")]
    pub key_bits: usize,
    /// `[ca.pkcs11]`: the CA key in an HSM or token instead of
    /// `ca-key.pem`.
    #[serde(default)]
    pub pkcs11: Option<Pkcs11Config>,
}

/// `[ca.pkcs11]`: the CA key in a token, used through its PKCS#11 module
/// (a `cepces` built with the `pkcs11` feature). On the first start with
/// no CA the key is generated in the token (sensitive, not extractable);
/// a key of that label made beforehand (`pkcs11-tool --keypairgen`) is
/// used as it is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Pkcs11Config {
    /// The vendor's PKCS#11 module (`/usr/lib/softhsm/libsofthsm2.so`).
    pub module: std::path::PathBuf,
    /// The token's label.
    pub token: String,
    /// The key's label (`CKA_LABEL`).
    pub key_label: String,
    /// A file holding the user PIN (its first line).
    pub pin_file: std::path::PathBuf,
}

/// `[service]`: URLs and limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
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
    /// Users and groups who may read any request's status and
    /// certificate (QueryTokenStatus); everyone else only their own.
    #[serde(default)]
    pub administrators: Vec<String>,
    /// How far a WS-Security `Created`/`Expires` may be off our clock.
    #[serde(default = "default_clock_skew")]
    pub clock_skew_secs: u32,
    /// How old a message's `Created` (timestamp or UsernameToken) may be
    /// when it has no `Expires`; also how long a UsernameToken nonce is
    /// remembered against replay.
    #[serde(default = "default_message_age")]
    pub max_message_age_secs: u32,
    /// Connections served at once; more are closed as they arrive
    /// (before the TLS handshake), so that the accepted ones keep being
    /// served. Lowered to fit the open-file limit at start.
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// How long a client may take for its TLS handshake.
    #[serde(default = "default_handshake_timeout")]
    pub handshake_timeout_secs: u32,
    /// How long a client may take for a request's head (from the moment
    /// the connection waits for one, an idle keep-alive connection
    /// included), and again for its body; then the connection is closed
    /// (the body: a 408).
    #[serde(default = "default_request_timeout")]
    pub request_timeout_secs: u32,
    /// Password verifications run at once (each argon2 verification takes
    /// about 19 MiB for its duration); more wait their turn. Never more
    /// than the machine's cores.
    #[serde(default = "default_concurrent_logins")]
    pub max_concurrent_logins: usize,
    /// Seconds a successful password verification is remembered (a keyed
    /// hash of user, stored hash and password; never the password), so
    /// that a client sending its UsernameToken with every request pays
    /// argon2 once per window. 0: every request is verified in full.
    /// Default 60.
    #[serde(default = "default_password_cache")]
    pub password_cache_seconds: u32,
    /// Failed logins of one account before it is held back (doubling from
    /// one second, at most five minutes).
    #[serde(default = "default_account_failures")]
    pub account_failures_before_backoff: u32,
    /// Failed logins from one address before it is held back.
    #[serde(default = "default_address_failures")]
    pub address_failures_before_backoff: u32,
    /// The first hold-back, in seconds; it doubles with each further
    /// failure, to at most five minutes.
    #[serde(default = "default_backoff")]
    pub login_backoff_secs: u32,
    /// The largest RSA key accepted in a request, in bits.
    #[serde(default = "default_max_rsa_bits")]
    pub max_rsa_key_bits: u32,
    /// Where `cepces serve` answers `GET /health` (200 while the record
    /// store answers, else 503) and `GET /metrics` (Prometheus text) over
    /// plain HTTP; none: not served. Meant for a monitoring network or
    /// loopback: the counts say how busy the CA is.
    #[serde(default)]
    pub status_listen: Option<std::net::SocketAddr>,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            policy_id: None,
            friendly_name: default_friendly_name(),
            next_update_hours: default_next_update(),
            ces_name: None,
            max_request_bytes: default_max_request(),
            administrators: Vec::new(),
            clock_skew_secs: default_clock_skew(),
            max_message_age_secs: default_message_age(),
            max_connections: default_max_connections(),
            handshake_timeout_secs: default_handshake_timeout(),
            request_timeout_secs: default_request_timeout(),
            max_concurrent_logins: default_concurrent_logins(),
            password_cache_seconds: default_password_cache(),
            account_failures_before_backoff: default_account_failures(),
            address_failures_before_backoff: default_address_failures(),
            login_backoff_secs: default_backoff(),
            max_rsa_key_bits: default_max_rsa_bits(),
            status_listen: None,
        }
    }
}

/// Where the subject of an issued certificate comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum SubjectSource {
    /// The request's subject and subjectAltName
    /// (`CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT` and `_ALT_NAME`). Dangerous
    /// with an authentication EKU: the enrollee names whom the
    /// certificate authenticates (ESC1), so such a template's requests
    /// wait for approval unless
    /// [`TemplateConfig::allow_supplied_subject_for_authentication`].
    Request,
    /// Built from the authenticated account ([`TemplateConfig::from_account`]),
    /// as AD CS builds it from the directory; whatever the request names
    /// is ignored. The default.
    #[default]
    Directory,
}

/// An attribute of the authenticated account that a `directory` template
/// puts into the certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AccountAttribute {
    /// `CN=<account name>` (`CT_FLAG_SUBJECT_REQUIRE_COMMON_NAME`).
    Name,
    /// The account's `email`, as `emailAddress` in the subject and as an
    /// rfc822Name (`CT_FLAG_SUBJECT_REQUIRE_EMAIL`, `_ALT_REQUIRE_EMAIL`).
    Email,
    /// The account's `upn` as the UPN otherName
    /// (`CT_FLAG_SUBJECT_ALT_REQUIRE_UPN`).
    Upn,
    /// The account's `dns_name` as a dNSName
    /// (`CT_FLAG_SUBJECT_ALT_REQUIRE_DNS`).
    Dns,
    /// `CN=<the account's dns_name>` (`CT_FLAG_SUBJECT_REQUIRE_DNS_AS_CN`,
    /// AD's Machine template); `dns_as_cn` in the file.
    DnsAsCn,
    /// `CN=<the account's directory cn>` (`CT_FLAG_SUBJECT_REQUIRE_COMMON_NAME`
    /// on a user template, [MS-WCCE] 3.2.2.6.2.1.4.5.9); only directory
    /// accounts have one.
    ///
    /// [MS-WCCE]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wcce/
    Cn,
    /// The account's `objectGUID` as an otherName of type
    /// `1.3.6.1.4.1.311.25.1` (`CT_FLAG_SUBJECT_ALT_REQUIRE_DIRECTORY_GUID`,
    /// AD's domain controller templates); only directory accounts have one.
    DirectoryGuid,
    /// The account's distinguished name as the subject
    /// (`CT_FLAG_SUBJECT_REQUIRE_DIRECTORY_PATH`, AD's User template);
    /// only directory accounts have one. `directory_path` in the file.
    DirectoryPath,
}

impl AccountAttribute {
    /// The MS-CRTD subject-name flag the policy publishes for it.
    pub fn flags(self) -> SubjectNameFlags {
        match self {
            Self::Name | Self::Cn => SubjectNameFlags::SUBJECT_REQUIRE_COMMON_NAME,
            Self::Email => {
                SubjectNameFlags::SUBJECT_REQUIRE_EMAIL
                    | SubjectNameFlags::SUBJECT_ALT_REQUIRE_EMAIL
            }
            Self::Upn => SubjectNameFlags::SUBJECT_ALT_REQUIRE_UPN,
            Self::Dns => SubjectNameFlags::SUBJECT_ALT_REQUIRE_DNS,
            Self::DnsAsCn => SubjectNameFlags::SUBJECT_REQUIRE_DNS_AS_CN,
            Self::DirectoryPath => SubjectNameFlags::SUBJECT_REQUIRE_DIRECTORY_PATH,
            Self::DirectoryGuid => SubjectNameFlags::SUBJECT_ALT_REQUIRE_DIRECTORY_GUID,
        }
    }
}

/// Extended key usages with which a certificate authenticates its
/// subject to a domain or service ([SpecterOps "Certified Pre-Owned"],
/// ESC1): client authentication, PKINIT client authentication, smart
/// card logon, any purpose. A template with none of these EKUs listed
/// still counts when its list is empty (no EKU: any purpose).
///
/// [SpecterOps "Certified Pre-Owned"]: https://specterops.io/wp-content/uploads/sites/3/2022/06/Certified_Pre-Owned.pdf
pub const AUTHENTICATION_EKUS: [&str; 4] = [
    "1.3.6.1.5.5.7.3.2",
    "1.3.6.1.5.2.3.4",
    "1.3.6.1.4.1.311.20.2.2",
    "2.5.29.37.0",
];

/// `[[template]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
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
    /// Subject source (default `directory`).
    #[serde(default)]
    pub subject: SubjectSource,
    /// For `directory`: what of the account goes into the certificate
    /// (default `["name"]`).
    #[serde(default = "default_from_account")]
    pub from_account: Vec<AccountAttribute>,
    /// For `request` with an authentication EKU: issue without approval
    /// anyway. Any enrollee can then get a certificate naming anyone
    /// (ESC1); `serve` warns at every start.
    #[serde(default)]
    pub allow_supplied_subject_for_authentication: bool,
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
#[non_exhaustive]
pub struct UserConfig {
    /// The user name (compared without regard to ASCII case).
    pub name: String,
    /// The argon2 PHC hash of the password (`cepces hash-password`).
    pub password_hash: String,
    /// Groups, for templates' `enroll` lists.
    #[serde(default)]
    pub groups: Vec<String>,
    /// The e-mail address `from_account = ["email"]` templates use.
    pub email: Option<String>,
    /// The user principal name `from_account = ["upn"]` templates use.
    pub upn: Option<String>,
    /// The DNS name `from_account = ["dns"]` templates use.
    pub dns_name: Option<String>,
}

impl TemplateConfig {
    /// A template named `name` with the defaults of a `[[template]]` that
    /// gives only its name.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            oid: None,
            schema: default_schema(),
            major_revision: default_major(),
            minor_revision: 0,
            validity_days: default_validity(),
            renewal_days: default_renewal(),
            minimal_key_length: default_key_bits_u32(),
            approval: false,
            subject: SubjectSource::default(),
            from_account: default_from_account(),
            allow_supplied_subject_for_authentication: false,
            enroll: Vec::new(),
            ekus: default_ekus(),
        }
    }

    /// Whether its certificates authenticate their subject
    /// ([`AUTHENTICATION_EKUS`], or no EKU at all).
    pub fn authenticates(&self) -> bool {
        self.ekus.is_empty()
            || self
                .ekus
                .iter()
                .any(|e| AUTHENTICATION_EKUS.contains(&e.as_str()))
    }

    /// The MS-CRTD subject-name flags the policy publishes: the enrollee
    /// supplies subject and alternative name, or the account's attributes
    /// are required.
    pub fn subject_name_flags(&self) -> SubjectNameFlags {
        match self.subject {
            SubjectSource::Request => {
                SubjectNameFlags::ENROLLEE_SUPPLIES_SUBJECT
                    | SubjectNameFlags::ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME
            }
            SubjectSource::Directory => self
                .from_account
                .iter()
                .fold(SubjectNameFlags::empty(), |f, a| f | a.flags()),
        }
    }

    /// Whether requests wait for `cepces approve`: configured so, or a
    /// supplied subject on an authentication template (ESC1) that was not
    /// explicitly allowed.
    pub fn needs_approval(&self) -> bool {
        self.approval || self.supplied_subject_risk()
    }

    /// A supplied subject on an authentication template, without
    /// approval: what ESC1 needs, unless the administrator allowed it.
    fn supplied_subject_risk(&self) -> bool {
        self.subject == SubjectSource::Request
            && self.authenticates()
            && !self.allow_supplied_subject_for_authentication
    }

    /// Why this template can be abused as it stands, if it can: said at
    /// every start.
    pub fn exploitable(&self) -> Option<String> {
        (self.subject == SubjectSource::Request
            && self.authenticates()
            && self.allow_supplied_subject_for_authentication
            && !self.approval)
            .then(|| {
                format!(
                    "template {:?}: any enrollee may name any subject in a certificate that \
                     authenticates (ESC1): allow_supplied_subject_for_authentication is set",
                    self.name
                )
            })
    }
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
fn default_password_cache() -> u32 {
    60
}

fn default_refresh() -> u64 {
    300
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
fn default_from_account() -> Vec<AccountAttribute> {
    vec![AccountAttribute::Name]
}
fn default_clock_skew() -> u32 {
    300
}
fn default_message_age() -> u32 {
    300
}
fn default_max_connections() -> usize {
    512
}
fn default_handshake_timeout() -> u32 {
    10
}
fn default_request_timeout() -> u32 {
    30
}
fn default_concurrent_logins() -> usize {
    4
}
fn default_account_failures() -> u32 {
    5
}
fn default_address_failures() -> u32 {
    20
}
fn default_backoff() -> u32 {
    1
}
fn default_max_rsa_bits() -> u32 {
    8192
}
fn default_ekus() -> Vec<String> {
    vec!["1.3.6.1.5.5.7.3.2".to_owned()]
}

/// The endpoint URLs, as Windows lays them out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Urls {
    /// `https://host:port`.
    pub base: String,
    /// The CES path's CA part.
    pub ces_name: String,
}

/// How a client authenticates at an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// WS-Security UsernameToken.
    UsernamePassword,
    /// TLS client certificate.
    Certificate,
    /// HTTP Negotiate (Kerberos).
    Kerberos,
}

impl Auth {
    fn path_name(self) -> &'static str {
        match self {
            Self::UsernamePassword => "UsernamePassword",
            Self::Certificate => "Certificate",
            Self::Kerberos => "Kerberos",
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
    /// The endpoints under `base` (`https://host:port`), the CES path
    /// named `ces_name` ([`Config::ces_name`]).
    pub fn new(base: impl Into<String>, ces_name: impl Into<String>) -> Self {
        Self {
            base: base.into(),
            ces_name: ces_name.into(),
        }
    }

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
            .flat_map(|s| {
                [
                    (s, Auth::UsernamePassword),
                    (s, Auth::Certificate),
                    (s, Auth::Kerberos),
                ]
            })
            .find(|&(s, a)| self.path(s, a).eq_ignore_ascii_case(path))
    }
}

/// A reason the configuration is unusable.
pub type ConfigError = String;

impl Config {
    /// The CA of the policy: its certificate and CES URLs.
    fn ca(&self, ca_der: &[u8], urls: &Urls) -> Ca {
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
        if self.kerberos.is_some() {
            ca.with_uri(
                CaUri::new(
                    ClientAuthentication::KERBEROS,
                    urls.url(Service::Ces, Auth::Kerberos),
                )
                .with_priority(3)
                .with_renewal_only(false),
            )
        } else {
            ca
        }
    }

    /// Parses and checks the file.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let config: Self = toml::from_str(text).map_err(|e| e.to_string())?;
        if config.templates.is_empty() && config.directory.is_none() {
            return Err("no [[template]] (and no [directory] to read templates from)".into());
        }
        if let Some(d) = &config.directory {
            if !config.templates.is_empty() {
                return Err("[[template]] and [directory] exclude each other: \
                            the directory gives the templates"
                    .into());
            }
            let tls = d.url.starts_with("ldaps://");
            if !tls && !d.url.starts_with("ldap://") {
                return Err(format!(
                    "[directory] url {:?}: not ldap:// or ldaps://",
                    d.url
                ));
            }
            match d.bind {
                DirectoryBind::Simple if !tls => {
                    return Err("[directory] bind = \"simple\" sends the password: \
                                it needs an ldaps:// url"
                        .into());
                }
                DirectoryBind::Simple if d.bind_dn.is_none() || d.password_file.is_none() => {
                    return Err(
                        "[directory] bind = \"simple\" needs bind_dn and password_file".into(),
                    );
                }
                DirectoryBind::Kerberos if config.kerberos.is_none() => {
                    return Err(
                        "[directory] bind = \"kerberos\" uses the [kerberos] keytab: \
                                configure [kerberos]"
                            .into(),
                    );
                }
                _ => {}
            }
        }
        if let Some(p) = &config.publication {
            p.check()?;
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
            if t.subject == SubjectSource::Directory && t.from_account.is_empty() {
                return Err(format!(
                    "template {:?}: subject = \"directory\" with an empty from_account",
                    t.name
                ));
            }
        }
        if config.service.max_connections == 0 || config.service.max_concurrent_logins == 0 {
            return Err(
                "[service] max_connections and max_concurrent_logins must be at least 1".into(),
            );
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
            let subject_flags = t.subject_name_flags();
            let mut enrollment_flags = EnrollmentFlags::INCLUDE_SYMMETRIC_ALGORITHMS;
            if t.needs_approval() {
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
        let ca = self.ca(ca_der, urls);
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

    fn template(extra: &str) -> TemplateConfig {
        let text = format!("[ca]\ncommon_name = \"x\"\n[[template]]\nname = \"T\"\n{extra}");
        Config::from_toml(&text).unwrap().templates.remove(0)
    }

    #[test]
    fn a_supplied_subject_on_an_authentication_template_waits_for_approval() {
        // The default EKU is client authentication.
        let t = template("subject = \"request\"\n");
        assert!(t.authenticates() && t.needs_approval());
        assert_eq!(t.exploitable(), None);
        // No EKU: any purpose, which authenticates too.
        let t = template("subject = \"request\"\nekus = []\n");
        assert!(t.needs_approval());
        let t = template("subject = \"request\"\nekus = [\"1.3.6.1.4.1.311.20.2.2\"]\n");
        assert!(t.needs_approval());
        // Allowed explicitly: issued at once, and said at every start.
        let t =
            template("subject = \"request\"\nallow_supplied_subject_for_authentication = true\n");
        assert!(!t.needs_approval());
        assert!(t.exploitable().unwrap().contains("ESC1"));
        // Built from the account: nothing to abuse.
        let t = template("");
        assert_eq!(t.subject, SubjectSource::Directory);
        assert!(!t.needs_approval());
        // The policy publishes what the template does.
        let config = Config::from_toml(
            "[ca]\ncommon_name = \"x\"\n[[template]]\nname = \"S\"\nsubject = \"request\"\n\
             [[template]]\nname = \"D\"\nfrom_account = [\"name\", \"upn\", \"email\"]\n",
        )
        .unwrap();
        let urls = Urls {
            base: "https://localhost".into(),
            ces_name: config.ces_name(),
        };
        let policy = config.policy(&[0x30, 0x00], &urls).unwrap();
        let resolved = policy.resolve().unwrap();
        let flags = |name: &str| {
            let a = resolved.template_by_name(name).unwrap().attributes();
            (a.subject_name_flags.unwrap(), a.enrollment_flags.unwrap())
        };
        let (subject, enrollment) = flags("S");
        assert_eq!(
            subject,
            SubjectNameFlags::ENROLLEE_SUPPLIES_SUBJECT
                | SubjectNameFlags::ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME
        );
        assert!(enrollment.contains(EnrollmentFlags::PEND_ALL_REQUESTS));
        let (subject, enrollment) = flags("D");
        assert_eq!(
            subject,
            SubjectNameFlags::SUBJECT_REQUIRE_COMMON_NAME
                | SubjectNameFlags::SUBJECT_ALT_REQUIRE_UPN
                | SubjectNameFlags::SUBJECT_REQUIRE_EMAIL
                | SubjectNameFlags::SUBJECT_ALT_REQUIRE_EMAIL
        );
        assert!(!enrollment.contains(EnrollmentFlags::PEND_ALL_REQUESTS));
    }

    #[test]
    fn directory_sections_are_checked() {
        let ca = "[ca]\ncommon_name = \"x\"\n";
        let krb = "[kerberos]\nkeytab = \"k\"\nrealm = \"EXAMPLE.TEST\"\ndomain = \"EXAMPLE\"\n";
        let ok =
            Config::from_toml(&format!("{ca}{krb}[directory]\nurl = \"ldap://dc\"\n")).unwrap();
        let d = ok.directory.unwrap();
        assert_eq!(d.bind, DirectoryBind::Kerberos);
        assert_eq!(d.refresh_seconds, 300);
        let err = |text: &str| Config::from_toml(text).unwrap_err();
        // Kerberos binds use the [kerberos] keytab.
        assert!(err(&format!("{ca}[directory]\nurl = \"ldap://dc\"\n")).contains("[kerberos]"));
        // A password in the clear is refused.
        let e = err(&format!(
            "{ca}[directory]\nurl = \"ldap://dc\"\nbind = \"simple\"\nbind_dn = \"a\"\npassword_file = \"p\"\n"
        ));
        assert!(e.contains("ldaps://"), "{e}");
        assert!(
            Config::from_toml(&format!(
                "{ca}[directory]\nurl = \"ldaps://dc\"\nbind = \"simple\"\nbind_dn = \"a\"\npassword_file = \"p\"\n"
            ))
            .is_ok()
        );
        let e = err(&format!(
            "{ca}{krb}[directory]\nurl = \"ldap://dc\"\n[[template]]\nname = \"User\"\n"
        ));
        assert!(e.contains("exclude"), "{e}");
        assert!(err(&format!("{ca}{krb}[directory]\nurl = \"http://dc\"\n")).contains("ldap://"));
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
