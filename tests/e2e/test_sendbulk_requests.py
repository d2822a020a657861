"""The sendbulk gateway over real sockets, called the way the seed's Python samples do.

Plain ``requests`` with ``json=payload`` and a ``Content-Type`` header, base
URL swapped for the emulator's; the answers are read as the samples print
them: ``response.text`` / ``response.json()``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

PARTNER, APIKEY, SHORTCODE = "1234", "test-key", "SHOP"
HEADERS = {"Content-Type": "application/json"}


def sendbulk(url: str, smslist: list[dict[str, Any]]) -> requests.Response:
    payload = {"count": len(smslist), "smslist": smslist}
    return requests.post(url + "/api/services/sendbulk", json=payload, headers=HEADERS, timeout=10)


def item(clientsmsid: int, mobile: str, message: str) -> dict[str, Any]:
    return {
        "partnerID": PARTNER,
        "apikey": APIKEY,
        "pass_type": "plain",
        "clientsmsid": clientsmsid,
        "mobile": mobile,
        "message": message,
        "shortcode": SHORTCODE,
    }


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            received.append({"path": self.path, "json": json.loads(self.rfile.read(length))})
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.daemon = True
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


def wait_for(received: list[Any], count: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while len(received) < count and time.monotonic() < deadline:
        time.sleep(0.02)  # real-time ok: the live server's webhook worker runs in a thread


def test_seed_sample_bulk_send_then_reports(sms_emulator_server, receiver):
    url, received = receiver
    sms_emulator_server.load_scenario(
        {
            "accounts": {
                "sendbulk": [
                    {
                        "partnerID": PARTNER,
                        "apikey": APIKEY,
                        "balance": 10,
                        "shortcodes": [SHORTCODE],
                        "dlr_callback_url": url + "/dlr",
                    }
                ]
            },
            "rules": [{"when": {"to": "+254733*"}, "outcome": "undeliverable"}],
        }
    )
    base = sms_emulator_server.url
    response = sendbulk(
        base,
        [
            item(1, "0712345678", "Hello from the seed sample"),
            item(2, "254733123456", "Second message"),
            item(3, "not-a-number", "Third"),
        ],
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    rows = response.json()["responses"]
    assert [(r["response-code"], r["clientsmsid"]) for r in rows] == [(200, 1), (200, 2), (1003, 3)]
    assert isinstance(rows[0]["messageid"], str) and rows[0]["networkid"] == 1

    report = requests.get(
        base + "/api/services/getdlr/",
        params={"apikey": APIKEY, "partnerID": PARTNER, "messageID": rows[0]["messageid"]},
        timeout=10,
    ).json()
    assert report["delivery-description"] == "Scheduled"

    sms_emulator_server.advance("1m")
    wait_for(received, 2)
    reports = {r["json"]["messageid"]: r["json"]["description"] for r in received}
    assert reports == {
        rows[0]["messageid"]: "DeliveredToTerminal",
        rows[1]["messageid"]: "Unknown",
    }
    for messageid, description in reports.items():
        dlr = requests.post(
            base + "/api/services/getdlr",
            json={"apikey": APIKEY, "partnerID": PARTNER, "messageID": messageid},
            headers=HEADERS,
            timeout=10,
        ).json()
        assert dlr["delivery-description"] == description

    balance = requests.post(
        base + "/api/services/getbalance",
        json={"apikey": APIKEY, "partnerID": PARTNER},
        headers=HEADERS,
        timeout=10,
    ).json()
    assert balance == {"response-code": 200, "credit": "8.00", "partner-id": PARTNER}


def test_seed_sample_get_sendsms_and_error_response(sms_emulator_server):
    base = sms_emulator_server.url
    response = requests.get(
        base + "/api/services/sendsms",
        params={
            "apikey": APIKEY,
            "partnerID": PARTNER,
            "message": "Hello & welcome",
            "shortcode": SHORTCODE,
            "mobile": "254712345678",
        },
        timeout=10,
    )
    (row,) = response.json()["responses"]
    assert (row["response-code"], row["mobile"]) == (200, 254712345678)
    assert sms_emulator_server.messages(provider="sendbulk")[0]["text"] == "Hello & welcome"

    refused = requests.post(
        base + "/api/services/sendbulk/",
        json={"count": 1, "smslist": [{**item(1, "0712345678", "x"), "apikey": ""}]},
        headers=HEADERS,
        timeout=10,
    )
    assert refused.status_code == 200
    assert refused.text == '{"response-code":4092,"response-description":"No API KEY Provided"}'


@pytest.mark.sms_scenario({"providers": {"sendbulk": {"brand": "textsms"}}})
def test_textsms_brand_over_the_wire(sms_emulator_server):
    response = sendbulk(sms_emulator_server.url, [item(1, "0712345678", "hi")])
    (row,) = response.json()["responses"]
    assert row["respose-code"] == "200"  # a string, as TextSMS answers
    assert (row["messageid"], row["networkid"], row["clientsmsid"]) == ("8290842", "1", "1")
