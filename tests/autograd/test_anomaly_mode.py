"""Anomaly detection against PyTorch: the same error, the same warnings, the forward line."""
import warnings

import pytest
import torch

import chainrule
from chainrule.autograd import engine, graph

PROGRAM = """x = torch.tensor([0.0, 1.0], requires_grad=True)
with torch.autograd.detect_anomaly():
    y = torch.log(x * 0)
    (y * 0).sum().backward()
"""


def run(lib, source=PROGRAM):
    """Run ``source`` with ``torch`` bound to ``lib``; return (error, warnings)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(compile(source, "<anomaly>", "exec"), {"torch": lib})
        except RuntimeError as e:
            return e, [str(w.message) for w in caught]
    return None, [str(w.message) for w in caught]


def test_nan_in_backward_raises_pytorchs_error():
    theirs, their_warnings = run(torch)
    ours, our_warnings = run(chainrule)
    assert type(ours) is type(theirs) and str(ours) == str(theirs)
    assert str(ours) == "Function 'LogBackward0' returned nan values in its 0th output."
    assert our_warnings[0] == their_warnings[0]          # "Anomaly Detection has been enabled..."


def test_warning_shows_the_forward_line_that_made_the_node():
    _, our_warnings = run(chainrule)
    trace = [w for w in our_warnings if w.startswith("Error detected in LogBackward0")]
    assert len(trace) == 1
    assert 'File "<anomaly>", line 3, in <module>' in trace[0]
    assert chainrule.__path__[0] not in trace[0]         # no internal frame named


def test_without_anomaly_mode_nan_passes_silently():
    source = PROGRAM.replace("torch.autograd.detect_anomaly()", "torch.no_grad() if False "
                             "else torch.enable_grad()")
    assert run(torch, source)[0] is None
    assert run(chainrule, source)[0] is None


def test_check_nan_false_does_not_raise():
    source = PROGRAM.replace("detect_anomaly()", "detect_anomaly(check_nan=False)")
    assert run(torch, source)[0] is None
    assert run(chainrule, source)[0] is None


@pytest.mark.parametrize("lib", [torch, chainrule])
def test_set_detect_anomaly_and_queries(lib):
    lib.autograd.set_detect_anomaly(True, check_nan=False)
    try:
        assert (lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()) == (True, False)
    finally:
        lib.autograd.set_detect_anomaly(False)
    assert lib.is_anomaly_enabled() is False
    with lib.autograd.set_detect_anomaly(True):
        assert lib.is_anomaly_enabled()
    assert not lib.is_anomaly_enabled()


def test_decorator_form():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        @chainrule.autograd.detect_anomaly()
        def inside():
            return chainrule.is_anomaly_enabled()
    assert inside() is True and chainrule.is_anomaly_enabled() is False


def test_off_leaves_the_hot_path_alone():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with chainrule.autograd.detect_anomaly():
            assert graph.WATCH is not None
    assert graph.WATCH is None
    assert not any(getattr(o, "__module__", "").endswith("anomaly_mode")
                   for o in engine.OBSERVERS)


def test_results_unchanged_in_anomaly_mode():
    x = chainrule.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with chainrule.autograd.detect_anomaly():
            (x.exp() * x).sum().backward()
    expected = torch.tensor([1.0, 2.0], requires_grad=True)
    (expected.exp() * expected).sum().backward()
    assert x.grad.tolist() == pytest.approx(expected.grad.tolist())
