//! Memory bound of `cepces inspect --json` on a large message: the
//! 500-template GetPoliciesResponse of the benches
//! (`crates/xcep/benches/common/large_policy.rs`), in an envelope as a
//! policy server sends it (1.1 MB), is reported with peak live heap under
//! 10 times the input, counted by a global allocator (`cap`).
//!
//! The report is written as it is made ([`cepces::inspect_to`]), its JSON
//! (12 times the input) never held whole; the payload's generic tree
//! (about 7 times the input, the bulk of the peak) is let go once shown,
//! before its typed model is read from the input. Measured: 6.99 for the
//! policy, the same when the typed model refuses a template, 8.7 when the
//! typed view has to be read from the tree written back; 10.2 for the
//! text report, which shows the view before the tree and so holds both
//! (before streaming: 69.7 for the JSON, 20.4 for the text).
//!
//! Each test takes `testkit::bench::serial()`: the counter is global to
//! this test binary.
#![allow(clippy::unwrap_used, missing_docs)]

use std::alloc::System;

use cap::Cap;
use cepces::{Accept, Verdict};
use soap_envelope::{Envelope, Header, Payload as _, ReadOptions};
use xcep::XcepMessage;

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

// Its counts are asserted by the xcep bench; its small deterministic
// numbers are cast as the benches cast them.
#[path = "../../xcep/benches/common/large_policy.rs"]
#[allow(dead_code, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
mod large_policy;

/// Peak live heap of the JSON report, as a multiple of the input.
const JSON_MULTIPLE: usize = 10;
/// Peak live heap of the text report, as a multiple of the input: a guard
/// against regressions, not a goal.
const TEXT_MULTIPLE: usize = 12;

/// The policy in an envelope, as a policy server sends it. Set
/// `CEPCES_INSPECT_WRITE_INPUT` to a path to get it as a file (to measure
/// the command with `heaptrack` or `/usr/bin/time -v`).
fn large_policy() -> Vec<u8> {
    let message = XcepMessage::from(large_policy::large_response());
    let header = Header::new()
        .with_action(message.action().unwrap())
        .with_relates_to("urn:uuid:b5d1a601-5091-4a7d-b34b-5204c18b5919");
    let input = Envelope::new(header, message).to_xml().unwrap();
    assert!(input.len() >= 400 * 1024, "{} B", input.len());
    if let Some(path) = std::env::var_os("CEPCES_INSPECT_WRITE_INPUT") {
        std::fs::write(path, &input).unwrap();
    }
    input
}

/// `input` with the last occurrence of `from` replaced by `to`.
fn replace_last(input: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = std::str::from_utf8(input).unwrap();
    let at = text.rfind(from).unwrap();
    format!("{}{to}{}", &text[..at], &text[at + from.len()..]).into_bytes()
}

/// The report of `input`, and the peak live heap reached while making it
/// (the output goes to a sink).
fn measure(input: &[u8], json: bool) -> (Verdict, usize) {
    let options = ReadOptions::default();
    let verdict = std::cell::RefCell::new(None);
    let peak = testkit::bench::allocations(&ALLOC, &|| {
        let v = cepces::inspect_to(input, &options, Accept::Any, json, std::io::sink()).unwrap();
        *verdict.borrow_mut() = Some(v);
    })
    .1;
    (verdict.into_inner().unwrap(), peak)
}

/// The JSON report of `input`, in a vector.
fn json(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    cepces::inspect_to(input, &ReadOptions::default(), Accept::Any, true, &mut out).unwrap();
    out
}

#[test]
fn json_of_a_large_policy_peaks_under_10_times_the_input() {
    let _serial = testkit::bench::serial();
    let input = large_policy();
    let (verdict, peak) = measure(&input, true);
    assert!(!verdict.bad_input, "{}", verdict.stderr);
    testkit::bench::assert_peak_within("JSON report", input.len(), peak, JSON_MULTIPLE, 0);

    // What was measured is the whole report.
    let out = String::from_utf8(json(&input)).unwrap();
    assert!(out.ends_with("}\n"));
    assert!(out.contains(r#""message": "GetPolicies response""#));
    assert!(out.contains(r#""common_name": "ContosoTemplate499""#));
    assert!(out.contains(r#""reference_id": 19"#));
}

/// A template the typed model refuses: the report carries the error, and
/// costs no more.
#[test]
fn json_of_a_large_refused_policy_peaks_under_10_times_the_input() {
    let _serial = testkit::bench::serial();
    let input = replace_last(
        &large_policy(),
        "<minimalKeyLength>2048<",
        "<minimalKeyLength>-2048<",
    );
    let (verdict, peak) = measure(&input, true);
    assert!(verdict.bad_input);
    assert!(
        verdict
            .stderr
            .contains("/Envelope/Body/GetPoliciesResponse/response/policies/policy[500]/"),
        "{}",
        verdict.stderr
    );
    testkit::bench::assert_peak_within("refused policy", input.len(), peak, JSON_MULTIPLE, 0);
}

/// A character reference to a space between elements: the typed view is
/// read from the tree, read again and written back (the tree is let go
/// before the model is read). The report is the same as without it.
#[test]
fn json_of_a_large_policy_read_from_its_tree_peaks_under_10_times_the_input() {
    let _serial = testkit::bench::serial();
    let plain = large_policy();
    let input = replace_last(&plain, "</oID><oID>", "</oID>&#32;<oID>");
    let (verdict, peak) = measure(&input, true);
    assert!(!verdict.bad_input, "{}", verdict.stderr);
    testkit::bench::assert_peak_within("view from the tree", input.len(), peak, JSON_MULTIPLE, 0);
    assert!(json(&input) == json(&plain), "the reports differ");
}

#[test]
fn text_of_a_large_policy_stays_bounded() {
    let _serial = testkit::bench::serial();
    let input = large_policy();
    let (verdict, peak) = measure(&input, false);
    assert!(!verdict.bad_input, "{}", verdict.stderr);
    testkit::bench::assert_peak_within("text report", input.len(), peak, TEXT_MULTIPLE, 0);
}
