"""chainrule.nn is micrograd.nn: the same weights after random.seed, and micrograd's demo
gives micrograd's losses at every step."""

import json
import os
import random

import micrograd.nn as mgnn
from chainrule.engine import Value
from chainrule.nn import MLP, Layer, Module, Neuron

import demo_loop

HERE = os.path.dirname(__file__)


def test_same_weights_as_micrograd_after_seed():
    random.seed(1337)
    ours = MLP(2, [16, 16, 1])
    random.seed(1337)
    theirs = mgnn.MLP(2, [16, 16, 1])
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    assert len(ours.parameters()) == 337
    assert repr(ours) == repr(theirs)
    assert isinstance(ours.layers[0], Layer) and isinstance(ours.layers[0].neurons[0], Neuron)
    assert isinstance(ours, Module)


def test_neuron_sums_bias_first_like_micrograd():
    random.seed(7)
    n = Neuron(3, nonlin=False)
    random.seed(7)
    m = mgnn.Neuron(3, nonlin=False)
    x = [0.1, -0.7, 0.3]
    assert n(x).data == m(x).data
    y = n(x)
    y.backward()
    assert [p.grad for p in n.parameters()] == x + [1.0]


def test_zero_grad():
    model = MLP(2, [3, 1])
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())


def test_demo_gives_micrograds_losses_at_every_step():
    with open(os.path.join(HERE, "data", "micrograd_demo.json")) as f:
        recorded = json.load(f)
    curve, _ = demo_loop.demo(Value, MLP)
    losses = [l for l, _ in curve]
    # the numbers micrograd's demo notebook prints
    assert abs(losses[0] - 0.8958441028683222) < 1e-9
    assert abs(losses[99] - 0.010978370135492717) < 1e-9
    assert curve[99][1] == 1.0
    # and every step of real micrograd's run (recorded by tests/demo_loop.py)
    for k, (ours, theirs) in enumerate(zip(losses, recorded["loss"])):
        assert abs(ours - theirs) < 1e-9, (k, ours, theirs)
    assert [a for _, a in curve] == recorded["accuracy"]
