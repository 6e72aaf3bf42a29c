"""chainrule for Python: micrograd's ``Value`` and ``nn`` on chainrule's Rust engine.

Code written for micrograd runs with only the import changed::

    from chainrule.engine import Value          # was: from micrograd.engine import Value
    from chainrule.nn import Module, Neuron, Layer, MLP

and it gains what micrograd never had: any depth (``backward()`` and freeing a graph of a
million nodes), drawings with no Graphviz (:func:`draw_dot`), the chain rule written out
(``v.explain()``), gradient checks (``v.grad_check()``, ``v.check_hand_grads()``), the
backward pass step by step (``v.steps()``), where a NaN came from
(``v.first_non_finite()``), gradients as Values (:func:`grad`), and plots with no
matplotlib (``chainrule.plot``: a model's decision boundary, loss curves), and in Jupyter
the live page's view of your own graph (:func:`live`) and of a training loop as it runs
(:func:`watch`).

When the scalar loop is understood and speed is wanted, :func:`train` runs micrograd's
demo in native code in one call (:class:`NativeMLP`, NumPy arrays in and out), and
:mod:`chainrule.data` makes seeded datasets (moons, circles, blobs, spiral) and reads CSV
files. NumPy is needed by those only.

:mod:`chainrule.lessons` holds the lessons as notebooks: ``chainrule.lessons.open(3)``
writes one out, its tasks checked and every wrong grad diagnosed by the engine.
"""

from chainrule import _core, data, lessons, plot
from chainrule.draw import Drawing, draw_dot
from chainrule.engine import Value
from chainrule.liveview import live
from chainrule.native import History, NativeMLP, train
from chainrule.show import check_hand_grads, explain, first_non_finite, grad_check, steps
from chainrule.livetrain import watch

__all__ = [
    "Value",
    "Drawing",
    "draw_dot",
    "grad",
    "explain",
    "grad_check",
    "check_hand_grads",
    "steps",
    "first_non_finite",
    "notebook_graph",
    "demo",
    "train",
    "NativeMLP",
    "History",
    "data",
    "lessons",
    "plot",
    "live",
    "watch",
]

__version__ = "0.1.0"


def grad(y, xs, create_graph=True):
    """The derivatives of ``y`` with respect to each Value in ``xs``, as a list of Values.

    With ``create_graph=True`` (the default) each derivative is recorded as a graph of
    Values that depends on the original ones, so it can be drawn, explained, and passed
    to ``grad`` again (second and higher derivatives). With ``create_graph=False`` they
    are new leaves holding the numbers. The ``.grad`` fields are not touched.

    >>> from chainrule import Value, grad
    >>> x = Value(2.0)
    >>> d, = grad(x ** 3, [x])      # 3x² = 12
    >>> d2, = grad(d, [x])          # 6x = 12
    >>> (d.data, d2.data)
    (12.0, 12.0)
    """
    single = isinstance(xs, Value)
    out = _core.grad(y, [xs] if single else list(xs), create_graph)
    return out[0] if single else out


def notebook_graph():
    """The seed notebook's graph ``L = (a*b + c) * f`` with a=2, b=-3, c=10, f=-2, labelled
    as the notebook labels it. Returns ``(L, {name: Value})``."""
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = Value(10.0, label="c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    f = Value(-2.0, label="f")
    L = d * f
    L.label = "L"
    return L, {"a": a, "b": b, "c": c, "e": e, "d": d, "f": f, "L": L}


def demo(file=None):
    """Prints the notebook's graph, its values and grads after ``backward()``, the chain
    rule for each node and the gradient check, as ``cargo run`` does, then what to try
    next. Returns the output ``L``."""
    import sys

    out = file or sys.stdout
    L, v = notebook_graph()
    L.backward()
    print("The notebook: L = (a*b + c) * f", file=out)
    print("  a = 2; b = -3; c = 10; e = a*b; d = e + c; f = -2; L = d*f", file=out)
    print(file=out)
    print("Values and grads after L.backward() (the grad of x is dL/dx)", file=out)
    print(f"{'name':<5} {'value':>6} {'grad':>5}", file=out)
    for name in ["a", "b", "c", "e", "d", "f", "L"]:
        n = v[name]
        print(f"{name:<5} {n.data:>6g} {n.grad:>5g}", file=out)
    print(file=out)
    print(f"output: L = {L.data:g}", file=out)
    print(file=out)
    print(str(L.explain()).rstrip(), file=out)
    print(file=out)
    print(str(L.grad_check()).rstrip(), file=out)
    print(file=out)
    print("Try next, in Python or Jupyter (L, v = chainrule.notebook_graph(); L.backward()):", file=out)
    print("  chainrule.draw_dot(L)             the graph as a picture (in Jupyter; .save('L.svg') writes a file)", file=out)
    print("  L.steps()                         the backward pass, one drawing per node", file=out)
    print("  L.check_hand_grads({v['a']: 6})   is a grad worked out by hand right?", file=out)
    return L
