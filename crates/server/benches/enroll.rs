//! One enrollment through `Server::handle` (an Issue RST with a
//! UsernameToken, a 2048-bit RSA CSR made by openssl, the password cache
//! on, the in-memory store), against the CA's bare RSA-2048 signature
//! (`Authority::sign`, AWS-LC) on the same key, in the same process.
//!
//! An enrollment needs one signature and one CSR check; everything else
//! the server does (reading the envelope, authentication, policy, the
//! certificate's contents, the PKCS#7 and the answer) is the overhead this
//! ratio shows, without the network, TLS, the thread hand-offs and the
//! disk that `cepces load` adds. Prints `RATIO enroll: ...`.
//!
//! Each call is made a little later than the one before (past the window
//! in which the same CSR is answered from its record), so that every call
//! issues a new certificate. The in-memory store looks for an earlier
//! request by scanning its records, so the server is replaced by a fresh
//! one every [`FRESH_AFTER`] calls (built from the same key; its cost,
//! spread over them, is in the figure), or the scan would grow with the
//! run.
#![allow(missing_docs, clippy::unwrap_used)]

use std::cell::{Cell, RefCell};
use std::hint::black_box;
use std::time::Duration;

use cepces_server::config::{Auth, Service, Urls};
use cepces_server::pki::{self, Authority};
use cepces_server::{Config, MemoryStore, Outcome, Parts, PasswordAccounts, Server, Transport};
use criterion::{Criterion, criterion_group};
use soap_envelope::{Envelope, Header, Security, UsernameToken};
use testkit::bench::time_per_iter;
use wstep::{RequestSecurityToken, RequestType, ValueKind, WstepMessage, actions};

const NOW: i64 = 1_800_000_000;
/// How much later each call is made: past the default message age and
/// clock skew (300 s each), so that no call is a resubmission.
const STEP: i64 = 601;
/// Calls served by one server before a fresh one takes over.
const FRESH_AFTER: u32 = 256;

fn server(key: &rsa::RsaPrivateKey, hash: &str) -> Server {
    let config = Config::from_toml(&format!(
        "[ca]\ncommon_name = \"Example CA\"\n[[template]]\nname = \"User\"\n\
         [[user]]\nname = \"alice\"\npassword_hash = \"{hash}\"\n"
    ))
    .unwrap();
    // Each password verified once for the whole run.
    let accounts = PasswordAccounts::new(config.users.clone(), 2).with_verified_cache(u32::MAX);
    // Valid long enough for every certificate the run issues.
    let ca = Authority::create(key.clone(), "Example CA", NOW, 86_400 * 365 * 20).unwrap();
    let urls = Urls::new("https://ca.example.com", config.ces_name());
    let parts = Parts::new(
        urls,
        Box::new(config.clone()),
        Box::new(accounts),
        Box::new(ca),
        Box::new(MemoryStore::new()),
    );
    Server::new(parts, NOW).unwrap()
}

fn body(server: &Server, csr: &[u8]) -> Vec<u8> {
    let ces = server.urls().url(Service::Ces, Auth::UsernamePassword);
    let header = Header::new()
        .with_action(actions::RST)
        .with_message_id("urn:uuid:5c2a34bd-3b1c-4c8e-9a0e-2f6d0c1b7a11")
        .with_reply_to_anonymous()
        .with_to(ces)
        .with_security(
            Security::new().with_username_token(UsernameToken::password_text("alice", "pw")),
        );
    let rst = RequestSecurityToken::for_template(
        RequestType::Issue,
        ValueKind::Pkcs10.token(csr),
        "User",
    );
    Envelope::new(header, WstepMessage::from(rst))
        .to_xml()
        .unwrap()
}

fn bench(c: &mut Criterion) {
    if !testkit::openssl_available() {
        println!("SKIP enroll: openssl is needed to make the CSR");
        return;
    }
    let key = pki::generate_key(2048).unwrap();
    // With argon2's smallest cost: each fresh server verifies the password
    // once (then from its cache), and the default cost (tens of
    // milliseconds) would be a large part of the figure.
    let hash = {
        use argon2::PasswordHasher as _;
        let params = argon2::Params::new(8, 1, 1, None).unwrap();
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let salt = argon2::password_hash::SaltString::from_b64("YmVuY2hzYWx0YmVuY2g").unwrap();
        argon.hash_password(b"pw", &salt).unwrap().to_string()
    };
    let server = RefCell::new(server(&key, &hash));
    let calls = Cell::new(0u32);
    let bare = Authority::create(key.clone(), "Example CA", NOW, 86_400).unwrap();
    let dir = testkit::tmp_dir("bench-enroll");
    let csr = testkit::csr(
        &dir,
        &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        "/CN=alice",
        &[],
    );
    let input = body(&server.borrow(), &csr);
    let now = Cell::new(NOW);
    let enroll = || {
        now.set(now.get() + STEP);
        calls.set(calls.get() + 1);
        if calls.get().is_multiple_of(FRESH_AFTER) {
            *server.borrow_mut() = self::server(&key, &hash);
        }
        let (reply, outcome) = server.borrow().handle(
            (Service::Ces, Auth::UsernamePassword),
            Transport::default(),
            black_box(&input),
            now.get(),
        );
        assert!(matches!(outcome, Outcome::Issued(_)), "{outcome}");
        reply.status
    };
    assert_eq!(enroll(), 200);
    let tbs = vec![0x5a; 1024];

    let mut g = c.benchmark_group("enroll_username_token");
    g.sample_size(10);
    g.bench_function("server_handle", |b| b.iter(enroll));
    g.bench_function("bare_signature", |b| {
        b.iter(|| bare.sign(black_box(&tbs)).unwrap());
    });
    g.finish();

    let budget = Duration::from_secs(1);
    let handled = time_per_iter(
        &|| {
            black_box(enroll());
        },
        budget,
    );
    let signed = time_per_iter(
        &|| {
            black_box(bare.sign(&tbs).unwrap());
        },
        budget,
    );
    println!(
        "RATIO enroll: Server::handle {:.1} µs / bare RSA-2048 signature {:.1} µs = {:.2} (the rest: {:.1} µs)",
        handled * 1e6,
        signed * 1e6,
        handled / signed,
        (handled - signed) * 1e6
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}
