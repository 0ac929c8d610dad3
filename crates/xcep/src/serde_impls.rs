//! `serde::Serialize` for the types whose JSON is not one member per field
//! (feature `serde`); the other model types derive it.
//!
//! A flag set or an enumerated number is `{"value": number, "name":
//! Display}`, the name being the Windows names (`CT_FLAG_EXPORTABLE_KEY |
//! 0x00100000`) or the spec's meaning (`enrollment object`). The serde
//! struct name tells which it is, for serializers that care (serde_json
//! does not): `FlagSet` for the bit sets, `EnumeratedValue` for [`KeySpec`],
//! [`ClientAuthentication`] and [`OidGroup`].

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::flags::{
    ClientAuthentication, EnrollmentFlags, GeneralFlags, KeySpec, KeyUsageProperty,
    PrivateKeyFlags, SubjectNameFlags,
};
use crate::{Base64Text, Nillable, OidGroup};

/// `{"value": value, "name": name}` as the struct `kind`.
fn named<S: Serializer>(
    s: S,
    kind: &'static str,
    value: u32,
    name: &dyn core::fmt::Display,
) -> Result<S::Ok, S::Error> {
    let mut st = s.serialize_struct(kind, 2)?;
    st.serialize_field("value", &value)?;
    st.serialize_field("name", &name.to_string())?;
    st.end()
}

/// Serializes each type as [`named`] of its bits and `Display`.
macro_rules! named_numbers {
    ($kind:literal: $($ty:ty),* $(,)?) => {$(
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                named(s, $kind, self.bits(), self)
            }
        }
    )*};
}

named_numbers!("FlagSet": PrivateKeyFlags, SubjectNameFlags, EnrollmentFlags, GeneralFlags, KeyUsageProperty);
named_numbers!("EnumeratedValue": KeySpec, ClientAuthentication);

impl Serialize for OidGroup {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        named(s, "EnumeratedValue", u32::from(*self), self)
    }
}

impl<T: Serialize> Serialize for Nillable<T> {
    /// The value, or `null` (`serialize_none`) when nil.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(s)
    }
}

impl Serialize for Base64Text {
    /// The text as sent (not decoded: the spec examples elide it).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::flags::{KeySpec, PrivateKeyFlags};
    use crate::{Client, GetPolicies, OidGroup};

    #[test]
    fn flags_by_value_and_name() {
        let v = |x: &dyn erased::Ser| x.json();
        assert_eq!(
            v(&PrivateKeyFlags::from_bits_retain(0x10)),
            json!({"value": 16, "name": "CT_FLAG_EXPORTABLE_KEY"})
        );
        assert_eq!(
            v(&KeySpec::AT_KEYEXCHANGE),
            json!({"value": 1, "name": "AT_KEYEXCHANGE"})
        );
        assert_eq!(
            v(&OidGroup::EnrollmentObject),
            json!({"value": 9, "name": "enrollment object"})
        );
    }

    #[test]
    fn a_request_has_its_fields() {
        let r = GetPolicies::new(Client::new().with_preferred_language("en-US"));
        let j = serde_json::to_value(&r).unwrap_or_default();
        assert_eq!(j["client"]["preferred_language"], "en-US");
        assert_eq!(j["request_filter"], serde_json::Value::Null);
    }

    /// `serde_json::to_value` behind a trait object.
    mod erased {
        pub trait Ser {
            fn json(&self) -> serde_json::Value;
        }
        impl<T: serde::Serialize> Ser for T {
            fn json(&self) -> serde_json::Value {
                serde_json::to_value(self).unwrap_or_default()
            }
        }
    }
}
