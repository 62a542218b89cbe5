"""Pictures of the graph: our own SVG layout, the clickable HTML page, Graphviz (optional),
Jupyter's reprs, and collapsing modules into boxes."""
import json
import sys
from html.parser import HTMLParser

import pytest

import chainrule as torch
from chainrule import explain
from chainrule.explain import render


def quadratic():
    w = torch.Tensor([1.0])
    w.requires_grad = True
    w2 = torch.Tensor([1.0])
    w2.requires_grad = True
    b = torch.Tensor([1.0])
    b.requires_grad = True
    x, y = 2.0, 4.0
    l = (y - (w * x**2 + w2 * x + b)) ** 2
    steps = explain.backward(l, quiet=True)
    return steps.graph


class PageParser(HTMLParser):
    """The node groups of the SVG, the JSON data and the scripts of a page."""

    def __init__(self):
        super().__init__()
        self.nodes, self.scripts, self.external = {}, [], []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "g" and "node" in attrs.get("class", ""):
            self.nodes[attrs["id"]] = attrs
        if tag == "script":
            self._in_script = attrs
            self.scripts.append([attrs, ""])
        for key in ("src", "href"):
            if key in attrs and not attrs[key].startswith("#") and tag != "a":
                self.external.append(attrs[key])

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts[-1][1] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None


def test_html_page_has_every_node_and_the_data_for_clicking(tmp_path):
    graph = quadratic()
    path = tmp_path / "g.html"
    text = graph.to_html(path)
    assert path.read_text(encoding="utf-8") == text
    page = PageParser()
    page.feed(text)
    assert set(page.nodes) == {f"node-{n.index}" for n in graph.nodes}
    assert page.external == []                               # self-contained: no network
    (data_script,) = [body for attrs, body in page.scripts if attrs.get("id") == "graph-data"]
    data = json.loads(data_script)
    assert [d["index"] for d in data] == [n.index for n in graph.nodes]
    by_name = {d["name"]: d for d in data}
    assert by_name["w"]["value"] == "1.0" and by_name["w"]["grad"] == "24.0"
    assert by_name["l"]["grad"] == "1.0" and by_name["l"]["value"] == "9.0"
    mul = next(d for d in data if d["op"].startswith("MulBackward0") and "w2" in d["name"])
    assert mul["local"] == ["d(w2 * x)/dw2 = x = 2.0", "d(w2 * x)/dx = w2 = 1.0"]
    assert any("addEventListener(\"click\"" in body for _, body in page.scripts)


def test_html_page_in_chinese():
    text = quadratic().to_html(lang="zh")
    assert "点击一个节点" in text and '<html lang="zh">' in text


def test_simple_svg_draws_every_node_and_edge():
    graph = quadratic()
    svg = graph.to_svg(layout="simple")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count('class="node ') == len(graph.nodes)
    assert svg.count('class="edge"') == sum(len(n.inputs) for n in graph.nodes)
    assert "grad 24.0" in svg
    boxes = render.layout(graph)                    # the output at the bottom, leaves above
    assert boxes[0][1] == max(y for x, y, w, h in boxes.values())


def test_graphviz_missing_gives_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "graphviz", None)      # as if not installed
    graph = quadratic()
    with pytest.raises(render.GraphvizMissing, match="pip install graphviz"):
        graph.to_svg()
    with pytest.raises(render.GraphvizMissing, match="apt-get install graphviz"):
        graph.save(tmp_path / "g.png")
    assert graph._repr_svg_().startswith("<svg")            # Jupyter falls back, no error


def test_graphviz_renders_when_installed(tmp_path):
    pytest.importorskip("graphviz")
    import shutil
    if shutil.which("dot") is None:
        pytest.skip("the Graphviz program is not installed")
    graph = quadratic()
    assert "<svg" in graph.to_svg()
    graph.save(tmp_path / "g.png")
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"


def test_save_without_graphviz(tmp_path):
    graph = quadratic()
    graph.save(tmp_path / "g.dot")
    graph.save(tmp_path / "g.txt")
    graph.save(tmp_path / "g.html")
    assert (tmp_path / "g.dot").read_text() == graph.to_dot()
    assert (tmp_path / "g.txt").read_text(encoding="utf-8") == graph.to_text()
    assert "graph-data" in (tmp_path / "g.html").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="save"):
        graph.save(tmp_path / "g.jpeg2")


def test_repr_html_is_the_page_in_a_frame():
    fragment = quadratic()._repr_html_()
    assert fragment.startswith("<iframe") and "graph-data" in fragment


def test_collapsed_modules_are_named_like_the_module():
    torch.manual_seed(0)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(8, 6)
            self.fc2 = torch.nn.Linear(6, 4)
            self.fc3 = torch.nn.Linear(4, 1)

        def forward(self, x):
            return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))

    model = Net()
    x, y = torch.randn(32, 8), torch.randn(32, 1)
    with explain.track(model) as modules:
        loss = torch.nn.functional.mse_loss(model(x), y)
    full = explain.graph(loss)
    boxes = explain.graph(loss, collapse=modules)
    names = [n.name for n in boxes.nodes if n.kind == "module"]
    assert names == ["fc3: Linear(4, 1)", "fc2: Linear(6, 4)", "fc1: Linear(8, 6)"]
    assert len(boxes.nodes) < len(full.nodes) // 2
    assert not [n for n in boxes.nodes if n.kind == "leaf"]      # parameters inside the boxes
    assert "fc1.weight" in full.to_text()                           # named from the model
    text = boxes.to_text()
    assert "<float32 (32, 6), mean" in text                        # large tensors summarised
    steps = explain.backward(loss, quiet=True)
    fc1 = next(n for n in steps.graph.collapsed(modules).nodes if n.name.startswith("fc1"))
    assert fc1.grad.shape == (32, 6) and "weight: <float32 (6, 8)" in fc1.expr
    assert "grad" in fc1.expr
    assert not model.fc1._forward_hooks                            # the hooks are removed


def test_short_module_names():
    from chainrule.explain.modules import short_repr
    assert short_repr(torch.nn.Linear(8, 6)) == "Linear(8, 6)"
    assert short_repr(torch.nn.Linear(8, 6, bias=False)) == "Linear(8, 6, bias=False)"
    assert short_repr(torch.nn.ReLU()) == "ReLU()"
