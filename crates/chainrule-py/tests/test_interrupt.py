"""Ctrl-C during a long native loop (backward over a big graph, grad_check) raises
KeyboardInterrupt while the loop runs, not after it. The signal comes from
signal.setitimer (a kernel timer: a Python thread could not run while the loop holds the
interpreter lock), whose SIGALRM runs Python's own Ctrl-C handler."""

import math
import signal
import time

import pytest

from chainrule.engine import Value

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs signal.setitimer")


def interrupt_after(seconds, run):
    """Runs ``run()`` with Ctrl-C's handler due ``seconds`` after the start; returns
    whether KeyboardInterrupt was raised inside it, and the CPU seconds from the start to
    the handler (about 0 when the signal was heard before ``run`` began)."""
    heard = []

    def handler(signum, frame):
        heard.append(time.process_time())
        signal.default_int_handler(signum, frame)  # Ctrl-C's own: raises KeyboardInterrupt

    old = signal.signal(signal.SIGALRM, handler)
    try:
        t0 = time.process_time()
        try:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            run()
        except KeyboardInterrupt:
            return True, heard[0] - t0
        return False, None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        try:
            time.sleep(0)  # a signal that came after run() is heard here, not later
        except KeyboardInterrupt:
            pass
        signal.signal(signal.SIGALRM, old)


def test_ctrl_c_stops_a_long_backward_midway():
    x = Value(0.1, label="x")
    y = x
    for _ in range(1_000_000):
        y = y.tanh()
    for delay in (0.002, 0.005, 0.02, 0.05, 0.1):
        x.grad = y.grad = 0.0
        raised, cpu = interrupt_after(delay, y.backward)
        if raised and cpu > 0.0005:  # heard while backward ran (its walk had begun)...
            assert x.grad == 0.0  # ...and before it reached the leaf
            break
    else:
        pytest.fail("the signal was never heard while backward ran")
    # the graph is intact: a second backward finishes and agrees with the chain rule
    x.grad = y.grad = 0.0
    y.backward()
    dx, t = 1.0, 0.1
    for _ in range(1_000_000):
        t = math.tanh(t)
        dx *= 1 - t * t
    assert x.grad == pytest.approx(dx, rel=1e-9)


def test_ctrl_c_stops_a_long_grad_check():
    xs = [Value(0.001 * i) for i in range(3000)]
    s = xs[0]
    for x in xs[1:]:
        s = s + x
    for _ in range(200_000):  # every leaf's check replays this chain
        s = s.tanh()
    raised, cpu = interrupt_after(0.2, s.grad_check)
    # The whole check takes some 3000 replays of 200,000 nodes (many seconds); chunked,
    # it hears the signal within a chunk of about a quarter second.
    assert raised and cpu < 4.0, cpu
