#!/usr/bin/env python3
"""AWS's own managed policies should raise no error-severity finding, except where AWS itself is
wrong: the policy has IAM Access Analyzer findings (`../shared/corpus/mamip/findings/<name>`) or
the corpus's meta file marks the action unknown (`unknown_actions`).

Runs the release build over `../shared/corpus/managed-policies` and prints every error that
neither explains, with a count per rule. Exit 0 when there is none, 1 otherwise, 2 when the
corpus is absent. Usage: python3 scripts/managed_corpus_errors.py
"""
import collections
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "..", "shared", "corpus")


def main():
    policies = os.path.join(CORPUS, "managed-policies")
    if not os.path.isdir(policies):
        print(f"{policies} not found", file=sys.stderr)
        return 2
    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "finops-lint")
    with open(os.path.join(CORPUS, "managed-policies.meta.json")) as f:
        meta = json.load(f)
    out = subprocess.run(
        [binary, "--no-config", "--fail-on", "never", "--format", "json", policies],
        capture_output=True, text=True, check=True,
    ).stdout
    errors = [f for f in json.loads(out)["findings"] if f["severity"] == "error"]
    unexplained = []
    for f in errors:
        name = os.path.basename(f["file"])
        unknown = [u["action"].lower() for u in meta.get(name, {}).get("unknown_actions", [])]
        text = f["text"].strip('"').lower()
        flagged_by_aws = os.path.exists(os.path.join(CORPUS, "mamip", "findings", name))
        unknown_service = f["code"] == "IAM001" and any(u.split(":")[0] == text for u in unknown)
        if flagged_by_aws or text in unknown or unknown_service:
            continue
        unexplained.append(f)
    print(f"{len(errors)} errors on {len(meta)} policies; {len(unexplained)} not explained")
    print(dict(collections.Counter(f["code"] for f in unexplained)))
    for f in unexplained:
        r = f["range"]["start"]
        print(f"{os.path.basename(f['file'])}:{r['line']}:{r['column']}: {f['code']} {f['message']}")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
