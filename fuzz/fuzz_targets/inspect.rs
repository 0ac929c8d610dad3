//! Fuzz target `inspect`: the property [`cepces_fuzz::inspect`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cepces_fuzz::inspect(data));
