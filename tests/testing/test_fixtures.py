"""The pytest fixtures, used as a test suite uses them, plus plugin registration."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from emulator import Emulator

pytest_plugins = ("pytester",)

START = datetime(2026, 1, 1, tzinfo=UTC)
INBOUND = {"provider": "ringcentral", "from": "+14155550100", "to": "+16505550100", "text": "hi"}


# sms_emulator: fresh per test.  Each test checks it starts clean, then dirties
# it; whichever runs second would see the first one's state if it leaked.


@pytest.mark.parametrize("run", [1, 2])
def test_sms_emulator_is_fresh_per_test(sms_emulator: Emulator, run: int) -> None:
    assert isinstance(sms_emulator, Emulator)
    assert sms_emulator.clock.kind == "virtual"
    assert sms_emulator.now == START
    assert sms_emulator.messages() == []
    assert sms_emulator.scenario.name == "happy-path"
    sms_emulator.inbound("ringcentral", "+14155550100", "+16505550100", f"run {run}")
    sms_emulator.advance("1h")
    sms_emulator.load_scenario({"name": "changed"})
    with sms_emulator.client() as client:
        assert client.get("/_emulator/health").json()["status"] == "ok"
        assert len(client.get("/_emulator/messages").json()["messages"]) == 1


@pytest.mark.sms_scenario({"name": "marked", "seed": 5, "timing": {"sent": "3s"}})
def test_sms_scenario_marker_with_a_dict(sms_emulator: Emulator) -> None:
    assert (sms_emulator.scenario.name, sms_emulator.seed) == ("marked", 5)
    assert sms_emulator.timing.sent == 3.0


@pytest.mark.sms_scenario("happy-path")
def test_sms_scenario_marker_with_a_shipped_name(sms_emulator: Emulator) -> None:
    assert sms_emulator.scenario.name == "happy-path"


# sms_emulator_server: one live server, reset before each test.


@pytest.mark.parametrize("run", [1, 2])
def test_sms_emulator_server_is_reset_per_test(sms_emulator_server: object, run: int) -> None:
    server = sms_emulator_server
    url = server.url  # type: ignore[attr-defined]
    assert url.startswith("http://127.0.0.1:")
    with httpx.Client(base_url=url) as client:
        assert client.get("/_emulator/health").json()["status"] == "ok"
        assert client.get("/_emulator/messages").json() == {"messages": []}
        assert client.get("/_emulator/clock").json()["now"] == "2026-01-01T00:00:00.000000Z"
        assert client.get("/_emulator/scenario").json()["name"] == "happy-path"
        assert client.post("/_emulator/inbound", json=INBOUND).status_code == 201
        client.post("/_emulator/clock", json={"advance": "1h"})
        client.put("/_emulator/scenario", content=b"name: dirty\n")
    # the same methods as Emulator, on the live state
    assert len(server.messages()) == 1  # type: ignore[attr-defined]
    assert server.now == datetime(2026, 1, 1, 1, tzinfo=UTC)  # type: ignore[attr-defined]


def test_sms_emulator_server_is_shared_across_tests(sms_emulator_server: object) -> None:
    # Started once per session: the same object as the session fixture's server.
    assert sms_emulator_server.url  # type: ignore[attr-defined]


@pytest.mark.sms_scenario({"name": "marked-live", "seed": 9})
def test_sms_scenario_marker_on_the_live_server(sms_emulator_server: object) -> None:
    with httpx.Client(base_url=sms_emulator_server.url) as client:  # type: ignore[attr-defined]
        scenario = client.get("/_emulator/scenario").json()
    assert (scenario["name"], scenario["seed"]) == ("marked-live", 9)


def test_live_server_methods_advance_the_served_clock(sms_emulator_server: object) -> None:
    sms_emulator_server.advance("30s")  # type: ignore[attr-defined]
    with httpx.Client(base_url=sms_emulator_server.url) as client:  # type: ignore[attr-defined]
        assert client.get("/_emulator/clock").json()["now"] == "2026-01-01T00:00:30.000000Z"


@pytest.mark.parametrize("fixture", ["sms_emulator", "sms_emulator_server"])
def test_webhook_report_is_the_admin_apis_in_every_flavour(
    request: pytest.FixtureRequest, fixture: str
) -> None:
    emu = request.getfixturevalue(fixture)
    emu.webhooks.schedule(emu.time() + 60, method="post", url="http://127.0.0.1:9/x", provider="p")
    with emu.client() as client:
        shown = client.get("/_emulator/webhooks").json()
    assert emu.webhook_report() == shown
    assert [(job["method"], job["due"]) for job in shown["pending"]] == [
        ("POST", "2026-01-01T00:01:00.000000Z")
    ]


# the plugin is registered by installing the package (pytest11 entry point)

INNER_TESTS = """
import httpx
import pytest


def test_in_process(sms_emulator):
    with sms_emulator.client() as client:
        assert client.get("/_emulator/health").json()["status"] == "ok"


@pytest.mark.sms_scenario({"name": "inner"})
def test_live(sms_emulator_server):
    with httpx.Client(base_url=sms_emulator_server.url) as client:
        assert client.get("/_emulator/scenario").json()["name"] == "inner"
"""

INNER_INI = """
[pytest]
addopts = --strict-markers -p no:cacheprovider -p no:randomly
filterwarnings = error
"""


def test_plugin_is_auto_registered(pytester: pytest.Pytester) -> None:
    pytester.makeini(INNER_INI)
    pytester.makepyfile(test_inner=INNER_TESTS)  # no conftest, no pytest_plugins
    result = pytester.runpytest_subprocess("-q")
    result.assert_outcomes(passed=2)


def test_plugin_lists_its_fixtures_marker_and_option(pytester: pytest.Pytester) -> None:
    pytester.makeini(INNER_INI)
    fixtures = pytester.runpytest_subprocess("--fixtures")
    fixtures.stdout.fnmatch_lines(["*sms_emulator*", "*sms_emulator_server*"])
    markers = pytester.runpytest_subprocess("--markers")
    markers.stdout.fnmatch_lines(["*sms_scenario*"])
    options = pytester.runpytest_subprocess("--help")
    options.stdout.fnmatch_lines(["*--sms-emulator-url*"])


def test_plugin_can_be_disabled_by_its_entry_point_name(pytester: pytest.Pytester) -> None:
    pytester.makeini(INNER_INI)
    pytester.makepyfile(test_inner="def test_in_process(sms_emulator):\n    pass\n")
    result = pytester.runpytest_subprocess("-q", "-p", "no:sms_emulator")
    result.stdout.fnmatch_lines(["*fixture 'sms_emulator' not found*"])
    result.assert_outcomes(errors=1)
