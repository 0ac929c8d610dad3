//! Namespace URIs used by SOAP 1.2, WS-Addressing, WS-Security and
//! WS-Trust. The Microsoft enrollment protocols' namespaces belong to their
//! crates (`xcep::NAMESPACE`, `wstep::NAMESPACE`, `wstep::ns`).
//!
//! Only URIs live here; prefixes belong to the writer
//! ([`XmlWriter`](crate::XmlWriter)).

/// SOAP 1.2 envelope, [SOAP 1.2 Part 1] 5.
///
/// [SOAP 1.2 Part 1]: https://www.w3.org/TR/soap12-part1/
pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
/// SOAP 1.1 envelope (read only to report a version mismatch, or leniently).
pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// WS-Addressing 1.0.
pub const WSA: &str = "http://www.w3.org/2005/08/addressing";
/// WS-Security 1.0 secext (`wsse`).
pub const WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
/// WS-Security 1.0 utility (`wsu`).
pub const WSU: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
/// WS-Trust 1.3 (`wst`).
pub const WST: &str = "http://docs.oasis-open.org/ws-sx/ws-trust/200512";
/// XML Schema instance (`xsi`).
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// XML Schema (`xs`).
pub const XS: &str = "http://www.w3.org/2001/XMLSchema";
/// The `xml:` namespace, bound by definition.
pub const XML: &str = "http://www.w3.org/XML/1998/namespace";
/// XML digital signature (`ds`).
pub const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
