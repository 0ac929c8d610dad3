//! An XML writer with fixed, well-known prefixes.
//!
//! Names are given as expanded names; the writer chooses the prefix (from
//! the table below, or `ns0`, `ns1`, ... for other namespaces) and declares
//! it on the element where it is first needed. Output is UTF-8 bytes with no
//! XML declaration and no pretty-printing.
//!
//! | namespace | prefix |
//! |---|---|
//! | SOAP 1.2 | `s` |
//! | SOAP 1.1 | `s11` |
//! | WS-Addressing | `a` |
//! | WS-Security secext | `wsse` |
//! | WS-Security utility | `wsu` |
//! | WS-Trust 1.3 | `wst` |
//! | XML Schema instance | `xsi` |
//! | XML Schema | `xs` |
//! | XML digital signature | `ds` |
//!
//! A message crate adds its own namespaces with a [`Prefixes`] table
//! ([`XmlWriter::with_prefixes`], [`ToXml::prefixes`](crate::ToXml::prefixes)):
//! xcep and wstep write the Microsoft namespaces as the default namespace,
//! as Windows writes them. The table is consulted before the one above.

use crate::error::{Error, ErrorKind, Result};
use std::borrow::Cow;

use crate::lexical::first_forbidden_char;
use crate::name::{OwnedQName, QName};
use crate::ns;
use crate::tokenizer::same_name;
use crate::xsd::XsdType;

const PREFIXES: &[(&str, &str)] = &[
    (ns::SOAP12, "s"),
    (ns::SOAP11, "s11"),
    (ns::WSA, "a"),
    (ns::WSSE, "wsse"),
    (ns::WSU, "wsu"),
    (ns::WST, "wst"),
    (ns::XSI, "xsi"),
    (ns::XS, "xs"),
    (ns::DS, "ds"),
];

/// A table of (namespace URI, prefix) pairs a writer prefers; `""` is the
/// default namespace. A message crate declares one for its namespaces
/// (`xcep::PREFIXES`, `wstep::PREFIXES`), so that its messages are written
/// with the prefixes its peers write.
pub type Prefixes = &'static [(&'static str, &'static str)];

/// The prefix the writer uses for a well-known namespace (`""` means the
/// default namespace), `None` for others.
pub fn preferred_prefix(ns: &str) -> Option<&'static str> {
    PREFIXES.iter().find(|(n, _)| *n == ns).map(|(_, p)| *p)
}

/// A prefix or a namespace URI in scope: the writer's tables are static, so
/// only generated prefixes and namespaces outside every table are owned.
type Str = Cow<'static, str>;

/// The capacity a new writer's output starts with.
const INITIAL_CAPACITY: usize = 2048;

/// Whether two namespace URIs are the same: the same static string is
/// recognised by its address, without comparing the bytes.
#[inline]
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && (std::ptr::eq(a.as_ptr(), b.as_ptr()) || a == b)
}

#[derive(Debug)]
struct Binding {
    /// `""` is the default namespace.
    prefix: Str,
    /// An empty namespace undeclares the default namespace.
    ns: Str,
}

#[derive(Debug)]
struct Frame {
    /// Where this element's qualified name starts in [`XmlWriter::names`].
    name_start: usize,
    /// The number of bindings in scope before this element's declarations.
    bindings_start: usize,
}

/// Writes XML as bytes. See the [module docs](self) for the prefixes used.
///
/// ```
/// use soap_envelope::{ns, QName, XmlWriter};
///
/// let mut w = XmlWriter::new();
/// w.start(QName::new(ns::WSA, "Action")).unwrap();
/// w.attribute(QName::new(ns::SOAP12, "mustUnderstand"), "1").unwrap();
/// w.text("urn:a&b").unwrap();
/// w.end().unwrap();
/// assert_eq!(
///     String::from_utf8(w.into_bytes().unwrap()).unwrap(),
///     r#"<a:Action xmlns:a="http://www.w3.org/2005/08/addressing" xmlns:s="http://www.w3.org/2003/05/soap-envelope" s:mustUnderstand="1">urn:a&amp;b</a:Action>"#
/// );
/// ```
#[derive(Debug, Default)]
pub struct XmlWriter {
    buf: Vec<u8>,
    stack: Vec<Frame>,
    /// The qualified names of the open elements, end to end (each frame
    /// knows where its own starts): no allocation per element.
    names: Vec<u8>,
    /// In-scope bindings, innermost last.
    bindings: Vec<Binding>,
    /// A start tag is open (`<x a="1"` written, `>` not yet).
    tag_open: bool,
    /// Where the attributes of the open start tag begin in `buf`: the
    /// namespace declarations go before it.
    attrs_at: usize,
    generated: u32,
    root_written: bool,
    /// The caller's prefixes, consulted before the built-in table.
    prefixes: Prefixes,
}

impl XmlWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::with_prefixes(&[])
    }

    /// An empty writer that prefers `prefixes` (then the built-in table).
    ///
    /// ```
    /// use soap_envelope::{QName, XmlWriter};
    ///
    /// const NS: &str = "urn:example";
    /// let mut w = XmlWriter::with_prefixes(&[(NS, "ex")]);
    /// w.start(QName::new(NS, "a")).unwrap();
    /// w.end().unwrap();
    /// assert_eq!(w.into_bytes().unwrap(), br#"<ex:a xmlns:ex="urn:example"/>"#);
    /// ```
    pub fn with_prefixes(prefixes: Prefixes) -> Self {
        // Sized for a typical message, so that most are written without
        // growing a buffer (the output then doubles as needed).
        Self {
            buf: Vec::with_capacity(INITIAL_CAPACITY),
            stack: Vec::with_capacity(16),
            names: Vec::with_capacity(256),
            bindings: Vec::with_capacity(8),
            prefixes,
            ..Self::default()
        }
    }

    /// The entry of the caller's table, then of the built-in one, for `ns`:
    /// (the table's copy of the namespace, the prefix).
    fn preferred(&self, ns: &str) -> Option<(&'static str, &'static str)> {
        self.prefixes
            .iter()
            .chain(PREFIXES)
            .find(|(n, _)| same(n, ns))
            .copied()
    }

    /// The namespace bound to `prefix` in scope.
    fn lookup_prefix(&self, prefix: &str) -> Option<&str> {
        self.bindings
            .iter()
            .rev()
            .find(|b| same_name(&b.prefix, prefix))
            .map(|b| &*b.ns)
    }

    /// The index of a binding in scope of a prefix bound to `ns` (and not
    /// shadowed). For attributes the default namespace does not count.
    fn prefix_for(&self, ns: &str, for_attribute: bool) -> Option<usize> {
        let bindings = &self.bindings;
        (0..bindings.len()).rev().find(|&i| {
            let b = &bindings[i];
            same(&b.ns, ns)
                && !(for_attribute && b.prefix.is_empty())
                && !bindings[i + 1..]
                    .iter()
                    .any(|o| same_name(&o.prefix, &b.prefix))
        })
    }

    /// Writes ` xmlns:prefix="ns"` before the attributes of the open tag
    /// and brings the binding into scope.
    fn declare(&mut self, prefix: Str, ns: Str) {
        let at = self.buf.len();
        self.buf.extend_from_slice(b" xmlns");
        if !prefix.is_empty() {
            self.buf.push(b':');
            self.buf.extend_from_slice(prefix.as_bytes());
        }
        self.buf.extend_from_slice(b"=\"");
        escape_into(&mut self.buf, &ns, true);
        self.buf.push(b'"');
        if at != self.attrs_at {
            // Attributes were written already: the declaration goes first.
            let len = self.buf.len() - at;
            self.buf[self.attrs_at..].rotate_right(len);
        }
        self.attrs_at += self.buf.len() - at;
        self.bindings.push(Binding { prefix, ns });
    }

    /// Chooses a prefix for `ns`, which no binding in scope gives, and
    /// declares it on the open tag; returns the index of its binding.
    /// `static_ns` is `ns` when the caller has it as a static string.
    fn declare_prefix(
        &mut self,
        ns: &str,
        static_ns: Option<&'static str>,
        for_attribute: bool,
    ) -> usize {
        let preferred = self.preferred(ns);
        let bindings_start = self.stack.last().map_or(0, |f| f.bindings_start);
        // Usable when not bound at this element to something else.
        let usable = preferred.filter(|(_, p)| {
            let bound_here = self.bindings[bindings_start..]
                .iter()
                .any(|b| same_name(&b.prefix, p));
            let default_for_attribute = for_attribute && p.is_empty();
            !(bound_here || default_for_attribute)
        });
        let prefix: Str = match usable {
            Some((_, p)) => Cow::Borrowed(p),
            None => loop {
                let candidate = format!("ns{}", self.generated);
                self.generated += 1;
                if self.lookup_prefix(&candidate).is_none() {
                    break Cow::Owned(candidate);
                }
            },
        };
        let ns: Str = match preferred.map(|(n, _)| n).or(static_ns) {
            Some(n) => Cow::Borrowed(n),
            None => Cow::Owned(ns.to_owned()),
        };
        self.declare(prefix, ns);
        self.bindings.len() - 1
    }

    /// The index of the binding of a prefix for `ns` in scope, declared on
    /// the open tag if needed (not for the `xml` namespace).
    fn ensure_prefix(
        &mut self,
        ns: &str,
        static_ns: Option<&'static str>,
        for_attribute: bool,
    ) -> usize {
        match self.prefix_for(ns, for_attribute) {
            Some(i) => i,
            None => self.declare_prefix(ns, static_ns, for_attribute),
        }
    }

    fn close_tag(&mut self) {
        if self.tag_open {
            self.buf.push(b'>');
            self.tag_open = false;
        }
    }

    fn start_ns(&mut self, ns: &str, static_ns: Option<&'static str>, local: &str) -> Result<()> {
        check_name(local)?;
        if self.stack.is_empty() && self.root_written {
            return Err(Error::detached(ErrorKind::Writer("a second root element")));
        }
        self.close_tag();
        self.root_written = true;
        self.stack.push(Frame {
            name_start: self.names.len(),
            bindings_start: self.bindings.len(),
        });
        self.tag_open = true;
        self.buf.push(b'<');
        if ns.is_empty() {
            self.buf.extend_from_slice(local.as_bytes());
            self.names.extend_from_slice(local.as_bytes());
            self.attrs_at = self.buf.len();
            // No namespace: undeclare a default namespace if one is in scope.
            if self.lookup_prefix("").is_some_and(|d| !d.is_empty()) {
                self.declare(Cow::Borrowed(""), Cow::Borrowed(""));
            }
            return Ok(());
        }
        if ns == ns::XML {
            // Bound by definition, never declared.
            write_qname(&mut self.buf, "xml", local);
            write_qname(&mut self.names, "xml", local);
            self.attrs_at = self.buf.len();
            return Ok(());
        }
        let after_lt = self.buf.len();
        let (index, declared) = if let Some(i) = self.prefix_for(ns, false) {
            (i, false)
        } else {
            // Chosen and declared now, the name put before it below.
            self.attrs_at = after_lt;
            (self.declare_prefix(ns, static_ns, false), true)
        };
        let prefix = &self.bindings[index].prefix;
        let name_at = self.buf.len();
        write_qname(&mut self.buf, prefix, local);
        write_qname(&mut self.names, prefix, local);
        if declared {
            let name_len = self.buf.len() - name_at;
            self.buf[after_lt..].rotate_right(name_len);
        }
        self.attrs_at = self.buf.len();
        Ok(())
    }

    /// Starts an element.
    pub fn start(&mut self, name: QName) -> Result<()> {
        self.start_ns(name.ns, Some(name.ns), name.local)
    }

    /// Starts an element with an owned name.
    pub fn start_owned(&mut self, name: &OwnedQName) -> Result<()> {
        self.start_ns(name.ns_str(), None, &name.local)
    }

    /// Declares namespace `ns` on the element just started (before any
    /// content), so that descendants share one declaration.
    pub fn declare_ns(&mut self, ns: &str) -> Result<()> {
        if !self.tag_open {
            return Err(Error::detached(ErrorKind::Writer(
                "declare_ns() after the start tag was closed",
            )));
        }
        if ns != ns::XML {
            let for_attribute = self.preferred(ns).map(|(_, p)| p) != Some("");
            self.ensure_prefix(ns, None, for_attribute);
        }
        Ok(())
    }

    /// Returns the text of a QName-valued content (such as a fault code),
    /// declaring a prefix for its namespace on the element just started.
    pub fn qname_text(&mut self, name: &OwnedQName) -> Result<String> {
        if !self.tag_open {
            return Err(Error::detached(ErrorKind::Writer(
                "qname_text() after the start tag was closed",
            )));
        }
        check_name(&name.local)?;
        match name.ns.as_deref() {
            None | Some("") => Ok(name.local.clone()),
            Some(ns::XML) => Ok(format!("xml:{}", name.local)),
            Some(ns) => {
                let i = self.ensure_prefix(ns, None, true);
                Ok(format!("{}:{}", self.bindings[i].prefix, name.local))
            }
        }
    }

    fn attribute_ns(
        &mut self,
        ns: &str,
        static_ns: Option<&'static str>,
        local: &str,
        value: &str,
    ) -> Result<()> {
        check_name(local)?;
        if !self.tag_open {
            check_chars(value)?;
            return Err(Error::detached(ErrorKind::Writer(
                "attribute() after the start tag was closed",
            )));
        }
        let index = if ns.is_empty() || ns == ns::XML {
            None
        } else if let Some(i) = self.prefix_for(ns, true) {
            Some(i)
        } else {
            // Checked before a prefix is declared for it: a refused value
            // leaves the tag as it was.
            check_chars(value)?;
            Some(self.declare_prefix(ns, static_ns, true))
        };
        let buf = &mut self.buf;
        let len = buf.len();
        buf.push(b' ');
        match index {
            Some(i) => write_qname(buf, &self.bindings[i].prefix, local),
            // Bound by definition, never declared.
            None if !ns.is_empty() => write_qname(buf, "xml", local),
            None => buf.extend_from_slice(local.as_bytes()),
        }
        buf.extend_from_slice(b"=\"");
        // Checked while escaped: one pass over the value.
        if let Err(pos) = escape::<true, true>(buf, value.as_bytes()) {
            buf.truncate(len);
            return Err(forbidden_char(value, pos));
        }
        buf.push(b'"');
        Ok(())
    }

    /// Adds an attribute to the element just started. Use the `""`
    /// namespace for an unqualified attribute.
    pub fn attribute(&mut self, name: QName, value: &str) -> Result<()> {
        self.attribute_ns(name.ns, Some(name.ns), name.local, value)
    }

    /// Adds an attribute with an owned name.
    pub fn attribute_owned(&mut self, name: &OwnedQName, value: &str) -> Result<()> {
        self.attribute_ns(name.ns_str(), None, &name.local, value)
    }

    /// Writes escaped character data. Characters that XML does not allow
    /// give [`ErrorKind::BadValue`].
    pub fn text(&mut self, text: &str) -> Result<()> {
        if self.stack.is_empty() {
            check_chars(text)?;
            return Err(Error::detached(ErrorKind::Writer(
                "text outside the root element",
            )));
        }
        let (len, tag_open) = (self.buf.len(), self.tag_open);
        self.close_tag();
        // Checked while escaped: one pass over the text.
        if let Err(pos) = escape::<false, true>(&mut self.buf, text.as_bytes()) {
            self.buf.truncate(len);
            self.tag_open = tag_open;
            return Err(forbidden_char(text, pos));
        }
        Ok(())
    }

    /// Ends the innermost open element.
    pub fn end(&mut self) -> Result<()> {
        let frame = self.stack.pop().ok_or(Error::detached(ErrorKind::Writer(
            "end() without an open element",
        )))?;
        if self.tag_open {
            self.buf.extend_from_slice(b"/>");
            self.tag_open = false;
        } else {
            self.buf.extend_from_slice(b"</");
            self.buf.extend_from_slice(&self.names[frame.name_start..]);
            self.buf.push(b'>');
        }
        self.names.truncate(frame.name_start);
        self.bindings.truncate(frame.bindings_start);
        Ok(())
    }

    /// Writes `<name>text</name>`.
    pub fn text_element(&mut self, name: QName, text: &str) -> Result<()> {
        self.start(name)?;
        self.text(text)?;
        self.end()
    }

    /// Writes `<name>value</name>` with the value's canonical form.
    pub fn value_element<T: XsdType>(&mut self, name: QName, value: &T) -> Result<()> {
        value.with_xsd(|v| self.text_element(name, v))
    }

    /// Writes `<name xsi:nil="true"/>`.
    pub fn nil_element(&mut self, name: QName) -> Result<()> {
        self.start(name)?;
        self.attribute(QName::new(ns::XSI, "nil"), "true")?;
        self.end()
    }

    /// The bytes written so far; an error if an element is still open.
    pub fn into_bytes(self) -> Result<Vec<u8>> {
        if !self.stack.is_empty() {
            return Err(Error::detached(ErrorKind::Writer(
                "an element is still open",
            )));
        }
        Ok(self.buf)
    }
}

/// Appends `prefix:local`, or `local` for the empty prefix.
#[inline]
fn write_qname(out: &mut Vec<u8>, prefix: &str, local: &str) {
    if !prefix.is_empty() {
        out.extend_from_slice(prefix.as_bytes());
        out.push(b':');
    }
    out.extend_from_slice(local.as_bytes());
}

fn check_name(local: &str) -> Result<()> {
    // The reader's rule, so that every name read can be written again.
    let ok = crate::lexical::is_ncname(local);
    if ok {
        Ok(())
    } else {
        Err(Error::detached(ErrorKind::bad_value(
            "xs:NCName",
            local,
            "not a valid XML local name",
        )))
    }
}

fn check_chars(s: &str) -> Result<()> {
    match first_forbidden_char(s.as_bytes()) {
        None => Ok(()),
        Some(pos) => Err(forbidden_char(s, pos)),
    }
}

/// Appends `s` escaped for element content (`&`, `<`, `>`, and CR, which
/// a reader would otherwise normalise away) or, with `attribute`, for a
/// double-quoted attribute value (also `"`, tab and line feed). Runs of
/// characters that need no escape are copied whole.
fn escape_into(buf: &mut Vec<u8>, s: &str, attribute: bool) {
    let done = if attribute {
        escape::<true, false>(buf, s.as_bytes())
    } else {
        escape::<false, false>(buf, s.as_bytes())
    };
    debug_assert!(done.is_ok(), "nothing is checked");
}

/// The block size of [`escape`]'s vectorised pass: short values (names,
/// numbers, URIs) take the byte loop, base64 and long text the blocks.
const ESCAPE_BLOCK: usize = 16;

/// The block size of [`escape`]'s pass over long text, which wide vector
/// registers take in one or two steps.
const WIDE_BLOCK: usize = 64;

/// Whether `block` holds no byte [`escape`] must look at: nothing to
/// escape and, with `CHECK`, no control character or `0xEF` (the lead byte
/// of U+FFFE and U+FFFF). No branch per byte, so the compiler vectorises it.
#[inline]
fn block_plain<const ATTR: bool, const CHECK: bool>(block: &[u8]) -> bool {
    let mut acc = 0u8;
    for &b in block {
        let markup = u8::from(b == b'&') | u8::from(b == b'<') | u8::from(b == b'>');
        let control = if ATTR {
            // Tab and line feed are escaped in attribute values.
            u8::from(b < 0x20) | u8::from(b == b'"')
        } else if CHECK {
            u8::from(b < 0x20) & u8::from(b != b'\t') & u8::from(b != b'\n')
        } else {
            u8::from(b == b'\r')
        };
        let lead = if CHECK { u8::from(b == 0xEF) } else { 0 };
        acc |= markup | control | lead;
    }
    acc == 0
}

/// [`escape_into`], and with `CHECK` the offset of the first character XML
/// does not allow (see [`first_forbidden_char`]) instead, in one pass.
/// On error `buf` holds part of the text; the caller truncates it.
#[inline]
fn escape<const ATTR: bool, const CHECK: bool>(
    buf: &mut Vec<u8>,
    bytes: &[u8],
) -> std::result::Result<(), usize> {
    let mut run = 0;
    let mut i = 0;
    let mut slow_to = 0;
    while i < bytes.len() {
        if i >= slow_to {
            // Long text (base64) a cache line at a time.
            if let Some(wide) = bytes.get(i..i + WIDE_BLOCK)
                && block_plain::<ATTR, CHECK>(wide)
            {
                i += WIDE_BLOCK;
                continue;
            }
            match bytes.get(i..i + ESCAPE_BLOCK) {
                Some(block) if block_plain::<ATTR, CHECK>(block) => {
                    i += ESCAPE_BLOCK;
                    continue;
                }
                Some(_) => slow_to = i + ESCAPE_BLOCK,
                None => slow_to = bytes.len(),
            }
        }
        let b = bytes[i];
        let escaped: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'\r' => b"&#xD;",
            b'"' if ATTR => b"&quot;",
            b'\t' if ATTR => b"&#x9;",
            b'\n' if ATTR => b"&#xA;",
            b'\t' | b'\n' => {
                i += 1;
                continue;
            }
            0..0x20 if CHECK => return Err(i),
            0xEF if CHECK
                && bytes.get(i + 1) == Some(&0xBF)
                && matches!(bytes.get(i + 2), Some(&0xBE | &0xBF)) =>
            {
                return Err(i);
            }
            _ => {
                i += 1;
                continue;
            }
        };
        buf.extend_from_slice(&bytes[run..i]);
        buf.extend_from_slice(escaped);
        i += 1;
        run = i;
    }
    buf.extend_from_slice(&bytes[run..]);
    Ok(())
}

/// The error for text with a character XML does not allow at `pos`.
#[cold]
fn forbidden_char(s: &str, pos: usize) -> Error {
    let c = s[pos..].chars().next().unwrap_or_default();
    Error::detached(ErrorKind::bad_value(
        "xs:string",
        s,
        format!("character U+{:04X} is not allowed in XML", u32::from(c)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(w: XmlWriter) -> String {
        String::from_utf8(w.into_bytes().unwrap()).unwrap()
    }

    /// MS-XCEP's namespace, written as the default namespace by xcep.
    const XCEP: &str = "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy";

    #[test]
    fn default_namespace_and_undeclaring_it() {
        let mut w = XmlWriter::with_prefixes(&[(XCEP, "")]);
        w.start(QName::new(XCEP, "GetPolicies")).unwrap();
        w.start(QName::new(XCEP, "client")).unwrap();
        w.start(QName::new("", "plain")).unwrap();
        w.end().unwrap();
        w.end().unwrap();
        w.nil_element(QName::new(XCEP, "requestFilter")).unwrap();
        w.end().unwrap();
        assert_eq!(
            s(w),
            format!(
                r#"<GetPolicies xmlns="{x}"><client><plain xmlns=""/></client><requestFilter xmlns:xsi="{xsi}" xsi:nil="true"/></GetPolicies>"#,
                x = XCEP,
                xsi = ns::XSI
            )
        );
    }

    #[test]
    fn generated_prefixes_and_escaping() {
        let mut w = XmlWriter::new();
        w.start(QName::new("urn:one", "a")).unwrap();
        w.attribute(QName::new("urn:two", "b"), "x\"<&\n").unwrap();
        w.text("1 < 2 & \r").unwrap();
        w.end().unwrap();
        assert_eq!(
            s(w),
            r#"<ns0:a xmlns:ns0="urn:one" xmlns:ns1="urn:two" ns1:b="x&quot;&lt;&amp;&#xA;">1 &lt; 2 &amp; &#xD;</ns0:a>"#
        );
    }

    #[test]
    fn declarations_go_before_attributes_written_earlier() {
        let mut w = XmlWriter::with_prefixes(&[("urn:d", "")]);
        w.start(QName::new("urn:one", "a")).unwrap();
        w.attribute(QName::new("", "b"), "1").unwrap();
        w.attribute(QName::new("urn:two", "c"), "2").unwrap();
        w.attribute(QName::new(ns::XML, "lang"), "en").unwrap();
        w.attribute(QName::new("urn:d", "e"), "3").unwrap();
        w.start(QName::new("urn:d", "f")).unwrap();
        w.start(QName::new(ns::XML, "g")).unwrap();
        w.end().unwrap();
        w.start(QName::new("urn:one", "h")).unwrap();
        w.attribute(QName::new("urn:two", "i"), "4").unwrap();
        w.end().unwrap();
        w.end().unwrap();
        w.end().unwrap();
        assert_eq!(
            s(w),
            r#"<ns0:a xmlns:ns0="urn:one" xmlns:ns1="urn:two" xmlns:ns2="urn:d" b="1" ns1:c="2" xml:lang="en" ns2:e="3"><ns2:f><xml:g/><ns0:h ns1:i="4"/></ns2:f></ns0:a>"#
        );
    }

    /// The escapes one byte at a time, as the writer first did.
    fn naive_escape(s: &str, attribute: bool) -> Vec<u8> {
        let mut out = Vec::new();
        for &b in s.as_bytes() {
            match b {
                b'&' => out.extend_from_slice(b"&amp;"),
                b'<' => out.extend_from_slice(b"&lt;"),
                b'>' => out.extend_from_slice(b"&gt;"),
                b'\r' => out.extend_from_slice(b"&#xD;"),
                b'"' if attribute => out.extend_from_slice(b"&quot;"),
                b'\t' if attribute => out.extend_from_slice(b"&#x9;"),
                b'\n' if attribute => out.extend_from_slice(b"&#xA;"),
                _ => out.push(b),
            }
        }
        out
    }

    /// [`escape`] with `CHECK`, for one value of `ATTR`.
    type EscapeChecked = fn(&mut Vec<u8>, &[u8]) -> std::result::Result<(), usize>;

    proptest::proptest! {
        #[test]
        fn block_escaping_agrees_with_the_byte_loop(
            s in "(a{0,90}[a&<>\"\t\n\r\u{0}\u{1F}\u{F000}\u{FFFD}-\u{FFFF}\u{E9}]{0,3}){0,6}"
        ) {
            for attribute in [false, true] {
                let mut out = Vec::new();
                escape_into(&mut out, &s, attribute);
                proptest::prop_assert_eq!(&out, &naive_escape(&s, attribute));
            }
            // Escaped and checked in one pass: text, then an attribute value.
            let forms: [(EscapeChecked, bool); 2] =
                [(escape::<false, true>, false), (escape::<true, true>, true)];
            for (checked, attribute) in forms {
                let mut out = Vec::new();
                match checked(&mut out, s.as_bytes()) {
                    Ok(()) => {
                        proptest::prop_assert_eq!(first_forbidden_char(s.as_bytes()), None);
                        proptest::prop_assert_eq!(&out, &naive_escape(&s, attribute));
                    }
                    Err(pos) => proptest::prop_assert_eq!(first_forbidden_char(s.as_bytes()), Some(pos)),
                }
            }
        }
    }

    #[test]
    fn a_bad_character_in_an_attribute_writes_nothing() {
        let mut w = XmlWriter::new();
        w.start(QName::new("", "a")).unwrap();
        let long = format!("{}\u{FFFF}", "x".repeat(40));
        assert!(w.attribute(QName::new("", "b"), &long).is_err());
        // Nor declares the prefix of its namespace.
        assert!(w.attribute(QName::new(ns::WSU, "Id"), "\u{1}").is_err());
        w.attribute(QName::new("", "c"), "ok\t").unwrap();
        w.end().unwrap();
        assert_eq!(s(w), r#"<a c="ok&#x9;"/>"#);
    }

    #[test]
    fn a_bad_character_in_text_writes_nothing() {
        let mut w = XmlWriter::new();
        w.start(QName::new("", "a")).unwrap();
        let long = format!("{}\u{FFFF}", "x".repeat(40));
        assert!(w.text(&long).is_err());
        w.text("ok").unwrap();
        w.end().unwrap();
        assert_eq!(s(w), "<a>ok</a>");
    }

    #[test]
    fn misuse_is_an_error() {
        let mut w = XmlWriter::new();
        assert!(w.end().is_err());
        w.start(QName::new("", "a")).unwrap();
        assert!(w.text("\u{0}").is_err());
        assert!(w.start(QName::new("", "1bad")).is_err());
    }
}
