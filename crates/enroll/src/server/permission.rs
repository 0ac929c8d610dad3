//! Who may enroll for which template.

use std::collections::BTreeMap;

use xcep::CertificateEnrollmentPolicy;

/// An authenticated caller: a name and the groups it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Principal {
    /// The account name (for example `CONTOSO\alice`).
    pub name: String,
    /// The groups the account belongs to.
    pub groups: Vec<String>,
}

impl Principal {
    /// A principal with a name and groups.
    pub fn new(
        name: impl Into<String>,
        groups: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            name: name.into(),
            groups: groups.into_iter().map(Into::into).collect(),
        }
    }

    /// Whether the principal's name or one of its groups is in `allowed`
    /// (compared without regard to ASCII case, as account names are).
    pub fn is_in(&self, allowed: &[String]) -> bool {
        allowed.iter().any(|a| {
            a.eq_ignore_ascii_case(&self.name)
                || self.groups.iter().any(|g| a.eq_ignore_ascii_case(g))
        })
    }
}

/// Enroll permissions per template, by template `commonName`: the names of
/// the principals and groups that may enroll.
///
/// A template without an entry falls back to its policy's static
/// `permission/enroll` (anyone authenticated may enroll when it is true);
/// an unauthenticated caller may enroll for no template with an entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Permissions {
    enroll: BTreeMap<String, Vec<String>>,
}

impl Permissions {
    /// No entries: every template's static permission applies.
    pub fn new() -> Self {
        Self::default()
    }

    /// Lets `principals` (names or groups) enroll for `template`; replaces
    /// any earlier entry for it.
    #[must_use]
    pub fn with_enroll(
        mut self,
        template: impl Into<String>,
        principals: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.enroll.insert(
            template.into(),
            principals.into_iter().map(Into::into).collect(),
        );
        self
    }

    /// Whether `principal` may enroll for `policy`.
    pub fn may_enroll(
        &self,
        principal: Option<&Principal>,
        policy: &CertificateEnrollmentPolicy,
    ) -> bool {
        let listed = policy
            .attributes
            .common_name
            .as_deref()
            .and_then(|name| self.enroll.get(name));
        match listed {
            Some(allowed) => principal.is_some_and(|p| p.is_in(allowed)),
            // No `permission` element: nobody may enroll.
            None => {
                policy
                    .attributes
                    .permission
                    .as_ref()
                    .is_some_and(|p| p.enroll)
                    && principal.is_some()
            }
        }
    }
}
