//! A namespace-correct pull reader over the crate's own tokenizer.
//!
//! Elements and attributes are matched by namespace URI and local name; the
//! prefixes a document uses never matter. DTDs are rejected, only the five
//! predefined entities and character references are expanded, and every
//! [`Limits`] value is enforced before the work it bounds is done.

use std::borrow::Cow;
use std::rc::Rc;

use crate::error::{Error, ErrorKind, Result};
use crate::lexical::{first_forbidden_char, is_qname, is_ws_char, is_xml_ws};
use crate::limits::{Limit, Limits};
use crate::name::{OwnedQName, QName};
use crate::ns;
use crate::tokenizer::{
    Event, RawAttr, Tokenizer, has_xmlns_prefix, normalize_attribute, normalize_line_ends,
    predefined_entity, push_reference, same_name,
};
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
/// than tab, line feed and carriage return; U+FFFE and U+FFFF) once, so
/// that the tokenizer can slice the text at ASCII delimiters unchecked. A NUL near the start is the
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
        same_name(self.local, name.local) && self.ns.as_deref().unwrap_or("") == name.ns
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
        same_name(self.local, name.local) && self.ns.as_deref().unwrap_or("") == name.ns
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
    tok: Tokenizer<'a>,
    limits: Limits,
    stack: Vec<Frame<'a>>,
    root_done: bool,
    root_started: bool,
    last_closed: Option<Frame<'a>>,
    elements: usize,
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
        Self {
            tok: Tokenizer::new(input, &limits),
            limits,
            stack: Vec::new(),
            root_done: false,
            root_started: false,
            last_closed: None,
            elements: 0,
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

    /// Well-formedness checks on an attribute: its name is a QName and its
    /// value has no literal `<` (XML 1.0 3.1, WFC: No < in Attribute
    /// Values).
    fn check_attribute(&self, a: &RawAttr<'_>) -> Result<()> {
        if !is_qname(a.name) {
            return Err(self.error_here(ErrorKind::Malformed(format!(
                "'{}' is not a valid attribute name",
                a.name.chars().take(64).collect::<String>()
            ))));
        }
        if memchr::memchr(b'<', a.value.as_bytes()).is_some() {
            return Err(self.error_here(ErrorKind::Malformed(
                "'<' is not allowed in an attribute value".into(),
            )));
        }
        Ok(())
    }

    /// Reads the next raw event; the tokenizer rejects DTDs and what is not
    /// well-formed.
    #[inline]
    pub(crate) fn next_event(&mut self) -> Result<Event<'a>> {
        let ev = self.tok.next();
        self.event_offset = self.tok.event_offset();
        ev.map_err(|e| Error::new(e.kind, self.path(), e.offset))
    }

    fn element_ns(&mut self, name: &str) -> Result<Option<Rc<str>>> {
        if !is_qname(name) || has_xmlns_prefix(name) {
            // Namespaces in XML 1.0, 3: element names MUST NOT have the
            // prefix `xmlns`.
            return Err(self.error_here(ErrorKind::Malformed(format!(
                "'{}' is not a valid element name",
                name.chars().take(64).collect::<String>()
            ))));
        }
        self.tok.resolve(name, true).map_err(|k| self.error_here(k))
    }

    /// Checks the start tag just read, named `name`, at nesting `depth` (1
    /// for the root) against the limits and the well-formedness rules left
    /// after tokenizing, resolves its names and returns its namespace and
    /// attributes.
    fn checked_start(
        &mut self,
        name: &'a str,
        depth: usize,
    ) -> Result<(Option<Rc<str>>, Vec<Attribute<'a>>)> {
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            return Err(self.limit(Limit::Elements));
        }
        if depth > self.limits.max_depth {
            return Err(self.limit(Limit::Depth));
        }
        let ns = self.element_ns(name)?;
        let mut attrs = Vec::new();
        let mut count = 0usize;
        for i in 0..self.tok.attrs().len() {
            let a = self.tok.attrs()[i];
            count += 1;
            if count > self.limits.max_attributes {
                return Err(self.limit(Limit::Attributes));
            }
            // A repeated name. The check by expanded name below finds it
            // too, after the value checks; in a tag with a namespace
            // declaration, which that check passes over, it is found here.
            if self.tok.attrs()[..i]
                .iter()
                .any(|b| same_name(b.name, a.name))
                && self.tok.attrs_mention_xmlns()
            {
                return Err(self.error_here(ErrorKind::Malformed(format!(
                    "attribute '{}' appears twice",
                    a.name
                ))));
            }
            if a.value.len() > self.limits.max_attr_len {
                return Err(self.limit(Limit::AttributeLength));
            }
            self.check_attribute(&a)?;
            if a.is_declaration() {
                continue;
            }
            let ans = self
                .tok
                .resolve(a.name, false)
                .map_err(|k| self.error_here(k))?;
            let value = normalize_attribute(a.value).map_err(|k| self.error_here(k))?;
            let alocal = local_part(a.name);
            // Two prefixes bound to one URI still name one attribute
            // (Namespaces in XML 1.0, 6.3): `p:b` and `q:b` may not both be
            // there, or one element would say two things.
            if attrs
                .iter()
                .any(|b: &Attribute<'a>| b.local == alocal && b.ns == ans)
            {
                return Err(self.error_here(ErrorKind::Malformed(format!(
                    "attribute '{}' appears twice with the same namespace",
                    a.name
                ))));
            }
            attrs.push(Attribute {
                ns: ans,
                local: alocal,
                value,
            });
        }
        if let Some(msg) = self.tok.attr_error() {
            count += 1;
            if count > self.limits.max_attributes {
                return Err(self.limit(Limit::Attributes));
            }
            return Err(self.error_here(ErrorKind::Malformed(msg.into())));
        }
        Ok((ns, attrs))
    }

    /// Opens an element: checks limits, resolves names, pushes a frame.
    #[inline]
    pub(crate) fn open(&mut self, name: &'a str, empty: bool) -> Result<Start<'a>> {
        let (ns, attrs) = self.checked_start(name, self.stack.len() + 1)?;
        let local = local_part(name);
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
                Event::Start { name, empty } => {
                    self.root_started = true;
                    return self.open(name, empty);
                }
                Event::Text(t) if is_xml_ws(t) => {}
                Event::Decl | Event::Pi | Event::Comment => {}
                Event::Eof => {
                    return Err(self.error_here(ErrorKind::Malformed("no root element".into())));
                }
                Event::End => {
                    return Err(self.error_here(ErrorKind::Malformed(
                        "end tag before the root element".into(),
                    )));
                }
                Event::Text(_) | Event::Ref(_) | Event::CData(_) => {
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
                Event::Start { name, empty } => return self.open(name, empty).map(Some),
                Event::End => {
                    self.close();
                    return Ok(None);
                }
                Event::Text(t) | Event::CData(t) => {
                    if !is_xml_ws(t) {
                        return Err(self.error_here(ErrorKind::UnexpectedText));
                    }
                }
                Event::Ref(_) => return Err(self.error_here(ErrorKind::UnexpectedText)),
                Event::Comment | Event::Pi | Event::Decl => {}
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

    /// Appends character data as read (a text or CDATA event), line ends
    /// normalized, to `acc`, checking the text length limit before and
    /// after.
    #[inline]
    pub(crate) fn push_raw_text(&self, acc: &mut Cow<'a, str>, raw: &'a str) -> Result<()> {
        if raw.len() > self.limits.max_text_len {
            return Err(self.limit(Limit::TextLength));
        }
        self.push_text(acc, normalize_line_ends(raw))
    }

    /// The expansion of the reference `&name;` in text: a predefined entity
    /// or a character reference (XML 1.0 4.1, 4.6).
    pub(crate) fn resolve_ref(&self, name: &str) -> Result<Cow<'a, str>> {
        if name.starts_with('#') {
            let mut s = String::new();
            return match push_reference(&mut s, name) {
                Ok(()) => Ok(Cow::Owned(s)),
                Err(k) => Err(self.error_here(k)),
            };
        }
        match predefined_entity(name) {
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
                Event::Text(t) | Event::CData(t) => self.push_raw_text(&mut acc, t)?,
                Event::Ref(r) => {
                    let piece = self.resolve_ref(r)?;
                    self.push_text(&mut acc, piece)?;
                }
                Event::End => return Ok(acc),
                Event::Start { name, .. } => {
                    let ns = self.element_ns(name)?;
                    let found = OwnedQName::new(ns.as_deref().map(str::to_owned), local_part(name));
                    return Err(self.error_here(ErrorKind::UnexpectedElement {
                        found,
                        expected: Some("text content".into()),
                    }));
                }
                Event::Comment | Event::Pi | Event::Decl => {}
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
        match self.tok.lookup(value, true) {
            Ok(ns) => Ok(OwnedQName::new(ns.map(Cow::into_owned), local)),
            Err(k) => Err(self.error(k)),
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
                Event::Start { name, empty } => {
                    if empty {
                        self.checked_start(name, base + depth + 1)?;
                    } else {
                        depth += 1;
                        self.checked_start(name, base + depth)?;
                    }
                }
                Event::End => {
                    if depth == 0 {
                        self.close();
                        return Ok(());
                    }
                    depth -= 1;
                }
                Event::Ref(r) => {
                    self.resolve_ref(r)?;
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
                Event::Text(t) if is_xml_ws(t) => {}
                Event::Comment | Event::Pi => {}
                Event::Start { .. } => {
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

/// The local part of a qualified name.
#[inline]
fn local_part(raw: &str) -> &str {
    match memchr::memchr(b':', raw.as_bytes()) {
        Some(i) => &raw[i + 1..],
        None => raw,
    }
}
