"""Loss functions: one number that says how wrong a prediction is.

Training lowers a loss ``L(prediction, target)``. Each loss here is computed
per element (or per sample) first, ``l_i``, and then *reduced*:

    reduction='mean'   L = (1/n) sum_i l_i     (the default)
    reduction='sum'    L = sum_i l_i
    reduction='none'   the l_i themselves, one per element

The losses PyTorch implements as a single kernel (MSE, smooth L1, Huber,
binary cross-entropy, NLL) are one ``Node`` each (NLL and cross-entropy are in
``_nll.py``), with the derivative
written out beside the forward, and keep PyTorch's ``grad_fn`` names
(``MseLossBackward0``). The others are built from ordinary tensor ops, as in
PyTorch: ``l1_loss`` is ``(x - y).abs().mean()``, ``cross_entropy`` is
``log_softmax`` followed by ``nll_loss``.

Where PyTorch's float32 arithmetic has a fixed order (``2/n * (x - y) * g``
in MSE's backward, the 8-level cascade that sums NLL's terms), the same order
is used here, so the printed digits agree.

>>> import chainrule as torch
>>> import chainrule.nn.functional as F
>>> pred = torch.tensor([1.0, 2.0, 4.0], requires_grad=True)
>>> loss = F.mse_loss(pred, torch.tensor([1.0, 2.0, 2.0]))
>>> loss
tensor(1.3333, grad_fn=<MseLossBackward0>)
>>> loss.backward()
>>> pred.grad                      # 2 (x - y) / n
tensor([0.0000, 0.0000, 1.3333])
"""
import warnings

import numpy as np

from ..autograd.graph import Node
from .._tensor import TensorBase
from .._ops._util import broadcast_error, promote

_make = TensorBase._make

# PyTorch's names for dtypes in error messages
SCALAR_NAMES = {"float64": "Double", "float32": "Float", "float16": "Half", "int64": "Long",
                "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                "bool": "Bool"}


# ---- arguments: reduction, sizes, dtypes ---------------------------------------
def reduction_of(size_average, reduce, reduction):
    """The reduction to use, from ``reduction`` or the deprecated ``size_average``/``reduce``.

    ``size_average=False`` meant 'sum'; ``reduce=False`` meant 'none'. Either
    one overrides ``reduction`` and warns, as in PyTorch.
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use "
                      "reduction='mean' instead.", stacklevel=3)
        return "mean"
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def legacy_reduction(size_average, reduce):
    """'mean', 'sum' or 'none' from the deprecated pair, with PyTorch's warning."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  f"reduction='{reduction}' instead.", stacklevel=4)
    return reduction


def warn_target_size(input, target):
    """A target of another shape broadcasts, which is rarely what was meant: warn."""
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input "
                      f"size ({input.size()}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.", stacklevel=3)


def check_float(kernel, input):
    """PyTorch's losses have no integer kernels."""
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{SCALAR_NAMES[input._data.dtype.name]}'")


def check_same_dtype(other, input):
    if other._data.dtype != input._data.dtype:
        raise RuntimeError(f"Found dtype {SCALAR_NAMES[other._data.dtype.name]} but expected "
                           f"{SCALAR_NAMES[input._data.dtype.name]}")


def _reduce(loss, reduction):
    """Reduce the per-element losses (an array) with the core's own sum and mean."""
    if reduction == "none":
        return loss
    t = _make(loss)
    return (t.mean() if reduction == "mean" else t.sum())._data


def _const(value, like):
    """A Python number as ``like``'s floating dtype, so constants round as PyTorch's do."""
    return like._data.dtype.type(value).item()


def _broadcast_shape(input, target):
    try:
        return np.broadcast_shapes(input._data.shape, target._data.shape)
    except ValueError:
        raise broadcast_error(input._data.shape, target._data.shape) from None


def _expand(grad, shape, reduction):
    """The incoming gradient, one value per element (a reduced loss has one number)."""
    return grad if reduction == "none" else grad.expand(shape)


# ---- regression: MSE, smooth L1, Huber ---------------------------------------
class MseLoss(Node):
    """Squared error.

        l_i = (x_i - y_i)^2          dl_i/dx_i = 2 (x_i - y_i) = -dl_i/dy_i

    For ``'mean'`` the 1/n is folded into one factor, 2/n, computed once and
    applied as ``(2/n * (x - y)) * grad``: PyTorch's order, to the last bit.
    """
    torch_name = "MseLossBackward0"

    def forward(self, input, target, reduction):
        self.save_for_backward(input, target)
        self.reduction = reduction
        x, y = promote(input, target)            # PyTorch's result dtype, e.g. float - long
        d = x - y
        return _reduce(d * d, reduction)

    def backward(self, grad):
        x, y = self.saved_tensors
        shape = _broadcast_shape(x, y)
        n = int(np.prod(shape))
        scale = 2.0 / n if self.reduction == "mean" and n else 2.0
        gx = scale * (x - y) * _expand(grad, shape, self.reduction)
        return gx, (-gx if self.needs_input_grad(1) else None)

    def fast_backward(self, grad):
        g = grad._data
        x, y = self.saved_array(0, g.dtype), self.saved_array(1, g.dtype)
        if x is None or y is None:
            return self.backward(grad)
        shape = np.broadcast_shapes(x.shape, y.shape)
        n = int(np.prod(shape))
        scale = 2.0 / n if self.reduction == "mean" and n else 2.0
        if self.reduction != "none":
            g = np.broadcast_to(g, shape)
        gx = np.multiply(np.multiply(np.subtract(x, y), scale), g)
        return _make(gx), (_make(np.negative(gx)) if self.needs_input_grad(1) else None)


class SmoothL1Loss(Node):
    """Squared near zero, absolute further out (``beta`` is where they meet).

        l_i = 0.5 d_i^2 / beta   if |d_i| < beta        d_i = x_i - y_i
              |d_i| - 0.5 beta   otherwise
        dl_i/dx_i = d_i / beta inside, sign(d_i) outside  (= -dl_i/dy_i)
    """
    torch_name = "SmoothL1LossBackward0"

    def forward(self, input, target, reduction, beta):
        self.save_for_backward(input, target)
        self.reduction, self.beta = reduction, beta
        x, y = promote(input, target)
        z = np.abs(x - y)
        loss = np.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta).astype(z.dtype)
        return _reduce(loss, reduction)

    def backward(self, grad):
        x, y = self.saved_tensors
        shape = _broadcast_shape(x, y)
        norm = 1.0 / int(np.prod(shape)) if self.reduction == "mean" else 1.0
        d = x - y
        g = _expand(grad, shape, self.reduction)
        # PyTorch's rounding order: ((d / beta) * norm) * grad
        gx = (d / self.beta * norm * g).where(d.abs() < self.beta, d.sign() * norm * g)
        return gx, (-gx if self.needs_input_grad(1) else None)


class HuberLoss(Node):
    """Smooth L1 scaled by ``delta``: squared near zero, ``delta`` times absolute outside.

        l_i = 0.5 d_i^2                  if |d_i| < delta
              delta (|d_i| - 0.5 delta)  otherwise
        dl_i/dx_i = d_i inside, delta sign(d_i) outside  (= -dl_i/dy_i)
    """
    torch_name = "HuberLossBackward0"

    def forward(self, input, target, reduction, delta):
        self.save_for_backward(input, target)
        self.reduction, self.delta = reduction, delta
        x = input._data
        z = np.abs(x - target._data.astype(x.dtype))     # the output keeps input's dtype
        loss = np.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta)).astype(x.dtype)
        return _reduce(loss, reduction)

    def backward(self, grad):
        x, y = self.saved_tensors
        check_same_dtype(y, x)                   # PyTorch checks the target only here
        shape = _broadcast_shape(x, y)
        norm = _const(1.0 / int(np.prod(shape)) if self.reduction == "mean" else 1.0, x)
        d = x - y
        g = _expand(grad, shape, self.reduction)
        # norm * delta is rounded once, in the tensor's dtype, as PyTorch does
        gx = (norm * d * g).where(d.abs() < self.delta, d.sign() * (norm * _const(
            self.delta, x)) * g)
        return gx, (-gx if self.needs_input_grad(1) else None)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error, ``mean((input - target)^2)``; see ``MseLoss``.

    ``weight`` (same size as ``input``) weights each squared error; the mean is
    then ``sum(w * l) / sum(w)``.
    """
    warn_target_size(input, target)
    reduction = reduction_of(size_average, reduce, reduction)
    _broadcast_shape(input, target)
    check_float("mse_cpu", input)
    if weight is not None:
        return _weighted((input - target) ** 2, input, weight, reduction, mean_by_weight=True)
    return MseLoss.apply(input, target, reduction=reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error, ``mean(|input - target|)``: ``(input - target).abs().mean()``.

    The gradient is ``sign(input - target) / n``; at a tie it is 0.
    """
    warn_target_size(input, target)
    reduction = reduction_of(size_average, reduce, reduction)
    _broadcast_shape(input, target)
    loss = (input - target).abs()
    if weight is not None:
        return _weighted(loss, input, weight, reduction, mean_by_weight=True)
    return _reduce_tensor(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Squared error below ``beta``, absolute error above; see ``SmoothL1Loss``."""
    warn_target_size(input, target)
    reduction = reduction_of(size_average, reduce, reduction)
    _broadcast_shape(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    check_float("smooth_l1_cpu", input)
    return SmoothL1Loss.apply(input, target, reduction=reduction, beta=beta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Squared error below ``delta``, ``delta`` times absolute above; see ``HuberLoss``."""
    warn_target_size(input, target)
    reduction = reduction_of(None, None, reduction)
    _broadcast_shape(input, target)
    check_float("huber_cpu", input)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is not None:
        loss = HuberLoss.apply(input, target, reduction="none", delta=delta)
        return _weighted(loss, input, weight, reduction, mean_by_weight=False)
    return HuberLoss.apply(input, target, reduction=reduction, delta=delta)


def _reduce_tensor(loss, reduction):
    return loss if reduction == "none" else loss.sum() if reduction == "sum" else loss.mean()


def _weighted(loss, input, weight, reduction, mean_by_weight):
    """``loss * weight`` reduced; PyTorch divides a weighted MSE or L1 by ``sum(weight)``."""
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean" and mean_by_weight:
        return loss.sum() / weight.sum()
    return _reduce_tensor(loss, reduction)


# ---- binary classification: BCE on probabilities and on logits ---------------
class BinaryCrossEntropy(Node):
    """Cross-entropy of a probability ``x`` in [0, 1] against a target ``y``.

        l_i = -w_i [y_i log x_i + (1 - y_i) log(1 - x_i)]
        dl_i/dx_i = w_i (x_i - y_i) / (x_i (1 - x_i))

    Each log is clamped at -100, so ``x = 0`` gives a large finite loss
    instead of ``inf``; the denominator is kept at least 1e-12.
    """
    torch_name = "BinaryCrossEntropyBackward0"

    def forward(self, input, target, weight, reduction):
        self.save_for_backward(input, target, weight)
        self.reduction = reduction
        x, y = input._data, target._data
        if not np.all((x >= 0) & (x <= 1)):
            raise RuntimeError("all elements of input should be between 0 and 1")
        if not np.all((y >= 0) & (y <= 1)):
            raise RuntimeError("all elements of target should be between 0 and 1")
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), -100)
            log_1mx = np.maximum(np.log1p(-x), -100)
        loss = ((y - 1) * log_1mx - y * log_x).astype(x.dtype)
        if weight is not None:
            loss = loss * weight._data.astype(x.dtype)
        return _reduce(loss, reduction)

    def backward(self, grad):
        x, y, w = self.saved_tensors
        g = _expand(grad, x.shape, self.reduction)
        gx = g * (x - y) / ((1 - x) * x).clamp(min=1e-12) if self.needs_input_grad(0) else None
        gy = None
        if self.needs_input_grad(1):
            gy = g * (x.neg().log1p().clamp(min=-100) - x.log().clamp(min=-100))
        grads = []
        for gi in (gx, gy):
            if gi is not None and w is not None:
                gi = gi * w
            if gi is not None and self.reduction == "mean":
                gi = gi / x.numel()
            grads.append(gi)
        return grads[0], grads[1], None


class BinaryCrossEntropyWithLogits(Node):
    """Binary cross-entropy on a logit ``x`` (any real number), with ``p = sigmoid(x)``.

        l_i = -w_i [pw_i y_i log p_i + (1 - y_i) log(1 - p_i)]
            = w_i [(1 - y_i) x_i - (1 + (pw_i - 1) y_i) log sigmoid(x_i)]
        dl_i/dx_i = w_i [(1 + (pw_i - 1) y_i) p_i - pw_i y_i]       (= p_i - y_i if pw = 1)

    ``log sigmoid(x) = min(x, 0) - log(1 + e^-|x|)`` never overflows, which is why
    this loss is preferred over ``sigmoid`` followed by ``binary_cross_entropy``.
    """
    torch_name = "BinaryCrossEntropyWithLogitsBackward0"

    def forward(self, input, target, weight, pos_weight, reduction):
        self.save_for_backward(input, target, weight, pos_weight)
        self.reduction = reduction
        x, y = input._data, target._data
        log_sig = np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))
        if pos_weight is not None:
            log_sig = log_sig * ((pos_weight._data - 1) * y + 1)
        loss = (1 - y) * x - log_sig
        if weight is not None:
            loss = loss * weight._data
        return _reduce(loss.astype(y.dtype), reduction)

    def backward(self, grad):
        x, y, w, pw = self.saved_tensors
        g = _expand(grad, _broadcast_shape(x, y), self.reduction)
        if pw is None:
            gx = x.sigmoid() - y
            gy = -x
        else:
            t = pw * y
            gx = (t + 1 - y) * x.sigmoid() - t
            gy = _log_sigmoid(-x) - _log_sigmoid(x) * pw
        grads = []
        for gi in (gx, gy):
            gi = gi * w if w is not None else gi
            gi = gi * g
            grads.append(gi / x.numel() if self.reduction == "mean" else gi)
        return grads[0], grads[1] if self.needs_input_grad(1) else None, None, None


def _log_sigmoid(z):
    """log sigmoid(z) = min(z, 0) - log(1 + e^-|z|), finite for every z."""
    return z.clamp(max=0) - (-z.abs()).exp().log1p()


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """Binary cross-entropy of probabilities; see ``BinaryCrossEntropy``."""
    reduction = reduction_of(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the "
                         f"input size ({input.size()}) is deprecated. Please ensure they "
                         "have the same size.")
    check_float("binary_cross_entropy", input)
    check_same_dtype(target, input)
    if weight is not None:
        try:
            weight = weight.expand(np.broadcast_shapes(target.shape, weight.shape))
        except ValueError:
            raise RuntimeError(f"Attempting to broadcast a dimension of length "
                               f"{weight.shape[-1]} at -1! Mismatching argument at index 1 had "
                               f"{weight.shape}; but expected shape should be broadcastable to "
                               f"{list(target.shape)}") from None
    return BinaryCrossEntropy.apply(input, target, weight, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """Binary cross-entropy on logits, stable for large ``|x|``; see
    ``BinaryCrossEntropyWithLogits``. ``pos_weight`` scales the positive term,
    broadcast along the last (class) dimension."""
    reduction = reduction_of(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size "
                         f"({input.size()})")
    check_float("log_sigmoid_cpu", input)
    if target._data.dtype.kind != "f":
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{SCALAR_NAMES[target._data.dtype.name]}")
    for extra in (weight, pos_weight):
        if extra is not None:
            _broadcast_shape(extra, input)
    return BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight,
                                              reduction=reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence of ``target`` from ``exp(input)`` (``input`` holds
    log-probabilities).

        l_i = y_i (log y_i - x_i)            (log_target=False; 0 where y_i = 0)
        l_i = e^{y_i} (y_i - x_i)            (log_target=True)

    ``reduction='batchmean'`` divides the sum by the batch size, which is the
    true KL divergence; ``'mean'`` divides by every element and warns.
    """
    if size_average is not None or reduce is not None:
        reduction = reduction_of(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", stacklevel=2)
    if reduction != "batchmean":
        reduction = reduction_of(None, None, reduction)
    if input._data.dtype.kind != "f" or target._data.dtype.kind != "f":
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = _xlogx(target) - target * input
    if reduction == "batchmean":
        return loss.sum() / input.size(0) if input.dim() != 0 else loss.sum()
    return _reduce_tensor(loss, reduction)


def _xlogx(t):
    """``t log t`` with the limit 0 at ``t = 0`` (what ``torch.xlogy(t, t)`` gives)."""
    if not t.requires_grad:
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(t._data == 0, 0, t._data * np.log(t._data)).astype(t._data.dtype)
        return _make(out)
    zero = t == 0
    return (t * t.masked_fill(zero, 1).log()).masked_fill(zero, 0)
