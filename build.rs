//! Compiles the IAM action catalog (`catalog/iam-catalog.txt`) into static tables: services,
//! actions, resource types and condition keys, each in the order the catalog searches them,
//! with hash tables for finding a service and an action by name. Nothing is decoded when the
//! tool runs.

use std::fmt::Write as _;

#[path = "src/catalog/shared.rs"]
mod shared;

const CATALOG: &str = "catalog/iam-catalog.txt";

fn main() {
    println!("cargo:rerun-if-changed={CATALOG}");
    println!("cargo:rerun-if-changed=src/catalog/shared.rs");
    let text = std::fs::read_to_string(CATALOG).unwrap_or_else(|e| fail(&format!("{e}")));
    let code = generate(&text);
    let out =
        std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_else(|| fail("no OUT_DIR")));
    std::fs::write(out.join("catalog.rs"), code).unwrap_or_else(|e| fail(&format!("{e}")));
}

fn fail(why: &str) -> ! {
    eprintln!("build.rs: {CATALOG}: {why}");
    std::process::exit(1)
}

struct Service<'a> {
    prefix: &'a str,
    name: &'a str,
    /// (name, access, resource type indices, condition keys), sorted by lower-case name
    actions: Vec<(&'a str, &'static str, Vec<usize>, Vec<&'a str>)>,
    /// (name, ARN template, condition keys)
    resource_types: Vec<(&'a str, &'a str, Vec<&'a str>)>,
    /// (lower-case key, key, type), sorted by lower-case key, one per lower-case key
    keys: Vec<(String, &'a str, &'a str)>,
}

fn list(field: &str) -> Vec<&str> {
    field.split(',').filter(|s| !s.is_empty()).collect()
}

fn parse(text: &str) -> (&str, Vec<Service<'_>>) {
    let body_start = text
        .find("\n=\n")
        .map(|i| i + 3)
        .unwrap_or_else(|| fail("no `=` line"));
    let mut version = "unknown";
    let mut entries = Vec::new();
    for line in text[..body_start].lines() {
        if let Some(rest) = line.strip_prefix("#data ") {
            version = rest.split(' ').next().unwrap_or(rest);
        } else if let Some(rest) = line.strip_prefix("I\t") {
            let f: Vec<&str> = rest.split('\t').collect();
            let (Some(p), Some(o), Some(l)) = (f.first(), f.get(1), f.get(2)) else {
                fail(&format!("bad index line `{line}`"));
            };
            let (o, l): (usize, usize) = match (o.parse(), l.parse()) {
                (Ok(o), Ok(l)) => (o, l),
                _ => fail(&format!("bad index line `{line}`")),
            };
            entries.push((*p, body_start + o, body_start + o + l));
        }
    }
    entries.sort_by(|a, b| a.0.cmp(b.0));
    let services = entries
        .into_iter()
        .map(|(prefix, start, end)| {
            let section = text
                .get(start..end.min(text.len()))
                .unwrap_or_else(|| fail(prefix));
            service(prefix, section)
        })
        .collect();
    (version, services)
}

fn service<'a>(prefix: &'a str, text: &'a str) -> Service<'a> {
    if prefix.bytes().any(|b| b.is_ascii_uppercase()) {
        fail(&format!("service prefix `{prefix}` is not lower-case"));
    }
    let mut name = prefix;
    let mut raw_actions = Vec::new();
    let mut resource_types = Vec::new();
    let mut keys: Vec<(String, &str, &str)> = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let at = |i: usize| f.get(i).copied().unwrap_or("");
        match at(0) {
            "S" => name = f.get(2).copied().unwrap_or(prefix),
            "A" => raw_actions.push((at(1), at(2), at(3), at(4))),
            "R" => {
                if !at(2).is_ascii() {
                    fail(&format!("ARN template `{}` is not ASCII", at(2)));
                }
                resource_types.push((at(1), at(2), list(at(3))));
            }
            "K" => {
                let lower = at(1).to_ascii_lowercase();
                // one entry per lower-case key, with the last type given
                match keys.iter_mut().find(|k| k.0 == lower) {
                    Some(k) => k.2 = at(2),
                    None => keys.push((lower, at(1), at(2))),
                }
            }
            _ => {}
        }
    }
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    // an action's resource types by lower-case name: the first of equal names
    let mut by_name: Vec<(String, usize)> = resource_types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.0.to_ascii_lowercase(), i))
        .collect();
    by_name.sort_unstable();
    let mut actions: Vec<_> = raw_actions
        .into_iter()
        .map(|(n, access, rts, keys)| {
            let access = match access {
                "L" => "List",
                "R" => "Read",
                "W" => "Write",
                "P" => "Permissions",
                "T" => "Tagging",
                _ => "Unknown",
            };
            let types = list(rts)
                .into_iter()
                .filter_map(|r| {
                    let r = r.trim_end_matches('*').to_ascii_lowercase();
                    let at = by_name.partition_point(|(n, _)| *n < r);
                    by_name.get(at).filter(|(n, _)| *n == r).map(|(_, i)| *i)
                })
                .collect();
            (n, access, types, list(keys))
        })
        .collect();
    // stable: actions whose names differ only in case keep the catalog's order
    actions.sort_by_key(|a| a.0.to_ascii_lowercase());
    Service {
        prefix,
        name,
        actions,
        resource_types,
        keys,
    }
}

/// An open-addressing table of `len` indices (+1; 0 is empty) at twice the size or more.
fn table(names: impl Iterator<Item = String>) -> Vec<u16> {
    let names: Vec<String> = names.collect();
    let size = (names.len() * 2).next_power_of_two().max(2);
    if names.len() >= usize::from(u16::MAX) {
        fail("too many entries for a table");
    }
    let mut slots = vec![0u16; size];
    for (i, n) in names.iter().enumerate() {
        let mut s = shared::home(n.as_bytes(), size);
        while slots[s] != 0 {
            s = (s + 1) & (size - 1);
        }
        slots[s] = u16::try_from(i + 1).unwrap_or_else(|_| fail("table index"));
    }
    slots
}

/// The tables being written: every string in one text, every list in one array of its kind,
/// referred to by offsets (no pointers, so the loader relocates nothing in them).
#[derive(Default)]
struct Tables {
    text: String,
    /// Where each string already stands in `text`.
    at: std::collections::HashMap<String, (u32, u16)>,
    actions: String,
    action_count: u32,
    resource_types: String,
    resource_type_count: u32,
    type_refs: Vec<u16>,
    key_refs: String,
    key_ref_count: u32,
    keys: String,
    key_count: u32,
    key_prefixes: String,
    key_prefix_count: u32,
    slots: Vec<u16>,
    codes: Vec<u8>,
}

impl Tables {
    /// A string, as `Str(offset, length)`.
    fn s(&mut self, v: &str) -> String {
        let (o, l) = match self.at.get(v) {
            Some(&ol) => ol,
            None => {
                let o = u32::try_from(self.text.len()).unwrap_or_else(|_| fail("text too long"));
                let l = u16::try_from(v.len()).unwrap_or_else(|_| fail("string too long"));
                self.text.push_str(v);
                self.at.insert(v.to_string(), (o, l));
                (o, l)
            }
        };
        format!("Str({o}, {l})")
    }
    /// Condition keys (of an action or resource type) as a range of `KEY_REFS`.
    fn key_list(&mut self, keys: &[&str]) -> String {
        let start = self.key_ref_count;
        for k in keys {
            let s = self.s(k);
            let _ = write!(self.key_refs, "{s},");
            self.key_ref_count += 1;
        }
        format!("Range({start}, {})", keys.len())
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or_else(|_| fail("table too long"))
}

fn generate(text: &str) -> String {
    let (version, services) = parse(text);
    let mut t = Tables::default();
    let mut out = String::new();
    let _ = writeln!(out, "// generated by build.rs from {CATALOG}; do not edit");
    let _ = writeln!(out, "pub(super) static VERSION: &str = {version:?};");
    let mut service_rows = String::new();
    for s in &services {
        let actions_start = t.action_count;
        for (n, access, types, keys) in &s.actions {
            let name = t.s(n);
            let types_start = count(t.type_refs.len());
            for &i in types {
                t.type_refs
                    .push(u16::try_from(i).unwrap_or_else(|_| fail("resource type index")));
            }
            let key_list = t.key_list(keys);
            let _ = writeln!(
                t.actions,
                "Action {{ name: {name}, access: Access::{access}, resource_types: Range({types_start}, {}), condition_keys: {key_list} }},",
                types.len()
            );
            t.action_count += 1;
        }
        let slots = table(s.actions.iter().map(|a| a.0.to_ascii_lowercase()));
        let slots_start = count(t.slots.len());
        t.slots.extend(&slots);
        let types_start = t.resource_type_count;
        for (n, arn, keys) in &s.resource_types {
            let (name, text) = (t.s(n), t.s(arn));
            let code = shared::encode_arn(arn);
            let code_start = count(t.codes.len());
            t.codes.extend(&code);
            let key_list = t.key_list(keys);
            let _ = writeln!(
                t.resource_types,
                "ResourceType {{ name: {name}, arn: {text}, code: Range({code_start}, {}), condition_keys: {key_list} }},",
                code.len()
            );
            t.resource_type_count += 1;
        }
        let keys_start = t.key_count;
        for (lower, key, ty) in &s.keys {
            let (lower, key, ty) = (t.s(lower), t.s(key), t.s(ty));
            let _ = writeln!(
                t.keys,
                "ConditionKey {{ lower: {lower}, name: {key}, ty: {ty} }},"
            );
            t.key_count += 1;
        }
        let prefixes_start = t.key_prefix_count;
        let fixed: Vec<&str> = s
            .keys
            .iter()
            .filter_map(|(lower, _, _)| lower.find(['<', '$']).map(|i| &lower[..i]))
            .collect();
        for f in &fixed {
            let f = t.s(f);
            let _ = write!(t.key_prefixes, "{f},");
            t.key_prefix_count += 1;
        }
        let (prefix, name) = (t.s(s.prefix), t.s(s.name));
        let _ = writeln!(
            service_rows,
            "Service {{ prefix: {prefix}, name: {name}, actions: Range({actions_start}, {}), action_slots: Range({slots_start}, {}), resource_types: Range({types_start}, {}), condition_keys: Range({keys_start}, {}), key_prefixes: Range({prefixes_start}, {}) }},",
            s.actions.len(),
            slots.len(),
            s.resource_types.len(),
            s.keys.len(),
            fixed.len()
        );
    }
    let _ = writeln!(out, "static TEXT: &str = {:?};", t.text);
    let _ = writeln!(out, "static ARN_CODES: &[u8] = {};", bytes(&t.codes));
    // `static NAME: [TYPE; LEN] = [ROWS];`
    let mut array = |name: &str, ty: &str, len: usize, rows: &str| {
        let _ = writeln!(out, "static {name}: [{ty}; {len}] = [\n{rows}];");
    };
    array("SERVICES", "Service", services.len(), &service_rows);
    array("ACTIONS", "Action", t.action_count as usize, &t.actions);
    array(
        "RESOURCE_TYPES",
        "ResourceType",
        t.resource_type_count as usize,
        &t.resource_types,
    );
    let numbers = |v: &[u16]| v.iter().map(|n| format!("{n},")).collect::<String>();
    array(
        "TYPE_REFS",
        "u16",
        t.type_refs.len(),
        &numbers(&t.type_refs),
    );
    array("KEY_REFS", "Str", t.key_ref_count as usize, &t.key_refs);
    array(
        "CONDITION_KEYS",
        "ConditionKey",
        t.key_count as usize,
        &t.keys,
    );
    array(
        "KEY_PREFIXES",
        "Str",
        t.key_prefix_count as usize,
        &t.key_prefixes,
    );
    array("ACTION_SLOTS", "u16", t.slots.len(), &numbers(&t.slots));
    let slots = table(services.iter().map(|s| s.prefix.to_string()));
    array("SERVICE_SLOTS", "u16", slots.len(), &numbers(&slots));
    out
}

fn bytes(v: &[u8]) -> String {
    let mut s = String::from("b\"");
    for &b in v {
        if b.is_ascii_alphanumeric() || b"${}:/-_.*".contains(&b) {
            s.push(char::from(b));
        } else {
            let _ = write!(s, "\\x{b:02x}");
        }
    }
    s.push('"');
    s
}
