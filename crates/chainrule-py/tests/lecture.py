"""The lecture's own code, as learners write it in their Value class, for the tests to run
on chainrule's Values."""


def build_topo(root):
    """The lecture's build_topo: the nodes below ``root`` in a recursive post-order,
    children before parents, each once (a ``visited`` set of the very objects)."""
    topo, visited = [], set()

    def build(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build(child)
            topo.append(v)

    build(root)
    return topo


def backward(root):
    """The lecture's ``Value.backward``: ``build_topo``, the root's grad set to 1, then
    each node's ``_backward()`` in reverse order. Returns the order."""
    topo = build_topo(root)
    root.grad = 1.0
    for node in reversed(topo):
        node._backward()
    return topo
