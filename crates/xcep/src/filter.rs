//! For servers: the [`RequestFilter`] of a GetPolicies request applied to a
//! policy ([MS-XCEP] 3.1.4.1.2.1, 3.1.4.1.3.14, 3.1.4.1.3.22).
//!
//! [`apply_filter`] answers a request from the server's whole policy;
//! [`matching_policies`] is the same selection, borrowed;
//! [`prune_unreferenced`] optionally drops the CAs and OIDs that no
//! remaining template refers to.
//!
//! # Rules
//!
//! - **No filter.** "If the `<xcep:requestFilter>` element is empty or
//!   specified as nil, the server MUST NOT apply any filters to the
//!   response" ([MS-XCEP] 3.1.4.1.2.1): `None`, and a filter all of whose
//!   parts are nil or absent, keep every template.
//! - **`policyOIDs`.** The list "is used to filter the server response down
//!   to CertificateEnrollmentPolicy objects where the
//!   CertificateEnrollmentPolicy `<policyOIDReference>` value matches a
//!   value in the `<FilterOIDCollection>`" ([MS-XCEP] 3.1.4.1.3.14). A
//!   `policyOIDReference` is a number and the list holds dotted OIDs, so a
//!   template is kept when the `value` of the OID its `policyOIDReference`
//!   names is in the list (exact string match; both sides have surrounding
//!   whitespace removed on reading). A template whose `policyOIDReference`
//!   names no OID matches no list. "If the `<policyOIDs>` element is nil,
//!   the server MUST NOT apply an OID filter" ([MS-XCEP] 3.1.4.1.3.22); an
//!   empty list (which the schema does not allow, and which we write as
//!   nil) counts as nil.
//! - **`clientVersion`.** "The server SHOULD only return
//!   CertificateEnrollmentPolicy objects whose bitwise AND of the
//!   `<privateKeyFlags>` element [...] with 0x0F000000 is smaller than or
//!   equal to 0x0Z000000, where Z denotes the value of the clientVersion"
//!   ([MS-XCEP] 3.1.4.1.3.22): a template is kept when its
//!   [`client_version`](crate::flags::PrivateKeyFlags::client_version)
//!   (bits 24–27) is at most Z. A nil `privateKeyFlags` counts as 0. For Z
//!   above 15 every template passes; for a negative Z none does (the
//!   comparison taken literally). Absent or nil: no version filter (the
//!   spec gives nil no meaning; like a nil `policyOIDs`, it filters
//!   nothing).
//! - **`serverVersion`.** The same with 0x000F0000 and Y, the
//!   [`server_version`](crate::flags::PrivateKeyFlags::server_version)
//!   (bits 16–19). Windows Server 2008 R2 supports neither version element
//!   ([MS-XCEP] 7, notes 2 and 3).
//! - **Extensions** of the filter (`##any`) "MAY be ignored by a server":
//!   they are.
//! - **What is removed.** The filter is defined on templates only
//!   ("contain only CertificateEnrollmentPolicy objects that satisfy the
//!   filter", [MS-XCEP] 3.1.4.1.3.22), so [`apply_filter`] keeps `cAs`,
//!   `oIDs` and every `response` field as they are. [`prune_unreferenced`]
//!   removes what the remaining templates do not refer to, if the server
//!   wants a smaller answer.
//!
//! [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/

use std::collections::{HashMap, HashSet};

use crate::get_policies::RequestFilter;
use crate::get_policies_response::{GetPoliciesResponse, Response};
use crate::policy::CertificateEnrollmentPolicy;

/// `response` with only the templates `filter` selects (see the [module
/// documentation](self) for the rules); everything else is kept. When no
/// template remains, `policies` is nil (the schema has no empty list).
///
/// ```
/// use xcep::filter::apply_filter;
/// use xcep::{
///     Attributes, CertificateEnrollmentPolicy, CertificateValidity, EnrollmentPermission,
///     GetPoliciesResponse, Oid, OidGroup, PrivateKeyAttributes, RequestFilter, Response,
///     Revision,
/// };
///
/// let template = |name: &str, oid_ref| {
///     CertificateEnrollmentPolicy::new(
///         oid_ref,
///         Attributes::new(
///             name,
///             2,
///             CertificateValidity::new(31_536_000, 3_628_800),
///             EnrollmentPermission::new(true, false),
///             PrivateKeyAttributes::new(2048),
///             Revision::new(100, 0),
///         ),
///     )
/// };
/// let policy = GetPoliciesResponse::new()
///     .with_response(Response::new("p").with_policy(template("User", 1)).with_policy(template("Machine", 2)))
///     .with_oid(Oid::new("1.3.6.1.4.1.311.21.8.1.1", OidGroup::EnrollmentObject, 1))
///     .with_oid(Oid::new("1.3.6.1.4.1.311.21.8.1.2", OidGroup::EnrollmentObject, 2));
///
/// let filter = RequestFilter::new().with_policy_oid("1.3.6.1.4.1.311.21.8.1.2");
/// let answer = apply_filter(&policy, Some(&filter));
/// let names: Vec<_> = answer.policies().iter().map(|p| p.attributes.common_name.as_deref().unwrap()).collect();
/// assert_eq!(names, ["Machine"]);
/// assert_eq!(answer.oids, policy.oids); // untouched
/// assert_eq!(apply_filter(&policy, None), policy);
/// ```
pub fn apply_filter(
    response: &GetPoliciesResponse,
    filter: Option<&RequestFilter>,
) -> GetPoliciesResponse {
    let Some(filter) = filter.filter(|f| !is_empty(f)) else {
        return response.clone();
    };
    let Some(r) = &response.response else {
        return response.clone();
    };
    let kept: Vec<CertificateEnrollmentPolicy> = matching_policies(response, Some(filter))
        .into_iter()
        .cloned()
        .collect();
    GetPoliciesResponse {
        response: Some(Response {
            policy_id: r.policy_id.clone(),
            policy_friendly_name: r.policy_friendly_name.clone(),
            next_update_hours: r.next_update_hours,
            policies_not_changed: r.policies_not_changed,
            policies: (!kept.is_empty()).then_some(kept),
            extensions: r.extensions.clone(),
        }),
        cas: response.cas.clone(),
        oids: response.oids.clone(),
        unknown: response.unknown.clone(),
    }
}

/// The templates of `response` that `filter` selects, in their order (see
/// the [module documentation](self) for the rules). Linear in the number
/// of templates, OIDs and filter OIDs.
pub fn matching_policies<'a>(
    response: &'a GetPoliciesResponse,
    filter: Option<&RequestFilter>,
) -> Vec<&'a CertificateEnrollmentPolicy> {
    let policies = response.policies();
    let Some(filter) = filter.filter(|f| !is_empty(f)) else {
        return policies.iter().collect();
    };
    let wanted: Option<HashSet<&str>> = filter
        .policy_oids
        .as_deref()
        .filter(|oids| !oids.is_empty())
        .map(|oids| oids.iter().map(String::as_str).collect());
    // oIDReferenceID -> value, the first of equal ids winning (as in
    // `GetPoliciesResponse::find_oid`); built only for an OID filter.
    let mut values: HashMap<i32, &str> = HashMap::new();
    if wanted.is_some() {
        let oids = response.oids.as_deref().unwrap_or_default();
        values.reserve(oids.len());
        for oid in oids {
            values
                .entry(oid.oid_reference_id)
                .or_insert(oid.value.as_str());
        }
    }
    let client_version = filter.client_version.and_then(|v| v.value().copied());
    let server_version = filter.server_version.and_then(|v| v.value().copied());
    policies
        .iter()
        .filter(|p| {
            let oid_ok = wanted.as_ref().is_none_or(|wanted| {
                values
                    .get(&p.policy_oid_reference)
                    .is_some_and(|v| wanted.contains(v))
            });
            let flags = p.attributes.private_key_flags.unwrap_or_default();
            let client_ok = client_version.is_none_or(|z| i32::from(flags.client_version()) <= z);
            let server_ok = server_version.is_none_or(|y| i32::from(flags.server_version()) <= y);
            oid_ok && client_ok && server_ok
        })
        .collect()
}

/// `response` without the CAs and OIDs that none of its templates refers
/// to (by `cAReference`, `policyOIDReference`, `algorithmOIDReference`,
/// `hashAlgorithmOIDReference`, `rAEKUs`, `rAPolicies`,
/// `symmetricAlgorithmOIDReference` or an extension's `oIDReference`); the
/// rest, in its order, is kept. A list left empty becomes nil.
///
/// The spec does not ask for this: `oIDs` is "the collection of OIDs for
/// the response" ([MS-XCEP] 3.1.4.1.2.2), and a client may look up OIDs no
/// element refers to, such as the extended key usages listed inside an
/// extension's DER value. Call it only when a smaller answer matters more.
///
/// ```
/// use xcep::filter::prune_unreferenced;
/// use xcep::{GetPoliciesResponse, Oid, OidGroup};
///
/// let r = GetPoliciesResponse::new().with_oid(Oid::new("2.5.29.15", OidGroup::ExtensionOrAttribute, 7));
/// assert_eq!(prune_unreferenced(&r).oids, None); // no template refers to it
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
pub fn prune_unreferenced(response: &GetPoliciesResponse) -> GetPoliciesResponse {
    let mut ca_refs: HashSet<i32> = HashSet::new();
    let mut oid_refs: HashSet<i32> = HashSet::new();
    for p in response.policies() {
        oid_refs.insert(p.policy_oid_reference);
        ca_refs.extend(p.cas.iter().flatten().copied());
        let a = &p.attributes;
        oid_refs.extend(a.private_key_attributes.algorithm_oid_reference);
        oid_refs.extend(a.hash_algorithm_oid_reference);
        if let Some(ra) = &a.ra_requirements {
            oid_refs.extend(ra.ra_ekus.iter().flatten().copied());
            oid_refs.extend(ra.ra_policies.iter().flatten().copied());
        }
        if let Some(k) = &a.key_archival_attributes {
            oid_refs.insert(k.symmetric_algorithm_oid_reference);
        }
        oid_refs.extend(a.extensions.iter().flatten().map(|e| e.oid_reference));
    }
    let cas: Vec<_> = response
        .cas
        .iter()
        .flatten()
        .filter(|c| ca_refs.contains(&c.ca_reference_id))
        .cloned()
        .collect();
    let oids: Vec<_> = response
        .oids
        .iter()
        .flatten()
        .filter(|o| oid_refs.contains(&o.oid_reference_id))
        .cloned()
        .collect();
    GetPoliciesResponse {
        response: response.response.clone(),
        cas: (!cas.is_empty()).then_some(cas),
        oids: (!oids.is_empty()).then_some(oids),
        unknown: response.unknown.clone(),
    }
}

/// Whether a filter filters nothing: every part nil or absent (an empty
/// `policyOIDs` counts as nil).
fn is_empty(filter: &RequestFilter) -> bool {
    filter.policy_oids.as_ref().is_none_or(Vec::is_empty)
        && filter.client_version.is_none_or(|v| v.is_nil())
        && filter.server_version.is_none_or(|v| v.is_nil())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flags::PrivateKeyFlags;
    use crate::nillable::Nillable;
    use crate::oid::{Oid, OidGroup};
    use crate::policy::{
        Attributes, CertificateValidity, EnrollmentPermission, PrivateKeyAttributes, Revision,
    };

    fn template(
        name: &str,
        oid_ref: i32,
        flags: Option<PrivateKeyFlags>,
    ) -> CertificateEnrollmentPolicy {
        let mut a = Attributes::new(
            name,
            2,
            CertificateValidity::new(1, 1),
            EnrollmentPermission::new(true, false),
            PrivateKeyAttributes::new(2048),
            Revision::new(1, 0),
        );
        a.private_key_flags = flags;
        CertificateEnrollmentPolicy::new(oid_ref, a)
    }

    fn names(r: &GetPoliciesResponse) -> Vec<&str> {
        r.policies()
            .iter()
            .map(|p| p.attributes.common_name.as_deref().unwrap())
            .collect()
    }

    #[test]
    fn version_filters_compare_the_nibbles() {
        let v = |c: u8, s: u8| {
            Some(
                PrivateKeyFlags::EXPORTABLE_KEY
                    .with_client_version(c)
                    .with_server_version(s),
            )
        };
        let r = GetPoliciesResponse::new().with_response(
            Response::new("p")
                .with_policy(template("nil", 1, None))
                .with_policy(template("c2s3", 1, v(2, 3)))
                .with_policy(template("c5s1", 1, v(5, 1)))
                .with_policy(template("c15s15", 1, v(15, 15))),
        );
        let f = |c: Option<Nillable<i32>>, s: Option<Nillable<i32>>| {
            let mut f = RequestFilter::new();
            f.client_version = c;
            f.server_version = s;
            names(&apply_filter(&r, Some(&f))).join(",")
        };
        assert_eq!(f(Some(Nillable::Value(2)), None), "nil,c2s3");
        assert_eq!(f(Some(Nillable::Value(5)), None), "nil,c2s3,c5s1");
        assert_eq!(f(Some(Nillable::Value(16)), None), "nil,c2s3,c5s1,c15s15");
        assert_eq!(f(Some(Nillable::Value(-1)), None), "");
        assert_eq!(f(None, Some(Nillable::Value(1))), "nil,c5s1");
        assert_eq!(
            f(Some(Nillable::Value(5)), Some(Nillable::Value(2))),
            "nil,c5s1"
        );
        assert_eq!(
            f(Some(Nillable::Nil), Some(Nillable::Nil)),
            "nil,c2s3,c5s1,c15s15"
        );
        // Nothing left: policies nil.
        let mut none = RequestFilter::new();
        none.client_version = Some(Nillable::Value(-1));
        assert_eq!(
            apply_filter(&r, Some(&none)).response.unwrap().policies,
            None
        );
    }

    #[test]
    fn dangling_policy_oid_matches_no_list_but_passes_without_one() {
        let r = GetPoliciesResponse::new()
            .with_response(Response::new("p").with_policy(template("T", 9, None)))
            .with_oid(Oid::new("1.2", OidGroup::EnrollmentObject, 1));
        let f = RequestFilter::new().with_policy_oid("1.2");
        assert!(matching_policies(&r, Some(&f)).is_empty());
        assert_eq!(matching_policies(&r, Some(&RequestFilter::new())).len(), 1);
        let mut empty = RequestFilter::new();
        empty.policy_oids = Some(Vec::new());
        assert_eq!(matching_policies(&r, Some(&empty)).len(), 1);
    }
}
