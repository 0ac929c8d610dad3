//! The spec folder and xmllint helpers, shared by the workspace's tests
//! (see the `testkit` crate).
#[allow(unused_imports)]
pub use testkit::*;

/// The spec folder, or `return` from the test (after `spec_dir` said why).
#[allow(unused_macros)]
#[macro_export]
macro_rules! spec_or_skip {
    () => {
        match common::spec_dir() {
            Some(dir) => dir,
            None => return,
        }
    };
}
