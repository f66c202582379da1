//! The module structure: modules import each other without circles, and the core (the modules
//! built without the `cli` feature) imports no front end.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The front ends: built with the `cli` feature only.
const FRONT_ENDS: &[&str] = &[
    "cli", "fs", "walk", "contain", "simulate", "live", "server", "main",
];

/// Each top-level module of `src` with the top-level modules it names through `crate::`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    let module = |p: &Path| {
        let rel = p.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        first.trim_end_matches(".rs").to_string()
    };
    let names: BTreeSet<String> = files.iter().map(|p| module(p)).collect();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in &files {
        let from = module(p);
        let text: String = std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        let deps = out.entry(from.clone()).or_default();
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            let named: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                group[..end].split(',').map(str::trim).collect()
            } else {
                vec![rest]
            };
            for n in named {
                let ident: String = n
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if ident != from && names.contains(&ident) {
                    deps.insert(ident);
                }
            }
        }
    }
    out
}

#[test]
fn modules_import_each_other_without_circles() {
    let graph = imports();
    assert!(graph.len() > 20, "{} modules found", graph.len());
    // depth-first search; a module met again while on the path closes a circle
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if done.contains(m) {
            return;
        }
        if let Some(at) = path.iter().position(|p| p == m) {
            panic!("import circle: {} -> {m}", path[at..].join(" -> "));
        }
        path.push(m.to_string());
        for d in graph.get(m).into_iter().flatten() {
            visit(d, graph, path, done);
        }
        path.pop();
        done.insert(m.to_string());
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        visit(m, &graph, &mut Vec::new(), &mut done);
    }
}

#[test]
fn the_core_imports_no_front_end() {
    let graph = imports();
    for (m, deps) in &graph {
        if FRONT_ENDS.contains(&m.as_str()) || m == "lib" {
            continue;
        }
        for d in deps {
            // the configuration's files on disk are the command line's part of `config`
            let allowed = m == "config" && (d == "walk" || d == "contain");
            assert!(
                allowed || !FRONT_ENDS.contains(&d.as_str()),
                "the core module `{m}` imports the front end `{d}`"
            );
        }
    }
}
