"""Layers against PyTorch: default initialisation after the same seed (bit for bit),
outputs and gradients with copied weights, train/eval behaviour, reprs and errors."""
import numpy as np
import pytest
import torch

import chainrule
from _compare import arrays, assert_same, both, copy_state, numerical_check, same_error


def seeded(make, seed=0):
    torch.manual_seed(seed)
    mt = make(torch)
    chainrule.manual_seed(seed)
    mc = make(chainrule)
    return mt, mc


LAYERS = [
    ("Linear", lambda L: L.nn.Linear(5, 3), (4, 5)),
    ("Linear_nobias", lambda L: L.nn.Linear(5, 3, bias=False), (4, 5)),
    ("Linear_1d", lambda L: L.nn.Linear(5, 3), (5,)),
    ("Linear_3d", lambda L: L.nn.Linear(5, 3), (2, 4, 5)),
    ("Linear_big", lambda L: L.nn.Linear(784, 128), (8, 784)),
    ("Linear_1_1", lambda L: L.nn.Linear(1, 1), (5, 1)),
    ("Identity", lambda L: L.nn.Identity(3, key=4), (2, 3)),
    ("Flatten", lambda L: L.nn.Flatten(), (2, 3, 4)),
    ("Flatten_0", lambda L: L.nn.Flatten(0, 1), (2, 3, 4)),
    ("Unflatten", lambda L: L.nn.Unflatten(1, (2, 3)), (4, 6)),
    ("LayerNorm", lambda L: L.nn.LayerNorm(6), (4, 6)),
    ("LayerNorm_2d", lambda L: L.nn.LayerNorm((3, 4), eps=1e-3), (2, 3, 4)),
    ("LayerNorm_plain", lambda L: L.nn.LayerNorm(4, elementwise_affine=False), (3, 4)),
    ("LayerNorm_nobias", lambda L: L.nn.LayerNorm(4, bias=False), (3, 4)),
    ("BatchNorm1d", lambda L: L.nn.BatchNorm1d(4), (6, 4)),
    ("BatchNorm1d_3d", lambda L: L.nn.BatchNorm1d(3), (4, 3, 5)),
    ("BatchNorm1d_noaffine", lambda L: L.nn.BatchNorm1d(4, affine=False), (6, 4)),
    ("BatchNorm1d_notrack", lambda L: L.nn.BatchNorm1d(4, track_running_stats=False), (6, 4)),
    ("BatchNorm1d_cumulative", lambda L: L.nn.BatchNorm1d(4, momentum=None), (6, 4)),
    ("BatchNorm2d", lambda L: L.nn.BatchNorm2d(3), (2, 3, 4, 4)),
    ("PReLU", lambda L: L.nn.PReLU(), (4, 3)),
    ("Dropout_eval", lambda L: L.nn.Dropout(0.3).eval(), (4, 3)),
]


@pytest.mark.parametrize("name, make, shape", LAYERS, ids=[x[0] for x in LAYERS])
def test_default_init_repr_and_state_dict_match_pytorch(name, make, shape):
    mt, mc = seeded(make, seed=7)
    assert repr(mc) == repr(mt)
    st, sc = mt.state_dict(), mc.state_dict()
    assert list(sc) == list(st)
    for k in st:
        assert_same(st[k], sc[k])


@pytest.mark.parametrize("name, make, shape", LAYERS, ids=[x[0] for x in LAYERS])
def test_outputs_and_gradients_match_pytorch(name, make, shape):
    mt, mc = seeded(make, seed=3)
    (x,) = arrays(5, shape)
    xt, xc = both(x, requires_grad=True)
    yt, yc = mt(xt), mc(xc)
    # products with more than one term depend on the BLAS's summation order
    exact = name in ("Linear_1_1", "Linear_1d", "Identity", "Flatten", "Flatten_0",
                     "Unflatten", "PReLU", "Dropout_eval")
    assert_same(yt, yc, exact=exact, rtol=1e-5, atol=1e-5)
    g = arrays(6, tuple(yt.shape))[0]
    yt.backward(torch.tensor(g))
    yc.backward(chainrule.tensor(g))
    assert_same(xt.grad, xc.grad, exact=False, rtol=1e-4, atol=1e-5)
    for (n, pt), (_, pc) in zip(mt.named_parameters(), mc.named_parameters()):
        assert_same(pt.grad, pc.grad, exact=False, rtol=1e-4, atol=1e-4)
    for (n, bt), (_, bc) in zip(mt.named_buffers(), mc.named_buffers()):
        assert_same(bt, bc, exact=False, rtol=1e-6, atol=1e-7)
    if yt.grad_fn is not None:
        assert yc.grad_fn.name() == yt.grad_fn.name()


def test_linear_graph_has_pytorchs_shape():
    mt, mc = seeded(lambda L: L.nn.Linear(2, 3))
    yt, yc = mt(torch.ones(4, 2)), mc(chainrule.ones(4, 2))

    def names(fn):
        return [None if f is None else f.name() for f, _ in fn.next_functions]
    assert names(yc.grad_fn) == names(yt.grad_fn)
    assert yc.grad_fn.next_functions[2][0].name() == "TBackward0"


def test_linear_1_1_is_bit_exact_through_training_steps():
    """Sequential(Linear(1,1), PReLU(), Linear(1,1)), as in the course's seed program."""
    mt, mc = seeded(lambda L: L.nn.Sequential(L.nn.Linear(1, 1), L.nn.PReLU(),
                                                L.nn.Linear(1, 1)))
    for step in range(5):
        x = np.array([[float(step + 1)]], np.float32)
        outs = []
        for m, lib in ((mt, torch), (mc, chainrule)):
            m.zero_grad()
            y = m(lib.tensor(x))
            loss = ((y - lib.tensor(2 * x)) ** 2).mean()
            loss.backward()
            with lib.no_grad():
                for p in m.parameters():
                    p -= 0.01 * p.grad
            outs.append(loss)
        assert_same(outs[0], outs[1])
    for pt, pc in zip(mt.parameters(), mc.parameters()):
        assert_same(pt, pc)


def test_bilinear():
    mt, mc = seeded(lambda L: L.nn.Bilinear(3, 4, 2), seed=2)
    assert repr(mc) == repr(mt)
    for k in mt.state_dict():
        assert_same(mt.state_dict()[k], mc.state_dict()[k])
    x1, x2 = arrays(1, (5, 3), (5, 4))
    (t1, c1), (t2, c2) = both(x1, True), both(x2, True)
    yt, yc = mt(t1, t2), mc(c1, c2)
    assert_same(yt, yc, exact=False)
    yt.sum().backward()
    yc.sum().backward()
    for a, b in [(t1.grad, c1.grad), (t2.grad, c2.grad), (mt.weight.grad, mc.weight.grad)]:
        assert_same(a, b, exact=False, rtol=1e-4)
    numerical_check(lambda L, a, b, w: L.nn.functional.bilinear(a, b, w), [(2, 3), (2, 2),
                                                                        (2, 3, 2)])


def test_batchnorm_running_statistics_over_training_steps():
    mt, mc = seeded(lambda L: L.nn.BatchNorm1d(3, momentum=0.3))
    for step in range(4):
        (x,) = arrays(step, (8, 3), scale=3.0)
        xt, xc = both(x)
        assert_same(mt(xt), mc(xc), exact=False, rtol=1e-5, atol=1e-6)
    assert_same(mt.running_mean, mc.running_mean, exact=False, rtol=1e-6, atol=1e-7)
    assert_same(mt.running_var, mc.running_var, exact=False, rtol=1e-6, atol=1e-7)
    assert_same(mt.num_batches_tracked, mc.num_batches_tracked)
    mt.eval()
    mc.eval()
    copy_state(mt, mc)                           # now identical statistics
    (x,) = arrays(9, (5, 3))
    xt, xc = both(x)
    assert_same(mt(xt), mc(xc))                  # evaluation mode: bit for bit
    assert_same(mt.running_mean, mc.running_mean)


def test_batchnorm_single_value_per_channel_error():
    same_error(lambda: torch.nn.BatchNorm1d(3)(torch.ones(1, 3)),
               lambda: chainrule.nn.BatchNorm1d(3)(chainrule.ones(1, 3)))
    same_error(lambda: torch.nn.BatchNorm1d(3)(torch.ones(3)),
               lambda: chainrule.nn.BatchNorm1d(3)(chainrule.ones(3)))
    same_error(lambda: torch.nn.BatchNorm2d(3)(torch.ones(2, 3)),
               lambda: chainrule.nn.BatchNorm2d(3)(chainrule.ones(2, 3)))
    same_error(lambda: torch.nn.BatchNorm1d(3)(torch.ones(2, 4)),
               lambda: chainrule.nn.BatchNorm1d(3)(chainrule.ones(2, 4)))


def test_batchnorm_eval_with_single_sample_works():
    for lib in (torch, chainrule):
        bn = lib.nn.BatchNorm1d(2).eval()
        assert bn(lib.ones(1, 2)).shape == (1, 2)


def test_dropout_masks_match_pytorch_after_the_same_seed():
    (x,) = arrays(0, (6, 7))
    for p in (0.1, 0.5, 0.8):
        mt, mc = seeded(lambda L: L.nn.Dropout(p), seed=11)
        xt, xc = both(x, requires_grad=True)
        yt, yc = mt(xt), mc(xc)
        assert_same(yt, yc)
        yt.sum().backward()
        yc.sum().backward()
        assert_same(xt.grad, xc.grad)
        assert yc.grad_fn.name() == yt.grad_fn.name()
        assert_same(torch.rand(3), chainrule.rand(3))          # the streams stay in step


def test_dropout_eval_p0_p1_and_inplace():
    (x,) = arrays(0, (3, 4))
    for lib in (torch, chainrule):
        t = lib.tensor(x)
        assert lib.nn.Dropout(0.5).eval()(t) is t
        assert lib.nn.Dropout(0.0)(t) is t
    for make in [lambda L: L.nn.Dropout(1.0), lambda L: L.nn.Dropout(0.4, inplace=True),
                 lambda L: L.nn.Dropout1d(0.5), lambda L: L.nn.Dropout2d(0.5)]:
        mt, mc = seeded(make, seed=4)
        assert repr(mc) == repr(mt)
        shape = (2, 3, 4, 4) if "2d" in repr(mt) else (2, 3, 5)
        (x,) = arrays(1, shape)
        xt, xc = both(x)
        assert_same(mt(xt), mc(xc))
        if "inplace=True" in repr(mt):
            assert_same(xt, xc)
    same_error(lambda: torch.nn.Dropout(1.5), lambda: chainrule.nn.Dropout(1.5))


def test_embedding_init_lookup_and_gradient():
    for kwargs in [{}, {"padding_idx": 1}, {"padding_idx": -2}, {"scale_grad_by_freq": True}]:
        mt, mc = seeded(lambda L: L.nn.Embedding(6, 4, **kwargs), seed=5)
        assert repr(mc) == repr(mt)
        assert_same(mt.weight, mc.weight)
        ids = np.array([[0, 1, 4], [4, 4, 2]])
        yt, yc = mt(torch.tensor(ids)), mc(chainrule.tensor(ids))
        assert_same(yt, yc)
        assert yc.grad_fn.name() == yt.grad_fn.name()
        g = arrays(3, tuple(yt.shape))[0]
        yt.backward(torch.tensor(g))
        yc.backward(chainrule.tensor(g))
        assert_same(mt.weight.grad, mc.weight.grad, exact=False)


def test_embedding_max_norm_renormalises_rows_in_place():
    mt, mc = seeded(lambda L: L.nn.Embedding(5, 3, max_norm=1.0), seed=1)
    ids = np.array([0, 2, 2])
    assert_same(mt(torch.tensor(ids)), mc(chainrule.tensor(ids)), exact=False)
    assert_same(mt.weight, mc.weight, exact=False)


def test_embedding_from_pretrained():
    (w,) = arrays(0, (4, 2))
    for freeze in (True, False):
        et = torch.nn.Embedding.from_pretrained(torch.tensor(w), freeze=freeze)
        ec = chainrule.nn.Embedding.from_pretrained(chainrule.tensor(w), freeze=freeze)
        assert ec.weight.requires_grad == et.weight.requires_grad
        assert repr(ec) == repr(et)


def test_embedding_errors():
    for call in [lambda L: L.nn.Embedding(3, 2)(L.tensor([0.0, 1.0])),
                 lambda L: L.nn.Embedding(3, 2)(L.tensor([0, 3])),
                 lambda L: L.nn.Embedding(3, 2, padding_idx=3),
                 lambda L: L.nn.Embedding(3, 2, padding_idx=-4)]:
        same_error(lambda: call(torch), lambda: call(chainrule))


def test_linear_errors():
    for call in [lambda L: L.nn.Linear(4, 2)(L.ones(3, 3)),
                 lambda L: L.nn.Linear(4, 2)(L.ones(3)),
                 lambda L: L.nn.Linear(4, 2)(L.ones(2, 3, 3)),
                 lambda L: L.nn.Linear(4, 2)(L.ones(3, 4, dtype=L.float64)),
                 lambda L: L.nn.Linear(4, 2)(L.ones(3, 4, dtype=L.int64)),
                 lambda L: L.nn.Linear(4, 2)(L.tensor(1.0))]:
        same_error(lambda: call(torch), lambda: call(chainrule))


def test_linear_in_float64_after_double():
    mt, mc = seeded(lambda L: L.nn.Linear(3, 2).double())
    (x,) = arrays(0, (4, 3), dtype=np.float64)
    assert_same(mt(torch.tensor(x)), mc(chainrule.tensor(x)), exact=False, rtol=1e-14)


def test_flatten_unflatten_errors_and_shapes():
    same_error(lambda: torch.nn.Unflatten(1, (2, 2))(torch.ones(2, 6)),
               lambda: chainrule.nn.Unflatten(1, (2, 2))(chainrule.ones(2, 6)))
