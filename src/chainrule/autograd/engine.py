"""The backward pass: the chain rule applied to the recorded graph.

The whole algorithm, as in PyTorch's engine:

1. Visit the nodes from the output back to the leaves, each after every node
   that used its output. Every node has a sequence number, larger than those
   of the nodes that made its inputs, so taking the waiting node with the
   largest number first is such an order (a heap; no recursion, so a chain
   100,000 ops long is fine, and no separate pass to sort the graph).
2. Each node receives the sum of the gradients sent by everything that used
   its output (``dL/dx = sum over uses``: that is why a value used twice gets
   two contributions), calls its ``backward`` and sends one gradient to each
   input.
3. A leaf adds what it receives to its ``.grad``.

>>> import chainrule as torch
>>> w = torch.tensor(3.0, requires_grad=True)
>>> y = w * w + w          # w is used three times
>>> y.backward()
>>> w.grad                 # dy/dw = 2w + 1
tensor(7.)
"""
from heapq import heappop, heappush
from sys import getrefcount

import numpy as np

from . import grad_mode

_STATE = grad_mode.STATE
from .graph import HOOKED, Node
from .._tensor import TensorBase as Tensor

# Observers of the backward pass (the seam that chainrule.explain uses):
# each is called as observer(node, grads_in, grads_out) after a node's backward.
OBSERVERS = []


def sum_to(grad, shape):
    """Undo broadcasting: sum ``grad`` down to ``shape``.

    Broadcasting copies a value along new or size-1 dimensions, so every copy's
    gradient flows back to the one original: the gradient is the *sum* over the
    broadcast dimensions. This is the one place in chainrule that undoes it.

    Example: ``b`` of shape (3,) added to ``x`` of shape (2, 3) is broadcast to
    (2, 3); its gradient is summed over dimension 0 back to (3,):

    >>> import chainrule as torch
    >>> from chainrule.autograd.engine import sum_to
    >>> sum_to(torch.ones(2, 3), (3,))
    tensor([2., 2., 2.])
    >>> sum_to(torch.ones(2, 3), (2, 1))
    tensor([[3.],
            [3.]])
    """
    lead, dims = _broadcast_dims(grad._data.shape, shape)
    if dims:
        grad = grad.sum(dims, keepdim=True)
    if lead or grad.shape != shape:
        grad = grad.reshape(shape)
    return grad


def ones_like(array):
    """The starting gradient, 1, for an output like ``array`` (np.ones takes 3x longer)."""
    one = np.empty(array.shape, array.dtype)
    one.fill(1)
    return one


def _broadcast_dims(got, shape):
    """How many leading dims broadcasting added to ``shape`` to make ``got``, and every
    dim (of ``got``) it summed over: the added ones and those where ``shape`` has 1."""
    lead = len(got) - len(shape)
    return lead, tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and got[lead + i] != 1)


def _fit_to_input(grad, shape, dtype, node, i):
    """Make a gradient match its input's shape and dtype (broadcasting, promotion)."""
    if grad._data.shape != shape:
        got = grad._data.shape
        lead = len(got) - len(shape)
        if lead < 0 or any(n != 1 and n != got[lead + k] for k, n in enumerate(shape)):
            raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index "
                               f"{i} - got {list(got)} but expected shape compatible with "
                               f"{list(shape)}")
        if _STATE.enabled:                # create_graph: the sum is recorded
            grad = sum_to(grad, shape)
        else:                             # the same sum on the array, as Sum.forward does
            _, dims = _broadcast_dims(got, shape)
            grad = Tensor._make(np.add.reduce(grad._data, axis=dims, keepdims=True)
                                .reshape(shape))
    if grad._data.dtype != dtype:
        grad = grad.to(_dtype_of(dtype))
    return grad


def _position(edges, edge):
    """The index of ``edge`` in ``edges``, by identity (``==`` on tensors is elementwise)."""
    return next(i for i, e in enumerate(edges) if e is edge)


def _dtype_of(np_dtype):
    from .._dtype import from_numpy_dtype
    return from_numpy_dtype(np_dtype)


def topological_order(roots):
    """Nodes and leaves reachable from ``roots``, each after everything it feeds.

    Returned from the output back to the leaves: every node comes before the
    nodes and leaves that produced its inputs. Deterministic: inputs are
    visited in the order the op received them.
    """
    post_order = []
    seen = set()
    stack = [(r, False) for r in reversed(roots)]
    while stack:
        item, expanded = stack.pop()
        if expanded:
            post_order.append(item)
            continue
        if item in seen:
            continue
        seen.add(item)
        stack.append((item, True))
        if isinstance(item, Node):
            for e in reversed(item._edges):
                if e is not None and e[0] not in seen:
                    stack.append((e[0], False))
    post_order.reverse()
    return post_order


def run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs=None,
                 accumulate=True):
    """Backpropagate from ``outputs``; returns gradients for ``inputs`` if given.

    With ``accumulate=True`` (``Tensor.backward``) leaves add into ``.grad``;
    otherwise (``autograd.grad``) the gradients of ``inputs`` are returned.

    The order is PyTorch's. Nodes: the node made last goes first. A node's users
    were all made after it, so when it is the latest node still waiting, every
    gradient it will receive has arrived; no pass to sort the graph is needed.
    Leaves: each is accumulated as soon as its gradient is complete, so the nodes
    sending to it are counted first (``_leaf_uses``). Only a hook (or an observer)
    can tell when that happens; until one has been registered, the leaves are
    accumulated after the last node instead, in the same order, without the count.
    """
    pending = {}                  # node -> [gradient per output]
    leaves = {}                   # id(leaf) -> [leaf, gradient]
    heap = []                     # (-sequence number, node): the latest node on top
    _seed(pending, leaves, heap, outputs, grad_outputs)
    uses = _leaf_uses(heap) if HOOKED[0] or OBSERVERS else None    # id(leaf) -> count
    wanted = needed = captured = None
    if inputs is not None:
        wanted = _wanted(inputs)                  # (node or leaf, output_nr) -> [index]
        needed = _nodes_leading_to(topological_order([e[1] for e in heap]), wanted)
        captured = [None] * len(inputs)

    previous = _STATE.enabled
    _STATE.enabled = bool(create_graph)     # backward formulas are recorded only for create_graph
    pop = pending.pop
    try:
        while heap:
            item = heappop(heap)[1]
            grads = pop(item)
            if wanted is not None:
                for nr, g in enumerate(grads):
                    for i in wanted.get((item, nr), ()):
                        captured[i] = g
            # The steps below are the helpers' bodies written out for the common case
            # (one output, no hooks): this loop runs once per node of every backward.
            if item._pre_hooks or item.num_outputs > 1:
                grads = _run_pre_hooks(item, grads)                   # hooks, retain_grad
            if accumulate and item._retained:
                _retain(item, grads, create_graph)
            if needed is not None and item not in needed:
                continue                          # leads to none of the requested inputs
            if item.num_outputs == 1 and not item._hooks and not OBSERVERS:
                fast = item.fast_backward         # (set only on single-output nodes)
                grads_in = (item.backward(grads[0]) if fast is None or create_graph
                            else fast(grads[0]))
                if grads_in.__class__ is not tuple:
                    grads_in = (grads_in,)
            else:
                grads_in = _call_backward(item, grads)
            if not retain_graph and (item._saved is not None or item._result_data is not None):
                item.release()                                        # free the graph
            for edge, g in zip(item._edges, grads_in):
                if edge is None:
                    continue
                target, nr, shape, dtype = edge
                if g is None:
                    if uses is not None and not isinstance(target, Node):
                        _leaf_used(uses, leaves, target, accumulate, wanted, captured,
                                   create_graph)
                    continue
                data = g._data
                if data.shape != shape or data.dtype is not dtype and data.dtype != dtype:
                    g = _fit_to_input(g, shape, dtype, item, _position(item._edges, edge))
                if not isinstance(target, Node):
                    _to_leaf(leaves, target, g)
                    if uses is not None:
                        _leaf_used(uses, leaves, target, accumulate, wanted, captured,
                                   create_graph)
                    continue
                slot = pending.get(target)
                if slot is None:
                    heappush(heap, (-target._seq, target))
                    if target.num_outputs == 1:
                        pending[target] = [g]
                        continue
                    slot = pending[target] = [None] * target.num_outputs
                slot[nr] = g if slot[nr] is None else slot[nr] + g
            grads = grads_in = g = data = None    # the dicts hold the only references
        for entry in leaves.values():             # [leaf, gradient]: those not done yet
            _finish_leaf(entry, accumulate, wanted, captured, create_graph)
    finally:
        _STATE.enabled = previous
    return captured


def _seed(pending, leaves, heap, outputs, grad_outputs):
    """Put each output's starting gradient where the loop finds it."""
    for t, g in zip(outputs, grad_outputs):
        if g._data.dtype != t._data.dtype:        # a float64 gradient for a float32 output
            g = Tensor._make(g._data.astype(t._data.dtype))
        fn = t.grad_fn                            # (the property: a view's is rebuilt)
        if fn is None:
            _to_leaf(leaves, t, g)
            continue
        grads = pending.get(fn)
        if grads is None:
            grads = pending[fn] = [None] * fn.num_outputs
            heappush(heap, (-fn._seq, fn))
        nr = t._output_nr
        grads[nr] = g if grads[nr] is None else grads[nr] + g


def _leaf_uses(heap):
    """How many edges of the graph below the roots lead to each leaf: id(leaf) -> count."""
    uses = {}
    seen = {id(node) for _, node in heap}
    stack = [node for _, node in heap]
    while stack:
        for edge in stack.pop()._edges:
            if edge is None:
                continue
            target = edge[0]
            if not isinstance(target, Node):
                uses[id(target)] = uses.get(id(target), 0) + 1
            elif id(target) not in seen:
                seen.add(id(target))
                stack.append(target)
    return uses


def _leaf_used(uses, leaves, leaf, accumulate, wanted, captured, create_graph):
    """One more node has sent ``leaf`` its gradient (or None): the last one finishes it."""
    key = id(leaf)
    uses[key] -= 1
    if uses[key] == 0 and key in leaves:
        _finish_leaf(leaves.pop(key), accumulate, wanted, captured, create_graph)


def _finish_leaf(entry, accumulate, wanted, captured, create_graph):
    """A leaf's gradient is complete: ``entry`` is ``[leaf, gradient]``."""
    leaf = entry[0]
    if wanted is not None:
        for i in wanted.get((leaf, 0), ()):
            captured[i] = entry[1]
    if accumulate and (wanted is None or (leaf, 0) in wanted):
        _accumulate(leaf, entry[1], create_graph)


def _to_leaf(leaves, leaf, g):
    """Add ``g`` to what ``leaf`` has received; the leaf moves to the end of the order."""
    entry = leaves.pop(id(leaf), None)
    if entry is None:
        leaves[id(leaf)] = [leaf, g]
    else:
        entry[1] = entry[1] + g
        leaves[id(leaf)] = entry


def _wanted(inputs):
    wanted = {}
    for i, t in enumerate(inputs):
        key = (t.grad_fn, t._output_nr) if t.grad_fn is not None else (t, 0)
        wanted.setdefault(key, []).append(i)
    return wanted


def _nodes_leading_to(order, wanted):
    """The nodes with a path to a requested input: only they need to run."""
    needed = set()
    for item in reversed(order):                  # producers before their users
        if isinstance(item, Node) and any(
                e is not None and ((e[0], e[1]) in wanted or e[0] in needed)
                for e in item._edges):
            needed.add(item)
    return needed


def _call_backward(node, grads):
    """The node's gradients for its inputs, then its post-hooks and observers."""
    grads_in = node.backward(*grads) if node.num_outputs > 1 else node.backward(grads[0])
    if not isinstance(grads_in, tuple):
        grads_in = (grads_in,)
    if node._hooks:                                                   # node post-hooks
        for hook in node._hooks:
            hook(grads_in, tuple(grads))
    if OBSERVERS:                                                     # chainrule.explain
        for observer in OBSERVERS:
            observer(node, grads_in, tuple(grads))
    return grads_in


def _run_pre_hooks(node, grads):
    if node.num_outputs > 1 and node.materialize_grads:
        grads = _materialize(node, grads)
    if node._pre_hooks:
        for hook in node._pre_hooks:
            result = hook(tuple(grads))
            if result is not None:
                grads = list(result)
    return grads


def _materialize(node, grads):
    """Outputs of a multi-output node that got no gradient get zeros."""
    shapes = node._output_meta
    return [g if g is not None else Tensor._make(_zeros(*shapes[i]))
            for i, g in enumerate(grads)]


def _zeros(shape, dtype):
    import numpy as np
    return np.zeros(shape, dtype)


def _own_array(g):
    """The array gradient ``g`` can hand to a ``.grad`` without a copy, or None.

    That is when nothing but the engine can reach its memory: PyTorch's
    AccumulateGrad makes the same check (the tensor's use count is 1). Here CPython
    counts the references. To ``g``: the engine's list of the leaf's gradients,
    ``_accumulate``'s argument, this function's, and ``getrefcount``'s own. To its
    array: ``g`` itself, the name ``data`` and ``getrefcount``'s. A gradient that
    reached two leaves, a hook, a saved value or the caller's ``gradient=`` has more.
    A view qualifies when nothing else refers to its base (the weight gradient of
    ``linear``, transposed back; a bias gradient, summed and reshaped).
    """
    if getrefcount(g) != 4 or g._grad_fn is not None:
        return None
    g._view = None            # only the engine has g: what it is a view of can be let go
    data = g._data
    if getrefcount(data) != 3 or not data.flags.writeable or not data.flags.c_contiguous:
        return None               # (a copy is C-contiguous: so is every .grad made here)
    base = data.base
    if base is None or base.__class__ is np.ndarray and getrefcount(base) == 3:
        return data
    return None


def _counts_hold():
    """Whether :func:`_own_array`'s reference counts are this Python's: a gradient that
    only a list refers to qualifies, one that is referred to elsewhere too does not.
    (Python versions that borrow references count fewer; then every .grad is copied.)"""
    def probe(g):                          # one frame, as _accumulate is
        return _own_array(g)
    alone, shared = [Tensor._make(np.zeros(2))], [Tensor._make(np.zeros(2))]
    kept = shared[0]
    return probe(alone[0]) is not None and probe(shared[0]) is None and kept is shared[0]


# Checked once, at the first fresh .grad (Tensor is not complete when this module loads).
_COUNTS = [None]


def _retain(node, grads, create_graph):
    """``retain_grad()``: a non-leaf keeps a copy of its gradient (recorded only when
    ``create_graph``, since grad mode is set to it during backward)."""
    for nr, ref in node._retained.items():
        t = ref()
        if t is not None and grads[nr] is not None:
            g = grads[nr]
            t._grad = g.clone() if t._grad is None else t._grad + g


def _accumulate(leaf, g, create_graph):
    """Add a gradient into a leaf's ``.grad``, as PyTorch's AccumulateGrad does."""
    if leaf._hooks:
        for hook in leaf._hooks:
            result = hook(g)
            if result is not None:
                g = result
    old = leaf._grad
    if old is None and _COUNTS[0] is None:
        _COUNTS[0] = _counts_hold()
    if old is None:
        # A fresh copy: the same gradient tensor may reach several leaves (``a + b``
        # sends one tensor to both), and each .grad is its own. With create_graph
        # the copy is recorded (CopyBackwards, as in PyTorch) so .grad is differentiable.
        if create_graph:
            leaf._grad = Tensor._make(g._data.copy()).copy_(g)
        else:
            data = _own_array(g) if _COUNTS[0] else None      # no copy if nobody can see it
            leaf._grad = Tensor._make(g._data.copy() if data is None else data)
    elif create_graph:
        leaf._grad = old + g
    else:
        old._data += g._data                      # in place, as PyTorch
        old._version_counter[0] += 1
    if leaf._post_hooks:
        for hook in leaf._post_hooks:
            hook(leaf)
