"""``EmbeddingBag`` / ``F.embedding_bag`` and ``Embedding``'s padding_idx and max_norm,
against PyTorch: seeded init, reprs, outputs, gradients, in-place renorm, errors."""
import numpy as np
import pytest
import torch

import chainrule
from _compare import assert_same, numerical_check, same_error


def seeded(make, seed=0):
    torch.manual_seed(seed)
    mt = make(torch)
    chainrule.manual_seed(seed)
    mc = make(chainrule)
    return mt, mc


IDS = np.array([1, 2, 4, 5, 4, 3, 2, 9, 0, 0, 7])
OFFSETS = np.array([0, 2, 2, 6, 9])              # bag 1 is empty

CASES = [
    ("mean", {}, {}),
    ("sum", {}, {}),
    ("max", {}, {}),
    ("sum_weights", {"mode": "sum"}, {"per_sample_weights": True}),
    ("mean_padding", {"padding_idx": 0}, {}),
    ("sum_padding_neg", {"mode": "sum", "padding_idx": -8}, {}),
    ("max_padding", {"mode": "max", "padding_idx": 2}, {}),
    # (the last offset at the end: PyTorch leaves gradient rows of ids after it unset)
    ("last_offset", {"mode": "sum", "include_last_offset": True}, {"offsets": [0, 2, 6, 11]}),
    ("max_norm", {"max_norm": 1.0, "mode": "sum"}, {}),
]


@pytest.mark.parametrize("name, kwargs, call", CASES, ids=[c[0] for c in CASES])
def test_embedding_bag_matches_pytorch(name, kwargs, call):
    mt, mc = seeded(lambda L: L.nn.EmbeddingBag(10, 3, **kwargs), seed=2)
    assert repr(mc) == repr(mt)
    assert_same(mt.weight, mc.weight)
    w = np.random.default_rng(0).standard_normal(IDS.shape).astype(np.float32)
    extra_t, extra_c = {}, {}
    if call.get("per_sample_weights"):
        extra_t["per_sample_weights"] = torch.tensor(w, requires_grad=True)
        extra_c["per_sample_weights"] = chainrule.tensor(w, requires_grad=True)
    offsets = np.array(call.get("offsets", OFFSETS))
    yt = mt(torch.tensor(IDS), torch.tensor(offsets), **extra_t)
    yc = mc(chainrule.tensor(IDS), chainrule.tensor(offsets), **extra_c)
    assert_same(yt, yc, exact=False)
    assert_same(mt.weight, mc.weight, exact=False)          # max_norm renormalises in place
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(np.float32)
    yt.backward(torch.tensor(g))
    yc.backward(chainrule.tensor(g))
    assert_same(mt.weight.grad, mc.weight.grad, exact=False)
    if extra_t:
        assert_same(extra_t["per_sample_weights"].grad, extra_c["per_sample_weights"].grad,
                    exact=False)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_of_a_2d_batch(mode):
    ids = np.array([[1, 2, 4], [4, 3, 9]])
    for lib in (torch, chainrule):
        lib.manual_seed(5)
    weight = np.random.default_rng(3).standard_normal((10, 4)).astype(np.float32)
    wt = torch.tensor(weight, requires_grad=True)
    wc = chainrule.tensor(weight, requires_grad=True)
    yt = torch.nn.functional.embedding_bag(torch.tensor(ids), wt, mode=mode)
    yc = chainrule.nn.functional.embedding_bag(chainrule.tensor(ids), wc, mode=mode)
    assert_same(yt, yc, exact=False)
    yt.sum().backward()
    yc.sum().backward()
    assert_same(wt.grad, wc.grad, exact=False)


def test_embedding_bag_numerical_gradient():
    ids, offsets = chainrule.tensor([1, 0, 2, 2]), chainrule.tensor([0, 1])
    numerical_check(lambda L, w, s: L.nn.functional.embedding_bag(
        ids, w, offsets, mode="sum", per_sample_weights=s), [(3, 2), (4,)])
    numerical_check(lambda L, w: L.nn.functional.embedding_bag(ids, w, offsets, mode="mean"),
                    [(3, 2)])


def test_embedding_bag_from_pretrained():
    weight = np.arange(12.0, dtype=np.float32).reshape(4, 3)
    bt = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(weight), mode="max")
    bc = chainrule.nn.EmbeddingBag.from_pretrained(chainrule.tensor(weight), mode="max")
    assert repr(bc) == repr(bt)
    assert bc.weight.requires_grad == bt.weight.requires_grad
    ids = np.array([[0, 3], [2, 1]])
    assert_same(bt(torch.tensor(ids)), bc(chainrule.tensor(ids)))


def test_embedding_padding_idx_and_max_norm():
    for kwargs in [{"padding_idx": 3}, {"max_norm": 1.5}, {"max_norm": 1.0, "norm_type": 1.0}]:
        mt, mc = seeded(lambda L: L.nn.Embedding(6, 4, **kwargs), seed=5)
        assert repr(mc) == repr(mt)
        ids = np.array([[0, 3, 4], [4, 4, 2]])
        yt, yc = mt(torch.tensor(ids)), mc(chainrule.tensor(ids))
        assert_same(yt, yc, exact=False)
        assert_same(mt.weight, mc.weight, exact=False)
        yt.sum().backward()
        yc.sum().backward()
        assert_same(mt.weight.grad, mc.weight.grad, exact=False)


ERRORS = [
    ("offsets_2d_input", lambda L: L.nn.functional.embedding_bag(
        L.tensor([[1, 2]]), L.ones(5, 2), L.tensor([0]))),
    ("no_offsets", lambda L: L.nn.functional.embedding_bag(L.tensor([1, 2]), L.ones(5, 2))),
    ("offsets_2d", lambda L: L.nn.functional.embedding_bag(L.tensor([1, 2]), L.ones(5, 2),
                                                           L.tensor([[0]]))),
    ("input_3d", lambda L: L.nn.functional.embedding_bag(L.tensor([[[1]]]), L.ones(5, 2))),
    ("mode", lambda L: L.nn.functional.embedding_bag(L.tensor([[1]]), L.ones(5, 2),
                                                     mode="min")),
    ("max_scale", lambda L: L.nn.functional.embedding_bag(L.tensor([[1]]), L.ones(5, 2),
                                                          mode="max",
                                                          scale_grad_by_freq=True)),
    ("weights_mean", lambda L: L.nn.functional.embedding_bag(
        L.tensor([[1]]), L.ones(5, 2), per_sample_weights=L.ones(1, 1))),
    ("weights_shape", lambda L: L.nn.functional.embedding_bag(
        L.tensor([[1]]), L.ones(5, 2), mode="sum", per_sample_weights=L.ones(2))),
    ("first_offset", lambda L: L.nn.functional.embedding_bag(L.tensor([1, 2, 3]), L.ones(5, 2),
                                                             L.tensor([1, 2]))),
    ("last_offset", lambda L: L.nn.functional.embedding_bag(L.tensor([1, 2, 3]), L.ones(5, 2),
                                                            L.tensor([0, 5]))),
    ("float_ids", lambda L: L.nn.functional.embedding_bag(L.tensor([1.0]), L.ones(5, 2),
                                                          L.tensor([0]))),
    ("padding_range", lambda L: L.nn.EmbeddingBag(10, 3, padding_idx=-11)),
]


@pytest.mark.parametrize("name, call", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_pytorch(name, call):
    same_error(lambda: call(torch), lambda: call(chainrule))
