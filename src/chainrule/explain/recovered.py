"""What a drawing can still know about values and gradients that autograd did not keep.

A plain ``loss.backward()`` stores only the leaves' ``.grad`` (and the gradient of
a tensor on which ``retain_grad()`` was called), and frees the values ops saved
for it. A graph drawn afterwards shows those, reads the values of ops from the
caller's variables that hold them (``y_pred``), and marks the rest as not
recorded rather than guessing; ``explain.backward`` records every gradient.
"""
import weakref

from .._tensor import TensorBase

# autograd Node -> the graph explain.backward drew and filled in for it (while it lives)
RECORDED = weakref.WeakKeyDictionary()


def remember(graph):
    """Keep what ``explain.backward`` recorded, so that a graph drawn later shows it."""
    for n in graph.nodes:
        if n.kind == "op":
            RECORDED[n.obj] = graph


def _key(n):
    return id(n.obj) if n.kind != "constant" else (id(n.obj), n.slots[0])


def _recall(nodes):
    """Values, saved operands and gradients that ``explain.backward`` recorded for these
    ops (backward freed autograd's own copies)."""
    root = nodes[0]
    recorded = RECORDED.get(root.obj) if root.kind == "op" else None
    if recorded is None:
        return
    known = {_key(n): n for n in recorded.nodes}
    for n in nodes:
        old = known.get(_key(n))
        if old is None:
            continue
        n.value = old.value if n.value is None else n.value
        n.saved = old.saved if n.saved is None else n.saved
        n.grad, n.label, n.inferred = old.grad, old.label or n.label, old.inferred
        if n.kind == "constant" and old.named:   # its name came from what the op saved
            n.name, n.named = old.name, True


NOT_RECORDED = "not recorded (use explain.backward)"


def _after_backward(nodes):
    """After a plain ``loss.backward()``: what is still known about the gradients.

    A leaf keeps its ``.grad`` and a tensor on which ``retain_grad()`` was called
    keeps its own; autograd stores no other gradient, so the other ops say so
    (``explain.backward`` records them all while backward runs).
    """
    ops = [n for n in nodes if n.kind == "op"]
    if not any(n.obj._freed or _retained_grad(n.obj) is not None for n in ops):
        return                                  # drawn before backward: nothing to add
    for n in nodes:
        if n.grad is not None:
            continue                            # recorded by explain.backward
        if n.kind == "leaf" and n.obj._grad is not None:
            n.grad = n.obj._grad._data.copy()
        elif n.kind == "op":
            n.grad = _retained_grad(n.obj)
            n.note = NOT_RECORDED if n.grad is None else ""
    for n in nodes:                             # values autograd saved, and backward freed
        n.freed = n.value is None and n.kind != "leaf"


def _retained_grad(obj):
    """The gradient kept by ``t.retain_grad()`` on the op's output, if any."""
    ref = (obj._retained or {}).get(0)
    t = ref() if ref is not None else None
    return None if t is None or t._grad is None else t._grad._data.copy()


def _held_values(nodes, index, frame, names):
    """An op's value from a variable of the caller that holds its output (``y_pred``),
    which stays known after backward has freed what autograd saved."""
    scopes = [names or {}] + ([frame.f_locals, frame.f_globals] if frame is not None else [])
    for scope in scopes:
        for obj in list(scope.values()):
            if (isinstance(obj, TensorBase) and obj.grad_fn is not None
                    and obj._output_nr == 0 and id(obj.grad_fn) in index):
                node = nodes[index[id(obj.grad_fn)]]
                if node.value is None:
                    node.value = obj._data.copy()
