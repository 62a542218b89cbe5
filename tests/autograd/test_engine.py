"""The backward pass, compared with PyTorch: accumulation, retain_graph, autograd.grad,
higher derivatives, version checks, hooks, deep graphs and freeing the graph.

Each case is a function of the library (``lib`` is ``torch`` or ``chainrule``); both
runs must give the same values, gradients, errors and warnings.
"""
import gc
import re
import subprocess
import sys
import warnings
import weakref

import numpy as np
import pytest
import torch

import chainrule
from _sides import outcome


# ---- comparing the two libraries ---------------------------------------------------
def assert_same(actual, expected, rtol):
    """chainrule's ``actual`` matches torch's ``expected`` (tensors, tuples, scalars)."""
    if isinstance(expected, torch.Tensor):
        assert isinstance(actual, chainrule.Tensor), actual
        assert repr(actual.dtype) == repr(expected.dtype)
        assert tuple(actual.shape) == tuple(expected.shape)
        assert actual.requires_grad == expected.requires_grad
        fn, t_fn = actual.grad_fn, expected.grad_fn
        assert (fn is None) == (t_fn is None)
        np.testing.assert_allclose(actual.detach().numpy(), expected.detach().numpy(),
                                   rtol=rtol, atol=0)
    elif isinstance(expected, (tuple, list)) and not isinstance(expected, torch.Size):
        assert type(actual).__name__ == type(expected).__name__
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_same(a, e, rtol)
    elif isinstance(expected, (torch.dtype, torch.Size, torch.device)):
        assert repr(actual) == repr(expected)
    else:
        assert type(actual) is type(expected) and actual == expected, (actual, expected)


def same(fn, rtol=0.0):
    """``fn(lib)`` has the same result, error and warnings with torch and chainrule."""
    (expected, t_warned), (actual, c_warned) = outcome(fn, torch), outcome(fn, chainrule)
    assert actual[0] == expected[0], f"\ntorch:     {expected}\nchainrule: {actual}"
    if expected[0] == "error":
        assert actual[1:] == expected[1:]
    else:
        assert_same(actual[1], expected[1], rtol)
    assert c_warned == t_warned


def leaf(lib, values=(1.0, 2.0, 3.0), dtype="float32"):
    return lib.tensor(list(values), dtype=getattr(lib, dtype), requires_grad=True)


# ---- accumulation -------------------------------------------------------------------
def test_leaves_accumulate_across_backward_calls():
    def run(lib):
        x = leaf(lib)
        grads = []
        for _ in range(3):
            (x * x).sum().backward()
            grads.append(x.grad.clone())
        return grads, x.grad
    same(run)


def test_grad_is_reset_by_zero_():
    def run(lib):
        x = leaf(lib)
        (x * 3).sum().backward()
        x.grad.zero_()
        (x * x).sum().backward()
        return x.grad
    same(run)

    def set_to_none(lib):
        x = leaf(lib)
        (x * 3).sum().backward()
        x.grad = None
        (x * 2).sum().backward()
        return x.grad
    same(set_to_none)


def test_grad_is_updated_in_place():
    """The second backward adds into the same .grad tensor, as PyTorch does."""
    def run(lib):
        x = leaf(lib)
        (x * 3).sum().backward()
        g = x.grad
        (x * 2).sum().backward()
        return g is x.grad, g
    same(run)


# A fresh .grad may be the engine's own gradient tensor, not a copy, when nothing else
# can reach its memory (engine._own_array). Writing into each .grad must then change
# nothing else: not another leaf's .grad, a gradient given by the caller, a tensor a
# hook kept, the graph's values, or a retained gradient.
def _scribble_on_grads(lib, leaves, others):
    """Write into every leaf's .grad; return the others, which must be unchanged."""
    before = [o.detach().clone() for o in others]
    for x in leaves:
        assert x.grad.is_contiguous()
        x.grad.add_(100.0)
    return [o.detach() - b for o, b in zip(others, before)]


def test_gradients_are_handed_over_without_a_copy_on_this_python():
    # the reference counts _own_array relies on: if this fails, every .grad is copied
    # (still correct, only slower), and _own_array needs the new counts
    from chainrule.autograd import engine
    assert engine._counts_hold()
    layer = chainrule.nn.Linear(3, 2)
    layer(chainrule.ones(4, 3)).sum().backward()
    assert engine._COUNTS == [True]


@pytest.mark.parametrize("case", ["two_leaves", "given_gradient", "hook_keeps", "linear",
                                  "retained", "expanded", "view_of_leaf", "twice"])
def test_a_fresh_grad_shares_memory_with_nothing(case):
    def run(lib):
        a, b = leaf(lib), leaf(lib, (4.0, 5.0, 6.0))
        if case == "two_leaves":                  # one gradient tensor reaches both
            ((a + b) * 2).sum().backward()
            return _scribble_on_grads(lib, [a, b], [a.grad, b.grad])
        if case == "given_gradient":              # the caller's gradient, passed through
            g = lib.ones(3)
            (a + 0).backward(g)
            a.backward(g)                         # a leaf's own backward: g goes straight in
            return _scribble_on_grads(lib, [a], [g])
        if case == "hook_keeps":
            kept = []
            a.register_hook(lambda grad: kept.append(grad * 1) or kept[-1])
            (a * 2).sum().backward()
            return _scribble_on_grads(lib, [a], kept)
        if case == "linear":                      # weight and bias gradients: views
            layer = lib.nn.Linear(3, 2)
            x = lib.arange(6.0).reshape(2, 3)
            out = layer(x)
            out.retain_grad()
            out.pow(2).sum().backward()
            return _scribble_on_grads(lib, [layer.weight, layer.bias], [out.grad, x, out])
        if case == "retained":
            y = a * 3
            y.retain_grad()
            y.sum().backward()
            return _scribble_on_grads(lib, [a], [y.grad, y])
        if case == "expanded":                    # the gradient of a broadcast operand
            s = lib.tensor(2.0, requires_grad=True)
            z = (a * s).sum()
            z.backward()
            return _scribble_on_grads(lib, [a, s], [a, s, z])
        if case == "view_of_leaf":
            v = a.view(3, 1)
            (v * 2).sum().backward()
            return _scribble_on_grads(lib, [a], [v, a])
        y = a.exp()                               # twice: the second adds into the first
        y.sum().backward(retain_graph=True)
        first = a.grad
        y.sum().backward()
        return [first is a.grad] + _scribble_on_grads(lib, [a], [y])
    same(run)


@pytest.mark.parametrize("build", [
    lambda lib, x: x * x,                     # used twice by one op
    lambda lib, x: x * x + x,                 # three uses
    lambda lib, x: (x + 1) * (x - 1),         # through two branches
    lambda lib, x: lib.stack([x, x, x]).sum(0) * x,
    lambda lib, x: x.exp() * x.sin() + x ** 3,
])
def test_a_value_used_twice_gets_the_sum_of_its_gradients(build):
    def run(lib):
        x = leaf(lib)
        build(lib, x).sum().backward()
        return x.grad
    same(run, rtol=1e-6)


def test_broadcast_inputs_get_summed_gradients():
    def run(lib):
        w = lib.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
        b = lib.tensor(0.5, requires_grad=True)
        x = lib.arange(6.0).reshape(2, 3)
        ((x * w + b) ** 2).sum().backward()
        return w.grad, b.grad
    same(run)


# ---- backward's arguments ---------------------------------------------------------
def test_backward_of_a_non_scalar():
    same(lambda lib: (leaf(lib) * 2).backward())
    same(lambda lib: lib.tensor([[1.0]], requires_grad=True).sum(1).backward())

    def with_gradient(lib, gradient):
        x = leaf(lib)
        (x * 2).backward(gradient(lib))
        return x.grad
    same(lambda lib: with_gradient(lib, lambda lib: lib.tensor([1.0, 0.5, -1.0])))
    same(lambda lib: with_gradient(lib, lambda lib: lib.ones(2)))
    same(lambda lib: with_gradient(lib, lambda lib: lib.ones(3, dtype=lib.float64)))
    same(lambda lib: with_gradient(lib, lambda lib: [1.0, 1.0, 1.0]))

    def one_element(lib):
        x = lib.tensor([[2.0]], requires_grad=True)
        (x * 3).backward()
        return x.grad
    same(one_element)


def test_backward_of_a_tensor_outside_the_graph():
    same(lambda lib: lib.tensor([1.0, 2.0]).sum().backward())
    same(lambda lib: leaf(lib).detach().sum().backward())

    def leaf_itself(lib):
        x = lib.tensor(2.0, requires_grad=True)
        x.backward()
        return x.grad
    same(leaf_itself)

    def under_no_grad(lib):
        x = leaf(lib)
        with lib.no_grad():
            y = (x * 2).sum()
        y.backward()
    same(under_no_grad)


def test_backward_inputs():
    def run(lib):
        x, w = leaf(lib), leaf(lib, (0.5, 0.25, 2.0))
        (x * w).sum().backward(inputs=[w])
        return x.grad, w.grad
    same(run)
    same(lambda lib: (leaf(lib) * 2).sum().backward(inputs=[]))


def test_torch_autograd_backward():
    def run(lib):
        x = leaf(lib)
        y1, y2 = (x * 2).sum(), (x ** 2).sum()
        lib.autograd.backward([y1, y2])
        return x.grad
    same(run)

    def with_grads(lib):
        x = leaf(lib)
        lib.autograd.backward([x * 2], [lib.tensor([1.0, 2.0, 3.0])])
        return x.grad
    same(with_grads)


# ---- freeing the graph ----------------------------------------------------------------
@pytest.mark.parametrize("build", [
    lambda x: (x * x).sum(),
    lambda x: x.exp().sum(),
    lambda x: (x * 2).sum(),
    lambda x: x.sigmoid().sum(),
    lambda x: (x + 1).sum(),                  # nothing saved: a second backward is fine
])
def test_a_second_backward_needs_retain_graph(build):
    def twice(lib, retain):
        x = leaf(lib)
        y = build(x)
        y.backward(retain_graph=retain)
        y.backward()
        return x.grad
    same(lambda lib: twice(lib, False))
    same(lambda lib: twice(lib, True), rtol=1e-6)      # exp's last bit may differ

    def grad_then_backward(lib):
        x = leaf(lib)
        y = build(x)
        lib.autograd.grad(y, x)
        y.backward()
        return x.grad
    same(grad_then_backward)


def quietly(fn):
    """``fn`` without the warning that PyTorch gives once per process (tested apart)."""
    def run(lib):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Using backward.. with create_graph=True")
            return fn(lib)
    return run


def test_create_graph_keeps_the_graph():
    def run(lib):
        x = leaf(lib)
        y = (x ** 3).sum()
        y.backward(create_graph=True)
        y.backward()
        return x.grad
    same(quietly(run))


def test_backward_with_create_graph_warns_once():
    script = ("import warnings; warnings.simplefilter('always')\n"
              "import {lib} as torch\n"
              "x = torch.ones(2, requires_grad=True)\n"
              "(x ** 2).sum().backward(create_graph=True)\n"
              "(x * 2).sum().backward(create_graph=True)\n"
              "print(x.grad)\n")
    processes = [subprocess.Popen([sys.executable, "-c", script.format(lib=lib)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for lib in ("torch", "chainrule")]
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        warned = re.findall(r"UserWarning: (.*?)(?: \(Triggered internally.*)?$", err, re.M)
        outputs.append((out, warned))
    assert outputs[1] == outputs[0]


# ---- autograd.grad -------------------------------------------------------------------
def test_grad_returns_without_accumulating():
    def run(lib):
        x = leaf(lib)
        (g,) = lib.autograd.grad((x ** 2).sum(), x)
        return g, x.grad
    same(run)


def test_grad_arguments():
    def grad(lib, **kwargs):
        x = lib.tensor(2.0, requires_grad=True)
        unused = lib.tensor(1.0, requires_grad=True)
        return lib.autograd.grad(x * 3, [x, unused], **kwargs)
    same(grad)
    same(lambda lib: grad(lib, allow_unused=True))
    same(lambda lib: grad(lib, materialize_grads=True))
    same(lambda lib: grad(lib, materialize_grads=True, allow_unused=False))

    def several(lib):
        x, w = leaf(lib), leaf(lib, (0.5, -1.0, 2.0))
        y = (x * w).sum()
        return lib.autograd.grad([y, (x * x).sum()], [w, x])
    same(several)

    def grad_outputs(lib, g):
        x = leaf(lib)
        return lib.autograd.grad(x * 3, x, grad_outputs=g(lib))
    same(lambda lib: grad_outputs(lib, lambda lib: lib.tensor([1.0, 2.0, 3.0])))
    same(lambda lib: grad_outputs(lib, lambda lib: [lib.tensor([1.0, 2.0, 3.0])]))
    same(lambda lib: grad_outputs(lib, lambda lib: lib.ones(2)))
    same(lambda lib: grad_outputs(lib, lambda lib: None))

    def retain(lib):
        x = leaf(lib)
        y = (x * x).sum()
        g1 = lib.autograd.grad(y, x, retain_graph=True)
        g2 = lib.autograd.grad(y, x)
        return g1, g2
    same(retain)


def test_grad_errors():
    same(lambda lib: lib.autograd.grad(leaf(lib).sum(), [lib.tensor(1.0)]))
    same(lambda lib: lib.autograd.grad(leaf(lib).sum(), []))
    same(lambda lib: lib.autograd.grad(leaf(lib).detach().sum(), leaf(lib)))

    def of_itself(lib):
        x = lib.tensor(2.0, requires_grad=True)
        return lib.autograd.grad(x, x)
    same(of_itself)

    def of_an_intermediate(lib):
        x = leaf(lib)
        h = x * 2
        return lib.autograd.grad((h * h).sum(), [h, x])
    same(of_an_intermediate)


# ---- higher derivatives ------------------------------------------------------------
FUNCTIONS = {
    "cube": lambda lib, x, y: x ** 3,
    "sin": lambda lib, x, y: x.sin(),
    "exp": lambda lib, x, y: x.exp(),
    "product": lambda lib, x, y: x * y * x,
    "tanh": lambda lib, x, y: lib.tanh(x * y),
    "quotient": lambda lib, x, y: x / (y + 2),
    "log": lambda lib, x, y: (x * x + 1).log(),
    "sigmoid": lambda lib, x, y: (x * y).sigmoid(),
    "sqrt": lambda lib, x, y: (x * x + y * y).sqrt(),
    "power": lambda lib, x, y: x.abs() ** y,
}


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_second_and_third_derivatives(name, dtype):
    def derivatives(lib):
        x = leaf(lib, (0.5, -1.25, 2.0), dtype)
        y = leaf(lib, (1.5, 0.75, -0.5), dtype)
        f = FUNCTIONS[name](lib, x, y).sum()
        (dx,) = lib.autograd.grad(f, x, create_graph=True)
        (dxx, dxy) = lib.autograd.grad(dx.sum(), [x, y], create_graph=True, allow_unused=True)
        (dxxx,) = lib.autograd.grad(dxx.sum(), x, allow_unused=True)
        return dx, dxx, dxy, dxxx
    same(derivatives, rtol=1e-5 if dtype == "float32" else 1e-12)


def test_create_graph_through_backward():
    def run(lib):
        x = leaf(lib)
        (x ** 3).sum().backward(create_graph=True)
        first = x.grad
        x.grad = None
        first.sum().backward()
        return first, x.grad
    same(quietly(run))


def test_gradients_without_create_graph_are_not_differentiable():
    def run(lib):
        x = leaf(lib)
        (g,) = lib.autograd.grad((x ** 3).sum(), x)
        return g, g.requires_grad, g.grad_fn is None
    same(run)


# ---- in-place operations and the version counter ---------------------------------------
@pytest.mark.parametrize("modify", [
    lambda lib, x, w: (x * 2 * w, lambda y: y.add_(1)),                # saved input
    lambda lib, x, w: (x.sigmoid(), lambda y: y.mul_(2)),             # saved output
    lambda lib, x, w: (x.exp(), lambda y: y.__setitem__(0, 5.0)),     # through a view
    lambda lib, x, w: (x * w, lambda y: w.add_(1)),                    # a leaf input
])
def test_backward_through_a_modified_saved_value(modify):
    def run(lib):
        x = leaf(lib)
        w = lib.ones(3)
        y, change = modify(lib, x, w)
        z = y * y
        change(y)
        z.sum().backward()
        return x.grad
    same(run)


def test_the_exact_message_for_a_modified_saved_value():
    def run(lib):
        x = leaf(lib)
        y = x * 2
        z = y * y
        y.add_(1)
        z.sum().backward()
    same(run)


def test_versions():
    def run(lib):
        x = lib.zeros(3)
        versions = [x._version]
        x.add_(1)
        x[0] = 2.0
        x.mul_(3)
        versions.append(x._version)
        v = x[1:]
        v.zero_()
        versions += [x._version, v._version, x.detach()._version]
        return versions
    same(run)


def test_in_place_after_a_use_that_saved_nothing_is_fine():
    def run(lib):
        x = leaf(lib)
        y = x * 2
        z = y + 1
        y.mul_(3)
        (z + y).sum().backward()
        return x.grad
    same(run)


@pytest.mark.parametrize("op", [
    lambda x: x.add_(1), lambda x: x.mul_(2), lambda x: x.zero_(), lambda x: x.fill_(1.0),
    lambda x: x.__iadd__(1), lambda x: x.__setitem__(0, 5.0), lambda x: x[0].add_(1),
    lambda x: x[1:].mul_(2), lambda x: x.view(3).zero_(), lambda x: x.copy_(x.detach() * 2),
])
def test_in_place_on_a_leaf_that_requires_grad(op):
    same(lambda lib: op(leaf(lib)))

    def under_no_grad(lib):
        x = leaf(lib)
        with lib.no_grad():
            op(x)
        return x, x.is_leaf
    same(under_no_grad)


def test_in_place_on_a_non_leaf_is_recorded():
    def run(lib):
        x = leaf(lib)
        y = x * 1
        y.mul_(x)
        y.add_(2)
        y.sum().backward()
        return y, x.grad
    same(run)


# ---- hooks ----------------------------------------------------------------------------
def test_hook_on_a_leaf():
    def run(lib):
        x = leaf(lib)
        seen = []
        x.register_hook(lambda g: seen.append(g.clone()))
        x.register_hook(lambda g: g * 10)              # replaces the gradient
        (x * x).sum().backward()
        return seen, x.grad
    same(run)


def test_hook_on_a_non_leaf():
    def run(lib):
        x = leaf(lib)
        y = x * 2
        seen = []
        y.register_hook(lambda g: seen.append(g.clone()))
        y.register_hook(lambda g: g + 1)
        (y * y).sum().backward()
        return seen, x.grad
    same(run)


def test_hook_handle_remove():
    def run(lib):
        x = leaf(lib)
        handle = x.register_hook(lambda g: g * 0)
        (x * 2).sum().backward()
        first = x.grad.clone()
        handle.remove()
        handle.remove()                                 # a second remove does nothing
        (x * 2).sum().backward()
        return first, x.grad
    same(run)


ORDER_GRAPHS = {
    "a + b": lambda lib, a, b, c: a + b,
    "a * b + c": lambda lib, a, b, c: a * b + c,
    "(a * b) * c": lambda lib, a, b, c: (a * b) * c,
    "cat([a * 2, b, c * 3])": lambda lib, a, b, c: lib.cat([a * 2, b, c * 3]),
    "x = a * 2; x * b + x * c": lambda lib, a, b, c: (lambda x: x * b + x * c)(a * 2),
    "c + (b + a) * a": lambda lib, a, b, c: c + (b + a) * a,
    "b * (a * 3) + (a + c) * (b - a)": lambda lib, a, b, c: b * (a * 3) + (a + c) * (b - a),
}


@pytest.mark.parametrize("graph", list(ORDER_GRAPHS))
def test_nodes_and_leaves_run_in_pytorchs_order(graph):
    """The latest-made node first, and the leaves in the order their gradients were
    complete: the order in which node hooks and leaf hooks are called."""
    def run(lib):
        a, b, c = (lib.tensor([v], requires_grad=True) for v in (1.5, -2.0, 3.0))
        order = []
        for name, t in zip("abc", (a, b, c)):
            t.register_hook(lambda g, name=name: order.append(name))
        y = ORDER_GRAPHS[graph](lib, a, b, c).sum()
        for node in _nodes(y.grad_fn):
            node.register_hook(lambda gi, go, name=node.name(): order.append(name))
        y.backward()
        return order
    same(run)


def _nodes(fn):
    """Every node reachable from ``fn``, each once (the leaves' AccumulateGrad left out)."""
    seen, stack = [], [fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen or "AccumulateGrad" in node.name():
            continue
        seen.append(node)
        stack.extend(n for n, _ in node.next_functions)
    return seen


def test_hook_on_a_tensor_that_does_not_require_grad():
    same(lambda lib: lib.tensor([1.0]).register_hook(lambda g: g))


def test_retain_grad_sees_the_hooked_gradient():
    def run(lib):
        x = leaf(lib)
        y = x * 2
        y.retain_grad()
        y.register_hook(lambda g: g * 3)
        (y * y).sum().backward()
        return y.grad, x.grad
    same(run)


def test_non_leaf_grad_is_none_and_warns():
    def run(lib):
        x = leaf(lib)
        y = x * 2
        y.sum().backward()
        return y.grad, x.grad
    same(run)


# ---- the graph's structure --------------------------------------------------------------
def _structure(fn):
    """``fn``'s graph as nested (name, [(child, output_nr), ...]) with leaves by name."""
    if fn is None:
        return None
    return (fn.name(), [(_structure(child), nr) for child, nr in fn.next_functions])


@pytest.mark.parametrize("build", [
    lambda lib, x, w: x * w,
    lambda lib, x, w: x * 2,
    lambda lib, x, w: (x * w + x).sum(),
    lambda lib, x, w: (x.exp() - w).pow(2).mean(),
    lambda lib, x, w: lib.cat([x, w * 2]).max(),
    lambda lib, x, w: x.max(0)[0],
])
def test_next_functions(build):
    def run(lib):
        x = leaf(lib)
        w = lib.tensor([2.0, 1.0, 0.5])
        return _structure(build(lib, x, w).grad_fn)
    same(run)

    def leaf_variable(lib):
        x = leaf(lib)
        (acc, _), = (x * 2).grad_fn.next_functions[:1]
        return acc.variable is x, acc.name() if lib is chainrule else acc.name()
    same(leaf_variable)


# ---- deep graphs and memory ---------------------------------------------------------------
def test_a_chain_of_100000_ops_backprops_without_recursion(monkeypatch):
    limit = sys.getrecursionlimit()
    x = chainrule.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    try:
        sys.setrecursionlimit(200)
        y.backward()
    finally:
        sys.setrecursionlimit(limit)
    t = torch.tensor(1.0, requires_grad=True)
    (t * 1.0).backward()
    assert x.grad.item() == t.grad.item()


def test_the_graph_is_freed_after_backward():
    gc.collect()
    gc.disable()
    try:
        x = chainrule.tensor([1.0, 2.0], requires_grad=True)
        h = x.exp()
        y = (h * x).sum()
        node, inner = weakref.ref(y.grad_fn), weakref.ref(h)
        y.backward()
        del h, y
        assert node() is None and inner() is None     # no reference cycle kept them
        assert x.grad is not None
    finally:
        gc.enable()


def test_an_unused_graph_is_freed_without_the_collector():
    gc.collect()
    gc.disable()
    try:
        x = chainrule.tensor([1.0, 2.0], requires_grad=True)
        y = (x * 2).sigmoid()
        y.retain_grad()
        y.register_hook(lambda g: g)
        node = weakref.ref(y.grad_fn)
        del y
        assert node() is None
    finally:
        gc.enable()
