"""``chainrule.optim.lr_scheduler`` against ``torch.optim.lr_scheduler``.

Learning rates are Python floats computed by the same formulas in the same
order, so the sequences must be equal exactly, not approximately.
"""
import warnings

import pytest
import torch

import chainrule

SCHEDULES = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("StepLR", dict(step_size=1, gamma=0.9)),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 9], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.93)),
    ("CosineAnnealingLR", dict(T_max=7)),
    ("CosineAnnealingLR", dict(T_max=4, eta_min=0.01)),      # runs past T_max: restarts
    ("LambdaLR", dict(lr_lambda=lambda epoch: 0.95 ** epoch + 0.01 * epoch)),
    ("LinearLR", dict()),
    ("LinearLR", dict(start_factor=0.1, end_factor=0.7, total_iters=6)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=20)),
    ("OneCycleLR", dict(max_lr=[0.5, 2.0], epochs=4, steps_per_epoch=5, pct_start=0.25,
                        anneal_strategy="linear", three_phase=True)),
    ("OneCycleLR", dict(max_lr=0.3, total_steps=20, cycle_momentum=False, div_factor=10.0)),
    ("ConstantLR", dict(factor=0.25, total_iters=4)),
    ("MultiplicativeLR", dict(lr_lambda=lambda epoch: 0.9 + 0.001 * epoch)),
    ("PolynomialLR", dict(total_iters=8, power=1.7)),
    ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=2, eta_min=0.001)),
    ("CosineAnnealingWarmRestarts", dict(T_0=4)),
]


def _optimizer(lib, name="SGD"):
    a = lib.zeros(2, requires_grad=True)
    b = lib.zeros(1, requires_grad=True)
    if name == "Adam":
        return lib.optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.05}], lr=0.1)
    return lib.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.05}], lr=0.1, momentum=0.9)


def _trace(lib, name, kwargs, steps, optimizer="SGD"):
    opt = _optimizer(lib, optimizer)
    sched = getattr(lib.optim.lr_scheduler, name)(opt, **kwargs)
    trace = []
    for _ in range(steps):
        opt.step()
        sched.step()
        trace.append((sched.get_last_lr(), [g["lr"] for g in opt.param_groups],
                      [g.get("momentum", g.get("betas")) for g in opt.param_groups]))
    return trace, sched


@pytest.mark.parametrize("name,kwargs", SCHEDULES,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(SCHEDULES)])
def test_learning_rates_are_pytorch(name, kwargs):
    steps = 19 if name == "OneCycleLR" else 15
    expected, sched_t = _trace(torch, name, kwargs, steps)
    actual, sched_c = _trace(chainrule, name, kwargs, steps)
    assert actual == expected
    assert sched_c.last_epoch == sched_t.last_epoch


def test_one_cycle_moves_adam_beta1():
    kwargs = dict(max_lr=0.01, total_steps=10)
    assert _trace(chainrule, "OneCycleLR", kwargs, 9, "Adam")[0] == \
        _trace(torch, "OneCycleLR", kwargs, 9, "Adam")[0]


@pytest.mark.parametrize("name,kwargs", SCHEDULES[:10:2] + SCHEDULES[12::2])
def test_state_dict_is_pytorch_and_round_trips(name, kwargs):
    _, sched_t = _trace(torch, name, kwargs, 4)
    _, sched_c = _trace(chainrule, name, kwargs, 4)
    state_t, state_c = sched_t.state_dict(), sched_c.state_dict()
    assert list(state_c) == list(state_t)
    assert {k: v for k, v in state_c.items() if k != "lr_lambdas"} == \
        {k: v for k, v in state_t.items() if k != "lr_lambdas"}
    # a fresh scheduler loaded from the state continues where the first one was (the
    # optimizer's own state, with its lr, is loaded after creating the scheduler)
    opt = _optimizer(chainrule)
    fresh = getattr(chainrule.optim.lr_scheduler, name)(opt, **kwargs)
    opt.load_state_dict(sched_c.optimizer.state_dict())
    fresh.load_state_dict(state_c)
    opt.step()
    fresh.step()
    sched_t.optimizer.step()
    sched_t.step()
    assert fresh.get_last_lr() == sched_t.get_last_lr()


PLATEAU = [
    dict(),
    dict(mode="max", factor=0.5, patience=1, threshold=0.1, threshold_mode="abs"),
    dict(patience=0, cooldown=2, min_lr=[0.02, 0.001]),
    dict(patience=1, factor=0.01, min_lr=0.0001, eps=1e-3),
]


@pytest.mark.parametrize("kwargs", PLATEAU)
def test_reduce_lr_on_plateau_is_pytorch(kwargs):
    metrics = [5.0, 4.0, 4.0, 4.1, 3.99, 3.98, 3.98, 3.98, 4.2, 1.0, 1.0, 1.0, 1.0, 2.0, 0.5,
               0.5, 0.5, 0.5, 0.5, 0.5]
    traces = []
    for lib in (torch, chainrule):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
        trace = []
        for m in metrics:
            opt.step()
            sched.step(lib.tensor(m) if m == 1.0 else m)
            trace.append((sched.get_last_lr(), sched.num_bad_epochs, sched.cooldown_counter,
                          sched.best))
        traces.append((trace, sched.state_dict()))
    assert traces[1] == traces[0]


def _warnings(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [(c.category, str(c.message)) for c in caught]


def _scheduler_before_optimizer(lib):
    opt = _optimizer(lib)
    sched = lib.optim.lr_scheduler.StepLR(opt, 2)
    sched.step()
    opt.step()


def _step_overridden(lib):
    opt = _optimizer(lib)
    sched = lib.optim.lr_scheduler.ExponentialLR(opt, 0.9)
    opt.step = lambda closure=None: None
    sched.step()


def _get_lr_outside_step(lib):
    opt = _optimizer(lib)
    sched = lib.optim.lr_scheduler.ExponentialLR(opt, 0.9)
    opt.step()
    sched.get_lr()


def _epoch_argument(lib):
    opt = _optimizer(lib)
    sched = lib.optim.lr_scheduler.StepLR(opt, 2)
    opt.step()
    sched.step(3)
    return sched


@pytest.mark.parametrize("scenario", [_scheduler_before_optimizer, _step_overridden,
                                      _get_lr_outside_step, _epoch_argument])
def test_warnings_are_pytorch(scenario):
    expected = _warnings(lambda: scenario(torch))
    assert expected, "the scenario should warn"
    assert _warnings(lambda: scenario(chainrule)) == expected


def test_epoch_argument_uses_the_closed_form():
    with pytest.warns(UserWarning, match="The epoch parameter"):
        expected = _epoch_argument(torch).get_last_lr()
    with pytest.warns(UserWarning, match="The epoch parameter"):
        assert _epoch_argument(chainrule).get_last_lr() == expected


def _error(fn_torch, fn_chainrule):
    with pytest.raises(Exception) as expected:
        fn_torch()
    with pytest.raises(expected.type) as actual:
        fn_chainrule()
    assert str(actual.value) == str(expected.value)


@pytest.mark.parametrize("make", [
    lambda lib, opt: lib.optim.lr_scheduler.StepLR("not an optimizer", 2),
    lambda lib, opt: lib.optim.lr_scheduler.StepLR(opt, 2, last_epoch=3),
    lambda lib, opt: lib.optim.lr_scheduler.LinearLR(opt, start_factor=0),
    lambda lib, opt: lib.optim.lr_scheduler.LinearLR(opt, end_factor=1.5),
    lambda lib, opt: lib.optim.lr_scheduler.LambdaLR(opt, [lambda e: 1.0]),
    lambda lib, opt: lib.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=1.0),
    lambda lib, opt: lib.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="low"),
    lambda lib, opt: lib.optim.lr_scheduler.ReduceLROnPlateau(opt, threshold_mode="x"),
    lambda lib, opt: lib.optim.lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.1]),
    lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0),
    lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=0),
    lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, epochs=2,
                                                       steps_per_epoch=0),
    lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=5,
                                                       pct_start=1),
    lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=5,
                                                       anneal_strategy="exp"),
    lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=[1.0], total_steps=5),
    lambda lib, opt: lib.optim.lr_scheduler.ConstantLR(opt, factor=2.0),
    lambda lib, opt: lib.optim.lr_scheduler.MultiplicativeLR(opt, 0.5),
    lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=0),
    lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=0),
])
def test_errors_are_pytorch(make):
    _error(lambda: make(torch, _optimizer(torch)), lambda: make(chainrule, _optimizer(chainrule)))


def test_one_cycle_refuses_to_step_past_the_end():
    def run(lib):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
        for _ in range(4):
            opt.step()
            sched.step()
    _error(lambda: run(torch), lambda: run(chainrule))


def test_one_cycle_requires_momentum():
    def run(lib):
        opt = lib.optim.Adagrad([lib.zeros(1, requires_grad=True)])
        lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    _error(lambda: run(torch), lambda: run(chainrule))


def test_warm_restarts_accept_fractional_epochs():
    lrs = []
    for lib in (torch, chainrule):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=3)
        trace = []
        for epoch in [0.5, 1.25, 2.0, 3.5, 7.9, 9.0, 30.1]:
            opt.step()
            sched.step(epoch)
            trace.append((sched.get_last_lr(), sched.T_i, sched.T_cur, sched.last_epoch))
        lrs.append(trace)
    assert lrs[1] == lrs[0]
