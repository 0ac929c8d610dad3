//! Fuzz target `discover_roundtrip`: the property [`cepces_fuzz::discover_roundtrip`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cepces_fuzz::discover_roundtrip(data));
