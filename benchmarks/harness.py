"""Harness costs: the ``sms_emulator`` fixture per test, and ``sms-emulator serve`` start-up.

* Fixture: pytest itself runs a generated file of tests using ``sms_emulator``
  and as many using an empty fixture; a ``conftest.py`` hook collects each
  test's set-up + teardown durations as pytest reports them. Reported: the
  median per test (the first test, which pays one-off imports, is left out)
  against the 2 ms target, and as a ratio over the empty fixture.
* Serve: ``python -m emulator serve`` in a subprocess, from ``Popen`` to the
  first ``200`` from ``/_emulator/health`` (target ≤ 1 s), also as a ratio over
  ``python -c pass``.

``python benchmarks/harness.py [--tests 300]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import HOST, free_port, result, wait_http

_CONFTEST = """
import json
import pytest

_durations = {}


@pytest.fixture
def empty():
    yield None


def pytest_runtest_logreport(report):
    _durations.setdefault(report.nodeid, {})[report.when] = report.duration


def pytest_sessionfinish(session):
    with open("durations.json", "w") as out:
        json.dump(_durations, out)
"""

_TESTS = """
import pytest

N = {count}


@pytest.mark.parametrize("i", range(N))
def test_with_emulator(sms_emulator, i):
    assert sms_emulator.time() > 0


@pytest.mark.parametrize("i", range(N))
def test_with_empty(empty, i):
    assert empty is None


@pytest.mark.parametrize("i", range(N))
def test_with_client(sms_emulator, i):
    with sms_emulator.client() as client:
        assert client is not None
"""


def fixture_costs(count: int) -> dict[str, float]:
    """Median seconds per test, the first test of each kind left out.

    ``emulator``/``empty``: set-up + teardown of ``sms_emulator`` / an empty
    fixture; ``client``: set-up + call + teardown of a test that only opens
    ``sms_emulator.client()`` (which builds the emulator's ASGI app).
    """
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "conftest.py").write_text(_CONFTEST)
        (folder / "test_fixture_cost.py").write_text(_TESTS.format(count=count))
        (folder / "pytest.ini").write_text("[pytest]\n")
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"],
            cwd=folder,
            check=True,
            capture_output=True,
            timeout=300,
        )
        durations = json.loads((folder / "durations.json").read_text())

    def median(kind: str, phases: tuple[str, ...]) -> float:
        found = [sum(d[p] for p in phases) for node, d in durations.items() if kind in node]
        return statistics.median(found[1:])

    fixture = ("setup", "teardown")
    return {
        "emulator": median("test_with_emulator", fixture),
        "empty": median("test_with_empty", fixture),
        "client": median("test_with_client", ("setup", "call", "teardown")),
    }


def start_time() -> float:
    """Seconds from spawning ``sms-emulator serve`` to its first health answer."""
    port = free_port()
    argv = [sys.executable, "-m", "emulator", "serve", "--host", HOST, "--port", str(port)]
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        answered = wait_http(f"http://{HOST}:{port}/_emulator/health", started + 30)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return answered - started


def python_start() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tests", type=int, default=300, help="tests per fixture")
    args = parser.parse_args(argv)

    costs = fixture_costs(args.tests)
    emulator, empty = costs["emulator"], costs["empty"]
    result(
        "harness.fixture",
        emulator / empty,
        "<= 2 ms per test (absolute)",
        emulator <= 0.002,
        f"sms_emulator set-up + teardown {emulator * 1000:.3f} ms per test "
        f"vs empty fixture {empty * 1000:.3f} ms (median of {args.tests - 1} tests); "
        f"a test that also opens sms_emulator.client() (builds the app): "
        f"{costs['client'] * 1000:.3f} ms in all",
        seconds=emulator,
        baseline=empty,
        with_client=costs["client"],
    )
    python = min(python_start() for _ in range(3))
    serve = statistics.median(start_time() for _ in range(3))
    result(
        "harness.serve_start",
        serve / python,
        "<= 1 s to health (absolute)",
        serve <= 1.0,
        f"sms-emulator serve answered /_emulator/health {serve:.3f} s after spawn "
        f"(median of 3) vs python -c pass {python:.3f} s",
        seconds=serve,
        baseline=python,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
