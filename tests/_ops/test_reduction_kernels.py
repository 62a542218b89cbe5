"""``sum`` and ``mean`` call NumPy's ufuncs directly (``np.add.reduce``), not ``np.sum``
and ``np.mean``: the same numbers as NumPy's own mean, bit for bit, and PyTorch's quiet
NaN for ``inf + (-inf)`` (through NumPy's Python layer its RuntimeWarning escaped).
"""
import itertools
import subprocess
import sys

import numpy as np
import pytest
import torch

import chainrule
from chainrule._ops.reduction import _count, _mean

SHAPES = [(1,), (3,), (7, 5), (2, 3, 4), (1, 1), (100,), (33, 65), (5, 1, 9)]


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_mean_is_numpys_mean_bit_for_bit(dtype):
    rng = np.random.default_rng(0)
    for shape in SHAPES:
        x = (rng.standard_normal(shape) * 10 ** rng.uniform(-3, 3, shape)).astype(dtype)
        axes = [None] + [c for r in range(1, len(shape) + 1)
                         for c in itertools.combinations(range(len(shape)), r)]
        for axis, keepdims in itertools.product(axes, (False, True)):
            mine = _mean(x, axis, keepdims, _count(x.shape, axis))
            numpy = np.mean(x, axis=axis, keepdims=keepdims)
            assert type(mine) is type(numpy) and np.shape(mine) == np.shape(numpy)
            assert np.asarray(mine).tobytes() == np.asarray(numpy).tobytes(), (shape, axis)


CASES = {
    "sum": "t.sum()",
    "mean": "t.mean()",
    "sum(0)": "t.view(2, 1).sum(0)",
    "mean(0, keepdim)": "t.view(2, 1).mean(0, keepdim=True)",
    "log_softmax": "t.log_softmax(0)",
}

# In a fresh process, as a learner's script runs: chainrule keeps NumPy's RuntimeWarnings
# raised in its own code quiet with a warnings filter set at import (pytest resets the
# filters around each test, so an in-process check would not see the script's state).
SCRIPT = """
import warnings, chainrule as torch
t = torch.tensor([float("inf"), float("-inf")])
with warnings.catch_warnings(record=True) as caught:
    out = {expr}
print(repr(out.tolist()), [str(w.message) for w in caught])
"""


@pytest.mark.parametrize("case", list(CASES))
def test_opposite_infinities_give_nan_quietly(case):
    done = subprocess.run([sys.executable, "-c", SCRIPT.format(expr=CASES[case])],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    t = torch.tensor([float("inf"), float("-inf")])
    expected = eval(CASES[case], {"t": t}).tolist()
    assert done.stdout.strip() == f"{expected!r} []"
