//! `finops-lint server`: the language server, spoken to over its standard input and output as an
//! editor does (a protocol-level client here), and driven by a real editor (Neovim, headless).

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_finops-lint");

/// A client: the server's process, what it sends (read on a thread) and the next request id.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    next_id: i64,
    /// Messages read while waiting for another.
    seen: Vec<Value>,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(BIN)
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start finops-lint server");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let value: Value = serde_json::from_slice(&body).expect("a JSON message");
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        let stdin = child.stdin.take();
        Client {
            child,
            stdin,
            messages: rx,
            next_id: 1,
            seen: Vec::new(),
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        let stdin = self.stdin.as_mut().expect("the server's input is open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Send a request and wait for its response.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(|m| m["id"] == id, &format!("the response to `{method}`"))
    }

    /// The next message that `wanted` accepts (others are kept), within 30 seconds.
    fn wait(&mut self, wanted: impl Fn(&Value) -> bool, what: &str) -> Value {
        if let Some(i) = self.seen.iter().position(&wanted) {
            return self.seen.remove(i);
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(m) if wanted(&m) => return m,
                Ok(m) => self.seen.push(m),
                Err(_) => panic!("no {what} from the server; it sent {:#?}", self.seen),
            }
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let m = self.wait(
            |m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri,
            &format!("diagnostics for {uri}"),
        );
        m["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn initialize(client: &mut Client, root: &Path) -> Value {
    let response = client.request(
        "initialize",
        json!({"processId": null, "rootUri": url(root), "capabilities": {}}),
    );
    client.notify("initialized", json!({}));
    response
}

fn url(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("finops-lint-server-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::canonicalize(&dir).unwrap()
}

/// The guide's bucket policy with its placeholders (OptScale's guide, `../shared/seeds`).
const GUIDE_POLICY: &str = r#"{
   "Version":"2012-10-17",
   "Statement":[
      {
         "Sid":"EnableAWSDataExportsToWriteToS3AndCheckPolicy",
         "Effect":"Allow",
         "Principal":{
            "Service":[
               "billingreports.amazonaws.com",
               "bcm-data-exports.amazonaws.com"
            ]
         },
         "Action":[
            "s3:PutObject",
            "s3:GetBucketPolicy"
         ],
         "Resource":[
            "arn:aws:s3:::<bucket_name>/*",
            "arn:aws:s3:::<bucket_name>"
         ],
         "Condition":{
            "StringLike":{
               "aws:SourceAccount":"<AWS account ID>",
               "aws:SourceArn":[
                  "arn:aws:cur:us-east-1:<AWS account ID>:definition/*",
                  "arn:aws:bcm-data-exports:us-east-1:<AWS account ID>:export/*"
               ]
            }
         }
      }
   ]
}
"#;

/// The 0-based line and character of the first `needle` in `text` (ASCII text).
fn place(text: &str, needle: &str) -> (u64, u64) {
    let at = text.find(needle).unwrap();
    let line = text[..at].matches('\n').count();
    let col = at - text[..at].rfind('\n').map_or(0, |n| n + 1);
    (line as u64, col as u64)
}

/// Diagnostics as (code, 0-based line, UTF-16 character of their start), sorted.
fn places(diagnostics: &[Value]) -> Vec<(String, u64, u64)> {
    let mut out: Vec<(String, u64, u64)> = diagnostics
        .iter()
        .map(|d| {
            let s = &d["range"]["start"];
            (
                d["code"].as_str().unwrap().to_string(),
                s["line"].as_u64().unwrap(),
                s["character"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// What `finops-lint check ARGS FILE` reports, as [`places`] gives diagnostics (its lines and
/// columns are 1-based; the files compared are ASCII, where columns and UTF-16 units agree).
fn check_places(args: &[&str], file: &Path) -> Vec<(String, u64, u64)> {
    let check = Command::new(BIN)
        .arg("check")
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&check.stdout).unwrap();
    let mut out: Vec<(String, u64, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = &f["range"]["start"];
            (
                f["code"].as_str().unwrap().to_string(),
                s["line"].as_u64().unwrap() - 1,
                s["column"].as_u64().unwrap() - 1,
            )
        })
        .collect();
    out.sort();
    out
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn the_server_publishes_findings_offers_fixes_and_hovers_with_the_projects_configuration() {
    let dir = temp_dir("protocol");
    std::fs::write(
        dir.join("finops-lint.toml"),
        "[onboarding]\nbucket = \"acme-finops-billing\"\naccount-id = \"402938475610\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("infra")).unwrap();
    let policy_path = dir.join("infra/bucket-policy.json");
    std::fs::write(&policy_path, GUIDE_POLICY).unwrap();
    let uri = url(&policy_path);

    let mut client = Client::start();
    let init = initialize(&mut client, &dir);
    let caps = &init["result"]["capabilities"];
    assert_eq!(init["result"]["serverInfo"]["name"], "finops-lint");
    assert_eq!(caps["textDocumentSync"]["change"], 1, "{caps}");
    assert_eq!(caps["hoverProvider"], true);
    assert!(caps["codeActionProvider"]["codeActionKinds"]
        .as_array()
        .unwrap()
        .contains(&json!("quickfix")));

    // the guide's policy: each placeholder at its place, with the rule's code, link, note and help
    client.open(&uri, "json", GUIDE_POLICY);
    let diagnostics = client.diagnostics(&uri);
    let (line, character) = place(GUIDE_POLICY, "arn:aws:s3:::<bucket_name>/*");
    let first = diagnostics
        .iter()
        .find(|d| d["code"] == "VAL001")
        .unwrap_or_else(|| panic!("no VAL001 in {diagnostics:#?}"));
    assert_eq!(
        first["range"]["start"],
        json!({"line": line, "character": character})
    );
    assert_eq!(
        first["range"]["end"],
        json!({"line": line, "character": character + "arn:aws:s3:::<bucket_name>/*".len() as u64})
    );
    assert_eq!(first["severity"], 1);
    assert_eq!(first["source"], "finops-lint");
    assert!(first["codeDescription"]["href"]
        .as_str()
        .unwrap()
        .ends_with("rules/VAL001-unreplaced-placeholder/README.md"));
    let message = first["message"].as_str().unwrap();
    assert!(
        message.contains("<bucket_name>") && message.contains("\nhelp: "),
        "{message}"
    );
    // the same findings `check` reports for the file, with the same configuration
    let ours = places(&diagnostics);
    assert_eq!(ours, check_places(&["--format", "json"], &policy_path));
    assert_eq!(ours.len(), 5, "{ours:?}");

    // a quick fix that takes the configuration's bucket
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": first["range"], "context": {"diagnostics": [first]}}),
    );
    let actions = actions["result"].as_array().unwrap();
    let quick = actions
        .iter()
        .find(|a| a["kind"] == "quickfix")
        .unwrap_or_else(|| panic!("no quick fix in {actions:#?}"));
    assert_eq!(quick["isPreferred"], true);
    let edits = &quick["edit"]["changes"][&uri];
    assert_eq!(edits[0]["newText"], "arn:aws:s3:::acme-finops-billing/*");
    assert_eq!(edits[0]["range"], first["range"]);
    let fix_all = actions
        .iter()
        .find(|a| a["kind"] == "source.fixAll.finops-lint")
        .unwrap_or_else(|| panic!("no fix all in {actions:#?}"));
    let fixed = fix_all["edit"]["changes"][&uri][0]["newText"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !fixed.contains('<') && fixed.contains("402938475610:export/*"),
        "{fixed}"
    );

    // hover: an action's catalog entry
    let (l, c) = place(GUIDE_POLICY, "s3:PutObject");
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": l, "character": c + 4}}),
    );
    let value = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains("`s3:PutObject`") && value.contains("Access level: Write"),
        "{value}"
    );
    assert_eq!(
        hover["result"]["range"]["start"],
        json!({"line": l, "character": c})
    );
    // nothing to say on a structural word
    let (l, c) = place(GUIDE_POLICY, "Statement");
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": l, "character": c + 2}}),
    );
    assert_eq!(hover["result"], Value::Null);

    // the edit applied: checked again as it changes
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    let after = client.diagnostics(&uri);
    assert!(codes(&after).iter().all(|c| c != "VAL001"), "{after:#?}");

    // the configuration opened and edited: it applies at once, and its own problems are shown
    // in it, with hover on a rule code
    let config_uri = url(&dir.join("finops-lint.toml"));
    let config = "[onboarding]\nbucket = \"acme-finops-billing\"\naccount-id = \"402938475610\"\n\n[rules.severity]\nVAL001 = \"off\"\nBP99 = \"warning\"\n";
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": GUIDE_POLICY}]}),
    );
    assert!(codes(&client.diagnostics(&uri)).contains(&"VAL001".to_string()));
    client.open(&config_uri, "toml", config);
    let config_findings = client.diagnostics(&config_uri);
    assert_eq!(codes(&config_findings), ["CFG001"], "{config_findings:#?}");
    assert_eq!(config_findings[0]["range"]["start"]["line"], 6);
    let policy_again = client.diagnostics(&uri);
    assert!(
        codes(&policy_again).iter().all(|c| c != "VAL001"),
        "{policy_again:#?}"
    );
    let (l, c) = place(config, "VAL001");
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": config_uri}, "position": {"line": l, "character": c + 1}}),
    );
    let value = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        value.starts_with("# VAL001 unreplaced-placeholder"),
        "{value}"
    );
    assert!(value.contains("## Fix"), "{value}");
    // closed: the file on disk applies again (VAL001 on)
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": config_uri}}),
    );
    assert!(client.diagnostics(&config_uri).is_empty());
    assert!(codes(&client.diagnostics(&uri)).contains(&"VAL001".to_string()));

    // an unknown request is answered with an error, the server goes on
    let unknown = client.request("workspace/nothing", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    let shutdown = client.request("shutdown", Value::Null);
    assert_eq!(shutdown["result"], Value::Null);
    client.notify("exit", Value::Null);
    drop(client.stdin.take());
    let status = wait_exit(&mut client.child);
    assert_eq!(status, Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

fn wait_exit(child: &mut Child) -> Option<i32> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(s) = child.try_wait().unwrap() {
            return s.code();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the server did not exit");
}

#[test]
fn terraform_is_checked_with_its_module_and_secrets_never_leave_the_server() {
    let dir = temp_dir("terraform");
    // the bucket's name is a variable of the module, defined in another file
    std::fs::write(
        dir.join("variables.tf"),
        "variable \"bucket\" {\n  default = \"acme-finops-billing\"\n}\n",
    )
    .unwrap();
    let main = r#"resource "aws_iam_policy" "read" {
  name   = "finops-read"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObjct"]
      Resource = ["arn:aws:s3:::${var.bucket}/*"]
    }]
  })
}
"#;
    let main_path = dir.join("main.tf");
    std::fs::write(&main_path, main).unwrap();
    let mut client = Client::start();
    initialize(&mut client, &dir);
    let uri = url(&main_path);
    client.open(&uri, "terraform", main);
    let found = client.diagnostics(&uri);
    let unknown = found
        .iter()
        .find(|d| d["code"] == "IAM002")
        .unwrap_or_else(|| panic!("no IAM002 in {found:#?}"));
    let (l, c) = place(main, "s3:GetObjct");
    assert_eq!(
        unknown["range"]["start"],
        json!({"line": l, "character": c})
    );
    assert!(unknown["message"]
        .as_str()
        .unwrap()
        .contains("s3:GetObject"));

    // a CloudFormation template in YAML: the same findings as `check` (line and column)
    let template_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/broken/cloudformation.yaml");
    let template = std::fs::read_to_string(&template_path).unwrap();
    let template_uri = url(&dir.join("cloudformation.yaml"));
    client.open(&template_uri, "yaml", &template);
    let ours = places(&client.diagnostics(&template_uri));
    assert!(ours.iter().any(|f| f.0 == "BP001"), "{ours:?}");
    assert_eq!(
        ours,
        check_places(&["--no-config", "--format", "json"], &template_path)
    );

    // a secret in a document: reported, never repeated
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
    let creds = format!(
        "{{\"AccessKeyId\": \"AKIAIOSFODNN7EXAMPLE\", \"SecretAccessKey\": \"{secret}\", \"Bucket\": \"{secret}\"}}\n"
    );
    let creds_uri = "untitled:credentials.json";
    client.open(creds_uri, "json", &creds);
    let found = client.diagnostics(creds_uri);
    assert!(codes(&found).contains(&"SEC001".to_string()), "{found:#?}");
    let all = serde_json::to_string(&found).unwrap();
    assert!(
        !all.contains(secret) && !all.contains(&secret[..12]),
        "{all}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Neovim (Debian's package, headless) configured with the server opens the guide's bucket
/// policy and receives its diagnostics. `scripts/test.sh` installs Neovim and names it in
/// `FINOPS_LINT_NVIM`; without it the test fails (it never skips).
#[test]
fn neovim_receives_the_diagnostics() {
    let nvim = std::env::var("FINOPS_LINT_NVIM").unwrap_or_else(|_| {
        panic!("FINOPS_LINT_NVIM is not set: run the tests with scripts/test.sh, which installs Neovim")
    });
    let dir = temp_dir("neovim");
    std::fs::write(
        dir.join("finops-lint.toml"),
        "[onboarding]\nbucket = \"acme-finops-billing\"\n",
    )
    .unwrap();
    let policy = dir.join("bucket-policy.json");
    std::fs::write(&policy, GUIDE_POLICY).unwrap();
    let out = dir.join("diagnostics.json");
    let script = dir.join("init.lua");
    std::fs::write(&script, NVIM_SCRIPT).unwrap();
    let mut child = Command::new(&nvim)
        .args(["--headless", "--clean", "-n", "-u", "NONE", "-i", "NONE"])
        .arg("-c")
        .arg(format!("luafile {}", script.display()))
        .arg(&policy)
        .env("FINOPS_LINT_BIN", BIN)
        .env("FINOPS_LINT_OUT", &out)
        .env("HOME", &dir)
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nvim");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("Neovim did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
    let written = std::fs::read_to_string(&out).unwrap_or_else(|e| {
        panic!("Neovim wrote no result ({e}); exit {status:?}; stderr: {stderr}")
    });
    let result: Value = serde_json::from_str(written.trim()).unwrap();
    println!("Neovim ({}) received: {result:#}", result["version"]);
    let diagnostics = result["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 5, "{result:#}");
    let (line, col) = place(GUIDE_POLICY, "arn:aws:s3:::<bucket_name>/*");
    let first = diagnostics
        .iter()
        .find(|d| d["lnum"] == line)
        .unwrap_or_else(|| panic!("nothing on line {line}: {result:#}"));
    assert_eq!(first["col"], col);
    assert_eq!(first["code"], "VAL001");
    assert_eq!(first["source"], "finops-lint");
    assert!(
        first["message"]
            .as_str()
            .unwrap()
            .contains("acme-finops-billing"),
        "{first}"
    );
    // the hover Neovim asked for, on `s3:PutObject`
    assert!(
        result["hover"]
            .as_str()
            .unwrap_or("")
            .contains("Access level: Write"),
        "{result:#}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Neovim's side: start the server for the buffer, wait for diagnostics, ask for a hover, write
/// what it received as JSON and quit (Neovim 0.7's API, Debian 12's package).
const NVIM_SCRIPT: &str = r#"
local out = os.getenv('FINOPS_LINT_OUT')
local function finish(result)
  vim.fn.writefile({ vim.fn.json_encode(result) }, out)
  vim.cmd('qa!')
end
local ok, err = pcall(function()
  local buf = vim.api.nvim_get_current_buf()
  local client = vim.lsp.start_client({
    name = 'finops-lint',
    cmd = { os.getenv('FINOPS_LINT_BIN'), 'server' },
    root_dir = vim.fn.expand('%:p:h'),
  })
  vim.lsp.buf_attach_client(buf, client)
  vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
  local diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local lsp = (d.user_data or {}).lsp or {}
    table.insert(diagnostics, {
      lnum = d.lnum, col = d.col, severity = d.severity, source = d.source,
      message = d.message, code = d.code or lsp.code,
    })
  end
  local line = vim.fn.search('s3:PutObject') - 1
  local col = vim.fn.col('.') + 3
  local responses = vim.lsp.buf_request_sync(buf, 'textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = line, character = col },
  }, 10000)
  local hover = ''
  for _, r in pairs(responses or {}) do
    if r.result and r.result.contents then hover = r.result.contents.value end
  end
  finish({ version = tostring(vim.version().major) .. '.' .. tostring(vim.version().minor),
           diagnostics = diagnostics, hover = hover })
end)
if not ok then finish({ error = tostring(err), diagnostics = {} }) end
"#;

#[test]
fn the_tree_is_not_left_through_links_and_other_tools_files_are_quiet() {
    let dir = temp_dir("links");
    let repo = dir.join("repo");
    let outside = dir.join("outside");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    // a module file that is a link out of the tree: its variable is not read
    std::fs::write(
        outside.join("private.tf"),
        "variable \"act\" {\n  default = \"s3:TopSecretFromOutside\"\n}\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.join("private.tf"), repo.join("vars.tf")).unwrap();
    let main = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{ Effect = \"Allow\", Action = [var.act], Resource = \"*\" }]\n  })\n}\n\nresource \"aws_iam_policy\" \"q\" {\n  policy = file(\"${path.module}/policies/read.json\")\n}\n";
    std::fs::write(repo.join("main.tf"), main).unwrap();
    // the policy file the template reads, inside the tree: read, so no IO001
    std::fs::create_dir_all(repo.join("policies")).unwrap();
    std::fs::write(
        repo.join("policies/read.json"),
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
    )
    .unwrap();
    let mut client = Client::start();
    initialize(&mut client, &repo);
    let uri = url(&repo.join("main.tf"));
    client.open(&uri, "terraform", main);
    let found = client.diagnostics(&uri);
    let all = serde_json::to_string(&found).unwrap();
    assert!(!all.contains("TopSecretFromOutside"), "{all}");
    assert!(!codes(&found).contains(&"IO001".to_string()), "{found:#?}");
    // edited: the policy file read at the last check is given at once, still no IO001
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": format!("{main}\n")}]}),
    );
    let again = client.diagnostics(&uri);
    assert!(!codes(&again).contains(&"IO001".to_string()), "{again:#?}");
    assert_eq!(places(&again), places(&found));

    // a configuration that is a link out of the tree: said, not read, not ignored silently
    let sub = repo.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(
        outside.join("finops-lint.toml"),
        "[rules.severity]\nVAL001 = \"off\"\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(
        outside.join("finops-lint.toml"),
        sub.join("finops-lint.toml"),
    )
    .unwrap();
    let policy_uri = url(&sub.join("bucket-policy.json"));
    client.open(&policy_uri, "json", GUIDE_POLICY);
    let found = client.diagnostics(&policy_uri);
    assert_eq!(found.len(), 1, "{found:#?}");
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("leads out of its folder"), "{message}");

    // other tools' files: nothing to say (TOML that is not finops-lint.toml, unknown JSON)
    let cargo_uri = url(&repo.join("Cargo.toml"));
    client.open(&cargo_uri, "toml", "[package]\nname = \"x\"\n");
    assert!(client.diagnostics(&cargo_uri).is_empty());
    let package_uri = url(&repo.join("package.json"));
    client.open(
        &package_uri,
        "json",
        "{\"name\": \"x\", \"version\": \"1.0.0\"}\n",
    );
    assert!(client.diagnostics(&package_uri).is_empty());

    // a module file changed: the module's other open files are checked again
    let vars = "variable \"bucket\" {\n  default = \"<bucket_name>\"\n}\n";
    let other = "resource \"aws_iam_policy\" \"r\" {\n  policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{ Effect = \"Allow\", Action = \"s3:GetObject\", Resource = \"arn:aws:s3:::${var.bucket}/*\" }]\n  })\n}\n";
    let vars_uri = url(&repo.join("variables.tf"));
    let other_uri = url(&repo.join("read.tf"));
    client.open(&other_uri, "terraform", other);
    let before = client.diagnostics(&other_uri);
    assert!(
        !codes(&before).contains(&"VAL001".to_string()),
        "{before:#?}"
    );
    client.open(&vars_uri, "terraform", vars);
    let after = client.diagnostics(&other_uri);
    assert!(codes(&after).contains(&"VAL001".to_string()), "{after:#?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_protocol_is_kept_and_errors_never_repeat_a_document() {
    // requests before `initialize`, after `shutdown`; `exit` without `shutdown` is code 1
    let mut client = Client::start();
    let early = client.request("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002);
    initialize(&mut client, Path::new("/tmp"));
    let bad = client.request("textDocument/hover", json!({"nonsense": true}));
    assert_eq!(bad["error"]["code"], -32602);
    client.request("shutdown", Value::Null);
    let late = client.request("textDocument/hover", json!({}));
    assert_eq!(late["error"]["code"], -32600);
    client.notify("exit", Value::Null);
    assert_eq!(wait_exit(&mut client.child), Some(0));

    let mut client = Client::start();
    initialize(&mut client, Path::new("/tmp"));
    client.notify("exit", Value::Null);
    assert_eq!(wait_exit(&mut client.child), Some(1));

    // a broken frame holding a secret: the server stops (code 1) without repeating it
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
    let mut client = Client::start();
    initialize(&mut client, Path::new("/tmp"));
    let body = format!("{{\"jsonrpc\": \"2.0\", \"method\": \"textDocument/didOpen\", \"params\": {{\"aws_secret_access_key\": \"{secret}\"");
    let stdin = client.stdin.as_mut().unwrap();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    drop(client.stdin.take());
    assert_eq!(wait_exit(&mut client.child), Some(1));
    let mut stderr = String::new();
    client
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(!stderr.contains(&secret[..12]), "{stderr}");
    assert!(stderr.starts_with("finops-lint server: "), "{stderr}");
}
