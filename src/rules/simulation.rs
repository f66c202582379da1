//! SIM001–SIM007: saved `aws iam simulate-principal-policy` / `simulate-custom-policy` output,
//! checked against the scenario's requirements (DOMAIN §4, §7.7). Both result shapes are read:
//! one result per action and resource, and the newer one with an ARN template in
//! `EvalResourceName` and the decisions per resource in `ResourceSpecificResults`.

use super::*;
use crate::diagnostic::{Finding, Severity};
use crate::eval::glob;
use crate::parse::json::{Kind, Node};
use crate::rules::exports::CostCtx;
use crate::rules::requirements::{requirements, Values};
use crate::source::Span;

declare! {
    family "simulation", "the output of simulate-principal-policy";
    SIM001 "simulated-call-denied" Error aa[] on[Simulation] fix[];
    SIM002 "blocked-by-scp" Error aa[] on[Simulation] fix[];
    SIM003 "blocked-by-permissions-boundary" Error aa[] on[Simulation] fix[];
    SIM004 "missing-context-values" Warning aa[] on[Simulation] fix[];
    SIM005 "truncated-simulation" Warning aa[] on[Simulation] fix[];
    SIM006 "resource-not-simulated" Warning aa[] on[Simulation] fix[];
    SIM007 "call-not-simulated" Warning aa[] on[Simulation] fix[];
}

/// One decision of the output: an action on a concrete resource (or `*`).
struct Decision<'a> {
    action: &'a str,
    resource: &'a str,
    decision: &'a Node,
    result: &'a Node,
    /// The per-resource entry of the newer shape, when the decision comes from one.
    specific: Option<&'a Node>,
}

fn decisions(root: &Node) -> Vec<Decision<'_>> {
    let mut out = Vec::new();
    for r in root
        .get("EvaluationResults")
        .and_then(Node::as_array)
        .unwrap_or(&[])
    {
        let action = r.get("EvalActionName").and_then(Node::as_str).unwrap_or("");
        let specific = r
            .get("ResourceSpecificResults")
            .and_then(Node::as_array)
            .filter(|a| !a.is_empty());
        match specific {
            Some(list) => {
                for s in list {
                    if let (Some(res), Some(d)) = (
                        s.get("EvalResourceName").and_then(Node::as_str),
                        s.get("EvalResourceDecision"),
                    ) {
                        out.push(Decision {
                            action,
                            resource: res,
                            decision: d,
                            result: r,
                            specific: Some(s),
                        });
                    }
                }
            }
            None => {
                if let Some(d) = r.get("EvalDecision") {
                    let res = r
                        .get("EvalResourceName")
                        .and_then(Node::as_str)
                        .unwrap_or("*");
                    out.push(Decision {
                        action,
                        resource: res,
                        decision: d,
                        result: r,
                        specific: None,
                    });
                }
            }
        }
    }
    out
}

/// The member at `path` (the last key with its value), as a span.
fn member_span(n: &Node, path: &[&str]) -> Option<Span> {
    let (last, parents) = path.split_last()?;
    let parent = parents.iter().try_fold(n, |n, k| n.get(k))?;
    let m = parent.member(last)?;
    Some(Span::new(m.key_span.start, m.value.span.end))
}

fn flag(n: &Node, path: &[&str]) -> Option<bool> {
    let v = path.iter().try_fold(n, |n, k| n.get(k))?;
    match v.kind {
        Kind::Bool(b) => Some(b),
        _ => None,
    }
}

pub fn check(ctx: &mut CostCtx, root: &Node) {
    // SIM005
    if let Some(t) = root
        .member("IsTruncated")
        .filter(|m| matches!(m.value.kind, Kind::Bool(true)))
    {
        let f = Finding::new(&SIM005, ctx.source_id, t.value.span, "the simulation output is truncated")
            .note("results beyond this page are missing, so a required call may be unchecked")
            .help("run the simulation again with `--marker` (or without `--max-items`) and save all pages");
        ctx.report(f);
    }
    let all = decisions(root);
    // SIM004: once per result
    for r in root
        .get("EvaluationResults")
        .and_then(Node::as_array)
        .unwrap_or(&[])
    {
        if let Some(m) = r
            .member("MissingContextValues")
            .filter(|m| m.value.as_array().is_some_and(|a| !a.is_empty()))
        {
            let keys: Vec<&str> = m
                .value
                .as_array()
                .unwrap_or(&[])
                .iter()
                .filter_map(Node::as_str)
                .collect();
            let f = Finding::new(&SIM004, ctx.source_id, m.value.span, format!("the decision for `{}` depends on context the simulation did not have: {}", r.get("EvalActionName").and_then(Node::as_str).unwrap_or("?"), keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")))
                .note("conditions on these keys were evaluated without values, so the real request (with its source IP, MFA, ...) may be decided differently")
                .help("run the simulation again with `--context-entries` for these keys, with the values the platform's requests carry");
            ctx.report(f);
        }
    }
    let Some(scenario) = ctx.opts.scenario else {
        return;
    };
    let Ok((profile, reqs)) = requirements(ctx.opts.platform(), scenario, ctx.opts.export_type())
    else {
        return;
    };
    let account = ctx
        .opts
        .account_id
        .clone()
        .unwrap_or_else(|| "123456789012".to_string());
    let bucket = ctx.opts.bucket.clone().unwrap_or_default();
    let values = Values {
        bucket: &bucket,
        prefix: ctx.opts.prefix.as_deref(),
        export_name: ctx.opts.export_name.as_deref(),
        account: &account,
        role: ctx.opts.role.as_deref(),
    };
    for req in &reqs {
        let grant = values.grant(&req.resource);
        let for_action: Vec<&Decision> = all
            .iter()
            .filter(|d| d.action.eq_ignore_ascii_case(&req.action))
            .collect();
        if for_action.is_empty() {
            // SIM007
            let f = Finding::new(&SIM007, ctx.source_id, root.member("EvaluationResults").map(|m| m.key_span).unwrap_or(root.span), format!("`{}` was not simulated", req.action))
                .severity(if req.severity() == Severity::Error { Severity::Warning } else { Severity::Info })
                .note(format!("the {} scenario needs it ({}); absent from the output, it is not known to be allowed", profile.name, req.call))
                .help(format!("add `{}` to `--action-names`{}", req.action, if grant == "*" { String::new() } else { format!(" with `--resource-arns {}`", values.probe(&req.resource)) }));
            ctx.report(f);
            continue;
        }
        // the decisions about the resources the platform calls (a concrete resource inside the
        // requirement's scope); `*` only counts for actions that need `*`
        let mut relevant: Vec<&&Decision> = for_action
            .iter()
            .filter(|d| d.resource == "*" || grant == "*" || glob(&grant, d.resource, false))
            .collect();
        // decisions on concrete resources make the `*` ones moot
        if grant != "*" && relevant.iter().any(|d| d.resource != "*") {
            relevant.retain(|d| d.resource != "*");
        }
        if relevant.is_empty() {
            let d = for_action[0];
            let f = Finding::new(&SIM006, ctx.source_id, d.decision.span, format!("`{}` was simulated on `{}`, not on the resource the platform uses", req.action, d.resource))
                .note(format!("the platform calls it on `{grant}`; a decision about another resource says nothing about it"))
                .help(format!("simulate with `--resource-arns {}`", values.probe(&req.resource)));
            ctx.report(f);
            continue;
        }
        for d in relevant {
            if d.resource == "*" && grant != "*" {
                let f = Finding::new(&SIM006, ctx.source_id, d.decision.span, format!("`{}` was simulated on `*`, which is not conclusive for a resource-scoped call", req.action))
                    .note(format!("statements scoped to `{grant}` may or may not match `*` in the simulator [UNVERIFIED how it treats them]"))
                    .help(format!("simulate with `--resource-arns {}`", values.probe(&req.resource)));
                ctx.report(f);
                continue;
            }
            let decision = d.decision.as_str().unwrap_or("");
            if decision == "allowed" {
                continue;
            }
            let scope = d.specific.unwrap_or(d.result);
            let by_org = flag(
                scope,
                &["OrganizationsDecisionDetail", "AllowedByOrganizations"],
            ) == Some(false)
                || flag(
                    d.result,
                    &["OrganizationsDecisionDetail", "AllowedByOrganizations"],
                ) == Some(false);
            let by_boundary = flag(
                scope,
                &[
                    "PermissionsBoundaryDecisionDetail",
                    "AllowedByPermissionsBoundary",
                ],
            ) == Some(false)
                || flag(
                    d.result,
                    &[
                        "PermissionsBoundaryDecisionDetail",
                        "AllowedByPermissionsBoundary",
                    ],
                ) == Some(false);
            let matched: Vec<String> = scope
                .get("MatchedStatements")
                .and_then(Node::as_array)
                .unwrap_or(&[])
                .iter()
                .map(|m| {
                    let id = m
                        .get("SourcePolicyId")
                        .and_then(Node::as_str)
                        .unwrap_or("?");
                    let line = m
                        .get("StartPosition")
                        .and_then(|p| p.get("Line"))
                        .map(|l| crate::schema::to_value(l).to_string())
                        .unwrap_or_default();
                    format!("`{id}` (line {line})")
                })
                .collect();
            let (rule, message, note, help) = if by_org {
                (&SIM002, format!("`{}` on `{}` is blocked by a service control policy", req.action, d.resource), format!("the organization's SCPs deny it; no change to the user's policies can fix that ({}: {})", profile.name, req.call), "ask the organization's administrators to allow it for this account, or connect from an account the SCP does not cover".to_string())
            } else if by_boundary {
                (&SIM003, format!("`{}` on `{}` is blocked by the user's permissions boundary", req.action, d.resource), format!("the permissions boundary does not allow it, whatever the user's policies grant ({}: {})", profile.name, req.call), "add the action to the permissions boundary, or use a user without one".to_string())
            } else if decision == "explicitDeny" {
                (
                    &SIM001,
                    format!("`{}` on `{}` is explicitly denied", req.action, d.resource),
                    format!(
                        "{}; the platform needs it for {} ({})",
                        if matched.is_empty() {
                            "a Deny statement matches".to_string()
                        } else {
                            format!("denied by {}", matched.join(", "))
                        },
                        req.call,
                        req.why
                    ),
                    "narrow or remove that Deny, or exclude the platform's user from it"
                        .to_string(),
                )
            } else {
                (&SIM001, format!("`{}` on `{}` is not allowed ({decision})", req.action, d.resource), format!("no policy grants it; the platform needs it for {} ({})", req.call, req.why), format!("grant `{}` on `{grant}` to the platform's user (`finops-lint generate --scenario {}` prints the statements)", req.action, profile.name))
            };
            // the field that states the cause, with the decision as a second label
            let cause = if by_org {
                member_span(
                    scope,
                    &["OrganizationsDecisionDetail", "AllowedByOrganizations"],
                )
                .or_else(|| {
                    member_span(
                        d.result,
                        &["OrganizationsDecisionDetail", "AllowedByOrganizations"],
                    )
                })
            } else if by_boundary {
                member_span(
                    scope,
                    &[
                        "PermissionsBoundaryDecisionDetail",
                        "AllowedByPermissionsBoundary",
                    ],
                )
                .or_else(|| {
                    member_span(
                        d.result,
                        &[
                            "PermissionsBoundaryDecisionDetail",
                            "AllowedByPermissionsBoundary",
                        ],
                    )
                })
            } else if decision == "explicitDeny" {
                scope
                    .get("MatchedStatements")
                    .and_then(Node::as_array)
                    .and_then(|m| m.first())
                    .map(|m| {
                        m.member("SourcePolicyId")
                            .map_or(m.span, |id| Span::new(id.key_span.start, id.value.span.end))
                    })
            } else {
                None
            };
            let f = match cause {
                Some(at) => Finding::new(rule, ctx.source_id, at, message)
                    .label(d.decision.span, format!("decision: {decision}")),
                None => Finding::new(rule, ctx.source_id, d.decision.inner_span(), message),
            }
            .severity(req.severity())
            .note(note)
            .help(help);
            ctx.report(f);
        }
    }
}
