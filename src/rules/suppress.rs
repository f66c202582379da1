//! Suppressions written in a template (CloudFormation `Metadata`, Terraform comments): each
//! silences the named rules for one resource and must say why. One that names no known rule or
//! gives no reason is itself a finding (SUP002) and silences nothing; one that silences nothing
//! is reported (SUP001), so stale suppressions do not pile up.

use super::{names_some, SUP001, SUP002};
use crate::diagnostic::{Finding, Selection};
use crate::iac::Suppression;

declare! {
    family "suppress", "suppressions";
    SUP001 "unused-suppression" Warning aa[] on[Template, Config] fix[];
    SUP002 "invalid-suppression" Error aa[] on[Template, Config] fix[];
}

/// Apply a template's suppressions to its findings. A suppression whose rules are all off is not
/// reported as unused: their checks did not run, so nothing tells whether it silences something.
pub fn apply(
    source_id: usize,
    suppressions: &[Suppression],
    selection: &Selection,
    findings: &mut Vec<Finding>,
) {
    let mut new = Vec::new();
    for s in suppressions {
        let mut valid = true;
        if s.rules.is_empty() {
            valid = false;
            new.push(
                Finding::new(&SUP002, source_id, s.span, "the suppression names no rule")
                    .help("name the rules to silence by code or name, such as `EXP004`"),
            );
        }
        for (entry, span) in &s.rules {
            if !names_some(entry) || entry.eq_ignore_ascii_case("ALL") {
                valid = false;
                let mut f = Finding::new(
                    &SUP002,
                    source_id,
                    *span,
                    format!("`{entry}` is not a finops-lint rule"),
                );
                f = f.help(super::unknown_rule_help(entry));
                new.push(f);
            }
        }
        if s.reason.is_none() {
            valid = false;
            new.push(
                Finding::new(&SUP002, source_id, s.span, "the suppression gives no reason")
                    .note("a suppression without a reason silences nothing: the next reader cannot tell a deliberate exception from a mistake")
                    .help("say why the rule does not apply to this resource"),
            );
        }
        if !valid {
            continue;
        }
        let before = findings.len();
        findings.retain(|f| {
            let inside = s.scope.start <= f.span.start && f.span.end <= s.scope.end;
            !(f.source == source_id && inside && s.rules.iter().any(|(e, _)| f.rule.named_by(e)))
        });
        let all_off = s.rules.iter().all(|(e, _)| {
            super::ALL
                .iter()
                .filter(|r| r.named_by(e))
                .all(|r| !selection.on(r))
        });
        if findings.len() == before && !all_off {
            let names: Vec<String> = s.rules.iter().map(|(e, _)| format!("`{e}`")).collect();
            new.push(
                Finding::new(
                    &SUP001,
                    source_id,
                    s.span,
                    format!("the suppression of {} silences nothing", names.join(", ")),
                )
                .note("the rule no longer reports anything on this resource")
                .help("remove the suppression"),
            );
        }
    }
    findings.append(&mut new);
}
