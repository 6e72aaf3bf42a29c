#!/usr/bin/env python3
"""Writes notebooks/micrograd-demo.ipynb: micrograd's demo.ipynb (two moons, MLP(2, [16,
16, 1]), max-margin loss + L2, 100 steps of SGD) written in micrograd's API with only the
imports changed to chainrule's, its decision boundary drawn by chainrule.plot, and a few
cells of what chainrule adds. Run it again after editing the cells below; `--execute`
saves it with its outputs (needs chainrule, scikit-learn, nbclient and ipykernel
installed; the kernel runs in a temporary folder, so nothing is written beside it)."""

import os

from nbformat.v4 import new_code_cell as code
from nbformat.v4 import new_markdown_cell as md

from notebook_script import save

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "notebooks", "micrograd-demo.ipynb")

cells = [
md("""# micrograd's demo, on chainrule

micrograd's `demo.ipynb` trains a small neural network to tell two interleaved half-moons apart. This notebook is that demo, step for step, written in micrograd's API: only the imports are changed, from `micrograd` to `chainrule` (`pip install ./crates/chainrule-py`). It prints micrograd's numbers, to the last digit.

Where micrograd draws with matplotlib, chainrule draws itself: the decision boundary at the end is `chainrule.plot.decision_boundary`, rendered by chainrule's Rust library (no matplotlib, no Graphviz). The last cells show what chainrule adds: a drawing of one neuron, the chain rule written out, and a gradient check of the whole loss."""),
code("""import random
import numpy as np

from chainrule.engine import Value                  # micrograd: from micrograd.engine import Value
from chainrule.nn import Neuron, Layer, MLP          # micrograd: from micrograd.nn import Neuron, Layer, MLP
from chainrule.plot import decision_boundary, line  # in place of matplotlib"""),
md("""Both random number generators are seeded as micrograd seeds them: NumPy's makes the data set, Python's draws the network's initial weights. With the same seeds, chainrule's `MLP` starts from micrograd's exact weights."""),
code("""np.random.seed(1337)
random.seed(1337)"""),
md("""## The data

100 points in the plane, in two classes shaped like two half-moons, with a little noise (scikit-learn's `make_moons`). `make_moons` labels them 0 and 1; the loss below wants -1 and 1, so the labels are mapped."""),
code("""# make up a dataset
from sklearn.datasets import make_moons, make_blobs
X, y = make_moons(n_samples=100, noise=0.1)

y = y*2 - 1 # make y be -1 or 1"""),
md("""## The model

A multi-layer perceptron: 2 inputs (a point's x and y), two hidden layers of 16 ReLU neurons, and one linear output neuron. Its output is a *score*: above 0 means class 1, below 0 class -1. Each neuron has a weight per input and a bias, 337 parameters in all."""),
code("""# initialize a model 
model = MLP(2, [16, 16, 1]) # 2-layer neural network
print(model)
print("number of parameters", len(model.parameters()))"""),
md("""Where micrograd scatters the data with matplotlib, here is the data with the untrained model's answer under it: the colour is the score at each point of the plane (orange above 0, blue below), the black line is where it is 0. At its initial weights the model scores the whole plane below 0: it calls every point class -1, so half of them are wrong (crossed out), and there is no boundary yet."""),
code("""decision_boundary(lambda a, b: model([a, b]).data, X, y,
                  title="Before training: MLP(2, [16, 16, 1]) at its initial weights")"""),
md("""## The loss

How wrong the model is, as one number to push down:

- the *max-margin* (hinge) loss `relu(1 - y·score)` for each point: 0 when the point is on the right side of the line with a margin of at least 1, growing the further it is on the wrong side;
- their mean, plus a little *L2 regularisation*, `1e-4 · Σ p²` over the parameters, which keeps the weights small;
- and, to watch, the *accuracy*: the share of points whose score has the sign of their label.

`batch_size` picks a random batch of points instead of all 100 (micrograd's "inline DataLoader"); the training below uses them all."""),
code("""# loss function
def loss(batch_size=None):
    
    # inline DataLoader :)
    if batch_size is None:
        Xb, yb = X, y
    else:
        ri = np.random.permutation(X.shape[0])[:batch_size]
        Xb, yb = X[ri], y[ri]
    inputs = [list(map(Value, xrow)) for xrow in Xb]
    
    # forward the model to get scores
    scores = list(map(model, inputs))
    
    # svm "max-margin" loss
    losses = [(1 + -yi*scorei).relu() for yi, scorei in zip(yb, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    # L2 regularization
    alpha = 1e-4
    reg_loss = alpha * sum((p*p for p in model.parameters()))
    total_loss = data_loss + reg_loss
    
    # also get accuracy
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
    return total_loss, sum(accuracy) / len(accuracy)

total_loss, acc = loss()
print(total_loss, acc)"""),
md("""## Training

100 steps of gradient descent. Each step runs the model forward on all 100 points to get the loss, sets every parameter's grad to 0 (`zero_grad`: `backward` adds to grads), runs `backward` to get d loss / d parameter for all 337 parameters at once, and moves each parameter a little against its gradient. The step size (learning rate) shrinks from 1.0 to 0.1 over the run.

One line is added to micrograd's loop: `history.append(...)` keeps each step's loss for the plot further down."""),
code("""history = []  # not in micrograd's demo: the loss per step, for the plot below

# optimization
for k in range(100):
    
    # forward
    total_loss, acc = loss()
    
    # backward
    model.zero_grad()
    total_loss.backward()
    
    # update (sgd)
    learning_rate = 1.0 - 0.9*k/100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    
    history.append(total_loss.data)
    if k % 1 == 0:
        print(f"step {k} loss {total_loss.data}, accuracy {acc*100}%")"""),
md("""These are micrograd's numbers: micrograd's demo prints `step 0 loss 0.8958441028683222, accuracy 50.0%` and ends at `step 99 loss 0.010978370135492717, accuracy 100.0%`.

## The decision boundary

micrograd evaluates the model on a grid of points with NumPy and draws it with matplotlib's `contourf`. `decision_boundary` does both: it asks the score function for every cell of a 100 × 100 grid over the data (and at each data point), colours the cells by score, draws the line where the score is 0, and puts the points on top in their true class's colour, crossed out where the model gets them wrong. The legend counts those. The labels can be -1/1, as here, or 0/1."""),
code("""decision_boundary(lambda a, b: model([a, b]).data, X, y,
                  title="After 100 steps: MLP(2, [16, 16, 1])")"""),
md("""The object shows itself in the notebook; `.svg()` and `.png()` give the picture as text or bytes, and `.save("moons.png")` writes a file (nothing is written unless asked).

The loss per step, on a log scale: a jump at the first step, while the learning rate is at its largest, then down from about 1 to about 0.01."""),
code("""line(history, title="Training loss (max-margin + L2)", y_label="loss", log=True)"""),
md("""## What chainrule adds

Every Value here is chainrule's, so the library's show-your-work applies to the model as it is. Take the first data point and one neuron of the first layer (number 12, which fires on this point), label its parts, and run `backward` from its output (after `zero_grad`, so that the grads shown are this graph's alone). `draw_dot` draws the graph with no Graphviz installed, each value with its data and grad.

One thing differs from micrograd here, for speed: chainrule's neuron is one native node, `b + w0*x0 + w1*x1` added in micrograd's order (so the numbers are the same), where micrograd makes a node per multiply and add. The drawing shows it as a dot product `w·x`, then `+ b`, then the ReLU."""),
code("""from chainrule import draw_dot

x = list(map(Value, X[0]))
neuron = model.layers[0].neurons[12]
for i, (wi, xi) in enumerate(zip(neuron.w, x)):
    wi.label, xi.label = f"w{i}", f"x{i}"
neuron.b.label = "b"
out = neuron(x)
out.label = "out"
model.zero_grad()
out.backward()
draw_dot(out)"""),
md("""`explain()` writes out the chain rule for each value in that graph: how its grad is d out / d itself, from the output back to the inputs."""),
code("""out.explain()"""),
md("""`grad_check()` checks backprop against finite differences: each leaf is nudged by a tiny `h` both ways and the change in the output measured. Here it checks the loss of a random batch of 10 points, every one of the 337 parameters and the other leaves (the inputs and constants). The table has a row per leaf; here, just the verdicts and the worst disagreement."""),
code("""from collections import Counter

batch_loss, batch_acc = loss(batch_size=10)
check = batch_loss.grad_check()
print("passed:", check.passed)
print("leaves checked:", len(check.rows), Counter(r["verdict"] for r in check.rows))
print("largest relative error:", max(r["rel_err"] for r in check.rows))"""),
]

save(cells, OUT)
