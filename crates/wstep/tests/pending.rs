//! The pending answer ([MS-WSTEP] 3.1.4.1.3.2): the
//! `wsse:SecurityTokenReference` to the CES endpoint in
//! `RequestedSecurityToken`, read leniently and written strictly, and the
//! pending CMC status token (RFC 5272 `CMCStatusInfo` pending with a
//! `pendInfo` carrying the request ID).

#![allow(clippy::unwrap_used, missing_docs)]

#[macro_use]
mod common;

use der::asn1::GeneralizedTime;
use soap_envelope::{Envelope, ErrorKind, Header};
use wstep::ns;
use wstep::payload::cmc::{CMC_STATUS_PENDING, PendInfo};
use wstep::payload::{InnerContent, SignedPayload, build_cmc_pending_response};
use wstep::{
    BinarySecurityTokenExt, DispositionMessage, Error, RequestId, RequestSecurityTokenResponse,
    RequestSecurityTokenResponseCollection, RequestedSecurityToken, ValueKind, WstepMessage,
    actions,
};

const CES: &str = "https://ca.example.com/Example-CA_CES_Kerberos/service.svc/CES";

fn pend_time() -> GeneralizedTime {
    GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(1_700_000_000)).unwrap()
}

/// A pending RSTR as AD CS writes it: default namespaces, the reference
/// in `RequestedSecurityToken`, the CMC status in the PKCS7 token.
fn ad_cs_pending(reference: &str) -> String {
    let token = ValueKind::Pkcs7.token(
        &build_cmc_pending_response(1, &PendInfo::for_request_id(7, pend_time()).unwrap()).unwrap(),
    );
    format!(
        r#"<RequestSecurityTokenResponse xmlns="{wst}">
  <TokenType>http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3</TokenType>
  <DispositionMessage xml:lang="en-US" xmlns="{wstep}">Taken Under Submission</DispositionMessage>
  <BinarySecurityToken ValueType="{vt}" EncodingType="{et}" xmlns="{wsse}">{b64}</BinarySecurityToken>
  <RequestedSecurityToken>
    <SecurityTokenReference xmlns="{wsse}">{reference}</SecurityTokenReference>
  </RequestedSecurityToken>
  <RequestID xmlns="{wstep}">7</RequestID>
</RequestSecurityTokenResponse>"#,
        wst = ns::WST,
        wstep = ns::WSTEP,
        wsse = ns::WSSE,
        vt = token.value_type.as_deref().unwrap(),
        et = token.encoding_type.as_deref().unwrap(),
        b64 = token.value,
    )
}

#[test]
fn ad_cs_pending_answer_reads_reference_and_cmc_status() {
    let xml = ad_cs_pending(&format!("\n      <Reference URI=\" {CES}\n\" />\n    "));
    let r = RequestSecurityTokenResponse::from_xml(xml.as_bytes()).unwrap();
    let reference = r.token_reference().unwrap();
    assert_eq!(reference.uri, CES);
    assert_eq!(reference.value_type, None);
    assert!(r.certificate().is_none());
    assert_eq!(r.request_id.as_ref().and_then(RequestId::as_str), Some("7"));
    let p7 =
        SignedPayload::from_der(&r.binary_security_token.unwrap().decode_bytes().unwrap()).unwrap();
    let InnerContent::CmcResponse(response) = &p7.content else {
        panic!("{:?}", p7.content)
    };
    let status = response.status_info().unwrap().unwrap();
    assert_eq!(status.cmc_status, CMC_STATUS_PENDING);
    assert_eq!(status.body_list, [1]);
    let pend = p7.pend_info().unwrap().unwrap();
    assert_eq!(pend.request_id(), Some(7));
    assert_eq!(pend.pend_time, pend_time());
    assert!(p7.certificates.is_empty());
}

#[test]
fn reference_read_leniently() {
    // A prefix, a ValueType, an unknown sibling.
    let xml = ad_cs_pending(&format!(
        r#"<w:KeyIdentifier xmlns:w="{wsse}">x</w:KeyIdentifier><w:Reference xmlns:w="{wsse}" URI="{CES}" ValueType="urn:x"/>"#,
        wsse = ns::WSSE
    ));
    let r = RequestSecurityTokenResponse::from_xml(xml.as_bytes()).unwrap();
    let str_ = r
        .requested_security_token
        .as_ref()
        .unwrap()
        .security_token_reference
        .as_ref()
        .unwrap();
    assert_eq!(str_.reference.as_ref().unwrap().uri, CES);
    assert_eq!(
        str_.reference.as_ref().unwrap().value_type.as_deref(),
        Some("urn:x")
    );
    assert_eq!(str_.unknown.len(), 1);
    assert_eq!(str_.unknown[0].name.local, "KeyIdentifier");
    // A Reference without URI is kept, not typed.
    let xml = ad_cs_pending("<Reference/>");
    let r = RequestSecurityTokenResponse::from_xml(xml.as_bytes()).unwrap();
    assert!(r.token_reference().is_none());
    let str_ = r
        .requested_security_token
        .unwrap()
        .security_token_reference
        .unwrap();
    assert_eq!(str_.unknown.len(), 1);
    // A Reference in another namespace is not the WSS one.
    let xml = ad_cs_pending(&format!(r#"<Reference xmlns="urn:other" URI="{CES}"/>"#));
    let r = RequestSecurityTokenResponse::from_xml(xml.as_bytes()).unwrap();
    assert!(r.token_reference().is_none());
    // Two references are a typed error.
    let xml = ad_cs_pending(&format!(
        r#"<Reference URI="{CES}"/><Reference URI="{CES}"/>"#
    ));
    let Error::Xml(e) = RequestSecurityTokenResponse::from_xml(xml.as_bytes()).unwrap_err() else {
        panic!()
    };
    assert!(
        matches!(e.kind(), ErrorKind::DuplicateElement(_)),
        "{e}: {:?}",
        e.kind()
    );
}

#[test]
fn pending_rstrc_written_validates_and_reads_back() {
    let pkcs7 =
        build_cmc_pending_response(1, &PendInfo::for_request_id(7, pend_time()).unwrap()).unwrap();
    let rstr = RequestSecurityTokenResponse::new()
        .with_disposition_message(DispositionMessage::new("Pending").with_lang("en-US"))
        .with_binary_security_token(ValueKind::Pkcs7.token(&pkcs7))
        .with_requested_security_token(RequestedSecurityToken::reference(CES))
        .with_request_id(RequestId::new("7"));
    let body = WstepMessage::from(RequestSecurityTokenResponseCollection::new(rstr.clone()));
    let bytes = Envelope::new(Header::new().with_action(actions::RSTRC), body)
        .to_xml()
        .unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.contains(&format!(r#"URI="{CES}""#)), "{text}");
    let spec = spec_or_skip!();
    if let Some(v) = common::validate_bytes(spec, "deps/envelope-all.xsd", "pending.xml", &bytes) {
        assert!(v.is_clean_pass(), "{v:#?}");
    }
    let env = Envelope::<WstepMessage>::from_xml(&bytes).unwrap();
    let Some(WstepMessage::RequestSecurityTokenResponseCollection(c)) = env.payload() else {
        panic!()
    };
    assert_eq!(c.response().unwrap(), &rstr);
    assert_eq!(c.response().unwrap().token_reference().unwrap().uri, CES);
}

#[test]
fn pend_info_request_id_needs_four_bytes() {
    let mut p = PendInfo::for_request_id(0x0102_0304, pend_time()).unwrap();
    assert_eq!(p.pend_token.as_bytes(), [4, 3, 2, 1]);
    assert_eq!(p.request_id(), Some(0x0102_0304));
    p.pend_token = der::asn1::OctetString::new(vec![1, 2, 3]).unwrap();
    assert_eq!(p.request_id(), None);
}

#[test]
fn pending_cmc_parses_with_openssl() {
    if !common::openssl_available() {
        return;
    }
    let dir = common::tmp_dir("pending-cmc");
    let der =
        build_cmc_pending_response(1, &PendInfo::for_request_id(7, pend_time()).unwrap()).unwrap();
    std::fs::write(dir.join("pending.p7"), &der).unwrap();
    let out = common::openssl(
        &dir,
        &[
            "cms",
            "-cmsout",
            "-print",
            "-inform",
            "DER",
            "-in",
            "pending.p7",
        ],
    );
    let text = String::from_utf8_lossy(&out);
    // id-cct-PKIResponse content.
    assert!(
        text.contains("1.3.6.1.5.5.7.12.3") || text.contains("id-cct-PKIResponse"),
        "{text}"
    );
}
