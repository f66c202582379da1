//! Terraform plans as `terraform show -json` prints them: the planned values of every module,
//! with the attributes known only after apply (`after_unknown`) read as unknown values. New
//! fields are ignored; a resource that cannot be read never stops the others.

use super::{terraform_resource, unknown, Template, TfResource};
use crate::parse::json::{Kind, Member, Node};

/// Whether a parsed JSON document is a Terraform plan (or state) in JSON.
pub fn is_plan(root: &Node) -> bool {
    root.get("format_version").is_some()
        && (root.get("planned_values").is_some()
            || root.get("resource_changes").is_some()
            || root.get("values").is_some())
}

/// Collect the resources of a module and its children.
fn resources<'a>(module: &'a Node, out: &mut Vec<&'a Node>, depth: usize) {
    if depth > 64 {
        return;
    }
    out.extend(
        module
            .get("resources")
            .and_then(Node::as_array)
            .unwrap_or(&[]),
    );
    for child in module
        .get("child_modules")
        .and_then(Node::as_array)
        .unwrap_or(&[])
    {
        resources(child, out, depth + 1);
    }
}

/// `values` with the attributes `after_unknown` marks unknown added as unknown values.
fn merge_unknown(text: &str, values: &Node, after_unknown: Option<&Node>) -> Node {
    let Some(au) = after_unknown else {
        return values.clone();
    };
    match (&values.kind, &au.kind) {
        (_, Kind::Bool(true)) => unknown(text, values.span),
        (Kind::Object(members), Kind::Object(flags)) => {
            let mut out: Vec<Member> = members
                .iter()
                .map(|m| Member {
                    key: m.key.clone(),
                    key_span: m.key_span,
                    value: merge_unknown(text, &m.value, au.get(&m.key)),
                })
                .collect();
            for f in flags {
                let absent = out
                    .iter()
                    .find(|m| m.key == f.key)
                    .is_none_or(|m| matches!(m.value.kind, Kind::Null));
                if absent && matches!(f.value.kind, Kind::Bool(true)) {
                    out.retain(|m| m.key != f.key);
                    out.push(Member {
                        key: f.key.clone(),
                        key_span: f.key_span,
                        value: unknown(text, f.value.span),
                    });
                }
            }
            Node {
                kind: Kind::Object(out),
                ..values.clone()
            }
        }
        (Kind::Array(items), Kind::Array(flags)) => Node {
            kind: Kind::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, n)| merge_unknown(text, n, flags.get(i)))
                    .collect(),
            ),
            ..values.clone()
        },
        _ => values.clone(),
    }
}

pub fn extract(text: &str, root: &Node) -> Template {
    let mut t = Template {
        format: "Terraform plan",
        ..Default::default()
    };
    let mut list = Vec::new();
    if let Some(m) = root
        .get("planned_values")
        .and_then(|p| p.get("root_module"))
    {
        resources(m, &mut list, 0);
    } else if let Some(m) = root.get("values").and_then(|p| p.get("root_module")) {
        // `terraform show -json` of a state
        resources(m, &mut list, 0);
    }
    let changes: Vec<&Node> = root
        .get("resource_changes")
        .and_then(Node::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let mut seen = Vec::new();
    for r in &list {
        if r.get("mode").and_then(Node::as_str) == Some("data") {
            continue;
        }
        let (Some(ty), Some(address), Some(values)) = (
            r.get("type").and_then(Node::as_str),
            r.get("address").and_then(Node::as_str),
            r.get("values"),
        ) else {
            continue;
        };
        let change = changes
            .iter()
            .find(|c| c.get("address").and_then(Node::as_str) == Some(address))
            .and_then(|c| c.get("change"));
        let values = merge_unknown(text, values, change.and_then(|c| c.get("after_unknown")));
        let at = r.member("type").map(|m| m.value.span).unwrap_or(r.span);
        let res = TfResource {
            ty,
            address,
            values: &values,
            scope: r.span,
            at,
        };
        terraform_resource(text, &res, true, &mut t);
        seen.push(address.to_string());
    }
    // resources only in `resource_changes` (a plan without planned values)
    for c in changes {
        let (Some(ty), Some(address), Some(after)) = (
            c.get("type").and_then(Node::as_str),
            c.get("address").and_then(Node::as_str),
            c.get("change").and_then(|ch| ch.get("after")),
        ) else {
            continue;
        };
        if seen.iter().any(|s| s == address) || after.as_object().is_none() {
            continue;
        }
        let values = merge_unknown(
            text,
            after,
            c.get("change").and_then(|ch| ch.get("after_unknown")),
        );
        let at = c.member("type").map(|m| m.value.span).unwrap_or(c.span);
        let res = TfResource {
            ty,
            address,
            values: &values,
            scope: c.span,
            at,
        };
        terraform_resource(text, &res, true, &mut t);
    }
    t
}
