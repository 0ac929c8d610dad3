//! MS-XCEP messages: reading never panics; what parses, written again,
//! parses to the same value; resolving never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use soap_envelope::{Envelope, Limits, read_document};
use xcep::XcepMessage;

fuzz_target!(|data: &[u8]| {
    if let Ok(env) = Envelope::<XcepMessage>::from_xml(data) {
        let bytes = env.to_xml().expect("a parsed envelope can be written");
        let again = Envelope::<XcepMessage>::from_xml(&bytes).expect("what we write parses");
        assert_eq!(env, again);
    }
    if let Ok(msg) = read_document::<XcepMessage>(data, &Limits::default()) {
        if let XcepMessage::GetPoliciesResponse(r) = &msg {
            let _ = r.resolve();
        }
        let mut w = soap_envelope::XmlWriter::new();
        soap_envelope::ToXml::to_xml(&msg, &mut w).expect("a parsed message can be written");
        let bytes = w.into_bytes().expect("complete");
        let again =
            read_document::<XcepMessage>(&bytes, &Limits::default()).expect("what we write parses");
        assert_eq!(msg, again);
    }
});
