//! Typed views of payloads: what a payload element *is* in protocol terms
//! (an MS-XCEP GetPolicies request, an MS-WSTEP fault detail, ...), and a
//! few facts read from it.
//!
//! This is the plug-in point for the protocol crates. A protocol crate with
//! a typed model adds a [`PayloadView`] that reads the element with its own
//! `FromXml` type and reports the values as a [`Value`] tree (the MS-XCEP
//! messages: [`crate::xcep_view`]; the MS-WSTEP and MS-MDE2 messages:
//! [`crate::wstep_view`]), or the typed error when the model refuses the
//! element; facts may also be read from the generic [`AnyElement`] tree, so
//! that they are shown even then. Each is registered in [`VIEWS`].
//!
//! Views must derive their output from the element's values only (names by
//! namespace URI and local name, decoded text), never from how the document
//! spelled them, so that `inspect --json` stays independent of prefixes and
//! formatting. A typed view therefore reads the [`AnyElement`] (written back
//! and read again), not the input bytes: its errors have an element path
//! but no byte offset.

use soap_envelope::AnyElement;

use crate::wstep_view::WstepView;
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
    /// An element the schema requires that the peer left out (MS-MDE2
    /// servers leave out some of a template's): `null` in JSON,
    /// `missing (schema requires)` in text.
    Missing,
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
pub static VIEWS: &[&dyn PayloadView] = &[&XcepView, &WstepView];

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

#[cfg(test)]
mod tests {
    use super::*;
    use soap_envelope::{QName, ns};

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
