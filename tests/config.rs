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
        "[onboarding]\nbucket = \"other-bucket\"\nplatform = \"optscale\"\n",
    );
    dir.write("export.json", &EXPORT_MONTHLY.replace("MONTHLY", "DAILY"));
    let p = dir.path().to_str().unwrap();
    let (_, v) = json_findings(&[p]);
    assert!(codes(&v).iter().any(|c| c.0 == "EXP009"), "{v:#}");
    let (_, v) = json_findings(&["--bucket", "acme-finops-billing", p]);
    assert!(codes(&v).is_empty(), "{v:#}");
    let (_, v) = json_findings(&["--no-config", "--platform", "optscale", p]);
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

// ---- globs relative to the configuration's folder, however the tool is called ----

const BAD_POLICY: &str =
    r#"{"Statement": [{"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}]}"#;

/// A repository whose configuration takes `infra/`, leaves out `infra/drafts/` and ignores
/// POL005 in `infra/legacy/`; a broken file in `docs/` and in `infra/drafts/` would be reported
/// if read. Its `repo/` sits beside an `elsewhere/` folder.
fn repo() -> tempdir::Dir {
    let dir = tempdir::Dir::new();
    dir.write(
        "repo/finops-lint.toml",
        r#"[files]
include = ["infra/**"]
exclude = ["infra/drafts"]

[[ignore]]
rules = ["POL005"]
paths = ["infra/legacy/*.json"]
reason = "replaced by the new policy next quarter"
"#,
    );
    dir.write("repo/infra/p.json", BAD_POLICY);
    dir.write("repo/infra/legacy/p.json", BAD_POLICY);
    dir.write("repo/infra/drafts/broken.json", "{");
    dir.write("repo/docs/broken.json", "{");
    std::fs::create_dir_all(dir.path().join("elsewhere")).unwrap();
    dir
}

/// Run the binary in `cwd` (relative to the temporary folder) and return the exit code and
/// `(file relative to repo/, code)` of every finding.
fn from(dir: &tempdir::Dir, cwd: &str, args: &[&str]) -> (i32, Vec<(String, String)>, String) {
    let cwd = dir.path().join(cwd);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_finops-lint"))
        .current_dir(&cwd)
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let v: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    let repo = std::fs::canonicalize(dir.path().join("repo")).unwrap();
    let mut found: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = f["file"].as_str().unwrap();
            let abs = std::fs::canonicalize(cwd.join(file)).unwrap();
            let rel = abs
                .strip_prefix(&repo)
                .unwrap_or(&abs)
                .to_string_lossy()
                .to_string();
            (rel, f["code"].as_str().unwrap().to_string())
        })
        .collect();
    found.sort();
    (out.status.code().unwrap_or(-1), found, stderr)
}

/// What every form of the call reports: `infra/` read, its drafts left out, POL005 ignored in
/// `infra/legacy/`, `docs/` not read, and no configuration finding (the ignore is used).
fn assert_configured(dir: &tempdir::Dir, cwd: &str, args: &[&str]) {
    let (code, found, stderr) = from(dir, cwd, args);
    let expected: Vec<(String, String)> = [
        ("infra/legacy/p.json", "POL001"),
        ("infra/p.json", "POL001"),
        ("infra/p.json", "POL005"),
    ]
    .iter()
    .map(|(f, c)| (f.to_string(), c.to_string()))
    .collect();
    assert_eq!(found, expected, "`{}` in {cwd}: {stderr}", args.join(" "));
    assert_eq!(code, 1, "{stderr}");
}

#[test]
fn globs_apply_to_a_folder_named_with_a_trailing_slash() {
    let d = repo();
    assert_configured(&d, "repo", &["infra/"]);
}

#[test]
fn globs_apply_to_a_folder_named_relative() {
    let d = repo();
    assert_configured(&d, "repo", &["infra"]);
    assert_configured(&d, "repo", &["./infra"]);
}

#[test]
fn globs_apply_to_the_current_folder() {
    let d = repo();
    assert_configured(&d, "repo", &["."]);
}

#[test]
fn globs_apply_to_absolute_paths() {
    let d = repo();
    let infra = d.path().join("repo/infra");
    assert_configured(&d, "repo", &[infra.to_str().unwrap()]);
    let root = d.path().join("repo");
    assert_configured(&d, "repo", &[root.to_str().unwrap()]);
}

#[test]
fn globs_apply_to_named_files() {
    // as pre-commit names them, from the repository's root
    let d = repo();
    let files = [
        "infra/p.json",
        "./infra/legacy/p.json",
        "infra/drafts/broken.json",
        "docs/broken.json",
    ];
    assert_configured(&d, "repo", &files);
}

#[test]
fn globs_apply_from_a_subfolder_with_the_configuration_found_upwards() {
    let d = repo();
    assert_configured(&d, "repo/infra", &["."]);
    assert_configured(
        &d,
        "repo/infra",
        &["p.json", "legacy/p.json", "drafts/broken.json"],
    );
    assert_configured(&d, "repo/infra", &[".."]);
    // from above the repository
    assert_configured(&d, ".", &["repo/infra"]);
}

#[test]
fn globs_apply_with_a_configuration_named_elsewhere() {
    let d = repo();
    let cfg = d.path().join("repo/finops-lint.toml");
    let infra = d.path().join("repo/infra");
    assert_configured(
        &d,
        "elsewhere",
        &["--config", cfg.to_str().unwrap(), infra.to_str().unwrap()],
    );
    assert_configured(
        &d,
        "elsewhere",
        &["--config", "../repo/finops-lint.toml", "../repo/infra"],
    );
    assert_configured(&d, "repo/infra", &["--config", "../finops-lint.toml", "."]);
}

#[test]
fn an_include_that_takes_none_of_the_files_found_fails_the_run() {
    let d = repo();
    // the folder holds files, none of which `include` takes: not a silent pass
    let (code, found, _) = from(&d, "repo", &["docs"]);
    assert_eq!(code, 1);
    let errors: Vec<&(String, String)> = found.iter().filter(|f| f.1 != "SUP001").collect();
    assert_eq!(
        errors,
        vec![&("finops-lint.toml".to_string(), "CFG001".to_string())]
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_finops-lint"))
        .current_dir(d.path().join("repo"))
        .args(["check", "--format", "concise", "docs"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "finops-lint.toml:2:11: error[CFG001] `include` takes none of the 1 file found"
        ),
        "{text}"
    );
    // files named one by one (pre-commit), all left out: a note, and the run passes
    let (code, found, stderr) = from(
        &d,
        "repo",
        &["docs/broken.json", "infra/drafts/broken.json"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(found.iter().all(|f| f.1 == "SUP001"), "{found:?}");
    assert!(stderr.contains("leaves out all 2 files given"), "{stderr}");
}

// ---- invalid values do not silence rules or stop the run ----

#[test]
fn an_invalid_severity_keeps_the_rule_at_its_default() {
    let dir = tempdir::Dir::new();
    dir.write(
        "finops-lint.toml",
        "[rules]\nseverity = { POL005 = \"of\", POL001 = \"off\" }\nselect = [\"PL0\"]\n",
    );
    dir.write("p.json", BAD_POLICY);
    let (code, v) = json_findings(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    let found: Vec<(String, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // POL005 stays an error, POL001 is off, and a selection of typos selects nothing away
    assert!(
        found.contains(&("POL005".into(), "error".into(), "\"allow\"".into())),
        "{found:?}"
    );
    assert!(!found.iter().any(|f| f.0 == "POL001"), "{found:?}");
    assert!(
        found.contains(&("CFG001".into(), "error".into(), "of".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("CFG001".into(), "error".into(), "PL0".into())),
        "{found:?}"
    );
}

#[test]
fn bad_onboarding_values_are_findings_in_the_configuration() {
    let dir = tempdir::Dir::new();
    dir.write(
        "finops-lint.toml",
        "[onboarding]\naccount-id = \"4029-3847-5610\"\nbucket = \"s3://acme-finops-billing\"\nscenario = \"root-existng-export\"\n",
    );
    dir.write("p.json", BAD_POLICY);
    let (code, v) = json_findings(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{v:#}");
    let cfg: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"].as_str().unwrap().ends_with("finops-lint.toml"))
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for value in [
        "4029-3847-5610",
        "s3://acme-finops-billing",
        "root-existng-export",
    ] {
        assert!(
            cfg.iter().any(|(c, t)| c == "CFG001" && t.contains(value)),
            "{value}: {cfg:?}"
        );
    }
    // the policy is still checked
    assert!(codes(&v).iter().any(|c| c.0 == "POL005"), "{v:#}");
    // the flags keep their usage errors
    let p = dir.path().to_str().unwrap();
    assert_eq!(run(&["check", "--account-id", "4029-3847-5610", p]).code, 2);
    assert_eq!(run(&["check", "--bucket", "s3://x", p]).code, 2);
    // a scenario the configuration names without the bucket and account: a finding at it
    dir.write(
        "finops-lint.toml",
        "[onboarding]\nscenario = \"root-existing-export\"\n",
    );
    let (code, v) = json_findings(&[p]);
    assert_eq!(code, 1, "{v:#}");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CFG001")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(f["text"], "root-existing-export", "{f:#}");
    // the same scenario as a flag is a usage error
    assert_eq!(
        run(&[
            "check",
            "--no-config",
            "--scenario",
            "root-existing-export",
            p
        ])
        .code,
        2
    );
}

/// A `finops-lint.toml` a pull request adds as a symbolic link to a file elsewhere on the CI
/// machine (a credentials file) is not read: its text would be shown in CFG001 findings. A link
/// to a configuration inside the tree is read.
#[cfg(unix)]
#[test]
fn a_discovered_configuration_linked_out_of_the_tree_is_not_read() {
    let dir = tempdir::Dir::new();
    let creds = dir.write(
        "home/.cargo/credentials.toml",
        "[registry]\ntoken = \"cio_PLANTEDVALUE0123456789\"\n",
    );
    let policy = dir.write(
        "repo/p.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}",
    );
    std::os::unix::fs::symlink(&creds, dir.path().join("repo/finops-lint.toml")).unwrap();
    let out = common::run(&["check", "--format", "json", &policy]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stderr.contains("symbolic link"), "{}", out.stderr);
    assert!(!out.stdout.contains("PLANTED") && !out.stderr.contains("PLANTED"));
    // named with --config, the user chose it: it is read (and is no configuration)
    let out = common::run(&["check", "--format", "json", "--config", &creds, &policy]);
    assert!(out.stdout.contains("CFG001"), "{}", out.stdout);
    // a link to a configuration inside the tree is read
    dir.write("repo/shared/base.toml", "[rules]\nselect = [\"POL001\"]\n");
    std::fs::remove_file(dir.path().join("repo/finops-lint.toml")).unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("repo/shared/base.toml"),
        dir.path().join("repo/finops-lint.toml"),
    )
    .unwrap();
    let out = common::run(&["check", "--format", "json", &policy]);
    assert_ne!(out.code, 2, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.iter().all(|c| *c == "POL001"), "{codes:?}");
}

#[test]
fn severities_take_the_spellings_users_type_and_a_typo_changes_nothing_else() {
    let dir = tempdir::Dir::new();
    dir.write(
        "p.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::<bucket_name>/*"}]}"#,
    );
    let p = dir.path().to_str().unwrap();
    let of_val001 = |value: &str| {
        dir.write(
            "finops-lint.toml",
            &format!("[rules]\nseverity = {{ VAL001 = \"{value}\" }}\n"),
        );
        let (_, v) = json_findings(&[p]);
        codes(&v)
            .into_iter()
            .map(|(code, sev, _)| format!("{code} {sev}"))
            .collect::<Vec<_>>()
    };
    assert_eq!(of_val001("warn"), ["VAL001 warning"]);
    assert_eq!(of_val001("warning"), ["VAL001 warning"]);
    assert_eq!(of_val001("err"), ["VAL001 error"]);
    assert_eq!(of_val001("info"), ["VAL001 info"]);
    assert!(of_val001("ignore").is_empty());
    assert!(of_val001("off").is_empty());
    // a value that is none of them: a finding with the closest spelling, the rule as it was
    assert_eq!(of_val001("warnig"), ["VAL001 error", "CFG001 error"]);
    let (_, v) = json_findings(&[p]);
    let cfg = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CFG001")
        .unwrap();
    assert!(
        cfg["help"].as_str().unwrap().contains("`\"warning\"`"),
        "{cfg:#}"
    );
}

/// `finops-lint init`: a starter configuration that the flags fill, that `check` reads without a
/// finding of its own, and that is never written over without `--force`.
#[test]
fn init_writes_a_starter_configuration_that_check_applies() {
    let dir = tempdir::Dir::new();
    let p = dir.path().to_str().unwrap().to_string();
    let out = run(&[
        "init",
        &p,
        "--bucket",
        "other-bucket",
        "--account-id",
        "402938475610",
        "--export-type",
        "cur2",
        "--platform",
        "optscale",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("wrote "), "{}", out.stdout);
    let written = std::fs::read_to_string(dir.path().join("finops-lint.toml")).unwrap();
    assert!(written.contains("bucket = \"other-bucket\""), "{written}");
    assert!(written.contains("# scenario = "), "{written}");
    assert!(written.contains("platform = \"optscale\""), "{written}");
    // the configuration is applied (its bucket differs from the export's) and has no finding
    dir.write("export.json", &EXPORT_MONTHLY.replace("MONTHLY", "DAILY"));
    let (_, v) = json_findings(&[&p]);
    let c = codes(&v);
    assert!(c.iter().any(|c| c.0 == "EXP009"), "{v:#}");
    assert!(!c.iter().any(|c| c.0 == "CFG001"), "{v:#}");
    // an existing configuration is kept without --force
    let out = run(&["init", &p]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--force"), "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("finops-lint.toml")).unwrap(),
        written
    );
    let out = run(&["init", &p, "--force", "--platform", "optscale"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let (_, v) = json_findings(&[&p]);
    assert!(codes(&v).is_empty(), "{v:#}");
    // bad values are usage errors, and nothing is written
    let other = tempdir::Dir::new();
    let q = other.path().to_str().unwrap().to_string();
    for bad in [
        vec!["--account-id", "4029-3847-561"],
        vec!["--bucket", "s3://acme"],
        vec!["--scenario", "root"],
        vec!["--prefix", "/reports/"],
    ] {
        let mut a = vec!["init", q.as_str()];
        a.extend(bad.iter().copied());
        let out = run(&a);
        assert_eq!(out.code, 2, "{bad:?}: {}", out.stderr);
        assert!(!other.path().join("finops-lint.toml").exists(), "{bad:?}");
    }
}

/// Each file is checked with the nearest `finops-lint.toml` above it, as ruff finds its
/// settings: a subfolder's configuration governs its files (onboarding values, selection), the
/// parent's the others; `--config` applies one to all; each configuration's files are a run of
/// their own for the checks across files (issue 16).
#[test]
fn each_file_takes_the_nearest_configuration_above_it() {
    let dir = tempdir::Dir::new();
    dir.write(
        "finops-lint.toml",
        "[onboarding]\nbucket = \"acme-finops-billing\"\n",
    );
    dir.write("export.json", EXPORT_MONTHLY);
    dir.write(
        "staging/finops-lint.toml",
        "[onboarding]\nbucket = \"acme-staging-billing\"\n\n[rules]\nseverity = { EXP004 = \"off\" }\n",
    );
    dir.write(
        "staging/export.json",
        &EXPORT_MONTHLY.replace("acme-finops-billing", "acme-staging-billing"),
    );
    let p = dir.path().to_str().unwrap();
    let (_, v) = json_findings(&[p]);
    let c = codes(&v);
    // the bucket of each export is its configuration's: no EXP009 in either
    assert!(!c.iter().any(|c| c.0 == "EXP009"), "{v:#}");
    // EXP004 is off in staging only
    let exp004: Vec<_> = c.iter().filter(|c| c.0 == "EXP004").collect();
    assert_eq!(exp004.len(), 1, "{v:#}");
    assert!(!exp004[0].2.contains("staging"), "{v:#}");
    // the same from inside the subfolder, and with the files named one by one (pre-commit)
    let (_, v) = json_findings(&[
        &format!("{p}/staging/export.json"),
        &format!("{p}/export.json"),
    ]);
    let c = codes(&v);
    assert!(!c.iter().any(|c| c.0 == "EXP009"), "{v:#}");
    assert_eq!(c.iter().filter(|c| c.0 == "EXP004").count(), 1, "{v:#}");
    // --config applies one configuration to every file
    let root = format!("{p}/finops-lint.toml");
    let (_, v) = json_findings(&["--config", &root, p]);
    let c = codes(&v);
    assert_eq!(c.iter().filter(|c| c.0 == "EXP009").count(), 1, "{v:#}");
    assert_eq!(c.iter().filter(|c| c.0 == "EXP004").count(), 2, "{v:#}");
    // a configuration's own findings are reported for each configuration
    dir.write(
        "staging/finops-lint.toml",
        "[onboarding]\nbucket = \"acme-staging-billing\"\n\n[rules]\nseverity = { EXP004 = \"of\" }\n",
    );
    let (_, v) = json_findings(&[p]);
    let cfg: Vec<_> = codes(&v).into_iter().filter(|c| c.0 == "CFG001").collect();
    assert_eq!(cfg.len(), 1, "{v:#}");
    assert!(cfg[0].2.contains("staging"), "{v:#}");
}
