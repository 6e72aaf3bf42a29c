"""Plots with no matplotlib: a model's decision boundary over the plane, and loss curves.

Both are drawn by chainrule's Rust library as plain SVG (and PNG with its bundled font,
so they look the same on a machine with no fonts), display inline in Jupyter, and write
nothing to disk unless ``save`` is called::

    from chainrule.plot import decision_boundary, line
    decision_boundary(lambda a, b: model([a, b]).data, X, y)   # micrograd's demo model
    line(losses, title="Training loss", log=True)
"""

import math
import numbers

from chainrule import _core

__all__ = ["Plot", "decision_boundary", "line"]


class Plot:
    """A plot drawn by chainrule. In Jupyter it shows itself as SVG.

    ``svg()`` gives the SVG text, ``png()`` the PNG bytes, and ``save(path)`` writes a
    ``.svg`` or ``.png`` file (atomically: a temporary file, then a rename). A decision
    boundary keeps the model's answers, so ``png()`` and ``save`` draw the same picture
    without calling the model again.
    """

    def __init__(self, native, what):
        self._native = native
        self._what = what

    def svg(self):
        """The plot as SVG text (str)."""
        return self._native.svg()

    def png(self):
        """The plot as PNG bytes, rendered by chainrule (no fonts or Cairo needed)."""
        return self._native.png()

    def save(self, path):
        """Writes the plot to ``path`` as SVG or PNG, as its extension (``.svg``, ``.png``)
        says, atomically; returns the path. Raises ValueError for another extension and
        OSError when the file cannot be written."""
        self._native.save(path)
        return path

    def _repr_svg_(self):
        return self._native.svg()

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"image/svg+xml": self._native.svg(), "text/plain": repr(self)}

    def __repr__(self):
        return f"<chainrule plot: {self._what}>"


def _is_number(v):
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _points(X):
    """``X`` as a list of ``(x, y)`` float pairs, or a TypeError/ValueError naming X."""
    shape = getattr(X, "shape", None)
    if shape is not None and (len(shape) != 2 or shape[1] != 2):
        raise ValueError(f"X must have shape (n, 2), one row (x, y) per point, not {tuple(shape)}")
    if isinstance(X, (str, bytes)) or not hasattr(X, "__iter__"):
        raise TypeError(f"X must be an (n, 2) array or a list of (x, y) pairs, not {type(X).__name__}")
    out = []
    for i, row in enumerate(X):
        try:
            n = len(row)
        except TypeError:
            raise TypeError(
                f"X must be an (n, 2) array or a list of (x, y) pairs; X[{i}] is "
                f"{type(row).__name__}, not a pair"
            ) from None
        if n != 2:
            raise ValueError(f"X must hold (x, y) pairs; X[{i}] has {n} coordinates")
        a, b = row[0], row[1]
        for j, v in enumerate((a, b)):
            if not _is_number(v):
                raise TypeError(f"X[{i}][{j}] must be a number, not {type(v).__name__}")
        out.append((float(a), float(b)))
    return out


def _label(v, i):
    """The label ``y[i]`` as an int, or a TypeError/ValueError naming y."""
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"y[{i}] must be a class label (an integer), not {type(v).__name__}")
    if not (math.isfinite(v) and float(v).is_integer()):
        raise ValueError(f"y[{i}] is {v!r}; class labels are -1 and 1, or 0 and 1")
    return int(v)


def _classes(y, n):
    """``y`` as classes 0 and 1, and the default legend names: -1/1 labels (micrograd's
    demo) become 0/1, named "class -1" and "class 1"; 0/1 labels stay."""
    if isinstance(y, (str, bytes)) or not hasattr(y, "__iter__"):
        raise TypeError(f"y must be a sequence of class labels, not {type(y).__name__}")
    labels = [_label(v, i) for i, v in enumerate(y)]
    if len(labels) != n:
        raise ValueError(f"y has {len(labels)} labels but X has {n} points; give one label per point")
    found = set(labels)
    if found <= {-1, 1}:
        return [int(v > 0) for v in labels], ["class -1", "class 1"]
    if found <= {0, 1}:
        return labels, ["class 0", "class 1"]
    expected = {-1, 1} if -1 in found else {0, 1}
    i = next(i for i, v in enumerate(labels) if v not in expected)
    raise ValueError(
        f"y must hold two classes, -1 and 1 (as micrograd's demo) or 0 and 1; "
        f"y[{i}] is {labels[i]}, with labels {sorted(found)}"
    )


def _size(size, name="size"):
    if not (isinstance(size, (tuple, list)) and len(size) == 2):
        raise TypeError(f"{name} must be a pair (width, height) in pixels, not {size!r}")
    for v in size:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"{name} must be a pair of whole numbers of pixels, not {size!r}")
        if not 0 < v <= 10000:
            raise ValueError(f"{name} must be a pair of pixel counts from 1 to 10000, not {size!r}")
    return int(size[0]), int(size[1])


def _range(r):
    if r is None:
        return None
    try:
        (x0, x1), (y0, y1) = r
    except (TypeError, ValueError):
        raise TypeError(f"range must be ((x_min, x_max), (y_min, y_max)), not {r!r}") from None
    for axis, lo, hi in (("x", x0, x1), ("y", y0, y1)):
        if not (_is_number(lo) and _is_number(hi)):
            raise TypeError(f"range: the {axis} range must be two numbers, not {(lo, hi)!r}")
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(
                f"range: the {axis} range {(lo, hi)!r} must be finite and increasing (the smaller first)"
            )
    return (float(x0), float(x1)), (float(y0), float(y1))


def decision_boundary(score, X, y, *, title="Decision boundary", x_label="x", y_label="y",
                      class_names=None, size=(720, 540), range=None, resolution=100,
                      vectorized=False):
    """A two-class model's decision over the plane, drawn by chainrule: its score on a
    ``resolution`` x ``resolution`` grid as a blue-white-orange heat map, the line where
    the score is 0, and the data points on top in their true class's colour (crossed out
    where the model gets them wrong). Returns a :class:`Plot`.

    ``score`` is called as ``score(x, y)`` with two floats for each grid cell and data
    point and returns a number, or a Value (its ``.data`` is used); a score above 0 means
    class 1 (label 1). For micrograd's demo model::

        decision_boundary(lambda a, b: model([a, b]).data, X, y)

    With ``vectorized=True`` it is called once instead, as ``score(xs, ys)`` with two 1-D
    NumPy float arrays (every grid cell and data point), and returns one score per point.
    An exception raised by ``score`` propagates; a NaN or infinite score draws its cell
    grey.

    ``X`` is an (n, 2) array or a list of ``(x, y)`` pairs; ``y`` holds one label per
    point, either -1 and 1 (as micrograd's demo, ``y = y*2 - 1``) or 0 and 1. The legend
    calls the classes by their labels unless ``class_names`` (two names, class -1 or 0
    first) says otherwise. The plotted area is the data's bounds padded by 10% unless
    ``range=((x_min, x_max), (y_min, y_max))`` is given; ``resolution`` is 2 to 500 cells
    per side; ``size`` is the picture's ``(width, height)`` in pixels.
    """
    if not callable(score):
        raise TypeError(f"score must be callable, as score(x, y) -> float, not {type(score).__name__}")
    points = _points(X)
    labels, names = _classes(y, len(points))
    if class_names is not None:
        if isinstance(class_names, str) or len(class_names) != 2:
            raise ValueError(f"class_names must be two names (class -1 or 0 first), not {class_names!r}")
        names = [str(n) for n in class_names]
    if isinstance(resolution, bool) or not isinstance(resolution, numbers.Integral):
        raise TypeError(f"resolution must be a whole number of cells per side, not {resolution!r}")
    if not 2 <= resolution <= 500:
        raise ValueError(f"resolution must be 2 to 500 cells per side, not {resolution}")
    native = _core.decision_boundary(
        score, points, labels, title=str(title), x_label=str(x_label), y_label=str(y_label),
        class_names=names, size=_size(size), range=_range(range), resolution=int(resolution),
        vectorized=bool(vectorized),
    )
    return Plot(native, f"decision boundary of {len(points)} points")


def _series(name, data):
    """One series as ``(x, y)`` float pairs: numbers are y values at x = 0, 1, 2, ..."""
    if isinstance(data, (str, bytes)) or not hasattr(data, "__iter__"):
        raise TypeError(f"series {name!r} must be a sequence of numbers or of (x, y) pairs, "
                        f"not {type(data).__name__}")
    out = []
    for i, v in enumerate(data):
        if _is_number(v):
            out.append((float(i), float(v)))
            continue
        try:
            a, b = v
        except (TypeError, ValueError):
            raise TypeError(f"series {name!r}: item {i} must be a number or an (x, y) pair, "
                            f"not {v!r}") from None
        if not (_is_number(a) and _is_number(b)):
            raise TypeError(f"series {name!r}: item {i} must be a number or an (x, y) pair, not {v!r}")
        out.append((float(a), float(b)))
    return out


def line(data, *, title="", x_label="step", y_label="", log=False, size=(640, 400)):
    """A line chart drawn by chainrule, e.g. the loss per training step. Returns a
    :class:`Plot`.

    ``data`` is one series: a sequence of numbers (the y values at x = 0, 1, 2, ...) or
    of ``(x, y)`` pairs; or a dict ``{name: series}`` of several, shown with a legend.
    ``log=True`` gives a log y axis (values at or below 0 are then skipped, with a note).
    NaN and infinite values are skipped and the line breaks there.
    """
    if isinstance(data, dict):
        series = [(str(k), _series(k, v)) for k, v in data.items()]
    else:
        series = [(str(y_label or "series"), _series(y_label or "data", data))]
    native = _core.line_chart(series, title=str(title), x_label=str(x_label),
                              y_label=str(y_label), log=bool(log), size=_size(size))
    n = sum(len(s) for _, s in series)
    return Plot(native, f"line chart of {len(series)} series, {n} points")
