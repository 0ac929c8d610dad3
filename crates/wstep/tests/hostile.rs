//! Typed hostile input for `wstep`: every file in `testdata/hostile/wstep/`
//! gives the outcome its line of `EXPECTED.txt` names, at the stage it
//! names, without a panic.
//!
//! The stages, each needing the ones before it to succeed:
//!
//! - `parse`: `Envelope::<WstepMessage>::from_xml`; the kind is
//!   `soap_envelope::Error::kind_name()`, the path the error's element
//!   path, and the error's byte offset must lie within the input.
//! - `payload`: `decode_token` on the request's `BinarySecurityToken`, or
//!   on every token of every response (its own PKCS#7/CMC token and the one
//!   in `RequestedSecurityToken`); the kind is `wstep::Error::kind_name()`
//!   of the first failure. No decode may allocate more than
//!   [`MAX_DECODE_ALLOCATION`] bytes (a DER length of 4 GiB must not be
//!   believed).
//! - `verify`: the request's payload decodes, and its signature (a PKCS#10's
//!   self-signature, a SignedData's signer and the PKCS#10 inside) is
//!   checked.
//! - `detail`: the envelope is a Fault, and
//!   `CertificateEnrollmentWsDetail::from_fault` reads its detail; the path
//!   is the one in the re-read detail entry (`/CertificateEnrollmentWSDetail/...`).
//! - `discover`: `Envelope::<wstep::mde2::Discover>::from_xml`, checked like
//!   `parse`.
//!
//! A kind of `ok` means the stage must succeed: the lenient readings the
//! model intends (unknown URIs, any child order, all-optional fields). For
//! `payload` and `verify`, the last column of an `ok` line is then the
//! content found (`pkcs10`, `pkcs7`, `cmc`, `x509v3`, joined with `+` for
//! several tokens) instead of a path.

#![allow(clippy::unwrap_used, missing_docs)]

use std::alloc::System;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use cap::Cap;
use soap_envelope::Envelope;
use wstep::mde2::Discover;
use wstep::payload::Csr;
use wstep::{
    BinarySecurityToken, CertificateEnrollmentWsDetail, RequestSecurityTokenResponse, TokenContent,
    WstepMessage, decode_token,
};

/// Counts the bytes every decode requests.
#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

/// The most one `decode_token` of these small tokens may allocate.
const MAX_DECODE_ALLOCATION: usize = 1024 * 1024;

const STAGES: [&str; 5] = ["parse", "payload", "verify", "detail", "discover"];

fn hostile_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/hostile/wstep"
    ))
}

/// One line of `EXPECTED.txt`.
struct Expected {
    file: String,
    stage: String,
    kind: String,
    /// `None` for `-`.
    path: Option<String>,
}

fn read_manifest() -> Vec<Expected> {
    testkit::hostile::manifest(&hostile_dir(), 4)
        .into_iter()
        .map(|f| {
            assert!(
                STAGES.contains(&f[1].as_str()),
                "EXPECTED.txt: unknown stage {:?} for {}",
                f[1],
                f[0]
            );
            Expected {
                file: f[0].clone(),
                stage: f[1].clone(),
                kind: f[2].clone(),
                path: (f[3] != "-").then(|| f[3].clone()),
            }
        })
        .collect()
}

/// What a stage gave.
#[derive(Debug)]
enum Outcome {
    /// It succeeded; for `payload` and `verify`, the content found.
    Ok(Option<String>),
    /// It failed with this kind (and, for XML errors, path).
    Failed {
        kind: &'static str,
        path: Option<String>,
        message: String,
    },
    /// A stage before it failed, or the message is not one it applies to.
    NotReached(String),
}

impl Outcome {
    fn xml(e: &soap_envelope::Error) -> Self {
        Self::Failed {
            kind: e.kind_name(),
            path: Some(e.path().to_owned()),
            message: e.to_string(),
        }
    }

    fn wstep(e: &wstep::Error) -> Self {
        Self::Failed {
            kind: e.kind_name(),
            path: match e {
                wstep::Error::Xml(x) => Some(x.path().to_owned()),
                _ => None,
            },
            message: e.to_string(),
        }
    }
}

/// Why a parse error's location is not within `len` bytes of input, if so.
fn offset_problem(e: &soap_envelope::Error, len: usize) -> Option<String> {
    (e.offset() > u64::try_from(len).unwrap())
        .then(|| format!("offset {} beyond the input's {len} bytes: {e}", e.offset()))
}

fn content_name(p: &TokenContent) -> &'static str {
    match p {
        TokenContent::Pkcs10(_) => "pkcs10",
        TokenContent::Pkcs7(_) => "pkcs7",
        TokenContent::Cmc(_) => "cmc",
        TokenContent::X509v3(_) => "x509v3",
        _ => "other",
    }
}

fn response_tokens(r: &RequestSecurityTokenResponse) -> Vec<&BinarySecurityToken> {
    r.binary_security_token
        .iter()
        .chain(r.certificate())
        .collect()
}

/// The tokens the `payload` stage decodes.
fn tokens(message: &WstepMessage) -> Vec<&BinarySecurityToken> {
    match message {
        WstepMessage::RequestSecurityToken(r) => r.binary_security_token.iter().collect(),
        WstepMessage::RequestSecurityTokenResponseCollection(c) => {
            c.responses.iter().flat_map(response_tokens).collect()
        }
        WstepMessage::RequestSecurityTokenResponse(r) => response_tokens(r),
        _ => Vec::new(),
    }
}

/// `decode_token`, failing the file when it allocates too much.
fn decode_counted(
    token: &BinarySecurityToken,
    problems: &mut Vec<String>,
) -> wstep::Result<TokenContent> {
    let before = ALLOC.total_allocated();
    let result = decode_token(token);
    let used = ALLOC.total_allocated().saturating_sub(before);
    if used > MAX_DECODE_ALLOCATION {
        problems.push(format!(
            "decode_token allocated {used} bytes (limit {MAX_DECODE_ALLOCATION})"
        ));
    }
    result
}

fn verify(payload: &TokenContent) -> wstep::Result<()> {
    match payload {
        TokenContent::Pkcs10(csr) => csr.verify_signature(),
        TokenContent::Pkcs7(p) => {
            p.verify_signer()?;
            p.request().map_or(Ok(()), Csr::verify_signature)
        }
        TokenContent::Cmc(data) => {
            let requests = data
                .certification_requests()
                .map_err(|error| wstep::Error::Der {
                    structure: "TaggedCertificationRequest",
                    error,
                })?;
            for (_, req) in requests {
                Csr::from_cert_req(req)?.verify_signature()?;
            }
            Ok(())
        }
        // A certificate carries no request signature to check.
        _ => Ok(()),
    }
}

/// Runs `stage` on `input`; location and allocation problems go to
/// `problems`.
fn run(stage: &str, input: &[u8], problems: &mut Vec<String>) -> Outcome {
    if stage == "discover" {
        return match Envelope::<Discover>::from_xml(input) {
            Ok(_) => Outcome::Ok(None),
            Err(e) => {
                problems.extend(offset_problem(&e, input.len()));
                Outcome::xml(&e)
            }
        };
    }
    let env = match Envelope::<WstepMessage>::from_xml(input) {
        Ok(env) => env,
        Err(e) => {
            problems.extend(offset_problem(&e, input.len()));
            return if stage == "parse" {
                Outcome::xml(&e)
            } else {
                Outcome::NotReached(format!("parse failed: {e}"))
            };
        }
    };
    match stage {
        "parse" => Outcome::Ok(None),
        "detail" => {
            let Some(fault) = env.as_fault() else {
                return Outcome::NotReached("the body is not a Fault".into());
            };
            match CertificateEnrollmentWsDetail::from_fault(fault) {
                None => {
                    Outcome::NotReached("the Fault has no CertificateEnrollmentWSDetail".into())
                }
                Some(Ok(_)) => Outcome::Ok(None),
                Some(Err(e)) => Outcome::wstep(&e),
            }
        }
        "payload" => {
            let Some(message) = env.payload() else {
                return Outcome::NotReached("the body is a Fault".into());
            };
            let tokens = tokens(message);
            if tokens.is_empty() {
                return Outcome::NotReached("no BinarySecurityToken".into());
            }
            let mut found = Vec::new();
            for t in tokens {
                match decode_counted(t, problems) {
                    Ok(p) => found.push(content_name(&p)),
                    Err(e) => return Outcome::wstep(&e),
                }
            }
            Outcome::Ok(Some(found.join("+")))
        }
        "verify" => {
            let Some(WstepMessage::RequestSecurityToken(rst)) = env.payload() else {
                return Outcome::NotReached("not a RequestSecurityToken".into());
            };
            let Some(token) = &rst.binary_security_token else {
                return Outcome::NotReached("no BinarySecurityToken".into());
            };
            let payload = match decode_counted(token, problems) {
                Ok(p) => p,
                Err(e) => return Outcome::NotReached(format!("decode_token failed: {e}")),
            };
            match verify(&payload) {
                Ok(()) => Outcome::Ok(Some(content_name(&payload).to_owned())),
                Err(e) => Outcome::wstep(&e),
            }
        }
        other => unreachable!("stage {other}"),
    }
}

/// Why `outcome` is not what `want` names, if it is not.
fn mismatch(want: &Expected, outcome: &Outcome) -> Option<String> {
    match (want.kind.as_str(), outcome) {
        ("ok", Outcome::Ok(found)) => match (&want.path, found) {
            (Some(p), Some(f)) if p != f => Some(format!("succeeded with {f}, expected {p}")),
            (Some(p), None) => Some(format!("succeeded, but found no content (expected {p})")),
            _ => None,
        },
        ("ok", other) => Some(format!("expected success, got {other:?}")),
        (_, Outcome::Ok(found)) => Some(format!(
            "succeeded ({}), expected {}",
            found.as_deref().unwrap_or("-"),
            want.kind
        )),
        (_, Outcome::NotReached(why)) => Some(format!("stage not reached: {why}")),
        (
            kind,
            Outcome::Failed {
                kind: got,
                path,
                message,
            },
        ) => {
            if kind != *got {
                return Some(format!("kind {got}, expected {kind}: {message}"));
            }
            match (&want.path, path) {
                (Some(p), Some(got)) if p != got => {
                    Some(format!("path {got}, expected {p}: {message}"))
                }
                (Some(p), None) => Some(format!("no path, expected {p}: {message}")),
                _ => None,
            }
        }
    }
}

#[test]
fn manifest_lists_every_file() {
    let manifest = read_manifest();
    let files: Vec<&str> = manifest.iter().map(|e| e.file.as_str()).collect();
    testkit::hostile::assert_manifest_matches(&hostile_dir(), &files, 15);
}

#[test]
fn every_file_gives_its_expected_outcome() {
    let mut failures = String::new();
    for want in read_manifest() {
        let Ok(input) = std::fs::read(hostile_dir().join(&want.file)) else {
            let _ = writeln!(failures, "{}: cannot be read", want.file);
            continue;
        };
        let mut problems = Vec::new();
        let outcome = catch_unwind(AssertUnwindSafe(|| run(&want.stage, &input, &mut problems)));
        let outcome = match outcome {
            Ok(o) => o,
            Err(panic) => {
                let msg = testkit::panic_message(panic.as_ref());
                let _ = writeln!(failures, "{} [{}]: PANIC: {msg}", want.file, want.stage);
                continue;
            }
        };
        // Shown with `--nocapture`.
        println!("{}\t{}\t{outcome:?}", want.file, want.stage);
        problems.extend(mismatch(&want, &outcome));
        for p in problems {
            let _ = writeln!(failures, "{} [{}]: {p}", want.file, want.stage);
        }
    }
    assert!(failures.is_empty(), "hostile wstep inputs:\n{failures}");
}

/// Truncation at every byte: each proper prefix of a real RST and RSTRC
/// (the repository's and, when present, the specs'), read as a typed
/// envelope, is an error located within the prefix, and never a panic or a
/// value; the whole message reads.
#[test]
fn every_prefix_of_a_real_message_is_an_error() {
    let root = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/messages"
    ));
    let mut files = vec![
        root.join("rst-issue-request.xml"),
        root.join("rst-issue-response.xml"),
        root.join("wstep-fault.xml"),
    ];
    if let Some(spec) = testkit::spec_dir() {
        files.push(spec.join("wstep/4.1.1.1-RST-issue-request.xml"));
        files.push(spec.join("wstep/4.1.1.2-RSTRC-issued.xml"));
        files.push(spec.join("mde2/4.3.1.3-RST-request-certificate.xml"));
    }
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        testkit::hostile::assert_every_prefix_fails(&file.display().to_string(), &bytes, |b| {
            Envelope::<WstepMessage>::from_xml(b)
                .err()
                .map(|e| e.offset())
        });
    }
}
