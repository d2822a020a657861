"""The inspector's pages and JSON endpoints through the in-process client (no browser)."""

from __future__ import annotations

import html
import re
from collections import deque
from importlib.resources import files
from pathlib import Path

import httpx
import msgspec
import pytest
from providers.receiver import Receiver

from emulator import Emulator
from emulator.admin import views
from emulator.admin.ui import PRETTY_DEPTH
from emulator.core import webhooks
from emulator.core.journal import BODY_LIMIT
from emulator.core.models import Direction

from ._data import RECIPIENT, SENDER, add_batch, add_message, new_message

UI = "/_emulator/ui"
JSON_TYPE = {"Content-Type": "application/json"}
XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"


def row_ids(html: str) -> list[str]:
    """Message ids in list order, from the detail links."""
    return re.findall(r'href="/_emulator/ui/messages/([^"]+)" class="msg-link"', html)


@pytest.mark.parametrize(
    "path", ["", "/batches", "/requests", "/webhooks", "/scenario", "?status=queued&q=x"]
)
def test_every_page_is_html_with_a_strict_content_security_policy(
    client: httpx.Client, path: str
) -> None:
    response = client.get(UI + path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"  # the state it shows moves on
    assert '<link rel="stylesheet" href="/_emulator/ui/static/app.css' in response.text
    assert 'aria-current="page"' in response.text


def test_html_in_a_message_text_and_numbers_renders_as_text(
    emu: Emulator, client: httpx.Client
) -> None:
    message = add_message(emu, XSS, sender="<b>bold</b>")
    for path in (UI, f"{UI}/messages/{message.id}", f"{UI}?q=script"):
        html = client.get(path).text
        assert XSS_ESCAPED in html or "&lt;script&gt;alert(1)" in html
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "<b>bold</b>" not in html
        assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_html_in_a_journaled_request_body_renders_as_text(
    emu: Emulator, client: httpx.Client
) -> None:
    client.post("/restapi/oauth/token", headers={"X-Note": XSS})
    entry = emu.journal.entries()[-1]
    for path in (f"{UI}/requests", f"{UI}/requests/{entry['id']}"):
        html = client.get(path).text
        assert XSS_ESCAPED in html
        assert "<script>alert" not in html


def test_message_list_is_newest_first_with_keyset_paging(
    emu: Emulator, client: httpx.Client
) -> None:
    messages = [add_message(emu, f"message {i}") for i in range(60)]
    ids = [m.id for m in messages]
    first = client.get(UI).text
    assert row_ids(first) == ids[::-1][:50]
    assert "60 messages stored" in first
    older = re.search(r'href="(/_emulator/ui\?before=\d+)" rel="next"', first)
    assert older is not None
    second = client.get(older.group(1)).text
    assert row_ids(second) == ids[::-1][50:]
    assert 'rel="next"' not in second
    newer = re.search(r'href="(/_emulator/ui\?after=\d+)" rel="prev"', second)
    assert newer is not None
    assert row_ids(client.get(newer.group(1)).text) == ids[::-1][:50]
    oldest = re.search(r'href="(/_emulator/ui\?after=0)">Oldest<', first)
    assert oldest is not None  # the first messages of a long run, in one click
    page = client.get(oldest.group(1)).text
    assert row_ids(page) == ids[::-1][10:]  # the oldest 50, newest first
    assert 'rel="next"' not in page and ">Oldest<" not in page  # nothing older: no link
    assert re.search(r'href="/_emulator/ui\?after=\d+" rel="prev"', page)


def test_a_page_ending_at_the_oldest_message_exactly_has_no_older_link(
    emu: Emulator, client: httpx.Client
) -> None:
    ids = [add_message(emu, f"message {i}").id for i in range(10)]
    full = client.get(f"{UI}?limit=10").text
    assert row_ids(full) == ids[::-1]
    assert 'rel="next"' not in full  # an Older link would lead to an empty page
    first = client.get(f"{UI}?limit=5").text
    older = re.search(r'href="(/_emulator/ui\?[^"]*before=\d+)" rel="next"', first)
    assert older is not None
    second = client.get(older.group(1).replace("&amp;", "&")).text
    assert row_ids(second) == ids[::-1][5:]
    assert 'rel="next"' not in second


def test_message_list_filters_by_provider_number_status_direction_and_text(
    emu: Emulator, client: httpx.Client
) -> None:
    rc = add_message(emu, "Your code is 1234", provider="ringcentral")
    fd = add_message(emu, "Meeting at noon", provider="fonedynamics", to="+61400000002")
    failed = add_message(emu, "Bounce", provider="sendbulk", outcome="undeliverable")
    reply = add_message(
        emu, "yes", provider="sendbulk", sender=RECIPIENT, to=SENDER, direction=Direction.INBOUND
    )
    emu.advance("1m")

    def ids(query: str) -> set[str]:
        return set(row_ids(client.get(f"{UI}?{query}").text))

    assert ids("provider=fonedynamics") == {fd.id}
    assert ids("number=61400000002") == {fd.id}  # without the +
    assert ids("number=%2B61400000002") == {fd.id}
    assert ids(f"number={SENDER[1:]}") == {rc.id, fd.id, failed.id, reply.id}
    assert ids("status=failed") == {failed.id}
    assert ids("status=delivered&provider=ringcentral") == {rc.id}
    assert ids("direction=inbound") == {reply.id}
    assert ids("q=CODE") == {rc.id}
    assert ids(f"q={fd.id}") == {fd.id}
    assert ids("q=nothing-like-this") == set()


def test_message_list_finds_an_alphanumeric_sender_by_its_name(
    emu: Emulator, client: httpx.Client
) -> None:
    """A sender ID such as "ACME" has no digits to spell with or without '+': the
    number filter matches it as written, spaces aside."""
    named = add_message(emu, "Sale on", provider="sendbulk", sender="ACME")
    add_message(emu, "Hi", provider="sendbulk")
    emu.advance("1m")
    assert row_ids(client.get(f"{UI}?number=ACME").text) == [named.id]
    assert row_ids(client.get(f"{UI}?number=AC%20ME").text) == [named.id]
    assert row_ids(client.get(f"{UI}?number=%2BACME").text) == []


def test_the_text_search_finds_a_message_by_its_error_code(
    emu: Emulator, client: httpx.Client
) -> None:
    failed = add_message(emu, "Bounce", outcome="undeliverable", error_code="4001")
    add_message(emu, "Fine")
    emu.advance("1m")
    assert row_ids(client.get(f"{UI}?q=4001").text) == [failed.id]


def test_unknown_filter_values_are_reported_not_failed(client: httpx.Client) -> None:
    response = client.get(f"{UI}?provider=twilio&status=lost")
    assert response.status_code == 200
    assert "unknown provider &#39;twilio&#39;" in response.text
    assert "unknown status &#39;lost&#39;" in response.text


def test_an_unknown_direction_filter_is_reported_and_dropped(
    emu: Emulator, client: httpx.Client
) -> None:
    message = add_message(emu, "listed")
    response = client.get(f"{UI}?direction=sideways")
    assert response.status_code == 200
    assert "unknown direction &#39;sideways&#39;" in response.text
    assert row_ids(response.text) == [message.id]  # not a filter that matches nothing


def test_statuses_follow_the_emulator_clock_with_provider_words(
    emu: Emulator, client: httpx.Client
) -> None:
    message = add_message(emu, "hi")
    assert 'class="badge st-queued">queued<' in client.get(UI).text
    emu.advance("1s")
    assert 'class="badge st-sent">sent<' in client.get(UI).text
    emu.advance("5s")
    html = client.get(f"{UI}/messages/{message.id}").text
    assert html.count('class="badge st-') >= 4  # summary + three timeline steps
    steps = (("queued", "00:00:00.000"), ("sent", "00:00:01.000"), ("delivered", "00:00:06.000"))
    for status, at in steps:
        assert re.search(rf'<time>2026-01-01 {at}</time>\s*<span class="badge st-{status}', html)
    assert "planned" not in html


def test_message_detail_shows_planned_steps_and_segment_breakdown(
    emu: Emulator, client: httpx.Client
) -> None:
    text = "Café ’quoted’ " * 6  # the curly quote forces UCS-2: 84 units, 2 segments
    message = add_message(emu, text, outcome="undeliverable", error_code="4001")
    html = client.get(f"{UI}/messages/{message.id}").text
    assert "<strong>2</strong> segments" in html
    assert "<strong>UCS-2</strong>" in html
    assert "84 UTF-16 code units" in html
    assert "U+2019" in html
    assert html.count('<span class="muted">67/67</span>') == 1
    assert '<span class="muted">17/67</span>' in html
    assert 'st-planned">sent</span>' in html and 'st-planned">failed</span>' in html
    emu.advance("10s")
    html = client.get(f"{UI}/messages/{message.id}").text
    assert 'class="badge st-failed">failed</span>' in html
    assert "error 4001" in html


def test_segment_breakdown_counts_each_part_as_a_handset_would() -> None:
    """A long GSM-7 text's parts hold 153 septets each, an extension character counting
    two; a UCS-2 text lists no extension characters, and at most 20 outside GSM-7."""
    long = views.segment_breakdown("x" * 200)
    assert (long["capacity"], [p["units"] for p in long["parts"]]) == (153, [153, 47])
    brackets = views.segment_breakdown("[]" * 40)
    assert (brackets["units"], brackets["capacity"], brackets["parts"][0]["units"]) == (
        160,
        160,
        160,
    )
    assert brackets["extension"] == ["[", "]"]
    unicode = views.segment_breakdown("[é] " + "".join(chr(0x4E00 + i) for i in range(25)))
    assert unicode["encoding"] == "UCS-2" and unicode["extension"] == []
    assert len(unicode["non_gsm"]) == 20 and unicode["non_gsm"][0]["code"] == "U+4E00"
    # a character past U+FFFF is two UTF-16 code units, in its part as in the whole text
    emoji = views.segment_breakdown("hi 😀")
    assert (emoji["units"], emoji["parts"][0]["units"], emoji["capacity"]) == (5, 5, 70)


def _exchange(
    emu: Emulator,
    message_seq: int,
    *,
    at: float,
    status: int = 200,
    response_headers: list[tuple[bytes, bytes]] | None = None,
    **bodies: bytes,
) -> dict:
    """Journal a RingCentral exchange answered as message ``message_seq`` was stored."""
    emu.journal.record_exchange(
        time=at,
        provider="ringcentral",
        endpoint=None,
        method="POST",
        path="/restapi/v1.0/account/~/a2p-sms/batches",
        query=b"",
        request_headers=[],
        request_body=bodies.get("request", b""),
        request_size=0,
        status=status,
        response_headers=response_headers or [],
        response_body=bodies.get("response", b""),
        duration=0.001,
        error=None,
        seqs=(message_seq - 1, message_seq),
    )
    return emu.journal.entries()[-1]


def test_the_creating_request_guess_skips_refusals_and_takes_the_first_of_equals(
    emu: Emulator,
) -> None:
    """Among the requests answered as the message was stored: a refused one (400) stored
    nothing, whatever it names; of two naming the recipient as closely, the first; of
    two naming nothing, neither (a guess would be a coin toss)."""
    message = add_message(emu, "hi")
    at = message.created_at
    _exchange(emu, message.seq, at=at, status=400, response=message.id.encode())
    plain = _exchange(emu, message.seq, at=at)
    assert views.creating_request(emu, message) == {"entry": plain, "match": "time"}

    emu.journal.clear()
    first = _exchange(emu, message.seq, at=at, request=RECIPIENT[1:].encode())
    _exchange(emu, message.seq, at=at, request=RECIPIENT.encode())
    assert views.creating_request(emu, message) == {
        "entry": first,
        "match": "request names the recipient",
    }
    _exchange(emu, message.seq, at=at + 0.5, request=RECIPIENT.encode())  # later still
    assert views.creating_request(emu, message) == {
        "entry": first,
        "match": "request names the recipient",
    }

    emu.journal.clear()
    _exchange(emu, message.seq, at=at)
    _exchange(emu, message.seq, at=at)
    assert views.creating_request(emu, message) is None


def test_the_creating_request_may_be_journaled_a_hair_before_its_message(
    emu: Emulator,
) -> None:
    """On a real clock a request is timed as it arrives, just before the message it
    stores: up to a millisecond earlier is still its creator."""
    message = add_message(emu, "hi")
    entry = _exchange(emu, message.seq, at=message.created_at - 0.0005, response=b"x")
    assert views.creating_request(emu, message) == {"entry": entry, "match": "time"}


def test_a_message_whose_request_the_journal_dropped_gets_no_guess(emu: Emulator) -> None:
    """The journal dropped a request answered as this very message was stored (it may be
    its creator): a request still kept is no guess."""
    from emulator.core.journal import Journal

    emu.journal = Journal(capacity=1)
    message = add_message(emu, "hi")
    _exchange(emu, message.seq, at=message.created_at)
    _exchange(emu, message.seq, at=message.created_at)  # drops the first
    assert emu.journal.forgotten_seq == message.seq
    assert views.creating_request(emu, message) is None


def test_cost_is_shown_only_when_the_provider_records_one(
    emu: Emulator, client: httpx.Client
) -> None:
    priced = add_message(emu, "hi", extra={"cost": 0.8, "currency": "KES"})
    rated = add_message(emu, "x" * 200, extra={"rate": 0.007})  # 2 segments
    plain = add_message(emu, "hi")
    flagged = add_message(emu, "hi", extra={"cost": True, "rate": False})  # flags, no prices
    assert "<dt>Cost</dt><dd>0.8 KES</dd>" in client.get(f"{UI}/messages/{priced.id}").text
    html = client.get(f"{UI}/messages/{rated.id}").text
    assert '<dt>Cost</dt><dd>0.014 <span class="muted">(2 segment(s) × 0.007)</span>' in html
    assert "<dt>Cost</dt>" not in client.get(f"{UI}/messages/{plain.id}").text
    assert "<dt>Cost</dt>" not in client.get(f"{UI}/messages/{flagged.id}").text


def test_unknown_message_batch_and_request_pages_are_html_404s(client: httpx.Client) -> None:
    for path in (
        "/messages/nope",
        "/batches/nope",
        "/requests/999",
        "/requests/abc",  # these three answered the admin API's JSON 404
        "/requests/-1",
        "/messages/",
    ):
        response = client.get(UI + path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert "Not found" in response.text
        # a mistyped address was never there: no talk of a reset having forgotten it
        known = path in ("/messages/nope", "/batches/nope", "/requests/999")
        assert ("a reset forgets" in response.text) is known


def test_batch_pages_show_progress_and_one_based_rejected_indexes(
    emu: Emulator, client: httpx.Client
) -> None:
    rejected = [{"to": "x"}, {"index": 5, "to": ["+4088070206"], "errorCode": "SMS-RC-410"}]
    batch = add_batch(emu, ["a", "b", "c", "d"], rejected=rejected, processing=4.0)
    html = client.get(f"{UI}/batches").text
    assert '<span class="count">0/4</span>' in html
    emu.advance("2s")
    html = client.get(f"{UI}/batches/{batch.id}").text
    assert '<span id="batch-progress">2/4</span>' in html
    assert "processing" in html
    indexes = re.findall(r'<td data-label="Index" class="num">(\d+)</td>', html)
    assert indexes == ["1", "5"]  # the entry's own 1-based index, else its position
    assert "+4088070206" in html and "SMS-RC-410" in html
    assert len(row_ids(html)) == 4
    emu.advance("10s")
    html = client.get(f"{UI}/batches/{batch.id}").text
    assert '<span id="batch-progress">4/4</span>' in html
    assert '<span class="badge st-delivered">complete</span>' in html
    assert client.get(f"/_emulator/batches/{batch.id}").json()["batch"]["complete"] is True


def test_batch_json_endpoints(emu: Emulator, client: httpx.Client) -> None:
    first = add_batch(emu, ["a", "b"], rejected=[{"to": "bad"}])
    second = add_batch(emu, ["c"], provider="ringcentral")
    emu.advance("1s")
    listed = client.get("/_emulator/batches").json()["batches"]
    assert [b["id"] for b in listed] == [first.id, second.id]  # oldest first
    assert listed[0] == {
        "id": first.id,
        "provider": "fonedynamics",
        "tenant": "acct-1",
        "from": SENDER,
        "size": 2,
        "processed": 0,
        "complete": False,
        "rejected_count": 1,
        "created_at": "2026-01-01T00:00:00.000000Z",
        "updated_at": "2026-01-01T00:00:00.000000Z",
        "completes_at": "2026-01-01T00:00:04.000000Z",
    }
    only = client.get("/_emulator/batches?provider=ringcentral").json()["batches"]
    assert [b["id"] for b in only] == [second.id]
    detail = client.get(f"/_emulator/batches/{first.id}").json()["batch"]
    assert detail["rejected"] == [{"to": "bad", "index": 1}]
    assert detail["status_counts"] == {
        "queued": 2,
        "sent": 0,
        "delivered": 0,
        "failed": 0,
        "rejected": 0,
    }
    missing = client.get("/_emulator/batches/nope")
    assert missing.status_code == 404
    assert missing.json() == {"error": "no batch 'nope'"}
    assert client.get("/_emulator/batches?provider=x").status_code == 400


def test_message_detail_json(emu: Emulator, client: httpx.Client) -> None:
    message = add_message(emu, "hi [there]")
    emu.advance("2s")
    detail = client.get(f"/_emulator/messages/{message.id}").json()["message"]
    assert {k: detail[k] for k in ("id", "status", "provider_status", "text")} == {
        "id": message.id,
        "status": "sent",
        "provider_status": detail["provider_status"],
        "text": "hi [there]",
    }
    assert [(s["time"], s["status"]) for s in detail["timeline"]] == [
        ("2026-01-01T00:00:00.000000Z", "queued"),
        ("2026-01-01T00:00:01.000000Z", "sent"),
    ]
    assert all(isinstance(s["provider_status"], str) for s in detail["timeline"])
    assert detail["planned"] == [{"time": "2026-01-01T00:00:06.000000Z", "status": "delivered"}]
    breakdown = detail["segment_breakdown"]
    assert (breakdown["encoding"], breakdown["units"], breakdown["segments"]) == ("GSM-7", 12, 1)
    assert breakdown["extension"] == ["[", "]"]
    assert detail["webhooks"] == {"attempts": [], "pending": []}
    assert detail["cost"] is None and detail["cost_basis"] is None and detail["request"] is None
    missing = client.get("/_emulator/messages/nope")
    assert (missing.status_code, missing.json()) == (404, {"error": "no message 'nope'"})


def test_admin_message_list_keeps_its_shape(emu: Emulator, client: httpx.Client) -> None:
    first, second = add_message(emu, "one"), add_message(emu, "two")
    listed = client.get("/_emulator/messages").json()["messages"]
    assert [m["id"] for m in listed] == [first.id, second.id]
    assert "timeline" not in listed[0]


def test_request_entry_json_and_page(emu: Emulator, client: httpx.Client) -> None:
    client.post("/v2/Properties/P/Messages", json={"To": "+61400000002"}, auth=("A", "t"))
    entry = emu.journal.entries()[-1]
    response = client.get(f"/_emulator/requests/{entry['id']}")
    assert response.status_code == 200
    assert response.json() == {"request": entry}
    assert client.get("/_emulator/requests/999").status_code == 404
    html = client.get(f"{UI}/requests/{entry['id']}").text
    assert f"Request #{entry['id']}" in html
    assert "POST /v2/Properties/P/Messages" in html
    assert "&#34;To&#34;: &#34;+61400000002&#34;" in html  # pretty-printed JSON body


def test_request_page_indents_the_body_as_sent_without_rewriting_it(
    emu: Emulator, client: httpx.Client
) -> None:
    """Duplicate keys, number spellings and escapes are what a client's author debugs."""
    sent = b'{"message":"first","message":"second","n":1e2,"f":1.50,"z":-0,"s":"\\u003c"}'
    client.post("/api/services/sendsms", content=sent, headers={"Content-Type": "application/json"})
    entry = emu.journal.entries()[-1]
    page = html.unescape(client.get(f"{UI}/requests/{entry['id']}").text)
    for line in ['"message": "first",', '"message": "second",', '"n": 1e2,', '"f": 1.50,']:
        assert f"  {line}\n" in page
    assert '"z": -0,' in page
    assert '"s": "\\u003c"' in page


def test_live_fingerprint_changes_with_clock_messages_and_requests(
    emu: Emulator, client: httpx.Client
) -> None:
    def version() -> str:
        response = client.get(f"{UI}/live")
        assert response.headers["cache-control"] == "no-store"  # polled: never a stale one
        state = response.json()
        assert set(state) == {"version", "now", "clock"}
        return state["version"]

    start = version()
    assert version() == start
    emu.advance("1s")
    after_clock = version()
    assert after_clock != start
    add_message(emu, "hi")
    after_message = version()
    assert after_message != after_clock
    client.get("/restapi/nothing-here")
    assert version() != after_message


def test_the_untimed_fingerprint_ignores_the_clock_but_not_a_reset(
    emu: Emulator, client: httpx.Client
) -> None:
    def version() -> str:
        return client.get(f"{UI}/live", params={"timed": "0"}).json()["version"]

    client.get("/restapi/nothing-here")
    before = version()
    emu.advance("1h")
    assert version() == before  # the requests page is not redrawn by the clock alone
    emu.reset()
    client.get("/restapi/nothing-here")  # the same counts again, but other entries
    assert version() != before


def test_the_fingerprint_is_the_same_from_run_to_run_and_follows_scenario_loads() -> None:
    """Pages carry it (``data-version``): identical runs must give identical bytes."""

    def fingerprint(emu: Emulator) -> str:
        with emu.client() as c:
            return c.get(f"{UI}/live").json()["version"]

    # the same scenario in other objects, as another process would hold it
    first, second = Emulator({"name": "same", "seed": 3}), Emulator({"name": "same", "seed": 3})
    try:
        assert fingerprint(first) == fingerprint(second)
        before = fingerprint(first)
        first.load_scenario("happy-path")
        assert fingerprint(first) != before
    finally:
        first.close()
        second.close()


def test_static_assets_are_served_from_the_package(client: httpx.Client) -> None:
    css = client.get(f"{UI}/static/app.css")
    assert (css.status_code, css.headers["content-type"]) == (200, "text/css; charset=utf-8")
    assert css.headers["x-content-type-options"] == "nosniff"
    assert css.headers["cache-control"] == "public, max-age=3600"  # unlike the pages
    js = client.get(f"{UI}/static/app.js")
    assert js.headers["content-type"].startswith("text/javascript")
    assert "innerHTML" not in js.text
    assert client.get(f"{UI}/static/../ui.py").status_code == 404
    missing = client.get(f"{UI}/static/nope.js")
    assert (missing.status_code, missing.headers["content-type"]) == (404, "application/json")
    assert "nope.js" in missing.json()["error"]
    admin = files("emulator.admin")
    assert (admin / "templates" / "base.html").is_file()
    assert (admin / "static" / "app.js").is_file()


def test_fonedynamics_message_sent_through_its_endpoint_is_listed_with_its_request(
    emu: Emulator, client: httpx.Client
) -> None:
    response = client.post(
        "/v2/Properties/S7DNJ9KJDS0MDS23DKS9QMZ8DKJSD9KL/Messages",
        json={"From": "+61400000001", "To": "+61400000002", "Text": "<i>Order</i> shipped"},
        auth=("AG5T3HFR5ASD54FS5GB3SDAFJAKSH6DS", "token"),
    )
    assert response.status_code == 200, response.text
    sid = response.json()["Message"]["MessageSid"]
    html = client.get(f"{UI}?provider=fonedynamics").text
    assert row_ids(html) == [sid]
    assert "&lt;i&gt;Order&lt;/i&gt; shipped" in html
    detail = client.get(f"/_emulator/messages/{sid}").json()["message"]
    sent = emu.journal.entries(provider="fonedynamics")[0]
    assert detail["request"] == {"id": sent["id"], "match": "response names the message"}
    page = client.get(f"{UI}/messages/{sid}").text
    assert "POST /v2/Properties/S7DNJ9KJDS0MDS23DKS9QMZ8DKJSD9KL/Messages" in page


def test_pages_work_on_the_sqlite_store(tmp_path: Path) -> None:
    emu = Emulator(db=tmp_path / "emulator.db")
    try:
        message = add_message(emu, "stored on disk")
        batch = add_batch(emu, ["a", "b"], rejected=[{"index": 1, "to": "bad"}])
        emu.advance("1m")
        with emu.client() as client:
            listing = client.get(UI).text
            assert row_ids(listing)[-1] == message.id
            assert len(row_ids(listing)) == 3
            detail = client.get(f"{UI}/messages/{message.id}").text
            assert "stored on disk" in detail and "st-delivered" in detail
            assert (
                '<span id="batch-progress">2/2</span>'
                in client.get(f"{UI}/batches/{batch.id}").text
            )
    finally:
        emu.close()


@pytest.mark.parametrize("value", ["²", "٣", "1_0", " 5", "99999999999999999999", "9" * 5000])
def test_odd_numbers_in_paging_parameters_never_fail_the_page(tmp_path: Path, value: str) -> None:
    """``²`` passed ``isdigit()`` and failed ``int()``; a cursor past SQLite's integers
    failed the query: both answered 500."""
    emu = Emulator(db=tmp_path / "emulator.db")
    try:
        message = add_message(emu, "listed")
        with emu.client() as client:
            for name in ("limit", "before", "after"):
                response = client.get(UI, params={name: value})
                assert response.status_code == 200, (name, response.text[:200])
            assert row_ids(client.get(UI, params={"before": value}).text) == [message.id]
            assert client.get(f"{UI}/requests", params={"before": value}).status_code == 200
    finally:
        emu.close()


def test_paging_links_keep_a_chosen_page_size(emu: Emulator, client: httpx.Client) -> None:
    ids = [add_message(emu, f"message {i}").id for i in range(25)][::-1]
    first = client.get(UI, params={"limit": "10"}).text
    assert row_ids(first) == ids[:10]
    older = re.search(r'href="(/_emulator/ui\?[^"]*before=\d+[^"]*)" rel="next"', first)
    assert older is not None and "limit=10" in older.group(1)
    second = client.get(older.group(1).replace("&amp;", "&")).text
    assert row_ids(second) == ids[10:20]


def test_huge_batches_and_batch_lists_show_a_bounded_part_and_point_to_the_json(
    emu: Emulator, client: httpx.Client
) -> None:
    rejected = [{"index": i, "to": "bad"} for i in range(1, 1202)]
    batch = add_batch(emu, ["a"], rejected=rejected)
    html = client.get(f"{UI}/batches/{batch.id}").text
    assert "Rejected (1201)" in html
    indexes = re.findall(r'<td data-label="Index" class="num">(\d+)</td>', html)
    assert indexes == [str(i) for i in range(1, 501)]
    assert f'href="/_emulator/batches/{batch.id}"' in html
    full = client.get(f"/_emulator/batches/{batch.id}").json()["batch"]["rejected"]
    assert len(full) == 1201  # the JSON keeps every entry
    for _ in range(510):
        add_batch(emu, ["a"])
    listing = client.get(f"{UI}/batches").text
    assert listing.count('<td data-label="Batch">') == 500
    assert "The newest 500 of 511 batches are shown" in listing


def test_a_request_whose_json_body_nests_too_deep_still_renders(client: httpx.Client) -> None:
    """Shown as it was sent (not indented 5,000 levels deep, nor failing every later visit),
    whether or not this Python's JSON parser goes that deep."""
    deep = b'{"smslist": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    client.post(
        "/api/services/sendbulk", content=deep, headers={"Content-Type": "application/json"}
    )
    (entry,) = client.get("/_emulator/requests").json()["requests"]
    assert client.get(f"{UI}/requests").status_code == 200
    detail = client.get(f"{UI}/requests/{entry['id']}")
    assert detail.status_code == 200
    assert "[[[[" in detail.text
    assert len(detail.text) < 64 * 1024


def test_json_bodies_are_indented_up_to_a_depth(client: httpx.Client) -> None:
    nested: object = "leaf"
    for _ in range(PRETTY_DEPTH):
        nested = [nested]
    shallow = msgspec.json.encode({"smslist": nested})  # PRETTY_DEPTH + 1 levels
    for body in (msgspec.json.encode(nested), shallow):
        client.post("/api/services/sendbulk", content=body, headers=JSON_TYPE)
    first, second = client.get("/_emulator/requests").json()["requests"]
    indented = client.get(f"{UI}/requests/{first['id']}").text
    assert "[\n  [\n    [" in html.unescape(indented)
    as_sent = client.get(f"{UI}/requests/{second['id']}").text
    assert '{"smslist":[[[' in html.unescape(as_sent)


@pytest.mark.sms_scenario({"webhooks": {"retries": []}})
def test_the_webhooks_page_says_when_it_lists_only_some(
    emu: Emulator, client: httpx.Client
) -> None:
    """Past 200 rows the page says so and where every one is, as the batch lists do."""
    receipt = {"DeliveryReceiptWebhookUri": "http://127.0.0.1:9/refused"}
    messages = [{"To": f"+614880{i:05d}", "Text": "x", **receipt} for i in range(203)]
    response = client.post(
        "/v2/Properties/SP1/BatchMessages", json={"Messages": messages}, auth=("AC1", "tok")
    )
    assert response.status_code == 200
    due = client.get(f"{UI}/webhooks").text
    assert "Due (203)" in due and "The soonest 200 are shown" in due
    assert emu.webhooks.pending_count() == len(emu.webhooks.pending()) == 203
    emu.advance("1h")
    page = client.get(f"{UI}/webhooks").text
    assert "Attempts (203)" in page and "The newest 200 are shown" in page
    assert 'href="/_emulator/webhooks"' in page
    assert page.count('data-label="Attempt"') == 200
    assert emu.webhooks.pending_count() == 0


@pytest.mark.sms_scenario({"webhooks": {"retries": []}})
def test_a_webhook_attempt_opens_to_the_request_the_receiver_got(
    emu: Emulator, client: httpx.Client
) -> None:
    """What was sent is what a receiver that refused it is debugged from: each attempt
    opens to its URL, headers and body, on the webhooks page and the message's; an
    attempt that sent nothing (an address in the admin API) has nothing to open."""
    receiver = Receiver().start()
    try:
        receipts = [f"{receiver.url}/receipt?k=1", "http://127.0.0.1:9/_emulator/reset"]
        messages = [
            {"To": "+61488000001", "Text": "x", "DeliveryReceiptWebhookUri": uri}
            for uri in receipts
        ]
        sent = client.post(
            "/v2/Properties/SP1/BatchMessages", json={"Messages": messages}, auth=("AC1", "tok")
        )
        assert sent.status_code == 200
        emu.advance("1h")
        [received] = receiver.wait_for(1)
    finally:
        receiver.stop()
    made = emu.webhook_report()["attempts"]
    delivered = next(a for a in made if a["request_url"] is not None)
    refused = next(a for a in made if a["request_url"] is None)
    assert sorted(a["number"] for a in made) == [1, 2]  # numbered as made
    number = delivered["number"]
    page = client.get(f"{UI}/webhooks").text
    opened = re.search(rf'<details id="attempt-{number}" class="sent">(.*?)</details>', page, re.S)
    assert opened is not None
    shown = html.unescape(opened.group(1))
    assert f"POST {delivered['request_url']}" in shown
    assert f"{receiver.url}{received.path}?k=1" == delivered["request_url"]
    assert f"User-Agent: {received.headers['user-agent']}" in shown
    assert received.body.decode() == delivered["request_body"]  # the form, as sent
    assert "Event=Message.DeliveryReceiptReceived" in shown
    assert page.count('class="sent"') == 1  # the refused one sent nothing to show
    assert refused["error"] == webhooks.ADMIN_REFUSAL
    message = client.get(f"{UI}/messages/{delivered['message_id']}").text
    assert f'<details id="attempt-{number}" class="sent"><summary>Request</summary>' in message


def test_the_webhooks_page_counts_every_attempt_and_says_which_are_kept(
    emu: Emulator, client: httpx.Client
) -> None:
    """Past the attempts kept (10,000; 3 here) the page neither claims the JSON report
    has every one nor counts only those kept."""
    emu.webhooks.attempts = deque(maxlen=3)
    for n in range(5):  # refused before any request is made: no receiver needed
        emu.webhooks.schedule(
            emu.time(), method="POST", url=f"http://x.test/_emulator/{n}", provider="p"
        )
    emu.webhooks.notify()
    assert len(client.get("/_emulator/webhooks").json()["attempts"]) == 3
    page = client.get(f"{UI}/webhooks").text
    assert "Attempts (5)" in page
    assert "every one is in" not in page and "the newest 3 are in" in page
    attempts = page[page.index("Attempts (5)") :]  # after the retries pending
    shown = re.findall(r"http://x\.test/_emulator/(\d)", attempts)
    assert list(dict.fromkeys(shown)) == ["4", "3", "2"]  # newest first


def test_another_method_on_an_unknown_inspector_address_is_still_not_found(
    client: httpx.Client,
) -> None:
    """Only GET gets the inspector's "Not found" page: a POST to an address where no page
    is stays a JSON 404 (it answered 405, naming GET as allowed), and a POST to a page
    still gets 405."""
    for method in ("POST", "PUT", "DELETE"):
        response = client.request(method, f"{UI}/nope")
        assert response.status_code == 404, method
        assert response.json()["error"] == "Not Found"
        assert "allow" not in response.headers
    assert client.post(f"{UI}/live").status_code == 405
    assert client.post(f"{UI}/messages/x").status_code == 405
    head = client.head(f"{UI}/nope")
    assert (head.status_code, head.headers["content-type"]) == (404, "text/html; charset=utf-8")


def test_a_search_stopped_on_the_oldest_page_says_to_go_newer(
    emu: Emulator, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From *Oldest* the search walks toward newer messages: there is no Older link, and
    the page said to go older to continue."""
    monkeypatch.setattr(views, "SCAN_LIMIT", 5)
    for n in range(12):
        add_message(emu, "match me" if n in (1, 9) else f"other {n}")
    oldest = client.get(f"{UI}?q=match&after=0").text
    assert "stopped after 5 messages: go newer to continue" in oldest
    assert 'rel="next"' not in oldest and 'rel="prev"' in oldest
    newest = client.get(f"{UI}?q=match").text
    assert "stopped after 5 messages: go older to continue" in newest


def test_a_search_page_that_found_nothing_before_it_stopped_continues_where_it_did(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped at the scan limit with no match yet, either way: the cursor is the last
    message examined (no page to take one from); the status filter is such a search too."""
    monkeypatch.setattr(views, "SCAN_LIMIT", 5)
    for n in range(12):
        add_message(emu, "match me" if n == 6 else f"other {n}")
    search = views.MessageFilter(q="match")
    back = views.message_page(emu, search)  # seqs 12 down to 8
    assert (back.records, back.truncated, back.older) == ([], True, 8)
    ahead = views.message_page(emu, search, after=0)  # seqs 1 up to 5
    assert (ahead.records, ahead.truncated, ahead.newer) == ([], True, 5)
    [found] = views.message_page(emu, search, before=back.older).records
    assert found["text"] == "match me"
    emu.advance("1m")
    assert views.message_page(emu, views.MessageFilter(status="delivered")).truncated


def test_a_search_reads_on_past_the_first_chunk_of_messages(emu: Emulator) -> None:
    """The store is read 500 messages at a time: a match older than the newest 500 is
    still found, and its page says nothing of a search stopped."""
    emu.add_messages([new_message(emu, "match me")])
    emu.add_messages([new_message(emu, f"other {n}") for n in range(600)])
    page = views.message_page(emu, views.MessageFilter(q="match"))
    assert [r["text"] for r in page.records] == ["match me"]
    assert (page.truncated, page.older) == (False, None)


def test_an_empty_page_past_either_end_links_back_to_the_messages_beside_it(
    emu: Emulator,
) -> None:
    """Nothing newer than the newest (``after``) or older than the oldest (``before``):
    its link the other way starts at the message next to the cursor, included."""
    first, _, last = (add_message(emu, t) for t in ("one", "two", "three"))
    flt = views.MessageFilter()
    beyond = views.message_page(emu, flt, after=last.seq)
    assert (beyond.records, beyond.older) == ([], last.seq + 1)
    [shown] = views.message_page(emu, flt, before=beyond.older, limit=1).records
    assert shown["id"] == last.id
    before_all = views.message_page(emu, flt, before=first.seq)
    assert (before_all.records, before_all.newer) == ([], first.seq - 1)
    [shown] = views.message_page(emu, flt, after=before_all.newer, limit=1).records
    assert shown["id"] == first.id


def test_a_message_detail_lists_only_its_own_webhook_attempts(emu: Emulator) -> None:
    mine, other = add_message(emu, "mine"), add_message(emu, "other")
    for message_id in (mine.id, other.id):
        record = webhooks.attempt_record(
            at=emu.time(),
            provider="ringcentral",
            event="delivered",
            message_id=message_id,
            method="POST",
            url="http://127.0.0.1:9/hook",
            attempt=1,
            status=200,
            error=None,
            started=0.0,
        )
        emu.webhooks.record_attempt(record, emu.webhooks.generation)
    detail = views.message_detail(emu, mine.id)
    assert detail is not None
    assert [a["message_id"] for a in detail["webhooks"]["attempts"]] == [mine.id]


def test_a_batch_too_large_to_count_says_so(
    emu: Emulator, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its counts by status were simply missing, as if it had none."""
    monkeypatch.setattr(views, "COUNT_LIMIT", 3)
    batch = add_batch(emu, ["a", "b", "c", "d"])
    html = client.get(f"{UI}/batches/{batch.id}").text
    assert '<p class="counts">' not in html  # no counts, and a line saying why
    assert "Counts by status are shown for batches of up to 3" in html
    assert f'href="/_emulator/ui?batch={batch.id}"' in html
    small = client.get(f"{UI}/batches/{add_batch(emu, ['a']).id}").text
    assert '<p class="counts">' in small and "Counts by status are shown" not in small
    at_the_limit = client.get(f"{UI}/batches/{add_batch(emu, ['a', 'b', 'c']).id}").text
    assert '<p class="counts">' in at_the_limit


@pytest.mark.parametrize("page", ["", "/batches", "/requests"])
def test_an_unknown_provider_filter_is_reported_on_every_list(
    client: httpx.Client, page: str
) -> None:
    """The batches and requests pages ignored it silently, listing everything."""
    html = client.get(f"{UI}{page}?provider=bogus").text
    assert '<p class="error" role="alert">unknown provider &#39;bogus&#39;</p>' in html


def test_the_request_journal_pages_back_and_forth(client: httpx.Client) -> None:
    """Older, then Newer, page by page: the journal had only a Newest link back."""
    for n in range(120):
        client.get(f"/v2/Messages/MISSING{n}")  # journaled like any provider request
    ids = [int(i) for i in re.findall(r'<tr id="req-(\d+)"', client.get(f"{UI}/requests").text)]
    assert ids == list(range(120, 70, -1))
    pages, path = [], f"{UI}/requests"
    while True:
        html = client.get(path).text
        pages.append([int(i) for i in re.findall(r'<tr id="req-(\d+)"', html)])
        older = re.search(r'href="(/_emulator/ui/requests\?before=\d+)" rel="next"', html)
        if older is None:
            break
        path = older.group(1).replace("&amp;", "&")
    assert [len(p) for p in pages] == [50, 50, 20]
    assert 'rel="prev"' in html  # from the oldest page...
    newer = re.search(r'href="(/_emulator/ui/requests\?before=\d+)" rel="prev"', html)
    assert newer is not None  # ...to the middle one, not straight to the newest
    middle = client.get(newer.group(1)).text
    assert [int(i) for i in re.findall(r'<tr id="req-(\d+)"', middle)] == pages[1]
    assert 'rel="prev"' not in middle  # the page above it is the newest: "Newest" leads there
    assert ">Newest<" in middle


def test_a_journal_page_ending_at_the_oldest_request_exactly_has_no_older_link(
    client: httpx.Client,
) -> None:
    for n in range(100):
        client.get(f"/v2/Messages/MISSING{n}")
    first = client.get(f"{UI}/requests").text
    older = re.search(r'href="(/_emulator/ui/requests\?before=\d+)" rel="next"', first)
    assert older is not None
    second = client.get(older.group(1)).text
    assert [int(i) for i in re.findall(r'<tr id="req-(\d+)"', second)] == list(range(50, 0, -1))
    assert 'rel="next"' not in second


def test_a_request_a_scenario_fault_answered_says_which_fault_on_the_pages() -> None:
    emu = Emulator({"faults": [{"first": 1, "respond": {"status": 503, "retry_after": "5s"}}]})
    with emu.client() as client:
        assert client.post("/api/services/sendbulk", json={"count": 0}).status_code == 503
        client.post("/api/services/sendbulk", json={"count": 0})
        faulted, plain = client.get("/_emulator/requests").json()["requests"]
        listing = client.get(f"{UI}/requests").text
        detail = client.get(f"{UI}/requests/{faulted['id']}").text
        untouched = client.get(f"{UI}/requests/{plain['id']}").text
    row = re.search(rf'<tr id="req-{faulted["id"]}">.*?</tr>', listing, re.S)
    assert row is not None and '<span class="code">faults[0]</span>' in row.group(0)
    other = re.search(rf'<tr id="req-{plain["id"]}">.*?</tr>', listing, re.S)
    assert other is not None and "faults[" not in other.group(0)
    said = re.search(r'<p class="fault">(.*?)</p>', detail)
    assert said is not None and "fault <code>faults[0]</code> fired" in said.group(1)
    assert '"status": 503' in said.group(1) and '"retry_after": "5s"' in said.group(1)
    assert "fired:" not in untouched


def test_a_request_dropped_after_processing_shows_its_status_as_not_sent() -> None:
    """A ``drop: after`` fault's journal entry keeps the status the client never got:
    the journal pages and the message's timeline must not show it as a plain 200."""
    emu = Emulator({"faults": [{"first": 1, "respond": {"drop": "after"}}]})
    item = {"partnerID": "1", "apikey": "k", "shortcode": "SHOP", "message": "hi"}
    body = {"count": 1, "smslist": [{**item, "mobile": "254712345678"}]}
    with emu.client() as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.post("/api/services/sendbulk", json=body)
        [message] = emu.messages(provider="sendbulk")
        [entry] = client.get("/_emulator/requests").json()["requests"]
        assert entry["status"] == 200
        for path in (
            f"{UI}/requests",
            f"{UI}/requests/{entry['id']}",
            f"{UI}/messages/{message['id']}",
        ):
            page = client.get(path).text
            assert 'class="badge http-2xx"' not in page, path
            assert "200 not sent" in page, path
            assert "answer not sent</span>" in page, path
        assert "Response 200 (not sent" in client.get(f"{UI}/requests/{entry['id']}").text


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"x": "1"}, "unknown query parameter 'x': GET /_emulator/ui/live takes timed"),
        ({"timed": "yes"}, "timed must be 0 or 1, not 'yes'"),
    ],
)
def test_the_live_fingerprint_refuses_a_query_it_does_not_read(
    client: httpx.Client, query: dict[str, str], error: str
) -> None:
    """As every other admin endpoint does: ``?timed=yes`` read as timed would go unnoticed."""
    response = client.get(f"{UI}/live", params=query)
    assert (response.status_code, response.json()) == (400, {"error": error})
    for accepted in ({}, {"timed": "0"}, {"timed": "1"}):
        assert "version" in client.get(f"{UI}/live", params=accepted).json()


def test_a_response_the_journal_cut_says_so(emu: Emulator, client: httpx.Client) -> None:
    """Only a cut request body was noted: a long answer, cut at 64 KiB (so shown as cut
    JSON, not indented), passed for what the emulator had sent."""
    numbers = ",".join(f"2547{n:08d}" for n in range(1000))
    sent = client.post(
        "/api/services/sendsms",
        json={
            "partnerID": "1234",
            "apikey": "test-key",
            "shortcode": "SHOP",
            "mobile": numbers,
            "message": "Hello",
        },
    )
    assert len(sent.content) > BODY_LIMIT
    client.get("/v2/Messages/MISSING")  # a short answer: no note
    big, small = emu.journal.entries()[-2:]
    note = f"{len(sent.content)} bytes sent; the first {BODY_LIMIT} are shown."
    assert note in client.get(f"{UI}/requests/{big['id']}").text
    assert note in client.get(f"{UI}/requests").text
    assert "are shown." not in client.get(f"{UI}/requests/{small['id']}").text


@pytest.mark.parametrize(
    ("content_length", "note", "body"),
    [
        (str(BODY_LIMIT), None, b"x" * BODY_LIMIT),  # all of it kept: no cut
        (str(BODY_LIMIT + 1), f"{BODY_LIMIT + 1} bytes sent", b"x" * BODY_LIMIT),
        # past any real body: not believed
        ("9" * 19, f"at least {BODY_LIMIT} bytes sent", b"x" * BODY_LIMIT),
        # as many bytes, half as many characters
        ("70000", "70000 bytes sent", "é".encode() * (BODY_LIMIT // 2)),
    ],
)
def test_a_kept_answer_of_the_body_limit_is_cut_only_if_its_length_says_more(
    emu: Emulator, client: httpx.Client, content_length: str, note: str | None, body: bytes
) -> None:
    length = [(b"content-length", content_length.encode())]
    entry = _exchange(emu, 1, at=emu.time(), response_headers=length, response=body)
    page = client.get(f"{UI}/requests/{entry['id']}").text
    if note is None:
        assert "are shown." not in page
    else:
        assert f"{note}; the first {BODY_LIMIT} are shown." in page


@pytest.mark.parametrize(
    ("path", "note"),
    [
        ("?limit=abc", "limit must be a whole number, not &#39;abc&#39;: ignored"),
        ("?limit=0", "limit must be from 1 to 500, not &#39;0&#39;"),
        ("?limit=5000", "limit must be from 1 to 500, not &#39;5000&#39;"),
        ("?before=-3", "before must be a whole number, not &#39;-3&#39;: ignored"),
        ("?after=x", "after must be a whole number, not &#39;x&#39;: ignored"),
        ("?before=", "before must be a whole number, not &#39;&#39;: ignored"),
        ("?before=5&after=1", "give before or after, not both: after is used"),
        ("?stauts=failed", "unknown query parameter &#39;stauts&#39;: ignored"),
        ("/requests?before=abc", "before must be a whole number, not &#39;abc&#39;: ignored"),
        ("/requests?status=failed", "unknown query parameter &#39;status&#39;: ignored"),
        ("/batches?q=x", "unknown query parameter &#39;q&#39;: ignored"),
    ],
)
def test_a_query_parameter_the_page_cannot_use_is_reported(
    client: httpx.Client, path: str, note: str
) -> None:
    """A mistyped filter or a mangled cursor showed the unfiltered newest page as if it
    applied, with no word of it (unknown statuses and providers were already reported)."""
    response = client.get(UI + path)
    assert response.status_code == 200
    assert f'<p class="error" role="alert">{note}</p>' in response.text


def test_an_unknown_provider_filter_lists_every_message(
    emu: Emulator, client: httpx.Client
) -> None:
    """Reported and dropped, as an unknown status is: not a filter that matches nothing."""
    message = add_message(emu, "listed")
    assert row_ids(client.get(f"{UI}?provider=twilio").text) == [message.id]


def test_a_page_size_at_the_limit_is_taken_and_one_past_it_is_cut_to_it(
    emu: Emulator, client: httpx.Client
) -> None:
    emu.add_messages([new_message(emu, f"m{n}") for n in range(501)])
    at_most = client.get(f"{UI}?limit=500").text
    assert '<p class="error"' not in at_most and len(row_ids(at_most)) == 500
    past = client.get(f"{UI}?limit=501").text
    assert "limit must be from 1 to 500" in past and len(row_ids(past)) == 500


@pytest.mark.parametrize(
    ("text", "shown"),
    [("a" * 80, "a" * 80), ("b" * 81, "b" * 79 + "…"), ("c  d\ne", "c d e")],
)
def test_the_message_list_shows_texts_up_to_80_characters_on_one_line(
    emu: Emulator, client: httpx.Client, text: str, shown: str
) -> None:
    add_message(emu, text)
    assert f'<td data-label="Text" class="preview">{shown}</td>' in client.get(UI).text


def test_the_parameters_the_pages_link_to_are_not_reported(
    emu: Emulator, client: httpx.Client
) -> None:
    for n in range(3):
        add_message(emu, f"message {n}")
    paths = [
        "?provider=sendbulk&number=1&status=queued&direction=inbound&batch=B&q=x&limit=2",
        "?limit=2&before=3",
        "?limit=2&after=0",
        "?reply_provider=sendbulk&reply_from=1&reply_to=2",
        "?provider=&number=&status=&direction=&q=",  # the filter form, nothing chosen
        "/requests?provider=sendbulk&before=3",
        "/batches?provider=sendbulk",
    ]
    for path in paths:
        assert 'class="error" role="alert">' not in client.get(UI + path).text, path


def test_a_reply_link_opens_the_composer_with_its_numbers(client: httpx.Client) -> None:
    page = client.get(f"{UI}?reply_provider=sendbulk&reply_from=254712345678&reply_to=40404").text
    assert '<details class="panel" id="compose" open>' in page
    assert '<input id="in-from" name="from" value="254712345678"' in page
    assert '<input id="in-to" name="to" value="40404"' in page


def test_a_long_unknown_parameter_is_named_shortened(client: httpx.Client) -> None:
    page = client.get(f"{UI}?{'x' * 60}=1").text
    assert f"unknown query parameter &#39;{'x' * 39}…&#39;: ignored" in page


@pytest.mark.parametrize(
    ("path", "live_url"),
    [
        ("", "/_emulator/ui/live"),
        ("/batches", "/_emulator/ui/live"),
        ("/requests", "/_emulator/ui/live?timed=0"),
        ("/webhooks", "/_emulator/ui/live?timed=0"),
        ("/scenario", "/_emulator/ui/live?timed=0"),
    ],
)
def test_pages_that_do_not_follow_the_clock_poll_the_untimed_fingerprint(
    client: httpx.Client, path: str, live_url: str
) -> None:
    """On a real clock the journal, webhooks and scenario pages would else be redrawn
    every second under the reader."""
    assert f'data-live-url="{live_url}"' in client.get(UI + path).text


def test_answers_are_badged_by_their_class(client: httpx.Client) -> None:
    sent = client.post(
        "/api/services/sendsms",
        json={
            "partnerID": "1234",
            "apikey": "test-key",
            "shortcode": "SHOP",
            "mobile": "254712345678",
            "message": "Hello",
        },
    )
    assert sent.status_code == 200
    assert client.get("/v2/Messages/MISSING").status_code == 401
    page = client.get(f"{UI}/requests").text
    assert '<span class="badge http-2xx">200</span>' in page
    assert '<span class="badge http-4xx">401</span>' in page


def test_filtering_keeps_a_chosen_page_size(client: httpx.Client) -> None:
    """The paging links kept ``limit``; the filter form dropped it, back to 50 a page."""
    form = client.get(f"{UI}?limit=20").text.split('role="search"')[1].split("</form>")[0]
    assert '<input type="hidden" name="limit" value="20">' in form
    form = client.get(UI).text.split('role="search"')[1].split("</form>")[0]
    assert 'name="limit"' not in form
