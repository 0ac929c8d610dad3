//! parse(write(v)) == v for generated requests, responses and fault
//! details.

#![allow(clippy::unwrap_used, missing_docs)]

use proptest::prelude::*;
use soap_envelope::{AnyElement, BinarySecurityToken, Envelope, Header, OwnedQName};
use wstep::hresult::HResult;
use wstep::{
    AdditionalContext, CertificateEnrollmentWsDetail, ContextItem, DispositionMessage,
    KeyExchangeToken, Reference, RequestId, RequestSecurityToken, RequestSecurityTokenResponse,
    RequestSecurityTokenResponseCollection, RequestType, RequestedSecurityToken,
    SecurityTokenReference, ValueKind, WstepMessage,
};

/// Text without surrounding whitespace (the fields that trim it).
fn trimmed() -> impl Strategy<Value = String> {
    "[A-Za-z0-9<&>\"'][A-Za-z0-9 <&>./:-]{0,20}[A-Za-z0-9.]|[A-Za-z0-9]?"
}

/// Any text (the fields kept exactly).
fn text() -> impl Strategy<Value = String> {
    "[ A-Za-z0-9<&>\"'\n\t.:-]{0,24}"
}

fn uri() -> impl Strategy<Value = String> {
    "urn:[a-z]{1,8}(:[a-z0-9]{1,8}){0,2}"
}

fn token() -> impl Strategy<Value = BinarySecurityToken> {
    (
        prop_oneof![
            Just(ValueKind::Pkcs10),
            Just(ValueKind::Pkcs7),
            Just(ValueKind::Cmc),
            Just(ValueKind::X509v3)
        ],
        proptest::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(|(k, der)| k.token(&der))
}

fn request_id() -> impl Strategy<Value = Option<RequestId>> {
    prop_oneof![
        Just(None),
        Just(Some(RequestId::nil())),
        "[0-9]{1,6}".prop_map(|s| Some(RequestId::new(s))),
    ]
}

fn unknown() -> impl Strategy<Value = Vec<AnyElement>> {
    proptest::collection::vec(
        ("[a-z]{1,8}", text()).prop_map(|(n, t)| {
            let mut e = AnyElement::new(OwnedQName::new(Some("urn:ext".into()), n));
            if !t.trim().is_empty() {
                e = e.with_text(t);
            }
            e
        }),
        0..2,
    )
}

fn request_type() -> impl Strategy<Value = RequestType> {
    prop_oneof![
        Just(RequestType::Issue),
        Just(RequestType::Renew),
        Just(RequestType::QueryTokenStatus),
        Just(RequestType::KeyExchangeToken),
        uri().prop_map(RequestType::Other),
    ]
}

fn additional_context() -> impl Strategy<Value = Option<AdditionalContext>> {
    proptest::option::of(
        proptest::collection::vec(("[A-Za-z]{1,12}", text()), 0..5).prop_map(|items| {
            let mut c = AdditionalContext::new();
            for (n, v) in items {
                c = c.with_item(n, v);
            }
            if let Some(first) = c.items.first_mut() {
                first.scope = Some("urn:scope".into());
            }
            c.items
                .push(ContextItem::new("CertificateTemplate", "User"));
            c
        }),
    )
}

prop_compose! {
    fn rst()(
        rt in request_type(),
        token_type in proptest::option::of(uri()),
        context in proptest::option::of(uri()),
        lang in proptest::option::of("[a-z]{2}-[A-Z]{2}"),
        bst in proptest::option::of(token()),
        ac in additional_context(),
        id in request_id(),
        unknown in unknown(),
    ) -> RequestSecurityToken {
        let mut r = RequestSecurityToken::new(rt);
        r.token_type = token_type;
        r.context = context;
        r.preferred_language = lang;
        r.binary_security_token = bst;
        r.additional_context = ac;
        r.request_id = id;
        r.unknown = unknown;
        r
    }
}

prop_compose! {
    fn rstr()(
        token_type in proptest::option::of(uri()),
        disposition in proptest::option::of((proptest::option::of(trimmed()), proptest::option::of("[a-z]{2}-[A-Z]{2}"))),
        bst in proptest::option::of(token()),
        issued in proptest::option::of(token()),
        ket in proptest::option::of(token()),
        reference in proptest::option::of((uri(), proptest::option::of(uri()))),
        id in request_id(),
        unknown in unknown(),
    ) -> RequestSecurityTokenResponse {
        let mut r = RequestSecurityTokenResponse::new();
        r.token_type = token_type;
        r.disposition_message = disposition.map(|(text, lang)| {
            let mut d = DispositionMessage::new("");
            d.text = text;
            d.lang = lang;
            d
        });
        r.binary_security_token = bst;
        r.requested_security_token = match (issued, ket, reference) {
            (None, None, None) => None,
            (issued, ket, reference) => {
                let mut t = RequestedSecurityToken::default();
                t.binary_security_token = issued;
                t.key_exchange_token = ket.map(KeyExchangeToken::new);
                t.security_token_reference = reference.map(|(uri, value_type)| {
                    let mut s = SecurityTokenReference::new("");
                    let mut reference = Reference::new(uri);
                    reference.value_type = value_type;
                    s.reference = Some(reference);
                    Box::new(s)
                });
                Some(t)
            }
        };
        r.request_id = id;
        r.unknown = unknown;
        r
    }
}

prop_compose! {
    fn detail()(
        br in proptest::option::of("[A-Za-z0-9+/]{1,12}={0,2}"),
        code in proptest::option::of(any::<i32>()),
        invalid in proptest::option::of(any::<bool>()),
        id in proptest::option::of(trimmed().prop_filter("non-empty", |s| !s.is_empty())),
    ) -> CertificateEnrollmentWsDetail {
        let mut d = CertificateEnrollmentWsDetail::new();
        d.binary_response = br;
        d.error_code = code.map(HResult);
        d.invalid_request = invalid;
        d.request_id = id;
        d
    }
}

fn via_envelope(m: WstepMessage) -> WstepMessage {
    let bytes = Envelope::new(Header::new(), m).to_xml().unwrap();
    Envelope::<WstepMessage>::from_xml(&bytes)
        .unwrap()
        .payload()
        .unwrap()
        .clone()
}

proptest! {
    #[test]
    fn rst_round_trips(r in rst()) {
        let again = RequestSecurityToken::from_xml(&r.to_xml().unwrap()).unwrap();
        prop_assert_eq!(&again, &r);
        let m = WstepMessage::from(r);
        prop_assert_eq!(via_envelope(m.clone()), m);
    }

    #[test]
    fn rstrc_round_trips(responses in proptest::collection::vec(rstr(), 1..3)) {
        let mut c = RequestSecurityTokenResponseCollection::new(responses[0].clone());
        c.responses = responses;
        let again = RequestSecurityTokenResponseCollection::from_xml(&c.to_xml().unwrap()).unwrap();
        prop_assert_eq!(&again, &c);
        let single = WstepMessage::from(c.responses[0].clone());
        prop_assert_eq!(via_envelope(single.clone()), single);
        let m = WstepMessage::from(c);
        prop_assert_eq!(via_envelope(m.clone()), m);
    }

    #[test]
    fn detail_round_trips(d in detail()) {
        let again = CertificateEnrollmentWsDetail::from_xml(&d.to_xml().unwrap()).unwrap();
        prop_assert_eq!(&again, &d);
        let fault = d.to_fault("refused").unwrap();
        let bytes = Envelope::<WstepMessage>::fault(Header::new(), fault).to_xml().unwrap();
        let env = Envelope::<WstepMessage>::from_xml(&bytes).unwrap();
        let read = CertificateEnrollmentWsDetail::from_fault(env.as_fault().unwrap()).unwrap().unwrap();
        prop_assert_eq!(read, d);
    }
}
