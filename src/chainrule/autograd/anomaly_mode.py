"""Anomaly detection, as PyTorch's ``torch.autograd.detect_anomaly``.

While it is on, every recorded op remembers the line of *your* code that
created it, and after each backward formula runs its results are checked for
NaN. The first NaN stops the backward pass with PyTorch's error, and a warning
shows the forward line that made the guilty node:

>>> import warnings
>>> import chainrule as torch
>>> x = torch.tensor([0.0, 1.0], requires_grad=True)
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     with torch.autograd.detect_anomaly():
...         y = torch.log(x * 0)          # log(0) = -inf; its derivative 1/0 ...
...         (y * 0).sum().backward()      # ... times 0 is nan
Traceback (most recent call last):
    ...
RuntimeError: Function 'LogBackward0' returned nan values in its 0th output.

How it is wired (costs nothing while off): ``graph.WATCH`` is None, and
``Node.apply`` checks only that. Turning a watcher on (this module, or
``chainrule.teach``) sets it to ``_watched_apply``, which runs the op and
then shows its result to each watcher; the NaN check is one entry in
``engine.OBSERVERS``, added and removed with the mode.
"""
import os
import warnings

from . import engine, graph

_STATE = {"enabled": False, "check_nan": True}
_WATCHERS = []          # watcher(cls, inputs, result) after each op, while any is on
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---- the seam in Node.apply, shared with teaching mode -----------------------------
def _watched_apply(cls, inputs, params):
    """``Node.apply`` while a watcher is on: run the op, then show it to the watchers."""
    graph.WATCH = None                  # ops run inside an op or a watcher are not watched
    try:
        result = cls.apply(*inputs, **params)
        for watcher in list(_WATCHERS):
            watcher(cls, inputs, result)
    finally:
        graph.WATCH = _watched_apply if _WATCHERS else None
    return result


def add_watcher(watcher):
    """Call ``watcher(cls, inputs, result)`` after every op (turns the seam on)."""
    if watcher not in _WATCHERS:
        _WATCHERS.append(watcher)
    graph.WATCH = _watched_apply


def remove_watcher(watcher):
    """Stop calling ``watcher``; with none left, ``Node.apply`` is back to one check."""
    if watcher in _WATCHERS:
        _WATCHERS.remove(watcher)
    if not _WATCHERS:
        graph.WATCH = None


def learner_stack():
    """The current call stack without chainrule's frames, formatted as a traceback."""
    import traceback                    # only needed while anomaly mode is on
    frames = [f for f in traceback.extract_stack()[:-1]
              if not f.filename.startswith(_PACKAGE_DIR + os.sep)
              and not f.filename.startswith("<frozen")]
    return "".join(traceback.format_list(frames))


# ---- anomaly mode --------------------------------------------------------------------
def _record_forward_line(cls, inputs, result):
    """Remember, on the node just recorded, where the learner's code created it."""
    out = result[0] if result.__class__ is tuple else result
    node = getattr(out, "grad_fn", None)
    if node is not None and getattr(node, "_anomaly_trace", None) is None:
        node._anomaly_trace = learner_stack()


def _check_nan(node, grads_in, grads_out):
    """Observer: stop the backward pass at the first backward formula that returns NaN."""
    if not _STATE["check_nan"]:
        return
    for i, g in enumerate(grads_in):
        if g is not None and g._data.dtype.kind == "f" and (g._data != g._data).any():
            trace = getattr(node, "_anomaly_trace", None)
            if trace:
                warnings.warn(f"Error detected in {node.name()}. Traceback of forward call "
                              f"that caused the error:\n{trace}", UserWarning, stacklevel=2)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its "
                               f"{i}th output.")


def _set_enabled(mode, check_nan):
    _STATE["enabled"], _STATE["check_nan"] = bool(mode), bool(check_nan)
    if mode:
        add_watcher(_record_forward_line)
        if _check_nan not in engine.OBSERVERS:
            engine.OBSERVERS.append(_check_nan)
    else:
        remove_watcher(_record_forward_line)
        if _check_nan in engine.OBSERVERS:
            engine.OBSERVERS.remove(_check_nan)


def is_anomaly_enabled():
    """True while anomaly detection is on."""
    return _STATE["enabled"]


def is_anomaly_check_nan_enabled():
    """True while anomaly detection also checks backward results for NaN."""
    return _STATE["check_nan"]


class detect_anomaly:
    """Context manager (or decorator) that turns anomaly detection on inside it.

    >>> import chainrule as torch, warnings
    >>> with warnings.catch_warnings(record=True):
    ...     with torch.autograd.detect_anomaly():
    ...         torch.is_anomaly_enabled()
    True
    >>> torch.is_anomaly_enabled()
    False
    """

    def __init__(self, check_nan=True):
        self.prev = is_anomaly_enabled()
        self.check_nan = check_nan
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the "
                      "runtime and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        _set_enabled(True, self.check_nan)

    def __exit__(self, *args):
        _set_enabled(self.prev, self.prev_check_nan)

    def __call__(self, func):
        def wrapped(*args, **kwargs):
            with self.__class__(self.check_nan):
                return func(*args, **kwargs)
        wrapped.__name__, wrapped.__doc__ = func.__name__, func.__doc__
        return wrapped


class set_detect_anomaly:
    """Turn anomaly detection on or off now; as a context manager, restore it after.

    >>> import chainrule as torch
    >>> _ = torch.autograd.set_detect_anomaly(True, check_nan=False)
    >>> torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled()
    (True, False)
    >>> _ = torch.autograd.set_detect_anomaly(False)
    """

    def __init__(self, mode, check_nan=True):
        self.prev = is_anomaly_enabled()
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        _set_enabled(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *args):
        _set_enabled(self.prev, self.prev_check_nan)
