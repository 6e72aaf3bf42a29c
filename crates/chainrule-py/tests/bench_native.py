"""Time per step of micrograd's demo: native (chainrule.train, both graph modes) against the
Python loop on chainrule.nn / chainrule.engine.Value, in one run; with --micrograd, real
micrograd too (about 1.4 s a step, so only a few steps). Not a test: run it by hand,

    python crates/chainrule-py/tests/bench_native.py [--micrograd]

on a release build of the package (pip install ./crates/chainrule-py, or maturin develop
--release)."""

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

import demo_loop  # noqa: E402

import chainrule  # noqa: E402
from chainrule.engine import Value  # noqa: E402
from chainrule.nn import MLP  # noqa: E402


def native(mode, repeats=20):
    """Median over `repeats` runs of 100 steps: (ms per step by the steps' own clock,
    ms per step for the whole call with its conversions)."""
    X, y = demo_loop_data()
    init = chainrule.NativeMLP.from_mlp(MLP(2, [16, 16, 1]))
    inner, outer = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        _, h = chainrule.train(X, y, init=init, mode=mode)
        outer.append((time.perf_counter() - t0) / 100)
        inner.append(h.seconds / 100)
        assert h.accuracy[-1] == 1.0
    return statistics.median(inner) * 1e3, statistics.median(outer) * 1e3


def demo_loop_data():
    import random

    import numpy as np
    from sklearn.datasets import make_moons

    np.random.seed(1337)
    random.seed(1337)
    X, y = make_moons(n_samples=100, noise=0.1)
    return X, y * 2 - 1


def python_loop(V, M, steps):
    t0 = time.perf_counter()
    demo_loop.demo(V, M, steps=steps)
    return (time.perf_counter() - t0) / steps * 1e3


def main():
    for mode in ["replay", "rebuild"]:
        inner, outer = native(mode)
        print(f"native ({mode}):".ljust(29) + f"{inner:8.3f} ms/step  ({outer:.3f} ms/step with the call)")
    py = python_loop(Value, MLP, 10)
    print(f"Python loop on chainrule.nn: {py:8.1f} ms/step  (10 steps)")
    if "--micrograd" in sys.argv:
        import micrograd.engine
        import micrograd.nn

        mg = python_loop(micrograd.engine.Value, micrograd.nn.MLP, 3)
        print(f"micrograd:                   {mg:8.1f} ms/step  (3 steps)")
        inner, _ = native("replay")
        print(f"native replay vs micrograd:  {mg / inner:8.0f}x")


if __name__ == "__main__":
    main()
