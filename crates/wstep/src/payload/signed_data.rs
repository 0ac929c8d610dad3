//! PKCS#7 / CMS SignedData payloads, [RFC 5652 Section 5.1]: certificate
//! chains (certs-only), renewal requests ([MS-WSTEP] 4.1.5.1) and CMC
//! requests and responses.
//!
//! ```text
//! SignedData ::= SEQUENCE {
//!     version CMSVersion,
//!     digestAlgorithms DigestAlgorithmIdentifiers,
//!     encapContentInfo EncapsulatedContentInfo,
//!     certificates [0] IMPLICIT CertificateSet OPTIONAL,
//!     crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
//!     signerInfos SignerInfos }
//! ```
//!
//! [RFC 5652 Section 5.1]: https://www.rfc-editor.org/rfc/rfc5652#section-5.1
//! [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/

use cms::cert::CertificateChoices;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfos,
};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode, Tagged};
use x509_cert::Certificate;

use super::cmc::{PendInfo, PkiData, PkiResponse};
use super::csr::Csr;
use super::oid;
use crate::error::{Error, Result};

/// What a SignedData encapsulates.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InnerContent {
    /// No content (a certs-only chain).
    None,
    /// A PKCS#10 request (`id-data` content), as in a renewal.
    Pkcs10(Box<Csr>),
    /// A CMC request: the `PKIData` and the PKCS#10 requests of its `tcr`
    /// elements.
    Cmc {
        /// The `PKIData`.
        data: PkiData,
        /// Its PKCS#10 requests.
        requests: Vec<Csr>,
    },
    /// A CMC response (`id-cct-PKIResponse`).
    CmcResponse(PkiResponse),
    /// Other content: its type and bytes.
    Other {
        /// `eContentType`.
        content_type: ObjectIdentifier,
        /// The content octets.
        content: Vec<u8>,
    },
}

/// A decoded PKCS#7 `ContentInfo` holding a `SignedData`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignedPayload {
    /// The SignedData as RustCrypto reads it.
    pub signed_data: SignedData,
    /// The X.509 certificates of `certificates`, in order.
    pub certificates: Vec<Certificate>,
    /// The encapsulated content.
    pub content: InnerContent,
    /// The certificate (from `certificates`) of the first signer, when it
    /// is there: for a renewal, the certificate being renewed.
    pub signer: Option<Certificate>,
    /// The eContent octets, when there is content.
    econtent: Option<Vec<u8>>,
}

/// Decodes a DER `ContentInfo` with a `SignedData`; see [`SignedPayload`].
pub fn decode_signed_data(der: &[u8]) -> Result<SignedPayload> {
    SignedPayload::from_der(der)
}

impl SignedPayload {
    /// Decodes a DER `ContentInfo` with a `SignedData`. Bad DER is
    /// [`Error::Der`]; another content type is [`Error::UnexpectedContent`].
    /// The SignedData's own signature is not verified.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let ci = ContentInfo::from_der(der).map_err(Error::der("ContentInfo"))?;
        if ci.content_type != oid::SIGNED_DATA {
            return Err(Error::UnexpectedContent(format!(
                "ContentInfo of type {}, not SignedData",
                ci.content_type
            )));
        }
        let signed_data: SignedData = ci.content.decode_as().map_err(Error::der("SignedData"))?;
        let certificates: Vec<Certificate> = signed_data
            .certificates
            .iter()
            .flat_map(|set| set.0.iter())
            .filter_map(|c| match c {
                CertificateChoices::Certificate(cert) => Some(cert.clone()),
                CertificateChoices::Other(_) => None,
            })
            .collect();
        let content = inner_content(&signed_data.encap_content_info)?;
        let signer = signed_data
            .signer_infos
            .0
            .iter()
            .next()
            .and_then(|si| find_signer(&si.sid, &certificates));
        let econtent = match &signed_data.encap_content_info.econtent {
            Some(any) => Some(
                any.decode_as::<OctetString>()
                    .map_err(Error::der("eContent"))?
                    .into_bytes(),
            ),
            None => None,
        };
        Ok(Self {
            signed_data,
            certificates,
            content,
            signer,
            econtent,
        })
    }

    /// The `pendInfo` of a pending CMC response inside
    /// ([`PkiResponse::pend_info`]); `None` for other content or another
    /// status.
    pub fn pend_info(&self) -> Result<Option<PendInfo>> {
        match &self.content {
            InnerContent::CmcResponse(r) => r.pend_info().map_err(Error::der("CMCStatusInfo")),
            _ => Ok(None),
        }
    }

    /// The PKCS#10 request inside: the content itself or the first `tcr` of
    /// a CMC `PKIData`.
    pub fn request(&self) -> Option<&Csr> {
        match &self.content {
            InnerContent::Pkcs10(csr) => Some(csr),
            InnerContent::Cmc { requests, .. } => requests.first(),
            _ => None,
        }
    }
}

impl SignedPayload {
    #[cfg(feature = "verify")]
    /// Verifies the first signer's signature with [`SignedPayload::signer`]'s
    /// key: over the signed attributes (whose `messageDigest` must match
    /// the content) when present, else over the content octets (as the
    /// [MS-WSTEP] 4.1.5.1 renewal does). The certificate itself is not
    /// validated (chain, validity, revocation).
    ///
    /// No signer, or its certificate not among `certificates`, is
    /// [`Error::UnexpectedContent`]; a wrong signature or digest is
    /// [`Error::BadSignature`]; algorithms are as for
    /// [`Csr::verify_signature`].
    ///
    /// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
    pub fn verify_signer(&self) -> Result<()> {
        let si = self
            .signed_data
            .signer_infos
            .0
            .iter()
            .next()
            .ok_or_else(|| Error::UnexpectedContent("SignedData without a signer".into()))?;
        let cert = self.signer.as_ref().ok_or_else(|| {
            Error::UnexpectedContent("the signer's certificate is not in the SignedData".into())
        })?;
        let content = self.econtent.as_deref().unwrap_or_default();
        let digest_alg = si.digest_alg.oid;
        let message = match &si.signed_attrs {
            Some(attrs) => {
                let expected = super::signature::digest(digest_alg, content)?;
                let found = attrs
                    .iter()
                    .find(|a| a.oid == oid::MESSAGE_DIGEST)
                    .and_then(|a| a.values.iter().next())
                    .and_then(|v| v.decode_as::<OctetString>().ok())
                    .ok_or_else(|| {
                        Error::UnexpectedContent("signed attributes without messageDigest".into())
                    })?;
                if found.as_bytes() != expected.as_slice() {
                    return Err(Error::BadSignature);
                }
                attrs.to_der().map_err(Error::der("SignedAttributes"))?
            }
            None => content.to_vec(),
        };
        let algorithm = spki::AlgorithmIdentifierOwned {
            oid: super::signature::combine(si.signature_algorithm.oid, digest_alg),
            parameters: None,
        };
        super::signature::verify(
            &cert.tbs_certificate.subject_public_key_info,
            &algorithm,
            &message,
            si.signature.as_bytes(),
        )
    }
}

fn inner_content(eci: &EncapsulatedContentInfo) -> Result<InnerContent> {
    let Some(econtent) = &eci.econtent else {
        return Ok(InnerContent::None);
    };
    let octets: OctetString = econtent.decode_as().map_err(Error::der("eContent"))?;
    let bytes = octets.as_bytes();
    let ty = eci.econtent_type;
    if ty == oid::CCT_PKI_DATA {
        let data = PkiData::from_der(bytes).map_err(Error::der("PKIData"))?;
        let requests = data
            .certification_requests()
            .map_err(Error::der("TaggedCertificationRequest"))?
            .into_iter()
            .map(|(_, req)| Csr::from_cert_req(req))
            .collect::<Result<Vec<_>>>()?;
        Ok(InnerContent::Cmc { data, requests })
    } else if ty == oid::CCT_PKI_RESPONSE {
        Ok(InnerContent::CmcResponse(
            PkiResponse::from_der(bytes).map_err(Error::der("PKIResponse"))?,
        ))
    } else if ty == oid::DATA {
        match Csr::from_der(bytes) {
            Ok(csr) => Ok(InnerContent::Pkcs10(Box::new(csr))),
            Err(_) => Ok(InnerContent::Other {
                content_type: ty,
                content: bytes.to_vec(),
            }),
        }
    } else {
        Ok(InnerContent::Other {
            content_type: ty,
            content: bytes.to_vec(),
        })
    }
}

fn find_signer(sid: &SignerIdentifier, certs: &[Certificate]) -> Option<Certificate> {
    certs
        .iter()
        .find(|cert| {
            let tbs = &cert.tbs_certificate;
            match sid {
                SignerIdentifier::IssuerAndSerialNumber(isn) => {
                    tbs.issuer == isn.issuer && tbs.serial_number == isn.serial_number
                }
                SignerIdentifier::SubjectKeyIdentifier(ski) => tbs
                    .extensions
                    .iter()
                    .flatten()
                    .filter(|e| e.extn_id == oid::SUBJECT_KEY_IDENTIFIER)
                    .any(|e| {
                        OctetString::from_der(e.extn_value.as_bytes()).is_ok_and(|k| k == ski.0)
                    }),
            }
        })
        .cloned()
}

/// Builds a certs-only (degenerate) PKCS#7 `ContentInfo`: a SignedData with
/// no content, no signers and `certificates` (RFC 5652 Section 5.2, the
/// `.p7b` chain format).
pub fn build_certs_only(certificates: &[Certificate]) -> Result<Vec<u8>> {
    const NAME: &str = "SignedData";
    let choices: Vec<CertificateChoices> = certificates
        .iter()
        .cloned()
        .map(CertificateChoices::Certificate)
        .collect();
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::new(),
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: oid::DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet::try_from(choices).map_err(Error::der(NAME))?),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::new()),
    };
    let ci = ContentInfo {
        content_type: oid::SIGNED_DATA,
        content: Any::encode_from(&signed_data).map_err(Error::der(NAME))?,
    };
    ci.to_der().map_err(Error::der("ContentInfo"))
}

/// Builds the PKCS#7 `ContentInfo` of a CMC response, as AD CS returns in
/// the RSTRC's PKCS7 token ([MS-WSTEP] 4.1.1.2): a SignedData (version 3,
/// no signers) whose eContentType is `id-cct-PKIResponse` and whose content
/// is [`PkiResponse::success`] for `request_body_part_id`, with
/// `certificates` (the chain). Unlike AD CS's, the response is not signed.
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
pub fn build_cmc_response(
    request_body_part_id: u32,
    certificates: &[Certificate],
) -> Result<Vec<u8>> {
    let response = PkiResponse::success(request_body_part_id).map_err(Error::der("PKIResponse"))?;
    build_cmc_signed(&response, Some(certificates))
}

/// [`build_cmc_response`] for certificates the caller has as DER, the
/// way a CA has the certificate it just signed: the same bytes, assembled
/// around the given encodings without decoding or re-encoding them (a
/// server answering every enrollment saves decoding the certificate it
/// encoded a moment before, and encoding each certificate again to sort
/// the `SET OF`).
///
/// Each element of `certificates` must be one whole DER `SEQUENCE` (a
/// certificate's encoding; its contents are the caller's word), else
/// [`Error::Der`]; so is a certificate given twice, as for
/// [`build_cmc_response`] (a DER `SET OF` has no duplicates).
///
/// ```
/// # use wstep::payload::{build_cmc_response, build_cmc_response_der};
/// use der::Decode;
///
/// let der: &[u8] = include_bytes!("../../../../testdata/bench/leaf.der");
/// let certificate = x509_cert::Certificate::from_der(der).unwrap();
/// assert_eq!(
///     build_cmc_response_der(1, &[der]).unwrap(),
///     build_cmc_response(1, &[certificate]).unwrap(),
/// );
/// assert!(build_cmc_response_der(1, &[b"not DER"]).is_err());
/// ```
pub fn build_cmc_response_der(
    request_body_part_id: u32,
    certificates: &[&[u8]],
) -> Result<Vec<u8>> {
    const NAME: &str = "SignedData";
    const VERSION_3: &[u8] = &[0x02, 0x01, 0x03];
    const EMPTY_SET: &[u8] = &[0x31, 0x00];
    for c in certificates {
        der::asn1::AnyRef::from_der(c)
            .and_then(|any| any.tag().assert_eq(der::Tag::Sequence))
            .map_err(Error::der("Certificate"))?;
    }
    // DER orders a SET OF by the encodings compared as octet strings
    // (X.690 11.6); no whole encoding is a prefix of another.
    let mut sorted = certificates.to_vec();
    sorted.sort_unstable();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err(Error::der(NAME)(der::ErrorKind::SetDuplicate.into()));
    }
    let response = PkiResponse::success(request_body_part_id)
        .and_then(|r| r.to_der())
        .map_err(Error::der("PKIResponse"))?;
    let econtent_type = oid::CCT_PKI_RESPONSE
        .to_der()
        .map_err(Error::der("eContent"))?;
    let content_type = oid::SIGNED_DATA.to_der().map_err(Error::der(NAME))?;

    // EncapsulatedContentInfo: eContentType, [0] EXPLICIT OCTET STRING.
    let octets = tlv(0x04, &[&response])?;
    let econtent = tlv(0xA0, &[&octets])?;
    let encap = tlv(0x30, &[&econtent_type, &econtent])?;
    // certificates [0] IMPLICIT CertificateSet.
    let certs = tlv(0xA0, &sorted)?;
    // version 3, digestAlgorithms and signerInfos empty.
    let signed_data = tlv(0x30, &[VERSION_3, EMPTY_SET, &encap, &certs, EMPTY_SET])?;
    let explicit = tlv(0xA0, &[&signed_data])?;
    tlv(0x30, &[&content_type, &explicit])
}

/// The DER encoding of a tag (one octet: every tag used here has a number
/// below 31) and a definite length, then `parts` end to end.
fn tlv(tag: u8, parts: &[&[u8]]) -> Result<Vec<u8>> {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let length = der::Length::try_from(len).map_err(Error::der("SignedData"))?;
    let mut out = Vec::with_capacity(len + 6);
    out.push(tag);
    length
        .encode_to_vec(&mut out)
        .map_err(Error::der("SignedData"))?;
    for p in parts {
        out.extend_from_slice(p);
    }
    Ok(out)
}

/// Builds the PKCS#7 `ContentInfo` of a pending CMC response, the token
/// AD CS puts in the RSTR of a request it holds: a SignedData as
/// [`build_cmc_response`]'s, with no certificates, whose content is
/// [`PkiResponse::pending`] for `request_body_part_id` with `pend_info`
/// (see [`PendInfo::for_request_id`]). Read it back with
/// [`SignedPayload::from_der`] and [`PkiResponse::pend_info`].
pub fn build_cmc_pending_response(
    request_body_part_id: u32,
    pend_info: &PendInfo,
) -> Result<Vec<u8>> {
    let response =
        PkiResponse::pending(request_body_part_id, pend_info).map_err(Error::der("PKIResponse"))?;
    build_cmc_signed(&response, None)
}

fn build_cmc_signed(
    response: &PkiResponse,
    certificates: Option<&[Certificate]>,
) -> Result<Vec<u8>> {
    const NAME: &str = "SignedData";
    let response = response.to_der().map_err(Error::der("PKIResponse"))?;
    let econtent = OctetString::new(response).map_err(Error::der("eContent"))?;
    let certificates = certificates
        .map(|certificates| {
            let choices: Vec<CertificateChoices> = certificates
                .iter()
                .cloned()
                .map(CertificateChoices::Certificate)
                .collect();
            CertificateSet::try_from(choices).map_err(Error::der(NAME))
        })
        .transpose()?;
    let signed_data = SignedData {
        version: CmsVersion::V3,
        digest_algorithms: SetOfVec::new(),
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: oid::CCT_PKI_RESPONSE,
            econtent: Some(Any::encode_from(&econtent).map_err(Error::der("eContent"))?),
        },
        certificates,
        crls: None,
        signer_infos: SignerInfos(SetOfVec::new()),
    };
    let ci = ContentInfo {
        content_type: oid::SIGNED_DATA,
        content: Any::encode_from(&signed_data).map_err(Error::der(NAME))?,
    };
    ci.to_der().map_err(Error::der("ContentInfo"))
}
