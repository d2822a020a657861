"""DNS rebinding in a real browser: Chromium resolves a site's name to 127.0.0.1 (as
that site's DNS would once rebound), and a script of that site's origin tries the
admin API of the emulator listening there."""

from __future__ import annotations

from typing import Any

from emulator import Emulator
from emulator.testing.server import LiveServer

from .conftest import CHROMIUM, CHROMIUM_ARGS

_ATTACK = """
async () => {
  const read = await fetch("/_emulator/messages");
  const reset = await fetch("/_emulator/reset", {method: "POST", body: "x"});
  return {read: read.status, text: await read.text(), reset: reset.status};
}
"""


def test_a_rebound_site_cannot_read_or_reset_the_emulator(chromium: Any) -> None:
    with LiveServer(Emulator(clock="virtual")) as server:
        server.inbound("sendbulk", "0712345678", "40404", "your code is 5521")
        browser = chromium.browser_type.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP rebind.evil.test 127.0.0.1"],
        )
        try:
            page = browser.new_page()
            # the site's own page, then its name points here: same origin as the emulator
            page.goto(f"http://rebind.evil.test:{server.port}/")
            result = page.evaluate(_ATTACK)
        finally:
            browser.close()
        assert result["read"] == 403 and "5521" not in result["text"]
        assert result["reset"] == 403
        assert len(server.messages()) == 1
