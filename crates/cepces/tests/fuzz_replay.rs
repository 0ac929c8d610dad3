//! Replays the fuzz targets' properties on stable Rust, as part of the
//! normal suite: every input in `fuzz/regressions/` (crashes the fuzzers
//! found, kept after the fix), every file of `testdata/`, the spec examples
//! beside the checkout, and, when a fuzzing run has left one and
//! `CEPCES_REPLAY_FUZZ_CORPUS` is set, the local corpus in `fuzz/corpus/`,
//! each through every target of
//! `fuzz/src/lib.rs` (the very functions the fuzzers call).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../../../fuzz/src/lib.rs"]
mod props;

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every file under `dir`, recursively, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Runs every target over every file; returns the failures, one line each.
fn replay(inputs: &[PathBuf]) -> Vec<String> {
    let mut failures = Vec::new();
    for path in inputs {
        // A running fuzzer may remove corpus files as it reduces them.
        let Ok(data) = std::fs::read(path) else {
            continue;
        };
        for (name, property) in props::TARGETS {
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| property(&data))) {
                let msg = testkit::panic_message(panic.as_ref());
                failures.push(format!("{name}: {}: {msg}", path.display()));
            }
        }
    }
    failures
}

#[test]
fn every_fuzz_target_is_replayed() {
    let on_disk: BTreeSet<String> = files(&root().join("fuzz/fuzz_targets"))
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = props::TARGETS
        .iter()
        .map(|(n, _)| (*n).to_owned())
        .collect();
    assert_eq!(
        on_disk, listed,
        "fuzz/fuzz_targets and props::TARGETS differ"
    );
}

#[test]
fn regressions_hold_every_property() {
    let inputs = files(&root().join("fuzz/regressions"));
    assert!(inputs.len() >= 5, "regression inputs missing");
    let failures = replay(&inputs);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn testdata_and_spec_examples_hold_every_property() {
    let mut inputs = files(&root().join("testdata"));
    if let Some(spec) = testkit::spec_dir() {
        for d in ["xcep", "wstep", "mde2"] {
            inputs.extend(files(&spec.join(d)));
        }
    }
    inputs.retain(|p| p.extension().is_none_or(|e| e != "md" && e != "xsd"));
    assert!(inputs.len() > 50, "only {} inputs", inputs.len());
    let failures = replay(&inputs);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The corpus a local fuzzing run leaves in `fuzz/corpus/`: not committed
/// (tens of MB), so absent on a fresh checkout, where this replays nothing.
/// A run leaves tens of thousands of files, which take minutes through
/// every property in a debug build: set `CEPCES_REPLAY_FUZZ_CORPUS=1` to
/// replay them.
#[test]
fn local_fuzz_corpus_holds_every_property() {
    if std::env::var_os("CEPCES_REPLAY_FUZZ_CORPUS").is_none() {
        eprintln!("fuzz/corpus not replayed: set CEPCES_REPLAY_FUZZ_CORPUS=1");
        return;
    }
    let inputs = files(&root().join("fuzz/corpus"));
    let failures = replay(&inputs);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
