//! What every hostile-input suite checks the same way: its manifest
//! (`EXPECTED.txt`, one tab-separated line per file) against its directory,
//! and truncation of a real message at every byte.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

/// The lines of `dir/EXPECTED.txt`, each split at its tabs, without blank
/// lines and `#` comments; each must have `columns` fields.
pub fn manifest(dir: &Path, columns: usize) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(dir.join("EXPECTED.txt")).unwrap();
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(n, l)| {
            let fields: Vec<String> = l.split('\t').map(|f| f.trim().to_owned()).collect();
            assert_eq!(
                fields.len(),
                columns,
                "EXPECTED.txt line {}: want {columns} tab-separated fields: {l:?}",
                n + 1
            );
            fields
        })
        .collect()
}

/// Asserts that `listed` (the manifest's file names) names each file of
/// `dir` once, and nothing else, and holds at least `min` files. The
/// manifest and a `README.md` are not inputs; subdirectories (the typed
/// suites of other crates) are not looked into.
pub fn assert_manifest_matches(dir: &Path, listed: &[&str], min: usize) {
    let mut names = BTreeSet::new();
    for file in listed {
        assert!(
            names.insert(*file),
            "{file} is listed twice in EXPECTED.txt"
        );
    }
    let mut on_disk = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_dir() {
            continue;
        }
        let name = entry.file_name().into_string().unwrap();
        if name != "EXPECTED.txt" && name != "README.md" {
            on_disk.insert(name);
        }
    }
    let unlisted: Vec<_> = on_disk
        .iter()
        .filter(|f| !names.contains(f.as_str()))
        .collect();
    let missing: Vec<_> = names.iter().filter(|f| !on_disk.contains(**f)).collect();
    assert!(
        unlisted.is_empty() && missing.is_empty(),
        "files not in EXPECTED.txt: {unlisted:?}; listed but absent: {missing:?}"
    );
    assert!(listed.len() >= min, "only {} files listed", listed.len());
}

/// Truncation at every byte: `read` (which gives the error's byte offset,
/// or `None` when the input reads) must read `bytes` whole, and refuse each
/// proper prefix that ends before the last `>`, with an offset within the
/// prefix and without panicking.
pub fn assert_every_prefix_fails(name: &str, bytes: &[u8], read: impl Fn(&[u8]) -> Option<u64>) {
    assert_eq!(read(bytes), None, "{name}: the whole message does not read");
    let end = bytes.iter().rposition(|b| *b == b'>').map_or(0, |i| i + 1);
    for n in 0..end {
        let prefix = &bytes[..n];
        let offset = catch_unwind(AssertUnwindSafe(|| read(prefix)))
            .unwrap_or_else(|_| panic!("{name}: panic on the prefix of {n} bytes"))
            .unwrap_or_else(|| panic!("{name}: the prefix of {n} bytes was accepted"));
        assert!(
            offset <= n as u64,
            "{name}: prefix of {n} bytes: error at byte {offset}"
        );
    }
}
