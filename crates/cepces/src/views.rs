//! Typed views of payloads: what a payload element *is* in protocol terms
//! (an MS-XCEP GetPolicies request, an MS-WSTEP fault detail, ...), and a
//! few facts read from it.
//!
//! This is the plug-in point for the protocol crates. A protocol crate with
//! a typed model adds a [`PayloadView`] that reads the element with its own
//! `FromXml` type and reports the values as a [`Value`] tree (the MS-XCEP
//! messages: [`crate::xcep_view`]), or the typed error when the model refuses
//! the element; the other views recognize elements by expanded name and read
//! a handful of child values from the generic [`AnyElement`] tree. Each is
//! registered in [`VIEWS`].
//!
//! Views must derive their output from the element's values only (names by
//! namespace URI and local name, decoded text), never from how the document
//! spelled them, so that `inspect --json` stays independent of prefixes and
//! formatting. A typed view therefore reads the [`AnyElement`] (written back
//! and read again), not the input bytes: its errors have an element path
//! but no byte offset.

use soap_envelope::{AnyElement, QName, ns};

use crate::xcep_view::XcepView;

/// What a view recognized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// The protocol, e.g. `MS-XCEP`.
    pub protocol: &'static str,
    /// The message or element, e.g. `GetPolicies request`.
    pub message: &'static str,
    /// Facts read from the element, as (name, value) pairs in a fixed order.
    pub facts: Vec<(&'static str, String)>,
    /// The element's values as read by a typed model (a [`Value::Record`]),
    /// when the view has a model and it read the element.
    pub model: Option<Value>,
    /// Why the typed model did not read the element, when it did not.
    pub error: Option<ViewError>,
}

impl View {
    /// A view with facts only.
    pub fn facts(
        protocol: &'static str,
        message: &'static str,
        facts: Vec<(&'static str, String)>,
    ) -> Self {
        Self {
            protocol,
            message,
            facts,
            model: None,
            error: None,
        }
    }
}

/// A typed model's refusal of an element it recognized by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewError {
    /// The stable kind name, such as `bad-value`.
    pub kind: &'static str,
    /// What went wrong.
    pub message: String,
    /// The element path in the document (`/Envelope/Body/...`, or from the
    /// root of a bare element).
    pub path: String,
}

/// A value read by a typed view. In JSON: `null`, a boolean, a number, a
/// string, `{"value", "name"}`, an array or an object; in text, one line
/// per scalar (see `crate::output`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Nil (or absent).
    Nil,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A decimal number, as written (`365`, `0.5`).
    Decimal(String),
    /// A string.
    Text(String),
    /// A number with its meaning: a flag set or an enumerated value, e.g.
    /// `CT_FLAG_EXPORTABLE_KEY` for 0x10. `hex` says how the number is
    /// shown in text.
    Named {
        /// The number.
        value: u32,
        /// Its meaning.
        name: String,
        /// Whether text shows the number in hexadecimal (flag sets).
        hex: bool,
    },
    /// A list.
    List(Vec<Value>),
    /// Named fields, in a fixed order.
    Record(Vec<(&'static str, Value)>),
}

impl Value {
    /// `Text(s)`, or `Nil` for `None`.
    pub fn text_or_nil(s: Option<&str>) -> Self {
        s.map_or(Value::Nil, |s| Value::Text(s.to_owned()))
    }

    /// `f(v)`, or `Nil` for `None`.
    pub fn map_or_nil<T>(v: Option<T>, f: impl FnOnce(T) -> Value) -> Self {
        v.map_or(Value::Nil, f)
    }
}

/// A recognizer for some payload or fault detail elements.
pub trait PayloadView: Sync {
    /// The view of `element`, or `None` when this recognizer does not know
    /// it.
    fn view(&self, element: &AnyElement) -> Option<View>;
}

/// The registered views, tried in order; the first that answers wins.
pub static VIEWS: &[&dyn PayloadView] = &[
    &XcepView,
    &EnrollmentDetail,
    &RequestSecurityToken,
    &KnownNames,
];

/// The view of `element` from the first registered [`PayloadView`] that
/// knows it.
pub fn view(element: &AnyElement) -> Option<View> {
    VIEWS.iter().find_map(|v| v.view(element))
}

/// The view of `element`, found at element path `at` in the document
/// (`/Envelope/Body`, or empty for the root): a typed error's path, which
/// starts at `element`, is made a path in the document.
pub fn view_at(element: &AnyElement, at: &str) -> Option<View> {
    let mut v = view(element)?;
    if let Some(e) = &mut v.error {
        e.path.insert_str(0, at);
    }
    Some(v)
}

/// The WS-Trust 1.3 namespace as MS-WSTEP uses it.
const WST: &str = ns::WST;

/// Elements known by name only: (name, protocol, message). (The MS-XCEP
/// messages have a typed view, [`XcepView`].)
const KNOWN: &[(QName, &str, &str)] = &[
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
            .map(|&(_, protocol, message)| View::facts(protocol, message, Vec::new()))
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
        Some(View::facts(
            "MS-WSTEP",
            "RequestSecurityToken (enrollment request)",
            facts,
        ))
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
        Some(View::facts(
            "MS-WSTEP",
            "CertificateEnrollmentWSDetail (enrollment fault detail)",
            facts,
        ))
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
