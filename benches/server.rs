//! The language server's latency: an edited 5 KB policy checked again and its diagnostics
//! published. The server runs on an in-memory connection (as on standard input and output,
//! without the pipe); each round sends `didChange` with the whole text, as editors do with
//! full sync, and waits for `publishDiagnostics` of that version. The target is 5 ms.
//!
//! `cargo bench --bench server` (release build); `-- ROUNDS` sets the number of edits (400).

use lsp_server::{Connection, Message, Notification, Request};
use serde_json::json;
use std::time::{Duration, Instant};

/// A 5 KB identity policy of the kind the platforms ask for: many statements and actions, one
/// bucket, a placeholder left in (so there are findings, and fixes, to compute).
fn policy(round: usize) -> String {
    let services = [
        ("ce", "GetCostAndUsage"),
        ("cur", "DescribeReportDefinitions"),
        ("bcm-data-exports", "GetExport"),
        ("ec2", "DescribeInstances"),
        ("rds", "DescribeDBInstances"),
        ("s3", "ListAllMyBuckets"),
        ("organizations", "ListAccounts"),
        ("cloudwatch", "GetMetricData"),
    ];
    let mut statements = Vec::new();
    for i in 0.. {
        let (svc, action) = services[i % services.len()];
        statements.push(json!({
            "Sid": format!("Read{i}R{round}"),
            "Effect": "Allow",
            "Action": [format!("{svc}:{action}"), format!("{svc}:List*"), format!("{svc}:Describe*")],
            "Resource": "*",
        }));
        statements.push(json!({
            "Sid": format!("Bucket{i}"),
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": ["arn:aws:s3:::<bucket_name>", "arn:aws:s3:::<bucket_name>/*"],
        }));
        let text = serde_json::to_string_pretty(
            &json!({"Version": "2012-10-17", "Statement": statements}),
        )
        .unwrap();
        if text.len() >= 5 * 1024 {
            return text;
        }
    }
    unreachable!()
}

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(400);
    let dir = std::env::temp_dir().join(format!("finops-lint-server-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = std::fs::canonicalize(&dir).unwrap().join("policy.json");
    let uri = format!("file://{}", path.display());
    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || finops_lint::server::serve(&server));
    let send = |m: Message| client.sender.send(m).unwrap();
    send(Request::new(1.into(), "initialize".into(), json!({"capabilities": {}})).into());
    let _ = client
        .receiver
        .recv_timeout(Duration::from_secs(10))
        .unwrap();
    send(Notification::new("initialized".into(), json!({})).into());
    let text = policy(0);
    send(
        Notification::new(
            "textDocument/didOpen".into(),
            json!({"textDocument": {"uri": uri, "languageId": "json", "version": 0, "text": text}}),
        )
        .into(),
    );
    let wait = |version: i32| -> usize {
        loop {
            match client
                .receiver
                .recv_timeout(Duration::from_secs(10))
                .unwrap()
            {
                Message::Notification(n)
                    if n.method == "textDocument/publishDiagnostics"
                        && n.params["version"] == version =>
                {
                    return n.params["diagnostics"].as_array().map_or(0, Vec::len);
                }
                _ => {}
            }
        }
    };
    let first = wait(0);
    let mut times = Vec::with_capacity(rounds);
    let mut findings = first;
    for round in 1..=rounds {
        let edited = policy(round);
        let started = Instant::now();
        send(Notification::new(
            "textDocument/didChange".into(),
            json!({"textDocument": {"uri": uri, "version": round}, "contentChanges": [{"text": edited}]}),
        )
        .into());
        findings = wait(round as i32);
        times.push(started.elapsed());
    }
    send(Request::new(2.into(), "shutdown".into(), serde_json::Value::Null).into());
    let _ = client.receiver.recv_timeout(Duration::from_secs(10));
    send(Notification::new("exit".into(), serde_json::Value::Null).into());
    thread.join().unwrap().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = times[times.len() / 2];
    let p95 = times[times.len() * 95 / 100];
    println!(
        "server: a {} byte policy with {findings} findings, {rounds} edits: median {:.2} ms, p95 {:.2} ms, max {:.2} ms (target 5 ms: {})",
        text.len(),
        ms(median),
        ms(p95),
        ms(*times.last().unwrap()),
        if p95 <= Duration::from_millis(5) { "met" } else { "NOT met" }
    );
}
