"""Fixtures every test folder may use."""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, settings
from providers.receiver import Receiver  # tests/ is on sys.path: this file's folder

from emulator import Emulator

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

# On a busy runner an example can take longer than Hypothesis' 200 ms deadline, or its
# generation trip the too_slow check, failing a test that found nothing wrong.
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")


def pytest_configure(config: pytest.Config) -> None:
    """On a runner that sets HTTP_PROXY, the suite's own clients (httpx, requests, the
    SDKs, node, Chromium, the servers it starts) reach 127.0.0.1 directly, as the
    emulator's do (``emulator.core.http``; tests/core/test_http.py checks it without this)."""
    for name in ("NO_PROXY", "no_proxy"):
        hosts = [h for h in os.environ.get(name, "").split(",") if h.strip()]
        os.environ[name] = ",".join(hosts + [h for h in LOOPBACK_HOSTS if h not in hosts])


@pytest.fixture
def webhook_receiver() -> Iterator[Receiver]:
    """A real HTTP receiver on 127.0.0.1 that records what it gets (and answers 200)."""
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def emu(sms_emulator: Emulator) -> Emulator:
    """The test's in-process emulator (``sms_emulator``); a module may define its own."""
    return sms_emulator


@pytest.fixture
def client(emu: Emulator) -> Iterator[httpx.Client]:
    """An httpx client calling ``emu`` in-process, closed after the test."""
    with emu.client() as c:
        yield c
