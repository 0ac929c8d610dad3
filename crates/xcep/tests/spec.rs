//! Spec conformance: every GetPolicies and GetPoliciesResponse example of
//! MS-XCEP (section 4) and MS-MDE2 (section 4.2) read into the typed model,
//! with the values the spec shows asserted field by field; the broken
//! verbatim copies rejected with a clean error; prefix and default-namespace
//! variants read equal; elements of a foreign namespace never taken for
//! MS-XCEP ones.
//!
//! The examples live in `../shared/testdata/spec` (see its README.md); the
//! tests are skipped when it is absent, except in CI.

#![allow(clippy::unwrap_used, clippy::too_many_lines, missing_docs)]

#[macro_use]
mod common;

use std::path::Path;

use soap_envelope::xsd::DateTime;
use soap_envelope::{AnyElement, Envelope, ErrorKind, Payload, ToXml, XmlWriter, ns};
use xcep::flags::{ClientAuthentication, KeySpec};
use xcep::{Base64Text, Client, GetPolicies, GetPoliciesResponse, OidGroup, Response, XcepMessage};

const XCEP: &str = xcep::NAMESPACE;

// ---------------------------------------------------------------------------
// The catalog of examples
// ---------------------------------------------------------------------------

/// How an example reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reads {
    /// A GetPolicies request.
    Request,
    /// A GetPoliciesResponse.
    Response,
    /// A well-formed request whose own `lastUpdate` is not an xs:dateTime.
    BadLastUpdate,
    /// A verbatim copy that is not well-formed.
    NotWellFormed,
}

/// Every GetPolicies / GetPoliciesResponse example: all of xcep/*.xml and
/// mde2/4.2.*.xml.
const EXAMPLES: &[(&str, Reads)] = &[
    ("xcep/4.1.1.1-GetPolicies-request.xml", Reads::Request),
    ("xcep/4.1.1.2-GetPoliciesResponse.xml", Reads::NotWellFormed),
    (
        "xcep/4.1.1.2-GetPoliciesResponse.normalized.xml",
        Reads::Response,
    ),
    (
        "xcep/4.1.2.1-GetPolicies-request-lastUpdate.xml",
        Reads::BadLastUpdate,
    ),
    (
        "xcep/4.1.2.2-GetPoliciesResponse-policiesNotChanged.xml",
        Reads::NotWellFormed,
    ),
    (
        "xcep/4.1.2.2-GetPoliciesResponse-policiesNotChanged.normalized.xml",
        Reads::Response,
    ),
    (
        "mde2/4.2.1.1-GetPolicies-request-federated.xml",
        Reads::Request,
    ),
    (
        "mde2/4.2.1.2-GetPolicies-request-certificate.xml",
        Reads::Request,
    ),
    (
        "mde2/4.2.1.3-GetPolicies-request-onpremise.xml",
        Reads::Request,
    ),
    ("mde2/4.2.2-GetPoliciesResponse.xml", Reads::Response),
    (
        "mde2/4.2.3-GetPoliciesResponse-azure-attestation.xml",
        Reads::Response,
    ),
];

fn read(spec: &Path, rel: &str) -> Envelope<XcepMessage> {
    let bytes = common::read_spec(spec, rel);
    Envelope::<XcepMessage>::from_xml(&bytes).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn request(spec: &Path, rel: &str) -> GetPolicies {
    let env = read(spec, rel);
    assert_eq!(env.header.action(), Some(GetPolicies::ACTION), "{rel}");
    // The message type itself reads the same envelope.
    let direct = Envelope::<GetPolicies>::from_xml(&common::read_spec(spec, rel)).unwrap();
    match env.payload().unwrap() {
        XcepMessage::GetPolicies(m) => {
            assert_eq!(direct.payload(), Some(m), "{rel}");
            assert_eq!(m.action(), env.header.action());
            m.clone()
        }
        other => panic!("{rel}: expected GetPolicies, got {other:?}"),
    }
}

fn response(spec: &Path, rel: &str) -> GetPoliciesResponse {
    let env = read(spec, rel);
    assert_eq!(
        env.header.action(),
        Some(GetPoliciesResponse::ACTION),
        "{rel}"
    );
    let direct = Envelope::<GetPoliciesResponse>::from_xml(&common::read_spec(spec, rel)).unwrap();
    match env.payload().unwrap() {
        XcepMessage::GetPoliciesResponse(m) => {
            assert_eq!(direct.payload(), Some(m), "{rel}");
            assert_eq!(m.action(), env.header.action());
            m.clone()
        }
        other => panic!("{rel}: expected GetPoliciesResponse, got {other:?}"),
    }
}

fn names(elements: &[AnyElement]) -> Vec<(Option<&str>, &str)> {
    elements
        .iter()
        .map(|e| (e.name.ns.as_deref(), e.name.local.as_str()))
        .collect()
}

#[test]
fn the_catalog_covers_every_example() {
    let spec = spec_or_skip!();
    let mut on_disk = Vec::new();
    for dir in ["xcep", "mde2"] {
        for entry in std::fs::read_dir(spec.join(dir)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let is_xml = Path::new(&name)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("xml"));
            let wanted = is_xml && (dir == "xcep" || name.starts_with("4.2."));
            if wanted {
                on_disk.push(format!("{dir}/{name}"));
            }
        }
    }
    on_disk.sort();
    let mut listed: Vec<String> = EXAMPLES.iter().map(|(f, _)| (*f).to_owned()).collect();
    listed.sort();
    assert_eq!(listed, on_disk);
    for (file, reads) in EXAMPLES {
        let bytes = common::read_spec(spec, file);
        let result = Envelope::<XcepMessage>::from_xml(&bytes);
        match reads {
            Reads::Request => assert!(
                matches!(result.unwrap().payload(), Some(XcepMessage::GetPolicies(_))),
                "{file}"
            ),
            Reads::Response => assert!(
                matches!(
                    result.unwrap().payload(),
                    Some(XcepMessage::GetPoliciesResponse(_))
                ),
                "{file}"
            ),
            Reads::BadLastUpdate => {
                assert!(matches!(
                    result.unwrap_err().kind(),
                    ErrorKind::BadValue { .. }
                ));
            }
            Reads::NotWellFormed => {
                assert!(matches!(
                    result.unwrap_err().kind(),
                    ErrorKind::Malformed(_)
                ));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// MS-XCEP 4.1
// ---------------------------------------------------------------------------

#[test]
fn spec_4_1_1_1_get_policies_request() {
    let spec = spec_or_skip!();
    let m = request(spec, "xcep/4.1.1.1-GetPolicies-request.xml");
    let last_update = m.client.last_update.unwrap();
    assert_eq!(
        last_update,
        "0001-01-01T00:00:00".parse::<DateTime>().unwrap()
    );
    assert_eq!(
        (last_update.year(), last_update.month(), last_update.day()),
        (1, 1, 1)
    );
    assert_eq!(last_update.offset_minutes(), None);
    assert_eq!(m.client.preferred_language, None);
    assert!(m.client.extensions.is_empty());
    assert_eq!(m.request_filter, None);
    assert!(m.unknown.is_empty());
    assert_eq!(
        m,
        GetPolicies::new(Client::new().with_last_update(last_update))
    );
}

#[test]
fn spec_4_1_1_2_get_policies_response() {
    let spec = spec_or_skip!();
    let m = response(spec, "xcep/4.1.1.2-GetPoliciesResponse.normalized.xml");
    assert!(m.unknown.is_empty());

    let r = m.response.as_ref().unwrap();
    assert_eq!(
        r.policy_id.as_deref(),
        Some("{083C7011-1D0A-4855-885D-AC945184658C}")
    );
    assert_eq!(
        r.policy_friendly_name.as_deref(),
        Some("Contoso Enrollment Policy")
    );
    assert_eq!(r.next_update_hours, Some(8));
    assert_eq!(r.policies_not_changed, None);
    assert!(r.extensions.is_empty());

    // The one template.
    let policies = m.policies();
    assert_eq!(policies.len(), 1);
    let p = &policies[0];
    assert_eq!(p.policy_oid_reference, 9);
    assert_eq!(p.cas, Some(vec![0]));
    assert!(p.extensions.is_empty());
    let a = &p.attributes;
    assert_eq!(a.common_name.as_deref(), Some("EFS"));
    assert_eq!(a.policy_schema, 1);
    assert_eq!(
        a.certificate_validity
            .as_ref()
            .unwrap()
            .validity_period_seconds,
        31_536_000
    );
    assert_eq!(
        a.certificate_validity
            .as_ref()
            .unwrap()
            .renewal_period_seconds,
        3_628_800
    );
    assert!(a.permission.as_ref().unwrap().enroll);
    assert!(!a.permission.as_ref().unwrap().auto_enroll);
    let k = &a.private_key_attributes;
    assert_eq!(k.minimal_key_length, 2048);
    assert_eq!(k.key_spec, Some(KeySpec::AT_KEYEXCHANGE));
    assert_eq!(k.key_usage_property, None);
    assert_eq!(k.permissions, None);
    assert_eq!(k.algorithm_oid_reference, None);
    // xs:string keeps its whitespace: the spec's line break stays.
    assert_eq!(
        k.crypto_providers,
        Some(vec![
            "\nMicrosoft Enhanced Cryptographic Provider v1.0".to_owned(),
            "\nMicrosoft Base Cryptographic Provider v1.0".to_owned(),
        ])
    );
    assert!(k.unknown.is_empty());
    assert_eq!(a.revision.as_ref().unwrap().major_revision, 3);
    assert_eq!(a.revision.as_ref().unwrap().minor_revision, Some(1));
    assert_eq!(a.superseded_policies, None);
    // The unprefixed nil="true" of the example (Erratum) is nil.
    assert_eq!(a.private_key_flags, None);
    assert_eq!(a.subject_name_flags, None);
    assert_eq!(a.enrollment_flags, None);
    assert_eq!(a.general_flags, None);
    assert_eq!(a.hash_algorithm_oid_reference, None);
    assert_eq!(a.ra_requirements, None);
    assert_eq!(a.key_archival_attributes, None);
    assert!(a.vendor_extensions.is_empty());

    let ext = a.extensions.as_ref().unwrap();
    assert_eq!(ext.len(), 3);
    assert_eq!(
        ext.iter()
            .map(|e| (e.oid_reference, e.critical))
            .collect::<Vec<_>>(),
        [(5, Some(false)), (6, Some(false)), (7, Some(true))]
    );
    // An empty <value></value> is nil.
    assert_eq!(ext[0].value, None);
    // The elided value is kept as text; it does not decode.
    let elided = ext[1].value.as_ref().unwrap();
    assert_eq!(elided.as_str(), "MCAGCCsGAQUFBwMCB…YBBAGCNwoDBA==");
    assert!(elided.decode().is_err());
    // Key Usage: digitalSignature, keyEncipherment.
    let key_usage = ext[2].value.as_ref().unwrap();
    assert_eq!(key_usage, &Base64Text::new("AwIFoA=="));
    assert_eq!(key_usage.decode().unwrap(), [0x03, 0x02, 0x05, 0xA0]);

    // The one CA and its three endpoints.
    let cas = m.cas.as_ref().unwrap();
    assert_eq!(cas.len(), 1);
    let ca = &cas[0];
    assert_eq!(ca.ca_reference_id, 0);
    assert!(ca.enroll_permission);
    assert_eq!(
        ca.certificate.as_str(),
        "MIID4TCCAsmgAwI…Cz1HRi2TpCY3OlJLUPG/+Nw=="
    );
    let host = "https://9-1351c1223a.dom9-1351c1223a.nttest.microsoft.com";
    let uris: Vec<_> = ca
        .uris
        .iter()
        .map(|u| {
            (
                u.client_authentication,
                u.uri.as_str(),
                u.priority,
                u.renewal_only,
            )
        })
        .collect();
    assert_eq!(
        uris,
        [
            (
                ClientAuthentication::CLIENT_CERTIFICATE,
                &*format!("{host}/EntRootCA_CES_Certificate/service.svc/CES"),
                Some(1),
                Some(false)
            ),
            (
                ClientAuthentication::USERNAME_PASSWORD,
                &*format!("{host}/EntRootCA_CES_UsernamePassword/service.svc/CES"),
                Some(1),
                Some(false)
            ),
            (
                ClientAuthentication::KERBEROS,
                &*format!("{host}/EntRootCA_CES_Kerberos/service.svc/CES"),
                Some(1),
                Some(false)
            ),
        ]
    );
    assert_eq!(ca.uris[1].client_authentication.bits(), 4);

    // The OIDs; the last value is wrapped over three lines in the example.
    let oids = m.oids.as_ref().unwrap();
    let got: Vec<_> = oids
        .iter()
        .map(|o| {
            (
                o.value.as_str(),
                o.group,
                o.oid_reference_id,
                o.default_name.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "1.3.6.1.4.1.311.20.2",
                OidGroup::ExtensionOrAttribute,
                5,
                Some("Certificate Template Name")
            ),
            (
                "2.5.29.37",
                OidGroup::ExtensionOrAttribute,
                6,
                Some("Enhanced Key Usage")
            ),
            (
                "2.5.29.15",
                OidGroup::ExtensionOrAttribute,
                7,
                Some("Key Usage")
            ),
            (
                "1.3.6.1.4.1.311.21.8.3800100.3166153.13323660.9808540.8334961.78.1.6",
                OidGroup::EnrollmentObject,
                9,
                Some("Basic EFS")
            ),
        ]
    );
    assert_eq!(u32::from(oids[0].group), 6);

    // Every reference resolves.
    assert_eq!(
        m.find_oid(p.policy_oid_reference)
            .unwrap()
            .default_name
            .as_deref(),
        Some("Basic EFS")
    );
    for e in ext {
        assert!(m.find_oid(e.oid_reference).is_some());
    }
    assert_eq!(m.find_ca(0), Some(ca));
    assert_eq!(m.find_ca(1), None);
}

#[test]
fn spec_4_1_2_1_get_policies_request_bad_last_update() {
    let spec = spec_or_skip!();
    let bytes = common::read_spec(spec, "xcep/4.1.2.1-GetPolicies-request-lastUpdate.xml");
    let err = Envelope::<XcepMessage>::from_xml(&bytes).unwrap_err();
    assert_eq!(err.path(), "/Envelope/Body/GetPolicies/client/lastUpdate");
    match err.kind() {
        ErrorKind::BadValue {
            type_name, value, ..
        } => {
            assert_eq!(*type_name, "xs:dateTime");
            assert_eq!(value, "20090-03-15-T09:38:46");
        }
        other => panic!("expected BadValue, got {other:?}"),
    }
    // Repaired, the rest of the example reads: preferredLanguage nil,
    // requestFilter nil (as an empty-element tag this time).
    let text = String::from_utf8(bytes)
        .unwrap()
        .replace("20090-03-15-T09:38:46", "2009-03-15T09:38:46");
    let env = Envelope::<GetPolicies>::from_xml(text.as_bytes()).unwrap();
    let m = env.payload().unwrap();
    assert_eq!(
        m.client.last_update.unwrap().to_string(),
        "2009-03-15T09:38:46"
    );
    assert_eq!(m.client.preferred_language, None);
    assert_eq!(m.request_filter, None);
}

#[test]
fn spec_4_1_2_2_get_policies_response_policies_not_changed() {
    let spec = spec_or_skip!();
    let m = response(
        spec,
        "xcep/4.1.2.2-GetPoliciesResponse-policiesNotChanged.normalized.xml",
    );
    let r = m.response.as_ref().unwrap();
    assert_eq!(
        r.policy_id.as_deref(),
        Some("{083C7011-1D0A-4855-885D-AC945184658C}")
    );
    assert_eq!(
        r.policy_friendly_name.as_deref(),
        Some("Contoso Enrollment Policy")
    );
    assert_eq!(r.next_update_hours, Some(8));
    assert_eq!(r.policies_not_changed, Some(true));
    assert_eq!(r.policies, None);
    assert_eq!(m.cas, None);
    assert_eq!(m.oids, None);
    assert!(m.policies().is_empty());
    assert_eq!(
        m,
        GetPoliciesResponse::new().with_response(
            Response::new("{083C7011-1D0A-4855-885D-AC945184658C}")
                .with_policy_friendly_name("Contoso Enrollment Policy")
                .with_next_update_hours(8)
                .with_policies_not_changed(true)
        )
    );
}

#[test]
fn broken_verbatim_copies_give_a_clean_error() {
    let spec = spec_or_skip!();
    // `<algorithmOIDReferencexsi:nil="true"/>`: no space before the attribute.
    let bytes = common::read_spec(spec, "xcep/4.1.1.2-GetPoliciesResponse.xml");
    let err = Envelope::<XcepMessage>::from_xml(&bytes).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Malformed(_)), "{err}");
    assert_eq!(
        err.path(),
        "/Envelope/Body/GetPoliciesResponse/response/policies/policy/attributes/privateKeyAttributes"
    );
    let at = usize::try_from(err.offset()).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let line = text[..at].matches('\n').count() + 1;
    assert_eq!(line, 40, "{err}");
    assert!(
        GetPoliciesResponse::from_xml(&bytes).is_err(),
        "a bare read fails too"
    );

    // `<oIDs xsi:nil="true">` never closed; `</s:Envelope` without `>`.
    let bytes = common::read_spec(
        spec,
        "xcep/4.1.2.2-GetPoliciesResponse-policiesNotChanged.xml",
    );
    let err = Envelope::<XcepMessage>::from_xml(&bytes).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Malformed(_)), "{err}");
    assert_eq!(err.path(), "/Envelope/Body/GetPoliciesResponse/oIDs");
}

// ---------------------------------------------------------------------------
// MS-MDE2 4.2
// ---------------------------------------------------------------------------

#[test]
fn spec_mde2_4_2_1_get_policies_requests() {
    let spec = spec_or_skip!();
    for file in [
        "mde2/4.2.1.1-GetPolicies-request-federated.xml",
        "mde2/4.2.1.2-GetPolicies-request-certificate.xml",
        "mde2/4.2.1.3-GetPolicies-request-onpremise.xml",
    ] {
        let m = request(spec, file);
        assert_eq!(m.client.last_update, None, "{file}");
        assert_eq!(m.client.preferred_language, None, "{file}");
        assert!(m.client.extensions.is_empty(), "{file}");
        assert_eq!(m.request_filter, None, "{file}");
        assert_eq!(m, GetPolicies::new(Client::new()), "{file}");
    }
}

/// What MS-MDE2 4.2.2 and 4.2.3 share.
fn check_mde2_response(m: &GetPoliciesResponse, file: &str) {
    let r = m.response.as_ref().unwrap();
    // `<policyID />`: a required string, empty.
    assert_eq!(r.policy_id.as_deref(), Some(""), "{file}");
    assert_eq!(r.policy_friendly_name, None);
    assert_eq!(r.next_update_hours, None);
    assert_eq!(r.policies_not_changed, None);
    let p = &m.policies()[0];
    assert_eq!(m.policies().len(), 1);
    assert_eq!(p.policy_oid_reference, 0);
    assert_eq!(p.cas, None);
    let a = &p.attributes;
    assert_eq!(a.common_name.as_deref(), Some("CEPUnitTest"));
    assert_eq!(a.policy_schema, 3);
    assert_eq!(
        a.certificate_validity
            .as_ref()
            .unwrap()
            .validity_period_seconds,
        1_209_600
    );
    assert_eq!(
        a.certificate_validity
            .as_ref()
            .unwrap()
            .renewal_period_seconds,
        172_800
    );
    assert!(a.permission.as_ref().unwrap().enroll);
    assert!(!a.permission.as_ref().unwrap().auto_enroll);
    let k = &a.private_key_attributes;
    assert_eq!(k.minimal_key_length, 2048);
    assert_eq!(k.key_spec, None);
    assert_eq!(k.key_usage_property, None);
    assert_eq!(k.permissions, None);
    assert_eq!(k.algorithm_oid_reference, None);
    assert_eq!(
        k.crypto_providers,
        Some(vec![
            "Microsoft Platform Crypto Provider".to_owned(),
            "Microsoft Software Key Storage Provider".to_owned(),
        ])
    );
    // Not in the schema, kept.
    assert_eq!(
        names(&k.unknown),
        [
            (Some(XCEP), "AttestationFailureBehavior"),
            (Some(XCEP), "OperationTimeout")
        ]
    );
    assert_eq!(k.unknown[0].text(), "RetryOnError");
    assert_eq!(k.unknown[1].text(), "100");
    assert_eq!(a.revision.as_ref().unwrap().major_revision, 101);
    assert_eq!(a.revision.as_ref().unwrap().minor_revision, Some(0));
    assert_eq!(a.superseded_policies, None);
    assert_eq!(a.private_key_flags, None);
    assert_eq!(a.subject_name_flags, None);
    assert_eq!(a.enrollment_flags, None);
    assert_eq!(a.general_flags, None);
    assert_eq!(a.hash_algorithm_oid_reference, Some(0));
    assert_eq!(a.ra_requirements, None);
    assert_eq!(a.key_archival_attributes, None);
    assert_eq!(a.extensions, None);
    assert_eq!(m.cas, None);
    let oids = m.oids.as_ref().unwrap();
    assert_eq!(oids.len(), 1);
    assert_eq!(oids[0].oid_reference_id, 0);
    // xs:string: the leading space of the example is kept.
    assert_eq!(oids[0].default_name.as_deref(), Some(" szOID_NIST_sha256"));
    // The hash algorithm reference resolves.
    assert_eq!(
        m.find_oid(a.hash_algorithm_oid_reference.unwrap()),
        Some(&oids[0])
    );
}

#[test]
fn spec_mde2_4_2_2_get_policies_response() {
    let spec = spec_or_skip!();
    let file = "mde2/4.2.2-GetPoliciesResponse.xml";
    let m = response(spec, file);
    check_mde2_response(&m, file);
    let a = &m.policies()[0].attributes;
    assert!(a.vendor_extensions.is_empty());
    let oid = &m.oids.as_ref().unwrap()[0];
    assert_eq!(oid.value, "2.16.840.1.101.3.4.2.1");
    assert_eq!(oid.group, OidGroup::SigningAlgorithm);
}

#[test]
fn spec_mde2_4_2_3_get_policies_response_azure_attestation() {
    let spec = spec_or_skip!();
    let file = "mde2/4.2.3-GetPoliciesResponse-azure-attestation.xml";
    let m = response(spec, file);
    check_mde2_response(&m, file);
    // `attestation` sits at the Attributes extension point.
    let a = &m.policies()[0].attributes;
    assert_eq!(names(&a.vendor_extensions), [(Some(XCEP), "attestation")]);
    let attestation = &a.vendor_extensions[0];
    let children: Vec<_> = attestation
        .child_elements()
        .map(|c| (c.name.local.as_str(), c.text()))
        .collect();
    assert_eq!(
        children,
        [
            ("attestationFailureBehavior", "IgnoreOnError".to_owned()),
            ("operationTimeout", "100".to_owned()),
            ("azureAttestation", String::new()),
        ]
    );
    assert_eq!(
        attestation
            .child_elements()
            .next()
            .unwrap()
            .attribute(Some(ns::XSI), "nil"),
        Some("true")
    );
    let azure: Vec<_> = attestation
        .child_elements()
        .nth(2)
        .unwrap()
        .child_elements()
        .map(|c| (c.name.local.as_str(), c.text()))
        .collect();
    assert_eq!(
        azure,
        [
            ("nonce", "NonceBlob".to_owned()),
            ("relyingPartyId", "PartyId".to_owned()),
            ("endpointUri", "attest.azure.net/attest".to_owned()),
        ]
    );
    let oid = &m.oids.as_ref().unwrap()[0];
    assert_eq!(oid.value, "1.3.14.3.2.29");
    assert_eq!(oid.group, OidGroup::HashAlgorithm);
}

// ---------------------------------------------------------------------------
// Prefixes and namespaces
// ---------------------------------------------------------------------------

/// The Body's payload as text, from its start tag to its end tag.
fn payload_span(text: &str) -> (usize, usize) {
    let start = ["<GetPoliciesResponse", "<GetPolicies"]
        .iter()
        .find_map(|t| text.find(t))
        .unwrap();
    let end = text.find("</s:Body>").unwrap();
    (start, end)
}

/// Gives every unprefixed element of the payload the prefix `p`, and turns
/// its default namespace declaration into `xmlns:p`.
fn prefixed(text: &str, p: &str) -> String {
    let (start, end) = payload_span(text);
    let body = &text[start..end];
    let mut out = String::with_capacity(body.len() + 1024);
    let mut rest = body;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        out.push('<');
        rest = &rest[i + 1..];
        let (slash, after) = match rest.strip_prefix('/') {
            Some(a) => ("/", a),
            None => ("", rest),
        };
        let name_len = after
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap();
        let name = &after[..name_len];
        out.push_str(slash);
        if !name.contains(':') && !name.starts_with('!') {
            out.push_str(p);
            out.push(':');
        }
        out.push_str(name);
        rest = &after[name_len..];
    }
    out.push_str(rest);
    let out = out.replacen(
        &format!("xmlns=\"{XCEP}\""),
        &format!("xmlns:{p}=\"{XCEP}\""),
        1,
    );
    format!("{}{}{}", &text[..start], out, &text[end..])
}

/// Declares the payload's namespace on the Envelope, with a prefix `x` the
/// payload's elements use, and declares a decoy default namespace on the
/// payload.
fn declared_on_envelope(text: &str) -> String {
    let p = prefixed(text, "x").replacen(&format!("xmlns:x=\"{XCEP}\""), "xmlns=\"urn:decoy\"", 1);
    p.replacen("<s:Envelope", &format!("<s:Envelope xmlns:x=\"{XCEP}\""), 1)
}

#[test]
fn prefix_and_default_namespace_variants_read_equal() {
    let spec = spec_or_skip!();
    for (file, reads) in EXAMPLES {
        if !matches!(reads, Reads::Request | Reads::Response) {
            continue;
        }
        let text = String::from_utf8(common::read_spec(spec, file)).unwrap();
        let original = read(spec, file);
        let want = original.payload().unwrap();
        let variants = [
            ("prefixed", prefixed(&text, "p")),
            ("declared on the envelope", declared_on_envelope(&text)),
            (
                "written by us",
                String::from_utf8(original.to_xml().unwrap()).unwrap(),
            ),
        ];
        for (what, variant) in variants {
            assert_ne!(variant, text, "{file}: {what} changed nothing");
            let env = Envelope::<XcepMessage>::from_xml(variant.as_bytes())
                .unwrap_or_else(|e| panic!("{file} {what}: {e}\n{variant}"));
            assert_eq!(env.payload(), Some(want), "{file}: {what}");
        }
        // The bare payload reads the same as in its envelope.
        let declared = payload_of(&text);
        let got = match want {
            XcepMessage::GetPolicies(_) => {
                XcepMessage::GetPolicies(GetPolicies::from_xml(declared.as_bytes()).unwrap())
            }
            XcepMessage::GetPoliciesResponse(_) => XcepMessage::GetPoliciesResponse(
                GetPoliciesResponse::from_xml(declared.as_bytes()).unwrap(),
            ),
            other => panic!("{other:?}"),
        };
        assert_eq!(&got, want, "{file}: bare");
    }
}

#[test]
fn foreign_namespace_elements_are_not_taken_for_xcep_ones() {
    let spec = spec_or_skip!();
    let file = "xcep/4.1.1.2-GetPoliciesResponse.normalized.xml";
    let text = String::from_utf8(common::read_spec(spec, file)).unwrap();
    let want = response(spec, file);

    // A foreign commonName before the real one: kept at the extension point.
    let t = text.replacen(
        "<commonName>EFS</commonName>",
        "<f:commonName xmlns:f=\"urn:foreign\">Other</f:commonName><commonName>EFS</commonName>",
        1,
    );
    let m = GetPoliciesResponse::from_xml(payload_of(&t).as_bytes()).unwrap();
    let a = &m.policies()[0].attributes;
    assert_eq!(a.common_name.as_deref(), Some("EFS"));
    assert_eq!(
        names(&a.vendor_extensions),
        [(Some("urn:foreign"), "commonName")]
    );

    // The real minimalKeyLength in a foreign namespace: it is missing.
    let t = text.replacen(
        "<minimalKeyLength>2048</minimalKeyLength>",
        "<minimalKeyLength xmlns=\"urn:foreign\">2048</minimalKeyLength>",
        1,
    );
    let err = Envelope::<XcepMessage>::from_xml(t.as_bytes()).unwrap_err();
    assert_eq!(
        err.path(),
        "/Envelope/Body/GetPoliciesResponse/response/policies/policy/attributes/privateKeyAttributes/minimalKeyLength"
    );
    assert!(matches!(err.kind(), ErrorKind::MissingElement(n) if n.ns.as_deref() == Some(XCEP)));

    // The XCEP namespace with a trailing slash is another namespace.
    let t = text.replacen(
        "<policyID>",
        "<policyID xmlns=\"http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/\">",
        1,
    );
    // So the real `policyID` is absent, which is read (MS-MDE2 servers
    // leave it out) and reported; the foreign one is kept as an extension.
    let env = Envelope::<XcepMessage>::from_xml(t.as_bytes()).unwrap();
    let Some(XcepMessage::GetPoliciesResponse(m)) = env.payload() else {
        panic!("not a response");
    };
    let r = m.response.as_ref().unwrap();
    assert_eq!(r.policy_id, None);
    assert_eq!(r.missing_required(), ["policyID"]);
    assert_eq!(
        names(&r.extensions),
        [(
            Some("http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/"),
            "policyID"
        )]
    );

    // A foreign `response` next to the real one goes to `unknown`; a
    // foreign oID inside oIDs is refused (the collection has no extension
    // point).
    let t = text.replacen(
        "<response>",
        "<f:response xmlns:f=\"urn:foreign\"><f:policyID>x</f:policyID></f:response><response>",
        1,
    );
    let env = Envelope::<XcepMessage>::from_xml(t.as_bytes()).unwrap();
    let Some(XcepMessage::GetPoliciesResponse(m)) = env.payload() else {
        panic!("not a response")
    };
    assert_eq!(m.response, want.response);
    assert_eq!(names(&m.unknown), [(Some("urn:foreign"), "response")]);
    let t = text.replacen("<oIDs>", "<oIDs><oID xmlns=\"urn:foreign\"/>", 1);
    let err = Envelope::<XcepMessage>::from_xml(t.as_bytes()).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::UnexpectedElement { .. }),
        "{err}"
    );
    assert_eq!(err.path(), "/Envelope/Body/GetPoliciesResponse/oIDs/oID");

    // A payload in a foreign namespace is no XCEP message at all.
    let t = text.replacen(
        &format!("<GetPoliciesResponse xmlns=\"{XCEP}\">"),
        "<GetPoliciesResponse xmlns=\"urn:foreign\">",
        1,
    );
    let err = Envelope::<XcepMessage>::from_xml(t.as_bytes()).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::UnsupportedPayload(_)),
        "{err}"
    );
    // Nor is a request read as a response.
    let req = common::read_spec(spec, "xcep/4.1.1.1-GetPolicies-request.xml");
    let err = Envelope::<GetPoliciesResponse>::from_xml(&req).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::UnsupportedPayload(n) if n.local == "GetPolicies"));
}

/// The payload of an example, with `xsi` declared on it, as a bare document.
fn payload_of(text: &str) -> String {
    let (start, end) = payload_span(text);
    text[start..end].replacen(
        &format!("xmlns=\"{XCEP}\""),
        &format!("xmlns=\"{XCEP}\" xmlns:xsi=\"{}\"", ns::XSI),
        1,
    )
}

#[test]
fn our_output_uses_the_default_namespace_and_one_xsi_declaration() {
    let spec = spec_or_skip!();
    let m = response(spec, "mde2/4.2.2-GetPoliciesResponse.xml");
    let mut w = XmlWriter::with_prefixes(xcep::PREFIXES);
    m.write(&mut w).unwrap();
    let text = String::from_utf8(w.into_bytes().unwrap()).unwrap();
    assert!(
        text.starts_with(&format!(
        "<GetPoliciesResponse xmlns=\"{XCEP}\" xmlns:xsi=\"{}\"><response><policyID></policyID>",
        ns::XSI
        )),
        "{text}"
    );
    assert_eq!(text.matches("xmlns:xsi").count(), 1);
    assert!(text.contains("<cAs xsi:nil=\"true\"/>"));
}
