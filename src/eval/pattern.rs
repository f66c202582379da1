//! Policy values as IAM reads them: `*` and `?` wildcards (where the element allows them) and
//! policy variables (`${aws:username}`, `${aws:username, 'default'}`, and the escapes `${*}`,
//! `${?}`, `${$}`). A variable's value is always literal text, never a wildcard.

/// One piece of a compiled value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    Lit(char),
    /// `*`: any sequence.
    Star,
    /// `?`: any one character.
    One,
}

/// Where a variable's value comes from.
pub trait Vars {
    /// `None`: the key is absent; `Some(None)`: present but unknown (offline checks).
    fn var(&self, key: &str) -> Option<Option<String>>;
}

/// Why a value could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unresolved {
    /// A variable without a value: the element matches nothing.
    Missing(String),
    /// A variable whose value is not known offline.
    Unknown(String),
}

/// Compile `value`. `wildcards`: `*` and `?` are wildcards (Like operators, ARNs, resources).
/// `variables`: policy variables are replaced (Version 2012-10-17 only).
pub fn compile(
    value: &str,
    wildcards: bool,
    variables: bool,
    vars: &dyn Vars,
) -> Result<Vec<Tok>, Unresolved> {
    let mut out = Vec::with_capacity(value.len());
    let mut rest = value;
    while let Some(c) = rest.chars().next() {
        if variables && rest.starts_with("${") {
            if let Some(end) = rest.find('}') {
                let inner = &rest[2..end];
                rest = &rest[end + 1..];
                match inner {
                    "*" => out.push(Tok::Lit('*')),
                    "?" => out.push(Tok::Lit('?')),
                    "$" => out.push(Tok::Lit('$')),
                    _ => {
                        let (key, default) = match inner.split_once(',') {
                            Some((k, d)) => {
                                (k.trim(), Some(d.trim().trim_matches('\'').to_string()))
                            }
                            None => (inner.trim(), None),
                        };
                        let value = match (vars.var(key), default) {
                            (Some(Some(v)), _) => v,
                            (Some(None), _) => return Err(Unresolved::Unknown(key.to_string())),
                            (None, Some(d)) => d,
                            (None, None) => return Err(Unresolved::Missing(key.to_string())),
                        };
                        out.extend(value.chars().map(Tok::Lit));
                    }
                }
                continue;
            }
        }
        out.push(match c {
            '*' if wildcards => Tok::Star,
            '?' if wildcards => Tok::One,
            c => Tok::Lit(c),
        });
        rest = &rest[c.len_utf8()..];
    }
    Ok(out)
}

/// Does `text` match the compiled pattern?
pub fn matches(pattern: &[Tok], text: &str, case_insensitive: bool) -> bool {
    let t: Vec<char> = text.chars().collect();
    let eq = |a: char, b: char| {
        if case_insensitive {
            a.to_lowercase().eq(b.to_lowercase())
        } else {
            a == b
        }
    };
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match pattern.get(pi) {
            Some(Tok::Star) => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(Tok::One) => {
                pi += 1;
                ti += 1;
            }
            Some(Tok::Lit(c)) if eq(*c, t[ti]) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[pi..].iter().all(|t| *t == Tok::Star)
}

/// Can some text match both `pattern` and `other` (a request value that has wildcards itself)?
pub fn intersects(pattern: &[Tok], other: &[Tok]) -> bool {
    let (n, m) = (pattern.len(), other.len());
    let mut seen = vec![false; (n + 1) * (m + 1)];
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, j)) = stack.pop() {
        let k = i * (m + 1) + j;
        if seen[k] {
            continue;
        }
        seen[k] = true;
        if i == n && j == m {
            return true;
        }
        let (a, b) = (pattern.get(i), other.get(j));
        if a == Some(&Tok::Star) {
            stack.push((i + 1, j));
        }
        if b == Some(&Tok::Star) {
            stack.push((i, j + 1));
        }
        if let (Some(a), Some(b)) = (a, b) {
            let compatible = match (a, b) {
                (Tok::Lit(x), Tok::Lit(y)) => x == y,
                _ => true,
            };
            if compatible {
                stack.push((
                    if *a == Tok::Star { i } else { i + 1 },
                    if *b == Tok::Star { j } else { j + 1 },
                ));
            }
        }
    }
    false
}

/// Split a compiled ARN into its six fields (the resource part keeps its colons).
fn arn_fields(pattern: &[Tok]) -> Vec<&[Tok]> {
    let mut fields: Vec<&[Tok]> = Vec::with_capacity(6);
    let mut start = 0;
    for (i, t) in pattern.iter().enumerate() {
        if fields.len() == 5 {
            break;
        }
        if *t == Tok::Lit(':') {
            fields.push(&pattern[start..i]);
            start = i + 1;
        }
    }
    fields.push(&pattern[start..]);
    fields
}

/// `matches_arn` for a request resource that has wildcards: do the two ARNs overlap?
pub fn intersects_arn(pattern: &[Tok], request: &[Tok]) -> bool {
    if request == [Tok::Star] || pattern == [Tok::Star] {
        return true;
    }
    let (a, b) = (arn_fields(pattern), arn_fields(request));
    a.len() == 6 && b.len() == 6 && a.iter().zip(&b).all(|(x, y)| intersects(x, y))
}

/// The literal text of a compiled value (for exact comparisons).
pub fn literal(pattern: &[Tok]) -> String {
    pattern
        .iter()
        .map(|t| match t {
            Tok::Lit(c) => *c,
            Tok::Star => '*',
            Tok::One => '?',
        })
        .collect()
}

/// ARN matching: the first five fields are compared one by one (a wildcard does not cross a
/// colon there); the resource part matches as a whole.
pub fn matches_arn(pattern: &[Tok], arn: &str) -> bool {
    if pattern.len() == 1 && pattern[0] == Tok::Star {
        return true;
    }
    let fields = arn_fields(pattern);
    let arn_fields: Vec<&str> = arn.splitn(6, ':').collect();
    if fields.len() != 6 || arn_fields.len() != 6 {
        return false;
    }
    fields
        .iter()
        .zip(&arn_fields)
        .all(|(p, a)| matches(p, a, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct V;
    impl Vars for V {
        fn var(&self, key: &str) -> Option<Option<String>> {
            (key == "aws:username").then(|| Some("Bob*".to_string()))
        }
    }

    #[test]
    fn variables_are_literal_and_defaults_apply() {
        let p = compile("test${aws:username}", true, true, &V).unwrap();
        assert!(matches(&p, "testBob*", false));
        assert!(!matches(&p, "testBobTwo", false));
        let d = compile("${aws:PrincipalTag/team, 'none'}", false, true, &V).unwrap();
        assert_eq!(literal(&d), "none");
        assert_eq!(
            compile("${aws:userid}", false, true, &V),
            Err(Unresolved::Missing("aws:userid".into()))
        );
        assert_eq!(literal(&compile("a${*}b", true, true, &V).unwrap()), "a*b");
        assert_eq!(
            literal(&compile("${aws:username}", true, false, &V).unwrap()),
            "${aws:username}"
        );
    }

    #[test]
    fn arns_match_field_by_field() {
        let p = compile("arn:aws:s3:::*", true, false, &V).unwrap();
        assert!(matches_arn(&p, "arn:aws:s3:::bucket/key"));
        let p = compile("arn:???:*:*:*:*", true, false, &V).unwrap();
        assert!(matches_arn(
            &p,
            "arn:aws:ec2:us-east-1:123456789012:instance/i-1"
        ));
        let p = compile("arn:aws:iam::*", true, false, &V).unwrap();
        assert!(!matches_arn(&p, "arn:aws:iam::123456789012:user/bob"));
        assert!(!matches_arn(
            &compile("arn:::bucket-name", true, false, &V).unwrap(),
            "arn:aws:s3:::bucket-name"
        ));
    }
}
