//! The public types of a crate that are *not* `#[non_exhaustive]`, read
//! from its sources: public enums, and public structs whose fields are all
//! public (a struct with a private field cannot be built outside its crate
//! anyway). A test lists, per crate, the ones that are exhaustive by
//! decision, so that a new type is `#[non_exhaustive]` unless someone
//! decides otherwise.

use std::collections::BTreeSet;
use std::path::Path;

/// The names of the exhaustive public types of the crate whose sources
/// are in `src` (test modules left out).
pub fn exhaustive_types(src: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for path in crate::layers::rust_files(src) {
        scan(
            &std::fs::read_to_string(&path).unwrap_or_default(),
            &mut out,
        );
    }
    out
}

/// Adds the exhaustive public types declared in `text` to `out`.
pub fn scan(text: &str, out: &mut BTreeSet<String>) {
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("#[cfg(test)]") {
            break;
        }
        let (kind, rest) = if let Some(r) = line.strip_prefix("pub struct ") {
            ("struct", r)
        } else if let Some(r) = line.strip_prefix("pub enum ") {
            ("enum", r)
        } else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        // The attributes and docs just above the item.
        let marked = lines[..i]
            .iter()
            .rev()
            .take_while(|l| {
                let t = l.trim_start();
                t.starts_with("#[") || t.starts_with("//") || t.starts_with(')')
            })
            .any(|l| l.contains("#[non_exhaustive]"));
        if marked {
            continue;
        }
        let public_fields = if kind == "enum" {
            true
        } else if rest.contains('(') {
            // A tuple struct: `pub struct X(pub T);`.
            rest.contains("(pub ")
        } else {
            // Every field public (one private field keeps it from being
            // built outside its crate).
            let fields: Vec<&&str> = lines[i + 1..]
                .iter()
                .take_while(|l| !l.starts_with('}'))
                .filter(|l| {
                    l.starts_with("    ")
                        && !l.starts_with("     ")
                        && !l.trim_start().starts_with("//")
                        && !l.trim_start().starts_with("#[")
                        && l.contains(':')
                })
                .collect();
            !fields.is_empty() && fields.iter().all(|l| l.starts_with("    pub "))
        };
        if public_fields {
            out.insert(name);
        }
    }
}
