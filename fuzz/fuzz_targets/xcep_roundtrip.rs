//! Fuzz target `xcep_roundtrip`: the property [`cepces_fuzz::xcep_roundtrip`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cepces_fuzz::xcep_roundtrip(data));
