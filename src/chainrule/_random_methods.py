"""The random in-place fills as ``Tensor`` methods (``w.uniform_(-b, b)``).

The fills themselves, drawn exactly as PyTorch draws them, are in
``_random_ops.py``; it needs the finished Tensor class, so it is imported when a
method is first called.
"""


class RandomMethods:
    """``uniform_``, ``normal_``, ``random_``, ``bernoulli_``, ``exponential_``,
    ``bernoulli``, ``multinomial`` as methods of ``Tensor``."""
    __slots__ = ()

    def uniform_(self, from_=0, to=1, *, generator=None):
        from ._random_ops import uniform_
        return uniform_(self, from_, to, generator=generator)

    def normal_(self, mean=0, std=1, *, generator=None):
        from ._random_ops import normal_
        return normal_(self, mean, std, generator=generator)

    def random_(self, *args, generator=None, **kwargs):
        from ._random_ops import random_
        return random_(self, *args, generator=generator, **kwargs)

    def bernoulli_(self, p=0.5, *, generator=None):
        from ._random_ops import bernoulli_
        return bernoulli_(self, p, generator=generator)

    def exponential_(self, lambd=1, *, generator=None):
        from ._random_ops import exponential_
        return exponential_(self, lambd, generator=generator)

    def bernoulli(self, p=None, *, generator=None):
        from ._random_ops import bernoulli
        return bernoulli(self, p, generator=generator)

    def multinomial(self, num_samples, replacement=False, *, generator=None):
        from ._random_ops import multinomial
        return multinomial(self, num_samples, replacement, generator=generator)
