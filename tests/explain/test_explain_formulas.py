"""The formula table: each op's local derivative, written out, and its numbers autograd's.

Every case runs the same expression in chainrule (narrated by ``explain.backward``)
and in PyTorch: the gradient the narration sends to ``x`` must be PyTorch's, and
where the local derivative is one number per element, ``dL/d out × local`` must be
that gradient too (the chain rule, checked).
"""
import numpy as np
import pytest
import torch as reference

import chainrule as torch
from chainrule import explain

X = [[0.5, -1.5, 2.0], [-0.25, 1.0, 3.0]]
W = [1.0, -2.0, 0.5]

CASES = {   # name: (expression of (library, x), torch_name of the op, words of its formula)
    "abs": (lambda t, x: (x.abs() * x).sum(), "AbsBackward0", "sign(x)"),
    "clamp": (lambda t, x: (x.clamp(-1.0, 2.0) ** 2).sum(), "ClampBackward1",
              "(1 if -1.0 <= x <= 2.0 else 0)"),
    "clamp_min": (lambda t, x: (x.clamp(min=0.0) ** 2).sum(), "ClampBackward1",
                  "(1 if x >= 0.0 else 0)"),
    "softmax": (lambda t, x: (x.softmax(1) * t.tensor(W)).sum(), "SoftmaxBackward0",
                "s_i·(δ_ij - s_j)"),
    "log_softmax": (lambda t, x: (x.log_softmax(1) * t.tensor(W)).sum(),
                    "LogSoftmaxBackward0", "δ_ij - softmax(x)_j"),
    "view": (lambda t, x: (x.view(3, 2) ** 2).sum(), "ViewBackward0",
             "1 for every element (only the shape changes)"),
    "reshape": (lambda t, x: (x.t().reshape(6) ** 2).sum(), "UnsafeViewBackward0",
                "1 for every element"),
    "unsqueeze": (lambda t, x: (x.unsqueeze(0) ** 2).sum(), "UnsqueezeBackward0",
                  "only the shape changes"),
    "select": (lambda t, x: (x[1] ** 2).sum(), "SelectBackward0", "1 for the picked elements"),
    "slice": (lambda t, x: (x[:, 1:3] ** 2).sum(), "SliceBackward0", "1 for the picked"),
    "index": (lambda t, x: (x[t.tensor([1, 0, 1])] ** 2).sum(), "IndexBackward0",
              "1 for the picked"),
    "prelu": (lambda t, x: (t.nn.functional.prelu(x, t.tensor([0.25])) ** 2).sum(),
              "PreluKernelBackward0", "(1 if x > 0 else 0.25)"),
    "leaky_relu": (lambda t, x: (t.nn.functional.leaky_relu(x, 0.1) ** 2).sum(),
                   "LeakyReluBackward0", "(1 if x > 0 else 0.1)"),
    "cross_entropy": (lambda t, x: t.nn.functional.cross_entropy(x, t.tensor([2, 0])),
                      "NllLossBackward0", "-1/2 at each row's target class"),
    "binary_cross_entropy": (lambda t, x: t.nn.functional.binary_cross_entropy(
        x.sigmoid(), t.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])),
        "BinaryCrossEntropyBackward0", "(sigmoid(x) - "),
    "mse_loss": (lambda t, x: t.nn.functional.mse_loss(x, t.zeros(2, 3)), "MseLossBackward0",
                 "2·(x - "),
    "matmul_t": (lambda t, x: (x @ x.t()).sum(), "MmBackward0", "(on the right)"),
}


def narrated(name, lang="en"):
    make, torch_name, _ = CASES[name]
    x = torch.tensor(X, requires_grad=True)
    steps = explain.backward(make(torch, x), lang, quiet=True)
    return x, steps, [s for s in steps if getattr(s, "torch_name", "") == torch_name]


@pytest.mark.parametrize("name", sorted(CASES))
def test_local_derivative_is_written_and_autograds(name):
    make, torch_name, words = CASES[name]
    x, steps, found = narrated(name)
    assert found, f"no {torch_name} step"
    step = found[0]
    assert "(computed by the op's backward)" not in step.text
    assert words in step.text
    rx = reference.tensor(X, requires_grad=True)
    make(reference, rx).backward()
    np.testing.assert_allclose(x.grad.numpy(), rx.grad.numpy(), rtol=1e-5, atol=1e-7)
    for link in step.links:
        assert link.grad is not None
        if link.local_value is not None and link.broadcast_from is None:
            np.testing.assert_allclose(np.asarray(step.grad) * link.local_value, link.grad,
                                       rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", sorted(CASES))
def test_chinese_narration_has_the_same_lines(name):
    _, en, _ = narrated(name)
    _, zh, found = narrated(name, "zh")
    assert len(en.text.splitlines()) == len(zh.text.splitlines())
    assert "由该运算的 backward 算出" not in found[0].text
    assert "[" + CASES[name][1] + "，" in found[0].text      # '[AbsBackward0，绝对值]'


def test_scalar_worked_examples_multiply_numbers():
    w = torch.tensor(-3.0, requires_grad=True)
    y = w.abs() * 2.0
    text = explain.backward(y, quiet=True).text
    assert "local derivative: d(abs(w))/dw = sign(w) = sign(-3.0) = -1.0" in text
    assert "chain rule:       dy/dw = dy/d(abs(w)) · d(abs(w))/dw = 2.0 × (-1.0) = -2.0" in text
    v = torch.tensor(5.0, requires_grad=True)
    text = explain.backward(v.clamp(max=1.0) * 3.0, quiet=True).text
    assert "(1 if v <= 1.0 else 0) = (1 if 5.0 <= 1.0 else 0) = 0.0" in text


def test_a_negative_number_is_bracketed_once():
    # a call's own brackets suffice: abs(-3.0); in a product the number gets its own
    w = torch.tensor(-3.0, requires_grad=True)
    text = explain.backward(w.abs() * -2.0 + w.exp(), quiet=True).text
    assert "= abs(-3.0) * (-2.0) + exp(-3.0) = " in text
    assert "((-" not in text


def test_an_op_without_a_formula_gets_a_generic_line_in_both_languages():
    for lang, words in (("en", "(computed by the op's backward)"), ("zh", "(由该运算的 backward 算出)")):
        x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = x.cumsum(0).sum()
        steps = explain.backward(y, lang, quiet=True)
        step = [s for s in steps if getattr(s, "torch_name", "") == "CumsumBackward0"][0]
        assert words in step.text
        rx = reference.tensor([1.0, -2.0, 3.0], requires_grad=True)
        rx.cumsum(0).sum().backward()
        np.testing.assert_allclose(step.links[0].grad, rx.grad.numpy())
        assert explain.graph(x.cumsum(0)).root.label == "cumsum"
