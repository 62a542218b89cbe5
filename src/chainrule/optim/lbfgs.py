"""L-BFGS: a quasi-Newton method that needs a ``closure`` to re-evaluate the loss.

Newton's method steps by ``-H^-1 g`` with ``H`` the matrix of second
derivatives. L-BFGS never forms ``H``: from the last ``history_size`` steps
``s = p_new - p_old`` and gradient changes ``y = g_new - g_old`` it builds the
product ``H^-1 g`` directly with the *two-loop recursion*:

    q = -g
    for i from newest to oldest:   a_i = rho_i s_i.q;   q -= a_i y_i      (rho_i = 1 / y_i.s_i)
    r = q * (y.s / y.y)                                               (the newest pair)
    for i from oldest to newest:   b_i = rho_i y_i.r;   r += (a_i - b_i) s_i
    direction d = r

Each ``step(closure)`` runs up to ``max_iter`` such iterations, with a fixed
step ``lr`` (the very first one scaled down to ``min(1, 1/|g|_1) lr``) or a
strong-Wolfe line search (``line_search_fn='strong_wolfe'``, in
``_line_search.py``). All parameters are handled as one flat vector.

>>> import chainrule as torch
>>> w = torch.tensor([3.0, -1.0], requires_grad=True)
>>> opt = torch.optim.LBFGS([w])
>>> def closure():
...     opt.zero_grad()
...     loss = ((w - 1.0) ** 2).sum()
...     loss.backward()
...     return loss
>>> _ = opt.step(closure)
>>> w
tensor([1., 1.], requires_grad=True)
"""
import numpy as np

from .._tensor import TensorBase
from ..autograd import grad_mode
from . import _functional as F
from ._line_search import strong_wolfe
from .optimizer import Optimizer, _to_scalar

_make = TensorBase._make


class LBFGS(Optimizer):
    """L-BFGS (see the module docstring). One parameter group only."""

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        if isinstance(lr, TensorBase) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval,
                    "tolerance_grad": tolerance_grad, "tolerance_change": tolerance_change,
                    "history_size": history_size, "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # ---- the parameters as one flat vector ------------------------------------------
    def _flat_grad(self):
        return np.concatenate([np.zeros(p.numel(), p._data.dtype) if p.grad is None
                               else p.grad._data.reshape(-1) for p in self._params])

    def _add_to_params(self, step, direction):
        """p += step * direction, slice by slice."""
        offset = 0
        for p in self._params:
            n = p.numel()
            F.add_(p._data, direction[offset:offset + n].reshape(p._data.shape), alpha=step)
            F.bump(p)
            offset += n

    def _evaluate_at(self, closure, start, step, direction):
        """Loss and gradient at ``start + step * direction``; the parameters are restored."""
        self._add_to_params(step, direction)
        loss = _float(closure())
        flat_grad = self._flat_grad()
        for p, data in zip(self._params, start):
            np.copyto(p._data, data)
            F.bump(p)
        return loss, flat_grad

    # ---- the step ---------------------------------------------------------------
    def step(self, closure):
        """Up to ``max_iter`` L-BFGS iterations; returns the loss before them."""
        group = self.param_groups[0]
        lr, max_iter, max_eval = _to_scalar(group["lr"]), group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        closure = grad_mode.enable_grad()(closure)
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = closure()
        loss = _float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:
            return orig_loss                      # already at a minimum
        # the memory of earlier steps, kept between calls (NumPy inside, tensors in state)
        d, t = _array(state.get("d")), _number(state.get("t"))
        old_dirs = [_array(v) for v in state.get("old_dirs", [])]
        old_stps = [_array(v) for v in state.get("old_stps", [])]
        ro = [_array(v) for v in state.get("ro", [])]
        h_diag = _number(state.get("H_diag"))
        prev_flat_grad, prev_loss = _array(state.get("prev_flat_grad")), state.get("prev_loss")

        n_iter, opt_cond = 0, False
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:               # the very first direction: steepest descent
                d = -flat_grad
                old_dirs, old_stps, ro, h_diag = [], [], [], 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * _cast(t, d)
                ys = y.dot(s)
                if ys > 1e-10:                     # keep the pair only if curvature is positive
                    if len(old_dirs) == group["history_size"]:
                        old_dirs.pop(0), old_stps.pop(0), ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / y.dot(y)
                d = _two_loop(flat_grad, old_dirs, old_stps, ro, h_diag, state,
                              group["history_size"])
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            # the first step ever is scaled so that it cannot be too large
            t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:            # not a descent direction: stop
                break
            ls_func_evals = 0
            if group["line_search_fn"] is not None:
                if group["line_search_fn"] != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                start = [p._data.copy() for p in self._params]
                loss, flat_grad, t, ls_func_evals = strong_wolfe(
                    lambda x, step, direction: self._evaluate_at(closure, x, step, direction),
                    start, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals)
                self._add_to_params(t, d)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_to_params(t, d)
                if n_iter != max_iter:             # re-evaluate, except after the last one
                    loss = _float(closure())
                    flat_grad = self._flat_grad()
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * _cast(t, d)).max() <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state["d"], state["t"] = _make(d), _tensor_or_number(t)
        state["old_dirs"] = [_make(v) for v in old_dirs]
        state["old_stps"] = [_make(v) for v in old_stps]
        state["ro"] = [_make(np.asarray(v)) for v in ro]
        state["H_diag"] = _tensor_or_number(h_diag)
        state["prev_flat_grad"], state["prev_loss"] = _make(prev_flat_grad), prev_loss
        return orig_loss


def _two_loop(flat_grad, old_dirs, old_stps, ro, h_diag, state, history_size):
    """The L-BFGS direction -H^-1 g from the stored pairs (see the module docstring)."""
    if "al" not in state:
        state["al"] = [None] * history_size
    al = state["al"]
    q = -flat_grad
    for i in range(len(old_dirs) - 1, -1, -1):
        al[i] = old_stps[i].dot(q) * ro[i]
        F.add_(q, old_dirs[i], alpha=-al[i])
    r = q * _cast(h_diag, q)
    for i in range(len(old_dirs)):
        be_i = old_dirs[i].dot(r) * ro[i]
        F.add_(r, old_stps[i], alpha=al[i] - be_i)
    return r


def _float(loss):
    """The loss as a Python float (detached: PyTorch reads it under no_grad, silently)."""
    return float(loss.detach()) if isinstance(loss, TensorBase) else float(loss)


def _cast(value, like):
    """A step or scale (a Python number or a NumPy scalar) in ``like``'s dtype."""
    return like.dtype.type(value)


def _array(value):
    return value._data if isinstance(value, TensorBase) else value


def _number(value):
    return value._data[()] if isinstance(value, TensorBase) else value


def _tensor_or_number(value):
    """NumPy scalars are stored as 0-d tensors (as PyTorch stores them); numbers stay."""
    return _make(np.asarray(value)) if isinstance(value, np.generic) else value
