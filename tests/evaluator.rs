//! The offline evaluator, through `finops-lint simulate` as users run it. Each case is written
//! here from IAM's documented evaluation logic.

mod common;

use common::run;
use serde_json::Value;
use std::io::Write;

fn policy_file(dir: &std::path::Path, name: &str, json: &str) -> String {
    let p = dir.join(name);
    std::fs::File::create(&p)
        .unwrap()
        .write_all(json.as_bytes())
        .unwrap();
    format!("file://{}", p.display())
}

fn tmpdir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("finops-lint-eval-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn simulate(args: &[&str]) -> Value {
    let mut a = vec!["simulate"];
    a.extend_from_slice(args);
    let out = run(&a);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

fn decisions(v: &Value) -> Vec<String> {
    v["EvaluationResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["EvalDecision"].as_str().unwrap().to_string())
        .collect()
}

const B: &str = "arn:aws:s3:::acme-finops-billing";

#[test]
fn allow_deny_and_implicit_deny_with_matched_statements() {
    let d = tmpdir("basic");
    let p = policy_file(
        &d,
        "p.json",
        &format!(
            r#"{{"Version": "2012-10-17", "Statement": [
  {{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "{B}/*"}},
  {{"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:*", "Resource": "{B}/secret/*"}}
]}}"#
        ),
    );
    let v = simulate(&[
        "--policy-input-list",
        &p,
        "--action-names",
        "s3:GetObject",
        "s3:PutObject",
        "--resource-arns",
        &format!("{B}/reports/a.csv.gz"),
        &format!("{B}/secret/x"),
    ]);
    assert_eq!(
        decisions(&v),
        ["allowed", "explicitDeny", "implicitDeny", "explicitDeny"]
    );
    let first = &v["EvaluationResults"][0];
    assert_eq!(first["EvalActionName"], "s3:GetObject");
    assert_eq!(
        first["MatchedStatements"][0]["SourcePolicyId"],
        "PolicyInputList.1"
    );
    assert_eq!(
        first["MatchedStatements"][0]["SourcePolicyType"],
        "IAM Policy"
    );
    assert_eq!(
        first["MatchedStatements"][0]["StartPosition"],
        serde_json::json!({"Line": 2, "Column": 3})
    );
    assert_eq!(
        v["EvaluationResults"][1]["MatchedStatements"][0]["StartPosition"]["Line"],
        3
    );
}

#[test]
fn actions_ignore_case_resources_do_not() {
    let d = tmpdir("case");
    let p = policy_file(
        &d,
        "p.json",
        &format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "S3:getobject", "Resource": "{B}/Reports/*"}}]}}"#
        ),
    );
    let v = simulate(&[
        "--policy-input-list",
        &p,
        "--action-names",
        "s3:GetObject",
        "--resource-arns",
        &format!("{B}/Reports/a"),
        &format!("{B}/reports/a"),
    ]);
    assert_eq!(decisions(&v), ["allowed", "implicitDeny"]);
}

#[test]
fn not_action_and_not_resource() {
    let d = tmpdir("not");
    let p = policy_file(
        &d,
        "p.json",
        &format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "NotAction": "s3:Delete*", "NotResource": "{B}/private/*"}}]}}"#
        ),
    );
    let v = simulate(&[
        "--policy-input-list",
        &p,
        "--action-names",
        "s3:GetObject",
        "s3:DeleteObject",
        "--resource-arns",
        &format!("{B}/a"),
        &format!("{B}/private/a"),
    ]);
    assert_eq!(
        decisions(&v),
        ["allowed", "implicitDeny", "implicitDeny", "implicitDeny"]
    );
}

#[test]
fn policy_variables_need_version_2012_and_a_value() {
    let d = tmpdir("vars");
    let doc = |version: &str| {
        format!(
            r#"{{"Version": "{version}", "Statement": [{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "{B}/home/${{aws:username}}/*"}}]}}"#
        )
    };
    let new = policy_file(&d, "new.json", &doc("2012-10-17"));
    let old = policy_file(&d, "old.json", &doc("2008-10-17"));
    let ctx = "ContextKeyName=aws:username,ContextKeyValues=alice,ContextKeyType=string";
    let r = format!("{B}/home/alice/x");
    assert_eq!(
        decisions(&simulate(&[
            "--policy-input-list",
            &new,
            "--action-names",
            "s3:GetObject",
            "--resource-arns",
            &r,
            "--context-entries",
            ctx
        ])),
        ["allowed"]
    );
    assert_eq!(
        decisions(&simulate(&[
            "--policy-input-list",
            &old,
            "--action-names",
            "s3:GetObject",
            "--resource-arns",
            &r,
            "--context-entries",
            ctx
        ])),
        ["implicitDeny"]
    );
    let missing = simulate(&[
        "--policy-input-list",
        &new,
        "--action-names",
        "s3:GetObject",
        "--resource-arns",
        &r,
    ]);
    assert_eq!(decisions(&missing), ["implicitDeny"]);
}

#[test]
fn conditions_if_exists_null_sets_and_missing_context_values() {
    let d = tmpdir("cond");
    let p = policy_file(
        &d,
        "p.json",
        &format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "{B}/*", "Condition": {{
  "IpAddressIfExists": {{"aws:SourceIp": "203.0.113.0/24"}},
  "ForAllValues:StringEquals": {{"aws:TagKeys": ["team", "env"]}},
  "Null": {{"aws:TokenIssueTime": "true"}}
}}}}]}}"#
        ),
    );
    let r = format!("{B}/a");
    let base = [
        "--policy-input-list",
        p.as_str(),
        "--action-names",
        "s3:GetObject",
        "--resource-arns",
        r.as_str(),
    ];
    let v = simulate(&base);
    assert_eq!(
        decisions(&v),
        ["allowed"],
        "absent keys: IfExists and ForAllValues hold, Null true holds"
    );
    assert_eq!(
        v["EvaluationResults"][0]["MissingContextValues"],
        serde_json::json!(["aws:SourceIp", "aws:TagKeys"])
    );
    let outside = [
        &base[..],
        &[
            "--context-entries",
            "ContextKeyName=aws:SourceIp,ContextKeyValues=198.51.100.7,ContextKeyType=ip",
        ],
    ]
    .concat();
    assert_eq!(decisions(&simulate(&outside)), ["implicitDeny"]);
    let tags = [&base[..], &["--context-entries", r#"[{"ContextKeyName": "aws:TagKeys", "ContextKeyValues": ["team", "owner"], "ContextKeyType": "stringList"}]"#]].concat();
    assert_eq!(
        decisions(&simulate(&tags)),
        ["implicitDeny"],
        "owner is not allowed by ForAllValues"
    );
    let token = [&base[..], &["--context-entries", "ContextKeyName=aws:TokenIssueTime,ContextKeyValues=2026-01-01T00:00:00Z,ContextKeyType=date"]].concat();
    assert_eq!(decisions(&simulate(&token)), ["implicitDeny"]);
}

#[test]
fn negated_operator_on_an_absent_key_applies() {
    let d = tmpdir("negated");
    let p = policy_file(
        &d,
        "p.json",
        &format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "{B}/*"}}]}}"#
        ),
    );
    let deny = policy_file(
        &d,
        "bucket.json",
        &format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "{B}/*", "Condition": {{"StringNotEquals": {{"aws:SourceVpce": "vpce-1a2b3c4d"}}}}}}]}}"#
        ),
    );
    let v = simulate(&[
        "--policy-input-list",
        &p,
        "--resource-policy",
        &deny,
        "--caller-arn",
        "arn:aws:iam::402938475610:user/finops",
        "--action-names",
        "s3:GetObject",
        "--resource-arns",
        &format!("{B}/a"),
    ]);
    assert_eq!(decisions(&v), ["explicitDeny"]);
    assert_eq!(
        v["EvaluationResults"][0]["MatchedStatements"][0]["SourcePolicyType"],
        "Resource Policy"
    );
}

#[test]
fn resource_policies_same_account_and_cross_account() {
    let d = tmpdir("resource");
    let none = policy_file(
        &d,
        "none.json",
        r#"{"Version": "2012-10-17", "Statement": []}"#,
    );
    let identity = policy_file(
        &d,
        "id.json",
        &format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "{B}/*"}}]}}"#
        ),
    );
    let to_user = policy_file(
        &d,
        "user.json",
        &format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::402938475610:user/finops"}}, "Action": "s3:GetObject", "Resource": "{B}/*"}}]}}"#
        ),
    );
    let to_account = policy_file(
        &d,
        "acct.json",
        &format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"AWS": "111122223333"}}, "Action": "s3:GetObject", "Resource": "{B}/*"}}]}}"#
        ),
    );
    let r = format!("{B}/a");
    let same = |policies: &str, resource_policy: &str| {
        decisions(&simulate(&[
            "--policy-input-list",
            policies,
            "--resource-policy",
            resource_policy,
            "--caller-arn",
            "arn:aws:iam::402938475610:user/finops",
            "--resource-owner",
            "arn:aws:iam::402938475610:root",
            "--action-names",
            "s3:GetObject",
            "--resource-arns",
            &r,
        ]))
    };
    assert_eq!(
        same(&none, &to_user),
        ["allowed"],
        "a bucket policy naming the user grants on its own"
    );
    let cross = |policies: &str| {
        decisions(&simulate(&[
            "--policy-input-list",
            policies,
            "--resource-policy",
            &to_account,
            "--caller-arn",
            "arn:aws:iam::111122223333:user/finops",
            "--resource-owner",
            "arn:aws:iam::402938475610:root",
            "--action-names",
            "s3:GetObject",
            "--resource-arns",
            &r,
        ]))
    };
    assert_eq!(
        cross(&none),
        ["implicitDeny"],
        "across accounts the identity policy must allow too"
    );
    assert_eq!(cross(&identity), ["allowed"]);
}

#[test]
fn permissions_boundary_limits_identity_grants() {
    let d = tmpdir("boundary");
    let identity = policy_file(
        &d,
        "id.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#,
    );
    let boundary = policy_file(
        &d,
        "pb.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#,
    );
    let v = simulate(&[
        "--policy-input-list",
        &identity,
        "--permissions-boundary-policy-input-list",
        &boundary,
        "--action-names",
        "s3:GetObject",
        "iam:CreateUser",
    ]);
    assert_eq!(decisions(&v), ["allowed", "implicitDeny"]);
    assert_eq!(
        v["EvaluationResults"][1]["PermissionsBoundaryDecisionDetail"]
            ["AllowedByPermissionsBoundary"],
        false
    );
}

#[test]
fn actions_without_resource_level_permissions_need_star() {
    let d = tmpdir("staronly");
    let scoped = policy_file(
        &d,
        "p.json",
        &format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": ["cur:DescribeReportDefinitions", "s3:ListAllMyBuckets"], "Resource": "{B}"}}]}}"#
        ),
    );
    let star = policy_file(
        &d,
        "s.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["cur:DescribeReportDefinitions", "s3:ListAllMyBuckets"], "Resource": "*"}]}"#,
    );
    let args = |p: &str| {
        decisions(&simulate(&[
            "--policy-input-list",
            p,
            "--action-names",
            "cur:DescribeReportDefinitions",
            "s3:ListAllMyBuckets",
        ]))
    };
    assert_eq!(args(&scoped), ["implicitDeny", "implicitDeny"]);
    assert_eq!(args(&star), ["allowed", "allowed"]);
}

#[test]
fn billing_service_delivery_through_the_bucket_policy() {
    let policy = "examples/onboarding/bucket-policy.json";
    let deliver = |service: &str, source_arn: &str| {
        decisions(&simulate(&[
            "--resource-policy",
            policy,
            "--caller-service",
            service,
            "--action-names",
            "s3:PutObject",
            "--resource-arns",
            "arn:aws:s3:::acme-finops-billing/reports/finops/data/BILLING_PERIOD=2026-11/finops-00001.csv.gz",
            "--context-entries",
            &format!(r#"[{{"ContextKeyName": "aws:SourceAccount", "ContextKeyValues": ["402938475610"]}}, {{"ContextKeyName": "aws:SourceArn", "ContextKeyValues": ["{source_arn}"]}}]"#),
        ]))
    };
    assert_eq!(
        deliver(
            "bcm-data-exports.amazonaws.com",
            "arn:aws:bcm-data-exports:us-east-1:402938475610:export/finops"
        ),
        ["allowed"]
    );
    assert_eq!(
        deliver(
            "bcm-data-exports.amazonaws.com",
            "arn:aws:bcm-data-exports:us-east-1:999988887777:export/finops"
        ),
        ["implicitDeny"]
    );
    assert_eq!(
        deliver(
            "logging.s3.amazonaws.com",
            "arn:aws:bcm-data-exports:us-east-1:402938475610:export/finops"
        ),
        ["implicitDeny"]
    );
}

#[test]
fn table_output_and_errors() {
    let out = run(&[
        "simulate",
        "--policy-input-list",
        "examples/onboarding/readonly-policy.json",
        "--action-names",
        "s3:ListBucket",
        "--resource-arns",
        B,
        "--output",
        "table",
    ]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.contains(
            "| s3:ListBucket | arn:aws:s3:::acme-finops-billing | allowed  | PolicyInputList.1:20"
        ),
        "{}",
        out.stdout
    );
    let bad = run(&[
        "simulate",
        "--policy-input-list",
        "examples/broken/bucket-policy.json",
        "--action-names",
        "s3:GetObject",
    ]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("MalformedPolicyDocument"),
        "{}",
        bad.stderr
    );
    let inline = run(&[
        "simulate",
        "--policy-input-list",
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
        "--action-names",
        "ec2:DescribeInstances",
    ]);
    assert_eq!(
        decisions(&serde_json::from_str(&inline.stdout).unwrap()),
        ["allowed"]
    );
    assert_eq!(run(&["simulate", "--action-names", "s3:GetObject"]).code, 2);
    assert_eq!(
        run(&[
            "simulate",
            "--policy-input-list",
            "missing.json",
            "--action-names",
            "s3:GetObject"
        ])
        .code,
        2
    );
}

#[test]
fn invalid_request_values_are_usage_errors_naming_the_value() {
    let base = [
        "simulate",
        "--policy-input-list",
        "examples/onboarding/readonly-policy.json",
    ];
    let context = |entry: &str| -> Vec<String> {
        ["--action-names", "s3:GetObject", "--context-entries", entry]
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            context("ContextKeyName=aws:SourceIp,ContextKeyValues=notanip,ContextKeyType=ip"),
            "`notanip`",
        ),
        (
            context(
                "ContextKeyName=aws:SourceIp,ContextKeyValues=203.0.113.7/33,ContextKeyType=ipList",
            ),
            "`203.0.113.7/33`",
        ),
        (
            context(
                "ContextKeyName=aws:MultiFactorAuthAge,ContextKeyValues=ten,ContextKeyType=numeric",
            ),
            "`ten`",
        ),
        (
            context(
                "ContextKeyName=aws:MultiFactorAuthAge,ContextKeyValues=NaN,ContextKeyType=numeric",
            ),
            "`NaN`",
        ),
        (
            context(
                "ContextKeyName=aws:CurrentTime,ContextKeyValues=yesterday,ContextKeyType=date",
            ),
            "`yesterday`",
        ),
        (
            context(
                "ContextKeyName=aws:SecureTransport,ContextKeyValues=yes,ContextKeyType=boolean",
            ),
            "`yes`",
        ),
        (
            context(
                "ContextKeyName=s3:x-amz-content-sha256,ContextKeyValues=!!!,ContextKeyType=binary",
            ),
            "`!!!`",
        ),
        (
            context("ContextKeyName=aws:username,ContextKeyValues=alice,ContextKeyType=integer"),
            "`integer`",
        ),
        (
            context(
                r#"[{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.0.0.300"], "ContextKeyType": "ip"}]"#,
            ),
            "`10.0.0.300`",
        ),
        (
            context(
                r#"[{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.0.0.1"], "ContextKeyType": 7}]"#,
            ),
            "ContextKeyType of `aws:SourceIp`",
        ),
        (context("ContextKeyName=a:b,ContextKeyValues=x"), "`a:b`"),
        (
            vec!["--action-names".into(), "".into()],
            "an action name is empty",
        ),
        (
            vec!["--action-names".into(), "GetObject".into()],
            "`GetObject`",
        ),
        (vec!["--action-names".into(), "s3:".into()], "`s3:`"),
        (
            vec![
                "--action-names".into(),
                "s3:GetObject".into(),
                "--resource-arns".into(),
                "acme-finops-billing".into(),
            ],
            "`acme-finops-billing`",
        ),
        (
            vec![
                "--action-names".into(),
                "s3:GetObject".into(),
                "--resource-arns".into(),
                "arn:aws:s3:::".into(),
            ],
            "`arn:aws:s3:::`",
        ),
        (
            vec![
                "--action-names".into(),
                "s3:GetObject".into(),
                "--caller-arn".into(),
                "alice".into(),
            ],
            "--caller-arn: `alice`",
        ),
    ];
    for (args, names) in cases {
        let mut a: Vec<&str> = base.to_vec();
        a.extend(args.iter().map(String::as_str));
        let out = run(&a);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stdout);
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
        assert!(
            out.stderr.starts_with("error: ") && out.stderr.contains(names),
            "{args:?}: {}",
            out.stderr
        );
    }
    // the valid forms of each type
    for entry in [
        "ContextKeyName=aws:SourceIp,ContextKeyValues=203.0.113.0/24,ContextKeyType=ip",
        "ContextKeyName=aws:SourceIp,ContextKeyValues=2001:db8::/32,198.51.100.7,ContextKeyType=ipList",
        "ContextKeyName=aws:MultiFactorAuthAge,ContextKeyValues=3600.5,ContextKeyType=numeric",
        "ContextKeyName=aws:CurrentTime,ContextKeyValues=2026-01-01T00:00:00Z,ContextKeyType=date",
        "ContextKeyName=aws:EpochTime,ContextKeyValues=1767225600,ContextKeyType=date",
        "ContextKeyName=aws:SecureTransport,ContextKeyValues=TRUE,ContextKeyType=boolean",
        "ContextKeyName=s3:x-amz-content-sha256,ContextKeyValues=aGVsbG8=,ContextKeyType=binary",
        "ContextKeyName=aws:username,ContextKeyValues=,ContextKeyType=string",
    ] {
        let mut a: Vec<&str> = base.to_vec();
        a.extend(["--action-names", "s3:GetObject", "--context-entries", entry]);
        let out = run(&a);
        assert_eq!(out.code, 0, "{entry}: {}", out.stderr);
    }
}

#[test]
fn the_table_says_why_a_request_is_denied_and_escapes_what_it_prints() {
    let dir = common::tempdir::Dir::new();
    let allow = dir.write(
        "allow.json",
        r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
  {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}
]}"#,
    );
    let deny = dir.write(
        "deny.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:ListBucket", "Resource": "*"}]}"#,
    );
    let out = run(&[
        "simulate",
        "--policy-input-list",
        &allow,
        &deny,
        "--action-names",
        "s3:GetObject",
        "s3:ListBucket",
        "s3:PutObject",
        "--resource-arns",
        "arn:aws:s3:::b\u{1b}[2J/k",
        "--output",
        "table",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let row = |action: &str| {
        out.stdout
            .lines()
            .find(|l| l.starts_with(&format!("| {action} ")))
            .unwrap_or_else(|| panic!("{action}: {}", out.stdout))
            .to_string()
    };
    assert!(
        row("s3:GetObject")
            .contains("no statement allows it without the context values aws:SourceIp"),
        "{}",
        out.stdout
    );
    assert!(
        row("s3:ListBucket").contains("a Deny matches: PolicyInputList.2:1"),
        "{}",
        out.stdout
    );
    assert!(
        row("s3:PutObject").contains("| no statement allows it"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains('\u{1b}'), "{}", out.stdout);
    assert!(out.stdout.contains("\\u{1b}[2J"), "{}", out.stdout);
}
