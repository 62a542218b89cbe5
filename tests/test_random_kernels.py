"""The shortcuts that make chainrule's normal numbers fast, each proved exact.

``test_random.py`` compares whole calls with PyTorch. The fast routes inside
``_generator.py`` rest on claims about *every* input they can meet; these tests
check those claims over all of those inputs (or, where there are 2**53 of them,
over many), against the slow route that is exact by construction.
"""
import numpy as np
import pytest

from chainrule import _cephes, _normal
from chainrule import _generator as engine

ALL_U24 = np.arange(2**24, dtype=np.uint32)       # every word's low 24 bits


def _bits(x):
    return np.asarray(x, dtype=np.float32).view(np.uint32)


@pytest.mark.parametrize("part", range(4))
def test_cephes_log_needs_no_midpoint_repair_on_any_u24(part):
    """``_cephes_log(1 - u)`` with the quick fma equals it with an exact one, for all 2**24 u."""
    quick, exact = _cephes._Scratch(), _cephes._Scratch()
    for words in np.array_split(ALL_U24, 16)[part::4]:
        x = np.float32(1.0) - engine.u24(words)
        assert np.array_equal(_bits(_cephes._cephes_log(x, quick)),
                              _bits(_cephes._cephes_log(x, exact, fma=_cephes._fma_exact)))


@pytest.mark.parametrize("part", range(4))
def test_cephes_sincos_needs_no_midpoint_repair_on_any_u24(part):
    """``_cephes_sincos(2π u)`` likewise, for all 2**24 u."""
    quick, exact = _cephes._Scratch(), _cephes._Scratch()
    for words in np.array_split(ALL_U24, 16)[part::4]:
        theta = np.float32(2.0 * np.pi) * engine.u24(words)
        fast = _cephes._cephes_sincos(theta, quick)
        slow = _cephes._cephes_sincos(theta, exact, fma=_cephes._fma_exact)
        assert np.array_equal(_bits(fast[0]), _bits(slow[0]))
        assert np.array_equal(_bits(fast[1]), _bits(slow[1]))


def test_box_muller_in_python_floats_matches_the_array_route():
    """The scalar small-n route (math.log1p/cos/sin) equals the NumPy one, draw for draw."""
    few, many = engine.Generator().manual_seed(7), engine.Generator().manual_seed(7)
    for _ in range(300):                                   # 300 x 32 pairs
        fast = _normal._box_muller_few(few, _normal._FEW_PAIRS)
        slow = _normal._box_muller_many(many, _normal._FEW_PAIRS)
        assert np.array_equal(np.array(fast).view(np.uint64), slow.view(np.uint64))
    assert np.array_equal(few.random_u32(4), many.random_u32(4))


@pytest.mark.parametrize("n", [16, 17, 31, 100, 2**11 * 16 + 5, 2**11 * 16 * 3])
def test_chunked_blocks_equal_one_pass(n, monkeypatch):
    """Transforming in cache-sized chunks (and the tail with them) changes no value."""
    whole = engine.normal(engine.Generator().manual_seed(3), n, np.float32)
    monkeypatch.setattr(_normal, "_CHUNK_ROWS", 3)
    chunked = engine.normal(engine.Generator().manual_seed(3), n, np.float32)
    assert np.array_equal(_bits(whole), _bits(chunked))
