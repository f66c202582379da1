//! Rules as data, tests as proof: every rule is documented, every `fail` fixture yields the rule
//! (snapshotted), every `pass` fixture yields none of it, and codes and names are unique.

mod common;

use finops_lint::rules::{self, Rule};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn rule_dir(rule: &Rule) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("rules")
        .join(rule.folder())
}

fn fixtures(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

fn args_for(rule: &Rule) -> Vec<String> {
    std::fs::read_to_string(rule_dir(rule).join("args"))
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

fn relative(p: &Path) -> String {
    p.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .to_string_lossy()
        .to_string()
}

fn check(rule: &Rule, fixture: &Path, format: &str) -> common::Output {
    let path = relative(fixture);
    let extra = args_for(rule);
    let mut args: Vec<&str> = vec!["check", "--format", format, "--fail-on", "never"];
    args.extend(extra.iter().map(String::as_str));
    args.push(&path);
    common::run(&args)
}

fn codes(out: &common::Output) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn codes_and_names_are_unique() {
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    for r in rules::ALL.iter() {
        assert!(codes.insert(r.code), "duplicate code {}", r.code);
        assert!(names.insert(r.name), "duplicate name {}", r.name);
    }
}

#[test]
fn every_rule_is_documented() {
    for r in rules::ALL.iter() {
        let docs = r.docs;
        assert!(
            docs.starts_with(&format!("# {} {}\n", r.code, r.name)),
            "{}: README title",
            r.code
        );
        for section in ["## Why it matters", "## Example", "## Fix"] {
            assert!(docs.contains(section), "{}: README lacks {section}", r.code);
        }
        assert!(
            !r.summary().is_empty() && !r.summary().contains("TODO"),
            "{}: summary",
            r.code
        );
        let sev = format!("Severity: {}.", r.severity.as_str());
        assert!(docs.contains(&sev), "{}: README must say `{sev}`", r.code);
        for aa in r.access_analyzer {
            assert!(
                docs.contains(&format!("`{aa}`")),
                "{}: README must name Access Analyzer code {aa}",
                r.code
            );
        }
    }
}

/// `finops-lint rule CODE` gives users somewhere to read: every rule has references, and each
/// is a public URL or a file of this repository; the contributors' Fixtures section is not shown.
#[test]
fn every_rule_has_references_with_urls() {
    for r in rules::ALL.iter() {
        let docs = r.reader_docs();
        let refs = docs
            .split("## References")
            .nth(1)
            .unwrap_or_else(|| panic!("{}: no References section", r.code));
        let bullets: Vec<&str> = refs
            .lines()
            .take_while(|l| !l.starts_with("## "))
            .filter(|l| l.starts_with("- "))
            .collect();
        assert!(!bullets.is_empty(), "{}: no reference", r.code);
        for b in bullets {
            assert!(
                b.contains("<https://") || b.contains('`'),
                "{}: a reference without a URL or a repository path: {b}",
                r.code
            );
        }
        assert!(!docs.contains("## Fixtures"), "{}", r.code);
        let out = common::run(&["rule", r.code]);
        assert!(out.stdout.contains("## References"), "{}", r.code);
    }
}

#[test]
fn every_rule_folder_belongs_to_a_rule() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let known: HashSet<String> = rules::ALL.iter().map(|r| r.folder()).collect();
    for e in std::fs::read_dir(root).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        if name == "profiles" || name == "platforms" {
            // the onboarding requirement profiles and the platform profiles, tested in
            // tests/requirements.rs and tests/platforms.rs
            continue;
        }
        assert!(
            known.contains(&name),
            "rules/{name} has no rule in the registry"
        );
    }
}

#[test]
fn fail_fixtures_yield_their_rule_and_pass_fixtures_do_not() {
    let mut failures = Vec::new();
    for r in rules::ALL.iter() {
        let dir = rule_dir(r);
        let fails = fixtures(&dir.join("fail"));
        let passes = fixtures(&dir.join("pass"));
        assert!(!fails.is_empty(), "{}: no fail fixtures", r.code);
        assert!(!passes.is_empty(), "{}: no pass fixtures", r.code);
        for f in &fails {
            let out = check(r, f, "json");
            if !codes(&out).iter().any(|c| c == r.code) {
                failures.push(format!(
                    "{}: fail fixture {} does not yield it ({:?})",
                    r.code,
                    relative(f),
                    codes(&out)
                ));
            }
        }
        for p in &passes {
            let out = check(r, p, "json");
            if codes(&out).iter().any(|c| c == r.code) {
                failures.push(format!(
                    "{}: pass fixture {} yields it",
                    r.code,
                    relative(p)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fail_fixture_diagnostics_snapshots() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/rules"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for r in rules::ALL.iter() {
            for f in fixtures(&rule_dir(r).join("fail")) {
                // JSON fixtures by stem; templates keep their extension (`x.tf` and `x.yaml`
                // may show the same problem)
                let stem = match f.extension().and_then(|e| e.to_str()) {
                    Some("json") | None => f.file_stem().unwrap().to_string_lossy().to_string(),
                    Some(_) => f.file_name().unwrap().to_string_lossy().to_string(),
                };
                let human = check(r, &f, "human").stdout;
                insta::assert_snapshot!(format!("{}__{}", r.code, stem), human);
            }
        }
    });
}

/// Every Access Analyzer code a finding carries is one of its rule's documented aliases.
#[test]
fn findings_carry_one_of_their_rules_access_analyzer_codes() {
    let mut seen = HashSet::new();
    for r in rules::ALL.iter() {
        for f in fixtures(&rule_dir(r).join("fail")) {
            let out = check(r, &f, "json");
            let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
            for finding in v["findings"].as_array().unwrap() {
                let code = finding["code"].as_str().unwrap();
                let rule = rules::find(code).unwrap();
                match finding.get("access_analyzer_code").and_then(|c| c.as_str()) {
                    Some(aa) => {
                        assert!(
                            rule.access_analyzer.contains(&aa),
                            "{code} carries {aa}, not one of {:?}",
                            rule.access_analyzer
                        );
                        seen.insert(aa.to_string());
                    }
                    None => assert!(
                        rule.access_analyzer.is_empty(),
                        "{code} has aliases but the finding carries none"
                    ),
                }
            }
        }
    }
    for aa in [
        "MISSING_EFFECT",
        "INVALID_EFFECT",
        "MISSING_ACTION",
        "UNSUPPORTED_ELEMENT_COMBINATION",
        "NULL_WITH_IF_EXISTS",
        "INVALID_CONDITION_KEY_FORMAT",
        "INVALID_PARTITION",
        "MISSING_ARN_FIELD",
        "ARN_REGION_NOT_ALLOWED",
        "ARN_ACCOUNT_NOT_ALLOWED",
        "EMPTY_ARRAY_ACTION",
        "EMPTY_ARRAY_CONDITION",
        "INVALID_SERVICE_PRINCIPAL_FORMAT",
        "INVALID_PRINCIPAL_KEY",
    ] {
        assert!(seen.contains(aa), "no fixture produces {aa}");
    }
}
