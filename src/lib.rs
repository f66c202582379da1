//! finops-lint: a fast linter for the AWS side of cloud-cost onboarding.
//!
//! The pipeline: [`source`] → [`parse`] → [`model`] → [`engine`] (running [`rules`]) →
//! [`diagnostic`] findings → [`emit`]. [`Linter`] lints documents held in memory (the core: no
//! file system, threads or terminal; it builds for `wasm32-unknown-unknown` without the default
//! features). [`emit::write`] prints a run in any format to any `io::Write`. Each rule is
//! declared in its family's module under [`rules`] (code, name, severity, Access Analyzer codes,
//! the documents it reads, the fixes it offers); [`rules::ALL`] is derived from the declarations.
//! With the `cli` feature, `run` drives the whole program, so tests use it without a
//! subprocess.
//!
//! ```
//! let mut linter = finops_lint::Linter::new(finops_lint::Options::default());
//! let linted = linter
//!     .lint([("policy.json", br#"{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#.as_slice())])
//!     .unwrap();
//! // no `Version`: IAM would read the policy with the 2008 language
//! assert!(linted.findings().any(|f| f.rule.code == "POL001"));
//! ```

pub mod catalog;
#[cfg(feature = "cli")]
pub mod cli;
pub mod config;
#[cfg(feature = "cli")]
pub mod contain;
pub mod context;
pub mod diagnostic;
pub mod editor;
pub mod emit;
pub mod engine;
pub mod eval;
pub mod fix;
#[cfg(feature = "cli")]
pub mod fs;
pub mod fuzzy;
pub mod generate;
pub mod glob;
pub mod iac;
pub mod lint;
#[cfg(feature = "live")]
pub mod live;
pub mod model;
pub mod parse;
pub mod platform;
pub use rules::requirements;
pub mod rules;
pub mod schema;
pub mod secrets;
#[cfg(feature = "cli")]
pub mod server;
#[cfg(feature = "cli")]
pub mod simulate;
pub mod source;
pub mod span;
pub mod syntax;
#[cfg(feature = "cli")]
pub mod walk;

pub use context::{ExportType, Options};
pub use diagnostic::{Finding, Rule, Severity};
pub use engine::RunResult;
pub use lint::Linter;

#[cfg(feature = "cli")]
use std::ffi::OsString;
#[cfg(feature = "cli")]
use std::io::{Read, Write};

/// Where the program reads and writes; tests pass buffers.
#[cfg(feature = "cli")]
pub struct Io {
    pub stdin: Box<dyn Read + Send>,
    pub stdout: Box<dyn Write + Send>,
    pub stderr: Box<dyn Write + Send>,
    /// Colour on a terminal, never with `NO_COLOR`.
    pub color: bool,
}

#[cfg(feature = "cli")]
impl Io {
    pub fn system() -> Self {
        use std::io::IsTerminal;
        let color = std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Io {
            stdin: Box::new(std::io::stdin()),
            stdout: Box::new(std::io::stdout()),
            stderr: Box::new(std::io::stderr()),
            color,
        }
    }
}

#[cfg(feature = "cli")]
/// Run the program with these arguments (the first is the program name); returns the exit code:
/// 0 clean, 1 a finding reached `--fail-on`, 2 usage or internal error.
pub fn run<I, T>(args: I, io: &mut Io) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    cli::run(args.into_iter().map(Into::into).collect(), io)
}
