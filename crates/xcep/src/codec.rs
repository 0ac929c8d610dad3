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

use soap_envelope::xsd::{XsdType, collapse, trim};
use soap_envelope::{ErrorKind, QName, Result, Start, ToXml, XmlReader, XmlWriter, ns};

pub(crate) use soap_envelope::fields::{once, required};

/// The MS-XCEP name `local`.
pub(crate) const fn xcep(local: &'static str) -> QName {
    QName::new(ns::XCEP, local)
}

/// The children of the current element, possibly with the first one already
/// read (to tell an empty nillable element from a present one).
pub(crate) struct Children<'a> {
    pending: Option<Start<'a>>,
    done: bool,
}

impl<'a> Children<'a> {
    /// All children are still to be read.
    pub(crate) fn new() -> Self {
        Self {
            pending: None,
            done: false,
        }
    }

    /// `first` was read already; the rest follow.
    pub(crate) fn with_first(first: Start<'a>) -> Self {
        Self {
            pending: Some(first),
            done: false,
        }
    }

    /// The next child, or `None` once the element's end tag was read (the
    /// element is then closed, so that `error_after` names it).
    pub(crate) fn next(&mut self, r: &mut XmlReader<'a>) -> Result<Option<Start<'a>>> {
        if let Some(s) = self.pending.take() {
            return Ok(Some(s));
        }
        if self.done {
            return Ok(None);
        }
        let next = r.next_child()?;
        self.done = next.is_none();
        Ok(next)
    }
}

/// A complex type read from the children of its element.
pub(crate) trait ReadFields<'a>: Sized {
    /// Reads the children (the start tag is already read) through the end
    /// tag.
    fn read_fields(r: &mut XmlReader<'a>, children: Children<'a>) -> Result<Self>;
}

/// Whether `start` is nil: `xsi:nil` true, or the unprefixed `nil="true"` of
/// the [MS-XCEP] 4.1.1.2 example (Erratum).
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
pub(crate) fn is_nil(r: &XmlReader<'_>, start: &Start<'_>) -> Result<bool> {
    if r.is_nil(start)? {
        return Ok(true);
    }
    Ok(r.attr_value::<bool>(start, QName::new("", "nil"))?
        .unwrap_or(false))
}

/// Like [`once`] for a nillable field: `seen` records presence, since a nil
/// value is `None`.
pub(crate) fn once_nillable<'a, T>(
    r: &mut XmlReader<'a>,
    slot: &mut Option<T>,
    seen: &mut bool,
    name: QName,
    read: impl FnOnce(&mut XmlReader<'a>) -> Result<Option<T>>,
) -> Result<()> {
    if *seen {
        return Err(r.error(ErrorKind::DuplicateElement(name.to_owned_name())));
    }
    *seen = true;
    *slot = read(r)?;
    Ok(())
}

/// Reads the current element as a nillable simple value: nil, or empty, is
/// `None`; a bad value is [`ErrorKind::BadValue`] at this element.
pub(crate) fn nillable_value<T: XsdType>(
    r: &mut XmlReader<'_>,
    start: &Start<'_>,
) -> Result<Option<T>> {
    if is_nil(r, start)? {
        r.skip()?;
        return Ok(None);
    }
    let text = r.collect_value_text()?;
    if trim(&text).is_empty() {
        r.close_current();
        return Ok(None);
    }
    let value = T::parse_xsd(&text)
        .map_err(|why| r.error(ErrorKind::bad_value(T::TYPE_NAME, &text, why)))?;
    r.close_current();
    Ok(Some(value))
}

/// Reads the current element as a nillable `xs:string`, kept exactly (the
/// type preserves whitespace): nil is `None`, empty is `Some("")`.
pub(crate) fn nillable_string(r: &mut XmlReader<'_>, start: &Start<'_>) -> Result<Option<String>> {
    if is_nil(r, start)? {
        r.skip()?;
        return Ok(None);
    }
    Ok(Some(r.text()?.into_owned()))
}

/// Reads the current element as a nillable token type (`xs:language`):
/// whitespace collapsed; nil or empty is `None`.
pub(crate) fn nillable_token(r: &mut XmlReader<'_>, start: &Start<'_>) -> Result<Option<String>> {
    if is_nil(r, start)? {
        r.skip()?;
        return Ok(None);
    }
    let text = r.text()?;
    let token = collapse(&text);
    Ok((!token.is_empty()).then(|| token.into_owned()))
}

/// Reads the current element as a nillable complex type: nil, or no child
/// elements, is `None`.
pub(crate) fn nillable_complex<'a, T: ReadFields<'a>>(
    r: &mut XmlReader<'a>,
    start: &Start<'_>,
) -> Result<Option<T>> {
    if is_nil(r, start)? {
        r.skip()?;
        return Ok(None);
    }
    match r.next_child()? {
        None => Ok(None),
        Some(first) => T::read_fields(r, Children::with_first(first)).map(Some),
    }
}

/// Reads the current element as a collection of `item` elements, each read
/// by `read_item`. Another child is [`ErrorKind::UnexpectedElement`]: the
/// collection types have no extension point.
pub(crate) fn list<'a, T>(
    r: &mut XmlReader<'a>,
    item: QName,
    mut read_item: impl FnMut(&mut XmlReader<'a>, &Start<'a>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut items = Vec::new();
    while let Some(child) = r.next_child()? {
        if child.is(item) {
            items.push(read_item(r, &child)?);
        } else {
            return Err(r.error(ErrorKind::UnexpectedElement {
                found: child.name(),
                expected: Some(item.to_string()),
            }));
        }
    }
    Ok(items)
}

/// Reads the current element as a nillable collection: nil, or no items, is
/// `None`.
pub(crate) fn nillable_list<'a, T>(
    r: &mut XmlReader<'a>,
    start: &Start<'_>,
    item: QName,
    read_item: impl FnMut(&mut XmlReader<'a>, &Start<'a>) -> Result<T>,
) -> Result<Option<Vec<T>>> {
    if is_nil(r, start)? {
        r.skip()?;
        return Ok(None);
    }
    let items = list(r, item, read_item)?;
    Ok((!items.is_empty()).then_some(items))
}

/// Reads an item's text as a simple value.
pub(crate) fn item_value<T: XsdType>(r: &mut XmlReader<'_>, _start: &Start<'_>) -> Result<T> {
    r.value()
}

/// Reads an item's text as an `xs:string`, kept exactly.
pub(crate) fn item_string(r: &mut XmlReader<'_>, _start: &Start<'_>) -> Result<String> {
    Ok(r.text()?.into_owned())
}

/// Reads an item's text with surrounding whitespace removed (OID strings).
pub(crate) fn item_trimmed(r: &mut XmlReader<'_>, _start: &Start<'_>) -> Result<String> {
    Ok(trim(&r.text()?).to_owned())
}

/// Writes `<name>value</name>`, or `<name xsi:nil="true"/>` for `None`.
pub(crate) fn write_nillable_value<T: XsdType>(
    w: &mut XmlWriter,
    name: QName,
    value: Option<&T>,
) -> Result<()> {
    match value {
        Some(v) => w.value_element(name, v),
        None => w.nil_element(name),
    }
}

/// Writes `<name>text</name>`, or `<name xsi:nil="true"/>` for `None`.
pub(crate) fn write_nillable_text(
    w: &mut XmlWriter,
    name: QName,
    text: Option<&str>,
) -> Result<()> {
    match text {
        Some(t) => w.text_element(name, t),
        None => w.nil_element(name),
    }
}

/// Writes a nillable complex value, or `<name xsi:nil="true"/>` for `None`.
pub(crate) fn write_nillable<T: ToXml>(
    w: &mut XmlWriter,
    name: QName,
    value: Option<&T>,
) -> Result<()> {
    match value {
        Some(v) => v.to_xml(w),
        None => w.nil_element(name),
    }
}

/// Writes a collection of `item` elements (an empty one as an empty
/// element).
pub(crate) fn write_list<T>(
    w: &mut XmlWriter,
    name: QName,
    items: &[T],
    mut write_item: impl FnMut(&mut XmlWriter, &T) -> Result<()>,
) -> Result<()> {
    w.start(name)?;
    for item in items {
        write_item(w, item)?;
    }
    w.end()
}

/// Writes a nillable collection: `None` and an empty list are nil (the
/// schema requires at least one item).
pub(crate) fn write_nillable_list<T>(
    w: &mut XmlWriter,
    name: QName,
    items: Option<&Vec<T>>,
    write_item: impl FnMut(&mut XmlWriter, &T) -> Result<()>,
) -> Result<()> {
    match items {
        Some(items) if !items.is_empty() => write_list(w, name, items, write_item),
        _ => w.nil_element(name),
    }
}

/// Writes a collection item as `<item>value</item>`.
pub(crate) fn value_item<T: XsdType>(item: QName) -> impl Fn(&mut XmlWriter, &T) -> Result<()> {
    move |w, v| w.value_element(item, v)
}

/// Writes a collection item as `<item>text</item>`.
pub(crate) fn text_item(item: QName) -> impl Fn(&mut XmlWriter, &String) -> Result<()> {
    move |w, t| w.text_element(item, t)
}

/// Writes kept elements (extension points, unknown children) in order.
pub(crate) fn write_all<T: ToXml>(w: &mut XmlWriter, elements: &[T]) -> Result<()> {
    for e in elements {
        e.to_xml(w)?;
    }
    Ok(())
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
            soap_envelope::ns::XCEP,
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
