"""PyTorch's CPU random-number generator, rebuilt on NumPy bit for bit.

After ``chainrule.manual_seed(s)`` every random function gives exactly the numbers
that PyTorch 2.13 (CPU, x86-64) gives after ``torch.manual_seed(s)``. This file is
the array level: a :class:`Generator` that produces raw 32-bit words, which the
samplers turn into NumPy arrays the way PyTorch's kernels do, drawing the same
number of words in the same order. ``_random_ops.py`` wraps them in Tensors.

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

The samplers turn those words into NumPy arrays the way PyTorch's kernels do:
``_samplers.py`` (uniform, integers, permutations, Bernoulli, exponential,
multinomial), ``_normal.py`` (the three Box-Muller paths) and ``_exact.py`` (the
fused multiply-adds and C-library calls that fix the last bit). Their names can be
imported from here too.

>>> g = Generator().manual_seed(0)
>>> g.random_u32(3)
array([2357136044, 2546248239, 3071714933], dtype=uint32)
>>> g.initial_seed()
0
"""
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


def untemper(words):
    """MT19937's state words from the words it output: its tempering, undone.

    Each output is a state word ``y`` put through four invertible steps
    (``y ^= y >> 11``, ``y ^= (y << 7) & b``, ``y ^= (y << 15) & c``, ``y ^= y >> 18``);
    we undo them in reverse order. A shift by k is undone by applying it again
    until 32 bits are covered (``y ^= y >> 11`` needs ``>> 11`` and ``>> 22``).
    The 624 words of one twist give its whole state array.

    >>> g = Generator().manual_seed(0)
    >>> words = g._words(624)
    >>> bool((untemper(words) == g._engine().state["state"]["key"]).all())
    True
    """
    z = np.asarray(words).astype(np.uint32)
    z ^= z >> 18
    z ^= (z << 15) & 0xEFC60000           # bits it feeds from are not changed by it
    y = z.copy()
    for _ in range(4):                    # 7 more bits are right after each round
        y = z ^ ((y << 7) & 0x9D2C5680)
    return y ^ (y >> 11) ^ (y >> 22)


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
        self._bits = None                      # NumPy's engine, made at the first draw
        self._normals_ahead = (None, -1, None, 0, 0, 0) + (None,) * 5   # see _normal.py
        self._uniforms_ahead = (None, None)                               # see _samplers.py
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
        """Put the engine at word ``pos`` of the state ``words``, at the first draw.

        Until then the state waits in ``_pending`` and the block is empty, so that
        ``import chainrule`` needs neither ``numpy.random`` nor a twist.
        """
        self._pending = (np.asarray(words, dtype=np.uint32), int(pos))
        self._block = np.empty(0, dtype=np.uint64)
        self._next = 0
        self._block_list = None
        self._first_twist = None

    def _engine(self):
        """NumPy's MT19937 engine, loaded with the pending state if there is one."""
        if self._pending is not None:
            words, pos = self._pending
            self._pending = None
            if self._bits is None:
                self._bits = np.random.MT19937()
            state = {"key": words, "pos": pos}
            self._bits.state = {"bit_generator": "MT19937", "state": state}
            self._start_block(_MT_N - pos)
        return self._bits

    # ------------------------------------------------------------------- draws
    #
    # Words are taken from NumPy's engine a block at a time: it always stands at the
    # end of a twist (pos = 624), and the words of the current block not used yet
    # wait in ``_block[_next:]``. The engine's state array is then PyTorch's, and its
    # position is 624 minus the words left. A small draw is a slice of that block
    # (of a Python list, for the scalar routes), not a call into the engine.
    #
    # ``_read_ahead`` may append whole twists to the block, for _normal.py's cache of
    # normal numbers. Then ``_first_twist = (end, key)``: the words before ``end``
    # finish the twist whose state array is ``key`` (or, until asked for, whose 624
    # words ``key`` are), and each 624 words after it are a twist of their own, whose
    # state array is those words untempered (see :func:`untemper`).

    def _start_block(self, count, used=()):
        """Take the last ``count`` words of the engine's current block into ``_block``.

        ``used``: the block's earlier words, already handed out.
        """
        self._block = self._engine().random_raw(count)  # uint64 holding 32-bit words
        if len(used):
            self._block = np.concatenate((used, self._block))
        self._next = len(used)
        self._block_list = None                        # the same words, made on demand
        self._first_twist = None

    def _read_ahead(self, count):
        """Make ``_block`` hold at least ``count`` words from ``_next`` on.

        Whole twists are drawn from the engine and appended; the words already used
        are dropped. The stream is unchanged: this only draws early.
        """
        engine = self._engine()
        short = self._next + count - len(self._block)
        if short <= 0:
            return
        left = len(self._block) - self._next      # in the twist the next word is in
        if self._first_twist is None and len(self._block) >= _MT_N:
            # The block holds that whole twist: keep its words, untempered if asked.
            key = self._block[len(self._block) - _MT_N:]
        else:
            key, pos = self._twist_state()
            left = _MT_N - pos
        twists = engine.random_raw(-(-short // _MT_N) * _MT_N)
        self._block = np.concatenate((self._block[self._next:], twists))
        self._next = 0
        self._block_list = None
        self._first_twist = (left, key)

    def _twist_state(self):
        """``(key, pos)``: the state array of the twist the next word comes from, and
        the number of its words used (624 once all are, as in PyTorch)."""
        if self._first_twist is None:
            return self._engine().state["state"]["key"], _MT_N - (len(self._block) - self._next)
        end, key = self._first_twist
        if self._next <= end:
            if key.dtype == np.uint64:            # that twist's words, not yet untempered
                key = untemper(key)
                self._first_twist = (end, key)
            return key, _MT_N - (end - self._next)
        twist_end = end + -(-(self._next - end) // _MT_N) * _MT_N
        return untemper(self._block[twist_end - _MT_N:twist_end]), _MT_N - (twist_end - self._next)

    def _words(self, n):
        """The next ``n`` words as a ``uint64`` array (the engine's raw output)."""
        if n:
            self._fresh = False
        if self._pending is not None:
            self._engine()
        start, stop = self._next, self._next + n
        if stop <= len(self._block):
            self._next = stop
            return self._block[start:stop]
        head = self._block[start:]
        if stop - len(self._block) <= _MT_N:
            # Into the next block only (a small draw): draw that whole block at once.
            self._start_block(_MT_N)
            self._next = n - len(head)
            return np.concatenate((head, self._block[:self._next]))
        body = self._engine().random_raw(stop - len(self._block))
        used = len(body) % _MT_N                       # body's words in the block it ends in
        self._start_block(-used % _MT_N, used=body[len(body) - used:])
        return np.concatenate((head, body)) if len(head) else body

    def _words_list(self, n):
        """The next ``n`` words as a list of Python ints (quick for a few)."""
        if self._block_list is None:
            self._block_list = self._block.tolist()
        start, stop = self._next, self._next + n
        if stop <= len(self._block_list) and n:
            self._fresh = False
            self._next = stop
            return self._block_list[start:stop]
        return self._words(n).tolist()

    def random_u32(self, n):
        """The next ``n`` 32-bit words of the stream, as ``uint32``."""
        return self._words(n).astype(np.uint32)

    def random_u64(self, n):
        """The next ``n`` 64-bit numbers; each is two words, the first one high."""
        words = self._words(2 * n)
        return (words[0::2] << np.uint64(32)) | words[1::2]

    def random_u64_list(self, n):
        """:meth:`random_u64` as a list of Python ints (quicker for a handful)."""
        words = self._words_list(2 * n)
        return [(high << 32) | low for high, low in zip(words[0::2], words[1::2])]

    # ------------------------------------------------------------------- state
    def _get_state_bytes(self):
        """PyTorch's 5056-byte state blob, as a ``uint8`` array."""
        key, pos = self._twist_state()
        blob = np.zeros((), dtype=STATE_LAYOUT)
        blob["initial_seed"] = self._initial_seed
        # PyTorch counts (left, next); NumPy counts pos. They agree as
        # next = pos, left = 625 - pos, except that a fresh seed reads (1, 0).
        blob["left"], blob["next"] = (1, 0) if self._fresh else (625 - pos, pos)
        blob["seeded"] = 1
        blob["mt"] = key
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


# The samplers live in their own chapters. They are imported here too, so that
# ``_generator.normal``, ``_generator.fma32`` and friends keep working.
from ._exact import fma32, fma64  # noqa: E402,F401
from ._normal import normal, normal_one_at_a_time, small_standard_normal  # noqa: E402,F401
from ._samplers import (  # noqa: E402,F401
    _randperm_inside_out, bernoulli_scalar, bernoulli_tensor, dropout_mask, empty_like_layout,
    exponential, memory_axes, multinomial, random_bits, random_from_to, random_full_range,
    randperm, small_unit_uniform32, u24, u53, uniform, write_in_memory_order)
