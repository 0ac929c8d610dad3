//! The tokenizer under [`XmlReader`](crate::XmlReader): one pass over the
//! input text that cuts it into markup and character data and resolves
//! namespace prefixes as it goes.
//!
//! The input is a `&str` that [`decode_input`](crate::decode_input) or
//! [`XmlReader::with_limits`](crate::XmlReader::with_limits) has checked
//! already (valid UTF-8, no character XML 1.0 2.2 forbids). The tokenizer
//! looks for ASCII delimiters with `memchr` and slices the text at them,
//! which are always character boundaries: nothing is validated twice and
//! nothing is copied unless a value must change (a reference, a line end).
//!
//! What it recognizes, by the productions of [XML 1.0] (fifth edition):
//!
//! - start, empty-element and end tags (3.1), the end tag's name equal to
//!   the open start tag's (WFC: Element Type Match), attributes separated
//!   by whitespace with optional whitespace around `=` and either quote;
//!   `<` is not allowed in an attribute value (WFC: No < in Attribute
//!   Values);
//! - character data (2.4), in which `]]>` is not allowed, and references
//!   (4.1): the five predefined entities (4.6) and character references
//!   to characters XML allows (WFC: Legal Character); any other entity is
//!   [`ErrorKind::UndefinedEntity`], since no DTD ever declares one;
//! - CDATA sections (2.7), comments (2.5, without `--`), processing
//!   instructions (2.6, whose target is a name other than `xml` in any
//!   case) and the XML declaration (2.8), which may only come first and
//!   may only declare UTF-8 or UTF-16;
//! - a document type declaration (2.8) anywhere is
//!   [`ErrorKind::DtdForbidden`]: it is never parsed, let alone resolved.
//!
//! Line ends are the reader's: `\r\n` and a lone `\r` become `\n` in text
//! (2.11), and attribute values are normalized as CDATA-type values
//! (3.3.3).
//!
//! Namespace declarations (`xmlns`, `xmlns:p`) are bound in the same pass
//! over a start tag's attributes and stay in scope until the element ends
//! ([Namespaces in XML 1.0] 6.1); the `xml` prefix is predefined and may
//! not be bound to another name, nor another prefix to its name, and
//! `xmlns` may not be bound at all (3). A prefix bound to `""` is unbound
//! again; `xmlns=""` removes the default namespace (6.2).
//!
//! [XML 1.0]: https://www.w3.org/TR/xml/
//! [Namespaces in XML 1.0]: https://www.w3.org/TR/xml-names/

use std::borrow::Cow;
use std::collections::HashSet;
use std::rc::Rc;

use memchr::{memchr, memchr2, memchr3, memmem};

use crate::error::ErrorKind;
use crate::lexical::{is_ncname, is_ws_byte, is_ws_char, is_xml_char};
use crate::limits::{Limit, Limits};
use crate::ns;

/// The namespace name the `xml` prefix is bound to ([Namespaces in XML
/// 1.0] 3).
///
/// [Namespaces in XML 1.0]: https://www.w3.org/TR/xml-names/#xmlReserved
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// The namespace name of the `xmlns` prefix, which no declaration may use.
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// The deepest nesting the tokenizer tracks; deeper is
/// [`Limit::Depth`] whatever the limits say, as the resolver under the
/// reader always had it.
const MAX_LEVEL: u32 = u16::MAX as u32;

/// One event of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event<'a> {
    /// A start tag (`empty` for an empty-element tag) with its raw
    /// qualified name. Its attributes are [`Tokenizer::attrs`] until the
    /// next event.
    Start {
        /// The name as written, prefix included.
        name: &'a str,
        /// Whether it is an empty-element tag (`<a/>`).
        empty: bool,
    },
    /// An end tag, whose name matched the open start tag's.
    End,
    /// Character data with no reference in it, line ends as written.
    Text(&'a str),
    /// A reference: the text between `&` and `;`.
    Ref(&'a str),
    /// The content of a CDATA section, line ends as written.
    CData(&'a str),
    /// A comment.
    Comment,
    /// A processing instruction.
    Pi,
    /// The XML declaration.
    Decl,
    /// The end of the input.
    Eof,
}

/// An attribute as written in a start tag.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawAttr<'a> {
    /// The name, prefix included.
    pub(crate) name: &'a str,
    /// The value between the quotes, not normalized.
    pub(crate) value: &'a str,
}

impl RawAttr<'_> {
    /// Whether this attribute is a namespace declaration.
    pub(crate) fn is_declaration(&self) -> bool {
        binding_prefix(self.name).is_some()
    }
}

/// An error found by the tokenizer, at a byte offset.
#[derive(Debug)]
pub(crate) struct TokenError {
    pub(crate) kind: ErrorKind,
    pub(crate) offset: u64,
}

/// A namespace binding in scope.
#[derive(Debug)]
struct Binding<'a> {
    /// The prefix, `""` for the default namespace.
    prefix: &'a str,
    /// The declared value as written (`""` unbinds).
    value: &'a str,
    /// The nesting level of the element that declared it.
    level: u32,
    /// The interned namespace, once resolved.
    ns: Option<Rc<str>>,
}

/// The tokenizer: the input, the position, the open elements and the
/// namespace bindings in scope.
pub(crate) struct Tokenizer<'a> {
    input: &'a str,
    pos: usize,
    /// Bytes before the first the offsets count (a UTF-8 byte order mark).
    base: usize,
    event_offset: u64,
    any_event: bool,
    /// Raw names of the open elements, for matching end tags.
    open: Vec<&'a str>,
    /// Pop one scope before the next event (after an end tag or an
    /// empty-element tag).
    pending_pop: bool,
    level: u32,
    bindings: Vec<Binding<'a>>,
    max_bindings: usize,
    max_depth: usize,
    /// How many attributes of a tag are kept: one more than the limit, so
    /// that the reader sees it exceeded.
    keep_attrs: usize,
    attrs: Vec<RawAttr<'a>>,
    /// The attributes of the last start tag as written (after its name).
    attrs_raw: &'a str,
    /// A syntax error after [`attrs`](Self::attrs) in the last start tag.
    attr_error: Option<&'static str>,
    interned: HashSet<Rc<str>>,
    /// The namespaces resolved last, most recent first (at most
    /// [`RECENT_NS`]): a message switches among a few (SOAP, WS-Addressing,
    /// WS-Trust, ...), and comparing with them is cheaper than hashing.
    recent_ns: Vec<Rc<str>>,
}

impl<'a> Tokenizer<'a> {
    /// A tokenizer over checked text: holds at most
    /// [`Limits::max_ns_decls`] namespace declarations in scope and keeps
    /// one attribute more than [`Limits::max_attributes`] of a tag.
    pub(crate) fn new(input: &'a str, limits: &Limits) -> Self {
        // Offsets count from after a byte order mark, as they always have.
        let base = if input.starts_with('\u{FEFF}') { 3 } else { 0 };
        Self {
            input,
            pos: base,
            base,
            event_offset: 0,
            any_event: false,
            open: Vec::new(),
            pending_pop: false,
            level: 0,
            bindings: Vec::new(),
            max_bindings: limits.max_ns_decls,
            max_depth: limits.max_depth,
            keep_attrs: limits.max_attributes.saturating_add(1),
            attrs: Vec::new(),
            attrs_raw: "",
            attr_error: None,
            interned: HashSet::new(),
            recent_ns: Vec::with_capacity(RECENT_NS),
        }
    }

    /// The byte offset of the start of the last event.
    #[inline]
    pub(crate) fn event_offset(&self) -> u64 {
        self.event_offset
    }

    /// The attributes of the last start tag, in document order,
    /// namespace declarations included, up to the first syntax error.
    #[inline]
    pub(crate) fn attrs(&self) -> &[RawAttr<'a>] {
        &self.attrs
    }

    /// The syntax error that ended the last start tag's attributes, if any:
    /// it stands after the last of [`attrs`](Self::attrs).
    #[inline]
    pub(crate) fn attr_error(&self) -> Option<&'static str> {
        self.attr_error
    }

    /// Whether the last start tag's attribute text mentions `xmlns`.
    pub(crate) fn attrs_mention_xmlns(&self) -> bool {
        memmem::find(self.attrs_raw.as_bytes(), b"xmlns").is_some()
    }

    fn err(&self, kind: ErrorKind) -> TokenError {
        TokenError {
            kind,
            offset: self.event_offset,
        }
    }

    fn malformed(&self, msg: impl Into<String>) -> TokenError {
        self.err(ErrorKind::Malformed(msg.into()))
    }

    /// The next event.
    #[inline]
    pub(crate) fn next(&mut self) -> Result<Event<'a>, TokenError> {
        if self.pending_pop {
            self.pending_pop = false;
            self.pop_scope();
        }
        let start = self.pos;
        self.event_offset = (start - self.base) as u64;
        let bytes = self.input.as_bytes();
        let Some(&first) = bytes.get(start) else {
            return Ok(Event::Eof);
        };
        let first_event = !self.any_event;
        self.any_event = true;
        match first {
            b'<' => self.markup(start, first_event),
            b'&' => self.reference(start),
            _ => self.text(start),
        }
    }

    /// Character data up to the next markup or reference.
    #[inline]
    fn text(&mut self, start: usize) -> Result<Event<'a>, TokenError> {
        let bytes = self.input.as_bytes();
        let end = memchr2(b'<', b'&', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        self.pos = end;
        let text = &self.input[start..end];
        if has_cdata_end(text) {
            return Err(self.malformed("']]>' is not allowed in character data"));
        }
        Ok(Event::Text(text))
    }

    /// A reference (XML 1.0 4.1), `&name;` or `&#n;`.
    fn reference(&mut self, start: usize) -> Result<Event<'a>, TokenError> {
        let bytes = self.input.as_bytes();
        match memchr3(b';', b'&', b'<', &bytes[start + 1..]) {
            Some(i) if bytes[start + 1 + i] == b';' => {
                self.pos = start + 2 + i;
                Ok(Event::Ref(&self.input[start + 1..start + 1 + i]))
            }
            _ => Err(self.malformed("a reference is not closed by ';'")),
        }
    }

    fn markup(&mut self, start: usize, first_event: bool) -> Result<Event<'a>, TokenError> {
        let bytes = self.input.as_bytes();
        match bytes.get(start + 1) {
            None => Err(self.malformed("unclosed tag")),
            Some(b'!') => self.bang(start),
            Some(b'?') => self.processing_instruction(start, first_event),
            Some(b'/') => self.end_tag(start),
            Some(_) => self.start_tag(start),
        }
    }

    /// A comment, a CDATA section or a document type declaration.
    fn bang(&mut self, start: usize) -> Result<Event<'a>, TokenError> {
        let rest = &self.input.as_bytes()[start..];
        if rest.starts_with(b"<!--") {
            let Some(i) = memmem::find(&rest[4..], b"-->") else {
                return Err(self.malformed("unclosed comment"));
            };
            let content = &rest[4..4 + i];
            // XML 1.0 2.5: `--` may not occur in a comment, nor may it end
            // with `-`.
            let mut seg = 0;
            while let Some(p) = memchr(b'-', &content[seg..]) {
                let at = seg + p;
                if content.get(at + 1).is_none_or(|&b| b == b'-') {
                    // The offset quick-xml reported: `p` counted from the
                    // byte after the last single `-` but added to the start
                    // of the content.
                    return Err(TokenError {
                        kind: ErrorKind::Malformed("'--' is not allowed in a comment".into()),
                        offset: self.event_offset + 4 + p as u64,
                    });
                }
                seg = at + 1;
            }
            self.pos = start + 4 + i + 3;
            return Ok(Event::Comment);
        }
        if rest.starts_with(b"<![CDATA[") {
            let Some(i) = memmem::find(&rest[9..], b"]]>") else {
                return Err(self.malformed("unclosed CDATA section"));
            };
            self.pos = start + 9 + i + 3;
            return Ok(Event::CData(&self.input[start + 9..start + 9 + i]));
        }
        if rest.len() >= 9 && rest[..9].eq_ignore_ascii_case(b"<!DOCTYPE") {
            return Err(self.err(ErrorKind::DtdForbidden));
        }
        Err(self.malformed("'<!' starts no comment, CDATA section or DOCTYPE"))
    }

    /// A processing instruction (XML 1.0 2.6) or the XML declaration (2.8).
    fn processing_instruction(
        &mut self,
        start: usize,
        first_event: bool,
    ) -> Result<Event<'a>, TokenError> {
        let bytes = self.input.as_bytes();
        let Some(i) = memmem::find(&bytes[start + 2..], b"?>") else {
            return Err(self.malformed("unclosed processing instruction"));
        };
        let content = &self.input[start + 2..start + 2 + i];
        self.pos = start + 2 + i + 2;
        let target_len = content
            .bytes()
            .position(is_ws_byte)
            .unwrap_or(content.len());
        let target = &content[..target_len];
        if target == "xml" {
            if !first_event {
                return Err(self.malformed("the XML declaration must come first in the document"));
            }
            self.declaration(&content[target_len..])?;
            return Ok(Event::Decl);
        }
        if target.eq_ignore_ascii_case("xml") {
            return Err(self.malformed(format!(
                "the processing instruction target '{target}' is reserved"
            )));
        }
        // Namespaces in XML 1.0, 7: a PI target has no colon.
        if !is_ncname(target) {
            return Err(self.malformed(format!(
                "'{}' is not a valid processing instruction target",
                target.chars().take(64).collect::<String>()
            )));
        }
        Ok(Event::Pi)
    }

    /// The pseudo-attributes of the XML declaration (XML 1.0 2.8, 4.3.3):
    /// `version`, then optionally `encoding` and `standalone`, in that
    /// order.
    fn declaration(&self, rest: &'a str) -> Result<(), TokenError> {
        let mut attrs = Vec::with_capacity(3);
        match parse_attributes(rest, &mut attrs, 4, |_| Ok(())) {
            Ok(None) => {}
            Ok(Some(msg)) => {
                return Err(self.malformed(format!("in the XML declaration: {msg}")));
            }
            Err(kind) => return Err(self.err(kind)),
        }
        let mut it = attrs.iter().peekable();
        match it.next() {
            Some(a) if a.name == "version" => {
                let ok = a
                    .value
                    .strip_prefix("1.")
                    .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
                if !ok {
                    return Err(self.malformed(format!(
                        "XML version '{}' is not supported",
                        a.value.chars().take(64).collect::<String>()
                    )));
                }
            }
            _ => return Err(self.malformed("the XML declaration has no version")),
        }
        if let Some(a) = it.next_if(|a| a.name == "encoding") {
            let enc = a.value;
            let ok = ["utf-8", "utf8", "utf-16", "utf16"]
                .iter()
                .any(|n| enc.eq_ignore_ascii_case(n));
            if !ok {
                return Err(self.err(ErrorKind::Encoding(format!(
                    "declared encoding '{enc}' is not supported (only UTF-8 and UTF-16)"
                ))));
            }
        }
        if let Some(a) = it.next_if(|a| a.name == "standalone")
            && a.value != "yes"
            && a.value != "no"
        {
            return Err(self.malformed("standalone must be 'yes' or 'no'"));
        }
        if let Some(a) = it.next() {
            return Err(self.malformed(format!(
                "unexpected '{}' in the XML declaration",
                a.name.chars().take(64).collect::<String>()
            )));
        }
        Ok(())
    }

    /// An end tag (XML 1.0 3.1), which must close the open element.
    fn end_tag(&mut self, start: usize) -> Result<Event<'a>, TokenError> {
        let bytes = self.input.as_bytes();
        let Some(i) = memchr(b'>', &bytes[start + 2..]) else {
            return Err(self.malformed("unclosed end tag"));
        };
        let name = self.input[start + 2..start + 2 + i].trim_end_matches(is_ws_char);
        self.pos = start + 2 + i + 1;
        match self.open.pop() {
            Some(open) if same_name(open, name) => {
                self.pending_pop = true;
                Ok(Event::End)
            }
            Some(open) => Err(self.malformed(format!(
                "expected `</{open}>`, but `</{}>` was found",
                name.chars().take(64).collect::<String>()
            ))),
            None => Err(self.malformed(format!(
                "end tag '{}' closes no element",
                name.chars().take(64).collect::<String>()
            ))),
        }
    }

    /// A start or empty-element tag (XML 1.0 3.1): finds its end, splits
    /// off the name, reads the attributes and binds the namespaces they
    /// declare.
    fn start_tag(&mut self, start: usize) -> Result<Event<'a>, TokenError> {
        let bytes = self.input.as_bytes();
        // The `>` that ends the tag is the first outside quotes.
        let mut at = start + 1;
        let gt = loop {
            let Some(i) = memchr3(b'>', b'"', b'\'', &bytes[at..]) else {
                return Err(self.malformed("unclosed start tag"));
            };
            let i = at + i;
            if bytes[i] == b'>' {
                break i;
            }
            match memchr(bytes[i], &bytes[i + 1..]) {
                Some(j) => at = i + 1 + j + 1,
                None => return Err(self.malformed("unclosed attribute value")),
            }
        };
        self.pos = gt + 1;
        let mut content = &self.input[start + 1..gt];
        let empty = content.ends_with('/');
        if empty {
            content = &content[..content.len() - 1];
        }
        let name_len = content
            .bytes()
            .position(is_ws_byte)
            .unwrap_or(content.len());
        let name = &content[..name_len];
        self.attrs_raw = &content[name_len..];
        if self.level >= MAX_LEVEL {
            return Err(self.err(ErrorKind::LimitExceeded {
                limit: Limit::Depth,
                max: self.max_depth,
            }));
        }
        self.level += 1;
        let mut attrs = std::mem::take(&mut self.attrs);
        attrs.clear();
        let result = {
            let level = self.level;
            let max = self.max_bindings;
            let bindings = &mut self.bindings;
            parse_attributes(self.attrs_raw, &mut attrs, self.keep_attrs, |a| {
                bind(bindings, max, level, a)
            })
        };
        self.attrs = attrs;
        match result {
            Ok(e) => self.attr_error = e,
            Err(kind) => return Err(self.err(kind)),
        }
        if empty {
            self.pending_pop = true;
        } else {
            self.open.push(name);
        }
        Ok(Event::Start { name, empty })
    }

    /// Ends the scope of the element closed last.
    fn pop_scope(&mut self) {
        while self.bindings.last().is_some_and(|b| b.level >= self.level) {
            self.bindings.pop();
        }
        self.level = self.level.saturating_sub(1);
    }

    /// The namespace of a qualified name: its prefix's binding, or for an
    /// unprefixed name the default namespace when `use_default` (elements)
    /// and none otherwise (attributes, [Namespaces in XML 1.0] 6.2).
    ///
    /// [Namespaces in XML 1.0]: https://www.w3.org/TR/xml-names/#defaulting
    #[inline]
    pub(crate) fn resolve(
        &mut self,
        qname: &str,
        use_default: bool,
    ) -> Result<Option<Rc<str>>, ErrorKind> {
        let prefix = match memchr(b':', qname.as_bytes()) {
            Some(i) => &qname[..i],
            None if use_default => "",
            None => return Ok(None),
        };
        if let Some(reserved) = reserved_prefix(prefix) {
            return Ok(Some(self.intern(reserved)?));
        }
        let Some(i) = self
            .bindings
            .iter()
            .rposition(|b| same_name(b.prefix, prefix))
        else {
            return if prefix.is_empty() {
                Ok(None)
            } else {
                Err(ErrorKind::UnboundPrefix(prefix.to_owned()))
            };
        };
        if let Some(rc) = &self.bindings[i].ns {
            return Ok(Some(rc.clone()));
        }
        let value = self.bindings[i].value;
        if value.is_empty() {
            return if prefix.is_empty() {
                Ok(None)
            } else {
                Err(ErrorKind::UnboundPrefix(prefix.to_owned()))
            };
        }
        let rc = self.intern(value)?;
        self.bindings[i].ns = Some(rc.clone());
        Ok(Some(rc))
    }

    /// The namespace name a qualified name resolves to, as
    /// [`resolve`](Self::resolve) finds it, normalized but not interned.
    pub(crate) fn lookup(
        &self,
        qname: &str,
        use_default: bool,
    ) -> Result<Option<Cow<'a, str>>, ErrorKind> {
        let prefix = match memchr(b':', qname.as_bytes()) {
            Some(i) => &qname[..i],
            None if use_default => "",
            None => return Ok(None),
        };
        if let Some(reserved) = reserved_prefix(prefix) {
            return Ok(Some(Cow::Borrowed(reserved)));
        }
        match self.bindings.iter().rfind(|b| same_name(b.prefix, prefix)) {
            Some(b) if !b.value.is_empty() => Ok(Some(normalize_ns(b.value)?)),
            _ if prefix.is_empty() => Ok(None),
            _ => Err(ErrorKind::UnboundPrefix(prefix.to_owned())),
        }
    }

    fn intern(&mut self, raw: &str) -> Result<Rc<str>, ErrorKind> {
        namespace(&mut self.recent_ns, &mut self.interned, raw)
    }
}

/// Reads the attributes in `raw` (what follows a tag's name) into `out`,
/// the first `keep` of them, calling `each` on every one as it is read.
/// Returns the syntax error that ended them early, if any; an error from
/// `each` stops at once.
fn parse_attributes<'a>(
    raw: &'a str,
    out: &mut Vec<RawAttr<'a>>,
    keep: usize,
    mut each: impl FnMut(&RawAttr<'a>) -> Result<(), ErrorKind>,
) -> Result<Option<&'static str>, ErrorKind> {
    let b = raw.as_bytes();
    let n = b.len();
    let mut i = 0;
    loop {
        let ws = i;
        while i < n && is_ws_byte(b[i]) {
            i += 1;
        }
        if i == n {
            return Ok(None);
        }
        // XML 1.0 3.1: whitespace before every attribute. The name ends
        // the tag name at whitespace, so only later ones can lack it.
        if i == ws {
            return Ok(Some("attributes must be separated by whitespace"));
        }
        let key_start = i;
        while i < n && b[i] != b'=' && !is_ws_byte(b[i]) {
            i += 1;
        }
        let name = &raw[key_start..i];
        while i < n && is_ws_byte(b[i]) {
            i += 1;
        }
        if i == n || b[i] != b'=' {
            return Ok(Some("an attribute name must be followed by '='"));
        }
        i += 1;
        while i < n && is_ws_byte(b[i]) {
            i += 1;
        }
        let Some(&quote) = b.get(i) else {
            return Ok(Some("an attribute has no value"));
        };
        if quote != b'"' && quote != b'\'' {
            return Ok(Some("an attribute value must be quoted"));
        }
        let Some(len) = memchr(quote, &b[i + 1..]) else {
            return Ok(Some("an attribute value is not closed"));
        };
        let value = &raw[i + 1..i + 1 + len];
        i += len + 2;
        let a = RawAttr { name, value };
        each(&a)?;
        if out.len() < keep {
            out.push(a);
        }
    }
}

/// The namespace name of the `xml` and `xmlns` prefixes, which are bound
/// without a declaration.
#[inline]
fn reserved_prefix(prefix: &str) -> Option<&'static str> {
    match prefix.as_bytes() {
        [b'x', b'm', b'l'] => Some(XML_NS),
        [b'x', b'm', b'l', b'n', b's'] => Some(XMLNS_NS),
        _ => None,
    }
}

/// Whether `name` has the prefix `xmlns` (Namespaces in XML 1.0, 3).
#[inline]
pub(crate) fn has_xmlns_prefix(name: &str) -> bool {
    name.as_bytes().first_chunk::<6>() == Some(b"xmlns:")
}

/// The prefix a namespace declaration binds (`""` for the default
/// namespace), or `None` when `name` declares nothing.
#[inline]
fn binding_prefix(name: &str) -> Option<&str> {
    if name.as_bytes().first_chunk::<5>() != Some(b"xmlns") {
        return None;
    }
    match name.as_bytes().get(5) {
        None => Some(""),
        Some(b':') => Some(&name[6..]),
        Some(_) => None,
    }
}

/// Binds the namespace `a` declares, if it is a declaration, checking
/// the reserved prefixes and names ([Namespaces in XML 1.0] 3) and the
/// limit on bindings in scope.
///
/// [Namespaces in XML 1.0]: https://www.w3.org/TR/xml-names/#xmlReserved
fn bind<'a>(
    bindings: &mut Vec<Binding<'a>>,
    max: usize,
    level: u32,
    a: &RawAttr<'a>,
) -> Result<(), ErrorKind> {
    let Some(prefix) = binding_prefix(a.name) else {
        return Ok(());
    };
    let value = a.value;
    match prefix {
        "" => {}
        "xml" if value == XML_NS => return Ok(()),
        "xml" => {
            return Err(ErrorKind::Malformed(format!(
                "the namespace prefix 'xml' cannot be bound to '{value}'"
            )));
        }
        "xmlns" => {
            return Err(ErrorKind::Malformed(format!(
                "the namespace prefix 'xmlns' cannot be bound to '{value}'"
            )));
        }
        _ if value == XML_NS || value == XMLNS_NS => {
            return Err(ErrorKind::Malformed(format!(
                "the namespace prefix '{prefix}' cannot be bound to '{value}'"
            )));
        }
        _ => {}
    }
    if bindings.len() >= max {
        return Err(ErrorKind::LimitExceeded {
            limit: Limit::NamespaceDeclarations,
            max,
        });
    }
    bindings.push(Binding {
        prefix,
        value,
        level,
        ns: None,
    });
    Ok(())
}

/// Whether two names are equal. Names are short: a loop over the bytes
/// beats a call to `memcmp`, which `==` on strings makes.
#[inline]
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.len() <= 32 {
        a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
    } else {
        a == b
    }
}

/// Whether character data holds `]]>`, which XML 1.0 2.4 forbids there.
#[inline]
fn has_cdata_end(text: &str) -> bool {
    let b = text.as_bytes();
    let mut at = 0;
    while let Some(i) = memchr(b']', &b[at..]) {
        at += i + 1;
        if b[at..].starts_with(b"]>") {
            return true;
        }
    }
    false
}

/// Text with its line ends normalized (XML 1.0 2.11): `\r\n` and a lone
/// `\r` become `\n`. Borrowed when there is no `\r`.
#[inline]
pub(crate) fn normalize_line_ends(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let Some(first) = memchr(b'\r', b) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    let mut at = first;
    loop {
        out.push_str(&text[from..at]);
        out.push('\n');
        from = if b.get(at + 1) == Some(&b'\n') {
            at + 2
        } else {
            at + 1
        };
        match memchr(b'\r', &b[from..]) {
            Some(i) => at = from + i,
            None => break,
        }
    }
    out.push_str(&text[from..]);
    Cow::Owned(out)
}

/// The character a character reference's digits (after `&#`) name, for an
/// attribute value or a namespace name: decimal, or hexadecimal after `x`,
/// no sign, a character XML allows (XML 1.0 4.1, WFC: Legal Character).
fn char_ref(num: &str) -> Option<char> {
    let (digits, radix) = match num.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (num, 10),
    };
    if digits.starts_with(['+', '-']) {
        return None;
    }
    u32::from_str_radix(digits, radix)
        .ok()
        .and_then(char::from_u32)
        .filter(|c| is_xml_char(*c))
}

/// The replacement text of a predefined entity (XML 1.0 4.6).
#[inline]
pub(crate) fn predefined_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "apos" => "'",
        "quot" => "\"",
        _ => return None,
    })
}

/// Appends the expansion of the reference `&name;` to `out`.
pub(crate) fn push_reference(out: &mut String, name: &str) -> Result<(), ErrorKind> {
    if let Some(num) = name.strip_prefix('#') {
        match char_ref(num) {
            Some(c) => out.push(c),
            None => {
                return Err(ErrorKind::Malformed(format!(
                    "invalid character reference '&{name};'"
                )));
            }
        }
    } else if let Some(s) = predefined_entity(name) {
        out.push_str(s);
    } else {
        return Err(ErrorKind::UndefinedEntity(name.to_owned()));
    }
    Ok(())
}

/// An attribute value normalized as a CDATA-type value (XML 1.0 3.3.3):
/// each line end, tab, line feed and carriage return becomes a space, and
/// references are expanded (a character reference to whitespace stays
/// that character). Borrowed when nothing changes.
#[inline]
pub(crate) fn normalize_attribute(value: &str) -> Result<Cow<'_, str>, ErrorKind> {
    let b = value.as_bytes();
    let Some(first) = b
        .iter()
        .position(|&c| matches!(c, b'\t' | b'\n' | b'\r' | b'&'))
    else {
        return Ok(Cow::Borrowed(value));
    };
    let mut out = String::with_capacity(value.len());
    out.push_str(&value[..first]);
    let mut i = first;
    let mut from = first;
    while i < b.len() {
        match b[i] {
            b'&' => {
                out.push_str(&value[from..i]);
                let Some(len) = memchr(b';', &b[i + 1..]) else {
                    return Err(ErrorKind::Malformed(
                        "a reference in an attribute value is not closed by ';'".into(),
                    ));
                };
                push_reference(&mut out, &value[i + 1..i + 1 + len])?;
                i += len + 2;
                from = i;
            }
            b'\t' | b'\n' | b'\r' => {
                out.push_str(&value[from..i]);
                out.push(' ');
                i += if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                from = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&value[from..]);
    Ok(Cow::Owned(out))
}

/// The namespace name of a declaration's value as written: attribute-value
/// normalization (whitespace to spaces) and references expanded. Real
/// namespace URIs have neither, so this is a scan and no copy.
pub(crate) fn normalize_ns(raw: &str) -> Result<Cow<'_, str>, ErrorKind> {
    if !needs_ns_normalizing(raw) {
        return Ok(Cow::Borrowed(raw));
    }
    // Line ends are folded first (XML 1.0 2.11), then each whitespace
    // character becomes a space (3.3.3), then references are expanded.
    let spaced = raw.replace("\r\n", "\n").replace(['\t', '\n', '\r'], " ");
    let b = spaced.as_bytes();
    let mut out = String::with_capacity(spaced.len());
    let mut from = 0;
    while let Some(i) = memchr(b'&', &b[from..]) {
        let amp = from + i;
        out.push_str(&spaced[from..amp]);
        match memchr2(b'&', b';', &b[amp + 1..]) {
            Some(len) if b[amp + 1 + len] == b';' => {
                push_reference(&mut out, &spaced[amp + 1..amp + 1 + len])?;
                from = amp + len + 2;
            }
            _ => {
                return Err(ErrorKind::Malformed(
                    "a reference in a namespace name is not closed by ';'".into(),
                ));
            }
        }
    }
    out.push_str(&spaced[from..]);
    Ok(Cow::Owned(out))
}

fn needs_ns_normalizing(raw: &str) -> bool {
    raw.bytes()
        .any(|b| matches!(b, b'&' | b'\t' | b'\n' | b'\r'))
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
) -> Result<Rc<str>, ErrorKind> {
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

/// The namespaces of the messages this crate exists for, shared by every
/// reader of a thread so that meeting one costs a comparison, not a hash
/// and an allocation per document.
const KNOWN_NS: [&str; 15] = [
    ns::SOAP12,
    ns::WSA,
    ns::WSSE,
    ns::WSU,
    ns::WST,
    ns::XSI,
    ns::XS,
    ns::DS,
    ns::SOAP11,
    XML_NS,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Limits, QName, XmlReader};

    /// Reads `xml` whole (root, then the tree), returning the error.
    fn read_err(xml: &str) -> crate::Error {
        (|| {
            let mut r = XmlReader::new(xml)?;
            let s = r.root()?;
            r.any(&s)?;
            r.finish()
        })()
        .expect_err(xml)
    }

    fn malformed_at(xml: &str, offset: u64) {
        let e = read_err(xml);
        assert!(matches!(e.kind(), ErrorKind::Malformed(_)), "{xml}: {e}");
        assert_eq!(e.offset(), offset, "{xml}: {e}");
    }

    /// The text of the root element.
    fn root_text(xml: &str) -> String {
        let mut r = XmlReader::new(xml).expect(xml);
        r.root().expect(xml);
        r.text().expect(xml).into_owned()
    }

    /// `n` attributes made by `f`, as one string.
    fn attrs_text(n: usize, f: impl Fn(usize) -> String) -> String {
        let mut s = String::new();
        for i in 0..n {
            s.push_str(&f(i));
        }
        s
    }

    fn events(xml: &str) -> Vec<Event<'_>> {
        let mut t = Tokenizer::new(xml, &Limits::default());
        let mut out = Vec::new();
        loop {
            let e = t.next().expect(xml);
            out.push(e);
            if e == Event::Eof {
                return out;
            }
        }
    }

    #[test]
    fn events_of_a_small_document() {
        assert_eq!(
            events("<?xml version=\"1.0\"?><a x='1'><!--c--><?p d?>t&amp;<![CDATA[<]]><b/></a>"),
            [
                Event::Decl,
                Event::Start {
                    name: "a",
                    empty: false
                },
                Event::Comment,
                Event::Pi,
                Event::Text("t"),
                Event::Ref("amp"),
                Event::CData("<"),
                Event::Start {
                    name: "b",
                    empty: true
                },
                Event::End,
                Event::Eof,
            ]
        );
    }

    #[test]
    fn end_tag_must_match_the_open_start_tag() {
        malformed_at("<a><b></c></a>", 6);
        malformed_at("<p:a xmlns:p='urn:x'></a>", 21);
        // Whitespace after the name is allowed.
        assert_eq!(root_text("<a>x</a \n>"), "x");
    }

    #[test]
    fn text_without_references_or_carriage_returns_is_borrowed() {
        let mut r = XmlReader::new("<a>plain text</a>").unwrap();
        r.root().unwrap();
        assert!(matches!(r.text().unwrap(), Cow::Borrowed("plain text")));
    }

    #[test]
    fn references_in_text() {
        assert_eq!(
            root_text("<a>&lt;&gt;&amp;&apos;&quot;&#65;&#x42;&#x1F600;</a>"),
            "<>&'\"AB\u{1F600}"
        );
        let e = read_err("<a>xy&bogus;</a>");
        assert_eq!(e.kind(), &ErrorKind::UndefinedEntity("bogus".into()));
        assert_eq!(e.offset(), 5);
        // Not characters XML allows, or not digits.
        for bad in [
            "&#1;", "&#0;", "&#xD800;", "&#+65;", "&#X41;", "&#x;", "&#xFFFE;",
        ] {
            malformed_at(&format!("<a>{bad}</a>"), 3);
        }
        // `&` must end with `;` before any markup or another `&`.
        malformed_at("<a>x &amp y</a>", 5);
        malformed_at("<a>x &amp &lt;</a>", 5);
        malformed_at("<a>&", 3);
    }

    #[test]
    fn line_ends_in_text_and_cdata() {
        assert_eq!(root_text("<a>1\r\n2\r3\n4</a>"), "1\n2\n3\n4");
        assert_eq!(root_text("<a><![CDATA[1\r\n2\r]]></a>"), "1\n2\n");
        // A character reference to a carriage return is kept.
        assert_eq!(root_text("<a>1&#13;\n</a>"), "1\r\n");
        assert_eq!(normalize_line_ends("\r\r\n\r"), "\n\n\n");
    }

    #[test]
    fn cdata_is_verbatim_and_must_be_closed() {
        assert_eq!(root_text("<a><![CDATA[&amp;<b>]]]></a>"), "&amp;<b>]");
        malformed_at("<a><![CDATA[x</a>", 3);
        malformed_at("<a><![CDAT[x]]></a>", 3);
    }

    #[test]
    fn comments_may_not_hold_two_hyphens() {
        assert_eq!(root_text("<a>x<!---->y<!-- - -->z</a>"), "xyz");
        malformed_at("<a><!-- a -- b --></a>", 10);
        malformed_at("<a><!-- a ---></a>", 10);
        malformed_at("<a><!-- a", 3);
        malformed_at("<a><!- a --></a>", 3);
    }

    #[test]
    fn processing_instructions_and_the_declaration() {
        assert_eq!(
            root_text("<a><?target data?>x<?xml-stylesheet x?></a>"),
            "x"
        );
        for bad in [
            "<?xml version='1.0'?>",
            "<?XML x?>",
            "<?Xml?>",
            "<??>",
            "<?1a?>",
            "<?a:b?>",
        ] {
            malformed_at(&format!("<a>{bad}</a>"), 3);
        }
        // The declaration only comes first (after a byte order mark).
        malformed_at(" <?xml version='1.0'?><a/>", 1);
        XmlReader::new("\u{FEFF}<?xml version='1.0' encoding='UTF-8' standalone='yes'?><a/>")
            .unwrap()
            .root()
            .unwrap();
        for bad in [
            "<?xml?>",
            "<?xml encoding='utf-8'?>",
            "<?xml version='2.0'?>",
            "<?xml version='1.0' standalone='maybe'?>",
            "<?xml version='1.0' standalone='yes' encoding='utf-8'?>",
            "<?xml version='1.0' junk?>",
            "<?xml version='1.0'encoding='utf-8'?>",
        ] {
            malformed_at(&format!("{bad}<a/>"), 0);
        }
        for enc in ["latin1", "ISO-8859-1", "utf-32"] {
            let e = read_err(&format!("<?xml version='1.0' encoding='{enc}'?><a/>"));
            assert!(
                matches!(e.kind(), ErrorKind::Encoding(m) if m.contains(enc)),
                "{e}"
            );
        }
    }

    #[test]
    fn a_document_type_declaration_is_refused_anywhere() {
        for (xml, at) in [
            ("<!DOCTYPE a><a/>", 0),
            ("<!doctype a [<!ENTITY x 'y'>]><a>&x;</a>", 0),
            ("<a><b/><!DOCTYPE a></a>", 7),
            ("<a/><!DOCTYPE", 4),
        ] {
            let e = read_err(xml);
            assert_eq!(e.kind(), &ErrorKind::DtdForbidden, "{xml}");
            assert_eq!(e.offset(), at, "{xml}");
        }
    }

    #[test]
    fn cdata_end_and_lt_in_attribute_values() {
        malformed_at("<a>x]]>y</a>", 3);
        malformed_at("<a>&amp;]]></a>", 8);
        malformed_at("<a><b x='<'/></a>", 3);
    }

    #[test]
    fn names_are_qualified_names() {
        for (xml, at) in [
            ("<a><1b/></a>", 3),
            ("<a><b:c:d xmlns:b='urn:b'/></a>", 3),
            ("<a><xmlns:b/></a>", 3),
            ("<a><b c:d:e='1'/></a>", 3),
            ("<a><b 1c='1'/></a>", 3),
            ("<a></>", 3),
            ("<a>< b/></a>", 3),
        ] {
            malformed_at(xml, at);
        }
    }

    #[test]
    fn whitespace_and_quotes_inside_tags() {
        let mut r = XmlReader::new("<a\n x = '1'\ty=\"2\" z='\"' w=\"'>\" />").unwrap();
        let s = r.root().unwrap();
        assert_eq!(s.attr(QName::new("", "x")), Some("1"));
        assert_eq!(s.attr(QName::new("", "y")), Some("2"));
        assert_eq!(s.attr(QName::new("", "z")), Some("\""));
        assert_eq!(s.attr(QName::new("", "w")), Some("'>"));
        assert!(s.is_empty_tag());
        for bad in [
            "<a x='1'y='2'/>",
            "<a x/>",
            "<a x=1/>",
            "<a x='1/>",
            "<a x=/>",
            "<a x='1'/ >",
            "<a",
        ] {
            malformed_at(bad, 0);
        }
    }

    #[test]
    fn attribute_values_are_normalized() {
        let mut r =
            XmlReader::new("<a x='1\t2\n3\r\n4\r5' y='&#9;&#10;&#13;&lt;&amp;&gt;&quot;&apos;'/>")
                .unwrap();
        let s = r.root().unwrap();
        assert_eq!(s.attr(QName::new("", "x")), Some("1 2 3 4 5"));
        assert_eq!(s.attr(QName::new("", "y")), Some("\t\n\r<&>\"'"));
        for (xml, kind) in [
            (
                "<a x='&bogus;'/>",
                ErrorKind::UndefinedEntity("bogus".into()),
            ),
            ("<a x='&#1;'/>", ErrorKind::Malformed(String::new())),
            ("<a x='&amp'/>", ErrorKind::Malformed(String::new())),
        ] {
            let e = read_err(xml);
            assert_eq!(e.kind_name(), kind.name(), "{xml}: {e}");
            if let ErrorKind::UndefinedEntity(n) = kind {
                assert_eq!(e.kind(), &ErrorKind::UndefinedEntity(n));
            }
            assert_eq!(e.offset(), 0);
        }
    }

    #[test]
    fn reserved_prefixes_and_names() {
        // `xml` is bound without a declaration, and may be declared with
        // its own name.
        for xml in [
            "<a xml:lang='en'/>",
            "<a xmlns:xml='http://www.w3.org/XML/1998/namespace' xml:lang='en'/>",
        ] {
            let mut r = XmlReader::new(xml).unwrap();
            let s = r.root().unwrap();
            assert_eq!(s.attr(QName::new(XML_NS, "lang")), Some("en"));
        }
        for xml in [
            "<r><a xmlns:xml='urn:x'/></r>",
            "<r><a xmlns:p='http://www.w3.org/XML/1998/namespace'/></r>",
            "<r><a xmlns:xmlns='urn:x'/></r>",
            "<r><a xmlns:xmlns='http://www.w3.org/2000/xmlns/'/></r>",
            "<r><a xmlns:p='http://www.w3.org/2000/xmlns/'/></r>",
        ] {
            malformed_at(xml, 3);
        }
    }

    #[test]
    fn prefixes_resolve_to_the_innermost_binding_in_scope() {
        let xml = "<p:a xmlns:p='urn:1'><p:b xmlns:p='urn:2'><p:c/></p:b><p:d/></p:a>";
        let mut r = XmlReader::new(xml).unwrap();
        let a = r.root().unwrap();
        assert_eq!(a.ns(), Some("urn:1"));
        let b = r.next_child().unwrap().unwrap();
        assert_eq!(b.ns(), Some("urn:2"));
        let c = r.next_child().unwrap().unwrap();
        assert_eq!(c.ns(), Some("urn:2"));
        r.skip().unwrap();
        assert!(r.next_child().unwrap().is_none());
        let d = r.next_child().unwrap().unwrap();
        assert_eq!(d.ns(), Some("urn:1"));
    }

    #[test]
    fn undeclared_and_unbound_prefixes() {
        for (xml, prefix, at) in [
            ("<r xmlns:p='urn:p'><p:a xmlns:p=''/></r>", "p", 19),
            ("<r xmlns:p='urn:p'><a xmlns:p='' p:x='1'/></r>", "p", 19),
            ("<r><a/><p:b/></r>", "p", 7),
        ] {
            let e = read_err(xml);
            assert_eq!(
                e.kind(),
                &ErrorKind::UnboundPrefix(prefix.into()),
                "{xml}: {e}"
            );
            assert_eq!(e.offset(), at, "{xml}");
        }
        // The declarations of an empty element still hold for its value.
        let mut r = XmlReader::new("<r><v xmlns:q='urn:q'/></r>").unwrap();
        r.root().unwrap();
        r.next_child().unwrap().unwrap();
        assert_eq!(r.collect_value_text().unwrap(), "");
        assert_eq!(
            r.resolve_qname("q:x").unwrap(),
            crate::OwnedQName::new(Some("urn:q".into()), "x")
        );
        r.close_current();
        // Out of scope once the next event is read.
        assert!(r.next_child().unwrap().is_none());
        assert!(matches!(
            r.resolve_qname("q:x").unwrap_err().kind(),
            ErrorKind::UnboundPrefix(p) if p == "q"
        ));
    }

    #[test]
    fn declared_namespace_names_are_normalized() {
        let mut r = XmlReader::new("<p:a xmlns:p='urn:&#x61;&amp;b&#9;c\nd'/>").unwrap();
        assert_eq!(r.root().unwrap().ns(), Some("urn:a&b\tc d"));
        let e = read_err("<p:a xmlns:p='urn:&bogus;'/>");
        assert_eq!(e.kind(), &ErrorKind::UndefinedEntity("bogus".into()));
    }

    #[test]
    fn offsets_count_from_after_a_byte_order_mark() {
        let e = read_err("\u{FEFF}<a>&bogus;</a>");
        assert_eq!(e.kind(), &ErrorKind::UndefinedEntity("bogus".into()));
        assert_eq!(e.offset(), 3);
        let mut r = XmlReader::new("\u{FEFF}<a><b/></a>").unwrap();
        r.root().unwrap();
        assert_eq!(r.next_child().unwrap().unwrap().offset(), 3);
    }

    #[test]
    fn a_tag_keeps_one_attribute_more_than_the_limit() {
        let limits = Limits::default().with_max_attributes(3);
        let xml = format!("<a{}/>", attrs_text(1000, |i| format!(" a{i}='v'")));
        let mut t = Tokenizer::new(&xml, &limits);
        assert!(matches!(
            t.next().unwrap(),
            Event::Start {
                name: "a",
                empty: true
            }
        ));
        assert_eq!(t.attrs().len(), 4);
        let e = XmlReader::with_limits(&xml, limits)
            .unwrap()
            .root()
            .unwrap_err();
        assert!(matches!(
            e.kind(),
            ErrorKind::LimitExceeded {
                limit: Limit::Attributes,
                max: 3
            }
        ));
    }

    #[test]
    fn declarations_past_the_attribute_limit_still_count() {
        // The binding limit is checked as declarations are read, before the
        // attribute count.
        let limits = Limits::default()
            .with_max_attributes(2)
            .with_max_ns_decls(3);
        let xml = format!(
            "<a{}/>",
            attrs_text(10, |i| format!(" xmlns:p{i}='urn:{i}'"))
        );
        let e = XmlReader::with_limits(&xml, limits)
            .unwrap()
            .root()
            .unwrap_err();
        assert!(matches!(
            e.kind(),
            ErrorKind::LimitExceeded {
                limit: Limit::NamespaceDeclarations,
                max: 3
            }
        ));
    }
}
