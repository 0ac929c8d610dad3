//! A namespace-correct pull reader over quick-xml's [`NsReader`].
//!
//! Elements and attributes are matched by namespace URI and local name; the
//! prefixes a document uses never matter. DTDs are rejected, only the five
//! predefined entities and character references are expanded, and every
//! [`Limits`] value is enforced before the work it bounds is done.

use std::borrow::Cow;
use std::collections::HashSet;
use std::rc::Rc;

use quick_xml::XmlVersion;
use quick_xml::events::attributes::Attribute as QxAttribute;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{NamespaceError, QName as QxName, ResolveResult};
use quick_xml::reader::NsReader;

use crate::error::{Error, ErrorKind, Result};
use crate::lexical::{first_forbidden_char, is_qname, is_ws_char, is_xml_char, is_xml_ws};
use crate::limits::{Limit, Limits};
use crate::name::{OwnedQName, QName};
use crate::ns;
use crate::xsd::XsdType;

/// Checks and decodes raw input bytes into UTF-8 text.
///
/// - Inputs larger than [`Limits::max_document_len`] are refused before any
///   other work.
/// - A UTF-8 byte order mark is accepted; UTF-16 with a byte order mark is
///   transcoded. UTF-16 without a byte order mark, other encodings and
///   invalid UTF-8 give [`ErrorKind::Encoding`] with the offset of the first
///   bad byte.
/// - A NUL byte, which XML never allows, gives [`ErrorKind::Encoding`].
///
/// ```
/// use soap_envelope::{decode_input, Limits};
///
/// let text = decode_input(b"\xEF\xBB\xBF<a/>", &Limits::default()).unwrap();
/// assert_eq!(&*text, "\u{FEFF}<a/>");
/// assert!(decode_input(b"<a>\xFF</a>", &Limits::default()).is_err());
/// ```
pub fn decode_input<'a>(input: &'a [u8], limits: &Limits) -> Result<Cow<'a, str>> {
    if input.len() > limits.max_document_len {
        return Err(Error::new(
            ErrorKind::LimitExceeded {
                limit: Limit::DocumentLength,
                max: limits.max_document_len,
            },
            "",
            limits.max_document_len as u64,
        ));
    }
    let text: Cow<'a, str> = match input {
        [0xFE, 0xFF, rest @ ..] | [0xFF, 0xFE, rest @ ..] => {
            let big_endian = input[0] == 0xFE;
            if rest.len() % 2 != 0 {
                return Err(Error::new(
                    ErrorKind::Encoding("UTF-16 input has an odd number of bytes".into()),
                    "",
                    input.len() as u64,
                ));
            }
            let units = rest.chunks_exact(2).map(|c| {
                if big_endian {
                    u16::from_be_bytes([c[0], c[1]])
                } else {
                    u16::from_le_bytes([c[0], c[1]])
                }
            });
            let mut s = String::with_capacity(rest.len() / 2);
            for (i, ch) in char::decode_utf16(units).enumerate() {
                match ch {
                    Ok(c) => s.push(c),
                    Err(_) => {
                        return Err(Error::new(
                            ErrorKind::Encoding("unpaired UTF-16 surrogate".into()),
                            "",
                            2 + 2 * i as u64,
                        ));
                    }
                }
            }
            Cow::Owned(s)
        }
        _ => match std::str::from_utf8(input) {
            Ok(s) => Cow::Borrowed(s),
            Err(e) => {
                return Err(Error::new(
                    ErrorKind::Encoding("invalid UTF-8".into()),
                    "",
                    e.valid_up_to() as u64,
                ));
            }
        },
    };
    check_chars(&text)?;
    Ok(text)
}

/// Rejects characters that XML 1.0 never allows (control characters other
/// than tab, line feed and carriage return; U+FFFE and U+FFFF), which the
/// underlying tokenizer would pass through. A NUL near the start is the
/// mark of UTF-16 without a byte order mark.
fn check_chars(text: &str) -> Result<()> {
    let Some(pos) = first_forbidden_char(text.as_bytes()) else {
        return Ok(());
    };
    let kind = if text.as_bytes()[pos] == 0 && pos < 4 {
        ErrorKind::Encoding("NUL byte: UTF-16 without a byte order mark is not accepted".into())
    } else if text.as_bytes()[pos] == 0 {
        ErrorKind::Encoding("NUL byte is not allowed in XML".into())
    } else {
        let c = text[pos..].chars().next().unwrap_or_default();
        ErrorKind::Malformed(format!(
            "character U+{:04X} is not allowed in XML",
            u32::from(c)
        ))
    };
    Err(Error::new(kind, "", pos as u64))
}

/// A start tag as read: its expanded name, attributes and position.
///
/// Namespace declarations (`xmlns`, `xmlns:p`) are not attributes here.
#[derive(Debug, Clone)]
pub struct Start<'a> {
    ns: Option<Rc<str>>,
    local: &'a str,
    attrs: Vec<Attribute<'a>>,
    offset: u64,
    empty: bool,
}

impl<'a> Start<'a> {
    /// The namespace URI, `None` for no namespace.
    pub fn ns(&self) -> Option<&str> {
        self.ns.as_deref()
    }

    /// The local name.
    pub fn local(&self) -> &'a str {
        self.local
    }

    /// Whether this element has the given expanded name.
    pub fn is(&self, name: QName) -> bool {
        self.local == name.local && self.ns.as_deref().unwrap_or("") == name.ns
    }

    /// The owned expanded name.
    pub fn name(&self) -> OwnedQName {
        OwnedQName::new(self.ns.as_deref().map(str::to_owned), self.local)
    }

    /// The attributes, without namespace declarations, in document order.
    pub fn attributes(&self) -> &[Attribute<'a>] {
        &self.attrs
    }

    /// The value of the attribute with this expanded name. Use `""` as the
    /// namespace of an unqualified attribute.
    pub fn attr(&self, name: QName) -> Option<&str> {
        self.attrs.iter().find(|a| a.is(name)).map(|a| &*a.value)
    }

    /// The byte offset of the `<` of this start tag.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Whether the element was written as an empty-element tag (`<a/>`).
    pub fn is_empty_tag(&self) -> bool {
        self.empty
    }
}

/// An attribute with its namespace resolved and its value normalized and
/// unescaped.
#[derive(Debug, Clone)]
pub struct Attribute<'a> {
    ns: Option<Rc<str>>,
    local: &'a str,
    /// The normalized value (XML 1.0 attribute-value normalization, entity
    /// and character references expanded).
    pub value: Cow<'a, str>,
}

impl<'a> Attribute<'a> {
    /// The namespace URI, `None` for an unqualified attribute.
    pub fn ns(&self) -> Option<&str> {
        self.ns.as_deref()
    }

    /// The local name.
    pub fn local(&self) -> &'a str {
        self.local
    }

    /// Whether this attribute has the given expanded name (`""` namespace
    /// for unqualified).
    pub fn is(&self, name: QName) -> bool {
        self.local == name.local && self.ns.as_deref().unwrap_or("") == name.ns
    }

    /// The owned expanded name.
    pub fn name(&self) -> OwnedQName {
        OwnedQName::new(self.ns.as_deref().map(str::to_owned), self.local)
    }
}

#[derive(Debug)]
struct Frame<'a> {
    local: &'a str,
    index: u32,
    offset: u64,
    empty: bool,
    last_child: Option<(&'a str, u32)>,
}

/// A pull reader that yields elements by expanded name.
///
/// After [`root`](Self::root) or [`next_child`](Self::next_child) returns a
/// [`Start`], that element is *current*: read its attributes from the
/// `Start`, then consume its content with exactly one of
/// [`next_child`](Self::next_child) (until it returns `None`),
/// [`text`](Self::text), [`value`](Self::value), [`skip`](Self::skip) or
/// [`any`](Self::any). Finally call [`finish`](Self::finish), which checks
/// that nothing but comments and whitespace follow the root element.
///
/// ```
/// use soap_envelope::{QName, XmlReader};
///
/// const A: QName = QName::new("urn:a", "a");
/// const B: QName = QName::new("urn:a", "b");
/// let xml = r#"<x:a xmlns:x="urn:a"><!-- c --><b xmlns="urn:a">42</b></x:a>"#;
/// let mut r = XmlReader::new(xml).unwrap();
/// let root = r.root().unwrap();
/// assert!(root.is(A));
/// let child = r.next_child().unwrap().unwrap();
/// assert!(child.is(B));
/// assert_eq!(r.value::<u32>().unwrap(), 42);
/// assert!(r.next_child().unwrap().is_none());
/// r.finish().unwrap();
/// ```
pub struct XmlReader<'a> {
    inner: NsReader<&'a [u8]>,
    input: &'a str,
    limits: Limits,
    stack: Vec<Frame<'a>>,
    root_done: bool,
    root_started: bool,
    last_closed: Option<Frame<'a>>,
    any_event: bool,
    elements: usize,
    interned: HashSet<Rc<str>>,
    /// The namespaces resolved last, most recent first (at most
    /// [`RECENT_NS`]): a message switches among a few (SOAP, WS-Addressing,
    /// WS-Trust, ...), and comparing with them is cheaper than hashing.
    recent_ns: Vec<Rc<str>>,
    event_offset: u64,
}

impl std::fmt::Debug for XmlReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XmlReader")
            .field("path", &self.path())
            .field("offset", &self.event_offset)
            .finish_non_exhaustive()
    }
}

impl<'a> XmlReader<'a> {
    /// A reader over `input` with the default [`Limits`].
    pub fn new(input: &'a str) -> Result<Self> {
        Self::with_limits(input, Limits::default())
    }

    /// A reader over `input` with the given limits. Use [`decode_input`]
    /// first to turn raw bytes into text.
    pub fn with_limits(input: &'a str, limits: Limits) -> Result<Self> {
        if input.len() > limits.max_document_len {
            return Err(Error::new(
                ErrorKind::LimitExceeded {
                    limit: Limit::DocumentLength,
                    max: limits.max_document_len,
                },
                "",
                limits.max_document_len as u64,
            ));
        }
        check_chars(input)?;
        Ok(Self::decoded(input, limits))
    }

    /// A reader over text [`decode_input`] returned (which checked its
    /// length and characters already).
    pub(crate) fn decoded(input: &'a str, limits: Limits) -> Self {
        let mut inner = NsReader::from_str(input);
        let config = inner.config_mut();
        config.enable_all_checks(true);
        config.expand_empty_elements = false;
        config.trim_text(false);
        inner
            .resolver_mut()
            .set_max_namespace_bindings(limits.max_ns_decls);
        Self {
            inner,
            input,
            limits,
            stack: Vec::new(),
            root_done: false,
            root_started: false,
            last_closed: None,
            any_event: false,
            elements: 0,
            interned: HashSet::new(),
            recent_ns: Vec::with_capacity(RECENT_NS),
            event_offset: 0,
        }
    }

    /// The limits this reader enforces.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The path of the current element, e.g. `/Envelope/Body/x[2]`.
    pub fn path(&self) -> String {
        let mut p = String::new();
        for f in &self.stack {
            push_segment(&mut p, f);
        }
        if p.is_empty() {
            p.push('/');
        }
        p
    }

    /// The byte offset of the current element's start tag (or of the last
    /// event read when no element is open).
    pub fn offset(&self) -> u64 {
        self.stack.last().map_or(self.event_offset, |f| f.offset)
    }

    /// An error of `kind` at the current element.
    pub fn error(&self, kind: ErrorKind) -> Error {
        Error::new(kind, self.path(), self.offset())
    }

    /// An error of `kind` about the element that was just closed (for
    /// example a required child found missing once its end tag was read).
    pub fn error_after(&self, kind: ErrorKind) -> Error {
        match &self.last_closed {
            Some(f) => {
                let mut path = self.path();
                if path == "/" {
                    path.clear();
                }
                push_segment(&mut path, f);
                Error::new(kind, path, f.offset)
            }
            None => self.error(kind),
        }
    }

    fn error_here(&self, kind: ErrorKind) -> Error {
        Error::new(kind, self.path(), self.event_offset)
    }

    pub(crate) fn limit(&self, limit: Limit) -> Error {
        self.error_here(ErrorKind::LimitExceeded {
            limit,
            max: self.limits.get(limit),
        })
    }

    fn map_qx(&self, e: &quick_xml::Error) -> Error {
        let offset = self.inner.error_position().max(self.event_offset);
        let kind = match e {
            quick_xml::Error::Namespace(NamespaceError::TooManyBindings(_)) => {
                ErrorKind::LimitExceeded {
                    limit: Limit::NamespaceDeclarations,
                    max: self.limits.max_ns_decls,
                }
            }
            quick_xml::Error::Namespace(NamespaceError::TooDeeplyNested(_)) => {
                ErrorKind::LimitExceeded {
                    limit: Limit::Depth,
                    max: self.limits.max_depth,
                }
            }
            quick_xml::Error::Namespace(NamespaceError::UnknownPrefix(p)) => {
                ErrorKind::UnboundPrefix(p.clone())
            }
            quick_xml::Error::Encoding(e) => ErrorKind::Encoding(e.to_string()),
            quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(
                _,
                name,
            )) => ErrorKind::UndefinedEntity(name.clone()),
            other => ErrorKind::Malformed(other.to_string()),
        };
        Error::new(kind, self.path(), offset)
    }

    fn reborrow(&self, s: &str) -> Result<&'a str> {
        reborrow(self.input, s).ok_or_else(|| {
            self.error_here(ErrorKind::Malformed("name not found in the input".into()))
        })
    }

    /// Well-formedness checks quick-xml leaves to us: the attribute's name
    /// is a QName and its value has no literal `<`.
    fn check_attribute(&self, a: &QxAttribute<'_>) -> Result<()> {
        if !is_qname(a.key.0) {
            return Err(self.error_here(ErrorKind::Malformed(format!(
                "'{}' is not a valid attribute name",
                a.key.0.chars().take(64).collect::<String>()
            ))));
        }
        if a.value.as_bytes().contains(&b'<') {
            return Err(self.error_here(ErrorKind::Malformed(
                "'<' is not allowed in an attribute value".into(),
            )));
        }
        Ok(())
    }

    /// Reads the next raw event, mapping errors and rejecting DTDs.
    #[inline]
    pub(crate) fn next_event(&mut self) -> Result<Event<'a>> {
        self.event_offset = self.inner.buffer_position();
        let ev = match self.inner.read_event() {
            Ok(ev) => ev,
            Err(e) => return Err(self.map_qx(&e)),
        };
        let first = !self.any_event;
        self.any_event = true;
        match &ev {
            Event::DocType(_) => Err(self.error_here(ErrorKind::DtdForbidden)),
            Event::Text(t) if has_cdata_end(t) => Err(self.error_here(ErrorKind::Malformed(
                "']]>' is not allowed in character data".into(),
            ))),
            Event::Decl(_) if !first => Err(self.error_here(ErrorKind::Malformed(
                "the XML declaration must come first in the document".into(),
            ))),
            Event::Decl(d) => {
                if let Some(enc) = d.encoding() {
                    let enc =
                        enc.map_err(|e| self.error_here(ErrorKind::Malformed(e.to_string())))?;
                    let ok = ["utf-8", "utf8", "utf-16", "utf16"]
                        .iter()
                        .any(|n| enc.eq_ignore_ascii_case(n));
                    if !ok {
                        return Err(self.error_here(ErrorKind::Encoding(format!(
                            "declared encoding '{enc}' is not supported (only UTF-8 and UTF-16)"
                        ))));
                    }
                }
                Ok(ev)
            }
            _ => Ok(ev),
        }
    }

    fn resolve_attr_ns(&mut self, key: QxName<'_>) -> Result<(Option<Rc<str>>, &'static str)> {
        let (res, _) = self.inner.resolver().resolve_attribute(key);
        match res {
            ResolveResult::Unbound => Ok((None, "")),
            // `n` borrows the resolver, the tables are other fields: no
            // copy of the URI.
            ResolveResult::Bound(n) => {
                let ns = namespace(&mut self.recent_ns, &mut self.interned, n.0);
                Ok((Some(ns.map_err(|k| self.error_here(k))?), ""))
            }
            ResolveResult::Unknown(p) => Err(self.error_here(ErrorKind::UnboundPrefix(p))),
        }
    }

    fn element_ns(&mut self, e: &BytesStart<'_>) -> Result<Option<Rc<str>>> {
        if !is_qname(e.name().0) || e.name().0.starts_with("xmlns:") {
            // Namespaces in XML 1.0, 3: element names MUST NOT have the
            // prefix `xmlns`.
            return Err(self.error_here(ErrorKind::Malformed(format!(
                "'{}' is not a valid element name",
                e.name().0.chars().take(64).collect::<String>()
            ))));
        }
        let (res, _) = self.inner.resolver().resolve_element(e.name());
        match res {
            ResolveResult::Unbound => Ok(None),
            ResolveResult::Bound(n) => {
                let ns = namespace(&mut self.recent_ns, &mut self.interned, n.0);
                Ok(Some(ns.map_err(|k| self.error_here(k))?))
            }
            ResolveResult::Unknown(p) => Err(self.error_here(ErrorKind::UnboundPrefix(p))),
        }
    }

    /// Checks a start tag at nesting `depth` (1 for the root) against the
    /// limits and the well-formedness rules quick-xml leaves to us, resolves
    /// its names and returns its namespace and attributes.
    fn checked_start(
        &mut self,
        e: &BytesStart<'a>,
        depth: usize,
    ) -> Result<(Option<Rc<str>>, Vec<Attribute<'a>>)> {
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            return Err(self.limit(Limit::Elements));
        }
        if depth > self.limits.max_depth {
            return Err(self.limit(Limit::Depth));
        }
        let ns = self.element_ns(e)?;
        let mut attrs = Vec::new();
        let mut count = 0usize;
        // quick-xml's check of repeated raw names keeps a list of them per
        // tag. The check by expanded name below covers every attribute but
        // the namespace declarations it passes over, so quick-xml's is only
        // kept for a tag that declares a namespace.
        let mut all = e.attributes();
        all.with_checks(declares_ns(e.attributes_raw()));
        for a in all {
            count += 1;
            if count > self.limits.max_attributes {
                return Err(self.limit(Limit::Attributes));
            }
            let a = a.map_err(|err| self.map_qx(&quick_xml::Error::InvalidAttr(err)))?;
            if a.value.len() > self.limits.max_attr_len {
                return Err(self.limit(Limit::AttributeLength));
            }
            self.check_attribute(&a)?;
            let key = a.key;
            if key.0 == "xmlns" || key.0.starts_with("xmlns:") {
                continue;
            }
            let (ans, _) = self.resolve_attr_ns(key)?;
            // Borrow from the input: the event's slices point into it.
            let value = match normalize_attr(&a).map_err(|err| self.map_qx(&err))? {
                Cow::Borrowed(v) => Cow::Borrowed(self.reborrow(v)?),
                Cow::Owned(v) => Cow::Owned(v),
            };
            let alocal = self.reborrow(local_part(key.0))?;
            // Two prefixes bound to one URI still name one attribute
            // (Namespaces in XML 1.0, 6.3): `p:b` and `q:b` may not both be
            // there, or one element would say two things.
            if attrs
                .iter()
                .any(|b: &Attribute<'a>| b.local == alocal && b.ns == ans)
            {
                return Err(self.error_here(ErrorKind::Malformed(format!(
                    "attribute '{}' appears twice with the same namespace",
                    key.0
                ))));
            }
            attrs.push(Attribute {
                ns: ans,
                local: alocal,
                value,
            });
        }
        Ok((ns, attrs))
    }

    /// Opens an element: checks limits, resolves names, pushes a frame.
    #[inline]
    pub(crate) fn open(&mut self, e: &BytesStart<'a>, empty: bool) -> Result<Start<'a>> {
        let (ns, attrs) = self.checked_start(e, self.stack.len() + 1)?;
        let local = self.reborrow(local_part(e.name().0))?;
        let index = match self.stack.last_mut() {
            Some(parent) => {
                let idx = match parent.last_child {
                    Some((l, n)) if l == local => n + 1,
                    _ => 1,
                };
                parent.last_child = Some((local, idx));
                idx
            }
            None => 1,
        };
        self.stack.push(Frame {
            local,
            index,
            offset: self.event_offset,
            empty,
            last_child: None,
        });
        Ok(Start {
            ns,
            local,
            attrs,
            offset: self.event_offset,
            empty,
        })
    }

    /// Reads the prolog and returns the root element's start tag.
    pub fn root(&mut self) -> Result<Start<'a>> {
        if self.root_started {
            return Err(self.error(ErrorKind::Writer("root() called twice")));
        }
        loop {
            match self.next_event()? {
                Event::Start(e) => {
                    self.root_started = true;
                    return self.open(&e, false);
                }
                Event::Empty(e) => {
                    self.root_started = true;
                    return self.open(&e, true);
                }
                Event::Text(t) if is_xml_ws(&t) => {}
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
                Event::Eof => {
                    return Err(self.error_here(ErrorKind::Malformed("no root element".into())));
                }
                Event::End(_) => {
                    return Err(self.error_here(ErrorKind::Malformed(
                        "end tag before the root element".into(),
                    )));
                }
                _ => {
                    return Err(self.error_here(ErrorKind::Malformed(
                        "content before the root element".into(),
                    )));
                }
            }
        }
    }

    #[inline]
    pub(crate) fn close(&mut self) {
        self.last_closed = self.stack.pop();
        if self.stack.is_empty() {
            self.root_done = true;
        }
    }

    #[inline]
    pub(crate) fn current_empty(&self) -> Result<bool> {
        match self.stack.last() {
            Some(f) => Ok(f.empty),
            None => Err(self.error_here(ErrorKind::Writer("no current element"))),
        }
    }

    /// The next child element of the current element, or `None` once its
    /// end tag is read (the element is then closed). Whitespace, comments and
    /// processing instructions are passed over; other text is
    /// [`ErrorKind::UnexpectedText`].
    pub fn next_child(&mut self) -> Result<Option<Start<'a>>> {
        if self.current_empty()? {
            self.close();
            return Ok(None);
        }
        loop {
            match self.next_event()? {
                Event::Start(e) => return self.open(&e, false).map(Some),
                Event::Empty(e) => return self.open(&e, true).map(Some),
                Event::End(_) => {
                    self.close();
                    return Ok(None);
                }
                Event::Text(t) => {
                    if !is_xml_ws(&t) {
                        return Err(self.error_here(ErrorKind::UnexpectedText));
                    }
                }
                Event::CData(t) => {
                    if !t.chars().all(is_ws_char) {
                        return Err(self.error_here(ErrorKind::UnexpectedText));
                    }
                }
                Event::GeneralRef(_) => return Err(self.error_here(ErrorKind::UnexpectedText)),
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) | Event::DocType(_) => {}
                Event::Eof => return Err(self.eof_error()),
            }
        }
    }

    pub(crate) fn eof_error(&self) -> Error {
        self.error_here(ErrorKind::Malformed(format!(
            "unexpected end of document: {} element(s) not closed",
            self.stack.len()
        )))
    }

    #[inline]
    pub(crate) fn push_text(&self, acc: &mut Cow<'a, str>, piece: Cow<'a, str>) -> Result<()> {
        if acc.is_empty() {
            *acc = piece;
        } else {
            acc.to_mut().push_str(&piece);
        }
        if acc.len() > self.limits.max_text_len {
            return Err(self.limit(Limit::TextLength));
        }
        Ok(())
    }

    pub(crate) fn resolve_ref(&self, name: &str) -> Result<Cow<'a, str>> {
        if let Some(num) = name.strip_prefix('#') {
            let code = if let Some(hex) = num.strip_prefix('x') {
                u32::from_str_radix(hex, 16).ok()
            } else {
                num.parse::<u32>().ok()
            };
            let ch = code.and_then(char::from_u32).filter(|c| is_xml_char(*c));
            return match ch {
                Some(c) => Ok(Cow::Owned(c.to_string())),
                None => Err(self.error_here(ErrorKind::Malformed(format!(
                    "invalid character reference '&{name};'"
                )))),
            };
        }
        match quick_xml::escape::resolve_predefined_entity(name) {
            Some(s) => Ok(Cow::Borrowed(s)),
            None => Err(self.error_here(ErrorKind::UndefinedEntity(name.to_owned()))),
        }
    }

    /// Reads the text content of the current element and closes it.
    /// Character and predefined entity references are expanded, CDATA is
    /// included, comments and processing instructions are dropped, line ends
    /// are normalized as XML 1.0 requires. A child element is
    /// [`ErrorKind::UnexpectedElement`].
    pub fn text(&mut self) -> Result<Cow<'a, str>> {
        let t = self.collect_text()?;
        self.close();
        Ok(t)
    }

    /// Reads the text of the current element like [`text`](Self::text) but
    /// leaves the element current, so that errors about the value and
    /// QName resolution ([`resolve_qname`](Self::resolve_qname)) still refer
    /// to it; call [`close_current`](Self::close_current) afterwards.
    pub fn collect_value_text(&mut self) -> Result<Cow<'a, str>> {
        self.collect_text()
    }

    /// Closes the current element after
    /// [`collect_value_text`](Self::collect_value_text).
    pub fn close_current(&mut self) {
        self.close();
    }

    fn collect_text(&mut self) -> Result<Cow<'a, str>> {
        if self.current_empty()? {
            return Ok(Cow::Borrowed(""));
        }
        let mut acc: Cow<'a, str> = Cow::Borrowed("");
        loop {
            match self.next_event()? {
                Event::Text(t) => {
                    if t.len() > self.limits.max_text_len {
                        return Err(self.limit(Limit::TextLength));
                    }
                    self.push_text(&mut acc, t.xml10_content())?;
                }
                Event::CData(t) => {
                    if t.len() > self.limits.max_text_len {
                        return Err(self.limit(Limit::TextLength));
                    }
                    self.push_text(&mut acc, t.xml10_content())?;
                }
                Event::GeneralRef(r) => {
                    let piece = self.resolve_ref(&r)?;
                    self.push_text(&mut acc, piece)?;
                }
                Event::End(_) => return Ok(acc),
                Event::Start(e) | Event::Empty(e) => {
                    let ns = self.element_ns(&e)?;
                    let found =
                        OwnedQName::new(ns.as_deref().map(str::to_owned), local_part(e.name().0));
                    return Err(self.error_here(ErrorKind::UnexpectedElement {
                        found,
                        expected: Some("text content".into()),
                    }));
                }
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) | Event::DocType(_) => {}
                Event::Eof => return Err(self.eof_error()),
            }
        }
    }

    /// Reads the text of the current element as an XML Schema value and
    /// closes it. A bad value is [`ErrorKind::BadValue`] at this element.
    pub fn value<T: XsdType>(&mut self) -> Result<T> {
        let t = self.collect_text()?;
        let v = T::parse_xsd(&t)
            .map_err(|reason| self.error(ErrorKind::bad_value(T::TYPE_NAME, &t, reason)))?;
        self.close();
        Ok(v)
    }

    /// Parses the attribute `name` of `start` (the current element) as an XML
    /// Schema value; `None` when absent.
    pub fn attr_value<T: XsdType>(&self, start: &Start<'_>, name: QName) -> Result<Option<T>> {
        match start.attr(name) {
            None => Ok(None),
            Some(raw) => T::parse_xsd(raw)
                .map(Some)
                .map_err(|reason| self.error(ErrorKind::bad_value(T::TYPE_NAME, raw, reason))),
        }
    }

    /// Whether `start` (the current element) carries `xsi:nil="true"`.
    pub fn is_nil(&self, start: &Start<'_>) -> Result<bool> {
        Ok(self
            .attr_value::<bool>(start, QName::new(ns::XSI, "nil"))?
            .unwrap_or(false))
    }

    /// Resolves a QName-valued text (such as a SOAP fault code `s:Sender`)
    /// against the namespace declarations in scope at the element just read.
    pub fn resolve_qname(&self, value: &str) -> Result<OwnedQName> {
        let value = value.trim_matches(is_ws_char);
        let local = local_part(value);
        if !is_qname(value) {
            return Err(self.error(ErrorKind::bad_value("xs:QName", value, "not a QName")));
        }
        // The `xmlns` prefix only declares namespaces and names nothing
        // (Namespaces in XML 1.0, section 3); what it would resolve to
        // cannot be written back under any prefix.
        if value.starts_with("xmlns:") {
            return Err(self.error(ErrorKind::bad_value(
                "xs:QName",
                value,
                "the xmlns prefix is reserved for namespace declarations",
            )));
        }
        let (res, _) = self.inner.resolver().resolve_element(QxName(value));
        match res {
            ResolveResult::Unbound => Ok(OwnedQName::new(None, local)),
            ResolveResult::Bound(n) => {
                let uri = normalize_ns(n.0).map_err(|k| self.error(k))?.into_owned();
                Ok(OwnedQName::new(Some(uri), local))
            }
            ResolveResult::Unknown(p) => Err(self.error(ErrorKind::UnboundPrefix(p))),
        }
    }

    /// Skips the rest of the current element (its whole subtree) and closes
    /// it. Limits are still enforced and the skipped content is still checked
    /// for well-formedness.
    pub fn skip(&mut self) -> Result<()> {
        if self.current_empty()? {
            self.close();
            return Ok(());
        }
        let base = self.stack.len();
        let mut depth = 0usize;
        loop {
            match self.next_event()? {
                Event::Start(e) => {
                    depth += 1;
                    self.checked_start(&e, base + depth)?;
                }
                Event::Empty(e) => {
                    self.checked_start(&e, base + depth + 1)?;
                }
                Event::End(_) => {
                    if depth == 0 {
                        self.close();
                        return Ok(());
                    }
                    depth -= 1;
                }
                Event::GeneralRef(r) => {
                    self.resolve_ref(&r)?;
                }
                Event::Eof => return Err(self.eof_error()),
                _ => {}
            }
        }
    }

    /// Checks that only comments, processing instructions and whitespace
    /// follow the root element, and that the root element was closed.
    pub fn finish(mut self) -> Result<()> {
        if !self.root_done {
            return Err(self.error_here(ErrorKind::Writer(
                "finish() called before the root element was read",
            )));
        }
        loop {
            match self.next_event()? {
                Event::Eof => return Ok(()),
                Event::Text(t) if is_xml_ws(&t) => {}
                Event::Comment(_) | Event::PI(_) => {}
                Event::Start(_) | Event::Empty(_) => {
                    return Err(
                        self.error_here(ErrorKind::Malformed("a second root element".into()))
                    );
                }
                _ => {
                    return Err(self.error_here(ErrorKind::Malformed(
                        "content after the root element".into(),
                    )));
                }
            }
        }
    }
}

/// Appends `/local` or `/local[n]` (the n-th of consecutive same-named
/// siblings) to an element path.
fn push_segment(path: &mut String, f: &Frame<'_>) {
    use std::fmt::Write as _;
    path.push('/');
    path.push_str(f.local);
    if f.index > 1 {
        let _ = write!(path, "[{}]", f.index);
    }
}

/// How many recently resolved namespaces a reader compares with before
/// hashing.
const RECENT_NS: usize = 4;

/// The shared name of the namespace a prefix is bound to, given the
/// declaration's raw value: one of the few used last (`recent`), else one of
/// the [`KNOWN_NS`], else the normalized value interned for this document.
/// Only the last step hashes, and only a namespace new to the document
/// allocates.
#[inline]
fn namespace(
    recent_ns: &mut Vec<Rc<str>>,
    interned: &mut HashSet<Rc<str>>,
    raw: &str,
) -> std::result::Result<Rc<str>, ErrorKind> {
    // `recent_ns` and `KNOWN_NS` have none of the characters normalizing
    // changes, so raw bytes equal to one are already normal.
    if let Some(rc) = recent(recent_ns, raw) {
        return Ok(rc);
    }
    let rc = if let Some(rc) = known(raw) {
        rc
    } else if !needs_ns_normalizing(raw)
        && let Some(rc) = interned.get(raw)
    {
        rc.clone()
    } else {
        let uri = normalize_ns(raw)?;
        if let Some(rc) = interned.get(&*uri) {
            rc.clone()
        } else {
            let rc: Rc<str> = Rc::from(&*uri);
            interned.insert(rc.clone());
            rc
        }
    };
    if !needs_ns_normalizing(&rc) {
        recent_ns.truncate(RECENT_NS - 1);
        recent_ns.insert(0, rc.clone());
    }
    Ok(rc)
}

/// Whether the attributes of a start tag may hold a namespace declaration.
#[inline]
fn declares_ns(raw: &str) -> bool {
    raw.contains("xmlns")
}

/// Whether character data holds `]]>`, which XML 1.0 2.4 forbids there.
/// Looks for `]` first (a `memchr`): most text has none, and building a
/// substring searcher for every whitespace run between elements costs more
/// than the scan.
#[inline]
fn has_cdata_end(text: &str) -> bool {
    let mut rest = text;
    while let Some(i) = rest.find(']') {
        rest = &rest[i + 1..];
        if rest.starts_with("]>") {
            return true;
        }
    }
    false
}

/// The namespaces of the messages this crate exists for, shared by every
/// reader of a thread so that meeting one costs a comparison, not a hash
/// and an allocation per document.
const KNOWN_NS: [&str; 14] = [
    ns::SOAP12,
    ns::WSA,
    ns::WSSE,
    ns::WSU,
    ns::WST,
    ns::XSI,
    ns::XS,
    ns::DS,
    ns::SOAP11,
    // [MS-XCEP] 2.2, [MS-WSTEP] 2.2, [MS-MDE2] 2.2.
    "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy",
    "http://schemas.microsoft.com/windows/pki/2009/01/enrollment",
    "http://schemas.xmlsoap.org/ws/2006/12/authorization",
    "http://schemas.microsoft.com/windows/management/2012/01/enrollment",
    // The spelling with a slash some MDM servers send.
    "http://schemas.microsoft.com/windows/management/2012/01/enrollment/",
];

thread_local! {
    static KNOWN: [Rc<str>; KNOWN_NS.len()] = KNOWN_NS.map(Rc::from);
}

/// The shared name of `raw` if it is one of the [`KNOWN_NS`].
#[inline]
fn known(raw: &str) -> Option<Rc<str>> {
    let i = KNOWN_NS.iter().position(|k| *k == raw)?;
    Some(KNOWN.with(|t| t[i].clone()))
}

/// The namespace among `list` (most recent first) equal to `raw`, moved to
/// the front.
#[inline]
fn recent(list: &mut [Rc<str>], raw: &str) -> Option<Rc<str>> {
    let i = list.iter().position(|r| **r == *raw)?;
    list[..=i].rotate_right(1);
    Some(list[0].clone())
}

/// The local part of a qualified name.
fn local_part(raw: &str) -> &str {
    match raw.bytes().position(|b| b == b':') {
        Some(i) => &raw[i + 1..],
        None => raw,
    }
}

/// Re-borrows `s`, a slice of `input`, with the input's lifetime. quick-xml's
/// slice reader hands out names that point into the input but are tied to
/// the event's borrow; this recovers the longer lifetime without copying.
fn reborrow<'a>(input: &'a str, s: &str) -> Option<&'a str> {
    let start = (s.as_ptr() as usize).checked_sub(input.as_ptr() as usize)?;
    input
        .get(start..start.checked_add(s.len())?)
        .filter(|sub| sub.as_ptr() == s.as_ptr())
}

fn normalize_attr<'a>(a: &QxAttribute<'a>) -> std::result::Result<Cow<'a, str>, quick_xml::Error> {
    a.normalized_value(XmlVersion::Implicit1_0)
}

/// The namespace name of a declaration: quick-xml resolves prefixes to the
/// raw attribute value, so apply attribute-value normalization (whitespace
/// to spaces) and expand references here. Real namespace URIs have neither,
/// so this is a scan and no copy.
fn normalize_ns(raw: &str) -> std::result::Result<Cow<'_, str>, ErrorKind> {
    if !needs_ns_normalizing(raw) {
        return Ok(Cow::Borrowed(raw));
    }
    // Line ends are folded first (XML 1.0 2.11), then each whitespace
    // character becomes a space (3.3.3).
    let spaced = raw.replace("\r\n", "\n").replace(['\t', '\n', '\r'], " ");
    match quick_xml::escape::unescape(&spaced) {
        Ok(v) => Ok(Cow::Owned(v.into_owned())),
        Err(quick_xml::escape::EscapeError::UnrecognizedEntity(_, name)) => {
            Err(ErrorKind::UndefinedEntity(name))
        }
        Err(e) => Err(ErrorKind::Malformed(e.to_string())),
    }
}

fn needs_ns_normalizing(raw: &str) -> bool {
    raw.bytes()
        .any(|b| matches!(b, b'&' | b'\t' | b'\n' | b'\r'))
}
