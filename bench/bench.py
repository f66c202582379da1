#!/usr/bin/env python3
"""Speed benchmarks for finops-lint, whole process, as users run it.

    python3 bench/bench.py            # builds the release binary first

1. single: one small policy file, as a pre-commit hook runs it (median wall time of many runs);
2. corpus: the 1,641 AWS managed policies of ../shared/corpus/managed-policies, with both cores
   and with one (RAYON_NUM_THREADS=1), median wall time and peak memory.
3. floor: the same corpus merely read and parsed by serde_json in one process
   (`benches/parse_only.rs`), our time as a multiple of it (the two run in turn, 31 times each,
   so that the ratio does not measure the machine's drift between them);
4. peers: parliament and cfn-lint, installed from PyPI into target/bench-venv, on the same
   inputs (the managed corpus for parliament; the CloudFormation templates of the IaC corpus for
   cfn-lint; one small file each), as ratios;
5. tree: generated trees of 10,000 and 100,000 policy, export and template files
   (target/bench-tree-N, copies of the corpus and the examples): time, peak memory, linearity.
6. wildcards: one policy whose statement lists 640,000 wildcard resources (about 17 MB) in
   the shapes that make the redundant-entry checks (IAM006/IAM007) compare many pairs: keys
   with a trailing `*`, a `*` in the middle after a shared start, a `*` at the start, and a list
   made so that every wildcard fits every other one by its start and end (it meets the checks'
   budget); time and peak memory, and the time of 640,000 as a multiple of 4 x 160,000.
Targets (issue 8): single < 5 ms, corpus < 0.3 s on 2 cores, 100,000 files under 100 MiB, at least
20x parliament and 50x cfn-lint, under 3x the serde_json floor. Process start-up of the harness
itself is measured (`true`) and printed so the figures can be read against it.

    python3 bench/bench.py --quick    # without the peers and the 100,000-file tree
    python3 bench/bench.py --wildcards  # only the large wildcard lists (6)
"""
import glob
import json
import shutil
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
BIN = os.path.join(TARGET, "release", "finops-lint")
SINGLE = os.path.join(ROOT, "examples", "onboarding", "readonly-policy.json")
CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "managed-policies"))
IAC = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "iac"))
FINOPS_IAC = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "finops-iac"))


def iac_files(folder):
    """The files of an IaC corpus the linter reads as documents or configurations."""
    exts = (".tf", ".json", ".yaml", ".yml", ".tfvars")
    return sum(1 for _, _, fs in os.walk(folder) for f in fs if f.endswith(exts))


def iac(results):
    """Terraform and CloudFormation as real repositories write them: per file."""
    for name, folder in (("IaC corpus", IAC), ("finops-iac corpus", FINOPS_IAC)):
        if not os.path.isdir(folder):
            print(f"note: {folder} not found; its benchmark not run", file=sys.stderr)
            continue
        n = iac_files(folder)
        med, _ = timed([BIN, "--fail-on", "never", "--format", "concise", folder], 21)
        results.append((f"{name} ({n} files), median", med * 1000, "ms", None))
        results.append((f"{name}, per file", med * 1000 / n, "ms", None))
VENV = os.path.join(ROOT, "target", "bench-venv")


def parse_only_binary():
    out = subprocess.run(
        ["cargo", "bench", "--bench", "parse_only", "--no-run", "--locked", "--message-format=json"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("executable") and msg.get("target", {}).get("name") == "parse_only":
            return msg["executable"]
    raise SystemExit("parse_only bench binary not found")


def peers():
    """parliament and cfn-lint in their own virtual environment."""
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(os.path.join(VENV, "bin", "cfn-lint")):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "parliament==1.6.3", "cfn-lint==1.58.0"], check=True)
    return os.path.join(VENV, "bin", "parliament"), os.path.join(VENV, "bin", "cfn-lint")


def cfn_templates():
    """The CloudFormation templates of the IaC corpus that cfn-lint reads."""
    out = []
    for p in sorted(glob.glob(os.path.join(IAC, "**", "*.yaml"), recursive=True)
                    + glob.glob(os.path.join(IAC, "**", "*.yml"), recursive=True)):
        with open(p, errors="replace") as f:
            head = f.read(4096)
        if "AWSTemplateFormatVersion" in head or "Resources:" in head:
            out.append(p)
    return out


def tree(n):
    """A tree of n files: the managed policies, the examples' exports and templates, copied."""
    target = os.path.join(ROOT, "target", f"bench-tree-{n}")
    marker = os.path.join(target, ".complete")
    if os.path.exists(marker):
        return target
    shutil.rmtree(target, ignore_errors=True)
    seeds = sorted(glob.glob(os.path.join(CORPUS, "*.json")))
    seeds += sorted(glob.glob(os.path.join(ROOT, "examples", "onboarding", "**", "*.*"), recursive=True))
    seeds = [s for s in seeds if os.path.isfile(s)]
    for i in range(n):
        src = seeds[i % len(seeds)]
        d = os.path.join(target, f"d{i // 1000:03d}")
        os.makedirs(d, exist_ok=True)
        ext = os.path.splitext(src)[1]
        shutil.copyfile(src, os.path.join(d, f"f{i}{ext}"))
    open(marker, "w").close()
    return target


def million_entries():
    """A folder of 1,000,000 entries: 999,000 empty `.txt` files and 1,000 managed policies. In
    /dev/shm where the machine has it (creating a million files on disk takes minutes); the
    caller removes it (a million inodes held in memory)."""
    base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else os.path.join(ROOT, "target")
    target = os.path.join(base, "finops-lint-bench-million")
    shutil.rmtree(target, ignore_errors=True)
    os.makedirs(target)
    for i in range(999_000):
        os.close(os.open(os.path.join(target, f"n{i:07d}.txt"), os.O_CREAT | os.O_WRONLY, 0o644))
    for i, src in enumerate(sorted(glob.glob(os.path.join(CORPUS, "*.json")))[:1000]):
        shutil.copyfile(src, os.path.join(target, f"p{i:04d}.json"))
    return target


WILDCARD_SHAPES = {
    "trailing `*` (`arn:aws:s3:::b/k{i}*`)": "arn:aws:s3:::b/k{i}*",
    "`*` in the middle (`arn:aws:s3:::b/*/k{i}`)": "arn:aws:s3:::b/*/k{i}",
    "`*` at the start (`*/k{i}`)": "*/k{i}",
    "every wildcard fits every other (`arn:aws:s3:::b/*/k{i}/*`)": "arn:aws:s3:::b/*/k{i}/*",
}


def wildcard_list(shape, n):
    """A policy with one statement whose `Resource` lists n wildcards of a shape."""
    target = os.path.join(TARGET, "bench-wildcards")
    os.makedirs(target, exist_ok=True)
    index = list(WILDCARD_SHAPES.values()).index(shape)
    path = os.path.join(target, f"shape{index}-{n}.json")
    if not os.path.exists(path):
        doc = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "s3:GetObject",
            "Resource": [shape.format(i=i) for i in range(n)],
        }]}
        with open(path + ".tmp", "w") as f:
            json.dump(doc, f, indent=1)
        os.replace(path + ".tmp", path)
    return path


def wildcards(results):
    for name, shape in WILDCARD_SHAPES.items():
        times = {}
        for n in (160_000, 640_000):
            path = wildcard_list(shape, n)
            cmd = [BIN, "--fail-on", "never", "--format", "concise", path]
            times[n], _ = timed(cmd, 3)
        mib = os.path.getsize(path) / (1024 * 1024)
        results.append((f"640,000 wildcards ({mib:.0f} MiB), {name}", times[640_000] * 1000, "ms", None))
        results.append(("  peak memory", peak_rss_mib(cmd), "MiB", None))
        results.append(("  linearity: 640,000 time / 4 x 160,000 time", times[640_000] / (4 * times[160_000]), "x", None))


def timed(cmd, runs, env=None):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def timed_alternately(cmd_a, cmd_b, runs):
    """Medians of two commands run in turn, so that both see the machine in the same state (a
    ratio of two figures taken minutes apart also measures the machine's drift)."""
    a, b = [], []
    for _ in range(runs):
        for cmd, times in ((cmd_a, a), (cmd_b, b)):
            start = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            times.append(time.perf_counter() - start)
    return statistics.median(a), statistics.median(b)


def peak_rss_mib(cmd, env=None):
    """Peak resident memory of one run, in MiB (from a fresh child's rusage)."""
    code = (
        "import resource,subprocess,sys;"
        "subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True, env=env, check=True)
    return int(out.stdout.strip()) / 1024


def main():
    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)
    results = []
    if "--wildcards" in sys.argv:
        wildcards(results)
        return report(results)
    base, _ = timed(["true"], 200)
    results.append(("process spawn of the harness (`true`)", base * 1000, "ms", None))
    med, best = timed([BIN, SINGLE], 300)
    results.append(("single small file, median", med * 1000, "ms", 5.0))
    results.append(("single small file, best", best * 1000, "ms", None))
    rss = peak_rss_mib([BIN, SINGLE])
    results.append(("single small file, peak memory", rss, "MiB", None))
    if os.path.isdir(CORPUS):
        files = len([f for f in os.listdir(CORPUS) if f.endswith(".json")])
        both, _ = timed([BIN, "--fail-on", "never", CORPUS], 15)
        one_env = dict(os.environ, RAYON_NUM_THREADS="1")
        one, _ = timed([BIN, "--fail-on", "never", CORPUS], 15, env=one_env)
        results.append((f"managed-policies corpus ({files} files), 2 threads, median", both * 1000, "ms", 300.0))
        results.append((f"managed-policies corpus ({files} files), 1 thread, median", one * 1000, "ms", None))
        results.append(("speed-up from the second core", one / both, "x", None))
        results.append(("managed-policies corpus, peak memory", peak_rss_mib([BIN, "--fail-on", "never", CORPUS]), "MiB", None))
    else:
        print(f"note: {CORPUS} not found; corpus benchmark not run", file=sys.stderr)
    if os.path.isdir(CORPUS):
        floor_bin = parse_only_binary()
        ours, floor = timed_alternately([BIN, "--fail-on", "never", CORPUS], [floor_bin, CORPUS], 31)
        results.append(("serde_json floor: the corpus read and parsed, median", floor * 1000, "ms", None))
        results.append(("finops-lint on the corpus, run in turn with the floor, median", ours * 1000, "ms", None))
        results.append(("finops-lint as a multiple of the floor", ours / floor, "x", 3.0))
    iac(results)
    if "--quick" not in sys.argv and os.path.isdir(CORPUS):
        parliament, cfn_lint = peers()
        p_single, _ = timed([parliament, "--file", SINGLE], 5)
        results.append(("parliament, single small file", p_single * 1000, "ms", None))
        results.append(("speed-up over parliament, single file", p_single / med, "x", None))
        p_corpus, _ = timed([parliament, "--directory", CORPUS], 1)
        results.append(("parliament, managed-policies corpus", p_corpus * 1000, "ms", None))
        results.append(("speed-up over parliament, corpus (target > 20)", p_corpus / both, "x", None))
        templates = cfn_templates()
        c_all, _ = timed([cfn_lint, "--", *templates], 1)
        ours, _ = timed([BIN, "--fail-on", "never", *templates], 5)
        results.append((f"cfn-lint, {len(templates)} CloudFormation templates", c_all * 1000, "ms", None))
        results.append((f"finops-lint, the same {len(templates)} templates", ours * 1000, "ms", None))
        results.append(("speed-up over cfn-lint, templates (target > 50)", c_all / ours, "x", None))
        one = os.path.join(ROOT, "examples", "onboarding", "cloudformation.yaml")
        c_one, _ = timed([cfn_lint, one], 3)
        o_one, _ = timed([BIN, one], 50)
        results.append(("speed-up over cfn-lint, one template", c_one / o_one, "x", None))
        for n in (10_000, 100_000):
            t = tree(n)
            wall, _ = timed([BIN, "--fail-on", "never", "--format", "concise", t], 3)
            results.append((f"tree of {n} files, median", wall * 1000, "ms", None))
            rss = peak_rss_mib([BIN, "--fail-on", "never", "--format", "concise", t])
            results.append((f"tree of {n} files, peak memory", rss, "MiB", 100.0 if n == 100_000 else None))
            if n == 10_000:
                small = wall
            else:
                results.append(("linearity: 100,000-file time / 10 x 10,000-file time", wall / (10 * small), "x", None))
        folder = million_entries()
        try:
            cmd = [BIN, "--fail-on", "never", "--format", "concise", folder]
            wall, _ = timed(cmd, 3)
            results.append(("folder of 1,000,000 entries (1,000 policies), median", wall * 1000, "ms", None))
            results.append(("folder of 1,000,000 entries, peak memory", peak_rss_mib(cmd), "MiB", None))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    wildcards(results)
    return report(results)


def report(results):
    failed = False
    for name, value, unit, target in results:
        verdict = ""
        if target is not None:
            ok = value < target
            failed |= not ok
            verdict = f"  (target < {target:g} {unit}: {'met' if ok else 'MISSED'})"
        print(f"{name:<62} {value:9.2f} {unit}{verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
