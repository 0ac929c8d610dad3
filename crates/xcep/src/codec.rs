//! Reading and writing helpers shared by the model types: the nil and
//! "absent" rules, at-most-once fields, required fields and collections.
//!
//! Reading rules (lenient, [MS-XCEP] 3.1.4.1.3):
//!
//! - `xsi:nil="true"` (or `"1"`) is nil. So is an *unprefixed* `nil="true"`,
//!   which the [MS-XCEP] 4.1.1.2 example writes on four flags elements
//!   (Erratum, see `testdata/spec/README.md`).
//! - An empty element for a nillable field whose type has no empty value
//!   (numbers, booleans, dates, complex types, collections) is nil. An empty
//!   nillable `xs:string` is the empty string.
//! - An absent required nillable element reads as nil; an absent required
//!   non-nillable element is [`ErrorKind::MissingElement`] with the path of
//!   the missing element.
//! - A single element given twice is [`ErrorKind::DuplicateElement`].
//! - Children are accepted in any order; they are written in schema order.
//!
//! [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/

use soap_envelope::{QName, Result, Start, XmlReader};

/// The MS-XCEP name `local`.
pub(crate) const fn xcep(local: &'static str) -> QName {
    QName::new(crate::NAMESPACE, local)
}

/// Whether `start` is nil: `xsi:nil` true, or the unprefixed `nil="true"` of
/// the [MS-XCEP] 4.1.1.2 example (Erratum). The `nil` of every derived
/// type here.
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
pub(crate) fn is_nil(r: &XmlReader<'_>, start: &Start<'_>) -> Result<bool> {
    if r.is_nil(start)? {
        return Ok(true);
    }
    Ok(r.attr_value::<bool>(start, QName::new("", "nil"))?
        .unwrap_or(false))
}

/// Codecs (`#[xml(with = ...)]`) of the lexical forms MS-XCEP adds to
/// `soap_envelope::fields::{value, string, complex}`: the functions a
/// field's kind calls (see `soap_envelope::fields::value`).
pub(crate) mod with {
    use std::borrow::Cow;

    use soap_envelope::xsd::{collapse, trim};
    use soap_envelope::{QName, Result, Start, XmlReader, XmlWriter, fields};

    use crate::base64_text::Base64Text;
    use crate::nillable::Nillable;

    /// A string with surrounding whitespace removed (OID strings).
    pub(crate) mod trimmed {
        use super::{QName, Result, Start, XmlReader, XmlWriter, trim};

        pub(crate) fn read(r: &mut XmlReader<'_>, _start: &Start<'_>) -> Result<String> {
            Ok(trim(&r.text()?).to_owned())
        }

        pub(crate) fn write(w: &mut XmlWriter, name: QName, text: &str) -> Result<()> {
            w.text_element(name, text)
        }
    }

    /// A token (`xs:anyURI`, `xs:language`): whitespace collapsed; nil or
    /// empty is `None`. Written as it is.
    pub(crate) mod token {
        use super::{Cow, QName, Result, Start, XmlReader, XmlWriter, collapse};

        pub(crate) fn read(r: &mut XmlReader<'_>, _start: &Start<'_>) -> Result<String> {
            Ok(collapse(&r.text()?).into_owned())
        }

        pub(crate) fn read_nillable(
            r: &mut XmlReader<'_>,
            _start: &Start<'_>,
        ) -> Result<Option<String>> {
            let text = r.text()?;
            let token: Cow<'_, str> = collapse(&text);
            Ok((!token.is_empty()).then(|| token.into_owned()))
        }

        pub(crate) fn write(w: &mut XmlWriter, name: QName, text: &str) -> Result<()> {
            w.text_element(name, text)
        }

        pub(crate) fn write_nillable(
            w: &mut XmlWriter,
            name: QName,
            text: Option<&String>,
        ) -> Result<()> {
            super::fields::string::write_nillable(w, name, text)
        }
    }

    /// [`Base64Text`]: whitespace removed; an empty nillable element is
    /// `None`.
    pub(crate) mod base64 {
        use super::{Base64Text, QName, Result, Start, XmlReader, XmlWriter};

        pub(crate) fn read(r: &mut XmlReader<'_>, _start: &Start<'_>) -> Result<Base64Text> {
            Ok(Base64Text::new(&r.text()?))
        }

        pub(crate) fn read_nillable(
            r: &mut XmlReader<'_>,
            _start: &Start<'_>,
        ) -> Result<Option<Base64Text>> {
            let v = Base64Text::new(&r.text()?);
            Ok((!v.is_empty()).then_some(v))
        }

        pub(crate) fn write(w: &mut XmlWriter, name: QName, value: &Base64Text) -> Result<()> {
            w.text_element(name, value.as_str())
        }

        pub(crate) fn write_nillable(
            w: &mut XmlWriter,
            name: QName,
            value: Option<&Base64Text>,
        ) -> Result<()> {
            match value {
                Some(v) => w.text_element(name, v.as_str()),
                None => w.nil_element(name),
            }
        }
    }

    /// A flags type as its `xs:unsignedInt` bits; unknown bits kept.
    pub(crate) mod flags {
        use super::{QName, Result, Start, XmlReader, XmlWriter, fields};
        use bitflags::Flags;

        pub(crate) fn read<F: Flags<Bits = u32>>(
            r: &mut XmlReader<'_>,
            _start: &Start<'_>,
        ) -> Result<F> {
            r.value().map(F::from_bits_retain)
        }

        pub(crate) fn read_nillable<F: Flags<Bits = u32>>(
            r: &mut XmlReader<'_>,
            start: &Start<'_>,
        ) -> Result<Option<F>> {
            Ok(fields::value::read_nillable::<u32>(r, start)?.map(F::from_bits_retain))
        }

        pub(crate) fn write<F: Flags<Bits = u32>>(
            w: &mut XmlWriter,
            name: QName,
            value: &F,
        ) -> Result<()> {
            w.value_element(name, &value.bits())
        }

        pub(crate) fn write_nillable<F: Flags<Bits = u32>>(
            w: &mut XmlWriter,
            name: QName,
            value: Option<&F>,
        ) -> Result<()> {
            fields::value::write_nillable(w, name, value.map(Flags::bits).as_ref())
        }
    }

    /// An element that may be absent *and* nil ([`Nillable`]): given, it
    /// reads as a nillable value (nil or empty is `Nil`).
    pub(crate) mod nillable_value {
        use super::{Nillable, QName, Result, Start, XmlReader, XmlWriter, fields};
        use soap_envelope::xsd::XsdType;

        pub(crate) fn read<T: XsdType>(
            r: &mut XmlReader<'_>,
            start: &Start<'_>,
        ) -> Result<Nillable<T>> {
            fields::nillable(r, start, crate::codec::is_nil, |r, s| {
                fields::value::read_nillable(r, s)
            })
            .map(Nillable::from_option)
        }

        pub(crate) fn write<T: XsdType>(
            w: &mut XmlWriter,
            name: QName,
            value: &Nillable<T>,
        ) -> Result<()> {
            fields::value::write_nillable(w, name, value.value())
        }
    }
}

#[cfg(test)]
mod tests {
    use soap_envelope::{FromXml, Limits, read_document};

    use crate::flags::KeySpec;
    use crate::{GetPoliciesResponse, PrivateKeyAttributes, Revision};

    fn pka(inner: &str) -> PrivateKeyAttributes {
        let xml = format!(
            "<privateKeyAttributes xmlns='{}' xmlns:i='{}'>\
             <minimalKeyLength>2048</minimalKeyLength>{inner}</privateKeyAttributes>",
            crate::NAMESPACE,
            soap_envelope::ns::XSI
        );
        read_document(xml.as_bytes(), &Limits::default()).unwrap()
    }

    #[test]
    fn every_spelling_of_nil_is_nil() {
        for key_spec in [
            "<keySpec i:nil='true'/>",
            "<keySpec i:nil='1'/>",
            "<keySpec i:nil=' true '></keySpec>",
            "<keySpec nil='true'/>",
            "<keySpec/>",
            "<keySpec>\n  </keySpec>",
            "<keySpec i:nil='true'>1</keySpec>",
            "",
        ] {
            assert_eq!(pka(key_spec).key_spec, None, "{key_spec}");
        }
        assert_eq!(
            pka("<keySpec i:nil='false'> 2 </keySpec>").key_spec,
            Some(KeySpec::AT_SIGNATURE)
        );
        // Another prefix for the XSI namespace is the same attribute.
        assert_eq!(
            pka("<keySpec xmlns:p10='http://www.w3.org/2001/XMLSchema-instance' p10:nil='true'/>")
                .key_spec,
            None
        );
        // An attribute called nil in another namespace is not nil.
        assert_eq!(
            pka("<keySpec xmlns:o='urn:other' o:nil='true'>1</keySpec>").key_spec,
            Some(KeySpec::AT_KEYEXCHANGE)
        );
    }

    #[test]
    fn empty_strings_and_lists() {
        // An empty xs:string is a value; nil is not.
        assert_eq!(pka("<permissions/>").permissions.as_deref(), Some(""));
        assert_eq!(pka("<permissions nil='true'/>").permissions, None);
        assert_eq!(
            pka("<permissions> D:P </permissions>")
                .permissions
                .as_deref(),
            Some(" D:P ")
        );
        // An empty list is nil.
        assert_eq!(pka("<cryptoProviders/>").crypto_providers, None);
        assert_eq!(
            pka("<cryptoProviders><provider/></cryptoProviders>").crypto_providers,
            Some(vec![String::new()])
        );
    }

    #[test]
    fn from_xml_matches_by_expanded_name() {
        use soap_envelope::XmlReader;
        let xml = "<revision xmlns='urn:other'/>";
        let mut r = XmlReader::new(xml).unwrap();
        let start = r.root().unwrap();
        assert!(!Revision::matches(&start));
        assert!(!GetPoliciesResponse::matches(&start));
    }
}
