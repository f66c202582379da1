//! `finops-lint audit`: reads, never writes, the AWS side of the onboarding from a live account.
//! The audit only produces sources (pretty-printed documents under virtual names such as
//! `aws://iam/user/finops/inline/ReadOnly.json`); they go through the same pipeline as files, so
//! every finding points at text the user can see (`--dump-sources` writes it out).
//!
//! Every call is a Get, List or Describe; a test proves it against the emulator's request log.

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_iam::error::SdkError;
use std::time::Duration;

// What the audit reads from an endpoint, which may be broken or hostile, is bounded:
/// The largest response body read, in bytes (a policy is a few KiB, a page of 1,000 S3 keys
/// some 300 KiB); a larger one is an error of its step.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
/// The pages of the delivered files' listing read at most; an endpoint that still marks the
/// listing truncated after them is an error of the step.
pub const MAX_LIST_PAGES: usize = 100;
/// The delivered files listed at most (the document then says `"Truncated": true`).
pub const MAX_LISTED_OBJECTS: usize = 20_000;
/// The entries of one IAM or Data Exports listing used at most (IAM's own quotas are far
/// lower); past them the step is an error that says how many were listed.
pub const MAX_LIST_ENTRIES: usize = 1_000;
/// The bytes of the newest data file read for its first line (a ranged GET; a server that
/// ignores the range is read this far only).
pub const HEADER_BYTES: usize = 64 * 1024;
/// The whole audit's time, in multiples of `--timeout`; past it the audit stops and reports
/// what it read.
pub const AUDIT_TIMEOUTS: u32 = 30;

/// Every response body is read through a limit of [`MAX_RESPONSE_BYTES`]: the SDK buffers the
/// body of every call but a download, and an endpoint may send gigabytes.
#[derive(Debug)]
struct ResponseLimit;

impl aws_sdk_s3::config::Intercept for ResponseLimit {
    fn name(&self) -> &'static str {
        "finops-lint response limit"
    }
    fn modify_before_deserialization(
        &self,
        context: &mut aws_sdk_s3::config::interceptors::BeforeDeserializationInterceptorContextMut<
            '_,
        >,
        _: &aws_sdk_s3::config::RuntimeComponents,
        _: &mut aws_sdk_s3::config::ConfigBag,
    ) -> Result<(), aws_sdk_s3::error::BoxError> {
        let response = context.response_mut();
        let body = response.take_body();
        *response.body_mut() = aws_sdk_s3::primitives::SdkBody::from_body_1_x(
            http_body_util::Limited::new(body, MAX_RESPONSE_BYTES),
        );
        Ok(())
    }
}

/// Did the call fail because its response went past [`MAX_RESPONSE_BYTES`]?
fn too_large(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut at = Some(err);
    while let Some(e) = at {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        at = e.source();
    }
    false
}

/// A step that the audit cut short because the endpoint answered past a bound.
fn cut(source: &str, step: &str, message: String) -> Problem {
    Problem {
        fault: true,
        source: source.to_string(),
        step: step.to_string(),
        message,
        access_denied: false,
        permission: None,
        code: Some("LimitExceeded".into()),
    }
}

/// At most [`MAX_LIST_ENTRIES`] of a listing's entries; more is a problem of the step.
fn bounded<'a, T>(
    entries: &'a [T],
    what: &str,
    source: &str,
    step: &str,
    out: &mut Fetched,
) -> &'a [T] {
    if entries.len() > MAX_LIST_ENTRIES {
        out.problems.push(cut(
            source,
            step,
            format!(
                "the endpoint listed {} {what}, more than the {MAX_LIST_ENTRIES} the audit reads: the first {MAX_LIST_ENTRIES} were read",
                entries.len()
            ),
        ));
        &entries[..MAX_LIST_ENTRIES]
    } else {
        entries
    }
}

/// What the audit fetched: documents to check (a step that failed is a document too, an
/// `{"AuditStep": ..., "Error": ...}` object the AUD rules read), and notes for the user.
#[derive(Debug, Default)]
pub struct Fetched {
    pub documents: Vec<(String, String)>,
    pub problems: Vec<Problem>,
    pub notes: Vec<String>,
    pub account: Option<String>,
    /// IAM's simulator answered (step 3): its output is a document.
    pub simulated: bool,
}

impl Fetched {
    /// Every document, the failed steps included.
    pub fn all_documents(&self) -> Vec<(String, String)> {
        let mut docs = self.documents.clone();
        for p in &self.problems {
            let doc = serde_json::json!({
                "AuditStep": p.step,
                "Error": {"Message": p.message, "AccessDenied": p.access_denied, "Permission": p.permission, "Code": p.code},
            });
            docs.push((p.source.clone(), pretty(&doc.to_string())));
        }
        docs
    }
}

/// A step that failed: its virtual document, what went wrong, and the permission it needed.
#[derive(Debug, Clone)]
pub struct Problem {
    pub source: String,
    pub step: String,
    pub message: String,
    /// The call failed for a reason outside the account: a timeout, an unreachable endpoint, a
    /// malformed response, throttling that outlasted the retries, a server error. The audit is
    /// then incomplete, and exits with 2 after reporting what it learned.
    pub fault: bool,
    pub access_denied: bool,
    pub permission: Option<String>,
    pub code: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Target {
    pub user: Option<String>,
    pub role: Option<String>,
    pub bucket: Option<String>,
    pub account_id: Option<String>,
    /// Which export to read (CUR 2.0 `Name` or legacy `ReportName`); all when `None`.
    pub export_name: Option<String>,
    /// Read CUR 2.0 exports (`true`) or legacy reports.
    pub cur2: bool,
    /// The export's S3 prefix.
    pub prefix: Option<String>,
    /// What to simulate (step 3): `(action, resource)` pairs the scenario needs.
    pub simulate: Vec<(String, String)>,
    /// The time one attempt of a call may take; the whole call (with its retries) gets three
    /// times as long.
    pub timeout: Duration,
}

fn pretty(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_else(|_| text.to_string()) + "\n",
        Err(_) => text.to_string(),
    }
}

/// IAM returns policy documents URL-encoded (moto returns them plain).
pub fn decode_policy(doc: &str) -> String {
    let t = doc.trim_start();
    if t.starts_with('{') {
        return doc.to_string();
    }
    let b = doc.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn problem<E: ProvideErrorMetadata + std::error::Error + 'static>(
    err: &SdkError<E, aws_sdk_iam::config::http::HttpResponse>,
    source: &str,
    step: &str,
    permission: &str,
) -> Problem {
    let status = err.raw_response().map(|r| r.status().as_u16());
    let code = err.code().unwrap_or("").to_string();
    let denied =
        status == Some(403) || code.contains("AccessDenied") || code == "UnauthorizedOperation";
    let fault = matches!(
        err,
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_)
    ) || status.is_some_and(|s| s >= 500)
        // a successful status with an error: the body could not be read
        || status.is_some_and(|s| (200..300).contains(&s))
        || code.contains("Throttl")
        || code == "RequestLimitExceeded";
    let message = match err {
        _ if too_large(err) => format!(
            "the response was larger than the {} MiB the audit reads: it was not read",
            MAX_RESPONSE_BYTES / (1024 * 1024)
        ),
        SdkError::TimeoutError(_) => "the call timed out".to_string(),
        SdkError::DispatchFailure(_) => "could not reach the AWS endpoint".to_string(),
        SdkError::ResponseError(_) => "the response could not be read (malformed)".to_string(),
        _ if status.is_some_and(|s| (200..300).contains(&s)) => {
            "the response could not be read (malformed)".to_string()
        }
        _ => err
            .message()
            .map(str::to_string)
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| {
                if code.is_empty() {
                    format!("HTTP {}", status.unwrap_or(0))
                } else {
                    code.clone()
                }
            }),
    };
    Problem {
        fault,
        source: source.to_string(),
        step: step.to_string(),
        message,
        access_denied: denied,
        permission: Some(permission.to_string()),
        code: Some(code).filter(|c| !c.is_empty()),
    }
}

/// Read the account: caller identity, the principal's policies, the bucket's location and policy.
pub fn fetch(target: &Target, progress: &mut dyn FnMut(&str)) -> Fetched {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return Fetched {
                problems: vec![Problem {
                    fault: false,
                    source: "aws://runtime.json".into(),
                    step: "start".into(),
                    message: e.to_string(),
                    access_denied: false,
                    permission: None,
                    code: None,
                }],
                ..Default::default()
            };
        }
    };
    let mut out = Fetched::default();
    let limit = target.timeout * AUDIT_TIMEOUTS;
    rt.block_on(async {
        if tokio::time::timeout(limit, fetch_async(target, progress, &mut out))
            .await
            .is_err()
        {
            out.problems.push(cut(
                "aws://audit.json",
                "audit",
                format!(
                    "the audit stopped after {} s ({AUDIT_TIMEOUTS} times --timeout): the steps after the one in progress were not done",
                    limit.as_secs()
                ),
            ));
        }
    });
    // the runtime's threads may still hold a call that was cut: they are not waited for
    rt.shutdown_background();
    out
}

async fn fetch_async(target: &Target, progress: &mut dyn FnMut(&str), out: &mut Fetched) {
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .operation_attempt_timeout(target.timeout)
        .operation_timeout(target.timeout * 3)
        .connect_timeout(target.timeout.min(Duration::from_secs(5)))
        .read_timeout(target.timeout)
        .build();
    let shared = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(timeouts)
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(3))
        .load()
        .await;
    let iam = aws_sdk_iam::Client::from_conf(
        aws_sdk_iam::config::Builder::from(&shared)
            .interceptor(ResponseLimit)
            .build(),
    );
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(&shared)
            .interceptor(ResponseLimit)
            .build(),
    );
    let mut s3_conf = aws_sdk_s3::config::Builder::from(&shared).interceptor(ResponseLimit);
    if std::env::var_os("AWS_ENDPOINT_URL").is_some()
        || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some()
    {
        s3_conf = s3_conf.force_path_style(true);
    }
    let s3 = aws_sdk_s3::Client::from_conf(s3_conf.build());

    // 1. who is calling
    progress("sts:GetCallerIdentity");
    let caller = match sts.get_caller_identity().send().await {
        Ok(r) => {
            let doc =
                serde_json::json!({"UserId": r.user_id(), "Account": r.account(), "Arn": r.arn()});
            out.account = r.account().map(str::to_string);
            out.documents.push((
                "aws://sts/caller-identity.json".into(),
                pretty(&doc.to_string()),
            ));
            r.arn().map(str::to_string)
        }
        Err(e) => {
            out.problems.push(problem(
                &e,
                "aws://sts/caller-identity.json",
                "sts:GetCallerIdentity",
                "sts:GetCallerIdentity",
            ));
            None
        }
    };

    // 2. the principal's policies
    let user_for_sim = target.user.clone().or_else(|| {
        caller
            .as_deref()
            .and_then(|a| a.split(":user/").nth(1))
            .map(|u| u.rsplit('/').next().unwrap_or(u).to_string())
    });
    let user = target.user.clone().or_else(|| {
        caller
            .as_deref()
            .and_then(|a| a.split(":user/").nth(1))
            .map(|u| u.rsplit('/').next().unwrap_or(u).to_string())
    });
    if let Some(user) = user.filter(|_| target.role.is_none()) {
        progress("iam: the user's policies");
        user_policies(&iam, &user, out).await;
    } else if let Some(role) = &target.role {
        progress("iam: the role's policies");
        role_policies(&iam, role, out).await;
    } else {
        out.notes.push("the caller is not an IAM user and no --user or --role was given: the principal's policies were not read".into());
    }

    // 4. the bucket
    let mut bucket_policy: Option<String> = None;
    if let Some(bucket) = &target.bucket {
        progress("s3: the bucket's location and policy");
        let loc_name = format!("aws://s3/{bucket}/location.json");
        match s3.get_bucket_location().bucket(bucket).send().await {
            Ok(r) => {
                let raw = r
                    .location_constraint()
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default();
                let region = match raw.as_str() {
                    "" => "us-east-1".to_string(),
                    "EU" => "eu-west-1".to_string(),
                    other => other.to_string(),
                };
                let doc = serde_json::json!({"Bucket": bucket, "LocationConstraint": if raw.is_empty() { serde_json::Value::Null } else { serde_json::json!(raw) }, "Region": region});
                out.documents.push((loc_name, pretty(&doc.to_string())));
            }
            Err(e) => out.problems.push(problem(
                &e,
                &loc_name,
                "s3:GetBucketLocation",
                "s3:GetBucketLocation",
            )),
        }
        let pol_name = format!("aws://s3/{bucket}/policy.json");
        match s3.get_bucket_policy().bucket(bucket).send().await {
            Ok(r) => {
                bucket_policy = r.policy().map(str::to_string);
                out.documents
                    .push((pol_name, pretty(r.policy().unwrap_or("{}"))));
            }
            Err(e) => {
                let code = e.code().unwrap_or("").to_string();
                if code == "NoSuchBucketPolicy" {
                    out.problems.push(Problem {
                        fault: false,
                        source: pol_name,
                        step: "s3:GetBucketPolicy".into(),
                        message: "the bucket has no bucket policy".into(),
                        access_denied: false,
                        permission: None,
                        code: Some(code),
                    });
                } else {
                    out.problems.push(problem(
                        &e,
                        &pol_name,
                        "s3:GetBucketPolicy",
                        "s3:GetBucketPolicy",
                    ));
                }
            }
        }
    }
    // 3. IAM's simulator, for every call the scenario needs
    let principal_arn = match (&target.role, &user_for_sim, &out.account) {
        (Some(role), _, Some(acct)) => Some(format!("arn:aws:iam::{acct}:role/{role}")),
        (None, Some(user), Some(acct)) => Some(format!("arn:aws:iam::{acct}:user/{user}")),
        _ => None,
    };
    if let (Some(arn), false) = (principal_arn, target.simulate.is_empty()) {
        progress("iam:SimulatePrincipalPolicy");
        let account = out.account.clone();
        simulate(
            &iam,
            &arn,
            &target.simulate,
            bucket_policy.as_deref(),
            account.as_deref(),
            out,
        )
        .await;
    }
    // 6. the delivered files
    if let (Some(bucket), Some(name)) = (&target.bucket, &target.export_name) {
        progress("s3: the delivered files");
        delivered(
            &s3,
            bucket,
            target.prefix.as_deref().unwrap_or(""),
            name,
            target.cur2,
            out,
        )
        .await;
    }
    // 5. the export
    if target.cur2 {
        progress("bcm-data-exports: the export");
        exports(&shared, target, out).await;
    } else {
        progress("cur: the report definitions");
        reports(&shared, target, out).await;
    }
}

/// Step 6: the files under `<prefix>/<name>/`, where else the export's files are when there are
/// none, and the first line of the newest data file (a ranged GET of its first 64 KiB).
async fn delivered(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
    name: &str,
    cur2: bool,
    out: &mut Fetched,
) {
    use serde_json::json;
    let src = format!("aws://s3/{bucket}/delivered.json");
    let base = format!(
        "{}{name}/",
        if prefix.trim_matches('/').is_empty() {
            String::new()
        } else {
            format!("{}/", prefix.trim_matches('/'))
        }
    );
    let mut objects: Vec<(String, i64, String)> = Vec::new();
    let mut truncated = false;
    let mut pages = s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix(&base)
        .into_paginator()
        .send();
    let mut read = 0;
    while let Some(page) = pages.next().await {
        read += 1;
        match page {
            Ok(p) if read >= MAX_LIST_PAGES && p.is_truncated() == Some(true) => {
                // an endpoint that marks every page truncated, empty or not, would be listed
                // for ever
                out.problems.push(cut(
                    &src,
                    "s3:ListBucket",
                    format!(
                        "the listing of `s3://{bucket}/{base}` was still marked truncated after {MAX_LIST_PAGES} pages ({} objects): the audit stopped it",
                        objects.len() + p.contents().len()
                    ),
                ));
                return;
            }
            Ok(p) => {
                for o in p.contents() {
                    objects.push((
                        o.key().unwrap_or("").to_string(),
                        o.size().unwrap_or(0),
                        o.last_modified()
                            .and_then(|d| {
                                d.fmt(aws_sdk_s3::primitives::DateTimeFormat::DateTime).ok()
                            })
                            .unwrap_or_default(),
                    ));
                }
                if objects.len() >= MAX_LISTED_OBJECTS {
                    truncated = true;
                    break;
                }
            }
            Err(e) => {
                out.problems
                    .push(problem(&e, &src, "s3:ListBucket", "s3:ListBucket"));
                return;
            }
        }
    }
    // none where expected: where are they?
    let mut elsewhere: Vec<String> = Vec::new();
    if objects.is_empty() {
        if let Ok(p) = s3
            .list_objects_v2()
            .bucket(bucket)
            .max_keys(1000)
            .send()
            .await
        {
            for o in p.contents().iter().take(1000) {
                let key = o.key().unwrap_or("");
                if let Some(i) = key.find(&format!("{name}/")) {
                    if i == 0 || key.as_bytes()[i - 1] == b'/' {
                        let found = key[..i].trim_end_matches('/').to_string();
                        if !elsewhere.contains(&found) {
                            elsewhere.push(found);
                        }
                    }
                }
            }
        }
    }
    let data: Vec<&(String, i64, String)> = objects
        .iter()
        .filter(|(k, _, _)| {
            k.ends_with(".csv.gz")
                || k.ends_with(".csv.zip")
                || k.ends_with(".snappy.parquet")
                || k.ends_with(".parquet")
        })
        .collect();
    let newest_csv = data
        .iter()
        .filter(|(k, _, _)| k.ends_with(".csv.gz"))
        .max_by(|a, b| a.2.cmp(&b.2));
    let mut header = serde_json::Value::Null;
    if let Some((key, _, _)) = newest_csv {
        if let Ok(mut obj) = s3
            .get_object()
            .bucket(bucket)
            .key(key)
            .range(format!("bytes=0-{}", HEADER_BYTES - 1))
            .send()
            .await
        {
            // the first 64 KiB, streamed: a server that ignores the range is not read further
            let mut raw: Vec<u8> = Vec::with_capacity(HEADER_BYTES);
            let mut more = obj
                .content_length()
                .is_some_and(|n| n > HEADER_BYTES as i64);
            let read = loop {
                match obj.body.try_next().await {
                    Ok(Some(chunk)) => {
                        let room = HEADER_BYTES - raw.len();
                        raw.extend_from_slice(&chunk[..chunk.len().min(room)]);
                        if chunk.len() > room {
                            more = true;
                            break true;
                        }
                    }
                    Ok(None) => break true,
                    Err(_) => break false,
                }
            };
            drop(obj);
            if more {
                out.notes.push(format!(
                    "the server sent more of `s3://{bucket}/{key}` than the first {} KiB the audit asked for (it ignored the byte range): only those were read",
                    HEADER_BYTES / 1024
                ));
            }
            if read {
                let mut text = String::new();
                let mut gz = flate2::read::GzDecoder::new(&raw[..]);
                let mut buf = vec![0u8; 65536];
                let mut filled = 0;
                while filled < buf.len() {
                    match std::io::Read::read(&mut gz, &mut buf[filled..]) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => filled += n,
                    }
                }
                text.push_str(&String::from_utf8_lossy(&buf[..filled]));
                let first = text.lines().next().unwrap_or("").to_string();
                header = json!({"Key": key, "FirstLine": first});
            }
        }
    }
    let doc = json!({
        "DeliveredFiles": {
            "Bucket": bucket,
            "Prefix": base,
            "ExportType": if cur2 { "cur2" } else { "legacy" },
            "Objects": objects.iter().map(|(k, s, m)| json!({"Key": k, "Size": s, "LastModified": m})).collect::<Vec<_>>(),
            "Truncated": truncated,
            "FoundUnder": elsewhere,
            "Header": header,
        }
    });
    out.documents.push((src, pretty(&doc.to_string())));
}

/// Step 3: one `SimulatePrincipalPolicy` call per resource, with the bucket policy as the
/// resource policy; the results are written in the CLI's output shape for the SIM rules. When
/// simulation is refused or unavailable the audit says so and the requirements are evaluated
/// offline instead.
async fn simulate(
    iam: &aws_sdk_iam::Client,
    principal: &str,
    calls: &[(String, String)],
    bucket_policy: Option<&str>,
    account: Option<&str>,
    out: &mut Fetched,
) {
    use serde_json::json;
    let mut by_resource: Vec<(String, Vec<String>)> = Vec::new();
    for (action, resource) in calls {
        match by_resource.iter_mut().find(|(r, _)| r == resource) {
            Some((_, actions)) => {
                if !actions.contains(action) {
                    actions.push(action.clone());
                }
            }
            None => by_resource.push((resource.clone(), vec![action.clone()])),
        }
    }
    let mut results = Vec::new();
    for (resource, actions) in by_resource {
        let mut req = iam
            .simulate_principal_policy()
            .policy_source_arn(principal)
            .resource_arns(&resource);
        for a in &actions {
            req = req.action_names(a);
        }
        if let (Some(p), true) = (bucket_policy, resource.starts_with("arn:aws:s3:::")) {
            req = req.resource_policy(p);
            if let Some(acct) = account {
                req = req.resource_owner(format!("arn:aws:iam::{acct}:root"));
            }
        }
        match req.send().await {
            Ok(r) => {
                for e in r.evaluation_results() {
                    let statements: Vec<serde_json::Value> = e
                        .matched_statements()
                        .iter()
                        .map(|s| {
                            json!({
                                "SourcePolicyId": s.source_policy_id(),
                                "SourcePolicyType": s.source_policy_type().map(|t| t.as_str()),
                                "StartPosition": s.start_position().map(|p| json!({"Line": p.line(), "Column": p.column()})),
                                "EndPosition": s.end_position().map(|p| json!({"Line": p.line(), "Column": p.column()})),
                            })
                        })
                        .collect();
                    let mut v = json!({
                        "EvalActionName": e.eval_action_name(),
                        "EvalResourceName": e.eval_resource_name().unwrap_or(&resource),
                        "EvalDecision": e.eval_decision().as_str(),
                        "MatchedStatements": statements,
                        "MissingContextValues": e.missing_context_values(),
                    });
                    if let Some(o) = e.organizations_decision_detail() {
                        v["OrganizationsDecisionDetail"] =
                            json!({"AllowedByOrganizations": o.allowed_by_organizations()});
                    }
                    if let Some(b) = e.permissions_boundary_decision_detail() {
                        v["PermissionsBoundaryDecisionDetail"] = json!({"AllowedByPermissionsBoundary": b.allowed_by_permissions_boundary()});
                    }
                    let specific: Vec<serde_json::Value> = e
                        .resource_specific_results()
                        .iter()
                        .map(|r| json!({"EvalResourceName": r.eval_resource_name(), "EvalResourceDecision": r.eval_resource_decision().as_str()}))
                        .collect();
                    if !specific.is_empty() {
                        v["ResourceSpecificResults"] = json!(specific);
                    }
                    results.push(v);
                }
            }
            Err(e) => {
                let p = problem(
                    &e,
                    "aws://iam/simulation.json",
                    "iam:SimulatePrincipalPolicy",
                    "iam:SimulatePrincipalPolicy",
                );
                out.notes.push(format!("IAM's simulator could not be used ({}): the requirements were evaluated offline on the policies read", p.message));
                return;
            }
        }
    }
    out.simulated = true;
    out.documents.push((
        "aws://iam/simulation.json".into(),
        pretty(&json!({"EvaluationResults": results}).to_string()),
    ));
}

fn datetime(d: Option<&aws_sdk_bcmdataexports::primitives::DateTime>) -> serde_json::Value {
    d.and_then(|d| {
        d.fmt(aws_sdk_bcmdataexports::primitives::DateTimeFormat::DateTime)
            .ok()
    })
    .map(serde_json::Value::String)
    .unwrap_or(serde_json::Value::Null)
}

/// Data Exports: `ListExports`, then `GetExport` for the export(s) in question, each written in
/// `get-export`'s shape.
async fn exports(shared: &aws_config::SdkConfig, target: &Target, out: &mut Fetched) {
    use serde_json::json;
    let client = aws_sdk_bcmdataexports::Client::from_conf(
        aws_sdk_bcmdataexports::config::Builder::from(shared)
            .interceptor(ResponseLimit)
            .build(),
    );
    let list = match client.list_exports().send().await {
        Ok(l) => l,
        Err(e) => {
            out.problems.push(problem(
                &e,
                "aws://bcm-data-exports/exports.json",
                "bcm-data-exports:ListExports",
                "bcm-data-exports:ListExports",
            ));
            return;
        }
    };
    let exports = bounded(
        list.exports(),
        "exports",
        "aws://bcm-data-exports/exports.json",
        "bcm-data-exports:ListExports",
        out,
    );
    let wanted: Vec<_> = exports
        .iter()
        .filter(|r| {
            target
                .export_name
                .as_deref()
                .is_none_or(|n| r.export_name() == n)
        })
        .collect();
    if wanted.is_empty() {
        let names: Vec<&str> = exports.iter().map(|r| r.export_name()).collect();
        out.problems.push(Problem {
            fault: false,
            source: "aws://bcm-data-exports/exports.json".into(),
            step: "bcm-data-exports:ListExports".into(),
            message: match &target.export_name {
                Some(n) => format!(
                    "no CUR 2.0 export is named `{n}` (the account has: {})",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
                None => "the account has no CUR 2.0 export".into(),
            },
            access_denied: false,
            permission: None,
            code: Some("NoSuchExport".into()),
        });
        return;
    }
    for r in wanted {
        let src = format!("aws://bcm-data-exports/export/{}.json", r.export_name());
        match client.get_export().export_arn(r.export_arn()).send().await {
            Ok(g) => {
                let Some(e) = g.export() else { continue };
                let dq = e.data_query();
                let dest = e
                    .destination_configurations()
                    .and_then(|d| d.s3_destination());
                let outc = dest.and_then(|d| d.s3_output_configurations());
                let mut export = json!({"ExportArn": e.export_arn(), "Name": e.name()});
                if let Some(d) = e.description() {
                    export["Description"] = json!(d);
                }
                if let Some(dq) = dq {
                    export["DataQuery"] = json!({"QueryStatement": dq.query_statement(), "TableConfigurations": dq.table_configurations().map(|t| json!(t)).unwrap_or(json!({}))});
                }
                if let Some(d) = dest {
                    let mut s3 = json!({"S3Bucket": d.s3_bucket(), "S3Prefix": d.s3_prefix(), "S3Region": d.s3_region()});
                    if let Some(o) = outc {
                        s3["S3OutputConfigurations"] = json!({"OutputType": o.output_type().as_str(), "Format": o.format().as_str(), "Compression": o.compression().as_str(), "Overwrite": o.overwrite().as_str()});
                    }
                    export["DestinationConfigurations"] = json!({"S3Destination": s3});
                }
                if let Some(c) = e.refresh_cadence() {
                    export["RefreshCadence"] = json!({"Frequency": c.frequency().as_str()});
                }
                let mut doc = json!({"Export": export});
                if let Some(st) = g.export_status() {
                    let mut status = json!({"StatusCode": st.status_code().map(|c| c.as_str())});
                    if let Some(r) = st.status_reason() {
                        status["StatusReason"] = json!(r.as_str());
                    }
                    for (k, v) in [
                        ("CreatedAt", datetime(st.created_at())),
                        ("LastUpdatedAt", datetime(st.last_updated_at())),
                        ("LastRefreshedAt", datetime(st.last_refreshed_at())),
                    ] {
                        if !v.is_null() {
                            status[k] = v;
                        }
                    }
                    doc["ExportStatus"] = status;
                }
                out.documents.push((src, pretty(&doc.to_string())));
            }
            Err(e) => out.problems.push(problem(
                &e,
                &src,
                "bcm-data-exports:GetExport",
                "bcm-data-exports:GetExport",
            )),
        }
    }
}

/// Legacy CUR: `DescribeReportDefinitions`, written in its CLI output's shape.
async fn reports(shared: &aws_config::SdkConfig, target: &Target, out: &mut Fetched) {
    use serde_json::json;
    // the CUR API answers in us-east-1 only
    let conf = aws_sdk_costandusagereport::config::Builder::from(shared)
        .region(aws_sdk_costandusagereport::config::Region::new("us-east-1"))
        .interceptor(ResponseLimit)
        .build();
    let client = aws_sdk_costandusagereport::Client::from_conf(conf);
    let src = "aws://cur/report-definitions.json";
    match client.describe_report_definitions().send().await {
        Ok(r) => {
            let defs: Vec<serde_json::Value> = r
                .report_definitions()
                .iter()
                .filter(|d| target.export_name.as_deref().is_none_or(|n| d.report_name() == n))
                .map(|d| {
                    let mut v = json!({
                        "ReportName": d.report_name(),
                        "TimeUnit": d.time_unit().as_str(),
                        "Format": d.format().as_str(),
                        "Compression": d.compression().as_str(),
                        "AdditionalSchemaElements": d.additional_schema_elements().iter().map(|e| e.as_str()).collect::<Vec<_>>(),
                        "S3Bucket": d.s3_bucket(),
                        "S3Prefix": d.s3_prefix(),
                        "S3Region": d.s3_region().as_str(),
                    });
                    if !d.additional_artifacts().is_empty() {
                        v["AdditionalArtifacts"] = json!(d.additional_artifacts().iter().map(|a| a.as_str()).collect::<Vec<_>>());
                    }
                    if let Some(b) = d.refresh_closed_reports() {
                        v["RefreshClosedReports"] = json!(b);
                    }
                    if let Some(rv) = d.report_versioning() {
                        v["ReportVersioning"] = json!(rv.as_str());
                    }
                    v
                })
                .collect();
            if defs.is_empty() {
                out.problems.push(Problem {
                    fault: false,
                    source: src.into(),
                    step: "cur:DescribeReportDefinitions".into(),
                    message: match &target.export_name {
                        Some(n) => format!("no legacy CUR report is named `{n}`"),
                        None => "the account has no legacy CUR report".into(),
                    },
                    access_denied: false,
                    permission: None,
                    code: Some("NoSuchReport".into()),
                });
            } else {
                out.documents.push((
                    src.into(),
                    pretty(&json!({"ReportDefinitions": defs}).to_string()),
                ));
            }
        }
        Err(e) => out.problems.push(problem(
            &e,
            src,
            "cur:DescribeReportDefinitions",
            "cur:DescribeReportDefinitions",
        )),
    }
}

async fn user_policies(iam: &aws_sdk_iam::Client, user: &str, out: &mut Fetched) {
    let base = format!("aws://iam/user/{user}");
    match iam.list_user_policies().user_name(user).send().await {
        Ok(r) => {
            let listed = &format!("{base}/inline");
            for name in bounded(
                r.policy_names(),
                "inline policies",
                listed,
                "iam:ListUserPolicies",
                out,
            ) {
                let src = format!("{base}/inline/{name}.json");
                match iam
                    .get_user_policy()
                    .user_name(user)
                    .policy_name(name)
                    .send()
                    .await
                {
                    Ok(p) => out
                        .documents
                        .push((src, pretty(&decode_policy(p.policy_document())))),
                    Err(e) => out.problems.push(problem(
                        &e,
                        &src,
                        "iam:GetUserPolicy",
                        "iam:GetUserPolicy",
                    )),
                }
            }
        }
        Err(e) => out.problems.push(problem(
            &e,
            &format!("{base}/inline"),
            "iam:ListUserPolicies",
            "iam:ListUserPolicies",
        )),
    }
    match iam
        .list_attached_user_policies()
        .user_name(user)
        .send()
        .await
    {
        Ok(r) => {
            let listed = &format!("{base}/attached");
            for a in bounded(
                r.attached_policies(),
                "attached policies",
                listed,
                "iam:ListAttachedUserPolicies",
                out,
            ) {
                managed(
                    iam,
                    a.policy_arn().unwrap_or(""),
                    a.policy_name().unwrap_or("policy"),
                    &format!("{base}/attached"),
                    out,
                )
                .await;
            }
        }
        Err(e) => out.problems.push(problem(
            &e,
            &format!("{base}/attached"),
            "iam:ListAttachedUserPolicies",
            "iam:ListAttachedUserPolicies",
        )),
    }
    match iam.list_groups_for_user().user_name(user).send().await {
        Ok(r) => {
            let listed = &format!("{base}/groups");
            for g in bounded(r.groups(), "groups", listed, "iam:ListGroupsForUser", out) {
                let group = g.group_name();
                let gbase = format!("aws://iam/group/{group}");
                if let Ok(names) = iam.list_group_policies().group_name(group).send().await {
                    let listed = &format!("{gbase}/inline");
                    for name in bounded(
                        names.policy_names(),
                        "inline policies",
                        listed,
                        "iam:ListGroupPolicies",
                        out,
                    ) {
                        let src = format!("{gbase}/inline/{name}.json");
                        match iam
                            .get_group_policy()
                            .group_name(group)
                            .policy_name(name)
                            .send()
                            .await
                        {
                            Ok(p) => out
                                .documents
                                .push((src, pretty(&decode_policy(p.policy_document())))),
                            Err(e) => out.problems.push(problem(
                                &e,
                                &src,
                                "iam:GetGroupPolicy",
                                "iam:GetGroupPolicy",
                            )),
                        }
                    }
                }
                if let Ok(att) = iam
                    .list_attached_group_policies()
                    .group_name(group)
                    .send()
                    .await
                {
                    let listed = &format!("{gbase}/attached");
                    for a in bounded(
                        att.attached_policies(),
                        "attached policies",
                        listed,
                        "iam:ListAttachedGroupPolicies",
                        out,
                    ) {
                        managed(
                            iam,
                            a.policy_arn().unwrap_or(""),
                            a.policy_name().unwrap_or("policy"),
                            &format!("{gbase}/attached"),
                            out,
                        )
                        .await;
                    }
                }
            }
        }
        Err(e) => out.problems.push(problem(
            &e,
            &format!("{base}/groups"),
            "iam:ListGroupsForUser",
            "iam:ListGroupsForUser",
        )),
    }
}

async fn role_policies(iam: &aws_sdk_iam::Client, role: &str, out: &mut Fetched) {
    let base = format!("aws://iam/role/{role}");
    // the trust policy: who may assume the role (the platform's principal, its external ID)
    let src = format!("{base}/trust-policy.json");
    match iam.get_role().role_name(role).send().await {
        Ok(r) => {
            if let Some(doc) = r.role().and_then(|r| r.assume_role_policy_document()) {
                out.documents.push((src, pretty(&decode_policy(doc))));
            }
        }
        Err(e) => out
            .problems
            .push(problem(&e, &src, "iam:GetRole", "iam:GetRole")),
    }
    match iam.list_role_policies().role_name(role).send().await {
        Ok(r) => {
            let listed = &format!("{base}/inline");
            for name in bounded(
                r.policy_names(),
                "inline policies",
                listed,
                "iam:ListRolePolicies",
                out,
            ) {
                let src = format!("{base}/inline/{name}.json");
                match iam
                    .get_role_policy()
                    .role_name(role)
                    .policy_name(name)
                    .send()
                    .await
                {
                    Ok(p) => out
                        .documents
                        .push((src, pretty(&decode_policy(p.policy_document())))),
                    Err(e) => out.problems.push(problem(
                        &e,
                        &src,
                        "iam:GetRolePolicy",
                        "iam:GetRolePolicy",
                    )),
                }
            }
        }
        Err(e) => out.problems.push(problem(
            &e,
            &format!("{base}/inline"),
            "iam:ListRolePolicies",
            "iam:ListRolePolicies",
        )),
    }
    match iam
        .list_attached_role_policies()
        .role_name(role)
        .send()
        .await
    {
        Ok(r) => {
            let listed = &format!("{base}/attached");
            for a in bounded(
                r.attached_policies(),
                "attached policies",
                listed,
                "iam:ListAttachedRolePolicies",
                out,
            ) {
                managed(
                    iam,
                    a.policy_arn().unwrap_or(""),
                    a.policy_name().unwrap_or("policy"),
                    &format!("{base}/attached"),
                    out,
                )
                .await;
            }
        }
        Err(e) => out.problems.push(problem(
            &e,
            &format!("{base}/attached"),
            "iam:ListAttachedRolePolicies",
            "iam:ListAttachedRolePolicies",
        )),
    }
}

async fn managed(iam: &aws_sdk_iam::Client, arn: &str, name: &str, base: &str, out: &mut Fetched) {
    let src = format!("{base}/{name}.json");
    let version = match iam.get_policy().policy_arn(arn).send().await {
        Ok(p) => p
            .policy()
            .and_then(|p| p.default_version_id())
            .unwrap_or("v1")
            .to_string(),
        Err(e) => {
            out.problems
                .push(problem(&e, &src, "iam:GetPolicy", "iam:GetPolicy"));
            return;
        }
    };
    match iam
        .get_policy_version()
        .policy_arn(arn)
        .version_id(&version)
        .send()
        .await
    {
        Ok(v) => {
            let doc = v
                .policy_version()
                .and_then(|p| p.document())
                .unwrap_or("{}");
            out.documents.push((src, pretty(&decode_policy(doc))));
        }
        Err(e) => out.problems.push(problem(
            &e,
            &src,
            "iam:GetPolicyVersion",
            "iam:GetPolicyVersion",
        )),
    }
}
