//! Typed views of payloads: what a payload element *is* in protocol terms
//! (an MS-XCEP GetPolicies request, an MS-WSTEP fault detail, ...), and a
//! few facts read from it.
//!
//! This is the plug-in point for the protocol crates. A protocol crate with
//! a typed model adds a [`PayloadView`] that recognizes the element by name
//! and reads it with its own `FromXml` type, reporting the values as a
//! [`Value`] tree, serialized from the model's `serde::Serialize` by
//! [`crate::value_ser`] (the MS-XCEP messages: [`crate::xcep_view`]; the
//! MS-WSTEP and MS-MDE2 messages: [`crate::wstep_view`]), or the typed
//! error when the model refuses the element; facts may also be read from
//! the generic [`AnyElement`] tree, so that they are shown even then. Each
//! is registered in [`VIEWS`].
//!
//! Views must derive their output from the element's values only (names by
//! namespace URI and local name, decoded text), never from how the document
//! spelled them, so that `inspect --json` stays independent of prefixes and
//! formatting. The typed model reads the payload where it is in the input
//! ([`Source::Input`]: no copy of a large payload is made for it), through
//! the namespace-aware reader, which hands it values only; where the
//! reader would see a spelling the generic tree does not keep (a
//! character reference to whitespace between child elements), and for
//! the small fault detail entries, it reads the tree written back
//! ([`Source::Tree`]). Its errors have an element path but no byte offset.

use soap_envelope::AnyElement;

pub use crate::value::{PayloadView, Reading, Recognized, Source, Value, View, ViewError};
use crate::wstep_view::WstepView;
use crate::xcep_view::XcepView;

/// The registered views, tried in order; the first that answers wins.
pub static VIEWS: &[&dyn PayloadView] = &[&XcepView, &WstepView];

/// What `element` is, from the first registered [`PayloadView`] that
/// knows it.
pub fn recognize(element: &AnyElement) -> Option<Recognized> {
    VIEWS.iter().find_map(|v| v.recognize(element))
}

/// The view of `element`, found at element path `at` in the document
/// (`/Envelope/Body`, or empty for the root), its typed model read from
/// the element's tree: a typed error's path, which starts at `element`, is
/// made a path in the document.
pub fn view_at(element: &AnyElement, at: &str) -> Option<View> {
    let recognized = recognize(element)?;
    let reading = recognized.read(Source::Tree(element));
    Some(recognized.view(reading, at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use soap_envelope::QName;
    use wstep::ns;

    #[test]
    fn enrollment_detail_shows_hresult() {
        let el = AnyElement::new(QName::new(ns::WSTEP, "CertificateEnrollmentWSDetail"))
            .with_child(
                AnyElement::new(QName::new(ns::WSTEP, "ErrorCode")).with_text("-2146877422"),
            );
        let v = view_at(&el, "").expect("recognized");
        assert_eq!(v.protocol, "MS-WSTEP");
        assert_eq!(
            v.facts,
            vec![("error_code", "-2146877422 (0x80094012)".to_owned())]
        );
    }

    #[test]
    fn unknown_element_has_no_view() {
        assert!(recognize(&AnyElement::new(QName::new("urn:x", "y"))).is_none());
    }
}
