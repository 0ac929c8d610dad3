//! Every public type of the library crates that may grow is
//! `#[non_exhaustive]` (built with `new`/`with_*`; fields stay readable
//! and assignable). The ones below are exhaustive by decision:
//!
//! - what a specification closes: a SOAP `Body` is a payload or a fault,
//!   SOAP 1.2 has five fault codes, a nillable value is a value or nil, an
//!   expanded name is a namespace and a local name;
//! - the DER types that mirror an ASN.1 `SEQUENCE` (RFC 5272's CMC
//!   structures, the certificate template extensions), as RustCrypto's
//!   own `x509-cert` and `cms` types are;
//! - newtypes over one value (`HResult`, `Base64Binary`, `RequestId`,
//!   the server's `Handled`);
//! - the server's `Service`: CEP or CES, the two services of MS-XCEP and
//!   MS-WSTEP.
//!
//! `cepces` is the command-line tool: its library target exists for the
//! fuzzers and is no API, so it is not checked.

#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::BTreeSet;
use std::path::Path;

use testkit::api::{exhaustive_types, scan};

fn exhaustive(name: &str) -> BTreeSet<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(name)
        .join("src");
    assert!(src.is_dir(), "{}", src.display());
    exhaustive_types(&src)
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|&n| n.to_owned()).collect()
}

#[test]
fn only_the_decided_types_are_exhaustive() {
    let decided: [(&str, &[&str]); 6] = [
        (
            "soap-envelope",
            &[
                "Base64Binary",
                "Body",
                "FaultCodeValue",
                "OwnedQName",
                "QName",
            ],
        ),
        ("xcep", &["Nillable"]),
        (
            "wstep",
            &[
                "CertificateTemplate",
                "CmcStatusInfo",
                "HResult",
                "PendInfo",
                "PkiData",
                "PkiResponse",
                "RequestId",
                "TaggedAttribute",
                "TemplateInfo",
            ],
        ),
        ("enroll", &[]),
        // A `pKIDefaultCSPs` value (`N,name`), the two template rights of
        // MS-CRTD 4.1.2, the two domains SDDL aliases name.
        ("adcs", &["Csp", "Permission", "SddlDomains"]),
        ("server", &["Handled", "Service"]),
    ];
    for (name, types) in decided {
        assert_eq!(exhaustive(name), set(types), "{name}");
    }
}

#[test]
fn an_unmarked_type_with_public_fields_is_found() {
    let mut out = BTreeSet::new();
    scan(
        "/// Docs.\n#[derive(Debug)]\n#[non_exhaustive]\npub struct Marked {\n    pub a: u8,\n}\n\
         pub struct Open {\n    pub a: u8,\n}\n\
         pub struct Opaque {\n    a: u8,\n}\n\
         pub struct Half {\n    pub a: u8,\n    b: u8,\n}\n\
         pub struct Newtype(pub u8);\n\
         pub enum Choice {\n    A,\n}\n\
         #[cfg(test)]\nmod tests {\npub struct InTest {\n    pub a: u8,\n}\n}\n",
        &mut out,
    );
    assert_eq!(out, set(&["Choice", "Newtype", "Open"]));
}
