//! Fuzz target `enroll`: the property [`cepces_fuzz::enroll`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cepces_fuzz::enroll(data));
