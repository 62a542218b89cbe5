"""The op catalogue: every differentiable op of issue 2, with sample inputs, as plain data.

One row per op (or per way of calling it). The shared tests in ``tests/_ops/`` read
these rows and check each op three ways: forward values against PyTorch, gradients
against PyTorch and against numerical differences, second derivatives against PyTorch.

A row holds

* ``call(torch, *args)``: the op, written once. It is called with ``torch`` and again
  with ``chainrule`` in its place, since chainrule copies PyTorch's API;
* ``samples(draw)``: the sample inputs, drawn from a seeded ``Draw``. Each is a
  ``Sample``: its float NumPy arrays become tensors of the dtype under test (and
  require grad); integer and bool arrays become index and mask tensors; anything
  else (numbers, dims, slices) is passed as it is;
* ``dtypes``: the dtypes the op is checked in;
* ``exact``: PyTorch's forward values (and gradients) are reproduced bit for bit;
* ``grad``: the op is differentiable; ``double``: its gradient is differentiable too.

Samples cover broadcasting, 0-dim and empty tensors, non-contiguous inputs
(``T``: a transposed layout, ``strided``: every other element of a bigger array) and
the edges of each op's domain. Samples at a kink or a tie (relu at 0, equal maxima)
are marked ``edge``: the numerical gradient means nothing there, but PyTorch's
choice of gradient is still compared.
"""
from collections import namedtuple

import numpy as np

Op = namedtuple("Op", "name call samples dtypes exact grad double",
                defaults=(("float32", "float64"), False, True, True))
Sample = namedtuple("Sample", "args smooth")
Layout = namedtuple("Layout", "array how")       # how: "T" (transposed) or "strided"

FLOATS = ("float32", "float64")
WITH_INT = ("float32", "float64", "int64")


def s(*args):
    """A sample at which the op is smooth."""
    return Sample(args, True)


def edge(*args):
    """A sample at a kink, a tie or a domain edge (no numerical gradient there)."""
    return Sample(args, False)


def T(array):
    """``array``'s values in a transposed (non-contiguous) layout."""
    return Layout(array, "T")


def strided(array):
    """``array``'s values as every other element of a bigger array (non-contiguous)."""
    return Layout(array, "strided")


class Draw:
    """Sample values from a seeded NumPy generator."""

    def __init__(self, rng):
        self.rng = rng

    def x(self, *shape):
        """Standard normal values."""
        return np.asarray(self.rng.standard_normal(shape))

    def pos(self, *shape):
        """Positive values, in [0.5, 2]."""
        return np.asarray(self.rng.uniform(0.5, 2.0, shape))

    def away(self, *shape):
        """Values at least 0.5 away from zero (divisors)."""
        return self.pos(*shape) * self.rng.choice([-1.0, 1.0], shape)

    def tiny(self, *shape):
        """Positive values near zero, in [1e-3, 1e-2]."""
        return np.asarray(self.rng.uniform(1e-3, 1e-2, shape))

    def ties(self, *shape):
        """Values from {-1, 0, 1}: repeated values and exact zeros."""
        return np.asarray(self.rng.choice([-1.0, 0.0, 1.0], shape))

    def idx(self, high, *shape):
        """int64 indices in [0, high)."""
        return self.rng.integers(0, high, shape).astype(np.int64)

    def perm(self, n, *lead):
        """Rows of a permutation of range(n) along the last dim (indices without repeats)."""
        return np.stack([self.rng.permutation(n) for _ in range(int(np.prod(lead)))]
                        ).reshape(lead + (n,)).astype(np.int64)

    def mask(self, *shape):
        """A random bool mask."""
        return self.rng.random(shape) < 0.5


def binary(r, b=Draw.x):
    """Two-operand samples: broadcasting, 0-dim, empty, non-contiguous, Python scalars."""
    return [s(r.x(2, 3), b(r, 2, 3)), s(r.x(2, 3), b(r, 3)), s(r.x(3, 1), b(r, 1, 4)),
            s(r.x(), b(r, 2, 2)), s(r.x(2), b(r)), s(r.x(0, 3), b(r, 3)),
            s(T(r.x(3, 4)), b(r, 3, 4)), s(strided(r.x(2, 3)), b(r, 2, 1)),
            s(r.x(2, 3), float(b(r)))]


def unary(draw):
    """One-operand samples from ``draw``: 2-D, 0-dim, empty, non-contiguous."""
    return lambda r: [s(draw(r, 3, 4)), s(draw(r)), s(draw(r, 0, 2)), s(T(draw(r, 2, 3))),
                      s(strided(draw(r, 5)))]


def _setitem(torch, a, b, index):
    c = a.clone()
    c[index] = b
    return c


ARITHMETIC = [
    Op("add", lambda torch, a, b: a + b, binary, WITH_INT, exact=True),
    Op("add_alpha", lambda torch, a, b: torch.add(a, b, alpha=2), binary, exact=True),
    Op("radd", lambda torch, a: 1.5 + a, unary(Draw.x), exact=True),
    Op("sub", lambda torch, a, b: a - b, binary, WITH_INT, exact=True),
    Op("rsub", lambda torch, a: 1.5 - a, unary(Draw.x), exact=True),
    Op("mul", lambda torch, a, b: a * b, binary, WITH_INT, exact=True),
    Op("rmul", lambda torch, a: 3 * a, unary(Draw.x), WITH_INT, exact=True),
    Op("div", lambda torch, a, b: a / b, lambda r: binary(r, Draw.away), exact=True),
    Op("rdiv", lambda torch, a: 2 / a, unary(Draw.away), exact=True),
    Op("floordiv", lambda torch, a, b: a // b, lambda r: binary(r, Draw.away), WITH_INT,
       exact=True, grad=False),
    Op("remainder", lambda torch, a, b: a % b, lambda r: binary(r, Draw.away) + [
        edge(np.array([4.0, -4.0, 3.0, 0.0, -0.0, 1.0]), np.array([-2.0, 2.0, 1.5, -1.0, 1.0,
                                                                  np.inf]))], exact=True),
    Op("fmod", lambda torch, a, b: torch.fmod(a, b), lambda r: binary(r, Draw.away) + [
        edge(np.array([4.0, -4.0, 3.0, -0.0]), np.array([-2.0, 2.0, 1.5, 1.0]))], exact=True),
    Op("rremainder", lambda torch, a: 2.5 % a, unary(Draw.away), exact=True),
    Op("neg", lambda torch, a: -a, unary(Draw.x), WITH_INT, exact=True),
    Op("pow_2", lambda torch, a: a ** 2, unary(Draw.x), WITH_INT),
    Op("pow_3", lambda torch, a: a ** 3, unary(Draw.x), WITH_INT),
    Op("pow_neg", lambda torch, a: a ** -1.5, unary(Draw.pos)),
    Op("pow_half", lambda torch, a, p: a ** p, lambda r: [
        s(r.pos(3, 4), 0.5), s(r.pos(), 2.5), s(T(r.pos(2, 3)), -2),
        edge(np.array([-1.0, 0.0, 2.0]), 0.5), edge(np.array([-1.5, 0.0, 2.0]), 0),
        edge(np.array([-1.5, 0.0, 2.0]), 1), edge(np.array([0.0, 3.0]), -1)]),
    Op("pow_tensor", lambda torch, a, b: a ** b, lambda r: [
        s(r.pos(2, 3), r.x(2, 3)), s(r.pos(2, 3), r.x(3)), s(r.pos(), r.x(2)),
        s(T(r.pos(3, 2)), r.x(3, 2)), s(r.pos(0, 2), r.x(2)),
        edge(np.array([-2.0, -1.5, 0.0, 0.0, 0.0]), np.array([3.0, 2.0, 2.0, 0.0, -1.0]))]),
    Op("rpow", lambda torch, a: 2 ** a, unary(Draw.x)),
    Op("rpow_edge", lambda torch, a, b: b ** a, lambda r: [
        s(r.x(3), 0.5), edge(np.array([-1.0, 0.0, 2.0]), 0.0)]),
]

ELEMENTWISE = [
    Op("abs", lambda torch, a: a.abs(), lambda r: unary(Draw.x)(r) + [edge(r.ties(7))],
       WITH_INT, exact=True),
    Op("sign", lambda torch, a: torch.sign(a), lambda r: [s(r.x(3, 4)), edge(r.ties(7))],
       WITH_INT, exact=True),
    Op("floor", lambda torch, a: a.floor(), lambda r: unary(Draw.x)(r) + [
        edge(r.ties(5) * 1.5)], WITH_INT, exact=True),
    Op("ceil", lambda torch, a: torch.ceil(a), unary(Draw.x), WITH_INT, exact=True),
    Op("round", lambda torch, a: a.round(), lambda r: unary(Draw.x)(r) + [
        edge(np.array([0.5, 1.5, 2.5, -0.5]))], exact=True),
    Op("trunc", lambda torch, a: torch.trunc(a), unary(Draw.x), WITH_INT, exact=True),
    Op("exp", lambda torch, a: a.exp(), unary(Draw.x), WITH_INT),
    Op("log", lambda torch, a: a.log(), lambda r: unary(Draw.pos)(r) + [
        s(r.tiny(5)), edge(np.array([0.0, -1.0, 1.0]))], WITH_INT),
    Op("log2", lambda torch, a: torch.log2(a), lambda r: unary(Draw.pos)(r) + [s(r.tiny(4))]),
    Op("log10", lambda torch, a: torch.log10(a), lambda r: unary(Draw.pos)(r) + [s(r.tiny(4))]),
    Op("log1p", lambda torch, a: torch.log1p(a), lambda r: unary(Draw.pos)(r) + [
        s(r.tiny(4) - 1), s(r.tiny(4) * 1e-3), edge(np.array([-1.0, 0.0]))]),
    Op("expm1", lambda torch, a: torch.expm1(a), lambda r: unary(Draw.x)(r) + [
        s(r.tiny(4) * 1e-3)]),
    Op("sqrt", lambda torch, a: a.sqrt(), lambda r: unary(Draw.pos)(r) + [
        edge(np.array([0.0, 1.0, -1.0]))], WITH_INT),     # PyTorch's (MKL's) sqrt is 1 ulp off
    Op("rsqrt", lambda torch, a: torch.rsqrt(a), lambda r: unary(Draw.pos)(r) + [
        edge(np.array([0.0, 4.0]))]),
    Op("square", lambda torch, a: torch.square(a), unary(Draw.x), WITH_INT, exact=True),
    Op("reciprocal", lambda torch, a: torch.reciprocal(a), lambda r: unary(Draw.away)(r) + [
        edge(np.array([0.0, -0.0, 2.0]))], WITH_INT),
    Op("sin", lambda torch, a: a.sin(), unary(Draw.x), WITH_INT),
    Op("cos", lambda torch, a: a.cos(), unary(Draw.x), WITH_INT),
    Op("tan", lambda torch, a: a.tan(), unary(Draw.x)),
    Op("tanh", lambda torch, a: a.tanh(), lambda r: unary(Draw.x)(r) + [
        s(np.array([-30.0, 30.0, 1e-4]))], WITH_INT),
    Op("sigmoid", lambda torch, a: torch.sigmoid(a), lambda r: unary(Draw.x)(r) + [
        s(np.array([-100.0, 100.0, 0.0, 20.0]))], WITH_INT),
    Op("relu", lambda torch, a: torch.relu(a), lambda r: unary(Draw.x)(r) + [
        edge(r.ties(8))], WITH_INT, exact=True),
    Op("relu_method", lambda torch, a: a.relu(), lambda r: [edge(r.ties(2, 4))], exact=True),
    Op("clamp", lambda torch, a, lo, hi: a.clamp(lo, hi), lambda r: [
        s(r.x(3, 4), -0.5, 0.5), s(r.x(), -0.1, 0.1), s(T(r.x(2, 3)), -1, 1),
        s(r.x(0, 2), 0, 1), edge(r.ties(8), 0.0, 1.0), edge(r.x(5), 1.0, -1.0)], WITH_INT,
       exact=True),
    Op("clamp_min", lambda torch, a: torch.clamp(a, min=0.2), lambda r: [
        s(r.x(3, 4)), edge(np.array([0.2, 0.0, 1.0]))], exact=True),
    Op("clamp_max", lambda torch, a: a.clamp(max=0), lambda r: [
        s(r.x(3, 4)), edge(r.ties(6))], WITH_INT, exact=True),
    Op("clip", lambda torch, a: torch.clip(a, -1, 1), unary(Draw.x), exact=True),
    Op("clamp_min_fn", lambda torch, a: torch.clamp_min(a, 0.1), lambda r: [
        s(r.x(3, 4)), edge(np.array([0.1, 0.0, 1.0]))], exact=True),
    Op("clamp_max_fn", lambda torch, a: a.clamp_max(0.1), lambda r: [s(r.x(3, 4))], exact=True),
    Op("clamp_tensor", lambda torch, a, lo, hi: torch.clamp(a, lo, hi), lambda r: [
        s(r.x(3, 4), r.x(3, 4) - 1, r.x(3, 4) + 1), s(r.x(3, 4), r.x(4) - 1, r.x(3, 1) + 1),
        s(r.x(2, 2), r.x(2) - 1, r.x() + 1), edge(r.ties(6), r.ties(6), r.ties(6) + 0.5),
        edge(r.x(6), r.x(6) + 1, r.x(6) - 1)], exact=True),
    Op("clamp_tensor_min", lambda torch, a, lo: torch.clamp(a, min=lo), lambda r: [
        s(r.x(3, 4), r.x(4)), edge(r.ties(6), r.ties(6))], exact=True),
    Op("maximum", lambda torch, a, b: torch.maximum(a, b), lambda r: binary(r)[:-1] + [
        edge(r.ties(3, 4), r.ties(4))], WITH_INT, exact=True),
    Op("minimum", lambda torch, a, b: a.minimum(b), lambda r: binary(r)[:-1] + [
        edge(r.ties(3, 4), r.ties(4))], WITH_INT, exact=True),
    Op("where", lambda torch, c, a, b: torch.where(c, a, b), lambda r: [
        s(r.mask(2, 3), r.x(2, 3), r.x(2, 3)), s(r.mask(2, 3), r.x(3), r.x(2, 1)),
        s(r.mask(3), r.x(), r.x(2, 3)), s(r.mask(2, 3), r.x(2, 3), 0.0),
        s(r.mask(2, 3), 1.5, r.x(2, 3)), s(r.mask(0, 3), r.x(3), r.x(0, 3)),
        s(r.mask(3, 2), T(r.x(3, 2)), r.x(3, 2))], WITH_INT, exact=True),
    Op("where_method", lambda torch, c, a, b: a.where(c, b), lambda r: [
        s(r.mask(2, 3), r.x(2, 3), r.x(3))], exact=True),
    Op("lerp", lambda torch, a, b, w: torch.lerp(a, b, w), lambda r: [
        s(r.x(2, 3), r.x(2, 3), 0.3), s(r.x(2, 3), r.x(3), 0.7), s(r.x(), r.x(2), 1.0),
        s(T(r.x(3, 2)), r.x(3, 2), -0.5), s(r.x(0, 2), r.x(2), 0.5)]),
    Op("lerp_tensor", lambda torch, a, b, w: a.lerp(b, w), lambda r: [
        s(r.x(2, 3), r.x(2, 3), r.rng.uniform(0, 1, (2, 3))),
        s(r.x(2, 3), r.x(3), r.rng.uniform(0, 1, (3,))),
        s(r.x(3), r.x(3), r.rng.uniform(0, 1, ())),
        s(r.x(3), r.x(2, 3), np.array([0.0, 0.5, 1.0]))]),
]


def _reduce(r):
    return [s(r.x(3, 4)), s(r.x()), s(r.x(5)), s(T(r.x(2, 3, 4))), s(strided(r.x(2, 3)))]


REDUCTION = [
    Op("sum", lambda torch, a: a.sum(), lambda r: _reduce(r) + [s(r.x(0, 3))], WITH_INT,
       exact=False),
    Op("sum_dim", lambda torch, a, d, k: torch.sum(a, d, keepdim=k), lambda r: [
        s(r.x(3, 4), 1, False), s(r.x(3, 4), -2, True), s(r.x(2, 3, 4), (0, 2), False),
        s(T(r.x(2, 3, 4)), (-1, 0), True), s(r.x(0, 3), 0, False), s(r.x(), 0, True),
        s(r.x(2, 3), [], False)], WITH_INT),
    Op("mean", lambda torch, a: a.mean(), lambda r: _reduce(r) + [edge(r.x(0, 3))]),
    Op("mean_dim", lambda torch, a, d, k: a.mean(d, k), lambda r: [
        s(r.x(3, 4), 1, False), s(r.x(2, 3, 4), (0, 2), True), s(T(r.x(3, 4)), -1, False),
        s(r.x(), 0, False), edge(r.x(0, 3), 0, False)]),
    Op("var", lambda torch, a: a.var(), lambda r: _reduce(r)[:1] + _reduce(r)[2:] + [
        edge(r.x()), edge(r.x(1)), edge(np.ones(4))]),
    Op("var_dim", lambda torch, a, d, k, c: a.var(d, keepdim=k, correction=c), lambda r: [
        s(r.x(3, 4), 1, False, 1), s(r.x(3, 4), 0, True, 0), s(r.x(2, 3, 4), (0, 2), False, 2),
        s(T(r.x(3, 4)), -1, True, 1), s(r.x(3, 4), None, False, 0),
        edge(r.x(3, 1), 1, False, 1), edge(r.x(3, 2), 1, False, 3)]),
    Op("var_unbiased", lambda torch, a, d, u: torch.var(a, d, unbiased=u), lambda r: [
        s(r.x(3, 4), 1, False), s(r.x(3, 4), (0, 1), True)]),
    Op("std", lambda torch, a: a.std(), lambda r: _reduce(r)[:1] + _reduce(r)[2:] + [
        edge(r.x(1)), edge(np.ones(4))]),
    Op("std_dim", lambda torch, a, d, k, c: torch.std(a, d, keepdim=k, correction=c), lambda r: [
        s(r.x(3, 4), 1, False, 1), s(r.x(3, 4), 0, True, 0), s(r.x(2, 3, 4), (0, 2), False, 1),
        s(T(r.x(3, 4)), -1, False, 1), edge(np.ones((2, 3)), 1, False, 1)]),
    Op("std_unbiased", lambda torch, a, u: a.std(unbiased=u), lambda r: [
        s(r.x(3, 4), False), s(r.x(5), True)]),
    Op("prod", lambda torch, a: a.prod(), lambda r: _reduce(r)[:3] + [
        s(T(r.x(2, 3))), edge(np.array([1.5, 0.0, 2.0])), edge(np.array([0.0, 3.0, 0.0])),
        s(r.x(0, 2))], WITH_INT),
    Op("prod_dim", lambda torch, a, d, k: torch.prod(a, d, keepdim=k), lambda r: [
        s(r.x(3, 4), 1, False), s(r.x(3, 4), 0, True), s(T(r.x(3, 4)), -1, False),
        edge(np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 1.0], [1.0, 2.0, 3.0]]), 1, False),
        s(r.x(), 0, False)], WITH_INT),
    Op("amax", lambda torch, a, d, k: a.amax(d, k), lambda r: [
        s(r.x(3, 4), 1, False), s(r.x(3, 4), (), True), s(r.x(2, 3, 4), (0, 2), False),
        s(T(r.x(3, 4)), -1, True), edge(r.ties(3, 4), 1, False), edge(r.ties(3, 4), (), False),
        s(r.x(), 0, False)], WITH_INT, exact=True),
    Op("amin", lambda torch, a, d, k: torch.amin(a, d, k), lambda r: [
        s(r.x(3, 4), 0, False), edge(r.ties(3, 4), (0, 1), True)], WITH_INT, exact=True),
    Op("max", lambda torch, a: a.max(), lambda r: _reduce(r) + [edge(r.ties(3, 4))], WITH_INT,
       exact=True),
    Op("min", lambda torch, a: torch.min(a), lambda r: _reduce(r)[:2] + [edge(r.ties(3, 4))],
       WITH_INT, exact=True),
    Op("max_dim", lambda torch, a, d, k: a.max(d, keepdim=k), lambda r: [
        s(r.x(3, 4), 1, False), s(r.x(3, 4), 0, True), s(T(r.x(3, 4)), -1, False),
        s(r.x(), 0, False), edge(r.ties(3, 4), 1, False), s(r.x(0, 4), 1, False)], WITH_INT,
       exact=True),
    Op("min_dim", lambda torch, a, d: torch.min(a, d), lambda r: [
        s(r.x(3, 4), 1), s(strided(r.x(3, 4)), 0), edge(r.ties(3, 4), 0)], WITH_INT,
       exact=True),
    Op("argmax", lambda torch, a, d, k: a.argmax(d, k), lambda r: [
        s(r.x(3, 4), None, False), s(r.x(3, 4), 1, False), s(r.x(3, 4), 0, True),
        s(r.ties(3, 4), None, True), s(r.ties(3, 4), 1, False), s(r.x(), None, False)],
       WITH_INT, exact=True, grad=False),
    Op("argmin", lambda torch, a, d: torch.argmin(a, d), lambda r: [
        s(r.x(3, 4), None), s(r.ties(3, 4), 1), s(T(r.x(3, 4)), 0)], WITH_INT, exact=True,
       grad=False),
    Op("cumsum", lambda torch, a, d: a.cumsum(d), lambda r: [
        s(r.x(3, 4), 1), s(r.x(3, 4), 0), s(T(r.x(3, 4)), -1), s(r.x(), 0), s(r.x(0, 3), 1)],
       WITH_INT),
    Op("norm", lambda torch, a: a.norm(), lambda r: _reduce(r) + [edge(np.zeros(3))]),
    Op("norm_p", lambda torch, a, p, d, k: torch.norm(a, p, d, k), lambda r: [
        s(r.x(3, 4), 2, 1, False), s(r.x(3, 4), 1, None, False), s(r.x(3, 4), 3, 0, True),
        s(r.x(3, 4), float("inf"), 1, False), s(T(r.x(3, 4)), 2, (0, 1), False),
        edge(np.zeros((2, 3)), 2, 1, False), edge(r.ties(2, 3), float("inf"), None, False),
        edge(r.ties(2, 3), 1, 1, False)]),
    Op("logsumexp", lambda torch, a, d, k: a.logsumexp(d, k), lambda r: [
        s(r.x(3, 4), 1, False), s(r.x(3, 4), (0, 1), True), s(T(r.x(3, 4)), 0, False),
        s(np.array([[1000.0, 1000.0], [-1000.0, 0.0]]), 1, False), s(r.x(), 0, False),
        edge(np.array([-np.inf, 0.0]), 0, False)]),
    Op("softmax", lambda torch, a, d: torch.softmax(a, d), lambda r: [
        s(r.x(3, 4), 1), s(r.x(3, 4), 0), s(T(r.x(2, 3, 4)), -1), s(r.x(), 0),
        s(np.array([[1000.0, 0.0], [-1000.0, -999.0]]), 1), s(r.x(0, 3), 1)]),
    Op("log_softmax", lambda torch, a, d: a.log_softmax(d), lambda r: [
        s(r.x(3, 4), 1), s(r.x(3, 4), 0), s(T(r.x(2, 3, 4)), -1), s(r.x(), 0),
        s(np.array([[1000.0, 0.0], [-1000.0, -999.0]]), 1), s(r.x(0, 3), 1)]),
]

LINALG = [
    Op("matmul", lambda torch, a, b: a @ b, lambda r: [
        s(r.x(3), r.x(3)), s(r.x(3), r.x(3, 2)), s(r.x(2, 3), r.x(3)), s(r.x(2, 3), r.x(3, 4)),
        s(r.x(2, 2, 3), r.x(2, 3, 4)), s(r.x(2, 2, 3), r.x(3, 4)), s(r.x(2, 3), r.x(2, 3, 4)),
        s(r.x(3), r.x(2, 3, 4)), s(r.x(2, 2, 3), r.x(3)), s(r.x(2, 1, 2, 3), r.x(3, 3, 2)),
        s(T(r.x(3, 2)), strided(r.x(2, 4))), s(r.x(0, 3), r.x(3, 2)), s(r.x(2, 0), r.x(0, 3))]),
    Op("matmul_fn", lambda torch, a, b: torch.matmul(a, b), lambda r: [
        s(r.x(4, 2, 3), r.x(4, 3, 2))]),
    Op("mm", lambda torch, a, b: torch.mm(a, b), lambda r: [
        s(r.x(2, 3), r.x(3, 4)), s(T(r.x(2, 3)), T(r.x(3, 2))), s(r.x(1, 1), r.x(1, 5))]),
    Op("bmm", lambda torch, a, b: a.bmm(b), lambda r: [
        s(r.x(2, 2, 3), r.x(2, 3, 4)), s(T(r.x(2, 2, 3)), r.x(2, 3, 1))]),
    Op("mv", lambda torch, a, b: torch.mv(a, b), lambda r: [
        s(r.x(2, 3), r.x(3)), s(T(r.x(2, 4)), strided(r.x(4)))]),
    Op("dot", lambda torch, a, b: torch.dot(a, b), lambda r: [
        s(r.x(3), r.x(3)), s(strided(r.x(4)), r.x(4)), s(r.x(0), r.x(0))]),
    Op("outer", lambda torch, a, b: torch.outer(a, b), lambda r: [
        s(r.x(3), r.x(4)), s(r.x(1), r.x(0))], WITH_INT),
    Op("einsum", lambda torch, eq, *ops: torch.einsum(eq, *ops), lambda r: [
        s("ij,jk->ik", r.x(2, 3), r.x(3, 4)), s("bij,bjk->bik", r.x(2, 2, 3), r.x(2, 3, 2)),
        s("ij->ji", r.x(2, 3)), s("ij->", r.x(2, 3)), s("i,j->ij", r.x(2), r.x(3)),
        s("ij,ij->i", r.x(2, 3), T(r.x(2, 3))), s("ii->i", r.x(3, 3)), s("ii", r.x(3, 3)),
        s("ij,jk", r.x(2, 3), r.x(3, 2)), s("i,i->", r.x(4), r.x(4)),
        s("...j,j->...", r.x(2, 3), r.x(3)), s("b...,b->...", r.x(2, 3, 2), r.x(2)),
        s("iij->j", r.x(2, 2, 3)), s("ij,jk,kl->il", r.x(2, 3), r.x(3, 2), r.x(2, 2))]),
]

SHAPE = [
    Op("reshape", lambda torch, a, shape: a.reshape(shape), lambda r: [
        s(r.x(2, 3), (3, 2)), s(r.x(2, 3), (-1,)), s(T(r.x(2, 3)), (6,)), s(r.x(), (1, 1)),
        s(r.x(0, 3), (3, 0)), s(strided(r.x(4)), (2, 2))], WITH_INT, exact=True),
    Op("reshape_fn", lambda torch, a: torch.reshape(a, (2, -1)), lambda r: [
        s(r.x(4, 3)), s(T(r.x(3, 4)))], exact=True),
    Op("view", lambda torch, a: a.view(-1), lambda r: [s(r.x(2, 3)), s(r.x())], WITH_INT,
       exact=True),
    Op("view_shape", lambda torch, a: a.view(3, -1, 2), lambda r: [s(r.x(2, 3, 2))],
       exact=True),
    Op("view_as", lambda torch, a, b: a.view_as(b), lambda r: [s(r.x(6), r.x(2, 3))],
       exact=True),
    Op("flatten", lambda torch, a, s0, e: torch.flatten(a, s0, e), lambda r: [
        s(r.x(2, 3, 4), 0, -1), s(r.x(2, 3, 4), 1, 2), s(T(r.x(2, 3, 4)), 0, 1),
        s(r.x(), 0, -1), s(r.x(2, 3), 1, 1)], WITH_INT, exact=True),
    Op("squeeze", lambda torch, a: a.squeeze(), lambda r: [
        s(r.x(1, 3, 1)), s(r.x(1)), s(r.x(2, 3))], exact=True),
    Op("squeeze_dim", lambda torch, a, d: torch.squeeze(a, d), lambda r: [
        s(r.x(1, 3, 1), 0), s(r.x(1, 3, 1), -1), s(r.x(2, 3), 1), s(r.x(1, 3, 1), (0, 2)),
        s(r.x(), 0)], exact=True),
    Op("unsqueeze", lambda torch, a, d: a.unsqueeze(d), lambda r: [
        s(r.x(2, 3), 0), s(r.x(2, 3), -1), s(r.x(), 0), s(T(r.x(2, 3)), 1)], WITH_INT,
       exact=True),
    Op("transpose", lambda torch, a, d0, d1: a.transpose(d0, d1), lambda r: [
        s(r.x(2, 3), 0, 1), s(r.x(2, 3, 4), -1, 0), s(r.x(2, 3), 1, 1)], exact=True),
    Op("permute", lambda torch, a, dims: a.permute(*dims), lambda r: [
        s(r.x(2, 3, 4), (2, 0, 1)), s(r.x(2, 3), (-1, 0))], exact=True),
    Op("t", lambda torch, a: a.t(), lambda r: [s(r.x(2, 3)), s(r.x(3)), s(r.x())],
       exact=True),
    Op("T", lambda torch, a: a.T, lambda r: [s(r.x(2, 3)), s(T(r.x(3, 2))), s(r.x(3)),
                                             s(r.x(2, 3, 4)), s(r.x())], exact=True),
    Op("mT", lambda torch, a: a.mT, lambda r: [s(r.x(2, 3)), s(r.x(2, 3, 4)), s(r.x())],
       exact=True),
    Op("expand", lambda torch, a, shape: a.expand(*shape), lambda r: [
        s(r.x(3, 1), (3, 4)), s(r.x(3), (2, 3)), s(r.x(), (2, 2)), s(r.x(1, 3), (-1, 3)),
        s(r.x(2, 1), (2, 2, -1))], exact=True),
    Op("expand_as", lambda torch, a, b: a.expand_as(b), lambda r: [s(r.x(3, 1), r.x(3, 4))],
       exact=True),
    Op("repeat", lambda torch, a, reps: a.repeat(*reps), lambda r: [
        s(r.x(2, 3), (2, 1)), s(r.x(3), (2, 2)), s(r.x(2, 3), (1, 2, 3)), s(r.x(), (3,))],
       WITH_INT, exact=True),
    Op("flip", lambda torch, a, dims: torch.flip(a, dims), lambda r: [
        s(r.x(2, 3), (0,)), s(r.x(2, 3, 4), (0, 2)), s(T(r.x(2, 3)), (-1,))], exact=True),
    Op("narrow", lambda torch, a, d, start, n: a.narrow(d, start, n), lambda r: [
        s(r.x(4, 3), 0, 1, 2), s(r.x(4, 3), -1, 0, 3), s(r.x(4, 3), 1, -2, 1),
        s(r.x(4, 3), 0, 2, 0)], exact=True),
]

INDEXING = [
    Op("getitem", lambda torch, a, index: a[index], lambda r: [
        s(r.x(3, 4), 1), s(r.x(3, 4), -1), s(r.x(3, 4), (slice(None), slice(1, 3))),
        s(r.x(3, 4), (None, Ellipsis, 0)), s(r.x(3, 4), Ellipsis), s(r.x(3, 4), (1, 2)),
        s(r.x(3, 4), slice(None, None, 2)), s(r.x(3, 4), None),
        s(r.x(3, 4), np.array([0, 2, 0])), s(r.x(3, 4), (slice(None), np.array([[1], [3]]))),
        s(r.x(3, 4), r.mask(3, 4)), s(r.x(3, 4), r.mask(3)),
        s(r.x(3, 4), (np.array([0, 1]), slice(1, None))), s(r.x(3, 4), [0, 2]),
        s(T(r.x(4, 3)), 0), s(T(r.x(4, 3)), (slice(None), 1)), s(r.x(2, 3, 4), (Ellipsis, 1)),
        s(r.x(2, 3, 4), (0, slice(None), np.array([1, 1, 3])))], WITH_INT, exact=True),
    Op("setitem", _setitem, lambda r: [
        s(r.x(3, 4), r.x(4), 1), s(r.x(3, 4), r.x(), (slice(None), 2)),
        s(r.x(3, 4), r.x(2, 2), (slice(1, 3), slice(0, 2))),
        s(r.x(3, 4), r.x(2, 4), np.array([2, 0])), s(r.x(3, 4), r.x(), r.mask(3, 4)),
        s(r.x(3, 4), 0.5, (Ellipsis, 0))], WITH_INT, exact=True),
]

JOINING = [
    Op("cat", lambda torch, ts, d: torch.cat(ts, d), lambda r: [
        s([r.x(2, 3), r.x(1, 3)], 0), s([r.x(2, 3), T(r.x(2, 4)), r.x(2, 1)], 1),
        s([r.x(2), r.x(0)], -1), s((r.x(2, 3),), 0), s([r.x(0, 3), r.x(2, 3)], 0)], WITH_INT,
       exact=True),
    Op("stack", lambda torch, ts, d: torch.stack(ts, d), lambda r: [
        s([r.x(2, 3), r.x(2, 3)], 0), s([r.x(2, 3), T(r.x(2, 3))], 2), s([r.x(), r.x()], 0),
        s([r.x(3)], -1)], WITH_INT, exact=True),
    Op("split", lambda torch, a, size, d: a.split(size, d), lambda r: [
        s(r.x(5, 2), 2, 0), s(r.x(5, 2), [1, 4], 0), s(r.x(2, 6), 3, 1), s(r.x(4), 4, 0),
        s(r.x(3, 2), 5, 0), s(r.x(4), [0, 4], 0), s(r.x(0, 2), 2, 0), s(r.x(0, 2), 0, 0)],
       exact=True),
    Op("split_fn", lambda torch, a: torch.split(a, 2, dim=-1), lambda r: [
        s(r.x(3, 4)), s(T(r.x(3, 3)))], exact=True),
    Op("chunk", lambda torch, a, n, d: a.chunk(n, d), lambda r: [
        s(r.x(4, 2), 2, 0), s(r.x(5, 2), 3, 0), s(r.x(4, 2), 3, 0), s(r.x(6), 4, 0),
        s(r.x(2, 3), 5, 1), s(r.x(2, 1), 2, 1), s(r.x(0, 2), 3, 0), s(r.x(2, 0), 2, 1)],
       exact=True),
    Op("unbind", lambda torch, a, d: a.unbind(d), lambda r: [
        s(r.x(3, 2), 0), s(r.x(3, 2), 1), s(T(r.x(2, 3)), -1)], exact=True),
    Op("gather", lambda torch, a, d, idx: torch.gather(a, d, idx), lambda r: [
        s(r.x(3, 4), 1, r.idx(4, 3, 2)), s(r.x(3, 4), 0, r.idx(3, 2, 4)),
        s(r.x(3, 4), 1, r.idx(4, 2, 5)), s(T(r.x(4, 3)), -1, r.idx(3, 4, 3))], exact=True),
    Op("scatter", lambda torch, a, d, idx, b: a.scatter(d, idx, b), lambda r: [
        s(r.x(3, 4), 1, r.perm(4, 3)[:, :2], r.x(3, 2)), s(r.x(3, 4), 0, r.perm(3, 4).T[:2],
                                                            r.x(2, 4)),
        s(r.x(3, 4), 1, r.perm(4, 2)[:, :3], r.x(3, 4))], exact=True),
    Op("scatter_value", lambda torch, a, idx: torch.scatter(a, 1, idx, value=0.5), lambda r: [
        s(r.x(3, 4), r.idx(4, 3, 2))], exact=True),
    Op("scatter_add", lambda torch, a, idx, b: a.scatter_add(1, idx, b), lambda r: [
        s(r.x(3, 4), r.idx(4, 3, 2), r.x(3, 2))]),
    Op("index_select", lambda torch, a, d, idx: torch.index_select(a, d, idx), lambda r: [
        s(r.x(3, 4), 0, np.array([2, 0, 2])), s(r.x(3, 4), 1, r.idx(4, 5)),
        s(T(r.x(3, 4)), -1, np.array([1])), s(r.x(3), 0, np.array([], np.int64))],
       WITH_INT, exact=True),
    Op("masked_fill", lambda torch, a, m, v: a.masked_fill(m, v), lambda r: [
        s(r.x(3, 4), r.mask(3, 4), 0.0), s(r.x(3, 4), r.mask(4), -1.5),
        s(r.x(3, 4), r.mask(3, 4), r.x()), s(T(r.x(3, 4)), r.mask(3, 1), 2.0)], exact=True),
    Op("masked_select", lambda torch, a, m: a.masked_select(m), lambda r: [
        s(r.x(3, 4), r.mask(3, 4)), s(r.x(3, 4), r.mask(4)), s(r.x(4), r.mask(2, 4)),
        s(T(r.x(3, 4)), r.mask(3, 4))], exact=True),
    Op("take", lambda torch, a, i: torch.take(a, i), lambda r: [
        s(r.x(3, 4), r.idx(12, 5)), s(r.x(3, 4), np.array([[-1, 0], [0, 11]])),
        s(T(r.x(3, 4)), r.idx(12, 2, 3))], exact=True),
    Op("masked_fill_fn", lambda torch, a, m: torch.masked_fill(a, m, float("-inf")), lambda r: [
        edge(r.x(3, 4), r.mask(3, 4))], exact=True),
    Op("sort", lambda torch, a, d, desc: a.sort(d, desc), lambda r: [
        s(r.x(3, 4), -1, False), s(r.x(3, 4), 0, True), s(T(r.x(3, 4)), 1, True),
        s(r.x(), 0, False), s(r.x(0, 3), 1, False)], WITH_INT, exact=True),
    Op("sort_stable", lambda torch, a, desc: torch.sort(a, stable=True, descending=desc),
       lambda r: [edge(r.ties(3, 6), False), edge(r.ties(3, 6), True)], WITH_INT, exact=True),
    Op("topk", lambda torch, a, k, d, largest: a.topk(k, d, largest), lambda r: [
        s(r.x(3, 5), 2, -1, True), s(r.x(3, 5), 1, 0, False), s(T(r.x(4, 3)), 3, 1, True),
        s(r.x(5), 0, 0, True), s(r.x(), 1, 0, True)], exact=True),    # ties: PyTorch's order varies
]



def _compared(r):
    return [s(r.x(2, 3), r.x(3)), s(r.ties(2, 3), r.ties(2, 3)), s(r.ties(3), 0.0),
            s(r.x(), r.x(2)), s(T(r.ties(3, 2)), r.ties(3, 2)), s(r.x(0, 2), r.x(2))]


COMPARISON = [
    Op("eq", lambda torch, a, b: a == b, _compared, WITH_INT, exact=True, grad=False),
    Op("ne", lambda torch, a, b: torch.ne(a, b), _compared, WITH_INT, exact=True, grad=False),
    Op("lt", lambda torch, a, b: a < b, _compared, WITH_INT, exact=True, grad=False),
    Op("le", lambda torch, a, b: a.le(b), _compared, WITH_INT, exact=True, grad=False),
    Op("gt", lambda torch, a, b: torch.gt(a, b), _compared, WITH_INT, exact=True, grad=False),
    Op("ge", lambda torch, a, b: a >= b, _compared, WITH_INT, exact=True, grad=False),
    Op("isclose", lambda torch, a, b: torch.isclose(a, b), lambda r: [
        s(r.x(2, 3), r.x(3)), s(np.array([1.0, 1.0, np.nan]), np.array([1 + 1e-6, 1.1, np.nan]))],
       WITH_INT, exact=True, grad=False),
    Op("allclose", lambda torch, a, b: torch.allclose(a, b), lambda r: [
        s(r.x(2, 3), r.x(2, 3)), s(np.array([1.0, 2.0]), np.array([1.0 + 1e-6, 2.0]))],
       WITH_INT, exact=True, grad=False),
    Op("equal", lambda torch, a, b: torch.equal(a, b), lambda r: [
        s(r.ties(3), r.ties(3)), s(np.ones(2), np.ones(2)), s(np.ones(2), np.ones(3))],
       WITH_INT, exact=True, grad=False),
]

CATALOGUE = ARITHMETIC + ELEMENTWISE + REDUCTION + LINALG + SHAPE + INDEXING + JOINING + \
    COMPARISON
