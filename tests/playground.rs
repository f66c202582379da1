//! The browser playground end to end: `playground/e2e/e2e.mjs` serves `playground/web/` (the
//! core compiled to WebAssembly by `playground/build.sh`) on localhost and drives Debian's
//! Chromium headless through Playwright: the guide's bucket policy pasted with `<bucket_name>`
//! left in and its finding at the right line, a fix and fix all to a clean document, the
//! permalink reproducing the page, a screenshot, and the compressed WebAssembly's size.
//! `scripts/test.sh` builds the page and installs what the test needs; without them the test
//! fails (it never skips). Its report is kept in `target/playground-e2e.log`.

use std::path::Path;
use std::process::Command;

#[test]
fn the_playground_finds_fixes_and_links_the_guides_bucket_policy_in_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let wasm = root.join("playground/web/pkg/finops_lint_playground_bg.wasm");
    let playwright = root.join("playground/e2e/node_modules/playwright-core");
    assert!(
        wasm.is_file() && playwright.is_dir(),
        "the playground is not built or Playwright is not installed: run the tests with scripts/test.sh \
         (it runs playground/build.sh and `npm ci --prefix playground/e2e`)"
    );
    let output = Command::new("node")
        .arg("playground/e2e/e2e.mjs")
        .current_dir(root)
        .output()
        .expect("run node (Node.js is needed for the playground's test)");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let log = root.join("target/playground-e2e.log");
    let _ = std::fs::create_dir_all(log.parent().unwrap());
    let _ = std::fs::write(&log, &report);
    assert!(
        output.status.success(),
        "the playground's test failed:\n{report}"
    );
    let summary = report
        .lines()
        .find(|l| l.starts_with("e2e: "))
        .unwrap_or_else(|| panic!("no summary line in:\n{report}"));
    assert!(summary.ends_with(" 0 failed"), "{summary}");
    assert!(report.contains("screenshot: "), "{report}");
    assert!(
        report.contains("ok: gzipped wasm under 3.00 MiB"),
        "{report}"
    );
}
