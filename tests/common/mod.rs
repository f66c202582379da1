#![allow(dead_code)]
//! Helpers shared by the integration tests: run the whole program in-process and capture its output.

use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct Buf(pub Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buf {
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Run `finops-lint ARGS...` in-process with `stdin` as standard input.
pub fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let out = Buf::default();
    let err = Buf::default();
    let mut io = finops_lint::Io {
        stdin: Box::new(std::io::Cursor::new(stdin.to_vec())),
        stdout: Box::new(out.clone()),
        stderr: Box::new(err.clone()),
        color: false,
    };
    let mut full = vec!["finops-lint"];
    full.extend_from_slice(args);
    let code = finops_lint::run(full, &mut io);
    Output {
        code,
        stdout: out.text(),
        stderr: err.text(),
    }
}

pub fn run(args: &[&str]) -> Output {
    run_with_stdin(args, b"")
}

/// Make a FIFO at `path` (with the system's `mkfifo`); fails the test when it cannot.
pub fn mkfifo(path: &std::path::Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status();
    assert!(
        status.as_ref().is_ok_and(|s| s.success()),
        "mkfifo {}: {status:?}",
        path.display()
    );
}

/// The findings of a `--format json` run.
pub fn json_findings(args: &[&str]) -> (i32, serde_json::Value) {
    let mut a = vec!["check", "--format", "json"];
    a.extend_from_slice(args);
    let out = run(&a);
    let v: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("json output: {e}\n{}\n{}", out.stdout, out.stderr));
    (out.code, v)
}

/// `(code, underlined text)` for every finding.
pub fn codes_and_text(v: &serde_json::Value) -> Vec<(String, String)> {
    codes_and(v, "text")
}

/// `(code, the finding's field)` for every finding (`""` when it has none).
pub fn codes_and(v: &serde_json::Value, field: &str) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f[field].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// A small self-cleaning temporary directory (no extra dependency needed).
pub mod tempdir {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    pub struct Dir(PathBuf);
    impl Dir {
        pub fn new() -> Self {
            Self::new_in(&std::env::temp_dir())
        }
        /// A fresh folder below `base` (such as `/dev/shm`), removed when dropped.
        pub fn new_in(base: &Path) -> Self {
            let p = base.join(format!(
                "finops-lint-test-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            let _ = std::fs::remove_dir_all(&p);
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
        pub fn path(&self) -> &Path {
            &self.0
        }
        pub fn write(&self, rel: &str, text: &str) -> String {
            let p = self.0.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
            p.to_string_lossy().to_string()
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// The options a rule fixture's `args` file gives (the flags the library has as fields).
pub fn options(args: &[String]) -> finops_lint::Options {
    use finops_lint::ExportType;
    let mut o = finops_lint::Options::default();
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
            "--platform" => {
                o.platform = value.as_deref().and_then(finops_lint::platform::find);
                assert!(o.platform.is_some(), "unknown platform in a fixture's args");
            }
            "--parameter" => {
                let v = value.expect("--parameter needs NAME=VALUE");
                let (name, val) = v.split_once('=').expect("--parameter NAME=VALUE");
                o.cfn_parameters.push((name.to_string(), val.to_string()));
            }
            other => panic!("a fixture's args use `{other}`: map it here"),
        }
    }
    o
}

/// The files the command line reads for a path, as it names them, with their bytes; `None`
/// when one cannot be read (a finding of the file system, which the library does not read).
pub fn documents(path: &str) -> Option<Vec<(String, Vec<u8>)>> {
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

/// A rule fixture: its rule, its path from the repository's root, the flags of the rule's `args`
/// file, and its folder (where a configuration of its own is found).
pub struct Fixture {
    pub rule: &'static finops_lint::Rule,
    pub path: String,
    pub args: Vec<String>,
    pub folder: std::path::PathBuf,
}

/// Every `fail/` and `pass/` fixture of every rule, in rule order.
pub fn rule_fixtures() -> Vec<Fixture> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for rule in finops_lint::rules::ALL.iter() {
        let dir = root.join("rules").join(rule.folder());
        let args: Vec<String> = std::fs::read_to_string(dir.join("args"))
            .map(|s| s.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        for kind in ["fail", "pass"] {
            let Ok(entries) = std::fs::read_dir(dir.join(kind)) else {
                continue;
            };
            let mut fixtures: Vec<std::path::PathBuf> =
                entries.map(|e| e.unwrap().path()).collect();
            fixtures.sort();
            for fixture in fixtures {
                let folder = if fixture.is_dir() {
                    fixture.clone()
                } else {
                    fixture.parent().unwrap().to_path_buf()
                };
                out.push(Fixture {
                    rule,
                    path: fixture
                        .strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .to_string(),
                    args: args.clone(),
                    folder,
                });
            }
        }
    }
    out
}
