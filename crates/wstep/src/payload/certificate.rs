//! Issued X.509 certificates, [RFC 5280] Section 4.1.
//!
//! [RFC 5280]: https://www.rfc-editor.org/rfc/rfc5280

use std::fmt::Write;

use der::{DateTime, Decode};
use x509_cert::Certificate;

use super::name;
use super::template::CertificateTemplate;
use crate::error::{Error, Result};

/// A certificate with the fields an enrollment client shows.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IssuedCertificate {
    /// The certificate as RustCrypto reads it.
    pub certificate: Certificate,
    /// The subject, RFC 4514.
    pub subject: String,
    /// The issuer, RFC 4514.
    pub issuer: String,
    /// The serial number as upper-case hex of its DER content bytes.
    pub serial: String,
    /// Start of validity.
    pub not_before: DateTime,
    /// End of validity.
    pub not_after: DateTime,
    /// The Microsoft template extensions, when present.
    pub template: Option<CertificateTemplate>,
}

/// Decodes a DER X.509 certificate; see [`IssuedCertificate`].
pub fn decode_certificate(der: &[u8]) -> Result<IssuedCertificate> {
    let cert = Certificate::from_der(der).map_err(Error::der("Certificate"))?;
    IssuedCertificate::new(cert)
}

impl IssuedCertificate {
    /// Summarises `certificate`. A malformed template extension is an error.
    pub fn new(certificate: Certificate) -> Result<Self> {
        let tbs = &certificate.tbs_certificate;
        let mut serial = String::new();
        for b in tbs.serial_number.as_bytes() {
            let _ = write!(serial, "{b:02X}");
        }
        let template = match &tbs.extensions {
            Some(exts) => CertificateTemplate::from_extensions(exts)?,
            None => None,
        };
        Ok(Self {
            subject: name::render(&tbs.subject).text,
            issuer: name::render(&tbs.issuer).text,
            serial,
            not_before: tbs.validity.not_before.to_date_time(),
            not_after: tbs.validity.not_after.to_date_time(),
            template,
            certificate,
        })
    }
}
