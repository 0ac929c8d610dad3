//! Reading helpers shared by the model types.

pub(crate) use soap_envelope::fields::{once, required};
