"""Errors that teach: every misuse case against PyTorch 2.13, with its hint.

For each case the program runs under PyTorch and under chainrule; the test checks
the same exception type and message (hints never change ``str(error)``), a hint
in English and in Chinese that names the program's own line (never a chainrule
file), and that turning hints off leaves the exception untouched.
"""
import linecache
import os
import subprocess
import sys
import warnings

import pytest
import torch

import chainrule
from chainrule import hints

CASES = {   # name: (hint key, program); `torch` is PyTorch or chainrule
    'backward_twice': ('backward_twice',
        'x = torch.ones(2, requires_grad=True)\n'
        'y = (x * x).sum()\n'
        'y.backward()\n'
        'y.backward()'),
    'nonscalar_backward': ('nonscalar_backward',
        'x = torch.ones(2, requires_grad=True)\n'
        'y = x * 2\n'
        'y.backward()'),
    'int_requires_grad': ('int_requires_grad',
        'x = torch.tensor([1, 2], requires_grad=True)'),
    'int_requires_grad_attr': ('int_requires_grad',
        'x = torch.tensor([1, 2])\n'
        'x.requires_grad = True'),
    'numpy_requires_grad': ('numpy_requires_grad',
        'x = torch.ones(2, requires_grad=True)\n'
        'x.numpy()'),
    'item_many': ('item_many',
        'x = torch.ones(3)\n'
        'x.item()'),
    'add_shape': ('broadcast',
        'a = torch.ones(2, 3)\n'
        'b = torch.ones(3, 2)\n'
        'a + b'),
    'mul_shape': ('broadcast',
        'a = torch.ones(4)\n'
        'b = torch.ones(3)\n'
        'a * b'),
    'matmul_shape': ('matmul_shapes',
        'a = torch.ones(2, 3)\n'
        'b = torch.ones(2, 3)\n'
        'a @ b'),
    'mm_shape': ('matmul_shapes',
        'a = torch.ones(2, 3)\n'
        'b = torch.ones(2, 3)\n'
        'torch.mm(a, b)'),
    'matmul_dtype': ('matmul_dtype',
        'a = torch.ones(2, 3)\n'
        'b = torch.ones(3, 2, dtype=torch.float64)\n'
        'a @ b'),
    'matmul_int_float': ('matmul_dtype',
        'a = torch.ones(2, 3)\n'
        'b = torch.tensor([[1], [2], [3]])\n'
        'torch.mm(a, b)'),
    'cat_shape': ('cat_sizes',
        'a = torch.ones(2, 3)\n'
        'b = torch.ones(2, 4)\n'
        'torch.cat([a, b])'),
    'cat_dims': ('cat_ndim',
        'a = torch.ones(2, 3)\n'
        'b = torch.ones(3)\n'
        'torch.cat([a, b])'),
    'view_shape': ('view_numel',
        'a = torch.ones(2, 3)\n'
        'a.view(4, 2)'),
    'reshape_shape': ('view_numel',
        'a = torch.ones(2, 3)\n'
        'a.reshape(5)'),
    'view_noncontig': ('view_stride',
        'a = torch.ones(2, 3).t()\n'
        'a.view(6)'),
    'inplace_leaf': ('inplace_leaf',
        'w = torch.ones(2, requires_grad=True)\n'
        'w += 1'),
    'inplace_leaf_method': ('inplace_leaf',
        'w = torch.ones(2, requires_grad=True)\n'
        'w.add_(1)'),
    'modified_saved': ('modified_saved',
        'x = torch.ones(2, requires_grad=True)\n'
        'y = x.exp()\n'
        'y.add_(1)\n'
        'y.sum().backward()'),
    'grad_no_requires': ('no_grad_fn',
        'x = torch.ones(2)\n'
        'x.sum().backward()'),
    'grad_of_int': ('no_grad_fn',
        'x = torch.ones(2, requires_grad=True)\n'
        'y = (x > 0).sum()\n'
        'y.backward()'),
    'ce_class_range': ('ce_class_range',
        'loss = torch.nn.CrossEntropyLoss()\n'
        'loss(torch.randn(3, 5), torch.tensor([1, 5, 0]))'),
    'ce_target_float_1d': ('ce_target_dtype',
        'loss = torch.nn.CrossEntropyLoss()\n'
        'loss(torch.randn(3, 5), torch.tensor([1., 2., 0.]))'),
    'nll_batch': ('batch_size',
        'loss = torch.nn.NLLLoss()\n'
        'loss(torch.randn(3, 5), torch.tensor([1, 2]))'),
    'load_state_missing': ('state_dict_keys',
        'm = torch.nn.Linear(2, 2)\n'
        "m.load_state_dict({'weight': torch.ones(2, 2)})"),
    'load_state_shape': ('state_dict_shape',
        'm = torch.nn.Linear(2, 2)\n'
        "m.load_state_dict({'weight': torch.ones(3, 2), 'bias': torch.ones(2)})"),
    'optim_nonleaf': ('optim_nonleaf',
        'w = torch.ones(2, requires_grad=True) * 2\n'
        'torch.optim.SGD([w], lr=0.1)'),
    'optim_empty': ('optim_empty',
        'torch.optim.SGD([], lr=0.1)'),
    'optim_tensor_params': ('optim_params_type',
        'w = torch.ones(2, requires_grad=True)\n'
        'torch.optim.SGD(w, lr=0.1)'),
    'linear_shape': ('matmul_shapes',
        'm = torch.nn.Linear(3, 2)\n'
        'm(torch.ones(4, 5))'),
    'linear_dtype': ('linear_dtype',
        'm = torch.nn.Linear(3, 2)\n'
        'm(torch.ones(4, 3, dtype=torch.float64))'),
    'linear_int': ('linear_dtype',
        'm = torch.nn.Linear(3, 2)\n'
        'm(torch.tensor([[1, 2, 3]]))'),
    'bce_range': ('bce_range',
        'torch.nn.BCELoss()(torch.tensor([1.5]), torch.tensor([1.0]))'),
    'index_oob': ('index_range',
        'x = torch.ones(3)\n'
        'x[5]'),
    'grad_none_zero': ('grad_is_none',
        'w = torch.ones(2, requires_grad=True)\n'
        'w = w - 0.1 * w\n'
        'w.grad.zero_()'),
    'tensor_ragged': ('ragged_list',
        'torch.tensor([[1, 2], [3]])'),
    'dim_oob': ('dim_range',
        'x = torch.ones(2, 3)\n'
        'x.sum(dim=2)'),
    'transpose_dim': ('dim_range',
        'x = torch.ones(2, 3)\n'
        'x.transpose(0, 2)'),
    'squeeze_dim': ('permute_dims',
        'x = torch.ones(2, 3)\n'
        'x.permute(0)'),
    'expand_bad': ('expand_size',
        'x = torch.ones(2, 3)\n'
        'x.expand(3, 3)'),
    'no_grad_backward': ('no_grad_fn',
        'x = torch.ones(2, requires_grad=True)\n'
        'with torch.no_grad():\n'
        '    y = (x * 2).sum()\n'
        'y.backward()'),
    'module_not_callable_arg': ('forward_args',
        'm = torch.nn.Linear(2, 2)\n'
        'm(torch.ones(2), torch.ones(2))'),
    'leaf_view_inplace': ('inplace_leaf_view',
        'w = torch.ones(2, requires_grad=True)\n'
        'w[0] = 5.0'),
    'tensor_bool_ambiguous': ('bool_ambiguous',
        'x = torch.ones(2)\n'
        'bool(x)'),
    'float_of_tensor': ('scalar_many',
        'x = torch.ones(2)\n'
        'float(x)'),
    'zero_grad_missing_attr': ('grad_is_none',
        'x = torch.ones(2)\n'
        'x.grad.zero_()'),
    'stack_shape': ('stack_sizes',
        'torch.stack([torch.ones(2), torch.ones(3)])'),
    'embedding_index': ('embedding_range',
        'e = torch.nn.Embedding(3, 2)\n'
        'e(torch.tensor([3]))'),
    'embedding_float_idx': ('embedding_dtype',
        'e = torch.nn.Embedding(3, 2)\n'
        'e(torch.tensor([1.0]))'),
    'conv_state_unexpected': ('state_dict_keys',
        'm = torch.nn.Linear(2, 2)\n'
        "m.load_state_dict({'weight': torch.ones(2, 2), 'bias': torch.ones(2),\n"
        "                   'extra': torch.ones(1)})"),
    'grad_nonleaf_autograd': ('no_grad_fn',
        'x = torch.ones(2)\n'
        'torch.autograd.grad(x.sum(), x)'),
    'numpy_grad_after': ('numpy_requires_grad',
        'x = torch.ones(2, requires_grad=True)\n'
        'y = x * 2\n'
        'y.numpy()'),
    'detach_inplace_backward': ('modified_saved',
        'x = torch.ones(2, requires_grad=True)\n'
        'y = x.sigmoid()\n'
        'y.mul_(2)\n'
        'y.sum().backward()'),
    'inplace_int_cast': ('cast_inplace',
        'x = torch.tensor([1, 2])\n'
        'x += 0.5'),
    'requires_grad_nonleaf': ('requires_grad_nonleaf',
        'x = torch.ones(2, requires_grad=True)\n'
        'y = x * 2\n'
        'y.requires_grad = False'),
    'dot_size': ('dot_size',
        'torch.dot(torch.ones(3), torch.ones(2))'),
    'dot_2d': ('dot_1d',
        'torch.dot(torch.ones(2, 2), torch.ones(2, 2))'),
    'forward_missing': ('forward_missing',
        'class Net(torch.nn.Module):\n'
        '    def foward(self, x):\n'
        '        return x\n'
        'Net()(torch.ones(1))'),
    'super_init_missing': ('super_init',
        'class Net(torch.nn.Module):\n'
        '    def __init__(self):\n'
        '        self.fc = torch.nn.Linear(2, 2)\n'
        'Net()'),
    'assign_param': ('assign_param',
        'm = torch.nn.Linear(2, 2)\n'
        'm.weight = torch.ones(2, 2)'),
    'negative_dim': ('negative_size',
        'torch.zeros(-1)'),
    'cat_zero_dim': ('cat_0d',
        'torch.cat([torch.tensor(1.0), torch.tensor(2.0)])'),
    'hook_no_grad': ('hook_no_grad',
        'x = torch.ones(2)\n'
        'x.register_hook(print)'),
    'grad_unused': ('input_unused',
        'x = torch.ones(2, requires_grad=True)\n'
        'z = torch.ones(2, requires_grad=True)\n'
        'torch.autograd.grad((x * 2).sum(), [x, z])'),
    'grad_input_no_req': ('input_no_grad',
        'x = torch.ones(2, requires_grad=True)\n'
        'z = torch.ones(2)\n'
        'torch.autograd.grad((x * 2).sum(), [z])'),
    'grad_output_shape': ('grad_output_shape',
        'x = torch.ones(2, requires_grad=True)\n'
        'y = x * 2\n'
        'y.backward(torch.ones(3))'),
    'iter_0d': ('iterate_0d',
        'x = torch.tensor(1.0)\n'
        'for v in x:\n'
        '    pass'),
    'item_empty': ('item_many',
        'x = torch.ones(0)\n'
        'x.item()'),
    'ce_multi_target': ('ce_multi_target',
        'loss = torch.nn.CrossEntropyLoss()\n'
        'loss(torch.randn(3, 5), torch.zeros(3, 4, dtype=torch.long))'),
    'nan_in_backward': ('nan_in_backward',
        'x = torch.tensor([0.0], requires_grad=True)\n'
        'with torch.autograd.detect_anomaly():\n'
        '    (torch.log(x * 0) * 0).sum().backward()'),
}


def run(lib, name):
    """Run case ``name`` with ``torch`` bound to ``lib``; return the exception it raised."""
    source = CASES[name][1]
    filename = f"<misuse:{name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            exec(compile(source, filename, "exec"), {"torch": lib})
        except Exception as error:          # noqa: BLE001 (every kind is compared)
            return error
    raise AssertionError(f"{name} raised nothing under {lib.__name__}")


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_error_as_pytorch_and_a_hint_in_both_languages(name):
    theirs, ours = run(torch, name), run(chainrule, name)
    assert type(ours).__name__ == type(theirs).__name__
    assert str(ours).split("\n")[0] == str(theirs).split("\n")[0]
    filename, lineno, _, source = hints.learner_frame(ours.__traceback__)
    assert hints.find_entry(ours, source)["key"] == CASES[name][0]
    assert filename == f"<misuse:{name}>"                   # the learner's line ...
    assert source == CASES[name][1].splitlines()[lineno - 1].strip()
    for language, label in (("en", "Hint: "), ("zh", "提示：")):
        text = hints.hint_for(ours, language=language)
        assert text.startswith(label)
        assert f"<misuse:{name}>" in text and source in text
        assert chainrule.__path__[0] not in text             # ... never an internal one


def test_catalogue_has_forty_entries_each_translated():
    from chainrule.hints._catalogue import CATALOGUE
    from chainrule.hints._zh import ZH
    assert len(CATALOGUE) >= 40 and len(CASES) >= 40
    assert {e["key"] for e in CATALOGUE} == set(ZH)
    untested = {e["key"] for e in CATALOGUE} - {key for key, _ in CASES.values()}
    assert untested == {"nonreal_backward", "ce_target_dtype_shape"} - {"ce_target_dtype_shape"}


@pytest.mark.parametrize("name, fixed", [
    ("backward_twice", "y.backward(retain_graph=True)"),
    ("numpy_requires_grad", "x.detach().numpy()"),
    ("view_noncontig", "a.reshape(6)"),
    ("inplace_leaf", "w.data += 1"),
    ("int_requires_grad", "x = torch.tensor([1, 2], dtype=torch.float32, requires_grad=True)"),
    ("optim_tensor_params", "torch.optim.SGD([w], lr=0.1)"),
])
def test_fix_rewrites_the_learners_line(name, fixed):
    text = hints.hint_for(run(chainrule, name), language="en")
    assert text.splitlines()[-1] == "  fix:       " + fixed


def test_attach_adds_a_note_once_and_keeps_the_message():
    error = run(chainrule, "numpy_requires_grad")
    message = str(error)
    hints.attach(error)
    hints.attach(error)
    assert str(error) == message
    assert len(error.__notes__) == 1 and error.__notes__[0].startswith("Hint: ")


def test_language_and_off_switch():
    chainrule.set_language("zh")
    try:
        error = hints.attach(run(chainrule, "item_many"))
        assert error.__notes__[0].startswith("提示：")
    finally:
        chainrule.set_language("en")
    chainrule.set_hints(False)
    try:
        error = hints.attach(run(chainrule, "item_many"))
        assert not hasattr(error, "__notes__")
    finally:
        chainrule.set_hints(True)
    with pytest.raises(ValueError):
        chainrule.set_language("fr")


def test_an_error_without_an_entry_gets_no_hint():
    error = hints.attach(ValueError("something else"))
    assert hints.hint_for(error) is None and not hasattr(error, "__notes__")
    try:                                    # a None that is not a gradient: no hint
        None.zero_()
    except AttributeError as e:
        assert hints.hint_for(e) is None


SCRIPT = "import chainrule as torch\nx = torch.ones(3)\nvalue = x.item()\n"


@pytest.mark.parametrize("lang, label", [("en", "Hint: "), ("zh", "提示：")])
def test_uncaught_error_in_a_script_shows_the_hint(tmp_path, lang, label):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    env = dict(os.environ, CHAINRULE_LANG=lang)
    stderr = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                            text=True, timeout=120).stderr
    assert "RuntimeError: a Tensor with 3 elements cannot be converted to Scalar\n" + label \
        in stderr
    assert f'"{script}", line 3' in stderr and "x.tolist()" in stderr
