#!/usr/bin/env python3
"""Runs the shared Python peer kit (../shared/bench/python-peers/bench.py) on chainrule's
Python package beside micrograd and micrograd-rust, interleaved, and prints the median of
each (impl, workload) over the runs, with the median peak RSS and the ratios issue 10 sets.

usage: python-bench.py [--kit DIR] [--runs 5] [--micrograd-w2-steps 10] [W1] [W2]

Run it with a Python that has chainrule, micrograd, micrograd-rust and scikit-learn
installed (the kit's venv, or /work/venv): `python scripts/python-bench.py`. Each run is a
fresh process; the runs go round-robin over every (workload, impl), so load on the
machine falls on all of them alike. Peak RSS is that of the process tree of one run
(RUSAGE_CHILDREN of a fresh wrapper process).

W2 (micrograd's demo) compares time per step: micrograd takes over a second a step, so it
runs `--micrograd-w2-steps` steps (10 by default) where the others run the kit's 100. The
row `chainrule-native` is the same demo (the same data, micrograd's initial weights)
trained by `chainrule.train` in native code: one call, NumPy arrays in and out, timed
around the call.
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
    "W2": ["micrograd", "micrograd-rust", "chainrule", "chainrule-pyloop", "chainrule-native"],
}

WRAPPER = (
    "import resource, subprocess, sys\n"
    "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "sys.stderr.write(p.stderr)\n"
    "print(p.stdout.strip().splitlines()[-1] if p.stdout.strip() else '{}')\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)

# micrograd's demo trained natively: the kit's data and weights, 100 steps in one call.
NATIVE = """
import json, random, sys, time
sys.path.insert(0, {kit!r})
import numpy as np
import chainrule
from chainrule.nn import MLP
from workloads import moons
X, y = moons()                      # seeds numpy and random with 1337, as micrograd's demo
init = chainrule.NativeMLP.from_mlp(MLP(2, [16, 16, 1]))
X, y = np.array(X), np.array(y)
t0 = time.perf_counter()
model, h = chainrule.train(X, y, init=init, steps={steps})
seconds = time.perf_counter() - t0
print(json.dumps({{"impl": "chainrule-native", "n": {steps}, "seconds": seconds, "ok": bool(h.accuracy[-1] == 1.0),
                  "check": f"loss={{h.loss[-1]:.6g}} accuracy={{h.accuracy[-1]:g}}"}}))
"""


def run_once(kit, impl, workload, n):
    """One run in a fresh process: the kit's JSON line plus `peak_rss_mb`."""
    if impl == "chainrule-native":
        cmd = [sys.executable, "-c", NATIVE.format(kit=kit, steps=n or 100)]
    else:
        cmd = [sys.executable, os.path.join(kit, "bench.py"), impl, workload, "--timeout", "900"]
        if n:
            cmd += ["--n", str(n)]
    out = subprocess.run([sys.executable, "-c", WRAPPER] + cmd, capture_output=True, text=True, cwd=kit)
    lines = out.stdout.strip().splitlines()
    try:
        line = json.loads(lines[0]) if lines else {}
    except json.JSONDecodeError:
        line = {"error": lines[0]}
    line["peak_rss_mb"] = int(lines[1]) / 1024 if len(lines) > 1 else None
    if line.get("seconds") is not None:
        line["per_unit"] = line["seconds"] / (line.get("n") or n or 100)
    return line


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("workloads", nargs="*", default=["W1", "W2"])
    p.add_argument("--kit", default=DEFAULT_KIT)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--micrograd-w2-steps", type=int, default=10,
                   help="W2 steps for micrograd, which takes over a second a step (per-step figures compare)")
    a = p.parse_args()
    results = {}
    for r in range(a.runs):
        for w in a.workloads:
            for impl in PLAN[w]:
                n = a.micrograd_w2_steps if (w, impl) == ("W2", "micrograd") else None
                line = run_once(a.kit, impl, w, n)
                results.setdefault((w, impl), []).append(line)
                print(f"run {r + 1}/{a.runs} {w} {impl}: {json.dumps(line)}", file=sys.stderr, flush=True)

    print(f"{'workload':<8} {'impl':<18} {'runs':>4} {'median s':>9} {'ns/node':>9} {'ms/step':>9} {'peak RSS MB':>12}  check")
    med = {}
    for (w, impl), lines in results.items():
        # A W2 run of fewer than 100 steps ends below 100% accuracy, which the kit flags;
        # its timing still counts (per-step figures compare).
        good = [l for l in lines if l.get("seconds") is not None]
        s = median(l["seconds"] for l in good)
        ns = median(l.get("ns_per_node") for l in good)
        per = median(l["per_unit"] for l in good)
        rss = median(l["peak_rss_mb"] for l in good)
        med[(w, impl)] = {"ns": ns, "per": per, "rss": rss}
        check = good[-1].get("check", "") if good else lines[-1].get("error", "failed")
        ms = f"{per * 1e3:9.3f}" if (per and w == "W2") else f"{'':>9}"
        print(f"{w:<8} {impl:<18} {len(good):>4} {s or 0:>9.4g} {ns or 0:>9.4g} {ms} {rss or 0:>12.1f}  {check}")

    def ratio(w, peer, ours, key):
        x, y = med.get((w, peer), {}).get(key), med.get((w, ours), {}).get(key)
        return x / y if x and y else None

    print()
    targets = []
    if "W1" in a.workloads:
        targets += [("W1 per node vs micrograd", ratio("W1", "micrograd", "chainrule", "ns"), 8, "x faster"),
                    ("W1 per node vs micrograd-rust", ratio("W1", "micrograd-rust", "chainrule", "ns"), 2, "x faster")]
    if "W2" in a.workloads:
        targets += [("demo per step vs micrograd", ratio("W2", "micrograd", "chainrule", "per"), 30, "x faster"),
                    ("demo per step vs micrograd-rust", ratio("W2", "micrograd-rust", "chainrule", "per"), 3, "x faster"),
                    ("demo, native trainer, vs micrograd", ratio("W2", "micrograd", "chainrule-native", "per"), 1000, "x faster"),
                    ("demo peak RSS, micrograd-rust / chainrule", ratio("W2", "micrograd-rust", "chainrule", "rss"), 10, "x less"),
                    ("demo per step, Python neuron loop, vs micrograd-rust",
                     ratio("W2", "micrograd-rust", "chainrule-pyloop", "per"), None, "x faster")]
    for name, r, target, unit in targets:
        if r is None:
            print(f"{name}: no figure")
            continue
        verdict = "" if target is None else (f"  (target {target}{unit}: " + ("met)" if r >= target else "MISSED)"))
        print(f"{name}: {r:.2f}{unit}{verdict}")


if __name__ == "__main__":
    main()
