"""Memory is freed when Python drops the values: the resident memory after N steps of
micrograd's demo loop is within 10% of that after N/10 (the issue: 1,000 and 100)."""

import gc
import os
import sys

import pytest

from chainrule.engine import Value
from chainrule.nn import MLP

import demo_loop

STEPS = int(os.environ.get("CHAINRULE_MEMORY_STEPS", "1000"))


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_memory_is_flat_over_the_demo_loop():
    rss = {}

    def on_step(k, model):
        if k + 1 in (STEPS // 10, STEPS):
            gc.collect()
            rss[k + 1] = rss_bytes()

    demo_loop.demo(Value, MLP, steps=STEPS, on_step=on_step)
    early, late = rss[STEPS // 10], rss[STEPS]
    assert late <= early * 1.10, (early, late)
