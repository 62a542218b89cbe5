"""The workloads: what one step of each benchmark does, written once for both libraries.

Every function here takes the library as its first argument, named ``torch``, so the
same lines run as ``import chainrule as torch`` and as real PyTorch. Nothing in this
file imports torch or chainrule itself: the child process (``bench.child``) imports the
one library it measures and passes it in, so a chainrule child never loads PyTorch.

A *step maker* builds fresh state (parameters, data) from fixed starting values and
returns ``step()``, a function that does one unit of work and returns the loss (or the
value) it computed. The runner calls a step maker twice: once for the correctness
check (the first few losses, compared between the libraries) and once for timing.

The catalogue at the bottom (``WORKLOADS``) is plain data: names, variants, thread
counts and how long each measurement should run.
"""
import itertools
from dataclasses import dataclass, field

import numpy as np


# --- the seed programs' training loops --------------------------------------------------

SEED_X = [1.0, 2.0, 3.0]
SEED_Y = [2.0, 4.0, 6.0]


def seed_linear(torch):
    """One SGD step of ``examples/seeds/s000_linear.py``: y_pred = w*x, l = (y_pred-y)**2."""
    w = torch.Tensor([1.0])
    w.requires_grad = True
    samples = itertools.cycle(zip(SEED_X, SEED_Y))

    def step():
        x, y = next(samples)
        y_pred = w * x
        l = (y_pred - y) ** 2
        l.backward()
        w.data -= 0.01 * w.grad.data
        w.grad.data.zero_()
        return l

    return step


def seed_quadratic(torch):
    """One SGD step of ``s000_quadratic.py``: y_pred = w1*x**2 + w2*x + b, three parameters."""
    params = [torch.Tensor([1.0]) for _ in range(3)]
    for p in params:
        p.requires_grad = True
    w1, w2, b = params
    samples = itertools.cycle(zip(SEED_X, SEED_Y))

    def step():
        x, y = next(samples)
        y_pred = w1 * x ** 2 + w2 * x + b
        l = (y - y_pred) ** 2
        l.backward()
        for p in params:
            p.data -= 0.01 * p.grad.data
        for p in params:
            p.grad.data.zero_()
        return l

    return step


# --- networks: MLP and CNN --------------------------------------------------------------

MLP_NEEDS = ["nn.Linear", "nn.ReLU", "nn.Sequential", "nn.CrossEntropyLoss", "optim.SGD"]
CNN_NEEDS = MLP_NEEDS + ["nn.Conv2d", "nn.MaxPool2d", "nn.Flatten"]


def missing_names(torch, names):
    """Which of ``names`` (like ``"nn.Linear"``) the library does not have yet."""
    missing = []
    for name in names:
        obj = torch
        for part in name.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                break
        if obj is None:
            missing.append(name)
    return missing


def set_parameters(torch, model, seed=0):
    """Give every parameter the same starting values in both libraries.

    Values are drawn with NumPy (not with either library's generator), uniform in
    +-1/sqrt(fan_in) like PyTorch's default init, and copied in under ``no_grad``.
    """
    rng = np.random.RandomState(seed)
    with torch.no_grad():
        for p in model.parameters():
            shape = tuple(p.shape)
            fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
            bound = 1.0 / np.sqrt(fan_in)
            values = rng.uniform(-bound, bound, size=shape).astype(np.float32)
            p.copy_(torch.from_numpy(values))


def training_step(torch, model, batch_shape, batch):
    """A classification SGD step on one fixed random batch (inputs and labels from NumPy)."""
    rng = np.random.RandomState(1)
    x = torch.from_numpy(rng.standard_normal((batch,) + batch_shape).astype(np.float32))
    target = torch.from_numpy(rng.randint(0, 10, size=batch).astype(np.int64))
    set_parameters(torch, model)
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), target)
        loss.backward()
        optimizer.step()
        return loss

    return step


def mlp(torch, batch):
    """784-256-256-10 with ReLU, cross-entropy, one SGD step on a batch of ``batch``."""
    nn = torch.nn
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(),
                          nn.Linear(256, 256), nn.ReLU(),
                          nn.Linear(256, 10))
    return training_step(torch, model, (784,), batch)


def cnn(torch, batch):
    """The course's MNIST CNN: conv(1->10, 5x5), pool, relu, conv(10->20, 5x5), pool, relu, fc.

    Input 1x28x28; after the two conv+pool stages 20x4x4 = 320 features reach the
    linear layer (the network of lecture 10 of 《PyTorch深度学习实践》).
    """
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 10, kernel_size=5), nn.MaxPool2d(2), nn.ReLU(),
                          nn.Conv2d(10, 20, kernel_size=5), nn.MaxPool2d(2), nn.ReLU(),
                          nn.Flatten(), nn.Linear(320, 10))
    return training_step(torch, model, (1, 28, 28), batch)


# --- per-op overhead --------------------------------------------------------------------

def tiny_mul(torch, requires_grad):
    """``a * b`` on two 1-element tensors: the fixed cost every op pays."""
    a = torch.tensor([1.5], requires_grad=requires_grad)
    b = torch.tensor([2.0])

    def step():
        return a * b

    return step


CHAIN_LENGTH = 1000


def chain_forward(torch, x, c, d):
    """1,000 ops: ``y = y * c`` then ``y = y + d``, 500 times each."""
    y = x
    for _ in range(CHAIN_LENGTH // 2):
        y = y * c
        y = y + d
    return y


def chain(torch, part):
    """A 1,000-op chain; ``part`` is "forward" (build the graph) or "backward" (walk it).

    For "backward" each step builds a fresh graph untimed and ``step.prepare`` does
    that, so the timer sees ``backward()`` alone.
    """
    x = torch.tensor([1.0], requires_grad=True)
    c = torch.tensor([1.001])
    d = torch.tensor([0.001])
    if part == "forward":
        def step():
            return chain_forward(torch, x, c, d)
        return step

    graph = []

    def prepare():
        x.grad = None
        graph.append(chain_forward(torch, x, c, d))

    def step():
        graph.pop().backward()
        return x.grad

    step.prepare = prepare
    return step


# --- the catalogue ----------------------------------------------------------------------

@dataclass
class Variant:
    """One measured line: a step maker with its arguments, or a command line to time.

    ``kind`` is "steps" (time ``step()`` inside a child), "memory" (peak RSS of a child
    running ``steps`` steps) or "process" (wall time of a whole command per side).
    """
    label: str
    kind: str = "steps"
    maker: str = ""                    # name of a function above, for "steps"/"memory"
    args: dict = field(default_factory=dict)
    threads: int = 1
    check_steps: int = 6               # losses compared between the libraries
    steps: int = 0                     # for "memory": steps to run
    commands: dict = field(default_factory=dict)   # for "process": side -> argv tail
    ratio: tuple = ("chainrule", "pytorch")
    quick: bool = True                 # include in --quick


@dataclass
class Workload:
    name: str
    doc: str
    variants: list
    needs: list = field(default_factory=list)   # chainrule names that must exist


SEED_SCRIPT = "examples/seeds/s000_linear.py"

WORKLOADS = [
    Workload("seed-linear", "one step of the seed's w*x SGD loop (s000_linear.py)",
             [Variant("step", maker="seed_linear", check_steps=30)]),
    Workload("seed-quadratic", "one step of w1*x**2 + w2*x + b, three parameters "
             "(s000_quadratic.py)",
             [Variant("step", maker="seed_quadratic", check_steps=30)]),
    Workload("whole-process", "interpreter start, import and the whole seed program; "
             "output to /dev/null",
             [Variant("s000_linear.py", kind="process",
                      commands={"chainrule": ["-m", "chainrule", "run", SEED_SCRIPT],
                                "pytorch": [SEED_SCRIPT]}),
              Variant("import", kind="process", ratio=("chainrule", "numpy"),
                      commands={"chainrule": ["-c", "import chainrule"],
                                "numpy": ["-c", "import numpy"],
                                "torch": ["-c", "import torch"]})]),
    Workload("mlp", "784-256-256-10 ReLU MLP, cross-entropy, one SGD step",
             [Variant(f"batch={b}", maker="mlp", args={"batch": b}, threads=t,
                      quick=(t == 1))
              for b in (64, 512) for t in (1, 2)],
             needs=MLP_NEEDS),
    Workload("cnn", "MNIST CNN (2 conv + pool + relu, linear 320->10), one SGD step",
             [Variant("batch=64", maker="cnn", args={"batch": 64}, threads=t,
                      quick=(t == 1))
              for t in (1, 2)],
             needs=CNN_NEEDS),
    Workload("op-overhead", "fixed cost per op: a*b on 1-element tensors; a 1,000-op chain",
             [Variant("a*b", maker="tiny_mul", args={"requires_grad": False}),
              Variant("a*b requires_grad", maker="tiny_mul", args={"requires_grad": True}),
              Variant("chain-1000 forward", maker="chain", args={"part": "forward"},
                      check_steps=2),
              Variant("chain-1000 backward", maker="chain", args={"part": "backward"},
                      check_steps=2)]),
    Workload("memory", "peak RSS (ru_maxrss) of a process running 50 MLP steps, batch 512",
             [Variant("mlp batch=512 x50", kind="memory", maker="mlp", args={"batch": 512},
                      steps=50, check_steps=50)],
             needs=MLP_NEEDS),
]

MAKERS = {"seed_linear": seed_linear, "seed_quadratic": seed_quadratic, "mlp": mlp,
          "cnn": cnn, "tiny_mul": tiny_mul, "chain": chain}


def find(name):
    for workload in WORKLOADS:
        if workload.name == name:
            return workload
    raise KeyError(name)
