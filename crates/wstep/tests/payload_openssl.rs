//! OpenSSL interop for the DER payloads, Windows MDM leniency, CMC, and
//! malformed input. OpenSSL missing skips these tests (panics in CI).

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::path::Path;

use der::{Decode, Encode};
use testkit::openssl_or_skip;
use testkit::{csr, openssl, tmp_dir};
use wstep::payload::{
    InnerContent, KeyInfo, PkiData, SignedPayload, TemplateInfo, TokenContent, build_certs_only,
    decode_certificate, decode_csr,
};
use wstep::{Error, ValueKind, decode_token};
use x509_cert::Certificate;
use x509_cert::request::CertReq;

const RSA: &[&str] = &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"];
const P256: &[&str] = &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];

#[test]
fn openssl_rsa_csr() {
    openssl_or_skip!();
    let dir = tmp_dir("rsa");
    let der = csr(
        &dir,
        RSA,
        "/CN=host.example.com/O=Example",
        &["-addext", "subjectAltName=DNS:host.example.com"],
    );
    let csr = decode_csr(&der).unwrap();
    assert_eq!(csr.subject, "O=Example,CN=host.example.com");
    assert_eq!(csr.key_bits(), Some(2048));
    assert!(matches!(csr.key, KeyInfo::Rsa { bits: 2048 }));
    assert!(!csr.lenient_subject);
    assert_eq!(csr.extensions.len(), 1);
    assert_eq!(csr.extensions[0].extn_id.to_string(), "2.5.29.17");
    assert!(csr.template.is_none());
    csr.verify_signature().unwrap();
    for digest in ["-sha1", "-sha384", "-sha512"] {
        openssl(
            &dir,
            &[
                "req", "-new", "-key", "key.pem", "-subj", "/CN=x", digest, "-outform", "DER",
                "-out", "r2.der",
            ],
        );
        let c = decode_csr(&std::fs::read(dir.join("r2.der")).unwrap()).unwrap();
        c.verify_signature().unwrap();
    }

    // Corrupted signature: typed error.
    let mut bad = der.clone();
    let n = bad.len() - 5;
    bad[n] ^= 0x40;
    assert_eq!(
        decode_csr(&bad).unwrap().verify_signature(),
        Err(Error::BadSignature)
    );
    // Every prefix: a typed error, no panic.
    for n in 0..der.len() {
        assert!(matches!(decode_csr(&der[..n]), Err(Error::Der { .. })));
    }
    // Trailing bytes are rejected.
    let mut long = der;
    long.push(0);
    assert!(matches!(decode_csr(&long), Err(Error::Der { .. })));
}

#[test]
fn openssl_ec_csrs() {
    openssl_or_skip!();
    for (curve, bits, name) in [("P-256", 256, "P-256"), ("P-384", 384, "P-384")] {
        let dir = tmp_dir("ec");
        let opts = [
            "-algorithm",
            "EC",
            "-pkeyopt",
            &format!("ec_paramgen_curve:{curve}"),
        ]
        .map(str::to_owned);
        let opts: Vec<&str> = opts.iter().map(String::as_str).collect();
        let der = csr(&dir, &opts, "/CN=host.example.com/O=Example", &[]);
        let csr = decode_csr(&der).unwrap();
        assert_eq!(csr.subject, "O=Example,CN=host.example.com");
        assert_eq!(csr.key_bits(), Some(bits));
        assert!(matches!(csr.key, KeyInfo::Ec { curve_name: Some(n), .. } if n == name));
        csr.verify_signature().unwrap();
    }
    // P-256 with an unsupported signature algorithm OID: typed error.
    let dir = tmp_dir("ec-unsup");
    let der = csr(&dir, P256, "/CN=x", &[]);
    let mut req = CertReq::from_der(&der).unwrap();
    req.algorithm.oid = der::asn1::ObjectIdentifier::new_unwrap("1.2.3.4");
    let csr = decode_csr(&req.to_der().unwrap()).unwrap();
    assert!(matches!(
        csr.verify_signature(),
        Err(Error::UnsupportedAlgorithm(_))
    ));
}

#[test]
fn openssl_template_name_and_info() {
    openssl_or_skip!();
    let dir = tmp_dir("tmpl");
    let info = TemplateInfo {
        template_id: der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.21.8.1.2"),
        major_version: Some(100),
        minor_version: Some(5),
    };
    let hex = info
        .to_der()
        .unwrap()
        .iter()
        .fold(String::new(), |mut h, b| {
            use std::fmt::Write;
            let _ = write!(h, "{b:02X}");
            h
        });
    let info_ext = format!("1.3.6.1.4.1.311.21.7=DER:{hex}");
    let der = csr(
        &dir,
        P256,
        "/CN=user",
        &[
            "-addext",
            "1.3.6.1.4.1.311.20.2=ASN1:BMPSTRING:User",
            "-addext",
            &info_ext,
        ],
    );
    let csr = decode_csr(&der).unwrap();
    let template = csr.template.clone().unwrap();
    assert_eq!(template.name.as_deref(), Some("User"));
    assert_eq!(template.info, Some(info));
    csr.verify_signature().unwrap();
}

/// Windows MDM clients send a PrintableString CN with `!` and NUL. We make
/// such a CSR from an OpenSSL one: the CN `devXceXid` (a UTF8String) is
/// patched to PrintableString `dev!ce\0id` and the request re-signed with
/// `openssl dgst` (an RSA-2048 signature keeps its length, so it replaces
/// the last 256 bytes).
#[test]
fn windows_mdm_lenient_printable_string() {
    openssl_or_skip!();
    let dir = tmp_dir("mdm");
    let mut der = csr(&dir, RSA, "/CN=devXceXid", &[]);
    let pos = der
        .windows(11)
        .position(|w| w == b"\x0c\x09devXceXid")
        .unwrap();
    der[pos] = 0x13;
    der[pos + 2..pos + 11].copy_from_slice(b"dev!ce\0id");
    assert!(
        der::asn1::PrintableStringRef::new(b"dev!ce\0id").is_err(),
        "der is strict"
    );

    // Not re-signed: parses, lenient, signature fails.
    let csr = decode_csr(&der).unwrap();
    assert!(csr.lenient_subject);
    assert_eq!(csr.subject, "CN=dev!ce\\00id");
    assert_eq!(csr.verify_signature(), Err(Error::BadSignature));

    // Re-signed: parses, lenient, signature verifies.
    let info = CertReq::from_der(&der).unwrap().info.to_der().unwrap();
    std::fs::write(dir.join("info.der"), &info).unwrap();
    let sig = openssl(&dir, &["dgst", "-sha256", "-sign", "key.pem", "info.der"]);
    assert_eq!(sig.len(), 256);
    let n = der.len();
    der[n - 256..].copy_from_slice(&sig);
    let csr = decode_csr(&der).unwrap();
    assert!(csr.lenient_subject);
    csr.verify_signature().unwrap();
}

fn self_signed(dir: &Path, cn: &str) -> Certificate {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "k.pem",
            "-subj",
            &format!("/CN={cn}"),
            "-days",
            "30",
            "-outform",
            "DER",
            "-out",
            "c.der",
        ],
    );
    Certificate::from_der(&std::fs::read(dir.join("c.der")).unwrap()).unwrap()
}

#[test]
fn certs_only_roundtrip_with_openssl() {
    openssl_or_skip!();
    let dir = tmp_dir("p7");
    let a = self_signed(&dir, "First Cert");
    let b = self_signed(&dir, "Second Cert");
    let p7 = build_certs_only(&[a.clone(), b.clone()]).unwrap();
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
    assert!(
        out.contains("CN=First Cert") || out.contains("CN = First Cert"),
        "{out}"
    );
    assert!(
        out.contains("CN=Second Cert") || out.contains("CN = Second Cert"),
        "{out}"
    );

    let decoded = SignedPayload::from_der(&p7).unwrap();
    assert_eq!(decoded.content, InnerContent::None);
    assert_eq!(decoded.certificates.len(), 2);
    assert!(decoded.certificates.contains(&a) && decoded.certificates.contains(&b));
    let c = decode_certificate(&a.to_der().unwrap()).unwrap();
    assert_eq!(c.subject, "CN=First Cert");
    assert_eq!(c.issuer, "CN=First Cert");
    assert!(c.not_before < c.not_after);
    assert!(matches!(
        TokenContent::from_der(&p7, None).unwrap(),
        TokenContent::Pkcs7(_)
    ));
}

#[test]
fn cmc_request_wrapping_pkcs10() {
    openssl_or_skip!();
    let dir = tmp_dir("cmc");
    let der = csr(&dir, P256, "/CN=cmc.example.com", &[]);
    let req = CertReq::from_der(&der).unwrap();
    let data = PkiData::with_request(1, &req).unwrap();
    let data_der = data.to_der().unwrap();
    // A bare PKIData.
    let TokenContent::Cmc(bare) = TokenContent::from_der(&data_der, Some(ValueKind::Cmc)).unwrap()
    else {
        panic!("not CMC")
    };
    assert_eq!(
        bare.certification_requests().unwrap(),
        vec![(1, req.clone())]
    );
    // Inside an (unsigned) SignedData, as Windows sends it.
    let sd = cms::signed_data::SignedData {
        version: cms::content_info::CmsVersion::V3,
        digest_algorithms: der::asn1::SetOfVec::new(),
        encap_content_info: cms::signed_data::EncapsulatedContentInfo {
            econtent_type: wstep::payload::oid::CCT_PKI_DATA,
            econtent: Some(
                der::Any::encode_from(&der::asn1::OctetString::new(data_der).unwrap()).unwrap(),
            ),
        },
        certificates: None,
        crls: None,
        signer_infos: cms::signed_data::SignerInfos(der::asn1::SetOfVec::new()),
    };
    let ci = cms::content_info::ContentInfo {
        content_type: wstep::payload::oid::SIGNED_DATA,
        content: der::Any::encode_from(&sd).unwrap(),
    };
    let p7 = SignedPayload::from_der(&ci.to_der().unwrap()).unwrap();
    let inner = p7.request().unwrap();
    assert_eq!(inner.subject, "CN=cmc.example.com");
    inner.verify_signature().unwrap();
    assert!(p7.signer.is_none());
    assert!(matches!(
        p7.verify_signer(),
        Err(Error::UnexpectedContent(_))
    ));
}

/// A renewal-like request made by `openssl cms -sign`: a PKCS#10 signed
/// with the old certificate's key, with signed attributes.
#[test]
fn openssl_signed_renewal() {
    openssl_or_skip!();
    let dir = tmp_dir("renew");
    let old = self_signed(&dir, "old.example.com");
    openssl(
        &dir,
        &["x509", "-inform", "DER", "-in", "c.der", "-out", "c.pem"],
    );
    openssl(
        &dir,
        &[
            "req",
            "-new",
            "-key",
            "k.pem",
            "-subj",
            "/CN=new.example.com",
            "-outform",
            "DER",
            "-out",
            "req.der",
        ],
    );
    openssl(
        &dir,
        &[
            "cms",
            "-sign",
            "-binary",
            "-nodetach",
            "-in",
            "req.der",
            "-signer",
            "c.pem",
            "-inkey",
            "k.pem",
            "-md",
            "sha256",
            "-outform",
            "DER",
            "-out",
            "renew.p7",
        ],
    );
    let der = std::fs::read(dir.join("renew.p7")).unwrap();
    let TokenContent::Pkcs7(p7) = TokenContent::from_der(&der, Some(ValueKind::Pkcs7)).unwrap()
    else {
        panic!("not PKCS#7")
    };
    assert_eq!(p7.signer.as_ref(), Some(&old));
    assert_eq!(p7.request().unwrap().subject, "CN=new.example.com");
    p7.verify_signer().unwrap();
    // Flip a byte of the inner request: the messageDigest no longer matches.
    let pos = der
        .windows(15)
        .position(|w| w == b"new.example.com")
        .unwrap();
    let mut bad = der.clone();
    bad[pos] = b'm';
    let p7 = SignedPayload::from_der(&bad).unwrap();
    assert_eq!(p7.verify_signer(), Err(Error::BadSignature));
}

#[test]
fn garbage_is_a_typed_error() {
    let token = wstep::ValueKind::Pkcs10.token(b"\x30\x03\x02\x01");
    match decode_token(&token) {
        Err(Error::Der { structure, error }) => {
            assert_eq!(structure, "CertificationRequest");
            let _ = error.position();
        }
        other => panic!("{other:?}"),
    }
    for junk in [
        &b""[..],
        b"\x00",
        b"garbage!",
        b"\x30\x80\x00\x00",
        b"\xff\xff\xff\xff",
    ] {
        for kind in [
            None,
            Some(ValueKind::Pkcs7),
            Some(ValueKind::X509v3),
            Some(ValueKind::Cmc),
        ] {
            assert!(TokenContent::from_der(junk, kind).is_err());
        }
    }
    let mut token = wstep::ValueKind::Pkcs7.token(b"");
    token.value = "not base64!".into();
    assert!(matches!(decode_token(&token), Err(Error::Base64(_))));
    // A ContentInfo that is not SignedData.
    let ci = cms::content_info::ContentInfo {
        content_type: wstep::payload::oid::DATA,
        content: der::Any::encode_from(&der::asn1::OctetString::new(vec![1]).unwrap()).unwrap(),
    };
    assert!(matches!(
        SignedPayload::from_der(&ci.to_der().unwrap()),
        Err(Error::UnexpectedContent(_))
    ));
}

/// Issue 4: a CSR made by `openssl req`, carried in an RST that we write,
/// reads back from the XML with the same subject and key and a valid
/// signature; the envelope we write validates against the schemas.
#[test]
fn openssl_csr_inside_an_rst_we_write() {
    use soap_envelope::{Envelope, Header};
    use wstep::{RequestSecurityToken, RequestType, WstepMessage};

    openssl_or_skip!();
    let dir = tmp_dir("rst");
    let der = csr(
        &dir,
        RSA,
        "/CN=linux-host.contoso.com/O=Contoso",
        &["-addext", "1.3.6.1.4.1.311.20.2=ASN1:BMPSTRING:Machine"],
    );
    let rst = RequestSecurityToken::new(RequestType::Issue)
        .with_binary_security_token(ValueKind::Pkcs10.token(&der));
    let header = Header::new()
        .with_action(rst.action())
        .with_message_id("urn:uuid:7d1e6f7a-0b8e-4d1c-9c55-0f3a1b2c3d4e")
        .with_to("https://ces.contoso.com/Contoso-CA_CES_Kerberos/service.svc/CES");
    let bytes = Envelope::new(header, WstepMessage::from(rst))
        .to_xml()
        .unwrap();

    let env = Envelope::<WstepMessage>::from_xml(&bytes).unwrap();
    let Some(WstepMessage::RequestSecurityToken(read)) = env.payload() else {
        panic!("not an RST: {env:?}");
    };
    let token = read.binary_security_token.as_ref().unwrap();
    let TokenContent::Pkcs10(csr) = decode_token(token).unwrap() else {
        panic!("not a PKCS#10");
    };
    assert_eq!(csr.subject, "O=Contoso,CN=linux-host.contoso.com");
    assert_eq!(csr.key_bits(), Some(2048));
    assert!(matches!(csr.key, KeyInfo::Rsa { .. }), "{:?}", csr.key);
    csr.verify_signature().unwrap();
    assert_eq!(
        csr.template.as_ref().and_then(|t| t.name.as_deref()),
        Some("Machine")
    );
    // The same key as openssl's.
    let ours = csr.request.info.public_key.to_der().unwrap();
    let theirs = openssl(
        &dir,
        &["pkey", "-in", "key.pem", "-pubout", "-outform", "DER"],
    );
    assert_eq!(ours, theirs);

    if let Some(spec) = common::spec_dir() {
        let v = common::validate_bytes(spec, "deps/envelope-all.xsd", "rst.xml", &bytes);
        if let Some(v) = v {
            assert!(v.is_clean_pass(), "{v:?}");
        }
    }
}

/// `csr` with its `signatureAlgorithm` OID replaced (the signature, over
/// the `CertificationRequestInfo` only, is unchanged).
fn with_signature_oid(csr: &[u8], oid: &str) -> Vec<u8> {
    let mut req = CertReq::from_der(csr).unwrap();
    req.algorithm.oid = der::asn1::ObjectIdentifier::new_unwrap(oid);
    req.to_der().unwrap()
}

/// `csr` with one bit of its signature flipped.
fn tampered(csr: &[u8]) -> Vec<u8> {
    let mut bad = csr.to_vec();
    let n = bad.len() - 7;
    bad[n] ^= 0x01;
    bad
}

fn req(dir: &Path, args: &[&str]) -> Vec<u8> {
    let base = [
        "req", "-new", "-key", "key.pem", "-subj", "/CN=mdm", "-outform", "DER", "-out", "alg.der",
    ];
    openssl(dir, &[&base[..], args].concat());
    std::fs::read(dir.join("alg.der")).unwrap()
}

#[test]
fn windows_mdm_oiw_sha1_with_rsa_signature() {
    openssl_or_skip!();
    let dir = tmp_dir("oiw");
    // RSA PKCS#1 v1.5 over SHA-1, labelled with the OIW OID as Windows MDM
    // clients do.
    let sha1 = csr(&dir, RSA, "/CN=mdm-device", &["-sha1"]);
    let oiw = with_signature_oid(&sha1, "1.3.14.3.2.29");
    let c = decode_csr(&oiw).unwrap();
    assert_eq!(c.request.algorithm.oid.to_string(), "1.3.14.3.2.29");
    c.verify_signature().unwrap();
    assert_eq!(
        decode_csr(&tampered(&oiw)).unwrap().verify_signature(),
        Err(Error::BadSignature)
    );
    // A signature made over SHA-256 does not verify as OIW SHA-1.
    let sha256 = csr(&dir, RSA, "/CN=mdm-device", &["-sha256"]);
    assert_eq!(
        decode_csr(&with_signature_oid(&sha256, "1.3.14.3.2.29"))
            .unwrap()
            .verify_signature(),
        Err(Error::BadSignature)
    );
}

#[test]
fn rsa_pss_csrs_from_openssl() {
    openssl_or_skip!();
    let dir = tmp_dir("pss");
    csr(&dir, RSA, "/CN=x", &[]);
    for (digest, salt) in [
        ("-sha256", "32"),
        ("-sha384", "48"),
        ("-sha512", "-2"),
        ("-sha1", "20"),
        ("-sha256", "-1"),
    ] {
        let der = req(
            &dir,
            &[
                digest,
                "-sigopt",
                "rsa_padding_mode:pss",
                "-sigopt",
                &format!("rsa_pss_saltlen:{salt}"),
            ],
        );
        let c = decode_csr(&der).unwrap();
        assert_eq!(
            c.request.algorithm.oid.to_string(),
            "1.2.840.113549.1.1.10",
            "{digest} {salt}"
        );
        c.verify_signature()
            .unwrap_or_else(|e| panic!("{digest} salt {salt}: {e}"));
        assert_eq!(
            decode_csr(&tampered(&der)).unwrap().verify_signature(),
            Err(Error::BadSignature),
            "{digest} {salt}"
        );
    }
    // An RSA-PSS key (id-RSASSA-PSS SubjectPublicKeyInfo).
    let pss_key = tmp_dir("pss-key");
    let der = csr(
        &pss_key,
        &["-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"],
        "/CN=pss",
        &["-sigopt", "rsa_padding_mode:pss"],
    );
    let c = decode_csr(&der).unwrap();
    assert_eq!(c.key_bits(), Some(2048));
    c.verify_signature().unwrap();
}

#[test]
fn rsa_pss_parameters_are_checked() {
    openssl_or_skip!();
    let dir = tmp_dir("pss-params");
    csr(&dir, RSA, "/CN=x", &[]);
    let der = req(
        &dir,
        &[
            "-sha256",
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:32",
            "-sigopt",
            "rsa_mgf1_md:sha1",
        ],
    );
    // MGF1 with SHA-1 under a SHA-256 message hash: named, not verified.
    let err = decode_csr(&der).unwrap().verify_signature().unwrap_err();
    assert!(
        matches!(&err, Error::UnsupportedAlgorithm(m) if m.contains("mask generation")),
        "{err}"
    );
    // No parameters at all: unsupported, not a panic.
    let mut req = CertReq::from_der(&der).unwrap();
    req.algorithm.parameters = None;
    let err = decode_csr(&req.to_der().unwrap())
        .unwrap()
        .verify_signature()
        .unwrap_err();
    assert_eq!(err.kind_name(), "unsupported-algorithm");
    // Parameters that are not RSASSA-PSS-params: a DER error.
    req.algorithm.parameters = Some(der::Any::from(der::asn1::Null));
    let err = decode_csr(&req.to_der().unwrap())
        .unwrap()
        .verify_signature()
        .unwrap_err();
    assert_eq!(err.kind_name(), "der");
}

#[test]
fn md5_and_md2_with_rsa_are_refused_by_name() {
    openssl_or_skip!();
    let dir = tmp_dir("md5");
    let der = csr(&dir, RSA, "/CN=old", &[]);
    for (oid, name) in [
        ("1.2.840.113549.1.1.4", "md5WithRSAEncryption"),
        ("1.2.840.113549.1.1.2", "md2WithRSAEncryption"),
    ] {
        let err = decode_csr(&with_signature_oid(&der, oid))
            .unwrap()
            .verify_signature()
            .unwrap_err();
        assert!(matches!(err, Error::InsecureAlgorithm(n) if n.starts_with(name)));
        assert_eq!(err.kind_name(), "insecure-algorithm");
    }
}

#[test]
fn sha224_and_ecdsa_sha1_csrs_verify() {
    openssl_or_skip!();
    let dir = tmp_dir("sha224");
    csr(&dir, RSA, "/CN=x", &[]);
    for digest in ["-sha224", "-sha1"] {
        let der = req(&dir, &[digest]);
        decode_csr(&der).unwrap().verify_signature().unwrap();
    }
    for curve in ["P-256", "P-384"] {
        let dir = tmp_dir("ecdsa-sha1");
        let opts = ["-algorithm", "EC", "-pkeyopt"];
        let curve_opt = format!("ec_paramgen_curve:{curve}");
        csr(
            &dir,
            &[&opts[..], &[curve_opt.as_str()]].concat(),
            "/CN=x",
            &[],
        );
        for (digest, oid) in [
            ("-sha1", "1.2.840.10045.4.1"),
            ("-sha224", "1.2.840.10045.4.3.1"),
            ("-sha512", "1.2.840.10045.4.3.4"),
        ] {
            let der = req(&dir, &[digest]);
            let c = decode_csr(&der).unwrap();
            assert_eq!(c.request.algorithm.oid.to_string(), oid);
            c.verify_signature()
                .unwrap_or_else(|e| panic!("{curve} {digest}: {e}"));
            assert_eq!(
                decode_csr(&tampered(&der)).unwrap().verify_signature(),
                Err(Error::BadSignature),
                "{curve} {digest}"
            );
        }
    }
}
