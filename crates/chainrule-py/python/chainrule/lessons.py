"""chainrule's lessons in Jupyter: the notebook's and the lecture's path, every task checked
by the engine and every wrong grad diagnosed (which known mistake gives that number).

The lessons are the ones the page and ``chainrule learn`` give, as notebooks shipped with
the package (one per lesson, with the lesson's own numbers, written by
``scripts/make-lesson-notebooks.py`` from the lesson files). :func:`open` writes one out
for a learner, with numbers of their own or a teacher's seed::

    from chainrule import lessons
    lessons.list()                    # the lessons, one a line
    lessons.open(3)                   # 03-neuron-seed….ipynb here, new numbers
    lessons.open(3, seed=42)          # a teacher's seed: everyone gets the same numbers
    lessons.open("my-lesson.md")      # a teacher's own lesson file

In a notebook, :func:`load` gives a :class:`Lesson` whose methods check each task: grads
and values (:meth:`Lesson.check`), a nudge predicted before it is shown
(:meth:`Lesson.predict`), a ``_backward`` the learner writes, run on the lecture's ``Value``
or their own class (:meth:`Lesson.check_backward`), the line of a bug and a training loop
fixed and run on chainrule's engine (:meth:`Lesson.check_fix`). The checks are the page
protocol's (``chainrule_page``, through the extension): the same answers everywhere.
"""

import ast
import builtins
import contextlib
import html as _html
import io
import json
import math
import os
import random
import re
import traceback
import types

from chainrule import _core
from chainrule.draw import _write_atomic

__all__ = ["list", "load", "open", "notebook", "dumps", "path", "Lesson", "Checked", "LessonError"]

_HERE = os.path.dirname(os.path.abspath(__file__))
#: Where the shipped notebooks are: one per built-in lesson, with its own numbers.
NOTEBOOKS = os.path.join(_HERE, "lesson_notebooks")


class LessonError(ValueError):
    """A lesson that cannot be read, or a question the engine refused: the message, and
    for a lesson file its ``line`` and ``column`` (1-based) and ``help``."""

    def __init__(self, error, source=None):
        self.message = error.get("message", "refused")
        self.line = error.get("line")
        self.column = error.get("column")
        self.help = error.get("help")
        text = self.message
        if self.line:
            text = f"line {self.line}, column {self.column}: {text}"
            if source is not None:
                row = (
                    source.split("\n")[self.line - 1] if self.line <= source.count("\n") + 1 else ""
                )
                pad = " " * len(str(self.line))
                marks = "^" * (error.get("length") or 1)
                text += f"\n{self.line} | {row}\n{pad} | {' ' * (self.column - 1)}{marks}"
        if self.help:
            text += f"\nhelp: {self.help}"
        super().__init__(text)


def _ask(name, request, source=None):
    status, text = _core.lesson_ask(name, json.dumps(request))
    answer = json.loads(text)
    if status != 200:
        raise LessonError(answer["error"], source)
    return answer


class _Catalogue(builtins.list):
    """The built-in lessons: a list of dicts (number, name, title, summary, tasks) that
    prints one lesson a line, as ``chainrule learn --list`` does."""

    def __repr__(self):
        return "\n".join(f"{l['number']:>2}  {l['name']:<9} {l['title']}" for l in self)


def list():
    """The built-in lessons, in order: number, name, title, summary and task kinds each.

    >>> from chainrule import lessons
    >>> [l["name"] for l in lessons.list()][:2]
    ['nudge', 'notebook']
    """
    return _Catalogue(_ask("lessons", {})["lessons"])


def _which(lesson):
    """The request naming ``lesson``: a built-in one's number or name, or a lesson file's
    path (``.md``), read here."""
    if isinstance(lesson, int) or (isinstance(lesson, str) and not _is_file(lesson)):
        return {"lesson": str(lesson)}, None
    path_ = os.fspath(lesson)
    with builtins.open(path_, encoding="utf-8") as f:
        source = f.read()
    # Its name as `chainrule learn --file` takes it (the seed mixes it in).
    name = os.path.splitext(os.path.basename(path_))[0] or "lesson"
    return {"source": source, "name": name}, source


def _is_file(text):
    return text.endswith((".md", ".markdown", ".txt")) or os.sep in text


def load(lesson=None, seed=0, *, source=None, name="lesson"):
    """The :class:`Lesson` ``lesson`` (a built-in one's number or name, or a lesson file's
    path) with the numbers of ``seed`` (0: the lesson's own; the same seed gives everyone
    the same numbers). ``source`` gives a lesson file's text instead, ``name`` its name.
    A lesson with an error raises :class:`LessonError` at its line and column."""
    if source is not None:
        which, text = {"source": source, "name": name}, source
    else:
        which, text = _which(lesson)
    return Lesson(which, int(seed), text)


class Lesson:
    """One lesson with its numbers: its ``title``, ``number`` (None for a lesson file),
    ``seed``, ``program`` and ``tasks`` (what each asks, no answers), and a method per
    kind of task that checks the learner's answers with the engine."""

    def __init__(self, which, seed, source=None):
        self._which = which
        self._data = _ask("lesson", {**which, "seed": seed}, source)
        self._predictions = {}
        self._key = None
        self.seed = self._data["seed"]
        self.name = self._data["lesson"]
        self.title = self._data["title"]
        self.number = self._data["number"]
        self.program = self._data["program"]
        self.tasks = self._data["tasks"]

    def __repr__(self):
        n = f"Lesson {self.number}" if self.number else "Your lesson"
        return f"{n} · {self.title} (seed {self.seed}: {len(self.tasks)} tasks)"

    def _repr_markdown_(self):
        return f"**{_html.escape(repr(self))}**"

    def _answers(self):
        """The lesson's right answers and code solutions (asked for when code is run)."""
        if self._key is None:
            self._key = _ask("lesson", {**self._which, "seed": self.seed, "with_answers": True})
        return self._key

    def _task(self, task, *kinds):
        if not 0 <= task < len(self.tasks):
            raise IndexError(f"this lesson's tasks are 0 to {len(self.tasks) - 1}, not {task}")
        t = self.tasks[task]
        if kinds and t["kind"] not in kinds:
            raise ValueError(
                f"task {task} is a {t['kind']} task; this checks {' or '.join(kinds)} tasks"
            )
        return t

    def _check(self, task, **body):
        a = _ask("lesson_check", {**self._which, "seed": self.seed, "task": task, **body})
        return Checked(a, self.tasks[task])

    # ---- tasks ----------------------------------------------------------------------

    def check(self, task, answers):
        """Checks a grads or values task's ``answers``, in the order asked: a list, or a
        dict by name, each a number or an expression in the program's language (``f *
        L.grad``: names are values, ``x.grad`` your earlier answers); it stops at the first
        ``None``. A wrong grad is diagnosed, judged from your own earlier grads. For a bug
        task, ``answers`` is the line of the bug. Returns :class:`Checked`."""
        t = self._task(task)
        if t["kind"] == "bug":
            if answers is None:
                return Checked.say("Write the line of the bug first.")
            return self._check(task, answers=[str(answers)])
        self._task(task, "grads", "value")
        if isinstance(answers, dict):
            answers = [answers.get(n) for n in t["ask"]]
        given = []
        for a in answers:
            if a is None:
                break
            given.append(_text(a))
        return self._check(task, answers=given)

    def predict(self, task, prediction):
        """A nudge task: your ``prediction`` of the output after the value moves by h,
        committed before the real change is shown. The first prediction stays: another
        one is not checked (``again(task)`` to predict afresh). Returns :class:`Checked`."""
        self._task(task, "nudge")
        if prediction is None:
            return Checked.say(f"Write your prediction first: {self.tasks[task]['items'][0]} = ?")
        first = self._predictions.setdefault(task, prediction)
        checked = self._check(task, answers=[_text(first)])
        if first != prediction:
            checked.lines.insert(
                0,
                f"Your first prediction, {first}, stays (lesson.again({task}) to predict afresh).",
            )
        return checked

    def again(self, task):
        """Forgets the prediction committed for ``task``."""
        self._predictions.pop(task, None)

    def show(self, task, item=0):
        """The right answer to item ``item`` of ``task``, with its step written out."""
        self._task(task, "grads", "value", "nudge", "bug")
        right = self._answers()["tasks"][task]["right"]
        return self._check(task, answers=right[:item] + [""], show=True)

    def check_backward(self, task, fn, Value=None):
        """A python task: your function ``fn`` (the ``tanh``, ``exp`` or ``__add__`` of the
        task's template) is run on the lesson's graph with the lecture's ``Value`` (or your
        own class, ``Value=``, which is put back as it was afterwards), and every grad
        backward gives is checked and diagnosed. Returns :class:`Checked`."""
        t = self._task(task, "python")
        # Your function runs with your notebook's names, `Value` the class it is run on.
        ns = dict(fn.__globals__)
        if Value is None:
            exec(self._data["lecture_value"], ns)
        else:
            ns["Value"] = Value
        ns.update(json=json, math=math)
        ns[fn.__name__] = types.FunctionType(
            fn.__code__, ns, fn.__name__, fn.__defaults__, fn.__closure__
        )
        with _restored(Value):
            out, err = _run(t["run"], ns)
        return self._check(task, stdout=out, stderr=err)

    def check_fix(self, task, fn):
        """A bug task with a fix: your function ``fn`` (the loop, fixed) is called with the
        values the task's setup makes (by its parameters' names: ``n``, ``xs``, ``ys``),
        on chainrule's engine, and what it prints is compared with the fixed loop's, line
        by line. Returns :class:`Checked`."""
        t = self._task(task, "bug")
        if not t.get("fix"):
            raise ValueError(
                f"task {task} has no fix to run: check its line with lesson.check({task}, LINE)"
            )
        key = self._answers()["tasks"][task]
        ns = {}
        _, err = _run(t["setup"], ns)
        if err:
            raise RuntimeError(f"the task's setup failed: {err}")
        import inspect

        args = {p: ns[p] for p in inspect.signature(fn).parameters if p in ns}
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                fn(**args)
            yours, failed = out.getvalue(), None
        except Exception as e:  # the learner's code: say how it stopped
            yours, failed = out.getvalue(), f"{type(e).__name__}: {e}"
        fixed = _run(t["setup"] + "\n" + key["solution"], {})[0]
        buggy = _run(t["setup"] + "\n" + t["code"], {})[0]
        why = self._check(task, answers=[key["right"][0]]).items[0]["reveal"]
        return Checked.fix(yours, failed, fixed, buggy, why)

    def run_torch(self):
        """Runs the lesson's PyTorch code where ``torch`` is installed, printing what it
        prints; otherwise says so."""
        code = [p["code"] for p in self._data["parts"] if p["kind"] == "torch"]
        try:
            import torch  # noqa: F401
        except ImportError:
            print(
                "PyTorch is not installed here (pip install torch), so its code is shown, not run."
            )
            return
        for c in code:
            exec(c, {})

    def graph(self, of=None):
        """The lesson's graph as chainrule draws it (the graph of ``of``, default the
        program's last value), with every grad, and every value a task asks for, as
        ``?``: for you to find."""
        a = _ask("program", {"source": self.program, "hand": [], **({"of": of} if of else {})})
        asked = {n for t in self.tasks if t["kind"] == "value" for n in t["ask"]}
        return _Masked(_mask(a["svg"], asked))


class _Masked:
    def __init__(self, svg):
        self.svg = svg

    def _repr_svg_(self):
        return self.svg

    def __repr__(self):
        return "<the lesson's graph, its grads for you to find>"


def _mask(svg, asked):
    """The engine's drawing with every grad cell as ``grad ?`` and the data of the values
    in ``asked`` as ``data ?``."""

    def value(m):
        g = m.group(0)
        label = re.search(r'<text class="cell cell-label"[^>]*>([^<]*)</text>', g)
        g = re.sub(r'(<text class="cell"[^>]*>)grad [^<]*(</text>)', r"\1grad ?\2", g)
        if label and _html.unescape(label.group(1)) in asked:
            g = re.sub(r'(<text class="cell"[^>]*>)data [^<]*(</text>)', r"\1data ?\2", g)
        return g

    return re.sub(r'<g class="value[^"]*"[^>]*>.*?</g>', value, svg, flags=re.S)


@contextlib.contextmanager
def _restored(cls):
    """Puts class ``cls`` back as it was after a task's graph patched it."""
    if cls is None:
        yield
        return
    before = dict(vars(cls))
    try:
        yield
    finally:
        for k in [k for k in vars(cls) if k not in before]:
            delattr(cls, k)
        for k, v in before.items():
            if vars(cls).get(k) is not v:
                setattr(cls, k, v)


def _text(answer):
    """An answer as the engine reads it: text as it is, a number written out in full."""
    if isinstance(answer, str):
        return answer
    return str(answer) if isinstance(answer, int) else repr(float(answer))


def _run(code, ns):
    """Runs ``code`` in ``ns``: what it printed, and how it stopped (the traceback's text)
    or ''."""
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "<lesson>", "exec"), ns)
        return out.getvalue(), ""
    except Exception:  # the learner's code: its traceback is the answer
        return out.getvalue(), traceback.format_exc()


class Checked:
    """The engine's verdict on a task's answers: ``right`` (every answer right),
    ``items`` (one feedback per answer: right, expected, mistakes, follows_from_yours,
    text: the diagnosis, reveal: the right step) and the lines it prints."""

    def __init__(self, answer, task=None):
        self.items = answer.get("feedback", [])
        self.right = bool(answer.get("complete"))
        self.shown = answer.get("shown")
        self.lines = []
        asked = len(task["items"]) if task and task["kind"] in ("grads", "value") else None
        for f in self.items:
            self.lines += _said(f)
            if task and task["kind"] == "nudge" and not f["right"] and f["value"] is not None:
                self.lines += [f"    {l}" for l in f["reveal"]]  # committed: the real change
        if asked and len(self.items) < asked:
            self.lines.append(
                f"{asked - len(self.items)} more to answer: {', '.join(task['items'][len(self.items):])}."
            )

    @classmethod
    def say(cls, line, right=False):
        c = cls({})
        c.lines, c.right = [line], right
        return c

    @classmethod
    def fix(cls, yours, failed, fixed, buggy, why):
        """A fixed loop's run against the fixed loop's and the buggy one's."""
        same = _same_numbers(yours, fixed)
        c = cls({})
        c.right = same and not failed
        if c.right:
            c.lines = ["✓ Right: your loop prints what the fixed loop prints, line for line."] + why
        elif failed:
            c.lines = [f"✗ Your loop stopped with {failed}."]
        elif _same_numbers(yours, buggy):
            c.lines = ["✗ Your loop prints what the loop with the bug prints: it is not fixed yet."]
        else:
            c.lines = ["✗ " + _first_difference(yours, fixed)]
        c.items = [{"right": c.right, "yours": yours, "fixed": fixed}]
        return c

    def __bool__(self):
        return self.right

    def __repr__(self):
        return "\n".join(self.lines)

    def _repr_html_(self):
        return f'<pre class="chainrule">{_html.escape(repr(self))}</pre>'


def _said(f):
    """One answer's feedback as lines: the verdict, the diagnosis, the step."""
    q = f.get("question") or f.get("name") or "your answer"
    if f["right"]:
        return [f"✓ {q} = {f['answer']}: right"] + [f"    {l}" for l in f["reveal"]]
    if f["value"] is None:
        return [f"? {q}: {' '.join(f['text'])}"]
    return [f"✗ {q} = {f['answer']}: not right"] + [f"    {l}" for l in f["text"]]


def _numbers(text):
    return [
        [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", line)]
        for line in text.splitlines()
    ]


def _same_numbers(a, b):
    na, nb = _numbers(a), _numbers(b)
    return len(na) == len(nb) and all(
        len(x) == len(y)
        and all(math.isclose(p, q, rel_tol=1e-9, abs_tol=1e-12) for p, q in zip(x, y))
        for x, y in zip(na, nb)
    )


def _first_difference(yours, fixed):
    a, b = yours.splitlines(), fixed.splitlines()
    for k, (x, y) in enumerate(zip(a, b)):
        if not _same_numbers(x, y):
            return f"line {k + 1} of what your loop prints is {x!r}; the fixed loop prints {y!r}."
    return f"your loop prints {len(a)} lines; the fixed loop prints {len(b)}."


# ---- notebooks ---------------------------------------------------------------------------


def path(lesson):
    """The shipped notebook of built-in lesson ``lesson`` (its number or name), with the
    lesson's own numbers (seed 0)."""
    a = _ask("lesson", {"lesson": str(lesson)})
    return os.path.join(NOTEBOOKS, f"{a['number']:02d}-{a['lesson']}.ipynb")


def open(lesson, seed=None, path=None, overwrite=False, key=False):
    """Writes lesson ``lesson`` (a built-in one's number or name, or a lesson file's path)
    as a notebook for a learner and returns its path: with new numbers (``seed=None``, a
    seed drawn and written in the notebook), a teacher's (``seed=42``: everyone gets the
    same numbers) or the lesson's own (``seed=0``). ``path`` defaults to
    ``NN-name-seedS.ipynb`` here; an existing file is not replaced unless ``overwrite``.
    ``key=True`` fills in the right answers: a teacher's answer key."""
    if seed is None:
        seed = random.SystemRandom().randrange(1, 2**32)
    nb = notebook(lesson, seed, key=key)
    meta = nb["metadata"]["chainrule"]
    if path is None:
        number = f"{meta['number']:02d}-" if meta["number"] else ""
        path = f"{number}{meta['lesson']}-seed{seed}{'-key' if key else ''}.ipynb"
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(f"{path} exists (your work?): give another path=, or overwrite=True")
    return _write_atomic(path, dumps(nb))


def dumps(nb):
    """A notebook (a dict) as the bytes of its ``.ipynb`` file, as the shipped ones are."""
    return (json.dumps(nb, indent=1, ensure_ascii=False) + "\n").encode()


def notebook(lesson, seed=0, key=False):
    """Lesson ``lesson`` with the numbers of ``seed`` as a notebook (nbformat 4, a dict):
    its text as Markdown cells, its graph, and a cell per task that checks your answers
    with the engine. ``key=True`` fills in the right answers."""
    which, source = _which(lesson)
    return _Notebook(Lesson(which, int(seed), source), which, key).build()


def _md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": _lines(text)}


def _code(text):
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": _lines(text),
    }


def _lines(text):
    lines = text.strip("\n").split("\n")
    return [l + "\n" for l in lines[:-1]] + lines[-1:]


def _literal(text):
    """``text`` as a Python string literal, raw and triple-quoted where it can be."""
    if "'''" not in text and not text.endswith("\\") and "\\" not in text:
        return "'''" + text + "'''"
    return repr(text)


class _Notebook:
    def __init__(self, lesson, which, key):
        self.l = lesson
        self.which = which
        self.key = lesson._answers()["tasks"] if key else None

    def build(self):
        l = self.l
        cells = [_md(self.head()), _code(self.setup())]
        for p in l._data["parts"]:
            if p["kind"] == "text":
                cells.append(_md(p["text"]))
            elif p["kind"] == "program":
                cells.append(
                    _md(
                        "The program, in chainrule's language:\n\n```\n"
                        + p["text"].rstrip("\n")
                        + "\n```"
                    )
                )
                cells.append(_code("lesson.graph()   # the graph: its grads are for you to find"))
            elif p["kind"] == "torch":
                cells.append(_md("```python\n" + p["code"].rstrip("\n") + "\n```"))
                cells.append(
                    _code("lesson.run_torch()   # runs the code above where PyTorch is installed")
                )
            else:
                cells += self.task(p["index"])
        nxt = (
            f"lessons.open({l.number + 1})"
            if l.number and l.number < len(list())
            else "lessons.list()"
        )
        cells.append(_md(f"Every task done? The next lesson: `{nxt}`."))
        meta = {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "chainrule": {"lesson": l.name, "number": l.number, "seed": l.seed},
        }
        for i, c in enumerate(cells):
            c["id"] = f"{l.name}-{i}"
        return {"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": 5}

    def head(self):
        l = self.l
        n = f"Lesson {l.number}" if l.number else "Your lesson"
        numbers = "the lesson's own numbers" if l.seed == 0 else f"the numbers of seed {l.seed}"
        again = (
            f"lessons.open({l.number}, seed=...)"
            if l.number
            else 'lessons.open("FILE.md", seed=...)'
        )
        key = " This copy has the right answers filled in: a teacher's key." if self.key else ""
        return (
            f"# {n} · {l.title}\n\n"
            f"With {numbers}: the same seed gives everyone the same numbers, and `{again}` "
            "writes this lesson with others. Run the cells in order; each task's cell checks "
            "your answers with chainrule's engine, and a wrong grad is diagnosed: which known "
            f"mistake gives that number.{key}"
        )

    def setup(self):
        l = self.l
        if "source" in self.which:
            return (
                "from chainrule import lessons\n\n"
                f"LESSON = {_literal(self.which['source'])}\n"
                f"lesson = lessons.load(source=LESSON, name={self.which['name']!r}, seed={l.seed})\nlesson"
            )
        return f"from chainrule import lessons\n\nlesson = lessons.load({l.number}, seed={l.seed})\nlesson"

    def right(self, t):
        return self.key[t]["right"] if self.key else None

    def task(self, t):
        task = self.l.tasks[t]
        cells = [_md(f"**Task {t + 1}.** " + task["prompt"])] if task["prompt"] else []
        kind = task["kind"]
        if kind in ("grads", "value"):
            right = self.right(t)
            rows = [
                f"    {n!r}: {right[k]!r},  # {q}" if right else f"    {n!r}: None,  # {q}"
                for k, (n, q) in enumerate(zip(task["ask"], task["items"]))
            ]
            what = "a number or an expression (`f * L.grad`)" if kind == "grads" else "a number"
            cells.append(
                _code(
                    f"# {what} for each, in order; None: not yet\nanswers = {{\n"
                    + "\n".join(rows)
                    + f"\n}}\nlesson.check({t}, answers)"
                )
            )
        elif kind == "nudge":
            right = self.right(t)
            cells.append(
                _code(
                    f"prediction = {right[0] if right else None}"
                    f"   # {task['items'][0]}: your number, before you see it\n"
                    f"lesson.predict({t}, prediction)"
                )
            )
        elif kind == "bug":
            numbered = "\n".join(
                f"{k + 1:>2} | {line}"
                for k, line in enumerate(task["code"].rstrip("\n").split("\n"))
            )
            cells.append(_md("```\n" + numbered + "\n```"))
            right = self.right(t)
            cells.append(
                _code(
                    f"line = {right[0] if right else None}   # the line of the bug\nlesson.check({t}, line)"
                )
            )
            if task.get("fix"):
                cells += self.fix(t, task)
        elif kind == "python":
            code = self.key[t]["solution"] if self.key else task["code"]
            fn = _function_name(task["code"])
            cells.append(_code(code.rstrip("\n") + f"\n\nlesson.check_backward({t}, {fn})"))
            cells.append(
                _md(
                    "It runs on the lecture's `Value`. On a `Value` class of your own: "
                    f"`lesson.check_backward({t}, {fn}, Value=MyValue)`."
                )
            )
        return cells

    def fix(self, t, task):
        code = self.key[t]["solution"] if self.key else task["code"]
        params = _used(task["setup"], task["code"])
        body = "\n".join("    " + line if line else "" for line in code.rstrip("\n").split("\n"))
        return [
            _md(
                "Now fix it. The loop runs on chainrule's own engine with what this makes "
                f"({', '.join(f'`{p}`' for p in params)}), and what it prints is compared with "
                "the fixed loop's:\n\n```python\n" + task["setup"].rstrip("\n") + "\n```"
            ),
            _code(f"def loop({', '.join(params)}):\n{body}\n\n\nlesson.check_fix({t}, loop)"),
        ]


def _function_name(code):
    """The name of the first function ``code`` defines (the template's)."""
    for node in ast.parse(code).body:
        if isinstance(node, ast.FunctionDef):
            return node.name
    raise ValueError("the python task's template defines no function")


def _used(setup, code):
    """The names ``setup`` binds that ``code`` reads, in the setup's order."""
    bound = []
    for node in ast.parse(setup).body:
        if isinstance(node, ast.Assign):
            bound += [t.id for t in node.targets if isinstance(t, ast.Name)]
    read = {n.id for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Name)}
    return [n for n in bound if n in read]
