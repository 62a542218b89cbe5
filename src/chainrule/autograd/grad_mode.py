"""Grad mode: whether operations record the graph that ``backward`` walks.

Grad mode is per thread, as in PyTorch: ``no_grad`` in one thread does not stop
another thread from recording.

>>> import chainrule as torch
>>> x = torch.ones(2, requires_grad=True)
>>> with torch.no_grad():
...     y = x * 2
>>> y.requires_grad
False

Every switch is also a decorator, with or without parentheses
(``@torch.no_grad`` or ``@torch.no_grad()``); a decorated generator runs each
step under the switch.
"""
import functools
import inspect
import threading


class _GradState(threading.local):
    """Per-thread flags; a new thread starts with grad mode on."""
    enabled = True
    inference = False


STATE = _GradState()


def is_grad_enabled():
    """True when new operations record the graph."""
    return STATE.enabled


def is_inference_mode_enabled():
    """True inside ``inference_mode()``."""
    return STATE.inference


class _GradModeContext:
    """Base of the grad-mode switches: a context manager that is also a decorator."""

    def __call__(self, func):
        make = self.clone
        if inspect.isgeneratorfunction(func):
            return _wrap_generator(make, func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with make():
                return func(*args, **kwargs)
        return wrapper

    def clone(self):
        """A fresh switch of the same kind (each decorated call enters its own)."""
        return self.__class__()


def _wrap_generator(make, func):
    """Run each step of the generator ``func`` under a fresh ``make()`` switch."""
    @functools.wraps(func)
    def generator(*args, **kwargs):
        gen = func(*args, **kwargs)
        try:
            with make():
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with make():
                        gen.close()
                    raise
                except BaseException as e:
                    with make():
                        response = gen.throw(e)
                else:
                    with make():
                        response = gen.send(request)
        except StopIteration as stop:
            return stop.value
    return generator


class _NoParamContext(_GradModeContext):
    """A switch that also decorates without parentheses: ``@torch.no_grad``."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamContext):
    """Context manager and decorator that stops graph recording.

    Use it for the weight update of a hand-written training loop, and for
    evaluation.
    """

    def __enter__(self):
        self.prev = STATE.enabled
        STATE.enabled = False

    def __exit__(self, *exc):
        STATE.enabled = self.prev
        return False


class enable_grad(_NoParamContext):
    """Context manager and decorator that turns graph recording back on."""

    def __enter__(self):
        self.prev = STATE.enabled
        STATE.enabled = True

    def __exit__(self, *exc):
        STATE.enabled = self.prev
        return False


class set_grad_enabled(_GradModeContext):
    """``set_grad_enabled(False)`` as a call, a context manager or a decorator.

    As a call it takes effect at once (``torch.set_grad_enabled(False)``); as a
    context manager the previous mode comes back on exit.
    """

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'enabled' (position 1) must be "
                            f"bool, not {type(mode).__name__}")
        self.prev = STATE.enabled
        self.mode = mode
        STATE.enabled = mode

    def __call__(self, func):
        STATE.enabled = self.prev          # decorating must not switch the mode now
        return super().__call__(func)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        STATE.enabled = self.prev
        return False

    def clone(self):
        return self.__class__(self.mode)

    def __repr__(self):
        return f"torch.autograd.grad_mode.set_grad_enabled(mode={self.mode})"


class inference_mode(_GradModeContext):
    """Like ``no_grad`` for running a trained model.

    chainrule has no separate inference tensors: tensors made inside behave as
    those made under ``no_grad`` (PyTorch would also refuse to use them in a
    graph later).
    """

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)                  # @torch.inference_mode without parentheses

    def __init__(self, mode=True):
        self.mode = mode

    def __enter__(self):
        # as in PyTorch, inference_mode(False) turns grad mode on
        self.prev = (STATE.enabled, STATE.inference)
        STATE.enabled = not self.mode
        STATE.inference = self.mode

    def __exit__(self, *exc):
        STATE.enabled, STATE.inference = self.prev
        return False

    def clone(self):
        return self.__class__(self.mode)
