//! The outgoing payload builders (renewal and CMC requests, chains) checked
//! against OpenSSL. OpenSSL missing skips these tests (panics in CI).

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::path::Path;
use std::process::Command;

use der::{Decode, Encode};
use soap_envelope::BinarySecurityToken;
use testkit::openssl_or_skip;
use testkit::{csr, openssl, tmp_dir};
use wstep::payload::{
    CmcRequestBuilder, InnerContent, PkiData, RenewalRequestBuilder, TokenContent,
    build_certs_only, decode_signed_data,
};
use wstep::{Error, ValueKind, decode_token};
use x509_cert::Certificate;
use x509_cert::request::CertReq;

const RSA: &[&str] = &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"];
const P256: &[&str] = &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];

/// An RSA CA (`ca.pem`, `ca.key`) and a leaf certificate it issued
/// (`leaf.pem`, `leaf.der`, key `leaf.key` made with `leaf_key`).
fn ca_and_leaf(dir: &Path, leaf_key: &[&str]) -> (Certificate, Certificate) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-subj",
            "/CN=Builder Test CA",
            "-days",
            "30",
            "-out",
            "ca.pem",
        ],
    );
    openssl(
        dir,
        &[&["genpkey", "-out", "leaf.key"][..], leaf_key].concat(),
    );
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            "leaf.key",
            "-subj",
            "/CN=leaf.example.com",
            "-out",
            "leaf.csr",
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "30",
            "-out",
            "leaf.pem",
        ],
    );
    let der = |name: &str, out: &str| {
        openssl(dir, &["x509", "-in", name, "-outform", "DER", "-out", out]);
        Certificate::from_der(&std::fs::read(dir.join(out)).unwrap()).unwrap()
    };
    (der("ca.pem", "ca.der"), der("leaf.pem", "leaf.der"))
}

/// Signs `tbs` with `leaf.key` and SHA-256, as an HSM would.
fn sign_with_leaf(dir: &Path, tbs: &[u8]) -> Vec<u8> {
    std::fs::write(dir.join("tbs.der"), tbs).unwrap();
    openssl(
        dir,
        &[
            "dgst", "-sha256", "-sign", "leaf.key", "-out", "sig.bin", "tbs.der",
        ],
    );
    std::fs::read(dir.join("sig.bin")).unwrap()
}

/// `openssl cms -verify` (signature only, not the chain): the content.
fn openssl_cms_verify(dir: &Path, der: &[u8]) -> Vec<u8> {
    std::fs::write(dir.join("out.der"), der).unwrap();
    openssl(
        dir,
        &[
            "cms",
            "-verify",
            "-inform",
            "DER",
            "-noverify",
            "-binary",
            "-in",
            "out.der",
        ],
    )
}

fn renewal(name: &str, leaf_key: &[&str]) {
    let dir = tmp_dir(name);
    let (_ca, leaf) = ca_and_leaf(&dir, leaf_key);
    let request = csr(&dir, RSA, "/CN=renewed.example.com", &[]);
    let builder = RenewalRequestBuilder::new(&request, leaf.clone()).unwrap();
    let tbs = builder.finalize().unwrap();
    let der = builder.assemble(&sign_with_leaf(&dir, &tbs)).unwrap();

    let p7 = decode_signed_data(&der).unwrap();
    assert_eq!(p7.signer.as_ref(), Some(&leaf));
    assert_eq!(p7.certificates, vec![leaf.clone()]);
    assert_eq!(
        p7.signed_data.encap_content_info.econtent_type,
        wstep::payload::oid::DATA
    );
    p7.verify_signer().unwrap();
    let InnerContent::Pkcs10(inner) = &p7.content else {
        panic!("not PKCS#10: {:?}", p7.content)
    };
    assert_eq!(inner.request.to_der().unwrap(), request);
    assert_eq!(inner.subject, "CN=renewed.example.com");
    assert_eq!(openssl_cms_verify(&dir, &der), request);

    // A wrong signature: we and OpenSSL reject it.
    let mut sig = sign_with_leaf(&dir, &tbs);
    sig[10] ^= 1;
    let bad = builder.assemble(&sig).unwrap();
    assert_eq!(
        decode_signed_data(&bad).unwrap().verify_signer(),
        Err(Error::BadSignature)
    );
    std::fs::write(dir.join("bad.der"), &bad).unwrap();
    let status = Command::new("openssl")
        .current_dir(&dir)
        .args([
            "cms",
            "-verify",
            "-inform",
            "DER",
            "-noverify",
            "-in",
            "bad.der",
        ])
        .output()
        .unwrap()
        .status;
    assert!(!status.success());
    assert_eq!(builder.assemble(&[]), Err(Error::BadSignature));
}

#[test]
fn renewal_request_signed_by_rsa_leaf() {
    openssl_or_skip!();
    renewal("build-renew-rsa", RSA);
}

#[test]
fn renewal_request_signed_by_p256_leaf() {
    openssl_or_skip!();
    renewal("build-renew-p256", P256);
}

#[test]
fn renewal_request_rejects_bad_input() {
    openssl_or_skip!();
    let dir = tmp_dir("build-bad");
    let (ca, leaf) = ca_and_leaf(&dir, RSA);
    assert!(matches!(
        RenewalRequestBuilder::new(b"not der", leaf.clone()),
        Err(Error::Der { .. })
    ));
    assert!(matches!(
        CmcRequestBuilder::new(&ca.to_der().unwrap(), leaf),
        Err(Error::Der { .. })
    ));
}

#[test]
fn cmc_request_signed_by_leaf() {
    openssl_or_skip!();
    let dir = tmp_dir("build-cmc");
    let (_ca, leaf) = ca_and_leaf(&dir, RSA);
    let request = csr(&dir, P256, "/CN=cmc.example.com", &[]);
    let builder = CmcRequestBuilder::new(&request, leaf.clone()).unwrap();
    let der = builder
        .assemble(&sign_with_leaf(&dir, &builder.finalize().unwrap()))
        .unwrap();

    let expected = PkiData::with_request(1, &CertReq::from_der(&request).unwrap())
        .unwrap()
        .to_der()
        .unwrap();
    assert_eq!(openssl_cms_verify(&dir, &der), expected);

    let token: BinarySecurityToken = ValueKind::Pkcs7.token(&der);
    let TokenContent::Pkcs7(p7) = decode_token(&token).unwrap() else {
        panic!("not PKCS#7")
    };
    assert_eq!(p7.signer.as_ref(), Some(&leaf));
    p7.verify_signer().unwrap();
    let InnerContent::Cmc { data, requests } = &p7.content else {
        panic!("not CMC: {:?}", p7.content)
    };
    assert_eq!(data.to_der().unwrap(), expected);
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].request.to_der().unwrap(), request);
    assert_eq!(p7.request().unwrap().subject, "CN=cmc.example.com");
}

#[test]
fn chain_we_write_is_accepted_by_openssl() {
    openssl_or_skip!();
    let dir = tmp_dir("build-chain");
    let (ca, leaf) = ca_and_leaf(&dir, RSA);
    // Our re-encoding of the leaf verifies against the CA.
    std::fs::write(dir.join("leaf_ours.der"), leaf.to_der().unwrap()).unwrap();
    openssl(
        &dir,
        &[
            "x509",
            "-inform",
            "DER",
            "-in",
            "leaf_ours.der",
            "-out",
            "leaf_ours.pem",
        ],
    );
    let out = openssl(&dir, &["verify", "-CAfile", "ca.pem", "leaf_ours.pem"]);
    assert!(String::from_utf8_lossy(&out).contains("OK"));

    let p7 = build_certs_only(&[ca, leaf]).unwrap();
    std::fs::write(dir.join("chain.p7b"), &p7).unwrap();
    let out = String::from_utf8(openssl(
        &dir,
        &[
            "pkcs7",
            "-inform",
            "DER",
            "-in",
            "chain.p7b",
            "-print_certs",
            "-noout",
        ],
    ))
    .unwrap();
    for cn in ["Builder Test CA", "leaf.example.com"] {
        assert!(
            out.contains(&format!("CN={cn}")) || out.contains(&format!("CN = {cn}")),
            "{out}"
        );
    }
    // The chain's certificates, extracted by OpenSSL, verify too.
    openssl(
        &dir,
        &[
            "pkcs7",
            "-inform",
            "DER",
            "-in",
            "chain.p7b",
            "-print_certs",
            "-out",
            "chain.pem",
        ],
    );
    openssl(
        &dir,
        &[
            "verify",
            "-CAfile",
            "ca.pem",
            "-untrusted",
            "chain.pem",
            "leaf_ours.pem",
        ],
    );
}

/// The [MS-WSTEP] 4.1.5.1 renewal carries its PKCS#10 as `id-data`, as
/// [`RenewalRequestBuilder`] writes it.
#[test]
fn spec_renewal_content_type_is_id_data() {
    let spec = spec_or_skip!();
    let xml = String::from_utf8(common::read_spec(
        spec,
        "wstep/4.1.5.1-RST-renewal-request.normalized.xml",
    ))
    .unwrap();
    let start = xml.find("BinarySecurityToken").unwrap();
    let open_end = start + xml[start..].find('>').unwrap();
    let close = open_end + xml[open_end..].find("</").unwrap();
    let mut token = ValueKind::Pkcs7.token(b"");
    token.value = xml[open_end + 1..close].replace("&#xD;", "");
    let TokenContent::Pkcs7(p7) = decode_token(&token).unwrap() else {
        panic!("not PKCS#7")
    };
    assert_eq!(
        p7.signed_data.encap_content_info.econtent_type,
        wstep::payload::oid::DATA
    );
    assert!(matches!(p7.content, InnerContent::Pkcs10(_)));
}
