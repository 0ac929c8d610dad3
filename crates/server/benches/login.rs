//! GetPolicies with a UsernameToken through `Server::handle`, with and
//! without the verified-password cache (`[service] password_cache_seconds`),
//! against the parse of the same envelope alone (the floor: what a request
//! costs before any authentication).
//!
//! Prints `RATIO` lines: each time over the parse time, measured in this
//! same process. Also the time `Server::certificate_for` takes (building
//! and signing one certificate): what an issuance no longer holds the
//! store's lock and transaction for.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

#[path = "../tests/common/mod.rs"]
mod common;

use cepces_server::config::{Auth, Service};
use cepces_server::{Config, PasswordAccounts, Server, Transport};
use criterion::{Criterion, criterion_group};
use testkit::bench::time_per_iter;

const NOW: i64 = 1_800_000_000;

fn server(cache_seconds: u32) -> Server {
    let hash = cepces_server::accounts::hash_password("pw").unwrap();
    let config = Config::from_toml(&format!(
        "[ca]\ncommon_name = \"Example CA\"\n[[template]]\nname = \"User\"\n\
         [[user]]\nname = \"alice\"\npassword_hash = \"{hash}\"\n"
    ))
    .unwrap();
    let accounts =
        PasswordAccounts::new(config.users.clone(), 2).with_verified_cache(cache_seconds);
    common::server(&config, Box::new(config.clone()), accounts, NOW)
}

fn get_policies(server: &Server, body: &[u8]) -> u16 {
    let (reply, _) = server.handle(
        (Service::Cep, Auth::UsernamePassword),
        Transport::default(),
        body,
        NOW + 1,
    );
    reply.status
}

fn bench(c: &mut Criterion) {
    let cached = server(60);
    let uncached = server(0);
    let input = common::get_policies_body(&cached);
    assert_eq!(get_policies(&cached, &input), 200);
    assert_eq!(get_policies(&uncached, &input), 200);

    let mut g = c.benchmark_group("get_policies_username_token");
    g.sample_size(10);
    g.bench_function("parse_only", |b| {
        b.iter(|| {
            soap_envelope::Envelope::<xcep::XcepMessage>::from_xml(black_box(&input)).unwrap()
        });
    });
    g.bench_function("cached", |b| {
        b.iter(|| get_policies(&cached, black_box(&input)));
    });
    g.bench_function("uncached", |b| {
        b.iter(|| get_policies(&uncached, black_box(&input)));
    });
    g.finish();

    let parse = time_per_iter(
        &|| {
            black_box(soap_envelope::Envelope::<xcep::XcepMessage>::from_xml(&input).unwrap());
        },
        Duration::from_millis(500),
    );
    let hit = time_per_iter(
        &|| {
            black_box(get_policies(&cached, &input));
        },
        Duration::from_millis(500),
    );
    let miss = time_per_iter(
        &|| {
            black_box(get_policies(&uncached, &input));
        },
        Duration::from_secs(2),
    );
    if testkit::openssl_available() {
        let dir = testkit::tmp_dir("bench-sign");
        let der = testkit::csr(
            &dir,
            &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            "/CN=alice",
            &[],
        );
        let csr = wstep::payload::Csr::from_der(&der).unwrap();
        let sign = time_per_iter(
            &|| {
                black_box(
                    cached
                        .certificate_for(&csr, "User", "alice", NOW, NOW + 86_400)
                        .unwrap(),
                );
            },
            Duration::from_secs(1),
        );
        println!(
            "SIGN certificate_for (RSA-2048 CA): {:.2} ms, outside the store's lock",
            sign * 1e3
        );
    }
    println!(
        "RATIO get_policies_username_token: parse {:.1} µs; handled, cached {:.1} µs (ratio {:.1}), uncached {:.0} µs (ratio {:.0}); cached is {:.0}x faster",
        parse * 1e6,
        hit * 1e6,
        hit / parse,
        miss * 1e6,
        miss / parse,
        miss / hit
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
