//! Which top-level modules of a crate name which others (`crate::x`, and
//! `super::x` from a module directly under the root), and the cycles
//! among them: a crate's modules should form layers, each using only
//! those below it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The top-level modules of the crate whose sources are in `src`, each
/// with the top-level modules it names. Test modules (`mod tests { … }`
/// to the end of the file) and comments are left out.
pub fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    collect(src, &mut files);
    let names: BTreeSet<String> = files.iter().map(|(m, _)| top(m).to_owned()).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, text) in &files {
        let from = top(module).to_owned();
        let direct = !module.contains("::");
        let code = strip(text);
        let refs = graph.entry(from.clone()).or_default();
        for (prefix, allowed) in [("crate::", true), ("super::", direct)] {
            if !allowed {
                continue;
            }
            for (i, _) in code.match_indices(prefix) {
                // `crate::` inside `$crate::` or a longer path segment is
                // not a reference from here.
                if i > 0 && code.as_bytes()[i - 1].is_ascii_alphanumeric()
                    || code[..i].ends_with('$')
                {
                    continue;
                }
                let rest = &code[i + prefix.len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if name != from && names.contains(&name) {
                    refs.insert(name);
                }
            }
        }
    }
    graph
}

/// The cycles of `graph`: its strongly connected components of more than
/// one module, each sorted.
pub fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Two modules are in one cycle when each reaches the other.
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_owned()];
        while let Some(m) = todo.pop() {
            for next in graph.get(&m).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|m| (m, reach(m))).collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    for (m, r) in &reaches {
        let component: Vec<String> = r
            .iter()
            .filter(|o| reaches.get(o).is_some_and(|back| back.contains(*m)))
            .cloned()
            .collect();
        if component.len() > 1 && !out.contains(&component) {
            out.push(component);
        }
    }
    out
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap_or(module)
}

/// The `.rs` files under `dir`, in sorted order, subdirectories
/// included (unreadable directories are skipped).
pub fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// The modules of the crate whose sources are in `root`, by path
/// (`a::b`), with their text; the crate root left out.
fn collect(root: &Path, out: &mut Vec<(String, String)>) {
    for path in rust_files(root) {
        let rel = path.strip_prefix(root).unwrap_or(&path).with_extension("");
        let mut parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if matches!(
            parts.last().map(String::as_str),
            Some("mod" | "lib" | "main")
        ) {
            parts.pop();
        }
        if parts.is_empty() {
            continue; // the crate root names what it re-exports
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        out.push((parts.join("::"), text));
    }
}

/// `text` without line comments and without a trailing `mod tests`.
fn strip(text: &str) -> String {
    let body = text
        .find("#[cfg(test)]\nmod tests")
        .map_or(text, |i| &text[..i]);
    body.lines()
        .map(|l| l.find("//").map_or(l, |i| &l[..i]))
        .collect::<Vec<_>>()
        .join("\n")
}
