"""Shared test setup.

This file's folder is put on ``sys.path`` by pytest, so test files anywhere under
``tests/`` can ``import _op_catalogue`` (the plain-data catalogue of ops).
"""
import pytest

pytest.register_assert_rewrite("_harness")   # detailed assertion messages in the helpers

import torch  # noqa: E402

import chainrule  # noqa: E402


@pytest.fixture(autouse=True)
def default_dtype():
    """Every test starts and ends with both libraries at their default float dtype."""
    yield
    torch.set_default_dtype(torch.float32)
    chainrule.set_default_dtype(chainrule.float32)
