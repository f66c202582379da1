//! `finops-lint.toml`: discovery, the onboarding context, selection, severities, ignores with
//! reasons, files, and findings pointing into the configuration.

mod common;

use common::{json_findings, run, tempdir};

const EXPORT_MONTHLY: &str = r#"{"Export": {"Name": "finops", "DataQuery": {"QueryStatement": "SELECT * FROM COST_AND_USAGE_REPORT", "TableConfigurations": {"COST_AND_USAGE_REPORT": {"INCLUDE_RESOURCES": "TRUE", "TIME_GRANULARITY": "MONTHLY"}}}, "DestinationConfigurations": {"S3Destination": {"S3Bucket": "acme-finops-billing", "S3Prefix": "reports", "S3Region": "eu-west-1", "S3OutputConfigurations": {"OutputType": "CUSTOM", "Format": "PARQUET", "Compression": "PARQUET", "Overwrite": "OVERWRITE_REPORT"}}}, "RefreshCadence": {"Frequency": "SYNCHRONOUS"}}}"#;

fn codes(v: &serde_json::Value) -> Vec<(String, String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn onboarding_values_come_from_the_configuration_and_flags_override_them() {
    let dir = tempdir::Dir::new();
    dir.write(
        "finops-lint.toml",
        "[onboarding]\nbucket = \"other-bucket\"\n",
    );
    dir.write("export.json", &EXPORT_MONTHLY.replace("MONTHLY", "DAILY"));
    let p = dir.path().to_str().unwrap();
    let (_, v) = json_findings(&[p]);
    assert!(codes(&v).iter().any(|c| c.0 == "EXP009"), "{v:#}");
    let (_, v) = json_findings(&["--bucket", "acme-finops-billing", p]);
    assert!(codes(&v).is_empty(), "{v:#}");
    let (_, v) = json_findings(&["--no-config", p]);
    assert!(codes(&v).is_empty(), "{v:#}");
}

#[test]
fn selection_severities_and_ignores_with_reasons() {
    let dir = tempdir::Dir::new();
    dir.write(
        "finops-lint.toml",
        r#"[rules]
severity = { EXP004 = "warning", PFX = "off" }

[[ignore]]
rules = ["time-granularity"]
paths = ["legacy/*.json"]
reason = "replaced next quarter"

[[ignore]]
rules = ["EXP003"]
reason = "never reported here"
"#,
    );
    dir.write("legacy/export.json", EXPORT_MONTHLY);
    dir.write(
        "export.json",
        &EXPORT_MONTHLY.replace("\"reports\"", "\"reports/\""),
    );
    let (_, v) = json_findings(&[dir.path().to_str().unwrap()]);
    let c = codes(&v);
    // EXP004 is a warning in export.json, ignored in legacy/; PFX001 is off
    assert!(
        c.iter().any(|(code, sev, file)| code == "EXP004"
            && sev == "warning"
            && file.ends_with("/export.json")
            && !file.contains("legacy")),
        "{c:?}"
    );
    assert!(
        !c.iter()
            .any(|(code, _, file)| code == "EXP004" && file.contains("legacy")),
        "{c:?}"
    );
    assert!(!c.iter().any(|(code, _, _)| code == "PFX001"), "{c:?}");
    // the ignore that silenced nothing is reported on the configuration
    assert!(
        c.iter()
            .any(|(code, _, file)| code == "SUP001" && file.ends_with("finops-lint.toml")),
        "{c:?}"
    );
    // select: only the rules named run
    dir.write("finops-lint.toml", "[rules]\nselect = [\"PFX\"]\n");
    let (_, v) = json_findings(&[dir.path().to_str().unwrap()]);
    let c = codes(&v);
    assert!(!c.is_empty() && c.iter().all(|x| x.0 == "PFX001"), "{c:?}");
}

#[test]
fn files_include_and_exclude_apply_to_named_files_too() {
    let dir = tempdir::Dir::new();
    dir.write(
        "finops-lint.toml",
        "[files]\ninclude = [\"infra/**\"]\nexclude = [\"infra/drafts/**\"]\n",
    );
    dir.write("infra/export.json", EXPORT_MONTHLY);
    dir.write("infra/drafts/broken.json", "{");
    dir.write("docs/broken.json", "{");
    let (_, v) = json_findings(&[dir.path().to_str().unwrap()]);
    let files: Vec<String> = codes(&v).into_iter().map(|c| c.2).collect();
    assert!(
        files.iter().all(|f| f.ends_with("infra/export.json")),
        "{files:?}"
    );
    assert!(!files.is_empty());
    // as pre-commit names them
    let named = dir.path().join("infra/drafts/broken.json");
    let (code, v) = json_findings(&[named.to_str().unwrap()]);
    assert_eq!(code, 0, "{v:#}");
}

#[test]
fn configuration_mistakes_point_into_the_file_with_suggestions() {
    let dir = tempdir::Dir::new();
    let cfg = dir.write(
        "custom.toml",
        "[onboarding]\naccount_id = \"402938475610\"\n\n[rules]\nselect = [\"CUR04\"]\n\n[[ignore]]\nrules = [\"EXP004\"]\n",
    );
    dir.write("export.json", EXPORT_MONTHLY);
    let (code, v) = json_findings(&["--config", &cfg, dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    let f: Vec<(String, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"].as_str().unwrap().ends_with("custom.toml"))
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["text"].as_str().unwrap().to_string(),
                f["help"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(
        f.contains(&(
            "CFG001".into(),
            "account_id".into(),
            "did you mean `account-id`?".into()
        )),
        "{f:?}"
    );
    assert!(
        f.contains(&(
            "CFG001".into(),
            "CUR04".into(),
            "did you mean `CUR004`?".into()
        )),
        "{f:?}"
    );
    assert!(f.iter().any(|x| x.0 == "SUP002"), "{f:?}");
    // an unreadable configuration is a usage error
    let out = run(&["check", "--config", "/nonexistent/finops-lint.toml", "."]);
    assert_eq!(out.code, 2);
    // invalid TOML is a finding at its position
    dir.write("custom.toml", "[rules\nselect = 1\n");
    let (_, v) = json_findings(&["--config", &cfg, dir.path().to_str().unwrap()]);
    let bad = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CFG001")
        .unwrap();
    assert_eq!(bad["range"]["start"]["line"], 1, "{bad:#}");
}

#[test]
fn a_baseline_reports_only_new_findings_and_survives_moved_lines() {
    let dir = tempdir::Dir::new();
    let policy = dir.write(
        "policy.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObjct\", \"Resource\": \"*\"}]}\n",
    );
    let baseline = dir.path().join("baseline.json");
    let b = baseline.to_str().unwrap();
    let out = run(&["check", "--no-config", "--write-baseline", b, &policy]);
    assert_eq!(
        out.code, 1,
        "the run that writes the baseline still reports"
    );
    let (code, v) = json_findings(&["--no-config", "--baseline", b, &policy]);
    assert_eq!(code, 0, "{v:#}");
    // lines move and a new problem appears: only the new one is reported
    std::fs::write(
        &policy,
        "\n\n{\"Version\": \"2012-10-17\",\n \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObjct\", \"Resource\": \"*\"},\n {\"Effect\": \"Allow\", \"Action\": \"s3:ListBuckt\", \"Resource\": \"*\"}]}\n",
    )
    .unwrap();
    let (code, v) = json_findings(&["--no-config", "--baseline", b, &policy]);
    assert_eq!(code, 1);
    let texts: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, vec!["s3:ListBuckt"]);
    // an unreadable baseline is a usage error
    assert_eq!(
        run(&["check", "--baseline", "/nonexistent.json", &policy]).code,
        2
    );
}
