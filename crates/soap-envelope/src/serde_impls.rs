//! `serde::Serialize` for the types that appear inside message models
//! (feature `serde`), for JSON and other views of a message. Only
//! serialization: reading stays namespace-correct XML.
//!
//! - [`OwnedQName`]: the name in Clark notation, `{namespace}local` (or
//!   `local` for no namespace).
//! - [`AnyElement`]: `{"name", "attributes", "text", "children"}`, the name
//!   in Clark notation, `text` the concatenated direct text with
//!   surrounding whitespace removed (`null` when nothing is left),
//!   `children` the child elements.
//! - [`DateTime`]: the `xs:dateTime` lexical form, as written.
//! - [`AnyAttribute`], [`BinarySecurityToken`], [`EndpointReference`],
//!   [`HeaderAttrs`], [`HeaderValue`] and [`RelatesTo`]: derived, one field
//!   a member.

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::xsd::DateTime;
use crate::{AnyElement, OwnedQName};

impl Serialize for OwnedQName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The child elements of an [`AnyElement`], as a sequence.
struct Children<'a>(&'a AnyElement);

impl Serialize for Children<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.child_elements())
    }
}

impl Serialize for AnyElement {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = self.text();
        let text = text.trim();
        let mut st = s.serialize_struct("AnyElement", 4)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("attributes", &self.attributes)?;
        st.serialize_field("text", &(!text.is_empty()).then_some(text))?;
        st.serialize_field("children", &Children(self))?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use crate::{AnyElement, QName};

    #[test]
    fn any_element_by_clark_name() {
        let e = AnyElement::new(QName::new("urn:x", "a"))
            .with_attribute(QName::new("", "k"), "v")
            .with_child(AnyElement::new(QName::new("urn:x", "b")).with_text(" t "));
        let v = serde_json::to_value(&e).unwrap_or_default();
        assert_eq!(
            v.to_string(),
            r#"{"attributes":[{"name":"k","value":"v"}],"children":[{"attributes":[],"children":[],"name":"{urn:x}b","text":"t"}],"name":"{urn:x}a","text":null}"#
        );
    }
}
