#!/usr/bin/env python3
"""Writes notebooks/live.ipynb: the seed notebook's walk-through (manual backpropagation
of L = (a*b + c) * f) with chainrule's live view of the learner's own Values
(`chainrule.live`), then micrograd's demo trained while `chainrule.watch` shows it. Run
it again after editing the cells below; `--execute` saves it with its outputs (needs
chainrule[widget], nbclient and ipykernel installed)."""

import os

from nbformat.v4 import new_code_cell, new_markdown_cell

from notebook_script import GRAPH, save

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "notebooks", "live.ipynb")

cells = [
    new_markdown_cell(
        "# Manual backpropagation, live\n\n"
        "The seed notebook's walk-through, `L = (a*b + c) * f`, with chainrule's live view of "
        "your own Values: click a value for its chain rule and its gradient check, nudge a "
        "leaf and watch L move, step backward node by node (Next ▶), type a grad and have it "
        "checked. The view works on a copy of your graph: your Values change only when you "
        "press *Apply to my Values* (or call `view.apply()`).\n\n"
        "It needs `pip install chainrule[widget]` and a notebook that shows widgets "
        "(JupyterLab 4 or Notebook 7). Elsewhere (an HTML export, GitHub) each view shows as "
        "a drawing of the graph with its data and grads."
    ),
    new_code_cell("import chainrule\nfrom chainrule import Value"),
    new_markdown_cell("## The graph\n\nThe same values and labels as the seed notebook, and the live view of them."),
    new_code_cell(GRAPH + "\nview = chainrule.live(L)\nview"),
    new_markdown_cell(
        "## dL/dL, dL/df and dL/dd\n\n"
        "Nudging L by h moves L by h: dL/dL = 1. `L = d * f`, so dL/df = d = 4 and "
        "dL/dd = f = -2. The seed checks each by building the graph twice, the second time "
        "with the value moved by h; the view does it on its copy: select f, then *Nudge f by "
        "h*, or from Python:"
    ),
    new_code_cell("view.nudge(f, 0.00001)['finite_difference']"),
    new_markdown_cell(
        "The view nudges leaves (the values you set); d is made from e and c, so its "
        "derivative comes by the chain rule. The grads by hand, as the seed sets them, and "
        "chainrule's check of them:"
    ),
    new_code_cell("view.back()\nL.grad = 1.0\nf.grad = 4.0\nd.grad = -2.0\nL.check_hand_grads([L, d, f])"),
    new_markdown_cell(
        "## dL/dc and dL/de: the chain rule\n\n"
        "`d = c + e`: a `+` passes its grad on, so dL/dc = dL/de = -2. In the view, select c "
        "and type your dL/dc into its box; nudge c to see it:"
    ),
    new_code_cell("view.nudge(c, 0.00001)['finite_difference']"),
    new_code_cell("view.back()\nc.grad = -2.0\ne.grad = -2.0\nL.check_hand_grads([c, e])"),
    new_markdown_cell(
        "## dL/da and dL/db\n\n"
        "`e = a * b`: dL/da = dL/de · b = -2 · -3 = 6 and dL/db = dL/de · a = -2 · 2 = -4."
    ),
    new_code_cell("[view.nudge(x, 0.00001)['finite_difference'] for x in (a, b)]"),
    new_code_cell("view.back()\na.grad = 6.0\nb.grad = -4.0\nL.check_hand_grads([L, d, f, c, e, a, b]).all_right"),
    new_markdown_cell(
        "The view's grads are backward's, computed on its copy: the same as yours by hand "
        "(`view.grads` hands them back, `view.values` the data). In the view, *Next ▶* "
        "fills them in one step at a time, as you did."
    ),
    new_code_cell(
        "mine = {n.label: n.grad for n in (a, b, c, d, e, f, L)}\n"
        "views = {n.label: g for n, g in view.grads.items()}\n"
        "print(mine == views, views)"
    ),
    new_markdown_cell(
        "## A step toward a smaller L\n\n"
        "The seed moves every leaf a little along its grad, then builds the graph again to "
        "see L grow. Moving the leaves alone leaves e, d and L as they were: `view.update()` "
        "copies the graph again and says which values no longer follow from their operands."
    ),
    new_code_cell(
        "for leaf in (a, b, c, f):\n    leaf.data += 0.01 * leaf.grad\n"
        "view.update()\nview"
    ),
    new_markdown_cell(
        "A nudge in the view replays every value from the leaves, so L there is already the "
        "new one; building the graph again, as the seed does, gives the same:"
    ),
    new_code_cell(
        "replayed = view.nudge(a, 1e-9)['before']\nview.back()\n"
        "e = a*b; e.label='e'\nd = e + c; d.label='d'\nL = d*f; L.label='L'\n"
        "print(replayed, L.data)"
    ),
    new_markdown_cell(
        "## Training, watched\n\n"
        "micrograd's demo: two moons, `MLP(2, [16, 16, 1])`, the max-margin loss and L2, 100 "
        "steps of SGD, written out in Python. `chainrule.watch` shows the loss, the accuracy "
        "and the decision boundary as the loop runs (the loop reports each step with "
        "`w.step`)."
    ),
    new_code_cell(
        "import random\nfrom chainrule.nn import MLP\n\n"
        "X, y = chainrule.data.moons(100, noise=0.1, generator='sklearn')  # scikit-learn's moons\n"
        "random.seed(1337)\nmodel = MLP(2, [16, 16, 1])\n\n"
        "def loss():\n"
        "    inputs = [list(map(Value, xrow)) for xrow in X]\n"
        "    scores = list(map(model, inputs))\n"
        "    losses = [(1 + -yi*scorei).relu() for yi, scorei in zip(y, scores)]\n"
        "    data_loss = sum(losses) * (1.0 / len(losses))\n"
        "    reg_loss = 1e-4 * sum((p*p for p in model.parameters()))\n"
        "    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]\n"
        "    return data_loss + reg_loss, sum(accuracy) / len(accuracy)"
    ),
    new_code_cell(
        "w = chainrule.watch(X, y, steps=100)   # shows itself here, then moves as the loop runs\n"
        "for k in range(100):\n"
        "    total_loss, acc = loss()\n"
        "    model.zero_grad()\n"
        "    total_loss.backward()\n"
        "    learning_rate = 1.0 - 0.9*k/100\n"
        "    for p in model.parameters():\n"
        "        p.data -= learning_rate * p.grad\n"
        "    w.step(total_loss, acc, model)\n"
        "w.done()\n"
        "print(f'step 100: loss {total_loss.data:.6f}, accuracy {acc:.0%}')"
    ),
    new_markdown_cell(
        "The same in native code, thousands of times faster (20,000 steps in about two "
        "seconds): the native trainer reports to a watch too."
    ),
    new_code_cell(
        "native = chainrule.watch(X, y)\n"
        "native_model, history = chainrule.train(X, y, steps=20000, watch=native)\n"
        "print(f'{len(history)} steps: loss {history.loss[-1]:.6f}, accuracy {history.accuracy[-1]:.0%}')"
    ),
]

save(cells, OUT)
