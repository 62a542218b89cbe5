"""Pictures of a graph: SVG through Graphviz, or our own layout, and a clickable HTML page.

Graphviz draws the nicest pictures but is an optional extra (``pip install graphviz``
and the Graphviz program, e.g. ``apt-get install graphviz``). Without it the graph
is still drawn by a simple *layered* layout written here: each node sits one row
above the op that uses it (the output at the bottom, as in the DOT drawing), rows
keep the graph's depth-first order from left to right, and every row is centred.

The HTML page is one file with everything inline (SVG, CSS, JavaScript and the
numbers as JSON): it opens with no network, and clicking a node shows its value,
its gradient and its local derivatives.
"""
import html
import json

import numpy as np

from .formulas import WORDS, local_derivative, num, rule_for
from .graph import show

_ROW = 90                  # vertical distance between two rows, in pixels
_GAP = 24                  # horizontal gap between two nodes of a row
_CHAR = 7.2                # width of one character of the 12px monospace font
_LINE = 15                 # height of one line of text
_MAX_LINE = 48             # a longer line of a node's label is cut short with '…'
_FILL = {"op": "#dae8fc", "leaf": "#d5e8d4", "constant": "#ffffff", "module": "#fff2cc"}
_STROKE = {"op": "#6c8ebf", "leaf": "#82b366", "constant": "#bbbbbb", "module": "#d6b656"}


class GraphvizMissing(RuntimeError):
    """Raised when a picture needs Graphviz and it is not installed."""


# ---- through Graphviz ----------------------------------------------------------------
def graphviz_svg(graph):
    """The DOT drawing rendered by Graphviz, as SVG text."""
    return graphviz_render(graph, "svg").decode("utf-8")


def graphviz_render(graph, fmt):
    try:
        import graphviz
    except ImportError:
        raise GraphvizMissing(
            "Drawing this graph as an image needs Graphviz: pip install graphviz, and the "
            "Graphviz program (Debian/Ubuntu: apt-get install graphviz; macOS: brew install "
            "graphviz). Without it, use .to_text(), .to_dot(), .to_html() or "
            ".to_svg(layout='simple').") from None
    try:
        return graphviz.Source(graph.to_dot()).pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise GraphvizMissing(
            "The graphviz Python package is installed but the Graphviz program 'dot' is not "
            "on PATH (Debian/Ubuntu: apt-get install graphviz; macOS: brew install "
            "graphviz). Use .to_svg(layout='simple') or .to_html() meanwhile.") from None


# ---- our own layered layout ----------------------------------------------------------
def lines_of(node):
    """The lines of text in a node's box."""
    if node.kind == "module":
        lines = [node.name, f"out = {show(node.value)}"]
    elif node.kind == "op":
        head = f"{node.name} = {node.expr}" if node.named else node.expr or node.name
        lines = [head, f"= {show(node.value)}", f"{node.torch_name} ({node.label})"]
    elif node.kind == "leaf" or node.named:
        lines = [f"{node.name} = {show(node.value)}"]
    else:
        lines = [node.name]
    if node.grad is not None:
        lines.append(f"grad {show(node.grad)}")
    return [line if len(line) <= _MAX_LINE else line[:_MAX_LINE - 1] + "…" for line in lines]


def layout(graph):
    """{index: (x, y, width, height)}: rows by distance from the output, centred."""
    nodes = graph.nodes
    depth = {0: 0}
    for node in _from_output(graph):            # every consumer before its inputs
        for i in node.inputs:
            depth[i] = max(depth.get(i, 0), depth[node.index] + 1)
    rows = {}
    for node in nodes:
        rows.setdefault(depth.get(node.index, 0), []).append(node)
    deepest = max(rows)
    sizes = {n.index: _size(n) for n in nodes}
    widest = max(sum(sizes[n.index][0] for n in row) + _GAP * (len(row) - 1)
                 for row in rows.values())
    boxes = {}
    for d, row in rows.items():
        width = sum(sizes[n.index][0] for n in row) + _GAP * (len(row) - 1)
        x = 20 + (widest - width) / 2
        for n in row:
            w, h = sizes[n.index]
            boxes[n.index] = (x, 20 + (deepest - d) * _ROW, w, h)
            x += w + _GAP
    return boxes


def _from_output(graph):
    """The op nodes ordered so that every node comes after all the nodes that use it."""
    users = {}
    for node in graph.nodes:
        for i in node.inputs:
            users[i] = users.get(i, 0) + 1
    ready, order = [graph.nodes[0]], []
    while ready:
        node = ready.pop()
        order.append(node)
        for i in node.inputs:
            users[i] -= 1
            if users[i] == 0:
                ready.append(graph.nodes[i])
    return order


def _size(node):
    lines = lines_of(node)
    return max(len(line) for line in lines) * _CHAR + 16, len(lines) * _LINE + 10


def simple_svg(graph):
    """The graph as SVG text, drawn with ``layout``; node ``i`` is ``<g id="node-i">``."""
    boxes = layout(graph)
    width = max(x + w for x, y, w, h in boxes.values()) + 20
    height = max(y + h for x, y, w, h in boxes.values()) + 20
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
           f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
           'font-family="monospace" font-size="12">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
           'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
           '<path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>']
    for node in graph.nodes:                    # edges first, so boxes sit on top
        x2, y2, w2, _ = boxes[node.index]
        for i in node.inputs:
            x1, y1, w1, h1 = boxes[i]
            out.append(f'<path class="edge" d="M {x1 + w1 / 2:.1f} {y1 + h1:.1f} '
                       f'L {x2 + w2 / 2:.1f} {y2:.1f}" stroke="#555" fill="none" '
                       'marker-end="url(#arrow)"/>')
    for node in graph.nodes:
        x, y, w, h = boxes[node.index]
        radius = h / 2 if node.kind == "leaf" else 6
        dash = ' stroke-dasharray="4 3"' if node.kind == "constant" else ""
        out.append(f'<g class="node {node.kind}" id="node-{node.index}" '
                   f'data-index="{node.index}">'
                   f'<title>{html.escape(node.name)}</title>'
                   f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
                   f'rx="{radius:.1f}" fill="{_FILL[node.kind]}" '
                   f'stroke="{_STROKE[node.kind]}"{dash}/>')
        for k, line in enumerate(lines_of(node)):
            out.append(f'<text x="{x + w / 2:.1f}" y="{y + 17 + k * _LINE:.1f}" '
                       f'text-anchor="middle">{html.escape(line)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


# ---- the clickable page --------------------------------------------------------------
def node_data(graph, lang="en"):
    """What a click shows, per node: value, gradient and local derivatives, as text."""
    data = []
    for node in graph.nodes:
        item = {"index": node.index, "kind": node.kind, "name": node.name,
                "title": lines_of(node)[0], "value": _full(node.value),
                "shape": list(np.shape(node.value)) if node.value is not None else None,
                "grad": _full(node.grad), "op": "", "local": []}
        if node.kind == "op":
            item["op"] = f"{node.torch_name} ({node.label})"
            item["local"] = _locals(node, graph, lang)
        elif node.kind == "module":
            item["op"] = node.label.replace("module: ", "")
            item["params"] = list(node.expr.split("\n")) if node.expr else []
        data.append(item)
    return data


def _full(v):
    if v is None:
        return None
    a = np.asarray(v)
    if a.size <= 64:
        return num(v) if a.size == 1 else np.array2string(a, precision=4, separator=", ")
    return (f"{show(v)}\nmin {num(a.min())}, max {num(a.max())}, std {num(a.std())}")


def _locals(node, graph, lang):
    """'d(out)/d(input) = formula = value' for each input of an op."""
    from .narrate import _d, _operand_texts           # narrate imports this module's peers
    rule = rule_for(node.obj)
    operands = _operand_texts(node, graph)
    texts = []
    for slot, i in zip(node.slots, node.inputs):
        inp = graph.nodes[i]
        if inp.kind == "constant" and not inp.named:
            continue                            # d(w * 4.0)/d4.0 would only puzzle
        try:
            local = local_derivative(rule, slot, operands)
            formula = local.formula.format(out=node.name, a=inp.name, **WORDS[lang])
        except Exception:                       # an op without a formula: say so, don't fail
            texts.append(f"{_d(node.name, inp.name)} = (computed by the op's backward)")
            continue
        text = f"{_d(node.name, inp.name)} = {formula}"
        if local.value is not None and num(local.value) != formula:
            text += f" = {show(local.value)}"
        texts.append(text)
    return texts


_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 0; display: flex; height: 100vh; }}
#graph {{ flex: 1; overflow: auto; padding: 8px; }}
#panel {{ width: 360px; padding: 12px; border-left: 1px solid #ccc; background: #fafafa;
          overflow: auto; white-space: pre-wrap; font-family: monospace; font-size: 13px; }}
.node {{ cursor: pointer; }}
.node.selected rect {{ stroke: #d62728; stroke-width: 3; }}
h2 {{ font-size: 15px; margin: 4px 0 10px 0; font-family: sans-serif; }}
.label {{ color: #666; font-family: sans-serif; font-size: 12px; margin-top: 8px; }}
</style></head>
<body>
<div id="graph">
{svg}
</div>
<div id="panel"><h2>{hint}</h2></div>
<script id="graph-data" type="application/json">{data}</script>
<script>
(function () {{
  var nodes = JSON.parse(document.getElementById("graph-data").textContent);
  var words = {words};
  var panel = document.getElementById("panel");
  function field(label, text) {{
    if (text === null || text === undefined || text === "" ||
        (Array.isArray(text) && text.length === 0)) return "";
    if (Array.isArray(text)) text = text.join("\\n");
    return '<div class="label">' + label + '</div><div class="field">' +
      text.replace(/&/g, "&amp;").replace(/</g, "&lt;") + "</div>";
  }}
  function show(i) {{
    var n = nodes[i];
    document.querySelectorAll(".node.selected").forEach(function (g) {{
      g.classList.remove("selected"); }});
    document.getElementById("node-" + i).classList.add("selected");
    panel.innerHTML = "<h2 id='selected-name'></h2>" + field(words.kind, n.kind + (n.op ? ": " + n.op : "")) +
      field(words.shape, n.shape === null ? null :
        "(" + n.shape.join(", ") + (n.shape.length === 1 ? ",)" : ")")) +
      field(words.value, n.value) + field(words.grad, n.grad === null ? words.none : n.grad) +
      field(words.local, n.local) + field(words.params, n.params);
    document.getElementById("selected-name").textContent = n.title;
    panel.setAttribute("data-selected", String(i));
  }}
  document.querySelectorAll(".node").forEach(function (g) {{
    g.addEventListener("click", function () {{ show(Number(g.getAttribute("data-index"))); }});
  }});
  window.chainruleShow = show;
  // page.html#click=3 clicks node 3 on load: a link to a node, and how tests click
  var m = /^#click=(\\d+)$/.exec(window.location.hash);
  if (m) document.getElementById("node-" + m[1]).dispatchEvent(
    new MouseEvent("click", {{bubbles: true}}));
}})();
</script>
</body></html>
"""

_WORDS = {
    "en": {"hint": "Click a node to see its value, gradient and local derivative.",
           "kind": "kind", "shape": "shape", "value": "value", "grad": "gradient dL/d(node)",
           "local": "local derivatives", "params": "parameters",
           "none": "None (run explain.backward first)"},
    "zh": {"hint": "点击一个节点，查看它的值、梯度和局部导数。",
           "kind": "类型", "shape": "形状", "value": "值", "grad": "梯度 dL/d(节点)",
           "local": "局部导数", "params": "参数",
           "none": "None（请先运行 explain.backward）"},
}


def page(graph, lang="en", title=None):
    """The self-contained HTML page (see the module docstring)."""
    words = _WORDS[lang]
    data = json.dumps(node_data(graph, lang), ensure_ascii=False).replace("</", "<\\/")
    return _PAGE.format(lang=lang, title=html.escape(title or f"chainrule: {graph.root.name}"),
                        svg=simple_svg(graph), hint=html.escape(words["hint"]), data=data,
                        words=json.dumps(words, ensure_ascii=False))


def fragment(graph, lang="en"):
    """For Jupyter's ``_repr_html_``: the page inside an iframe, so its script runs alone."""
    return ('<iframe style="width: 100%; height: 520px; border: 1px solid #ddd" srcdoc="'
            f'{html.escape(page(graph, lang), quote=True)}"></iframe>')
