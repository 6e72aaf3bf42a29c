"""A neuron of chainrule.nn is one fused node, yet draw_dot, explain and steps show it as
micrograd does: a `*` node per weight and a `+` node per sum, with the same data and
grads. Compared record by record with micrograd's own draw_dot, as its trace_graph.ipynb
writes it (reproduced here without Graphviz: the records, op nodes and edges it makes)."""

import random
import re
from collections import Counter

import pytest
from micrograd import nn as mg_nn
from micrograd.engine import Value as MgValue

import chainrule
from chainrule import nn
from chainrule.engine import Value

# micrograd's draw_dot writes 'ReLU' where chainrule's op table writes 'relu'.
OP = {"ReLU": "relu"}


def micrograd_structure(root):
    """micrograd's trace + draw_dot (trace_graph.ipynb): value nodes as
    ``(record, op)`` and edges child -> parent, keyed by ``id``, as its DOT has them."""
    nodes, edges = set(), set()

    def build(v):  # trace(), with an explicit stack instead of recursion
        stack = [v]
        while stack:
            v = stack.pop()
            if v not in nodes:
                nodes.add(v)
                for child in v._prev:
                    edges.add((child, v))
                    stack.append(child)

    build(root)
    values = {str(id(n)): ("{ data %.4f | grad %.4f }" % (n.data, n.grad), OP.get(n._op, n._op)) for n in nodes}
    return values, [(str(id(a)), str(id(b))) for a, b in edges]


def chainrule_structure(drawing):
    """The same from chainrule's DOT: records (without the label field), op nodes, edges."""
    values, ops, edges = {}, {}, []
    for line in drawing.source.splitlines():
        line = line.strip()
        if m := re.fullmatch(r'(n\d+) \[label="\{ .*? \| (data \S+) \| (grad \S+) \}" shape=record\]', line):
            values[m.group(1)] = "{ %s | %s }" % (m.group(2), m.group(3))
        elif m := re.fullmatch(r'(n\d+)_op \[label="(.*)"\]', line):
            ops[m.group(1)] = m.group(2)
        elif m := re.fullmatch(r"(n\d+) -> (n\d+)_op", line):
            edges.append((m.group(1), m.group(2)))
    return {n: (rec, ops.get(n, "")) for n, rec in values.items()}, edges


def signatures(values, edges):
    """Each value node as (record, op, its children's signatures), so that two drawings
    compare node by node whatever their node names."""
    children = {}
    for a, b in edges:
        children.setdefault(b, []).append(a)
    memo = {}

    def sig(n):
        if n not in memo:
            memo[n] = (values[n], tuple(sorted(sig(c) for c in children.get(n, []))))
        return memo[n]

    return Counter(sig(n) for n in values)


def both(build):
    """``build(nn_module, Value)`` run on micrograd and on chainrule from the same seed."""
    random.seed(1337)
    mine = build(nn, Value)
    random.seed(1337)
    theirs = build(mg_nn, MgValue)
    mine.backward()
    theirs.backward()
    return mine, theirs


def trace_graph_neuron(nn_module, V):
    """trace_graph.ipynb's neuron: ``n = nn.Neuron(2); y = n([Value(1.0), Value(-2.0)])``."""
    n = nn_module.Neuron(2)
    return n([V(1.0), V(-2.0)])


def mlp_point(nn_module, V):
    """A 2-4-1 MLP on one point, the loss micrograd's demo takes of it."""
    model = nn_module.MLP(2, [4, 1])
    score = model([V(0.5), V(-1.5)])
    return (1 + -1 * score).relu()


@pytest.mark.parametrize("build", [trace_graph_neuron, mlp_point])
def test_a_neuron_is_drawn_as_micrographs_nodes(build):
    mine, theirs = both(build)
    mg_values, mg_edges = micrograd_structure(theirs)
    cr_values, cr_edges = chainrule_structure(chainrule.draw_dot(mine))
    assert sorted(rec for rec, _ in cr_values.values()) == sorted(rec for rec, _ in mg_values.values())
    assert Counter(op for _, op in cr_values.values()) == Counter(op for _, op in mg_values.values())
    assert len(cr_edges) == len(mg_edges)
    assert signatures(cr_values, cr_edges) == signatures(mg_values, mg_edges)
    # the drawing's numbers are micrograd's, at full precision too
    assert mine.data == theirs.data


def test_explain_and_steps_walk_micrographs_nodes():
    mine, theirs = both(trace_graph_neuron)
    count = len(micrograd_structure(theirs)[0])
    assert f"({count} nodes)" in mine.explain().text.splitlines()[0]
    assert len(mine.steps()) == count
    steps = mine.steps()
    # each step's grad is that of a micrograd node; the multiset of grads is micrograd's
    mg_grads = sorted(round(n.grad, 12) for n in _nodes(theirs))
    assert sorted(round(s.grad, 12) for s in steps) == mg_grads


def test_the_compact_form_is_an_option():
    mine, _ = both(trace_graph_neuron)
    values, edges = chainrule_structure(chainrule.draw_dot(mine, neurons="compact"))
    assert Counter(op for _, op in values.values()) == Counter({"": 5, "dot": 1, "+": 1, "relu": 1})
    assert "(8 nodes)" in mine.explain(neurons="compact").text.splitlines()[0]
    assert len(chainrule.steps(mine, neurons="compact")) == 8
    with pytest.raises(ValueError, match="neurons must be 'micrograd'"):
        chainrule.draw_dot(mine, neurons="fused")


def _nodes(root):
    seen, stack = set(), [root]
    while stack:
        v = stack.pop()
        if v not in seen:
            seen.add(v)
            stack.extend(v._prev)
    return seen
