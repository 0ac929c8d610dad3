//! The properties the fuzz targets check, one function per target.
//!
//! Each function takes any bytes and panics only when a property fails:
//! reading never panics (errors are fine), and what reads, written again,
//! reads to the same value. The targets in `fuzz_targets/` call these under
//! libFuzzer (nightly, `cargo fuzz`); `crates/cepces/tests/fuzz_replay.rs`
//! includes this file and replays every corpus and regression input through
//! the same functions on stable Rust, as part of the normal test suite.
//!
//! `TARGETS` names every target with its function: the replay test runs
//! all of them over every input.
#![allow(clippy::missing_panics_doc, clippy::expect_used)]

use soap_envelope::{
    AnyElement, Body, Envelope, FromXml, Limits, Payload, ReadOptions, ToXml, XmlWriter,
    read_document,
};
use wstep::mde2::{Discover, DiscoverNamespace, DiscoverResponse};
use wstep::payload::{decode_certificate, decode_csr, decode_pki_data, decode_signed_data};
use wstep::{ValueKind, WstepMessage, decode_token};
use xcep::XcepMessage;

use cepces_enroll::client::{Config, Enrollment, Response as HttpAnswer, TemplateSelector};
use cepces_enroll::server::{
    EnrollmentServer, Permissions, PolicyServer, Principal, RequestContext,
};
use soap_envelope::xsd::DateTime;
use xcep::{
    Attributes, CertificateEnrollmentPolicy, CertificateValidity, EnrollmentPermission,
    GetPoliciesResponse, Oid, OidGroup, PrivateKeyAttributes, Response, Revision,
};

/// A property: panics when it fails on the input.
pub type Property = fn(&[u8]);

/// Every fuzz target: its name (the file in `fuzz_targets/`) and property.
pub const TARGETS: &[(&str, Property)] = &[
    ("envelope", envelope),
    ("envelope_roundtrip", envelope_roundtrip),
    ("xcep_roundtrip", xcep_roundtrip),
    ("wstep_roundtrip", wstep_roundtrip),
    ("wstep_payload", wstep_payload),
    ("discover_roundtrip", discover_roundtrip),
    ("inspect", inspect),
    ("enroll", enroll),
];

/// `envelope`: reading any bytes as an envelope, with and without SOAP 1.1,
/// and as a bare element, never panics.
pub fn envelope(data: &[u8]) {
    let _ = Envelope::<AnyElement>::from_xml(data);
    let _ =
        Envelope::<AnyElement>::from_xml_with(data, &ReadOptions::default().accept_soap11(true));
    let _ = read_document::<AnyElement>(data, &Limits::default());
}

/// `envelope_roundtrip`: an envelope that reads, written again, reads to
/// the same value.
pub fn envelope_roundtrip(data: &[u8]) {
    if let Ok(env) = Envelope::<AnyElement>::from_xml(data) {
        roundtrip_envelope(env, |_| {});
    }
}

/// `xcep_roundtrip`: MS-XCEP messages, as an envelope and bare, read and
/// written again read the same; resolving a response never panics.
pub fn xcep_roundtrip(data: &[u8]) {
    if let Ok(env) = Envelope::<XcepMessage>::from_xml(data) {
        roundtrip_envelope(env, |_| {});
    }
    if let Ok(msg) = read_document::<XcepMessage>(data, &Limits::default()) {
        if let XcepMessage::GetPoliciesResponse(r) = &msg {
            let _ = r.resolve();
        }
        roundtrip_bare(&msg);
    }
}

/// `wstep_roundtrip`: MS-WSTEP messages, as an envelope and bare, read and
/// written again read the same.
pub fn wstep_roundtrip(data: &[u8]) {
    if let Ok(env) = Envelope::<WstepMessage>::from_xml(data) {
        roundtrip_envelope(env, |_| {});
    }
    if let Ok(msg) = read_document::<WstepMessage>(data, &Limits::default()) {
        roundtrip_bare(&msg);
    }
}

/// `wstep_payload`: any bytes as a token's DER, and as its (possibly
/// broken) base64 text with any value type: decoding never panics, nor
/// does what a server does next with a decoded request (key size,
/// signature check, the CSR inside a CMC or PKCS#7 wrapper).
pub fn wstep_payload(data: &[u8]) {
    if let Ok(csr) = decode_csr(data) {
        let _ = csr.key_bits();
        let _ = csr.verify_signature();
    }
    if let Ok(signed) = decode_signed_data(data) {
        if let Some(csr) = signed.request() {
            let _ = csr.key_bits();
        }
        let _ = signed.verify_signer();
    }
    let _ = decode_certificate(data);
    if let Ok(pki) = decode_pki_data(data) {
        let _ = pki.certification_requests();
    }
    for kind in [
        ValueKind::Pkcs7,
        ValueKind::Pkcs10,
        ValueKind::X509v3,
        ValueKind::Cmc,
    ] {
        let _ = decode_token(&kind.token(data));
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let mut token = ValueKind::Pkcs7.token(&[]);
        text.clone_into(&mut token.value);
        let _ = decode_token(&token);
        token.value_type = None;
        let _ = decode_token(&token);
    }
}

/// `discover_roundtrip`: MS-MDE2 Discover and DiscoverResponse, as an
/// envelope and bare, read and written again read the same, but for the
/// namespace spelling read, which is kept while the schema's is always
/// written.
pub fn discover_roundtrip(data: &[u8]) {
    if let Ok(env) = Envelope::<Discover>::from_xml(data) {
        roundtrip_envelope(env, |p| p.namespace = DiscoverNamespace::Schema);
    }
    if let Ok(env) = Envelope::<DiscoverResponse>::from_xml(data) {
        roundtrip_envelope(env, |p| p.namespace = DiscoverNamespace::Schema);
    }
    if let Ok(mut m) = Discover::from_xml(data) {
        let bytes = m.to_xml().expect("a parsed message can be written");
        m.namespace = DiscoverNamespace::Schema;
        let again = Discover::from_xml(&bytes).expect("what we write parses");
        assert_eq!(again, m);
    }
    if let Ok(mut m) = DiscoverResponse::from_xml(data) {
        let bytes = m.to_xml().expect("a parsed message can be written");
        m.namespace = DiscoverNamespace::Schema;
        let again = DiscoverResponse::from_xml(&bytes).expect("what we write parses");
        assert_eq!(again, m);
    }
}

/// `inspect`: what `cepces inspect` runs (reading, the typed views, the
/// text and JSON renderings) never panics, and its JSON is JSON.
pub fn inspect(data: &[u8]) {
    for soap11 in [false, true] {
        let options = ReadOptions::default().accept_soap11(soap11);
        let text = cepces::inspect(data, &options, cepces::Accept::Any, false);
        let json = cepces::inspect(data, &options, cepces::Accept::Any, true);
        assert_eq!(text.bad_input, json.bad_input);
        assert!(
            serde_json::from_str::<serde_json::Value>(&json.stdout).is_ok(),
            "inspect --json printed something that is not JSON"
        );
    }
    let _ = cepces::inspect(
        data,
        &ReadOptions::default(),
        cepces::Accept::EnvelopeOnly,
        false,
    );
}

/// Writes `env`, reads it again, and checks the value is the same, after
/// `normalize` has been applied to the payload read first.
fn roundtrip_envelope<T>(mut env: Envelope<T>, normalize: impl Fn(&mut T))
where
    T: Payload + PartialEq + std::fmt::Debug,
{
    if let Body::Payload(p) = &mut env.body {
        normalize(p);
    }
    let bytes = env.to_xml().expect("a parsed envelope can be written");
    let again = Envelope::<T>::from_xml(&bytes).expect("what we write parses");
    assert_eq!(env, again);
}

/// Writes a bare message, reads it again, and checks the value is the same.
fn roundtrip_bare<T>(msg: &T)
where
    T: for<'a> FromXml<'a> + ToXml + PartialEq + std::fmt::Debug,
{
    let mut w = XmlWriter::new();
    msg.write(&mut w).expect("a parsed message can be written");
    let bytes = w.into_bytes().expect("complete");
    let again = read_document::<T>(&bytes, &Limits::default()).expect("what we write parses");
    assert_eq!(msg, &again);
}

/// `enroll`: what faces the network in `cepces-enroll`. Any bytes as a
/// request to the CEP and CES servers give a reply, never a panic, and
/// every reply they write reads back as SOAP 1.2; any bytes as the answer
/// to the client's GetPolicies (as 200 and as 500) leave the machine in a
/// state it reports, never a panic.
pub fn enroll(data: &[u8]) {
    static SERVERS: std::sync::OnceLock<(PolicyServer, EnrollmentServer)> =
        std::sync::OnceLock::new();
    let (cep, ces) = SERVERS.get_or_init(|| {
        let policy = fuzz_policy();
        let permissions = Permissions::new().with_enroll("User", ["Domain Users"]);
        let now = fuzz_now();
        (
            PolicyServer::new(policy.clone(), now).with_permissions(permissions.clone()),
            EnrollmentServer::new(policy).with_permissions(permissions),
        )
    });
    let now = fuzz_now();
    let ctx = |url: &str| {
        RequestContext::new(url, now)
            .with_principal(Principal::new("EXAMPLE\\alice", ["Domain Users"]))
    };
    if let Ok(reply) = cep.handle_get_policies(data, &ctx(CEP_URL)) {
        let read = Envelope::<XcepMessage>::from_xml(&reply.body);
        assert!(read.is_ok(), "a CEP reply does not read: {read:?}");
    }
    let decision = ces.decide(data, &ctx(CES_URL));
    if let Some(Ok(reply)) = decision.reply() {
        let read = Envelope::<WstepMessage>::from_xml(&reply.body);
        assert!(read.is_ok(), "a CES reply does not read: {read:?}");
    }
    for status in [200, 500] {
        let mut client = Enrollment::new(
            Config::new(CEP_URL, TemplateSelector::Name("User".into()))
                .with_username_password("alice", "pw"),
        );
        let _ = client.poll_transmit(now, "urn:uuid:00000000-0000-0000-0000-000000000001");
        let _ = client.handle_response(
            now,
            HttpAnswer::new(status, soap_envelope::CONTENT_TYPE, data),
        );
        while client.poll_event().is_some() {}
        let _ = client.state();
    }
}

const CEP_URL: &str =
    "https://cep.example.com/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP";
const CES_URL: &str = "https://ces.example.com/Example-CA_CES_UsernamePassword/service.svc/CES";

fn fuzz_now() -> DateTime {
    DateTime::from_unix(1_780_000_000, 0)
}

/// One template, `User`, enrollable by Domain Users.
fn fuzz_policy() -> GetPoliciesResponse {
    let template = CertificateEnrollmentPolicy::new(
        1,
        Attributes::new(
            "User",
            2,
            CertificateValidity::new(31_536_000, 3_628_800),
            EnrollmentPermission::new(true, false),
            PrivateKeyAttributes::new(2048),
            Revision::new(100, 0),
        ),
    );
    GetPoliciesResponse::new()
        .with_response(
            Response::new("{fuzz}")
                .with_next_update_hours(8)
                .with_policy(template),
        )
        .with_oid(Oid::new(
            "1.3.6.1.4.1.311.21.8.1.1",
            OidGroup::EnrollmentObject,
            1,
        ))
}
