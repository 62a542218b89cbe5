"""Normal numbers exactly as PyTorch 2.13 makes them on x86-64: three Box-Muller paths.

The uniform numbers come from ``_samplers.py`` (``u24``, ``u53``); the fused
multiply-adds and C-library calls that decide the last bit from ``_exact.py``.
"""
import math

import numpy as np

from ._exact import _cos, _libm, _sin, fma32, fma64
from ._samplers import _CHUNK, _MASK53, u24, u53


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
    dtype = np.dtype(dtype)
    if n >= 16 and contiguous:
        if dtype == np.float64:
            def transform(words, out):
                _box_muller_float64(u53(words), out, mean, std)
            return _normal_blocks(n, gen.random_u64, np.float64, transform)
        mean32, std32 = np.float32(mean), np.float32(std)

        def transform(words, out):
            _box_muller_float32(u24(words), out, mean32, std32)
        values = _normal_blocks(n, gen.random_u32, np.float32, transform,
                                fill_all_first=dtype != np.float16)
        return values.astype(dtype, copy=False)   # float16 is rounded from float32
    values = normal_one_at_a_time(gen, n, mean, std)
    if dtype == np.float16:               # C++ goes double -> float -> half
        values = values.astype(np.float32)
    return values.astype(dtype, copy=False)


def normal_one_at_a_time(gen, n, mean=0.0, std=1.0):
    """Path (a), in float64: Box-Muller with the spare value cached in ``gen``.

    Each pair of draws u1, u2 (u53 each, u1 first) gives two values::

        r = sqrt(-2 log1p(-u2)),   θ = 2π u1,   z1 = r cos θ,   z2 = r sin θ

    and an output is ``fma(z, std, mean)``. z2 is kept for the next request, even by
    a later call with another dtype, mean or std; ``manual_seed`` forgets it.
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
    if std == 1:                          # fma(z, 1, mean) rounds once anyway
        return np.add(z, np.float64(mean), dtype=np.float64)
    return fma64(np.asarray(z, dtype=np.float64), std, mean)


_FEW_PAIRS = 32     # up to here Python floats beat NumPy's per-call overhead


def _box_muller_few(gen, pairs):
    """Path (a)'s z values for a few pairs, as a list: plain Python floats.

    ``math.log1p``, ``math.cos`` and ``math.sin`` are the C library's, as in PyTorch.
    """
    numbers = gen.random_u64_list(2 * pairs)
    z = []
    for i in range(0, 2 * pairs, 2):
        u1 = (numbers[i] & _MASK53) * 2.0**-53
        u2 = (numbers[i + 1] & _MASK53) * 2.0**-53
        r = math.sqrt(-2.0 * math.log1p(-u2))
        theta = (2.0 * math.pi) * u1
        z += (r * math.cos(theta), r * math.sin(theta))
    return z


def _box_muller_many(gen, pairs):
    """The same z values for many pairs, as an array (log1p still from the C library)."""
    u = u53(gen.random_u64(2 * pairs))
    r = np.sqrt(-2.0 * _libm(math.log1p, -u[1::2]))
    theta = (2.0 * math.pi) * u[0::2]
    z = np.empty(2 * pairs)
    z[0::2] = r * _cos(theta)
    z[1::2] = r * _sin(theta)
    return z


_CHUNK_ROWS = _CHUNK // 8      # blocks of 16 per transform: 2**14 values of u1 and u2


def _normal_blocks(n, draw, dtype, transform, fill_all_first=True):
    """Paths (b) and (c): fill with uniforms, transform blocks of 16, redo the tail.

    ``draw(k)`` gives the words for k uniforms; ``transform(words, out)`` turns rows
    of 16 into normal numbers, a cache-sized chunk at a time. The tail's 16 fresh
    uniforms are drawn after the fill, so they can join the other blocks in the same
    pass; their results then overwrite the last 16 slots. float16 works through a
    16-value buffer instead, so it never draws uniforms for the last ``n % 16``
    slots (``fill_all_first=False``).
    """
    full = n - n % 16
    words = draw(n if fill_all_first else full)
    if n % 16:
        words = np.concatenate([words[:full], draw(16)])
    blocks = words.reshape(-1, 16)
    out = np.empty(blocks.shape, dtype)
    for start in range(0, len(blocks), _CHUNK_ROWS):
        rows = slice(start, start + _CHUNK_ROWS)
        transform(blocks[rows], out[rows])
    out = out.reshape(-1)
    if n % 16:
        out[n - 16:n] = out[full:]        # the redone tail overwrites the last 16
    return out[:n]


def _box_muller_float64(blocks, out, mean, std):
    """Path (c) on rows of 16: u1 = 1 - first 8, u2 = last 8, glibc log/sin/cos."""
    radius = np.sqrt(-2.0 * _libm(math.log, 1.0 - blocks[:, :8]))
    theta = (2.0 * math.pi) * blocks[:, 8:]
    out[:, :8] = fma64(radius * _cos(theta), std, mean)
    out[:, 8:] = fma64(radius * _sin(theta), std, mean)


def _box_muller_float32(blocks, out, mean, std):
    """Path (b) on rows of 16, all in float32, as PyTorch's AVX2 kernel computes it."""
    radius = _cephes_log(np.float32(1.0) - blocks[:, :8])
    radius *= np.float32(-2.0)
    np.sqrt(radius, out=radius)
    sin, cos = _cephes_sincos(np.float32(2.0 * math.pi) * blocks[:, 8:])
    cos *= radius
    sin *= radius
    out[:, :8] = fma32(cos, std, mean)
    out[:, 8:] = fma32(sin, std, mean)


def _fma32_inputs_u24(a, b, c):
    """float32 ``a*b + c`` rounded once, *without* :func:`fma32`'s midpoint repair.

    The float64 sum of the exact product and c is rounded to float32 straight away.
    That is wrong only if the float64 sum was itself rounded onto a float32
    midpoint, which never happens inside :func:`_cephes_log` and
    :func:`_cephes_sincos` for the 2**24 inputs Box-Muller can give them (u24
    values): a test runs both functions with :func:`fma32` on every one of them and
    compares bits. Two passes instead of about ten.
    """
    product = np.multiply(a, b, dtype=np.float64)             # exact
    return np.add(product, c, out=np.empty(product.shape, np.float32))


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


def _cephes_log(x, fma=_fma32_inputs_u24):
    """Natural log of float32 x > 0, operation for operation as compiled (FMAs marked).

    Write x = m · 2**e with m in [√½, √2); then log x = e·log 2 + log m, where
    log(1 + t) = t - t²/2 + t³·P(t) and log 2 is split as q2 - q1 for accuracy.
    ``x`` must be 1 - u24 (see :func:`_fma32_inputs_u24`) unless ``fma=fma32``.
    """
    one = np.float32(1.0)
    bits = np.maximum(x, np.float32(2.0**-126)).view(np.uint32)
    e = ((bits >> np.uint32(23)).astype(np.int32) - 127).astype(np.float32) + one
    m = ((bits & np.uint32(0x807FFFFF)) | np.uint32(0x3F000000)).view(np.float32)
    below = m < _SQRT_HALF                 # m in [0.5, 1): move it to [√½, √2)
    e -= below
    t = (m - one) + m * below              # m * False is +0, like the kernel's blend
    z = t * t
    t64 = t.astype(np.float64)             # t is a factor of 9 fmas: convert it once
    y = fma(_LOG_P[0], t64, _LOG_P[1])
    for coefficient in _LOG_P[2:]:
        y = fma(y, t64, coefficient)       # Horner, every step fused
    y *= t
    y = fma(y, z, e * _LOG_Q1)
    y -= z * np.float32(0.5)
    return fma(e, _LOG_Q2, t + y)


def _cephes_sincos(theta, fma=_fma32_inputs_u24):
    """(sin θ, cos θ) of float32 θ >= 0, as compiled: reduce by π/4, two polynomials.

    j = the even integer nearest θ·4/π from above; x = θ - j·π/4 in three fused
    steps; then both polynomials in z = x², swapped and negated according to j.
    ``θ`` must be float32(2π) · u24 (see :func:`_fma32_inputs_u24`) unless ``fma=fma32``.
    """
    j = (theta * _FOUR_OVER_PI).astype(np.int32)     # truncation, like cvttps
    j += 1
    j &= ~1
    y = j.astype(np.float64)               # exact; float64 saves fma a conversion
    x = fma(y, _PI4_PARTS[0], theta)
    x = fma(_PI4_PARTS[1], y, x)
    x = fma(y, _PI4_PARTS[2], x)
    z = x * x
    z64 = z.astype(np.float64)
    c = fma(_COS_P[0], z64, _COS_P[1])
    c = fma(c, z64, _COS_P[2])
    c *= z
    c = fma(z64, c, -(z * np.float32(0.5)))
    c += np.float32(1.0)
    s = fma(_SIN_P[0], z64, _SIN_P[1])
    s = fma(s, z64, _SIN_P[2])
    s = fma(x, z * s, x)
    swap = (j & 2) != 0
    # The kernel blends the two polynomials by adding a +0, which turns -0 into +0.
    sin = np.where(swap, c, s)
    cos = np.where(swap, s, c)
    sin += np.float32(0.0)
    cos += np.float32(0.0)
    # Negate by flipping the sign bit (bit 31) where bit 2 of j (resp. ~(j - 2)) is set.
    sin.view(np.int32)[...] ^= (j & 4) << 29
    cos.view(np.int32)[...] ^= (~(j - 2) & 4) << 29
    return sin, cos
