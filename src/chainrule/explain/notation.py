"""The notation of the formula tables: the records a rule works with, and numbers
written as in a worked example on paper (``-4.0``, ``(y_pred - y)``, ``2 × (2.0 - 4.0)``).

A local-derivative function receives an ``Operands`` record:

    names   the inputs as they are written ('w', 'x', '(y_pred - y)')
    nums    the inputs as numbers ('1.0', '(2.0 - 4.0)'), for a scalar worked example
    vals    the input values (NumPy arrays or Python numbers; None when unknown)
    out     the op's output value
    node    the graph node (its ``saved`` operands and the op's attributes)

and returns ``Local(formula, numbers, value)``; ``value`` is None when the
derivative is not elementwise, and then ``chain`` says how the gradient is formed.
Words inside a formula (``{each}``, ``{copied}``) are filled in from ``WORDS`` in
the narration's language.
"""
from dataclasses import dataclass

import numpy as np


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
    constants: object = None      # function(node, slot) -> a constant the op kept


# Words inside the formulas, filled in with the narration's language.
WORDS = {
    "en": {"each": "1 for every element", "copied": "copied to every element of",
           "left": "on the left", "right": "on the right",
           "backward": "computed by the op's backward",
           "transposed_back": "transpose: the gradient is transposed back",
           "reshaped": "1 for every element (only the shape changes)",
           "reshape_back": "reshaped back to",
           "picked": "1 for the picked elements, 0 for the others",
           "put_back": "put back at", "zero_elsewhere": ", 0 elsewhere",
           "at_target": "at each row's target class, 0 elsewhere"},
    "zh": {"each": "每个元素都是 1", "copied": "复制给每个元素：", "left": "乘在左边",
           "right": "乘在右边", "backward": "由该运算的 backward 算出",
           "transposed_back": "转置：梯度再转置回去",
           "reshaped": "每个元素都是 1（只改变形状）",
           "reshape_back": "变回形状",
           "picked": "被选中的元素为 1，其余为 0",
           "put_back": "放回到", "zero_elsewhere": "，其余位置为 0",
           "at_target": "（在每一行的目标类别处，其余为 0）"},
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


def bare(text):
    """A number without the brackets ``factor`` gave it: '-3.0' from '(-3.0)'.

    Inside a call the brackets are the call's own: ``abs(-3.0)``, not ``abs((-3.0))``.
    """
    if text.startswith("(-") and text.endswith(")"):
        try:
            float(text[1:-1])
        except ValueError:
            return text
        return text[1:-1]
    return text


def operand(text):
    """An input written before ``.view(...)`` or ``[i]``: 'x', 'sum(x)', '(w * x)'."""
    if " " not in text or text[0] in "[<":
        return text
    start = text.find("(")
    if start >= 0 and (start == 0 or text[:start].replace("_", "").replace(".", "").isalnum()):
        depth = 0
        for k, c in enumerate(text[start:], start):
            depth += {"(": 1, ")": -1}.get(c, 0)
            if depth == 0:      # one call f(a, b), or already in brackets: as it is
                return text if k == len(text) - 1 else f"({text})"
    return f"({text})"


def is_scalar(v):
    return v is not None and np.size(v) == 1


def _known(*vals):
    return all(v is not None for v in vals)


def _elementwise(formula_of, value_of, numbers_of=None):
    """A one-input rule's local derivative from three small functions of the input."""
    def local(ops):
        a, n = ops.vals[0], ops.names[0]
        value = value_of(a, ops.out) if _known(a, ops.out) else None
        numbers = numbers_of(bare(ops.nums[0])) if numbers_of else num(value)
        return Local(formula_of(n), numbers, value)
    return (local,)


def _saved(node, i):
    """What the op saved for backward at position ``i`` (a copy), or None."""
    return node.saved[i] if node.saved and i < len(node.saved) else None


def _constant_local(value):
    """A local derivative that is one number: d(a + b)/da = 1."""
    return lambda ops: Local(num(value), num(value), value)
