"""What ``pip install`` gives a user: the wheel's and the sdist's files and metadata,
shipped scenarios that are the package's own, and a pytest plugin that loads with the
package's dependencies alone (none of the test extra's)."""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest
from hatchling.builders.sdist import SdistBuilder
from hatchling.builders.wheel import WheelBuilder

import emulator

ROOT = Path(__file__).resolve().parent.parent

# Files a working copy may hold that no distribution should (each one .gitignore names).
_LOCAL_FILES = (
    ".coverage",
    ".coverage.host.1234.567890",
    "htmlcov/index.html",
    ".venv/pyvenv.cfg",
    ".ci-venv/pyvenv.cfg",
    "tests/e2e/js/node_modules/@ringcentral/sdk/package.json",
    "emulator/__pycache__/app.cpython-311.pyc",
    "tests/__pycache__/conftest.cpython-311-pytest-9.0.pyc",
    ".hypothesis/examples/0123/4567",
    ".pytest_cache/README.md",
    ".mypy_cache/3.11/emulator/app.meta.json",
    ".ruff_cache/CACHEDIR.TAG",
    "emulator/dev.db",
    "dev.db-wal",
    "dist/sms_emulator-0.0.9-py3-none-any.whl",
    "build/lib/emulator/app.py",
    "sms_emulator.egg-info/PKG-INFO",
)
# What copying the project leaves out: the above, as .gitignore names them, and .git.
_LOCAL_PATTERNS = (
    ".git",
    "*.py[cod]",
    ".venv",
    ".ci-venv",
    "node_modules",
    "__pycache__",
    ".hypothesis",
    ".pytest_cache",
    ".ruff_cache",
    ".mypy_cache",
    "htmlcov",
    "dist",
    "build",
    "*.egg-info",
    "*.db",
    "*.db-*",
    ".coverage",
    ".coverage.*",
)


def _files(top: Path) -> set[str]:
    return {p.relative_to(top).as_posix() for p in top.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[set[str], Path, Path]:
    """The project's files, and its wheel and sdist built from a copy of it that also
    holds every kind of local file (hatchling, the build backend, in-process: no network)."""
    src = tmp_path_factory.mktemp("checkout") / "sms-emulator"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(*_LOCAL_PATTERNS))
    project = _files(src)
    for name in _LOCAL_FILES:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text("local\n")
    out = tmp_path_factory.mktemp("dist")
    (wheel,) = WheelBuilder(str(src)).build(directory=str(out))
    (sdist,) = SdistBuilder(str(src)).build(directory=str(out))
    return project, Path(wheel), Path(sdist)


def test_the_wheel_holds_the_package_its_data_and_license_only(
    built: tuple[set[str], Path, Path],
) -> None:
    project, wheel, _ = built
    info = f"sms_emulator-{emulator.__version__}.dist-info"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        metadata = email.message_from_bytes(zf.read(f"{info}/METADATA"))
        entry_points = zf.read(f"{info}/entry_points.txt").decode()
    package = {name for name in project if name.startswith("emulator/")}
    scenarios = {
        f"emulator/_scenarios/{name.removeprefix('scenarios/')}"
        for name in project
        if name.startswith("scenarios/")
    }
    assert {name for name in names if not name.startswith(f"{info}/")} == package | scenarios
    assert {"emulator/admin/static/app.css", "emulator/admin/static/app.js"} <= names
    assert "emulator/admin/templates/base.html" in names
    assert "emulator/_scenarios/happy-path.yaml" in names
    # licenses/ since hatchling 1.27 (PEP 639), license_files/ before
    assert [name for name in names if name.endswith("/LICENSE")] in (
        [f"{info}/licenses/LICENSE"],
        [f"{info}/license_files/LICENSE"],
    )
    assert metadata["Name"] == "sms-emulator"
    assert metadata["Version"] == emulator.__version__
    assert metadata["License"] == "MIT"
    assert metadata["License-File"] == "LICENSE"
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert "[pytest11]\nsms_emulator = emulator.testing.plugin" in entry_points
    assert "sms-emulator = emulator.cli:main" in entry_points


def test_the_sdist_holds_the_project_without_local_files(
    built: tuple[set[str], Path, Path],
) -> None:
    project, _, sdist = built
    top = f"sms_emulator-{emulator.__version__}/"
    with tarfile.open(sdist) as tf:
        names = {m.name.removeprefix(top) for m in tf.getmembers() if m.isfile()}
    assert names == project | {"PKG-INFO"}
    # what building, and running the tests from it, needs
    assert {
        "LICENSE",
        "pyproject.toml",
        "README.md",
        "conftest.py",
        "tests/conftest.py",
        "tests/e2e/js/package.json",
        "tests/e2e/js/package-lock.json",
        "examples/ringcentral_client.py",
        "scenarios/happy-path.yaml",
    } <= names


def test_the_license_declared_is_the_one_shipped() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in text


def test_an_installed_package_lists_only_its_own_scenarios(tmp_path: Path) -> None:
    # the wheel's layout: the package, its scenarios inside it (force-include); beside it
    # in site-packages, another distribution's top-level "scenarios" folder
    site = tmp_path / "site-packages"
    shutil.copytree(
        ROOT / "emulator", site / "emulator", ignore=shutil.ignore_patterns(*_LOCAL_PATTERNS)
    )
    shutil.copytree(ROOT / "scenarios", site / "emulator" / "_scenarios")
    (site / "scenarios").mkdir()
    (site / "scenarios" / "intruder.yaml").write_text("name: intruder\nversion: 1\n")
    (site / "scenarios" / "happy-path.yaml").write_text("name: happy-path\nversion: 1\n")
    code = (
        "from emulator.scenario.loader import shipped_scenarios\n"
        "for name, path in sorted(shipped_scenarios().items()): print(name, path)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    shipped = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert sorted(shipped) == sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
    assert all(Path(path).parent == site / "emulator" / "_scenarios" for path in shipped.values())


# The test extra's packages, and pytest-xdist's: a user's project has none of them.
_NOT_INSTALLED = ("requests", "urllib3", "ringcentral", "playwright", "jsonschema", "trio")
_NOT_INSTALLED += ("trustme", "xdist", "execnet", "ruff")

_WITHOUT_THEM = f"""
import importlib.abc, sys

class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {_NOT_INSTALLED!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)

sys.meta_path.insert(0, NotInstalled())
import pytest
off = ["-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:xdist.looponfail"]
sys.exit(pytest.main(["-q", "-W", "error", *off]))
"""

_USERS_TESTS = """
import httpx
import pytest
from hypothesis import given, settings

from emulator.testing.helpers import InProcessEmulator
from emulator.testing.invariants import check_recipients_accounted
from emulator.testing.strategies import sendbulk_sms_bodies


def test_in_process(sms_emulator):
    answer = sms_emulator.client().post("/api/services/sendsms", json={
        "partnerID": "1234", "apikey": "key", "shortcode": "SHOP",
        "mobile": "0712345678", "message": "Your code is 5521"})
    assert answer.status_code == 200
    assert sms_emulator.last_code("0712345678") == "5521"


@pytest.mark.sms_scenario("invalid-numbers")
def test_live_server(sms_emulator_server):
    answer = httpx.post(sms_emulator_server.url + "/api/services/sendsms", json={
        "partnerID": "1234", "apikey": "key", "shortcode": "SHOP",
        "mobile": "0712345678", "message": "Your code is 5521"})
    assert answer.status_code == 200
    assert sms_emulator_server.scenario.name == "invalid-numbers"


@settings(max_examples=5, deadline=None, derandomize=True)
@given(body=sendbulk_sms_bodies(max_numbers=3))
def test_strategies(body):
    mobiles = body["mobile"].split(",")
    answer = InProcessEmulator().client().post("/api/services/sendsms", json=body).json()
    assert [r["response-code"] for r in answer["responses"]] == [200] * len(mobiles)
    check_recipients_accounted(mobiles, mobiles, [])


def test_the_requests_adapter_is_for_who_has_requests():
    with pytest.raises(ModuleNotFoundError, match="requests"):
        import emulator.testing.requests_adapter  # noqa: F401
"""


def test_the_pytest_plugin_needs_none_of_the_test_extra(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_users_client.py").write_text(textwrap.dedent(_USERS_TESTS))
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_THEM],
        cwd=tmp_path,
        # trio, installed here, is a Hypothesis plugin: Hypothesis would load it
        env={
            # a user's pytest loads the plugin itself (whatever this run was told)
            **{k: v for k, v in os.environ.items() if k != "PYTEST_DISABLE_PLUGIN_AUTOLOAD"},
            "PYTHONPATH": str(ROOT),
            "PYTEST_ADDOPTS": "",
            "HYPOTHESIS_NO_PLUGINS": "1",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout, result.stdout
