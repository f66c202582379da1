//! The library and the command line are one engine: on every rule fixture, the documents given
//! to `Linter` from memory produce the same JSON output as `finops-lint check --format json`.

mod common;

use finops_lint::emit::{self, Format, Style};
use finops_lint::{ExportType, Linter, Options};
use std::path::{Path, PathBuf};

fn options(args: &[String]) -> Options {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().cloned();
        match flag.as_str() {
            "--bucket" => o.bucket = value,
            "--account-id" => o.account_id = value,
            "--prefix" => o.prefix = value,
            "--export-name" => o.export_name = value,
            "--scenario" => o.scenario = value.map(|v| v.parse().unwrap()),
            "--export-type" => o.export_type = value.map(|v| v.parse::<ExportType>().unwrap()),
            other => panic!("a fixture's args use `{other}`: map it here"),
        }
    }
    o
}

/// The files the command line reads for a path, as it names them, with their bytes; `None`
/// when one cannot be read (a finding of the file system, which the library does not read).
fn documents(path: &str) -> Option<Vec<(String, Vec<u8>)>> {
    let excludes = finops_lint::walk::build_excludes(&[]).unwrap();
    let (inputs, errors, _) = finops_lint::walk::collect(&[path.to_string()], &excludes);
    if !errors.is_empty() {
        return None;
    }
    inputs
        .iter()
        .map(|i| match i {
            finops_lint::walk::Input::File { path, .. } => {
                let name = path.to_string_lossy().to_string();
                let bytes = std::fs::read(path).ok()?;
                Some((
                    name.strip_prefix("./").map(str::to_string).unwrap_or(name),
                    bytes,
                ))
            }
            other => panic!("unexpected input {other:?}"),
        })
        .collect()
}

#[test]
fn the_library_gives_the_command_lines_findings_on_every_rule_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut compared = 0;
    let mut with_findings = 0;
    let mut unreadable = 0;
    for rule in finops_lint::rules::ALL {
        let dir = root.join("rules").join(rule.folder());
        let args: Vec<String> = std::fs::read_to_string(dir.join("args"))
            .map(|s| s.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        for kind in ["fail", "pass"] {
            let Ok(entries) = std::fs::read_dir(dir.join(kind)) else {
                continue;
            };
            let mut fixtures: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
            fixtures.sort();
            for fixture in fixtures {
                let path = fixture
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .to_string();
                let mut cli_args = vec!["check", "--format", "json", "--fail-on", "never"];
                cli_args.extend(args.iter().map(String::as_str));
                cli_args.push(&path);
                let cli = common::run(&cli_args);
                let Some(docs) = documents(&path) else {
                    // a file the command line cannot read (IO001's dangling link)
                    assert_eq!(rule.code, "IO001", "{path} cannot be read");
                    unreadable += 1;
                    continue;
                };
                let mut linter = Linter::new(options(&args));
                let folder = if fixture.is_dir() {
                    fixture.clone()
                } else {
                    fixture.parent().unwrap().to_path_buf()
                };
                if let Some(Ok(found)) = finops_lint::config::discover(&folder) {
                    let text = std::fs::read_to_string(&found).unwrap();
                    let name = found.to_string_lossy().to_string();
                    linter = linter.config(&name, &text);
                }
                let linted = match linter.lint(docs.iter().map(|(n, b)| (n.as_str(), b.as_slice())))
                {
                    Ok(l) => l,
                    Err(e) => {
                        assert_eq!(
                            cli.code, 2,
                            "{path}: the library refused ({e}), the CLI did not"
                        );
                        continue;
                    }
                };
                let json = emit::render(&linted, Style::new(Format::Json));
                assert_eq!(json, cli.stdout, "{path}: library and CLI differ");
                compared += 1;
                with_findings += usize::from(linted.findings().next().is_some());
            }
        }
    }
    // every rule has fixtures; most of them have findings
    assert!(compared > 300, "{compared} fixtures compared");
    assert!(
        with_findings > 200,
        "{with_findings} fixtures with findings"
    );
    assert!(unreadable <= 2, "{unreadable} fixtures could not be read");
}
