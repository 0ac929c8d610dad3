//! Wrong values and wrong structure give the named error kind at the exact
//! element path.

#![allow(clippy::unwrap_used, missing_docs)]

use soap_envelope::{Envelope, ErrorKind, Header};
use xcep::flags::ClientAuthentication;
use xcep::{
    Attributes, Base64Text, Ca, CaUri, CertificateEnrollmentPolicy, CertificateValidity, Client,
    EnrollmentPermission, GetPolicies, GetPoliciesResponse, PrivateKeyAttributes, Response,
    Revision, XcepMessage,
};

const POLICY_2: &str = "/GetPoliciesResponse/response/policies/policy[2]";

fn attributes(name: &str, schema: u32, enroll: bool, key_length: u32) -> Attributes {
    Attributes::new(
        name,
        schema,
        CertificateValidity::new(31_536_000, 3_628_800),
        EnrollmentPermission::new(enroll, false),
        PrivateKeyAttributes::new(key_length)
            .with_crypto_provider("Microsoft Software Key Storage Provider"),
        Revision::new(100, 1),
    )
}

/// A valid response with two templates (they differ in every value the
/// tests below change) and one CA with two endpoints.
fn base() -> String {
    let m = GetPoliciesResponse::new()
        .with_response(
            Response::new("{083C7011-1D0A-4855-885D-AC945184658C}")
                .with_policy(
                    CertificateEnrollmentPolicy::new(1, attributes("User", 1, true, 1024))
                        .with_ca_reference(0),
                )
                .with_policy(
                    CertificateEnrollmentPolicy::new(2, attributes("Machine", 2, false, 2048))
                        .with_ca_reference(7),
                ),
        )
        .with_ca(
            Ca::new(0, Base64Text::from_bytes(b"\x30\x00"), true)
                .with_uri(CaUri::new(
                    ClientAuthentication::KERBEROS,
                    "https://ca/CES_Kerberos",
                ))
                .with_uri(
                    CaUri::new(
                        ClientAuthentication::CLIENT_CERTIFICATE,
                        "https://ca/CES_Certificate",
                    )
                    .with_priority(2),
                ),
        );
    String::from_utf8(m.to_xml().unwrap()).unwrap()
}

/// `base()` with `from` (which must occur exactly once) replaced.
fn with(from: &str, to: &str) -> String {
    let xml = base();
    assert_eq!(xml.matches(from).count(), 1, "{from} in\n{xml}");
    xml.replace(from, to)
}

fn error(xml: &str) -> soap_envelope::Error {
    match GetPoliciesResponse::from_xml(xml.as_bytes()) {
        Err(xcep::Error::Xml(e)) => e,
        other => panic!("expected an XML error, got {other:?}\n{xml}"),
    }
}

fn assert_bad_value(xml: &str, path: &str, type_name: &str, value: &str, reason: &str) {
    let e = error(xml);
    assert_eq!(e.path(), path, "{e}");
    match e.kind() {
        ErrorKind::BadValue {
            type_name: t,
            value: v,
            reason: r,
        } => {
            assert_eq!((*t, v.as_str()), (type_name, value), "{e}");
            assert!(r.contains(reason), "{e}");
        }
        other => panic!("expected BadValue, got {other:?}"),
    }
}

fn assert_missing(xml: &str, path: &str) {
    let e = error(xml);
    assert_eq!(e.path(), path, "{e}");
    let local = path.rsplit('/').next().unwrap();
    match e.kind() {
        ErrorKind::MissingElement(name) => {
            assert_eq!(name.ns.as_deref(), Some(xcep::NAMESPACE));
            assert_eq!(name.local, local);
        }
        other => panic!("expected MissingElement, got {other:?}"),
    }
}

fn assert_duplicate(xml: &str, path: &str) {
    let e = error(xml);
    assert_eq!(e.path(), path, "{e}");
    assert!(
        matches!(e.kind(), ErrorKind::DuplicateElement(n) if n.ns.as_deref() == Some(xcep::NAMESPACE)),
        "{e}"
    );
}

#[test]
fn the_base_document_reads() {
    let m = GetPoliciesResponse::from_xml(base().as_bytes()).unwrap();
    assert_eq!(m.policies().len(), 2);
    assert_eq!(
        m.policies()[1].attributes.common_name.as_deref(),
        Some("Machine")
    );
}

#[test]
fn negative_unsigned_int() {
    assert_bad_value(
        &with(
            "<minimalKeyLength>2048</minimalKeyLength>",
            "<minimalKeyLength>-1</minimalKeyLength>",
        ),
        &format!("{POLICY_2}/attributes/privateKeyAttributes/minimalKeyLength"),
        "xs:unsignedInt",
        "-1",
        "negative",
    );
    // In a nillable element too.
    assert_bad_value(
        &with("<priority>2</priority>", "<priority> -7 </priority>"),
        "/GetPoliciesResponse/cAs/cA/uris/cAURI[2]/priority",
        "xs:unsignedInt",
        " -7 ",
        "negative",
    );
}

#[test]
fn overflowing_numbers() {
    assert_bad_value(
        &with(
            "<policySchema>2</policySchema>",
            "<policySchema>4294967296</policySchema>",
        ),
        &format!("{POLICY_2}/attributes/policySchema"),
        "xs:unsignedInt",
        "4294967296",
        "out of range",
    );
    assert_bad_value(
        &with(
            "<cAReference>7</cAReference>",
            "<cAReference>2147483648</cAReference>",
        ),
        &format!("{POLICY_2}/cAs/cAReference"),
        "xs:int",
        "2147483648",
        "out of range",
    );
    let xml = base().replacen(
        "<validityPeriodSeconds>31536000</validityPeriodSeconds>",
        "<validityPeriodSeconds>18446744073709551616</validityPeriodSeconds>",
        1,
    );
    assert_bad_value(
        &xml,
        "/GetPoliciesResponse/response/policies/policy/attributes/certificateValidity/validityPeriodSeconds",
        "xs:unsignedLong",
        "18446744073709551616",
        "out of range",
    );
}

#[test]
fn boolean_maybe() {
    assert_bad_value(
        &with("<enroll>false</enroll>", "<enroll>maybe</enroll>"),
        &format!("{POLICY_2}/attributes/permission/enroll"),
        "xs:boolean",
        "maybe",
        "expected true, false, 1 or 0",
    );
    // The second cAURI's renewalOnly (nillable).
    let xml = base();
    let second = xml.rfind("<renewalOnly>false</renewalOnly>").unwrap();
    let xml = format!(
        "{}<renewalOnly>maybe</renewalOnly>{}",
        &xml[..second],
        &xml[second + "<renewalOnly>false</renewalOnly>".len()..]
    );
    assert_bad_value(
        &xml,
        "/GetPoliciesResponse/cAs/cA/uris/cAURI[2]/renewalOnly",
        "xs:boolean",
        "maybe",
        "expected",
    );
    // And as the value of xsi:nil.
    assert_bad_value(
        &with(
            "<policyFriendlyName xsi:nil=\"true\"/>",
            "<policyFriendlyName xsi:nil=\"maybe\"/>",
        ),
        "/GetPoliciesResponse/response/policyFriendlyName",
        "xs:boolean",
        "maybe",
        "expected",
    );
}

#[test]
fn bad_date_time() {
    let xml = format!(
        "<GetPolicies xmlns=\"{}\"><client><lastUpdate>20090-03-15-T09:38:46</lastUpdate>\
         <preferredLanguage>en-US</preferredLanguage></client><requestFilter/></GetPolicies>",
        xcep::NAMESPACE
    );
    let Err(xcep::Error::Xml(e)) = GetPolicies::from_xml(xml.as_bytes()) else {
        panic!("accepted a bad dateTime");
    };
    assert_eq!(e.path(), "/GetPolicies/client/lastUpdate");
    assert!(matches!(
        e.kind(),
        ErrorKind::BadValue { type_name: "xs:dateTime", value, .. } if value == "20090-03-15-T09:38:46"
    ));
}

#[test]
fn missing_required_elements() {
    // `policyID` and `commonName` are required by the schema but read as
    // absent (MS-MDE2 servers leave them out): see `mde2_leniency.rs`.
    let r = GetPoliciesResponse::from_xml(
        with(
            "<policyID>{083C7011-1D0A-4855-885D-AC945184658C}</policyID>",
            "",
        )
        .as_bytes(),
    )
    .unwrap();
    assert_eq!(r.response.unwrap().policy_id, None);
    let r = GetPoliciesResponse::from_xml(with("<commonName>Machine</commonName>", "").as_bytes())
        .unwrap();
    assert_eq!(r.policies()[1].attributes.common_name, None);
    assert_missing(
        &with("<minimalKeyLength>2048</minimalKeyLength>", ""),
        &format!("{POLICY_2}/attributes/privateKeyAttributes/minimalKeyLength"),
    );
    assert_missing(
        &with("<policySchema>2</policySchema>", ""),
        &format!("{POLICY_2}/attributes/policySchema"),
    );
    assert_missing(
        &with("<policyOIDReference>2</policyOIDReference>", ""),
        &format!("{POLICY_2}/policyOIDReference"),
    );
    assert_missing(
        &with("<cAReferenceID>0</cAReferenceID>", ""),
        "/GetPoliciesResponse/cAs/cA/cAReferenceID",
    );
    // A whole required complex element.
    let xml = base();
    let start = xml.rfind("<attributes>").unwrap();
    let end = xml.rfind("</attributes>").unwrap() + "</attributes>".len();
    let xml = format!("{}{}", &xml[..start], &xml[end..]);
    assert_missing(&xml, &format!("{POLICY_2}/attributes"));
    // A required non-nillable element given as nil has no value.
    assert_bad_value(
        &with(
            "<minimalKeyLength>2048</minimalKeyLength>",
            "<minimalKeyLength xsi:nil=\"true\"/>",
        ),
        &format!("{POLICY_2}/attributes/privateKeyAttributes/minimalKeyLength"),
        "xs:unsignedInt",
        "",
        "not an integer",
    );
    // client, in a request.
    let xml = format!(
        "<GetPolicies xmlns=\"{}\"><requestFilter/></GetPolicies>",
        xcep::NAMESPACE
    );
    let Err(xcep::Error::Xml(e)) = GetPolicies::from_xml(xml.as_bytes()) else {
        panic!("accepted a request without client");
    };
    assert_eq!(e.path(), "/GetPolicies/client");
    assert!(matches!(e.kind(), ErrorKind::MissingElement(n) if n.local == "client"));
}

#[test]
fn duplicate_elements() {
    assert_duplicate(
        &with(
            "<commonName>Machine</commonName>",
            "<commonName>Machine</commonName><commonName>Again</commonName>",
        ),
        &format!("{POLICY_2}/attributes/commonName[2]"),
    );
    // A nillable one, nil the first time.
    assert_duplicate(
        &with(
            "<policyFriendlyName xsi:nil=\"true\"/>",
            "<policyFriendlyName xsi:nil=\"true\"/><policyFriendlyName>x</policyFriendlyName>",
        ),
        "/GetPoliciesResponse/response/policyFriendlyName[2]",
    );
    let xml = base();
    let start = xml.find("<response>").unwrap();
    let end = xml.find("</response>").unwrap() + "</response>".len();
    let twice = format!("{}{}{}", &xml[..end], &xml[start..end], &xml[end..]);
    assert_duplicate(&twice, "/GetPoliciesResponse/response[2]");
}

#[test]
fn wrong_structure() {
    // Text where only elements may be.
    let e = error(&with(
        "<permission><enroll>false</enroll>",
        "<permission>yes<enroll>false</enroll>",
    ));
    assert!(matches!(e.kind(), ErrorKind::UnexpectedText), "{e}");
    assert_eq!(e.path(), format!("{POLICY_2}/attributes/permission"));
    // A stranger in a collection.
    let e = error(&with("</cA></cAs>", "</cA><oID/></cAs>"));
    assert_eq!(e.path(), "/GetPoliciesResponse/cAs/oID");
    assert!(
        matches!(e.kind(), ErrorKind::UnexpectedElement { found, .. } if found.local == "oID"),
        "{e}"
    );
    // Out of order is fine.
    let xml = with(
        "<enroll>false</enroll><autoEnroll>false</autoEnroll>",
        "<autoEnroll>false</autoEnroll><enroll>false</enroll>",
    );
    assert_eq!(
        GetPoliciesResponse::from_xml(xml.as_bytes()).unwrap(),
        GetPoliciesResponse::from_xml(base().as_bytes()).unwrap()
    );
}

#[test]
fn paths_inside_an_envelope_start_at_the_envelope() {
    let bad = with(
        "<minimalKeyLength>2048</minimalKeyLength>",
        "<minimalKeyLength>-1</minimalKeyLength>",
    );
    let good = base();
    let envelope = String::from_utf8(
        Envelope::new(
            Header::new().with_action(GetPoliciesResponse::ACTION),
            XcepMessage::from(GetPoliciesResponse::from_xml(good.as_bytes()).unwrap()),
        )
        .to_xml()
        .unwrap(),
    )
    .unwrap();
    let envelope = envelope.replace(
        "<minimalKeyLength>2048</minimalKeyLength>",
        "<minimalKeyLength>-1</minimalKeyLength>",
    );
    let e = Envelope::<XcepMessage>::from_xml(envelope.as_bytes()).unwrap_err();
    assert_eq!(
        e.path(),
        format!("/Envelope/Body{POLICY_2}/attributes/privateKeyAttributes/minimalKeyLength")
    );
    assert_eq!(e.kind(), error(&bad).kind());
    // xcep::Error shows the kind and the path.
    let shown = GetPoliciesResponse::from_xml(bad.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(
        shown.contains("xs:unsignedInt") && shown.contains("policy[2]"),
        "{shown}"
    );
    // A request is no response.
    let request = GetPolicies::new(Client::new()).to_xml().unwrap();
    let Err(xcep::Error::Xml(e)) = GetPoliciesResponse::from_xml(&request) else {
        panic!("read a request as a response");
    };
    assert!(matches!(e.kind(), ErrorKind::UnsupportedPayload(n) if n.local == "GetPolicies"));
}
