"""nn.Module, nn.Parameter and the containers, against PyTorch: registration,
iteration, reprs, state dicts and their errors, hooks, modes, conversions."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import chainrule
from _compare import arrays, assert_same, both, copy_state, same_error


def make_net(L):
    """A small model using registration in every way: attributes, containers, buffers."""
    class Net(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = L.nn.Sequential(L.nn.Linear(3, 4), L.nn.ReLU(), L.nn.Linear(4, 2))
            self.heads = L.nn.ModuleList([L.nn.Linear(2, 1), L.nn.Linear(2, 1)])
            self.scale = L.nn.Parameter(L.ones(1))
            self.register_buffer("steps", L.zeros(1))
            self.register_buffer("cache", L.zeros(2), persistent=False)
            self.note = "plain attribute"

        def forward(self, x):
            h = self.body(x)
            return sum(head(h) for head in self.heads) * self.scale
    return Net()


def test_parameter_repr_and_basics():
    (x,) = arrays(0, (2, 2))
    for rg in (True, False):
        pt, pc = torch.nn.Parameter(torch.tensor(x), rg), chainrule.nn.Parameter(
            chainrule.tensor(x), rg)
        assert repr(pc) == repr(pt)
        assert str(pc) == str(pt)
        assert pc.requires_grad == pt.requires_grad and pc.is_leaf
    assert repr(chainrule.nn.Parameter()) == repr(torch.nn.Parameter())
    pc = chainrule.nn.Parameter(chainrule.tensor(x))
    assert type(pc * 2) is chainrule.Tensor
    assert type(pc.detach()) is chainrule.Tensor and type(pc.data) is chainrule.Tensor
    assert isinstance(pc, chainrule.Tensor)


def test_parameter_shares_memory_and_detaches():
    base = chainrule.ones(3, requires_grad=True)
    p = chainrule.nn.Parameter(base * 2)
    assert p.is_leaf and p.grad_fn is None and p.requires_grad
    t = chainrule.zeros(2)
    p = chainrule.nn.Parameter(t)
    with chainrule.no_grad():
        p.add_(1)
    assert t.tolist() == [1.0, 1.0]


def test_parameter_of_integers_is_refused():
    same_error(lambda: torch.nn.Parameter(torch.arange(3)),
               lambda: chainrule.nn.Parameter(chainrule.arange(3)))


def test_parameter_deepcopy_and_pickle():
    p = chainrule.nn.Parameter(chainrule.tensor([1.0, 2.0]))
    q = copy.deepcopy(p)
    assert type(q) is chainrule.nn.Parameter and q.requires_grad
    assert q.data_ptr() != p.data_ptr() and q.tolist() == p.tolist()
    r = pickle.loads(pickle.dumps(p))
    assert type(r) is chainrule.nn.Parameter and r.tolist() == [1.0, 2.0]


def test_registration_and_names_match_pytorch():
    nt, nc = make_net(torch), make_net(chainrule)
    assert [n for n, _ in nc.named_parameters()] == [n for n, _ in nt.named_parameters()]
    assert [n for n, _ in nc.named_buffers()] == [n for n, _ in nt.named_buffers()]
    assert [n for n, _ in nc.named_modules()] == [n for n, _ in nt.named_modules()]
    assert [n for n, _ in nc.named_children()] == [n for n, _ in nt.named_children()]
    assert list(nc.state_dict()) == list(nt.state_dict())
    assert [n for n, _ in nc.named_parameters(prefix="m", recurse=False)] == \
        [n for n, _ in nt.named_parameters(prefix="m", recurse=False)]
    assert len(list(nc.modules())) == len(list(nt.modules()))
    assert len(list(nc.children())) == len(list(nt.children()))
    assert nc.note == "plain attribute" and "note" not in nc._parameters
    assert repr(nc) == repr(nt)


def test_forward_matches_pytorch_with_copied_weights():
    nt, nc = make_net(torch), make_net(chainrule)
    copy_state(nt, nc)
    (x,) = arrays(1, (5, 3))
    xt, xc = both(x)
    yt, yc = nt(xt), nc(xc)
    assert_same(yt, yc, exact=False)
    yt.sum().backward()
    yc.sum().backward()
    for (n, pt), (_, pc) in zip(nt.named_parameters(), nc.named_parameters()):
        assert_same(pt.grad, pc.grad, exact=False)


def test_shared_modules_and_parameters_are_listed_once():
    for lib in (torch, chainrule):
        shared = lib.nn.Linear(2, 2)
        seq = lib.nn.Sequential(shared, lib.nn.ReLU(), shared)
        assert len(list(seq.parameters())) == 2
        assert [n for n, _ in seq.named_modules()] == ["", "0", "1"]
        assert len(list(seq.named_modules(remove_duplicate=False))) == 4
    assert list(chainrule.nn.Sequential(chainrule.nn.Linear(1, 1)).state_dict()) == \
        ["0.weight", "0.bias"]


def test_setattr_errors_match_pytorch():
    def assign(L, name, value):
        m = L.nn.Linear(2, 2)
        setattr(m, name, value(L))
    for name, value in [("weight", lambda L: L.ones(2, 2)), ("weight", lambda L: 3),
                        ("bias", lambda L: "text")]:
        same_error(lambda: assign(torch, name, value), lambda: assign(chainrule, name, value))

    def child(L):
        s = L.nn.Sequential(L.nn.ReLU())
        setattr(s, "0", L.ones(1))
    same_error(lambda: child(torch), lambda: child(chainrule))

    def buffer(L):
        m = L.nn.BatchNorm1d(2)
        m.running_mean = [1.0, 2.0]
    same_error(lambda: buffer(torch), lambda: buffer(chainrule))

    def early(L):
        class Bad(L.nn.Module):
            def __init__(self):
                self.w = L.nn.Parameter(L.ones(1))
                super().__init__()
        Bad()
    same_error(lambda: early(torch), lambda: early(chainrule))


def test_register_errors_match_pytorch():
    cases = [
        lambda L, m: m.register_buffer("a.b", L.ones(1)),
        lambda L, m: m.register_buffer("", L.ones(1)),
        lambda L, m: m.register_buffer("weight", L.ones(1)),
        lambda L, m: m.register_buffer("x", [1]),
        lambda L, m: m.register_buffer(3, L.ones(1)),
        lambda L, m: m.register_parameter("x", L.ones(1)),
        lambda L, m: m.register_parameter("x.y", None),
        lambda L, m: m.register_parameter("x", L.nn.Parameter(L.ones(1)) * 2),
        lambda L, m: m.add_module("a.b", L.nn.ReLU()),
        lambda L, m: m.add_module("x", 3),
        lambda L, m: m.add_module("weight", L.nn.ReLU()),
        lambda L, m: m.get_submodule("missing"),
        lambda L, m: m.get_parameter("missing"),
        lambda L, m: m.missing,
        lambda L, m: L.nn.Module(3),
        lambda L, m: L.nn.Module(x=3),
        lambda L, m: L.nn.Module()(1),
        lambda L, m: m.train(1),
        lambda L, m: m.to(L.int64),
    ]
    for case in cases:
        same_error(lambda: case(torch, torch.nn.Linear(2, 2)),
                   lambda: case(chainrule, chainrule.nn.Linear(2, 2)))


def test_delattr_and_dir():
    for lib in (torch, chainrule):
        m = lib.nn.Linear(2, 2)
        del m.bias
        assert "bias" not in dict(m.named_parameters())
        assert "weight" in dir(m) and "forward" in dir(m)
    nt, nc = make_net(torch), make_net(chainrule)
    public = {n for n in dir(nt) if not n.startswith("_")}
    assert {"body", "heads", "scale", "steps", "cache", "note"} <= set(dir(nc))
    assert public - set(dir(nc)) <= {"bfloat16", "compile", "cuda", "ipu", "mtia", "xpu",
                                     "dump_patches", "to_empty", "set_submodule",
                                     "register_backward_hook", "share_memory", "T_destination"}


def test_state_dict_values_are_detached_and_shared():
    m = chainrule.nn.Linear(2, 1)
    sd = m.state_dict()
    assert type(sd) is OrderedDict
    assert not sd["weight"].requires_grad and type(sd["weight"]) is chainrule.Tensor
    assert sd["weight"].data_ptr() == m.weight.data_ptr()
    assert m.state_dict(keep_vars=True)["weight"] is m.weight
    assert list(m.state_dict(prefix="layer.")) == ["layer.weight", "layer.bias"]
    assert sd._metadata[""] == {"version": 1}
    assert torch.nn.Linear(2, 1).state_dict()._metadata[""] == {"version": 1}


def test_load_state_dict_roundtrip_and_result():
    nt, nc = make_net(torch), make_net(chainrule)
    copy_state(nt, nc)
    result = nc.load_state_dict(nc.state_dict())
    assert repr(result) == repr(nt.load_state_dict(nt.state_dict()))
    assert result.missing_keys == [] and result.unexpected_keys == []
    for k, v in nt.state_dict().items():
        assert_same(v, nc.state_dict()[k])


def _load_error(L, edit, strict=True):
    m = L.nn.Sequential(L.nn.Linear(2, 3), L.nn.BatchNorm1d(3))
    sd = dict(m.state_dict())
    edit(L, sd)
    return m.load_state_dict(sd, strict=strict)


LOAD_EDITS = [
    lambda L, sd: sd.pop("0.bias"),
    lambda L, sd: sd.update(extra=L.ones(1)),
    lambda L, sd: sd.update({"0.weight": L.ones(3, 3)}),
    lambda L, sd: (sd.pop("1.running_var"), sd.update({"0.bias": L.ones(2), "2.x": L.ones(1)})),
    lambda L, sd: sd.update({"0.weight": [[1.0, 2.0]]}),
    lambda L, sd: sd.update({"1.num_batches_tracked": L.ones(2)}),
]


@pytest.mark.parametrize("edit", LOAD_EDITS)
def test_load_state_dict_errors_match_pytorch(edit):
    same_error(lambda: _load_error(torch, edit), lambda: _load_error(chainrule, edit))


def test_load_state_dict_non_strict_reports_keys():
    def edit(L, sd):
        sd.pop("0.bias")
        sd["extra.weight"] = L.ones(1)
    rt, rc = _load_error(torch, edit, strict=False), _load_error(chainrule, edit, strict=False)
    assert repr(rc) == repr(rt) and str(rc) == str(rt)
    assert rc.missing_keys == rt.missing_keys == ["0.bias"]
    same_error(lambda: torch.nn.Linear(1, 1).load_state_dict([1]),
               lambda: chainrule.nn.Linear(1, 1).load_state_dict([1]))


def test_load_state_dict_copies_in_place():
    m = chainrule.nn.Linear(2, 1)
    w = m.weight
    m.load_state_dict({"weight": chainrule.tensor([[1.0, 2.0]]), "bias": chainrule.tensor([3.0])})
    assert m.weight is w and w.tolist() == [[1.0, 2.0]] and w.requires_grad
    m.load_state_dict({"weight": chainrule.tensor([[5.0, 6.0]]),
                       "bias": chainrule.tensor([3.0])}, assign=True)
    assert m.weight is not w and type(m.weight) is chainrule.nn.Parameter


def test_forward_hooks_and_pre_hooks_match_pytorch():
    def run(L):
        log = []
        m = L.nn.Linear(2, 2)
        with L.no_grad():
            m.weight.fill_(1.0)
            m.bias.fill_(0.5)
        h1 = m.register_forward_pre_hook(lambda mod, args: log.append(("pre", len(args))))
        h2 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        h3 = m.register_forward_hook(lambda mod, args, out: log.append(("post", out.tolist())))
        h4 = m.register_forward_hook(lambda mod, args, out: out + 1)
        m.register_forward_hook(lambda mod, args, kwargs, out: log.append(("kw", kwargs)),
                                with_kwargs=True)
        m.register_forward_hook(lambda mod, args, out: log.append("first"), prepend=True)
        y1 = m(L.ones(1, 2)).tolist()
        for h in (h1, h2, h3, h4):
            h.remove()
        y2 = m(L.ones(1, 2)).tolist()
        return log, y1, y2
    assert run(chainrule) == run(torch)


def test_forward_pre_hook_with_kwargs_and_always_call():
    def run(L):
        log = []

        class M(L.nn.Module):
            def forward(self, x, scale=1.0):
                if scale < 0:
                    raise ValueError("negative")
                return x * scale
        m = M()
        m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"scale": 3.0}),
                                    with_kwargs=True)
        m.register_forward_hook(lambda mod, args, out: log.append("always"), always_call=True)
        out = m(L.ones(1)).tolist()
        return out, log
    assert run(chainrule) == run(torch)


def test_full_backward_hooks_match_pytorch():
    def run(L):
        log = []
        m = L.nn.Linear(2, 2)
        with L.no_grad():
            m.weight.copy_(L.tensor([[1.0, 2.0], [3.0, 4.0]]))
        m.register_full_backward_pre_hook(
            lambda mod, go: log.append(("pre", [g.tolist() for g in go])))
        m.register_full_backward_hook(
            lambda mod, gi, go: log.append(("hook", [g.tolist() for g in gi],
                                            [g.tolist() for g in go])))
        x = L.ones(1, 2, requires_grad=True)
        m(x).sum().backward()
        return log, x.grad.tolist()
    assert run(chainrule) == run(torch)


def test_backward_hook_can_replace_grad_input():
    def run(L):
        m = L.nn.ReLU()
        m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 10,))
        x = L.tensor([1.0, -1.0, 2.0], requires_grad=True)
        m(x).sum().backward()
        return x.grad.tolist()
    assert run(chainrule) == run(torch)


def test_hook_handle_is_a_context_manager():
    calls = []
    m = chainrule.nn.ReLU()
    with m.register_forward_hook(lambda *a: calls.append(1)):
        m(chainrule.ones(1))
    m(chainrule.ones(1))
    assert calls == [1]


def test_train_eval_and_training_flags():
    for lib in (torch, chainrule):
        net = make_net(lib)
        assert net.training and net.body[0].training
        assert net.eval() is net and not net.body[1].training and not net.heads[0].training
        net.train()
        assert all(m.training for m in net.modules())


def test_zero_grad_and_requires_grad():
    net = make_net(chainrule)
    net(chainrule.ones(2, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_apply_visits_children_first():
    def run(L):
        order = []
        make_net(L).apply(lambda m: order.append(type(m).__name__))
        return order
    assert run(chainrule) == run(torch)


def test_double_float_and_to_keep_parameter_identity():
    net = make_net(chainrule)
    net(chainrule.ones(2, 3)).sum().backward()
    w = net.body[0].weight
    assert net.double() is net
    assert w is net.body[0].weight and w.dtype == chainrule.float64
    assert w.grad.dtype == chainrule.float64 and net.steps.dtype == chainrule.float64
    net.to(chainrule.float32)
    assert w.dtype == chainrule.float32
    net.float().cpu().to("cpu")
    bn = chainrule.nn.BatchNorm1d(2).double()
    assert bn.num_batches_tracked.dtype == chainrule.int64


def test_deepcopy_module():
    net = make_net(chainrule)
    twin = copy.deepcopy(net)
    assert twin.body[0].weight is not net.body[0].weight
    assert twin.body[0].weight.tolist() == net.body[0].weight.tolist()
    assert type(twin.scale) is chainrule.nn.Parameter


def test_missing_forward_error():
    same_error(lambda: torch.nn.Module()(torch.ones(1)),
               lambda: chainrule.nn.Module()(chainrule.ones(1)))


def test_extra_repr_and_nested_repr():
    def build(L):
        class Block(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = L.nn.Sequential(L.nn.Linear(1, 2), L.nn.Tanh())

            def extra_repr(self):
                return "note=1\nmore=2"
        return L.nn.Sequential(OrderedDict([("block", Block()), ("out", L.nn.Identity())]))
    assert repr(build(chainrule)) == repr(build(torch))


# ---- containers ------------------------------------------------------------------------
def test_sequential_indexing_slicing_and_editing():
    def run(L):
        s = L.nn.Sequential(L.nn.Linear(1, 2), L.nn.ReLU(), L.nn.Linear(2, 3), L.nn.Tanh())
        out = [repr(s[1]), repr(s[-1]), repr(s[1:3]), type(s[1:3]).__name__, len(s)]
        s.append(L.nn.Sigmoid())
        s.insert(1, L.nn.Identity())
        s.extend([L.nn.ReLU6()])
        del s[0]
        out.append(repr(s))
        s[0] = L.nn.Softsign()
        out.append(repr(s.pop(1)))
        out.append(repr(s + L.nn.Sequential(L.nn.ELU())))
        out.append(repr(s * 2))
        out.append([type(m).__name__ for m in s])
        return out
    assert run(chainrule) == run(torch)
    for idx in (10, -10):
        same_error(lambda: torch.nn.Sequential(torch.nn.ReLU())[idx],
                   lambda: chainrule.nn.Sequential(chainrule.nn.ReLU())[idx])
    same_error(lambda: torch.nn.Sequential() + 1, lambda: chainrule.nn.Sequential() + 1)


def test_sequential_from_ordered_dict():
    def run(L):
        s = L.nn.Sequential(OrderedDict([("fc", L.nn.Linear(2, 2)), ("act", L.nn.ReLU())]))
        return repr(s), list(s.state_dict()), repr(s.act)
    assert run(chainrule) == run(torch)


def test_module_list_and_repr_compression():
    def run(L):
        ml = L.nn.ModuleList([L.nn.Linear(2, 2) for _ in range(3)] + [L.nn.ReLU()])
        ml.append(L.nn.ReLU())
        ml.extend([L.nn.Tanh()])
        ml.insert(0, L.nn.Sigmoid())
        out = [repr(ml), len(ml), repr(ml[1:3]), repr(ml[-1])]
        del ml[0]
        out.append(repr(ml))
        out.append(repr(ml + L.nn.ModuleList([L.nn.ELU()])))
        out.append(list(ml.state_dict()))
        out.append(repr(L.nn.ModuleList()))
        return out
    assert run(chainrule) == run(torch)
    same_error(lambda: torch.nn.ModuleList().extend(3),
               lambda: chainrule.nn.ModuleList().extend(3))
    same_error(lambda: torch.nn.ModuleList()[0], lambda: chainrule.nn.ModuleList()[0])


def test_module_dict():
    def run(L):
        md = L.nn.ModuleDict({"b": L.nn.ReLU(), "a": L.nn.Linear(1, 1)})
        md["c"] = L.nn.Tanh()
        md.update([("d", L.nn.Sigmoid())])
        out = [repr(md), list(md.keys()), "a" in md, len(md), repr(md.pop("b"))]
        out.append(list(md.state_dict()))
        return out
    assert run(chainrule) == run(torch)
    same_error(lambda: torch.nn.ModuleDict().update([("a",)]),
               lambda: chainrule.nn.ModuleDict().update([("a",)]))


def test_parameter_list_and_dict():
    def run(L):
        pl = L.nn.ParameterList([L.nn.Parameter(L.ones(2)), L.zeros(3, dtype=L.float64)])
        pl.append(L.ones(1))
        out = [repr(pl), len(pl), [type(p).__name__ for p in pl],
               [n for n, _ in pl.named_parameters()]]
        pd = L.nn.ParameterDict({"w": L.ones(2, 2), "b": L.nn.Parameter(L.zeros(2))})
        pd["z"] = L.ones(1)
        out += [repr(pd), list(pd.keys()), [n for n, _ in pd.named_parameters()],
                type(pd["w"]).__name__, "w" in pd, len(pd)]
        return out
    assert run(chainrule) == run(torch)
    same_error(lambda: torch.nn.ParameterList()(1), lambda: chainrule.nn.ParameterList()(1))
    same_error(lambda: torch.nn.ParameterDict()[1], lambda: chainrule.nn.ParameterDict()[1])


def test_buffer_class_registers_a_buffer():
    for lib in (torch, chainrule):
        m = lib.nn.Module()
        m.stat = lib.nn.Buffer(lib.zeros(2))
        m.tmp = lib.nn.Buffer(lib.zeros(1), persistent=False)
        assert [n for n, _ in m.named_buffers()] == ["stat", "tmp"]
        assert list(m.state_dict()) == ["stat"]


def test_global_forward_hooks_run_for_every_module():
    def run(L, register):
        seen = []
        handle = register(lambda mod, args, *rest: seen.append(type(mod).__name__))
        try:
            L.nn.Sequential(L.nn.Linear(1, 1), L.nn.ReLU())(L.ones(1, 1))
        finally:
            handle.remove()
        L.nn.ReLU()(L.ones(1))
        return seen
    for name in ("register_module_forward_hook", "register_module_forward_pre_hook"):
        assert run(chainrule, getattr(chainrule.nn.modules.module, name)) == \
            run(torch, getattr(torch.nn.modules.module, name))
