"""The first backward of every seed program, as ``python -m chainrule explain`` narrates it.

Each program of ``examples/seeds/`` runs through chainrule up to its first
``backward()`` (``seed_runs.py``, in a process of its own); what is printed there,
the graph and the narration in English and in Chinese, is golden text
(``golden/seeds/``; regenerate with CHAINRULE_REGOLD=1 and read the diff). The
numbers of the narration are then checked against the real PyTorch running the
same program, and against the numbers the seed documents work out by hand
(``test_explain_seed_documents.py``).
"""
import contextlib
import io
import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch as reference

HERE = Path(__file__).parent
SEEDS = HERE.parents[1] / "examples" / "seeds"
GOLDEN = HERE / "golden" / "seeds"
PROGRAMS = sorted(p.stem for p in SEEDS.glob("s*.py"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """{program: {"en": text, "zh": text, "deterministic", "ops", "leaves"}}."""
    out = tmp_path_factory.mktemp("seeds") / "runs.json"
    done = subprocess.run([sys.executable, str(HERE / "seed_runs.py"), str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def test_every_seed_program_is_explained(runs):
    assert PROGRAMS == [
        "s000_linear", "s000_quadratic", "s001_linear_plot", "s002_linear", "s003_autograd",
        "s003_matmul_mse", "s003_matmul_mse_seeded", "s004_linear5", "s004_quadratic_diverge",
        "s004_sequential_adam", "s004_sequential_adam_seeded"]
    assert sorted(runs) == PROGRAMS


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("program", PROGRAMS)
def test_first_backward_is_golden(runs, program, lang):
    run = runs[program]
    assert run["deterministic"], f"{program}: two runs printed different text"
    text = run[lang]
    path = GOLDEN / f"{program}.{lang}.txt"
    if os.environ.get("CHAINRULE_REGOLD"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs"


def test_both_languages_tell_the_same_numbers(runs):
    """The Chinese narration is the English one in other words: same lines, same numbers."""
    for program in PROGRAMS:
        en, zh = runs[program]["en"].splitlines(), runs[program]["zh"].splitlines()
        assert len(en) == len(zh), program
        assert "(computed by the op's backward)" not in runs[program]["en"], program
        assert "?" not in runs[program]["en"], program         # every value is known


# ---- the numbers, checked against the real PyTorch ------------------------------------
class _FirstBackward(Exception):
    pass


def _drawing_order(root):
    """Ops and leaves from ``root``, depth first, inputs in order, each once: the order of
    ``explain.graph``'s nodes. Leaves appear as their AccumulateGrad's variable."""
    order, seen, stack = [], set(), [root]
    while stack:
        fn = stack.pop()
        key = id(fn.variable) if hasattr(fn, "variable") else id(fn)
        if key in seen:
            continue
        seen.add(key)
        order.append(fn)
        stack.extend(f for f, _ in reversed(fn.next_functions) if f is not None)
    return order


def torch_first_backward(program):
    """Run ``program`` with PyTorch up to its first backward; for each op in drawing order,
    the gradient it received and those it sent to its inputs; each leaf's .grad."""
    assert sys.modules["torch"] is reference            # the real PyTorch, not chainrule
    ops, leaves = [], []
    original = reference.Tensor.backward

    def backward(self, *args, **kwargs):
        for fn in _drawing_order(self.grad_fn):
            if hasattr(fn, "variable"):
                leaves.append(fn.variable)
                continue
            record = {"torch_name": fn.name()}
            ops.append(record)

            def hook(grads_in, grads_out, record=record, fn=fn):
                record["grad"] = grads_out[0].detach().numpy().copy()
                record["links"] = [g.detach().numpy().copy() for g, (f, _) in
                                   zip(grads_in, fn.next_functions) if f is not None]
            fn.register_hook(hook)
        original(self, *args, **kwargs)
        raise _FirstBackward

    reference.Tensor.backward = backward
    reference.manual_seed(0)                             # as seed_runs.py does for chainrule
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            runpy.run_path(str(SEEDS / f"{program}.py"), run_name="__main__")
    except _FirstBackward:
        pass
    finally:
        reference.Tensor.backward = original
    return ops, [leaf.grad.numpy().copy() for leaf in leaves]


@pytest.mark.parametrize("program", PROGRAMS)
def test_narrated_gradients_are_pytorchs(runs, program):
    """Every gradient the narration shows, dL/d(op) and each one sent to an input, and every
    leaf's .grad, equal those PyTorch computes for the same program."""
    expected_ops, expected_leaves = torch_first_backward(program)
    ops, leaves = runs[program]["ops"], runs[program]["leaves"]
    assert [o["torch_name"] for o in ops] == [o["torch_name"] for o in expected_ops]
    close = dict(rtol=1e-5, atol=1e-6)
    for got, want in zip(ops, expected_ops):
        np.testing.assert_allclose(got["grad"], want["grad"], **close, err_msg=got["name"])
        assert len(got["links"]) == len(want["links"]), got["name"]
        for link, g in zip(got["links"], want["links"]):
            np.testing.assert_allclose(link["grad"], g, **close, err_msg=link["input"])
    assert len(leaves) == len(expected_leaves)
    for got, want in zip(leaves, expected_leaves):
        np.testing.assert_allclose(got["grad"], want, **close, err_msg=got["name"])
