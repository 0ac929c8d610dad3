//! Bad payloads and namespace spellings: every bad token is a named error
//! (with the element path where there is one), never a panic; the spec
//! RST/RSTRC examples read the same with other prefixes, and the same
//! local names in a foreign namespace are not taken for the field.

#![allow(
    clippy::unwrap_used,
    missing_docs,
    // The test rewriter builds XML text step by step.
    clippy::format_push_string,
    clippy::too_many_lines
)]

#[macro_use]
mod common;

use std::collections::BTreeMap;

use quick_xml::Reader;
use quick_xml::events::Event;
use soap_envelope::{Envelope, ErrorKind, Limit, Limits, ReadOptions};
use wstep::payload::decode_token;
use wstep::{BinarySecurityToken, Error, RequestSecurityToken, ValueKind, WstepMessage};

const WST: &str = "http://docs.oasis-open.org/ws-sx/ws-trust/200512";
const ENROLL: &str = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment";

/// The PKCS#10 of `testdata/messages/rst-issue-request.xml` (EC P-256).
const CSR_B64: &str = "MIHcMIGCAgEAMCAxHjAcBgNVBAMMFXdzMDEuY29ycC5leGFtcGxlLmNvbTBZMBMGByqGSM49AgEG\
CCqGSM49AwEHA0IABB4bIzzOTFIDZAnt6nN2zazSmimCYl8L9fa6AtNsaEh7QlIO8KSGLP8Fugue\
op2/uObyZHY3RFNjjMGr39bgWw2gADAKBggqhkjOPQQDAgNJADBGAiEA2KjRm5N80YEbeRZ4miIQ\
bYTBpqiSHEmNO/rcaQ756FgCIQDe3zqEfTXySIjY6FIwcNPHh145U0O6mMj+SEPw/2Ejww==";

fn token(kind: ValueKind, text: &str) -> BinarySecurityToken {
    let mut t = kind.token(&[]);
    text.clone_into(&mut t.value);
    t
}

fn b64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = c
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= c.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn not_base64_is_a_base64_error() {
    let e = decode_token(&token(ValueKind::Pkcs10, "not base64 at all!")).unwrap_err();
    assert!(matches!(e, Error::Base64(_)), "{e:?}");
    assert_eq!(e.kind_name(), "base64");
}

#[test]
fn garbage_der_is_a_der_error() {
    for kind in [
        ValueKind::Pkcs10,
        ValueKind::Pkcs7,
        ValueKind::X509v3,
        ValueKind::Cmc,
    ] {
        let e =
            decode_token(&token(kind, &b64(&[0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02]))).unwrap_err();
        assert!(matches!(e, Error::Der { .. }), "{kind:?}: {e:?}");
        assert_eq!(e.kind_name(), "der");
    }
    // Truncated: der knows the position.
    let e = decode_token(&token(ValueKind::Pkcs10, &CSR_B64[..100])).unwrap_err();
    assert!(matches!(e, Error::Der { .. }), "{e:?}");
    assert!(e.der_position().is_some(), "{e:?}");
}

#[test]
fn csr_with_a_wrong_signature_decodes_but_does_not_verify() {
    let good = decode_token(&token(ValueKind::Pkcs10, CSR_B64)).unwrap();
    let wstep::TokenContent::Pkcs10(csr) = good else {
        panic!("not a PKCS#10")
    };
    csr.verify_signature().unwrap();
    // Change the last byte of the signature (still valid DER).
    let mut bytes = {
        use wstep::BinarySecurityTokenExt as _;
        token(ValueKind::Pkcs10, CSR_B64).decode_bytes().unwrap()
    };
    *bytes.last_mut().unwrap() ^= 0x01;
    let bad = decode_token(&ValueKind::Pkcs10.token(&bytes)).unwrap();
    let wstep::TokenContent::Pkcs10(csr) = bad else {
        panic!("not a PKCS#10")
    };
    let e = csr.verify_signature().unwrap_err();
    assert_eq!(e, Error::BadSignature);
    assert_eq!(e.kind_name(), "bad-signature");
}

/// An RST envelope whose token text is `text`.
fn rst_envelope(text: &str) -> Vec<u8> {
    format!(
        r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><RequestSecurityToken xmlns="{WST}"><TokenType>http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3</TokenType><RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</RequestType><BinarySecurityToken xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" ValueType="http://schemas.microsoft.com/windows/pki/2009/01/enrollment#PKCS10">{text}</BinarySecurityToken></RequestSecurityToken></s:Body></s:Envelope>"#
    )
    .into_bytes()
}

#[test]
fn a_32_mib_token_exceeds_the_limits() {
    let big = "A".repeat(32 * 1024 * 1024);
    let doc = rst_envelope(&big);
    // Default limits: the document is too long.
    let e = Envelope::<WstepMessage>::from_xml(&doc).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            ErrorKind::LimitExceeded {
                limit: Limit::DocumentLength,
                ..
            }
        ),
        "{e}"
    );
    // A longer document allowed: the token's text is too long.
    let mut options = ReadOptions::default();
    options.limits = Limits::default().with_max_document_len(64 * 1024 * 1024);
    let e = Envelope::<WstepMessage>::from_xml_with(&doc, &options).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            ErrorKind::LimitExceeded {
                limit: Limit::TextLength,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(
        e.path(),
        "/Envelope/Body/RequestSecurityToken/BinarySecurityToken"
    );
}

// ------------------------------------------------- namespace spellings ---

/// Rewrites `xml` so that each namespace URI in `map` is written with the
/// given prefix (`""`: as the default namespace), every namespace declared
/// once on the root; other namespaces get prefixes `n0`, `n1`, ...
fn rewrite(xml: &str, map: &[(&str, &str)]) -> String {
    let mut prefixes: BTreeMap<String, String> = map
        .iter()
        .map(|(u, p)| ((*u).to_owned(), (*p).to_owned()))
        .collect();
    // Pass 1: every namespace used.
    let mut reader = Reader::from_str(xml);
    let mut n = 0;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                for a in e.attributes() {
                    let a = a.unwrap();
                    let k = a.key.as_ref();
                    if k == "xmlns" || k.starts_with("xmlns:") {
                        let uri = a.value.clone().into_owned();
                        prefixes.entry(uri).or_insert_with(|| {
                            n += 1;
                            format!("n{n}")
                        });
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    // Attributes need a prefix even for the default namespace.
    let attr_prefix = |uri: &str, prefixes: &BTreeMap<String, String>| match prefixes[uri].as_str()
    {
        "" => "dflt".to_owned(),
        p => p.to_owned(),
    };
    let mut out = String::new();
    let mut scope: Vec<Vec<(String, String)>> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut reader = Reader::from_str(xml);
    let mut root = true;
    loop {
        let ev = reader.read_event().unwrap();
        match &ev {
            Event::Start(e) | Event::Empty(e) => {
                let mut decls = Vec::new();
                let mut attrs = Vec::new();
                for a in e.attributes() {
                    let a = a.unwrap();
                    let k = a.key.as_ref().to_owned();
                    let raw = a.value.clone().into_owned();
                    if k == "xmlns" {
                        decls.push((String::new(), a.value.clone().into_owned()));
                    } else if let Some(p) = k.strip_prefix("xmlns:") {
                        decls.push((p.to_owned(), a.value.clone().into_owned()));
                    } else {
                        attrs.push((k, raw));
                    }
                }
                scope.push(decls);
                let lookup = |p: &str| -> Option<String> {
                    if p == "xml" {
                        return None;
                    }
                    scope
                        .iter()
                        .rev()
                        .flat_map(|d| d.iter().rev())
                        .find(|(q, _)| q == p)
                        .map(|(_, u)| u.clone())
                };
                let qname = e.name().as_ref().to_owned();
                let (p, local) = qname.split_once(':').unwrap_or(("", &qname));
                let uri = lookup(p).expect("element in a namespace");
                let name = match prefixes[&uri].as_str() {
                    "" => local.to_owned(),
                    np => format!("{np}:{local}"),
                };
                let mut content = name.clone();
                if root {
                    root = false;
                    for (u, p) in &prefixes {
                        if p.is_empty() {
                            content.push_str(&format!(" xmlns=\"{u}\""));
                        }
                        content.push_str(&format!(" xmlns:{}=\"{u}\"", attr_prefix(u, &prefixes)));
                    }
                }
                for (k, raw) in attrs {
                    let k = match k.split_once(':') {
                        Some((ap, l)) => match lookup(ap) {
                            Some(u) => format!("{}:{l}", attr_prefix(&u, &prefixes)),
                            None => k.clone(),
                        },
                        None => k,
                    };
                    content.push_str(&format!(" {k}=\"{raw}\""));
                }
                if matches!(ev, Event::Empty(_)) {
                    out.push_str(&format!("<{content}/>"));
                    scope.pop();
                } else {
                    out.push_str(&format!("<{content}>"));
                    names.push(name);
                }
            }
            Event::End(_) => {
                out.push_str(&format!("</{}>", names.pop().unwrap()));
                scope.pop();
            }
            Event::Text(t) => out.push_str(t),
            Event::GeneralRef(r) => out.push_str(&format!("&{};", &**r)),
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn payload(xml: &str) -> WstepMessage {
    let env =
        Envelope::<WstepMessage>::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    env.payload().unwrap().clone()
}

#[test]
fn spec_examples_read_equal_with_other_prefixes() {
    let spec = spec_or_skip!();
    for rel in [
        "wstep/4.1.1.1-RST-issue-request.normalized.xml",
        "wstep/4.1.1.2-RSTRC-issued.normalized.xml",
    ] {
        let xml = String::from_utf8(common::read_spec(spec, rel)).unwrap();
        let original = payload(&xml);
        for map in [
            // Other prefixes everywhere.
            &[(WST, "trust"), (ENROLL, "enr")][..],
            // WS-Trust as the default namespace.
            &[(WST, "")][..],
            // The enrollment namespace prefixed, the SOAP one default.
            &[
                (ENROLL, "wstep"),
                ("http://www.w3.org/2003/05/soap-envelope", ""),
            ][..],
        ] {
            let rewritten = rewrite(&xml, map);
            assert_ne!(rewritten, xml);
            assert_eq!(payload(&rewritten), original, "{rel} {map:?}\n{rewritten}");
        }
    }
}

fn rst_body(inner: &str) -> String {
    format!(
        r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><wst:RequestSecurityToken xmlns:wst="{WST}" xmlns:enr="{ENROLL}" xmlns:x="urn:example:foreign">{inner}</wst:RequestSecurityToken></s:Body></s:Envelope>"#
    )
}

#[test]
fn request_type_in_a_foreign_namespace_is_missing() {
    let xml = rst_body(
        "<x:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</x:RequestType>",
    );
    let e = Envelope::<WstepMessage>::from_xml(xml.as_bytes()).unwrap_err();
    match e.kind() {
        ErrorKind::MissingElement(q) => {
            assert_eq!(q.local, "RequestType");
            assert_eq!(q.ns.as_deref(), Some(WST));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.path(), "/Envelope/Body/RequestSecurityToken/RequestType");
}

#[test]
fn request_id_in_the_ws_trust_namespace_is_unknown() {
    let xml = rst_body(
        "<wst:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</wst:RequestType>\
         <wst:RequestID>42</wst:RequestID>",
    );
    let WstepMessage::RequestSecurityToken(r) = payload(&xml) else {
        panic!("not an RST")
    };
    let r: RequestSecurityToken = r;
    assert!(r.request_id.is_none(), "{r:?}");
    assert_eq!(r.unknown.len(), 1);
    assert_eq!(r.unknown[0].name.local, "RequestID");
    assert_eq!(r.unknown[0].name.ns.as_deref(), Some(WST));
    // In the enrollment namespace it is the field.
    let xml = rst_body(
        "<wst:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</wst:RequestType>\
         <enr:RequestID>42</enr:RequestID>",
    );
    let WstepMessage::RequestSecurityToken(r) = payload(&xml) else {
        panic!("not an RST")
    };
    assert_eq!(
        r.request_id.as_ref().and_then(wstep::RequestId::as_str),
        Some("42")
    );
    assert!(r.unknown.is_empty());
}
