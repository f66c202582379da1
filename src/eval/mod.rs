//! IAM matching semantics shared by every rule that asks "does this statement apply?":
//! wildcard matching (actions case-insensitive, resources case-sensitive) and condition
//! evaluation against a partly known request, with three-valued results.

use crate::model::policy::{Condition, Statement};
use crate::parse::json::{Kind, Node};

/// `*` matches any sequence, `?` any single character. No allocation: it runs on hot paths.
pub fn glob(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    if !pattern.contains(['*', '?']) {
        return if case_insensitive {
            pattern.eq_ignore_ascii_case(text)
        } else {
            pattern == text
        };
    }
    let eq = |a: char, b: char| {
        if case_insensitive {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let p: &str = pattern;
    let t: &str = text;
    // (byte index into p, byte index into t)
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        let tc = t[ti..].chars().next().unwrap_or_default();
        let pc = p[pi..].chars().next();
        match pc {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if c == '?' || eq(c, tc) => {
                pi += c.len_utf8();
                ti += tc.len_utf8();
            }
            _ => match star {
                Some((sp, st)) => {
                    let next = st + t[st..].chars().next().map_or(1, char::len_utf8);
                    pi = sp + 1;
                    ti = next;
                    star = Some((sp, next));
                }
                None => return false,
            },
        }
    }
    p[pi..].bytes().all(|c| c == b'*')
}

/// Three-valued truth: conditions can depend on request values we do not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    True,
    False,
    Unknown,
}

impl Tri {
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }
}

/// Does the statement's Action/NotAction cover `action`?
pub fn covers_action(stmt: &Statement, action: &str) -> bool {
    if stmt.get("Action").is_some() {
        stmt.strings("Action")
            .iter()
            .any(|(p, _)| glob(p, action, true))
    } else if stmt.get("NotAction").is_some() {
        !stmt
            .strings("NotAction")
            .iter()
            .any(|(p, _)| glob(p, action, true))
    } else {
        false
    }
}

/// Does the statement's Resource/NotResource cover `arn`?
pub fn covers_resource(stmt: &Statement, arn: &str) -> bool {
    if stmt.get("Resource").is_some() {
        stmt.strings("Resource")
            .iter()
            .any(|(p, _)| glob(p, arn, false))
    } else if stmt.get("NotResource").is_some() {
        !stmt
            .strings("NotResource")
            .iter()
            .any(|(p, _)| glob(p, arn, false))
    } else {
        false
    }
}

/// A request whose context keys are known, unknown or absent.
pub trait Request {
    /// `None`: the key is absent; `Some(None)`: present with an unknown value.
    fn context(&self, key: &str) -> Option<Option<Vec<String>>>;
}

fn negated(base: &str) -> bool {
    base.starts_with("StringNot")
        || base.starts_with("ArnNot")
        || base == "NotIpAddress"
        || base == "NumericNotEquals"
        || base == "DateNotEquals"
}

fn value_text(n: &Node) -> Option<String> {
    match &n.kind {
        Kind::String(s) => Some(s.clone()),
        Kind::Number(s) => Some(s.clone()),
        Kind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Evaluate one condition entry.
pub fn condition(cond: &Condition, req: &dyn Request) -> Tri {
    let op = cond.op();
    let base = cond.base_op();
    let if_exists = op.ends_with("IfExists");
    let wanted: Vec<String> = cond.values().iter().filter_map(value_text).collect();
    let Some(present) = req.context(&cond.key.key) else {
        // The key is absent from the request.
        if base == "Null" {
            return if wanted.iter().any(|w| w.eq_ignore_ascii_case("true")) {
                Tri::True
            } else {
                Tri::False
            };
        }
        if if_exists || negated(base) {
            return Tri::True;
        }
        return Tri::False;
    };
    if base == "Null" {
        return if wanted.iter().any(|w| w.eq_ignore_ascii_case("false")) {
            Tri::True
        } else {
            Tri::False
        };
    }
    let Some(actual) = present else {
        return Tri::Unknown;
    };
    let any =
        |f: &dyn Fn(&str, &str) -> bool| actual.iter().any(|a| wanted.iter().any(|w| f(w, a)));
    let result = match base {
        "StringEquals" => any(&|w, a| w == a),
        "StringNotEquals" => !any(&|w, a| w == a),
        "StringEqualsIgnoreCase" => any(&|w, a| w.eq_ignore_ascii_case(a)),
        "StringNotEqualsIgnoreCase" => !any(&|w, a| w.eq_ignore_ascii_case(a)),
        "StringLike" => any(&|w, a| glob(w, a, false)),
        "StringNotLike" => !any(&|w, a| glob(w, a, false)),
        "ArnEquals" | "ArnLike" => any(&|w, a| glob(w, a, false)),
        "ArnNotEquals" | "ArnNotLike" => !any(&|w, a| glob(w, a, false)),
        "Bool" => any(&|w, a| w.eq_ignore_ascii_case(a)),
        _ => return Tri::Unknown,
    };
    if result {
        Tri::True
    } else {
        Tri::False
    }
}

/// Evaluate a statement's whole condition block (all entries must hold).
pub fn conditions(stmt: &Statement, req: &dyn Request) -> Tri {
    stmt.conditions()
        .iter()
        .fold(Tri::True, |acc, c| acc.and(condition(c, req)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_semantics() {
        assert!(glob("arn:aws:s3:::b/*", "arn:aws:s3:::b/reports/x", false));
        assert!(!glob("arn:aws:s3:::b/*", "arn:aws:s3:::b", false));
        assert!(glob("s3:Get*", "s3:getobject", true));
        assert!(!glob("s3:Get*", "s3:getobject", false));
        assert!(glob("a?c", "abc", false));
        assert!(glob("*", "", false));
        assert!(!glob("a*b", "acbd", false));
    }
}
