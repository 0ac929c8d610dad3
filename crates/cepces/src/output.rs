//! Rendering of [`Report`]s and errors: readable text, or JSON.
//!
//! The JSON form is a function of the report alone, and the report of the
//! message's values alone, so two spellings of the same message (other
//! prefixes, namespace declarations, comments, CDATA sections, character
//! references, whitespace between elements, encoding) give byte-identical
//! JSON. Every object key is always present (with `null` when absent)
//! except `redacted`, which only appears on a withheld `wsse:Password`.
//! Names are objects `{"ns": ..., "local": ...}` with `ns` `null` for no
//! namespace.
//!
//! A recognized payload is `{"protocol", "message", "facts", "model",
//! "error"}`: `model` is what a typed view read (the MS-XCEP messages, see
//! [`crate::xcep_view`]) as nested objects, arrays and scalars, a number
//! with a meaning (a flag set, an enumerated value) being `{"value",
//! "name"}`; `error` is `{"kind", "message", "path"}` when the typed model
//! refused the element (no byte offset: the typed view reads the element's
//! values, not the input bytes). Both are `null` otherwise.
//!
//! Both forms are written as they are made, into a writer: the JSON of a
//! large message is many times its size, and the payload's tree is let go
//! once written, before its typed view is read (see
//! [`crate::inspect::PayloadReport::read_view`]).
//!
//! The text form is for people: names in Clark notation
//! (`{namespace}local`), long texts shortened, control characters escaped;
//! a typed model is shown one value a line, nested records indented and
//! list items marked with `- `.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Number, json};
use soap_envelope::{AnyAttribute, AnyElement, Error, OwnedQName, SoapVersion};

use crate::inspect::{
    BlockAttrs, EndpointReport, FaultReport, HeaderReport, PayloadReport, Report, SecurityReport,
    Shown, UnknownReport, UriHeader,
};
use crate::views::{Value as ModelValue, View, ViewError};

/// Text values longer than this many characters are shortened in text
/// output.
const TEXT_MAX_CHARS: usize = 96;
/// At most this many child elements of one element are listed in text
/// output.
const CHILDREN_MAX: usize = 64;

/// The SOAP version as `1.2` or `1.1`.
fn version_str(v: SoapVersion) -> &'static str {
    match v {
        SoapVersion::Soap11 => "1.1",
        // `SoapVersion` is non-exhaustive: anything else is read as 1.2.
        _ => "1.2",
    }
}

// ---------------------------------------------------------------- JSON ---

/// Writes the report as pretty-printed JSON, ending with a newline, as it
/// goes: the payload's tree is written, then let go, then its typed view
/// is read (see [`PayloadReport::read_view`]) and written.
pub fn write_json(report: &mut Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    {
        let mut ser = serde_json::Serializer::pretty(&mut *out);
        // The keys in order, as every object's (see `Json`).
        let mut m = ser.serialize_map(Some(5))?;
        m.serialize_entry("fault", &opt(report.fault.as_ref(), fault_json))?;
        m.serialize_entry("header", &opt(report.header.as_ref(), header_json))?;
        m.serialize_entry("message", report.kind.name())?;
        m.serialize_entry(
            "payload",
            &report
                .payload
                .as_mut()
                .map(|p| PayloadJson(RefCell::new(p))),
        )?;
        m.serialize_entry("soap_version", &report.soap_version.map(version_str))?;
        SerializeMap::end(m)?;
    }
    out.write_all(b"\n")
}

/// Writes a reading error as JSON: `{"error": {"kind", "message", "path",
/// "offset"}}`, ending with a newline.
pub fn write_error_json(err: &Error, out: &mut dyn Write) -> io::Result<()> {
    let v = json!({
        "error": {
            "kind": err.kind_name(),
            "message": err.kind().to_string(),
            "path": err.path(),
            "offset": err.offset(),
        }
    });
    serde_json::to_writer_pretty(&mut *out, &v)?;
    out.write_all(b"\n")
}

/// A JSON value to write, borrowing from the report (an element tree and a
/// typed model are written from what the report holds, not from a copy).
///
/// Every object's keys are written in order, as the `serde_json::Map` (a
/// `BTreeMap`) of the `serde_json::Value` that this output was once built
/// as wrote them, and a key given twice keeps its last value: the output is
/// byte for byte the same.
enum Json<'a> {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A signed number.
    Int(i64),
    /// An unsigned number.
    UInt(u64),
    /// A number as `serde_json` reads it from text.
    Number(Number),
    /// A string.
    Str(&'a str),
    /// A string made for the output.
    String(String),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object, its keys in order (see [`object`]).
    Object(Vec<(&'a str, Json<'a>)>),
    /// An element tree (see [`element_json`]).
    Element(&'a AnyElement),
    /// A typed view's value (see [`model_json`]).
    Model(&'a ModelValue),
}

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::Int(n) => s.serialize_i64(*n),
            Json::UInt(n) => s.serialize_u64(*n),
            Json::Number(n) => n.serialize(s),
            Json::Str(t) => s.serialize_str(t),
            Json::String(t) => s.serialize_str(t),
            Json::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            Json::Element(e) => element_json(e).serialize(s),
            Json::Model(v) => model_json(v).serialize(s),
        }
    }
}

/// An object of `entries`, put in key order; of the entries with the same
/// key, the last is kept.
fn object<'a>(mut entries: Vec<(&'a str, Json<'a>)>) -> Json<'a> {
    // Stable: entries with the same key keep their order.
    entries.sort_by(|a, b| a.0.cmp(b.0));
    let mut out: Vec<(&str, Json<'_>)> = Vec::with_capacity(entries.len());
    for entry in entries {
        if out.last().is_some_and(|last| last.0 == entry.0) {
            out.pop();
        }
        out.push(entry);
    }
    Json::Object(out)
}

/// `f(v)`, or `null` for `None`.
fn opt<'a, T>(v: Option<T>, f: impl FnOnce(T) -> Json<'a>) -> Json<'a> {
    v.map_or(Json::Null, f)
}

/// An optional string.
fn opt_str(v: Option<&String>) -> Json<'_> {
    opt(v, |s| Json::Str(s))
}

/// The payload object: its tree, then what it is. Once the tree is
/// written it is let go, and only then is the typed view read: the two are
/// never held together.
struct PayloadJson<'r, 'i>(RefCell<&'r mut PayloadReport<'i>>);

impl Serialize for PayloadJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut p = self.0.borrow_mut();
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("element", &opt(p.element.as_ref(), Json::Element))?;
        p.release();
        p.read_view();
        m.serialize_entry("recognized", &view_json(p.view.as_ref()))?;
        m.end()
    }
}

/// An expanded name as `{"ns", "local"}`.
fn name_json(n: &OwnedQName) -> Json<'_> {
    object(vec![
        ("ns", opt_str(n.ns.as_ref())),
        ("local", Json::Str(&n.local)),
    ])
}

/// An object of `entries` and a header block's SOAP attributes.
fn with_attrs<'a>(mut entries: Vec<(&'a str, Json<'a>)>, a: &'a BlockAttrs) -> Json<'a> {
    entries.push(("must_understand", Json::Bool(a.must_understand)));
    entries.push(("role", opt_str(a.role.as_ref())));
    entries.push(("relay", Json::Bool(a.relay)));
    object(entries)
}

/// Element trees.
fn elements_json(es: &[AnyElement]) -> Json<'_> {
    Json::Array(es.iter().map(Json::Element).collect())
}

/// A URI-valued header block.
fn uri_json(u: &UriHeader) -> Json<'_> {
    with_attrs(vec![("value", Json::Str(&u.value))], &u.attrs)
}

/// An endpoint reference header block.
fn endpoint_json(e: &EndpointReport) -> Json<'_> {
    with_attrs(
        vec![
            ("address", Json::Str(&e.address)),
            (
                "reference_parameters",
                elements_json(&e.reference_parameters),
            ),
            ("other", elements_json(&e.other)),
        ],
        &e.attrs,
    )
}

/// The Security header block, without any password.
fn security_json(s: &SecurityReport) -> Json<'_> {
    let timestamp = opt(s.timestamp.as_ref(), |t| {
        object(vec![
            ("id", opt_str(t.id.as_ref())),
            ("created", opt_str(t.created.as_ref())),
            ("expires", opt_str(t.expires.as_ref())),
            ("lifetime_seconds", opt(t.lifetime_secs, Json::Int)),
        ])
    });
    let username_token = opt(s.username_token.as_ref(), |u| {
        object(vec![
            ("id", opt_str(u.id.as_ref())),
            ("username", Json::Str(&u.username)),
            (
                "password",
                object(vec![
                    ("present", Json::Bool(u.password_present)),
                    ("type", opt_str(u.password_type.as_ref())),
                ]),
            ),
            ("nonce_present", Json::Bool(u.nonce_present)),
            ("created", opt_str(u.created.as_ref())),
        ])
    });
    let tokens = s
        .binary_security_tokens
        .iter()
        .map(|t| {
            object(vec![
                ("id", opt_str(t.id.as_ref())),
                ("value_type", opt_str(t.value_type.as_ref())),
                ("encoding_type", opt_str(t.encoding_type.as_ref())),
                ("base64", Json::Bool(t.decoded_len.is_some())),
                (
                    "decoded_bytes",
                    opt(t.decoded_len, |n| {
                        Json::UInt(n.try_into().unwrap_or(u64::MAX))
                    }),
                ),
            ])
        })
        .collect();
    with_attrs(
        vec![
            ("timestamp", timestamp),
            ("username_token", username_token),
            ("binary_security_tokens", Json::Array(tokens)),
            ("other", elements_json(&s.other)),
        ],
        &s.attrs,
    )
}

/// An unknown header block, by namespace URI and local name.
fn unknown_json(u: &UnknownReport) -> Json<'_> {
    with_attrs(
        vec![
            ("ns", opt_str(u.element.name.ns.as_ref())),
            ("local", Json::Str(&u.element.name.local)),
            ("not_understood", Json::Bool(u.not_understood)),
            ("element", Json::Element(&u.element)),
        ],
        &u.attrs,
    )
}

/// The header: every known block (`null` when absent) and the unknown ones.
fn header_json(h: &HeaderReport) -> Json<'_> {
    let relates_to = h
        .relates_to
        .iter()
        .map(|r| {
            with_attrs(
                vec![
                    ("value", Json::Str(&r.value)),
                    ("relationship_type", opt_str(r.relationship_type.as_ref())),
                ],
                &r.attrs,
            )
        })
        .collect();
    object(vec![
        ("action", opt(h.action.as_ref(), uri_json)),
        ("message_id", opt(h.message_id.as_ref(), uri_json)),
        ("to", opt(h.to.as_ref(), uri_json)),
        ("relates_to", Json::Array(relates_to)),
        ("reply_to", opt(h.reply_to.as_ref(), endpoint_json)),
        ("from", opt(h.from.as_ref(), endpoint_json)),
        ("fault_to", opt(h.fault_to.as_ref(), endpoint_json)),
        ("security", opt(h.security.as_ref(), security_json)),
        (
            "unknown",
            Json::Array(h.unknown.iter().map(unknown_json).collect()),
        ),
    ])
}

/// An attribute as `{"ns", "local", "value"}`.
fn attribute_json(a: &AnyAttribute) -> Json<'_> {
    object(vec![
        ("ns", opt_str(a.name.ns.as_ref())),
        ("local", Json::Str(&a.name.local)),
        ("value", Json::Str(&a.value)),
    ])
}

/// An element tree: the element as [`Shown`], its children in turn.
fn element_json(e: &AnyElement) -> Json<'_> {
    let shown = Shown::of(e);
    let mut entries = vec![
        ("ns", opt_str(e.name.ns.as_ref())),
        ("local", Json::Str(&e.name.local)),
        (
            "attributes",
            Json::Array(shown.attributes.into_iter().map(attribute_json).collect()),
        ),
        ("text", opt(shown.text, Json::String)),
        (
            "children",
            Json::Array(e.child_elements().map(Json::Element).collect()),
        ),
    ];
    if shown.redacted {
        entries.push(("redacted", Json::Bool(true)));
    }
    object(entries)
}

/// What a view recognized, `null` when none did.
fn view_json(v: Option<&View>) -> Json<'_> {
    opt(v, |v| {
        object(vec![
            ("protocol", Json::Str(v.protocol)),
            ("message", Json::Str(v.message)),
            (
                "facts",
                object(
                    v.facts
                        .iter()
                        .map(|(k, val)| (*k, Json::Str(val)))
                        .collect(),
                ),
            ),
            ("model", opt(v.model.as_ref(), Json::Model)),
            ("error", opt(v.error.as_ref(), view_error_json)),
        ])
    })
}

/// A typed view's value.
fn model_json(v: &ModelValue) -> Json<'_> {
    match v {
        ModelValue::Nil | ModelValue::Missing => Json::Null,
        ModelValue::Bool(b) => Json::Bool(*b),
        ModelValue::Int(n) => Json::Int(*n),
        ModelValue::Decimal(d) => d
            .parse::<Number>()
            .map_or_else(|_| Json::Str(d), Json::Number),
        ModelValue::Text(s) => Json::Str(s),
        ModelValue::Named { value, name, .. } => object(vec![
            ("value", Json::UInt(u64::from(*value))),
            ("name", Json::Str(name)),
        ]),
        ModelValue::List(items) => Json::Array(items.iter().map(Json::Model).collect()),
        ModelValue::Record(fields) => {
            object(fields.iter().map(|(k, v)| (*k, Json::Model(v))).collect())
        }
    }
}

/// A typed view's error.
fn view_error_json(e: &ViewError) -> Json<'_> {
    object(vec![
        ("kind", Json::Str(e.kind)),
        ("message", Json::Str(&e.message)),
        ("path", Json::Str(&e.path)),
    ])
}

/// The fault.
fn fault_json(f: &FaultReport) -> Json<'_> {
    let detail = opt(f.detail.as_ref(), |d| {
        let entries = d
            .entries
            .iter()
            .map(|e| {
                object(vec![
                    ("element", Json::Element(&e.element)),
                    ("recognized", view_json(e.view.as_ref())),
                ])
            })
            .collect();
        object(vec![
            (
                "attributes",
                Json::Array(d.attributes.iter().map(attribute_json).collect()),
            ),
            ("entries", Json::Array(entries)),
        ])
    });
    let reasons = f
        .reasons
        .iter()
        .map(|r| {
            object(vec![
                ("lang", Json::Str(&r.lang)),
                ("text", Json::Str(&r.text)),
            ])
        })
        .collect();
    object(vec![
        ("code", Json::Str(f.code)),
        (
            "subcodes",
            Json::Array(f.subcodes.iter().map(name_json).collect()),
        ),
        ("reasons", Json::Array(reasons)),
        ("node", opt_str(f.node.as_ref())),
        ("role", opt_str(f.role.as_ref())),
        ("detail", detail),
    ])
}

// ---------------------------------------------------------------- text ---

/// A text being written, line by line, with indentation.
struct Text<'w> {
    /// Where it goes.
    out: &'w mut dyn Write,
    /// Columns at which the next line's indentation gets a list marker
    /// (`- ` in place of two spaces): the items of a typed model's lists
    /// whose first line is not written yet.
    markers: Vec<usize>,
    /// The first error met writing: nothing is written after it.
    error: Option<io::Error>,
}

impl<'w> Text<'w> {
    /// A text written to `out`.
    fn new(out: &'w mut dyn Write) -> Self {
        Self {
            out,
            markers: Vec::new(),
            error: None,
        }
    }

    /// Adds one line at `indent` levels of two spaces.
    fn line(&mut self, indent: usize, s: impl AsRef<str>) {
        if self.error.is_some() {
            return;
        }
        let s = s.as_ref();
        let mut line = String::with_capacity(2 * indent + s.len() + 1);
        for _ in 0..indent {
            line.push_str("  ");
        }
        line.push_str(s);
        line.push('\n');
        for m in self.markers.drain(..) {
            if line.get(m..m + 2) == Some("  ") {
                line.replace_range(m..m + 2, "- ");
            }
        }
        if let Err(e) = self.out.write_all(line.as_bytes()) {
            self.error = Some(e);
        }
    }

    /// The first error met writing, if any.
    fn finish(self) -> io::Result<()> {
        self.error.map_or(Ok(()), Err)
    }

    /// Adds a `label  value` line with the label padded to a column.
    fn field(&mut self, indent: usize, label: &str, value: impl AsRef<str>) {
        self.line(indent, format!("{label:<13} {}", value.as_ref()).trim_end());
    }
}

/// A value from the document made safe for a terminal: control characters
/// escaped, and quoted when it is empty, has surrounding whitespace or
/// needed escaping.
fn clean(s: &str) -> String {
    let needs_quotes = s.is_empty()
        || s.starts_with(char::is_whitespace)
        || s.ends_with(char::is_whitespace)
        || s.chars().any(char::is_control);
    if needs_quotes {
        quoted(s)
    } else {
        s.to_owned()
    }
}

/// A text value in quotes with control characters and quotes escaped,
/// shortened when long.
fn quoted(s: &str) -> String {
    let count = s.chars().count();
    if count > TEXT_MAX_CHARS {
        let head: String = s.chars().take(TEXT_MAX_CHARS - 16).collect();
        format!("\"{}…\" ({count} characters)", escape(&head))
    } else {
        quoted_full(s)
    }
}

/// A text value in quotes with control characters and quotes escaped,
/// never shortened.
fn quoted_full(s: &str) -> String {
    format!("\"{}\"", escape(s))
}

/// Escapes control characters (`\n`, `\u{1b}`, ...) and double quotes; other
/// characters, backslashes included, are kept.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '"' {
            out.push_str("\\\"");
        } else if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A name in Clark notation, cleaned.
fn clark(n: &OwnedQName) -> String {
    clean(&n.to_string())
}

/// The SOAP attributes as `[mustUnderstand, role=..., relay]`, or nothing.
fn flags(a: &BlockAttrs) -> String {
    let mut parts = Vec::new();
    if a.must_understand {
        parts.push("mustUnderstand".to_owned());
    }
    if let Some(r) = &a.role {
        parts.push(format!("role={}", clean(r)));
    }
    if a.relay {
        parts.push("relay".to_owned());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("  [{}]", parts.join(", "))
    }
}

/// An optional value, `-` when absent.
fn opt_text(v: Option<&String>) -> String {
    v.map_or_else(|| "-".to_owned(), |s| clean(s))
}

/// Writes the report as readable text. The payload's view is shown when it
/// has been [read](PayloadReport::read_view).
pub fn write_text(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut t = Text::new(out);
    let message = match report.soap_version {
        Some(v) => format!("SOAP {} {}", version_str(v), report.kind.describe()),
        None => report.kind.describe().to_owned(),
    };
    t.field(0, "Message", message);
    if let Some(h) = &report.header {
        header_text(&mut t, h);
    }
    if let Some(p) = &report.payload {
        t.line(0, "Body");
        if let Some(e) = &p.element {
            t.field(1, "Payload", clark(&e.name));
        }
        view_text(&mut t, 1, p.view.as_ref());
        t.line(1, "Tree");
        if let Some(e) = &p.element {
            element_text(&mut t, 2, e, None);
        }
    }
    if let Some(f) = &report.fault {
        fault_text(&mut t, f);
    }
    t.finish()
}

/// The header blocks, one per line.
fn header_text(t: &mut Text, h: &HeaderReport) {
    let empty = h.action.is_none()
        && h.message_id.is_none()
        && h.to.is_none()
        && h.relates_to.is_empty()
        && h.reply_to.is_none()
        && h.from.is_none()
        && h.fault_to.is_none()
        && h.security.is_none()
        && h.unknown.is_empty();
    if empty {
        t.field(0, "Header", "(none)");
        return;
    }
    t.line(0, "Header");
    for (label, v) in [
        ("Action", &h.action),
        ("MessageID", &h.message_id),
        ("To", &h.to),
    ] {
        if let Some(v) = v {
            t.field(1, label, format!("{}{}", clean(&v.value), flags(&v.attrs)));
        }
    }
    for r in &h.relates_to {
        let rel = r.relationship_type.as_deref().map_or_else(
            || " (reply)".to_owned(),
            |x| format!(" (relationship {})", clean(x)),
        );
        t.field(
            1,
            "RelatesTo",
            format!("{}{rel}{}", clean(&r.value), flags(&r.attrs)),
        );
    }
    for (label, e) in [
        ("ReplyTo", &h.reply_to),
        ("From", &h.from),
        ("FaultTo", &h.fault_to),
    ] {
        if let Some(e) = e {
            t.field(
                1,
                label,
                format!("{}{}", clean(&e.address), flags(&e.attrs)),
            );
            for p in &e.reference_parameters {
                t.line(2, "reference parameter");
                element_text(t, 3, p, None);
            }
            for o in &e.other {
                element_text(t, 2, o, None);
            }
        }
    }
    if let Some(s) = &h.security {
        security_text(t, s);
    }
    for u in &h.unknown {
        let status = if u.not_understood {
            "NOT UNDERSTOOD: mustUnderstand block for the ultimate receiver; a SOAP receiver that does not know it must answer a MustUnderstand fault"
        } else if u.attrs.must_understand {
            "not understood, but targets another role: may be ignored here"
        } else {
            "not understood, optional: may be ignored"
        };
        t.field(
            1,
            "Unknown",
            format!(
                "{}  mustUnderstand={}{}",
                clark(&u.element.name),
                u.attrs.must_understand,
                flags(&BlockAttrs {
                    must_understand: false,
                    ..u.attrs.clone()
                })
            ),
        );
        t.line(2, format!("note: {status}"));
        for c in u.element.child_elements() {
            element_text(t, 2, c, u.element.name.ns.as_deref());
        }
        if let Some(x) = &Shown::of(&u.element).text {
            t.line(2, format!("text {}", quoted(x)));
        }
    }
}

/// The Security header, without any password.
fn security_text(t: &mut Text, s: &SecurityReport) {
    t.field(1, "Security", flags(&s.attrs).trim_start());
    if let Some(ts) = &s.timestamp {
        let life = ts
            .lifetime_secs
            .map(|l| format!(" (lifetime {l} s)"))
            .unwrap_or_default();
        t.field(
            2,
            "Timestamp",
            format!(
                "created {}, expires {}{life}{}",
                opt_text(ts.created.as_ref()),
                opt_text(ts.expires.as_ref()),
                ts.id
                    .as_ref()
                    .map(|i| format!(", Id {}", clean(i)))
                    .unwrap_or_default()
            ),
        );
    }
    if let Some(u) = &s.username_token {
        let password = if u.password_present {
            format!(
                "password present (value not shown), Type {}",
                u.password_type
                    .as_deref()
                    .map_or_else(|| "not given (text)".to_owned(), clean)
            )
        } else {
            "no password".to_owned()
        };
        t.field(
            2,
            "UsernameToken",
            format!("username {}", quoted(&u.username)),
        );
        t.line(3, password);
        if u.nonce_present {
            t.line(3, "nonce present");
        }
        if let Some(c) = &u.created {
            t.line(3, format!("created {}", clean(c)));
        }
    }
    for b in &s.binary_security_tokens {
        let len = b
            .decoded_len
            .map_or_else(|| "not base64".to_owned(), |n| format!("{n} bytes"));
        t.field(2, "BinarySecurityToken", len);
        t.line(3, format!("ValueType {}", opt_text(b.value_type.as_ref())));
        t.line(
            3,
            format!("EncodingType {}", opt_text(b.encoding_type.as_ref())),
        );
        t.line(3, format!("Id {}", opt_text(b.id.as_ref())));
    }
    for o in &s.other {
        t.line(2, "other");
        element_text(t, 3, o, None);
    }
}

/// What a view recognized, with its facts.
fn view_text(t: &mut Text, indent: usize, v: Option<&View>) {
    if let Some(v) = v {
        t.field(
            indent,
            "Recognized",
            format!("{} {}", v.protocol, v.message),
        );
        for (k, val) in &v.facts {
            t.line(indent + 1, format!("{k}: {}", clean(val)));
        }
        if let Some(ModelValue::Record(fields)) = &v.model {
            for (k, val) in fields {
                model_text(t, indent + 1, k, val);
            }
        }
        if let Some(e) = &v.error {
            t.line(
                indent + 1,
                format!("typed reading failed: [{}] {}", e.kind, clean(&e.message)),
            );
            t.line(indent + 2, format!("path: {}", clean(&e.path)));
        }
    }
}

/// A scalar of a typed model as text; `None` for a list or record.
fn scalar_text(v: &ModelValue) -> Option<String> {
    Some(match v {
        ModelValue::Nil => "nil".to_owned(),
        ModelValue::Missing => "missing (schema requires)".to_owned(),
        ModelValue::Bool(b) => b.to_string(),
        ModelValue::Int(n) => n.to_string(),
        ModelValue::Decimal(d) => d.clone(),
        ModelValue::Text(s) => clean(s),
        ModelValue::Named {
            value,
            name,
            hex: true,
        } => format!("{} ({value:#010x})", clean(name)),
        ModelValue::Named { value, name, .. } => format!("{} ({value})", clean(name)),
        ModelValue::List(_) | ModelValue::Record(_) => return None,
    })
}

/// One field of a typed model: `key: scalar`, or `key:` and the nested
/// values below it (`key: []` for an empty list).
fn model_text(t: &mut Text, indent: usize, key: &str, v: &ModelValue) {
    if let Some(s) = scalar_text(v) {
        t.line(indent, format!("{key}: {s}"));
        return;
    }
    match v {
        ModelValue::List(items) if items.is_empty() => t.line(indent, format!("{key}: []")),
        ModelValue::List(items) => {
            t.line(indent, format!("{key}:"));
            for item in items {
                model_item_text(t, indent + 1, item);
            }
        }
        ModelValue::Record(fields) => {
            t.line(indent, format!("{key}:"));
            for (k, val) in fields {
                model_text(t, indent + 1, k, val);
            }
        }
        _ => {}
    }
}

/// One list item of a typed model: `- scalar`, or a record whose first line
/// starts with `- ` and whose other lines are aligned with it.
fn model_item_text(t: &mut Text, indent: usize, v: &ModelValue) {
    // The first line of the item is indented one level more than `indent`:
    // its last two spaces become the list marker.
    let pending = t.markers.len();
    t.markers.push(2 * indent);
    match v {
        ModelValue::Record(fields) => {
            for (k, val) in fields {
                model_text(t, indent + 1, k, val);
            }
        }
        ModelValue::List(items) => {
            for item in items {
                model_item_text(t, indent + 1, item);
            }
        }
        _ => t.line(indent + 1, scalar_text(v).unwrap_or_default()),
    }
    if t.markers.len() > pending {
        // Nothing was written for the item.
        t.markers.truncate(pending);
        t.line(indent, "- []");
    }
}

/// The fault: code, subcodes, reasons, node, role and detail.
fn fault_text(t: &mut Text, f: &FaultReport) {
    t.line(0, "Body");
    t.line(1, "Fault");
    t.field(2, "Code", f.code);
    for s in &f.subcodes {
        t.field(2, "Subcode", clark(s));
    }
    for r in &f.reasons {
        t.field(
            2,
            "Reason",
            format!("[{}] {}", clean(&r.lang), quoted_full(&r.text)),
        );
    }
    if let Some(n) = &f.node {
        t.field(2, "Node", clean(n));
    }
    if let Some(r) = &f.role {
        t.field(2, "Role", clean(r));
    }
    if let Some(d) = &f.detail {
        let attrs: Vec<String> = d.attributes.iter().map(attribute_text).collect();
        t.field(
            2,
            "Detail",
            format!(
                "{} {} {}",
                d.entries.len(),
                if d.entries.len() == 1 {
                    "entry"
                } else {
                    "entries"
                },
                attrs.join(" ")
            ),
        );
        for e in &d.entries {
            t.field(3, "Entry", clark(&e.element.name));
            view_text(t, 4, e.view.as_ref());
            element_text(t, 4, &e.element, None);
        }
    }
}

/// An attribute as `@{ns}local="value"`.
fn attribute_text(a: &AnyAttribute) -> String {
    format!("@{}={}", clark(&a.name), quoted(&a.value))
}

/// One element and its subtree; a name in the same namespace as its parent
/// is shown by local name only.
fn element_text(t: &mut Text, indent: usize, e: &AnyElement, parent_ns: Option<&str>) {
    let shown = Shown::of(e);
    let name = if parent_ns.is_some() && parent_ns == e.name.ns.as_deref() {
        clean(&e.name.local)
    } else {
        clark(&e.name)
    };
    let mut line = name;
    for a in &shown.attributes {
        line.push(' ');
        line.push_str(&attribute_text(a));
    }
    if shown.redacted {
        line.push_str(" = (withheld)");
    } else if let Some(x) = &shown.text {
        let _ = write!(line, " = {}", quoted(x));
    }
    t.line(indent, line);
    let mut children = e.child_elements();
    for c in children.by_ref().take(CHILDREN_MAX) {
        element_text(t, indent + 1, c, e.name.ns.as_deref());
    }
    let more = children.count();
    if more > 0 {
        t.line(indent + 1, format!("… {more} more elements"));
    }
}

/// A typed view's error for standard error: kind, message, element path and
/// what was being read (no byte offset: the typed view reads the element's
/// values).
pub fn view_error_text(v: &View, e: &ViewError) -> String {
    let path = if e.path.is_empty() { "-" } else { &e.path };
    format!(
        "cepces: error [{}]: {}\n  path: {}\n  while reading the element as {} {}\n",
        e.kind,
        clean(&e.message),
        clean(path),
        v.protocol,
        v.message
    )
}

/// A reading error for standard error: kind, message, element path and
/// byte offset.
pub fn error_text(err: &Error) -> String {
    let path = if err.path().is_empty() {
        "-"
    } else {
        err.path()
    };
    format!(
        "cepces: error [{}]: {}\n  path: {}\n  byte offset: {}\n",
        err.kind_name(),
        clean(&err.kind().to_string()),
        clean(path),
        err.offset()
    )
}
