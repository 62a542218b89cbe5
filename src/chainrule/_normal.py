"""Normal numbers exactly as PyTorch 2.13 makes them on x86-64: three Box-Muller paths.

The uniform numbers come from ``_samplers.py`` (``u24``, ``u53``); the fused
multiply-adds and C-library calls that decide the last bit from ``_exact.py``.
"""
import math

import numpy as np

from ._exact import _cos, _libm, _sin, fma32, fma64
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
        values = _from_pairs_ahead(gen, n, dtype)
        if values is None:
            values = _path_a(gen, n, np.dtype(dtype), 0.0, 1.0)
            _note_small_draw(gen)
        return values
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
# Yet the words it will use next are drawn already: the rest of the generator's
# current block (see ``Generator._words``). So when a small N(0, 1) draw directly
# follows another, we turn every whole pair left in the block into z values in one
# NumPy pass, and serve this draw and the following ones by slicing. The cache,
# ``gen._normals_ahead = (block, start, z, z + 0 as float64, as float32)``, holds
# for pairs starting at word ``start`` of ``block``; any other draw moves the
# position off its grid of 4 words or to another block, and it is no longer used.
# It changes nothing but the speed.

def _from_pairs_ahead(gen, n, dtype):
    """``n`` N(0, 1) numbers of ``dtype`` from the pairs made ahead; None if unusable."""
    block, start, z, z64, z32 = gen._normals_ahead
    position = gen._next
    if block is not gen._block:
        return None
    if z is None:                         # a second small draw in a row: make them
        if start != position:
            return None
        block, start, z, z64, z32 = gen._normals_ahead = _pairs_ahead(gen)
    table = z32 if dtype is _FLOAT32 else z64 if dtype is _FLOAT64 else None
    offset = position - start
    if table is None or offset % 4:       # another draw moved us off the grid of pairs
        return None
    first = offset // 2                   # index in z of the next pair's first value
    spare = gen._next_double_normal
    if spare is not None:
        first -= 1                        # the spare must be the value just before it
    stop = first + n
    end = stop + stop % 2                 # pairs start at even indices: end of the last
    if first < 0 or end > len(z) or spare is not None and z[first] != spare:
        return None
    # Equal values give equal outputs: z + 0 is the same for 0.0 and -0.0.
    values = table[first:stop].copy()
    gen._next = start + 2 * end           # take the words of the pairs used, 4 per pair
    gen._fresh = False
    gen._next_double_normal = z[stop] if stop < end else None
    return values


def _pairs_ahead(gen):
    """The cache for ``gen``'s whole block, on the grid of 4 words its next word is on.

    It starts before the next word, so that it holds the pair the spare came from.
    """
    start = gen._next % 4
    rest = gen._block[start:]
    whole = len(rest) // 4 * 4
    z = _box_muller_array((rest[0:whole:2] << np.uint64(32)) | rest[1:whole:2])
    plus_zero = z + 0.0                   # fma(z, 1, 0), rounded once: -0.0 becomes 0.0
    return gen._block, start, z.tolist(), plus_zero, plus_zero.astype(np.float32)


def _note_small_draw(gen):
    """Mark where a small draw ended, so that a next one right here makes the cache."""
    if gen._normals_ahead[0] is not gen._block:
        gen._normals_ahead = (gen._block, gen._next, None, None, None)


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
    radius = np.sqrt(-2.0 * _libm(math.log, 1.0 - blocks[:, :8]))
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


class _Scratch:
    """Work arrays for path (b), made once per call and reused by every chunk.

    Written as plain expressions, path (b) would make about 80 temporary arrays per
    chunk; the C library hands such memory back to the system and faults it in
    again chunk after chunk, which costs more than the arithmetic. So each step
    writes into an array from here (``out=``), fetched by name: ``take(size, names)``.
    float32 values that feed an fma are held in float64 arrays (``*64``).
    """

    def __init__(self):
        self._arrays = {}

    def take(self, size, *names):
        arrays = []
        for name in names:
            dtype = (np.uint64 if name.startswith("uint64") else np.int32
                     if name.startswith("int") else np.float64 if name.endswith("64")
                     else np.float32)
            array = self._arrays.get(name)
            if array is None or len(array) < size:
                array = self._arrays[name] = np.empty(size, dtype)
            arrays.append(array[:size])
        return arrays


def _fma_rounded(a, b, c, out64, out32, keep64=True):
    """``out32 = float32(a*b + c)`` and ``out64`` the same value in float64.

    a, b, c hold float32 values (c must not be ``out64``). Their product is exact
    in float64; the sum is rounded to float64 and then to float32. That second
    rounding can only go wrong when the first lands exactly on a float32 midpoint,
    which never happens for the 2**24 inputs Box-Muller gives :func:`_cephes_log`
    and :func:`_cephes_sincos`: a test runs both with :func:`_fma_exact` on every
    one of them and compares bits. Four quick passes and no new arrays (three with
    ``keep64=False``, when only the float32 result is used next).
    """
    np.multiply(a, b, out=out64)
    np.add(out64, c, out=out64)
    np.copyto(out32, out64, casting="same_kind")      # round to float32 ...
    if keep64:
        np.copyto(out64, out32)                       # ... and hold it in float64


def _fma_exact(a, b, c, out64, out32, keep64=True):
    """:func:`_fma_rounded` by :func:`fma32`, exact by construction (for the tests)."""
    out32[...] = fma32(np.asarray(a, np.float32), np.asarray(b, np.float32),
                       np.asarray(c, np.float32))
    out64[...] = out32


def _f32(hex_bits):
    return np.uint32(int(hex_bits, 16)).view(np.float32)


# Cephes' single-precision constants (avx_mathfun.h), written as float32 bit patterns.
_LOG_P = [_f32(h) for h in ("3d9021bb bdebd1b8 3def251a bdfe5d4f 3e11e9bf "
                            "be2aae50 3e4cceac be7ffffc 3eaaaaaa").split()]
_LOG_Q1, _LOG_Q2, _SQRT_HALF = _f32("b95e8083"), _f32("3f318000"), _f32("3f3504f3")
_FOUR_OVER_PI = _f32("3fa2f983")
_PI4_PARTS = [_f32(h) for h in ("bf490000", "b97da000", "b3222169")]   # -π/4 in 3 parts
_COS_P = [_f32(h) for h in ("37ccf5ce", "bab6061a", "3d2aaaa5")]
_SIN_P = [_f32(h) for h in ("b94ca1f9", "3c08839e", "be2aaaa3")]


def _cephes_log(x, scratch, fma=_fma_rounded):
    """Natural log of float32 x = 1 - u24, operation for operation as compiled.

    Write x = m · 2**e with m in [√½, √2); then log x = e·log 2 + log m, where
    log(1 + t) = t - t²/2 + t³·P(t) and log 2 is split as q2 - q1 for accuracy.
    Each ``fma`` is a fused multiply-add in the kernel. Returns a scratch array.
    """
    n = len(x)
    e, m, t, z, y, tmp = scratch.take(n, "e", "m", "t", "z", "y", "tmp")
    e64, t64, z64, y64, tmp64 = scratch.take(n, "e64", "t64", "z64", "y64", "tmp64")
    exponent, = scratch.take(n, "int_exponent")
    bits = x.view(np.uint32)               # x >= 2**-24: no denormals to clamp
    np.right_shift(bits.view(np.int32), 23, out=exponent)
    exponent -= 126                        # the kernel's (bits >> 23) - 127, plus 1
    np.copyto(e, exponent, casting="same_kind")
    np.bitwise_and(bits, 0x807FFFFF, out=m.view(np.uint32))
    m.view(np.uint32)[...] |= 0x3F000000   # the mantissa, as a number in [0.5, 1)
    below = m < _SQRT_HALF                 # m < √½: use 2m and e - 1 instead
    e -= below
    np.subtract(m, np.float32(1.0), out=t)
    np.multiply(m, below, out=tmp)         # m or +0: the kernel's blend
    t += tmp                               # t = (m - 1) + m where below, else m - 1
    np.multiply(t, t, out=z)
    np.copyto(t64, t)
    np.copyto(z64, z)
    np.copyto(e64, e)
    fma(t64, _LOG_P[0], _LOG_P[1], y64, y)
    for coefficient in _LOG_P[2:-1]:
        fma(y64, t64, coefficient, y64, y)     # Horner, every step fused
    fma(y64, t64, _LOG_P[-1], y64, y, keep64=False)
    y *= t
    np.copyto(y64, y)
    np.multiply(e, _LOG_Q1, out=tmp)
    np.copyto(tmp64, tmp)
    fma(y64, z64, tmp64, y64, y, keep64=False)  # y = fma(y, z, e·q1)
    np.multiply(z, np.float32(0.5), out=tmp)
    y -= tmp
    np.add(t, y, out=tmp)
    np.copyto(tmp64, tmp)
    fma(e64, _LOG_Q2, tmp64, y64, y, keep64=False)   # log x = fma(e, q2, t + y)
    return y


def _cephes_sincos(theta, scratch, fma=_fma_rounded):
    """(sin θ, cos θ) of float32 θ = float32(2π) · u24, as compiled (scratch arrays).

    j = the even integer nearest θ·4/π from above; x = θ - j·π/4 in three fused
    steps; then both polynomials in z = x², swapped and negated according to j.
    """
    n = len(theta)
    x, z, c, s, tmp, sin, cos = scratch.take(n, "sx", "sz", "c", "s", "stmp", "sin", "cos")
    j64, theta64, x64, z64, c64, s64, tmp64 = scratch.take(
        n, "j64", "theta64", "x64", "z64", "c64", "s64", "tmp64")
    j, k = scratch.take(n, "int_j", "int_k")
    np.multiply(theta, _FOUR_OVER_PI, out=tmp)
    np.copyto(j, tmp, casting="unsafe")        # truncation, like cvttps
    j += 1
    j &= ~1
    np.copyto(j64, j)
    np.copyto(theta64, theta)
    fma(j64, _PI4_PARTS[0], theta64, x64, x)   # x = θ - j·π/4, in three parts
    fma(j64, _PI4_PARTS[1], x64, tmp64, x)
    fma(j64, _PI4_PARTS[2], tmp64, x64, x)
    np.multiply(x, x, out=z)
    np.copyto(z64, z)
    fma(z64, _COS_P[0], _COS_P[1], c64, c)     # cos: 1 - z/2 + z²·(...)
    fma(c64, z64, _COS_P[2], c64, c, keep64=False)
    c *= z
    np.copyto(c64, c)
    np.multiply(z, np.float32(-0.5), out=tmp)
    np.copyto(tmp64, tmp)
    fma(z64, c64, tmp64, c64, c, keep64=False)
    c += np.float32(1.0)
    fma(z64, _SIN_P[0], _SIN_P[1], s64, s)     # sin: x + x·z·(...)
    fma(s64, z64, _SIN_P[2], s64, s, keep64=False)
    s *= z
    np.copyto(s64, s)
    fma(x64, s64, x64, s64, s, keep64=False)
    # Where bit 1 of j is set, sin and cos swap polynomials. Like the kernel's blend,
    # and much faster than NumPy's where=, select bits with a mask of all ones.
    np.bitwise_and(j, 2, out=k)
    k >>= 1
    np.negative(k, out=k)                      # 0 or -1 (all 32 bits set)
    s_bits, c_bits = s.view(np.int32), c.view(np.int32)
    differ, = scratch.take(n, "int_differ")
    np.bitwise_xor(s_bits, c_bits, out=differ)
    differ &= k                                # s ^ c where swapping, else 0
    np.bitwise_xor(s_bits, differ, out=sin.view(np.int32))
    np.bitwise_xor(c_bits, differ, out=cos.view(np.int32))
    # The kernel blends the two polynomials by adding a +0, which turns -0 into +0.
    sin += np.float32(0.0)
    cos += np.float32(0.0)
    # Negate by flipping the sign bit (bit 31) where bit 2 of j (resp. ~(j - 2)) is set.
    np.bitwise_and(j, 4, out=k)
    k <<= 29
    sin.view(np.int32)[...] ^= k
    np.subtract(j, 2, out=k)
    np.invert(k, out=k)
    k &= 4
    k <<= 29
    cos.view(np.int32)[...] ^= k
    return sin, cos
