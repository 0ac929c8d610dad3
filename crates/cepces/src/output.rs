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
//! The text form is for people: names in Clark notation
//! (`{namespace}local`), long texts shortened, control characters escaped;
//! a typed model is shown one value a line, nested records indented and
//! list items marked with `- `.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};
use soap_envelope::{Error, OwnedQName, SoapVersion};

use crate::inspect::{
    AttributeSummary, BlockAttrs, ElementSummary, EndpointReport, FaultReport, HeaderReport,
    PayloadReport, Report, SecurityReport, UnknownReport, UriHeader,
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

/// The report as pretty-printed JSON, ending with a newline.
pub fn json(report: &Report) -> String {
    let v = json!({
        "message": report.kind.name(),
        "soap_version": report.soap_version.map(version_str),
        "header": report.header.as_ref().map(header_json),
        "payload": report.payload.as_ref().map(payload_json),
        "fault": report.fault.as_ref().map(fault_json),
    });
    to_pretty(&v)
}

/// A reading error as JSON: `{"error": {"kind", "message", "path",
/// "offset"}}`, ending with a newline.
pub fn error_json(err: &Error) -> String {
    let v = json!({
        "error": {
            "kind": err.kind_name(),
            "message": err.kind().to_string(),
            "path": err.path(),
            "offset": err.offset(),
        }
    });
    to_pretty(&v)
}

/// `v` pretty-printed, with a final newline.
fn to_pretty(v: &Value) -> String {
    // Serializing a `Value` to a String cannot fail (no I/O, string keys).
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string());
    s.push('\n');
    s
}

/// An expanded name as `{"ns", "local"}`.
fn name_json(n: &OwnedQName) -> Value {
    json!({ "ns": n.ns, "local": n.local })
}

/// Adds a header block's SOAP attributes to its object.
fn attrs_json(a: &BlockAttrs, m: &mut Map<String, Value>) {
    m.insert("must_understand".into(), a.must_understand.into());
    m.insert("role".into(), json!(a.role));
    m.insert("relay".into(), a.relay.into());
}

/// The map of a JSON object (empty for any other value).
fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// A URI-valued header block.
fn uri_json(u: &UriHeader) -> Value {
    let mut m = object(json!({ "value": u.value }));
    attrs_json(&u.attrs, &mut m);
    Value::Object(m)
}

/// An endpoint reference header block.
fn endpoint_json(e: &EndpointReport) -> Value {
    let mut m = object(json!({
        "address": e.address,
        "reference_parameters": e.reference_parameters.iter().map(element_json).collect::<Vec<_>>(),
        "other": e.other.iter().map(element_json).collect::<Vec<_>>(),
    }));
    attrs_json(&e.attrs, &mut m);
    Value::Object(m)
}

/// The Security header block, without any password.
fn security_json(s: &SecurityReport) -> Value {
    let mut m = object(json!({
        "timestamp": s.timestamp.as_ref().map(|t| json!({
            "id": t.id,
            "created": t.created,
            "expires": t.expires,
            "lifetime_seconds": t.lifetime_secs,
        })),
        "username_token": s.username_token.as_ref().map(|u| json!({
            "id": u.id,
            "username": u.username,
            "password": { "present": u.password_present, "type": u.password_type },
            "nonce_present": u.nonce_present,
            "created": u.created,
        })),
        "binary_security_tokens": s.binary_security_tokens.iter().map(|t| json!({
            "id": t.id,
            "value_type": t.value_type,
            "encoding_type": t.encoding_type,
            "base64": t.decoded_len.is_some(),
            "decoded_bytes": t.decoded_len,
        })).collect::<Vec<_>>(),
        "other": s.other.iter().map(element_json).collect::<Vec<_>>(),
    }));
    attrs_json(&s.attrs, &mut m);
    Value::Object(m)
}

/// An unknown header block, by namespace URI and local name.
fn unknown_json(u: &UnknownReport) -> Value {
    let mut m = object(json!({
        "ns": u.element.name.ns,
        "local": u.element.name.local,
        "not_understood": u.not_understood,
        "element": element_json(&u.element),
    }));
    attrs_json(&u.attrs, &mut m);
    Value::Object(m)
}

/// The header: every known block (`null` when absent) and the unknown ones.
fn header_json(h: &HeaderReport) -> Value {
    json!({
        "action": h.action.as_ref().map(uri_json),
        "message_id": h.message_id.as_ref().map(uri_json),
        "to": h.to.as_ref().map(uri_json),
        "relates_to": h.relates_to.iter().map(|r| {
            let mut m = object(json!({
                "value": r.value,
                "relationship_type": r.relationship_type,
            }));
            attrs_json(&r.attrs, &mut m);
            Value::Object(m)
        }).collect::<Vec<_>>(),
        "reply_to": h.reply_to.as_ref().map(endpoint_json),
        "from": h.from.as_ref().map(endpoint_json),
        "fault_to": h.fault_to.as_ref().map(endpoint_json),
        "security": h.security.as_ref().map(security_json),
        "unknown": h.unknown.iter().map(unknown_json).collect::<Vec<_>>(),
    })
}

/// An attribute as `{"ns", "local", "value"}`.
fn attribute_json(a: &AttributeSummary) -> Value {
    json!({ "ns": a.name.ns, "local": a.name.local, "value": a.value })
}

/// An element tree.
fn element_json(e: &ElementSummary) -> Value {
    let mut m = object(json!({
        "ns": e.name.ns,
        "local": e.name.local,
        "attributes": e.attributes.iter().map(attribute_json).collect::<Vec<_>>(),
        "text": e.text,
        "children": e.children.iter().map(element_json).collect::<Vec<_>>(),
    }));
    if e.redacted {
        m.insert("redacted".into(), true.into());
    }
    Value::Object(m)
}

/// What a view recognized, `null` when none did.
fn view_json(v: Option<&View>) -> Value {
    match v {
        None => Value::Null,
        Some(v) => {
            let facts: Map<String, Value> = v
                .facts
                .iter()
                .map(|(k, val)| ((*k).to_owned(), Value::from(val.as_str())))
                .collect();
            json!({
                "protocol": v.protocol,
                "message": v.message,
                "facts": facts,
                "model": v.model.as_ref().map(model_json),
                "error": v.error.as_ref().map(view_error_json),
            })
        }
    }
}

/// A typed view's value.
fn model_json(v: &ModelValue) -> Value {
    match v {
        ModelValue::Nil | ModelValue::Missing => Value::Null,
        ModelValue::Bool(b) => Value::Bool(*b),
        ModelValue::Int(n) => Value::from(*n),
        ModelValue::Decimal(d) => d
            .parse::<serde_json::Number>()
            .map_or_else(|_| Value::from(d.as_str()), Value::Number),
        ModelValue::Text(s) => Value::from(s.as_str()),
        ModelValue::Named { value, name, .. } => json!({ "value": value, "name": name }),
        ModelValue::List(items) => Value::Array(items.iter().map(model_json).collect()),
        ModelValue::Record(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), model_json(v)))
                .collect(),
        ),
    }
}

/// A typed view's error.
fn view_error_json(e: &ViewError) -> Value {
    json!({ "kind": e.kind, "message": e.message, "path": e.path })
}

/// The payload: its tree and what it is.
fn payload_json(p: &PayloadReport) -> Value {
    json!({
        "element": element_json(&p.element),
        "recognized": view_json(p.view.as_ref()),
    })
}

/// The fault.
fn fault_json(f: &FaultReport) -> Value {
    json!({
        "code": f.code,
        "subcodes": f.subcodes.iter().map(name_json).collect::<Vec<_>>(),
        "reasons": f.reasons.iter().map(|r| json!({ "lang": r.lang, "text": r.text })).collect::<Vec<_>>(),
        "node": f.node,
        "role": f.role,
        "detail": f.detail.as_ref().map(|d| json!({
            "attributes": d.attributes.iter().map(attribute_json).collect::<Vec<_>>(),
            "entries": d.entries.iter().map(|e| json!({
                "element": element_json(&e.element),
                "recognized": view_json(e.view.as_ref()),
            })).collect::<Vec<_>>(),
        })),
    })
}

// ---------------------------------------------------------------- text ---

/// A text being built, line by line, with indentation.
struct Text(String);

impl Text {
    /// Adds one line at `indent` levels of two spaces.
    fn line(&mut self, indent: usize, s: impl AsRef<str>) {
        for _ in 0..indent {
            self.0.push_str("  ");
        }
        self.0.push_str(s.as_ref());
        self.0.push('\n');
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
fn opt(v: Option<&String>) -> String {
    v.map_or_else(|| "-".to_owned(), |s| clean(s))
}

/// The report as readable text.
pub fn text(report: &Report) -> String {
    let mut t = Text(String::new());
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
        t.field(1, "Payload", clark(&p.element.name));
        view_text(&mut t, 1, p.view.as_ref());
        t.line(1, "Tree");
        element_text(&mut t, 2, &p.element, None);
    }
    if let Some(f) = &report.fault {
        fault_text(&mut t, f);
    }
    t.0
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
        for c in &u.element.children {
            element_text(t, 2, c, u.element.name.ns.as_deref());
        }
        if let Some(x) = &u.element.text {
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
                opt(ts.created.as_ref()),
                opt(ts.expires.as_ref()),
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
        t.line(3, format!("ValueType {}", opt(b.value_type.as_ref())));
        t.line(3, format!("EncodingType {}", opt(b.encoding_type.as_ref())));
        t.line(3, format!("Id {}", opt(b.id.as_ref())));
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
    let start = t.0.len();
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
    // The first line of the item is indented one level more than `indent`:
    // its last two spaces become the list marker.
    let marker = start + 2 * indent;
    if t.0.len() > marker + 2 {
        t.0.replace_range(marker..marker + 2, "- ");
    } else {
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
fn attribute_text(a: &AttributeSummary) -> String {
    format!("@{}={}", clark(&a.name), quoted(&a.value))
}

/// One element and its subtree; a name in the same namespace as its parent
/// is shown by local name only.
fn element_text(t: &mut Text, indent: usize, e: &ElementSummary, parent_ns: Option<&str>) {
    let name = if parent_ns.is_some() && parent_ns == e.name.ns.as_deref() {
        clean(&e.name.local)
    } else {
        clark(&e.name)
    };
    let mut line = name;
    for a in &e.attributes {
        line.push(' ');
        line.push_str(&attribute_text(a));
    }
    if e.redacted {
        line.push_str(" = (withheld)");
    } else if let Some(x) = &e.text {
        let _ = write!(line, " = {}", quoted(x));
    }
    t.line(indent, line);
    for c in e.children.iter().take(CHILDREN_MAX) {
        element_text(t, indent + 1, c, e.name.ns.as_deref());
    }
    if e.children.len() > CHILDREN_MAX {
        t.line(
            indent + 1,
            format!("… {} more elements", e.children.len() - CHILDREN_MAX),
        );
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
