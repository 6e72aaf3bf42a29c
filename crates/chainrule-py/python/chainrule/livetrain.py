"""Live training in the notebook: ``chainrule.watch(X, y)``.

While a training loop runs in the kernel, the view shows the loss and the accuracy by
step and, for 2-D data, the model's decision boundary over the data, and they move as it
trains. For micrograd's demo loop written out in Python, report each step::

    w = chainrule.watch(X, y, steps=100)        # shows itself in the cell's output
    for k in range(100):
        total_loss, acc = loss()
        ...                                      # backward and update, as micrograd's demo
        w.step(total_loss, acc, model)           # the loss (a Value or a float), the accuracy
    w.done()

and for the native trainer, pass it: ``chainrule.train(X, y, watch=w)`` (or
``model.fit(X, y, watch=w)``).

Frames are paced, not sent at every step: at most 20 a second, and each one's cost
(computing the boundary, sending it) is followed by at least 14 times as much of the
loop's own time, so watching slows the loop by at most 7% (the pace is measured, frame
by frame). The boundary of an MLP (``chainrule.nn.MLP``, micrograd's, or a
:class:`chainrule.NativeMLP`) is computed natively from its weights; any other model is
called as ``model([x, y])`` at every cell of the boundary's 32×32 grid, which is slower,
so its frames come less often. The frames are the live page's (the same protocol), drawn
by the page's own training view.
"""

import time

from chainrule import _core
from chainrule.liveview import with_widget

__all__ = ["TrainingView", "watch"]


def watch(X, y, steps=100, show=True):
    """A live view of a training loop on ``X, y`` (a :class:`TrainingView`): the data at
    once, then the loss, the accuracy and, for 2-D data, the decision boundary as the
    loop reports its steps. ``X``: array-like ``(samples, features)``; ``y``: -1/+1 labels
    or class ids 0, 1, 2, …; ``steps``: the steps planned (the chart's axis; it grows if
    the loop takes more). In a notebook it shows itself in the cell's output at once
    (``show=False``: not until displayed)."""
    view = TrainingView(X, y, steps)
    if show:
        view._show()
    return view


class TrainingView:
    """A training loop watched: see :func:`watch`. ``step`` records a step (and sends a
    frame when one is due), ``done`` sends the last one; ``widget`` is the Jupyter widget
    (None without anywidget); ``frames`` counts the frames made and ``frame_seconds`` the
    time the loop spent making and sending them."""

    def __init__(self, X, y, steps=100):
        from chainrule.native import _features, _labels
        from chainrule.data import _int

        X, y = _features(X), _labels(y)
        self._core = _core.WatchCore(X.tobytes(), X.shape[0], X.shape[1], y.tobytes(), _int("steps", steps))
        self._model = None
        self._handle = None
        self._multiclass = False
        self.frames = 0
        self.frame_seconds = 0.0
        self._last = None
        self._frame = self._make_frame(None, True)
        self.widget = None
        try:
            from chainrule.widget import train_widget
        except ImportError:  # no anywidget: a static picture when displayed
            train_widget = None
        if train_widget is not None:
            self.widget = train_widget(self._core.started(), self._frame)

    def step(self, loss, accuracy=None, model=None):
        """Records one step: its ``loss`` (a Value or a number), its ``accuracy`` (a
        fraction, or None) and, for the boundary, the ``model`` (an MLP, or anything
        called as ``model([x, y])``). Sends a frame when one is due."""
        self._core.record(_number(loss, "loss"), None if accuracy is None else _number(accuracy, "accuracy"))
        if model is not None:
            self._model = model
        if self._core.due():
            self._send(self._model, running=True)

    def done(self):
        """The loop has ended: the last frame, with every step. Where the view showed
        itself (:func:`watch`), its output is shown again, so that a notebook saved or
        exported without widgets keeps the finished curve, not the start."""
        self._send(self._model, running=False)
        if self._handle is not None:
            self._handle.update(self)

    @property
    def steps(self):
        """How many steps were recorded."""
        return self._core.steps

    def _send(self, model, running):
        t0 = time.perf_counter()
        self._frame = self._make_frame(model, running)
        if self.widget is not None:
            self.widget.frame = self._frame.encode()
        cost = time.perf_counter() - t0
        self.frame_seconds += cost
        self._core.spent(cost)

    def _make_frame(self, model, running):
        self.frames += 1
        scorer = _scorer(model)
        if scorer is None or isinstance(scorer, _core.NativeCore):
            return self._core.frame(scorer, running)
        if self._last is not model:
            self._last = model
            self._multiclass = _is_multiclass(model)
        return self._core.frame(lambda a, b: _score(model, a, b, self._multiclass), running, self._multiclass)

    def _native_hook(self, steps):
        """The native trainer's hook: ``(WatchCore, on_frame)``, for ``steps`` more steps."""
        self._core.plan(steps)

        def on_frame(core, running):
            self._model = core
            if running:
                self._send(core, True)
            else:
                self.done()

        return (self._core, on_frame)

    def _show(self):
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:
            return
        if get_ipython() is not None:
            self._handle = display(self, display_id=True)

    def _repr_mimebundle_(self, include=None, exclude=None):
        import json

        f = json.loads(self._frame)
        loss = f["loss"]
        text = f"<chainrule training view: step {f['step']} of {f['of']}" + (
            f", loss {loss}>" if loss is not None else ">"
        )
        data = {"text/plain": text}
        history = [p[1] for p in f["history"] if isinstance(p[1], float)]
        if history:
            from chainrule.plot import line

            data["image/svg+xml"] = line(history, title="Training loss", y_label="loss").svg()
        return with_widget(data, self.widget)


def _data(v):
    """A Value's data (chainrule's or micrograd's), or ``v`` itself (a NumPy scalar's
    ``data`` is its buffer, not its value)."""
    return v.data if hasattr(v, "_prev") else v


def _number(v, what):
    v = _data(v)
    try:
        return float(v)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a number or a Value, not {type(v).__name__}") from None


def _scorer(model):
    """What the boundary is computed from: a native model, or the model itself (called
    at each cell), or None."""
    if model is None:
        return None
    from chainrule.native import NativeMLP

    if isinstance(model, NativeMLP):
        return model._core
    if isinstance(model, _core.NativeCore):
        return model
    if hasattr(model, "layers"):
        try:
            return NativeMLP.from_mlp(model)._core
        except (TypeError, ValueError):
            pass
    if not callable(model):
        raise TypeError(f"model must be an MLP or callable as model([x, y]), not {type(model).__name__}")
    return model


def _outputs(model, a, b):
    out = model([a, b])
    if isinstance(out, (list, tuple)):
        return [float(_data(o)) for o in out]
    return float(_data(out))


def _is_multiclass(model):
    out = _outputs(model, 0.0, 0.0)
    return isinstance(out, list) and len(out) > 1


def _score(model, a, b, multiclass):
    out = _outputs(model, a, b)
    if multiclass:
        return float(max(range(len(out)), key=out.__getitem__))
    return out[0] if isinstance(out, list) else out
