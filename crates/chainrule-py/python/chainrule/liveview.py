"""The live view of a graph, in the notebook: ``chainrule.live(v)``.

It shows the graph ``v`` depends on with the live page's own parts: every value with its
data and grad, a click on a value for its chain rule and gradient check, a leaf nudged
and the graph replayed, backward stepped node by node, grads typed by hand checked and
diagnosed::

    import chainrule
    view = chainrule.live(L)     # the last line of a cell: the view is its output
    view.values[a], view.grads[a]    # what the view shows, back in Python
    view.nudge(b, 0.5)           # as the view's Nudge button does
    view.apply()                 # the replay shown written into your Values
    view.update()                # after you change the graph in Python

The view works on a copy of your graph, made when it is created (and by ``update()``):
a nudge replays the copy, and your Values change only through ``apply()`` (the view's
"Apply to my Values"). Grads in the view are backward's from the output, computed on the
copy. The kernel answers the view's questions with chainrule's own protocol (the live
page's), so the numbers, derivations and checks are those of ``chainrule serve``.

The widget needs ``anywidget`` (``pip install chainrule[widget]``) and a notebook that
shows widgets (JupyterLab 4 and Notebook 7 are tested). Without them, or where nothing
runs the widget (an HTML export, GitHub), the view shows as a static drawing of the graph
with its data and grads.
"""

import json
import weakref

from chainrule import _core

__all__ = ["LiveView", "live"]

_ENGINE = None


def _engine():
    """The kernel's one protocol engine (every live view's graph is given to it)."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = _core.KernelEngine()
    return _ENGINE


def _free(graph_id):
    _engine().answer("given_free", json.dumps({"id": graph_id}).encode())


def live(v, neurons="micrograd"):
    """An interactive view of the graph ``v`` depends on (a :class:`LiveView`): as the
    last expression of a cell, it shows in the cell's output. A ``Value`` alone is a
    one-node graph; graphs of more than 10,000 values are refused (show the loss of one
    data point instead). A neuron of ``chainrule.nn`` shows as micrograd makes it (a ``*``
    per weight, a ``+`` per sum); ``neurons='compact'`` shows it as one ``dot`` node, then
    ``+ b``, as :func:`chainrule.draw_dot` takes it."""
    return LiveView(v, neurons)


class LiveView:
    """The live view of a Value's graph: see :func:`live`.

    ``values`` and ``grads`` are what the view shows, as dicts keyed by your Values;
    ``shows`` says which state that is; ``nudge``, ``back``, ``apply`` and ``update``
    change it. ``widget`` is the Jupyter widget (None without anywidget).
    """

    def __init__(self, root, neurons="micrograd"):
        self._root = root
        self._neurons = neurons
        self._id = None
        self._version = 0
        self._note = ""
        self._give()
        self.widget = None
        try:
            from chainrule.widget import graph_widget
        except ImportError:  # no anywidget: the static drawing only
            graph_widget = None
        if graph_widget is not None:
            self.widget = graph_widget(self)

    # ---- the kernel's side: the graph copied and given to the engine ----

    def _give(self):
        graph_id = _engine().give(self._root, self._neurons)
        if self._id is not None:
            self._finalizer()  # the engine lets go of the old copy now
        self._id = graph_id
        self._finalizer = weakref.finalize(self, _free, graph_id)
        self._version += 1
        self._answer = self._ask("given_describe")
        self._replay = ""

    def _ask(self, name, request=None):
        """The engine's answer to question ``name`` about this view's graph, as JSON
        text; a refusal raises ``ValueError`` with the protocol's message."""
        status, text = self._answer_raw(name, request)
        if status != 200:
            raise ValueError(json.loads(text)["error"]["message"])
        return text

    def _answer_raw(self, name, request=None):
        body = dict(request or {})
        body["id"] = self._id
        return _engine().answer(name, json.dumps(body).encode())

    # ---- what the view shows ----

    @property
    def values(self):
        """The data of each of your Values as the view shows it (a nudge's replay, or
        the values as copied): a dict ``{Value: float}``."""
        return {v: data for v, data, _ in _engine().shown(self._id)}

    @property
    def grads(self):
        """The grad of each of your Values as the view shows it (backward's from the
        output, on the view's copy): a dict ``{Value: float}``."""
        return {v: grad for v, _, grad in _engine().shown(self._id)}

    @property
    def replayed(self):
        """``(leaf, h)`` when the view shows a nudge's replay, else None."""
        return _engine().replayed(self._id)

    @property
    def shows(self):
        """Which state the view shows, in words."""
        r = self.replayed
        if r is None:
            return "your Values as copied, with backward's grads"
        leaf, h = r
        return f"a replay with {_name(leaf)} moved by {h!r}; your Values are unchanged"

    # ---- changing it ----

    def nudge(self, value, h):
        """Moves leaf ``value`` by ``h`` and shows the graph replayed forward (your Values
        are not changed): as the view's Nudge button. Returns the answer, a dict with
        ``before``, ``after``, ``finite_difference`` and ``grad``."""
        node = _engine().node_of(self._id, value)
        if node is None:
            raise ValueError(f"{_name(value)} is not a value of this view's graph")
        text = self._ask("given_nudge", {"node": node, "h": h})
        self._show_replay(text)
        return json.loads(text)

    def back(self):
        """Back from a nudge's replay to your Values as copied."""
        self._ask("given_back")
        self._show_replay("")

    def apply(self):
        """Writes what the view shows (a replay's data, backward's grads) into your
        Values, then copies them again, so that the view shows your Values. Returns how
        many Values changed. This is the view's "Apply to my Values"."""
        changed = 0
        for v, data, grad in _engine().shown(self._id):
            if not (_same(v.data, data) and _same(v.grad, grad)):
                v.data = data
                v.grad = grad
                changed += 1
        what = self.shows
        self.update()
        self._note = (
            f"Applied ({what.split(';')[0]}): {changed} of your Values now hold the view's "
            "data and grads."
        )
        if self.widget is not None:
            self.widget.note = self._note
        return changed

    def update(self):
        """Copies your graph again, as it is now, and redraws the view: after you change
        the graph's values in Python."""
        self._give()
        self._note = ""
        if self.widget is not None:
            w = self.widget
            with w.hold_sync():
                w.answer = self._answer.encode()
                w.replay = b""
                w.note = ""
                w.version = self._version

    def _show_replay(self, text, request=""):
        self._replay = text
        if self.widget is not None:
            with self.widget.hold_sync():
                self.widget.replay = text.encode()
                self.widget.request = request

    # ---- the view's questions, from the widget ----

    def _on_question(self, name, request, request_id):
        """Answers a question the widget asked: ``(reply, in_state)``, the reply's JSON
        text, or None when the answer went into the widget's state (a nudge's replay).
        ``given_*`` questions are about this view's graph (its id is put in); ``apply``
        is the kernel's own; any other goes to the protocol as it is."""
        if name == "apply":
            self.apply()
            return json.dumps({"ok": True, "note": self._note}), False
        if name.startswith("given_"):
            status, text = self._answer_raw(name, request)
        else:
            status, text = _engine().answer(name, json.dumps(request).encode())
        if status == 200 and name == "given_nudge":
            self._show_replay(text, request_id)
            return None, True
        if status == 200 and name == "given_back":
            self._show_replay("")
        return text, False

    # ---- how it shows itself ----

    def svg(self):
        """The graph as the view shows it, as the static drawing (SVG text) that stands
        in for the view where no widget runs."""
        shown = json.loads(self._replay or self._answer)
        if shown["svg"] is None:
            # The widget's nudges come back as the cells that changed, not a drawing: the
            # same replay asked again, drawn.
            _, h = self.replayed
            status, text = self._answer_raw("given_nudge", {"node": shown["node"], "h": h, "svg": True})
            if status == 200:
                return json.loads(text)["svg"]
            shown = json.loads(self._answer)
        return shown["svg"]

    def __len__(self):
        return _engine().size(self._id)

    def __repr__(self):
        out = json.loads(self._answer)["output"]
        return f"<chainrule live view of {out['name']}: {len(self)} values; showing {self.shows}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return with_widget({"text/plain": repr(self), "image/svg+xml": self.svg()}, self.widget)


def with_widget(data, widget):
    """The mime bundle ``data`` (a static picture and text) with ``widget``'s view beside
    it, if there is a widget: a front end that shows widgets shows the view, any other the
    picture."""
    if widget is not None:
        widget_data = widget._repr_mimebundle_()
        if isinstance(widget_data, tuple):
            widget_data = widget_data[0]
        data.update({k: v for k, v in widget_data.items() if k != "text/plain"})
    return data


def _name(v):
    label = getattr(v, "label", "")
    return label if label else repr(v)


def _same(a, b):
    return a == b or (a != a and b != b)
