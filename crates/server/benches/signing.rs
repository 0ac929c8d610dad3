//! The CA's signature: RSA-2048 PKCS#1 v1.5 with SHA-256 over a
//! certificate's to-be-signed bytes, with RustCrypto `rsa` (`pki::sign`,
//! the CA's first signer), ring on the same key (its second) and AWS-LC
//! (`Authority::sign`, what it uses now), and `Authority::issue`
//! (building, encoding and signing a whole certificate). Prints a `RATIO`
//! line, each measured in this process.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

use cepces_server::pki::{self, Authority, CertificateSpec, Profile};
use criterion::{Criterion, criterion_group};
use testkit::bench::time_per_iter;

const NOW: i64 = 1_800_000_000;

fn bench(c: &mut Criterion) {
    let key = pki::generate_key(2048).unwrap();
    let ca = Authority::create(key.clone(), "Example CA", NOW, 86_400 * 365).unwrap();
    let spec = CertificateSpec::new(
        pki::name_with_cn("alice").unwrap(),
        ca.certificate
            .tbs_certificate
            .subject_public_key_info
            .clone(),
        NOW,
        NOW + 86_400,
        Profile::Leaf,
    );
    let tbs = der::Encode::to_der(&ca.issue(&spec).unwrap().tbs_certificate).unwrap();
    // The same signature: PKCS#1 v1.5 is deterministic.
    assert_eq!(ca.sign(&tbs).unwrap(), pki::sign(&key, &tbs).unwrap());

    let ring_key = {
        use rsa::pkcs8::EncodePrivateKey;
        ring::rsa::KeyPair::from_pkcs8(key.to_pkcs8_der().unwrap().as_bytes()).unwrap()
    };
    let ring_sign = |data: &[u8]| {
        let mut sig = vec![0; ring_key.public().modulus_len()];
        let rng = ring::rand::SystemRandom::new();
        ring_key
            .sign(&ring::signature::RSA_PKCS1_SHA256, &rng, data, &mut sig)
            .unwrap();
        sig
    };
    assert_eq!(ca.sign(&tbs).unwrap(), ring_sign(&tbs));

    let mut g = c.benchmark_group("rsa2048_sha256_sign");
    g.sample_size(20);
    g.bench_function("rustcrypto", |b| {
        b.iter(|| pki::sign(&key, black_box(&tbs)).unwrap());
    });
    g.bench_function("ring", |b| b.iter(|| ring_sign(black_box(&tbs))));
    g.bench_function("aws_lc_authority_sign", |b| {
        b.iter(|| ca.sign(black_box(&tbs)).unwrap());
    });
    g.bench_function("authority_issue", |b| {
        b.iter(|| ca.issue(black_box(&spec)).unwrap());
    });
    g.finish();

    let budget = Duration::from_secs(1);
    let rc = time_per_iter(&|| drop(black_box(pki::sign(&key, &tbs).unwrap())), budget);
    let rg = time_per_iter(&|| drop(black_box(ring_sign(&tbs))), budget);
    let aws = time_per_iter(&|| drop(black_box(ca.sign(&tbs).unwrap())), budget);
    let issue = time_per_iter(&|| drop(black_box(ca.issue(&spec).unwrap())), budget);
    println!(
        "RATIO rsa2048_sha256_sign: RustCrypto {:.3} ms, ring {:.3} ms, AWS-LC {:.3} ms \
         (RustCrypto/AWS-LC {:.1}, ring/AWS-LC {:.1}); Authority::issue {:.3} ms \
         ({:.2}x AWS-LC's signature)",
        rc * 1e3,
        rg * 1e3,
        aws * 1e3,
        rc / aws,
        rg / aws,
        issue * 1e3,
        issue / aws
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
