"""Random programs for the differential fuzzer, written as Python source.

A program is a list of statements such as ``t3 = torch.maximum(t1, b)``. It is run
twice: once with ``torch`` bound to PyTorch, once with ``torch`` bound to chainrule,
so the text that ran is also the reproducer a failure prints.

``programs()`` draws

* 1 to 4 leaves, float32 or float64, with shapes that broadcast against each other
  (suffixes of one base shape, some dims set to 1), most of them requiring grad;
* 1 to 30 steps, each reading values made earlier (leaves are reused, intermediates
  used twice): elementwise ops, broadcasting binary ops, reductions, views, in-place
  ops, ``no_grad`` regions, ``detach`` and dtype changes.

While drawing, each statement is run in PyTorch, so later steps know the shapes and
dtypes they work on (a reduction picks a dim the tensor has). A statement that
PyTorch refuses (an in-place op on a leaf that requires grad, a view that needs a
copy) ends the program: chainrule must then refuse it with the same error type.
"""
import warnings
from collections import namedtuple

import numpy as np
import torch
from hypothesis import strategies as st

Program = namedtuple("Program", "leaves steps")

# {x}: a tensor made earlier; {y}: another, whose shape broadcasts with x's;
# {d}, {e}: dims of x; {s}: x's shape written out.
UNARY = [
    "{x}.exp()", "{x}.tanh()", "torch.sigmoid({x})", "{x}.sin()", "{x}.cos()", "{x}.abs()",
    "torch.relu({x})", "-{x}", "{x}.square()", "{x}.log()", "{x}.sqrt()", "{x}.reciprocal()",
    "{x} ** 2", "{x} ** 3", "{x} ** -1.5", "{x}.rsqrt()", "torch.log1p({x}.abs())",
    "{x}.expm1()", "{x}.clamp(-0.5, 0.5)", "{x}.clamp(min=0.1)", "{x}.clamp(max=0)",
    "{x} + 1.5", "2 * {x}", "{x} / 3", "1 - {x}", "0.5 / {x}", "2 ** {x}", "{x}.sign()",
    "{x}.floor()", "{x} % 0.7", "torch.fmod({x}, 0.7)", "{x}.clone()", "{x}.contiguous()",
    "{x}.double()", "{x}.float()", "{x}.to(torch.float64)", "{x}.tan()",
]
BINARY = [
    "{x} + {y}", "{x} - {y}", "{x} * {y}", "{x} / {y}", "torch.maximum({x}, {y})",
    "torch.minimum({x}, {y})", "torch.where({x} > {y}, {x}, {y})", "{x} ** {y}",
    "torch.add({x}, {y}, alpha=2)", "torch.lerp({x}, {y}, 0.3)", "torch.where({y} > 0, {x}, 0.0)",
    "{x}.masked_fill({y} < 0, 1.0)", "torch.clamp({x}, {y} - 1, {y} + 1)",
]
REDUCE = [
    "{x}.sum()", "{x}.sum({d})", "{x}.sum({d}, keepdim=True)", "{x}.mean()", "{x}.mean({d})",
    "{x}.amax({d})", "{x}.max({d}).values", "{x}.min()", "{x}.var({d})", "{x}.std()",
    "{x}.softmax({d})", "{x}.log_softmax({d})", "{x}.logsumexp({d})", "{x}.cumsum({d})",
    "{x}.norm()", "{x}.prod({d})", "torch.norm({x}, 1, {d})", "{x}.var({d}, correction=0)",
    "{x}.sort({d}).values", "{x}.topk(1, {d}).values",
]
SHAPE = [
    "{x}.reshape(-1)", "{x}.view(-1)", "{x}.t()", "{x}.transpose({d}, {e})", "{x}.unsqueeze(0)",
    "{x}.squeeze()", "{x}.flip({d})", "{x}.expand(2, *{s})", "{x}[0]", "{x}[..., ::2]",
    "{x}[..., 1:]", "{x}.mT", "{x}.T", "{x}.permute(*reversed(range({x}.dim())))",
    "torch.cat([{x}, {y}], {d})", "torch.stack([{x}, {x}])", "{x}.unbind({d})[-1]",
    "{x}.split(1, {d})[0]", "{x}.narrow({d}, 0, 1)", "{x}.detach()",
    "{x}.detach().requires_grad_()", "{x}.repeat(2, *[1] * {x}.dim())",
    "{x} @ {x}.mT", "{x} @ {y}", "{x}.unsqueeze(-1) * {y}", "{x}.index_select({d}, "
    "torch.tensor([0, 0]))", "{x}[{x} > 0]", "torch.gather({x}, {d}, torch.zeros_like({x}, "
    "dtype=torch.int64))", "{x}.reshape({s}[::-1])",
]
INPLACE = [
    "{x}.mul_(2)", "{x}.add_({y})", "{x}.tanh_()", "{x}.relu_()", "{x}.clamp_(-1, 1)",
    "{x}.sigmoid_()", "{x}.exp_()", "{x}.neg_()", "{x}.sub_(0.5)", "{x}.div_({y})",
    "{x}.zero_()", "{x}.abs_()", "{x}.pow_(2)", "{x}.copy_({y})", "{x}.masked_fill_({y} > 0, 0.)",
    "{x}[0] = {y}", "{x}.fill_(1.5)", "{x}.sqrt_()",
]
KINDS = ["unary"] * 4 + ["binary"] * 4 + ["reduce"] * 2 + ["shape"] * 3 + [
    "inplace", "no_grad", "no_grad_inplace"]


def leaf_values(seed, shape):
    """Values near 1 in size, rounded to 4 decimals so the program text stays short."""
    return np.round(np.random.default_rng(seed).standard_normal(shape), 4)


@st.composite
def leaves(draw):
    """Statements making 1-4 leaves whose shapes broadcast against each other."""
    base = draw(st.lists(st.integers(1, 4), max_size=3))
    lines = []
    for i in range(draw(st.integers(1, 4))):
        ndim = draw(st.integers(0, len(base)))
        shape = [n if draw(st.booleans()) else 1 for n in base[len(base) - ndim:]]
        dtype = draw(st.sampled_from(["float32", "float64"]))
        grad = draw(st.sampled_from([True, True, True, False]))
        values = leaf_values(draw(st.integers(0, 2**16)), shape).tolist()
        lines.append(f"{'abcd'[i]} = torch.tensor({values!r}, dtype=torch.{dtype}"
                     + (", requires_grad=True)" if grad else ")"))
    return lines


def broadcasts(a, b):
    try:
        np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
        return True
    except ValueError:
        return False


def fill(draw, template, names, ns):
    """``template`` with its holes filled from the tensors made so far."""
    x = draw(st.sampled_from(names))
    tx = ns[x]
    partners = [n for n in names if broadcasts(ns[n], tx)] or names
    y = draw(st.sampled_from(partners))
    dims = list(range(-tx.dim(), tx.dim())) or [0, -1]
    return template.format(x=x, y=y, d=draw(st.sampled_from(dims)),
                           e=draw(st.sampled_from(dims)), s=tuple(tx.shape))


def writable(name, ns, grad=True):
    """Every named tensor may be written in place: views and bases included, with
    grad on or off (autograd/views.py rebases their histories as PyTorch does)."""
    return True


@st.composite
def step(draw, names, ns, number):
    kind = draw(st.sampled_from(KINDS))
    new = f"t{number}"
    if kind in ("inplace", "no_grad_inplace"):
        targets = [n for n in names if writable(n, ns, grad=kind == "inplace")]
        if not targets:
            return f"{new} = {fill(draw, '{x}.clone()', names, ns)}"
        statement = fill(draw, draw(st.sampled_from(INPLACE)), targets, ns)
        if kind == "inplace":
            return statement
        return f"with torch.no_grad():\n    {statement}"
    table = {"unary": UNARY, "binary": BINARY, "reduce": REDUCE, "shape": SHAPE,
             "no_grad": UNARY + BINARY}[kind]
    statement = f"{new} = {fill(draw, draw(st.sampled_from(table)), names, ns)}"
    if kind == "no_grad":
        return f"with torch.no_grad():\n    {statement}"
    return statement


@st.composite
def programs(draw, max_steps=30):
    """A ``Program``: leaf statements, then 1-``max_steps`` steps (see the module doc)."""
    made = draw(leaves())
    ns = {"torch": torch}
    for line in made:
        exec(line, ns)
    names = [line.split(" = ")[0] for line in made]
    steps = []
    for number in range(draw(st.integers(1, max_steps))):
        statement = draw(step(names, ns, number))
        steps.append(statement)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(statement, ns)
        except Exception:              # noqa: BLE001 (the program ends where torch raises)
            break
        if f"t{number}" in ns and isinstance(ns[f"t{number}"], torch.Tensor):
            names.append(f"t{number}")
    return Program(made, steps)


def source(program):
    """The program as a script that runs with either library."""
    lines = ["import chainrule as torch   # or: import torch", ""]
    lines += program.leaves + program.steps
    return "\n".join(lines)
