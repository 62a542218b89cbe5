"""The hint catalogue, in English: one entry per error a learner meets.

Each entry is plain data:

* ``key``: the entry's name (``_zh.py`` has the Chinese text under the same key);
* ``type`` and ``pattern``: the exception class and a regular expression searched
  in PyTorch's message (entries are tried in order, so specific ones come first);
* ``what``: what happened, in the learner's terms;
* ``fix``: optional ``(pattern, replacement)`` that rewrites the learner's own line;
* ``example``: the fixed line shown when ``fix`` does not apply;
* ``line``: optional pattern the learner's line must match (for errors as general
  as ``'NoneType' object has no attribute``).

>>> from chainrule.hints._catalogue import CATALOGUE
>>> len(CATALOGUE) >= 40
True
"""


def _hint(key, type, pattern, what, example, fix=None, line=None):
    return {"key": key, "type": type, "pattern": pattern, "what": what,
            "example": example, "fix": fix, "line": line}


CATALOGUE = [
    # ---- autograd: backward ----------------------------------------------------------
    _hint("backward_twice", RuntimeError, r"^Trying to backward through the graph a second",
          "backward() frees the graph it walked through; calling it again on the same "
          "result finds nothing left. Usually the forward pass belongs inside the loop.",
          "loss = loss_fn(model(x), y); loss.backward()   # recompute, then backward",
          (r"\.backward\(\)", ".backward(retain_graph=True)")),
    _hint("nonscalar_backward", RuntimeError, r"^grad can be implicitly created only for scalar",
          "backward() with no argument needs a single number (a loss); this tensor holds "
          "several values.",
          "loss.mean().backward()", (r"\.backward\(\)", ".sum().backward()")),
    _hint("nonreal_backward", RuntimeError, r"^grad can be implicitly created only for real",
          "backward() starts from a floating-point number; this one is an integer tensor.",
          "loss.float().backward()"),
    _hint("no_grad_fn", RuntimeError, r"^element \d+ of tensors does not require grad",
          "nothing this result was computed from requires grad, so there is no graph to "
          "walk back: a tensor created without requires_grad=True, computed under "
          "torch.no_grad(), detached, or a comparison/integer result.",
          "w = torch.tensor([1.0], requires_grad=True)"),
    _hint("grad_output_shape", RuntimeError, r"^Mismatch in shape: grad_output",
          "the gradient passed to backward(g) must have the same shape as the tensor.",
          "y.backward(torch.ones_like(y))"),
    _hint("input_no_grad", RuntimeError, r"^One of the differentiated Tensors does not require",
          "autograd.grad(out, inputs) can only differentiate with respect to tensors "
          "that require grad.", "x = torch.tensor([1.0], requires_grad=True)"),
    _hint("input_unused", RuntimeError, r"appears to not have been used in the graph",
          "this input did not take part in computing the output, so it has no gradient.",
          "torch.autograd.grad(out, inputs, allow_unused=True)"),
    _hint("hook_no_grad", RuntimeError, r"^cannot register a hook on a tensor that doesn't",
          "hooks watch gradients, and this tensor never gets one (it does not require grad).",
          "x.requires_grad_(); x.register_hook(fn)"),
    _hint("nan_in_backward", RuntimeError, r"^Function '\w+' returned nan values",
          "anomaly detection found a backward formula that produced NaN: often log or "
          "division at 0, sqrt at 0, or values that overflowed. The forward line is shown "
          "in the warning above.", "torch.log(x.clamp(min=1e-12))"),
    # ---- autograd: leaves, in-place, requires_grad ---------------------------------
    _hint("int_requires_grad", RuntimeError, r"^[Oo]nly Tensors of floating point and complex",
          "gradients are real numbers, so only float tensors can require grad; "
          "[1, 2] makes an integer tensor.",
          "w = torch.tensor([1.0, 2.0], requires_grad=True)",
          (r"requires_grad\s*=\s*True", "dtype=torch.float32, requires_grad=True")),
    _hint("requires_grad_nonleaf", RuntimeError, r"^you can only change requires_grad flags",
          "only tensors you created yourself (leaves) can switch requires_grad; a computed "
          "result follows its inputs.", "y = y.detach()"),
    _hint("inplace_leaf_view", RuntimeError, r"^a view of a leaf Variable that requires grad",
          "writing into part of a parameter would hide the change from autograd.",
          "with torch.no_grad(): w[0] = 5.0"),
    _hint("inplace_leaf", RuntimeError, r"^a leaf Variable that requires grad is being used",
          "a parameter was changed in place while autograd records; updates of parameters "
          "must not be recorded.",
          "with torch.no_grad(): w -= lr * w.grad", (r"^(\w+)(\.data)?\s*(\S?=)", r"\1.data \3")),
    _hint("modified_saved", RuntimeError, r"^one of the variables needed for gradient",
          "backward needs a value the forward pass saved, but an in-place op (add_, mul_, "
          "+=, x[i] = ...) changed it afterwards.", "y = y + 1   # instead of y += 1 / y.add_(1)"),
    _hint("grad_is_none", AttributeError, r"^'NoneType' object has no attribute",
          "x.grad is None: x is not a leaf that requires grad (after w = w - lr * w.grad, "
          "w is a new computed tensor), or backward() has not reached it yet.",
          "with torch.no_grad(): w -= lr * w.grad   # keeps w a leaf",
          line=r"\.grad\b"),     # only when the learner's line reads a .grad
    # ---- converting tensors ---------------------------------------------------------
    _hint("numpy_requires_grad", RuntimeError, r"^Can't call numpy\(\) on Tensor that requires",
          "this tensor is part of the autograd graph (it requires grad); NumPy cannot "
          "follow the graph.", "x.detach().numpy()", (r"\.numpy\(\)", ".detach().numpy()")),
    _hint("item_many", RuntimeError, r"^a Tensor with \d+ elements cannot be converted to Scalar",
          ".item() turns a one-element tensor into a Python number; this tensor has more "
          "(or no) elements.", "loss.mean().item()", (r"\.item\(\)", ".tolist()")),
    _hint("scalar_many", ValueError, r"^only one element tensors can be converted to Python",
          "float()/int() need a one-element tensor.", "x.tolist()"),
    _hint("bool_ambiguous", RuntimeError, r"^Boolean value of Tensor with more than one value",
          "`if tensor:` with several values: say whether you mean any or all of them.",
          "if (x > 0).all():"),
    _hint("iterate_0d", TypeError, r"^iteration over a 0-d tensor",
          "a 0-d tensor holds one number; there is nothing to loop over.", "value = x.item()"),
    _hint("ragged_list", ValueError, r"^expected sequence of length \d+ at dim",
          "the nested lists have rows of different lengths; a tensor is a rectangle.",
          "torch.tensor([[1, 2], [3, 4]])"),
    _hint("cast_inplace", RuntimeError, r"can't be cast to the desired output type",
          "an in-place op cannot turn an integer tensor into a float one.",
          "x = x + 0.5   # or create x with floats: torch.tensor([1., 2.])"),
    _hint("negative_size", RuntimeError, r"Dimension size must be non-negative|negative dimension",
          "a size is negative; check the arithmetic that computed it.", "torch.zeros(3)"),
    # ---- shapes -----------------------------------------------------------------------
    _hint("broadcast", RuntimeError, r"^The size of tensor a \(\d+\) must match the size of",
          "elementwise ops need shapes that broadcast: each dimension equal, or 1. Print "
          "x.shape of both sides.", "a + b.reshape(a.shape)"),
    _hint("matmul_shapes", RuntimeError, r"^mat1 and mat2 shapes cannot be multiplied",
          "(n x k) @ (k x m): the inner sizes must agree. For nn.Linear(in, out) the input's "
          "last dimension must be `in`.", "a @ b.T   # or nn.Linear(x.shape[-1], out)"),
    _hint("matmul_dtype", RuntimeError, r"^expected m1 and m2 to have the same dtype",
          "both matrices must have the same dtype (float32 vs float64, or an integer tensor).",
          "a.float() @ b.float()"),
    _hint("linear_dtype", RuntimeError, r"^mat1 and mat2 must have the same dtype",
          "the model's weights are float32 but the input is not (a float64 NumPy array, or "
          "integers).", "model(x.float())", (r"\((\w+)\)", r"(\1.float())")),
    _hint("dot_size", RuntimeError, r"^inconsistent tensor size",
          "torch.dot needs two vectors of the same length.", "torch.dot(a, b[:len(a)])"),
    _hint("dot_1d", RuntimeError, r"^1D tensors expected",
          "torch.dot is for vectors; for matrices use @ (torch.matmul).", "a @ b"),
    _hint("cat_sizes", RuntimeError, r"^Sizes of tensors must match except in dimension",
          "torch.cat joins along one dimension; all the other sizes must be equal.",
          "torch.cat([a, b], dim=1)"),
    _hint("cat_ndim", RuntimeError, r"^Tensors must have same number of dimensions",
          "torch.cat needs tensors with the same number of dimensions.",
          "torch.cat([a, b.unsqueeze(0)])"),
    _hint("cat_0d", RuntimeError, r"^zero-dimensional tensor \(at position",
          "0-d tensors have no dimension to join along; use torch.stack.",
          "torch.stack([a, b])", (r"torch\.cat\(", "torch.stack(")),
    _hint("stack_sizes", RuntimeError, r"^stack expects each tensor to be equal size",
          "torch.stack puts equal-shaped tensors side by side.", "torch.cat([a, b])"),
    _hint("view_numel", RuntimeError, r"^shape '\[.*\]' is invalid for input of size",
          "the new shape must hold exactly as many elements as the tensor has; -1 lets one "
          "size be computed.", "x.view(-1, 2)"),
    _hint("view_stride", RuntimeError, r"^view size is not compatible with input tensor's",
          "after transpose/permute the memory is not in row order, so view() cannot "
          "reinterpret it; reshape() copies when it has to.", "x.reshape(-1)",
          (r"\.view\(", ".reshape(")),
    _hint("expand_size", RuntimeError, r"^The expanded size of the tensor",
          "expand() can only repeat dimensions of size 1.", "x.repeat(2, 1)"),
    _hint("permute_dims", RuntimeError, r"number of dimensions in the tensor input does not match",
          "permute() needs one entry per dimension.", "x.permute(1, 0)"),
    _hint("dim_range", IndexError, r"^Dimension out of range",
          "the dimension does not exist: a tensor with n dimensions has dims 0..n-1 "
          "(or -n..-1).", "x.sum(dim=-1)"),
    _hint("index_range", IndexError, r"^index -?\d+ is out of bounds for dimension",
          "indices start at 0 and stop at size - 1.", "x[len(x) - 1]"),
    # ---- nn, losses, optim -----------------------------------------------------------
    _hint("ce_target_dtype", RuntimeError, r"^expected target dtype to be Long",
          "CrossEntropyLoss wants class indices as integers (0 .. C-1), not floats; "
          "or class probabilities of the same shape as the input.",
          "loss_fn(logits, y.long())", (r",\s*(\w+)\)", r", \1.long())")),
    _hint("ce_multi_target", RuntimeError, r"^0D or 1D target tensor expected",
          "CrossEntropyLoss/NLLLoss targets are one class index per sample, shape (N,).",
          "loss_fn(logits, y.argmax(dim=1))"),
    _hint("ce_class_range", IndexError, r"^Target -?\d+ is out of bounds",
          "a class index is >= the number of outputs: the last layer needs one output per "
          "class, labels 0 .. C-1.", "nn.Linear(hidden, num_classes)"),
    _hint("batch_size", ValueError, r"^Expected input batch_size \(\d+\) to match target",
          "the model's output and the labels have different numbers of samples.",
          "loss_fn(model(x_batch), y_batch)"),
    _hint("bce_range", RuntimeError, r"^all elements of input should be between 0 and 1",
          "BCELoss takes probabilities; for raw scores (logits) use BCEWithLogitsLoss.",
          "nn.BCEWithLogitsLoss()(logits, y)", (r"BCELoss\(\)", "BCEWithLogitsLoss()")),
    _hint("embedding_range", IndexError, r"^index out of range in self",
          "an index is >= num_embeddings (the vocabulary size).",
          "nn.Embedding(vocab_size, dim)   # vocab_size > every index"),
    _hint("embedding_dtype", RuntimeError, r"^Expected tensor for argument #1 'indices'",
          "embedding lookups take integer indices.", "emb(idx.long())"),
    _hint("state_dict_shape", RuntimeError, r"Error\(s\) in loading state_dict.*size mismatch",
          "a saved tensor has a different shape than the model's: the model was built "
          "with other sizes than the one saved.", "model = Net(same sizes as when saved)"),
    _hint("state_dict_keys", RuntimeError, r"^Error\(s\) in loading state_dict",
          "the saved names and the model's parameter names differ (missing or unexpected "
          "keys): a different model, or a renamed layer.",
          "model.load_state_dict(state, strict=False)   # only if that is intended"),
    _hint("optim_nonleaf", ValueError, r"^can't optimize a non-leaf Tensor",
          "the optimizer updates tensors you created; this one was computed "
          "(torch.randn(...) * 0.1 with requires_grad is a computed result).",
          "w = (torch.randn(3) * 0.1).requires_grad_()"),
    _hint("optim_empty", ValueError, r"^optimizer got an empty parameter list",
          "the optimizer got no parameters: the model has no layers registered in "
          "__init__, or the generator model.parameters() was already used up.",
          "optim.SGD(model.parameters(), lr=0.01)"),
    _hint("optim_params_type", TypeError, r"^params argument given to the optimizer",
          "the optimizer wants a list of tensors, not one tensor.", "optim.SGD([w], lr=0.01)",
          (r"\((\w+)\s*,", r"([\1],")),
    _hint("forward_missing", NotImplementedError, r"is missing the required \"forward\"",
          "the Module has no method named forward (check its spelling); calling model(x) "
          "runs forward.", "def forward(self, x):"),
    _hint("super_init", AttributeError, r"before Module.__init__\(\) call",
          "__init__ must call super().__init__() before it assigns layers.",
          "super().__init__()"),
    _hint("assign_param", TypeError, r"^cannot assign '.*' as parameter",
          "a parameter can only be replaced by an nn.Parameter.",
          "with torch.no_grad(): m.weight.copy_(new)"),
    _hint("forward_args", TypeError, r"forward\(\) takes \d+ positional arguments? but",
          "the model was called with a different number of inputs than forward() takes.",
          "model(x)"),
]
