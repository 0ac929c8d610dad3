//! Whatever parses, written again, parses to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use soap_envelope::{AnyElement, Envelope};

fuzz_target!(|data: &[u8]| {
    if let Ok(env) = Envelope::<AnyElement>::from_xml(data) {
        let bytes = env.to_xml().expect("a parsed envelope can be written");
        let again = Envelope::<AnyElement>::from_xml(&bytes).expect("what we write parses");
        assert_eq!(env, again);
    }
});
