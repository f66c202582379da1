#!/usr/bin/env bash
# All the tests, on a fresh machine too: installs what they need (moto's AWS emulator, from PyPI,
# into target/moto-venv, for the live-audit tests), then runs `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/moto-venv
if ! "$venv/bin/python" -c 'import moto.server, boto3' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==5.2.5" flask flask-cors
fi
export FINOPS_LINT_MOTO_PYTHON="$PWD/$venv/bin/python"
exec cargo test --locked "$@"
