//! Fuzzing on the stable toolchain: every parser (JSON, YAML, HCL, plan JSON, the policy model)
//! and the whole `check` pipeline, with every emitter, run on mutations of the rule fixtures and
//! examples. Deterministic (`FINOPS_LINT_FUZZ_SEED`), bounded (`FINOPS_LINT_FUZZ_CASES`, 2,000 by
//! default, as CI runs it). An input that panics or takes too long is written to
//! `tests/fuzz-regressions/` and replayed by every later run.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A small deterministic generator (xorshift64*), so that a failure can be replayed by seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b":",
    b",",
    b"\\",
    b"\\u",
    b"\\ud800",
    b"%7B",
    b"%",
    b"!Ref ",
    b"!Sub ",
    b"Fn::If",
    b"${",
    b"%{",
    b"<<EOT\n",
    b"\nEOT\n",
    b"*",
    b"?",
    b"arn:aws:s3:::",
    b"\"Statement\"",
    b"\"Effect\"",
    b"\"Principal\"",
    b"\"Condition\"",
    b"\"Resource\"",
    b"\"Action\"",
    b"\"Export\"",
    b"jsonencode(",
    b"file(",
    b"&a ",
    b"*a",
    b"- ",
    b"\n  ",
    b"\t",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"1e999999",
    b"-0",
    b"true",
    b"null",
];

fn seeds() -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut dirs = vec![root.join("rules"), root.join("examples")];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let Ok(meta) = std::fs::symlink_metadata(&p) else {
                continue;
            };
            if meta.is_dir() {
                dirs.push(p);
            } else if meta.is_file()
                && meta.len() < 64 * 1024
                && p.extension().is_some_and(|x| {
                    ["json", "yaml", "yml", "tf", "toml"].contains(&x.to_str().unwrap_or(""))
                })
            {
                if let Ok(b) = std::fs::read(&p) {
                    out.push((p, b));
                }
            }
        }
    }
    out.sort();
    out
}

fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut data = input.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(data.len() + 1);
        match rng.below(7) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] = rng.next() as u8;
            }
            1 if !data.is_empty() => {
                let end = (at + 1 + rng.below(32)).min(data.len());
                data.drain(at.min(end)..end);
            }
            2 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                data.splice(at..at, t.iter().copied());
            }
            3 if !data.is_empty() => {
                // duplicate a slice (deep nesting and repetition)
                let s = rng.below(data.len());
                let e = (s + 1 + rng.below(64)).min(data.len());
                let piece = data[s..e].to_vec();
                for _ in 0..1 + rng.below(4) {
                    data.splice(at..at, piece.iter().copied());
                }
            }
            4 if !other.is_empty() => {
                // splice in part of another seed
                let s = rng.below(other.len());
                let e = (s + 1 + rng.below(256)).min(other.len());
                data.splice(at..at, other[s..e].iter().copied());
            }
            5 => {
                let n = 1 + rng.below(300);
                let open = if rng.below(2) == 0 { b'[' } else { b'{' };
                data.splice(at..at, std::iter::repeat_n(open, n));
            }
            _ => data.truncate(at),
        }
    }
    data
}

fn regressions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions")
}

/// Check one input the way the tool reads a file of that name; `Err` on a panic or a hang.
fn check_one(name: &str, bytes: &[u8], full: bool) -> Result<(), String> {
    let started = Instant::now();
    let name_owned = name.to_string();
    let data = bytes.to_vec();
    let outcome = std::panic::catch_unwind(move || {
        let (text, bad) = finops_lint::parse::json::decode(&data);
        let source = finops_lint::source::Source::new(name_owned, text);
        let opts = finops_lint::engine::Options {
            bucket: Some("acme-finops-billing".into()),
            account_id: Some("402938475610".into()),
            scenario: Some(finops_lint::context::Scenario::RootExistingExport),
            keep_docs: true,
            ..Default::default()
        };
        let report = finops_lint::engine::check_source(&source, 0, bad, &opts);
        // every finding's span lies in the text it points into
        for f in &report.findings {
            assert!(
                f.span.start <= f.span.end && f.span.end <= source.text.len(),
                "{f:?}"
            );
        }
    });
    if let Err(p) = outcome {
        let what = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        return Err(format!("panic: {what}"));
    }
    if full {
        // the whole pipeline, every emitter, through a real file
        let dir = std::env::temp_dir().join(format!("finops-lint-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let path = dir.join(Path::new(name).file_name().unwrap_or_default());
        std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
        let p = path.to_string_lossy().to_string();
        for format in [
            "human", "concise", "json", "sarif", "github", "junit", "gitlab",
        ] {
            let out = common::run(&[
                "check",
                "--no-config",
                "--format",
                format,
                "--fail-on",
                "never",
                "--bucket",
                "acme-finops-billing",
                "--account-id",
                "402938475610",
                &p,
            ]);
            if out.code != 0 {
                return Err(format!(
                    "`--format {format}` exited {}: {}",
                    out.code, out.stderr
                ));
            }
        }
    }
    if started.elapsed() > Duration::from_secs(5) {
        return Err(format!("took {:?}", started.elapsed()));
    }
    Ok(())
}

fn keep(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = regressions_dir();
    let _ = std::fs::create_dir_all(&dir);
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let ext = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("json");
    let path = dir.join(format!("{h:016x}.{ext}"));
    let _ = std::fs::write(&path, bytes);
    path
}

#[test]
fn regressions_found_by_fuzzing_stay_fixed() {
    let entries =
        std::fs::read_dir(regressions_dir()).expect("tests/fuzz-regressions is committed");
    let mut replayed = 0;
    for e in entries.flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "md") {
            continue;
        }
        let bytes = std::fs::read(&p).unwrap();
        check_one(&p.to_string_lossy(), &bytes, true)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        replayed += 1;
    }
    assert!(replayed > 0, "no regression input was replayed");
}

#[test]
fn fuzz_parsers_and_pipeline() {
    let (cases, seed) = budget();
    let seeds = seeds();
    assert!(
        seeds.len() > 100,
        "the fixtures are the seeds: found {}",
        seeds.len()
    );
    let mut rng = Rng(seed | 1);
    for case in 0..cases {
        let (path, input) = &seeds[rng.below(seeds.len())];
        let other = &seeds[rng.below(seeds.len())].1;
        let data = mutate(&mut rng, input, other);
        let name = path.to_string_lossy().to_string();
        // every 40th case goes through the whole program and every emitter
        if let Err(e) = check_one(&name, &data, case % 40 == 0) {
            let kept = keep(&name, &data);
            panic!(
                "case {case} (seed {seed}) from {name}: {e}\nkept as {}",
                kept.display()
            );
        }
    }
}

/// The cases of the main target and the seed: `FINOPS_LINT_FUZZ_CASES` (2,000 by default) and
/// `FINOPS_LINT_FUZZ_SEED`.
fn budget() -> (usize, u64) {
    let cases: usize = std::env::var("FINOPS_LINT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let seed: u64 = std::env::var("FINOPS_LINT_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_f1a7);
    (cases, seed)
}

/// How many cases a target beside the main one runs: a quarter of the main target's.
fn side_cases() -> (usize, u64) {
    let (cases, seed) = budget();
    (cases.div_ceil(4), seed)
}

/// Keep an input that failed a side target as `tests/fuzz-regressions/PREFIX-HASH.EXT`; the
/// target replays the files of its prefix first.
fn keep_as(prefix: &str, ext: &str, bytes: &[u8]) -> PathBuf {
    let kept = keep(&format!("x.{ext}"), bytes);
    let named = kept.with_file_name(format!(
        "{prefix}-{}",
        kept.file_name().unwrap().to_string_lossy()
    ));
    let _ = std::fs::rename(&kept, &named);
    named
}

fn regressions_of(prefix: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(regressions_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{prefix}-")))
        })
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    out.sort();
    out
}

/// Run the whole program in process; `Err` on a panic.
fn run_guarded(args: &[&str]) -> Result<common::Output, String> {
    let owned: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    std::panic::catch_unwind(move || {
        let a: Vec<&str> = owned.iter().map(String::as_str).collect();
        common::run(&a)
    })
    .map_err(|p| {
        let what = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("panic: {what}")
    })
}

/// A configuration, mutated, read by `check` over a few files: never a panic or a usage error
/// (its problems are findings in it), the output is whole JSON, and every finding in the
/// configuration points into it.
fn check_config(dir: &Path, toml: &[u8]) -> Result<(), String> {
    let started = Instant::now();
    std::fs::write(dir.join("finops-lint.toml"), toml).map_err(|e| e.to_string())?;
    let root = dir.to_string_lossy().to_string();
    let out = run_guarded(&["check", "--format", "json", "--fail-on", "never", &root])?;
    if out.code != 0 {
        return Err(format!("exited {}: {}", out.code, out.stderr));
    }
    let v: serde_json::Value =
        serde_json::from_str(&out.stdout).map_err(|e| format!("not JSON ({e}): {}", out.stdout))?;
    for f in v["findings"].as_array().into_iter().flatten() {
        if f["file"]
            .as_str()
            .is_some_and(|n| n.ends_with("finops-lint.toml"))
        {
            // offsets into the text as decoded (invalid UTF-8 replaced)
            let end = f["offset"]["end"].as_u64().unwrap_or(u64::MAX);
            if end > String::from_utf8_lossy(toml).len() as u64 {
                return Err(format!("a finding past the configuration's end: {f}"));
            }
        }
    }
    if started.elapsed() > Duration::from_secs(5) {
        return Err(format!("took {:?}", started.elapsed()));
    }
    Ok(())
}

#[test]
fn fuzz_configuration() {
    let (cases, seed) = side_cases();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = common::tempdir::Dir::new();
    // the files configured: the configuration fixtures' documents, a policy, a template
    for (from, to) in [
        (
            "rules/CFG001-invalid-config/pass/valid/export.json",
            "export.json",
        ),
        (
            "rules/CFG001-invalid-config/pass/valid/legacy/export.json",
            "legacy/export.json",
        ),
        (
            "rules/CFG001-invalid-config/pass/valid/drafts/broken.json",
            "drafts/broken.json",
        ),
        (
            "examples/broken/readonly-policy.json",
            "infra/readonly-policy.json",
        ),
        (
            "examples/broken/bucket-policy.json",
            "infra/bucket-policy.json",
        ),
        (
            "examples/onboarding/cloudformation.yaml",
            "infra/cloudformation.yaml",
        ),
    ] {
        dir.write(to, &std::fs::read_to_string(root.join(from)).unwrap());
    }
    let mut tomls: Vec<Vec<u8>> = seeds()
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|x| x == "toml"))
        .map(|(_, b)| b)
        .collect();
    // every key, with valid values
    tomls.push(
        br#"[onboarding]
account-id = "402938475610"
bucket = "acme-finops-billing"
prefix = "reports"
export-name = "finops"
export-type = "cur2"
scenario = "root-existing-export"

[rules]
select = ["ALL", "EXP", "time-granularity"]
severity = { IAM006 = "warning", redundant-resource = "off", POL = "info" }

[[ignore]]
rules = ["EXP004", "POL001"]
paths = ["legacy/*.json", "infra/**"]
reason = "replaced next quarter"

[files]
include = ["infra/**", "*.json", "legacy/**"]
exclude = ["drafts", "**/*.yml"]
max-file-size = 8
"#
        .to_vec(),
    );
    assert!(tomls.len() >= 3, "configuration seeds: {}", tomls.len());
    for (p, bytes) in regressions_of("config") {
        check_config(dir.path(), &bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }
    let mut rng = Rng(seed.rotate_left(17) | 1);
    for case in 0..cases {
        let input = &tomls[rng.below(tomls.len())];
        let other = &tomls[rng.below(tomls.len())];
        let data = mutate(&mut rng, input, other);
        if let Err(e) = check_config(dir.path(), &data) {
            let kept = keep_as("config", "toml", &data);
            panic!("case {case} (seed {seed}): {e}\nkept as {}", kept.display());
        }
    }
}

/// A JSON input, mutated, fixed in a temporary folder: never a panic or an exit 2; the fixed
/// text parses when the original did; a second `--fix` changes nothing more. Whether the first
/// changed the file.
fn check_fix(dir: &Path, bytes: &[u8]) -> Result<bool, String> {
    use finops_lint::parse::json::{decode, parse_file};
    let started = Instant::now();
    let path = dir.join("input.json");
    std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
    let p = path.to_string_lossy().to_string();
    let fix = [
        "check",
        "--no-config",
        "--fix",
        "--format",
        "json",
        "--fail-on",
        "never",
        "--bucket",
        "acme-finops-billing",
        "--account-id",
        "402938475610",
        &p,
    ];
    let out = run_guarded(&fix)?;
    if out.code != 0 {
        return Err(format!("--fix exited {}: {}", out.code, out.stderr));
    }
    let once = std::fs::read(&path).map_err(|e| e.to_string())?;
    let parses = |b: &[u8]| {
        let (text, bad) = decode(b);
        parse_file(&text, bad).root.is_some()
    };
    if once != bytes && parses(bytes) && !parses(&once) {
        return Err(format!(
            "the fixed text no longer parses:\n{}",
            String::from_utf8_lossy(&once)
        ));
    }
    let out = run_guarded(&fix)?;
    if out.code != 0 {
        return Err(format!(
            "the second --fix exited {}: {}",
            out.code, out.stderr
        ));
    }
    let twice = std::fs::read(&path).map_err(|e| e.to_string())?;
    if twice != once {
        return Err(format!(
            "a second --fix changed the file again:\n--- once\n{}\n--- twice\n{}",
            String::from_utf8_lossy(&once),
            String::from_utf8_lossy(&twice)
        ));
    }
    if started.elapsed() > Duration::from_secs(5) {
        return Err(format!("took {:?}", started.elapsed()));
    }
    Ok(once != bytes)
}

#[test]
fn fuzz_fix() {
    let (cases, seed) = side_cases();
    let dir = common::tempdir::Dir::new();
    // the JSON seeds whose findings offer a fix
    let opts = finops_lint::engine::Options {
        bucket: Some("acme-finops-billing".into()),
        account_id: Some("402938475610".into()),
        ..Default::default()
    };
    let jsons: Vec<Vec<u8>> = seeds()
        .into_iter()
        .filter(|(p, b)| {
            let (text, bad) = finops_lint::parse::json::decode(b);
            let source = finops_lint::source::Source::new(p.to_string_lossy(), text);
            p.extension().is_some_and(|x| x == "json")
                && finops_lint::engine::check_source(&source, 0, bad, &opts)
                    .findings
                    .iter()
                    .any(|f| f.fix.is_some())
        })
        .map(|(_, b)| b)
        .collect();
    assert!(jsons.len() > 20, "JSON seeds with fixes: {}", jsons.len());
    for (p, bytes) in regressions_of("fix") {
        check_fix(dir.path(), &bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }
    let mut rng = Rng(seed.rotate_left(31) | 1);
    let mut fixed = 0;
    for case in 0..cases {
        let input = &jsons[rng.below(jsons.len())];
        let other = &jsons[rng.below(jsons.len())];
        // half the cases unmutated or barely: fixes apply mostly to documents that parse
        let data = if rng.below(2) == 0 {
            input.clone()
        } else {
            mutate(&mut rng, input, other)
        };
        match check_fix(dir.path(), &data) {
            Ok(changed) => fixed += usize::from(changed),
            Err(e) => {
                let kept = keep_as("fix", "json", &data);
                panic!("case {case} (seed {seed}): {e}\nkept as {}", kept.display());
            }
        }
    }
    // the target exercises fixes, not only inputs that offer none
    assert!(
        fixed * 4 >= cases,
        "only {fixed} of {cases} cases were fixed"
    );
}

// ---- masking: no output of any format holds a planted secret ----

/// A random secret: an access key's 40 characters or a session token's 100 to 160, base64 with
/// both cases (as AWS's are).
fn planted_secret(rng: &mut Rng) -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let len = if rng.below(2) == 0 {
        40
    } else {
        100 + rng.below(61)
    };
    loop {
        let s: String = (0..len)
            .map(|_| char::from(B64[rng.below(B64.len())]))
            .collect();
        if s.bytes().any(|b| b.is_ascii_uppercase()) && s.bytes().any(|b| b.is_ascii_lowercase()) {
            return s;
        }
    }
}

/// `secret` written as a document may write it: plain, JSON-escaped (`\/`, `\u00XX` here and
/// there), URL-encoded, or after spaces.
fn encode_secret(rng: &mut Rng, secret: &str) -> String {
    match rng.below(4) {
        0 => secret.to_string(),
        1 => secret
            .chars()
            .map(|c| match (c, rng.below(4)) {
                ('/', 0 | 1) => "\\/".to_string(),
                (c, 0) => format!("\\u{:04X}", c as u32),
                (c, _) => c.to_string(),
            })
            .collect(),
        2 => secret
            .chars()
            .map(|c| match c {
                '/' | '+' | '=' => format!("%{:02X}", c as u32),
                c if rng.below(8) == 0 => format!("%{:02x}", c as u32),
                c => c.to_string(),
            })
            .collect(),
        _ => format!("{}{secret}", " ".repeat(1 + rng.below(4))),
    }
}

/// An assignment of `value` to a key that names a secret, in one of the syntaxes finops-lint
/// reads (and a document held in a JSON string or URL-encoded).
fn secret_assignment(rng: &mut Rng, value: &str) -> String {
    let keys = [
        "secret_access_key",
        "SecretAccessKey",
        "aws_secret_access_key",
        "PlatformSecretAccessKey",
        "secret_key",
        "aws_session_token",
        "SessionToken",
    ];
    let key = keys[rng.below(keys.len())];
    match rng.below(6) {
        0 => format!("\"{key}\": \"{value}\""),
        1 => format!("\n{key}: \"{value}\"\n"),
        2 => format!("\n  {key} = \"{value}\"\n"),
        3 => format!("\n{key}={value}\n"),
        4 => format!("\\\"{key}\\\":\\\"{value}\\\""),
        _ => format!("%22{key}%22%3A%22{value}%22"),
    }
}

/// Where `out` shows 8 characters of `secret` in a row.
fn shows_secret(out: &str, secret: &str) -> Option<String> {
    secret
        .as_bytes()
        .windows(8)
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .find(|w| out.contains(w.as_str()))
}

#[test]
fn fuzz_masking_no_output_shows_a_planted_secret() {
    // a twentieth of the main target's cases (each runs every format, a baseline and a diff)
    let (cases, seed) = budget();
    let cases = (cases / 20).max(1);
    let seeds = seeds();
    let mut rng = Rng((seed ^ 0x6d61_736b) | 1);
    let dir = std::env::temp_dir().join(format!("finops-lint-fuzz-mask-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for case in 0..cases {
        let (path, input) = &seeds[rng.below(seeds.len())];
        let other = &seeds[rng.below(seeds.len())].1;
        let mut data = mutate(&mut rng, input, other);
        let secret = planted_secret(&mut rng);
        // the secret under a secret's name, written some way, once or twice; and as it is where
        // any value may stand (a bucket's or report's name, a key, a Sid). Each is put in whole,
        // anywhere in the mutated text but inside another.
        let mut plants: Vec<String> = Vec::new();
        for _ in 0..1 + rng.below(2) {
            let value = encode_secret(&mut rng, &secret);
            plants.push(secret_assignment(&mut rng, &value));
        }
        for _ in 0..rng.below(3) {
            plants.push(match rng.below(3) {
                0 => format!("\"bucket_name\": \"{secret}\", "),
                1 => format!("\"{secret}\": 1, "),
                _ => secret.clone(),
            });
        }
        for i in (1..plants.len()).rev() {
            plants.swap(i, rng.below(i + 1));
        }
        let mut at: Vec<usize> = plants.iter().map(|_| rng.below(data.len() + 1)).collect();
        at.sort_unstable();
        for (plant, at) in plants.iter().zip(at).rev() {
            data.splice(at..at, plant.bytes());
        }
        let name = Path::new(path)
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let file = dir.join(&name);
        std::fs::write(&file, &data).unwrap();
        let p = file.to_string_lossy().to_string();
        let baseline = dir.join("baseline.json").to_string_lossy().to_string();
        let mut outputs: Vec<(String, String)> = Vec::new();
        for format in [
            "human", "concise", "json", "sarif", "github", "junit", "gitlab",
        ] {
            let out = common::run(&[
                "check",
                "--no-config",
                "-v",
                "--format",
                format,
                "--bucket",
                "acme-finops-billing",
                "--account-id",
                "402938475610",
                &p,
            ]);
            outputs.push((format.to_string(), out.stdout + &out.stderr));
        }
        let out = common::run(&["check", "--no-config", "--write-baseline", &baseline, &p]);
        outputs.push((
            "--write-baseline".into(),
            std::fs::read_to_string(&baseline).unwrap_or_default() + &out.stderr,
        ));
        let out = common::run(&["check", "--no-config", "--diff", &p]);
        outputs.push(("--diff".into(), out.stdout + &out.stderr));
        for (what, out) in &outputs {
            if let Some(piece) = shows_secret(out, &secret) {
                let kept = keep(&name, &data);
                panic!(
                    "case {case} (seed {seed}) from {}: {what} shows `{piece}` of the planted secret `{secret}`\nkept as {}\n{out}",
                    path.display(),
                    kept.display()
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
