//! A read-only view of a policy document: statements and their elements, each with its span.

use crate::parse::json::{Member, Node};

pub const TOP_ELEMENTS: &[&str] = &["Version", "Id", "Statement"];
pub const STATEMENT_ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

#[derive(Debug)]
pub struct Statement<'a> {
    pub node: &'a Node,
    /// 0-based position in the `Statement` array.
    pub index: usize,
}

impl<'a> Statement<'a> {
    pub fn member(&self, key: &str) -> Option<&'a Member> {
        self.node.member(key)
    }
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.node.get(key)
    }
    pub fn sid(&self) -> Option<&'a str> {
        self.get("Sid").and_then(Node::as_str)
    }
    /// How messages name the statement: its Sid, or its position.
    pub fn label(&self) -> String {
        match self.sid() {
            Some(s) if !s.is_empty() => format!("statement `{s}`"),
            _ => format!("statement #{}", self.index + 1),
        }
    }
    pub fn effect(&self) -> Option<&'a str> {
        self.get("Effect").and_then(Node::as_str)
    }
    pub fn is_allow(&self) -> bool {
        self.effect() == Some("Allow")
    }
    pub fn is_deny(&self) -> bool {
        self.effect() == Some("Deny")
    }
    /// The string values of a string-or-array element, with their nodes.
    pub fn strings(&self, key: &str) -> Vec<(&'a str, &'a Node)> {
        self.get(key)
            .map(|n| {
                n.one_or_many()
                    .iter()
                    .filter_map(|v| v.as_str().map(|s| (s, v)))
                    .collect()
            })
            .unwrap_or_default()
    }
    /// `(operator, key, values)` for each entry of the condition block.
    pub fn conditions(&self) -> Vec<Condition<'a>> {
        let mut out = Vec::new();
        let Some(block) = self.get("Condition").and_then(Node::as_object) else {
            return out;
        };
        for op in block {
            for key in op.value.as_object().unwrap_or(&[]) {
                out.push(Condition { operator: op, key });
            }
        }
        out
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Condition<'a> {
    pub operator: &'a Member,
    pub key: &'a Member,
}

impl<'a> Condition<'a> {
    pub fn op(&self) -> &'a str {
        &self.operator.key
    }
    /// The operator without `ForAllValues:`/`ForAnyValue:` and `IfExists`.
    pub fn base_op(&self) -> &'a str {
        base_operator(&self.operator.key)
    }
    pub fn key_is(&self, name: &str) -> bool {
        self.key.key.eq_ignore_ascii_case(name)
    }
    pub fn values(&self) -> &'a [Node] {
        self.key.value.one_or_many()
    }
}

/// How a condition operator is written: its set qualifier, its base and `IfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator<'a> {
    /// `ForAllValues` or `ForAnyValue`.
    pub qualifier: Option<&'static str>,
    pub base: &'a str,
    pub if_exists: bool,
}

impl Operator<'_> {
    /// The qualifier as written before the base, with its colon (`ForAllValues:`), or "".
    pub fn prefix(&self) -> &'static str {
        match self.qualifier {
            Some("ForAllValues") => "ForAllValues:",
            Some(_) => "ForAnyValue:",
            None => "",
        }
    }
}

/// Split an operator as written (`ForAllValues:StringLikeIfExists`) into its parts.
pub fn operator(op: &str) -> Operator<'_> {
    let (qualifier, rest) = if let Some(r) = op.strip_prefix("ForAllValues:") {
        (Some("ForAllValues"), r)
    } else if let Some(r) = op.strip_prefix("ForAnyValue:") {
        (Some("ForAnyValue"), r)
    } else {
        (None, op)
    };
    let (base, if_exists) = match rest.strip_suffix("IfExists") {
        Some(b) => (b, true),
        None => (rest, false),
    };
    Operator {
        qualifier,
        base,
        if_exists,
    }
}

/// The operator without `ForAllValues:`/`ForAnyValue:` and `IfExists`.
pub fn base_operator(op: &str) -> &str {
    operator(op).base
}

/// The statements of a policy (objects only; others are reported by the grammar rules).
pub fn statements(root: &Node) -> Vec<Statement<'_>> {
    root.get("Statement")
        .map(|s| {
            s.one_or_many()
                .iter()
                .enumerate()
                .filter(|(_, n)| n.as_object().is_some())
                .map(|(index, node)| Statement { node, index })
                .collect()
        })
        .unwrap_or_default()
}
