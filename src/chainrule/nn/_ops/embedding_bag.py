"""``embedding_bag``: look up a bag of ids and reduce it to one vector, in one step.

The ids of all bags sit end to end in one 1-D ``input``; ``offsets[i]`` says where
bag i starts. For bag i with ids k_1 ... k_m (and weights s_j for ``mode="sum"``):

    sum:   y_i = sum_j s_j W[k_j]        (s_j = 1 without ``per_sample_weights``)
    mean:  y_i = (1/m) sum_j W[k_j]
    max:   y_i = max_j W[k_j]            (per feature; the gradient goes to the argmax row)

An empty bag gives zeros; ids equal to ``padding_idx`` are left out (and not counted
by the mean). A 2-D ``input`` (B, N) is B bags of N ids each.

Differs from PyTorch: with ``scale_grad_by_freq=True`` each row's gradient is divided
by how often its id occurs in ``input`` (as in ``embedding``); PyTorch 2.13's CPU
kernel divides some rows by another id's count.

It is written with operations that already have derivatives: the rows are picked
with ``embedding``, and the sums over bags are a product with a 0/1 matrix
M[i, j] = 1 when position j belongs to bag i, so y = M (s * rows), whose
gradient dL/drows = s * M^T dL/dy is the "send each bag's gradient to its rows" rule.

>>> import chainrule as torch
>>> import chainrule.nn.functional as F
>>> W = torch.tensor([[0., 0.], [1., 2.], [3., 4.]])
>>> F.embedding_bag(torch.tensor([1, 2, 2]), W, torch.tensor([0, 1]), mode="sum")
tensor([[1., 2.],
        [6., 8.]])
"""
import numpy as np

from ... import _factories
from ..._ops.joining import stack
from ..._tensor import Tensor, TensorBase
from ...autograd import grad_mode
from .sparse import _renorm_rows, embedding

_make = TensorBase._make


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode="mean", sparse=False,
                  per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """One reduced vector per bag of ids: output (number of bags, embedding_dim)."""
    if per_sample_weights is not None and input.size() != per_sample_weights.size():
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) "
                         "is not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            # PyTorch names the type: a chainrule tensor plays the part of torch.Tensor
            kind = "<class 'torch.Tensor'>" if isinstance(offsets, Tensor) else type(offsets)
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found "
                             f"offsets of type {kind}")
        starts = np.arange(0, input.numel(), input.size(1))
        include_last_offset = False
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        starts = offsets._data.astype(np.int64)
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.dim()}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    ids = input._data
    if ids.dtype not in (np.int64, np.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {input.type()} instead (while checking arguments for "
            "embedding_bag)")
    _check_offsets(starts, ids.size)
    if max_norm is not None:
        with grad_mode.no_grad():
            _renorm_rows(weight, ids, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
            "on GitHub.")
    # bag i covers positions starts[i] <= j < ends[i]
    if include_last_offset:
        starts, ends = starts[:-1], starts[1:]
    else:
        ends = np.append(starts[1:], ids.size)
    position = np.arange(ids.size)
    member = (position >= starts[:, None]) & (position < ends[:, None])
    if padding_idx is not None:
        padding_idx = padding_idx + weight.size(0) if padding_idx < 0 else padding_idx
        member &= ids != padding_idx
    rows = embedding(input, weight, padding_idx, scale_grad_by_freq=scale_grad_by_freq)
    if mode == "max":
        return _bag_max(rows, member)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.unsqueeze(1)
    out = _make(member.astype(rows._data.dtype)) @ rows
    if mode == "mean":
        # an empty bag divides 0 by 1: zeros, as in PyTorch
        counts = np.maximum(member.sum(axis=1), 1).astype(rows._data.dtype)
        out = out / _make(counts[:, None])
    return out


def _check_offsets(starts, length):
    if starts.size and starts[0] != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
                           f"has to start from position 0. However, got {starts[0]}\n"
                           "[ torch.LongTensor{} ]")      # (PyTorch's message ends so)
    if starts.size and starts[-1] > length:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {length} but "
                           f"got offsets[-1] of {starts[-1]}")


def _bag_max(rows, member):
    """Feature-wise max over each bag's rows (zeros for an empty bag)."""
    bags = []
    for in_bag in member:
        chosen = np.nonzero(in_bag)[0]
        if chosen.size:
            bags.append(rows[_make(chosen)].max(0).values)
        else:
            bags.append(_factories.zeros(rows.shape[1], dtype=rows.dtype))
    if not bags:
        return _factories.zeros(0, rows.shape[1], dtype=rows.dtype)
    return stack(bags)
