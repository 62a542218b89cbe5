"""Custom ``autograd.Function``s, compared with PyTorch: save_for_backward and
saved_tensors, needs_input_grad, mark_non_differentiable, mark_dirty,
set_materialize_grads, once_differentiable, double backward and the errors.

Each Function is defined once, inside ``fn(lib)``, and runs with ``lib`` = torch and
then chainrule.
"""
import re
import warnings

import numpy as np
import pytest
import torch

import chainrule
from _sides import outcome


# ---- comparing the two libraries ---------------------------------------------------
def assert_same(actual, expected):
    if isinstance(expected, torch.Tensor):
        assert isinstance(actual, chainrule.Tensor), actual
        assert repr(actual.dtype) == repr(expected.dtype)
        assert tuple(actual.shape) == tuple(expected.shape)
        assert actual.requires_grad == expected.requires_grad
        assert actual.is_leaf == expected.is_leaf
        fn, t_fn = actual.grad_fn, expected.grad_fn
        assert (fn and fn.name()) == (t_fn and t_fn.name())
        np.testing.assert_allclose(actual.detach().numpy(), expected.detach().numpy(),
                                   rtol=1e-6, atol=0)
    elif isinstance(expected, (tuple, list)):
        assert type(actual).__name__ == type(expected).__name__
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_same(a, e)
    else:
        assert type(actual) is type(expected) and actual == expected, (actual, expected)


def same(fn):
    """``fn(lib)`` has the same result, error and warnings with torch and chainrule."""
    (expected, t_warned), (actual, c_warned) = outcome(fn, torch), outcome(fn, chainrule)
    assert actual[0] == expected[0], f"\ntorch:     {expected}\nchainrule: {actual}"
    if expected[0] == "error":
        assert actual[1:] == expected[1:]
    else:
        assert_same(actual[1], expected[1])
    assert c_warned == t_warned


def leaf(lib, values=(0.5, -1.0, 2.0)):
    return lib.tensor(list(values), requires_grad=True)


def exp_function(lib):
    class Exp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y
    return Exp


def scale_function(lib):
    class Scale(lib.autograd.Function):
        """y = a * b * k for a number k."""
        @staticmethod
        def forward(ctx, a, b, k):
            ctx.save_for_backward(a, b)
            ctx.k = k
            ctx.seen_in_forward = ctx.needs_input_grad
            return a * b * k

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            ctx.seen_in_backward = ctx.needs_input_grad
            grad_a = grad * b * ctx.k if ctx.needs_input_grad[0] else None
            grad_b = grad * a * ctx.k if ctx.needs_input_grad[1] else None
            return grad_a, grad_b, None
    return Scale


# ---- the basics --------------------------------------------------------------------------
def test_forward_and_backward():
    def run(lib):
        x = leaf(lib)
        y = exp_function(lib).apply(x)
        y.sum().backward()
        return y, x.grad, y.grad_fn.name(), y.is_leaf
    same(run)


def test_saved_tensors_are_freed_after_backward():
    def run(lib):
        x = leaf(lib)
        y = exp_function(lib).apply(x)
        y.sum().backward()
        return y.grad_fn.saved_tensors
    same(run)

    def twice(lib, retain):
        x = leaf(lib)
        y = exp_function(lib).apply(x).sum()
        y.backward(retain_graph=retain)
        y.backward()
        return x.grad
    same(lambda lib: twice(lib, False))
    same(lambda lib: twice(lib, True))


def test_saved_tensors_are_version_checked():
    def run(lib):
        x, w = leaf(lib), lib.ones(3)
        y = scale_function(lib).apply(x, w, 2.0)
        w.add_(1)
        y.sum().backward()
    same(run)

    def modified_output(lib):
        x = leaf(lib)
        y = exp_function(lib).apply(x)
        y.mul_(2)
        y.sum().backward()
    same(modified_output)


def test_save_for_backward_accepts_tensors_and_none():
    def run(lib, extra):
        class Save(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x, extra)
                return x * 2

            @staticmethod
            def backward(ctx, grad):
                x, e = ctx.saved_tensors
                return grad * (2 if e is None else 3)
        x = leaf(lib)
        Save.apply(x).sum().backward()
        return x.grad
    same(lambda lib: run(lib, None))
    same(lambda lib: run(lib, 3))

    def nothing_saved(lib):
        class Double(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, grad):
                return grad * 2
        return Double.apply(leaf(lib)).grad_fn.saved_tensors
    same(nothing_saved)


def test_needs_input_grad_and_next_functions():
    def run(lib):
        a, b = leaf(lib), lib.tensor([1.0, 2.0, 3.0])
        y = scale_function(lib).apply(a, b, 3)
        y.sum().backward()
        fn = y.grad_fn
        return (fn.needs_input_grad, fn.seen_in_forward, fn.seen_in_backward, a.grad, b.grad,
                [(None if f is None else f.name(), nr) for f, nr in fn.next_functions])
    same(run)


def test_keyword_arguments():
    def run(lib):
        class Kw(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, scale=2.0):
                ctx.scale = scale
                return x * scale

            @staticmethod
            def backward(ctx, grad):
                return grad * ctx.scale, None
        x = leaf(lib)
        Kw.apply(x, scale=3.0).sum().backward()
        return x.grad
    same(run)


def test_no_graph_when_nothing_requires_grad():
    same(lambda lib: exp_function(lib).apply(lib.tensor([1.0])))

    def under_no_grad(lib):
        with lib.no_grad():
            return exp_function(lib).apply(leaf(lib))
    same(under_no_grad)


# ---- several outputs --------------------------------------------------------------------
def test_mark_non_differentiable():
    def run(lib):
        class Sort(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                values, indices = x.sort()
                ctx.mark_non_differentiable(indices)
                ctx.save_for_backward(indices)
                return values, indices

            @staticmethod
            def backward(ctx, grad_values, grad_indices):
                (indices,) = ctx.saved_tensors
                grad = lib.zeros_like(grad_values)
                grad[indices] = grad_values
                return grad
        x = lib.tensor([3.0, 1.0, 2.0], requires_grad=True)
        values, indices = Sort.apply(x)
        (values * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        return values, indices, x.grad
    same(run)

    def returned_input(lib):
        class Pass(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.mark_non_differentiable(x)
                return x

            @staticmethod
            def backward(ctx, grad):
                return grad
        return Pass.apply(leaf(lib) * 1)
    same(returned_input)


def test_integer_outputs_are_not_differentiable():
    def run(lib):
        class Argmax(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2, x.argmax(), x * 3

            @staticmethod
            def backward(ctx, g1, g2, g3):
                return g1 * 2 + g3 * 3
        x = leaf(lib)
        a, i, b = Argmax.apply(x)
        a.sum().backward()                 # b gets no gradient: zeros are passed
        return a, i, b, x.grad, a.grad_fn is b.grad_fn
    same(run)


def test_set_materialize_grads():
    def run(lib, materialize):
        class Two(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(materialize)
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, g1, g2):
                ctx.got = (g1 is None, g2 is None)
                return (0 if g1 is None else g1 * 2) + (0 if g2 is None else g2 * 3)
        x = leaf(lib)
        a, b = Two.apply(x)
        b.sum().backward()
        return x.grad, b.grad_fn.got
    same(lambda lib: run(lib, True))
    same(lambda lib: run(lib, False))


# ---- in place and identity --------------------------------------------------------------
def test_mark_dirty():
    def run(lib):
        class Double(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.mul_(2)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, grad):
                return grad * 2
        x = leaf(lib)
        h = x * 1
        y = Double.apply(h)
        y.sum().backward()
        return y, h, y is h, x.grad
    same(run)

    def on_a_leaf(lib):
        class Double(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.mul_(2)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, grad):
                return grad * 2
        return Double.apply(leaf(lib))
    same(on_a_leaf)


def test_returning_an_input():
    def run(lib):
        class Identity(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, grad):
                return grad * 5
        x = leaf(lib)
        y = Identity.apply(x)
        y.sum().backward()
        return y is x, y, x.grad
    same(run)


# ---- once_differentiable and double backward -------------------------------------------
def square_function(lib, once):
    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 2

        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad
    if once:
        Square.backward = staticmethod(lib.autograd.function.once_differentiable(
            Square.backward))
    else:
        Square.backward = staticmethod(Square.backward)
    return Square


@pytest.mark.parametrize("once", [False, True])
def test_double_backward(once):
    def run(lib):
        x = leaf(lib)
        y = square_function(lib, once).apply(x)
        (g,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        first = (g, g.requires_grad)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return first, gg
    same(run)

    def plain(lib):
        x = leaf(lib)
        (g,) = lib.autograd.grad(square_function(lib, once).apply(x).sum(), x,
                                 create_graph=True)
        return g, g.requires_grad
    same(plain)


def test_differentiating_a_once_differentiable_backward_twice():
    def run(lib):
        x = leaf(lib)
        y = square_function(lib, True).apply(x)
        (g,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        first = (g, g.requires_grad, g.grad_fn.name())
        g.sum().backward()
        return first
    same(run)


def test_double_backward_through_a_saved_output():
    def run(lib):
        x = leaf(lib)
        y = exp_function(lib).apply(x)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return g, gg
    same(run)


# ---- errors --------------------------------------------------------------------------------
def _bad_backward(lib, backward, n_inputs=1):
    class Bad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, *rest):
            return x * 2

    Bad.backward = staticmethod(backward)
    x = leaf(lib)
    Bad.apply(x, *([2] * (n_inputs - 1))).sum().backward()
    return x.grad


@pytest.mark.parametrize("backward, n_inputs", [
    (lambda ctx, g: g, 2),                              # too few gradients
    (lambda ctx, g: (g, None, None), 1),               # extra Nones are fine
    (lambda ctx, g: (g, g), 1),                         # too many
    (lambda ctx, g: g[:2], 1),                          # wrong shape
    (lambda ctx, g: g.sum(), 1),                        # broadcastable: summed back
    (lambda ctx, g: g.double(), 1),                     # converted to the input's dtype
    (lambda ctx, g: 1.0, 1),
    (lambda ctx, g: None, 1),
])
def test_what_backward_returns(backward, n_inputs):
    same(lambda lib: _bad_backward(lib, backward, n_inputs))


def test_missing_methods():
    def no_backward(lib):
        class NoBackward(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2
        NoBackward.apply(leaf(lib)).sum().backward()
    same(no_backward)

    def no_forward(lib):
        class NoForward(lib.autograd.Function):
            pass
        NoForward.apply(leaf(lib))
    same(no_forward)


def test_instantiating_a_function():
    same(lambda lib: exp_function(lib)()(lib.ones(1)))


def test_save_for_backward_refuses_other_values():
    def run(lib):
        class Save(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x, 3)
                return x * 2

            @staticmethod
            def backward(ctx, grad):
                return grad
        return Save.apply(leaf(lib))
    same(run)


def test_a_function_node_is_freed_with_its_output():
    import gc
    import weakref
    gc.collect()
    gc.disable()
    try:
        x = chainrule.tensor([1.0, 2.0], requires_grad=True)
        y = exp_function(chainrule).apply(x)        # saves its own output
        node = weakref.ref(y.grad_fn)
        del y
        assert node() is None
    finally:
        gc.enable()
