"""``chainrule explain SCRIPT``: run a PyTorch script, explaining its first ``backward()``.

    python -m chainrule explain train.py [--html graph.html] [--lang zh] [ARGS...]

The script runs as with ``chainrule run``. Its first ``loss.backward()`` prints
the graph of ``loss`` (names taken from the script's variables at that line),
then runs backward narrating every chain-rule step, optionally writes the
clickable HTML page, and the script carries on untouched. Later ``backward()``
calls are plain.

The first call is caught by wrapping ``Tensor.backward`` for the length of the
run only; it is put back afterwards, even when the script fails.
"""
import sys

from .._tensor import TensorBase
from .graph import build
from .narrate import TEXT, _grad_of, narrate, record

_HEADINGS = {"en": ("The graph of {name}, at its first backward():",
                    "The HTML page of the graph: {path}"),
             "zh": ("{name} 的计算图（第一次调用 backward() 时）：",
                    "计算图的 HTML 页面：{path}")}


def split_options(args, html=None, lang="en"):
    """``--html OUT`` and ``--lang zh`` may also follow SCRIPT (before the script's own
    arguments): take them out of ``args``; return (html, lang, the script's args)."""
    args = list(args)
    while args:
        option, _, value = args[0].partition("=")
        if option not in ("--html", "--lang"):
            break
        if not value:
            if len(args) < 2:
                raise SystemExit(f"chainrule explain: {option} needs a value")
            value = args.pop(1)
        args.pop(0)
        if option == "--html":
            html = value
        elif value in TEXT:
            lang = value
        else:
            raise SystemExit(f"chainrule explain: --lang must be 'en' or 'zh', not {value!r}")
    return html, lang, args


class FirstBackwardDone(SystemExit):
    """Ends a script right after its first backward (``explain_script(stop=True)``).

    A ``SystemExit``, so that the script's ``except Exception`` cannot swallow it
    and ``chainrule run`` lets it through as it would ``sys.exit(0)``.
    """


def explain_script(path, args, html=None, lang="en", file=None, stop=False, steps=None):
    """Run ``path`` like ``chainrule run`` and explain its first ``backward()``.

    ``stop=True`` ends the script right after that backward (the tests use it to
    read the explanation of each seed program); ``steps``, a list, receives the
    step records of the narration.
    """
    from .._cli import run_script
    if lang not in TEXT:
        raise ValueError(f"lang must be 'en' or 'zh', not {lang!r}")
    original = TensorBase.backward
    explained = []

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        if explained or create_graph or inputs is not None:
            return original(self, gradient, retain_graph, create_graph, inputs)
        explained.append(self)
        records = explain_backward(self, sys._getframe(1),
                                   lambda: original(self, gradient, retain_graph),
                                   html, lang, file)
        if steps is not None:
            steps.append(records)
        if stop:
            raise FirstBackwardDone(0)

    TensorBase.backward = backward
    try:
        return run_script(path, args)
    except FirstBackwardDone:
        return 0
    finally:
        TensorBase.backward = original


def explain_backward(loss, frame, run, html=None, lang="en", file=None):
    """Print the graph of ``loss``, then ``run()`` its backward while narrating it."""
    out = file or sys.stdout
    graph = build(loss, frame)
    graph_heading, html_heading = _HEADINGS[lang]
    print(graph_heading.format(name=graph.root.name), file=out)
    print(graph.to_text(), file=out)
    print(file=out)
    before = {leaf.index: _grad_of(leaf.obj) for leaf in graph.leaves()}
    calls = record(run)
    steps = narrate(graph, calls, lang, before=before,
                    after={i: _grad_of(graph.nodes[i].obj) for i in before})
    print(steps.text, file=out)
    if html:
        graph.to_html(html, lang)
        print(html_heading.format(path=html), file=out)
    print(file=out, flush=True)
    return steps
