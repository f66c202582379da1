//! Where findings point: the primary span is the text the user edits (issue 16). Each case
//! asserts the underlined text of a finding: the statement's `Action` list that should carry a
//! missing action, the `Resource` value that is wrong, the `"Effect": "Deny"` of a Deny in the
//! way, the simulation field that states the cause. And `--fix` completes a policy where the
//! edit is certain.

mod common;

use common::{json_findings, run, tempdir::Dir};

const B: &str = "acme-finops-billing";
const A: &str = "402938475610";

fn scenario_args<'a>(file: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "--no-config",
        "--scenario",
        "root-existing-export",
        "--bucket",
        B,
        "--account-id",
        A,
    ];
    a.extend_from_slice(extra);
    a.push(file);
    a
}

/// The findings of `code`, as `(underlined text, fix applicability or "", the finding)`.
fn of(v: &serde_json::Value, code: &str) -> Vec<(String, String, serde_json::Value)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .map(|f| {
            (
                f["text"].as_str().unwrap_or("").to_string(),
                f["fix"]["applicability"].as_str().unwrap_or("").to_string(),
                f.clone(),
            )
        })
        .collect()
}

/// The guides' ReadOnly policy with the bucket filled in, less the given actions.
fn readonly_without(dir: &Dir, drop: &[&str]) -> String {
    let mut text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/onboarding/readonly-policy.json"
    ))
    .unwrap();
    for a in drop {
        text = text
            .replace(&format!(",\n        \"{a}\""), "")
            .replace(&format!("\n        \"{a}\","), "");
    }
    for a in drop {
        assert!(!text.contains(a), "the example still has {a}");
    }
    dir.write("readonly.json", &text)
}

#[test]
fn a_missing_action_points_at_the_statement_that_should_carry_it_and_fix_adds_it() {
    let dir = Dir::new();
    let file = readonly_without(&dir, &["s3:GetBucketLocation"]);
    let (_, v) = json_findings(&scenario_args(&file, &[]));
    let req = of(&v, "REQ001");
    let bucket_ops: Vec<_> = req
        .iter()
        .filter(|(_, _, f)| {
            f["message"]
                .as_str()
                .unwrap()
                .starts_with("ReadOnly bucket access")
        })
        .collect();
    assert_eq!(bucket_ops.len(), 1, "{v:#}");
    let (text, fix, f) = bucket_ops[0];
    // the BucketOperations statement's Action list, not `"Statement"`
    assert_eq!(
        text.split_whitespace().collect::<String>(),
        "[\"s3:ListBucket\"]"
    );
    assert_eq!(fix, "safe", "{f:#}");
    assert!(f["help"]
        .as_str()
        .unwrap()
        .contains("statement `BucketOperations`"));

    // --fix adds it to BucketOperations; a second run reports nothing for it
    let out = run(&{
        let mut a = vec!["check", "--fix"];
        a.extend(scenario_args(&file, &[]));
        a
    });
    assert!(out.stderr.contains("fixed 1 finding"), "{}", out.stderr);
    let fixed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let ops = fixed["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "BucketOperations")
        .unwrap();
    assert_eq!(
        ops["Action"],
        serde_json::json!(["s3:ListBucket", "s3:GetBucketLocation"])
    );
    let (_, v) = json_findings(&scenario_args(&file, &[]));
    assert!(
        !v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["message"]
                .as_str()
                .unwrap()
                .contains("s3:GetBucketLocation")
                && f["code"] == "REQ001"),
        "{v:#}"
    );
}

#[test]
fn a_missing_action_in_a_string_action_makes_a_list() {
    let dir = Dir::new();
    let file = dir.write(
        "p.json",
        r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "BucketOperations", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::acme-finops-billing"},
  {"Sid": "GetObject", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-finops-billing/*"}
]}"#,
    );
    let (_, v) = json_findings(&scenario_args(&file, &[]));
    let req = of(&v, "REQ001");
    let hit = req
        .iter()
        .find(|(t, _, _)| t == "\"s3:ListBucket\"")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(hit.1, "safe");
    assert_eq!(
        hit.2["fix"]["edits"][0]["replacement"],
        "[\"s3:ListBucket\", \"s3:GetBucketLocation\"]"
    );
}

#[test]
fn a_statement_with_a_condition_or_broader_resources_is_pointed_at_without_a_safe_fix() {
    let dir = Dir::new();
    let file = dir.write(
        "p.json",
        r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "BucketOperations", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": "arn:aws:s3:::acme-finops-billing",
   "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
  {"Sid": "GetObject", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-finops-billing/*"}
]}"#,
    );
    let (_, v) = json_findings(&scenario_args(&file, &[]));
    let hit = of(&v, "REQ001")
        .into_iter()
        .find(|(t, _, _)| t == "[\"s3:ListBucket\"]")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(
        hit.1, "",
        "a conditioned statement is no certain place: {:#}",
        hit.2
    );
    assert!(hit.2["help"].as_str().unwrap().contains("`Condition`"));
}

#[test]
fn an_action_on_the_wrong_resource_points_at_the_resource() {
    let dir = Dir::new();
    // s3:GetObject only on the bucket ARN, s3:ListBucket only on its objects
    let file = dir.write(
        "p.json",
        r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "GetObject", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-finops-billing"},
  {"Sid": "List", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"], "Resource": "arn:aws:s3:::acme-finops-billing/*"}
]}"#,
    );
    let (_, v) = json_findings(&scenario_args(&file, &[]));
    let req = of(&v, "REQ001");
    let get = req
        .iter()
        .find(|(_, _, f)| {
            f["message"]
                .as_str()
                .unwrap()
                .contains("`s3:GetObject` is granted on")
        })
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(get.0, "\"arn:aws:s3:::acme-finops-billing\"");
    assert_eq!(get.1, "safe");
    assert_eq!(
        get.2["fix"]["edits"][0]["replacement"],
        "\"arn:aws:s3:::acme-finops-billing/*\""
    );
    let list = req
        .iter()
        .find(|(_, _, f)| f["message"].as_str().unwrap().contains("`s3:ListBucket`"))
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(list.0, "\"arn:aws:s3:::acme-finops-billing/*\"");

    // under another prefix than the export's
    let file = dir.write(
        "q.json",
        r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "BucketOperations", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"], "Resource": "arn:aws:s3:::acme-finops-billing"},
  {"Sid": "GetObject", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-finops-billing/other/*"}
]}"#,
    );
    let (_, v) = json_findings(&scenario_args(&file, &["--prefix", "reports"]));
    let req: Vec<_> = of(&v, "REQ001")
        .into_iter()
        .filter(|f| f.2["severity"] == "error")
        .collect();
    assert_eq!(req.len(), 1, "{v:#}");
    assert_eq!(req[0].0, "\"arn:aws:s3:::acme-finops-billing/other/*\"");
    assert!(req[0].2["help"]
        .as_str()
        .unwrap()
        .contains("arn:aws:s3:::acme-finops-billing/reports/*"));
}

#[test]
fn delivery_grants_point_at_the_resource_or_the_action_list() {
    let dir = Dir::new();
    let policy = |action: &str, resource: &str| {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "Delivery", "Effect": "Allow",
  "Principal": {{"Service": ["billingreports.amazonaws.com", "bcm-data-exports.amazonaws.com"]}},
  "Action": {action}, "Resource": {resource},
  "Condition": {{"StringLike": {{"aws:SourceAccount": "{A}", "aws:SourceArn": ["arn:aws:cur:us-east-1:{A}:definition/*", "arn:aws:bcm-data-exports:us-east-1:{A}:export/*"]}}}}}}]}}"#
        )
    };
    let both = r#"["s3:PutObject", "s3:GetBucketPolicy"]"#;
    let args = |f: &str| json_findings(&["--no-config", "--bucket", B, "--account-id", A, f]);
    // s3:PutObject for the delivery service on the bucket ARN: the Resource
    let f = dir.write(
        "a.json",
        &policy(both, "\"arn:aws:s3:::acme-finops-billing\""),
    );
    let (_, v) = args(&f);
    let bp = of(&v, "BP002");
    assert_eq!(bp.len(), 1, "{v:#}");
    assert_eq!(bp[0].0, "\"arn:aws:s3:::acme-finops-billing\"");
    assert_eq!(bp[0].1, "safe");
    // s3:GetBucketPolicy only on objects: the Resource
    let f = dir.write(
        "b.json",
        &policy(both, "\"arn:aws:s3:::acme-finops-billing/*\""),
    );
    let (_, v) = args(&f);
    let bp = of(&v, "BP003");
    assert_eq!(bp[0].0, "\"arn:aws:s3:::acme-finops-billing/*\"", "{v:#}");
    // s3:GetBucketPolicy not listed: the Action, and the fix adds it
    let f = dir.write(
        "c.json",
        &policy(
            "\"s3:PutObject\"",
            r#"["arn:aws:s3:::acme-finops-billing", "arn:aws:s3:::acme-finops-billing/*"]"#,
        ),
    );
    let (_, v) = args(&f);
    let bp = of(&v, "BP003");
    assert_eq!(bp[0].0, "\"s3:PutObject\"", "{v:#}");
    let out = run(&[
        "check",
        "--fix",
        "--no-config",
        "--bucket",
        B,
        "--account-id",
        A,
        &f,
    ]);
    assert!(out.stderr.contains("fixed 1 finding"), "{}", out.stderr);
    let (code, v) = args(&f);
    assert_eq!(code, 0, "{v:#}");
    // another bucket: BP004 at the value, with the run's bucket as a safe fix, and no BP002/3
    let f = dir.write(
        "d.json",
        &policy(
            both,
            r#"["arn:aws:s3:::acme-staging", "arn:aws:s3:::acme-staging/*"]"#,
        ),
    );
    let (_, v) = args(&f);
    assert!(
        of(&v, "BP002").is_empty() && of(&v, "BP003").is_empty(),
        "{v:#}"
    );
    let bp4 = of(&v, "BP004");
    assert_eq!(bp4.len(), 2);
    assert_eq!(bp4[0].0, "arn:aws:s3:::acme-staging");
    assert_eq!(bp4[0].1, "safe");
}

#[test]
fn a_deny_points_at_its_effect_and_says_why_it_matches() {
    let dir = Dir::new();
    let file = dir.write(
        "p.json",
        r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "BucketOperations", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"], "Resource": "arn:aws:s3:::acme-finops-billing"},
  {"Sid": "GetObject", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-finops-billing/*"},
  {"Sid": "OfficeOnly", "Effect": "Deny", "Action": "s3:*", "Resource": "*",
   "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
]}"#,
    );
    let (_, v) = json_findings(&scenario_args(&file, &[]));
    let req = of(&v, "REQ002");
    assert_eq!(req.len(), 1, "{v:#}");
    assert_eq!(req[0].0, "\"Effect\": \"Deny\"");
    let note = req[0].2["note"].as_str().unwrap();
    assert!(note.contains("NotIpAddress"), "{note}");
    assert!(note.contains("`s3:GetObject`"), "{note}");
}

#[test]
fn a_simulation_points_at_the_field_that_states_the_cause() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");
    let cases = [
        (
            "SIM002-blocked-by-scp/fail/scp.json",
            "SIM002",
            "\"AllowedByOrganizations\": false",
        ),
        (
            "SIM003-blocked-by-permissions-boundary/fail/boundary.json",
            "SIM003",
            "\"AllowedByPermissionsBoundary\": false",
        ),
        (
            "SIM001-simulated-call-denied/fail/explicit-deny.json",
            "SIM001",
            "\"SourcePolicyId\": \"DenyOutsideVpc\"",
        ),
    ];
    for (file, code, cause) in cases {
        let path = format!("{root}/{file}");
        let args_file = format!("{root}/{}/args", file.split('/').next().unwrap());
        let extra = std::fs::read_to_string(args_file).unwrap();
        let mut a: Vec<&str> = vec!["--no-config"];
        a.extend(extra.split_whitespace());
        a.push(&path);
        let (_, v) = json_findings(&a);
        let hits = of(&v, code);
        assert!(!hits.is_empty(), "{file}: {v:#}");
        assert_eq!(hits[0].0, cause, "{file}");
        // the decision is a second label
        let labels = hits[0].2["related"].as_array().unwrap();
        assert!(
            labels
                .iter()
                .any(|l| l["message"].as_str().unwrap().starts_with("decision:")),
            "{file}: {:#}",
            hits[0].2
        );
    }
}

#[test]
fn many_missing_actions_are_grouped_by_service_in_the_message() {
    let dir = Dir::new();
    let file = readonly_without(&dir, &[]);
    let (_, v) = json_findings(&scenario_args(&file, &[]));
    let discover = of(&v, "REQ001")
        .into_iter()
        .find(|(_, _, f)| {
            f["message"]
                .as_str()
                .unwrap()
                .starts_with("Discover Resources")
        })
        .unwrap_or_else(|| panic!("{v:#}"));
    let message = discover.2["message"].as_str().unwrap();
    assert!(
        message.contains("20 actions (ec2: DescribeRegions, DescribeInstances"),
        "{message}"
    );
    assert!(message.contains("; iam: ListUsers"), "{message}");
    // one line per call in the note
    let note = discover.2["note"].as_str().unwrap();
    assert_eq!(
        note.lines().filter(|l| l.starts_with("- without")).count(),
        20
    );
}
