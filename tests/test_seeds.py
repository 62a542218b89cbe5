"""The user's seed programs run unchanged through ``python -m chainrule run`` and print
what PyTorch 2.13 printed (``examples/seeds/expected``), to the last digit.

Two differences are expected and applied to PyTorch's output before comparing:
``type(t)`` names chainrule's class, and the two unseeded programs draw different
random numbers on every run (for them the output's layout is compared).
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"
PROGRAMS = sorted(p.stem for p in SEEDS.glob("*.py"))
UNSEEDED_RANDOM = {"s003_matmul_mse", "s004_sequential_adam"}


def run_seed(name):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8")
    proc = subprocess.run([sys.executable, "-m", "chainrule", "run", str(SEEDS / f"{name}.py")],
                          capture_output=True, text=True, env=env, timeout=300, cwd=SEEDS)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, proc.stderr


def expected_output(name):
    text = (SEEDS / "expected" / f"{name}.txt").read_text(encoding="utf-8")
    return text.replace("<class 'torch.Tensor'>", "<class 'chainrule.Tensor'>")


def layout(text):
    """The output with every number replaced, for runs whose numbers are random."""
    return re.sub(r" +", "", re.sub(r"-?\d+\.?\d*(e[+-]?\d+)?", "N", text))


def test_every_seed_program_is_covered():
    assert len(PROGRAMS) == 11
    assert {p.stem for p in (SEEDS / "expected").glob("*.txt")} == set(PROGRAMS)


@pytest.mark.parametrize("name", PROGRAMS)
def test_seed_program_prints_pytorch_output(name):
    out, err = run_seed(name)
    assert err == "", err
    expected = expected_output(name)
    if name in UNSEEDED_RANDOM:
        assert layout(out) == layout(expected)
    else:
        assert out == expected
