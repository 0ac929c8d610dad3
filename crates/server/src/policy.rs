//! Where the templates come from: [`PolicySource`] gives the
//! [`Policy`] the server answers GetPolicies with and issues from.

use cepces_enroll::server::Permissions;
use soap_envelope::xsd::DateTime;
use x509_cert::Certificate;
use xcep::GetPoliciesResponse;

use crate::Error;
use crate::config::{Config, TemplateConfig, Urls};

/// A CA's policy: what CEP answers, how CES issues from each template,
/// and who may enroll.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Policy {
    /// The GetPoliciesResponse.
    pub response: GetPoliciesResponse,
    /// The issuance rules of each template, `oid` filled in.
    pub templates: Vec<TemplateConfig>,
    /// Who may enroll in which template.
    pub permissions: Permissions,
    /// When it last changed (a client's cached copy from before is sent
    /// again in full).
    pub last_update: DateTime,
}

impl Policy {
    /// A policy: the response, each template's issuance rules, who may
    /// enroll, and when it last changed.
    pub fn new(
        response: GetPoliciesResponse,
        templates: Vec<TemplateConfig>,
        permissions: Permissions,
        last_update: DateTime,
    ) -> Self {
        Self {
            response,
            templates,
            permissions,
            last_update,
        }
    }

    /// The template named `name` (ASCII case ignored).
    pub fn template(&self, name: &str) -> Option<&TemplateConfig> {
        self.templates
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }
}

/// A source of policy: the configuration file today, the directory next.
pub trait PolicySource: Send + Sync + std::fmt::Debug {
    /// The policy for the CA certificate `ca` served at `urls`, as of
    /// `now`.
    fn policy(&self, ca: &Certificate, urls: &Urls, now: DateTime) -> Result<Policy, Error>;

    /// The policy again if the source changed since `current` was loaded
    /// (its `last_update` then follows the change, so that clients' cached
    /// copies are replaced); `None` when it did not. The default: a
    /// source that never changes.
    fn refresh(
        &self,
        current: &Policy,
        ca: &Certificate,
        urls: &Urls,
        now: DateTime,
    ) -> Result<Option<Policy>, Error> {
        let _ = (current, ca, urls, now);
        Ok(None)
    }
}

impl PolicySource for Config {
    fn policy(&self, ca: &Certificate, urls: &Urls, now: DateTime) -> Result<Policy, Error> {
        let ca_der = der::Encode::to_der(ca).map_err(|e| Error::Config(e.to_string()))?;
        let response = Config::policy(self, &ca_der, urls).map_err(Error::Config)?;
        let templates = self
            .templates
            .iter()
            .enumerate()
            .map(|(i, t)| TemplateConfig {
                oid: Some(self.template_oid(i)),
                ..t.clone()
            })
            .collect();
        Ok(Policy {
            response,
            templates,
            permissions: self.permissions(),
            // The templates may have changed with the configuration since
            // the last start: the policy is "last updated" when loaded.
            last_update: now,
        })
    }
}
