"""Run every seed program through ``chainrule explain`` up to its first backward.

    python tests/explain/seed_runs.py OUT.json

For each program of ``examples/seeds/`` and each language, this is what
``python -m chainrule explain PROGRAM --lang LANG`` prints at the program's first
``backward()``: the graph and the narration (the program's own output is left
out, and the program stops there). It runs in a process of its own because the
programs ``import torch`` and get chainrule, while the tests compare with the real
PyTorch. Each program runs twice per language, to show the text is deterministic;
``torch.manual_seed(0)`` comes first, so that the two programs that draw random
numbers without a seed draw the same ones on every run.

OUT.json: {program: {"en": text, "zh": text, "deterministic": bool,
                     "ops": [{"torch_name", "name", "grad", "links"}], "leaves": [...]}}
"""
import contextlib
import io
import json
import sys
from pathlib import Path

import numpy as np

import chainrule
from chainrule import explain
from chainrule.explain.cli import explain_script

SEEDS = Path(__file__).resolve().parents[2] / "examples" / "seeds"
LANGS = ("en", "zh")


def first_backward(program, lang):
    """The explanation of ``program``'s first backward, and its step records."""
    chainrule.manual_seed(0)
    text, steps = io.StringIO(), []
    with contextlib.redirect_stdout(io.StringIO()):           # the program's own prints
        rc = explain_script(str(SEEDS / f"{program}.py"), [], lang=lang, file=text,
                            stop=True, steps=steps)
    if rc != 0 or len(steps) != 1:
        raise SystemExit(f"{program}: exit status {rc}, {len(steps)} backward explained")
    return text.getvalue(), steps[0]


def _array(v):
    return None if v is None else np.asarray(v, dtype=np.float64).tolist()


def records(steps):
    """The numbers of the narration, in the graph's drawing order, as plain data."""
    graph = steps.graph
    by_name = {s.name: s for s in steps if isinstance(s, explain.Step)}
    ops = []
    for node in graph.nodes:
        if node.kind != "op":
            continue
        step = by_name[node.name]
        ops.append({"torch_name": node.torch_name, "name": node.name,
                    "value": _array(node.value), "grad": _array(step.grad),
                    "links": [{"input": k.input, "grad": _array(k.grad)} for k in step.links]})
    leaves = [{"name": u.name, "grad": _array(u.after)}
              for u in steps if isinstance(u, explain.LeafUpdate)]
    return ops, leaves


def run_all():
    out = {}
    for path in sorted(SEEDS.glob("s*.py")):
        program = path.stem
        result = {"deterministic": True}
        for lang in LANGS:
            text, steps = first_backward(program, lang)
            again, _ = first_backward(program, lang)
            result[lang] = text
            result["deterministic"] &= text == again
            if lang == "en":
                result["ops"], result["leaves"] = records(steps)
        out[program] = result
    return out


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(json.dumps(run_all(), ensure_ascii=False), encoding="utf-8")
