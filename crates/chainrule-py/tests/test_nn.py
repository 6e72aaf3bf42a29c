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


def test_fused_neuron_is_micrograds_neuron_bit_for_bit_on_random_inputs():
    """One native node per neuron: the value is micrograd's sum (bias first, left to right)
    and every grad micrograd's, exactly, for weights, bias and inputs."""
    import micrograd.engine as mge

    rng = random.Random(3)
    for trial in range(50):
        nin = rng.randint(1, 20)
        nonlin = rng.random() < 0.5
        seed = rng.randrange(10**6)
        random.seed(seed)
        ours = Neuron(nin, nonlin=nonlin)
        random.seed(seed)
        theirs = mgnn.Neuron(nin, nonlin=nonlin)
        ours.b.data = theirs.b.data = rng.uniform(-1, 1)
        xs = [rng.uniform(-3, 3) for _ in range(nin)]
        xo, xt = [Value(v) for v in xs], [mge.Value(v) for v in xs]
        yo, yt = ours(xo), theirs(xt)
        assert yo.data == yt.data, trial
        (yo * 3.0).backward()
        (yt * 3.0).backward()
        assert [p.grad for p in ours.parameters()] == [p.grad for p in theirs.parameters()]
        assert [v.grad for v in xo] == [v.grad for v in xt]


def test_fused_neuron_graph_holds_the_very_objects_and_zips_like_micrograd():
    random.seed(5)
    n = Neuron(3, nonlin=False)
    x = [Value(1.0), Value(2.0), Value(3.0), Value(4.0)]  # one more input than weights
    y = n(x)
    assert y._op == "+"
    assert y._prev == {n.b, *n.w, *x[:3]}
    assert y.data == ((n.b.data + n.w[0].data * 1.0) + n.w[1].data * 2.0) + n.w[2].data * 3.0
    r = Neuron(2)([0.5, -0.5])
    assert r._op == "ReLU" and len(r._prev) == 1


def test_fused_neuron_rejects_what_is_not_a_value_or_number():
    import pytest

    n = Neuron(2)
    with pytest.raises(TypeError, match="every input must be a Value or a number, not str"):
        n([1.0, "x"])
    n.w[0] = 0.5
    with pytest.raises(TypeError, match="every weight must be a Value, not float"):
        n([1.0, 2.0])


def test_show_your_work_on_a_fused_mlp():
    import chainrule

    random.seed(11)
    model = MLP(2, [3, 1])
    x = [Value(0.7, label="x0"), Value(-0.2, label="x1")]
    y = model(x)
    y.backward()
    assert chainrule.grad_check(y).passed
    # grad() through the neuron nodes agrees with backward(), and its result is a graph
    ps = model.parameters()
    ds = chainrule.grad(y, ps)
    assert [d.data for d in ds] == [p.grad for p in ps]
    # steps end with every grad known; the drawing shows each neuron as micrograd's nodes
    # (a * per weight, a + per sum), or with neurons='compact' as dot then b + dot
    steps = y.steps()
    assert len(steps) > 0
    n_values = chainrule.draw_dot(y)._repr_svg_().count('class="value')
    # values: 2 inputs, 9 + 4 parameters, per neuron of 2 (3) inputs 2 (3) products and
    # 2 (3) sums, 3 relus
    assert n_values == 2 + 13 + 3 * (2 + 2) + (3 + 3) + 3
    n_compact = chainrule.draw_dot(y, neurons="compact")._repr_svg_().count('class="value')
    # values: 2 inputs, 9 + 4 parameters, 4 neurons as (w·x, b + w·x), 3 relus
    assert n_compact == 2 + 13 + 4 * 2 + 3
