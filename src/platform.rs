//! FinOps platform profiles (`rules/platforms/NAME.json`): what each cost platform asks of an
//! AWS account (its access model and principals, the export settings it imports, the calls it
//! makes per onboarding scenario), each fact with its source. The export rules read their
//! expectations here, so a rule is not written once per platform.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The kind of export, as the profiles name it (`Export` of `context` converts to it; this
/// module sits below `context`, which holds the run's profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    /// A Data Exports CUR 2.0 export (`cur2`).
    Cur2,
    /// A legacy CUR report (`legacy`).
    Legacy,
}

impl Export {
    pub fn as_str(self) -> &'static str {
        match self {
            Export::Cur2 => "cur2",
            Export::Legacy => "legacy",
        }
    }
}

/// The profile files, compiled in (their order is the order `finops-lint platforms` lists).
const FILES: &[(&str, &str)] = &[
    ("optscale", include_str!("../rules/platforms/optscale.json")),
    ("vantage", include_str!("../rules/platforms/vantage.json")),
    (
        "cloudzero",
        include_str!("../rules/platforms/cloudzero.json"),
    ),
    ("datadog", include_str!("../rules/platforms/datadog.json")),
    ("cid", include_str!("../rules/platforms/cid.json")),
    ("harness", include_str!("../rules/platforms/harness.json")),
    ("kubecost", include_str!("../rules/platforms/kubecost.json")),
    ("nops", include_str!("../rules/platforms/nops.json")),
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub title: String,
    /// When the sources were read (YYYY-MM-DD).
    pub read: String,
    pub access: Access,
    pub export: ExportNeeds,
    pub bucket: BucketNeeds,
    #[serde(default)]
    pub scenarios: BTreeMap<String, ScenarioSpec>,
    #[serde(default)]
    pub facts: Vec<Fact>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Access {
    /// `user-keys` and/or `role`.
    pub models: Vec<String>,
    /// The platform's AWS principals a trust policy names (account root or role ARNs).
    #[serde(default)]
    pub principals: Vec<String>,
    /// `required`, `optional` or `none`.
    pub external_id: String,
    #[serde(default)]
    pub external_id_pattern: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportNeeds {
    /// `cur2` and/or `legacy`.
    pub types: Vec<String>,
    pub resource_ids: String,
    pub versioning: Vec<String>,
    pub granularity: Vec<String>,
    /// `csv-gzip`, `csv-zip`, `parquet`.
    pub formats: Vec<String>,
    pub split_cost: String,
    /// The split-cost need of legacy reports, when it differs from CUR 2.0's (CloudZero wants
    /// it off in CUR, on in CUR 2.0; OptScale compares the legacy list with `[RESOURCES]`).
    #[serde(default)]
    pub split_cost_legacy: Option<String>,
    /// A legacy report's `AdditionalSchemaElements` must be exactly what the platform needs
    /// (OptScale compares the list for equality).
    #[serde(default)]
    pub legacy_elements_exact: bool,
    pub refresh_closed: String,
    pub artifacts: String,
    pub columns: Option<Vec<String>>,
    /// The settings above that could not be verified in their source: checks resting on them
    /// are warnings, never errors (`versioning`, `granularity`, ...).
    #[serde(default)]
    pub unverified: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketNeeds {
    pub regions: Option<Vec<String>>,
    #[serde(default)]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// A requirement profile of `rules/profiles/` (OptScale's scenarios).
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub requirements: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    pub fact: String,
    pub source: String,
    pub verified: bool,
    #[serde(default)]
    pub note: String,
}

/// Every profile, parsed once. A file that does not parse is left out here and reported by
/// `load_errors` (a test keeps the list empty).
pub fn all() -> &'static [Profile] {
    static ALL: OnceLock<Vec<Profile>> = OnceLock::new();
    ALL.get_or_init(|| {
        FILES
            .iter()
            .filter_map(|(_, t)| serde_json::from_str(t).ok())
            .collect()
    })
}

/// The profile files that do not parse, with the reason (for the tests).
pub fn load_errors() -> Vec<String> {
    FILES
        .iter()
        .filter_map(|(n, t)| {
            serde_json::from_str::<Profile>(t)
                .err()
                .map(|e| format!("rules/platforms/{n}.json: {e}"))
        })
        .collect()
}

/// The profile named `name` or one of its aliases (case-insensitive).
pub fn find(name: &str) -> Option<&'static Profile> {
    let n = name.trim().to_ascii_lowercase();
    all().iter().find(|p| p.name == n || p.aliases.contains(&n))
}

/// The names `--platform` takes, for messages: `a, b, c`.
pub fn names() -> String {
    all()
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// OptScale's profile: the platform of the scenarios (their names are its guides').
pub fn optscale() -> Option<&'static Profile> {
    find("optscale")
}

/// The platforms a file names, read from its text without parsing it: a trust policy whose
/// principal is a platform's account (`arn:aws:iam::ACCOUNT:...` or the quoted ID, beside an
/// `sts:AssumeRole`), and OptScale's connection settings. The run's platform is inferred from
/// them when none is given.
pub fn named_in(text: &[u8]) -> Vec<&'static Profile> {
    let mut out: Vec<&'static Profile> = Vec::new();
    // one pass for the words that tell a connection or a trust policy (the bytes as they are:
    // no copy of a file that is not UTF-8)
    let (mut assume, mut scheme, mut key, mut bucket, mut trust) =
        (false, false, false, false, false);
    for m in markers().find_iter(text) {
        match m.as_bytes() {
            b"\"assume_role_account_id\"" => assume = true,
            b"\"config_scheme\"" => scheme = true,
            b"\"access_key_id\"" => key = true,
            b"\"bucket_name\"" => bucket = true,
            _ => trust = true,
        }
    }
    if assume || scheme || (key && bucket) {
        out.extend(optscale());
    }
    if !trust {
        return out;
    }
    // one pass over the text for every platform's account, as an ARN's (`iam::ACCOUNT:`) or
    // a quoted ID
    let (re, owners) = principal_accounts();
    for c in re.captures_iter(text) {
        let Some(acct) = c
            .get(1)
            .and_then(|m| std::str::from_utf8(m.as_bytes()).ok())
        else {
            continue;
        };
        for (a, p) in owners {
            if *a == acct && !out.iter().any(|o| o.name == p.name) {
                out.push(p);
            }
        }
    }
    out
}

/// The words [`named_in`] looks for, as one pattern.
fn markers() -> &'static regex::bytes::Regex {
    static COMPILED: OnceLock<regex::bytes::Regex> = OnceLock::new();
    COMPILED.get_or_init(|| {
        regex::bytes::Regex::new(
            r#""assume_role_account_id"|"config_scheme"|"access_key_id"|"bucket_name"|sts:AssumeRole|AssumeRolePolicyDocument|assume_role_policy"#,
        )
        .unwrap_or_else(|_| unreachable!("the markers make a valid pattern"))
    })
}

/// The platforms' principal accounts as one pattern, and which platform owns each.
type Owners = Vec<(String, &'static Profile)>;
fn principal_accounts() -> &'static (regex::bytes::Regex, Owners) {
    static COMPILED: OnceLock<(regex::bytes::Regex, Owners)> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let mut owners: Vec<(String, &'static Profile)> = Vec::new();
        for p in all() {
            for arn in &p.access.principals {
                if let Some(acct) = principal_account(arn) {
                    owners.push((acct.to_string(), p));
                }
            }
        }
        let mut accounts: Vec<&str> = owners.iter().map(|(a, _)| a.as_str()).collect();
        accounts.sort_unstable();
        accounts.dedup();
        // the accounts are 12 digits each: literals, no escaping needed; none matches nothing
        let alternation = if accounts.is_empty() {
            "a^".to_string()
        } else {
            accounts.join("|")
        };
        let re = regex::bytes::Regex::new(&format!(r#"(?:iam::|["'])({alternation})(?::|["'])"#))
            .unwrap_or_else(|_| unreachable!("account IDs make a valid pattern"));
        (re, owners)
    })
}

/// An export setting the platforms may disagree on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// `ReportVersioning` / `Overwrite`.
    Versioning,
    /// `TimeUnit` / `TIME_GRANULARITY`.
    Granularity,
    /// The format and compression pair (`csv-gzip`, `csv-zip`, `parquet`).
    Format,
    /// Split cost allocation data: `TRUE`/`FALSE` (CUR 2.0) or the element (legacy).
    SplitCost,
    /// `RefreshClosedReports`: `true` / `false`.
    RefreshClosed,
    /// Additional artifacts (legacy): `none` or `some`.
    Artifacts,
}

impl Setting {
    /// The profile key (also the word of `export.unverified`).
    pub fn key(self) -> &'static str {
        match self {
            Setting::Versioning => "versioning",
            Setting::Granularity => "granularity",
            Setting::Format => "formats",
            Setting::SplitCost => "split_cost",
            Setting::RefreshClosed => "refresh_closed",
            Setting::Artifacts => "artifacts",
        }
    }
}

impl Profile {
    /// Whether the platform imports exports of this type.
    pub fn imports(&self, export: Export) -> bool {
        self.export.types.iter().any(|t| t == export.as_str())
    }

    /// Whether the platform accepts `value` for the setting. `value` is written as the
    /// profile writes it: `OVERWRITE_REPORT`, `DAILY`, `csv-gzip`, `true`/`false` (split cost
    /// included, closed months refreshed), `none`/`some` (artifacts).
    pub fn accepts(&self, setting: Setting, export: Export, value: &str) -> bool {
        let e = &self.export;
        match setting {
            Setting::Versioning => e.versioning.iter().any(|v| v == value),
            Setting::Granularity => e.granularity.iter().any(|v| v == value),
            Setting::Format => e.formats.iter().any(|v| v == value),
            Setting::SplitCost => match self.split_cost(export) {
                "required" => value == "true",
                "forbidden" => value == "false",
                _ => true,
            },
            Setting::RefreshClosed => e.refresh_closed != "required" || value == "true",
            Setting::Artifacts => e.artifacts != "none" || value == "none",
        }
    }

    /// The values it wants for the setting, as the document writes them (`export` chooses
    /// between the two spellings of the formats and the split-cost setting).
    pub fn wants(&self, setting: Setting, export: Export) -> Vec<String> {
        let e = &self.export;
        match setting {
            Setting::Versioning => e.versioning.clone(),
            Setting::Granularity => e.granularity.clone(),
            Setting::Format => e.formats.iter().map(|f| format_text(f, export)).collect(),
            Setting::SplitCost => match self.split_cost(export) {
                "required" => vec![split_text(true, export)],
                "forbidden" => vec![split_text(false, export)],
                _ => Vec::new(),
            },
            Setting::RefreshClosed => vec!["true".to_string()],
            Setting::Artifacts => vec!["no additional artifacts".to_string()],
        }
    }

    /// `required`, `forbidden` or `any`: split cost allocation data in exports of this type.
    pub fn split_cost(&self, export: Export) -> &str {
        match (export, &self.export.split_cost_legacy) {
            (Export::Legacy, Some(l)) => l,
            _ => &self.export.split_cost,
        }
    }

    /// Whether the profile's value for the setting was verified in its source.
    pub fn verified(&self, setting: Setting) -> bool {
        !self.export.unverified.iter().any(|u| u == setting.key())
    }

    /// The source of the profile's export settings, for notes: the first fact about the
    /// export, else the first fact.
    pub fn export_source(&self) -> &str {
        self.facts
            .iter()
            .find(|f| f.fact.starts_with("export"))
            .or(self.facts.first())
            .map(|f| f.source.as_str())
            .unwrap_or("")
    }

    /// Whether the platform connects through an assumed role.
    pub fn uses_role(&self) -> bool {
        self.access.models.iter().any(|m| m == "role")
    }

    /// Whether the profile has requirements for `scenario` (OptScale's are the requirement
    /// profiles, every scenario's).
    pub fn has_scenario(&self, scenario: &str) -> bool {
        self.name == "optscale" || self.scenarios.contains_key(scenario)
    }

    /// The form of the platform's external IDs (`access.external_id_pattern`), compiled once
    /// per run (a profile's pattern is checked valid by the profiles' test).
    pub fn external_id_regex(&self) -> Option<&'static regex::Regex> {
        static COMPILED: OnceLock<Vec<(String, Option<regex::Regex>)>> = OnceLock::new();
        COMPILED
            .get_or_init(|| {
                all()
                    .iter()
                    .map(|p| {
                        let re = p
                            .access
                            .external_id_pattern
                            .as_deref()
                            .and_then(|r| regex::Regex::new(r).ok());
                        (p.name.clone(), re)
                    })
                    .collect()
            })
            .iter()
            .find(|(n, _)| *n == self.name)
            .and_then(|(_, re)| re.as_ref())
    }

    /// Whether `arn` (a trust policy's principal) is one of the platform's: the same ARN; any
    /// principal of an account the profile trusts whole (`arn:aws:iam::ACCOUNT:root`); or the
    /// whole account (its root, the bare ID) of a user or role the profile names, which trusts
    /// that user or role with the rest of its account.
    pub fn owns_principal(&self, arn: &str) -> bool {
        let acct = principal_account(arn);
        let whole = arn.ends_with(":root") || !arn.starts_with("arn:");
        // an ARN of another partition (`aws-cn`, `aws-us-gov`) is another account
        fn partition(a: &str) -> Option<&str> {
            a.strip_prefix("arn:").and_then(|r| r.split(':').next())
        }
        self.access.principals.iter().any(|p| {
            p == arn
                || (acct.is_some()
                    && principal_account(p) == acct
                    && (partition(arn).is_none() || partition(arn) == partition(p))
                    && (p.ends_with(":root") || whole))
        })
    }
}

/// The 12-digit account of a principal (`123456789012`, `arn:aws:iam::123456789012:...`).
pub fn principal_account(p: &str) -> Option<&str> {
    let acct = if p.starts_with("arn:") {
        p.split(':').nth(4)?
    } else {
        p
    };
    (acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit())).then_some(acct)
}

/// A profile format as the document of `export` writes it.
pub fn format_text(f: &str, export: Export) -> String {
    match (f, export) {
        ("csv-gzip", Export::Legacy) => "`textORcsv` with `GZIP`",
        ("csv-zip", Export::Legacy) => "`textORcsv` with `ZIP`",
        ("parquet", Export::Legacy) => "`Parquet` with `Parquet`",
        ("csv-gzip", Export::Cur2) => "`TEXT_OR_CSV` with `GZIP`",
        ("csv-zip", Export::Cur2) => "`TEXT_OR_CSV` with `ZIP`",
        ("parquet", Export::Cur2) => "`PARQUET` with `PARQUET`",
        (other, _) => other,
    }
    .to_string()
}

/// The profile format of a format and compression pair (either spelling), when it is one.
pub fn format_of(format: &str, compression: &str) -> Option<&'static str> {
    match (
        format.to_ascii_lowercase().as_str(),
        compression.to_ascii_lowercase().as_str(),
    ) {
        ("textorcsv" | "text_or_csv", "gzip") => Some("csv-gzip"),
        ("textorcsv" | "text_or_csv", "zip") => Some("csv-zip"),
        ("parquet", "parquet") => Some("parquet"),
        _ => None,
    }
}

fn split_text(on: bool, export: Export) -> String {
    match (export, on) {
        (Export::Cur2, true) => "`\"INCLUDE_SPLIT_COST_ALLOCATION_DATA\": \"TRUE\"`",
        (Export::Cur2, false) => "`\"INCLUDE_SPLIT_COST_ALLOCATION_DATA\": \"FALSE\"`",
        (Export::Legacy, true) => "`SPLIT_COST_ALLOCATION_DATA` in `AdditionalSchemaElements`",
        (Export::Legacy, false) => "no `SPLIT_COST_ALLOCATION_DATA`",
    }
    .to_string()
}

/// How the run's platform judges a value of a setting.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Every platform concerned accepts it (or the run's platform does).
    Accepted,
    /// The run's platform does not accept it: it wants one of these values. `verified` is
    /// false when the profile could not verify the setting (a warning then).
    Rejected {
        platform: &'static Profile,
        want: Vec<String>,
        verified: bool,
    },
    /// No platform accepts it (the checks of today, for every platform).
    RejectedByAll,
    /// Without a platform, the platforms disagree: these accept it, these want other values.
    Disputed {
        accept: Vec<&'static Profile>,
        reject: Vec<(&'static Profile, Vec<String>)>,
        /// A value every one of these platforms accepts, as the document writes it.
        common: Option<String>,
    },
}

/// Judge `value` for `setting` of an export of type `export`: against the run's platform when
/// it has one, else against every profile that imports that type and verified the setting.
pub fn judge(
    platform: Option<&'static Profile>,
    export: Export,
    setting: Setting,
    value: &str,
) -> Verdict {
    if let Some(p) = platform {
        return if p.accepts(setting, export, value) {
            Verdict::Accepted
        } else {
            Verdict::Rejected {
                platform: p,
                want: p.wants(setting, export),
                verified: p.verified(setting),
            }
        };
    }
    // a profile that could not verify the setting does not dispute it
    let concerned: Vec<&'static Profile> = all()
        .iter()
        .filter(|p| p.imports(export) && p.verified(setting))
        .collect();
    let (accept, reject): (Vec<_>, Vec<_>) = concerned
        .into_iter()
        .partition(|p| p.accepts(setting, export, value));
    if reject.is_empty() {
        Verdict::Accepted
    } else if accept.is_empty() {
        Verdict::RejectedByAll
    } else {
        let everyone: Vec<&'static Profile> = accept.iter().chain(reject.iter()).copied().collect();
        let candidates: Vec<&String> = everyone
            .iter()
            .flat_map(|p| match setting {
                Setting::Versioning => p.export.versioning.iter().collect::<Vec<_>>(),
                Setting::Granularity => p.export.granularity.iter().collect(),
                Setting::Format => p.export.formats.iter().collect(),
                _ => Vec::new(),
            })
            .collect();
        let common = candidates
            .into_iter()
            .find(|v| everyone.iter().all(|p| p.accepts(setting, export, v)))
            .map(|v| match setting {
                Setting::Format => format_text(v, export),
                _ => format!("`{v}`"),
            });
        Verdict::Disputed {
            accept,
            reject: reject
                .into_iter()
                .map(|p| (p, p.wants(setting, export)))
                .collect(),
            common,
        }
    }
}

/// Titles as a list for messages: `A, B and C`.
pub fn titles(ps: &[&Profile]) -> String {
    let t: Vec<&str> = ps.iter().map(|p| p.title.as_str()).collect();
    match t.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

impl Verdict {
    /// The sentence of a disputed value: who uses it, who needs what, and how to choose.
    pub fn disputed_note(&self) -> Option<String> {
        let Verdict::Disputed { accept, reject, .. } = self else {
            return None;
        };
        let mut groups: Vec<(String, Vec<&Profile>)> = Vec::new();
        for (p, want) in reject {
            let w = want
                .iter()
                .map(|v| {
                    if v.starts_with('`') {
                        v.clone()
                    } else {
                        format!("`{v}`")
                    }
                })
                .collect::<Vec<_>>()
                .join(" or ");
            match groups.iter_mut().find(|(g, _)| *g == w) {
                Some((_, ps)) => ps.push(p),
                None => groups.push((w, vec![p])),
            }
        }
        let needs = groups
            .iter()
            .map(|(w, ps)| {
                format!(
                    "{} need{} {w}",
                    titles(ps),
                    if ps.len() == 1 { "s" } else { "" }
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        Some(format!(
            "the platforms disagree: {} accept{} this value; {needs}",
            titles(accept),
            if accept.len() == 1 { "s" } else { "" }
        ))
    }
}

/// What each platform expects of the setting a rule checks, for `finops-lint rule CODE`:
/// `(platform name, expectation, verified)`; `None` for a rule no profile speaks to.
pub fn expectations(code: &str) -> Option<Vec<(&'static str, String, bool)>> {
    let setting = match code {
        "CUR004" | "EXP005" => Some(Setting::Versioning),
        "CUR005" | "EXP004" => Some(Setting::Granularity),
        "CUR006" | "EXP006" => Some(Setting::Format),
        "CUR003" => Some(Setting::RefreshClosed),
        "CUR007" => Some(Setting::Artifacts),
        "CUR002" | "EXP011" => Some(Setting::SplitCost),
        "EXP010" | "PLT001" | "PLT002" | "TRU001" | "TRU002" => None,
        _ => return None,
    };
    let ticks = |v: &[String]| {
        v.iter()
            .map(|x| format!("`{x}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Some(
        all()
            .iter()
            .map(|p| {
                let e = &p.export;
                let (text, verified) = match (code, setting) {
                    (_, Some(s)) => {
                        let text = match s {
                            Setting::Versioning => ticks(&e.versioning),
                            Setting::Granularity => ticks(&e.granularity),
                            Setting::Format => ticks(&e.formats),
                            Setting::RefreshClosed => format!("`{}`", e.refresh_closed),
                            Setting::Artifacts => format!("`{}`", e.artifacts),
                            Setting::SplitCost => match &e.split_cost_legacy {
                                Some(l) if l != &e.split_cost => {
                                    format!("CUR 2.0 `{}`, legacy `{l}`", e.split_cost)
                                }
                                _ => format!("`{}`", e.split_cost),
                            },
                        };
                        let exact = if s == Setting::SplitCost && e.legacy_elements_exact {
                            "; legacy `AdditionalSchemaElements` compared exactly"
                        } else {
                            ""
                        };
                        (format!("{text}{exact}"), p.verified(s))
                    }
                    ("EXP010", _) => (
                        match &e.columns {
                            Some(c) => format!(
                                "{} columns: {}",
                                c.len(),
                                c.iter()
                                    .take(8)
                                    .map(|x| format!("`{x}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                                    + if c.len() > 8 { ", ..." } else { "" }
                            ),
                            None => "no column list known".to_string(),
                        },
                        !e.unverified.iter().any(|u| u == "columns"),
                    ),
                    ("PLT001", _) => (ticks(&e.types), true),
                    ("PLT002", _) => (
                        p.bucket
                            .regions
                            .as_ref()
                            .map(|r| ticks(r))
                            .unwrap_or_else(|| "any region".to_string()),
                        true,
                    ),
                    ("TRU001", _) => (
                        if p.access.principals.is_empty() {
                            "no fixed principal".to_string()
                        } else {
                            ticks(&p.access.principals)
                        },
                        true,
                    ),
                    _ => (
                        format!(
                            "external ID `{}`{}",
                            p.access.external_id,
                            p.access
                                .external_id_pattern
                                .as_ref()
                                .map(|r| format!(", matching `{r}`"))
                                .unwrap_or_default()
                        ),
                        true,
                    ),
                };
                (p.name.as_str(), text, verified)
            })
            .collect(),
    )
}

/// The profiles as `finops-lint platforms` prints them.
pub fn listing_text() -> String {
    let mut out = String::new();
    for p in all() {
        let e = &p.export;
        let aliases = if p.aliases.is_empty() {
            String::new()
        } else {
            format!(" (also {})", p.aliases.join(", "))
        };
        out.push_str(&format!(
            "{}{aliases}: {}, read {}\n",
            p.name, p.title, p.read
        ));
        out.push_str(&format!(
            "  access: {}{}\n",
            if p.access.models.is_empty() {
                "none (the export is delivered to the platform's bucket)".to_string()
            } else {
                p.access.models.join(", ")
            },
            if p.access.principals.is_empty() {
                String::new()
            } else {
                format!(
                    "; principals {}; external ID {}",
                    p.access.principals.join(", "),
                    p.access.external_id
                )
            }
        ));
        out.push_str(&format!(
            "  export: {}; versioning {}; granularity {}; formats {}; split cost {}; refresh closed {}; artifacts {}{}\n",
            e.types.join(", "),
            e.versioning.join("/"),
            e.granularity.join("/"),
            e.formats.join("/"),
            e.split_cost,
            e.refresh_closed,
            e.artifacts,
            if e.unverified.is_empty() {
                String::new()
            } else {
                format!(" (unverified: {})", e.unverified.join(", "))
            }
        ));
        if let Some(r) = &p.bucket.regions {
            out.push_str(&format!("  bucket regions: {}\n", r.join(", ")));
        }
        out.push_str(&format!(
            "  scenarios: {}\n",
            p.scenarios.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    out.push_str("\nfinops-lint check --platform NAME checks against one; `platform` in the [onboarding] section of finops-lint.toml sets it for a repository.\n");
    out
}

/// The profiles as JSON (`finops-lint platforms --format json`): the files' contents.
pub fn listing_json() -> String {
    let v: Vec<serde_json::Value> = FILES
        .iter()
        .filter_map(|(_, t)| serde_json::from_str(t).ok())
        .collect();
    let mut t = serde_json::to_string_pretty(&v).unwrap_or_default();
    t.push('\n');
    t
}
