//! PKCS#10 certificate requests, [RFC 2986] Section 4.
//!
//! ```text
//! CertificationRequest ::= SEQUENCE {
//!     certificationRequestInfo CertificationRequestInfo,
//!     signatureAlgorithm AlgorithmIdentifier{{ SignatureAlgorithms }},
//!     signature          BIT STRING
//! }
//! ```
//!
//! [RFC 2986]: https://www.rfc-editor.org/rfc/rfc2986

use der::{AnyRef, Decode, Encode, Reader, SliceReader};
use x509_cert::ext::Extension;
use x509_cert::request::CertReq;

use super::signature::KeyInfo;
use super::template::CertificateTemplate;
use super::{name, oid};
use crate::error::{Error, Result};

/// A decoded PKCS#10 request with what an enrollment server looks at.
///
/// # Leniency
///
/// Windows MDM clients put characters that a PrintableString may not hold
/// (`!`, NUL) into the subject's common name. `x509-cert` keeps attribute
/// values as raw `Any`, so such a request still decodes; but der's strict
/// `PrintableString` rejects the value. [`Csr::subject`] then renders the
/// value from its bytes (control characters as `\XX`, RFC 4514) and
/// [`Csr::lenient_subject`] is `true`. The signature is over the bytes as
/// sent, so it still verifies.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Csr {
    /// The request as RustCrypto reads it.
    pub request: CertReq,
    /// The subject as an RFC 4514 string (empty for an empty subject).
    pub subject: String,
    /// Whether a subject value was not valid for its string type and was
    /// rendered leniently (see [Leniency](#leniency)).
    pub lenient_subject: bool,
    /// The public key's algorithm and size.
    pub key: KeyInfo,
    /// The extensions of the `extensionRequest` attribute (PKCS#9 or its
    /// Microsoft alias 1.3.6.1.4.1.311.2.1.14).
    pub extensions: Vec<Extension>,
    /// The certificate template requested through the Microsoft
    /// template-name or template-information extension.
    pub template: Option<CertificateTemplate>,
    /// The DER of `certificationRequestInfo` as received: what was signed.
    info_der: Vec<u8>,
}

/// Decodes a DER PKCS#10 request; see [`Csr`].
pub fn decode_csr(der: &[u8]) -> Result<Csr> {
    Csr::from_der(der)
}

impl Csr {
    /// Decodes a DER PKCS#10 request. Bad DER (including trailing bytes) is
    /// [`Error::Der`] with der's position.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        const NAME: &str = "CertificationRequest";
        let request = CertReq::from_der(der).map_err(Error::der(NAME))?;
        let info_der = signed_part(der).map_err(Error::der(NAME))?;
        Self::with_info(request, info_der)
    }

    /// Reads `request` (already decoded, e.g. from a CMC `PKIData`).
    pub fn from_cert_req(request: CertReq) -> Result<Self> {
        let info_der = request
            .info
            .to_der()
            .map_err(Error::der("CertificationRequestInfo"))?;
        Self::with_info(request, info_der)
    }

    fn with_info(request: CertReq, info_der: Vec<u8>) -> Result<Self> {
        let rendered = name::render(&request.info.subject);
        let key = KeyInfo::from_spki(&request.info.public_key)?;
        let mut extensions = Vec::new();
        for attr in request.info.attributes.iter() {
            if attr.oid == oid::EXTENSION_REQUEST || attr.oid == oid::MS_EXTENSION_REQUEST {
                for value in attr.values.iter() {
                    let exts: Vec<Extension> =
                        value.decode_as().map_err(Error::der("ExtensionRequest"))?;
                    extensions.extend(exts);
                }
            }
        }
        let template = CertificateTemplate::from_extensions(&extensions)?;
        Ok(Self {
            request,
            subject: rendered.text,
            lenient_subject: rendered.lenient,
            key,
            extensions,
            template,
            info_der,
        })
    }

    /// The public key size in bits (RSA modulus, EC field size).
    pub fn key_bits(&self) -> Option<usize> {
        self.key.bits()
    }

    #[cfg(feature = "verify")]
    /// Verifies the request's self-signature (proof of possession).
    ///
    /// The algorithms are [`signature::verify`](super::signature::verify)'s: RSA PKCS#1 v1.5 with
    /// SHA-1 (also under the OIW OID `1.3.14.3.2.29` of Windows MDM
    /// clients), SHA-224/256/384/512, RSASSA-PSS, and ECDSA on P-256/P-384.
    /// MD5 and MD2 are [`Error::InsecureAlgorithm`]; any other algorithm is
    /// [`Error::UnsupportedAlgorithm`]. A wrong signature is
    /// [`Error::BadSignature`].
    pub fn verify_signature(&self) -> Result<()> {
        let sig = self
            .request
            .signature
            .as_bytes()
            .ok_or(Error::BadSignature)?;
        super::signature::verify(
            &self.request.info.public_key,
            &self.request.algorithm,
            &self.info_der,
            sig,
        )
    }
}

/// The DER of the first element of the SEQUENCE `der`: the signed part of a
/// signed structure, as received.
pub(crate) fn signed_part(der: &[u8]) -> der::Result<Vec<u8>> {
    let outer = AnyRef::from_der(der)?;
    let mut reader = SliceReader::new(outer.value())?;
    let first: AnyRef<'_> = reader.decode()?;
    first.to_der()
}
