"""``explain.check(loss, answers)``: are my hand-computed gradients right?

>>> import chainrule as torch
>>> from chainrule import explain
>>> w = torch.tensor(1.0, requires_grad=True)
>>> x, y = 2.0, 4.0
>>> y_pred = w * x
>>> l = (y_pred - y) ** 2
>>> results = explain.check(l, {"dL/dy_pred": -4.0, "dL/dw": -2.0})
right  dL/dy_pred = -4.0
wrong  dL/dw: you have -2.0, autograd has -8.0
>>> w.grad is None                  # check() leaves .grad alone
True

Keys are written ``dL/dw`` (any name for the loss on top), ``w.grad`` or ``w``,
or are the tensors themselves. Nothing is added to ``.grad`` and the graph is
kept, so ``loss.backward()`` can still follow.
"""
import re
import sys
from dataclasses import dataclass

import numpy as np

from .. import autograd
from .._tensor import TensorBase
from .graph import build, show
from .narrate import narrate, record

_SAY = {
    "en": {"right": "right  {key} = {correct}",
           "wrong": "wrong  {key}: you have {given}, autograd has {correct}"},
    "zh": {"right": "正确  {key} = {correct}",
           "wrong": "错误  {key}：你的答案是 {given}，正确值是 {correct}"},
}
_DERIVATIVE = re.compile(r"^\s*[d∂]\s*(.+?)\s*/\s*[d∂]\s*(.+?)\s*$")


@dataclass
class CheckResult:
    key: object          # as the learner wrote it
    name: str            # the node it names
    given: object
    correct: object
    right: bool
    text: str = ""


def check(loss, answers, lang="en", *, names=None, rtol=1e-3, atol=1e-5, quiet=False):
    """Compare ``answers`` ({key: number or array}) with autograd; print and return results.

    A value counts as right when it is within ``rtol`` (relative) or ``atol``
    (absolute) of autograd's, so hand-rounded numbers such as -7.84 pass.
    """
    if lang not in _SAY:
        raise ValueError(f"lang must be 'en' or 'zh', not {lang!r}")
    graph = build(loss, sys._getframe(1), names)
    leaves = [leaf.obj for leaf in graph.leaves()]
    try:
        calls = record(lambda: autograd.grad(loss, leaves, retain_graph=True,
                                             allow_unused=True))
    except RuntimeError as error:
        raise RuntimeError("explain.check() needs the graph of the loss: call it before "
                           "loss.backward(), or call loss.backward(retain_graph=True)") from error
    narrate(graph, calls)                   # fills in each node's .grad
    results = []
    for key, given in answers.items():
        node = _node_for(graph, key)
        correct = np.ones_like(node.value) if node.index == 0 else node.grad
        right = _close(given, correct, rtol, atol)
        shown = key if isinstance(key, str) else f"dL/d{node.name}"
        text = _SAY[lang]["right" if right else "wrong"].format(
            key=shown, given=show(np.asarray(given)), correct=show(correct))
        results.append(CheckResult(key, node.name, given, correct, right, text))
    if not quiet:
        print("\n".join(r.text for r in results))
    return results


def _node_for(graph, key):
    """The graph node a key names: a tensor, 'dL/dw', 'dl/d(y_pred - 4.0)', 'w.grad', 'w'."""
    if isinstance(key, TensorBase):
        node = graph.find(key)
        if node is None:
            raise KeyError("this tensor is not part of the loss's graph")
        return node
    if not isinstance(key, str):
        raise TypeError(f"keys are names such as 'dL/dw' or tensors, not {type(key).__name__}")
    match = _DERIVATIVE.match(key)
    name = match.group(2) if match else key.strip()
    if name.endswith(".grad"):
        name = name[:-5]
    candidates = [name]
    if name.startswith("(") and name.endswith(")"):
        candidates.append(name[1:-1])
    for c in candidates:
        node = graph.find(c)
        if node is not None and node.kind != "constant":
            return node
    known = ", ".join(n.name for n in graph.nodes if n.kind != "constant")
    raise KeyError(f"{key!r}: no value named {name!r} in the graph (it has: {known})")


def _close(given, correct, rtol, atol):
    if correct is None:
        return False
    given = np.asarray(given, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    if given.size != correct.size and given.size != 1:
        return False
    return bool(np.allclose(given.reshape(-1) if given.size > 1 else given,
                            correct.reshape(-1), rtol=rtol, atol=atol))
