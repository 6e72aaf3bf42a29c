"""micrograd's ``micrograd.nn``, line for line, on chainrule's ``Value``.

Weights come from Python's ``random.uniform(-1, 1)``, neuron by neuron, in micrograd's
order, and a neuron sums ``b + w0*x0 + w1*x1 + ...`` left to right as micrograd does: after
``random.seed(1337)``, ``MLP(2, [16, 16, 1])`` has micrograd's exact weights and micrograd's
demo prints micrograd's losses.

One difference, for speed: a neuron's sum is one native node (``_op`` ``'+'``, ``_prev``
its bias, weights and inputs), where micrograd makes a node per multiply and add. Its value
is added in micrograd's order (bias first), so the numbers are the same; the graph has
about a tenth of the nodes, and a call of a neuron crosses into Rust once. Drawings,
explanations and steps still show micrograd's nodes (a ``*`` per weight, a ``+`` per sum,
with their data and grads); ``draw_dot(y, neurons='compact')`` shows the fused node as one
``dot`` node, then ``+ b``.
"""

import random

from chainrule._core import neuron as _neuron
from chainrule.engine import Value

__all__ = ["Module", "Neuron", "Layer", "MLP"]


class Module:
    """Something with parameters: ``zero_grad()`` sets each parameter's grad to 0."""

    def zero_grad(self):
        """Sets the grad of every parameter to 0 (call it before each ``backward()``)."""
        for p in self.parameters():
            p.grad = 0

    def parameters(self):
        """The list of this module's parameters (Values)."""
        return []


class Neuron(Module):
    """``nin`` weights drawn from ``random.uniform(-1, 1)`` and a bias 0; calling it on
    ``nin`` inputs gives ``relu(b + sum(w_i * x_i))`` (no relu when ``nonlin=False``)."""

    def __init__(self, nin, nonlin=True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin

    def __call__(self, x):
        # micrograd: act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b), fused.
        return _neuron(self.w, self.b, x, self.nonlin)

    def parameters(self):
        """The weights, then the bias."""
        return self.w + [self.b]

    def __repr__(self):
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons of ``nin`` inputs each; calling it gives their outputs (a single
    Value when ``nout == 1``)."""

    def __init__(self, nin, nout, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        """Every neuron's parameters, neuron by neuron."""
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self):
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])`` has two relu layers of 16 and a
    linear output."""

    def __init__(self, nin, nouts):
        sz = [nin] + nouts
        self.layers = [
            Layer(sz[i], sz[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        """Every layer's parameters, layer by layer."""
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
