"""The formula table, third chapter: the ops that ``torch.nn`` layers and losses make.

``nn.Linear`` records ``addmm(b, x, W^T)``, ``nn.PReLU`` a ``prelu`` kernel,
``nn.MSELoss`` one ``mse_loss`` node and ``nn.CrossEntropyLoss`` a
``log_softmax`` (in ``formulas_tensor.py``) followed by ``nll_loss``. These
rules are found by PyTorch's name of the node (``"AddmmBackward0"``), so the
table does not depend on where ``chainrule.nn`` defines them.
"""
import numpy as np

from .formulas_tensor import transposed
from .notation import Local, Rule, _constant_local, _known, _saved, factor, num


# ---- mse_loss: the mean of the squared differences ---------------------------------------
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


# ---- nn.Linear's op: addmm(b, x, W^T) = x @ W^T + b --------------------------------------
def _addmm_forward(node, v):
    """b + x @ W^T, with x read from what addmm saved when it is a constant."""
    x = v[1] if v[1] is not None else _saved(node, 0)
    w = v[2] if v[2] is not None else _saved(node, 1)
    return np.asarray(v[0]) + np.matmul(x, w)


def _addmm_local(slot):
    def local(ops):
        if slot == 1:
            other = transposed(ops.names[2])
            return Local(f"{other} ({{right}})", "", None, chain=f"dL/d{{out}} @ {other}")
        other = transposed(ops.names[1])
        return Local(f"{other} ({{left}})", "", None, chain=f"{other} @ dL/d{{out}}")
    return local


# ---- PReLU and leaky ReLU: slope 1 for x > 0, a smaller slope otherwise ----------------------
def _prelu_local_x(ops):
    x, w = ops.vals[0], ops.vals[1]
    value = None if not _known(x, w) else np.where(np.asarray(x) > 0, 1, w).astype(
        np.result_type(np.asarray(x).dtype, np.float32))
    return Local(f"(1 if {ops.names[0]} > 0 else {ops.names[1]})",
                 f"(1 if {ops.nums[0]} > 0 else {ops.nums[1]})", _plain(value))


def _prelu_local_w(ops):
    # the slope w is shared by the elements: its gradient is summed (broadcasting undone)
    x = ops.vals[0]
    value = None if x is None else np.where(np.asarray(x) > 0, 0, x).astype(np.asarray(x).dtype)
    return Local(f"(0 if {ops.names[0]} > 0 else {ops.names[0]})",
                 f"(0 if {ops.nums[0]} > 0 else {ops.nums[0]})", _plain(value))


def _plain(value):
    """A one-element array as a plain number, so the narration multiplies numbers."""
    return value.item() if isinstance(value, np.ndarray) and value.ndim == 0 else value


def _slope(node):
    return getattr(node.obj, "slope", 0.01)


def _leaky_local(ops):
    x, s = ops.vals[0], _slope(ops.node)
    value = None if x is None else _plain(np.where(np.asarray(x) > 0, 1.0, s))
    return Local(f"(1 if {ops.names[0]} > 0 else {num(s)})",
                 f"(1 if {ops.nums[0]} > 0 else {num(s)})", value)


# ---- the losses of classification: nll_loss and binary_cross_entropy ---------------------
def _nll_local(ops):
    """dL/dx[i, c] = -1/N where c is row i's target class (mean of N rows), else 0."""
    node = ops.node.obj
    if getattr(node, "w", None) is not None and np.any(node.w != 1):
        return Local("({backward})", "", None, chain="({backward})")      # class weights
    n = getattr(node, "total_weight", None)          # the number of rows counted
    n = int(n) if n is not None and float(n).is_integer() else n
    scale = "-1" if getattr(node, "reduction", "mean") != "mean" else f"-1/{num(n)}"
    return Local(f"{scale} {{at_target}}", "", None, chain=f"{scale} · dL/d{{out}} {{at_target}}")


def _nll_target(node, slot):
    """The class indices: nll_loss keeps them flattened, as ``target``."""
    obj = node.obj
    return obj.target.reshape(obj.out_shape) if slot == 1 else None


def _bce_local(ops):
    """d/dp of -(y log p + (1 - y) log(1 - p)), averaged over the N elements."""
    p, y = ops.vals[0], ops.vals[1]
    mean = getattr(ops.node.obj, "reduction", "mean") == "mean"
    n = int(np.size(p)) if p is not None else "N"
    over = f"/{n}" if mean and n != 1 else ""
    value = None
    if _known(p, y) and _saved(ops.node, 2) is None:        # no weight: the plain formula
        p, y = np.asarray(p), np.asarray(y)
        # PyTorch keeps the denominator at least 1e-12, so p = 0 or 1 stays finite
        value = _plain((p - y) / np.maximum(p * (1 - p), 1e-12) / (n if mean else 1))
    a, t = ops.names[0], ops.names[1]
    x, u = ops.nums[0], ops.nums[1]
    return Local(f"({a} - {t})/({a}·(1 - {a})){over}",
                 f"({x} - {u})/({x} × (1 - {x})){over}", value)


def _bce_forward(node, v):
    p, y = np.asarray(v[0]), np.asarray(v[1])
    with np.errstate(divide="ignore"):
        loss = -(y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log1p(-p), -100))
    reduction = getattr(node.obj, "reduction", "mean")
    return loss if reduction == "none" else loss.sum() if reduction == "sum" else loss.mean()


def _prelu_forward(node, v):
    return np.where(np.asarray(v[0]) > 0, v[0], np.asarray(v[1]) * v[0])


RULES_NN = {}

RULES_NN_BY_TORCH_NAME = {
    "AddmmBackward0": Rule("addmm", "线性层 (addmm)",
                           lambda node, n: f"{n[1]} @ {n[2]} + {n[0]}", 1,
                           (_constant_local(1), _addmm_local(1), _addmm_local(2)),
                           forward=_addmm_forward, saved_slots={1: 0, 2: 1}),
    "MseLossBackward0": Rule("mse_loss", "均方误差",
                             lambda node, n: f"mse_loss({n[0]}, {n[1]})", 5,
                             (_mse_local(1), _mse_local(-1)), forward=_mse_forward,
                             saves_inputs=True),
    "PreluKernelBackward0": Rule("prelu", "PReLU",
                                 lambda node, n: f"prelu({n[0]}, {n[1]})", 5,
                                 (_prelu_local_x, _prelu_local_w), forward=_prelu_forward,
                                 saves_inputs=True),
    "LeakyReluBackward0": Rule("leaky_relu", "Leaky ReLU",
                               lambda node, n: f"leaky_relu({n[0]}, {num(_slope(node))})", 5,
                               (_leaky_local,),
                               forward=lambda node, v: np.where(np.asarray(v[0]) > 0, v[0],
                                                                _slope(node) * v[0])),
    "NllLossBackward0": Rule("nll_loss", "负对数似然损失",
                             lambda node, n: f"nll_loss({n[0]}, {factor(n[1])})", 5,
                             (_nll_local,), hidden=(2,), constants=_nll_target),
    "BinaryCrossEntropyBackward0": Rule("binary_cross_entropy", "二元交叉熵",
                                        lambda node, n: f"binary_cross_entropy({n[0]}, {n[1]})",
                                        5, (_bce_local,), forward=_bce_forward,
                                        hidden=(2,), saves_inputs=True),
}
