//! Any bytes as a token's DER (and as its base64 text): decoding never
//! panics (errors are fine).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wstep::payload::{decode_certificate, decode_csr, decode_pki_data, decode_signed_data};
use wstep::{ValueKind, decode_payload};

fuzz_target!(|data: &[u8]| {
    let _ = decode_csr(data);
    let _ = decode_signed_data(data);
    let _ = decode_certificate(data);
    let _ = decode_pki_data(data);
    for kind in [
        ValueKind::Pkcs7,
        ValueKind::Pkcs10,
        ValueKind::X509v3,
        ValueKind::Cmc,
    ] {
        let _ = decode_payload(&kind.token(data));
    }
    // The bytes as the token's text: base64 (possibly broken) with any
    // value type.
    if let Ok(text) = std::str::from_utf8(data) {
        let mut token = ValueKind::Pkcs7.token(&[]);
        text.clone_into(&mut token.value);
        let _ = decode_payload(&token);
        token.value_type = None;
        let _ = decode_payload(&token);
    }
});
