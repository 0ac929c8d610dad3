//! Helpers for reading the fields of a complex type: a single-valued child
//! seen twice, a required child never seen; and the runtime that
//! `#[derive(FromXml, ToXml)]` calls (collections, nillable elements,
//! codecs).

use crate::error::{Error, ErrorKind, Result};
use crate::name::QName;
use crate::reader::{Start, XmlReader};
use crate::traits::ToXml;
use crate::writer::XmlWriter;
use crate::xsd::XsdType;

/// Reads the current element (`name`) into a single-valued field with
/// `read`, or fails with [`ErrorKind::DuplicateElement`] at this second
/// occurrence when the field is already set.
///
/// ```
/// use soap_envelope::{fields, ErrorKind, QName, XmlReader};
///
/// const A: QName = QName::new("", "a");
/// let mut r = XmlReader::new("<r><a>1</a><a>2</a></r>").unwrap();
/// r.root().unwrap();
/// let mut a: Option<u32> = None;
/// r.next_child().unwrap();
/// fields::once(&mut r, &mut a, A, |r| r.value()).unwrap();
/// r.next_child().unwrap();
/// let err = fields::once(&mut r, &mut a, A, |r| r.value()).unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::DuplicateElement(_)));
/// assert_eq!(err.path(), "/r/a[2]");
/// ```
pub fn once<'a, T>(
    r: &mut XmlReader<'a>,
    slot: &mut Option<T>,
    name: QName,
    read: impl FnOnce(&mut XmlReader<'a>) -> Result<T>,
) -> Result<()> {
    if slot.is_some() {
        return Err(r.error(ErrorKind::DuplicateElement(name.to_owned_name())));
    }
    *slot = Some(read(r)?);
    Ok(())
}

/// The value of a required child, or [`ErrorKind::MissingElement`] whose
/// path ends in the missing element (`.../privateKeyAttributes/minimalKeyLength`).
/// Call once the parent element is closed.
pub fn required<T>(r: &XmlReader<'_>, slot: Option<T>, name: QName) -> Result<T> {
    slot.ok_or_else(|| {
        let e = r.error_after(ErrorKind::MissingElement(name.to_owned_name()));
        let path = format!("{}/{}", e.path(), name.local);
        Error::new(e.kind().clone(), path, e.offset())
    })
}

// ---------------------------------------------------------------------------
// The runtime of `#[derive(FromXml, ToXml)]`
// ---------------------------------------------------------------------------

/// The children of the current element, possibly with the first one already
/// read (to tell an empty nillable element from a present one, see
/// [`complex::read_nillable`]).
#[derive(Debug)]
pub struct Children<'a> {
    pending: Option<Start<'a>>,
    done: bool,
}

impl<'a> Children<'a> {
    /// All children are still to be read.
    pub fn new() -> Self {
        Self {
            pending: None,
            done: false,
        }
    }

    /// `first` was read already; the rest follow.
    pub fn with_first(first: Start<'a>) -> Self {
        Self {
            pending: Some(first),
            done: false,
        }
    }

    /// The next child, or `None` once the element's end tag was read (the
    /// element is then closed, so that [`XmlReader::error_after`] names it).
    pub fn next(&mut self, r: &mut XmlReader<'a>) -> Result<Option<Start<'a>>> {
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

impl Default for Children<'_> {
    fn default() -> Self {
        Self::new()
    }
}

/// A complex type read from the attributes and children of its element,
/// whatever the element's name (the parent matched it). Implemented by
/// `#[derive(FromXml)]`.
pub trait ReadFields<'a>: Sized {
    /// Whether the content is text (a `#[xml(text)]` field), not child
    /// elements: such a nillable element is read as it is.
    const SIMPLE_CONTENT: bool = false;

    /// Reads the attributes of `start` and the children (the start tag is
    /// already read) through the end tag.
    fn read_fields(
        r: &mut XmlReader<'a>,
        start: &Start<'a>,
        children: Children<'a>,
    ) -> Result<Self>;
}

/// A complex type written as the attributes and children of an element
/// whose start tag the caller wrote. Implemented by `#[derive(ToXml)]`.
pub trait WriteFields {
    /// Writes the attributes, then the children; not the end tag.
    fn write_fields(&self, w: &mut XmlWriter) -> Result<()>;
}

/// Like [`once`] for a nillable field: `seen` records presence, since a nil
/// value is `None`.
pub fn once_nillable<'a, T>(
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

/// Whether `start` carries `xsi:nil="true"` ([`XmlReader::is_nil`]): the
/// default nil test of the derive.
pub fn xsi_nil(r: &XmlReader<'_>, start: &Start<'_>) -> Result<bool> {
    r.is_nil(start)
}

/// Reads the current element (`start`) as a nillable value: nil (by
/// `is_nil`) is `None`, the element skipped; otherwise `read` reads it
/// (and may give `None` for content that counts as nil, such as an empty
/// number).
pub fn nillable<'a, 's, 'b, T>(
    r: &mut XmlReader<'a>,
    start: &'s Start<'b>,
    is_nil: impl FnOnce(&XmlReader<'a>, &'s Start<'b>) -> Result<bool>,
    read: impl FnOnce(&mut XmlReader<'a>, &'s Start<'b>) -> Result<Option<T>>,
) -> Result<Option<T>> {
    if is_nil(r, start)? {
        r.skip()?;
        return Ok(None);
    }
    read(r, start)
}

/// Whether `start` is `name`, or `name`'s local name in `alt_ns` (a second
/// spelling of `name`'s namespace, as a published erratum has it): the
/// match of a type with `#[xml(alt_ns = ...)]`.
pub fn is_either(start: &Start<'_>, name: QName, alt_ns: &str) -> bool {
    start.is(name) || (start.local() == name.local && start.ns().unwrap_or("") == alt_ns)
}

/// Reads the current element as a collection of `item` elements, each read
/// by `read_item`. Another child is [`ErrorKind::UnexpectedElement`]: the
/// collection types have no extension point.
pub fn list<'a, T>(
    r: &mut XmlReader<'a>,
    item: QName,
    read_item: impl FnMut(&mut XmlReader<'a>, &Start<'a>) -> Result<T>,
) -> Result<Vec<T>> {
    list_alt(r, item, None, read_item)
}

/// [`list`] whose items also match in `alt_ns` (see [`is_either`]).
pub fn list_alt<'a, T>(
    r: &mut XmlReader<'a>,
    item: QName,
    alt_ns: Option<&str>,
    mut read_item: impl FnMut(&mut XmlReader<'a>, &Start<'a>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut items = Vec::new();
    while let Some(child) = r.next_child()? {
        if alt_ns.map_or_else(|| child.is(item), |alt| is_either(&child, item, alt)) {
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

/// [`list`] for a nillable collection (the nil test is made before): no
/// items is `None`.
pub fn nonempty_list<'a, T>(
    r: &mut XmlReader<'a>,
    item: QName,
    read_item: impl FnMut(&mut XmlReader<'a>, &Start<'a>) -> Result<T>,
) -> Result<Option<Vec<T>>> {
    nonempty_list_alt(r, item, None, read_item)
}

/// [`nonempty_list`] whose items also match in `alt_ns`.
pub fn nonempty_list_alt<'a, T>(
    r: &mut XmlReader<'a>,
    item: QName,
    alt_ns: Option<&str>,
    read_item: impl FnMut(&mut XmlReader<'a>, &Start<'a>) -> Result<T>,
) -> Result<Option<Vec<T>>> {
    let items = list_alt(r, item, alt_ns, read_item)?;
    Ok((!items.is_empty()).then_some(items))
}

/// Writes a collection of items (an empty one as an empty element).
pub fn write_list<T>(
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
/// schemas require at least one item).
pub fn write_nillable_list<T>(
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

/// Writes kept elements (extension points, unknown children) in order.
pub fn write_all<T: ToXml>(w: &mut XmlWriter, elements: &[T]) -> Result<()> {
    for e in elements {
        e.write(w)?;
    }
    Ok(())
}

/// Reads the attribute `name` of `start`; [`ErrorKind::MissingAttribute`]
/// at this element when absent.
pub fn required_attr<T: XsdType>(r: &XmlReader<'_>, start: &Start<'_>, name: QName) -> Result<T> {
    r.attr_value(start, name)?
        .ok_or_else(|| r.error(ErrorKind::MissingAttribute(name.to_owned_name())))
}

/// Writes the attribute `name` with the value's canonical form.
pub fn write_attr<T: XsdType>(w: &mut XmlWriter, name: QName, value: &T) -> Result<()> {
    value.with_xsd(|v| w.attribute(name, v))
}

/// The value of a required attribute as a codec's `read_attr` gave it, or
/// [`ErrorKind::MissingAttribute`] at the current element.
pub fn present_attr<T>(r: &XmlReader<'_>, value: Option<T>, name: QName) -> Result<T> {
    value.ok_or_else(|| r.error(ErrorKind::MissingAttribute(name.to_owned_name())))
}

/// Writes `xsi:nil="true"` on the element being written: a nillable
/// `#[xml(text)]` field that is `None`.
pub fn write_nil_attr(w: &mut XmlWriter) -> Result<()> {
    w.attribute(QName::new(crate::ns::XSI, "nil"), "true")
}

/// The codec of an XML Schema simple type ([`XsdType`]): the lexical form
/// is the element's text.
///
/// A codec (`#[xml(with = path)]`) is a module with these functions:
/// `read` (the current element's content), `read_nillable` (the same for
/// a nillable element that is not nil: `None` for content that counts as
/// nil), `write` (the whole element), `write_nillable` (`None` as nil);
/// `write_content` (the text only) for a `#[xml(text)]` field; for an
/// `#[xml(attribute)]` field, `read_attr` (`None` when absent) and
/// `write_attr`.
pub mod value {
    use crate::error::{ErrorKind, Result};
    use crate::name::QName;
    use crate::reader::{Start, XmlReader};
    use crate::writer::XmlWriter;
    use crate::xsd::{XsdType, trim};

    /// The value of the element's text; [`ErrorKind::BadValue`] at this
    /// element.
    pub fn read<T: XsdType>(r: &mut XmlReader<'_>, _start: &Start<'_>) -> Result<T> {
        r.value()
    }

    /// Like [`read`]; an empty (or all-whitespace) element is `None`.
    pub fn read_nillable<T: XsdType>(
        r: &mut XmlReader<'_>,
        _start: &Start<'_>,
    ) -> Result<Option<T>> {
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

    /// Writes `<name>value</name>`.
    pub fn write<T: XsdType>(w: &mut XmlWriter, name: QName, value: &T) -> Result<()> {
        w.value_element(name, value)
    }

    /// Writes `<name>value</name>`, or `<name xsi:nil="true"/>` for `None`.
    pub fn write_nillable<T: XsdType>(
        w: &mut XmlWriter,
        name: QName,
        value: Option<&T>,
    ) -> Result<()> {
        match value {
            Some(v) => w.value_element(name, v),
            None => w.nil_element(name),
        }
    }

    /// Writes the value's canonical form as text.
    pub fn write_content<T: XsdType>(w: &mut XmlWriter, value: &T) -> Result<()> {
        value.with_xsd(|v| w.text(v))
    }

    /// The attribute's value ([`XmlReader::attr_value`]): [`ErrorKind::BadValue`]
    /// at this element. The default codec of an `#[xml(attribute)]`.
    pub fn read_attr<T: XsdType>(
        r: &XmlReader<'_>,
        start: &Start<'_>,
        name: QName,
    ) -> Result<Option<T>> {
        r.attr_value(start, name)
    }

    /// Writes the attribute with the value's canonical form.
    pub fn write_attr<T: XsdType>(w: &mut XmlWriter, name: QName, value: &T) -> Result<()> {
        super::write_attr(w, name, value)
    }
}

/// The codec of a token (`xs:anyURI`, `xs:language`, a URI-valued
/// attribute): whitespace collapsed on reading ([`collapse`](crate::xsd::collapse)),
/// written as it is; an empty nillable element is `None`. See [`value`]
/// for what a codec is.
pub mod token {
    use crate::error::Result;
    use crate::name::QName;
    use crate::reader::{Start, XmlReader};
    use crate::writer::XmlWriter;
    use crate::xsd::collapse;

    /// The element's text, collapsed.
    pub fn read(r: &mut XmlReader<'_>, _start: &Start<'_>) -> Result<String> {
        Ok(collapse(&r.text()?).into_owned())
    }

    /// Like [`read`]; empty (or all-whitespace) is `None`.
    pub fn read_nillable(r: &mut XmlReader<'_>, start: &Start<'_>) -> Result<Option<String>> {
        let token = read(r, start)?;
        Ok((!token.is_empty()).then_some(token))
    }

    /// Writes `<name>text</name>`.
    pub fn write(w: &mut XmlWriter, name: QName, text: &str) -> Result<()> {
        w.text_element(name, text)
    }

    /// Writes `<name>text</name>`, or `<name xsi:nil="true"/>` for `None`.
    pub fn write_nillable(w: &mut XmlWriter, name: QName, text: Option<&String>) -> Result<()> {
        super::string::write_nillable(w, name, text)
    }

    /// Writes the text.
    pub fn write_content(w: &mut XmlWriter, text: &str) -> Result<()> {
        w.text(text)
    }

    /// The attribute's value, collapsed.
    pub fn read_attr(_r: &XmlReader<'_>, start: &Start<'_>, name: QName) -> Result<Option<String>> {
        Ok(start.attr(name).map(|s| collapse(s).into_owned()))
    }

    /// Writes the attribute as it is.
    pub fn write_attr(w: &mut XmlWriter, name: QName, text: &str) -> Result<()> {
        w.attribute(name, text)
    }
}

/// The codec of a child whose type reads and writes its own element with a
/// hand-written [`FromXml`](crate::FromXml) and [`ToXml`] (a type with
/// quirks the derive does not express): `#[xml(with = fields::element)]`.
///
/// The field's `name` (and `ns`) must be the element's: it is what is
/// matched on reading, while [`ToXml::write`] writes the element's own
/// name. See [`value`] for what a codec is.
pub mod element {
    use crate::error::Result;
    use crate::name::QName;
    use crate::reader::{Start, XmlReader};
    use crate::traits::{FromXml, ToXml};
    use crate::writer::XmlWriter;

    /// [`FromXml::read`].
    pub fn read<'a, T: FromXml<'a>>(r: &mut XmlReader<'a>, start: &Start<'a>) -> Result<T> {
        T::read(r, start)
    }

    /// [`ToXml::write`]; `name` is the element's own (not written here).
    pub fn write<T: ToXml + ?Sized>(w: &mut XmlWriter, _name: QName, value: &T) -> Result<()> {
        value.write(w)
    }
}

/// The codec of an `xs:string` kept exactly (the type preserves
/// whitespace): an empty nillable element is the empty string. See
/// [`value`] for what a codec is.
pub mod string {
    use crate::error::Result;
    use crate::name::QName;
    use crate::reader::{Start, XmlReader};
    use crate::writer::XmlWriter;

    /// The element's text.
    pub fn read(r: &mut XmlReader<'_>, _start: &Start<'_>) -> Result<String> {
        Ok(r.text()?.into_owned())
    }

    /// The element's text, `Some("")` when empty.
    pub fn read_nillable(r: &mut XmlReader<'_>, start: &Start<'_>) -> Result<Option<String>> {
        read(r, start).map(Some)
    }

    /// Writes `<name>text</name>`.
    pub fn write(w: &mut XmlWriter, name: QName, text: &str) -> Result<()> {
        w.text_element(name, text)
    }

    /// Writes `<name>text</name>`, or `<name xsi:nil="true"/>` for `None`.
    pub fn write_nillable(w: &mut XmlWriter, name: QName, text: Option<&String>) -> Result<()> {
        match text {
            Some(t) => w.text_element(name, t),
            None => w.nil_element(name),
        }
    }

    /// Writes the text.
    pub fn write_content(w: &mut XmlWriter, text: &str) -> Result<()> {
        w.text(text)
    }

    /// The attribute's value as it is.
    pub fn read_attr(_r: &XmlReader<'_>, start: &Start<'_>, name: QName) -> Result<Option<String>> {
        Ok(start.attr(name).map(str::to_owned))
    }

    /// Writes the attribute.
    pub fn write_attr(w: &mut XmlWriter, name: QName, text: &str) -> Result<()> {
        w.attribute(name, text)
    }
}

/// The codec of a string whose surrounding whitespace does not count
/// (`wsse:Username`, MS-WSTEP's `DispositionMessage` and fault
/// `RequestID`): trimmed on reading, written as it is; an empty nillable
/// element is `None`. See [`value`] for what a codec is.
pub mod trimmed {
    use crate::error::Result;
    use crate::lexical::is_ws_char;
    use crate::name::QName;
    use crate::reader::{Start, XmlReader};
    use crate::writer::XmlWriter;

    /// The element's text, trimmed.
    pub fn read(r: &mut XmlReader<'_>, _start: &Start<'_>) -> Result<String> {
        Ok(r.text()?.trim_matches(is_ws_char).to_owned())
    }

    /// Like [`read`]; empty (or all-whitespace) is `None`.
    pub fn read_nillable(r: &mut XmlReader<'_>, start: &Start<'_>) -> Result<Option<String>> {
        let text = read(r, start)?;
        Ok((!text.is_empty()).then_some(text))
    }

    /// Writes `<name>text</name>`.
    pub fn write(w: &mut XmlWriter, name: QName, text: &str) -> Result<()> {
        w.text_element(name, text)
    }

    /// Writes `<name>text</name>`, or `<name xsi:nil="true"/>` for `None`.
    pub fn write_nillable(w: &mut XmlWriter, name: QName, text: Option<&String>) -> Result<()> {
        super::string::write_nillable(w, name, text)
    }

    /// Writes the text.
    pub fn write_content(w: &mut XmlWriter, text: &str) -> Result<()> {
        w.text(text)
    }
}

/// The codec of a complex type ([`ReadFields`] and [`WriteFields`], which
/// the derive implements): the default of a field without `with`. A
/// nillable element without child elements is `None`. See [`value`] for
/// what a codec is.
pub mod complex {
    use super::{Children, ReadFields, WriteFields};
    use crate::error::Result;
    use crate::name::QName;
    use crate::reader::{Start, XmlReader};
    use crate::writer::XmlWriter;

    /// Reads the element's attributes and children.
    pub fn read<'a, T: ReadFields<'a>>(r: &mut XmlReader<'a>, start: &Start<'a>) -> Result<T> {
        T::read_fields(r, start, Children::new())
    }

    /// Like [`read`]; no child elements is `None` (for simple content,
    /// the value is read).
    pub fn read_nillable<'a, T: ReadFields<'a>>(
        r: &mut XmlReader<'a>,
        start: &Start<'a>,
    ) -> Result<Option<T>> {
        if T::SIMPLE_CONTENT {
            return read(r, start).map(Some);
        }
        match r.next_child()? {
            None => Ok(None),
            Some(first) => T::read_fields(r, start, Children::with_first(first)).map(Some),
        }
    }

    /// Writes the element `name` with the value's attributes and children.
    pub fn write<T: WriteFields>(w: &mut XmlWriter, name: QName, value: &T) -> Result<()> {
        w.start(name)?;
        value.write_fields(w)?;
        w.end()
    }

    /// Like [`write()`], or `<name xsi:nil="true"/>` for `None`.
    pub fn write_nillable<T: WriteFields>(
        w: &mut XmlWriter,
        name: QName,
        value: Option<&T>,
    ) -> Result<()> {
        match value {
            Some(v) => write(w, name, v),
            None => w.nil_element(name),
        }
    }
}
