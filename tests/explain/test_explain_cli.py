"""``python -m chainrule explain SCRIPT``: the first backward() explained, then the script
carries on exactly as with ``chainrule run``."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from chainrule.explain.cli import split_options

ROOT = Path(__file__).resolve().parents[2]
SEED_002 = ROOT / "examples" / "seeds" / "s002_linear.py"

EXPLAINED_EN = """\
predict (before training) 4 4.0
The graph of l, at its first backward():
l = (w * x - y) ** 2 = 1.0   PowBackward0 (pow 2)
└── w * x - y = -1.0   SubBackward0 (sub)
    ├── w * x = 1.0   MulBackward0 (mul)
    │   ├── w = 1.0   leaf
    │   └── x = 1.0   constant
    └── y = 2.0   constant

Backward pass from l = 1.0: the chain rule, from the output back to the leaves.
  start: dl/dl = 1.0
Step 1: l = (w * x - y) ** 2 = (1.0 * 1.0 - 2.0) ** 2 = 1.0   [PowBackward0]
  local derivative: dl/d(w * x - y) = 2·(w * x - y) = 2 × (1.0 * 1.0 - 2.0) = -2.0
  chain rule:       dl/d(w * x - y) = dl/dl · dl/d(w * x - y) = 1.0 × (-2.0) = -2.0
Step 2: w * x - y = 1.0 * 1.0 - 2.0 = -1.0   [SubBackward0]
  local derivative: d(w * x - y)/d(w * x) = 1
  chain rule:       dl/d(w * x) = dl/d(w * x - y) · d(w * x - y)/d(w * x) = (-2.0) × 1 = -2.0
Step 3: w * x = 1.0 * 1.0 = 1.0   [MulBackward0]
  local derivative: d(w * x)/dw = x = 1.0
  chain rule:       dl/dw = dl/d(w * x) · d(w * x)/dw = (-2.0) × 1.0 = -2.0
Gradients added to .grad:
  w.grad = -2.0   (was None)
"""


def run(*argv, cwd=None):
    done = subprocess.run([sys.executable, "-m", "chainrule", *argv], capture_output=True,
                          text=True, timeout=300, cwd=cwd)
    return done.returncode, done.stdout, done.stderr


def test_seed_002_first_backward_is_explained_then_the_script_carries_on(tmp_path):
    page = tmp_path / "seed.html"
    rc, out, err = run("explain", str(SEED_002), "--html", str(page))
    assert rc == 0, err
    assert out.startswith(EXPLAINED_EN + f"The HTML page of the graph: {page}\n\n")
    _, plain, _ = run("run", str(SEED_002))
    # after the explanation, the script's own output is unchanged, to the last line
    assert out[len(EXPLAINED_EN):].split("\n", 2)[2] == plain.split("\n", 1)[1]
    assert out.count("Backward pass from") == 1                  # only the first backward
    assert 'id="graph-data"' in page.read_text(encoding="utf-8")


def test_explain_in_chinese():
    rc, out, err = run("explain", "--lang", "zh", str(SEED_002))
    assert rc == 0, err
    assert "l 的计算图（第一次调用 backward() 时）：" in out
    assert "第 3 步：w * x = 1.0 * 1.0 = 1.0   [MulBackward0，乘法]" in out
    assert "  w.grad = -2.0   （原来是 None）" in out


def test_options_after_the_script_and_the_scripts_own_arguments(tmp_path):
    script = tmp_path / "args.py"
    script.write_text(textwrap.dedent("""\
        import sys
        import torch
        w = torch.tensor(2.0, requires_grad=True)
        loss = w * w
        loss.backward()
        print("args", sys.argv[1:], w.grad.item())
    """))
    page = tmp_path / "page.html"
    rc, out, err = run("explain", str(script), "--lang=zh", "--html", str(page), "extra",
                       "--html")
    assert rc == 0, err
    assert out.rstrip().endswith("args ['extra', '--html'] 4.0")   # the script's arguments
    assert page.exists()
    assert "loss = w * w = 4.0" in out and "第 1 步" in out


def test_script_errors_and_backward_is_restored(tmp_path):
    script = tmp_path / "fails.py"
    script.write_text("import torch\nraise ValueError('no model')\n")
    rc, out, err = run("explain", str(script))
    assert rc == 1 and "ValueError: no model" in err
    rc, out, err = run("explain", str(tmp_path / "missing.py"))
    assert rc == 2 and "can't open file" in err


def test_backward_is_put_back_after_the_run(tmp_path):
    script = tmp_path / "s.py"
    script.write_text("import torch\nw = torch.tensor(1.0, requires_grad=True)\n"
                      "(w * 3.0).backward()\n")
    code = textwrap.dedent(f"""\
        import io, chainrule
        from chainrule.explain.cli import explain_script
        original = chainrule.Tensor.backward
        out = io.StringIO()
        assert explain_script({str(script)!r}, [], file=out) == 0
        assert chainrule.Tensor.backward is original
        print(out.getvalue())
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "  chain rule:       dL/dw = dL/dL · dL/dw = 1.0 × 3.0 = 3.0" in done.stdout


def test_split_options():
    assert split_options(["--html", "a.html", "--lang", "zh", "x"]) == ("a.html", "zh", ["x"])
    assert split_options(["x", "--lang", "zh"]) == (None, "en", ["x", "--lang", "zh"])
    with pytest.raises(SystemExit):
        split_options(["--lang", "fr"])
