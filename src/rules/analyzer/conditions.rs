//! POL022 (condition values against what their operator compares) and POL023 (operators
//! against the key they test).

use super::types::{self, Ty};
use super::*;
use crate::model::policy::Statement;
use crate::parse::json::{Kind, Member, Node};
use std::net::IpAddr;

pub fn statement(ctx: &mut Ctx, stmt: &Statement) {
    let Some(cond) = stmt.member("Condition") else {
        return;
    };
    let Some(ops) = cond.value.as_object() else {
        return; // POL013
    };
    if ops.is_empty() {
        let f = finding(
            ctx,
            &POL023,
            "EMPTY_OBJECT_CONDITION",
            cond.value.span,
            format!("{} has an empty `Condition`", stmt.label()),
        )
        .note("an empty condition block tests nothing: the statement applies to every request")
        .help("remove `\"Condition\": {}` or add the condition meant");
        ctx.report(f);
    }
    let delivery = ctx.doc.kind == crate::model::PolicyKind::Bucket
        && crate::rules::values::is_delivery_statement(stmt);
    for op in ops {
        let Some(keys) = op.value.as_object() else {
            continue;
        };
        let parsed = types::operator(&op.key);
        let compares = types::compares(parsed.base);
        if compares.is_none() && parsed.base != "Null" {
            continue; // POL012
        }
        if parsed.base == "Null" {
            if let Some(q) = parsed.qualifier {
                let f = finding(ctx, &POL023, "NULL_WITH_QUALIFIER", op.key_span, format!("`{q}` with the `Null` operator"))
                    .note("`Null` tests whether the key is present; a set qualifier does not change that, so the result does not depend on the key's values")
                    .help(format!("write `Null` without `{q}:`"));
                ctx.report(f);
            }
        }
        // the first key written in each case-insensitive spelling (an index: an operator may
        // hold very many keys)
        let mut seen: std::collections::HashMap<String, &Member> = std::collections::HashMap::new();
        for key in keys {
            let first = match seen.entry(key.key.to_ascii_lowercase()) {
                std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(key);
                    None
                }
            };
            if let Some(first) = first.filter(|k| k.key != key.key) {
                let f = finding(ctx, &POL023, "DUPLICATE_KEYS_WITH_DIFFERENT_CASE", key.key_span, format!("`{}` and `{}` under `{}` are one key written in two cases", first.key, key.key, op.key))
                    .label(first.key_span, "first written here")
                    .note("condition keys are case-insensitive; IAM refuses a condition block that names one key twice")
                    .help("merge the values into one entry");
                ctx.report(f);
            }
            if key.value.has_unknown() {
                continue;
            }
            let values = key.value.one_or_many();
            value_types(ctx, op, key, values);
            if let Some(ty) = compares {
                values_for(ctx, op, key, ty, parsed.base, values);
                operator_for_key(ctx, op, key, ty, parsed, delivery);
            }
            if compares.is_some() {
                qualifier_for_key(ctx, op, key, parsed);
            }
            wildcard_only(ctx, op, key, parsed, values);
        }
    }
}

/// REDUNDANT_STATEMENT: statements that repeat an earlier one (their Sids aside), reported once
/// per group of equal statements, at the first repetition. Statements are grouped by a hash of
/// their structure; only statements whose hashes meet are compared as text.
/// A group of equal statements: the first's canonical text (once a hash meets it), the first,
/// the second and how many.
type Group = (Option<String>, usize, Option<usize>, usize);

pub fn redundant_statements(ctx: &mut Ctx, stmts: &[Statement]) {
    use std::hash::{Hash, Hasher};
    let text = |stmt: &Statement| -> String {
        let mut members: Vec<String> = stmt
            .node
            .as_object()
            .unwrap_or(&[])
            .iter()
            .filter(|m| m.key != "Sid")
            .map(|m| format!("{:?}:{}", m.key, canonical(&m.value)))
            .collect();
        members.sort();
        members.join(",")
    };
    // hash → groups of equal statements: (text, first, second, how many)
    let mut groups: std::collections::HashMap<u64, Vec<Group>> = std::collections::HashMap::new();
    let mut order: Vec<(u64, usize)> = Vec::new();
    for (i, stmt) in stmts.iter().enumerate() {
        let mut h = Fnv::default();
        let mut sum: u64 = 0;
        for m in stmt
            .node
            .as_object()
            .unwrap_or(&[])
            .iter()
            .filter(|m| m.key != "Sid")
        {
            let mut mh = Fnv::default();
            m.key.hash(&mut mh);
            hash_node(&m.value, &mut mh);
            sum = sum.wrapping_add(mh.finish());
        }
        sum.hash(&mut h);
        let key = h.finish();
        let bucket = groups.entry(key).or_default();
        if bucket.is_empty() {
            bucket.push((None, i, None, 1));
            order.push((key, 0));
            continue;
        }
        // the hash met another statement's: compare as text
        let mine = text(stmt);
        let mut found = false;
        for g in bucket.iter_mut() {
            let theirs = g.0.get_or_insert_with(|| text(&stmts[g.1]));
            if *theirs == mine {
                g.2.get_or_insert(i);
                g.3 += 1;
                found = true;
                break;
            }
        }
        if !found {
            bucket.push((Some(mine), i, None, 1));
            order.push((key, bucket.len() - 1));
        }
    }
    for (key, at) in order {
        let (_, first, second, count) = &groups[&key][at];
        let Some(second) = second else { continue };
        let (a, b) = (&stmts[*first], &stmts[*second]);
        let more = if *count > 2 {
            format!(" ({count} statements of this policy are the same)")
        } else {
            String::new()
        };
        let f = finding(ctx, &POL023, "REDUNDANT_STATEMENT", crate::rules::grammar::anchor(b), format!("{} repeats {}{more}", b.label(), a.label()))
            .label(crate::rules::grammar::anchor(a), "the same statement")
            .note("the statements grant the same; an edit to one and not the other will surprise the next reader")
            .help("remove the repetition");
        ctx.report(f);
    }
}

/// FNV-1a: a fast hash for grouping statements (equal hashes are compared as text after).
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// A hash of a value's structure, independent of the order of object members.
fn hash_node<H: std::hash::Hasher>(n: &Node, h: &mut H) {
    use std::hash::Hash;
    match &n.kind {
        Kind::Object(ms) => {
            let mut sum: u64 = 0;
            for m in ms {
                let mut mh = Fnv::default();
                m.key.hash(&mut mh);
                hash_node(&m.value, &mut mh);
                sum = sum.wrapping_add(std::hash::Hasher::finish(&mh));
            }
            (0u8, sum).hash(h);
        }
        Kind::Array(a) => {
            (1u8, a.len()).hash(h);
            a.iter().for_each(|x| hash_node(x, h));
        }
        Kind::String(s) => (2u8, s).hash(h),
        Kind::Number(x) => (3u8, x).hash(h),
        Kind::Bool(b) => (4u8, b).hash(h),
        Kind::Null => 5u8.hash(h),
        Kind::Unknown(u) => (6u8, u).hash(h),
    }
}

/// A value as text, independent of how it is spaced and of the order of object members.
fn canonical(n: &Node) -> String {
    match &n.kind {
        Kind::Object(ms) => {
            let mut parts: Vec<String> = ms
                .iter()
                .map(|m| format!("{:?}:{}", m.key, canonical(&m.value)))
                .collect();
            parts.sort();
            format!("{{{}}}", parts.join(","))
        }
        Kind::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        Kind::String(s) => format!("{s:?}"),
        Kind::Number(x) => x.clone(),
        Kind::Bool(b) => b.to_string(),
        Kind::Null => "null".into(),
        Kind::Unknown(u) => format!("?{u}"),
    }
}

/// INVALID_CONDITION_DATA_TYPE: one key's values of several JSON types.
fn value_types(ctx: &mut Ctx, op: &Member, key: &Member, values: &[Node]) {
    let mut seen: Vec<&'static str> = Vec::new();
    for v in values {
        let t = match v.kind {
            Kind::String(_) => "string",
            Kind::Number(_) => "number",
            Kind::Bool(_) => "boolean",
            _ => continue, // POL013
        };
        if !seen.contains(&t) {
            seen.push(t);
        }
    }
    if seen.len() > 1 {
        let f = finding(
            ctx,
            &POL022,
            "INVALID_CONDITION_DATA_TYPE",
            key.value.span,
            format!(
                "the values of `{}` under `{}` mix JSON types ({})",
                key.key,
                op.key,
                seen.join(", ")
            ),
        )
        .note("IAM refuses a condition whose values for one key are not all of one JSON type")
        .help("write every value of the key the same way, for example all as strings");
        ctx.report(f);
    }
}

/// POL022: each value against what the operator compares.
fn values_for(ctx: &mut Ctx, op: &Member, key: &Member, ty: Ty, base: &str, values: &[Node]) {
    let variable = |s: &str| s.contains("${");
    match ty {
        Ty::Bool => {
            if values.len() > 1 {
                let f = finding(
                    ctx,
                    &POL022,
                    "INVALID_CONDITION_MULTIPLE_BOOLEAN",
                    key.value.span,
                    format!("`{}` under `Bool` has {} values", key.key, values.len()),
                )
                .note("a Boolean key holds one value: IAM refuses several Boolean values for it")
                .help("keep the one value meant, `true` or `false`");
                ctx.report(f);
            }
            for v in values {
                let Some(s) = v.scalar_text() else { continue };
                if variable(&s) {
                    continue;
                }
                if !(s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")) {
                    let f = finding(
                        ctx,
                        &POL022,
                        "TYPE_MISMATCH_BOOLEAN",
                        v.inner_span(),
                        format!("`{}` is not a Boolean value for `{}`", shown(&s), key.key),
                    )
                    .note("`Bool` compares `true` or `false`; any other value never matches")
                    .help("use `\"true\"` or `\"false\"`");
                    ctx.report(f);
                }
            }
        }
        Ty::Numeric => {
            let mut numbers = 0;
            for v in values {
                let Some(s) = v.scalar_text() else { continue };
                if variable(&s) {
                    continue;
                }
                if s.trim().parse::<f64>().is_ok() && !s.trim().is_empty() {
                    numbers += 1;
                } else {
                    let f = finding(
                        ctx,
                        &POL022,
                        "TYPE_MISMATCH_NUMBER",
                        v.inner_span(),
                        format!("`{}` is not a number for `{}`", shown(&s), op.key),
                    )
                    .note("a numeric operator compares numbers; this value never matches")
                    .help("write the number, such as `\"3600\"`");
                    ctx.report(f);
                }
            }
            let ordering = base.contains("LessThan") || base.contains("GreaterThan");
            if ordering && numbers > 1 && numbers == values.len() {
                let f = finding(ctx, &POL022, "REDUNDANT_CONDITION_VALUE_NUM", key.value.span, format!("`{}` has {} values for `{}`", op.key, numbers, key.key))
                    .note(format!("`{base}` matches when the key compares so with any of the values, so only the most permissive one counts"))
                    .help("keep the one value that decides");
                ctx.report(f);
            }
        }
        Ty::Date => {
            for v in values {
                let Some(s) = v.scalar_text() else { continue };
                if variable(&s) {
                    continue;
                }
                let t = s.trim();
                if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                    let f = finding(ctx, &POL022, "INVALID_DATE_VALUE", v.inner_span(), format!("`{t}` for `{}` is a number of seconds, not a date", key.key))
                        .note("IAM reads a number as epoch time; a date written that way may not resolve as intended")
                        .help("write the date in ISO 8601, such as `2026-12-31T23:59:59Z`");
                    ctx.report(f);
                } else if !iso_date(t) {
                    let f = finding(ctx, &POL022, "TYPE_MISMATCH_DATE", v.inner_span(), format!("`{}` is not a date for `{}`", shown(&s), op.key))
                        .note("a date operator compares ISO 8601 dates or epoch times; this value never matches")
                        .help("write the date in ISO 8601, such as `2026-12-31T23:59:59Z`");
                    ctx.report(f);
                }
            }
        }
        Ty::Binary => {
            for v in values {
                let Some(s) = v.scalar_text() else { continue };
                if !variable(&s) && !base64(&s) {
                    let f = finding(
                        ctx,
                        &POL022,
                        "TYPE_MISMATCH_STRING",
                        v.inner_span(),
                        format!("`{}` is not base64 for `BinaryEquals`", shown(&s)),
                    )
                    .note("`BinaryEquals` compares a base64-encoded value; this one never matches")
                    .help("write the value base64-encoded");
                    ctx.report(f);
                }
            }
        }
        Ty::Ip => ip_values(ctx, op, key, base, values),
        Ty::String | Ty::Arn => string_values(ctx, key, values),
    }
    // INVALID_VARIABLE_FOR_OPERATOR
    if !matches!(ty, Ty::String | Ty::Arn) {
        for v in values {
            if let Some(s) = v.as_str().filter(|s| variable(s)) {
                let f = finding(ctx, &POL021, "INVALID_VARIABLE_FOR_OPERATOR", v.inner_span(), format!("policy variable in `{}` under `{}`", shown(s), op.key))
                    .note("IAM replaces policy variables only in string and ARN comparisons; IAM refuses one with this operator")
                    .help("compare with a `String` or `Arn` operator, or write the value itself");
                ctx.report(f);
            }
        }
    }
}

fn iso_date(s: &str) -> bool {
    // YYYY-MM-DD, optionally followed by a time (`T`) with a zone
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    if !(b.len() >= 10
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10))
    {
        return false;
    }
    let (m, d) = (
        (b[5] - b'0') * 10 + (b[6] - b'0'),
        (b[8] - b'0') * 10 + (b[9] - b'0'),
    );
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return false;
    }
    let rest = &s[10..];
    rest.is_empty()
        || rest.starts_with('T')
            && rest[1..]
                .bytes()
                .all(|c| c.is_ascii_digit() || matches!(c, b':' | b'.' | b'Z' | b'+' | b'-'))
}

fn base64(s: &str) -> bool {
    let t = s.trim_end_matches('=');
    !s.is_empty()
        && s.len().is_multiple_of(4)
        && s.len() - t.len() <= 2
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// An address or CIDR block: its network, prefix length and whether host bits are set.
fn cidr(s: &str) -> Option<(IpAddr, u8, Option<String>)> {
    let (addr, len) = match s.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (s, None),
    };
    let ip: IpAddr = addr.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len = match len {
        Some(l) => {
            if l.is_empty() || !l.bytes().all(|b| b.is_ascii_digit()) || l.len() > 3 {
                return None;
            }
            l.parse::<u8>().ok().filter(|n| *n <= max)?
        }
        None => max,
    };
    let normal = match ip {
        IpAddr::V4(v) => {
            let bits = u32::from(v);
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            (bits & mask != bits)
                .then(|| format!("{}/{len}", std::net::Ipv4Addr::from(bits & mask)))
        }
        IpAddr::V6(v) => {
            let bits = u128::from(v);
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len)
            };
            (bits & mask != bits)
                .then(|| format!("{}/{len}", std::net::Ipv6Addr::from(bits & mask)))
        }
    };
    Some((ip, len, normal))
}

/// Whether a whole block lies in the private ranges (RFC 1918, IPv6 unique local `fc00::/7`),
/// whose addresses never reach AWS as a request's source address.
fn private(ip: IpAddr, len: u8) -> bool {
    match ip {
        IpAddr::V4(v) => {
            let o = v.octets();
            (o[0] == 10 && len >= 8)
                || (o[0] == 172 && (16..32).contains(&o[1]) && len >= 12)
                || (o[0] == 192 && o[1] == 168 && len >= 16)
        }
        IpAddr::V6(v) => (v.segments()[0] & 0xfe00) == 0xfc00 && len >= 7,
    }
}

fn ip_values(ctx: &mut Ctx, op: &Member, key: &Member, base: &str, values: &[Node]) {
    let mut private_n = 0;
    let mut public_n = 0;
    for v in values {
        let Some(s) = v.as_str() else { continue };
        if s.contains("${") {
            continue;
        }
        match cidr(s.trim()) {
            None => {
                let f = finding(
                    ctx,
                    &POL022,
                    "TYPE_MISMATCH_IP_RANGE",
                    v.inner_span(),
                    format!("`{}` is not an IP address or CIDR block", shown(s)),
                )
                .note(format!(
                    "`{}` compares addresses with IPv4 or IPv6 CIDR blocks; IAM refuses this value",
                    op.key
                ))
                .help("write an address or a block such as `203.0.113.0/24`");
                ctx.report(f);
            }
            Some((ip, len, normal)) => {
                if private(ip, len) {
                    private_n += 1;
                } else {
                    public_n += 1;
                }
                if let Some(n) = normal {
                    let mut f = finding(
                        ctx,
                        &POL022,
                        "IMPROVE_IP_RANGE",
                        v.inner_span(),
                        format!("`{s}` has bits set past its prefix length"),
                    )
                    .note(format!("IAM reads it as the block `{n}`"))
                    .help(format!("write `{n}`"));
                    if ctx.source.snippet(v.inner_span()) == s {
                        f = f.fix(format!("write `{n}`"), v.inner_span(), n.clone());
                    }
                    ctx.report(f);
                }
            }
        }
    }
    if !key.key.eq_ignore_ascii_case("aws:SourceIp") || private_n == 0 {
        return;
    }
    let not = base == "NotIpAddress";
    let (code, msg, note) = match (not, public_n == 0) {
        (false, true) => ("PRIVATE_IP_ADDRESS", "`aws:SourceIp` under `IpAddress` names only private addresses", "`aws:SourceIp` is the public address a request comes from: a private address is never one, so the condition never matches (for traffic through a VPC endpoint, test `aws:VpcSourceIp`)"),
        (true, true) => ("PRIVATE_NOT_IP_ADDRESS", "`aws:SourceIp` under `NotIpAddress` names only private addresses", "`aws:SourceIp` is the public address a request comes from: a private address is never one, so the condition always matches"),
        (false, false) => ("PRIVATE_IP_ADDRESS_SUBSET", "`aws:SourceIp` under `IpAddress` names private addresses among public ones", "the private ones never match a request's public source address"),
        (true, false) => ("PRIVATE_NOT_IP_ADDRESS_SUBSET", "`aws:SourceIp` under `NotIpAddress` names private addresses among public ones", "the private ones have no effect: a request's public source address is never one"),
    };
    let f = finding(ctx, &POL022, code, key.key_span, msg)
        .note(note)
        .help("for requests through a VPC endpoint, test `aws:VpcSourceIp` (with `aws:SourceVpc`) instead");
    ctx.report(f);
}

/// VPC and VPC endpoint IDs, Regions, KMS key ARNs: values whose form AWS defines.
fn string_values(ctx: &mut Ctx, key: &Member, values: &[Node]) {
    let k = key.key.to_ascii_lowercase();
    for v in values {
        let Some(s) = v.as_str() else { continue };
        if s.contains(['*', '?']) || s.contains("${") || crate::rules::values::has_placeholder(s) {
            continue;
        }
        match k.as_str() {
            "aws:sourcevpc" if !resource_id(s, "vpc-") => {
                let f = finding(
                    ctx,
                    &POL022,
                    "INVALID_VPC_FORMAT",
                    v.inner_span(),
                    format!("`{}` is not a VPC ID", shown(s)),
                )
                .note("a VPC ID is `vpc-` and 8 or 17 letters and digits; this value never matches")
                .help("copy the ID from the VPC console, such as `vpc-1a2b3c4d`");
                ctx.report(f);
            }
            "aws:sourcevpce" if !resource_id(s, "vpce-") => {
                let f = finding(ctx, &POL022, "INVALID_VPCE_FORMAT", v.inner_span(), format!("`{}` is not a VPC endpoint ID", shown(s)))
                    .note("a VPC endpoint ID is `vpce-` and 8 or 17 letters and digits; this value never matches")
                    .help("copy the ID from the VPC console, such as `vpce-1a2b3c4d`");
                ctx.report(f);
            }
            "aws:requestedregion" => region_value(ctx, v, s, &key.key),
            "s3:x-amz-server-side-encryption-aws-kms-key-id" if !kms_key_arn(s) => {
                let f = finding(ctx, &POL022, "INVALID_KMS_KEY_VALUE", v.inner_span(), format!("`{}` is not a KMS key ARN", shown(s)))
                    .note("S3 sends this key as the full ARN of the KMS key; a key ID, an alias or another form never matches")
                    .help("write the key's ARN, `arn:aws:kms:<region>:<account-id>:key/<key-id>`");
                ctx.report(f);
            }
            _ => {}
        }
    }
}

fn resource_id(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix).is_some_and(|id| {
        (id.len() == 8 || id.len() == 17) && id.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

fn kms_key_arn(s: &str) -> bool {
    let (f, n) = crate::syntax::arn_fields(s);
    n == 6 && f[0] == "arn" && f[2] == "kms" && f[5].starts_with("key/") && f[5].len() > 4
}

/// A Region value: not shaped as a Region code at all is an error; shaped as one but not in
/// finops-lint's list (which a new Region may be missing from) a warning.
pub fn region_value(ctx: &mut Ctx, v: &Node, s: &str, key: &str) {
    match super::arns::region(s) {
        super::arns::Region::Known => {}
        super::arns::Region::Shaped => {
            let f = finding(ctx, &POL022, "INVALID_REGION", v.inner_span(), format!("`{}` is not a Region finops-lint knows", shown(s)))
                .severity(Severity::Warning)
                .note(format!("finops-lint's list of Regions ({}) does not have it; if AWS opened it since, this finding is wrong", super::arns::REGIONS_AS_OF))
                .help(format!("check the Region code for `{key}`, such as `us-east-1`"));
            ctx.report(f);
        }
        super::arns::Region::Invalid => {
            let f = finding(ctx, &POL022, "INVALID_REGION", v.inner_span(), format!("`{}` is not a Region code", shown(s)))
                .note("a Region code is written like `us-east-1` or `eu-central-2`; this value never matches")
                .help(format!("write the Region code for `{key}`, such as `us-east-1`"));
            ctx.report(f);
        }
    }
}

/// POL023: the operator against the key's type.
fn operator_for_key(
    ctx: &mut Ctx,
    op: &Member,
    key: &Member,
    ty: Ty,
    parsed: types::Operator,
    delivery: bool,
) {
    let Some(kt) = types::key_type(&key.key) else {
        return;
    };
    if kt.ty == Ty::Arn && matches!(parsed.base, "StringLike" | "StringNotLike") {
        // AWS's billing guides write the delivery statement's `aws:SourceArn` with
        // `StringLike`: that form works, its wildcard only ends the ARN; not reported there
        let billing = key.key.eq_ignore_ascii_case("aws:SourceArn")
            && key.value.one_or_many().iter().all(|v| {
                v.as_str().is_some_and(|s| {
                    s.starts_with("arn:aws:cur:") || s.starts_with("arn:aws:bcm-data-exports:")
                })
            });
        if delivery || billing {
            return;
        }
        let arn_op = op.key.replacen("String", "Arn", 1);
        let f = finding(ctx, &POL023, "STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS", key.key_span, format!("`{}` compares the ARN key `{}` as a string", op.key, key.key))
            .note("a string pattern's `*` also matches across the `:` between an ARN's fields, so it may match more ARNs than meant; `ArnLike` matches field by field")
            .help(format!("use `{arn_op}` for `{}`", key.key));
        ctx.report(f);
        return;
    }
    if !types::fits(ty, kt.ty, &key.key) {
        let f = finding(
            ctx,
            &POL023,
            "TYPE_MISMATCH",
            key.key_span,
            format!(
                "`{}` compares {} values, but `{}` is {} {}",
                op.key,
                ty.name(),
                key.key,
                if kt.ty == Ty::Arn || kt.ty == Ty::Ip {
                    "an"
                } else {
                    "a"
                },
                kt.ty.name()
            ),
        )
        .note("an operator of another type than the key's may never match")
        .help(format!(
            "use an operator of the key's type, such as `{}`",
            kt.ty.example_operator()
        ));
        ctx.report(f);
    }
}

/// POL023: set qualifiers against single- and multivalued keys.
fn qualifier_for_key(ctx: &mut Ctx, op: &Member, key: &Member, parsed: types::Operator) {
    if parsed.base == "Null" {
        return;
    }
    // an OIDC audience claim: TRU006
    if key.key.to_ascii_lowercase().ends_with(":aud") && !key.key.starts_with("aws:") {
        return;
    }
    let Some(kt) = types::key_type(&key.key) else {
        return;
    };
    match parsed.qualifier {
        None if kt.multivalued => {
            // the global keys' types are AWS's page; a service key's is the catalog's, which may
            // disagree with Access Analyzer's data: a warning
            let global = key
                .key
                .get(..4)
                .is_some_and(|p| p.eq_ignore_ascii_case("aws:"));
            let f = finding(ctx, &POL023, "MISSING_QUALIFIER", key.key_span, format!("`{}` has several values in a request, but `{}` has no set qualifier", key.key, op.key))
                .note("without `ForAnyValue` or `ForAllValues`, a condition on a multivalued key does not say whether any or all of the request's values must match; Access Analyzer reports it as an error")
                .help(format!("write `ForAnyValue:{}` (any of the request's values matches) or `ForAllValues:{}` (all of them do)", op.key, op.key));
            let f = if global {
                f
            } else {
                f.severity(Severity::Warning).note(format!("the catalog ({}) gives `{}` as multivalued; IAM refuses the condition if it is", crate::catalog::version(), key.key))
            };
            ctx.report(f);
        }
        Some("ForAllValues") if !kt.multivalued => {
            let f = finding(ctx, &POL023, "FORALLVALUES_WITH_SINGLE_VALUED_KEY", op.key_span, format!("`ForAllValues` with the single-valued key `{}`", key.key))
                .note("`ForAllValues` also holds when the request has no value for the key, so the condition matches requests without it")
                .help(format!("write `{}` without `ForAllValues:`", &op.key["ForAllValues:".len()..]));
            ctx.report(f);
        }
        _ => {}
    }
}

/// POL023: a `*` value that matches every value of the key.
fn wildcard_only(
    ctx: &mut Ctx,
    op: &Member,
    key: &Member,
    parsed: types::Operator,
    values: &[Node],
) {
    if parsed.qualifier.is_some() {
        return;
    }
    let Some(star) = values.iter().find(|v| v.as_str() == Some("*")) else {
        return;
    };
    let like = matches!(parsed.base, "StringLike" | "ArnLike");
    let not_like = matches!(parsed.base, "StringNotLike" | "ArnNotLike");
    // `StringLike` with `*` and no `IfExists` tests that the key is present, which Access
    // Analyzer does not report (AWS's own policies do it); with `IfExists` it always holds
    let _ = not_like;
    let (code, msg, help) = match (like, parsed.if_exists) {
        (true, true) => (
            "REDUNDANT_KEY_DUE_TO_WILDCARD_IN_CONDITION",
            format!("`{}` with `*` holds for every request", op.key),
            format!("remove `{}` from the condition", key.key),
        ),
        _ => return,
    };
    let f = finding(ctx, &POL023, code, star.inner_span(), msg)
        .note("`*` matches every value of the key")
        .help(help);
    ctx.report(f);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_dates() {
        assert_eq!(
            cidr("10.0.0.1/8").map(|c| c.2),
            Some(Some("10.0.0.0/8".to_string()))
        );
        assert_eq!(cidr("203.0.113.0/24").map(|c| c.2), Some(None));
        assert!(cidr("300.0.0.1").is_none());
        assert!(cidr("10.0.0.0/33").is_none());
        let (ip, len, _) = cidr("172.16.5.0/24").unwrap();
        assert!(private(ip, len));
        let (ip, len, _) = cidr("172.32.0.0/16").unwrap();
        assert!(!private(ip, len));
        assert!(iso_date("2026-12-31T23:59:59Z"));
        assert!(iso_date("2026-01-01"));
        assert!(!iso_date("2026-13-01"));
        assert!(!iso_date("yesterday"));
        assert!(base64("aGVsbG8="));
        assert!(!base64("hello!"));
    }
}
