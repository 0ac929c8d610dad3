//! Builders for the outgoing signed payloads, with the signer kept outside
//! (as x509-cert's `Builder`), so that a key in an HSM, TPM or smart card
//! can sign: [`RenewalRequestBuilder::finalize`] gives the bytes to sign,
//! [`RenewalRequestBuilder::assemble`] takes the signature and gives the
//! DER `ContentInfo`.
//!
//! Both builders make a CMS SignedData ([RFC 5652 Section 5]) signed by one
//! certificate, identified by issuer and serial number, with SHA-256, the
//! signed attributes `contentType` and `messageDigest`, and the signer's
//! certificate in `certificates`. The signature algorithm follows the
//! certificate's key: RSA PKCS#1 v1.5 with SHA-256 (`rsaEncryption`, as
//! Windows and OpenSSL write it) or ECDSA with SHA-256 (`ecdsa-with-SHA256`,
//! the signature a DER `ECDSA-Sig-Value`).
//!
//! The signer signs the DER of the signed attributes `SET` (what
//! `finalize` returns) with SHA-256: e.g. `openssl dgst -sha256 -sign key`.
//!
//! [RFC 5652 Section 5]: https://www.rfc-editor.org/rfc/rfc5652#section-5

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedAttributes, SignedData, SignerIdentifier,
    SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use sha2::Digest;
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::request::CertReq;

use super::cmc::PkiData;
use super::oid;
use crate::error::{Error, Result};

/// PKCS#9 `contentType`, RFC 5652 Section 11.1.
const CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");

/// A renewal request (as in the [MS-WSTEP] 4.1.5.1 example, [MS-WCCE]): a
/// PKCS#10 request as `id-data` content (as Windows sends it) in a
/// SignedData signed by the certificate being renewed.
///
/// ```no_run
/// # fn sign(_: &[u8]) -> Vec<u8> { Vec::new() }
/// # fn f(csr: &[u8], old: x509_cert::Certificate) -> wstep::Result<()> {
/// use wstep::payload::RenewalRequestBuilder;
/// let builder = RenewalRequestBuilder::new(csr, old)?;
/// let to_sign = builder.finalize()?; // signed with the old certificate's key
/// let der = builder.assemble(&sign(&to_sign))?;
/// # Ok(()) }
/// ```
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
/// [MS-WCCE]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wcce/
#[derive(Debug, Clone)]
pub struct RenewalRequestBuilder(SignedBuilder);

impl RenewalRequestBuilder {
    /// A builder for the DER PKCS#10 `csr_der` signed by `signer_cert`. A
    /// request that is not DER is [`Error::Der`]; a certificate key other
    /// than RSA or EC is [`Error::UnsupportedAlgorithm`].
    pub fn new(csr_der: &[u8], signer_cert: Certificate) -> Result<Self> {
        let request = CertReq::from_der(csr_der).map_err(Error::der("CertificationRequest"))?;
        let content = request
            .to_der()
            .map_err(Error::der("CertificationRequest"))?;
        SignedBuilder::new(oid::DATA, content, signer_cert).map(Self)
    }

    /// The DER of the signed attributes `SET`: the bytes the certificate's
    /// key signs with SHA-256.
    pub fn finalize(&self) -> Result<Vec<u8>> {
        self.0.finalize()
    }

    /// The DER `ContentInfo` with `signature` over [`Self::finalize`]'s
    /// bytes (PKCS#1 v1.5, or a DER ECDSA signature). The signature is not
    /// checked here; an empty one is [`Error::BadSignature`].
    pub fn assemble(&self, signature: &[u8]) -> Result<Vec<u8>> {
        self.0.assemble(signature)
    }
}

/// A CMC Full PKI Request ([RFC 5272 Section 3.2]): a `PKIData` with the
/// PKCS#10 request as `tcr` with bodyPartID 1, as `id-cct-PKIData` content
/// in a SignedData signed by a given certificate (e.g. the one being
/// renewed, or an enrollment agent's).
///
/// [RFC 5272 Section 3.2]: https://www.rfc-editor.org/rfc/rfc5272#section-3.2
#[derive(Debug, Clone)]
pub struct CmcRequestBuilder(SignedBuilder);

impl CmcRequestBuilder {
    /// The bodyPartID of the request.
    pub const BODY_PART_ID: u32 = 1;

    /// A builder for the DER PKCS#10 `csr_der` signed by `signer_cert`;
    /// errors as [`RenewalRequestBuilder::new`].
    pub fn new(csr_der: &[u8], signer_cert: Certificate) -> Result<Self> {
        let request = CertReq::from_der(csr_der).map_err(Error::der("CertificationRequest"))?;
        let content = PkiData::with_request(Self::BODY_PART_ID, &request)
            .and_then(|d| d.to_der())
            .map_err(Error::der("PKIData"))?;
        SignedBuilder::new(oid::CCT_PKI_DATA, content, signer_cert).map(Self)
    }

    /// The DER of the signed attributes `SET`: the bytes to sign with
    /// SHA-256.
    pub fn finalize(&self) -> Result<Vec<u8>> {
        self.0.finalize()
    }

    /// The DER `ContentInfo`; see [`RenewalRequestBuilder::assemble`].
    pub fn assemble(&self, signature: &[u8]) -> Result<Vec<u8>> {
        self.0.assemble(signature)
    }
}

#[derive(Debug, Clone)]
struct SignedBuilder {
    content_type: ObjectIdentifier,
    content: Vec<u8>,
    signer_cert: Certificate,
    signature_algorithm: AlgorithmIdentifierOwned,
    signed_attrs: SignedAttributes,
}

impl SignedBuilder {
    fn new(
        content_type: ObjectIdentifier,
        content: Vec<u8>,
        signer_cert: Certificate,
    ) -> Result<Self> {
        const NAME: &str = "SignedAttributes";
        let key_alg = signer_cert
            .tbs_certificate
            .subject_public_key_info
            .algorithm
            .oid;
        let signature_algorithm = if key_alg == oid::RSA_ENCRYPTION {
            AlgorithmIdentifierOwned {
                oid: oid::RSA_ENCRYPTION,
                parameters: Some(Any::null()),
            }
        } else if key_alg == oid::EC_PUBLIC_KEY {
            AlgorithmIdentifierOwned {
                oid: oid::ECDSA_WITH_SHA256,
                parameters: None,
            }
        } else {
            return Err(Error::UnsupportedAlgorithm(format!(
                "signer key algorithm {key_alg}"
            )));
        };
        let digest =
            OctetString::new(sha2::Sha256::digest(&content).to_vec()).map_err(Error::der(NAME))?;
        let attr = |oid, value: Any| -> Result<Attribute> {
            Ok(Attribute {
                oid,
                values: SetOfVec::try_from(vec![value]).map_err(Error::der(NAME))?,
            })
        };
        let signed_attrs = SetOfVec::try_from(vec![
            attr(
                CONTENT_TYPE,
                Any::encode_from(&content_type).map_err(Error::der(NAME))?,
            )?,
            attr(
                oid::MESSAGE_DIGEST,
                Any::encode_from(&digest).map_err(Error::der(NAME))?,
            )?,
        ])
        .map_err(Error::der(NAME))?;
        Ok(Self {
            content_type,
            content,
            signer_cert,
            signature_algorithm,
            signed_attrs,
        })
    }

    fn finalize(&self) -> Result<Vec<u8>> {
        self.signed_attrs
            .to_der()
            .map_err(Error::der("SignedAttributes"))
    }

    fn assemble(&self, signature: &[u8]) -> Result<Vec<u8>> {
        const NAME: &str = "SignedData";
        if signature.is_empty() {
            return Err(Error::BadSignature);
        }
        let tbs = &self.signer_cert.tbs_certificate;
        let digest_alg = AlgorithmIdentifierOwned {
            oid: oid::SHA256,
            parameters: None,
        };
        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: tbs.issuer.clone(),
                serial_number: tbs.serial_number.clone(),
            }),
            digest_alg: digest_alg.clone(),
            signed_attrs: Some(self.signed_attrs.clone()),
            signature_algorithm: self.signature_algorithm.clone(),
            signature: OctetString::new(signature).map_err(Error::der(NAME))?,
            unsigned_attrs: None,
        };
        // RFC 5652 Section 5.1: version 3 when eContentType is not id-data.
        let version = if self.content_type == oid::DATA {
            CmsVersion::V1
        } else {
            CmsVersion::V3
        };
        let econtent = OctetString::new(self.content.clone()).map_err(Error::der(NAME))?;
        let signed_data = SignedData {
            version,
            digest_algorithms: SetOfVec::try_from(vec![digest_alg]).map_err(Error::der(NAME))?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: self.content_type,
                econtent: Some(Any::encode_from(&econtent).map_err(Error::der(NAME))?),
            },
            certificates: Some(
                CertificateSet::try_from(vec![CertificateChoices::Certificate(
                    self.signer_cert.clone(),
                )])
                .map_err(Error::der(NAME))?,
            ),
            crls: None,
            signer_infos: SignerInfos(
                SetOfVec::try_from(vec![signer_info]).map_err(Error::der(NAME))?,
            ),
        };
        let ci = ContentInfo {
            content_type: oid::SIGNED_DATA,
            content: Any::encode_from(&signed_data).map_err(Error::der(NAME))?,
        };
        ci.to_der().map_err(Error::der("ContentInfo"))
    }
}
