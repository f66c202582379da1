//! IAM matching semantics shared by every rule that asks "does this statement apply?":
//! wildcard matching (actions case-insensitive, resources case-sensitive) and condition
//! evaluation against a partly known request, with three-valued results.

pub mod condition;
mod evaluate;
pub mod pattern;

pub use evaluate::{
    evaluate, Decision, Evaluation, Matched, PolicyRef, PolicyType, Principal, RequestContext,
    SimRequest,
};

use crate::model::policy::Statement;

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

/// A request whose context keys are known, unknown or absent (the offline checks' view).
pub trait Request {
    /// `None`: the key is absent; `Some(None)`: present with an unknown value.
    fn context(&self, key: &str) -> Option<Option<Vec<String>>>;
}

struct Partial<'a>(&'a dyn Request);

impl pattern::Vars for Partial<'_> {
    fn var(&self, key: &str) -> Option<Option<String>> {
        self.0
            .context(key)
            .map(|v| v.and_then(|v| v.into_iter().next()))
    }
}

impl condition::Context for Partial<'_> {
    fn lookup(&self, key: &str) -> condition::Lookup {
        match self.0.context(key) {
            None => condition::Lookup::Absent,
            Some(None) => condition::Lookup::Unknown,
            Some(Some(v)) => condition::Lookup::Values(v),
        }
    }
}

/// Evaluate a statement's whole condition block (all entries must hold) against a partly
/// known request.
pub fn conditions(stmt: &Statement, req: &dyn Request) -> Tri {
    let ctx = Partial(req);
    stmt.conditions().iter().fold(Tri::True, |acc, c| {
        acc.and(condition::evaluate(
            c.op(),
            &c.key.key,
            c.values(),
            &ctx,
            true,
        ))
    })
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

#[cfg(test)]
mod glob_tests {
    use super::glob;

    #[test]
    fn fast_paths_agree_with_the_general_matcher() {
        let cases = [
            ("*", "anything", true, true),
            ("s3:Get*", "s3:GetObject", true, true),
            ("s3:get*", "s3:GetObject", true, true),
            ("s3:get*", "s3:GetObject", false, false),
            ("s3:Get*", "s3:Get", true, true),
            ("s3:Get*", "s3:Ge", true, false),
            ("*Object", "s3:GetObject", true, true),
            ("s3:*Obj?ct*", "s3:GetObjectAcl", true, true),
            ("a*b*c", "aXbYc", false, true),
            ("a*b*c", "aXbY", false, false),
            ("arn:aws:s3:::b/é*", "arn:aws:s3:::b/été", false, true),
            ("é*", "e", false, false),
            ("?é", "xé", false, true),
        ];
        for (p, t, ci, want) in cases {
            assert_eq!(glob(p, t, ci), want, "{p} ~ {t} (case-insensitive: {ci})");
        }
    }
}
