//! Fuzz target `wstep_roundtrip`: the property [`cepces_fuzz::wstep_roundtrip`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cepces_fuzz::wstep_roundtrip(data));
