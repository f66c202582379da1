//! IAC001–IAC002: an export whose bucket the same template creates. AWS checks the bucket's
//! policy when the export is created, and CloudFormation and Terraform do not add it (the
//! console does): the bucket policy must be declared, and created first. IAC003: a
//! CloudFormation parameter value that its `AllowedValues` refuse.

use super::{CUR011, IAC001, IAC002, IAC003};
use crate::diagnostic::Finding;
use crate::iac::Link;

declare! {
    family "iac", "templates: the resources around the policies";
    CUR011 "report-created-outside-us-east-1" Error aa[] on[Template] fix[];
    IAC001 "bucket-without-delivery-policy" Error aa[] on[Template] fix[];
    IAC002 "export-before-bucket-policy" Warning aa[] on[Template] fix[];
    IAC003 "parameter-value-not-allowed" Error aa[] on[Template] fix[];
}

/// IAC003: a parameter value (the deployment's or the default) outside `AllowedValues`.
pub fn parameters(source_id: usize, refused: &[crate::iac::NotAllowed], out: &mut Vec<Finding>) {
    for n in refused {
        let value = if n.secret {
            crate::secrets::redacted(&n.value)
        } else {
            n.value.clone()
        };
        let allowed = n
            .allowed
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let (what, help) = if n.given {
            (
                format!(
                    "the value `{value}` given for parameter `{}` is not one of its `AllowedValues`",
                    n.parameter
                ),
                format!(
                    "give `{}` one of {allowed} (`--parameter {}=VALUE`, or the parameters file)",
                    n.parameter, n.parameter
                ),
            )
        } else {
            (
                format!(
                    "the default `{value}` of parameter `{}` is not one of its `AllowedValues`",
                    n.parameter
                ),
                format!("make the default one of {allowed}, or add it to `AllowedValues`"),
            )
        };
        out.push(
            Finding::new(&IAC003, source_id, n.at, what)
                .note("CloudFormation checks a parameter's value against `AllowedValues` before it creates anything: the stack is refused (\"Parameter ... failed to satisfy constraint\"), and the checks of the resources read a value that never deploys")
                .help(help),
        );
    }
}

pub fn check(source_id: usize, links: &[Link], out: &mut Vec<Finding>) {
    for l in links {
        match &l.policy {
            None => out.push(
                Finding::new(&IAC001, source_id, l.at, format!("the template creates bucket `{}` for `{}` but no bucket policy for it", l.bucket, l.export))
                    .note("AWS checks that the billing service may write to the bucket when the export is created; without the policy the creation fails (\"null (Service: CostAndUsageReport, Status Code: 400)\") and the stack rolls back. The console adds the policy itself; infrastructure as code does not")
                    .help("declare the bucket policy that allows `billingreports.amazonaws.com` and `bcm-data-exports.amazonaws.com` (`finops-lint generate --format terraform` or `--format cloudformation` writes it), and make the export depend on it"),
            ),
            Some(p) if !l.ordered => out.push(
                Finding::new(&IAC002, source_id, l.at, format!("`{}` may be created before the bucket policy `{p}`", l.export))
                    .note("nothing orders the two resources, so they are created in parallel; when the export comes first, AWS finds no permission to deliver and the creation fails")
                    .help(format!("add `DependsOn: {p}` (CloudFormation) or `depends_on = [{p}]` (Terraform) to the export")),
            ),
            Some(_) => {}
        }
    }
}

/// CUR011: a legacy report created through a provider of another region.
pub fn regions(
    source_id: usize,
    regions: &[(crate::source::Span, String)],
    out: &mut Vec<Finding>,
) {
    for (at, region) in regions.iter().filter(|(_, r)| r != "us-east-1") {
        out.push(
            Finding::new(&CUR011, source_id, *at, format!("the legacy report is created through the AWS provider of `{region}`"))
                .note("the Cost and Usage Reports API is served only in us-east-1; the provider of another region cannot create the report")
                .help("create the report through a provider for us-east-1: `provider \"aws\" { alias = \"us_east_1\", region = \"us-east-1\" }` and `provider = aws.us_east_1` in the resource"),
        );
    }
}
