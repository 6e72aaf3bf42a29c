"""The notebooks, executed with a real kernel: manual-backprop.ipynb prints the seed's
numbers; micrograd-demo.ipynb prints micrograd's demo losses and draws the boundary."""

import json
import os
import re
import xml.etree.ElementTree as ET

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

HERE = os.path.dirname(__file__)
NOTEBOOKS = os.path.join(HERE, "..", "..", "..", "notebooks")
NOTEBOOK = os.path.join(NOTEBOOKS, "manual-backprop.ipynb")
DEMO = os.path.join(NOTEBOOKS, "micrograd-demo.ipynb")


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


def points(svg):
    """The data points a decision boundary draws (class "point"; "point miss" when the
    model gets them wrong)."""
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    pts = [e for e in root.iter() if "point" in e.get("class", "").split()]
    return pts, [e for e in pts if "miss" in e.get("class").split()]


def test_micrograd_demo_notebook_prints_micrograds_losses_and_draws_the_boundary(tmp_path):
    nb = nbformat.read(DEMO, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    # micrograd's API, from chainrule: no micrograd, no matplotlib
    assert not re.search(r"^\s*(from|import) (micrograd|matplotlib)", source, re.M)
    assert "from chainrule.engine import Value" in source
    before = sorted(os.listdir(NOTEBOOKS))
    nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    # nothing written, in the kernel's working directory or beside the notebook
    assert os.listdir(tmp_path) == []
    assert sorted(os.listdir(NOTEBOOKS)) == before
    code = [c for c in nb.cells if c.cell_type == "code"]
    text = [outputs(c) for c in code]
    joined = "\n".join(text)

    assert "number of parameters 337" in joined
    steps = re.findall(r"^step (\d+) loss (\S+), accuracy (\S+)%$", joined, re.M)
    assert [int(k) for k, _, _ in steps] == list(range(100))
    losses = [float(v) for _, v, _ in steps]
    # micrograd's demo notebook's published numbers
    assert abs(losses[0] - 0.8958441028683222) < 1e-9
    assert abs(losses[99] - 0.010978370135492717) < 1e-9
    assert steps[0][2] == "50.0" and steps[99][2] == "100.0"
    # and every step of real micrograd's run
    with open(os.path.join(HERE, "data", "micrograd_demo.json")) as f:
        ref = json.load(f)["loss"]
    assert max(abs(a - b) for a, b in zip(losses, ref)) < 1e-9

    svgs = [s[s.index("<svg"):] for s in text if "<svg" in s]
    boundaries = [s for s in svgs if 'class="heatmap"' in s]
    assert len(boundaries) == 2
    shown, missed = points(boundaries[0])
    assert len(shown) == 100 and len(missed) == 50  # untrained: everything class -1
    shown, missed = points(boundaries[1])
    assert len(shown) == 100 and missed == []
    assert sorted(int(e.get("data-index")) for e in shown) == list(range(100))
    assert sum(e.get("data-class") == "1" for e in shown) == 50
    assert "misclassified: 0 of 100" in boundaries[1]
    assert 'class="contour"' in boundaries[1]
    # the loss curve: 100 steps, log scale from about 1 to about 0.01
    curve = [s for s in svgs if 'class="series"' in s]
    assert len(curve) == 1 and 'data-points="100"' in curve[0]
    # one neuron drawn (no Graphviz), its chain rule, and the gradient check of a batch
    drawing = [s for s in svgs if 'class="value' in s]
    assert len(drawing) == 1 and "out" in drawing[0]
    assert "The chain rule for out" in joined
    assert "passed: True" in joined
    assert re.search(r"^largest relative error: (\S+)$", joined, re.M)
    worst = float(re.search(r"^largest relative error: (\S+)$", joined, re.M).group(1))
    assert worst < 1e-5
