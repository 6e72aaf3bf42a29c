"""The Jupyter widgets of the live view (``chainrule.live``) and of live training
(``chainrule.watch``), on anywidget: needs ``pip install chainrule[widget]``.

Their front end is one ES module made from the live page's own files (its graph view,
stepper, value's panel and training view) by the page's bundler, inside chainrule's
native extension: nothing is fetched from anywhere when a notebook runs it, and no Node
is needed to install it. Everything a view shows is in the widgets' synced traits, so a
view opened later, or after the page is reloaded, shows the same.
"""

import anywidget
import traitlets

from chainrule import _core

__all__ = ["GraphWidget", "TrainWidget", "graph_widget", "train_widget"]

_ESM, _STYLE = _core.widget_files()


class _Widget(anywidget.AnyWidget):
    _esm = _ESM
    style = traitlets.Unicode(_STYLE).tag(sync=True)


class GraphWidget(_Widget):
    """The live view of a graph: ``answer`` is the graph as copied (the protocol's
    ``given_describe`` answer, as JSON in UTF-8: bytes travel as a binary part of the
    message, not escaped into its JSON), ``replay`` a nudge's replay while the view
    shows one (``request``: the view's question it answered), ``note`` what the kernel
    last did to the Values, ``version`` counts the copies; ``patience``: how long (ms) the
    view waits for the kernel's answer before it says the kernel did not answer."""

    view = traitlets.Unicode("graph").tag(sync=True)
    answer = traitlets.Bytes(b"").tag(sync=True)
    replay = traitlets.Bytes(b"").tag(sync=True)
    request = traitlets.Unicode("").tag(sync=True)
    note = traitlets.Unicode("").tag(sync=True)
    version = traitlets.Int(0).tag(sync=True)
    patience = traitlets.Int(20000).tag(sync=True)


class TrainWidget(_Widget):
    """Live training: ``started`` is the loop's data, ``frame`` its last frame (JSON in
    UTF-8, as bytes)."""

    view = traitlets.Unicode("train").tag(sync=True)
    started = traitlets.Bytes(b"").tag(sync=True)
    frame = traitlets.Bytes(b"").tag(sync=True)


def graph_widget(live_view):
    """The widget of a :class:`chainrule.liveview.LiveView`, answering its questions."""
    w = GraphWidget(answer=live_view._answer.encode(), version=live_view._version)

    def on_msg(widget, content, buffers):
        if not isinstance(content, dict) or "ask" not in content:
            return
        reply, in_state = live_view._on_question(
            content["ask"], content.get("body") or {}, str(content.get("id", ""))
        )
        message = {"reply": content.get("id")}
        if in_state:
            message["state"] = "replay"
        else:
            message["answer"] = reply
        widget.send(message)

    w.on_msg(on_msg)
    return w


def train_widget(started, frame):
    """The widget of live training, showing ``started`` (the data) and ``frame``."""
    return TrainWidget(started=started.encode(), frame=frame.encode())
