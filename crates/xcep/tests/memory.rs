//! Memory bound of the typed model: reading a large GetPoliciesResponse
//! (hundreds of templates) into [`XcepMessage`] keeps peak live heap under
//! a fixed multiple of the input, counted by a global allocator (`cap`).
#![allow(clippy::unwrap_used, missing_docs)]

use std::alloc::System;
use std::path::Path;

use cap::Cap;
use soap_envelope::{Envelope, ReadOptions};
use xcep::XcepMessage;

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

/// Peak live heap while reading stays under `MULTIPLE` times the input
/// plus `FIXED`.
const MULTIPLE: usize = 2;
/// What reading costs whatever the input's size.
const FIXED: usize = 64 * 1024;

/// The repository's GetPoliciesResponse with its templates repeated
/// `copies` times.
fn large_response(copies: usize) -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/messages");
    let text = std::fs::read_to_string(root.join("get-policies-response.xml")).unwrap();
    let start = text.find("<policy>").unwrap();
    let end = text.rfind("</policy>").unwrap() + "</policy>".len();
    let mut out = String::with_capacity(text.len() + (end - start) * copies);
    out.push_str(&text[..start]);
    for _ in 0..copies {
        out.push_str(&text[start..end]);
    }
    out.push_str(&text[end..]);
    out.into_bytes()
}

fn templates(msg: &XcepMessage) -> usize {
    match msg {
        XcepMessage::GetPoliciesResponse(r) => r.policies().len(),
        _ => 0,
    }
}

#[test]
fn reading_a_large_policy_response_is_bounded() {
    let small = large_response(1);
    let one = templates(
        Envelope::<XcepMessage>::from_xml(&small)
            .unwrap()
            .payload()
            .unwrap(),
    );
    for copies in [1, 50, 500] {
        let input = large_response(copies);
        let count = std::cell::Cell::new(0);
        let peak = testkit::bench::allocations(&ALLOC, &|| {
            let env =
                Envelope::<XcepMessage>::from_xml_with(&input, &ReadOptions::default()).unwrap();
            count.set(templates(env.payload().unwrap()));
        })
        .1;
        assert_eq!(count.get(), one * copies);
        testkit::bench::assert_peak_within(
            &format!("{} templates", count.get()),
            input.len(),
            peak,
            MULTIPLE,
            FIXED,
        );
    }
}
