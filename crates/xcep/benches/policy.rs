//! Reading a large GetPoliciesResponse into the typed model, against
//! quick-xml's raw namespace reader over the same bytes (the baseline: every
//! event read, every element name resolved, every attribute value and text
//! touched, nothing built), as `crates/soap-envelope/benches/envelope.rs`
//! does for envelopes.
//!
//! The input is a bare `GetPoliciesResponse` element (no SOAP envelope, so
//! that only the MS-XCEP model is measured), built with the model's builders
//! and written with `to_xml`: 500 templates, 20 CAs (2 or 3 CAURIs
//! and a 1 KB certificate each) and 1,000 OIDs, with the fields a Windows
//! policy server fills in (flags, crypto providers, extensions with base64
//! values, superseded templates, RA requirements, key archival).
//!
//! Besides criterion's report, the bench prints, timed in this same
//! process:
//!
//! - `RATIO`: parse time / baseline time, parse + resolve
//!   (`GetPoliciesResponse::resolve`) time / baseline time, and the time of
//!   resolve alone;
//! - `ALLOC`: for one parse, the bytes requested from the allocator (a
//!   `realloc` counts its new size) and the peak of live bytes above those
//!   live before the parse (the input is not counted), each per input byte.
//!
//! With `XCEP_BENCH_WRITE_INPUT=FILE` set, the input is also written to
//! `FILE`.
//!
//! Allocations are counted by the `cap` crate's allocator (a wrapper of
//! `System` with atomic counters; the workspace forbids `unsafe_code`, so
//! the `unsafe impl GlobalAlloc` cannot live here). It is the global
//! allocator of this whole binary, so the baseline and the parse pay the
//! same few atomic operations per allocation.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

use std::alloc::System;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use cap::Cap;
use criterion::{Criterion, Throughput, criterion_group};
use testkit::bench::{allocations, baseline, time_per_iter};
use xcep::GetPoliciesResponse;

/// Counts every allocation of this binary: total bytes requested and peak
/// live bytes (`stats` feature), with no limit.
#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

// ---------------------------------------------------------------------------
// The input.

#[path = "common/large_policy.rs"]
mod large_policy;

/// The response, bare (root `GetPoliciesResponse`), as written by the
/// model.
fn large_response() -> Vec<u8> {
    large_policy::large_response().to_xml().unwrap()
}

// ---------------------------------------------------------------------------
// What is timed.

fn parse(input: &[u8]) -> GetPoliciesResponse {
    GetPoliciesResponse::from_xml(input).unwrap()
}

/// Parse, then resolve every reference (`GetPoliciesResponse::resolve`,
/// which builds its id maps once).
fn parse_and_resolve(input: &[u8]) {
    let r = parse(input);
    black_box(r.resolve().unwrap());
}

fn bench(c: &mut Criterion) {
    let name = "policy_500_templates";
    let input = large_response();
    let len = input.len();
    // To look at the input, or feed it to `cepces inspect`.
    if let Some(path) = std::env::var_os("XCEP_BENCH_WRITE_INPUT") {
        std::fs::write(path, &input).unwrap();
    }

    // Sanity: the input reads back with everything in it.
    assert!(baseline(&input) > 0);
    let r = parse(&input);
    assert_eq!(r.policies().len(), large_policy::TEMPLATES as usize);
    assert_eq!(r.cas.as_ref().unwrap().len(), large_policy::CAS as usize);
    assert_eq!(r.oids.as_ref().unwrap().len(), large_policy::OIDS as usize);
    drop(r);

    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Bytes(len as u64));
    g.bench_function("quick_xml_ns_reader", |b| {
        b.iter(|| baseline(black_box(&input)));
    });
    g.bench_function("xcep_parse", |b| b.iter(|| parse(black_box(&input))));
    g.bench_function("xcep_parse_resolve", |b| {
        b.iter(|| parse_and_resolve(black_box(&input)));
    });
    let parsed = parse(&input);
    g.bench_function("xcep_resolve_only", |b| {
        b.iter(|| {
            black_box(black_box(&parsed).resolve().unwrap())
                .templates()
                .len()
        });
    });
    g.finish();

    let budget = Duration::from_millis(1500);
    let base = time_per_iter(
        &|| {
            black_box(baseline(black_box(&input)));
        },
        budget,
    );
    let mine = time_per_iter(
        &|| {
            black_box(parse(black_box(&input)));
        },
        budget,
    );
    let mut line = format!(
        "RATIO {name}: {len} bytes (bare GetPoliciesResponse), baseline {:.2} ms, xcep parse {:.2} ms, ratio {:.2}",
        base * 1e3,
        mine * 1e3,
        mine / base
    );
    let both = time_per_iter(&|| parse_and_resolve(black_box(&input)), budget);
    let alone = time_per_iter(
        &|| {
            black_box(black_box(&parsed).resolve().unwrap().templates().len());
        },
        budget,
    );
    let _ = write!(
        line,
        ", parse+resolve {:.2} ms, ratio {:.2}; resolve alone {:.2} ms",
        both * 1e3,
        both / base,
        alone * 1e3
    );
    drop(parsed);
    println!("{line}");

    let per_byte = |n: usize| n as f64 / len as f64;
    let run_baseline = || {
        black_box(baseline(black_box(&input)));
    };
    let run_parse = || {
        black_box(parse(black_box(&input)));
    };
    let runs: [(&str, &dyn Fn()); 2] = [("baseline", &run_baseline), ("xcep parse", &run_parse)];
    for (what, f) in runs {
        let (total, peak) = allocations(&ALLOC, f);
        println!(
            "ALLOC {name} {what}: {len} input bytes, allocated {total} bytes ({:.2} per input byte), peak live {peak} bytes ({:.2} per input byte)",
            per_byte(total),
            per_byte(peak)
        );
    }
    let (total, peak) = allocations(&ALLOC, &|| parse_and_resolve(black_box(&input)));
    println!(
        "ALLOC {name} xcep parse+resolve: {len} input bytes, allocated {total} bytes ({:.2} per input byte), peak live {peak} bytes ({:.2} per input byte)",
        per_byte(total),
        per_byte(peak)
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
