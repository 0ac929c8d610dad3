//! What we write is valid: each spec example read and written back as a
//! whole envelope validates with xmllint against `deps/envelope-all.xsd`,
//! except where the example's own content is invalid (spec README); a
//! `CertificateEnrollmentWSDetail` fault built in code validates and reads
//! back.
//!
//! Skipped when the spec folder or xmllint is missing, except in CI.

#![allow(clippy::unwrap_used, missing_docs)]

#[macro_use]
mod common;

use std::collections::BTreeSet;

use soap_envelope::{Envelope, Header, ReadOptions};
use wstep::hresult::HResult;
use wstep::{CertificateEnrollmentWsDetail, WstepMessage, actions};

const ENVELOPE_XSD: &str = "deps/envelope-all.xsd";

/// (example, elements xmllint reports as invalid).
const CASES: &[(&str, &[&str])] = &[
    ("wstep/4.1.1.1-RST-issue-request.normalized.xml", &[]),
    ("wstep/4.1.1.2-RSTRC-issued.normalized.xml", &[]),
    ("wstep/4.1.2.1-RST-KET-request.xml", &[]),
    ("wstep/4.1.2.2-RSTRC-KETFinal.normalized.xml", &[]),
    ("wstep/4.1.3.1-RST-QueryTokenStatus-request.xml", &[]),
    ("wstep/4.1.4.2-fault-response.normalized.xml", &[]),
    ("wstep/4.1.5.1-RST-renewal-request.normalized.xml", &[]),
    ("wstep/4.1.5.2-RSTRC-renewal-issued.normalized.xml", &[]),
    ("mde2/4.3.1.1-RST-request-federated.xml", &[]),
    (
        "mde2/4.3.1.2-RST-request-federated-azure-attestation.xml",
        &[],
    ),
    // The signature's digest and value are placeholders, not base64.
    (
        "mde2/4.3.1.3-RST-request-certificate.normalized.xml",
        &["DigestValue", "SignatureValue"],
    ),
    // The example's wsse:Type on Password is written as the unqualified
    // Type WSS defines.
    ("mde2/4.3.1.4-RST-request-onpremise.xml", &[]),
    ("mde2/4.3.2-RSTRC-response.xml", &[]),
];

#[test]
fn examples_written_back_validate() {
    let spec = spec_or_skip!();
    if !common::xmllint_available() {
        return;
    }
    let options = ReadOptions::default().accept_soap11(true);
    for (rel, expected) in CASES {
        let bytes = common::read_spec(spec, rel);
        let env = Envelope::<WstepMessage>::from_xml_with(&bytes, &options)
            .unwrap_or_else(|e| panic!("{rel}: {e}"));
        let written = env.to_xml().unwrap();
        // What we wrote reads back equal.
        let again = Envelope::<WstepMessage>::from_xml_with(&written, &options).unwrap();
        // (The writer always writes SOAP 1.2; MS-MDE2 4.3.2 is SOAP 1.1.)
        assert_eq!(
            (&again.header, &again.body),
            (&env.header, &env.body),
            "{rel}"
        );
        let v = common::validate_bytes(spec, ENVELOPE_XSD, "example.xml", &written).unwrap();
        let expected: BTreeSet<String> = expected.iter().map(|s| (*s).to_owned()).collect();
        if expected.is_empty() {
            assert!(v.is_clean_pass(), "{rel}: {v:#?}");
        } else {
            assert!(!v.validates, "{rel}");
            assert_eq!(v.error_elements(), expected, "{rel}: {v:#?}");
        }
    }
}

#[test]
fn detail_fault_built_in_code_validates_and_reads_back() {
    let spec = spec_or_skip!();
    let detail = CertificateEnrollmentWsDetail::new()
        .with_binary_response("MAA=")
        .with_error_code(HResult(0x8009_4012_u32.cast_signed()))
        .with_invalid_request(true)
        .with_request_id("66");
    let fault = detail.to_fault("Denied by Policy Module").unwrap();
    let header = Header::new()
        .with_action(actions::DETAIL_FAULT)
        .with_relates_to("urn:uuid:b5d1a601-5091-4a7d-b34b-5204c18b5919");
    let bytes = Envelope::<WstepMessage>::fault(header, fault)
        .to_xml()
        .unwrap();
    if let Some(v) = common::validate_bytes(spec, ENVELOPE_XSD, "fault.xml", &bytes) {
        assert!(v.is_clean_pass(), "{v:#?}");
    }
    let env = Envelope::<WstepMessage>::from_xml(&bytes).unwrap();
    assert_eq!(env.header.action(), Some(actions::DETAIL_FAULT));
    let read = CertificateEnrollmentWsDetail::from_fault(env.as_fault().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(read.error_code.unwrap().0.cast_unsigned(), 0x8009_4012);
    assert_eq!(read, detail);
}

#[test]
fn detail_without_response_or_request_id_writes_both_nil() {
    let spec = spec_or_skip!();
    // A denial before anything was stored: no CA response, no request ID.
    let detail = CertificateEnrollmentWsDetail::new()
        .with_error_code(HResult(0x8009_4801_u32.cast_signed()))
        .with_invalid_request(true);
    let bytes = detail.to_xml().unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    // Both elements are there, nil, in the schema's order.
    let doc = children(&text);
    assert_eq!(
        doc,
        [
            ("BinaryResponse".to_owned(), true),
            ("ErrorCode".to_owned(), false),
            ("InvalidRequest".to_owned(), false),
            ("RequestID".to_owned(), true)
        ],
        "{text}"
    );
    if let Some(v) =
        common::validate_bytes(spec, "wstep/ms-wstep-enrollment.xsd", "detail.xml", &bytes)
    {
        assert!(v.is_clean_pass(), "{v:#?}");
    }
    // In a whole fault envelope too.
    let fault = detail.to_fault("Denied by Policy Module").unwrap();
    let env_bytes =
        Envelope::<WstepMessage>::fault(Header::new().with_action(actions::DETAIL_FAULT), fault)
            .to_xml()
            .unwrap();
    if let Some(v) = common::validate_bytes(spec, ENVELOPE_XSD, "fault.xml", &env_bytes) {
        assert!(v.is_clean_pass(), "{v:#?}");
    }
    let again = CertificateEnrollmentWsDetail::from_xml(&bytes).unwrap();
    assert_eq!(again.binary_response, None);
    assert_eq!(again.request_id, None);
    assert_eq!(again, detail);
}

/// The children of the root element as (local name in the enrollment
/// namespace, has `xsi:nil="true"`), read with the namespace-aware reader.
fn children(xml: &str) -> Vec<(String, bool)> {
    let any: soap_envelope::AnyElement =
        soap_envelope::read_document(xml.as_bytes(), &soap_envelope::Limits::default()).unwrap();
    any.child_elements()
        .map(|c| {
            assert_eq!(c.name.ns.as_deref(), Some(wstep::NAMESPACE));
            let nil = c.attribute(Some(soap_envelope::ns::XSI), "nil") == Some("true");
            (c.name.local.clone(), nil)
        })
        .collect()
}
