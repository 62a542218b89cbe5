"""PyTorch's CPU random-number generator, rebuilt on NumPy bit for bit.

After ``chainrule.manual_seed(s)`` every random function gives exactly the numbers
that PyTorch 2.13 (CPU, x86-64) gives after ``torch.manual_seed(s)``. This file is
the array level: a :class:`Generator` that produces raw 32-bit words, and samplers
that turn those words into NumPy arrays the way PyTorch's kernels do, drawing the
same number of words in the same order. ``_random_ops.py`` wraps them in Tensors.

The engine
----------
PyTorch uses the 32-bit Mersenne Twister MT19937. NumPy ships the same engine as
``numpy.random.MT19937``, but seeds it differently, so we seed it ourselves:

* ``manual_seed(s)`` keeps ``s`` (wrapped to 64 bits) as ``initial_seed()``, but only
  its low 32 bits seed the engine, through the textbook recurrence
  ``mt[0] = s``, ``mt[j] = 1812433253 * (mt[j-1] ^ (mt[j-1] >> 30)) + j  (mod 2**32)``;
* we write that state into NumPy's engine with ``pos = 624`` ("twist before the next
  output"), after which ``random_raw`` returns PyTorch's stream word for word;
* a 64-bit draw is two 32-bit draws ``a, b`` read as ``(a << 32) | b``.

Two uniform numbers are made from the words, both exactly representable:

    u24 = (word & (2**24 - 1)) * 2**-24      float32 in [0, 1)   (one word)
    u53 = (word64 & (2**53 - 1)) * 2**-53    float64 in [0, 1)   (two words)

The samplers below (uniform, normal, integers, permutations, Bernoulli,
exponential, multinomial) each say which words they draw and how they turn them
into numbers. Where PyTorch's compiled code uses a fused multiply-add (one rounding
for ``a*b + c``) we emulate it exactly, because the last bit depends on it.

>>> g = Generator().manual_seed(0)
>>> g.random_u32(3)
array([2357136044, 2546248239, 3071714933], dtype=uint32)
>>> g.initial_seed()
0
"""
import math
import os

import numpy as np

from ._size import CPU as _CPU

# A brand-new ``torch.Generator()`` starts from this seed (PyTorch's constant).
FRESH_GENERATOR_SEED = 67280421310721

_MT_N = 624                       # words of Mersenne Twister state
_U64 = 2**64

# ``get_rng_state()`` returns these 5056 bytes: PyTorch's C struct, little-endian.
# The ``normal_x``/``normal_rho`` fields are left over from older versions (always 0).
STATE_LAYOUT = np.dtype([
    ("initial_seed", "<u8"),
    ("left", "<i4"),              # draws left before the next twist, 1..624
    ("seeded", "<i4"),            # always 1
    ("next", "<u8"),              # index of the next state word, 0..624
    ("mt", "<u8", (_MT_N,)),      # the 624 state words, widened to 64 bits
    ("normal_x", "<f8"),
    ("normal_y", "<f8"),          # the cached second Box-Muller value
    ("normal_rho", "<f8"),
    ("normal_is_valid", "<i4"),
    ("pad0", "V4"),
    ("float_normal", "<f4"),      # a float cache no CPU kernel uses any more
    ("float_normal_is_valid", "u1"),
    ("pad1", "V3"),
])
assert STATE_LAYOUT.itemsize == 5056


def mt19937_init(seed32):
    """The 624 state words MT19937 builds from a 32-bit seed (``init_genrand``)."""
    mt = [seed32 & 0xFFFFFFFF]
    for j in range(1, _MT_N):
        prev = mt[-1]
        mt.append((1812433253 * (prev ^ (prev >> 30)) + j) & 0xFFFFFFFF)
    return np.array(mt, dtype=np.uint32)


class Generator:
    """A random-number generator that gives PyTorch's CPU numbers.

    ``Generator(device='cpu')`` mirrors ``torch.Generator``. Pass it as
    ``generator=`` to any random function; without one, functions use
    ``default_generator`` (what ``chainrule.manual_seed`` seeds).

    >>> g = Generator()
    >>> g.initial_seed()
    67280421310721
    >>> g.manual_seed(-1).initial_seed()     # negative seeds wrap to 64 bits
    18446744073709551615
    """

    def __init__(self, device="cpu"):
        if str(device) != "cpu":
            raise RuntimeError(f"chainrule only has CPU generators, got device {device!r}")
        self.device = _CPU
        self._bits = np.random.MT19937()
        self.manual_seed(FRESH_GENERATOR_SEED)

    # ----------------------------------------------------------------- seeding
    def manual_seed(self, seed):
        """Seed the generator and return it (like ``torch.Generator.manual_seed``).

        ``int(seed)`` must lie in ``[-2**63, 2**64)``; negatives wrap (two's
        complement). Only the low 32 bits reach the engine, so ``manual_seed(5)``
        and ``manual_seed(2**32 + 5)`` give the same numbers.
        """
        seed = int(seed)                       # True -> 1, 3.7 -> 3, as in PyTorch
        if not -2**63 <= seed < _U64:
            raise ValueError("Overflow when unpacking long long")
        seed %= _U64
        self._initial_seed = seed
        self._load_engine(mt19937_init(seed), pos=_MT_N)
        self._fresh = True                     # "seeded, nothing drawn yet"
        self._next_double_normal = None        # Box-Muller's spare value
        self._next_float_normal = None
        return self

    def seed(self):
        """Seed from 8 bytes of ``os.urandom`` and return that seed."""
        seed = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(seed)
        return seed

    def initial_seed(self):
        """The 64-bit seed last given (or drawn by :meth:`seed`)."""
        return self._initial_seed

    def _load_engine(self, words, pos):
        state = {"key": np.asarray(words, dtype=np.uint32), "pos": int(pos)}
        self._bits.state = {"bit_generator": "MT19937", "state": state}

    # ------------------------------------------------------------------- draws
    def random_u32(self, n):
        """The next ``n`` 32-bit words of the stream, as ``uint32``."""
        if n:
            self._fresh = False
        return self._bits.random_raw(n).astype(np.uint32)

    def random_u64(self, n):
        """The next ``n`` 64-bit numbers; each is two words, the first one high."""
        if n:
            self._fresh = False
        words = self._bits.random_raw(2 * n)
        return (words[0::2] << np.uint64(32)) | words[1::2]

    # ------------------------------------------------------------------- state
    def _get_state_bytes(self):
        """PyTorch's 5056-byte state blob, as a ``uint8`` array."""
        engine = self._bits.state["state"]
        pos = engine["pos"]
        blob = np.zeros((), dtype=STATE_LAYOUT)
        blob["initial_seed"] = self._initial_seed
        # PyTorch counts (left, next); NumPy counts pos. They agree as
        # next = pos, left = 625 - pos, except that a fresh seed reads (1, 0).
        blob["left"], blob["next"] = (1, 0) if self._fresh else (625 - pos, pos)
        blob["seeded"] = 1
        blob["mt"] = engine["key"]
        if self._next_double_normal is not None:
            blob["normal_is_valid"] = 1
            blob["normal_y"] = self._next_double_normal
        if self._next_float_normal is not None:
            blob["float_normal_is_valid"] = 1
            blob["float_normal"] = self._next_float_normal
        return np.frombuffer(blob.tobytes(), dtype=np.uint8).copy()

    def _set_state_bytes(self, state):
        """Restore a blob from :meth:`_get_state_bytes` (or ``torch.get_rng_state``)."""
        state = np.ascontiguousarray(state, dtype=np.uint8).reshape(-1)
        if state.size != STATE_LAYOUT.itemsize:
            raise RuntimeError(
                f"Expected a CPUGeneratorImplState of size {STATE_LAYOUT.itemsize} but "
                f"found the input RNG state size to be {state.size}")
        blob = state.view(STATE_LAYOUT)[0]
        left = int(blob["left"])
        nxt = int(blob["next"]) & 0xFFFFFFFF   # PyTorch reads it as uint32
        if not (blob["seeded"] != 0 and 0 < left <= _MT_N and nxt <= _MT_N):
            raise RuntimeError("Invalid mt19937 state")
        # 64-bit words narrow to 32 bits, as PyTorch's std::copy does.
        words = blob["mt"].astype(np.uint32)
        self._load_engine(words, pos=_MT_N if left == 1 else nxt)
        self._fresh = left == 1 and nxt == 0
        self._initial_seed = int(blob["initial_seed"])
        self._next_double_normal = (
            float(blob["normal_y"]) if blob["normal_is_valid"] != 0 else None)
        self._next_float_normal = (
            np.float32(blob["float_normal"]) if blob["float_normal_is_valid"] else None)

    def get_state(self):
        """The state as a ``uint8`` Tensor (``torch.Generator.get_state``)."""
        from chainrule._tensor import Tensor   # late: the engine itself needs no Tensor
        return Tensor._make(self._get_state_bytes())

    def set_state(self, new_state):
        """Restore a state from :meth:`get_state`; returns the generator."""
        self._set_state_bytes(_state_tensor_bytes(new_state))
        return self


def _state_tensor_bytes(new_state):
    """The bytes of a state Tensor, with PyTorch's type errors."""
    data = getattr(new_state, "_data", None)
    if data is None:
        cls = type(new_state)
        raise TypeError(f"expected a torch.ByteTensor, but got {cls.__module__}.{cls.__name__}")
    if data.dtype != np.uint8:
        raise TypeError("RNG state must be a torch.ByteTensor")
    return data


# The generator every random function uses unless given ``generator=``.
# Like PyTorch's, it starts from a seed read from the OS.
default_generator = Generator()
default_generator.seed()


# =========================================================== exact float arithmetic
#
# PyTorch's kernels are compiled with fused multiply-adds: fma(a, b, c) = a*b + c
# rounded ONCE. NumPy has none, and "multiply, then add" rounds twice and differs
# in the last bit on a few percent of values, so we emulate fma exactly.

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
    a, b, c = (np.asarray(v, dtype=np.float64) for v in (a, b, c))
    product = a * b                       # exact
    shape = np.broadcast_shapes(product.shape, c.shape)
    s = np.atleast_1d(product + c)
    out = s.astype(np.float32)
    bits = s.view(np.uint64)
    # Halfway between float32s: the 29 mantissa bits float32 lacks read 1000...0.
    halfway = (bits & np.uint64(0x1FFFFFFF)) == np.uint64(0x10000000)
    # Below 2**-126 float32 is subnormal and its spacing is 2**-149 instead.
    tiny = (bits & np.uint64(0x7FF0000000000000)) < np.uint64((1023 - 126) << 52)
    if tiny.any():
        scaled = s[tiny] * 2.0**150               # halfway = odd multiple of 2**-150
        halfway[tiny] = (scaled == np.floor(scaled)) & (np.floor(scaled) % 2 == 1)
    if halfway.any():
        s_h = s[halfway]
        _, err = _two_sum(np.broadcast_to(product, s.shape)[halfway],
                          np.broadcast_to(c, s.shape)[halfway])
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

    >>> uniform(Generator().manual_seed(0), 3, np.float32)    # torch.rand(3) after seed 0
    array([0.4962566 , 0.7682218 , 0.08847743], dtype=float32)
    """
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        low_, high_ = np.float64(low), np.float64(high)
        value = fma64(u53(gen.random_u64(n)), high_ - low_, low_)
    else:       # float32 arithmetic; float16 is rounded from it at the end
        low_, high_ = np.float32(low), np.float32(high)
        value = fma32(u24(gen.random_u32(n)), high_ - low_, low_).astype(dtype)
        low_, high_ = dtype.type(low_), dtype.type(high_)
    value[value == high_] = low_
    return value


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

    >>> normal(Generator().manual_seed(0), 4, np.float32)     # torch.randn(4)
    array([ 1.5409961 , -0.2934289 , -2.1787894 ,  0.56843126], dtype=float32)
    """
    dtype = np.dtype(dtype)
    if n >= 16 and contiguous:
        if dtype == np.float64:
            return _normal_blocks(gen, n, lambda k: u53(gen.random_u64(k)),
                                  lambda d: _box_muller_float64(d, mean, std))
        mean32, std32 = np.float32(mean), np.float32(std)
        values = _normal_blocks(gen, n, lambda k: u24(gen.random_u32(k)),
                                lambda d: _box_muller_float32(d, mean32, std32),
                                fill_all_first=dtype != np.float16)
        return values.astype(dtype)       # float16 is rounded from the float32 result
    values = normal_one_at_a_time(gen, n, mean, std)
    if dtype == np.float16:               # C++ goes double -> float -> half
        values = values.astype(np.float32)
    return values.astype(dtype)


def normal_one_at_a_time(gen, n, mean=0.0, std=1.0):
    """Path (a), in float64: Box-Muller with the spare value cached in ``gen``.

    Each pair of draws u1, u2 (u53 each, u1 first) gives two values::

        r = sqrt(-2 log1p(-u2)),   θ = 2π u1,   z1 = r cos θ,   z2 = r sin θ

    and an output is ``fma(z, std, mean)``. z2 is kept for the next request, even by
    a later call with another dtype, mean or std; ``manual_seed`` forgets it.
    """
    out = np.empty(n)
    start = 0
    if n and gen._next_double_normal is not None:
        out[0] = fma64(gen._next_double_normal, std, mean)
        gen._next_double_normal = None
        start = 1
    pairs = (n - start + 1) // 2
    if pairs:
        u = u53(gen.random_u64(2 * pairs))
        u1, u2 = u[0::2], u[1::2]
        r = np.sqrt(-2.0 * _libm(math.log1p, -u2))
        theta = (2.0 * math.pi) * u1
        z = np.empty(2 * pairs)
        z[0::2] = r * _cos(theta)
        z[1::2] = r * _sin(theta)
        out[start:] = fma64(z[:n - start], std, mean)
        if 2 * pairs > n - start:             # an odd count leaves a spare behind
            gen._next_double_normal = float(z[-1])
    return out


_CHUNK = 1 << 15    # transform this many values at a time: the temporaries stay in
                    # cache and are reused, which is 3-5x faster than one huge pass


def _normal_blocks(gen, n, draw, transform, fill_all_first=True):
    """Paths (b) and (c): fill with uniforms, transform blocks of 16, redo the tail.

    float16 works through a 16-value buffer instead, so it never draws uniforms for
    the last ``n % 16`` slots before redoing the tail (``fill_all_first=False``).
    """
    full = n - n % 16
    values = draw(n if fill_all_first else full)
    out = np.empty(n, values.dtype)
    for start in range(0, full, _CHUNK):
        stop = min(start + _CHUNK, full)
        out[start:stop] = transform(values[start:stop].reshape(-1, 16)).ravel()
    if n % 16:
        out[n - 16:] = transform(draw(16).reshape(1, 16)).ravel()
    return out


def _box_muller_float64(blocks, mean, std):
    """Path (c) on rows of 16: u1 = 1 - first 8, u2 = last 8, glibc log/sin/cos."""
    radius = np.sqrt(-2.0 * _libm(math.log, 1.0 - blocks[:, :8]))
    theta = (2.0 * math.pi) * blocks[:, 8:]
    out = np.empty_like(blocks)
    out[:, :8] = fma64(radius * _cos(theta), std, mean)
    out[:, 8:] = fma64(radius * _sin(theta), std, mean)
    return out


def _box_muller_float32(blocks, mean, std):
    """Path (b) on rows of 16, all in float32, as PyTorch's AVX2 kernel computes it."""
    radius = np.sqrt(np.float32(-2.0) * _cephes_log(np.float32(1.0) - blocks[:, :8]))
    theta = np.float32(2.0 * math.pi) * blocks[:, 8:]
    sin, cos = _cephes_sincos(theta)
    out = np.empty_like(blocks)
    out[:, :8] = fma32(radius * cos, std, mean)
    out[:, 8:] = fma32(radius * sin, std, mean)
    return out


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


def _cephes_log(x):
    """Natural log of float32 x > 0, operation for operation as compiled (FMAs marked).

    Write x = m · 2**e with m in [√½, √2); then log x = e·log 2 + log m, where
    log(1 + t) = t - t²/2 + t³·P(t) and log 2 is split as q2 - q1 for accuracy.
    """
    one = np.float32(1.0)
    bits = np.maximum(x, np.float32(2.0**-126)).view(np.uint32)
    e = ((bits >> np.uint32(23)).astype(np.int32) - 127).astype(np.float32) + one
    m = ((bits & np.uint32(0x807FFFFF)) | np.uint32(0x3F000000)).view(np.float32)
    below = m < _SQRT_HALF                 # m in [0.5, 1): move it to [√½, √2)
    e = e - below.astype(np.float32)
    t = (m - one) + np.where(below, m, np.float32(0.0))
    z = t * t
    y = fma32(_LOG_P[0], t, _LOG_P[1])
    for coefficient in _LOG_P[2:]:
        y = fma32(y, t, coefficient)       # Horner, every step fused
    y = y * t
    y = fma32(y, z, e * _LOG_Q1)
    y = y - z * np.float32(0.5)
    return fma32(e, _LOG_Q2, t + y)


def _cephes_sincos(theta):
    """(sin θ, cos θ) of float32 θ >= 0, as compiled: reduce by π/4, two polynomials.

    j = the even integer nearest θ·4/π from above; x = θ - j·π/4 in three fused
    steps; then both polynomials in z = x², swapped and negated according to j.
    """
    j = (theta * _FOUR_OVER_PI).astype(np.int32)     # truncation, like cvttps
    j = (j + 1) & ~1
    y = j.astype(np.float32)
    x = fma32(y, _PI4_PARTS[0], theta)
    x = fma32(_PI4_PARTS[1], y, x)
    x = fma32(y, _PI4_PARTS[2], x)
    z = x * x
    c = fma32(_COS_P[0], z, _COS_P[1])
    c = fma32(c, z, _COS_P[2])
    c = z * c
    c = fma32(z, c, -(z * np.float32(0.5))) + np.float32(1.0)
    s = fma32(_SIN_P[0], z, _SIN_P[1])
    s = fma32(s, z, _SIN_P[2])
    s = fma32(x, z * s, x)
    swap = (j & 2) != 0
    # The kernel blends the two polynomials by adding a +0, which turns -0 into +0.
    sin = np.where(swap, c, s) + np.float32(0.0)
    cos = np.where(swap, s, c) + np.float32(0.0)
    sin = np.where((j & 4) != 0, -sin, sin)
    cos = np.where((~(j - 2) & 4) != 0, -cos, cos)
    return sin, cos


# ======================================================================= integers

def random_from_to(gen, n, span, low):
    """``low + word % span``: ``random_(from, to)`` and ``randint``, as int64.

    One 32-bit word per element, or one 64-bit number once ``span >= 2**28`` (the
    rule since PyTorch 2.7). Plain modulo (slightly biased), as in PyTorch; the sum
    wraps like C++'s 64-bit arithmetic.

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
      first. (Category i wins with probability p_i / sum(p).)
    * With replacement: per row, the running sums of probs (in its dtype) divided by
      their total, the last set to 1; each sample is one u53 and the first category
      whose running sum is >= u (a binary search).

    Ties in the race only arise between zero-probability categories (asked for once
    the others are used up); we order those by index, PyTorch by its partial sort.
    """
    rows = probs.shape[0]
    if not replacement or num_samples == 1:
        q = empty_like_layout(probs, probs.dtype)       # filled in probs' memory order
        write_in_memory_order(q, exponential(gen, probs.size, 1.0).astype(probs.dtype))
        order = np.argsort(-(probs / q), axis=1, kind="stable")
        return order[:, :num_samples].astype(np.int64)
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
