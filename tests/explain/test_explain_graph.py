"""explain.graph: the drawing of a computation, as text and as DOT (golden, deterministic)."""
import numpy as np

import chainrule as torch
from chainrule import explain


def quadratic_loss():
    """Seed 000's second model, w*x**2 + w2*x + b, for the sample x=2.0, y=4.0."""
    w = torch.Tensor([1.0])
    w.requires_grad = True
    w2 = torch.Tensor([1.0])
    w2.requires_grad = True
    b = torch.Tensor([1.0])
    b.requires_grad = True

    def forward(x):
        return w * x**2 + w2 * x + b

    def loss(x, y):
        y_pred = forward(x)
        return (y - y_pred) ** 2

    x, y = 2.0, 4.0
    l = loss(x, y)
    return l, {"w": w, "w2": w2, "b": b, "x": x, "y": y, "l": l}


QUADRATIC_TEXT = """\
l = (y - (w * 4.0 + w2 * x + b)) ** 2 = 9.0   PowBackward0 (pow 2)
└── y - (w * 4.0 + w2 * x + b) = -3.0   RsubBackward1 (rsub)
    ├── w * 4.0 + w2 * x + b = 7.0   AddBackward0 (add)
    │   ├── w * 4.0 + w2 * x = 6.0   AddBackward0 (add)
    │   │   ├── w * 4.0 = 4.0   MulBackward0 (mul)
    │   │   │   ├── w = 1.0   leaf
    │   │   │   └── 4.0   constant
    │   │   └── w2 * x = 2.0   MulBackward0 (mul)
    │   │       ├── w2 = 1.0   leaf
    │   │       └── x = 2.0   constant
    │   └── b = 1.0   leaf
    └── y = 4.0   constant"""

QUADRATIC_DOT = """\
digraph chainrule {
    node [fontname="Helvetica", fontsize=11];
    n0 [shape=box, style="rounded,filled", fillcolor="#dae8fc", label="l = (y - (w * 4.0 + w2 * x + b)) ** 2 = 9.0\\nPowBackward0 (pow 2)"];
    n1 [shape=box, style="rounded,filled", fillcolor="#dae8fc", label="y - (w * 4.0 + w2 * x + b) = -3.0\\nRsubBackward1 (rsub)"];
    n2 [shape=box, style="rounded,filled", fillcolor="#dae8fc", label="w * 4.0 + w2 * x + b = 7.0\\nAddBackward0 (add)"];
    n3 [shape=box, style="rounded,filled", fillcolor="#dae8fc", label="w * 4.0 + w2 * x = 6.0\\nAddBackward0 (add)"];
    n4 [shape=box, style="rounded,filled", fillcolor="#dae8fc", label="w * 4.0 = 4.0\\nMulBackward0 (mul)"];
    n5 [shape=ellipse, style=filled, fillcolor="#d5e8d4", label="w = 1.0"];
    n6 [shape=plaintext, label="4.0"];
    n7 [shape=box, style="rounded,filled", fillcolor="#dae8fc", label="w2 * x = 2.0\\nMulBackward0 (mul)"];
    n8 [shape=ellipse, style=filled, fillcolor="#d5e8d4", label="w2 = 1.0"];
    n9 [shape=plaintext, label="x = 2.0"];
    n10 [shape=ellipse, style=filled, fillcolor="#d5e8d4", label="b = 1.0"];
    n11 [shape=plaintext, label="y = 4.0"];
    n1 -> n0;
    n2 -> n1;
    n11 -> n1;
    n3 -> n2;
    n10 -> n2;
    n4 -> n3;
    n7 -> n3;
    n5 -> n4;
    n6 -> n4;
    n8 -> n7;
    n9 -> n7;
}"""


def test_quadratic_graph_text_is_golden():
    l, names = quadratic_loss()
    assert explain.graph(l, names=names).to_text() == QUADRATIC_TEXT


def test_quadratic_graph_dot_is_golden_and_deterministic():
    l, names = quadratic_loss()
    assert explain.graph(l, names=names).to_dot() == QUADRATIC_DOT
    l2, names2 = quadratic_loss()
    assert explain.graph(l2, names=names2).to_dot() == QUADRATIC_DOT


def test_names_come_from_the_callers_variables():
    w = torch.tensor(1.0, requires_grad=True)
    x, y = 2.0, 4.0
    y_pred = w * x
    l = (y_pred - y) ** 2
    g = explain.graph(l)
    assert [n.name for n in g.nodes] == ["l", "y_pred - y", "y_pred", "w", "x", "y"]
    assert [n.kind for n in g.nodes] == ["op", "op", "op", "leaf", "constant", "constant"]
    assert [n.torch_name for n in g.nodes[:3]] == ["PowBackward0", "SubBackward0",
                                                  "MulBackward0"]
    assert g.find(w).name == "w" and g.find(y_pred).name == "y_pred"
    assert g.find("y").value == 4.0


def test_unnamed_leaves_and_values():
    g = explain.graph((torch.tensor(3.0, requires_grad=True) * 2.0).exp())
    assert g.root.name == "L"               # an unnamed output is called L, for dL/d...
    assert g.to_text() == (
        "exp(leaf1 * 2.0) = 403.429   ExpBackward0 (exp)\n"
        "└── leaf1 * 2.0 = 6.0   MulBackward0 (mul)\n"
        "    ├── leaf1 = 3.0   leaf\n"
        "    └── 2.0   constant")


def test_a_reused_op_is_drawn_once():
    a = torch.tensor(3.0, requires_grad=True)
    h = a * a + a
    out = h * h
    text = explain.graph(out).to_text()
    assert text.count("h = a * a + a = 12.0") == 1
    assert "h   (used again: see above)" in text


def test_large_tensors_are_summarised_with_their_shape():
    W = torch.ones(4, 3, requires_grad=True)
    out = (W * 2.0).sum()
    text = explain.graph(out).to_text()
    assert "W = <float32 (4, 3), mean 1.0>   leaf" in text
    assert "W * 2.0 = <float32 (4, 3), mean 2.0>" in text


def test_gradients_appear_after_explain_backward():
    l, names = quadratic_loss()
    steps = explain.backward(l, names=names, quiet=True)
    text = steps.graph.to_text()
    assert "w = 1.0   leaf   grad 24.0" in text
    assert "b = 1.0   leaf   grad 6.0" in text
    assert text.startswith("l = (y - (w * 4.0 + w2 * x + b)) ** 2 = 9.0   PowBackward0 "
                           "(pow 2)   grad 1.0")


def test_a_very_deep_graph_needs_no_recursion():
    w = torch.tensor(0.5, requires_grad=True)
    t = w
    for _ in range(3000):
        t = t * 1.0
    g = explain.graph(t)
    assert len(g.nodes) == 1 + 3000 * 2
    lines = g.to_text().splitlines()
    assert max(len(line) for line in lines) < 400
    steps = explain.backward(t, quiet=True)
    np.testing.assert_allclose(steps[-1].after, 1.0)


# ---- a graph drawn after a plain loss.backward() ---------------------------------------
def test_after_a_plain_backward_the_graph_shows_what_is_known():
    """Leaves show their .grad, a retained gradient is shown, the other gradients say
    they were not recorded, and values backward freed say so: never a bare '?'."""
    import torch as reference
    w = torch.tensor(1.0, requires_grad=True)
    x, y = 2.0, 4.0
    y_pred = w * x
    y_pred.retain_grad()
    l = (y_pred - y) ** 2
    l.backward()
    drawn = explain.graph(l)
    assert drawn.to_text() == "\n".join([
        "l = (y_pred - ?) ** ? = 4.0   PowBackward0 (pow)   grad not recorded (use explain.backward)",
        "└── y_pred - ? = ? (freed by backward())   SubBackward0 (sub)   "
        "grad not recorded (use explain.backward)",
        "    ├── y_pred = w * ? = 2.0   MulBackward0 (mul)   grad -4.0",
        "    │   ├── w = 1.0   leaf   grad -8.0",
        "    │   └── ?   constant (freed by backward())",
        "    └── ?   constant (freed by backward())"])
    assert "grad not recorded (use explain.backward)" in drawn.to_dot()
    assert 'label="w = 1.0\\ngrad -8.0"' in drawn.to_dot()

    rw = reference.tensor(1.0, requires_grad=True)
    ry_pred = rw * x
    ry_pred.retain_grad()
    ((ry_pred - y) ** 2).backward()
    assert drawn.find("w").grad == rw.grad.item()
    assert drawn.find("y_pred").grad == ry_pred.grad.item()
    assert drawn.find("y_pred").value == ry_pred.item()      # read from the variable y_pred


def test_before_backward_nothing_is_marked():
    w = torch.tensor(1.0, requires_grad=True)
    w.grad = torch.tensor(5.0)                  # an old gradient: not this loss's
    l = (w * 2.0 - 4.0) ** 2
    text = explain.graph(l).to_text()
    assert "grad" not in text and "freed" not in text and "?" not in text


def test_a_tensor_model_after_backward_shows_the_leaves_grads():
    import torch as reference
    X = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    W = torch.tensor([[0.5], [-1.0]], requires_grad=True)
    loss = ((X @ W) ** 2).mean()
    loss.backward()
    drawn = explain.graph(loss)
    rW = reference.tensor([[0.5], [-1.0]], requires_grad=True)
    ((reference.tensor([[1.0, 2.0], [3.0, 4.0]]) @ rW) ** 2).mean().backward()
    np.testing.assert_allclose(drawn.find("W").grad, rW.grad.numpy())
    assert "not recorded" in drawn.to_text()


def test_after_explain_backward_the_graph_shows_the_recorded_gradients():
    w = torch.tensor(1.0, requires_grad=True)
    x, y = 2.0, 4.0
    y_pred = w * x
    l = (y_pred - y) ** 2
    steps = explain.backward(l, quiet=True)
    assert explain.graph(l).to_text() == steps.graph.to_text()
    assert explain.graph(y_pred).root.grad == -4.0          # a part of the recorded graph
