"""nn.init against PyTorch: after the same seed every initialiser fills the same
numbers, bit for bit; gains, fans and errors match too."""
import math
import warnings

import numpy as np
import pytest
import torch

import chainrule
from _compare import assert_same, same_error

INITS = [
    ("uniform_", lambda L, t: L.nn.init.uniform_(t, -0.3, 0.7)),
    ("normal_", lambda L, t: L.nn.init.normal_(t, 0.5, 2.0)),
    ("constant_", lambda L, t: L.nn.init.constant_(t, 0.25)),
    ("ones_", lambda L, t: L.nn.init.ones_(t)),
    ("zeros_", lambda L, t: L.nn.init.zeros_(t)),
    ("xavier_uniform_", lambda L, t: L.nn.init.xavier_uniform_(t)),
    ("xavier_uniform_gain", lambda L, t: L.nn.init.xavier_uniform_(
        t, gain=L.nn.init.calculate_gain("tanh"))),
    ("xavier_normal_", lambda L, t: L.nn.init.xavier_normal_(t, gain=1.5)),
    ("kaiming_uniform_", lambda L, t: L.nn.init.kaiming_uniform_(t)),
    ("kaiming_uniform_sqrt5", lambda L, t: L.nn.init.kaiming_uniform_(t, a=math.sqrt(5))),
    ("kaiming_uniform_relu_out", lambda L, t: L.nn.init.kaiming_uniform_(
        t, mode="fan_out", nonlinearity="relu")),
    ("kaiming_normal_", lambda L, t: L.nn.init.kaiming_normal_(t, nonlinearity="relu")),
    ("trunc_normal_", lambda L, t: L.nn.init.trunc_normal_(t)),
    ("trunc_normal_narrow", lambda L, t: L.nn.init.trunc_normal_(t, 0.0, 1.0, -0.2, 0.3)),
    ("trunc_normal_shifted", lambda L, t: L.nn.init.trunc_normal_(t, 1.0, 0.5, 0.0, 2.0)),
]
SHAPES = [(3, 4), (64, 32), (5, 3, 2, 2), (100, 7)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name, init", INITS, ids=[i[0] for i in INITS])
def test_initialisers_match_pytorch_bit_for_bit(name, init, shape):
    torch.manual_seed(123)
    chainrule.manual_seed(123)
    wt, wc = torch.empty(shape), chainrule.empty(shape)
    rt, rc = init(torch, wt), init(chainrule, wc)
    assert rt is wt and rc is wc
    assert_same(wt, wc)
    assert_same(torch.rand(2), chainrule.rand(2))        # same number of draws consumed


def test_initialisers_work_on_parameters_without_recording():
    for lib in (torch, chainrule):
        p = lib.nn.Parameter(lib.empty(3, 2))
        lib.nn.init.kaiming_uniform_(p)
        assert p.is_leaf and p.requires_grad and p.grad_fn is None


def test_float64_initialisation_matches():
    torch.manual_seed(5)
    chainrule.manual_seed(5)
    wt = torch.nn.init.xavier_normal_(torch.empty(20, 10, dtype=torch.float64))
    wc = chainrule.nn.init.xavier_normal_(chainrule.empty(20, 10, dtype=chainrule.float64))
    assert_same(wt, wc)


def test_eye_():
    for shape in [(3, 3), (2, 4), (4, 2)]:
        assert_same(torch.nn.init.eye_(torch.empty(shape)),
                    chainrule.nn.init.eye_(chainrule.empty(shape)))
    same_error(lambda: torch.nn.init.eye_(torch.empty(3)),
               lambda: chainrule.nn.init.eye_(chainrule.empty(3)))


def test_orthogonal_():
    for shape in [(4, 4), (3, 5), (6, 2)]:
        torch.manual_seed(0)
        chainrule.manual_seed(0)
        wt = torch.nn.init.orthogonal_(torch.empty(shape), gain=2.0)
        wc = chainrule.nn.init.orthogonal_(chainrule.empty(shape), gain=2.0)
        assert_same(wt, wc, exact=False, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("args", [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",),
                                  ("leaky_relu",), ("leaky_relu", 0.2), ("leaky_relu", 3),
                                  ("selu",)])
def test_calculate_gain(args):
    assert chainrule.nn.init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)


def test_calculate_gain_errors():
    same_error(lambda: torch.nn.init.calculate_gain("softmax"),
               lambda: chainrule.nn.init.calculate_gain("softmax"))
    same_error(lambda: torch.nn.init.calculate_gain("leaky_relu", True),
               lambda: chainrule.nn.init.calculate_gain("leaky_relu", True))


@pytest.mark.parametrize("shape", [(3, 4), (5, 3, 2, 2), (7, 1, 3)])
def test_fan_in_and_fan_out(shape):
    assert chainrule.nn.init._calculate_fan_in_and_fan_out(chainrule.empty(shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def test_init_errors_and_warnings():
    same_error(lambda: torch.nn.init.xavier_uniform_(torch.empty(3)),
               lambda: chainrule.nn.init.xavier_uniform_(chainrule.empty(3)))
    same_error(lambda: torch.nn.init.kaiming_uniform_(torch.empty(2, 2), mode="fan"),
               lambda: chainrule.nn.init.kaiming_uniform_(chainrule.empty(2, 2), mode="fan"))
    same_error(lambda: torch.nn.init.orthogonal_(torch.empty(3)),
               lambda: chainrule.nn.init.orthogonal_(chainrule.empty(3)))
    messages = []
    for lib in (torch, chainrule):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.nn.init.kaiming_uniform_(lib.empty(0, 3))
            lib.nn.init.trunc_normal_(lib.empty(3), mean=10.0)
        messages.append([str(m.message) for m in w])
    assert messages[0] == messages[1]


def test_layers_reset_parameters_in_pytorchs_draw_order():
    torch.manual_seed(9)
    chainrule.manual_seed(9)
    mt = torch.nn.Linear(4, 3)
    mc = chainrule.nn.Linear(4, 3)
    mt.reset_parameters()
    mc.reset_parameters()
    for k in ("weight", "bias"):
        assert_same(mt.state_dict()[k], mc.state_dict()[k])
    assert np.array_equal(torch.randn(20).numpy(), chainrule.randn(20).numpy())
