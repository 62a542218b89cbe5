"""The arithmetic of the update rules, rounded as PyTorch's CPU kernels round it.

An update like ``exp_avg = beta1 * exp_avg + (1 - beta1) * grad`` can be
computed in several orders, and in float32 each order gives slightly
different last bits. Over hundreds of steps those bits grow into visibly
different losses. PyTorch's CPU kernels use a *fused multiply-add* (``a * b
+ c`` rounded once, not twice) in ``add(alpha=)``, ``addcmul`` and ``lerp``;
the helpers here do the same, so a chainrule run prints PyTorch's digits.

NumPy has no fused multiply-add, so ``fma`` computes float32 in float64: the
product of two float32 numbers is exact in float64, and the sum is rounded
once to float64 and once to float32 (this double rounding can differ from a
single one only when the float64 sum falls exactly halfway between two
float32 numbers, which essentially never happens). For float64 it rebuilds
the exact product from halves of the factors (``_fma64``).

Each helper writes into its first argument, a NumPy array, in place. Python
numbers are rounded to the array's dtype first, as PyTorch rounds its scalars.

>>> import numpy as np
>>> x = np.array([1.0, 2.0], np.float32)
>>> add_(x, np.array([10.0, 20.0], np.float32), alpha=0.5)      # x += 0.5 * y
>>> x
array([ 6., 12.], dtype=float32)
"""
import numpy as np


def fma(a, b, c, out=None):
    """``a * b + c`` rounded once, as a fused multiply-add instruction does.

    Returns a new array, or writes into ``out`` (an array of ``c``'s dtype) and returns it.
    """
    dtype = np.result_type(c)
    if dtype == np.float32:
        # The product of two float32 values is exact in float64; one float64 buffer
        # holds it and then the sum. The buffer is made by ``astype`` and updated in
        # place: mixed float32/float64 ufunc calls cast through small internal buffers
        # and take about twice as long (this runs on every weight, every step).
        wide = _widened_product(a, b)
        if isinstance(wide, np.ndarray) and wide.shape == np.shape(c):
            np.add(wide, c, out=wide)
        else:
            wide = np.add(wide, c, dtype=np.float64)
    elif dtype == np.float64:
        wide = _fma64(a, b, c)
    else:
        wide = a * b + c
    if out is None:
        return wide.astype(dtype) if isinstance(wide, np.ndarray) else dtype.type(wide)
    np.copyto(out, wide, casting="same_kind")
    return out


def _widened_product(a, b):
    """a * b in float64 for float32 operands (exact): a fresh float64 array, or a scalar."""
    arrays = [v for v in (a, b) if isinstance(v, np.ndarray)]
    numbers = [np.float64(np.float32(v)) for v in (a, b) if not isinstance(v, np.ndarray)]
    if len(arrays) == 1:
        wide = arrays[0].astype(np.float64)
        wide *= numbers[0]
        return wide
    if not arrays:
        return numbers[0] * numbers[1]                  # a NumPy float64 scalar
    return np.multiply(arrays[0], arrays[1], dtype=np.float64)


def _fma64(a, b, c):
    """A float64 fused multiply-add from exact pieces (Dekker, Knuth).

    ``p = a*b`` loses the low half of the product; ``e`` recovers it exactly, by
    splitting each factor into two 26-bit halves whose products are exact.
    ``s = p + c`` loses ``t``, recovered exactly too. The answer ``s + (t + e)``
    then rounds once more, which differs from a true single rounding only in
    rare halfway cases. Infinite or NaN results fall back to ``a * b + c``.
    """
    a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
    with np.errstate(over="ignore", invalid="ignore"):
        p = a * b
        a_hi, a_lo = _split(a)
        b_hi, b_lo = _split(b)
        e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
        s = p + c
        v = s - p
        t = (p - (s - v)) + (c - v)
        out = s + (t + e)
    return np.where(np.isfinite(out), out, p + c)


def _split(x):
    """x = hi + lo with each half holding at most 26 significant bits."""
    big = 134217729.0 * x                    # 2**27 + 1
    hi = big - (big - x)
    return hi, x - hi


def add_(x, y, alpha=1.0):
    """``x += alpha * y``   (``Tensor.add_(y, alpha=alpha)``)."""
    fma(_scalar(alpha, x), y, x, out=x)


def added(x, y, alpha=1.0):
    """``x + alpha * y`` as a new array   (``Tensor.add(y, alpha=alpha)``)."""
    return fma(_scalar(alpha, x), y, x)


def mul_(x, value):
    """``x *= value``."""
    np.multiply(x, _scalar(value, x), out=x)


def lerp_(x, end, weight):
    """``x += weight * (end - x)``: move ``x`` a fraction ``weight`` of the way to ``end``.

    For ``weight >= 0.5`` PyTorch computes from the far end,
    ``end - (1 - weight) * (end - x)``, which loses less precision there.
    """
    w = _scalar(weight, x)
    if abs(w) < 0.5:
        np.copyto(x, fma(w, end - x, x))
    else:
        np.copyto(x, fma(w - x.dtype.type(1), end - x, end))


def addcmul_(x, t1, t2, value=1.0):
    """``x += value * t1 * t2``   (``(value * t1) * t2 + x``, the last step fused)."""
    np.copyto(x, fma(_scalar(value, x) * t1, t2, x))


def addcdiv_(x, t1, t2, value=1.0):
    """``x += value * t1 / t2``   (computed as ``(value * t1) / t2``, then added)."""
    np.copyto(x, x + _scalar(value, x) * t1 / t2)


def _scalar(value, like):
    """A Python number rounded to the array's dtype."""
    return like.dtype.type(value)


def bump(*tensors):
    """Record an in-place change: backward refuses values it saved that changed since."""
    for t in tensors:
        t._version_counter[0] += 1
