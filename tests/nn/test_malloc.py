"""``chainrule.nn._malloc``: glibc's allocator keeps large freed blocks (or nothing happens)."""
import os

from chainrule.nn import _malloc


def test_keep_freed_memory_is_safe_to_repeat():
    first = _malloc.keep_freed_memory()
    assert isinstance(first, bool)
    assert _malloc.keep_freed_memory() == first
    if os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc"):
        assert first                   # glibc accepts both settings


def test_keep_freed_memory_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("CHAINRULE_MALLOC_TUNING", "0")
    assert _malloc.keep_freed_memory() is False
