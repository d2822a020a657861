"""Request helpers and a loopback HTTP receiver for the sendbulk contract tests."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import msgspec

BASE = "/api/services"
PARTNER, APIKEY, SHORTCODE = "1234", "test-key", "SHOP"


def creds(**extra: Any) -> dict[str, Any]:
    """Credentials and sender id, as every request carries them."""
    return {"partnerID": PARTNER, "apikey": APIKEY, "shortcode": SHORTCODE, **extra}


def bulk_item(mobile: Any, message: str = "Hello", clientsmsid: Any = 1, **extra: Any) -> dict:
    """One smslist entry, as the seed's samples write it."""
    return {
        "partnerID": PARTNER,
        "apikey": APIKEY,
        "pass_type": "plain",
        "clientsmsid": clientsmsid,
        "mobile": mobile,
        "message": message,
        "shortcode": SHORTCODE,
        **extra,
    }


def bulk(items: list[Any], count: int | None = None) -> dict[str, Any]:
    return {"count": len(items) if count is None else count, "smslist": items}


def body(response: httpx.Response) -> Any:
    """The JSON body after checking what every sendbulk answer shares."""
    assert response.headers["content-type"].startswith("application/json")
    assert b"errors" not in response.content  # goadvanta treats it as failure
    return msgspec.json.decode(response.content)


def post(client: httpx.Client, endpoint: str, payload: Any) -> httpx.Response:
    response = client.post(f"{BASE}/{endpoint}", json=payload)
    assert response.status_code == 200
    return response


def get(client: httpx.Client, endpoint: str, params: dict[str, Any]) -> httpx.Response:
    response = client.get(f"{BASE}/{endpoint}", params=params)
    assert response.status_code == 200
    return response


def send(client: httpx.Client, mobile: Any, message: str = "Hello", **extra: Any) -> dict:
    """sendsms (POST JSON) to one number; the single row."""
    rows = body(post(client, "sendsms", creds(mobile=mobile, message=message, **extra)))
    return rows["responses"][0]


def dlr(client: httpx.Client, messageid: Any) -> dict[str, Any]:
    return body(
        post(client, "getdlr", {"partnerID": PARTNER, "apikey": APIKEY, "messageID": messageid})
    )


def balance(client: httpx.Client) -> str:
    return body(post(client, "getbalance", {"partnerID": PARTNER, "apikey": APIKEY}))["credit"]


class Receiver:
    """A real HTTP server on 127.0.0.1 that records what it is sent; answers with
    ``statuses`` in turn, then 200."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        received, statuses = self.requests, self.statuses

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                received.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": self.rfile.read(length) if length else b"",
                    }
                )
                self.send_response(statuses.pop(0) if statuses else 200)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_POST = do_GET = _record

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
