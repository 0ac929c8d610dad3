//! The CMC response builder (the [MS-WSTEP] 4.1.1.2 PKCS7 token's shape),
//! checked against the spec example and OpenSSL, and MS-MDE2 provisioning
//! documents. OpenSSL missing skips its tests (panics in CI).

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::path::Path;

use der::Decode;
use testkit::{openssl, openssl_available, tmp_dir};
use wstep::payload::cmc::CMC_STATUS_SUCCESS;
use wstep::payload::signed_data::build_cmc_response;
use wstep::payload::{InnerContent, TokenContent, decode_signed_data};
use wstep::{BinarySecurityTokenExt, Error, ValueKind, decode_token};
use x509_cert::Certificate;

/// A self-signed certificate `name`.der with subject CN=`cn`.
fn self_signed(dir: &Path, name: &str, cn: &str) -> Certificate {
    let key = format!("{name}.key");
    let pem = format!("{name}.pem");
    let der = format!("{name}.der");
    let subj = format!("/CN={cn}");
    openssl(
        dir,
        &[
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-subj", &subj,
            "-days", "30", "-out", &pem,
        ],
    );
    openssl(dir, &["x509", "-in", &pem, "-outform", "DER", "-out", &der]);
    Certificate::from_der(&std::fs::read(dir.join(der)).unwrap()).unwrap()
}

#[test]
fn cmc_response_round_trip_and_openssl() {
    if !openssl_available() {
        return;
    }
    let dir = tmp_dir("wstep-cmc-response");
    let ca = self_signed(&dir, "ca", "Response Test CA");
    let leaf = self_signed(&dir, "leaf", "leaf.example.com");
    let chain = vec![leaf.clone(), ca.clone()];
    let der = build_cmc_response(7, &chain).unwrap();

    // CertificateSet is a SET OF: DER sorts it, so only membership counts.
    let has_chain =
        |certs: &[Certificate]| certs.len() == 2 && certs.contains(&leaf) && certs.contains(&ca);
    let p7 = decode_signed_data(&der).unwrap();
    assert!(has_chain(&p7.certificates));
    assert!(p7.signer.is_none());
    assert_eq!(
        p7.signed_data.encap_content_info.econtent_type,
        wstep::payload::oid::CCT_PKI_RESPONSE
    );
    let InnerContent::CmcResponse(resp) = &p7.content else {
        panic!("not a CMC response: {:?}", p7.content)
    };
    let status = resp.status_info().unwrap().unwrap();
    assert_eq!(status.cmc_status, CMC_STATUS_SUCCESS);
    assert_eq!(status.body_list, [7]);
    assert_eq!(status.status_string.as_deref(), Some("Issued"));

    let token = ValueKind::Pkcs7.token(&der);
    let TokenContent::Pkcs7(p) = decode_token(&token).unwrap() else {
        panic!("not PKCS#7")
    };
    assert!(has_chain(&p.certificates));
    assert!(matches!(p.content, InnerContent::CmcResponse(_)));

    std::fs::write(dir.join("resp.p7b"), &der).unwrap();
    let printed = String::from_utf8(openssl(
        &dir,
        &["pkcs7", "-inform", "DER", "-in", "resp.p7b", "-print_certs"],
    ))
    .unwrap();
    assert!(printed.contains("CN=Response Test CA") || printed.contains("CN = Response Test CA"));
    assert!(printed.contains("CN=leaf.example.com") || printed.contains("CN = leaf.example.com"));
    assert_eq!(printed.matches("BEGIN CERTIFICATE").count(), 2);
}

#[test]
fn spec_4_1_1_2_pki_response_status() {
    let spec = spec_or_skip!();
    let xml = String::from_utf8(common::read_spec(
        spec,
        "wstep/4.1.1.2-RSTRC-issued.normalized.xml",
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
    let InnerContent::CmcResponse(resp) = &p7.content else {
        panic!("not a CMC response")
    };
    let status = resp.status_info().unwrap().unwrap();
    assert_eq!(status.cmc_status, CMC_STATUS_SUCCESS);
    assert_eq!(status.body_list, [1]);
    assert_eq!(status.status_string.as_deref(), Some("Issued"));
    // Our builder writes the same statusInfo control.
    let ours = wstep::payload::PkiResponse::success(1).unwrap();
    assert_eq!(ours.status_info().unwrap().unwrap(), status);
}

const DOC: &str = r#"<wap-provisioningdoc version="1.1"><characteristic type="CertificateStore"><characteristic type="Root"><characteristic type="System"><characteristic type="ABCDEF0123"><parm name="EncodedCertificate" value="MIIB"/></characteristic></characteristic></characteristic></characteristic></wap-provisioningdoc>"#;

#[test]
fn provisioning_doc_decodes() {
    let token = ValueKind::ProvisioningDoc.token(DOC.as_bytes());
    let doc = token.decode_provisioning_doc().unwrap();
    assert_eq!(doc.name.local, "wap-provisioningdoc");
    assert_eq!(doc.attributes[0].value, "1.1");
    let store = doc.child_elements().next().unwrap();
    assert_eq!(store.name.local, "characteristic");
    assert_eq!(store.attributes[0].value, "CertificateStore");
    // decode_token refuses it: it is XML, not DER.
    assert!(matches!(
        decode_token(&token),
        Err(Error::UnexpectedContent(_))
    ));
}

#[test]
fn provisioning_doc_garbage_is_typed() {
    let mut token = ValueKind::ProvisioningDoc.token(b"");
    token.value = "not base64!".into();
    assert!(matches!(
        token.decode_provisioning_doc(),
        Err(Error::Base64(_))
    ));
    let token = ValueKind::ProvisioningDoc.token(b"<wap-provisioningdoc><unclosed>");
    let err = token.decode_provisioning_doc().unwrap_err();
    assert!(matches!(err, Error::Xml(_)), "{err:?}");
    let token = ValueKind::ProvisioningDoc.token(&[0x30, 0x03, 0x02, 0x01, 0x00]);
    assert!(matches!(
        token.decode_provisioning_doc(),
        Err(Error::Xml(_))
    ));
    let token = ValueKind::Pkcs7.token(DOC.as_bytes());
    assert!(matches!(
        token.decode_provisioning_doc(),
        Err(Error::UnexpectedContent(_))
    ));
}

/// The three certificates (root, intermediate, leaf) of
/// `testdata/bench/chain3.p7b`, an openssl-made chain, as DER.
fn chain3_der() -> Vec<Vec<u8>> {
    use der::Encode;
    let p7 = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/bench/chain3.p7b"),
    )
    .unwrap();
    let certs = decode_signed_data(&p7).unwrap().certificates;
    assert_eq!(certs.len(), 3);
    certs.iter().map(|c| c.to_der().unwrap()).collect()
}

#[test]
fn cmc_response_from_der_is_the_typed_builders_bytes_in_every_order() {
    use wstep::payload::build_cmc_response_der;
    let ders = chain3_der();
    let orders: [[usize; 3]; 6] = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    let expected = {
        let certs: Vec<Certificate> = ders
            .iter()
            .map(|d| Certificate::from_der(d).unwrap())
            .collect();
        build_cmc_response(9, &certs).unwrap()
    };
    for order in orders {
        let given: Vec<&[u8]> = order.iter().map(|&i| ders[i].as_slice()).collect();
        assert_eq!(
            build_cmc_response_der(9, &given).unwrap(),
            expected,
            "{order:?}"
        );
        // Any two, and one alone.
        let certs: Vec<Certificate> = given[..2]
            .iter()
            .map(|d| Certificate::from_der(d).unwrap())
            .collect();
        assert_eq!(
            build_cmc_response_der(300, &given[..2]).unwrap(),
            build_cmc_response(300, &certs).unwrap()
        );
    }
    let one = Certificate::from_der(&ders[2]).unwrap();
    assert_eq!(
        build_cmc_response_der(1, &[&ders[2]]).unwrap(),
        build_cmc_response(1, &[one]).unwrap()
    );
    // What it builds reads back as the chain.
    let p7 = decode_signed_data(&expected).unwrap();
    assert_eq!(p7.certificates.len(), 3);
}

#[test]
fn cmc_response_from_der_refuses_what_is_not_one_der_sequence_and_duplicates() {
    use wstep::payload::build_cmc_response_der;
    let ders = chain3_der();
    let mut trailing = ders[0].clone();
    trailing.push(0);
    let integer: &[u8] = &[0x02, 0x01, 0x05];
    for bad in [
        b"not DER".as_slice(),
        integer,
        &trailing,
        &ders[1][..ders[1].len() - 1],
        &[],
    ] {
        let e = build_cmc_response_der(1, &[&ders[0], bad]).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Der {
                    structure: "Certificate",
                    ..
                }
            ),
            "{e:?}"
        );
    }
    let e = build_cmc_response_der(1, &[&ders[0], &ders[1], &ders[0]]).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Der {
                structure: "SignedData",
                ..
            }
        ),
        "{e:?}"
    );
    // The typed builder refuses the duplicate too.
    let c = Certificate::from_der(&ders[0]).unwrap();
    assert!(build_cmc_response(1, &[c.clone(), c]).is_err());
}
