//! RSA keys over 4096 bits: verified up to `MAX_RSA_BITS` (the rsa crate
//! alone refuses them with a misleading decode error), refused by name
//! above it, before any arithmetic.

#![allow(clippy::unwrap_used, missing_docs)]

use der::Encode;
use der::asn1::{BitString, UintRef};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use testkit::openssl_or_skip;
use testkit::{csr, tmp_dir};
use wstep::Error;
use wstep::payload::decode_csr;
use wstep::payload::signature::{self, MAX_RSA_BITS};

#[test]
fn a_4608_bit_csr_from_openssl_verifies() {
    openssl_or_skip!();
    let dir = tmp_dir("rsa4608");
    let der = csr(
        &dir,
        &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4608"],
        "/CN=big",
        &[],
    );
    let csr = decode_csr(&der).unwrap();
    assert_eq!(csr.key_bits(), Some(4608));
    csr.verify_signature().unwrap();
}

/// An RSA SubjectPublicKeyInfo with a modulus of `bits` bits (not a real
/// key: its size is all that matters here).
fn rsa_spki(bits: usize) -> SubjectPublicKeyInfoOwned {
    let mut modulus = vec![0xA5u8; bits / 8];
    modulus[0] = 0xC1;
    let key = rsa::pkcs1::RsaPublicKey {
        modulus: UintRef::new(&modulus).unwrap(),
        public_exponent: UintRef::new(&[1, 0, 1]).unwrap(),
    };
    SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: const_oid::db::rfc5912::RSA_ENCRYPTION,
            parameters: Some(der::Any::null()),
        },
        subject_public_key: BitString::from_bytes(&key.to_der().unwrap()).unwrap(),
    }
}

#[test]
fn a_key_over_the_maximum_is_refused_by_name() {
    let sha256_rsa = AlgorithmIdentifierOwned {
        oid: const_oid::db::rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
        parameters: Some(der::Any::null()),
    };
    let too_big = rsa_spki(MAX_RSA_BITS + 8);
    let e = signature::verify(&too_big, &sha256_rsa, b"m", &[0; 2049]).unwrap_err();
    assert_eq!(
        e,
        Error::KeyTooLarge {
            bits: MAX_RSA_BITS + 8,
            max: MAX_RSA_BITS
        }
    );
    assert_eq!(e.kind_name(), "key-too-large");
    // At the maximum the key is read, and the (wrong) signature is what
    // fails.
    let largest = rsa_spki(MAX_RSA_BITS);
    let e = signature::verify(&largest, &sha256_rsa, b"m", &[1; MAX_RSA_BITS / 8]).unwrap_err();
    assert_eq!(e, Error::BadSignature);
    // 8192 bits: read too (before, "invalid-key").
    let e = signature::verify(&rsa_spki(8192), &sha256_rsa, b"m", &[1; 1024]).unwrap_err();
    assert_eq!(e, Error::BadSignature);
}
