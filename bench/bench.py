#!/usr/bin/env python3
"""Speed benchmarks for finops-lint, whole process, as users run it.

    python3 bench/bench.py            # builds the release binary first

1. single: one small policy file, as a pre-commit hook runs it (median wall time of many runs);
2. corpus: the 1,641 AWS managed policies of ../shared/corpus/managed-policies, with both cores
   and with one (RAYON_NUM_THREADS=1), median wall time and peak memory.
Targets (issue 2): single < 10 ms, corpus < 0.5 s on 2 cores. Process start-up of the harness
itself is measured (`true`) and printed so the figures can be read against it.
"""
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "finops-lint")
SINGLE = os.path.join(ROOT, "examples", "onboarding", "readonly-policy.json")
CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "managed-policies"))


def timed(cmd, runs, env=None):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


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
    base, _ = timed(["true"], 200)
    results.append(("process spawn of the harness (`true`)", base * 1000, "ms", None))
    med, best = timed([BIN, SINGLE], 300)
    results.append(("single small file, median", med * 1000, "ms", 10.0))
    results.append(("single small file, best", best * 1000, "ms", None))
    rss = peak_rss_mib([BIN, SINGLE])
    results.append(("single small file, peak memory", rss, "MiB", None))
    if os.path.isdir(CORPUS):
        files = len([f for f in os.listdir(CORPUS) if f.endswith(".json")])
        both, _ = timed([BIN, "--fail-on", "never", CORPUS], 15)
        one_env = dict(os.environ, RAYON_NUM_THREADS="1")
        one, _ = timed([BIN, "--fail-on", "never", CORPUS], 15, env=one_env)
        results.append((f"managed-policies corpus ({files} files), 2 threads, median", both * 1000, "ms", 500.0))
        results.append((f"managed-policies corpus ({files} files), 1 thread, median", one * 1000, "ms", None))
        results.append(("speed-up from the second core", one / both, "x", None))
        results.append(("managed-policies corpus, peak memory", peak_rss_mib([BIN, "--fail-on", "never", CORPUS]), "MiB", None))
    else:
        print(f"note: {CORPUS} not found; corpus benchmark not run", file=sys.stderr)
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
