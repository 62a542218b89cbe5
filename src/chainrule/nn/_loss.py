"""Loss functions: one number that says how wrong a prediction is.

Training lowers a loss ``L(prediction, target)``. Each loss here is computed
per element (or per sample) first, ``l_i``, and then *reduced*:

    reduction='mean'   L = (1/n) sum_i l_i     (the default)
    reduction='sum'    L = sum_i l_i
    reduction='none'   the l_i themselves, one per element

The losses PyTorch implements as a single kernel (MSE, smooth L1, Huber,
binary cross-entropy, NLL) are one ``Node`` each, with the derivative
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


# ---- classification: negative log-likelihood and cross-entropy -----------------
def _cascade_sum(values, positions, dtype):
    """Sum ``values`` in the order PyTorch's CPU ``nll_loss`` adds them.

    PyTorch keeps 8 partial sums. Every term is added to the first; after the
    term at position ``b``, the partial sums move one level up for every
    trailing run of four zero bits in ``b`` (b = 16, 32, ... flush level 0
    into level 1; b = 256, 512, ... flush on to level 2; b = 0 flushes all).
    Finally the 8 partial sums are added from the lowest level up. Summing in
    a fixed cascade keeps the rounding error small for large batches; copying
    it here makes float32 losses agree to the last bit.
    """
    values = np.asarray(values, dtype)
    positions = np.asarray(positions, np.int64)
    if len(values) and positions[0] == 0 and positions[-1] == len(positions) - 1:
        return _cascade_sum_of_all(values, dtype)        # no sample ignored: the usual case
    if len(values) > _CASCADE_LOOP_LIMIT:
        return _cascade_sum_by_levels(values, positions, dtype)
    partials = [dtype.type(0)] * 8
    for value, b in zip(values, positions.tolist()):
        partials[0] = dtype.type(partials[0] + value)
        level = 0
        while level < 7 and (b >> (4 * level)) & 15 == 0:     # one zero nibble per level
            partials[level + 1] = dtype.type(partials[level + 1] + partials[level])
            partials[level] = dtype.type(0)
            level += 1
    total = dtype.type(0)
    for p in partials:
        total = dtype.type(total + p)
    return total


def _cascade_sum_of_all(values, dtype):
    """``_cascade_sum`` when the positions are 0, 1, ..., n-1 (no sample ignored).

    Then the runs are regular. The term at position 0 climbs alone to the top level.
    At level 0 the others fall into runs of 16 (positions 1-16, 17-32, ...), closed by
    the position that ends them; each closed run's sum is a term of level 1, where
    runs of 16 again close, and so on; each level keeps its last, open run. A run is
    added term by term: ``cumsum`` along it. (PyTorch starts each run at +0, cumsum
    at its first term; they differ only for a run of zeros all -0, giving -0 for +0,
    which adds to anything as +0 does: the total is the same.)
    """
    total = dtype.type(0)
    terms = values[1:]
    while len(terms):
        closed = len(terms) // 16 * 16
        if closed < len(terms):                  # the open run stays at this level
            total = dtype.type(total + np.cumsum(terms[closed:], dtype=dtype)[-1])
        terms = np.cumsum(terms[:closed].reshape(-1, 16), axis=1, dtype=dtype)[:, -1]
    return dtype.type(total + dtype.type(dtype.type(0) + values[0]))


# Up to this many terms the plain loop above is the fastest (a batch of 64: ~60 us,
# against ~250 us level by level); past it the vectorized version below wins.
_CASCADE_LOOP_LIMIT = 256


def _cascade_sum_by_levels(values, positions, dtype):
    """``_cascade_sum`` a level at a time with NumPy: the same additions in the same order.

    At each level the terms fall into runs that end where a term flushes the level;
    each run's sum, added term by term, becomes one term of the level above.
    """
    values = np.asarray(values, dtype)
    positions = np.asarray(positions, np.int64)
    # how many levels each term climbs: trailing zero nibbles of its position, at most 7
    heights = np.zeros(positions.shape, np.int64)
    climbing = np.ones(positions.shape, bool)
    for level in range(7):
        climbing &= ((positions >> (4 * level)) & 15) == 0
        heights += climbing
    partials = []
    for level in range(8):
        if len(values) <= 1:
            # at most one term left: it settles alone at some level above, and the
            # levels between hold +0, which leaves the final total unchanged
            partials.extend(values)
            break
        ends = np.nonzero(heights > level)[0] if level < 7 else np.zeros(0, np.int64)
        starts = np.concatenate([[0], ends + 1])
        stops = np.concatenate([ends + 1, [len(values)]])
        # lay each run of terms out as a row, padded with zeros (x + 0 is x: the sums
        # start at +0, never -0), then add the columns in order: one term at a time
        lengths = stops - starts
        rows = np.zeros((len(starts), int(np.max(lengths, initial=0))), dtype)
        run = np.repeat(np.arange(len(starts)), lengths)
        rows[run, np.arange(len(values)) - starts[run]] = values
        sums = np.zeros(len(starts), dtype)
        for column in rows.T:
            sums += column
        partials.append(sums[-1])                # what stays at this level
        values, heights = sums[:-1], heights[ends]
    total = dtype.type(0)
    for p in partials:
        total = dtype.type(total + p)
    return total


class NllLoss(Node):
    """Negative log-likelihood: minus the log-probability given to the right class.

        l_i = -w[t_i] * x[i, t_i]          (x holds log-probabilities, t the class indices)
        dl_i/dx[i, c] = -w[t_i] if c == t_i else 0

    'mean' divides by the total weight of the counted samples, sum_i w[t_i],
    not by their number. Samples whose target is ``ignore_index`` count for
    nothing and get a zero gradient.
    """
    torch_name = "NllLossBackward0"
    class_dim = -1

    def forward(self, input, target, weight, reduction, ignore_index):
        x = input._data
        if self.class_dim != -1:
            x = np.moveaxis(x, self.class_dim, -1)
        t = target._data.reshape(-1).astype(np.int64)         # class indices may be uint8
        picked, valid, w = _pick(x.reshape(-1, x.shape[-1]), t, weight, ignore_index)
        self.reduction, self.in_shape, self.out_shape = reduction, input.shape, x.shape[:-1]
        self.target, self.valid, self.w = t, valid, w
        if reduction == "none" and input._data.ndim > 1:
            return np.where(valid, -picked * w, 0).astype(x.dtype).reshape(x.shape[:-1])
        if t.size == 0:
            self.total_weight = x.dtype.type(0)
            return np.array(np.nan if reduction == "mean" else 0, x.dtype)
        where_ = np.nonzero(valid)[0]
        terms = -(picked[where_] * w[where_]) if weight is not None else -picked[where_]
        loss = _cascade_sum(terms, where_, x.dtype)
        self.total_weight = (_cascade_sum(w[where_], where_, x.dtype) if weight is not None
                             else x.dtype.type(len(where_)))
        with np.errstate(invalid="ignore", divide="ignore"):     # all ignored: 0/0 = nan
            return np.array(loss / self.total_weight if reduction == "mean" else loss,
                            x.dtype)

    def fast_backward(self, grad):
        if self.reduction == "none" and len(self.in_shape) > 1:
            return self.backward(grad)
        # The usual case, a scalar loss: the numbers of ``backward`` below, written
        # into zeros in NumPy instead of four ops.
        n_classes = self.in_shape[self.class_dim]
        with np.errstate(divide="ignore", invalid="ignore"):      # every target ignored: 0
            g = grad._data / self.total_weight if self.reduction == "mean" else grad._data
        out = np.zeros((self.target.size, n_classes), grad._data.dtype)
        rows = np.nonzero(self.valid)[0]
        out[rows, self.target[rows]] = self.w[rows].astype(out.dtype) * -g
        out = out.reshape(self.out_shape + (n_classes,))
        if self.class_dim != -1:
            out = np.moveaxis(out, -1, self.class_dim)
        return _make(out), None, None

    def backward(self, grad):
        n_classes = self.in_shape[self.class_dim]
        full = self.out_shape + (n_classes,)
        # a constant mask of the picked entries, and w[t_i] at each of them
        onehot = np.zeros((self.target.size, n_classes), bool)
        onehot[np.nonzero(self.valid)[0], self.target[self.valid]] = True
        weights = (onehot * self.w[:, None]).astype(grad._data.dtype)
        mask = _make(np.moveaxis(onehot.reshape(full), -1, self.class_dim))
        weights = _make(np.moveaxis(weights.reshape(full), -1, self.class_dim))
        if self.reduction == "none" and len(self.in_shape) > 1:
            g = -grad.unsqueeze(self.class_dim)                  # one gradient per sample
        else:
            g = -(grad / self.total_weight if self.reduction == "mean" else grad)
        # where(), not a plain product: the other entries must be +0, never -0
        return (weights * g).where(mask, 0.0), None, None


class NllLoss2d(NllLoss):
    """``NllLoss`` for images: input (N, C, H, W), one class index per pixel (N, H, W)."""
    torch_name = "NllLoss2DBackward0"
    class_dim = 1


def _pick(x, t, weight, ignore_index):
    """x[i, t_i] and w[t_i] for every sample, checking the class indices."""
    n_classes = x.shape[-1]
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {t[np.argmax(bad)]} is out of bounds.")
    safe = np.where(valid, t, 0)
    picked = x[np.arange(len(t)), safe] if len(t) else np.zeros(0, x.dtype)
    w = weight._data[safe] if weight is not None else np.ones(len(t), x.dtype)
    return picked, valid, w


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood of class indices ``target`` under log-probabilities ``input``.

    Shapes: input (C) or (N, C) or (N, C, d1, d2, ...); target () or (N) or
    (N, d1, d2, ...), each value in [0, C) or ``ignore_index``.
    """
    reduction = reduction_of(size_average, reduce, reduction)
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    if input.dim() != 1 and target.dim() and input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target.shape[0]}).")
    _check_nll_args(input, target, weight)
    if input.dim() == 1 and target.dim() == 1:
        if target.shape[0] != 1:
            raise ValueError("For 1D input, 1D target must have size 1, but got target size: "
                             f"{target.shape[0]}")
        target = target.reshape(())               # one unbatched sample
    if input.dim() <= 2:
        if target.dim() > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if not (input.dim() == 1 and target.dim() == 0) and input.shape[0] != target.shape[0]:
            raise RuntimeError(f"size mismatch (got input: {list(input.shape)}, target: "
                               f"{list(target.shape)})")
        return NllLoss.apply(input, target, weight, reduction=reduction,
                             ignore_index=ignore_index)
    if input.dim() == 4:
        _check_nll2d_shapes(input, target)
        return NllLoss2d.apply(input, target, weight, reduction=reduction,
                               ignore_index=ignore_index)
    # 3 or 5+ dimensions: PyTorch views them as (N, C, 1, rest) and uses the 2-d loss
    n, c = input.shape[0], input.shape[1]
    out_size = [n] + list(input.shape[2:])
    if list(target.shape[1:]) != out_size[1:]:
        raise RuntimeError(f"Expected target size {out_size}, got {list(target.shape)}")
    flat_input = input.reshape(n, c, 1, -1) if input.numel() else input.reshape(n, c, 0, 0)
    flat_target = target.reshape(n, 1, -1) if target.numel() else target.reshape(n, 0, 0)
    out = NllLoss2d.apply(flat_input, flat_target, weight, reduction=reduction,
                          ignore_index=ignore_index)
    return out.reshape(out_size) if reduction == "none" else out


def _check_nll_args(input, target, weight):
    if target._data.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{SCALAR_NAMES[target._data.dtype.name]}")
    check_float("nll_loss_out_frame", input)
    n_classes = input.shape[-1] if input.dim() <= 2 else input.shape[1]
    if weight is not None:
        if weight.dim() != 1 or weight.numel() != n_classes:
            raise RuntimeError(f"weight tensor should be defined either for all {n_classes} "
                               f"classes or no classes but got weight tensor of shape: "
                               f"{list(weight.shape)}")
        if weight._data.dtype != input._data.dtype:
            raise RuntimeError(f"expected scalar type {SCALAR_NAMES[input._data.dtype.name]} "
                               f"but found {SCALAR_NAMES[weight._data.dtype.name]}")


def _check_nll2d_shapes(input, target):
    if target.dim() != 3:
        raise RuntimeError("only batches of spatial targets supported (3D tensors) but got "
                           f"targets of dimension: {target.dim()}")
    i, t = input.shape, target.shape
    if (i[0], i[2], i[3]) != tuple(t):
        raise RuntimeError(f"size mismatch (got input: {list(i)} , target: {list(t)}")


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """Cross-entropy of raw scores (logits): ``nll_loss(log_softmax(input, 1), target)``.

        l_i = -w[t_i] log softmax(x_i)[t_i] = w[t_i] (logsumexp(x_i) - x[i, t_i])
        dl_i/dx_i = w[t_i] (softmax(x_i) - onehot(t_i))

    ``target`` holds class indices, or class probabilities of the same shape as
    ``input``. ``label_smoothing`` mixes the target with the uniform
    distribution: (1 - s) onehot + s / C. The class dimension is 1 (0 for an
    unbatched input of shape (C)).
    """
    reduction = reduction_of(size_average, reduce, reduction)
    class_dim = 0 if input.dim() == 1 else 1
    if input.shape == target.shape:
        if target._data.dtype.kind != "f":
            raise RuntimeError("Expected floating point type for target with class "
                               f"probabilities, got {SCALAR_NAMES[target._data.dtype.name]}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing,
                                    class_dim)
    if label_smoothing > 0.0:
        _check_label_smoothing(label_smoothing)
        return _cross_entropy_smoothed(input, target, weight, reduction, ignore_index,
                                       label_smoothing, class_dim)
    return nll_loss(input.log_softmax(class_dim), target, weight, ignore_index=ignore_index,
                    reduction=reduction)


def _check_label_smoothing(s):
    if s > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {s}")


def _class_weight(weight, input, class_dim):
    """``weight`` shaped to broadcast along the class dimension of ``input``."""
    shape = [1] * input.dim()
    shape[class_dim] = weight.shape[0]
    return weight.view(shape)


def _cross_entropy_probs(input, target, weight, reduction, smoothing, class_dim):
    """Soft targets: l_i = -sum_c w_c y[i, c] log softmax(x_i)[c]."""
    n_classes = input.shape[class_dim]
    if weight is not None and (weight.dim() != 1 or weight.numel() != n_classes):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all "
                           f"{n_classes} classes or no classes but got weight tensor of "
                           f"shape: {list(weight.shape)}")
    logp = input.log_softmax(class_dim)
    if smoothing > 0.0:
        _check_label_smoothing(smoothing)
        target = target * (1 - smoothing) + smoothing / n_classes
    terms = logp * target
    if weight is not None:
        terms = terms * _class_weight(weight, input, class_dim)
    if reduction == "none":
        return -terms.sum(class_dim)
    if reduction == "sum":
        return -terms.sum()
    if input.numel() == 0:
        return -terms.sum() * float("nan")
    return DivideByCount.apply(-terms.sum(), count=input.numel() // n_classes)


class DivideByCount(Node):
    """y = x / n for a whole number n;   dy/dx = 1/n.

    Tensor ops divide by a tensor (``DivBackward0``); PyTorch's C++ cross-entropy
    divides by a plain number, which it records as ``DivBackward1``.
    """
    torch_name = "DivBackward1"

    def forward(self, a, count):
        self.count = count
        return a._data / count

    def backward(self, grad):
        return grad / self.count


def _cross_entropy_smoothed(input, target, weight, reduction, ignore_index, smoothing,
                            class_dim):
    """Class indices with label smoothing: (1 - s) nll + (s / C) sum_c -w_c log p_c."""
    logp = input.log_softmax(class_dim)
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    n_classes = logp.shape[class_dim]
    if weight is not None:
        smooth = -(logp * _class_weight(weight, input, class_dim)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    ignored = target == ignore_index
    smooth = smooth.masked_fill(ignored, 0.0)
    if reduction == "mean":
        if weight is not None:
            counted = target._data[~ignored._data].reshape(-1)
            smooth = smooth.sum() / _make(weight._data[counted]).sum()
        else:
            smooth = smooth.sum() / (~ignored).sum()
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - smoothing) * nll + smooth * (smoothing / n_classes)
