//! `xs:base64Binary` content kept as text.

use std::fmt;

use soap_envelope::xsd::{Base64Binary, XsdType};

/// An `xs:base64Binary` value kept as its base64 text, decoded on demand:
/// a CA's `certificate` ([MS-XCEP] 3.1.4.1.3.2) and an extension's `value`
/// ([MS-XCEP] 3.1.4.1.3.12).
///
/// Whitespace (line breaks every 64 or 76 columns, the `&#xD;` AD CS
/// writes) is removed on reading; nothing else is checked, so that a
/// damaged or elided value (the [MS-XCEP] 4.1.1.2 example shortens both
/// with `…`) does not stop a whole response from being read. Call
/// [`decode`](Self::decode) for the bytes.
///
/// ```
/// use xcep::Base64Text;
///
/// let v = Base64Text::new("AwIF\r\noA==\n");
/// assert_eq!(v.as_str(), "AwIFoA==");
/// assert_eq!(v.decode().unwrap(), [0x03, 0x02, 0x05, 0xA0]);
/// assert_eq!(Base64Text::from_bytes(&[0x03, 0x02, 0x05, 0xA0]), v);
/// assert!(Base64Text::new("MCAGCCsGAQUFBwMCB…YBBAGCNwoDBA==").decode().is_err());
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Base64Text(String);

impl Base64Text {
    /// The value of base64 `text`, with all XML whitespace removed.
    pub fn new(text: &str) -> Self {
        Self(
            text.chars()
                .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
                .collect(),
        )
    }

    /// The standard base64 (with padding) of `bytes`.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(Base64Binary(bytes.to_vec()).to_xsd().into_owned())
    }

    /// The base64 text, without whitespace.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The decoded bytes (missing padding is tolerated); the error says why
    /// the text is not base64.
    pub fn decode(&self) -> Result<Vec<u8>, String> {
        Base64Binary::parse_xsd(&self.0).map(|b| b.0)
    }
}

impl fmt::Display for Base64Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&[u8]> for Base64Text {
    fn from(bytes: &[u8]) -> Self {
        Self::from_bytes(bytes)
    }
}
