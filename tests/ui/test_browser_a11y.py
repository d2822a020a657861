"""Accessibility of the inspector: what a screen reader, a keyboard and a narrow (or
zoomed) window get.  Names and roles are read through Playwright's role locators,
which follow the accessibility tree; live updates are awaited with ``expect``
(``# real-time ok``, as in test_browser.py).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from playwright.sync_api import expect

from emulator.testing.server import LiveServer

from ._data import add_message
from ._providers import fd_send

# the inbound composer, open, for a reply to a message ``fd_send`` sent
COMPOSER = "?reply_provider=fonedynamics&reply_from=%2B61400000002&reply_to=%2B61400000001"


def ui(server: LiveServer, path: str = "") -> str:
    return f"{server.url}/_emulator/ui{path}"


def heading_levels(page: Any) -> list[int]:
    """The levels of the headings shown, in document order."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6"))
                   .filter(h => h.checkVisibility())
                   .map(h => Number(h.tagName[1]))"""
    )


def test_headings_go_down_one_level_at_a_time(server: LiveServer, page: Any) -> None:
    """A request's Request and Response headings sat two levels under the page's h1."""
    fd_send(server, "headings")
    for path in ("/requests/1", "/requests"):
        page.goto(ui(server, path))
        if path == "/requests":
            page.locator("table.journal summary").first.click()
        expect(page.get_by_role("heading", name="Response 200")).to_be_visible()
        levels = heading_levels(page)
        assert levels[0] == 1, path
        assert all(b <= a + 1 for a, b in pairwise(levels)), (path, levels)


def test_a_long_body_scrolls_from_the_keyboard_and_keeps_focus_through_a_redraw(
    server: LiveServer, page: Any
) -> None:
    """A body taller than its box scrolls inside it: a keyboard reaches it (Tab) and
    scrolls it (End), and a redraw of the journal leaves it focused."""
    fd_send(server, "word " * 3000)
    page.goto(ui(server, "/requests"))
    summary = page.locator("table.journal summary").first
    summary.focus()
    page.keyboard.press("Enter")  # opens the request
    page.keyboard.press("Tab")
    expect(page.get_by_role("region", name="Request #1: request headers")).to_be_focused()
    page.keyboard.press("Tab")
    body = page.get_by_role("region", name="Request #1: request body")
    expect(body).to_be_focused()
    page.keyboard.press("End")
    page.wait_for_function("pre => pre.scrollTop > 0", arg=body.element_handle())
    fd_send(server, "redraw")
    expect(page.locator("table.journal tbody tr")).to_have_count(2)  # real-time ok
    expect(body).to_be_focused()


def test_the_older_link_keeps_focus_when_new_messages_arrive(server: LiveServer, page: Any) -> None:
    """A new message moves the page's cursor, so *Older →* links somewhere else: the
    keyboard user who was on it is left on it, not thrown back to the top of the page."""
    for n in range(51):
        add_message(server.emulator, f"old {n}")
    page.goto(ui(server))
    older = page.get_by_role("link", name="Older →")
    href = older.get_attribute("href")
    older.focus()
    newest = add_message(server.emulator, "new")
    expect(page.locator("table.messages tbody tr").first).to_contain_text(newest.text)
    expect(older).not_to_have_attribute("href", href)  # real-time ok: redrawn
    expect(older).to_be_focused()


def test_the_live_button_is_named_by_its_word_not_its_dot(server: LiveServer, page: Any) -> None:
    """The coloured dot before "Live" is decoration: a screen reader said "black circle Live"."""
    page.goto(ui(server))
    live = page.get_by_role("button", name="Live", exact=True)
    expect(live).to_have_attribute("aria-pressed", "true")
    live.focus()
    page.keyboard.press("Space")
    expect(page.get_by_role("button", name="Paused", exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )


def test_status_regions_are_there_before_they_speak(server: LiveServer, page: Any) -> None:
    """A live region added to the accessibility tree together with its text is not read
    out: the composer's result was display: none until it had text, the header's
    "Not connected" was a hidden region."""
    fd_send(server, "Reply YES")
    page.goto(ui(server, COMPOSER))
    statuses = page.get_by_role("status")
    expect(statuses).to_have_count(2)  # the header's connection, the composer's result
    page.get_by_label("Reply text").fill("yes")
    page.get_by_role("button", name="Send inbound SMS").click()
    expect(statuses.filter(has_text="Inbound message")).to_be_visible()
    page.route("**/_emulator/ui/live*", lambda route: route.abort())  # as a stopped server
    expect(statuses.filter(has_text="Not connected")).to_be_visible()  # real-time ok


@pytest.mark.parametrize("path", [COMPOSER, "/requests"])
def test_a_320_pixel_window_does_not_scroll_sideways(
    server: LiveServer, page: Any, path: str
) -> None:
    """1280 px at 400% zoom: everything open, the page is no wider than the window (the
    composer's provider list was as wide as its longest provider title)."""
    fd_send(server, "narrow")
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(ui(server, path))
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    expect(page.locator("main details[open]").first).to_be_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1
