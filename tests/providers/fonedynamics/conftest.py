"""Fixtures for the Fone Dynamics contract tests: an in-process emulator and a webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from emulator import Emulator

from ..receiver import Receiver

ACCOUNT = "AG5T3HFR5ASD54FS5GB3SDAFJAKSH6DS"
TOKEN = "secret-token"
PROPERTY = "S7DNJ9KJDS0MDS23DKS9QMZ8DKJSD9KL"
MESSAGES = f"/v2/Properties/{PROPERTY}/Messages"
BATCH = f"/v2/Properties/{PROPERTY}/BatchMessages"


@pytest.fixture
def emu(sms_emulator: Emulator) -> Emulator:
    return sms_emulator


@pytest.fixture
def client(emu: Emulator) -> Iterator[httpx.Client]:
    """Calls the API the way the C# SDK does: pre-emptive Basic auth, JSON."""
    with emu.client(auth=(ACCOUNT, TOKEN), headers={"Accept": "application/json"}) as c:
        yield c


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()
