//! The CI formats: SARIF validated against the official SARIF 2.1.0 schema and by Microsoft's
//! SARIF multitool (installed by `scripts/test.sh`), GitHub annotations, JUnit XML and GitLab's
//! code quality report, each snapshotted and checked for what its consumer requires.

mod common;

use common::run;
use std::path::PathBuf;

const ARGS: &[&str] = &[
    "--bucket",
    "acme-finops-billing",
    "--account-id",
    "402938475610",
    "--fail-on",
    "never",
    "examples/broken/bucket-policy.json",
    "examples/broken/terraform/main.tf",
    "examples/broken/export.json",
];

fn output(format: &str) -> String {
    let mut a = vec!["check", "--format", format];
    a.extend_from_slice(ARGS);
    let out = run(&a);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout
}

fn tool(var: &str) -> PathBuf {
    let p = std::env::var(var).unwrap_or_else(|_| {
        panic!(
            "{var} is not set: run the tests with scripts/test.sh, which installs the SARIF tools"
        )
    });
    PathBuf::from(p)
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots/formats"));
    s.set_prepend_module_to_snapshot(false);
    s
}

fn sarif_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(tool("FINOPS_LINT_SARIF_SCHEMA")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn sarif_matches_the_official_schema() {
    let validator = sarif_schema();
    let sarif: serde_json::Value = serde_json::from_str(&output("sarif")).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // the schema is really applied: a region starting at line 0 is refused
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        serde_json::json!(0);
    assert!(!validator.is_valid(&broken));
    // what GitHub code scanning reads
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), finops_lint::rules::ALL.len());
    for r in rules {
        assert!(r["shortDescription"]["text"]
            .as_str()
            .is_some_and(|t| !t.is_empty()));
        assert!(r["fullDescription"]["text"]
            .as_str()
            .is_some_and(|t| !t.is_empty()));
        assert!(r["helpUri"].as_str().unwrap().starts_with("https://"));
    }
    let results = run["results"].as_array().unwrap();
    assert!(results.len() >= 10);
    for r in results {
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
        let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], r["ruleId"]);
    }
    // a finding with a machine fix carries it
    assert!(results
        .iter()
        .any(
            |r| r["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"]
                .is_string()
        ));
}

/// The SARIF multitool's verdict on a log: no schema error and no best-practice warning.
fn multitool_accepts(sarif: &str, name: &str) {
    let dir = std::env::temp_dir().join(format!("finops-lint-sarif-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("finops-lint.sarif");
    std::fs::write(&input, sarif).unwrap();
    let log = dir.join("validation.sarif");
    let out = std::process::Command::new(tool("FINOPS_LINT_SARIF_MULTITOOL"))
        .arg("validate")
        .arg(&input)
        .arg("--output")
        .arg(&log)
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .expect("run the SARIF multitool");
    let console = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{name}: {console}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&log).unwrap()).unwrap();
    let problems: Vec<_> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["ruleId"].clone(), r["message"].clone()))
        .collect();
    assert!(problems.is_empty(), "{name}: {problems:?}\n{console}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sarif_passes_the_sarif_multitool() {
    multitool_accepts(&output("sarif"), "relative");
}

#[test]
fn sarif_with_absolute_inputs_passes_the_multitool() {
    // a file under the working folder given by its absolute path: relative to %SRCROOT%
    let cwd = std::env::current_dir().unwrap();
    let inside = cwd.join("examples/broken/readonly-policy.json");
    // a file elsewhere: an absolute file:// URI, without a base
    let dir = std::env::temp_dir().join(format!("finops-lint-sarif-abs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let outside = dir.join("policy with space.json");
    std::fs::write(
        &outside,
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
    )
    .unwrap();
    let out = run(&[
        "check",
        "--format",
        "sarif",
        "--fail-on",
        "never",
        inside.to_str().unwrap(),
        outside.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let locations: Vec<serde_json::Value> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"].clone())
        .collect();
    assert!(
        locations
            .iter()
            .any(|l| l["uri"] == "examples/broken/readonly-policy.json"
                && l["uriBaseId"] == "%SRCROOT%"),
        "{locations:#?}"
    );
    let expected = format!("file://{}", outside.to_str().unwrap().replace(' ', "%20"));
    assert!(
        locations
            .iter()
            .any(|l| l["uri"] == expected.as_str() && l.get("uriBaseId").is_none()),
        "{locations:#?}"
    );
    assert!(
        locations
            .iter()
            .all(|l| !l["uri"].as_str().unwrap().starts_with('/')),
        "{locations:#?}"
    );
    multitool_accepts(&out.stdout, "absolute");
    // GitHub annotations name the file under the working folder relative to it
    let gh = run(&[
        "check",
        "--format",
        "github",
        "--fail-on",
        "never",
        inside.to_str().unwrap(),
    ]);
    assert!(
        gh.stdout
            .contains("file=examples/broken/readonly-policy.json,"),
        "{}",
        gh.stdout
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn github_annotations() {
    let out = output("github");
    settings().bind(|| insta::assert_snapshot!("github", out));
    for line in out.lines() {
        let (cmd, rest) = line.split_once(' ').unwrap();
        assert!(
            ["::error", "::warning", "::notice"].contains(&cmd),
            "{line}"
        );
        let (props, message) = rest.split_once("::").unwrap();
        // properties are comma-separated key=value pairs: no raw comma or colon inside values
        for p in props.split(',') {
            let (k, v) = p.split_once('=').unwrap();
            assert!(
                ["file", "line", "col", "endLine", "endColumn", "title"].contains(&k),
                "{p}"
            );
            assert!(!v.contains(':'), "{p}");
        }
        assert!(!message.contains('\n') && !message.is_empty());
    }
}

#[test]
fn junit_xml() {
    let out = output("junit");
    settings().bind(|| insta::assert_snapshot!("junit", out));
    // well-formed, with the counts its consumers read
    let mut reader = quick_xml::Reader::from_str(&out);
    let (mut suites, mut cases, mut failures) = (0, 0, 0);
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                match e.name().as_ref() {
                    "testsuite" => suites += 1,
                    "testcase" => cases += 1,
                    "failure" => failures += 1,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    assert_eq!(suites, 3);
    assert!(
        out.contains(&format!("tests=\"{cases}\" failures=\"{failures}\"")),
        "{out}"
    );
}

#[test]
fn gitlab_code_quality() {
    let out = output("gitlab");
    settings().bind(|| insta::assert_snapshot!("gitlab", out));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let issues = v.as_array().unwrap();
    assert!(!issues.is_empty());
    let mut fingerprints = std::collections::HashSet::new();
    for i in issues {
        assert!(i["description"].as_str().is_some_and(|d| !d.is_empty()));
        assert!(i["check_name"].is_string());
        assert!(["info", "minor", "major", "critical", "blocker"]
            .contains(&i["severity"].as_str().unwrap()));
        assert!(i["location"]["path"].is_string());
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        assert!(
            fingerprints.insert(i["fingerprint"].as_str().unwrap().to_string()),
            "fingerprints are unique"
        );
    }
}

#[test]
fn the_example_ci_jobs_call_finops_lint_with_valid_arguments() {
    let mut n = 0;
    for file in [
        "examples/ci/github-workflow.yml",
        "examples/ci/gitlab-ci.yml",
    ] {
        let text = std::fs::read_to_string(file).unwrap();
        // valid YAML (read as finops-lint reads YAML: no syntax finding)
        let out = run(&["check", "--format", "concise", file]);
        assert_eq!(out.code, 0, "{file}: {}", out.stdout);
        for line in text.lines().filter(|l| l.contains("finops-lint check")) {
            let cmd = line.split("finops-lint check").nth(1).unwrap();
            let cmd = cmd.split('>').next().unwrap();
            let mut args = vec!["check"];
            args.extend(cmd.split_whitespace().map(|a| {
                if a == "infra/" {
                    "examples/onboarding"
                } else {
                    a
                }
            }));
            let out = run(&args);
            assert!(
                out.code == 0 || out.code == 1,
                "{file}: {line}\n{}",
                out.stderr
            );
            n += 1;
        }
    }
    assert!(n >= 5);
}
