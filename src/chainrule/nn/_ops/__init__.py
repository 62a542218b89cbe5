"""The operations behind ``nn.functional``, one family per file.

* ``activation.py``: piecewise-linear activations (relu, hardtanh, leaky_relu, prelu, ...)
* ``smooth.py``: smooth activations (elu, selu, gelu, silu, softplus, mish, ...)
* ``softmax.py``: softmax, log_softmax, softmin, glu
* ``linear.py``: linear (``x @ W.T + b``) and bilinear
* ``normalization.py``: batch_norm, layer_norm, normalize
* ``sparse.py``: embedding, one_hot
* ``dropout.py``, ``padding.py``: dropout; pad
* ``erf.py``, ``_precise.py``: the numerics they need

Each differentiable op is a ``Node`` with ``forward`` above ``backward``, as in
``chainrule._ops``. ``nn/functional.py`` gathers the user-facing functions.
"""
