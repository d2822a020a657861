"""The package ships its types (PEP 561): a user's ``mypy --strict`` checks their tests
against the fixtures', helpers' and strategies' signatures."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from mypy import api

import emulator

PACKAGE = Path(emulator.__file__).parent
USAGE = Path(__file__).parent / "data" / "typing" / "typed_usage.py"


def test_the_package_is_marked_typed() -> None:
    assert (PACKAGE / "py.typed").is_file()


def test_a_typed_users_tests_pass_mypy_strict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Outside the checkout, with the package found as installed (on the interpreter's
    # path, not as a source tree): mypy then reads it only through its py.typed.
    shutil.copy(USAGE, tmp_path)
    monkeypatch.chdir(tmp_path)
    path = os.pathsep.join(filter(None, [str(PACKAGE.parent), os.environ.get("PYTHONPATH")]))
    monkeypatch.setenv("PYTHONPATH", path)
    monkeypatch.delenv("MYPYPATH", raising=False)
    out, err, status = api.run(
        [
            "--strict",
            "--no-warn-unused-configs",
            "--config-file=",
            f"--cache-dir={tmp_path / 'cache'}",
            f"--python-executable={sys.executable}",
            USAGE.name,
        ]
    )
    assert status == 0, out + err
