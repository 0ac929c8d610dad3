//! The SOAP 1.2 Fault ([SOAP 1.2 Part 1] 5.4).
//!
//! [SOAP 1.2 Part 1]: https://www.w3.org/TR/soap12-part1/#soapfault

use std::fmt;
use std::str::FromStr;

use crate::any::{AnyAttribute, AnyElement};
use crate::error::{ErrorKind, Result};
use crate::name::{OwnedQName, QName};
use crate::ns;
use crate::reader::{Start, XmlReader};
use crate::traits::ToXml;
use crate::writer::XmlWriter;
use crate::xsd::collapse;

pub(crate) const FAULT: QName = QName::new(ns::SOAP12, "Fault");
const CODE: QName = QName::new(ns::SOAP12, "Code");
const VALUE: QName = QName::new(ns::SOAP12, "Value");
const SUBCODE: QName = QName::new(ns::SOAP12, "Subcode");
const REASON: QName = QName::new(ns::SOAP12, "Reason");
const TEXT: QName = QName::new(ns::SOAP12, "Text");
const NODE: QName = QName::new(ns::SOAP12, "Node");
const ROLE: QName = QName::new(ns::SOAP12, "Role");
const DETAIL: QName = QName::new(ns::SOAP12, "Detail");
const XML_LANG: QName = QName::new(ns::XML, "lang");

/// Well-known fault subcodes: WS-Addressing 1.0 ([WS-Addressing SOAP
/// Binding] 6.4) and WS-Security 1.0 ([WSS 1.0] 12). AD CS answers a
/// wrong `To` with `DestinationUnreachable` and a wrong `Action` with
/// `ActionNotSupported`; a bad UsernameToken with `FailedAuthentication`.
///
/// [WS-Addressing SOAP Binding]: https://www.w3.org/TR/ws-addr-soap/#faults
/// [WSS 1.0]: https://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0.pdf
pub mod subcode {
    use crate::name::QName;
    use crate::ns;

    /// `wsa:InvalidAddressingHeader`.
    pub const INVALID_ADDRESSING_HEADER: QName = QName::new(ns::WSA, "InvalidAddressingHeader");
    /// `wsa:MessageAddressingHeaderRequired`.
    pub const MESSAGE_ADDRESSING_HEADER_REQUIRED: QName =
        QName::new(ns::WSA, "MessageAddressingHeaderRequired");
    /// `wsa:DestinationUnreachable`.
    pub const DESTINATION_UNREACHABLE: QName = QName::new(ns::WSA, "DestinationUnreachable");
    /// `wsa:ActionNotSupported`.
    pub const ACTION_NOT_SUPPORTED: QName = QName::new(ns::WSA, "ActionNotSupported");
    /// `wsa:EndpointUnavailable`.
    pub const ENDPOINT_UNAVAILABLE: QName = QName::new(ns::WSA, "EndpointUnavailable");
    /// `wsse:UnsupportedSecurityToken`.
    pub const UNSUPPORTED_SECURITY_TOKEN: QName = QName::new(ns::WSSE, "UnsupportedSecurityToken");
    /// `wsse:InvalidSecurity`.
    pub const INVALID_SECURITY: QName = QName::new(ns::WSSE, "InvalidSecurity");
    /// `wsse:InvalidSecurityToken`.
    pub const INVALID_SECURITY_TOKEN: QName = QName::new(ns::WSSE, "InvalidSecurityToken");
    /// `wsse:FailedAuthentication`.
    pub const FAILED_AUTHENTICATION: QName = QName::new(ns::WSSE, "FailedAuthentication");
    /// `wsse:MessageExpired`.
    pub const MESSAGE_EXPIRED: QName = QName::new(ns::WSSE, "MessageExpired");
}

/// The five fault codes of SOAP 1.2 ([SOAP 1.2 Part 1] 5.4.6).
///
/// [SOAP 1.2 Part 1]: https://www.w3.org/TR/soap12-part1/#faultcodes
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultCodeValue {
    /// The envelope's namespace was not SOAP 1.2.
    VersionMismatch,
    /// A `mustUnderstand` header block was not understood.
    MustUnderstand,
    /// A header or body used an unsupported data encoding.
    DataEncodingUnknown,
    /// The message was wrong (the client's fault).
    Sender,
    /// The server could not process a correct message.
    Receiver,
}

impl FaultCodeValue {
    /// The local name (`Sender`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VersionMismatch => "VersionMismatch",
            Self::MustUnderstand => "MustUnderstand",
            Self::DataEncodingUnknown => "DataEncodingUnknown",
            Self::Sender => "Sender",
            Self::Receiver => "Receiver",
        }
    }
}

impl fmt::Display for FaultCodeValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FaultCodeValue {
    type Err = ErrorKind;
    /// Parses the local name.
    fn from_str(s: &str) -> std::result::Result<Self, ErrorKind> {
        Ok(match s {
            "VersionMismatch" => Self::VersionMismatch,
            "MustUnderstand" => Self::MustUnderstand,
            "DataEncodingUnknown" => Self::DataEncodingUnknown,
            "Sender" => Self::Sender,
            "Receiver" => Self::Receiver,
            _ => {
                return Err(ErrorKind::bad_value(
                    "env:faultCodeEnum",
                    s,
                    "not one of the SOAP 1.2 fault codes",
                ));
            }
        })
    }
}

/// `Code`: the fault code and its nested subcodes, outermost first.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FaultCode {
    /// `Code/Value`.
    pub value: FaultCodeValue,
    /// `Subcode/Value`, `Subcode/Subcode/Value`, ... as expanded names.
    pub subcodes: Vec<OwnedQName>,
}

/// One `Reason/Text` with its language.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReasonText {
    /// `xml:lang`.
    pub lang: String,
    /// The text.
    pub text: String,
}

impl FaultCode {
    /// The code `value` with no subcode.
    pub fn new(value: FaultCodeValue) -> Self {
        Self {
            value,
            subcodes: Vec::new(),
        }
    }

    /// Adds the next (innermost) subcode.
    #[must_use]
    pub fn with_subcode(mut self, subcode: impl Into<OwnedQName>) -> Self {
        self.subcodes.push(subcode.into());
        self
    }
}

impl ReasonText {
    /// `text` in the language `lang` (an `xml:lang` tag such as `en-US`).
    pub fn new(lang: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            lang: lang.into(),
            text: text.into(),
        }
    }
}

impl Detail {
    /// A detail with one entry.
    pub fn new(entry: AnyElement) -> Self {
        Self {
            attributes: Vec::new(),
            entries: vec![entry],
        }
    }

    /// Adds an entry.
    #[must_use]
    pub fn with_entry(mut self, entry: AnyElement) -> Self {
        self.entries.push(entry);
        self
    }
}

/// A SOAP 1.2 Fault ([SOAP 1.2 Part 1] 5.4): code with subcodes, reason
/// texts, node, role and detail. MS-WSTEP puts its
/// `CertificateEnrollmentWSDetail` in the detail.
///
/// ```
/// use soap_envelope::{Fault, FaultCodeValue};
///
/// let f = Fault::new(FaultCodeValue::Sender, "The request was malformed.");
/// assert_eq!(f.reason_text(Some("en-US")), Some("The request was malformed."));
/// ```
///
/// [SOAP 1.2 Part 1]: https://www.w3.org/TR/soap12-part1/#soapfault
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Fault {
    /// `Code`.
    pub code: FaultCode,
    /// `Reason/Text`s, at least one.
    pub reason: Vec<ReasonText>,
    /// `Node`.
    pub node: Option<String>,
    /// `Role`.
    pub role: Option<String>,
    /// `Detail`, when present (possibly empty).
    pub detail: Option<Detail>,
}

/// `Detail`: its attributes and child elements, kept as read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Detail {
    /// Attributes of `Detail`.
    pub attributes: Vec<AnyAttribute>,
    /// The detail entries.
    pub entries: Vec<AnyElement>,
}

impl Fault {
    /// A fault with one English reason.
    pub fn new(code: FaultCodeValue, reason: impl Into<String>) -> Self {
        Self {
            code: FaultCode {
                value: code,
                subcodes: Vec::new(),
            },
            reason: vec![ReasonText {
                lang: "en-US".to_owned(),
                text: reason.into(),
            }],
            node: None,
            role: None,
            detail: None,
        }
    }

    /// The fault a SOAP 1.2 node answers to an envelope of another version
    /// ([SOAP 1.2 Part 1] 5.4.7): pair it with
    /// [`ErrorKind::VersionMismatch`].
    ///
    /// [SOAP 1.2 Part 1]: https://www.w3.org/TR/soap12-part1/#soapupgrade
    pub fn version_mismatch() -> Self {
        Self::new(
            FaultCodeValue::VersionMismatch,
            "Wrong SOAP version: SOAP 1.2 is required.",
        )
    }

    /// The fault a SOAP node answers when a `mustUnderstand` header block
    /// targeted at it is not understood ([SOAP 1.2 Part 1] 5.4.8); see
    /// [`Header::not_understood`](crate::Header::not_understood).
    ///
    /// [SOAP 1.2 Part 1]: https://www.w3.org/TR/soap12-part1/#soapnotunderstood
    pub fn must_understand(block: &crate::OwnedQName) -> Self {
        Self::new(
            FaultCodeValue::MustUnderstand,
            format!("Header block {block} was not understood."),
        )
    }

    /// Adds a subcode (innermost last).
    #[must_use]
    pub fn with_subcode(mut self, subcode: impl Into<OwnedQName>) -> Self {
        self.code.subcodes.push(subcode.into());
        self
    }

    /// Adds a detail entry.
    #[must_use]
    pub fn with_detail_entry(mut self, entry: AnyElement) -> Self {
        self.detail
            .get_or_insert_with(Detail::default)
            .entries
            .push(entry);
        self
    }

    /// The reason text in `lang` (matched without regard to case, then by
    /// primary language), or the first one.
    pub fn reason_text(&self, lang: Option<&str>) -> Option<&str> {
        if let Some(lang) = lang {
            let primary = lang.split('-').next().unwrap_or(lang);
            let found = self
                .reason
                .iter()
                .find(|r| r.lang.eq_ignore_ascii_case(lang))
                .or_else(|| {
                    self.reason.iter().find(|r| {
                        r.lang
                            .split('-')
                            .next()
                            .unwrap_or("")
                            .eq_ignore_ascii_case(primary)
                    })
                });
            if let Some(r) = found {
                return Some(&r.text);
            }
        }
        self.reason.first().map(|r| r.text.as_str())
    }

    pub(crate) fn matches(start: &Start<'_>) -> bool {
        start.is(FAULT)
    }

    /// Reads a SOAP 1.2 Fault (its start tag already read).
    pub(crate) fn read(r: &mut XmlReader<'_>, _start: &Start<'_>) -> Result<Self> {
        let mut code = None;
        let mut reason = None;
        let mut node = None;
        let mut role = None;
        let mut detail = None;
        // Children must come in schema order: Code, Reason, Node?, Role?, Detail?
        let mut stage = 0;
        while let Some(child) = r.next_child()? {
            let this = if child.is(CODE) {
                1
            } else if child.is(REASON) {
                2
            } else if child.is(NODE) {
                3
            } else if child.is(ROLE) {
                4
            } else if child.is(DETAIL) {
                5
            } else {
                return Err(r.error(ErrorKind::UnexpectedElement {
                    found: child.name(),
                    expected: Some("Code, Reason, Node, Role or Detail".into()),
                }));
            };
            if this <= stage {
                let kind = if this == stage {
                    ErrorKind::DuplicateElement(child.name())
                } else {
                    ErrorKind::UnexpectedElement {
                        found: child.name(),
                        expected: Some("Fault children in schema order".into()),
                    }
                };
                return Err(r.error(kind));
            }
            stage = this;
            match this {
                1 => code = Some(read_code(r)?),
                2 => reason = Some(read_reason(r)?),
                3 => node = Some(collapse(&r.text()?).into_owned()),
                4 => role = Some(collapse(&r.text()?).into_owned()),
                _ => {
                    let attributes = child
                        .attributes()
                        .iter()
                        .map(|a| AnyAttribute {
                            name: a.name(),
                            value: a.value.clone().into_owned(),
                        })
                        .collect();
                    let mut entries = Vec::new();
                    while let Some(e) = r.next_child()? {
                        entries.push(r.any(&e)?);
                    }
                    detail = Some(Detail {
                        attributes,
                        entries,
                    });
                }
            }
        }
        let code =
            code.ok_or_else(|| r.error_after(ErrorKind::MissingElement(CODE.to_owned_name())))?;
        let reason = reason
            .ok_or_else(|| r.error_after(ErrorKind::MissingElement(REASON.to_owned_name())))?;
        Ok(Fault {
            code,
            reason,
            node,
            role,
            detail,
        })
    }

    /// Reads a SOAP 1.1 fault (`faultcode`, `faultstring`, `faultactor`,
    /// `detail`) into the SOAP 1.2 model: `Client` becomes `Sender`,
    /// `Server` becomes `Receiver`.
    pub(crate) fn read_soap11(r: &mut XmlReader<'_>, _start: &Start<'_>) -> Result<Self> {
        let mut fault = Fault::new(FaultCodeValue::Receiver, "");
        fault.reason.clear();
        while let Some(child) = r.next_child()? {
            match (child.ns(), child.local()) {
                (None, "faultcode") => {
                    let text = r.text()?;
                    let q = r.resolve_qname(&text)?;
                    let local = q.local.split('.').next().unwrap_or("").to_owned();
                    fault.code.value = match local.as_str() {
                        "Client" => FaultCodeValue::Sender,
                        "VersionMismatch" => FaultCodeValue::VersionMismatch,
                        "MustUnderstand" => FaultCodeValue::MustUnderstand,
                        _ => FaultCodeValue::Receiver,
                    };
                }
                (None, "faultstring") => {
                    let lang = child.attr(XML_LANG).unwrap_or("en").to_owned();
                    fault.reason.push(ReasonText {
                        lang,
                        text: r.text()?.into_owned(),
                    });
                }
                (None, "faultactor") => fault.role = Some(collapse(&r.text()?).into_owned()),
                (None, "detail") => {
                    let mut entries = Vec::new();
                    while let Some(e) = r.next_child()? {
                        entries.push(r.any(&e)?);
                    }
                    fault.detail = Some(Detail {
                        attributes: Vec::new(),
                        entries,
                    });
                }
                _ => r.skip()?,
            }
        }
        Ok(fault)
    }
}

fn read_code(r: &mut XmlReader<'_>) -> Result<FaultCode> {
    // Code: Value, Subcode?; Subcode: Value, Subcode? ... iteratively.
    let mut value = None;
    let mut subcodes = Vec::new();
    let mut level = 0usize; // 0 = Code, n = n-th Subcode
    let mut open = 1usize; // elements of Code/Subcode chain still open
    loop {
        match r.next_child()? {
            Some(child) if child.is(VALUE) => {
                let text = r.collect_value_text()?;
                if level == 0 {
                    if value.is_some() {
                        return Err(r.error(ErrorKind::DuplicateElement(VALUE.to_owned_name())));
                    }
                    let q = r.resolve_qname(&text)?;
                    if q.ns.as_deref() != Some(ns::SOAP12) {
                        r.close_current();
                        return Err(r.error_after(ErrorKind::bad_value(
                            "env:faultCodeEnum",
                            &text,
                            "fault code must be in the SOAP 1.2 namespace",
                        )));
                    }
                    let v = q.local.parse::<FaultCodeValue>().map_err(|k| r.error(k))?;
                    value = Some(v);
                } else {
                    let q = r.resolve_qname(&text)?;
                    subcodes.push(q);
                }
                r.close_current();
            }
            Some(child) if child.is(SUBCODE) => {
                if (level == 0 && value.is_none()) || subcodes.len() < level {
                    return Err(r.error(ErrorKind::MissingElement(VALUE.to_owned_name())));
                }
                level += 1;
                open += 1;
            }
            Some(child) => {
                return Err(r.error(ErrorKind::UnexpectedElement {
                    found: child.name(),
                    expected: Some("Value or Subcode".into()),
                }));
            }
            None => {
                open -= 1;
                if open == 0 {
                    break;
                }
            }
        }
    }
    let value =
        value.ok_or_else(|| r.error_after(ErrorKind::MissingElement(VALUE.to_owned_name())))?;
    if subcodes.len() < level {
        return Err(r.error_after(ErrorKind::MissingElement(VALUE.to_owned_name())));
    }
    Ok(FaultCode { value, subcodes })
}

fn read_reason(r: &mut XmlReader<'_>) -> Result<Vec<ReasonText>> {
    let mut texts = Vec::new();
    while let Some(child) = r.next_child()? {
        if !child.is(TEXT) {
            return Err(r.error(ErrorKind::UnexpectedElement {
                found: child.name(),
                expected: Some("Text".into()),
            }));
        }
        let lang = child
            .attr(XML_LANG)
            .ok_or_else(|| r.error(ErrorKind::MissingAttribute(XML_LANG.to_owned_name())))?
            .to_owned();
        texts.push(ReasonText {
            lang,
            text: r.text()?.into_owned(),
        });
    }
    if texts.is_empty() {
        return Err(r.error_after(ErrorKind::MissingElement(TEXT.to_owned_name())));
    }
    Ok(texts)
}

impl ToXml for Fault {
    fn write(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(FAULT)?;
        w.start(CODE)?;
        w.start(VALUE)?;
        let code =
            w.qname_text(&QName::new(ns::SOAP12, self.code.value.as_str()).to_owned_name())?;
        w.text(&code)?;
        w.end()?;
        for sub in &self.code.subcodes {
            w.start(SUBCODE)?;
            w.start(VALUE)?;
            let text = w.qname_text(sub)?;
            w.text(&text)?;
            w.end()?;
        }
        for _ in &self.code.subcodes {
            w.end()?;
        }
        w.end()?;
        w.start(REASON)?;
        for t in &self.reason {
            w.start(TEXT)?;
            w.attribute(XML_LANG, &t.lang)?;
            w.text(&t.text)?;
            w.end()?;
        }
        w.end()?;
        if let Some(n) = &self.node {
            w.text_element(NODE, n)?;
        }
        if let Some(n) = &self.role {
            w.text_element(ROLE, n)?;
        }
        if let Some(d) = &self.detail {
            w.start(DETAIL)?;
            for a in &d.attributes {
                w.attribute_owned(&a.name, &a.value)?;
            }
            for e in &d.entries {
                e.write(w)?;
            }
            w.end()?;
        }
        w.end()
    }
}
