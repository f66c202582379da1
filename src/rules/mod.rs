//! The rule registry. Each rule's documentation lives in `rules/CODE-name/README.md` at the top
//! of the repository and is compiled in: it is the single source for `finops-lint rule CODE`,
//! the rule list and the README's rule table.

use crate::diagnostic::Severity;

pub mod audit;
pub mod catalog;
pub mod connection;
pub mod consistency;
pub mod delivery;
pub mod exports;
pub mod grammar;
pub mod iac;
pub mod paths;
pub mod requirements;
pub mod secrets;
pub mod simulation;
pub mod suppress;
pub mod syntax;
pub mod values;

use crate::context::Options;
use crate::diagnostic::Finding;
pub use crate::diagnostic::Rule;
use crate::model::{policy::Statement, PolicyDoc};
use crate::source::Source;

/// Everything a policy rule may look at.
pub struct Ctx<'a> {
    pub source: &'a Source,
    pub source_id: usize,
    pub doc: &'a PolicyDoc,
    pub opts: &'a Options,
    pub statements: Vec<Statement<'a>>,
    pub findings: Vec<Finding>,
}

impl Ctx<'_> {
    pub fn report(&mut self, f: Finding) {
        self.findings.push(f);
    }
}

macro_rules! rules {
    ($($ident:ident = $code:literal $name:literal $sev:ident [$($aa:literal),*];)*) => {
        $(
            pub static $ident: Rule = Rule {
                code: $code,
                name: $name,
                severity: Severity::$sev,
                access_analyzer: &[$($aa),*],
                docs: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $code, "-", $name, "/README.md")),
            };
        )*
        /// Every rule, in code order.
        pub static ALL: &[&Rule] = &[$(&$ident),*];
    };
}

rules! {
    JSON001 = "JSON001" "json-syntax-error" Error ["JSON_SYNTAX_ERROR"];
    JSON002 = "JSON002" "trailing-comma" Error ["JSON_SYNTAX_ERROR"];
    JSON003 = "JSON003" "json-comment" Error ["JSON_SYNTAX_ERROR"];
    JSON004 = "JSON004" "duplicate-key" Warning [];
    JSON005 = "JSON005" "invalid-utf8" Error [];
    JSON006 = "JSON006" "byte-order-mark" Warning [];
    JSON007 = "JSON007" "empty-file" Warning [];
    POL001 = "POL001" "missing-version" Warning ["MISSING_VERSION"];
    POL002 = "POL002" "invalid-version" Error ["INVALID_VERSION"];
    POL003 = "POL003" "legacy-version" Warning [];
    POL004 = "POL004" "invalid-statement" Error ["MISSING_STATEMENT"];
    POL005 = "POL005" "invalid-effect" Error ["MISSING_EFFECT", "INVALID_EFFECT"];
    POL006 = "POL006" "action-element" Error ["MISSING_ACTION", "UNSUPPORTED_ELEMENT_COMBINATION"];
    POL007 = "POL007" "resource-element" Error ["MISSING_RESOURCE", "UNSUPPORTED_ELEMENT_COMBINATION"];
    POL008 = "POL008" "invalid-action-syntax" Error ["INVALID_ACTION"];
    POL009 = "POL009" "principal-in-identity-policy" Error ["UNSUPPORTED_PRINCIPAL"];
    POL010 = "POL010" "missing-principal" Error ["MISSING_PRINCIPAL"];
    POL011 = "POL011" "invalid-principal" Error ["INVALID_PRINCIPAL_KEY", "INVALID_PRINCIPAL_FORMAT", "INVALID_SERVICE_PRINCIPAL_FORMAT"];
    POL012 = "POL012" "invalid-condition-operator" Error ["INVALID_CONDITION_OPERATOR", "NULL_WITH_IF_EXISTS"];
    POL013 = "POL013" "invalid-condition-block" Error ["DATA_TYPE_MISMATCH", "INVALID_CONDITION_KEY_FORMAT"];
    POL014 = "POL014" "invalid-sid" Error ["UNSUPPORTED_SID"];
    POL015 = "POL015" "duplicate-sid" Warning ["UNIQUE_SIDS_REQUIRED"];
    POL016 = "POL016" "policy-size" Warning ["POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA"];
    POL017 = "POL017" "empty-array" Warning ["EMPTY_ARRAY_ACTION", "EMPTY_ARRAY_RESOURCE", "EMPTY_ARRAY_PRINCIPAL", "EMPTY_ARRAY_CONDITION"];
    POL018 = "POL018" "invalid-element" Error ["INVALID_POLICY_ELEMENT"];
    POL019 = "POL019" "data-type-mismatch" Error ["DATA_TYPE_MISMATCH"];
    POL020 = "POL020" "mixed-principal" Error [];
    VAL001 = "VAL001" "unreplaced-placeholder" Error [];
    VAL002 = "VAL002" "invalid-account-id" Error ["INVALID_ARN_ACCOUNT"];
    VAL003 = "VAL003" "s3-arn-region-or-account" Error ["ARN_REGION_NOT_ALLOWED", "ARN_ACCOUNT_NOT_ALLOWED"];
    VAL004 = "VAL004" "malformed-arn" Error ["MISSING_ARN_FIELD", "INVALID_ARN_PREFIX", "INVALID_PARTITION"];
    VAL005 = "VAL005" "s3-url-not-arn" Error [];
    VAL006 = "VAL006" "wildcard-without-like-operator" Warning ["WILDCARD_WITHOUT_LIKE_OPERATOR"];
    BP001 = "BP001" "missing-delivery-principal" Error [];
    BP002 = "BP002" "delivery-cannot-put-object" Error [];
    BP003 = "BP003" "delivery-cannot-get-bucket-policy" Error [];
    BP004 = "BP004" "delivery-wrong-bucket" Error [];
    BP005 = "BP005" "source-account-mismatch" Error [];
    BP006 = "BP006" "source-arn-mismatch" Error [];
    BP007 = "BP007" "delivery-wildcard-without-like" Error [];
    BP008 = "BP008" "deny-blocks-delivery" Error [];
    BP009 = "BP009" "deny-blocks-reader" Warning [];
    IAM001 = "IAM001" "unknown-service" Error ["INVALID_SERVICE", "INVALID_SERVICE_IN_ACTION"];
    IAM002 = "IAM002" "unknown-action" Error ["INVALID_ACTION"];
    IAM003 = "IAM003" "wildcard-matches-nothing" Error ["INVALID_ACTION"];
    IAM004 = "IAM004" "resource-type-mismatch" Error [];
    IAM005 = "IAM005" "unknown-condition-key" Warning ["INVALID_GLOBAL_CONDITION_KEY", "INVALID_SERVICE_CONDITION_KEY"];
    IAM006 = "IAM006" "redundant-action" Info ["REDUNDANT_ACTION"];
    IAM007 = "IAM007" "redundant-resource" Info ["REDUNDANT_RESOURCE"];
    IAM008 = "IAM008" "pass-role-with-star" Warning ["PASS_ROLE_WITH_STAR_IN_RESOURCE", "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE"];
    SCH001 = "SCH001" "export-schema" Error [];
    SCH002 = "SCH002" "report-definition-schema" Error [];
    SCH003 = "SCH003" "connection-schema" Error [];
    EXP001 = "EXP001" "export-name" Error [];
    EXP002 = "EXP002" "export-table" Error [];
    EXP003 = "EXP003" "export-without-resource-ids" Error [];
    EXP004 = "EXP004" "time-granularity" Error [];
    EXP005 = "EXP005" "export-overwrite" Error [];
    EXP006 = "EXP006" "export-format-compression" Error [];
    EXP007 = "EXP007" "export-output-type" Warning [];
    EXP008 = "EXP008" "refresh-cadence" Error [];
    EXP009 = "EXP009" "export-destination" Error [];
    EXP010 = "EXP010" "export-columns" Error [];
    EXP011 = "EXP011" "table-properties" Warning [];
    EXP012 = "EXP012" "export-unhealthy" Error [];
    EXP013 = "EXP013" "export-account" Warning [];
    EXP014 = "EXP014" "export-not-delivered" Info [];
    CUR001 = "CUR001" "report-name" Error [];
    CUR002 = "CUR002" "report-without-resource-ids" Error [];
    CUR003 = "CUR003" "refresh-closed-reports" Error [];
    CUR004 = "CUR004" "report-versioning" Error [];
    CUR005 = "CUR005" "report-time-unit" Error [];
    CUR006 = "CUR006" "report-format-compression" Error [];
    CUR007 = "CUR007" "additional-artifacts" Error [];
    CUR008 = "CUR008" "report-prefix-characters" Error [];
    CUR009 = "CUR009" "report-region" Error [];
    CUR010 = "CUR010" "report-destination" Error [];
    CUR011 = "CUR011" "report-created-outside-us-east-1" Error [];
    BKT001 = "BKT001" "bucket-name" Error [];
    PFX001 = "PFX001" "prefix-format" Error [];
    OS001 = "OS001" "connection-credentials" Error [];
    OS002 = "OS002" "connection-cur-version" Warning [];
    OS003 = "OS003" "connection-bucket" Error [];
    OS004 = "OS004" "connection-prefix" Error [];
    OS005 = "OS005" "connection-report-name" Error [];
    OS007 = "OS007" "linked-with-bucket-settings" Warning [];
    OS008 = "OS008" "duplicate-data-source" Error [];
    OS009 = "OS009" "connection-assume-role" Error [];
    SEC001 = "SEC001" "committed-secret" Error [];
    SIM001 = "SIM001" "simulated-call-denied" Error [];
    SIM002 = "SIM002" "blocked-by-scp" Error [];
    SIM003 = "SIM003" "blocked-by-permissions-boundary" Error [];
    SIM004 = "SIM004" "missing-context-values" Warning [];
    SIM005 = "SIM005" "truncated-simulation" Warning [];
    SIM006 = "SIM006" "resource-not-simulated" Warning [];
    SIM007 = "SIM007" "call-not-simulated" Warning [];
    CON001 = "CON001" "inconsistent-bucket" Error [];
    CON002 = "CON002" "inconsistent-prefix" Error [];
    CON003 = "CON003" "inconsistent-export-name" Error [];
    CON004 = "CON004" "inconsistent-export-type" Error [];
    REQ001 = "REQ001" "missing-permission" Error [];
    REQ002 = "REQ002" "permission-denied" Error [];
    REQ003 = "REQ003" "delivery-refused" Error [];
    PATH001 = "PATH001" "no-delivered-files" Error [];
    PATH002 = "PATH002" "files-under-another-prefix" Error [];
    PATH003 = "PATH003" "csv-and-parquet" Warning [];
    PATH004 = "PATH004" "folder-over-1000-files" Warning [];
    PATH005 = "PATH005" "no-resource-id-column" Error [];
    PATH006 = "PATH006" "files-outside-billing-periods" Warning [];
    AUD001 = "AUD001" "audit-access-denied" Error [];
    AUD002 = "AUD002" "audit-account-mismatch" Error [];
    AUD003 = "AUD003" "missing-bucket-policy" Error [];
    AUD004 = "AUD004" "audit-step-failed" Error [];
    IAC001 = "IAC001" "bucket-without-delivery-policy" Error [];
    IAC002 = "IAC002" "export-before-bucket-policy" Warning [];
    CFG001 = "CFG001" "invalid-config" Error [];
    SUP001 = "SUP001" "unused-suppression" Warning [];
    SUP002 = "SUP002" "invalid-suppression" Error [];
    IO001 = "IO001" "unreadable-input" Error [];
}

/// Whether `entry` names at least one rule (`ALL` names them all).
pub fn names_some(entry: &str) -> bool {
    entry.eq_ignore_ascii_case("ALL") || ALL.iter().any(|r| r.named_by(entry))
}

/// The help for an entry that names no rule: the closest code or name.
pub fn unknown_rule_help(entry: &str) -> String {
    let names = ALL.iter().flat_map(|r| [r.code, r.name]);
    match crate::fuzzy::suggest(entry, names) {
        Some(s) => format!("did you mean `{s}`?"),
        None => "`finops-lint rules` lists the rules; a code prefix such as `EXP` names a group"
            .to_string(),
    }
}

/// Find a rule by code or name (case-insensitive).
pub fn find(key: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(key) || r.name.eq_ignore_ascii_case(key))
}
