"""Every shipped-scenario test runs once per provider, through its real endpoints."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from emulator import Emulator

from ._drivers import DRIVERS, Driver


@pytest.fixture(params=DRIVERS, ids=lambda d: d.name)
def driver(request: pytest.FixtureRequest) -> Driver:
    return request.param


@pytest.fixture
def client(sms_emulator: Emulator, driver: Driver) -> Iterator[httpx.Client]:
    """An in-process client, set up (authorised) for ``driver``'s provider."""
    with sms_emulator.client() as c:
        driver.setup(c)
        yield c
