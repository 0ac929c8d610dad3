//! Memory bounds, counted by a global allocator (`cap`): the peak of live
//! heap bytes while reading a message stays under a fixed multiple of the
//! input's size, and limits stop an oversized or over-dense document
//! before it is buffered or built whole.
//!
//! The measurements run one after the other in a single test, because the
//! counter is global to this test binary: with tests on parallel threads,
//! the harness's own allocations when one ends (the output it captured)
//! were counted in another's peak.
#![allow(clippy::unwrap_used, missing_docs, clippy::cast_precision_loss)]

use std::alloc::System;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use cap::Cap;
use soap_envelope::{AnyElement, DocumentBuffer, Envelope, ErrorKind, Limit, Limits, ReadOptions};

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

const ENV_OPEN: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>"#;
const ENV_CLOSE: &str = "</s:Body></s:Envelope>";

/// Peak live bytes during `f`, beyond what was live before it.
fn peak(f: &dyn Fn()) -> usize {
    testkit::bench::allocations(&ALLOC, f).1
}

fn messages() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut dirs = vec![root.join("testdata/messages")];
    if let Some(spec) = testkit::spec_dir() {
        dirs.extend(["xcep", "wstep", "mde2"].map(|d| spec.join(d)));
    }
    let mut out: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    out.sort();
    out
}

/// Large generated envelopes of the shapes that cost the most per input
/// byte: many small elements, many attributes, one long text.
fn generated() -> Vec<(&'static str, Vec<u8>)> {
    let wrap = |inner: &str| format!("{ENV_OPEN}<p:w xmlns:p=\"urn:p\">{inner}</p:w>{ENV_CLOSE}");
    let dense = wrap(&"<p:e/>".repeat(200_000));
    let attrs = wrap(&r#"<p:e a="1" b="2" p:c="3"/>"#.repeat(50_000));
    let nested = wrap(&"<p:r><p:a>value</p:a><p:b>other</p:b></p:r>".repeat(30_000));
    let text = wrap(&format!("<p:t>{}</p:t>", "QUJD".repeat(1_000_000)));
    vec![
        ("200k empty elements", dense.into_bytes()),
        ("50k elements of 3 attributes", attrs.into_bytes()),
        ("30k small records", nested.into_bytes()),
        ("4 MB of text in one element", text.into_bytes()),
    ]
}

/// The multiple: while reading any document into the generic tree
/// ([`AnyElement`], the costliest model: every element kept with its
/// expanded name), peak live heap stays under `MULTIPLE` times the input
/// plus `FIXED`. The worst shape is many empty elements (a few input bytes
/// each, about a hundred bytes of tree each); real messages stay under a
/// third of it (see the closing note of the hardening issue for figures).
const MULTIPLE: usize = 32;
/// What reading costs whatever the size of the input (reader state,
/// namespace scopes, the envelope's own parts).
const FIXED: usize = 64 * 1024;
/// Real messages (the repository's and the specs' examples) stay under
/// this multiple (plus `FIXED`).
const REAL_MULTIPLE: usize = 10;

fn peak_memory_while_reading_is_bounded_by_a_multiple_of_the_input() {
    let mut report = String::new();
    let mut failures = String::new();
    let mut check = |name: &str, input: &[u8], multiple: usize| {
        let p = peak(&|| {
            std::hint::black_box(Envelope::<AnyElement>::from_xml(input).ok());
        });
        let ratio = p as f64 / input.len() as f64;
        writeln!(
            report,
            "{:>9} B  peak {:>10} B  x{ratio:>5.2}  {name}",
            input.len(),
            p
        )
        .unwrap();
        if p > multiple * input.len() + FIXED {
            writeln!(
                failures,
                "{name}: peak {p} B for {} B of input",
                input.len()
            )
            .unwrap();
        }
    };
    let real = messages();
    assert!(real.len() >= 10);
    for path in &real {
        let input = std::fs::read(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        check(&name, &input, REAL_MULTIPLE);
    }
    for (name, input) in generated() {
        assert!(Envelope::<AnyElement>::from_xml(&input).is_ok(), "{name}");
        check(name, &input, MULTIPLE);
    }
    eprintln!("{report}");
    assert!(failures.is_empty(), "{failures}\n{report}");
}

/// A body pushed chunk by chunk is refused once it passes the limit: a
/// 256 MiB stream costs no more than the 1 MiB limit, and a declared
/// length over the limit costs nothing.
fn an_oversized_body_is_refused_before_it_is_buffered() {
    let limits = Limits::default().with_max_document_len(1024 * 1024);
    let chunk = vec![b'x'; 64 * 1024];
    let refused = std::cell::RefCell::new(None);
    let p = peak(&|| {
        let mut body = DocumentBuffer::new(&limits);
        for i in 0..4096 {
            if let Err(e) = body.push(&chunk) {
                *refused.borrow_mut() = Some((i, e));
                break;
            }
        }
        std::hint::black_box(&body);
    });
    let (at, err) = refused.into_inner().expect("a 256 MiB stream was accepted");
    assert_eq!(at, 16, "refused at chunk {at}");
    assert_eq!(
        err.kind(),
        &ErrorKind::LimitExceeded {
            limit: Limit::DocumentLength,
            max: limits.max_document_len
        }
    );
    assert_eq!(err.offset(), 1024 * 1024);
    assert!(p <= limits.max_document_len + 4096, "peak {p} B");

    let p = peak(&|| {
        let r = DocumentBuffer::with_declared_len(&limits, Some(256 * 1024 * 1024));
        assert!(r.is_err());
    });
    assert!(p < 1024, "a refused declared length allocated {p} B");
}

/// A document over a structural limit stops where the limit is passed:
/// the tree built so far is all that was ever allocated, not the tree of
/// the whole document.
fn structural_limits_stop_reading_before_the_document_is_built() {
    let elements = format!(
        "{ENV_OPEN}<p:w xmlns:p=\"urn:p\">{}</p:w>{ENV_CLOSE}",
        "<p:e/>".repeat(2_000_000)
    );
    let text = format!(
        "{ENV_OPEN}<p:t xmlns:p=\"urn:p\">{}</p:t>{ENV_CLOSE}",
        "A".repeat(32 << 20)
    );
    let deep = format!("{ENV_OPEN}{}", "<p:d xmlns:p=\"urn:p\">".repeat(100_000));
    let cases: [(&str, &str, Limits, Limit, usize); 3] = [
        (
            "2 million elements, limit 10,000",
            &elements,
            Limits::default()
                .with_max_document_len(64 << 20)
                .with_max_elements(10_000),
            Limit::Elements,
            10_000 * 256 + FIXED,
        ),
        (
            "32 MiB of text, limit 1 MiB",
            &text,
            Limits::default()
                .with_max_document_len(64 << 20)
                .with_max_text_len(1 << 20),
            Limit::TextLength,
            3 * (1 << 20) + FIXED,
        ),
        (
            "100,000 open elements, depth limit 64",
            &deep,
            Limits::default().with_max_document_len(64 << 20),
            Limit::Depth,
            FIXED,
        ),
    ];
    for (name, input, limits, limit, bound) in cases {
        let result = std::cell::RefCell::new(None);
        let p = peak(&|| {
            *result.borrow_mut() = Some(Envelope::<AnyElement>::from_xml_with(
                input.as_bytes(),
                &ReadOptions::with_limits(limits),
            ));
        });
        let err = result.into_inner().unwrap().expect_err(name);
        assert!(
            matches!(err.kind(), ErrorKind::LimitExceeded { limit: l, .. } if *l == limit),
            "{name}: {err}"
        );
        assert!(
            p <= bound,
            "{name}: peak {p} B, over {bound} B (input {} B)",
            input.len()
        );
        eprintln!(
            "{name}: stopped at byte {} of {}, peak {p} B",
            err.offset(),
            input.len()
        );
    }
}

/// Every measurement, one after the other (see the module docs).
#[test]
fn memory_bounds() {
    peak_memory_while_reading_is_bounded_by_a_multiple_of_the_input();
    an_oversized_body_is_refused_before_it_is_buffered();
    structural_limits_stop_reading_before_the_document_is_built();
}
