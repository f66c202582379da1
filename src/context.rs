//! What a run knows about the onboarding: the bucket, the account, the export and the scenario.
//! Each value is parsed once, where it enters (a flag, the configuration, a library call), into
//! the types here; the checks read only these.

/// The kind of cost export, and the service that delivers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum ExportType {
    /// CUR 2.0 Standard data export, delivered by `bcm-data-exports.amazonaws.com`.
    #[default]
    Cur2,
    /// Legacy CUR report, delivered by `billingreports.amazonaws.com`.
    Legacy,
}

impl ExportType {
    pub fn service_principal(self) -> &'static str {
        match self {
            ExportType::Cur2 => "bcm-data-exports.amazonaws.com",
            ExportType::Legacy => "billingreports.amazonaws.com",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ExportType::Cur2 => "cur2",
            ExportType::Legacy => "legacy",
        }
    }
}

impl From<ExportType> for crate::platform::Export {
    fn from(t: ExportType) -> Self {
        match t {
            ExportType::Cur2 => crate::platform::Export::Cur2,
            ExportType::Legacy => crate::platform::Export::Legacy,
        }
    }
}

impl std::str::FromStr for ExportType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "cur2" => Ok(ExportType::Cur2),
            "legacy" => Ok(ExportType::Legacy),
            other => Err(format!(
                "`{other}` is not an export type (expected cur2 or legacy)"
            )),
        }
    }
}

/// An onboarding scenario of the guides: which account is connected and how its export is set
/// up. Each has a requirement profile (`rules/profiles/NAME.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// The management (root) account, with an export that exists already.
    RootExistingExport,
    /// The management (root) account, the platform creating the export.
    RootCreateExport,
    /// A linked (member) account: no billing data of its own.
    Linked,
}

impl Scenario {
    pub const ALL: [Scenario; 3] = [
        Scenario::RootExistingExport,
        Scenario::RootCreateExport,
        Scenario::Linked,
    ];

    /// The name flags, the configuration and the profiles use.
    pub fn as_str(self) -> &'static str {
        match self {
            Scenario::RootExistingExport => "root-existing-export",
            Scenario::RootCreateExport => "root-create-export",
            Scenario::Linked => "linked",
        }
    }

    /// The names of every scenario, as a list for messages: `a, b, c`.
    pub fn names() -> String {
        Scenario::ALL.map(Scenario::as_str).join(", ")
    }

    /// Whether checking it needs the bucket and the account ID (a linked account has no bucket).
    pub fn needs_bucket_and_account(self) -> bool {
        self != Scenario::Linked
    }

    /// The platform whose guides name the scenario (OptScale; FinOps for Cloud runs on it).
    pub fn platform(self) -> Option<&'static crate::platform::Profile> {
        crate::platform::optscale()
    }
}

impl std::fmt::Display for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Scenario {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Scenario::ALL
            .into_iter()
            .find(|sc| sc.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not one of {}", Scenario::names()))
    }
}

/// What the run knows about the onboarding.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub bucket: Option<String>,
    /// The export's S3 prefix (`S3Prefix`), when known.
    pub prefix: Option<String>,
    pub account_id: Option<String>,
    /// The export type given (`--export-type`, `[onboarding] export-type`); without one, a
    /// template of legacy reports only is read as legacy, anything else as CUR 2.0.
    pub export_type: Option<ExportType>,
    /// `--export-name`: the export (CUR 2.0) or report (legacy) name.
    pub export_name: Option<String>,
    /// `--scenario`: check the run's policies against this onboarding profile.
    pub scenario: Option<Scenario>,
    /// `--platform` (or `[onboarding] platform`): the FinOps platform the run is checked
    /// against; see `platform()` for the one the checks use.
    pub platform: Option<&'static crate::platform::Profile>,
    /// `--role`: the IAM role the platform assumes; in a template that declares it, only its
    /// policies are the platform's.
    pub role: Option<String>,
    /// Keep documents for the checks across documents.
    pub keep_docs: bool,
    /// The rules the run reports; the others are not run.
    pub rules: crate::diagnostic::Selection,
    /// Set for a template that declares no cost export (with no export type given): a delivery
    /// statement for either billing principal is accepted.
    pub any_billing_principal: bool,
    /// Values for Terraform variables (`--var-file`, `--var`), as HCL attributes (`name =
    /// value`), in the order given: a later one wins.
    pub tf_vars: Vec<std::sync::Arc<str>>,
    /// Values for CloudFormation parameters (`--parameter`, `--parameters`), a later one
    /// winning; a list parameter's value is comma-separated, as CloudFormation takes it.
    pub cfn_parameters: Vec<(String, String)>,
    /// `--policy-type`: the kind of a policy whose file does not tell it (a bare JSON policy,
    /// a template's policy whose resource does not say); the kind is inferred otherwise.
    pub policy_type: Option<crate::model::PolicyKind>,
}

impl Options {
    /// The export type the checks assume: the one given, else CUR 2.0.
    pub fn export_type(&self) -> ExportType {
        self.export_type.unwrap_or_default()
    }

    /// The platform the checks judge against: the one given, else the scenario's (OptScale),
    /// else none (the settings the platforms disagree on are then warnings).
    pub fn platform(&self) -> Option<&'static crate::platform::Profile> {
        self.platform
            .or_else(|| self.scenario.and_then(Scenario::platform))
    }
}
