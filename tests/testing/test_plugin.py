"""The pytest plugin, run the way users run it: in a separate pytest session (pytester)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from types import SimpleNamespace

# httpx imports httpcore lazily.  Imported first inside an in-process pytester
# run, it would be dropped from sys.modules afterwards and re-imported, and
# httpx's exception mapping would stop recognising its connection errors.
import httpcore  # noqa: F401
import pytest

from emulator.testing.helpers import InProcessEmulator
from emulator.testing.plugin import _refuse_one_server_twice, _url_for_worker, _workers
from emulator.testing.server import LiveServer

pytest_plugins = ("pytester",)

INI = """
[pytest]
addopts = --strict-markers -p no:cacheprovider -p no:randomly
filterwarnings = error
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini(INI)
    return pytester


@pytest.fixture(scope="module")
def external() -> Iterator[LiveServer]:
    """A server the inner sessions reach through ``--sms-emulator-url``."""
    with LiveServer(InProcessEmulator()) as server:
        yield server


def test_fixtures_are_registered_by_installing(project: pytest.Pytester) -> None:
    result = project.runpytest("--fixtures")
    for name in ("sms_emulator", "sms_emulator_server", "make_sms_emulator_server"):
        result.stdout.fnmatch_lines([f"{name}*"])
    result = project.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.sms_scenario*"])
    result = project.runpytest("--help")
    result.stdout.fnmatch_lines(["*--sms-emulator-url=URL*"])


def test_in_process_fixture_is_fresh_per_test(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        from emulator import Emulator

        def test_first(sms_emulator):
            assert isinstance(sms_emulator, Emulator)
            assert sms_emulator.clock.kind == "virtual"
            assert sms_emulator.scenario.name == "happy-path"
            sms_emulator.advance("1h")
            assert sms_emulator.client().get("/_emulator/health").json()["status"] == "ok"

        def test_second(sms_emulator):
            assert sms_emulator.now.isoformat() == "2026-01-01T00:00:00+00:00"
            assert sms_emulator.sent_messages() == []
            assert sms_emulator.webhooks._worker is None  # no thread for in-process
        """
    )
    project.runpytest().assert_outcomes(passed=2)


@pytest.mark.parametrize("where", ["live", "remote"])
def test_a_client_a_test_left_open_is_closed_after_it(
    project: pytest.Pytester, external: LiveServer, where: str
) -> None:
    """Under ``-W error`` an unclosed socket collected later would fail some other test."""
    project.makepyfile(
        """
        import gc
        import pytest

        @pytest.fixture(scope="session")
        def kept(make_sms_emulator_server):
            with make_sms_emulator_server.client() as client:
                yield client

        def test_left_open(sms_emulator_server, kept):
            assert sms_emulator_server.client().get("/_emulator/health").status_code == 200
            assert kept.get("/_emulator/health").status_code == 200

        def test_next(sms_emulator_server, kept):
            gc.collect()
            assert kept.get("/_emulator/health").status_code == 200  # a session's stays open
        """
    )
    args = ["-p", "no:randomly"]
    if where == "remote":
        args += ["--sms-emulator-url", external.url]
    project.runpytest(*args).assert_outcomes(passed=2)


def test_live_fixture_is_one_server_reset_per_test(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import httpx

        urls = []

        def test_first(sms_emulator_server):
            urls.append(sms_emulator_server.url)
            assert httpx.get(sms_emulator_server.url + "/_emulator/health").status_code == 200
            sms_emulator_server.advance("1h")

        def test_second(sms_emulator_server):
            assert urls == [sms_emulator_server.url]
            assert sms_emulator_server.now.isoformat() == "2026-01-01T00:00:00+00:00"
            assert sms_emulator_server.requests() == []
        """
    )
    project.runpytest().assert_outcomes(passed=2)


def test_clock_marker_starts_the_clock_where_asked(
    project: pytest.Pytester, external: LiveServer
) -> None:
    """For code that reads the wall clock: the fixtures' clock starts "now" or anywhere."""
    project.makepyfile(
        """
        import time
        from datetime import UTC, datetime

        import pytest

        def test_default(sms_emulator, sms_emulator_server):
            assert sms_emulator.now == sms_emulator_server.now == datetime(2026, 1, 1, tzinfo=UTC)

        @pytest.mark.sms_clock("now")
        def test_now(sms_emulator, sms_emulator_server):
            for emu in (sms_emulator, sms_emulator_server):
                assert abs(emu.time() - time.time()) < 60
            sms_emulator.advance("1m")  # still virtual
            assert sms_emulator.time() - time.time() > 30

        @pytest.mark.sms_clock(start="2027-03-01T08:00:00Z")
        def test_a_given_start(sms_emulator, sms_emulator_server):
            march = datetime(2027, 3, 1, 8, tzinfo=UTC)
            assert sms_emulator.now == sms_emulator_server.now == march

        @pytest.mark.sms_clock("2025-01-01T00:00:00Z")
        def test_before_the_servers_start(sms_emulator):
            assert sms_emulator.now.year == 2025  # in-process: anywhere

        @pytest.mark.sms_clock("2025-01-01T00:00:00Z")
        def test_a_server_cannot_go_back(sms_emulator_server):
            pass

        @pytest.mark.sms_clock("tomorrow")
        def test_unreadable(sms_emulator):
            pass
        """
    )
    for url in ([], ["--sms-emulator-url", external.url]):
        result = project.runpytest("-p", "no:randomly", *url)
        result.assert_outcomes(passed=4, errors=2)
        result.stdout.fnmatch_lines(
            [
                "*sms_clock: the server's clock starts at 2026-01-01*cannot go back;"
                " give a start after*sms_emulator fixture*",
                "*sms_clock:*",
            ]
        )


def test_clock_marker_against_a_server_on_the_real_clock(project: pytest.Pytester) -> None:
    """``serve``'s default clock is real: already "now", and nowhere else."""
    project.makepyfile(
        """
        import time

        import pytest

        @pytest.mark.sms_clock("now")
        def test_now(sms_emulator_server):
            assert abs(sms_emulator_server.time() - time.time()) < 60

        @pytest.mark.sms_clock("2030-01-01T00:00:00Z")
        def test_elsewhere(sms_emulator_server):
            pass
        """
    )
    with LiveServer(InProcessEmulator(clock="real")) as real:
        result = project.runpytest("-p", "no:randomly", "--sms-emulator-url", real.url)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*sms_clock: the server runs on the real clock*--clock virtual*"])


def test_a_clock_marker_given_other_than_one_start_is_a_usage_error(
    project: pytest.Pytester,
) -> None:
    project.makepyfile(
        """
        import pytest

        @pytest.mark.sms_clock("now", "2027-01-01T00:00:00Z")
        def test_two_starts(sms_emulator):
            pass

        @pytest.mark.sms_clock()
        def test_no_start(sms_emulator):
            pass

        @pytest.mark.sms_clock(when="now")
        def test_another_keyword(sms_emulator):
            pass

        @pytest.mark.sms_clock(start="now")
        def test_one_start(sms_emulator):
            pass
        """
    )
    result = project.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=3)
    refused = [line for line in result.stdout.lines if line.startswith("E ")]
    usage = 'UsageError: sms_clock takes one start: "now", an aware datetime, an ISO time or epoch'
    assert sum(usage in line for line in refused) == 3


def test_scenario_marker_forms(project: pytest.Pytester) -> None:
    project.makefile(".yaml", beside="name: beside-the-test\nseed: 21\n")
    project.makepyfile(
        """
        import pytest

        @pytest.mark.sms_scenario("happy-path")
        def test_by_name(sms_emulator):
            assert sms_emulator.scenario.name == "happy-path"

        @pytest.mark.sms_scenario({"name": "as-dict", "seed": 3})
        def test_by_dict(sms_emulator, sms_emulator_server):
            assert sms_emulator.scenario.seed == 3
            assert sms_emulator_server.scenario.name == "as-dict"

        @pytest.mark.sms_scenario(name="as-keywords", seed=4)
        def test_by_keywords(sms_emulator):
            assert (sms_emulator.scenario.name, sms_emulator.seed) == ("as-keywords", 4)

        @pytest.mark.sms_scenario("beside.yaml")
        def test_by_path(sms_emulator, sms_emulator_server):
            assert sms_emulator.scenario.name == "beside-the-test"
            assert sms_emulator_server.scenario.seed == 21

        def test_unmarked_gets_the_default_back(sms_emulator_server):
            assert sms_emulator_server.scenario.name == "happy-path"

        @pytest.mark.sms_scenario("invalid-numbers")
        def test_marked_server(sms_emulator_server):
            assert sms_emulator_server.scenario.name == "invalid-numbers"

        def test_the_session_server_alone_has_the_session_scenario(make_sms_emulator_server):
            # as a @given test takes it: the marked test's scenario ended with that test
            make_sms_emulator_server.reset()
            assert make_sms_emulator_server.scenario.name == "happy-path"

        @pytest.mark.sms_scenario
        class TestOnAClass:
            pass

        @pytest.mark.sms_scenario({"name": "class-wide"})
        class TestClassWide:
            def test_inherits(self, sms_emulator):
                assert sms_emulator.scenario.name == "class-wide"
        """
    )
    project.runpytest("-p", "no:randomly").assert_outcomes(passed=8)


SCENARIO_OF_A_GIVEN_TEST = """
    import pytest
    from hypothesis import given, settings, strategies as st

    @settings(max_examples=2, deadline=None)
    @given(st.just(1))
    def test_given_loads_its_own(make_sms_emulator_server, x):
        make_sms_emulator_server.reset()
        make_sms_emulator_server.load_scenario({"name": "for-the-given-test"})

    def name(server):
        return server.scenario()["name"] if callable(server.scenario) else server.scenario.name

    def test_the_next_one_only_resets(make_sms_emulator_server):
        make_sms_emulator_server.reset()
        assert name(make_sms_emulator_server) == "{expected}"

    @pytest.fixture(scope="module")
    def prepared(make_sms_emulator_server):
        make_sms_emulator_server.load_scenario({"name": "for-the-module"})
        return make_sms_emulator_server

    def test_a_fixtures_scenario_is_its_own_to_undo(prepared):
        assert name(prepared) == "for-the-module"

    def test_and_stays_for_the_tests_using_it(prepared):
        assert name(prepared) == "for-the-module"
"""


@pytest.mark.parametrize("remote", [False, True], ids=["live", "remote"])
def test_a_scenario_a_test_loads_on_the_session_server_ends_with_it(
    project: pytest.Pytester, external: LiveServer, remote: bool
) -> None:
    """A test taking ``make_sms_emulator_server`` itself (as a ``@given`` test does) and
    loading a scenario left it to the next such test, which only resets the server."""
    external.reset()
    external.load_scenario({"name": "started-with"})
    expected = "started-with" if remote else "happy-path"
    project.makepyfile(SCENARIO_OF_A_GIVEN_TEST.replace("{expected}", expected))
    options = ["--sms-emulator-url", external.url] if remote else []
    project.runpytest(*options).assert_outcomes(passed=4)


def test_a_scenario_a_test_loads_ends_with_it_on_an_older_server_too(
    project: pytest.Pytester, external: LiveServer
) -> None:
    """An older server reports no ``own`` scenario (``RemoteEmulator`` supports it): the
    one it had is put back, instead of a ``KeyError`` failing the test that loaded one."""
    external.reset()
    external.load_scenario({"name": "started-with"})
    project.makepyfile(
        """
        import pytest
        from emulator.testing.remote import RemoteEmulator

        @pytest.fixture(autouse=True)
        def older_server(monkeypatch):
            scenario = RemoteEmulator.scenario

            def without_own(self):
                state = dict(scenario(self))
                state.pop("own", None)
                return state

            monkeypatch.setattr(RemoteEmulator, "scenario", without_own)

        def test_loads_its_own(make_sms_emulator_server):
            make_sms_emulator_server.load_scenario({"name": "for-this-test"})

        def test_the_next_one_only_resets(make_sms_emulator_server):
            make_sms_emulator_server.reset()
            assert make_sms_emulator_server.scenario()["name"] == "started-with"
        """
    )
    project.runpytest("--sms-emulator-url", external.url).assert_outcomes(passed=2)


def test_scenario_marker_errors_are_clear(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import pytest

        @pytest.mark.sms_scenario("no-such-scenario")
        def test_unknown(sms_emulator):
            pass

        @pytest.mark.sms_scenario({"rules": [{"outcome": "exploded"}]})
        def test_invalid(sms_emulator_server):
            pass

        @pytest.mark.sms_scenario()
        def test_empty(sms_emulator):
            pass

        @pytest.mark.sms_scenario("scenarios/missing.yaml")
        def test_missing_file(sms_emulator):
            pass

        @pytest.mark.sms_scenario("happy-path", seed=7)
        def test_name_and_keywords(sms_emulator):
            pass

        @pytest.mark.sms_scenario("happy-path", "opt-outs")
        def test_two_names(sms_emulator):
            pass

        @pytest.mark.sms_scenario("name: x\\nproviders: {sendbulk: {inbound_url: http://a/b}}")
        def test_yaml_text_with_a_url_is_a_scenario(sms_emulator):
            assert sms_emulator.scenario.provider_options("sendbulk")["inbound_url"]

        @pytest.mark.sms_scenario('{"providers": {"sendbulk": {"inbound_url": "http://a/b"}}}')
        def test_json_text_with_a_url_is_a_scenario(sms_emulator):
            assert sms_emulator.scenario.provider_options("sendbulk")["inbound_url"]
        """
    )
    result = project.runpytest()
    result.assert_outcomes(errors=6, passed=2)
    result.stdout.fnmatch_lines(
        [
            "*unknown scenario 'no-such-scenario' (shipped scenarios:*happy-path*",
            "*rules?0?.outcome: unknown outcome 'exploded'*",
            "*sms_scenario needs a scenario name, path or dict*",
            "*scenarios/missing.yaml: scenario file not found:"
            f" {project.path}/scenarios/missing.yaml",
        ],
        consecutive=False,
    )
    refused = [line for line in result.stdout.lines if line.startswith("E ")]
    assert sum("UsageError: sms_scenario takes one name, path or dict" in x for x in refused) == 2
    # the loader's message alone, not a traceback through the loader's code
    assert not [line for line in result.stdout.lines if "scenario/loader.py" in line]
    # and once: not the loader's error again above "During handling of the above exception"
    assert "During handling of the above exception" not in result.stdout.str()
    # counted above the short summary, which CI (env CI set) prints untruncated
    report = result.stdout.str().partition("short test summary info")[0]
    assert report.count("unknown outcome 'exploded'") == 1


def test_a_missing_scenario_file_names_both_places_looked_in(project: pytest.Pytester) -> None:
    sub = project.mkdir("sub")
    (sub / "test_in_sub.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.sms_scenario('gone.yaml')\n"
        "def test_it(sms_emulator):\n"
        "    pass\n"
    )
    result = project.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            f"*gone.yaml: scenario file not found: neither {project.path}/gone.yaml"
            f" nor, beside the test, {sub}/gone.yaml*"
        ]
    )


def test_a_scenario_file_beside_the_test_is_found_from_another_working_directory(
    project: pytest.Pytester,
) -> None:
    """Not in the working directory (the run starts from the project's root): the
    test's own folder is looked in next."""
    sub = project.mkdir("sub")
    (sub / "beside.yaml").write_text("name: in-sub\nseed: 5\n")
    (sub / "test_in_sub.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.sms_scenario('beside.yaml')\n"
        "def test_it(sms_emulator, sms_emulator_server):\n"
        "    assert sms_emulator.scenario.name == 'in-sub'\n"
        "    assert sms_emulator_server.scenario.seed == 5\n"
    )
    project.runpytest().assert_outcomes(passed=1)


def test_url_option_runs_the_server_fixture_against_an_external_server(
    project: pytest.Pytester, external: LiveServer
) -> None:
    external.reset()
    external.load_scenario({"name": "started-with", "seed": 9})
    project.makepyfile(
        """
        import pytest
        from emulator.testing.remote import RemoteEmulator

        def test_remote(sms_emulator_server, pytestconfig):
            assert isinstance(sms_emulator_server, RemoteEmulator)
            assert sms_emulator_server.url == pytestconfig.getoption("sms_emulator_url")
            assert sms_emulator_server.scenario()["name"] == "started-with"
            sms_emulator_server.advance("2h")

        @pytest.mark.sms_scenario({"name": "for-this-test"})
        def test_marker_applies_remotely(sms_emulator_server):
            assert sms_emulator_server.now.isoformat() == "2026-01-01T00:00:00+00:00"
            assert sms_emulator_server.scenario()["name"] == "for-this-test"

        def test_default_restored(sms_emulator_server, sms_emulator):
            assert sms_emulator_server.scenario()["name"] == "started-with"
            assert sms_emulator.scenario.name == "happy-path"  # still in-process
        """
    )
    project.runpytest("--sms-emulator-url", external.url).assert_outcomes(passed=3)
    assert external.scenario.name == "started-with"
    # A run ending with a marked test leaves the server as it found it: the next run's
    # unmarked tests get the server's own scenario, not the last test's.
    project.makepyfile(
        """
        import pytest

        @pytest.mark.sms_scenario({"name": "for-the-last-test"})
        def test_marked(sms_emulator_server):
            sms_emulator_server.advance("1h")
        """
    )
    project.runpytest("--sms-emulator-url", external.url).assert_outcomes(passed=1)
    assert external.scenario.name == "started-with"
    assert external.now.isoformat() == "2026-01-01T01:00:00+00:00"  # the last test's state stays
    health_checks = [e for e in external.requests() if e["path"] == "/_emulator/health"]
    assert health_checks == []  # the admin API is not journalled; nothing else hit it


def test_url_option_with_an_unreachable_server(project: pytest.Pytester) -> None:
    sock = socket.socket()  # bound, not listening: a server not started, refused at once
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    project.makepyfile(
        """
        def test_needs_server(sms_emulator_server):
            pass

        def test_in_process_still_works(sms_emulator):
            pass
        """
    )
    try:
        result = project.runpytest("--sms-emulator-url", url)
    finally:
        sock.close()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([f"*--sms-emulator-url: cannot reach the sms-emulator at {url}*"])


RECORD_WORKER = """
import os, pathlib

def record(server):
    out = pathlib.Path(os.environ["SMS_OUT"])
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    (out / f"{worker}-{os.getpid()}-{id(server)}").write_text(server.url)

{tests}
"""


def test_xdist_workers_get_their_own_server(
    project: pytest.Pytester,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("xdist")
    out = tmp_path_factory.mktemp("workers")
    monkeypatch.setenv("SMS_OUT", str(out))
    tests = "\n".join(
        f"""
def test_{i}(sms_emulator_server):
    record(sms_emulator_server)
    assert sms_emulator_server.sent_messages() == []
    sms_emulator_server.emulator.advance("{i + 1}h")
"""
        for i in range(8)
    )
    project.makepyfile(RECORD_WORKER.replace("{tests}", tests))
    result = project.runpytest_subprocess("-n", "2")
    result.assert_outcomes(passed=8)
    urls_by_worker: dict[str, set[str]] = {}
    for path in out.iterdir():
        urls_by_worker.setdefault(path.name.split("-")[0], set()).add(path.read_text())
    assert sorted(urls_by_worker) == ["gw0", "gw1"]
    assert all(len(urls) == 1 for urls in urls_by_worker.values())  # one server per worker
    assert urls_by_worker["gw0"] != urls_by_worker["gw1"]


@pytest.mark.parametrize(
    ("option", "worker", "expected"),
    [
        ("http://a:1", None, "http://a:1"),
        ("http://a:1, http://b:2", None, "http://a:1"),
        ("http://a:1,http://b:2", {"workerid": "gw1", "workercount": 2}, "http://b:2"),
        ("http://a:1,http://b:2,http://c:3", {"workerid": "gw0", "workercount": 2}, "http://a:1"),
    ],
)
def test_url_for_each_worker(option: str, worker: dict | None, expected: str) -> None:
    config = SimpleNamespace(workerinput=worker) if worker else SimpleNamespace()
    assert _url_for_worker(config, option) == expected  # type: ignore[arg-type]


def test_the_same_url_twice_is_refused() -> None:
    config = SimpleNamespace(workerinput={"workerid": "gw0", "workercount": 2})
    with pytest.raises(pytest.UsageError, match="http://a:1 given more than once"):
        _url_for_worker(config, "http://a:1,http://a:1/")  # type: ignore[arg-type]


def test_one_server_under_two_urls_is_refused_for_two_workers(
    project: pytest.Pytester, external: LiveServer
) -> None:
    """``localhost`` and ``127.0.0.1`` are one server: two workers would reset each
    other's state as surely as with one URL given twice."""
    port = external.url.rsplit(":", 1)[1]
    twice = f"{external.url},http://localhost:{port}"
    with pytest.raises(pytest.UsageError, match=f"{external.url} and http://localhost:{port}"):
        _refuse_one_server_twice(twice.split(","))
    project.makepyfile("def test_a(sms_emulator_server): pass\ndef test_b(): pass\n")
    result = project.runpytest_subprocess("-n", "2", "--sms-emulator-url", twice)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "are one server" in "\n".join(result.outlines + result.errlines)
    with LiveServer(InProcessEmulator()) as other:  # two servers: no refusal
        _refuse_one_server_twice([external.url, other.url, "http://127.0.0.1:9"])


def test_a_url_httpx_cannot_parse_is_left_to_its_worker_not_an_internal_error(
    external: LiveServer,
) -> None:
    """Telling servers apart must not turn a malformed URL (``http://[::1``, a bad port)
    into pytest's INTERNALERROR traceback: as for an unreachable one, the worker given
    it reports it."""
    _refuse_one_server_twice(["http://[::1", external.url, "http://127.0.0.1:99999"])


def test_a_worker_replacing_a_crashed_one_is_told_why_it_has_no_server() -> None:
    config = SimpleNamespace(workerinput={"workerid": "gw2", "workercount": 2})
    with pytest.raises(pytest.UsageError, match="gw2 replaces a crashed worker"):
        _url_for_worker(config, "http://a:1,http://b:2")  # type: ignore[arg-type]


def test_one_url_for_two_workers_is_refused() -> None:
    config = SimpleNamespace(workerinput={"workerid": "gw0", "workercount": 2})
    with pytest.raises(pytest.UsageError, match="2 xdist workers but 1 server URL"):
        _url_for_worker(config, "http://a:1")  # type: ignore[arg-type]


def test_a_url_without_its_scheme_is_refused_with_the_fix() -> None:
    config = SimpleNamespace()
    with pytest.raises(pytest.UsageError, match=r"give the scheme too \(http://127.0.0.1:8787\)"):
        _url_for_worker(config, "127.0.0.1:8787")  # type: ignore[arg-type]
    with pytest.raises(pytest.UsageError, match=r"\(http://h:1\)"):
        _url_for_worker(config, "http://a:1,ftp://h:1")  # type: ignore[arg-type]
    with pytest.raises(pytest.UsageError, match="needs a URL"):
        _url_for_worker(SimpleNamespace(), " , ")  # type: ignore[arg-type]


def test_too_few_urls_for_the_workers_stop_the_run_once(project: pytest.Pytester) -> None:
    """Each test used to error with the same message, and the tests that need no
    server still ran."""
    project.makepyfile(
        "def test_a(sms_emulator_server): pass\n"
        "def test_b(sms_emulator_server): pass\n"
        "def test_c(sms_emulator): pass\n"
    )
    result = project.runpytest_subprocess("-n", "2", "--sms-emulator-url", "http://127.0.0.1:9")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    output = "\n".join(result.outlines + result.errlines)
    assert output.count("2 xdist workers but 1 server URL") == 1
    assert " passed" not in output and " errors" not in output  # no test ran


@pytest.mark.parametrize(
    ("options", "workers"),
    [
        ({"numprocesses": 4}, 4),
        ({"numprocesses": 4, "maxprocesses": 2}, 2),  # xdist starts min(n, maxprocesses)
        ({"numprocesses": 4, "collectonly": True}, None),  # nothing will run
        ({"numprocesses": None}, None),  # no -n (or --tx): the workers check for themselves
        ({"numprocesses": 0}, None),
    ],
)
def test_the_workers_a_run_starts_are_counted_as_xdist_counts_them(
    options: dict, workers: int | None
) -> None:
    """``-n 4 --maxprocesses 2`` with two URLs was refused: it starts two workers."""
    option = SimpleNamespace(**{"maxprocesses": None, "collectonly": False, **options})
    config = SimpleNamespace(
        option=option, getoption=lambda name, default=None: getattr(option, name, default)
    )
    assert _workers(config) == workers  # type: ignore[arg-type]


def test_a_marker_on_a_test_taking_no_emulator_fixture_is_warned_of(
    project: pytest.Pytester,
) -> None:
    """The marker would change nothing: the test would run under the defaults, unseen."""
    project.makepyfile(
        """
        import pytest
        from emulator.testing.helpers import InProcessEmulator

        pytestmark = pytest.mark.sms_clock("2027-01-01T00:00:00Z")  # the module's: no warning

        @pytest.fixture
        def emulator_of_mine(sms_emulator):
            return sms_emulator

        @pytest.mark.sms_scenario("opt-outs")
        @pytest.mark.sms_clock("now")
        def test_own_emulator():
            assert InProcessEmulator().scenario.name == "happy-path"

        @pytest.mark.sms_scenario("opt-outs")
        def test_through_a_fixture(emulator_of_mine):
            assert emulator_of_mine.scenario.name == "opt-outs"

        @pytest.mark.sms_scenario("opt-outs")
        @pytest.mark.parametrize("fixture", ["sms_emulator", "sms_emulator_server"])
        def test_asked_for_in_the_body(request, fixture):
            assert request.getfixturevalue(fixture).scenario.name == "opt-outs"

        @pytest.mark.sms_scenario("opt-outs")
        @pytest.mark.usefixtures("sms_emulator")
        def test_used(sms_emulator):
            assert sms_emulator.scenario.name == "opt-outs"

        @pytest.mark.sms_scenario("opt-outs")
        @pytest.mark.skip(reason="never runs")
        def test_skipped(request):
            request.getfixturevalue("sms_emulator")

        def test_unmarked():
            pass
        """
    )
    result = project.runpytest("-W", "default::pytest.PytestWarning")
    result.assert_outcomes(passed=6, skipped=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*PytestWarning: sms_clock and sms_scenario on test_own_emulator changed nothing:"
            " neither sms_emulator nor sms_emulator_server was used*",
        ]
    )
    # under the ini's filterwarnings = error, that test errors (at teardown), and only it
    result = project.runpytest()
    result.assert_outcomes(passed=6, skipped=1, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_own_emulator*"])
