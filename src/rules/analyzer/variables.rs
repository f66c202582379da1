//! POL021: policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`): where IAM
//! replaces them and how they are written.

use super::*;
use crate::model::policy::Statement;
use crate::parse::json::Node;

/// The elements whose string values IAM replaces variables in.
const REPLACED_IN: &[&str] = &["Resource", "NotResource"];
/// The elements where a variable is refused.
const NOT_IN: &[&str] = &[
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Principal",
    "NotPrincipal",
];

/// A problem in one `${...}` of a value: its issue code, its byte range in the value, the
/// message and the help.
struct Problem {
    code: &'static str,
    start: usize,
    end: usize,
    message: String,
    help: &'static str,
}

/// Whether `${name}` names what IAM replaces: a condition key of `aws:` or of a service (not a
/// template's own placeholder, such as Serverless's `${self:custom.x}` or a leftover
/// `${var.x}`, which VAL001's kind).
pub fn is_iam_variable(name: &str) -> bool {
    let name = name.split(',').next().unwrap_or("").trim();
    match name.split_once(':') {
        Some((prefix, rest)) => {
            !rest.is_empty()
                && (prefix.eq_ignore_ascii_case("aws")
                    || prefix.eq_ignore_ascii_case("saml")
                    || prefix.contains('.')
                    || crate::catalog::service(prefix).is_some())
        }
        None => false,
    }
}

/// The variables of a value and the problems of their writing; returns whether the value has
/// a variable IAM replaces.
fn scan(s: &str, problems: &mut Vec<Problem>) -> bool {
    let mut any = false;
    let mut from = 0;
    while let Some(i) = s[from..].find("${").map(|i| i + from) {
        let Some(close) = s[i + 2..].find('}').map(|j| i + 2 + j) else {
            problems.push(Problem {
                code: "MISSING_BRACE_IN_VARIABLE",
                start: i,
                end: s.len(),
                message: "the policy variable is not closed with `}`".into(),
                help: "close the variable: `${aws:username}`",
            });
            return any;
        };
        let inner = &s[i + 2..close];
        from = close + 1;
        any |= is_iam_variable(inner);
        if matches!(inner, "*" | "?" | "$") {
            continue; // the escapes of `*`, `?` and `$`
        }
        if inner.trim().is_empty() {
            problems.push(Problem {
                code: "EMPTY_VARIABLE",
                start: i,
                end: close + 1,
                message: "the policy variable is empty".into(),
                help: "name the key whose value to put here, such as `${aws:username}`",
            });
            continue;
        }
        let (name, default) = match inner.split_once(',') {
            Some((n, d)) => (n, Some(d)),
            None => (inner, None),
        };
        if !is_iam_variable(name) {
            continue; // a template's placeholder: VAL001
        }
        if name.contains(char::is_whitespace) {
            problems.push(Problem {
                code: "UNSUPPORTED_SPACE_IN_VARIABLE",
                start: i,
                end: close + 1,
                message: format!("space in the policy variable `{}`", shown(&s[i..=close])),
                help: "write the key without spaces: `${aws:username}`",
            });
            continue;
        }
        if let Some(d) = default {
            let d = d.trim();
            if !(d.len() >= 2 && d.starts_with('\'') && d.ends_with('\'')) {
                problems.push(Problem {
                    code: "MISSING_QUOTE_IN_VARIABLE",
                    start: i,
                    end: close + 1,
                    message: format!("the default value of `{}` is not in single quotes", shown(&s[i..=close])),
                    help: "write the default value in single quotes: `${aws:PrincipalTag/team, 'none'}`",
                });
            }
        }
    }
    any
}

pub fn check(ctx: &mut Ctx, stmts: &[Statement]) {
    let old_version = match ctx.doc.root.get("Version") {
        None => true,
        Some(v) => v.as_str() == Some("2008-10-17"),
    };
    let mut version_reported = false;
    for stmt in stmts {
        // a statement whose text has no `${` (nor an escape that could write one) has no variable
        let written = ctx
            .source
            .text
            .get(stmt.node.span.start..stmt.node.span.end);
        if written.is_some_and(|t| !t.contains("${") && !t.contains("\\u") && !t.contains('%')) {
            continue;
        }
        let mut values: Vec<(&str, &Node)> = Vec::new();
        for key in REPLACED_IN {
            values.extend(stmt.strings(key));
        }
        for c in stmt.conditions() {
            values.extend(c.values().iter().filter_map(|v| v.as_str().map(|s| (s, v))));
        }
        for (s, node) in values {
            let mut problems = Vec::new();
            let any = scan(s, &mut problems);
            for p in problems {
                report(ctx, node, s, p);
            }
            if any && old_version && !version_reported && !s.contains("${*}") {
                version_reported = true;
                let f = finding(ctx, &POL021, "VARIABLE_UNSUPPORTED_IN_VERSION", node.inner_span(), format!("policy variable in `{}`, but the policy's language version is 2008-10-17", shown(s)))
                    .note("IAM replaces policy variables only under `\"Version\": \"2012-10-17\"`; a missing `Version` means 2008-10-17, where the text stays literal")
                    .help("write `\"Version\": \"2012-10-17\"`");
                ctx.report(f);
            }
        }
        for key in NOT_IN {
            let Some(m) = stmt.member(key) else { continue };
            let mut strings: Vec<&Node> = Vec::new();
            collect_strings(&m.value, &mut strings);
            // each `${` to the next `}`; none after means none for any later `${` either
            let iam_variable = |s: &str| {
                let mut from = 0;
                while let Some(i) = s[from..].find("${").map(|i| i + from) {
                    let Some(j) = s[i + 2..].find('}') else {
                        return false;
                    };
                    if is_iam_variable(&s[i + 2..i + 2 + j]) {
                        return true;
                    }
                    from = i + 2 + j + 1;
                }
                false
            };
            if let Some(node) = strings
                .into_iter()
                .find(|n| n.as_str().is_some_and(iam_variable))
            {
                let s = node.as_str().unwrap_or("");
                let f = finding(ctx, &POL021, "VARIABLE_UNSUPPORTED_IN_ELEMENT", node.inner_span(), format!("policy variable in `{key}`"))
                    .note(format!("IAM replaces policy variables only in `Resource`, `NotResource` and condition values; in `{key}` it refuses `{}`", shown(s)))
                    .help(format!("write the value of `{key}` itself"));
                ctx.report(f);
            }
        }
    }
}

fn collect_strings<'a>(n: &'a Node, out: &mut Vec<&'a Node>) {
    match &n.kind {
        crate::parse::json::Kind::String(_) => out.push(n),
        crate::parse::json::Kind::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        crate::parse::json::Kind::Object(m) => {
            m.iter().for_each(|x| collect_strings(&x.value, out))
        }
        _ => {}
    }
}

fn report(ctx: &mut Ctx, node: &Node, s: &str, p: Problem) {
    let span = ctx
        .source
        .part(node.inner_span(), s, p.start, p.end)
        .unwrap_or(node.inner_span());
    let f = finding(ctx, &POL021, p.code, span, p.message)
        .note("IAM cannot read the variable: the text is not replaced as meant; Access Analyzer reports it as an error")
        .help(p.help);
    ctx.report(f);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(s: &str) -> Vec<&'static str> {
        let mut p = Vec::new();
        scan(s, &mut p);
        p.into_iter().map(|p| p.code).collect()
    }

    #[test]
    fn variable_forms() {
        assert!(codes("arn:aws:s3:::b/${aws:username}/*").is_empty());
        assert!(codes("${aws:PrincipalTag/team, 'none'}").is_empty());
        assert!(codes("a${*}b${?}${$}").is_empty());
        assert_eq!(codes("${aws:username"), ["MISSING_BRACE_IN_VARIABLE"]);
        assert_eq!(codes("${}"), ["EMPTY_VARIABLE"]);
        assert_eq!(codes("${ aws:username}"), ["UNSUPPORTED_SPACE_IN_VARIABLE"]);
        assert_eq!(
            codes("${aws:username, none}"),
            ["MISSING_QUOTE_IN_VARIABLE"]
        );
        assert!(is_iam_variable("aws:PrincipalTag/team, 'none'"));
        assert!(is_iam_variable("s3:prefix"));
        assert!(!is_iam_variable("self:custom.config.masterAccount"));
        assert!(!is_iam_variable("var.account_id"));
    }
}
