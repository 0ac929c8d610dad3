//! The engine behind `cepces inspect`, as a library.
//!
//! `cepces inspect FILE` reads a message (a whole SOAP 1.2 envelope, or a
//! bare MS-XCEP / MS-WSTEP / MS-MDE2 payload element as logs often hold
//! it) and prints what it holds. [`inspect()`] is that command without the
//! files and streams: bytes in, the text that would go to standard output
//! and standard error out. [`inspect_to`] writes the standard output to a
//! writer as it goes instead, as the command does: the JSON of a large
//! message is several times its size, and is never held whole. They are
//! public so that the fuzzers (`fuzz/`, the `inspect` target) and other
//! tools can drive exactly what the command runs; the command-line tool
//! itself is the `cepces` binary of this package.
//!
//! # Example
//!
//! ```
//! use cepces::{Accept, inspect};
//! use soap_envelope::ReadOptions;
//!
//! let message = br#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
//!     xmlns:a="http://www.w3.org/2005/08/addressing">
//!   <s:Header>
//!     <a:Action s:mustUnderstand="1">http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies</a:Action>
//!   </s:Header>
//!   <s:Body>
//!     <GetPolicies xmlns="http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy">
//!       <client><lastUpdate xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>
//!         <preferredLanguage xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/></client>
//!       <requestFilter xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>
//!     </GetPolicies>
//!   </s:Body>
//! </s:Envelope>"#;
//!
//! let out = inspect(message, &ReadOptions::default(), Accept::Any, true);
//! assert!(!out.bad_input, "{}", out.stderr);
//! let report: serde_json::Value = serde_json::from_str(&out.stdout)?;
//! assert_eq!(report["message"], "envelope-payload");
//! assert_eq!(report["soap_version"], "1.2");
//!
//! // Bad input is a typed error, never a panic.
//! let out = inspect(b"<s:Envelope", &ReadOptions::default(), Accept::Any, false);
//! assert!(out.bad_input);
//! assert!(out.stderr.contains("malformed"), "{}", out.stderr);
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! # Cargo features
//!
//! None.
#![forbid(unsafe_code)]

mod extension_view;
mod inspect;
mod output;
mod payload_view;
mod value;
mod value_ser;
mod views;
mod wstep_view;
mod xcep_view;

use std::io;

pub use inspect::Accept;
use soap_envelope::ReadOptions;

/// What `cepces inspect` prints for one input, and whether it fails.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Inspection {
    /// The report, as text or JSON: what goes to standard output. With
    /// `json`, a message that cannot be read gives its error as JSON here;
    /// without, nothing.
    pub stdout: String,
    /// The errors, as text: what goes to standard error.
    pub stderr: String,
    /// Whether the input is not a message the workspace understands, or is
    /// one whose payload's typed model refuses it (exit status 2).
    pub bad_input: bool,
}

/// What `cepces inspect` reports besides its standard output, which
/// [`inspect_to`] has written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Verdict {
    /// The errors, as text: what goes to standard error.
    pub stderr: String,
    /// Whether the input is not a message the workspace understands, or is
    /// one whose payload's typed model refuses it (exit status 2).
    pub bad_input: bool,
}

/// Reads `input` as `cepces inspect` does and renders the report as text,
/// or as JSON when `json` is set.
///
/// Never panics on any input: every problem is in the returned
/// [`Inspection`].
pub fn inspect(input: &[u8], options: &ReadOptions, accept: Accept, json: bool) -> Inspection {
    let mut stdout = Vec::new();
    // Writing to a vector does not fail.
    let verdict =
        inspect_to(input, options, accept, json, &mut stdout).unwrap_or_else(|e| Verdict {
            stderr: format!("cepces: cannot write output: {e}\n"),
            bad_input: true,
        });
    Inspection {
        // The output is built from strings.
        stdout: String::from_utf8(stdout)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        stderr: verdict.stderr,
        bad_input: verdict.bad_input,
    }
}

/// Reads `input` as `cepces inspect` does and writes the report to `out`
/// as it goes, as text, or as JSON when `json` is set: what [`inspect()`]
/// returns as [`Inspection::stdout`]. Give a buffered writer: the output
/// is written in many small pieces.
///
/// The JSON of a message is written as the message is shown, and what has
/// been shown is let go: the payload's generic tree, then its typed model,
/// are never held together, nor the output. Peak memory stays under 10
/// times the size of a large GetPoliciesResponse (its generic tree costs
/// about 7 times).
///
/// Never panics on any input. Fails only when `out` does: what was written
/// until then is not a whole report, and the verdict is unknown.
pub fn inspect_to<W: io::Write>(
    input: &[u8],
    options: &ReadOptions,
    accept: Accept,
    json: bool,
    mut out: W,
) -> io::Result<Verdict> {
    let out: &mut dyn io::Write = &mut out;
    match inspect::read(input, options, accept) {
        Ok(mut report) => {
            if json {
                output::write_json(&mut report, out)?;
            } else {
                if let Some(p) = &mut report.payload {
                    p.read_view();
                }
                output::write_text(&report, out)?;
            }
            let errors = report.typed_errors();
            let stderr = errors
                .iter()
                .map(|(view, err)| output::view_error_text(view, err))
                .collect();
            Ok(Verdict {
                stderr,
                bad_input: !errors.is_empty(),
            })
        }
        Err(err) => {
            if json {
                output::write_error_json(&err, out)?;
            }
            Ok(Verdict {
                stderr: output::error_text(&err),
                bad_input: true,
            })
        }
    }
}
