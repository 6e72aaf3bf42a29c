#!/usr/bin/env python3
"""Writes notebooks/manual-backprop.ipynb: the seed notebook's walk-through (manual
backpropagation of L = (a*b + c) * f) on chainrule's Python package, step by step, with
chainrule's own answer after each hand step. Run it again after editing the cells below; `--execute` saves it with its outputs (needs
chainrule, nbclient and ipykernel installed)."""

import os

from nbformat.v4 import new_code_cell, new_markdown_cell

from notebook_script import GRAPH, save

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "notebooks", "manual-backprop.ipynb")


def nudge(name, h, how):
    """A finite-difference cell in the seed's style: build the graph twice, the second
    time with one value nudged by h, and print (L2 - L1) / h."""
    body = GRAPH.replace("\n", "\n    ")
    second = GRAPH
    if how == "data":
        second = second.replace(f"{name} = Value(", f"{name} = Value(", 1)
        lines = second.split("\n")
        out = []
        for line in lines:
            out.append(line)
            if line.startswith(f"{name} = ") or line.startswith(f"{name}="):
                out.append(f"{name}.data += h")
        second = "\n".join(out)
    second = second.replace("\n", "\n    ")
    extra = "\n    L2 = L.data" if how != "L" else "\n    L2 = L.data + h"
    return new_code_cell(
        f"""# d L / d {name}, estimated: nudge {name} by h and see how much L moves
def lol():
    h = {h}
    {body}
    L1 = L.data
    {second}{extra}
    print((L2 - L1) / h)
lol()"""
    )


cells = [
    new_markdown_cell(
        "# Manual backpropagation, on chainrule\n\n"
        "The seed notebook's walk-through, step by step: the graph `L = (a*b + c) * f`, its "
        "derivatives estimated by nudging each value, the grads filled in by hand with the "
        "chain rule, and the picture after each step. After each hand step, a cell shows "
        "chainrule's own answer: whether the grads set by hand are right, and why.\n\n"
        "`Value` here is chainrule's (`pip install ./crates/chainrule-py`), a drop-in for "
        "micrograd's; `draw_dot` is chainrule's too, so no Graphviz is needed."
    ),
    new_code_cell("from chainrule import Value, draw_dot"),
    new_markdown_cell("## The graph\n\nThe same values and labels as the seed notebook."),
    new_code_cell(GRAPH + "\nL"),
    new_code_cell("draw_dot(L)"),
    new_markdown_cell(
        "## dL/dL\n\nNudging L itself by h moves L by h: the derivative is 1."
    ),
    nudge("L", 0.001, "L"),
    new_code_cell("L.grad = 1.0\ndraw_dot(L)"),
    new_markdown_cell(
        "## dL/dd and dL/df\n\n`L = d * f`, so `dL/dd = f = -2` and `dL/df = d = 4`. "
        "Checked by nudging:"
    ),
    nudge("d", 0.001, "data"),
    nudge("f", 0.00001, "data"),
    new_code_cell("f.grad = 4.0\nd.grad = -2.0\ndraw_dot(L)"),
    new_markdown_cell("chainrule's answer: are the grads set so far right?"),
    new_code_cell("L.check_hand_grads([L, d, f])"),
    new_markdown_cell(
        "## dL/dc and dL/de: the chain rule\n\n`d = c + e`, so `dd/dc = dd/de = 1`, and "
        "`dL/dc = dL/dd · dd/dc = -2 · 1 = -2` (the same for e): a `+` passes its grad on "
        "unchanged."
    ),
    nudge("c", 0.00001, "data"),
    nudge("e", 0.00001, "data"),
    new_code_cell("c.grad = -2.0\ne.grad = -2.0\ndraw_dot(L)"),
    new_code_cell("L.check_hand_grads([c, e])"),
    new_markdown_cell(
        "## dL/da and dL/db\n\n`e = a * b`, so `de/da = b` and `de/db = a`: "
        "`dL/da = dL/de · de/da = -2 · -3 = 6`, `dL/db = -2 · 2 = -4`."
    ),
    nudge("a", 0.00001, "data"),
    nudge("b", 0.00001, "data"),
    new_code_cell("a.grad = 6.0\nb.grad = -4.0\ndraw_dot(L)"),
    new_markdown_cell(
        "## chainrule's answer\n\nEvery grad set by hand, checked against the chain rule, "
        "and the chain rule written out for every node, as above by hand."
    ),
    new_code_cell("checks = L.check_hand_grads([L, d, f, c, e, a, b])\nprint(checks.all_right)\nchecks"),
    new_code_cell("L.explain()"),
    new_code_cell("L.grad_check()"),
    new_markdown_cell(
        "## The same, by backward\n\nFrom fresh zero grads, `L.backward()` computes what we "
        "did by hand, in one pass."
    ),
    new_code_cell(
        "for n in (L, d, f, c, e, a, b):\n    n.grad = 0.0\nL.backward()\n"
        "print([n.grad for n in (L, d, f, c, e, a, b)])\ndraw_dot(L)"
    ),
]

save(cells, OUT)
