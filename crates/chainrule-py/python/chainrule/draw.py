"""``draw_dot``: micrograd's picture of a graph, laid out and rendered by chainrule itself
(no Graphviz on the machine). The object returned displays inline in Jupyter and has the
parts of graphviz's ``Digraph`` that micrograd's notebooks use.
"""

import os
import secrets

from chainrule import _core

__all__ = ["Drawing", "draw_dot"]

_FORMATS = ("svg", "png", "dot", "gv")


def _write_atomic(path, data):
    """Writes ``data`` (bytes) to ``path`` through a temporary file and a rename, so a
    failure never leaves a half-written file. The file gets the mode any new file gets
    (0666 less the umask, 0644 as a rule), as graphviz's ``render`` writes it."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    while True:
        tmp = os.path.join(folder, f".chainrule-{secrets.token_hex(6)}.tmp")
        try:
            # Not tempfile.mkstemp: its files are 0600 whatever the umask.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


class Drawing:
    """A drawing of a graph as it was when drawn: a record ``{ label | data %.4f | grad
    %.4f }`` per value and a small node per op, as micrograd's ``draw_dot``.

    ``source`` is the DOT text; ``pipe(format)`` returns the rendered bytes;
    ``render(filename, format)`` and ``save(path)`` write files (nothing is written
    unless asked). In Jupyter it shows itself as SVG.
    """

    def __init__(self, native, format="svg"):
        self._native = native
        self.format = format

    @property
    def source(self):
        """The DOT text (Graphviz's language), as ``graphviz.Digraph.source``."""
        return self._native.source

    def pipe(self, format=None, encoding=None):
        """The drawing rendered to ``format`` ('svg', 'png' or 'dot'), as bytes (or str
        when ``encoding`` is given)."""
        data = self._bytes(format or self.format)
        return data.decode(encoding) if encoding else data

    def _bytes(self, format):
        if format == "svg":
            return self._native.svg().encode("utf-8")
        if format == "png":
            return self._native.png()
        if format in ("dot", "gv"):
            return self.source.encode("utf-8")
        raise ValueError(f"format must be one of {', '.join(_FORMATS)}, not {format!r}")

    def render(self, filename="Digraph.gv", directory=None, view=False, cleanup=False,
               format=None, **_ignored):
        """As ``graphviz.Digraph.render``: writes the DOT source to ``filename`` and the
        drawing to ``filename + '.' + format``; returns the drawing's path. ``cleanup``
        removes the source afterwards. ``view`` is ignored."""
        format = format or self.format
        if directory is not None:
            os.makedirs(directory, exist_ok=True)
            filename = os.path.join(directory, filename)
        data = self._bytes(format)
        _write_atomic(filename, self.source.encode("utf-8"))
        out = f"{filename}.{format}"
        _write_atomic(out, data)
        if cleanup:
            os.unlink(filename)
        return out

    def save(self, path):
        """Writes the drawing to ``path`` in the format its extension names (``.svg``,
        ``.png``, ``.dot``/``.gv``), atomically. Returns the path."""
        ext = os.path.splitext(os.fspath(path))[1].lstrip(".").lower()
        return _write_atomic(path, self._bytes(ext))

    def _repr_svg_(self):
        return self._native.svg()

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"image/svg+xml": self._native.svg(), "text/plain": repr(self)}

    def __len__(self):
        return len(self._native)

    def __repr__(self):
        return f"<chainrule drawing of {len(self)} values>"


def draw_dot(root, format="svg", rankdir="LR", neurons="micrograd"):
    """micrograd's ``draw_dot(root, format='svg', rankdir='LR')``: the graph ``root``
    depends on, with each value's label, data and grad. ``rankdir`` is 'LR' (left to
    right) or 'TB' (top to bottom).

    A neuron of :mod:`chainrule.nn` is one fused node for speed, but is drawn as
    micrograd draws a neuron: a ``*`` node per weight and a ``+`` node per sum, with the
    same data and grads. ``neurons='compact'`` draws it as one ``dot`` node (``w·x``),
    then ``+ b``."""
    if format not in _FORMATS:
        raise ValueError(f"format must be one of {', '.join(_FORMATS)}, not {format!r}")
    return Drawing(_core.draw(root, rankdir, True, neurons), format)
