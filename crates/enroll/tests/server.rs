//! The server half: GetPolicies answers and envelope faults, RST
//! decisions, and the reply builders. CSRs are made with OpenSSL; OpenSSL
//! missing skips those tests (panics in CI).

#![allow(clippy::unwrap_used, missing_docs)]

use std::path::Path;

use cepces_enroll::server::{
    AccessEntry, Decision, EnrollmentServer, Permissions, PolicyServer, Principal, Reply,
    RequestContext, StoredState, denied_reply, issued_reply, pending_reply,
};
use der::Decode;
use soap_envelope::fault::subcode;
use soap_envelope::xsd::DateTime;
use soap_envelope::{Envelope, Fault, FaultCodeValue, Header, OwnedQName};
use testkit::openssl_or_skip;
use testkit::{csr, openssl, tmp_dir};
use wstep::hresult::HResult;
use wstep::{
    AdditionalContext, CertificateEnrollmentWsDetail, RequestId, RequestSecurityToken, RequestType,
    ValueKind, WstepMessage, actions,
};
use x509_cert::Certificate;
use xcep::flags::EnrollmentFlags;
use xcep::{
    Attributes, CertificateEnrollmentPolicy, CertificateValidity, Client, EnrollmentPermission,
    GetPolicies, GetPoliciesResponse, Oid, OidGroup, PrivateKeyAttributes, RequestFilter, Response,
    Revision, XcepMessage,
};

const CEP_URL: &str = "https://cep.example.com/ADPolicyProvider_CEP_Kerberos/service.svc/CEP";
const CES_URL: &str = "https://ces.example.com/Example-CA_CES_Kerberos/service.svc/CES";
const USER_OID: &str = "1.3.6.1.4.1.311.21.8.1.1";
const PENDING_OID: &str = "1.3.6.1.4.1.311.21.8.1.2";
const ADMIN_OID: &str = "1.3.6.1.4.1.311.21.8.1.3";

fn now() -> DateTime {
    "2024-05-01T12:00:00Z".parse().unwrap()
}

fn last_update() -> DateTime {
    "2024-04-01T00:00:00Z".parse().unwrap()
}

fn template(name: &str, oid_ref: i32, flags: EnrollmentFlags) -> CertificateEnrollmentPolicy {
    CertificateEnrollmentPolicy::new(
        oid_ref,
        Attributes::new(
            name,
            2,
            CertificateValidity::new(31_536_000, 3_628_800),
            EnrollmentPermission::new(true, false),
            PrivateKeyAttributes::new(2048),
            Revision::new(100, 0),
        )
        .with_enrollment_flags(flags),
    )
}

fn policy() -> GetPoliciesResponse {
    GetPoliciesResponse::new()
        .with_response(
            Response::new("{policy}")
                .with_next_update_hours(8)
                .with_policy(template("User", 1, EnrollmentFlags::empty()))
                .with_policy(template("PendUser", 2, EnrollmentFlags::PEND_ALL_REQUESTS))
                .with_policy(template("Admin", 3, EnrollmentFlags::empty())),
        )
        .with_oid(Oid::new(USER_OID, OidGroup::EnrollmentObject, 1))
        .with_oid(Oid::new(PENDING_OID, OidGroup::EnrollmentObject, 2))
        .with_oid(Oid::new(ADMIN_OID, OidGroup::EnrollmentObject, 3))
}

fn permissions() -> Permissions {
    Permissions::new()
        .with_enroll("User", ["Domain Users"])
        .with_enroll("Admin", ["Domain Admins"])
}

fn alice() -> Principal {
    Principal::new("EXAMPLE\\alice", ["Domain Users"])
}

fn ctx(url: &str) -> RequestContext {
    RequestContext::new(url, now()).with_principal(alice())
}

fn header(action: &str, to: &str) -> Header {
    Header::new()
        .with_action(action)
        .with_message_id("urn:uuid:11111111-2222-3333-4444-555555555555")
        .with_to(to)
}

fn get_policies(request: GetPolicies, action: &str, to: &str) -> Vec<u8> {
    Envelope::new(header(action, to), XcepMessage::GetPolicies(request))
        .to_xml()
        .unwrap()
}

fn read_policies(reply: &Reply) -> Envelope<XcepMessage> {
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type, "application/soap+xml; charset=utf-8");
    Envelope::<XcepMessage>::from_xml(&reply.body).unwrap()
}

fn read_fault(reply: &Reply) -> Fault {
    assert_eq!(reply.status, 500);
    assert_eq!(reply.content_type, "application/soap+xml; charset=utf-8");
    let env = Envelope::<WstepMessage>::from_xml(&reply.body).unwrap();
    env.as_fault().unwrap().clone()
}

fn relates_to<B>(env: &Envelope<B>) -> Option<&str> {
    env.header.relates_to.first().map(|r| r.value.as_str())
}

fn server() -> PolicyServer {
    PolicyServer::new(policy(), last_update()).with_permissions(permissions())
}

#[test]
fn get_policies_answers_with_relates_to_and_permissions() {
    let request = get_policies(
        GetPolicies::new(Client::new()),
        GetPolicies::ACTION,
        CEP_URL,
    );
    let reply = server()
        .handle_get_policies(&request, &ctx(CEP_URL))
        .unwrap();
    let env = read_policies(&reply);
    assert_eq!(env.header.action(), Some(GetPoliciesResponse::ACTION));
    assert_eq!(
        relates_to(&env),
        Some("urn:uuid:11111111-2222-3333-4444-555555555555")
    );
    let Some(XcepMessage::GetPoliciesResponse(answer)) = env.payload() else {
        panic!("not a GetPoliciesResponse");
    };
    let enroll: Vec<_> = answer
        .policies()
        .iter()
        .map(|p| {
            (
                p.attributes.common_name.as_deref().unwrap(),
                p.attributes.permission.as_ref().unwrap().enroll,
            )
        })
        .collect();
    assert_eq!(
        enroll,
        [("User", true), ("PendUser", true), ("Admin", false)]
    );
}

#[test]
fn get_policies_applies_the_filter() {
    let request = GetPolicies::new(Client::new())
        .with_request_filter(RequestFilter::new().with_policy_oid(PENDING_OID));
    let bytes = get_policies(request, GetPolicies::ACTION, CEP_URL);
    let reply = server().handle_get_policies(&bytes, &ctx(CEP_URL)).unwrap();
    let env = read_policies(&reply);
    let Some(XcepMessage::GetPoliciesResponse(answer)) = env.payload() else {
        panic!("not a GetPoliciesResponse");
    };
    let names: Vec<_> = answer
        .policies()
        .iter()
        .map(|p| p.attributes.common_name.as_deref().unwrap())
        .collect();
    assert_eq!(names, ["PendUser"]);
}

#[test]
fn get_policies_not_changed_for_a_current_client() {
    let request = GetPolicies::new(Client::new().with_last_update(last_update()));
    let bytes = get_policies(request, GetPolicies::ACTION, CEP_URL);
    let reply = server().handle_get_policies(&bytes, &ctx(CEP_URL)).unwrap();
    let env = read_policies(&reply);
    let Some(XcepMessage::GetPoliciesResponse(answer)) = env.payload() else {
        panic!("not a GetPoliciesResponse");
    };
    let response = answer.response.as_ref().unwrap();
    assert_eq!(response.policies_not_changed, Some(true));
    assert!(answer.policies().is_empty());
    assert!(answer.cas.is_none() && answer.oids.is_none());

    // An older lastUpdate gets the whole policy.
    let older =
        GetPolicies::new(Client::new().with_last_update("2024-03-01T00:00:00Z".parse().unwrap()));
    let bytes = get_policies(older, GetPolicies::ACTION, CEP_URL);
    let reply = server().handle_get_policies(&bytes, &ctx(CEP_URL)).unwrap();
    let env = read_policies(&reply);
    let Some(XcepMessage::GetPoliciesResponse(answer)) = env.payload() else {
        panic!("not a GetPoliciesResponse");
    };
    assert_eq!(answer.policies().len(), 3);
}

fn subcodes(fault: &Fault) -> Vec<OwnedQName> {
    fault.code.subcodes.clone()
}

#[test]
fn wrong_action_is_action_not_supported() {
    let bytes = get_policies(GetPolicies::new(Client::new()), actions::RST, CEP_URL);
    let reply = server().handle_get_policies(&bytes, &ctx(CEP_URL)).unwrap();
    let fault = read_fault(&reply);
    assert_eq!(fault.code.value, FaultCodeValue::Sender);
    assert_eq!(
        subcodes(&fault),
        [OwnedQName::from(subcode::ACTION_NOT_SUPPORTED)]
    );
    let env = Envelope::<WstepMessage>::from_xml(&reply.body).unwrap();
    assert_eq!(
        relates_to(&env),
        Some("urn:uuid:11111111-2222-3333-4444-555555555555")
    );
}

#[test]
fn wrong_to_is_destination_unreachable() {
    let bytes = get_policies(
        GetPolicies::new(Client::new()),
        GetPolicies::ACTION,
        "https://elsewhere.example.com/CEP",
    );
    let reply = server().handle_get_policies(&bytes, &ctx(CEP_URL)).unwrap();
    let fault = read_fault(&reply);
    assert_eq!(fault.code.value, FaultCodeValue::Sender);
    assert_eq!(
        subcodes(&fault),
        [OwnedQName::from(subcode::DESTINATION_UNREACHABLE)]
    );
}

#[test]
fn soap11_is_version_mismatch() {
    let bytes = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
  <s:Body><GetPolicies xmlns="http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy"/></s:Body>
</s:Envelope>"#;
    let reply = server().handle_get_policies(bytes, &ctx(CEP_URL)).unwrap();
    let fault = read_fault(&reply);
    assert_eq!(fault.code.value, FaultCodeValue::VersionMismatch);
}

#[test]
fn unknown_must_understand_header_is_must_understand() {
    let xml = format!(
        r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing">
  <s:Header>
    <a:Action s:mustUnderstand="1">{}</a:Action>
    <a:MessageID>urn:uuid:1</a:MessageID>
    <a:To s:mustUnderstand="1">{CEP_URL}</a:To>
    <x:Strange xmlns:x="urn:example" s:mustUnderstand="true">1</x:Strange>
  </s:Header>
  <s:Body><GetPolicies xmlns="http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy"><client><lastUpdate/><preferredLanguage/></client><requestFilter/></GetPolicies></s:Body>
</s:Envelope>"#,
        GetPolicies::ACTION
    );
    let reply = server()
        .handle_get_policies(xml.as_bytes(), &ctx(CEP_URL))
        .unwrap();
    let fault = read_fault(&reply);
    assert_eq!(fault.code.value, FaultCodeValue::MustUnderstand);
    assert!(fault.reason_text(None).unwrap().contains("Strange"));
}

// ---------------------------------------------------------------- OpenSSL

const RSA2048: &[&str] = &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"];
const RSA1024: &[&str] = &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"];

fn rst(csr_der: &[u8], template: Option<&str>) -> Vec<u8> {
    let mut rst = RequestSecurityToken::new(RequestType::Issue)
        .with_binary_security_token(ValueKind::Pkcs10.token(csr_der));
    if let Some(name) = template {
        rst = rst.with_additional_context(
            AdditionalContext::new().with_item("CertificateTemplate", name),
        );
    }
    Envelope::new(header(actions::RST, CES_URL), WstepMessage::from(rst))
        .to_xml()
        .unwrap()
}

fn ces() -> EnrollmentServer {
    EnrollmentServer::new(policy()).with_permissions(permissions())
}

fn denied_with(decision: &Decision) -> HResult {
    let hresult = decision
        .hresult()
        .unwrap_or_else(|| panic!("not a denial: {decision:?}"));
    // The reply carries it too.
    let reply = decision.reply().unwrap().unwrap();
    let fault = read_fault(&reply);
    let detail = CertificateEnrollmentWsDetail::from_fault(&fault)
        .unwrap()
        .unwrap();
    assert_eq!(detail.error_code, Some(hresult));
    let env = Envelope::<WstepMessage>::from_xml(&reply.body).unwrap();
    assert_eq!(env.header.action(), Some(actions::DETAIL_FAULT));
    hresult
}

fn self_signed(dir: &Path, cn: &str) -> Certificate {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "k.pem",
            "-subj",
            &format!("/CN={cn}"),
            "-days",
            "30",
            "-outform",
            "DER",
            "-out",
            "c.der",
        ],
    );
    Certificate::from_der(&std::fs::read(dir.join("c.der")).unwrap()).unwrap()
}

#[test]
fn issue_for_an_allowed_caller_with_a_2048_bit_key() {
    openssl_or_skip!();
    let dir = tmp_dir("issue");
    let der = csr(&dir, RSA2048, "/CN=alice", &[]);
    let decision = ces().decide(&rst(&der, Some("User")), &ctx(CES_URL));
    let Decision::Issue(issue) = &decision else {
        panic!("not issued: {decision:?}");
    };
    assert_eq!(issue.template_name(), "User");
    assert_eq!(issue.csr.key_bits(), Some(2048));
    assert_eq!(issue.not_before, now());
    assert_eq!(
        issue.not_after.to_unix() - issue.not_before.to_unix(),
        31_536_000
    );
    assert_eq!(
        issue.relates_to.as_deref(),
        Some("urn:uuid:11111111-2222-3333-4444-555555555555")
    );

    // The caller's CA signs; here a self-signed certificate stands in.
    let ca = self_signed(&dir, "Example CA");
    let leaf_dir = tmp_dir("issue-leaf");
    self_signed(&leaf_dir, "alice");
    let issued = std::fs::read(leaf_dir.join("c.der")).unwrap();
    let reply = issue.issued_reply("42", &issued, &[ca]).unwrap();
    assert_eq!(reply.status, 200);
    let env = Envelope::<WstepMessage>::from_xml(&reply.body).unwrap();
    assert_eq!(env.header.action(), Some(actions::RSTRC));
    assert_eq!(
        relates_to(&env),
        Some("urn:uuid:11111111-2222-3333-4444-555555555555")
    );
    let Some(WstepMessage::RequestSecurityTokenResponseCollection(rstrc)) = env.payload() else {
        panic!("not an RSTRC");
    };
    let rstr = rstrc.response().unwrap();
    assert_eq!(
        rstr.disposition_message.as_ref().unwrap().text.as_deref(),
        Some("Issued")
    );
    assert_eq!(rstr.request_id, Some(RequestId::new("42")));
    assert_eq!(
        wstep::BinarySecurityTokenExt::decode_bytes(rstr.certificate().unwrap()).unwrap(),
        issued
    );
    let pkcs7 = rstr.binary_security_token.as_ref().unwrap();
    assert!(matches!(
        wstep::decode_token(pkcs7).unwrap(),
        wstep::TokenContent::Pkcs7(_)
    ));
}

#[test]
fn template_name_from_the_csr_extension() {
    openssl_or_skip!();
    let dir = tmp_dir("ext");
    let der = csr(
        &dir,
        RSA2048,
        "/CN=alice",
        &["-addext", "1.3.6.1.4.1.311.20.2=ASN1:BMPSTRING:User"],
    );
    let decision = ces().decide(&rst(&der, None), &ctx(CES_URL));
    assert!(
        matches!(&decision, Decision::Issue(i) if i.template_name() == "User"),
        "{decision:?}"
    );
}

#[test]
fn short_key_is_key_length() {
    openssl_or_skip!();
    let dir = tmp_dir("short");
    let der = csr(&dir, RSA1024, "/CN=alice", &[]);
    let decision = ces().decide(&rst(&der, Some("User")), &ctx(CES_URL));
    assert_eq!(denied_with(&decision), HResult::CERTSRV_E_KEY_LENGTH);
}

#[test]
fn caller_without_permission_is_template_denied() {
    openssl_or_skip!();
    let dir = tmp_dir("denied");
    let der = csr(&dir, RSA2048, "/CN=alice", &[]);
    let decision = ces().decide(&rst(&der, Some("Admin")), &ctx(CES_URL));
    assert_eq!(denied_with(&decision), HResult::CERTSRV_E_TEMPLATE_DENIED);
    // A domain admin may.
    let admin = RequestContext::new(CES_URL, now())
        .with_principal(Principal::new("EXAMPLE\\root", ["Domain Admins"]));
    assert!(matches!(
        ces().decide(&rst(&der, Some("Admin")), &admin),
        Decision::Issue(_)
    ));
}

/// Access lists as a template's security descriptor gives them (SIDs in
/// the principal's groups): the first entry about a right that names the
/// caller decides; denied templates are left out of GetPolicies; CES
/// refuses what GetPolicies did not offer.
fn access_lists() -> Permissions {
    const USERS: &str = "S-1-5-21-1-2-3-513";
    const ADMINS: &str = "S-1-5-21-1-2-3-512";
    Permissions::new()
        // Users enroll; AutoEnroll only for the admins.
        .with_access(
            "User",
            [
                AccessEntry::allow(USERS, true, false),
                AccessEntry::allow(ADMINS, false, true),
            ],
        )
        // Mallory is denied before the group is allowed.
        .with_access(
            "PendUser",
            [
                AccessEntry::deny("S-1-5-21-1-2-3-1106", true, true),
                AccessEntry::allow(USERS, true, true),
            ],
        )
        // Nobody but the admins.
        .with_access("Admin", [AccessEntry::allow(ADMINS, true, true)])
        .omitting_denied()
}

#[test]
fn access_lists_decide_enroll_and_auto_enroll_per_caller() {
    let offered = |who: Principal| {
        let request = get_policies(
            GetPolicies::new(Client::new()),
            GetPolicies::ACTION,
            CEP_URL,
        );
        let ctx = RequestContext::new(CEP_URL, now()).with_principal(who);
        let reply = PolicyServer::new(policy(), last_update())
            .with_permissions(access_lists())
            .handle_get_policies(&request, &ctx)
            .unwrap();
        let env = read_policies(&reply);
        let Some(XcepMessage::GetPoliciesResponse(answer)) = env.payload() else {
            panic!("not a GetPoliciesResponse");
        };
        answer
            .policies()
            .iter()
            .map(|p| {
                let perm = p.attributes.permission.as_ref().unwrap();
                (
                    p.attributes.common_name.clone().unwrap(),
                    perm.enroll,
                    perm.auto_enroll,
                )
            })
            .collect::<Vec<_>>()
    };
    let user = |sid: &str| {
        Principal::new(
            format!("EXAMPLE\\{sid}"),
            [sid, "S-1-5-21-1-2-3-513", "S-1-5-11", "S-1-1-0"],
        )
    };
    let owned = |v: &[(&str, bool, bool)]| {
        v.iter()
            .map(|&(n, e, a)| (n.to_owned(), e, a))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        offered(user("S-1-5-21-1-2-3-1105")),
        owned(&[("User", true, false), ("PendUser", true, true)])
    );
    // The deny entry comes first: PendUser is not offered to mallory.
    assert_eq!(
        offered(user("S-1-5-21-1-2-3-1106")),
        owned(&[("User", true, false)])
    );
    // An admin (not in Domain Users): AutoEnroll on User without Enroll,
    // so User is not offered; Admin is.
    let admin = Principal::new("EXAMPLE\\root", ["S-1-5-21-1-2-3-512", "S-1-5-11"]);
    assert_eq!(offered(admin), owned(&[("Admin", true, true)]));
    // Nobody authenticated: nothing.
    let request = get_policies(
        GetPolicies::new(Client::new()),
        GetPolicies::ACTION,
        CEP_URL,
    );
    let reply = PolicyServer::new(policy(), last_update())
        .with_permissions(access_lists())
        .handle_get_policies(&request, &RequestContext::new(CEP_URL, now()))
        .unwrap();
    let env = read_policies(&reply);
    let Some(XcepMessage::GetPoliciesResponse(answer)) = env.payload() else {
        panic!("not a GetPoliciesResponse");
    };
    assert!(answer.policies().is_empty());
}

#[test]
fn ces_enforces_the_access_list() {
    openssl_or_skip!();
    let dir = tmp_dir("acl-denied");
    let der = csr(&dir, RSA2048, "/CN=alice", &[]);
    let ces = EnrollmentServer::new(policy()).with_permissions(access_lists());
    let as_ = |name: &str, groups: &[&str]| {
        RequestContext::new(CES_URL, now()).with_principal(Principal::new(name, groups.to_vec()))
    };
    let mallory = as_(
        "EXAMPLE\\mallory",
        &["S-1-5-21-1-2-3-1106", "S-1-5-21-1-2-3-513"],
    );
    assert_eq!(
        denied_with(&ces.decide(&rst(&der, Some("PendUser")), &mallory)),
        HResult::CERTSRV_E_TEMPLATE_DENIED
    );
    assert!(matches!(
        ces.decide(&rst(&der, Some("User")), &mallory),
        Decision::Issue(_)
    ));
    let root = as_("EXAMPLE\\root", &["S-1-5-21-1-2-3-512"]);
    assert_eq!(
        denied_with(&ces.decide(&rst(&der, Some("User")), &root)),
        HResult::CERTSRV_E_TEMPLATE_DENIED
    );
}

#[test]
fn fault_detail_is_written_in_the_default_namespace_as_ad_cs_writes_it() {
    openssl_or_skip!();
    let dir = tmp_dir("detail-prefix");
    let der = csr(&dir, RSA2048, "/CN=alice", &[]);
    let decision = ces().decide(&rst(&der, Some("NoSuchTemplate")), &ctx(CES_URL));
    let reply = decision.reply().unwrap().unwrap();
    let body = String::from_utf8(reply.body).unwrap();
    // wstep's prefix table, not a generated `ns0`: MS-WSTEP 4.3's fault.
    assert!(
        body.contains(&format!(
            "<CertificateEnrollmentWSDetail xmlns=\"{}\"",
            wstep::NAMESPACE
        )),
        "{body}"
    );
    assert!(!body.contains("xmlns:ns0"), "{body}");
}

#[test]
fn unknown_template_is_unsupported_cert_type() {
    openssl_or_skip!();
    let dir = tmp_dir("unknown");
    let der = csr(&dir, RSA2048, "/CN=alice", &[]);
    let decision = ces().decide(&rst(&der, Some("NoSuchTemplate")), &ctx(CES_URL));
    assert_eq!(
        denied_with(&decision),
        HResult::CERTSRV_E_UNSUPPORTED_CERT_TYPE
    );
    let decision = ces().decide(&rst(&der, None), &ctx(CES_URL));
    assert_eq!(denied_with(&decision), HResult::CERTSRV_E_NO_CERT_TYPE);
}

#[test]
fn corrupted_signature_is_bad_signature() {
    openssl_or_skip!();
    let dir = tmp_dir("badsig");
    let mut der = csr(&dir, RSA2048, "/CN=alice", &[]);
    let last = der.len() - 1;
    der[last] ^= 0x01;
    let decision = ces().decide(&rst(&der, Some("User")), &ctx(CES_URL));
    assert_eq!(denied_with(&decision), HResult::NTE_BAD_SIGNATURE);
}

/// `der` with its `signatureAlgorithm` OID replaced.
fn relabelled(der: &[u8], oid: &str) -> Vec<u8> {
    use der::Encode;
    let mut req = x509_cert::request::CertReq::from_der(der).unwrap();
    req.algorithm.oid = der::asn1::ObjectIdentifier::new_unwrap(oid);
    req.to_der().unwrap()
}

#[test]
fn windows_mdm_oiw_sha1_csr_is_issued_and_md5_is_bad_algid() {
    openssl_or_skip!();
    let dir = tmp_dir("oiw");
    let der = csr(&dir, RSA2048, "/CN=alice", &["-sha1"]);
    // Windows MDM clients label RSA PKCS#1 v1.5 over SHA-1 with the OIW OID.
    let oiw = relabelled(&der, "1.3.14.3.2.29");
    let decision = ces().decide(&rst(&oiw, Some("User")), &ctx(CES_URL));
    assert!(
        matches!(&decision, Decision::Issue(i) if i.template_name() == "User"),
        "{decision:?}"
    );
    let md5 = relabelled(&der, "1.2.840.113549.1.1.4");
    let decision = ces().decide(&rst(&md5, Some("User")), &ctx(CES_URL));
    assert_eq!(denied_with(&decision), HResult::NTE_BAD_ALGID);
}

#[test]
fn garbage_token_is_asn1_bad_tag() {
    let decision = ces().decide(&rst(b"not a request", Some("User")), &ctx(CES_URL));
    assert_eq!(denied_with(&decision), HResult::CRYPT_E_ASN1_BADTAG);
}

#[test]
fn pend_all_requests_template_pends() {
    openssl_or_skip!();
    let dir = tmp_dir("pend");
    let der = csr(&dir, RSA2048, "/CN=alice", &[]);
    let decision = ces().decide(&rst(&der, Some("PendUser")), &ctx(CES_URL));
    let Decision::Pend(pend) = &decision else {
        panic!("not pending: {decision:?}");
    };
    let reply = pend.pending_reply("7").unwrap();
    assert_eq!(reply.status, 200);
    let env = Envelope::<WstepMessage>::from_xml(&reply.body).unwrap();
    let Some(WstepMessage::RequestSecurityTokenResponseCollection(rstrc)) = env.payload() else {
        panic!("not an RSTRC");
    };
    let rstr = rstrc.response().unwrap();
    assert_eq!(rstr.request_id, Some(RequestId::new("7")));
    assert_pending_answer(rstr, "7");
    // The reference is in the bytes as MS-WSTEP 3.1.4.1.3.2 has it.
    let text = String::from_utf8(reply.body.clone()).unwrap();
    assert!(text.contains(&format!(r#"URI="{CES_URL}""#)), "{text}");
    // The reply validates as a whole envelope.
    if let Some(spec) = testkit::spec_dir()
        && let Some(v) =
            testkit::validate_bytes(spec, "deps/envelope-all.xsd", "pending.xml", &reply.body)
    {
        assert!(v.is_clean_pass(), "{v:#?}");
    }
}

/// A pending RSTR: no certificate, the reference to [`CES_URL`], the
/// disposition, the request ID, and a CMC status token saying pending
/// with the ID in its `pendInfo`.
fn assert_pending_answer(rstr: &wstep::RequestSecurityTokenResponse, id: &str) {
    assert!(rstr.certificate().is_none());
    assert_eq!(
        rstr.token_reference().map(|r| r.uri.as_str()),
        Some(CES_URL)
    );
    assert_eq!(rstr.request_id, Some(RequestId::new(id)));
    assert_eq!(
        rstr.disposition_message.as_ref().unwrap().text.as_deref(),
        Some("Pending")
    );
    let token = rstr.binary_security_token.as_ref().unwrap();
    let p7 = wstep::payload::SignedPayload::from_der(
        &wstep::BinarySecurityTokenExt::decode_bytes(token).unwrap(),
    )
    .unwrap();
    let pend = p7.pend_info().unwrap().unwrap();
    assert_eq!(
        pend.request_id().map(|n| n.to_string()).as_deref(),
        Some(id)
    );
}

#[test]
fn rst_envelope_checks() {
    let request = RequestSecurityToken::new(RequestType::Issue);
    let wrong_action = Envelope::new(
        header(GetPolicies::ACTION, CES_URL),
        WstepMessage::from(request.clone()),
    )
    .to_xml()
    .unwrap();
    let Decision::Reject { fault, .. } = ces().decide(&wrong_action, &ctx(CES_URL)) else {
        panic!("not rejected");
    };
    assert_eq!(
        subcodes(&fault),
        [OwnedQName::from(subcode::ACTION_NOT_SUPPORTED)]
    );
    let wrong_to = Envelope::new(header(actions::RST, CEP_URL), WstepMessage::from(request))
        .to_xml()
        .unwrap();
    let Decision::Reject { fault, .. } = ces().decide(&wrong_to, &ctx(CES_URL)) else {
        panic!("not rejected");
    };
    assert_eq!(
        subcodes(&fault),
        [OwnedQName::from(subcode::DESTINATION_UNREACHABLE)]
    );
}

#[test]
fn query_token_status_uses_the_store() {
    let query = |id: &str| {
        let rst = RequestSecurityToken::new(RequestType::QueryTokenStatus)
            .with_request_id(RequestId::new(id));
        Envelope::new(header(actions::RST, CES_URL), WstepMessage::from(rst))
            .to_xml()
            .unwrap()
    };
    let lookup = |id: &str| (id == "7").then_some(StoredState::Pending);
    let decision = ces().decide_with(&query("7"), &ctx(CES_URL), lookup);
    let Decision::Status(status) = &decision else {
        panic!("no status: {decision:?}");
    };
    assert_eq!(status.state, StoredState::Pending);
    let reply = decision.reply().unwrap().unwrap();
    assert_eq!(reply.status, 200);
    let env = Envelope::<WstepMessage>::from_xml(&reply.body).unwrap();
    let Some(WstepMessage::RequestSecurityTokenResponseCollection(rstrc)) = env.payload() else {
        panic!("not an RSTRC");
    };
    assert_pending_answer(rstrc.response().unwrap(), "7");
    let decision = ces().decide_with(&query("8"), &ctx(CES_URL), lookup);
    assert_eq!(denied_with(&decision), HResult::CERTSRV_E_NO_REQUEST);
}

#[test]
fn reply_builders_parse_back() {
    let reply = denied_reply(
        HResult::CERTSRV_E_TEMPLATE_DENIED,
        "Denied by Policy Module",
        Some("9"),
        Some("urn:uuid:1"),
    )
    .unwrap();
    let fault = read_fault(&reply);
    let detail = CertificateEnrollmentWsDetail::from_fault(&fault)
        .unwrap()
        .unwrap();
    assert_eq!(detail.error_code, Some(HResult::CERTSRV_E_TEMPLATE_DENIED));
    assert_eq!(detail.request_id.as_deref(), Some("9"));
    assert_eq!(fault.reason_text(None), Some("Denied by Policy Module"));
    let env = Envelope::<WstepMessage>::from_xml(&reply.body).unwrap();
    assert_eq!(env.header.action(), Some(actions::DETAIL_FAULT));
    assert_eq!(relates_to(&env), Some("urn:uuid:1"));

    let reply = pending_reply("3", CES_URL, DateTime::from_unix(0, 0), None).unwrap();
    assert_eq!(reply.status, 200);
    let env = Envelope::<WstepMessage>::from_xml(&reply.body).unwrap();
    let Some(WstepMessage::RequestSecurityTokenResponseCollection(rstrc)) = env.payload() else {
        panic!("not an RSTRC");
    };
    assert_pending_answer(rstrc.response().unwrap(), "3");
    // An ID that is not a number gets the reference but no CMC token.
    let reply = pending_reply("req-3", CES_URL, DateTime::from_unix(0, 0), None).unwrap();
    let env = Envelope::<WstepMessage>::from_xml(&reply.body).unwrap();
    let Some(WstepMessage::RequestSecurityTokenResponseCollection(rstrc)) = env.payload() else {
        panic!("not an RSTRC");
    };
    let rstr = rstrc.response().unwrap();
    assert_eq!(
        rstr.token_reference().map(|r| r.uri.as_str()),
        Some(CES_URL)
    );
    assert!(rstr.binary_security_token.is_none());
    assert!(issued_reply("1", b"garbage", &[], None).is_err());
}

#[test]
fn to_in_another_case_or_missing_is_accepted() {
    let lower = get_policies(
        GetPolicies::new(Client::new()),
        GetPolicies::ACTION,
        &CEP_URL.to_ascii_lowercase(),
    );
    let reply = server().handle_get_policies(&lower, &ctx(CEP_URL)).unwrap();
    assert_eq!(reply.status, 200);
    let header = Header::new()
        .with_action(GetPolicies::ACTION)
        .with_message_id("urn:uuid:11111111-2222-3333-4444-555555555555");
    let no_to = Envelope::new(
        header,
        XcepMessage::GetPolicies(GetPolicies::new(Client::new())),
    )
    .to_xml()
    .unwrap();
    let reply = server().handle_get_policies(&no_to, &ctx(CEP_URL)).unwrap();
    assert_eq!(reply.status, 200);
    let env = read_policies(&reply);
    assert!(matches!(
        env.payload(),
        Some(XcepMessage::GetPoliciesResponse(_))
    ));
}

#[test]
fn into_reply_never_fails() {
    openssl_or_skip!();
    let dir = tmp_dir("into-reply");
    let der = csr(&dir, RSA2048, "/CN=alice", &[]);
    // A rejection is answered by the decision itself: the denial fault.
    let denied = ces().decide(&rst(&der, Some("Admin")), &ctx(CES_URL));
    let reply = denied.into_reply(|_| unreachable!("a rejection records nothing"));
    assert_eq!(reply.status, 500);
    let detail = CertificateEnrollmentWsDetail::from_fault(&read_fault(&reply))
        .unwrap()
        .unwrap();
    assert_eq!(detail.error_code, Some(HResult::CERTSRV_E_TEMPLATE_DENIED));
    // Pend: the caller records it and answers.
    let pend = ces().decide(&rst(&der, Some("PendUser")), &ctx(CES_URL));
    assert!(matches!(pend, Decision::Pend(_)), "{pend:?}");
    let reply = pend.into_reply(|request| request.pending_reply("7"));
    assert_eq!(reply.status, 200);
    // A reply that cannot be written is the last-resort fault.
    let issue = ces().decide(&rst(&der, Some("User")), &ctx(CES_URL));
    let reply = issue.into_reply(|request| request.issued_reply("8", b"not DER", &[]));
    assert_eq!(reply, Reply::internal_error());
    let fault = read_fault(&reply);
    assert_eq!(fault.code.value, soap_envelope::FaultCodeValue::Receiver);
    assert_eq!(
        fault.reason_text(None),
        Some("The server could not process the request.")
    );
}
