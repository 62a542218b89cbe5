"""``nn.utils.rnn`` against PyTorch: padding, packing (sorted or not), unpacking,
their gradients, ``PackedSequence`` itself and the error messages."""
import numpy as np
import pytest
import torch

import chainrule


def same(t, c):
    """Same values, shape and dtype (these functions only move numbers: bit for bit)."""
    a, b = t.detach().numpy(), c.detach().numpy()
    assert a.shape == b.shape and str(a.dtype) == str(b.dtype), (a.shape, b.shape, a.dtype,
                                                                 b.dtype)
    np.testing.assert_array_equal(b, a)


def same_packed(pt, pc):
    assert type(pc).__name__ == "PackedSequence"
    for a, b in zip(pt, pc):
        assert (a is None) == (b is None)
        if a is not None:
            same(a, b)


def same_error(call):
    try:
        call(torch)
    except Exception as e:      # noqa: BLE001  (any error type is what we compare)
        expected = e
    else:
        raise AssertionError("torch raised nothing")
    with pytest.raises(type(expected)) as info:
        call(chainrule)
    assert str(info.value) == str(expected)


def sequences(lib, lengths, trailing=(3,), seed=0, requires_grad=False):
    rng = np.random.default_rng(seed)
    return [lib.tensor(rng.standard_normal((n,) + trailing).astype(np.float32),
                       requires_grad=requires_grad) for n in lengths]


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
@pytest.mark.parametrize("trailing", [(), (3,), (2, 2)])
def test_pad_sequence(batch_first, padding_side, trailing):
    lengths = [2, 4, 1]
    st = sequences(torch, lengths, trailing, requires_grad=True)
    sc = sequences(chainrule, lengths, trailing, requires_grad=True)
    kw = dict(batch_first=batch_first, padding_value=-1.5, padding_side=padding_side)
    pt = torch.nn.utils.rnn.pad_sequence(st, **kw)
    pc = chainrule.nn.utils.rnn.pad_sequence(sc, **kw)
    same(pt, pc)
    g = np.arange(pt.numel(), dtype=np.float32).reshape(tuple(pt.shape))
    pt.backward(torch.tensor(g))
    pc.backward(chainrule.tensor(g))
    for a, b in zip(st, sc):
        same(a.grad, b.grad)


def test_pad_sequence_of_integer_ids_and_of_a_tensor():
    ids = [[4, 2, 7], [1], [5, 5]]
    same(torch.nn.utils.rnn.pad_sequence([torch.tensor(i) for i in ids], True),
         chainrule.nn.utils.rnn.pad_sequence([chainrule.tensor(i) for i in ids], True))
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    same(torch.nn.utils.rnn.pad_sequence(torch.tensor(x)),
         chainrule.nn.utils.rnn.pad_sequence(chainrule.tensor(x)))


@pytest.mark.parametrize("lengths, enforce_sorted", [
    ([5, 3, 3, 1], True), ([5, 5, 5, 5], True), ([2, 5, 1, 3], False),
    ([3, 1, 3, 2, 3], False), ([4, 3, 2, 1], False), ([1], True)])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_and_pad_packed_round_trip(lengths, enforce_sorted, batch_first):
    shape = (len(lengths), max(lengths), 2) if batch_first else (max(lengths), len(lengths), 2)
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    xt = torch.tensor(x, requires_grad=True)
    xc = chainrule.tensor(x, requires_grad=True)
    kw = dict(batch_first=batch_first, enforce_sorted=enforce_sorted)
    pt = torch.nn.utils.rnn.pack_padded_sequence(xt, torch.tensor(lengths), **kw)
    pc = chainrule.nn.utils.rnn.pack_padded_sequence(xc, chainrule.tensor(lengths), **kw)
    same_packed(pt, pc)
    assert repr(pc) == repr(pt)
    for total in (None, max(lengths) + 2):
        out_t = torch.nn.utils.rnn.pad_packed_sequence(pt, batch_first, 9.0, total)
        out_c = chainrule.nn.utils.rnn.pad_packed_sequence(pc, batch_first, 9.0, total)
        same(out_t[0], out_c[0])
        same(out_t[1], out_c[1])
    g = np.random.default_rng(2).standard_normal(tuple(out_t[0].shape)).astype(np.float32)
    (out_t[0] * torch.tensor(g)).sum().backward()
    (out_c[0] * chainrule.tensor(g)).sum().backward()
    same(xt.grad, xc.grad)


def test_pack_sequence_unpack_sequence_and_unpad_sequence():
    for enforce_sorted, lengths in [(True, [4, 2, 2]), (False, [1, 4, 3])]:
        st, sc = sequences(torch, lengths), sequences(chainrule, lengths)
        pt = torch.nn.utils.rnn.pack_sequence(st, enforce_sorted=enforce_sorted)
        pc = chainrule.nn.utils.rnn.pack_sequence(sc, enforce_sorted=enforce_sorted)
        same_packed(pt, pc)
        for a, b in zip(torch.nn.utils.rnn.unpack_sequence(pt),
                        chainrule.nn.utils.rnn.unpack_sequence(pc)):
            same(a, b)
        padded_t = torch.nn.utils.rnn.pad_sequence(st, batch_first=True)
        padded_c = chainrule.nn.utils.rnn.pad_sequence(sc, batch_first=True)
        for a, b in zip(torch.nn.utils.rnn.unpad_sequence(padded_t, torch.tensor(lengths),
                                                          batch_first=True),
                        chainrule.nn.utils.rnn.unpad_sequence(padded_c,
                                                              chainrule.tensor(lengths),
                                                              batch_first=True)):
            same(a, b)


def test_packed_sequence_is_a_namedtuple_like_pytorchs():
    data, sizes = np.arange(6.0, dtype=np.float32), np.array([3, 2, 1])
    perm = np.array([2, 0, 1])
    pt = torch.nn.utils.rnn.PackedSequence(torch.tensor(data), torch.tensor(sizes),
                                           torch.tensor(perm))
    pc = chainrule.nn.utils.rnn.PackedSequence(chainrule.tensor(data),
                                               chainrule.tensor(sizes),
                                               chainrule.tensor(perm))
    same_packed(pt, pc)
    assert repr(pc) == repr(pt)
    assert pc._fields == pt._fields
    data_c, sizes_c, sorted_c, unsorted_c = pc                  # unpacks like a tuple
    same(pt.unsorted_indices, unsorted_c)
    same(pt.double().data, pc.double().data)
    same(torch.nn.utils.rnn.invert_permutation(torch.tensor(perm)),
         chainrule.nn.utils.rnn.invert_permutation(chainrule.tensor(perm)))
    pair = chainrule.nn.utils.rnn.PackedSequence((pc.data, pc.batch_sizes))
    same(pt.batch_sizes, pair.batch_sizes)


ERRORS = [
    ("unsorted", lambda L: L.nn.utils.rnn.pack_padded_sequence(L.ones(4, 3, 2), [2, 3, 1])),
    ("zero_length", lambda L: L.nn.utils.rnn.pack_padded_sequence(L.ones(4, 3, 2), [3, 2, 0])),
    ("zero_unsorted", lambda L: L.nn.utils.rnn.pack_padded_sequence(L.ones(4, 3, 2),
                                                                    [0, 2, 3],
                                                                    enforce_sorted=False)),
    ("count", lambda L: L.nn.utils.rnn.pack_padded_sequence(L.ones(4, 3, 2), [3, 2])),
    ("lengths_2d", lambda L: L.nn.utils.rnn.pack_padded_sequence(L.ones(4, 3, 2),
                                                                 [[3, 2, 1]])),
    ("total_length", lambda L: L.nn.utils.rnn.pad_packed_sequence(
        L.nn.utils.rnn.pack_padded_sequence(L.ones(4, 3, 2), [3, 2, 1]), total_length=2)),
    ("empty", lambda L: L.nn.utils.rnn.pad_sequence([])),
    ("not_iterable", lambda L: L.nn.utils.rnn.pad_sequence(5)),
    ("trailing", lambda L: L.nn.utils.rnn.pad_sequence([L.ones(2, 3), L.ones(3, 2)])),
    ("side", lambda L: L.nn.utils.rnn.pad_sequence([L.ones(2)], padding_side="middle")),
    ("pack_empty", lambda L: L.nn.utils.rnn.pack_sequence([])),
]


@pytest.mark.parametrize("name, call", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_pytorch(name, call):
    same_error(call)
