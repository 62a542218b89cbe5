"""Classification losses: negative log-likelihood and cross-entropy.

For class scores ``x`` (one row per sample) and a class index ``t_i`` per sample,
``nll_loss`` takes the score of the right class, ``l_i = -w[t_i] x[i, t_i]`` (``x``
holds log-probabilities), and ``cross_entropy`` is ``log_softmax`` followed by
``nll_loss``: ``l_i = -log softmax(x_i)[t_i]``. Its gradient with respect to the
scores is ``softmax(x_i) - onehot(t_i)`` per sample (divided by the batch for the
mean): the probabilities the model gave, minus the ones it should have given.

PyTorch adds the terms of the batch in a fixed cascade of partial sums
(``_cascade_sum``); the same order is used here, so float32 losses agree to the
last bit. The arguments' checks and the reductions are shared with ``_loss.py``.

>>> import chainrule as torch
>>> import chainrule.nn.functional as F
>>> scores = torch.tensor([[2.0, 0.0, -1.0]], requires_grad=True)
>>> loss = F.cross_entropy(scores, torch.tensor([0]))
>>> loss.backward()
>>> scores.grad                    # softmax(scores) - [1, 0, 0]
tensor([[-0.1562,  0.1142,  0.0420]])
"""
import numpy as np

from ..autograd.graph import Node
from ._loss import SCALAR_NAMES, _make, check_float, reduction_of


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
