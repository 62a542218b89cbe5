"""chainrule's operations, one family per file.

Each file holds the ``Node`` subclasses of its family (``forward`` above
``backward``), the functions users call (``chainrule.exp``), and a mixin of the
matching ``Tensor`` methods (``Tensor.exp``), so one op lives in one place.

==============  =========================================================
arithmetic      + - * / ** and their in-place forms
remainder       // % fmod, and div with a rounding mode
elementwise     exp, log, sin, tanh, sigmoid, relu, abs, floor, round, ...
selection       clamp, maximum, minimum, where, lerp
reduction       sum, mean, var, max, prod, cumsum, norm, ...
softmax         softmax, log_softmax, logsumexp
shape           view, reshape, transpose, permute, expand, flip, ...
joining         cat, stack, split, chunk, unbind
indexing        x[...], gather, scatter, index_select, masked_fill
linalg          matmul, mm, bmm, mv, dot, outer, einsum
comparison      eq, lt, isclose, allclose, logical ops (never differentiable)
sorting         sort, topk, argsort
conversion      to, clone, copy_, fill_, zero_, contiguous
==============  =========================================================
"""
