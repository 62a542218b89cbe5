"""Recurrent layers against PyTorch: default init after the same seed, reprs and
parameter names; outputs, final states and the gradients of inputs, initial states
and every parameter on identical weights; packed sequences; errors."""
import warnings

import numpy as np
import pytest
import torch

import chainrule
from _compare import arrays, assert_same, both, copy_state, numerical_check, same_error

pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections is not supported")


def seeded(make, seed=0):
    torch.manual_seed(seed)
    mt = make(torch)
    chainrule.manual_seed(seed)
    mc = make(chainrule)
    return mt, mc


def close(t, c, tol=1e-5):
    assert_same(t, c, exact=False, rtol=tol * 10, atol=tol)


MODULES = [
    ("RNN", lambda L: L.nn.RNN(4, 3)),
    ("RNN_relu_2layers", lambda L: L.nn.RNN(4, 3, 2, "relu")),
    ("RNN_nobias_bidir", lambda L: L.nn.RNN(4, 3, bias=False, bidirectional=True)),
    ("LSTM", lambda L: L.nn.LSTM(4, 3)),
    ("LSTM_2layers_bidir", lambda L: L.nn.LSTM(4, 3, num_layers=2, bidirectional=True)),
    ("LSTM_batch_first", lambda L: L.nn.LSTM(4, 5, batch_first=True)),
    ("LSTM_proj", lambda L: L.nn.LSTM(4, 5, num_layers=2, proj_size=2, bidirectional=True)),
    ("GRU", lambda L: L.nn.GRU(4, 3)),
    ("GRU_2layers_bidir_bf", lambda L: L.nn.GRU(4, 3, 2, batch_first=True,
                                                 bidirectional=True)),
    ("GRU_nobias", lambda L: L.nn.GRU(4, 3, bias=False)),
    ("RNNCell", lambda L: L.nn.RNNCell(4, 3)),
    ("RNNCell_relu_nobias", lambda L: L.nn.RNNCell(4, 3, bias=False, nonlinearity="relu")),
    ("LSTMCell", lambda L: L.nn.LSTMCell(4, 3)),
    ("GRUCell", lambda L: L.nn.GRUCell(4, 3)),
    ("GRUCell_nobias", lambda L: L.nn.GRUCell(4, 3, bias=False)),
]


@pytest.mark.parametrize("name, make", MODULES, ids=[m[0] for m in MODULES])
def test_default_init_names_shapes_and_repr_match_pytorch(name, make):
    mt, mc = seeded(make, seed=7)
    assert repr(mc) == repr(mt)
    st, sc = mt.state_dict(), mc.state_dict()
    assert list(sc) == list(st)
    for k in st:
        assert_same(st[k], sc[k])
    assert_same(torch.rand(2), chainrule.rand(2))       # the random streams stay in step
    if hasattr(mt, "all_weights"):
        assert [[p.shape for p in ws] for ws in mc.all_weights] == \
            [[p.shape for p in ws] for ws in mt.all_weights]


def run_both(mt, mc, x, hx=None):
    """Forward both modules on the same input (and initial state); backward a random
    direction through every output; compare all values and gradients."""
    xt, xc = both(x, requires_grad=True)
    hts, hcs = [], []
    for h in hx or []:
        ht, hc = both(h, requires_grad=True)
        hts.append(ht)
        hcs.append(hc)
    lstm = isinstance(mt, (torch.nn.LSTM, torch.nn.LSTMCell))
    args_t = () if hx is None else ((tuple(hts),) if lstm else (hts[0],))
    args_c = () if hx is None else ((tuple(hcs),) if lstm else (hcs[0],))
    out_t, out_c = mt(xt, *args_t), mc(xc, *args_c)
    outs_t = _flatten(out_t)
    outs_c = _flatten(out_c)
    assert len(outs_t) == len(outs_c)
    loss_t, loss_c = 0, 0
    for i, (a, b) in enumerate(zip(outs_t, outs_c)):
        close(a, b)
        (g,) = arrays(100 + i, tuple(a.shape))
        loss_t = loss_t + (a * torch.tensor(g)).sum()
        loss_c = loss_c + (b * chainrule.tensor(g)).sum()
    loss_t.backward()
    loss_c.backward()
    close(xt.grad, xc.grad, 1e-4)
    for ht, hc in zip(hts, hcs):
        close(ht.grad, hc.grad, 1e-4)
    for (n, pt), (m, pc) in zip(mt.named_parameters(), mc.named_parameters()):
        assert n == m
        close(pt.grad, pc.grad, 1e-4)


def _flatten(out):
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flatten(o)]
    return [out]


CASES = [  # name, input shape, give initial state?
    ("RNN", (5, 2, 4), False), ("RNN", (5, 2, 4), True), ("RNN", (5, 4), True),
    ("RNN_relu_2layers", (4, 3, 4), True), ("RNN_nobias_bidir", (4, 3, 4), True),
    ("LSTM", (6, 2, 4), False), ("LSTM", (6, 4), True),
    ("LSTM_2layers_bidir", (5, 3, 4), True), ("LSTM_batch_first", (2, 6, 4), True),
    ("LSTM_proj", (4, 2, 4), True), ("LSTM_proj", (4, 2, 4), False),
    ("GRU", (5, 2, 4), True), ("GRU", (5, 4), False),
    ("GRU_2layers_bidir_bf", (3, 5, 4), True), ("GRU_2layers_bidir_bf", (5, 4), True),
    ("GRU_nobias", (5, 2, 4), False),
    ("RNNCell", (3, 4), True), ("RNNCell", (4,), True), ("RNNCell", (3, 4), False),
    ("RNNCell_relu_nobias", (3, 4), True), ("LSTMCell", (3, 4), True),
    ("LSTMCell", (4,), True), ("LSTMCell", (3, 4), False), ("GRUCell", (3, 4), True),
    ("GRUCell", (4,), False), ("GRUCell_nobias", (2, 4), True),
]


def hidden_shapes(mt, x_shape):
    """The initial-state shapes PyTorch expects for this module and input."""
    if isinstance(mt, torch.nn.RNNCellBase):
        rows = x_shape[:-1]
        n = 2 if isinstance(mt, torch.nn.LSTMCell) else 1
        return [rows + (mt.hidden_size,)] * n
    batched = len(x_shape) == 3
    rows = () if not batched else (x_shape[0] if mt.batch_first else x_shape[1],)
    layers = mt.num_layers * (2 if mt.bidirectional else 1)
    h = (layers,) + rows + (mt.proj_size or mt.hidden_size,)
    if isinstance(mt, torch.nn.LSTM):
        return [h, (layers,) + rows + (mt.hidden_size,)]
    return [h]


@pytest.mark.parametrize("name, shape, with_hx", CASES,
                         ids=[f"{c[0]}-{len(c[1])}d-{'hx' if c[2] else 'nohx'}" for c in CASES])
def test_outputs_states_and_gradients_match_pytorch(name, shape, with_hx):
    make = dict(MODULES)[name]
    mt, mc = seeded(make, seed=3)
    (x,) = arrays(1, shape, scale=1.0)
    hx = arrays(2, *hidden_shapes(mt, shape), scale=0.5) if with_hx else None
    run_both(mt, mc, x, hx)


def test_state_dict_from_pytorch_gives_pytorchs_outputs():
    mt = torch.nn.GRU(3, 4, num_layers=2, bidirectional=True)
    mc = chainrule.nn.GRU(3, 4, num_layers=2, bidirectional=True)
    copy_state(mt, mc)
    (x,) = arrays(0, (6, 2, 3))
    out_t, h_t = mt(torch.tensor(x))
    out_c, h_c = mc(chainrule.tensor(x))
    close(out_t, out_c)
    close(h_t, h_c)


def test_numerical_gradients_of_gru_and_lstm_in_float64():
    chainrule.manual_seed(0)
    gru = chainrule.nn.GRU(2, 3, bidirectional=True).double()
    lstm = chainrule.nn.LSTM(2, 3, proj_size=2).double()
    gru.requires_grad_(False)      # only the inputs' gradients are checked here
    lstm.requires_grad_(False)
    numerical_check(lambda L, x, h: gru(x, h)[0], [(3, 2, 2), (2, 2, 3)])
    numerical_check(lambda L, x, h, c: lstm(x, (h, c))[1][1], [(3, 1, 2), (1, 1, 2),
                                                                (1, 1, 3)])


def packed_inputs(lib, x, lengths, enforce_sorted):
    return lib.nn.utils.rnn.pack_padded_sequence(lib.tensor(x, requires_grad=True), lengths,
                                                 enforce_sorted=enforce_sorted)


PACKED = ["RNN_nobias_bidir", "LSTM_2layers_bidir", "LSTM_proj", "GRU", "RNN_relu_2layers"]


@pytest.mark.parametrize("name", PACKED)
@pytest.mark.parametrize("with_hx", [False, True])
def test_packed_sequences_with_unsorted_lengths(name, with_hx):
    mt, mc = seeded(dict(MODULES)[name], seed=4)
    lengths = [2, 5, 1, 5, 3]
    (x,) = arrays(5, (5, 5, 4), scale=1.0)
    xt = torch.tensor(x, requires_grad=True)
    xc = chainrule.tensor(x, requires_grad=True)
    pt = torch.nn.utils.rnn.pack_padded_sequence(xt, lengths, enforce_sorted=False)
    pc = chainrule.nn.utils.rnn.pack_padded_sequence(xc, lengths, enforce_sorted=False)
    hx_t, hx_c = (), ()
    if with_hx:
        hs = arrays(6, *hidden_shapes(mt, (5, 5, 4)), scale=0.5)
        pairs = [both(h, requires_grad=True) for h in hs]
        lstm = isinstance(mt, torch.nn.LSTM)
        hx_t = (tuple(p[0] for p in pairs),) if lstm else (pairs[0][0],)
        hx_c = (tuple(p[1] for p in pairs),) if lstm else (pairs[0][1],)
    out_t, h_t = mt(pt, *hx_t)
    out_c, h_c = mc(pc, *hx_c)
    assert type(out_c).__name__ == "PackedSequence"
    for a, b in zip(out_t[1:], out_c[1:]):
        assert_same(a, b)                   # batch_sizes and the two permutations
    pad_t, len_t = torch.nn.utils.rnn.pad_packed_sequence(out_t, batch_first=True)
    pad_c, len_c = chainrule.nn.utils.rnn.pad_packed_sequence(out_c, batch_first=True)
    assert_same(len_t, len_c)
    outs_t = [out_t.data, pad_t] + _flatten(h_t)
    outs_c = [out_c.data, pad_c] + _flatten(h_c)
    loss_t, loss_c = 0, 0
    for i, (a, b) in enumerate(zip(outs_t, outs_c)):
        close(a, b)
        (g,) = arrays(200 + i, tuple(a.shape))
        loss_t = loss_t + (a * torch.tensor(g)).sum()
        loss_c = loss_c + (b * chainrule.tensor(g)).sum()
    loss_t.backward()
    loss_c.backward()
    close(xt.grad, xc.grad, 1e-4)
    for hs_t, hs_c in zip(_flatten(hx_t), _flatten(hx_c)):
        close(hs_t.grad, hs_c.grad, 1e-4)
    for (n, p_t), (_, p_c) in zip(mt.named_parameters(), mc.named_parameters()):
        close(p_t.grad, p_c.grad, 1e-4)


def test_dropout_between_layers_in_training_and_none_in_eval():
    def make(L):
        with warnings.catch_warnings():
            return L.nn.LSTM(3, 4, num_layers=3, dropout=0.5)
    mt, mc = seeded(make, seed=1)
    (x,) = arrays(2, (4, 2, 3))
    torch.manual_seed(9)
    chainrule.manual_seed(9)
    out_t, (h_t, _) = mt(torch.tensor(x))
    out_c, (h_c, _) = mc(chainrule.tensor(x))
    close(out_t, out_c)                 # the same dropout masks
    close(h_t, h_c)
    mt.eval()
    mc.eval()
    close(mt(torch.tensor(x))[0], mc(chainrule.tensor(x))[0])


def test_hello_to_ohlol_with_rnncell_trains_like_pytorch():
    """The course's first RNN: learn to map "hello" to "ohlol", one character a step."""
    idx2char = ["e", "h", "l", "o"]
    x_data, y_data = [1, 0, 2, 2, 3], [3, 1, 2, 3, 2]
    one_hot = np.eye(4, dtype=np.float32)[x_data].reshape(5, 1, 4)
    results = []
    for lib in (torch, chainrule):
        lib.manual_seed(0)
        cell = lib.nn.RNNCell(input_size=4, hidden_size=4)
        opt = lib.optim.Adam(cell.parameters(), lr=0.1)
        loss_fn = lib.nn.CrossEntropyLoss()
        inputs, labels = lib.tensor(one_hot), lib.tensor(y_data).view(-1, 1)
        losses, guess = [], ""
        for epoch in range(15):
            hidden, loss, guess = lib.zeros(1, 4), 0, ""
            opt.zero_grad()
            for x, y in zip(inputs, labels):
                hidden = cell(x, hidden)
                loss = loss + loss_fn(hidden, y)
                guess += idx2char[hidden.argmax(1).item()]
            loss.backward()
            opt.step()
            losses.append(loss.item())
        results.append((losses, guess))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-4)
    assert results[1][1] == results[0][1]


def test_bidirectional_gru_name_classifier_with_packing_trains_like_pytorch():
    """Embedding -> bidirectional GRU on packed names -> Linear on both final states."""
    names = [[3, 1, 4, 1, 5], [9, 2, 6], [5, 3, 5, 8, 9, 7], [9, 3]]
    labels = [0, 2, 1, 2]
    losses = []
    for lib in (torch, chainrule):
        lib.manual_seed(0)
        emb = lib.nn.Embedding(10, 6, padding_idx=0)
        gru = lib.nn.GRU(6, 5, num_layers=2, bidirectional=True)
        fc = lib.nn.Linear(10, 3)
        params = list(emb.parameters()) + list(gru.parameters()) + list(fc.parameters())
        opt = lib.optim.SGD(params, lr=0.5)
        seqs = [lib.tensor(n) for n in names]
        lengths = lib.tensor([len(n) for n in names])
        padded = lib.nn.utils.rnn.pad_sequence(seqs)                 # (T, B)
        run = []
        for step in range(4):
            opt.zero_grad()
            packed = lib.nn.utils.rnn.pack_padded_sequence(emb(padded), lengths,
                                                           enforce_sorted=False)
            _, hidden = gru(packed)
            logits = fc(lib.cat([hidden[-1], hidden[-2]], dim=1))
            loss = lib.nn.functional.cross_entropy(logits, lib.tensor(labels))
            loss.backward()
            opt.step()
            run.append(loss.item())
        losses.append(run)
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-4)


ERRORS = [
    ("RNN", lambda L: L.nn.RNN(4, 3)(L.ones(2, 3, 5))),
    ("RNN_4d", lambda L: L.nn.RNN(4, 3)(L.ones(1, 2, 3, 4))),
    ("RNN_hx_size", lambda L: L.nn.RNN(4, 3)(L.ones(5, 2, 4), L.zeros(1, 3, 3))),
    ("RNN_hx_dims", lambda L: L.nn.RNN(4, 3)(L.ones(5, 2, 4), L.zeros(2, 3))),
    ("RNN_unbatched_hx_dims", lambda L: L.nn.RNN(4, 3)(L.ones(5, 4), L.zeros(1, 2, 3))),
    ("RNN_dtype", lambda L: L.nn.RNN(4, 3)(L.ones(5, 2, 4, dtype=L.float64))),
    ("LSTM_4d", lambda L: L.nn.LSTM(4, 3)(L.ones(1, 2, 3, 4))),
    ("LSTM_c_size", lambda L: L.nn.LSTM(4, 3)(L.ones(5, 2, 4),
                                              (L.zeros(1, 2, 3), L.zeros(1, 2, 2)))),
    ("LSTM_h_size", lambda L: L.nn.LSTM(4, 3, 2)(L.ones(5, 2, 4),
                                                 (L.zeros(1, 2, 3), L.zeros(2, 2, 3)))),
    ("LSTM_hx_dims", lambda L: L.nn.LSTM(4, 3)(L.ones(5, 2, 4), (L.zeros(2, 3),
                                                                 L.zeros(2, 3)))),
    ("LSTM_input_size", lambda L: L.nn.LSTM(4, 3, batch_first=True)(L.ones(2, 5, 3))),
    ("GRU_4d", lambda L: L.nn.GRU(4, 3)(L.ones(1, 2, 3, 4))),
    ("GRU_hx_size", lambda L: L.nn.GRU(4, 3, bidirectional=True)(L.ones(5, 2, 4),
                                                                 L.zeros(1, 2, 3))),
    ("GRU_proj", lambda L: L.nn.GRU(4, 3, proj_size=2)),
    ("RNN_nonlinearity", lambda L: L.nn.RNN(4, 3, nonlinearity="sigmoid")),
    ("dropout_range", lambda L: L.nn.LSTM(4, 3, dropout=1.5)),
    ("hidden_zero", lambda L: L.nn.GRU(4, 0)),
    ("proj_too_big", lambda L: L.nn.LSTM(4, 3, proj_size=3)),
    ("bias_type", lambda L: L.nn.LSTM(4, 3, bias=1)),
    ("input_size_type", lambda L: L.nn.LSTM(4.0, 3)),
    ("cell_input_size", lambda L: L.nn.RNNCell(4, 3)(L.ones(2, 5))),
    ("cell_batch", lambda L: L.nn.GRUCell(4, 3)(L.ones(2, 4), L.ones(3, 3))),
    ("cell_hidden_size", lambda L: L.nn.RNNCell(4, 3)(L.ones(2, 4), L.ones(2, 2))),
    ("cell_3d", lambda L: L.nn.GRUCell(4, 3)(L.ones(1, 2, 4))),
    ("cell_hx_3d", lambda L: L.nn.RNNCell(4, 3)(L.ones(2, 4), L.ones(1, 2, 3))),
    ("lstmcell_c", lambda L: L.nn.LSTMCell(4, 3)(L.ones(2, 4), (L.ones(2, 3), L.ones(2, 2)))),
    ("lstmcell_hx_3d", lambda L: L.nn.LSTMCell(4, 3)(L.ones(2, 4), (L.ones(2, 3),
                                                                    L.ones(1, 2, 3)))),
]


@pytest.mark.parametrize("name, call", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_pytorch(name, call):
    same_error(lambda: call(torch), lambda: call(chainrule))


def test_dropout_with_one_layer_warns_like_pytorch():
    for lib in (torch, chainrule):
        with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater"):
            lib.nn.GRU(2, 3, dropout=0.2)
