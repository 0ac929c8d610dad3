//! Typed hostile input for MS-XCEP: every file in `testdata/hostile/xcep/`
//! (a whole SOAP 1.2 envelope holding a GetPolicies or GetPoliciesResponse
//! with one thing wrong) fails at the stage `EXPECTED.txt` names, with the
//! named error kind and element path, and without panicking:
//!
//! - `parse`: `Envelope::<XcepMessage>::from_xml` fails; the kind is
//!   `soap_envelope::Error::kind_name()`, the path `Error::path()`, and the
//!   byte offset lies within the input.
//! - `resolve`: the envelope reads, and `GetPoliciesResponse::resolve()`
//!   fails; the kind is the `xcep::Error` variant in kebab-case
//!   (`dangling-reference`), the path its `path`, and the error is the
//!   first of `resolve::dangling_references`.
//! - `ok`: a file that once failed and is now read on purpose (a leniency
//!   a real peer needs, explained in the README): the envelope reads and
//!   resolves; the kind column lists the schema-required elements the model
//!   reports absent (`Response::missing_required` and every template's
//!   `Attributes::missing_required`, comma-separated), or `-`.
//!
//! The manifest and the directory must list the same files. A last test
//! puts valid values back into some of the files (including the `+`,
//! leading-zero and `-0` forms `xs:unsignedInt` allows) and checks that
//! they then read, so that each file fails for its one hostile change.

#![allow(clippy::unwrap_used, missing_docs)]

use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use soap_envelope::Envelope;
use xcep::resolve::dangling_references;
use xcep::{GetPoliciesResponse, XcepMessage};

fn hostile_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/hostile/xcep"
    ))
}

/// Where a file must fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Parse,
    Resolve,
    Ok,
}

/// One line of `EXPECTED.txt`.
#[derive(Debug)]
struct Case {
    file: String,
    stage: Stage,
    kind: String,
    path: Option<String>,
}

fn read_manifest() -> Vec<Case> {
    testkit::hostile::manifest(&hostile_dir(), 4)
        .into_iter()
        .map(|f| {
            let stage = match f[1].as_str() {
                "parse" => Stage::Parse,
                "resolve" => Stage::Resolve,
                "ok" => Stage::Ok,
                other => panic!("EXPECTED.txt: unknown stage {other:?} for {}", f[0]),
            };
            Case {
                file: f[0].clone(),
                stage,
                kind: f[2].clone(),
                path: (f[3] != "-").then(|| f[3].clone()),
            }
        })
        .collect()
}

/// The name of an `xcep::Error` variant in kebab-case (the crate gives its
/// errors no kind name).
fn variant_name(e: &xcep::Error) -> &'static str {
    match e {
        xcep::Error::Xml(_) => "xml",
        xcep::Error::DanglingReference { .. } => "dangling-reference",
        xcep::Error::UnexpectedMessage(_) => "unexpected-message",
        _ => "unknown-variant",
    }
}

/// The last segment of a path without its `[n]` index.
fn last_segment(path: &str) -> &str {
    let last = path.rsplit('/').next().unwrap_or(path);
    last.split('[').next().unwrap_or(last)
}

/// Compares what a file gave with what the manifest wants.
fn compare(case: &Case, kind: &str, path: &str) -> Result<(), String> {
    let mut problems = Vec::new();
    if kind != case.kind {
        problems.push(format!("kind {kind}, want {}", case.kind));
    }
    match &case.path {
        Some(want) if path != want => problems.push(format!("path {path}, want {want}")),
        _ => {}
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// Runs one case; `Err` says what was wrong.
fn check(case: &Case, input: &[u8]) -> Result<(), String> {
    let parsed = Envelope::<XcepMessage>::from_xml(input);
    match case.stage {
        Stage::Parse => {
            let Err(e) = parsed else {
                return Err("parsed without error".into());
            };
            if e.offset() > input.len() as u64 {
                return Err(format!(
                    "offset {} beyond the input ({} bytes): {e}",
                    e.offset(),
                    input.len()
                ));
            }
            compare(case, e.kind_name(), e.path()).map_err(|p| format!("{p} ({e})"))
        }
        Stage::Ok => {
            let env = parsed.map_err(|e| format!("did not parse: {e}"))?;
            let Some(XcepMessage::GetPoliciesResponse(response)) = env.payload() else {
                return Err("the payload is not a GetPoliciesResponse".into());
            };
            response
                .resolve()
                .map_err(|e| format!("did not resolve: {e}"))?;
            let mut missing: Vec<&str> = response
                .response
                .as_ref()
                .map(xcep::Response::missing_required)
                .unwrap_or_default();
            for p in response.policies() {
                missing.extend(p.attributes.missing_required());
            }
            let missing = if missing.is_empty() {
                "-".to_owned()
            } else {
                missing.join(",")
            };
            compare(case, &missing, "")
        }
        Stage::Resolve => {
            let env = parsed.map_err(|e| format!("did not parse: {e}"))?;
            let Some(XcepMessage::GetPoliciesResponse(response)) = env.payload() else {
                return Err("the payload is not a GetPoliciesResponse".into());
            };
            let Err(e) = response.resolve() else {
                return Err("resolved without error".into());
            };
            let xcep::Error::DanglingReference { what, path, .. } = &e else {
                return compare(case, variant_name(&e), "").map_err(|p| format!("{p} ({e})"));
            };
            compare(case, variant_name(&e), path).map_err(|p| format!("{p} ({e})"))?;
            if last_segment(path) != *what {
                return Err(format!("`what` {what} does not end the path {path}"));
            }
            let all = dangling_references(response);
            if all.first() != Some(&e) {
                return Err(format!(
                    "resolve() gave {e}, but dangling_references() starts with {:?}",
                    all.first()
                ));
            }
            Ok(())
        }
    }
}

#[test]
fn manifest_lists_every_file() {
    let cases = read_manifest();
    let files: Vec<&str> = cases.iter().map(|c| c.file.as_str()).collect();
    testkit::hostile::assert_manifest_matches(&hostile_dir(), &files, 18);
}

#[test]
fn every_file_fails_as_expected() {
    let mut failures = String::new();
    for case in read_manifest() {
        let Ok(input) = std::fs::read(hostile_dir().join(&case.file)) else {
            let _ = writeln!(failures, "{}: cannot be read", case.file);
            continue;
        };
        match catch_unwind(AssertUnwindSafe(|| check(&case, &input))) {
            Ok(Ok(())) => {}
            Ok(Err(why)) => {
                let _ = writeln!(failures, "{} ({:?}): {why}", case.file, case.stage);
            }
            Err(panic) => {
                let _ = writeln!(
                    failures,
                    "{} ({:?}): panicked: {}",
                    case.file,
                    case.stage,
                    testkit::panic_message(panic.as_ref())
                );
            }
        }
    }
    assert!(failures.is_empty(), "hostile xcep inputs:\n{failures}");
}

/// A file of the suite with `from` (which must occur once) replaced.
fn repaired(file: &str, from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(hostile_dir().join(file)).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{from} in {file}");
    text.replace(from, to)
}

fn read_response(xml: &str) -> GetPoliciesResponse {
    match Envelope::<XcepMessage>::from_xml(xml.as_bytes()) {
        Ok(env) => match env.payload() {
            Some(XcepMessage::GetPoliciesResponse(r)) => r.clone(),
            other => panic!("not a response: {other:?}"),
        },
        Err(e) => panic!("{e}\n{xml}"),
    }
}

#[test]
fn valid_values_put_back_read() {
    // Every lexical form of 4294967295 and 0 that xs:unsignedInt allows.
    for (text, value) in [
        ("4294967295", u32::MAX),
        ("+4294967295", u32::MAX),
        ("0004294967295", u32::MAX),
        ("+0004294967295", u32::MAX),
        ("-0", 0),
        ("+0", 0),
        ("\n 2048\t", 2048),
        ("&#50;048", 2048),
        ("<![CDATA[2048]]>", 2048),
    ] {
        let xml = repaired("minimal-key-length-overflow.xml", "4294967296", text);
        let r = read_response(&xml);
        let got = r.policies()[0]
            .attributes
            .private_key_attributes
            .minimal_key_length;
        assert_eq!(got, value, "{text:?}");
        r.resolve().unwrap();
    }
    // xs:boolean is case-sensitive; its four lexical forms read.
    for (text, value) in [("true", true), ("1", true), ("false", false), ("0", false)] {
        let xml = repaired(
            "enroll-yes.xml",
            "<enroll>yes</enroll>",
            &format!("<enroll>{text}</enroll>"),
        );
        assert_eq!(
            read_response(&xml).policies()[0]
                .attributes
                .permission
                .as_ref()
                .unwrap()
                .enroll,
            value
        );
    }
    // The signed flags word written as the unsigned value it stands for.
    let xml = repaired("subject-name-flags-signed.xml", "-2113929216", "2181038080");
    let r = read_response(&xml);
    assert_eq!(
        r.policies()[0]
            .attributes
            .subject_name_flags
            .unwrap()
            .bits(),
        2_181_038_080
    );
    // The nillable elements read as nil when nil is spelled right.
    let xml = repaired(
        "nil-maybe-key-spec.xml",
        "xsi:nil=\"maybe\"",
        "xsi:nil=\"1\"",
    );
    let r = read_response(&xml);
    assert_eq!(
        r.policies()[0].attributes.private_key_attributes.key_spec,
        None
    );
    // The dangling references made good resolve.
    let xml = repaired(
        "dangling-ca-reference.xml",
        "<cAReference>5</cAReference>",
        "",
    );
    read_response(&xml).resolve().unwrap();
    let xml = repaired(
        "dangling-policy-oid-reference.xml",
        "<policyOIDReference>99</policyOIDReference>",
        "<policyOIDReference>9</policyOIDReference>",
    );
    read_response(&xml).resolve().unwrap();
}

/// Truncation at every byte: each proper prefix of a real GetPolicies and
/// GetPoliciesResponse (the repository's and, when present, the specs'),
/// read as a typed envelope, is an error located within the prefix, and
/// never a panic or a value; the whole message reads.
#[test]
fn every_prefix_of_a_real_message_is_an_error() {
    let messages = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/messages"
    ));
    let mut files = vec![
        messages.join("get-policies-response.xml"),
        messages.join("get-policies-request.xml"),
    ];
    if let Some(spec) = testkit::spec_dir() {
        files.push(spec.join("xcep/4.1.1.2-GetPoliciesResponse.normalized.xml"));
        files.push(spec.join("mde2/4.2.2-GetPoliciesResponse.xml"));
    }
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        testkit::hostile::assert_every_prefix_fails(&file.display().to_string(), &bytes, |b| {
            Envelope::<XcepMessage>::from_xml(b)
                .err()
                .map(|e| e.offset())
        });
    }
}
