"""The nodes of the computation graph.

Every differentiable operation is a ``Node`` subclass with ``forward`` directly
above ``backward``. Calling ``Op.apply(x, y)`` runs ``forward`` on the inputs
and, when grad mode is on and an input requires grad, keeps the node as the
result's ``grad_fn``: a record of how to send a gradient back to each input.

    forward(self, *inputs)  -> NumPy array (or a tuple of arrays)
    backward(self, grad)    -> one gradient Tensor (or None) per input

``backward`` is written with tensor operations, so that ``create_graph=True`` can
record it and differentiate again. A few ops of every training step also have
``fast_backward``: the same formula on the NumPy arrays, which the engine calls
when nothing is recorded (the common case). It skips the op machinery of each
step of the formula, and rounds exactly as ``backward`` does: it only runs when
its operands have the gradient's dtype, and otherwise hands over to ``backward``.

Edges. ``node._edges[i]`` says where the gradient for input ``i`` goes:
``None`` (the input needs no gradient) or a tuple
``(target, output_nr, shape, numpy_dtype)``. ``target`` is the node that made
the input, or the input tensor itself when it is a leaf: a leaf is its own
gradient accumulator, so no extra object and no reference cycle is needed.
The shape and dtype let the engine undo broadcasting and type promotion in
one place (``engine._fit_to_input``).

Sequence numbers. Every recorded node takes the next number of one counter
(``node._seq``), as in PyTorch. A node's inputs were made before it, so they
have smaller numbers: the backward pass runs the nodes from the largest down.
"""
import itertools
import re

from . import grad_mode
from .._dtype import legacy_type_name

_STATE = grad_mode.STATE
next_sequence_nr = itertools.count(1).__next__
# Teaching/anomaly mode's seam (issue 6): None unless chainrule.teach() or
# detect_anomaly() is on; then Node.apply hands the op to it (see anomaly_mode.py).
WATCH = None

_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved "
    "tensors after they have already been freed). Saved intermediate values of the "
    "graph are freed when you call .backward() or autograd.grad(). Specify "
    "retain_graph=True if you need to backward through the graph a second time or if "
    "you need to access saved tensors after calling backward.")


class Node:
    """A recorded operation: the ``grad_fn`` of the tensors it produced.

    Subclasses set ``torch_name`` (PyTorch's name, e.g. ``"MulBackward0"``) and
    define ``forward``/``backward``. ``num_outputs`` is the number of arrays
    ``forward`` returns as a tuple (1 means it returns a single array).
    """

    torch_name = "Backward0"
    num_outputs = 1
    # True when backward reuses the op's own output (exp, sigmoid, tanh, sqrt...)
    saves_result = False
    # True when the output shares the input's memory (view, transpose, x[0], ...)
    is_view = False
    # outputs that never carry a gradient (e.g. the indices of max(dim))
    non_differentiable = ()
    # a multi-output node's backward gets zeros for outputs that received no gradient
    materialize_grads = True
    # backward on NumPy arrays for a backward pass that records nothing (see above)
    fast_backward = None

    # Defaults as class attributes, so creating a node sets nothing it doesn't use.
    _edges = ()
    _seq = 0                    # set when recorded (see "Sequence numbers" above)
    _saved = None
    _versions = None
    _freed = False
    _pre_hooks = None
    _hooks = None
    _retained = None
    _result_data = None
    _result_version = None      # the output's version counter, and the version it
    _result_expected = 0        # must still have (1 after an in-place op: y.sigmoid_())
    _output_meta = None

    # ---- recording --------------------------------------------------------
    @classmethod
    def apply(cls, *inputs, **params):
        """Run the op on ``inputs`` (Tensors and plain values) and record it.

        ``params`` are non-differentiable settings (dims, shapes, flags); they are
        passed to ``forward`` by keyword.
        """
        if WATCH is not None:                   # teaching/anomaly mode only (issue 6)
            return WATCH(cls, inputs, params)
        node = cls()
        out = node.forward(*inputs, **params)
        edges = None
        if _STATE.enabled:
            for x in inputs:
                if isinstance(x, Tensor):
                    view = x._view
                    if view is not None and view[1] != x._version_counter[0]:
                        views.refresh(x)        # its base changed in place since
                    if x._requires_grad:
                        # integer and bool results carry no gradient (x.long(), x.argmax())
                        if out.__class__ is tuple or out.dtype.kind == "f":
                            edges = []
                            for x in inputs:        # (a loop: cheaper than a list display)
                                edges.append(_edge(x) if isinstance(x, Tensor) else None)
                        break
        if edges is None:                                   # not recorded: just the values
            if out.__class__ is not tuple:
                result = Tensor._make(out)
                if node.is_view:
                    views.share_memory(result, inputs[0])
                return result
            return _views(tuple(Tensor._make(o) for o in out), node, inputs)
        node._edges = edges
        node._seq = next_sequence_nr()
        saved = node._saved
        if saved is not None:
            node._versions = versions = []
            for t in saved:
                versions.append(t._version_counter[0] if isinstance(t, Tensor) else None)
        if out.__class__ is not tuple:
            result = Tensor._make(out, node)
            if node.is_view:
                views.share_memory(result, inputs[0])
            if cls.saves_result:
                node._result_data = out
                node._result_version = result._version_counter
            return result
        node._output_meta = [(o.shape, o.dtype) for o in out]
        return _views(tuple(Tensor._make(o) if i in cls.non_differentiable or o.dtype.kind != "f"
                            else Tensor._make(o, node, i) for i, o in enumerate(out)),
                      node, inputs)

    def save_for_backward(self, *values):
        """Keep values that ``backward`` needs; they are freed after backward."""
        self._saved = values

    @property
    def saved_tensors(self):
        """The saved values, checked: not freed, not modified in place since."""
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        saved = self._saved
        if saved is None:
            return ()
        for t, v in zip(saved, self._versions):
            if v is not None and t._version_counter[0] != v:
                raise RuntimeError(_modified_message(t, v, self))
        return saved

    def saved(self, i):
        """Saved value ``i`` alone, checked as ``saved_tensors`` checks them all (for a
        backward that needs only some of them)."""
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        t, v = self._saved[i], self._versions[i]
        if v is not None and t._version_counter[0] != v:
            raise RuntimeError(_modified_message(t, v, self))
        return t

    @property
    def result(self):
        """The op's output, for backward formulas that reuse it (``d exp(x) = exp(x)``).

        Rebuilt as a tensor whose ``grad_fn`` is this node, so that
        ``create_graph=True`` can differentiate through it again.
        """
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        if self._result_version[0] != self._result_expected:
            out = Tensor._make(self._result_data, self)
            out._version_counter = self._result_version
            raise RuntimeError(_modified_message(out, self._result_expected, self))
        return Tensor._make(self._result_data, self)

    def saved_array(self, i, dtype):
        """Saved value ``i`` as a ``fast_backward`` uses it: the array of a tensor of
        ``dtype``, or a Python number; None for a tensor of another dtype (promotion is
        ``backward``'s business). Checked as ``saved`` checks it."""
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        v = self._saved[i]
        if v.__class__ is float or v.__class__ is int:
            return v
        if isinstance(v, Tensor) and v._data.dtype == dtype:
            if v._version_counter[0] != self._versions[i]:
                self.saved(i)                       # raises the version error
            return v._data
        return None

    def needs_input_grad(self, i):
        """True when input ``i`` should receive a gradient."""
        return self._edges[i] is not None

    def release(self):
        """Free the saved values (what ``retain_graph=False`` does after backward)."""
        if self._saved is not None or self._result_data is not None:
            self._saved = None
            self._result_data = None
            self._freed = True

    # ---- PyTorch's introspection API ----------------------------------------
    def name(self):
        """PyTorch's name: ``"MulBackward0"``; nodes of PyTorch's autograd core itself
        carry their C++ namespace (``"torch::autograd::CopySlices"``)."""
        if self.torch_name in _CORE_NODES:
            return "torch::autograd::" + self.torch_name
        return self.torch_name

    @property
    def next_functions(self):
        """PyTorch's view of the edges: ``((node_or_AccumulateGrad, output_nr), ...)``."""
        result = []
        for e in self._edges:
            if e is None:
                result.append((None, 0))
            elif isinstance(e[0], Tensor):
                result.append((AccumulateGrad(e[0]), 0))
            else:
                result.append((e[0], e[1]))
        return tuple(result)

    def register_hook(self, hook):
        """``hook(grad_inputs, grad_outputs)`` runs after this node's backward."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _RemovableHandle(self._hooks, hook)

    def register_prehook(self, hook):
        """``hook(grad_outputs)`` runs before this node's backward; may replace them."""
        _pre_hooks(self).append(hook)
        return _RemovableHandle(self._pre_hooks, hook)

    def __repr__(self):
        return f"<{self.torch_name} object at {hex(id(self))}>"

    def __call__(self, *grads):
        return self.backward(*grads)


# Nodes written by hand in PyTorch's autograd core rather than generated per op.
_CORE_NODES = frozenset({"CopySlices", "CopyBackwards", "AccumulateGrad", "GraphRoot",
                         "Error", "DelayedError"})


class AccumulateGrad:
    """What PyTorch shows in ``next_functions`` for a leaf tensor."""

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "torch::autograd::AccumulateGrad"

    @property
    def next_functions(self):
        return ()

    def __eq__(self, other):
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self):
        return id(self.variable)

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"


# Set by the first hook registered on any node or tensor (each registration makes a
# handle). Until then nothing can tell when a leaf's gradient was accumulated, and the
# engine saves itself a pass over the graph (see engine.run_backward).
HOOKED = [False]


class _RemovableHandle:
    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook
        HOOKED[0] = True

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _pre_hooks(node):
    if node._pre_hooks is None:
        node._pre_hooks = []
    return node._pre_hooks


def _views(results, node, inputs):
    if node.is_view:                  # unbind, split, chunk: several views at once
        for r in results:
            views.share_memory(r, inputs[0], several=True)
    return results


def _edge(t):
    """Where the gradient of input ``t`` goes (see the module docstring)."""
    view = t._view
    if view is not None and view[1] != t._version_counter[0]:
        views.refresh(t)
    fn = t._grad_fn
    if fn is not None:
        return (fn, t._output_nr, t._data.shape, t._data.dtype)
    if t._requires_grad:
        return (t, 0, t._data.shape, t._data.dtype)
    return None


def _modified_message(t, expected, node):
    shape = ", ".join(str(s) for s in t._data.shape)
    where = ""
    if t._grad_fn is not None:
        producer = re.sub(r"Backward\d*$", "", t._grad_fn.name())
        where = f", which is output {t._output_nr} of {producer},"
    return (
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [{legacy_type_name(t.dtype)} [{shape}]]{where} is at version "
        f"{t._version_counter[0]}; expected version {expected} instead. Hint: enable anomaly "
        "detection to find the operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False).")


from .._tensor import TensorBase as Tensor  # noqa: E402  (needs this module first)
from . import views  # noqa: E402
