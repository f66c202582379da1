//! CON001–CON004: the documents of one run must describe the same onboarding: the export's
//! bucket, prefix, name and type against the platform's connection settings and the bucket
//! policy. Each finding points at both sides. A connection with `config_scheme` `bucket_only`
//! also sets the scheme for the severities of the export rules (as `--scenario
//! root-existing-export` does).

use super::*;
use crate::context::{ExportType, Options};
use crate::diagnostic::FileReport;
use crate::diagnostic::{Finding, Severity};
use crate::model::{CostDoc, PolicyKind};
use crate::parse::json::{Kind, Node};
use crate::source::Source;

declare! {
    family "consistency", "the documents of one run agree";
    OS008 "duplicate-data-source" Error aa[] on[Run] fix[];
    CON001 "inconsistent-bucket" Error aa[] on[Run] fix[];
    CON002 "inconsistent-prefix" Error aa[] on[Run] fix[];
    CON003 "inconsistent-export-name" Error aa[] on[Run] fix[];
    CON004 "inconsistent-export-type" Error aa[] on[Run] fix[];
    CON005 "inconsistent-external-id" Error aa[] on[Run] fix[];
}

/// One export or report of the run, with the nodes of its destination.
struct Export<'a> {
    source: usize,
    kind: ExportType,
    bucket: Option<&'a Node>,
    prefix: Option<&'a Node>,
    name: Option<&'a Node>,
}

fn exports(reports: &[FileReport]) -> Vec<Export<'_>> {
    let mut out = Vec::new();
    for (i, r) in reports.iter().enumerate() {
        for cost in &r.costs {
            match cost {
                CostDoc::Export { export, .. } => {
                    let dest = export
                        .get("DestinationConfigurations")
                        .and_then(|d| d.get("S3Destination"));
                    out.push(Export {
                        source: i,
                        kind: ExportType::Cur2,
                        bucket: dest.and_then(|d| d.get("S3Bucket")),
                        prefix: dest.and_then(|d| d.get("S3Prefix")),
                        name: export.get("Name"),
                    });
                }
                CostDoc::Reports { definitions, .. } => {
                    for d in definitions {
                        out.push(Export {
                            source: i,
                            kind: ExportType::Legacy,
                            bucket: d.get("S3Bucket"),
                            prefix: d.get("S3Prefix"),
                            name: d.get("ReportName"),
                        });
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// CON005: the external ID an assumed-role connection sends is one the run's trust policies
/// require (`StringEquals` `sts:ExternalId`), when they require one; with `--role`, only the
/// trust policy of that role counts (a template's other roles are not the platform's).
fn external_ids(reports: &[FileReport], connections: &[(usize, &Node)], new: &mut Vec<Finding>) {
    let mut required: Vec<(usize, &Node)> = Vec::new();
    for (i, r) in reports.iter().enumerate() {
        for d in r
            .docs
            .iter()
            .filter(|d| d.kind == PolicyKind::Trust && d.for_platform)
        {
            for st in crate::model::policy::statements(&d.root) {
                for c in st.conditions() {
                    if c.key_is("sts:ExternalId") && c.op() == "StringEquals" {
                        required.extend(c.values().iter().map(|v| (i, v)));
                    }
                }
            }
        }
    }
    if required.is_empty() {
        return;
    }
    for (ci, c) in connections {
        let Some((node, id)) = c
            .get("assume_role_external_id")
            .and_then(|n| n.as_str().map(|t| (n, t)))
            .filter(|(_, t)| !t.is_empty())
        else {
            continue;
        };
        // a number in the trust policy is compared as its text
        fn text(v: &Node) -> Option<&str> {
            match &v.kind {
                Kind::String(s) | Kind::Number(s) => Some(s.as_str()),
                _ => None,
            }
        }
        if required.iter().any(|(_, v)| text(v) == Some(id)) {
            continue;
        }
        let mut f = Finding::new(&CON005, *ci, node.inner_span(), format!("the connection's external ID `{id}` is not the one the role's trust policy requires"))
            .note("the platform sends this ID when it assumes the role; the trust policy compares it exactly, so every `sts:AssumeRole` is refused");
        for (i, v) in &required {
            f = f.label_in(
                *i,
                v.inner_span(),
                "the external ID the trust policy requires",
            );
        }
        if let Some(want) = required.first().and_then(|(_, v)| text(v)) {
            f = f.help(format!(
                "use the same ID on both sides: `\"{want}\"` here, or this one in the trust policy"
            ));
        }
        new.push(f);
    }
}

fn text(n: Option<&Node>) -> Option<&str> {
    n.and_then(Node::as_str)
}

fn norm(p: &str) -> &str {
    p.trim_end_matches('/')
}

/// OS009 across the run: the role an assumed-role connection names is the run's `--role`, by
/// its name or by the name a template declares for the logical ID or label `--role` gives.
fn roles(
    reports: &[FileReport],
    connections: &[(usize, &Node)],
    opts: &Options,
    new: &mut Vec<Finding>,
) {
    let Some(want) = opts.role.as_deref() else {
        return;
    };
    let known: Vec<&str> = std::iter::once(want)
        .chain(
            reports
                .iter()
                .flat_map(|r| r.role_names.iter().map(String::as_str)),
        )
        .collect();
    for (ci, c) in connections {
        if c.get("assume_role_account_id").is_none() {
            continue;
        }
        let Some((node, name)) = c
            .get("assume_role_name")
            .and_then(|n| n.as_str().map(|t| (n, t)))
        else {
            continue;
        };
        if name.is_empty() || known.contains(&name) {
            continue;
        }
        let f = Finding::new(&OS009, *ci, node.inner_span(), format!("the connection assumes role `{name}`, but the run's role is `{want}`"))
            .note("the platform assumes the role these settings name; the policies and trust policy checked with `--role` are another role's")
            .help(format!("use `\"{want}\"`, or check the run with `--role {name}`"));
        new.push(f);
    }
}

pub fn check(sources: &[Source], reports: &mut [FileReport], opts: &Options) {
    let mut new: Vec<Finding> = Vec::new();
    {
        let exports = exports(reports);
        let connections: Vec<(usize, &Node)> = reports
            .iter()
            .enumerate()
            .flat_map(|(i, r)| {
                r.costs.iter().filter_map(move |c| match c {
                    CostDoc::Connection { config } => Some((i, config)),
                    _ => None,
                })
            })
            .collect();
        external_ids(reports, &connections, &mut new);
        roles(reports, &connections, opts, &mut new);
        for (ci, c) in &connections {
            if matches!(c.get("linked").map(|n| &n.kind), Some(Kind::Bool(true))) {
                continue;
            }
            // CON003: the name selects the export
            let name = c.get("report_name");
            let candidates: Vec<&Export> = match text(name) {
                Some(n) => exports.iter().filter(|e| text(e.name) == Some(n)).collect(),
                None => Vec::new(),
            };
            if let (Some(nnode), Some(n)) = (name, text(name)) {
                if candidates.is_empty() {
                    if let Some(e) = exports.first() {
                        let mut f = Finding::new(&CON003, *ci, nnode.inner_span(), format!("`report_name` `{n}` names no export of this run"))
                            .note("the platform looks for `<prefix>/<report_name>/`; the run's exports have other names, so it would find no files (names are case-sensitive)");
                        for e in &exports {
                            if let Some(en) = e.name {
                                f = f.label_in(e.source, en.inner_span(), "an export's name");
                            }
                        }
                        f = f.help(format!(
                            "use the export's name: `\"{}\"`",
                            text(e.name).unwrap_or("?")
                        ));
                        new.push(f);
                    }
                }
            }
            let targets: Vec<&Export> = if candidates.is_empty() && exports.len() == 1 {
                exports.iter().collect()
            } else {
                candidates
            };
            // with several exports of that name, one that matches is enough
            let same_bucket = |e: &&Export| match (text(c.get("bucket_name")), text(e.bucket)) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            };
            let same_prefix = |e: &&Export| match (text(c.get("bucket_prefix")), text(e.prefix)) {
                (Some(a), Some(b)) => norm(a) == norm(b),
                _ => true,
            };
            let want_version = |e: &Export| match e.kind {
                ExportType::Cur2 => "2",
                ExportType::Legacy => "1",
            };
            let same_version = |e: &&Export| match c.get("cur_version").map(|v| &v.kind) {
                Some(Kind::Number(n)) => n == want_version(e),
                _ => true,
            };
            if let Some(e) = targets.first().filter(|_| !targets.iter().any(same_bucket)) {
                if let (Some(cb), Some(eb)) = (c.get("bucket_name"), e.bucket) {
                    let (a, b) = (cb.as_str().unwrap_or(""), eb.as_str().unwrap_or(""));
                    new.push(
                        Finding::new(&CON001, *ci, cb.inner_span(), format!("`bucket_name` is `{a}`, but the export delivers to `{b}`"))
                            .label_in(e.source, eb.inner_span(), "the export's bucket")
                            .note("the platform reads the bucket it is given; the export's files are in the other one")
                            .help(format!("use `\"{b}\"`")),
                    );
                }
            }
            if let Some(e) = targets.first().filter(|_| !targets.iter().any(same_prefix)) {
                if let (Some(cp), Some(ep)) = (c.get("bucket_prefix"), e.prefix) {
                    let (a, b) = (cp.as_str().unwrap_or(""), ep.as_str().unwrap_or(""));
                    let last = b.trim_end_matches('/').rsplit('/').next().unwrap_or(b);
                    let guide = if a == last && b.contains('/') {
                        " (the guides' \"last folder name\" is only right for a one-folder prefix)"
                    } else {
                        ""
                    };
                    new.push(
                        Finding::new(&CON002, *ci, cp.inner_span(), format!("`bucket_prefix` is `{a}`, but the export's prefix is `{b}`"))
                            .label_in(e.source, ep.inner_span(), "the export's prefix")
                            .note(format!("the platform lists `<bucket_prefix>/<report_name>/`, which must be where the export writes{guide}"))
                            .help(format!("use `\"{}\"`", norm(b))),
                    );
                }
            }
            if let Some(e) = targets
                .first()
                .filter(|_| !targets.iter().any(same_version))
            {
                if let Some(v) = c.get("cur_version") {
                    let want = want_version(e);
                    let anchor = e
                        .name
                        .or(e.bucket)
                        .map(|n| n.inner_span())
                        .unwrap_or(crate::source::Span::new(0, 1));
                    new.push(
                        Finding::new(&CON004, *ci, v.span, format!("`cur_version` is {}, but the export is {}", crate::schema::to_value(v), if want == "2" { "a CUR 2.0 export" } else { "a legacy CUR report" }))
                            .label_in(e.source, anchor, "the export")
                            .note("the platform detects exports and reads file layouts by this version; with the wrong one it finds no report")
                            .help(format!("use `\"cur_version\": {want}`")),
                    );
                }
            }
        }
        // OS008: one key, one account: the platform refuses a second data source for it
        for (n, (ci, c)) in connections.iter().enumerate() {
            let Some(k) = c.get("access_key_id") else {
                continue;
            };
            let Some(key) = k.as_str() else { continue };
            if let Some((cj, other)) = connections[..n]
                .iter()
                .find(|(_, o)| o.get("access_key_id").and_then(Node::as_str) == Some(key))
            {
                let first = other
                    .get("access_key_id")
                    .map(|n| n.inner_span())
                    .unwrap_or(other.span);
                new.push(
                    Finding::new(&OS008, *ci, k.inner_span(), "a second data source with the same access key")
                        .label_in(*cj, first, "the first data source with this key")
                        .note("an access key belongs to one account; the platform refuses a second data source for an account already connected in the organization (OE0402)")
                        .help("connect each AWS account once; give a linked account its own IAM user and key"),
                );
            }
        }
        // CON001/CON004 against the bucket policies of the run: per export, whether a policy
        // is for its bucket, and the policies for other buckets
        type Compared = (bool, Vec<(usize, String, crate::source::Span)>);
        let mut compared: std::collections::BTreeMap<usize, Compared> = Default::default();
        let bucket_policies = reports.iter().enumerate().flat_map(|(i, r)| {
            r.docs
                .iter()
                .filter(|d| d.kind == PolicyKind::Bucket)
                .map(move |d| (i, d))
        });
        for (pi, doc) in bucket_policies {
            let stmts = crate::model::policy::statements(&doc.root);
            let delivery: Vec<_> = stmts
                .iter()
                .filter(|s| s.is_allow() && crate::rules::values::is_delivery_statement(s))
                .collect();
            if delivery.is_empty() {
                continue;
            }
            let buckets: Vec<(&str, &Node)> = delivery
                .iter()
                .flat_map(|s| s.strings("Resource"))
                .filter_map(|(r, n)| {
                    r.strip_prefix("arn:aws:s3:::")
                        .map(|rest| (rest.split('/').next().unwrap_or(""), n))
                })
                .collect();
            let services: Vec<String> = delivery
                .iter()
                .flat_map(|s| {
                    s.get("Principal")
                        .and_then(|p| p.get("Service"))
                        .map(|v| {
                            v.one_or_many()
                                .iter()
                                .filter_map(Node::as_str)
                                .map(str::to_ascii_lowercase)
                                .collect::<Vec<_>>()
                        })
                        .unwrap_or_default()
                })
                .collect();
            for (ei, e) in exports.iter().enumerate() {
                if let Some(b) = text(e.bucket) {
                    if !buckets.is_empty() {
                        let matches = buckets.iter().any(|(pb, _)| *pb == b || pb.contains('*'));
                        let (pb, pn) = buckets[0];
                        let seen = compared.entry(ei).or_insert((false, Vec::new()));
                        seen.0 |= matches;
                        if !matches {
                            seen.1.push((pi, pb.to_string(), pn.inner_span()));
                        }
                    }
                }
                let principal = e.kind.service_principal();
                // only an export that delivers to this policy's bucket
                let same_bucket =
                    text(e.bucket).is_some_and(|b| buckets.iter().any(|(pb, _)| *pb == b));
                // for the run's --export-type, BP001 already says it
                if same_bucket
                    && e.kind != opts.export_type()
                    && !services.iter().any(|s| s == principal)
                {
                    let anchor = e
                        .name
                        .or(e.bucket)
                        .map(|n| n.inner_span())
                        .unwrap_or(crate::source::Span::new(0, 1));
                    let at = delivery[0]
                        .get("Principal")
                        .map(|p| p.span)
                        .unwrap_or(delivery[0].node.span);
                    new.push(
                        Finding::new(&CON004, pi, at, format!("the run has a {} export, but the bucket policy does not allow `{principal}`", if e.kind == ExportType::Cur2 { "CUR 2.0" } else { "legacy CUR" }))
                            .label_in(e.source, anchor, "the export")
                            .note(format!("AWS delivers this export as `{principal}`; without it the export is never written"))
                            .help(format!("add `\"{principal}\"` to the delivery statement's `Service` (the guides name both billing principals)")),
                    );
                }
            }
        }
        // CON001 once per export, and only when no policy of the run is for its bucket: one
        // finding on the export's bucket, with each policy's bucket as a label
        for (ei, (matched, others)) in compared {
            let e = &exports[ei];
            let (Some(b), Some(bnode), false) = (text(e.bucket), e.bucket, matched) else {
                continue;
            };
            let Some((_, first, _)) = others.first() else {
                continue;
            };
            let mut names: Vec<String> =
                others.iter().map(|(_, pb, _)| format!("`{pb}`")).collect();
            names.dedup();
            let message = if others.len() == 1 {
                format!(
                    "the export delivers to `{b}`, but the run's bucket policy is for `{first}`"
                )
            } else {
                format!(
                    "the export delivers to `{b}`, but the run's {} bucket policies are for {}",
                    others.len(),
                    names.join(", ")
                )
            };
            let mut f = Finding::new(&CON001, e.source, bnode.inner_span(), message)
                .note("AWS can write only to a bucket whose policy allows it; no bucket policy of the run is for this bucket")
                .help(format!("use the same bucket in the export and its policy (`{first}` or `{b}`)"));
            for (pi, _, span) in &others {
                f = f.label_in(*pi, *span, "the delivery statement's bucket");
            }
            new.push(f);
        }
        // a connection in 'bucket only' mode sets the scheme for the export rules' severities
        let bucket_only = connections
            .iter()
            .any(|(_, c)| c.get("config_scheme").and_then(Node::as_str) == Some("bucket_only"));
        if bucket_only
            && opts.scenario.is_none()
            && opts.platform().is_none_or(|p| p.name == "optscale")
        {
            for r in reports.iter_mut() {
                for f in r.findings.iter_mut().filter(|f| scheme_dependent(f)) {
                    f.severity = Severity::Warning;
                    let said = crate::rules::exports::scheme_severity(false);
                    f.note = f.note.take().map(|n| format!("{} (a warning in this run: its connection settings use `config_scheme` `bucket_only`, where the platform reads the files without checking this setting)", n.replace(said, "")));
                }
            }
        }
    }
    let _ = sources;
    // the checks run whatever the selection: they also set the severity of the export rules
    for f in new.into_iter().filter(|f| opts.rules.on(f.rule)) {
        let i = f.source;
        reports[i].findings.push(f);
        crate::diagnostic::sort(&mut reports[i].findings);
    }
}

/// Settings the platform checks only when it detects or creates the export.
fn scheme_dependent(f: &Finding) -> bool {
    f.severity == Severity::Error
        && ((f.rule.code == "EXP004" && f.message.contains("monthly"))
            || (f.rule.code == "EXP005" && f.message.contains("CREATE_NEW_REPORT"))
            || (f.rule.code == "CUR004" && f.message.contains("CREATE_NEW_REPORT")))
}
