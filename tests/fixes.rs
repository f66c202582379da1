//! Every fix a finding carries is machine-applicable: applied to the fixture it came from, the
//! file still parses, that finding is gone, and a second pass over the result changes nothing.

mod common;

use common::json_findings;
use std::path::Path;

fn args_for(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("args"))
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// Apply the edits of every finding that has a fix (later edits first).
fn apply(text: &str, findings: &[serde_json::Value]) -> (String, usize) {
    let mut edits: Vec<(usize, usize, String)> = findings
        .iter()
        .filter_map(|f| f.get("fix"))
        .flat_map(|fix| fix["edits"].as_array().cloned().unwrap_or_default())
        .map(|e| {
            (
                e["offset"]["start"].as_u64().unwrap() as usize,
                e["offset"]["end"].as_u64().unwrap() as usize,
                e["replacement"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    let mut last = usize::MAX;
    let mut applied = 0;
    for (s, e, r) in edits {
        if e > last {
            continue; // overlapping: left for the next pass
        }
        out.replace_range(s..e, &r);
        last = s;
        applied += 1;
    }
    (out, applied)
}

#[test]
fn fixes_apply_cleanly_and_converge() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let tmp = std::env::temp_dir().join(format!("finops-lint-fixes-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut fixed_findings = 0;
    for rule in std::fs::read_dir(&root).unwrap() {
        let dir = rule.unwrap().path();
        let fail = dir.join("fail");
        if !fail.is_dir() {
            continue;
        }
        let extra = args_for(&dir);
        for fixture in std::fs::read_dir(&fail).unwrap() {
            let path = fixture.unwrap().path();
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let target = tmp.join(&name);
            std::fs::write(&target, &text).unwrap();
            let t = target.to_string_lossy().to_string();
            let mut args: Vec<&str> = extra.iter().map(String::as_str).collect();
            args.push(&t);
            let (_, before) = json_findings(&args);
            let findings = before["findings"].as_array().unwrap().clone();
            let with_fix: Vec<&serde_json::Value> =
                findings.iter().filter(|f| f.get("fix").is_some()).collect();
            if with_fix.is_empty() {
                continue;
            }
            let (once, applied) = apply(&text, &findings);
            assert!(applied > 0);
            std::fs::write(&target, &once).unwrap();
            let (_, after) = json_findings(&args);
            let after_findings = after["findings"].as_array().unwrap();
            assert!(
                !after_findings
                    .iter()
                    .any(|f| f["code"].as_str().unwrap().starts_with("JSON")),
                "{}: the fix broke the JSON:\n{once}",
                path.display()
            );
            for f in &with_fix {
                let gone = !after_findings
                    .iter()
                    .any(|a| a["code"] == f["code"] && a["message"] == f["message"]);
                assert!(
                    gone,
                    "{}: `{}` is still reported after its fix:\n{once}",
                    path.display(),
                    f["message"]
                );
                fixed_findings += 1;
            }
            // a second pass changes nothing more for these rules
            let (twice, _) = apply(&once, after_findings);
            let codes: Vec<&str> = with_fix
                .iter()
                .map(|f| f["code"].as_str().unwrap())
                .collect();
            let again: Vec<_> = after_findings
                .iter()
                .filter(|a| codes.contains(&a["code"].as_str().unwrap()) && a.get("fix").is_some())
                .collect();
            assert!(
                again.is_empty() || twice != once,
                "{}: fixes do not converge",
                path.display()
            );
            assert!(
                again.is_empty(),
                "{}: after fixing, these still offer fixes: {again:?}",
                path.display()
            );
        }
    }
    assert!(
        fixed_findings >= 10,
        "only {fixed_findings} fixes were exercised"
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

/// `--diff` shows the safe fixes without writing; `--fix` applies them, keeps the formatting
/// around each edit, and a second `--fix` has nothing left to do.
#[test]
fn fix_and_diff_on_the_command_line() {
    let tmp = std::env::temp_dir().join(format!("finops-lint-fix-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/broken");
    for f in ["bucket-policy.json", "export.json", "readonly-policy.json"] {
        std::fs::copy(root.join(f), tmp.join(f)).unwrap();
    }
    let policy = tmp.join("readonly-policy.json");
    let before = std::fs::read_to_string(&policy).unwrap();
    let dir = tmp.to_string_lossy().to_string();
    let flags = [
        "--no-config",
        "--bucket",
        "acme-finops-billing",
        "--account-id",
        "402938475610",
    ];
    let mut args = vec!["check", "--diff"];
    args.extend(flags);
    args.push(&dir);
    let out = common::run(&args);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.contains("+  \"Version\": \"2012-10-17\","),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("-      \"Effect\": \"allow\","),
        "{}",
        out.stdout
    );
    assert_eq!(
        std::fs::read_to_string(&policy).unwrap(),
        before,
        "--diff wrote the file"
    );
    args[1] = "--fix";
    let out = common::run(&args);
    assert!(out.stderr.starts_with("fixed "), "{}", out.stderr);
    let after = std::fs::read_to_string(&policy).unwrap();
    assert_ne!(after, before);
    // only the edits changed: every line of the original that was not fixed (the Effect, the
    // guide's placeholders, the account ID written as a number) is still there, and the
    // placeholders took the run's values
    assert!(
        !after.contains('<') && after.contains("arn:aws:s3:::acme-finops-billing"),
        "{after}"
    );
    assert!(
        after.contains("\"aws:SourceAccount\": \"402938475610\""),
        "{after}"
    );
    let kept = before
        .lines()
        .filter(|l| {
            !l.contains("allow")
                && !l.contains('<')
                && !l.contains(": 402938475610")
                && !l.trim().is_empty()
        })
        .all(|l| after.contains(l));
    assert!(kept, "{after}");
    // converged: nothing left to fix, and nothing left offers a safe fix
    let out = common::run(&args);
    assert!(out.stderr.starts_with("fixed 0 findings"), "{}", out.stderr);
    let mut j = vec!["--format", "json", "--fail-on", "never"];
    j.extend(flags);
    j.push(&dir);
    let mut a = vec!["check"];
    a.extend(j);
    let v: serde_json::Value = serde_json::from_str(&common::run(&a).stdout).unwrap();
    let left: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["fix"]["applicability"] == "safe")
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let _ = std::fs::remove_dir_all(&tmp);
}

/// `--fix` on files in a fresh folder: the text of each file afterwards, and the findings a
/// `--format json` run then reports.
fn fix_files(files: &[(&str, &str)]) -> (Vec<String>, serde_json::Value) {
    let dir = common::tempdir::Dir::new();
    let paths: Vec<String> = files.iter().map(|(n, t)| dir.write(n, t)).collect();
    let d = dir.path().to_string_lossy().to_string();
    let out = common::run(&["check", "--no-config", "--fix", "--fail-on", "never", &d]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let texts = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let (_, v) = json_findings(&["--no-config", "--fail-on", "never", &d]);
    (texts, v)
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_line_added_to_a_crlf_file_ends_with_crlf() {
    let crlf = "{\r\n  \"Statement\": [\r\n    {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}\r\n  ]\r\n}\r\n";
    let lf = crlf.replace("\r\n", "\n");
    let (texts, v) = fix_files(&[("crlf.json", crlf), ("lf.json", &lf)]);
    assert!(texts[0].contains("\"Version\""), "{}", texts[0]);
    assert_eq!(
        texts[0].matches('\n').count(),
        texts[0].matches("\r\n").count(),
        "a bare LF in {:?}",
        texts[0]
    );
    assert_eq!(texts[1], texts[0].replace("\r\n", "\n"));
    assert!(!codes(&v).contains(&"POL001".to_string()), "{v:#}");
}

#[test]
fn a_lowercase_version_is_renamed_not_doubled() {
    let text = "{\n  \"version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]\n}\n";
    let (texts, v) = fix_files(&[("lower.json", text)]);
    assert_eq!(texts[0], text.replace("\"version\"", "\"Version\""));
    assert!(codes(&v).is_empty(), "{v:#}");
}

#[test]
fn a_wildcard_under_an_ignore_case_operator_is_reported_without_a_fix() {
    // no Like operator ignores case: `StringLike` would no longer match `FIN-team`
    let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\",\n    \"Condition\": {\"StringEqualsIgnoreCase\": {\"aws:PrincipalTag/team\": \"fin*\"}}}]\n}\n";
    let (texts, v) = fix_files(&[("ignore-case.json", text)]);
    assert_eq!(texts[0], text, "--fix changed the operator");
    let f = &v["findings"][0];
    assert_eq!(f["code"], "VAL006", "{v:#}");
    assert!(f.get("fix").is_none(), "{f:#}");
    assert!(
        f["help"].as_str().unwrap().contains("case"),
        "the help says what changes: {f:#}"
    );
}

#[test]
fn the_escaped_star_is_not_a_wildcard() {
    // `${*}` is a literal `*`: nothing to report; a bare `*` beside it still is
    let policy = |value: &str| {
        format!("{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\",\n    \"Condition\": {{\"StringEquals\": {{\"aws:PrincipalTag/team\": \"{value}\"}}}}}}]\n}}\n")
    };
    let escaped = policy("a${*}b${?}c${$}");
    let both = policy("a${*}b*");
    let (texts, v) = fix_files(&[("escaped.json", &escaped), ("both.json", &both)]);
    assert_eq!(texts[0], escaped);
    let files: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["file"].as_str().unwrap(), f["code"].as_str().unwrap()))
        .collect();
    assert!(
        files.iter().all(|(f, _)| !f.ends_with("escaped.json")),
        "{files:?}"
    );
    // the real wildcard was fixed: the operator is now StringLike
    assert!(texts[1].contains("\"StringLike\""), "{}", texts[1]);
}

const UNFIXED: &str = "{\"Statement\": [{\"Effect\": \"allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}\n";

/// `--fix` in a folder holding `p.json` (POL001 and POL005 both offer a fix) and `config`
/// (when given) as its `finops-lint.toml`; the text of `p.json` afterwards.
fn fixed_with(config: Option<&str>, extra: &[&str]) -> String {
    let dir = common::tempdir::Dir::new();
    let p = dir.write("p.json", UNFIXED);
    if let Some(c) = config {
        dir.write("finops-lint.toml", c);
    }
    let mut args = vec!["check", "--fix"];
    args.extend_from_slice(extra);
    args.push(&p);
    let out = common::run(&args);
    assert_ne!(out.code, 2, "{}", out.stderr);
    std::fs::read_to_string(&p).unwrap()
}

#[test]
fn fix_applies_only_the_fixes_of_findings_the_run_reports() {
    // both fixes without a configuration
    let all = fixed_with(None, &[]);
    assert!(
        all.contains("\"Version\"") && all.contains("\"Allow\""),
        "{all}"
    );
    let only_effect = |text: &str| !text.contains("\"Version\"") && text.contains("\"Allow\"");
    for config in [
        "[rules]\nselect = [\"POL005\"]\n",
        "[rules]\nseverity = { POL001 = \"off\" }\n",
        "[rules]\nseverity = { missing-version = \"off\" }\n",
        "[[ignore]]\nrules = [\"POL001\"]\npaths = [\"*.json\"]\nreason = \"the policies are written by a tool\"\n",
    ] {
        let text = fixed_with(Some(config), &[]);
        assert!(only_effect(&text), "{config}\n{text}");
    }
    // an ignore for other files fixes this one
    let other = "[[ignore]]\nrules = [\"POL001\"]\npaths = [\"legacy/*.json\"]\nreason = \"old\"\n";
    assert!(fixed_with(Some(other), &[]).contains("\"Version\""));
    // a finding the baseline records is not reported, so not fixed
    let dir = common::tempdir::Dir::new();
    let p = dir.write("p.json", UNFIXED);
    let b = dir.path().join("baseline.json");
    let b = b.to_str().unwrap();
    common::run(&["check", "--no-config", "--write-baseline", b, &p]);
    let out = common::run(&["check", "--no-config", "--fix", "--baseline", b, &p]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&p).unwrap(), UNFIXED);
    // `--diff` shows the same
    dir.write("finops-lint.toml", "[rules]\nselect = [\"POL005\"]\n");
    let out = common::run(&["check", "--diff", &p]);
    assert!(
        out.stdout
            .contains("+{\"Statement\": [{\"Effect\": \"Allow\""),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("Version"), "{}", out.stdout);
    assert!(out.stderr.starts_with("1 fix in 1 file"), "{}", out.stderr);
}

#[test]
fn fix_leaves_alone_what_a_template_suppresses() {
    let dir = common::tempdir::Dir::new();
    let template = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "ReadOnly": {
      "Type": "AWS::IAM::ManagedPolicy",
      "Metadata": {"finops-lint": {"ignore": [{"rules": ["POL005"], "reason": "kept for the test"}]}},
      "Properties": {
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}]}
      }
    }
  }
}
"#;
    let p = dir.write("template.json", template);
    let out = common::run(&["check", "--no-config", "--fix", &p]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(std::fs::read_to_string(&p).unwrap(), template);
    // without the suppression the fix applies
    let open = template.replace(
        r#""Metadata": {"finops-lint": {"ignore": [{"rules": ["POL005"], "reason": "kept for the test"}]}},"#,
        "",
    );
    std::fs::write(&p, &open).unwrap();
    common::run(&["check", "--no-config", "--fix", &p]);
    assert!(std::fs::read_to_string(&p).unwrap().contains("\"Allow\""));
}

/// A file whose fixed text cannot be written (here: larger than the file size limit of the
/// process, which fails the write even for root) is an IO001 finding; the original is put back,
/// and the other files are fixed, checked and printed.
#[test]
fn a_file_that_cannot_be_written_is_a_finding_and_the_run_goes_on() {
    if std::process::Command::new("prlimit")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: prlimit (util-linux) is not installed");
        return;
    }
    let dir = common::tempdir::Dir::new();
    const LIMIT: usize = 4096;
    // just under the limit: the missing `Version` pushes the fixed text over it
    let pad = " ".repeat(LIMIT - 10 - UNFIXED.len());
    let big_text = format!("{}{pad}\n", UNFIXED.trim_end());
    assert!(big_text.len() < LIMIT);
    let big = dir.write("a-big.json", &big_text);
    let small = dir.write("b-small.json", UNFIXED);
    let out = std::process::Command::new("sh")
        .args([
            "-c",
            "trap '' XFSZ; exec prlimit --fsize=4096 -- \"$@\"",
            "sh",
            env!("CARGO_BIN_EXE_finops-lint"),
            "check",
            "--no-config",
            "--fix",
            "--format",
            "json",
        ])
        .arg(&big)
        .arg(&small)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                Path::new(f["file"].as_str().unwrap())
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .to_string(),
                f["code"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let io = found
        .iter()
        .find(|f| f.1 == "IO001")
        .unwrap_or_else(|| panic!("{found:?}"));
    assert_eq!(io.0, "a-big.json");
    assert!(
        io.2.starts_with("cannot write the fixes:") && io.2.ends_with("the file is unchanged"),
        "{io:?}"
    );
    // the unwritten file is still checked, as it is
    assert!(
        found.contains(&(
            "a-big.json".into(),
            "POL001".into(),
            "the policy has no `Version`".into()
        )),
        "{found:?}"
    );
    assert_eq!(std::fs::read_to_string(&big).unwrap(), big_text);
    // the other one is fixed and checked
    assert!(!found.iter().any(|f| f.0 == "b-small.json"), "{found:?}");
    assert!(std::fs::read_to_string(&small)
        .unwrap()
        .contains("\"Version\""));
    assert!(stderr.contains("fixed 2 findings in 1 file"), "{stderr}");
}
