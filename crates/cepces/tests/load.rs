//! `cepces load`: the load generator runs a real `cepces serve`, sends
//! every request, checks every answer, reports, and stops by itself; a
//! small run of each kind here (the figures come from release runs, see the
//! README's benchmark section).
#![allow(clippy::unwrap_used, missing_docs)]

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_cepces");

/// Runs `cepces load ARGS` and gives its standard output; fails the test
/// unless it exits 0.
fn load(args: &[&str]) -> String {
    let out = Command::new(BIN).arg("load").args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "cepces load {args:?}: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The value before `unit` on the report line that has it.
fn figure(report: &str, unit: &str) -> f64 {
    let line = report
        .lines()
        .find(|l| l.contains(unit))
        .unwrap_or_else(|| panic!("no {unit:?} in {report}"));
    let before = &line[..line.find(unit).unwrap()];
    before
        .split_whitespace()
        .last()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("{line}"))
}

#[test]
fn enrollments_with_client_certificates_are_all_issued_and_checked() {
    let report = load(&["--clients", "4", "--requests", "24"]);
    assert!(
        report.contains("24 enrollments (TLS client certificate, 4 clients)"),
        "{report}"
    );
    assert!(
        report.contains("0 errors; every answer checked"),
        "{report}"
    );
    // Each enrollment is one CSR check and one signature: the server
    // spends measurable CPU, and the report gives it per request.
    assert!(figure(&report, "ms per request") > 0.0, "{report}");
    assert!(figure(&report, "MiB after 3 s idle") > 0.0, "{report}");
}

#[test]
fn enrollments_and_policies_with_passwords() {
    let report = load(&["--clients", "3", "--requests", "12", "--auth", "password"]);
    assert!(
        report.contains("12 enrollments (UsernameToken, 3 clients)"),
        "{report}"
    );
    let report = load(&[
        "--clients",
        "3",
        "--requests",
        "30",
        "--auth",
        "password",
        "--operation",
        "policies",
    ]);
    assert!(
        report.contains("30 GetPolicies (UsernameToken, 3 clients)"),
        "{report}"
    );
    assert!(report.contains("policy offers the template"), "{report}");
}

#[test]
fn a_run_past_its_time_limit_stops_and_says_so() {
    // 100 RSA-2048 enrollments cannot all go out in no time at all: the
    // generator stops sending, still stops the server, and fails.
    let out = Command::new(BIN)
        .args(["load", "--clients", "2", "--requests", "100"])
        .args(["--max-seconds", "0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("requests were sent in --max-seconds 0"),
        "{stderr}"
    );
}
