//! What MS-MDE2 enrollment servers send: a GetPoliciesResponse whose
//! templates lack `commonName`, `certificateValidity`, `permission` and
//! `revision`, and whose `response` lacks `policyID` (the Windows MDM
//! client evaluates only a few elements, [MS-MDE2] 3.3.4.1.1.2, and
//! enrolls anyway). It reads, with the absent parts `None` and named by
//! `missing_required`, resolves, and is written back as it was read.

#![allow(clippy::unwrap_used, missing_docs)]

use soap_envelope::Envelope;
use xcep::{GetPoliciesResponse, XcepMessage};

/// The shape of the MS-MDE2 4.2.2 example, with the four template elements
/// and `policyID` left out.
const MDM: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
    xmlns:a="http://www.w3.org/2005/08/addressing">
  <s:Header>
    <a:Action s:mustUnderstand="1">http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPoliciesResponse</a:Action>
  </s:Header>
  <s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
    <GetPoliciesResponse xmlns="http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy">
      <response>
        <policyFriendlyName xsi:nil="true"/>
        <nextUpdateHours xsi:nil="true"/>
        <policiesNotChanged xsi:nil="true"/>
        <policies>
          <policy>
            <policyOIDReference>1</policyOIDReference>
            <cAs xsi:nil="true"/>
            <attributes>
              <policySchema>3</policySchema>
              <privateKeyAttributes>
                <minimalKeyLength>2048</minimalKeyLength>
                <keySpec xsi:nil="true"/>
                <keyUsageProperty xsi:nil="true"/>
                <permissions xsi:nil="true"/>
                <algorithmOIDReference xsi:nil="true"/>
                <cryptoProviders xsi:nil="true"/>
              </privateKeyAttributes>
              <supersededPolicies xsi:nil="true"/>
              <privateKeyFlags xsi:nil="true"/>
              <subjectNameFlags xsi:nil="true"/>
              <enrollmentFlags xsi:nil="true"/>
              <generalFlags xsi:nil="true"/>
              <hashAlgorithmOIDReference>0</hashAlgorithmOIDReference>
              <rARequirements xsi:nil="true"/>
              <keyArchivalAttributes xsi:nil="true"/>
              <extensions xsi:nil="true"/>
            </attributes>
          </policy>
        </policies>
      </response>
      <cAs xsi:nil="true"/>
      <oIDs>
        <oID>
          <value>2.16.840.1.101.3.4.2.1</value>
          <group>4</group>
          <oIDReferenceID>0</oIDReferenceID>
          <defaultName>szOID_NIST_sha256</defaultName>
        </oID>
        <oID>
          <value>1.3.6.1.4.1.311.21.8.1.77</value>
          <group>9</group>
          <oIDReferenceID>1</oIDReferenceID>
          <defaultName>MdmDevice</defaultName>
        </oID>
      </oIDs>
    </GetPoliciesResponse>
  </s:Body>
</s:Envelope>"#;

fn read(xml: &[u8]) -> GetPoliciesResponse {
    let env = Envelope::<XcepMessage>::from_xml(xml).unwrap();
    match env.payload() {
        Some(XcepMessage::GetPoliciesResponse(r)) => r.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn mdm_response_without_required_elements_reads() {
    let r = read(MDM.as_bytes());
    let response = r.response.as_ref().unwrap();
    assert_eq!(response.policy_id, None);
    assert_eq!(response.missing_required(), ["policyID"]);
    let a = &r.policies()[0].attributes;
    assert_eq!(a.common_name, None);
    assert_eq!(a.certificate_validity, None);
    assert_eq!(a.permission, None);
    assert_eq!(a.revision, None);
    assert_eq!(
        a.missing_required(),
        [
            "commonName",
            "certificateValidity",
            "permission",
            "revision"
        ]
    );
    // What is there is read.
    assert_eq!(a.policy_schema, 3);
    assert_eq!(a.private_key_attributes.minimal_key_length, 2048);
    assert_eq!(a.hash_algorithm_oid_reference, Some(0));
}

#[test]
fn mdm_response_resolves_and_names_the_template_by_its_oid() {
    let r = read(MDM.as_bytes());
    let policy = r.resolve().unwrap();
    let t = &policy.templates()[0];
    assert_eq!(t.common_name(), None);
    // No commonName: the template OID's defaultName stands in.
    assert_eq!(t.name(), "MdmDevice");
    assert_eq!(t.oid().value, "1.3.6.1.4.1.311.21.8.1.77");
    assert_eq!(
        t.hash_algorithm().map(|o| o.value.as_str()),
        Some("2.16.840.1.101.3.4.2.1")
    );
    assert!(
        policy
            .template_by_oid("1.3.6.1.4.1.311.21.8.1.77")
            .is_some()
    );
    assert!(policy.template_by_name("MdmDevice").is_none());
}

#[test]
fn the_name_falls_back_to_the_oid_value() {
    let xml = MDM.replace("<defaultName>MdmDevice</defaultName>", "");
    let r = read(xml.as_bytes());
    let policy = r.resolve().unwrap();
    assert_eq!(policy.templates()[0].name(), "1.3.6.1.4.1.311.21.8.1.77");
}

#[test]
fn an_empty_policy_id_is_present() {
    // The MS-MDE2 4.2.2 example sends `<policyID />`.
    let xml = MDM.replace("<response>", "<response><policyID />");
    let r = read(xml.as_bytes());
    let response = r.response.as_ref().unwrap();
    assert_eq!(response.policy_id.as_deref(), Some(""));
    assert!(response.missing_required().is_empty());
}

#[test]
fn what_was_read_is_written_back() {
    let r = read(MDM.as_bytes());
    let bytes = r.to_xml().unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    for absent in [
        "policyID",
        "commonName",
        "certificateValidity",
        "permission>",
        "revision",
    ] {
        assert!(!text.contains(absent), "{absent} in {text}");
    }
    assert_eq!(GetPoliciesResponse::from_xml(&bytes).unwrap(), r);
}
