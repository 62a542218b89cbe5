"""nn.utils against PyTorch: gradient clipping and parameter/vector conversion."""
import warnings

import numpy as np
import pytest
import torch

import chainrule
from _compare import arrays, assert_same, same_error


def model_with_grads(lib, scale):
    torch.manual_seed(0)
    chainrule.manual_seed(0)
    m = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2))
    (x,) = arrays(1, (5, 3), scale=scale)
    m(lib.tensor(x)).pow(2).sum().backward()
    return m


@pytest.mark.parametrize("max_norm, norm_type", [(0.5, 2.0), (100.0, 2.0), (0.1, 1), (0.2,
                                                                                     float("inf"))])
def test_clip_grad_norm_matches_pytorch(max_norm, norm_type):
    mt, mc = model_with_grads(torch, 3.0), model_with_grads(chainrule, 3.0)
    nt = torch.nn.utils.clip_grad_norm_(mt.parameters(), max_norm, norm_type)
    nc = chainrule.nn.utils.clip_grad_norm_(mc.parameters(), max_norm, norm_type)
    assert_same(nt, nc, exact=False, rtol=1e-6)
    for pt, pc in zip(mt.parameters(), mc.parameters()):
        assert_same(pt.grad, pc.grad, exact=False, rtol=1e-5, atol=1e-7)


def test_clip_grad_norm_of_one_tensor_is_exact():
    g = np.array([3.0, 4.0], np.float32)
    results = []
    for lib in (torch, chainrule):
        w = lib.tensor(g, requires_grad=True)
        (w * w).sum().backward()
        results.append((lib.nn.utils.clip_grad_norm_(w, 1.0), w.grad))
    assert_same(results[0][0], results[1][0])
    assert_same(results[0][1], results[1][1])


def test_clip_grad_norm_nonfinite_and_empty():
    def run(L):
        w = L.tensor([1.0], requires_grad=True)
        (w * float("inf")).sum().backward()
        L.nn.utils.clip_grad_norm_([w], 1.0, error_if_nonfinite=True)
    same_error(lambda: run(torch), lambda: run(chainrule))
    for lib in (torch, chainrule):
        assert lib.nn.utils.clip_grad_norm_([], 1.0).item() == 0.0
    messages = []
    for lib in (torch, chainrule):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.nn.utils.clip_grad_norm_((p for p in []), 1.0)
        messages.append([str(m.message) for m in w])
    assert messages[0] == messages[1]


def test_clip_grad_value_matches_pytorch():
    mt, mc = model_with_grads(torch, 3.0), model_with_grads(chainrule, 3.0)
    torch.nn.utils.clip_grad_value_(mt.parameters(), 0.5)
    chainrule.nn.utils.clip_grad_value_(mc.parameters(), 0.5)
    for pt, pc in zip(mt.parameters(), mc.parameters()):
        assert_same(pt.grad, pc.grad, exact=False, rtol=1e-5, atol=1e-6)
        assert pc.grad.abs().max().item() <= 0.5


def test_parameters_to_vector_and_back():
    mt, mc = model_with_grads(torch, 1.0), model_with_grads(chainrule, 1.0)
    vt = torch.nn.utils.parameters_to_vector(mt.parameters())
    vc = chainrule.nn.utils.parameters_to_vector(mc.parameters())
    assert_same(vt, vc)
    assert vc.grad_fn.name() == vt.grad_fn.name()
    new = np.arange(vt.numel(), dtype=np.float32)
    torch.nn.utils.vector_to_parameters(torch.tensor(new), mt.parameters())
    chainrule.nn.utils.vector_to_parameters(chainrule.tensor(new), mc.parameters())
    for pt, pc in zip(mt.parameters(), mc.parameters()):
        assert_same(pt, pc)
        assert type(pc) is chainrule.nn.Parameter
    same_error(lambda: torch.nn.utils.vector_to_parameters([1.0], mt.parameters()),
               lambda: chainrule.nn.utils.vector_to_parameters([1.0], mc.parameters()))
