"""``python -m chainrule``: the notebook's graph, values, grads and chain rule."""

import os
import sys

from chainrule import demo

try:
    demo()
    sys.stdout.flush()
except BrokenPipeError:
    # The reader stopped early (`python -m chainrule | head`): not an error. Point stdout
    # at nothing so that the interpreter's own flush at exit stays quiet too.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(0)
