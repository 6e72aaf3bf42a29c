"""chainrule.live and chainrule.watch from Python, without a browser: the view's copy of
the learner's graph and what it hands back, nudges, apply and update, graphs of every
kind (the notebook's, ops of the user's own, MLP outputs, a lone Value, a NaN, 1,000
values), the widget's questions as the front end asks them, the static fallback, and
training watched (a Python loop and the native trainer) with its pace."""

import importlib.util
import json
import random
import re
import sys
import time

import numpy as np
import pytest

import chainrule
from chainrule import _core
from chainrule.engine import Value
from chainrule.liveview import LiveView
from chainrule.livetrain import TrainingView
from chainrule.nn import MLP


def names(d):
    return {v.label: x for v, x in d.items()}


def test_the_view_shows_the_graph_with_backwards_grads_and_leaves_the_values_alone():
    L, v = chainrule.notebook_graph()
    view = chainrule.live(L)
    assert isinstance(view, LiveView) and len(view) == 7
    assert names(view.values) == {"a": 2.0, "b": -3.0, "c": 10.0, "e": -6.0, "d": 4.0, "f": -2.0, "L": -8.0}
    assert names(view.grads) == {"a": 6.0, "b": -4.0, "c": -2.0, "e": -2.0, "d": -2.0, "f": 4.0, "L": 1.0}
    # backward ran on the view's copy, not on the Values
    assert [n.grad for n in v.values()] == [0.0] * 7
    assert view.shows == "your Values as copied, with backward's grads"
    assert repr(view) == "<chainrule live view of L: 7 values; showing your Values as copied, with backward's grads>"


def test_a_nudge_replays_the_copy_and_apply_writes_it_into_the_values():
    L, v = chainrule.notebook_graph()
    view = chainrule.live(L)
    answer = view.nudge(v["b"], 0.5)
    assert (answer["before"], answer["after"], answer["finite_difference"], answer["grad"]) == (-8.0, -10.0, -4.0, -4.0)
    assert view.replayed == (v["b"], 0.5)
    assert view.shows == "a replay with b moved by 0.5; your Values are unchanged"
    assert names(view.values)["L"] == -10.0 and names(view.values)["e"] == -5.0
    assert (v["b"].data, L.data) == (-3.0, -8.0)
    view.back()
    assert view.replayed is None and names(view.values)["L"] == -8.0
    # A second nudge starts from the Values, then apply writes data and grads in.
    view.nudge(v["a"], 1.0)
    assert view.apply() == 7  # a, e, d, L moved; every grad was 0 before
    assert [v[k].data for k in "aedL"] == [3.0, -9.0, 1.0, -2.0]
    assert [v[k].grad for k in "abL"] == [6.0, -6.0, 1.0]
    assert view.replayed is None and names(view.values)["a"] == 3.0
    with pytest.raises(ValueError, match="is not a value of this view's graph"):
        view.nudge(Value(1.0), 0.1)
    with pytest.raises(ValueError, match="is not a leaf"):
        view.nudge(v["e"], 0.1)
    with pytest.raises(ValueError, match="h must be a finite number other than 0"):
        view.nudge(v["a"], 0.0)


def test_update_copies_the_graph_again_and_names_values_changed_by_hand():
    L, v = chainrule.notebook_graph()
    view = chainrule.live(L)
    v["a"].data = 3.0  # as the notebook does by hand: L is not recomputed
    view.update()
    stale = json.loads(view._answer)["stale"]
    assert stale == {"count": 3, "id": 3, "name": "e", "data": -6.0, "replayed": -9.0}
    assert names(view.values)["a"] == 3.0 and names(view.values)["L"] == -8.0
    # A nudge replays every value from the leaves: L at a = 3 is -2, at 4 it is 4.
    answer = view.nudge(v["a"], 1.0)
    assert (answer["before"], answer["after"]) == (-2.0, 4.0)


def test_ops_of_the_users_own_and_mlp_outputs():
    # micrograd's lecture: tanh written out with its own _backward, and an op chainrule
    # does not know (its own straight line, from its _backward).
    x = Value(0.5, label="x")
    t = Value(np.tanh(0.5), (x,), "tanh")
    t.label = "t"

    def backward():
        x.grad += (1 - t.data**2) * t.grad

    t._backward = backward
    cube = Value(t.data**3, (t,), "cube")

    def cube_backward():
        t.grad += 3 * t.data**2 * cube.grad

    cube._backward = cube_backward
    view = chainrule.live(cube)
    assert names(view.grads)["x"] == pytest.approx(3 * np.tanh(0.5) ** 2 * (1 - np.tanh(0.5) ** 2))
    answer = view.nudge(x, 1e-6)
    assert answer["finite_difference"] == pytest.approx(answer["grad"], rel=1e-4)

    random.seed(1)
    model = MLP(2, [4, 1])
    out = model([Value(0.3), Value(-0.7)])
    view = chainrule.live(out)
    assert view.values[out] == out.data
    w = model.layers[0].neurons[0].w[0]
    answer = view.nudge(w, 1e-6)
    assert answer["finite_difference"] == pytest.approx(answer["grad"], abs=1e-5)


def test_a_lone_value_a_nan_and_the_bound_on_size():
    lone = chainrule.live(Value(3.0, label="w"))
    assert len(lone) == 1 and names(lone.grads) == {"w": 1.0}
    assert json.loads(lone._answer)["schedule"][0]["name"] == "w"

    x = Value(-2.0, label="x")
    y = x.log()
    y.label = "y"
    nf = json.loads(chainrule.live(y * 3)._answer)["non_finite"]
    assert (nf["name"], nf["pass"], nf["value"]) == ("y", "value", "NaN")
    assert "ln of a negative number" in nf["reason"]

    s = Value(0.0)
    for i in range(500):
        s = s + Value(float(i)) * 0.5
    assert 1000 <= len(chainrule.live(s)) <= 2500
    for i in range(9000):
        s = s * 1.0
    with pytest.raises(ValueError, match=r"the live view shows at most 10000: show a smaller part"):
        chainrule.live(s)
    with pytest.raises(TypeError, match="live takes a Value, not float"):
        chainrule.live(3.0)


def test_the_widgets_questions_are_answered_as_the_front_end_asks_them():
    pytest.importorskip("anywidget")
    L, v = chainrule.notebook_graph()
    view = chainrule.live(L)
    w = view.widget
    assert json.loads(bytes(w.answer))["output"]["name"] == "L"
    reply, in_state = view._on_question("given_nudge", {"node": 1, "h": 0.5, "id": 999}, "t-1")
    assert (reply, in_state) == (None, True)
    assert w.request == "t-1" and json.loads(bytes(w.replay))["after"] == -10.0
    reply, _ = view._on_question("given_check", {"hand": [[1, 6.0]]}, "t-2")
    checked = json.loads(reply)["hand"][0]
    assert (checked["right"], checked["mistakes"]) == (False, ["wrong-factor"])
    reply, _ = view._on_question("given_back", {}, "t-3")
    assert json.loads(reply) == {"ok": True} and bytes(w.replay) == b""
    reply, _ = view._on_question("given_nudge", {"node": 9, "h": 1.0}, "t-4")
    assert json.loads(reply)["error"]["message"] == "value 9 is not a leaf"
    # Any other question of the protocol goes to it as it is.
    reply, _ = view._on_question("program", {"source": "a = 2; L = a*a"}, "t-5")
    assert json.loads(reply)["output"]["data"] == 4.0
    view.nudge(v["a"], 1.0)
    reply, _ = view._on_question("apply", {}, "t-6")
    assert json.loads(reply)["ok"] and "7 of your Values" in w.note
    assert L.data == -2.0 and w.version == 2


def test_a_nudge_asked_as_the_widget_asks_it_keeps_the_static_drawing_of_the_replay():
    """The front end asks nudges with ``svg: false`` and gets the cells that changed; the
    static drawing that stands in for the view (saved notebooks, nbconvert) is still the
    replay's, the same as a nudge from Python draws."""
    pytest.importorskip("anywidget")
    L, v = chainrule.notebook_graph()
    view = chainrule.live(L)
    reply, in_state = view._on_question("given_nudge", {"node": 1, "h": 0.001, "svg": False}, "t-1")
    assert (reply, in_state) == (None, True)
    asked = json.loads(bytes(view.widget.replay))
    assert asked["svg"] is None and asked["texts"] is None
    cells = {c[0]: c[1:] for c in asked["cells"]}
    assert cells[1][0].startswith("data -2.9990")   # b, moved by h
    drawn = view.svg()
    assert all(f">{t}<" in drawn for c in cells.values() for t in c)
    view.back()
    view.nudge(v["b"], 0.001)
    assert view.svg() == drawn


def test_the_output_is_the_widget_and_a_static_drawing_where_no_widget_runs(monkeypatch):
    L, _ = chainrule.notebook_graph()
    bundle = chainrule.live(L)._repr_mimebundle_()
    assert bundle["image/svg+xml"].count('class="value') == 7
    assert "grad 6.0000" in bundle["image/svg+xml"]
    if importlib.util.find_spec("anywidget") is not None:
        assert "application/vnd.jupyter.widget-view+json" in bundle
    # Without the extra: no anywidget, the drawing alone.
    monkeypatch.setitem(sys.modules, "anywidget", None)
    monkeypatch.delitem(sys.modules, "chainrule.widget", raising=False)
    view = chainrule.live(L)
    assert view.widget is None
    assert set(view._repr_mimebundle_()) == {"text/plain", "image/svg+xml"}
    w = chainrule.watch([[0.0, 1.0], [1.0, 0.0]], [1, -1], show=False)
    assert w.widget is None
    w.step(0.5, 1.0)
    w.done()
    assert "image/svg+xml" in w._repr_mimebundle_()


def test_the_widgets_module_is_one_file_from_the_pages_own_parts():
    esm, style = _core.widget_files()
    parts = re.findall(r"^// ---- ([\w-]+\.js) ----$", esm, re.M)
    assert sorted(parts) == ["dom.js", "engine-kernel.js", "graph-view.js", "hand-list.js",
                             "node-panel.js", "program-view.js", "stepper.js", "train-view.js",
                             "widget.js"]
    assert parts[-1] == "widget.js" and esm.rstrip().endswith("export default { render };")
    # Nothing fetched at run time: no import left, no address but SVG's namespace.
    assert not re.search(r"^\s*import\b|\bimport\(", esm, re.M)
    assert set(re.findall(r"https?://[^\s\"'`]+", esm)) == {"http://www.w3.org/2000/svg"}
    assert style.startswith("/* The look of the page's modules")


def moons():
    return chainrule.data.moons(100, noise=0.1, generator="sklearn")


def demo_loss(model, X, y):
    inputs = [list(map(Value, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * s).relu() for yi, s in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg = 1e-4 * sum(p * p for p in model.parameters())
    acc = [(yi > 0) == (s.data > 0) for yi, s in zip(y, scores)]
    return data_loss + reg, sum(acc) / len(acc)


def test_micrograds_loop_watched_gives_micrograds_losses_and_its_frames():
    X, y = moons()
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    w = chainrule.watch(X, y, steps=20, show=False)
    losses = []
    for k in range(20):
        total, acc = demo_loss(model, X, y)
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
        losses.append(total.data)
        w.step(total, acc, model)
    w.done()
    assert losses[0] == pytest.approx(0.8958441028683222, abs=1e-12)
    f = json.loads(w._frame)
    assert (f["step"], f["of"], f["playing"]) == (20, 20, False)
    assert [h[1] for h in f["history"]] == losses
    assert f["grid"]["n"] == 32 and len(f["grid"]["scores"]) == 1024
    # The boundary is the model's own score at each cell's centre.
    g = f["grid"]
    x0 = g["x0"] + (g["x1"] - g["x0"]) * 0.5 / 32
    y0 = g["y1"] - (g["y1"] - g["y0"]) * 0.5 / 32
    assert g["scores"][0] == pytest.approx(model([x0, y0]).data, abs=1e-12)
    assert 2 <= w.frames <= 22
    started = json.loads(w._core.started())
    assert len(started["points"]) == 100 and started["classes"] == 2


def test_any_model_callable_on_a_point_draws_the_boundary():
    X, y = moons()
    w = chainrule.watch(X, y, show=False)
    w.step(1.0, 0.5, lambda p: Value(p[0] - p[1]))
    w.done()
    scores = json.loads(w._frame)["grid"]["scores"]
    assert scores[0] < 0 < scores[31]  # top left is x < y, top right x > y
    w2 = chainrule.watch(X, y, show=False)
    w2.step(1.0, None, lambda p: [p[0], p[1], 0.0])  # several outputs: the class picked
    w2.done()
    f = json.loads(w2._frame)
    assert f["multiclass"] and set(f["grid"]["scores"]) <= {0.0, 1.0, 2.0}
    assert f["history"] == [[1, 1.0, "NaN"]]
    with pytest.raises(TypeError, match="loss must be a number or a Value, not str"):
        w.step("high")


def test_the_native_trainer_reports_every_step_to_the_watch():
    X, y = moons()
    w = chainrule.watch(X, y, show=False)
    model, history = chainrule.train(X, y, steps=300, watch=w)
    assert w.steps == 300
    f = json.loads(w._frame)
    assert (f["step"], f["of"], f["playing"], f["accuracy"]) == (300, 300, False, 1.0)
    assert [h[1] for h in f["history"]] == list(history.loss)
    # the boundary of the trained model
    g = f["grid"]
    x0 = g["x0"] + (g["x1"] - g["x0"]) * 0.5 / 32
    y0 = g["y1"] - (g["y1"] - g["y0"]) * 0.5 / 32
    assert g["scores"][0] == model.predict([[x0, y0]])[0]
    # the same training, watched or not
    _, plain = chainrule.train(X, y, steps=300)
    assert list(plain.loss) == list(history.loss)


def test_frames_are_paced_and_their_cost_kept_to_a_share_of_the_loop():
    X, y = moons()
    w = chainrule.watch(X, y, show=False)
    random.seed(2)
    model = MLP(2, [16, 16, 1])
    t0 = time.perf_counter()
    steps = 0
    while time.perf_counter() - t0 < 1.0:
        w.step(1.0, 1.0, model)
        steps += 1
    elapsed = time.perf_counter() - t0
    # at most 20 a second, with the first; and not one per step
    assert 2 <= w.frames <= 20 * elapsed + 2 < steps
    # A frame that costs 10 ms is followed by at least 10/0.07 ms of the loop's own time.
    core = w._core
    core.spent(0.010)
    assert not core.due()
    time.sleep(0.10)
    assert not core.due()
    time.sleep(0.06)
    assert core.due()
