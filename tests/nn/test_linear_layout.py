"""``linear``'s forward computes a short batch as (W X^T)^T, which NumPy's BLAS does
faster; the values must be those of X W^T + b computed directly, bit for bit, on both
sides of that choice, and the errors PyTorch's.
"""
import numpy as np
import pytest
import torch

import chainrule
import chainrule.nn.functional as F

SHAPES = [(1, 3, 2), (2, 5, 7), (3, 17, 4), (8, 64, 9), (9, 64, 8), (31, 100, 33),
          (64, 784, 256), (64, 256, 256), (64, 256, 10), (100, 50, 100), (130, 70, 129),
          (255, 31, 256), (512, 784, 256)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_linear_is_the_direct_product_bit_for_bit(shape, dtype):
    n, k, m = shape
    rng = np.random.default_rng(n * 1000 + m)
    x, w, b = (rng.standard_normal(s).astype(dtype) for s in ((n, k), (m, k), (m,)))
    out = F.linear(chainrule.tensor(x), chainrule.tensor(w), chainrule.tensor(b))
    expected = np.matmul(x, w.T) + b
    assert out.numpy().flags.c_contiguous
    assert out.numpy().tobytes() == expected.tobytes()


@pytest.mark.parametrize("shape", SHAPES[:8], ids=str)
def test_linear_and_its_gradients_match_pytorch(shape):
    n, k, m = shape
    rng = np.random.default_rng(7)
    arrays = [rng.standard_normal(s) for s in ((n, k), (m, k), (m,))]

    def run(lib):
        x, w, b = (lib.tensor(a, requires_grad=True) for a in arrays)
        y = lib.nn.functional.linear(x, w, b)
        (y * y).sum().backward()
        return [t.detach().numpy() for t in (y, x.grad, w.grad, b.grad)]
    for mine, theirs in zip(run(chainrule), run(torch)):
        np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("n", [2, 6])                 # a short and a tall batch
def test_a_bias_that_would_grow_the_result_is_refused(n):
    def run(lib):
        return lib.nn.functional.linear(lib.ones(n, 3), lib.ones(4, 3), lib.ones(2, n, 4))
    with pytest.raises(RuntimeError) as theirs:
        run(torch)
    with pytest.raises(RuntimeError) as mine:
        run(chainrule)
    assert str(mine.value) == str(theirs.value)
