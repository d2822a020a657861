"""Fone Dynamics end to end over real sockets, with clients written as the official SDKs call it.

The C# SDK authenticates pre-emptively and sends UTF-8 JSON; the Java SDK
(Apache HttpClient with a ``BasicCredentialsProvider``) sends credentials only
after a ``401`` with ``WWW-Authenticate: Basic``, and its body is ISO-8859-1.
Both read ``{"Message": {...}}``, a JSON array for batches, and
``ResponseStatus`` from any non-2xx answer.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Generator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pytest

ACCOUNT = "AG5T3HFR5ASD54FS5GB3SDAFJAKSH6DS"
TOKEN = "e2e-token"
PROPERTY = "S7DNJ9KJDS0MDS23DKS9QMZ8DKJSD9KL"
TO = "+61488023555"


class FoneDynamicsError(Exception):
    """What both SDKs raise for a non-2xx answer: the parsed ResponseStatus."""

    def __init__(self, status: int, error_code: str, message: str) -> None:
        super().__init__(f"{status} {error_code}: {message}")
        self.status, self.error_code, self.message = status, error_code, message


class SdkStyleClient:
    """The SDKs' calls: MessageResource.Send / SendBatch / Get, over plain httpx."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def _body(self, **fields: Any) -> dict[str, Any]:
        # PascalCase keys, nulls omitted, DeliveryReceipt always present
        body = {k: v for k, v in fields.items() if v is not None}
        body.setdefault("DeliveryReceipt", True)
        return body

    def _check(self, response: httpx.Response) -> Any:
        if not 200 <= response.status_code < 300:
            try:
                status = response.json()["ResponseStatus"]
            except (ValueError, KeyError, TypeError):
                raise FoneDynamicsError(response.status_code, "UNKNOWN_ERROR", "") from None
            raise FoneDynamicsError(response.status_code, status["ErrorCode"], status["Message"])
        return response.json()

    def send(self, **fields: Any) -> dict[str, Any]:
        path = f"/v2/Properties/{quote(PROPERTY, safe='')}/Messages"
        return self._check(self.http.post(path, content=self.encode(self._body(**fields))))[
            "Message"
        ]

    def send_batch(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        path = f"/v2/Properties/{quote(PROPERTY, safe='')}/BatchMessages"
        body = {"Messages": [self._body(**m) for m in messages]}
        return self._check(self.http.post(path, content=self.encode(body)))

    def get(self, sid: str) -> dict[str, Any]:
        return self._check(self.http.get(f"/v2/Messages/{quote(sid, safe='')}"))["Message"]

    def encode(self, body: Any) -> bytes:
        return json.dumps(body, ensure_ascii=False).encode("utf-8")


class JavaStyleClient(SdkStyleClient):
    def encode(self, body: Any) -> bytes:
        return json.dumps(body, ensure_ascii=False).encode("iso-8859-1", "replace")  # StringEntity


class ChallengeThenAuth(httpx.Auth):
    """Apache HttpClient's non-pre-emptive Basic auth."""

    def __init__(self) -> None:
        self.header = "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
        self.challenges = 0

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield request
        if response.status_code == 401 and response.headers.get(
            "WWW-Authenticate", ""
        ).lower().startswith("basic"):
            self.challenges += 1
            request.headers["Authorization"] = self.header
            yield request


@pytest.fixture
def csharp(sms_emulator_server: Any) -> Iterator[SdkStyleClient]:
    header = "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    headers = {
        "Authorization": header,
        "Accept": "application/json",
        "Accept-Encoding": "utf-8",
        "Content-Type": "application/json",
    }
    with httpx.Client(base_url=sms_emulator_server.url, headers=headers, timeout=10) as http:
        yield SdkStyleClient(http)


@pytest.fixture
def java(sms_emulator_server: Any) -> Iterator[tuple[JavaStyleClient, ChallengeThenAuth]]:
    auth = ChallengeThenAuth()
    headers = {
        "Accept": "application/json",
        "AcceptEncoding": "utf-8",
        "Content-Type": "text/plain; charset=ISO-8859-1",
    }
    with httpx.Client(
        base_url=sms_emulator_server.url, headers=headers, auth=auth, timeout=10
    ) as http:
        yield JavaStyleClient(http), auth


class Receiver:
    """Webhook receiver on 127.0.0.1: records (method, path, params)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, str]]] = []
        calls = self.calls

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(size).decode() if size else ""
                parts = urlsplit(self.path)
                params = dict(parse_qsl(parts.query)) | dict(parse_qsl(body))
                calls.append((self.command, parts.path, params))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[tuple[str, str, dict[str, str]]]:
        deadline = time.monotonic() + timeout
        while len(self.calls) < count and time.monotonic() < deadline:
            time.sleep(0.01)  # real-time ok
        return list(self.calls)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_csharp_style_send_get_and_batch(sms_emulator_server: Any, csharp: SdkStyleClient) -> None:
    sent = csharp.send(From="MyShop", To=TO, Text="Hello from C#", ExternalId="cs-1")
    assert sent["MessageSid"] is not None and sent["Status"] == "Processing"
    sms_emulator_server.advance("10s")
    fetched = csharp.get(sent["MessageSid"])
    assert (fetched["Status"], fetched["NumSegments"]) == ("Delivered", 1)
    results = csharp.send_batch(
        [{"From": "", "To": TO, "Text": "one"}, {"From": "", "To": "0488", "Text": "two"}]
    )
    assert results[0]["MessageSid"] is not None
    assert (
        "MessageSid" not in results[1] and results[1]["ErrorCode"] == "INVALID_PHONENUMBER_FORMAT"
    )


def test_csharp_style_errors_are_parsed_from_response_status(csharp: SdkStyleClient) -> None:
    with pytest.raises(FoneDynamicsError) as caught:
        csharp.send(To="+614880", Text="x")
    assert (caught.value.status, caught.value.error_code) == (400, "INVALID_PHONENUMBER_FORMAT")
    with pytest.raises(FoneDynamicsError) as caught:
        csharp.get("MNOSUCHMESSAGE")
    assert caught.value.error_code == "MESSAGE_NOT_FOUND"


def test_java_style_challenge_then_auth(
    sms_emulator_server: Any, java: tuple[JavaStyleClient, ChallengeThenAuth]
) -> None:
    client, auth = java
    # Java's String.getBytes("ISO-8859-1") turns what Latin-1 lacks ('€') into '?'
    sent = client.send(From="MyShop", To=TO, Text="Prix: 5€")
    assert auth.challenges == 1
    assert sent["Text"] == "Prix: 5?"
    assert len(sms_emulator_server.messages(provider="fonedynamics")) == 1


def test_java_style_latin1_text_round_trips(
    java: tuple[JavaStyleClient, ChallengeThenAuth],
) -> None:
    client, auth = java
    sent = client.send(From="MyShop", To=TO, Text="Crème brûlée, s'il vous plaît")
    assert sent["Text"] == "Crème brûlée, s'il vous plaît"
    assert client.get(sent["MessageSid"])["Text"] == "Crème brûlée, s'il vous plaît"
    assert auth.challenges == 2  # every request is challenged first


def test_unauthenticated_request_gets_the_challenge(sms_emulator_server: Any) -> None:
    response = httpx.post(
        f"{sms_emulator_server.url}/v2/Properties/{PROPERTY}/Messages",
        json={"To": TO, "Text": "x"},
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic realm=")
    assert response.json()["ResponseStatus"]["ErrorCode"] == "UNAUTHORIZED"


def test_webhooks_arrive_over_http_from_the_live_server(
    sms_emulator_server: Any, csharp: SdkStyleClient, receiver: Receiver
) -> None:
    sent = csharp.send(
        To=TO,
        Text="Reply YES to confirm",
        DeliveryReceiptWebhookUri=receiver.url + "/dr",
        DeliveryReceiptWebhookMethod="Get",
        WebhookUri=receiver.url + "/reply",
        WebhookMethod="Post",
    )
    assert receiver.calls == []
    sms_emulator_server.advance("10s")
    (receipt,) = receiver.wait_for(1)
    assert receipt[:2] == ("GET", "/dr")
    assert receipt[2]["Event"] == "Message.DeliveryReceiptReceived"
    assert receipt[2]["Message.Sid"] == sent["MessageSid"]
    inbound = httpx.post(
        f"{sms_emulator_server.url}/_emulator/inbound",
        json={"provider": "fonedynamics", "from": TO, "to": sent["From"], "text": "YES"},
    )
    assert inbound.status_code == 201
    calls = receiver.wait_for(2)
    assert calls[1][:2] == ("POST", "/reply")
    assert calls[1][2]["Event"] == "Message.Received"
    assert calls[1][2]["Message.Text"] == "YES"
    assert calls[1][2]["Message.To"] == sent["From"]
    reply = csharp.get(calls[1][2]["Message.Sid"])
    assert (reply["Direction"], reply["Status"]) == ("Receive", "Received")
