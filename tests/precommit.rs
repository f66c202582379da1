//! The pre-commit hooks, for real: `pre-commit` (from PyPI, installed by `scripts/test.sh`)
//! builds finops-lint from a copy of this checkout with cargo, as it does for users, and runs it
//! on `git commit` in a temporary repository: a clean commit passes, a broken policy is refused
//! and the output names its file and line.

use std::path::{Path, PathBuf};
use std::process::Command;

fn pre_commit() -> PathBuf {
    PathBuf::from(std::env::var("FINOPS_LINT_PRE_COMMIT").unwrap_or_else(|_| {
        panic!("FINOPS_LINT_PRE_COMMIT is not set: run the tests with scripts/test.sh, which installs pre-commit")
    }))
}

/// What pre-commit runs with, here and inside `git commit`'s hook: its own cache, and cargo
/// building the hook the fast way (`cargo install` uses the release profile) into a folder kept
/// between test runs.
fn hook_env(cmd: &mut Command, base: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    cmd.env("PRE_COMMIT_HOME", base.join("cache"))
        .env("CARGO_TARGET_DIR", root.join("target/pre-commit-build"))
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env("CARGO_PROFILE_RELEASE_INCREMENTAL", "true");
}

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    let base = dir.parent().unwrap_or(dir);
    let mut cmd = Command::new("git");
    hook_env(&mut cmd, base);
    cmd.args([
        "-c",
        "user.name=finops-lint tests",
        "-c",
        "user.email=tests@example.com",
    ])
    .args([
        "-c",
        "commit.gpgsign=false",
        "-c",
        "init.defaultBranch=main",
    ])
    .args(args)
    .current_dir(dir)
    .output()
    .expect("git")
}

fn copy(from: &Path, to: &Path) {
    let meta = std::fs::symlink_metadata(from).unwrap();
    if meta.file_type().is_symlink() {
        // fixtures include a dangling link: copy links as links
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(std::fs::read_link(from).unwrap(), to).unwrap();
    } else if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            copy(&e.path(), &to.join(e.file_name()));
        }
    } else {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    }
}

#[test]
fn pre_commit_hook_passes_a_clean_commit_and_refuses_a_broken_policy() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let base = std::env::temp_dir().join(format!("finops-lint-pre-commit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    // the hook repository: what `cargo install --path` needs, committed
    let hooks = base.join("hooks");
    for p in [
        "Cargo.toml",
        "Cargo.lock",
        ".pre-commit-hooks.yaml",
        "src",
        "catalog",
        "rules",
        "schemas",
        // a member of the workspace: cargo reads its manifest
        "playground/Cargo.toml",
        "playground/src",
    ] {
        copy(&root.join(p), &hooks.join(p));
    }
    // the hooks never use the live audit: build the copy without the AWS SDK (`default =
    // ["cli"]`), which keeps this test at about a minute; everything else is the checkout as it is
    let manifest = std::fs::read_to_string(hooks.join("Cargo.toml")).unwrap();
    let lean = manifest.replacen("default = [\"cli\", \"live\"]", "default = [\"cli\"]", 1);
    assert_ne!(manifest, lean, "the manifest's default features changed");
    std::fs::write(hooks.join("Cargo.toml"), lean).unwrap();
    assert!(git(&hooks, &["init", "-q"]).status.success());
    assert!(git(&hooks, &["add", "-A"]).status.success());
    assert!(git(&hooks, &["commit", "-q", "-m", "hooks"])
        .status
        .success());
    let rev = String::from_utf8(git(&hooks, &["rev-parse", "HEAD"]).stdout).unwrap();
    // the user's repository
    let repo = base.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    assert!(git(&repo, &["init", "-q"]).status.success());
    std::fs::write(
        repo.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: finops-lint\n        args: [--bucket, acme-finops-billing, --account-id, \"402938475610\"]\n",
            hooks.display(),
            rev.trim()
        ),
    )
    .unwrap();
    copy(
        &root.join("examples/onboarding/bucket-policy.json"),
        &repo.join("bucket-policy.json"),
    );
    copy(
        &root.join("examples/onboarding/cloudformation.yaml"),
        &repo.join("stack.yaml"),
    );
    let run = |args: &[&str]| {
        let mut cmd = Command::new(pre_commit());
        cmd.args(args).current_dir(&repo);
        hook_env(&mut cmd, &base);
        cmd.output().expect("run pre-commit")
    };
    let install = run(&["install"]);
    assert!(
        install.status.success(),
        "{}",
        String::from_utf8_lossy(&install.stderr)
    );
    let hooks_env = run(&["install-hooks"]);
    assert!(
        hooks_env.status.success(),
        "{}{}",
        String::from_utf8_lossy(&hooks_env.stdout),
        String::from_utf8_lossy(&hooks_env.stderr)
    );
    // a clean commit passes
    assert!(git(&repo, &["add", "-A"]).status.success());
    let clean = git(&repo, &["commit", "-m", "onboarding"]);
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&clean.stdout),
        String::from_utf8_lossy(&clean.stderr)
    );
    assert!(clean.status.success(), "{out}");
    assert!(
        out.contains("finops-lint") && out.contains("Passed"),
        "{out}"
    );
    // a broken policy is refused, with its file and line
    std::fs::write(
        repo.join("read-only.json"),
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObjcet\", \"Resource\": \"*\"}]\n}\n",
    )
    .unwrap();
    assert!(git(&repo, &["add", "read-only.json"]).status.success());
    let broken = git(&repo, &["commit", "-m", "read-only policy"]);
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&broken.stdout),
        String::from_utf8_lossy(&broken.stderr)
    );
    assert!(!broken.status.success(), "{out}");
    assert!(out.contains("Failed"), "{out}");
    assert!(out.contains("read-only.json:3:"), "{out}");
    assert!(out.contains("IAM002"), "{out}");
    let _ = std::fs::remove_dir_all(&base);
}
