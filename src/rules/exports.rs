//! EXP001–EXP014 (CUR 2.0 Data Exports), CUR001–CUR010 (legacy CUR), BKT001 and PFX001: the
//! export settings the platform's import depends on (DOMAIN §7.3, §7.4, §7.8).

use super::*;
use crate::context::{ExportType, Options};
use crate::diagnostic::{Finding, Severity};
use crate::fuzzy;
use crate::model::CostDoc;
use crate::parse::json::{Kind, Node};
use crate::platform;
use crate::schema::{self, SchemaKind};
use crate::source::{Source, Span};

declare! {
    family "exports", "cost export and report settings";
    SCH001 "export-schema" Error aa[] on[Export] fix[];
    SCH002 "report-definition-schema" Error aa[] on[Report] fix[];
    EXP001 "export-name" Error aa[] on[Export] fix[];
    EXP002 "export-table" Error aa[] on[Export] fix[];
    EXP003 "export-without-resource-ids" Error aa[] on[Export] fix[Safe];
    EXP004 "time-granularity" Error aa[] on[Export] fix[Safe];
    EXP005 "export-overwrite" Error aa[] on[Export] fix[Safe];
    EXP006 "export-format-compression" Error aa[] on[Export] fix[Safe];
    EXP007 "export-output-type" Warning aa[] on[Export] fix[Safe];
    EXP008 "refresh-cadence" Error aa[] on[Export] fix[Safe];
    EXP009 "export-destination" Error aa[] on[Export] fix[];
    EXP010 "export-columns" Error aa[] on[Export] fix[];
    EXP011 "table-properties" Warning aa[] on[Export] fix[];
    EXP012 "export-unhealthy" Error aa[] on[Export] fix[];
    EXP013 "export-account" Warning aa[] on[Export] fix[];
    EXP014 "export-not-delivered" Info aa[] on[Export] fix[];
    CUR001 "report-name" Error aa[] on[Report] fix[];
    CUR002 "report-without-resource-ids" Error aa[] on[Report] fix[Safe];
    CUR003 "refresh-closed-reports" Error aa[] on[Report] fix[Safe];
    CUR004 "report-versioning" Error aa[] on[Report] fix[Safe];
    CUR005 "report-time-unit" Error aa[] on[Report] fix[Safe];
    CUR006 "report-format-compression" Error aa[] on[Report] fix[];
    CUR007 "additional-artifacts" Error aa[] on[Report] fix[];
    CUR008 "report-prefix-characters" Error aa[] on[Report] fix[];
    CUR009 "report-region" Error aa[] on[Report] fix[];
    CUR010 "report-destination" Error aa[] on[Report] fix[];
    BKT001 "bucket-name" Error aa[] on[Export, Report, Connection] fix[];
    PLT001 "export-type-not-imported" Error aa[] on[Export, Report] fix[];
    PLT002 "bucket-region-not-supported" Error aa[] on[Export, Report] fix[];
    PFX001 "prefix-format" Error aa[] on[Export, Report, Connection] fix[Safe];
}

/// What cost-document rules look at.
pub struct CostCtx<'a> {
    pub source: &'a Source,
    pub source_id: usize,
    pub opts: &'a Options,
    pub findings: Vec<Finding>,
}

impl CostCtx<'_> {
    /// Report a finding (the engine drops those of rules that are off: `engine::settle`).
    pub fn report(&mut self, f: Finding) {
        self.findings.push(f);
    }
    /// The platform reads the export without checking its settings ("Connect only to data in
    /// bucket"): some settings then degrade data instead of breaking the connection.
    fn bucket_only(&self) -> bool {
        self.opts.scenario == Some(crate::context::Scenario::RootExistingExport)
            && self.opts.platform().is_some_and(|p| p.name == "optscale")
    }
}

/// Why a setting the platform checks only when it detects or creates the export has the
/// severity it has in this run (EXP004, EXP005, CUR004): it depends on the scenario.
pub(crate) fn scheme_severity(bucket_only: bool) -> &'static str {
    if bucket_only {
        " (a warning in this run: with `--scenario root-existing-export` the platform connects to the files in the bucket without checking this setting)"
    } else {
        " (an error: the platform checks it when it detects or creates the export; with `--scenario root-existing-export`, or connection settings of `config_scheme` `bucket_only` in the run, it is a warning)"
    }
}

/// How a setting's value stands with the run's platform (`platform::judge`), as a finding's
/// parts; `None` when it is accepted.
struct Judged {
    severity: Severity,
    /// Why: OptScale's reason (`optscale`) for OptScale or when no platform accepts the value,
    /// the profile's requirement for another platform, the disagreement without a platform.
    note: String,
    /// The value to write, when one platform decides it.
    want: Option<String>,
    /// The fix is certain: the run's platform was given and its profile verified the setting.
    certain: bool,
}

impl Judged {
    /// Complete a finding of an enumerated JSON string setting `key`: severity, note, the
    /// value to write and its fix (when certain), or how to name the platform.
    fn apply(self, f: Finding, span: Span, key: &str) -> Finding {
        let f = f.severity(self.severity).note(self.note);
        match self.want {
            Some(w) => {
                let f = f.help(format!("use `\"{w}\"`"));
                if self.certain {
                    f.fix(
                        format!("set `\"{key}\": \"{w}\"`"),
                        span,
                        format!("\"{w}\""),
                    )
                } else {
                    f
                }
            }
            None => f.help(PLATFORM_HELP),
        }
    }
}

/// The help of a setting the platforms disagree on.
const PLATFORM_HELP: &str = "pass `--platform NAME` (`finops-lint platforms` lists them), or set `platform` in the `[onboarding]` section of finops-lint.toml, to check the value against the platform the account is connected to";

fn judged(
    ctx: &CostCtx,
    export: ExportType,
    setting: platform::Setting,
    value: &str,
    optscale: &str,
    every: Option<&str>,
) -> Option<Judged> {
    use platform::Verdict;
    let verdict = platform::judge(ctx.opts.platform(), export.into(), setting, value);
    match verdict {
        Verdict::Accepted => None,
        Verdict::Rejected {
            platform,
            want,
            verified,
        } => {
            let note = if platform.name == "optscale" {
                optscale.to_string()
            } else {
                format!(
                    "{} needs {} (its profile, read from {} on {}){}",
                    platform.title,
                    want.iter()
                        .map(|w| if w.starts_with('`') {
                            w.clone()
                        } else {
                            format!("`{w}`")
                        })
                        .collect::<Vec<_>>()
                        .join(" or "),
                    platform.export_source(),
                    platform.read,
                    if verified {
                        ""
                    } else {
                        "; the profile could not verify this in its source, so it is a warning"
                    }
                )
            };
            Some(Judged {
                severity: if verified {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                note,
                want: want.first().cloned(),
                certain: verified,
            })
        }
        Verdict::RejectedByAll => Some(Judged {
            severity: Severity::Error,
            note: optscale.to_string(),
            want: every.map(str::to_string),
            certain: true,
        }),
        Verdict::Disputed { ref common, .. } => Some(Judged {
            severity: Severity::Warning,
            note: match common {
                Some(c) => format!(
                    "{}; {c} suits every one of them",
                    verdict.disputed_note().unwrap_or_default()
                ),
                None => verdict.disputed_note().unwrap_or_default(),
            },
            want: None,
            certain: false,
        }),
    }
}

/// A valid format and compression pair the run's platform may not read (EXP006, CUR006).
fn format_for_platform(
    ctx: &mut CostCtx,
    export: ExportType,
    rule: &'static Rule,
    fmt: &Node,
    cmp: &Node,
) {
    let (Some(f), Some(c)) = (fmt.as_str(), cmp.as_str()) else {
        return;
    };
    let Some(pair) = platform::format_of(f, c) else {
        return;
    };
    let why = "the platform reads CSV (gzip or zip) and Parquet files";
    if let Some(j) = judged(ctx, export, platform::Setting::Format, pair, why, None) {
        let f = Finding::new(
            rule,
            ctx.source_id,
            fmt.inner_span(),
            format!("`{f}` with `{c}` compression"),
        )
        .label(cmp.inner_span(), "the compression")
        .severity(j.severity)
        .note(j.note)
        .help(match j.want {
            Some(w) => format!("use {w}"),
            None => PLATFORM_HELP.to_string(),
        });
        ctx.report(f);
    }
}

/// A legacy report's `AdditionalSchemaElements` (with `RESOURCES`) against the platforms: split
/// cost allocation data as each profile wants it in legacy reports (CloudZero's forbids it
/// there), and the exact list a profile with `legacy_elements_exact` compares (OptScale's)
/// (CUR002).
fn legacy_elements(ctx: &mut CostCtx, a: &Node, items: &[&str], bucket_only: bool) {
    let split = items.contains(&"SPLIT_COST_ALLOCATION_DATA");
    let why = "split cost allocation data adds the container cost lines";
    if let Some(j) = judged(
        ctx,
        ExportType::Legacy,
        platform::Setting::SplitCost,
        if split { "true" } else { "false" },
        why,
        None,
    ) {
        let message = if split {
            "the report includes split cost allocation data (`SPLIT_COST_ALLOCATION_DATA`)"
        } else {
            "the report has no split cost allocation data (`SPLIT_COST_ALLOCATION_DATA`)"
        };
        let f = Finding::new(&CUR002, ctx.source_id, a.span, message)
            .severity(j.severity)
            .note(j.note)
            .help(match j.want {
                Some(w) => format!("use {w}"),
                None => PLATFORM_HELP.to_string(),
            });
        ctx.report(f);
        return;
    }
    if bucket_only {
        return;
    }
    // the platforms that compare the list, and whose list this is not
    let concerned: Vec<&'static platform::Profile> = match ctx.opts.platform() {
        Some(p) => vec![p],
        None => platform::all()
            .iter()
            .filter(|p| p.imports(platform::Export::Legacy))
            .collect(),
    };
    let exact: Vec<&'static platform::Profile> = concerned
        .iter()
        .copied()
        .filter(|p| p.export.legacy_elements_exact)
        .filter(|p| {
            let mut want = vec!["RESOURCES"];
            if p.split_cost(platform::Export::Legacy) == "required" {
                want.push("SPLIT_COST_ALLOCATION_DATA");
            }
            items.len() != want.len() || !want.iter().all(|w| items.contains(w))
        })
        .collect();
    if exact.is_empty() {
        return;
    }
    let platform = ctx.opts.platform();
    let given = platform.is_some_and(|p| p.name != "optscale");
    let note = match platform {
        Some(p) if p.name == "optscale" => "when it detects or creates the report, OptScale accepts exactly `[\"RESOURCES\"]` and skips this report".to_string(),
        Some(p) => format!("{} accepts exactly `[\"RESOURCES\"]` (its profile, read from {}) and rejects this report", p.title, p.export_source()),
        None => format!("{} accept{} exactly `[\"RESOURCES\"]` when detecting or creating the report; other platforms accept more. {PLATFORM_HELP}", platform::titles(&exact), if exact.len() == 1 { "s" } else { "" }),
    };
    let f = Finding::new(
        &CUR002,
        ctx.source_id,
        a.span,
        "`AdditionalSchemaElements` has more than `RESOURCES`",
    )
    .severity(if given {
        Severity::Error
    } else {
        Severity::Warning
    })
    .note(note)
    .help("use `[\"RESOURCES\"]`, or connect in 'bucket only' mode");
    ctx.report(f);
}

/// PLT001 and PLT002: an export the run's platform does not import, a bucket in a region it does
/// not read from. Only with a platform: without one, some platform imports either type and
/// reads any region.
fn platform_fit(
    ctx: &mut CostCtx,
    export: ExportType,
    doc: &Node,
    name: Option<&Node>,
    region: Option<&Node>,
) {
    let Some(p) = ctx.opts.platform() else {
        return;
    };
    if !p.imports(export.into()) {
        let (kind, other) = match export {
            ExportType::Cur2 => ("CUR 2.0 export", "a legacy CUR report"),
            ExportType::Legacy => ("legacy CUR report", "a CUR 2.0 export (Data Exports)"),
        };
        let at = name.map(Node::inner_span).unwrap_or_else(|| brace(doc));
        let unverified = p.export.unverified.iter().any(|u| u == "types");
        let hedge = if unverified {
            ", as far as its sources say: not verified, so a warning"
        } else {
            ""
        };
        let f = Finding::new(&PLT001, ctx.source_id, at, format!("{} does not import a {kind}", p.title))
            .severity(if unverified { Severity::Warning } else { Severity::Error })
            .note(format!("{} imports {} only (its profile, read from {} on {}{hedge}); the platform finds no data in this one", p.title, p.export.types.iter().map(|t| if t == "cur2" { "CUR 2.0 exports" } else { "legacy CUR reports" }).collect::<Vec<_>>().join(" and "), p.export_source(), p.read))
            .help(format!("create {other} for {}, or check the run against the platform this export is for (`--platform`)", p.title));
        ctx.report(f);
    }
    let (Some(regions), Some((node, r))) = (
        p.bucket.regions.as_ref(),
        region.and_then(|n| n.as_str().map(|r| (n, r))),
    ) else {
        return;
    };
    if !regions.iter().any(|x| x == r) && looks_like_region(r) {
        let f = Finding::new(
            &PLT002,
            ctx.source_id,
            node.inner_span(),
            format!("{} does not read a bucket in `{r}`", p.title),
        )
        .severity(if p.export.unverified.iter().any(|u| u == "regions") {
            Severity::Warning
        } else {
            Severity::Error
        })
        .note(format!(
            "{} reads cost data from buckets in {} only (its profile, read from {} on {}){}",
            p.title,
            regions
                .iter()
                .map(|x| format!("`{x}`"))
                .collect::<Vec<_>>()
                .join(", "),
            p.export_source(),
            p.read,
            if p.bucket.notes.is_empty() {
                String::new()
            } else {
                format!("; {}", p.bucket.notes.join("; "))
            }
        ))
        .help(format!(
            "deliver the export to a bucket in one of {}",
            regions.join(", ")
        ));
        ctx.report(f);
    }
}

/// The 28 regions legacy CUR accepts for `S3Region` (API 2017-01-06).
pub const CUR_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ca-central-1",
    "eu-central-1",
    "eu-central-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "me-central-1",
    "me-south-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "cn-north-1",
    "cn-northwest-1",
];

/// The checks of a cost document: this family's for exports and reports, the family of its
/// kind for the others; a family whose rules are all off is not run.
pub fn check(ctx: &mut CostCtx, doc: &CostDoc) {
    use crate::rules::{audit, connection, paths, simulation};
    let opts = ctx.opts;
    let runs = match doc {
        CostDoc::Export { .. } | CostDoc::ExportList { .. } | CostDoc::Reports { .. } => {
            FAMILY.runs(opts)
        }
        CostDoc::Simulation { .. } => simulation::FAMILY.runs(opts),
        CostDoc::CallerIdentity { .. } | CostDoc::AuditError { .. } => audit::FAMILY.runs(opts),
        CostDoc::Delivered { .. } => paths::FAMILY.runs(opts),
        CostDoc::Connection { .. } => {
            connection::FAMILY.runs(opts) || opts.rules.any_on(connection::SHARED)
        }
    };
    if runs {
        run_check(ctx, doc);
    }
}

fn run_check(ctx: &mut CostCtx, doc: &CostDoc) {
    match doc {
        CostDoc::Export { export, status, .. } => {
            for issue in schema::validate(SchemaKind::Cur2Export, export) {
                schema_finding(ctx, &SCH001, issue);
            }
            cur2(ctx, export);
            if let Some(st) = status {
                let name = s(export.get("Name"))
                    .or_else(|| s(export.get("ExportArn")).and_then(|a| a.rsplit('/').next()));
                export_status(ctx, st, name);
            }
        }
        CostDoc::ExportList { exports } => {
            for e in exports.as_array().unwrap_or(&[]) {
                if let Some(st) = e.get("ExportStatus") {
                    let name = s(e.get("ExportName"))
                        .or_else(|| s(e.get("ExportArn")).and_then(|a| a.rsplit('/').next()));
                    export_status(ctx, st, name);
                }
            }
        }
        CostDoc::Reports { definitions, .. } => {
            for d in definitions {
                for issue in schema::validate(SchemaKind::LegacyReport, d) {
                    schema_finding(ctx, &SCH002, issue);
                }
                legacy(ctx, d);
            }
        }
        CostDoc::Simulation { root } => crate::rules::simulation::check(ctx, root),
        CostDoc::CallerIdentity { root } => crate::rules::audit::caller(ctx, root),
        CostDoc::AuditError { root } => crate::rules::audit::step(ctx, root),
        CostDoc::Delivered { root } => crate::rules::paths::check(ctx, root),
        CostDoc::Connection { config } => {
            for issue in schema::validate(SchemaKind::Connection, config) {
                schema_finding(ctx, &SCH003, issue);
            }
            crate::rules::connection::check(ctx, config);
        }
    }
}

pub fn schema_finding(ctx: &mut CostCtx, rule: &'static Rule, issue: schema::SchemaIssue) {
    let mut f = Finding::new(rule, ctx.source_id, issue.span, issue.message).note("the document does not have the shape AWS (or the platform) accepts; the request is rejected");
    if let Some(h) = issue.help {
        f = f.help(h);
    }
    ctx.report(f);
}

fn s(n: Option<&Node>) -> Option<&str> {
    n.and_then(Node::as_str)
}

fn path<'a>(root: &'a Node, keys: &[&str]) -> Option<&'a Node> {
    keys.iter().try_fold(root, |n, k| n.get(k))
}

fn brace(n: &Node) -> Span {
    Span::new(n.span.start, n.span.start + 1)
}

/// Insert `text` as the first member of the object `obj`, written as the object is.
fn insert_first(ctx: &CostCtx, obj: &Node, text: &str) -> (Span, String) {
    crate::parse::json::insert_member(&ctx.source.text, obj, text)
}

/// The Data Exports table a query reads, when it is one of the other known tables (the Data
/// Exports table dictionary: FOCUS 1.0 and 1.2 with AWS columns, cost optimization
/// recommendations, the cost and usage dashboard, carbon emissions; `FOCUS_1_0_AWS_PREVIEW`
/// was FOCUS 1.0's table before its general availability, and any later FOCUS table).
fn other_table(query: &str) -> Option<String> {
    const OTHER: &[&str] = &[
        "COST_OPTIMIZATION_RECOMMENDATIONS",
        "COST_AND_USAGE_DASHBOARD",
        "CARBON_EMISSIONS",
    ];
    let upper = query.to_ascii_uppercase();
    let table = upper.rsplit(" FROM ").next()?.split_whitespace().next()?;
    (table.starts_with("FOCUS_") || OTHER.contains(&table)).then(|| table.to_string())
}

fn cur2(ctx: &mut CostCtx, e: &Node) {
    let bucket_only = ctx.bucket_only();
    let region = path(
        e,
        &["DestinationConfigurations", "S3Destination", "S3Region"],
    );
    platform_fit(ctx, ExportType::Cur2, e, e.get("Name"), region);
    // EXP001
    if let Some(n) = e.get("Name") {
        if let Some(name) = n.as_str() {
            if name.is_empty()
                || name.len() > 128
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                let fixed: String = name
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                            c
                        } else {
                            '-'
                        }
                    })
                    .collect();
                let f = Finding::new(&EXP001, ctx.source_id, n.inner_span(), format!("export name `{name}` has characters Data Exports does not accept"))
                    .note("an export name is 1 to 128 letters, digits, `-` and `_`; AWS rejects others (a dot or a space is the usual culprit)")
                    .help(format!("use `\"{fixed}\"`"));
                ctx.report(f);
            } else if let Some(want) = ctx.opts.export_name.as_deref().filter(|w| *w != name) {
                let f = Finding::new(&EXP001, ctx.source_id, n.inner_span(), format!("the export is named `{name}`, but the platform is given `{want}`"))
                    .note("the platform looks for files under `<prefix>/<export name>/`; names are case-sensitive, so with another name it finds nothing")
                    .help(format!("use the same name on both sides: `\"{want}\"` here, or `{name}` in the platform"));
                ctx.report(f);
            }
        }
    }
    // EXP002
    let query = path(e, &["DataQuery", "QueryStatement"]);
    if let Some((q, other)) = query.and_then(|q| other_table(q.as_str()?).map(|t| (q, t))) {
        // an export of another table (FOCUS, recommendations, carbon) is not the platform's
        // an error when it is the export the platform is given, else a remark
        let given =
            ctx.opts.export_name.is_some() && ctx.opts.export_name.as_deref() == s(e.get("Name"));
        let f = Finding::new(&EXP002, ctx.source_id, q.inner_span(), format!("the export reads `{other}`, not the CUR 2.0 table the platform imports"))
            .severity(if given { Severity::Error } else { Severity::Info })
            .note("the platform imports `COST_AND_USAGE_REPORT` exports only and skips this one; that is fine when another export of the run is the platform's")
            .help("for the platform, use an export with `SELECT ... FROM COST_AND_USAGE_REPORT`");
        ctx.report(f);
        return;
    }
    let tables = path(e, &["DataQuery", "TableConfigurations"]);
    let table = tables.and_then(|t| t.get("COST_AND_USAGE_REPORT"));
    if let Some(q) = query.and_then(|q| q.as_str().map(|t| (q, t))) {
        let upper = q.1.to_ascii_uppercase();
        if !upper.contains("FROM COST_AND_USAGE_REPORT") {
            let f = Finding::new(&EXP002, ctx.source_id, q.0.inner_span(), "the export does not query the CUR 2.0 table `COST_AND_USAGE_REPORT`")
                .note("the platform imports CUR 2.0 data; exports of other tables (FOCUS, cost optimization recommendations, carbon) have other columns and are skipped by auto-detection")
                .help("use `SELECT ... FROM COST_AND_USAGE_REPORT`");
            ctx.report(f);
        }
    }
    if table.is_none() {
        let at = tables
            .map(|t| t.inner_span())
            .or_else(|| e.get("DataQuery").map(brace))
            .unwrap_or_else(|| brace(e));
        let f = Finding::new(&EXP002, ctx.source_id, at, "`TableConfigurations` has no `COST_AND_USAGE_REPORT` entry")
            .note("without it the export's table properties are AWS's defaults, which include no resource IDs, and the platform's auto-detection skips the export")
            .help(r#"add `"TableConfigurations": {"COST_AND_USAGE_REPORT": {"INCLUDE_RESOURCES": "TRUE", "TIME_GRANULARITY": "DAILY"}}` to `DataQuery`"#);
        ctx.report(f);
    }
    if let Some(t) = table {
        // EXP003
        match t.get("INCLUDE_RESOURCES") {
            None => {
                let (span, text) = insert_first(ctx, t, "\"INCLUDE_RESOURCES\": \"TRUE\"");
                let f = Finding::new(&EXP003, ctx.source_id, brace(t), "the export does not include resource IDs (`INCLUDE_RESOURCES` is not set)")
                    .note("`INCLUDE_RESOURCES` defaults to `FALSE`: the cost lines come without `line_item_resource_id`, so the platform cannot attach costs to resources; nothing fails, the data is silently poorer")
                    .help("add `\"INCLUDE_RESOURCES\": \"TRUE\"`")
                    .fix("add `\"INCLUDE_RESOURCES\": \"TRUE\"`", span, text);
                ctx.report(f);
            }
            Some(v) if v.as_str() != Some("TRUE") => {
                let f = Finding::new(&EXP003, ctx.source_id, v.span, format!("`INCLUDE_RESOURCES` is `{}`, so the export has no resource IDs", schema::to_value(v)))
                    .note("only the string `\"TRUE\"` includes `line_item_resource_id`; without it costs cannot be attached to resources")
                    .help("use `\"TRUE\"`")
                    .fix("set `\"INCLUDE_RESOURCES\": \"TRUE\"`", v.span, "\"TRUE\"");
                ctx.report(f);
            }
            _ => {}
        }
        // EXP004
        match t.get("TIME_GRANULARITY") {
            None => {
                // OptScale's detection reads the key; AWS's default is hourly data
                let platform = ctx.opts.platform();
                let optscale = platform.is_some_and(|p| p.name == "optscale");
                let why = "AWS then delivers hourly data, and OptScale's auto-detection reads this key and fails when it is missing";
                let judgement = if optscale {
                    Some((Severity::Error, why.to_string()))
                } else {
                    judged(
                        ctx,
                        ExportType::Cur2,
                        platform::Setting::Granularity,
                        "HOURLY",
                        why,
                        None,
                    )
                    .map(|j| (j.severity, j.note))
                    .or_else(|| {
                        platform.is_none().then(|| {
                            (
                                Severity::Warning,
                                format!("{why}; other platforms take the hourly default"),
                            )
                        })
                    })
                };
                if let Some((severity, note)) = judgement {
                    let f = Finding::new(
                        &EXP004,
                        ctx.source_id,
                        brace(t),
                        "`TIME_GRANULARITY` is not set",
                    )
                    .severity(severity)
                    .note(note)
                    .help("add `\"TIME_GRANULARITY\": \"DAILY\"` (or `\"HOURLY\"`)");
                    ctx.report(f);
                }
            }
            Some(v) => match v.as_str() {
                Some(g @ ("DAILY" | "HOURLY" | "MONTHLY")) => {
                    let lenient = bucket_only && g == "MONTHLY";
                    let why = format!(
                        "{}{}",
                        if bucket_only {
                            "monthly data imports, but daily costs and recommendations are lost"
                        } else {
                            "the platform rejects a MONTHLY export when it detects or creates one"
                        },
                        scheme_severity(bucket_only)
                    );
                    if let Some(j) = judged(
                        ctx,
                        ExportType::Cur2,
                        platform::Setting::Granularity,
                        g,
                        &why,
                        Some("DAILY"),
                    ) {
                        let message = if g == "MONTHLY" {
                            "monthly granularity".to_string()
                        } else {
                            format!("`TIME_GRANULARITY` is `{g}`")
                        };
                        let f = Finding::new(&EXP004, ctx.source_id, v.inner_span(), message);
                        let mut f = j.apply(f, v.span, "TIME_GRANULARITY");
                        if lenient {
                            f = f.severity(Severity::Warning);
                        }
                        ctx.report(f);
                    }
                }
                other => {
                    let shown = other.unwrap_or("(not a string)");
                    let f = Finding::new(
                        &EXP004,
                        ctx.source_id,
                        v.inner_span(),
                        format!("invalid `TIME_GRANULARITY` `{shown}`"),
                    )
                    .note("the values are `HOURLY`, `DAILY` and `MONTHLY`")
                    .help(
                        match other.and_then(|o| fuzzy::suggest(o, ["DAILY", "HOURLY"])) {
                            Some(s) => format!("did you mean `\"{s}\"`?"),
                            None => "use `\"DAILY\"`".to_string(),
                        },
                    );
                    ctx.report(f);
                }
            },
        }
        // EXP011
        for m in t.as_object().unwrap_or(&[]) {
            match m.key.as_str() {
                "INCLUDE_RESOURCES" | "TIME_GRANULARITY" => {}
                "INCLUDE_SPLIT_COST_ALLOCATION_DATA"
                | "INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY"
                | "INCLUDE_CAPACITY_RESERVATION_DATA"
                | "INCLUDE_IAM_PRINCIPAL_DATA" => {
                    if !matches!(m.value.as_str(), Some("TRUE" | "FALSE")) {
                        let f = Finding::new(
                            &EXP011,
                            ctx.source_id,
                            m.value.span,
                            format!("`{}` must be the string `\"TRUE\"` or `\"FALSE\"`", m.key),
                        )
                        .note("table properties are strings; AWS rejects other values")
                        .help(match &m.value.kind {
                            Kind::Bool(b) => {
                                format!("use `\"{}\"`", if *b { "TRUE" } else { "FALSE" })
                            }
                            _ => "use `\"TRUE\"` or `\"FALSE\"`".to_string(),
                        });
                        ctx.report(f);
                    }
                }
                "BILLING_VIEW_ARN" => {}
                other => {
                    let known = [
                        "INCLUDE_RESOURCES",
                        "TIME_GRANULARITY",
                        "INCLUDE_SPLIT_COST_ALLOCATION_DATA",
                        "INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY",
                        "INCLUDE_CAPACITY_RESERVATION_DATA",
                        "INCLUDE_IAM_PRINCIPAL_DATA",
                        "BILLING_VIEW_ARN",
                    ];
                    let mut f = Finding::new(&EXP011, ctx.source_id, m.key_span, format!("unknown table property `{other}`"))
                        .note("AWS rejects or ignores a property the table does not have; a misspelled `INCLUDE_RESOURCES` silently leaves resource IDs out");
                    f = match fuzzy::suggest(other, known) {
                        Some(s) => f.help(format!("did you mean `{s}`?")),
                        None => f.help("remove it, or check the table's properties in the Data Exports documentation"),
                    };
                    ctx.report(f);
                }
            }
        }
    }
    // EXP010
    if let Some((qnode, q)) = query.and_then(|q| q.as_str().map(|t| (q, t))) {
        let upper = q.to_ascii_lowercase();
        let select = upper.split(" from ").next().unwrap_or("");
        if !select.contains('*') {
            let platform = ctx.opts.platform();
            let concerned: Vec<&'static platform::Profile> = match platform {
                Some(p) => vec![p],
                None => platform::all()
                    .iter()
                    .filter(|p| {
                        p.imports(platform::Export::Cur2)
                            && !p.export.unverified.iter().any(|u| u == "columns")
                    })
                    .collect(),
            };
            let short: Vec<(&platform::Profile, Vec<&str>)> = concerned
                .iter()
                .filter_map(|p| {
                    let missing: Vec<&str> = p
                        .export
                        .columns
                        .as_ref()?
                        .iter()
                        .map(String::as_str)
                        .filter(|c| !select.contains(c))
                        .collect();
                    (!missing.is_empty()).then_some((*p, missing))
                })
                .collect();
            let mut missing: Vec<&str> = Vec::new();
            for c in short.iter().flat_map(|(_, m)| m.iter()) {
                if !missing.contains(c) {
                    missing.push(c);
                }
            }
            if !missing.is_empty() {
                let listed = |cols: &[&str]| {
                    cols.iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let every = short.len() == concerned.len();
                let verified =
                    platform.is_some_and(|p| !p.export.unverified.iter().any(|u| u == "columns"));
                let severity = match platform {
                    Some(_) if verified => Severity::Error,
                    Some(_) => Severity::Warning,
                    None if every => Severity::Error,
                    None => Severity::Warning,
                };
                let note = match platform {
                    Some(p) if p.name == "optscale" => "the importer reads these columns of every line; without them the import fails".to_string(),
                    Some(p) => format!("{}'s importer reads these columns (its profile, read from {})", p.title, p.export_source()),
                    None => {
                        let who = short
                            .iter()
                            .map(|(p, m)| format!("{} needs {}", p.title, listed(m)))
                            .collect::<Vec<_>>()
                            .join("; ");
                        if every {
                            format!("the importers read these columns of every line; without them the import fails ({who})")
                        } else {
                            format!("{who}; other platforms do not need them. {PLATFORM_HELP}")
                        }
                    }
                };
                let f = Finding::new(
                    &EXP010,
                    ctx.source_id,
                    qnode.inner_span(),
                    format!(
                        "the query leaves out column{} {} needs: {}",
                        if missing.len() == 1 { "" } else { "s" },
                        match platform {
                            Some(_) => "the platform's importer".to_string(),
                            None => short
                                .iter()
                                .map(|(p, _)| format!("{}'s importer", p.title))
                                .collect::<Vec<_>>()
                                .join(" or "),
                        },
                        listed(&missing)
                    ),
                )
                .severity(severity)
                .note(note)
                .help(format!(
                    "add {} to the SELECT list (or use `SELECT *`)",
                    missing.join(", ")
                ));
                ctx.report(f);
            }
            if table
                .and_then(|t| t.get("INCLUDE_RESOURCES"))
                .and_then(Node::as_str)
                == Some("TRUE")
                && !select.contains("line_item_resource_id")
            {
                let f = Finding::new(&EXP010, ctx.source_id, qnode.inner_span(), "the query does not select `line_item_resource_id`")
                    .severity(Severity::Warning)
                    .note("resource IDs are included in the table but not in the export, so costs cannot be attached to resources")
                    .help("add `line_item_resource_id` to the SELECT list");
                ctx.report(f);
            }
        }
    }
    // S3 destination
    if let Some(dest) = path(e, &["DestinationConfigurations", "S3Destination"]) {
        let out = dest.get("S3OutputConfigurations");
        // EXP005
        if let Some(o) = out.and_then(|o| o.get("Overwrite")) {
            if enum_value(
                ctx,
                &EXP005,
                o,
                "Overwrite",
                &["CREATE_NEW_REPORT", "OVERWRITE_REPORT"],
            ) {
                let v = o.as_str().unwrap_or_default();
                let lenient = bucket_only && v == "CREATE_NEW_REPORT";
                let why = format!(
                    "{}{}",
                    if bucket_only {
                        "with new files for every refresh, the bucket fills with versions; the platform reads only the newest, but the guides require overwriting"
                    } else {
                        "the platform requires `OVERWRITE_REPORT` when it detects or creates the export, and rejects this one"
                    },
                    scheme_severity(lenient)
                );
                if let Some(j) = judged(
                    ctx,
                    ExportType::Cur2,
                    platform::Setting::Versioning,
                    v,
                    &why,
                    Some("OVERWRITE_REPORT"),
                ) {
                    let f = Finding::new(
                        &EXP005,
                        ctx.source_id,
                        o.inner_span(),
                        format!("`Overwrite` is `{v}`"),
                    );
                    let mut f = j.apply(f, o.span, "Overwrite");
                    if lenient {
                        f = f.severity(Severity::Warning);
                    }
                    ctx.report(f);
                }
            }
        }
        // EXP006 (a pair the template does not determine is not checked)
        let pair = out
            .and_then(|o| o.get("Format"))
            .zip(out.and_then(|o| o.get("Compression")))
            .filter(|(f, c)| !f.is_unknown() && !c.is_unknown());
        if let Some((fmt, cmp)) = pair {
            match (fmt.as_str(), cmp.as_str()) {
                (Some(f_ @ ("TEXT_OR_CSV" | "PARQUET")), Some(c_ @ ("GZIP" | "PARQUET")))
                    if (f_ == "PARQUET") == (c_ == "PARQUET") =>
                {
                    format_for_platform(ctx, ExportType::Cur2, &EXP006, fmt, cmp);
                }
                (Some("TEXT_OR_CSV"), Some("ZIP")) => {
                    let f = Finding::new(&EXP006, ctx.source_id, cmp.inner_span(), "ZIP compression for a CUR 2.0 export")
                        .severity(Severity::Warning)
                        .note("Data Exports documents gzip CSV and Parquet files; whether ZIP is delivered, and with which name, is unverified, and the platform reads `.csv.gz`, `.csv.zip` and `.snappy.parquet`")
                        .help("use `\"GZIP\"`")
                        .fix("set `\"Compression\": \"GZIP\"`", cmp.span, "\"GZIP\"");
                    ctx.report(f);
                }
                (f_, c_) => {
                    let want = if f_ == Some("PARQUET") {
                        "PARQUET"
                    } else {
                        "GZIP"
                    };
                    let f = Finding::new(&EXP006, ctx.source_id, cmp.inner_span(), format!("`Format` `{}` does not go with `Compression` `{}`", f_.unwrap_or("?"), c_.unwrap_or("?")))
                        .label(fmt.inner_span(), "the format")
                        .note("CSV exports are GZIP-compressed and Parquet exports use Parquet compression; other pairs are rejected or produce files the platform does not read")
                        .help(format!("use `\"Compression\": \"{want}\"` with `\"Format\": \"{}\"`", f_.filter(|f| *f == "PARQUET").unwrap_or("TEXT_OR_CSV")));
                    ctx.report(f);
                }
            }
        }
        // EXP007
        if let Some(t) = out.and_then(|o| o.get("OutputType")) {
            if enum_value(
                ctx,
                &EXP007,
                t,
                "OutputType",
                &["CUSTOM", "ATHENA", "REDSHIFT"],
            ) && t.as_str() != Some("CUSTOM")
            {
                let f = Finding::new(&EXP007, ctx.source_id, t.inner_span(), format!("`OutputType` is `{}`", t.as_str().unwrap_or("?")))
                    .note("standard exports are delivered as `CUSTOM`; other output types are for integrations whose files the platform does not read")
                    .help("use `\"CUSTOM\"`")
                    .fix("set `\"OutputType\": \"CUSTOM\"`", t.span, "\"CUSTOM\"");
                ctx.report(f);
            }
        }
        // EXP009, BKT001, PFX001
        destination(ctx, dest.get("S3Bucket"), dest.get("S3Prefix"), &EXP009);
        if let Some(r) = dest.get("S3Region") {
            if let Some(region) = r.as_str() {
                if !looks_like_region(region) {
                    let f = Finding::new(&EXP009, ctx.source_id, r.inner_span(), format!("`{region}` is not an AWS region code"))
                        .note("`S3Region` is the bucket's region code, such as `eu-west-1`")
                        .help("use the bucket's region (`aws s3api get-bucket-location`; `null` means `us-east-1`, `EU` means `eu-west-1`)");
                    ctx.report(f);
                }
            }
        }
    }
    // EXP008
    match path(e, &["RefreshCadence", "Frequency"]) {
        Some(fq) if fq.as_str() != Some("SYNCHRONOUS") => {
            let f = Finding::new(&EXP008, ctx.source_id, fq.inner_span(), format!("`RefreshCadence.Frequency` is `{}`", fq.as_str().unwrap_or("?")))
                .note("Data Exports refresh only `SYNCHRONOUS`ly (with every billing update); AWS rejects other values")
                .help("use `\"SYNCHRONOUS\"` (the only value)")
                .fix("set `\"Frequency\": \"SYNCHRONOUS\"`", fq.span, "\"SYNCHRONOUS\"");
            ctx.report(f);
        }
        _ => {}
    }
    // EXP013: the ARN's shape, then its account
    if let Some(a) = e.get("ExportArn") {
        if let Some(arn) = a.as_str() {
            let (fields, n) = crate::syntax::arn_fields(arn);
            let parts = &fields[..n];
            let ok = parts.len() == 6
                && parts[0] == "arn"
                && parts[1].starts_with("aws")
                && parts[2] == "bcm-data-exports"
                && parts[4].len() == 12
                && parts[4].bytes().all(|b| b.is_ascii_digit())
                && parts[5].starts_with("export/");
            if !ok {
                let f = Finding::new(&EXP013, ctx.source_id, a.inner_span(), format!("`{arn}` is not a Data Exports export ARN"))
                    .severity(Severity::Error)
                    .note("export ARNs are `arn:aws:bcm-data-exports:us-east-1:<12-digit account>:export/<id>`")
                    .help("copy the ARN from `aws bcm-data-exports list-exports`");
                ctx.report(f);
            }
        }
    }
    if let (Some(arn), Some(account)) = (s(e.get("ExportArn")), ctx.opts.account_id.as_deref()) {
        if let Some(acct) = arn.split(':').nth(4) {
            if acct != account && acct.len() == 12 {
                let node = e
                    .get("ExportArn")
                    .map(|n| n.inner_span())
                    .unwrap_or(brace(e));
                let f = Finding::new(&EXP013, ctx.source_id, node, format!("the export belongs to account `{acct}`, not `{account}`"))
                    .note("to contain the usage of every linked account, the export must live in the payer (management) account the platform connects as root")
                    .help("create the export in the payer account, or pass that account's ID");
                ctx.report(f);
            }
        }
    }
}

/// An enumerated value outside its list: reported under `rule` with "did you mean"; `true`
/// when the value is one of `valid`.
fn enum_value(
    ctx: &mut CostCtx,
    rule: &'static Rule,
    node: &Node,
    key: &str,
    valid: &[&str],
) -> bool {
    let value = node
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| schema::to_value(node).to_string());
    if valid.contains(&value.as_str()) {
        return true;
    }
    let help = valid
        .iter()
        .find(|v| v.eq_ignore_ascii_case(&value))
        .map(|v| format!("values are case-sensitive: use `\"{v}\"`"))
        .or_else(|| {
            fuzzy::suggest(&value, valid.iter().copied())
                .map(|v| format!("did you mean `\"{v}\"`?"))
        })
        .unwrap_or_else(|| {
            format!(
                "use one of {}",
                valid
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
    let f = Finding::new(
        rule,
        ctx.source_id,
        node.inner_span(),
        format!("`{key}` has the value `{value}`, which AWS does not accept"),
    )
    .note(format!(
        "`{key}` is one of {}",
        valid
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .help(help);
    ctx.report(f);
    false
}

fn looks_like_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts
            .first()
            .is_some_and(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// EXP012 and EXP014: the export's status as `get-export` and `list-exports` print it.
fn export_status(ctx: &mut CostCtx, status: &Node, arn: Option<&str>) {
    let code = status.get("StatusCode");
    let reason = s(status.get("StatusReason"));
    let name = arn
        .and_then(|a| a.rsplit('/').next())
        .unwrap_or("the export");
    if let Some(c) = code.filter(|c| c.as_str() == Some("UNHEALTHY")) {
        let why = match reason {
            Some("INSUFFICIENT_PERMISSION") => "AWS cannot write to the bucket: the bucket policy does not allow `bcm-data-exports.amazonaws.com` (`s3:PutObject` on the objects, `s3:GetBucketPolicy` on the bucket) with the right `aws:SourceAccount` and `aws:SourceArn` (check it with the BP rules)",
            Some("BILL_OWNER_CHANGED") => "the account's bill owner changed (billing transfer): the export must be recreated by the new bill owner",
            Some("DEPRECATED") => "the export's table or settings are deprecated; recreate it",
            Some("INTERNAL_FAILURE") => "AWS reports an internal failure; it usually clears on the next refresh",
            _ => "AWS stopped delivering the export",
        };
        let f = Finding::new(&EXP012, ctx.source_id, c.inner_span(), format!("export `{name}` is UNHEALTHY{}", reason.map(|r| format!(" ({r})")).unwrap_or_default()))
            .note(format!("no new files reach the bucket, so the platform's data stops at the last delivery; {why}"))
            .help(if reason == Some("INSUFFICIENT_PERMISSION") { "fix the bucket policy (run finops-lint on it with --bucket and --account-id), then wait for the next refresh" } else { "fix the cause, then check the status again with `aws bcm-data-exports get-export`" });
        ctx.report(f);
    } else if code.is_some_and(|c| c.as_str() == Some("HEALTHY"))
        && status.get("LastRefreshedAt").is_none()
    {
        let f = Finding::new(&EXP014, ctx.source_id, status.span, format!("export `{name}` has not been delivered yet"))
            .note("a new export takes up to 24 hours for its first delivery, and AWS does not backfill earlier months automatically; the platform finds no files until then")
            .help("wait for the first delivery before connecting, or connect in 'bucket only' mode and let the import retry");
        ctx.report(f);
    }
}

fn legacy(ctx: &mut CostCtx, d: &Node) {
    let bucket_only = ctx.bucket_only();
    platform_fit(
        ctx,
        ExportType::Legacy,
        d,
        d.get("ReportName"),
        d.get("S3Region"),
    );
    // CUR001
    if let Some(n) = d.get("ReportName") {
        if let Some(name) = n.as_str() {
            if name.is_empty()
                || name.len() > 256
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "!-_.*'()".contains(c))
            {
                let f = Finding::new(
                    &CUR001,
                    ctx.source_id,
                    n.inner_span(),
                    format!("report name `{name}` has characters CUR does not accept"),
                )
                .note("a report name is letters, digits and `! - _ . * ' ( )`, without spaces")
                .help("remove the spaces and other characters");
                ctx.report(f);
            } else if let Some(want) = ctx.opts.export_name.as_deref().filter(|w| *w != name) {
                let f = Finding::new(&CUR001, ctx.source_id, n.inner_span(), format!("the report is named `{name}`, but the platform is given `{want}`"))
                    .note("the platform looks for files under `<prefix>/<report name>/`; names are case-sensitive")
                    .help(format!("use the same name on both sides: `\"{want}\"` here, or `{name}` in the platform"));
                ctx.report(f);
            }
        }
    }
    // CUR002
    if let Some(a) = d.get("AdditionalSchemaElements") {
        let items: Vec<&str> = a
            .as_array()
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::as_str)
            .collect();
        if !items.contains(&"RESOURCES") {
            let (span, text) = match a.as_array() {
                Some(arr) if !arr.is_empty() => (
                    Span::new(a.span.start + 1, a.span.start + 1),
                    "\"RESOURCES\", ".to_string(),
                ),
                _ => (a.span, "[\"RESOURCES\"]".to_string()),
            };
            let f = Finding::new(&CUR002, ctx.source_id, a.span, "the report does not include resource IDs (`RESOURCES`)")
                .note("without `RESOURCES` the report has no `lineItem/ResourceId`, and costs cannot be attached to resources")
                .help("add `\"RESOURCES\"` (\"Include resource IDs\")")
                .fix("add `\"RESOURCES\"`", span, text);
            ctx.report(f);
        } else if !a.has_unknown() {
            legacy_elements(ctx, a, &items, bucket_only);
        }
    }
    // CUR003
    let refresh = d.get("RefreshClosedReports");
    let refreshed = refresh.is_some_and(|v| matches!(v.kind, Kind::Bool(true)));
    let why = match refresh {
        Some(_) => "AWS's late adjustments and refunds to closed months never reach the report; OptScale rejects such a report when it detects or creates one",
        None => "it defaults to off: late adjustments to closed months never reach the report",
    };
    let judgement = (!refreshed && !refresh.is_some_and(Node::has_unknown))
        .then(|| {
            judged(
                ctx,
                ExportType::Legacy,
                platform::Setting::RefreshClosed,
                "false",
                why,
                Some("true"),
            )
        })
        .flatten();
    if let Some(j) = judgement {
        let certain = j.certain && j.want.is_some();
        let mut f = match refresh {
            Some(v) => {
                let mut f = Finding::new(
                    &CUR003,
                    ctx.source_id,
                    v.span,
                    "closed months are not refreshed (`RefreshClosedReports` is not `true`)",
                );
                if certain {
                    f = f.fix("set `\"RefreshClosedReports\": true`", v.span, "true");
                }
                f.help("use `true` (\"Refresh automatically\")")
            }
            None => {
                let mut f = Finding::new(
                    &CUR003,
                    ctx.source_id,
                    brace(d),
                    "`RefreshClosedReports` is not set",
                );
                if certain {
                    let (span, text) = insert_first(ctx, d, "\"RefreshClosedReports\": true");
                    f = f.fix("add `\"RefreshClosedReports\": true`", span, text);
                }
                f.help("add `\"RefreshClosedReports\": true`")
            }
        };
        f = f.severity(j.severity).note(j.note);
        if j.want.is_none() {
            f = f.help(PLATFORM_HELP);
        }
        ctx.report(f);
    }
    // CUR004
    let versioning = d.get("ReportVersioning");
    let given = versioning.is_none_or(|v| {
        enum_value(
            ctx,
            &CUR004,
            v,
            "ReportVersioning",
            &["CREATE_NEW_REPORT", "OVERWRITE_REPORT"],
        )
    });
    let value = versioning
        .and_then(Node::as_str)
        .unwrap_or("CREATE_NEW_REPORT");
    let why = match versioning {
        Some(_) => format!("the guides require \"Overwrite existing report\"; OptScale rejects other versioning when it detects or creates the report{}", scheme_severity(bucket_only)),
        None => format!("it defaults to `CREATE_NEW_REPORT` (also in Terraform), which the guides do not allow{}", scheme_severity(bucket_only)),
    };
    let judgement = given
        .then(|| {
            judged(
                ctx,
                ExportType::Legacy,
                platform::Setting::Versioning,
                value,
                &why,
                Some("OVERWRITE_REPORT"),
            )
        })
        .flatten();
    if let Some(j) = judgement {
        let mut f = match versioning {
            Some(v) => {
                let f = Finding::new(
                    &CUR004,
                    ctx.source_id,
                    v.inner_span(),
                    format!("`ReportVersioning` is `{value}`"),
                );
                j.apply(f, v.span, "ReportVersioning")
            }
            None => {
                // AWS's default is CREATE_NEW_REPORT: the fix adds the wanted value
                let want = j.want.clone();
                let certain = j.certain;
                let mut f = Finding::new(
                    &CUR004,
                    ctx.source_id,
                    brace(d),
                    "`ReportVersioning` is not set",
                )
                .severity(j.severity)
                .note(j.note);
                match want {
                    Some(w) => {
                        let member = format!("\"ReportVersioning\": \"{w}\"");
                        f = f.help(format!("add `{member}`"));
                        if certain {
                            let (span, text) = insert_first(ctx, d, &member);
                            f = f.fix(format!("add `{member}`"), span, text);
                        }
                    }
                    None => f = f.help(PLATFORM_HELP),
                }
                f
            }
        };
        if bucket_only {
            f = f.severity(Severity::Warning);
        }
        ctx.report(f);
    }
    // CUR005
    if let Some(t) = d.get("TimeUnit") {
        match t.as_str() {
            Some(g @ ("DAILY" | "HOURLY" | "MONTHLY")) => {
                let why = "the platform imports daily or hourly reports and rejects monthly ones";
                if let Some(j) = judged(
                    ctx,
                    ExportType::Legacy,
                    platform::Setting::Granularity,
                    g,
                    why,
                    Some("DAILY"),
                ) {
                    let f = Finding::new(
                        &CUR005,
                        ctx.source_id,
                        t.inner_span(),
                        format!("`TimeUnit` is `{g}`"),
                    );
                    ctx.report(j.apply(f, t.span, "TimeUnit"));
                }
            }
            other => {
                let f = Finding::new(
                    &CUR005,
                    ctx.source_id,
                    t.inner_span(),
                    format!("`TimeUnit` is `{}`", other.unwrap_or("?")),
                )
                .note("the values are `HOURLY`, `DAILY` and `MONTHLY`; AWS rejects others")
                .help(
                    match other.and_then(|o| fuzzy::suggest(o, ["DAILY", "HOURLY", "MONTHLY"])) {
                        Some(s) => format!("did you mean `\"{s}\"`?"),
                        None => "use `\"DAILY\"`".to_string(),
                    },
                );
                ctx.report(f);
            }
        }
    }
    // CUR006
    let pair = d
        .get("Format")
        .zip(d.get("Compression"))
        .filter(|(f, c)| !f.is_unknown() && !c.is_unknown());
    if let Some((fmt, cmp)) = pair {
        let valid = enum_value(ctx, &CUR006, fmt, "Format", &["textORcsv", "Parquet"])
            & enum_value(
                ctx,
                &CUR006,
                cmp,
                "Compression",
                &["ZIP", "GZIP", "Parquet"],
            );
        let ok = !valid
            || matches!(
                (fmt.as_str(), cmp.as_str()),
                (Some("textORcsv"), Some("ZIP" | "GZIP")) | (Some("Parquet"), Some("Parquet"))
            );
        if valid && ok {
            format_for_platform(ctx, ExportType::Legacy, &CUR006, fmt, cmp);
        }
        if !ok {
            let f = Finding::new(&CUR006, ctx.source_id, cmp.inner_span(), format!("`Format` `{}` does not go with `Compression` `{}`", fmt.as_str().unwrap_or("?"), cmp.as_str().unwrap_or("?")))
                .label(fmt.inner_span(), "the format")
                .note("`textORcsv` is compressed with `ZIP` or `GZIP`, `Parquet` with `Parquet`; AWS rejects other pairs")
                .help(if fmt.as_str() == Some("Parquet") { "use `\"Compression\": \"Parquet\"`" } else { "use `\"Compression\": \"GZIP\"`" });
            ctx.report(f);
        }
    }
    // CUR007
    if let Some(arts) = d.get("AdditionalArtifacts") {
        let list: Vec<&str> = arts
            .as_array()
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::as_str)
            .collect();
        let fmt = s(d.get("Format"));
        // a setting the template does not determine may be right
        let unknown = |k: &str| d.get(k).is_some_and(Node::has_unknown);
        let mut problems = Vec::new();
        if list.contains(&"ATHENA") && !arts.has_unknown() {
            if list.len() > 1 {
                problems.push("`ATHENA` must be the only artifact".to_string());
            }
            if fmt != Some("Parquet") && !unknown("Format") {
                problems.push("`ATHENA` needs `Format` and `Compression` `Parquet`".to_string());
            }
            if s(d.get("ReportVersioning")) != Some("OVERWRITE_REPORT")
                && !unknown("ReportVersioning")
            {
                problems.push("`ATHENA` needs `ReportVersioning` `OVERWRITE_REPORT`".to_string());
            }
            if s(d.get("S3Prefix")).is_none_or(str::is_empty) && !unknown("S3Prefix") {
                problems.push("`ATHENA` needs a non-empty `S3Prefix`".to_string());
            }
        }
        if (list.contains(&"REDSHIFT") || list.contains(&"QUICKSIGHT")) && fmt == Some("Parquet") {
            problems.push("`REDSHIFT` and `QUICKSIGHT` need `Format` `textORcsv`".to_string());
        }
        if !problems.is_empty() {
            let f = Finding::new(&CUR007, ctx.source_id, arts.span, "invalid combination of `AdditionalArtifacts` and settings")
                .note(format!("AWS rejects the report with an empty ValidationException: {}", problems.join("; ")))
                .help("remove the artifacts the platform does not need (it reads the CSV or Parquet files themselves)");
            ctx.report(f);
        } else if !list.is_empty() && !arts.has_unknown() {
            let why = "the platform reads the report's files themselves";
            if let Some(j) = judged(
                ctx,
                ExportType::Legacy,
                platform::Setting::Artifacts,
                "some",
                why,
                None,
            ) {
                let f = Finding::new(
                    &CUR007,
                    ctx.source_id,
                    arts.span,
                    "the report asks for additional artifacts",
                )
                .severity(j.severity)
                .note(j.note)
                .help(if j.want.is_some() {
                    "remove the artifacts (`\"AdditionalArtifacts\": []`)"
                } else {
                    PLATFORM_HELP
                });
                ctx.report(f);
            }
        }
    }
    // CUR008 / CUR010 (formats) and the run's bucket and prefix
    destination(ctx, d.get("S3Bucket"), d.get("S3Prefix"), &CUR010);
    if let Some(p) = d.get("S3Prefix").and_then(|p| p.as_str().map(|t| (p, t))) {
        if let Some(bad) =
            p.1.chars()
                .find(|c| !(c.is_ascii_alphanumeric() || "!-_.*'()/".contains(*c)))
        {
            let f = Finding::new(
                &CUR008,
                ctx.source_id,
                p.0.inner_span(),
                format!("`S3Prefix` contains `{bad}`, which CUR does not accept"),
            )
            .note("a CUR prefix is letters, digits and `! - _ . * ' ( ) /`, without spaces")
            .help("remove the character");
            ctx.report(f);
        }
    }
    // CUR009
    if let Some(r) = d.get("S3Region") {
        if let Some(region) = r.as_str() {
            if !CUR_REGIONS.contains(&region) {
                let mut f = Finding::new(&CUR009, ctx.source_id, r.inner_span(), format!("legacy CUR cannot deliver to region `{region}`"))
                    .note("`S3Region` must be one of the 28 regions the CUR API accepts, and the bucket's real region; OptScale's create call fails for buckets elsewhere");
                f = match fuzzy::suggest(region, CUR_REGIONS.iter().copied()) {
                    Some(s) if looks_like_region(region) => f.help(format!("did you mean `{s}`? Otherwise use a bucket in a supported region, or a CUR 2.0 export")),
                    _ => f.help("use a bucket in a supported region, or a CUR 2.0 export"),
                };
                ctx.report(f);
            }
        }
    }
}

/// The bucket and prefix of an export, against S3's rules and the run's `--bucket`/`--prefix`.
fn destination(
    ctx: &mut CostCtx,
    bucket: Option<&Node>,
    prefix: Option<&Node>,
    rule: &'static Rule,
) {
    if let Some((b, name)) = bucket.and_then(|b| b.as_str().map(|t| (b, t))) {
        if let Some(problem) = bucket_name_problem(name) {
            let f = Finding::new(&BKT001, ctx.source_id, b.inner_span(), format!("`{name}` is not a valid S3 bucket name: {problem}"))
                .note("bucket names are 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit")
                .help("use the bucket's real name, as the S3 console lists it");
            ctx.report(f);
        } else if let Some(want) = ctx.opts.bucket.as_deref().filter(|w| *w != name) {
            let f = Finding::new(
                rule,
                ctx.source_id,
                b.inner_span(),
                format!(
                    "the export delivers to bucket `{name}`, but the platform is given `{want}`"
                ),
            )
            .note("the platform reads the bucket it is given; the export's files are elsewhere")
            .help(format!(
                "use the same bucket on both sides: `\"{want}\"` here, or `{name}` in the platform"
            ));
            ctx.report(f);
        }
    }
    if let Some((p, text)) = prefix.and_then(|p| p.as_str().map(|t| (p, t))) {
        prefix_checks(ctx, p, text, rule);
    }
}

/// PFX001 and the run's `--prefix`.
pub fn prefix_checks(ctx: &mut CostCtx, node: &Node, text: &str, rule: &'static Rule) {
    if text.starts_with('/') {
        let fixed = text.trim_start_matches('/');
        let inner = node.inner_span();
        let mut f = Finding::new(&PFX001, ctx.source_id, inner, format!("prefix `{text}` starts with `/`"))
            .note("S3 keys do not start with `/`: the files land under an empty folder name and the platform, which does not strip it, finds nothing")
            .help(format!("use `\"{fixed}\"`"));
        // a fix only where the slashes are written as such (not rendered by a template)
        if let Some(slashes) = ctx.source.part(inner, text, 0, text.len() - fixed.len()) {
            f = f.fix("remove the leading `/`", slashes, "");
        }
        ctx.report(f);
    } else if text.ends_with('/') && text.len() > 1 {
        let inner = node.inner_span();
        let mut f = Finding::new(&PFX001, ctx.source_id, inner, format!("prefix `{text}` ends with `/`"))
            .severity(Severity::Warning)
            .note("the platform strips one trailing `/`, but other tools and the console treat the prefix differently")
            .help(format!("use `\"{}\"`", text.trim_end_matches('/')));
        // a fix only where the slash is written as such (not `\/`, not rendered by a template)
        if let Some(slash) = ctx.source.part(inner, text, text.len() - 1, text.len()) {
            f = f.fix("remove the trailing `/`", slash, "");
        }
        ctx.report(f);
    } else if text.contains(' ') {
        let f = Finding::new(
            &PFX001,
            ctx.source_id,
            node.inner_span(),
            format!("prefix `{text}` contains a space"),
        )
        .note("AWS does not accept spaces in the export's prefix, and the platform rejects them")
        .help("use `-` or `_` instead of spaces");
        ctx.report(f);
    }
    let norm = |p: &str| p.trim_matches('/').to_string();
    if let Some(want) = ctx.opts.prefix.as_deref().filter(|w| norm(w) != norm(text)) {
        let f = Finding::new(rule, ctx.source_id, node.inner_span(), format!("the export's prefix is `{text}`, but the platform is given `{want}`"))
            .note("the platform lists `<prefix>/<export name>/`: the full prefix, all its folders, must be the same (the guides' \"last folder name\" is right only for a one-folder prefix)")
            .help(format!("give the platform `{}`", norm(text)));
        ctx.report(f);
    }
}

/// S3 general-purpose bucket naming rules; `None` when the name is valid.
pub fn bucket_name_problem(name: &str) -> Option<String> {
    let b = name.as_bytes();
    if name.len() < 3 || name.len() > 63 {
        return Some(format!("it has {} characters (3 to 63)", name.len()));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.' || *c == '-'))
    {
        return Some(format!(
            "`{c}` is not allowed (lowercase letters, digits, `.` and `-` only)"
        ));
    }
    if !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric() {
        return Some("it must start and end with a letter or a digit".to_string());
    }
    if name.contains("..") {
        return Some("it has two adjacent dots".to_string());
    }
    if name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok()) {
        return Some("it is formatted like an IP address".to_string());
    }
    for p in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if name.starts_with(p) {
            return Some(format!("the prefix `{p}` is reserved"));
        }
    }
    for s in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] {
        if name.ends_with(s) {
            return Some(format!("the suffix `{s}` is reserved"));
        }
    }
    None
}

/// For cross-document checks: is this export of the run's export type?
pub fn export_type_of(doc: &CostDoc) -> Option<ExportType> {
    match doc {
        CostDoc::Export { .. } | CostDoc::ExportList { .. } => Some(ExportType::Cur2),
        CostDoc::Reports { .. } => Some(ExportType::Legacy),
        _ => None,
    }
}
