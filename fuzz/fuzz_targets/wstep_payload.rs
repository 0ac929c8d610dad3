//! Fuzz target `wstep_payload`: the property [`cepces_fuzz::wstep_payload`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cepces_fuzz::wstep_payload(data));
