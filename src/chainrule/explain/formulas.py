"""The local derivative of each common op, as a learner would write it by hand.

One ``Rule`` per op class: how to write the op (``y_pred - y``), how to recompute
its value from its inputs, and for each input the local derivative
``d out / d input`` as a formula, with the numbers put in, and its value.

The chain rule then only ever multiplies: ``dL/d input = dL/d out * d out/d input``.
For a tensor the local derivative is taken element by element (the op's Jacobian is
diagonal); for ``sum``, ``mean`` and ``matmul`` the rule writes the whole product.

A local-derivative function receives an ``Operands`` record:

    names   the inputs as they are written ('w', 'x', '(y_pred - y)')
    nums    the inputs as numbers ('1.0', '(2.0 - 4.0)'), for a scalar worked example
    vals    the input values (NumPy arrays or Python numbers; None when unknown)
    out     the op's output value
    node    the graph node (its ``saved`` operands and the op's attributes)

and returns ``Local(formula, numbers, value)``; ``value`` is None when the
derivative is not elementwise, and then ``chain`` says how the gradient is formed.
"""
from dataclasses import dataclass

import numpy as np

from .._ops import arithmetic as A
from .._ops import elementwise as E
from .._ops import linalg as LA
from .._ops import reduction as R


@dataclass
class Operands:
    names: tuple
    nums: tuple
    vals: tuple
    out: object
    node: object


@dataclass
class Local:
    formula: str          # 'x', '2·(y_pred - y)'
    numbers: str          # '2.0', '2 × (2.0 - 4.0)'
    value: object         # the local derivative (number or array), or None
    chain: str = ""       # for non-elementwise ops: how dL/d input is formed


@dataclass
class Rule:
    label: object         # 'mul', or a function of the node ('pow 2')
    zh: str               # the op's name in Chinese, for the narration
    expr: object          # function(node, names) -> 'a * b'
    precedence: int       # 1 + -, 2 * /, 3 unary minus, 4 **, 5 function call
    local: tuple          # one function(Operands) -> Local per differentiable input
    forward: object = None        # function(node, vals) -> output value
    infer: object = None          # function(node, slot, vals, out) -> missing constant
    hidden: tuple = ()            # input slots shown in the label, not as constants
    right_slot: int = 1           # the input written on the right: a - (b - c)
    saves_inputs: bool = False    # node._saved[i] is input i (constants can be read)
    saved_slots: dict = None      # else {input slot: index in node._saved}, e.g. addmm's x


# Words inside the formulas, filled in with the narration's language.
WORDS = {
    "en": {"each": "1 for every element", "copied": "copied to every element of",
           "left": "on the left", "right": "on the right",
           "backward": "computed by the op's backward"},
    "zh": {"each": "每个元素都是 1", "copied": "复制给每个元素：", "left": "乘在左边",
           "right": "乘在右边", "backward": "由该运算的 backward 算出"},
}


# ---- small helpers -------------------------------------------------------------------
def num(v):
    """A number as it is written in a worked example: -4.0, 1.8, 0.16, 2."""
    if v is None:
        return "?"
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    a = np.asarray(v)
    if a.size == 1:
        x = a.reshape(()).item()
        if isinstance(x, (bool, int)):
            return str(x)
        return repr(float(f"{x:.6g}"))           # float32 noise hidden: 1.8, not 1.8000000476
    if a.size <= 8:
        return _nested(a)
    return f"<{a.dtype.name} {tuple(a.shape)}, mean {num(a.mean())}>"


def _nested(a):
    """[[1.0], [2.0]]: the brackets show the shape, as in a tensor's repr."""
    if a.ndim == 0:
        return num(a)
    return "[" + ", ".join(_nested(row) for row in a) + "]"


def factor(text):
    """A number or name ready to stand in a product: '(-4.0)', '(y_pred - y)'."""
    simple = text.replace("_", "").replace(".", "").isalnum() or text[0] in "[<?"
    wrapped = text.startswith("(") and text.endswith(")")
    return text if wrapped or simple and not text.startswith("-") else f"({text})"


def is_scalar(v):
    return v is not None and np.size(v) == 1


def _known(*vals):
    return all(v is not None for v in vals)


def _elementwise(formula_of, value_of, numbers_of=None):
    """A one-input rule's local derivative from three small functions of the input."""
    def local(ops):
        a, n = ops.vals[0], ops.names[0]
        value = value_of(a, ops.out) if _known(a, ops.out) else None
        numbers = numbers_of(ops.nums[0]) if numbers_of else num(value)
        return Local(formula_of(n), numbers, value)
    return (local,)


# ---- arithmetic ----------------------------------------------------------------------
def _alpha(node):
    return getattr(node.obj, "alpha", 1)


def _add_expr(node, n):
    a = _alpha(node)
    return f"{n[0]} + {n[1]}" if a == 1 else f"{n[0]} + {num(a)}·{n[1]}"


def _sub_expr(node, n):
    a = _alpha(node)
    return f"{n[0]} - {n[1]}" if a == 1 else f"{n[0]} - {num(a)}·{n[1]}"


def _constant_local(value):
    return lambda ops: Local(num(value), num(value), value)


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


def _saved(node, i):
    return node.saved[i] if node.saved and i < len(node.saved) else None


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


# ---- reductions and matmul: the derivative is not one number per element ---------------
def _sum_local(ops):
    a = ops.vals[0]
    if is_scalar(a):
        return Local("1", "1", 1)
    return Local("{each}", "", None, chain="dL/d{out} {copied} {a}")


def _mean_local(ops):
    n = getattr(ops.node.obj, "n", None)
    value = None if n is None else 1 / n
    return Local(f"1/n (n = {n})", f"1/{n}", value,
                 chain=f"dL/d{{out}} / {n}, {{copied}} {{a}}")


def _matmul_local(slot):
    def local(ops):
        other = ops.names[1 - slot]
        if slot == 0:
            return Local(f"{other}^T ({{right}})", "", None, chain=f"dL/d{{out}} @ {other}^T")
        return Local(f"{other}^T ({{left}})", "", None, chain=f"{other}^T @ dL/d{{out}}")
    return local


def _reduce(fn, node, v):
    dims = getattr(node.obj, "dims", None)
    axis = None if dims is None else tuple(dims)
    return fn(v[0], axis=axis, keepdims=getattr(node.obj, "keepdim", False))


RULES.update({
    R.Sum: Rule("sum", "求和", lambda node, n: f"sum({n[0]})", 5, (_sum_local,),
                forward=lambda node, v: _reduce(np.sum, node, v)),
    R.Mean: Rule("mean", "求平均", lambda node, n: f"mean({n[0]})", 5, (_mean_local,),
                 forward=lambda node, v: _reduce(np.mean, node, v)),
    LA.MatMul: Rule("matmul", "矩阵乘法", lambda node, n: f"{n[0]} @ {n[1]}", 2,
                    (_matmul_local(0), _matmul_local(1)),
                    forward=lambda node, v: np.matmul(v[0], v[1]), saves_inputs=True),
})


def _mse_scale(node, vals):
    """2/n for reduction='mean' (n elements), else 2."""
    if getattr(node.obj, "reduction", "mean") != "mean":
        return 2, ""
    n = int(np.prod(np.broadcast_shapes(np.shape(vals[0]), np.shape(vals[1]))))
    return 2 / n, n


def _mse_local(sign):
    def local(ops):
        a, b = ops.vals[0], ops.vals[1]
        scale, n = _mse_scale(ops.node, ops.vals) if _known(a, b) else (None, "n")
        over = f"/{n}" if n not in ("", 1) else ""
        lead = "2" if sign > 0 else "-2"
        value = None if scale is None else sign * scale * (np.asarray(a) - np.asarray(b))
        return Local(f"{lead}·({ops.names[0]} - {ops.names[1]}){over}",
                     f"{lead} × ({ops.nums[0]} - {ops.nums[1]}){over}", value)
    return local


def _mse_forward(node, v):
    d = np.square(np.asarray(v[0]) - np.asarray(v[1]))
    reduction = getattr(node.obj, "reduction", "mean")
    return d if reduction == "none" else d.sum() if reduction == "sum" else d.mean()


# ---- nn.Linear's ops: addmm(b, x, W^T) = x @ W^T + b, and the transpose W^T ----------
def _addmm_forward(node, v):
    """b + x @ W^T, with x read from what addmm saved when it is a constant."""
    x = v[1] if v[1] is not None else _saved(node, 0)
    w = v[2] if v[2] is not None else _saved(node, 1)
    return np.asarray(v[0]) + np.matmul(x, w)


def _addmm_local(slot):
    def local(ops):
        if slot == 1:
            other = ops.names[2]
            return Local(f"{other}^T ({{right}})", "", None, chain=f"dL/d{{out}} @ {other}^T")
        other = ops.names[1]
        return Local(f"{other}^T ({{left}})", "", None, chain=f"{other}^T @ dL/d{{out}}")
    return local


def _transpose_forward(node, v):
    dims = getattr(node.obj, "dims", (0, 1))
    return np.swapaxes(v[0], *dims)


_TRANSPOSE = Rule("t", "转置", lambda node, n: f"{n[0]}^T", 5,
                  (lambda ops: Local("(transpose: the gradient is transposed back)", "", None,
                                     chain="(dL/d{out})^T"),),
                  forward=_transpose_forward)


# Ops defined outside the core op families, known here by PyTorch's name only.
RULES_BY_TORCH_NAME = {
    "AddmmBackward0": Rule("addmm", "线性层 (addmm)",
                           lambda node, n: f"{n[1]} @ {n[2]} + {n[0]}", 1,
                           (_constant_local(1), _addmm_local(1), _addmm_local(2)),
                           forward=_addmm_forward, saved_slots={1: 0, 2: 1}),
    "TBackward0": _TRANSPOSE,
    "TransposeBackward0": _TRANSPOSE,
    "MseLossBackward0": Rule("mse_loss", "均方误差",
                             lambda node, n: f"mse_loss({n[0]}, {n[1]})", 5,
                             (_mse_local(1), _mse_local(-1)), forward=_mse_forward,
                             saves_inputs=True),
}


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
