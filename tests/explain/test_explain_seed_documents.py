"""The narration's numbers against the numbers the seed documents write down by hand.

The documents are the Chinese tutorials the project started from (the seeds,
000-004). Each number below is quoted from them, with its line; it is the only
kind of expected value in these tests not computed by a reference. The first
backward of each seed program is read from its golden narration
(``golden/seeds/``, checked against the programs in ``test_explain_seeds.py``);
the worked examples that are not a program's first backward are narrated here
with ``explain.backward``.
"""
import re
from pathlib import Path

import pytest

import chainrule as torch
from chainrule import explain

GOLDEN = Path(__file__).parent / "golden" / "seeds"


def narration(program, lang="en"):
    return (GOLDEN / f"{program}.{lang}.txt").read_text(encoding="utf-8")


def grads(text):
    """{'w': -2.0, ...}: the leaves' .grad as the narration writes them."""
    return {m[1]: float(m[2]) for m in re.finditer(r"^  (\S+)\.grad = (-?[\d.]+) ", text, re.M)}


def loss_of(text):
    return float(re.search(r"^Backward pass from \S+ = (-?[\d.]+):", text, re.M)[1])


# ---- the programs' first backward ---------------------------------------------------------
@pytest.mark.parametrize("program, loss, expected, where", [
    # 000, line 45, the first line s000_linear prints: "grad: 1.0 2.0 1.0 -2.0" (x, y, l, w.grad)
    ("s000_linear", 1.0, {"w": -2.0}, "000:45"),
    # 000, line 119: "grad:x,y,w:2.00,w2:2.00,b:2.00"
    ("s000_quadratic", None, {"w": 2.0, "w2": 2.0, "b": 2.0}, "000:119"),
    # 001, lines 15-17: x=1, y=2, w=1; dloss/dw = 2(wx - y)x = -2 gives w = 1.02 (below)
    ("s001_linear_plot", 1.0, {"w": -2.0}, "001:15"),
    ("s002_linear", 1.0, {"w": -2.0}, "001:15, the same model"),
    # 003, line 13: "loss = 2w^2 --> 求导：4w", with w = 10: 40
    ("s003_autograd", None, {"w": 40.0}, "003:13"),
    # 004, lines 42 and 110: "gradient: -4.0 x:1.0 y:2.0" (w1.grad)
    ("s004_linear5", None, {"w1": -4.0}, "004:42"),
    ("s004_quadratic_diverge", None, {"w1": -4.0}, "004:110"),
])
def test_first_backward_has_the_documents_numbers(program, loss, expected, where):
    for lang in ("en", "zh"):
        text = narration(program, lang)
        if lang == "zh":            # the same numbers, in the Chinese sentence
            text = text.replace("（原来是 None）", "(was None)")
            text = re.sub(r"^从 (\S+) = (\S+) 开始反向传播：", r"Backward pass from \1 = \2:",
                          text, flags=re.M)
        got = grads(text)
        assert {k: got[k] for k in expected} == expected, where
        if loss is not None:
            assert loss_of(text) == loss, where


# ---- seed 002's worked example, step by step (x = 2, y = 4, w = 1.0, lr = 0.1) ---------------
SEED_002 = [
    # line 61: dL/dy_pred = 2(y_pred - y_true) = 2(2.0 - 4.0) = -4.0
    "2·(y_pred - y) = 2 × (2.0 - 4.0) = -4.0",
    # line 62: dy_pred/dw = x = 2.0
    "dy_pred/dw = x = 2.0",
    # line 64: dL/dw = dL/dy_pred · dy_pred/dw = (-4.0) × 2.0 = -8.0
    "dl/dw = dl/dy_pred · dy_pred/dw = (-4.0) × 2.0 = -8.0",
    # line 65: w_new = w_old - η dL/dw = 1.0 - 0.1 × (-8.0) = 1.8
    "w = w - lr · w.grad = 1.0 - 0.1 × (-8.0) = 1.8",
]
SEED_002_NEXT = [
    # line 68: L = (3.6 - 4.0)^2 = 0.16
    "Backward pass from l = 0.16:",
    # line 74: dL/dy_pred = 2(3.6 - 4.0) = -0.8; dy_pred/dw = 2.0; dL/dw = (-0.8) × 2.0 = -1.6
    "2·(y_pred - y) = 2 × (3.6 - 4.0) = -0.8",
    "dy_pred/dw = x = 2.0",
    "dl/dw = dl/dy_pred · dy_pred/dw = (-0.8) × 2.0 = -1.6",
    # line 75: w = 1.8 - 0.1 × (-1.6) = 1.96
    "w = w - lr · w.grad = 1.8 - 0.1 × (-1.6) = 1.96",
]


def test_seed_002_worked_example_and_the_next_backward():
    w = torch.tensor(1.0, requires_grad=True)
    x, y = 2.0, 4.0
    y_pred = w * x
    l = (y_pred - y) ** 2
    first = explain.backward(l, lr=0.1, quiet=True).text
    for line in SEED_002:
        assert line in first
    with torch.no_grad():                       # the update of line 65
        w -= 0.1 * w.grad
    w.grad.zero_()
    y_pred = w * x                              # line 67: y_pred = 1.8 × 2 = 3.6
    l = (y_pred - y) ** 2
    second = explain.backward(l, lr=0.1, quiet=True).text
    for line in SEED_002_NEXT:
        assert line in second
    assert "Step 3: y_pred = w * x = 1.8 * 2.0 = 3.6" in second


def test_seed_001_update_gives_1_02():
    # 001, line 17: w = w - learningrate · dloss/dw with learningrate = 0.01 gives w = 1.02
    w = torch.tensor([1.0], requires_grad=True)
    x, y = 1.0, 2.0
    l = (x * w - y) ** 2
    text = explain.backward(l, lr=0.01, quiet=True).text
    assert "w = w - lr · w.grad = 1.0 - 0.01 × (-2.0) = 1.02" in text


def test_seed_003_update_gives_9_6_and_the_loop_starts_at_20():
    # 003, lines 13 and 25: loss = 2w^2, derivative 4w = 40 at w = 10; 10 - 0.01 × 40 = 9.6
    w = torch.tensor(10, requires_grad=True, dtype=torch.float32)
    loss = 2 * w**2
    text = explain.backward(loss, lr=0.01, quiet=True).text
    assert "w = w - lr · w.grad = 10.0 - 0.01 × 40.0 = 9.6" in text
    # 003, lines 38 and 54: loss = w**2 + 20, derivative 2w: "梯度：20.0, loss 120.0"
    w = torch.tensor(10, requires_grad=True, dtype=torch.float32)
    loss = w**2 + 20
    text = explain.backward(loss, "zh", quiet=True).text
    assert text.startswith("从 loss = 120.0 开始反向传播")
    assert "  w.grad = 20.0   （原来是 None）" in text
