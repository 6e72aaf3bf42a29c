"""micrograd's demo (demo.ipynb), as micrograd writes it, for any Value/MLP: moons with
``make_moons(n_samples=100, noise=0.1)`` after seeding numpy and random with 1337,
MLP(2, [16, 16, 1]), max-margin loss + 1e-4 L2, SGD with a decaying rate."""

import random

import numpy as np
from sklearn.datasets import make_moons


def demo(Value, MLP, steps=100, on_step=None):
    import gc

    gc.collect()  # cycles left by earlier tests (user _backward closures) go first
    np.random.seed(1337)
    random.seed(1337)
    X, y = make_moons(n_samples=100, noise=0.1)
    y = y * 2 - 1
    model = MLP(2, [16, 16, 1])

    def loss():
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum((p * p for p in model.parameters()))
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    out = []
    for k in range(steps):
        total_loss, acc = loss()
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        out.append((float(total_loss.data), float(acc)))
        if on_step:
            on_step(k, model)
    return out, model
