"""``explain.graph(t)``: everything that produced a tensor, as text or as Graphviz DOT.

>>> import chainrule as torch
>>> from chainrule import explain
>>> w = torch.tensor(1.0, requires_grad=True)
>>> x, y = 2.0, 4.0
>>> y_pred = w * x
>>> l = (y_pred - y) ** 2
>>> print(explain.graph(l).to_text())
l = (y_pred - y) ** 2 = 4.0   PowBackward0 (pow 2)
└── y_pred - y = -2.0   SubBackward0 (sub)
    ├── y_pred = w * x = 2.0   MulBackward0 (mul)
    │   ├── w = 1.0   leaf
    │   └── x = 2.0   constant
    └── y = 4.0   constant

Three kinds of node: *leaves* (tensors with ``requires_grad=True`` that no op made),
*constants* (Python numbers and tensors that need no gradient) and *ops* (each one
an autograd ``Node``, shown with PyTorch's ``grad_fn`` name). Names come from the
caller's variables, found by identity; an op nobody named is written as its
expression, and a leaf nobody named is called ``leaf1``, ``leaf2``, ...

Values are recovered without touching the forward pass: an op's output is read
where autograd kept it (saved for a later op's backward) or recomputed from its
inputs with the rule in ``formulas.py``; a number that autograd does not keep
(the ``y`` of ``y_pred - y``) is worked out from the output, and named after the
one caller variable holding that value, if there is exactly one. Take the graph
before ``backward()``, which frees what autograd saved.
"""
import sys
from dataclasses import dataclass

import numpy as np

from ..autograd.engine import topological_order
from ..autograd.graph import Node
from .._tensor import TensorBase
from .formulas import label_of, num, rule_for
from .names import _names, _variables
from .recovered import _after_backward, _held_values, _recall

_MAX_INDENT = 120       # the tree's indentation, in characters, before it is cut short


@dataclass(eq=False)
class GraphNode:
    """One node of the drawing: an op, a leaf or a constant."""
    index: int                # position in the drawing order (0 is the output)
    kind: str                 # "op", "leaf" or "constant"
    name: str = ""
    named: bool = False       # True when the name is one of the caller's variables
    value: object = None      # NumPy array or Python number; None when unknown
    torch_name: str = ""      # 'MulBackward0' (ops only)
    label: str = ""           # 'mul', 'pow 2'
    inputs: tuple = ()        # indexes of the op's inputs, in the op's order
    slots: tuple = ()         # the op's input slot of each entry of ``inputs``
    expr: str = ""            # the op written with its inputs' names: 'y_pred - 4.0'
    numbers: str = ""         # the op written with its inputs' values: '2.0 - 4.0'
    grad: object = None       # dL/d(this value), filled in by ``explain.backward``
    obj: object = None        # the autograd Node, or the leaf Tensor
    saved: tuple = None       # a copy of the op's saved operands
    precedence: int = 9       # for parentheses: 1 + -, 2 * /, 3 -x, 4 **, 9 a name
    inferred: bool = False    # a constant worked out from the op's output
    shape: tuple = None       # the value's shape, known even when the value is not
    note: str = ""            # why the gradient is missing, after a plain backward()
    freed: bool = False       # the value was freed by a plain backward()


class Graph:
    """The drawing of a computation: ``nodes[0]`` is the output."""

    def __init__(self, nodes):
        self.nodes = nodes

    @property
    def root(self):
        return self.nodes[0]

    def find(self, key):
        """The node for a name ('w', 'y_pred') or a tensor; None when not in the graph."""
        for n in self.nodes:
            if isinstance(key, str):
                if n.name == key:
                    return n
            elif n.kind == "leaf" and n.obj is key:
                return n
            elif (n.kind == "op" and isinstance(key, TensorBase) and key.grad_fn is n.obj
                  and key._output_nr == 0):
                return n
        return None

    def collapsed(self, tracker):
        """This graph with each module call seen by ``tracker`` drawn as one box."""
        from .modules import collapse
        return collapse(self, tracker)

    def leaves(self):
        """The leaves, each once, in drawing order."""
        return [n for n in self.nodes if n.kind == "leaf"]

    # ---- renderings ----------------------------------------------------------------
    def to_text(self):
        """An indented tree from the output down to the leaves; a reused op is drawn once."""
        lines, drawn = [], set()
        stack = [(0, "", "")]               # (node, prefix of its line, prefix of its inputs)
        while stack:
            i, lead, child_lead = stack.pop()
            node = self.nodes[i]
            if i in drawn and node.inputs:
                lines.append(f"{lead}{node.name}   (used again: see above)")
                continue
            drawn.add(i)
            lines.append(lead + describe(node))
            last = len(node.inputs) - 1
            if len(child_lead) > _MAX_INDENT:       # a very deep graph: keep lines short
                child_lead = "… " + child_lead[-_MAX_INDENT // 2:]
            for k in range(last, -1, -1):
                branch, under = ("└── ", "    ") if k == last else ("├── ", "│   ")
                stack.append((node.inputs[k], child_lead + branch, child_lead + under))
        return "\n".join(lines)

    def to_dot(self):
        """Graphviz DOT text: values flow from the leaves (top) to the output (bottom)."""
        lines = ["digraph chainrule {", '    node [fontname="Helvetica", fontsize=11];']
        for n in self.nodes:
            lines.append(f"    n{n.index} [{_DOT_STYLE[n.kind]}, label=\"{_dot_label(n)}\"];")
        for n in self.nodes:
            for i in n.inputs:
                lines.append(f"    n{i} -> n{n.index};")
        lines.append("}")
        return "\n".join(lines)

    def to_svg(self, layout="graphviz"):
        """SVG text: drawn by Graphviz (an optional extra), or ``layout='simple'`` by our own."""
        from . import render
        return render.graphviz_svg(self) if layout == "graphviz" else render.simple_svg(self)

    def to_html(self, path=None, lang="en"):
        """One self-contained page where clicking a node shows its numbers; written to
        ``path`` when given, and returned as text."""
        from . import render
        text = render.page(self, lang)
        if path is not None:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        return text

    def save(self, path, lang="en"):
        """Write the graph to a file, in the format of its suffix: .svg, .png and .pdf
        through Graphviz; .html, .dot and .txt with no dependency."""
        from . import render
        suffix = str(path).rsplit(".", 1)[-1].lower()
        if suffix == "html":
            self.to_html(path, lang)
            return path
        if suffix in ("dot", "gv", "txt"):
            data = (self.to_text() if suffix == "txt" else self.to_dot()).encode("utf-8")
        elif suffix in ("svg", "png", "pdf"):
            data = render.graphviz_render(self, suffix)
        else:
            raise ValueError(f"save() writes .svg, .png, .pdf, .html, .dot or .txt, not {path!r}")
        with open(path, "wb") as f:
            f.write(data)
        return path

    def _repr_svg_(self):
        """Jupyter: Graphviz's picture when it is installed, our own layout otherwise."""
        from . import render
        try:
            return render.graphviz_svg(self)
        except render.GraphvizMissing:
            return render.simple_svg(self)

    def _repr_html_(self):
        """Jupyter: the clickable page, in a frame."""
        from . import render
        return render.fragment(self)

    def __str__(self):
        return self.to_text()

    def __repr__(self):
        return f"<explain.Graph of {self.root.name}: {len(self.nodes)} nodes>"


def show(v):
    """A value for the drawing: '2.0', '[1.0, 2.0] shape (2,)', '<float32 (4, 3), mean 0.5>'."""
    text = num(v)
    if v is not None and 1 < np.size(v) <= 8:
        text += f" shape {tuple(np.shape(v))}"
    return text


def describe(n):
    """One line of the tree: name, value, what made it, gradient."""
    grad = "" if n.grad is None else f"   grad {show(n.grad)}"
    if n.grad is None and n.note:
        grad = f"   grad {n.note}"
    if n.kind == "op":
        head = n.name if n.named else n.expr
        if n.named and n.expr:
            head += f" = {n.expr}"
        return f"{head} = {_value(n)}   {n.torch_name} ({n.label}){grad}"
    if n.kind == "leaf":
        return f"{n.name} = {_value(n)}   leaf{grad}"
    if n.kind == "module":
        return f"{n.name} = {_value(n)}   {n.label}{grad}"
    if n.named:
        return f"{n.name} = {_value(n)}   constant"
    return f"{n.name}   constant{FREED if n.freed else ''}"


_DOT_STYLE = {"op": 'shape=box, style="rounded,filled", fillcolor="#dae8fc"',
              "leaf": 'shape=ellipse, style=filled, fillcolor="#d5e8d4"',
              "constant": "shape=plaintext",
              "module": 'shape=box3d, style=filled, fillcolor="#fff2cc"'}


def _dot_label(n):
    if n.kind == "module":
        text = f"{n.name}\\nout {_value(n)}\\n{n.label}"
    elif n.kind == "op":
        head = f"{n.name} = {n.expr}" if n.named else n.expr
        text = f"{head} = {_value(n)}\\n{n.torch_name} ({n.label})"
    elif n.kind == "leaf" or n.named:
        text = f"{n.name} = {_value(n)}"
    else:
        text = n.name
    if n.grad is not None:
        text += f"\\ngrad {show(n.grad)}"
    elif n.note:
        text += f"\\ngrad {n.note}"
    return text.replace('"', '\\"')


FREED = " (freed by backward())"


def _value(n):
    """The value, or why it is unknown: backward frees what autograd saved."""
    return show(n.value) + (FREED if n.freed else "")


# ---- building the graph --------------------------------------------------------------
def graph(tensor, names=None, collapse=None):
    """The graph of everything that produced ``tensor`` (see the module docstring).

    ``names`` (a dict name -> tensor or number) adds to or overrides the names
    found among the caller's variables. ``collapse`` (from ``explain.track(model)``)
    draws each module's ops as one box, ``fc1: Linear(8, 6)``.
    """
    drawn = build(tensor, sys._getframe(1), names)
    return drawn if collapse is None else drawn.collapsed(collapse)


def build(tensor, frame=None, names=None):
    """``graph`` with the frame whose variables name the nodes given explicitly."""
    if not isinstance(tensor, TensorBase):
        raise TypeError(f"explain.graph() expects a Tensor, got {type(tensor).__name__}")
    tensor_names, number_names, constants = _variables(frame, names)
    nodes, index = _walk(tensor.grad_fn if tensor.grad_fn is not None else tensor)
    order = [nodes[index[id(x)]] for x in reversed(topological_order([nodes[0].obj]))]
    _recall(nodes)
    _held_values(nodes, index, frame, names)
    _values(tensor, nodes, index, order)
    _names(nodes, order, tensor_names, number_names, constants)
    _after_backward(nodes)
    return Graph(nodes)


def _walk(root):
    """Every op, leaf and constant, numbered depth first from the output (inputs in order)."""
    nodes, index = [], {}
    stack = [(root, None)]                      # (op or leaf, None) or (op, slot of a constant)
    while stack:
        obj, slot = stack.pop()
        key = id(obj) if slot is None else (id(obj), slot)
        if key in index:
            continue
        index[key] = len(nodes)
        if slot is not None:
            nodes.append(GraphNode(len(nodes), "constant", obj=obj, slots=(slot,)))
        elif isinstance(obj, Node):
            rule = rule_for(obj)
            node = GraphNode(len(nodes), "op", torch_name=obj.torch_name, obj=obj,
                             saved=_snapshot(obj._saved), precedence=rule.precedence)
            node.label = label_of(rule, node)
            nodes.append(node)
            kids = [(e[0], None) if e is not None else (obj, i)
                    for i, e in enumerate(obj._edges) if i not in rule.hidden]
            node.slots = tuple(i for i in range(len(obj._edges)) if i not in rule.hidden)
            stack.extend(reversed(kids))
        else:
            nodes.append(GraphNode(len(nodes), "leaf", obj=obj, value=obj._data.copy()))
    for node in nodes:                          # now every input has its number
        if node.kind == "op":
            edges = node.obj._edges
            node.inputs = tuple(index[id(edges[s][0])] if edges[s] is not None
                                else index[(id(node.obj), s)] for s in node.slots)
            for s, i in zip(node.slots, node.inputs):   # an edge knows its input's shape
                if edges[s] is not None and edges[s][1] == 0:
                    nodes[i].shape = tuple(edges[s][2])
    return nodes, index


def _snapshot(saved):
    """A copy of what an op saved (tensors become arrays), so later changes don't show."""
    if saved is None:
        return None
    return tuple(s._data.copy() if isinstance(s, TensorBase) else
                 s.item() if isinstance(s, np.generic) else s for s in saved)


def _values(tensor, nodes, index, order):
    """Each node's value: kept by autograd, recomputed from the inputs, or worked out."""
    if tensor.grad_fn is not None:
        nodes[0].value = tensor._data.copy()
        nodes[0].shape = tensor._data.shape
    for node in nodes:                          # values that later ops saved for backward
        obj = node.obj
        if node.kind != "op":
            continue
        if obj._result_data is not None:
            node.value = obj._result_data.copy()
        for s in obj._saved or ():
            if isinstance(s, TensorBase) and s.grad_fn is not None and s._output_nr == 0:
                i = index.get(id(s.grad_fn))
                if i is not None and nodes[i].value is None:
                    nodes[i].value = s._data.copy()
    for node in order:                          # inputs before the ops that use them
        if node.kind != "op":
            continue
        rule = rule_for(node.obj)
        inputs = [nodes[i] for i in node.inputs]
        for slot, inp in zip(node.slots, inputs):
            if inp.kind == "constant" and rule.saves_inputs and node.saved is not None:
                inp.value = node.saved[slot]
            elif inp.kind == "constant" and rule.saved_slots and node.saved is not None:
                inp.value = node.saved[rule.saved_slots[slot]]
            elif inp.kind == "constant" and rule.constants is not None:
                inp.value = _quietly(lambda n, v: rule.constants(n, slot), node, None)
        vals = _slot_values(node, inputs)
        if node.value is None and rule.forward is not None and _all_known(vals, node):
            node.value = _quietly(rule.forward, node, vals)
        if node.value is not None and rule.infer is not None:
            for slot, inp in zip(node.slots, inputs):
                if inp.kind == "constant" and inp.value is None:
                    inp.value = _quietly(lambda n, v: rule.infer(n, slot, v, n.value), node, vals)
                    inp.inferred = inp.value is not None
                    vals = _slot_values(node, inputs)


def _slot_values(node, inputs):
    vals = [None] * len(node.obj._edges)
    for slot, inp in zip(node.slots, inputs):
        vals[slot] = inp.value
    return vals


def _all_known(vals, node):
    return all(vals[s] is not None for s in node.slots)


def _quietly(fn, node, vals):
    try:
        with np.errstate(all="ignore"):
            return fn(node, vals)
    except Exception:                           # a value we cannot recompute stays unknown
        return None
