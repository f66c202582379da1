//! Output is streamed: a run writes each file's findings as the files are checked, holds only
//! the documents the checks across files read, and prints those files last. Runs of several
//! batches give the same findings and well-formed documents in every format.

mod common;

use common::tempdir;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// A standard output that keeps every write apart.
#[derive(Clone, Default)]
struct Writes(Arc<Mutex<Vec<Vec<u8>>>>);

impl Write for Writes {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().push(data.to_vec());
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn run_recorded(args: &[&str]) -> (i32, Vec<String>) {
    let out = Writes::default();
    let mut io = finops_lint::Io {
        stdin: Box::new(std::io::empty()),
        stdout: Box::new(out.clone()),
        stderr: Box::new(std::io::sink()),
        color: false,
    };
    let mut full = vec!["finops-lint"];
    full.extend_from_slice(args);
    let code = finops_lint::run(full, &mut io);
    let writes = out
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|w| String::from_utf8(w.clone()).unwrap())
        .collect();
    (code, writes)
}

const FILES: usize = 1300;

/// `FILES` policies with a misspelt action each, an export and a bucket policy for another
/// bucket: the first and the last file of the folder.
fn tree() -> tempdir::Dir {
    let dir = tempdir::Dir::new();
    for i in 0..FILES {
        dir.write(
            &format!("p{i:04}.json"),
            "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObjcet\", \"Resource\": \"*\"}]}",
        );
    }
    let export = std::fs::read_to_string("examples/onboarding/export.json").unwrap();
    dir.write("a-export.json", &export);
    let policy = std::fs::read_to_string("examples/onboarding/bucket-policy.json")
        .unwrap()
        .replace("acme-finops-billing", "other-bucket");
    dir.write("z-bucket-policy.json", &policy);
    dir
}

#[test]
fn findings_are_written_batch_by_batch_and_cross_file_documents_last() {
    let dir = tree();
    let root = dir.path().to_string_lossy().to_string();
    let (code, writes) = run_recorded(&["check", "--no-config", "--format", "concise", &root]);
    assert_eq!(code, 1);
    // more than one write, and the first holds the first files but not the last
    assert!(writes.len() >= 3, "{} writes", writes.len());
    assert!(writes[0].contains("p0000.json:1:"), "{}", &writes[0][..200]);
    assert!(!writes[0].contains("p1299.json"));
    let text = writes.concat();
    let lines: Vec<&str> = text.lines().collect();
    // every policy once, in file-name order
    let policies: Vec<&str> = lines
        .iter()
        .filter(|l| l.contains("IAM002"))
        .copied()
        .collect();
    assert_eq!(policies.len(), FILES);
    for (i, l) in policies.iter().enumerate() {
        assert!(l.contains(&format!("p{i:04}.json:1:")), "{i}: {l}");
    }
    // the export and the bucket policy are checked against each other, across the batches,
    // and printed after the other files
    let con: Vec<&&str> = lines.iter().filter(|l| l.contains("CON001")).collect();
    assert_eq!(con.len(), 1, "{con:?}");
    assert!(con[0].contains("a-export.json:"), "{}", con[0]);
    let last_policy = lines.iter().rposition(|l| l.contains("IAM002")).unwrap();
    let first_held = lines
        .iter()
        .position(|l| l.contains("a-export.json") || l.contains("z-bucket-policy.json"))
        .unwrap();
    assert!(first_held > last_policy);
    assert!(
        lines
            .last()
            .unwrap()
            .contains(&format!("in {} files checked", FILES + 2)),
        "{}",
        lines.last().unwrap()
    );
}

#[test]
fn every_format_is_whole_across_batches() {
    let dir = tree();
    let root = dir.path().to_string_lossy().to_string();
    let (_, writes) = run_recorded(&["check", "--no-config", "--format", "json", &root]);
    assert!(writes.len() >= 3);
    let v: serde_json::Value = serde_json::from_str(&writes.concat()).unwrap();
    assert_eq!(v["summary"]["files"], FILES + 2);
    let findings = v["findings"].as_array().unwrap();
    let counted: u64 = ["errors", "warnings", "infos"]
        .iter()
        .map(|k| v["summary"][k].as_u64().unwrap())
        .sum();
    assert_eq!(counted as usize, findings.len());
    let con = findings.iter().find(|f| f["code"] == "CON001").unwrap();
    // the related place is in the other held file, with its position
    assert!(
        con["related"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("z-bucket-policy.json"),
        "{con:#}"
    );
    assert!(
        con["related"][0]["range"]["start"]["line"]
            .as_u64()
            .unwrap()
            > 1
    );
    assert_eq!(v["documents"].as_array().unwrap().len(), FILES + 2);

    let (_, writes) = run_recorded(&["check", "--no-config", "--format", "sarif", &root]);
    let v: serde_json::Value = serde_json::from_str(&writes.concat()).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() > FILES);
    assert_eq!(
        v["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len(),
        finops_lint::rules::ALL.len()
    );

    let (_, writes) = run_recorded(&["check", "--no-config", "--format", "gitlab", &root]);
    let v: serde_json::Value = serde_json::from_str(&writes.concat()).unwrap();
    assert!(v.as_array().unwrap().len() > FILES);

    let (_, writes) = run_recorded(&["check", "--no-config", "--format", "junit", &root]);
    let xml = writes.concat();
    assert!(xml.starts_with("<?xml"));
    assert_eq!(xml.matches("<testsuite ").count(), FILES + 2);
    assert!(xml.trim_end().ends_with("</testsuites>"));

    let (_, writes) = run_recorded(&[
        "check",
        "--no-config",
        "--statistics",
        "--format",
        "concise",
        &root,
    ]);
    let text = writes.concat();
    assert!(
        text.lines()
            .any(|l| l.contains("IAM002") && l.trim_start().starts_with(&FILES.to_string())),
        "{text}"
    );
}

#[test]
fn an_empty_run_is_a_whole_document() {
    let dir = tempdir::Dir::new();
    let root = dir.path().to_string_lossy().to_string();
    for (format, check) in [
        ("json", "\"findings\": []"),
        ("sarif", "\"results\": []"),
        ("gitlab", "[]"),
    ] {
        let (code, writes) = run_recorded(&["check", "--no-config", "--format", format, &root]);
        assert_eq!(code, 0);
        let text = writes.concat();
        serde_json::from_str::<serde_json::Value>(&text).unwrap();
        assert!(text.contains(check), "{format}: {text}");
    }
}
