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

/// One entry of a template's access list ([`Permissions::with_access`]):
/// whether it allows or denies, whom it names (an account or group name,
/// or a SID in its string form such as `S-1-5-11`, as a directory
/// source puts them in [`Principal::groups`]), and which of the two
/// rights, Enroll and AutoEnroll, it is about.
///
/// This is the shape of the object ACEs of a template's security
/// descriptor that carry the Certificate-Enrollment and
/// Certificate-AutoEnrollment extended rights ([MS-CRTD] 2.5.2).
///
/// [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccessEntry {
    /// A deny entry (otherwise it allows).
    pub deny: bool,
    /// The account, group or SID it names.
    pub principal: String,
    /// It is about Enroll.
    pub enroll: bool,
    /// It is about AutoEnroll.
    pub auto_enroll: bool,
}

impl AccessEntry {
    /// Allows `principal` the rights given.
    pub fn allow(principal: impl Into<String>, enroll: bool, auto_enroll: bool) -> Self {
        Self {
            deny: false,
            principal: principal.into(),
            enroll,
            auto_enroll,
        }
    }

    /// Denies `principal` the rights given.
    pub fn deny(principal: impl Into<String>, enroll: bool, auto_enroll: bool) -> Self {
        Self {
            deny: true,
            ..Self::allow(principal, enroll, auto_enroll)
        }
    }
}

/// What decides one template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Rule {
    /// These names and groups may enroll.
    Principals(Vec<String>),
    /// An ordered access list.
    Access(Vec<AccessEntry>),
}

/// A caller's rights on one template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Rights {
    /// It may enroll.
    pub enroll: bool,
    /// It may autoenroll; `None` when the permissions do not say (the
    /// policy's own `autoEnroll` stands).
    pub auto_enroll: Option<bool>,
}

/// Enroll permissions per template, by template `commonName`: the names of
/// the principals and groups that may enroll ([`with_enroll`](Self::with_enroll)),
/// or an ordered access list ([`with_access`](Self::with_access)).
///
/// A template without an entry falls back to its policy's static
/// `permission/enroll` (anyone authenticated may enroll when it is true);
/// an unauthenticated caller may enroll for no template with an entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Permissions {
    rules: BTreeMap<String, Rule>,
    omit_denied: bool,
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
        self.rules.insert(
            template.into(),
            Rule::Principals(principals.into_iter().map(Into::into).collect()),
        );
        self
    }

    /// Decides `template` by an ordered access list, as Windows evaluates
    /// a DACL ([MS-DTYP] 2.5.3.2): for each right, the first entry that
    /// names the caller (its name or one of its groups) and is about that
    /// right decides, deny or allow; no such entry denies. Both rights
    /// are decided (a policy then says `autoEnroll` truthfully). Replaces
    /// any earlier entry for the template.
    ///
    /// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
    #[must_use]
    pub fn with_access(
        mut self,
        template: impl Into<String>,
        entries: impl IntoIterator<Item = AccessEntry>,
    ) -> Self {
        self.rules
            .insert(template.into(), Rule::Access(entries.into_iter().collect()));
        self
    }

    /// GetPolicies leaves out the templates the caller may not enroll in
    /// (as Active Directory's policy provider does), rather than listing
    /// them with `enroll` false.
    #[must_use]
    pub fn omitting_denied(mut self) -> Self {
        self.omit_denied = true;
        self
    }

    /// Whether GetPolicies leaves out the templates the caller may not
    /// enroll in.
    pub fn omits_denied(&self) -> bool {
        self.omit_denied
    }

    /// Whether `principal` may enroll for `policy`.
    pub fn may_enroll(
        &self,
        principal: Option<&Principal>,
        policy: &CertificateEnrollmentPolicy,
    ) -> bool {
        self.rights(principal, policy).enroll
    }

    /// `principal`'s rights on `policy`.
    pub fn rights(
        &self,
        principal: Option<&Principal>,
        policy: &CertificateEnrollmentPolicy,
    ) -> Rights {
        let rule = policy
            .attributes
            .common_name
            .as_deref()
            .and_then(|name| self.rules.get(name));
        match rule {
            Some(Rule::Principals(allowed)) => Rights {
                enroll: principal.is_some_and(|p| p.is_in(allowed)),
                auto_enroll: None,
            },
            Some(Rule::Access(entries)) => Rights {
                enroll: principal.is_some_and(|p| decide(entries, p, |e| e.enroll)),
                auto_enroll: Some(principal.is_some_and(|p| decide(entries, p, |e| e.auto_enroll))),
            },
            // No `permission` element: nobody may enroll.
            None => Rights {
                enroll: policy
                    .attributes
                    .permission
                    .as_ref()
                    .is_some_and(|p| p.enroll)
                    && principal.is_some(),
                auto_enroll: None,
            },
        }
    }
}

/// The first entry about the right that names `principal` decides.
fn decide(
    entries: &[AccessEntry],
    principal: &Principal,
    about: impl Fn(&AccessEntry) -> bool,
) -> bool {
    entries
        .iter()
        .filter(|e| about(e))
        .find(|e| principal.is_in(std::slice::from_ref(&e.principal)))
        .is_some_and(|e| !e.deny)
}
