//! Memory bound of the descriptor reader: a hostile `nTSecurityDescriptor`
//! costs at most a fixed multiple of its own size, and a count that the
//! bytes cannot hold costs nothing (counted by a global allocator, `cap`).
//! One test runs both, one after the other: the counter is global to the
//! binary, and the test harness allocates on its own thread when a test
//! ends.
#![allow(clippy::unwrap_used, missing_docs)]

use std::alloc::System;

use cap::Cap;
use cepces_adcs::security::SecurityDescriptor;

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

/// A descriptor whose DACL is `count` ACEs of 4 bytes (the smallest an
/// ACE can be: a header of a type the evaluation ignores).
fn descriptor(count: u16, acl_size: u16, aces: usize) -> Vec<u8> {
    let mut sd = vec![
        1, 0, 0x04, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0,
    ];
    sd.extend_from_slice(&[4, 0]);
    sd.extend_from_slice(&acl_size.to_le_bytes());
    sd.extend_from_slice(&count.to_le_bytes());
    sd.extend_from_slice(&[0, 0]);
    for _ in 0..aces {
        sd.extend_from_slice(&[0x02, 0, 4, 0]);
    }
    sd
}

fn a_descriptor_full_of_tiny_aces_is_bounded() {
    // 65532 bytes of ACL (the header and 16381 ACEs).
    let input = descriptor(16_381, 65_532, 16_381);
    let peak = testkit::bench::allocations(&ALLOC, &|| {
        let sd = SecurityDescriptor::from_bytes(&input).unwrap();
        assert_eq!(sd.dacl.unwrap().aces.len(), 16_381);
    })
    .1;
    testkit::bench::assert_peak_within(
        "64 KiB DACL of 4-byte ACEs",
        input.len(),
        peak,
        64,
        64 * 1024,
    );
}

fn a_count_the_bytes_cannot_hold_allocates_nothing_up_front() {
    // AceCount 65535 with two ACEs' worth of bytes: an error, and no
    // vector of 65535 ACEs was reserved.
    let input = descriptor(u16::MAX, 16, 2);
    let peak = testkit::bench::allocations(&ALLOC, &|| {
        assert!(SecurityDescriptor::from_bytes(&input).is_err());
    })
    .1;
    assert!(peak < 4096, "{peak} bytes");
}

/// Both measurements, one after the other (see the module docs).
#[test]
fn descriptor_memory_bounds() {
    a_descriptor_full_of_tiny_aces_is_bounded();
    a_count_the_bytes_cannot_hold_allocates_nothing_up_front();
}
