"""``optim._functional``: the fused multiply-add that the update rules are built on."""
import numpy as np
import pytest

from chainrule.optim import _functional as F


def _exact_fma32(a, b, c):
    """a*b + c rounded once to float32, from exact rational arithmetic."""
    from fractions import Fraction
    out = [np.float32(float(Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z))))
           for x, y, z in np.broadcast(a, b, c)]
    return np.array(out, np.float32).reshape(np.broadcast_shapes(np.shape(a), np.shape(b),
                                                                 np.shape(c)))


@pytest.mark.parametrize("scalar_first", [True, False])
def test_fma_float32_rounds_once(scalar_first):
    rng = np.random.RandomState(0)
    x = rng.standard_normal(500).astype(np.float32)
    g = rng.standard_normal(500).astype(np.float32)
    a = np.float32(-0.01)
    expected = _exact_fma32(a, g, x)
    got = F.fma(a, g, x) if scalar_first else F.fma(g, a, x)
    assert got.dtype == np.float32 and np.array_equal(got, expected)
    out = x.copy()
    assert F.fma(a, g, out, out=out) is out and np.array_equal(out, expected)
    y = x.copy()
    F.add_(y, g, alpha=-0.01)
    assert np.array_equal(y, expected)


def test_fma_float32_arrays_and_scalars():
    rng = np.random.RandomState(1)
    a, b, c = (rng.standard_normal(50).astype(np.float32) for _ in range(3))
    assert np.array_equal(F.fma(a, b, c), _exact_fma32(a, b, c))
    s = F.fma(np.float32(0.1), np.float32(3.0), np.float32(1.0))
    assert s.dtype == np.float32 and s == _exact_fma32(np.float32(0.1), np.float32(3.0),
                                                       np.float32(1.0))[()]
