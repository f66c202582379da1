//! Infrastructure as code: findings point into CloudFormation (YAML, JSON), Terraform HCL and
//! plan JSON; what a template does not determine never raises an alarm; suppressions; bad input.

mod common;

use common::{codes_and_text, json_findings, run, tempdir};
use std::path::Path;

const B: &str = "acme-finops-billing";
const A: &str = "402938475610";

/// `(code, line, underlined text)` of every finding.
fn located(v: &serde_json::Value) -> Vec<(String, u64, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["range"]["start"]["line"].as_u64().unwrap(),
                f["text"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    codes_and_text(v).into_iter().map(|(c, _)| c).collect()
}

const CFN: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  BucketName:
    Type: String
    Default: acme-finops-billing
Resources:
  BillingBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref BucketName
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: AllowBillingDelivery
            Effect: Allow
            Principal:
              Service: [billingreports.amazonaws.com, bcm-data-exports.amazonaws.com]
            Action: [s3:PutObject, s3:GetBucketPolicy]
            Resource:
              - !Sub "arn:${AWS::Partition}:s3:::${BucketName}"
              - !Sub "arn:${AWS::Partition}:s3:::${BucketName}/*"
            Condition:
              StringEquals:
                aws:SourceAccount: "999999999999"
  ReadOnly:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObjct", "Resource": "*"}]}'
  Export:
    Type: AWS::BCMDataExports::Export
    Properties:
      Export:
        Name: finops-export
        DataQuery:
          QueryStatement: SELECT * FROM COST_AND_USAGE_REPORT
          TableConfigurations:
            COST_AND_USAGE_REPORT:
              TIME_GRANULARITY: MONTHLY
              INCLUDE_RESOURCES: "TRUE"
        DestinationConfigurations:
          S3Destination:
            S3Bucket: !Ref BucketName
            S3Prefix: /reports
            S3Region: eu-west-1
            S3OutputConfigurations:
              OutputType: CUSTOM
              Format: PARQUET
              Compression: PARQUET
              Overwrite: OVERWRITE_REPORT
        RefreshCadence:
          Frequency: SYNCHRONOUS
"#;

#[test]
fn cloudformation_yaml_findings_point_into_the_template() {
    let dir = tempdir::Dir::new();
    let path = dir.write("stack.yaml", CFN);
    let (code, v) = json_findings(&["--bucket", B, "--account-id", A, &path]);
    assert_eq!(code, 1);
    let found = located(&v);
    // the account of the condition, resolved through nothing: a literal at its line
    assert!(
        found.contains(&("BP005".into(), 24, "999999999999".into())),
        "{found:?}"
    );
    // inside a policy written as a JSON string in single quotes
    assert!(
        found.contains(&("IAM002".into(), 28, "s3:GetObjct".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("EXP004".into(), 38, "MONTHLY".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("PFX001".into(), 43, "/reports".into())),
        "{found:?}"
    );
    // the bucket resolved through `!Ref BucketName` (a parameter with a default) matches
    assert!(!codes(&v).contains(&"EXP009".to_string()), "{found:?}");
    // with another --bucket, the resolved value is compared and the `!Ref` is underlined
    let (_, v) = json_findings(&["--bucket", "other-bucket", "--account-id", A, &path]);
    let found = located(&v);
    assert!(
        found.contains(&("EXP009".into(), 42, "!Ref BucketName".into())),
        "{found:?}"
    );
}

#[test]
fn cloudformation_json_template_with_duplicate_keys_and_a_policy_string() {
    let dir = tempdir::Dir::new();
    let path = dir.write(
        "stack.json",
        r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "ReadOnly": {
      "Type": "AWS::IAM::ManagedPolicy",
      "Properties": {
        "PolicyDocument": "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:ListBuckets\", \"Resource\": \"*\"}]}"
      },
      "Type": "AWS::IAM::ManagedPolicy"
    }
  }
}
"#,
    );
    let (_, v) = json_findings(&[&path]);
    let found = located(&v);
    assert!(
        found.contains(&("JSON004".into(), 9, "\"Type\"".into())),
        "{found:?}"
    );
    // the escaped string maps back exactly
    assert!(
        found.contains(&("IAM002".into(), 7, "s3:ListBuckets".into())),
        "{found:?}"
    );
}

/// A template whose values come from parameters without defaults, imports and conditions.
const UNKNOWN: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  BucketName:
    Type: String
  Prefix:
    Type: String
Conditions:
  Hourly: !Equals [!Ref AWS::Region, us-east-1]
Resources:
  BillingBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref BucketName
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: AllowBillingDelivery
            Effect: Allow
            Principal:
              Service: [billingreports.amazonaws.com, bcm-data-exports.amazonaws.com]
            Action: [s3:PutObject, s3:GetBucketPolicy]
            Resource:
              - !Sub "arn:aws:s3:::${BucketName}"
              - !Sub "arn:aws:s3:::${BucketName}/*"
            Condition:
              StringEquals:
                aws:SourceAccount: !ImportValue BillingAccount
  PlatformUser:
    Type: AWS::IAM::User
    Properties:
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, s3:ListBucket, s3:GetBucketLocation]
                Resource: [!Sub "arn:aws:s3:::${BucketName}", !Sub "arn:aws:s3:::${BucketName}/*"]
              - Effect: Deny
                Action: s3:*
                Resource: !ImportValue ProtectedBuckets
  Export:
    Type: AWS::BCMDataExports::Export
    Properties:
      Export:
        Name: finops
        DataQuery:
          QueryStatement: SELECT * FROM COST_AND_USAGE_REPORT
          TableConfigurations:
            COST_AND_USAGE_REPORT:
              TIME_GRANULARITY: !If [Hourly, HOURLY, DAILY]
              INCLUDE_RESOURCES: "TRUE"
        DestinationConfigurations:
          S3Destination:
            S3Bucket: !Ref BucketName
            S3Prefix: !Ref Prefix
            S3Region: !Ref AWS::Region
            S3OutputConfigurations:
              OutputType: CUSTOM
              Format: PARQUET
              Compression: PARQUET
              Overwrite: OVERWRITE_REPORT
        RefreshCadence:
          Frequency: SYNCHRONOUS
"#;

#[test]
fn values_the_template_does_not_determine_never_raise_an_alarm() {
    let dir = tempdir::Dir::new();
    let path = dir.write("unknown.yaml", UNKNOWN);
    let args = [
        "--bucket",
        B,
        "--account-id",
        A,
        "--prefix",
        "reports",
        "--export-name",
        "finops",
        "--scenario",
        "root-existing-export",
    ];
    let mut a: Vec<&str> = args.to_vec();
    a.push(&path);
    let (_, v) = json_findings(&a);
    let errors: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // the same template with wrong literal values is reported: the test is not vacuous
    let wrong = UNKNOWN
        .replace("!ImportValue BillingAccount", "\"111111111111\"")
        .replace("!Ref Prefix", "other/prefix")
        .replace(
            "!Ref BucketName\n            S3Prefix",
            "other-bucket\n            S3Prefix",
        )
        .replace("!ImportValue ProtectedBuckets", "\"*\"");
    let path = dir.write("wrong.yaml", &wrong);
    let mut a: Vec<&str> = args.to_vec();
    a.push(&path);
    let (_, v) = json_findings(&a);
    let c = codes(&v);
    for want in ["BP005", "EXP009", "REQ002"] {
        assert!(c.contains(&want.to_string()), "{want} not in {c:?}");
    }
}

#[test]
fn terraform_plan_reads_planned_values_unknowns_and_survives_a_bad_policy() {
    let dir = tempdir::Dir::new();
    let plan = serde_json::json!({
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "some_future_field": {"nested": [1, 2, 3]},
        "planned_values": {"root_module": {
            "resources": [
                {"address": "aws_iam_policy.broken", "mode": "managed", "type": "aws_iam_policy",
                 "name": "broken", "values": {"name": "b", "policy": "{\"Version\": \"2012-10-17\", \"Statement\": [}"}},
                {"address": "aws_iam_policy.read", "mode": "managed", "type": "aws_iam_policy",
                 "name": "read", "values": {"name": "r", "policy": "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObjectt\", \"Resource\": \"*\"}]}"}},
                {"address": "aws_s3_bucket_policy.billing", "mode": "managed", "type": "aws_s3_bucket_policy",
                 "name": "billing", "values": {"bucket": B}},
                {"address": "data.aws_iam_policy_document.x", "mode": "data", "type": "aws_iam_policy_document",
                 "name": "x", "values": {"json": "{}"}}
            ],
            "child_modules": [{"address": "module.cur", "resources": [
                {"address": "module.cur.aws_cur_report_definition.this", "mode": "managed",
                 "type": "aws_cur_report_definition", "name": "this", "values": {
                    "report_name": "finops", "time_unit": "DAILY", "format": "textORcsv",
                    "compression": "GZIP", "additional_schema_elements": ["RESOURCES"],
                    "s3_bucket": B, "s3_prefix": "reports", "s3_region": "eu-west-1",
                    "additional_artifacts": [], "refresh_closed_reports": true,
                    "report_versioning": "CREATE_NEW_REPORT", "tags": null, "future_attribute": 3}}
            ]}]
        }},
        "resource_changes": [
            {"address": "aws_s3_bucket_policy.billing", "type": "aws_s3_bucket_policy",
             "change": {"actions": ["create"], "after": {"bucket": B}, "after_unknown": {"policy": true}}}
        ]
    });
    let path = dir.write("plan.json", &serde_json::to_string_pretty(&plan).unwrap());
    let (code, v) = json_findings(&["--bucket", B, &path]);
    assert_eq!(code, 1);
    let c = codes(&v);
    assert!(c.contains(&"JSON001".to_string()), "{c:?}");
    assert!(c.contains(&"IAM002".to_string()), "{c:?}");
    assert!(c.contains(&"CUR004".to_string()), "{c:?}");
    // the bucket policy known only after apply: nothing said about it
    assert!(!c.iter().any(|c| c.starts_with("BP")), "{c:?}");
    let found = located(&v);
    let iam = found.iter().find(|f| f.0 == "IAM002").unwrap();
    assert_eq!(iam.2, "s3:GetObjectt");
}

const TF: &str = r#"variable "bucket" {
  default = "acme-finops-billing"
}

locals {
  account = "402938475610"
}

resource "aws_s3_bucket" "billing" {
  bucket = var.bucket
}

data "aws_iam_policy_document" "delivery" {
  statement {
    sid = "AllowBillingDelivery"
    principals {
      type        = "Service"
      identifiers = ["billingreports.amazonaws.com", "bcm-data-exports.amazonaws.com"]
    }
    actions   = ["s3:PutObject", "s3:GetBucketPolicy"]
    resources = [aws_s3_bucket.billing.arn, "${aws_s3_bucket.billing.arn}/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_s3_bucket_policy" "billing" {
  bucket = aws_s3_bucket.billing.id
  policy = data.aws_iam_policy_document.delivery.json
}

resource "aws_iam_user_policy" "read" {
  user   = "finops"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::${var.bucket}/reports/*"}]
    }
  EOT
}
"#;

#[test]
fn terraform_values_are_resolved_from_the_module() {
    let dir = tempdir::Dir::new();
    let path = dir.write("main.tf", TF);
    let (_, v) = json_findings(&["--bucket", B, "--account-id", A, &path]);
    assert!(
        v["findings"].as_array().unwrap().is_empty(),
        "{:?}",
        located(&v)
    );
    // a default that differs from the run's bucket and account is read and reported
    let other = TF
        .replace(
            "default = \"acme-finops-billing\"",
            "default = \"old-billing\"",
        )
        .replace("402938475610", "111111111111");
    let path = dir.write("other.tf", &other);
    let (_, v) = json_findings(&["--bucket", B, "--account-id", A, &path]);
    let found = located(&v);
    // the account is written in the local (line 6): the finding points there, with the use
    // (line 25) as a related place
    assert!(
        found.contains(&("BP005".into(), 6, "111111111111".into())),
        "{found:?}"
    );
    let bp005 = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "BP005")
        .unwrap();
    assert!(
        bp005["related"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["range"]["start"]["line"] == 25 && r["message"] == "used here"),
        "{bp005:#}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.0 == "BP004" && f.2 == "aws_s3_bucket.billing.arn"),
        "{found:?}"
    );
}

#[test]
fn terraform_variables_and_locals_of_other_files_of_the_module_resolve() {
    let dir = tempdir::Dir::new();
    dir.write(
        "module/variables.tf",
        "variable \"bucket\" {\n  default = \"old-billing\"\n}\nlocals {\n  prefix = \"reports/\"\n}\n",
    );
    let main = dir.write(
        "module/main.tf",
        r#"resource "aws_cur_report_definition" "finops" {
  report_name                = "finops"
  time_unit                  = "DAILY"
  format                     = "textORcsv"
  compression                = "GZIP"
  additional_schema_elements = ["RESOURCES"]
  s3_bucket                  = var.bucket
  s3_prefix                  = local.prefix
  s3_region                  = "eu-west-1"
  report_versioning          = "OVERWRITE_REPORT"
}
"#,
    );
    let (_, v) = json_findings(&["--bucket", B, &main]);
    let found = located(&v);
    assert!(
        found.contains(&("CUR010".into(), 7, "var.bucket".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("PFX001".into(), 8, "local.prefix".into())),
        "{found:?}"
    );
}

/// The other files of a module are read as a walk reads them: a symbolic link among them
/// (`variables.tf -> /somewhere/else.tf`) is not followed, so its target's values never reach
/// the output.
#[cfg(unix)]
#[test]
fn a_symbolic_link_among_a_modules_files_is_not_read() {
    let dir = tempdir::Dir::new();
    let outside = dir.write(
        "outside/values.tf",
        "variable \"bucket\" {\n  default = \"old-billing\"\n}\n",
    );
    std::fs::create_dir_all(dir.path().join("module")).unwrap();
    std::os::unix::fs::symlink(&outside, dir.path().join("module/variables.tf")).unwrap();
    let main = dir.write(
        "module/main.tf",
        "resource \"aws_cur_report_definition\" \"finops\" {\n  s3_bucket = var.bucket\n}\n",
    );
    let (_, v) = json_findings(&["--bucket", B, &main]);
    let found = located(&v);
    assert!(!found.iter().any(|f| f.0 == "CUR010"), "{found:?}");
    // the same file, not a link, is read
    std::fs::remove_file(dir.path().join("module/variables.tf")).unwrap();
    std::fs::copy(&outside, dir.path().join("module/variables.tf")).unwrap();
    let (_, v) = json_findings(&["--bucket", B, &main]);
    let found = located(&v);
    assert!(found.iter().any(|f| f.0 == "CUR010"), "{found:?}");
}

#[test]
fn terraform_policies_in_files_are_read_with_their_kind() {
    let dir = tempdir::Dir::new();
    let main = dir.write(
        "infra/main.tf",
        r#"resource "aws_s3_bucket_policy" "billing" {
  bucket = "acme-finops-billing"
  policy = file("${path.module}/policies/delivery.json")
}
resource "aws_iam_policy" "gone" {
  policy = file("policies/gone.json")
}
"#,
    );
    // a delivery policy that lost its `Principal`: only the template says it is a bucket policy
    dir.write(
        "infra/policies/delivery.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetBucketPolicy"], "Resource": ["arn:aws:s3:::acme-finops-billing", "arn:aws:s3:::acme-finops-billing/*"]}]}"#,
    );
    // only the template is named, as a pre-commit hook names the changed files
    let (_, v) = json_findings(&[&main]);
    let found: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        found
            .iter()
            .any(|(c, f)| c == "POL010" && f.ends_with("infra/policies/delivery.json")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(c, f)| c == "IO001" && f.ends_with("main.tf")),
        "{found:?}"
    );
    // the folder: the file is checked once, as the bucket policy
    let (_, v) = json_findings(&[dir.path().join("infra").to_str().unwrap()]);
    let pol010 = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "POL010")
        .count();
    assert_eq!(pol010, 1, "{v:#}");
}

#[test]
fn suppressions_silence_one_resource_and_need_a_reason() {
    let dir = tempdir::Dir::new();
    let report = |extra: &str, name: &str| {
        format!(
            r#"{extra}
resource "aws_cur_report_definition" "{name}" {{
  report_name                = "finops"
  time_unit                  = "MONTHLY"
  format                     = "textORcsv"
  compression                = "GZIP"
  additional_schema_elements = ["RESOURCES"]
  s3_bucket                  = "acme-finops-billing"
  s3_prefix                  = "reports"
  s3_region                  = "eu-west-1"
  report_versioning          = "OVERWRITE_REPORT"
}}
"#
        )
    };
    let text = format!(
        "{}{}",
        report(
            "# finops-lint: ignore CUR005 -- the pilot needs monthly data only",
            "a"
        ),
        report("", "b")
    );
    let path = dir.write("two.tf", &text);
    let (_, v) = json_findings(&[&path]);
    // silenced on `a`, still reported on `b`
    let cur005: Vec<_> = located(&v)
        .into_iter()
        .filter(|f| f.0 == "CUR005")
        .collect();
    assert_eq!(cur005.len(), 1, "{cur005:?}");
    assert!(cur005[0].1 > 13);
    // without a reason the suppression is a finding and silences nothing
    let path = dir.write("noreason.tf", &report("# finops-lint: ignore CUR005", "a"));
    let (_, v) = json_findings(&[&path]);
    let c = codes(&v);
    assert!(
        c.contains(&"SUP002".to_string()) && c.contains(&"CUR005".to_string()),
        "{c:?}"
    );
}

#[test]
fn broken_templates_are_findings_and_do_not_stop_the_others() {
    let dir = tempdir::Dir::new();
    dir.write(
        "a-broken.tf",
        "resource \"aws_iam_policy\" \"x\" {\n  policy = \n",
    );
    dir.write(
        "b-broken.yaml",
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources: [\n",
    );
    dir.write(
        "c-good.tf",
        "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({Version = \"2012-10-17\", Statement = [{Effect = \"Allow\", Action = \"s3:GetObjec\", Resource = \"*\"}]})\n}\n",
    );
    // a YAML file of another tool that does not parse is skipped quietly
    dir.write("d-helm.yaml", "{{ .Values.name }}: [\n");
    let out = run(&["check", "--format", "concise", dir.path().to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("a-broken.tf:2:12: error[JSON001] invalid HCL"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("b-broken.yaml:3:1: error[JSON001] invalid YAML"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("c-good.tf:2:90: error[IAM002]"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("d-helm"), "{}", out.stdout);
}

#[test]
fn the_iac_corpus_never_crashes() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/iac");
    assert!(
        corpus.is_dir(),
        "the corpus must be beside the repository: {}",
        corpus.display()
    );
    let out = run(&[
        "check",
        "--format",
        "json",
        "--fail-on",
        "never",
        corpus.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let templates = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let file = f["file"].as_str().unwrap_or("");
            file.ends_with(".tf") || file.ends_with(".yaml") || file.ends_with(".yml")
        })
        .count();
    assert!(templates > 0, "no finding inside any template");
}

/// Terraform as it is really written (issue 17): the value flows through `count` instances
/// (`x[0]`), `dynamic` blocks, functions, object variables and sibling files of the module; a
/// resource with `count = 0` and a variable's `""` sentinel raise nothing; `&{...}` is a policy
/// variable; the export type comes from the exports the module declares.
#[test]
fn terraform_values_flow_through_count_functions_dynamic_blocks_and_sibling_files() {
    let dir = tempdir::Dir::new();
    let delivery = |bucket_expr: &str, principal: &str| {
        format!(
            r#"
data "aws_iam_policy_document" "delivery" {{
  count = 1
  statement {{
    principals {{
      type        = "Service"
      identifiers = ["{principal}"]
    }}
    actions   = ["s3:PutObject", "s3:GetBucketPolicy"]
    resources = [{bucket_expr}]
    condition {{
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.billing.account]
    }}
  }}
}}
"#
        )
    };
    // a wrong bucket reached through `aws_s3_bucket.cur[0]`, `format` and an object variable
    let module = dir.path().join("flow");
    std::fs::create_dir_all(&module).unwrap();
    std::fs::write(
        module.join("main.tf"),
        format!(
            r#"
variable "billing" {{
  type    = object({{ account = string, bucket = string }})
  default = {{ account = "{A}", bucket = "acme-finops-staging" }}
}}

resource "aws_s3_bucket" "cur" {{
  count  = 1
  bucket = var.billing.bucket
}}

resource "aws_s3_bucket_policy" "cur" {{
  count  = 1
  bucket = aws_s3_bucket.cur[0].id
  policy = data.aws_iam_policy_document.delivery[0].json
}}
{}
resource "aws_iam_policy" "never" {{
  count  = 0
  policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = "s3:GetObjectt", Resource = "*" }}] }})
}}

data "aws_iam_policy_document" "roles" {{
  statement {{
    actions   = ["iam:GetRole"]
    resources = ["arn:aws:iam::&{{aws:PrincipalAccount}}:role/x"]
  }}
}}

resource "aws_iam_policy" "roles" {{
  policy = data.aws_iam_policy_document.roles.json
}}

resource "aws_iam_policy" "reader" {{
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = ["arn:aws:iam::&{{aws:PrincipalAccount}}:role/x", format("arn:aws:s3:::%s/*", lower("ACME-FINOPS-STAGING"))]
    }}]
  }})
}}
"#,
            delivery(
                r#"aws_s3_bucket.cur[0].arn, "${aws_s3_bucket.cur[0].arn}/*""#,
                "billingreports.amazonaws.com"
            )
        ),
    )
    .unwrap();
    // the legacy report of the module is in a sibling file
    std::fs::write(
        module.join("cur.tf"),
        r#"
resource "aws_cur_report_definition" "cur" {
  count                      = 1
  report_name                = "finops"
  time_unit                  = "DAILY"
  format                     = "textORcsv"
  compression                = "GZIP"
  additional_schema_elements = ["RESOURCES"]
  s3_bucket                  = aws_s3_bucket.cur[0].id
  s3_prefix                  = "reports"
  s3_region                  = "us-east-1"
  refresh_closed_reports     = true
  report_versioning          = "OVERWRITE_REPORT"
  depends_on                 = [aws_s3_bucket_policy.cur[0]]
}
"#,
    )
    .unwrap();
    let p = module.to_string_lossy().to_string();
    let (_, v) = json_findings(&[
        "--no-config",
        "--platform",
        "optscale",
        "--bucket",
        B,
        "--account-id",
        A,
        &p,
    ]);
    let found = located(&v);
    let bp004: Vec<_> = found.iter().filter(|f| f.0 == "BP004").collect();
    // the bucket name reached through `[0]` and the object variable, in the delivery statement
    assert!(!bp004.is_empty(), "{v:#}");
    // the legacy report in cur.tf: the export type is legacy, billingreports is the principal
    assert!(!found.iter().any(|f| f.0 == "BP001"), "{v:#}");
    // the bucket policy of the module is found (`aws_s3_bucket.cur[0]`), ordered before the report
    assert!(
        !found.iter().any(|f| f.0 == "IAC001" || f.0 == "IAC002"),
        "{v:#}"
    );
    // `count = 0`: never created, not checked
    assert!(!found.iter().any(|f| f.0 == "IAM002"), "{v:#}");
    // `&{aws:PrincipalAccount}` is a policy variable in a policy document data source (the
    // provider writes it as `${...}`), but not in `jsonencode`, where IAM gets it as written
    let val002: Vec<_> = found.iter().filter(|f| f.0 == "VAL002").collect();
    assert_eq!(val002.len(), 1, "{v:#}");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "VAL002"
                && f["file"].as_str().unwrap().ends_with("main.tf")
                && f["message"].as_str().unwrap().contains("&{aws")),
        "{v:#}"
    );

    // a `""` sentinel default raises nothing; a `dynamic "statement"` is read
    let sentinel = dir.path().join("sentinel");
    std::fs::create_dir_all(&sentinel).unwrap();
    std::fs::write(
        sentinel.join("main.tf"),
        r#"
variable "account" {
  default = ""
}

data "aws_iam_policy_document" "delivery" {
  dynamic "statement" {
    for_each = var.account == "" ? [] : [1]
    content {
      principals {
        type        = "Service"
        identifiers = ["bcm-data-exports.amazonaws.com"]
      }
      actions   = ["s3:PutObject", "s3:GetBucketPolicy"]
      resources = ["arn:aws:s3:::acme-finops-billing", "arn:aws:s3:::acme-finops-billing/*"]
      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [var.account]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceArn"
        values   = ["arn:aws:bcm-data-exports:eu-west-1:${var.account}:export/*"]
      }
    }
  }
}

resource "aws_s3_bucket_policy" "b" {
  bucket = "acme-finops-billing"
  policy = data.aws_iam_policy_document.delivery.json
}
"#,
    )
    .unwrap();
    let p = sentinel.to_string_lossy().to_string();
    let (_, v) = json_findings(&["--no-config", "--platform", "optscale", "--bucket", B, &p]);
    let found = located(&v);
    assert!(!found.iter().any(|f| f.0 == "VAL002"), "{v:#}");
    // the dynamic statement is read: its delivery statement is there (no BP001), with its
    // source conditions (their values unknown: no BP010, no BP006)
    assert!(!found.iter().any(|f| f.0 == "BP001"), "{v:#}");
    assert!(
        !found.iter().any(|f| f.0 == "BP010" || f.0 == "BP006"),
        "{v:#}"
    );
    // and with a `for_each` known to be empty, no statement is generated
    let text = std::fs::read_to_string(sentinel.join("main.tf")).unwrap();
    std::fs::write(
        sentinel.join("main.tf"),
        text.replace("for_each = var.account == \"\" ? [] : [1]", "for_each = []"),
    )
    .unwrap();
    let (_, v) = json_findings(&["--no-config", "--platform", "optscale", "--bucket", B, &p]);
    assert!(located(&v).iter().any(|f| f.0 == "POL004"), "{v:#}");
}

/// Conditions the configuration determines choose their branch, and `count` from a comparison
/// with a variable's default decides whether a resource exists; CloudFormation list parameters
/// are lists and "true" a Boolean where the property is one; a report without
/// `AdditionalSchemaElements` in a template is CUR002's, not a schema error (issue 17).
#[test]
fn known_conditions_choose_their_branch_and_template_parameters_keep_their_types() {
    let dir = tempdir::Dir::new();
    let tf = dir.write(
        "cur.tf",
        r#"
variable "frequency" {
  default = "NONE"
}

variable "monthly" {
  default = true
}

resource "aws_cur_report_definition" "off" {
  count                      = var.frequency != "NONE" ? 1 : 0
  report_name                = "off"
  time_unit                  = var.frequency
  format                     = "textORcsv"
  compression                = "GZIP"
  additional_schema_elements = ["RESOURCES"]
  s3_bucket                  = "acme-finops-billing"
  s3_prefix                  = "reports"
  s3_region                  = "us-east-1"
  report_versioning          = "OVERWRITE_REPORT"
}

resource "aws_cur_report_definition" "on" {
  count                      = length([1]) > 0 || var.frequency == "NONE" ? 1 : 0
  report_name                = "on"
  time_unit                  = var.monthly ? "MONTHLY" : "DAILY"
  format                     = "textORcsv"
  compression                = "GZIP"
  additional_schema_elements = ["RESOURCES"]
  s3_bucket                  = "acme-finops-billing"
  s3_prefix                  = "reports"
  s3_region                  = "us-east-1"
  report_versioning          = "OVERWRITE_REPORT"
}
"#,
    );
    let (_, v) = json_findings(&["--no-config", "--platform", "optscale", "--bucket", B, &tf]);
    let found = located(&v);
    // `off` is not created (its time unit NONE is not reported); `on`'s monthly branch is
    assert!(!found.iter().any(|f| f.2.contains("NONE")), "{v:#}");
    let monthly: Vec<_> = found.iter().filter(|f| f.0 == "CUR005").collect();
    assert_eq!(monthly.len(), 1, "{v:#}");
    assert_eq!(monthly[0].2, "MONTHLY", "{v:#}");

    let cfn = dir.write(
        "cur.yaml",
        r#"
Parameters:
  Elements:
    Type: CommaDelimitedList
    Default: "RESOURCES"
  Refresh:
    Type: String
    Default: "true"
    AllowedValues: ["true", "false"]
Resources:
  Report:
    Type: AWS::CUR::ReportDefinition
    Properties:
      ReportName: finops
      TimeUnit: DAILY
      Format: textORcsv
      Compression: GZIP
      AdditionalSchemaElements: !Ref Elements
      S3Bucket: acme-finops-billing
      S3Prefix: reports
      S3Region: us-east-1
      RefreshClosedReports: !Ref Refresh
      ReportVersioning: OVERWRITE_REPORT
  Bare:
    Type: AWS::CUR::ReportDefinition
    Properties:
      ReportName: bare
      TimeUnit: DAILY
      Format: textORcsv
      Compression: GZIP
      S3Bucket: acme-finops-billing
      S3Prefix: reports
      S3Region: us-east-1
      RefreshClosedReports: true
      ReportVersioning: OVERWRITE_REPORT
"#,
    );
    let (_, v) = json_findings(&["--no-config", "--platform", "optscale", "--bucket", B, &cfn]);
    let found = located(&v);
    assert!(
        !found.iter().any(|f| f.0 == "SCH002" || f.0 == "CUR003"),
        "{v:#}"
    );
    let cur002: Vec<_> = found.iter().filter(|f| f.0 == "CUR002").collect();
    assert_eq!(cur002.len(), 1, "{v:#}");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "CUR002"
                && f["message"]
                    .as_str()
                    .unwrap()
                    .contains("`AdditionalSchemaElements` is not set")),
        "{v:#}"
    );
}

/// Terraform tests, Terragrunt files and `.terraform/` are not configurations: skipped quietly,
/// even when named one by one (issue 17).
#[test]
fn terraform_tests_terragrunt_and_downloaded_modules_are_skipped_quietly() {
    let dir = tempdir::Dir::new();
    let test = dir.write(
        "tests/main.tftest.hcl",
        "run \"plan\" {\n  command = plan\n}\n",
    );
    let grunt = dir.write(
        "terragrunt.hcl",
        "include \"root\" {\n  path = find_in_parent_folders()\n}\n",
    );
    let downloaded = dir.write(
        ".terraform/modules/x/main.tf",
        "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({ Statement = [{ Effect = \"allow\" }] })\n}\n",
    );
    let (code, v) = json_findings(&[
        "--no-config",
        "--platform",
        "optscale",
        &test,
        &grunt,
        &downloaded,
    ]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["findings"], serde_json::json!([]), "{v:#}");
    assert_eq!(v["skipped"].as_array().unwrap().len(), 3, "{v:#}");
}

/// The values Terraform reads: `terraform.tfvars`, `*.auto.tfvars` (a later one wins), then
/// `--var-file` and `--var`; a variable without a default or value stays unknown (issue 17).
#[test]
fn terraform_variable_values_come_from_tfvars_and_flags() {
    let dir = tempdir::Dir::new();
    dir.write(
        "m/main.tf",
        r#"
variable "enable" {
  default = false
}

variable "time_unit" {}

resource "aws_cur_report_definition" "cur" {
  count                      = var.enable ? 1 : 0
  report_name                = "finops"
  time_unit                  = var.time_unit
  format                     = "textORcsv"
  compression                = "GZIP"
  additional_schema_elements = ["RESOURCES"]
  s3_bucket                  = "acme-finops-billing"
  s3_prefix                  = "reports"
  s3_region                  = "us-east-1"
  report_versioning          = "OVERWRITE_REPORT"
}
"#,
    );
    let m = dir.path().join("m").to_string_lossy().to_string();
    let cur005 = |args: &[&str]| {
        let mut a = vec!["--no-config", "--platform", "optscale", "--bucket", B];
        a.extend_from_slice(args);
        a.push(&m);
        let (_, v) = json_findings(&a);
        located(&v).into_iter().filter(|f| f.0 == "CUR005").count()
    };
    // by default the report is not created, and its time unit is not known
    assert_eq!(cur005(&[]), 0);
    dir.write(
        "m/terraform.tfvars",
        "enable = true\ntime_unit = \"MONTHLY\"\n",
    );
    assert_eq!(cur005(&[]), 1);
    // a later *.auto.tfvars wins over terraform.tfvars
    dir.write("m/b.auto.tfvars", "time_unit = \"DAILY\"\n");
    assert_eq!(cur005(&[]), 0);
    // the JSON forms too, in the same order (`c.auto.tfvars.json` after `b.auto.tfvars`)
    dir.write(
        "m/c.auto.tfvars.json",
        r#"{"time_unit": "MONTHLY", "tags": {"a": "${x}"}}"#,
    );
    assert_eq!(cur005(&[]), 1);
    std::fs::remove_file(dir.path().join("m/c.auto.tfvars.json")).unwrap();
    assert_eq!(cur005(&[]), 0);
    // --var-file, then --var, win over the folder's files
    let file = dir.write("prod.tfvars", "time_unit = \"MONTHLY\"\n");
    assert_eq!(cur005(&["--var-file", &file]), 1);
    assert_eq!(
        cur005(&["--var-file", &file, "--var", "time_unit=HOURLY"]),
        0
    );
    assert_eq!(
        cur005(&["--var", "enable=false", "--var", "time_unit=MONTHLY"]),
        0
    );
    // bad flags are usage errors
    assert_eq!(
        run(&[
            "check",
            "--no-config",
            "--platform",
            "optscale",
            "--var",
            "novalue",
            &m
        ])
        .code,
        2
    );
    assert_eq!(
        run(&[
            "check",
            "--no-config",
            "--platform",
            "optscale",
            "--var-file",
            "/nonexistent.tfvars",
            &m
        ])
        .code,
        2
    );
}

/// CloudFormation parameter values a deployment gives: `--parameters` in the formats of
/// `create-stack` and `deploy`, then `--parameter`, over the `Default` (issue 17).
#[test]
fn cloudformation_parameter_values_come_from_the_deployment() {
    let dir = tempdir::Dir::new();
    let tpl = dir.write(
        "cur.yaml",
        r#"
Parameters:
  Versioning:
    Type: String
    Default: OVERWRITE_REPORT
  Unit:
    Type: String
Resources:
  Report:
    Type: AWS::CUR::ReportDefinition
    Properties:
      ReportName: finops
      TimeUnit: !Ref Unit
      Format: textORcsv
      Compression: GZIP
      AdditionalSchemaElements: [RESOURCES]
      S3Bucket: acme-finops-billing
      S3Prefix: reports
      S3Region: us-east-1
      RefreshClosedReports: true
      ReportVersioning: !Ref Versioning
"#,
    );
    let codes_with = |extra: &[&str]| {
        let mut a = vec!["--no-config", "--platform", "optscale", "--bucket", B];
        a.extend_from_slice(extra);
        a.push(&tpl);
        let (code, v) = json_findings(&a);
        assert!(code <= 1, "{v:#}");
        codes(&v)
    };
    assert!(codes_with(&[]).is_empty());
    let create = dir.write(
        "create.json",
        r#"[{"ParameterKey": "Versioning", "ParameterValue": "CREATE_NEW_REPORT"}, {"ParameterKey": "Unit", "ParameterValue": "MONTHLY"}]"#,
    );
    let c = codes_with(&["--parameters", &create]);
    assert!(
        c.contains(&"CUR004".to_string()) && c.contains(&"CUR005".to_string()),
        "{c:?}"
    );
    let deploy = dir.write("deploy.json", r#"["Unit=MONTHLY"]"#);
    assert_eq!(
        codes_with(&["--parameters", &deploy]),
        vec!["CUR005".to_string()]
    );
    let newer = dir.write(
        "newer.json",
        r#"{"Parameters": {"Versioning": "CREATE_NEW_REPORT"}}"#,
    );
    assert_eq!(
        codes_with(&["--parameters", &newer]),
        vec!["CUR004".to_string()]
    );
    // --parameter wins over the file
    let c = codes_with(&[
        "--parameters",
        &create,
        "--parameter",
        "Unit=DAILY",
        "--parameter",
        "Versioning=OVERWRITE_REPORT",
    ]);
    assert!(c.is_empty(), "{c:?}");
    let bad = dir.write("bad.json", r#"{"Versioning": 1}"#);
    assert_eq!(
        run(&[
            "check",
            "--no-config",
            "--platform",
            "optscale",
            "--parameters",
            &bad,
            &tpl
        ])
        .code,
        2
    );
    assert_eq!(
        run(&[
            "check",
            "--no-config",
            "--platform",
            "optscale",
            "--parameter",
            "Unit",
            &tpl
        ])
        .code,
        2
    );
}

/// CloudFormation `Fn::If`: each branch is checked, and a defect in one is reported at that
/// branch's text (issue 17).
#[test]
fn each_branch_of_a_cloudformation_condition_is_checked() {
    let dir = tempdir::Dir::new();
    let tpl = dir.write(
        "cur.yaml",
        r#"
Parameters:
  Env:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Report:
    Type: AWS::CUR::ReportDefinition
    Properties:
      ReportName: finops
      TimeUnit: !If [IsProd, DAILY, MONTHLY]
      Format: textORcsv
      Compression: GZIP
      AdditionalSchemaElements: !If [IsProd, [RESOURCES], [RESOURCES]]
      S3Bucket: acme-finops-billing
      S3Prefix: reports
      S3Region: us-east-1
      RefreshClosedReports: true
      ReportVersioning: !If [IsProd, OVERWRITE_REPORT, !Ref "AWS::NoValue"]
"#,
    );
    let (_, v) = json_findings(&["--no-config", "--platform", "optscale", "--bucket", B, &tpl]);
    let found = located(&v);
    // the MONTHLY branch, at its text, once
    let cur005: Vec<_> = found.iter().filter(|f| f.0 == "CUR005").collect();
    assert_eq!(cur005.len(), 1, "{found:?}");
    assert_eq!(cur005[0].2, "MONTHLY", "{found:?}");
    // the branch without `ReportVersioning` leaves it to its default (CREATE_NEW_REPORT)
    assert!(found.iter().any(|f| f.0 == "CUR004"), "{found:?}");
    // the branches that agree raise nothing
    assert!(
        !found.iter().any(|f| f.0 == "CUR002" || f.0 == "SCH002"),
        "{found:?}"
    );
}

/// CloudFormation `Conditions` the parameters determine: `Fn::If` reads the branch they
/// choose, and a resource whose `Condition` is false is not created, so not checked (issue 17).
#[test]
fn cloudformation_conditions_known_from_parameters_choose_their_branch() {
    let dir = tempdir::Dir::new();
    let tpl = dir.write(
        "cur.yaml",
        r#"
Parameters:
  Env:
    Type: String
    Default: prod
    AllowedValues: [prod, test]
  CreateLegacy:
    Type: String
    Default: "false"
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Legacy: !And [!Equals [!Ref CreateLegacy, "true"], !Condition IsProd]
Resources:
  Report:
    Type: AWS::CUR::ReportDefinition
    Properties:
      ReportName: finops
      TimeUnit: !If [IsProd, DAILY, MONTHLY]
      Format: textORcsv
      Compression: GZIP
      AdditionalSchemaElements: [RESOURCES]
      S3Bucket: acme-finops-billing
      S3Prefix: !If [NotProd, "/test", reports]
      S3Region: us-east-1
      RefreshClosedReports: true
      ReportVersioning: OVERWRITE_REPORT
  OldReport:
    Type: AWS::CUR::ReportDefinition
    Condition: Legacy
    Properties:
      ReportName: old
      TimeUnit: MONTHLY
      Format: textORcsv
      Compression: GZIP
      AdditionalSchemaElements: []
      S3Bucket: acme-finops-billing
      S3Prefix: reports
      S3Region: us-east-1
      RefreshClosedReports: false
      ReportVersioning: CREATE_NEW_REPORT
"#,
    );
    let check = |extra: &[&str]| {
        let mut a = vec!["--no-config", "--platform", "optscale", "--bucket", B];
        a.extend_from_slice(extra);
        a.push(&tpl);
        let (code, v) = json_findings(&a);
        assert!(code <= 1, "{v:#}");
        located(&v)
    };
    // the defaults: production, no legacy report; the test branches are never taken
    let found = check(&[]);
    assert!(found.is_empty(), "{found:?}");
    // a deployment in test: the MONTHLY and "/test" branches, at their text
    let found = check(&["--parameter", "Env=test"]);
    let got: Vec<(&str, &str)> = found.iter().map(|f| (f.0.as_str(), f.2.as_str())).collect();
    assert!(got.contains(&("CUR005", "MONTHLY")), "{found:?}");
    assert!(
        got.iter()
            .any(|(c, t)| *c == "PFX001" && t.contains("/test")),
        "{found:?}"
    );
    // the legacy report is created only when both hold
    let found = check(&["--parameter", "CreateLegacy=true"]);
    let lines: Vec<u64> = found.iter().map(|f| f.1).collect();
    assert!(
        found.iter().any(|f| f.0 == "CUR004") && lines.iter().all(|l| *l >= 29),
        "{found:?}"
    );
    let found = check(&[
        "--parameter",
        "CreateLegacy=true",
        "--parameter",
        "Env=test",
    ]);
    assert!(!found.iter().any(|f| f.0 == "CUR004"), "{found:?}");
}

/// SAM (`AWS::Serverless::*`): the policy documents of `Policies` are the function role's inline
/// policies; managed policy names and policy templates are AWS's, not read (issue 17).
#[test]
fn sam_function_policies_are_checked() {
    let dir = tempdir::Dir::new();
    let tpl = dir.write(
        "template.yaml",
        r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Importer:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      Policies:
        - AWSLambdaBasicExecutionRole
        - S3ReadPolicy:
            BucketName: acme-finops-billing
        - Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Action: [s3:GetObjct, cur:DescribeReportDefinitions]
              Resource: "*"
  Single:
    Type: AWS::Serverless::StateMachine
    Properties:
      Policies:
        Statement:
          - Effect: Allow
            Action: ce:GetCostAndUsage
            Resource: "*"
"#,
    );
    let (code, v) = json_findings(&["--no-config", "--platform", "optscale", &tpl]);
    assert_eq!(code, 1, "{v:#}");
    let found = located(&v);
    assert!(
        found.contains(&("IAM002".into(), 17, "s3:GetObjct".into())),
        "{found:?}"
    );
    // a document without `Version`: SAM passes it to the role as written, so IAM reads it
    // with the 2008 grammar
    assert!(
        found.iter().any(|f| f.0 == "POL001" && f.1 == 23),
        "{found:?}"
    );
}

/// A CDK synthesized template (`cdk.out/*.template.json`): hashed logical IDs, `Fn::Join` and
/// `Fn::GetAtt` of ARNs; the assembly's other files are not documents and raise nothing.
#[test]
fn cdk_synthesized_templates_are_read_like_any_template() {
    let dir = tempdir::Dir::new();
    dir.write(
        "cdk.out/manifest.json",
        r#"{"version":"36.0.0","artifacts":{"CurStack":{"type":"aws:cloudformation:stack","environment":"aws://unknown-account/unknown-region","properties":{"templateFile":"CurStack.template.json"}}}}"#,
    );
    dir.write(
        "cdk.out/tree.json",
        r#"{"version":"tree-0.1","tree":{"id":"App","path":"","children":{}}}"#,
    );
    dir.write(
        "cdk.out/CurStack.assets.json",
        r#"{"version":"36.0.0","files":{},"dockerImages":{}}"#,
    );
    dir.write(
        "cdk.out/CurStack.template.json",
        r#"{
 "Resources": {
  "CurBucket5D2F4C1A": {"Type": "AWS::S3::Bucket", "Metadata": {"aws:cdk:path": "CurStack/CurBucket/Resource"}},
  "CurBucketPolicyB7E2D8C0": {
   "Type": "AWS::S3::BucketPolicy",
   "Properties": {
    "Bucket": {"Ref": "CurBucket5D2F4C1A"},
    "PolicyDocument": {
     "Statement": [
      {"Action": ["s3:GetBucketAcl", "s3:GetBucketPolicy", "s3:PutObject"], "Effect": "Allow",
       "Principal": {"Service": "billingreports.amazonaws.com"},
       "Resource": [{"Fn::GetAtt": ["CurBucket5D2F4C1A", "Arn"]}, {"Fn::Join": ["", [{"Fn::GetAtt": ["CurBucket5D2F4C1A", "Arn"]}, "/*"]]}],
       "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}
     ],
     "Version": "2012-10-17"
    }
   }
  },
  "CurReportC6BF5D1B": {
   "Type": "AWS::CUR::ReportDefinition",
   "Properties": {
    "AdditionalSchemaElements": ["RESOURCES"], "Compression": "GZIP", "Format": "textORcsv",
    "RefreshClosedReports": true, "ReportName": "cur", "ReportVersioning": "CREATE_NEW_REPORT",
    "S3Bucket": {"Ref": "CurBucket5D2F4C1A"}, "S3Prefix": "reports",
    "S3Region": {"Ref": "AWS::Region"}, "TimeUnit": "HOURLY"
   },
   "DependsOn": ["CurBucketPolicyB7E2D8C0"]
  },
  "ReaderPolicy1A2B3C4D": {
   "Type": "AWS::IAM::Policy",
   "Properties": {
    "PolicyDocument": {
     "Statement": [{"Action": "cur:DescribeReportDefinitions", "Effect": "Allow",
       "Resource": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":cur:us-east-1:", {"Ref": "AWS::AccountId"}, ":definition/<name>"]]}}],
     "Version": "2012-10-17"
    },
    "PolicyName": "ReaderPolicy1A2B3C4D",
    "Roles": [{"Ref": "ReaderRoleA1B2C3D4"}]
   }
  }
 },
 "Parameters": {"BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/cdk-bootstrap/hnb659fds/version"}}
}"#,
    );
    let root = dir.path().to_string_lossy().to_string();
    let (code, v) = json_findings(&[
        "--no-config",
        "--platform",
        "optscale",
        "--account-id",
        A,
        &root,
    ]);
    assert_eq!(code, 1, "{v:#}");
    let found = located(&v);
    let got: Vec<(&str, u64, &str)> = found
        .iter()
        .map(|f| (f.0.as_str(), f.1, f.2.as_str()))
        .collect();
    // the report's setting, and the placeholder joined into an ARN (known once the account is)
    assert_eq!(got.len(), 2, "{found:?}");
    assert_eq!(got[0], ("CUR004", 23, "CREATE_NEW_REPORT"), "{found:?}");
    assert!(
        got[1].0 == "VAL001" && got[1].1 == 34 && got[1].2.contains(":definition/<name>"),
        "{found:?}"
    );
    // the assembly's other files: no finding, no error
    assert!(v["findings"].as_array().unwrap().iter().all(|f| f["file"]
        .as_str()
        .unwrap()
        .ends_with("CurStack.template.json")));
}

/// `for` expressions over known collections, `each`/`count` of a block created once,
/// `jsondecode`, `keys`/`values`: the values flow through, and a defect is reported where it
/// is written (issue 17).
#[test]
fn terraform_for_expressions_each_and_jsondecode_resolve() {
    let dir = tempdir::Dir::new();
    let tf = dir.write(
        "main.tf",
        r#"variable "buckets" {
  default = ["acme-finops-billing", "<bucket_name>"]
}
locals {
  arns    = [for b in var.buckets : "arn:aws:s3:::${b}/*"]
  by_name = { for b in var.buckets : b => "arn:aws:s3:::${b}" if b != "acme-finops-billing" }
  exports = { main = { versioning = "CREATE_NEW_REPORT" } }
}
resource "aws_iam_user_policy" "read" {
  name = "read"
  user = "finops"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = local.arns
    }, {
      Effect   = "Allow"
      Action   = ["s3:ListBucket"]
      Resource = values(local.by_name)
    }]
  })
}
resource "aws_iam_policy" "decoded" {
  name   = "decoded"
  policy = jsonencode(jsondecode(<<EOT
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObjct", "Resource": "*"}]}
EOT
  ))
}
resource "aws_cur_report_definition" "cur" {
  for_each                   = local.exports
  report_name                = each.key
  time_unit                  = "HOURLY"
  format                     = "textORcsv"
  compression                = "GZIP"
  additional_schema_elements = ["RESOURCES"]
  s3_bucket                  = "acme-finops-billing"
  s3_prefix                  = "cur"
  s3_region                  = "us-east-1"
  refresh_closed_reports     = true
  report_versioning          = each.value.versioning
}
"#,
    );
    let (_, v) = json_findings(&["--no-config", "--platform", "optscale", &tf]);
    let found = located(&v);
    let got: Vec<(&str, u64)> = found.iter().map(|f| (f.0.as_str(), f.1)).collect();
    assert_eq!(
        got,
        vec![("VAL001", 5), ("VAL001", 6), ("CUR004", 7), ("IAM002", 28)],
        "{found:?}"
    );
    assert_eq!(found[2].2, "CREATE_NEW_REPORT", "{found:?}");
    assert_eq!(found[3].2, "s3:GetObjct", "{found:?}");
    // `count = 1`: `count.index` is 0
    let counted = dir.write(
        "count/main.tf",
        r#"locals {
  versions = ["CREATE_NEW_REPORT"]
}
resource "aws_cur_report_definition" "cur" {
  count                      = 1
  report_name                = "cur"
  time_unit                  = "HOURLY"
  format                     = "textORcsv"
  compression                = "GZIP"
  additional_schema_elements = ["RESOURCES"]
  s3_bucket                  = "acme-finops-billing"
  s3_prefix                  = "cur"
  s3_region                  = "us-east-1"
  refresh_closed_reports     = true
  report_versioning          = local.versions[count.index]
}
"#,
    );
    let (_, v) = json_findings(&["--no-config", "--platform", "optscale", &counted]);
    assert_eq!(codes(&v), vec!["CUR004".to_string()], "{v:#}");
}

/// A conditional whose condition is not known: each branch is read, and a defect in one is
/// reported at its text (or where the value it builds is used); the branches that are fine
/// raise nothing (issue 17).
#[test]
fn each_known_branch_of_an_unknown_terraform_conditional_is_checked() {
    let dir = tempdir::Dir::new();
    let tf = dir.write(
        "main.tf",
        r#"variable "create" {
  type = bool
}
locals {
  bucket = var.create ? "acme-finops-billing" : "<existing_bucket>"
}
resource "aws_iam_user_policy" "cond" {
  name = "cond"
  user = "finops"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = var.create ? ["s3:GetObject"] : ["s3:GetObjct"]
      Resource = "arn:aws:s3:::${local.bucket}/*"
    }]
  })
}
resource "aws_cur_report_definition" "cur" {
  report_name                = "cur"
  time_unit                  = var.create ? "HOURLY" : "MONTHLY"
  format                     = "textORcsv"
  compression                = "GZIP"
  additional_schema_elements = ["RESOURCES"]
  s3_bucket                  = "acme-finops-billing"
  s3_prefix                  = "cur"
  s3_region                  = "us-east-1"
  refresh_closed_reports     = true
  report_versioning          = "OVERWRITE_REPORT"
}
"#,
    );
    let (_, v) = json_findings(&["--no-config", "--platform", "optscale", &tf]);
    let found = located(&v);
    let got: Vec<(&str, u64, &str)> = found
        .iter()
        .map(|f| (f.0.as_str(), f.1, f.2.as_str()))
        .collect();
    assert!(got.contains(&("IAM002", 14, "s3:GetObjct")), "{found:?}");
    assert!(got.contains(&("CUR005", 21, "MONTHLY")), "{found:?}");
    assert!(
        got.iter().any(|f| f.0 == "VAL001" && f.1 == 15),
        "{found:?}"
    );
    assert_eq!(got.len(), 3, "{found:?}");
    // given the condition, only that branch counts
    let (_, v) = json_findings(&[
        "--no-config",
        "--platform",
        "optscale",
        "--var",
        "create=true",
        &tf,
    ]);
    assert!(codes(&v).is_empty(), "{v:#}");
}

/// A local module call (`source = "./modules/x"`) is followed with its inputs: a defect in a
/// value the call gives is reported at the call's text; one the values cause in the module's
/// text is reported at the call with the module's line; registry modules stay unknown
/// (issue 17).
#[test]
fn local_module_calls_are_followed_with_their_inputs() {
    let dir = tempdir::Dir::new();
    dir.write(
        "main.tf",
        r#"module "cur" {
  source      = "./modules/cur"
  bucket_name = "<bucket_name>"
  versioning  = "CREATE_NEW_REPORT"
}
module "remote" {
  source  = "appvia/cur/aws"
  version = "1.0.0"
}
"#,
    );
    dir.write(
        "modules/cur/variables.tf",
        r#"variable "bucket_name" {
  type = string
}
variable "versioning" {
  type    = string
  default = "OVERWRITE_REPORT"
}
"#,
    );
    dir.write(
        "modules/cur/main.tf",
        r#"resource "aws_cur_report_definition" "cur" {
  report_name                = "cur"
  time_unit                  = "HOURLY"
  format                     = "textORcsv"
  compression                = "GZIP"
  additional_schema_elements = ["RESOURCES"]
  s3_bucket                  = var.bucket_name
  s3_prefix                  = "cur"
  s3_region                  = "us-east-1"
  refresh_closed_reports     = true
  report_versioning          = var.versioning
}
resource "aws_iam_user_policy" "read" {
  name = "read"
  user = "finops"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = "arn:aws:s3:::${var.bucket_name}/*"
    }]
  })
}
"#,
    );
    let root = dir.path().to_string_lossy().to_string();
    let (code, v) = json_findings(&["--no-config", "--platform", "optscale", &root]);
    assert_eq!(code, 1, "{v:#}");
    let findings = v["findings"].as_array().unwrap();
    // every finding is in the caller: the module on its own is clean
    assert!(
        findings
            .iter()
            .all(|f| f["file"].as_str().unwrap().ends_with("main.tf")
                && !f["file"].as_str().unwrap().contains("modules")),
        "{v:#}"
    );
    let found = located(&v);
    let got: Vec<(&str, u64, &str)> = found
        .iter()
        .map(|f| (f.0.as_str(), f.1, f.2.as_str()))
        .collect();
    assert!(
        got.contains(&("CUR004", 4, "CREATE_NEW_REPORT")),
        "{found:?}"
    );
    assert!(got.contains(&("BKT001", 3, "<bucket_name>")), "{found:?}");
    let through = findings
        .iter()
        .find(|f| f["code"] == "VAL001")
        .expect("the placeholder through the module's ARN");
    assert_eq!(through["range"]["start"]["line"], 1, "{through:#}");
    assert!(
        through["note"]
            .as_str()
            .unwrap()
            .contains("./modules/cur/main.tf` line 21"),
        "{through:#}"
    );
    // a module outside the checked tree is not read
    let outside = tempdir::Dir::new();
    for f in ["main.tf", "variables.tf"] {
        let text = std::fs::read_to_string(dir.path().join("modules/cur").join(f)).unwrap();
        outside.write(&format!("modules/cur/{f}"), &text);
    }
    let far = |source: &str| {
        format!("module \"x\" {{\n  source     = \"{source}\"\n  versioning = \"CREATE_NEW_REPORT\"\n}}\n")
    };
    // a module outside the file's folder is read when the run checks it too
    let inside = dir.write("near/main.tf", &far("../modules/cur"));
    let modules = dir.path().join("modules").to_string_lossy().to_string();
    let (code, v) = json_findings(&["--no-config", "--platform", "optscale", &inside, &modules]);
    assert_eq!((code, codes(&v)), (1, vec!["CUR004".to_string()]), "{v:#}");
    let (code, v) = json_findings(&["--no-config", "--platform", "optscale", &inside]);
    assert_eq!((code, codes(&v)), (0, vec![]), "{v:#}");
    let caller = dir.write(
        "far/main.tf",
        &far(&format!(
            "../../{}/modules/cur",
            outside.path().file_name().unwrap().to_string_lossy()
        )),
    );
    let (code, v) = json_findings(&["--no-config", "--platform", "optscale", &caller]);
    assert_eq!(code, 0, "{v:#}");
}

/// A policy document data source declared in another file than the resource that uses it is
/// checked where it is written, with the kind of its use, and its findings name that resource
/// (issue 17).
#[test]
fn a_policy_document_of_another_file_names_its_use() {
    let dir = tempdir::Dir::new();
    let docs = dir.write(
        "documents.tf",
        r#"data "aws_iam_policy_document" "read" {
  statement {
    actions   = ["s3:GetObjct"]
    resources = ["*"]
  }
}
"#,
    );
    dir.write(
        "iam.tf",
        r#"resource "aws_iam_policy" "read" {
  name   = "read"
  policy = data.aws_iam_policy_document.read.json
}
"#,
    );
    let root = dir.path().to_string_lossy().to_string();
    let (_, v) = json_findings(&["--no-config", "--platform", "optscale", &root]);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "IAM002")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(f["file"].as_str().unwrap(), docs, "{f:#}");
    assert_eq!(f["range"]["start"]["line"], 3, "{f:#}");
    assert!(
        f["note"]
            .as_str()
            .unwrap_or("")
            .contains("used by `aws_iam_policy.read`"),
        "{f:#}"
    );
}

/// `templatefile(path, vars)`: the template is checked as a policy of the resource's kind with
/// the variables the configuration determines (a placeholder given in a variable is reported
/// at the template's string); `$${...}` is a policy variable; a template that is JSON only once
/// rendered is not read, and raises nothing (issue 17).
#[test]
fn terraform_templatefile_policies_are_rendered_and_checked() {
    let dir = tempdir::Dir::new();
    dir.write(
        "main.tf",
        r#"variable "bucket" {
  default = "<bucket_name>"
}
resource "aws_s3_bucket_policy" "cur" {
  bucket = var.bucket
  policy = templatefile("${path.module}/policies/bucket.json.tpl", {
    bucket     = var.bucket
    account_id = "402938475610"
  })
}
resource "aws_iam_user_policy" "read" {
  name   = "read"
  user   = "finops"
  policy = templatefile("policies/read.json.tpl", { arns = ["a"] })
}
resource "aws_iam_user_policy" "typo" {
  name   = "typo"
  user   = "finops"
  policy = templatefile("policies/typo.json", { unknown = var.missing })
}
"#,
    );
    let bucket = dir.write(
        "policies/bucket.json.tpl",
        r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"Service": "bcm-data-exports.amazonaws.com"},
      "Action": ["s3:PutObject", "s3:GetBucketPolicy"],
      "Resource": ["arn:aws:s3:::${bucket}", "arn:aws:s3:::${bucket}/*"],
      "Condition": {"StringEquals": {"aws:SourceAccount": "${account_id}", "aws:SourceArn": "arn:aws:bcm-data-exports:us-east-1:${account_id}:export/*"}}
    }
  ]
}
"#,
    );
    dir.write(
        "policies/read.json.tpl",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ${jsonencode(arns)}}]}"#,
    );
    let typo = dir.write(
        "policies/typo.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObjct", "s3:ListBucket"], "Resource": ["arn:aws:s3:::${unknown}", "arn:aws:s3:::x/$${aws:username}/*"]}]}"#,
    );
    let root = dir.path().to_string_lossy().to_string();
    let (code, v) = json_findings(&["--no-config", "--platform", "optscale", &root]);
    assert_eq!(code, 1, "{v:#}");
    let found: Vec<(String, String, u64, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["range"]["start"]["line"].as_u64().unwrap(),
                f["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let placeholders: Vec<_> = found.iter().filter(|f| f.0 == "VAL001").collect();
    assert_eq!(placeholders.len(), 2, "{found:?}");
    assert!(
        placeholders
            .iter()
            .all(|f| f.1 == bucket && f.2 == 8 && f.3.contains("${bucket}")),
        "{found:?}"
    );
    // the unknown variable's ARN raises nothing; the policy variable is one
    assert!(
        found
            .iter()
            .any(|f| f.0 == "IAM002" && f.1 == typo && f.3 == "s3:GetObjct"),
        "{found:?}"
    );
    // the rendered bucket policy is checked as one: `StringEquals` with a wildcard ARN
    assert!(
        found
            .iter()
            .any(|f| f.0 == "BP007" && f.1 == bucket && f.2 == 9),
        "{found:?}"
    );
    assert_eq!(found.len(), 4, "{found:?}");
}

/// A policy written in a `locals` block of one file and used as a whole by a resource of
/// another file is checked where its text is, once, naming the resource (issue 17).
#[test]
fn a_policy_in_a_local_of_another_file_is_checked_where_it_is_written() {
    let dir = tempdir::Dir::new();
    let locals = dir.write(
        "locals.tf",
        r#"locals {
  read_policy = {
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObjct"]
      Resource = "*"
    }]
  }
}
"#,
    );
    dir.write(
        "iam.tf",
        r#"resource "aws_iam_policy" "read" {
  name   = "read"
  policy = jsonencode(local.read_policy)
}
"#,
    );
    let root = dir.path().to_string_lossy().to_string();
    let (_, v) = json_findings(&["--no-config", "--platform", "optscale", &root]);
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{v:#}");
    let f = &findings[0];
    assert_eq!(
        (
            f["code"].as_str(),
            f["file"].as_str(),
            f["range"]["start"]["line"].as_u64()
        ),
        (Some("IAM002"), Some(locals.as_str()), Some(6)),
        "{f:#}"
    );
    assert!(
        f["note"]
            .as_str()
            .unwrap()
            .contains("used by `aws_iam_policy.read`"),
        "{f:#}"
    );
}

/// Sentinel defaults (`""`, `null`) of variables guarded by a `validation` that rejects the
/// empty value, a `precondition`, or a `count` on the variable are values the deployment gives:
/// never a finding; the same variable given a placeholder is one (issue 17).
#[test]
fn guarded_sentinel_defaults_are_unknown() {
    let dir = tempdir::Dir::new();
    let tf = dir.write(
        "main.tf",
        r#"variable "bucket" {
  type    = string
  default = ""
  validation {
    condition     = length(var.bucket) > 0
    error_message = "Give the bucket."
  }
}
variable "account" {
  type    = string
  default = null
}
variable "prefix" {
  type    = string
  default = ""
}
resource "aws_s3_bucket_policy" "cur" {
  count  = var.prefix == "" ? 0 : 1
  bucket = var.bucket
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "bcm-data-exports.amazonaws.com" }
      Action    = ["s3:PutObject", "s3:GetBucketPolicy"]
      Resource  = ["arn:aws:s3:::${var.bucket}", "arn:aws:s3:::${var.bucket}/${var.prefix}/*"]
      Condition = { StringEquals = { "aws:SourceAccount" = var.account } }
    }]
  })
  lifecycle {
    precondition {
      condition     = var.account != null
      error_message = "Give the account."
    }
  }
}
"#,
    );
    let (code, v) = json_findings(&["--no-config", "--platform", "optscale", &tf]);
    assert_eq!((code, codes(&v)), (0, vec![]), "{v:#}");
    let (code, v) = json_findings(&[
        "--no-config",
        "--platform",
        "optscale",
        "--var",
        "bucket=<bucket_name>",
        "--var",
        "prefix=cur",
        "--var",
        "account=402938475610",
        &tf,
    ]);
    assert_eq!(code, 1, "{v:#}");
    assert!(codes(&v).contains(&"VAL001".to_string()), "{v:#}");
}

/// Local module calls are bounded: a file that calls a module hundreds of times has the first
/// 64 calls followed (issue 17).
/// A module whose report takes its versioning from the call.
const CUR_MODULE: &str = r#"variable "versioning" {}
resource "aws_cur_report_definition" "cur" {
  report_name                = "cur"
  time_unit                  = "HOURLY"
  format                     = "textORcsv"
  compression                = "GZIP"
  additional_schema_elements = ["RESOURCES"]
  s3_bucket                  = "acme-finops-billing"
  s3_prefix                  = "cur"
  s3_region                  = "us-east-1"
  refresh_closed_reports     = true
  report_versioning          = var.versioning
}
"#;

#[test]
fn local_module_calls_are_bounded() {
    let dir = tempdir::Dir::new();
    dir.write("modules/cur/main.tf", CUR_MODULE);
    let calls: String = (0..300)
        .map(|i| {
            format!("module \"m{i}\" {{\n  source     = \"./modules/cur\"\n  versioning = \"CREATE_NEW_REPORT\"\n}}\n")
        })
        .collect();
    dir.write("main.tf", &calls);
    let root = dir.path().to_string_lossy().to_string();
    let (code, v) = json_findings(&["--no-config", "--platform", "optscale", &root]);
    assert_eq!(code, 1, "{v:#}");
    let n = codes(&v).iter().filter(|c| *c == "CUR004").count();
    assert_eq!(n, 64, "{n} findings");
}

/// Two spellings of one module folder (`./modules/cur`, `./modules/cur/`, `./modules/../modules/cur`)
/// are one module: each call is followed with its own values.
#[test]
fn spellings_of_one_local_module_are_each_followed() {
    let dir = tempdir::Dir::new();
    dir.write("modules/cur/main.tf", CUR_MODULE);
    dir.write(
        "main.tf",
        r#"module "a" {
  source     = "./modules/cur"
  versioning = "CREATE_NEW_REPORT"
}
module "b" {
  source     = "./modules/cur/"
  versioning = "CREATE_NEW_REPORT"
}
module "c" {
  source     = "./modules/../modules/cur"
  versioning = "OVERWRITE_REPORT"
}
module "d" {
  source     = "./modules/../modules/cur"
  versioning = "CREATE_NEW_REPORT"
}
"#,
    );
    let root = dir.path().to_string_lossy().to_string();
    let (code, v) = json_findings(&["--no-config", "--platform", "optscale", &root]);
    assert_eq!(code, 1, "{v:#}");
    let lines: Vec<u64> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "CUR004")
        .map(|f| f["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![3, 7, 15], "{v:#}");
}

/// A part of a string that a template rendered (`templatefile`, an interpolation) has no place
/// of its own: the finding underlines the whole string as written, and a fix that would edit a
/// part of it is not offered; a literal string keeps its exact part.
#[test]
fn a_part_of_a_rendered_string_is_the_whole_string() {
    let dir = tempdir::Dir::new();
    dir.write(
        "main.tf",
        r#"variable "p" {
  default = "x"
}
variable "slash" {
  default = "/"
}
resource "aws_iam_user_policy" "read" {
  name   = "read"
  user   = "finops"
  policy = templatefile("${path.module}/policy.json.tpl", { x = "" })
}
resource "aws_iam_user_policy" "inline" {
  name   = "inline"
  user   = "finops"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["${var.p}s4:GetObject", "s5:GetObject"], Resource = "*" }]
  })
}
resource "aws_cur_report_definition" "cur" {
  report_name                = "cur"
  time_unit                  = "HOURLY"
  format                     = "textORcsv"
  compression                = "GZIP"
  additional_schema_elements = ["RESOURCES"]
  s3_bucket                  = "acme-finops-billing"
  s3_prefix                  = "${var.slash}cur"
  s3_region                  = "us-east-1"
  refresh_closed_reports     = true
  report_versioning          = "OVERWRITE_REPORT"
}
"#,
    );
    dir.write(
        "policy.json.tpl",
        r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": ["${x}s4:ListBucket"],
    "Resource": "*"
  }]
}
"#,
    );
    let root = dir.path().to_string_lossy().to_string();
    let (_, v) = json_findings(&["--no-config", "--platform", "optscale", &root]);
    let found = located(&v);
    let got: Vec<(&str, u64, &str)> = found
        .iter()
        .map(|f| (f.0.as_str(), f.1, f.2.as_str()))
        .collect();
    assert!(
        got.contains(&("IAM001", 5, "${x}s4:ListBucket")),
        "{found:?}"
    );
    assert!(
        got.contains(&("IAM001", 17, "${var.p}s4:GetObject")),
        "{found:?}"
    );
    assert!(got.contains(&("IAM001", 17, "s5")), "{found:?}");
    let pfx = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "PFX001")
        .expect("PFX001");
    assert_eq!(pfx["text"], "${var.slash}cur", "{pfx:#}");
    assert!(pfx.get("fix").is_none_or(|f| f.is_null()), "{pfx:#}");
}

/// A template two calls render with different values is checked with each: a defect that only
/// one call's values make is found, once.
#[test]
fn a_template_rendered_by_two_calls_is_checked_with_each() {
    let dir = tempdir::Dir::new();
    let call = |name: &str, bucket: &str| {
        format!("resource \"aws_iam_user_policy\" \"{name}\" {{\n  name   = \"{name}\"\n  user   = \"finops\"\n  policy = templatefile(\"${{path.module}}/policy.json.tpl\", {{ bucket = \"{bucket}\" }})\n}}\n")
    };
    dir.write(
        "main.tf",
        &[
            call("a", "acme-finops-billing"),
            call("b", "<bucket_name>"),
            call("c", "<bucket_name>"),
            call("d", "acme-finops-billing"),
        ]
        .concat(),
    );
    dir.write(
        "policy.json.tpl",
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\n    \"Effect\": \"Allow\",\n    \"Action\": [\"s3:GetObject\", \"s3:GetObjekt\"],\n    \"Resource\": \"arn:aws:s3:::${bucket}/*\"\n  }]\n}\n",
    );
    let root = dir.path().to_string_lossy().to_string();
    let (code, v) = json_findings(&["--no-config", &root]);
    assert_eq!(code, 1, "{v:#}");
    let mut got: Vec<String> = codes(&v);
    got.sort();
    // the unknown action once, the placeholder once (from the second call's values)
    assert_eq!(got, vec!["IAM002", "VAL001"], "{v:#}");
}
