//! PATH001–PATH005: the export's files in the bucket, as the live audit lists them (DOMAIN §1.5,
//! §7.8 PATH-01..05): present, under the prefix the platform reads, one format, folders the
//! platform's listing covers, and the resource-ID column really there.

use super::*;
use crate::diagnostic::Finding;
use crate::parse::json::{Kind, Node};
use crate::rules::exports::CostCtx;
use std::collections::HashMap;

declare! {
    family "paths", "the delivered files";
    PATH001 "no-delivered-files" Error aa[] on[Listing] fix[];
    PATH002 "files-under-another-prefix" Error aa[] on[Listing] fix[];
    PATH003 "csv-and-parquet" Warning aa[] on[Listing] fix[];
    PATH004 "folder-over-1000-files" Warning aa[] on[Listing] fix[];
    PATH005 "no-resource-id-column" Error aa[] on[Listing] fix[];
    PATH006 "files-outside-billing-periods" Warning aa[] on[Listing] fix[];
}

pub fn check(ctx: &mut CostCtx, d: &Node) {
    let prefix = d.get("Prefix").and_then(Node::as_str).unwrap_or("");
    let cur2 = d.get("ExportType").and_then(Node::as_str) != Some("legacy");
    let objects = d.get("Objects").and_then(Node::as_array).unwrap_or(&[]);
    let keys: Vec<&str> = objects
        .iter()
        .filter_map(|o| o.get("Key").and_then(Node::as_str))
        .collect();
    let at = d.member("Objects").map(|m| m.key_span).unwrap_or(d.span);
    if keys.is_empty() {
        let found: Vec<&str> = d
            .get("FoundUnder")
            .and_then(Node::as_array)
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::as_str)
            .collect();
        let f = if let Some(other) = found.first() {
            Finding::new(&PATH002, ctx.source_id, at, format!("no files under `{prefix}`, but the export's files are under `{other}/`"))
                .note("the platform reads `<prefix>/<export name>/`; its prefix differs from the export's, so every import finds nothing")
                .help(format!("did you mean the prefix `{other}`? Give the platform the export's prefix"))
        } else {
            Finding::new(&PATH001, ctx.source_id, at, format!("no export files under `{prefix}`"))
                .note("either the export has not been delivered yet (up to 24 hours after creation), or AWS cannot write to the bucket (check the bucket policy and the export's status)")
                .help("check `aws bcm-data-exports get-export` (or the report's status), and the bucket policy with finops-lint")
        };
        ctx.report(f);
        return;
    }
    let csv = keys
        .iter()
        .any(|k| k.ends_with(".csv.gz") || k.ends_with(".csv.zip"));
    let parquet = keys.iter().any(|k| k.ends_with(".parquet"));
    if csv && parquet {
        let f = Finding::new(&PATH003, ctx.source_id, at, "both CSV and Parquet files are under the export's folder")
            .note("the platform imports the CSV files and ignores Parquet ones; two exports (or a format change) write into the same folder")
            .help("give each export its own prefix or name, and remove the files of the format you do not use");
        ctx.report(f);
    }
    let mut per_folder: HashMap<&str, usize> = HashMap::new();
    for k in &keys {
        if let Some(i) = k.rfind('/') {
            *per_folder.entry(&k[..i]).or_default() += 1;
        }
    }
    if let Some((folder, n)) = per_folder
        .iter()
        .filter(|(_, n)| **n > 1000)
        .max_by_key(|(_, n)| **n)
    {
        let f = Finding::new(&PATH004, ctx.source_id, at, format!("`{folder}/` holds {n} files"))
            .note("platform versions before 2026 list only the first 1,000 objects of a folder and miss the rest of the month's files")
            .help("update the platform, or use overwrite mode so each month's folder keeps only the current files");
        ctx.report(f);
    }
    // PATH006: the platform groups files by billing period: CUR 2.0 `data/BILLING_PERIOD=YYYY-MM/`,
    // legacy `YYYYMMDD-YYYYMMDD/` (or `year=YYYY/month=M/` for Parquet)
    let data: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| k.ends_with(".csv.gz") || k.ends_with(".csv.zip") || k.ends_with(".parquet"))
        .collect();
    let in_period = |k: &str| {
        if cur2 {
            k.contains("/data/BILLING_PERIOD=")
        } else {
            k.split('/').any(|seg| {
                seg.len() == 17
                    && seg.as_bytes()[8] == b'-'
                    && seg.bytes().filter(u8::is_ascii_digit).count() == 16
            }) || k.contains("year=")
        }
    };
    let stray: Vec<&str> = data.iter().copied().filter(|k| !in_period(k)).collect();
    if !stray.is_empty() {
        let f = Finding::new(&PATH006, ctx.source_id, at, format!("{} data file{} outside a billing-period folder, such as `{}`", stray.len(), if stray.len() == 1 { " is" } else { "s are" }, stray[0]))
            .note(if cur2 { "CUR 2.0 exports write `<prefix>/<name>/data/BILLING_PERIOD=YYYY-MM/`; the platform groups files by that folder and does not import others" } else { "legacy reports write `<prefix>/<name>/YYYYMMDD-YYYYMMDD/`; the platform groups files by that folder and does not import others" })
            .help("remove files copied into the export's folder by hand or by another tool, or give that tool its own prefix");
        ctx.report(f);
    }
    if let Some(h) = d.get("Header").filter(|h| !matches!(h.kind, Kind::Null)) {
        if let Some(first) = h.get("FirstLine").and_then(Node::as_str) {
            let column = if cur2 {
                "line_item_resource_id"
            } else {
                "lineItem/ResourceId"
            };
            if !first.contains(column) {
                let key = h.get("Key").and_then(Node::as_str).unwrap_or("?");
                let f = Finding::new(&PATH005, ctx.source_id, h.member("FirstLine").map(|m| m.value.span).unwrap_or(h.span), format!("`{key}` has no `{column}` column"))
                    .note("the delivered data has no resource IDs, so the platform cannot attach costs to resources (the export's setting may have changed after this file was written)")
                    .help(if cur2 { "set `INCLUDE_RESOURCES` to `\"TRUE\"` in the export and select `line_item_resource_id`" } else { "add `RESOURCES` to the report's `AdditionalSchemaElements`" });
                ctx.report(f);
            }
        }
    }
}
