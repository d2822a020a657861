"""A RingCentral client running in a browser page of another origin reaches the emulator
(preflights answered, the request id and rate-limit headers readable), as it reaches
RingCentral; headless Chromium, a page served from a second local port."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from emulator import Emulator
from emulator.testing.server import LiveServer

_PAGE = b"<!doctype html><title>client-side app</title><p>app</p>"

# What a client-side app does with fetch: log in (Basic client credentials, a form),
# then call the API with the bearer token and JSON, reading the headers it logs.
_SCRIPT = """
async (api) => {
  const login = await fetch(api + "/restapi/oauth/token", {
    method: "POST",
    headers: {"Authorization": "Basic " + btoa("id:secret"),
              "Content-Type": "application/x-www-form-urlencoded",
              "X-User-Agent": "browser-app/1.0"},
    body: "grant_type=password&username=u&password=p",
  });
  const token = (await login.json()).access_token;
  const batch = await fetch(api + "/restapi/v1.0/account/~/a2p-sms/batches", {
    method: "POST",
    headers: {"Authorization": "Bearer " + token, "Content-Type": "application/json"},
    body: JSON.stringify({from: "+16505550100", text: "Hello",
                          messages: [{to: ["+14155550100"]}]}),
  });
  return {login: login.status, batch: batch.status, size: (await batch.json()).batchSize,
          requestId: batch.headers.get("RCRequestId"),
          remaining: batch.headers.get("X-Rate-Limit-Remaining")};
}
"""


@pytest.fixture
def app_origin() -> Iterator[str]:
    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(_PAGE)))
            self.end_headers()
            self.wfile.write(_PAGE)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_browser_app_of_another_origin_calls_the_ringcentral_api(
    chromium: Any, app_origin: str
) -> None:
    with LiveServer(Emulator(clock="virtual")) as emulator:
        context = chromium.new_context()
        try:
            page = context.new_page()
            page.goto(app_origin + "/")
            result = page.evaluate(_SCRIPT, emulator.url)
        finally:
            context.close()
    assert (result["login"], result["batch"], result["size"]) == (200, 201, 1)
    assert result["requestId"] and result["remaining"] is not None
