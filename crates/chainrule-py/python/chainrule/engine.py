"""micrograd's ``micrograd.engine``, on chainrule's Rust engine.

``from chainrule.engine import Value`` in place of ``from micrograd.engine import Value``:
the same constructor, attributes, operators, ``_op`` strings, ``_prev`` identity and
``backward()`` accumulation. See ``help(Value)`` for what differs and why.
"""

from chainrule._core import NativeBackward, Value

__all__ = ["Value", "NativeBackward"]
