//! Typed views of payloads: what a payload element *is* in protocol terms
//! (an MS-XCEP GetPolicies request, an MS-WSTEP fault detail, ...), and a
//! few facts read from it.
//!
//! This is the plug-in point for the protocol crates. Today the views only
//! recognize elements by expanded name and read a handful of child values
//! from the generic [`AnyElement`] tree; when `xcep` and `wstep` grow typed
//! models, each adds a [`PayloadView`] that parses the element with its own
//! `FromXml` type and reports richer facts, and registers it in [`VIEWS`].
//!
//! Views must derive their output from the element's values only (names by
//! namespace URI and local name, decoded text), never from how the document
//! spelled them, so that `inspect --json` stays independent of prefixes and
//! formatting.

use soap_envelope::{AnyElement, QName, ns};

/// What a view recognized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// The protocol, e.g. `MS-XCEP`.
    pub protocol: &'static str,
    /// The message or element, e.g. `GetPolicies request`.
    pub message: &'static str,
    /// Facts read from the element, as (name, value) pairs in a fixed order.
    pub facts: Vec<(&'static str, String)>,
}

/// A recognizer for some payload or fault detail elements.
pub trait PayloadView: Sync {
    /// The view of `element`, or `None` when this recognizer does not know
    /// it.
    fn view(&self, element: &AnyElement) -> Option<View>;
}

/// The registered views, tried in order; the first that answers wins.
pub static VIEWS: &[&dyn PayloadView] = &[&EnrollmentDetail, &RequestSecurityToken, &KnownNames];

/// The view of `element` from the first registered [`PayloadView`] that
/// knows it.
pub fn view(element: &AnyElement) -> Option<View> {
    VIEWS.iter().find_map(|v| v.view(element))
}

/// The WS-Trust 1.3 namespace as MS-WSTEP uses it.
const WST: &str = ns::WST;

/// Elements known by name only: (name, protocol, message).
const KNOWN: &[(QName, &str, &str)] = &[
    (
        QName::new(ns::XCEP, "GetPolicies"),
        "MS-XCEP",
        "GetPolicies request",
    ),
    (
        QName::new(ns::XCEP, "GetPoliciesResponse"),
        "MS-XCEP",
        "GetPolicies response",
    ),
    (
        QName::new(WST, "RequestSecurityTokenResponseCollection"),
        "MS-WSTEP",
        "RequestSecurityTokenResponseCollection (enrollment response)",
    ),
    (
        QName::new(WST, "RequestSecurityTokenResponse"),
        "MS-WSTEP",
        "RequestSecurityTokenResponse (enrollment response)",
    ),
    (
        QName::new(ns::MDE2, "Discover"),
        "MS-MDE2",
        "Discover request",
    ),
    (
        QName::new(ns::MDE2, "DiscoverResponse"),
        "MS-MDE2",
        "Discover response",
    ),
];

/// Recognizes the elements of [`KNOWN`] by expanded name.
struct KnownNames;

impl PayloadView for KnownNames {
    fn view(&self, element: &AnyElement) -> Option<View> {
        KNOWN
            .iter()
            .find(|(name, _, _)| element.name.is(*name))
            .map(|&(_, protocol, message)| View {
                protocol,
                message,
                facts: Vec::new(),
            })
    }
}

/// The text of the first child of `element` named `name`, when present.
fn child_text(element: &AnyElement, name: QName) -> Option<String> {
    element
        .child_elements()
        .find(|c| c.name.is(name))
        .map(AnyElement::text)
}

/// `wst:RequestSecurityToken`: an MS-WSTEP enrollment, renewal or status
/// request; reports its `RequestType` and `TokenType`.
struct RequestSecurityToken;

impl PayloadView for RequestSecurityToken {
    fn view(&self, element: &AnyElement) -> Option<View> {
        if !element.name.is(QName::new(WST, "RequestSecurityToken")) {
            return None;
        }
        let mut facts = Vec::new();
        if let Some(t) = child_text(element, QName::new(WST, "RequestType")) {
            facts.push(("request_type", t.trim().to_owned()));
        }
        if let Some(t) = child_text(element, QName::new(WST, "TokenType")) {
            facts.push(("token_type", t.trim().to_owned()));
        }
        if let Some(t) = child_text(element, QName::new(ns::WSTEP, "RequestID")) {
            facts.push(("request_id", t.trim().to_owned()));
        }
        Some(View {
            protocol: "MS-WSTEP",
            message: "RequestSecurityToken (enrollment request)",
            facts,
        })
    }
}

/// `CertificateEnrollmentWSDetail`, the fault detail of MS-WSTEP
/// ([MS-WSTEP] 3.1.4.1.3.2): reports the error code (also as an HRESULT in
/// hexadecimal), whether the request was invalid, and the request ID.
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
struct EnrollmentDetail;

impl PayloadView for EnrollmentDetail {
    fn view(&self, element: &AnyElement) -> Option<View> {
        if !element
            .name
            .is(QName::new(ns::WSTEP, "CertificateEnrollmentWSDetail"))
        {
            return None;
        }
        let mut facts = Vec::new();
        if let Some(code) = child_text(element, QName::new(ns::WSTEP, "ErrorCode")) {
            let code = code.trim();
            let shown = match code.parse::<i32>() {
                // An HRESULT is a 32-bit pattern: show the bits in hex.
                Ok(n) => format!("{n} (0x{:08X})", n.cast_unsigned()),
                Err(_) => code.to_owned(),
            };
            facts.push(("error_code", shown));
        }
        if let Some(v) = child_text(element, QName::new(ns::WSTEP, "InvalidRequest")) {
            facts.push(("invalid_request", v.trim().to_owned()));
        }
        if let Some(v) = child_text(element, QName::new(ns::WSTEP, "RequestID")) {
            let v = v.trim();
            if !v.is_empty() {
                facts.push(("request_id", v.to_owned()));
            }
        }
        Some(View {
            protocol: "MS-WSTEP",
            message: "CertificateEnrollmentWSDetail (enrollment fault detail)",
            facts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enrollment_detail_shows_hresult() {
        let el = AnyElement::new(QName::new(ns::WSTEP, "CertificateEnrollmentWSDetail"))
            .with_child(
                AnyElement::new(QName::new(ns::WSTEP, "ErrorCode")).with_text("-2146877422"),
            );
        let v = view(&el).expect("recognized");
        assert_eq!(v.protocol, "MS-WSTEP");
        assert_eq!(
            v.facts,
            vec![("error_code", "-2146877422 (0x80094012)".to_owned())]
        );
    }

    #[test]
    fn unknown_element_has_no_view() {
        assert!(view(&AnyElement::new(QName::new("urn:x", "y"))).is_none());
    }
}
