"""What the scripts that write the notebooks share (make-manual-backprop-notebook.py,
make-micrograd-demo-notebook.py, make-live-notebook.py): a notebook of given cells,
executed with a real kernel when the command line says `--execute`, written to its file."""

import sys
import tempfile

import nbformat
from nbformat.v4 import new_notebook

# The seed notebook's graph, with its values and labels, as its cells build it.
GRAPH = """a = Value(2.0, label='a')
b = Value(-3.0, label='b')
c = Value(10.0, label='c')
e = a*b; e.label='e'
d = e + c; d.label='d'
f = Value(-2.0, label='f')
L = d*f; L.label='L'"""


def save(cells, out, timeout=300):
    """Writes a notebook of `cells` to `out`; with `--execute` on the command line, runs it
    first (in a scratch folder, so nothing it writes lands in the repository) and saves it
    with its outputs, so a reader sees the numbers and pictures on opening it."""
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if "--execute" in sys.argv:
        import nbclient

        with tempfile.TemporaryDirectory() as cwd:
            nbclient.NotebookClient(
                nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": cwd}}
            ).execute()
        for cell in nb.cells:
            cell.metadata.pop("execution", None)  # timestamps: noise in the diff
    nbformat.validate(nb)
    nbformat.write(nb, out)
    print(out)
