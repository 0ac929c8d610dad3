//! Replays every input in `fuzz/regressions/` (crashes the fuzzers found,
//! kept after the fix) through the fuzz targets' properties, on stable Rust.
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::Path;

use soap_envelope::{AnyElement, Envelope, Limits, ReadOptions, read_document};

#[test]
fn fuzz_regressions_hold_the_properties() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        // Target `envelope`: never panics.
        let _ = Envelope::<AnyElement>::from_xml_with(
            &data,
            &ReadOptions::default().accept_soap11(true),
        );
        let _ = read_document::<AnyElement>(&data, &Limits::default());
        // Target `envelope_roundtrip`: what parses, written, parses equal.
        if let Ok(env) = Envelope::<AnyElement>::from_xml(&data) {
            let bytes = env
                .to_xml()
                .unwrap_or_else(|e| panic!("{}: write failed: {e}", path.display()));
            let again = Envelope::<AnyElement>::from_xml(&bytes).unwrap();
            assert_eq!(env, again, "{}", path.display());
        }
        count += 1;
    }
    assert!(count > 0, "no regression inputs in {}", dir.display());
}
