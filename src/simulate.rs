//! `finops-lint simulate`: the offline counterpart of `aws iam simulate-custom-policy`, with
//! the same arguments and AWS's output shape.

use crate::eval::{self, Decision, PolicyRef, PolicyType, Principal, RequestContext, SimRequest};
use crate::parse::json::{self, Node};
use crate::source::Source;
use serde_json::{json, Value};

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
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
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

/// Parse `--context-entries`: the AWS CLI's JSON list, or its shorthand
/// `ContextKeyName=k,ContextKeyValues=v1,v2,ContextKeyType=string` (one entry per argument).
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
                ctx.insert(key, values);
            }
        } else {
            let mut key = None;
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
            ctx.insert(&key, values);
        }
    }
    Ok(ctx)
}

pub struct Simulation<'a> {
    pub policies: &'a [LoadedPolicy],
    pub actions: &'a [String],
    pub resources: &'a [String],
    pub principal: Principal,
    pub resource_account: Option<String>,
    pub context: RequestContext,
}

/// One result per action and resource, in AWS's `EvaluationResults` shape.
pub fn run(sim: &Simulation) -> Value {
    let refs: Vec<PolicyRef> = sim
        .policies
        .iter()
        .map(|p| PolicyRef {
            id: p.id.clone(),
            kind: p.kind,
            root: &p.root,
        })
        .collect();
    let mut results = Vec::new();
    for action in sim.actions {
        for resource in sim.resources {
            let req = SimRequest {
                principal: sim.principal.clone(),
                action: action.clone(),
                resource: resource.clone(),
                resource_account: sim.resource_account.clone(),
                context: sim.context.clone(),
            };
            let ev = eval::evaluate(&refs, &req);
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
            results.push(r);
        }
    }
    json!({"EvaluationResults": results, "IsTruncated": false})
}

/// The `--output table` rendering.
pub fn table(v: &Value) -> String {
    let rows: Vec<[String; 4]> = v["EvaluationResults"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
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
                    [
                        r["EvalActionName"].as_str().unwrap_or("").to_string(),
                        r["EvalResourceName"].as_str().unwrap_or("").to_string(),
                        r["EvalDecision"].as_str().unwrap_or("").to_string(),
                        matched.join(", "),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    let header = [
        "Action",
        "Resource",
        "Decision",
        "Matched statements (policy:line)",
    ];
    let mut widths = header.map(str::len);
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: [&str; 4]| {
        let mut s = String::from("|");
        for (i, c) in cells.iter().enumerate() {
            s.push_str(&format!(" {c:<w$} |", w = widths[i]));
        }
        s.push('\n');
        s
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
    let mut out = sep.clone();
    out.push_str(&line(header));
    out.push_str(&sep);
    for r in &rows {
        out.push_str(&line([&r[0], &r[1], &r[2], &r[3]]));
    }
    out.push_str(&sep);
    out
}

/// Exit status helper: did every result come out allowed?
pub fn all_allowed(v: &Value) -> bool {
    v["EvaluationResults"].as_array().is_some_and(|a| {
        a.iter()
            .all(|r| r["EvalDecision"] == Decision::Allowed.aws_name())
    })
}
