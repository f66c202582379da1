//! VAL007: the fields of a resource ARN against the ARN templates of its service's resource
//! types in the catalog, and Region codes.

use super::*;
use crate::catalog;
use crate::model::policy::Statement;
use crate::parse::json::Node;

/// AWS's Region codes in every partition (aws, aws-cn, aws-us-gov, the ISO partitions and the
/// European Sovereign Cloud), as AWS's "Regions and Availability Zones" lists them.
pub const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-isoe-west-1",
    "eusc-de-east-1",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-iso-east-1",
    "us-iso-west-1",
    "us-isob-east-1",
    "us-isof-east-1",
    "us-isof-south-1",
    "us-west-1",
    "us-west-2",
];
/// When the list was last checked, for messages.
pub const REGIONS_AS_OF: &str = "December 2026";

#[derive(Debug, PartialEq, Eq)]
pub enum Region {
    Known,
    /// Shaped as a Region code (`xx-name-1`), but not in the list.
    Shaped,
    Invalid,
}

pub fn region(s: &str) -> Region {
    if REGIONS.contains(&s) {
        return Region::Known;
    }
    let parts: Vec<&str> = s.split('-').collect();
    let shaped = parts.len() >= 3
        && (2..=4).contains(&parts[0].len())
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].len() <= 2
        && !parts[parts.len() - 1].is_empty()
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit());
    if shaped {
        Region::Shaped
    } else {
        Region::Invalid
    }
}

pub fn statement(ctx: &mut Ctx, stmt: &Statement) {
    for key in ["Resource", "NotResource"] {
        for (s, node) in stmt.strings(key) {
            arn(ctx, node, s);
        }
    }
}

fn wild(s: &str) -> bool {
    s.contains(['*', '?']) || s.contains("${")
}

fn arn(ctx: &mut Ctx, node: &Node, s: &str) {
    if !s.starts_with("arn:") || crate::rules::values::has_placeholder(s) {
        return;
    }
    let (f, n) = crate::syntax::arn_fields(s);
    if n < 6 {
        return; // VAL004
    }
    let (service, region_f, account) = (f[2], f[3], f[4]);
    // where each field starts in the value
    let starts = {
        let mut at = [0usize; 6];
        let mut pos = 0;
        for (i, field) in f.iter().enumerate() {
            at[i] = pos;
            pos += field.len() + 1;
        }
        at
    };
    let part = |i: usize| {
        ctx.source
            .part(node.inner_span(), s, starts[i], starts[i] + f[i].len())
            .filter(|sp| !sp.is_empty())
            .unwrap_or(node.inner_span())
    };
    if service.contains(['*', '?']) {
        if service != "*" {
            let fd = finding(
                ctx,
                &VAL007,
                "WILDCARD_IN_SERVICE_NAME",
                part(2),
                format!("wildcard in the service of `{}`", shown(s)),
            )
            .note("a wildcard in the service name may match services not meant, now or later")
            .help("name the service (`arn:aws:codecommit:...`), in one resource per service");
            ctx.report(fd);
        }
        return;
    }
    if service.contains("${") {
        return;
    }
    if service != service.to_ascii_lowercase() {
        let lower = service.to_ascii_lowercase();
        let fd = finding(
            ctx,
            &VAL007,
            "INVALID_ARN_SERVICE_CASE",
            part(2),
            format!(
                "the service `{service}` in `{}` is not in lower case",
                shown(s)
            ),
        )
        .note("ARNs name their service in lower case; IAM refuses this resource")
        .help(format!("write `{lower}`"));
        ctx.report(fd);
        return;
    }
    if !region_f.is_empty() && !wild(region_f) {
        match region(region_f) {
            Region::Known => {}
            Region::Shaped => {
                let fd = finding(ctx, &VAL007, "INVALID_ARN_REGION", part(3), format!("`{region_f}` in `{}` is not a Region finops-lint knows", shown(s)))
                    .severity(Severity::Warning)
                    .note(format!("finops-lint's list of Regions ({REGIONS_AS_OF}) does not have it; if AWS opened it since, this finding is wrong"))
                    .help("check the Region code, such as `us-east-1`");
                ctx.report(fd);
                return;
            }
            Region::Invalid => {
                let fd = finding(ctx, &VAL007, "INVALID_ARN_REGION", part(3), format!("`{region_f}` in `{}` is not a Region code", shown(s)))
                    .note("the fourth field of an ARN is a Region code such as `us-east-1` (or empty, for a service without Regions)")
                    .help("write the Region code, or `*` for every Region");
                ctx.report(fd);
                return;
            }
        }
    }
    // S3 buckets and objects: VAL003
    if service == "s3" {
        return;
    }
    let Some(svc) = catalog::service(service) else {
        return;
    };
    let Some(facts) = facts(svc) else {
        return;
    };
    let Facts {
        all_region,
        no_region,
        all_account,
        no_account,
        example,
    } = facts;
    // an empty field where the formats have one is judged only in a literal ARN: AWS's own
    // policies write `arn:aws:logs:::log-group:X*` and Access Analyzer accepts them
    let literal = !wild(s);
    if literal && region_f.is_empty() && all_region {
        let fd = finding(
            ctx,
            &VAL007,
            "MISSING_ARN_REGION",
            node.inner_span(),
            format!(
                "`{}` has no Region, but {} resources have one",
                shown(s),
                svc.name()
            ),
        )
        .note(format!(
            "{} ARNs are written like `{example}`; this resource matches none",
            svc.name()
        ))
        .help("add the Region, or `*` for every Region");
        ctx.report(fd);
        return;
    }
    if !region_f.is_empty() && region_f != "*" && no_region {
        let fd = finding(
            ctx,
            &VAL007,
            "ARN_REGION_NOT_ALLOWED",
            part(3),
            format!(
                "`{}` has a Region, but {} resources have none",
                shown(s),
                svc.name()
            ),
        )
        .note(format!(
            "{} ARNs are written like `{example}`; this resource matches none",
            svc.name()
        ))
        .help("leave the Region field empty");
        ctx.report(fd);
        return;
    }
    if literal && account.is_empty() && all_account {
        let fd = finding(
            ctx,
            &VAL007,
            "MISSING_ARN_ACCOUNT",
            node.inner_span(),
            format!(
                "`{}` has no account ID, but {} resources have one",
                shown(s),
                svc.name()
            ),
        )
        .note(format!(
            "{} ARNs are written like `{example}`; this resource matches none",
            svc.name()
        ))
        .help("add the 12-digit account ID, or `*`");
        ctx.report(fd);
        return;
    }
    // resources AWS owns (`arn:aws:ssm:us-east-1::document/AWS-...`, an account of `aws`) are
    // written as AWS publishes them, not as the customer resource types' formats
    if account.is_empty() || account == "aws" {
        return;
    }
    if account != "*" && no_account {
        let fd = finding(
            ctx,
            &VAL007,
            "ARN_ACCOUNT_NOT_ALLOWED",
            part(4),
            format!(
                "`{}` has an account ID, but {} resources have none",
                shown(s),
                svc.name()
            ),
        )
        .note(format!(
            "{} ARNs are written like `{example}`; this resource matches none",
            svc.name()
        ))
        .help("leave the account field empty");
        ctx.report(fd);
        return;
    }
    // the whole ARN against every template, policy variables read as `*`; an ARN longer than
    // IAM's 2,048 characters is not matched (the match's memory grows with its length)
    if s.len() > 2048 {
        return;
    }
    let pattern = without_variables(s);
    if !matches_a_format(svc, pattern) {
        let fd = finding(ctx, &VAL007, "INVALID_ARN_RESOURCE", part(5), format!("`{}` is no {} resource", shown(s), svc.name()))
            // the catalog's formats may lag behind the service's (AWS's own policies name
            // resources the catalog has no format for): a stale catalog must not fail a build
            .severity(Severity::Warning)
            .note(format!("it matches none of the ARN formats of {}'s resource types (catalog {}), such as `{example}`", svc.name(), catalog::version()))
            .help("check the resource part against the service's resource types in the Service Authorization Reference");
        ctx.report(fd);
    }
}

/// Whether a resource (policy variables read as `*`) may name a resource of one of the
/// service's types; remembered per thread (policies repeat their resources), up to a bound.
fn matches_a_format(svc: &'static catalog::Service, pattern: String) -> bool {
    thread_local! {
        static MEMO: std::cell::RefCell<std::collections::HashMap<String, bool>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    if let Some(known) = MEMO.with(|m| m.borrow().get(&pattern).copied()) {
        return known;
    }
    let result = svc
        .resource_types()
        .iter()
        .any(|t| t.arn().may_match(&pattern));
    if pattern.len() > 256 {
        return result;
    }
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= 4096 {
            m.clear();
        }
        m.insert(pattern, result);
    });
    result
}

/// What a service's ARN formats say of the Region and account fields.
#[derive(Clone, Copy)]
struct Facts {
    all_region: bool,
    no_region: bool,
    all_account: bool,
    no_account: bool,
    example: &'static str,
}

/// A service's facts, worked out once per service and thread.
fn facts(svc: &'static catalog::Service) -> Option<Facts> {
    thread_local! {
        static SEEN: std::cell::RefCell<std::collections::HashMap<&'static str, Option<Facts>>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    SEEN.with(|seen| {
        *seen.borrow_mut().entry(svc.prefix()).or_insert_with(|| {
            let texts: Vec<&'static str> =
                svc.resource_types().iter().map(|r| r.arn().text).collect();
            let field = |t: &str, i: usize| crate::syntax::arn_fields(t).0[i].is_empty();
            (!texts.is_empty()).then(|| Facts {
                all_region: texts.iter().all(|t| !field(t, 3)),
                no_region: texts.iter().all(|t| field(t, 3)),
                all_account: texts.iter().all(|t| !field(t, 4)),
                no_account: texts.iter().all(|t| field(t, 4)),
                example: texts[0],
            })
        })
    })
}

/// A resource with its policy variables (`${aws:username}`) read as `*`.
fn without_variables(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        match rest[i..].find('}') {
            Some(j) => {
                out.push('*');
                rest = &rest[i + j + 1..];
            }
            None => {
                out.push('*');
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_shapes() {
        assert_eq!(region("us-east-1"), Region::Known);
        assert_eq!(region("us-gov-west-1"), Region::Known);
        assert_eq!(region("xx-north-9"), Region::Shaped);
        assert_eq!(region("us-east"), Region::Invalid);
        assert_eq!(region("US-EAST-1"), Region::Invalid);
        assert_eq!(
            without_variables("arn:aws:s3:::b/${aws:username}/x"),
            "arn:aws:s3:::b/*/x"
        );
    }
}
