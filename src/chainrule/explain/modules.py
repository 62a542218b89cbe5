"""Collapsing a Module's ops into one box: ``fc1: Linear(8, 6)`` instead of its 4 ops.

A 3-layer MLP on a batch makes a dozen op nodes and as many leaves; drawn as
modules it is a chain of three boxes. Which ops a module made is learnt while
the forward pass runs, through forward hooks (PyTorch's own API):

>>> import chainrule as torch
>>> from chainrule import explain
>>> model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU())
>>> with explain.track(model) as modules:
...     loss = model(torch.ones(4, 3)).sum()
>>> drawing = explain.graph(loss, collapse=modules)
>>> [(n.name, n.label) for n in drawing.nodes]
[('loss', 'sum'), ('1: ReLU()', 'module: 1 op'), ('0: Linear(3, 2)', 'module: 2 ops')]
>>> drawing.root.expr
'sum(1)'

For every call of a tracked module, the pre-hook notes the ``grad_fn`` of each
input; the forward hook walks back from the output's ``grad_fn`` and claims
every op it meets before reaching an input. Only the innermost modules (those
without children) are tracked, so each op belongs to at most one box.
"""
import re

from ..nn import Module
from .._tensor import TensorBase
from ..autograd.graph import Node
from .formulas import rule_for
from .graph import Graph, GraphNode, show


class Tracker:
    """The module calls seen while tracking; a context manager that removes its hooks."""

    def __init__(self, model):
        if not isinstance(model, Module):
            raise TypeError(f"explain.track() expects an nn.Module, got {type(model).__name__}")
        self.calls = []                   # [(name, module, {id(op)}, id(output op))]
        self.values = {}                  # id(output op) -> its value at forward time
        self._claimed = set()
        self._handles = []
        self._inputs = {}
        for name, module in model.named_modules():
            if next(iter(module.children()), None) is None:
                self._handles.append(module.register_forward_pre_hook(self._before))
                self._handles.append(module.register_forward_hook(self._after(name or
                                                                              "model")))

    def _before(self, module, args):
        self._inputs[id(module)] = {id(t.grad_fn) for t in _tensors(args)
                                    if t.grad_fn is not None}

    def _after(self, name):
        def hook(module, args, output):
            stop = self._inputs.pop(id(module), set())
            outs = [t for t in _tensors(output) if t.grad_fn is not None]
            if not outs:
                return
            ops, stack = set(), [t.grad_fn for t in outs]
            while stack:
                node = stack.pop()
                if not isinstance(node, Node) or id(node) in stop or id(node) in ops \
                        or id(node) in self._claimed:
                    continue
                ops.add(id(node))
                stack.extend(e[0] for e in node._edges if e is not None)
            self._claimed |= ops
            self.calls.append((name, module, ops, id(outs[0].grad_fn)))
            self.values[id(outs[0].grad_fn)] = outs[0]._data      # kept: backward frees it
        return hook

    def remove(self):
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def track(model):
    """Start noting which ops each of ``model``'s modules makes (see the module docstring)."""
    return Tracker(model)


def short_repr(module):
    """'Linear(8, 6)': the module's repr with the obvious keywords left out."""
    parts = []
    for part in re.split(r",\s*(?![^()]*\))", module.extra_repr()):
        key, eq, value = part.partition("=")
        if not eq:
            parts.append(part)
        elif key == "bias" and value == "True":
            continue
        elif key.endswith(("_features", "_channels", "kernel_size")):
            parts.append(value)
        else:
            parts.append(part)
    return f"{type(module).__name__}({', '.join(p for p in parts if p)})"


def collapse(graph, tracker):
    """A new Graph where each tracked module call is one node of kind 'module'."""
    group_of, output_of = {}, {}
    for k, (name, module, ops, out) in enumerate(tracker.calls):
        for op in ops:
            group_of[op] = k
        output_of[k] = out
    member = {n.index: group_of.get(id(n.obj)) if n.kind == "op" else None for n in graph.nodes}
    params = {k: {id(p) for p in tracker.calls[k][1].parameters()} for k in output_of}
    users = {}
    for n in graph.nodes:
        for i in n.inputs:
            users.setdefault(i, set()).add(member[n.index])
    for n in graph.nodes:                       # a parameter or constant used only inside
        groups = users.get(n.index, {None})     # one module call disappears into its box
        if n.kind != "op" and len(groups) == 1 and None not in groups:
            k = next(iter(groups))
            if n.kind == "constant" or id(n.obj) in params[k]:
                member[n.index] = k
    spelled = _respell(graph, member, output_of, tracker)
    new, rep, boxes = [], {}, {}
    for n in graph.nodes:
        k = member[n.index]
        if k is None:
            rep[n.index] = len(new)
            new.append(_copy(n, len(new)))
            if n.index in spelled:
                new[-1].expr, new[-1].name = spelled[n.index]
        elif k not in boxes:
            boxes[k] = len(new)
            new.append(_box(k, tracker, graph, len(new)))
        rep.setdefault(n.index, boxes.get(k))
    for n in graph.nodes:
        k, target = member[n.index], new[rep[n.index]]
        for i in n.inputs:
            j = rep[i]
            if j != rep[n.index] and j not in target.inputs:
                target.inputs += (j,)
    return Graph(new)


def _respell(graph, member, output_of, tracker):
    """{index: (expr, name)}: ops fed by a box written with the module's name,
    ``mse_loss(fc2, Y)``. Works on copies; ``graph`` is left as it was."""
    from .names import _operands
    from .render import _from_output
    copies = [_copy(n, n.index) for n in graph.nodes]
    for n, c in zip(graph.nodes, copies):
        c.inputs = n.inputs
    for k, out in output_of.items():
        for c in copies:
            if c.kind == "op" and id(c.obj) == out:
                c.name, c.named, c.precedence = tracker.calls[k][0], True, 9
    for c in reversed(_from_output(Graph(copies))):          # inputs before their users
        if c.kind != "op" or member[c.index] is not None:
            continue
        names, numbers = _operands(c, copies)
        old, c.expr = c.expr, rule_for(c.obj).expr(c, names)
        if not c.named and c.name == old:
            c.name = c.expr
    return {c.index: (c.expr, c.name) for c in copies
            if c.kind == "op" and member[c.index] is None}


def _copy(n, index):
    c = GraphNode(index, n.kind, n.name, n.named, n.value, n.torch_name, n.label, (), n.slots,
                  n.expr, n.numbers, n.grad, n.obj, n.saved, n.precedence, n.inferred)
    return c


def _box(k, tracker, graph, index):
    name, module, ops, out = tracker.calls[k]
    output = next((n for n in graph.nodes if n.kind == "op" and id(n.obj) == out), None)
    leaves = {id(n.obj): n for n in graph.nodes if n.kind == "leaf"}
    lines = []
    for pname, p in module.named_parameters():
        leaf = leaves.get(id(p))
        grad = leaf.grad if leaf is not None and leaf.grad is not None else \
            (p.grad._data if p.grad is not None else None)
        line = f"{pname}: {show(p._data)}"
        if grad is not None:
            line += f"   grad {show(grad)}"
        lines.append(line)
    value = output.value if output is not None and output.value is not None else \
        tracker.values.get(out)
    n_ops = len([n for n in graph.nodes if n.kind == "op" and id(n.obj) in ops])
    return GraphNode(index, "module", f"{name}: {short_repr(module)}", True,
                     value, "", f"module: {n_ops} op{'s' if n_ops != 1 else ''}",
                     expr="\n".join(lines), grad=None if output is None else output.grad,
                     obj=module)


def _tensors(value):
    """The tensors in a module's inputs or output (a tensor, or tuples and lists of them)."""
    if isinstance(value, TensorBase):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _tensors(v)]
    return []
