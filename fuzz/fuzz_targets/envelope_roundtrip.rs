//! Fuzz target `envelope_roundtrip`: the property [`cepces_fuzz::envelope_roundtrip`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cepces_fuzz::envelope_roundtrip(data));
