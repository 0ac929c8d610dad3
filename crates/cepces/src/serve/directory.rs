//! `[directory]`: the policy and the accounts from Active Directory (or a
//! Samba AD domain controller) over LDAP, as Microsoft's AD policy
//! provider reads them.
//!
//! - [`DirectorySource`] (a [`PolicySource`]) reads every
//!   `pKICertificateTemplate`, `pKIEnrollmentService` and
//!   `msPKI-Enterprise-Oid` under `CN=Public Key Services,CN=Services,`
//!   of the configuration naming context (templates with their
//!   `nTSecurityDescriptor`, asked for with the SD-flags control so that a
//!   non-administrator gets the DACL), maps them with `cepces-adcs`, and
//!   makes each template's DACL entries about Enroll and AutoEnroll the
//!   access list the server decides each caller with (templates the caller
//!   may not enroll in are not offered, and CES refuses them). Its own CA
//!   is offered first, at this server's CES URLs, for the templates the
//!   directory's enrollment service of the same certificate lists (every
//!   template when none does). [`PolicySource::refresh`] compares the
//!   highest `uSNChanged` and the number of entries: a change reloads,
//!   and `lastUpdate` moves past the last `whenChanged`.
//! - [`DirectoryAccounts`] (an [`Authenticator`]) gives an account's SIDs
//!   as its groups: its `objectSid`, its `tokenGroups` (every group, nested
//!   and primary, as the DC computes them), Everyone and Authenticated
//!   Users, with its `mail`, `userPrincipalName` and `dNSHostName`;
//!   looked up by `sAMAccountName` (what Negotiate gives, `DOMAIN\name`)
//!   and kept for a minute. Passwords are for the `[[user]]`s it falls back
//!   to.
//!
//! One connection, bound once (SASL GSSAPI with the server's keytab, which
//! ldap3 protects with Kerberos encryption on `ldap://`, or a simple bind
//! over `ldaps://`), made again when it fails. ldap3's blocking API runs
//! its own runtime: it is used from the server's blocking threads only.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use cepces_adcs::security::{SecurityDescriptor, Sid};
use cepces_adcs::{
    CertificateTemplate, EnrollmentService, EnterpriseOid, LdapEntry, PolicyBuilder,
};
use cepces_enroll::server::{AccessEntry, Permissions};
use cepces_server::Error;
use cepces_server::accounts::{Account, Authenticator};
use cepces_server::config::{
    AccountAttribute, Auth, DirectoryBind, DirectoryConfig, Service, SubjectSource, TemplateConfig,
    Urls,
};
use cepces_server::policy::{Policy, PolicySource};
use ldap3::controls::RawControl;
use ldap3::{LdapConn, LdapConnSettings, Scope, SearchEntry};
use soap_envelope::xsd::DateTime;
use x509_cert::Certificate;
use xcep::flags::{EnrollmentFlags, GeneralFlags, SubjectNameFlags};

/// `LDAP_SERVER_SD_FLAGS_OID` ([MS-ADTS] 3.1.1.3.4.1.11) with owner, group
/// and DACL (7): a caller without the SACL right still gets the DACL.
///
/// [MS-ADTS]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-adts/
const SD_FLAGS_OID: &str = "1.2.840.113556.1.4.801";
/// `SEQUENCE { INTEGER 7 }`.
const SD_FLAGS_DACL: [u8; 5] = [0x30, 0x03, 0x02, 0x01, 0x07];
/// How long a looked-up account is kept.
const ACCOUNT_TTL: Duration = Duration::from_secs(60);
/// How long one LDAP operation may take.
const OP_TIMEOUT: Duration = Duration::from_secs(20);

/// The naming contexts, from the root DSE.
#[derive(Debug, Clone)]
struct Naming {
    configuration: String,
    default: String,
}

/// The connection to the domain controller.
pub struct Directory {
    config: DirectoryConfig,
    conn: Mutex<Option<(LdapConn, Naming)>>,
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directory")
            .field("url", &self.config.url)
            .field("bind", &self.config.bind)
            .finish_non_exhaustive()
    }
}

impl Directory {
    /// A directory that connects on first use.
    pub fn new(config: DirectoryConfig) -> Self {
        Self {
            config,
            conn: Mutex::new(None),
        }
    }

    /// The host name of the URL (for the `ldap/<host>` principal).
    fn host(&self) -> String {
        let rest = self
            .config
            .url
            .split_once("://")
            .map_or(self.config.url.as_str(), |(_, r)| r);
        let authority = rest.split('/').next().unwrap_or(rest);
        authority
            .rsplit_once(':')
            .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
            .map_or(authority, |(host, _)| host)
            .to_owned()
    }

    fn connect(&self) -> Result<(LdapConn, Naming), String> {
        let mut settings = LdapConnSettings::new().set_conn_timeout(Duration::from_secs(10));
        if let Some(ca) = &self.config.ca {
            settings = settings.set_config(Arc::new(tls_config(ca)?));
        }
        let url = &self.config.url;
        let mut conn = LdapConn::with_settings(settings, url).map_err(|e| format!("{url}: {e}"))?;
        match self.config.bind {
            DirectoryBind::Simple => {
                let dn = self.config.bind_dn.as_deref().unwrap_or_default();
                let password = read_password(self.config.password_file.as_deref())?;
                conn.simple_bind(dn, &password)
                    .and_then(ldap3::LdapResult::success)
                    .map_err(|e| format!("{url}: simple bind as {dn}: {e}"))?;
            }
            DirectoryBind::Kerberos => {
                let server = self
                    .config
                    .server_name
                    .clone()
                    .unwrap_or_else(|| self.host());
                gssapi_bind(&mut conn, self.config.principal.as_deref(), &server)
                    .map_err(|e| format!("{url}: SASL GSSAPI bind (ldap/{server}): {e}"))?;
            }
            _ => return Err(format!("{url}: unsupported bind")),
        }
        let (entries, _) = conn
            .with_timeout(OP_TIMEOUT)
            .search(
                "",
                Scope::Base,
                "(objectClass=*)",
                ["configurationNamingContext", "defaultNamingContext"],
            )
            .and_then(ldap3::SearchResult::success)
            .map_err(|e| format!("{url}: root DSE: {e}"))?;
        let root = entries
            .into_iter()
            .next()
            .map(SearchEntry::construct)
            .ok_or_else(|| format!("{url}: no root DSE"))?;
        let first = |name: &str| {
            root.attrs
                .get(name)
                .and_then(|v| v.first())
                .cloned()
                .ok_or_else(|| format!("{url}: the root DSE has no {name}"))
        };
        let naming = Naming {
            configuration: first("configurationNamingContext")?,
            default: first("defaultNamingContext")?,
        };
        tracing::info!(
            event = "directory_bound",
            url = %url,
            configuration = %naming.configuration,
            "bound to the directory"
        );
        Ok((conn, naming))
    }

    /// Runs `op` on the connection, connecting (again) when there is none
    /// or the first attempt fails.
    fn with<T>(
        &self,
        mut op: impl FnMut(&mut LdapConn, &Naming) -> Result<T, String>,
    ) -> Result<T, String> {
        let mut guard = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((conn, naming)) = guard.as_mut() {
            match op(conn, naming) {
                Ok(v) => return Ok(v),
                Err(e) => tracing::warn!(
                    event = "directory_retry",
                    error = %e,
                    "directory operation failed; reconnecting"
                ),
            }
        }
        *guard = None;
        let (mut conn, naming) = self.connect()?;
        let result = op(&mut conn, &naming);
        *guard = Some((conn, naming));
        result
    }

    /// Every entry of `filter` under `base`, with `attrs`.
    fn search(
        conn: &mut LdapConn,
        base: &str,
        scope: Scope,
        filter: &str,
        attrs: &[&str],
        sd: bool,
    ) -> Result<Vec<LdapEntry>, String> {
        let conn = conn.with_timeout(OP_TIMEOUT);
        if sd {
            conn.with_controls(RawControl {
                ctype: SD_FLAGS_OID.to_owned(),
                crit: true,
                val: Some(SD_FLAGS_DACL.to_vec()),
            });
        }
        let (entries, _) = conn
            .search(base, scope, filter, attrs.to_vec())
            .and_then(ldap3::SearchResult::success)
            .map_err(|e| format!("search {filter} under {base}: {e}"))?;
        Ok(entries
            .into_iter()
            .map(|e| to_entry(SearchEntry::construct(e)))
            .collect())
    }

    /// The entries of `CN=Public Key Services`.
    fn public_key_services(&self) -> Result<Vec<LdapEntry>, String> {
        self.with(|conn, naming| {
            let base = format!(
                "CN=Public Key Services,CN=Services,{}",
                naming.configuration
            );
            Self::search(
                conn,
                &base,
                Scope::Subtree,
                "(|(objectClass=pKICertificateTemplate)(objectClass=pKIEnrollmentService)\
                 (objectClass=msPKI-Enterprise-Oid))",
                &["*", "nTSecurityDescriptor", "uSNChanged", "whenChanged"],
                true,
            )
        })
    }

    /// The account `sam` (a `sAMAccountName`) with its SIDs.
    fn account(&self, sam: &str) -> Result<Option<DirectoryAccount>, String> {
        self.with(|conn, naming| {
            let filter = format!("(sAMAccountName={})", ldap3::ldap_escape(sam));
            let found = Self::search(
                conn,
                &naming.default,
                Scope::Subtree,
                &filter,
                &[
                    "objectSid",
                    "objectGUID",
                    "cn",
                    "mail",
                    "userPrincipalName",
                    "dNSHostName",
                    "userAccountControl",
                ],
                false,
            )?;
            let Some(entry) = found.into_iter().next() else {
                return Ok(None);
            };
            // tokenGroups is computed, for a base search only.
            let groups = Self::search(
                conn,
                entry.dn(),
                Scope::Base,
                "(objectClass=*)",
                &["tokenGroups"],
                false,
            )?;
            let token_groups = groups
                .first()
                .map(|g| g.values("tokenGroups").to_vec())
                .unwrap_or_default();
            DirectoryAccount::from_entries(&entry, &token_groups).map(Some)
        })
    }
}

/// SASL GSSAPI with the credentials of `principal` (from the client
/// keytab, `KRB5_CLIENT_KTNAME`) or the default ones.
#[cfg(feature = "kerberos")]
fn gssapi_bind(conn: &mut LdapConn, principal: Option<&str>, server: &str) -> Result<(), String> {
    use cross_krb5::K5Cred;
    let result = match principal {
        Some(p) => {
            let cred =
                cross_krb5::Cred::client_acquire(cross_krb5::InitiateFlags::empty(), Some(p))
                    .map_err(|e| format!("credentials of {p}: {e}"))?;
            conn.sasl_gssapi_cred_bind(cred, server)
        }
        None => conn.sasl_gssapi_bind(server),
    };
    result
        .and_then(ldap3::LdapResult::success)
        .map(drop)
        .map_err(|e| e.to_string())
}

#[cfg(not(feature = "kerberos"))]
fn gssapi_bind(_: &mut LdapConn, _: Option<&str>, _: &str) -> Result<(), String> {
    Err("bind = \"kerberos\" needs a cepces built with the `kerberos` feature".into())
}

fn read_password(path: Option<&std::path::Path>) -> Result<String, String> {
    let path = path.ok_or("no password_file")?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text.lines().next().unwrap_or_default().to_owned())
}

fn tls_config(ca: &std::path::Path) -> Result<rustls::ClientConfig, String> {
    use rustls_pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::CertificateDer::pem_file_iter(ca)
        .map_err(|e| format!("{}: {e}", ca.display()))?
    {
        let cert = cert.map_err(|e| format!("{}: {e}", ca.display()))?;
        roots
            .add(cert)
            .map_err(|e| format!("{}: {e}", ca.display()))?;
    }
    Ok(
        rustls::ClientConfig::builder_with_provider(super::crypto_provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// An ldap3 entry as the mapping reads it (text and binary values alike).
fn to_entry(e: SearchEntry) -> LdapEntry {
    let mut entry = LdapEntry::new(e.dn);
    for (name, values) in e.attrs {
        entry.insert(&name, values.into_iter().map(String::into_bytes));
    }
    for (name, values) in e.bin_attrs {
        entry.insert(&name, values);
    }
    entry
}

fn text<'a>(e: &'a LdapEntry, name: &str) -> Option<&'a str> {
    e.values(name)
        .first()
        .and_then(|v| std::str::from_utf8(v).ok())
}

fn has_class(e: &LdapEntry, class: &str) -> bool {
    e.values("objectClass")
        .iter()
        .any(|v| v.eq_ignore_ascii_case(class.as_bytes()))
}

/// `whenChanged` (`YYYYMMDDHHMMSS.0Z`) as seconds since 1970.
fn generalized_time(text: &str) -> Option<i64> {
    let digits = text.get(..14)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &digits[..4],
        &digits[4..6],
        &digits[6..8],
        &digits[8..10],
        &digits[10..12],
        &digits[12..14]
    );
    iso.parse::<DateTime>().ok().map(|d| d.to_unix())
}

/// What a reload is compared by: the highest `uSNChanged` and how many
/// entries there are (a deletion moves the entry away).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Version {
    usn: u64,
    entries: usize,
    changed: i64,
}

fn version(entries: &[LdapEntry]) -> Version {
    let usn = entries
        .iter()
        .filter_map(|e| text(e, "uSNChanged")?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    let changed = entries
        .iter()
        .filter_map(|e| generalized_time(text(e, "whenChanged")?))
        .max()
        .unwrap_or(0);
    Version {
        usn,
        entries: entries.len(),
        changed,
    }
}

/// The policy of the directory.
#[derive(Debug)]
pub struct DirectorySource {
    directory: Arc<Directory>,
    ca_name: String,
    seen: Mutex<Version>,
}

impl DirectorySource {
    /// The policy of `directory`, offering this server's CA, named
    /// `ca_name`.
    pub fn new(directory: Arc<Directory>, ca_name: impl Into<String>) -> Self {
        Self {
            directory,
            ca_name: ca_name.into(),
            seen: Mutex::new(Version::default()),
        }
    }

    fn build(
        &self,
        entries: &[LdapEntry],
        ca: &Certificate,
        urls: &Urls,
        last_update: DateTime,
    ) -> Result<Policy, Error> {
        let ca_der = der::Encode::to_der(ca).map_err(|e| Error::Config(e.to_string()))?;
        let mut templates = Vec::new();
        let mut services = Vec::new();
        let mut oids = Vec::new();
        for e in entries {
            let kind = if has_class(e, "pKICertificateTemplate") {
                CertificateTemplate::from_entry(e).map(|t| templates.push(t))
            } else if has_class(e, "pKIEnrollmentService") {
                EnrollmentService::from_entry(e).map(|s| services.push(s))
            } else {
                EnterpriseOid::from_entry(e).map(|o| oids.extend(o))
            };
            if let Err(err) = kind {
                tracing::warn!(event = "directory_entry_skipped", dn = e.dn(), error = %err, "not read");
            }
        }
        // This server's CA first: the templates its directory entry lists,
        // or all of them.
        let own = services
            .iter()
            .position(|s| s.ca_certificate.as_deref() == Some(ca_der.as_slice()));
        let listed: Vec<String> = match own {
            Some(i) => services.remove(i).certificate_templates,
            None => templates.iter().map(|t| t.cn.clone()).collect(),
        };
        let mut ours = LdapEntry::new(format!("CN={},(this server)", self.ca_name))
            .with_attribute("cn", [self.ca_name.as_str()])
            .with_attribute("cACertificate", [ca_der.clone()])
            .with_attribute("certificateTemplates", listed.iter().map(String::as_str));
        for (priority, (auth, code)) in [
            (Auth::Kerberos, 2),
            (Auth::UsernamePassword, 4),
            (Auth::Certificate, 8),
        ]
        .into_iter()
        .enumerate()
        {
            ours.insert(
                "msPKI-Enrollment-Servers",
                [format!(
                    "{}\n{code}\n0\n{}",
                    priority + 1,
                    urls.url(Service::Ces, auth)
                )],
            );
        }
        let ours =
            EnrollmentService::from_entry(&ours).map_err(|e| Error::Config(e.to_string()))?;
        let mut builder = PolicyBuilder::new(format!("{{{}}}", self.ca_name)).with_service(ours);
        for s in services {
            builder = builder.with_service(s);
        }
        for o in oids {
            builder = builder.with_oid(o);
        }
        let mut permissions = Permissions::new().omitting_denied();
        let mut configs = Vec::new();
        for t in &templates {
            if let Some(sd) = &t.security_descriptor {
                permissions = permissions.with_access(t.cn.clone(), access_list(sd));
            }
            // SAN parts cepces does not build yet: not offered rather than
            // issued without them ([MS-WCCE] 3.2.2.6.2.1.4.5.9: data the CA
            // cannot obtain is an error).
            let unbuilt = SubjectNameFlags::SUBJECT_ALT_REQUIRE_SPN
                | SubjectNameFlags::SUBJECT_ALT_REQUIRE_DOMAIN_DNS;
            if !is_request_subject(t) && t.subject_name_flags.intersects(unbuilt) {
                tracing::warn!(
                    event = "directory_template_skipped",
                    dn = %t.dn,
                    reason = "it requires an SPN or the domain's DNS name in the SAN, which cepces does not build",
                    "not offered"
                );
                continue;
            }
            configs.push(template_config(t));
            builder = builder.with_template(t.clone());
        }
        let (response, skipped) = builder.build_unfiltered();
        for s in &skipped {
            tracing::info!(event = "directory_template_skipped", dn = %s.dn, reason = %s.reason, "not offered");
        }
        tracing::info!(
            event = "directory_policy",
            templates = templates.len(),
            offered = response.policies().len(),
            "policy read from the directory"
        );
        Ok(Policy::new(response, configs, permissions, last_update))
    }
}

impl PolicySource for DirectorySource {
    fn policy(&self, ca: &Certificate, urls: &Urls, now: DateTime) -> Result<Policy, Error> {
        let entries = self
            .directory
            .public_key_services()
            .map_err(Error::Config)?;
        let v = version(&entries);
        *self.seen.lock().unwrap_or_else(PoisonError::into_inner) = v;
        // As of the directory's last change, so that a restart does not
        // make every client fetch the policy again.
        let last = if v.changed > 0 {
            v.changed
        } else {
            now.to_unix()
        };
        self.build(&entries, ca, urls, DateTime::from_unix(last, 0))
    }

    fn refresh(
        &self,
        current: &Policy,
        ca: &Certificate,
        urls: &Urls,
        now: DateTime,
    ) -> Result<Option<Policy>, Error> {
        let entries = self
            .directory
            .public_key_services()
            .map_err(Error::Config)?;
        let v = version(&entries);
        {
            let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
            if *seen == v {
                return Ok(None);
            }
            *seen = v;
        }
        // Past the last change and past what clients hold.
        let after = current.last_update.to_unix() + 1;
        let last = v.changed.clamp(after, now.to_unix().max(after));
        self.build(&entries, ca, urls, DateTime::from_unix(last, 0))
            .map(Some)
    }
}

/// A template's DACL as the access list the server decides callers with
/// (SIDs in their string form, as [`DirectoryAccounts`] gives groups).
fn access_list(sd: &SecurityDescriptor) -> Vec<AccessEntry> {
    sd.enrollment_entries()
        .into_iter()
        .map(|e| {
            if e.deny {
                AccessEntry::deny(e.sid.to_string(), e.enroll, e.auto_enroll)
            } else {
                AccessEntry::allow(e.sid.to_string(), e.enroll, e.auto_enroll)
            }
        })
        .collect()
}

/// Whether the enrollee supplies the subject (the request's names are
/// used, with the real-peers issue's safe rules).
fn is_request_subject(t: &CertificateTemplate) -> bool {
    t.subject_name_flags.intersects(
        SubjectNameFlags::ENROLLEE_SUPPLIES_SUBJECT
            | SubjectNameFlags::ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME,
    )
}

/// The issuance rules of a directory template.
fn template_config(t: &CertificateTemplate) -> TemplateConfig {
    let days = |s: u64| u32::try_from(s / 86_400).unwrap_or(u32::MAX);
    let mut c = TemplateConfig::new(t.cn.clone());
    c.oid.clone_from(&t.oid);
    c.schema = t.schema_version;
    c.major_revision = t.revision;
    c.minor_revision = t.minor_revision;
    c.validity_days = days(t.validity.seconds()).max(1);
    c.renewal_days = days(t.overlap.seconds());
    c.minimal_key_length = t.minimal_key_size;
    c.approval = t
        .enrollment_flags
        .contains(EnrollmentFlags::PEND_ALL_REQUESTS);
    let f = t.subject_name_flags;
    if is_request_subject(t) {
        c.subject = SubjectSource::Request;
    } else {
        c.subject = SubjectSource::Directory;
        let mut from = Vec::new();
        // The subject as AD CS builds it: the directory path, else the
        // DNS name as CN, else the common name.
        // ([MS-WCCE] 3.2.2.6.2.1.4.5.9: the CN is a machine's dNSHostName,
        // a user's cn; a machine template is CT_FLAG_MACHINE_TYPE,
        // 3.2.2.6.2.1.4.4.1.)
        let cn = SubjectNameFlags::SUBJECT_REQUIRE_COMMON_NAME
            | SubjectNameFlags::SUBJECT_REQUIRE_DNS_AS_CN;
        if f.contains(SubjectNameFlags::SUBJECT_REQUIRE_DIRECTORY_PATH) {
            from.push(AccountAttribute::DirectoryPath);
        } else if f.intersects(cn) && t.general_flags.contains(GeneralFlags::MACHINE_TYPE) {
            from.push(AccountAttribute::DnsAsCn);
        } else if f.intersects(cn) {
            from.push(AccountAttribute::Cn);
        }
        if f.intersects(
            SubjectNameFlags::SUBJECT_REQUIRE_EMAIL | SubjectNameFlags::SUBJECT_ALT_REQUIRE_EMAIL,
        ) {
            from.push(AccountAttribute::Email);
        }
        if f.contains(SubjectNameFlags::SUBJECT_ALT_REQUIRE_UPN) {
            from.push(AccountAttribute::Upn);
        }
        if f.contains(SubjectNameFlags::SUBJECT_ALT_REQUIRE_DNS) {
            from.push(AccountAttribute::Dns);
        }
        if f.contains(SubjectNameFlags::SUBJECT_ALT_REQUIRE_DIRECTORY_GUID) {
            from.push(AccountAttribute::DirectoryGuid);
        }
        if from.is_empty() {
            from.push(AccountAttribute::Name);
        }
        c.from_account = from;
    }
    let ekus = if t.application_policies.is_empty() {
        &t.extended_key_usage
    } else {
        &t.application_policies
    };
    c.ekus.clone_from(ekus);
    c
}

/// An account read from the directory.
#[derive(Debug, Clone)]
struct DirectoryAccount {
    dn: String,
    cn: Option<String>,
    object_guid: Option<[u8; 16]>,
    sid: String,
    sids: Vec<String>,
    email: Option<String>,
    upn: Option<String>,
    dns_name: Option<String>,
}

impl DirectoryAccount {
    fn from_entries(entry: &LdapEntry, token_groups: &[Vec<u8>]) -> Result<Self, String> {
        let sid = entry
            .values("objectSid")
            .first()
            .ok_or_else(|| format!("{}: no objectSid", entry.dn()))
            .and_then(|v| {
                Sid::from_bytes(v).map_err(|e| format!("{}: objectSid: {e}", entry.dn()))
            })?;
        let object_sid = sid.to_string();
        let mut sids = vec![object_sid.clone()];
        for g in token_groups {
            match Sid::from_bytes(g) {
                Ok(s) => sids.push(s.to_string()),
                Err(e) => return Err(format!("{}: tokenGroups: {e}", entry.dn())),
            }
        }
        sids.push(Sid::EVERYONE.to_string());
        sids.push(Sid::AUTHENTICATED_USERS.to_string());
        sids.sort();
        sids.dedup();
        let owned = |name| text(entry, name).map(str::to_owned);
        Ok(Self {
            dn: entry.dn().to_owned(),
            cn: owned("cn"),
            object_guid: entry
                .values("objectGUID")
                .first()
                .and_then(|v| <[u8; 16]>::try_from(v.as_slice()).ok()),
            sid: object_sid,
            sids,
            email: owned("mail"),
            upn: owned("userPrincipalName"),
            dns_name: owned("dNSHostName"),
        })
    }
}

/// Accounts from the directory, then the configuration's `[[user]]`s.
#[derive(Debug)]
pub struct DirectoryAccounts {
    directory: Arc<Directory>,
    fallback: Box<dyn Authenticator>,
    cache: Mutex<HashMap<String, (Instant, Option<DirectoryAccount>)>>,
}

impl DirectoryAccounts {
    /// The accounts of `directory`, else of `fallback`.
    pub fn new(directory: Arc<Directory>, fallback: Box<dyn Authenticator>) -> Self {
        Self {
            directory,
            fallback,
            cache: Mutex::new(HashMap::new()),
        }
    }

    fn lookup(&self, sam: &str) -> Option<DirectoryAccount> {
        let key = sam.to_ascii_lowercase();
        if let Some((at, found)) = self
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            && at.elapsed() < ACCOUNT_TTL
        {
            return found.clone();
        }
        let found = match self.directory.account(sam) {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(event = "directory_account_failed", account = sam, error = %e, "account not read");
                return None;
            }
        };
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() > 10_000 {
            cache.retain(|_, (at, _)| at.elapsed() < ACCOUNT_TTL);
        }
        cache.insert(key, (Instant::now(), found.clone()));
        found
    }
}

impl Authenticator for DirectoryAccounts {
    fn account(&self, name: &str) -> Option<Account> {
        let sam = name.rsplit_once('\\').map_or(name, |(_, n)| n);
        match self.lookup(sam) {
            Some(a) => {
                let mut account = Account::new(name, a.sids);
                account.email = a.email;
                account.upn = a.upn;
                account.dns_name = a.dns_name;
                account.sid = Some(a.sid);
                account.dn = Some(a.dn);
                account.cn = a.cn;
                account.object_guid = a.object_guid;
                Some(account)
            }
            None => self.fallback.account(name),
        }
    }

    fn verify_password(&self, name: &str, password: &str) -> Option<Account> {
        self.fallback.verify_password(name, password)
    }

    fn verify_password_at(&self, name: &str, password: &str, now: i64) -> Option<Account> {
        self.fallback.verify_password_at(name, password, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cepces_adcs::security::{Caller, SddlDomains};
    use cepces_enroll::server::Principal;

    /// The access list decides every caller as the descriptor itself does
    /// (`SecurityDescriptor::permission`), for DACLs with object and plain
    /// ACEs, denies before and after allows, GA, inherit-only ACEs and
    /// other rights.
    #[test]
    fn access_lists_decide_as_the_descriptor_does() {
        const DOMAIN: &str = "S-1-5-21-1-2-3";
        let domains = SddlDomains::single(DOMAIN.parse().unwrap());
        let rid = |r: u32| DOMAIN.parse::<Sid>().unwrap().with_rid(r).unwrap();
        let enroll = "0e10c968-78fb-11d2-90d4-00c04f79dc55";
        let auto = "a05b8cc2-17bc-4802-a710-e7c15ab866a2";
        let dacls = [
            format!(
                "D:(OA;;RPWPCR;{enroll};;DU)(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)(A;;LCRPLORC;;;AU)"
            ),
            format!(
                "D:(OD;;CR;{enroll};;S-1-5-21-1-2-3-1104)(OA;;CR;{enroll};;DU)(OA;;CR;{auto};;DU)"
            ),
            format!("D:(OA;;CR;{enroll};;DU)(OD;;CR;{enroll};;S-1-5-21-1-2-3-1104)"),
            "D:(D;;CR;;;WD)(OA;;CR;;;DU)".to_owned(),
            "D:(A;;GA;;;DA)(OA;CIIO;CR;;;DU)".to_owned(),
            format!("D:(OA;;CR;{auto};;DC)(OA;;CR;00299570-246d-11d0-a768-00aa006e0529;;DU)"),
            format!("D:(OA;;CR;{enroll};;AU)"),
        ];
        let callers = [
            (rid(1104), vec![rid(513)]),
            (rid(1105), vec![rid(513)]),
            (rid(500), vec![rid(512), rid(513)]),
            (rid(1200), vec![rid(515)]),
        ];
        let template = xcep::CertificateEnrollmentPolicy::new(
            1,
            xcep::Attributes::new(
                "T",
                2,
                xcep::CertificateValidity::new(1, 1),
                xcep::EnrollmentPermission::new(false, false),
                xcep::PrivateKeyAttributes::new(2048),
                xcep::Revision::new(100, 0),
            ),
        );
        for dacl in &dacls {
            let sd = SecurityDescriptor::from_sddl(dacl, &domains).unwrap();
            let permissions = Permissions::new().with_access("T", access_list(&sd));
            for (sid, groups) in &callers {
                let expected = sd.permission(&Caller::new(sid.clone(), groups.clone()));
                let mut names: Vec<String> = groups.iter().map(ToString::to_string).collect();
                names.extend([
                    sid.to_string(),
                    Sid::EVERYONE.to_string(),
                    Sid::AUTHENTICATED_USERS.to_string(),
                ]);
                let principal = Principal::new("EXAMPLE\\x", names);
                let rights = permissions.rights(Some(&principal), &template);
                assert_eq!(
                    (rights.enroll, rights.auto_enroll),
                    (expected.enroll, Some(expected.auto_enroll)),
                    "{dacl} for {sid}"
                );
            }
        }
    }

    #[test]
    fn generalized_times_and_hosts() {
        assert_eq!(generalized_time("20261203120000.0Z"), Some(1_796_299_200));
        assert_eq!(generalized_time("2026120312"), None);
        assert_eq!(generalized_time("2026-12-03T12:00:00Z"), None);
        let host = |url: &str| {
            Directory::new(toml::from_str::<DirectoryConfig>(&format!("url = \"{url}\"")).unwrap())
                .host()
        };
        assert_eq!(host("ldap://dc.example.test"), "dc.example.test");
        assert_eq!(host("ldaps://dc.example.test:636/"), "dc.example.test");
    }
}
