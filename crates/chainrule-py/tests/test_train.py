"""chainrule.data and the native trainer (chainrule.train, NativeMLP): the datasets, CSV
files, micrograd's demo in native code (the same loss curve as the Python loop from the
same weights), predictions, model files, and clear errors for bad input."""

import copy
import json
import math
import os
import pickle
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from sklearn.datasets import make_moons

import chainrule
from chainrule import NativeMLP, data
from chainrule.engine import Value
from chainrule.nn import MLP

import demo_loop

HERE = os.path.dirname(__file__)


def demo_data():
    """micrograd's demo data: make_moons(100, noise=0.1) after seeding with 1337, as ±1."""
    np.random.seed(1337)
    random.seed(1337)
    X, y = make_moons(n_samples=100, noise=0.1)
    return X, y * 2 - 1


def micrograd_init():
    """micrograd's demo weights: MLP(2, [16, 16, 1]) right after the data, as the demo."""
    demo_data()
    return MLP(2, [16, 16, 1])


# ---------------------------------------------------------------- datasets


def test_moons_shapes_labels_and_seed():
    X, y = data.moons(100, noise=0.1, seed=1337)
    assert X.shape == (100, 2) and X.dtype == np.float64
    assert y.shape == (100,) and y.dtype == np.int64
    assert sorted(set(y.tolist())) == [-1, 1]
    assert (y == 1).sum() == 50
    X2, y2 = data.moons(100, noise=0.1, seed=1337)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    X3, _ = data.moons(100, noise=0.1, seed=1338)
    assert not np.array_equal(X, X3)
    # the arrays are the caller's to change
    X[0, 0] = 42.0
    assert X[0, 0] == 42.0


def test_moons_without_noise_lie_on_their_circles():
    X, y = data.moons(7, noise=0.0, labels="classes")
    assert sorted(y.tolist()) == [0, 0, 0, 1, 1, 1, 1]
    upper = X[y == 0]
    assert np.allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-12)
    lower = X[y == 1]
    assert np.allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, atol=1e-12)


def test_labels_signs_and_classes_are_the_same_split():
    _, signs = data.moons(50, seed=3)
    _, ids = data.moons(50, seed=3, labels="classes")
    assert np.array_equal(signs, ids * 2 - 1)
    assert sorted(set(ids.tolist())) == [0, 1]


def test_circles_radii():
    X, y = data.circles(40, noise=0.0, factor=0.3, seed=2)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.allclose(r[y == -1], 1.0, atol=1e-12)
    assert np.allclose(r[y == 1], 0.3, atol=1e-12)
    assert X.shape == (40, 2) and (y == 1).sum() == 20


def test_blobs_and_spiral_give_class_indices():
    X, y = data.blobs(100, classes=3, seed=5)
    assert X.shape == (100, 2)
    assert np.bincount(y).tolist() == [34, 33, 33]
    X, y = data.spiral(300, classes=3, noise=0.2, seed=0)
    assert np.bincount(y).tolist() == [100, 100, 100]
    assert np.all(np.abs(X) <= 1.0)
    # two classes come as ±1, unless asked for class ids
    _, y2 = data.blobs(10, classes=2, seed=1)
    assert sorted(set(y2.tolist())) == [-1, 1]
    _, y2 = data.blobs(10, classes=2, seed=1, labels="classes")
    assert sorted(set(y2.tolist())) == [0, 1]
    with pytest.raises(ValueError, match="labels='signs' is for two classes, spiral has 3"):
        data.spiral(30, classes=3, labels="signs")


@pytest.mark.parametrize(
    "call, error, text",
    [
        (lambda: data.moons(-1), ValueError, "n must be a whole number from 1"),
        (lambda: data.moons(0), ValueError, "n must be a whole number from 1"),
        (lambda: data.moons(2.5), TypeError, "n must be a whole number, not float"),
        (lambda: data.moons(10, noise=float("nan")), ValueError, "noise must be a finite number"),
        (lambda: data.moons(10, noise=-0.1), ValueError, "noise must be a finite number of at least 0"),
        (lambda: data.moons(10, noise="lots"), TypeError, "noise must be a number, not str"),
        (lambda: data.blobs(10, classes=0), ValueError, "classes must be a whole number from 1"),
        (lambda: data.spiral(10, classes=0), ValueError, "classes must be a whole number from 1"),
        (lambda: data.moons(10, seed=-1), ValueError, "seed must be a whole number from 0"),
        (lambda: data.moons(10, labels="pm1"), ValueError, "labels must be 'auto', 'signs' or 'classes'"),
    ],
)
def test_dataset_arguments_are_checked(call, error, text):
    with pytest.raises(error, match=text):
        call()


# ---------------------------------------------------------------- CSV


def test_csv_round_trip_is_exact(tmp_path):
    for X, y in [data.moons(60, seed=9), data.blobs(30, classes=4, seed=9)]:
        path = tmp_path / "samples.csv"
        data.save_csv(path, X, y)
        X2, y2 = data.load_csv(path)
        assert X2.dtype == np.float64 and X2.shape == X.shape
        assert np.array_equal(X, X2)  # every float64 bit for bit
        assert np.array_equal(y, y2)
    # ±1 labels are written as the format's class ids 0/1
    lines = (tmp_path / "samples.csv").read_text().splitlines()
    assert lines[0] == "x0,x1,label"
    assert os.listdir(tmp_path) == ["samples.csv"]  # no temporary file left behind


def test_csv_with_header_spaces_and_more_features(tmp_path):
    path = tmp_path / "three.csv"
    path.write_text("a, b, c, label\n\n0.5, 1, -2, 2\n 3e-1 ,0,0, 0\n")
    X, y = data.load_csv(str(path))
    assert X.tolist() == [[0.5, 1.0, -2.0], [0.3, 0.0, 0.0]]
    assert y.tolist() == [2, 0]
    _, y = data.load_csv(path, labels="classes")
    assert y.tolist() == [2, 0]


def test_csv_error_names_file_line_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("x,y,label\n1,2,0\n1,oops,1\n")
    with pytest.raises(data.CsvFormatError) as e:
        data.load_csv(path)
    err = e.value
    assert isinstance(err, ValueError)
    assert (err.line, err.column, err.path) == (3, 2, str(path))
    msg = str(err)
    assert msg.startswith(f"{path}, line 3, column 2: \"oops\" is not a number")
    assert "the class label 0, 1, 2" in msg  # and what a line should hold


@pytest.mark.parametrize(
    "text, line, column, says",
    [
        ("1,2,0\n1,2,-1\n", 2, 3, "relabel the classes as 0, 1, 2"),
        ("1,2,0\n1,2\n", 2, 0, "expected 3 fields like the lines before, found 2"),
        ("1,2,0\n1,inf,1\n", 2, 2, "is not a finite number"),
        ("x,y,label\n", 1, 0, "no samples"),
        ("", 1, 0, "no samples"),
    ],
)
def test_csv_errors(tmp_path, text, line, column, says):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(data.CsvFormatError, match=says) as e:
        data.load_csv(path)
    assert (e.value.line, e.value.column) == (line, column)


def test_csv_file_problems(tmp_path):
    missing = tmp_path / "nope.csv"
    with pytest.raises(FileNotFoundError, match="cannot read the CSV file .*nope.csv"):
        data.load_csv(missing)
    binary = tmp_path / "latin1.csv"
    binary.write_bytes(b"1,2,0\n1,\xe9,1\n")
    with pytest.raises(data.CsvFormatError, match="not UTF-8") as e:
        data.load_csv(binary)
    assert e.value.line == 2
    with pytest.raises(TypeError, match="path must be a file path"):
        data.load_csv(42)
    with pytest.raises(ValueError, match="y\\[1\\] is 0.5, not a label"):
        data.save_csv(tmp_path / "out.csv", [[1.0], [2.0]], [0, 0.5])
    assert not (tmp_path / "out.csv").exists()


# ---------------------------------------------------------------- micrograd's demo, native


def test_native_demo_matches_the_python_loop_step_by_step():
    """The strongest check: from micrograd's weights, the native trainer's loss and
    accuracy at every step are the Python loop's (chainrule.nn on Value), and so are the
    trained parameters."""
    curve, python_model = demo_loop.demo(Value, MLP)
    X, y = demo_data()
    model, history = chainrule.train(X, y, init=micrograd_init())
    assert len(history) == 100
    for k, ((loss, acc), nloss, nacc) in enumerate(zip(curve, history.loss, history.accuracy)):
        assert abs(loss - nloss) < 1e-9, (k, loss, nloss)
        assert acc == nacc, (k, acc, nacc)
    python_params = np.array([p.data for p in python_model.parameters()])
    assert np.max(np.abs(model.parameters() - python_params)) < 1e-9
    # micrograd's own numbers, as its notebook prints them
    assert abs(history.loss[0] - 0.8958441028683222) < 1e-9
    assert abs(history.loss[99] - 0.010978370135492717) < 1e-9
    assert history.accuracy[99] == 1.0
    with open(os.path.join(HERE, "data", "micrograd_demo.json")) as f:
        recorded = json.load(f)
    assert np.max(np.abs(history.loss - np.array(recorded["loss"]))) < 1e-9
    assert history.accuracy.tolist() == recorded["accuracy"]
    # micrograd's rate 1.0 - 0.9*k/100
    assert np.array_equal(history.lr, np.array([1.0 - 0.9 * k / 100 for k in range(100)]))


def test_replay_and_rebuild_give_the_same_numbers():
    X, y = demo_data()
    init = micrograd_init()
    a, ha = chainrule.train(X, y, init=init, mode="replay")
    b, hb = chainrule.train(X, y, init=init, mode="rebuild")
    assert np.array_equal(ha.loss, hb.loss) and np.array_equal(a.parameters(), b.parameters())


def test_native_demo_from_its_own_init_reaches_full_accuracy():
    X, y = demo_data()
    model, history = chainrule.train(X, y)
    assert history.accuracy[-1] == 1.0
    assert history.loss[-1] < 0.05 < history.loss[0]
    assert np.all(np.isfinite(history.loss))
    # 0/1 labels are the same two classes as ±1
    _, h01 = chainrule.train(X, (y + 1) // 2)
    assert np.array_equal(h01.loss, history.loss)
    # chainrule's own moons too
    Xc, yc = data.moons(100, noise=0.1)
    _, hc = chainrule.train(Xc, yc)
    assert hc.accuracy[-1] == 1.0


def test_from_mlp_keeps_micrograds_order():
    init = micrograd_init()
    native = NativeMLP.from_mlp(init)
    assert native.parameters().tolist() == [p.data for p in init.parameters()]
    assert native.nouts == [16, 16, 1] and native.nin == 2
    assert native.layers == [(2, 16, "relu"), (16, 16, "relu"), (16, 1, "linear")]
    # and real micrograd's MLP
    import micrograd.nn as mgnn

    random.seed(4)
    mg = mgnn.MLP(3, [4, 2])
    assert NativeMLP.from_mlp(mg).parameters().tolist() == [p.data for p in mg.parameters()]
    with pytest.raises(TypeError, match="from_mlp takes an MLP"):
        NativeMLP.from_mlp([1, 2, 3])


def python_forward(params, X, sizes):
    """The MLP's forward pass in NumPy: relu hidden layers, linear out."""
    a, start = np.asarray(X, dtype=float), 0
    for i, (nin, nout) in enumerate(zip(sizes, sizes[1:])):
        block = params[start : start + nout * (nin + 1)].reshape(nout, nin + 1)
        start += block.size
        a = a @ block[:, :nin].T + block[:, nin]
        if i < len(sizes) - 2:
            a = np.maximum(a, 0.0)
    return a


def test_predictions_agree_with_python_forward_passes():
    X, y = demo_data()
    model, _ = chainrule.train(X, y)
    scores = model.predict(X)
    assert scores.shape == (100,)
    # the same weights in chainrule.nn.MLP, on Values
    mlp = MLP(2, [16, 16, 1])
    for p, w in zip(mlp.parameters(), model.parameters()):
        p.data = float(w)
    python = np.array([mlp(list(map(Value, row))).data for row in X])
    assert np.max(np.abs(scores - python)) < 1e-12
    # and in NumPy
    numpy_scores = python_forward(model.parameters(), X, [2, 16, 16, 1])[:, 0]
    assert np.max(np.abs(scores - numpy_scores)) < 1e-12
    # the scores classify as the history says
    assert np.mean((scores > 0) == (y > 0)) == 1.0
    # micrograd's model(x) on one sample, and on a batch
    assert model(X[3]) == scores[3] and isinstance(model(list(X[3])), float)
    assert np.array_equal(model(X), scores)
    assert model.predict(np.empty((0, 2))).shape == (0,)


def test_multiclass_outputs_and_softmax():
    X, y = data.blobs(120, classes=3, std=1.0, seed=3)  # three blobs apart
    model, history = chainrule.train(X, y, loss="softmax-ce", optimizer="adam", lr=0.05, steps=150)
    assert model.nouts == [16, 16, 3]  # one output per class without nouts
    out = model.predict(X)
    assert out.shape == (120, 3)
    assert history.accuracy[-1] == 1.0 and history.loss[-1] < 0.05
    assert np.max(np.abs(out - python_forward(model.parameters(), X, [2, 16, 16, 3]))) < 1e-12
    assert isinstance(model(X[0]), np.ndarray) and model(X[0]).shape == (3,)
    loss, acc = model.evaluate(X, y, loss="softmax_ce")
    z = out - out.max(axis=1, keepdims=True)
    ce = np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y])
    assert abs(loss - ce) < 1e-12 and acc == np.mean(out.argmax(axis=1) == y)


def test_evaluate_is_the_data_loss_without_l2():
    X, y = demo_data()
    model, history = chainrule.train(X, y, steps=30)
    loss, acc = model.evaluate(X, y)
    scores = model.predict(X)
    assert abs(loss - np.mean(np.maximum(0.0, 1.0 - y * scores))) < 1e-12
    assert acc == np.mean((scores > 0) == (y > 0))


def test_fit_continues_training_and_minibatches_are_seeded():
    X, y = demo_data()
    m = NativeMLP(2, [8, 1], activation="tanh", seed=3)
    h1 = m.fit(X, y, steps=20, batch_size=10, optimizer="momentum", seed=5)
    m2 = NativeMLP(2, [8, 1], activation="tanh", seed=3)
    h2 = m2.fit(X, y, steps=20, batch_size=10, optimizer="momentum", seed=5)
    assert np.array_equal(h1.loss, h2.loss) and np.all(np.isfinite(h1.loss))
    assert np.array_equal(m.parameters(), m2.parameters())
    h3 = m.fit(X, y, steps=5)  # more training, from where it was
    assert h3.loss[0] != h1.loss[0]
    assert not np.array_equal(m.parameters(), m2.parameters())
    assert m.layers[0][2] == "tanh" and m.layers[-1][2] == "linear"


def test_schedules_and_optimizers():
    X, y = demo_data()
    for schedule, first, last in [
        ("constant", 0.5, 0.5),
        ("linear", 0.5, 0.5 - 0.45 * 9 / 10),
        ("step", 0.5, 0.5 * 0.5 ** (9 // 2)),  # halved every 10 // 4 steps
    ]:
        _, h = chainrule.train(X, y, nouts=[4, 1], steps=10, lr=0.5, schedule=schedule)
        assert (h.lr[0], h.lr[-1]) == pytest.approx((first, last), abs=1e-15), schedule
    _, h = chainrule.train(X, y, nouts=[4, 1], steps=10, lr=0.5, schedule="cosine", lr_end=0.0)
    assert h.lr[0] == 0.5 and h.lr[-1] == pytest.approx(0.25 * (1 + math.cos(math.pi * 0.9)))
    for opt in ["sgd", "momentum", "adam", "adamw"]:
        _, h = chainrule.train(X, y, optimizer=opt, steps=60)
        assert h.loss[-1] < h.loss[0], opt
    _, h = chainrule.train(X, y, loss="bce", steps=60)
    assert h.accuracy[-1] > 0.9


# ---------------------------------------------------------------- the model object


def test_save_load_round_trip(tmp_path):
    X, y = demo_data()
    model, _ = chainrule.train(X, y, steps=20)
    path = tmp_path / "model.json"
    model.save(path)
    assert os.listdir(tmp_path) == ["model.json"]
    doc = json.loads(path.read_text())
    assert doc["format"] == "chainrule-mlp" and doc["inputs"] == 2
    assert [layer["activation"] for layer in doc["layers"]] == ["relu", "relu", "linear"]
    back = NativeMLP.load(str(path))
    assert np.array_equal(back.parameters(), model.parameters())
    assert np.array_equal(back.predict(X), model.predict(X))
    assert repr(back) == repr(model) == "NativeMLP(2, [16 relu, 16 relu, 1 linear], 337 parameters)"
    again = NativeMLP.from_json(model.to_json())
    assert np.array_equal(again.parameters(), model.parameters())
    # pickle and copies are independent models
    clone = pickle.loads(pickle.dumps(model))
    assert np.array_equal(clone.parameters(), model.parameters())
    other = copy.deepcopy(model)
    other.fit(X, y, steps=1)
    assert not np.array_equal(other.parameters(), model.parameters())


def test_model_file_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="model file .*missing.json: No such file"):
        NativeMLP.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "chainrule-mlp", "version": 1, "inputs": 3, "layers": '
                   '[{"activation": "linear", "weights": [[1, 2]], "biases": [0.5]}]}')
    with pytest.raises(ValueError, match=r"layers\[0\].weights\[0\]: expected 3 weights"):
        NativeMLP.load(bad)
    with pytest.raises(ValueError, match="not valid JSON"):
        NativeMLP.from_json("{")
    X, y = demo_data()
    diverged = NativeMLP(2, [4, 1])
    h = diverged.fit(X, y * 1.0, steps=5, lr=1e200, schedule="constant")
    assert not np.all(np.isfinite(diverged.parameters())) and not np.isfinite(h.loss[-1])
    with pytest.raises(ValueError, match="not a finite number .*did training diverge"):
        diverged.save(tmp_path / "nan.json")
    assert not (tmp_path / "nan.json").exists()
    with pytest.raises(ValueError, match="a model file cannot hold"):
        diverged.to_json()


def test_a_signal_stops_training_between_steps_keeping_what_was_learned():
    X, y = demo_data()
    model = NativeMLP(2, [16, 16, 1])
    before = model.parameters()

    heard = []

    def stop(signum, frame):
        heard.append(time.perf_counter())
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGALRM, stop)
    start = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        # 100,000 steps take seconds (0.05-0.3 ms each): long past the signal, yet bounded,
        # so a signal that went unheard fails the test instead of hanging it
        with pytest.raises(KeyboardInterrupt):
            model.fit(X, y, steps=100_000)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    # heard between native steps, not once all of them had run
    assert len(heard) == 1 and heard[0] - start < 1.5, heard[0] - start
    assert not np.array_equal(model.parameters(), before)


# ---------------------------------------------------------------- bad input


def good():
    return demo_data()


@pytest.mark.parametrize(
    "kwargs, error, text",
    [
        (dict(X=[1.0, 2.0]), ValueError, r"X must be 2-D.*got shape \(2,\).*reshape\(-1, 1\)"),
        (dict(X=[["a", "b"]] * 100), TypeError, "X must hold numbers"),
        (dict(X=[[1.0, 2.0], [3.0]]), ValueError, "X must be an array of shape"),
        (dict(X=np.full((100, 2), np.nan)), ValueError, r"X\[0, 0\] is NaN: every entry of X must be a finite number; drop or fill in"),
        (dict(X=np.ones((0, 2)), y=[]), ValueError, "X has no rows"),
        (dict(y=np.ones(99)), ValueError, "X has 100 rows but y has 99 labels"),
        (dict(y=np.ones((100, 2))), ValueError, r"y must be 1-D.*got shape \(100, 2\)"),
        (dict(y=np.r_[np.nan, np.ones(99)]), ValueError, r"y\[0\] is NaN: every label must be a number"),
        (dict(y=np.r_[0.5, np.ones(99)]), ValueError, r"y\[0\] is 0.5, not a label"),
        (dict(y=np.r_[-1, 0, np.ones(98)]), ValueError, r"y\[1\] is 0 but other labels are -1"),
        (dict(y=["x"] * 100), TypeError, "y must hold numbers"),
        (dict(activation="gelu"), ValueError, "the activation of layer 0 must be one of .*relu, .*got \"gelu\""),
        (dict(activation=["relu"]), ValueError, "activation lists 1 names for 3 layers"),
        (dict(activation=3), TypeError, "activation must be a name"),
        (dict(loss="hinge"), ValueError, "loss must be one of max-margin, mse, bce, softmax-ce, got \"hinge\""),
        (dict(loss=1), TypeError, "loss must be a name"),
        (dict(nouts=[]), ValueError, "nouts must list at least one layer size"),
        (dict(nouts=[16, 0, 1]), ValueError, r"nouts\[1\] \(a layer size\) must be a whole number from 1"),
        (dict(nouts=16), TypeError, "nouts must be a list of layer sizes"),
        (dict(nouts=[16, 2.5]), TypeError, r"nouts\[1\] must be a whole number"),
        (dict(nouts=[10**6, 1]), ValueError, "must be a whole number from 1 to 100000"),
        (dict(nouts=[16, 16, 2]), ValueError, "max-margin needs a model with 1 output, this one has 2"),
        (dict(loss="softmax-ce", nouts=[16, 1]), ValueError, "the model has 1 outputs, the data has 2 classes"),
        (dict(steps=-1), ValueError, "steps must be a whole number from 1"),
        (dict(steps=1.5), TypeError, "steps must be a whole number"),
        (dict(lr=0.0), ValueError, "lr must be a finite number above 0"),
        (dict(lr=float("inf")), ValueError, "lr must be a finite number above 0"),
        (dict(l2=-1.0), ValueError, "l2 must be a finite number of at least 0"),
        (dict(schedule="exponential"), ValueError, "schedule must be one of constant, linear, step, cosine"),
        (dict(schedule="constant", lr_end=0.1), ValueError, "lr_end is for the linear and cosine schedules"),
        (dict(optimizer="rmsprop"), ValueError, "optimizer must be one of sgd, momentum, adam, adamw"),
        (dict(batch_size=0), ValueError, "batch_size must be a whole number from 1"),
        (dict(batch_size=10, mode="replay"), ValueError, "cannot take a new minibatch each step"),
        (dict(mode="fast"), ValueError, "mode must be one of auto, rebuild, replay"),
        (dict(init=MLP(2, [4, 1]), nouts=[4, 1]), ValueError, "give nouts or init, not both"),
        (dict(seed=2**64), ValueError, "seed must be a whole number from 0 to 2\\*\\*64 - 1"),
    ],
)
def test_bad_training_input_raises_clear_errors(kwargs, error, text):
    X, y = good()
    kwargs = dict(kwargs)
    X, y = kwargs.pop("X", X), kwargs.pop("y", y)
    with pytest.raises(error, match=text):
        chainrule.train(X, y, steps=kwargs.pop("steps", 2), **kwargs)


def test_three_classes_with_a_two_class_loss():
    X, y = data.blobs(30, classes=3)
    with pytest.raises(ValueError, match="max-margin is for two classes, the data has 3; use softmax"):
        chainrule.train(X, y)


def test_predict_and_evaluate_check_their_input():
    model = NativeMLP(2, [4, 1])
    with pytest.raises(ValueError, match="X has 1 features per sample .*takes 2 inputs"):
        model.predict([[1.0], [2.0]])
    with pytest.raises(ValueError, match=r"X\[1, 0\] is inf"):
        model.predict([[1.0, 2.0], [np.inf, 0.0]])
    with pytest.raises(ValueError, match="X has 1 features per sample"):
        model([1.0])
    with pytest.raises(ValueError, match="loss must be one of"):
        model.evaluate([[1.0, 2.0]], [1], loss="l1")
    with pytest.raises(TypeError, match="nin must be a whole number"):
        NativeMLP("2", [4, 1])
    with pytest.raises(ValueError, match=r"nin \(the model's inputs\) must be a whole number from 1"):
        NativeMLP(0, [4, 1])


def test_the_native_core_never_panics_on_raw_input():
    """The extension's own checks hold even without the Python layer's."""
    core = chainrule._core.NativeCore(2, [(4, "relu"), (1, "linear")], 0)
    x = np.ones((3, 2)).tobytes()
    with pytest.raises(ValueError, match="do not hold 4 rows of 2 float64"):
        core.predict(x, 4, 2)
    with pytest.raises(ValueError, match="the bytes are not float64"):
        core.evaluate(x, 3, 2, b"\x00" * 7, "mse")
    with pytest.raises(ValueError, match="the model has 17 parameters, 2 were given"):
        chainrule._core.NativeCore.from_parameters(2, [(4, "relu"), (1, "linear")], b"\x00" * 16)
    with pytest.raises(ValueError, match="graph too large for one step"):
        big = chainrule._core.NativeCore(2, [(100000, "relu"), (1, "linear")], 0)
        big.fit(np.ones((20000, 2)).tobytes(), 20000, 2, np.ones(20000).tobytes(),
                1, "mse", 0.0, "sgd", None, "linear", None, None, 0, "auto")
    with pytest.raises(ValueError, match="n must be a whole number from 1 to 10000000"):
        chainrule._core.data_moons(10**9, 0.1, 0)
    with pytest.raises(ValueError, match="classes must be"):
        chainrule._core.data_spiral(10, 0, 0.1, 0)


def test_import_chainrule_needs_no_numpy():
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'numpy' or name.startswith('numpy.'):\n"
        "            raise ImportError('no numpy here')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import chainrule\n"
        "from chainrule.nn import MLP\n"
        "print(chainrule.Value(2.0) * 3, 'numpy' in sys.modules)\n"
        "try:\n"
        "    chainrule.data.moons()\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = run.stdout.splitlines()
    assert lines[0] == "Value(data=6.0, grad=0.0) False"
    assert "install NumPy (pip install numpy)" in lines[1]


def test_help_is_useful():
    for obj in [chainrule.train, NativeMLP, NativeMLP.fit, NativeMLP.predict, NativeMLP.save,
                NativeMLP.load, NativeMLP.from_mlp, NativeMLP.parameters, NativeMLP.evaluate,
                chainrule.History, data.moons, data.circles, data.blobs, data.spiral,
                data.load_csv, data.save_csv, data.CsvFormatError, data]:
        assert obj.__doc__ and len(obj.__doc__) > 80, obj
    assert "micrograd's demo" in chainrule.train.__doc__
    assert chainrule.data.CsvFormatError.__module__ == "chainrule.data"


def test_docstring_examples_hold():
    import doctest

    import chainrule.native

    for module in [chainrule.native, data]:
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module
