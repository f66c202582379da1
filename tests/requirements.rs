//! Onboarding requirement profiles: data that parses and names real actions, `check --scenario`
//! on the guides' policies, and `generate`, whose output must lint clean and satisfy its profile.

mod common;

use common::{json_findings, run};
use finops_lint::context::Scenario;
use finops_lint::engine::ExportType;
use finops_lint::requirements::requirements;

const B: &str = "acme-finops-billing";
const A: &str = "402938475610";

fn tmp(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("finops-lint-req-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn profiles_parse_and_name_catalog_actions() {
    for scenario in Scenario::ALL {
        for export in [ExportType::Cur2, ExportType::Legacy] {
            let (profile, reqs) = requirements(None, scenario, export).unwrap();
            assert_eq!(profile.name, scenario.as_str());
            assert!(!reqs.is_empty(), "{scenario}");
            for r in &reqs {
                let (prefix, name) = r.action.split_once(':').unwrap();
                let service = finops_lint::catalog::service(prefix)
                    .unwrap_or_else(|| panic!("{scenario}: unknown service in {}", r.action));
                assert!(
                    service.action(name).is_some(),
                    "{scenario}: unknown action {}",
                    r.action
                );
                assert!(
                    matches!(r.severity.as_str(), "error" | "warning"),
                    "{}",
                    r.severity
                );
                assert!(!r.why.is_empty() && !r.call.is_empty());
            }
        }
    }
    let (_, cur2) = requirements(None, Scenario::RootCreateExport, ExportType::Cur2).unwrap();
    assert!(cur2
        .iter()
        .any(|r| r.action == "bcm-data-exports:CreateExport"));
    let (_, legacy) = requirements(None, Scenario::RootCreateExport, ExportType::Legacy).unwrap();
    assert!(!legacy
        .iter()
        .any(|r| r.action.starts_with("bcm-data-exports:")));
    let (_, linked) = requirements(None, Scenario::Linked, ExportType::Cur2).unwrap();
    assert!(linked.iter().all(|r| r.group == "Discover Resources"));
}

#[test]
fn generated_policies_lint_clean_and_satisfy_their_profile() {
    for scenario in Scenario::ALL.map(Scenario::as_str) {
        for export in ["cur2", "legacy"] {
            let dir = tmp(&format!("{scenario}-{export}"));
            let d = dir.to_string_lossy().to_string();
            let ctx = [
                "--bucket",
                B,
                "--account-id",
                A,
                "--prefix",
                "reports",
                "--export-name",
                "finops",
                "--export-type",
                export,
                "--scenario",
                scenario,
            ];
            let mut gen = vec!["generate", "--output-dir", &d];
            gen.extend_from_slice(&ctx);
            let out = run(&gen);
            assert_eq!(out.code, 0, "{}", out.stderr);
            let files: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
                .collect();
            assert!(files.contains(&"user-policy.json".to_string()));
            assert_eq!(
                files.contains(&"bucket-policy.json".to_string()),
                scenario != "linked"
            );
            let mut check: Vec<&str> = ctx.to_vec();
            check.push(&d);
            let (code, v) = json_findings(&check);
            assert_eq!(
                v["findings"],
                serde_json::json!([]),
                "{scenario}/{export}: {v:#}"
            );
            assert_eq!(code, 0);
            // the export definition is the platform's: resource IDs, overwrite, daily
            if scenario != "linked" {
                let export_doc: serde_json::Value = serde_json::from_str(
                    &std::fs::read_to_string(dir.join("export.json")).unwrap(),
                )
                .unwrap();
                if export == "cur2" {
                    assert_eq!(
                        export_doc["Export"]["DataQuery"]["TableConfigurations"]
                            ["COST_AND_USAGE_REPORT"]["INCLUDE_RESOURCES"],
                        "TRUE"
                    );
                    assert_eq!(
                        export_doc["Export"]["DestinationConfigurations"]["S3Destination"]
                            ["S3OutputConfigurations"]["Overwrite"],
                        "OVERWRITE_REPORT"
                    );
                } else {
                    assert_eq!(
                        export_doc["ReportDefinition"]["AdditionalSchemaElements"],
                        serde_json::json!(["RESOURCES"])
                    );
                    assert_eq!(
                        export_doc["ReportDefinition"]["ReportVersioning"],
                        "OVERWRITE_REPORT"
                    );
                }
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

/// `generate --format terraform|cloudformation`: one file per document with `--output-dir`,
/// all documents as one on standard output (with a note), the defaults assumed said; every form
/// lints clean with the same onboarding values, and reads as the JSON form does.
#[test]
fn generated_terraform_and_cloudformation_lint_clean() {
    for (format, ext) in [("terraform", ".tf"), ("cloudformation", ".template.json")] {
        for scenario in Scenario::ALL.map(Scenario::as_str) {
            for export in ["cur2", "legacy"] {
                let dir = tmp(&format!("{format}-{scenario}-{export}"));
                let d = dir.to_string_lossy().to_string();
                let ctx = [
                    "--bucket",
                    B,
                    "--account-id",
                    A,
                    "--export-type",
                    export,
                    "--scenario",
                    scenario,
                ];
                let mut gen = vec!["generate", "--format", format, "--output-dir", &d];
                gen.extend_from_slice(&ctx);
                gen.extend_from_slice(&["--region", "eu-west-1"]);
                let out = run(&gen);
                assert_eq!(out.code, 0, "{}", out.stderr);
                assert!(
                    out.stderr
                        .contains("note: assumed: the export is named `finops-export`")
                        || scenario == "linked",
                    "{}",
                    out.stderr
                );
                let mut files: Vec<String> = std::fs::read_dir(&dir)
                    .unwrap()
                    .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
                    .collect();
                files.sort();
                let want: Vec<String> = if scenario == "linked" {
                    vec![format!("user-policy{ext}")]
                } else {
                    vec![
                        format!("bucket-policy{ext}"),
                        format!("export{ext}"),
                        format!("user-policy{ext}"),
                    ]
                };
                assert_eq!(files, want);
                // standard output: one configuration or template holding every document
                let mut one = vec!["generate", "--format", format];
                one.extend_from_slice(&ctx);
                let out = run(&one);
                assert_eq!(out.code, 0, "{}", out.stderr);
                if scenario != "linked" {
                    assert!(
                        out.stderr.contains("3 documents printed as one"),
                        "{}",
                        out.stderr
                    );
                }
                std::fs::create_dir_all(dir.join("one")).unwrap();
                let whole_one = dir.join("one").join(format!("whole{ext}"));
                std::fs::write(&whole_one, &out.stdout).unwrap();
                for target in [d.clone(), whole_one.to_string_lossy().to_string()] {
                    let mut check: Vec<&str> = ctx.to_vec();
                    check.push(&target);
                    let (code, v) = json_findings(&check);
                    assert_eq!(
                        v["findings"],
                        serde_json::json!([]),
                        "{format}/{scenario}/{export} {target}: {v:#}"
                    );
                    assert_eq!(code, 0);
                    // every document was read (not skipped as of no known kind)
                    let kinds: Vec<&str> = v["documents"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|d| d["kind"].as_str().unwrap())
                        .collect();
                    assert!(
                        kinds
                            .iter()
                            .all(|k| k.contains("Terraform") || k.contains("CloudFormation")),
                        "{kinds:?}"
                    );
                }
                let _ = std::fs::remove_dir_all(&dir);
            }
        }
    }
    // the region is the bucket's, in the export; a region that is not one is a usage error
    let out = run(&[
        "generate",
        "--scenario",
        "root-existing-export",
        "--bucket",
        B,
        "--account-id",
        A,
        "--region",
        "eu-west-1",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        v["exportDefinition"]["Export"]["DestinationConfigurations"]["S3Destination"]["S3Region"],
        "eu-west-1"
    );
    assert!(v["assumed"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a.as_str().unwrap().contains("--export-name")));
    let out = run(&[
        "generate",
        "--scenario",
        "root-existing-export",
        "--bucket",
        B,
        "--account-id",
        A,
        "--region",
        "Frankfurt",
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("--region `Frankfurt` is not an AWS region code"),
        "{}",
        out.stderr
    );
    let out = run(&[
        "generate",
        "--scenario",
        "root-existing-export",
        "--bucket",
        "s3://x",
        "--account-id",
        A,
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn the_guides_readonly_policy_misses_only_export_auto_detection() {
    let files = [
        "examples/onboarding/bucket-policy.json",
        "examples/onboarding/readonly-policy.json",
        "examples/onboarding/discover-resources-policy.json",
    ];
    let ctx = [
        "--scenario",
        "root-existing-export",
        "--bucket",
        B,
        "--account-id",
        A,
    ];
    let (code, v) = json_findings(&[&ctx[..], &files[..]].concat());
    assert_eq!(code, 0, "warnings only: {v:#}");
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{v:#}");
    let f = &findings[0];
    assert_eq!(f["code"], "REQ001");
    assert_eq!(f["severity"], "warning");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("`bcm-data-exports:ListExports`"),
        "{f:#}"
    );
    // legacy auto-detection needs cur:DescribeReportDefinitions, which the guide grants
    let (code, v) = json_findings(&[&ctx[..], &["--export-type", "legacy"], &files[..]].concat());
    assert_eq!(
        (code, v["findings"].as_array().unwrap().len()),
        (0, 0),
        "{v:#}"
    );
}

#[test]
fn missing_read_access_is_an_error_on_the_policy_that_should_carry_it() {
    let dir = tmp("missing");
    let d = dir.to_string_lossy().to_string();
    std::fs::write(
        dir.join("discover.json"),
        std::fs::read_to_string("examples/onboarding/discover-resources-policy.json").unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.join("readonly.json"),
        format!(r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "BucketOperations", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"], "Resource": "arn:aws:s3:::{B}"}}]}}"#),
    )
    .unwrap();
    let (code, v) = json_findings(&[
        "--scenario",
        "root-existing-export",
        "--export-type",
        "legacy",
        "--bucket",
        B,
        "--account-id",
        A,
        "--prefix",
        "reports",
        &d,
    ]);
    assert_eq!(code, 1);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "REQ001" && f["severity"] == "error")
        .expect("an error");
    assert!(
        f["file"].as_str().unwrap().ends_with("readonly.json"),
        "placed on the policy with the S3 statements: {f:#}"
    );
    assert!(f["message"].as_str().unwrap().contains("`s3:GetObject`"));
    assert!(
        f["help"]
            .as_str()
            .unwrap()
            .contains(r#""Resource": "arn:aws:s3:::acme-finops-billing/reports/*""#),
        "{}",
        f["help"]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn scenario_arguments_are_validated() {
    assert_eq!(run(&["--scenario", "root", "examples/onboarding"]).code, 2);
    assert_eq!(
        run(&["--scenario", "root-create-export", "examples/onboarding"]).code,
        2
    );
    assert_eq!(run(&["generate", "--scenario", "nope"]).code, 2);
    let linked = run(&[
        "--scenario",
        "linked",
        "examples/onboarding/discover-resources-policy.json",
    ]);
    assert_eq!(linked.code, 0, "{}", linked.stdout);
}
