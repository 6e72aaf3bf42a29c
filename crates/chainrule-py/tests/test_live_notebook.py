"""notebooks/live.ipynb, executed with a real kernel: the seed notebook's steps with the
live view print the seed's numbers, every live view has its static drawing beside the
widget, and micrograd's demo trains to micrograd's loss while it is watched."""

import os

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = os.path.join(os.path.dirname(__file__), "..", "..", "..", "notebooks", "live.ipynb")
WIDGET = "application/vnd.jupyter.widget-view+json"


def text(cell):
    out = []
    for o in cell.get("outputs", []):
        out.append(o.get("text", ""))
        out.append(o.get("data", {}).get("text/plain", ""))
    return "".join(out)


def test_the_live_notebook_runs_and_prints_the_seeds_numbers(tmp_path):
    pytest.importorskip("anywidget")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    texts = [text(c) for c in code]
    # The finite differences of f, c, a and b, as the seed prints them.
    assert texts[2].strip() == "4.000000000026205"
    assert texts[4].strip() == "-1.9999999999242843"
    assert texts[6].strip() == "[6.000000000128124, -4.000000000026205]"
    # Every hand grad right, and the view's grads are the same.
    assert texts[7].strip() == "True"
    assert texts[8].startswith("True {'a': 6.0, 'b': -4.0, 'c': -2.0, 'e': -2.0, 'd': -2.0, 'f': 4.0, 'L': 1.0}")
    # A step along the grads: the view's replay and the graph built again agree.
    assert texts[10].strip() == "-7.286496 -7.286496"
    # Each view is the widget, with the static drawing of its values and grads beside it.
    views = [o for c in code for o in c.get("outputs", []) if WIDGET in o.get("data", {})]
    assert len(views) == 4
    first = views[0]["data"]["image/svg+xml"]
    assert first.count('class="value') == 7 and "grad 6.0000" in first and "data -8.0000" in first
    stale = views[1]["data"]["text/plain"]
    assert stale.startswith("<chainrule live view of L: 7 values")
    # micrograd's demo, watched: micrograd's last loss; the native trainer's too.
    assert "step 100: loss 0.010978, accuracy 100%" in texts[12]
    assert views[2]["data"]["text/plain"] == "<chainrule training view: step 100 of 100, loss 0.010978370135492717>"
    assert "<svg" in views[2]["data"]["image/svg+xml"]
    assert "20000 steps" in texts[13] and "accuracy 100%" in texts[13]
    # The widgets' state is saved with the notebook: a front end shows the last picture.
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    views = [s["state"] for s in state.values() if s["state"].get("_anywidget_id", "").startswith("chainrule")]
    # one view of L (shown again after view.update(), its second copy), two of training
    assert sorted((v["view"], v.get("version")) for v in views) == [("graph", 2), ("train", None), ("train", None)]
    assert all(v["_esm"].rstrip().endswith("export default { render };") for v in views)
