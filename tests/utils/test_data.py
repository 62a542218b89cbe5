"""``chainrule.utils.data`` against ``torch.utils.data``.

Each scenario is written once as a function of ``lib`` (``torch`` or ``chainrule``)
that returns plain Python values (tensors become ``(dtype, shape, values)``), and
the test checks that both libraries give the same. Random scenarios seed both
libraries alike and also compare the global generator's state afterwards, so a
DataLoader that drew one number too many or too few fails.
"""
import collections
import random
import warnings

import numpy as np
import pytest
import torch

import chainrule

LIBS = (torch, chainrule)
Point = collections.namedtuple("Point", "x y")


def plain(obj):
    """``obj`` with every tensor replaced by ``("T", dtype, shape, values)``."""
    if isinstance(obj, (torch.Tensor, chainrule.Tensor)):
        return ("T", str(obj.dtype), tuple(obj.shape), obj.tolist())
    if isinstance(obj, dict):
        return (type(obj).__name__, {k: plain(v) for k, v in obj.items()})
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [plain(v) for v in obj])
    return obj


def both(scenario, seed=None):
    """Run ``scenario(lib)`` for both libraries: equal results (and, if seeded, RNG states)."""
    results = []
    for lib in LIBS:
        if seed is not None:
            lib.manual_seed(seed)
        result = plain(scenario(lib))
        state = lib.get_rng_state().tolist() if seed is not None else None
        results.append((result, state))
    assert results[1][0] == results[0][0]
    assert results[1][1] == results[0][1], "the global generator was moved differently"
    return results[0][0]


def same_error(scenario):
    """``scenario(lib)`` raises the same exception type and message in both libraries."""
    raised = []
    for lib in LIBS:
        with pytest.raises(Exception) as info:
            scenario(lib)
        raised.append((type(info.value), str(info.value)))
    assert raised[1] == raised[0]


def epochs(loader, n=3):
    return [[batch for batch in loader] for _ in range(n)]


# ======================================================================= datasets

def test_tensor_dataset_indexes_every_tensor_along_dim_0():
    def scenario(lib):
        ds = lib.utils.data.TensorDataset(lib.arange(12.0).reshape(4, 3), lib.tensor([1, 0, 1, 0]))
        return len(ds), ds[0], ds[-1], ds[1:3]
    both(scenario)


def test_tensor_dataset_size_mismatch():
    same_error(lambda lib: lib.utils.data.TensorDataset(lib.zeros(3), lib.zeros(4)))


def test_concat_subset_and_stack_datasets():
    def scenario(lib):
        data = lib.utils.data
        a = data.TensorDataset(lib.arange(3.0))
        b = data.TensorDataset(lib.arange(10.0, 14.0))
        both_parts = a + b
        sub = data.Subset(both_parts, [6, 0, 3])
        stack = data.StackDataset(x=list(range(3)), y="abc")
        return (len(both_parts), both_parts.cumulative_sizes, [both_parts[i] for i in range(7)],
                both_parts[-7], [sub[i] for i in range(3)], sub.__getitems__([0, 2]),
                stack[2], data.StackDataset([1, 2], [3, 4])[1])
    both(scenario)


@pytest.mark.parametrize("case", ["concat-empty", "concat-index", "stack-mismatch", "stack-both",
                                  "stack-none", "base-getitem"])
def test_dataset_errors(case):
    def scenario(lib):
        data = lib.utils.data
        if case == "concat-empty":
            data.ConcatDataset([])
        elif case == "concat-index":
            data.ConcatDataset([[1, 2]])[-3]
        elif case == "stack-mismatch":
            data.StackDataset([1, 2], [1])
        elif case == "stack-both":
            data.StackDataset([1], y=[2])
        elif case == "stack-none":
            data.StackDataset()
        else:
            data.Dataset()[0]
    same_error(scenario)


def test_concat_refuses_iterable_and_chain_streams():
    def scenario(lib):
        class Stream(lib.utils.data.IterableDataset):
            def __init__(self, n):
                self.n = n

            def __iter__(self):
                return iter(range(self.n))

            def __len__(self):
                return self.n
        chained = Stream(2) + Stream(3)
        with pytest.raises(AssertionError, match="ConcatDataset does not support"):
            lib.utils.data.ConcatDataset([Stream(1)])
        return type(chained).__name__, list(chained), len(chained)
    both(scenario)


def test_subset_subclass_must_override_getitems():
    def scenario(lib):
        class Doubled(lib.utils.data.Subset):
            def __getitem__(self, i):
                return 2 * super().__getitem__(i)
        Doubled([1, 2, 3], [0])
    same_error(scenario)


@pytest.mark.parametrize("lengths", [[4, 3, 3], [0.5, 0.5], [0.3, 0.3, 0.4], [0.1, 0.9],
                                     [10, 0]])
def test_random_split_matches_pytorch(lengths):
    def scenario(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            parts = lib.utils.data.random_split(range(10), lengths)
            g = lib.Generator().manual_seed(7)
            again = lib.utils.data.random_split(range(10), lengths, generator=g)
        return ([p.indices for p in parts], [p.indices for p in again],
                [str(w.message) for w in caught])
    both(scenario, seed=3)


@pytest.mark.parametrize("lengths", [[3, 3], [1.5, -0.5], [0.4, 0.4]])
def test_random_split_errors(lengths):
    same_error(lambda lib: lib.utils.data.random_split(range(10), lengths))


# ======================================================================= samplers

@pytest.mark.parametrize("replacement, num_samples", [(False, None), (False, 3), (False, 23),
                                                      (False, 20), (True, None), (True, 70)])
def test_random_sampler_matches_pytorch(replacement, num_samples):
    def scenario(lib):
        data = lib.utils.data
        sampler = data.RandomSampler(range(10), replacement, num_samples)
        g = lib.Generator().manual_seed(5)
        private = data.RandomSampler(range(10), replacement, num_samples, generator=g)
        return len(sampler), list(sampler), list(sampler), list(private), list(private)
    both(scenario, seed=0)


def test_other_samplers_match_pytorch():
    def scenario(lib):
        data = lib.utils.data
        g = lib.Generator().manual_seed(1)
        weights = [0.1, 0.5, 0.2, 0.0, 1.2]
        return (list(data.SequentialSampler("abcd")),
                list(data.SubsetRandomSampler([10, 20, 30, 40])),
                list(data.SubsetRandomSampler([5, 6, 7], generator=g)),
                list(data.WeightedRandomSampler(weights, 8)),
                list(data.WeightedRandomSampler(weights, 4, replacement=False)),
                list(data.BatchSampler(range(7), 3, False)),
                list(data.BatchSampler(range(7), 3, True)),
                len(data.BatchSampler(range(7), 3, False)),
                len(data.BatchSampler(range(7), 3, True)))
    both(scenario, seed=4)


@pytest.mark.parametrize("case", ["random-num-samples", "random-replacement", "weighted-n",
                                  "weighted-shape", "weighted-replacement", "batch-size",
                                  "batch-drop-last"])
def test_sampler_errors(case):
    def scenario(lib):
        data = lib.utils.data
        {"random-num-samples": lambda: data.RandomSampler(range(3), num_samples=0),
         "random-replacement": lambda: data.RandomSampler(range(3), replacement=1),
         "weighted-n": lambda: data.WeightedRandomSampler([1.0], True),
         "weighted-shape": lambda: data.WeightedRandomSampler([[1.0]], 1),
         "weighted-replacement": lambda: data.WeightedRandomSampler([1.0], 1, replacement=0),
         "batch-size": lambda: data.BatchSampler(range(3), 0, False),
         "batch-drop-last": lambda: data.BatchSampler(range(3), 2, None)}[case]()
    same_error(scenario)


# ===================================================================== DataLoader

def line_data(lib):
    """The seed program s004's data: two 1-D tensors."""
    x = lib.Tensor([float(i) for i in range(1, 6)])
    return lib.utils.data.TensorDataset(x, 2 * x)


def test_shuffled_batches_of_one_have_pytorchs_shapes_and_order():
    def scenario(lib):
        loader = lib.utils.data.DataLoader(line_data(lib), batch_size=1, shuffle=True)
        return len(loader), epochs(loader), lib.rand(2)     # rand: the stream goes on alike
    both(scenario, seed=0)


@pytest.mark.parametrize("options", [dict(batch_size=2), dict(batch_size=2, drop_last=True),
                                     dict(batch_size=4, shuffle=True),
                                     dict(batch_size=3, shuffle=True, drop_last=True),
                                     dict(batch_size=None), dict(batch_size=None, shuffle=True)])
def test_loader_options_match_pytorch(options):
    def scenario(lib):
        ds = lib.utils.data.TensorDataset(lib.arange(14.0).reshape(7, 2), lib.arange(7))
        loader = lib.utils.data.DataLoader(ds, **options)
        return len(loader), epochs(loader, 2)
    both(scenario, seed=11)


def test_loader_with_its_own_generator_leaves_the_global_stream_alone():
    def scenario(lib):
        g = lib.Generator().manual_seed(123)
        loader = lib.utils.data.DataLoader(list(range(9)), batch_size=4, shuffle=True,
                                           generator=g)
        return epochs(loader), g.get_state().tolist()
    both(scenario, seed=2)


def test_loader_with_sampler_batch_sampler_and_collate_fn():
    def scenario(lib):
        data = lib.utils.data
        ds = [(float(i), {"id": i, "name": f"n{i}"}) for i in range(6)]
        by_sampler = data.DataLoader(ds, batch_size=2, sampler=data.SubsetRandomSampler([0, 2, 4]))
        batch_sampler = data.BatchSampler(data.RandomSampler(ds), 4, False)
        by_batches = data.DataLoader(ds, batch_sampler=batch_sampler)
        custom = data.DataLoader(ds, batch_size=3, collate_fn=lambda b: [s[0] for s in b])
        return (epochs(by_sampler, 2), len(by_batches), epochs(by_batches, 2), epochs(custom, 1))
    both(scenario, seed=8)


def test_user_subclasses_with_type_parameters():
    def scenario(lib):
        data = lib.utils.data

        class Reversed(data.Sampler[int]):
            def __init__(self, n):
                self.n = n

            def __iter__(self):
                return iter(range(self.n - 1, -1, -1))

            def __len__(self):
                return self.n

        class Squares(data.Dataset[tuple]):
            def __len__(self):
                return 5

            def __getitem__(self, i):
                return lib.tensor([float(i)]), i * i
        loader = data.DataLoader(Squares(), batch_size=2, sampler=Reversed(5))
        return len(loader), epochs(loader, 1)
    both(scenario)


def test_iterable_dataset_loader():
    def scenario(lib):
        class Stream(lib.utils.data.IterableDataset):
            def __iter__(self):
                return iter([np.array([i, i + 0.5]) for i in range(5)])

            def __len__(self):
                return 5
        loader = lib.utils.data.DataLoader(Stream(), batch_size=2)
        no_batching = lib.utils.data.DataLoader(Stream(), batch_size=None)
        dropping = lib.utils.data.DataLoader(Stream(), batch_size=2, drop_last=True)
        return (len(loader), epochs(loader, 2), epochs(no_batching, 1), len(dropping),
                epochs(dropping, 1))
    both(scenario, seed=1)


@pytest.mark.parametrize("case", ["shuffle-iterable", "sampler-iterable", "sampler-shuffle",
                                  "batch-sampler", "no-batch-drop-last", "workers", "timeout",
                                  "prefetch", "persistent", "setattr", "context"])
def test_loader_errors(case):
    def scenario(lib):
        data = lib.utils.data

        class Stream(data.IterableDataset):
            def __iter__(self):
                return iter(range(3))
        make = {
            "shuffle-iterable": lambda: data.DataLoader(Stream(), shuffle=True),
            "sampler-iterable": lambda: data.DataLoader(Stream(), sampler=[0]),
            "sampler-shuffle": lambda: data.DataLoader([1, 2], sampler=[0], shuffle=True),
            "batch-sampler": lambda: data.DataLoader([1, 2], batch_sampler=[[0]], batch_size=2),
            "no-batch-drop-last": lambda: data.DataLoader([1, 2], batch_size=None,
                                                          drop_last=True),
            "workers": lambda: data.DataLoader([1, 2], num_workers=-1),
            "timeout": lambda: data.DataLoader([1, 2], timeout=-1),
            "prefetch": lambda: data.DataLoader([1, 2], prefetch_factor=2),
            "persistent": lambda: data.DataLoader([1, 2], persistent_workers=True),
            "setattr": lambda: setattr(data.DataLoader([1, 2]), "batch_size", 3),
            "context": lambda: data.DataLoader([1, 2], multiprocessing_context="fork"),
        }
        make[case]()
    same_error(scenario)


def test_loader_warnings_match_pytorch():
    def scenario(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.utils.data.DataLoader([1, 2], num_workers=512)          # more than the CPUs
            list(lib.utils.data.DataLoader([1, 2], pin_memory=True))  # no accelerator here
        return [str(w.message) for w in caught]
    assert len(both(scenario)[1]) == 2              # (type name, messages)


def test_get_worker_info_is_none_in_the_main_process():
    assert chainrule.utils.data.get_worker_info() is None
    assert torch.utils.data.get_worker_info() is None


# ============================================================ workers (acted out)

def noisy_dataset(lib):
    """A dataset whose samples use all three random generators, and the worker's id."""
    class Noisy(lib.utils.data.Dataset):
        def __len__(self):
            return 7

        def __getitem__(self, i):
            info = lib.utils.data.get_worker_info()
            worker = -1 if info is None else info.id
            return (i, worker, lib.rand(1), float(np.random.rand()), random.random())
    return Noisy()


def init_fn(worker_id):
    np.random.rand(worker_id + 1)               # a worker_init_fn that uses its RNG


@pytest.mark.parametrize("persistent", [False, True])
def test_workers_give_pytorchs_batches_and_random_numbers(persistent):
    # Runs real worker processes on the torch side: kept to a few small epochs.
    def scenario(lib):
        loader = lib.utils.data.DataLoader(noisy_dataset(lib), batch_size=2, shuffle=True,
                                           num_workers=2, worker_init_fn=init_fn,
                                           persistent_workers=persistent)
        return len(loader), epochs(loader, 2), lib.rand(1)
    both(scenario, seed=5)


def test_worker_exceptions_are_reraised_with_the_worker_named():
    def scenario(lib):
        class Broken(lib.utils.data.Dataset):
            def __len__(self):
                return 4

            def __getitem__(self, i):
                raise KeyError(f"no item {i}")
        with pytest.raises(KeyError) as info:
            list(lib.utils.data.DataLoader(Broken(), batch_size=2, num_workers=1))
        return str(info.value).split("\n")[0]
    assert both(scenario) == "Caught KeyError in DataLoader worker process 0."


def test_iterable_dataset_with_workers_split_by_worker_init_fn():
    def scenario(lib):
        class Range(lib.utils.data.IterableDataset):
            def __init__(self, start, end):
                self.start, self.end = start, end

            def __iter__(self):
                return iter(range(self.start, self.end))

        def split(worker_id):
            info = lib.utils.data.get_worker_info()
            ds = info.dataset
            per_worker = (ds.end - ds.start + info.num_workers - 1) // info.num_workers
            ds.start = ds.start + worker_id * per_worker
            ds.end = min(ds.start + per_worker, ds.end)
        loader = lib.utils.data.DataLoader(Range(3, 10), batch_size=2, num_workers=2,
                                           worker_init_fn=split)
        return epochs(loader, 1)
    both(scenario, seed=0)


# ========================================================================= collate

def test_default_collate_matches_pytorch():
    def scenario(lib):
        collate = lib.utils.data.default_collate
        return (collate([lib.tensor([1.0, 2.0]), lib.tensor([3.0, 4.0])]),
                collate([np.array([1, 2], dtype=np.int32), np.array([3, 4], dtype=np.int32)]),
                collate([np.float32(1.5), np.float32(2.5)]),
                collate([np.int16(1), np.int16(2)]),
                collate([1.5, 2.5]), collate([1, 2]), collate([True, False]),
                collate(["a", "b"]), collate([b"a", b"b"]),
                collate([{"x": 1, "y": [1.0, 2.0]}, {"x": 2, "y": [3.0, 4.0]}]),
                collate([Point(1, 2.0), Point(3, 4.0)]),
                collate([(1, "a"), (2, "b")]),
                collate([[lib.ones(2), 0], [lib.zeros(2), 1]]),
                collate([collections.OrderedDict(a=1.0), collections.OrderedDict(a=2.0)]))
    both(scenario)


def test_default_convert_matches_pytorch():
    def scenario(lib):
        convert = lib.utils.data.default_convert
        return (convert(np.array([1, 2])), convert(np.float64(2.5)), convert(3),
                convert({"a": np.zeros(2)}), convert(Point(np.array([1]), "s")),
                convert((np.array([1.0]), [np.array([2])])), convert(np.array(["x"])))
    both(scenario)


@pytest.mark.parametrize("batch", [[[1, 2], [3]], [object(), object()],
                                   [np.array(["a"]), np.array(["b"])]])
def test_default_collate_errors(batch):
    same_error(lambda lib: lib.utils.data.default_collate(batch))


def test_collate_of_tensors_of_different_shapes():
    same_error(lambda lib: lib.utils.data.default_collate([lib.zeros(2), lib.zeros(3)]))
