#!/usr/bin/env bash
# Build the playground: the core compiled to WebAssembly (wasm32-unknown-unknown, release) and
# its JavaScript bindings (wasm-bindgen, the command-line tool of the same version as the crate
# in Cargo.lock, installed into target/tools), into playground/web/pkg/; then the examples
# (playground/examples.py). Open playground/web/ through any static file server.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-target}
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
tools="$PWD/target/tools"
bindgen="$tools/bin/wasm-bindgen"
if ! "$bindgen" --version 2>/dev/null | grep -qx "wasm-bindgen $version"; then
  echo "installing wasm-bindgen-cli $version into $tools" >&2
  # its own lock file first; where the registry lacks a version it pins, the newest compatible
  cargo install --quiet --locked --root "$tools" --version "$version" wasm-bindgen-cli \
    || cargo install --quiet --root "$tools" --version "$version" wasm-bindgen-cli
fi
cargo build --locked --release -p finops-lint-playground --target wasm32-unknown-unknown
out=playground/web/pkg
rm -rf "$out"
"$bindgen" --target web --no-typescript --out-dir "$out" \
  "$target_dir/wasm32-unknown-unknown/release/finops_lint_playground.wasm"
python3 playground/examples.py
ls -l "$out"
