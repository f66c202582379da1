//! Condition operators, with IAM's semantics for absent keys, `IfExists`, `ForAllValues:` /
//! `ForAnyValue:`, `Null` and policy variables. Three-valued: offline checks may not know a
//! request's values.

use super::pattern::{self, Tok, Unresolved, Vars};
use super::Tri;
use crate::parse::json::Node;
use std::net::IpAddr;

/// A request value as a condition sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Absent,
    /// Present, value not known (offline checks).
    Unknown,
    Values(Vec<String>),
}

/// The request context: condition keys (case-insensitive) and policy variables.
pub trait Context: Vars {
    fn lookup(&self, key: &str) -> Lookup;
}

/// Evaluate `operator` on `key` with the policy's `values`. `variables`: the policy's Version
/// allows policy variables.
pub fn evaluate(
    operator: &str,
    key: &str,
    values: &[Node],
    ctx: &dyn Context,
    variables: bool,
) -> Tri {
    let parts = crate::model::policy::operator(operator);
    // `ForAllValues` (true) or `ForAnyValue` (false)
    let set = parts.qualifier.map(|q| q == "ForAllValues");
    let (base, if_exists) = (parts.base, parts.if_exists);
    let wanted: Vec<String> = values.iter().filter_map(Node::scalar_text).collect();
    let lookup = ctx.lookup(key);
    if base == "Null" {
        let want_absent = wanted.iter().any(|w| w.eq_ignore_ascii_case("true"));
        let want_present = wanted.iter().any(|w| w.eq_ignore_ascii_case("false"));
        return match lookup {
            Lookup::Absent => tri(want_absent),
            _ => tri(want_present),
        };
    }
    let negated = is_negated(base);
    let actual = match lookup {
        Lookup::Absent => {
            return match set {
                Some(true) => Tri::True,
                Some(false) => tri(if_exists),
                None => tri(if_exists || negated),
            }
        }
        Lookup::Unknown => return Tri::Unknown,
        Lookup::Values(v) => v,
    };
    // compile the policy values once
    let positive = positive_of(base);
    let mut compiled = Vec::with_capacity(wanted.len());
    let mut unknown = false;
    // a value that cannot be read (a missing variable, not a number, date, address or ARN)
    // makes a negated operator false rather than vacuously true
    let mut invalid = false;
    for w in &wanted {
        match compile_value(positive, w, ctx, variables) {
            Ok(p) => {
                invalid |= !readable(positive, &pattern::literal(&p));
                compiled.push(p);
            }
            Err(Unresolved::Unknown(_)) => unknown = true,
            Err(Unresolved::Missing(_)) => invalid = true,
        }
    }
    invalid |= actual.iter().any(|r| !readable(positive, r));
    if negated && invalid {
        return Tri::False;
    }
    let hit = |r: &str| compiled.iter().any(|p| matches(positive, p, r));
    let result = match (set, negated) {
        (None, false) => actual.iter().any(|r| hit(r)),
        (None, true) => !actual.iter().any(|r| hit(r)),
        (Some(false), false) => actual.iter().any(|r| hit(r)),
        (Some(false), true) => actual.iter().any(|r| !hit(r)),
        (Some(true), false) => actual.iter().all(|r| hit(r)),
        (Some(true), true) => actual.iter().all(|r| !hit(r)),
    };
    if unknown && !result {
        return Tri::Unknown;
    }
    tri(result)
}

fn tri(b: bool) -> Tri {
    if b {
        Tri::True
    } else {
        Tri::False
    }
}

fn is_negated(base: &str) -> bool {
    base.starts_with("StringNot")
        || base.starts_with("ArnNot")
        || base == "NotIpAddress"
        || base == "NumericNotEquals"
        || base == "DateNotEquals"
}

/// The positive operator whose result a negated one inverts.
fn positive_of(base: &str) -> &str {
    match base {
        "StringNotEquals" => "StringEquals",
        "StringNotEqualsIgnoreCase" => "StringEqualsIgnoreCase",
        "StringNotLike" => "StringLike",
        "ArnNotEquals" => "ArnEquals",
        "ArnNotLike" => "ArnLike",
        "NotIpAddress" => "IpAddress",
        "NumericNotEquals" => "NumericEquals",
        "DateNotEquals" => "DateEquals",
        other => other,
    }
}

fn compile_value(
    op: &str,
    value: &str,
    ctx: &dyn Context,
    variables: bool,
) -> Result<Vec<Tok>, Unresolved> {
    let wildcards = matches!(op, "StringLike" | "ArnLike" | "ArnEquals");
    pattern::compile(value, wildcards, variables, ctx)
}

fn matches(op: &str, p: &[Tok], r: &str) -> bool {
    match op {
        "StringEquals" => pattern::literal(p) == r,
        "StringEqualsIgnoreCase" => pattern::literal(p).to_lowercase() == r.to_lowercase(),
        "StringLike" => pattern::matches(p, r, false),
        "ArnEquals" | "ArnLike" => pattern::matches_arn(p, r),
        "Bool" => {
            let l = pattern::literal(p);
            is_bool(&l) && is_bool(r) && l.eq_ignore_ascii_case(r)
        }
        "BinaryEquals" => pattern::literal(p) == r,
        "IpAddress" => ip_in(&pattern::literal(p), r),
        op if op.starts_with("Numeric") => match (
            pattern::literal(p).trim().parse::<f64>(),
            r.trim().parse::<f64>(),
        ) {
            (Ok(a), Ok(b)) => compare(op.trim_start_matches("Numeric"), b.partial_cmp(&a)),
            _ => false,
        },
        op if op.starts_with("Date") => match (parse_date(&pattern::literal(p)), parse_date(r)) {
            (Some(a), Some(b)) => compare(op.trim_start_matches("Date"), b.partial_cmp(&a)),
            _ => false,
        },
        _ => false,
    }
}

/// Can `op` read this value at all?
fn readable(op: &str, v: &str) -> bool {
    match op {
        "IpAddress" => v
            .split('/')
            .next()
            .is_some_and(|a| a.trim().parse::<IpAddr>().is_ok()),
        "ArnEquals" | "ArnLike" => {
            v.splitn(6, ':').count() == 6 && v.starts_with("arn:") && !v.starts_with("arn::")
        }
        op if op.starts_with("Numeric") => v.trim().parse::<f64>().is_ok(),
        op if op.starts_with("Date") => parse_date(v).is_some(),
        _ => true,
    }
}

fn is_bool(s: &str) -> bool {
    s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
}

/// `request <op> policy` for Equals, LessThan, LessThanEquals, GreaterThan, GreaterThanEquals.
fn compare(op: &str, ord: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering::*;
    matches!(
        (op, ord),
        ("Equals", Some(Equal))
            | ("LessThan", Some(Less))
            | ("LessThanEquals", Some(Less | Equal))
            | ("GreaterThan", Some(Greater))
            | ("GreaterThanEquals", Some(Greater | Equal))
    )
}

/// Is `ip` inside `cidr` (a bare address is a /32 or /128)?
pub fn ip_in(cidr: &str, ip: &str) -> bool {
    let (net, bits) = match cidr.split_once('/') {
        Some((n, b)) => (n, b.parse::<u32>().ok()),
        None => (cidr, None),
    };
    let (Ok(net), Ok(ip)) = (net.trim().parse::<IpAddr>(), ip.trim().parse::<IpAddr>()) else {
        return false;
    };
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            (u32::from(n) & mask) == (u32::from(i) & mask)
        }
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            (u128::from(n) & mask) == (u128::from(i) & mask)
        }
        _ => false,
    }
}

/// Milliseconds since the epoch of an ISO 8601 date or date-time, or of an epoch number
/// (seconds, or milliseconds when it has more than 11 digits).
pub fn parse_date(s: &str) -> Option<i128> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        let n: i128 = s.parse().ok()?;
        return Some(if s.len() > 11 { n } else { n * 1000 });
    }
    let (date, time) = match s.split_once(['T', 't', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut d = date.split('-');
    let y: i64 = d.next()?.parse().ok()?;
    let m: u32 = d.next()?.parse().ok()?;
    let day: u32 = d.next()?.parse().ok()?;
    // a year of six digits at most keeps the arithmetic below in range
    if d.next().is_some()
        || !(1..=12).contains(&m)
        || !(1..=31).contains(&day)
        || !(-999_999..=999_999).contains(&y)
    {
        return None;
    }
    let days = days_from_civil(y, m, day);
    let mut ms: i128 = days as i128 * 86_400_000;
    if let Some(t) = time {
        let (clock, offset_ms) = split_offset(t)?;
        let mut parts = clock.split(':');
        let h: i64 = parts.next()?.parse().ok()?;
        let min: i64 = parts.next().unwrap_or("0").parse().ok()?;
        let sec_text = parts.next().unwrap_or("0");
        let (sec, frac) = match sec_text.split_once('.') {
            Some((a, b)) if !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit()) => (
                a.parse::<i64>().ok()?,
                format!("{b:0<3}")[..3].parse::<i64>().ok()?,
            ),
            Some(_) => return None,
            None => (sec_text.parse::<i64>().ok()?, 0),
        };
        if !(0..=24).contains(&h) || !(0..=59).contains(&min) || !(0..=60).contains(&sec) {
            return None;
        }
        ms += ((h * 3600 + min * 60 + sec) * 1000 + frac) as i128 - offset_ms as i128;
    }
    Some(ms)
}

fn split_offset(t: &str) -> Option<(&str, i64)> {
    if let Some(c) = t.strip_suffix(['Z', 'z']) {
        return Some((c, 0));
    }
    if let Some(i) = t.rfind(['+', '-']) {
        let (clock, off) = t.split_at(i);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let off = &off[1..];
        let (h, m) = off
            .split_once(':')
            .unwrap_or((off.get(..2)?, off.get(2..).unwrap_or("0")));
        // an offset of two-digit hours and minutes at most (`+05:30`)
        let h = h.parse::<u8>().ok()?;
        let m = if m.is_empty() {
            0
        } else {
            m.parse::<u8>().ok()?
        };
        if h > 99 || m > 59 {
            return None;
        }
        let ms = (i64::from(h) * 3600 + i64::from(m) * 60) * 1000;
        return Some((clock, sign * ms));
    }
    Some((t, 0))
}

/// Days from 1970-01-01 (Howard Hinnant's civil-from-days, inverted).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_ips() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2024-01-01"), Some(1_704_067_200_000));
        assert_eq!(parse_date("2024-01-01T00:00:00Z"), Some(1_704_067_200_000));
        assert_eq!(parse_date("1704067200"), Some(1_704_067_200_000));
        assert_eq!(
            parse_date("2024-01-01T01:00:00+01:00"),
            Some(1_704_067_200_000)
        );
        assert_eq!(parse_date("not a date"), None);
        // out of range or not digits: unreadable, never an overflow or a cut inside a character
        for bad in [
            "9223372036854775807-01-01",
            "-9223372036854775808-03-01",
            "2024-01-01T-9223372036854775808:00",
            "2024-01-01T00:-9223372036854775808",
            "2024-01-01T00:00:00+9223372036854775807",
            "2024-01-01T00:00:00.\u{e9}\u{e9}",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert!(ip_in("192.168.0.0/16", "192.168.10.10"));
        assert!(!ip_in("192.168.0.0/16", "192.169.0.1"));
        assert!(ip_in("10.10.72.13", "10.10.72.13"));
        assert!(ip_in("2001:db8::/32", "2001:0db8:85a3::8a2e:0370:7334"));
        assert!(!ip_in("192.168.10.10/32", "2001:db8::1"));
    }
}
