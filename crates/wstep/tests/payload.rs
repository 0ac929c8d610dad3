//! The DER payloads: the spec examples' tokens, OpenSSL interop, leniency
//! and malformed input.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::path::Path;

use soap_envelope::BinarySecurityToken;
use wstep::payload::{self, InnerContent, KeyInfo, TokenContent, decode_certificate, decode_csr};
use wstep::{BinarySecurityTokenExt, Error, ValueKind, decode_token};

/// The `BinarySecurityToken`s of a spec example, in document order, as
/// tokens (value type and base64 text), read with a plain scan.
fn tokens(spec: &Path, file: &str) -> Vec<BinarySecurityToken> {
    let xml = String::from_utf8(common::read_spec(spec, &format!("wstep/{file}"))).unwrap();
    let mut out = Vec::new();
    let mut rest = xml.as_str();
    while let Some(start) = rest.find("BinarySecurityToken") {
        let tag_start = rest[..start].rfind('<').unwrap();
        let is_open = !rest[tag_start..start].contains('/');
        let open_end = start + rest[start..].find('>').unwrap();
        let open = &rest[tag_start..open_end];
        if !is_open || open.ends_with('/') {
            rest = &rest[open_end + 1..];
            continue;
        }
        let close = open_end + rest[open_end..].find("</").unwrap();
        let text = rest[open_end + 1..close].replace("&#xD;", "");
        let value_type = open
            .split("ValueType=\"")
            .nth(1)
            .map(|s| s[..s.find('"').unwrap()].to_owned());
        let mut t = BinarySecurityToken::new(value_type.clone().unwrap_or_default(), b"");
        t.value_type = value_type;
        t.value = text;
        out.push(t);
        rest = &rest[close..];
    }
    out
}

#[test]
fn spec_4_1_1_1_pkcs10_labelled_pkcs7() {
    let spec = spec_or_skip!();
    let toks = tokens(spec, "4.1.1.1-RST-issue-request.normalized.xml");
    assert_eq!(toks.len(), 1);
    assert_eq!(toks[0].value_kind(), Some(ValueKind::Pkcs7));
    let bytes = toks[0].decode_bytes().unwrap();
    assert_eq!(bytes.len(), 1040);
    let TokenContent::Pkcs10(csr) = decode_token(&toks[0]).unwrap() else {
        panic!("not a PKCS#10")
    };
    assert_eq!(csr.subject, "");
    assert!(!csr.lenient_subject);
    assert!(
        matches!(csr.key, KeyInfo::Rsa { bits: 2048 }),
        "{:?}",
        csr.key
    );
    csr.verify_signature().unwrap();
    // Every prefix of a real CSR is a typed error, never a panic.
    for n in 0..bytes.len() {
        assert!(
            matches!(decode_csr(&bytes[..n]), Err(Error::Der { .. })),
            "prefix {n}"
        );
        assert!(TokenContent::from_der(&bytes[..n], Some(ValueKind::Pkcs10)).is_err());
    }
    // A corrupted signature fails verification with a typed error.
    let mut bad = bytes.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert_eq!(
        decode_csr(&bad).unwrap().verify_signature(),
        Err(Error::BadSignature)
    );
    // A corrupted signed part too.
    let mut bad = bytes;
    bad[40] ^= 1;
    if let Ok(csr) = decode_csr(&bad) {
        assert!(csr.verify_signature().is_err());
    }
}

#[test]
fn spec_4_1_1_2_chain_and_certificate() {
    let spec = spec_or_skip!();
    for file in [
        "4.1.1.2-RSTRC-issued.normalized.xml",
        "4.1.5.2-RSTRC-renewal-issued.normalized.xml",
    ] {
        let toks = tokens(spec, file);
        assert_eq!(toks.len(), 2, "{file}");
        let TokenContent::Pkcs7(p7) = decode_token(&toks[0]).unwrap() else {
            panic!("not PKCS#7")
        };
        assert!(matches!(p7.content, InnerContent::CmcResponse(_)));
        let subjects: Vec<String> = p7
            .certificates
            .iter()
            .map(|c| payload::IssuedCertificate::new(c.clone()).unwrap().subject)
            .collect();
        assert!(
            subjects.iter().any(|s| s.starts_with("CN=FB_EntRootCA")),
            "{subjects:?}"
        );
        assert!(
            subjects.iter().any(|s| s.contains("CN=abby")),
            "{subjects:?}"
        );

        let TokenContent::X509v3(cert) = decode_token(&toks[1]).unwrap() else {
            panic!("not a certificate")
        };
        assert!(cert.subject.contains(",CN=abby,"), "{}", cert.subject);
        assert_eq!(cert.issuer, "CN=FB_EntSubCA,OU=Microsoft PKI Team");
        assert!(!cert.serial.is_empty());
        assert!(cert.not_before < cert.not_after);
        assert!(
            cert.template.is_some(),
            "a Windows-issued certificate names its template"
        );
    }
}

#[test]
fn spec_4_1_1_2_certificate_details() {
    let spec = spec_or_skip!();
    let toks = tokens(spec, "4.1.1.2-RSTRC-issued.normalized.xml");
    let cert = decode_certificate(&toks[1].decode_bytes().unwrap()).unwrap();
    assert_eq!(
        cert.subject,
        "E=abby@D9-1351C0406A.NTTEST.MICROSOFT.COM,CN=abby,CN=Users,\
         DC=d9-1351C0406A,DC=nttest,DC=microsoft,DC=com"
    );
    assert_eq!(cert.serial, SERIAL_ABBY);
    assert_eq!(cert.not_before.to_string(), NOT_BEFORE_ABBY);
    assert_eq!(cert.not_after.to_string(), NOT_AFTER_ABBY);
    assert_eq!(cert.issuer, "CN=FB_EntSubCA,OU=Microsoft PKI Team");
    assert_eq!(cert.template.unwrap().name.as_deref(), Some("User"));
}

// Cross-checked with `openssl x509 -noout -subject -serial -dates`.
const SERIAL_ABBY: &str = "18D9D5D300000000003D";
const NOT_BEFORE_ABBY: &str = "2009-03-05T18:25:45Z";
const NOT_AFTER_ABBY: &str = "2010-03-05T18:25:45Z";

#[test]
fn spec_4_1_2_2_ket_final() {
    let spec = spec_or_skip!();
    let toks = tokens(spec, "4.1.2.2-RSTRC-KETFinal.normalized.xml");
    assert_eq!(toks.len(), 1);
    let TokenContent::X509v3(cert) = decode_token(&toks[0]).unwrap() else {
        panic!("not a certificate")
    };
    assert!(
        cert.subject.starts_with("CN=FB_EntSubCA-Xchg"),
        "{}",
        cert.subject
    );
    // 4.1.2.1 and 4.1.3.1 carry no BinarySecurityToken.
    assert!(tokens(spec, "4.1.2.1-RST-KET-request.xml").is_empty());
    assert!(tokens(spec, "4.1.3.1-RST-QueryTokenStatus-request.xml").is_empty());
}

#[test]
fn spec_4_1_5_1_renewal() {
    let spec = spec_or_skip!();
    let toks = tokens(spec, "4.1.5.1-RST-renewal-request.normalized.xml");
    assert_eq!(toks.len(), 1);
    let TokenContent::Pkcs7(p7) = decode_token(&toks[0]).unwrap() else {
        panic!("not PKCS#7")
    };
    let signer = payload::IssuedCertificate::new(p7.signer.clone().unwrap()).unwrap();
    assert!(signer.subject.contains(",CN=abby,"), "{}", signer.subject);
    let inner = p7.request().unwrap();
    assert!(inner.subject.contains("CN=abby"), "{}", inner.subject);
    inner.verify_signature().unwrap();
    // SHA-1 RSA over the content octets (no signed attributes).
    p7.verify_signer().unwrap();
}
