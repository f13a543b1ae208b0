//! The rules of the house that the compiler does not check, checked on the source:
//!
//! - the areas of the manual (auth/, menu/, company/, fees/, users/, history/, transfers/,
//!   bulk/) are peers:
//!   none imports another, nor the operator's commands;
//! - the areas other than auth/ reach the store only through the scoped handles the actor
//!   types hand out, never `state.store`;
//! - no two source files of a crate import each other, directly or in a circle
//!   (a module's `mod.rs` is its face and does not count).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const AREAS: [&str; 8] = [
    "auth",
    "menu",
    "company",
    "fees",
    "users",
    "history",
    "transfers",
    "bulk",
];

/// One crate's source files: module path → (file, code without its test module).
fn sources(src: &Path) -> BTreeMap<Vec<String>, (PathBuf, String)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).unwrap();
            let mut module: Vec<String> = relative
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                module.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                module.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or("").to_owned();
            out.insert(module, (path, code));
        }
    }
    out
}

/// The module paths `code` names through `crate::…` or `super::…` (one level of braces).
fn references(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let parent: Vec<String> = module[..module.len().saturating_sub(1)].to_vec();
    let mut out = Vec::new();
    for (keyword, base) in [("crate::", Vec::new()), ("super::", parent)] {
        for (i, _) in code.match_indices(keyword) {
            let before = code[..i].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &code[i + keyword.len()..];
            let path: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let mut segments: Vec<String> = path
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            let after = &rest[path.len()..];
            let mut prefix = base.clone();
            prefix.append(&mut segments);
            if after.starts_with('{') {
                let group = &after[1..after.find('}').unwrap_or(1)];
                for item in group.split(',') {
                    let first = item.trim().split("::").next().unwrap_or("").trim();
                    if !first.is_empty() {
                        let mut p = prefix.clone();
                        p.push(first.to_owned());
                        out.push(p);
                    }
                }
            }
            out.push(prefix);
        }
    }
    out
}

/// The file a named path lives in: the longest prefix that is a module.
fn resolve<'a>(
    files: &'a BTreeMap<Vec<String>, (PathBuf, String)>,
    path: &[String],
) -> Option<&'a Vec<String>> {
    (0..=path.len())
        .rev()
        .find_map(|n| files.get_key_value(&path[..n].to_vec()).map(|(k, _)| k))
}

/// A module's path, e.g. `["users", "views"]`.
type Module = Vec<String>;
/// Module → the modules it imports.
type Edges = BTreeMap<Module, BTreeSet<Module>>;

/// Module → the modules it imports, and the faces (mod.rs, lib.rs).
fn graph(src: &Path) -> (Edges, BTreeSet<Module>) {
    let files = sources(src);
    let faces: BTreeSet<Vec<String>> = files
        .iter()
        .filter(|(_, (p, _))| {
            matches!(
                p.file_stem().and_then(|s| s.to_str()),
                Some("mod" | "lib" | "main")
            )
        })
        .map(|(m, _)| m.clone())
        .collect();
    let mut edges = BTreeMap::new();
    for (module, (_, code)) in &files {
        let mut to = BTreeSet::new();
        for path in references(code, module) {
            if let Some(target) = resolve(&files, &path)
                && target != module
            {
                to.insert(target.clone());
            }
        }
        edges.insert(module.clone(), to);
    }
    (edges, faces)
}

fn crate_src(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(name)
        .join("src")
}

#[test]
fn the_areas_are_peers_and_use_only_scoped_store_handles() {
    let (edges, _) = graph(&crate_src("server"));
    for (module, to) in &edges {
        let Some(area) = module.first().filter(|m| AREAS.contains(&m.as_str())) else {
            continue;
        };
        for target in to {
            let other = target.first().map(String::as_str).unwrap_or("");
            assert!(
                other == area || !AREAS.contains(&other),
                "{module:?} imports another area: {target:?}"
            );
            assert_ne!(
                other, "operator",
                "{module:?} imports the operator's commands"
            );
        }
    }
    let files = sources(&crate_src("server"));
    for (module, (path, code)) in &files {
        let in_area = module
            .first()
            .is_some_and(|m| AREAS.contains(&m.as_str()) && m != "auth");
        if in_area {
            assert!(
                !code.contains("state.store") && !code.contains(".store."),
                "{} reaches the store without a scoped handle",
                path.display()
            );
        }
    }
}

#[test]
fn no_source_files_import_each_other_in_a_circle() {
    for krate in ["domain", "store", "server"] {
        let (edges, faces) = graph(&crate_src(krate));
        // A module's face (mod.rs, lib.rs) declares and re-exports; it is not a node.
        let leaf = |m: &Vec<String>| !faces.contains(m);
        let mut state: BTreeMap<Vec<String>, u8> = BTreeMap::new();
        fn visit(
            m: &Vec<String>,
            edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
            leaf: &dyn Fn(&Vec<String>) -> bool,
            state: &mut BTreeMap<Vec<String>, u8>,
            stack: &mut Vec<Vec<String>>,
        ) -> Option<Vec<Vec<String>>> {
            state.insert(m.clone(), 1);
            stack.push(m.clone());
            for next in edges.get(m).into_iter().flatten().filter(|n| leaf(n)) {
                match state.get(next) {
                    Some(1) => {
                        let start = stack.iter().position(|s| s == next).unwrap_or(0);
                        let mut cycle = stack[start..].to_vec();
                        cycle.push(next.clone());
                        return Some(cycle);
                    }
                    Some(_) => {}
                    None => {
                        if let Some(c) = visit(next, edges, leaf, state, stack) {
                            return Some(c);
                        }
                    }
                }
            }
            stack.pop();
            state.insert(m.clone(), 2);
            None
        }
        for m in edges.keys().filter(|m| leaf(m)) {
            if !state.contains_key(m) {
                let cycle = visit(m, &edges, &leaf, &mut state, &mut Vec::new());
                assert!(
                    cycle.is_none(),
                    "{krate}: files import each other: {cycle:?}"
                );
            }
        }
    }
}
