//! The resolved view ([`xcep::ResolvedPolicy`]): the spec examples resolve
//! to the templates, endpoints and OIDs they show; every kind of dangling
//! reference is `DanglingReference` with its exact `what`, id and path; a
//! large response resolves and its lookups work.

#![allow(clippy::unwrap_used, clippy::too_many_lines, missing_docs)]

#[macro_use]
mod common;

use std::path::Path;

use soap_envelope::Envelope;
use xcep::flags::ClientAuthentication;
use xcep::resolve::dangling_references;
use xcep::{
    Attributes, Base64Text, Ca, CaUri, CertificateEnrollmentPolicy, CertificateValidity,
    EndpointFilter, EnrollmentPermission, Error, Extension, GetPoliciesResponse,
    KeyArchivalAttributes, Oid, OidGroup, PrivateKeyAttributes, RaRequirements, ResolvedTemplate,
    Response, Revision,
};

fn response(spec: &Path, rel: &str) -> GetPoliciesResponse {
    let bytes = common::read_spec(spec, rel);
    Envelope::<GetPoliciesResponse>::from_xml(&bytes)
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
        .payload()
        .unwrap()
        .clone()
}

const HOST: &str = "https://9-1351c1223a.dom9-1351c1223a.nttest.microsoft.com";
const EFS_OID: &str = "1.3.6.1.4.1.311.21.8.3800100.3166153.13323660.9808540.8334961.78.1.6";

#[test]
fn spec_4_1_1_2_resolves() {
    let spec = spec_or_skip!();
    let m = response(spec, "xcep/4.1.1.2-GetPoliciesResponse.normalized.xml");
    let policy = m.resolve().unwrap();
    assert!(dangling_references(&m).is_empty());
    assert!(std::ptr::eq(policy.response(), &raw const m));

    let names: Vec<_> = policy
        .templates()
        .iter()
        .map(ResolvedTemplate::common_name)
        .collect();
    assert_eq!(names, [Some("EFS")]);
    let t = policy.template_by_name("EFS").unwrap();
    assert_eq!(t.index(), 0);
    assert!(std::ptr::eq(t.policy(), m.policies().first().unwrap()));
    assert_eq!(t.attributes().policy_schema, 1);
    assert!(policy.template_by_name("efs").is_none());
    assert!(std::ptr::eq(policy.template_by_oid(EFS_OID).unwrap(), t));
    assert!(policy.template_by_oid("1.3.6.1.4.1.311.20.2").is_none());

    // The template OID.
    assert_eq!(t.oid().value, EFS_OID);
    assert_eq!(t.oid().group, OidGroup::EnrollmentObject);
    assert_eq!(t.oid().default_name.as_deref(), Some("Basic EFS"));

    // Key and hash algorithm are nil in the example; no RA requirements, no
    // key archival.
    assert!(t.key_algorithm().is_none());
    assert!(t.hash_algorithm().is_none());
    assert!(t.ra_application_policies().is_empty());
    assert!(t.ra_issuance_policies().is_empty());
    assert!(t.key_archival_algorithm().is_none());

    // The extensions with their OIDs.
    let ext: Vec<_> = t
        .extensions()
        .iter()
        .map(|e| {
            (
                e.oid.value.as_str(),
                e.oid.default_name.as_deref().unwrap(),
                e.extension.critical,
            )
        })
        .collect();
    assert_eq!(
        ext,
        [
            (
                "1.3.6.1.4.1.311.20.2",
                "Certificate Template Name",
                Some(false)
            ),
            ("2.5.29.37", "Enhanced Key Usage", Some(false)),
            ("2.5.29.15", "Key Usage", Some(true)),
        ]
    );

    // The one CA.
    assert_eq!(t.cas().len(), 1);
    assert_eq!(t.cas()[0].ca_reference_id, 0);
    assert!(std::ptr::eq(policy.ca(0).unwrap(), t.cas()[0]));
    assert!(policy.ca(1).is_none());
    assert_eq!(policy.oid(9).unwrap().value, EFS_OID);

    // Its endpoints: all of priority 1, so in document order.
    let all: Vec<_> = t
        .endpoints(&EndpointFilter::enrollment())
        .iter()
        .map(|e| (e.uri.client_authentication, e.uri.uri.clone()))
        .collect();
    let url = |path: &str| format!("{HOST}/{path}/service.svc/CES");
    assert_eq!(
        all,
        [
            (
                ClientAuthentication::CLIENT_CERTIFICATE,
                url("EntRootCA_CES_Certificate")
            ),
            (
                ClientAuthentication::USERNAME_PASSWORD,
                url("EntRootCA_CES_UsernamePassword")
            ),
            (
                ClientAuthentication::KERBEROS,
                url("EntRootCA_CES_Kerberos")
            ),
        ]
    );
    // Per authentication type.
    let grouped: Vec<_> = t
        .endpoints_by_authentication(&EndpointFilter::enrollment())
        .into_iter()
        .map(|(auth, es)| {
            (
                auth,
                es.iter().map(|e| e.uri.uri.clone()).collect::<Vec<_>>(),
            )
        })
        .collect();
    assert_eq!(
        grouped,
        [
            (
                ClientAuthentication::KERBEROS,
                vec![url("EntRootCA_CES_Kerberos")]
            ),
            (
                ClientAuthentication::USERNAME_PASSWORD,
                vec![url("EntRootCA_CES_UsernamePassword")]
            ),
            (
                ClientAuthentication::CLIENT_CERTIFICATE,
                vec![url("EntRootCA_CES_Certificate")]
            ),
        ]
    );
    for (auth, path) in [
        (ClientAuthentication::KERBEROS, "EntRootCA_CES_Kerberos"),
        (
            ClientAuthentication::USERNAME_PASSWORD,
            "EntRootCA_CES_UsernamePassword",
        ),
        (
            ClientAuthentication::CLIENT_CERTIFICATE,
            "EntRootCA_CES_Certificate",
        ),
    ] {
        let filter = EndpointFilter::renewal().with_authentication(auth);
        let got: Vec<_> = t
            .endpoints(&filter)
            .iter()
            .map(|e| e.uri.uri.clone())
            .collect();
        assert_eq!(got, [url(path)], "{auth:?}");
    }
    assert!(
        t.endpoints(
            &EndpointFilter::enrollment().with_authentication(ClientAuthentication::ANONYMOUS)
        )
        .is_empty()
    );
}

#[test]
fn spec_4_1_2_2_not_changed_resolves_to_no_template() {
    let spec = spec_or_skip!();
    let m = response(
        spec,
        "xcep/4.1.2.2-GetPoliciesResponse-policiesNotChanged.normalized.xml",
    );
    let policy = m.resolve().unwrap();
    assert!(policy.templates().is_empty());
    assert!(policy.template_by_name("EFS").is_none());
}

#[test]
fn spec_mde2_4_2_2_and_4_2_3_resolve_with_a_nil_ca_list_and_a_shared_oid() {
    let spec = spec_or_skip!();
    // 4.2.2 labels the OID group 4 (signing algorithm), 4.2.3 group 1
    // (hash algorithm), with another value under the same defaultName.
    for (rel, value, group) in [
        (
            "mde2/4.2.2-GetPoliciesResponse.xml",
            "2.16.840.1.101.3.4.2.1",
            OidGroup::SigningAlgorithm,
        ),
        (
            "mde2/4.2.3-GetPoliciesResponse-azure-attestation.xml",
            "1.3.14.3.2.29",
            OidGroup::HashAlgorithm,
        ),
    ] {
        let m = response(spec, rel);
        let policy = m.resolve().unwrap();
        let t = policy.template_by_name("CEPUnitTest").unwrap();
        // policyOIDReference and hashAlgorithmOIDReference both name OID 0,
        // which is no enrollment object (group 9): groups are not checked.
        assert_eq!(
            (t.oid().value.as_str(), t.oid().group),
            (value, group),
            "{rel}"
        );
        assert!(std::ptr::eq(t.hash_algorithm().unwrap(), t.oid()));
        assert!(t.key_algorithm().is_none());
        assert!(t.extensions().is_empty());
        // cAs is nil: no issuer named, no endpoint.
        assert_eq!(t.policy().cas, None);
        assert!(t.cas().is_empty());
        assert!(t.endpoints(&EndpointFilter::renewal()).is_empty());
        assert!(
            std::ptr::eq(policy.template_by_oid(value).unwrap(), t),
            "{rel}"
        );
    }
}

// ---------------------------------------------------------------------------
// Generated responses
// ---------------------------------------------------------------------------

fn attributes(name: &str) -> Attributes {
    Attributes::new(
        name,
        3,
        CertificateValidity::new(31_536_000, 3_628_800),
        EnrollmentPermission::new(true, false),
        PrivateKeyAttributes::new(2048),
        Revision::new(100, 0),
    )
}

/// Three templates (OIDs 100, 101, 102), each with CA 0, key algorithm 1,
/// hash algorithm 2, one extension (OID 3), RA requirements (EKU 4, policy
/// 5) and key archival (OID 6); `change` breaks the third.
fn generated(change: impl FnOnce(&mut CertificateEnrollmentPolicy)) -> GetPoliciesResponse {
    let mut response = Response::new("{00000000-0000-0000-0000-000000000000}");
    let mut change = Some(change);
    for i in 0..3 {
        let mut a = attributes(&format!("T{i}"))
            .with_hash_algorithm_oid_reference(2)
            .with_extension(Extension::new(3, false, Base64Text::new("MAA=")))
            .with_ra_requirements(RaRequirements::new(1).with_ra_eku(4).with_ra_policy(5))
            .with_key_archival_attributes(KeyArchivalAttributes::new(6, 256));
        a.private_key_attributes.algorithm_oid_reference = Some(1);
        let mut p = CertificateEnrollmentPolicy::new(100 + i, a).with_ca_reference(0);
        if i == 2 {
            (change.take().unwrap())(&mut p);
        }
        response = response.with_policy(p);
    }
    let mut m = GetPoliciesResponse::new().with_response(response).with_ca(
        Ca::new(0, Base64Text::new("MAA="), true).with_uri(
            CaUri::new(ClientAuthentication::KERBEROS, "https://ca/CES").with_priority(1),
        ),
    );
    for (id, value, group) in [
        (1, "1.2.840.113549.1.1.1", OidGroup::PublicKey),
        (2, "2.16.840.1.101.3.4.2.1", OidGroup::HashAlgorithm),
        (3, "2.5.29.15", OidGroup::ExtensionOrAttribute),
        (4, "1.3.6.1.4.1.311.20.2.1", OidGroup::ExtendedKeyUsage),
        (5, "1.3.6.1.4.1.311.21.8.9.1", OidGroup::CertificatePolicy),
        (6, "2.16.840.1.101.3.4.1.42", OidGroup::EncryptionAlgorithm),
        (
            100,
            "1.3.6.1.4.1.311.21.8.1.100",
            OidGroup::EnrollmentObject,
        ),
        (
            101,
            "1.3.6.1.4.1.311.21.8.1.101",
            OidGroup::EnrollmentObject,
        ),
        (
            102,
            "1.3.6.1.4.1.311.21.8.1.102",
            OidGroup::EnrollmentObject,
        ),
    ] {
        m = m.with_oid(Oid::new(value, group, id));
    }
    m
}

fn dangling(m: &GetPoliciesResponse) -> (&'static str, i32, String) {
    match m.resolve().unwrap_err() {
        Error::DanglingReference { what, id, path } => (what, id, path),
        other => panic!("expected DanglingReference, got {other:?}"),
    }
}

const P3: &str = "policies/policy[3]";

#[test]
fn a_generated_response_resolves_every_reference() {
    let m = generated(|_| {});
    let policy = m.resolve().unwrap();
    assert_eq!(policy.templates().len(), 3);
    let t = policy.template_by_name("T2").unwrap();
    assert_eq!(t.oid().value, "1.3.6.1.4.1.311.21.8.1.102");
    assert_eq!(t.key_algorithm().unwrap().value, "1.2.840.113549.1.1.1");
    assert_eq!(t.hash_algorithm().unwrap().value, "2.16.840.1.101.3.4.2.1");
    assert_eq!(t.extensions()[0].oid.value, "2.5.29.15");
    assert_eq!(
        t.ra_application_policies()[0].value,
        "1.3.6.1.4.1.311.20.2.1"
    );
    assert_eq!(
        t.ra_issuance_policies()[0].value,
        "1.3.6.1.4.1.311.21.8.9.1"
    );
    assert_eq!(
        t.key_archival_algorithm().unwrap().value,
        "2.16.840.1.101.3.4.1.42"
    );
    assert!(std::ptr::eq(
        policy
            .template_by_oid("1.3.6.1.4.1.311.21.8.1.102")
            .unwrap(),
        t
    ));
}

#[test]
fn dangling_ca_reference() {
    let m = generated(|p| p.cas = Some(vec![0, 5]));
    assert_eq!(
        dangling(&m),
        ("cAReference", 5, format!("{P3}/cAs/cAReference[2]"))
    );
}

#[test]
fn dangling_policy_oid_reference() {
    let m = generated(|p| p.policy_oid_reference = 77);
    assert_eq!(
        dangling(&m),
        ("policyOIDReference", 77, format!("{P3}/policyOIDReference"))
    );
}

#[test]
fn dangling_key_algorithm_reference() {
    let m = generated(|p| {
        p.attributes.private_key_attributes.algorithm_oid_reference = Some(-1);
    });
    assert_eq!(
        dangling(&m),
        (
            "algorithmOIDReference",
            -1,
            format!("{P3}/attributes/privateKeyAttributes/algorithmOIDReference")
        )
    );
}

#[test]
fn dangling_hash_algorithm_reference() {
    let m = generated(|p| p.attributes.hash_algorithm_oid_reference = Some(8));
    assert_eq!(
        dangling(&m),
        (
            "hashAlgorithmOIDReference",
            8,
            format!("{P3}/attributes/hashAlgorithmOIDReference")
        )
    );
}

#[test]
fn dangling_extension_reference() {
    let m = generated(|p| {
        let ext = p.attributes.extensions.as_mut().unwrap();
        ext.push(Extension::new(2, true, Base64Text::new("MAA=")));
        ext.push(Extension::new(9, true, Base64Text::new("MAA=")));
    });
    assert_eq!(
        dangling(&m),
        (
            "oIDReference",
            9,
            format!("{P3}/attributes/extensions/extension[3]/oIDReference")
        )
    );
}

#[test]
fn dangling_ra_and_key_archival_references() {
    let m = generated(|p| {
        p.attributes.ra_requirements = Some(RaRequirements::new(1).with_ra_eku(4).with_ra_eku(40));
    });
    assert_eq!(
        dangling(&m),
        (
            "oIDReference",
            40,
            format!("{P3}/attributes/rARequirements/rAEKUs/oIDReference[2]")
        )
    );
    let m = generated(|p| {
        p.attributes.ra_requirements = Some(RaRequirements::new(1).with_ra_policy(50));
    });
    assert_eq!(
        dangling(&m),
        (
            "oIDReference",
            50,
            format!("{P3}/attributes/rARequirements/rAPolicies/oIDReference[1]")
        )
    );
    let m = generated(|p| {
        p.attributes.key_archival_attributes = Some(KeyArchivalAttributes::new(60, 128));
    });
    assert_eq!(
        dangling(&m),
        (
            "symmetricAlgorithmOIDReference",
            60,
            format!("{P3}/attributes/keyArchivalAttributes/symmetricAlgorithmOIDReference")
        )
    );
}

#[test]
fn the_first_dangling_reference_is_reported_and_all_can_be_listed() {
    let m = generated(|p| {
        p.cas = Some(vec![3]);
        p.attributes.hash_algorithm_oid_reference = Some(8);
    });
    // Schema order: cAs comes before the attributes.
    assert_eq!(dangling(&m).0, "cAReference");
    let all: Vec<_> = dangling_references(&m)
        .into_iter()
        .map(|e| e.to_string())
        .collect();
    assert_eq!(
        all,
        [
            format!("dangling cAReference reference 3 in {P3}/cAs/cAReference[1]"),
            format!(
                "dangling hashAlgorithmOIDReference reference 8 in {P3}/attributes/hashAlgorithmOIDReference"
            ),
        ]
    );
}

#[test]
fn nil_references_and_nil_lists_are_not_dangling() {
    let m = generated(|p| {
        p.cas = None;
        let a = &mut p.attributes;
        a.private_key_attributes.algorithm_oid_reference = None;
        a.hash_algorithm_oid_reference = None;
        a.ra_requirements = Some(RaRequirements::new(0));
        a.key_archival_attributes = None;
        a.extensions = None;
    });
    let policy = m.resolve().unwrap();
    let t = &policy.templates()[2];
    assert!(t.cas().is_empty());
    assert!(t.key_algorithm().is_none() && t.hash_algorithm().is_none());
    assert!(t.ra_application_policies().is_empty() && t.ra_issuance_policies().is_empty());
    assert!(t.key_archival_algorithm().is_none() && t.extensions().is_empty());
}

/// 500 templates, 20 CAs (three endpoints each), 1,000 OIDs: every
/// template refers to four CAs and nine OIDs.
#[test]
fn a_large_response_resolves_and_looks_up() {
    const TEMPLATES: i32 = 500;
    const CAS: i32 = 20;
    const OIDS: i32 = 1000;
    let auths = [
        ClientAuthentication::KERBEROS,
        ClientAuthentication::USERNAME_PASSWORD,
        ClientAuthentication::CLIENT_CERTIFICATE,
    ];
    let mut m = GetPoliciesResponse::new();
    for c in 0..CAS {
        let mut ca = Ca::new(c, Base64Text::new("MAA="), c % 5 != 4);
        for (k, auth) in auths.into_iter().enumerate() {
            let priority = u32::try_from((c + i32::try_from(k).unwrap()) % 3).unwrap();
            ca = ca.with_uri(
                CaUri::new(auth, format!("https://ca{c}/{k}/CES")).with_priority(priority),
            );
        }
        m = m.with_ca(ca);
    }
    // OIDs 0..500: templates; 500..1000: algorithms and extensions.
    for o in 0..OIDS {
        let group = if o < TEMPLATES {
            OidGroup::EnrollmentObject
        } else {
            OidGroup::ExtensionOrAttribute
        };
        m = m.with_oid(
            Oid::new(format!("1.3.6.1.4.1.311.21.8.7.{o}"), group, o)
                .with_default_name(format!("OID {o}")),
        );
    }
    let mut response = Response::new("{big}");
    for t in 0..TEMPLATES {
        let other = |k: i32| TEMPLATES + (t * 7 + k) % (OIDS - TEMPLATES);
        let mut a = attributes(&format!("Template{t}"))
            .with_hash_algorithm_oid_reference(other(0))
            .with_ra_requirements(
                RaRequirements::new(1)
                    .with_ra_eku(other(1))
                    .with_ra_policy(other(2)),
            )
            .with_key_archival_attributes(KeyArchivalAttributes::new(other(3), 256));
        for k in 4..8 {
            a = a.with_extension(Extension::new(other(k), false, Base64Text::new("MAA=")));
        }
        a.private_key_attributes.algorithm_oid_reference = Some(other(8));
        let mut p = CertificateEnrollmentPolicy::new(t, a);
        for k in 0..4 {
            p = p.with_ca_reference((t + k * 5) % CAS);
        }
        response = response.with_policy(p);
    }
    let m = m.with_response(response);

    let policy = m.resolve().unwrap();
    assert_eq!(policy.templates().len(), 500);
    for t in 0..TEMPLATES {
        let name = format!("Template{t}");
        let by_name = policy.template_by_name(&name).unwrap();
        let oid = format!("1.3.6.1.4.1.311.21.8.7.{t}");
        assert!(std::ptr::eq(policy.template_by_oid(&oid).unwrap(), by_name));
        assert_eq!(by_name.index(), usize::try_from(t).unwrap());
        assert_eq!(by_name.cas().len(), 4);
        assert_eq!(by_name.extensions().len(), 4);
        let other = |k: i32| TEMPLATES + (t * 7 + k) % (OIDS - TEMPLATES);
        assert_eq!(by_name.hash_algorithm().unwrap().oid_reference_id, other(0));
        assert_eq!(by_name.key_algorithm().unwrap().oid_reference_id, other(8));
        assert_eq!(
            by_name.key_archival_algorithm().unwrap().oid_reference_id,
            other(3)
        );
    }
    assert!(policy.template_by_name("Template500").is_none());

    // Endpoints of template 0: CAs 0, 5, 10, 15, all allowed; by priority.
    let t = policy.template_by_name("Template0").unwrap();
    let kerberos = t.endpoints(
        &EndpointFilter::enrollment().with_authentication(ClientAuthentication::KERBEROS),
    );
    let got: Vec<_> = kerberos
        .iter()
        .map(|e| (e.uri.priority.unwrap(), e.ca.ca_reference_id))
        .collect();
    // Kerberos is the first URI (k = 0): priority c % 3.
    assert_eq!(got, [(0, 0), (0, 15), (1, 10), (2, 5)]);
    // Template 4: CAs 4, 9, 14, 19; 4, 9, 14 and 19 are all c % 5 == 4,
    // which deny enrollment.
    let t4 = policy.template_by_name("Template4").unwrap();
    assert!(t4.endpoints(&EndpointFilter::enrollment()).is_empty());
    assert_eq!(
        t4.endpoints(&EndpointFilter::enrollment().including_denied_cas())
            .len(),
        12
    );
    assert!(dangling_references(&m).is_empty());
}
