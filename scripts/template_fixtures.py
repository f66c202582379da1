#!/usr/bin/env python3
"""Write, for each rule, a template fixture made from one of its JSON `fail` fixtures.

The document the JSON fixture holds (a policy, a CUR 2.0 export, a legacy report definition) is
declared in a CloudFormation template (YAML or JSON), a Terraform configuration (HCL) or a
Terraform plan (`terraform show -json`), rotating through the four, so that the rule tests prove
every rule fires inside templates. Fixtures whose rule cannot be expressed in a template
(simulation output, audit results, connection settings, delivered files) are left alone, as are
the hand-written template fixtures (names starting with `tpl-`).

Usage: python3 scripts/template_fixtures.py [RULE_CODE ...]
"""

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ["cfn-yaml", "tf", "cfn-json", "plan"]
# rules about documents no template declares
NOT_IN_TEMPLATES = ("SIM", "AUD", "PATH", "OS", "IO", "EXP012", "EXP013", "EXP014", "SCH003",
                    "JSON", "SUP", "SEC", "CON")


def load_documents(path):
    """The documents of a JSON fixture: [(kind, body)], kind in policy-*, export, report."""
    try:
        data = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError):
        return []
    if not isinstance(data, dict):
        return []
    if isinstance(data.get("Policy"), str):
        return [("policy-bucket", json.loads(data["Policy"]))]
    if isinstance(data.get("PolicyVersion"), dict):
        doc = data["PolicyVersion"].get("Document")
        return [("policy-managed", json.loads(doc) if isinstance(doc, str) else doc)]
    if "PolicyDocument" in data:
        doc = data["PolicyDocument"]
        doc = json.loads(doc) if isinstance(doc, str) else doc
        scope = "user" if "UserName" in data else "role" if "RoleName" in data else "managed"
        return [("policy-" + scope, doc)]
    if "Export" in data and isinstance(data["Export"], dict):
        return [("export", data["Export"])]
    if "ReportDefinitions" in data:
        return [("report", d) for d in data["ReportDefinitions"]]
    if "ReportDefinition" in data:
        return [("report", data["ReportDefinition"])]
    if "ReportName" in data:
        return [("report", data)]
    if "Statement" in data or "Version" in data:
        stmts = data.get("Statement")
        stmts = stmts if isinstance(stmts, list) else [stmts] if isinstance(stmts, dict) else []
        has_principal = any(isinstance(s, dict) and ("Principal" in s or "NotPrincipal" in s)
                            for s in stmts)
        trust = any(isinstance(s, dict) and "sts:AssumeRole" in json.dumps(s.get("Action", ""))
                    for s in stmts)
        kind = "policy-trust" if trust and has_principal else \
            "policy-bucket" if has_principal else "policy-managed"
        return [(kind, data)]
    return []


# ---------------------------------------------------------------- CloudFormation

def cfn_resources(docs):
    res = {}
    for i, (kind, body) in enumerate(docs):
        name = f"Resource{i + 1}"
        if kind == "policy-bucket":
            res[name] = {"Type": "AWS::S3::BucketPolicy",
                         "Properties": {"Bucket": "acme-finops-billing", "PolicyDocument": body}}
        elif kind == "policy-trust":
            res[name] = {"Type": "AWS::IAM::Role",
                         "Properties": {"AssumeRolePolicyDocument": body}}
        elif kind == "policy-user":
            res[name] = {"Type": "AWS::IAM::Policy",
                         "Properties": {"PolicyName": "finops", "Users": ["finops"],
                                        "PolicyDocument": body}}
        elif kind.startswith("policy-"):
            res[name] = {"Type": "AWS::IAM::ManagedPolicy",
                         "Properties": {"PolicyDocument": body}}
        elif kind == "export":
            res[name] = {"Type": "AWS::BCMDataExports::Export", "Properties": {"Export": body}}
        elif kind == "report":
            res[name] = {"Type": "AWS::CUR::ReportDefinition", "Properties": body}
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": res}


# ---------------------------------------------------------------- Terraform

def snake(key):
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key)
    s = re.sub(r"(?<=S3)(?=[A-Z])", "_", s)
    return s.lower()


def tf_shape(value, blocks=True):
    """API shape to Terraform's: snake_case keys, objects as single-element block lists."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "TableConfigurations":
                out["table_configurations"] = v
            elif isinstance(v, dict):
                out[snake(k)] = [tf_shape(v)] if blocks else tf_shape(v)
            else:
                out[snake(k)] = v
        return out
    return value


HCL_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def hcl_string(s):
    return json.dumps(s).replace("${", "$${").replace("%{", "%%{")


def hcl_expr(v, indent):
    pad = "  " * indent
    if isinstance(v, dict):
        if not v:
            return "{}"
        lines = []
        for k, x in v.items():
            key = k if HCL_IDENT.match(k) else hcl_string(k)
            lines.append(f"{pad}  {key} = {hcl_expr(x, indent + 1)}")
        return "{\n" + "\n".join(lines) + f"\n{pad}}}"
    if isinstance(v, list):
        if not v:
            return "[]"
        return "[\n" + ",\n".join(f"{pad}  {hcl_expr(x, indent + 1)}" for x in v) + f",\n{pad}]"
    if isinstance(v, str):
        return hcl_string(v)
    return json.dumps(v)


def hcl_body(values, indent):
    """Terraform-shaped values as HCL: block lists as nested blocks, the rest as attributes."""
    pad = "  " * indent
    out = []
    for k, v in values.items():
        if isinstance(v, list) and v and all(isinstance(x, dict) for x in v) \
                and k != "table_configurations":
            for x in v:
                out.append(f"{pad}{k} {{\n{hcl_body(x, indent + 1)}{pad}}}\n")
        else:
            out.append(f"{pad}{k} = {hcl_expr(v, indent)}\n")
    return "".join(out)


def tf_resource(kind, body, i):
    """(type, name, Terraform-shaped values) of a document."""
    if kind.startswith("policy-"):
        ty = {"policy-bucket": "aws_s3_bucket_policy", "policy-trust": "aws_iam_role",
              "policy-user": "aws_iam_user_policy"}.get(kind, "aws_iam_policy")
        attr = "assume_role_policy" if ty == "aws_iam_role" else "policy"
        values = {attr: body}
        if ty == "aws_s3_bucket_policy":
            values = {"bucket": "acme-finops-billing", **values}
        if ty == "aws_iam_user_policy":
            values = {"user": "finops", **values}
        return ty, f"r{i + 1}", values
    if kind == "export":
        return "aws_bcmdataexports_export", f"r{i + 1}", {"export": [tf_shape(body)]}
    return "aws_cur_report_definition", f"r{i + 1}", tf_shape(body)


def hcl(docs):
    out = []
    for i, (kind, body) in enumerate(docs):
        ty, name, values = tf_resource(kind, body, i)
        text = f'resource "{ty}" "{name}" {{\n'
        for k, v in values.items():
            if k in ("policy", "assume_role_policy"):
                text += f"  {k} = jsonencode({hcl_expr(v, 1)})\n"
            else:
                text += hcl_body({k: v}, 1)
        out.append(text + "}\n")
    return "\n".join(out)


def plan(docs):
    resources = []
    for i, (kind, body) in enumerate(docs):
        ty, name, values = tf_resource(kind, body, i)
        values = {k: (json.dumps(v, indent=2) if k in ("policy", "assume_role_policy") else v)
                  for k, v in values.items()}
        resources.append({"address": f"{ty}.{name}", "mode": "managed", "type": ty,
                          "name": name, "provider_name": "registry.terraform.io/hashicorp/aws",
                          "values": values})
    return {"format_version": "1.2", "terraform_version": "1.9.8",
            "planned_values": {"root_module": {"resources": resources}}}


def write(rule_dir, fixture, fmt, docs):
    stem = fixture.stem
    fail = rule_dir / "fail"
    if fmt == "cfn-yaml":
        target = fail / f"cfn-{stem}.yaml"
        target.write_text(yaml.safe_dump(cfn_resources(docs), sort_keys=False, width=100))
    elif fmt == "cfn-json":
        target = fail / f"cfn-{stem}.template.json"
        target.write_text(json.dumps(cfn_resources(docs), indent=2) + "\n")
    elif fmt == "tf":
        target = fail / f"tf-{stem}.tf"
        target.write_text(hcl(docs))
    else:
        target = fail / f"plan-{stem}.json"
        target.write_text(json.dumps(plan(docs), indent=2) + "\n")
    return target


def main(codes):
    dirs = sorted(d for d in (ROOT / "rules").iterdir() if (d / "README.md").exists())
    n = 0
    for d in dirs:
        code = d.name.split("-")[0]
        if codes and code not in codes:
            continue
        if code.startswith(NOT_IN_TEMPLATES):
            continue
        fail = d / "fail"
        existing = [f for f in fail.iterdir() if f.name.startswith(("cfn-", "tf-", "plan-", "tpl-"))]
        if existing and not codes:
            continue
        for f in existing:
            if not f.name.startswith("tpl-"):
                f.unlink()
        candidates = [f for f in sorted(fail.iterdir())
                      if f.suffix == ".json" and load_documents(f)]
        if not candidates:
            print(f"{code}: no JSON fixture to convert", file=sys.stderr)
            continue
        pick = candidates[0]
        fmt = FORMATS[n % len(FORMATS)]
        n += 1
        print(write(d, pick, fmt, load_documents(pick)).relative_to(ROOT))


if __name__ == "__main__":
    main(set(sys.argv[1:]))
