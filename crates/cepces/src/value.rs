//! What a typed view of a payload gives: a [`View`] (protocol, kind,
//! facts, a [`Value`] tree, or the typed error), and the [`PayloadView`]
//! trait a protocol's view implements. The leaf of the views: the
//! protocol views use it, the registry ([`crate::views`]) lists them.
//!
//! A view is made in two steps, so that a large payload's generic tree
//! need not be held while its typed model is read: the view
//! [recognizes](PayloadView::recognize) the element by name and reads its
//! facts from the tree ([`Recognized`]); then the typed model is read from
//! a [`Source`]: the element in the input itself, or its tree written back.

use soap_envelope::{
    AnyElement, Error, ErrorKind, FromXml, Limits, Start, XmlReader, read_document,
};

/// What a view recognized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// The protocol, e.g. `MS-XCEP`.
    pub protocol: &'static str,
    /// The message or element, e.g. `GetPolicies request`.
    pub message: &'static str,
    /// Facts read from the element, as (name, value) pairs in a fixed order.
    pub facts: Vec<(&'static str, String)>,
    /// The element's values as read by a typed model (a [`Value::Record`]),
    /// when the view has a model and it read the element.
    pub model: Option<Value>,
    /// Why the typed model did not read the element, when it did not.
    pub error: Option<ViewError>,
}

/// A typed model's refusal of an element it recognized by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewError {
    /// The stable kind name, such as `bad-value`.
    pub kind: &'static str,
    /// What went wrong.
    pub message: String,
    /// The element path in the document (`/Envelope/Body/...`, or from the
    /// root of a bare element).
    pub path: String,
}

/// A value read by a typed view. In JSON: `null`, a boolean, a number, a
/// string, `{"value", "name"}`, an array or an object; in text, one line
/// per scalar (see `crate::output`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Nil (or absent).
    Nil,
    /// An element the schema requires that the peer left out (MS-MDE2
    /// servers leave out some of a template's): `null` in JSON,
    /// `missing (schema requires)` in text.
    Missing,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A decimal number, as written (`365`, `0.5`).
    Decimal(String),
    /// A string.
    Text(String),
    /// A number with its meaning: a flag set or an enumerated value, e.g.
    /// `CT_FLAG_EXPORTABLE_KEY` for 0x10. `hex` says how the number is
    /// shown in text.
    Named {
        /// The number.
        value: u32,
        /// Its meaning.
        name: String,
        /// Whether text shows the number in hexadecimal (flag sets).
        hex: bool,
    },
    /// A list.
    List(Vec<Value>),
    /// Named fields, in a fixed order.
    Record(Vec<(&'static str, Value)>),
}

impl Value {
    /// `Text(s)`, or `Nil` for `None`.
    pub fn text_or_nil(s: Option<&str>) -> Self {
        s.map_or(Value::Nil, |s| Value::Text(s.to_owned()))
    }

    /// `f(v)`, or `Nil` for `None`.
    pub fn map_or_nil<T>(v: Option<T>, f: impl FnOnce(T) -> Value) -> Self {
        v.map_or(Value::Nil, f)
    }

    /// The field `key` of a record, taken out; `Nil` when there is none.
    pub fn take(&mut self, key: &str) -> Value {
        match self {
            Value::Record(fields) => fields
                .iter_mut()
                .find(|(k, _)| *k == key)
                .map_or(Value::Nil, |(_, v)| std::mem::replace(v, Value::Nil)),
            _ => Value::Nil,
        }
    }

    /// A record of the fields `keys` of this record, in that order: `name`
    /// keeps a field's name, `shown=name` renames it; an absent field is
    /// `Nil`. `Nil` stays `Nil`.
    #[must_use]
    pub fn select(mut self, keys: &[&'static str]) -> Value {
        if self == Value::Nil {
            return self;
        }
        let fields = keys
            .iter()
            .map(|k| {
                let (shown, name) = k.split_once('=').unwrap_or((k, k));
                (shown, self.take(name))
            })
            .collect();
        Value::Record(fields)
    }

    /// Each item of a list mapped with `f`; anything else is kept.
    #[must_use]
    pub fn map_items(self, f: impl FnMut(Value) -> Value) -> Value {
        match self {
            Value::List(items) => Value::List(items.into_iter().map(f).collect()),
            v => v,
        }
    }

    /// `self`, or [`Value::Missing`] when `present` is false: an element
    /// the schema requires.
    #[must_use]
    pub fn required(self, present: bool) -> Value {
        if present { self } else { Value::Missing }
    }
}

/// A recognizer for some payload or fault detail elements.
pub trait PayloadView: Sync {
    /// What `element` is, with the facts read from its tree, or `None` when
    /// this recognizer does not know it.
    fn recognize(&self, element: &AnyElement) -> Option<Recognized>;
}

/// What a typed model read: its values, and the error met in them (a
/// token whose payload does not decode), if any.
#[derive(Debug, Default)]
pub struct Reading {
    /// The values (a [`Value::Record`]); `None` for a message kind the
    /// view has no model for.
    pub model: Option<Value>,
    /// An error met while showing the values; its path starts at the
    /// element.
    pub error: Option<ViewError>,
}

/// How a view reads its typed model from a [`Source`]. A model's refusal
/// of the element is the error, its path starting at the element
/// (`/GetPolicies/...`).
pub type ReadModel = fn(Source<'_, '_>) -> Result<Reading, Error>;

/// An element a view recognized by name: a [`View`] without its typed
/// model yet.
#[derive(Debug)]
pub struct Recognized {
    /// The protocol, e.g. `MS-XCEP`.
    pub protocol: &'static str,
    /// The message or element, e.g. `GetPolicies request`.
    pub message: &'static str,
    /// Facts read from the element's tree.
    pub facts: Vec<(&'static str, String)>,
    /// Reads the typed model.
    model: ReadModel,
}

impl Recognized {
    /// `message` of `protocol`, with `facts`, whose model `model` reads.
    pub fn new(
        protocol: &'static str,
        message: &'static str,
        facts: Vec<(&'static str, String)>,
        model: ReadModel,
    ) -> Self {
        Self {
            protocol,
            message,
            facts,
            model,
        }
    }

    /// Reads the typed model from `source`.
    pub fn read(&self, source: Source<'_, '_>) -> Result<Reading, Error> {
        (self.model)(source)
    }

    /// The view, with what reading the model gave; `at` is the element's
    /// path in the document (`/Envelope/Body`, or empty for the root),
    /// which the errors' paths, starting at the element, are put under.
    pub fn view(self, reading: Result<Reading, Error>, at: &str) -> View {
        let (model, error) = match reading {
            Ok(r) => (r.model, r.error),
            Err(e) => (
                None,
                Some(ViewError {
                    kind: e.kind_name(),
                    message: e.kind().to_string(),
                    path: e.path().to_owned(),
                }),
            ),
        };
        View {
            protocol: self.protocol,
            message: self.message,
            facts: self.facts,
            model,
            error: error.map(|mut e| {
                e.path.insert_str(0, at);
                e
            }),
        }
    }
}

/// Where a typed model is read from.
pub enum Source<'r, 'a> {
    /// The element in the input whose start tag the reader has just read:
    /// the model reads it where it is. For the payload, which can be large,
    /// so that its generic tree need not be kept meanwhile.
    Input(&'r mut XmlReader<'a>, &'r Start<'a>),
    /// The element's generic tree, written back and read again: the fault
    /// detail entries, kept with the fault anyway, and a payload whose
    /// text between child elements the typed reader refuses in the input
    /// (a character reference to a space, which the tree drops as it drops
    /// any whitespace there).
    Tree(&'r AnyElement),
    /// The element's generic tree written back ([`AnyElement::to_xml`]),
    /// as [`Source::Tree`] reads it: the tree need not be kept meanwhile.
    Written(&'r [u8]),
}

impl Source<'_, '_> {
    /// Reads the element as a `T`; an error's path starts at the element,
    /// wherever it is in the document.
    pub fn read<T: for<'x> FromXml<'x>>(self) -> Result<T, Error> {
        match self {
            Source::Input(r, start) => {
                // The element's path in the document, and alone.
                let base = r.path();
                let alone = format!("/{}", start.local());
                let relocate = |e: Error| {
                    let path = match e.path().strip_prefix(base.as_str()) {
                        Some(rest) if rest.is_empty() || rest.starts_with('/') => {
                            format!("{alone}{rest}")
                        }
                        _ => e.path().to_owned(),
                    };
                    Error::new(e.kind().clone(), path, e.offset())
                };
                if !T::matches(start) {
                    return Err(relocate(
                        r.error(ErrorKind::UnsupportedPayload(start.name())),
                    ));
                }
                T::read(r, start).map_err(relocate)
            }
            Source::Tree(element) => Source::Written(&element.to_xml()?).read(),
            Source::Written(bytes) => {
                // The limits are the default ones except those that depend
                // on how the element is written rather than on its values
                // (document length, attributes and namespace declarations
                // per element): the element was already read within the
                // limits, and our writer may declare namespaces where the
                // input did not.
                let limits = Limits::default()
                    .with_max_document_len(usize::MAX)
                    .with_max_attributes(usize::MAX)
                    .with_max_ns_decls(usize::MAX);
                read_document(bytes, &limits)
            }
        }
    }
}
