"""The softmax family: ``softmax``, ``log_softmax`` and ``logsumexp``, computed without
overflow (the largest value is subtracted first), with their derivatives.

    softmax(x)_i     = e^(x_i - m) / sum_j e^(x_j - m)        (m = max x)
    log_softmax(x)_i = x_i - logsumexp(x)
    logsumexp(x)     = m + log sum_j e^(x_j - m)

>>> import chainrule as torch
>>> x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> x.softmax(0)
tensor([0.0900, 0.2447, 0.6652], grad_fn=<SoftmaxBackward0>)
>>> x.logsumexp(0)
tensor(3.4076, grad_fn=<LogsumexpBackward0>)
"""
import numpy as np

from ..autograd.graph import Node
from .._dtype import DEFAULTS
from .._tensor import TensorBase
from ._args import expect
from .reduction import _SCALAR, _axis, _dims, _restore

_make = TensorBase._make


class Logsumexp(Node):
    """y = log sum e^x, computed as m + log sum e^(x - m) with m = max x (no overflow);
    dy/dx_i = e^(x_i - y), the softmax."""
    torch_name = "LogsumexpBackward0"
    saves_result = True

    def forward(self, a, dims, keepdim=False):
        self.save_for_backward(a)
        self.dims, self.keepdim = dims, keepdim
        x = a._data if a._data.dtype.kind == "f" else a._data.astype(DEFAULTS.float.numpy)
        axis = _axis(dims)
        if x.size == 0:
            return np.log(np.add.reduce(np.exp(x), axis=axis, keepdims=keepdim))
        m = np.max(x, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        with np.errstate(divide="ignore"):
            out = np.log(np.add.reduce(np.exp(x - m), axis=axis, keepdims=True)) + m
        return out if keepdim else np.squeeze(out, axis=axis)

    def backward(self, grad):
        (a,) = self.saved_tensors
        shape = tuple(a.shape)
        g = _restore(grad, shape, self.dims, self.keepdim)
        y = _restore(self.result, shape, self.dims, self.keepdim)
        return g * (a - y).exp()


class Softmax(Node):
    """y_i = e^(x_i - m) / sum_j e^(x_j - m);   dL/dx = y * (g - sum(g * y))."""
    torch_name = "SoftmaxBackward0"
    saves_result = True

    def forward(self, a, dim):
        self.dim = dim
        x = a._data
        if x.ndim == 0:                      # 1, or NaN for a NaN or an inf, as PyTorch
            with np.errstate(invalid="ignore"):
                return np.exp(x - x)
        e = np.exp(x - np.max(x, axis=dim, keepdims=True)) if x.size else x.copy()
        return e / np.add.reduce(e, axis=dim, keepdims=True)

    def backward(self, grad):
        y = self.result
        if grad.dim() == 0:
            return grad * 0
        return y * (grad - (grad * y).sum(self.dim, keepdim=True))


class LogSoftmax(Node):
    """y_i = x_i - logsumexp(x);   dL/dx = g - e^y * sum(g)."""
    torch_name = "LogSoftmaxBackward0"
    saves_result = True

    def forward(self, a, dim):
        self.dim = dim
        x = a._data
        if x.ndim == 0:                      # 0, or NaN for a NaN or an inf, as PyTorch
            with np.errstate(invalid="ignore"):
                return x - x
        if x.size == 0:
            return x.copy()
        shifted = x - np.max(x, axis=dim, keepdims=True)
        return shifted - np.log(np.add.reduce(np.exp(shifted), axis=dim, keepdims=True))

    def backward(self, grad):
        y = self.result
        if grad.dim() == 0:
            return grad * 0
        return grad - y.exp() * grad.sum(self.dim, keepdim=True)

    def fast_backward(self, grad):
        g = grad._data
        y = self.result._data
        if g.ndim == 0 or y.dtype != g.dtype:
            return self.backward(grad)
        with np.errstate(over="ignore"):
            e = np.exp(y)
        return _make(g - e * np.add.reduce(g, axis=(self.dim,), keepdims=True))


def _softmax_input(input, dim, dtype, name=""):
    if dtype is not None:
        input = input.to(dtype)
    dim = input._wrap_dim(dim)
    if input._data.dtype.kind != "f":
        kernel = "softmax_lastdim" if dim >= input._data.ndim - 1 else "softmax"
        raise NotImplementedError(f'"{name}{kernel}_kernel_impl" not implemented for '
                                  f"'{_SCALAR[input._data.dtype.name]}'")
    return input, dim


# ---- the functions users call -----------------------------------------------
def logsumexp(input, dim, keepdim=False):
    """log(sum(exp(x))) along ``dim``, computed without overflow."""
    return Logsumexp.apply(input, dims=_dims(input, dim), keepdim=keepdim)


def softmax(input, dim, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim``."""
    try:
        input, dim = _softmax_input(input, dim, dtype)
    except (AttributeError, TypeError):
        expect("softmax", ("input", "Tensor", input), ("dim", "int", dim))
        raise
    return Softmax.apply(input, dim=dim)


def log_softmax(input, dim, dtype=None):
    """log(softmax(x)) along ``dim``, computed stably."""
    input, dim = _softmax_input(input, dim, dtype, name="log_")
    return LogSoftmax.apply(input, dim=dim)


class SoftmaxMethods:
    """The ``Tensor`` methods of this family."""
    __slots__ = ()

    def logsumexp(self, dim, keepdim=False):
        return logsumexp(self, dim, keepdim)

    def softmax(self, dim, dtype=None):
        try:
            input, dim = _softmax_input(self, dim, dtype)
        except TypeError:
            expect("softmax", ("dim", "int", dim))        # (a method's dim is at position 1)
            raise
        return Softmax.apply(input, dim=dim)

    def log_softmax(self, dim, dtype=None):
        return log_softmax(self, dim, dtype)
