"""explain.step: each parameter's update written out, then applied (checked against PyTorch)."""
import numpy as np
import pytest
import torch as real_torch

import chainrule as torch
from chainrule import explain


def seed_002_after_backward():
    w = torch.tensor(1.0, requires_grad=True)
    x, y = 2.0, 4.0
    l = (w * x - y) ** 2
    l.backward()
    return w


def test_sgd_step_is_the_seed_documents_line(capsys):
    w = seed_002_after_backward()
    records = explain.step(torch.optim.SGD([w], lr=0.1))
    assert capsys.readouterr().out == (
        "SGD step (lr = 0.1): w <- w - lr · w.grad\n"
        "  w = 1.0 - 0.1 × (-8.0) = 1.8\n")
    (update,) = records
    assert update.name == "w" and update.rule == "sgd"
    assert update.grad == -8.0 and update.predicted == pytest.approx(1.8)
    assert w.item() == pytest.approx(1.8)                    # and the step was applied
    assert update.after == pytest.approx(update.predicted)


def test_sgd_step_in_chinese(capsys):
    w = seed_002_after_backward()
    explain.step(torch.optim.SGD([w], lr=0.1), lang="zh")
    assert capsys.readouterr().out == (
        "SGD 更新（学习率 lr = 0.1）：w <- w - lr · w.grad\n"
        "  w = 1.0 - 0.1 × (-8.0) = 1.8\n")


def _train(lib, make_opt, steps, explain_it):
    """A few steps of a 2-parameter least-squares fit with ``lib`` (chainrule or torch)."""
    w = lib.tensor([1.0, -2.0], requires_grad=True)
    b = lib.tensor(0.5, requires_grad=True)
    opt = make_opt(lib, [w, b])
    records = []
    for _ in range(steps):
        opt.zero_grad()
        x = lib.tensor([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]])
        loss = ((x @ w + b - lib.tensor([1.0, 0.0, 2.0])) ** 2).mean()
        loss.backward()
        if explain_it:
            records.append(explain.step(opt, quiet=True))
        else:
            opt.step()
    return w.detach().numpy(), b.detach().numpy(), records


OPTIMIZERS = {
    "sgd": lambda lib, p: lib.optim.SGD(p, lr=0.1),
    "sgd_weight_decay": lambda lib, p: lib.optim.SGD(p, lr=0.1, weight_decay=0.01),
    "momentum": lambda lib, p: lib.optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.1),
    "nesterov": lambda lib, p: lib.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    "adam": lambda lib, p: lib.optim.Adam(p, lr=0.1),
    "adam_l2": lambda lib, p: lib.optim.Adam(p, lr=0.1, weight_decay=0.1),
    "adamw": lambda lib, p: lib.optim.AdamW(p, lr=0.1, weight_decay=0.1),
    "maximize": lambda lib, p: lib.optim.SGD(p, lr=0.01, maximize=True),
}


@pytest.mark.parametrize("kind", sorted(OPTIMIZERS))
def test_predicted_updates_are_the_optimizers_and_pytorchs(kind):
    w, b, records = _train(torch, OPTIMIZERS[kind], 3, explain_it=True)
    w_ref, b_ref, _ = _train(real_torch, OPTIMIZERS[kind], 3, explain_it=False)
    np.testing.assert_allclose(w, w_ref, rtol=1e-6, atol=1e-7)       # stepping is unchanged
    np.testing.assert_allclose(b, b_ref, rtol=1e-6, atol=1e-7)
    for step_records in records:
        assert [u.name for u in step_records] == ["w", "b"]
        for u in step_records:                  # what was shown is what happened
            np.testing.assert_allclose(u.predicted, u.after, rtol=1e-5, atol=1e-6)


def test_momentum_shows_the_buffer(capsys):
    w = torch.tensor(1.0, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    for _ in range(2):
        opt.zero_grad()
        (w * 2.0).backward()
        records = explain.step(opt)
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "  w: b = 2.0   (first step: b = grad)"
    assert out[2] == "  w = 1.0 - 0.1 × 2.0 = 0.8"
    assert out[4] == "  w: b = 0.9 × 2.0 + 1.0 × 2.0 = 3.8"
    assert out[5] == "  w = 0.8 - 0.1 × 3.8 = 0.42"
    assert records[0].moments["b"] == pytest.approx(3.8)


def test_adam_shows_the_moment_estimates(capsys):
    w = seed_002_after_backward()
    (update,) = explain.step(torch.optim.Adam([w], lr=0.1))
    assert capsys.readouterr().out == (
        "Adam step 1 (lr = 0.1, betas = (0.9, 0.999), eps = 1e-08): m, v = running means of "
        "grad and grad²\n"
        "  w: m = 0.9 × 0.0 + 0.1 × (-8.0) = -0.8\n"
        "  w: v = 0.999 × 0.0 + 0.001 × (-8.0)² = 0.064\n"
        "  w: m_hat = m / (1 - 0.9^1) = -8.0,   v_hat = v / (1 - 0.999^1) = 64.0\n"
        "  w = 1.0 - 0.1 × (-8.0) / (√64.0 + 1e-08) = 1.1\n")
    assert update.moments["m_hat"] == pytest.approx(-8.0)
    assert w.item() == pytest.approx(1.1)


def test_parameters_without_gradient_are_skipped_and_modules_name_parameters(capsys):
    model = torch.nn.Linear(2, 1)
    unused = torch.tensor(1.0, requires_grad=True)
    opt = torch.optim.SGD([*model.parameters(), unused], lr=0.1)
    model(torch.ones(3, 2)).sum().backward()
    records = explain.step(opt)
    out = capsys.readouterr().out
    assert [u.name for u in records] == ["weight", "bias"]
    assert "  unused: no gradient, not updated" in out
    assert unused.item() == 1.0


def test_wrong_language_is_refused_before_stepping():
    w = seed_002_after_backward()
    with pytest.raises(ValueError, match="lang"):
        explain.step(torch.optim.SGD([w], lr=0.1), lang="fr")
    assert w.item() == 1.0


def test_other_optimizers_are_stepped_and_shown_before_after():
    w = seed_002_after_backward()
    (update,) = explain.step(torch.optim.RMSprop([w], lr=0.01), quiet=True)
    assert update.rule == "other" and update.after == pytest.approx(w.item())
