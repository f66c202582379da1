#!/usr/bin/env python3
"""Run the IAM evaluation conformance cases of ../shared/conformance through `finops-lint simulate`
and print the agreement. The cases are read from that folder and never copied.

    python3 scripts/conformance.py [--all] [--show-disagreements] [--cases PATH]

By default it runs the Strict-mode cases whose policies are identity policies, a resource policy
and/or permissions boundaries (the evaluator's scope); `--all` also counts the others (SCPs, RCPs,
session and endpoint policies, Discovery mode) as out of scope. Exit status 1 when a case in
scope disagrees.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT = os.path.normpath(os.path.join(ROOT, "..", "shared", "conformance", "iam-simulate-core.jsonl"))
OPERATORS = os.path.normpath(os.path.join(ROOT, "..", "shared", "conformance", "iam-simulate-operators.jsonl"))
BIN = os.path.join(ROOT, "target", "release", "finops-lint")
DECISIONS = {"allowed": "Allowed", "explicitDeny": "ExplicitlyDenied", "implicitDeny": "ImplicitlyDenied"}


def in_scope(case):
    return (
        case["mode"] == "Strict"
        and not case.get("skip")
        and not case["serviceControlPolicies"]
        and not case["resourceControlPolicies"]
        and not case["sessionPolicy"]
        and not case["endpointPolicies"]
    )


def run_case(case, tmp):
    args = [BIN, "simulate", "--output", "json"]
    req = case["request"]

    def write(name, doc):
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            json.dump(doc, f, indent=2)
        return "file://" + path

    if case["identityPolicies"]:
        args += ["--policy-input-list"] + [write(f"identity-{i}.json", p) for i, p in enumerate(case["identityPolicies"])]
    boundaries = case["permissionBoundaries"] or []
    if isinstance(boundaries, dict):
        boundaries = [boundaries]
    if boundaries:
        args += ["--permissions-boundary-policy-input-list"] + [write(f"boundary-{i}.json", p) for i, p in enumerate(boundaries)]
    if case["resourcePolicy"]:
        args += ["--resource-policy", write("resource.json", case["resourcePolicy"])]
    if not case["identityPolicies"] and not case["resourcePolicy"]:
        # nothing grants: simulate with an empty identity policy
        args += ["--policy-input-list", write("empty.json", {"Version": "2012-10-17", "Statement": []})]
    args += ["--action-names", req["action"], "--resource-arns", req["resource"]]
    principal = req["principal"]
    if isinstance(principal, dict):
        args += ["--anonymous"]
    elif principal.endswith(".amazonaws.com"):
        args += ["--caller-service", principal]
    else:
        args += ["--caller-arn", principal]
    if req.get("resourceAccount"):
        args += ["--resource-owner", f"arn:aws:iam::{req['resourceAccount']}:root"]
    if req.get("context"):
        entries = [
            {"ContextKeyName": k, "ContextKeyValues": v if isinstance(v, list) else [v], "ContextKeyType": "string"}
            for k, v in req["context"].items()
        ]
        args += ["--context-entries", json.dumps(entries)]
    out = subprocess.run(args, capture_output=True, text=True)
    if out.returncode != 0:
        return None, out.stderr.strip()
    result = json.loads(out.stdout)["EvaluationResults"][0]
    return DECISIONS.get(result["EvalDecision"]), result


def run_operator(case, tmp):
    """One operator case: a policy that allows everything under the condition, and the request
    value under a test key; the condition holds exactly when the request is allowed."""
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
              "Condition": {case["operator"]: {"test:Key": case["policyValues"]}}}]}
    path = os.path.join(tmp, "op.json")
    with open(path, "w") as f:
        json.dump(policy, f)
    entries = [{"ContextKeyName": "test:Key", "ContextKeyValues": [case["requestValue"]], "ContextKeyType": "string"}]
    for k, v in case.get("requestContext", {}).items():
        entries.append({"ContextKeyName": k, "ContextKeyValues": v if isinstance(v, list) else [v], "ContextKeyType": "string"})
    args = [BIN, "simulate", "--policy-input-list", "file://" + path, "--action-names", "s3:GetObject",
            "--resource-arns", "arn:aws:s3:::b/k", "--context-entries", json.dumps(entries)]
    out = subprocess.run(args, capture_output=True, text=True)
    if out.returncode != 0:
        return None
    return json.loads(out.stdout)["EvaluationResults"][0]["EvalDecision"] == "allowed"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", default=DEFAULT)
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--show-disagreements", action="store_true")
    opts = ap.parse_args()
    if not os.path.exists(opts.cases):
        print(f"no conformance cases at {opts.cases}; nothing to run", file=sys.stderr)
        return 0
    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)
    cases = [json.loads(l) for l in open(opts.cases) if l.strip()]
    scoped = [c for c in cases if in_scope(c)]
    groups = {}
    disagreements = []
    for case in scoped:
        with tempfile.TemporaryDirectory() as tmp:
            got, detail = run_case(case, tmp)
        want = case["expected"]["decision"]
        group = "permission boundaries" if case["permissionBoundaries"] else ("resource policy" if case["resourcePolicy"] else "identity policies only")
        if any(c in case["request"]["resource"] for c in "*?"):
            group += " (wildcard request resource)"
        ok = got == want
        g = groups.setdefault(group, [0, 0])
        g[0] += ok
        g[1] += 1
        if not ok:
            disagreements.append((case["id"], want, got, detail))
    op_total = op_ok = 0
    if os.path.exists(OPERATORS):
        for case in (json.loads(l) for l in open(OPERATORS) if l.strip()):
            with tempfile.TemporaryDirectory() as tmp:
                got = run_operator(case, tmp)
            op_total += 1
            if got == case["expected"]:
                op_ok += 1
            else:
                disagreements.append((f"operators: {case['operator']}: {case['name']}", case["expected"], got, None))
    agree = sum(g[0] for g in groups.values())
    print(f"conformance: {agree} of {len(scoped)} in-scope cases agree ({len(cases) - len(scoped)} out of scope)")
    for name, (ok, total) in sorted(groups.items()):
        print(f"  {name:<50} {ok:>4} / {total}")
    if op_total:
        print(f"operators: {op_ok} of {op_total} condition-operator cases agree")
    if opts.show_disagreements or disagreements:
        for cid, want, got, detail in disagreements:
            print(f"DISAGREE {cid}: expected {want}, got {got}")
            if opts.show_disagreements and isinstance(detail, str):
                print(f"    {detail}")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
