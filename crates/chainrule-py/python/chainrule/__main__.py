"""``python -m chainrule``: the notebook's graph, values, grads and chain rule."""

from chainrule import demo

demo()
