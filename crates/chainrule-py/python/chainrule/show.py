"""Show your work: explanations, gradient checks, hand-grad checks, backward steps and
non-finite numbers for a Value's graph, each with a plain-text ``repr`` and an HTML repr
for Jupyter. They run on a copy of the graph on chainrule's tape; the Values' own grads
are never touched.
"""

import html as _html
from collections.abc import Sequence

from chainrule import _core

__all__ = [
    "Explanation",
    "GradCheck",
    "HandCheck",
    "HandChecks",
    "Step",
    "Steps",
    "NonFinite",
    "explain",
    "grad_check",
    "check_hand_grads",
    "steps",
    "first_non_finite",
]


def _pre(text):
    return f'<pre class="chainrule">{_html.escape(text)}</pre>'


class _Report:
    text = ""

    def __repr__(self):
        return self.text

    def __str__(self):
        return self.text

    def _repr_html_(self):
        return _pre(self.text)


class Explanation(_Report):
    """The chain rule for every node the output depends on, from the output back to the
    leaves, in the notebook's notation (``dL/da = dL/de · de/da = ...``)."""

    def __init__(self, text, markdown):
        self.text = text
        self.markdown = markdown


class GradCheck(_Report):
    """Finite differences against backprop for every leaf. ``passed`` is True when every
    row agrees (a kink, where the function is not smooth, is reported, not failed), and
    the report's first line says which; ``rows`` holds dicts with ``node``, ``name``,
    ``analytic``, ``numeric``, ``abs_err``, ``rel_err``, ``verdict`` and ``note``.

    Where the graph has ops of your own (``Value(out, (x,), 'cube')`` with a
    ``_backward``), two things more are checked and said. ``yours`` holds, per leaf, the
    grad your ``backward()`` gives (your ``_backward`` closures run, on saved and restored
    grads); a leaf where it differs from the chain rule is a failed row. An op whose
    ``_op`` names an op chainrule knows (``'tanh'``, ``'exp'``, ``'**2'`` …) is checked by
    that op's rule, so your closure for it is checked for real. Any other op of yours
    (``assumed``: ``(value, _op)`` pairs) is taken as the straight line its own
    ``_backward`` gives, since chainrule cannot re-run its forward: the check then holds
    the rest of the graph to that rule, and says so."""

    def __init__(self, d):
        self.passed = d["passed"]
        self.text = d["text"]
        self.markdown = d["markdown"]
        self.rows = d["rows"]
        self.assumed = d["assumed"]
        self.yours = dict(d.get("yours", ()))

    def __bool__(self):
        return bool(self.passed)


class HandCheck(_Report):
    """A grad given by hand checked against the chain rule: ``given``, ``correct``,
    ``right``, and the ``derivation`` of the correct one. A wrong one is diagnosed:
    ``mistakes`` lists the ids of the catalogued mistakes that give it (``'local-only'``,
    ``'one-path'``, ...), ``follows_from_yours`` says it is right given your own wrong
    grads upstream, and ``diagnosis`` says so in words, one line each."""

    def __init__(self, d):
        self.node = d["node"]
        self.name = d["name"]
        self.given = d["given"]
        self.correct = d["correct"]
        self.right = d["right"]
        self.derivation = d["derivation"]
        self.mistakes = d["mistakes"]
        self.follows_from_yours = d["follows_from_yours"]
        self.diagnosis = d["diagnosis"]
        self.text = d["text"]


class HandChecks(list):
    """The checks of several hand-set grads; ``all_right`` says whether every one is, and
    so does the first line of the report."""

    @property
    def all_right(self):
        """True when every grad given by hand is right."""
        return all(c.right for c in self)

    @property
    def headline(self):
        """The report's first line: whether every hand-set grad is right."""
        wrong = sum(not c.right for c in self)
        if not self:
            return "No hand-set grads to check."
        if wrong == 0:
            return f"All {len(self)} hand-set grads are right."
        return f"Hand-set grads WRONG: {wrong} of {len(self)} (each with the right one and why, below)."

    @property
    def text(self):
        """The report: the headline, then one line (or derivation) per grad."""
        return "\n".join([self.headline] + [c.text for c in self])

    def __repr__(self):
        return self.text

    def _repr_html_(self):
        return _pre(repr(self))


class Step(_Report):
    """One state of the backward pass: the node whose grad was just finished, how (its
    ``derivation``), and ``svg``, the drawing of the graph at that point (drawn when
    first asked for)."""

    def __init__(self, core, k):
        d = core.step(k)
        self._core, self._k = core, k
        self.number = d["number"]
        self.of = d["of"]
        self.node = d["node"]
        self.name = d["name"]
        self.grad = d["grad"]
        self.derivation = d["derivation"]
        self.text = d["text"]

    @property
    def svg(self):
        """The drawing of the graph after this step, as SVG text (the grads known so
        far, ``?`` for the rest, this node and the edges that carried its grad
        highlighted). Drawn anew on each access; nothing is kept."""
        return self._core.svg(self._k)

    def _repr_svg_(self):
        return self.svg

    def _repr_html_(self):
        return _pre(self.text) + self.svg


class Steps(Sequence):
    """The backward pass as a sequence of :class:`Step` states, output first.

    It keeps a copy of the graph and each node's derivation (memory linear in the graph);
    a step's drawing is made only when asked for (``steps[k].svg``). ``repr`` is every
    step's text; in Jupyter the first :attr:`DRAWN` steps are drawn, the rest listed."""

    DRAWN = 20
    """How many steps Jupyter's display draws (each drawing lays out the whole graph)."""

    def __init__(self, core):
        self._core = core

    def __len__(self):
        return len(self._core)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        n = len(self)
        if not isinstance(k, int) and hasattr(k, "__index__"):
            k = k.__index__()
        if not isinstance(k, int):
            raise TypeError(f"steps are indexed by int or slice, not {type(k).__name__}")
        if not -n <= k < n:
            raise IndexError(f"step index {k} out of range: the backward pass has {n} steps")
        return Step(self._core, k % n)

    def __repr__(self):
        return "\n".join(s.text for s in self)

    def _repr_html_(self):
        shown = [self[k]._repr_html_() for k in range(min(len(self), self.DRAWN))]
        rest = [_pre(self[k].text) for k in range(self.DRAWN, len(self))]
        if rest:
            shown.append(
                f"<p>{len(rest)} more steps, as text (draw one with <code>steps[k]</code>):</p>"
            )
        return "".join(shown + rest)


class NonFinite(_Report):
    """Where a NaN or infinity first appeared: ``node`` (the Value), ``pass_``
    (``'forward'`` for its value, ``'backward'`` for its grad), ``value`` and ``reason``."""

    def __init__(self, d):
        self.node = d["node"]
        self.pass_ = d["pass"]
        self.value = d["value"]
        self.reason = d["reason"]
        self.text = d["text"]


def explain(v, neurons="micrograd"):
    """The chain rule for every node ``v`` depends on (an :class:`Explanation`).

    A neuron of :mod:`chainrule.nn` (one fused node) is explained as micrograd's nodes,
    a ``*`` per weight and a ``+`` per sum, with their values and grads; with
    ``neurons='compact'`` as one ``dot`` node, then ``+ b``."""
    return Explanation(*_core.explain(v, neurons))


def grad_check(v):
    """Finite differences against backprop for every leaf ``v`` depends on (a
    :class:`GradCheck`); with ops of your own, also your ``_backward`` closures against the
    chain rule."""
    return GradCheck(_core.grad_check(v))


def check_hand_grads(v, grads=None):
    """Checks grads derived by hand, as the notebook's ``a.grad = 6.0``.

    ``grads`` is a dict ``{value: grad}``, or an iterable of Values whose current
    ``.grad`` was set by hand; by default every value ``v`` depends on, with its current
    grad. Returns :class:`HandChecks`.
    """
    if grads is None:
        grads = _nodes(v)
    if isinstance(grads, dict):
        pairs = list(grads.items())
    else:
        pairs = [(n, n.grad) for n in grads]
    return HandChecks(HandCheck(d) for d in _core.check_hand_grads(v, pairs))


def steps(v, rankdir="LR", neurons="micrograd"):
    """The backward pass from ``v`` as :class:`Steps`, one state per node, each drawn when
    asked for (neurons as :func:`explain` shows them). Memory is linear in the graph; a
    graph of more than 100,000 values is refused with ``ValueError`` (use
    :func:`explain`, which has no such limit)."""
    return Steps(_core.steps(v, rankdir, neurons))


def first_non_finite(v):
    """The first node of ``v``'s graph that went NaN or infinite (a :class:`NonFinite`), or
    None."""
    d = _core.first_non_finite(v)
    return None if d is None else NonFinite(d)


def _nodes(v):
    """Every Value ``v`` depends on (itself included), without recursion."""
    seen, out, stack = set(), [], [v]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        out.append(n)
        stack.extend(n._prev)
    return out
