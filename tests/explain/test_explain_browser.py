"""The HTML page in a real headless browser: it loads with the network cut off, shows every
node, and a click on a node shows its value and gradient.

Needs Chromium (Debian/Ubuntu: ``apt-get install -y chromium``); skipped only when no
Chromium binary is on PATH. The picture in docs/graph_quadratic.png is made by
``python tests/explain/test_explain_browser.py``.
"""
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest

import chainrule as torch
from chainrule import explain

BROWSER = next((shutil.which(name) for name in ("chromium", "chromium-browser",
                                                 "google-chrome", "google-chrome-stable")
                if shutil.which(name)), None)
needs_browser = pytest.mark.skipif(BROWSER is None, reason="no Chromium binary on PATH")
DOCS = Path(__file__).resolve().parents[2] / "docs"


def quadratic_page(path):
    """Seed 000's quadratic model, after explain.backward, as a page."""
    w = torch.Tensor([1.0])
    w.requires_grad = True
    w2 = torch.Tensor([1.0])
    w2.requires_grad = True
    b = torch.Tensor([1.0])
    b.requires_grad = True
    x, y = 2.0, 4.0
    l = (y - (w * x**2 + w2 * x + b)) ** 2
    graph = explain.backward(l, quiet=True).graph
    graph.to_html(path)
    return graph


def chromium(*args, profile):
    """Run headless Chromium with every host name unresolvable (no network)."""
    done = subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND",
         "--virtual-time-budget=3000", *args],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def panel_of(dom):
    match = re.search(r'<div id="panel"[^>]*data-selected="(\d+)"[^>]*>(.*?)</div>\s*<script',
                      dom, re.S)
    assert match, "no node was selected"
    return int(match.group(1)), unescape(re.sub(r"<[^>]+>", "\n", match.group(2)))


@needs_browser
def test_page_shows_every_node_and_a_click_shows_value_and_gradient(tmp_path):
    page = tmp_path / "quadratic.html"
    graph = quadratic_page(page)
    w = graph.find("w")
    mul = next(n for n in graph.nodes if n.kind == "op" and n.expr == "w * 4.0")
    dom = chromium("--dump-dom", f"{page.as_uri()}#click={w.index}", profile=tmp_path / "p1")
    for node in graph.nodes:                    # the browser built every node's group
        assert f'id="node-{node.index}"' in dom
    selected, panel = panel_of(dom)
    assert selected == w.index
    assert "w = 1.0" in panel and "\n1.0\n" in panel and "\n24.0\n" in panel
    dom = chromium("--dump-dom", f"{page.as_uri()}#click={mul.index}", profile=tmp_path / "p2")
    selected, panel = panel_of(dom)
    assert selected == mul.index
    assert "MulBackward0 (mul)" in panel and "\n6.0\n" in panel       # gradient dL/d(w*4)
    assert "d(w * 4.0)/dw = 4.0" in panel                             # local derivative
    assert 'class="node op selected"' in dom


@needs_browser
def test_screenshot_of_the_page(tmp_path):
    page = tmp_path / "quadratic.html"
    quadratic_page(page)
    shot = tmp_path / "shot.png"
    chromium(f"--screenshot={shot}", "--window-size=1100,620", f"{page.as_uri()}#click=4",
             profile=tmp_path / "p")
    data = shot.read_bytes()
    assert data[:4] == b"\x89PNG" and len(data) > 10_000


if __name__ == "__main__":                      # regenerate docs/graph_quadratic.png
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "quadratic.html"
        quadratic_page(page)
        out = DOCS / "graph_quadratic.png"
        chromium(f"--screenshot={out}", "--window-size=1100,620", f"{page.as_uri()}#click=4",
                 profile=Path(tmp) / "p")
        (DOCS / "graph_quadratic.html").write_text(page.read_text(encoding="utf-8"),
                                                   encoding="utf-8")
        print("wrote", out, file=sys.stderr)
