#!/usr/bin/env python3
"""Runs the shared Python peer kit (../shared/bench/python-peers/bench.py) on chainrule's
Python package beside micrograd and micrograd-rust, interleaved, and prints the best and
the median of each (impl, workload) over the runs, side by side, with the median peak RSS
and the ratios issues 10 and 20 set.

usage: python-bench.py [--kit DIR] [--runs 9] [--micrograd-w2-steps 10] [--w1-n N]
                       [--compare LABEL=PYTHON] [W1] [W2]

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

The row `floor` is W1's loop (the kit's own code) on `chainrule._core.FloorValue`, a plain
PyO3 class that makes one native object per operation doing one float operation and
nothing else (no graph, no chain rule): the least a native Value can cost in this loop.
chainrule's multiple of it is printed.

`--w1-n N` runs W1 with N iterations for every implementation (the kit's default is
100,000, some 40 ms of chainrule's time, which one busy moment of a shared machine can
double). Use it for before/after comparisons of chainrule's builds, not for ratios
against the peers: their cost a node grows with N (micrograd's graphs wait for the cyclic
collector, micrograd-rust never frees: at 500,000, 1.4 us and 0.37 us a node where
100,000 gave 0.9 and 0.25), so the kit's default is the workload they compare on.

`--compare LABEL=PYTHON` runs chainrule's rows once more per round with another Python
(a venv with another build of chainrule), labelled `chainrule@LABEL`, interleaved with the
rest: a before/after measurement under the same load.
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
    "W1": ["micrograd", "micrograd-rust", "chainrule", "floor"],
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


# W1's loop (the kit's ValuePeer.w1) on the floor: one plain PyO3 object per operation.
FLOOR = """
import json, sys
sys.path.insert(0, {kit!r})
from chainrule._core import FloorValue
from value_peers import ValuePeer
n = {n}
seconds, _, grads = ValuePeer(FloorValue, None, None, None).w1(n)
print(json.dumps({{"impl": "floor", "n": n, "nodes": 7 * n, "seconds": seconds,
                  "ns_per_node": seconds / (7 * n) * 1e9, "check": "no graph: grads not computed"}}))
"""


def run_once(kit, impl, workload, n, python=sys.executable):
    """One run in a fresh process: the kit's JSON line plus `peak_rss_mb`."""
    if impl == "chainrule-native":
        cmd = [python, "-c", NATIVE.format(kit=kit, steps=n or 100)]
    elif impl == "floor":
        cmd = [python, "-c", FLOOR.format(kit=kit, n=n or 100_000)]
    else:
        cmd = [python, os.path.join(kit, "bench.py"), impl, workload, "--timeout", "900"]
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


def best(xs):
    xs = [x for x in xs if x is not None]
    return min(xs) if xs else None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("workloads", nargs="*", default=["W1", "W2"])
    p.add_argument("--kit", default=DEFAULT_KIT)
    p.add_argument("--runs", type=int, default=9)
    p.add_argument("--micrograd-w2-steps", type=int, default=10,
                   help="W2 steps for micrograd, which takes over a second a step (per-step figures compare)")
    p.add_argument("--w1-n", type=int, help="W1 iterations for every implementation (default: the kit's)")
    p.add_argument("--compare", action="append", default=[], metavar="LABEL=PYTHON",
                   help="also run chainrule's rows with this Python (another build), interleaved")
    a = p.parse_args()
    others = [c.split("=", 1) for c in a.compare]
    results = {}
    for r in range(a.runs):
        for w in a.workloads:
            runs = [(impl, impl, sys.executable) for impl in PLAN[w]]
            runs += [(impl, f"{impl}@{label}", python) for label, python in others
                     for impl in PLAN[w] if impl.startswith("chainrule")]
            for impl, name, python in runs:
                n = a.micrograd_w2_steps if (w, impl) == ("W2", "micrograd") else None
                if w == "W1":
                    n = a.w1_n
                line = run_once(a.kit, impl, w, n, python)
                results.setdefault((w, name), []).append(line)
                print(f"run {r + 1}/{a.runs} {w} {name}: {json.dumps(line)}", file=sys.stderr, flush=True)

    print(f"{'workload':<8} {'impl':<22} {'runs':>4} {'ns/node best':>12} {'median':>8} "
          f"{'ms/step best':>12} {'median':>8} {'peak RSS MB':>12}  check")
    med, low = {}, {}
    for (w, impl), lines in results.items():
        # A W2 run of fewer than 100 steps ends below 100% accuracy, which the kit flags;
        # its timing still counts (per-step figures compare).
        good = [l for l in lines if l.get("seconds") is not None]
        ns = [l.get("ns_per_node") for l in good]
        per = [l["per_unit"] for l in good]
        rss = median(l["peak_rss_mb"] for l in good)
        med[(w, impl)] = {"ns": median(ns), "per": median(per), "rss": rss}
        low[(w, impl)] = {"ns": best(ns), "per": best(per), "rss": rss}
        check = good[-1].get("check", "") if good else lines[-1].get("error", "failed")
        col = lambda x, scale, on: f"{x * scale:.4g}" if (x and on) else ""  # noqa: E731
        print(f"{w:<8} {impl:<22} {len(good):>4} {col(best(ns), 1, True):>12} {col(median(ns), 1, True):>8} "
              f"{col(best(per), 1e3, w == 'W2'):>12} {col(median(per), 1e3, w == 'W2'):>8} {rss or 0:>12.1f}  {check}")

    def ratio(w, peer, ours, key, table=med):
        x, y = table.get((w, peer), {}).get(key), table.get((w, ours), {}).get(key)
        return x / y if x and y else None

    print("\nRatios, best of the runs against best, and median against median:")
    targets = []
    if "W1" in a.workloads:
        targets += [("W1 per node vs micrograd", ("W1", "micrograd", "chainrule", "ns"), 15, "x faster"),
                    ("W1 per node vs micrograd-rust", ("W1", "micrograd-rust", "chainrule", "ns"), 4, "x faster"),
                    ("W1 per node, chainrule's multiple of the floor", ("W1", "chainrule", "floor", "ns"), None, "x")]
        targets += [(f"W1 per node, {label} / this build", ("W1", f"chainrule@{label}", "chainrule", "ns"), None, "x")
                    for label, _ in others]
    if "W2" in a.workloads:
        targets += [("demo per step vs micrograd", ("W2", "micrograd", "chainrule", "per"), 30, "x faster"),
                    ("demo per step vs micrograd-rust", ("W2", "micrograd-rust", "chainrule", "per"), 10, "x faster"),
                    ("demo, native trainer, vs micrograd", ("W2", "micrograd", "chainrule-native", "per"), 1000, "x faster"),
                    ("demo peak RSS, micrograd-rust / chainrule", ("W2", "micrograd-rust", "chainrule", "rss"), 10, "x less"),
                    ("demo per step, Python neuron loop, vs micrograd-rust",
                     ("W2", "micrograd-rust", "chainrule-pyloop", "per"), None, "x faster")]
        targets += [(f"demo per step, {label} / this build", ("W2", f"chainrule@{label}", "chainrule", "per"), None, "x")
                    for label, _ in others]
    if "W1" in a.workloads and med.get(("W1", "chainrule"), {}).get("ns"):
        b, m = low[("W1", "chainrule")]["ns"], med[("W1", "chainrule")]["ns"]
        print(f"W1 per node: {b:.0f} ns best, {m:.0f} ns median  (target 120 ns: "
              + ("met)" if max(b, m) <= 120 else "MISSED)"))
    for name, key, target, unit in targets:
        rb, rm = ratio(*key, table=low), ratio(*key)
        if rm is None:
            print(f"{name}: no figure")
            continue
        verdict = "" if target is None else (f"  (target {target}{unit}: " + ("met)" if min(rb, rm) >= target else "MISSED)"))
        print(f"{name}: {rb:.2f}{unit} best, {rm:.2f}{unit} median{verdict}")


if __name__ == "__main__":
    main()
