"""The shortcuts past PyO3 (src/fastnew.rs, src/layout.rs, src/slots.rs): installed on
CPython with the PyO3 version they were checked against (Cargo.toml pins it), and a Value
made, read, combined and freed through them behaves exactly as one through PyO3's own
code, which CHAINRULE_NO_SHORTCUTS=1 keeps (the same checks run both ways)."""

import gc
import os
import re
import subprocess
import sys
import weakref

import numpy as np
import pytest

from chainrule import _core
from chainrule.engine import Value

HERE = os.path.dirname(os.path.abspath(__file__))
CRATE = os.path.dirname(HERE)
WORKSPACE = os.path.dirname(os.path.dirname(CRATE))


def test_the_pyo3_version_is_the_one_the_shortcuts_were_checked_against():
    with open(os.path.join(CRATE, "Cargo.toml")) as f:
        pin = re.search(r'^pyo3 = \{ version = "=([0-9.]+)"', f.read(), re.M)
    assert pin and pin.group(1) == _core._pyo3_checked
    lock = os.path.join(WORKSPACE, "Cargo.lock")
    if os.path.exists(lock):
        with open(lock) as f:
            locked = re.findall(r'name = "pyo3"\nversion = "([0-9.]+)"', f.read())
        assert locked == [_core._pyo3_checked]


@pytest.mark.skipif(bool(os.environ.get("CHAINRULE_NO_SHORTCUTS")), reason="the shortcuts are off")
@pytest.mark.skipif(sys.implementation.name != "cpython", reason="CPython's layouts")
def test_every_shortcut_is_installed_on_cpython():
    assert _core._fast_new is True
    assert _core._layout == (True, True, True, True)  # allocation, members, dealloc, + and *


def behaviour():
    """Everything the shortcuts touch, as observable facts (run with and without them)."""
    out = {}
    a, b = Value(2.0, label="a"), Value(-3.0)
    L = (a * b + 10.0) * -2.0
    L.backward()
    out["w1"] = (L.data, a.grad, b.grad, L._op, sorted(v.data for v in L._prev))
    # data and grad: read, written with ints, floats and NumPy scalars, refused otherwise
    v = Value(1.5)
    v.data, v.grad = 3, np.float64(0.25)
    out["attrs"] = (v.data, v.grad, type(v.data).__name__, type(v.grad).__name__)
    v.grad = np.int64(-2)
    out["numpy"] = v.grad
    for bad in ("x", None, Value(1.0)):
        with pytest.raises(TypeError):
            v.data = bad
        with pytest.raises(TypeError):
            v.grad = bad
    with pytest.raises((TypeError, AttributeError)):
        del v.grad
    # + and * with numbers, between Values, reflected, and NotImplemented for the rest
    x = Value(4.0)
    out["ops"] = [(x + 1).data, (1 + x).data, (x * 2).data, (2 * x).data, (x + x).data, (x * x).data,
                  (Value.__add__(x, x)).data, x.__mul__(3.0).data]
    assert x.__add__("s") is NotImplemented and x.__mul__(None) is NotImplemented
    with pytest.raises(TypeError):
        x + "s"
    # subclasses go through PyO3's way and keep their class
    class Sub(Value):
        pass

    s = Sub(2.0)
    out["sub"] = [type(s + x).__name__, type(x + s).__name__, type(s * s).__name__, (s * x).data]
    # freeing: children go with their parents, weak references are cleared, the class's
    # reference count comes back (PyO3 0.27's own dealloc leaked one per instance)
    gc.collect()
    before = sys.getrefcount(Value), sys.getrefcount(Sub)
    leaves = [Value(float(i)) for i in range(200)]
    refs = [weakref.ref(n) for n in leaves]
    called = []
    products = [n * n + 1 for n in leaves] + [Sub(1.0) * 2 for _ in range(50)]
    watch = weakref.ref(products[0], lambda r: called.append(r))
    del leaves, products
    gc.collect()
    out["freed"] = (sum(r() is not None for r in refs), len(called))
    out["class refs"] = (sys.getrefcount(Value) - before[0], sys.getrefcount(Sub) - before[1])
    # a node made while a user _backward lives is tracked by the collector, and collected
    y = Value(1.0)
    z = y * 2
    z._backward = lambda: z  # a cycle through the closure
    zr = weakref.ref(z)
    w = y * 3  # made while a user _backward lives
    del z
    gc.collect()
    out["cycle"] = (zr() is None, gc.is_tracked(w))
    return out


@pytest.mark.skipif(bool(os.environ.get("CHAINRULE_NO_SHORTCUTS")), reason="the shortcuts are off")
def test_the_shortcuts_behave_as_pyo3s_own_ways():
    here = behaviour()
    assert here["w1"] == (-8.0, 6.0, -4.0, "*", [-2.0, 4.0])
    assert here["attrs"] == (3.0, 0.25, "float", "float") and here["numpy"] == -2.0
    assert here["freed"] == (0, 1) and here["class refs"] == (0, 0)
    assert here["cycle"] == (True, True)
    code = (
        "import sys, json; sys.path.insert(0, {here!r}); import test_layout as t;"
        "from chainrule import _core; r = t.behaviour();"
        "print(json.dumps([_core._fast_new, _core._layout, r]))"
    ).format(here=HERE)
    env = dict(os.environ, CHAINRULE_NO_SHORTCUTS="1")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=HERE)
    assert run.returncode == 0, run.stderr
    import json

    fast, layout, plain = json.loads(run.stdout)
    assert fast is False and layout == [False, False, False, False]
    expected = json.loads(json.dumps(here))
    # PyO3's own dealloc leaks a reference to the class per instance (PyO3 issue 6223)
    leaked = plain.pop("class refs")
    expected.pop("class refs")
    assert plain == expected
    assert leaked[0] > 0
