"""micrograd's demo in native code: an MLP trained by chainrule's Rust trainer in one call,
with NumPy arrays in and out.

Once the scalar loop on :class:`chainrule.engine.Value` is understood, the same training
runs in Rust, thousands of times faster::

    import chainrule
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=100, noise=0.1)
    model, history = chainrule.train(X, y * 2 - 1)    # micrograd's demo, every default
    history.loss[-1], history.accuracy[-1]            # NumPy arrays, one entry per step
    model.predict(X)                                   # NumPy scores, one per row

The defaults are micrograd's demo: an MLP 2-16-16-1 (relu hidden, linear out), the
max-margin loss ``mean(relu(1 - y*score))`` plus ``1e-4 * sum(p**2)``, SGD with the rate
``1.0 - 0.9*k/100``, 100 full-batch steps. :class:`NativeMLP` is the model (``predict``,
``parameters``, ``save``/``load``, ``fit`` to train more); :func:`train` builds one and
fits it. To start from micrograd's very weights, build them in Python and pass them as
``init``: the native loss curve is then the Python loop's, step for step::

    import random
    from chainrule.nn import MLP
    random.seed(1337)
    model, history = chainrule.train(X, y * 2 - 1, init=MLP(2, [16, 16, 1]))

Everything is the Rust library's (``chainrule::nn``: ``Mlp``, ``Trainer``, ``Sgd``,
``Adam``, the losses and model files); this module only checks arguments and converts
arrays. NumPy is imported when first needed, so ``import chainrule`` works without it.
"""

import numbers

from chainrule import _core
from chainrule.data import _SPEC, DEFAULT_SEED, _float, _int, _numpy, _seed

__all__ = ["NativeMLP", "History", "train", "ACTIVATIONS", "LOSSES"]

ACTIVATIONS, LOSSES = (tuple(names) for names in _core.NativeCore.names())
"""The activation names (``relu``, ``tanh``, …, ``linear``) and loss names
(``max-margin``, ``mse``, ``bce``, ``softmax-ce``) that the trainer knows."""

OPTIMIZERS = tuple(_SPEC["choices"]["optimizer"])
SCHEDULES = tuple(_SPEC["choices"]["schedule"])
MODES = tuple(_SPEC["choices"]["mode"])
_D = _SPEC["defaults"]


def _float_array(v, name, what):
    """``v`` as a float64 ndarray, or a TypeError/ValueError naming ``name``."""
    np = _numpy()
    try:
        a = np.asarray(v)
    except ValueError as e:  # ragged nested lists
        raise ValueError(f"{name} must be {what}; NumPy could not make an array of it: {e}") from None
    if a.dtype.kind in "biuf":
        return a.astype(np.float64, copy=False)
    if a.dtype.kind == "O":
        try:
            return a.astype(np.float64)
        except (TypeError, ValueError):
            pass
    first = a.flat[0] if a.size else None
    raise TypeError(
        f"{name} must hold numbers ({what}), not {a.dtype} values such as {first!r}; "
        "convert it with numpy.asarray(..., dtype=float) first"
    )


def _features(X, name="X"):
    """``X`` as a C-contiguous float64 array of shape ``(n, features)``."""
    np = _numpy()
    a = _float_array(X, name, "an array of shape (samples, features)")
    if a.ndim != 2:
        hint = " (one feature per sample? use X.reshape(-1, 1))" if a.ndim == 1 else ""
        raise ValueError(
            f"{name} must be 2-D, of shape (samples, features); got shape {a.shape}{hint}"
        )
    if a.shape[1] == 0:
        raise ValueError(f"{name} has no columns: a sample needs at least one feature")
    return np.ascontiguousarray(a)


def _labels(y, name="y"):
    """``y`` as a C-contiguous float64 array of shape ``(n,)`` (an ``(n, 1)`` column too)."""
    np = _numpy()
    a = _float_array(y, name, "one label per sample: -1/+1, or class ids 0, 1, 2, …")
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    if a.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D, one label per sample (shape (n,)); got shape {a.shape}"
        )
    return np.ascontiguousarray(a)


def _name(what, v, allowed):
    if not isinstance(v, str):
        raise TypeError(f"{what} must be a name (one of {', '.join(allowed)}), not {type(v).__name__}")
    return v


def _layers(nouts, activation):
    """``nouts`` and ``activation`` as ``[(outputs, activation name)]``: the hidden layers
    get ``activation``, the last one is linear (micrograd's ``MLP``), unless
    ``activation`` lists one name per layer."""
    if isinstance(nouts, numbers.Integral) or not hasattr(nouts, "__iter__"):
        raise TypeError(f"nouts must be a list of layer sizes such as [16, 16, 1], not {nouts!r}")
    sizes = [_int(f"nouts[{i}]", n) for i, n in enumerate(nouts)]
    if isinstance(activation, str):
        acts = [activation] * (len(sizes) - 1) + ["linear"]
    else:
        try:
            acts = list(activation)
        except TypeError:
            raise TypeError(
                f"activation must be a name (one of {', '.join(ACTIVATIONS)}) or a list of one "
                f"name per layer, not {type(activation).__name__}"
            ) from None
        if len(acts) != len(sizes):
            raise ValueError(
                f"activation lists {len(acts)} names for {len(sizes)} layers: give one per layer"
            )
        for i, a in enumerate(acts):
            _name(f"activation[{i}]", a, ACTIVATIONS)
    return list(zip(sizes, acts[: len(sizes)]))


class History:
    """What :meth:`NativeMLP.fit` (and :func:`train`) saw at each step, as NumPy arrays
    of one entry per step, each measured on the forward pass before that step's update:

    * ``loss``: the loss, including the L2 term (micrograd's ``total_loss``);
    * ``accuracy``: the fraction of samples classified right (by the score's sign for one
      output, by the largest output otherwise);
    * ``lr``: the learning rate the step's update used;
    * ``seconds``: the time the native steps took in all (not the array conversions).

    With minibatches (``batch_size``), a step's loss and accuracy are its batch's.
    """

    def __init__(self, loss, accuracy, lr, seconds):
        self.loss = loss
        self.accuracy = accuracy
        self.lr = lr
        self.seconds = seconds

    def __len__(self):
        return len(self.loss)

    def __repr__(self):
        n = len(self)
        if n == 0:
            return "History(0 steps)"
        per = self.seconds / n * 1e3
        return (
            f"History({n} steps: loss {self.loss[0]:.6g} -> {self.loss[-1]:.6g}, "
            f"accuracy {self.accuracy[0]:.3g} -> {self.accuracy[-1]:.3g}, "
            f"{per:.3g} ms per step)"
        )


class NativeMLP:
    """A multi-layer perceptron that lives and trains in native code (chainrule's Rust
    ``nn::Mlp``), with NumPy arrays in and out.

    ``NativeMLP(nin, nouts)`` is micrograd's ``MLP(nin, nouts)``: layers of ``nouts``
    neurons, ``activation`` (default relu) on every layer but the last, which is linear.
    ``activation`` may also list one name per layer (the last one included). Names:
    ``chainrule.native.ACTIVATIONS``.

    The weights are drawn uniformly from [-1, 1), biases 0, layer by layer and neuron by
    neuron as micrograd does, but from chainrule's generator seeded with ``seed`` (not
    Python's ``random``): for micrograd's very weights use :meth:`from_mlp`.

    >>> m = NativeMLP(2, [16, 16, 1], seed=1337)
    >>> m
    NativeMLP(2, [16 relu, 16 relu, 1 linear], 337 parameters)
    >>> m.predict([[0.5, -0.5], [1.0, 0.0]]).shape
    (2,)
    """

    def __init__(self, nin, nouts, activation=_D["activation"], seed=DEFAULT_SEED):
        self._core = _core.NativeCore(_int("nin", nin), _layers(nouts, activation), _seed(seed))

    @classmethod
    def _wrap(cls, core):
        m = cls.__new__(cls)
        m._core = core
        return m

    @classmethod
    def from_mlp(cls, mlp):
        """A native copy of a Python MLP's weights: a :class:`chainrule.nn.MLP`, a
        micrograd ``MLP``, or anything shaped like them (``layers``, each with
        ``neurons``, each with weights ``w``, bias ``b`` and ``nonlin``). A neuron with
        ``nonlin`` is relu, one without linear; the parameters keep micrograd's order
        (per neuron its weights, then its bias), so ``from_mlp(m).parameters()`` equals
        ``[p.data for p in m.parameters()]``. A :class:`NativeMLP` is copied."""
        np = _numpy()
        if isinstance(mlp, NativeMLP):
            return mlp.copy()
        try:
            layers = list(mlp.layers)
            nin = len(layers[0].neurons[0].w)
        except (AttributeError, IndexError, TypeError):
            raise TypeError(
                "from_mlp takes an MLP (chainrule.nn.MLP or micrograd's): something with "
                f"layers of neurons with w, b and nonlin; not {type(mlp).__name__}"
            ) from None
        shapes, params = [], []
        for i, layer in enumerate(layers):
            neurons = list(layer.neurons)
            kinds = {bool(getattr(n, "nonlin", True)) for n in neurons}
            if len(kinds) != 1:
                raise ValueError(
                    f"layer {i} mixes relu and linear neurons; a native layer has one activation"
                )
            shapes.append((len(neurons), "relu" if kinds.pop() else "linear"))
            for n in neurons:
                params.extend(float(getattr(w, "data", w)) for w in n.w)
                params.append(float(getattr(n.b, "data", n.b)))
        p = np.ascontiguousarray(params, dtype=np.float64)
        return cls._wrap(_core.NativeCore.from_parameters(nin, shapes, p.tobytes()))

    @classmethod
    def from_json(cls, text):
        """A model from the text of a chainrule model file (:meth:`to_json`, or the CLI's
        ``chainrule train --save``). A wrong file raises ``ValueError`` naming the field."""
        if not isinstance(text, str):
            raise TypeError(f"from_json takes the file's text (str), not {type(text).__name__}")
        return cls._wrap(_core.NativeCore.from_json(text))

    @classmethod
    def load(cls, path):
        """The model in a file written by :meth:`save` (or ``chainrule train --save``).
        A missing file raises ``FileNotFoundError``; a file that is not a model raises
        ``ValueError`` naming the field at fault."""
        return cls._wrap(_core.NativeCore.load(_path(path)))

    def save(self, path):
        """Writes the model to ``path`` as chainrule's model JSON, atomically (to a
        temporary file, then renamed: a crash never leaves half a file). The CLI reads
        it (``chainrule predict --model``). A model with a NaN or infinite parameter
        (training diverged) raises ``ValueError`` naming it."""
        self._core.save(_path(path))

    def to_json(self):
        """The model as chainrule's model JSON text (what :meth:`save` writes)."""
        return self._core.to_json()

    @property
    def nin(self):
        """How many inputs the model takes."""
        return self._core.inputs

    @property
    def nouts(self):
        """The layer sizes, as micrograd's ``MLP(nin, nouts)`` takes them."""
        return [n for _, n, _ in self._core.layers()]

    @property
    def layers(self):
        """The layers as ``(inputs, outputs, activation)`` tuples, first to last."""
        return self._core.layers()

    def parameters(self):
        """The parameters as a float64 NumPy array (a copy), in micrograd's order: layer
        by layer, neuron by neuron, each neuron's weights then its bias."""
        np = _numpy()
        return np.frombuffer(self._core.parameters(), dtype=np.float64)

    def predict(self, X):
        """The model's outputs for the rows of ``X`` (array-like, shape ``(n, nin)``): a
        float64 array of shape ``(n,)`` for a one-output model (the scores; positive
        means class +1), ``(n, outputs)`` otherwise. Bit for bit the forward pass that
        training records."""
        np = _numpy()
        X = _features(X)
        out = self._core.predict(X.tobytes(), X.shape[0], X.shape[1])
        scores = np.frombuffer(out, dtype=np.float64).reshape(X.shape[0], self._core.outputs)
        return scores[:, 0] if self._core.outputs == 1 else scores

    def __call__(self, x):
        """micrograd's ``model(x)``: for one sample (1-D, ``nin`` numbers) its output (a
        float for a one-output model, else a 1-D array); for a 2-D batch,
        :meth:`predict`."""
        np = _numpy()
        a = _float_array(x, "x", "one sample (nin numbers) or rows of samples")
        if a.ndim == 1:
            out = self.predict(a.reshape(1, -1))[0]
            return float(out) if np.ndim(out) == 0 else out
        return self.predict(a)

    def evaluate(self, X, y, loss="max-margin"):
        """``(loss, accuracy)`` of the model on ``X, y`` without the L2 term, with no
        training: for a held-out set. Labels and loss names as :meth:`fit` takes them."""
        X, y = _features(X), _labels(y)
        return self._core.evaluate(
            X.tobytes(), X.shape[0], X.shape[1], y.tobytes(), _name("loss", loss, LOSSES)
        )

    def fit(
        self,
        X,
        y,
        steps=_D["steps"],
        loss=_D["loss"],
        l2=_D["l2"],
        optimizer=_D["optimizer"],
        lr=_D["lr"],
        schedule=_D["schedule"],
        lr_end=_D["lr_end"],
        batch_size=_D["batch"],
        seed=DEFAULT_SEED,
        mode=_D["mode"],
        watch=None,
    ):
        """Trains the model in place on ``X, y`` for ``steps`` steps and returns a
        :class:`History` (loss, accuracy and rate per step, as NumPy arrays).

        * ``X``: array-like ``(n, nin)``; ``y``: ``n`` labels, either -1/+1 (two classes,
          micrograd's ``y*2 - 1``) or class ids 0, 1, 2, … (0/1 is the same two classes).
        * ``loss``: ``"max-margin"`` (micrograd's ``relu(1 - y*score)``, one output),
          ``"mse"`` (one output against ±1, or one output per class against one-hot),
          ``"bce"`` (one output, a logit), ``"softmax-ce"`` (one output per class);
          ``_`` may stand for ``-``. ``l2``: ``l2 * sum(p**2)`` is added to the loss.
        * ``optimizer``: ``"sgd"``, ``"momentum"`` (SGD, momentum 0.9), ``"adam"``,
          ``"adamw"`` (weight decay 0.01). ``lr``: the starting rate (default: sgd 1.0,
          momentum 0.1, adam and adamw 0.01).
        * ``schedule``: ``"linear"`` from ``lr`` to ``lr_end`` (default ``lr/10``) at
          step ``steps`` (with the defaults, micrograd's ``1.0 - 0.9*k/100``),
          ``"cosine"`` (the same ends), ``"constant"``, or ``"step"`` (halved every
          quarter of the steps).
        * ``batch_size``: samples per step from a shuffle seeded with ``seed`` (default:
          all of them, full batch).
        * ``mode``: ``"replay"`` records the step's graph once and replays it,
          ``"rebuild"`` records it anew each step; ``"auto"`` replays for full batches.
          Both give the same numbers.
        * ``watch``: a live view of the training (:func:`chainrule.watch`), which the
          trainer reports every step to; it shows the loss, the accuracy and the boundary
          as they move, paced so that it slows training by at most 7%.

        Each call starts a fresh optimizer and schedule. Ctrl-C stops training between
        steps; the model keeps what it learned so far. One step's graph holds at most
        2**27 nodes (some 5 GB; the demo's step has about 11,000): more data than that
        trains on minibatches, and a bigger request raises ``ValueError`` saying so.
        """
        np = _numpy()
        X, y = _features(X), _labels(y)
        if lr is not None:
            lr = _float("lr", lr)
        if lr_end is not None:
            lr_end = _float("lr_end", lr_end)
        if batch_size is not None:
            batch_size = _int("batch_size", batch_size)
        losses, accs, lrs, seconds = self._core.fit(
            X.tobytes(),
            X.shape[0],
            X.shape[1],
            y.tobytes(),
            _int("steps", steps),
            _name("loss", loss, LOSSES),
            _float("l2", l2),
            _name("optimizer", optimizer, OPTIMIZERS),
            lr,
            _name("schedule", schedule, SCHEDULES),
            lr_end,
            batch_size,
            _seed(seed),
            _name("mode", mode, MODES),
            None if watch is None else watch._native_hook(_int("steps", steps)),
        )
        as_array = lambda b: np.frombuffer(b, dtype=np.float64)  # noqa: E731
        return History(as_array(losses), as_array(accs), as_array(lrs), seconds)

    def copy(self):
        """An independent copy of the model."""
        return NativeMLP._wrap(self._core.copy())

    __copy__ = copy

    def __deepcopy__(self, memo):
        return self.copy()

    def __getstate__(self):
        return {"nin": self.nin, "layers": [(n, a) for _, n, a in self.layers],
                "parameters": bytes(self._core.parameters())}

    def __setstate__(self, state):
        self._core = _core.NativeCore.from_parameters(
            state["nin"], state["layers"], state["parameters"]
        )

    def __repr__(self):
        layers = ", ".join(f"{n} {a}" for _, n, a in self.layers)
        return f"NativeMLP({self.nin}, [{layers}], {len(self.parameters())} parameters)"


def _path(path):
    import os

    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"path must be a file path (str or os.PathLike), not {type(path).__name__}")
    return os.fsdecode(os.fspath(path))


def train(
    X,
    y,
    nouts=None,
    activation=_D["activation"],
    *,
    init=None,
    steps=_D["steps"],
    loss=_D["loss"],
    l2=_D["l2"],
    optimizer=_D["optimizer"],
    lr=_D["lr"],
    schedule=_D["schedule"],
    lr_end=_D["lr_end"],
    batch_size=_D["batch"],
    seed=DEFAULT_SEED,
    mode=_D["mode"],
    watch=None,
):
    """Trains an MLP on ``X, y`` in native code and returns ``(model, history)``: the
    trained :class:`NativeMLP` and a :class:`History` of the loss, accuracy and rate at
    every step (NumPy arrays).

    With the defaults this is micrograd's demo: ``nouts=[16, 16, 1]`` after
    ``X.shape[1]`` inputs (relu hidden, linear out), max-margin loss + ``1e-4`` L2, SGD
    with the rate ``1.0 - 0.9*k/100``, 100 full-batch steps. With
    ``loss="softmax-ce"`` and no ``nouts``, the last layer has one output per class.

    * ``init``: start from these weights instead of drawing new ones: a
      :class:`chainrule.nn.MLP` (or micrograd's, see :meth:`NativeMLP.from_mlp`) or a
      :class:`NativeMLP` (copied; the original is not changed). Then ``nouts`` and
      ``activation`` come from it.
    * ``seed``: the weights' seed (without ``init``) and the minibatch shuffle's.
    * Everything else is :meth:`NativeMLP.fit`'s.

    >>> from chainrule import data
    >>> X, y = data.moons(100, noise=0.1)
    >>> model, history = train(X, y)
    >>> float(history.accuracy[-1])
    1.0
    """
    X, y = _features(X), _labels(y)
    if init is not None:
        if nouts is not None:
            raise ValueError("give nouts or init, not both: init brings its own layers")
        model = NativeMLP.from_mlp(init)
    else:
        if nouts is None:
            last = 1
            if isinstance(loss, str) and loss.replace("_", "-") == "softmax-ce":
                last = _core.label_classes(y.tobytes())
            nouts = [*_D["layers"], last]
        model = NativeMLP(X.shape[1], nouts, activation, seed)
    history = model.fit(
        X,
        y,
        steps=steps,
        loss=loss,
        l2=l2,
        optimizer=optimizer,
        lr=lr,
        schedule=schedule,
        lr_end=lr_end,
        batch_size=batch_size,
        seed=seed,
        mode=mode,
        watch=watch,
    )
    return model, history
