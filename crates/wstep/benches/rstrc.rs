//! Reading an MS-WSTEP RequestSecurityTokenResponseCollection that carries
//! a certificate chain, against quick-xml's raw namespace reader over the
//! same bytes (the baseline: every event read, every element name resolved,
//! every attribute value and text touched, nothing built), as
//! `crates/soap-envelope/benches/envelope.rs` and
//! `crates/xcep/benches/policy.rs` do.
//!
//! The input is the [MS-WSTEP] 4.1.1.2 example (the issued response: a
//! PKCS#7 chain in `wsse:BinarySecurityToken` and the issued certificate in
//! `wst:RequestedSecurityToken`), read at run time from
//! `/work/shared/testdata/spec/wstep/4.1.1.2-RSTRC-issued.normalized.xml`
//! (or `$WSTEP_BENCH_INPUT`) when present, otherwise from
//! `testdata/messages/rst-issue-response.xml`, so the bench runs without
//! the spec folder.
//!
//! Measured:
//!
//! - `quick_xml_ns_reader`: the baseline;
//! - `wstep_parse`: `Envelope<WstepMessage>::from_xml`;
//! - `wstep_parse_decode`: the parse, then `decode_token` of every token
//!   (base64 → DER → `SignedPayload` / `IssuedCertificate`);
//! - `wstep_rs_parse`: the other Rust implementation on crates.io,
//!   `wstep-rs` 0.1.3, `WstepResponse::new_from_soap_xml_str` (serde over
//!   quick-xml 0.37, matching elements by their prefixed names, not by
//!   namespace; it borrows the text from the input where it can and decodes
//!   no DER, so it compares with `wstep_parse`, which builds an owned model).
//!
//! Besides criterion's report, the bench prints, timed in this same
//! process, `RATIO` (each time / baseline time) and `ALLOC` (for one run,
//! the bytes requested from the allocator, a `realloc` counting its new
//! size, and the peak of live bytes above those live before; each per input
//! byte), counted by the `cap` crate's allocator (the workspace forbids
//! `unsafe_code`, so the `unsafe impl GlobalAlloc` cannot live here).
//!
//! [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::type_complexity
)]

use std::alloc::System;
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use cap::Cap;
use criterion::{Criterion, Throughput, criterion_group};
use soap_envelope::Envelope;
use testkit::bench::{allocations, baseline, time_per_iter};
use wstep::{BinarySecurityToken, TokenContent, WstepMessage, decode_token};

/// Counts every allocation of this binary: total bytes requested and peak
/// live bytes (`stats` feature), with no limit.
#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

const SPEC: &str = "/work/shared/testdata/spec/wstep/4.1.1.2-RSTRC-issued.normalized.xml";

/// The input file and its bytes: the spec example when present, else the
/// repository's own RSTRC.
fn input() -> (PathBuf, Vec<u8>) {
    let spec =
        std::env::var_os("WSTEP_BENCH_INPUT").map_or_else(|| PathBuf::from(SPEC), PathBuf::from);
    let fallback = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/messages/rst-issue-response.xml");
    for path in [spec, fallback] {
        if let Ok(bytes) = std::fs::read(&path) {
            return (path, bytes);
        }
    }
    panic!("neither {SPEC} nor testdata/messages/rst-issue-response.xml is readable");
}

// ---------------------------------------------------------------------------
// What is timed.

fn parse(input: &[u8]) -> Envelope<WstepMessage> {
    Envelope::<WstepMessage>::from_xml(input).unwrap()
}

/// Every `BinarySecurityToken` of the collection's responses.
fn tokens(env: &Envelope<WstepMessage>) -> Vec<&BinarySecurityToken> {
    let Some(WstepMessage::RequestSecurityTokenResponseCollection(c)) = env.payload() else {
        panic!("not an RSTRC");
    };
    let mut v = Vec::new();
    for r in &c.responses {
        v.extend(r.binary_security_token.as_ref());
        v.extend(
            r.requested_security_token
                .as_ref()
                .and_then(|t| t.binary_security_token.as_ref()),
        );
    }
    v
}

/// Parse, then decode every token's DER.
fn parse_and_decode(input: &[u8]) -> Vec<TokenContent> {
    let env = parse(input);
    tokens(&env)
        .into_iter()
        .map(|t| decode_token(t).unwrap())
        .collect()
}

fn wstep_rs(input: &str) -> Result<wstep_rs::response::WstepResponse<'_>, String> {
    wstep_rs::response::WstepResponse::new_from_soap_xml_str(input).map_err(|e| e.to_string())
}

fn bench(c: &mut Criterion) {
    let name = "rstrc_issued";
    let (path, input) = input();
    let len = input.len();
    let text = std::str::from_utf8(&input).unwrap();

    // Sanity: the input reads back with its chain and certificate.
    assert!(baseline(&input) > 0);
    let env = parse(&input);
    let token_count = tokens(&env).len();
    assert!(token_count > 0);
    let decoded = parse_and_decode(&input);
    let kinds: Vec<_> = decoded.iter().map(TokenContent::kind).collect();
    drop((env, decoded));
    // wstep-rs: whether it reads this message at all.
    let theirs = wstep_rs(text);
    let theirs_ok = match &theirs {
        Ok(r) => {
            let rstr = &r
                .requested_token_collection()
                .unwrap()
                .request_security_token_response;
            assert!(
                !rstr
                    .requested_security_token
                    .binary_security_token_value()
                    .is_empty()
            );
            true
        }
        Err(e) => {
            println!(
                "WSTEP_RS {name}: wstep-rs cannot read {}: {e}",
                path.display()
            );
            false
        }
    };
    drop(theirs);
    println!(
        "INPUT {name}: {} ({len} bytes), {token_count} tokens decoded as {kinds:?}",
        path.display()
    );

    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Bytes(len as u64));
    g.bench_function("quick_xml_ns_reader", |b| {
        b.iter(|| baseline(black_box(&input)));
    });
    g.bench_function("wstep_parse", |b| b.iter(|| parse(black_box(&input))));
    g.bench_function("wstep_parse_decode", |b| {
        b.iter(|| parse_and_decode(black_box(&input)));
    });
    if theirs_ok {
        g.bench_function("wstep_rs_parse", |b| {
            b.iter(|| wstep_rs(black_box(text)).unwrap());
        });
    }
    g.finish();

    let run_baseline = || {
        black_box(baseline(black_box(&input)));
    };
    let run_parse = || {
        black_box(parse(black_box(&input)));
    };
    let run_decode = || {
        black_box(parse_and_decode(black_box(&input)));
    };
    let run_theirs = || {
        black_box(wstep_rs(black_box(text)).unwrap());
    };
    let mut runs: Vec<(&str, &dyn Fn())> = vec![
        ("wstep parse", &run_parse),
        ("wstep parse+decode", &run_decode),
    ];
    if theirs_ok {
        runs.push(("wstep-rs parse", &run_theirs));
    }

    let budget = Duration::from_secs(1);
    let base = time_per_iter(&run_baseline, budget);
    let mut line = format!("RATIO {name}: {len} bytes, baseline {:.2} us", base * 1e6);
    for (what, f) in &runs {
        let t = time_per_iter(*f, budget);
        let _ = write!(line, "; {what} {:.2} us, ratio {:.2}", t * 1e6, t / base);
    }
    println!("{line}");

    let per_byte = |n: usize| n as f64 / len as f64;
    for (what, f) in std::iter::once(("baseline", &run_baseline as &dyn Fn())).chain(runs) {
        let (total, peak) = allocations(&ALLOC, f);
        println!(
            "ALLOC {name} {what}: {len} input bytes, allocated {total} bytes ({:.2} per input byte), peak live {peak} bytes ({:.2} per input byte)",
            per_byte(total),
            per_byte(peak)
        );
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
