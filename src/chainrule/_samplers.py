"""Samplers: PyTorch's kernels that turn 32-bit words into uniform numbers, integers,
permutations, Bernoulli draws, exponentials and categories, as NumPy arrays.

Each function takes a :class:`~chainrule._generator.Generator`, says which words it
draws and how it turns them into numbers, and returns them in the order PyTorch
fills a tensor (see "fill order" below). Normal numbers have their own chapter,
``_normal.py``; the exact ``fma`` they and :func:`uniform` need is in ``_exact.py``.
"""
import math

import numpy as np

from ._exact import _libm, fma32, fma64, topk_indices

_U64 = 2**64


# ===================================================================== fill order
#
# PyTorch fills a tensor by walking its memory in order (TensorIterator puts the
# smallest stride innermost): row by row when contiguous, column by column when
# transposed. Every sampler below returns its values in that order.

def memory_axes(arr):
    """The axes of ``arr`` from largest stride to smallest (identity if contiguous)."""
    if arr.flags.c_contiguous:
        return tuple(range(arr.ndim))
    return tuple(sorted(range(arr.ndim), key=lambda axis: -arr.strides[axis]))


def write_in_memory_order(arr, values):
    """Store the flat ``values`` into ``arr`` in place, in PyTorch's fill order."""
    view = arr.transpose(memory_axes(arr))
    view[...] = values.reshape(view.shape)


def empty_like_layout(arr, dtype):
    """A new array shaped like ``arr``, with its memory layout if that is dense.

    This is PyTorch's ``empty_like`` (``preserve_format``): the result of
    ``randn_like`` of a transposed tensor is transposed too, so it is filled column
    by column. A layout with gaps (a sliced tensor) gives a contiguous array.
    """
    view = arr.transpose(memory_axes(arr))
    expected = arr.itemsize
    for size, stride in zip(reversed(view.shape), reversed(view.strides)):
        if size > 1 and stride != expected:
            return np.empty(arr.shape, dtype)
        expected *= size
    return np.empty_like(arr, dtype, order="K")


# ================================================================ uniform numbers

def u24(words):
    """float32 in [0, 1) from 32-bit words: ``(word & (2**24-1)) * 2**-24`` (exact)."""
    return (words & np.uint32(0xFFFFFF)).astype(np.float32) * np.float32(2.0**-24)



def u53(words64):
    """float64 in [0, 1) from 64-bit numbers: ``(x & (2**53-1)) * 2**-53`` (exact)."""
    return (words64 & np.uint64(2**53 - 1)).astype(np.float64) * 2.0**-53


def uniform(gen, n, dtype, low=0.0, high=1.0):
    """``n`` numbers on [low, high), in the order ``uniform_`` fills a tensor.

    float32 (and float16): ``fma(u24, to - from, from)`` in float32, one word each.
    float64: ``fma(u53, to - from, from)``, two words each. A value that rounds up to
    ``high`` is replaced by ``low``. ``rand`` is the case (0, 1), where value = u.

    >>> from chainrule import Generator
    >>> uniform(Generator().manual_seed(0), 3, np.float32)    # torch.rand(3) after seed 0
    array([0.4962566 , 0.7682218 , 0.08847743], dtype=float32)
    """
    dtype = np.dtype(dtype)
    if low == 0 and high == 1 and dtype != np.float16:
        return _unit_uniform(gen, n, dtype)
    if dtype == np.float64:
        low_, high_ = np.float64(low), np.float64(high)
        words, to_unit, fma = gen.random_u64(n), u53, fma64
    else:       # float32 arithmetic; float16 is rounded from it at the end
        low_, high_ = np.float32(low), np.float32(high)
        words, to_unit, fma = gen.random_u32(n), u24, fma32
    value = np.empty(n, low_.dtype)
    for start in range(0, n, _CHUNK):     # cache-sized pieces, see _CHUNK
        piece = slice(start, start + _CHUNK)
        value[piece] = fma(to_unit(words[piece]), high_ - low_, low_)
    if dtype == np.float16:
        value = value.astype(dtype)
        low_, high_ = dtype.type(low_), dtype.type(high_)
    value[value == high_] = low_
    return value


def _unit_uniform(gen, n, dtype):
    """``rand``'s numbers: u24 (float32) or u53 (float64) themselves.

    ``fma(u, 1, 0)`` is u, and u < 1 is never replaced. A few are made from Python
    ints, which beats four NumPy calls; u53's low 53 bits of ``(high << 32) | low``
    are ``((high & (2**21 - 1)) << 32) | low``.
    """
    if n > _FEW:
        return u53(gen.random_u64(n)) if dtype == np.float64 else u24(gen._words(n))
    if dtype == np.float32:
        values = small_unit_uniform32(gen, n)
        if values is not None:
            return values
    if dtype == np.float64:
        w = gen._words_list(2 * n)
        values = [((w[i] & _LOW21) << 32 | w[i + 1]) * 2.0**-53 for i in range(0, 2 * n, 2)]
    else:
        values = [(word & 0xFFFFFF) * 2.0**-24 for word in gen._words_list(n)]
    return np.fromiter(values, dtype, n)


_FEW = 64
_LOW21 = 2**21 - 1


def small_unit_uniform32(gen, n):
    """``rand(n)`` in float32 for a few n, sliced from u24 of the whole current block.

    The quick route of ``rand(3)`` in a loop: the first small draw from a block turns
    all of its words into u24 at once (``gen._uniforms_ahead = (block, u24 of it)``);
    the following ones only slice. None if the draw runs past the block.
    """
    block, table = gen._uniforms_ahead
    start = gen._next
    stop = start + n
    if block is not gen._block:
        if stop > len(gen._block) or gen._pending is not None:
            return None
        block, table = gen._uniforms_ahead = (gen._block, u24(gen._block))
    elif stop > len(table):
        return None
    gen._next = stop
    gen._fresh = False
    return table[start:stop].copy()


# Big arrays are transformed this many elements at a time. The temporaries then stay
# in the CPU cache and their memory is reused; one pass over a million elements would
# allocate (and page-fault in) fresh megabytes for every intermediate, 3-5x slower.
_CHUNK = 1 << 14


# ======================================================================= integers

def random_from_to(gen, n, span, low):
    """``low + word % span``: ``random_(from, to)`` and ``randint``, as int64.

    One 32-bit word per element, or one 64-bit number once ``span >= 2**28`` (the
    rule since PyTorch 2.7). Plain modulo (slightly biased), as in PyTorch; the sum
    wraps like C++'s 64-bit arithmetic.

    >>> from chainrule import Generator
    >>> random_from_to(Generator().manual_seed(0), 5, 10, 0)   # torch.randint(10, (5,))
    array([4, 9, 3, 0, 3])
    """
    if span >= 2**28:
        words = gen.random_u64(n)
    else:
        words = gen.random_u32(n).astype(np.uint64)
    return (words % np.uint64(span) + np.uint64(low % _U64)).view(np.int64)


def random_full_range(gen, n):
    """``random_(-2**63, None)``: one 64-bit number per element, read as signed."""
    return gen.random_u64(n).view(np.int64)


def random_bits(gen, n, dtype):
    """``random_()`` without bounds: [0, max] for integers, [0, 2**digits] for floats.

    int64 and float64 take a 64-bit number per element, other dtypes one word;
    the value is ``x % (max + 1)`` (``x % (2**digits + 1)`` for floats, ``x & 1`` for bool).
    """
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return (gen.random_u32(n) & np.uint32(1)).astype(np.bool_)
    if dtype in (np.int64, np.float64):
        words = gen.random_u64(n)
    else:
        words = gen.random_u32(n).astype(np.uint64)
    if dtype.kind == "f":
        modulus = 2**(np.finfo(dtype).nmant + 1) + 1      # float32: 2**24 + 1
    else:
        modulus = int(np.iinfo(dtype).max) + 1
    return (words % np.uint64(modulus)).astype(dtype)


def randperm(gen, n):
    """A random permutation of ``0 .. n-1`` (int64), shuffled as PyTorch shuffles.

    For ``n < 214748364`` (``(2**32 - 1) // 20``): forward Fisher-Yates with n - 1
    words, ``z = word % (n - i)``, swapping r[i] and r[i + z]. Beyond that, the
    "inside-out" shuffle with n 64-bit numbers: ``z = x % (i + 1)``,
    ``r[i] = r[z]; r[z] = i`` (slow here: a Python loop over n).

    >>> from chainrule import Generator
    >>> randperm(Generator().manual_seed(0), 5)        # torch.randperm(5)
    array([4, 0, 1, 3, 2])
    """
    if n < (2**32 - 1) // 20:
        offsets = gen.random_u32(max(n - 1, 0)).astype(np.int64) % np.arange(n, 1, -1)
        partners = (offsets + np.arange(n - 1)).tolist()
        perm = list(range(n))
        for i, j in enumerate(partners):    # the swaps depend on each other: a loop
            perm[i], perm[j] = perm[j], perm[i]
        return np.fromiter(perm, dtype=np.int64, count=n)
    return _randperm_inside_out(gen, n)


def _randperm_inside_out(gen, n, chunk=1 << 20):
    """The large-n shuffle; draws are made ``chunk`` at a time to bound memory."""
    perm = np.empty(n, dtype=np.int64)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        picks = gen.random_u64(stop - start) % np.arange(start + 1, stop + 1, dtype=np.uint64)
        for i, z in enumerate(picks.tolist(), start):
            perm[i] = perm[z]
            perm[z] = i
    return perm


# ================================================================ other samplers

def bernoulli_scalar(gen, n, p):
    """``n`` booleans ``u53 < p``, two words each: ``bernoulli_(p)`` for a float p."""
    return u53(gen.random_u64(n)) < p


def bernoulli_tensor(gen, p):
    """One boolean per element of ``p`` (in iteration order), as ``torch.bernoulli(p)``.

    float64 p: ``u53 < p`` (two words each); float32/float16 p: ``u24 < p`` (one word).
    """
    p = np.ravel(p)
    if p.dtype == np.float64:
        return u53(gen.random_u64(p.size)) < p
    return u24(gen.random_u32(p.size)) < p.astype(np.float32)


def exponential(gen, n, lambd):
    """``-1/λ · log1p(-u53)`` in float64 (two words each), as ``exponential_(λ)``."""
    return (-1.0 / lambd) * _libm(math.log1p, -u53(gen.random_u64(n)))


def multinomial(gen, probs, num_samples, replacement):
    """Sampled category indices, int64 of shape (rows, num_samples), for 2-D ``probs``.

    * Without replacement, or one sample: PyTorch's "exponential race". Draw
      q ~ Exp(1) for every entry (rounded to probs' dtype, filled in probs' memory
      order); the samples are the categories with the largest ``probs / q``, best
      first (category i wins with probability p_i / sum(p)). One sample is
      ``argmax`` (the first of equal values); more are ``topk``, whose order of
      equal values, e.g. the zeros of impossible categories once the others are
      used up, :func:`~chainrule._exact.topk_indices` reproduces.
    * With replacement: per row, the running sums of probs (in its dtype) divided by
      their total, the last set to 1; each sample is one u53 and the first category
      whose running sum is >= u (a binary search).
    """
    rows = probs.shape[0]
    if not replacement or num_samples == 1:
        q = empty_like_layout(probs, probs.dtype)       # filled in probs' memory order
        write_in_memory_order(q, exponential(gen, probs.size, 1.0).astype(probs.dtype))
        race = probs / q
        if num_samples == 1:
            return np.argmax(race, axis=1).astype(np.int64)[:, None]
        return np.stack([topk_indices(row, num_samples) for row in race]).astype(np.int64)
    out = np.empty((rows, num_samples), dtype=np.int64)
    for i in range(rows):
        running = np.cumsum(probs[i])     # sequential sums, in probs' dtype
        running /= running[-1]
        running[-1] = 1
        out[i] = np.searchsorted(running, u53(gen.random_u64(num_samples)), side="left")
    return out


def dropout_mask(gen, n, p, dtype):
    """PyTorch's CPU dropout noise: ``bernoulli_(1 - p)``, then divided by ``1 - p``.

    Entries are 0 or ``1 / (1 - p)`` computed in ``dtype`` (two words per element).
    """
    dtype = np.dtype(dtype)
    keep = bernoulli_scalar(gen, n, 1 - p)
    return keep.astype(dtype) / dtype.type(1 - p)
