//! The Microsoft certificate template extensions, read from a request's
//! `extensionRequest` or from an issued certificate.

use der::asn1::ObjectIdentifier;
use der::{Decode, Sequence, Tag, Tagged};
use x509_cert::ext::Extension;

use super::name::bmp_to_string;
use super::oid;
use crate::error::{Error, Result};

/// The template-information extension (`szOID_CERTIFICATE_TEMPLATE`,
/// 1.3.6.1.4.1.311.21.7), defined in [MS-WCCE] 2.2.2.7.7.2.
///
/// ```text
/// CertificateTemplateOID ::= SEQUENCE {
///     templateID              OBJECT IDENTIFIER,
///     templateMajorVersion    INTEGER (0..4294967295) OPTIONAL,
///     templateMinorVersion    INTEGER (0..4294967295) OPTIONAL
/// }
/// ```
///
/// [MS-WCCE]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wcce/
#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
pub struct TemplateInfo {
    /// The template's OID.
    pub template_id: ObjectIdentifier,
    /// The major version.
    #[asn1(optional = "true")]
    pub major_version: Option<u32>,
    /// The minor version.
    #[asn1(optional = "true")]
    pub minor_version: Option<u32>,
}

/// The certificate template a request asks for or a certificate was issued
/// from: the template-name extension (1.3.6.1.4.1.311.20.2, a BMPString,
/// [MS-WCCE] 2.2.2.7.7.1) and/or the template-information extension
/// ([`TemplateInfo`]).
///
/// [MS-WCCE]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wcce/
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertificateTemplate {
    /// The template name, e.g. `User`.
    pub name: Option<String>,
    /// The template OID and version.
    pub info: Option<TemplateInfo>,
}

impl CertificateTemplate {
    /// The template named by `extensions`; `None` when neither extension
    /// is present. A malformed template extension is an [`Error::Der`].
    pub fn from_extensions(extensions: &[Extension]) -> Result<Option<Self>> {
        let mut template = Self::default();
        for ext in extensions {
            if ext.extn_id == oid::TEMPLATE_NAME {
                let any = der::Any::from_der(ext.extn_value.as_bytes())
                    .map_err(Error::der("CertificateTemplateName"))?;
                let name = match any.tag() {
                    Tag::BmpString => bmp_to_string(any.value()),
                    Tag::Utf8String | Tag::PrintableString | Tag::Ia5String => {
                        std::str::from_utf8(any.value()).ok().map(str::to_owned)
                    }
                    _ => None,
                };
                template.name = Some(name.ok_or_else(|| {
                    Error::UnexpectedContent(format!(
                        "template name is a {} that cannot be read",
                        any.tag()
                    ))
                })?);
            } else if ext.extn_id == oid::TEMPLATE_INFO {
                template.info = Some(
                    TemplateInfo::from_der(ext.extn_value.as_bytes())
                        .map_err(Error::der("CertificateTemplateOID"))?,
                );
            }
        }
        Ok((template.name.is_some() || template.info.is_some()).then_some(template))
    }
}
