"""chainrule.engine.Value against micrograd's own tests, the notebook's numbers, and
micrograd itself."""

import gc
import math
import os
import random
import threading

import numpy as np
import pytest

import lecture
import micrograd.engine as mg
from chainrule.engine import Value


# --- micrograd's test_engine.py, with the numbers it checks against PyTorch ------------

def test_sanity_check():
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    assert y.data == -20.0
    assert x.grad == 46.0


def test_more_ops():
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    tol = 1e-6
    assert abs(g.data - 24.70408163265306) < tol
    assert abs(a.grad - 138.83381924198252) < tol
    assert abs(b.grad - 645.5772594752186) < tol


# --- the seed notebook ----------------------------------------------------------------

def notebook():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = Value(10.0, label="c")
    e = a * b; e.label = "e"
    d = e + c; d.label = "d"
    f = Value(-2.0, label="f")
    L = d * f; L.label = "L"
    return L, (a, b, c, d, e, f)


def test_notebook_numbers():
    L, (a, b, c, d, e, f) = notebook()
    assert L.data == -8.0
    L.backward()
    assert [L.grad, d.grad, f.grad, c.grad, e.grad, a.grad, b.grad] == [1, -2, 4, -2, -2, 6, -4]
    assert (L._op, d._op, e._op, a._op) == ("*", "+", "*", "")
    assert [n.label for n in (a, b, c, d, e, f, L)] == list("abcdefL")


def test_backward_accumulates_like_micrograd():
    x = Value(3.0)
    y = x * x
    y.backward()
    assert x.grad == 6.0
    y.backward()  # nothing is zeroed: micrograd adds again
    assert x.grad == 12.0 and y.grad == 1.0


def test_repr_is_micrographs():
    v = Value(2.5)
    assert repr(v) == "Value(data=2.5, grad=0.0)"
    v.grad = 1e-7
    assert repr(v) == "Value(data=2.5, grad=1e-07)"
    assert repr(Value(-0.1) * 3) == f"Value(data={-0.1 * 3!r}, grad=0.0)"


# --- operators, with int, float and NumPy scalars on either side ----------------------

NUMBERS = [3, -2, 2.5, np.int64(-3), np.float64(1.5), np.float32(0.5), True]

BINARY = {
    "add": lambda x, y: x + y,
    "radd": lambda x, y: y + x,
    "sub": lambda x, y: x - y,
    "rsub": lambda x, y: y - x,
    "mul": lambda x, y: x * y,
    "rmul": lambda x, y: y * x,
    "div": lambda x, y: x / y,
    "rdiv": lambda x, y: y / x,
}


def structure(v, seen=None):
    """A graph as nested (op, data, grad, children) with children sorted, for comparing."""
    kids = sorted((structure(c) for c in v._prev), key=repr)
    return (v._op, float(v.data), float(v.grad), tuple(kids))


@pytest.mark.parametrize("name", list(BINARY))
@pytest.mark.parametrize("k", NUMBERS, ids=[f"{type(n).__name__}({n})" for n in NUMBERS])
def test_operator_with_number_matches_micrograd(name, k):
    op = BINARY[name]
    ours, theirs = Value(1.25), mg.Value(1.25)
    y = op(ours, k)
    assert type(y) is Value, type(y)
    if name == "div" and isinstance(k, np.integer):
        # micrograd raises here (NumPy refuses int64 ** -1); chainrule takes the power
        # of the number as a float.
        assert y.data == 1.25 * float(k) ** -1
        return
    z = op(theirs, k)
    y.backward(); z.backward()
    assert y.data == z.data
    assert ours.grad == theirs.grad
    assert structure(y) == structure(z)


@pytest.mark.parametrize("name", list(BINARY))
def test_operator_between_values_matches_micrograd(name):
    op = BINARY[name]
    a, b = Value(-1.5), Value(0.75)
    ma, mb = mg.Value(-1.5), mg.Value(0.75)
    y, z = op(a, b), op(ma, mb)
    y.backward(); z.backward()
    assert (y.data, a.grad, b.grad) == (z.data, ma.grad, mb.grad)
    assert structure(y) == structure(z)


@pytest.mark.parametrize("p", [2, 3, -1, 0.5, 2.0, -2.5, np.float64(1.5)])
def test_number_powers_match_micrograd(p):
    x, mx = Value(1.7), mg.Value(1.7)
    y, z = x**p, mx**p
    y.backward(); z.backward()
    assert y._op == z._op == f"**{p}"
    assert (y.data, x.grad) == (z.data, mx.grad)


def test_numpy_integer_power():
    # micrograd asserts int/float; a NumPy integer is a number here too.
    y = Value(1.5) ** np.int64(2)
    assert (y.data, y._op) == (2.25, "**2")


def test_unary_and_relu_match_micrograd():
    for v in [-2.0, 0.0, 3.0]:
        x, mx = Value(v), mg.Value(v)
        for y, z in [(-x, -mx), (x.relu(), mx.relu())]:
            y.backward(); z.backward()
            assert y.data == z.data and y._op == z._op
        assert x.grad == mx.grad


def test_numpy_int64_times_value_lands_in_rmul():
    x = Value(2.0)
    y = np.int64(-3) * x
    assert type(y) is Value and y.data == -6.0 and y._op == "*"
    y = 1 + -np.int64(1) * x  # the demo's `1 + -yi*scorei`
    assert type(y) is Value and y.data == -1.0
    assert Value(np.float64(0.25)).data == 0.25
    assert not hasattr(Value, "__array__") and not hasattr(Value, "__len__")


def test_lecture_functions_and_more():
    x = Value(0.5)
    for y, want, dwant, op in [
        (x.tanh(), math.tanh(0.5), 1 - math.tanh(0.5) ** 2, "tanh"),
        (x.exp(), math.exp(0.5), math.exp(0.5), "exp"),
        (x.log(), math.log(0.5), 2.0, "log"),
        (x.sigmoid(), 1 / (1 + math.exp(-0.5)), None, "sigmoid"),
    ]:
        x.grad = 0.0
        y.backward()
        assert y._op == op
        assert abs(y.data - want) < 1e-15
        s = 1 / (1 + math.exp(-0.5))
        assert abs(x.grad - (dwant if dwant is not None else s * (1 - s))) < 1e-15


def test_value_power_value():
    x, y = Value(2.0), Value(3.0)
    z = x**y
    z.backward()
    assert (z.data, x.grad, z._op) == (8.0, 12.0, "**")
    assert abs(y.grad - 8 * math.log(2)) < 1e-12
    w = 2 ** Value(3.0)
    assert w.data == 8.0


def test_ieee_instead_of_exceptions():
    assert Value(0.0) ** -1 is not None and (Value(0.0) ** -1).data == math.inf
    assert math.isnan((Value(-8.0) ** 0.5).data)
    assert math.isnan(Value(-1.0).log().data)


@pytest.mark.parametrize("x", [0.0, math.nan, -0.0, 2.5, -3.0, math.inf])
def test_a_power_of_zero_has_derivative_zero_everywhere(x):
    """x**0 is the constant 1 under IEEE (0**0 and nan**0 included), so its derivative is
    0 everywhere, as PyTorch and JAX take it. micrograd's rule 0 * x**-1 raises at 0.0 and
    gives NaN at NaN; the README's "What differs" says so. Backward, grad() (second order
    too), explain and the gradient check agree."""
    import chainrule

    a = Value(x, label="a")
    y = a**0
    y.backward()
    assert y.data == 1.0 and a.grad == 0.0
    d, = chainrule.grad(y, [a])
    assert d.data == 0.0 and chainrule.grad(d, [a])[0].data == 0.0
    assert "d(a**0)/da = 0" in y.explain().text or not math.isfinite(x)  # else: "a is nan"
    assert (Value(x) ** Value(0.0)).data == 1.0
    z = Value(x)
    w = z ** Value(0.0)
    w.backward()
    assert z.grad == 0.0
    m = mg.Value(x)
    mz = m**0
    if x == 0.0:
        with pytest.raises(ZeroDivisionError):
            mz.backward()  # micrograd: 0 * 0.0**-1
    else:
        mz.backward()
        assert (math.isnan(m.grad) if math.isnan(x) else m.grad == 0.0)


# --- identity -------------------------------------------------------------------------

def test_prev_holds_the_very_objects():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    assert isinstance(c._prev, set)
    assert c._prev == {a, b}
    assert {id(n) for n in c._prev} == {id(a), id(b)}
    assert any(n is a for n in c._prev) and any(n is b for n in c._prev)
    assert c._prev == c._prev and len((a + a)._prev) == 1
    # micrograd makes a new leaf for a number operand
    (k,) = [n for n in (a + 3)._prev if n is not a]
    assert k.data == 3.0 and k._prev == set()
    # identity hashing, no value equality
    assert Value(1.0) != Value(1.0) and hash(a) != hash(b)


def test_lecture_build_topo_and_draw_dot_by_id():
    L, nodes = notebook()
    topo = lecture.backward(L)
    assert len(topo) == 7 and topo[-1] is L
    a, b, c, d, e, f = nodes
    assert [d.grad, f.grad, c.grad, e.grad, a.grad, b.grad] == [-2, 4, -2, -2, 6, -4]
    ids = {str(id(n)) for n in topo}
    assert len(ids) == 7 and all(str(id(c)) in ids for n in topo for c in n._prev)


def test_settable_attributes():
    v = Value(1.0, label="x")
    v.data = 2
    v.grad = np.float64(0.5)
    v.label = "y"
    v._op = "mine"
    assert (v.data, v.grad, v.label, v._op) == (2.0, 0.5, "y", "mine")
    u = Value(3.0, (v,), "custom", label="u")
    assert u._prev == {v} and u._op == "custom" and u.label == "u"


# --- misuse ---------------------------------------------------------------------------

def test_misuse_is_a_clear_type_error():
    with pytest.raises(TypeError, match="str"):
        Value("a")
    with pytest.raises(TypeError, match="list"):
        Value([1.0])
    with pytest.raises(TypeError, match="int"):
        Value(1.0, (1, 2))
    with pytest.raises(TypeError):
        Value(1.0, 5)
    with pytest.raises(TypeError):
        Value(1.0) + "a"
    with pytest.raises(TypeError):
        "a" * Value(1.0)
    with pytest.raises(TypeError, match="str"):
        Value(1.0).data = "x"
    with pytest.raises(TypeError):
        Value(1.0)._backward = 3
    with pytest.raises(TypeError):
        Value(1.0) ** "x"


def test_values_shared_between_threads_are_safe():
    shared = Value(1.5)
    results, errors = [], []

    def work(k):
        try:
            for _ in range(2000):
                y = (shared * k + 1).relu() ** 2
                results.append(y.data == (1.5 * k + 1) ** 2)
            z = shared * float(k)
            z.backward()  # into the shared leaf's grad, under the interpreter lock
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 8000 and all(results)
    assert shared.grad == 1.0 + 2.0 + 3.0 + 4.0


# --- any depth ------------------------------------------------------------------------

def test_depth_one_million_backward_and_drop():
    gc.collect()
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0 and y.data == 0.5
    del y  # freeing 4 million nodes, iteratively
    gc.collect()
    assert x.grad == 1.0


def test_deep_chain_of_user_nodes_drops():
    v = Value(1.0)
    for _ in range(300_000):
        v = Value(v.data, (v,), "id")
    del v


# --- random programs against micrograd and finite differences --------------------------

def random_program(rng, V, leaves):
    xs = [V(x) for x in leaves]
    pool = list(xs)
    for _ in range(rng.randrange(1, 30)):
        kind = rng.randrange(9)
        a = rng.choice(pool)
        b = rng.choice(pool)
        k = rng.choice([2, -1.5, 0.5, 3])
        if kind == 0: y = a + b
        elif kind == 1: y = a * b
        elif kind == 2: y = a - b
        elif kind == 3: y = a + k
        elif kind == 4: y = k * a
        elif kind == 5: y = a.relu()
        elif kind == 6: y = a ** 2
        elif kind == 7: y = k - a
        else: y = a / (b * b + 1)
        pool.append(y)
    out = pool[-1]
    for p in pool[:-1]:
        out = out + p * 0.1
    return xs, out


@pytest.mark.parametrize("seed", range(60))
def test_random_programs_match_micrograd(seed):
    rng = random.Random(1000 + seed)
    leaves = [rng.uniform(-2, 2) for _ in range(4)]
    xs, y = random_program(random.Random(seed), Value, leaves)
    mxs, my = random_program(random.Random(seed), mg.Value, leaves)
    y.backward(); my.backward()
    assert y.data == my.data  # the same ops in the same order: the very same numbers
    for a, b in zip(xs, mxs):
        # micrograd visits parents in set order, so sums of grads may round differently
        assert a.grad == pytest.approx(b.grad, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_random_programs_match_finite_differences(seed):
    rng = random.Random(1000 + seed)
    leaves = [rng.uniform(-2, 2) for _ in range(4)]
    xs, y = random_program(random.Random(seed), Value, leaves)
    y.backward()
    h = 1e-6
    for i in range(len(leaves)):
        up = list(leaves); up[i] += h
        dn = list(leaves); dn[i] -= h
        fd = (random_program(random.Random(seed), Value, up)[1].data
              - random_program(random.Random(seed), Value, dn)[1].data) / (2 * h)
        assert xs[i].grad == pytest.approx(fd, rel=1e-4, abs=1e-4)


@pytest.mark.skipif(bool(os.environ.get("CHAINRULE_NO_SHORTCUTS")), reason="the shortcuts are off")
def test_the_fast_constructor_is_the_constructor():
    """Value(x) has its own vectorcall entry on CPython (src/fastnew.rs); every other form
    of call is handed to Value.__new__, so each gives what the constructor gives."""
    import sys

    import numpy as np

    from chainrule import _core

    if sys.implementation.name == "cpython":
        assert _core._fast_new is True
    for x in [2.0, -3, True, np.float64(1.5), np.int64(-4), np.float32(0.25), 10**20]:
        v = Value(x)
        assert type(v) is Value and v.data == float(x) and v.grad == 0.0
        assert v._prev == set() and v._op == "" and v.label == ""
    a = Value(1.0)
    forms = [
        ((2.0,), {"label": "b"}),
        ((), {"data": 3.0}),
        ((4.0, (a,), "cube"), {}),
        ((4.0, (a,)), {"_op": "sq", "label": "s"}),
        ((5.0, (), "", "five"), {}),
    ]
    for args, kwargs in forms:
        fast, slow = Value(*args, **kwargs), Value.__new__(Value, *args, **kwargs)
        assert (fast.data, fast._op, fast.label, fast._prev) == (slow.data, slow._op, slow.label, slow._prev)
    bad = [(("a",), {}), ((), {}), ((1, 2, 3, 4, 5), {}), ((1.0,), {"bogus": 1}), ((None,), {}),
           ((1.0, (1.0,)), {}), ((1.0,), {"label": 3})]
    for args, kwargs in bad:
        with pytest.raises(TypeError) as fast:
            Value(*args, **kwargs)
        with pytest.raises(TypeError) as slow:
            Value.__new__(Value, *args, **kwargs)
        assert str(fast.value) == str(slow.value)
