//! What a run knows about the onboarding: the bucket, the account, the export and the scenario.

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

/// What the run knows about the onboarding.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub bucket: Option<String>,
    /// The export's S3 prefix (`S3Prefix`), when known.
    pub prefix: Option<String>,
    pub account_id: Option<String>,
    pub export_type: ExportType,
    /// Whether `--export-type` was given (else a template of legacy reports only is read as
    /// legacy).
    pub export_type_explicit: bool,
    /// `--export-name`: the export (CUR 2.0) or report (legacy) name.
    pub export_name: Option<String>,
    /// `--scenario`: check the run's policies against this onboarding profile.
    pub scenario: Option<String>,
    /// Keep documents for the checks across documents.
    pub keep_docs: bool,
}
