"""The public surface is listed once, in ``__all__``."""

from __future__ import annotations

import importlib
import pkgutil
import types

import emulator


def test_all_equals_the_sorted_public_names() -> None:
    public = sorted(
        name
        for name, value in vars(emulator).items()
        if (not name.startswith("_") or name == "__version__")
        and not isinstance(value, types.ModuleType)
    )
    assert emulator.__all__ == public == ["Emulator", "__version__"]


def test_every_module_exports_only_what_it_defines() -> None:
    for info in pkgutil.walk_packages(emulator.__path__, "emulator."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        exported = getattr(module, "__all__", ())
        missing = [name for name in exported if not hasattr(module, name)]
        assert not missing, f"{info.name}.__all__ lists undefined {missing}"
        assert len(set(exported)) == len(exported), f"{info.name}.__all__ has duplicates"
