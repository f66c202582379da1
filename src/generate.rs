//! `finops-lint generate`: the documents a scenario needs (the platform user's least-privilege
//! policy, the delivery bucket policy, the export) as JSON, Terraform or CloudFormation, with the
//! defaults it assumed said in the output.

use crate::context::{ExportType, Scenario};
use crate::rules::requirements::{self, Values};
use serde_json::{json, Map, Value};

/// The form of the generated documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// The documents as AWS's APIs and the console take them.
    Json,
    /// Terraform (AWS provider) resources.
    Terraform,
    /// A CloudFormation template (JSON).
    CloudFormation,
}

/// What the run knows: the scenario, the export type, the values, and the bucket's region.
pub struct Request<'a> {
    pub scenario: Scenario,
    pub export: ExportType,
    pub values: Values<'a>,
    /// The region the bucket is in (the export's `S3Region`).
    pub region: Option<&'a str>,
    /// The FinOps platform (`--platform`): its access model and export settings; without one,
    /// OptScale's guides.
    pub platform: Option<&'static crate::platform::Profile>,
    /// The external ID the platform gives, for the trust policy of the role it assumes.
    pub external_id: Option<&'a str>,
}

/// The generated documents: each with the file name `--output-dir` gives it and its text, the
/// text of all of them as one output (standard output), and the defaults assumed.
pub struct Generated {
    pub files: Vec<(String, String)>,
    pub whole: String,
    pub assumed: Vec<String>,
}

/// Whether `region` is written as an AWS region code (`us-east-1`, `eu-central-2`,
/// `us-gov-west-1`, `ap-southeast-7`).
pub fn valid_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1]
            .parse::<u8>()
            .is_ok_and(|n| n > 0 && parts[parts.len() - 1].len() <= 2)
}

pub fn generate(req: &Request, form: Form) -> Result<Generated, String> {
    let region = req.region.unwrap_or("us-east-1");
    let out = requirements::generate(
        req.platform,
        req.scenario,
        req.export,
        &req.values,
        region,
        req.external_id,
    )?;
    let mut assumed = Vec::new();
    let delivery = out.get("exportDefinition").is_some();
    if delivery {
        if req.values.export_name.is_none() {
            assumed.push("the export is named `finops-export` (set --export-name)".to_string());
        }
        if req.values.prefix.is_none() {
            assumed.push("the export writes under the prefix `reports` (set --prefix)".to_string());
        }
        if req.region.is_none() {
            assumed.push("the bucket is in us-east-1 (set --region)".to_string());
        }
        match req.platform.filter(|p| p.name != "optscale") {
            None => assumed.push(
                "the export settings are the platform's: daily, CSV compressed with GZIP, resource IDs included, overwriting the month's report, refreshed after each update".to_string(),
            ),
            Some(p) => assumed.push(format!(
                "the export settings are {}'s profile's (rules/platforms/{}.json, read {})",
                p.title, p.name, p.read
            )),
        }
    }
    if req.values.bucket.starts_with('<') {
        assumed.push("the bucket is `<bucket>`: set --bucket".to_string());
    }
    if req.values.account.starts_with('<') {
        assumed.push("the account is `<account-id>`: set --account-id".to_string());
    }
    if let Some(p) = req
        .platform
        .filter(|p| p.uses_role() && p.access.principals.len() > 1)
    {
        assumed.push(format!(
            "the role trusts {}'s first principal `{}`; its others are {}",
            p.title,
            p.access.principals[0],
            p.access.principals[1..].join(", ")
        ));
    }
    let docs: Vec<(&str, &Value)> = [
        ("user-policy", "userPolicy"),
        ("role-policy", "rolePolicy"),
        ("trust-policy", "trustPolicy"),
        ("bucket-policy", "bucketPolicy"),
        ("export", "exportDefinition"),
    ]
    .into_iter()
    .filter_map(|(file, key)| out.get(key).map(|v| (file, v)))
    .collect();
    let g = match form {
        Form::Json => {
            let mut whole = out.clone();
            whole["assumed"] = json!(assumed);
            Generated {
                files: docs
                    .iter()
                    .map(|(f, v)| (format!("{f}.json"), pretty(v)))
                    .collect(),
                whole: pretty(&whole),
                assumed,
            }
        }
        Form::Terraform => {
            let header = |what: &str| {
                let mut h = format!(
                    "# {what}, generated by finops-lint for the {} scenario ({} export).\n",
                    req.scenario.as_str(),
                    req.export.as_str()
                );
                for a in &assumed {
                    h.push_str(&format!("# Assumed: {a}.\n"));
                }
                h.push('\n');
                h
            };
            let mut files = Vec::new();
            for (file, doc) in &docs {
                let (what, body) = match *file {
                    "user-policy" => (
                        "The FinOps platform's IAM user and its policy",
                        tf_user(doc),
                    ),
                    "role-policy" => (
                        "The policy of the role the FinOps platform assumes",
                        tf_role_policy(doc),
                    ),
                    "trust-policy" => (
                        "The role the FinOps platform assumes, and who may assume it",
                        tf_role(doc),
                    ),
                    "bucket-policy" => (
                        "The bucket policy that lets AWS deliver the export",
                        tf_bucket_policy(req.values.bucket, doc),
                    ),
                    _ => ("The cost export", tf_export(req.export, doc, delivery)),
                };
                files.push((format!("{file}.tf"), format!("{}{body}", header(what))));
            }
            let whole = format!(
                "{}{}",
                header("The FinOps onboarding"),
                docs.iter()
                    .map(|(file, doc)| match *file {
                        "user-policy" => tf_user(doc),
                        "role-policy" => tf_role_policy(doc),
                        "trust-policy" => tf_role(doc),
                        "bucket-policy" => tf_bucket_policy(req.values.bucket, doc),
                        _ => tf_export(req.export, doc, delivery),
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            Generated {
                files,
                whole,
                assumed,
            }
        }
        Form::CloudFormation => {
            let template = |resources: Map<String, Value>| {
                let mut description = format!(
                    "FinOps onboarding ({} scenario, {} export), generated by finops-lint.",
                    req.scenario.as_str(),
                    req.export.as_str()
                );
                if resources.contains_key("CostExport") {
                    description
                        .push_str(" Deploy in us-east-1: the billing exports are created there.");
                }
                for a in &assumed {
                    description.push_str(&format!(" Assumed: {a}."));
                }
                pretty(&json!({
                    "AWSTemplateFormatVersion": "2010-09-09",
                    "Description": description,
                    "Resources": resources,
                }))
            };
            let mut all = Map::new();
            let mut files = Vec::new();
            for (file, doc) in &docs {
                let resources = match *file {
                    "user-policy" => cfn_user(doc),
                    "role-policy" => cfn_role_policy(doc),
                    "trust-policy" => cfn_role(doc),
                    "bucket-policy" => cfn_bucket_policy(req.values.bucket, doc),
                    _ => cfn_export(req.export, doc),
                };
                all.extend(resources.clone());
                files.push((format!("{file}.template.json"), template(resources)));
            }
            // in one template, the export waits for the bucket policy (AWS checks it first)
            if all.contains_key("BillingBucketPolicy") {
                if let Some(e) = all.get_mut("CostExport") {
                    e["DependsOn"] = json!("BillingBucketPolicy");
                }
            }
            Generated {
                files,
                whole: template(all),
                assumed,
            }
        }
    };
    Ok(g)
}

fn pretty(v: &Value) -> String {
    format!("{}\n", serde_json::to_string_pretty(v).unwrap_or_default())
}

fn tf_user(policy: &Value) -> String {
    format!(
        "resource \"aws_iam_user\" \"finops_platform\" {{\n  name = \"finops-platform\"\n}}\n\n\
         # Create the user's access key in the console (or with the AWS CLI) and give it to the\n\
         # platform: an aws_iam_access_key resource would keep the secret in the Terraform state.\n\n\
         resource \"aws_iam_policy\" \"finops_platform\" {{\n  name   = \"finops-platform\"\n  policy = jsonencode({})\n}}\n\n\
         resource \"aws_iam_user_policy_attachment\" \"finops_platform\" {{\n  user       = aws_iam_user.finops_platform.name\n  policy_arn = aws_iam_policy.finops_platform.arn\n}}\n",
        hcl(policy, 1)
    )
}

fn tf_role(trust: &Value) -> String {
    format!(
        "resource \"aws_iam_role\" \"finops_platform\" {{\n  name               = \"finops-platform\"\n  assume_role_policy = jsonencode({})\n}}\n",
        hcl(trust, 1)
    )
}

fn tf_role_policy(policy: &Value) -> String {
    format!(
        "resource \"aws_iam_role_policy\" \"finops_platform\" {{\n  name   = \"finops-platform\"\n  role   = aws_iam_role.finops_platform.id\n  policy = jsonencode({})\n}}\n",
        hcl(policy, 1)
    )
}

fn tf_bucket_policy(bucket: &str, policy: &Value) -> String {
    format!(
        "resource \"aws_s3_bucket_policy\" \"billing\" {{\n  bucket = {}\n  policy = jsonencode({})\n}}\n",
        hcl(&json!(bucket), 1),
        hcl(policy, 1)
    )
}

fn tf_export(export: ExportType, doc: &Value, with_bucket_policy: bool) -> String {
    let provider = "# The billing exports are created in us-east-1, wherever the bucket is.\nprovider \"aws\" {\n  alias  = \"billing\"\n  region = \"us-east-1\"\n}\n\n";
    let depends = if with_bucket_policy {
        "  # AWS checks the bucket policy when the export is created\n  depends_on = [aws_s3_bucket_policy.billing]\n"
    } else {
        ""
    };
    match export {
        ExportType::Cur2 => {
            let body = doc.get("Export").cloned().unwrap_or(Value::Null);
            format!(
                "{provider}resource \"aws_bcmdataexports_export\" \"finops\" {{\n  provider = aws.billing\n{depends}  export {{\n{}  }}\n}}\n",
                blocks(&body, 2, &["TableConfigurations"])
            )
        }
        ExportType::Legacy => {
            let body = doc.get("ReportDefinition").cloned().unwrap_or(Value::Null);
            format!(
                "{provider}resource \"aws_cur_report_definition\" \"finops\" {{\n  provider = aws.billing\n{depends}{}}}\n",
                blocks(&body, 1, &[])
            )
        }
    }
}

/// An API object as Terraform block contents: snake_case names, nested objects as blocks
/// (except the attributes named in `maps`, which are maps).
fn blocks(v: &Value, depth: usize, maps: &[&str]) -> String {
    let pad = "  ".repeat(depth);
    let is_block = |k: &str, v: &Value| v.is_object() && !maps.contains(&k);
    // attributes aligned on `=`, as `terraform fmt` writes them
    let width = v
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, v)| !is_block(k, v))
        .map(|(k, _)| snake(k).len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (k, v) in v.as_object().into_iter().flatten() {
        let name = snake(k);
        if is_block(k, v) {
            out.push_str(&format!(
                "{pad}{name} {{\n{}{pad}}}\n",
                blocks(v, depth + 1, maps)
            ));
        } else {
            out.push_str(&format!("{pad}{name:width$} = {}\n", hcl(v, depth)));
        }
    }
    out
}

/// `S3OutputConfigurations` → `s3_output_configurations`.
fn snake(k: &str) -> String {
    let mut out = String::new();
    let mut prev: Option<char> = None;
    for c in k.chars() {
        if c.is_ascii_uppercase() {
            if prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit()) {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
        prev = Some(c);
    }
    out
}

/// A JSON value as an HCL expression, indented for `depth`.
fn hcl(v: &Value, depth: usize) -> String {
    let pad = "  ".repeat(depth);
    match v {
        Value::String(s) => {
            let quoted = Value::String(s.clone()).to_string();
            // `${` and `%{` start templates in HCL strings
            quoted.replace("${", "$${").replace("%{", "%%{")
        }
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(|i| hcl(i, depth + 1)).collect();
            let one = format!("[{}]", parts.join(", "));
            if one.len() <= 80 && !one.contains('\n') {
                one
            } else {
                format!(
                    "[\n{}\n{pad}]",
                    parts
                        .iter()
                        .map(|p| format!("{pad}  {p}"))
                        .collect::<Vec<_>>()
                        .join(",\n")
                )
            }
        }
        Value::Object(m) => {
            let width = m.keys().map(|k| key(k).len()).max().unwrap_or(0);
            let lines: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{pad}  {:width$} = {}", key(k), hcl(v, depth + 1)))
                .collect();
            format!("{{\n{}\n{pad}}}", lines.join("\n"))
        }
        other => other.to_string(),
    }
}

/// An object key: bare when it is an identifier, else quoted.
fn key(k: &str) -> String {
    let ident = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ident {
        k.to_string()
    } else {
        Value::String(k.to_string()).to_string()
    }
}

fn cfn_user(policy: &Value) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "FinOpsPlatformUser".into(),
        json!({"Type": "AWS::IAM::User", "Properties": {"UserName": "finops-platform"}}),
    );
    m.insert(
        "FinOpsPlatformPolicy".into(),
        json!({"Type": "AWS::IAM::ManagedPolicy", "Properties": {
            "Description": "What the FinOps platform calls with its IAM user's keys",
            "Users": [{"Ref": "FinOpsPlatformUser"}],
            "PolicyDocument": policy,
        }}),
    );
    m
}

fn cfn_role(trust: &Value) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "FinOpsPlatformRole".into(),
        json!({"Type": "AWS::IAM::Role", "Properties": {"RoleName": "finops-platform", "AssumeRolePolicyDocument": trust}}),
    );
    m
}

fn cfn_role_policy(policy: &Value) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "FinOpsPlatformRolePolicy".into(),
        json!({"Type": "AWS::IAM::RolePolicy", "Properties": {
            "PolicyName": "finops-platform",
            "RoleName": {"Ref": "FinOpsPlatformRole"},
            "PolicyDocument": policy,
        }}),
    );
    m
}

fn cfn_bucket_policy(bucket: &str, policy: &Value) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "BillingBucketPolicy".into(),
        json!({"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": bucket, "PolicyDocument": policy}}),
    );
    m
}

fn cfn_export(export: ExportType, doc: &Value) -> Map<String, Value> {
    let mut m = Map::new();
    let resource = match export {
        ExportType::Cur2 => json!({"Type": "AWS::BCMDataExports::Export", "Properties": {
            "Export": doc.get("Export").cloned().unwrap_or(Value::Null),
        }}),
        ExportType::Legacy => json!({"Type": "AWS::CUR::ReportDefinition",
            "Properties": doc.get("ReportDefinition").cloned().unwrap_or(Value::Null)}),
    };
    m.insert("CostExport".into(), resource);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_told_from_other_text() {
        for r in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "ap-southeast-7",
            "il-central-1",
        ] {
            assert!(valid_region(r), "{r}");
        }
        for r in [
            "",
            "us-east",
            "US-EAST-1",
            "us-east-0",
            "useast1",
            "us-east-1a",
            "s3://x",
            "us--1",
        ] {
            assert!(!valid_region(r), "{r}");
        }
    }

    #[test]
    fn names_and_values_are_written_as_terraform_reads_them() {
        assert_eq!(snake("S3OutputConfigurations"), "s3_output_configurations");
        assert_eq!(snake("ReportName"), "report_name");
        assert_eq!(snake("TIME_GRANULARITY"), "time_granularity");
        assert_eq!(hcl(&json!("a${b}"), 0), "\"a$${b}\"");
        assert_eq!(key("aws:SourceArn"), "\"aws:SourceArn\"");
        assert_eq!(key("Version"), "Version");
    }
}
