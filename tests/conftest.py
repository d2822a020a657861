"""Fixtures every test folder may use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from providers.receiver import Receiver  # tests/ is on sys.path: this file's folder


@pytest.fixture
def webhook_receiver() -> Iterator[Receiver]:
    """A real HTTP receiver on 127.0.0.1 that records what it gets (and answers 200)."""
    server = Receiver().start()
    yield server
    server.stop()
