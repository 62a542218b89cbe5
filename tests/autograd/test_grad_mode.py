"""Grad mode switches (no_grad, enable_grad, set_grad_enabled, inference_mode), compared
with PyTorch: as context managers, as decorators (with and without parentheses, on
functions and generators), nested, after an exception, and per thread.
"""
import threading

import pytest
import torch

import chainrule


def same(fn):
    """``fn(lib)`` gives the same plain-Python result (or error) with both libraries."""
    outcomes = []
    for lib in (torch, chainrule):
        try:
            outcomes.append(("ok", fn(lib)))
        except Exception as e:                     # the error is part of what we compare
            outcomes.append(("error", type(e), str(e)))
        finally:
            assert lib.is_grad_enabled(), "a test must leave grad mode on"
    assert outcomes[1] == outcomes[0]


def recorded(lib):
    """Whether an op on a tensor that requires grad is recorded right now."""
    y = lib.ones(2, requires_grad=True) * 2
    return y.requires_grad, y.grad_fn is not None


SWITCHES = {
    "no_grad": lambda lib: lib.no_grad(),
    "enable_grad": lambda lib: lib.enable_grad(),
    "set_grad_enabled(False)": lambda lib: lib.set_grad_enabled(False),
    "set_grad_enabled(True)": lambda lib: lib.set_grad_enabled(True),
    "inference_mode": lambda lib: lib.inference_mode(),
    "inference_mode(False)": lambda lib: lib.inference_mode(False),
    "autograd.no_grad": lambda lib: lib.autograd.no_grad(),
    "autograd.grad_mode.no_grad": lambda lib: lib.autograd.grad_mode.no_grad(),
}
OUTER = {"on": lambda lib: lib.enable_grad(), "off": lambda lib: lib.no_grad()}


@pytest.mark.parametrize("outer", OUTER)
@pytest.mark.parametrize("switch", SWITCHES)
def test_as_context_manager(switch, outer):
    def run(lib):
        with OUTER[outer](lib):
            with SWITCHES[switch](lib) as entered:
                inside = (lib.is_grad_enabled(), lib.is_inference_mode_enabled(),
                          recorded(lib), entered)
            return inside, lib.is_grad_enabled(), recorded(lib)
    same(run)


@pytest.mark.parametrize("outer", OUTER)
@pytest.mark.parametrize("switch", SWITCHES)
def test_as_decorator(switch, outer):
    def run(lib):
        @SWITCHES[switch](lib)
        def f(a, b=1):
            """A docstring."""
            return lib.is_grad_enabled(), recorded(lib), a + b

        at_definition = lib.is_grad_enabled()
        with OUTER[outer](lib):
            first, second = f(1), f(2, b=3)
            after = lib.is_grad_enabled()
        return at_definition, first, second, after, f.__name__, f.__doc__
    same(run)


@pytest.mark.parametrize("switch", ["no_grad", "enable_grad", "inference_mode"])
def test_as_decorator_without_parentheses(switch):
    def run(lib):
        @getattr(lib, switch)
        def f(x):
            return lib.is_grad_enabled(), (x * 2).requires_grad

        with lib.no_grad():
            off = f(lib.ones(1, requires_grad=True))
        return off, f(lib.ones(1, requires_grad=True)), f.__name__
    same(run)


@pytest.mark.parametrize("switch", ["no_grad", "enable_grad", "set_grad_enabled(False)",
                                    "inference_mode"])
def test_decorated_generator_runs_each_step_under_the_switch(switch):
    def run(lib):
        @SWITCHES[switch](lib)
        def steps(n):
            for i in range(n):
                received = yield i, lib.is_grad_enabled()
                if received is not None:
                    yield "got", received, lib.is_grad_enabled()

        with lib.no_grad():
            gen = steps(3)
            first = next(gen)
        outside = lib.is_grad_enabled()
        second = gen.send("hello")
        rest = list(gen)
        return first, outside, second, rest, lib.is_grad_enabled()
    same(run)


def test_set_grad_enabled_as_a_call():
    def run(lib):
        lib.set_grad_enabled(False)
        off = (lib.is_grad_enabled(), recorded(lib))
        lib.set_grad_enabled(True)
        return off, lib.is_grad_enabled(), recorded(lib)
    same(run)
    same(lambda lib: repr(lib.set_grad_enabled(True)))
    same(lambda lib: lib.set_grad_enabled("a"))
    same(lambda lib: lib.set_grad_enabled(1))


def test_training_step_pattern():
    """The hand-written SGD step of a course: update in place under no_grad."""
    def run(lib):
        w = lib.tensor([1.0, -2.0], requires_grad=True)
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
        for _ in range(3):
            loss = ((x @ w) ** 2).mean()
            loss.backward()
            with lib.no_grad():
                w -= 0.01 * w.grad
            w.grad.zero_()
        return w.tolist(), w.requires_grad, w.is_leaf, w.grad.tolist()
    same(run)


@pytest.mark.parametrize("switch", SWITCHES)
def test_an_exception_restores_the_mode(switch):
    def run(lib):
        with lib.no_grad():
            try:
                with SWITCHES[switch](lib):
                    raise KeyError("boom")
            except KeyError:
                pass
            inner = lib.is_grad_enabled()
        return inner, lib.is_grad_enabled()
    same(run)


def test_results_made_without_grad():
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        with lib.no_grad():
            y = x * 2
            z = (x + 1).sum()
        return [(t.requires_grad, t.is_leaf, t.grad_fn is None) for t in (y, z)]
    same(run)


def test_is_grad_enabled_is_per_thread():
    def run(lib):
        seen = {}
        ready, done = threading.Event(), threading.Event()

        def worker():
            seen["start"] = lib.is_grad_enabled()
            with lib.no_grad():
                seen["worker off"] = recorded(lib)
                ready.set()
                done.wait(10)
            seen["end"] = lib.is_grad_enabled()

        thread = threading.Thread(target=worker)
        with lib.no_grad():
            thread.start()
            ready.wait(10)
            main_off = recorded(lib)
        main_on = recorded(lib)                  # the worker is still inside no_grad
        done.set()
        thread.join(10)
        return seen, main_off, main_on
    same(run)


def test_clone():
    same(lambda lib: type(lib.no_grad().clone()).__name__)
    same(lambda lib: type(lib.set_grad_enabled(True).clone()).__name__)
