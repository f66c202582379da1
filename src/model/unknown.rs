//! Values a template does not determine ([`Kind::Unknown`]) must never cause a false alarm.
//!
//! Two tools do that. Findings whose primary span lies inside an unknown value are dropped
//! ([`unknown_spans`], [`inside`]): they can only be about what the tool cannot see. And the
//! checks that reason about what a policy grants (the delivery rules, the requirement checks)
//! read an *optimistic* copy ([`optimistic`]): an unknown value in an `Allow` statement is
//! taken to grant what it may grant, and a `Deny` statement that holds an unknown value is left
//! out, since it cannot be shown to deny anything.

use crate::parse::json::{Kind, Member, Node};
use crate::source::Span;

/// The spans of every unknown value in `node`.
pub fn unknown_spans(node: &Node) -> Vec<Span> {
    let mut out = Vec::new();
    collect(node, &mut out);
    out
}

fn collect(node: &Node, out: &mut Vec<Span>) {
    match &node.kind {
        Kind::Unknown(_) => out.push(node.span),
        Kind::Array(a) => a.iter().for_each(|n| collect(n, out)),
        Kind::Object(m) => m.iter().for_each(|m| collect(&m.value, out)),
        _ => {}
    }
}

/// Whether `span` lies inside one of `unknown`.
pub fn inside(span: Span, unknown: &[Span]) -> bool {
    unknown
        .iter()
        .any(|u| u.start <= span.start && span.end <= u.end)
}

/// The policy as the checks of what it grants should read it. `None` when nothing is unknown.
pub fn optimistic(root: &Node) -> Option<Node> {
    if !root.has_unknown() {
        return None;
    }
    let mut copy = root.clone();
    let Kind::Object(members) = &mut copy.kind else {
        return Some(copy);
    };
    for m in members.iter_mut().filter(|m| m.key == "Statement") {
        match &mut m.value.kind {
            Kind::Array(items) => {
                items.retain(|s| !drop_statement(s));
                items.iter_mut().for_each(allow_statement);
            }
            Kind::Object(_) => {
                if drop_statement(&m.value) {
                    m.value.kind = Kind::Array(Vec::new());
                } else {
                    allow_statement(&mut m.value);
                }
            }
            Kind::Unknown(_) => m.value.kind = Kind::Array(Vec::new()),
            _ => {}
        }
    }
    Some(copy)
}

/// A statement that is not a known `Allow` and holds an unknown value.
fn drop_statement(stmt: &Node) -> bool {
    let allow = stmt.get("Effect").and_then(Node::as_str) == Some("Allow");
    stmt.has_unknown() && !allow
}

/// In an `Allow` statement: unknown actions, resources and principals match everything, an
/// unknown value of a `Not*` element excludes nothing, and a condition that holds an unknown
/// value is taken as met.
fn allow_statement(stmt: &mut Node) {
    let Kind::Object(members) = &mut stmt.kind else {
        return;
    };
    for m in members.iter_mut() {
        match m.key.as_str() {
            "Action" | "Resource" => widen(&mut m.value),
            "Principal" if m.value.has_unknown() => m.value.kind = Kind::String("*".into()),
            "NotAction" | "NotResource" | "NotPrincipal" => drop_unknown(&mut m.value),
            "Condition" => {
                if let Kind::Object(ops) = &mut m.value.kind {
                    for op in ops.iter_mut() {
                        if let Kind::Object(keys) = &mut op.value.kind {
                            keys.retain(|k: &Member| !k.value.has_unknown());
                        } else if op.value.is_unknown() {
                            op.value.kind = Kind::Object(Vec::new());
                        }
                    }
                } else if m.value.is_unknown() {
                    m.value.kind = Kind::Object(Vec::new());
                }
            }
            _ => {}
        }
    }
}

fn widen(node: &mut Node) {
    match &mut node.kind {
        Kind::Unknown(_) => node.kind = Kind::String("*".into()),
        Kind::Array(items) => {
            for i in items.iter_mut().filter(|i| i.is_unknown()) {
                i.kind = Kind::String("*".into());
            }
        }
        _ => {}
    }
}

fn drop_unknown(node: &mut Node) {
    match &mut node.kind {
        Kind::Unknown(_) => node.kind = Kind::Array(Vec::new()),
        Kind::Array(items) => items.retain(|i| !i.is_unknown()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::json::parse_file;

    fn unknown_at(root: &mut Node, path: &[&str]) {
        let mut n = root;
        for p in path {
            n = match &mut n.kind {
                Kind::Object(m) => &mut m.iter_mut().find(|m| m.key == *p).unwrap().value,
                Kind::Array(a) => &mut a[p.parse::<usize>().unwrap()],
                _ => panic!("no {p}"),
            };
        }
        n.kind = Kind::Unknown("!Ref X".into());
    }

    #[test]
    fn allow_widens_and_deny_with_unknown_is_dropped() {
        let text = r#"{"Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b/*", "x"],
             "Condition": {"StringEquals": {"aws:SourceAccount": "1", "aws:SourceArn": "2"}}},
            {"Effect": "Deny", "Action": "s3:*", "Resource": "r"},
            {"Effect": "Deny", "Action": "s3:*", "Resource": "y"}]}"#;
        let mut root = parse_file(text, None).root.unwrap();
        unknown_at(&mut root, &["Statement", "0", "Resource", "1"]);
        unknown_at(
            &mut root,
            &[
                "Statement",
                "0",
                "Condition",
                "StringEquals",
                "aws:SourceArn",
            ],
        );
        unknown_at(&mut root, &["Statement", "2", "Resource"]);
        assert_eq!(unknown_spans(&root).len(), 3);
        let o = optimistic(&root).unwrap();
        let st = o.get("Statement").unwrap().as_array().unwrap();
        assert_eq!(st.len(), 2, "the Deny with an unknown resource is left out");
        let res = st[0].get("Resource").unwrap().as_array().unwrap();
        assert_eq!(res[1].as_str(), Some("*"));
        let cond = st[0].get("Condition").unwrap().get("StringEquals").unwrap();
        assert!(cond.get("aws:SourceAccount").is_some());
        assert!(cond.get("aws:SourceArn").is_none());
        assert_eq!(st[1].get("Resource").unwrap().as_str(), Some("r"));
        assert!(optimistic(&parse_file(text, None).root.unwrap()).is_none());
    }
}
