//! Typed views of payloads: what a payload element *is* in protocol terms
//! (an MS-XCEP GetPolicies request, an MS-WSTEP fault detail, ...), and a
//! few facts read from it.
//!
//! This is the plug-in point for the protocol crates. A protocol crate with
//! a typed model adds a [`PayloadView`] that reads the element with its own
//! `FromXml` type and reports the values as a [`Value`] tree, serialized
//! from the model's `serde::Serialize` by [`crate::value_ser`] (the MS-XCEP
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

pub use crate::value::{PayloadView, Value, View, ViewError};
use crate::wstep_view::WstepView;
use crate::xcep_view::XcepView;

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
    use soap_envelope::QName;
    use wstep::ns;

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
