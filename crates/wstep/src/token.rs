//! What a `wsse:BinarySecurityToken` carries: [`ValueKind`], read from its
//! `ValueType` in either spelling, and the tokens this crate writes.
//!
//! The token itself is [`soap_envelope::BinarySecurityToken`]; its
//! `ValueType` and `EncodingType` are kept exactly as read and its base64
//! text is kept as text (`decode` ignores line breaks and the `&#xD;` that
//! Windows writes).

use soap_envelope::{AnyElement, BinarySecurityToken, Limits};

use crate::actions::{
    VALUE_TYPE_CMC, VALUE_TYPE_CMC_WSS, VALUE_TYPE_PKCS7, VALUE_TYPE_PKCS7_WSS, VALUE_TYPE_PKCS10,
    VALUE_TYPE_PKCS10_WSS, VALUE_TYPE_PROVISIONING_DOC, VALUE_TYPE_X509V3,
};
use crate::error::{Error, Result};

/// The kind of content a `BinarySecurityToken` declares in its `ValueType`,
/// [MS-WSTEP] 3.1.4.1.3.1.
///
/// Both the enrollment-namespace spelling
/// (`http://schemas.microsoft.com/windows/pki/2009/01/enrollment#PKCS10`,
/// which MS-WSTEP §3 and MS-MDE2 use) and the WS-Security secext spelling
/// (`...oasis-200401-wss-wssecurity-secext-1.0.xsd#PKCS7`, which the MS-WSTEP
/// §4 examples use) are recognised. Note that the declared kind can be
/// wrong: the [MS-WSTEP] 4.1.1.1 token labelled PKCS7 is a PKCS#10 (see
/// `testdata/spec/README.md`).
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueKind {
    /// A PKCS#10 certificate request.
    Pkcs10,
    /// A PKCS#7 (CMS) request or certificate chain.
    Pkcs7,
    /// A CMC request.
    Cmc,
    /// An X.509 v3 certificate.
    X509v3,
    /// An MS-MDE2 provisioning document.
    ProvisioningDoc,
}

impl ValueKind {
    /// Recognises a `ValueType` URI (surrounding whitespace ignored).
    pub fn from_value_type(value_type: &str) -> Option<Self> {
        match value_type.trim() {
            VALUE_TYPE_PKCS10 | VALUE_TYPE_PKCS10_WSS => Some(Self::Pkcs10),
            VALUE_TYPE_PKCS7 | VALUE_TYPE_PKCS7_WSS => Some(Self::Pkcs7),
            VALUE_TYPE_CMC | VALUE_TYPE_CMC_WSS => Some(Self::Cmc),
            VALUE_TYPE_X509V3 => Some(Self::X509v3),
            VALUE_TYPE_PROVISIONING_DOC => Some(Self::ProvisioningDoc),
            // MDM servers spell the provisioning document's type in more
            // ways than MS-MDE2 4.3.2 (without the `5.0.0.0` segment, in
            // another case, `...ProvisioningDoc`): any `...Enrollment/
            // DeviceEnrollmentProvision...Doc` is one.
            other if is_provisioning_doc_type(other) => Some(Self::ProvisioningDoc),
            _ => None,
        }
    }

    /// The `ValueType` this crate writes: the enrollment-namespace spelling
    /// of [MS-WSTEP] 3.1.4.1.3.1 for requests, the X.509 token profile URI
    /// for certificates.
    ///
    /// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
    pub fn value_type(self) -> &'static str {
        match self {
            Self::Pkcs10 => VALUE_TYPE_PKCS10,
            Self::Pkcs7 => VALUE_TYPE_PKCS7,
            Self::Cmc => VALUE_TYPE_CMC,
            Self::X509v3 => VALUE_TYPE_X509V3,
            Self::ProvisioningDoc => VALUE_TYPE_PROVISIONING_DOC,
        }
    }

    /// A new token of this kind carrying `der`: base64 without line breaks,
    /// with the `EncodingType` spelling that Windows clients and the
    /// MS-WSTEP / MS-MDE2 examples send (`...secext-1.0.xsd#base64binary`).
    ///
    /// ```
    /// use wstep::{BinarySecurityTokenExt, ValueKind};
    ///
    /// let t = ValueKind::Pkcs10.token(&[0x30, 0x00]);
    /// assert_eq!(t.value, "MAA=");
    /// assert!(t.encoding_type.as_deref().unwrap().ends_with("secext-1.0.xsd#base64binary"));
    /// assert_eq!(t.value_kind(), Some(ValueKind::Pkcs10));
    /// assert_eq!(t.decode_bytes().unwrap(), [0x30, 0x00]);
    /// ```
    pub fn token(self, der: &[u8]) -> BinarySecurityToken {
        let mut token = BinarySecurityToken::new(self.value_type(), der);
        token.encoding_type = Some(soap_envelope::security::ENCODING_BASE64_SECEXT.to_owned());
        token
    }
}

/// MS-WSTEP helpers on [`BinarySecurityToken`].
pub trait BinarySecurityTokenExt {
    /// The declared kind, from `ValueType` in either spelling; `None` when
    /// absent or unknown.
    fn value_kind(&self) -> Option<ValueKind>;

    /// The decoded bytes; line breaks, spaces and carriage returns (`&#xD;`)
    /// in the text are ignored. Not base64 is [`Error::Base64`]; an
    /// `EncodingType` that is not one of base64's spellings (any URI
    /// containing `base64`, in any case, is taken for one; an absent one
    /// means base64) is [`Error::UnsupportedEncoding`].
    fn decode_bytes(&self) -> Result<Vec<u8>>;

    /// The MS-MDE2 provisioning document (a `wap-provisioningdoc`, [MS-MDE2]
    /// 3.2.4.2 / 4.3.2) a [`ValueKind::ProvisioningDoc`] token carries:
    /// the base64 decoded ([`Error::Base64`]) and read as one XML element
    /// with the default [`soap_envelope::Limits`] (bad or hostile XML is
    /// [`Error::Xml`]). A token declaring a DER kind (PKCS#10, PKCS#7, CMC,
    /// X.509) is [`Error::UnexpectedContent`]; no or an unknown
    /// `ValueType` is read as a document.
    ///
    /// [MS-MDE2]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-mde2/
    fn decode_provisioning_doc(&self) -> Result<AnyElement>;
}

/// Whether `value_type` names a provisioning document in a spelling other
/// than [`VALUE_TYPE_PROVISIONING_DOC`]'s.
fn is_provisioning_doc_type(value_type: &str) -> bool {
    let v = value_type.to_ascii_lowercase();
    let last = v.rsplit(['/', '#']).next().unwrap_or("");
    last.starts_with("deviceenrollmentprovision") && last.ends_with("doc")
}

impl BinarySecurityTokenExt for BinarySecurityToken {
    fn value_kind(&self) -> Option<ValueKind> {
        self.value_type
            .as_deref()
            .and_then(ValueKind::from_value_type)
    }

    fn decode_bytes(&self) -> Result<Vec<u8>> {
        if let Some(encoding) = &self.encoding_type
            && !encoding.to_ascii_lowercase().contains("base64")
        {
            return Err(Error::UnsupportedEncoding(encoding.clone()));
        }
        self.decode().map_err(Error::Base64)
    }

    fn decode_provisioning_doc(&self) -> Result<AnyElement> {
        match self.value_kind() {
            None | Some(ValueKind::ProvisioningDoc) => {}
            Some(kind) => {
                return Err(Error::UnexpectedContent(format!(
                    "a {kind:?} token is DER, not a provisioning document"
                )));
            }
        }
        let bytes = self.decode_bytes()?;
        Ok(soap_envelope::read_document::<AnyElement>(
            &bytes,
            &Limits::default(),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provisioning_document_spellings() {
        for v in [
            VALUE_TYPE_PROVISIONING_DOC,
            "http://schemas.microsoft.com/ConfigurationManager/Enrollment/DeviceEnrollmentProvisionDoc",
            "HTTP://SCHEMAS.MICROSOFT.COM/5.0.0.0/CONFIGURATIONMANAGER/ENROLLMENT/DEVICEENROLLMENTPROVISIONDOC",
            "http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentProvisioningDoc",
        ] {
            assert_eq!(
                ValueKind::from_value_type(v),
                Some(ValueKind::ProvisioningDoc),
                "{v}"
            );
        }
        assert_eq!(
            ValueKind::from_value_type(
                "http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentUserToken"
            ),
            None
        );
    }

    #[test]
    fn both_spellings_and_line_breaks() {
        let mut t = BinarySecurityToken::new(VALUE_TYPE_PKCS7_WSS, b"hello world");
        assert_eq!(t.value_kind(), Some(ValueKind::Pkcs7));
        t.value = "aGVs\r\nbG8g\r\nd29y bGQ=".to_owned();
        assert_eq!(t.decode_bytes().unwrap(), b"hello world");
        t.value_type = Some("urn:other".into());
        assert_eq!(t.value_kind(), None);
        t.value = "not base64!".into();
        assert!(matches!(t.decode_bytes(), Err(Error::Base64(_))));
    }
}
