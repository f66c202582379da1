//! IAM009 (condition keys against the actions and services that supply them) and IAM010 (tag
//! condition keys on actions that never carry them).

use super::types::covers;
use super::*;
use crate::catalog::{self, Action, Service};
use crate::model::policy::{Condition, Statement};
use crate::parse::json::Node;

/// An action a statement names, where it is written, and its catalog entries.
type Named<'a> = (&'a str, &'a Node, &'static Service, &'static Action);

/// The actions a statement names one by one (no wildcard), with their catalog entries: read
/// once per statement, when a check first needs them.
type Actions<'a> = std::cell::OnceCell<Vec<Named<'a>>>;

/// The actions a statement names one by one (no wildcard), with their catalog entries.
fn named_actions<'a>(
    stmt: &Statement<'a>,
    key: &str,
) -> Vec<(&'a str, &'a Node, &'static Service, &'static Action)> {
    stmt.strings(key)
        .into_iter()
        .filter(|(a, _)| !a.contains(['*', '?']))
        .filter_map(|(a, node)| {
            let (prefix, name) = a.split_once(':')?;
            let service = catalog::service(prefix)?;
            let action = service.action(name)?;
            Some((a, node, service, action))
        })
        .collect()
}

/// Whether a request for `action` carries the key `lower`: the action lists it, or one of
/// its resource types does.
fn supplies(service: &'static Service, action: &'static Action, lower: &str) -> bool {
    action.condition_keys().any(|k| covers(k, lower))
        || action.resource_types().iter().any(|i| {
            service
                .resource_type(*i)
                .is_some_and(|rt| rt.condition_keys().any(|k| covers(k, lower)))
        })
}

const TAG_KEYS: &[&str] = &["aws:resourcetag", "aws:requesttag", "aws:principaltag"];
/// The kinds of tag condition key IAM010 judges, in lower case.
const TAG_KINDS: [&str; 3] = ["aws:resourcetag/", "aws:requesttag/", "aws:tagkeys"];

pub fn statement(ctx: &mut Ctx, stmt: &Statement) {
    let conds = stmt.conditions();
    if conds.is_empty() {
        return;
    }
    for c in &conds {
        let lower = c.key.key.to_ascii_lowercase();
        if lower == "aws:arn" {
            let f = finding(ctx, &IAM009, "UNSUPPORTED_GLOBAL_CONDITION_KEY", c.key.key_span, format!("`{}` is not a condition key IAM supports", c.key.key))
                .note("`aws:ARN` is not in any request context: the condition never matches (a negated operator always does)")
                .help("use `aws:PrincipalArn` for the caller's ARN or `aws:SourceArn` for the resource a service acts for");
            ctx.report(f);
        }
        let (prefix, name) = lower.split_once(':').unwrap_or(("", ""));
        let bare_tag = TAG_KEYS.contains(&lower.as_str())
            || (prefix != "aws" && matches!(name, "resourcetag" | "requesttag"))
            || lower.ends_with("tag/");
        if bare_tag {
            let base = c.key.key.trim_end_matches('/');
            let f = finding(ctx, &IAM009, "MISSING_TAG_KEY_IN_CONDITION", c.key.key_span, format!("`{}` has no tag key", c.key.key))
                .note("a tag condition key names the tag it tests after a `/`; IAM refuses the key without one")
                .help(format!("write `{base}/<tag-key>`, such as `{base}/Team`"));
            ctx.report(f);
        }
    }
    let actions = Actions::new();
    unsupported_action_for_key(ctx, stmt, &conds, &actions);
    tag_keys(ctx, stmt, &conds, &actions);
    pairs(ctx, stmt, &conds);
}

/// UNSUPPORTED_ACTION_FOR_CONDITION_KEY: a service's condition key on actions of that service
/// that never carry it.
fn unsupported_action_for_key<'a>(
    ctx: &mut Ctx,
    stmt: &Statement<'a>,
    conds: &[Condition],
    actions: &Actions<'a>,
) {
    let service_key = |c: &Condition| {
        c.key
            .key
            .split_once(':')
            .is_some_and(|(p, _)| !p.eq_ignore_ascii_case("aws"))
    };
    if stmt.get("Action").is_none() || !conds.iter().any(service_key) {
        return;
    }
    let mut actions = actions
        .get_or_init(|| named_actions(stmt, "Action"))
        .clone();
    // each action once (a list may repeat one): what a key needs is asked of each
    let mut seen_actions = std::collections::HashSet::new();
    actions.retain(|(_, _, _, a)| seen_actions.insert(*a as *const Action));
    let written: Vec<(&str, &Node)> = stmt.strings("Action");
    let mut judged: std::collections::HashSet<String> = std::collections::HashSet::new();
    for c in conds {
        let lower = c.key.key.to_ascii_lowercase();
        // each key once (a key written again is JSON004's)
        if !judged.insert(lower.clone()) {
            continue;
        }
        let Some((prefix, _)) = lower.split_once(':') else {
            continue;
        };
        if prefix == "aws"
            || c.base_op() == "Null"
            || crate::rules::catalog::known_condition_key(&lower) != Some(true)
        {
            continue;
        }
        // tag keys of a service (`ec2:ResourceTag/`) are that service's older spelling of
        // `aws:ResourceTag/`: IAM010's business
        if lower[prefix.len() + 1..].contains("tag/") {
            continue;
        }
        // the condition is dead when no action of the key's service in the statement carries
        // it (a wildcard action of the service may name some that do)
        let wildcard = written.iter().any(|(a, _)| {
            *a == "*"
                || a.split_once(':').is_some_and(|(p, n)| {
                    n.contains(['*', '?'])
                        && (p.eq_ignore_ascii_case(prefix) || p.contains(['*', '?']))
                })
        });
        let mine: Vec<_> = actions
            .iter()
            .filter(|(_, _, s, _)| s.prefix().eq_ignore_ascii_case(prefix))
            .collect();
        if wildcard || mine.is_empty() || mine.iter().any(|(_, _, s, a)| supplies(s, a, &lower)) {
            continue;
        }
        let without: Vec<&str> = mine.iter().map(|(a, ..)| *a).collect();
        let list = without
            .iter()
            .take(5)
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let more = if without.len() > 5 {
            format!(" and {} more", without.len() - 5)
        } else {
            String::new()
        };
        // a warning: the catalog may not list every key an action carries (AWS's own policies
        // use keys the catalog gives for none of their actions)
        let f = finding(ctx, &IAM009, "UNSUPPORTED_ACTION_FOR_CONDITION_KEY", c.key.key_span, format!("`{}` is not supplied for {list}{more}", c.key.key))
            .severity(Severity::Warning)
            .note(if c.base_op().contains("Not") || c.op().ends_with("IfExists") {
                format!("requests for these actions never carry the key (catalog {}), and a negated or `...IfExists` operator matches a missing key: the condition always holds, it limits nothing", catalog::version())
            } else {
                format!("requests for these actions never carry the key (catalog {}), so the condition is never met: {} never applies", catalog::version(), if stmt.is_deny() { "the Deny" } else { "the statement" })
            })
            .help("move these actions to a statement without this condition, or use a key they support");
        ctx.report(f);
    }
}

/// IAM010: `aws:ResourceTag/`, `aws:RequestTag/` or `aws:TagKeys` with actions that do not
/// carry it (reported once per service, at its first such action), or with `NotAction`.
fn tag_keys<'a>(ctx: &mut Ctx, stmt: &Statement<'a>, conds: &[Condition], actions: &Actions<'a>) {
    let deny = stmt.is_deny();
    if !deny && !stmt.is_allow() {
        return;
    }
    let is_tag = |c: &Condition| {
        let k = c.key.key.as_bytes();
        TAG_KINDS
            .iter()
            .any(|t| k.len() >= t.len() && k[..t.len()].eq_ignore_ascii_case(t.as_bytes()))
    };
    if !conds.iter().any(is_tag) {
        return;
    }
    // the actions that carry one tag key carry every key of its kind: each kind is judged once
    let mut kinds: Vec<&str> = Vec::new();
    for c in conds {
        let lower = c.key.key.to_ascii_lowercase();
        let kind = TAG_KINDS.into_iter().find(|k| lower.starts_with(k));
        let Some(kind) = kind else { continue };
        // a negated or `...IfExists` operator matches a missing key: the statement then applies
        // to those actions always, another matter than Access Analyzer's
        if c.base_op() == "Null"
            || c.base_op().contains("Not")
            || c.op().ends_with("IfExists")
            || kinds.contains(&kind)
        {
            continue;
        }
        kinds.push(kind);
        if let Some(na) = stmt.member("NotAction") {
            let (code, what) = if deny {
                (
                    "DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
                    "the actions whose requests do not carry it are not denied",
                )
            } else {
                (
                    "ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
                    "only the actions whose requests carry it are allowed",
                )
            };
            let f = finding(ctx, &IAM010, code, na.key_span, format!("`NotAction` with the tag condition key `{}`", c.key.key))
                .note(format!("the statement covers every action but the listed ones, and many services do not supply `{}`: {what}", c.key.key))
                .help("list the actions meant with `Action`, keeping those that support the key");
            ctx.report(f);
            continue;
        }
        let mut reported: Vec<&str> = Vec::new();
        for &(a, node, service, action) in actions.get_or_init(|| named_actions(stmt, "Action")) {
            if reported.contains(&service.prefix()) || supplies(service, action, &lower) {
                continue;
            }
            reported.push(service.prefix());
            let (code, what) = if deny {
                (
                    "DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
                    "so the Deny does not apply to it",
                )
            } else {
                (
                    "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
                    "so the statement does not allow it",
                )
            };
            let f = finding(ctx, &IAM010, code, node.inner_span(), format!("`{a}` does not supply `{}`", c.key.key))
                .note(format!("a request for `{a}` carries no `{}` (catalog {}), {what}; the other actions of `{}` are reported no further", c.key.key, catalog::version(), service.prefix()))
                .help("move the actions that do not support the key to a statement without this condition");
            ctx.report(f);
        }
    }
}

/// IAM009: conditions whose meaning depends on another in the same statement.
fn pairs(ctx: &mut Ctx, stmt: &Statement, conds: &[Condition]) {
    // the partner keys present, found once (a condition may hold very many keys)
    let present: Vec<&str> = [
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:Ec2InstanceSourceVpc",
    ]
    .into_iter()
    .filter(|k| conds.iter().any(|c| c.key_is(k)))
    .collect();
    let has = |k: &str| present.contains(&k);
    let select = conds.iter().any(|s| {
        s.key_is("dynamodb:Select")
            && s.values()
                .iter()
                .any(|v| v.as_str() == Some("SPECIFIC_ATTRIBUTES"))
    });
    for c in conds {
        // DynamoDB: limiting attributes without `dynamodb:Select` leaves whole-item reads open
        if c.key_is("dynamodb:Attributes") && stmt.is_allow() && !select {
            let f = finding(ctx, &IAM009, "DYNAMODB_ATTRIBUTES_WITHOUT_SELECT", c.key.key_span, "`dynamodb:Attributes` without `dynamodb:Select` set to `SPECIFIC_ATTRIBUTES`")
                .note("a request that selects all attributes (or names none) is not limited by `dynamodb:Attributes`: the caller may read every attribute")
                .help("add `\"StringEquals\": {\"dynamodb:Select\": \"SPECIFIC_ATTRIBUTES\"}`");
            ctx.report(f);
        }
        if c.key_is("s3:prefix") {
            let base = c.base_op();
            let negated = base.contains("Not");
            let positive = base.starts_with("String") && !negated;
            if (stmt.is_deny() && positive)
                || (stmt.is_allow() && negated && base.starts_with("String"))
            {
                let f = finding(ctx, &IAM009, "S3_PREFIX_IN_NEGATIVE_CONTEXT", c.key.key_span, format!("`s3:prefix` under `{}` in {} statement", c.op(), if stmt.is_deny() { "a Deny" } else { "an Allow" }))
                    .note("a caller may list with a shorter prefix than the one named (or none), which the condition does not cover: the objects under it are still listed")
                    .help("grant listing of the allowed prefixes with `StringLike` in an Allow, instead of excluding others");
                ctx.report(f);
            }
        }
        let partner = if c.key_is("aws:VpcSourceIp") {
            Some(("aws:SourceVpc", "aws:SourceVpce"))
        } else if c.key_is("aws:Ec2InstanceSourcePrivateIPv4") {
            Some(("aws:Ec2InstanceSourceVpc", "aws:Ec2InstanceSourceVpc"))
        } else {
            None
        };
        if let Some((a, b)) = partner {
            if !has(a) && !has(b) {
                let f = finding(ctx, &IAM009, "MISSING_PAIRED_CONDITION_KEYS", c.key.key_span, format!("`{}` without `{a}`", c.key.key))
                    .note("a private address is the same in every VPC: alone it matches requests from any VPC that uses it")
                    .help(format!("add a condition on `{a}`{}", if a != b { format!(" or `{b}`") } else { String::new() }));
                ctx.report(f);
            }
        }
    }
}
