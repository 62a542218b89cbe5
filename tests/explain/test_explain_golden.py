"""Golden text and DOT for the seeds' models, a 2-layer MLP with a broadcast bias, a reused
parameter and a collapsed nn.Module model (tests/explain/golden/; regenerate with
CHAINRULE_REGOLD=1 and read the diff)."""
import os
from pathlib import Path

import pytest

import chainrule as torch
from chainrule import explain

GOLDEN = Path(__file__).parent / "golden"


def seed_002():
    """Seed 002's first sample: w = 1.0, x = 1.0, y = 2.0, loss (w x - y)^2."""
    w = torch.tensor([1.0])
    w.requires_grad = True
    x, y = 1.0, 2.0
    y_pred = x * w
    l = (y_pred - y) ** 2
    return l, dict(locals())


def seed_000_quadratic():
    w = torch.Tensor([1.0])
    w.requires_grad = True
    w2 = torch.Tensor([1.0])
    w2.requires_grad = True
    b = torch.Tensor([1.0])
    b.requires_grad = True
    x, y = 2.0, 4.0
    y_pred = w * x**2 + w2 * x + b
    l = (y - y_pred) ** 2
    return l, dict(locals())


def mlp_broadcast_bias():
    """Two layers on a batch of 2: the biases (2,) and (1,) are broadcast over the rows."""
    W1 = torch.tensor([[0.5, -1.0], [1.0, 0.5], [-0.5, 1.0]], requires_grad=True)
    b1 = torch.tensor([0.1, -0.2], requires_grad=True)
    W2 = torch.tensor([[1.0], [-1.0]], requires_grad=True)
    b2 = torch.tensor([0.5], requires_grad=True)
    X = torch.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]])
    Y = torch.tensor([[1.0], [0.0]])
    h = torch.relu(X @ W1 + b1)
    out = h @ W2 + b2
    loss = ((out - Y) ** 2).mean()
    return loss, dict(locals())


def reused_parameter():
    """w reaches y along two paths (w * x and w * w): its gradient is their sum."""
    w = torch.tensor(3.0, requires_grad=True)
    x = 2.0
    y = w * x + w * w
    return y, dict(locals())


def sequential_model():
    """nn.Linear layers, drawn as modules: fc1: Linear(3, 2), act: ReLU(), fc2: ..."""
    torch.manual_seed(0)
    model = torch.nn.Sequential()
    model.add_module("fc1", torch.nn.Linear(3, 2))
    model.add_module("act", torch.nn.ReLU())
    model.add_module("fc2", torch.nn.Linear(2, 1))
    X = torch.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]])
    Y = torch.tensor([[1.0], [0.0]])
    with explain.track(model) as modules:
        loss = torch.nn.functional.mse_loss(model(X), Y)
    return loss, dict(locals())


MODELS = {"seed_002": seed_002, "seed_000_quadratic": seed_000_quadratic,
          "mlp_broadcast_bias": mlp_broadcast_bias, "reused_parameter": reused_parameter,
          "sequential_model": sequential_model}


def renderings(make):
    """The graph before and after explain.backward, as text and DOT, and the narration.

    Each model returns its local variables, which name the nodes as they would
    if the graph were drawn inside the model's function.
    """
    loss, names = make()
    modules = names.pop("modules", None)
    before = explain.graph(loss, names=names)
    steps = explain.backward(loss, names=names, quiet=True)
    after = steps.graph
    if modules is not None:
        before, after = before.collapsed(modules), after.collapsed(modules)
    return {"txt": before.to_text() + "\n", "dot": before.to_dot() + "\n",
            "after.txt": after.to_text() + "\n", "after.dot": after.to_dot() + "\n",
            "narration.txt": steps.text + "\n"}


@pytest.mark.parametrize("model", sorted(MODELS))
def test_renderings_are_golden_and_deterministic(model):
    got = renderings(MODELS[model])
    assert renderings(MODELS[model]) == got                 # same text on every run
    for suffix, text in got.items():
        path = GOLDEN / f"{model}.{suffix}"
        if os.environ.get("CHAINRULE_REGOLD"):
            path.write_text(text, encoding="utf-8")
        assert text == path.read_text(encoding="utf-8"), f"{path.name} differs"
