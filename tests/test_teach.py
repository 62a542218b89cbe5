"""Teaching mode: each warning fires on a program that makes the mistake, and only there.

Every case is a pair of small programs: ``mistake`` must raise exactly the named
``TeachingWarning`` (at a line of the program itself), ``correct`` must raise none.
"""
import os
import subprocess
import sys
import warnings

import pytest

import importlib

import chainrule
from chainrule.autograd import engine, graph

teach_mode = importlib.import_module("chainrule.teach")
SETUP = "import chainrule as torch\nfrom chainrule import nn\nx4 = torch.ones(8, 4)\n"

CASES = {
    "zero_grad": (
        """w = torch.tensor([1.0, 2.0], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1)
for _ in range(3):
    loss = (w * w).sum()
    loss.backward()
    opt.step()
""", """w = torch.tensor([1.0, 2.0], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1)
for _ in range(3):
    opt.zero_grad()
    loss = (w * w).sum()
    loss.backward()
    opt.step()
"""),
    "leaf_rebound": (
        """w = torch.tensor([1.0, 2.0], requires_grad=True)
(w * w).sum().backward()
w = w - 0.1 * w.grad
(w * w).sum().backward()
""", """w = torch.tensor([1.0, 2.0], requires_grad=True)
for _ in range(2):
    (w * w).sum().backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
    w.grad.zero_()
"""),
    "graph_kept": (
        """w = torch.tensor([1.0], requires_grad=True)
running_loss = 0
for _ in range(3):
    loss = (w * 3).sum()
    loss.backward()
    running_loss += loss
""", """w = torch.tensor([1.0], requires_grad=True)
running_loss = 0
for _ in range(3):
    loss = (w * 3).sum()
    loss.backward()
    running_loss += loss.item()
"""),
    "double_softmax": (
        """model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
loss = nn.CrossEntropyLoss()(model(x4), torch.zeros(8, dtype=torch.long))
""", """model = nn.Sequential(nn.Linear(4, 3))
loss = nn.CrossEntropyLoss()(model(x4), torch.zeros(8, dtype=torch.long))
"""),
    "target_shape": (
        """model = nn.Linear(4, 1)
loss = nn.MSELoss()(model(x4), torch.zeros(8))
""", """model = nn.Linear(4, 1)
loss = nn.MSELoss()(model(x4), torch.zeros(8, 1))
"""),
    "not_finite": (
        """w = torch.tensor([1.0], requires_grad=True)
for _ in range(200):
    loss = ((w * 3.0 - 6.0) ** 2).sum()
    loss.backward()
    w.data -= 1.0 * w.grad.data
    w.grad.zero_()
""", """w = torch.tensor([1.0], requires_grad=True)
for _ in range(200):
    loss = ((w * 3.0 - 6.0) ** 2).sum()
    loss.backward()
    w.data -= 0.01 * w.grad.data
    w.grad.zero_()
"""),
    "no_grad_param": (
        """class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.used, self.spare = nn.Linear(4, 1), nn.Linear(4, 1)
    def forward(self, x):
        return self.used(x)
net = Net()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for _ in range(3):
    opt.zero_grad()
    net(x4).sum().backward()
    opt.step()
""", """class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.used, self.spare = nn.Linear(4, 1), nn.Linear(4, 1)
    def forward(self, x):
        return self.used(x) + self.spare(x)
net = Net()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for _ in range(3):
    opt.zero_grad()
    net(x4).sum().backward()
    opt.step()
"""),
    "eval_forgotten": (
        """model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
with torch.no_grad():
    prediction = model(x4)
""", """model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
model.eval()
with torch.no_grad():
    prediction = model(x4)
"""),
    "truncation": (
        """pred = torch.ones(8, requires_grad=True)
loss = ((pred - 3.0) ** 2).sum() // 8
""", """pred = torch.ones(8, requires_grad=True)
loss = ((pred - 3.0) ** 2).sum() / 8
"""),
}
CASES["double_sigmoid"] = (
    "loss = nn.BCEWithLogitsLoss()(nn.Linear(4, 1)(x4).sigmoid(), torch.ones(8, 1))\n",
    "loss = nn.BCEWithLogitsLoss()(nn.Linear(4, 1)(x4), torch.ones(8, 1))\n")
CASES["truncation_cast"] = (
    "pred = torch.ones(8, requires_grad=True)\ncorrect = (pred * 2).long()\n",
    "pred = torch.ones(8, requires_grad=True)\ncorrect = (pred * 2).detach().long()\n")
KEY = {"double_sigmoid": "double_softmax", "truncation_cast": "truncation"}


@pytest.fixture
def teaching():
    chainrule.teach()
    yield
    chainrule.teach(False)


def run(name, source):
    """Run a program in teaching mode; return its TeachingWarnings."""
    filename = f"<teach:{name}>"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exec(compile(SETUP + source, filename, "exec"), {"__name__": "__teach__"})
    return [w for w in caught if issubclass(w.category, teach_mode.TeachingWarning)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_mistake_warns_once_at_the_learners_line(teaching, name):
    found = run(name, CASES[name][0])
    assert len(found) == 1, [str(w.message) for w in found]
    assert found[0].filename == f"<teach:{name}>"
    assert teach_mode._STATE["warned"] == {KEY.get(name, name)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_correct_program_gives_no_warning(teaching, name):
    assert run(name, CASES[name][1]) == []


def test_not_finite_names_parameter_and_suggests_smaller_lr(teaching):
    (found,) = run("not_finite", CASES["not_finite"][0])
    assert "gradient of w blew up first" in str(found.message)
    assert "try a smaller learning rate" in str(found.message)


def test_chinese_text(teaching):
    chainrule.set_language("zh")
    try:
        (found,) = run("zero_grad", CASES["zero_grad"][0])
    finally:
        chainrule.set_language("en")
    assert "梯度会累加" in str(found.message)


def test_off_removes_every_hook():
    chainrule.teach()
    chainrule.teach(False)
    assert graph.WATCH is None
    assert teach_mode._on_backward not in engine.OBSERVERS
    assert run("zero_grad", CASES["zero_grad"][0]) == []


EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "examples")
SEEDS = os.path.join(EXAMPLES, "seeds")
# One process runs every program in turn (as ``chainrule run`` does), teaching mode
# restarted for each so that each may warn once; warnings go to stderr after a marker.
DRIVER = """
import os, sys
import chainrule
from chainrule._cli import run_script
for path in sys.argv[1:]:
    chainrule.teach(False)
    chainrule.teach()
    print("=== " + os.path.basename(path), file=sys.stderr, flush=True)
    os.chdir(os.path.dirname(path))
    run_script(path, [])
"""


def test_seeds_and_examples_run_without_warning_except_the_diverging_seed():
    names = sorted(f for f in os.listdir(SEEDS) if f.endswith(".py"))
    paths = [os.path.join(SEEDS, n) for n in names]
    paths += [os.path.join(EXAMPLES, n) for n in ("train_classifier.py", "rnn_hello.py")]
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-c", DRIVER, *paths], env=env,
                          capture_output=True, text=True, timeout=300)
    stderr_of = dict(part.split("\n", 1) for part in proc.stderr.split("=== ")[1:])
    assert sorted(stderr_of) == sorted(os.path.basename(p) for p in paths)
    for name, stderr in stderr_of.items():
        if name == "s004_quadratic_diverge.py":
            assert stderr.count("TeachingWarning") == 1, stderr
            assert "try a smaller learning rate" in stderr
            assert "s004_quadratic_diverge.py:26: TeachingWarning" in stderr
        else:
            assert "TeachingWarning" not in stderr, (name, stderr)


def test_environment_variable_turns_teaching_on():
    env = dict(os.environ, CHAINRULE_TEACH="1")
    out = subprocess.run([sys.executable, "-c", "import sys, chainrule; "
                          "print(sys.modules['chainrule.teach'].is_teaching())"],
                         env=env, capture_output=True, text=True, timeout=120).stdout
    assert out.strip() == "True"
