"""Teaching mode: warnings for the training-loop mistakes that raise no error.

PyTorch stays silent when a training loop is wrong but runs: gradients that
pile up, ``w = w - lr * w.grad``, softmax before ``CrossEntropyLoss``... In
teaching mode chainrule watches for these and warns, once each, pointing at
the line of your code where it happened:

    import chainrule as torch
    torch.teach()                       # or run with CHAINRULE_TEACH=1

The checks (``TeachingWarning``, each tested with a program that makes the
mistake and one that does not):

====================  ==========================================================
``zero_grad``         gradients accumulated across updates without zeroing
``leaf_rebound``      ``w = w - lr * w.grad`` turns the parameter into a non-leaf
``graph_kept``        ``running_loss += loss`` keeps every iteration's graph alive
``double_softmax``    softmax/log_softmax (sigmoid) output fed to CrossEntropyLoss
                      (BCEWithLogitsLoss), which applies it again
``target_shape``      a loss's target broadcasting against a different-shaped input
``not_finite``        a gradient or loss that became NaN/inf ("try a smaller lr")
``no_grad_param``     a parameter that never receives a gradient
``eval_forgotten``    Dropout/BatchNorm run under ``no_grad`` in training mode
``truncation``        ``//`` or an integer cast applied to a tensor that needs grad
====================  ==========================================================

Zero cost when off: the checks are hooks that exist only while teaching mode
is on (a watcher on ``Node.apply``'s one seam, an ``engine.OBSERVERS`` entry,
global module hooks); ``teach(False)`` removes them all.

>>> import chainrule as torch
>>> torch.teach()
>>> torch.teach(False)
"""
import os
import sys
import warnings

import numpy as np

from . import hints
from ._tensor import TensorBase
from .autograd import anomaly_mode, engine, grad_mode

_TEXT = {
    "zero_grad": (
        "{name}.grad still held the gradient from before the last update, and backward() "
        "added the new one to it: gradients accumulate. Zero them once per step: "
        "optimizer.zero_grad() (or {name}.grad.zero_()) before loss.backward().",
        "更新之后 {name}.grad 里还留着旧梯度，backward() 把新梯度加了上去：梯度会累加。"
        "每一步在 loss.backward() 之前清零：optimizer.zero_grad()（或 {name}.grad.zero_()）。"),
    "leaf_rebound": (
        "`w = w - lr * w.grad` records the update in the graph: w becomes a computed "
        "tensor (not a leaf), its .grad stays None and every later backward runs through "
        "all past updates. Update in place without recording: "
        "`with torch.no_grad(): w -= lr * w.grad`.",
        "`w = w - lr * w.grad` 把更新也记录进了计算图：w 变成计算出来的张量（不再是叶子），"
        "它的 .grad 一直是 None，之后每次反向都要穿过所有历史更新。请原地更新且不记录："
        "`with torch.no_grad(): w -= lr * w.grad`。"),
    "graph_kept": (
        "a loss that has already been backpropagated is being added to another tensor "
        "(`running_loss += loss`): the sum keeps every iteration's graph alive and memory "
        "grows. Accumulate the number instead: `running_loss += loss.item()`.",
        "已经反向传播过的损失又被加到另一个张量上（`running_loss += loss`）：这个和会让每次"
        "迭代的计算图都留在内存里。请累加数值：`running_loss += loss.item()`。"),
    "double_softmax": (
        "{loss} applies {fn} itself, but its input already went through {fn}: it is "
        "applied twice and learning slows down. Pass the raw scores (logits): remove "
        "the {fn} at the end of the model.",
        "{loss} 内部已经做了 {fn}，而它的输入已经经过一次 {fn}：做了两次，学习会变慢。"
        "请传入原始分数（logits）：去掉模型最后的 {fn}。"),
    "target_shape": (
        "{loss} got input of shape {a} and target of shape {b}: they broadcast to {c} "
        "and the loss compares every prediction with every target. Make the shapes "
        "equal, e.g. `target.view({a_args})` or `input.squeeze()`.",
        "{loss} 的输入形状是 {a}，目标形状是 {b}：它们广播成 {c}，损失把每个预测和每个目标"
        "都比较了一遍。请让形状一致，例如 `target.view({a_args})` 或 `input.squeeze()`。"),
    "not_finite": (
        "the {what} became {value} after {steps} update(s){param}. {cause}",
        "经过 {steps} 次更新后{what}变成了 {value}{param}。{cause}"),
    "no_grad_param": (
        "parameter '{name}' of {module} has never received a gradient while others "
        "have: it is not used in forward(), or its path was cut (detach(), .data, "
        "an integer cast).",
        "{module} 的参数 '{name}' 从未得到梯度，而其他参数有：它没有在 forward() 中使用，"
        "或者路径被切断了（detach()、.data、整数转换）。"),
    "eval_forgotten": (
        "{module} runs under torch.no_grad() but the model is still in training mode, "
        "so Dropout keeps dropping and BatchNorm keeps updating its statistics. Call "
        "model.eval() before evaluating (and model.train() after).",
        "{module} 在 torch.no_grad() 下运行，但模型仍处于训练模式：Dropout 仍在丢弃，"
        "BatchNorm 仍在更新统计量。评估前调用 model.eval()（之后再 model.train()）。"),
    "truncation": (
        "{op} on a tensor that requires grad: the result is whole numbers, the fraction "
        "is lost and no gradient flows back. Use true division `/` and keep floats.",
        "对需要梯度的张量做了 {op}：结果只剩整数，小数部分丢失，梯度也传不回去。"
        "请用真除法 `/` 并保持浮点类型。"),
}
_STATE = {"on": False, "warned": set(), "handles": [], "updates": {}, "calls": {}}


class TeachingWarning(UserWarning):
    """A training-loop mistake that PyTorch would let pass in silence."""


def teach(enabled=True):
    """Turn teaching mode on (or off with ``teach(False)``)."""
    enabled = bool(enabled)
    if enabled == _STATE["on"]:
        return
    _STATE["on"] = enabled
    if enabled:
        _STATE["warned"].clear()
        anomaly_mode.add_watcher(_on_op)
        engine.OBSERVERS.append(_on_backward)
        from .nn.modules import _hooks
        _STATE["handles"] = [_hooks.register_module_forward_pre_hook(_before_module),
                             _hooks.register_module_forward_hook(_after_module)]
    else:
        anomaly_mode.remove_watcher(_on_op)
        engine.OBSERVERS.remove(_on_backward)
        for handle in _STATE["handles"]:
            handle.remove()
        _STATE["handles"] = []


def is_teaching():
    return _STATE["on"]


def _warn(key, **fields):
    """Warn once per kind, at the learner's line (the innermost frame outside chainrule)."""
    if key in _STATE["warned"]:
        return
    _STATE["warned"].add(key)
    en, zh = _TEXT[key]
    text = (zh if hints.get_language() == "zh" else en).format(**fields)
    frame = sys._getframe(1)
    while frame is not None and hints._is_internal(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        warnings.warn(text, TeachingWarning, stacklevel=2)
    else:
        warnings.warn_explicit(text, TeachingWarning, frame.f_code.co_filename, frame.f_lineno,
                               module=frame.f_globals.get("__name__"))


def _learner_name(tensor):
    """The name the learner's code gives ``tensor`` ("w1"), or "a parameter"."""
    frame = sys._getframe(1)
    while frame is not None:
        if not hints._is_internal(frame.f_code.co_filename):
            for scope in (frame.f_locals, frame.f_globals):
                for name, value in scope.items():
                    if value is tensor:
                        return name
        frame = frame.f_back
    return "a parameter"


# ---- checks on each op (a watcher on Node.apply) -------------------------------------
def _on_op(cls, inputs, result):
    name = cls.torch_name
    x = inputs[0] if inputs else None
    if name == "SubBackward0" and len(inputs) > 1 and grad_mode.STATE.enabled:
        if _is_update_with_own_grad(x, inputs[1]) and result.grad_fn is not None:
            result.grad_fn.__dict__["_teach_rebound"] = True    # warned if backward uses it
    elif name == "AddBackward0" and getattr(result, "grad_fn", None) is not None:
        for t in inputs:
            if isinstance(t, TensorBase) and t.grad_fn is not None \
                    and t.grad_fn.__dict__.get("_teach_backpropagated"):
                _warn("graph_kept")
    elif name == "NotImplemented" and cls.__name__ == "FloorDivide" and _needs_grad(x):
        _warn("truncation", op="// (floor division)")
    elif name == "ToCopyBackward0" and _needs_grad(x) and result._data.dtype.kind in "iub":
        _warn("truncation", op=f"a cast to {result.dtype}")


def _needs_grad(t):
    return getattr(t, "_requires_grad", False) and grad_mode.STATE.enabled


def _is_update_with_own_grad(w, step):
    """True for ``w - c * w.grad``: a leaf minus a multiple of its own gradient."""
    if not (getattr(w, "_requires_grad", False) and w.grad_fn is None and w._grad is not None):
        return False
    if getattr(step, "_requires_grad", True) or step._data.shape != w._grad._data.shape:
        return False
    g, s = w._grad._data, step._data
    k = np.unravel_index(np.argmax(np.abs(g)), g.shape) if g.ndim else ()
    if g[k] == 0 or s[k] == 0:
        return False
    return bool(np.allclose(s, g * (s[k] / g[k])))


# ---- checks during backward (an engine observer) -------------------------------------
def _on_backward(node, grads_in, grads_out):
    node.__dict__["_teach_backpropagated"] = True
    if node.__dict__.get("_teach_rebound"):
        _warn("leaf_rebound")
    for edge, g in zip(node._edges, grads_in):
        if edge is not None and g is not None and isinstance(edge[0], TensorBase):
            _check_leaf(edge[0], g)                   # a leaf is its own edge target


def _check_leaf(leaf, g):
    """Updated since the last backward, yet .grad not zeroed? A non-finite gradient?"""
    seen = leaf.__dict__.get("_teach_seen")
    updated = seen is not None and not np.array_equal(seen, leaf._data)
    if updated:
        _STATE["updates"][id(leaf)] = _STATE["updates"].get(id(leaf), 0) + 1
        old = leaf._grad
        if old is not None and np.any(old._data != 0):
            _warn("zero_grad", name=_learner_name(leaf))
    leaf.__dict__["_teach_seen"] = leaf._data.copy()
    leaf.__dict__["_teach_got_grad"] = True
    if not np.all(np.isfinite(g._data)):
        _report_not_finite("gradient", g._data, leaf)


def _report_not_finite(what, values, leaf=None):
    value = "nan" if np.isnan(values).any() else "inf"
    zh = hints.get_language() == "zh"
    steps = _STATE["updates"].get(id(leaf), 0) if leaf is not None else max(
        _STATE["updates"].values(), default=0)
    param = ""
    if leaf is not None:
        param = (f"（参数 {_learner_name(leaf)} 的梯度最先出问题）" if zh
                 else f" (the gradient of {_learner_name(leaf)} blew up first)")
    grew = leaf is not None and (not np.all(np.isfinite(leaf._data))
                                 or np.abs(leaf._data).max(initial=0) > 1e3)
    if grew or leaf is None:
        cause = ("参数的数值越来越大，训练发散了：试试更小的学习率。" if zh else
                 "The parameters grew with each update, so training diverged: try a "
                 "smaller learning rate.")
    else:
        cause = ("检查 log、除法和 sqrt 的输入是否为 0 或负数。" if zh else
                 "Check log, division and sqrt for inputs that are 0 or negative.")
    _warn("not_finite", what=("损失" if zh else "loss") if what == "loss" else
          ("梯度" if zh else "gradient"), value=value, steps=steps, param=param, cause=cause)


# ---- checks around modules (global module hooks) -------------------------------------
_LOSSES_SAME_SHAPE = {"MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss",
                      "BCEWithLogitsLoss"}
_APPLIED_AGAIN = {"CrossEntropyLoss": ("SoftmaxBackward0", "LogSoftmaxBackward0"),
                  "BCEWithLogitsLoss": ("SigmoidBackward0",)}


def _before_module(module, args):
    kind = type(module).__name__
    if kind in _APPLIED_AGAIN and args and getattr(args[0], "grad_fn", None) is not None:
        made_by = args[0].grad_fn.name()
        if made_by in _APPLIED_AGAIN[kind]:
            fn = made_by.replace("Backward0", "").lower().replace("logsoftmax", "log_softmax")
            _warn("double_softmax", loss=kind, fn=fn)
    if kind in _LOSSES_SAME_SHAPE and len(args) >= 2:
        a, b = getattr(args[0], "shape", None), getattr(args[1], "shape", None)
        if a is not None and b is not None and tuple(a) != tuple(b):
            try:
                c = tuple(np.broadcast_shapes(tuple(a), tuple(b)))
            except ValueError:
                c = None                              # the loss itself will raise
            if c is not None:
                _warn("target_shape", loss=kind, a=list(a), b=list(b), c=list(c),
                      a_args=", ".join(str(n) for n in a))
    if (kind.startswith("Dropout") or kind.startswith("BatchNorm")) and module.training \
            and not grad_mode.STATE.enabled:
        _warn("eval_forgotten", module=kind)
    _check_unused_parameters(module)


def _after_module(module, args, output):
    if type(module).__name__.endswith("Loss") and hasattr(output, "_data") \
            and output._data.dtype.kind == "f" and not np.all(np.isfinite(output._data)):
        _report_not_finite("loss", output._data)


def _check_unused_parameters(module):
    """On a module's third call: some parameters got gradients, one never got any."""
    calls = _STATE["calls"][id(module)] = _STATE["calls"].get(id(module), 0) + 1
    if calls != 3:
        return
    params = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
    if any(p.__dict__.get("_teach_got_grad") for _, p in params):
        for n, p in params:
            if not p.__dict__.get("_teach_got_grad"):
                _warn("no_grad_param", name=n, module=type(module).__name__)
                return


if os.environ.get("CHAINRULE_TEACH", "") not in ("", "0"):
    teach()
