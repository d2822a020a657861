"""End-to-end: the inspector in headless Chromium against a live emulator.

Live updates arrive by polling (about once a second), so assertions on them
use Playwright's ``expect``, which retries until a deadline (``# real-time ok``).
Status changes themselves come from the emulator's virtual clock, advanced
from the UI.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from emulator import Emulator
from emulator.testing.server import LiveServer

from ._data import add_batch, add_message
from ._providers import (
    FD_HANDSET,
    FD_PROPERTY,
    FD_SENDER,
    RC_HANDSET,
    fd_send,
    rc_send,
    send_through,
)

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def ui(server: LiveServer, path: str = "") -> str:
    return f"{server.url}/_emulator/ui{path}"


def follow(page: Any, control: Any, to: str) -> None:
    """Click ``control`` (a link, a filter's submit button), which opens a page whose
    address matches the regular expression ``to``, and wait until that page has loaded.

    Its buttons and forms work once its script has run (deferred: after the page is
    parsed), and the click does not wait for that: "+1 m" clicked sooner does nothing.
    """
    control.click()
    page.wait_for_url(re.compile(to))  # and its load event, which follows deferred scripts


def row(page: Any, message_id: str) -> Any:
    return page.locator("table.messages tbody tr").filter(
        has=page.locator(f'a[href$="/messages/{message_id}"]')
    )


def test_a_message_sent_through_fonedynamics_appears_live_and_opens(
    server: LiveServer, page: Any
) -> None:
    page.goto(ui(server))
    expect(page.get_by_text("No messages")).to_be_visible()
    sid = fd_send(server, "Your table is ready")
    line = row(page, sid)
    expect(line).to_be_visible()  # real-time ok: arrives by polling, without a reload
    expect(line.locator("td.preview")).to_have_text("Your table is ready")
    expect(line.locator('td[data-label="Provider"]')).to_contain_text("fonedynamics")
    expect(line.locator('td[data-label="To"]')).to_have_text(FD_HANDSET)
    expect(line.locator(".badge")).to_have_text("queued")
    line.locator("a.msg-link").click()
    expect(page.locator("h1")).to_contain_text(sid)
    expect(page.locator("#message-text")).to_have_text("Your table is ready")
    request = page.locator(".timeline .ev-request")
    expect(request).to_contain_text(f"POST /v2/Properties/{FD_PROPERTY}/Messages")
    expect(request).to_contain_text("200")


@pytest.mark.parametrize("provider", ["ringcentral", "fonedynamics", "sendbulk"])
def test_each_provider_s_messages_and_replies_show_up(
    server: LiveServer, page: Any, provider: str
) -> None:
    text = f"Hello through {provider}"
    send_through(server, provider, text)
    [sent] = server.messages(provider=provider)
    page.goto(ui(server))
    page.get_by_label("Provider", exact=True).select_option(provider)
    follow(page, page.get_by_role("button", name="Filter"), rf"[?&]provider={provider}(&|$)")
    line = row(page, sent["id"])
    expect(line.locator("td.preview")).to_have_text(text)
    expect(line.locator('td[data-label="From"]')).to_have_text(sent["from"])
    expect(line.locator('td[data-label="To"]')).to_have_text(sent["to"])
    expect(line.locator(".badge")).to_have_text(sent["status"])
    if sent["provider_status"] != sent["status"]:
        expect(line.locator(".pstatus")).to_have_text(sent["provider_status"])
    page.get_by_role("button", name="+1 m").click()
    expect(line.locator(".badge")).to_have_text("delivered")  # real-time ok
    delivered = server.messages(provider=provider)[0]["provider_status"]
    if delivered != "delivered":
        expect(line.locator(".pstatus")).to_have_text(delivered)  # real-time ok

    line.locator("a.msg-link").click()
    expect(page.locator(".timeline .ev-request")).to_contain_text("POST ")
    follow(page, page.get_by_role("link", name="Simulate a reply"), "#compose$")
    page.get_by_label("Reply text").fill(f"Reply via {provider}")
    page.get_by_role("button", name="Send inbound SMS").click()
    expect(page.locator("#inbound-result")).to_contain_text("Inbound message")
    [reply] = [m for m in server.messages(provider=provider) if m["direction"] == "inbound"]
    assert (reply["from"], reply["text"]) == (sent["to"], f"Reply via {provider}")
    expect(row(page, reply["id"]).locator("td.preview")).to_have_text(  # real-time ok
        f"Reply via {provider}"
    )


def test_a_ringcentral_batch_shows_progress_and_its_rejected_recipient(
    server: LiveServer, page: Any
) -> None:
    batch = rc_send(server, "Batch hello", [RC_HANDSET, "+4088070206", "+16505550124"])
    assert batch["rejected"][0]["index"] == 2
    page.goto(ui(server, "/batches"))
    follow(page, page.get_by_role("link", name=batch["id"]), f"/batches/{batch['id']}$")
    expect(page.locator("#batch-progress")).to_have_text("0/2")
    expect(page.locator('table.rejected td[data-label="Index"]')).to_have_text("2")
    expect(page.locator("table.rejected")).to_contain_text("+4088070206")
    expect(page.locator("table.messages tbody tr")).to_have_count(2)
    page.get_by_role("button", name="+1 m").click()
    expect(page.locator("#batch-progress")).to_have_text("2/2")  # real-time ok


def test_clock_controls_advance_the_emulator_and_statuses_follow(
    server: LiveServer, page: Any
) -> None:
    sid = fd_send(server, "On its way")
    page.goto(ui(server, f"/messages/{sid}"))
    status = page.locator(".facts .status .badge").first
    expect(status).to_have_text("queued")
    expect(page.locator("#clock-now")).to_have_text("2026-01-01 00:00:00.000")
    page.get_by_role("button", name="+1 m").click()
    expect(page.locator("#clock-now")).to_have_text("2026-01-01 00:01:00.000")  # real-time ok
    expect(status).to_have_text("delivered")  # real-time ok
    steps = page.locator(".timeline .ev-status .badge")
    expect(steps).to_have_text(["queued", "sent", "delivered"])
    assert server.messages()[0]["status"] == "delivered"

    page.get_by_label("Advance by").fill("1h30m")
    page.get_by_role("button", name="Advance", exact=True).click()
    expect(page.locator("#clock-now")).to_have_text("2026-01-01 01:31:00.000")  # real-time ok
    page.get_by_role("button", name="+1 h").click()
    expect(page.locator("#clock-now")).to_have_text("2026-01-01 02:31:00.000")  # real-time ok

    page.get_by_label("Advance by").fill("soon")
    page.get_by_role("button", name="Advance", exact=True).click()
    error = page.locator("#clock-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("invalid duration 'soon'")
    assert server.now.isoformat() == "2026-01-01T02:31:00+00:00"


@pytest.mark.parametrize("kind", ["message", "batch"])
def test_a_message_or_batch_page_says_not_found_once_a_reset_forgot_it(
    server: LiveServer, page: Any, kind: str
) -> None:
    if kind == "message":
        path = f"/messages/{fd_send(server, 'Soon forgotten')}"
        shown = page.locator("#message-text")
    else:
        path = f"/batches/{add_batch(server.emulator, ['Soon forgotten']).id}"
        shown = page.locator("progress")
    page.goto(ui(server, path))
    expect(shown).to_be_visible()
    server.reset()
    expect(page.locator("h1")).to_have_text("Not found")  # real-time ok: by polling
    expect(shown).to_have_count(0)
    expect(page.get_by_role("link", name="Back to the messages")).to_be_visible()
    assert page.title() == "Not found · sms-emulator"
    # The next test stores one again under the same id (ids start again): it comes back.
    if kind == "message":
        assert f"/messages/{fd_send(server, 'Next test')}" == path
        expect(shown).to_have_text("Next test")  # real-time ok: by polling
    else:
        assert f"/batches/{add_batch(server.emulator, ['Next test']).id}" == path
        expect(shown).to_be_visible()  # real-time ok: by polling
    expect(page.locator("h1")).not_to_have_text("Not found")


def test_a_message_page_opened_before_its_message_exists_shows_it_once_sent(
    server: LiveServer, page: Any
) -> None:
    """A link kept from the test before (ids start again after a reset)."""
    first = fd_send(server, "Before")
    server.reset()
    page.goto(ui(server, f"/messages/{first}"))
    expect(page.locator("h1")).to_have_text("Not found")
    assert fd_send(server, "Sent after") == first
    expect(page.locator("#message-text")).to_have_text("Sent after")  # real-time ok: polling


def test_an_invalid_scenario_upload_shows_its_error_inline(server: LiveServer, page: Any) -> None:
    page.goto(ui(server, "/scenario"))
    expect(page.locator("#scenario-name")).to_have_text(server.scenario.name)
    before = server.scenario.name
    page.get_by_label("Scenario (YAML or JSON)").fill(
        "name: broken\nrules:\n  - when: {to: '+15005550001'}\n    outcome: exploded\n"
    )
    page.get_by_role("button", name="Validate and activate").click()
    error = page.locator("#scenario-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("unknown outcome 'exploded'")
    expect(error).to_contain_text("rules[0]")
    assert server.scenario.name == before

    page.get_by_label("Load a YAML or JSON file").set_input_files(
        files=[
            {
                "name": "mine.yaml",
                "mimeType": "text/yaml",
                "buffer": b"name: from-a-file\nseed: 9\n",
            }
        ]
    )
    expect(page.get_by_label("Scenario (YAML or JSON)")).to_have_value(
        "name: from-a-file\nseed: 9\n"
    )
    page.get_by_role("button", name="Validate and activate").click()
    expect(page.locator("#scenario-result")).to_have_text("Scenario “from-a-file” is active.")
    expect(error).to_be_hidden()
    expect(page.locator("#scenario-name")).to_have_text("from-a-file")  # real-time ok
    assert server.scenario.name == "from-a-file"


def test_an_inbound_reply_composed_in_the_ui_is_listed(server: LiveServer, page: Any) -> None:
    sid = fd_send(server, "Reply YES to confirm")
    page.goto(ui(server, f"/messages/{sid}"))
    follow(page, page.get_by_role("link", name="Simulate a reply"), "#compose$")
    expect(page.get_by_label("From (the handset)")).to_have_value(FD_HANDSET)
    expect(page.get_by_label("To (your sender number)")).to_have_value(FD_SENDER)
    page.get_by_label("Through provider").select_option("fonedynamics")
    page.get_by_label("Reply text").fill("YES <b>please</b>")
    page.get_by_role("button", name="Send inbound SMS").click()
    result = page.locator("#inbound-result")
    expect(result).to_contain_text("Inbound message")
    reply = server.messages(to=FD_SENDER)[0]
    assert (reply["direction"], reply["text"]) == ("inbound", "YES <b>please</b>")
    line = row(page, reply["id"])
    expect(line).to_be_visible()  # real-time ok
    expect(line.locator("td.preview")).to_have_text("YES <b>please</b>")
    expect(line).to_contain_text("inbound")

    page.get_by_label("From (the handset)").fill("+61499999999")
    page.get_by_label("Reply text").fill("who is this")
    page.get_by_role("button", name="Send inbound SMS").click()
    expect(page.locator("#inbound-error")).to_contain_text("Not sent:")


def test_html_laden_texts_render_as_text_everywhere(server: LiveServer, page: Any) -> None:
    sid = fd_send(server, XSS)
    page.goto(ui(server))
    line = row(page, sid)
    expect(line.locator("td.preview")).to_have_text(XSS)
    page.goto(ui(server, f"/messages/{sid}"))
    expect(page.locator("#message-text")).to_have_text(XSS)
    page.goto(ui(server, "/requests"))
    page.locator("table.journal summary").first.click()
    expect(page.locator("table.journal pre.body").first).to_contain_text(XSS)
    injected = page.evaluate("document.querySelectorAll('main script, main img').length")
    assert injected == 0
    # the page fixture also fails the test if any alert() ran


def test_request_journal_lists_requests_and_shows_bodies_on_click(
    server: LiveServer, page: Any
) -> None:
    page.goto(ui(server, "/requests"))
    expect(page.get_by_text("No requests yet")).to_be_visible()
    fd_send(server, "journal me")
    entry = page.locator("table.journal tbody tr").first
    expect(entry).to_be_visible()  # real-time ok
    expect(entry.locator(".method")).to_have_text("POST")
    expect(entry).to_contain_text(f"/v2/Properties/{FD_PROPERTY}/Messages")
    expect(entry.locator('td[data-label="Status"]')).to_have_text("200")
    body = entry.locator("pre.body").first
    expect(body).to_be_hidden()
    entry.locator("summary").click()
    expect(body).to_be_visible()
    expect(body).to_contain_text('"Text": "journal me"')
    expect(entry.locator("pre.body").nth(1)).to_contain_text('"MessageSid"')


def test_batches_show_progress_and_rejected_indexes(server: LiveServer, page: Any) -> None:
    batch = add_batch(
        server.emulator,
        ["one", "two", "three", "four"],
        rejected=[{"index": 3, "to": "+1", "errorCode": "SMS-RC-410"}],
        processing=60.0,
    )
    page.goto(ui(server, "/batches"))
    line = page.locator("table.batches tbody tr").first
    expect(line.locator(".count")).to_have_text("0/4")
    follow(page, line.get_by_role("link", name=batch.id), f"/batches/{batch.id}$")
    expect(page.locator("#batch-progress")).to_have_text("0/4")
    expect(page.locator("table.rejected tbody tr")).to_have_count(1)
    expect(page.locator('table.rejected td[data-label="Index"]')).to_have_text("3")
    page.get_by_role("button", name="+1 m").click()
    expect(page.locator("#batch-progress")).to_have_text("4/4")  # real-time ok
    expect(page.locator(".big .badge")).to_have_text("complete")


def test_filters_and_search_narrow_the_list(server: LiveServer, page: Any) -> None:
    add_message(server.emulator, "Your code is 4242", provider="ringcentral")
    add_message(server.emulator, "Dinner at 8", provider="sendbulk", to="+254700000001")
    page.goto(ui(server))
    expect(page.locator("table.messages tbody tr")).to_have_count(2)
    page.get_by_label("Search text, id, number, status").fill("4242")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.messages tbody tr")).to_have_count(1)
    expect(page.locator("td.preview")).to_have_text("Your code is 4242")
    page.get_by_role("link", name="Clear").click()
    page.get_by_label("Number (from or to)").fill("254700000001")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("td.preview")).to_have_text("Dinner at 8")
    assert re.search(r"number=254700000001", page.url)


def test_narrow_window_and_keyboard_focus(server: LiveServer, page: Any) -> None:
    add_message(server.emulator, "A rather long text " * 10)
    page.set_viewport_size({"width": 380, "height": 800})
    page.goto(ui(server))
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1
    cell = page.locator("table.messages td.preview").first
    assert cell.evaluate("td => getComputedStyle(td).display") == "block"  # stacked, card-like
    assert cell.evaluate("td => getComputedStyle(td, '::before').content") == '"Text: "'
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


@pytest.mark.parametrize("width", [1280, 380])
def test_long_unbroken_values_wrap_instead_of_widening_the_page(
    server: LiveServer, page: Any, width: int
) -> None:
    long_sender = "S" * 300  # a sendbulk shortcode may be this long
    add_message(server.emulator, "short", sender=long_sender)
    batch = add_batch(server.emulator, ["one"], sender=long_sender)
    receipt_url = f"{server.url}/_emulator/health?token=" + "t" * 400
    fd_send(server, "x", DeliveryReceiptWebhookUri=receipt_url, DeliveryReceiptWebhookMethod="GET")
    server.advance("1m")
    page.set_viewport_size({"width": width, "height": 800})
    for path in ("", "/batches", f"/batches/{batch.id}", "/webhooks", "/requests"):
        page.goto(ui(server, path))
        expect(page.locator("main table.list").first).to_be_visible()
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{path or '/'} is {overflow} px wider than the window"


def test_webhook_attempts_are_listed_with_their_response_codes(
    server: LiveServer, page: Any
) -> None:
    receipt_url = f"{server.url}/_emulator/health"  # the emulator itself answers 200 to GET
    sid = fd_send(
        server,
        "Receipt please",
        DeliveryReceiptWebhookUri=receipt_url,
        DeliveryReceiptWebhookMethod="GET",
    )
    page.goto(ui(server, "/webhooks"))
    expect(page.get_by_text("No webhook has been sent.")).to_be_visible()
    page.get_by_role("button", name="+1 m").click()
    attempt = page.locator("section[aria-labelledby=h-attempts] tbody tr").first
    expect(attempt).to_contain_text(sid)  # real-time ok
    expect(attempt).to_contain_text(f"GET {receipt_url}")
    expect(attempt.locator('td[data-label="Response"] .badge')).to_have_text("200")
    # it opens to the request sent, and stays open as newer attempts are drawn above it
    attempt.locator("summary").click()
    sent = page.locator("#attempt-1 pre.headers")
    expect(sent).to_contain_text(f"GET {receipt_url}?")
    expect(sent).to_contain_text("Event=Message.DeliveryReceiptReceived")
    later = fd_send(
        server, "Another", DeliveryReceiptWebhookUri=receipt_url, DeliveryReceiptWebhookMethod="GET"
    )
    page.get_by_role("button", name="+1 m").click()
    expect(page.locator("section[aria-labelledby=h-attempts] tbody tr").first).to_contain_text(
        later
    )  # real-time ok
    still_open = page.locator("section[aria-labelledby=h-attempts] details[open]")
    expect(still_open).to_have_count(1)
    opened_row = page.locator("section[aria-labelledby=h-attempts] tbody tr").filter(
        has=page.locator("details[open]")
    )
    expect(opened_row).to_contain_text(sid)  # the first attempt's, not the new one's
    attempt = page.locator("section[aria-labelledby=h-attempts] tbody tr").nth(1)
    attempt.get_by_role("link", name=sid).click()
    expect(page.locator(".timeline .ev-webhook")).to_contain_text("attempt 1")
    expect(page.locator(".timeline .ev-webhook .badge")).to_have_text("200")


def test_the_request_journal_is_not_redrawn_by_a_real_clock_alone(page: Any) -> None:
    """With a real clock the time moves every second; the journal's content does not."""
    with LiveServer(Emulator(clock="real")) as server:
        fd_send(server, "read me")
        page.goto(ui(server, "/requests"))
        refetched: list[str] = []
        page.on("request", lambda r: refetched.append(r.url) if "/ui/requests" in r.url else None)
        clock = page.locator("#clock-now")
        shown = clock.inner_text()
        expect(clock).not_to_have_text(shown, timeout=5_000)  # real-time ok: polls go on
        page.wait_for_timeout(2_500)  # real-time ok: about two more polls
        assert refetched == []
        fd_send(server, "and me")  # a new request does redraw it
        expect(page.locator("table.journal tbody tr")).to_have_count(2)  # real-time ok


def test_a_redraw_keeps_an_open_request_body_scrolled_and_its_summary_focused(
    server: LiveServer, page: Any
) -> None:
    fd_send(server, "word " * 3000)
    page.set_viewport_size({"width": 1280, "height": 700})
    page.goto(ui(server, "/requests"))
    entry = page.locator("table.journal tbody tr").first
    entry.locator("summary").click()
    body = entry.locator("pre.body").first
    scrolled = body.evaluate("pre => { pre.scrollTop = 300; return pre.scrollTop; }")
    assert scrolled > 100
    entry.locator("summary").focus()
    focused = page.evaluate("document.activeElement.parentElement.id")
    fd_send(server, "redraw")
    expect(page.locator("table.journal tbody tr")).to_have_count(2)  # real-time ok
    details = page.locator(f"#{focused}")
    expect(details.locator("pre.body").first).to_be_visible()
    assert details.locator("pre.body").first.evaluate("pre => pre.scrollTop") == scrolled
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    assert page.evaluate("document.activeElement.parentElement.id") == focused


def test_a_redraw_that_changes_nothing_keeps_the_text_selected(
    server: LiveServer, page: Any
) -> None:
    """The clock moved, the list did not: a developer copying an id keeps the selection."""
    sid = fd_send(server, "copy this text")
    server.advance("1m")  # delivered: nothing in the list changes after this
    page.goto(ui(server))
    cell = row(page, sid).locator("td.preview")
    expect(cell).to_have_text("copy this text")
    cell.select_text()
    assert page.evaluate("getSelection().toString()") == "copy this text"
    moved = server.advance("1s").timestamp()
    polled = re.compile(rf"^{moved:.3f}:")  # the live fingerprint starts with the time
    expect(page.locator("body")).to_have_attribute("data-live-version", polled)  # real-time ok
    assert page.evaluate("getSelection().toString()") == "copy this text"
    fd_send(server, "a change")  # a real change still redraws the list
    expect(page.locator("table.messages tbody tr")).to_have_count(2)  # real-time ok


@pytest.mark.parametrize("kind", ["message", "request"])
def test_a_page_shows_the_new_item_when_a_reset_and_a_send_fall_between_two_polls(
    server: LiveServer, page: Any, kind: str
) -> None:
    """Ids start again after a reset: the next test's message (or request) takes the id of
    the one shown, often before the page polls again. All of the page must follow, not
    only its summary: the text and segments (or the bodies) are the new one's."""
    first = fd_send(server, "First test's text")
    path = f"/messages/{first}" if kind == "message" else "/requests/1"
    page.goto(ui(server, path))
    shown = page.locator("#message-text" if kind == "message" else "pre.body").first
    expect(shown).to_contain_text("First test's text")
    page.locator("#live-toggle").click()  # paused: the reset and the send fall between polls
    expect(page.locator("#live-toggle")).to_have_text("Paused")
    server.reset()
    assert fd_send(server, "Second test: ünïcödé") == first  # same id, another message
    page.locator("#live-toggle").click()  # resumes, polling at once
    expect(shown).to_contain_text("Second test: ünïcödé")  # real-time ok: by polling
    if kind == "message":
        expect(page.locator("#h-segments + p")).to_contain_text("UCS-2")


def test_the_header_says_so_when_the_emulator_stops_answering(
    server: LiveServer, page: Any
) -> None:
    """The test run ended and its server stopped: the page must not pass for live."""
    page.goto(ui(server))
    offline = page.locator("#live-offline")
    expect(page.locator("#live-toggle")).to_have_attribute("data-state", "connected")
    expect(offline).to_be_hidden()
    page.route("**/_emulator/ui/live*", lambda route: route.abort())  # as a stopped server
    expect(offline).to_be_visible()  # real-time ok: at the next poll
    expect(offline).to_contain_text("Not connected")
    page.unroute("**/_emulator/ui/live*")
    expect(offline).to_be_hidden()  # real-time ok: back at the next poll


def test_new_rows_do_not_push_away_the_row_being_read(server: LiveServer, page: Any) -> None:
    """Scrolled down the journal while a test sends: the row read stays put."""
    for n in range(30):
        fd_send(server, f"old {n}")
    page.set_viewport_size({"width": 1280, "height": 600})
    page.goto(ui(server, "/requests"))
    read = page.locator("#" + page.locator("table.journal tbody tr").nth(20).get_attribute("id"))
    read.evaluate("row => row.scrollIntoView()")
    top = read.evaluate("row => row.getBoundingClientRect().top")
    for n in range(5):
        fd_send(server, f"new {n}")
    expect(page.locator("table.journal tbody tr").first).to_have_id("req-35")  # real-time ok
    assert abs(read.evaluate("row => row.getBoundingClientRect().top") - top) < 2


def test_new_rows_below_the_window_do_not_move_what_is_shown(server: LiveServer, page: Any) -> None:
    """Scrolled a little, typing a reply above a list that starts below the window:
    rows arriving out of sight must not scroll the form away."""
    fd_send(server, "old")
    page.set_viewport_size({"width": 1280, "height": 400})
    page.goto(ui(server, "?reply_provider=fonedynamics&reply_from=%2B61400000000"))
    text = page.get_by_label("Reply text")
    text.fill("typing")
    page.evaluate("window.scrollTo(0, 100)")
    first = page.locator("table.messages tbody tr").first
    assert first.evaluate("row => row.getBoundingClientRect().top") > 400  # out of sight
    top = text.evaluate("t => t.getBoundingClientRect().top")
    for n in range(5):
        fd_send(server, f"new {n}")
    expect(page.locator("table.messages tbody tr")).to_have_count(6)  # real-time ok
    assert abs(text.evaluate("t => t.getBoundingClientRect().top") - top) < 2


def test_new_batches_do_not_push_away_the_batch_being_read(server: LiveServer, page: Any) -> None:
    """The batch rows were numbered by position: the id the page kept in place named
    another batch once new ones arrived, and the row read moved down."""
    for n in range(30):
        add_batch(server.emulator, [f"old {n}"])
    page.set_viewport_size({"width": 1280, "height": 600})
    page.goto(ui(server, "/batches"))
    read = page.locator("table.batches tbody tr").nth(20)
    name = read.locator("a").inner_text()
    read = page.locator("table.batches tbody tr").filter(has=page.get_by_role("link", name=name))
    read.evaluate("row => row.scrollIntoView()")
    top = read.evaluate("row => row.getBoundingClientRect().top")
    for n in range(3):
        add_batch(server.emulator, [f"new {n}"])
    expect(page.locator("table.batches tbody tr")).to_have_count(33)  # real-time ok
    assert abs(read.evaluate("row => row.getBoundingClientRect().top") - top) < 2


def test_a_right_to_left_override_in_a_path_does_not_reverse_the_text_after_it(
    server: LiveServer, page: Any
) -> None:
    """U+202E in a requested path (or a number, an error...) ran on past it: the journal
    showed the endpoint label after it reversed, "egassem_teg", inside the path."""
    with server.client() as http:
        http.get("/v2/Messages/%E2%80%AEABC", auth=("AC1", "token"))
    page.goto(ui(server, "/requests"))
    summary = page.locator("table.journal tbody tr summary").first
    expect(summary.locator(".muted")).to_have_text("get_message")
    path_box = summary.locator(".mono").bounding_box()
    label_box = summary.locator(".muted").bounding_box()
    assert label_box["x"] >= path_box["x"] + path_box["width"] - 1  # after the path, not in it
