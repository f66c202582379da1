//! Hostile input: every case gives a finding or a clear error, never a panic, a hang or a stack
//! overflow, and the other files of the run are still checked. (FIFOs, files over the size limit
//! and symbolic link loops are in `cli.rs`.)

mod common;

use common::{json_findings, tempdir};

fn codes_for(v: &serde_json::Value, file_end: &str) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"].as_str().unwrap().ends_with(file_end))
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_100_mb_file_is_refused_by_default_and_read_with_a_higher_limit() {
    let dir = tempdir::Dir::new();
    let big = dir.path().join("huge.json");
    // sparse: 100 MB of NUL bytes without writing them
    std::fs::File::create(&big)
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    let ok = dir.write(
        "ok.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": []}",
    );
    let b = big.to_string_lossy().to_string();
    let (code, v) = json_findings(&["--no-config", &b, &ok]);
    assert_eq!(code, 1);
    let f = &v["findings"][0];
    assert_eq!(f["code"], "IO001");
    assert!(
        f["message"].as_str().unwrap().contains("--max-file-size"),
        "{f:#}"
    );
    assert!(
        !codes_for(&v, "ok.json").is_empty(),
        "the other file is still checked"
    );
    // with a higher limit it is read: binary content is a syntax finding
    let (_, v) = json_findings(&["--no-config", "--max-file-size", "128", &b]);
    let c = codes_for(&v, "huge.json");
    assert!(c.contains(&"JSON001".to_string()), "{c:?}");
}

#[test]
fn deep_nesting_in_every_syntax_is_a_finding() {
    let dir = tempdir::Dir::new();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    dir.write("deep.json", &deep);
    dir.write(
        "deep.yaml",
        &format!("AWSTemplateFormatVersion: \"2010-09-09\"\nResources: {deep}\n"),
    );
    dir.write("deep.tf", &format!("locals {{\n  x = {deep}\n}}\n"));
    let (_, v) = json_findings(&["--no-config", dir.path().to_str().unwrap()]);
    for f in ["deep.json", "deep.yaml", "deep.tf"] {
        assert_eq!(codes_for(&v, f), vec!["JSON001".to_string()], "{f}: {v:#}");
    }
}

#[test]
fn binary_nul_and_invalid_utf8_are_findings() {
    let dir = tempdir::Dir::new();
    let png: Vec<u8> = [
        0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d,
    ]
    .into_iter()
    .chain((0..2000u32).map(|i| (i * 7919 % 256) as u8))
    .collect();
    std::fs::write(dir.path().join("image.json"), &png).unwrap();
    std::fs::write(
        dir.path().join("nul.json"),
        b"{\"Version\": \"2012-10-17\",\x00 \"Statement\": []}",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("latin1.tf"),
        b"resource \"aws_iam_policy\" \"p\" {\n  description = \"Facturaci\xf3n\"\n  policy = jsonencode({Version = \"2012-10-17\", Statement = []})\n}\n",
    )
    .unwrap();
    let (code, v) = json_findings(&["--no-config", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        codes_for(&v, "image.json").contains(&"JSON001".to_string()),
        "{v:#}"
    );
    assert!(
        codes_for(&v, "image.json").contains(&"JSON005".to_string()),
        "{v:#}"
    );
    assert!(
        codes_for(&v, "nul.json").contains(&"JSON001".to_string()),
        "{v:#}"
    );
    assert!(
        codes_for(&v, "latin1.tf").contains(&"JSON005".to_string()),
        "{v:#}"
    );
}

#[test]
fn a_million_statements_are_checked() {
    // 50 MB, under the default size limit: read, parsed and checked (about 15 s in a debug
    // build, 2 s in a release build), one finding for the size
    let dir = tempdir::Dir::new();
    let statement = "{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}";
    let p = dir.write(
        "many.json",
        &format!(
            "{{\"Version\":\"2012-10-17\",\"Statement\":[{}]}}",
            vec![statement; 1_000_000].join(",")
        ),
    );
    assert!(std::fs::metadata(&p).unwrap().len() > 45_000_000);
    let (_, v) = json_findings(&["--no-config", &p]);
    assert_eq!(codes_for(&v, "many.json"), vec!["POL016".to_string()]);
}

#[test]
fn an_unreadable_file_is_a_finding_and_the_others_are_checked() {
    // the tests may run as root, who can read any file whatever its mode: a file whose every
    // read fails is used instead (`/proc/self/mem` of the reading process answers EIO)
    let dir = tempdir::Dir::new();
    let ok = dir.write("policy.json", "{\"Statement\": []}");
    let (code, v) = json_findings(&["--no-config", "/proc/self/mem", &ok]);
    assert_eq!(code, 1);
    let f = &v["findings"][0];
    assert_eq!(f["code"], "IO001", "{v:#}");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .starts_with("cannot read the file"),
        "{f:#}"
    );
    assert!(
        !codes_for(&v, "policy.json").is_empty(),
        "the other file is still checked"
    );
}

#[test]
fn a_directory_with_a_million_entries_is_walked() {
    // in memory where the machine has a tmpfs (creating a million files on disk takes minutes)
    let shm = std::path::Path::new("/dev/shm");
    let base = if shm.is_dir() && std::fs::metadata(shm).is_ok_and(|m| !m.permissions().readonly())
    {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let folder = tempdir::Dir::new_in(&base);
    let dir = folder.path().to_path_buf();
    for i in 0..999_998 {
        std::fs::File::create(dir.join(format!("n{i:07}.txt"))).unwrap();
    }
    std::fs::write(
        dir.join("a.json"),
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObjcet\", \"Resource\": \"*\"}]}",
    )
    .unwrap();
    std::fs::write(
        dir.join("z.json"),
        "{\"Version\": \"2012-10-17\", \"Statement\": []}",
    )
    .unwrap();
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1_000_000);
    let d = dir.to_string_lossy().to_string();
    let (code, v) = json_findings(&["--no-config", &d]);
    assert_eq!(code, 1);
    assert_eq!(v["summary"]["files"], 2, "{:#}", v["summary"]);
    assert_eq!(codes_for(&v, "a.json"), vec!["IAM002".to_string()]);
}

#[test]
fn an_object_of_a_hundred_thousand_keys_is_checked_in_one_pass() {
    // duplicate keys are found through an index once an object is large: a linear search per
    // key made this quadratic (minutes); a duplicate at the end is still found, pointing at the
    // first
    let dir = tempdir::Dir::new();
    let keys: Vec<String> = (0..100_000)
        .map(|i| format!("\"aws:PrincipalTag/k{i}\": \"v\""))
        .collect();
    let p = dir.write(
        "keys.json",
        &format!(
            "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\", \"Condition\": {{\"StringEquals\": {{{}, \"aws:PrincipalTag/k7\": \"w\"}}}}}}]}}",
            keys.join(", ")
        ),
    );
    let yaml_keys: String = (0..100_000).map(|i| format!("  k{i}: v\n")).collect();
    let y = dir.write(
        "keys.yaml",
        &format!("AWSTemplateFormatVersion: \"2010-09-09\"\nMetadata:\n{yaml_keys}  k7: w\nResources: {{}}\n"),
    );
    let (_, v) = json_findings(&["--no-config", &p, &y]);
    for file in ["keys.json", "keys.yaml"] {
        let dups: Vec<&serde_json::Value> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "JSON004" && f["file"].as_str().unwrap().ends_with(file))
            .collect();
        assert_eq!(dups.len(), 1, "{file}: {v:#}");
        assert!(
            dups[0]["text"].as_str().unwrap().contains("k7"),
            "{:#}",
            dups[0]
        );
        let first = &dups[0]["related"][0]["range"]["start"];
        let here = &dups[0]["range"]["start"];
        assert!(
            (first["line"].as_u64(), first["column"].as_u64())
                < (here["line"].as_u64(), here["column"].as_u64()),
            "{:#}",
            dups[0]
        );
    }
}

#[test]
fn a_minified_document_with_many_findings_keeps_exact_columns() {
    // one line of 60,000 statements, each with a misspelt action: columns are byte distances
    // (the text is ASCII), not a count along the line for every finding, and the excerpts of
    // the human format are windows of the line
    let dir = tempdir::Dir::new();
    let statement = "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObjcet\",\"Resource\":\"*\"}";
    let text = format!(
        "{{\"Version\":\"2012-10-17\",\"Statement\":[{}]}}",
        vec![statement; 60_000].join(",")
    );
    let p = dir.write("minified.json", &text);
    let out = common::run(&["check", "--no-config", "--format", "concise", &p]);
    let last = out
        .stdout
        .lines()
        .rfind(|l| l.contains("IAM002"))
        .unwrap()
        .to_string();
    let at = text.rfind("s3:GetObjcet").unwrap() + 1;
    assert!(last.contains(&format!("minified.json:1:{at}:")), "{last}");
    let human = common::run(&["check", "--no-config", &p]);
    assert_eq!(
        human.stdout.matches("IAM002(unknown-action)").count(),
        60_000
    );
    // each excerpt is a window, far shorter than the line
    let longest = human.stdout.lines().map(str::len).max().unwrap();
    assert!(longest < 2_000, "{longest}");
}

// ---- masking and output escaping (issue 14) ----

/// A secret access key of the run's inputs (not the documentation's example key, which the
/// rules' own help text quotes).
const KEY: &str = "PtYgjmUhBel31iEl2h/ChYgCfrL1+pNxnyVmihA7";

const FORMATS: [&str; 7] = [
    "human", "concise", "json", "sarif", "github", "junit", "gitlab",
];

/// The pieces of 8 characters of `secret` that `out` shows.
fn leaked(out: &str, secret: &str) -> Vec<String> {
    secret
        .as_bytes()
        .windows(8)
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .filter(|w| out.contains(w.as_str()))
        .collect()
}

/// Everything `check` writes about `paths`: each format (verbose), the baseline it writes and the
/// diff of its fixes; with what wrote it.
fn every_output(dir: &tempdir::Dir, paths: &[&str]) -> Vec<(String, String)> {
    let mut outs = Vec::new();
    for format in FORMATS {
        let mut args = vec!["check", "--no-config", "-v", "--format", format];
        args.extend_from_slice(paths);
        let out = common::run(&args);
        outs.push((format!("{format} (stdout)"), out.stdout));
        outs.push((format!("{format} (stderr)"), out.stderr));
    }
    let baseline = dir.path().join("baseline.json");
    let b = baseline.to_string_lossy().to_string();
    let mut args = vec!["check", "--no-config", "--write-baseline", &b];
    args.extend_from_slice(paths);
    common::run(&args);
    outs.push((
        "--write-baseline".into(),
        std::fs::read_to_string(&baseline).unwrap(),
    ));
    let mut args = vec!["check", "--no-config", "--diff"];
    args.extend_from_slice(paths);
    let out = common::run(&args);
    outs.push(("--diff".into(), out.stdout));
    outs
}

#[test]
fn a_secret_is_masked_in_every_string_of_every_output() {
    // the key is also the bucket's name, the report's name and a key of the document: each
    // finding about them quotes it
    let dir = tempdir::Dir::new();
    let conn = dir.write(
        "connection.json",
        &format!("{{\n  \"access_key_id\": \"AKIAIOSFODNN7EXAMPLE\",\n  \"secret_access_key\": \"{KEY}\",\n  \"config_scheme\": \"bucket_only\",\n  \"bucket_name\": \"{KEY}\",\n  \"report_name\": \"{KEY}.x\",\n  \"{KEY}\": 1\n}}\n"),
    );
    // a fix (the missing `Version`) next to the secret: the diff shows the line
    let policy = dir.write(
        "policy.json",
        &format!("{{\"secret_key\": \"{KEY}\", \"Statement\": [{{\"Sid\": \"{}\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::{KEY}/*\"}}]}}\n", &KEY[..18]),
    );
    let outs = every_output(&dir, &[&conn, &policy]);
    // the findings do quote it (masked)
    let json = &outs.iter().find(|(w, _)| w == "json (stdout)").unwrap().1;
    assert!(json.contains("is not a valid S3 bucket name"), "{json}");
    assert!(outs
        .iter()
        .any(|(w, o)| w == "--diff" && o.contains("+{\"Version\"")));
    for (what, out) in &outs {
        assert_eq!(leaked(out, KEY), Vec::<String>::new(), "{what}:\n{out}");
    }
}

#[test]
fn a_secret_written_with_escapes_or_encoded_is_masked_whole() {
    // what SEC001 decodes is masked where it is written, whether or not the file parses
    let escaped = KEY
        .replace('/', "\\/")
        .replace('+', "\\u002B")
        .replacen('P', "\\u0050", 1);
    let url = KEY.replace('/', "%2F").replace('+', "%2B");
    let files = [
        (
            "escaped.json",
            format!("{{\"secret_access_key\": \"{escaped}\", \"Version\": \"2012-10-17\", \"Statement\": []}}"),
        ),
        (
            "slashes.yaml",
            format!("AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  SecretAccessKey:\n    Type: String\n    Default: \"{}\"\nResources: {{}}\n", KEY.replace('/', "\\/")),
        ),
        (
            "encoded.json",
            format!("{{\"PolicyDocument\": \"%7B%22Version%22%3A%222012-10-17%22%2C%22secret_access_key%22%3A%22{url}%22%7D\"}}"),
        ),
        (
            "spaces.json",
            format!("{{\"secret_access_key\": \"   {KEY}\", \"Version\": \"2012-10-17\", \"Statement\": []}}"),
        ),
        (
            "broken.json",
            format!("{{\"secret_access_key\": \"{escaped}\", \"Statement\": [}}"),
        ),
    ];
    for (name, text) in &files {
        let dir = tempdir::Dir::new();
        let p = dir.write(name, text);
        for (what, out) in every_output(&dir, &[&p]) {
            for shape in [KEY, escaped.as_str(), url.as_str()] {
                assert_eq!(
                    leaked(&out, shape),
                    Vec::<String>::new(),
                    "{name}, {what}:\n{out}"
                );
            }
        }
    }
}

/// The characters of `text` that must never reach a terminal or a CI log.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t')
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

#[test]
fn line_breaks_and_terminal_controls_from_an_input_are_escaped_in_every_format() {
    let dir = tempdir::Dir::new();
    // a Sid and a file name that would start a workflow command on their own line, an OSC
    // hyperlink, a colour, bell, a C1 CSI, a line separator and a right-to-left override
    let sid = "a\\n::stop-commands::x\\r::stop-commands::y\\u001b]8;;https://x\\u0007\\u001b[31m\\u009b1m\\u2028\\u202e";
    let p = dir.write(
        "evil\n::error::injected\u{1b}[2J.json",
        &format!("{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Sid\": \"{sid}\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObjekt\", \"Resource\": \"*\"}}]}}\n"),
    );
    // the same controls raw in a file's text (the excerpts of the human format)
    let q = dir.write(
        "raw.json",
        "{\"Version\": \"2012-10-17\",\r\n \"Statement\": [{\"Sid\": \"x\u{1b}]0;title\u{7}\u{9b}\u{202e}\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObjekt\", \"Resource\": \"*\"}]}\r\n",
    );
    let outs = every_output(&dir, &[&p, &q]);
    for (what, out) in &outs {
        for line in out.lines() {
            let line = line.trim_start();
            assert!(
                !line.starts_with("::stop-commands") && !line.starts_with("::error::injected"),
                "{what}: a line starts with an input's text: {line:?}\n{out}"
            );
        }
        assert_eq!(raw_controls(out), Vec::<char>::new(), "{what}:\n{out:?}");
    }
    // the findings are still there, with the escaped text
    let concise = &outs
        .iter()
        .find(|(w, _)| w == "concise (stdout)")
        .unwrap()
        .1;
    assert!(
        concise.contains("evil\\n::error::injected\\u{1b}[2J.json:1:"),
        "{concise}"
    );
    assert!(concise.contains("a\\n::stop-commands::x\\r"), "{concise}");
    // JSON keeps the values: the same Sid once decoded
    let json = &outs.iter().find(|(w, _)| w == "json (stdout)").unwrap().1;
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    assert!(v["findings"].as_array().unwrap().iter().any(|f| f["file"]
        .as_str()
        .unwrap()
        .contains("\n::error::injected\u{1b}")));
    // an error on standard error that names a path
    let out = common::run(&[
        "check",
        "--no-config",
        "--baseline",
        "x\n::error::y\u{1b}[2J",
        &q,
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("x\\n::error::y\\u{1b}[2J"),
        "{}",
        out.stderr
    );
    assert_eq!(raw_controls(&out.stderr), Vec::<char>::new());
}

/// Whether `c` is a character XML 1.0 allows.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

#[test]
fn junit_output_is_xml_whatever_the_text() {
    let dir = tempdir::Dir::new();
    let p = dir.write(
        "nonchar\u{ffff}.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"a\\uFFFEb\\uFFFF\\u0001\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObjekt\\uFFFF\", \"Resource\": \"*\"}]}",
    );
    let out = common::run(&["check", "--no-config", "--format", "junit", &p]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let bad: Vec<char> = out.stdout.chars().filter(|c| !xml_char(*c)).collect();
    assert_eq!(bad, Vec::<char>::new(), "{}", out.stdout);
    let mut reader = quick_xml::Reader::from_str(&out.stdout);
    let mut failures = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(e)) if e.name().into_inner() == "failure" => {
                failures += 1
            }
            Ok(_) => {}
            Err(e) => panic!("not XML: {e}\n{}", out.stdout),
        }
    }
    assert!(failures >= 2, "{}", out.stdout);
}

#[test]
fn json_offsets_are_bytes_of_a_file_that_is_not_utf8() {
    // three Latin-1 bytes before the findings: the decoded text holds 3 bytes for each
    let dir = tempdir::Dir::new();
    let bytes = b"{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"Facturaci\xf3n\xe9\xe9\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObjekt\", \"Resource\": \"*\"}]}".to_vec();
    let p = dir.path().join("latin1.json");
    std::fs::write(&p, &bytes).unwrap();
    let (_, v) = json_findings(&["--no-config", p.to_str().unwrap()]);
    let findings = v["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        let (start, end) = (
            f["offset"]["start"].as_u64().unwrap() as usize,
            f["offset"]["end"].as_u64().unwrap() as usize,
        );
        assert!(start <= end && end <= bytes.len(), "{f:#}");
        // the line and column count the characters before the offset (an invalid byte is one)
        let before = String::from_utf8_lossy(&bytes[..start]);
        assert_eq!(f["range"]["start"]["line"], 1, "{f:#}");
        assert_eq!(
            f["range"]["start"]["column"].as_u64().unwrap() as usize,
            before.chars().count() + 1,
            "{f:#}"
        );
    }
    let unknown = findings.iter().find(|f| f["code"] == "IAM002").unwrap();
    let (start, end) = (
        unknown["offset"]["start"].as_u64().unwrap() as usize,
        unknown["offset"]["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&bytes[start..end], b"s3:GetObjekt", "{unknown:#}");
    let invalid = findings.iter().find(|f| f["code"] == "JSON005").unwrap();
    assert_eq!(invalid["offset"]["start"], 58, "{invalid:#}");
    assert_eq!(invalid["offset"]["end"], 59, "{invalid:#}");
}

#[test]
fn no_line_of_a_text_format_starts_with_a_workflow_command() {
    // without a line break of its own: a file name starts each concise line (and `--verbose`
    // line), and the human format wraps a long help where a quoted value's word falls
    let dir = tempdir::Dir::new();
    for n in 60..90 {
        dir.write(
            &format!("res{n}.json"),
            &format!("{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::{} ::stop-commands::x\"}}]}}", "a".repeat(n)),
        );
    }
    let policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObjekt\", \"Resource\": \"*\"}]}";
    dir.write("::warning file=x::pwned.json", policy);
    dir.write("##vso[task.setvariable variable=x]y.json", policy);
    dir.write(" ::error::spaced.json", policy);
    for format in FORMATS {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_finops-lint"))
            .args(["check", "--no-config", "-v", "--format", format, "."])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(stdout.contains("pwned.json"), "{format}: {stdout}");
        for line in stdout.lines() {
            let t = line.trim_start();
            let ours = format == "github"
                && ["::error file=", "::warning file=", "::notice file="]
                    .iter()
                    .any(|c| t.starts_with(c));
            assert!(
                ours || !(t.starts_with("::") || t.starts_with("##")),
                "{format}: {line:?}"
            );
        }
    }
}
