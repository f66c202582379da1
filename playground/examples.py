#!/usr/bin/env python3
"""Write playground/web/pkg/examples.json, the playground's example menu.

Two sources:

1. The onboarding guides in ``../shared/seeds/*.txt`` (relative to the repository root), when that
   folder exists: every fenced ```json block, dedented, titled with the nearest preceding heading.
   Their placeholders (``<bucket_name>``) are kept: finding them is the point.
2. The repository's own ``examples/onboarding/`` and ``examples/broken/`` files (JSON, YAML and
   ``terraform/*.tf``), described from ``examples/README.md`` where it says what a file is.

Usage: python3 playground/examples.py [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SEEDS = REPO.parent / "shared" / "seeds"
DEFAULT_OUT = HERE / "web" / "pkg" / "examples.json"

# The onboarding fields the repository's examples are written for (see examples/README.md): the
# broken ones list their mistakes as `--bucket … --account-id …` finds them; the correct ones lint
# clean with the platform, prefix and export name too (as a run of the whole folder, whose
# connection.json names OptScale).
BROKEN_FIELDS = {"bucket": "acme-finops-billing", "account_id": "402938475610"}
ONBOARDING_FIELDS = {
    **BROKEN_FIELDS,
    "prefix": "reports",
    "export_name": "finops",
    "platform": "optscale",
}

HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[A-Za-z0-9_+-]*)")


def clean_heading(text: str) -> str:
    """A heading's text without inline HTML anchors, markdown emphasis or escapes."""
    text = re.sub(r"<[^>]*>", "", text)
    text = re.sub(r"[*_`]", "", text)
    text = text.replace("\\", "")
    return re.sub(r"\s+", " ", text).strip()


def fenced_json_blocks(markdown: str):
    """Yield (heading, line_number, text) for each fenced json block, dedented.

    The heading is the nearest preceding one, prefixed with its chapter (the enclosing level-1 or
    level-2 heading) when it is a sub-heading: guides repeat "Configure policies and user".
    """
    lines = markdown.splitlines()
    chapter = ""
    heading = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        m = HEADING.match(line)
        if m:
            text = clean_heading(m.group(2))
            if len(m.group(1)) <= 2:
                chapter = heading = text
            else:
                heading = f"{chapter} › {text}" if chapter and chapter != text else text
            i += 1
            continue
        m = FENCE_OPEN.match(line)
        if m and m.group("lang").lower() in ("json", "jsonc", "json5"):
            fence = m.group("fence")
            body = []
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(fence):
                body.append(lines[j])
                j += 1
            text = textwrap.dedent("\n".join(body)).strip("\n") + "\n"
            if text.strip():
                yield heading, i + 1, text
            i = j + 1
            continue
        i += 1


def guess_kind(text: str) -> str:
    """bucket / trust / identity, from what the policy grants to whom."""
    has_principal = '"Principal"' in text
    if has_principal and "s3:PutObject" in text:
        return "bucket"
    if has_principal and "sts:AssumeRole" in text:
        return "trust"
    return "identity"


def describe_snippet(text: str, kind: str) -> str:
    """A short description of a guide's snippet: what it is and the Sids it holds."""
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    what = {
        "bucket": "bucket policy",
        "trust": "trust policy",
        "identity": "IAM policy",
    }[kind]
    if not isinstance(doc, dict):
        return what
    statements = doc.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return what
    sids = [s.get("Sid") for s in statements if isinstance(s, dict) and isinstance(s.get("Sid"), str)]
    if not sids:
        return f"{what}, {len(statements)} statement{'s' if len(statements) != 1 else ''}"
    shown = ", ".join(sids[:2]) + (", …" if len(sids) > 2 else "")
    return f"{what} ({shown})"


def guide_title(path: Path, markdown: str) -> str:
    """The guide's own title: its first level-1 heading, else the file name."""
    for line in markdown.splitlines():
        m = HEADING.match(line)
        if m and len(m.group(1)) == 1:
            return clean_heading(m.group(2))
    return path.stem


def guide_examples():
    if not SEEDS.is_dir():
        print(f"examples: no guides folder {SEEDS}, skipping the guides' snippets")
        return []
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        markdown = path.read_text(encoding="utf-8")
        title = guide_title(path, markdown)
        blocks = list(fenced_json_blocks(markdown))
        for heading, line, text in blocks:
            kind = guess_kind(text)
            label = heading or title
            out.append(
                {
                    "title": f"Guide: {label} — {describe_snippet(text, kind)}",
                    "kind": kind,
                    "text": text,
                    "source": f"{path.name}:{line}",
                }
            )
        print(f"examples: {path.name}: {len(blocks)} json snippet(s)")
    return out


def readme_descriptions():
    """{"onboarding/bucket-policy.json": "the bucket policy that …"} from examples/README.md."""
    readme = REPO / "examples" / "README.md"
    if not readme.is_file():
        return {}
    result = {}
    folder = ""
    for line in readme.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^##\s+`([^`/]+)/?`", line)
        if m:
            folder = m.group(1)
            continue
        m = re.match(r"^\|\s*`([^`]+)`\s*\|\s*(.*?)\s*\|\s*$", line)
        if m and folder:
            result[f"{folder}/{m.group(1)}"] = m.group(2)
    return result


def shorten(text: str, limit: int = 90) -> str:
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:(")
    return cut + " …"


def file_kind(path: Path, text: str) -> str:
    if path.suffix == ".tf":
        return "terraform"
    if path.suffix in (".yaml", ".yml"):
        return "cloudformation"
    if "AWSTemplateFormatVersion" in text or re.search(r'"Type"\s*:\s*"AWS::', text):
        return "cloudformation"
    return "auto"


def repo_examples():
    descriptions = readme_descriptions()
    out = []
    for folder, label, fields in (
        ("onboarding", "Correct", ONBOARDING_FIELDS),
        ("broken", "Broken", BROKEN_FIELDS),
    ):
        base = REPO / "examples" / folder
        if not base.is_dir():
            print(f"examples: no {base}, skipping")
            continue
        files = sorted(
            p
            for p in base.rglob("*")
            if p.is_file() and p.suffix in (".json", ".yaml", ".yml", ".tf")
        )
        for path in files:
            rel = path.relative_to(base).as_posix()
            text = path.read_text(encoding="utf-8")
            desc = descriptions.get(f"{folder}/{rel}")
            title = f"{label}: {rel}"
            if desc:
                title += f" — {shorten(desc)}"
            out.append(
                {
                    "title": title,
                    "kind": file_kind(path, text),
                    "text": text,
                    "fields": dict(fields),
                    "source": f"examples/{folder}/{rel}",
                }
            )
        print(f"examples: examples/{folder}: {len(files)} file(s)")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default: {DEFAULT_OUT}")
    args = parser.parse_args(argv)
    examples = guide_examples() + repo_examples()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(examples, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"examples: wrote {len(examples)} example(s) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
