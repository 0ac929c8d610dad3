//! Fuzz target `envelope`: the property [`cepces_fuzz::envelope`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cepces_fuzz::envelope(data));
