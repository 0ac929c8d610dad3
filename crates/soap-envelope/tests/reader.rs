//! The XML core: namespace-correct matching, text decoding, XML Schema
//! values, unknown elements, errors with path and offset, and limits.
#![allow(clippy::unwrap_used, missing_docs)]

mod ms_ns;

use soap_envelope::xsd::{Base64Binary, DateTime};
use soap_envelope::{
    AnyNode, ErrorKind, Limit, Limits, OwnedQName, QName, XmlReader, XmlWriter, ns,
};

const X: &str = "urn:example:x";
const Y: &str = "urn:example:y";

/// Reads the root and returns (name, text of each child) for a flat document.
fn children(xml: &str) -> Vec<(OwnedQName, String)> {
    let mut r = XmlReader::new(xml).unwrap();
    r.root().unwrap();
    let mut out = Vec::new();
    while let Some(c) = r.next_child().unwrap() {
        let name = c.name();
        out.push((name, r.text().unwrap().into_owned()));
    }
    r.finish().unwrap();
    out
}

#[test]
fn default_namespace_redeclaration_and_undeclaring() {
    let xml = format!(
        r#"<root xmlns="{X}" xmlns:p="{Y}">
             <a>1</a>
             <b xmlns="{Y}">2</b>
             <p:c>3</p:c>
             <d xmlns="">4</d>
             <p:e xmlns:p="{X}">5</p:e>
           </root>"#
    );
    let got = children(&xml);
    let names: Vec<String> = got.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(
        names,
        [
            format!("{{{X}}}a"),
            format!("{{{Y}}}b"),
            format!("{{{Y}}}c"),
            "d".to_owned(),
            format!("{{{X}}}e"),
        ]
    );
    assert_eq!(got[4].1, "5");
}

#[test]
fn prefix_does_not_matter_but_namespace_does() {
    const WANT: QName = QName::new(X, "item");
    for xml in [
        format!(r#"<item xmlns="{X}"/>"#),
        format!(r#"<q:item xmlns:q="{X}"/>"#),
        format!(r#"<zz:item xmlns:zz="{X}"></zz:item>"#),
    ] {
        let mut r = XmlReader::new(&xml).unwrap();
        assert!(r.root().unwrap().is(WANT), "{xml}");
    }
    // Same prefix and local name, other namespace: not the element we want.
    for xml in [format!(r#"<q:item xmlns:q="{Y}"/>"#), "<item/>".to_owned()] {
        let mut r = XmlReader::new(&xml).unwrap();
        assert!(!r.root().unwrap().is(WANT), "{xml}");
    }
}

#[test]
fn attributes_by_namespace_and_xml_lang() {
    let xml = format!(
        r#"<r xmlns="{X}" xmlns:p="{Y}" a="plain" p:a="qualified" xml:lang="en-US" t="a&#9;b
c"/>"#
    );
    let mut r = XmlReader::new(&xml).unwrap();
    let s = r.root().unwrap();
    // An unprefixed attribute is in no namespace, even under a default one.
    assert_eq!(s.attr(QName::new("", "a")), Some("plain"));
    assert_eq!(s.attr(QName::new(Y, "a")), Some("qualified"));
    assert_eq!(s.attr(QName::new(X, "a")), None);
    assert_eq!(s.attr(QName::new(ns::XML, "lang")), Some("en-US"));
    // Attribute-value normalization: a literal newline becomes a space, a
    // character reference to a tab stays a tab.
    assert_eq!(s.attr(QName::new("", "t")), Some("a\tb c"));
    // Namespace declarations are not attributes.
    assert_eq!(s.attributes().len(), 4);
}

#[test]
fn text_with_references_cdata_comments_and_line_ends() {
    let xml = "<r><v>a&amp;b&lt;&#x41;&#66;<!-- gone --><![CDATA[<raw>&amp;]]><?pi x?>\r\nend&#xD;</v></r>";
    let got = children(xml);
    assert_eq!(got[0].1, "a&b<AB<raw>&amp;\nend\r");
}

#[test]
fn bom_declaration_and_misc_around_the_root() {
    let xml = "\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- c --><?pi?>\n<r><a>x</a></r>\n<!-- after -->\n";
    assert_eq!(children(xml).len(), 1);
}

#[test]
fn base64_from_ad_cs_with_carriage_return_references() {
    let xml = "<r><b>TUlJ&#xD;\nQ0F0&#xD;\n\tQ0NB</b></r>";
    let mut r = XmlReader::new(xml).unwrap();
    r.root().unwrap();
    r.next_child().unwrap().unwrap();
    let b: Base64Binary = r.value().unwrap();
    assert_eq!(b.0, b"MIICAtCCA");
}

#[test]
fn xsd_values_and_nil() {
    let xml = format!(
        r#"<r xmlns:xsi="{}"><n xsi:nil="true"/><m xsi:nil="1"></m><k xsi:nil="false">7</k><t> 2009-03-26T00:58:51.549Z </t></r>"#,
        ns::XSI
    );
    let mut r = XmlReader::new(&xml).unwrap();
    r.root().unwrap();
    let n = r.next_child().unwrap().unwrap();
    assert!(r.is_nil(&n).unwrap());
    r.skip().unwrap();
    let m = r.next_child().unwrap().unwrap();
    assert!(r.is_nil(&m).unwrap());
    r.skip().unwrap();
    let k = r.next_child().unwrap().unwrap();
    assert!(!r.is_nil(&k).unwrap());
    assert_eq!(r.value::<u32>().unwrap(), 7);
    r.next_child().unwrap().unwrap();
    let t: DateTime = r.value().unwrap();
    assert_eq!(
        (t.year(), t.month(), t.day(), t.millisecond()),
        (2009, 3, 26, 549)
    );
}

#[test]
fn bad_value_names_type_path_and_offset() {
    let xml = "<policies><policy><n>1</n></policy><policy><n>2</n></policy><policy><n>maybe</n></policy></policies>";
    let mut r = XmlReader::new(xml).unwrap();
    r.root().unwrap();
    let mut err = None;
    while r.next_child().unwrap().is_some() {
        r.next_child().unwrap().unwrap();
        match r.value::<u32>() {
            Ok(_) => assert!(r.next_child().unwrap().is_none()),
            Err(e) => {
                err = Some(e);
                break;
            }
        }
    }
    let e = err.unwrap();
    assert!(
        matches!(e.kind(), ErrorKind::BadValue { type_name: "xs:unsignedInt", value, .. } if value == "maybe")
    );
    assert_eq!(e.path(), "/policies/policy[3]/n");
    assert_eq!(e.offset(), xml.find("<n>maybe").unwrap() as u64);
}

#[test]
fn unknown_elements_are_skipped_or_kept() {
    let xml = format!(
        r#"<r xmlns="{X}"><ext:vendor xmlns:ext="{Y}" k="v"><ext:deep>t<ext:x/></ext:deep>
           </ext:vendor><skipme><a><b/></a></skipme><known>ok</known></r>"#
    );
    let mut r = XmlReader::new(&xml).unwrap();
    r.root().unwrap();
    let v = r.next_child().unwrap().unwrap();
    let kept = r.any(&v).unwrap();
    assert_eq!(kept.name, OwnedQName::new(Some(Y.into()), "vendor"));
    assert_eq!(kept.attribute(None, "k"), Some("v"));
    // Whitespace between elements is dropped, text inside is kept.
    assert_eq!(kept.children.len(), 1);
    let deep = kept.child_elements().next().unwrap();
    assert_eq!(deep.children[0], AnyNode::Text("t".into()));
    r.next_child().unwrap().unwrap();
    r.skip().unwrap();
    let k = r.next_child().unwrap().unwrap();
    assert!(k.is(QName::new(X, "known")));
    assert_eq!(r.text().unwrap(), "ok");
    assert!(r.next_child().unwrap().is_none());
    r.finish().unwrap();

    // What was kept is written back with the writer's prefixes and reads equal.
    let bytes = kept.to_xml().unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let mut r = XmlReader::new(&text).unwrap();
    let s = r.root().unwrap();
    assert_eq!(r.any(&s).unwrap(), kept);
}

#[test]
fn qname_values_resolve_against_scope() {
    let xml = format!(r#"<r xmlns:p="{X}"><v xmlns:q="{Y}">q:Thing</v></r>"#);
    let mut r = XmlReader::new(&xml).unwrap();
    r.root().unwrap();
    r.next_child().unwrap().unwrap();
    let t = r.collect_value_text().unwrap().into_owned();
    let q = r.resolve_qname(&t).unwrap();
    assert_eq!(q, OwnedQName::new(Some(Y.into()), "Thing"));
    assert!(matches!(
        r.resolve_qname("zz:Thing").unwrap_err().kind(),
        ErrorKind::UnboundPrefix(p) if p == "zz"
    ));
    r.close_current();
}

#[test]
fn limits_each_stop_the_document() {
    let cases: Vec<(Limits, String, Limit)> = vec![
        (
            Limits::default().with_max_text_len(10),
            format!("<r>{}</r>", "x".repeat(11)),
            Limit::TextLength,
        ),
        (
            Limits::default().with_max_elements(5),
            format!("<r>{}</r>", "<a/>".repeat(5)),
            Limit::Elements,
        ),
        (
            Limits::default().with_max_depth(3),
            "<a><b><c><d/></c></b></a>".to_owned(),
            Limit::Depth,
        ),
        (
            Limits::default().with_max_attributes(2),
            "<a x='1' y='2' z='3'/>".to_owned(),
            Limit::Attributes,
        ),
        (
            Limits::default().with_max_attr_len(3),
            "<a x='1234'/>".to_owned(),
            Limit::AttributeLength,
        ),
        (
            Limits::default().with_max_ns_decls(2),
            "<a xmlns:a='urn:1' xmlns:b='urn:2' xmlns:c='urn:3'/>".to_owned(),
            Limit::NamespaceDeclarations,
        ),
        (
            Limits::default().with_max_document_len(10),
            "<a>0123456789</a>".to_owned(),
            Limit::DocumentLength,
        ),
    ];
    for (limits, xml, want) in cases {
        let err = (|| {
            let mut r = XmlReader::with_limits(&xml, limits)?;
            let s = r.root()?;
            r.any(&s)?;
            r.finish()
        })()
        .unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::LimitExceeded { limit, .. } if *limit == want),
            "{xml}: {err}"
        );
    }
}

#[test]
fn skipped_content_is_still_checked() {
    for (xml, kind) in [
        ("<r><a><b></a></r>", "malformed"),
        ("<r><a><p:b/></a></r>", "unbound-prefix"),
        ("<r><a>&bogus;</a></r>", "undefined-entity"),
    ] {
        let mut r = XmlReader::new(xml).unwrap();
        r.root().unwrap();
        r.next_child().unwrap().unwrap();
        assert_eq!(r.skip().unwrap_err().kind_name(), kind, "{xml}");
    }
}

#[test]
fn writer_output_reads_back_namespace_correct() {
    let mut w = XmlWriter::new();
    w.start(QName::new(ns::SOAP12, "Envelope")).unwrap();
    w.start(QName::new(ms_ns::XCEP, "GetPolicies")).unwrap();
    w.start(QName::new(ms_ns::XCEP, "client")).unwrap();
    w.nil_element(QName::new(ms_ns::XCEP, "preferredLanguage"))
        .unwrap();
    w.end().unwrap();
    w.start(QName::new("", "plain")).unwrap();
    w.attribute(QName::new(ns::XML, "lang"), "de").unwrap();
    w.text("x < y").unwrap();
    w.end().unwrap();
    w.end().unwrap();
    w.end().unwrap();
    let text = String::from_utf8(w.into_bytes().unwrap()).unwrap();
    assert!(
        !text.contains("xmlns:xml"),
        "the xml prefix is never declared: {text}"
    );
    let mut r = XmlReader::new(&text).unwrap();
    assert!(r.root().unwrap().is(QName::new(ns::SOAP12, "Envelope")));
    assert!(
        r.next_child()
            .unwrap()
            .unwrap()
            .is(QName::new(ms_ns::XCEP, "GetPolicies"))
    );
    assert!(
        r.next_child()
            .unwrap()
            .unwrap()
            .is(QName::new(ms_ns::XCEP, "client"))
    );
    let pl = r.next_child().unwrap().unwrap();
    assert!(pl.is(QName::new(ms_ns::XCEP, "preferredLanguage")));
    assert!(r.is_nil(&pl).unwrap());
    r.skip().unwrap();
    assert!(r.next_child().unwrap().is_none());
    let plain = r.next_child().unwrap().unwrap();
    assert!(plain.is(QName::new("", "plain")));
    assert_eq!(plain.attr(QName::new(ns::XML, "lang")), Some("de"));
    assert_eq!(r.text().unwrap(), "x < y");
}

#[test]
fn cdata_end_in_character_data_is_malformed() {
    // XML 1.0 2.4: `]]>` may not appear in content, however it is reached.
    for text in ["]]>", "a]]>b", "]]]>", "x]]]]>", "]\n]]>"] {
        let xml = format!("<r><v>{text}</v></r>");
        let mut r = XmlReader::new(&xml).unwrap();
        r.root().unwrap();
        r.next_child().unwrap().unwrap();
        let err = r.text().expect_err(text);
        assert_eq!(err.kind_name(), "malformed", "{text:?}: {err}");
    }
    for text in ["]", "]]", "] ]>", "]>", "a]b]>c", "]] >"] {
        let xml = format!("<r><v>{text}</v></r>");
        let mut r = XmlReader::new(&xml).unwrap();
        r.root().unwrap();
        r.next_child().unwrap().unwrap();
        assert_eq!(r.text().expect(text), text);
    }
}

#[test]
fn repeated_attributes_and_declarations_are_malformed() {
    for xml in [
        r#"<a x="1" x="2"/>"#,
        r#"<a x="1" y="2" x="1"></a>"#,
        r#"<a xmlns:p="urn:u" xmlns:p="urn:u"/>"#,
        r#"<a xmlns="urn:u" xmlns="urn:u"/>"#,
        r#"<a xmlns:p="urn:u" p:x="1" p:x="2"/>"#,
        // Two prefixes for one namespace name one attribute.
        r#"<a xmlns:p="urn:u" xmlns:q="urn:u" p:x="1" q:x="2"/>"#,
        r#"<r><a x="1" x="2"/></r>"#,
    ] {
        let err = XmlReader::new(xml)
            .and_then(|mut r| {
                r.root()?;
                r.skip()
            })
            .expect_err(xml);
        assert_eq!(err.kind_name(), "malformed", "{xml}: {err}");
    }
    // The same local name in two namespaces, or with and without one.
    for xml in [
        r#"<a xmlns:p="urn:u" xmlns:q="urn:v" p:x="1" q:x="2" x="3"/>"#,
        r#"<a xmlns="urn:u" x="1"><b xmlns="urn:u" x="2"/></a>"#,
    ] {
        let mut r = XmlReader::new(xml).unwrap();
        r.root().unwrap();
        r.skip().expect(xml);
    }
}
