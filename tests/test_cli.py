"""``python -m chainrule run script.py args``, compared with ``python script.py args``
running the same unmodified script on PyTorch: same output, same exit status, and
for an uncaught error the same traceback (the user's frames, then the message).
"""
import os
import subprocess
import sys
import textwrap

import pytest


def start(*argv):
    # hints off: with them chainrule's traceback adds a note after PyTorch's text
    # (tests/test_hints.py checks the notes)
    env = dict(os.environ, CHAINRULE_HINTS="0")
    return subprocess.Popen([sys.executable, *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def finish(process):
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def run(*argv):
    return finish(start(*argv))


def both(tmp_path, source, *args, name="script.py"):
    """Run ``source`` with PyTorch and with chainrule (side by side); return both
    (exit status, stdout, stderr)."""
    script = tmp_path / name
    script.write_text(textwrap.dedent(source))
    with_torch = start(str(script), *args)
    with_chainrule = start("-m", "chainrule", "run", str(script), *args)
    return finish(with_torch), finish(with_chainrule)


@pytest.fixture(scope="module")
def scripts(tmp_path_factory):
    return tmp_path_factory.mktemp("scripts")


def test_a_training_script_prints_what_pytorch_prints(scripts):
    (scripts / "helper_module.py").write_text("import torch\nVALUE = torch.tensor(3) * 2\n")
    torch_run, chainrule_run = both(scripts, """
        import sys
        import torch
        import torch.nn as nn
        from torch import optim
        import helper_module                 # a module beside the script

        print(helper_module.VALUE)

        print(sys.argv[1:], __name__, __file__.endswith("train.py"))
        w = torch.tensor([0.5, -0.25], requires_grad=True)
        x = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
        y = torch.tensor([1.0, 2.0, 3.0])
        for step in range(3):
            loss = ((x @ w - y) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                w -= 0.01 * w.grad
            w.grad.zero_()
            print(f"step {step}: loss {loss.item():.4f}", w)
        print(callable(nn.Module), callable(optim.SGD), torch.cuda.is_available())
        device = "cuda" if torch.cuda.is_available() else "cpu"
        print(w.to(device).device, torch.zeros(2, device=device))
        """, "--epochs", "3", "-v", name="train.py")
    assert chainrule_run == torch_run and torch_run[0] == 0


def test_exit_status(scripts):
    for code in ("sys.exit(3)", "sys.exit('stopped early')"):
        torch_run, chainrule_run = both(scripts, f"""
            import sys
            import torch
            print(torch.tensor([1, 2]).sum())
            {code}
            """)
        assert chainrule_run == torch_run, code


def test_an_error_in_the_script_shows_the_users_traceback(scripts):
    torch_run, chainrule_run = both(scripts, """
        import torch

        def check(x):
            if x.sum() > 0:
                raise ValueError(f"positive: {x}")

        check(torch.tensor([1.0, 2.0]))
        """)
    assert torch_run[0] == 1 and "ValueError" in torch_run[2]
    assert chainrule_run == torch_run


def test_an_error_inside_an_op_shows_the_users_traceback(scripts):
    torch_run, chainrule_run = both(scripts, """
        import torch

        def add(a, b):
            return a + b

        x = torch.ones(2)
        print(x)
        add(x, torch.ones(3))
        """)
    assert torch_run[0] == 1
    assert chainrule_run == torch_run


def test_chained_errors(scripts):
    torch_run, chainrule_run = both(scripts, """
        import torch
        try:
            torch.tensor([1.0, 2.0]).item()
        except RuntimeError as e:
            raise KeyError("while reading") from e
        """)
    assert chainrule_run == torch_run


def test_modules_chainrule_does_not_provide(scripts):
    """The messages name what is missing (torch has these modules: nothing to compare)."""
    script = scripts / "missing.py"
    script.write_text(textwrap.dedent("""
        import torch
        try:
            torch.fft
        except AttributeError as e:
            print("AttributeError:", e)
        import torch.fft
        """))
    rc, out, err = run("-m", "chainrule", "run", str(script))
    assert rc == 1
    assert out == "AttributeError: torch.fft is not provided by chainrule\n"
    assert err.splitlines()[-1] == "ModuleNotFoundError: torch.fft is not provided by chainrule"
    assert err.splitlines()[-2].strip() == "import torch.fft"      # the user's line


def test_a_missing_script(tmp_path):
    missing = tmp_path / "nope.py"
    rc, out, err = run(str(missing))
    c_rc, c_out, c_err = run("-m", "chainrule", "run", str(missing))
    assert (c_rc, c_out) == (rc, out) == (2, "")
    assert c_err.split(": ", 1)[1] == err.split(": ", 1)[1]      # after "python: "


def test_version_and_help():
    rc, out, _ = run("-m", "chainrule", "--version")
    assert rc == 0 and out.startswith("chainrule ")
    rc, out, _ = run("-m", "chainrule")
    assert rc == 0 and "run" in out
