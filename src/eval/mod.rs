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

pub use crate::glob::glob;

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

    /// The meaning of a wildcard pattern, written the slow and obvious way: over characters,
    /// by recursion.
    fn reference(p: &[char], t: &[char], ci: bool) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len()).any(|k| reference(rest, &t[k..], ci)),
            Some((&c, rest)) => t.split_first().is_some_and(|(&tc, trest)| {
                (c == '?' || c == tc || (ci && c.eq_ignore_ascii_case(&tc)))
                    && reference(rest, trest, ci)
            }),
        }
    }

    #[test]
    fn the_byte_matcher_agrees_with_the_character_reference() {
        // every pattern and text of up to 4 characters over an alphabet with a letter in two
        // cases, a two-byte, a three-byte and a four-byte character, and the wildcards
        let alphabet = ['a', 'A', 'é', 'É', '€', '𝄞', '*', '?'];
        let mut words = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = words
                .iter()
                .filter(|w| w.chars().count() == words.last().map_or(0, |l| l.chars().count()))
                .flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}")))
                .collect();
            words.extend(longer);
        }
        let texts: Vec<&String> = words.iter().filter(|w| !w.contains(['*', '?'])).collect();
        let mut n = 0;
        for p in words.iter().filter(|w| w.chars().count() <= 3) {
            let pc: Vec<char> = p.chars().collect();
            for t in &texts {
                let tc: Vec<char> = t.chars().collect();
                for ci in [false, true] {
                    assert_eq!(glob(p, t, ci), reference(&pc, &tc, ci), "{p} ~ {t} ({ci})");
                    n += 1;
                }
            }
        }
        assert!(n > 1_000_000, "{n}");
        // longer patterns with several stars against longer texts
        let pieces = ["*", "a", "ab", "é", "?", "b*"];
        let mut patterns = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = patterns
                .iter()
                .flat_map(|w| pieces.iter().map(move |p| format!("{w}{p}")))
                .collect();
            patterns.extend(longer);
        }
        let mut texts = vec![String::new()];
        for _ in 0..6 {
            let longer: Vec<String> = texts
                .iter()
                .filter(|t| t.chars().count() == texts.last().map_or(0, |l| l.chars().count()))
                .flat_map(|t| ['a', 'B', 'é'].into_iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
        }
        for p in &patterns {
            let pc: Vec<char> = p.chars().collect();
            for t in &texts {
                let tc: Vec<char> = t.chars().collect();
                assert_eq!(glob(p, t, true), reference(&pc, &tc, true), "{p} ~ {t}");
            }
        }
    }
}
