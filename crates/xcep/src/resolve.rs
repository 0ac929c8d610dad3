//! A resolved, read-only view of a [`GetPoliciesResponse`] for clients:
//! [`ResolvedPolicy`], its [`ResolvedTemplate`]s, and the enrollment
//! endpoints a template can be sent to ([`Endpoint`], chosen with an
//! [`EndpointFilter`]).
//!
//! A GetPoliciesResponse refers by number: a template names its OID with
//! `policyOIDReference`, its issuers with `cAReference`s, and its algorithms,
//! extensions and RA requirements with `...OIDReference`s, all of which
//! "MUST reference" an `oIDReferenceID` or `cAReferenceID` of the same
//! message ([MS-XCEP] 3.1.4.1.3.4, 3.1.4.1.3.7, 3.1.4.1.3.12, 3.1.4.1.3.15,
//! 3.1.4.1.3.18, 3.1.4.1.3.20, 3.1.4.1.3.1). [`ResolvedPolicy::new`] (or
//! [`GetPoliciesResponse::resolve`]) follows every reference once, through
//! hash maps built once, so that resolving is linear in the size of the
//! response, and hands back borrowed [`Ca`]s and [`Oid`]s.
//!
//! # Rules
//!
//! - **Dangling references fail.** A reference that names no CA or OID is
//!   [`Error::DanglingReference`] with the element's local name as `what`
//!   and its place as `path`, relative to `response`, with 1-based indices
//!   always written (see the table below). Resolution stops at the first
//!   one, in document order: template by template, and within a template
//!   in schema order (`policyOIDReference`, `cAs`, then the attributes:
//!   `algorithmOIDReference`, `hashAlgorithmOIDReference`, `rAEKUs`,
//!   `rAPolicies`, `symmetricAlgorithmOIDReference`, `extensions`).
//!   [`dangling_references`] lists all of them instead.
//! - **Duplicate ids: the first wins.** `cAReferenceID` and `oIDReferenceID`
//!   "MUST" be unique, and `commonName` "MUST be unique in the scope of a
//!   GetPoliciesResponse" ([MS-XCEP] 3.1.4.1.3.2, 3.1.4.1.3.16,
//!   3.1.4.1.3.1). When a response breaks this, a reference resolves to the
//!   first CA or OID with the id, as [`GetPoliciesResponse::find_ca`] does,
//!   and [`ResolvedPolicy::template_by_name`] / [`template_by_oid`] return
//!   the first template.
//! - **OID groups are not checked.** MS-XCEP says which group a referenced
//!   OID has only in prose, and the MS-MDE2 4.2.2 example points both a
//!   `policyOIDReference` and a `hashAlgorithmOIDReference` at one OID of
//!   group 4 (signing algorithm; group 1 in 4.2.3), not 9 (enrollment
//!   object). The resolved [`Oid`] carries its
//!   [`group`](Oid::group) for callers who want to check it.
//! - **A nil `cAs` names no issuer.** [MS-XCEP] 3.1.4.1.3.7 says only that
//!   `cAs` "is used to reference the issuers" of the template; it gives nil
//!   no meaning, in particular not "every CA". A template whose `cAs` is nil
//!   resolves to no CA ([`ResolvedTemplate::cas`] is empty). MS-MDE2 4.2.2
//!   sends nil there: its client enrolls at the endpoint that discovery
//!   gave it.
//!
//! | `what` | `path` |
//! |---|---|
//! | `policyOIDReference` | `policies/policy[n]/policyOIDReference` |
//! | `cAReference` | `policies/policy[n]/cAs/cAReference[k]` |
//! | `algorithmOIDReference` | `policies/policy[n]/attributes/privateKeyAttributes/algorithmOIDReference` |
//! | `hashAlgorithmOIDReference` | `policies/policy[n]/attributes/hashAlgorithmOIDReference` |
//! | `oIDReference` | `policies/policy[n]/attributes/rARequirements/rAEKUs/oIDReference[k]` |
//! | `oIDReference` | `policies/policy[n]/attributes/rARequirements/rAPolicies/oIDReference[k]` |
//! | `symmetricAlgorithmOIDReference` | `policies/policy[n]/attributes/keyArchivalAttributes/symmetricAlgorithmOIDReference` |
//! | `oIDReference` | `policies/policy[n]/attributes/extensions/extension[k]/oIDReference` |
//!
//! # Example
//!
//! ```
//! use xcep::flags::ClientAuthentication;
//! use xcep::{
//!     Attributes, Base64Text, Ca, CaUri, CertificateEnrollmentPolicy, CertificateValidity,
//!     EndpointFilter, EnrollmentPermission, Error, GetPoliciesResponse, Oid, OidGroup,
//!     PrivateKeyAttributes, Response, Revision,
//! };
//!
//! let attributes = Attributes::new(
//!     "WebServer",
//!     2,
//!     CertificateValidity::new(31_536_000, 3_628_800),
//!     EnrollmentPermission::new(true, false),
//!     PrivateKeyAttributes::new(2048),
//!     Revision::new(100, 4),
//! )
//! .with_hash_algorithm_oid_reference(1);
//! let response = GetPoliciesResponse::new()
//!     .with_response(
//!         Response::new("{083C7011-1D0A-4855-885D-AC945184658C}")
//!             .with_policy(CertificateEnrollmentPolicy::new(9, attributes).with_ca_reference(0)),
//!     )
//!     .with_ca(
//!         Ca::new(0, Base64Text::from_bytes(b"\x30\x00"), true)
//!             .with_uri(CaUri::new(ClientAuthentication::KERBEROS, "https://ca/b").with_priority(2))
//!             .with_uri(CaUri::new(ClientAuthentication::KERBEROS, "https://ca/a").with_priority(1)),
//!     )
//!     .with_oid(Oid::new("2.16.840.1.101.3.4.2.1", OidGroup::HashAlgorithm, 1))
//!     .with_oid(Oid::new("1.3.6.1.4.1.311.21.8.1.2", OidGroup::EnrollmentObject, 9));
//!
//! let policy = response.resolve()?;
//! let template = policy.template_by_name("WebServer").unwrap();
//! assert_eq!(template.oid().value, "1.3.6.1.4.1.311.21.8.1.2");
//! assert_eq!(template.hash_algorithm().unwrap().value, "2.16.840.1.101.3.4.2.1");
//! assert!(template.key_algorithm().is_none()); // nil
//! let uris: Vec<&str> = template
//!     .endpoints(&EndpointFilter::enrollment().with_authentication(ClientAuthentication::KERBEROS))
//!     .iter()
//!     .map(|e| e.uri.uri.as_str())
//!     .collect();
//! assert_eq!(uris, ["https://ca/a", "https://ca/b"]); // priority 1 first
//! assert!(policy.template_by_oid("1.3.6.1.4.1.311.21.8.1.2").is_some());
//!
//! // A reference to an OID that is not there.
//! let mut broken = response.clone();
//! broken.response.as_mut().unwrap().policies.as_mut().unwrap()[0]
//!     .attributes
//!     .hash_algorithm_oid_reference = Some(4);
//! assert_eq!(
//!     broken.resolve().unwrap_err(),
//!     Error::DanglingReference {
//!         what: "hashAlgorithmOIDReference",
//!         id: 4,
//!         path: "policies/policy[1]/attributes/hashAlgorithmOIDReference".into(),
//!     }
//! );
//! # Ok::<(), xcep::Error>(())
//! ```
//!
//! [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
//! [`template_by_oid`]: ResolvedPolicy::template_by_oid

use std::collections::HashMap;

use crate::ca::{Ca, CaUri};
use crate::error::{Error, Result};
use crate::flags::ClientAuthentication;
use crate::get_policies_response::GetPoliciesResponse;
use crate::oid::Oid;
use crate::policy::{Attributes, CertificateEnrollmentPolicy, Extension};

impl GetPoliciesResponse {
    /// Resolves every reference of the response: see [`ResolvedPolicy::new`].
    pub fn resolve(&self) -> Result<ResolvedPolicy<'_>> {
        ResolvedPolicy::new(self)
    }
}

/// A [`GetPoliciesResponse`] with every reference followed ([MS-XCEP]
/// 3.1.4.1.2.2): its templates ([`ResolvedTemplate`]) with their OID, CAs
/// and algorithm OIDs, and lookups by template name and template OID.
///
/// Built by [`ResolvedPolicy::new`] or [`GetPoliciesResponse::resolve`];
/// see the [module documentation](self) for the rules. A response whose
/// `response` or `policies` is nil (a `policiesNotChanged` answer, see
/// [`crate::cache`]) resolves to no template.
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone)]
pub struct ResolvedPolicy<'a> {
    response: &'a GetPoliciesResponse,
    cas: HashMap<i32, &'a Ca>,
    oids: HashMap<i32, &'a Oid>,
    templates: Vec<ResolvedTemplate<'a>>,
    by_name: HashMap<&'a str, usize>,
    by_oid: HashMap<&'a str, usize>,
}

impl<'a> ResolvedPolicy<'a> {
    /// Resolves every reference of `response`, failing with
    /// [`Error::DanglingReference`] at the first one that names no CA or
    /// OID (in document order).
    ///
    /// Linear in the size of the response: the CAs, the OIDs and the
    /// template lookups are each put into a hash map once.
    pub fn new(response: &'a GetPoliciesResponse) -> Result<Self> {
        let index = Index::new(response);
        let policies = response.policies();
        let mut templates = Vec::with_capacity(policies.len());
        let mut by_name = HashMap::with_capacity(policies.len());
        let mut by_oid = HashMap::with_capacity(policies.len());
        let mut sink = Sink::FailFast;
        for (i, policy) in policies.iter().enumerate() {
            let Some(template) = index.template(i, policy, &mut sink)? else {
                // Only a collecting sink skips a template.
                continue;
            };
            if let Some(name) = template.common_name() {
                by_name.entry(name).or_insert(templates.len());
            }
            by_oid
                .entry(template.oid.value.as_str())
                .or_insert(templates.len());
            templates.push(template);
        }
        Ok(Self {
            response,
            cas: index.cas,
            oids: index.oids,
            templates,
            by_name,
            by_oid,
        })
    }

    /// The response this view borrows.
    pub fn response(&self) -> &'a GetPoliciesResponse {
        self.response
    }

    /// The templates, in the order of the response.
    pub fn templates(&self) -> &[ResolvedTemplate<'a>] {
        &self.templates
    }

    /// The template whose `commonName` is `name` (exact, case-sensitive
    /// match; the first one if several share it). A template without a
    /// `commonName` is found only by [`ResolvedPolicy::template_by_oid`].
    pub fn template_by_name(&self, name: &str) -> Option<&ResolvedTemplate<'a>> {
        self.by_name.get(name).map(|&i| &self.templates[i])
    }

    /// The template whose OID (the `value` of the OID its
    /// `policyOIDReference` names) is `oid`, e.g.
    /// `1.3.6.1.4.1.311.21.8.3800100.3166153.13323660.9808540.8334961.78.1.6`
    /// (exact match; the first one if several share it).
    pub fn template_by_oid(&self, oid: &str) -> Option<&ResolvedTemplate<'a>> {
        self.by_oid.get(oid).map(|&i| &self.templates[i])
    }

    /// The CA whose `cAReferenceID` is `ca_reference_id` (the first one if
    /// several share it), in constant time.
    pub fn ca(&self, ca_reference_id: i32) -> Option<&'a Ca> {
        self.cas.get(&ca_reference_id).copied()
    }

    /// The OID whose `oIDReferenceID` is `oid_reference_id` (the first one
    /// if several share it), in constant time.
    pub fn oid(&self, oid_reference_id: i32) -> Option<&'a Oid> {
        self.oids.get(&oid_reference_id).copied()
    }
}

/// Every reference of `response` that names no CA or OID, as
/// [`Error::DanglingReference`]s in document order; empty when
/// [`ResolvedPolicy::new`] succeeds.
///
/// ```
/// use xcep::resolve::dangling_references;
/// use xcep::{
///     Attributes, CertificateEnrollmentPolicy, CertificateValidity, EnrollmentPermission,
///     GetPoliciesResponse, PrivateKeyAttributes, Response, Revision,
/// };
///
/// let attributes = Attributes::new(
///     "User",
///     1,
///     CertificateValidity::new(31_536_000, 3_628_800),
///     EnrollmentPermission::new(true, false),
///     PrivateKeyAttributes::new(2048),
///     Revision::new(3, 1),
/// );
/// let response = GetPoliciesResponse::new().with_response(
///     Response::new("p").with_policy(CertificateEnrollmentPolicy::new(9, attributes).with_ca_reference(0)),
/// );
/// let what: Vec<_> = dangling_references(&response)
///     .into_iter()
///     .map(|e| e.to_string())
///     .collect();
/// assert_eq!(
///     what,
///     [
///         "dangling policyOIDReference reference 9 in policies/policy[1]/policyOIDReference",
///         "dangling cAReference reference 0 in policies/policy[1]/cAs/cAReference[1]",
///     ]
/// );
/// ```
pub fn dangling_references(response: &GetPoliciesResponse) -> Vec<Error> {
    let index = Index::new(response);
    let mut errors = Vec::new();
    let mut sink = Sink::Collect(&mut errors);
    for (i, policy) in response.policies().iter().enumerate() {
        // A collecting sink never fails.
        let _ = index.template(i, policy, &mut sink);
    }
    errors
}

/// One template ([`CertificateEnrollmentPolicy`], [MS-XCEP] 3.1.4.1.3.7)
/// with its references followed.
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone)]
pub struct ResolvedTemplate<'a> {
    index: usize,
    policy: &'a CertificateEnrollmentPolicy,
    oid: &'a Oid,
    cas: Vec<&'a Ca>,
    key_algorithm: Option<&'a Oid>,
    hash_algorithm: Option<&'a Oid>,
    ra_application_policies: Vec<&'a Oid>,
    ra_issuance_policies: Vec<&'a Oid>,
    key_archival_algorithm: Option<&'a Oid>,
    extensions: Vec<ResolvedExtension<'a>>,
}

impl<'a> ResolvedTemplate<'a> {
    /// The position of the template in `response/policies` (0-based).
    pub fn index(&self) -> usize {
        self.index
    }

    /// The template as read.
    pub fn policy(&self) -> &'a CertificateEnrollmentPolicy {
        self.policy
    }

    /// The template's `attributes`.
    pub fn attributes(&self) -> &'a Attributes {
        &self.policy.attributes
    }

    /// `attributes/commonName`: the template's name; `None` when the
    /// server left it out (MS-MDE2 servers do).
    pub fn common_name(&self) -> Option<&'a str> {
        self.policy.attributes.common_name.as_deref()
    }

    /// The template's name for people and for requests: `commonName`, else
    /// (when a MS-MDE2 server left it out) the template OID's
    /// `defaultName`, else the template OID itself.
    pub fn name(&self) -> &'a str {
        self.common_name()
            .or(self.oid.default_name.as_deref())
            .unwrap_or(&self.oid.value)
    }

    /// The OID `policyOIDReference` names: the template's identity
    /// ([MS-XCEP] 3.1.4.1.3.7; normally of group 9, enrollment object, but
    /// not checked: see the [module documentation](self)).
    ///
    /// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
    pub fn oid(&self) -> &'a Oid {
        self.oid
    }

    /// The CAs of `cAs`, in its order; empty when `cAs` is nil (see the
    /// [module documentation](self)).
    pub fn cas(&self) -> &[&'a Ca] {
        &self.cas
    }

    /// The OID of `privateKeyAttributes/algorithmOIDReference`: the
    /// asymmetric algorithm of the private key ([MS-XCEP] 3.1.4.1.3.20);
    /// `None` when nil.
    ///
    /// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
    pub fn key_algorithm(&self) -> Option<&'a Oid> {
        self.key_algorithm
    }

    /// The OID of `hashAlgorithmOIDReference`: the hash algorithm of the
    /// enrollment's signatures ([MS-XCEP] 3.1.4.1.3.1); `None` when nil
    /// (which the spec requires for `policySchema` 1 and 2).
    ///
    /// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
    pub fn hash_algorithm(&self) -> Option<&'a Oid> {
        self.hash_algorithm
    }

    /// The OIDs of `rARequirements/rAEKUs`: the values the RA certificate's
    /// extended key usage (application policy) extension must hold
    /// ([MS-XCEP] 3.1.4.1.3.21); empty when `rARequirements` or `rAEKUs` is
    /// nil.
    ///
    /// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
    pub fn ra_application_policies(&self) -> &[&'a Oid] {
        &self.ra_application_policies
    }

    /// The OIDs of `rARequirements/rAPolicies`: the values the RA
    /// certificate's (issuance) policy extension must hold ([MS-XCEP]
    /// 3.1.4.1.3.21); empty when `rARequirements` or `rAPolicies` is nil.
    ///
    /// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
    pub fn ra_issuance_policies(&self) -> &[&'a Oid] {
        &self.ra_issuance_policies
    }

    /// The OID of `keyArchivalAttributes/symmetricAlgorithmOIDReference`:
    /// the symmetric algorithm that encrypts the private key for archival
    /// ([MS-XCEP] 3.1.4.1.3.15); `None` when `keyArchivalAttributes` is nil.
    ///
    /// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
    pub fn key_archival_algorithm(&self) -> Option<&'a Oid> {
        self.key_archival_algorithm
    }

    /// The `extensions`, each with its OID, in their order; empty when nil.
    pub fn extensions(&self) -> &[ResolvedExtension<'a>] {
        &self.extensions
    }

    /// The endpoints of the template's CAs that `filter` accepts, best
    /// first: ordered by `priority` ([MS-XCEP] 3.1.4.1.3.5: "The lower the
    /// integer value, the higher the priority"), a nil priority after every
    /// number, and equal priorities in the order of `cAs` and then of each
    /// CA's `uris`.
    ///
    /// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
    pub fn endpoints(&self, filter: &EndpointFilter) -> Vec<Endpoint<'a>> {
        let mut endpoints: Vec<Endpoint<'a>> = self
            .cas
            .iter()
            .filter(|ca| filter.accepts_ca(ca))
            .flat_map(|&ca| {
                ca.uris
                    .iter()
                    .filter(|uri| filter.accepts_uri(uri))
                    .map(move |uri| Endpoint { ca, uri })
            })
            .collect();
        // Stable: equal priorities keep the document order.
        endpoints.sort_by_key(|e| priority_key(e.uri));
        endpoints
    }

    /// [`endpoints`](Self::endpoints) grouped by `clientAuthentication`:
    /// one group per authentication value (in increasing numeric order:
    /// anonymous, Kerberos, user name and password, certificate, then any
    /// unknown value), each ordered best first.
    pub fn endpoints_by_authentication(
        &self,
        filter: &EndpointFilter,
    ) -> Vec<(ClientAuthentication, Vec<Endpoint<'a>>)> {
        let mut groups: Vec<(ClientAuthentication, Vec<Endpoint<'a>>)> = Vec::new();
        for endpoint in self.endpoints(filter) {
            let auth = endpoint.uri.client_authentication;
            match groups.iter_mut().find(|(a, _)| *a == auth) {
                Some((_, group)) => group.push(endpoint),
                None => groups.push((auth, vec![endpoint])),
            }
        }
        groups.sort_by_key(|(a, _)| a.bits());
        groups
    }
}

/// An [`Extension`] of a template with the [`Oid`] its `oIDReference` names
/// ([MS-XCEP] 3.1.4.1.3.12).
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResolvedExtension<'a> {
    /// The extension as read.
    pub extension: &'a Extension,
    /// The extension's OID, e.g. `2.5.29.15` (key usage).
    pub oid: &'a Oid,
}

/// An enrollment endpoint ([`CaUri`], [MS-XCEP] 3.1.4.1.3.5) with the CA it
/// reaches.
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Endpoint<'a> {
    /// The CA.
    pub ca: &'a Ca,
    /// The endpoint: its `uri`, `clientAuthentication`, `priority` and
    /// `renewalOnly`.
    pub uri: &'a CaUri,
}

/// Which enrollment endpoints a request can use: its kind (a new request or
/// a renewal), the authentications the client can do, and whether CAs that
/// deny the requestor enrollment count.
///
/// - **`renewalOnly`** ([MS-XCEP] 3.1.4.1.3.5): "If the value is true, the
///   server [...] only accepts renewal requests." [`enrollment`] leaves such
///   endpoints out, [`renewal`] keeps them. A nil `renewalOnly` (§3 only)
///   counts as false, the value the §6.2 schema requires to be there.
/// - **`clientAuthentication`**: by default every value;
///   [`with_authentication`] keeps the endpoints whose value is one of the
///   given bits (pass several, `KERBEROS | CLIENT_CERTIFICATE`, for a
///   client that can do either). An endpoint with 0 matches no set.
/// - **`enrollPermission`** ([MS-XCEP] 3.1.4.1.3.2): "If the
///   `<enrollPermission>` element is false, the requestor does not have
///   permission" to submit requests to the CA; by default such CAs are left
///   out, [`including_denied_cas`] keeps them.
///
/// ```
/// use xcep::EndpointFilter;
/// use xcep::flags::ClientAuthentication;
///
/// let f = EndpointFilter::renewal()
///     .with_authentication(ClientAuthentication::KERBEROS | ClientAuthentication::CLIENT_CERTIFICATE);
/// assert!(f.is_renewal());
/// assert_eq!(f.authentication(), Some(ClientAuthentication::KERBEROS | ClientAuthentication::CLIENT_CERTIFICATE));
/// ```
///
/// [`enrollment`]: Self::enrollment
/// [`renewal`]: Self::renewal
/// [`with_authentication`]: Self::with_authentication
/// [`including_denied_cas`]: Self::including_denied_cas
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointFilter {
    renewal: bool,
    authentication: Option<ClientAuthentication>,
    require_enroll_permission: bool,
}

impl EndpointFilter {
    /// For a new request (not a renewal): endpoints with `renewalOnly`
    /// true are left out; any authentication; CAs with `enrollPermission`
    /// false are left out.
    pub fn enrollment() -> Self {
        Self {
            renewal: false,
            authentication: None,
            require_enroll_permission: true,
        }
    }

    /// For a renewal request: every endpoint, `renewalOnly` or not; any
    /// authentication; CAs with `enrollPermission` false are left out.
    pub fn renewal() -> Self {
        Self {
            renewal: true,
            ..Self::enrollment()
        }
    }

    /// Keeps only endpoints whose `clientAuthentication` is one of the bits
    /// of `accepted`.
    #[must_use]
    pub fn with_authentication(mut self, accepted: ClientAuthentication) -> Self {
        self.authentication = Some(accepted);
        self
    }

    /// Keeps the endpoints of CAs whose `enrollPermission` is false too.
    #[must_use]
    pub fn including_denied_cas(mut self) -> Self {
        self.require_enroll_permission = false;
        self
    }

    /// Whether this filter is for a renewal.
    pub fn is_renewal(&self) -> bool {
        self.renewal
    }

    /// The accepted authentications, `None` for any.
    pub fn authentication(&self) -> Option<ClientAuthentication> {
        self.authentication
    }

    /// The endpoints of one CA that this filter accepts, best first (see
    /// [`ResolvedTemplate::endpoints`] for the order); empty when the CA
    /// itself is left out.
    pub fn endpoints<'a>(&self, ca: &'a Ca) -> Vec<&'a CaUri> {
        if !self.accepts_ca(ca) {
            return Vec::new();
        }
        let mut uris: Vec<&'a CaUri> = ca.uris.iter().filter(|u| self.accepts_uri(u)).collect();
        uris.sort_by_key(|u| priority_key(u));
        uris
    }

    fn accepts_ca(&self, ca: &Ca) -> bool {
        ca.enroll_permission || !self.require_enroll_permission
    }

    fn accepts_uri(&self, uri: &CaUri) -> bool {
        let kind_ok = self.renewal || uri.renewal_only != Some(true);
        let auth_ok = self.authentication.is_none_or(|accepted| {
            !uri.client_authentication.is_empty() && accepted.contains(uri.client_authentication)
        });
        kind_ok && auth_ok
    }
}

impl Default for EndpointFilter {
    /// [`EndpointFilter::enrollment`].
    fn default() -> Self {
        Self::enrollment()
    }
}

/// The sort key of an endpoint: numbers first, lowest first; nil last.
fn priority_key(uri: &CaUri) -> (bool, u32) {
    (uri.priority.is_none(), uri.priority.unwrap_or(0))
}

/// What to do with a dangling reference.
enum Sink<'e> {
    /// Return it as the error.
    FailFast,
    /// Record it and go on.
    Collect(&'e mut Vec<Error>),
}

impl Sink<'_> {
    fn dangling(
        &mut self,
        what: &'static str,
        id: i32,
        path: impl FnOnce() -> String,
    ) -> Result<()> {
        let error = Error::DanglingReference {
            what,
            id,
            path: path(),
        };
        match self {
            Sink::FailFast => Err(error),
            Sink::Collect(errors) => {
                errors.push(error);
                Ok(())
            }
        }
    }
}

/// The CAs and OIDs of a response by id (the first of equal ids wins).
struct Index<'a> {
    cas: HashMap<i32, &'a Ca>,
    oids: HashMap<i32, &'a Oid>,
}

impl<'a> Index<'a> {
    fn new(response: &'a GetPoliciesResponse) -> Self {
        let ca_list = response.cas.as_deref().unwrap_or_default();
        let oid_list = response.oids.as_deref().unwrap_or_default();
        let mut cas = HashMap::with_capacity(ca_list.len());
        for ca in ca_list {
            cas.entry(ca.ca_reference_id).or_insert(ca);
        }
        let mut oids = HashMap::with_capacity(oid_list.len());
        for oid in oid_list {
            oids.entry(oid.oid_reference_id).or_insert(oid);
        }
        Self { cas, oids }
    }

    fn oid(
        &self,
        id: i32,
        what: &'static str,
        sink: &mut Sink<'_>,
        path: impl FnOnce() -> String,
    ) -> Result<Option<&'a Oid>> {
        match self.oids.get(&id) {
            Some(&oid) => Ok(Some(oid)),
            None => sink.dangling(what, id, path).map(|()| None),
        }
    }

    fn oid_list(
        &self,
        ids: Option<&[i32]>,
        sink: &mut Sink<'_>,
        path: impl Fn(usize) -> String,
    ) -> Result<Vec<&'a Oid>> {
        let ids = ids.unwrap_or_default();
        let mut out = Vec::with_capacity(ids.len());
        for (k, &id) in ids.iter().enumerate() {
            out.extend(self.oid(id, "oIDReference", sink, || path(k + 1))?);
        }
        Ok(out)
    }

    /// Resolves the `i`-th template. `Ok(None)` only when a collecting sink
    /// recorded a dangling `policyOIDReference`.
    fn template(
        &self,
        i: usize,
        policy: &'a CertificateEnrollmentPolicy,
        sink: &mut Sink<'_>,
    ) -> Result<Option<ResolvedTemplate<'a>>> {
        let n = i + 1;
        let base = || format!("policies/policy[{n}]");
        let attr = || format!("policies/policy[{n}]/attributes");

        let oid = self.oid(
            policy.policy_oid_reference,
            "policyOIDReference",
            sink,
            || format!("{}/policyOIDReference", base()),
        )?;

        let refs = policy.cas.as_deref().unwrap_or_default();
        let mut cas = Vec::with_capacity(refs.len());
        for (k, &id) in refs.iter().enumerate() {
            match self.cas.get(&id) {
                Some(&ca) => cas.push(ca),
                None => sink.dangling("cAReference", id, || {
                    format!("{}/cAs/cAReference[{}]", base(), k + 1)
                })?,
            }
        }

        let a = &policy.attributes;
        let key_algorithm = match a.private_key_attributes.algorithm_oid_reference {
            Some(id) => self.oid(id, "algorithmOIDReference", sink, || {
                format!("{}/privateKeyAttributes/algorithmOIDReference", attr())
            })?,
            None => None,
        };
        let hash_algorithm = match a.hash_algorithm_oid_reference {
            Some(id) => self.oid(id, "hashAlgorithmOIDReference", sink, || {
                format!("{}/hashAlgorithmOIDReference", attr())
            })?,
            None => None,
        };
        let (ra_application_policies, ra_issuance_policies) = match &a.ra_requirements {
            Some(ra) => (
                self.oid_list(ra.ra_ekus.as_deref(), sink, |k| {
                    format!("{}/rARequirements/rAEKUs/oIDReference[{k}]", attr())
                })?,
                self.oid_list(ra.ra_policies.as_deref(), sink, |k| {
                    format!("{}/rARequirements/rAPolicies/oIDReference[{k}]", attr())
                })?,
            ),
            None => (Vec::new(), Vec::new()),
        };
        let key_archival_algorithm = match &a.key_archival_attributes {
            Some(k) => self.oid(
                k.symmetric_algorithm_oid_reference,
                "symmetricAlgorithmOIDReference",
                sink,
                || {
                    format!(
                        "{}/keyArchivalAttributes/symmetricAlgorithmOIDReference",
                        attr()
                    )
                },
            )?,
            None => None,
        };
        let list = a.extensions.as_deref().unwrap_or_default();
        let mut extensions = Vec::with_capacity(list.len());
        for (k, extension) in list.iter().enumerate() {
            let oid = self.oid(extension.oid_reference, "oIDReference", sink, || {
                format!("{}/extensions/extension[{}]/oIDReference", attr(), k + 1)
            })?;
            if let Some(oid) = oid {
                extensions.push(ResolvedExtension { extension, oid });
            }
        }

        Ok(oid.map(|oid| ResolvedTemplate {
            index: i,
            policy,
            oid,
            cas,
            key_algorithm,
            hash_algorithm,
            ra_application_policies,
            ra_issuance_policies,
            key_archival_algorithm,
            extensions,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base64_text::Base64Text;
    use crate::get_policies_response::Response;
    use crate::oid::OidGroup;
    use crate::policy::{
        CertificateValidity, EnrollmentPermission, KeyArchivalAttributes, PrivateKeyAttributes,
        RaRequirements, Revision,
    };

    fn attributes(name: &str) -> Attributes {
        Attributes::new(
            name,
            2,
            CertificateValidity::new(1, 1),
            EnrollmentPermission::new(true, false),
            PrivateKeyAttributes::new(2048),
            Revision::new(1, 0),
        )
    }

    fn uri(
        auth: ClientAuthentication,
        u: &str,
        priority: Option<u32>,
        renewal: Option<bool>,
    ) -> CaUri {
        let mut uri = CaUri::new(auth, u);
        uri.priority = priority;
        uri.renewal_only = renewal;
        uri
    }

    #[test]
    fn endpoint_order_and_filters() {
        let k = ClientAuthentication::KERBEROS;
        let c = ClientAuthentication::CLIENT_CERTIFICATE;
        let ca0 = Ca::new(0, Base64Text::new("MAA="), true)
            .with_uri(uri(k, "nil", None, Some(false)))
            .with_uri(uri(k, "p5", Some(5), Some(false)))
            .with_uri(uri(c, "c1", Some(1), Some(false)))
            .with_uri(uri(k, "renew", Some(0), Some(true)))
            .with_uri(uri(k, "p5b", Some(5), None));
        let ca1 =
            Ca::new(1, Base64Text::new("MAA="), false).with_uri(uri(k, "denied", Some(0), None));
        let ca2 =
            Ca::new(2, Base64Text::new("MAA="), true).with_uri(uri(k, "ca2p5", Some(5), None));
        let response = GetPoliciesResponse::new()
            .with_response(
                Response::new("p").with_policy(
                    CertificateEnrollmentPolicy::new(1, attributes("T"))
                        .with_ca_reference(0)
                        .with_ca_reference(1)
                        .with_ca_reference(2),
                ),
            )
            .with_ca(ca0.clone())
            .with_ca(ca1)
            .with_ca(ca2)
            .with_oid(Oid::new("1.2.3", OidGroup::EnrollmentObject, 1));
        let policy = response.resolve().unwrap();
        let t = &policy.templates()[0];
        let names = |f: &EndpointFilter| -> Vec<&str> {
            t.endpoints(f).iter().map(|e| e.uri.uri.as_str()).collect()
        };
        assert_eq!(
            names(&EndpointFilter::enrollment()),
            ["c1", "p5", "p5b", "ca2p5", "nil"]
        );
        assert_eq!(
            names(&EndpointFilter::renewal()),
            ["renew", "c1", "p5", "p5b", "ca2p5", "nil"]
        );
        assert_eq!(
            names(&EndpointFilter::renewal().including_denied_cas()),
            ["renew", "denied", "c1", "p5", "p5b", "ca2p5", "nil"]
        );
        assert_eq!(
            names(&EndpointFilter::enrollment().with_authentication(c)),
            ["c1"]
        );
        assert_eq!(
            names(
                &EndpointFilter::enrollment().with_authentication(ClientAuthentication::ANONYMOUS)
            ),
            Vec::<&str>::new()
        );
        let groups = t.endpoints_by_authentication(&EndpointFilter::enrollment());
        let groups: Vec<(u32, Vec<&str>)> = groups
            .iter()
            .map(|(a, es)| (a.bits(), es.iter().map(|e| e.uri.uri.as_str()).collect()))
            .collect();
        assert_eq!(
            groups,
            [(2, vec!["p5", "p5b", "ca2p5", "nil"]), (8, vec!["c1"])]
        );
        let one: Vec<&str> = EndpointFilter::enrollment()
            .endpoints(&ca0)
            .iter()
            .map(|u| u.uri.as_str())
            .collect();
        assert_eq!(one, ["c1", "p5", "p5b", "nil"]);
        assert!(
            EndpointFilter::default()
                .endpoints(policy.ca(1).unwrap())
                .is_empty()
        );
    }

    #[test]
    fn collects_every_dangling_reference_in_document_order() {
        let a = attributes("T")
            .with_hash_algorithm_oid_reference(50)
            .with_ra_requirements(
                RaRequirements::new(1)
                    .with_ra_eku(1)
                    .with_ra_eku(51)
                    .with_ra_policy(52),
            )
            .with_key_archival_attributes(KeyArchivalAttributes::new(53, 128))
            .with_extension(Extension::new(1, false, Base64Text::new("MAA=")))
            .with_extension(Extension::new(54, false, Base64Text::new("MAA=")));
        let mut a = a;
        a.private_key_attributes.algorithm_oid_reference = Some(49);
        let response = GetPoliciesResponse::new()
            .with_response(
                Response::new("p")
                    .with_policy(CertificateEnrollmentPolicy::new(1, attributes("ok")))
                    .with_policy(
                        CertificateEnrollmentPolicy::new(48, a)
                            .with_ca_reference(0)
                            .with_ca_reference(7),
                    ),
            )
            .with_ca(Ca::new(0, Base64Text::new("MAA="), true))
            .with_oid(Oid::new("1.2.3", OidGroup::EnrollmentObject, 1));
        let got: Vec<(&str, i32, String)> = dangling_references(&response)
            .into_iter()
            .map(|e| match e {
                Error::DanglingReference { what, id, path } => (what, id, path),
                other => panic!("{other:?}"),
            })
            .collect();
        let p = "policies/policy[2]";
        assert_eq!(
            got,
            [
                ("policyOIDReference", 48, format!("{p}/policyOIDReference")),
                ("cAReference", 7, format!("{p}/cAs/cAReference[2]")),
                (
                    "algorithmOIDReference",
                    49,
                    format!("{p}/attributes/privateKeyAttributes/algorithmOIDReference")
                ),
                (
                    "hashAlgorithmOIDReference",
                    50,
                    format!("{p}/attributes/hashAlgorithmOIDReference")
                ),
                (
                    "oIDReference",
                    51,
                    format!("{p}/attributes/rARequirements/rAEKUs/oIDReference[2]")
                ),
                (
                    "oIDReference",
                    52,
                    format!("{p}/attributes/rARequirements/rAPolicies/oIDReference[1]")
                ),
                (
                    "symmetricAlgorithmOIDReference",
                    53,
                    format!("{p}/attributes/keyArchivalAttributes/symmetricAlgorithmOIDReference")
                ),
                (
                    "oIDReference",
                    54,
                    format!("{p}/attributes/extensions/extension[2]/oIDReference")
                ),
            ]
        );
        // Fail-fast gives the first.
        assert!(matches!(
            response.resolve().unwrap_err(),
            Error::DanglingReference {
                what: "policyOIDReference",
                id: 48,
                ..
            }
        ));
    }

    #[test]
    fn first_of_duplicate_ids_and_names_wins() {
        let response = GetPoliciesResponse::new()
            .with_response(
                Response::new("p")
                    .with_policy(
                        CertificateEnrollmentPolicy::new(1, attributes("T")).with_ca_reference(0),
                    )
                    .with_policy(CertificateEnrollmentPolicy::new(2, attributes("T"))),
            )
            .with_ca(Ca::new(0, Base64Text::new("AQ=="), true))
            .with_ca(Ca::new(0, Base64Text::new("Ag=="), true))
            .with_oid(Oid::new("1.1", OidGroup::EnrollmentObject, 1))
            .with_oid(Oid::new("1.2", OidGroup::EnrollmentObject, 1))
            .with_oid(Oid::new("1.1", OidGroup::EnrollmentObject, 2));
        let policy = response.resolve().unwrap();
        assert_eq!(policy.templates().len(), 2);
        assert_eq!(policy.template_by_name("T").unwrap().index(), 0);
        assert_eq!(policy.template_by_oid("1.1").unwrap().index(), 0);
        assert!(policy.template_by_oid("1.2").is_none());
        assert_eq!(policy.templates()[0].cas()[0].certificate.as_str(), "AQ==");
        assert_eq!(policy.oid(1).unwrap().value, "1.1");
    }
}
