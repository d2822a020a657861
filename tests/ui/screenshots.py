"""Regenerate the inspector screenshots in docs/screenshots/ (run from the repository root).

    python -m tests.ui.screenshots [--out docs/screenshots]

Needs Chromium (Debian's ``chromium`` package, or ``SMS_EMULATOR_CHROMIUM``).
The emulator runs on its virtual clock, so the pictures come out the same
every time.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from playwright.sync_api import expect, sync_playwright

from emulator import Emulator
from emulator.testing.server import LiveServer

from ._providers import FD_HANDSET, RC_HANDSET, fd_send, rc_send, sendbulk_send
from .conftest import CHROMIUM, CHROMIUM_ARGS

DEFAULT_OUT = Path("docs/screenshots")


def populate(server: LiveServer) -> str:
    """A minute's traffic through all three providers; returns a batch id worth showing."""
    health = f"{server.url}/_emulator/health"
    fd_send(
        server,
        "Your table for 4 at Luigi's is booked for 19:30. Reply C to cancel.",
        DeliveryReceiptWebhookUri=health,
        DeliveryReceiptWebhookMethod="GET",
    )
    rc_send(server, "Your verification code is 481 516", [RC_HANDSET])
    server.advance("20s")
    batch = rc_send(
        server,
        "Flash sale: 20% off everything until midnight. Reply STOP to opt out.",
        [RC_HANDSET, "+4088070206", "+16505550124", "+16505550125"],
    )
    sendbulk_send(server, "Habari! M-Shop’s order #2291 has shipped")
    server.advance("3s")
    fd_send(server, "<script>alert('hi')</script> is shown as text, never run", FD_HANDSET)
    sendbulk_send(server, "Karibu tena! Asante kwa kununua. " * 6)
    server.advance("2s")
    server.inbound("fonedynamics", FD_HANDSET, "+61400000001", "C")
    return str(batch["id"])


def shoot(page: Any, out: Path, name: str, *, full_page: bool = False) -> None:
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    print(f"wrote {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    with LiveServer(Emulator(clock="virtual")) as server, sync_playwright() as playwright:
        batch_id = populate(server)
        ui = f"{server.url}/_emulator/ui"
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(ui)
        shoot(page, out, "messages")

        first = server.messages(provider="fonedynamics")[0]
        page.goto(f"{ui}/messages/{first['id']}")
        expect(page.locator(".ev-webhook")).to_have_count(1)
        shoot(page, out, "message-detail", full_page=True)

        long_one = next(m for m in server.messages(provider="sendbulk") if m["segments"] > 1)
        page.goto(f"{ui}/messages/{long_one['id']}")
        page.locator("#h-segments").scroll_into_view_if_needed()
        shoot(page, out, "segments")

        page.goto(f"{ui}/batches")
        shoot(page, out, "batches")
        page.goto(f"{ui}/batches/{batch_id}")
        shoot(page, out, "batch-detail", full_page=True)

        page.goto(f"{ui}/requests")
        page.locator("table.journal summary").nth(1).click()
        shoot(page, out, "requests")

        page.goto(f"{ui}/scenario")
        page.get_by_label("Scenario (YAML or JSON)").fill(
            "name: typo\nrules:\n  - when: {to: '+1500555*'}\n    outcome: undeliverabel\n"
        )
        page.get_by_role("button", name="Validate and activate").click()
        expect(page.locator("#scenario-error")).to_be_visible()
        page.locator("#h-replace").scroll_into_view_if_needed()
        shoot(page, out, "scenario-error")

        page.goto(
            f"{ui}?reply_provider=fonedynamics&reply_from=%2B61400000002&reply_to=%2B61400000001"
        )
        page.get_by_label("Reply text").fill("Yes please!")
        shoot(page, out, "inbound-composer")

        narrow = browser.new_page(viewport={"width": 390, "height": 844})
        narrow.goto(ui)
        shoot(narrow, out, "narrow")
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
