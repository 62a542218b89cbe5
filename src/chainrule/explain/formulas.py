"""The local derivative of each common op, as a learner would write it by hand.

One ``Rule`` per op class: how to write the op (``y_pred - y``), how to recompute
its value from its inputs, and for each input the local derivative
``d out / d input`` as a formula, with the numbers put in, and its value.

The chain rule then only ever multiplies: ``dL/d input = dL/d out * d out/d input``.
For a tensor the local derivative is taken element by element (the op's Jacobian is
diagonal); for ``sum``, ``mean``, ``matmul``, ``softmax`` and the shape and indexing
ops the rule writes the whole product instead (``chain``).

The table is in three chapters: arithmetic and elementwise functions (this file),
reductions, matmul, shapes and indexing (``formulas_tensor.py``), and the ops of
``torch.nn`` (``formulas_nn.py``). The notation they share is in ``notation.py``.
An op found in none of them still gets a line: its local derivative is
"(computed by the op's backward)" and the gradient autograd sent is shown.
"""
import numpy as np

from .._ops import arithmetic as A
from .._ops import elementwise as E
from .._ops import selection as S
from .notation import (WORDS, Local, Operands, Rule, _constant_local, _elementwise,  # noqa: F401
                       _known, _saved, factor, is_scalar, num)


# ---- arithmetic ----------------------------------------------------------------------
def _alpha(node):
    return getattr(node.obj, "alpha", 1)


def _add_expr(node, n):
    a = _alpha(node)
    return f"{n[0]} + {n[1]}" if a == 1 else f"{n[0]} + {num(a)}·{n[1]}"


def _sub_expr(node, n):
    a = _alpha(node)
    return f"{n[0]} - {n[1]}" if a == 1 else f"{n[0]} - {num(a)}·{n[1]}"


def _alpha_local(sign):
    def local(ops):
        a = sign * _alpha(ops.node)
        return Local(num(a), num(a), a)
    return local


def _infer_add(node, slot, v, out):
    if slot == 1:
        return (out - v[0]) / _alpha(node)
    return out - _alpha(node) * v[1]


def _infer_sub(node, slot, v, out):
    if slot == 1:
        return (v[0] - out) / _alpha(node)
    return out + _alpha(node) * v[1]


def _pow_label(node):
    p = _saved(node, 1)
    return "pow" if p is None else f"pow {num(p)}"


def _pow_local(ops):
    p, u, n, x = _saved(ops.node, 1), ops.vals[0], ops.names[0], ops.nums[0]
    if p == 2:
        formula, numbers = f"2·{factor(n)}", f"2 × {factor(x)}"
    else:
        formula = f"{num(p)}·{factor(n)}^{num(p - 1)}"
        numbers = f"{num(p)} × {factor(x)}^{num(p - 1)}"
    value = p * np.power(u, p - 1) if _known(u, p) else None
    return Local(formula, numbers, value)


def _mul_local(other):
    """d(a * b)/da = b: the other factor."""
    def local(ops):
        return Local(ops.names[other], ops.nums[other], ops.vals[other])
    return local


def _div_local_a(ops):
    b = ops.vals[1]
    return Local(f"1/{factor(ops.names[1])}", f"1/{factor(ops.nums[1])}",
                 None if b is None else 1 / b)


def _div_local_b(ops):
    a, b = ops.vals
    value = None if not _known(a, b) else -a / (b * b)
    return Local(f"-{factor(ops.names[0])}/{factor(ops.names[1])}^2",
                 f"-{factor(ops.nums[0])}/{factor(ops.nums[1])}^2", value)


def _rpow_local(ops):
    s = _rpow_base(ops.node)
    value = None if not _known(s, ops.out) else ops.out * np.log(s)
    return Local(f"{num(s)}^{factor(ops.names[0])}·ln {num(s)}",
                 f"{num(ops.out)} × ln {num(s)}", value)


def _rpow_base(node):
    """The number s of ``s ** x``: an attribute of the op, or its second saved value."""
    s = getattr(node.obj, "s", None)
    return _saved(node, 1) if s is None else s


RULES = {
    A.Add: Rule("add", "加法", _add_expr, 1, (_constant_local(1), _alpha_local(1)),
                forward=lambda node, v: v[0] + _alpha(node) * v[1], infer=_infer_add),
    A.Sub: Rule("sub", "减法", _sub_expr, 1, (_constant_local(1), _alpha_local(-1)),
                forward=lambda node, v: v[0] - _alpha(node) * v[1], infer=_infer_sub),
    A.Rsub: Rule("rsub", "减法", lambda node, n: f"{n[1]} - {n[0]}", 1, (_constant_local(-1),),
                 forward=lambda node, v: v[1] - v[0],
                 infer=lambda node, slot, v, out: out + v[0], right_slot=0),
    A.Mul: Rule("mul", "乘法", lambda node, n: f"{n[0]} * {n[1]}", 2,
                (_mul_local(1), _mul_local(0)),
                forward=lambda node, v: v[0] * v[1], saves_inputs=True),
    A.Div: Rule("div", "除法", lambda node, n: f"{n[0]} / {n[1]}", 2, (_div_local_a, _div_local_b),
                forward=lambda node, v: v[0] / v[1], saves_inputs=True),
    A.Pow: Rule(_pow_label, "幂", lambda node, n: f"{n[0]} ** {num(_saved(node, 1))}", 4,
                (_pow_local,), forward=lambda node, v: np.power(v[0], _saved(node, 1)),
                hidden=(1,), saves_inputs=True),
    A.RPow: Rule(lambda node: f"rpow {num(_rpow_base(node))}", "指数",
                 lambda node, n: f"{num(_rpow_base(node))} ** {n[0]}", 4, (_rpow_local,),
                 forward=lambda node, v: np.power(_rpow_base(node), v[0]), hidden=(1,)),
    A.Neg: Rule("neg", "取负", lambda node, n: f"-{n[0]}", 3, (_constant_local(-1),),
                forward=lambda node, v: -v[0]),
    A.Reciprocal: Rule("reciprocal", "倒数", lambda node, n: f"1/{n[0]}", 2,
                       _elementwise(lambda n: f"-1/{factor(n)}^2", lambda a, y: -y * y,
                                    lambda x: f"-1/{factor(x)}^2"),
                       forward=lambda node, v: 1 / v[0], saves_inputs=True),
    # ---- elementwise functions: d f(a)/da, often written with the output f(a)
    E.Exp: Rule("exp", "指数函数", lambda node, n: f"exp({n[0]})", 5,
                _elementwise(lambda n: f"exp({n})", lambda a, y: y),
                forward=lambda node, v: np.exp(v[0])),
    E.Log: Rule("log", "对数", lambda node, n: f"log({n[0]})", 5,
                _elementwise(lambda n: f"1/{factor(n)}", lambda a, y: 1 / a,
                             lambda x: f"1/{factor(x)}"),
                forward=lambda node, v: np.log(v[0]), saves_inputs=True),
    E.Sin: Rule("sin", "正弦", lambda node, n: f"sin({n[0]})", 5,
                _elementwise(lambda n: f"cos({n})", lambda a, y: np.cos(a),
                             lambda x: f"cos({x})"),
                forward=lambda node, v: np.sin(v[0]), saves_inputs=True),
    E.Cos: Rule("cos", "余弦", lambda node, n: f"cos({n[0]})", 5,
                _elementwise(lambda n: f"-sin({n})", lambda a, y: -np.sin(a),
                             lambda x: f"-sin({x})"),
                forward=lambda node, v: np.cos(v[0]), saves_inputs=True),
    E.Tanh: Rule("tanh", "双曲正切", lambda node, n: f"tanh({n[0]})", 5,
                 _elementwise(lambda n: f"1 - tanh({n})^2", lambda a, y: 1 - y * y),
                 forward=lambda node, v: np.tanh(v[0])),
    E.Sigmoid: Rule("sigmoid", "sigmoid", lambda node, n: f"sigmoid({n[0]})", 5,
                    _elementwise(lambda n: f"sigmoid({n})·(1 - sigmoid({n}))",
                                 lambda a, y: y * (1 - y)),
                    forward=lambda node, v: 1 / (1 + np.exp(-v[0]))),
    # relu: PyTorch takes the derivative at exactly 0 to be 0
    E.Relu: Rule("relu", "ReLU", lambda node, n: f"relu({n[0]})", 5,
                 _elementwise(lambda n: f"(1 if {n} > 0 else 0)",
                              lambda a, y: (y > 0).astype(np.asarray(y).dtype)),
                 forward=lambda node, v: np.maximum(v[0], 0)),
    E.Sqrt: Rule("sqrt", "平方根", lambda node, n: f"sqrt({n[0]})", 5,
                 _elementwise(lambda n: f"1/(2·sqrt({n}))", lambda a, y: 1 / (2 * y)),
                 forward=lambda node, v: np.sqrt(v[0])),
}


# ---- abs and clamp: piecewise linear, so the local derivative is 1, -1 or 0 ----------
def _bounds_text(node, name):
    """'0.0 <= x <= 1.0', 'x >= 0.0' or 'x <= 1.0': where clamp lets x through."""
    lo, hi = getattr(node.obj, "lo", None), getattr(node.obj, "hi", None)
    if lo is not None and hi is not None:
        return f"{num(lo)} <= {name} <= {num(hi)}"
    return f"{name} >= {num(lo)}" if lo is not None else f"{name} <= {num(hi)}"


def _clamp_local(ops):
    # at a bound PyTorch takes the derivative to be 1: the value is let through
    node, a = ops.node, ops.vals[0]
    lo, hi = getattr(node.obj, "lo", None), getattr(node.obj, "hi", None)
    value = None
    if a is not None:
        inside = np.ones(np.shape(a), bool)
        if lo is not None:
            inside &= np.asarray(a) >= lo
        if hi is not None:
            inside &= np.asarray(a) <= hi
        value = inside.astype(np.asarray(a).dtype) if np.ndim(a) else float(inside)
    return Local(f"(1 if {_bounds_text(node, ops.names[0])} else 0)",
                 f"(1 if {_bounds_text(node, ops.nums[0])} else 0)", value)


def _clamp_expr(node, n):
    lo, hi = getattr(node.obj, "lo", None), getattr(node.obj, "hi", None)
    bounds = [f"min={num(lo)}"] if lo is not None else []
    bounds += [f"max={num(hi)}"] if hi is not None else []
    return f"clamp({n[0]}, {', '.join(bounds)})"


def _clamp_forward(node, v):
    lo, hi = getattr(node.obj, "lo", None), getattr(node.obj, "hi", None)
    return np.clip(v[0], lo, hi)


RULES.update({
    # abs: PyTorch takes the derivative at exactly 0 to be sign(0) = 0
    E.Abs: Rule("abs", "绝对值", lambda node, n: f"abs({n[0]})", 5,
                _elementwise(lambda n: f"sign({n})", lambda a, y: np.sign(a),
                             lambda x: f"sign({x})"),
                forward=lambda node, v: np.abs(v[0]), saves_inputs=True),
    S.Clamp: Rule("clamp", "截断 (clamp)", _clamp_expr, 5, (_clamp_local,),
                  forward=_clamp_forward, saves_inputs=True),
})


# ---- the other chapters of the table ---------------------------------------------------
from .formulas_nn import RULES_NN, RULES_NN_BY_TORCH_NAME               # noqa: E402
from .formulas_tensor import RULES_TENSOR, RULES_TENSOR_BY_TORCH_NAME   # noqa: E402

RULES.update(RULES_TENSOR)
RULES.update(RULES_NN)
# Ops defined outside the core op families, known here by PyTorch's name only.
RULES_BY_TORCH_NAME = {**RULES_TENSOR_BY_TORCH_NAME, **RULES_NN_BY_TORCH_NAME}


def rule_for(node_obj):
    """The rule of an op node; a generic one for ops this table does not describe."""
    rule = RULES.get(type(node_obj))
    if rule is None:
        rule = RULES_BY_TORCH_NAME.get(node_obj.torch_name)
    if rule is None:
        short = node_obj.torch_name.replace("Backward", "").rstrip("0123456789").lower()
        rule = Rule(short, short, lambda node, n, s=short: f"{s}({', '.join(n)})", 5,
                    (), )
    return rule


def local_derivative(rule, slot, ops):
    """The local derivative of input ``slot``; a generic description when unknown."""
    if slot < len(rule.local):
        return rule.local[slot](ops)
    return Local("({backward})", "", None, chain="({backward})")


def label_of(rule, node):
    return rule.label(node) if callable(rule.label) else rule.label
