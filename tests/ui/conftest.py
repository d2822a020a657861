"""Headless Chromium (Debian's package, driven by Playwright) and a live emulator for UI tests.

CI installs Chromium with ``apt-get install chromium``; another binary can be
given with ``SMS_EMULATOR_CHROMIUM``.  Playwright's own browser downloads are
never used.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from emulator.testing.server import LiveServer

CHROMIUM = os.environ.get("SMS_EMULATOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="package")
def chromium() -> Iterator[Any]:
    """A headless Chromium for these tests.  Package-scoped: Playwright's sync API keeps
    an event loop running in the main thread while it is open, where a later test's
    ``asyncio.run`` would fail."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"The inspector UI tests need Chromium at {CHROMIUM}: install Debian's package "
            "(apt-get install chromium) or set SMS_EMULATOR_CHROMIUM to a Chromium binary.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def ui_server() -> Iterator[LiveServer]:
    """One live emulator (virtual clock) for a test module."""
    with LiveServer(Emulator(clock="virtual")) as server:
        yield server


@pytest.fixture
def server(ui_server: LiveServer) -> LiveServer:
    """The module's live emulator, reset, with the default scenario."""
    ui_server.reset()
    ui_server.load_scenario(None)
    return ui_server


class PageProblems:
    """Dialogs, script errors and console errors a page produced."""

    def __init__(self) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh browser page; fails the test if the page raised a dialog or a script error."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    problems = PageProblems()

    def on_dialog(dialog: Any) -> None:
        problems.dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.on("pageerror", lambda error: problems.errors.append(str(error)))
    tab.on(
        "console",
        lambda msg: problems.errors.append(msg.text) if msg.type == "error" else None,
    )
    tab.problems = problems
    yield tab
    context.close()
    assert problems.dialogs == [], "a page opened a dialog (script injection?)"
    assert [e for e in problems.errors if "Failed to load resource" not in e] == []
