"""Functions over a whole dimension: softmax, log_softmax, softmin, glu.

``softmax`` turns a row of scores into probabilities, e^x_i / sum_j e^x_j; the
computation itself (and its derivative) lives with the reductions in
``chainrule._ops.reduction``. Here is ``nn.functional``'s front end, including
its old habit of guessing ``dim`` when it is not given (with a warning).

>>> import chainrule as torch
>>> import chainrule.nn.functional as F
>>> F.softmax(torch.tensor([1.0, 2.0, 3.0]), dim=0)
tensor([0.0900, 0.2447, 0.6652])
"""
import warnings

import numpy as np

from ...autograd.graph import Node
from ..._ops.joining import cat
from . import _precise
from ._precise import floating


def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """e^x_i / sum_j e^x_j along ``dim``: a probability distribution over that dimension."""
    if dim is None:
        dim = _get_softmax_dim("softmax", input.dim(), _stacklevel)
    return input.softmax(dim) if dtype is None else input.softmax(dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) along ``dim``, computed as x - logsumexp(x) (stable)."""
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.dim(), _stacklevel)
    return input.log_softmax(dim) if dtype is None else input.log_softmax(dim, dtype=dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x): the smallest inputs get the largest probabilities."""
    if dim is None:
        dim = _get_softmax_dim("softmin", input.dim(), _stacklevel)
    return (-input).softmax(dim) if dtype is None else (-input).softmax(dim, dtype=dtype)


class Glu(Node):
    """Split x in halves a, b along ``dim``: y = a * sigmoid(b).

    dy/da = sigmoid(b),  dy/db = a * sigmoid(b) * (1 - sigmoid(b)).
    """
    torch_name = "GluBackward0"

    def forward(self, x, dim):
        data = floating(x, "glu_cpu")
        self.save_for_backward(x)
        self.dim = dim
        a, b = np.split(data, 2, axis=dim)
        one = data.dtype.type(1)
        return a * (one / (one + _precise.exp(-b)))

    def backward(self, grad):
        (x,) = self.saved_tensors
        a, b = x.chunk(2, self.dim)
        s = b.sigmoid()
        return cat((grad * s, grad * a * s * (1 - s)), self.dim)


def glu(input, dim=-1):
    """Gated linear unit: the first half of ``dim`` times sigmoid of the second half."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = input._wrap_dim(dim)
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size "
                           f"{input.shape[d]}")
    return Glu.apply(input, dim=d)
