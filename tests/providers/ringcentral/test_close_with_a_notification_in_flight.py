"""close() lets a notification in flight finish: its subscription hears of the attempt."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

from emulator import Emulator
from emulator.providers.ringcentral.notifications import NAMESPACE
from emulator.testing.server import LiveServer

from ..receiver import Received, Receiver
from .conftest import A2P, JWT_GRANT, SENDER


def test_a_success_in_flight_at_close_ends_the_subscriptions_run_of_failures(
    webhook_receiver: Receiver, tmp_path: Path
) -> None:
    """The attempt finished during ``close()`` is written down (its job done, not sent
    again after a restart); the subscription must hear of it too, or its run of failures
    outlives the success that ended it and a later failure can blacklist it too soon."""
    db = tmp_path / "rc.db"
    emu = Emulator(clock="virtual", db=db)
    closing: list[threading.Thread] = []

    def close_while_answering(received: Received) -> None:
        if "validation-token" in received.headers or closing:
            return
        closer = threading.Thread(target=emu.close)
        closer.start()  # before the test's thread, polling for it, can join it
        closing.append(closer)
        deadline = time.monotonic() + 5
        while not emu.closed and time.monotonic() < deadline:
            time.sleep(0.005)  # real-time ok: the 200 goes out once close() has begun

    with LiveServer(emu) as server:
        client = httpx.Client(base_url=server.url)
        token = client.post(
            "/restapi/oauth/token",
            auth=("client-id", "client-secret"),
            data={"grant_type": JWT_GRANT, "assertion": "any-jwt"},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        mode = {"transportType": "WebHook", "address": f"{webhook_receiver.url}/hook"}
        body = {"eventFilters": [f"{A2P}/batches"], "deliveryMode": mode}
        sub = client.post("/restapi/v1.0/subscription", json=body, headers=headers).json()
        with emu.store.transaction():  # a run of failures under way
            record = emu.store.get_state(NAMESPACE, sub["id"])
            since = emu.time() - 60
            failing = {**record, "failing_since": since, "failed_last": since}
            emu.store.put_state(NAMESPACE, sub["id"], failing)
        webhook_receiver.on_request = close_while_answering
        batch = {"from": SENDER, "text": "Hi", "messages": [{"to": ["+14155550101"]}]}
        assert client.post(f"{A2P}/batches", json=batch, headers=headers).status_code == 201
        closing_started = time.monotonic() + 10
        while not closing and time.monotonic() < closing_started:
            time.sleep(0.005)  # real-time ok: polls for the worker to send it
        assert closing, "the notification was not sent"
        closing[0].join(timeout=30)
        client.close()
    with Emulator(clock="virtual", db=db) as again:
        record = again.store.get_state(NAMESPACE, sub["id"])
        assert record["failing_since"] is None and record["failed_last"] is None
