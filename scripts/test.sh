#!/usr/bin/env bash
# All the tests, on a fresh machine too: installs what they need into target/, then runs
# `cargo test`:
# - moto's AWS emulator (PyPI), for the live-audit tests, and pre-commit (PyPI), for the hook test;
# - Microsoft's SARIF multitool (npm), whose package carries the official SARIF 2.1.0 schema,
#   for the SARIF test;
# - the wasm32-unknown-unknown target (rustup), to build the core (the library without the
#   `cli` feature) for WebAssembly.
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
exec cargo test --locked "$@"
