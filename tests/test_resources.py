"""Resources: long training loops stay flat, deep graphs backprop, threads keep apart.

* A 100,000-step training loop allocates no more at the end than at the start: each
  step's graph is freed by backward, and nothing keeps old steps alive.
* No reference cycles: with the garbage collector off, an intermediate dies as soon
  as the last name for it goes (reference counting alone frees the graph).
* A chain 100,000 ops deep backprops under a low recursion limit (the engine walks the
  graph with a loop, not recursion).
* Grad mode is per thread, as in PyTorch, and two threads training two models at once
  get the same numbers as training them one after the other.
"""
import gc
import sys
import threading
import tracemalloc
import weakref

import torch

import chainrule


def train_step(lib, w, x, y, lr=0.01):
    loss = (w * x - y) ** 2
    loss.backward()
    with lib.no_grad():
        w -= lr * w.grad
    w.grad = None
    return loss


def test_a_long_training_loop_keeps_memory_flat():
    w = chainrule.tensor(0.5, requires_grad=True)
    x, y = chainrule.tensor(2.0), chainrule.tensor(3.0)
    for _ in range(1_000):                          # warm up caches
        train_step(chainrule, w, x, y)
    gc.collect()
    objects, blocks = len(gc.get_objects()), sys.getallocatedblocks()
    for _ in range(97_000):
        train_step(chainrule, w, x, y)
    tracemalloc.start()                             # (slow: only for the last 2,000 steps)
    try:
        before, _ = tracemalloc.get_traced_memory()
        for _ in range(2_000):
            train_step(chainrule, w, x, y)
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    gc.collect()
    assert after - before < 16 * 1024, f"grew by {after - before} bytes in 2,000 steps"
    # one block kept per step would be 99,000 blocks
    assert sys.getallocatedblocks() - blocks < 2_000
    assert len(gc.get_objects()) - objects < 100


def test_the_graph_is_freed_without_the_garbage_collector():
    gc.disable()
    try:
        x = chainrule.tensor([1.0, 2.0], requires_grad=True)
        hidden = (x * 3).exp()
        out = hidden.sin().sum()
        alive = weakref.ref(hidden), weakref.ref(out.grad_fn)
        del hidden
        out.backward()
        del out
        assert [ref() for ref in alive] == [None, None]
        assert x.grad is not None
    finally:
        gc.enable()


def test_a_deep_chain_backprops_under_a_low_recursion_limit():
    limit = sys.getrecursionlimit()
    x = chainrule.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    sys.setrecursionlimit(200)
    try:
        y.backward()
        del y                                       # freeing the chain must not recurse
    finally:
        sys.setrecursionlimit(limit)
    assert x.grad.item() == 1.0


def test_grad_mode_is_per_thread():
    seen = {}

    def look():
        seen["thread"] = chainrule.is_grad_enabled()

    with chainrule.no_grad():
        thread = threading.Thread(target=look)
        thread.start()
        thread.join()
        seen["main"] = chainrule.is_grad_enabled()
    assert seen == {"thread": torch.is_grad_enabled(), "main": False}


def test_two_threads_train_two_models_without_interfering():
    def train(lib, start, steps, results, key, barrier=None):
        w = lib.tensor(start, requires_grad=True)
        x, y = lib.tensor(2.0), lib.tensor(3.0)
        if barrier is not None:
            barrier.wait()
        for _ in range(steps):
            train_step(lib, w, x, y)
        results[key] = w.item()

    results, barrier = {}, threading.Barrier(2)
    threads = [threading.Thread(target=train, args=(chainrule, s, 3_000, results, s, barrier))
               for s in (0.5, -4.0)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = {}
    for s in (0.5, -4.0):
        train(torch, s, 3_000, expected, s)
    assert results.keys() == expected.keys()
    for s in expected:
        assert abs(results[s] - expected[s]) < 1e-5
