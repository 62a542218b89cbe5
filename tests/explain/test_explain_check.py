"""explain.check: a learner's hand-computed gradients against autograd's."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch as reference

import chainrule as torch
from chainrule import explain

SRC = Path(__file__).resolve().parents[2] / "src" / "chainrule"


def seed_002():
    w = torch.tensor(1.0, requires_grad=True)
    x, y = 2.0, 4.0
    y_pred = w * x
    l = (y_pred - y) ** 2
    return w, y_pred, l


def test_right_answers_from_the_seed_document(capsys):
    w, y_pred, l = seed_002()
    results = explain.check(l, {"dL/dy_pred": -4.0, "dL/dw": -8.0})
    assert capsys.readouterr().out == "right  dL/dy_pred = -4.0\nright  dL/dw = -8.0\n"
    assert [r.right for r in results] == [True, True]
    assert [r.name for r in results] == ["y_pred", "w"]


def test_wrong_answers_get_the_correct_value(capsys):
    w, y_pred, l = seed_002()
    results = explain.check(l, {"dL/dy_pred": -2.0, "dL/dw": -8.0}, lang="zh")
    assert capsys.readouterr().out == ("错误  dL/dy_pred：你的答案是 -2.0，正确值是 -4.0\n"
                                       "正确  dL/dw = -8.0\n")
    assert [r.right for r in results] == [False, True]
    assert results[0].correct == -4.0


def test_tensors_and_other_spellings_as_keys():
    w = torch.tensor(1.0, requires_grad=True)
    x, y = 2.0, 4.0
    y_pred = w * x
    l = (y_pred - y) ** 2
    results = explain.check(l, {w: -8.0, y_pred: 4.0, "w.grad": -8.0, "∂l/∂(y_pred - y)": -4.0,
                                "dl/dl": 1.0}, quiet=True)
    assert [r.right for r in results] == [True, False, True, True, True]
    assert "wrong  dL/dy_pred: you have 4.0, autograd has -4.0" == results[1].text


def test_check_touches_no_grad_and_keeps_the_graph():
    w, y_pred, l = seed_002()
    explain.check(l, {"dL/dw": -8.0}, quiet=True)
    assert w.grad is None
    l.backward()                                    # the graph is still there
    assert w.grad.item() == -8.0
    with pytest.raises(RuntimeError, match="before loss.backward"):
        explain.check(l, {"dL/dw": -8.0}, quiet=True)


def test_hand_rounded_numbers_pass():
    w = torch.tensor([1.0], requires_grad=True)
    l = (w * 1.0 - 2.0) ** 2                        # seed 000: the first sample, x=1, y=2
    l.backward()
    w.data = w.data - 0.01 * w.grad.data
    l = (w * 2.0 - 4.0) ** 2                        # the second sample, one step on
    assert explain.check(l, {"dL/dw": -7.84}, quiet=True)[0].right        # -7.840000152587891


def test_unknown_names_are_explained():
    w, y_pred, l = seed_002()
    names = "it has: l, y_pred - 4.0, y_pred, w"       # y is not a variable here: 4.0
    with pytest.raises(KeyError, match=f"no value named 'y_hat'.*{names}"):
        explain.check(l, {"dL/dy_hat": 1.0}, quiet=True)


def test_correct_values_are_pytorchs_for_the_quadratic_model():
    w, w2, b = (torch.tensor([1.0], requires_grad=True) for _ in range(3))
    rw, rw2, rb = (reference.tensor([1.0], requires_grad=True) for _ in range(3))
    x, y = 3.0, 6.0
    l = (y - (w * x**2 + w2 * x + b)) ** 2
    ((y - (rw * x**2 + rw2 * x + rb)) ** 2).backward()
    answers = {"dl/dw": rw.grad.numpy(), "dl/dw2": rw2.grad.numpy(), "dl/db": rb.grad.numpy()}
    assert all(r.right for r in explain.check(l, answers, rtol=1e-7, atol=0, quiet=True))


def test_the_core_never_imports_explain():
    code = "import sys, chainrule; print('chainrule.explain' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"
    for path in SRC.rglob("*.py"):
        # the command line is a front end, not the core: only `chainrule explain SCRIPT`
        # loads the package (and `import chainrule` does not, as checked above)
        if "explain" in path.relative_to(SRC).parts or path.name == "_cli.py":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith(("import ", "from ")):
                assert "explain" not in stripped, f"{path}: {stripped}"
