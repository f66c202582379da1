//! FinOps platform profiles (`rules/platforms/`): the data is valid and complete, each profile's
//! own vendor settings pass and another platform's fail with help naming its value, and what
//! `generate --platform` writes lints clean against that platform with its requirements met.

mod common;

use finops_lint::platform;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

#[test]
fn every_profile_parses_matches_its_schema_and_is_compiled_in() {
    assert!(
        platform::load_errors().is_empty(),
        "{:?}",
        platform::load_errors()
    );
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/platform.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut files = Vec::new();
    for e in std::fs::read_dir(root().join("rules/platforms")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            files.push(p);
        }
    }
    assert_eq!(
        files.len(),
        platform::all().len(),
        "a profile file is not in FILES"
    );
    for p in &files {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", p.display());
        let name = v["name"].as_str().unwrap();
        assert_eq!(p.file_stem().unwrap().to_string_lossy(), name);
        assert!(platform::find(name).is_some());
        // every fact names its source; an unverified one says why
        for f in v["facts"].as_array().unwrap() {
            if f["verified"] == false {
                assert!(
                    !f["note"].as_str().unwrap_or("").is_empty(),
                    "{name}: an unverified fact without a note: {f}"
                );
            }
        }
    }
    for name in [
        "optscale",
        "finops-for-cloud",
        "vantage",
        "cloudzero",
        "datadog",
        "cid",
        "harness",
        "kubecost",
        "nops",
    ] {
        assert!(platform::find(name).is_some(), "no profile `{name}`");
    }
}

/// The configuration's schema offers every name and alias `--platform` takes, and no other.
#[test]
fn the_configuration_schema_lists_the_platforms() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/config.schema.json")).unwrap(),
    )
    .unwrap();
    let listed: Vec<String> = schema["properties"]["onboarding"]["properties"]["platform"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let mut names: Vec<String> = platform::all()
        .iter()
        .flat_map(|p| std::iter::once(p.name.clone()).chain(p.aliases.iter().cloned()))
        .collect();
    let mut sorted = listed.clone();
    sorted.sort();
    names.sort();
    assert_eq!(sorted, names);
}

fn fixtures(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    out.sort();
    out
}

/// The values a profile names, as the documents write them: a help that gives one of them
/// names the platform's value.
fn profile_values(p: &platform::Profile) -> Vec<String> {
    let e = &p.export;
    let mut v: Vec<String> = e.versioning.iter().chain(&e.granularity).cloned().collect();
    v.extend(["Parquet", "GZIP", "StringEquals", "arn:aws:iam::"].map(String::from));
    v.extend(p.bucket.regions.iter().flatten().cloned());
    v
}

#[test]
fn each_profiles_own_settings_pass_and_another_platforms_fail() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("snapshots/platforms"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for p in platform::all() {
            // relative, as the snapshots show the paths (tests run in the package's folder)
            let dir = Path::new("rules/platforms/fixtures").join(&p.name);
            let pass = fixtures(&dir.join("pass"));
            let fail = fixtures(&dir.join("fail"));
            assert!(!pass.is_empty(), "{}: no pass fixtures", p.name);
            assert!(!fail.is_empty(), "{}: no fail fixtures", p.name);
            let args = |f: &Path| {
                vec![
                    "--no-config".to_string(),
                    "--platform".to_string(),
                    p.name.clone(),
                    "--account-id".to_string(),
                    "402938475610".to_string(),
                    f.to_string_lossy().to_string(),
                ]
            };
            for f in &pass {
                let a = args(f);
                let a: Vec<&str> = a.iter().map(String::as_str).collect();
                let (code, v) = common::json_findings(&a);
                assert_eq!(code, 0, "{}: {v:#}", f.display());
                assert!(
                    v["findings"].as_array().unwrap().is_empty(),
                    "{}: {v:#}",
                    f.display()
                );
            }
            for f in &fail {
                let a = args(f);
                let a: Vec<&str> = a.iter().map(String::as_str).collect();
                let (code, v) = common::json_findings(&a);
                assert_eq!(code, 1, "{}: {v:#}", f.display());
                let errors: Vec<&serde_json::Value> = v["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|f| f["severity"] == "error")
                    .collect();
                let values = profile_values(p);
                assert!(
                    errors.iter().any(|e| {
                        let said = format!("{} {}", e["help"], e["note"]);
                        values.iter().any(|v| said.contains(v.as_str()))
                            || said.contains(p.title.as_str())
                    }),
                    "{}: no error names {}'s value: {v:#}",
                    f.display(),
                    p.title
                );
                let human = common::run(
                    &[&["check".to_string()][..], &args(f)[..]]
                        .concat()
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>(),
                );
                insta::assert_snapshot!(
                    format!("{}__{}", p.name, f.file_stem().unwrap().to_string_lossy()),
                    human.stdout
                );
            }
        }
    });
}

/// Without a platform, a value the platforms disagree on is a warning that names who needs
/// what; a value none accepts stays an error; the flag or the configuration chooses the platform.
#[test]
fn without_a_platform_disputed_values_are_warnings_naming_the_platforms() {
    let f = root().join("rules/platforms/fixtures/datadog/pass/datadog-report.json");
    let f = f.to_string_lossy();
    let (code, v) = common::json_findings(&["--no-config", &f]);
    assert_eq!(code, 0, "{v:#}");
    let cur004 = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "CUR004")
        .expect("CUR004");
    assert_eq!(cur004["severity"], "warning");
    let note = cur004["note"].as_str().unwrap();
    assert!(note.contains("Datadog"), "{note}");
    assert!(note.contains("OptScale"), "{note}");
    assert!(cur004["help"].as_str().unwrap().contains("--platform"));
    // monthly data: only the Cloud Intelligence Dashboards take it, a warning that says so
    let d = common::tempdir::Dir::new();
    let monthly = d.write(
        "r.json",
        &std::fs::read_to_string(&*f)
            .unwrap()
            .replace("HOURLY", "MONTHLY"),
    );
    let (code, v) = common::json_findings(&["--no-config", &monthly]);
    assert_eq!(code, 0, "{v:#}");
    let cur005 = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "CUR005")
        .expect("CUR005");
    assert_eq!(cur005["severity"], "warning");
    assert!(cur005["note"]
        .as_str()
        .unwrap()
        .contains("AWS Cloud Intelligence Dashboards accepts this value"));
    // a pair AWS does not accept stays an error whatever the platform
    let zip = d.write(
        "z.json",
        &std::fs::read_to_string(&*f)
            .unwrap()
            .replace("\"Compression\": \"Parquet\"", "\"Compression\": \"ZIP\""),
    );
    let (code, v) = common::json_findings(&["--no-config", &zip]);
    assert_eq!(code, 1);
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["code"] == "CUR006" && x["severity"] == "error"));
    std::fs::remove_file(d.path().join("z.json")).unwrap();
    // an unknown platform is a usage error that suggests the name
    let out = common::run(&["check", "--platform", "datadgo", &f]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `datadog`"),
        "{}",
        out.stderr
    );
    // the configuration's platform, and the flag over it
    d.write("finops-lint.toml", "[onboarding]\nplatform = \"datadog\"\n");
    d.write("report.json", &std::fs::read_to_string(&*f).unwrap());
    let dir = d.path().to_string_lossy().to_string();
    std::fs::remove_file(d.path().join("r.json")).unwrap();
    let (code, v) = common::json_findings(&[&dir]);
    assert_eq!(code, 0, "{v:#}");
    assert!(v["findings"].as_array().unwrap().is_empty(), "{v:#}");
    let (code, v) = common::json_findings(&["--platform", "optscale", &dir]);
    assert_eq!(code, 1, "{v:#}");
    // an invalid platform in the configuration is its finding, not a silent pass
    d.write("finops-lint.toml", "[onboarding]\nplatform = \"datadgo\"\n");
    let (code, v) = common::json_findings(&[&dir]);
    assert_eq!(code, 1, "{v:#}");
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["code"] == "CFG001"));
}

/// A trust policy that names a platform's account selects that platform for the run, said on
/// standard error; an explicit flag wins; two platforms each check their own role.
#[test]
fn a_trust_policy_selects_its_platform() {
    let d = common::tempdir::Dir::new();
    let fx = root().join("rules/platforms/fixtures");
    let copy = |from: &str, to: &str| {
        d.write(to, &std::fs::read_to_string(fx.join(from)).unwrap());
    };
    copy("datadog/pass/datadog-trust.json", "trust.json");
    copy("datadog/pass/datadog-report.json", "report.json");
    let dir = d.path().to_string_lossy().to_string();
    let out = common::run(&["check", "--no-config", &dir]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("checking against Datadog's profile"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout.contains("0 errors, 0 warnings"),
        "{}",
        out.stdout
    );
    let (code, _) = common::json_findings(&["--no-config", "--platform", "optscale", &dir]);
    assert_eq!(code, 1);
    // the named platform comes before the scenario's OptScale
    let out = common::run(&[
        "check",
        "--no-config",
        "--scenario",
        "root-existing-export",
        "--bucket",
        "acme-finops-billing",
        "--account-id",
        "402938475610",
        &dir,
    ]);
    assert!(
        out.stderr.contains("checking against Datadog's profile"),
        "{}",
        out.stderr
    );
    assert!(!out.stdout.contains("CUR004"), "{}", out.stdout);
    // a second platform's role: no run platform, each trust policy checked against its own
    copy(
        "cloudzero/fail/trust-without-external-id.json",
        "cz-trust.json",
    );
    let out = common::run(&["check", "--no-config", &dir]);
    assert!(out.stderr.contains("several platforms"), "{}", out.stderr);
    let (_, v) = common::json_findings(&["--no-config", &dir]);
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"TRU002"), "{v:#}");
    assert!(codes.contains(&"CUR004"), "{v:#}");
}

#[test]
fn generate_for_every_platform_lints_clean_with_its_requirements_met() {
    for p in platform::all() {
        for export in &p.export.types {
            for form in ["json", "terraform", "cloudformation"] {
                let d = common::tempdir::Dir::new();
                let dir = d.path().to_string_lossy().to_string();
                let region = p
                    .bucket
                    .regions
                    .as_ref()
                    .and_then(|r| r.first().cloned())
                    .unwrap_or_else(|| "eu-west-1".to_string());
                let id = match p.name.as_str() {
                    "harness" => "harness:402938475610:kmpySmUISimoRrJL6NL73w",
                    _ => "7d1e5f0a93b24c68e2b1",
                };
                let out = common::run(&[
                    "generate",
                    "--platform",
                    &p.name,
                    "--scenario",
                    "root-existing-export",
                    "--export-type",
                    export,
                    "--bucket",
                    "acme-finops-billing",
                    "--account-id",
                    "402938475610",
                    "--prefix",
                    "cur",
                    "--export-name",
                    "finops",
                    "--region",
                    &region,
                    "--external-id",
                    id,
                    "--format",
                    form,
                    "--output-dir",
                    &dir,
                ]);
                assert_eq!(out.code, 0, "{} {export} {form}: {}", p.name, out.stderr);
                let (code, v) = common::json_findings(&[
                    "--no-config",
                    "--platform",
                    &p.name,
                    "--scenario",
                    "root-existing-export",
                    "--export-type",
                    export,
                    "--bucket",
                    "acme-finops-billing",
                    "--account-id",
                    "402938475610",
                    "--prefix",
                    "cur",
                    "--export-name",
                    "finops",
                    &dir,
                ]);
                assert_eq!(code, 0, "{} {export} {form}: {v:#}", p.name);
                assert!(
                    v["findings"].as_array().unwrap().is_empty(),
                    "{} {export} {form}: {v:#}",
                    p.name
                );
            }
        }
    }
}

/// `--role NAME`: in a template that declares the role, only its policies are the platform's,
/// in CloudFormation and Terraform; a role named nowhere leaves the template as read.
#[test]
fn the_platforms_role_is_the_one_named_by_role() {
    let d = common::tempdir::Dir::new();
    let bucket_policy =
        std::fs::read_to_string(root().join("examples/onboarding/bucket-policy.json")).unwrap();
    let read = |actions: &str| {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": [{actions}], "Resource": ["arn:aws:s3:::acme-finops-billing", "arn:aws:s3:::acme-finops-billing/*"]}}, {{"Effect": "Allow", "Action": ["bcm-data-exports:ListExports", "bcm-data-exports:GetExport", "ce:Get*", "organizations:List*", "organizations:Describe*"], "Resource": "*"}}]}}"#
        )
    };
    let trust = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::464622532012:root"}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "9f3c2a7e41b84d6f8e0a5c1d2b3e4f50"}}}]}"#;
    let cfn = format!(
        r#"{{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {{
  "DatadogCost": {{"Type": "AWS::IAM::Role", "Properties": {{"RoleName": "datadog-cost", "AssumeRolePolicyDocument": {trust},
    "Policies": [{{"PolicyName": "read", "PolicyDocument": {}}}]}}}},
  "Other": {{"Type": "AWS::IAM::Role", "Properties": {{"AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Service": "lambda.amazonaws.com"}}, "Action": "sts:AssumeRole"}}]}},
    "Policies": [{{"PolicyName": "all", "PolicyDocument": {}}}]}}}}}}}}"#,
        read(r#""s3:ListBucket""#),
        read(r#""s3:ListBucket", "s3:GetObject""#)
    );
    d.write("stack.json", &cfn);
    d.write("bucket-policy.json", &bucket_policy);
    let dir = d.path().to_string_lossy().to_string();
    let base = [
        "--no-config",
        "--platform",
        "datadog",
        "--scenario",
        "root-existing-export",
        "--bucket",
        "acme-finops-billing",
        "--account-id",
        "402938475610",
    ];
    let req = |extra: &[&str]| {
        let a: Vec<&str> = base
            .iter()
            .copied()
            .chain(extra.iter().copied())
            .chain([dir.as_str()])
            .collect();
        let (_, v) = common::json_findings(&a);
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "REQ001")
            .map(|f| f["message"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    // pooled, the other role's policy grants GetObject
    assert!(req(&[]).is_empty(), "{:?}", req(&[]));
    // the platform is the role `datadog-cost` (by RoleName) or `DatadogCost` (logical ID)
    for name in ["datadog-cost", "DatadogCost"] {
        let found = req(&["--role", name]);
        assert!(
            found.iter().any(|m| m.contains("s3:GetObject")),
            "{name}: {found:?}"
        );
    }
    // a role the template does not declare: read as before
    assert!(req(&["--role", "nobody"]).is_empty());
    // Terraform: the role's inline policy through aws_iam_role_policy, the other's elsewhere
    std::fs::remove_file(d.path().join("stack.json")).unwrap();
    let tf = format!(
        "resource \"aws_iam_role\" \"datadog\" {{\n  name = \"datadog-cost\"\n  assume_role_policy = <<EOF\n{trust}\nEOF\n}}\n\nresource \"aws_iam_role_policy\" \"datadog\" {{\n  role = aws_iam_role.datadog.id\n  policy = <<EOF\n{}\nEOF\n}}\n\nresource \"aws_iam_role\" \"other\" {{\n  name = \"other\"\n  assume_role_policy = <<EOF\n{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Principal\": {{\"Service\": \"lambda.amazonaws.com\"}}, \"Action\": \"sts:AssumeRole\"}}]}}\nEOF\n}}\n\nresource \"aws_iam_role_policy\" \"other\" {{\n  role = aws_iam_role.other.id\n  policy = <<EOF\n{}\nEOF\n}}\n",
        read(r#""s3:ListBucket""#),
        read(r#""s3:ListBucket", "s3:GetObject""#)
    );
    d.write("main.tf", &tf);
    assert!(req(&[]).is_empty(), "{:?}", req(&[]));
    let found = req(&["--role", "datadog-cost"]);
    assert!(
        found.iter().any(|m| m.contains("s3:GetObject")),
        "{found:?}"
    );
    let found = req(&["--role", "datadog"]);
    assert!(
        found.iter().any(|m| m.contains("s3:GetObject")),
        "{found:?}"
    );
}

/// OptScale's assumed-role connection settings against the run: its role (`--role`), its
/// account (`--account-id`), and the external ID the run's trust policy requires (CON005).
#[test]
fn an_assumed_role_connection_is_checked_against_the_run() {
    let conn = root().join("rules/OS009-connection-assume-role/pass/connection.json");
    let conn = conn.to_string_lossy();
    let (code, v) = common::json_findings(&["--no-config", &conn]);
    assert_eq!(code, 0, "{v:#}");
    let messages = |args: &[&str]| {
        let (_, v) = common::json_findings(args);
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{} {}",
                    f["code"].as_str().unwrap(),
                    f["message"].as_str().unwrap()
                )
            })
            .collect::<Vec<_>>()
    };
    let m = messages(&["--no-config", "--role", "other-role", &conn]);
    assert!(
        m.iter()
            .any(|x| x.starts_with("OS009") && x.contains("`other-role`")),
        "{m:?}"
    );
    let m = messages(&["--no-config", "--account-id", "999988887777", &conn]);
    assert!(
        m.iter()
            .any(|x| x.starts_with("OS009") && x.contains("999988887777")),
        "{m:?}"
    );
    let run = root().join("rules/CON005-inconsistent-external-id/fail/other-id");
    let m = messages(&["--no-config", &run.to_string_lossy()]);
    assert_eq!(
        m.iter().filter(|x| x.starts_with("CON005")).count(),
        1,
        "{m:?}"
    );
}
