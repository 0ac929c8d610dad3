//! Property tests: any envelope the writer produces is well-formed XML and
//! reads back equal to the value written.
//!
//! The strategies generate values already in the reader's normal form:
//! URIs (Action, To, MessageID, Address, RelationshipType, ValueType,
//! EncodingType, Type, role, Node, Nonce) with no leading, trailing or
//! repeated whitespace; Username and BinarySecurityToken text without
//! surrounding whitespace; `AnyElement` content with adjacent text nodes
//! merged, no empty text node, and no whitespace-only text next to child
//! elements. Password, Reason text, attribute values and other text are
//! arbitrary XML characters.
//!
//! Every strategy is boxed: unboxed, the envelope strategy's type is so
//! deep that generating a value overflows a test thread's stack in a debug
//! build.

#![allow(clippy::unwrap_used, missing_docs)]

mod ms_ns;

use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::Config;

use soap_envelope::security::{PASSWORD_DIGEST, PASSWORD_TEXT, VALUE_TYPE_X509V3};
use soap_envelope::xsd::DateTime;
use soap_envelope::{
    AnyAttribute, AnyElement, AnyNode, BinarySecurityToken, Detail, EndpointReference, Envelope,
    Fault, FaultCodeValue, Header, HeaderAttrs, HeaderValue, Limits, OwnedQName, Password,
    ReasonText, RelatesTo, Security, Timestamp, UnknownHeader, UsernameToken, ns, read_document,
};

// ---------------------------------------------------------------------------
// Characters and strings.

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Any XML character, biased towards ones that need escaping or are
/// otherwise interesting to a reader (line ends, NEL, LS, astral planes).
fn xml_char() -> BoxedStrategy<char> {
    prop_oneof![
        6 => proptest::char::range('a', 'z'),
        3 => select(vec![
            ' ', ' ', '\t', '\n', '\r', '&', '<', '>', '"', '\'', ']', ';', '#', ':', '/', '=',
            '?', '%', '\u{85}', '\u{2028}', '\u{A0}', 'é', '€', '中', '\u{1F600}', '\u{FFFD}',
            '\u{E000}', '\u{10FFFF}', '\u{D7FF}',
        ]),
        1 => any::<char>().prop_filter("an XML character", |c| is_xml_char(*c)),
    ]
    .boxed()
}

fn non_ws_char() -> BoxedStrategy<char> {
    xml_char()
        .prop_filter("not whitespace", |c| !is_ws(*c))
        .boxed()
}

/// Arbitrary XML text (possibly empty, possibly all whitespace).
fn xml_text(max: usize) -> BoxedStrategy<String> {
    prop::collection::vec(xml_char(), 0..max)
        .prop_map(|v| v.into_iter().collect())
        .boxed()
}

/// Text without leading or trailing whitespace (Username, token values).
fn trimmed_text(max: usize) -> BoxedStrategy<String> {
    xml_text(max)
        .prop_map(|s| s.trim_matches(is_ws).to_owned())
        .boxed()
}

/// Text in the `collapse` normal form: words joined by single spaces.
fn collapsed_text() -> BoxedStrategy<String> {
    prop::collection::vec(
        prop::collection::vec(non_ws_char(), 1..10).prop_map(|v| v.into_iter().collect::<String>()),
        0..4,
    )
    .prop_map(|words| words.join(" "))
    .boxed()
}

/// A URI-like value in normal form: usually a plausible URI, sometimes any
/// collapsed text.
fn uri() -> BoxedStrategy<String> {
    prop_oneof![
        3 => select(vec![
            "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies",
            "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RST/wstep",
            "http://www.w3.org/2005/08/addressing/anonymous",
            "urn:uuid:5fb5f6fd-4709-414b-8afa-0c05f6686d1c",
            "https://cep.example.com/service.svc/CEP?a=1&b=<2>",
            "",
        ])
        .prop_map(str::to_owned),
        2 => "(urn|http|https):[a-zA-Z0-9/._?&=#%-]{0,30}",
        2 => collapsed_text(),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------
// Names.

/// Namespaces that may appear anywhere below a known element, including the
/// ones the writer declares on the Envelope.
const ANY_NS: &[&str] = &[
    ns::SOAP12,
    ns::SOAP11,
    ns::WSA,
    ns::WSSE,
    ns::WSU,
    ns::WST,
    ns::XSI,
    ns::XS,
    ns::DS,
    ms_ns::AUTH,
    ms_ns::XCEP,
    ms_ns::WSTEP,
    ms_ns::MDE2,
];

/// Namespaces that no known element of the envelope uses: safe for the root
/// of a payload, an unknown header block or an extension element. Some need
/// escaping in a namespace declaration.
const FOREIGN_NS: &[&str] = &[
    ms_ns::XCEP,
    ms_ns::WSTEP,
    ms_ns::MDE2,
    ns::WST,
    ns::DS,
    "urn:example:a",
    "urn:example:b",
    "http://example.com/ns?x=1&y=2",
    "urn:quote\"apos'lt<gt>",
    "urn:tab\tand\u{A0}nbsp",
    "urn:é:中",
];

fn namespace_any() -> BoxedStrategy<String> {
    prop_oneof![
        select(ANY_NS).prop_map(str::to_owned),
        select(FOREIGN_NS).prop_map(str::to_owned),
        "urn:r[a-z0-9]{1,6}",
    ]
    .boxed()
}

fn namespace_foreign() -> BoxedStrategy<String> {
    prop_oneof![
        select(FOREIGN_NS).prop_map(str::to_owned),
        "urn:r[a-z0-9]{1,6}",
    ]
    .boxed()
}

/// An NCName that the writer accepts and that does not start with the
/// reserved `xml`.
fn ncname() -> BoxedStrategy<String> {
    prop_oneof![
        4 => "[a-zA-Z_][a-zA-Z0-9_.-]{0,8}",
        1 => select(vec!["é", "Жук", "中文", "_", "a.b-c", "Ωmega9", "straße"]).prop_map(str::to_owned),
    ]
    .prop_filter("not reserved", |n| !n.to_ascii_lowercase().starts_with("xml"))
    // Keeps the re-indentation test simple: no element of a payload is
    // written as `<s:Header>` or `<s:Body>`.
    .prop_filter("not an envelope element name", |n| n != "Header" && n != "Body")
    .boxed()
}

fn qname(namespace: BoxedStrategy<String>) -> impl Strategy<Value = OwnedQName> {
    (prop::option::weighted(0.7, namespace), ncname()).prop_map(|(n, l)| OwnedQName::new(n, l))
}

fn element_name_any() -> BoxedStrategy<OwnedQName> {
    qname(namespace_any().boxed()).boxed()
}

fn element_name_foreign() -> BoxedStrategy<OwnedQName> {
    qname(namespace_foreign().boxed()).boxed()
}

/// Attributes with distinct expanded names; unqualified, in a foreign
/// namespace, or in the `xml:` namespace. Never in the SOAP envelope
/// namespace (whose `mustUnderstand`/`role`/`relay` are header attributes).
fn attributes(max: usize) -> BoxedStrategy<Vec<AnyAttribute>> {
    let name = prop_oneof![
        3 => ncname().prop_map(|l| OwnedQName::new(None, l)),
        2 => (namespace_foreign(), ncname()).prop_map(|(n, l)| OwnedQName::new(Some(n), l)),
        1 => select(vec!["lang", "space", "base", "id"])
            .prop_map(|l| OwnedQName::new(Some(ns::XML.to_owned()), l)),
    ];
    prop::collection::vec((name, xml_text(12)), 0..max)
        .prop_map(|attrs| {
            let mut out: Vec<AnyAttribute> = Vec::new();
            for (name, value) in attrs {
                if !out.iter().any(|a| a.name == name) {
                    out.push(AnyAttribute::new(name, value));
                }
            }
            out
        })
        .boxed()
}

// ---------------------------------------------------------------------------
// AnyElement trees.

/// Puts content in the reader's normal form: adjacent text merged, empty
/// text dropped, whitespace-only text dropped when there are child elements.
fn normalize_children(children: Vec<AnyNode>) -> Vec<AnyNode> {
    let mut merged: Vec<AnyNode> = Vec::new();
    for c in children {
        match (c, merged.last_mut()) {
            (AnyNode::Text(t), Some(AnyNode::Text(prev))) => prev.push_str(&t),
            (c, _) => merged.push(c),
        }
    }
    merged.retain(|c| !matches!(c, AnyNode::Text(t) if t.is_empty()));
    if merged.iter().any(|c| matches!(c, AnyNode::Element(_))) {
        merged.retain(|c| !matches!(c, AnyNode::Text(t) if t.chars().all(is_ws)));
    }
    merged
}

fn any_element_with(name: BoxedStrategy<OwnedQName>) -> BoxedStrategy<AnyElement> {
    let leaf = (
        element_name_any(),
        attributes(3),
        prop::option::of(xml_text(16)),
    )
        .prop_map(|(name, attributes, text)| {
            let mut el = AnyElement::new(name);
            el.attributes = attributes;
            el.children = normalize_children(text.map(AnyNode::Text).into_iter().collect());
            el
        });
    let tree = leaf.prop_recursive(3, 24, 4, |inner| {
        (
            element_name_any(),
            attributes(3),
            prop::collection::vec(
                prop_oneof![
                    2 => inner.prop_map(AnyNode::Element),
                    1 => xml_text(10).prop_map(AnyNode::Text),
                ],
                0..5,
            ),
        )
            .prop_map(|(name, attributes, children)| {
                let mut el = AnyElement::new(name);
                el.attributes = attributes;
                el.children = normalize_children(children);
                el
            })
    });
    (name, tree)
        .prop_map(|(name, mut el)| {
            el.name = name;
            el
        })
        .boxed()
}

/// An element whose own name is foreign (payloads, unknown header blocks,
/// extension elements), with any names below it.
fn foreign_element() -> BoxedStrategy<AnyElement> {
    any_element_with(element_name_foreign())
}

// ---------------------------------------------------------------------------
// Header values.

fn date_time() -> BoxedStrategy<DateTime> {
    // 0001-01-01T00:00:00Z ..= 9999-12-31T23:59:59Z
    (
        -62_135_596_800_i64..=253_402_300_799_i64,
        prop_oneof![
            Just(0_u32),
            0_u32..1_000_000_000,
            Just(123_000_000),
            Just(1)
        ],
    )
        .prop_map(|(secs, nanos)| DateTime::from_unix(secs, nanos))
        .boxed()
}

fn header_attrs() -> BoxedStrategy<HeaderAttrs> {
    (
        any::<bool>(),
        prop::option::weighted(0.3, uri()),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(must_understand, role, relay)| {
            let mut v = HeaderAttrs::default();
            v.must_understand = must_understand;
            v.role = role;
            v.relay = relay;
            v
        })
        .boxed()
}

fn header_value() -> BoxedStrategy<HeaderValue> {
    (uri(), header_attrs())
        .prop_map(|(value, attrs)| {
            let mut v = HeaderValue::default();
            v.value = value;
            v.attrs = attrs;
            v
        })
        .boxed()
}

fn relates_to() -> BoxedStrategy<RelatesTo> {
    (uri(), prop::option::of(uri()), header_attrs())
        .prop_map(|(value, relationship_type, attrs)| {
            let mut v = RelatesTo::default();
            v.value = value;
            v.relationship_type = relationship_type;
            v.attrs = attrs;
            v
        })
        .boxed()
}

fn endpoint_reference() -> BoxedStrategy<EndpointReference> {
    (
        uri(),
        prop::collection::vec(foreign_element(), 0..3),
        prop::collection::vec(foreign_element(), 0..2),
        header_attrs(),
    )
        .prop_map(|(address, reference_parameters, other, attrs)| {
            let mut v = EndpointReference::default();
            v.address = address;
            v.reference_parameters = reference_parameters;
            v.other = other;
            v.attrs = attrs;
            v
        })
        .boxed()
}

fn timestamp() -> BoxedStrategy<Timestamp> {
    (
        prop::option::of(xml_text(8)),
        prop::option::of(date_time()),
        prop::option::of(date_time()),
    )
        .prop_map(|(id, created, expires)| {
            let mut v = Timestamp::default();
            v.id = id;
            v.created = created;
            v.expires = expires;
            v
        })
        .boxed()
}

fn password() -> BoxedStrategy<Password> {
    (
        xml_text(16),
        prop::option::of(prop_oneof![
            Just(PASSWORD_TEXT.to_owned()),
            Just(PASSWORD_DIGEST.to_owned()),
            uri(),
        ]),
    )
        .prop_map(|(value, password_type)| {
            let mut v = Password::default();
            v.value = value;
            v.password_type = password_type;
            v
        })
        .boxed()
}

fn username_token() -> BoxedStrategy<UsernameToken> {
    (
        prop::option::of(xml_text(8)),
        trimmed_text(16),
        prop::option::of(password()),
        prop::option::of(prop_oneof!["[A-Za-z0-9+/]{0,24}={0,2}", collapsed_text()]),
        prop::option::of(date_time()),
    )
        .prop_map(|(id, username, password, nonce, created)| {
            let mut t = UsernameToken::default();
            t.id = id;
            t.username = username;
            t.password = password;
            t.nonce = nonce;
            t.created = created;
            t
        })
        .boxed()
}

fn binary_security_token() -> BoxedStrategy<BinarySecurityToken> {
    (
        prop::option::of(xml_text(8)),
        prop::option::of(prop_oneof![Just(VALUE_TYPE_X509V3.to_owned()), uri()]),
        prop::option::of(uri()),
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..48)
                .prop_map(|b| BinarySecurityToken::new("urn:x", &b).value),
            trimmed_text(24),
        ],
    )
        .prop_map(|(id, value_type, encoding_type, value)| {
            let mut v = BinarySecurityToken::default();
            v.id = id;
            v.value_type = value_type;
            v.encoding_type = encoding_type;
            v.value = value;
            v
        })
        .boxed()
}

fn security() -> BoxedStrategy<Security> {
    (
        header_attrs(),
        prop::option::of(timestamp()),
        prop::option::of(username_token()),
        prop::collection::vec(binary_security_token(), 0..3),
        prop::collection::vec(foreign_element(), 0..2),
    )
        .prop_map(|(attrs, timestamp, username_token, bsts, other)| {
            let mut s = Security::default();
            s.attrs = attrs;
            s.timestamp = timestamp;
            s.username_token = username_token;
            s.binary_security_tokens = bsts;
            s.other = other;
            s
        })
        .boxed()
}

/// An unknown header block: a foreign element, perhaps carrying the SOAP
/// header attributes; `attrs` is what the reader derives from them.
fn unknown_header() -> BoxedStrategy<UnknownHeader> {
    (
        foreign_element(),
        prop::option::of(select(vec![
            ("1", true),
            ("0", false),
            ("true", true),
            ("false", false),
        ])),
        prop::option::of(uri()),
        prop::option::of(select(vec![
            ("1", true),
            ("0", false),
            ("true", true),
            ("false", false),
        ])),
    )
        .prop_map(|(mut element, mu, role, relay)| {
            let soap = |l: &str| OwnedQName::new(Some(ns::SOAP12.to_owned()), l);
            let mut attrs = HeaderAttrs::default();
            if let Some((text, v)) = mu {
                element
                    .attributes
                    .push(AnyAttribute::new(soap("mustUnderstand"), text.to_owned()));
                attrs.must_understand = v;
            }
            if let Some(role) = role {
                element
                    .attributes
                    .push(AnyAttribute::new(soap("role"), role.clone()));
                attrs.role = Some(role);
            }
            if let Some((text, v)) = relay {
                element
                    .attributes
                    .push(AnyAttribute::new(soap("relay"), text.to_owned()));
                attrs.relay = v;
            }
            UnknownHeader::new(attrs, element)
        })
        .boxed()
}

fn header() -> BoxedStrategy<Header> {
    let addressing = (
        prop::option::of(header_value()),
        prop::option::of(header_value()),
        prop::collection::vec(relates_to(), 0..3),
        prop::option::of(header_value()),
    );
    let endpoints = (
        prop::option::of(endpoint_reference()),
        prop::option::of(endpoint_reference()),
        prop::option::of(endpoint_reference()),
    );
    (
        addressing,
        endpoints,
        prop::option::of(security()),
        prop::collection::vec(unknown_header(), 0..3),
    )
        .prop_map(
            |(
                (action, message_id, relates_to, to),
                (reply_to, from, fault_to),
                security,
                unknown,
            )| {
                let mut h = Header::default();
                h.action = action;
                h.message_id = message_id;
                h.relates_to = relates_to;
                h.to = to;
                h.reply_to = reply_to;
                h.from = from;
                h.fault_to = fault_to;
                h.security = security;
                h.unknown = unknown;
                h
            },
        )
        .boxed()
}

// ---------------------------------------------------------------------------
// Faults.

fn fault_code_value() -> BoxedStrategy<FaultCodeValue> {
    select(vec![
        FaultCodeValue::VersionMismatch,
        FaultCodeValue::MustUnderstand,
        FaultCodeValue::DataEncodingUnknown,
        FaultCodeValue::Sender,
        FaultCodeValue::Receiver,
    ])
    .boxed()
}

fn lang() -> BoxedStrategy<String> {
    prop_oneof![
        select(vec!["en-US", "en", "de-DE", "fr-CA", "x-klingon", ""]).prop_map(str::to_owned),
        "[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8}){0,2}",
    ]
    .boxed()
}

fn fault() -> BoxedStrategy<Fault> {
    (
        fault_code_value(),
        prop::collection::vec(qname(namespace_any().boxed()), 0..4),
        prop::collection::vec(
            (lang(), xml_text(24)).prop_map(|(lang, text)| ReasonText::new(lang, text)),
            1..4,
        ),
        prop::option::of(uri()),
        prop::option::of(uri()),
        prop::option::of(
            (
                attributes(3),
                prop::collection::vec(any_element_with(element_name_any()), 0..3),
            )
                .prop_map(|(attributes, entries)| {
                    let mut v = Detail::default();
                    v.attributes = attributes;
                    v.entries = entries;
                    v
                }),
        ),
    )
        .prop_map(|(code, subcodes, reason, node, role, detail)| {
            let mut f = Fault::new(code, "");
            f.code.subcodes = subcodes;
            f.reason = reason;
            f.node = node;
            f.role = role;
            f.detail = detail;
            f
        })
        .boxed()
}

fn envelope() -> BoxedStrategy<Envelope<AnyElement>> {
    prop_oneof![
        3 => (header(), foreign_element()).prop_map(|(h, p)| Envelope::new(h, p)),
        1 => (header(), fault()).prop_map(|(h, f)| Envelope::fault(h, f)),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------
// Well-formedness check with quick-xml itself.

/// Reads `xml` with quick-xml's namespace reader, all checks on, and
/// resolves every element and attribute name: the document must be
/// well-formed, namespace-well-formed, and have exactly one root.
fn assert_well_formed(xml: &[u8]) {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;

    let text = std::str::from_utf8(xml).expect("writer output is UTF-8");
    let mut r = quick_xml::reader::NsReader::from_str(text);
    r.config_mut().enable_all_checks(true);
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        let ev = r
            .read_event()
            .unwrap_or_else(|e| panic!("not well-formed: {e}\n{text}"));
        let start = match &ev {
            Event::Start(s) | Event::Empty(s) => Some(s.clone()),
            _ => None,
        };
        if let Some(s) = start {
            if depth == 0 {
                roots += 1;
            }
            let (res, _) = r.resolver().resolve_element(s.name());
            assert!(
                !matches!(res, ResolveResult::Unknown(_)),
                "unbound element prefix in {:?}\n{text}",
                s.name()
            );
            for a in s.attributes() {
                let a = a.unwrap_or_else(|e| panic!("bad attribute: {e}\n{text}"));
                let (res, _) = r.resolver().resolve_attribute(a.key);
                assert!(
                    !matches!(res, ResolveResult::Unknown(_)),
                    "unbound attribute prefix in {:?}\n{text}",
                    a.key
                );
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .unwrap_or_else(|e| panic!("bad attribute value: {e}\n{text}"));
            }
        }
        match ev {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth -= 1,
            Event::Text(t) => assert!(
                depth > 0 || t.chars().all(is_ws),
                "text outside the root\n{text}"
            ),
            Event::DocType(_) => panic!("the writer wrote a DTD\n{text}"),
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "unbalanced\n{text}");
    assert_eq!(roots, 1, "not exactly one root\n{text}");
}

fn config() -> Config {
    Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn envelope_round_trips(env in envelope()) {
        let xml = env.to_xml().unwrap();
        let back = Envelope::<AnyElement>::from_xml(&xml);
        prop_assert!(back.is_ok(), "{:?}\n{}", back, String::from_utf8_lossy(&xml));
        prop_assert_eq!(back.unwrap(), env, "{}", String::from_utf8_lossy(&xml));
    }

    #[test]
    fn written_envelope_is_well_formed(env in envelope()) {
        assert_well_formed(&env.to_xml().unwrap());
    }

    #[test]
    fn written_element_round_trips_alone(el in any_element_with(element_name_any())) {
        let xml = el.to_xml().unwrap();
        assert_well_formed(&xml);
        let back: AnyElement = read_document(&xml, &Limits::default()).unwrap();
        prop_assert_eq!(back, el, "{}", String::from_utf8_lossy(&xml));
    }

    #[test]
    fn every_proper_prefix_of_a_written_envelope_fails(
        env in envelope(),
        cuts in prop::collection::vec(any::<Index>(), 8),
    ) {
        let xml = env.to_xml().unwrap();
        for cut in cuts {
            let n = cut.index(xml.len());
            prop_assert!(
                Envelope::<AnyElement>::from_xml(&xml[..n]).is_err(),
                "prefix of {} of {} bytes accepted:\n{}",
                n,
                xml.len(),
                String::from_utf8_lossy(&xml[..n])
            );
        }
    }

    #[test]
    fn round_trip_survives_reindentation(env in envelope()) {
        // Whitespace between the envelope's own elements (Envelope, Header,
        // Body and the known header blocks) is insignificant.
        let xml = String::from_utf8(env.to_xml().unwrap()).unwrap();
        let mut indented = String::new();
        for part in xml.split_inclusive('>') {
            indented.push_str(part);
            if part.ends_with("<s:Header>")
                || part.ends_with("</s:Header>")
                || part.ends_with("<s:Body>")
                || part.ends_with("</s:Body>")
            {
                indented.push_str("\n  \t");
            }
        }
        indented.push_str("\r\n");
        let back = Envelope::<AnyElement>::from_xml(indented.as_bytes());
        prop_assert!(back.is_ok(), "{:?}\n{}", back, indented);
        prop_assert_eq!(back.unwrap(), env, "{}", indented);
    }
}

// ---------------------------------------------------------------------------
// Fixed cases.

#[test]
fn namespace_names_that_differ_only_by_escaping_stay_distinct() {
    // "urn:amp&amp;lit" (literally with "&amp;") is written escaped as
    // "urn:amp&amp;amp;lit"; "urn:amp&lit" is written as "urn:amp&amp;lit".
    // Reading the first must not make the second resolve to it.
    let literal = "urn:amp&amp;lit";
    let plain = "urn:amp&lit";
    let el = AnyElement::new(OwnedQName::new(Some(literal.to_owned()), "a")).with_child(
        AnyElement::new(OwnedQName::new(Some(plain.to_owned()), "b")),
    );
    let xml = el.to_xml().unwrap();
    let back: AnyElement = read_document(&xml, &Limits::default()).unwrap();
    assert_eq!(back, el, "{}", String::from_utf8_lossy(&xml));

    let env = Envelope::new(Header::new(), el);
    let xml = env.to_xml().unwrap();
    assert_eq!(Envelope::<AnyElement>::from_xml(&xml).unwrap(), env);
}

#[test]
fn a_typical_request_round_trips() {
    let mut header = Header::new()
        .with_action(
            "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies",
        )
        .with_message_id("urn:uuid:5fb5f6fd-4709-414b-8afa-0c05f6686d1c")
        .with_to("https://cep.example.com/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP")
        .with_reply_to_anonymous()
        .with_security(
            Security::new()
                .with_timestamp(Timestamp::new(
                    DateTime::from_unix(1_714_557_600, 123_000_000),
                    300,
                ))
                .with_username_token(UsernameToken::password_text(
                    "EXAMPLE\\jürgen",
                    " p<ss w€rd\r\n",
                )),
        );
    header.reply_to.as_mut().unwrap().reference_parameters.push(
        AnyElement::new(OwnedQName::new(Some("urn:example:ref".to_owned()), "ref"))
            .with_attribute(OwnedQName::new(None, "kind"), "opaque")
            .with_text("token & more"),
    );
    let payload = AnyElement::new(OwnedQName::new(Some(ms_ns::XCEP.to_owned()), "GetPolicies"))
        .with_child(
            AnyElement::new(OwnedQName::new(Some(ms_ns::XCEP.to_owned()), "client")).with_child(
                AnyElement::new(OwnedQName::new(Some(ms_ns::XCEP.to_owned()), "lastUpdate"))
                    .with_attribute(OwnedQName::new(Some(ns::XSI.to_owned()), "nil"), "true"),
            ),
        );
    let env = Envelope::new(header, payload);
    let xml = env.to_xml().unwrap();
    assert_well_formed(&xml);
    assert_eq!(Envelope::<AnyElement>::from_xml(&xml).unwrap(), env);
}
