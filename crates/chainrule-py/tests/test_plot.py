"""chainrule.plot: decision boundaries and line charts drawn by the Rust library, from Python."""

import math
import os
import struct
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from chainrule.engine import Value
from chainrule.plot import Plot, decision_boundary, line

SVG = "{http://www.w3.org/2000/svg}"

# Four points either side of the line y = x, labelled as micrograd's demo labels them.
X = [(0.0, 1.0), (1.0, 0.0), (0.2, 0.9), (0.8, 0.1)]
Y = [1, -1, 1, -1]


def above(a, b):
    return b - a


def parse(svg):
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    return root


def points_of(root):
    """The data points drawn: every element whose class has the token "point"."""
    return [e for e in root.iter() if "point" in e.get("class", "").split()]


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_the_svg_parses_and_draws_every_point_once():
    p = decision_boundary(above, X, Y, resolution=20)
    root = parse(p.svg())
    pts = points_of(root)
    assert len(pts) == 4
    assert sorted(int(e.get("data-index")) for e in pts) == [0, 1, 2, 3]
    # -1/1 labels are classes 0 and 1: label 1 is where the score is above 0
    assert [e.get("data-class") for e in sorted(pts, key=lambda e: int(e.get("data-index")))] == [
        "1", "0", "1", "0"]
    assert all(e.tag == SVG + "circle" for e in pts)  # none misclassified
    heat = [e for e in root.iter() if e.get("class") == "heatmap"]
    assert len(heat) == 1 and heat[0].get("data-cells") == "20"
    assert any(e.get("class") == "contour" for e in root.iter())
    assert "misclassified: 0 of 4" in p.svg()
    assert "class -1" in p.svg() and "class 1" in p.svg()


def test_a_hundred_points_of_numpy_data():
    rng = np.random.default_rng(0)
    Xn = rng.normal(size=(100, 2))
    yn = (Xn[:, 0] > 0).astype(np.int64)  # 0/1 labels, as NumPy ints
    p = decision_boundary(lambda a, b: a, Xn, yn, resolution=10)
    pts = points_of(parse(p.svg()))
    assert len(pts) == 100
    assert "class 0" in p.svg()


def test_wrong_points_are_crossed_out():
    p = decision_boundary(lambda a, b: a - b, X, Y, resolution=10)  # every point wrong
    pts = points_of(parse(p.svg()))
    assert len(pts) == 4
    assert all("miss" in e.get("class").split() for e in pts)
    assert "misclassified: 4 of 4" in p.svg()


def test_minus_one_and_zero_one_labels_draw_the_same_picture():
    names = ["no", "yes"]
    a = decision_boundary(above, X, [1, -1, 1, -1], class_names=names, resolution=12).svg()
    b = decision_boundary(above, X, [1, 0, 1, 0], class_names=names, resolution=12).svg()
    c = decision_boundary(above, X, np.array([1.0, 0.0, 1.0, 0.0]), class_names=names,
                          resolution=12).svg()
    assert a == b == c
    assert ">yes<" in a and ">no<" in a


def test_the_score_is_asked_once_per_cell_and_point_and_never_again():
    calls = []

    def score(a, b):
        calls.append((a, b))
        return b - a

    p = decision_boundary(score, X, Y, resolution=10)
    assert len(calls) == 10 * 10 + 4
    assert all(type(a) is float and type(b) is float for a, b in calls)
    p.png()
    p.svg()
    assert len(calls) == 104


def test_a_value_as_the_score():
    p = decision_boundary(lambda a, b: Value(b) - Value(a), X, Y, resolution=10)
    q = decision_boundary(above, X, Y, resolution=10)
    assert p.svg() == q.svg()


def test_a_chainrule_mlp_as_the_score():
    import random

    from chainrule.nn import MLP

    random.seed(3)
    model = MLP(2, [4, 1])
    p = decision_boundary(lambda a, b: model([a, b]).data, X, Y, resolution=8)
    assert len(points_of(parse(p.svg()))) == 4


def test_png_is_a_png_of_the_asked_size():
    p = decision_boundary(above, X, Y, resolution=10, size=(400, 300))
    data = p.png()
    assert isinstance(data, bytes)
    assert png_size(data) == (400, 300)
    assert parse(p.svg()).get("width") == "400"


def test_errors_raised_by_the_score_propagate_and_stop_the_calls():
    calls = []

    def broken(a, b):
        calls.append(1)
        if len(calls) == 7:
            raise ZeroDivisionError("the model broke")
        return a

    with pytest.raises(ZeroDivisionError, match="the model broke"):
        decision_boundary(broken, X, Y, resolution=10)
    assert len(calls) == 7


def test_a_score_that_is_not_a_number_is_a_type_error():
    with pytest.raises(TypeError, match="score must return a number"):
        decision_boundary(lambda a, b: None, X, Y, resolution=4)
    with pytest.raises(TypeError, match="score must return a number.*str"):
        decision_boundary(lambda a, b: "1.0", X, Y, resolution=4)


def test_a_score_with_the_wrong_signature_raises_its_type_error():
    with pytest.raises(TypeError):
        decision_boundary(lambda a: a, X, Y, resolution=4)


def test_non_finite_scores_are_grey_with_a_note():
    p = decision_boundary(lambda a, b: math.nan if a < 0.5 else b - a, X, Y, resolution=10)
    assert "grey: the score is not finite" in p.svg()
    parse(p.svg())


def test_vectorized_calls_the_score_once_with_arrays():
    calls = []

    def score(xs, ys):
        calls.append((xs, ys))
        return ys - xs * xs

    p = decision_boundary(score, X, Y, resolution=15, vectorized=True)
    assert len(calls) == 1
    xs, ys = calls[0]
    assert isinstance(xs, np.ndarray) and xs.dtype == np.float64 and xs.shape == (15 * 15 + 4,)
    assert ys.shape == xs.shape
    q = decision_boundary(lambda a, b: b - a * a, X, Y, resolution=15)
    assert p.svg() == q.svg()


def test_vectorized_score_of_the_wrong_shape_is_a_value_error():
    with pytest.raises(ValueError, match=r"shape \(3,\).*\(20,\)"):
        decision_boundary(lambda xs, ys: np.zeros(3), X, Y, resolution=4, vectorized=True)
    # a column of scores is fine
    decision_boundary(lambda xs, ys: (ys - xs)[:, None], X, Y, resolution=4, vectorized=True)


def test_vectorized_errors_propagate():
    def broken(xs, ys):
        raise KeyError("no model")

    with pytest.raises(KeyError, match="no model"):
        decision_boundary(broken, X, Y, resolution=4, vectorized=True)


def test_save_writes_svg_and_png_and_nothing_else(tmp_path):
    p = decision_boundary(above, X, Y, resolution=10)
    svg_path = tmp_path / "b.svg"
    assert p.save(svg_path) == svg_path
    assert svg_path.read_text() == p.svg()
    p.save(str(tmp_path / "b.png"))
    assert (tmp_path / "b.png").read_bytes() == p.png()
    assert sorted(os.listdir(tmp_path)) == ["b.png", "b.svg"]
    with pytest.raises(ValueError, match=r"\.svg or \.png"):
        p.save(tmp_path / "b.jpg")
    with pytest.raises(FileNotFoundError, match="no-such-dir"):
        p.save(tmp_path / "no-such-dir" / "b.svg")
    assert sorted(os.listdir(tmp_path)) == ["b.png", "b.svg"]


def test_nothing_is_written_unless_asked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    p = decision_boundary(above, X, Y, resolution=10)
    p.svg(), p.png(), p._repr_svg_(), p._repr_mimebundle_()
    line([1.0, 0.5, 0.25]).png()
    assert os.listdir(tmp_path) == []


def test_it_displays_inline_in_jupyter():
    p = decision_boundary(above, X, Y, resolution=10)
    assert isinstance(p, Plot)
    assert p._repr_svg_() == p.svg()
    bundle = p._repr_mimebundle_()
    assert bundle["image/svg+xml"] == p.svg()
    assert "decision boundary of 4 points" in bundle["text/plain"]


def test_range_and_title():
    p = decision_boundary(above, X, Y, resolution=10, range=((-2, 2), (-1, 3)),
                          title="y - x", x_label="first", y_label="second")
    svg = p.svg()
    assert ">y - x<" in svg and ">first<" in svg and ">second<" in svg
    # a point outside the range is not drawn, and a note says so
    p = decision_boundary(above, X + [(5.0, 5.0)], Y + [1], resolution=10,
                          range=((-1, 2), (-1, 2)))
    assert len(points_of(parse(p.svg()))) == 4
    assert "1 point outside the plotted range not drawn" in p.svg()


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (dict(score=3), TypeError, "score must be callable"),
        (dict(X=np.zeros((4, 3))), ValueError, r"X must have shape \(n, 2\).*\(4, 3\)"),
        (dict(X=np.zeros(8)), ValueError, r"X must have shape \(n, 2\)"),
        (dict(X=[(0, 1), (1, 0, 2), (0, 0), (1, 1)]), ValueError, r"X\[1\] has 3 coordinates"),
        (dict(X=[(0, 1), (1, "a"), (0, 0), (1, 1)]), TypeError, r"X\[1\]\[1\] must be a number"),
        (dict(X=[0, 1, 2, 3]), TypeError, r"X\[0\] is int, not a pair"),
        (dict(X=5), TypeError, "X must be an"),
        (dict(y=[1, -1, 1]), ValueError, "y has 3 labels but X has 4 points"),
        (dict(y=[0, 2, 1, 0]), ValueError, r"y\[1\] is 2"),
        (dict(y=[-1, 0, 1, 1]), ValueError, r"y\[1\] is 0.*\[-1, 0, 1\]"),
        (dict(y=[1, 0.5, 1, 0]), ValueError, r"y\[1\] is 0.5"),
        (dict(y=["a", "b", "a", "b"]), TypeError, r"y\[0\] must be a class label"),
        (dict(y=[True, False, True, False]), TypeError, r"y\[0\] must be a class label"),
        (dict(y=None), TypeError, "y must be a sequence"),
        (dict(resolution=1), ValueError, "resolution must be 2 to 500"),
        (dict(resolution=501), ValueError, "resolution must be 2 to 500"),
        (dict(resolution=10.5), TypeError, "resolution must be a whole number"),
        (dict(range=((0, 1), (1, 0))), ValueError, "range: the y range"),
        (dict(range=((0, math.inf), (0, 1))), ValueError, "range: the x range"),
        (dict(range=(0, 1)), TypeError, "range must be"),
        (dict(size=(0, 100)), ValueError, "size must be"),
        (dict(size="big"), TypeError, "size must be a pair"),
        (dict(class_names=["only one"]), ValueError, "class_names must be two names"),
    ],
)
def test_bad_input_names_the_argument(kwargs, error, words):
    args = dict(score=above, X=X, y=Y)
    args.update({k: v for k, v in kwargs.items() if k in args})
    rest = {k: v for k, v in kwargs.items() if k not in args}
    with pytest.raises(error, match=words):
        decision_boundary(args["score"], args["X"], args["y"], resolution=rest.pop("resolution", 4),
                          **rest)


def test_the_native_function_checks_too():
    from chainrule import _core

    common = dict(title="t", x_label="x", y_label="y", class_names=[], size=(400, 300),
                  range=None, resolution=10, vectorized=False)
    with pytest.raises(TypeError, match="score must be callable"):
        _core.decision_boundary(1, X, [1, 0, 1, 0], **common)
    with pytest.raises(ValueError, match="label 2"):
        _core.decision_boundary(above, X, [1, 0, 2, 0], **common)
    with pytest.raises(ValueError, match="4 points but 3 labels"):
        _core.decision_boundary(above, X, [1, 0, 1], **common)


def test_line_chart_of_a_loss_curve():
    losses = [1 / (1 + k) for k in range(100)]
    p = line(losses, title="Training loss", y_label="loss", log=True)
    root = parse(p.svg())
    series = [e for e in root.iter() if e.get("class") == "series"]
    assert len(series) == 1 and series[0].get("data-points") == "100"
    assert ">Training loss<" in p.svg() and ">step<" in p.svg()
    assert png_size(p.png()) == (640, 400)
    assert p._repr_svg_() == p.svg()


def test_line_chart_of_several_series_and_pairs():
    p = line({"train": [3, 2, 1], "test": [(0, 3.5), (2, 2.5)]}, size=(500, 300))
    root = parse(p.svg())
    series = {e.get("data-name"): e.get("data-points") for e in root.iter()
              if e.get("class") == "series"}
    assert series == {"train": "3", "test": "2"}
    assert png_size(p.png()) == (500, 300)


def test_line_chart_skips_what_it_cannot_show():
    p = line([1.0, math.nan, 0.0, 0.5], log=True)
    assert "not finite" in p.svg() and "log scale" in p.svg()


@pytest.mark.parametrize(
    "data, words",
    [
        (3, "must be a sequence"),
        ("abc", "must be a sequence"),
        ([1, "a"], "item 1 must be a number or an"),
        ({"loss": [1, (1, 2, 3)]}, "series 'loss': item 1"),
    ],
)
def test_line_chart_bad_input_is_a_type_error(data, words):
    with pytest.raises(TypeError, match=words):
        line(data)
