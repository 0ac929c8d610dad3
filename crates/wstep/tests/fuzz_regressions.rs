//! Replays every input in `fuzz/regressions/` through the properties of the
//! wstep fuzz targets (`wstep_roundtrip`, `wstep_payload`,
//! `discover_roundtrip`), on stable Rust. The files from earlier
//! soap-envelope / xcep crashes go through the same properties: they must
//! simply not panic.
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::Path;

use soap_envelope::Body;
use soap_envelope::{Envelope, Limits, ToXml, XmlWriter, read_document};
use wstep::payload::{decode_certificate, decode_csr, decode_pki_data, decode_signed_data};
use wstep::{
    Discover, DiscoverNamespace, DiscoverResponse, ValueKind, WstepMessage, decode_payload,
};

/// `wstep_roundtrip`: what parses, written again, parses to the same value.
fn wstep_roundtrip(data: &[u8], name: &str) {
    if let Ok(env) = Envelope::<WstepMessage>::from_xml(data) {
        let bytes = env.to_xml().unwrap();
        assert_eq!(
            Envelope::<WstepMessage>::from_xml(&bytes).unwrap(),
            env,
            "{name}"
        );
    }
    if let Ok(msg) = read_document::<WstepMessage>(data, &Limits::default()) {
        let mut w = XmlWriter::new();
        msg.to_xml(&mut w).unwrap();
        let bytes = w.into_bytes().unwrap();
        assert_eq!(
            read_document::<WstepMessage>(&bytes, &Limits::default()).unwrap(),
            msg,
            "{name}"
        );
    }
}

/// `wstep_payload`: decoding any bytes never panics.
fn wstep_payload(data: &[u8]) {
    let _ = decode_csr(data);
    let _ = decode_signed_data(data);
    let _ = decode_certificate(data);
    let _ = decode_pki_data(data);
    for kind in [
        ValueKind::Pkcs7,
        ValueKind::Pkcs10,
        ValueKind::X509v3,
        ValueKind::Cmc,
    ] {
        let _ = decode_payload(&kind.token(data));
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let mut token = ValueKind::Pkcs7.token(&[]);
        text.clone_into(&mut token.value);
        let _ = decode_payload(&token);
        token.value_type = None;
        let _ = decode_payload(&token);
    }
}

/// `discover_roundtrip`: what parses, written again, parses to the same
/// value.
fn discover_roundtrip(data: &[u8], name: &str) {
    if let Ok(mut env) = Envelope::<Discover>::from_xml(data) {
        // The namespace spelling read is kept; the schema's is written.
        if let Body::Payload(p) = &mut env.body {
            p.namespace = DiscoverNamespace::Schema;
        }
        let bytes = env.to_xml().unwrap();
        assert_eq!(
            Envelope::<Discover>::from_xml(&bytes).unwrap(),
            env,
            "{name}"
        );
    }
    if let Ok(mut env) = Envelope::<DiscoverResponse>::from_xml(data) {
        // The namespace spelling read is kept; the schema's is written.
        if let Body::Payload(p) = &mut env.body {
            p.namespace = DiscoverNamespace::Schema;
        }
        let bytes = env.to_xml().unwrap();
        assert_eq!(
            Envelope::<DiscoverResponse>::from_xml(&bytes).unwrap(),
            env,
            "{name}"
        );
    }
    if let Ok(mut m) = Discover::from_xml_bytes(data) {
        let bytes = m.to_xml_bytes().unwrap();
        m.namespace = DiscoverNamespace::Schema;
        assert_eq!(Discover::from_xml_bytes(&bytes).unwrap(), m, "{name}");
    }
    if let Ok(mut m) = DiscoverResponse::from_xml_bytes(data) {
        let bytes = m.to_xml_bytes().unwrap();
        m.namespace = DiscoverNamespace::Schema;
        assert_eq!(
            DiscoverResponse::from_xml_bytes(&bytes).unwrap(),
            m,
            "{name}"
        );
    }
}

#[test]
fn fuzz_regressions_hold_the_wstep_properties() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let name = path.display().to_string();
        wstep_roundtrip(&data, &name);
        wstep_payload(&data);
        discover_roundtrip(&data, &name);
        count += 1;
    }
    assert!(count > 0);
}
