#!/usr/bin/env bash
# All the tests, on a fresh machine too: installs what they need into target/, then runs
# `cargo test`:
# - moto's AWS emulator (PyPI), for the live-audit tests, and pre-commit (PyPI), for the hook test;
# - Microsoft's SARIF multitool (npm), whose package carries the official SARIF 2.1.0 schema,
#   for the SARIF test;
# - the wasm32-unknown-unknown target (rustup), to build the core (the library without the
#   `cli` feature) for WebAssembly, and wasm-bindgen's command-line tool (cargo), for the
#   playground (playground/build.sh);
# - Neovim and Chromium (Debian's packages), for the language server's editor test and the
#   playground's browser test, and playwright-core (npm), which drives Chromium.
# Before `cargo test`: the core builds for WebAssembly, depends on no command-line crate, and its
# documentation examples run without the command line.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/moto-venv
if ! "$venv/bin/python" -c 'import moto.server, boto3' 2>/dev/null || [ ! -x "$venv/bin/pre-commit" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==5.2.5" flask flask-cors "pre-commit==4.7.0"
fi
export FINOPS_LINT_MOTO_PYTHON="$PWD/$venv/bin/python"
export FINOPS_LINT_PRE_COMMIT="$PWD/$venv/bin/pre-commit"
tools=target/sarif-tools
multitool="$tools/node_modules/@microsoft/sarif-multitool-linux"
if [ ! -f "$multitool/sarif-2.1.0.json" ]; then
  mkdir -p "$tools"
  npm install --silent --no-audit --no-fund --prefix "$tools" "@microsoft/sarif-multitool@5.7.0" >/dev/null
fi
chmod u+x "$multitool/Sarif.Multitool"
export FINOPS_LINT_SARIF_MULTITOOL="$PWD/$multitool/Sarif.Multitool"
export FINOPS_LINT_SARIF_SCHEMA="$PWD/$multitool/sarif-2.1.0.json"
rustup target add wasm32-unknown-unknown >/dev/null
# Neovim and Chromium from Debian's packages, for the language server's editor test and the
# playground's browser test
missing=""
command -v nvim >/dev/null || missing="$missing neovim"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
if [ -n "$missing" ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q $missing >/dev/null \
    || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q $missing >/dev/null; }
fi
export FINOPS_LINT_NVIM="$(command -v nvim)"
export FINOPS_LINT_CHROMIUM=/usr/bin/chromium
# the playground: the core compiled to WebAssembly with its bindings (wasm-bindgen), and
# Playwright (playwright-core, which drives the system's Chromium and downloads no browser)
playground/build.sh
if [ ! -d playground/e2e/node_modules/playwright-core ]; then
  npm ci --silent --no-audit --no-fund --prefix playground/e2e >/dev/null
fi
cargo build --locked --lib --no-default-features --target wasm32-unknown-unknown
front=$(cargo tree --locked --no-default-features -e normal --prefix none \
  | grep -E '^(clap|clap_complete|mimalloc|rayon|tokio|walkdir|aws-[a-z0-9-]+) ' | sort -u || true)
if [ -n "$front" ]; then
  echo "the core depends on command-line or audit crates:" >&2
  echo "$front" >&2
  exit 1
fi
echo "core: builds for wasm32-unknown-unknown; no clap, mimalloc, rayon, tokio, walkdir or AWS SDK"
cargo test --locked --no-default-features --doc
set +e
cargo test --locked "$@"
status=$?
set -e
if [ -f target/playground-e2e.log ]; then
  echo "--- the playground's end-to-end test (target/playground-e2e.log) ---"
  cat target/playground-e2e.log
fi
exit "$status"
