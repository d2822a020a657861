"""pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:

- ``sms_emulator``: a fresh in-process emulator per test (virtual clock, no
  sockets, no threads); an ``Emulator`` with the ``MessageHelpers``.
- ``sms_emulator_server``: one live server per session (per xdist worker),
  reset before each test; ``.url`` plus the same methods.
- ``make_sms_emulator_server``: the session-scoped server behind it.

Markers: ``@pytest.mark.sms_scenario("name-or-path")`` (or a dict, or keyword
arguments forming the scenario document).  A relative path is looked up from
the working directory, then from the test file's folder.
``@pytest.mark.sms_clock("now")`` starts the virtual clock there instead of at
2026-01-01T00:00:00Z (for code that reads the wall clock).

Option: ``--sms-emulator-url URL`` points ``sms_emulator_server`` at an external
server (``sms-emulator serve``) through its admin API.  With pytest-xdist give
one URL per worker, comma-separated: workers sharing a server would reset each
other's state, so that is refused.  ``sms_emulator`` stays in-process.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from ..core.clock import to_timestamp
from ..scenario.loader import (
    ScenarioError,
    is_file,
    is_scenario_text,
    load_scenario,
    shipped_scenarios,
)
from ..scenario.schema import Scenario
from .helpers import InProcessEmulator
from .remote import RemoteEmulator, RemoteEmulatorError, RemoteEmulatorRefusal
from .server import LiveServer

__all__ = ["make_sms_emulator_server", "sms_emulator", "sms_emulator_server"]

_DEFAULT_SCENARIO = "happy-path"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sms-emulator")
    group.addoption(
        "--sms-emulator-url",
        default=None,
        metavar="URL",
        help="run sms_emulator_server tests against this external emulator "
        "(with pytest-xdist: one URL per worker, comma-separated)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sms_scenario(name_or_path_or_dict) or sms_scenario(**document): scenario for the "
        "sms-emulator fixtures in this test",
    )
    config.addinivalue_line(
        "markers",
        'sms_clock(start): start the sms-emulator fixtures\' virtual clock at "now" (the wall '
        "clock), an aware datetime, an ISO time or epoch seconds, not 2026-01-01T00:00:00Z",
    )
    option = config.getoption("sms_emulator_url", default=None)
    if option and getattr(config, "workerinput", None) is None:
        # On the controller (or without xdist), a bad URL list stops the run here, once,
        # instead of failing every test.  A worker checks its own URL in the fixture: one
        # replacing a crashed worker must still run the tests that need no server.
        urls = _urls(option)
        workers = _workers(config)
        if workers is not None and workers > len(urls):
            raise pytest.UsageError(_too_few_urls(workers, len(urls)))
        if workers is not None and workers > 1:
            _refuse_one_server_twice(urls[:workers])


#: On a test once its ``sms_scenario``/``sms_clock`` markers were read: by the fixtures,
#: however the test got them, or by a fixture of its own calling ``scenario_for``.
_MARKERS_READ = pytest.StashKey[bool]()
#: On a test whose body ran (a failed set-up or a skip reads no marker).
_BODY_RAN = pytest.StashKey[bool]()


# trylast: after the fixtures' teardown, which a warning turned error must not cut short
@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Warn of an ``sms_scenario``/``sms_clock`` marker on the test itself that nothing
    read while it ran: the test ran under the default scenario and clock, unseen."""
    own = {mark.name for mark in getattr(item, "own_markers", ())}
    marks = sorted(own & {"sms_scenario", "sms_clock"})
    if marks and item.stash.get(_BODY_RAN, False) and not item.stash.get(_MARKERS_READ, False):
        item.warn(
            pytest.PytestWarning(
                f"{' and '.join(marks)} on {item.name} changed nothing: neither sms_emulator"
                " nor sms_emulator_server was used, which read it; take one of them, or give"
                " the emulator you make yourself its scenario (InProcessEmulator('name'))"
            )
        )


def scenario_for(node: pytest.Item) -> Any:
    """The scenario a test asked for with ``sms_scenario`` (name, path or dict), or None."""
    node.stash[_MARKERS_READ] = True
    marker = node.get_closest_marker("sms_scenario")
    if marker is None:
        return None
    if (marker.args and marker.kwargs) or len(marker.args) > 1:
        raise pytest.UsageError(
            "sms_scenario takes one name, path or dict, or keyword arguments forming the"
            " whole document (a seed of your own: sms_scenario({**document, 'seed': 7}))"
        )
    if marker.kwargs:
        return dict(marker.kwargs)
    if not marker.args:
        raise pytest.UsageError("sms_scenario needs a scenario name, path or dict")
    spec = marker.args[0]
    if isinstance(spec, str | Path) and str(spec) not in shipped_scenarios():
        path = Path(spec)
        if not path.is_absolute() and not is_file(path):
            beside_test = Path(node.path).parent / path
            if is_file(beside_test):
                return beside_test
            named = not is_scenario_text(str(spec))
            if named and (path.suffix.lower() in (".yaml", ".yml", ".json") or "/" in str(spec)):
                here = Path.cwd() / path
                tried = (
                    f"{here}"
                    if here == beside_test
                    else f"neither {here} nor, beside the test, {beside_test}"
                )
                raise ScenarioError(f"scenario file not found: {tried}", source=str(spec))
    return spec


def clock_start_for(node: pytest.Item) -> float | str | None:
    """Where a test's ``sms_clock(start)`` marker starts the clock: epoch seconds, "now"
    (read when it is applied), or None without the marker."""
    node.stash[_MARKERS_READ] = True
    marker = node.get_closest_marker("sms_clock")
    if marker is None:
        return None
    given = [*marker.args, *(marker.kwargs[k] for k in marker.kwargs if k == "start")]
    if len(given) != 1 or set(marker.kwargs) - {"start"}:
        raise pytest.UsageError(
            'sms_clock takes one start: "now", an aware datetime, an ISO time or epoch seconds'
        )
    if given[0] == "now":
        return "now"
    try:
        return to_timestamp(given[0])
    except (ValueError, TypeError) as exc:
        raise pytest.UsageError(f"sms_clock: {exc}") from None


def _parsed(spec: Any) -> Scenario:
    """``spec`` as a Scenario; the loader parses each name or file once (per mtime)."""
    return load_scenario(_DEFAULT_SCENARIO if spec is None else spec)


@contextmanager
def _scenario_mistakes_reported() -> Iterator[None]:
    """A mistake in a test's scenario fails its set-up with the loader's message (file,
    line, field and hint) alone, not under a traceback through the loader's insides."""
    try:
        yield
    except (ScenarioError, RemoteEmulatorRefusal) as exc:  # the latter: an external server's
        # from None: else pytest prints the loader's error a second time, above "During
        # handling of the above exception, another exception occurred"
        raise pytest.fail.Exception(f"sms_scenario: {exc}", pytrace=False) from None


@pytest.fixture
def sms_emulator(request: pytest.FixtureRequest) -> Iterator[InProcessEmulator]:
    """A fresh in-process emulator with a virtual clock; ``.client()`` calls it."""
    with _scenario_mistakes_reported():
        scenario = _parsed(scenario_for(request.node))
    start = clock_start_for(request.node)
    emu = InProcessEmulator(scenario=scenario, clock="virtual", start=start)  # "now" too
    yield emu
    emu.close()


def _too_few_urls(workers: int, urls: int) -> str:
    return (
        f"--sms-emulator-url: {workers} xdist workers but {urls} server URL(s); "
        "give one URL per worker (comma-separated) so workers do not reset each "
        "other's state, or run without -n"
    )


def _start_clock(server: LiveServer | RemoteEmulator, start: float | str) -> None:
    """Move the reset server's clock to a test's ``sms_clock`` start (forward only)."""
    kind = server.clock_kind() if isinstance(server, RemoteEmulator) else server.clock.kind
    if kind == "real":
        if start != "now":
            raise pytest.UsageError(
                "sms_clock: the server runs on the real clock, which is always now"
                " (serve it with --clock virtual to start elsewhere)"
            )
        return
    ahead = (time.time() if start == "now" else float(start)) - server.time()
    if ahead < 0:
        raise pytest.UsageError(
            f"sms_clock: the server's clock starts at {server.now.isoformat()} after a"
            " reset and cannot go back; give a start after that, or use the in-process"
            " sms_emulator fixture, whose clock starts where the marker says"
        )
    server.advance(seconds=ahead)


def _urls(option: str) -> list[str]:
    """The comma-separated URLs, refused if none or one given twice."""
    urls = [u.strip() for u in option.split(",") if u.strip()]
    if not urls:
        raise pytest.UsageError("--sms-emulator-url needs a URL")
    for url in urls:
        if not url.lower().startswith(("http://", "https://")):
            raise pytest.UsageError(
                f"--sms-emulator-url {url}: give the scheme too (http://{url.split('://')[-1]})"
            )
    bare = [u.rstrip("/") for u in urls]
    repeated = sorted({u for u in bare if bare.count(u) > 1})
    if repeated:
        raise pytest.UsageError(
            f"--sms-emulator-url: {', '.join(repeated)} given more than once; each xdist "
            "worker needs a server of its own (workers would reset each other's state)"
        )
    return urls


def _refuse_one_server_twice(urls: list[str]) -> None:
    """Two spellings of one server (``localhost`` and ``127.0.0.1``) are refused as one
    URL given twice is: the server's ``instance`` tells. One not reachable now is left
    to the worker given it, which says so."""
    seen: dict[str, str] = {}
    for url in urls:
        try:
            remote = RemoteEmulator(url, timeout=5.0)
        except httpx.InvalidURL:  # no server at all: the worker given it says so
            continue
        with remote:
            try:
                instance = remote.health().get("instance")
            except (RemoteEmulatorError, AttributeError):
                continue
        if not isinstance(instance, str):  # an older server: not told apart
            continue
        if instance in seen:
            raise pytest.UsageError(
                f"--sms-emulator-url: {seen[instance]} and {url} are one server; each xdist "
                "worker needs a server of its own (workers would reset each other's state)"
            )
        seen[instance] = url


def _workers(config: pytest.Config) -> int | None:
    """How many xdist workers this run starts, when ``-n N`` says (else None)."""
    if config.getoption("collectonly", default=False):
        return None
    count = getattr(config.option, "numprocesses", None)
    if not isinstance(count, int) or count <= 0:
        return None
    most = getattr(config.option, "maxprocesses", None)
    return min(count, most) if isinstance(most, int) and most > 0 else count


def _url_for_worker(config: pytest.Config, option: str) -> str:
    urls = _urls(option)
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:
        return urls[0]
    index = int(str(workerinput["workerid"]).removeprefix("gw"))
    count = int(workerinput.get("workercount", index + 1))
    if count > len(urls):
        raise pytest.UsageError(_too_few_urls(count, len(urls)))
    if index >= len(urls):
        # xdist numbers a worker that replaces a crashed one past the others
        raise pytest.UsageError(
            f"--sms-emulator-url: xdist worker gw{index} replaces a crashed worker, and "
            f"which of the {len(urls)} servers was that worker's is not known; its tests "
            "cannot use a server (rerun them, or give a spare URL per worker)"
        )
    return urls[index]


@pytest.fixture(scope="session")
def make_sms_emulator_server(
    pytestconfig: pytest.Config,
) -> Iterator[LiveServer | RemoteEmulator]:
    """The session's server: a ``LiveServer`` started once, or the external one."""
    option = pytestconfig.getoption("sms_emulator_url", default=None)
    if option:
        remote = RemoteEmulator(_url_for_worker(pytestconfig, option))
        try:
            remote.health()
        except RemoteEmulatorError as exc:
            remote.close()
            raise pytest.UsageError(f"--sms-emulator-url: {exc}") from None
        try:
            yield remote
        finally:
            # Give the server back its own scenario (its "own", which markers sent as
            # temporary never change). What the last test did stays, for the inspector.
            try:
                remote.load_scenario(None)
            except RemoteEmulatorError:
                pass  # gone meanwhile: nothing to leave behind
            remote.close()
        return
    with LiveServer(InProcessEmulator(scenario=_parsed(None), clock="virtual")) as server:
        yield server


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A scenario a test taking ``make_sms_emulator_server`` itself (under ``@given``)
    loads in its body ends with it: the next test that takes the server and only resets
    it must not get it.  (``sms_emulator_server`` gives every test its own scenario; what
    fixtures load is theirs to undo.)"""
    item.stash[_BODY_RAN] = True
    funcargs = getattr(item, "funcargs", None) or {}
    server = funcargs.get("make_sms_emulator_server")
    if server is None or "sms_emulator_server" in funcargs:
        return (yield)
    before = _scenario_state(server)
    try:
        return (yield)
    finally:
        _restore_scenario(server, before)


def _scenario_state(server: LiveServer | RemoteEmulator) -> Any:
    """What ``_restore_scenario`` puts back: the scenario, or a remote server's state."""
    try:
        return server.scenario() if isinstance(server, RemoteEmulator) else server.scenario
    except RemoteEmulatorError:
        return None


def _restore_scenario(server: LiveServer | RemoteEmulator, before: Any) -> None:
    try:
        if not isinstance(server, RemoteEmulator):
            if server.scenario is not before:
                server.load_scenario(before)
        elif before is not None and server.scenario() != before:
            # its own scenario as its own (not a temporary copy), else the one it had (an
            # older server reports no "own": the one it had)
            own = before["scenario"] == before.get("own")
            server.load_scenario(None if own else before["scenario"])
    except RemoteEmulatorError:
        pass  # gone meanwhile: the next test using it says so


@pytest.fixture
def sms_emulator_server(
    make_sms_emulator_server: LiveServer | RemoteEmulator, request: pytest.FixtureRequest
) -> Iterator[LiveServer | RemoteEmulator]:
    """The session's server, reset and given this test's scenario; ``.url`` to call it.

    Clients the test got from its ``client()`` are closed after it.
    """
    server = make_sms_emulator_server
    server.reset()
    with _scenario_mistakes_reported():
        spec = scenario_for(request.node)
        if isinstance(server, RemoteEmulator):
            server.load_scenario(spec)
        else:
            server.load_scenario(_parsed(spec))
    start = clock_start_for(request.node)
    if start is not None:
        _start_clock(server, start)
    server._track_clients()
    yield server
    server._close_clients()
    # The test's scenario ends with it: make_sms_emulator_server used on its own (under
    # @given, reset per example) must not see the last marked test's scenario.  An
    # external server keeps it until the next test, for whoever inspects what it did.
    if not isinstance(server, RemoteEmulator):
        server.load_scenario(_parsed(None))
