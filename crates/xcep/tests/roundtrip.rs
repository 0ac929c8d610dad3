//! Property tests: any GetPolicies or GetPoliciesResponse we write reads
//! back equal, bare and inside an envelope; and a sample of generated
//! values, restricted to what the §6.2 schema allows, validates with
//! xmllint.
//!
//! The strategies generate values in the reader's normal form: `xs:string`
//! fields are arbitrary XML text (kept exactly); OID values and filter OIDs
//! have no surrounding whitespace; URIs and languages are collapsed; base64
//! text has no whitespace; nillable lists, when given, are not empty; an
//! extension `value`, when given, is not empty; kept elements
//! (`extensions`, `unknown`) have merged, non-empty text and no
//! whitespace-only text beside child elements, and their root is in a
//! namespace (or a local name) the enclosing type does not use.
//!
//! Every strategy is boxed, to keep the strategy types shallow.

#![allow(clippy::unwrap_used, clippy::needless_pass_by_value, missing_docs)]

#[macro_use]
mod common;

use std::fmt::Write as _;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

use soap_envelope::xsd::DateTime;
use soap_envelope::{AnyElement, Envelope, Header, OwnedQName, Payload};
use xcep::flags::{
    ClientAuthentication, EnrollmentFlags, GeneralFlags, KeySpec, KeyUsageProperty,
    PrivateKeyFlags, SubjectNameFlags,
};
use xcep::{
    Attributes, Base64Text, Ca, CaUri, CertificateEnrollmentPolicy, CertificateValidity, Client,
    EnrollmentPermission, Extension, GetPolicies, GetPoliciesResponse, KeyArchivalAttributes,
    Nillable, Oid, OidGroup, PrivateKeyAttributes, RaRequirements, RequestFilter, Response,
    Revision, SupersededPolicies, XcepMessage,
};

/// What to generate.
#[derive(Debug, Clone, Copy)]
struct Mode {
    /// Only what the §6.2 schema accepts: no `unknown` elements, no nil
    /// where only §3 allows one, valid base64, URIs and languages, and
    /// extension elements in foreign namespaces only.
    valid: bool,
}

const ANY: Mode = Mode { valid: false };
const VALID: Mode = Mode { valid: true };

// ---------------------------------------------------------------------------
// Text.

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn xml_char() -> BoxedStrategy<char> {
    prop_oneof![
        6 => proptest::char::range('a', 'z'),
        3 => select(vec![
            ' ', '\t', '\n', '\r', '&', '<', '>', '"', '\'', ']', '{', '}', '-', '…', 'é', '€',
            '中', '\u{1F600}', '\u{85}', '\u{2028}', '\u{A0}', '\u{FFFD}', '\u{10FFFF}',
        ]),
        1 => any::<char>().prop_filter("an XML character", |c| is_xml_char(*c)),
    ]
    .boxed()
}

/// Arbitrary XML text, possibly empty or all whitespace.
fn xml_text(max: usize) -> BoxedStrategy<String> {
    prop::collection::vec(xml_char(), 0..max)
        .prop_map(|v| v.into_iter().collect())
        .boxed()
}

fn non_empty_text(max: usize) -> BoxedStrategy<String> {
    prop::collection::vec(xml_char(), 1..max)
        .prop_map(|v| v.into_iter().collect())
        .boxed()
}

/// Words of non-whitespace characters joined by single spaces.
fn collapsed(min_words: usize) -> BoxedStrategy<String> {
    let word = prop::collection::vec(
        xml_char().prop_filter("not whitespace", |c| !is_ws(*c)),
        1..8,
    )
    .prop_map(|v| v.into_iter().collect::<String>());
    prop::collection::vec(word, min_words..4)
        .prop_map(|w| w.join(" "))
        .boxed()
}

fn oid_value(mode: Mode) -> BoxedStrategy<String> {
    let dotted = prop::collection::vec(0u32..100_000, 2..12)
        .prop_map(|arcs| {
            arcs.iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(".")
        })
        .boxed();
    if mode.valid {
        dotted
    } else {
        prop_oneof![
            4 => dotted,
            1 => xml_text(12).prop_map(|s| s.trim_matches(is_ws).to_owned()),
        ]
        .boxed()
    }
}

fn uri(mode: Mode) -> BoxedStrategy<String> {
    let plausible = "https://[a-z0-9.-]{1,20}/[A-Za-z0-9_/.-]{0,30}".boxed();
    if mode.valid {
        plausible
    } else {
        prop_oneof![3 => plausible, 1 => collapsed(0)].boxed()
    }
}

fn language(mode: Mode) -> BoxedStrategy<String> {
    let valid = "[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8}){0,2}".boxed();
    if mode.valid {
        valid
    } else {
        prop_oneof![3 => valid, 1 => collapsed(1)].boxed()
    }
}

fn base64(mode: Mode) -> BoxedStrategy<Base64Text> {
    let encoded = prop::collection::vec(any::<u8>(), 0..40)
        .prop_map(|b| Base64Text::from_bytes(&b))
        .boxed();
    if mode.valid {
        encoded
    } else {
        prop_oneof![
            3 => encoded,
            1 => "[A-Za-z0-9+/=…]{0,20}".prop_map(|s| Base64Text::new(&s)),
        ]
        .boxed()
    }
}

fn non_empty_base64(mode: Mode) -> BoxedStrategy<Base64Text> {
    base64(mode)
        .prop_filter("not empty", |b| !b.is_empty())
        .boxed()
}

fn date_time() -> BoxedStrategy<DateTime> {
    (
        1i32..=9999,
        1u8..=12,
        1u8..=28,
        0u8..24,
        0u8..60,
        0u8..60,
        prop_oneof![Just(0u32), 0u32..1_000_000_000],
        prop_oneof![
            Just(None),
            Just(Some(0i16)),
            (-13i16..=13, select(vec![0i16, 30, 45]))
                .prop_map(|(h, m)| Some(h * 60 + h.signum() * m)),
        ],
    )
        .prop_map(|(y, mo, d, h, mi, s, nanos, offset)| {
            let mut text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
            if nanos != 0 {
                write!(text, ".{nanos:09}").unwrap();
            }
            match offset {
                None => {}
                Some(0) => text.push('Z'),
                Some(m) => {
                    let sign = if m < 0 { '-' } else { '+' };
                    let m = m.unsigned_abs();
                    write!(text, "{sign}{:02}:{:02}", m / 60, m % 60).unwrap();
                }
            }
            text.parse().unwrap()
        })
        .boxed()
}

/// `Some` of a non-empty list, or `None`.
fn opt_list<T: std::fmt::Debug + 'static>(
    item: BoxedStrategy<T>,
    max: usize,
) -> BoxedStrategy<Option<Vec<T>>> {
    prop::option::of(prop::collection::vec(item, 1..max)).boxed()
}

/// A value that only §3 lets be nil: always given in `VALID` mode.
fn section_3_nillable<T: std::fmt::Debug + Clone + 'static>(
    mode: Mode,
    value: BoxedStrategy<T>,
) -> BoxedStrategy<Option<T>> {
    if mode.valid {
        value.prop_map(Some).boxed()
    } else {
        prop::option::of(value).boxed()
    }
}

// ---------------------------------------------------------------------------
// Kept elements.

const FOREIGN_NS: &[&str] = &[
    "urn:example:vendor",
    "http://example.com/ns?x=1&y=2",
    "urn:example:quote\"apos'",
];

/// The foreign namespaces to use: libxml2 warns about the one with quotes
/// (not a valid URI), so `VALID` mode leaves it out.
fn foreign_ns(mode: Mode) -> Vec<&'static str> {
    if mode.valid {
        FOREIGN_NS[..2].to_vec()
    } else {
        FOREIGN_NS.to_vec()
    }
}

/// XCEP local names that no model type uses for a child.
const FREE_XCEP_NAMES: &[&str] = &[
    "attestation",
    "AttestationFailureBehavior",
    "OperationTimeout",
    "vendorData",
];

fn ncname() -> BoxedStrategy<String> {
    "[a-zA-Z_][a-zA-Z0-9._-]{0,8}".boxed()
}

fn attribute_name() -> BoxedStrategy<OwnedQName> {
    (
        select(vec![None, Some("urn:example:attr"), Some(FOREIGN_NS[0])]),
        ncname(),
    )
        .prop_map(|(ns, local)| OwnedQName::new(ns.map(str::to_owned), local))
        .boxed()
}

/// An element's content in the reader's normal form: nothing, one text
/// node, or child elements.
fn any_element_from(
    mode: Mode,
    name: BoxedStrategy<OwnedQName>,
    depth: u32,
) -> BoxedStrategy<AnyElement> {
    let attributes = prop::collection::btree_map(attribute_name(), xml_text(10), 0..3);
    let leaf = (
        name.clone(),
        attributes.clone(),
        prop::option::of(non_empty_text(12)),
    )
        .prop_map(|(name, attrs, text)| {
            let mut e = AnyElement::new(name);
            for (n, v) in attrs {
                e = e.with_attribute(n, v);
            }
            if let Some(t) = text {
                e = e.with_text(t);
            }
            e
        })
        .boxed();
    if depth == 0 {
        return leaf;
    }
    let child_name = (select(foreign_ns(mode)), ncname())
        .prop_map(|(ns, local)| OwnedQName::new(Some(ns.to_owned()), local))
        .boxed();
    let branch = (
        name,
        attributes,
        prop::collection::vec(any_element_from(mode, child_name, depth - 1), 1..3),
    )
        .prop_map(|(name, attrs, children)| {
            let mut e = AnyElement::new(name);
            for (n, v) in attrs {
                e = e.with_attribute(n, v);
            }
            for c in children {
                e = e.with_child(c);
            }
            e
        })
        .boxed();
    prop_oneof![2 => leaf, 1 => branch].boxed()
}

/// Elements for an `xs:any` extension point or an `unknown` list.
fn kept(mode: Mode, max: usize) -> BoxedStrategy<Vec<AnyElement>> {
    let foreign = (select(foreign_ns(mode)), ncname())
        .prop_map(|(ns, local)| OwnedQName::new(Some(ns.to_owned()), local))
        .boxed();
    let name = if mode.valid {
        foreign
    } else {
        prop_oneof![
            3 => foreign,
            1 => select(FREE_XCEP_NAMES.to_vec())
                .prop_map(|l| OwnedQName::new(Some(xcep::NAMESPACE.to_owned()), l)),
            1 => ncname().prop_map(|l| OwnedQName::new(None, l)),
        ]
        .boxed()
    };
    prop::collection::vec(any_element_from(mode, name, 2), 0..max).boxed()
}

/// An `unknown` list: always empty in `VALID` mode (the types have no
/// extension point).
fn unknown(mode: Mode) -> BoxedStrategy<Vec<AnyElement>> {
    if mode.valid {
        Just(Vec::new()).boxed()
    } else {
        prop_oneof![3 => Just(Vec::new()), 1 => kept(mode, 3)].boxed()
    }
}

// ---------------------------------------------------------------------------
// The model.

fn oid(mode: Mode) -> BoxedStrategy<Oid> {
    (
        oid_value(mode),
        prop_oneof![1u32..=9, any::<u32>()],
        any::<i32>(),
        prop::option::of(xml_text(20)),
        kept(mode, 2),
    )
        .prop_map(|(value, group, id, default_name, extensions)| {
            let mut o = Oid::new(value, OidGroup::from(group), id);
            o.default_name = default_name;
            o.extensions = extensions;
            o
        })
        .boxed()
}

fn ca_uri(mode: Mode) -> BoxedStrategy<CaUri> {
    (
        prop_oneof![select(vec![1u32, 2, 4, 8]), any::<u32>()],
        uri(mode),
        prop::option::of(any::<u32>()),
        section_3_nillable(mode, any::<bool>().boxed()),
        kept(mode, 2),
    )
        .prop_map(|(auth, uri, priority, renewal_only, extensions)| {
            let mut u = CaUri::new(ClientAuthentication::from_bits_retain(auth), uri);
            u.priority = priority;
            u.renewal_only = renewal_only;
            u.extensions = extensions;
            u
        })
        .boxed()
}

fn ca(mode: Mode) -> BoxedStrategy<Ca> {
    (
        prop::collection::vec(ca_uri(mode), usize::from(mode.valid)..4),
        base64(mode),
        any::<bool>(),
        any::<i32>(),
        kept(mode, 2),
    )
        .prop_map(|(uris, certificate, enroll, id, extensions)| {
            let mut c = Ca::new(id, certificate, enroll);
            c.uris = uris;
            c.extensions = extensions;
            c
        })
        .boxed()
}

fn private_key_attributes(mode: Mode) -> BoxedStrategy<PrivateKeyAttributes> {
    (
        any::<u32>(),
        prop::option::of(prop_oneof![1u32..=2, any::<u32>()]),
        prop::option::of(any::<u32>()),
        prop::option::of(xml_text(20)),
        prop::option::of(any::<i32>()),
        opt_list(xml_text(30), 4),
        unknown(mode),
    )
        .prop_map(
            |(min, key_spec, usage, permissions, algorithm, providers, unknown)| {
                let mut k = PrivateKeyAttributes::new(min);
                k.key_spec = key_spec.map(KeySpec::from_bits_retain);
                k.key_usage_property = usage.map(KeyUsageProperty::from_bits_retain);
                k.permissions = permissions;
                k.algorithm_oid_reference = algorithm;
                k.crypto_providers = providers;
                k.unknown = unknown;
                k
            },
        )
        .boxed()
}

fn extension(mode: Mode) -> BoxedStrategy<Extension> {
    (
        any::<i32>(),
        section_3_nillable(mode, any::<bool>().boxed()),
        prop::option::of(non_empty_base64(mode)),
        unknown(mode),
    )
        .prop_map(|(oid_reference, critical, value, unknown)| {
            let mut e = Extension::new(oid_reference, false, Base64Text::default());
            e.critical = critical;
            e.value = value;
            e.unknown = unknown;
            e
        })
        .boxed()
}

fn ra_requirements(mode: Mode) -> BoxedStrategy<RaRequirements> {
    (
        any::<u32>(),
        opt_list(any::<i32>().boxed(), 4),
        opt_list(any::<i32>().boxed(), 4),
        unknown(mode),
    )
        .prop_map(|(n, ekus, policies, unknown)| {
            let mut r = RaRequirements::new(n);
            r.ra_ekus = ekus;
            r.ra_policies = policies;
            r.unknown = unknown;
            r
        })
        .boxed()
}

/// The parts of [`Attributes`] that are themselves complex types.
fn attribute_parts(
    mode: Mode,
) -> BoxedStrategy<(
    CertificateValidity,
    EnrollmentPermission,
    PrivateKeyAttributes,
    Revision,
)> {
    (
        (any::<u64>(), any::<u64>(), unknown(mode)).prop_map(|(v, r, unknown)| {
            let mut c = CertificateValidity::new(v, r);
            c.unknown = unknown;
            c
        }),
        (any::<bool>(), any::<bool>(), unknown(mode)).prop_map(|(e, a, unknown)| {
            let mut p = EnrollmentPermission::new(e, a);
            p.unknown = unknown;
            p
        }),
        private_key_attributes(mode),
        (
            any::<u32>(),
            section_3_nillable(mode, any::<u32>().boxed()),
            unknown(mode),
        )
            .prop_map(|(major, minor, unknown)| {
                let mut r = Revision::new(major, 0);
                r.minor_revision = minor;
                r.unknown = unknown;
                r
            }),
    )
        .boxed()
}

type Flags = (Option<u32>, Option<u32>, Option<u32>, Option<u32>);

fn attributes(mode: Mode) -> BoxedStrategy<Attributes> {
    let flags: BoxedStrategy<Flags> = (
        prop::option::of(any::<u32>()),
        prop::option::of(any::<u32>()),
        prop::option::of(any::<u32>()),
        prop::option::of(any::<u32>()),
    )
        .boxed();
    (
        (xml_text(20), any::<u32>(), attribute_parts(mode)),
        opt_list(xml_text(15), 3),
        flags,
        prop::option::of(any::<i32>()),
        prop::option::of(ra_requirements(mode)),
        prop::option::of((any::<i32>(), any::<u32>(), unknown(mode)).prop_map(
            |(a, l, unknown)| {
                let mut k = KeyArchivalAttributes::new(a, l);
                k.unknown = unknown;
                k
            },
        )),
        opt_list(extension(mode), 4),
        kept(mode, 2),
    )
        .prop_map(
            |(
                (common_name, schema, (validity, permission, key, revision)),
                superseded,
                (pk, sn, en, ge),
                hash,
                ra,
                archival,
                extensions,
                vendor_extensions,
            )| {
                let mut a =
                    Attributes::new(common_name, schema, validity, permission, key, revision);
                a.superseded_policies =
                    superseded.map(|names| names.into_iter().collect::<SupersededPolicies>());
                a.private_key_flags = pk.map(PrivateKeyFlags::from_bits_retain);
                a.subject_name_flags = sn.map(SubjectNameFlags::from_bits_retain);
                a.enrollment_flags = en.map(EnrollmentFlags::from_bits_retain);
                a.general_flags = ge.map(GeneralFlags::from_bits_retain);
                a.hash_algorithm_oid_reference = hash;
                a.ra_requirements = ra;
                a.key_archival_attributes = archival;
                a.extensions = extensions;
                a.vendor_extensions = vendor_extensions;
                a
            },
        )
        .boxed()
}

fn policy(mode: Mode) -> BoxedStrategy<CertificateEnrollmentPolicy> {
    (
        any::<i32>(),
        opt_list(any::<i32>().boxed(), 4),
        attributes(mode),
        kept(mode, 2),
    )
        .prop_map(|(oid_reference, cas, attributes, extensions)| {
            let mut p = CertificateEnrollmentPolicy::new(oid_reference, attributes);
            p.cas = cas;
            p.extensions = extensions;
            p
        })
        .boxed()
}

fn response_part(mode: Mode) -> BoxedStrategy<Response> {
    (
        xml_text(40),
        prop::option::of(xml_text(30)),
        prop::option::of(any::<u32>()),
        prop::option::of(any::<bool>()),
        opt_list(policy(mode), 4),
        kept(mode, 2),
    )
        .prop_map(|(id, name, hours, not_changed, policies, extensions)| {
            let mut r = Response::new(id);
            r.policy_friendly_name = name;
            r.next_update_hours = hours;
            r.policies_not_changed = not_changed;
            r.policies = policies;
            r.extensions = extensions;
            r
        })
        .boxed()
}

fn get_policies_response(mode: Mode) -> BoxedStrategy<GetPoliciesResponse> {
    (
        prop::option::of(response_part(mode)),
        opt_list(ca(mode), 4),
        opt_list(oid(mode), 5),
        unknown(mode),
    )
        .prop_map(|(response, cas, oids, unknown)| {
            let mut m = GetPoliciesResponse::new();
            m.response = response;
            m.cas = cas;
            m.oids = oids;
            m.unknown = unknown;
            m
        })
        .boxed()
}

fn version() -> BoxedStrategy<Option<Nillable<i32>>> {
    prop::option::of(prop_oneof![
        1 => Just(Nillable::Nil),
        3 => any::<i32>().prop_map(Nillable::Value),
    ])
    .boxed()
}

fn get_policies(mode: Mode) -> BoxedStrategy<GetPolicies> {
    let client = (
        prop::option::of(date_time()),
        prop::option::of(language(mode)),
        kept(mode, 3),
    )
        .prop_map(|(last_update, language, extensions)| {
            let mut c = Client::new();
            c.last_update = last_update;
            c.preferred_language = language;
            c.extensions = extensions;
            c
        });
    let filter = (
        opt_list(oid_value(mode), 4),
        version(),
        version(),
        kept(mode, 2),
    )
        .prop_map(
            |(policy_oids, client_version, server_version, extensions)| {
                let mut f = RequestFilter::new();
                f.policy_oids = policy_oids;
                f.client_version = client_version;
                f.server_version = server_version;
                f.extensions = extensions;
                f
            },
        );
    (client, prop::option::of(filter), unknown(mode))
        .prop_map(|(client, filter, unknown)| {
            let mut m = GetPolicies::new(client);
            m.request_filter = filter;
            m.unknown = unknown;
            m
        })
        .boxed()
}

// ---------------------------------------------------------------------------
// Properties.

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

fn in_envelope(message: XcepMessage) -> Vec<u8> {
    let header = Header::new().with_action(message.action().unwrap());
    Envelope::new(header, message).to_xml().unwrap()
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn get_policies_response_round_trips(m in get_policies_response(ANY)) {
        let xml = m.to_xml().unwrap();
        let back = GetPoliciesResponse::from_xml(&xml);
        prop_assert!(back.is_ok(), "{:?}\n{}", back, String::from_utf8_lossy(&xml));
        prop_assert_eq!(back.unwrap(), m.clone(), "{}", String::from_utf8_lossy(&xml));

        let xml = in_envelope(m.clone().into());
        let env = Envelope::<XcepMessage>::from_xml(&xml).unwrap();
        let expected = XcepMessage::GetPoliciesResponse(m);
        prop_assert_eq!(env.payload(), Some(&expected));
        prop_assert_eq!(env.header.action(), Some(GetPoliciesResponse::ACTION));
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn get_policies_round_trips(m in get_policies(ANY)) {
        let xml = m.to_xml().unwrap();
        let back = GetPolicies::from_xml(&xml);
        prop_assert!(back.is_ok(), "{:?}\n{}", back, String::from_utf8_lossy(&xml));
        prop_assert_eq!(back.unwrap(), m.clone(), "{}", String::from_utf8_lossy(&xml));

        let xml = in_envelope(m.clone().into());
        let env = Envelope::<XcepMessage>::from_xml(&xml).unwrap();
        let expected = XcepMessage::GetPolicies(m);
        prop_assert_eq!(env.payload(), Some(&expected));
    }

    #[test]
    fn schema_valid_values_round_trip_too(
        r in get_policies_response(VALID),
        q in get_policies(VALID),
    ) {
        prop_assert_eq!(GetPoliciesResponse::from_xml(&r.to_xml().unwrap()).unwrap(), r);
        prop_assert_eq!(GetPolicies::from_xml(&q.to_xml().unwrap()).unwrap(), q);
    }
}

/// A deterministic sample of `n` values of `strategy`.
fn sample<T: std::fmt::Debug>(strategy: BoxedStrategy<T>, n: usize) -> Vec<T> {
    let mut runner = TestRunner::deterministic();
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

#[test]
fn a_sample_of_generated_values_validates_with_xmllint() {
    let spec = spec_or_skip!();
    if !common::xmllint_available() {
        return;
    }
    let mut messages: Vec<XcepMessage> = sample(get_policies_response(VALID), 20)
        .into_iter()
        .map(XcepMessage::from)
        .collect();
    messages.extend(
        sample(get_policies(VALID), 10)
            .into_iter()
            .map(XcepMessage::from),
    );
    let mut failures = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        let (bare, name) = match m {
            XcepMessage::GetPolicies(m) => (m.to_xml().unwrap(), "request"),
            XcepMessage::GetPoliciesResponse(m) => (m.to_xml().unwrap(), "response"),
            other => panic!("{other:?}"),
        };
        let file = format!("generated-{name}-{i}.xml");
        let v = common::validate_bytes(spec, "xcep/ms-xcep.xsd", &file, &bare).unwrap();
        if !v.is_clean_pass() {
            failures.push(format!(
                "{file}: {}\n{}",
                v.messages.join("\n"),
                String::from_utf8_lossy(&bare)
            ));
        }
        // Every third one also as a whole envelope.
        if i % 3 == 0 {
            let v = common::validate_bytes(
                spec,
                "deps/envelope-all.xsd",
                &file,
                &in_envelope(m.clone()),
            )
            .unwrap();
            if !v.is_clean_pass() {
                failures.push(format!("{file} (envelope): {}", v.messages.join("\n")));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_sample_is_not_trivial() {
    // The xmllint sample exercises nesting, nils and extension points.
    let responses = sample(get_policies_response(VALID), 20);
    let policies: usize = responses.iter().map(|r| r.policies().len()).sum();
    let cas: usize = responses
        .iter()
        .filter_map(|r| r.cas.as_ref())
        .map(Vec::len)
        .sum();
    let oids: usize = responses
        .iter()
        .filter_map(|r| r.oids.as_ref())
        .map(Vec::len)
        .sum();
    let nil_responses = responses.iter().filter(|r| r.response.is_none()).count();
    let vendor = responses
        .iter()
        .flat_map(GetPoliciesResponse::policies)
        .filter(|p| !p.attributes.vendor_extensions.is_empty())
        .count();
    assert!(policies >= 5, "{policies} policies");
    assert!(cas >= 5, "{cas} CAs");
    assert!(oids >= 5, "{oids} OIDs");
    assert!((1..20).contains(&nil_responses), "{nil_responses}");
    assert!(vendor >= 1);
}
