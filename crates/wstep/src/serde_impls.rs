//! `serde::Serialize` for the types whose JSON is not one member per field
//! (feature `serde`); the other model types derive it.

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::hresult::HResult;
use crate::mde2::AuthPolicy;

impl Serialize for AuthPolicy {
    /// The value as written (`Federated`).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Serialize for HResult {
    /// `{"value": the unsigned 32 bits, "name": the winerror.h name or
    /// "unknown"}`, as the struct `HResult`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("HResult", 2)?;
        st.serialize_field("value", &self.as_u32())?;
        st.serialize_field("name", self.name().unwrap_or("unknown"))?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::hresult::HResult;

    #[test]
    fn hresult_by_name() {
        let j = serde_json::to_value(HResult(-2_146_877_422)).unwrap_or_default();
        assert_eq!(
            j,
            json!({"value": 0x8009_4012_u32, "name": "CERTSRV_E_TEMPLATE_DENIED"})
        );
    }
}
