"""Issue 4 end to end: after the same seed, chainrule draws PyTorch's numbers everywhere.

Each scenario is written once as a function of ``lib`` (``torch`` or ``chainrule``),
run with both libraries after the same ``manual_seed``, and must give the same
plain values *and* leave the default generator in the same state (so a consumer
that drew one number too many or too few fails even when its own output agrees).

Training runs check everything the random numbers decide exactly (initial
weights, dropout masks, batch order, the generator afterwards). Their losses are
compared to the last bit where every matrix product has one term (inner size 1)
and every mean has at most 4 terms; otherwise to float32 rounding, because
chainrule's float32 sums and matrix products (NumPy's) add in a different order
from PyTorch's vectorised kernels and BLAS.
"""
import numpy as np
import pytest
import torch

import chainrule

LIBS = (torch, chainrule)
SEEDS = [0, 1, 7, 42, 2**32 + 3, 123456789]


def plain(obj):
    """``obj`` with every tensor replaced by ``("T", dtype, shape, exact float64 values)``."""
    if isinstance(obj, (torch.Tensor, chainrule.Tensor)):
        values = obj.detach().numpy()
        return ("T", str(obj.dtype), tuple(obj.shape), values.tolist())
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    return obj


def both(scenario, seed):
    """``scenario(lib)`` after ``lib.manual_seed(seed)``: same values, same generator after."""
    results = []
    for lib in LIBS:
        lib.manual_seed(seed)
        value = plain(scenario(lib))
        results.append((value, bytes(lib.get_rng_state().numpy())))
    assert results[1][0] == results[0][0]
    assert results[1][1] == results[0][1], "the default generator was moved differently"
    return results[0][0]


# =============================================================== samplers and splits

@pytest.mark.parametrize("seed", SEEDS)
def test_random_split_lengths_and_fractions(seed):
    def scenario(lib):
        data = lib.utils.data
        by_length = data.random_split(range(30), [10, 15, 5])
        by_fraction = data.random_split(range(17), [0.5, 0.3, 0.2])
        private = data.random_split(range(9), [0.6, 0.4],
                                    generator=lib.Generator().manual_seed(seed))
        return [[list(s.indices) for s in parts] for parts in (by_length, by_fraction, private)]
    both(scenario, seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_samplers_over_several_epochs(seed):
    def scenario(lib):
        data = lib.utils.data
        samplers = [data.RandomSampler(range(12)),
                    data.RandomSampler(range(12), replacement=True),
                    data.RandomSampler(range(5), replacement=True, num_samples=40),
                    data.RandomSampler(range(12), num_samples=30),
                    data.SubsetRandomSampler([3, 1, 4, 1, 5, 9, 2, 6]),
                    data.WeightedRandomSampler([0.1, 2.0, 0.5, 0.0, 3.3, 1.0], 20),
                    data.WeightedRandomSampler([0.1, 2.0, 0.5, 3.3, 1.0], 4, replacement=False),
                    data.BatchSampler(data.RandomSampler(range(10)), 3, drop_last=False)]
        return [[list(s) for _ in range(3)] for s in samplers]
    both(scenario, seed)


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_samplers_with_their_own_generator_leave_the_default_alone(seed):
    def scenario(lib):
        data = lib.utils.data
        g = lib.Generator().manual_seed(seed + 1)
        samplers = [data.RandomSampler(range(9), generator=g),
                    data.RandomSampler(range(9), replacement=True, generator=g),
                    data.SubsetRandomSampler(range(5, 12), generator=g),
                    data.WeightedRandomSampler([1.0, 2.0, 3.0], 7, generator=g)]
        orders = [[list(s) for _ in range(2)] for s in samplers]
        return orders, g.get_state(), g.initial_seed()
    both(scenario, seed)


@pytest.mark.parametrize("seed", SEEDS[:2])
@pytest.mark.parametrize("options", [dict(batch_size=3, shuffle=True),
                                     dict(batch_size=4, shuffle=True, drop_last=True),
                                     dict(batch_size=2, sampler="weighted"),
                                     dict(batch_size=1, shuffle=True, num_workers=2)],
                         ids=["shuffle", "drop_last", "weighted", "workers"])
def test_dataloader_orders_over_epochs(options, seed):
    def scenario(lib):
        data = lib.utils.data
        ds = data.TensorDataset(lib.arange(11.0), lib.arange(11) * 10)
        kwargs = dict(options)
        if kwargs.get("sampler") == "weighted":
            kwargs["sampler"] = data.WeightedRandomSampler(lib.arange(1.0, 12.0), 9)
        loader = data.DataLoader(ds, **kwargs)
        return [[batch for batch in loader] for _ in range(3)]
    both(scenario, seed)


# ====================================================================== generator state

@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("draws", ["fresh", "rand", "cached-normal", "twisted"])
def test_rng_state_bytes_restore_the_same_stream_in_both(draws, seed):
    """Bytes from torch.get_rng_state() resume chainrule's stream, and the other way round."""
    prepare = {"fresh": lambda lib: None,
               "rand": lambda lib: lib.rand(5),
               "cached-normal": lambda lib: lib.randn(3),      # leaves a cached Box-Muller value
               "twisted": lambda lib: lib.randint(0, 9, (700,))}[draws]

    def after(lib):
        return [lib.randn(1), lib.rand(7, dtype=lib.float64), lib.randn(20),
                lib.randperm(10), lib.randint(-5, 5, (6,))]

    for source, target in (LIBS, LIBS[::-1]):
        source.manual_seed(seed)
        prepare(source)
        state = bytes(source.get_rng_state().numpy())
        expected = plain(after(source))
        target.manual_seed(seed + 99)
        target.set_rng_state(target.tensor(list(state), dtype=target.uint8))
        assert bytes(target.get_rng_state().numpy()) == state
        assert plain(after(target)) == expected


def test_generator_state_moves_between_libraries():
    gt, gc = torch.Generator().manual_seed(5), chainrule.Generator().manual_seed(5)
    gt_draw, gc_draw = torch.randn(3, generator=gt), chainrule.randn(3, generator=gc)
    assert plain(gt_draw) == plain(gc_draw)
    gc2 = chainrule.Generator().set_state(chainrule.tensor(gt.get_state().tolist(),
                                                           dtype=chainrule.uint8))
    assert plain(chainrule.randn(5, generator=gc2)) == plain(torch.randn(5, generator=gt))
    assert gc2.initial_seed() == gt.initial_seed()


def test_fork_rng_restores_the_stream():
    def scenario(lib):
        first = lib.rand(3)
        with lib.random.fork_rng():
            lib.randn(100)
        return first, lib.rand(3)
    both(scenario, 3)


# ========================================================== layers' default initialisation

LAYERS = [
    lambda nn: nn.Linear(7, 5),
    lambda nn: nn.Linear(300, 40, bias=False),
    lambda nn: nn.Bilinear(3, 4, 6),
    lambda nn: nn.Embedding(11, 6),
    lambda nn: nn.Embedding(20, 4, padding_idx=2),
    lambda nn: nn.PReLU(num_parameters=3, init=0.1),
    lambda nn: nn.LayerNorm(5),
    lambda nn: nn.BatchNorm1d(4),
]


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_every_layers_default_init_in_pytorchs_draw_order(seed):
    """All the layers built in one go: each draws what PyTorch draws, in the same order."""
    def scenario(lib):
        layers = [make(lib.nn) for make in LAYERS]
        return [layer.state_dict() for layer in layers]
    both(scenario, seed)


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_a_models_init_and_reset_parameters(seed):
    def scenario(lib):
        nn = lib.nn
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5),
                              nn.Sequential(nn.Linear(8, 8), nn.Tanh()), nn.Linear(8, 2))
        first = model.state_dict()
        for m in model.modules():
            if isinstance(m, nn.Linear):
                m.reset_parameters()
        return first, model.state_dict()
    both(scenario, seed)


INITS = [
    ("uniform_", lambda init, t: init.uniform_(t, -2.0, 0.5)),
    ("normal_", lambda init, t: init.normal_(t, 1.0, 0.3)),
    ("xavier_uniform_", lambda init, t: init.xavier_uniform_(t, gain=init.calculate_gain("relu"))),
    ("xavier_normal_", lambda init, t: init.xavier_normal_(t)),
    ("kaiming_uniform_", lambda init, t: init.kaiming_uniform_(t, a=0.1, mode="fan_out")),
    ("kaiming_normal_", lambda init, t: init.kaiming_normal_(t, nonlinearity="leaky_relu")),
    ("trunc_normal_", lambda init, t: init.trunc_normal_(t, std=0.02)),
    ("sparse_", lambda init, t: init.sparse_(t, 0.4) if t.dim() == 2 else init.zeros_(t)),
    ("constant_", lambda init, t: init.constant_(t, -1.5)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(4, 3), (16, 33), (6, 2, 3, 3)], ids=str)
def test_every_initialiser_in_one_stream(shape, dtype):
    """The initialisers one after another on the same generator: values and positions agree."""
    def scenario(lib):
        out = []
        for _, init in INITS:
            t = lib.empty(shape, dtype=getattr(lib, dtype))
            init(lib.nn.init, t)
            out.append(t)
        return out
    both(scenario, 17)


GENERATOR_INITS = ["uniform_", "normal_", "xavier_uniform_", "xavier_normal_",
                   "kaiming_uniform_", "kaiming_normal_", "trunc_normal_", "sparse_"]


def test_dirac_and_eye_draw_nothing():
    def scenario(lib):
        init = lib.nn.init
        return [init.dirac_(lib.empty(4, 2, 3, 3), groups=2), init.dirac_(lib.empty(3, 5, 4)),
                init.dirac_(lib.empty(2, 2, 3, 3, 3)), init.eye_(lib.empty(3, 5))]
    both(scenario, 1)


@pytest.mark.parametrize("call", [lambda init, lib: init.dirac_(lib.empty(3, 3)),
                                  lambda init, lib: init.dirac_(lib.empty(3, 2, 3), groups=2),
                                  lambda init, lib: init.sparse_(lib.empty(3, 2, 2), 0.5)],
                         ids=["dirac-dims", "dirac-groups", "sparse-dims"])
def test_dirac_and_sparse_errors(call):
    messages = []
    for lib in LIBS:
        with pytest.raises(ValueError) as info:
            call(lib.nn.init, lib)
        messages.append(str(info.value))
    assert messages[1] == messages[0]


@pytest.mark.parametrize("name", GENERATOR_INITS)
def test_initialisers_with_their_own_generator(name):
    """``generator=`` is drawn from instead of the default generator, which stays put."""
    def scenario(lib):
        t = lib.empty(9, 5)
        extra = (0.3,) if name == "sparse_" else ()
        getattr(lib.nn.init, name)(t, *extra, generator=lib.Generator().manual_seed(4))
        return t
    both(scenario, 8)


# ============================================================== seeded training runs

def _line_model(nn, p):
    return nn.Sequential(nn.Linear(1, 1), nn.PReLU(), nn.Dropout(p), nn.Linear(1, 1))


def _train(lib, make_model, make_optimizer, data, epochs, batch_size, wide):
    """A course-style loop; returns the printed lines and the final weights."""
    nn = lib.nn
    x, y = data(lib)
    loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(x, y),
                                       batch_size=batch_size, shuffle=True)
    model = make_model(nn)
    optimizer = make_optimizer(lib.optim, model.parameters())
    criterion = nn.MSELoss() if not wide else nn.CrossEntropyLoss()
    lines, batches = [], []
    for epoch in range(epochs):
        model.train()
        running = 0.0
        for xb, yb in loader:
            batches.append(xb)
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            running += loss.item()
        model.eval()
        with lib.no_grad():
            evaluation = criterion(model(x[:4]), y[:4]).item()
        lines.append(f"epoch {epoch + 1} loss {running / len(loader)} eval {evaluation}")
    return lines, batches, model.state_dict()


OPTIMIZERS = {
    "SGD": lambda optim, p: optim.SGD(p, lr=0.002),
    "SGD-momentum": lambda optim, p: optim.SGD(p, lr=0.001, momentum=0.9, nesterov=True,
                                               weight_decay=1e-3),
    "SGD-dampening": lambda optim, p: optim.SGD(p, lr=0.001, momentum=0.5, dampening=0.3),
    "Rprop": lambda optim, p: optim.Rprop(p, lr=0.01),
    "ASGD": lambda optim, p: optim.ASGD(p, lr=0.002),
    "Adamax": lambda optim, p: optim.Adamax(p, lr=0.01),
    # these divide by a square root; PyTorch's float32 sqrt (MKL's) is not always the
    # correctly rounded one that NumPy gives, so they are compared to float32 rounding
    "Adam": lambda optim, p: optim.Adam(p, lr=0.01),
    "AdamW": lambda optim, p: optim.AdamW(p, lr=0.01),
}
EXACT = ["SGD", "SGD-momentum", "SGD-dampening", "Rprop", "ASGD", "Adamax"]


def _line_data(lib):
    x = lib.Tensor([float(i) for i in range(1, 9)]).reshape(8, 1)
    return x, 2 * x + 1


@pytest.mark.parametrize("optimizer", EXACT)
@pytest.mark.parametrize("seed", [0, 5, 9])
def test_seeded_training_prints_pytorchs_losses_exactly(seed, optimizer):
    """s004's shape of program (one input, one output) plus Dropout: every digit agrees."""
    def scenario(lib):
        return _train(lib, lambda nn: _line_model(nn, 0.2), OPTIMIZERS[optimizer],
                      _line_data, epochs=4, batch_size=2, wide=False)
    both(scenario, seed)


def _blobs(lib):
    g = lib.Generator().manual_seed(11)
    x = lib.randn(48, 4, generator=g)
    y = (x[:, 0] > x[:, 1]).long() + (x[:, 2] > 1).long()
    return x, y


def _mlp(nn):
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))


def _run_both_training(seed, optimizer):
    results = []
    for lib in LIBS:
        lib.manual_seed(seed)
        first = {k: v.clone() for k, v in _mlp(lib.nn).state_dict().items()}
        lib.manual_seed(seed)
        lines, batches, state = _train(lib, _mlp, OPTIMIZERS[optimizer], _blobs, epochs=3,
                                       batch_size=8, wide=True)
        results.append((plain(first), plain(batches), bytes(lib.get_rng_state().numpy()),
                        lines, {k: v.numpy() for k, v in state.items()}))
    return results


@pytest.mark.parametrize("optimizer", ["SGD-momentum", "Adam", "AdamW"])
def test_seeded_mlp_training_with_dropout_and_shuffling(optimizer):
    """A wider model: the random parts agree exactly, the losses to float32 rounding."""
    (init_t, batches_t, state_t, lines_t, final_t), (init_c, batches_c, state_c, lines_c,
                                                     final_c) = _run_both_training(3, optimizer)
    assert init_c == init_t                     # default init, bit for bit
    assert batches_c == batches_t               # the shuffled order of every epoch
    assert state_c == state_t                   # dropout and shuffling drew the same numbers
    numbers = [[float(w) for w in line.split()[3::2]] for line in (lines_t + lines_c)]
    np.testing.assert_allclose(numbers[len(lines_t):], numbers[:len(lines_t)], rtol=1e-4)
    for k in final_t:
        np.testing.assert_allclose(final_c[k], final_t[k], rtol=1e-4, atol=1e-5)
