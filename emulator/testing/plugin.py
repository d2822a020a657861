"""pytest plugin (registered through the ``pytest11`` entry point).

Fixtures: ``sms_emulator`` (in-process, fresh per test, virtual clock) and
``sms_emulator_server`` (one live server per session, reset before each
test).  Marker: ``@pytest.mark.sms_scenario("name-or-path")``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ..emulator import Emulator
from .server import LiveServer

__all__ = ["make_sms_emulator_server", "sms_emulator", "sms_emulator_server"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sms-emulator")
    group.addoption(
        "--sms-emulator-url",
        default=None,
        help="run sms_emulator_server tests against this external emulator URL",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sms_scenario(name_or_path): scenario for the sms-emulator fixtures in this test"
    )


def scenario_for(node: pytest.Item) -> Any:
    """The scenario a test asked for with ``sms_scenario``, or None."""
    marker = node.get_closest_marker("sms_scenario")
    if marker is None:
        return None
    if not marker.args:
        raise pytest.UsageError("sms_scenario needs a scenario name, path or dict")
    return marker.args[0]


@pytest.fixture
def sms_emulator(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """A fresh in-process ``Emulator`` with a virtual clock; use ``.client()`` to call it."""
    emu = Emulator(scenario=scenario_for(request.node), clock="virtual")
    yield emu
    emu.close()


@pytest.fixture(scope="session")
def make_sms_emulator_server() -> Iterator[LiveServer]:
    """The session's live server (started once)."""
    with LiveServer(Emulator(clock="virtual")) as server:
        yield server


@pytest.fixture
def sms_emulator_server(
    make_sms_emulator_server: LiveServer, request: pytest.FixtureRequest
) -> LiveServer:
    """The session's live server, reset and given this test's scenario; ``.url`` to call it."""
    server = make_sms_emulator_server
    server.reset()
    server.load_scenario(scenario_for(request.node))
    return server
