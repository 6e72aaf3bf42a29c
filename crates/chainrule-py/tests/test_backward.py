"""_backward: every node has one (one chain-rule step, as the lecture calls by hand), a
user may assign their own, and the cycles such closures make are collected."""

import gc
import weakref

import pytest

from chainrule.engine import Value


def test_native_backward_by_hand_one_step_at_a_time():
    a, b = Value(2.0), Value(-3.0)
    e = a * b
    c = Value(10.0)
    d = e + c
    d.grad = 1.0
    d._backward()
    assert (e.grad, c.grad, a.grad) == (1.0, 1.0, 0.0)
    e._backward()
    assert (a.grad, b.grad) == (-3.0, 2.0)
    a._backward()  # a leaf: nothing to do, as micrograd's lambda: None
    assert (a.grad, b.grad) == (-3.0, 2.0)
    assert callable(Value(1.0)._backward)


def cube(x):
    """A new op written as the lecture writes one: a closure for the local derivative."""
    out = Value(x.data**3, (x,), "cube")

    def _backward():
        x.grad += 3 * x.data**2 * out.grad

    out._backward = _backward
    return out


def test_user_written_op_with_its_own_backward():
    x = Value(1.5)
    y = cube(x) * 2 + x
    assert y.data == 2 * 1.5**3 + 1.5
    y.backward()
    assert x.grad == 6 * 1.5**2 + 1
    n = cube(x)
    assert n._op == "cube" and n._prev == {x}
    assert n._backward.__name__ == "_backward"


def test_user_backward_replaces_the_native_one():
    x = Value(2.0)
    y = x * x
    calls = []

    def mine():
        calls.append(1)
        x.grad += 100.0

    y._backward = mine
    y.backward()
    assert calls == [1] and x.grad == 100.0


def test_a_user_node_without_backward_passes_nothing_like_micrograd():
    x = Value(2.0)
    y = Value(5.0, (x,), "mystery")
    y.backward()
    assert (y.grad, x.grad) == (1.0, 0.0)


def test_graphs_are_freed_by_reference_counting():
    x = Value(1.0)
    y = (x * 2 + 1).relu()
    r = weakref.ref(y)
    del y
    assert r() is None  # no garbage collector needed: no cycles


def test_cycles_through_user_backward_are_collected():
    gc.collect()
    refs = []
    for _ in range(100):
        x = Value(0.5)
        y = cube(x)  # y -> closure -> y: a cycle, as in every micrograd node
        y.backward()
        refs.append(weakref.ref(y))
        refs.append(weakref.ref(x))
        del x, y
    gc.collect()
    assert all(r() is None for r in refs)


def test_backward_errors_propagate():
    x = Value(1.0)
    y = x + 1

    def broken():
        raise ValueError("boom")

    y._backward = broken
    with pytest.raises(ValueError, match="boom"):
        y.backward()


def test_a_closure_that_refers_to_a_later_parent_is_collected():
    gc.collect()
    refs = []
    for _ in range(50):
        x = Value(1.0)
        y = x * 2
        holder = {}

        def _backward():
            x.grad += holder["parent"].grad  # refers to a node made later

        y._backward = _backward
        z = y + 1  # z -> y -> closure -> holder -> z: a cycle through a parent
        holder["parent"] = z
        refs += [weakref.ref(z), weakref.ref(y)]
        del x, y, z, holder, _backward
    gc.collect()
    assert all(r() is None for r in refs)
