//! The rule registry. A rule is declared once, in the family module that checks it (`declare!`
//! at the top of `src/rules/<family>.rs`): its code, name, default severity, Access Analyzer
//! codes, the documents it reads and the fixes it offers. Its documentation and fixtures live in
//! `rules/CODE-name/` at the top of the repository; the README is compiled in and is the single
//! source for `finops-lint rule CODE`, the rule list and the README's rule table. The registry
//! (`ALL`) is derived from the families' declarations.
//!
//! Adding a rule to a family: one line in its `declare!` block, the check that reports it in the
//! same module, and its folder (`README.md`, `pass/`, `fail/`). A new family is a module here
//! with its `declare!` block, listed in `FAMILIES`.

/// Declare a family's rules: `CODE "name" Severity aa[Access Analyzer codes] on[document kinds]
/// fix[applicabilities];`. Makes a static `Rule` for each (in the module `codes`, re-exported
/// here) and the family's `FAMILY`.
macro_rules! declare {
    (family $family:literal, $about:literal;
     $($code:ident $name:literal $sev:ident aa[$($aa:literal),*] on[$($on:ident),*] fix[$($fix:ident),*];)*) => {
        /// The rules of this family.
        pub mod codes {
            #[allow(unused_imports)]
            use $crate::diagnostic::{Applicability, Applies, Rule, Severity};
            $(
                pub static $code: Rule = Rule {
                    code: stringify!($code),
                    name: $name,
                    severity: Severity::$sev,
                    access_analyzer: &[$($aa),*],
                    applies_to: &[$(Applies::$on),*],
                    fixes: &[$(Applicability::$fix),*],
                    docs: include_str!(concat!(
                        env!("CARGO_MANIFEST_DIR"), "/rules/", stringify!($code), "-", $name, "/README.md"
                    )),
                };
            )*
        }
        /// This family: what it checks and the rules it declares.
        pub static FAMILY: $crate::rules::Family = $crate::rules::Family {
            name: $family,
            about: $about,
            rules: &[$(&codes::$code),*],
        };
    };
}

pub mod analyzer;
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
pub mod run;
pub mod secrets;
pub mod simulation;
pub mod suppress;
pub mod syntax;
pub mod trust;
pub mod values;

pub use analyzer::codes::*;
pub use audit::codes::*;
pub use catalog::codes::*;
pub use connection::codes::*;
pub use consistency::codes::*;
pub use delivery::codes::*;
pub use exports::codes::*;
pub use grammar::codes::*;
pub use iac::codes::*;
pub use paths::codes::*;
pub use requirements::codes::*;
pub use run::codes::*;
pub use secrets::codes::*;
pub use simulation::codes::*;
pub use suppress::codes::*;
pub use syntax::codes::*;
pub use trust::codes::*;
pub use values::codes::*;

use crate::context::Options;
use crate::diagnostic::Finding;
pub use crate::diagnostic::{Applies, Rule, Selection};
use crate::model::{policy::Statement, PolicyDoc};
use crate::source::Source;
use std::sync::LazyLock;

/// A family of rules: one module, whose checks share the reading of a document.
#[derive(Debug)]
pub struct Family {
    pub name: &'static str,
    /// What its rules check.
    pub about: &'static str,
    /// The rules it declares.
    pub rules: &'static [&'static Rule],
}

impl Family {
    /// Whether the run reports one of its rules: else its checks are not run.
    pub fn runs(&self, opts: &Options) -> bool {
        opts.rules.any_on(self.rules)
    }
}

/// Every family.
pub static FAMILIES: &[&Family] = &[
    &syntax::FAMILY,
    &grammar::FAMILY,
    &values::FAMILY,
    &delivery::FAMILY,
    &catalog::FAMILY,
    &trust::FAMILY,
    &analyzer::FAMILY,
    &exports::FAMILY,
    &connection::FAMILY,
    &secrets::FAMILY,
    &simulation::FAMILY,
    &consistency::FAMILY,
    &requirements::FAMILY,
    &paths::FAMILY,
    &audit::FAMILY,
    &iac::FAMILY,
    &run::FAMILY,
    &suppress::FAMILY,
];

/// The family that declares a rule.
pub fn family_of(rule: &Rule) -> Option<&'static Family> {
    FAMILIES
        .iter()
        .copied()
        .find(|f| f.rules.iter().any(|r| std::ptr::eq(*r, rule)))
}

/// The order of the code groups in lists (`finops-lint rules`, the README, SARIF): by what a
/// user meets first. A new group goes here.
pub const GROUPS: &[&str] = &[
    "JSON", "POL", "VAL", "BP", "IAM", "TRU", "SCH", "EXP", "CUR", "PLT", "BKT", "PFX", "OS",
    "SEC", "SIM", "CON", "REQ", "PATH", "AUD", "IAC", "CFG", "SUP", "IO",
];

/// Where a code's group stands in `GROUPS` (after them all when it is not listed).
pub fn group_rank(code: &str) -> usize {
    let group = code.trim_end_matches(|c: char| c.is_ascii_digit());
    GROUPS
        .iter()
        .position(|g| *g == group)
        .unwrap_or(GROUPS.len())
}

/// Every rule, derived from the families' declarations: by group (`GROUPS`), then by code.
pub static ALL: LazyLock<Vec<&'static Rule>> = LazyLock::new(|| {
    let mut all: Vec<&'static Rule> = FAMILIES
        .iter()
        .flat_map(|f| f.rules.iter().copied())
        .collect();
    all.sort_by_key(|r| (group_rank(r.code), r.code));
    all
});

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
    /// Report a finding (the engine drops those of rules that are off: `engine::settle`).
    pub fn report(&mut self, f: Finding) {
        self.findings.push(f);
    }
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
