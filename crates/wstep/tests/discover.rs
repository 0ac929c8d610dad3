//! MS-MDE2 Discover / DiscoverResponse: each example of [MS-MDE2] 4.1.1
//! and 4.1.2 reads to its values; the responses written back validate with
//! xmllint against the MS-MDE2 schema (the requests cannot: their
//! namespace, with a trailing slash, is not the schema's, and what we write
//! back uses the schema's, so they are validated as written too); random
//! values round trip.
//!
//! Skipped when the spec folder or xmllint is missing, except in CI.

#![allow(clippy::unwrap_used, missing_docs)]

#[macro_use]
mod common;

use proptest::prelude::*;
use soap_envelope::{Envelope, Payload};
use wstep::mde2::NAMESPACE_TRAILING_SLASH;
use wstep::mde2::{AuthPolicy, Discover, DiscoverNamespace, DiscoverResponse};

const URL: &str = "https://enrolltest.contoso.com/ENROLLMENTSERVER/DEVICEENROLLMENTWEBSERVICE.SVC";

const REQUESTS: &[(&str, &str, AuthPolicy)] = &[
    (
        "mde2/4.1.1.1-Discover-request-federated.xml",
        "5.0",
        AuthPolicy::Federated,
    ),
    (
        "mde2/4.1.1.2-Discover-request-certificate.xml",
        "3.0",
        AuthPolicy::Certificate,
    ),
    (
        "mde2/4.1.1.3-Discover-request-onpremise.xml",
        "3.0",
        AuthPolicy::OnPremise,
    ),
];

const RESPONSES: &[(&str, AuthPolicy, &str, Option<&str>)] = &[
    (
        "mde2/4.1.2.1-DiscoverResponse-federated.xml",
        AuthPolicy::Federated,
        "5.0",
        Some("https://portal.manage.contoso.com/LoginRedirect.aspx"),
    ),
    (
        "mde2/4.1.2.2-DiscoverResponse-certificate.xml",
        AuthPolicy::Certificate,
        "3.0",
        None,
    ),
    (
        "mde2/4.1.2.3-DiscoverResponse-onpremise.xml",
        AuthPolicy::OnPremise,
        "3.0",
        None,
    ),
];

fn assert_valid(spec: &std::path::Path, rel: &str, written: &[u8]) {
    let Some(v) = common::validate_bytes(spec, "deps/envelope-all.xsd", "discover.xml", written)
    else {
        return;
    };
    assert!(
        v.is_clean_pass(),
        "{rel} written back does not validate: {:?}\n{}",
        v.messages,
        String::from_utf8_lossy(written)
    );
}

#[test]
fn discover_request_examples() {
    let spec = spec_or_skip!();
    for (rel, version, policy) in REQUESTS {
        let bytes = common::read_spec(spec, rel);
        let env = Envelope::<Discover>::from_xml(&bytes).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(env.header.action(), Some(Discover::ACTION), "{rel}");
        let d = env.payload().unwrap();
        assert_eq!(d.action(), Some(Discover::ACTION));
        // Erratum: the examples' namespace has a trailing slash.
        assert_eq!(d.namespace, DiscoverNamespace::TrailingSlash, "{rel}");
        assert_eq!(d.request.email_address.as_deref(), Some("user@contoso.com"));
        assert_eq!(
            d.request.request_version.as_deref(),
            Some(*version),
            "{rel}"
        );
        assert_eq!(d.request.device_type.as_deref(), Some("WindowsPhone"));
        assert_eq!(d.request.application_version.as_deref(), Some("10.0.0.0"));
        assert_eq!(d.request.os_edition, Some(3));
        assert_eq!(d.request.auth_policies, Some(vec![policy.clone()]), "{rel}");
        assert!(
            d.request.unknown.is_empty() && d.extensions.is_empty(),
            "{rel}"
        );

        // Written in the schema's namespace; reads back equal but for it.
        let written = env.to_xml().unwrap();
        let text = String::from_utf8(written.clone()).unwrap();
        assert!(
            !text.contains(&format!("\"{NAMESPACE_TRAILING_SLASH}\"")),
            "{text}"
        );
        let again = Envelope::<Discover>::from_xml(&written).unwrap();
        let mut expected = d.clone();
        expected.namespace = DiscoverNamespace::Schema;
        assert_eq!(again.payload(), Some(&expected), "{rel}");
        assert_valid(spec, rel, &written);
    }
}

#[test]
fn discover_response_examples() {
    let spec = spec_or_skip!();
    for (rel, policy, version, auth_url) in RESPONSES {
        let bytes = common::read_spec(spec, rel);
        let env =
            Envelope::<DiscoverResponse>::from_xml(&bytes).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(env.header.action(), Some(DiscoverResponse::ACTION), "{rel}");
        let r = env.payload().unwrap();
        assert_eq!(r.action(), Some(DiscoverResponse::ACTION));
        assert_eq!(r.namespace, DiscoverNamespace::Schema, "{rel}");
        assert_eq!(&r.result.auth_policy, policy, "{rel}");
        assert_eq!(
            r.result.enrollment_version.as_deref(),
            Some(*version),
            "{rel}"
        );
        assert_eq!(r.result.enrollment_policy_service_url.as_deref(), Some(URL));
        assert_eq!(r.result.enrollment_service_url, URL);
        assert_eq!(
            r.result.authentication_service_url.as_deref(),
            *auth_url,
            "{rel}"
        );
        assert!(
            r.result.unknown.is_empty() && r.extensions.is_empty(),
            "{rel}"
        );

        let written = env.to_xml().unwrap();
        let again = Envelope::<DiscoverResponse>::from_xml(&written).unwrap();
        assert_eq!(again.payload(), Some(r), "{rel}");
        assert_valid(spec, rel, &written);
    }
}

fn text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9@._:/-]{1,20}"
}

fn policy() -> impl Strategy<Value = AuthPolicy> {
    prop_oneof![
        Just(AuthPolicy::Certificate),
        Just(AuthPolicy::Federated),
        Just(AuthPolicy::OnPremise),
        "[A-Za-z]{1,10}".prop_map(|s| s.parse().unwrap()),
    ]
}

proptest! {
    #[test]
    fn discover_round_trips(
        email in proptest::option::of(text()),
        version in proptest::option::of("[0-9]\\.[0-9]"),
        device in proptest::option::of(text()),
        app in proptest::option::of("[0-9]{1,3}(\\.[0-9]{1,3}){3}"),
        edition in proptest::option::of(any::<u32>()),
        policies in proptest::option::of(proptest::collection::vec(policy(), 0..4)),
    ) {
        let mut d = Discover::default();
        d.request.email_address = email;
        d.request.request_version = version;
        d.request.device_type = device;
        d.request.application_version = app;
        d.request.os_edition = edition;
        d.request.auth_policies = policies;
        let again = Discover::from_xml(&d.to_xml().unwrap()).unwrap();
        prop_assert_eq!(again, d);
    }

    #[test]
    fn discover_response_round_trips(
        policy in policy(),
        url in text(),
        version in proptest::option::of("[0-9]\\.[0-9]"),
        policy_url in proptest::option::of(text()),
        auth_url in proptest::option::of(text()),
    ) {
        let mut r = DiscoverResponse::new(policy, url);
        r.result.enrollment_version = version;
        r.result.enrollment_policy_service_url = policy_url;
        r.result.authentication_service_url = auth_url;
        let bytes = Envelope::new(soap_envelope::Header::new(), r.clone()).to_xml().unwrap();
        let again = Envelope::<DiscoverResponse>::from_xml(&bytes).unwrap();
        prop_assert_eq!(again.payload(), Some(&r));
    }
}
