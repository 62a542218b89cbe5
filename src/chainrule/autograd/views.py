"""Views and in-place operations: how a write through one tensor reaches the graph
of every tensor that shares its memory.

A *view* shares its base's memory: ``v = b[1:]``, ``b.t()``, ``b.reshape(-1)``
(when no copy is needed), ``b.unbind(0)``. Writing through one of them changes
the others, so an in-place op must change their *graphs* too, as PyTorch does:

* An in-place op on a view, ``v.mul_(2)`` with ``v = b[1:]``, changes ``b``.
  ``b``'s new ``grad_fn`` is a ``CopySlices`` node: "the old ``b``, except at
  ``v``'s positions, which now hold the op's result ``r``". Its gradients::

      dL/d(old b) = dL/d(new b), with v's positions set to 0 (those were overwritten)
      dL/dr       = dL/d(new b) at v's positions

  PyTorch's CopySlices keeps the op's node inside itself; chainrule's points to
  it as its second input, so the op appears in the graph as a node of its own.

* Every view of ``b`` (``v`` itself, and any other) now holds values made by
  ``b``'s new ``grad_fn``, so its own ``grad_fn`` is rebuilt as
  ``AsStridedBackward0``: "the elements of ``b`` at the view's positions". Its
  gradient adds ``dL/dview`` into a zero tensor of ``b``'s shape at those
  positions. The same happens when ``b`` itself is changed in place.

The rebuilding is lazy. A view remembers the version of the shared memory its
``grad_fn`` was made for, ``t._view = (base, version, creation)``, and
``refresh`` rebuilds it when that version has moved on, the first time the
view's ``grad_fn`` or ``requires_grad`` is read or an op uses it.

``creation`` says how the view was made: ``"default"``; ``"no_grad"`` (under
``torch.no_grad()``); ``"multi"`` (one of several views returned together by
``unbind``, ``split`` or ``chunk``). PyTorch refuses to rebuild the last two in
grad mode, because which gradient they should carry is ambiguous, and so does
chainrule, with PyTorch's messages.

>>> import chainrule as torch
>>> a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> b = a * 1
>>> v = b[1:]
>>> v.mul_(10)
tensor([20., 30.], grad_fn=<AsStridedBackward0>)
>>> b
tensor([ 1., 20., 30.], grad_fn=<CopySlices>)
>>> b.sum().backward()
>>> a.grad
tensor([ 1., 10., 10.])
"""
import re

import numpy as np

from . import grad_mode
from .graph import Node, _edge, next_sequence_nr

_STATE = grad_mode.STATE


def share_memory(view, base, several=False):
    """Record that ``view``, just made from ``base`` by a view op, shares its memory.

    A view of a view records the first base, as PyTorch does (``v._base``).
    ``several``: one of the views an op returned together (``unbind``, ``split``).
    """
    counter = base._version_counter
    view._version_counter = counter
    if not _STATE.enabled:
        creation = "no_grad"
    else:
        creation = "multi" if several else "default"
    parent = base._view
    if parent is None:
        view._view = (base, counter[0], creation)
    else:            # a plain view of a special view stays special
        view._view = (parent[0], counter[0], parent[2] if creation == "default" else creation)


def refresh(view):
    """Rebuild the ``grad_fn`` of a view whose memory was changed in place since."""
    base, _, creation = view._view
    now = view._version_counter[0]
    if view._grad_fn is None and not base._requires_grad:
        view._view = (base, now, creation)          # outside the graph: nothing to rebuild
        return
    if creation != "default":
        raise RuntimeError(_refusal(view, creation, indirect=True))
    _rebuild(view, _positions(view._data, base._data))


def check_rebase(view):
    """Refuse an in-place op that would be recorded on a no-grad or multi-output view."""
    creation = view._view[2]
    if creation != "default":
        raise RuntimeError(_refusal(view, creation, indirect=False))


def rebase(view, result):
    """``view`` was just overwritten by ``result`` (recorded): rewire its base's graph.

    The base's ``grad_fn`` becomes a ``CopySlices`` of its old one and ``result``'s,
    and the view's is rebuilt on top of it.
    """
    base = view._view[0]
    positions = _positions(view._data, base._data)
    node = CopySlices()
    node.positions = positions
    node.base_shape = base._data.shape
    node.view_shape = view._data.shape
    node._edges = [_edge(base), (result._grad_fn, result._output_nr, view._data.shape,
                                 view._data.dtype)]
    node._seq = next_sequence_nr()
    base._grad_fn = node
    base._output_nr = 0
    base._requires_grad = True
    _rebuild(view, positions)


def _rebuild(view, positions):
    base, _, creation = view._view
    node = AsStrided()
    node.positions = positions
    node.base_shape = base._data.shape
    node._edges = [_edge(base)]
    node._seq = next_sequence_nr()
    view._grad_fn = node
    view._output_nr = 0
    view._requires_grad = True
    view._view = (base, view._version_counter[0], creation)


class AsStrided(Node):
    """A view rebuilt after its memory changed: ``view = base.flatten()[positions]``.

    d view / d base picks elements, so the gradient goes back by adding
    ``dL/dview`` into zeros of the base's shape, at the same positions (added,
    because an expanded view can show one element of the base several times).
    """
    torch_name = "AsStridedBackward0"

    def backward(self, grad):
        zeros = grad._make(np.zeros(int(np.prod(self.base_shape)), grad._data.dtype))
        flat = zeros.index_put((self.positions,), grad.reshape(-1), accumulate=True)
        return flat.reshape(self.base_shape)


class CopySlices(Node):
    """A base after an in-place op on one of its views: ``new = old`` except
    ``new.flatten()[positions] = result``.

        dL/d old    = dL/d new with the positions set to 0 (those values were overwritten)
        dL/d result = dL/d new at the positions
    """
    torch_name = "CopySlices"

    def backward(self, grad):
        flat = grad.reshape(-1)
        to_old = None
        if self._edges[0] is not None:
            zeros = grad._make(np.zeros(self.positions._data.size, grad._data.dtype))
            to_old = flat.index_put((self.positions,), zeros).reshape(self.base_shape)
        return to_old, flat[self.positions].reshape(self.view_shape)


def _positions(view, base):
    """Where each element of ``view`` sits in ``base``: flat (C-order) indices, as a
    1-d int64 tensor in the view's (C) order.

    Both arrays share memory. An element's address is its array's start plus the sum
    of index x stride over the dims; matching the view's element addresses with the
    base's gives the positions. ``b.T[1]`` of a 2 x 3 ``b`` sits at ``[1, 4]``.
    """
    from .._tensor import TensorBase
    start = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    at = _addresses(view, start).ravel()
    if base.flags.c_contiguous:                      # address / itemsize is the position
        found = at // base.itemsize
        ok = (at % base.itemsize == 0) & (found >= 0) & (found < base.size)
    else:
        base_at = _addresses(base, 0).ravel()
        order = np.argsort(base_at, kind="stable")
        found = order[np.searchsorted(base_at[order], at).clip(0, max(base.size - 1, 0))] \
            if base.size else np.zeros(0, np.int64)
        ok = base_at[found] == at if base.size else np.ones(0, bool)
    if not ok.all():
        raise RuntimeError("chainrule cannot rebuild the graph of a view that no longer "
                           "shares memory with its base (was the base's .data replaced?)")
    return TensorBase._make(found.astype(np.int64, copy=False))


def _addresses(a, start):
    """Each element's byte offset: ``start + sum(index[d] * a.strides[d])``."""
    at = np.full(a.shape, start, dtype=np.int64)
    for d, (n, stride) in enumerate(zip(a.shape, a.strides)):
        shape = [1] * a.ndim
        shape[d] = n
        at = at + (np.arange(n, dtype=np.int64) * stride).reshape(shape)
    return at


_MULTI = (" This view is the output of a function that returns multiple views. Such "
          "functions do not allow the output views to be modified inplace. You should "
          "replace the inplace operation by an out-of-place one.")
_NO_GRAD = (" Given that this use case is ambiguous and error-prone, it is forbidden. You "
            "can clarify your code by moving both the view and the inplace either both "
            "inside the no_grad block (if you don't want the inplace to be tracked) or both "
            "outside (if you want the inplace to be tracked).")


def _refusal(view, creation, indirect):
    """PyTorch's message for an in-place change it will not record on ``view``."""
    fn = view._grad_fn
    modified = "its base or another view of its base has been" if indirect else "is being"
    name = None if fn is None else re.sub(r"Backward\d*$", "", fn.name())
    if creation == "no_grad" or fn is None:
        prefix = ("A view was created in" if fn is None else
                  f"Output {view._output_nr} of {name} is a view of a view which was created in")
        message = f"{prefix} no_grad mode and {modified} modified inplace with grad mode enabled."
    else:
        message = f"Output {view._output_nr} of {name} is a view and {modified} modified inplace."
    return message + (_MULTI if creation == "multi" else _NO_GRAD)
