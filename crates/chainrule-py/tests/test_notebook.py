"""notebooks/manual-backprop.ipynb, executed with a real kernel: the seed's numbers."""

import os
import re

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = os.path.join(os.path.dirname(__file__), "..", "..", "..", "notebooks", "manual-backprop.ipynb")


def outputs(cell):
    out = []
    for o in cell.get("outputs", []):
        if "text" in o:
            out.append(o["text"])
        data = o.get("data", {})
        out.append(data.get("text/plain", ""))
        out.append(data.get("image/svg+xml", ""))
    return "".join(out)


def test_manual_backprop_notebook_runs_and_prints_the_seeds_numbers():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    text = [outputs(c) for c in code]
    assert "Value(data=-8.0" in text[1]
    # finite-difference estimates, as the seed notebook prints them
    estimates = [float(t) for t in text if re.fullmatch(r"-?\d\.\d+\n", t)]
    assert estimates[:3] == [1.000000000000334, -2.000000000000668, 4.000000000026205]
    assert estimates[4:] == [-1.9999999999242843, 6.000000000128124, -4.000000000026205]
    assert estimates[3] == pytest.approx(-2.0, abs=1e-6)  # c
    # every drawing is chainrule's SVG with 7 boxes
    svgs = [t for t in text if "<svg" in t]
    assert len(svgs) >= 5 and all(s.count('class="value') == 7 for s in svgs)
    assert "grad 6.0000" in svgs[-1] and "grad -4.0000" in svgs[-1]
    joined = "\n".join(text)
    assert "True" in joined and "is wrong" not in joined
    assert "dL/da = dL/de · de/da = -2.0000 · -3.0000 = 6.0000" in joined
    assert "[1.0, -2.0, 4.0, -2.0, -2.0, 6.0, -4.0]" in joined
