"""PyTorch's float32 log and sincos (Cephes' polynomials, as its AVX2 kernel runs them).

Path (b) of ``normal_`` (see ``_normal.py``) turns uniform float32 numbers into normal
ones with ``r = sqrt(-2 log(1 - u1))``, ``θ = 2π u2`` and ``r cos θ``, ``r sin θ``. PyTorch
computes log, sin and cos there with Cephes-style polynomials in float32 (avx_mathfun.h),
every multiply-add fused. To give its bits we repeat those steps one by one, on whole
arrays: this chapter. Each fused multiply-add is done in float64, where the product of
two float32 numbers is exact (see :func:`_fma_rounded`).
"""
import numpy as np

from ._exact import fma32


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
