//! The client state machine driven with canned answers, like quinn's
//! `Pair`: no network, no clock, no randomness.
#![allow(clippy::unwrap_used, missing_docs)]

use cepces_enroll::client::{
    ChainCheck, Config, Enrollment, Error, Event, Mode, PendingRequest, Requirements, Response,
    State, TemplateExtension, TemplateSelector, Transmit,
};
use der::{Decode, Encode};
use soap_envelope::xsd::DateTime;
use soap_envelope::{CONTENT_TYPE, Envelope, Header};
use wstep::hresult::HResult;
use wstep::{
    BinarySecurityTokenExt, CertificateEnrollmentWsDetail, DispositionMessage, RequestId,
    RequestSecurityTokenResponse, RequestSecurityTokenResponseCollection, RequestType,
    RequestedSecurityToken, ValueKind, WstepMessage, actions,
};
use x509_cert::Certificate;
use xcep::cache::{CachedPolicy, Merge, not_changed_response};
use xcep::flags::{ClientAuthentication, KeySpec, SubjectNameFlags};
use xcep::{
    Attributes, Base64Text, Ca, CaUri, CertificateEnrollmentPolicy, CertificateValidity,
    EnrollmentPermission, GetPolicies, GetPoliciesResponse, Oid, OidGroup, PrivateKeyAttributes,
    Revision,
};

const CEP: &str = "https://cep.example/CEP";
const CES: &str = "https://ces.example/CES";
const TEMPLATE_OID: &str = "1.3.6.1.4.1.311.21.8.1.2.3.4.5.6";
const CSR: &[u8] = &[0x30, 0x03, 0x02, 0x01, 0x00];

fn t(secs: i64) -> DateTime {
    DateTime::from_unix(1_700_000_000 + secs, 0)
}

/// A policy with template "Machine" (schema 2, RSA 2048, SHA-256, subject
/// from the directory) issued by CA 0, reachable at [`CES`].
fn policy(ca_certificate: &[u8]) -> GetPoliciesResponse {
    let attributes = Attributes::new(
        "Machine",
        2,
        CertificateValidity::new(31_536_000, 3_628_800),
        EnrollmentPermission::new(true, true),
        PrivateKeyAttributes::new(2048)
            .with_key_spec(KeySpec::AT_KEYEXCHANGE)
            .with_algorithm_oid_reference(2),
        Revision::new(5, 1),
    )
    .with_subject_name_flags(SubjectNameFlags::SUBJECT_REQUIRE_DNS_AS_CN)
    .with_hash_algorithm_oid_reference(3);
    GetPoliciesResponse::new()
        .with_response(
            xcep::Response::new("{POLICY}")
                .with_next_update_hours(8)
                .with_policies_not_changed(false)
                .with_policy(CertificateEnrollmentPolicy::new(1, attributes).with_ca_reference(0)),
        )
        .with_ca(
            Ca::new(0, Base64Text::from_bytes(ca_certificate), true).with_uri(
                CaUri::new(ClientAuthentication::KERBEROS, CES)
                    .with_priority(1)
                    .with_renewal_only(false),
            ),
        )
        .with_oid(
            Oid::new(TEMPLATE_OID, OidGroup::EnrollmentObject, 1).with_default_name("Machine"),
        )
        .with_oid(Oid::new("1.2.840.113549.1.1.1", OidGroup::PublicKey, 2).with_default_name("RSA"))
        .with_oid(
            Oid::new("2.16.840.1.101.3.4.2.1", OidGroup::HashAlgorithm, 3)
                .with_default_name("sha256"),
        )
}

fn soap<B: soap_envelope::Payload>(action: &str, payload: B) -> Vec<u8> {
    Envelope::new(
        Header::new()
            .with_action(action)
            .with_relates_to("urn:uuid:1"),
        payload,
    )
    .to_xml()
    .unwrap()
}

fn ok(body: &[u8]) -> Response<'_> {
    Response::new(200, CONTENT_TYPE, body)
}

fn events(e: &mut Enrollment) -> Vec<Event> {
    std::iter::from_fn(|| e.poll_event()).collect()
}

/// Runs GetPolicies with `answer`; returns the request sent.
fn get_policies(e: &mut Enrollment, answer: &GetPoliciesResponse) -> Envelope<GetPolicies> {
    let tx = e.poll_transmit(t(0), "urn:uuid:policies").unwrap();
    assert_eq!((tx.url.as_str(), tx.action), (CEP, GetPolicies::ACTION));
    assert_eq!(tx.content_type, CONTENT_TYPE);
    assert_eq!(e.state(), State::ExpectPolicies);
    assert!(e.poll_transmit(t(0), "urn:uuid:again").is_none());
    let sent = Envelope::<GetPolicies>::from_xml(&tx.body).unwrap();
    assert_eq!(sent.header.action(), Some(GetPolicies::ACTION));
    assert_eq!(sent.header.to(), Some(CEP));
    assert_eq!(sent.header.message_id(), Some("urn:uuid:policies"));
    let body = soap(GetPoliciesResponse::ACTION, answer.clone());
    e.handle_response(t(1), ok(&body)).unwrap();
    sent
}

fn requirements(e: &mut Enrollment) -> Requirements {
    let evs = events(e);
    assert!(matches!(evs[0], Event::PolicyReceived { .. }), "{evs:?}");
    let Event::CsrNeeded { requirements } = &evs[1] else {
        panic!("{evs:?}")
    };
    assert_eq!(e.state(), State::AwaitingCsr);
    (**requirements).clone()
}

/// Sends the RST; returns what was sent.
fn send_rst(e: &mut Enrollment, id: &str) -> (Transmit, wstep::RequestSecurityToken) {
    let tx = e.poll_transmit(t(2), id).unwrap();
    assert_eq!((tx.url.as_str(), tx.action), (CES, actions::RST));
    let env = Envelope::<WstepMessage>::from_xml(&tx.body).unwrap();
    assert_eq!(env.header.action(), Some(actions::RST));
    assert_eq!(env.header.to(), Some(CES));
    assert_eq!(env.header.message_id(), Some(id));
    let Some(WstepMessage::RequestSecurityToken(rst)) = env.payload() else {
        panic!("not an RST")
    };
    assert_eq!(e.state(), State::ExpectIssued);
    (tx, rst.clone())
}

fn enrolled_to_csr(ca: &[u8]) -> Enrollment {
    enrolled_to_csr_with(
        ca,
        Config::new(CEP, TemplateSelector::Name("Machine".into())),
    )
}

fn enrolled_to_csr_with(ca: &[u8], config: Config) -> Enrollment {
    let mut e = Enrollment::new(config);
    get_policies(&mut e, &policy(ca));
    let _ = requirements(&mut e);
    e.provide_csr(CSR).unwrap();
    e
}

/// The RSTRC document, issued certificate, PKCS#7 and CA certificate.
type SpecIssued = (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>);

/// The issued certificate and the PKCS#7 of the [MS-WSTEP] 4.1.1.2
/// example, and its issuing CA's certificate (from that PKCS#7).
fn spec_issued() -> Option<SpecIssued> {
    let spec = testkit::spec_dir()?;
    let xml = testkit::read_spec(spec, "wstep/4.1.1.2-RSTRC-issued.normalized.xml");
    let env = Envelope::<WstepMessage>::from_xml(&xml).unwrap();
    let Some(WstepMessage::RequestSecurityTokenResponseCollection(c)) = env.payload() else {
        panic!("not an RSTRC")
    };
    let rstr = c.response().unwrap();
    let cert = rstr.certificate().unwrap().decode_bytes().unwrap();
    let pkcs7 = rstr
        .binary_security_token
        .as_ref()
        .unwrap()
        .decode_bytes()
        .unwrap();
    let issued = Certificate::from_der(&cert).unwrap();
    let ca = wstep::payload::decode_signed_data(&pkcs7)
        .unwrap()
        .certificates
        .into_iter()
        .find(|c| c.tbs_certificate.subject == issued.tbs_certificate.issuer)
        .unwrap()
        .to_der()
        .unwrap();
    Some((xml, cert, pkcs7, ca))
}

fn issued_rstrc(cert: &[u8], pkcs7: &[u8], id: &str) -> Vec<u8> {
    let rstr = RequestSecurityTokenResponse::new()
        .with_disposition_message(DispositionMessage::new("Issued"))
        .with_binary_security_token(ValueKind::Pkcs7.token(pkcs7))
        .with_requested_security_token(RequestedSecurityToken::new(ValueKind::X509v3.token(cert)))
        .with_request_id(RequestId::new(id));
    soap(
        actions::RSTRC,
        WstepMessage::from(RequestSecurityTokenResponseCollection::new(rstr)),
    )
}

#[test]
fn get_policies_then_requirements() {
    let mut e = Enrollment::new(Config::new(CEP, TemplateSelector::Oid(TEMPLATE_OID.into())));
    assert_eq!(e.state(), State::SendPolicies);
    let sent = get_policies(&mut e, &policy(&[0x30, 0x00]));
    assert_eq!(sent.payload().unwrap().client.last_update, None);
    let r = requirements(&mut e);
    assert_eq!(r.template_name, "Machine");
    assert_eq!(r.minimal_key_length, 2048);
    assert_eq!(
        r.key_algorithm.as_ref().unwrap().oid,
        "1.2.840.113549.1.1.1"
    );
    assert_eq!(
        r.key_algorithm.as_ref().unwrap().name.as_deref(),
        Some("RSA")
    );
    assert_eq!(
        r.hash_algorithm.as_ref().unwrap().name.as_deref(),
        Some("sha256")
    );
    assert_eq!(r.key_spec, Some(KeySpec::AT_KEYEXCHANGE));
    assert!(r.subject.built_from_directory());
    assert!(!r.subject.enrollee_supplies_subject_alt_name);
    assert_eq!(
        r.template_extension,
        TemplateExtension::Info {
            oid: TEMPLATE_OID.into(),
            major: 5,
            minor: 1
        }
    );
    assert_eq!(r.template_extension.extension_oid(), "1.3.6.1.4.1.311.21.7");
    assert_eq!(r.endpoints.len(), 1);
    assert_eq!(r.endpoints[0].url, CES);
    assert_eq!(r.endpoints[0].ca_certificate, [0x30, 0x00]);
    assert_eq!(e.cached_policy().unwrap().retrieved_at(), t(1));
    // Nothing to send until the CSR comes.
    assert!(e.poll_transmit(t(2), "urn:uuid:x").is_none());
}

#[test]
fn mdm_policy_without_name_validity_permission_revision_or_policy_id() {
    // What MS-MDE2 servers send: the template is found by its OID, named by
    // the OID's defaultName, and the template extension has revision 0.0.
    let mut answer = policy(&[0x30, 0x00]);
    let response = answer.response.as_mut().unwrap();
    response.policy_id = None;
    let a = &mut response.policies.as_mut().unwrap()[0].attributes;
    a.common_name = None;
    a.certificate_validity = None;
    a.permission = None;
    a.revision = None;
    let mut e = Enrollment::new(Config::new(CEP, TemplateSelector::Oid(TEMPLATE_OID.into())));
    get_policies(&mut e, &answer);
    let r = requirements(&mut e);
    assert_eq!(r.template_name, "Machine");
    assert_eq!(r.minimal_key_length, 2048);
    assert_eq!(
        r.template_extension,
        TemplateExtension::Info {
            oid: TEMPLATE_OID.into(),
            major: 0,
            minor: 0
        }
    );
    assert_eq!(r.endpoints[0].url, CES);
}

#[test]
fn schema_1_template_extension_is_the_name() {
    let mut answer = policy(&[0x30, 0x00]);
    answer.response.as_mut().unwrap().policies.as_mut().unwrap()[0]
        .attributes
        .policy_schema = 1;
    let mut e = Enrollment::new(Config::new(CEP, TemplateSelector::Name("Machine".into())));
    get_policies(&mut e, &answer);
    assert_eq!(
        requirements(&mut e).template_extension,
        TemplateExtension::Name("Machine".into())
    );
}

#[test]
fn issue_rst_carries_the_csr() {
    let mut e = enrolled_to_csr(&[0x30, 0x00]);
    assert_eq!(e.state(), State::SendRequest);
    let (_, rst) = send_rst(&mut e, "urn:uuid:rst");
    assert_eq!(rst.request_type, RequestType::Issue);
    assert_eq!(rst.token_type.as_deref(), Some(actions::TOKEN_TYPE_X509V3));
    let token = rst.binary_security_token.as_ref().unwrap();
    assert_eq!(token.value_kind(), Some(ValueKind::Pkcs10));
    assert_eq!(token.decode_bytes().unwrap(), CSR);
    assert_eq!(
        rst.additional_context
            .as_ref()
            .unwrap()
            .certificate_template(),
        Some("Machine")
    );
}

#[test]
fn issued_spec_example() {
    let Some((xml, cert, _, ca)) = spec_issued() else {
        return;
    };
    let mut e = enrolled_to_csr(&ca);
    send_rst(&mut e, "urn:uuid:rst");
    e.handle_response(t(3), ok(&xml)).unwrap();
    assert_eq!(e.state(), State::Done);
    let evs = events(&mut e);
    let [
        Event::Issued {
            certificate,
            chain,
            check,
        },
    ] = evs.as_slice()
    else {
        panic!("{evs:?}")
    };
    assert_eq!(certificate.to_der().unwrap(), cert);
    assert!(chain.iter().any(|c| c.to_der().unwrap() == ca));
    assert_eq!(*check, ChainCheck::SignatureVerified);
}

#[test]
fn issued_by_another_ca_is_rejected() {
    let Some((xml, cert, _, _)) = spec_issued() else {
        return;
    };
    // The issued certificate itself as "CA": its subject is not the issuer.
    let mut e = enrolled_to_csr(&cert);
    send_rst(&mut e, "urn:uuid:rst");
    let err = e.handle_response(t(3), ok(&xml)).unwrap_err();
    assert!(matches!(err, Error::Chain(_)), "{err}");
    assert_eq!(e.state(), State::Failed);
    assert!(matches!(
        events(&mut e).as_slice(),
        [Event::Failed {
            error: Error::Chain(_)
        }]
    ));
}

#[test]
fn pending_then_query_then_issued() {
    let Some((_, cert, pkcs7, ca)) = spec_issued() else {
        return;
    };
    let mut e = enrolled_to_csr(&ca);
    send_rst(&mut e, "urn:uuid:rst");
    let pending = soap(
        actions::RSTRC,
        WstepMessage::from(RequestSecurityTokenResponseCollection::new(
            RequestSecurityTokenResponse::new()
                .with_disposition_message(DispositionMessage::new("Taken Under Submission"))
                .with_request_id(RequestId::new("42")),
        )),
    );
    e.handle_response(t(3), ok(&pending)).unwrap();
    assert_eq!(e.state(), State::Pending);
    assert_eq!(
        events(&mut e),
        [Event::Pending {
            request_id: "42".into(),
            message: Some("Taken Under Submission".into()),
            reference: None,
        }]
    );
    assert_eq!(e.request_id(), Some("42"));
    assert!(e.poll_transmit(t(4), "urn:uuid:none").is_none());

    e.query_pending().unwrap();
    let (_, rst) = send_rst(&mut e, "urn:uuid:query");
    assert_eq!(rst.request_type, RequestType::QueryTokenStatus);
    assert_eq!(rst.request_id.as_ref().unwrap().as_str(), Some("42"));
    assert!(rst.binary_security_token.is_none());

    e.handle_response(t(5), ok(&issued_rstrc(&cert, &pkcs7, "42")))
        .unwrap();
    assert_eq!(e.state(), State::Done);
    let evs = events(&mut e);
    assert!(
        matches!(evs.as_slice(), [Event::Issued { certificate, .. }] if certificate.to_der().unwrap() == cert)
    );
}

/// A pending RSTRC as AD CS writes it: default namespaces, a CMC status
/// token saying pending with the request ID in `pendInfo`, the reference
/// to the CES, and `RequestID` (left out when `id` is `None`).
fn ad_cs_pending(reference: &str, id: Option<&str>) -> Vec<u8> {
    let pend = wstep::payload::PendInfo::for_request_id(
        42,
        der::asn1::GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(1)).unwrap(),
    )
    .unwrap();
    let token =
        ValueKind::Pkcs7.token(&wstep::payload::build_cmc_pending_response(1, &pend).unwrap());
    let request_id = id.map_or_else(String::new, |id| {
        format!(
            r#"<RequestID xmlns="{}">{id}</RequestID>"#,
            wstep::NAMESPACE
        )
    });
    format!(
        r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing">
<s:Header><a:Action s:mustUnderstand="1">{action}</a:Action><a:RelatesTo>urn:uuid:rst</a:RelatesTo></s:Header>
<s:Body><RequestSecurityTokenResponseCollection xmlns="http://docs.oasis-open.org/ws-sx/ws-trust/200512">
<RequestSecurityTokenResponse>
<TokenType>http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3</TokenType>
<DispositionMessage xml:lang="en-US" xmlns="http://schemas.microsoft.com/windows/pki/2009/01/enrollment">Taken Under Submission</DispositionMessage>
<BinarySecurityToken ValueType="{vt}" EncodingType="{et}" xmlns="{wsse}">{b64}</BinarySecurityToken>
<RequestedSecurityToken><SecurityTokenReference xmlns="{wsse}"><Reference URI="{reference}"/></SecurityTokenReference></RequestedSecurityToken>
{request_id}
</RequestSecurityTokenResponse></RequestSecurityTokenResponseCollection></s:Body></s:Envelope>"#,
        action = actions::RSTRC,
        vt = token.value_type.as_deref().unwrap(),
        et = token.encoding_type.as_deref().unwrap(),
        wsse = soap_envelope::ns::WSSE,
        b64 = token.value,
    )
    .into_bytes()
}

#[test]
fn ad_cs_pending_answer_gives_reference_and_query_goes_there() {
    // The same origin as CES (ASCII case and the default port ignored).
    let reference = "https://CES.example:443/Other-CA_CES_Kerberos/service.svc/CES";
    let mut e = enrolled_to_csr(&[0x30, 0x00]);
    send_rst(&mut e, "urn:uuid:rst");
    e.handle_response(t(3), ok(&ad_cs_pending(reference, Some("42"))))
        .unwrap();
    assert_eq!(
        events(&mut e),
        [Event::Pending {
            request_id: "42".into(),
            message: Some("Taken Under Submission".into()),
            reference: Some(reference.into()),
        }]
    );
    assert_eq!(e.query_url(), Some(reference));
    e.query_pending().unwrap();
    let tx = e.poll_transmit(t(4), "urn:uuid:query").unwrap();
    assert_eq!(tx.url, reference);
    let env = Envelope::<WstepMessage>::from_xml(&tx.body).unwrap();
    assert_eq!(env.header.to(), Some(reference));
    let Some(WstepMessage::RequestSecurityToken(rst)) = env.payload() else {
        panic!("not an RST")
    };
    assert_eq!(rst.request_type, RequestType::QueryTokenStatus);
    assert_eq!(rst.request_id.as_ref().unwrap().as_str(), Some("42"));
}

#[test]
fn the_machine_schedules_its_own_polling_of_a_pending_request() {
    let config = Config::new(CEP, TemplateSelector::Name("Machine".into())).with_poll_interval(600);
    let mut e = enrolled_to_csr_with(&[0x30, 0x00], config);
    assert_eq!(e.poll_timeout(), None);
    send_rst(&mut e, "urn:uuid:rst");
    e.handle_response(t(3), ok(&ad_cs_pending(CES, Some("42"))))
        .unwrap();
    let _ = events(&mut e);
    // Ten minutes after the pending answer.
    assert_eq!(e.poll_timeout(), Some(t(603)));
    // Too early: nothing to send.
    e.handle_timeout(t(602));
    assert!(e.poll_transmit(t(602), "urn:uuid:early").is_none());
    // On time: the QueryTokenStatus for request 42.
    e.handle_timeout(t(603));
    assert_eq!(e.poll_timeout(), None);
    let (_, rst) = send_rst(&mut e, "urn:uuid:query");
    assert_eq!(rst.request_type, RequestType::QueryTokenStatus);
    assert_eq!(rst.request_id.as_ref().unwrap().as_str(), Some("42"));
    // Pending again: the next poll is ten minutes after that answer.
    e.handle_response(t(700), ok(&ad_cs_pending(CES, Some("42"))))
        .unwrap();
    assert_eq!(e.poll_timeout(), Some(t(1300)));
    // Without an interval the caller decides (query_pending), as before.
    let mut manual = enrolled_to_csr(&[0x30, 0x00]);
    send_rst(&mut manual, "urn:uuid:rst");
    manual
        .handle_response(t(3), ok(&ad_cs_pending(CES, Some("42"))))
        .unwrap();
    assert_eq!(manual.poll_timeout(), None);
}

#[test]
fn a_later_run_asks_about_a_pending_request_without_a_csr() {
    let Some((xml, cert, _, ca)) = spec_issued() else {
        return;
    };
    let reference = "https://CES.example:443/Other-CA_CES_Kerberos/service.svc/CES";
    let config = Config::new(CEP, TemplateSelector::Name("Machine".into()))
        .resuming(PendingRequest::new("42", Some(reference.into())));
    let mut e = Enrollment::new(config);
    get_policies(&mut e, &policy(&ca));
    // No CsrNeeded: the QueryTokenStatus goes out at once, to the
    // reference (same origin as the template's CES).
    assert!(
        !events(&mut e)
            .iter()
            .any(|ev| matches!(ev, Event::CsrNeeded { .. }))
    );
    let tx = e.poll_transmit(t(2), "urn:uuid:query").unwrap();
    assert_eq!(tx.url, reference);
    let env = Envelope::<WstepMessage>::from_xml(&tx.body).unwrap();
    let Some(WstepMessage::RequestSecurityToken(rst)) = env.payload() else {
        panic!("not an RST")
    };
    assert_eq!(rst.request_type, RequestType::QueryTokenStatus);
    assert_eq!(rst.request_id.as_ref().unwrap().as_str(), Some("42"));
    e.handle_response(t(3), ok(&xml)).unwrap();
    assert!(
        matches!(events(&mut e).as_slice(), [Event::Issued { certificate, .. }] if certificate.to_der().unwrap() == cert)
    );
    // A reference elsewhere is not followed.
    let config = Config::new(CEP, TemplateSelector::Name("Machine".into())).resuming(
        PendingRequest::new("42", Some("https://elsewhere.example/CES".into())),
    );
    let mut e = Enrollment::new(config);
    get_policies(&mut e, &policy(&ca));
    assert_eq!(e.poll_transmit(t(2), "urn:uuid:q").unwrap().url, CES);
}

#[test]
fn pending_request_id_from_cmc_and_foreign_reference_not_followed() {
    // No RequestID element: the ID comes from the CMC pendInfo. The
    // reference names another host: the query stays on the endpoint used.
    let reference = "https://elsewhere.example/CES";
    let mut e = enrolled_to_csr(&[0x30, 0x00]);
    send_rst(&mut e, "urn:uuid:rst");
    e.handle_response(t(3), ok(&ad_cs_pending(reference, None)))
        .unwrap();
    assert_eq!(
        events(&mut e),
        [Event::Pending {
            request_id: "42".into(),
            message: Some("Taken Under Submission".into()),
            reference: Some(reference.into()),
        }]
    );
    assert_eq!(e.request_id(), Some("42"));
    assert_eq!(e.query_url(), Some(CES));
    e.query_pending().unwrap();
    let (_, rst) = send_rst(&mut e, "urn:uuid:query");
    assert_eq!(rst.request_id.as_ref().unwrap().as_str(), Some("42"));
}

#[test]
fn denied_template() {
    let mut e = enrolled_to_csr(&[0x30, 0x00]);
    send_rst(&mut e, "urn:uuid:rst");
    let fault = CertificateEnrollmentWsDetail::new()
        .with_error_code(HResult::CERTSRV_E_TEMPLATE_DENIED)
        .with_request_id("43")
        .to_fault("Denied by Policy Module")
        .unwrap();
    let body =
        Envelope::<WstepMessage>::fault(Header::new().with_action(actions::DETAIL_FAULT), fault)
            .to_xml()
            .unwrap();
    let response = Response::new(500, "application/soap+xml; charset=utf-8", &body);
    e.handle_response(t(3), response).unwrap();
    assert_eq!(e.state(), State::Done);
    let evs = events(&mut e);
    let [
        Event::Denied {
            hresult,
            name,
            message,
            request_id,
        },
    ] = evs.as_slice()
    else {
        panic!("{evs:?}")
    };
    assert_eq!(*hresult, Some(HResult::CERTSRV_E_TEMPLATE_DENIED));
    assert_eq!(*name, Some("CERTSRV_E_TEMPLATE_DENIED"));
    assert_eq!(message, "Denied by Policy Module");
    assert_eq!(request_id.as_deref(), Some("43"));
}

#[test]
fn plain_fault_fails_with_its_reason() {
    let mut e = enrolled_to_csr(&[0x30, 0x00]);
    send_rst(&mut e, "urn:uuid:rst");
    let fault = soap_envelope::Fault::new(soap_envelope::FaultCodeValue::Receiver, "CES is down");
    let body = Envelope::<WstepMessage>::fault(Header::new(), fault)
        .to_xml()
        .unwrap();
    let response = Response::new(500, CONTENT_TYPE, &body);
    e.handle_response(t(3), response).unwrap();
    assert_eq!(e.state(), State::Failed);
    assert_eq!(
        events(&mut e),
        [Event::Failed {
            error: Error::Fault {
                reason: "CES is down".into()
            }
        }]
    );
}

#[test]
fn policies_not_changed_uses_the_cache() {
    let cached = policy(&[0x30, 0x00]);
    let config = Config::new(CEP, TemplateSelector::Name("Machine".into()))
        .with_cached_policy(CachedPolicy::new(cached.clone(), t(-3600)));
    let mut e = Enrollment::new(config);
    let sent = get_policies(&mut e, &not_changed_response(&cached));
    assert_eq!(sent.payload().unwrap().client.last_update, Some(t(-3600)));
    let evs = events(&mut e);
    assert_eq!(
        evs[0],
        Event::PolicyReceived {
            merge: Merge::NotChanged
        }
    );
    let Event::CsrNeeded { requirements } = &evs[1] else {
        panic!("{evs:?}")
    };
    assert_eq!(requirements.minimal_key_length, 2048);
    assert_eq!(requirements.endpoints[0].url, CES);
    let cache = e.cached_policy().unwrap();
    assert_eq!((cache.retrieved_at(), cache.checked_at()), (t(-3600), t(1)));
}

#[test]
fn not_changed_without_cache_is_an_error() {
    let mut e = Enrollment::new(Config::new(CEP, TemplateSelector::Name("Machine".into())));
    let tx = e.poll_transmit(t(0), "urn:uuid:p").unwrap();
    drop(tx);
    let body = soap(
        GetPoliciesResponse::ACTION,
        not_changed_response(&policy(&[0x30, 0x00])),
    );
    assert_eq!(
        e.handle_response(t(1), ok(&body)),
        Err(Error::NotChangedWithoutCache)
    );
    assert_eq!(e.state(), State::Failed);
}

#[test]
fn unknown_template() {
    let mut e = Enrollment::new(Config::new(CEP, TemplateSelector::Name("WebServer".into())));
    let tx = e.poll_transmit(t(0), "urn:uuid:p").unwrap();
    drop(tx);
    let body = soap(GetPoliciesResponse::ACTION, policy(&[0x30, 0x00]));
    let err = e.handle_response(t(1), ok(&body)).unwrap_err();
    assert_eq!(
        err,
        Error::UnknownTemplate(TemplateSelector::Name("WebServer".into()))
    );
    assert_eq!(e.state(), State::Failed);
    let evs = events(&mut e);
    assert!(
        matches!(
            evs.as_slice(),
            [
                Event::PolicyReceived { .. },
                Event::Failed {
                    error: Error::UnknownTemplate(_)
                }
            ]
        ),
        "{evs:?}"
    );
    assert!(e.poll_transmit(t(2), "urn:uuid:q").is_none());
}

#[test]
fn wrong_content_type_and_status() {
    let mut e = Enrollment::new(Config::new(CEP, TemplateSelector::Name("Machine".into())));
    e.poll_transmit(t(0), "urn:uuid:p").unwrap();
    let body = soap(GetPoliciesResponse::ACTION, policy(&[0x30, 0x00]));
    let html = Response::new(200, "text/html", &body);
    assert_eq!(
        e.handle_response(t(1), html),
        Err(Error::ContentType("text/html".into()))
    );

    let mut e = Enrollment::new(Config::new(CEP, TemplateSelector::Name("Machine".into())));
    e.poll_transmit(t(0), "urn:uuid:p").unwrap();
    let not_a_fault = Response::new(503, CONTENT_TYPE, b"<html/>");
    assert_eq!(
        e.handle_response(t(1), not_a_fault),
        Err(Error::HttpStatus(503))
    );
}

#[test]
fn renewal_sends_the_pkcs7() {
    let config = Config::new(CEP, TemplateSelector::Name("Machine".into())).with_mode(Mode::Renew);
    let mut e = Enrollment::new(config);
    get_policies(&mut e, &policy(&[0x30, 0x00]));
    let _ = requirements(&mut e);
    assert!(matches!(e.provide_csr(CSR), Err(Error::WrongState { .. })));
    e.provide_renewal_request(&[0x30, 0x00]).unwrap();
    let (_, rst) = send_rst(&mut e, "urn:uuid:renew");
    assert_eq!(rst.request_type, RequestType::Renew);
    let token = rst.binary_security_token.as_ref().unwrap();
    assert_eq!(token.value_kind(), Some(ValueKind::Pkcs7));
    assert_eq!(token.decode_bytes().unwrap(), [0x30, 0x00]);
}

#[test]
fn username_token_rides_on_every_request_with_must_understand() {
    let Some((_, _, _, ca)) = spec_issued() else {
        return;
    };
    let config = Config::new(CEP, TemplateSelector::Name("Machine".into()))
        .with_username_password("alice", "s3cret");
    let token_of = |security: Option<soap_envelope::Security>| {
        let security = security.unwrap();
        assert!(security.attrs.must_understand);
        let token = security.username_token.unwrap();
        (token.username, token.password.unwrap().value)
    };
    let mut e = Enrollment::new(config);
    let sent = get_policies(&mut e, &policy(&ca));
    assert_eq!(
        token_of(sent.header.security),
        ("alice".into(), "s3cret".into())
    );
    let _ = requirements(&mut e);
    e.provide_csr(CSR).unwrap();
    let tx = e.poll_transmit(t(2), "urn:uuid:r").unwrap();
    let env = Envelope::<WstepMessage>::from_xml(&tx.body).unwrap();
    assert_eq!(
        token_of(env.header.security),
        ("alice".into(), "s3cret".into())
    );
}
