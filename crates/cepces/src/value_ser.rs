//! A `serde::Serializer` into a view's [`Value`] tree: how the typed views
//! turn a model (the `serde` feature of xcep and wstep) into what `inspect`
//! shows, without a mapping per type.
//!
//! What serde_json would give, with what JSON cannot say kept for the text
//! view: a `{"value", "name"}` struct named `FlagSet` or `HResult` (a flag
//! set, an HRESULT) is a [`Value::Named`] shown in hexadecimal, one named
//! `EnumeratedValue` a [`Value::Named`] shown in decimal. Struct fields keep
//! their order. What the model types do not use is refused (maps, whose
//! keys are not `'static`, tuples and data-carrying variants other than
//! untagged ones).

use std::fmt;

use serde::ser::{self, Impossible, Serialize};

use crate::value::Value;

/// `v` as a view [`Value`]; a serializer error (a map in the model) as
/// [`Value::Text`] with the message, so that a view never fails on it.
pub fn to_value<T: Serialize + ?Sized>(v: &T) -> Value {
    v.serialize(ValueSerializer)
        .unwrap_or_else(|e| Value::Text(format!("[serialize] {e}")))
}

/// Why a model could not be serialized.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// The serializer.
struct ValueSerializer;

/// An integer, saturated to `i64`.
fn int(v: impl TryInto<i64>) -> Value {
    Value::Int(v.try_into().unwrap_or(i64::MAX))
}

/// What a model type does not use.
fn unsupported<T>(what: &str) -> Result<T, Error> {
    Err(Error(format!("a view has no {what}")))
}

/// A sequence being built.
struct Seq(Vec<Value>);

/// A struct being built: its serde name and fields.
struct Record(&'static str, Vec<(&'static str, Value)>);

impl Record {
    /// The record, or a [`Value::Named`] for a `{value, name}` struct whose
    /// serde name says it is a number with a meaning.
    fn finish(self) -> Value {
        let hex = match self.0 {
            "FlagSet" | "HResult" => true,
            "EnumeratedValue" => false,
            _ => return Value::Record(self.1),
        };
        match self.1.as_slice() {
            [("value", Value::Int(n)), ("name", Value::Text(name))] => Value::Named {
                value: u32::try_from(*n).unwrap_or(u32::MAX),
                name: name.clone(),
                hex,
            },
            _ => Value::Record(self.1),
        }
    }
}

/// `serialize_*` methods for integers.
macro_rules! ints {
    ($($f:ident: $t:ty),*) => {$(
        fn $f(self, v: $t) -> Result<Value, Error> {
            Ok(int(v))
        }
    )*};
}

impl ser::Serializer for ValueSerializer {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = Seq;
    type SerializeTuple = Impossible<Value, Error>;
    type SerializeTupleStruct = Impossible<Value, Error>;
    type SerializeTupleVariant = Impossible<Value, Error>;
    type SerializeMap = Impossible<Value, Error>;
    type SerializeStruct = Record;
    type SerializeStructVariant = Impossible<Value, Error>;

    ints!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);

    fn serialize_bool(self, v: bool) -> Result<Value, Error> {
        Ok(Value::Bool(v))
    }
    fn serialize_f32(self, v: f32) -> Result<Value, Error> {
        Ok(Value::Decimal(v.to_string()))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, Error> {
        Ok(Value::Decimal(v.to_string()))
    }
    fn serialize_char(self, v: char) -> Result<Value, Error> {
        Ok(Value::Text(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, Error> {
        Ok(Value::Text(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, Error> {
        Ok(Value::List(v.iter().map(|&b| int(b)).collect()))
    }
    fn serialize_none(self) -> Result<Value, Error> {
        Ok(Value::Nil)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Value, Error> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, Error> {
        Ok(Value::Nil)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Value, Error> {
        Ok(Value::Nil)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Value, Error> {
        Ok(Value::Text(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<Value, Error> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<Value, Error> {
        Ok(Value::Record(vec![(variant, v.serialize(self)?)]))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq, Error> {
        Ok(Seq(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        unsupported("tuples")
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        unsupported("tuples")
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        unsupported("tuple variants")
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        unsupported("maps")
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Record, Error> {
        Ok(Record(name, Vec::with_capacity(len)))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        unsupported("struct variants")
    }
}

impl ser::SerializeSeq for Seq {
    type Ok = Value;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.0.push(v.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, Error> {
        Ok(Value::List(self.0))
    }
}

impl ser::SerializeStruct for Record {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        self.1.push((key, v.serialize(ValueSerializer)?));
        Ok(())
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xcep::flags::{KeySpec, PrivateKeyFlags};

    #[test]
    fn flags_are_named_numbers() {
        assert_eq!(
            to_value(&PrivateKeyFlags::from_bits_retain(0x10)),
            Value::Named {
                value: 0x10,
                name: "CT_FLAG_EXPORTABLE_KEY".into(),
                hex: true
            }
        );
        assert_eq!(
            to_value(&KeySpec::AT_KEYEXCHANGE),
            Value::Named {
                value: 1,
                name: "AT_KEYEXCHANGE".into(),
                hex: false
            }
        );
    }

    #[test]
    fn records_keep_field_order() {
        let r = xcep::RequestFilter::new().with_client_version(6);
        let Value::Record(fields) = to_value(&r) else {
            panic!("record")
        };
        let keys: Vec<_> = fields.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            [
                "policy_oids",
                "client_version",
                "server_version",
                "extensions"
            ]
        );
        assert_eq!(fields[1].1, Value::Int(6));
    }
}
