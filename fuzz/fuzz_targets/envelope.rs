//! Any bytes: reading an envelope never panics (errors are fine).
#![no_main]

use libfuzzer_sys::fuzz_target;
use soap_envelope::{AnyElement, Envelope, Limits, ReadOptions, read_document};

fuzz_target!(|data: &[u8]| {
    let _ = Envelope::<AnyElement>::from_xml(data);
    let _ =
        Envelope::<AnyElement>::from_xml_with(data, &ReadOptions::default().accept_soap11(true));
    let _ = read_document::<AnyElement>(data, &Limits::default());
});
