"""``explain.step(optimizer)``: each parameter's update written out, then applied.

>>> import chainrule as torch
>>> from chainrule import explain
>>> w = torch.tensor(1.0, requires_grad=True)
>>> ((w * 2.0 - 4.0) ** 2).backward()
>>> opt = torch.optim.SGD([w], lr=0.1)
>>> records = explain.step(opt)
SGD step (lr = 0.1): w <- w - lr · w.grad
  w = 1.0 - 0.1 × (-8.0) = 1.8
>>> w
tensor(1.8000, requires_grad=True)

The update is worked out from the optimizer's settings and state *before*
``optimizer.step()`` runs, in float64; each record then keeps both that
prediction and the parameter's actual new value, so a learner (or a test) can
see they agree. SGD (with momentum, dampening, Nesterov and weight decay) and
Adam/AdamW (with the moment estimates m, v and their bias corrections) are
written out; any other optimizer is stepped and shown as before -> after.
"""
import sys
from dataclasses import dataclass, field

import numpy as np

from .. import optim
from ..nn import Module
from .._tensor import TensorBase
from .formulas import factor, num
from .graph import show

TEXT = {
    "en": {"sgd": "SGD step (lr = {lr}): {n} <- {n} - lr · {n}.grad",
           "momentum": "SGD step with momentum (lr = {lr}, momentum = {mu}): "
                       "b <- momentum · b + (1 - dampening) · grad;  {n} <- {n} - lr · b",
           "adam": "{cls} step {t} (lr = {lr}, betas = ({b1}, {b2}), eps = {eps}): "
                   "m, v = running means of grad and grad²",
           "other": "{cls} step: the update is the optimizer's own (before -> after)",
           "first": "first step: b = grad",
           "skipped": "  {n}: no gradient, not updated"},
    "zh": {"sgd": "SGD 更新（学习率 lr = {lr}）：{n} <- {n} - lr · {n}.grad",
           "momentum": "带动量的 SGD 更新（lr = {lr}，动量 momentum = {mu}）："
                       "b <- momentum · b + (1 - dampening) · grad；{n} <- {n} - lr · b",
           "adam": "{cls} 第 {t} 步（lr = {lr}，betas = ({b1}, {b2})，eps = {eps}）："
                   "m、v 是梯度和梯度平方的滑动平均",
           "other": "{cls} 更新：由优化器自己的规则计算（更新前 -> 更新后）",
           "first": "第一步：b = grad",
           "skipped": "  {n}：没有梯度，不更新"},
}


@dataclass
class Update:
    """One parameter's update: the numbers shown, the prediction and the actual result."""
    name: str
    rule: str                     # 'sgd', 'momentum', 'adam' or 'other'
    before: object                # the parameter before the step (array)
    grad: object                  # the gradient used (after weight decay / maximize)
    predicted: object             # the new value worked out here, in float64
    after: object = None          # the parameter after optimizer.step()
    moments: dict = field(default_factory=dict)   # b, or m, v, m_hat, v_hat, t
    text: str = ""


class Updates(list):
    """The records of ``explain.step``; ``.text`` is what it printed."""
    text = ""


def step(optimizer, lang="en", *, names=None, file=None, quiet=False):
    """Print each parameter's update, then run ``optimizer.step()``; return the records.

    Names come from the caller's variables (``w``) or from the modules they hold
    (``fc1.weight``); ``names`` (a dict name -> tensor) adds to them.
    """
    if lang not in TEXT:
        raise ValueError(f"lang must be 'en' or 'zh', not {lang!r}")
    say = TEXT[lang]
    known = _parameter_names(sys._getframe(1), names)
    updates, lines = [], []
    for group in optimizer.param_groups:
        rule = _rule_of(optimizer, group)
        params = [p for p in group["params"] if p.grad is not None]
        if not params:
            continue
        lines.append(_heading(rule, optimizer, group, params[0], known, say))
        for p in group["params"]:
            name = known.get(id(p)) or f"p{len(updates)}"
            if p.grad is None:
                lines.append(say["skipped"].format(n=name))
                continue
            update = _PREDICT[rule](p, name, group, optimizer.state.get(p, {}), say)
            update.text = "\n".join(update.text)
            updates.append((p, update))
            lines.append(update.text)
    records = Updates(u for _, u in updates)
    records.text = "\n".join(lines)
    if not quiet:                               # shown first, as a learner works it out
        print(records.text, file=file)
    optimizer.step()
    for p, update in updates:                   # then what actually happened, to compare
        update.after = p._data.astype(np.float64)
    return records


def _rule_of(optimizer, group):
    if isinstance(optimizer, optim.SGD):
        return "momentum" if group["momentum"] != 0 else "sgd"
    if isinstance(optimizer, (optim.Adam, optim.AdamW)) and not group.get("amsgrad"):
        return "adam"
    return "other"


def _heading(rule, optimizer, group, p, known, say):
    n = known.get(id(p), "p") if len(group["params"]) == 1 else "p"
    if rule == "adam":
        t = int(_value(optimizer.state.get(p, {}).get("step", 0))) + 1
        b1, b2 = group["betas"]
        return say["adam"].format(cls=type(optimizer).__name__, t=t, lr=num(group["lr"]),
                                  b1=num(b1), b2=num(b2), eps=num(group["eps"]))
    if rule == "other":
        return say["other"].format(cls=type(optimizer).__name__)
    return say[rule].format(n=n, lr=num(group["lr"]), mu=num(group.get("momentum", 0)))


# ---- the rules, written out ----------------------------------------------------------
def _gradient(p, group, decoupled=False):
    """grad, negated for maximize=True, plus weight_decay · p (L2 folded into the gradient)."""
    x = p._data.astype(np.float64)
    g = p.grad._data.astype(np.float64)
    if group.get("maximize"):
        g = -g
    wd = group.get("weight_decay", 0)
    if wd and not decoupled:
        g = g + wd * x
    return x, g


def _sgd(p, name, group, state, say):
    x, g = _gradient(p, group)
    lr = float(group["lr"])
    new = x - lr * g
    lines = [f"  {name} = {_n(x)} - {num(lr)} × {factor(_n(g))} = {show(new)}"]
    return Update(name, "sgd", x, g, new, text=lines)


def _momentum(p, name, group, state, say):
    x, g = _gradient(p, group)
    lr, mu, damp = float(group["lr"]), float(group["momentum"]), float(group["dampening"])
    prev = state.get("momentum_buffer")
    if prev is None:
        b = g
        lines = [f"  {name}: b = {factor(_n(g))}   ({say['first']})"]
    else:
        prev = prev._data.astype(np.float64)
        b = mu * prev + (1 - damp) * g
        lines = [f"  {name}: b = {num(mu)} × {factor(_n(prev))} + {num(1 - damp)} × "
                 f"{factor(_n(g))} = {show(b)}"]
    d = g + mu * b if group["nesterov"] else b
    if group["nesterov"]:
        lines.append(f"  {name}: d = grad + momentum · b = {factor(_n(g))} + {num(mu)} × "
                     f"{factor(_n(b))} = {show(d)}")
    new = x - lr * d
    lines.append(f"  {name} = {_n(x)} - {num(lr)} × {factor(_n(d))} = {show(new)}")
    return Update(name, "momentum", x, g, new, moments={"b": b}, text=lines)


def _adam(p, name, group, state, say):
    decoupled = bool(group.get("decoupled_weight_decay", False))
    x, g = _gradient(p, group, decoupled)
    lr, eps = float(group["lr"]), float(group["eps"])
    b1, b2 = (float(_value(b)) for b in group["betas"])
    t = int(_value(state.get("step", 0))) + 1
    m0 = _array(state.get("exp_avg"), x)
    v0 = _array(state.get("exp_avg_sq"), x)
    if decoupled and group["weight_decay"]:
        x_used = x * (1 - lr * group["weight_decay"])
    else:
        x_used = x
    m = b1 * m0 + (1 - b1) * g
    v = b2 * v0 + (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
    new = x_used - lr * m_hat / (np.sqrt(v_hat) + eps)
    lines = [f"  {name}: m = {num(b1)} × {factor(_n(m0))} + {num(1 - b1)} × {factor(_n(g))}"
             f" = {show(m)}",
             f"  {name}: v = {num(b2)} × {factor(_n(v0))} + {num(1 - b2)} × "
             f"{factor(_n(g))}² = {show(v)}",
             f"  {name}: m_hat = m / (1 - {num(b1)}^{t}) = {show(m_hat)},   "
             f"v_hat = v / (1 - {num(b2)}^{t}) = {show(v_hat)}",
             f"  {name} = {_n(x_used)} - {num(lr)} × {factor(_n(m_hat))} / "
             f"(√{factor(_n(v_hat))} + {num(eps)}) = {show(new)}"]
    if x_used is not x:                 # AdamW: the weight shrinks first, apart from grad
        lines.insert(0, f"  {name} <- {name} · (1 - lr · weight_decay) = {show(x_used)}")
    moments = {"t": t, "m": m, "v": v, "m_hat": m_hat, "v_hat": v_hat}
    return Update(name, "adam", x, g, new, moments=moments, text=lines)


def _other(p, name, group, state, say):
    x = p._data.astype(np.float64)
    return Update(name, "other", x, p.grad._data.astype(np.float64), None,
                  text=[f"  {name} = {show(x)} -> (after step)"])


_PREDICT = {"sgd": _sgd, "momentum": _momentum, "adam": _adam, "other": _other}


# ---- small helpers -------------------------------------------------------------------
def _n(a):
    """A value inside a formula: the number for a scalar, the summary for a tensor."""
    return num(a)


def _value(v):
    return v.item() if isinstance(v, TensorBase) else v


def _array(t, like):
    return np.zeros_like(like) if t is None else t._data.astype(np.float64)


def _parameter_names(frame, extra):
    """id(parameter) -> name: the caller's tensor variables, then their modules' parameters."""
    found = {}
    for name, obj in (extra or {}).items():
        found.setdefault(id(obj), name)
    scopes = [frame.f_locals, frame.f_globals] if frame is not None else []
    for scope in scopes:
        for name, obj in list(scope.items()):
            if isinstance(obj, TensorBase) and not name.startswith("_"):
                found.setdefault(id(obj), name)
    for scope in scopes:
        for name, obj in list(scope.items()):
            if isinstance(obj, Module) and not name.startswith("_"):
                for pname, p in obj.named_parameters():
                    found.setdefault(id(p), pname)
    return found
