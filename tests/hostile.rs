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
    // build, 2 s in a release build), one finding for the size and one for the repetition (once
    // for the million equal statements, not once each)
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
    assert_eq!(
        codes_for(&v, "many.json"),
        vec!["POL016".to_string(), "POL023".to_string()]
    );
    assert!(v["findings"][1]["message"]
        .as_str()
        .unwrap()
        .contains("1000000 statements"));
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

/// A small YAML file whose aliases copy a long scalar again and again: 4,096 copies of 8 KiB
/// (32 MiB) from 9 KB of text, few values. The file is a finding where its expansion passes the
/// byte budget, whatever it looks like, and the other files are still checked.
#[test]
fn yaml_aliases_are_bounded_in_bytes() {
    let dir = tempdir::Dir::new();
    let mut fan = format!("s: &s \"{}\"\n", "x".repeat(8192));
    for i in 0..4 {
        let prev = if i == 0 {
            "s".to_string()
        } else {
            format!("l{}", i - 1)
        };
        let items = vec![format!("*{prev}"); 8].join(", ");
        fan.push_str(&format!("l{i}: &l{i} [{items}]\n"));
    }
    dir.write(
        "template.yaml",
        &format!(
            "AWSTemplateFormatVersion: \"2010-09-09\"\nMetadata:\n  {}\nResources: {{}}\n",
            fan.trim_end().replace('\n', "\n  ")
        ),
    );
    // not a template, policy or AWS output by its words: reported all the same
    dir.write("other.yaml", &fan);
    dir.write(
        "ok.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": []}",
    );
    let (code, v) = json_findings(&["--no-config", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    for file in ["template.yaml", "other.yaml"] {
        let found: Vec<&serde_json::Value> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["file"].as_str().unwrap().ends_with(file))
            .collect();
        assert_eq!(found.len(), 1, "{file}: {v:#}");
        assert_eq!(found[0]["code"], "JSON001");
        assert!(
            found[0]["message"]
                .as_str()
                .unwrap()
                .contains("expands to more than 16 MiB"),
            "{:#}",
            found[0]
        );
        assert_eq!(found[0]["text"], "*l2", "the alias where it ran out");
    }
    assert_eq!(codes_for(&v, "ok.json"), vec!["POL004".to_string()]);
}

/// The findings of one file (by the end of its name) in a JSON report.
fn findings_for<'v>(v: &'v serde_json::Value, file_end: &str) -> Vec<&'v serde_json::Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"].as_str().unwrap().ends_with(file_end))
        .collect()
}

/// Terraform `locals` that fan out, each in a small file of its own folder: copies of a
/// string (32 MiB from 1 KB), a template that doubles its text (32 MiB), and copies of `null`
/// (2 million values, no text). Each is one finding on its file, at the attribute where the
/// budget ran out; the other files are still checked.
#[test]
fn terraform_expansion_is_bounded_in_bytes_and_steps() {
    let dir = tempdir::Dir::new();
    let fan = |first: &str, levels: usize| {
        let mut t = format!("locals {{\n  l0 = {first}\n");
        for i in 1..=levels {
            let items = vec![format!("local.l{}", i - 1); 8].join(", ");
            t.push_str(&format!("  l{i} = [{items}]\n"));
        }
        t.push_str("}\n");
        t
    };
    dir.write(
        "copies/main.tf",
        &fan(&format!("\"{}\"", "x".repeat(128)), 6),
    );
    dir.write("values/main.tf", &fan("null", 7));
    let mut doubling = format!("locals {{\n  t0 = \"{}\"\n", "y".repeat(64));
    for i in 1..=19 {
        doubling.push_str(&format!(
            "  t{i} = \"${{local.t{}}}${{local.t{}}}\"\n",
            i - 1,
            i - 1
        ));
    }
    doubling.push_str("}\n");
    dir.write("template/main.tf", &doubling);
    dir.write(
        "ok/main.tf",
        "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({Version = \"2012-10-17\", Statement = [{Effect = \"Allow\", Action = \"s3:GetObjcet\", Resource = \"*\"}]})\n}\n",
    );
    for f in ["copies/main.tf", "values/main.tf", "template/main.tf"] {
        assert!(std::fs::metadata(dir.path().join(f)).unwrap().len() < 2_000);
    }
    let (code, v) = json_findings(&["--no-config", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    for (file, what, at) in [
        ("copies/main.tf", "16.0 MiB of text", "l6 = "),
        ("template/main.tf", "16.0 MiB of text", "t"),
        ("values/main.tf", "evaluation steps", "l7 = "),
    ] {
        let found = findings_for(&v, file);
        assert_eq!(found.len(), 1, "{file}: {v:#}");
        assert_eq!(found[0]["code"], "JSON001");
        let message = found[0]["message"].as_str().unwrap();
        assert!(
            message.contains("expands to more than") && message.contains(what),
            "{file}: {message}"
        );
        assert!(
            found[0]["text"].as_str().unwrap().starts_with(at),
            "{file}: {:#}",
            found[0]
        );
    }
    assert_eq!(codes_for(&v, "ok/main.tf"), vec!["IAM002".to_string()]);
}

/// `file(...)` reads only inside the checked tree: an absolute path, `..` out of the folder,
/// `/proc/self/environ` and a link that leads outside are findings that name the path, and
/// nothing of those files reaches the output; a policy inside is read and checked, and one in
/// another folder of the checked tree too. `templatefile(...)` reads nothing.
#[test]
fn terraform_file_reads_only_inside_the_checked_tree() {
    let dir = tempdir::Dir::new();
    let marker = "ZQXJ-outside-marker";
    let outside = dir.write(
        "outside/secret.json",
        &format!("{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Sid\": \"{marker}\", \"Effect\": \"Allow\", \"Action\": \"{marker}:Get\", \"Resource\": \"*\"}}]}}\n"),
    );
    dir.write(
        "repo/policies/shared.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObjcet\", \"Resource\": \"*\"}]}\n",
    );
    dir.write(
        "repo/mod/policies/inside.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:PutObjcet\", \"Resource\": \"*\"}]}\n",
    );
    let module = dir.path().join("repo/mod");
    std::os::unix::fs::symlink(&outside, module.join("link.json")).unwrap();
    let policy = |name: &str, expr: &str| {
        format!("resource \"aws_iam_policy\" \"{name}\" {{\n  policy = {expr}\n}}\n")
    };
    let tf = [
        policy("absolute", &format!("file(\"{outside}\")")),
        policy("up", "file(\"${path.module}/../../outside/secret.json\")"),
        policy("environ", "file(\"/proc/self/environ\")"),
        policy("link", "file(\"link.json\")"),
        policy(
            "template",
            "templatefile(\"../../outside/secret.json\", {})",
        ),
        policy("inside", "file(\"${path.module}/policies/inside.json\")"),
        policy("shared", "file(\"../policies/shared.json\")"),
    ]
    .concat();
    dir.write("repo/mod/main.tf", &tf);
    let m = module.to_string_lossy().to_string();
    for format in ["human", "concise", "json", "sarif", "github"] {
        let out = common::run(&["check", "--no-config", "--format", format, &m]);
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        for text in [&out.stdout, &out.stderr] {
            assert!(!text.contains(marker), "{format}: {text}");
            assert!(!text.contains("PATH="), "{format}: {text}");
        }
    }
    let (_, v) = json_findings(&["--no-config", &m]);
    let main = findings_for(&v, "main.tf");
    let outside_of = |call: &str| {
        main.iter()
            .find(|f| f["text"].as_str().unwrap().contains(call))
            .unwrap_or_else(|| panic!("{call}: {v:#}"))
    };
    for call in ["outside/secret.json\")", "/proc/self/environ", "link.json"] {
        let f = outside_of(call);
        assert_eq!(f["code"], "IO001", "{f:#}");
        assert!(
            f["message"]
                .as_str()
                .unwrap()
                .contains("is outside this file's folder"),
            "{f:#}"
        );
    }
    assert!(outside_of("link.json")["message"]
        .as_str()
        .unwrap()
        .contains("link.json"));
    // inside the module: read and checked; beside it, outside the module and the checked path
    assert_eq!(codes_for(&v, "inside.json"), vec!["IAM002".to_string()]);
    assert!(outside_of("../policies/shared.json")["message"]
        .as_str()
        .unwrap()
        .contains("outside"));
    // with the repository checked, the shared policy is inside the checked tree
    let repo = dir.path().join("repo").to_string_lossy().to_string();
    let (_, v) = json_findings(&["--no-config", &repo]);
    assert_eq!(codes_for(&v, "shared.json"), vec!["IAM002".to_string()]);
    assert!(!v.to_string().contains(marker));
}

/// The other `.tf` files of a module resolve references, but a link among them that leads
/// outside the checked tree is not read.
#[test]
fn a_linked_tf_file_outside_the_tree_is_not_read() {
    let dir = tempdir::Dir::new();
    let marker = "zqxjoutside";
    let vars = dir.write(
        "outside/vars.tf",
        &format!("locals {{\n  action = \"{marker}:GetThing\"\n}}\n"),
    );
    dir.write(
        "repo/main.tf",
        "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({Version = \"2012-10-17\", Statement = [{Effect = \"Allow\", Action = local.action, Resource = \"*\"}]})\n}\n",
    );
    std::os::unix::fs::symlink(&vars, dir.path().join("repo/vars.tf")).unwrap();
    let repo = dir.path().join("repo").to_string_lossy().to_string();
    let out = common::run(&["check", "--no-config", "--format", "json", &repo]);
    assert!(!out.stdout.contains(marker), "{}", out.stdout);
    // a copy inside the folder is read: the reference resolves
    std::fs::remove_file(dir.path().join("repo/vars.tf")).unwrap();
    std::fs::copy(&vars, dir.path().join("repo/vars.tf")).unwrap();
    let out = common::run(&["check", "--no-config", "--format", "json", &repo]);
    assert!(out.stdout.contains(marker), "{}", out.stdout);
}

/// CloudFormation names that refer to each other and fan out: each bucket's name picks one of
/// sixteen `Ref`s of the one before, so resolving the last reads the first a million times
/// (64 MiB of copies from a 1.6 KB template). One finding on the template, at the resource being
/// resolved; the other files are still checked.
#[test]
fn cloudformation_expansion_is_bounded() {
    let dir = tempdir::Dir::new();
    let mut t = format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  B0:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: \"{}\"\n",
        "x".repeat(64)
    );
    for i in 1..=5 {
        let refs = vec![format!("!Ref B{}", i - 1); 16].join(", ");
        t.push_str(&format!(
            "  B{i}:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Select [0, [{refs}]]\n"
        ));
    }
    t.push_str("  Policy:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref B5\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Principal: \"*\"\n            Action: s3:GetObjcet\n            Resource: !Sub \"arn:aws:s3:::${B5}/*\"\n");
    assert!(t.len() < 2_000);
    dir.write("fan.yaml", &t);
    dir.write(
        "ok.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": []}",
    );
    let (code, v) = json_findings(&["--no-config", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    let found = findings_for(&v, "fan.yaml");
    assert_eq!(found.len(), 1, "{v:#}");
    assert_eq!(found[0]["code"], "JSON001");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("expands to more than"),
        "{:#}",
        found[0]
    );
    assert_eq!(found[0]["text"], "B5", "{:#}", found[0]);
    assert_eq!(codes_for(&v, "ok.json"), vec!["POL004".to_string()]);
}

/// A writer whose every write fails like a pipe whose reader is gone.
struct Closed;

impl std::io::Write for Closed {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn output_to_a_closed_standard_output_is_an_error() {
    // in process, every command and format
    let dir = tempdir::Dir::new();
    let p = dir.write("p.json", "{\"Statement\": [{\"Effect\": \"allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}");
    let mut runs: Vec<Vec<&str>> = [
        "human", "concise", "json", "sarif", "github", "junit", "gitlab",
    ]
    .iter()
    .map(|f| vec!["check", "--no-config", "--format", f, p.as_str()])
    .collect();
    runs.push(vec!["check", "--no-config", "--diff", p.as_str()]);
    runs.push(vec![
        "check",
        "--no-config",
        "--fail-on",
        "never",
        p.as_str(),
    ]);
    runs.push(vec!["rules"]);
    runs.push(vec!["rule", "POL005"]);
    runs.push(vec!["--version"]);
    for args in runs {
        let err = common::Buf::default();
        let mut io = finops_lint::Io {
            stdin: Box::new(std::io::empty()),
            stdout: Box::new(Closed),
            stderr: Box::new(err.clone()),
            color: false,
        };
        let mut full = vec!["finops-lint"];
        full.extend_from_slice(&args);
        let code = finops_lint::run(full, &mut io);
        assert_eq!(code, 2, "{args:?}: {}", err.text());
        assert!(
            err.text().contains("error: cannot write the output: "),
            "{args:?}: {}",
            err.text()
        );
    }
    // a real pipe whose reader is closed before the program writes
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_finops-lint"))
        .args(["check", "--no-config", &p])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot write the output: Broken pipe"),
        "{stderr}"
    );
}

#[test]
fn links_skipped_by_a_walk_are_named_with_verbose_escaped() {
    let dir = tempdir::Dir::new();
    let p = dir.write(
        "infra/p.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": []}",
    );
    let outside = tempdir::Dir::new();
    outside.write(
        "secret.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": []}",
    );
    std::os::unix::fs::symlink(&p, dir.path().join("infra/alias.json")).unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("infra/out")).unwrap();
    std::os::unix::fs::symlink(
        &p,
        dir.path().join("infra/x\n::stop-commands::y\u{1b}[2J.json"),
    )
    .unwrap();
    let root = dir.path().join("infra");
    let root = root.to_str().unwrap();
    let quiet = common::run(&["check", "--no-config", "--format", "json", root]);
    assert_eq!(quiet.stderr, "");
    let v: serde_json::Value = serde_json::from_str(&quiet.stdout).unwrap();
    assert_eq!(v["summary"]["files"], 1, "links are not followed");
    let loud = common::run(&["check", "--no-config", "--format", "json", "-v", root]);
    assert_eq!(loud.stdout, quiet.stdout);
    let lines: Vec<&str> = loud.stderr.lines().collect();
    let expected: Vec<String> = [
        "alias.json".to_string(),
        "out".to_string(),
        "x\\u{a}::stop-commands::y\\u{1b}[2J.json".to_string(),
    ]
    .iter()
    .map(|n| format!("{root}/{n}: skipped: a symbolic link (walks do not follow links)"))
    .collect();
    assert_eq!(lines, expected, "{}", loud.stderr);
}

/// Run the binary with a deadline (a hang or an endless read is killed and fails the test).
fn bin_within(args: &[&str], secs: u64) -> (Option<i32>, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_finops-lint"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            return (status.code(), err);
        }
        if started.elapsed() > std::time::Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`finops-lint {}` still ran after {secs} s", args.join(" "));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_configuration_or_baseline_that_is_not_a_regular_file_is_a_usage_error() {
    let dir = tempdir::Dir::new();
    let ok = dir.write("p.json", "{\"Version\": \"2012-10-17\", \"Statement\": []}");
    let fifo = dir.path().join("fifo.toml");
    common::mkfifo(&fifo);
    let fifo = fifo.to_str().unwrap();
    let big = dir.path().join("big.toml");
    // sparse: 100 MB past the 64 MiB limit, without writing it
    std::fs::File::create(&big)
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    let big = big.to_str().unwrap();
    for (flag, path, why) in [
        ("--config", fifo, "not a regular file"),
        ("--config", "/dev/zero", "not a regular file"),
        ("--config", big, "64 MiB"),
        ("--baseline", fifo, "not a regular file"),
        ("--baseline", "/dev/zero", "not a regular file"),
    ] {
        let (code, err) = bin_within(&["check", flag, path, &ok], 20);
        assert_eq!(code, Some(2), "{flag} {path}: {err}");
        assert!(
            err.starts_with("error: cannot read the") && err.contains(why),
            "{flag} {path}: {err}"
        );
    }
    // a FIFO named like the configuration is refused too, not passed over for a parent's
    let sub = dir.path().join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    common::mkfifo(&sub.join("finops-lint.toml"));
    let (code, err) = bin_within(&["check", sub.to_str().unwrap()], 20);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("not a regular file"), "{err}");
}

/// Run the program as a process, killed (and the test failed) if it has not finished within
/// `secs`: a hang is a failure, not a stuck test run.
#[cfg(unix)]
fn run_within(secs: u64, shell_prefix: &str, args: &[&str]) -> (i32, String, String) {
    use std::io::Read;
    let bin = env!("CARGO_BIN_EXE_finops-lint");
    let mut cmd = if shell_prefix.is_empty() {
        let mut c = std::process::Command::new(bin);
        c.args(args);
        c
    } else {
        // `exec` keeps the limits the prefix sets (`ulimit -v ...`) for the program
        let mut c = std::process::Command::new("sh");
        c.arg("-c")
            .arg(format!("{shell_prefix}; exec \"$0\" \"$@\""))
            .arg(bin)
            .args(args);
        c
    };
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // read both pipes while it runs, so that a large output does not block it
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut o = Vec::new();
        let _ = out.read_to_end(&mut o);
        o
    });
    let err_reader = std::thread::spawn(move || {
        let mut e = Vec::new();
        let _ = err.read_to_end(&mut e);
        e
    });
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > std::time::Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`finops-lint {}` did not finish within {secs} s",
                args.join(" ")
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let stdout = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned();
    (status.code().unwrap_or(-1), stdout, stderr)
}

#[cfg(unix)]
#[test]
fn simulate_reads_only_regular_files_up_to_the_size_limit() {
    let dir = tempdir::Dir::new();
    let fifo = dir.path().join("pipe.json");
    common::mkfifo(&fifo);
    let big = dir.path().join("big.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(finops_lint::fs::MAX_FILE_SIZE_MIB * 1024 * 1024 + 1)
        .unwrap();
    let ok = dir.write(
        "ok.json",
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
    );
    let fifo = format!("file://{}", fifo.display());
    let big = big.to_string_lossy().to_string();
    for (option, arg, says) in [
        (
            "--policy-input-list",
            "file:///dev/zero",
            "not a regular file",
        ),
        ("--policy-input-list", fifo.as_str(), "not a regular file"),
        ("--policy-input-list", big.as_str(), "MiB"),
        (
            "--resource-policy",
            "file:///dev/zero",
            "not a regular file",
        ),
        (
            "--permissions-boundary-policy-input-list",
            fifo.as_str(),
            "not a regular file",
        ),
    ] {
        let mut args = vec!["simulate", "--action-names", "s3:GetObject"];
        if option != "--policy-input-list" {
            args.extend(["--policy-input-list", ok.as_str()]);
        }
        args.extend([option, arg]);
        let (code, _, stderr) = run_within(60, "", &args);
        assert_eq!(code, 2, "{option} {arg}: {stderr}");
        let name = arg.strip_prefix("file://").unwrap_or(arg);
        assert!(
            stderr.contains(&format!("cannot read `{name}`")) && stderr.contains(says),
            "{option} {arg}: {stderr}"
        );
    }
}

#[cfg(unix)]
#[test]
fn simulate_writes_a_large_request_matrix_in_bounded_memory() {
    // 400 actions by 400 resources: 160,000 results, which took some 400 MB when they were
    // all held before being written; the address space here is 256 MB
    let actions: Vec<String> = (0..400).map(|i| format!("s3:GetObject{i}")).collect();
    let resources: Vec<String> = (0..400)
        .map(|i| format!("arn:aws:s3:::acme-finops-billing/k{i}"))
        .collect();
    let mut args = vec![
        "simulate",
        "--policy-input-list",
        "examples/onboarding/readonly-policy.json",
        "--action-names",
    ];
    args.extend(actions.iter().map(String::as_str));
    args.push("--resource-arns");
    args.extend(resources.iter().map(String::as_str));
    let (code, stdout, stderr) = run_within(300, "ulimit -v 262144", &args);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let results = v["EvaluationResults"].as_array().unwrap();
    assert_eq!(results.len(), 160_000);
    assert_eq!(results[401]["EvalActionName"], "s3:GetObject1");
    assert_eq!(
        results[401]["EvalResourceName"],
        "arn:aws:s3:::acme-finops-billing/k1"
    );
    assert_eq!(v["IsTruncated"], false);
}

#[test]
fn wildcards_that_fit_each_other_stop_the_redundancy_check_with_a_note() {
    // each wildcard starts and ends like every other (`arn:aws:s3:::b/*/k{i}/*`): comparing
    // all pairs of 40,000 of them took over a minute; the check stops at its budget and says so
    let dir = tempdir::Dir::new();
    let resources: Vec<String> = (0..40_000)
        .map(|i| format!("\"arn:aws:s3:::b/*/k{i}/*\""))
        .collect();
    let p = dir.write(
        "wide.json",
        &format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": [{}]}},
{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::c/*", "arn:aws:s3:::c/x"]}}]}}"#,
            resources.join(",")
        ),
    );
    let (_, v) = json_findings(&["--no-config", &p]);
    let notes: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "IAM007")
        .collect();
    assert_eq!(notes.len(), 1, "{notes:#?}");
    let note = notes[0];
    assert_eq!(
        note["message"],
        "the check for redundant resources stopped at this statement"
    );
    assert_eq!(note["range"]["start"]["line"], 1);
    assert!(
        note["note"].as_str().unwrap().contains("40000 entries"),
        "{note:#}"
    );
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

#[test]
fn the_configurations_name_is_escaped_in_the_notes_on_standard_error() {
    let dir = tempdir::Dir::new();
    let hostile = "cfg\n::stop-commands::x\u{1b}[2J";
    dir.write(
        &format!("{hostile}/finops-lint.toml"),
        "[onboarding]\nbucket = \"s3://not-a-bucket\"\n\n[files]\ninclude = [\"infra/**\"]\n",
    );
    let p = dir.write(
        &format!("{hostile}/p.json"),
        "{\"Version\": \"2012-10-17\", \"Statement\": []}",
    );
    let p = p.as_str();
    // a file named that `include` leaves out: a note naming the configuration
    let left_out = common::run(&["check", p]);
    assert!(
        left_out.stderr.contains("leaves out"),
        "{}",
        left_out.stderr
    );
    // a scenario the configuration's invalid bucket cannot serve: a note naming it
    let scenario = common::run(&[
        "check",
        "--scenario",
        "root-existing-export",
        "--account-id",
        "402938475610",
        p,
    ]);
    assert!(
        scenario.stderr.contains("is not checked"),
        "{}",
        scenario.stderr
    );
    for out in [&left_out, &scenario] {
        assert!(!out.stderr.contains('\u{1b}'), "{}", out.stderr);
        assert!(
            out.stderr.lines().all(|l| !l.starts_with("::")),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("\\u{1b}[2J"), "{}", out.stderr);
    }
}

#[test]
fn a_named_link_out_of_the_tree_is_a_finding_and_not_read() {
    let dir = tempdir::Dir::new();
    let outside = tempdir::Dir::new();
    let secret = outside.write(
        "credentials.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Alow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}",
    );
    let inside = dir.write(
        "repo/real.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Alow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}",
    );
    let repo = dir.path().join("repo");
    std::os::unix::fs::symlink(&secret, repo.join("out.json")).unwrap();
    std::os::unix::fs::symlink(&inside, repo.join("alias.json")).unwrap();
    let out = repo.join("out.json");
    let alias = repo.join("alias.json");
    let run = common::run(&[
        "check",
        "--no-config",
        "--format",
        "json",
        out.to_str().unwrap(),
        alias.to_str().unwrap(),
    ]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let found: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = f["file"].as_str().unwrap();
            (
                file.rsplit('/').next().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // the link out: IO001, and its target's invalid Effect is never seen; the link within the
    // tree is read
    let mut found = found;
    found.sort();
    assert_eq!(
        found,
        [
            ("alias.json".to_string(), "POL005".to_string()),
            ("out.json".to_string(), "IO001".to_string())
        ],
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("outside the checked tree"),
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 1);
}

/// A 1 MiB Terraform file with 64 calls of a local module of ten files: each module file read
/// for a call is read after a copy of the caller's text, which took some 700 MB and half a
/// minute before the copies had a budget; the address space here is 512 MB.
#[cfg(unix)]
#[test]
fn module_calls_from_a_large_caller_stay_within_memory() {
    let d = tempdir::Dir::new();
    let module = |i: usize| {
        format!(
            "{}data \"aws_iam_policy_document\" \"p{i}\" {{\n  statement {{\n    actions   = [\"s3:GetObject\"]\n    resources = [\"arn:aws:s3:::${{var.bucket}}/*\"]\n  }}\n}}\nresource \"aws_iam_policy\" \"p{i}\" {{\n  name   = \"p{i}\"\n  policy = data.aws_iam_policy_document.p{i}.json\n}}\n",
            if i == 0 { "variable \"bucket\" {}\n" } else { "" }
        )
    };
    for i in 0..10 {
        d.write(&format!("m/f{i}.tf"), &module(i));
    }
    let mut caller = String::new();
    for i in 0..64 {
        let bucket = if i == 0 {
            "<bucket_name>".to_string()
        } else {
            format!("b{i}")
        };
        caller.push_str(&format!(
            "module \"m{i}\" {{\n  source = \"../m\"\n  bucket = \"{bucket}\"\n}}\n"
        ));
    }
    let line = format!("# {}\n", "x".repeat(1000));
    caller.push_str(&line.repeat(1000));
    d.write("root/main.tf", &caller);
    let dir = d.path().to_string_lossy().to_string();
    let (code, stdout, stderr) = run_within(
        300,
        "ulimit -v 524288",
        &["check", "--no-config", "--format", "json", &dir],
    );
    assert_eq!(code, 1, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // the first call is followed: its placeholder is reported at the call
    let f = findings_for(&v, "main.tf");
    assert!(
        f.iter()
            .any(|x| x["code"] == "VAL001" && x["range"]["start"]["line"] == 1),
        "{v:#}"
    );
}

/// IAC003 names the value a parameter is refused: a value that may be a secret (a `NoEcho`
/// parameter's, a parameter named for a secret, a value of a secret's shape given on the
/// command line) is shown by its start and length only.
#[test]
fn a_refused_parameter_value_that_may_be_a_secret_is_not_printed() {
    let d = tempdir::Dir::new();
    let t = d.write(
        "t.yaml",
        "AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  Pass:\n    Type: String\n    NoEcho: true\n    AllowedValues: [a, b]\n    Default: hunter2hunter2\n  Other:\n    Type: String\n    AllowedValues: [a, b]\n    Default: a\n  Plain:\n    Type: String\n    AllowedValues: [a, b]\n    Default: c\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Other\n",
    );
    let key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKQZ";
    let given = format!("Other={key}");
    for format in ["json", "concise", "human", "sarif", "github", "junit"] {
        let out = common::run(&[
            "check",
            "--no-config",
            "--format",
            format,
            "--parameter",
            &given,
            &t,
        ]);
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        for secret in [key, "hunter2hunter2"] {
            assert!(
                !out.stdout.contains(secret),
                "{format} prints {secret}: {}",
                out.stdout
            );
        }
        assert!(!out.stderr.contains(key), "{}", out.stderr);
    }
    let (_, v) = json_findings(&["--no-config", "--parameter", &given, &t]);
    let messages: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "IAC003")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 3, "{v:#}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`wJal… (40 characters, hidden)`")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`… (14 characters, hidden)`")),
        "{messages:?}"
    );
    // a value that is not secret-like is named as it is
    assert!(
        messages
            .iter()
            .any(|m| m.contains("the default `c` of parameter `Plain`")),
        "{messages:?}"
    );
}

/// A refused `NoEcho` default is masked wherever a message names it, not only in IAC003's.
#[test]
fn a_no_echo_default_is_masked_in_every_message() {
    let d = tempdir::Dir::new();
    let t = d.write(
        "t.yaml",
        "AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  ExternalId:\n    Type: String\n    NoEcho: true\n    Default: hunter2secret\n    AllowedValues: [a-real-external-id-value-0001]\nResources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Principal: {AWS: \"arn:aws:iam::061190967865:root\"}\n            Action: sts:AssumeRole\n            Condition: {StringEquals: {\"sts:ExternalId\": !Ref ExternalId}}\n",
    );
    for format in ["json", "concise", "human", "sarif"] {
        let out = common::run(&[
            "check",
            "--no-config",
            "--platform",
            "cloudzero",
            "--format",
            format,
            &t,
        ]);
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        assert!(out.stdout.contains("TRU002"), "{format}: {}", out.stdout);
        assert!(
            !out.stdout.contains("hunter2secret"),
            "{format}: {}",
            out.stdout
        );
    }
}

/// The checks of Access Analyzer's kind look at pairs (a key and its partner, a session and its
/// role, a tag key and the actions): a statement with very many of each is still checked in one
/// pass, not one per pair.
#[test]
fn a_statement_with_very_many_principals_keys_and_actions_is_checked_in_one_pass() {
    let dir = tempdir::Dir::new();
    let n = 10_000;
    let sessions: Vec<String> = (0..n)
        .map(|i| format!("\"arn:aws:sts::402938475610:assumed-role/r{i}/s\""))
        .collect();
    let roles: Vec<String> = (0..n)
        .map(|i| format!("\"arn:aws:iam::402938475610:role/r{i}\""))
        .collect();
    let oidc: Vec<String> = (0..n)
        .map(|i| format!("\"arn:aws:iam::402938475610:oidc-provider/o{i}.example.com\""))
        .collect();
    let trust = format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Principal\": {{\"AWS\": [{}, {}], \"Federated\": [{}]}}, \"Action\": [\"sts:AssumeRole\", \"sts:AssumeRoleWithWebIdentity\"]}}]}}",
        sessions.join(", "),
        roles.join(", "),
        oidc.join(", ")
    );
    let t = dir.write("trust.json", &trust);
    let tags: Vec<String> = (0..n)
        .map(|i| format!("\"aws:ResourceTag/t{i}\": \"x\", \"ec2:ResourceTag/t{i}\": \"x\""))
        .collect();
    let actions: Vec<String> = (0..n)
        .map(|i| {
            if i % 2 == 0 {
                "\"s3:ListAllMyBuckets\"".to_string()
            } else {
                "\"ec2:RunInstances\"".to_string()
            }
        })
        .collect();
    let identity = format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Deny\", \"Action\": [{}], \"Resource\": \"*\", \"Condition\": {{\"StringEquals\": {{{}, \"ec2:Region\": \"us-east-1\"}}, \"IpAddress\": {{\"aws:VpcSourceIp\": \"10.0.0.0/16\"}}}}}}]}}",
        actions.join(", "),
        tags.join(", ")
    );
    let p = dir.write("identity.json", &identity);
    let (_, v) = json_findings(&["--no-config", &t, &p]);
    let count = |code: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["access_analyzer_code"] == code)
            .count()
    };
    // every session is of a role the statement names; each provider lacks conditions
    assert_eq!(count("REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY"), n);
    assert_eq!(count("MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL"), n);
    // S3's listing carries no resource tag: reported once for the service
    assert_eq!(
        count("DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE"),
        1
    );
    assert_eq!(count("MISSING_PAIRED_CONDITION_KEYS"), 1);
}

/// Inputs that made the Access Analyzer checks slow or large (a review found them): a run of
/// `${` without a `}`, a run of `{{` with one `}}` at the end, and an ARN of 8 MB, which the
/// ARN-format match would have needed gigabytes for. Each is checked, and its findings made.
#[test]
fn runs_of_variable_and_placeholder_openers_and_a_huge_arn_are_checked() {
    let dir = tempdir::Dir::new();
    let dollars = dir.write(
        "dollars.json",
        &format!(
            "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"s3:{}\",\"Resource\":\"*\"}}]}}",
            "${".repeat(200_000)
        ),
    );
    let braces = dir.write(
        "braces.json",
        &format!(
            "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{{\"StringEquals\":{{\"aws:SourceVpc\":\"{}}}}}\"}}}}}}]}}",
            "{{".repeat(100_000)
        ),
    );
    let arn = dir.write(
        "arn.json",
        &format!(
            "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"*\",\"NotResource\":\"arn:aws:ec2:us-east-1:402938475610:instance/{}\"}}]}}",
            "a".repeat(8_000_000)
        ),
    );
    let (_, v) = json_findings(&["--no-config", &dollars, &braces, &arn]);
    assert!(
        codes_for(&v, "dollars.json").contains(&"POL008".to_string()),
        "{v:#}"
    );
    assert!(
        codes_for(&v, "braces.json").contains(&"POL022".to_string()),
        "{v:#}"
    );
    assert!(
        codes_for(&v, "arn.json").contains(&"IAM008".to_string()),
        "{v:#}"
    );
}
