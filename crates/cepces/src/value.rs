//! What a typed view of a payload gives: a [`View`] (protocol, kind,
//! facts, a [`Value`] tree, or the typed error), and the [`PayloadView`]
//! trait a protocol's view implements. The leaf of the views: the
//! protocol views use it, the registry ([`crate::views`]) lists them.

use soap_envelope::AnyElement;

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

impl View {
    /// A view with facts only.
    pub fn facts(
        protocol: &'static str,
        message: &'static str,
        facts: Vec<(&'static str, String)>,
    ) -> Self {
        Self {
            protocol,
            message,
            facts,
            model: None,
            error: None,
        }
    }
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
    /// The view of `element`, or `None` when this recognizer does not know
    /// it.
    fn view(&self, element: &AnyElement) -> Option<View>;
}
