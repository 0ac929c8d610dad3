//! What `cepces serve` acknowledged survives `kill -9` (SQLite, group
//! commit): clients enroll concurrently, the server is killed once
//! certificates have gone out, and after a restart on the same directory
//! every certificate a client received is on record, issued, with its
//! serial, and the server goes on issuing.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{PASSWORD, Server, openssl_verify, stderr, stdout};

#[test]
fn enrollments_acknowledged_before_a_kill_are_on_record_after_restart() {
    testkit::openssl_or_skip!();
    let server = Server::start();
    // Four clients at once, so that commits are shared.
    let (acknowledged, dir) = common::killed_under_load(server, 4, 10);
    let server = Server::start_in(dir);
    common::assert_on_record(&stdout(&server.admin("list", &[])), &acknowledged);
    for (_, cert) in &acknowledged {
        openssl_verify(&server.ca_file(), cert);
    }
    let out = server.enroll("alice", PASSWORD, "User", "after", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
}
