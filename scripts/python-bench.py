#!/usr/bin/env python3
"""Runs the shared Python peer kit (../shared/bench/python-peers/bench.py) on chainrule's
Python package beside micrograd and micrograd-rust, interleaved, and prints the median of
each (impl, workload) over the runs, with the median peak RSS and the ratios the issue sets.

usage: python-bench.py [--kit DIR] [--runs 5] [--w2-steps N] [W1] [W2]

Run it with a Python that has chainrule, micrograd and micrograd-rust installed (the kit's
venv, or /work/venv): `python scripts/python-bench.py W1 W2`. Peak RSS is that of the
process tree of one run (RUSAGE_CHILDREN of a fresh wrapper process).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_KIT = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "bench", "python-peers"))

PLAN = {
    "W1": ["micrograd", "micrograd-rust", "chainrule"],
    "W2": ["micrograd", "micrograd-rust", "chainrule", "chainrule-pyloop"],
}

WRAPPER = (
    "import resource, subprocess, sys\n"
    "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "sys.stderr.write(p.stderr)\n"
    "print(p.stdout.strip().splitlines()[-1] if p.stdout.strip() else '{}')\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def run_once(kit, impl, workload, n):
    cmd = [sys.executable, os.path.join(kit, "bench.py"), impl, workload, "--timeout", "900"]
    if n:
        cmd += ["--n", str(n)]
    out = subprocess.run([sys.executable, "-c", WRAPPER] + cmd, capture_output=True, text=True, cwd=kit)
    lines = out.stdout.strip().splitlines()
    line = json.loads(lines[0]) if lines else {}
    line["peak_rss_mb"] = int(lines[1]) / 1024 if len(lines) > 1 else None
    return line


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("workloads", nargs="*", default=["W1", "W2"])
    p.add_argument("--kit", default=DEFAULT_KIT)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--w2-steps", type=int, default=None,
                   help="W2 steps (default: the kit's 100; micrograd may run fewer, per-step figures compare)")
    a = p.parse_args()
    results = {}
    for r in range(a.runs):
        for w in a.workloads:
            for impl in PLAN[w]:
                n = a.w2_steps if w == "W2" else None
                line = run_once(a.kit, impl, w, n)
                results.setdefault((w, impl), []).append(line)
                print(f"run {r + 1}/{a.runs} {w} {impl}: {json.dumps(line)}", file=sys.stderr, flush=True)
    print(f"{'workload':<8} {'impl':<18} {'ok':<3} {'median s':>10} {'ns/node':>10} {'peak RSS MB':>12}  check")
    med = {}
    for (w, impl), lines in results.items():
        # A W2 run of fewer than 100 steps ends below 100% accuracy, which the kit flags;
        # its timing still counts (per-step figures compare).
        good = [l for l in lines if l.get("seconds") is not None]
        s = statistics.median(l["seconds"] for l in good) if good else None
        ns = statistics.median(l["ns_per_node"] for l in good) if good else None
        rss = statistics.median(l["peak_rss_mb"] for l in good if l["peak_rss_mb"]) if good else None
        med[(w, impl)] = (ns, rss)
        check = good[-1].get("check", "") if good else lines[-1].get("error", "failed")
        print(f"{w:<8} {impl:<18} {'yes' if good else 'no':<3} {s or 0:>10.4g} {ns or 0:>10.4g} {rss or 0:>12.1f}  {check}")
    print()
    for w in a.workloads:
        ours = med.get((w, "chainrule"), (None, None))
        for peer in ("micrograd", "micrograd-rust"):
            theirs = med.get((w, peer), (None, None))
            if ours[0] and theirs[0]:
                print(f"{w}: chainrule is {theirs[0] / ours[0]:.1f}x faster per node than {peer}"
                      + (f"; peak RSS {ours[1] / theirs[1]:.2f}x of {peer}'s" if ours[1] and theirs[1] else ""))


if __name__ == "__main__":
    main()
