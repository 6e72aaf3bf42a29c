"""copy.copy, copy.deepcopy and pickle for Value graphs and nn modules, as learners use
them with micrograd's plain classes: the graph's sharing kept (a value used twice stays
one object, also across Values copied or pickled together), each node's class and
attributes kept, and no recursion at any depth."""

import copy
import functools
import math
import pickle
import random
import sys

import pytest

import chainrule
from chainrule.engine import Value
from chainrule.nn import MLP, Neuron


class Tagged(Value):
    """A subclass with an attribute of its own (module level, so that pickle finds it)."""

    def __init__(self, data, _children=(), _op="", label=""):
        super().__init__(data, _children, _op, label)
        self.tag = f"{_op or 'leaf'} {label}".strip()


def nodes(root):
    """Every node `root` depends on, by a walk without recursion."""
    seen, stack = {}, [root]
    while stack:
        v = stack.pop()
        if id(v) not in seen:
            seen[id(v)] = v
            stack.extend(v._prev)
    return list(seen.values())


def same_graph(a, b):
    """Two graphs alike node for node (data, grad, _op, label, class), each node of b a
    new object, and b sharing exactly where a does. Returns the pairs (node of a, of b)."""
    na, nb = nodes(a), nodes(b)
    assert len(na) == len(nb)
    assert not {id(x) for x in na} & {id(x) for x in nb}
    pairs = {id(a): b}
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        assert (type(x), x.data, x.grad, x._op, x.label) == (type(y), y.data, y.grad, y._op, y.label)
        kx, ky = sorted(x._prev, key=lambda v: v.data), sorted(y._prev, key=lambda v: v.data)
        for cx, cy in zip(kx, ky):
            if id(cx) in pairs:
                assert pairs[id(cx)] is cy  # shared in a, the same object in b
            else:
                pairs[id(cx)] = cy
                stack.append((cx, cy))
    originals = {id(n): n for n in na}
    return [(originals[k], y) for k, y in pairs.items()]


ROUND_TRIPS = [copy.deepcopy, lambda v: pickle.loads(pickle.dumps(v)),
               lambda v: pickle.loads(pickle.dumps(v, protocol=2))]


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
def test_a_graph_round_trips_with_its_numbers_names_and_sharing(round_trip):
    L, v = chainrule.notebook_graph()
    x = Value(0.7, label="x")
    y = (x * x + x) ** 2 / (x.relu() + x.tanh() - 3)  # x used four times
    out = (L + y).sigmoid()
    out.backward()
    before = {id(n): n.grad for n in nodes(out)}
    copied = round_trip(out)
    pairs = same_graph(out, copied)
    assert len(pairs) == len(nodes(out)) == 20
    # the copy backpropagates natively, on its own grads
    for n in nodes(copied):
        n.grad = 0.0
    copied.backward()
    assert [y.grad for _, y in pairs] == [x.grad for x, _ in pairs]
    assert {id(n): n.grad for n in nodes(out)} == before  # the original is untouched
    assert copied.grad_check().passed


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
def test_values_copied_together_share_their_nodes(round_trip):
    _, v = chainrule.notebook_graph()
    c = round_trip(v)  # all seven values: e inside d inside L
    assert c["L"]._prev == {c["d"], c["f"]} and c["e"] in c["d"]._prev and c["a"] in c["e"]._prev
    assert len({id(n) for n in nodes(c["L"])} | {id(n) for n in c.values()}) == 7
    for order in (["e", "L"], ["L", "e"]):  # an inner value before or after the outer one
        first, second = round_trip([v[k] for k in order])
        inner, outer = (first, second) if order[0] == "e" else (second, first)
        assert any(n is inner for n in nodes(outer))


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
def test_the_subclass_and_its_attributes_are_kept(round_trip):
    a, b = Tagged(2.0, label="a"), Tagged(-3.0, label="b")
    c = a * b + a
    c.note = "mine"
    copied = round_trip(c)
    same_graph(c, copied)
    assert type(copied) is Tagged and copied.note == "mine" and copied.tag == "+"
    leaves = {n.label: n for n in nodes(copied) if not n._prev}
    assert leaves["a"].tag == "leaf a" and type(leaves["b"]) is Tagged


def test_nn_modules_deep_copy_and_pickle():
    random.seed(3)
    model = MLP(2, [4, 1])
    model.layers[0].neurons[1].w[0] = model.layers[0].neurons[0].w[0]  # a shared weight
    for copied in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        ps, qs = model.parameters(), copied.parameters()
        assert [p.data for p in ps] == [q.data for q in qs]
        assert not {id(p) for p in ps} & {id(q) for q in qs}
        assert copied.layers[0].neurons[1].w[0] is copied.layers[0].neurons[0].w[0]
        assert repr(copied) == repr(model)
        # the copy trains alone
        x = [Value(0.5), Value(-1.0)]
        loss = (1 - copied(x)).relu() + sum(q * q for q in qs)
        loss.backward()
        for q in qs:
            q.data -= 0.1 * q.grad
        assert [p.grad for p in ps] == [0.0] * len(ps)
        assert [p.data for p in ps] != [q.data for q in qs]
    n = Neuron(3)
    assert [w.data for w in pickle.loads(pickle.dumps(n)).w] == [w.data for w in n.w]


def test_a_neuron_node_and_constant_ops_keep_their_rule():
    random.seed(4)
    model = MLP(2, [3, 1])
    y = model([Value(0.3), Value(-0.8)]) ** 2 * 0.5
    y.backward()
    for copied in (copy.deepcopy(y), pickle.loads(pickle.dumps(y))):
        assert copied._op == "*" and {n._op for n in nodes(copied)} >= {"**2", "ReLU", "+"}
        for n in nodes(copied):
            n.grad = 0.0
        copied.backward()
        got = sorted(n.grad for n in nodes(copied))
        assert got == pytest.approx(sorted(n.grad for n in nodes(y)), rel=1e-15)


def test_a_user_backward_is_kept():
    x = Value(0.4, label="x")
    out = Value(math.tanh(x.data), (x,), "tanh")

    def _backward():
        x.grad += (1 - out.data**2) * out.grad

    out._backward = _backward
    copied = copy.deepcopy(out)
    assert copied._backward is _backward  # shared, not copied: it refers to x and out
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        pickle.dumps(out)  # a closure cannot be pickled, as for micrograd
    # a picklable _backward is pickled with the node
    y = Value(3.0, (x,), "mine")
    y._backward = functools.partial(print, "backward")
    loaded = pickle.loads(pickle.dumps(y))
    assert loaded._backward.args == ("backward",) and loaded._op == "mine"


def test_copy_copy_shares_the_children():
    a, b = Value(1.0), Value(2.0)
    c = a + b
    c.label = "c"
    d = copy.copy(c)
    assert d is not c and d._prev == {a, b} and (d.data, d.label, d._op) == (3.0, "c", "+")
    t = Tagged(1.0, label="t")
    u = copy.copy(t)
    assert type(u) is Tagged and u.tag == "leaf t"


def test_a_million_deep_graph_round_trips_without_recursion():
    assert sys.getrecursionlimit() <= 10_000
    x = Value(0.5, label="x")
    y = x
    for _ in range(500_000):  # 1,000,001 values
        y = y + 1.0
    for copied in (copy.deepcopy(y), pickle.loads(pickle.dumps(y, protocol=pickle.HIGHEST_PROTOCOL))):
        assert copied.data == y.data
        copied.backward()
        leaf = copied
        while leaf._prev:
            leaf = max(leaf._prev, key=lambda v: v.label == "x" or len(v._prev))
        assert leaf.label == "x" and leaf.grad == 1.0
        del copied, leaf


def test_a_damaged_pickle_is_a_clear_error():
    v = Value(2.0) * 3.0
    data = pickle.dumps(v, protocol=2)
    from chainrule import _core

    table, _ = v.__reduce__()[1]
    structure = table.__reduce__()[1][0]
    for key, bad in [("format", 99), ("kids", b"\x05" + b"\x00" * 15), ("kinds", ["py:leaf", "nope", "mul"])]:
        damaged = dict(structure, **{key: bad})
        with pytest.raises(ValueError, match="chainrule"):
            _core._graph_from_structure(damaged)
    assert pickle.loads(data).data == 6.0
