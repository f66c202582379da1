#!/usr/bin/env python3
"""Recall of finops-lint against IAM Access Analyzer's own ValidatePolicy findings.

    python3 scripts/aa_recall.py [--binary target/release/finops-lint] [--misses] [--extras]

Reads ../shared/corpus/mamip: `findings/NAME.json` (Access Analyzer's findings on an AWS
managed policy, as ValidatePolicy returned them when the corpus was made) and `policies/NAME`
(the policy's version today, `get-policy-version` output). A finding still applies when its
location (`path`: Statement index, element, value index or condition key) still exists in
today's document and, where the finding names an action, that action is still there (and, for
an unknown action, still unknown to today's catalog). It is
recalled when finops-lint reports the same issue code (`access_analyzer_code`) on that policy
at the same text (the value or key the path leads to), or anywhere in the policy for a finding
on the whole document (the size quota). Prints recall per issue code; `--misses` lists each
finding that still applies and is not recalled.

Then the other way: the findings of ours with an issue code that Access Analyzer did not make
on that policy, per code (every policy of the corpus is checked; those without a findings file
are the ones where it found nothing). `--extras` lists them.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAMIP = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "mamip"))


def resolve(doc, path):
    """The node a finding's path leads to, and the text it names (a string value, or the
    condition key a path ends with); `(None, None)` when the path no longer exists."""
    node, text = doc, None
    for step in path:
        if "value" in step:
            if not isinstance(node, dict) or step["value"] not in node:
                return None, None
            node = node[step["value"]]
        elif "index" in step:
            i = step["index"]
            if isinstance(node, list):
                if i >= len(node):
                    return None, None
                node = node[i]
            elif i != 0:
                return None, None
        elif "key" in step:
            if not isinstance(node, dict) or step["key"] not in node:
                return None, None
            text = step["key"]
            node = node[step["key"]]
    # a path that ends at a condition key names the key, not its value
    if isinstance(node, str) and not (path and "key" in path[-1]):
        text = node
    return node, text


def main():
    binary = os.path.join(ROOT, "target", "release", "finops-lint")
    if "--binary" in sys.argv:
        binary = sys.argv[sys.argv.index("--binary") + 1]
    if not os.path.exists(binary):
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    theirs = []  # (policy, code, path, details, text, whole)
    gone = defaultdict(int)
    gone_codes = set()
    docs = {}
    # every policy of the corpus: those without findings are where Access Analyzer found
    # nothing, so a finding of ours there with an issue code is one it did not make
    for name in sorted(os.listdir(os.path.join(MAMIP, "policies"))):
        try:
            with open(os.path.join(MAMIP, "policies", name)) as h:
                json.load(h)["PolicyVersion"]["Document"]
        except (ValueError, KeyError, TypeError):
            continue
        docs[name] = os.path.join(MAMIP, "policies", name)
    for f in sorted(os.listdir(os.path.join(MAMIP, "findings"))):
        if not f.endswith(".json"):
            continue  # the corpus's README and its list of policies ValidatePolicy refused
        name = f[: -len(".json")]
        with open(os.path.join(MAMIP, "findings", f)) as h:
            findings = json.load(h)
        policy = os.path.join(MAMIP, "policies", name)
        if not os.path.exists(policy):
            for x in findings:
                gone[x["issueCode"]] += 1
            continue
        with open(policy) as h:
            doc = json.load(h)["PolicyVersion"]["Document"]
        docs[name] = policy
        for x in findings:
            path = x["locations"][0]["path"] if x["locations"] else []
            node, text = resolve(doc, path)
            named = re.search(r"The action (\S+) does not exist", x["findingDetails"])
            if node is None or (named and text != named.group(1)):
                gone[x["issueCode"]] += 1
                gone_codes.add((name, x["issueCode"]))
                continue
            theirs.append((name, x["issueCode"], path, x["findingDetails"], text, not path))
    # finops-lint on today's documents, in one run
    with tempfile.TemporaryDirectory() as tmp:
        for name, policy in docs.items():
            # a copy: finops-lint does not follow a symbolic link
            shutil.copyfile(policy, os.path.join(tmp, name + ".json"))
        out = subprocess.run(
            [binary, "check", "--no-config", "--format", "json"]
            + [os.path.join(tmp, n + ".json") for n in docs],
            capture_output=True,
            text=True,
        )
    # an action Access Analyzer did not know then may exist today: such a finding no longer
    # applies (IAM002 on a policy of those actions says which are still unknown)
    named = {}
    for i, (name, code, path, details, text, whole) in enumerate(theirs):
        m = re.search(r"The action (\S+) does not exist", details)
        if code == "INVALID_ACTION" and m:
            named[i] = m.group(1)
    if named:
        with tempfile.TemporaryDirectory() as tmp:
            probe = os.path.join(tmp, "actions.json")
            with open(probe, "w") as h:
                json.dump({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": sorted(set(named.values())), "Resource": "*"}]}, h)
            probed = subprocess.run([binary, "check", "--no-config", "--format", "json", probe], capture_output=True, text=True)
        unknown = {x.get("text") for x in json.loads(probed.stdout)["findings"] if x["code"] in ("IAM001", "IAM002")}
        for i in sorted(named, reverse=True):
            if named[i] not in unknown:
                gone[theirs[i][1]] += 1
                del theirs[i]
    ours = defaultdict(list)
    every = []
    for x in json.loads(out.stdout)["findings"]:
        name = os.path.basename(x["file"])[: -len(".json")]
        if x.get("access_analyzer_code"):
            ours[(name, x["access_analyzer_code"])].append(x.get("text", ""))
            every.append((name, x["access_analyzer_code"], x.get("text", ""), x["severity"], x["message"]))
    per = defaultdict(lambda: [0, 0])
    misses = []
    for name, code, path, details, text, whole in theirs:
        got = ours.get((name, code), [])
        # a redundancy's location is the entry that covers (or, after an edit of the policy, an
        # entry near it); its message names the redundant entry, where finops-lint points
        named = re.search(r"such as: (\S+?)\.?$|remove the resource (\S+) to", details)
        names = [text] + ([n for n in named.groups() if n] if named else [])
        hit = bool(got) if (whole or text is None) else any(
            t == n or n in t or (t and t in n) for t in got for n in names if n
        )
        per[code][0] += 1
        per[code][1] += hit
        if not hit:
            misses.append((name, code, path, details))
    total = sum(v[0] for v in per.values())
    found = sum(v[1] for v in per.values())
    print(f"{'issue code':55} {'applies':>7} {'recalled':>8} {'recall':>7}   (no longer in today's documents)")
    for code in sorted(set(per) | set(gone), key=lambda c: -per[c][0]):
        a, r = per[code]
        pct = f"{100 * r / a:.0f}%" if a else "-"
        print(f"{code:55} {a:7} {r:8} {pct:>7}   ({gone.get(code, 0)})")
    print(f"{'all':55} {total:7} {found:8} {100 * found / max(total, 1):6.0f}%")
    # the other way: our findings with an issue code that Access Analyzer did not make on
    # that policy (its findings are from when the corpus was made; a policy may have changed)
    made = {(name, code) for name, code, *_ in theirs} | {(n, c) for n, c in gone_codes}
    extra = defaultdict(list)
    for name, code, text, severity, message in every:
        if (name, code) not in made:
            extra[code].append((name, text, severity, message))
    print()
    print(f"{'issue code (ours only)':55} {'findings':>8} {'policies':>8}   severity")
    for code in sorted(extra, key=lambda c: -len(extra[c])):
        xs = extra[code]
        sev = ",".join(sorted({x[2] for x in xs}))
        print(f"{code:55} {len(xs):8} {len({x[0] for x in xs}):8}   {sev}")
    print(f"{'all':55} {sum(len(v) for v in extra.values()):8}")
    if "--extras" in sys.argv:
        for code in sorted(extra):
            for name, text, severity, message in extra[code]:
                print(f"+ {name} {code} [{severity}] {message}")
    if "--misses" in sys.argv:
        for name, code, path, details in misses:
            where = "".join(
                f"/{s.get('value', s.get('index', s.get('key')))}" for s in path
            )
            print(f"- {name} {code} {where}: {details}")


if __name__ == "__main__":
    main()
