//! The DER payloads that `wsse:BinarySecurityToken`s carry, as RustCrypto
//! (`der` 0.7, `x509-cert` 0.2, `cms` 0.2) types: PKCS#10 requests
//! ([`Csr`]), PKCS#7/CMS SignedData ([`SignedPayload`]: chains, renewal
//! requests, CMC), CMC `PKIData` ([`cmc::PkiData`]) and certificates
//! ([`IssuedCertificate`]).
//!
//! [`decode_token`] chooses by content, not by the declared `ValueType`,
//! since the declared kind can be wrong (the [MS-WSTEP] 4.1.1.1 token
//! labelled PKCS7 is a PKCS#10).
//!
//! [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/

pub mod builder;
pub mod certificate;
pub mod cmc;
pub mod csr;
mod name;
pub mod oid;
pub mod signature;
pub mod signed_data;
pub mod template;

use der::Decode;
use soap_envelope::BinarySecurityToken;

pub use builder::{CmcRequestBuilder, RenewalRequestBuilder};
pub use certificate::{IssuedCertificate, decode_certificate};
pub use cmc::{PendInfo, PkiData, PkiResponse, decode_pki_data};
pub use csr::{Csr, decode_csr};
pub use signature::KeyInfo;
pub use signed_data::{
    InnerContent, SignedPayload, build_certs_only, build_cmc_pending_response, build_cmc_response,
    build_cmc_response_der, decode_signed_data,
};
pub use template::{CertificateTemplate, TemplateInfo};

use crate::error::{Error, Result};
use crate::token::{BinarySecurityTokenExt, ValueKind};

/// What a `BinarySecurityToken` carries, recognised by content.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenContent {
    /// A PKCS#10 request.
    Pkcs10(Box<Csr>),
    /// A PKCS#7 `ContentInfo` with a `SignedData` (chain, renewal, CMC).
    Pkcs7(Box<SignedPayload>),
    /// A bare CMC `PKIData`.
    Cmc(Box<PkiData>),
    /// An X.509 certificate.
    X509v3(Box<IssuedCertificate>),
}

impl TokenContent {
    /// The kind of content actually found.
    pub fn kind(&self) -> ValueKind {
        match self {
            Self::Pkcs10(_) => ValueKind::Pkcs10,
            Self::Pkcs7(_) => ValueKind::Pkcs7,
            Self::Cmc(_) => ValueKind::Cmc,
            Self::X509v3(_) => ValueKind::X509v3,
        }
    }

    /// Recognises `der`: a SignedData `ContentInfo`, then a PKCS#10, then a
    /// certificate, then a bare `PKIData`. When none fits, the error is
    /// the one for the `declared` kind (PKCS#7 when unknown): an
    /// [`Error::Der`] with der's position, or an [`Error::UnexpectedContent`].
    pub fn from_der(der: &[u8], declared: Option<ValueKind>) -> Result<Self> {
        let p7 = SignedPayload::from_der(der);
        if let Ok(p) = p7 {
            return Ok(Self::Pkcs7(Box::new(p)));
        }
        let p10 = Csr::from_der(der);
        if let Ok(c) = p10 {
            return Ok(Self::Pkcs10(Box::new(c)));
        }
        let x509 = decode_certificate(der);
        if let Ok(c) = x509 {
            return Ok(Self::X509v3(Box::new(c)));
        }
        let cmc = PkiData::from_der(der).map_err(Error::der("PKIData"));
        if let Ok(d) = cmc {
            return Ok(Self::Cmc(Box::new(d)));
        }
        Err(match declared {
            Some(ValueKind::Pkcs10) => p10.err(),
            Some(ValueKind::X509v3) => x509.err(),
            Some(ValueKind::Cmc) => cmc.err(),
            _ => p7.err(),
        }
        .unwrap_or(Error::UnexpectedContent("unrecognised payload".into())))
    }
}

/// Decodes the token's base64 (a failure is [`Error::Base64`]) and
/// recognises the DER by content; see [`TokenContent::from_der`]. A
/// provisioning document is [`Error::UnexpectedContent`].
pub fn decode_token(token: &BinarySecurityToken) -> Result<TokenContent> {
    let declared = token.value_kind();
    if declared == Some(ValueKind::ProvisioningDoc) {
        return Err(Error::UnexpectedContent(
            "a provisioning document is XML, not DER".into(),
        ));
    }
    let bytes = token.decode_bytes()?;
    TokenContent::from_der(&bytes, declared)
}
