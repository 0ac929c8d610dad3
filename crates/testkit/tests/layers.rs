//! The modules of every crate of the workspace form layers: no module
//! reaches back to one that reaches it (checked on the sources, see
//! `testkit::layers`): the lexical rules, header attributes and names are
//! leaves, the reader and writer above them, the generic tree and the
//! typed headers above those.

#![allow(clippy::unwrap_used, missing_docs)]

use std::path::Path;

use testkit::layers::{cycles, module_graph};

fn crate_cycles(name: &str) -> Vec<Vec<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(name)
        .join("src");
    assert!(src.is_dir(), "{}", src.display());
    cycles(&module_graph(&src))
}

#[test]
fn no_crate_has_a_module_cycle() {
    for name in [
        "soap-envelope",
        "cepces",
        "enroll",
        "server",
        "adcs",
        "wstep",
        "xcep",
        "xml-derive",
        "testkit",
    ] {
        assert_eq!(crate_cycles(name), Vec::<Vec<String>>::new(), "{name}");
    }
}

#[test]
fn a_cycle_is_found() {
    let dir = std::env::temp_dir().join(format!("layers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("lib.rs"), "mod a;\nmod b;\nmod c;\n").unwrap();
    std::fs::write(dir.join("a.rs"), "use crate::b::X;\n").unwrap();
    std::fs::write(
        dir.join("b.rs"),
        "use super::a::Y; // crate::c in a comment\n",
    )
    .unwrap();
    std::fs::write(dir.join("c.rs"), "use crate::a::Z;\n").unwrap();
    let graph = module_graph(&dir);
    assert_eq!(cycles(&graph), vec![vec!["a".to_owned(), "b".to_owned()]]);
    std::fs::remove_dir_all(&dir).unwrap();
}
