"""DataLoader workers, acted out one after another in this process.

With ``num_workers=N`` PyTorch starts N processes. Worker ``k`` begins by seeding
its own random number generators from the ``base_seed`` the main process drew:

* ``random.seed(base_seed + k)`` and ``torch.manual_seed(base_seed + k)``;
* NumPy's global generator from four 32-bit words mixed out of
  ``(k, base_seed)`` (:func:`_generate_state`), so workers never repeat each other;

then it calls ``worker_init_fn(k)`` and fetches the batches it is sent, in
turn: batch 0 to worker 0, batch 1 to worker 1, ... and round again.

chainrule keeps all of this except the processes. A :class:`SerialWorker`
holds the three random states a worker process would have; while it fetches,
its states are swapped in (and the main program's swapped out), so a dataset
that draws random numbers gets the numbers it would get in PyTorch, and the
main program's random stream is untouched, as it would be. Inside a worker,
:func:`get_worker_info` describes it; in the main program it returns ``None``.

>>> get_worker_info() is None
True
"""
import copy
import random
import sys
import traceback
from dataclasses import dataclass

import numpy as np

from ... import _generator

__all__ = ["WorkerInfo", "get_worker_info", "SerialWorker"]


@dataclass(frozen=True)
class WorkerInfo:
    """What :func:`get_worker_info` tells the code running in a worker."""

    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str = "multiprocessing"


_worker_info = None           # set only while a SerialWorker is at work


def get_worker_info():
    """The current worker's :class:`WorkerInfo`, or ``None`` in the main program."""
    return _worker_info


class IterableDatasetStopIteration:
    """A worker's answer when its copy of an iterable dataset is used up."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


class ExceptionWrapper:
    """An exception raised in a worker, re-raised in the main program as PyTorch does."""

    def __init__(self, worker_id):
        exc_type, exc, tb = sys.exc_info()
        self.exc_type = exc_type
        self.exc_msg = "".join(traceback.format_exception(exc_type, exc, tb))
        self.where = f"in DataLoader worker process {worker_id}"

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)      # KeyError would otherwise repr() the text
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exception


class _KeyErrorMessage(str):
    def __repr__(self):
        return self


class SerialWorker:
    """One DataLoader worker: its random state, its dataset and its queue of batches.

    ``make_fetcher(dataset)`` builds the worker's fetcher. An iterable dataset is
    copied, as each worker process has its own copy of it; a map-style dataset
    is shared (a process would share it copy-on-write, and reading is all it does).
    """

    def __init__(self, worker_id, num_workers, base_seed, dataset, is_iterable, init_fn,
                 make_fetcher):
        self.id = worker_id
        self.seed = base_seed + worker_id
        self.is_iterable = is_iterable
        self.dataset = copy.deepcopy(dataset) if is_iterable else dataset
        self.info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=self.seed,
                               dataset=self.dataset)
        self._make_fetcher = make_fetcher
        self.queue = []                 # (task index, batch indices), oldest first
        self.results = {}               # task index -> data, once fetched
        self.iteration_end = False
        self.init_exception = None
        self._states = None
        self._run(self._start, base_seed, init_fn)

    # -------------------------------------------------------- the worker's life
    def _start(self, base_seed, init_fn):
        """What a worker process does first: seed, ``init_fn``, make its fetcher."""
        random.seed(self.seed)
        _generator.default_generator.manual_seed(self.seed)
        np.random.seed(_generate_state(base_seed, self.id))
        try:
            if init_fn is not None:
                init_fn(self.id)
            self.fetcher = self._make_fetcher(self.dataset)
        except Exception:
            self.init_exception = ExceptionWrapper(self.id)

    def resume(self):
        """A new epoch with persistent workers: a new fetcher, the random state kept."""
        self.iteration_end = False
        self._run(self._new_fetcher)

    def _new_fetcher(self):
        self.fetcher = self._make_fetcher(self.dataset)

    def result(self, task_idx):
        """The data of task ``task_idx``, fetching this worker's queue up to it."""
        while task_idx not in self.results:
            idx, index = self.queue.pop(0)
            if not self.iteration_end:      # a finished worker ignores further tasks
                self.results[idx] = self._run(self._fetch, index)
        return self.results.pop(task_idx)

    def _fetch(self, index):
        if self.init_exception is not None:
            wrapped, self.init_exception = self.init_exception, None
            return wrapped
        try:
            return self.fetcher.fetch(index)
        except StopIteration:
            if self.is_iterable:        # the stream ran dry: this worker is done
                self.iteration_end = True
                return IterableDatasetStopIteration(self.id)
            return ExceptionWrapper(self.id)
        except Exception:
            return ExceptionWrapper(self.id)

    # --------------------------------------------------- swapping random states
    def _run(self, function, *args):
        """Call ``function`` as if in this worker's process (its RNGs, its info)."""
        global _worker_info
        main_states = _get_rng_states()
        if self._states is not None:
            _set_rng_states(self._states)
        _worker_info = self.info
        try:
            return function(*args)
        finally:
            _worker_info = None
            self._states = _get_rng_states()
            _set_rng_states(main_states)


def _get_rng_states():
    return (random.getstate(), _generator.default_generator.get_state(), np.random.get_state())


def _set_rng_states(states):
    python_state, torch_state, numpy_state = states
    random.setstate(python_state)
    _generator.default_generator.set_state(torch_state)
    np.random.set_state(numpy_state)


def _generate_state(base_seed, worker_id):
    """Four 32-bit words to seed NumPy in worker ``worker_id`` (PyTorch's recipe).

    ``(worker_id, base_seed)`` is hashed and mixed the way NumPy's ``SeedSequence``
    does, so that nearby seeds still give unrelated NumPy streams.
    """
    mask = 0xFFFFFFFF
    entropy = [worker_id, base_seed & mask, base_seed >> 32, 0]
    hash_const = [0x43B0D7E5]            # changes after every hash

    def hash_word(value):
        value = (value ^ hash_const[0]) & mask
        hash_const[0] = (hash_const[0] * 0x931E8875) & mask
        value = (value * hash_const[0]) & mask
        return (value ^ (value >> 16)) & mask

    def mix(x, y):
        result = ((0xCA01F9DD * x) - (0x4973F715 * y)) & mask
        return (result ^ (result >> 16)) & mask

    pool = [hash_word(word) for word in entropy]
    for i_src in range(4):
        for i_dst in range(4):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash_word(pool[i_src]))

    state, final_const = [], 0x8B51F9DD
    for word in pool:
        word = (word ^ final_const) & mask
        final_const = (final_const * 0x58F38DED) & mask
        word = (word * final_const) & mask
        state.append((word ^ (word >> 16)) & mask)
    return state
