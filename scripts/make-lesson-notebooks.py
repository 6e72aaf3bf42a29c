#!/usr/bin/env python3
"""Writes the lesson notebooks shipped with the Python package
(crates/chainrule-py/python/chainrule/lesson_notebooks/NN-name.ipynb): each built-in lesson
with its own numbers (seed 0), as `chainrule.lessons.notebook(N)` makes it from the lesson
file (crates/chainrule/lessons/, compiled into the library, which the package reads through
its extension), so the lesson files are the one source. Run it after changing a lesson,
with the package built from this checkout (`pip install ./crates/chainrule-py`);
`--check` only says whether the shipped notebooks are up to date (exit 1 if not)."""

import os
import sys

from chainrule import lessons

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "crates", "chainrule-py", "python", "chainrule", "lesson_notebooks")


def main():
    check = "--check" in sys.argv[1:]
    os.makedirs(OUT, exist_ok=True)
    stale = []
    for l in lessons.list():
        path = os.path.join(OUT, f"{l['number']:02d}-{l['name']}.ipynb")
        data = lessons.dumps(lessons.notebook(l["number"], seed=0))
        old = open(path, "rb").read() if os.path.exists(path) else None
        if old == data:
            continue
        stale.append(path)
        if not check:
            tmp = path + ".tmp"
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
    for p in stale:
        print(("out of date: " if check else "wrote ") + os.path.relpath(p), file=sys.stderr)
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
