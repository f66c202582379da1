//! Rules as units: the registry derived from the families' declarations, the declared document
//! kinds and fix applicabilities checked against what the rules report on their fixtures, and a
//! rule selected off not run without changing any other rule's findings.

mod common;

use common::{documents, options};
use finops_lint::diagnostic::{Applicability, Applies, FileReport};
use finops_lint::model::CostDoc;
use finops_lint::rules::{self, Family, FAMILIES, GROUPS};
use finops_lint::{Linter, Rule, RunResult};
use std::collections::{BTreeMap, BTreeSet};

#[test]
fn the_registry_is_every_declared_rule_once_in_group_order() {
    let declared: Vec<&Rule> = FAMILIES
        .iter()
        .flat_map(|f| f.rules.iter().copied())
        .collect();
    assert_eq!(declared.len(), rules::ALL.len());
    let codes: BTreeSet<&str> = declared.iter().map(|r| r.code).collect();
    assert_eq!(codes.len(), declared.len(), "a code is declared twice");
    let names: BTreeSet<&str> = declared.iter().map(|r| r.name).collect();
    assert_eq!(names.len(), declared.len(), "a name is declared twice");
    for r in rules::ALL.iter() {
        assert!(
            rules::group_rank(r.code) < GROUPS.len(),
            "{}: its group is not in rules::GROUPS",
            r.code
        );
        assert!(!r.applies_to.is_empty(), "{}: it reads no document", r.code);
        let home: Vec<&&Family> = FAMILIES
            .iter()
            .filter(|f| f.rules.iter().any(|x| std::ptr::eq(*x, *r)))
            .collect();
        assert_eq!(home.len(), 1, "{} is in {} families", r.code, home.len());
    }
    let keys: Vec<(usize, &str)> = rules::ALL
        .iter()
        .map(|r| (rules::group_rank(r.code), r.code))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    // the order users know: the syntax first, the run's own findings last
    assert_eq!(rules::ALL.first().unwrap().code, "JSON001");
    assert_eq!(rules::ALL.last().unwrap().code, "IO002");
}

/// The fixtures of every rule, linted through the library: (fixture path, result).
fn fixture_runs(config: Option<&str>) -> Vec<(String, RunResult)> {
    let mut out = Vec::new();
    let mut refused = Vec::new();
    for fixture in common::rule_fixtures() {
        let Some(docs) = documents(&fixture.path) else {
            // the library reads no file system: only IO001's unreadable fixtures are left out
            assert_eq!(
                fixture.rule.code, "IO001",
                "{} cannot be read",
                fixture.path
            );
            continue;
        };
        let own = finops_lint::config::discover(&fixture.folder).and_then(Result::ok);
        let mut linter = Linter::new(options(&fixture.args));
        match (&own, config) {
            (Some(found), None) => {
                let text = std::fs::read_to_string(found).unwrap();
                linter = linter.config(&found.to_string_lossy(), &text);
            }
            // a fixture with a configuration of its own keeps it
            (Some(_), Some(_)) => continue,
            (None, Some(text)) => linter = linter.config("finops-lint.toml", text),
            (None, None) => {}
        }
        match linter.lint(docs.iter().map(|(n, b)| (n.as_str(), b.as_slice()))) {
            Ok(result) => out.push((fixture.path, result)),
            // a run the command line refuses too (exit 2): tests/library.rs compares the two
            Err(e) => refused.push(format!("{}: {e}", fixture.path)),
        }
    }
    // the runs left out are few and named, never a silent gap
    assert!(refused.len() <= 3, "refused: {refused:#?}");
    out
}

/// The kinds of document a checked file holds.
fn kinds_of(report: &FileReport) -> BTreeSet<Applies> {
    let mut kinds = BTreeSet::from([Applies::Text]);
    let described = report.kind.as_deref().unwrap_or("");
    if described.contains("policy") || !report.docs.is_empty() {
        kinds.insert(Applies::Policy);
    }
    if [
        "CloudFormation template",
        "Terraform configuration",
        "Terraform plan",
    ]
    .iter()
    .any(|t| described.starts_with(t))
    {
        kinds.extend([
            Applies::Template,
            Applies::Policy,
            Applies::Export,
            Applies::Report,
        ]);
    }
    if described == "finops-lint configuration" {
        kinds.insert(Applies::Config);
    }
    for c in &report.costs {
        kinds.insert(match c {
            CostDoc::Export { .. } | CostDoc::ExportList { .. } => Applies::Export,
            CostDoc::Reports { .. } => Applies::Report,
            CostDoc::Connection { .. } => Applies::Connection,
            CostDoc::Delivered { .. } => Applies::Listing,
            CostDoc::Simulation { .. } => Applies::Simulation,
            CostDoc::CallerIdentity { .. } | CostDoc::AuditError { .. } => Applies::Audit,
        });
    }
    kinds
}

#[test]
fn the_declared_kinds_and_fixes_are_what_the_rules_report() {
    let runs = fixture_runs(None);
    assert!(runs.len() > 300, "{} fixtures", runs.len());
    let mut seen: BTreeMap<&str, BTreeSet<Applicability>> = BTreeMap::new();
    let mut findings = 0;
    for (path, result) in &runs {
        for report in &result.reports {
            let kinds = kinds_of(report);
            for f in &report.findings {
                findings += 1;
                let rule = f.rule;
                assert!(
                    rule.applies_to.contains(&Applies::Run)
                        || rule.applies_to.iter().any(|k| kinds.contains(k)),
                    "{path}: {} reported in a file of kinds {kinds:?}, but it declares {:?}",
                    rule.code,
                    rule.applies_to
                );
                if let Some(fix) = &f.fix {
                    assert!(
                        rule.fixes.contains(&fix.applicability),
                        "{path}: {} offers a {} fix, but declares {:?}",
                        rule.code,
                        fix.applicability.as_str(),
                        rule.fixes
                    );
                    seen.entry(rule.code).or_default().insert(fix.applicability);
                }
            }
        }
    }
    assert!(findings > 300, "{findings} findings");
    // every fix a rule declares is shown by one of its fixtures
    for r in rules::ALL.iter() {
        let shown = seen.get(r.code).cloned().unwrap_or_default();
        let declared: BTreeSet<Applicability> = r.fixes.iter().copied().collect();
        assert_eq!(shown, declared, "{}: the fixes its fixtures show", r.code);
    }
}

/// (file, rule, place, message) of every finding.
fn keys(runs: &[(String, RunResult)]) -> BTreeSet<(String, &'static str, usize, usize, String)> {
    runs.iter()
        .flat_map(|(path, r)| {
            r.reports.iter().flat_map(move |rep| {
                rep.findings.iter().map(move |f| {
                    (
                        path.clone(),
                        f.rule.code,
                        f.span.start,
                        f.span.end,
                        f.message.clone(),
                    )
                })
            })
        })
        .collect()
}

#[test]
fn a_family_selected_off_takes_only_its_own_findings_away() {
    let all = keys(&fixture_runs(Some("[rules]\nselect = [\"ALL\"]\n")));
    assert!(all.len() > 300, "{} findings", all.len());
    for family in FAMILIES {
        let mut config = String::from("[rules.severity]\n");
        for r in family.rules {
            config.push_str(&format!("{} = \"off\"\n", r.code));
        }
        let off = keys(&fixture_runs(Some(&config)));
        let ours = |code: &str| family.rules.iter().any(|r| r.code == code);
        let expected: BTreeSet<_> = all.iter().filter(|k| !ours(k.1)).cloned().collect();
        // a suppression of rules that are off is not said to silence nothing (SUP001): their
        // checks did not run
        let gone: Vec<_> = expected
            .difference(&off)
            .filter(|k| {
                !(k.1 == "SUP001"
                    && family
                        .rules
                        .iter()
                        .any(|r| k.4.contains(&format!("`{}`", r.code))))
            })
            .collect();
        let extra: Vec<_> = off.difference(&expected).collect();
        assert!(
            gone.is_empty() && extra.is_empty(),
            "{} off: lost {gone:#?}, gained {extra:#?}",
            family.name
        );
        assert!(
            off.iter().all(|k| !ours(k.1)),
            "{} off still reports its rules",
            family.name
        );
    }
}

#[test]
fn select_and_off_choose_what_the_run_reports() {
    let policy = r#"{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:GetObject","s3:Nothing"],"Resource":"*"}]}"#;
    let lint = |config: &str| {
        let mut linter = Linter::new(Default::default()).config("finops-lint.toml", config);
        let result = linter.lint([("policy.json", policy.as_bytes())]).unwrap();
        result
            .findings()
            .map(|f| f.rule.code)
            .collect::<BTreeSet<_>>()
    };
    let all = lint("");
    for code in ["POL001", "IAM002", "IAM006"] {
        assert!(all.contains(code), "{all:?}");
    }
    let off = lint("[rules.severity]\nIAM006 = \"off\"\n");
    assert_eq!(
        off,
        all.iter().copied().filter(|c| *c != "IAM006").collect()
    );
    let select = lint("[rules]\nselect = [\"POL\"]\n");
    assert_eq!(select, BTreeSet::from(["POL001"]));
}

/// A placeholder is never suggested as a value: no fix writes one, and a help shows
/// `<bucket>` or `<account-id>` only when the run does not know the value, saying which flag
/// makes it exact (issue 16).
#[test]
fn no_fix_or_help_suggests_a_placeholder_the_run_could_fill() {
    let mut fixes = 0;
    for (path, result) in fixture_runs(None) {
        let fixture = common::rule_fixtures()
            .into_iter()
            .find(|f| f.path == path)
            .unwrap();
        let knows = |flag: &str| fixture.args.iter().any(|a| a == flag);
        for f in result.findings() {
            if let Some(fix) = &f.fix {
                for e in &fix.edits {
                    fixes += 1;
                    assert!(
                        finops_lint::syntax::find_placeholder(&e.replacement).is_none(),
                        "{path}: {} fix writes a placeholder: {}",
                        f.rule.code,
                        e.replacement
                    );
                }
            }
            let help = f.help.as_deref().unwrap_or("");
            for (token, flag) in [("<bucket>", "--bucket"), ("<account-id>", "--account-id")] {
                if help.contains(token) && f.rule.code != "POL010" && f.rule.code != "IAM008" {
                    assert!(
                        !knows(flag),
                        "{path}: {} shows {token} although the run has {flag}: {help}",
                        f.rule.code
                    );
                    assert!(
                        help.contains("stand") && help.contains(&format!("`{flag}`")),
                        "{path}: {} shows {token} without saying how to fill it: {help}",
                        f.rule.code
                    );
                }
            }
        }
    }
    assert!(fixes > 20, "only {fixes} fixes were looked at");
}
