"""Differential fuzzing: random programs give the same numbers in chainrule and PyTorch.

Each program (see ``strategies.py``) runs once per library. Then every tensor it
named is compared (dtype, shape, ``requires_grad``, whether it has a ``grad_fn``,
values), and the gradient of every output that requires grad, with respect to every
leaf, for fixed cotangents ``cos(0), cos(1), ...``. Where PyTorch raises, chainrule
must raise the same exception type at the same statement.

A failure prints the shrunk program as a script (under "Falsifying example"). The
budget is 2,000 seeded programs; ``--fuzz-examples N`` (or the environment variable
``CHAINRULE_FUZZ_EXAMPLES``) runs N fresh ones: see ``conftest.py``.
"""
import os
import warnings

import numpy as np
import torch
import pytest
from hypothesis import HealthCheck, given, note, reject, settings

import chainrule
from strategies import Program, programs, source

LONG = int(os.environ.get("CHAINRULE_FUZZ_EXAMPLES", 0))
BUDGET = settings(max_examples=LONG or 2000, derandomize=not LONG, database=None,
                  deadline=None, print_blob=bool(LONG),
                  suppress_health_check=list(HealthCheck))

# Rounding differs between NumPy's and PyTorch's kernels (summation order, exp, log):
# a relative error, plus an absolute one scaled by the largest value compared.
TOLERANCE = {"float32": (1e-4, 1e-5), "float64": (1e-9, 1e-11)}

# Known gaps: errors PyTorch raises that chainrule does not (or raises as another type).
KNOWN_GAPS = (
    # None at the moment. Each entry is a piece of an error message; a program whose
    # runs differ only by such an error is set aside (see known_gap), and one case of
    # each gap is kept in a GAPS table with a strict xfail test until it is fixed.
)


def known_gap(error, actual_error):
    """Whether the two runs differ only by one of the KNOWN_GAPS (either way round)."""
    messages = str(error) + str(actual_error)
    return (any(gap in messages for gap in KNOWN_GAPS)
            and type(actual_error) is not type(error))

GRADIENT = ("outputs = [{outputs}]\n"
            "grads = torch.autograd.grad(outputs, [{leaves}], [torch.arange(o.numel(), "
            "dtype=o.dtype).reshape(o.shape).cos() for o in outputs], allow_unused=True)")


def run(lib, statements, ns=None):
    """Run ``statements`` with ``torch`` bound to ``lib``: (namespace, index, error).

    ``index`` is the statement that raised ``error`` (None when all ran).
    """
    ns = {"torch": lib} if ns is None else ns
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for index, statement in enumerate(statements):
            try:
                exec(statement, ns)
            except Exception as error:      # noqa: BLE001 (compared with PyTorch's)
                return ns, index, error
    return ns, None, None


def gradient_statement(program, ns):
    """The call computing every leaf's gradient, from torch's run of ``program``."""
    leaves = [line.split(" = ")[0] for line in program.leaves]
    leaves = [n for n in leaves if ns[n].requires_grad]
    outputs = [n for n in named(ns) if n.startswith("t") and has_history(ns[n])]
    if not leaves or not outputs:
        return None
    return GRADIENT.format(outputs=", ".join(outputs), leaves=", ".join(leaves))


def has_history(t):
    """Whether ``t`` has a ``grad_fn``; None where PyTorch refuses to say.

    (PyTorch and chainrule raise on reading the ``grad_fn`` of a view made by
    ``split`` or ``unbind`` after its base was modified in place.)
    """
    try:
        return t.grad_fn is not None
    except RuntimeError:
        return None


def named(ns):
    return [n for n, v in ns.items() if isinstance(v, (torch.Tensor, chainrule.Tensor))]


def precision(program):
    """float32's tolerance for a program that computes in float32 anywhere, else float64's.

    (A float64 result can carry float32 rounding: ``x.float().exp().double()``.)
    """
    in_float32 = any("float64" not in leaf for leaf in program.leaves) or any(
        "float32" in step or ".float()" in step for step in program.steps)
    return "float32" if in_float32 else "float64"


def assert_close(actual, expected, what, precision):
    assert isinstance(actual, chainrule.Tensor), f"{what}: got {type(actual).__name__}"
    assert str(actual.dtype) == str(expected.dtype), f"{what}: dtype"
    assert tuple(actual.shape) == tuple(expected.shape), f"{what}: shape"
    a, e = actual.detach().numpy(), expected.detach().numpy(force=True)
    rtol, atol = TOLERANCE[precision]
    finite = np.abs(e[np.isfinite(e)])
    scale = max(1.0, float(finite.max())) if finite.size else 1.0
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol * scale, err_msg=what)


def assert_same_run(program, report=print, on_gap=reject):
    """Run ``program`` in both libraries; ``report`` shows the gradient call made.

    ``on_gap`` is called where the runs differ by one of the KNOWN_GAPS.
    """
    statements = program.leaves + program.steps
    expected, where, error = run(torch, statements)
    actual, actual_where, actual_error = run(chainrule, statements)
    if error is not None:
        if known_gap(error, actual_error):
            on_gap()                         # see KNOWN_GAPS
        assert actual_error is not None, f"torch raised {error!r} at line {where + 1}"
        assert (actual_where, type(actual_error)) == (where, type(error)), (
            f"chainrule raised {actual_error!r} at {actual_where}, torch {error!r} at {where}")
        return
    if known_gap(error, actual_error):
        on_gap()                             # see KNOWN_GAPS
    assert actual_error is None, f"chainrule raised {actual_error!r}; torch did not"
    for name in named(expected):
        a, e = actual[name], expected[name]
        assert_close(a, e, name, precision(program))
        assert a.requires_grad == e.requires_grad, f"{name}.requires_grad"
        assert has_history(e) in (has_history(a), None), f"{name}.grad_fn"

    statement = gradient_statement(program, expected)
    if statement is None:
        return
    report(statement)
    expected, _, error = run(torch, [statement], expected)
    actual, _, actual_error = run(chainrule, [statement], actual)
    if error is not None:
        if known_gap(error, actual_error):
            on_gap()                         # see KNOWN_GAPS
        assert type(actual_error) is type(error), f"backward: {actual_error!r} != {error!r}"
        return
    if known_gap(error, actual_error):
        on_gap()                             # see KNOWN_GAPS
    assert actual_error is None, f"backward: chainrule raised {actual_error!r}"
    for i, (a, e) in enumerate(zip(actual["grads"], expected["grads"])):
        assert (a is None) == (e is None), f"gradient {i}: {a!r} != {e!r}"
        if e is not None:
            assert_close(a, e, f"gradient {i}", precision(program))


@BUDGET
@given(programs())
def test_program_runs_as_in_pytorch(program):
    note(source(program))
    assert_same_run(program, report=note)


def program(text):
    """A ``Program`` from a script's text (leaves are named a-d; indented lines join)."""
    statements = []
    for line in text.strip().split("\n"):
        if line.startswith("    "):
            statements[-1] += "\n" + line
        else:
            statements.append(line.strip())
    leaves = [s for s in statements if s[0] in "abcd"]
    return Program(leaves, [s for s in statements if s[0] not in "abcd"])


# Every failure the fuzzer found, shrunk, and fixed. (They run without Hypothesis.)
FOUND = {
    "narrow_0dim": "a = torch.tensor(0.1257)\nt0 = a.narrow(0, 0, 1)",
    "flip_0dim": "a = torch.tensor(0.5, requires_grad=True)\nt0 = a.flip(0)\nt1 = a.flip(-1)",
    "unbind_0dim": "a = torch.tensor(0.5)\nt0 = a.unbind(0)[0]",
    "expand_no_size": "a = torch.tensor([0.5])\nt0 = a.expand()",
    "index_select_0dim": "a = torch.tensor(-0.6664)\nt0 = a.index_select(-1, torch.tensor([0, 0]))",
    "lerp_dtypes": "a = torch.tensor(0.0466, dtype=torch.float64)\nb = torch.tensor(-0.8254)\n"
                   "t0 = torch.lerp(a, b, 0.3)",
    "gather_0dim": "a = torch.tensor(0.25, requires_grad=True)\n"
                   "t0 = torch.gather(a, -1, torch.zeros_like(a, dtype=torch.int64))\n"
                   "t1 = torch.gather(a, 0, torch.tensor([0, 0]))",
    "setitem_leading_ones": "a = torch.tensor([[0.1891, 2.0]], requires_grad=True)\n"
                            "b = torch.tensor([[5.0]], requires_grad=True)\n"
                            "t0 = a * 1\nt0[0, 1] = b",
    "setitem_0dim_index_first": "a = torch.tensor(-0.9222, requires_grad=True)\na[0] = a",
    "sign_nan": "a = torch.tensor(-0.6518, requires_grad=True)\nt0 = a.log()\nt1 = t0.sign()",
    "softmax_0dim_nan": "a = torch.tensor(-0.1257)\nt0 = a ** -1.5\nt1 = t0.softmax(0)\n"
                        "t2 = t0.log_softmax(0)",
    # in-place ops and views (autograd/views.py): CopySlices, rebuilt views, refusals
    "saved_output_of_inplace": "a = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                               "t0 = a * 1\nt0.sigmoid_()\nt0.mul_(2)",
    "inplace_on_unbind_output": "a = torch.tensor([[1.0, 2.0]], requires_grad=True)\n"
                                "t0 = a * 1\nt1 = t0.unbind(0)[0]\nt1.mul_(2)",
    "view_not_rebased": "a = torch.tensor(0.1257, requires_grad=True)\nt0 = a.sin()\n"
                        "t1 = t0.reshape(-1)\nt0.mul_(2)",
    "base_of_view_joins_graph": "a = torch.tensor(0.1257)\nb = torch.tensor(0.5, "
                                "requires_grad=True)\nt0 = a.reshape(-1)\nt1 = a.add_(b)",
    "inplace_on_expanded": "a = torch.tensor(-0.2996)\nt0 = a.expand(2, 3)\nt0.mul_(2)",
    "inplace_on_view": "a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\nt0 = a * 1\n"
                       "t1 = t0[1:]\nt1.mul_(a[:2])\nt2 = t0.t()",
    "inplace_on_view_of_view": "a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], "
                               "requires_grad=True)\nt0 = a.exp()\nt1 = t0.t()[1]\n"
                               "t2 = t1.unsqueeze(0)\nt2.mul_(3)\nt3 = t0[0]",
    "setitem_on_view": "a = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)\n"
                       "t0 = a * 1\nt1 = t0.view(2, 2)\nt1[0] = a[2:] * 2",
    "view_of_non_grad_joins": "a = torch.ones(2, 2)\nb = torch.tensor([1.0, 2.0], "
                              "requires_grad=True)\nt0 = a[0]\nt1 = t0.add_(b)\nt2 = a * 1",
    "no_grad_view_inplace": "a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\n"
                            "t0 = a * 1\nwith torch.no_grad():\n    t1 = t0[:2]\nt1.mul_(2)",
    "reciprocal_saves_output": "a = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                               "t0 = a.reciprocal()\nt0.sub_(1)",
    "mul_saves_unneeded_input": "a = torch.tensor(0.1257, requires_grad=True)\n"
                                "b = torch.tensor(0.5)\nt0 = a.sin()\nt1 = b * t0\nt0.mul_(2)",
    "masked_fill_on_expanded": "a = torch.tensor(0.1257)\nt0 = a.expand(2)\n"
                               "t1 = t0.masked_fill_(a > 0, 0.)",
    "unbind_views": "a = torch.tensor([0.1257], requires_grad=True)\nt0 = a.unbind(-1)[-1]\n"
                    "with torch.no_grad():\n    a.mul_(2)",
    "div_saves_unneeded_input": "a = torch.tensor(0.1257)\nd = torch.tensor(0.1257, "
                                "requires_grad=True)\nt0 = d / a\nwith torch.no_grad():\n"
                                "    d.mul_(2)",
}


@pytest.mark.parametrize("text", FOUND.values(), ids=FOUND.keys())
def test_found_by_the_fuzzer(text):
    assert_same_run(program(text), report=print)
