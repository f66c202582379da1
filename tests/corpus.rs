//! AWS's own managed policies are correct: no error-severity finding on
//! `../shared/corpus/managed-policies`, except where AWS itself is wrong: IAM Access Analyzer
//! has findings for the policy (`../shared/corpus/mamip/findings/<name>`) or the corpus's meta
//! file marks the action unknown (`unknown_actions`).

mod common;

use std::path::Path;

#[test]
fn aws_managed_policies_raise_no_unexplained_error() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let policies = corpus.join("managed-policies");
    assert!(
        policies.is_dir(),
        "the corpus must be beside the repository: {}",
        policies.display()
    );
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(corpus.join("managed-policies.meta.json")).unwrap(),
    )
    .unwrap();
    let (_, v) = common::json_findings(&[
        "--no-config",
        "--fail-on",
        "never",
        policies.to_str().unwrap(),
    ]);
    assert_eq!(v["summary"]["files"], 1641, "{:#}", v["summary"]);
    let mut explained = 0;
    let mut unexplained = Vec::new();
    for f in v["findings"].as_array().unwrap() {
        if f["severity"] != "error" {
            continue;
        }
        let file = f["file"].as_str().unwrap();
        let name = Path::new(file).file_name().unwrap().to_str().unwrap();
        let unknown: Vec<String> = meta[name]["unknown_actions"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|u| u["action"].as_str())
                    .map(str::to_ascii_lowercase)
                    .collect()
            })
            .unwrap_or_default();
        let text = f["text"]
            .as_str()
            .unwrap()
            .trim_matches('"')
            .to_ascii_lowercase();
        let flagged_by_aws = corpus.join("mamip/findings").join(name).is_file();
        // an unknown service: the prefix of an action the meta file marks unknown
        let unknown_service =
            f["code"] == "IAM001" && unknown.iter().any(|u| u.split(':').next() == Some(&text));
        if flagged_by_aws || unknown.contains(&text) || unknown_service {
            explained += 1;
        } else {
            unexplained.push(format!(
                "{name}:{}: {} {}",
                f["range"]["start"]["line"], f["code"], f["message"]
            ));
        }
    }
    assert!(
        unexplained.is_empty(),
        "errors on AWS's own policies that neither Access Analyzer nor the meta file explains:\n{}",
        unexplained.join("\n")
    );
    // the exceptions are real: unknown actions of the meta file, Access Analyzer's policies
    assert!(explained >= 5, "{explained}");
    // the services AWS retired but still names in its managed policies are warnings that say so
    let retired: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "IAM001")
        .collect();
    assert!(retired.len() > 100, "{}", retired.len());
    for f in retired {
        assert_eq!(f["severity"], "warning", "{f:#}");
        assert!(
            f["message"].as_str().unwrap().contains("is retired"),
            "{f:#}"
        );
        assert!(
            ["INVALID_SERVICE_IN_ACTION", "INVALID_SERVICE"]
                .contains(&f["access_analyzer_code"].as_str().unwrap()),
            "{f:#}"
        );
    }
}
