"""Normal numbers exactly as PyTorch 2.13 makes them on x86-64: three Box-Muller paths.

The uniform numbers come from ``_samplers.py`` (``u24``, ``u53``); the fused
multiply-adds and C-library calls that decide the last bit from ``_exact.py``; the
float32 log and sincos of path (b) from ``_cephes.py``.
"""
import functools
import math

import numpy as np

from ._cephes import _Scratch, _cephes_log, _cephes_sincos
from ._exact import _cos, _libm, _sin, fma32, fma64, glibc_log
from ._samplers import _CHUNK, u53


# ================================================================= normal numbers
#
# PyTorch's normal_ takes one of three paths, all Box-Muller transforms:
#   (a) fewer than 16 elements, or a non-contiguous tensor: double precision, one
#       value at a time, keeping the spare value of each pair in the generator;
#   (b) float32, 16 or more elements, contiguous: an AVX2 kernel that transforms
#       blocks of 16 uniform floats with Cephes' polynomial log and sincos;
#   (c) float64, 16 or more elements, contiguous: the same blocks in double.
# (b) and (c) first fill all n slots with uniforms; if n is not a multiple of 16
# they then draw 16 fresh uniforms for the last 16 slots and transform those again.

def normal(gen, n, dtype, mean=0.0, std=1.0, contiguous=True):
    """``n`` normal numbers in the order ``normal_`` fills a tensor of ``dtype``.

    >>> from chainrule import Generator
    >>> normal(Generator().manual_seed(0), 4, np.float32)     # torch.randn(4)
    array([ 1.5409961 , -0.2934289 , -2.1787894 ,  0.56843126], dtype=float32)
    """
    if 0 < n < 16 and mean == 0 and std == 1:  # randn(3): see "small draws in a loop"
        return small_standard_normal(gen, n, np.dtype(dtype))
    dtype = np.dtype(dtype)
    if n < 16 or not contiguous:
        return _path_a(gen, n, dtype, mean, std)
    if dtype == _FLOAT64:
        def transform(words, out):
            _box_muller_float64(u53(words), out, mean, std)
        return _normal_blocks(n, gen.random_u64, np.float64, transform)
    mean32, std32 = np.float32(mean), np.float32(std)
    scratch = _Scratch()

    def transform(words, out):
        _box_muller_float32(_u24_rows(words, scratch), out, mean32, std32, scratch)
    values = _normal_blocks(n, gen._words, np.float32, transform,
                            fill_all_first=dtype != _FLOAT16)
    return values.astype(dtype, copy=False)   # float16 is rounded from float32


_FLOAT16, _FLOAT32, _FLOAT64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)


def _path_a(gen, n, dtype, mean, std):
    """Path (a) in ``dtype``: C++ computes in double, then rounds to float (and half)."""
    if n <= 2 * _FEW_PAIRS and std == 1:
        # A few values: Python floats throughout (fma(z, 1, mean) is just z + mean).
        mean = float(mean)
        values = [z + mean for z in standard_normal_one_at_a_time(gen, n)]
        if dtype == _FLOAT16:
            return np.fromiter(values, np.float32, n).astype(dtype)
        return np.fromiter(values, dtype, n)
    values = normal_one_at_a_time(gen, n, mean, std)
    if dtype == _FLOAT16:
        values = values.astype(np.float32)
    return values.astype(dtype, copy=False)


def normal_one_at_a_time(gen, n, mean=0.0, std=1.0):
    """Path (a), in float64: ``fma(z, std, mean)`` for z from the function below."""
    z = standard_normal_one_at_a_time(gen, n)
    if std == 1:                          # fma(z, 1, mean) rounds once anyway
        return np.add(z, np.float64(mean), dtype=np.float64)
    return fma64(np.asarray(z, dtype=np.float64), std, mean)


def standard_normal_one_at_a_time(gen, n):
    """Path (a)'s z values: Box-Muller with the spare value cached in ``gen``.

    Each pair of draws u1, u2 (u53 each, u1 first) gives two values::

        r = sqrt(-2 log1p(-u2)),   θ = 2π u1,   z1 = r cos θ,   z2 = r sin θ

    z2 is kept for the next request, even by a later call with another dtype, mean
    or std; ``manual_seed`` forgets it. A list for a few values, else an array.
    """
    z = []
    if n and gen._next_double_normal is not None:
        z.append(gen._next_double_normal)
        gen._next_double_normal = None
    pairs = (n - len(z) + 1) // 2
    if pairs <= _FEW_PAIRS:
        z += _box_muller_few(gen, pairs)
    else:
        z = np.concatenate([z, _box_muller_many(gen, pairs)])
    if len(z) > n:                        # an odd count leaves a spare behind
        gen._next_double_normal = float(z[-1])
        z = z[:n]
    return z


_FEW_PAIRS = 32     # up to here Python floats beat NumPy's per-call overhead


def _box_muller_few(gen, pairs):
    """Path (a)'s z values for a few pairs, pair by pair, as Python floats.

    ``math.log1p``, ``math.cos`` and ``math.sin`` are the C library's, as in PyTorch.
    Each u53, the low 53 bits of ``(high << 32) | low`` times 2**-53, is computed
    as ``(high & (2**21 - 1)) * 2**-21 + low * 2**-53``: both terms and their sum
    are exact (21 + 32 bits that do not overlap), and floats beat big integers.
    """
    words = gen._words_list(4 * pairs)
    z = []
    for i in range(0, 4 * pairs, 4):
        u1 = (words[i] & _LOW21) * 2.0**-21 + words[i + 1] * 2.0**-53
        u2 = (words[i + 2] & _LOW21) * 2.0**-21 + words[i + 3] * 2.0**-53
        r = math.sqrt(-2.0 * math.log1p(-u2))
        theta = _TWO_PI * u1
        z += (r * math.cos(theta), r * math.sin(theta))
    return z


_LOW21 = 2**21 - 1
_TWO_PI = 2.0 * math.pi


def _box_muller_many(gen, pairs):
    """The same z values for many pairs, as an array."""
    return _box_muller_array(gen.random_u64(2 * pairs))


def _box_muller_array(numbers):
    """z values from 64-bit numbers (u1, u2 alternating); log1p from the C library."""
    u = u53(numbers)
    r = np.sqrt(-2.0 * _libm(math.log1p, -u[1::2]))
    theta = _TWO_PI * u[0::2]
    z = np.empty(len(u))
    z[0::2] = r * _cos(theta)
    z[1::2] = r * _sin(theta)
    return z


# ======================================================= small draws in a loop
#
# ``randn(3)`` in a loop would spend most of its time in Python, one pair at a time.
# Yet the words it will use next are known: they are the generator's next words.
# So when a small N(0, 1) draw directly follows another, the generator reads a few
# thousand words ahead (``Generator._read_ahead``), we turn them all into z values
# in one NumPy pass, and serve this draw and the following ones by slicing.
#
# The cache ``gen._normals_ahead`` is a tuple
# ``(block, next, spare, index, base, size, dtype, table, ends, spares, ahead)``.
# It is valid while the generator still stands where the last served draw left it:
# the same ``_block`` object, the same ``_next``, the very spare object it left.
# Then ``table[index:]`` (the ``dtype`` values of ``ahead``) are the next values,
# whose words start at ``base`` in ``block``; a draw that stops before value i has
# used ``ends[i]`` of them and leaves the spare ``spares[i]``. Any other draw moves
# the generator, and the cache is ignored. Each time a run uses up a cache, the
# next is made four times longer (up to ``_MOST_WORDS_AHEAD``): a lone pair of small
# draws stays cheap, a long run costs little per call.

class _Ahead:
    """z values made ahead: ``z``, and as ``z32`` and ``z64`` z + 0, ``size`` of them.

    If the generator held a spare, it is value 0 (``first_pair`` = 1); after it,
    values 2k and 2k + 1 (counted from ``first_pair``) come from words 4k..4k+3.
    A draw that stops before value i has used ``ends[i]`` words (a pair's words go
    with its first value) and leaves ``spares[i]`` behind: the spare, z itself
    (a float, as C++ keeps it), or None.
    """
    __slots__ = ("z", "z32", "z64", "size", "words_made", "ends", "spares")

    def __init__(self, z, first_pair, words_made):
        self.z, self.z64 = z, None
        # fma(z, 1, 0) in double, rounded once (-0.0 becomes 0.0), then to float
        self.z32 = (z + 0.0).astype(np.float32)
        self.size, self.words_made = len(z), words_made
        self.ends = _ends(len(z), first_pair)
        self.spares = [None] * (len(z) + 1)
        self.spares[1 - first_pair::2] = z[1 - first_pair::2].tolist()

    def table(self, dtype):
        """The values as ``dtype`` (float32 or float64; the latter made when first asked)."""
        if dtype is _FLOAT32:
            return self.z32
        if self.z64 is None:
            self.z64 = self.z + 0.0
        return self.z64


@functools.lru_cache(maxsize=8)
def _ends(size, first_pair):
    """``ends`` of an :class:`_Ahead`: ``ends[i] = 4 floor((i - first_pair + 1) / 2)``.

    The list depends on nothing else, so caches of one size share it (it is only
    read): making its ``size + 1`` ints anew took about a fifth of a cache's time.
    """
    return ((np.arange(size + 1) - first_pair + 1) // 2 * 4).tolist()


_FEWEST_WORDS_AHEAD = 1024
_MOST_WORDS_AHEAD = 16384


def small_standard_normal(gen, n, dtype):
    """``normal(gen, n, dtype)`` for 0 < n < 16, mean 0, std 1: served from the cache.

    The quick route of ``randn(3)`` in a loop, written for speed: the first test
    and the five lines under it are all that most calls run. float16, and draws
    that do not follow a small draw, take path (a).
    """
    block, position, spare, index, base, size, kind, table, ends, spares, ahead = \
        gen._normals_ahead
    if position == gen._next and block is gen._block and spare is gen._next_double_normal:
        stop = index + n
        if stop <= size and dtype is kind:
            # (gen._fresh is False already: the draw that made the cache cleared it.)
            gen._next = position = base + ends[stop]
            gen._next_double_normal = spare = spares[stop]
            gen._normals_ahead = (block, position, spare, stop, base, size, kind, table,
                                  ends, spares, ahead)
            return table[index:stop].copy()
        if dtype is _FLOAT32 or dtype is _FLOAT64:
            if stop > size:                   # marked (size 0), or used up: make more
                ahead = _make_ahead(gen, 4 * ahead.words_made if ahead else _FEWEST_WORDS_AHEAD)
                index, base, stop = 0, gen._next, n
            return _serve(gen, ahead, index, base, stop, dtype)
    values = _path_a(gen, n, dtype, 0.0, 1.0)
    # Mark where this draw ended, so that a small draw right here makes a cache.
    gen._normals_ahead = (gen._block, gen._next, gen._next_double_normal, 0, 0, 0,
                          None, None, None, None, None)
    return values


def _serve(gen, ahead, index, base, stop, dtype):
    """Values ``index:stop`` of the cache as ``dtype``, which the next draws expect too."""
    table = ahead.table(dtype)
    gen._next = base + ahead.ends[stop]
    gen._fresh = False
    spare = gen._next_double_normal = ahead.spares[stop]
    gen._normals_ahead = (gen._block, gen._next, spare, stop, base, ahead.size, dtype, table,
                          ahead.ends, ahead.spares, ahead)
    return table[index:stop].copy()


def _make_ahead(gen, count):
    """An :class:`_Ahead` from ``gen``'s next ``count`` words (at most the largest size)."""
    count = min(count, _MOST_WORDS_AHEAD) // 4 * 4
    gen._read_ahead(count)
    words = gen._block[gen._next:gen._next + count]
    z = _box_muller_array((words[0::2] << np.uint64(32)) | words[1::2])
    spare = gen._next_double_normal
    if spare is not None:
        z = np.concatenate(([spare], z))
    return _Ahead(z, int(spare is not None), count)


_CHUNK_ROWS = _CHUNK // 8      # blocks of 16 per transform: 2**14 values of u1 and u2


def _normal_blocks(n, draw, dtype, transform, fill_all_first=True):
    """Paths (b) and (c): fill with uniforms, transform blocks of 16, redo the tail.

    ``draw(k)`` gives the words for k uniforms; ``transform(words, out)`` turns rows
    of 16 into normal numbers. Both go a cache-sized chunk of rows at a time (the
    words come in the same order either way). If n is not a multiple of 16, the
    last ``n % 16`` slots get uniforms too, then 16 fresh uniforms are drawn for
    the last 16 slots; they join the last chunk as one more row, whose results
    then overwrite those slots. float16 works through a 16-value buffer instead,
    so it never draws uniforms for the last ``n % 16`` slots (``fill_all_first=False``).
    """
    full_rows, tail = divmod(n, 16)
    out = np.empty((full_rows + (tail > 0), 16), dtype)
    for start in range(0, len(out), _CHUNK_ROWS):
        stop = min(start + _CHUNK_ROWS, len(out))
        words = draw(16 * (min(stop, full_rows) - start))
        if stop == len(out) and tail:
            if fill_all_first:
                draw(tail)                  # the last slots' first uniforms, unused
            words = np.concatenate([words, draw(16)])
        transform(words.reshape(-1, 16), out[start:stop])
    out = out.reshape(-1)
    if tail:
        out[n - 16:n] = out[16 * full_rows:]   # the redone tail overwrites the last 16
    return out[:n]


def _box_muller_float64(blocks, out, mean, std):
    """Path (c) on rows of 16: u1 = 1 - first 8, u2 = last 8, glibc log/sin/cos."""
    radius = np.sqrt(-2.0 * glibc_log(1.0 - blocks[:, :8]))
    theta = (2.0 * math.pi) * blocks[:, 8:]
    out[:, :8] = fma64(radius * _cos(theta), std, mean)
    out[:, 8:] = fma64(radius * _sin(theta), std, mean)


def _box_muller_float32(blocks, out, mean, std, scratch):
    """Path (b) on rows of 16, all in float32, as PyTorch's AVX2 kernel computes it.

    u1 = the first 8 of a row, u2 = the last 8; out = (r cos θ, r sin θ) with
    r = sqrt(-2 log(1 - u1)), θ = 2π u2, each times std plus mean (one fma).
    The halves are worked on as flat arrays in ``scratch`` (see :class:`_Scratch`).
    """
    rows = len(blocks)
    x, theta = scratch.take(rows * 8, "x", "theta")
    np.subtract(np.float32(1.0), blocks[:, :8], out=x.reshape(rows, 8))
    np.multiply(np.float32(2.0 * math.pi), blocks[:, 8:], out=theta.reshape(rows, 8))
    radius = _cephes_log(x, scratch)
    radius *= np.float32(-2.0)
    np.sqrt(radius, out=radius)
    sin, cos = _cephes_sincos(theta, scratch)
    for values, half in ((cos, out[:, :8]), (sin, out[:, 8:])):
        values *= radius
        if std == 1:                          # fma(v, 1, mean) = v + mean, rounded once
            values += mean
        else:
            values = fma32(values, std, mean)
        half[...] = values.reshape(rows, 8)


def _u24_rows(words, scratch):
    """:func:`~chainrule._samplers.u24` of a chunk of words (rows of 16), in scratch."""
    masked, u = scratch.take(words.size, "uint64_masked", "u")
    np.bitwise_and(words.reshape(-1), np.uint64(0xFFFFFF), out=masked)
    np.copyto(u, masked, casting="same_kind")    # exact: fewer than 24 bits
    u *= np.float32(2.0**-24)
    return u.reshape(words.shape)
