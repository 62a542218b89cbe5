"""explain.backward: the chain rule told step by step, checked against the seed's hand work."""
import numpy as np
import pytest
import torch as reference

import chainrule as torch
from chainrule import explain
from chainrule.autograd import engine

# Seed 002 (反向传播): x=2, y=4, w=1.0, lr=0.1, worked by hand as
#   dL/dy_pred = 2(y_pred - y) = 2(2.0 - 4.0) = -4.0;  dy_pred/dw = x = 2.0;
#   dL/dw = (-4.0) × 2.0 = -8.0;  w = 1.0 - 0.1 × (-8.0) = 1.8
SEED_002_EN = """\
Backward pass from l = 4.0: the chain rule, from the output back to the leaves.
  start: dl/dl = 1.0
Step 1: l = (y_pred - y) ** 2 = (2.0 - 4.0) ** 2 = 4.0   [PowBackward0]
  local derivative: dl/d(y_pred - y) = 2·(y_pred - y) = 2 × (2.0 - 4.0) = -4.0
  chain rule:       dl/d(y_pred - y) = dl/dl · dl/d(y_pred - y) = 1.0 × (-4.0) = -4.0
Step 2: y_pred - y = 2.0 - 4.0 = -2.0   [SubBackward0]
  local derivative: d(y_pred - y)/dy_pred = 1
  chain rule:       dl/dy_pred = dl/d(y_pred - y) · d(y_pred - y)/dy_pred = (-4.0) × 1 = -4.0
Step 3: y_pred = w * x = 1.0 * 2.0 = 2.0   [MulBackward0]
  local derivative: dy_pred/dw = x = 2.0
  chain rule:       dl/dw = dl/dy_pred · dy_pred/dw = (-4.0) × 2.0 = -8.0
Gradients added to .grad:
  w.grad = -8.0   (was None)
One SGD step with lr = 0.1 (shown, not applied):
  w = w - lr · w.grad = 1.0 - 0.1 × (-8.0) = 1.8"""

SEED_002_ZH = """\
从 l = 4.0 开始反向传播：按链式法则，从输出一路乘回到叶子节点。
  起点：dl/dl = 1.0
第 1 步：l = (y_pred - y) ** 2 = (2.0 - 4.0) ** 2 = 4.0   [PowBackward0，幂]
  局部导数：dl/d(y_pred - y) = 2·(y_pred - y) = 2 × (2.0 - 4.0) = -4.0
  链式法则：dl/d(y_pred - y) = dl/dl · dl/d(y_pred - y) = 1.0 × (-4.0) = -4.0
第 2 步：y_pred - y = 2.0 - 4.0 = -2.0   [SubBackward0，减法]
  局部导数：d(y_pred - y)/dy_pred = 1
  链式法则：dl/dy_pred = dl/d(y_pred - y) · d(y_pred - y)/dy_pred = (-4.0) × 1 = -4.0
第 3 步：y_pred = w * x = 1.0 * 2.0 = 2.0   [MulBackward0，乘法]
  局部导数：dy_pred/dw = x = 2.0
  链式法则：dl/dw = dl/dy_pred · dy_pred/dw = (-4.0) × 2.0 = -8.0
累加到 .grad 上的梯度：
  w.grad = -8.0   （原来是 None）
按学习率 lr = 0.1 做一步 SGD（只演示，不修改参数）：
  w = w - lr · w.grad = 1.0 - 0.1 × (-8.0) = 1.8"""


def seed_002():
    w = torch.tensor(1.0, requires_grad=True)
    x, y = 2.0, 4.0
    y_pred = w * x
    l = (y_pred - y) ** 2
    return l, {"w": w, "x": x, "y": y, "y_pred": y_pred, "l": l}


@pytest.mark.parametrize("lang, golden", [("en", SEED_002_EN), ("zh", SEED_002_ZH)])
def test_seed_002_worked_example_is_golden(lang, golden, capsys):
    l, names = seed_002()
    steps = explain.backward(l, lang, lr=0.1, names=names)
    assert capsys.readouterr().out == golden + "\n"
    assert steps.text == golden
    assert names["w"].grad.item() == -8.0          # backward really ran


def test_seed_002_records_carry_the_numbers():
    l, names = seed_002()
    steps = explain.backward(l, lr=0.1, names=names, quiet=True)
    pow_step, sub_step, mul_step, w_update = steps
    assert [s.torch_name for s in steps[:3]] == ["PowBackward0", "SubBackward0", "MulBackward0"]
    assert pow_step.links[0].local_value == -4.0 and pow_step.links[0].grad == -4.0
    assert sub_step.links[0].input == "y_pred" and sub_step.links[0].grad == -4.0
    link = mul_step.links[0]
    assert (link.input, link.local_formula, link.local_value, link.grad) == ("w", "x", 2.0, -8.0)
    assert isinstance(w_update, explain.LeafUpdate)
    assert (w_update.name, w_update.before, w_update.after) == ("w", None, -8.0)
    assert np.isclose(w_update.new_value, 1.8)


def test_names_are_found_in_the_calling_frame():
    w = torch.tensor(1.0, requires_grad=True)
    x, y = 2.0, 4.0
    y_pred = w * x
    l = (y_pred - y) ** 2
    steps = explain.backward(l, lr=0.1, quiet=True)
    assert steps.text == SEED_002_EN


def test_a_reused_parameter_gets_the_sum_of_its_paths():
    w = torch.tensor(3.0, requires_grad=True)
    y = w * w + w                                   # dy/dw = 2w + 1 = 7
    steps = explain.backward(y, quiet=True)
    assert "  local derivative: d(w * w)/dw = w = 3.0\n" in steps.text
    assert steps.text.count("chain rule:       dy/dw = dy/d(w * w) · d(w * w)/dw = "
                            "1.0 × 3.0 = 3.0") == 2
    assert "chain rule:       dy/dw = dy/dy · dy/dw = 1.0 × 1 = 1.0" in steps.text
    assert steps.text.endswith("Gradients added to .grad:\n"
                               "  w is used 3 times: 1.0 + 3.0 + 3.0 = 7.0\n"
                               "  w.grad = 7.0   (was None)")
    update = steps[-1]
    assert [g for _, g in update.contributions] == [1.0, 3.0, 3.0]
    assert w.grad.item() == 7.0


def test_a_reused_intermediate_value_sums_before_its_own_step():
    a = torch.tensor(3.0, requires_grad=True)
    h = a * a + a
    out = h * h
    steps = explain.backward(out, quiet=True)
    assert ("h is used 2 times, so the gradients of all paths add up: "
            "dout/dh = 12.0 + 12.0 = 24.0") in steps.text
    assert steps[1].name == "h" and [g for _, g in steps[1].received] == [12.0, 12.0]
    assert a.grad.item() == 2 * 12.0 * 7.0


def test_tensor_model_with_a_broadcast_bias_shows_shapes():
    X = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    W = torch.tensor([[0.5, -1.0], [0.25, 1.0]], requires_grad=True)
    b = torch.tensor([0.1, -0.2], requires_grad=True)
    target = torch.tensor([[1.0, 0.0], [2.0, 0.0], [3.0, 0.0]])
    pred = X @ W + b
    loss = ((pred - target) ** 2).mean()
    steps = explain.backward(loss, quiet=True)
    text = steps.text
    assert "Step 4: pred = X @ W + b = [[1.1, 0.8], [2.6, 0.8], [4.1, 0.8]] shape (3, 2)" in text
    assert ("  b was broadcast from (2,) to (3, 2): sum over the broadcast dimensions -> "
            "[0.6, 0.8] shape (2,)") in text
    assert "chain rule:       dloss/dW = X^T @ dloss/d(X @ W) = " in text
    link = steps[3].links[1]
    assert link.broadcast_from == (3, 2) and link.grad.shape == (2,)

    rX = reference.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    rW = reference.tensor([[0.5, -1.0], [0.25, 1.0]], requires_grad=True)
    rb = reference.tensor([0.1, -0.2], requires_grad=True)
    rt = reference.tensor([[1.0, 0.0], [2.0, 0.0], [3.0, 0.0]])
    ((rX @ rW + rb - rt) ** 2).mean().backward()
    np.testing.assert_allclose(steps[-1].after, rb.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(steps[-2].after, rW.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), rb.grad.numpy(), rtol=1e-6)


def test_grad_accumulates_over_two_backward_calls():
    w = torch.tensor(1.0, requires_grad=True)
    explain.backward((w * 2.0 - 4.0) ** 2, quiet=True)
    steps = explain.backward((w * 2.0 - 4.0) ** 2, quiet=True)
    assert "  w.grad = (-8.0) + (-8.0) = -16.0" in steps.text
    assert w.grad.item() == -16.0


@pytest.mark.parametrize("make", [
    lambda x: x.exp(), lambda x: x.log(), lambda x: x.sin(), lambda x: x.cos(),
    lambda x: x.tanh(), lambda x: x.sigmoid(), lambda x: x.relu(), lambda x: -x,
    lambda x: 1.0 / x, lambda x: x / 3.0, lambda x: 2.0 - x, lambda x: x ** 3,
    lambda x: 2.0 ** x, lambda x: x.sqrt(), lambda x: x.sum(), lambda x: x.mean()])
def test_each_local_derivative_times_the_incoming_gradient_is_autograds(make):
    x = torch.tensor(0.7, requires_grad=True)
    steps = explain.backward(make(x), quiet=True)
    step = [s for s in steps if isinstance(s, explain.Step)][-1]     # the op that used x
    link = step.links[0]
    assert link.input == "x" and link.local_value is not None
    assert np.isclose(float(step.grad * link.local_value), x.grad.item(), rtol=1e-6)
    assert np.isclose(float(link.grad), x.grad.item(), rtol=1e-6)


def test_the_observer_is_removed_even_when_backward_fails():
    w = torch.tensor(1.0, requires_grad=True)
    l = w * 2.0
    l.backward()
    with pytest.raises(RuntimeError):
        explain.backward(l, quiet=True)          # the graph was freed by the first backward
    assert engine.OBSERVERS == []


def test_unknown_language_is_refused():
    w = torch.tensor(1.0, requires_grad=True)
    with pytest.raises(ValueError, match="lang"):
        explain.backward(w * 2.0, lang="fr")


def test_mse_loss_when_chainrule_has_it():
    try:
        from chainrule.nn.functional import mse_loss
    except ImportError:
        from chainrule.nn._loss import mse_loss
    w = torch.tensor(1.0, requires_grad=True)
    x, y = 2.0, torch.tensor(4.0)
    y_pred = w * x
    l = mse_loss(y_pred, y)
    steps = explain.backward(l, quiet=True)
    assert steps.text.splitlines()[2:5] == [
        "Step 1: l = mse_loss(y_pred, y) = mse_loss(2.0, 4.0) = 4.0   [MseLossBackward0]",
        "  local derivative: dl/dy_pred = 2·(y_pred - y) = 2 × (2.0 - 4.0) = -4.0",
        "  chain rule:       dl/dy_pred = dl/dl · dl/dy_pred = 1.0 × (-4.0) = -4.0"]
    assert w.grad.item() == -8.0


def test_ops_without_a_formula_still_show_autograds_gradient():
    x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x.abs().cumsum(0).max()
    steps = explain.backward(y, quiet=True)
    assert [s.torch_name for s in steps[:3]] == ["MaxBackward1", "CumsumBackward0",
                                                "AbsBackward0"]
    assert ("local derivative: d(cumsum(abs(x)))/d(abs(x)) = (computed by the op's backward)"
            in steps.text)
    assert ("chain rule:       dy/d(abs(x)) = (computed by the op's backward) = [1.0, 1.0, 1.0]"
            in steps.text)
    assert "local derivative: d(abs(x))/dx = sign(x) = [1.0, -1.0, 1.0] shape (3,)" in steps.text
