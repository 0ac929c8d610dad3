//! Test support shared by the workspace's crates (not published).
//!
//! Shared helpers for the spec-conformance tests: where the spec examples
//! live, and how to run xmllint against the bundled schemas.
//!
//! The examples live outside the repository, in
//! `<workspace root>/../shared/testdata/spec` (see its README.md). When that
//! folder or xmllint is missing, a test is skipped with a message on stderr,
//! except in CI (`CI=true`), where a missing folder or tool is an error.

#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub mod api;
pub mod bench;
pub mod hostile;
pub mod layers;
pub mod postgres;
pub mod samba;
pub mod softhsm;
use std::sync::OnceLock;

/// Whether we run in CI, where missing test data or tools are errors.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The spec folder, resolved once: `<workspace root>/../shared/testdata/spec`.
fn resolve_spec_dir() -> Option<PathBuf> {
    let workspace_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = workspace_root.join("../shared/testdata/spec");
    if dir.is_dir() {
        Some(dir.canonicalize().unwrap_or(dir))
    } else {
        None
    }
}

/// The spec folder, or `None` (after saying so on stderr) when it is absent.
/// Panics when it is absent in CI.
pub fn spec_dir() -> Option<&'static Path> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    let dir = DIR.get_or_init(resolve_spec_dir).as_deref();
    if dir.is_none() {
        assert!(
            !in_ci(),
            "../shared/testdata/spec not found next to the workspace root ({}); \
             the spec examples are required in CI",
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../..")
                .display()
        );
        eprintln!("skipped: ../shared/testdata/spec not found");
    }
    dir
}

/// Whether xmllint can be run; `false` (after saying so on stderr) when it
/// is not installed. Panics in that case in CI.
pub fn xmllint_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    let ok = *AVAILABLE.get_or_init(|| {
        Command::new("xmllint")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if !ok {
        assert!(
            !in_ci(),
            "xmllint is not installed (apt-get install libxml2-utils); it is required in CI"
        );
        eprintln!("skipped: xmllint not installed (apt-get install libxml2-utils)");
    }
    ok
}

/// The outcome of one xmllint schema validation.
#[derive(Debug, Clone)]
pub struct Validation {
    /// The file validated.
    pub file: PathBuf,
    /// xmllint's exit code (0 valid, 3 invalid, others for other errors).
    pub code: Option<i32>,
    /// Whether xmllint printed `<file> validates`.
    pub validates: bool,
    /// The diagnostics, one entry per message (continuation lines joined
    /// with `\n`), without the schema "parser warning" lines and the final
    /// verdict line.
    pub messages: Vec<String>,
}

impl Validation {
    /// Valid, with no diagnostics at all.
    pub fn is_clean_pass(&self) -> bool {
        self.code == Some(0) && self.validates && self.messages.is_empty()
    }

    /// The messages that are schema validity errors.
    pub fn validity_errors(&self) -> impl Iterator<Item = &str> {
        self.messages
            .iter()
            .map(String::as_str)
            .filter(|m| m.contains("Schemas validity error"))
    }

    /// The element named by each validity error (`...: element NAME: Schemas
    /// validity error ...`).
    pub fn error_elements(&self) -> std::collections::BTreeSet<String> {
        self.validity_errors()
            .map(|m| {
                m.split(": element ")
                    .nth(1)
                    .and_then(|rest| rest.split(':').next())
                    .unwrap_or_else(|| panic!("unexpected xmllint message format: {m}"))
                    .to_owned()
            })
            .collect()
    }
}

/// Validates `file` (a whole envelope) against `deps/envelope-all.xsd` with
/// the catalog, as the spec README describes:
///
/// ```text
/// XML_CATALOG_FILES=deps/catalog.xml xmllint --nonet --noout --schema deps/envelope-all.xsd FILE
/// ```
///
/// run from the spec folder, with the "parser warning" lines filtered out.
/// `None` when xmllint is not installed (outside CI).
pub fn xmllint(spec: &Path, file: &Path) -> Option<Validation> {
    xmllint_with(spec, "deps/envelope-all.xsd", file)
}

/// Validates `file` against `schema` (relative to the spec folder, e.g.
/// `xcep/ms-xcep.xsd` for a bare body element), as [`xmllint`] does.
pub fn xmllint_with(spec: &Path, schema: &str, file: &Path) -> Option<Validation> {
    if !xmllint_available() {
        return None;
    }
    let out = Command::new("xmllint")
        .current_dir(spec)
        .env("XML_CATALOG_FILES", "deps/catalog.xml")
        .args(["--nonet", "--noout", "--schema", schema])
        .arg(file)
        .output()
        .expect("running xmllint");
    let shown = file.display().to_string();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut messages: Vec<String> = Vec::new();
    let mut validates = false;
    let mut in_warning = false;
    for line in stderr.lines().chain(stdout.lines()) {
        if line.contains("parser warning") {
            in_warning = true;
            continue;
        }
        if line == format!("{shown} validates") {
            validates = true;
            in_warning = false;
            continue;
        }
        if line == format!("{shown} fails to validate") {
            in_warning = false;
            continue;
        }
        let starts_message = line.starts_with(&format!("{shown}:"))
            || line.starts_with("deps/")
            || line.starts_with("xcep/")
            || line.starts_with("wstep/")
            || line.starts_with("mde2/");
        if starts_message {
            in_warning = false;
            messages.push(line.to_owned());
        } else if in_warning {
            // Continuation of a filtered schema parser warning.
        } else if let Some(last) = messages.last_mut() {
            last.push('\n');
            last.push_str(line);
        } else {
            messages.push(line.to_owned());
        }
    }
    Some(Validation {
        file: file.to_owned(),
        code: out.status.code(),
        validates,
        messages,
    })
}

/// Writes `xml` to a temporary file and validates it against `schema`
/// (relative to the spec folder); `None` when xmllint is not installed.
pub fn validate_bytes(spec: &Path, schema: &str, name: &str, xml: &[u8]) -> Option<Validation> {
    let path = temp_path(name);
    std::fs::write(&path, xml).unwrap();
    let v = xmllint_with(spec, schema, &path);
    std::fs::remove_file(&path).ok();
    v
}

/// Reads a file of the spec folder.
pub fn read_spec(spec: &Path, rel: &str) -> Vec<u8> {
    std::fs::read(spec.join(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
}

/// A fresh path under Cargo's per-target temporary folder.
pub fn temp_path(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join("cepces-testkit");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{}-{n}-{name}", std::process::id()))
}

/// Whether the `openssl` command can be run; `false` (after saying so on
/// stderr) when it is not installed. Panics in that case in CI.
pub fn openssl_available() -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(!in_ci(), "openssl is required in CI");
        eprintln!("skipped: openssl not installed");
    }
    ok
}

/// `openssl_or_skip!();` returns from the test early when openssl is not
/// installed (outside CI).
#[macro_export]
macro_rules! openssl_or_skip {
    () => {
        if !$crate::openssl_available() {
            return;
        }
    };
}

/// In `dir`, made with openssl: `ca.pem` (and `ca-key.pem`), a CA named
/// `CN=Test CA`, and `cert.pem` and `key.pem`, a server certificate it
/// issued for `CN=<cn>` with the subjectAltName `san` (for example
/// `IP:127.0.0.1` or `DNS:dc.example.test,IP:127.0.0.1`). P-256 keys,
/// valid for two days.
pub fn server_certificates(dir: &Path, cn: &str, san: &str) {
    let run = |args: &[&str]| {
        openssl(dir, args);
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let ca_out = [
        "-keyout",
        "ca-key.pem",
        "-out",
        "ca.pem",
        "-subj",
        "/CN=Test CA",
        "-days",
        "2",
    ];
    run(&[&["req", "-x509"][..], &ec, &ca_out].concat());
    let subject = format!("/CN={cn}");
    let csr_out = [
        "-keyout",
        "key.pem",
        "-out",
        "server.csr",
        "-subj",
        &subject,
    ];
    run(&[&["req", "-new"][..], &ec, &csr_out].concat());
    std::fs::write(
        dir.join("ext.cnf"),
        format!("basicConstraints=CA:FALSE\nsubjectAltName={san}\nextendedKeyUsage=serverAuth\n"),
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca-key.pem",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
        "-out",
        "cert.pem",
    ]);
}

/// A fresh, existing temporary directory for one test's files.
pub fn tmp_dir(name: &str) -> PathBuf {
    let dir = temp_path(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `openssl ARGS` in `dir` and returns its standard output; panics with
/// openssl's standard error when it fails.
pub fn openssl(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Makes a key (`key.pem`, `openssl genpkey` with `newkey`) and a DER CSR
/// (`req.der`, `openssl req` with `subj` and `extra` arguments) in `dir`;
/// returns the CSR.
pub fn csr(dir: &Path, newkey: &[&str], subj: &str, extra: &[&str]) -> Vec<u8> {
    openssl(dir, &[&["genpkey", "-out", "key.pem"][..], newkey].concat());
    let args = [
        &[
            "req", "-new", "-key", "key.pem", "-subj", subj, "-outform", "DER", "-out", "req.der",
        ][..],
        extra,
    ]
    .concat();
    openssl(dir, &args);
    std::fs::read(dir.join("req.der")).unwrap()
}

/// The message of a caught panic (`std::panic::catch_unwind`'s error), for
/// test reports.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "non-string panic payload".to_owned())
}
