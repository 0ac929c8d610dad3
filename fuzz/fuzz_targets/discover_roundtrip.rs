//! MS-MDE2 Discover / DiscoverResponse: reading never panics; what parses,
//! written again, parses to the same value (as a SOAP envelope and bare),
//! but for the namespace spelling read, which is kept while the schema's is
//! always written.
#![no_main]

use libfuzzer_sys::fuzz_target;
use soap_envelope::{Body, Envelope};
use wstep::{Discover, DiscoverNamespace, DiscoverResponse};

fuzz_target!(|data: &[u8]| {
    if let Ok(mut env) = Envelope::<Discover>::from_xml(data) {
        // The namespace spelling read is kept; the schema's is written.
        if let Body::Payload(p) = &mut env.body {
            p.namespace = DiscoverNamespace::Schema;
        }
        let bytes = env.to_xml().expect("a parsed envelope can be written");
        let again = Envelope::<Discover>::from_xml(&bytes).expect("what we write parses");
        assert_eq!(env, again);
    }
    if let Ok(mut env) = Envelope::<DiscoverResponse>::from_xml(data) {
        // The namespace spelling read is kept; the schema's is written.
        if let Body::Payload(p) = &mut env.body {
            p.namespace = DiscoverNamespace::Schema;
        }
        let bytes = env.to_xml().expect("a parsed envelope can be written");
        let again = Envelope::<DiscoverResponse>::from_xml(&bytes).expect("what we write parses");
        assert_eq!(env, again);
    }
    if let Ok(mut m) = Discover::from_xml_bytes(data) {
        let bytes = m.to_xml_bytes().expect("a parsed message can be written");
        m.namespace = DiscoverNamespace::Schema;
        assert_eq!(
            Discover::from_xml_bytes(&bytes).expect("what we write parses"),
            m
        );
    }
    if let Ok(mut m) = DiscoverResponse::from_xml_bytes(data) {
        let bytes = m.to_xml_bytes().expect("a parsed message can be written");
        m.namespace = DiscoverNamespace::Schema;
        assert_eq!(
            DiscoverResponse::from_xml_bytes(&bytes).expect("what we write parses"),
            m
        );
    }
});
