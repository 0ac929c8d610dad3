//! `#[derive(FromXml, ToXml)]`: every field kind, namespaces matched by
//! URI whatever the prefix, and errors with their path and byte offset.
#![allow(clippy::unwrap_used, missing_docs)]

use soap_envelope::{
    AnyElement, ErrorKind, FromXml, Limits, OwnedQName, ToXml, fields, ns, read_document,
};

const NS: &str = "urn:t";

#[derive(Debug, Clone, PartialEq, Eq, FromXml, ToXml)]
#[xml(ns = NS, name = "item")]
struct Item {
    #[xml(attribute)]
    id: u32,
    #[xml(attribute(name = "lang", ns = "urn:other"))]
    lang: Option<String>,
    #[xml(text)]
    value: i32,
}

#[derive(Debug, Clone, PartialEq, FromXml, ToXml)]
#[xml(ns = NS, name = "all", declare = ns::XSI)]
struct All {
    #[xml(attribute)]
    version: Option<u32>,
    #[xml(with = fields::value)]
    count: u32,
    #[xml(name = "label")]
    label: Option<String>,
    #[xml(nillable, with = fields::value)]
    limit: Option<i64>,
    #[xml(nillable)]
    note: Option<String>,
    #[xml(name = "inner", nillable)]
    inner: Option<Item>,
    #[xml(name = "item")]
    items: Vec<Item>,
    #[xml(list(item = "code"), with = fields::value)]
    codes: Vec<u16>,
    #[xml(nillable, list(item = "name"))]
    names: Option<Vec<String>>,
    #[xml(ns = "urn:other", with = fields::value)]
    other: Option<bool>,
    #[xml(unknown)]
    unknown: Vec<AnyElement>,
}

fn read<T: for<'a> FromXml<'a>>(xml: &str) -> soap_envelope::Result<T> {
    read_document(xml.as_bytes(), &Limits::default())
}

const DOC: &str = "<t:all xmlns:t='urn:t' xmlns:o='urn:other' \
    xmlns:i='http://www.w3.org/2001/XMLSchema-instance' version=' 2 '>\
    <t:count> 3 </t:count>\
    <label xmlns='urn:t'>a b</label>\
    <t:limit i:nil='true'/>\
    <note xmlns='urn:t'/>\
    <t:item id='1' o:lang='en'>5</t:item>\
    <item xmlns='urn:t' id='2'> -6 </item>\
    <t:codes><t:code>7</t:code><code xmlns='urn:t'>8</code></t:codes>\
    <t:names/>\
    <o:other>true</o:other>\
    <x:count xmlns:x='urn:wrong'>9</x:count>\
    <count>10</count>\
    </t:all>";

#[test]
fn reads_every_field_kind_by_namespace_uri() {
    let all: All = read(DOC).unwrap();
    assert_eq!(all.version, Some(2));
    assert_eq!(all.count, 3);
    assert_eq!(all.label.as_deref(), Some("a b"));
    assert_eq!(all.limit, None);
    assert_eq!(all.note.as_deref(), Some(""));
    assert_eq!(all.inner, None);
    assert_eq!(
        all.items,
        [
            Item {
                id: 1,
                lang: Some("en".into()),
                value: 5
            },
            Item {
                id: 2,
                lang: None,
                value: -6
            },
        ]
    );
    assert_eq!(all.codes, [7, 8]);
    assert_eq!(all.names, None);
    assert_eq!(all.other, Some(true));
    // A `count` in another namespace, or in none, is not `count`.
    let names: Vec<_> = all.unknown.iter().map(|e| e.name.clone()).collect();
    assert_eq!(
        names,
        [
            OwnedQName::new(Some("urn:wrong".into()), "count"),
            OwnedQName::new(None, "count")
        ]
    );
    assert!(!All::matches(
        &soap_envelope::XmlReader::new("<all/>")
            .unwrap()
            .root()
            .unwrap()
    ));
}

#[test]
fn writes_in_field_order_and_reads_back() {
    let mut all: All = read(DOC).unwrap();
    all.inner = Some(Item {
        id: 3,
        lang: None,
        value: 1,
    });
    all.names = Some(vec!["x".into(), String::new()]);
    let bytes = all.to_xml().unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let limit = text.find("limit").unwrap();
    assert!(
        text[limit..].starts_with("limit xsi:nil=\"true\"/>"),
        "{text}"
    );
    assert!(text.find("count").unwrap() < text.find("label").unwrap());
    let again: All = read_document(&bytes, &Limits::default()).unwrap();
    assert_eq!(again, all);
    // An empty nillable list is written as nil.
    all.names = Some(Vec::new());
    let text = String::from_utf8(all.to_xml().unwrap()).unwrap();
    assert!(text.contains("names xsi:nil=\"true\"/>"), "{text}");
}

fn offset_of(xml: &str, needle: &str, nth: usize) -> u64 {
    let mut at = 0;
    for _ in 0..nth {
        at += xml[at..].find(needle).unwrap() + 1;
    }
    (at - 1) as u64
}

#[test]
fn errors_have_paths_and_offsets() {
    let missing = "<all xmlns='urn:t'><codes/></all>";
    let e = read::<All>(missing).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::MissingElement(n) if n.local == "count"),
        "{e}"
    );
    assert_eq!(e.path(), "/all/count");

    let twice = "<all xmlns='urn:t'><count>1</count><codes/><label/><label/></all>";
    let e = read::<All>(twice).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::DuplicateElement(_)), "{e}");
    assert_eq!(e.path(), "/all/label[2]");
    assert_eq!(e.offset(), offset_of(twice, "<label", 2));

    let bad = "<all xmlns='urn:t'><count>x</count><codes/></all>";
    let e = read::<All>(bad).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::BadValue { .. }), "{e}");
    assert_eq!(e.path(), "/all/count");
    assert_eq!(e.offset(), offset_of(bad, "<count", 1));

    let stray = "<all xmlns='urn:t'><count>1</count><codes><code>1</code><nope/></codes></all>";
    let e = read::<All>(stray).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::UnexpectedElement { .. }),
        "{e}"
    );
    assert_eq!(e.path(), "/all/codes/nope");
    assert_eq!(e.offset(), offset_of(stray, "<nope", 1));

    let no_id = "<all xmlns='urn:t'><count>1</count><codes/><item>1</item></all>";
    let e = read::<All>(no_id).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::MissingAttribute(n) if n.local == "id"),
        "{e}"
    );
    assert_eq!(e.path(), "/all/item");
    assert_eq!(e.offset(), offset_of(no_id, "<item", 1));

    // Without an `unknown` field, another child is unexpected.
    let child = "<item xmlns='urn:t' id='1'><b/></item>";
    assert!(read::<Item>(child).is_err());
}

#[test]
fn generates_the_element_name() {
    assert_eq!(Item::NAME, soap_envelope::QName::new(NS, "item"));
    assert_eq!(All::NAME.local, "all");
}

/// An attribute codec: the attribute in `ns::WSU`, or unqualified.
mod either_id {
    use soap_envelope::{QName, Result, Start, XmlReader, XmlWriter};

    #[allow(clippy::unnecessary_wraps)] // the codec's signature
    pub fn read_attr(_: &XmlReader<'_>, start: &Start<'_>, name: QName) -> Result<Option<String>> {
        Ok(start
            .attr(name)
            .or_else(|| start.attr(QName::new("", name.local)))
            .map(str::to_owned))
    }

    pub fn write_attr(w: &mut XmlWriter, name: QName, value: &str) -> Result<()> {
        w.attribute(name, value)
    }
}

/// A type with a hand-written reader and writer: the text reversed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reversed(String);

impl<'a> FromXml<'a> for Reversed {
    fn matches(start: &soap_envelope::Start<'_>) -> bool {
        start.is(soap_envelope::QName::new(NS, "rev"))
    }

    fn read(
        r: &mut soap_envelope::XmlReader<'a>,
        _start: &soap_envelope::Start<'a>,
    ) -> soap_envelope::Result<Self> {
        Ok(Self(r.text()?.chars().rev().collect()))
    }
}

impl ToXml for Reversed {
    fn write(&self, w: &mut soap_envelope::XmlWriter) -> soap_envelope::Result<()> {
        let text: String = self.0.chars().rev().collect();
        w.text_element(soap_envelope::QName::new(NS, "rev"), &text)
    }
}

/// A boxed hand-written type.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Boxed(Reversed);

impl<'a> FromXml<'a> for Boxed {
    fn matches(start: &soap_envelope::Start<'_>) -> bool {
        start.is(soap_envelope::QName::new("urn:boxed", "rev"))
    }

    fn read(
        r: &mut soap_envelope::XmlReader<'a>,
        start: &soap_envelope::Start<'a>,
    ) -> soap_envelope::Result<Self> {
        Reversed::read(r, start).map(Self)
    }
}

impl ToXml for Boxed {
    fn write(&self, w: &mut soap_envelope::XmlWriter) -> soap_envelope::Result<()> {
        let text: String = self.0.0.chars().rev().collect();
        w.text_element(soap_envelope::QName::new("urn:boxed", "rev"), &text)
    }
}

/// Nillable simple content with an attribute.
#[derive(Debug, Clone, PartialEq, Eq, FromXml, ToXml)]
#[xml(ns = NS, name = "msg")]
struct Msg {
    #[xml(attribute(name = "lang", ns = ns::XML), with = fields::token)]
    lang: Option<String>,
    #[xml(text, nillable)]
    text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromXml, ToXml)]
#[xml(ns = NS, name = "quirky")]
struct Quirky {
    #[xml(attribute(name = "Id", ns = ns::WSU), with = either_id)]
    id: Option<String>,
    #[xml(attribute(name = "Kind"), with = fields::token)]
    kind: String,
    #[xml(name = "rev", with = fields::element)]
    reversed: Option<Reversed>,
    #[xml(name = "rev", ns = "urn:boxed", with = fields::element)]
    boxed: Option<Box<Boxed>>,
    #[xml(name = "msg")]
    msg: Option<Msg>,
    #[xml(name = "value", first)]
    value: Option<String>,
    #[xml(unknown)]
    unknown: Vec<AnyElement>,
}

#[test]
fn attribute_codecs_element_children_nillable_text_and_first() {
    let xml = "<quirky xmlns='urn:t' xmlns:u='http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd' \
        xmlns:i='http://www.w3.org/2001/XMLSchema-instance' Id='a 1' Kind='  x  y '>\
        <rev>cba</rev><value> v </value><value>w</value>\
        <msg xml:lang=' en ' i:nil='true'/></quirky>";
    let q: Quirky = read(xml).unwrap();
    assert_eq!(q.id.as_deref(), Some("a 1"));
    assert_eq!(q.kind, "x y");
    assert_eq!(q.reversed, Some(Reversed("abc".into())));
    assert_eq!(
        q.msg,
        Some(Msg {
            lang: Some("en".into()),
            text: None
        })
    );
    assert_eq!(q.value.as_deref(), Some(" v "));
    assert_eq!(q.unknown.len(), 1, "the second value is kept as unknown");

    // The qualified spelling is written; a nil text is `xsi:nil` after
    // the other attributes.
    let text = String::from_utf8(q.to_xml().unwrap()).unwrap();
    assert!(text.contains(":Id=\"a 1\" Kind=\"x y\""), "{text}");
    assert!(text.contains("<ns0:rev>cba</ns0:rev>"), "{text}");
    assert!(text.contains("lang=\"en\" xsi:nil=\"true\"/>"), "{text}");
    let again: Quirky = read(&text).unwrap();
    assert_eq!(again, q);

    let mut q = q;
    q.msg = Some(Msg {
        lang: None,
        text: Some(" hi ".into()),
    });
    q.boxed = Some(Box::new(Boxed(Reversed("xy".into()))));
    let text = String::from_utf8(q.to_xml().unwrap()).unwrap();
    assert!(text.contains("<ns0:msg> hi </ns0:msg>"), "{text}");
    assert!(text.contains(">yx</"), "{text}");
    assert_eq!(read::<Quirky>(&text).unwrap(), q);

    let e = read::<Quirky>("<quirky xmlns='urn:t'/>").unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::MissingAttribute(n) if n.local == "Kind"),
        "{e}"
    );
    assert_eq!(e.path(), "/quirky");
    let e = read::<Quirky>("<quirky xmlns='urn:t' Kind='k'><rev/><rev/></quirky>").unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::DuplicateElement(_)), "{e}");
    assert_eq!(e.path(), "/quirky/rev[2]");
    let e = read::<Msg>(
        "<msg xmlns='urn:t' xmlns:i='http://www.w3.org/2001/XMLSchema-instance' i:nil='maybe'/>",
    )
    .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::BadValue { .. }), "{e}");
}

/// A namespace read in a second spelling (`alt_ns`), and which one was read
/// (`from_start`).
#[derive(Debug, Clone, PartialEq, Eq, FromXml, ToXml)]
#[xml(ns = NS, alt_ns = "urn:t/", name = "errata")]
struct Errata {
    #[xml(from_start = spelling)]
    spelling: Option<String>,
    #[xml(with = fields::value)]
    count: u32,
    #[xml(list(item = "code"), with = fields::value)]
    codes: Vec<u16>,
    #[xml(ns = "urn:other", with = fields::value)]
    other: Option<bool>,
}

fn spelling(start: &soap_envelope::Start<'_>) -> Option<String> {
    start.ns().map(str::to_owned)
}

#[test]
fn alt_ns_is_read_for_the_types_own_names_only_and_never_written() {
    let e: Errata = read(
        "<errata xmlns='urn:t/'><count>1</count><codes><code>2</code></codes>\
         <o:other xmlns:o='urn:other'>true</o:other></errata>",
    )
    .unwrap();
    assert_eq!(e.spelling.as_deref(), Some("urn:t/"));
    assert_eq!((e.count, &e.codes[..], e.other), (1, &[2][..], Some(true)));
    // Written in the type's namespace; the spelling read is not written.
    let out = String::from_utf8(e.to_xml().unwrap()).unwrap();
    assert!(!out.contains("urn:t/"), "{out}");
    let again: Errata = read(&out).unwrap();
    assert_eq!(again.spelling.as_deref(), Some(NS));
    assert_eq!((again.count, again.codes), (1, vec![2]));

    // A field given another namespace does not take the second spelling.
    let err = read::<Errata>(
        "<errata xmlns='urn:t'><count>1</count><codes/><other xmlns='urn:t/'>true</other></errata>",
    )
    .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::UnexpectedElement { .. }),
        "{err}"
    );
    // Nor does any other namespace.
    assert!(read::<Errata>("<errata xmlns='urn:t2'><count>1</count><codes/></errata>").is_err());
}
