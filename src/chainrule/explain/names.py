"""Names for the nodes of a drawing: the caller's variables, or the op written out.

A leaf or an op takes the name of the caller's variable that holds it, found by
identity (``w``, ``y_pred``; a model's parameters as ``fc1.weight``). An op
nobody named is written as its expression (``y_pred - y``), or counted
(``mul1``) when the expression grows long; a number autograd did not keep is
named after the one caller variable with that value. Parentheses follow the
operators' precedence, so ``(y_pred - y) ** 2`` reads as it was typed.
"""
import re

import numpy as np

from ..nn import Module
from .._tensor import TensorBase
from .formulas import factor, num, rule_for
from .notation import bare

_MAX_EXPR = 32          # an unnamed op longer than this is called 'mul1', 'add2', ...

def _variables(frame, extra):
    """Names of the caller's tensors and numbers: by identity, and a list to match values."""
    tensors, numbers, constants = {}, {}, {}
    scopes = [extra or {}]
    if frame is not None:
        scopes += [frame.f_locals, frame.f_globals]
    for scope in scopes:
        for name, obj in list(scope.items()):
            if name.startswith("_"):
                continue
            if isinstance(obj, TensorBase):
                tensors.setdefault(_tensor_key(obj), name)
                if not obj._requires_grad:
                    constants.setdefault(name, obj._data)
            elif type(obj) is float:
                numbers.setdefault(id(obj), name)
                constants.setdefault(name, obj)
    for scope in scopes[1:]:                    # a model's parameters: 'fc1.weight'
        for name, obj in list(scope.items()):
            if isinstance(obj, Module) and not name.startswith("_"):
                for pname, p in obj.named_parameters():
                    tensors.setdefault(id(p), _parameter_name(name, pname))
    return tensors, numbers, constants


def _parameter_name(model, name):
    """'fc1.weight' as it is; '0.weight' of an nn.Sequential as the learner would type
    it, 'model[0].weight'."""
    head, dot, rest = name.partition(".")
    return f"{model}[{head}]{dot}{rest}" if head.isdigit() else name


def _tensor_key(t):
    return (id(t.grad_fn), t._output_nr) if t.grad_fn is not None else id(t)


def _names(nodes, order, tensor_names, number_names, constants):
    """Variable names where the caller has them; expressions or 'leaf1' otherwise."""
    counters = {}
    for node in nodes:
        if node.kind == "leaf":
            name = tensor_names.get(id(node.obj))
            node.name, node.named = (name, True) if name else (_count("leaf", counters), False)
        elif node.kind == "constant" and not node.named:     # (named: recalled)
            _name_constant(node, tensor_names, number_names, constants)
    for node in order:                          # inputs are named before the ops using them
        if node.kind != "op":
            continue
        operands, numbers = _operands(node, nodes)
        rule = rule_for(node.obj)
        node.expr = rule.expr(node, operands)
        if _is_call(node.expr):                 # a call: abs(-3.0), not abs((-3.0))
            numbers = tuple(bare(n) for n in numbers)
        node.numbers = rule.expr(node, numbers)
        name = tensor_names.get((id(node.obj), 0))
        if name:
            node.name, node.named, node.precedence = name, True, 9
        elif node.index == 0:
            node.name, node.named = "L", False
        elif len(node.expr) <= _MAX_EXPR:
            node.name = node.expr
        else:
            node.name, node.precedence = _count(node.label.split()[0], counters), 9
    _deduplicate(nodes)


def _name_constant(node, tensor_names, number_names, constants):
    """A constant's variable name: by identity when the op kept it, else by its value.

    An op such as ``y_pred - y`` does not keep ``y``; its value is worked out from
    the output, and it takes the name of the one caller variable with that value.
    """
    if node.inferred:
        matches = [name for name, v in constants.items() if _same_value(v, node.value)]
        if len(matches) == 1:
            node.name, node.named = matches[0], True
            return
    parent, slot = node.obj, node.slots[0]
    saved = parent._saved
    rule = rule_for(parent)
    if rule.saved_slots and slot in rule.saved_slots:
        slot = rule.saved_slots[slot]
    original = saved[slot] if saved is not None and slot < len(saved) else None
    if (rule.saves_inputs or rule.saved_slots) and original is not None:
        name = (tensor_names.get(_tensor_key(original)) if isinstance(original, TensorBase)
                else number_names.get(id(original)))
        if name:
            node.name, node.named = name, True
            return
    node.name = num(node.value)


_CALLEE = re.compile(r"[\w.]+\(")


def _is_call(text):
    """True for 'abs(x)' or 'mse_loss(y_pred, y)'; False for 'abs(x) * (-2.0)'."""
    start = _CALLEE.match(text)
    if not start or not text.endswith(")"):
        return False
    depth = 0
    for i in range(start.end() - 1, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i == len(text) - 1
    return False


def _same_value(v, inferred):
    a, b = np.asarray(v), np.asarray(inferred)
    if b.dtype.kind != "f" or a.shape != b.shape and not (a.ndim == 0 and b.size == 1):
        return False
    # worked out in float32, y_pred - (y_pred - y) may differ from y in the last digit
    return bool(np.allclose(a.astype(b.dtype), b, rtol=1e-6, atol=1e-7))


def _operands(node, nodes):
    """The op's inputs as names and as numbers, with parentheses where needed."""
    names, numbers = [""] * len(node.obj._edges), [""] * len(node.obj._edges)
    rule = rule_for(node.obj)
    for slot, i in zip(node.slots, node.inputs):
        inp = nodes[i]
        # a lower-precedence input needs brackets: (y_pred - y) ** 2; so does the right
        # side of - / ** at equal precedence: a - (b - c)
        spelled = inp.kind == "op" and not inp.named and inp.precedence < 9
        bracket = spelled and node.precedence < 5 and (
            inp.precedence < node.precedence or
            inp.precedence == node.precedence and slot == rule.right_slot)
        name = inp.expr if spelled else inp.name
        if inp.kind == "constant" and not inp.named:
            name = factor(name)
        names[slot] = f"({name})" if bracket else name
        if spelled and inp.numbers:
            numbers[slot] = f"({inp.numbers})" if bracket else inp.numbers
        else:
            numbers[slot] = factor(num(inp.value))
    for slot in range(len(names)):
        if slot not in node.slots:            # e.g. the exponent of pow, shown in the label
            saved = node.saved if node.saved and slot < len(node.saved) else None
            names[slot] = numbers[slot] = num(saved[slot]) if saved else "?"
    return tuple(names), tuple(numbers)


def _count(stem, counters):
    counters[stem] = counters.get(stem, 0) + 1
    return f"{stem}{counters[stem]}"


def _deduplicate(nodes):
    """Two different nodes never share a name: the second 'w * x' becomes 'w * x #2'."""
    seen = {}
    for node in nodes:
        if node.kind == "constant" and not node.named:
            continue                            # two constants 2.0 are simply both 2.0
        seen[node.name] = seen.get(node.name, 0) + 1
        if seen[node.name] > 1:
            node.name = f"{node.name} #{seen[node.name]}"
