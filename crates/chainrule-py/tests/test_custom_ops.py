"""Ops of the user's own (``Value(out, (x,), 'cube')`` with a ``_backward``, as the lecture
writes new ops) in explain, grad_check and the drawing: a name chainrule knows is checked
by its rule, any other op is taken as the line its own _backward gives, and the user's
closures are compared with the chain rule."""

import math
import random

import chainrule
from chainrule.engine import Value


def lecture_tanh(x, bug=False):
    """The lecture's tanh, written by hand; with ``bug`` the classic ``=`` for ``+=``."""
    e = math.exp(2 * x.data)
    t = (e - 1) / (e + 1)
    out = Value(t, (x,), "tanh")

    def _backward():
        if bug:
            x.grad = (1 - t**2) * out.grad
        else:
            x.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out


def cube(x, factor=3.0):
    """An op chainrule has no rule for; ``factor`` other than 3 is a wrong derivative."""
    out = Value(x.data**3, (x,), "cube")

    def _backward():
        x.grad += factor * x.data**2 * out.grad

    out._backward = _backward
    return out


def test_a_known_name_is_checked_by_its_rule_and_explained():
    a, b = Value(0.8, label="a"), Value(-0.4, label="b")
    n = lecture_tanh(a * b + a)
    n.label = "n"
    L = n * a
    check = L.grad_check()
    assert check.passed and not check.assumed
    assert "give the chain rule's grads for every leaf" in check.text
    assert "n = tanh(v3)" in L.explain().text
    assert all(r["verdict"] == "ok" for r in check.rows)


def test_the_lectures_equals_for_plus_equals_bug_is_caught():
    x = Value(0.3, label="x")
    t = lecture_tanh(x, bug=True)
    y = t * t + lecture_tanh(x, bug=True)  # x reached twice: '=' drops a contribution
    check = y.grad_check()
    assert not check.passed and not bool(check)
    (row,) = check.rows
    assert row["verdict"] == "WRONG" and "your backward() gives" in row["note"]
    # The report says so first: the table's own count (finite differences agree with the
    # chain rule) must not read as a pass.
    first = check.text.splitlines()[0]
    assert first == "Gradient check FAILED: 1 checked: 0 ok, 1 wrong", first
    assert check.markdown.startswith("**Gradient check FAILED: 1 checked: 0 ok, 1 wrong**")
    assert "1 checked: 1 ok" not in check.text
    exact = 2 * math.tanh(0.3) * (1 - math.tanh(0.3) ** 2) + (1 - math.tanh(0.3) ** 2)
    assert abs(row["analytic"] - exact) < 1e-12
    assert abs(check.yours[x] - exact) > 0.1
    assert "disagree with the chain rule" in check.text
    # the Values' own grads are untouched by the check
    assert x.grad == 0.0


def test_an_unknown_op_is_taken_as_its_backwards_line_and_said_so():
    rng = random.Random(2)
    for _ in range(20):
        a = Value(rng.uniform(-1, 1), label="a")
        b = Value(rng.uniform(-1, 1), label="b")
        c = cube(a * b + a)
        L = c * a + b
        check = L.grad_check()
        # with its own (right) derivative taken as given, the rest of the graph checks out
        assert check.passed
        assert [op for _, op in check.assumed] == ["cube"]
        assert "taken as given (cube)" in check.text
        # and explain shows the op by its name with the derivative it was given
        text = L.explain().text
        assert "cube = v" in text or "cube =" in text
        assert "∂cube/∂" in text
        # backward through the copy equals backward() through the user's closure
        L.backward()
        assert check.rows[0]["analytic"] == a.grad or abs(check.rows[0]["analytic"] - a.grad) < 1e-12


def test_a_wrong_derivative_in_an_unknown_op_cannot_be_seen_but_is_said_to_be_assumed():
    x = Value(0.5, label="x")
    y = cube(x, factor=5.0) * 2.0  # a wrong rule
    check = y.grad_check()
    # the check follows the user's rule (it cannot re-run 'cube'), and says so
    assert check.passed
    assert check.assumed and "cannot re-run their forward" in check.text


def test_an_op_without_backward_passes_nothing_back_as_in_micrograd():
    x = Value(2.0, label="x")
    n = Value(x.data * 10, (x,), "mystery")
    y = n * 3.0
    y.backward()
    assert x.grad == 0.0  # micrograd's default _backward does nothing
    check = y.grad_check()
    assert not check.assumed
    # the copy treats it as a leaf: explained as one, and checked (its own grad is 3)
    rows = {r["name"]: r for r in check.rows}
    assert "x" not in rows and rows["mystery"]["analytic"] == 3.0


def test_a_user_op_draws_and_steps():
    x = Value(0.5, label="x")
    y = cube(x) * 2.0
    y.backward()
    svg = chainrule.draw_dot(y)._repr_svg_()
    assert "cube" in svg
    steps = y.steps()
    assert steps[-1].grad == x.grad
    assert y.first_non_finite() is None


def test_a_backward_that_walks_graphs_itself_does_not_confuse_the_copy():
    """A user's _backward may call chainrule's own tools (which walk graphs and renumber
    nodes) while explain/grad_check read its derivative: the copy stays right."""
    seen = []

    def noisy_cube(x):
        out = Value(x.data**3, (x,), "noisy")

        def _backward():
            other = Value(1.5) * Value(2.0) + x  # walks a graph that shares x
            seen.append(other.explain().text.count("(leaf)"))
            x.grad += 3 * x.data**2 * out.grad

        out._backward = _backward
        return out

    c = Value(3.0, label="c")  # first in the outer graph, absent from the inner one
    a, b = Value(0.7, label="a"), Value(-1.2, label="b")
    L = noisy_cube(a * b) * b + a * c
    check = L.grad_check()
    assert check.passed and seen
    L.backward()
    rows = {r["name"]: r for r in check.rows}
    assert [rows[n]["analytic"] for n in "abc"] == [a.grad, b.grad, c.grad]
    ds = chainrule.grad(L, [a, b, c])
    assert [d.data for d in ds] == [a.grad, b.grad, c.grad]
