"""The official RingCentral JS SDK, running in a browser page of another origin (a
client-side web app), reaches the emulator as it reaches RingCentral: preflights
answered, credentials allowed, the request id and rate-limit headers readable.
Headless Chromium; the page and the SDK's browser bundle (from ``tests/e2e/js``, as
installed by ``npm ci --prefix tests/e2e/js``) are served from a second local port."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from emulator.testing.server import LiveServer

_BUNDLE = Path(__file__).parents[1] / "e2e/js/node_modules/@ringcentral/sdk/dist/ringcentral.js"
_PAGE = b'<!doctype html><title>app</title><script src="/ringcentral.js"></script><p>app</p>'

# What a client-side app does: the SDK logs in and calls the API (its fetch sends
# credentials: "include"); a plain fetch reads the headers an app logs.
_SCRIPT = """
async (api) => {
  const sdk = new RingCentral.SDK({server: api, clientId: "id", clientSecret: "secret"});
  const platform = sdk.platform();
  await platform.login({username: "u", password: "p"});
  const batch = await platform.post("/restapi/v1.0/account/~/a2p-sms/batches", {
    from: "+16505550100", text: "Hello", messages: [{to: ["+14155550100"]}]});
  const created = await batch.json();
  const token = (await platform.auth().data()).access_token;
  const listed = await fetch(api + "/restapi/v1.0/account/~/a2p-sms/batches", {
    headers: {"Authorization": "Bearer " + token}});
  return {batch: batch.status, size: created.batchSize, listed: listed.status,
          requestId: listed.headers.get("RCRequestId"),
          remaining: listed.headers.get("X-Rate-Limit-Remaining")};
}
"""


def _serving(files: dict[str, tuple[bytes, str]]) -> Iterator[str]:
    """Serve ``files`` (path -> body, media type) from 127.0.0.1 on a port of their own:
    another origin on this machine; yields its base URL."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body, media_type = files.get(self.path, (b"", "text/plain"))
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def app_origin() -> Iterator[str]:
    if not _BUNDLE.is_file():
        pytest.fail("needs the JS SDK: npm ci --prefix tests/e2e/js", pytrace=False)
    yield from _serving(
        {
            "/": (_PAGE, "text/html"),
            "/ringcentral.js": (_BUNDLE.read_bytes(), "text/javascript"),
        }
    )


def test_the_js_sdk_in_a_page_of_another_origin_calls_the_ringcentral_api(
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
    assert (result["batch"], result["size"], result["listed"]) == (201, 1, 200)
    assert result["requestId"] and result["remaining"] is not None


# The admin API from a browser page: a page on this machine (a local dev server) may
# call it; a page from elsewhere may not read it.
_ADMIN_SCRIPT = """
async (emulator) => {
  try {
    const moved = await fetch(emulator + "/_emulator/clock", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({seconds: 60})});
    return {status: moved.status, body: await moved.json()};
  } catch (error) {
    return {blocked: String(error)};
  }
}
"""


@pytest.fixture
def local_page() -> Iterator[str]:
    """An empty page served from 127.0.0.1 on its own port: another origin on this machine."""
    for origin in _serving({"/": (_PAGE, "text/html")}):
        yield origin + "/"


def test_a_page_on_this_machine_moves_the_clock_through_the_admin_api(
    chromium: Any, local_page: str
) -> None:
    with LiveServer(Emulator(clock="virtual")) as emulator:
        before = emulator.time()
        context = chromium.new_context()
        try:
            page = context.new_page()
            page.goto(local_page)
            result = page.evaluate(_ADMIN_SCRIPT, emulator.url)
        finally:
            context.close()
        assert result.get("status") == 200, result
        assert result["body"]["timestamp"] == before + 60 == emulator.time()


def test_a_page_from_elsewhere_cannot_read_the_admin_api(chromium: Any) -> None:
    with LiveServer(Emulator(clock="virtual")) as emulator:
        context = chromium.new_context()
        try:
            page = context.new_page()
            page.route(
                "https://app.example.com/**",
                lambda route: route.fulfill(body=_PAGE, content_type="text/html"),
            )
            page.goto("https://app.example.com/")
            result = page.evaluate(_ADMIN_SCRIPT, emulator.url)
        finally:
            context.close()
        assert "blocked" in result, result
