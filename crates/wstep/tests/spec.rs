//! Spec conformance: every MS-WSTEP example (section 4.1) and the MS-MDE2
//! RST/RSTRC examples (section 4.3) read into the typed model, with the
//! values the spec shows asserted; the broken verbatim copies give clean
//! errors or keep the misnamed element in `unknown`.
//!
//! Skipped when `../shared/testdata/spec` is absent, except in CI.

#![allow(clippy::unwrap_used, missing_docs)]

#[macro_use]
mod common;

use std::path::Path;

use soap_envelope::{Envelope, ReadOptions, SoapVersion};
use wstep::actions::{
    TOKEN_TYPE_MDE2, TOKEN_TYPE_X509V3, VALUE_TYPE_PKCS7_WSS, VALUE_TYPE_PKCS10,
    VALUE_TYPE_PROVISIONING_DOC, VALUE_TYPE_X509V3,
};
use wstep::{
    BinarySecurityTokenExt, CertificateEnrollmentWsDetail, RequestSecurityToken,
    RequestSecurityTokenResponse, RequestType, ValueKind, WstepMessage, actions,
};

const ENCODING_SECEXT: &str = soap_envelope::security::ENCODING_BASE64_SECEXT;

fn read(spec: &Path, rel: &str) -> Envelope<WstepMessage> {
    let bytes = common::read_spec(spec, rel);
    Envelope::<WstepMessage>::from_xml(&bytes).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn rst(env: &Envelope<WstepMessage>) -> &RequestSecurityToken {
    match env.payload() {
        Some(WstepMessage::RequestSecurityToken(r)) => r,
        other => panic!("not an RST: {other:?}"),
    }
}

fn rstr(env: &Envelope<WstepMessage>) -> &RequestSecurityTokenResponse {
    match env.payload() {
        Some(WstepMessage::RequestSecurityTokenResponseCollection(c)) => {
            assert_eq!(c.responses.len(), 1);
            c.response().unwrap()
        }
        other => panic!("not an RSTRC: {other:?}"),
    }
}

#[test]
fn spec_4_1_1_1_rst_issue_request() {
    let spec = spec_or_skip!();
    let env = read(spec, "wstep/4.1.1.1-RST-issue-request.normalized.xml");
    assert_eq!(env.header.action(), Some(actions::RST));
    let r = rst(&env);
    assert_eq!(r.request_type, RequestType::Issue);
    assert_eq!(r.token_type.as_deref(), Some(TOKEN_TYPE_X509V3));
    let t = r.binary_security_token.as_ref().unwrap();
    // Kept exactly as read: the secext spelling.
    assert_eq!(t.value_type.as_deref(), Some(VALUE_TYPE_PKCS7_WSS));
    assert_eq!(t.encoding_type.as_deref(), Some(ENCODING_SECEXT));
    assert_eq!(t.value_kind(), Some(ValueKind::Pkcs7));
    // Labelled PKCS7, but a 1040-byte PKCS#10 (spec README).
    let der = t.decode_bytes().unwrap();
    assert_eq!(der.len(), 1040);
    assert_eq!(r.request_id.as_ref().unwrap().as_str(), None);
    assert!(r.unknown.is_empty());
}

#[test]
fn spec_4_1_1_2_rstrc_issued() {
    let spec = spec_or_skip!();
    for rel in [
        "wstep/4.1.1.2-RSTRC-issued.normalized.xml",
        "wstep/4.1.5.2-RSTRC-renewal-issued.normalized.xml",
    ] {
        let env = read(spec, rel);
        assert_eq!(env.header.action(), Some(actions::RSTRC));
        let r = rstr(&env);
        assert_eq!(r.token_type.as_deref(), Some(TOKEN_TYPE_X509V3), "{rel}");
        let d = r.disposition_message.as_ref().unwrap();
        assert_eq!(d.text.as_deref(), Some("Issued"));
        assert_eq!(d.lang.as_deref(), Some("en-US"));
        let p7 = r.binary_security_token.as_ref().unwrap();
        assert_eq!(p7.value_type.as_deref(), Some(VALUE_TYPE_PKCS7_WSS));
        assert_eq!(p7.decode_bytes().unwrap().len(), 4504);
        let cert = r.certificate().unwrap();
        assert_eq!(cert.value_type.as_deref(), Some(VALUE_TYPE_X509V3));
        assert_eq!(cert.value_kind(), Some(ValueKind::X509v3));
        assert_eq!(cert.decode_bytes().unwrap().len(), 1682);
        let id = r.request_id.as_ref().unwrap().as_str();
        assert!(id == Some("61") || id == Some("63"), "{rel}: {id:?}");
        assert!(r.unknown.is_empty());
    }
}

#[test]
fn spec_4_1_2_1_rst_ket_request() {
    let spec = spec_or_skip!();
    let env = read(spec, "wstep/4.1.2.1-RST-KET-request.xml");
    assert_eq!(env.header.action(), Some(actions::KET));
    let r = rst(&env);
    assert_eq!(r.request_type, RequestType::KeyExchangeToken);
    assert_eq!(r.action(), actions::KET);
    // wst:RequestKET is kept.
    assert_eq!(r.unknown.len(), 1);
    assert_eq!(r.unknown[0].name.local, "RequestKET");
    assert_eq!(r.request_id.as_ref().unwrap().as_str(), None);
}

#[test]
fn spec_4_1_2_2_rstrc_ket_final() {
    let spec = spec_or_skip!();
    let env = read(spec, "wstep/4.1.2.2-RSTRC-KETFinal.normalized.xml");
    assert_eq!(env.header.action(), Some(actions::KET_FINAL));
    let r = rstr(&env);
    let ket = r
        .requested_security_token
        .as_ref()
        .unwrap()
        .key_exchange_token
        .as_ref()
        .unwrap();
    let cert = ket.binary_security_token.as_ref().unwrap();
    assert_eq!(cert.decode_bytes().unwrap().len(), 1446);
    assert_eq!(r.certificate(), Some(cert));
    assert_eq!(r.disposition_message, None);
}

#[test]
fn spec_4_1_3_1_rst_query_token_status() {
    let spec = spec_or_skip!();
    let env = read(spec, "wstep/4.1.3.1-RST-QueryTokenStatus-request.xml");
    let r = rst(&env);
    assert_eq!(r.request_type, RequestType::QueryTokenStatus);
    assert_eq!(r.request_id.as_ref().unwrap().as_str(), Some("65"));
    assert_eq!(r.binary_security_token, None);
}

#[test]
fn spec_4_1_4_2_fault_response() {
    let spec = spec_or_skip!();
    let env = read(spec, "wstep/4.1.4.2-fault-response.normalized.xml");
    let fault = env.as_fault().unwrap();
    // A plain WCF fault: no CertificateEnrollmentWSDetail.
    assert!(CertificateEnrollmentWsDetail::from_fault(fault).is_none());
    // The verbatim copy is not well-formed: a clean error.
    let bytes = common::read_spec(spec, "wstep/4.1.4.2-fault-response.xml");
    let e = Envelope::<WstepMessage>::from_xml(&bytes).unwrap_err();
    assert!(!e.to_string().is_empty());
}

#[test]
fn spec_4_1_5_1_rst_renewal_request() {
    let spec = spec_or_skip!();
    let env = read(spec, "wstep/4.1.5.1-RST-renewal-request.normalized.xml");
    let r = rst(&env);
    assert_eq!(r.request_type, RequestType::Issue);
    let t = r.binary_security_token.as_ref().unwrap();
    assert_eq!(t.value_kind(), Some(ValueKind::Pkcs7));
    assert_eq!(t.decode_bytes().unwrap().len(), 5156);
}

#[test]
fn verbatim_copies_with_split_namespaces() {
    let spec = spec_or_skip!();
    // The BST namespace is split by a line break: not wsse, so kept unknown.
    let bytes = common::read_spec(spec, "wstep/4.1.5.1-RST-renewal-request.xml");
    match Envelope::<WstepMessage>::from_xml(&bytes) {
        Ok(env) => {
            let r = rst(&env);
            assert!(r.binary_security_token.is_none());
            assert_eq!(r.unknown[0].name.local, "BinarySecurityToken");
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    let bytes = common::read_spec(spec, "wstep/4.1.5.2-RSTRC-renewal-issued.xml");
    match Envelope::<WstepMessage>::from_xml(&bytes) {
        Ok(env) => {
            let r = rstr(&env);
            assert!(r.disposition_message.is_none());
            assert_eq!(r.unknown[0].name.local, "DispositionMessage");
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    // The other verbatim copies read like the normalized ones, apart from
    // the split attribute values.
    for rel in [
        "wstep/4.1.1.1-RST-issue-request.xml",
        "wstep/4.1.1.2-RSTRC-issued.xml",
        "wstep/4.1.2.2-RSTRC-KETFinal.xml",
    ] {
        read(spec, rel);
    }
}

#[test]
fn spec_mde2_4_3_1_rst_requests() {
    let spec = spec_or_skip!();
    for rel in [
        "mde2/4.3.1.1-RST-request-federated.xml",
        "mde2/4.3.1.2-RST-request-federated-azure-attestation.xml",
        "mde2/4.3.1.3-RST-request-certificate.normalized.xml",
        "mde2/4.3.1.3-RST-request-certificate.xml",
        "mde2/4.3.1.4-RST-request-onpremise.xml",
    ] {
        let env = read(spec, rel);
        assert_eq!(env.header.action(), Some(actions::RST), "{rel}");
        let r = rst(&env);
        assert_eq!(r.request_type, RequestType::Issue);
        assert_eq!(r.token_type.as_deref(), Some(TOKEN_TYPE_MDE2));
        let t = r.binary_security_token.as_ref().unwrap();
        assert_eq!(t.value_type.as_deref(), Some(VALUE_TYPE_PKCS10));
        assert_eq!(t.value_kind(), Some(ValueKind::Pkcs10));
        // A placeholder, not base64.
        assert!(t.decode_bytes().is_err());
        let c = r.additional_context.as_ref().unwrap();
        assert_eq!(c.device_type(), Some("CIMClient_Windows"));
        assert_eq!(c.application_version(), Some("10.0.9999.0"));
        assert_eq!(c.os_version(), Some("10.0.9999.0"));
        assert_eq!(c.enrollment_type(), Some("Full"));
        assert_eq!(c.device_id(), Some("7BA748C8-703E-4DF2-A74A-92984117346A"));
        assert_eq!(c.hw_dev_id(), Some(format!("{} ", "F".repeat(64)).as_str()));
        assert_eq!(
            c.context_items("MAC").collect::<Vec<_>>(),
            ["FF:FF:FF:FF:FF:FF", "CC:CC:CC:CC:CC:CC"]
        );
        assert_eq!(
            c.context_item("OfflineAutoPilotEnrollmentCorrelator"),
            Some("ffffffff-ffff-4fff-afff-ffffffffffff")
        );
        assert!(c.certificate_template().is_none());
        let os_edition = c.os_edition().unwrap();
        assert!(os_edition == "4" || os_edition == " *4*", "{rel}");
        assert!(r.request_id.is_none());
    }
    let env = read(
        spec,
        "mde2/4.3.1.2-RST-request-federated-azure-attestation.xml",
    );
    let c = rst(&env).additional_context.clone().unwrap();
    assert_eq!(c.context_item("RequestVersion"), Some("6.0"));
    assert_eq!(c.context_item("AzureAttestationBlob"), Some("FFFFFFFFFFFF"));
}

#[test]
fn spec_mde2_4_3_2_rstrc_soap11() {
    let spec = spec_or_skip!();
    let bytes = common::read_spec(spec, "mde2/4.3.2-RSTRC-response.xml");
    // SOAP 1.1 is refused by default...
    assert!(Envelope::<WstepMessage>::from_xml(&bytes).is_err());
    // ...and read when asked for.
    let env = Envelope::<WstepMessage>::from_xml_with(
        &bytes,
        &ReadOptions::default().accept_soap11(true),
    )
    .unwrap();
    assert_eq!(env.version, SoapVersion::Soap11);
    let r = rstr(&env);
    assert_eq!(r.token_type.as_deref(), Some(TOKEN_TYPE_MDE2));
    let d = r.disposition_message.as_ref().unwrap();
    assert_eq!((d.text.as_deref(), d.lang.as_deref()), (Some(""), None));
    let doc = r.certificate().unwrap();
    assert_eq!(doc.value_type.as_deref(), Some(VALUE_TYPE_PROVISIONING_DOC));
    assert_eq!(doc.value_kind(), Some(ValueKind::ProvisioningDoc));
    assert_eq!(doc.value, "B64EncodedSampleBinarySecurityToken");
    assert_eq!(r.request_id.as_ref().unwrap().as_str(), Some("0"));
}
