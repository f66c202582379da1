//! `finops-lint simulate`: the offline counterpart of `aws iam simulate-custom-policy`, with
//! the same arguments and AWS's output shape.

use crate::eval::{self, PolicyRef, PolicyType, Principal, RequestContext, SimRequest};
use crate::parse::json::{self, Node};
use crate::source::Source;
use serde_json::{json, Value};
use std::io::Write;

/// A policy given on the command line: a path, `file://path`, or the JSON itself.
pub struct LoadedPolicy {
    pub id: String,
    pub kind: PolicyType,
    pub source: Source,
    pub root: Node,
}

pub fn load(arg: &str, id: String, kind: PolicyType) -> Result<LoadedPolicy, String> {
    let (name, text) = if arg.trim_start().starts_with('{') {
        (id.clone(), arg.to_string())
    } else {
        let path = arg.strip_prefix("file://").unwrap_or(arg);
        // the rules of `check`: a regular file (a FIFO or a device would block or never end),
        // up to the size limit
        let bytes = crate::fs::Reader::default()
            .read(std::path::Path::new(path))
            .map_err(|e| format!("cannot read `{path}`: {e}"))?;
        let (text, bad) = json::decode(&bytes);
        if bad.is_some() {
            return Err(format!("`{path}` is not valid UTF-8"));
        }
        (path.to_string(), text)
    };
    let source = Source::new(name.clone(), text);
    let parsed = json::parse_file(&source.text, None);
    let syntax = parsed.issues.iter().find(|i| {
        !matches!(
            i.kind,
            json::IssueKind::DuplicateKey | json::IssueKind::ByteOrderMark
        )
    });
    match (parsed.root, syntax) {
        (Some(root), None) if root.as_object().is_some() => Ok(LoadedPolicy {
            id,
            kind,
            source,
            root,
        }),
        (_, Some(issue)) => {
            let p = source.line_col(issue.span.start);
            Err(format!(
                "{name}:{}:{}: MalformedPolicyDocument: {}",
                p.line, p.column, issue.message
            ))
        }
        _ => Err(format!(
            "{name}: MalformedPolicyDocument: the policy is not a JSON object"
        )),
    }
}

/// The context key types of IAM's `ContextEntry` (`ContextKeyType`).
const CONTEXT_KEY_TYPES: &[&str] = &[
    "string",
    "stringList",
    "numeric",
    "numericList",
    "boolean",
    "booleanList",
    "ip",
    "ipList",
    "binary",
    "binaryList",
    "date",
    "dateList",
];

/// Parse `--context-entries`: the AWS CLI's JSON list, or its shorthand
/// `ContextKeyName=k,ContextKeyValues=v1,v2,ContextKeyType=string` (one entry per argument).
/// A key name of the wrong length, an unknown type, or a value its type cannot hold is an error
/// that names it, as IAM rejects such a request.
pub fn parse_context(entries: &[String]) -> Result<RequestContext, String> {
    let mut ctx = RequestContext::default();
    for e in entries {
        let t = e.trim();
        if t.starts_with('[') || t.starts_with('{') {
            let v: Value = serde_json::from_str(t)
                .map_err(|err| format!("--context-entries: invalid JSON: {err}"))?;
            let list = match v {
                Value::Array(a) => a,
                other => vec![other],
            };
            for item in list {
                let key = item
                    .get("ContextKeyName")
                    .and_then(Value::as_str)
                    .ok_or("--context-entries: an entry has no ContextKeyName")?;
                let values: Vec<String> = match item.get("ContextKeyValues") {
                    Some(Value::Array(a)) => a
                        .iter()
                        .map(|x| {
                            x.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| x.to_string())
                        })
                        .collect(),
                    Some(Value::String(s)) => vec![s.clone()],
                    Some(other) => vec![other.to_string()],
                    None => Vec::new(),
                };
                let kind = match item.get("ContextKeyType") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(k)) => Some(k.as_str()),
                    Some(other) => {
                        return Err(format!(
                            "--context-entries: the ContextKeyType of `{key}` is {other}, not one of {}",
                            CONTEXT_KEY_TYPES.join(", ")
                        ))
                    }
                };
                check_entry(key, kind, &values)?;
                ctx.insert(key, values);
            }
        } else {
            let mut key = None;
            let mut kind = None;
            let mut values = Vec::new();
            let mut current: Option<&str> = None;
            for part in t.split(',') {
                if let Some((k, v)) = part.split_once('=') {
                    match k.trim() {
                        "ContextKeyName" => {
                            key = Some(v.trim().to_string());
                            current = None;
                            continue;
                        }
                        "ContextKeyValues" => {
                            values.push(v.trim().to_string());
                            current = Some("values");
                            continue;
                        }
                        "ContextKeyType" => {
                            kind = Some(v.trim());
                            current = None;
                            continue;
                        }
                        _ => {}
                    }
                }
                if current == Some("values") {
                    values.push(part.trim().to_string());
                } else {
                    return Err(format!("--context-entries: cannot read `{part}` in `{t}`"));
                }
            }
            let key =
                key.ok_or_else(|| format!("--context-entries: `{t}` has no ContextKeyName"))?;
            check_entry(&key, kind, &values)?;
            ctx.insert(&key, values);
        }
    }
    Ok(ctx)
}

/// A context entry as IAM accepts it: a key name of 5 to 256 characters (IAM API Reference,
/// `ContextEntry`), a known type, and values of that type.
fn check_entry(key: &str, kind: Option<&str>, values: &[String]) -> Result<(), String> {
    let chars = key.chars().count();
    if !(5..=256).contains(&chars) {
        return Err(format!(
            "--context-entries: ContextKeyName `{key}` has {chars} characters; a key name has 5 to 256 (such as `aws:SourceIp`)"
        ));
    }
    let Some(kind) = kind else {
        return Ok(());
    };
    if !CONTEXT_KEY_TYPES.contains(&kind) {
        return Err(format!(
            "--context-entries: ContextKeyType `{kind}` of `{key}` is not one of {}",
            CONTEXT_KEY_TYPES.join(", ")
        ));
    }
    let base = kind.strip_suffix("List").unwrap_or(kind);
    for v in values {
        let fits = match base {
            "numeric" => v.trim().parse::<f64>().is_ok_and(f64::is_finite),
            "boolean" => v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"),
            "ip" => is_ip_or_cidr(v),
            "binary" => is_base64(v),
            "date" => crate::eval::condition::parse_date(v).is_some(),
            _ => true,
        };
        if !fits {
            let what = match base {
                "numeric" => "a number",
                "boolean" => "`true` or `false`",
                "ip" => "an IP address or CIDR block (such as `203.0.113.7` or `203.0.113.0/24`)",
                "binary" => "base64",
                _ => "a date (ISO 8601, such as `2026-01-01T00:00:00Z`, or seconds since 1970)",
            };
            return Err(format!(
                "--context-entries: value `{v}` of `{key}` is not {what}, as ContextKeyType {kind} needs"
            ));
        }
    }
    Ok(())
}

/// An IPv4 or IPv6 address, with or without a prefix length that fits it.
fn is_ip_or_cidr(v: &str) -> bool {
    let (addr, bits) = match v.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (v, None),
    };
    let Ok(addr) = addr.parse::<std::net::IpAddr>() else {
        return false;
    };
    let max = if addr.is_ipv4() { 32 } else { 128 };
    bits.is_none_or(|b| {
        !b.is_empty()
            && b.bytes().all(|c| c.is_ascii_digit())
            && b.parse::<u32>().is_ok_and(|n| n <= max)
    })
}

/// Standard base64, padded.
fn is_base64(v: &str) -> bool {
    let body = v.trim_end_matches('=');
    v.len().is_multiple_of(4)
        && v.len() - body.len() <= 2
        && body
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
}

/// The longest action name IAM accepts (IAM API Reference, `SimulateCustomPolicy`,
/// `ActionNames`: 3 to 128 characters), and the longest resource ARN (1 to 2,048).
const MAX_ACTION_NAME: usize = 128;
const MAX_RESOURCE_ARN: usize = 2048;

/// An action name as IAM reads one: `service:action`, 3 to 128 characters.
pub fn check_action(a: &str) -> Result<(), String> {
    let n = a.chars().count();
    let (service, name) = a.split_once(':').unwrap_or(("", ""));
    if a.is_empty() {
        return Err("--action-names: an action name is empty (`\"\"`); give `service:action`, such as `s3:GetObject`".to_string());
    }
    if !(3..=MAX_ACTION_NAME).contains(&n) || service.is_empty() || name.is_empty() {
        return Err(format!(
            "--action-names: `{a}` is not an action name (`service:action` of 3 to {MAX_ACTION_NAME} characters, such as `s3:GetObject`)"
        ));
    }
    Ok(())
}

/// A resource as the simulator takes one: `*` or an ARN
/// (`arn:partition:service:region:account:resource`), up to 2,048 characters.
pub fn check_arn(option: &str, r: &str) -> Result<(), String> {
    if r == "*" && option == "--resource-arns" {
        return Ok(());
    }
    let parts: Vec<&str> = r.splitn(6, ':').collect();
    let fits = parts.len() == 6
        && parts[0] == "arn"
        && !parts[1].is_empty()
        && !parts[2].is_empty()
        && !parts[5].is_empty()
        && r.chars().count() <= MAX_RESOURCE_ARN;
    if fits {
        Ok(())
    } else {
        Err(format!(
            "{option}: `{r}` is not an ARN (`arn:partition:service:region:account:resource`, up to {MAX_RESOURCE_ARN} characters{})",
            if option == "--resource-arns" { ", or `*`" } else { "" }
        ))
    }
}

pub struct Simulation<'a> {
    pub policies: &'a [LoadedPolicy],
    pub actions: &'a [String],
    pub resources: &'a [String],
    pub principal: Principal,
    pub resource_account: Option<String>,
    pub context: RequestContext,
}

/// One result per action and resource, in AWS's `EvaluationResults` shape, made as they are
/// read (the matrix of actions by resources is never held whole).
pub fn results<'s>(sim: &'s Simulation<'s>) -> impl Iterator<Item = Value> + 's {
    let refs: Vec<PolicyRef> = sim
        .policies
        .iter()
        .map(|p| PolicyRef {
            id: p.id.clone(),
            kind: p.kind,
            root: &p.root,
        })
        .collect();
    let per_action = sim.resources.len();
    (0..sim.actions.len() * per_action).map(move |k| {
        result(
            sim,
            &refs,
            &sim.actions[k / per_action],
            &sim.resources[k % per_action],
        )
    })
}

fn result(sim: &Simulation, refs: &[PolicyRef], action: &str, resource: &str) -> Value {
    let req = SimRequest {
        principal: sim.principal.clone(),
        action: action.to_string(),
        resource: resource.to_string(),
        resource_account: sim.resource_account.clone(),
        context: sim.context.clone(),
    };
    let ev = eval::evaluate(refs, &req);
    let matched: Vec<Value> = ev
        .matched
        .iter()
        .map(|m| {
            let p = sim.policies.iter().find(|p| p.id == m.policy_id);
            let (start, end) = match p {
                Some(p) => (
                    p.source.line_col(m.span.start),
                    p.source.line_col(m.span.end),
                ),
                None => (
                    crate::source::LineCol { line: 1, column: 1 },
                    crate::source::LineCol { line: 1, column: 1 },
                ),
            };
            json!({
                "SourcePolicyId": m.policy_id,
                "SourcePolicyType": m.policy_type.aws_name(),
                "StartPosition": {"Line": start.line, "Column": start.column},
                "EndPosition": {"Line": end.line, "Column": end.column},
            })
        })
        .collect();
    let mut r = json!({
        "EvalActionName": action,
        "EvalResourceName": resource,
        "EvalDecision": ev.decision.aws_name(),
        "MatchedStatements": matched,
        "MissingContextValues": ev.missing_context.iter().collect::<Vec<_>>(),
    });
    if let Some(b) = ev.allowed_by_boundary {
        r["PermissionsBoundaryDecisionDetail"] = json!({"AllowedByPermissionsBoundary": b});
    }
    if sim.policies.iter().any(|p| p.kind == PolicyType::Resource) {
        r["EvalDecisionDetails"] = json!({});
    }
    r
}

/// The JSON output, written result by result: the text `serde_json::to_string_pretty` gives
/// for `{"EvaluationResults": [...], "IsTruncated": false}`.
pub fn write_json(sim: &Simulation, out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all(b"{\n  \"EvaluationResults\": [")?;
    for (k, r) in results(sim).enumerate() {
        out.write_all(if k == 0 { b"\n" } else { b",\n" })?;
        let text = serde_json::to_string_pretty(&r).map_err(std::io::Error::other)?;
        // a string's line breaks are escaped: every line break is the layout's
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                out.write_all(b"\n")?;
            }
            out.write_all(b"    ")?;
            out.write_all(line.as_bytes())?;
        }
    }
    out.write_all(b"\n  ],\n  \"IsTruncated\": false\n}\n")
}

/// The `--output table` rendering. The columns' widths need every row: the results are made
/// twice, once to measure and once to write, rather than held.
pub fn write_table(sim: &Simulation, out: &mut dyn Write) -> std::io::Result<()> {
    let header = [
        "Action",
        "Resource",
        "Decision",
        "Matched statements (policy:line)",
        "Why",
    ];
    let mut widths = header.map(str::len);
    for r in results(sim) {
        for (i, c) in row(&r).iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |out: &mut dyn Write, cells: [&str; 5]| -> std::io::Result<()> {
        let mut s = String::from("|");
        for (i, c) in cells.iter().enumerate() {
            s.push_str(&format!(" {c:<w$} |", w = widths[i]));
        }
        s.push('\n');
        out.write_all(s.as_bytes())
    };
    let sep = {
        let mut s = String::from("+");
        for w in widths {
            s.push_str(&"-".repeat(w + 2));
            s.push('+');
        }
        s.push('\n');
        s
    };
    out.write_all(sep.as_bytes())?;
    line(out, header)?;
    out.write_all(sep.as_bytes())?;
    for r in results(sim) {
        let r = row(&r);
        line(out, [&r[0], &r[1], &r[2], &r[3], &r[4]])?;
    }
    out.write_all(sep.as_bytes())
}

/// A result's row in the table, each cell on one line with its control characters escaped (the
/// values come from the request and the policies). The last cell says why a request is denied,
/// as the JSON does: the Deny that matched, or the context values a condition needs.
fn row(r: &Value) -> [String; 5] {
    let matched: Vec<String> = r["MatchedStatements"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|s| {
                    format!(
                        "{}:{}",
                        s["SourcePolicyId"].as_str().unwrap_or(""),
                        s["StartPosition"]["Line"]
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let missing: Vec<&str> = r["MissingContextValues"]
        .as_array()
        .map(|m| m.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let decision = r["EvalDecision"].as_str().unwrap_or("");
    let why = match decision {
        "explicitDeny" => format!("a Deny matches: {}", matched.join(", ")),
        "implicitDeny" if !missing.is_empty() => format!(
            "no statement allows it without the context values {}",
            missing.join(", ")
        ),
        "implicitDeny" => "no statement allows it".to_string(),
        _ => String::new(),
    };
    let cell = |t: &str| crate::emit::escape::line(t).into_owned();
    [
        cell(r["EvalActionName"].as_str().unwrap_or("")),
        cell(r["EvalResourceName"].as_str().unwrap_or("")),
        cell(decision),
        cell(&matched.join(", ")),
        cell(&why),
    ]
}
