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
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    // one look at the pattern: its first and last `*`, and whether it has a `?`
    let (mut first_star, mut last_star, mut question) = (None, 0, false);
    for (i, &c) in p.iter().enumerate() {
        if c == b'*' {
            first_star.get_or_insert(i);
            last_star = i;
        }
        question |= c == b'?';
    }
    let eq_bytes = |a: &[u8], b: &[u8]| {
        if case_insensitive {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    let Some(first_star) = first_star.filter(|_| !question) else {
        if !question {
            // no wildcard
            return eq_bytes(p, t);
        }
        return glob_general(p, t, case_insensitive);
    };
    // only `*` (`s3:Get*`, `*`, `arn:aws:s3:::b/*`, `*Object`, the usual forms): the literal
    // runs between them, the first at the start, the last at the end and each other one at
    // its leftmost place after the one before (leftmost is never worse for what follows)
    let (first, last) = (&p[..first_star], &p[last_star + 1..]);
    if t.len() < first.len() + last.len()
        || !eq_bytes(first, &t[..first.len()])
        || !eq_bytes(last, &t[t.len() - last.len()..])
    {
        return false;
    }
    let mut rest = &t[first.len()..t.len() - last.len()];
    if first_star < last_star {
        for run in p[first_star + 1..last_star].split(|&c| c == b'*') {
            if run.is_empty() {
                continue;
            }
            // case-sensitive: a search in linear time, whatever the run and the text
            let found = if case_insensitive {
                rest.windows(run.len()).position(|w| eq_bytes(w, run))
            } else {
                memchr::memmem::find(rest, run)
            };
            match found {
                Some(at) => rest = &rest[at + run.len()..],
                None => return false,
            }
        }
    }
    true
}

/// [`glob`] for a pattern with `?`.
fn glob_general(p: &[u8], t: &[u8], case_insensitive: bool) -> bool {
    // a literal first or last character must be the text's (its last byte then is too)
    let literal = |c: u8| c != b'*' && c != b'?';
    let differ = |a: Option<&u8>, b: Option<&u8>| match (a, b) {
        (Some(&a), Some(&b)) => {
            literal(a) && !(a == b || (case_insensitive && a.eq_ignore_ascii_case(&b)))
        }
        (Some(&a), None) => literal(a),
        _ => false,
    };
    if differ(p.first(), t.first()) || differ(p.last(), t.last()) {
        return false;
    }
    // Over bytes: a literal character of the pattern matches the text's character when their
    // bytes do (UTF-8), and only ASCII letters fold; `?` takes one whole character and a
    // retried `*` gives up one whole character.
    let eq = |a: u8, b: u8| a == b || (case_insensitive && a.eq_ignore_ascii_case(&b));
    let char_len = |at: usize| match t.get(at) {
        Some(&b) if b >= 0xf0 => 4,
        Some(&b) if b >= 0xe0 => 3,
        Some(&b) if b >= 0xc0 => 2,
        _ => 1,
    };
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(b'?') => {
                pi += 1;
                ti += char_len(ti);
            }
            Some(&c) if eq(c, t[ti]) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    let next = st + char_len(st);
                    pi = sp + 1;
                    ti = next;
                    star = Some((sp, next));
                }
                None => return false,
            },
        }
    }
    p[pi.min(p.len())..].iter().all(|&c| c == b'*')
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
