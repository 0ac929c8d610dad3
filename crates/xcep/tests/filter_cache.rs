//! Server and client rules around the policy: the request filter
//! ([`xcep::filter`]) and caching ([`xcep::cache`]), on the spec examples
//! and on generated policies, with explicit times.

#![allow(clippy::unwrap_used, clippy::too_many_lines, missing_docs)]

#[macro_use]
mod common;

use std::path::Path;

use soap_envelope::Envelope;
use soap_envelope::xsd::DateTime;
use xcep::cache::{
    CachedPolicy, Merge, WINDOWS_NEXT_UPDATE_HOURS, merge, not_changed_response,
    policies_not_changed, refresh_time, respond,
};
use xcep::filter::{apply_filter, matching_policies, prune_unreferenced};
use xcep::flags::{ClientAuthentication, PrivateKeyFlags};
use xcep::{
    Attributes, Base64Text, Ca, CaUri, CertificateEnrollmentPolicy, CertificateValidity, Client,
    EnrollmentPermission, Extension, GetPolicies, GetPoliciesResponse, Nillable, Oid, OidGroup,
    PrivateKeyAttributes, RequestFilter, Response, Revision,
};

fn t(s: &str) -> DateTime {
    s.parse().unwrap()
}

fn spec_response(spec: &Path, rel: &str) -> GetPoliciesResponse {
    let bytes = common::read_spec(spec, rel);
    Envelope::<GetPoliciesResponse>::from_xml(&bytes)
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
        .payload()
        .unwrap()
        .clone()
}

fn spec_request(spec: &Path, rel: &str, fix: impl Fn(String) -> String) -> GetPolicies {
    let text = String::from_utf8(common::read_spec(spec, rel)).unwrap();
    Envelope::<GetPolicies>::from_xml(fix(text).as_bytes())
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
        .payload()
        .unwrap()
        .clone()
}

const FULL: &str = "xcep/4.1.1.2-GetPoliciesResponse.normalized.xml";
const NOT_CHANGED: &str = "xcep/4.1.2.2-GetPoliciesResponse-policiesNotChanged.normalized.xml";
const EFS_OID: &str = "1.3.6.1.4.1.311.21.8.3800100.3166153.13323660.9808540.8334961.78.1.6";

// ---------------------------------------------------------------------------
// A generated policy: ten templates, two CAs, their OIDs
// ---------------------------------------------------------------------------

fn template_oid(i: i32) -> String {
    format!("1.3.6.1.4.1.311.21.8.5.{i}")
}

/// Template `i` has OID reference `100 + i`, CA `i % 2`, an extension with
/// OID 1 when `i` is even, and client version `i % 4`.
fn policy() -> GetPoliciesResponse {
    let mut response = Response::new("{11111111-2222-3333-4444-555555555555}")
        .with_policy_friendly_name("Generated")
        .with_next_update_hours(8);
    for i in 0..10 {
        let mut a = Attributes::new(
            format!("T{i}"),
            2,
            CertificateValidity::new(31_536_000, 3_628_800),
            EnrollmentPermission::new(true, false),
            PrivateKeyAttributes::new(2048),
            Revision::new(100, 0),
        )
        .with_private_key_flags(
            PrivateKeyFlags::EXPORTABLE_KEY.with_client_version(u8::try_from(i % 4).unwrap()),
        );
        if i % 2 == 0 {
            a = a.with_extension(Extension::new(1, false, Base64Text::new("MAA=")));
        }
        response = response
            .with_policy(CertificateEnrollmentPolicy::new(100 + i, a).with_ca_reference(i % 2));
    }
    let mut m = GetPoliciesResponse::new().with_response(response);
    for c in 0..2 {
        m = m.with_ca(
            Ca::new(c, Base64Text::new("MAA="), true).with_uri(CaUri::new(
                ClientAuthentication::KERBEROS,
                format!("https://ca{c}/CES"),
            )),
        );
    }
    m = m.with_oid(Oid::new("2.5.29.15", OidGroup::ExtensionOrAttribute, 1));
    for i in 0..10 {
        m = m.with_oid(Oid::new(
            template_oid(i),
            OidGroup::EnrollmentObject,
            100 + i,
        ));
    }
    m
}

fn names(r: &GetPoliciesResponse) -> Vec<&str> {
    r.policies()
        .iter()
        .map(|p| p.attributes.common_name.as_deref().unwrap())
        .collect()
}

// ---------------------------------------------------------------------------
// Filter
// ---------------------------------------------------------------------------

#[test]
fn the_filter_keeps_exactly_the_listed_templates() {
    let p = policy();
    let filter = RequestFilter::new()
        .with_policy_oid(template_oid(7))
        .with_policy_oid(template_oid(2))
        .with_policy_oid("1.2.3.4.5") // no such template
        .with_policy_oid("2.5.29.15"); // an OID, but no template's
    let answer = apply_filter(&p, Some(&filter));
    // In the order of the policy, not of the filter.
    assert_eq!(names(&answer), ["T2", "T7"]);
    // Everything but the templates is kept.
    assert_eq!(answer.cas, p.cas);
    assert_eq!(answer.oids, p.oids);
    let (a, b) = (
        answer.response.as_ref().unwrap(),
        p.response.as_ref().unwrap(),
    );
    assert_eq!(
        (&a.policy_id, &a.policy_friendly_name, a.next_update_hours),
        (&b.policy_id, &b.policy_friendly_name, b.next_update_hours)
    );
    let borrowed: Vec<_> = matching_policies(&p, Some(&filter))
        .into_iter()
        .map(|p| p.policy_oid_reference)
        .collect();
    assert_eq!(borrowed, [102, 107]);

    // Nothing matches: policies nil.
    let none = RequestFilter::new().with_policy_oid("1.2.3.4.5");
    assert_eq!(
        apply_filter(&p, Some(&none)).response.unwrap().policies,
        None
    );
}

#[test]
fn a_nil_or_empty_filter_keeps_every_template() {
    let p = policy();
    assert_eq!(apply_filter(&p, None), p);
    // policyOIDs nil, no versions: "MUST NOT apply an OID filter".
    assert_eq!(apply_filter(&p, Some(&RequestFilter::new())), p);
    let mut nil_versions = RequestFilter::new();
    nil_versions.client_version = Some(Nillable::Nil);
    nil_versions.server_version = Some(Nillable::Nil);
    assert_eq!(apply_filter(&p, Some(&nil_versions)), p);
    assert_eq!(matching_policies(&p, None).len(), 10);
}

#[test]
fn the_filter_as_read_from_a_request() {
    let p = policy();
    let xml = format!(
        r#"<GetPolicies xmlns="http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy"
                        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
             <client><lastUpdate xsi:nil="true"/><preferredLanguage xsi:nil="true"/></client>
             <requestFilter>
               <policyOIDs><oid> {} </oid><oid>{}</oid></policyOIDs>
               <clientVersion>2</clientVersion>
             </requestFilter>
           </GetPolicies>"#,
        template_oid(1),
        template_oid(3),
    );
    let request = GetPolicies::from_xml(xml.as_bytes()).unwrap();
    // T1 has client version 1, T3 client version 3 > 2.
    let answer = respond(&request, &p, &t("2024-01-01T00:00:00Z"));
    assert_eq!(names(&answer), ["T1"]);

    // An empty requestFilter element is no filter.
    let xml = xml.replace(
        &xml[xml.find("<requestFilter>").unwrap()..xml.find("</requestFilter>").unwrap()],
        "<requestFilter>",
    );
    let request = GetPolicies::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(respond(&request, &p, &t("2024-01-01T00:00:00Z")), p);
}

#[test]
fn client_version_filter() {
    let p = policy();
    let answer = apply_filter(&p, Some(&RequestFilter::new().with_client_version(1)));
    assert_eq!(names(&answer), ["T0", "T1", "T4", "T5", "T8", "T9"]);
    let answer = apply_filter(
        &p,
        Some(
            &RequestFilter::new()
                .with_client_version(1)
                .with_policy_oid(template_oid(5))
                .with_policy_oid(template_oid(6)),
        ),
    );
    assert_eq!(names(&answer), ["T5"]);
    // Every template's server version is 0.
    let answer = apply_filter(&p, Some(&RequestFilter::new().with_server_version(0)));
    assert_eq!(answer, p);
}

#[test]
fn pruning_drops_unreferenced_cas_and_oids() {
    let p = policy();
    let filter = RequestFilter::new().with_policy_oid(template_oid(3));
    let answer = prune_unreferenced(&apply_filter(&p, Some(&filter)));
    assert_eq!(names(&answer), ["T3"]);
    // T3: CA 1, no extension.
    let cas: Vec<_> = answer
        .cas
        .iter()
        .flatten()
        .map(|c| c.ca_reference_id)
        .collect();
    assert_eq!(cas, [1]);
    let oids: Vec<_> = answer
        .oids
        .iter()
        .flatten()
        .map(|o| o.oid_reference_id)
        .collect();
    assert_eq!(oids, [103]);
    // T2: CA 0 and the extension's OID, in document order.
    let filter = RequestFilter::new().with_policy_oid(template_oid(2));
    let answer = prune_unreferenced(&apply_filter(&p, Some(&filter)));
    let oids: Vec<_> = answer
        .oids
        .iter()
        .flatten()
        .map(|o| o.oid_reference_id)
        .collect();
    assert_eq!(oids, [1, 102]);
    // Unfiltered, nothing is unreferenced.
    assert_eq!(prune_unreferenced(&p), p);
}

#[test]
fn spec_4_1_1_2_filtered() {
    let spec = spec_or_skip!();
    let full = spec_response(spec, FULL);
    let kept = apply_filter(&full, Some(&RequestFilter::new().with_policy_oid(EFS_OID)));
    assert_eq!(kept, full);
    // The example lists only referenced CAs and OIDs.
    assert_eq!(prune_unreferenced(&full), full);
    let other = apply_filter(
        &full,
        Some(&RequestFilter::new().with_policy_oid("1.3.6.1.4.1.311.20.2")),
    );
    assert!(other.policies().is_empty());
    assert_eq!(other.response.as_ref().unwrap().policies, None);
    assert_eq!(other.cas, full.cas);
}

// ---------------------------------------------------------------------------
// Caching: server
// ---------------------------------------------------------------------------

#[test]
fn not_changed_at_the_boundaries() {
    let server = t("2009-03-15T09:38:46.5Z");
    // Equal: not changed (also written with another offset, or without one).
    assert!(policies_not_changed(
        Some(&t("2009-03-15T09:38:46.5Z")),
        &server
    ));
    assert!(policies_not_changed(
        Some(&t("2009-03-15T11:38:46.500+02:00")),
        &server
    ));
    assert!(policies_not_changed(
        Some(&t("2009-03-15T09:38:46.5")),
        &server
    ));
    // After: not changed.
    assert!(policies_not_changed(
        Some(&t("2009-03-15T09:38:46.500000001Z")),
        &server
    ));
    assert!(policies_not_changed(
        Some(&t("2030-01-01T00:00:00Z")),
        &server
    ));
    // Before, by a nanosecond or by an offset: send the policy.
    assert!(!policies_not_changed(
        Some(&t("2009-03-15T09:38:46.499999999Z")),
        &server
    ));
    assert!(!policies_not_changed(
        Some(&t("2009-03-15T09:38:46.5+00:01")),
        &server
    ));
    // The 4.1.1.1 example's year 1, and nil: send the policy.
    assert!(!policies_not_changed(
        Some(&t("0001-01-01T00:00:00")),
        &server
    ));
    assert!(!policies_not_changed(None, &server));
}

#[test]
fn spec_4_1_2_respond_gives_the_4_1_2_2_answer() {
    let spec = spec_or_skip!();
    let full = spec_response(spec, FULL);
    let last_update_time = t("2009-03-01T12:00:00Z");

    // 4.1.1.1: lastUpdate 0001-01-01T00:00:00, no filter: the full policy.
    let first = spec_request(spec, "xcep/4.1.1.1-GetPolicies-request.xml", |s| s);
    assert_eq!(first.client.last_update, Some(t("0001-01-01T00:00:00")));
    assert_eq!(respond(&first, &full, &last_update_time), full);

    // 4.1.2.1 (its lastUpdate repaired): newer than the server's
    // LastUpdateTime, so the 4.1.2.2 answer.
    let second = spec_request(
        spec,
        "xcep/4.1.2.1-GetPolicies-request-lastUpdate.xml",
        |s| s.replace("20090-03-15-T09:38:46", "2009-03-15T09:38:46"),
    );
    let expected = spec_response(spec, NOT_CHANGED);
    assert_eq!(respond(&second, &full, &last_update_time), expected);
    assert_eq!(not_changed_response(&full), expected);

    // The same request after the policy changed: the full policy again.
    assert_eq!(respond(&second, &full, &t("2009-03-20T00:00:00Z")), full);
    // Exactly at the change: not changed.
    assert_eq!(
        respond(&second, &full, &t("2009-03-15T09:38:46Z")),
        expected
    );
}

#[test]
fn not_changed_ignores_the_filter() {
    let p = policy();
    let request = GetPolicies::new(Client::new().with_last_update(t("2024-06-01T00:00:00Z")))
        .with_request_filter(RequestFilter::new().with_policy_oid(template_oid(1)));
    let answer = respond(&request, &p, &t("2024-05-01T00:00:00Z"));
    assert_eq!(answer, not_changed_response(&p));
    let r = answer.response.unwrap();
    assert_eq!(r.policies_not_changed, Some(true));
    assert_eq!(r.next_update_hours, Some(8));
    assert_eq!(r.policy_friendly_name.as_deref(), Some("Generated"));
    assert_eq!((answer.cas, answer.oids), (None, None));
    // Older: the filtered policy.
    let answer = respond(&request, &p, &t("2024-07-01T00:00:00Z"));
    assert_eq!(names(&answer), ["T1"]);
}

// ---------------------------------------------------------------------------
// Caching: client
// ---------------------------------------------------------------------------

#[test]
fn refresh_time_from_next_update_hours() {
    let received = t("2009-03-26T00:58:51.549Z");
    assert_eq!(
        refresh_time(&received, Some(8)),
        Some(t("2009-03-26T08:58:51.549Z"))
    );
    assert_eq!(
        refresh_time(&received, Some(24 * 366)),
        Some(t("2010-03-27T00:58:51.549Z"))
    );
    // A local time is taken as UTC; the result is UTC.
    assert_eq!(
        refresh_time(&t("2009-03-26T23:00:00"), Some(1))
            .unwrap()
            .to_string(),
        "2009-03-27T00:00:00Z"
    );
    // nil, and the invalid 0: no advice.
    assert_eq!(refresh_time(&received, None), None);
    assert_eq!(refresh_time(&received, Some(0)), None);
}

#[test]
fn cached_policy_is_due_at_the_boundary() {
    let mut p = policy();
    let received = t("2024-01-01T00:00:00Z");
    let cached = CachedPolicy::new(p.clone(), received);
    assert_eq!(cached.refresh_at(1), t("2024-01-01T08:00:00Z"));
    assert!(!cached.is_due(&t("2024-01-01T07:59:59.999999999Z"), 1));
    assert!(cached.is_due(&t("2024-01-01T08:00:00Z"), 1));
    assert!(cached.is_due(&t("2024-01-01T09:00:00+01:00"), 1));
    // nil nextUpdateHours: the caller's default.
    p.response.as_mut().unwrap().next_update_hours = None;
    let cached = CachedPolicy::new(p, received);
    assert_eq!(
        cached.refresh_at(WINDOWS_NEXT_UPDATE_HOURS),
        t("2024-01-01T08:00:00Z")
    );
    assert_eq!(cached.refresh_at(24), t("2024-01-02T00:00:00Z"));
    assert!(!cached.is_due(&t("2024-01-01T23:59:59Z"), 24));
}

#[test]
fn spec_4_1_2_client_merges_the_not_changed_answer() {
    let spec = spec_or_skip!();
    let full = spec_response(spec, FULL);
    let not_changed = spec_response(spec, NOT_CHANGED);
    let first = t("2009-03-26T00:58:51.549Z");
    let mut cached = CachedPolicy::new(full.clone(), first);

    // The next request carries the time of the full answer.
    let request = cached.request(GetPolicies::default());
    assert_eq!(request.client.last_update, Some(first));

    let second = t("2009-03-28T11:28:41.692Z");
    assert_eq!(
        cached.update(not_changed.clone(), second),
        Merge::NotChanged
    );
    // Templates, CAs and OIDs kept; the Response fields are the answer's
    // (equal here); policiesNotChanged stays nil in the cache.
    assert_eq!(cached.response(), &full);
    assert_eq!(cached.retrieved_at(), first);
    assert_eq!(cached.checked_at(), second);
    assert_eq!(cached.refresh_at(1), t("2009-03-28T19:28:41.692Z"));
    assert_eq!(
        cached.request(GetPolicies::default()).client.last_update,
        Some(first)
    );
    assert_eq!(
        cached.response().resolve().unwrap().templates()[0].common_name(),
        Some("EFS")
    );

    // A not-changed answer with other advice updates it.
    let mut later = not_changed.clone();
    later.response.as_mut().unwrap().next_update_hours = Some(2);
    later.response.as_mut().unwrap().policy_friendly_name = Some("Renamed".into());
    let third = t("2009-03-28T20:00:00Z");
    assert_eq!(cached.update(later, third), Merge::NotChanged);
    let r = cached.response().response.as_ref().unwrap();
    assert_eq!(r.next_update_hours, Some(2));
    assert_eq!(r.policy_friendly_name.as_deref(), Some("Renamed"));
    assert_eq!(r.policies_not_changed, None);
    assert_eq!(cached.response().policies(), full.policies());
    assert_eq!(cached.refresh_at(8), t("2009-03-28T22:00:00Z"));

    // A not-changed answer for another policy: nothing changes.
    let mut foreign = not_changed.clone();
    foreign.response.as_mut().unwrap().policy_id = Some("{other}".into());
    let before = cached.clone();
    assert_eq!(
        cached.update(foreign, t("2009-03-29T00:00:00Z")),
        Merge::PolicyIdMismatch
    );
    assert_eq!(cached, before);

    // A full answer replaces everything, both times included.
    let fourth = t("2009-04-01T00:00:00Z");
    assert_eq!(cached.update(full.clone(), fourth), Merge::Replaced);
    assert_eq!(cached.response(), &full);
    assert_eq!(
        (cached.retrieved_at(), cached.checked_at()),
        (fourth, fourth)
    );
}

#[test]
fn merge_without_the_cache_type() {
    let p = policy();
    // A full answer (policiesNotChanged nil or false) replaces.
    let mut cached = GetPoliciesResponse::new();
    assert_eq!(merge(&mut cached, p.clone()), Merge::Replaced);
    assert_eq!(cached, p);
    let mut changed = p.clone();
    changed.response.as_mut().unwrap().policies_not_changed = Some(false);
    changed.response.as_mut().unwrap().policies = None;
    assert_eq!(merge(&mut cached, changed.clone()), Merge::Replaced);
    assert_eq!(cached, changed);
    // A not-changed answer keeps the cache even if it carries policies.
    let mut cached = p.clone();
    let mut odd = not_changed_response(&p);
    odd.response.as_mut().unwrap().policies = Some(Vec::new());
    assert_eq!(merge(&mut cached, odd), Merge::NotChanged);
    assert_eq!(cached, p);
    // Not changed, but the cache is empty: ask again.
    let mut empty = GetPoliciesResponse::new();
    assert_eq!(
        merge(&mut empty, not_changed_response(&p)),
        Merge::PolicyIdMismatch
    );
    assert_eq!(empty, GetPoliciesResponse::new());
}
