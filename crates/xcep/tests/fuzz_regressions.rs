//! Replays every input in `fuzz/regressions/` through the `xcep_roundtrip`
//! fuzz target's properties, on stable Rust.
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::Path;

use soap_envelope::{Envelope, Limits, ToXml, XmlWriter, read_document};
use xcep::XcepMessage;

#[test]
fn fuzz_regressions_hold_the_xcep_properties() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        if let Ok(env) = Envelope::<XcepMessage>::from_xml(&data) {
            let bytes = env.to_xml().unwrap();
            assert_eq!(
                Envelope::<XcepMessage>::from_xml(&bytes).unwrap(),
                env,
                "{}",
                path.display()
            );
        }
        if let Ok(msg) = read_document::<XcepMessage>(&data, &Limits::default()) {
            if let XcepMessage::GetPoliciesResponse(r) = &msg {
                let _ = r.resolve();
            }
            let mut w = XmlWriter::new();
            msg.to_xml(&mut w).unwrap();
            let bytes = w.into_bytes().unwrap();
            assert_eq!(
                read_document::<XcepMessage>(&bytes, &Limits::default()).unwrap(),
                msg
            );
        }
        count += 1;
    }
    assert!(count > 0);
}
