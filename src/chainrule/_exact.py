"""Exact arithmetic and ordering that PyTorch's compiled kernels get for free.

PyTorch's CPU kernels are compiled with fused multiply-adds, ``fma(a, b, c) = a*b + c``
rounded ONCE, and call the C library's ``log``, ``log1p``, ``sin`` and ``cos``. NumPy
has no fma and its own vectorised ``log``, which differ in the last bit on a few
percent of values. This file rebuilds both exactly: :func:`fma32` and :func:`fma64`
for the fused operations, :func:`_libm` to call the C library element by element.

The last part rebuilds the C++ standard library's ``nth_element``, ``sort`` and
``partial_sort`` (GCC's libstdc++), which decide the order of *ties* in
``torch.topk`` and hence in ``torch.multinomial`` without replacement.
"""
import math

import numpy as np


def _two_sum(a, b):
    """``s, err`` with ``s = fl(a + b)`` and ``a + b == s + err`` exactly (Knuth)."""
    s = a + b
    b_virtual = s - a
    err = (a - (s - b_virtual)) + (b - b_virtual)
    return s, err


def _two_product(a, b):
    """``p, err`` with ``p = fl(a * b)`` and ``a * b == p + err`` exactly (Dekker).

    Each factor is split into two 26-bit halves, whose products are exact.
    """
    def split(x):
        t = 134217729.0 * x                   # 2**27 + 1
        hi = t - (t - x)
        return hi, x - hi
    p = a * b
    a_hi, a_lo = split(a)
    b_hi, b_lo = split(b)
    err = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    return p, err


def _nudge_toward(x, direction):
    """``x`` moved one float64 step toward the sign of ``direction`` (0: unchanged)."""
    return np.where(direction == 0, x, np.nextafter(x, np.copysign(np.inf, direction)))


def fma32(a, b, c):
    """float32 ``a*b + c`` rounded once, as the ``vfmadd`` instruction computes it.

    a*b of two float32 numbers is exact in float64 (24 + 24 <= 53 bits), so
    ``s = a*b + c`` in float64 is rounded once. Rounding ``s`` again to float32 is
    wrong only when ``s`` lands exactly halfway between two float32 numbers while
    the true sum does not; we find those rare elements and move them one float64
    step toward the true sum ("round to odd"), after which the cast is correct.

    >>> a = np.float32(1 + 2**-12)      # a*a + 2**-80 lies just above a float32 midpoint
    >>> float(fma32(a, a, 2.0**-80)) == 1 + 2**-11 + 2**-23
    True
    >>> float(np.float32(float(a) * float(a) + 2.0**-80))    # rounding twice falls below
    1.00048828125
    """
    if np.ndim(b) == 0 and b == 1 or np.ndim(c) == 0 and c == 0:
        # Only one rounding anyway (a*1 and x + 0 are exact): plain float32 maths.
        a, b, c = (np.asarray(v, dtype=np.float32) for v in (a, b, c))
        return a * b + c                  # + c keeps IEEE's sign of zero
    product = np.multiply(a, b, dtype=np.float64)         # exact
    s = np.add(product, c, dtype=np.float64)
    shape = s.shape
    s = np.atleast_1d(s)
    out = s.astype(np.float32)
    # Halfway between float32s: the 29 mantissa bits float32 lacks read 1000...0.
    halfway = (s.view(np.uint64) & np.uint64(0x1FFFFFFF)) == np.uint64(0x10000000)
    # Below 2**-126 float32 is subnormal and its spacing is 2**-149 instead.
    tiny = np.abs(s) < 2.0**-126
    if tiny.any():
        scaled = s[tiny] * 2.0**150               # halfway = odd multiple of 2**-150
        halfway[tiny] = (scaled == np.floor(scaled)) & (np.floor(scaled) % 2 == 1)
    if halfway.any():
        s_h = s[halfway]
        _, err = _two_sum(np.broadcast_to(product, s.shape)[halfway],
                          np.broadcast_to(np.asarray(c, dtype=np.float64), s.shape)[halfway])
        out[halfway] = _nudge_toward(s_h, err).astype(np.float32)
    return out.reshape(shape)


def fma64(a, b, c):
    """float64 ``a*b + c`` rounded once (Boldo and Melquiond's emulation).

    a*b = p + e and p + c = s + f exactly (two_product, two_sum); then the answer is
    ``s + (f + e)`` with the inner sum rounded to odd, so the outer rounding is exact.
    ``b == 1`` or ``c == 0`` have only one rounding anyway and take a shortcut.

    >>> float(fma64(0.1, 10.0, -1.0))   # 0.1 is a hair above 1/10; plain maths says 0
    5.551115123125783e-17
    """
    a, b, c = (np.asarray(v, dtype=np.float64) for v in (a, b, c))
    if b.ndim == 0 and b == 1:
        return a + c
    if c.ndim == 0 and c == 0:
        return a * b + c                  # + c keeps IEEE's sign of zero
    p, e = _two_product(a, b)
    s, f = _two_sum(p, c)
    t, g = _two_sum(f, e)
    t_is_even = (t.view(np.uint64) & np.uint64(1)) == 0
    t = np.where(t_is_even, _nudge_toward(t, g), t)  # round f + e to odd
    return s + t


def _libm(function, x):
    """``function`` (from ``math``, i.e. the C library) applied to every element.

    PyTorch calls glibc's ``log``/``log1p``; NumPy's vectorised versions differ in
    the last bit on some inputs (0.1% for log, 9% for log1p), so we call the C ones.
    """
    flat = np.ravel(x)
    values = np.fromiter(map(function, flat.tolist()), dtype=np.float64, count=flat.size)
    return values.reshape(np.shape(x))


def glibc_log(x):
    """The C library's ``log`` of every element of float64 ``x`` (all > 0), quickly.

    glibc's ``log`` (version 2.28 on) is within 0.52 ULP of the true value: its
    source states a worst case of 0.519 ULP (0.520 without fma), and about 0.507
    ULP near 1. So wherever the true value lies more than 0.02 ULP from a midpoint
    between two doubles, glibc returns the double nearest to it. We compute log in
    long double (63-bit mantissa: off by about 0.001 ULP of a double at most),
    round that to double, and call the C library, one element at a time, only where
    it lies within 0.03 ULP of a midpoint (about 6 elements in 100). Where long
    double is no wider than double, or a check on a sample at the first call finds
    the C library disagreeing, every element goes to the C library.

    >>> bool(glibc_log(np.array([0.5]))[0] == math.log(0.5))
    True
    """
    x = np.asarray(x, dtype=np.float64)
    if "works" not in _LOG_CHECK:
        _LOG_CHECK["works"] = _log_shortcut_works()
    if not _LOG_CHECK["works"]:
        return _libm(math.log, x)
    return _log_by_long_double(x)


_LOG_CHECK = {}


def _log_by_long_double(x):
    """:func:`glibc_log`'s shortcut: long double, then the C library where unsure."""
    wide = np.log(x.astype(np.longdouble))
    nearest = wide.astype(np.float64)
    gap = np.abs((wide - nearest).astype(np.float64))      # at most half a spacing
    # The smaller of the two spacings around the result: at a power of two the
    # spacing halves below it, and a value there is counted as unsure.
    spacing = np.spacing(np.nextafter(np.abs(nearest), 0.0))
    unsure = np.flatnonzero(gap > 0.47 * spacing)          # within 0.03 ULP of a midpoint
    if len(unsure):
        flat = nearest.reshape(-1)
        flat[unsure] = _libm(math.log, x.reshape(-1)[unsure])
    return nearest


def _log_shortcut_works():
    """True if :func:`_log_by_long_double` gives the C library's bits on a sample."""
    if np.finfo(np.longdouble).nmant < 63:
        return False
    sample = np.concatenate([np.arange(1, 5001) / 5001, 1.0 - np.arange(1, 2001) * 2.0**-40,
                             np.exp(-np.arange(1, 101) / 3.0)])
    return np.array_equal(_log_by_long_double(sample), _libm(math.log, sample))


def _numpy_agrees_with_libm(np_function, math_function):
    """True if NumPy's ``np_function`` gives glibc's bits on a sample of angles."""
    angles = np.arange(4099) * (2 * math.pi / 4099) + 1e-3
    return np.array_equal(np_function(angles), _libm(math_function, angles))


# NumPy's float64 sin/cos come from the C library on Linux and agree with it; if a
# build ever disagrees, fall back to calling the C library one element at a time.
# The check runs at the first normal draw, not at import (import time matters).
_TRIG = {}


def _trig(name):
    if name not in _TRIG:
        np_f, math_f = (np.sin, math.sin) if name == "sin" else (np.cos, math.cos)
        _TRIG[name] = np_f if _numpy_agrees_with_libm(np_f, math_f) else \
            (lambda x: _libm(math_f, x))
    return _TRIG[name]


def _sin(x):
    return _trig("sin")(x)


def _cos(x):
    return _trig("cos")(x)


# ============================================== libstdc++'s selection and sorting
#
# torch.topk(x, k) on the CPU copies a row into a vector of (value, index) pairs and
# orders it with a comparator "x before y if x > y (NaN above everything)":
#
#     if k * 64 <= n:   std::partial_sort(q, q + k, q + n)            (a heap)
#     else:             std::nth_element(q, q + k - 1, q + n)       (introselect)
#                       std::sort(q, q + k - 1)                     (introsort)
#
# Distinct values come out largest first whichever way; equal values come out in
# whatever order the algorithm happened to move them. To give PyTorch's indices
# for ties too, the functions below repeat libstdc++'s moves one for one (same
# names, same steps). They work on a list ``q`` of ``(key, index)`` pairs with
# integer keys; "a before b" is ``a[0] > b[0]``.

def topk_indices(values, k):
    """The ``k`` indices ``torch.topk(values, k)`` gives for a 1-D float array.

    Without ties the answer is simply the k largest, best first (a NumPy sort). With
    ties (equal values, such as the zeros of categories with no probability) we
    run libstdc++'s algorithm on the values' ranks.

    >>> topk_indices(np.array([0.0, 0.5, 0.0, 0.0, 0.2]), 4).tolist()   # not [1, 4, 0, 2]
    [1, 4, 2, 3]
    """
    order = np.argsort(-values, kind="stable")
    top = values[order[:k + 1]]
    if not (np.isnan(values).any() or np.any(top[1:] == top[:-1])):
        return order[:k]
    # Dense ranks keep the order and the ties (NaN above all, -0.0 equal to 0.0).
    ranks = np.unique(values, return_inverse=True)[1].reshape(-1).tolist()
    q = list(zip(ranks, range(len(ranks))))
    n = len(q)
    if k * 64 <= n:
        _partial_sort(q, 0, k, n)
    else:
        _nth_element(q, 0, k - 1, n)
        _sort(q, 0, k - 1)
    return np.array([index for _, index in q[:k]], dtype=np.int64)


def _lg(n):
    return n.bit_length() - 1             # floor(log2 n), std::__lg


def _nth_element(q, first, nth, last):
    """Introselect: partition around median-of-three pivots until nth is placed."""
    if first == last or nth == last:
        return
    depth_limit = 2 * _lg(last - first)
    while last - first > 3:
        if depth_limit == 0:
            _heap_select(q, first, nth + 1, last)
            q[first], q[nth] = q[nth], q[first]
            return
        depth_limit -= 1
        cut = _unguarded_partition_pivot(q, first, last)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(q, first, last)


def _sort(q, first, last):
    """Introsort: quicksort down to runs of 16, then one insertion sort over all."""
    if first == last:
        return
    _introsort_loop(q, first, last, 2 * _lg(last - first))
    if last - first > _THRESHOLD:
        _insertion_sort(q, first, first + _THRESHOLD)
        for i in range(first + _THRESHOLD, last):
            _unguarded_linear_insert(q, i)
    else:
        _insertion_sort(q, first, last)


_THRESHOLD = 16                           # libstdc++'s _S_threshold


def _introsort_loop(q, first, last, depth_limit):
    while last - first > _THRESHOLD:
        if depth_limit == 0:
            _partial_sort(q, first, last, last)
            return
        depth_limit -= 1
        cut = _unguarded_partition_pivot(q, first, last)
        _introsort_loop(q, cut, last, depth_limit)
        last = cut


def _unguarded_partition_pivot(q, first, last):
    """Move the median of q[first+1], q[mid], q[last-1] to q[first]; partition on it."""
    a, b, c = first + 1, first + (last - first) // 2, last - 1
    ka, kb, kc = q[a][0], q[b][0], q[c][0]
    if ka > kb:
        median = b if kb > kc else (c if ka > kc else a)
    else:
        median = a if ka > kc else (c if kb > kc else b)
    q[first], q[median] = q[median], q[first]
    pivot = q[first][0]
    left, right = first + 1, last
    while True:
        while q[left][0] > pivot:
            left += 1
        right -= 1
        while pivot > q[right][0]:
            right -= 1
        if not left < right:
            return left
        q[left], q[right] = q[right], q[left]
        left += 1


def _insertion_sort(q, first, last):
    for i in range(first + 1, last):
        if q[i][0] > q[first][0]:          # a new front: shift the whole run right
            q[first:i + 1] = [q[i]] + q[first:i]
        else:
            _unguarded_linear_insert(q, i)


def _unguarded_linear_insert(q, last):
    value = q[last]
    while value[0] > q[last - 1][0]:
        q[last] = q[last - 1]
        last -= 1
    q[last] = value


def _partial_sort(q, first, middle, last):
    """Keep the best ``middle - first`` in a heap while scanning, then sort the heap."""
    _heap_select(q, first, middle, last)
    while middle - first > 1:             # std::sort_heap
        middle -= 1
        _pop_heap(q, first, middle, middle)


def _heap_select(q, first, middle, last):
    length = middle - first               # std::make_heap on [first, middle)
    if length >= 2:
        for parent in range((length - 2) // 2, -1, -1):
            _adjust_heap(q, first, parent, length, q[first + parent])
    for i in range(middle, last):
        if q[i][0] > q[first][0]:
            _pop_heap(q, first, middle, i)


def _pop_heap(q, first, last, result):
    value = q[result]
    q[result] = q[first]
    _adjust_heap(q, first, 0, last - first, value)


def _adjust_heap(q, first, hole, length, value):
    """Sift the hole at ``hole`` down to a leaf, then push ``value`` up from there."""
    top = child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if q[first + child][0] > q[first + child - 1][0]:
            child -= 1
        q[first + hole] = q[first + child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        q[first + hole] = q[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2              # std::__push_heap
    while hole > top and q[first + parent][0] > value[0]:
        q[first + hole] = q[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    q[first + hole] = value
