"""chainrule.lessons: the page's lessons in Python, checked by the engine through the
extension; a learner's own code run (a _backward on the lecture's Value or their own class,
a training loop fixed, on chainrule's engine) and its grads diagnosed; the notebooks shipped
in the package, up to date with the lesson files, executed with a real kernel (blank, and
as a teacher's key with every answer right)."""

import json
import math
import os

import pytest

from chainrule import lessons

NAMES = ["nudge", "notebook", "neuron", "tanh-exp", "twice", "mlp", "training", "pytorch"]


def test_the_lessons_are_listed_as_the_terminal_lists_them():
    ls = lessons.list()
    assert [l["name"] for l in ls] == NAMES
    assert repr(ls).splitlines()[1] == " 2  notebook  The notebook's L by hand"
    assert ls[6]["tasks"] == ["grads", "value", "value", "bug"]


def test_a_seed_gives_everyone_the_same_numbers_and_0_the_lessons_own():
    assert lessons.load(2, seed=0).program.startswith("a = 2; b = -3; c = 10")
    a, b = lessons.load("notebook", seed=42), lessons.load(2, seed=42)
    assert a.program == b.program and a.seed == 42
    assert lessons.load(2, seed=43).program != a.program
    assert repr(a) == "Lesson 2 · The notebook's L by hand (seed 42: 2 tasks)"


def test_grads_are_checked_in_order_and_each_wrong_one_diagnosed():
    l = lessons.load(2)
    c = l.check(0, {"L": 1, "d": 1})
    assert not c and [f["right"] for f in c.items] == [True, False]
    assert c.items[1]["mistakes"] == ["upstream-only"]
    assert "5 more to answer: dL/df" in repr(c)
    # The terminal's example: a lost sign, a grad right given it, the wrong operand.
    c = l.check(0, [1, -2, 4, -2, 2, -6, -6])
    e, a, b = c.items[4:]
    assert e["mistakes"] == ["sign"]
    assert a["follows_from_yours"] and a["mistakes"] == []
    assert b["mistakes"] == ["wrong-factor"]
    assert "Mistake sign: lost a sign" in repr(c)
    # Expressions as the notebook writes them; all right.
    c = l.check(
        0, ["1", "f * L.grad", "d * L.grad", "d.grad", "d.grad", "b * e.grad", "a * e.grad"]
    )
    assert c.right and bool(c)
    with pytest.raises(ValueError, match="task 1 is a nudge task"):
        l.check(1, [1])


def test_a_prediction_is_committed_before_the_change_is_shown():
    l = lessons.load(2)
    assert "Write your prediction first" in repr(l.predict(1, None))
    c = l.predict(1, -8.003)
    assert c.items[0]["mistakes"] == ["local-only"]
    assert "a moves by 0.001: L goes from -8 to -7.994" in repr(c)
    # The first prediction stays.
    c = l.predict(1, -7.994)
    assert not c.right and repr(c).startswith("Your first prediction, -8.003, stays")
    l.again(1)
    assert l.predict(1, -7.994).right


def test_a_shown_answer_is_the_right_one_with_its_step():
    c = lessons.load(2).show(0, 1)
    assert c.shown == "-2" and "dL/dd = d(d*f)/dd = f = -2.0000" in repr(c)


LECTURE_TANH = """
def tanh(self):
    x = self.data
    t = (math.exp(2*x) - 1)/(math.exp(2*x) + 1)
    out = Value(t, (self, ), 'tanh')
    def _backward():
        self.grad += {local} * out.grad
    out._backward = _backward
    return out
"""


def define(code, ns=None):
    """Defines the function in ``code`` as a notebook cell would, in ``ns``."""
    ns = {} if ns is None else ns
    exec(code, ns)
    return ns


def test_a_backward_written_by_the_learner_runs_on_the_lectures_value_and_is_diagnosed():
    l = lessons.load(3, seed=5)
    assert l.check_backward(2, define(LECTURE_TANH.format(local="(1 - t**2)"))["tanh"]).right
    c = l.check_backward(2, define(LECTURE_TANH.format(local="(1 - x**2)"))["tanh"])
    assert not c.right
    wrong = [f for f in c.items if f["mistakes"]]
    assert (
        len(wrong) == 1 and "input-not-output" in wrong[0]["mistakes"] and wrong[0]["name"] == "n"
    )
    # Everything below n follows from it.
    assert all(f["right"] or f["mistakes"] or f["follows_from_yours"] for f in c.items)
    c = l.check_backward(2, define("def tanh(self):\n    return undefined_name\n")["tanh"])
    assert (
        repr(c)
        == "? your code: your code stopped with: NameError: name 'undefined_name' is not defined"
    )


def test_the_lectures_plus_equals_bug_is_named_one_path():
    l = lessons.load("twice")
    add = """
def __add__(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data, (self, other), '+')
    def _backward():
        self.grad {op} 1.0 * out.grad
        other.grad {op} 1.0 * out.grad
    out._backward = _backward
    return out
"""
    c = l.check_backward(1, define(add.format(op="="))["__add__"])
    x = next(f for f in c.items if f["name"] == "x")
    assert "one-path" in x["mistakes"], repr(c)
    assert l.check_backward(1, define(add.format(op="+="))["__add__"]).right


def test_a_backward_on_the_learners_own_value_class_leaves_the_class_as_it_was():
    l = lessons.load(3)
    ns = define(
        json.loads(json.dumps(l._data["lecture_value"]))
        .replace("class Value", "class MyValue")
        .replace("Value(", "MyValue(")
        .replace("isinstance(other, Value)", "isinstance(other, MyValue)")
    )
    MyValue = ns["MyValue"]
    before = dict(vars(MyValue))
    tanh = define(LECTURE_TANH.format(local="(1 - t**2)").replace("Value(", "MyValue("), ns)["tanh"]
    assert l.check_backward(2, tanh, Value=MyValue).right
    assert dict(vars(MyValue)) == before, "the class is put back"


LOOP = """
def loop(n, xs, ys):
    for k in range(20):
        ypred = [n(x) for x in xs]
        loss = sum((yout - ygt)**2 for ygt, yout in zip(ys, ypred))
        {zero}
        loss.backward()
        for p in n.parameters():
            p.data += -0.1 * p.grad
        print(k, loss.data)
"""


def test_a_training_loop_fixed_is_run_on_chainrules_engine_beside_the_fixed_one():
    l = lessons.load("training")
    assert "Line 4" in repr(l.check(3, 4)) and l.check(3, 4).right
    assert not l.check(3, 6).right
    c = l.check_fix(3, define(LOOP.format(zero="pass"))["loop"])
    assert not c and "prints what the loop with the bug prints" in repr(c)
    c = l.check_fix(3, define(LOOP.format(zero="n.zero_grad()"))["loop"])
    assert c.right, repr(c)
    # The fixed loop learns: its losses go down.
    losses = [float(line.split()[1]) for line in c.items[0]["yours"].splitlines()]
    assert len(losses) == 20 and losses[-1] < losses[0] / 4
    c = l.check_fix(3, define(LOOP.format(zero="p.grad = 0.0"))["loop"])
    assert not c.right and repr(c).startswith("✗ Your loop stopped with UnboundLocalError")
    with pytest.raises(ValueError, match="has no fix"):
        lessons.load("pytorch").check_fix(1, print)


def test_the_lessons_graph_hides_what_the_learner_is_asked():
    g = lessons.load(3).graph()
    assert g.svg.count("grad ?") == g.svg.count('class="value')
    assert g.svg.count("data ?") == 2, "n and o are asked in a value task"
    assert "data -6.0000" in g.svg, "x1*w1 is not asked"


BAD = (
    "# Squares\n\n```program\nx = 3\ny = x*x\n```\n\nWhat is dy/dx?\n\n```task grads\nask: z\n```\n"
)


def test_a_lesson_file_with_an_error_is_refused_at_its_line_and_column(tmp_path):
    f = tmp_path / "squares.md"
    f.write_text(BAD)
    with pytest.raises(lessons.LessonError) as e:
        lessons.load(str(f))
    assert (e.value.line, e.value.column) == (11, 6)
    assert str(e.value) == (
        "line 11, column 6: the program has no value `z`\n11 | ask: z\n   |      ^\nhelp: its names are: x, y"
    )
    f.write_text(BAD.replace("ask: z", "ask: x"))
    l = lessons.load(str(f), seed=3)
    assert l.name == "squares" and l.number is None
    assert l.check(0, [6]).right
    with pytest.raises(lessons.LessonError, match='there is no lesson "9"'):
        lessons.load(9)


def test_open_writes_a_notebook_for_the_learner_and_never_over_their_work(tmp_path, monkeypatch):
    p = lessons.open(3, seed=42, path=str(tmp_path / "mine.ipynb"))
    nb = json.load(open(p))
    assert nb["metadata"]["chainrule"] == {"lesson": "neuron", "number": 3, "seed": 42}
    assert "lesson = lessons.load(3, seed=42)" in "".join(nb["cells"][1]["source"])
    with pytest.raises(FileExistsError, match="mine.ipynb exists"):
        lessons.open(3, seed=42, path=p)
    assert [f for f in os.listdir(tmp_path)] == ["mine.ipynb"], "no temporary file left"
    monkeypatch.chdir(tmp_path)
    q = lessons.open(3)
    seed = json.load(open(q))["metadata"]["chainrule"]["seed"]
    assert q == f"03-neuron-seed{seed}.ipynb" and seed > 0
    # A teacher's own lesson file: the notebook carries its text.
    (tmp_path / "squares.md").write_text(BAD.replace("ask: z", "ask: x"))
    r = lessons.open(str(tmp_path / "squares.md"), seed=0)
    assert r == "squares-seed0.ipynb"
    assert "lessons.load(source=LESSON, name='squares', seed=0)" in open(r).read()


def test_the_shipped_notebooks_are_the_lesson_files_as_they_are_now():
    for n, name in enumerate(NAMES, 1):
        p = lessons.path(n)
        assert os.path.basename(p) == f"{n:02d}-{name}.ipynb"
        with open(p, "rb") as f:
            assert f.read() == lessons.dumps(
                lessons.notebook(n)
            ), f"{p} is out of date: run scripts/make-lesson-notebooks.py"


nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def run(nb):
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3").execute()
    out = []
    for c in nb.cells:
        for o in c.get("outputs", []):
            out.append(o.get("text", "") + o.get("data", {}).get("text/plain", ""))
    return "\n".join(out)


@pytest.mark.parametrize("n", range(1, 9))
def test_each_shipped_notebook_runs(n):
    text = run(nbformat.read(lessons.path(n), as_version=4))
    assert f"Lesson {n} · " in text


@pytest.mark.parametrize("n", range(1, 9))
def test_each_lesson_as_a_teachers_key_runs_with_every_answer_right(n, tmp_path):
    p = lessons.open(n, seed=7 * n, path=str(tmp_path / "key.ipynb"), key=True)
    text = run(nbformat.read(p, as_version=4))
    assert "✗" not in text and not any(l.startswith("? ") for l in text.splitlines()), text
    tasks = lessons.load(n).tasks
    checked = sum(len(t["items"]) for t in tasks if t["kind"] != "python")
    assert text.count("✓") >= checked, text
    if n == 8:
        assert "PyTorch is not installed" in text or "x2" in text
