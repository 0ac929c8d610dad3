//! Against the MS-XCEP 4.1.1.2 example, whose one policy is the default
//! `EFS` template: the policy we build from that template's MS-CRTD
//! attributes has the example's shape.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use cepces_adcs::security::Caller;
use cepces_adcs::{CertificateTemplate, PolicyBuilder};
use soap_envelope::Envelope;
use xcep::{GetPoliciesResponse, OidGroup};

#[test]
fn spec_4_1_1_2_efs_policy_has_the_example_shape() {
    let Some(spec) = testkit::spec_dir() else {
        return;
    };
    let xml = testkit::read_spec(spec, "xcep/4.1.1.2-GetPoliciesResponse.normalized.xml");
    let example: Envelope<GetPoliciesResponse> = Envelope::from_xml(&xml).unwrap();
    let example = example.payload().unwrap().clone();
    let example = example.resolve().unwrap();
    let want = example.template_by_name("EFS").unwrap();

    let efs = common::template("EFS", common::EFS, &common::user_dacl());
    let (ours, skipped) = PolicyBuilder::new("{083C7011-1D0A-4855-885D-AC945184658C}")
        .with_template(CertificateTemplate::from_entry(&efs).unwrap())
        .build(&Caller::new(common::domain(1104), [common::domain(513)]));
    assert_eq!(skipped, []);
    let ours = ours.resolve().unwrap();
    let got = ours.template_by_name("EFS").unwrap();

    let (w, g) = (want.attributes(), got.attributes());
    assert_eq!(g.policy_schema, w.policy_schema);
    assert_eq!(g.certificate_validity, w.certificate_validity);
    assert_eq!(g.permission, w.permission);
    assert_eq!(g.revision, w.revision);
    let (wk, gk) = (&w.private_key_attributes, &g.private_key_attributes);
    assert_eq!(gk.minimal_key_length, wk.minimal_key_length);
    assert_eq!(gk.key_spec, wk.key_spec);
    assert_eq!(gk.algorithm_oid_reference, wk.algorithm_oid_reference); // nil: schema 1
    // The example's providers are the same two, with their line breaks.
    let trimmed: Vec<String> = wk
        .crypto_providers
        .as_ref()
        .unwrap()
        .iter()
        .map(|p| p.trim().to_owned())
        .collect();
    assert_eq!(gk.crypto_providers.as_ref().unwrap(), &trimmed);
    assert_eq!(g.hash_algorithm_oid_reference, None);
    assert_eq!(g.ra_requirements, w.ra_requirements);
    assert_eq!(g.key_archival_attributes, w.key_archival_attributes);

    // The template's OID: group 9, named by its display name.
    assert_eq!(
        (got.oid().group, got.oid().default_name.as_deref()),
        (OidGroup::EnrollmentObject, Some("Basic EFS"))
    );
    assert_eq!(want.oid().default_name.as_deref(), Some("Basic EFS"));

    // The same extensions in the same order, critical alike, with OIDs of
    // the same group and name. (The example's values are elided or come
    // from another forest's template; ours are checked in tests/policy.rs.)
    let shape =
        |t: &xcep::ResolvedTemplate<'_>| -> Vec<(String, OidGroup, Option<String>, Option<bool>)> {
            t.extensions()
                .iter()
                .map(|e| {
                    (
                        e.oid.value.clone(),
                        e.oid.group,
                        e.oid.default_name.clone(),
                        e.extension.critical,
                    )
                })
                .collect()
        };
    assert_eq!(shape(got), shape(want));
}
