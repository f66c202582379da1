//! The live audit against a real emulator: moto's server on 127.0.0.1 (installed and found by
//! `scripts/test.sh`, which sets FINOPS_LINT_MOTO_PYTHON). No test skips: without moto they fail
//! and say how to get it.
#![cfg(feature = "live")]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn python() -> String {
    if let Ok(p) = std::env::var("FINOPS_LINT_MOTO_PYTHON") {
        return p;
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/moto-venv/bin/python");
    assert!(venv.exists(), "moto is not installed: run the tests with `scripts/test.sh`, which installs it into target/moto-venv");
    venv.to_string_lossy().to_string()
}

struct Moto {
    child: Child,
    endpoint: String,
    recording: PathBuf,
    stub: Child,
    stub_endpoint: String,
    state: PathBuf,
}

impl Drop for Moto {
    fn drop(&mut self) {
        for c in [&mut self.child, &mut self.stub] {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_file(&self.recording);
        let _ = std::fs::remove_file(&self.state);
    }
}

/// The export the stub serves: the platform's template, changed by `edit`.
fn export_state(account: &str, edit: impl FnOnce(&mut serde_json::Value)) -> serde_json::Value {
    let mut e = serde_json::json!({
        "Export": {
            "ExportArn": format!("arn:aws:bcm-data-exports:us-east-1:{account}:export/finops-1a2b"),
            "Name": "finops",
            "DataQuery": {"QueryStatement": "SELECT * FROM COST_AND_USAGE_REPORT", "TableConfigurations": {"COST_AND_USAGE_REPORT": {"INCLUDE_RESOURCES": "TRUE", "TIME_GRANULARITY": "DAILY"}}},
            "DestinationConfigurations": {"S3Destination": {"S3Bucket": "acme-finops-billing", "S3Prefix": "reports", "S3Region": "us-east-1", "S3OutputConfigurations": {"OutputType": "CUSTOM", "Format": "TEXT_OR_CSV", "Compression": "GZIP", "Overwrite": "OVERWRITE_REPORT"}}},
            "RefreshCadence": {"Frequency": "SYNCHRONOUS"}
        },
        "ExportStatus": {"StatusCode": "HEALTHY", "LastRefreshedAt": "2026-11-22T04:00:00Z"}
    });
    edit(&mut e);
    serde_json::json!({"exports": [e]})
}

fn serve(moto: &Moto, state: &serde_json::Value) {
    std::fs::write(&moto.state, state.to_string()).unwrap();
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_moto() -> Moto {
    let port = free_port();
    let recording = std::env::temp_dir().join(format!(
        "finops-lint-moto-{}-{port}.jsonl",
        std::process::id()
    ));
    let child = Command::new(python())
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .env("MOTO_ENABLE_RECORDING", "1")
        .env("MOTO_RECORDER_FILEPATH", &recording)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto's server");
    let stub_port = free_port();
    let state = std::env::temp_dir().join(format!(
        "finops-lint-stub-{}-{stub_port}.json",
        std::process::id()
    ));
    std::fs::write(&state, r#"{"exports": []}"#).unwrap();
    let stub = Command::new(python())
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/live/stub.py"))
        .args([
            stub_port.to_string(),
            state.to_string_lossy().to_string(),
            format!("http://127.0.0.1:{port}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the stub");
    let start = Instant::now();
    for p in [port, stub_port] {
        while std::net::TcpStream::connect(("127.0.0.1", p)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the emulator did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
        recording,
        stub,
        stub_endpoint: format!("http://127.0.0.1:{stub_port}"),
        state,
    }
}

fn seed(moto: &Moto, case: &str) -> String {
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/live/seed.py");
    let out = Command::new(python())
        .arg(seed)
        .args([&moto.endpoint, case])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "seeding failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn post(moto: &Moto, path: &str) {
    let out = Command::new(python())
        .args(["-c", &format!("import urllib.request; urllib.request.urlopen(urllib.request.Request('{}{path}', method='POST'))", moto.endpoint)])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Audit {
    code: i32,
    json: serde_json::Value,
    stderr: String,
}

/// The sources an audit read (its documents' names).
fn documents_read(a: &Audit) -> Vec<String> {
    a.json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap().to_string())
        .collect()
}

fn audit(moto: &Moto, account: &str, extra: &[&str]) -> Audit {
    audit_as(moto, account, extra, ("testing", "testing"), &[])
}

fn audit_as(
    moto: &Moto,
    account: &str,
    extra: &[&str],
    keys: (&str, &str),
    env: &[(&str, &str)],
) -> Audit {
    // the platform's user, unless the case names a role
    let principal: &[&str] = if extra.contains(&"--role") {
        &[]
    } else {
        &["--user", "finops"]
    };
    let out = Command::new(env!("CARGO_BIN_EXE_finops-lint"))
        .args(["audit", "--format", "json"])
        .args(principal)
        .args([
            "--bucket",
            "acme-finops-billing",
            "--account-id",
            account,
            "--scenario",
            "root-existing-export",
        ])
        .args(extra)
        .env("AWS_ENDPOINT_URL", &moto.endpoint)
        .env("AWS_ENDPOINT_URL_BCM_DATA_EXPORTS", &moto.stub_endpoint)
        .env(
            "AWS_ENDPOINT_URL_COST_AND_USAGE_REPORT_SERVICE",
            &moto.stub_endpoint,
        )
        .env("AWS_ACCESS_KEY_ID", keys.0)
        .env("AWS_SECRET_ACCESS_KEY", keys.1)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "audit output is not JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    Audit {
        code: out.status.code().unwrap_or(-1),
        json,
        stderr: String::from_utf8_lossy(&out.stderr).to_string(),
    }
}

fn codes(a: &Audit) -> Vec<String> {
    a.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f["code"].as_str().unwrap(),
                f["file"].as_str().unwrap()
            )
        })
        .collect()
}

/// Standard base64, for the bodies moto's recorder stores encoded.
fn base64(text: &str) -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in text.bytes().filter(|c| *c != b'=') {
        let Some(v) = alphabet.iter().position(|a| *a == c) else {
            continue;
        };
        bits = (bits << 6) | v as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn a_correct_account_audits_clean_and_read_only() {
    let moto = start_moto();
    let account = seed(&moto, "correct");
    serve(&moto, &export_state(&account, |_| {}));
    post(&moto, "/moto-api/recorder/reset-recording");
    post(&moto, "/moto-api/recorder/start-recording");
    let dump = std::env::temp_dir().join(format!("finops-lint-dump-{}", std::process::id()));
    let a = audit(
        &moto,
        &account,
        &[
            "--export-name",
            "finops",
            "--prefix",
            "reports",
            "--dump-sources",
            &dump.to_string_lossy(),
        ],
    );
    post(&moto, "/moto-api/recorder/stop-recording");
    assert_eq!(a.code, 0, "{:#}\n{}", a.json, a.stderr);
    assert_eq!(codes(&a), Vec::<String>::new(), "{:#}", a.json);
    let files: Vec<String> = a.json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap().to_string())
        .collect();
    for want in [
        "aws://s3/acme-finops-billing/delivered.json",
        "aws://bcm-data-exports/export/finops.json",
        "aws://sts/caller-identity.json",
        "aws://iam/user/finops/inline/ReadOnly.json",
        "aws://iam/user/finops/attached/DiscoverResources.json",
        "aws://s3/acme-finops-billing/policy.json",
    ] {
        assert!(
            files.iter().any(|f| f == want),
            "{want} not in {files:?}: {:#}",
            a.json["skipped"]
        );
    }
    assert!(dump.join("iam/user/finops/inline/ReadOnly.json").exists());
    let _ = std::fs::remove_dir_all(&dump);
    // every request was a read: Get/List for the query APIs, GET/HEAD for S3
    let log = std::fs::read_to_string(&moto.recording).expect("moto's request log");
    let mut requests = 0;
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        let entry: serde_json::Value = serde_json::from_str(line).unwrap();
        let raw = entry["body"].as_str().unwrap_or("");
        let body = if entry["body_encoded"] == true {
            base64(raw)
        } else {
            raw.to_string()
        };
        let method = entry["method"].as_str().unwrap_or("");
        let action = body
            .split('&')
            .find_map(|kv| kv.strip_prefix("Action="))
            .map(str::to_string);
        match action {
            Some(a) => assert!(
                a.starts_with("Get") || a.starts_with("List") || a.starts_with("Simulate"),
                "a write call: {a}"
            ),
            None => assert!(
                method == "GET" || method == "HEAD",
                "a write request: {method} {}",
                entry["url"]
            ),
        }
        requests += 1;
    }
    assert!(requests >= 8, "only {requests} requests recorded");
}

#[test]
fn a_user_missing_get_object_is_an_error_on_its_policy() {
    let moto = start_moto();
    let account = seed(&moto, "missing-get-object");
    let a = audit(&moto, &account, &[]);
    assert_eq!(a.code, 1);
    assert!(
        codes(&a)
            .iter()
            .any(|c| c.starts_with("REQ001:aws://iam/user/finops/inline/ReadOnly.json")),
        "{:?}",
        codes(&a)
    );
}

#[test]
fn a_deny_in_a_group_policy_is_pointed_at() {
    let moto = start_moto();
    let account = seed(&moto, "group-deny");
    let a = audit(&moto, &account, &[]);
    assert_eq!(a.code, 1);
    assert!(
        codes(&a)
            .iter()
            .any(|c| c == "REQ002:aws://iam/group/restricted/inline/NoS3Reads.json"),
        "{:?}",
        codes(&a)
    );
}

/// With `--role` and a platform, the role's trust policy is read (GetRole) and checked against
/// the platform, and the role's policies against the platform's scenario.
#[test]
fn a_platform_role_and_its_trust_policy_are_audited() {
    let moto = start_moto();
    let account = seed(&moto, "platform-role");
    let a = audit(
        &moto,
        &account,
        &["--role", "datadog-cost", "--platform", "datadog"],
    );
    assert_eq!(a.code, 1, "{:#}", a.json);
    let read = documents_read(&a);
    assert!(
        read.contains(&"aws://iam/role/datadog-cost/trust-policy.json".to_string()),
        "{read:?}"
    );
    let c = codes(&a);
    assert!(
        c.contains(&"TRU002:aws://iam/role/datadog-cost/trust-policy.json".to_string()),
        "{c:?}"
    );
    // Datadog's scenario: the role lacks the Cost Explorer reads (a warning), not OptScale's
    // Discover Resources set
    assert!(
        c.iter()
            .any(|x| x.starts_with("REQ001:aws://iam/role/datadog-cost/")),
        "{c:?}"
    );
    let req = a.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "REQ001")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(req.contains("ce:Get*") || req.contains("ce:"), "{req}");
    assert!(!req.contains("ec2:"), "{req}");
}

#[test]
fn a_bucket_without_policy_and_a_wrong_source_arn() {
    let moto = start_moto();
    let account = seed(&moto, "no-bucket-policy");
    let a = audit(&moto, &account, &[]);
    assert_eq!(a.code, 1);
    assert!(
        codes(&a)
            .iter()
            .any(|c| c == "AUD003:aws://s3/acme-finops-billing/policy.json"),
        "{:?}",
        codes(&a)
    );
    drop(moto);
    let moto = start_moto();
    let account = seed(&moto, "wrong-source-arn");
    let a = audit(&moto, &account, &[]);
    assert_eq!(a.code, 1);
    assert!(
        codes(&a)
            .iter()
            .any(|c| c == "BP006:aws://s3/acme-finops-billing/policy.json"),
        "{:?}",
        codes(&a)
    );
}

#[test]
fn the_account_is_checked_against_account_id() {
    let moto = start_moto();
    let _ = seed(&moto, "correct");
    let a = audit(&moto, "999988887777", &[]);
    assert_eq!(a.code, 1);
    assert!(
        codes(&a)
            .iter()
            .any(|c| c == "AUD002:aws://sts/caller-identity.json"),
        "{:?}",
        codes(&a)
    );
}

#[test]
fn an_unreachable_endpoint_is_a_clear_error() {
    let port = free_port();
    let out = Command::new(env!("CARGO_BIN_EXE_finops-lint"))
        .args([
            "audit",
            "--format",
            "json",
            "--user",
            "finops",
            "--bucket",
            "acme-finops-billing",
        ])
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not read the account"));
}

#[test]
fn an_export_without_resource_ids_and_an_unhealthy_one() {
    let moto = start_moto();
    let account = seed(&moto, "correct");
    serve(
        &moto,
        &export_state(&account, |e| {
            e["Export"]["DataQuery"]["TableConfigurations"]["COST_AND_USAGE_REPORT"]
                ["INCLUDE_RESOURCES"] = serde_json::json!("FALSE");
        }),
    );
    let a = audit(&moto, &account, &["--export-name", "finops"]);
    assert_eq!(a.code, 1);
    assert!(
        codes(&a)
            .iter()
            .any(|c| c == "EXP003:aws://bcm-data-exports/export/finops.json"),
        "{:?}",
        codes(&a)
    );
    serve(
        &moto,
        &export_state(&account, |e| {
            e["ExportStatus"] = serde_json::json!({"StatusCode": "UNHEALTHY", "StatusReason": "INSUFFICIENT_PERMISSION", "LastRefreshedAt": "2026-11-22T04:00:00Z"});
        }),
    );
    let a = audit(&moto, &account, &["--export-name", "finops"]);
    assert!(
        codes(&a)
            .iter()
            .any(|c| c == "EXP012:aws://bcm-data-exports/export/finops.json"),
        "{:?}",
        codes(&a)
    );
    // an export name the account does not have
    let a = audit(&moto, &account, &["--export-name", "other"]);
    assert!(
        codes(&a)
            .iter()
            .any(|c| c == "AUD004:aws://bcm-data-exports/exports.json"),
        "{:?}",
        codes(&a)
    );
}

#[test]
fn legacy_reports_are_read_from_the_cur_api() {
    let moto = start_moto();
    let account = seed(&moto, "correct");
    serve(
        &moto,
        &serde_json::json!({"reports": [{"ReportName": "finops", "TimeUnit": "DAILY", "Format": "textORcsv", "Compression": "GZIP", "AdditionalSchemaElements": [], "S3Bucket": "acme-finops-billing", "S3Prefix": "reports", "S3Region": "us-east-1", "RefreshClosedReports": true, "ReportVersioning": "OVERWRITE_REPORT"}]}),
    );
    let a = audit(
        &moto,
        &account,
        &["--export-type", "legacy", "--export-name", "finops"],
    );
    assert!(
        codes(&a)
            .iter()
            .any(|c| c == "CUR002:aws://cur/report-definitions.json"),
        "{:?}",
        codes(&a)
    );
}

#[test]
fn delivered_files_missing_elsewhere_or_without_resource_ids() {
    for (case, code) in [
        ("no-files", "PATH001"),
        ("other-prefix", "PATH002"),
        ("no-resource-column", "PATH005"),
    ] {
        let moto = start_moto();
        let account = seed(&moto, case);
        serve(&moto, &export_state(&account, |_| {}));
        let a = audit(
            &moto,
            &account,
            &["--export-name", "finops", "--prefix", "reports"],
        );
        assert_eq!(a.code, 1, "{case}: {:?}", codes(&a));
        assert!(
            codes(&a)
                .iter()
                .any(|c| c == &format!("{code}:aws://s3/acme-finops-billing/delivered.json")),
            "{case}: {:?}",
            codes(&a)
        );
        if case == "other-prefix" {
            let f = a.json["findings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["code"] == "PATH002")
                .unwrap();
            assert!(
                f["help"].as_str().unwrap().contains("`billing/reports`"),
                "{f:#}"
            );
        }
    }
}

#[test]
fn access_denied_on_a_step_is_reported_and_the_rest_goes_on() {
    let moto = start_moto();
    let _ = seed(&moto, "correct");
    let out = seed(&moto, "auditor");
    let parts: Vec<&str> = out.split_whitespace().collect();
    let (account, key, secret) = (parts[0], parts[1], parts[2]);
    // moto checks IAM permissions from now on
    let enable = Command::new(python())
        .args(["-c", &format!("import urllib.request; urllib.request.urlopen(urllib.request.Request('{}/moto-api/reset-auth', data=b'0', method='POST', headers={{'Content-Type': 'text/plain'}}))", moto.endpoint)])
        .output()
        .unwrap();
    assert!(
        enable.status.success(),
        "{}",
        String::from_utf8_lossy(&enable.stderr)
    );
    let a = audit_as(&moto, account, &[], (key, secret), &[]);
    assert_eq!(a.code, 1, "{:#}", a.json);
    let c = codes(&a);
    assert!(
        c.iter()
            .any(|c| c == "AUD001:aws://s3/acme-finops-billing/policy.json"),
        "{c:?}"
    );
    let f = a.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "AUD001" && f["file"] == "aws://s3/acme-finops-billing/policy.json")
        .unwrap();
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("s3:GetBucketPolicy"),
        "{f:#}"
    );
    // only that step was refused: the others were read
    let files: Vec<&str> = a.json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    for read in [
        "aws://sts/caller-identity.json",
        "aws://iam/user/finops/inline/ReadOnly.json",
        "aws://iam/user/finops/attached/DiscoverResources.json",
    ] {
        assert!(files.contains(&read), "{read} not in {files:?}");
    }
    assert_eq!(
        c.iter().filter(|c| c.starts_with("AUD001:")).count(),
        1,
        "{c:?}"
    );
}

#[test]
fn with_iam_simulator_the_simulation_decides() {
    let moto = start_moto();
    let account = seed(&moto, "correct");
    let mut state = export_state(&account, |_| {});
    state["simulation"] = serde_json::json!({"s3:GetObject": "implicitDeny"});
    serve(&moto, &state);
    let out = Command::new(env!("CARGO_BIN_EXE_finops-lint"))
        .args([
            "audit",
            "--format",
            "json",
            "--user",
            "finops",
            "--bucket",
            "acme-finops-billing",
            "--account-id",
            &account,
            "--scenario",
            "root-existing-export",
            "--export-name",
            "finops",
            "--prefix",
            "reports",
        ])
        .env("AWS_ENDPOINT_URL", &moto.endpoint)
        .env("AWS_ENDPOINT_URL_IAM", &moto.stub_endpoint)
        .env("AWS_ENDPOINT_URL_BCM_DATA_EXPORTS", &moto.stub_endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let a = Audit {
        code: out.status.code().unwrap_or(-1),
        json,
        stderr: String::from_utf8_lossy(&out.stderr).to_string(),
    };
    let c = codes(&a);
    assert_eq!(a.code, 1, "{c:?}\n{}", a.stderr);
    assert!(
        c.iter().any(|c| c == "SIM001:aws://iam/simulation.json"),
        "{c:?}"
    );
    assert!(
        !c.iter().any(|c| c.starts_with("REQ001")),
        "the simulator decided; no offline duplicate: {c:?}"
    );
    assert!(
        a.stderr.contains("checked with IAM's policy simulator"),
        "{}",
        a.stderr
    );
}

#[test]
fn faults_throttling_slow_answers_malformed_answers_and_a_stopped_service() {
    let moto = start_moto();
    let account = seed(&moto, "correct");
    // throttled twice: the retries get through and the audit is clean
    let mut state = export_state(&account, |_| {});
    state["faults"] = serde_json::json!({"ListExports": {"throttle": 2}});
    serve(&moto, &state);
    let a = audit(
        &moto,
        &account,
        &["--export-name", "finops", "--prefix", "reports"],
    );
    assert_eq!(a.code, 0, "{:?}\n{}", codes(&a), a.stderr);
    // an answer slower than the timeout: exit 2 with a clear error, the rest still reported
    state["faults"] = serde_json::json!({"GetExport": {"sleep": 4}});
    serve(&moto, &state);
    let started = Instant::now();
    let a = audit(
        &moto,
        &account,
        &["--export-name", "finops", "--timeout", "1"],
    );
    assert_eq!(a.code, 2, "{}", a.stderr);
    assert!(
        a.stderr.contains("timed out") && a.stderr.contains("incomplete"),
        "{}",
        a.stderr
    );
    assert!(started.elapsed() < Duration::from_secs(60));
    let read = documents_read(&a);
    assert!(
        read.iter().any(|f| f.contains("caller-identity")),
        "{read:?}"
    );
    // a malformed answer
    serve(
        &moto,
        &serde_json::json!({"reports": [], "faults": {"DescribeReportDefinitions": {"malformed": true}}}),
    );
    let a = audit(
        &moto,
        &account,
        &["--export-type", "legacy", "--export-name", "finops"],
    );
    assert_eq!(a.code, 2, "{}\n{:#}", a.stderr, a.json["findings"]);
    assert!(a.stderr.contains("malformed"), "{}", a.stderr);
    // S3 stopped in the middle of the audit (nothing listens on its endpoint any more)
    serve(&moto, &export_state(&account, |_| {}));
    let closed = format!("http://127.0.0.1:{}", free_port());
    let a = audit_as(
        &moto,
        &account,
        &["--export-name", "finops", "--timeout", "2"],
        ("testing", "testing"),
        &[("AWS_ENDPOINT_URL_S3", closed.as_str())],
    );
    assert_eq!(a.code, 2, "{}", a.stderr);
    assert!(a.stderr.contains("could not reach"), "{}", a.stderr);
    // what the other services told is still reported: the caller and the user's policies
    let read = documents_read(&a);
    assert!(
        read.iter().any(|f| f.contains("caller-identity")),
        "{read:?}"
    );
    assert!(
        read.iter().any(|f| f.starts_with("aws://iam/user/finops/")),
        "{read:?}"
    );
}

/// What the hostile endpoint does.
#[derive(Clone, Copy, PartialEq)]
enum Hostile {
    /// Every page of a listing is empty and marked truncated, with a new token each time.
    EndlessEmptyPages,
    /// The listing names one data file, whose download ignores the byte range (1 GiB).
    IgnoresTheRange,
    /// A listing page of 1 GiB.
    HugePage,
    /// Empty truncated pages as above, each after 0.7 s.
    SlowEmptyPages,
}

/// A tiny HTTP/1.1 server for every service of the audit: S3 listings and downloads as `mode`
/// says, `403 AccessDenied` for everything else. Returns its endpoint and the bytes it managed
/// to send of its large bodies (a client that stops reading closes the connection).
fn hostile_endpoint(
    mode: Hostile,
) -> (
    String,
    std::sync::Arc<std::sync::atomic::AtomicU64>,
    std::sync::Arc<std::sync::atomic::AtomicU64>,
) {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let sent = Arc::new(AtomicU64::new(0));
    let pages = Arc::new(AtomicU64::new(0));
    let (sent2, pages2) = (sent.clone(), pages.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let (sent, pages) = (sent2.clone(), pages2.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut out = stream;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                    let mut length = 0usize;
                    let mut json = false;
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 {
                            return;
                        }
                        let h = h.trim_end();
                        if h.is_empty() {
                            break;
                        }
                        let lower = h.to_ascii_lowercase();
                        if let Some(v) = lower.strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                        json |= lower.starts_with("x-amz-target:");
                    }
                    let mut body = vec![0u8; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    let listing = target.contains("list-type=2");
                    let download = target.starts_with("/acme-finops-billing/reports/finops/");
                    let respond = |out: &mut std::net::TcpStream, status: &str, text: &str| {
                        let head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/xml\r\n\r\n", text.len());
                        out.write_all(head.as_bytes()).is_ok()
                            && out.write_all(text.as_bytes()).is_ok()
                    };
                    // a large body: as much as the client reads of `total` bytes
                    let stream_big =
                        |out: &mut std::net::TcpStream, head: &str, start: &[u8], total: u64| {
                            let _ = out.write_all(head.as_bytes());
                            let _ = out.write_all(start);
                            let chunk = vec![b' '; 64 * 1024];
                            let mut n = start.len() as u64;
                            while n < total {
                                if out.write_all(&chunk).is_err() {
                                    break;
                                }
                                n += chunk.len() as u64;
                                sent.store(n, Ordering::SeqCst);
                            }
                        };
                    let ok = match (mode, listing, download) {
                        (Hostile::EndlessEmptyPages | Hostile::SlowEmptyPages, true, _) => {
                            if mode == Hostile::SlowEmptyPages {
                                std::thread::sleep(Duration::from_millis(700));
                            }
                            let n = pages.fetch_add(1, Ordering::SeqCst);
                            respond(&mut out, "200 OK", &format!(
                                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>acme-finops-billing</Name><Prefix>reports/finops/</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated><NextContinuationToken>token-{n}</NextContinuationToken></ListBucketResult>"
                            ))
                        }
                        (Hostile::IgnoresTheRange, true, _) => respond(&mut out, "200 OK",
                            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>acme-finops-billing</Name><Prefix>reports/finops/</Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><Contents><Key>reports/finops/data/BILLING_PERIOD=2026-11/finops-00001.csv.gz</Key><LastModified>2026-11-22T04:00:00.000Z</LastModified><ETag>&quot;x&quot;</ETag><Size>1073741824</Size><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>"),
                        (Hostile::IgnoresTheRange, _, true) => {
                            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                            gz.write_all(b"bill_payer_account_id,line_item_resource_id,line_item_unblended_cost\n").unwrap();
                            let start = gz.finish().unwrap();
                            let total = 1u64 << 30;
                            // 200 and the whole object, whatever the Range header asked
                            let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {total}\r\nContent-Type: application/octet-stream\r\nLast-Modified: Sun, 22 Nov 2026 04:00:00 GMT\r\n\r\n");
                            stream_big(&mut out, &head, &start, total);
                            return;
                        }
                        (Hostile::HugePage, true, _) => {
                            let total = 1u64 << 30;
                            let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {total}\r\nContent-Type: application/xml\r\n\r\n");
                            stream_big(&mut out, &head, b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>", total);
                            return;
                        }
                        _ if json => respond(&mut out, "403 Forbidden", "{\"__type\": \"AccessDeniedException\", \"message\": \"denied\"}"),
                        _ => respond(&mut out, "403 Forbidden", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>denied</Message></Error>"),
                    };
                    if !ok {
                        return;
                    }
                }
            });
        }
    });
    (endpoint, sent, pages)
}

/// The audit against a hostile endpoint, killed (and the test failed) if it runs past `secs`.
fn audit_hostile(endpoint: &str, secs: u64, extra: &[&str]) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_finops-lint"))
        .args([
            "audit",
            "--format",
            "json",
            "--user",
            "finops",
            "--bucket",
            "acme-finops-billing",
            "--export-name",
            "finops",
            "--prefix",
            "reports",
        ])
        .args(if extra.contains(&"--timeout") {
            &[][..]
        } else {
            &["--timeout", "2"][..]
        })
        .args(extra)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "the audit ran past {secs} s: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_listing_of_endless_empty_truncated_pages_is_cut() {
    let (endpoint, _, pages) = hostile_endpoint(Hostile::EndlessEmptyPages);
    let (code, stdout, stderr) = audit_hostile(&endpoint, 120, &[]);
    assert_eq!(code, Some(2), "{stderr}\n{stdout}");
    assert!(
        stderr.contains("s3:ListBucket")
            && stderr.contains("still marked truncated after 100 pages")
            && stderr.contains("incomplete"),
        "{stderr}"
    );
    let read = pages.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(read, 100, "pages served");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "AUD004"
                && f["file"] == "aws://s3/acme-finops-billing/delivered.json"),
        "{v:#}"
    );
}

#[test]
fn a_download_that_ignores_the_range_is_read_to_64_kib() {
    let (endpoint, sent, _) = hostile_endpoint(Hostile::IgnoresTheRange);
    let dump = std::env::temp_dir().join(format!("finops-lint-range-{}", std::process::id()));
    let (code, stdout, stderr) =
        audit_hostile(&endpoint, 120, &["--dump-sources", &dump.to_string_lossy()]);
    // the server could push what the socket buffers hold before the client closed it
    let sent = sent.load(std::sync::atomic::Ordering::SeqCst);
    assert!(sent < 64 << 20, "{sent} bytes sent of 1 GiB");
    assert!(
        stderr.contains("ignored the byte range") && stderr.contains("finops-00001.csv.gz"),
        "{stderr}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {code:?} {stderr}"));
    let delivered = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file"] == "aws://s3/acme-finops-billing/delivered.json");
    assert!(delivered.is_some(), "{v:#}");
    // the first line was read from the first 64 KiB
    let text = std::fs::read_to_string(dump.join("s3/acme-finops-billing/delivered.json")).unwrap();
    let _ = std::fs::remove_dir_all(&dump);
    assert!(
        text.contains("bill_payer_account_id,line_item_resource_id,line_item_unblended_cost"),
        "{text}"
    );
}

#[test]
fn a_listing_page_of_a_gigabyte_is_not_read() {
    let (endpoint, sent, _) = hostile_endpoint(Hostile::HugePage);
    let (code, _, stderr) = audit_hostile(&endpoint, 120, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    let sent = sent.load(std::sync::atomic::Ordering::SeqCst);
    assert!(sent < 64 << 20, "{sent} bytes sent of 1 GiB");
    assert!(
        stderr.contains("larger than the 16 MiB the audit reads"),
        "{stderr}"
    );
}

#[test]
fn the_whole_audit_stops_after_30_times_its_timeout() {
    // 100 pages of 0.7 s each: each call is within `--timeout 1`, the listing is not
    let (endpoint, _, pages) = hostile_endpoint(Hostile::SlowEmptyPages);
    let started = Instant::now();
    let (code, _, stderr) = audit_hostile(&endpoint, 90, &["--timeout", "1"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("the audit stopped after 30 s (30 times --timeout)"),
        "{stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(60));
    assert!(pages.load(std::sync::atomic::Ordering::SeqCst) < 100);
}

#[test]
fn a_secret_the_account_holds_is_masked_in_the_findings_and_the_dumped_sources() {
    // the export's query assigns a secret key (SQL the platform would store as it is), and the
    // same key is the export's S3 prefix, which the findings quote
    let key = "PtYgjmUhBel31iEl2h/ChYgCfrL1+pNxnyVmihA7";
    let moto = start_moto();
    let account = seed(&moto, "correct");
    serve(
        &moto,
        &export_state(&account, |e| {
            e["Export"]["DataQuery"]["QueryStatement"] = serde_json::json!(format!(
                "SELECT * FROM COST_AND_USAGE_REPORT WHERE secret_access_key = '{key}'"
            ));
            e["Export"]["DestinationConfigurations"]["S3Destination"]["S3Prefix"] =
                serde_json::json!(key);
        }),
    );
    let dump = std::env::temp_dir().join(format!("finops-lint-dump-mask-{}", std::process::id()));
    let a = audit(
        &moto,
        &account,
        &[
            "--export-name",
            "finops",
            "--prefix",
            "reports",
            "--dump-sources",
            &dump.to_string_lossy(),
        ],
    );
    let pieces = |text: &str| -> Vec<String> {
        key.as_bytes()
            .windows(8)
            .map(|w| String::from_utf8_lossy(w).into_owned())
            .filter(|w| text.contains(w.as_str()))
            .collect()
    };
    let output = format!("{:#}\n{}", a.json, a.stderr);
    assert!(
        output.contains("`reports`"),
        "a finding quotes the prefix: {output}"
    );
    assert_eq!(pieces(&output), Vec::<String>::new(), "{output}");
    let export = dump.join("bcm-data-exports/export/finops.json");
    let dumped = std::fs::read_to_string(&export).expect("the export is dumped");
    assert!(dumped.contains("secret_access_key = 'PtYg***"), "{dumped}");
    let mut files = vec![dump.clone()];
    while let Some(p) = files.pop() {
        if p.is_dir() {
            files.extend(std::fs::read_dir(&p).unwrap().flatten().map(|e| e.path()));
        } else {
            let text = std::fs::read_to_string(&p).unwrap();
            assert_eq!(
                pieces(&text),
                Vec::<String>::new(),
                "{}: {text}",
                p.display()
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dump);
}
