//! Elements kept as they were read: extension points (`xs:any`), unknown
//! header blocks, fault details.

use crate::error::Result;
use crate::name::OwnedQName;
use std::borrow::Cow;

use crate::reader::{Attribute, Start, XmlReader};
use crate::tokenizer::Event;
use crate::traits::{FromXml, ToXml};
use crate::writer::XmlWriter;

/// An element of any name, kept by expanded names so that it can be written
/// again with other prefixes and compared independently of the prefixes and
/// namespace declarations the document used.
///
/// Comments and processing instructions are dropped. Text that is only
/// whitespace between child elements is dropped; other text is kept as
/// decoded (references expanded, CDATA merged).
///
/// ```
/// use soap_envelope::{AnyElement, XmlReader};
///
/// let mut r = XmlReader::new(r#"<p:x xmlns:p="urn:x" a="1"><p:y>t</p:y></p:x>"#).unwrap();
/// let start = r.root().unwrap();
/// let any = r.any(&start).unwrap();
/// assert_eq!(any.name.ns.as_deref(), Some("urn:x"));
/// assert_eq!(any.child_elements().next().unwrap().text(), "t");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct AnyElement {
    /// The element's expanded name.
    pub name: OwnedQName,
    /// Its attributes, namespace declarations excluded, in document order.
    pub attributes: Vec<AnyAttribute>,
    /// Its content.
    pub children: Vec<AnyNode>,
}

/// An attribute of an [`AnyElement`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct AnyAttribute {
    /// The attribute's expanded name.
    pub name: OwnedQName,
    /// Its normalized value.
    pub value: String,
}

/// A node in the content of an [`AnyElement`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnyNode {
    /// A child element.
    Element(AnyElement),
    /// Character data.
    Text(String),
}

impl AnyElement {
    /// A new element with no attributes or content.
    pub fn new(name: impl Into<OwnedQName>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Adds a text node (builder style).
    #[must_use]
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.children.push(AnyNode::Text(text.into()));
        self
    }

    /// Adds a child element (builder style).
    #[must_use]
    pub fn with_child(mut self, child: AnyElement) -> Self {
        self.children.push(AnyNode::Element(child));
        self
    }

    /// Adds an attribute (builder style).
    #[must_use]
    pub fn with_attribute(mut self, name: impl Into<OwnedQName>, value: impl Into<String>) -> Self {
        self.attributes.push(AnyAttribute {
            name: name.into(),
            value: value.into(),
        });
        self
    }

    /// The concatenated text of the direct text children.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for c in &self.children {
            if let AnyNode::Text(t) = c {
                s.push_str(t);
            }
        }
        s
    }

    /// The child elements, in order.
    pub fn child_elements(&self) -> impl Iterator<Item = &AnyElement> {
        self.children.iter().filter_map(|c| match c {
            AnyNode::Element(e) => Some(e),
            AnyNode::Text(_) => None,
        })
    }

    /// The value of an attribute by namespace (`None` for unqualified) and
    /// local name.
    pub fn attribute(&self, ns: Option<&str>, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.name.ns.as_deref() == ns && a.name.local == local)
            .map(|a| a.value.as_str())
    }

    /// Drops whitespace-only text between child elements, so that an element
    /// reads the same whatever indentation the document used.
    pub(crate) fn finish_children(&mut self) {
        if self
            .children
            .iter()
            .any(|c| matches!(c, AnyNode::Element(_)))
        {
            self.children.retain(|c| match c {
                AnyNode::Text(t) => !t.chars().all(crate::lexical::is_ws_char),
                AnyNode::Element(_) => true,
            });
        }
        // The tree is kept: give back what growing the vector reserved.
        self.children.shrink_to_fit();
    }

    /// This element serialized alone, namespace declarations included.
    pub fn to_xml(&self) -> Result<Vec<u8>> {
        ToXml::to_xml(self)
    }
}

impl<'a> FromXml<'a> for AnyElement {
    fn matches(_start: &Start<'_>) -> bool {
        true
    }

    fn read(r: &mut XmlReader<'a>, start: &Start<'a>) -> Result<Self> {
        r.any(start)
    }
}

impl ToXml for AnyElement {
    fn write(&self, w: &mut XmlWriter) -> Result<()> {
        w.start_owned(&self.name)?;
        for a in &self.attributes {
            w.attribute_owned(&a.name, &a.value)?;
        }
        for c in &self.children {
            match c {
                AnyNode::Element(e) => e.write(w)?,
                AnyNode::Text(t) => w.text(t)?,
            }
        }
        w.end()
    }
}

impl<'a> XmlReader<'a> {
    /// Reads the rest of the current element, whose start tag is `start`, as
    /// an [`AnyElement`] and closes it: the way to keep an extension element
    /// (`xs:any`) or an unknown header block.
    pub fn any(&mut self, start: &Start<'a>) -> Result<AnyElement> {
        let mut root = AnyElement::from_start(start);
        if self.current_empty()? {
            self.close();
            return Ok(root);
        }
        // Open elements below `root`, innermost last.
        let mut open: Vec<AnyElement> = Vec::new();
        let mut text: Cow<'a, str> = Cow::Borrowed("");
        loop {
            let (name, empty) = match self.next_event()? {
                Event::Text(t) | Event::CData(t) => {
                    self.push_raw_text(&mut text, t)?;
                    continue;
                }
                Event::Ref(r) => {
                    let piece = self.resolve_ref(r)?;
                    self.push_text(&mut text, piece)?;
                    continue;
                }
                Event::Start { name, empty } => (name, empty),
                Event::End => {
                    let parent = open.last_mut().unwrap_or(&mut root);
                    flush_text(parent, &mut text);
                    self.close();
                    let Some(mut done) = open.pop() else {
                        root.finish_children();
                        return Ok(root);
                    };
                    done.finish_children();
                    let parent = open.last_mut().unwrap_or(&mut root);
                    parent.children.push(AnyNode::Element(done));
                    continue;
                }
                Event::Comment | Event::Pi | Event::Decl => continue,
                Event::Eof => return Err(self.eof_error()),
            };
            let parent = open.last_mut().unwrap_or(&mut root);
            flush_text(parent, &mut text);
            let s = self.open(name, empty)?;
            let el = AnyElement::from_start(&s);
            if empty {
                self.close();
                let parent = open.last_mut().unwrap_or(&mut root);
                parent.children.push(AnyNode::Element(el));
            } else {
                open.push(el);
            }
        }
    }
}

fn flush_text(parent: &mut AnyElement, text: &mut Cow<'_, str>) {
    if !text.is_empty() {
        let mut t = std::mem::take(text).into_owned();
        t.shrink_to_fit();
        parent.children.push(AnyNode::Text(t));
    }
}

impl AnyAttribute {
    /// The attribute `name` with `value`.
    pub fn new(name: impl Into<OwnedQName>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }

    fn from_attr(a: &Attribute<'_>) -> Self {
        AnyAttribute {
            name: a.name(),
            value: a.value.clone().into_owned(),
        }
    }
}

impl AnyElement {
    fn from_start(s: &Start<'_>) -> Self {
        AnyElement {
            name: s.name(),
            attributes: s.attributes().iter().map(AnyAttribute::from_attr).collect(),
            children: Vec::new(),
        }
    }
}
