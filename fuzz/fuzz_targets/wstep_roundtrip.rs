//! MS-WSTEP messages: reading never panics; what parses, written again,
//! parses to the same value (as a SOAP envelope and as a bare element).
#![no_main]

use libfuzzer_sys::fuzz_target;
use soap_envelope::{Envelope, Limits, ToXml, XmlWriter, read_document};
use wstep::WstepMessage;

fuzz_target!(|data: &[u8]| {
    if let Ok(env) = Envelope::<WstepMessage>::from_xml(data) {
        let bytes = env.to_xml().expect("a parsed envelope can be written");
        let again = Envelope::<WstepMessage>::from_xml(&bytes).expect("what we write parses");
        assert_eq!(env, again);
    }
    if let Ok(msg) = read_document::<WstepMessage>(data, &Limits::default()) {
        let mut w = XmlWriter::new();
        msg.to_xml(&mut w).expect("a parsed message can be written");
        let bytes = w.into_bytes().expect("complete");
        let again = read_document::<WstepMessage>(&bytes, &Limits::default())
            .expect("what we write parses");
        assert_eq!(msg, again);
    }
});
