"""The formula table, second chapter: reductions, matmul, shapes, indexing and softmax.

For these ops the local derivative is not one number per element, so each rule
also writes ``chain``: how ``dL/d input`` is formed from ``dL/d out`` as a whole
(copied to every element, multiplied by a transposed matrix, reshaped back,
put back at the picked places). See ``formulas.py`` for the table's layout.
"""
import numpy as np

from .._ops import indexing as I
from .._ops import linalg as LA
from .._ops import reduction as R
from .._ops import softmax as SM
from .._ops import shape as S
from .notation import Local, Rule, factor, is_scalar, operand


# ---- sum and mean: every element moves the total by the same amount -------------------
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


def _reduce(fn, node, v):
    dims = getattr(node.obj, "dims", None)
    axis = None if dims is None else tuple(dims)
    return fn(v[0], axis=axis, keepdims=getattr(node.obj, "keepdim", False))


# ---- matmul: d(A @ B)/dA multiplies by B^T on the right ---------------------------------
def transposed(name):
    """'W' -> 'W^T', and 'W^T' -> 'W': a matrix transposed twice is itself."""
    return name[:-2] if name.endswith("^T") else f"{factor(name)}^T"


def _matmul_local(slot):
    def local(ops):
        other = transposed(ops.names[1 - slot])
        if slot == 0:
            return Local(f"{other} ({{right}})", "", None, chain=f"dL/d{{out}} @ {other}")
        return Local(f"{other} ({{left}})", "", None, chain=f"{other} @ dL/d{{out}}")
    return local


# ---- transpose, view, reshape: the values move, the gradient moves back ----------------
def _transpose_forward(node, v):
    dims = getattr(node.obj, "dims", (0, 1))
    return np.swapaxes(v[0], *dims)


TRANSPOSE = Rule("t", "转置", lambda node, n: f"{n[0]}^T", 5,
                 (lambda ops: Local("({transposed_back})", "", None, chain="(dL/d{out})^T"),),
                 forward=_transpose_forward)


def _shape_text(shape):
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _reshape_local(ops):
    shape = getattr(ops.node.obj, "in_shape", None)
    back = "" if shape is None else f" {_shape_text(shape)}"
    return Local("{reshaped}", "", None, chain=f"dL/d{{out}} {{reshape_back}}{back}")


def _is_number(text):
    try:
        float(text.strip("()"))
    except ValueError:
        return False
    return True


def _reshape_rule(method, zh):
    """view, reshape, squeeze, unsqueeze: the same numbers in another shape."""
    def expr(node, n):
        if _is_number(n[0]):
            return ""           # with the numbers put in, a new shape changes nothing
        shape = node.shape
        args = "" if shape is None or method in ("squeeze", "unsqueeze") else \
            ", ".join(str(k) for k in shape)
        if method == "unsqueeze":
            args = str(getattr(node.obj, "dim", ""))
        return f"{operand(n[0])}.{method}({args})"

    def forward(node, v):
        return np.reshape(v[0], node.shape)
    return Rule(method, zh, expr, 6, (_reshape_local,), forward=forward)


# ---- indexing: only the picked elements get a gradient ----------------------------------
def _index_text(index):
    """x[0, 1:3] written back as '0, 1:3'."""
    parts = []
    for i in index if isinstance(index, tuple) else (index,):
        if isinstance(i, slice):
            step = "" if i.step in (None, 1) else f":{i.step}"
            parts.append(f"{'' if i.start is None else i.start}:"
                         f"{'' if i.stop is None else i.stop}{step}")
        elif i is Ellipsis:
            parts.append("...")
        elif isinstance(i, np.ndarray) and i.dtype == np.bool_:
            parts.append("mask")
        elif isinstance(i, np.ndarray):
            parts.append(str(i.tolist()))
        else:
            parts.append(str(i))
    return ", ".join(parts)


def _index_local(ops):
    where = _index_text(getattr(ops.node.obj, "index", ()))
    return Local("{picked}", "", None,
                 chain=f"dL/d{{out}} {{put_back}} {{a}}[{where}]{{zero_elsewhere}}")


def _index_forward(node, v):
    return np.asarray(v[0])[node.obj.index]


INDEX = Rule("index", "索引", lambda node, n: f"{operand(n[0])}[{_index_text(node.obj.index)}]",
             6, (_index_local,), forward=_index_forward)


# ---- softmax and log_softmax: each output depends on every input along dim -------------
def _dim(node):
    return getattr(node.obj, "dim", None)


def _softmax_local(ops):
    d = _dim(ops.node)
    return Local("s_i·(δ_ij - s_j), s = {out}", "", None,
                 chain=f"{{out}} · (dL/d{{out}} - sum({{out}} · dL/d{{out}}, dim={d}))")


def _log_softmax_local(ops):
    d = _dim(ops.node)
    return Local("δ_ij - softmax({a})_j", "", None,
                 chain=f"dL/d{{out}} - exp({{out}}) · sum(dL/d{{out}}, dim={d})")


def _softmax_forward(node, v):
    e = np.exp(v[0] - np.max(v[0], axis=_dim(node), keepdims=True))
    return e / np.sum(e, axis=_dim(node), keepdims=True)


RULES_TENSOR = {
    R.Sum: Rule("sum", "求和", lambda node, n: f"sum({n[0]})", 5, (_sum_local,),
                forward=lambda node, v: _reduce(np.sum, node, v)),
    R.Mean: Rule("mean", "求平均", lambda node, n: f"mean({n[0]})", 5, (_mean_local,),
                 forward=lambda node, v: _reduce(np.mean, node, v)),
    LA.MatMul: Rule("matmul", "矩阵乘法", lambda node, n: f"{n[0]} @ {n[1]}", 2,
                    (_matmul_local(0), _matmul_local(1)),
                    forward=lambda node, v: np.matmul(v[0], v[1]), saves_inputs=True),
    S.View: _reshape_rule("view", "改变形状 (view)"),
    S.ReshapeAlias: _reshape_rule("reshape", "改变形状 (reshape)"),
    S.Reshape: _reshape_rule("reshape", "改变形状 (reshape)"),
    S.Squeeze: _reshape_rule("squeeze", "去掉长度为 1 的维度 (squeeze)"),
    S.Unsqueeze: _reshape_rule("unsqueeze", "增加长度为 1 的维度 (unsqueeze)"),
    S.Narrow: INDEX,
    I.Index: INDEX,
    SM.Softmax: Rule(lambda node: f"softmax dim={_dim(node)}", "softmax",
                    lambda node, n: f"softmax({n[0]}, dim={_dim(node)})", 5,
                    (_softmax_local,), forward=_softmax_forward),
    SM.LogSoftmax: Rule(lambda node: f"log_softmax dim={_dim(node)}", "log_softmax",
                       lambda node, n: f"log_softmax({n[0]}, dim={_dim(node)})", 5,
                       (_log_softmax_local,),
                       forward=lambda node, v: np.log(_softmax_forward(node, v))),
}

RULES_TENSOR_BY_TORCH_NAME = {"TBackward0": TRANSPOSE, "TransposeBackward0": TRANSPOSE}
