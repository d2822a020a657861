"""Fixtures for the sendbulk contract tests: an in-process emulator and a callback receiver."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from emulator import Emulator

from ._helpers import Receiver


@pytest.fixture
def emu() -> Iterator[Emulator]:
    emulator = Emulator(clock="virtual")
    yield emulator
    emulator.close()


@pytest.fixture
def client(emu: Emulator) -> Iterator[httpx.Client]:
    with emu.client() as c:
        yield c


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r
