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
    let templates = regex::Regex::new(r"\{[a-z_]*\}").unwrap();
    for p in &files {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", p.display());
        let name = v["name"].as_str().unwrap();
        assert_eq!(p.file_stem().unwrap().to_string_lossy(), name);
        assert!(platform::find(name).is_some());
        // a requirement's resource uses only the templates the checks fill in
        let none = serde_json::Map::new();
        for (sc, spec) in v["scenarios"].as_object().unwrap_or(&none) {
            for r in spec["requirements"].as_array().into_iter().flatten() {
                let res = r["resource"].as_str().unwrap();
                for m in templates.find_iter(res) {
                    assert!(
                        [
                            "{bucket}",
                            "{objects}",
                            "{account}",
                            "{export_arn}",
                            "{role}"
                        ]
                        .contains(&m.as_str()),
                        "{name} {sc}: `{}` is not filled in",
                        m.as_str()
                    );
                }
            }
        }
        // the form of its external IDs is a valid pattern
        if let Some(re) = v["access"]["external_id_pattern"].as_str() {
            assert!(regex::Regex::new(re).is_ok(), "{name}: `{re}`");
        }
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
                // as read, and with the generated role named: its policy is found and suffices
                let mut runs: Vec<Vec<&str>> = vec![vec![]];
                if p.uses_role() {
                    runs.push(vec!["--role", "finops-platform"]);
                }
                for extra in runs {
                    let mut args = vec![
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
                    ];
                    args.extend(extra.iter().copied());
                    args.push(&dir);
                    let (code, v) = common::json_findings(&args);
                    assert_eq!(code, 0, "{} {export} {form} {extra:?}: {v:#}", p.name);
                    assert!(
                        v["findings"].as_array().unwrap().is_empty(),
                        "{} {export} {form} {extra:?}: {v:#}",
                        p.name
                    );
                }
            }
        }
    }
    // the guides' placeholder, or the field's name, is not an external ID
    for id in ["<external-id>", "EXTERNAL_ID", "your-external-id"] {
        let out = common::run(&[
            "generate",
            "--platform",
            "datadog",
            "--scenario",
            "root-existing-export",
            "--bucket",
            "acme-finops-billing",
            "--account-id",
            "402938475610",
            "--external-id",
            id,
        ]);
        assert_eq!(out.code, 2, "{id}: {}", out.stdout);
        assert!(out.stderr.contains("is a placeholder"), "{}", out.stderr);
    }
}

/// The REQ001 findings, `(severity, message)`, of the `root-existing-export` scenario for
/// `platform` on `path` (bucket `acme-finops-billing`, account `402938475610`), with `extra`.
fn missing(platform: &str, path: &str, extra: &[&str]) -> Vec<(String, String)> {
    let mut a = vec![
        "--no-config",
        "--platform",
        platform,
        "--scenario",
        "root-existing-export",
        "--bucket",
        "acme-finops-billing",
        "--account-id",
        "402938475610",
    ];
    a.extend(extra);
    a.push(path);
    let (_, v) = common::json_findings(&a);
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "REQ001")
        .map(|f| {
            (
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A policy that grants what Datadog's `root-existing-export` scenario calls on
/// `acme-finops-billing`, and a trust policy for Datadog's principal.
const DATADOG_READ: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject", "s3:GetBucketLocation"], "Resource": ["arn:aws:s3:::acme-finops-billing", "arn:aws:s3:::acme-finops-billing/*"]}, {"Effect": "Allow", "Action": ["bcm-data-exports:ListExports", "bcm-data-exports:GetExport", "cur:DescribeReportDefinitions", "ce:Get*", "organizations:List*", "organizations:Describe*"], "Resource": "*"}]}"#;
const DATADOG_TRUST: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::464622532012:root"}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "9f3c2a7e41b84d6f8e0a5c1d2b3e4f50"}}}]}"#;

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
    let trust = DATADOG_TRUST;
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
    let req = |extra: &[&str]| {
        missing("datadog", &dir, extra)
            .into_iter()
            .map(|(_, m)| m)
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

/// The codes of a run's findings, as `(code, severity)`.
fn coded(args: &[&str]) -> (i32, Vec<(String, String)>, serde_json::Value) {
    let (code, v) = common::json_findings(args);
    (code, common::codes_and(&v, "severity"), v)
}

fn trust(statements: &str) -> String {
    format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#)
}

/// The trust checks speak only of the platform's role, as AWS reads a trust policy: a role only
/// a service assumes is another role; an account's root trusts the platform's user in it; a
/// negative condition or an unconditioned Deny read as IAM reads them.
#[test]
fn trust_checks_read_the_platforms_role_as_iam_does() {
    let d = common::tempdir::Dir::new();
    let ext =
        r#""Condition": {"StringEquals": {"sts:ExternalId": "9f3c2a7e41b84d6f8e0a5c1d2b3e4f50"}}"#;
    // a Lambda function's role, checked with a role-based platform: nothing of the platform's
    let lambda = d.write(
        "lambda-trust.json",
        &trust(r#"{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}"#),
    );
    let (code, found, v) = coded(&["--no-config", "--platform", "datadog", &lambda]);
    assert_eq!(code, 0, "{v:#}");
    assert!(found.iter().all(|(c, _)| !c.starts_with("TRU")), "{v:#}");
    // Harness's EU principal is a user of account 783764615875: trusting that account's root
    // trusts the user too
    let harness_ext = r#""Condition": {"StringEquals": {"sts:ExternalId": "harness:783764615875:kmpySmUISimoRrJL6NL73w"}}"#;
    let eu = d.write(
        "harness-eu-trust.json",
        &trust(&format!(r#"{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::783764615875:root"}}, "Action": "sts:AssumeRole", {harness_ext}}}"#)),
    );
    let (code, found, v) = coded(&["--no-config", "--platform", "harness", &eu]);
    assert_eq!(code, 0, "{v:#}");
    assert!(found.is_empty(), "{v:#}");
    // ... and names Harness for a run without a platform
    let out = common::run(&["check", "--no-config", &eu]);
    assert!(out.stderr.contains("Harness"), "{}", out.stderr);
    // another user of that account is not Harness's
    let other = d.write(
        "harness-other-user.json",
        &trust(&format!(r#"{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::783764615875:user/someone"}}, "Action": "sts:AssumeRole", {harness_ext}}}"#)),
    );
    let (_, found, v) = coded(&["--no-config", "--platform", "harness", &other]);
    assert!(found.contains(&("TRU001".into(), "error".into())), "{v:#}");
    // an organization condition that requires a match is unmeetable; one that excludes is not
    let org = |op: &str| {
        trust(&format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::464622532012:root"}}, "Action": "sts:AssumeRole", "Condition": {{"StringEquals": {{"sts:ExternalId": "9f3c2a7e41b84d6f8e0a5c1d2b3e4f50"}}, "{op}": {{"aws:PrincipalOrgID": "o-abc123def4"}}}}}}"#
        ))
    };
    let eq = d.write("org-equals.json", &org("StringEquals"));
    let (_, found, v) = coded(&["--no-config", "--platform", "datadog", &eq]);
    assert!(found.iter().any(|(c, _)| c == "TRU004"), "{v:#}");
    let not = d.write("org-not-equals.json", &org("StringNotEquals"));
    let (code, found, v) = coded(&["--no-config", "--platform", "datadog", &not]);
    assert_eq!(code, 0, "{v:#}");
    assert!(found.iter().all(|(c, _)| c != "TRU004"), "{v:#}");
    // a Deny of sts:AssumeRole to everyone, without a condition, overrides the platform's Allow
    let deny = d.write(
        "deny-all.json",
        &trust(&format!(r#"{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::464622532012:root"}}, "Action": "sts:AssumeRole", {ext}}}, {{"Effect": "Deny", "Principal": "*", "Action": "sts:*"}}"#)),
    );
    let (code, found, v) = coded(&["--no-config", "--platform", "datadog", &deny]);
    assert_eq!(code, 1, "{v:#}");
    assert!(found.contains(&("TRU003".into(), "error".into())), "{v:#}");
    // ... but a conditioned Deny (the usual guard) is not read as one
    let guard = d.write(
        "deny-guard.json",
        &trust(&format!(r#"{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::464622532012:root"}}, "Action": "sts:AssumeRole", {ext}}}, {{"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Condition": {{"StringNotEquals": {{"sts:ExternalId": "9f3c2a7e41b84d6f8e0a5c1d2b3e4f50"}}}}}}"#)),
    );
    let (_, found, v) = coded(&["--no-config", "--platform", "datadog", &guard]);
    assert!(found.iter().all(|(c, _)| c != "TRU003"), "{v:#}");
    // a number as the external ID is compared as its text: `0` is a placeholder
    let zero = d.write(
        "zero-id.json",
        &trust(r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::464622532012:root"}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": 0}}}"#),
    );
    let (_, _, v) = coded(&["--no-config", "--platform", "datadog", &zero]);
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "TRU002" && f["text"] == "0"),
        "{v:#}"
    );
}

/// `--role` in templates: a managed policy attached by `!GetAtt X.PolicyArn` or Terraform's
/// `managed_policy_arns`, an `AWS::IAM::RolePolicy`, and a role without any policy of the run.
#[test]
fn the_roles_policies_are_found_however_the_template_attaches_them() {
    let d = common::tempdir::Dir::new();
    let bucket_policy =
        std::fs::read_to_string(root().join("examples/onboarding/bucket-policy.json")).unwrap();
    d.write("bucket-policy.json", &bucket_policy);
    let read = DATADOG_READ;
    let trust = DATADOG_TRUST;
    let dir = d.path().to_string_lossy().to_string();
    let req = |role: &str| {
        missing("datadog", &dir, &["--role", role])
            .into_iter()
            .map(|(_, m)| m)
            .collect::<Vec<_>>()
    };
    // CloudFormation: the managed policy by `Fn::GetAtt`, the inline one by AWS::IAM::RolePolicy
    for attach in [
        r#""ManagedPolicyArns": [{"Fn::GetAtt": ["Read", "PolicyArn"]}]"#,
        r#""ManagedPolicyArns": [{"Fn::GetAtt": "Read.PolicyArn"}]"#,
    ] {
        d.write(
            "stack.json",
            &format!(
                r#"{{"Resources": {{
  "Role": {{"Type": "AWS::IAM::Role", "Properties": {{"RoleName": "datadog-cost", "AssumeRolePolicyDocument": {trust}, {attach}}}}},
  "Read": {{"Type": "AWS::IAM::ManagedPolicy", "Properties": {{"PolicyDocument": {read}}}}}}}}}"#
            ),
        );
        assert_eq!(req("datadog-cost"), Vec::<String>::new(), "{attach}");
    }
    d.write(
        "stack.json",
        &format!(
            r#"{{"Resources": {{
  "Role": {{"Type": "AWS::IAM::Role", "Properties": {{"RoleName": "datadog-cost", "AssumeRolePolicyDocument": {trust}}}}},
  "Read": {{"Type": "AWS::IAM::RolePolicy", "Properties": {{"PolicyName": "read", "RoleName": {{"Ref": "Role"}}, "PolicyDocument": {read}}}}}}}}}"#
        ),
    );
    assert_eq!(req("datadog-cost"), Vec::<String>::new());
    // the role alone: every call is missing, said at its trust policy
    d.write(
        "stack.json",
        &format!(
            r#"{{"Resources": {{
  "Role": {{"Type": "AWS::IAM::Role", "Properties": {{"RoleName": "datadog-cost", "AssumeRolePolicyDocument": {trust}}}}},
  "Lambda": {{"Type": "AWS::IAM::Role", "Properties": {{"AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Service": "lambda.amazonaws.com"}}, "Action": "sts:AssumeRole"}}]}}, "Policies": [{{"PolicyName": "all", "PolicyDocument": {read}}}]}}}}}}}}"#
        ),
    );
    let found = req("datadog-cost");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("the role `datadog-cost` has no policy in the run"),
        "{found:?}"
    );
    // Terraform: `managed_policy_arns` on the role
    std::fs::remove_file(d.path().join("stack.json")).unwrap();
    d.write(
        "main.tf",
        &format!(
            "resource \"aws_iam_role\" \"datadog\" {{\n  name                = \"datadog-cost\"\n  assume_role_policy  = <<EOF\n{trust}\nEOF\n  managed_policy_arns = [aws_iam_policy.read.arn]\n}}\n\nresource \"aws_iam_policy\" \"read\" {{\n  name   = \"read\"\n  policy = <<EOF\n{read}\nEOF\n}}\n"
        ),
    );
    assert_eq!(req("datadog-cost"), Vec::<String>::new());
    // a policy-document data source of another role is that role's
    d.write(
        "main.tf",
        &format!(
            "resource \"aws_iam_role\" \"datadog\" {{\n  name               = \"datadog-cost\"\n  assume_role_policy = <<EOF\n{trust}\nEOF\n}}\n\nresource \"aws_iam_role\" \"other\" {{\n  name               = \"other\"\n  assume_role_policy = <<EOF\n{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Principal\": {{\"Service\": \"lambda.amazonaws.com\"}}, \"Action\": \"sts:AssumeRole\"}}]}}\nEOF\n}}\n\ndata \"aws_iam_policy_document\" \"all\" {{\n  statement {{\n    actions   = [\"s3:*\", \"bcm-data-exports:*\", \"cur:*\", \"ce:*\", \"organizations:*\"]\n    resources = [\"*\"]\n  }}\n}}\n\nresource \"aws_iam_role_policy\" \"other\" {{\n  role   = aws_iam_role.other.id\n  policy = data.aws_iam_policy_document.all.json\n}}\n"
        ),
    );
    let found = req("datadog-cost");
    assert!(
        found.iter().any(|m| m.contains("has no policy in the run")),
        "{found:?}"
    );
}

/// A platform the run's documents name but whose profile lacks the run's scenario does not
/// stop the run: the scenario's requirements stay OptScale's, and a note says so.
#[test]
fn an_inferred_platform_without_the_scenario_falls_back_with_a_note() {
    let d = common::tempdir::Dir::new();
    let t = d.write(
        "cloudzero-trust.json",
        &trust(r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::061190967865:root"}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "9f3c2a7e41b84d6f8e0a5c1d2b3e4f50"}}}"#),
    );
    let out = common::run(&[
        "check",
        "--no-config",
        "--scenario",
        "linked",
        "--bucket",
        "acme-finops-billing",
        "--account-id",
        "402938475610",
        &t,
    ]);
    assert_ne!(out.code, 2, "{}", out.stderr);
    let out = common::run(&[
        "check",
        "--no-config",
        "--scenario",
        "root-create-export",
        "--bucket",
        "acme-finops-billing",
        "--account-id",
        "402938475610",
        &t,
    ]);
    assert_ne!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("has no `root-create-export` scenario"),
        "{}",
        out.stderr
    );
}

/// `{role}` in a profile's requirement is the role `--role` names.
#[test]
fn the_role_template_is_the_named_role() {
    let d = common::tempdir::Dir::new();
    let sim = |role: &str| {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "iam:SimulatePrincipalPolicy", "Resource": "arn:aws:iam::402938475610:role/{role}"}}]}}"#
        )
    };
    let run = |role: Option<&str>, granted: &str| {
        d.write("policy.json", &sim(granted));
        let p = d.path().join("policy.json").to_string_lossy().to_string();
        let extra: Vec<&str> = role.map(|r| vec!["--role", r]).unwrap_or_default();
        missing("harness", &p, &extra)
            .iter()
            .any(|(_, m)| m.contains("iam:SimulatePrincipalPolicy"))
    };
    assert!(!run(Some("HarnessCERole"), "HarnessCERole"));
    assert!(run(Some("HarnessCERole"), "finops-platform"));
    assert!(!run(None, "finops-platform"));
}

/// With `--role` naming a template's logical ID, the connection's role name is compared with the
/// name the template gives it; and only that role's trust policy holds the external ID.
#[test]
fn the_connection_is_compared_with_the_role_the_template_declares() {
    let d = common::tempdir::Dir::new();
    let conn = |name: &str, id: &str| {
        format!(
            r#"{{"access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": "<secret from the access key CSV>", "config_scheme": "bucket_only", "bucket_name": "acme-finops-billing", "bucket_prefix": "reports", "report_name": "finops", "assume_role_account_id": "402938475610", "assume_role_name": "{name}", "assume_role_external_id": "{id}", "cur_version": 2, "linked": false}}"#
        )
    };
    let role_trust = |id: &str| {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::530981257463:root"}}, "Action": "sts:AssumeRole", "Condition": {{"StringEquals": {{"sts:ExternalId": "{id}"}}}}}}]}}"#
        )
    };
    d.write(
        "stack.json",
        &format!(
            r#"{{"Resources": {{
  "FinOpsRole": {{"Type": "AWS::IAM::Role", "Properties": {{"RoleName": "optscale-reader", "AssumeRolePolicyDocument": {}}}}},
  "OtherRole": {{"Type": "AWS::IAM::Role", "Properties": {{"RoleName": "other", "AssumeRolePolicyDocument": {}}}}}}}}}"#,
            role_trust("optscale-7d1e5f0a93b2"),
            role_trust("someone-else-0000")
        ),
    );
    d.write(
        "connection.json",
        &conn("optscale-reader", "optscale-7d1e5f0a93b2"),
    );
    let dir = d.path().to_string_lossy().to_string();
    let codes = |extra: &[&str]| {
        let mut a = vec!["--no-config"];
        a.extend(extra);
        a.push(&dir);
        let (_, found, v) = coded(&a);
        (
            found.into_iter().map(|(c, _)| c).collect::<Vec<_>>(),
            v.to_string(),
        )
    };
    // the logical ID stands for the RoleName the connection names
    let (found, v) = codes(&["--role", "FinOpsRole"]);
    assert!(!found.contains(&"OS009".to_string()), "{v}");
    // the other role's external ID is not the platform's: no CON005 with --role
    assert!(!found.contains(&"CON005".to_string()), "{v}");
    let (found, v) = codes(&["--role", "OtherRole"]);
    assert!(found.contains(&"OS009".to_string()), "{v}");
    assert!(found.contains(&"CON005".to_string()), "{v}");
    // a connection whose ID neither role requires
    d.write(
        "connection.json",
        &conn("optscale-reader", "optscale-ffffffffffff"),
    );
    let (found, v) = codes(&["--role", "FinOpsRole"]);
    assert!(found.contains(&"CON005".to_string()), "{v}");
}

/// The second review's cases: a `*` restricted to the platform's account; the deny guard of the
/// external ID; another partition; a second role beside the platform's; a numeric external ID
/// on both sides of a connection.
#[test]
fn trust_policies_as_people_write_them_for_a_platform() {
    let d = common::tempdir::Dir::new();
    let id = "9f3c2a7e41b84d6f8e0a5c1d2b3e4f50";
    let codes = |file: &str, extra: &[&str]| {
        let mut a = vec!["--no-config"];
        a.extend(extra);
        a.push(file);
        let (_, found, v) = coded(&a);
        (
            found.into_iter().map(|(c, _)| c).collect::<Vec<_>>(),
            v.to_string(),
        )
    };
    let restricted = d.write(
        "restricted-star.json",
        &trust(&format!(r#"{{"Effect": "Allow", "Principal": {{"AWS": "*"}}, "Action": "sts:AssumeRole", "Condition": {{"StringEquals": {{"aws:PrincipalAccount": "464622532012", "sts:ExternalId": "{id}"}}}}}}"#)),
    );
    let (found, v) = codes(&restricted, &["--platform", "datadog"]);
    assert!(!found.contains(&"TRU001".to_string()), "{v}");
    // restricted to another account, it is not the platform's
    let elsewhere = d.write(
        "restricted-elsewhere.json",
        &trust(&format!(r#"{{"Effect": "Allow", "Principal": {{"AWS": "*"}}, "Action": "sts:AssumeRole", "Condition": {{"StringEquals": {{"aws:PrincipalAccount": "210987654321", "sts:ExternalId": "{id}"}}}}}}"#)),
    );
    let (found, v) = codes(&elsewhere, &["--platform", "datadog"]);
    assert!(found.contains(&"TRU001".to_string()), "{v}");
    // the external ID required by a Deny guard: the Allow needs no condition of its own
    let guard = d.write(
        "guard.json",
        &trust(&format!(r#"{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::464622532012:root"}}, "Action": "sts:AssumeRole"}}, {{"Effect": "Deny", "Principal": {{"AWS": "*"}}, "Action": "sts:AssumeRole", "Condition": {{"StringNotEquals": {{"sts:ExternalId": "{id}"}}}}}}"#)),
    );
    let (found, v) = codes(&guard, &["--platform", "datadog"]);
    assert!(!found.contains(&"TRU002".to_string()), "{v}");
    // Datadog's account number in the China partition is another account
    let cn = d.write(
        "china.json",
        &trust(&format!(r#"{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws-cn:iam::464622532012:root"}}, "Action": "sts:AssumeRole", "Condition": {{"StringEquals": {{"sts:ExternalId": "{id}"}}}}}}"#)),
    );
    let (found, v) = codes(&cn, &["--platform", "datadog"]);
    assert!(found.contains(&"TRU001".to_string()), "{v}");
    // a template with the platform's role and another role of another account
    let two = d.write(
        "two-roles.json",
        &format!(
            r#"{{"Resources": {{
  "Datadog": {{"Type": "AWS::IAM::Role", "Properties": {{"AssumeRolePolicyDocument": {}}}}},
  "Audit": {{"Type": "AWS::IAM::Role", "Properties": {{"AssumeRolePolicyDocument": {}}}}}}}}}"#,
            trust(&format!(r#"{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::464622532012:root"}}, "Action": "sts:AssumeRole", "Condition": {{"StringEquals": {{"sts:ExternalId": "{id}"}}}}}}"#)),
            trust(r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "sts:AssumeRole"}"#)
        ),
    );
    let (found, v) = codes(&two, &["--platform", "datadog"]);
    assert!(!found.contains(&"TRU001".to_string()), "{v}");
    // a number as the external ID, a string of its digits in the connection
    let run = d.path().join("numeric");
    std::fs::create_dir_all(&run).unwrap();
    std::fs::write(
        run.join("trust.json"),
        trust(r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::530981257463:root"}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": 918273645501}}}"#),
    )
    .unwrap();
    std::fs::write(
        run.join("connection.json"),
        r#"{"access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": "<secret from the access key CSV>", "config_scheme": "bucket_only", "bucket_name": "acme-finops-billing", "bucket_prefix": "reports", "report_name": "finops", "assume_role_account_id": "402938475610", "assume_role_name": "optscale-reader", "assume_role_external_id": "918273645501", "cur_version": 2, "linked": false}"#,
    )
    .unwrap();
    let (found, v) = codes(&run.to_string_lossy(), &["--platform", "optscale"]);
    assert!(!found.contains(&"CON005".to_string()), "{v}");
}

/// The role's policies attached by its declared name while `--role` gives the logical ID or
/// label; a role with only an AWS-managed policy (a warning: not evaluated); the platform's role
/// without any policy, found without `--role`.
#[test]
fn a_roles_policies_named_by_its_declared_name_and_policies_outside_the_run() {
    let d = common::tempdir::Dir::new();
    let bucket_policy =
        std::fs::read_to_string(root().join("examples/onboarding/bucket-policy.json")).unwrap();
    d.write("bucket-policy.json", &bucket_policy);
    let read = DATADOG_READ;
    let trust = DATADOG_TRUST;
    let dir = d.path().to_string_lossy().to_string();
    let req = |role: Option<&str>| {
        let extra: Vec<&str> = role.map(|r| vec!["--role", r]).unwrap_or_default();
        missing("datadog", &dir, &extra)
            .into_iter()
            .map(|(severity, m)| format!("{severity} {m}"))
            .collect::<Vec<_>>()
    };
    d.write(
        "stack.json",
        &format!(
            r#"{{"Resources": {{
  "FinOpsPlatformRole": {{"Type": "AWS::IAM::Role", "Properties": {{"RoleName": "finops-platform", "AssumeRolePolicyDocument": {trust}}}}},
  "Read": {{"Type": "AWS::IAM::Policy", "Properties": {{"PolicyName": "read", "Roles": ["finops-platform"], "PolicyDocument": {read}}}}}}}}}"#
        ),
    );
    assert_eq!(req(Some("FinOpsPlatformRole")), Vec::<String>::new());
    // only an AWS-managed policy: a warning that it is not evaluated
    d.write(
        "stack.json",
        &format!(
            r#"{{"Resources": {{
  "FinOpsPlatformRole": {{"Type": "AWS::IAM::Role", "Properties": {{"RoleName": "finops-platform", "AssumeRolePolicyDocument": {trust}, "ManagedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}}}}}}}}"#
        ),
    );
    let found = req(Some("finops-platform"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("warning "), "{found:?}");
    assert!(
        found[0].contains("only policies it does not hold"),
        "{found:?}"
    );
    // no policy at all, no --role: the role that trusts the platform is the platform's
    d.write(
        "stack.json",
        &format!(
            r#"{{"Resources": {{
  "FinOpsPlatformRole": {{"Type": "AWS::IAM::Role", "Properties": {{"RoleName": "finops-platform", "AssumeRolePolicyDocument": {trust}}}}}}}}}"#
        ),
    );
    let found = req(None);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("error the role the platform assumes has no policy in the run"),
        "{found:?}"
    );
    // Terraform: an attachment by the role's declared name, `--role` giving the label
    std::fs::remove_file(d.path().join("stack.json")).unwrap();
    d.write(
        "main.tf",
        &format!(
            "resource \"aws_iam_role\" \"dd\" {{\n  name               = \"datadog-integration\"\n  assume_role_policy = <<EOF\n{trust}\nEOF\n}}\n\nresource \"aws_iam_policy\" \"read\" {{\n  name   = \"read\"\n  policy = <<EOF\n{read}\nEOF\n}}\n\nresource \"aws_iam_role_policy_attachment\" \"read\" {{\n  role       = \"datadog-integration\"\n  policy_arn = aws_iam_policy.read.arn\n}}\n"
        ),
    );
    assert_eq!(req(Some("dd")), Vec::<String>::new());
}
