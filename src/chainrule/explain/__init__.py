"""``chainrule.explain``: see the graph, and the chain rule at work, for any tensor.

    explain.graph(t)              the graph that produced ``t``: .to_text(), .to_dot()
    explain.backward(loss)        run backward, narrating each chain-rule step
    explain.check(loss, answers)  compare hand-computed gradients with autograd's

These tools sit outside the core (STYLE.md, principle 15): they read the graph
through the public ``grad_fn`` structure and watch the backward pass through one
hook, ``autograd.engine.OBSERVERS``. Nothing in chainrule imports this package.
"""
from .check import CheckResult, check
from .graph import Graph, GraphNode, graph
from .narrate import LeafUpdate, Link, Step, Steps, backward

__all__ = ["graph", "backward", "check", "Graph", "GraphNode", "Step", "Link", "LeafUpdate",
           "Steps", "CheckResult"]
