"""``chainrule.explain``: see the graph, and the chain rule at work, for any tensor.

    explain.graph(t)              the graph that produced ``t``: .to_text(), .to_dot(),
                                  .to_svg(), .save(path), .to_html(path)
    explain.backward(loss)        run backward, narrating each chain-rule step
    explain.check(loss, answers)  compare hand-computed gradients with autograd's
    explain.step(optimizer)       write out each parameter's update, then apply it
    explain.track(model)          note each module's ops, to draw it as one box

These tools sit outside the core (STYLE.md, principle 15): they read the graph
through the public ``grad_fn`` structure and watch the backward pass through one
hook, ``autograd.engine.OBSERVERS``. Nothing in chainrule imports this package, except
the command ``chainrule explain SCRIPT`` (``explain/cli.py``), when it is run.
"""
from .check import CheckResult, check
from .graph import Graph, GraphNode, graph
from .narrate import LeafUpdate, Link, Step, Steps, backward
from .modules import Tracker, track
from .step import Update, Updates, step

__all__ = ["graph", "backward", "check", "Graph", "GraphNode", "Step", "Link", "LeafUpdate",
           "Steps", "CheckResult", "step", "Update", "Updates", "track", "Tracker"]
