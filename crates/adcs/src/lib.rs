//! Active Directory Certificate Services objects read from the directory,
//! mapped to the MS-XCEP policy. No-IO: the caller runs the LDAP searches
//! and hands in each [`Entry`].
//!
//! What Microsoft's ADPolicyProvider answers GetPolicies from, in the
//! Configuration partition under `CN=Public Key Services,CN=Services`:
//!
//! - `CN=Certificate Templates`: every `pKICertificateTemplate`
//!   ([`Template`], [MS-CRTD] 2);
//! - `CN=Enrollment Services`: every `pKIEnrollmentService`
//!   ([`EnrollmentService`]): which templates each CA offers and its CES
//!   URLs;
//! - `CN=OID`: every `msPKI-Enterprise-Oid` ([`EnterpriseOid`]), naming
//!   the enterprise's OIDs.
//!
//! [`Directory::policy`] answers for one caller: the templates some CA
//! offers and the caller may enroll in (the Certificate-Enrollment right
//! on the template's `nTSecurityDescriptor`, [`security`]), with
//! `permission.autoEnroll` set from the Certificate-AutoEnrollment right.
//!
//! ```
//! use cepces_adcs::{Directory, Entry, PolicyOptions};
//! use cepces_adcs::security::{AceKind, Ace, SecurityDescriptor, Sid, ENROLL, RIGHT_DS_CONTROL_ACCESS};
//!
//! let users: Sid = "S-1-5-21-1-2-3-513".parse().unwrap();
//! let sd = SecurityDescriptor::new(vec![Ace::new(
//!     AceKind::Allow,
//!     users.clone(),
//!     RIGHT_DS_CONTROL_ACCESS,
//!     Some(ENROLL),
//! )]);
//! let template = Entry::new("CN=User,CN=Certificate Templates,CN=Public Key Services,CN=Services,CN=Configuration,DC=example,DC=test")
//!     .with("cn", ["User"])
//!     .with("pKIExpirationPeriod", [(-315_360_000_000_000_i64).to_le_bytes()])
//!     .with("nTSecurityDescriptor", [sd.to_bytes()]);
//! let ca = Entry::new("CN=Example-CA,CN=Enrollment Services,CN=Public Key Services,CN=Services,CN=Configuration,DC=example,DC=test")
//!     .with("cn", ["Example-CA"])
//!     .with("cACertificate", [[0x30, 0x00]])
//!     .with("certificateTemplates", ["User"])
//!     .with("msPKI-Enrollment-Servers", ["1\n2\n0\nhttps://ca.example.test/Example-CA_CES_Kerberos/service.svc/CES\n"]);
//! let directory = Directory::from_entries(&[template], &[ca], &[]).unwrap();
//!
//! let answer = directory.policy(&[users], &PolicyOptions::new("{0E0AB7A4-...}")).unwrap();
//! let policies = answer.response.as_ref().unwrap().policies.as_deref().unwrap();
//! assert_eq!(policies[0].attributes.common_name.as_deref(), Some("User"));
//! let validity = policies[0].attributes.certificate_validity.as_ref().unwrap();
//! assert_eq!(validity.validity_period_seconds, 365 * 86_400);
//! // Someone outside Domain Users gets no template.
//! let other: Sid = "S-1-5-21-9-9-9-1104".parse().unwrap();
//! let none = directory.policy(&[other], &PolicyOptions::new("{0E0AB7A4-...}")).unwrap();
//! assert!(none.response.unwrap().policies.unwrap_or_default().is_empty());
//! ```
//!
//! [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod enterprise_oid;
mod entry;
mod error;
pub mod oid_table;
pub mod period;
pub mod security;
pub mod service;
pub mod template;

pub use enterprise_oid::{EnterpriseOid, OidKind};
pub use entry::Entry;
pub use error::{Error, ErrorKind, Result};
pub use service::{EnrollmentServer, EnrollmentService};
pub use template::Template;

use oid_table::OidTable;
use security::Sid;
use xcep::{GetPoliciesResponse, Response};

/// How the policy is presented (the parts that are not in the directory).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PolicyOptions {
    /// The policy ID (AD CS: the forest's `{GUID}`).
    pub policy_id: String,
    /// The policy's friendly name.
    pub friendly_name: Option<String>,
    /// Hours until clients ask again.
    pub next_update_hours: Option<u32>,
}

impl PolicyOptions {
    /// Options with policy ID `policy_id`.
    pub fn new(policy_id: impl Into<String>) -> Self {
        Self {
            policy_id: policy_id.into(),
            friendly_name: None,
            next_update_hours: Some(8),
        }
    }

    /// Sets the friendly name.
    #[must_use]
    pub fn with_friendly_name(mut self, name: impl Into<String>) -> Self {
        self.friendly_name = Some(name.into());
        self
    }
}

/// The PKI objects of a forest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Directory {
    /// The templates.
    pub templates: Vec<Template>,
    /// The enterprise CAs.
    pub services: Vec<EnrollmentService>,
    /// The enterprise OIDs.
    pub oids: Vec<EnterpriseOid>,
}

impl Directory {
    /// Reads the entries of the three containers.
    pub fn from_entries(templates: &[Entry], services: &[Entry], oids: &[Entry]) -> Result<Self> {
        Ok(Self {
            templates: templates
                .iter()
                .map(Template::from_entry)
                .collect::<Result<_>>()?,
            services: services
                .iter()
                .map(EnrollmentService::from_entry)
                .collect::<Result<_>>()?,
            oids: oids
                .iter()
                .map(EnterpriseOid::from_entry)
                .collect::<Result<_>>()?,
        })
    }

    /// The template named `name` (ASCII case ignored): what a CSR's
    /// template extension names.
    pub fn template(&self, name: &str) -> Option<&Template> {
        self.templates
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }

    /// GetPoliciesResponse for the caller whose token holds `sids` (its
    /// own SID and `tokenGroups`; Everyone and Authenticated Users are
    /// added): the templates some CA offers and the caller may enroll in,
    /// each with the CAs that offer it.
    pub fn policy(&self, sids: &[Sid], options: &PolicyOptions) -> Result<GetPoliciesResponse> {
        let mut token: Vec<Sid> = sids.to_vec();
        for well_known in [security::EVERYONE, security::AUTHENTICATED_USERS] {
            if let Ok(s) = well_known.parse() {
                token.push(s);
            }
        }
        let mut table = OidTable::new(&self.oids);
        let mut response =
            Response::new(options.policy_id.clone()).with_policies_not_changed(false);
        if let Some(n) = &options.friendly_name {
            response = response.with_policy_friendly_name(n.clone());
        }
        if let Some(h) = options.next_update_hours {
            response = response.with_next_update_hours(h);
        }
        let mut used = vec![false; self.services.len()];
        for t in &self.templates {
            let rights = t.rights(&token);
            if !rights.enroll {
                continue;
            }
            let cas: Vec<i32> = self
                .services
                .iter()
                .enumerate()
                .filter(|(_, s)| s.offers(&t.name))
                .map(|(i, _)| {
                    used[i] = true;
                    i32::try_from(i).unwrap_or(i32::MAX)
                })
                .collect();
            if cas.is_empty() {
                continue;
            }
            response = response.with_policy(t.to_policy(&mut table, &cas, rights)?);
        }
        let mut answer = GetPoliciesResponse::new().with_response(response);
        for (i, s) in self.services.iter().enumerate() {
            if used[i] {
                answer = answer.with_ca(s.to_ca(i32::try_from(i).unwrap_or(i32::MAX), true));
            }
        }
        for o in table.into_oids() {
            answer = answer.with_oid(o);
        }
        Ok(answer)
    }
}
