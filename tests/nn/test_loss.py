"""Losses (``chainrule/nn/_loss.py``, ``_nll.py``, ``nn/modules/loss.py``) against PyTorch.

Each case in ``CASES`` is plain data: the function, how to build its inputs,
its options, and which inputs need gradients. Every case is checked three
ways: value and gradients against PyTorch (float32 and float64, all three
reductions), gradients against numerical differences, and graph names.

Values are compared bitwise where chainrule computes exactly PyTorch's
float32 operations (``BITWISE``); elsewhere (exp, log, log-softmax come from
NumPy rather than PyTorch's SLEEF/MKL, 1 unit in the last place apart) to
2e-6 relative in float32 and 1e-12 in float64.
"""
import warnings

import numpy as np
import pytest
import torch

import chainrule
from chainrule.nn import _loss, _nll
from chainrule.nn.modules import loss as loss_modules

RNG = np.random.default_rng(0)


def _normal(*shape):
    return RNG.standard_normal(shape) * 2


def _prob(*shape):
    return RNG.uniform(0.02, 0.98, shape)


def _classes(n_classes, *shape, ignore=None):
    t = RNG.integers(0, n_classes, shape)
    if ignore is not None:
        t.reshape(-1)[1::4] = ignore
    return t


def _softmax(*shape):
    e = np.exp(_normal(*shape))
    return e / e.sum(1, keepdims=True)


def _log_softmax(*shape):
    x = _normal(*shape)
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


# name, inputs (arrays; integer arrays are class indices), keyword options, grad inputs
CASES = [
    ("mse_loss", (_normal(6, 4), _normal(6, 4)), {}, (0, 1)),
    ("mse_loss", (_normal(6, 4), _normal(4)), {}, (0, 1)),                # broadcast target
    ("mse_loss", (_normal(6, 4), _normal(6, 4)), {"weight": _prob(6, 4)}, (0,)),
    ("l1_loss", (_normal(6, 4), _normal(6, 4)), {}, (0, 1)),
    ("l1_loss", (_normal(6, 4), _normal(6, 4)), {"weight": _prob(6, 4)}, (0,)),
    ("smooth_l1_loss", (_normal(7, 5), _normal(7, 5)), {}, (0, 1)),
    ("smooth_l1_loss", (_normal(7, 5), _normal(7, 5)), {"beta": 0.5}, (0, 1)),
    ("smooth_l1_loss", (_normal(7, 5), _normal(7, 5)), {"beta": 0.0}, (0,)),
    ("huber_loss", (_normal(7, 5), _normal(7, 5)), {}, (0, 1)),
    ("huber_loss", (_normal(7, 5), _normal(7, 5)), {"delta": 2.5}, (0, 1)),
    ("huber_loss", (_normal(7, 5), _normal(7, 5)), {"weight": _prob(7, 5)}, (0,)),
    ("binary_cross_entropy", (_prob(6, 3), _prob(6, 3)), {}, (0, 1)),
    ("binary_cross_entropy", (_prob(6, 3), RNG.integers(0, 2, (6, 3)) * 1.0),
     {"weight": _prob(3)}, (0,)),
    ("binary_cross_entropy_with_logits", (_normal(6, 3) * 10, _prob(6, 3)), {}, (0, 1)),
    ("binary_cross_entropy_with_logits", (_normal(6, 3), _prob(6, 3)),
     {"weight": _prob(3), "pos_weight": _prob(3) * 3}, (0, 1)),
    ("nll_loss", (_log_softmax(9, 5), _classes(5, 9)), {}, (0,)),
    ("nll_loss", (_log_softmax(9, 5), _classes(5, 9, ignore=-100)), {"weight": _prob(5)}, (0,)),
    ("nll_loss", (_log_softmax(9, 5), _classes(5, 9, ignore=2)), {"ignore_index": 2}, (0,)),
    ("nll_loss", (_log_softmax(5), np.array(3)), {}, (0,)),
    ("nll_loss", (_log_softmax(2, 3, 5, 4).transpose(0, 3, 1, 2).copy(), _classes(4, 2, 3, 5)),
     {"weight": _prob(4)}, (0,)),
    ("cross_entropy", (_normal(9, 5), _classes(5, 9)), {}, (0,)),
    ("cross_entropy", (_normal(9, 5), _classes(5, 9, ignore=-100)),
     {"weight": _prob(5), "label_smoothing": 0.2}, (0,)),
    ("cross_entropy", (_normal(9, 5), _classes(5, 9, ignore=1)),
     {"ignore_index": 1, "label_smoothing": 0.1}, (0,)),
    ("cross_entropy", (_normal(9, 5), _softmax(9, 5)), {}, (0, 1)),
    ("cross_entropy", (_normal(9, 5), _softmax(9, 5)),
     {"weight": _prob(5), "label_smoothing": 0.3}, (0, 1)),
    ("cross_entropy", (_normal(5), np.array(2)), {}, (0,)),
    ("cross_entropy", (_normal(2, 3, 4), _classes(3, 2, 4)), {}, (0,)),
    ("cross_entropy", (_normal(2, 3, 4, 2), _classes(3, 2, 4, 2, ignore=-100)),
     {"weight": _prob(3)}, (0,)),
    ("cross_entropy", (_normal(2, 3, 2, 2, 2), _classes(3, 2, 2, 2, 2)), {}, (0,)),
    ("kl_div", (_log_softmax(6, 4), _softmax(6, 4)), {}, (0, 1)),
    ("kl_div", (_log_softmax(6, 4), np.where(_prob(6, 4) > 0.5, _softmax(6, 4), 0.0)), {}, (0,)),
    ("kl_div", (_log_softmax(6, 4), _log_softmax(6, 4)), {"log_target": True}, (0, 1)),
]
IDS = [f"{i}-{c[0]}" for i, c in enumerate(CASES)]
REDUCTIONS = ["mean", "sum", "none"]
# cases (and reductions) whose float32 values and gradients are PyTorch's to the last bit;
# the mean and sum of MSE and L1 use the core's summation, whose order is not PyTorch's
BITWISE = {0: ["none"], 3: ["none"], 15: REDUCTIONS, 16: REDUCTIONS, 17: REDUCTIONS,
           18: REDUCTIONS}

def _inputs(lib, case, dtype):
    name, arrays, options, grad_inputs = case
    tensors = []
    for i, a in enumerate(arrays):
        if a.dtype.kind == "i":
            tensors.append(lib.tensor(a))
        else:
            tensors.append(lib.tensor(a.astype(dtype), requires_grad=i in grad_inputs))
    kwargs = {k: lib.tensor(np.asarray(v, dtype)) if isinstance(v, np.ndarray) else v
              for k, v in options.items()}
    return tensors, kwargs


def _call(lib, case, dtype, reduction):
    tensors, kwargs = _inputs(lib, case, dtype)
    functional = lib.nn.functional
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # the warnings have tests of their own
        if case[0] == "huber_loss" or reduction != "mean" or case[0] != "kl_div":
            out = getattr(functional, case[0])(*tensors, reduction=reduction, **kwargs)
        else:
            out = getattr(functional, case[0])(*tensors, reduction="batchmean", **kwargs)
    return tensors, out


def _check_close(actual, expected, dtype, exact):
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape and actual.dtype == expected.dtype
    if exact:
        np.testing.assert_array_equal(actual, expected)
    elif dtype == np.float32:
        np.testing.assert_allclose(actual, expected, rtol=2e-6, atol=1e-7)
    else:
        np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("index", range(len(CASES)), ids=IDS)
def test_value_and_gradients_are_pytorch(index, dtype, reduction):
    case = CASES[index]
    exact = reduction in BITWISE.get(index, ()) and dtype == np.float32
    tensors_t, out_t = _call(torch, case, dtype, reduction)
    tensors_c, out_c = _call(chainrule, case, dtype, reduction)
    _check_close(out_c.detach().numpy(), out_t.detach().numpy(), dtype, exact)
    assert (out_c.grad_fn is None) == (out_t.grad_fn is None)
    if out_t.grad_fn is None:
        return
    upstream = RNG.standard_normal(out_t.shape).astype(dtype)
    out_t.backward(torch.tensor(upstream))
    out_c.backward(chainrule.tensor(upstream))
    for t, c in zip(tensors_t, tensors_c):
        if t.requires_grad:
            _check_close(c.grad.numpy(), t.grad.numpy(), dtype, exact)


@pytest.mark.parametrize("index", range(len(CASES)), ids=IDS)
def test_grad_fn_names_are_pytorch(index):
    for reduction in REDUCTIONS:
        names = []
        for lib in (torch, chainrule):
            _, out = _call(lib, CASES[index], np.float32, reduction)
            names.append(out.grad_fn.name())
        assert names[1] == names[0]


def _numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        down = f()
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


@pytest.mark.parametrize("index", range(len(CASES)), ids=IDS)
def test_gradients_match_numerical_differences(index):
    """Central differences in float64 (``none`` losses summed with random weights)."""
    case = CASES[index]
    tensors, out = _call(chainrule, case, np.float64, "none")
    upstream = RNG.standard_normal(out.shape)
    out.backward(chainrule.tensor(upstream))
    for t in tensors:
        if not t.requires_grad:
            continue

        def loss():
            _, again = _call_with_data(case, tensors)
            return float((again.detach().numpy() * upstream).sum())
        expected = _numerical_gradient(loss, t.detach().numpy())
        np.testing.assert_allclose(t.grad.numpy(), expected, rtol=1e-5, atol=1e-6)


def _call_with_data(case, tensors):
    """Re-evaluate the loss on the (modified in place) data of ``tensors``."""
    _, kwargs = _inputs(chainrule, case, np.float64)
    fresh = [chainrule.tensor(t.detach().numpy().copy()) for t in tensors]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fresh, getattr(chainrule.nn.functional, case[0])(*fresh, reduction="none",
                                                                **kwargs)


@pytest.mark.parametrize("index", [0, 5, 8, 11, 13, 14, 20, 23, 29])
def test_second_derivatives_are_pytorch(index):
    """Backward is written with tensor ops, so it can be differentiated again."""
    results = []
    for lib in (torch, chainrule):
        tensors, out = _call(lib, CASES[index], np.float64, "mean")
        x = tensors[0]
        (g,) = lib.autograd.grad(out, x, create_graph=True)
        direction = lib.tensor(np.linspace(-1, 1, x.numel()).reshape(tuple(x.shape)))
        if g.requires_grad:                # else the gradient does not depend on x
            (g * direction).sum().backward()
        results.append(None if x.grad is None else x.grad.numpy())
    if results[0] is None:
        assert results[1] is None or not results[1].any()
    else:
        np.testing.assert_allclose(results[1], results[0], rtol=1e-10, atol=1e-12)


def test_nll_loss_sums_in_pytorch_order():
    """A large batch with ignored targets: the 8-level cascade sum, bit for bit."""
    x = _log_softmax(5000, 7).astype(np.float32)
    t = _classes(7, 5000, ignore=-100)
    w = _prob(7).astype(np.float32)
    for weight in (None, w):
        for reduction in ("mean", "sum"):
            out = [lib.nn.functional.nll_loss(lib.tensor(x), lib.tensor(t), reduction=reduction,
                                              weight=None if weight is None else lib.tensor(w))
                   for lib in (torch, chainrule)]
            assert out[1].item() == out[0].item()


@pytest.mark.parametrize("logit", [80.0, 1e4, -1e4, 1e30])
def test_logit_losses_are_stable_for_large_logits(logit):
    for make in (lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
                     lib.tensor([logit, -logit], requires_grad=True), lib.tensor([0.0, 1.0])),
                 lambda lib: lib.nn.functional.cross_entropy(
                     lib.tensor([[logit, 0.0, -logit]], requires_grad=True), lib.tensor([2]))):
        values = []
        for lib in (torch, chainrule):
            out = make(lib)
            out.backward()
            values.append((out.item(), out.grad_fn.next_functions[0][0] is not None))
        assert np.isfinite(values[1][0])
        np.testing.assert_allclose(values[1][0], values[0][0], rtol=1e-6)


def _caught(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [(c.category, str(c.message)) for c in caught]


WARNING_CALLS = [
    lambda lib: lib.nn.functional.mse_loss(lib.zeros(3, 1), lib.zeros(3)),
    lambda lib: lib.nn.functional.l1_loss(lib.zeros(3, 1), lib.zeros(3)),
    lambda lib: lib.nn.functional.smooth_l1_loss(lib.zeros(2, 3), lib.zeros(3)),
    lambda lib: lib.nn.functional.huber_loss(lib.zeros(2, 3), lib.zeros(1, 3)),
    lambda lib: lib.nn.functional.mse_loss(lib.zeros(3), lib.zeros(3), size_average=False),
    lambda lib: lib.nn.functional.nll_loss(lib.zeros(2, 3), lib.tensor([0, 1]), reduce=False),
    lambda lib: lib.nn.functional.cross_entropy(lib.zeros(2, 3), lib.tensor([0, 1]),
                                                size_average=True, reduce=True),
    lambda lib: lib.nn.functional.l1_loss(lib.zeros(3), lib.zeros(3),
                                          reduction="elementwise_mean"),
    lambda lib: lib.nn.functional.kl_div(lib.zeros(2, 3), lib.ones(2, 3) / 3),
    lambda lib: lib.nn.MSELoss(size_average=False),
    lambda lib: lib.nn.CrossEntropyLoss(reduce=False),
]


@pytest.mark.parametrize("call", WARNING_CALLS)
def test_warnings_are_pytorch(call):
    expected = _caught(lambda: call(torch))
    assert expected
    assert _caught(lambda: call(chainrule)) == expected


def test_legacy_arguments_choose_the_reduction():
    for size_average, reduce in [(False, None), (None, False), (True, True), (False, True)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = torch.nn.L1Loss(size_average, reduce).reduction
            assert loss_modules.L1Loss(size_average, reduce).reduction == expected
            x, y = _normal(3, 2), _normal(3, 2)
            out = [lib.nn.functional.mse_loss(lib.tensor(x), lib.tensor(y),
                                              size_average=size_average, reduce=reduce)
                   for lib in (torch, chainrule)]
        np.testing.assert_allclose(out[1].numpy(), out[0].numpy(), rtol=1e-12)


ERROR_CALLS = [
    lambda lib, F, x: F.mse_loss(x, lib.zeros(4, 4)),
    lambda lib, F, x: F.mse_loss(lib.ones(3, dtype=lib.int64), lib.ones(3, dtype=lib.int64)),
    lambda lib, F, x: F.mse_loss(x, x.detach(), reduction="avg"),
    lambda lib, F, x: F.l1_loss(x, lib.zeros(4, 4)),
    lambda lib, F, x: F.smooth_l1_loss(x, x.detach(), beta=-1.0),
    lambda lib, F, x: F.smooth_l1_loss(lib.ones(3, dtype=lib.int64), lib.ones(3, dtype=lib.int64)),
    lambda lib, F, x: F.huber_loss(x, x.detach(), delta=0.0),
    lambda lib, F, x: F.huber_loss(x, lib.ones(4, 3, dtype=lib.int64)).backward(),
    lambda lib, F, x: F.huber_loss(x, lib.ones(4, 3, dtype=lib.float64)).backward(),
    lambda lib, F, x: F.binary_cross_entropy(x, lib.zeros(4, 3)),
    lambda lib, F, x: F.binary_cross_entropy(x.sigmoid(), lib.ones(4, 3) * 2),
    lambda lib, F, x: F.binary_cross_entropy(x.sigmoid(), lib.zeros(4)),
    lambda lib, F, x: F.binary_cross_entropy(x.sigmoid(), lib.ones(4, 3, dtype=lib.int64)),
    lambda lib, F, x: F.binary_cross_entropy(x.sigmoid(), lib.ones(4, 3, dtype=lib.float64)),
    lambda lib, F, x: F.binary_cross_entropy(lib.ones(3, dtype=lib.int64),
                                             lib.ones(3, dtype=lib.int64)),
    lambda lib, F, x: F.binary_cross_entropy_with_logits(x, lib.zeros(4)),
    lambda lib, F, x: F.binary_cross_entropy_with_logits(x, lib.ones(4, 3, dtype=lib.int64)),
    lambda lib, F, x: F.binary_cross_entropy_with_logits(x, x.detach(), pos_weight=lib.ones(2)),
    lambda lib, F, x: F.cross_entropy(x, lib.tensor([0, 2, 1, 5])),
    lambda lib, F, x: F.cross_entropy(x, lib.tensor([0, -1, 1, 1])),
    lambda lib, F, x: F.cross_entropy(x, lib.tensor([0.0, 1.0, 1.0, 1.0])),
    lambda lib, F, x: F.cross_entropy(x, lib.tensor([0, 1, 1, 1], dtype=lib.int32)),
    lambda lib, F, x: F.cross_entropy(x, lib.tensor([0, 1, 1])),
    lambda lib, F, x: F.cross_entropy(x, lib.tensor([0, 1, 1, 1]), label_smoothing=1.5),
    lambda lib, F, x: F.cross_entropy(x, lib.tensor([0, 1, 1, 1]), weight=lib.ones(2)),
    lambda lib, F, x: F.cross_entropy(x, lib.tensor([0, 1, 1, 1]),
                                      weight=lib.ones(3, dtype=lib.float64)),
    lambda lib, F, x: F.cross_entropy(x, lib.ones(4, 3) / 3, ignore_index=1),
    lambda lib, F, x: F.cross_entropy(x, lib.ones(4, 3, dtype=lib.int64)),
    lambda lib, F, x: F.cross_entropy(x, lib.ones(4, 3) / 3, weight=lib.ones(2)),
    lambda lib, F, x: F.cross_entropy(x[0], lib.tensor([1, 2])),
    lambda lib, F, x: F.cross_entropy(lib.zeros(2, 3, 4), lib.zeros(2, 5, dtype=lib.int64)),
    lambda lib, F, x: F.cross_entropy(lib.zeros(2, 3, 4, 5), lib.zeros(2, 4, 4, dtype=lib.int64)),
    lambda lib, F, x: F.cross_entropy(lib.zeros(2, 3, 4, 5), lib.zeros(2, 4, dtype=lib.int64)),
    lambda lib, F, x: F.cross_entropy(x, lib.tensor([0, 1, 1, 1]), reduction="avg"),
    lambda lib, F, x: F.nll_loss(lib.tensor(1.0), lib.tensor(0)),
    lambda lib, F, x: F.nll_loss(x, lib.zeros(4, 1, dtype=lib.int64)),
    lambda lib, F, x: F.nll_loss(lib.ones(4, 3, dtype=lib.int64), lib.tensor([0, 1, 1, 1])),
    lambda lib, F, x: F.nll_loss(x, lib.tensor([0, 1, 1, 1]), weight=lib.ones(3, 1)),
    lambda lib, F, x: F.kl_div(x, lib.ones(4, 3, dtype=lib.int64), reduction="sum"),
    lambda lib, F, x: F.kl_div(x, lib.ones(4, 3), reduction="bm"),
]


@pytest.mark.filterwarnings("ignore:Using a target size")
@pytest.mark.parametrize("call", ERROR_CALLS)
def test_errors_are_pytorch(call):
    x_t = torch.tensor(_normal(4, 3).astype(np.float32), requires_grad=True)
    x_c = chainrule.tensor(x_t.detach().numpy(), requires_grad=True)
    with pytest.raises(Exception) as expected:
        call(torch, torch.nn.functional, x_t)
    with pytest.raises(expected.type) as actual:
        call(chainrule, chainrule.nn.functional, x_c)
    assert str(actual.value) == str(expected.value)


def test_byte_class_indices_are_accepted():
    x = _log_softmax(6, 4).astype(np.float32)
    t = _classes(4, 6).astype(np.uint8)
    out = [lib.nn.functional.nll_loss(lib.tensor(x), lib.tensor(t)) for lib in (torch, chainrule)]
    assert out[1].item() == out[0].item()


def test_ignored_and_empty_batches_are_pytorch():
    for reduction in REDUCTIONS:
        for x, t in [(np.zeros((3, 4), np.float32), np.full(3, -100)),
                     (np.zeros((0, 4), np.float32), np.zeros(0, np.int64))]:
            out = [lib.nn.functional.cross_entropy(lib.tensor(x), lib.tensor(t),
                                                   reduction=reduction)
                   for lib in (torch, chainrule)]
            np.testing.assert_array_equal(out[1].numpy(), out[0].numpy())


MODULES = [
    ("MSELoss", {}, (_normal(4, 3), _normal(4, 3))),
    ("L1Loss", {"reduction": "sum"}, (_normal(4, 3), _normal(4, 3))),
    ("SmoothL1Loss", {"beta": 0.5}, (_normal(4, 3), _normal(4, 3))),
    ("HuberLoss", {"delta": 2.0, "reduction": "none"}, (_normal(4, 3), _normal(4, 3))),
    ("BCELoss", {"weight": _prob(3)}, (_prob(4, 3), _prob(4, 3))),
    ("BCEWithLogitsLoss", {"pos_weight": _prob(3)}, (_normal(4, 3), _prob(4, 3))),
    ("NLLLoss", {"ignore_index": 1}, (_log_softmax(4, 3), _classes(3, 4))),
    ("CrossEntropyLoss", {"weight": _prob(3), "label_smoothing": 0.1},
     (_normal(4, 3), _classes(3, 4))),
    ("KLDivLoss", {"reduction": "batchmean", "log_target": True},
     (_log_softmax(4, 3), _log_softmax(4, 3))),
]


@pytest.mark.parametrize("name,options,arrays", MODULES, ids=[m[0] for m in MODULES])
def test_modules_are_pytorch(name, options, arrays):
    results = []
    for lib, cls in ((torch, getattr(torch.nn, name)), (chainrule, getattr(loss_modules, name))):
        kwargs = {k: lib.tensor(v.astype(np.float32)) if isinstance(v, np.ndarray) else v
                  for k, v in options.items()}
        module = cls(**kwargs)
        inputs = [lib.tensor(a) if a.dtype.kind == "i" else lib.tensor(a.astype(np.float32))
                  for a in arrays]
        out = module(*inputs)
        results.append((repr(module), module.reduction, list(module.state_dict()),
                        out.detach().numpy()))
    assert results[1][:3] == results[0][:3]
    np.testing.assert_allclose(results[1][3], results[0][3], rtol=2e-6)


def test_loss_modules_are_exported_by_nn():
    for name, _, _ in MODULES:
        assert getattr(chainrule.nn, name) is getattr(loss_modules, name)
    for name in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
                 "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "kl_div"):
        assert getattr(chainrule.nn.functional, name) is getattr(
            _nll if name in ("cross_entropy", "nll_loss") else _loss, name)


@pytest.mark.parametrize("batch", [1, 16, 17, 64, 256, 257, 4097])
def test_cross_entropy_sum_matches_pytorch_bitwise(batch):
    """Both ways of adding the cascade (a loop up to 256 terms, level by level above):
    nll_loss and its dL/dx bit for bit, with ignored targets and class weights."""
    from chainrule.nn._nll import _cascade_sum, _cascade_sum_by_levels
    rng = np.random.RandomState(batch)
    x = (rng.standard_normal((batch, 10)) * 3).astype(np.float32)
    t = rng.randint(0, 10, size=batch)
    t[1::7] = -100
    w = np.linspace(0.5, 2.0, 10).astype(np.float32)
    for loss_fn in ("cross_entropy", "nll_loss"):
        for weight in (None, w):
            results = []
            for lib in (torch, chainrule):
                X = lib.tensor(x, requires_grad=True)
                loss = getattr(lib.nn.functional, loss_fn)(
                    X, lib.tensor(t), weight=None if weight is None else lib.tensor(weight))
                loss.backward()
                results.append((loss.item(), X.grad.numpy()))
            if loss_fn == "nll_loss":       # the sum's order and dL/dx = -w[t_i]/sum w: exact
                assert results[1][0] == results[0][0]
                assert np.array_equal(results[1][1], results[0][1])
            else:       # log_softmax's exp and log may differ from PyTorch's in the last bit
                np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-6)
                np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-6, atol=1e-7)
    values = rng.standard_normal(batch).astype(np.float32)
    positions = np.nonzero(t != -100)[0]
    values = values[:len(positions)]
    assert (_cascade_sum(values, positions, values.dtype).tobytes()
            == _cascade_sum_by_levels(values, positions, values.dtype).tobytes())


def test_nll_loss_backward_twice_still_records():
    """With create_graph the gradient of nll_loss is recorded (the NumPy shortcut is not)."""
    x = chainrule.tensor([[0.1, -0.2, 0.3], [0.5, 0.0, -1.0]], requires_grad=True)
    loss = chainrule.nn.functional.cross_entropy(x, chainrule.tensor([2, 0]))
    (g,) = chainrule.autograd.grad(loss, x, create_graph=True)
    assert g.requires_grad
    (g * g).sum().backward()
    xt = torch.tensor(x.detach().numpy(), requires_grad=True)
    (gt,) = torch.autograd.grad(torch.nn.functional.cross_entropy(xt, torch.tensor([2, 0])), xt,
                                create_graph=True)
    (gt * gt).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_nll_loss_with_no_sample_ignored_matches_pytorch_bitwise(dtype):
    """No ignored target: the cascade's runs are regular and summed a level at a time
    (``_cascade_sum_of_all``); the loss is PyTorch's to the bit for every batch size
    around the run lengths (16, 256, 4096), with weights, and with runs of -0 terms."""
    rng = np.random.RandomState(0)
    sizes = list(range(1, 40)) + [63, 64, 65, 255, 256, 257, 272, 4095, 4096, 4097, 4113]
    for batch in sizes:
        x = (rng.standard_normal((batch, 3)) * 10 ** rng.uniform(-3, 3, (batch, 1)))
        x = x.astype(dtype)
        t = rng.randint(0, 3, size=batch)
        if batch % 5 == 0:
            x[:17] = -0.0                      # a closed run and more of -0 terms
        w = np.array([0.5, 1.25, 2.0], dtype)
        for weight in (None, w):
            losses = []
            for lib in (torch, chainrule):
                losses.append(lib.nn.functional.nll_loss(
                    lib.tensor(x), lib.tensor(t),
                    weight=None if weight is None else lib.tensor(weight)).numpy().tobytes())
            assert losses[0] == losses[1], (batch, weight is not None)
