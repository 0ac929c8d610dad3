//! Hostile input: every file in `testdata/hostile/` gives the error kind
//! that `EXPECTED.txt` names, generated resource-exhaustion documents hit the
//! right limit, and no prefix of a real message makes the reader panic.

#![allow(clippy::unwrap_used, missing_docs)]

use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use soap_envelope::{
    AnyElement, Envelope, Error, ErrorKind, Limit, Limits, ReadOptions, XmlReader, decode_input,
};

type Parsed = soap_envelope::Result<Envelope<AnyElement>>;

const ENV_OPEN: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>"#;
const ENV_CLOSE: &str = "</s:Body></s:Envelope>";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn hostile_dir() -> PathBuf {
    workspace_root().join("testdata/hostile")
}

fn messages_dir() -> PathBuf {
    workspace_root().join("testdata/messages")
}

/// Parses `input` with `options`; a panic becomes `Err(message)`.
fn parse_catching(input: &[u8], options: &ReadOptions) -> Result<Parsed, String> {
    catch_unwind(AssertUnwindSafe(|| {
        Envelope::<AnyElement>::from_xml_with(input, options)
    }))
    .map_err(|payload| testkit::panic_message(payload.as_ref()))
}

/// Parses with the default options, failing the test on a panic.
fn parse(input: &[u8]) -> Parsed {
    parse_with(input, &ReadOptions::default())
}

fn parse_with(input: &[u8], options: &ReadOptions) -> Parsed {
    match parse_catching(input, options) {
        Ok(r) => r,
        Err(msg) => panic!("reader panicked on {} bytes: {msg}", input.len()),
    }
}

/// Why an error's path or offset is not sensible for an input of `len`
/// bytes, if it is not.
fn location_problem(err: &Error, len: usize) -> Option<String> {
    if err.offset() > len as u64 {
        return Some(format!("offset {} > input length {len}", err.offset()));
    }
    let path = err.path();
    if !(path.is_empty() || path.starts_with('/')) {
        return Some(format!("path {path:?} does not start with '/'"));
    }
    if path.contains("//") || path.chars().any(char::is_control) {
        return Some(format!("path {path:?} is not a clean element path"));
    }
    None
}

fn assert_location(err: &Error, len: usize) {
    if let Some(p) = location_problem(err, len) {
        panic!("{p}: {err}");
    }
}

fn expect_limit(result: Parsed, limit: Limit, max: usize, len: usize) {
    let Err(err) = result else {
        panic!("expected LimitExceeded {limit:?}, got Ok")
    };
    assert_eq!(
        err.kind(),
        &ErrorKind::LimitExceeded { limit, max },
        "wrong error: {err}"
    );
    assert_eq!(err.kind_name(), "limit-exceeded");
    assert_location(&err, len);
}

fn read_manifest() -> Vec<(String, String)> {
    testkit::hostile::manifest(&hostile_dir(), 2)
        .into_iter()
        .map(|f| (f[0].clone(), f[1].clone()))
        .collect()
}

#[test]
fn manifest_lists_every_hostile_file() {
    let manifest = read_manifest();
    let files: Vec<&str> = manifest.iter().map(|(f, _)| f.as_str()).collect();
    testkit::hostile::assert_manifest_matches(&hostile_dir(), &files, 24);
}

#[test]
fn hostile_files_give_the_expected_error_kind() {
    let manifest = read_manifest();
    assert!(manifest.len() >= 24, "EXPECTED.txt looks truncated");
    let mut failures = String::new();
    for (file, expected) in &manifest {
        let bytes = std::fs::read(hostile_dir().join(file)).unwrap();
        match parse_catching(&bytes, &ReadOptions::default()) {
            Err(msg) => writeln!(failures, "{file}: PANIC: {msg}").unwrap(),
            Ok(Ok(env)) => writeln!(
                failures,
                "{file}: expected {expected}, but it was accepted: {env:?}"
            )
            .unwrap(),
            Ok(Err(err)) => {
                if err.kind_name() != expected {
                    writeln!(
                        failures,
                        "{file}: expected {expected}, got {} ({err})",
                        err.kind_name()
                    )
                    .unwrap();
                }
                if let Some(p) = location_problem(&err, bytes.len()) {
                    writeln!(failures, "{file}: {p} ({err})").unwrap();
                }
            }
        }
    }
    assert!(failures.is_empty(), "hostile files:\n{failures}");
}

#[test]
fn dtd_is_rejected_before_any_entity_is_expanded() {
    // The DTD error comes at the DOCTYPE itself, not at the entity reference
    // in the body: nothing after it is looked at.
    for file in [
        "billion-laughs.xml",
        "external-entity.xml",
        "parameter-entity.xml",
    ] {
        let bytes = std::fs::read(hostile_dir().join(file)).unwrap();
        let err = parse(&bytes).unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::DtdForbidden, "{file}: {err}");
        let doctype = bytes.windows(9).position(|w| w == b"<!DOCTYPE").unwrap() as u64;
        assert_eq!(err.offset(), doctype, "{file}: {err}");
    }
}

#[test]
fn soap11_envelope_is_read_when_allowed() {
    let bytes = std::fs::read(hostile_dir().join("soap11-envelope.xml")).unwrap();
    let env = parse_with(&bytes, &ReadOptions::default().accept_soap11(true)).unwrap();
    assert_eq!(env.version, soap_envelope::SoapVersion::Soap11);
}

// ---------------------------------------------------------------------------
// Generated resource-exhaustion documents (too large to commit).

#[test]
fn nesting_100_000_deep() {
    let n = 100_000;
    let mut doc = String::from(ENV_OPEN);
    for _ in 0..n {
        doc.push_str("<a>");
    }
    for _ in 0..n {
        doc.push_str("</a>");
    }
    doc.push_str(ENV_CLOSE);
    let max = Limits::default().max_depth;
    expect_limit(parse(doc.as_bytes()), Limit::Depth, max, doc.len());

    // The same with no namespace on the nested elements, and as empty tags
    // at the bottom.
    let doc = format!(
        "{ENV_OPEN}{}<a/>{}{ENV_CLOSE}",
        "<a xmlns=\"urn:x\">".repeat(n),
        "</a>".repeat(n)
    );
    expect_limit(parse(doc.as_bytes()), Limit::Depth, max, doc.len());
}

#[test]
fn depth_limit_boundary() {
    // Envelope (1) + Body (2) + k nested payload elements = depth 2 + k.
    let doc = |k: usize| {
        format!(
            "{ENV_OPEN}{}{}{ENV_CLOSE}",
            "<a>".repeat(k),
            "</a>".repeat(k)
        )
    };
    let max = Limits::default().max_depth;
    parse(doc(max - 2).as_bytes()).unwrap();
    let d = doc(max - 1);
    expect_limit(parse(d.as_bytes()), Limit::Depth, max, d.len());
    // A lower limit is honoured too.
    let opts = ReadOptions::with_limits(Limits::default().with_max_depth(5));
    parse_with(doc(3).as_bytes(), &opts).unwrap();
    let d = doc(4);
    expect_limit(parse_with(d.as_bytes(), &opts), Limit::Depth, 5, d.len());
}

#[test]
fn attribute_of_20_mb() {
    let doc = format!(
        "{ENV_OPEN}<data xmlns=\"urn:x\" a=\"{}\"/>{ENV_CLOSE}",
        "x".repeat(20 * 1024 * 1024)
    );
    // Under the default limits the document is simply too long.
    let defaults = Limits::default();
    expect_limit(
        parse(doc.as_bytes()),
        Limit::DocumentLength,
        defaults.max_document_len,
        doc.len(),
    );
    // With room for the document, the attribute itself is refused.
    let opts = ReadOptions::with_limits(defaults.with_max_document_len(64 * 1024 * 1024));
    expect_limit(
        parse_with(doc.as_bytes(), &opts),
        Limit::AttributeLength,
        defaults.max_attr_len,
        doc.len(),
    );
}

#[test]
fn attribute_length_boundary() {
    let max = Limits::default().max_attr_len;
    let doc = |n: usize| {
        format!(
            "{ENV_OPEN}<data xmlns=\"urn:x\" a=\"{}\"/>{ENV_CLOSE}",
            "x".repeat(n)
        )
    };
    let env = parse(doc(max).as_bytes()).unwrap();
    assert_eq!(
        env.payload().unwrap().attribute(None, "a").unwrap().len(),
        max
    );
    let d = doc(max + 1);
    expect_limit(parse(d.as_bytes()), Limit::AttributeLength, max, d.len());
}

#[test]
fn attribute_length_is_also_checked_in_the_header_and_skipped_content() {
    // The attribute sits on an element that Timestamp skips (an unknown
    // child), so it goes through XmlReader::skip.
    let max = Limits::default().max_attr_len;
    let doc = format!(
        r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><s:Header><o:Security><u:Timestamp><junk><deeper a="{}"/></junk></u:Timestamp></o:Security></s:Header><s:Body><x/></s:Body></s:Envelope>"#,
        "y".repeat(max + 1)
    );
    expect_limit(
        parse(doc.as_bytes()),
        Limit::AttributeLength,
        max,
        doc.len(),
    );
}

#[test]
fn attributes_200_000() {
    let mut doc = format!("{ENV_OPEN}<data xmlns=\"urn:x\"");
    for i in 0..200_000 {
        write!(doc, " a{i}=\"\"").unwrap();
    }
    doc.push_str("/>");
    doc.push_str(ENV_CLOSE);
    let max = Limits::default().max_attributes;
    expect_limit(parse(doc.as_bytes()), Limit::Attributes, max, doc.len());
}

#[test]
fn attribute_count_boundary() {
    // The namespace declaration counts as an attribute.
    let max = Limits::default().max_attributes;
    let doc = |n: usize| {
        let mut d = format!("{ENV_OPEN}<data xmlns=\"urn:x\"");
        for i in 1..n {
            write!(d, " a{i}=\"{i}\"").unwrap();
        }
        d.push_str("/>");
        d.push_str(ENV_CLOSE);
        d
    };
    let env = parse(doc(max).as_bytes()).unwrap();
    assert_eq!(env.payload().unwrap().attributes.len(), max - 1);
    let d = doc(max + 1);
    expect_limit(parse(d.as_bytes()), Limit::Attributes, max, d.len());
}

#[test]
fn namespace_declarations_200_000() {
    let max = Limits::default().max_ns_decls;

    // All on one element.
    let mut doc = format!("{ENV_OPEN}<data");
    for i in 0..200_000 {
        write!(doc, " xmlns:p{i}=\"urn:ns:{i}\"").unwrap();
    }
    doc.push_str("/>");
    doc.push_str(ENV_CLOSE);
    expect_limit(
        parse(doc.as_bytes()),
        Limit::NamespaceDeclarations,
        max,
        doc.len(),
    );

    // Spread over nested elements, 50 each (under the attribute limit),
    // with the depth limit out of the way: the declarations in scope add up.
    let per = 50;
    let levels = 200_000 / per;
    let mut doc = String::from(ENV_OPEN);
    for l in 0..levels {
        doc.push_str("<e");
        for i in 0..per {
            write!(doc, " xmlns:p{l}x{i}=\"urn:ns:{l}:{i}\"").unwrap();
        }
        doc.push('>');
    }
    doc.push_str(&"</e>".repeat(levels));
    doc.push_str(ENV_CLOSE);
    let opts = ReadOptions::with_limits(Limits::default().with_max_depth(1_000_000));
    expect_limit(
        parse_with(doc.as_bytes(), &opts),
        Limit::NamespaceDeclarations,
        max,
        doc.len(),
    );
}

#[test]
fn namespace_declarations_out_of_scope_do_not_accumulate() {
    // 2,000 siblings each declaring 50 prefixes: never more than 50 + 1 in
    // scope at once, so this is fine.
    let mut doc = format!("{ENV_OPEN}<list>");
    for s in 0..2_000 {
        doc.push_str("<e");
        for i in 0..50 {
            write!(doc, " xmlns:p{i}=\"urn:ns:{s}:{i}\"").unwrap();
        }
        doc.push_str("/>");
    }
    doc.push_str("</list>");
    doc.push_str(ENV_CLOSE);
    let env = parse(doc.as_bytes()).unwrap();
    assert_eq!(env.payload().unwrap().child_elements().count(), 2_000);
}

#[test]
fn text_of_5_mb_in_one_element() {
    let max = Limits::default().max_text_len;
    let doc = format!(
        "{ENV_OPEN}<data xmlns=\"urn:x\">{}</data>{ENV_CLOSE}",
        "t".repeat(5 * 1024 * 1024)
    );
    expect_limit(parse(doc.as_bytes()), Limit::TextLength, max, doc.len());

    // Split into many pieces by references, comments and CDATA: the pieces
    // add up.
    let mut doc = format!("{ENV_OPEN}<data xmlns=\"urn:x\">");
    let piece = "u".repeat(64 * 1024);
    for i in 0..80 {
        doc.push_str(&piece);
        doc.push_str(match i % 3 {
            0 => "&amp;",
            1 => "<!-- c -->",
            _ => "<![CDATA[v]]>",
        });
    }
    doc.push_str("</data>");
    doc.push_str(ENV_CLOSE);
    expect_limit(parse(doc.as_bytes()), Limit::TextLength, max, doc.len());
}

#[test]
fn text_length_boundary() {
    let limits = Limits::default().with_max_text_len(1000);
    let opts = ReadOptions::with_limits(limits);
    let doc = |n: usize| {
        format!(
            "{ENV_OPEN}<data xmlns=\"urn:x\">{}</data>{ENV_CLOSE}",
            "t".repeat(n)
        )
    };
    let env = parse_with(doc(1000).as_bytes(), &opts).unwrap();
    assert_eq!(env.payload().unwrap().text().len(), 1000);
    let d = doc(1001);
    expect_limit(
        parse_with(d.as_bytes(), &opts),
        Limit::TextLength,
        1000,
        d.len(),
    );
    // Expanded references count after expansion: 999 bytes + "&lt;" is 1000.
    let d = format!(
        "{ENV_OPEN}<data xmlns=\"urn:x\">{}&lt;</data>{ENV_CLOSE}",
        "t".repeat(999)
    );
    parse_with(d.as_bytes(), &opts).unwrap();
    let d = format!(
        "{ENV_OPEN}<data xmlns=\"urn:x\">{}&lt;&lt;</data>{ENV_CLOSE}",
        "t".repeat(999)
    );
    expect_limit(
        parse_with(d.as_bytes(), &opts),
        Limit::TextLength,
        1000,
        d.len(),
    );
    // Text of a typed header value (wsa:Action) is limited as well.
    let d = format!(
        r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header><Action xmlns="http://www.w3.org/2005/08/addressing">urn:{}</Action></s:Header><s:Body><x/></s:Body></s:Envelope>"#,
        "a".repeat(1000)
    );
    expect_limit(
        parse_with(d.as_bytes(), &opts),
        Limit::TextLength,
        1000,
        d.len(),
    );
}

#[test]
fn two_million_elements() {
    let n = 2_000_000;
    let doc = format!("{ENV_OPEN}<p>{}</p>{ENV_CLOSE}", "<a/>".repeat(n));
    let max = Limits::default().max_elements;
    assert!(doc.len() <= Limits::default().max_document_len);
    expect_limit(parse(doc.as_bytes()), Limit::Elements, max, doc.len());
}

#[test]
fn element_count_boundary() {
    // Envelope + Body + p + (n - 3) children = n elements.
    let limits = Limits::default().with_max_elements(100);
    let opts = ReadOptions::with_limits(limits);
    let doc = |n: usize| format!("{ENV_OPEN}<p>{}</p>{ENV_CLOSE}", "<a/>".repeat(n - 3));
    parse_with(doc(100).as_bytes(), &opts).unwrap();
    let d = doc(101);
    expect_limit(
        parse_with(d.as_bytes(), &opts),
        Limit::Elements,
        100,
        d.len(),
    );
    // Elements that are skipped (unknown Timestamp children) count too.
    let d = format!(
        r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><s:Header><o:Security><u:Timestamp><junk>{}</junk></u:Timestamp></o:Security></s:Header><s:Body><x/></s:Body></s:Envelope>"#,
        "<a/>".repeat(200)
    );
    expect_limit(
        parse_with(d.as_bytes(), &opts),
        Limit::Elements,
        100,
        d.len(),
    );
}

// ---------------------------------------------------------------------------
// Document length is checked before anything is read.

#[test]
fn too_large_document_is_refused_before_reading() {
    let limits = Limits::default().with_max_document_len(64);
    let expected = ErrorKind::LimitExceeded {
        limit: Limit::DocumentLength,
        max: 64,
    };

    // A well-formed envelope one byte too long.
    let mut doc = format!("{ENV_OPEN}<x/>{ENV_CLOSE}");
    let fits = doc.len();
    let err = XmlReader::with_limits(&doc, limits.with_max_document_len(fits - 1)).unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::LimitExceeded {
            limit: Limit::DocumentLength,
            max: fits - 1
        }
    );
    assert_location(&err, doc.len());
    // At exactly the limit it is read.
    let mut r = XmlReader::with_limits(&doc, limits.with_max_document_len(fits)).unwrap();
    r.root().unwrap();

    // Content that would fail in every other way (a DTD, an undefined
    // entity, a NUL, bad UTF-8) is not looked at: the length check wins.
    doc = format!("<!DOCTYPE x [<!ENTITY a 'b'>]>&xxe;{}", "\u{0}".repeat(100));
    let err = XmlReader::with_limits(&doc, limits).unwrap_err();
    assert_eq!(err.kind(), &expected);
    assert_location(&err, doc.len());

    let garbage = [0xFFu8; 1000];
    let err = decode_input(&garbage, &limits).unwrap_err();
    assert_eq!(err.kind(), &expected);
    assert_location(&err, garbage.len());
    let err = parse_with(&garbage, &ReadOptions::with_limits(limits)).unwrap_err();
    assert_eq!(err.kind(), &expected);
    assert_location(&err, garbage.len());

    // UTF-16 is checked on its byte length, before transcoding.
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in format!("{ENV_OPEN}<x/>{ENV_CLOSE}").encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    assert!(utf16.len() > 64);
    let err = parse_with(&utf16, &ReadOptions::with_limits(limits)).unwrap_err();
    assert_eq!(err.kind(), &expected);
    // ... and read when it fits.
    parse(&utf16).unwrap();
}

// ---------------------------------------------------------------------------
// Truncation: every prefix of a real message.

fn xml_trim_end(b: &[u8]) -> &[u8] {
    let end = b
        .iter()
        .rposition(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
        .map_or(0, |i| i + 1);
    &b[..end]
}

/// Parses every prefix `bytes[..n]`, `n` in `0..=len`. None may panic; every
/// error must have a sensible location. When `precise` is set, the document
/// is UTF-8 and ends with the root end tag plus optional whitespace: then
/// the prefixes that include the whole root end tag must read equal to the
/// full document and every shorter one must fail.
fn check_every_prefix(name: &str, bytes: &[u8], precise: bool) -> usize {
    let full = parse(bytes);
    let complete_len = xml_trim_end(bytes).len();
    let mut checked = 0;
    for n in 0..=bytes.len() {
        let prefix = &bytes[..n];
        let result = match parse_catching(prefix, &ReadOptions::default()) {
            Ok(r) => r,
            Err(msg) => panic!("{name}: panic on the prefix of {n} bytes: {msg}"),
        };
        checked += 1;
        if let Err(e) = &result
            && let Some(p) = location_problem(e, n)
        {
            panic!("{name}: prefix of {n} bytes: {p} ({e})");
        }
        if !precise {
            continue;
        }
        if n < complete_len {
            if let Ok(env) = &result {
                panic!(
                    "{name}: the proper prefix of {n} of {} bytes was accepted: {env:?}",
                    bytes.len()
                );
            }
        } else {
            let env = result.unwrap_or_else(|e| {
                panic!("{name}: prefix of {n} bytes (complete document + whitespace) failed: {e}")
            });
            assert_eq!(&env, full.as_ref().unwrap(), "{name}: prefix of {n} bytes");
        }
    }
    checked
}

#[test]
fn every_prefix_of_a_getpolicies_request() {
    let path = messages_dir().join("hostile-base-getpolicies.xml");
    let bytes = std::fs::read(&path).unwrap();
    // The base message must itself be good and carry what we mean to cut.
    let env = parse(&bytes).unwrap();
    assert!(env.header.action().unwrap().ends_with("/GetPolicies"));
    let sec = env.header.security.as_ref().unwrap();
    assert!(sec.timestamp.is_some());
    assert_eq!(
        sec.username_token.as_ref().unwrap().username,
        "EXAMPLE\\jürgen"
    );
    assert!(bytes.ends_with(b">\n"));
    assert!(!xml_trim_end(&bytes).ends_with(b"-->"));

    let checked = check_every_prefix("hostile-base-getpolicies.xml", &bytes, true);
    assert_eq!(checked, bytes.len() + 1);

    // With trailing whitespace of every kind after the root.
    let mut padded = bytes.clone();
    padded.extend_from_slice(b" \t\r\n  \n");
    check_every_prefix("hostile-base-getpolicies.xml + whitespace", &padded, true);

    // The writer's output of the same envelope (no declaration, no
    // indentation, other prefixes).
    let written = env.to_xml().unwrap();
    check_every_prefix("hostile-base-getpolicies.xml rewritten", &written, true);
}

#[test]
fn every_prefix_of_a_fault() {
    let fault = soap_envelope::Fault::new(
        soap_envelope::FaultCodeValue::Receiver,
        "Denied by Policy Module  0x80094012 <&>",
    )
    .with_subcode(soap_envelope::OwnedQName::new(
        Some("http://schemas.microsoft.com/windows/pki/2009/01/enrollment".to_owned()),
        "Denied",
    ))
    .with_detail_entry(
        AnyElement::new(soap_envelope::OwnedQName::new(
            Some("http://schemas.microsoft.com/windows/pki/2009/01/enrollment".to_owned()),
            "CertificateEnrollmentWSDetail",
        ))
        .with_child(
            AnyElement::new(soap_envelope::OwnedQName::new(
                Some("http://schemas.microsoft.com/windows/pki/2009/01/enrollment".to_owned()),
                "RequestID",
            ))
            .with_text("42"),
        ),
    );
    let header = soap_envelope::Header::new()
        .with_action("http://www.w3.org/2005/08/addressing/fault")
        .with_relates_to("urn:uuid:5fb5f6fd-4709-414b-8afa-0c05f6686d1c");
    let env = Envelope::<AnyElement>::fault(header, fault);
    let bytes = env.to_xml().unwrap();
    assert_eq!(parse(&bytes).unwrap(), env);
    check_every_prefix("written fault", &bytes, true);
}

#[test]
fn every_prefix_of_every_message_in_testdata() {
    // Other messages (added by other tests) are cut too: no panic, sensible
    // locations; the precise accept/reject rule where it applies. Large
    // files are cut at a stride to keep this fast.
    let Ok(dir) = std::fs::read_dir(messages_dir()) else {
        return;
    };
    let mut files: Vec<PathBuf> = dir.map(|e| e.unwrap().path()).collect();
    files.sort();
    for path in files {
        if path.extension().and_then(|e| e.to_str()) != Some("xml") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
        let trimmed = xml_trim_end(&bytes);
        let ends_with_root = trimmed.ends_with(b">")
            && !trimmed.ends_with(b"-->")
            && !trimmed.ends_with(b"?>")
            && !trimmed.ends_with(b"]]>");
        let precise = !utf16 && ends_with_root && parse(&bytes).is_ok();
        if bytes.len() <= 16 * 1024 {
            check_every_prefix(&name, &bytes, precise);
        } else {
            let stride = bytes.len() / 4096 + 1;
            let complete_len = trimmed.len();
            let mut n = 0;
            while n <= bytes.len() {
                match parse_catching(&bytes[..n], &ReadOptions::default()) {
                    Err(msg) => panic!("{name}: panic on the prefix of {n} bytes: {msg}"),
                    Ok(Err(e)) => assert_location(&e, n),
                    Ok(Ok(_)) => assert!(
                        !precise || n >= complete_len,
                        "{name}: proper prefix of {n} bytes accepted"
                    ),
                }
                n += if n + 64 >= complete_len { 1 } else { stride };
            }
        }
    }
}

#[test]
fn every_prefix_of_the_hostile_files() {
    // The hostile files are small; none of their prefixes may panic either.
    for (file, _) in read_manifest() {
        let bytes = std::fs::read(hostile_dir().join(&file)).unwrap();
        check_every_prefix(&file, &bytes, false);
    }
}

// ---------------------------------------------------------------------------
// Random damage to a real message.

mod mutations {
    use proptest::prelude::*;
    use proptest::sample::{Index, select};

    use super::{location_problem, messages_dir, parse_catching};
    use soap_envelope::{AnyElement, Envelope, ReadOptions};

    #[derive(Debug, Clone)]
    enum Edit {
        Flip(Index, u8),
        Delete(Index, usize),
        Insert(Index, Vec<u8>),
        Duplicate(Index, Index),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        let snippet = prop_oneof![
            select(vec![
                &b"<"[..],
                b">",
                b"/>",
                b"&",
                b"&amp;",
                b"&#0;",
                b"&#x10FFFF;",
                b"<!DOCTYPE x>",
                b"<![CDATA[",
                b"]]>",
                b"<!--",
                b"-->",
                b"<?xml version='1.0'?>",
                b"xmlns:s=\"urn:other\"",
                b" xmlns=\"\"",
                b"\"",
                b"'",
                b"\xC3",
                b"\xFF",
                b"\0",
                b"\r\n",
                b"<x:y/>",
                b"</s:Body>",
                b"<s:Body>",
                b"<s:Header/>",
            ])
            .prop_map(<[u8]>::to_vec),
            prop::collection::vec(any::<u8>(), 1..8),
        ];
        prop_oneof![
            (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
            (any::<Index>(), 1..16usize).prop_map(|(i, n)| Edit::Delete(i, n)),
            (any::<Index>(), snippet).prop_map(|(i, s)| Edit::Insert(i, s)),
            (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::Duplicate(a, b)),
        ]
    }

    fn apply(doc: &mut Vec<u8>, e: &Edit) {
        if doc.is_empty() {
            return;
        }
        match e {
            Edit::Flip(i, b) => {
                let i = i.index(doc.len());
                doc[i] ^= b | 1;
            }
            Edit::Delete(i, n) => {
                let i = i.index(doc.len());
                let end = (i + n).min(doc.len());
                doc.drain(i..end);
            }
            Edit::Insert(i, s) => {
                let i = i.index(doc.len() + 1);
                doc.splice(i..i, s.iter().copied());
            }
            Edit::Duplicate(a, b) => {
                // Copies a range of the document to another place (a second
                // header block, a second Body, a nested copy of an element).
                let a = a.index(doc.len());
                let end = (a + 64).min(doc.len());
                let piece = doc[a..end].to_vec();
                let to = b.index(doc.len() + 1);
                doc.splice(to..to, piece);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Damaged messages never panic the reader; errors point inside the
        /// input; and whatever is accepted can be written and reads back
        /// equal (the reader accepts nothing the writer cannot express).
        #[test]
        fn damaged_message_never_panics(edits in prop::collection::vec(edit(), 1..4)) {
            let base = std::fs::read(messages_dir().join("hostile-base-getpolicies.xml")).unwrap();
            let mut doc = base.clone();
            for e in &edits {
                apply(&mut doc, e);
            }
            let result = parse_catching(&doc, &ReadOptions::default());
            prop_assert!(result.is_ok(), "panic: {:?}\n{}", result, String::from_utf8_lossy(&doc));
            match result.unwrap() {
                Err(e) => {
                    let problem = location_problem(&e, doc.len());
                    prop_assert!(problem.is_none(), "{:?}: {}", problem, e);
                }
                Ok(env) => {
                    let written = env.to_xml();
                    prop_assert!(
                        written.is_ok(),
                        "accepted but cannot be written: {:?}\n{}",
                        written,
                        String::from_utf8_lossy(&doc)
                    );
                    let back = Envelope::<AnyElement>::from_xml(&written.unwrap());
                    prop_assert_eq!(back.as_ref(), Ok(&env), "{}", String::from_utf8_lossy(&doc));
                }
            }
        }
    }
}
