"""Subclassing Value as the lecture's code does: the ops it writes as methods (tanh and
exp, each with its own _backward), its __init__, and the ops it inherits, which return
instances of the subclass so that its methods apply to them."""

import ctypes
import math
import os
import sys

import pytest

import lecture

from chainrule import _core
from chainrule.engine import Value


class Lecture(Value):
    """The lecture's tanh and exp, written as methods with their own _backward."""

    def tanh(self):
        x = self.data
        t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
        out = Lecture(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    def exp(self):
        x = self.data
        out = Lecture(math.exp(x), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out


def lecture_neuron(V, tanh_by_exp=False):
    """The lecture's neuron: o = tanh(x1*w1 + x2*w2 + b), labelled as the lecture does."""
    x1, x2 = V(2.0, label="x1"), V(0.0, label="x2")
    w1, w2 = V(-3.0, label="w1"), V(1.0, label="w2")
    b = V(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    if tanh_by_exp:
        e = (2 * n).exp()
        o = (e - 1) / (e + 1)
    else:
        o = n.tanh()
    o.label = "o"
    return o, (x1, x2, w1, w2, b)


@pytest.mark.parametrize("tanh_by_exp", [False, True])
def test_the_lectures_neuron_on_a_subclass(tanh_by_exp):
    o, (x1, x2, w1, w2, b) = lecture_neuron(Lecture, tanh_by_exp)
    assert type(o) is Lecture and o.data == pytest.approx(0.7071067811865476, abs=1e-12)
    o.backward()
    # The lecture's numbers: x1 -1.5, w1 1.0, x2 0.5, w2 0.0.
    grads = [v.grad for v in (x1, w1, x2, w2)]
    assert grads == pytest.approx([-1.5, 1.0, 0.5, 0.0], abs=1e-12)
    # The same as chainrule's own tanh and exp give.
    ref, leaves = lecture_neuron(Value, tanh_by_exp)
    ref.backward()
    assert [v.grad for v in leaves] == pytest.approx([v.grad for v in (x1, x2, w1, w2, b)], abs=1e-12)
    check = o.grad_check()
    assert check.passed and check.text.splitlines()[0].startswith("Gradient check passed")


def test_inherited_ops_return_the_subclass_and_use_its_methods():
    a, b = Lecture(2.0), Lecture(-3.0)
    for made in [a + b, a * b, a - b, a / b, -a, a**2, a + 1, 1 + a, 2 * a, 1 - a, 1 / a, a.relu(),
                 Value(1.0) + a, a * Value(2.0), Value(1.0) - a]:
        assert type(made) is Lecture
    # The number an op meets becomes a leaf of the subclass too, as micrograd's Value(other).
    assert all(type(p) is Lecture for p in (2 * a)._prev)
    # A method the subclass wrote applies to what the inherited ops return.
    t = (a * b + 7).tanh()
    assert t._op == "tanh" and t.data == pytest.approx(math.tanh(1.0))
    assert type(Value(1.0) + Value(2.0)) is Value


def test_subclass_init_runs_and_its_attributes_stay():
    made = []

    class Tagged(Value):
        def __init__(self, data, _children=(), _op="", label=""):
            super().__init__(data, _children, _op, label)
            self.tag = f"made from {len(_children)}"
            made.append(self)

    a, b = Tagged(2.0, label="a"), Tagged(3.0)
    c = a * b + 1
    assert (a.label, a.tag, c.tag, type(c)) == ("a", "made from 0", "made from 2", Tagged)
    assert len(made) == 5  # a, b, a*b, the leaf 1, and the sum
    c.backward()
    assert (a.grad, b.grad) == (3.0, 2.0)


def test_a_subclass_init_as_the_lecture_writes_it_keeps_backprop():
    class Rewritten(Value):
        def __init__(self, data, _children=(), _op="", label=""):
            super().__init__(data, _children, _op, label)
            self.grad = 0.0
            self._backward = lambda: None  # the lecture's default; each op assigns its own

    a, b = Rewritten(2.0), Rewritten(-3.0)
    L = (a * b + 10.0) * -2.0
    L.backward()
    assert (a.grad, b.grad, L.data) == (6.0, -4.0, -8.0)


def test_a_subclass_with_other_arguments():
    class Named(Value):
        def __init__(self, name, x):
            super().__init__(x, label=name)

    v = Named("v", 4.0)
    assert (type(v), v.data, v.label, v._prev) == (Named, 4.0, "v", set())
    with pytest.raises(TypeError, match=r"Named\(data, _children, _op\)") as e:
        v * 2
    assert isinstance(e.value.__cause__, TypeError)
    # Its own ops may make nodes with children through Value.__init__, older children only.
    w = Named("w", 1.0)

    class Mine(Value):
        def __init__(self, x, kids):
            super().__init__(x, kids, "mine")

    m = Mine(5.0, [v, w])
    assert m._prev == {v, w} and m._op == "mine"
    with pytest.raises(TypeError, match="children are fixed"):
        m.__init__(5.0, [w])
    with pytest.raises(TypeError, match="children are fixed"):
        Value.__init__(v, 1.0, (m,))  # m is younger than v: it would break creation order


def test_a_subclass_without_init_reports_bad_arguments_as_value_does():
    with pytest.raises(TypeError) as sub:
        Lecture("x")
    with pytest.raises(TypeError) as plain:
        Value("x")
    assert str(sub.value) == str(plain.value)


def test_the_lectures_own_backward_on_a_subclass():
    class OwnBackward(Lecture):
        def backward(self):
            lecture.backward(self)  # the lecture's build_topo and _backward() calls

    o, (x1, x2, w1, w2, b) = lecture_neuron(OwnBackward)
    o.backward()
    assert [v.grad for v in (x1, w1, x2, w2)] == pytest.approx([-1.5, 1.0, 0.5, 0.0], abs=1e-12)


def test_a_subclass_overriding_an_operator():
    class Logged(Value):
        calls = []

        def __add__(self, other):
            Logged.calls.append("add")
            return super().__add__(other)

    a = Logged(1.0)
    s = a + 2.0
    assert Logged.calls == ["add"] and type(s) is Logged and s.data == 3.0


def test_a_wrong_backward_in_a_subclass_is_caught():
    class Wrong(Value):
        def cube(self):
            out = Wrong(self.data**3, (self,), "cube")

            def _backward():
                self.grad = 3 * self.data**2 * out.grad  # the lecture's bug: = for +=

            out._backward = _backward
            return out

    x = Wrong(2.0, label="x")
    y = x.cube() + x.cube()
    check = y.grad_check()
    assert not check.passed
    assert check.text.splitlines()[0].startswith("Gradient check FAILED")


@pytest.mark.skipif(bool(os.environ.get("CHAINRULE_NO_SHORTCUTS")), reason="the shortcuts are off")
@pytest.mark.skipif(sys.implementation.name != "cpython", reason="CPython's type layout")
def test_the_fast_constructor_steps_aside_for_subclasses():
    """Value's own vectorcall entry makes plain leaves; were a subclass to inherit it (CPython
    does not copy it today), the call would still be the subclass's: __new__, then __init__."""
    assert _core._fast_new is True
    seen = []

    class Sub(Value):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            seen.append(self)

    offset = ctypes.c_ssize_t.from_address(id(type) + 7 * ctypes.sizeof(ctypes.c_void_p)).value
    value_slot = ctypes.c_void_p.from_address(id(Value) + offset)
    sub_slot = ctypes.c_void_p.from_address(id(Sub) + offset)
    assert value_slot.value and not sub_slot.value
    sub_slot.value = value_slot.value  # as if inherited
    try:
        for args, kwargs in [((2.0,), {}), ((3.0, (), "", "s"), {}), ((4.0,), {"label": "t"})]:
            v = Sub(*args, **kwargs)
            assert type(v) is Sub and seen[-1] is v and v.data == args[0]
        with pytest.raises(TypeError, match="str"):
            Sub("x")
    finally:
        sub_slot.value = None
