//! PKCS#10 requests for `enroll` and `renew`: RSA PKCS#1 v1.5 with
//! SHA-256, the template extension in an `extensionRequest` attribute.

use der::Encode;
use der::asn1::BitString;
use rsa::RsaPrivateKey;
use x509_cert::attr::Attribute;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::request::{CertReq, CertReqInfo, ExtensionReq};

use cepces_server::pki::{Result, sha256_with_rsa, sign, spki};

fn err(what: &'static str) -> impl Fn(&dyn std::fmt::Display) -> String {
    move |e| format!("{what}: {e}")
}

/// A signed PKCS#10 request (DER) for `key` with `subject` and
/// `extensions` in an `extensionRequest` attribute.
pub fn build_csr(
    key: &RsaPrivateKey,
    subject: Name,
    extensions: Vec<Extension>,
) -> Result<Vec<u8>> {
    let mut attributes = der::asn1::SetOfVec::new();
    if !extensions.is_empty() {
        let attribute = Attribute::try_from(ExtensionReq(extensions))
            .map_err(|e| err("encoding the extension request")(&e))?;
        attributes
            .insert(attribute)
            .map_err(|e| err("encoding the extension request")(&e))?;
    }
    let info = CertReqInfo {
        version: x509_cert::request::Version::V1,
        subject,
        public_key: spki(&key.to_public_key())?,
        attributes,
    };
    let tbs = info.to_der().map_err(|e| err("encoding the request")(&e))?;
    let signature = sign(key, &tbs)?;
    CertReq {
        info,
        algorithm: sha256_with_rsa(),
        signature: BitString::from_bytes(&signature).map_err(|e| err("the signature")(&e))?,
    }
    .to_der()
    .map_err(|e| err("encoding the request")(&e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cepces_server::pki::{TEMPLATE_INFO, extension, generate_key, name_with_cn};
    use const_oid::ObjectIdentifier;

    #[test]
    fn csr_round_trips_through_the_wstep_decoder_with_a_valid_signature() {
        let key = generate_key(2048).unwrap();
        let ext = extension(
            TEMPLATE_INFO,
            false,
            &wstep::payload::TemplateInfo {
                template_id: ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.21.8.1.2"),
                major_version: Some(100),
                minor_version: Some(3),
            },
        )
        .unwrap();
        let der = build_csr(&key, name_with_cn("host.example").unwrap(), vec![ext]).unwrap();
        let csr = wstep::payload::Csr::from_der(&der).unwrap();
        csr.verify_signature().unwrap();
        assert_eq!(csr.key_bits(), Some(2048));
        assert_eq!(csr.subject, "CN=host.example");
        let info = csr.template.unwrap().info.unwrap();
        assert_eq!(info.major_version, Some(100));
    }
}
