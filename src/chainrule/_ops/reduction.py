"""Reductions: sum, mean, var, std, prod, max/min, norm, logsumexp, softmax.

A reduction's backward sends each output's gradient back to every element that
went into it, so its first step is always the same: put back the reduced
dimensions (``_unreduce``) and expand to the input's shape.
"""
import numpy as np

from .. import return_types
from ..autograd import grad_mode
from ..autograd.graph import Node
from .._tensor import TensorBase
from ._args import expect, fits, invalid_combination
from ._util import user_warning

_make = TensorBase._make


def _dims(t, dim):
    """``dim`` (None, an int, or a sequence) as a sorted tuple of non-negative ints.

    None means every dim, as PyTorch's default; an empty list also reduces every dim
    (but is recorded as the ``dim=`` overload). A 0-d tensor has nothing to reduce.
    """
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        dims = tuple(t._wrap_dim(d) for d in dim)
        if len(set(dims)) != len(dims):
            d = next(d for d in dims if dims.count(d) > 1)
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        if not dims:
            dims = tuple(range(t._data.ndim))
    else:
        dims = (t._wrap_dim(dim),)
    if t._data.ndim == 0:
        return ()
    return tuple(sorted(dims))


def _unreduce(grad, shape, dims, keepdim):
    """Expand a reduced gradient back to ``shape`` (each element gets its share)."""
    return _restore(grad, shape, dims, keepdim).expand(shape)


def _unreduce_array(g, shape, dims, keepdim):
    """``_unreduce`` on the array, for ``fast_backward``: the same reshape (a view where
    one is possible, else a C-ordered copy) and the same read-only broadcast."""
    kept = _kept_shape(shape, dims, keepdim)
    return np.broadcast_to(g if kept is None else np.reshape(g, kept), shape)


def _restore(grad, shape, dims, keepdim):
    """Put back the reduced dimensions of ``grad`` as size-1 dimensions."""
    kept = _kept_shape(shape, dims, keepdim)
    return grad if kept is None else grad.reshape(kept)


def _kept_shape(shape, dims, keepdim):
    """The reduced result's shape with its dims kept as 1s, or None if it has them."""
    if dims is None:
        return (1,) * len(shape) if shape else None
    if keepdim or not dims:
        return None
    kept = list(shape)
    for d in dims:
        kept[d] = 1
    return kept


def _axis(dims):
    return dims if dims is None else tuple(dims)


def _mean(x, axis, keepdims, n):
    """``np.mean(x, axis, keepdims=keepdims)`` over ``n`` elements each, computed as NumPy
    computes it, without its Python layer: the sum by ``np.add.reduce`` (float16 in
    float32), divided in float64 and rounded to the sum's dtype, then to float16.

    Calling the ufuncs from here is ~4 us faster, and any RuntimeWarning (the mean of
    inf and -inf) is then raised in chainrule's code, which chainrule keeps quiet as
    PyTorch does; through ``np.mean`` it would come from NumPy's file.
    """
    if x.dtype.kind != "f":
        return np.mean(x, axis=axis, keepdims=keepdims)
    half = x.dtype == np.float16
    total = np.add.reduce(x, axis=axis, dtype=np.float32 if half else None, keepdims=keepdims)
    if isinstance(total, np.ndarray):
        total = np.true_divide(total, np.intp(n), out=total, casting="unsafe")
        return total.astype(np.float16) if half else total
    return (np.float16 if half else total.dtype.type)(total / np.intp(n))


def _count(shape, dims):
    """The number of elements that each output element reduces."""
    return int(np.prod(shape if dims is None else [shape[d] for d in dims]))


def _float_only(name, t):
    if t._data.dtype.kind != "f":
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {_SCALAR[t._data.dtype.name]}")


def _float_std_var(t):
    if t._data.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")


def _check_nonempty(name, input, dim, dims):
    """PyTorch's errors for reducing an empty tensor (max, amax, argmax, ...)."""
    if input._data.size == 0:
        if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        for d in dims:
            if input._data.shape[d] == 0:
                raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


_SCALAR = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
           "uint8": "Byte", "bool": "Bool", "float32": "Float", "float64": "Double"}


class Sum(Node):
    """y = sum of x over dims;   dy/dx_i = 1 for every element summed."""
    torch_name = "SumBackward0"

    def forward(self, a, dims=None, keepdim=False, dtype=None):
        self.shape, self.dims, self.keepdim = a._data.shape, dims, keepdim
        if dims is not None:
            self.torch_name = "SumBackward1"
        x = a._data
        if dtype is not None:
            x = x.astype(dtype.numpy)
        elif x.dtype.kind in "biu":
            x = x.astype(np.int64)
        return np.add.reduce(x, axis=_axis(dims), keepdims=keepdim)     # (np.sum's kernel)

    def backward(self, grad):
        return _unreduce(grad, self.shape, self.dims, self.keepdim)

    def fast_backward(self, grad):
        return _make(_unreduce_array(grad._data, self.shape, self.dims, self.keepdim))


class Mean(Node):
    """y = (1/n) sum x;   dy/dx_i = 1/n."""
    torch_name = "MeanBackward0"

    def forward(self, a, dims=None, keepdim=False, dtype=None):
        x = a._data if dtype is None else a._data.astype(dtype.numpy)
        if dtype is None:
            _float_only("mean", a)
        if dims is not None:
            self.torch_name = "MeanBackward1"
        self.shape, self.dims, self.keepdim = a._data.shape, dims, keepdim
        self.n = _count(x.shape, dims)
        if self.n == 0:                             # the mean of nothing is NaN
            with np.errstate(invalid="ignore"):
                return np.sum(x, axis=_axis(dims), keepdims=keepdim) / x.dtype.type(0)
        return _mean(x, _axis(dims), keepdim, self.n)

    def backward(self, grad):
        return _unreduce(grad, self.shape, self.dims, self.keepdim) / self.n

    def fast_backward(self, grad):
        # (an empty mean has n = 0 and nothing to divide: no 0/0 to keep quiet)
        g = _unreduce_array(grad._data, self.shape, self.dims, self.keepdim)
        return _make(np.true_divide(g, self.n))


def _variance(name, a, dims, correction, keepdim):
    """sum (x - mean)^2 / (n - correction), with PyTorch's warning when n <= correction."""
    x = a._data
    axis = _axis(dims)
    dof = _count(x.shape, dims) - correction
    with np.errstate(invalid="ignore", divide="ignore"):
        if dof > 0:
            return np.var(x, axis=axis, ddof=correction, keepdims=keepdim).astype(
                x.dtype, copy=False)
        user_warning(f"{name}(): degrees of freedom is <= 0. Correction should be strictly "
                     "less than the reduction factor (input numel divided by output numel).")
        count = _count(x.shape, dims) or 1
        squares = np.square(x - np.sum(x, axis=axis, keepdims=True) / count)
        return (np.sum(squares, axis=axis, keepdims=keepdim) / 0.0).astype(x.dtype)


def _variance_backward(grad, a, dims, correction, keepdim):
    """d var / dx_i = 2 (x_i - mean) / (n - correction), as PyTorch's var_backward."""
    dof = _count(tuple(a.shape), dims) - correction
    if dims is None or a.dim() == 0:
        mean = a.mean()
        if dof <= 0:
            # 2 / 0 is infinite: inf * (x - mean) is NaN where x == mean, else inf
            nan_or_inf = np.where(a._data == mean._data, np.nan, np.inf)
            return grad * _make(nan_or_inf.astype(a._data.dtype))
        return (2.0 / dof) * grad * (a - mean)
    grad = _restore(grad, tuple(a.shape), dims, keepdim)
    factor = 2.0 / dof if dof else float("inf")
    return factor * grad * (a - a.mean(dims, keepdim=True))


class Var(Node):
    """y = sum (x - mean)^2 / (n - correction);   dy/dx_i = 2 (x_i - mean) / (n - correction)."""
    torch_name = "VarBackward0"

    def forward(self, a, dims=None, correction=1, keepdim=False):
        _float_std_var(a)
        self.save_for_backward(a)
        self.dims, self.correction, self.keepdim = dims, correction, keepdim
        return _variance("var", a, dims, correction, keepdim)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return _variance_backward(grad, a, self.dims, self.correction, self.keepdim)


class Std(Node):
    """y = sqrt(var x);   dy/dx = d var/dx / (2 y)  (0 where y = 0)."""
    torch_name = "StdBackward0"
    saves_result = True

    def forward(self, a, dims=None, correction=1, keepdim=False):
        _float_std_var(a)
        self.save_for_backward(a)
        self.dims, self.correction, self.keepdim = dims, correction, keepdim
        return np.sqrt(_variance("std", a, dims, correction, keepdim))

    def backward(self, grad):
        (a,) = self.saved_tensors
        y = self.result
        grad = (grad / (y * 2)).masked_fill(y == 0, 0)
        return _variance_backward(grad, a, self.dims, self.correction, self.keepdim)


class Prod(Node):
    """y = product of x;   dy/dx_i = product of all the other elements = y / x_i.

    y / x_i fails where x_i = 0; then the product of the others is built from
    cumulative products from the left and from the right, as PyTorch does.
    """
    torch_name = "ProdBackward0"
    saves_result = True

    def forward(self, a, dim=None, keepdim=False):
        self.save_for_backward(a)
        self.dim, self.keepdim = dim, keepdim
        if dim is not None:
            self.torch_name = "ProdBackward1"
        x = a._data if a._data.dtype.kind == "f" else a._data.astype(np.int64)
        if x.ndim == 0:
            return x.copy()
        return np.prod(x, axis=dim, keepdims=keepdim)

    def backward(self, grad):
        (a,) = self.saved_tensors
        if a.dim() == 0:
            return grad
        result = self.result
        if self.dim is not None and not self.keepdim:
            grad, result = grad.unsqueeze(self.dim), result.unsqueeze(self.dim)
        zeros = a._data == 0
        if not zeros.any():
            return grad * (result / a)
        if grad_mode.STATE.enabled:                     # create_graph=True
            return grad * _product_of_others_graph(a, self.dim)
        if self.dim is None and zeros.sum() > 1:
            return _make(np.zeros_like(a._data))        # two zeros: every gradient is 0
        return grad * _make(_product_of_others(a._data, self.dim))


def _product_of_others_graph(a, dim):
    """The product of the others, differentiable (for second derivatives): row i of an
    n x n matrix holds the elements with the i-th replaced by 1."""
    x = a.reshape(-1) if dim is None else a.movedim(dim, -1)
    n = x.shape[-1]
    rows = x.unsqueeze(-2).expand(*x.shape[:-1], n, n)
    others = rows.masked_fill(_make(np.eye(n, dtype=bool)), 1).prod(-1)
    return others.reshape(a.shape) if dim is None else others.movedim(-1, dim)


def _product_of_others(x, dim):
    """For each element, the product of the others along ``dim`` (of all, when None),
    from cumulative products from the left and from the right, as PyTorch does."""
    flat = x.reshape(-1) if dim is None else x
    axis = 0 if dim is None else dim
    n = flat.shape[axis]
    ones = np.ones_like(np.take(flat, [0], axis))
    before = np.cumprod(np.concatenate([ones, np.take(flat, range(n - 1), axis)], axis), axis)
    rest = np.flip(np.take(flat, range(1, n), axis), axis)
    after = np.flip(np.cumprod(np.concatenate([ones, rest], axis), axis), axis)
    return (before * after).reshape(x.shape)


class AmaxAmin(Node):
    """y = max (or min) over dims;   the gradient is shared evenly among the tied maxima."""
    torch_name = "AmaxBackward0"
    saves_result = True

    def forward(self, a, dims=None, keepdim=False, largest=True):
        self.save_for_backward(a)
        self.dims, self.keepdim = dims, keepdim
        self.torch_name = "AmaxBackward0" if largest else "AminBackward0"
        f = np.max if largest else np.min
        return f(a._data, axis=_axis(dims), keepdims=keepdim)

    def backward(self, grad):
        (a,) = self.saved_tensors
        shape = tuple(a.shape)
        mask = a == _restore(self.result, shape, self.dims, self.keepdim)
        count = mask.sum(self.dims if self.dims else None, keepdim=True)
        return (_restore(grad, shape, self.dims, self.keepdim) / count) * mask


class MaxAll(Node):
    """y = max(x) over all elements (MaxBackward1): ties share the gradient evenly."""
    torch_name = "MaxBackward1"
    saves_result = True

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
        y = self.result._data
        mask = _make(np.isnan(a._data) if np.isnan(y) else a._data == y)
        zeros = _make(np.zeros_like(a._data))
        return zeros.masked_fill(mask, grad / mask.sum())


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
            self.idx = None
            return x.copy(), np.zeros((), np.int64)
        # NumPy's argmax and argmin pick the first NaN of a slice, as PyTorch does (NaN
        # propagates), and otherwise the first of tied extremes
        idx = np.argmax(x, axis=dim) if largest else np.argmin(x, axis=dim)
        idx = np.expand_dims(idx, dim).astype(np.int64)
        values = np.take_along_axis(x, idx, dim)
        self.idx = idx
        if not keepdim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        return values, idx

    def backward(self, grad, _unused_indices_grad=None):
        return _scatter_back(grad, self.shape, self.dim, self.idx, self.keepdim)


def _scatter_back(grad, shape, dim, idx, keepdim):
    """The gradient of values picked at ``idx`` along ``dim``: zeros, with each value's
    gradient put back where it was picked (differentiable, for second derivatives)."""
    if len(shape) == 0:
        return grad
    if not keepdim:
        grad = grad.unsqueeze(dim)
    return _make(np.zeros(shape, grad._data.dtype)).scatter(dim, _make(idx), grad)


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
        if grad.numel() <= 1 or grad.shape[self.dim] == 1:
            return grad
        return grad.flip(self.dim).cumsum(self.dim).flip(self.dim)


class Norm(Node):
    """y = (sum |x|^p)^(1/p);   dy/dx = sign(x) |x|^(p-1) / y^(p-1)  (x / y for p = 2).

    Where y = 0 the gradient is taken as 0, as PyTorch does.
    """
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
        p, shape = self.p, tuple(a.shape)
        grad = _restore(grad, shape, self.dims, self.keepdim)
        y = _restore(self.result, shape, self.dims, self.keepdim)
        if p == 0:
            return _make(np.zeros_like(a._data))
        if p == 1:
            return a.sign() * grad
        if p == 2:
            return grad * (a / y).masked_fill(y == 0, 0)
        if p in (float("inf"), -float("inf")):
            mask = (a.abs() == y) | a.isnan()
            count = mask.sum(self.dims if self.dims else None, keepdim=True)
            return a.sign() * ((grad / count) * mask)
        if p < 1:
            scaled = a.sign() * (a.abs() ** (p - 1)).masked_fill(a == 0, 0)
            return scaled * grad * y ** (1 - p)
        scale = (grad / y ** (p - 1)).masked_fill(y == 0, 0)
        if p < 2:
            return a.sign() * a.abs() ** (p - 1) * scale
        return a * a.abs() ** (p - 2) * scale


# ---- the functions users call -----------------------------------------------
def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum of all elements, or along ``dim`` (an int or a tuple of ints)."""
    try:
        return Sum.apply(input, dims=_dims(input, dim), keepdim=keepdim, dtype=dtype)
    except (AttributeError, TypeError):                 # not a Tensor? (see _args.py)
        expect("sum", ("input", "Tensor", input))
        _expect_dim("sum", dim)
        raise


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean of all elements, or along ``dim``."""
    try:
        return Mean.apply(input, dims=_dims(input, dim), keepdim=keepdim, dtype=dtype)
    except (AttributeError, TypeError):
        expect("mean", ("input", "Tensor", input))
        _expect_dim("mean", dim)
        raise


def _expect_dim(name, dim):
    """PyTorch's error for a ``dim`` that is not an int or ints (shown as ``dim=``)."""
    if dim is not None and not fits("tuple of ints", dim):
        raise invalid_combination(name, (), _SUM_FORMS, {"dim": dim}) from None


_SUM_FORMS = ("(*, torch.dtype dtype = None)",
              "(tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None)")


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
    dims = _dims(input, dim)
    _check_nonempty("amax", input, dim, dims)
    return AmaxAmin.apply(input, dims=dims, keepdim=keepdim, largest=True)


def amin(input, dim=(), keepdim=False):
    dims = _dims(input, dim)
    _check_nonempty("amin", input, dim, dims)
    return AmaxAmin.apply(input, dims=dims, keepdim=keepdim, largest=False)


def max(input, dim=None, keepdim=False):
    """``max(x)``: the largest element; ``max(x, dim)``: (values, indices);
    ``max(x, other)``: the elementwise maximum."""
    if isinstance(dim, TensorBase):
        from .selection import maximum
        return maximum(input, dim)
    if dim is None:
        return MaxAll.apply(input, largest=True)
    values, indices = MaxDim.apply(input, dim=input._wrap_dim(dim), keepdim=keepdim)
    return return_types.max(values, indices)


def min(input, dim=None, keepdim=False):
    """``min(x)``, ``min(x, dim)`` -> (values, indices), or ``min(x, other)``."""
    if isinstance(dim, TensorBase):
        from .selection import minimum
        return minimum(input, dim)
    if dim is None:
        return MaxAll.apply(input, largest=False)
    values, indices = MaxDim.apply(input, dim=input._wrap_dim(dim), keepdim=keepdim,
                                   largest=False)
    return return_types.min(values, indices)


def argmax(input, dim=None, keepdim=False):
    """Index of the largest element (of the flattened tensor when ``dim`` is None)."""
    return _arg(input, dim, keepdim, largest=True)


def argmin(input, dim=None, keepdim=False):
    """Index of the smallest element."""
    return _arg(input, dim, keepdim, largest=False)


def _arg(input, dim, keepdim, largest):
    name = "argmax" if largest else "argmin"
    x = input._data
    if x.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None:
        if x.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        idx = np.argmax(x) if largest else np.argmin(x)
        return _make(np.array(idx, np.int64).reshape((1,) * x.ndim if keepdim else ()))
    dim = input._wrap_dim(dim)
    _check_nonempty(name, input, dim, (dim,) if x.ndim else ())
    return (max if largest else min)(input.detach(), dim, keepdim).indices


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
    if p in (float("inf"), -float("inf")) and input._data.size == 0:
        _check_inf_norm(input, p, dim)
    return Norm.apply(input, p=p, dims=_dims(input, dim), keepdim=keepdim)


def _check_inf_norm(input, p, dim):
    """PyTorch's error for the largest (or smallest) |x| of nothing: max and min have no
    identity, unlike sums. (The missing space in "0because" is PyTorch's.)"""
    start = f"linalg.vector_norm cannot compute the {p} norm on "
    end = "because the operation does not have an identity"
    dims = dim if isinstance(dim, (list, tuple)) else () if dim is None else (dim,)
    if not dims:
        raise RuntimeError(start + "an empty tensor " + end)
    for d in dims:
        if input._data.shape[input._wrap_dim(d)] == 0:
            raise RuntimeError(f"{start}the dimension {d}because this dimension is empty and "
                               "the operation does not have an identity")


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

    def all(self, dim=None, keepdim=False):
        return all(self, dim, keepdim)

    def any(self, dim=None, keepdim=False):
        return any(self, dim, keepdim)

    def count_nonzero(self, dim=None):
        return count_nonzero(self, dim)
