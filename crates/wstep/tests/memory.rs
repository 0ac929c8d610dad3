//! Memory bound of the CES answer a client reads: an RSTRC carrying a
//! large PKCS#7 chain (base64 wrapped at 64 columns with `&#xD;`, as AD CS
//! writes it), read into [`WstepMessage`] and its token decoded into
//! RustCrypto certificates, keeps peak live heap under a fixed multiple of
//! the input, counted by a global allocator (`cap`).
#![allow(clippy::unwrap_used, missing_docs)]

use std::alloc::System;
use std::path::Path;

use cap::Cap;
use soap_envelope::Envelope;
use wstep::payload::build_certs_only;
use wstep::{TokenContent, ValueKind, WstepMessage, decode_token};
use x509_cert::serial_number::SerialNumber;

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

/// Peak live heap while reading and decoding stays under `MULTIPLE` times
/// the input plus `FIXED`. Measured: 8.9 and 9.1 for the chains of 100 and
/// 400 certificates tested (8.7 for 1,000). The cost is RustCrypto's owned certificate model, held
/// twice (in `SignedPayload::signed_data` and `certificates`), beside the
/// token's text and its decoded DER.
const MULTIPLE: usize = 12;
/// What reading costs whatever the input's size.
const FIXED: usize = 64 * 1024;

fn response() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/messages");
    std::fs::read_to_string(root.join("rst-issue-response.xml")).unwrap()
}

fn token(msg: &WstepMessage) -> &wstep::BinarySecurityToken {
    match msg {
        WstepMessage::RequestSecurityTokenResponseCollection(c) => {
            c.responses[0].binary_security_token.as_ref().unwrap()
        }
        other => panic!("not an RSTRC: {other:?}"),
    }
}

/// The repository's RSTRC with its chain replaced by `copies` copies of
/// its certificates, wrapped as AD CS wraps base64.
fn large_response(copies: usize) -> Vec<u8> {
    let text = response();
    let env = Envelope::<WstepMessage>::from_xml(text.as_bytes()).unwrap();
    let old = token(env.payload().unwrap());
    let TokenContent::Pkcs7(chain) = decode_token(old).unwrap() else {
        panic!("the response's token is not PKCS#7")
    };
    // Distinct serial numbers: a DER SET OF holds no duplicates.
    let certs: Vec<_> = (0..copies)
        .flat_map(|i| {
            chain.certificates.iter().map(move |c| {
                let mut c = c.clone();
                let serial = u32::try_from(i + 1).unwrap().to_be_bytes();
                c.tbs_certificate.serial_number = SerialNumber::new(&serial).unwrap();
                c
            })
        })
        .collect();
    let b64 = ValueKind::Pkcs7
        .token(&build_certs_only(&certs).unwrap())
        .value;
    let wrapped: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let start = text.find(&old.value[..32]).unwrap();
    let end = start + text[start..].find('<').unwrap();
    format!(
        "{}{}{}",
        &text[..start],
        wrapped.join("&#xD;\n"),
        &text[end..]
    )
    .into_bytes()
}

/// How many certificates the repository's response carries.
fn large_chain_len() -> usize {
    let text = response();
    let env = Envelope::<WstepMessage>::from_xml(text.as_bytes()).unwrap();
    match decode_token(token(env.payload().unwrap())).unwrap() {
        TokenContent::Pkcs7(chain) => chain.certificates.len(),
        _ => 0,
    }
}

#[test]
fn reading_a_large_chain_is_bounded() {
    for copies in [1, 100, 400] {
        let input = large_response(copies);
        let count = std::cell::Cell::new(0);
        let peak = testkit::bench::allocations(&ALLOC, &|| {
            let env = Envelope::<WstepMessage>::from_xml(&input).unwrap();
            let TokenContent::Pkcs7(chain) = decode_token(token(env.payload().unwrap())).unwrap()
            else {
                panic!("not PKCS#7")
            };
            count.set(chain.certificates.len());
        })
        .1;
        assert_eq!(count.get(), copies * large_chain_len());
        testkit::bench::assert_peak_within(
            &format!("{} certificates", count.get()),
            input.len(),
            peak,
            MULTIPLE,
            FIXED,
        );
    }
}
