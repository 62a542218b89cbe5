"""``explain.backward(loss)``: run backward and tell the chain rule, step by step.

For a scalar model it reads like a worked example on paper:

>>> import chainrule as torch
>>> from chainrule import explain
>>> w = torch.tensor(1.0, requires_grad=True)
>>> x, y = 2.0, 4.0
>>> y_pred = w * x
>>> l = (y_pred - y) ** 2
>>> steps = explain.backward(l, lr=0.1)                # doctest: +NORMALIZE_WHITESPACE
Backward pass from l = 4.0: the chain rule, from the output back to the leaves.
  start: dl/dl = 1.0
Step 1: l = (y_pred - y) ** 2 = (2.0 - 4.0) ** 2 = 4.0   [PowBackward0]
  local derivative: dl/d(y_pred - y) = 2·(y_pred - y) = 2 × (2.0 - 4.0) = -4.0
  chain rule:       dl/d(y_pred - y) = dl/dl · dl/d(y_pred - y) = 1.0 × (-4.0) = -4.0
Step 2: y_pred - y = 2.0 - 4.0 = -2.0   [SubBackward0]
  local derivative: d(y_pred - y)/dy_pred = 1
  chain rule:       dl/dy_pred = dl/d(y_pred - y) · d(y_pred - y)/dy_pred = (-4.0) × 1 = -4.0
Step 3: y_pred = w * x = 1.0 * 2.0 = 2.0   [MulBackward0]
  local derivative: dy_pred/dw = x = 2.0
  chain rule:       dl/dw = dl/dy_pred · dy_pred/dw = (-4.0) × 2.0 = -8.0
Gradients added to .grad:
  w.grad = -8.0   (was None)
One SGD step with lr = 0.1 (shown, not applied):
  w = w - lr · w.grad = 1.0 - 0.1 × (-8.0) = 1.8
>>> w.grad
tensor(-8.)

The gradients are recorded by an observer on the engine (``engine.OBSERVERS``),
the one hook the core offers to learning tools; the backward pass itself is
``loss.backward()``, unchanged.
"""
import sys
from dataclasses import dataclass, field

import numpy as np

from ..autograd import engine
from .._tensor import TensorBase
from .formulas import WORDS, Operands, factor, is_scalar, local_derivative, num, rule_for
from .graph import build, show
from .recovered import remember
from .names import _operands

_make = TensorBase._make

TEXT = {
    "en": {
        "start": "Backward pass from {name} = {value}: the chain rule, from the output "
                 "back to the leaves.",
        "seed": "  start: {d} = {value}",
        "step": "Step {k}: {head}   [{torch_name}]",
        "sum": "  {name} is used {n} times, so the gradients of all paths add up: "
               "{d} = {terms} = {total}",
        "local": "  local derivative: ",
        "chain": "  chain rule:       ",
        "elementwise": "   (element by element)",
        "broadcast": "  {name} was broadcast from {small} to {big}: sum over the broadcast "
                     "dimensions -> {value}",
        "grads": "Gradients added to .grad:",
        "was_none": "   (was None)",
        "paths": "  {name} is used {n} times: {terms} = {total}",
        "sgd": "One SGD step with lr = {lr} (shown, not applied):",
        "words": WORDS["en"],
    },
    "zh": {
        "start": "从 {name} = {value} 开始反向传播：按链式法则，从输出一路乘回到叶子节点。",
        "seed": "  起点：{d} = {value}",
        "step": "第 {k} 步：{head}   [{torch_name}，{zh}]",
        "sum": "  {name} 被使用了 {n} 次，各条路径的梯度相加：{d} = {terms} = {total}",
        "local": "  局部导数：",
        "chain": "  链式法则：",
        "elementwise": "   （逐元素相乘）",
        "broadcast": "  {name} 从形状 {small} 广播成了 {big}：对广播出来的维度求和 -> {value}",
        "grads": "累加到 .grad 上的梯度：",
        "was_none": "   （原来是 None）",
        "paths": "  {name} 被使用了 {n} 次：{terms} = {total}",
        "sgd": "按学习率 lr = {lr} 做一步 SGD（只演示，不修改参数）：",
        "words": WORDS["zh"],
    },
}


@dataclass
class Link:
    """One input of one step: its local derivative and the gradient sent to it."""
    input: str
    local_formula: str
    local_numbers: str
    local_value: object
    grad: object                  # dL/d(input) along this path (broadcasting undone)
    broadcast_from: tuple = None  # the gradient's shape before it was summed
    grad_before_sum: object = None


@dataclass
class Step:
    """One op's backward: dL/d(output) arrives, one gradient leaves per input."""
    index: int
    name: str
    torch_name: str
    label: str
    expr: str
    value: object
    grad: object                  # dL/d(this op's output), all paths summed
    received: list = field(default_factory=list)   # [(from, gradient)] when used again
    links: list = field(default_factory=list)
    text: str = ""


@dataclass
class LeafUpdate:
    """What backward added to one leaf's ``.grad``."""
    name: str
    contributions: list           # [(from, gradient)], one per path into the leaf
    before: object                # .grad before backward (None the first time)
    after: object                 # .grad after backward
    new_value: object = None      # the leaf after one SGD step, when lr is given
    text: str = ""


class Steps(list):
    """The records of ``explain.backward``; ``.text`` is what it printed."""
    graph = None
    text = ""


def backward(loss, lang="en", *, lr=None, names=None, gradient=None, retain_graph=None,
             file=None, quiet=False):
    """Run ``loss.backward()`` and narrate every chain-rule step; return the records.

    ``lang`` is ``'en'`` or ``'zh'``; ``lr`` adds the SGD update a learner would do
    next (only shown); ``names`` overrides the names found among the caller's
    variables; ``gradient`` and ``retain_graph`` go to ``loss.backward``;
    ``quiet=True`` returns the records without printing.
    """
    if lang not in TEXT:
        raise ValueError(f"lang must be 'en' or 'zh', not {lang!r}")
    graph = build(loss, sys._getframe(1), names)
    before = {leaf.index: _grad_of(leaf.obj) for leaf in graph.leaves()}
    calls = record(lambda: loss.backward(gradient, retain_graph=retain_graph))
    steps = narrate(graph, calls, lang, before=before,
                    after={i: _grad_of(graph.nodes[i].obj) for i in before}, lr=lr)
    if not quiet:
        print(steps.text, file=file)
    return steps


def record(run):
    """Run ``run()`` with an engine observer; return [(node, grads_in, grads_out)]."""
    calls = []

    def observer(node, grads_in, grads_out):
        calls.append((node, tuple(_array(g) for g in grads_in),
                      tuple(_array(g) for g in grads_out)))

    engine.OBSERVERS.append(observer)
    try:
        run()
    finally:
        engine.OBSERVERS.remove(observer)
    return calls


def narrate(graph, calls, lang="en", before=None, after=None, lr=None):
    """The step records of the recorded ``calls``, with their text in ``lang``."""
    say = TEXT[lang]
    root = graph.root
    ops = {id(n.obj): n for n in graph.nodes if n.kind == "op"}
    received = {}                           # node index -> [(from, gradient)]
    steps = Steps()
    steps.graph = graph
    lines = []
    if calls:
        start = calls[0][2][0]
        lines += [say["start"].format(name=root.name, value=show(root.value)),
                  say["seed"].format(d=_d(root.name, root.name), value=show(start))]
    for obj, grads_in, grads_out in calls:
        node = ops.get(id(obj))
        if node is None:
            continue
        node.grad = grads_out[0]
        step = _step(len(steps) + 1, node, graph, grads_in, received, say)
        steps.append(step)
        lines.append(step.text)
    leaves = [_leaf(leaf, received.get(leaf.index, []), before, after, lr, say)
              for leaf in graph.leaves()]
    if leaves:
        lines.append(say["grads"])
        lines += [u.text for u in leaves]
    if lr is not None and leaves:
        lines.append(say["sgd"].format(lr=num(lr)))
        lines += [_sgd_line(u, graph, lr) for u in leaves]
    steps.extend(leaves)
    steps.text = "\n".join(lines)
    remember(graph)                     # explain.graph(loss) drawn later shows these numbers
    return steps


def _step(k, node, graph, grads_in, received, say):
    """One op's record and text: its forward, then each input's local derivative and chain."""
    rule = rule_for(node.obj)
    inputs = [graph.nodes[i] for i in node.inputs]
    operands = _operand_texts(node, graph)
    step = Step(k, node.name, node.torch_name, node.label, node.expr, node.value, node.grad,
                received=list(received.get(node.index, [])))
    head = node.name if node.named or node.index == 0 else node.expr
    if node.named or node.index == 0:
        head += f" = {node.expr}"
    if node.numbers and all(is_scalar(i.value) for i in inputs) and node.numbers != node.expr:
        head += f" = {node.numbers}"
    lines = [say["step"].format(k=k, head=f"{head} = {show(node.value)}",
                                torch_name=node.torch_name, zh=rule.zh)]
    if len(step.received) > 1:
        lines.append(say["sum"].format(
            name=node.name, n=len(step.received), d=_d(graph.root.name, node.name),
            terms=" + ".join(factor(num(g)) for _, g in step.received), total=show(node.grad)))
    for slot, inp in zip(node.slots, inputs):
        edge = node.obj._edges[slot]
        g = grads_in[slot] if slot < len(grads_in) else None
        if edge is None or g is None:
            continue
        local = local_derivative(rule, slot, operands)
        fitted = _sum_to(g, edge[2])
        numbers = local.numbers if all(is_scalar(i.value) for i in inputs) else ""
        link = Link(inp.name, local.formula.format(out=node.name, a=inp.name, **say["words"]),
                    numbers, local.value, fitted)
        if g.shape != tuple(edge[2]):
            link.broadcast_from, link.grad_before_sum = g.shape, g
        received.setdefault(inp.index, []).append((node.name, fitted))
        step.links.append(link)
        lines += _link_lines(link, local, node, inp, graph.root.name, say)
    step.text = "\n".join(lines)
    return step


def _link_lines(link, local, node, inp, loss, say):
    """'local derivative: dy/dw = x = 2.0' and 'chain rule: dL/dw = ... = -8.0'."""
    d_local = _d(node.name, inp.name)
    d_in, d_out = _d(loss, inp.name), _d(loss, node.name)
    scalar = is_scalar(node.grad) and is_scalar(link.grad) and link.broadcast_from is None
    text = f"{d_local} = {link.local_formula}"
    if link.local_numbers and link.local_numbers not in (link.local_formula, num(local.value)):
        text += f" = {link.local_numbers}"
    if local.value is not None and num(local.value) != link.local_formula:
        text += f" = {show(local.value)}"
    lines = [say["local"] + text]
    raw = link.grad if link.broadcast_from is None else link.grad_before_sum
    if local.chain:
        chain = f"{d_in} = {local.chain.format(out=node.name, a=inp.name, **say['words'])}"
        chain = chain.replace(f"dL/d{node.name}", d_out)
    elif scalar and local.value is not None:
        chain = (f"{d_in} = {d_out} · {d_local} = {factor(num(node.grad))} × "
                 f"{factor(num(local.value))}")
    else:
        chain = f"{d_in} = {d_out} · {d_local}"
        if not scalar:
            chain += say["elementwise"]
    if raw is not None:
        chain += f" = {show(raw)}"
    lines.append(say["chain"] + chain)
    if link.broadcast_from is not None:
        lines.append(say["broadcast"].format(name=inp.name, small=tuple(np.shape(link.grad)),
                                             big=tuple(link.broadcast_from),
                                             value=show(link.grad)))
    return lines


def _leaf(leaf, contributions, before, after, lr, say):
    """The record of one leaf: the paths' gradients, their sum, and its .grad."""
    before = (before or {}).get(leaf.index)
    after = (after or {}).get(leaf.index)
    total = None
    for _, g in contributions:
        total = g if total is None else total + g
    leaf.grad = total
    if after is None and total is not None:
        after = total if before is None else before + total
    lines = []
    if len(contributions) > 1:
        lines.append(say["paths"].format(
            name=leaf.name, n=len(contributions),
            terms=" + ".join(factor(num(g)) for _, g in contributions), total=show(total)))
    if before is None:
        lines.append(f"  {leaf.name}.grad = {show(after)}{say['was_none']}")
    else:
        lines.append(f"  {leaf.name}.grad = {factor(num(before))} + {factor(num(total))} "
                     f"= {show(after)}")
    new = None if lr is None or after is None else leaf.value - lr * after
    return LeafUpdate(leaf.name, list(contributions), before, after, new, "\n".join(lines))


def _sgd_line(update, graph, lr):
    leaf = graph.find(update.name)
    n = update.name
    return (f"  {n} = {n} - lr · {n}.grad = {factor(num(leaf.value))} - {num(lr)} × "
            f"{factor(num(update.after))} = {show(update.new_value)}")


# ---- small helpers -------------------------------------------------------------------
def _d(top, bottom):
    """Leibniz notation: dl/dw, dl/d(y_pred - y)."""
    return f"d{factor(top)}/d{factor(bottom)}"


def _operand_texts(node, graph):
    """The op's inputs as names, numbers and values, for the formulas."""
    names, numbers = _operands(node, graph.nodes)
    vals = [None] * len(node.obj._edges)
    for slot, i in zip(node.slots, node.inputs):
        vals[slot] = graph.nodes[i].value
    return Operands(names, numbers, tuple(vals), node.value, node)


def _sum_to(g, shape):
    """Undo broadcasting with the engine's own ``sum_to`` (principle 4: one place)."""
    if g.shape == tuple(shape):
        return g
    return engine.sum_to(_make(g), tuple(shape))._data


def _array(g):
    return None if g is None else np.array(g._data, copy=True)


def _grad_of(t):
    g = t._grad
    return None if g is None else g._data.copy()
