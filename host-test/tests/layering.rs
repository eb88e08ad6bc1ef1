//! No two modules of the host or the adapters use each other: a module that needs something
//! another module also needs (the generated bindings, most often) gets it from a third one.
//!
//! Read from the source as text: every `crate::…`, `super::…` and `self::…` path outside comments
//! names the module it points into; a pair of files that point into each other is a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The source directories: the host's and each adapter's.
fn source_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let mut dirs = vec![root.join("host-test/src")];
    for entry in std::fs::read_dir(root.join("adapters")).unwrap() {
        let src = entry.unwrap().path().join("src");
        if src.is_dir() {
            dirs.push(src);
        }
    }
    dirs.sort();
    dirs
}

/// Every `.rs` file below `dir`, with its module path (`cli::exit`; a crate root is the empty path,
/// `mod.rs` is its directory's module). The host's binary (`main.rs`, with `cli/`) and library
/// share the root: the library never names the binary's modules, so no circle hides there.
fn modules(dir: &Path) -> BTreeMap<String, String> {
    fn walk(dir: &Path, base: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(base).unwrap().with_extension("");
                let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
                if parts.last().is_some_and(|p| p == "mod" || p == "lib" || p == "main") {
                    parts.pop();
                }
                out.insert(parts.join("::"), std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The modules `source` (module `module`, among `known`) points into.
fn references(module: &str, source: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let code: String =
        source.lines().filter(|line| !line.trim_start().starts_with("//")).map(|line| format!("{line}\n")).collect();
    let parent = module.rsplit_once("::").map_or("", |(p, _)| p);
    // Past the first inline module (`mod tests {`), `super::` is this file's own module.
    let mut offset = 0;
    let mut inline_module = None;
    for line in code.lines() {
        let trimmed = line.trim();
        if (trimmed.starts_with("mod ") || trimmed.starts_with("pub mod ")) && trimmed.ends_with('{') {
            inline_module = Some(offset);
            break;
        }
        offset += line.len() + 1;
    }
    let mut found = BTreeSet::new();
    for (prefix, base) in [("crate::", ""), ("super::", parent), ("self::", module)] {
        let mut rest = code.as_str();
        while let Some(at) = rest.find(prefix) {
            let offset = code.len() - rest.len() + at;
            let preceded = rest[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':');
            rest = &rest[at + prefix.len()..];
            if preceded {
                continue;
            }
            let base = if prefix == "super::" && inline_module.is_some_and(|m| offset > m) { module } else { base };
            for path in paths_after(rest) {
                let full = if base.is_empty() { path } else { format!("{base}::{path}") };
                // The longest module the path names (`crate::cli::exit::Failure` → `cli::exit`).
                let mut segments: Vec<&str> = full.split("::").collect();
                while !segments.is_empty() && !known.contains(&segments.join("::")) {
                    segments.pop();
                }
                let target = segments.join("::");
                if !target.is_empty() && target != module {
                    found.insert(target);
                }
            }
        }
    }
    found
}

/// The paths at the start of `text`: `a::b::C` or, for `{a, b::c}`, each one inside the braces.
fn paths_after(text: &str) -> Vec<String> {
    let path = |s: &str| -> String {
        s.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect::<String>()
    };
    match text.strip_prefix('{') {
        Some(inner) => {
            let inner = &inner[..inner.find('}').unwrap_or(inner.len())];
            inner.split(',').map(|p| path(p.trim())).filter(|p| !p.is_empty()).collect()
        }
        None => vec![path(text)].into_iter().filter(|p| !p.is_empty()).collect(),
    }
}

/// The pairs of modules that point into each other.
fn two_module_circles(modules: &BTreeMap<String, String>) -> Vec<(String, String)> {
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    let edges: BTreeMap<&String, BTreeSet<String>> =
        modules.iter().map(|(module, source)| (module, references(module, source, &known))).collect();
    let mut circles = Vec::new();
    for (a, targets) in &edges {
        for b in targets {
            let back = edges.get(b).is_some_and(|t| t.contains(a.as_str()));
            // A module and its own submodules (`cli` and `cli::exit`) are one room.
            let nested = b.starts_with(&format!("{a}::")) || a.starts_with(&format!("{b}::"));
            if back && !nested && a.as_str() < b.as_str() {
                circles.push((a.to_string(), b.clone()));
            }
        }
    }
    circles
}

#[test]
fn no_two_modules_of_the_host_or_the_adapters_use_each_other() {
    let mut all = Vec::new();
    for dir in source_dirs() {
        let files = modules(&dir);
        assert!(files.len() > 3, "{} has its modules", dir.display());
        for (a, b) in two_module_circles(&files) {
            all.push(format!("{}: {a} <-> {b}", dir.display()));
        }
    }
    assert!(all.is_empty(), "two-module circles:\n{}", all.join("\n"));
}

#[test]
fn a_circle_is_found_through_use_lines_braces_and_super() {
    let files: BTreeMap<String, String> = [
        ("", "mod runtime;\nmod http;\nmod cli;"),
        ("runtime", "use crate::{cache, http::HttpClient};\n"),
        // A comment naming the runtime is no use of it.
        ("http", "//! See [`crate::cache`].\nuse crate::runtime::http_fetch::Request;\n"),
        ("cache", "/// [`crate::runtime`]\nfn f() {}\n"),
        ("cli", "pub mod exit;\npub mod run;"),
        (
            "cli::exit",
            "use super::run;\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n    use super::super::output;\n}\n",
        ),
        ("cli::output", "use super::exit;\n"),
        ("cli::run", "use super::exit::Failure;\n"),
    ]
    .into_iter()
    .map(|(m, s)| (m.to_string(), s.to_string()))
    .collect();
    assert_eq!(
        two_module_circles(&files),
        [("cli::exit".to_string(), "cli::run".to_string()), ("http".to_string(), "runtime".to_string())]
    );
}
