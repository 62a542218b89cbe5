"""Reductions: sum, mean, var, std, prod, max/min, norm, logsumexp, softmax.

A reduction's backward sends each output's gradient back to every element that
went into it, so its first step is always the same: put back the reduced
dimensions (``_unreduce``) and expand to the input's shape.
"""
import numpy as np

from .. import return_types
from ..autograd.graph import Node
from .._dtype import DEFAULTS
from .._tensor import TensorBase

_make = TensorBase._make


def _dims(t, dim):
    """``dim`` (None, an int, or a sequence) as a sorted tuple of non-negative ints."""
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return None
        dims = tuple(t._wrap_dim(d) for d in dim)
        if len(set(dims)) != len(dims):
            d = next(d for d in dims if dims.count(d) > 1)
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        return tuple(sorted(dims))
    return (t._wrap_dim(dim),)


def _unreduce(grad, shape, dims, keepdim):
    """Expand a reduced gradient back to ``shape`` (each element gets its share)."""
    if dims is None:
        return grad.reshape((1,) * len(shape)).expand(shape) if shape else grad
    if not keepdim:
        kept = list(shape)
        for d in dims:
            kept[d] = 1
        grad = grad.reshape(kept)
    return grad.expand(shape)


def _axis(dims):
    return dims if dims is None else tuple(dims)


def _float_only(name, t):
    if t._data.dtype.kind != "f":
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {_SCALAR[t._data.dtype.name]}")


_SCALAR = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
           "uint8": "Byte", "bool": "Bool", "float32": "Float", "float64": "Double"}


class Sum(Node):
    """y = sum of x over dims;   dy/dx_i = 1 for every element summed."""
    torch_name = "SumBackward0"

    def forward(self, a, dims=None, keepdim=False, dtype=None):
        self.shape, self.dims, self.keepdim = a._data.shape, dims, keepdim
        x = a._data
        if dtype is not None:
            x = x.astype(dtype.numpy)
        elif x.dtype.kind in "biu":
            x = x.astype(np.int64)
        return np.sum(x, axis=_axis(dims), keepdims=keepdim)

    def backward(self, grad):
        return _unreduce(grad, self.shape, self.dims, self.keepdim)


class Mean(Node):
    """y = (1/n) sum x;   dy/dx_i = 1/n."""
    torch_name = "MeanBackward0"

    def forward(self, a, dims=None, keepdim=False, dtype=None):
        x = a._data if dtype is None else a._data.astype(dtype.numpy)
        if dtype is None:
            _float_only("mean", a)
        self.shape, self.dims, self.keepdim = a._data.shape, dims, keepdim
        self.n = x.size if dims is None else int(np.prod([x.shape[d] for d in dims]))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.mean(x, axis=_axis(dims), keepdims=keepdim)

    def backward(self, grad):
        return _unreduce(grad, self.shape, self.dims, self.keepdim) / self.n


class Var(Node):
    """y = sum (x - mean)^2 / (n - correction);   dy/dx_i = 2 (x_i - mean) / (n - correction)."""
    torch_name = "VarBackward0"

    def forward(self, a, dims=None, correction=1, keepdim=False):
        _float_only("var", a)
        self.save_for_backward(a)
        self.dims, self.correction, self.keepdim = dims, correction, keepdim
        x = a._data
        n = x.size if dims is None else int(np.prod([x.shape[d] for d in dims]))
        self.n = n
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.var(x, axis=_axis(dims), ddof=correction, keepdims=keepdim).astype(
                x.dtype, copy=False) if n - correction > 0 else \
                np.full(np.var(x, axis=_axis(dims), keepdims=keepdim).shape, np.nan, x.dtype)

    def backward(self, grad):
        (a,) = self.saved_tensors
        mean = a.mean(self.dims, keepdim=True) if self.dims is not None else a.mean()
        g = _unreduce(grad, tuple(a.shape), self.dims, self.keepdim)
        return (2.0 / (self.n - self.correction)) * g * (a - mean)


class Std(Node):
    """y = sqrt(var x);   dy/dx_i = (x_i - mean) / ((n - correction) y)."""
    torch_name = "StdBackward0"
    saves_result = True

    def forward(self, a, dims=None, correction=1, keepdim=False):
        _float_only("std", a)
        self.save_for_backward(a)
        self.dims, self.correction, self.keepdim = dims, correction, keepdim
        x = a._data
        self.n = x.size if dims is None else int(np.prod([x.shape[d] for d in dims]))
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.n - correction <= 0:
                return np.full(np.std(x, axis=_axis(dims), keepdims=keepdim).shape, np.nan,
                               x.dtype)
            return np.std(x, axis=_axis(dims), ddof=correction, keepdims=keepdim).astype(
                x.dtype, copy=False)

    def backward(self, grad):
        (a,) = self.saved_tensors
        y = self.result
        g = (grad / (y * 2)).masked_fill(y == 0, 0)
        mean = a.mean(self.dims, keepdim=True) if self.dims is not None else a.mean()
        g = _unreduce(g, tuple(a.shape), self.dims, self.keepdim)
        return (2.0 / (self.n - self.correction)) * g * (a - mean)


class Prod(Node):
    """y = product of x;   dy/dx_i = product of all the other elements."""
    torch_name = "ProdBackward0"

    def forward(self, a, dim=None, keepdim=False):
        self.save_for_backward(a)
        self.dim, self.keepdim = dim, keepdim
        x = a._data if a._data.dtype.kind == "f" else a._data.astype(np.int64)
        return np.prod(x, axis=dim, keepdims=keepdim)

    def backward(self, grad):
        (a,) = self.saved_tensors
        x = a._data
        axis = self.dim
        flat = x.reshape(-1) if axis is None else x
        ax = 0 if axis is None else axis
        # product of the others = (product of those before) * (product of those after)
        before = np.cumprod(np.concatenate(
            [np.ones_like(np.take(flat, [0], ax)), np.take(flat, range(flat.shape[ax] - 1), ax)],
            ax), ax) if flat.shape[ax] else flat
        rev = np.flip(flat, ax)
        after = np.flip(np.cumprod(np.concatenate(
            [np.ones_like(np.take(rev, [0], ax)), np.take(rev, range(rev.shape[ax] - 1), ax)],
            ax), ax), ax) if flat.shape[ax] else flat
        others = _make((before * after).reshape(x.shape))
        dims = None if axis is None else (axis,)
        return _unreduce(grad, x.shape, dims, self.keepdim) * others


class AmaxAmin(Node):
    """y = max (or min) over dims;   the gradient is shared evenly among the tied maxima."""
    torch_name = "AmaxBackward0"

    def forward(self, a, dims=None, keepdim=False, largest=True):
        if a._data.size == 0 and (dims is None or any(a._data.shape[d] == 0 for d in dims)):
            raise IndexError(f"{'amax' if largest else 'amin'}(): Expected reduction dim to "
                             "be specified for input.numel() == 0. Specify the reduction dim "
                             "with the 'dim' argument.")
        self.save_for_backward(a)
        self.dims, self.keepdim = dims, keepdim
        self.torch_name = "AmaxBackward0" if largest else "AminBackward0"
        f = np.max if largest else np.min
        return f(a._data, axis=_axis(dims), keepdims=keepdim)

    def backward(self, grad):
        (a,) = self.saved_tensors
        dims = self.dims
        y = _make(np.max(a._data, axis=_axis(dims), keepdims=True)
                  if self.torch_name == "AmaxBackward0"
                  else np.min(a._data, axis=_axis(dims), keepdims=True))
        mask = a == y
        count = mask.sum(dims if dims is not None else None, keepdim=True) \
            if dims is not None else mask.sum()
        g = _unreduce(grad, tuple(a.shape), dims, self.keepdim)
        return g * mask / count


class MaxAll(Node):
    """y = max(x) over all elements (MaxBackward1): ties share the gradient evenly."""
    torch_name = "MaxBackward1"

    def forward(self, a, largest=True):
        if a._data.size == 0:
            raise RuntimeError(
                f"{'max' if largest else 'min'}(): Expected reduction dim to be specified for "
                "input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        self.save_for_backward(a)
        self.torch_name = "MaxBackward1" if largest else "MinBackward1"
        return a._data.max() if largest else a._data.min()

    def backward(self, grad):
        (a,) = self.saved_tensors
        y = _make(a._data.max() if self.torch_name == "MaxBackward1" else a._data.min())
        mask = a == y
        return grad * mask / mask.sum()


class MaxDim(Node):
    """(values, indices) of the max (or min) along ``dim``: the gradient goes to the index."""
    torch_name = "MaxBackward0"
    num_outputs = 2
    non_differentiable = (1,)

    def forward(self, a, dim, keepdim=False, largest=True):
        x = a._data
        if x.ndim and x.shape[dim] == 0:
            raise IndexError(f"{'max' if largest else 'min'}(): Expected reduction dim {dim} "
                             "to have non-zero size.")
        self.shape, self.dim, self.keepdim = x.shape, dim, keepdim
        self.torch_name = "MaxBackward0" if largest else "MinBackward0"
        if x.ndim == 0:
            self.idx = np.zeros((), np.int64)
            return x.copy(), self.idx
        if x.dtype.kind == "f" and np.isnan(x).any():
            idx = np.argmax(np.isnan(x), axis=dim)      # NaN propagates, as in PyTorch
        else:
            idx = np.argmax(x, axis=dim) if largest else np.argmin(x, axis=dim)
        idx = np.expand_dims(idx, dim)
        values = np.take_along_axis(x, idx, dim)
        self.idx = idx
        if not keepdim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        return values, idx.astype(np.int64)

    def backward(self, grad, _unused_indices_grad=None):
        g = grad._data if self.keepdim or len(self.shape) == 0 else \
            np.expand_dims(grad._data, self.dim)
        out = np.zeros(self.shape, g.dtype)
        if len(self.shape) == 0:
            return _make(g.copy())
        np.put_along_axis(out, self.idx, g, self.dim)
        return _make(out)


class Cumsum(Node):
    """y_i = x_1 + ... + x_i;   dL/dx_i = sum over j >= i of dL/dy_j (a reversed cumsum)."""
    torch_name = "CumsumBackward0"

    def forward(self, a, dim, dtype=None):
        self.dim = dim
        x = a._data
        if dtype is not None:
            x = x.astype(dtype.numpy)
        elif x.dtype.kind in "biu":
            x = x.astype(np.int64)
        return np.cumsum(x, axis=dim) if x.ndim else x.copy()

    def backward(self, grad):
        if grad.dim() == 0:
            return grad
        return grad.flip(self.dim).cumsum(self.dim).flip(self.dim)


class Norm(Node):
    """y = (sum |x|^p)^(1/p);   for p = 2, dy/dx = x / y (0 where y = 0)."""
    torch_name = "LinalgVectorNormBackward0"
    saves_result = True

    def forward(self, a, p=2, dims=None, keepdim=False):
        _float_only("linalg.vector_norm", a)
        self.save_for_backward(a)
        self.p, self.dims, self.keepdim = p, dims, keepdim
        x = np.abs(a._data)
        axis = _axis(dims)
        if p == 2:
            return np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdim))
        if p == float("inf"):
            return np.max(x, axis=axis, keepdims=keepdim)
        if p == -float("inf"):
            return np.min(x, axis=axis, keepdims=keepdim)
        if p == 0:
            return np.sum(x != 0, axis=axis, keepdims=keepdim).astype(x.dtype)
        if p == 1:
            return np.sum(x, axis=axis, keepdims=keepdim)
        return np.power(np.sum(np.power(x, p), axis=axis, keepdims=keepdim), 1.0 / p).astype(
            x.dtype, copy=False)

    def backward(self, grad):
        (a,) = self.saved_tensors
        y = self.result
        p = self.p
        shape = tuple(a.shape)
        g = _unreduce(grad, shape, self.dims, self.keepdim)
        yk = _unreduce(y, shape, self.dims, self.keepdim)
        if p == 2:
            return a * (g / yk).masked_fill(yk == 0, 0)
        if p == 1:
            return a.sign() * g
        if p == 0:
            return g * 0
        if p in (float("inf"), -float("inf")):
            mask = a.abs() == yk
            count = mask.sum(self.dims, keepdim=True) if self.dims else mask.sum()
            return a.sign() * g * mask / count
        scale = a.abs() ** (p - 2) * a / yk ** (p - 1)
        return (g * scale).masked_fill(yk == 0, 0)


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
            return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdim))
        m = np.max(x, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        with np.errstate(divide="ignore"):
            out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
        return out if keepdim else np.squeeze(out, axis=axis)

    def backward(self, grad):
        (a,) = self.saved_tensors
        shape = tuple(a.shape)
        g = _unreduce(grad, shape, self.dims, self.keepdim)
        y = _unreduce(self.result, shape, self.dims, self.keepdim)
        return g * (a - y).exp()


class Softmax(Node):
    """y_i = e^(x_i - m) / sum_j e^(x_j - m);   dL/dx = y * (g - sum(g * y))."""
    torch_name = "SoftmaxBackward0"
    saves_result = True

    def forward(self, a, dim):
        self.dim = dim
        x = a._data
        if x.ndim == 0:
            return np.ones_like(x)
        e = np.exp(x - np.max(x, axis=dim, keepdims=True))
        return e / np.sum(e, axis=dim, keepdims=True)

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
        if x.ndim == 0:
            return np.zeros_like(x)
        shifted = x - np.max(x, axis=dim, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))

    def backward(self, grad):
        y = self.result
        if grad.dim() == 0:
            return grad * 0
        return grad - y.exp() * grad.sum(self.dim, keepdim=True)


def _softmax_input(input, dim, dtype):
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError(f'"softmax_lastdim_kernel_impl" not implemented for '
                           f"'{_SCALAR[input._data.dtype.name]}'")
    return input, input._wrap_dim(dim)


# ---- the functions users call -----------------------------------------------
def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum of all elements, or along ``dim`` (an int or a tuple of ints)."""
    return Sum.apply(input, dims=_dims(input, dim), keepdim=keepdim, dtype=dtype)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean of all elements, or along ``dim``."""
    return Mean.apply(input, dims=_dims(input, dim), keepdim=keepdim, dtype=dtype)


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance; ``correction=1`` (Bessel's) divides by n - 1, as PyTorch's default."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return Var.apply(input, dims=_dims(input, dim),
                     correction=_correction(unbiased, correction), keepdim=keepdim)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation, the square root of ``var``."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return Std.apply(input, dims=_dims(input, dim),
                     correction=_correction(unbiased, correction), keepdim=keepdim)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    return Prod.apply(input, dim=None if dim is None else input._wrap_dim(dim), keepdim=keepdim)


def amax(input, dim=(), keepdim=False):
    return AmaxAmin.apply(input, dims=_dims(input, dim), keepdim=keepdim, largest=True)


def amin(input, dim=(), keepdim=False):
    return AmaxAmin.apply(input, dims=_dims(input, dim), keepdim=keepdim, largest=False)


def max(input, dim=None, keepdim=False):
    """``max(x)``: the largest element; ``max(x, dim)``: (values, indices);
    ``max(x, other)``: the elementwise maximum."""
    if isinstance(dim, TensorBase):
        from .elementwise import maximum
        return maximum(input, dim)
    if dim is None:
        return MaxAll.apply(input, largest=True)
    values, indices = MaxDim.apply(input, dim=input._wrap_dim(dim), keepdim=keepdim)
    return return_types.max(values, indices)


def min(input, dim=None, keepdim=False):
    """``min(x)``, ``min(x, dim)`` -> (values, indices), or ``min(x, other)``."""
    if isinstance(dim, TensorBase):
        from .elementwise import minimum
        return minimum(input, dim)
    if dim is None:
        return MaxAll.apply(input, largest=False)
    values, indices = MaxDim.apply(input, dim=input._wrap_dim(dim), keepdim=keepdim,
                                   largest=False)
    return return_types.min(values, indices)


def argmax(input, dim=None, keepdim=False):
    """Index of the largest element (of the flattened tensor when ``dim`` is None)."""
    x = input._data
    if dim is None:
        if x.size == 0:
            raise RuntimeError("argmax(): Expected reduction dim to be specified for "
                               "input.numel() == 0.")
        idx = np.argmax(x)
        return _make(np.array(idx, np.int64).reshape((1,) * x.ndim if keepdim else ()))
    return max(input, dim, keepdim).indices


def argmin(input, dim=None, keepdim=False):
    """Index of the smallest element."""
    x = input._data
    if dim is None:
        if x.size == 0:
            raise RuntimeError("argmin(): Expected reduction dim to be specified for "
                               "input.numel() == 0.")
        idx = np.argmin(x)
        return _make(np.array(idx, np.int64).reshape((1,) * x.ndim if keepdim else ()))
    return min(input, dim, keepdim).indices


def cumsum(input, dim, *, dtype=None):
    return Cumsum.apply(input, dim=input._wrap_dim(dim), dtype=dtype)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """The vector p-norm (2 by default) of all elements or along ``dim``."""
    if p in ("fro", None):
        p = 2
    if p == "nuc":
        raise NotImplementedError("chainrule does not provide the nuclear norm")
    if dtype is not None:
        input = input.to(dtype)
    return Norm.apply(input, p=p, dims=_dims(input, dim), keepdim=keepdim)


def logsumexp(input, dim, keepdim=False):
    """log(sum(exp(x))) along ``dim``, computed without overflow."""
    return Logsumexp.apply(input, dims=_dims(input, dim), keepdim=keepdim)


def softmax(input, dim, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim``."""
    input, dim = _softmax_input(input, dim, dtype)
    return Softmax.apply(input, dim=dim)


def log_softmax(input, dim, dtype=None):
    """log(softmax(x)) along ``dim``, computed stably."""
    input, dim = _softmax_input(input, dim, dtype)
    return LogSoftmax.apply(input, dim=dim)


def all(input, dim=None, keepdim=False):
    axis = None if dim is None else _axis(_dims(input, dim))
    return _make(np.all(input._data, axis=axis, keepdims=keepdim))


def any(input, dim=None, keepdim=False):
    axis = None if dim is None else _axis(_dims(input, dim))
    return _make(np.any(input._data, axis=axis, keepdims=keepdim))


def count_nonzero(input, dim=None):
    axis = None if dim is None else _axis(_dims(input, dim))
    return _make(np.asarray(np.count_nonzero(input._data, axis=axis), np.int64))


class ReductionMethods:
    """The reduction methods of ``Tensor``."""
    __slots__ = ()

    def sum(self, dim=None, keepdim=False, *, dtype=None):
        return sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        return mean(self, dim, keepdim, dtype=dtype)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return std(self, dim, unbiased, keepdim, correction=correction)

    def prod(self, dim=None, keepdim=False, *, dtype=None):
        return prod(self, dim, keepdim, dtype=dtype)

    def amax(self, dim=(), keepdim=False):
        return amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim=False):
        return amin(self, dim, keepdim)

    def max(self, dim=None, keepdim=False):
        return max(self, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        return min(self, dim, keepdim)

    def argmax(self, dim=None, keepdim=False):
        return argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return argmin(self, dim, keepdim)

    def cumsum(self, dim, *, dtype=None):
        return cumsum(self, dim, dtype=dtype)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        return norm(self, p, dim, keepdim, dtype)

    def logsumexp(self, dim, keepdim=False):
        return logsumexp(self, dim, keepdim)

    def softmax(self, dim, dtype=None):
        return softmax(self, dim, dtype)

    def log_softmax(self, dim, dtype=None):
        return log_softmax(self, dim, dtype)

    def all(self, dim=None, keepdim=False):
        return all(self, dim, keepdim)

    def any(self, dim=None, keepdim=False):
        return any(self, dim, keepdim)

    def count_nonzero(self, dim=None):
        return count_nonzero(self, dim)
