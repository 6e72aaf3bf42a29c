"""Seeded toy datasets and CSV files of samples, as NumPy arrays ``(X, y)``.

Each generator is chainrule's own (the Rust library's ``chainrule::data``), seeded, so
the same seed gives the same data on every machine::

    from chainrule import data
    X, y = data.moons(100, noise=0.1, seed=1337)   # X: (100, 2) float64, y: (100,) int64

Labels, ``y`` (``int64``):

* two classes (``moons``, ``circles``, and ``blobs``/``spiral`` with ``classes=2``, or a
  CSV file with labels 0 and 1): ``-1`` and ``+1``, ready for micrograd's max-margin loss
  ``relu(1 - y*score)`` and its accuracy ``(y > 0) == (score > 0)`` (micrograd's demo
  writes ``y = y*2 - 1`` for this). Class 0 is ``-1``, class 1 is ``+1``;
* more classes: class indices ``0, 1, …, k-1``.

``labels="classes"`` always gives class indices (scikit-learn's convention: moons are
then 0 and 1), ``labels="signs"`` insists on ``-1``/``+1`` (two classes only).
:func:`chainrule.train` and :class:`chainrule.NativeMLP` take either form.

NumPy is needed by these functions only: ``import chainrule`` works without it. The
arrays are made in Rust and handed over as bytes that NumPy views without a copy.
"""

from chainrule import _core

__all__ = ["moons", "circles", "blobs", "spiral", "load_csv", "save_csv", "CsvFormatError"]

CsvFormatError = _core.CsvFormatError

_SPEC = _core.train_spec()
"""The library's training spec (``chainrule::nn::spec``): each setting's default, the
names of each choice, and each dataset's default noise. Python's defaults are read from
it, so they are the command line's and the live page's."""

DEFAULT_SEED = _SPEC["defaults"]["seed"]
_NOISE = _SPEC["noise"]
_SAMPLES = _SPEC["defaults"]["samples"]


def _numpy():
    """NumPy, imported when first needed (``import chainrule`` does not need it)."""
    try:
        import numpy
    except ImportError:  # pragma: no cover - the tests have numpy
        raise ImportError(
            "chainrule.data and chainrule's native trainer return NumPy arrays: "
            "install NumPy (pip install numpy)"
        ) from None
    return numpy


def _int(name, v):
    """``v`` as a Python int, or a TypeError naming the argument."""
    import numbers

    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise TypeError(f"{name} must be a whole number, not {type(v).__name__} ({v!r})")
    return int(v)


def _float(name, v):
    import numbers

    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"{name} must be a number, not {type(v).__name__} ({v!r})")
    return float(v)


def _seed(v):
    v = _int("seed", v)
    if not 0 <= v < 2**64:
        raise ValueError(f"seed must be a whole number from 0 to 2**64 - 1, got {v}")
    return v


def _arrays(out, labels, where):
    """The Rust side's ``(x bytes, dim, y bytes, classes)`` as ``(X, y)``."""
    np = _numpy()
    xb, dim, yb, classes = out
    X = np.frombuffer(xb, dtype=np.float64).reshape(-1, dim)
    y = np.frombuffer(yb, dtype=np.int64)
    if labels == "auto":
        labels = "signs" if classes == 2 else "classes"
    if labels == "signs":
        if classes > 2:
            raise ValueError(
                f"labels='signs' is for two classes, {where} has {classes}; "
                "use labels='classes' (0, 1, 2, …) or 'auto'"
            )
        y = y * 2 - 1
    return X, y


def _check_labels(labels):
    if labels not in ("auto", "signs", "classes"):
        raise ValueError(f"labels must be 'auto', 'signs' or 'classes', got {labels!r}")


def moons(n=_SAMPLES, noise=_NOISE["moons"], seed=DEFAULT_SEED, labels="auto", generator="chainrule"):
    """Two interleaving half circles, as scikit-learn's ``make_moons(n, noise=noise)``:
    ``n // 2`` samples on the upper moon (class 0, label -1), the rest on the lower one
    (class 1, label +1), Gaussian noise of standard deviation ``noise`` on each
    coordinate, shuffled.

    Returns ``(X, y)``: ``X`` float64 of shape ``(n, 2)``, ``y`` int64 of shape ``(n,)``
    with labels -1/+1 (``labels="classes"`` for 0/1). The same ``seed`` gives the same
    data everywhere. ``generator="chainrule"`` (the default) draws from chainrule's own
    generator, so the points are not scikit-learn's; ``generator="sklearn"`` gives
    scikit-learn's points bit for bit: ``np.random.seed(seed); make_moons(n,
    noise=noise)``, as micrograd's demo makes them (``seed`` from 0 to 2**32 - 1), without
    NumPy's global state or scikit-learn.

    >>> X, y = moons(100, noise=0.1, seed=1337)
    >>> X.shape, sorted(set(y.tolist()))
    ((100, 2), [-1, 1])
    >>> X, y = moons(100, noise=0.1, seed=1337, generator="sklearn", labels="classes")
    >>> X[0].tolist(), int(y[0])
    ([1.1221146075409685, 0.08147717341718697], 0)
    """
    _check_labels(labels)
    n, noise, seed = _int("n", n), _float("noise", noise), _seed(seed)
    if generator == "sklearn":
        if seed >= 2**32:
            raise ValueError(
                f"seed must be from 0 to 2**32 - 1 for generator='sklearn' "
                f"(NumPy's np.random.seed), got {seed}"
            )
        out = _core.data_sklearn_moons(n, noise, seed)
    elif generator == "chainrule":
        out = _core.data_moons(n, noise, seed)
    else:
        raise ValueError(f"generator must be 'chainrule' or 'sklearn', got {generator!r}")
    return _arrays(out, labels, "moons")


def circles(n=_SAMPLES, noise=_NOISE["circles"], factor=0.5, seed=DEFAULT_SEED, labels="auto"):
    """Two concentric circles, as scikit-learn's ``make_circles``: ``n // 2`` samples on
    the outer unit circle (class 0, label -1), the rest on an inner circle of radius
    ``factor`` (class 1, label +1), plus Gaussian noise of standard deviation ``noise``,
    shuffled.

    Returns ``(X, y)``: float64 ``(n, 2)`` and int64 ``(n,)`` (-1/+1, or 0/1 with
    ``labels="classes"``).
    """
    _check_labels(labels)
    out = _core.data_circles(
        _int("n", n), _float("noise", noise), _float("factor", factor), _seed(seed)
    )
    return _arrays(out, labels, "circles")


def blobs(n=_SAMPLES, classes=3, std=_NOISE["blobs"], seed=DEFAULT_SEED, labels="auto"):
    """Gaussian blobs, as scikit-learn's ``make_blobs`` in 2-D: ``classes`` centres
    drawn uniformly in the box [-10, 10]², the samples split as evenly as possible
    between them (the first ``n % classes`` get one more), each with standard deviation
    ``std``, shuffled.

    Returns ``(X, y)``: float64 ``(n, 2)`` and int64 ``(n,)``: class indices
    ``0..classes-1``, or -1/+1 when ``classes == 2`` (see the module's help on labels).

    >>> X, y = blobs(10, classes=3, seed=5)
    >>> sorted(y.tolist())
    [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
    """
    _check_labels(labels)
    out = _core.data_blobs(
        _int("n", n), _int("classes", classes), _float("std", std), _seed(seed)
    )
    return _arrays(out, labels, "blobs")


def spiral(n=300, classes=3, noise=_NOISE["spiral"], seed=DEFAULT_SEED, labels="auto"):
    """Interleaved spiral arms, one per class, as in Karpathy's cs231n notes (100 points
    per class, 3 classes, 0.2 noise by default): radius 0 to 1 along each arm, angle
    ``4c`` to ``4(c+1)`` plus Gaussian noise of ``noise`` radians, shuffled.

    Returns ``(X, y)``: float64 ``(n, 2)`` and int64 ``(n,)``: class indices
    ``0..classes-1``, or -1/+1 when ``classes == 2``.
    """
    _check_labels(labels)
    out = _core.data_spiral(
        _int("n", n), _int("classes", classes), _float("noise", noise), _seed(seed)
    )
    return _arrays(out, labels, "spiral")


def load_csv(path, labels="auto"):
    """Samples from a CSV file: on each line the features, then the class label (0, 1,
    2, …) in the last column, separated by commas. Spaces around fields and blank lines
    are ignored; the first line is a header (and skipped) when any of its fields is not
    a number.

    Returns ``(X, y)``: float64 ``(n, features)`` and int64 ``(n,)``, labels as the
    module's help says (two classes: -1/+1; ``labels="classes"`` for the file's ids).

    A file that is not such a CSV raises :class:`CsvFormatError` (a ``ValueError``)
    naming the file, line and column and what to do; a file that cannot be read raises
    the ``OSError`` that says why (``FileNotFoundError``, ``PermissionError``, …).
    """
    import os

    _check_labels(labels)
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"path must be a file path (str or os.PathLike), not {type(path).__name__}")
    path = os.fsdecode(os.fspath(path))
    return _arrays(_core.data_load_csv(path), labels, path)


def save_csv(path, X, y):
    """Writes samples as a CSV file that :func:`load_csv` reads back exactly: a header
    ``x0,x1,…,label``, then one line per row of ``X`` (each number in its shortest form
    that reads back to the same float64) and its class id. Labels -1/+1 are written as
    0/1 (the file format's class ids), class indices as they are. The file is written
    atomically: a crash never leaves half of it.

    ``X``: array-like of shape ``(n, features)``; ``y``: ``n`` labels (-1/+1 or 0, 1, 2, …).
    """
    import os

    from chainrule.native import _features, _labels

    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"path must be a file path (str or os.PathLike), not {type(path).__name__}")
    path = os.fsdecode(os.fspath(path))
    X = _features(X, "X")
    y = _labels(y, "y")
    _core.data_save_csv(path, X.tobytes(), X.shape[0], X.shape[1], y.tobytes())
