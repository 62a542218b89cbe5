"""Issue 3 end to end: course-style training code runs unchanged and agrees with PyTorch.

Each scenario is one function of ``lib`` (``torch`` or ``chainrule``), written as a
learner writes PyTorch, run with both libraries after the same seed. Everything but floating-point values
must agree exactly (reprs, keys, shapes, dtypes, orders, error texts, integers);
float values agree to float32 rounding. They are not all bit-identical: PyTorch's
float32 exp/log/tanh/sqrt (MKL, SLEEF) and its vectorised sums round a last bit
differently from NumPy on some inputs, and training carries such bits along.
"""
import collections
import io
import warnings

import numpy as np
import pytest
import torch

import chainrule

LIBS = (torch, chainrule)
Pair = collections.namedtuple("Pair", "x y")


def plain(obj):
    """``obj`` with every tensor replaced by ``("T", dtype, shape, values)``."""
    if isinstance(obj, (torch.Tensor, chainrule.Tensor)):
        return ("T", str(obj.dtype).replace("chainrule", "torch"), tuple(obj.shape),
                obj.detach().numpy().tolist())
    if isinstance(obj, dict):
        return (type(obj).__name__, {k: plain(v) for k, v in obj.items()})
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [plain(v) for v in obj])
    return obj


def assert_agree(expected, actual, path="result"):
    """Equal structure and non-float values; floats equal to float32 rounding."""
    if isinstance(expected, float) and isinstance(actual, float):
        assert np.isclose(actual, expected, rtol=1e-5, atol=1e-6, equal_nan=True), \
            (path, expected, actual)
        return
    assert type(actual) is type(expected), (path, expected, actual)
    if isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected), (path, expected, actual)
        for i, (e, a) in enumerate(zip(expected, actual)):
            assert_agree(e, a, f"{path}[{i}]")
    elif isinstance(expected, dict):
        assert list(actual) == list(expected), (path, list(expected), list(actual))
        for k in expected:
            assert_agree(expected[k], actual[k], f"{path}[{k!r}]")
    else:
        assert actual == expected, (path, expected, actual)


def both(scenario, seed=0):
    results = []
    for lib in LIBS:
        lib.manual_seed(seed)
        results.append(plain(scenario(lib)))
    assert_agree(results[0], results[1])
    return results[0]


# ============================================================ a learner's program

def make_net(lib):
    nn = lib.nn

    class Net(nn.Module):
        """A Module subclass with every kind of child a course uses."""

        def __init__(self):
            super().__init__()
            self.encoder = nn.Sequential(nn.Linear(1, 1), nn.PReLU())
            self.blocks = nn.ModuleList([nn.Linear(1, 1), nn.Tanh()])
            self.heads = nn.ModuleDict({"value": nn.Linear(1, 1), "act": nn.Identity()})
            self.drop = nn.Dropout(0.25)
            self.register_buffer("calls", lib.zeros(()))

        def forward(self, x):
            self.calls += 1
            x = self.drop(self.encoder(x))
            for block in self.blocks:
                x = block(x)
            return self.heads["act"](self.heads["value"](x))

    return Net()


class Points:
    """A plain Dataset subclass: the learner's own ``__getitem__``."""

    def __init__(self, lib, n):
        self.x = lib.linspace(-1.0, 1.0, n).reshape(n, 1)
        self.y = 3 * self.x - 0.5

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def course_program(lib, epochs=4):
    """Train, evaluate under no_grad, schedule the lr, print as a learner prints."""
    data = lib.utils.data
    dataset = type("PointsDataset", (Points, data.Dataset), {})(lib, 12)
    train, test = data.random_split(dataset, [8, 4])
    loader = data.DataLoader(train, batch_size=2, shuffle=True)
    model = make_net(lib)
    criterion = lib.nn.MSELoss()
    optimizer = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    printed = [repr(model), list(model.state_dict()), [n for n, _ in model.named_parameters()]]
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item()
        scheduler.step()
        model.eval()
        with lib.no_grad():
            errors = [criterion(model(x.reshape(1, 1)), y.reshape(1, 1)).item()
                      for x, y in test]
        printed.append(["epoch", epoch, "train", total / len(loader), "test", errors,
                        "lr", scheduler.get_last_lr(), "training", model.training])
    printed.append([p.grad is None for p in model.parameters()])
    optimizer.zero_grad()
    printed.append([p.grad is None for p in model.parameters()])
    return printed, model.state_dict(), optimizer.state_dict()


def test_course_program_prints_pytorchs_output():
    both(course_program, seed=4)


def test_course_program_over_several_seeds():
    for seed in (0, 1, 2):
        both(lambda lib: course_program(lib, epochs=2)[0], seed=seed)


# ========================================================== checkpoints both ways

def _resume(lib, checkpoint_bytes, steps=4):
    """Load a checkpoint into a fresh model and optimizer, and train on."""
    ckpt = lib.load(io.BytesIO(checkpoint_bytes), weights_only=True)
    model = make_net(lib)
    model.load_state_dict(ckpt["model"])
    optimizer = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    optimizer.load_state_dict(ckpt["optimizer"])
    x = lib.linspace(-1.0, 1.0, 4).reshape(4, 1)
    model.eval()                        # no dropout: the two libraries' streams differ now
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = ((model(x[:2]) - 1.0) ** 2).mean()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, model.state_dict(), ckpt["epoch"], ckpt["note"]


@pytest.mark.parametrize("writer, reader", [(chainrule, torch), (torch, chainrule)],
                         ids=["chainrule-to-torch", "torch-to-chainrule"])
def test_a_checkpoint_resumes_training_in_the_other_library(writer, reader):
    writer.manual_seed(6)
    _, state, optimizer_state = course_program(writer, epochs=2)
    buffer = io.BytesIO()
    writer.save({"model": state, "optimizer": optimizer_state, "epoch": 2,
                 "note": ("sgd", [0.05, None], {"momentum": 0.9})}, buffer)
    data = buffer.getvalue()
    assert_agree(plain(_resume(writer, data)), plain(_resume(reader, data)))


def test_load_state_dict_errors_match_pytorch():
    def scenario(lib):
        nn = lib.nn
        messages = []
        model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
        good = model.state_dict()
        cases = [{k: v for k, v in good.items() if k != "0.bias"},
                 dict(good, extra=lib.zeros(1)),
                 dict(good, **{"0.weight": lib.zeros(2, 2)})]
        for case in cases:
            try:
                model.load_state_dict(case)
            except RuntimeError as e:
                messages.append(str(e))
        result = model.load_state_dict(cases[1], strict=False)
        messages.append((list(result.missing_keys), list(result.unexpected_keys)))
        return messages
    both(scenario)


# ====================================================== losses a course uses, seeded

LOSSES = [
    ("MSELoss", lambda nn: nn.MSELoss(), "regression"),
    ("L1Loss-sum", lambda nn: nn.L1Loss(reduction="sum"), "regression"),
    ("SmoothL1Loss", lambda nn: nn.SmoothL1Loss(beta=0.5), "regression"),
    ("HuberLoss", lambda nn: nn.HuberLoss(delta=0.7), "regression"),
    ("BCELoss", lambda nn: nn.BCELoss(), "probability"),
    ("BCEWithLogitsLoss", lambda nn: nn.BCEWithLogitsLoss(pos_weight=None), "binary"),
    ("CrossEntropyLoss", lambda nn: nn.CrossEntropyLoss(), "classes"),
    ("CrossEntropyLoss-smooth", lambda nn: nn.CrossEntropyLoss(label_smoothing=0.2,
                                                               ignore_index=1), "classes"),
    ("NLLLoss", lambda nn: nn.NLLLoss(reduction="none"), "log-classes"),
]


@pytest.mark.parametrize("name, make, kind", LOSSES, ids=[x[0] for x in LOSSES])
def test_losses_on_seeded_random_inputs(name, make, kind):
    def scenario(lib):
        out = lib.randn(3, 1 if kind != "classes" and kind != "log-classes" else 4,
                        requires_grad=True)
        if kind == "regression":
            pred, target = out, lib.randn(3, 1)
        elif kind == "probability":
            pred, target = out.sigmoid(), lib.rand(3, 1)
        elif kind == "binary":
            pred, target = out, lib.randint(0, 2, (3, 1)).float()
        elif kind == "classes":
            pred, target = out, lib.randint(0, 4, (3,))
        else:
            pred, target = out.log_softmax(1), lib.randint(0, 4, (3,))
        loss = make(lib.nn)(pred, target)
        loss.sum().backward()
        return loss, out.grad
    both(scenario, seed=12)


def test_legacy_reduction_arguments_warn_like_pytorch():
    def scenario(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loss = lib.nn.MSELoss(size_average=False)
            value = loss(lib.ones(2, 2), lib.zeros(2, 2))
            mean = lib.nn.L1Loss(reduce=True, size_average=True)(lib.ones(3), lib.zeros(3))
        return loss.reduction, value, mean, [str(w.message) for w in caught]
    both(scenario)


# ============================================================= collating a batch

def test_default_collate_of_a_learners_samples():
    def scenario(lib):
        data = lib.utils.data

        class Records(data.Dataset):
            def __len__(self):
                return 5

            def __getitem__(self, i):
                return {"pair": Pair(lib.tensor([float(i), -i]), i),
                        "array": np.full(2, i, dtype=np.float32),
                        "name": f"item{i}", "scale": 0.5 * i}

        loader = data.DataLoader(Records(), batch_size=2, shuffle=True)
        return [batch for batch in loader]
    both(scenario, seed=9)
