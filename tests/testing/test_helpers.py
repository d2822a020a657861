"""MessageHelpers: listing, waiting for and reading codes from sent messages."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from emulator.core.models import Direction
from emulator.testing.helpers import InProcessEmulator, extract_code, same_number

from ._messages import store_message


@pytest.fixture
def emu() -> InProcessEmulator:
    return InProcessEmulator()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Your code is 482913, valid 10 min", "482913"),
        ("1234 is your PIN", "1234"),
        ("Code: 12345678.", "12345678"),
        ("Order 123456789 shipped", None),  # 9 digits: not a code
        ("Call 555 now", None),
        ("G-73811 is your Google code", "73811"),
        ("", None),
    ],
)
def test_extract_code(text: str, code: str | None) -> None:
    assert extract_code(text) == code


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("+14155550100", "14155550100", True),
        ("+254712345678", "0712345678", True),
        ("254712345678", "0712345678", True),
        ("+14155550100", "+14155550101", False),
        ("+14155550100", None, False),
    ],
)
def test_same_number(a: str, b: str | None, same: bool) -> None:
    assert same_number(a, b) is same


def test_sent_messages_filters_outbound_by_number_provider_and_text(
    emu: InProcessEmulator,
) -> None:
    store_message(emu, "+14155550100", "hello one")
    store_message(emu, "+14155550101", "hello two", provider="fonedynamics")
    store_message(emu, "+14155550100", "bye")
    store_message(emu, "+16505550100", "a reply", direction=Direction.INBOUND)

    assert [m["text"] for m in emu.sent_messages()] == ["hello one", "hello two", "bye"]
    assert [m["text"] for m in emu.sent_messages("14155550100")] == ["hello one", "bye"]
    assert [m["text"] for m in emu.sent_messages(provider="fonedynamics")] == ["hello two"]
    assert [m["text"] for m in emu.sent_messages(contains="hello")] == ["hello one", "hello two"]
    assert [m["text"] for m in emu.sent_messages(match=r"^b")] == ["bye"]


def test_sent_messages_filters_by_status_as_the_clock_moves(emu: InProcessEmulator) -> None:
    store_message(emu, "+14155550100", "hi")
    assert emu.sent_messages(status="delivered") == []
    emu.advance("1m")
    assert [m["status"] for m in emu.sent_messages(status="delivered")] == ["delivered"]


def test_last_code_reads_the_newest_message_with_a_code(emu: InProcessEmulator) -> None:
    store_message(emu, "+14155550100", "Your code is 1111")
    store_message(emu, "+14155550100", "Your code is 2222")
    store_message(emu, "+14155550100", "Thanks for signing in")
    store_message(emu, "+14155550199", "Your code is 9999")
    assert emu.last_code("+14155550100") == "2222"


def test_a_message_the_provider_refused_is_not_sent(emu: InProcessEmulator) -> None:
    """An OTP test must fail when the gateway refused the code's SMS (here: no credit)."""
    emu.load_scenario("insufficient-balance")  # 3 units for partner 1234
    client = emu.client()
    account = {"partnerID": "1234", "apikey": "test-key", "shortcode": "SHOP"}
    for i in range(3):
        body = {**account, "mobile": f"07000000{i:02d}", "message": "hello"}
        assert client.post("/api/services/sendsms", json=body).status_code == 200
    otp = {**account, "mobile": "0712345678", "message": "Your code is 482913"}
    answer = client.post("/api/services/sendotp", json=otp).json()
    assert answer["responses"][0]["response-code"] == 1004
    refusal = r"to '\+254712345678' via sendbulk \(rejected\): 'Your code is 482913'"
    with pytest.raises(AssertionError, match=r"no message with a 4-8 digit code(.|\n)*" + refusal):
        emu.last_code("0712345678")
    with pytest.raises(AssertionError, match=r"no message was sent(.|\n)*" + refusal):
        emu.last_message("0712345678")
    assert emu.sent_messages("0712345678") == []
    with pytest.raises(AssertionError, match=r"found 0(.|\n)*" + refusal):
        emu.wait_for_message("0712345678", timeout=0)
    (refused,) = emu.sent_messages("0712345678", status="rejected")
    assert refused["text"] == "Your code is 482913"


def test_a_failure_lists_the_messages_to_that_number_before_newer_ones(
    emu: InProcessEmulator,
) -> None:
    """A refusal to the number asked about is the clue, however much was sent since."""
    emu.load_scenario({"rules": [{"when": {"to": "+254712345678"}, "outcome": "invalid_number"}]})
    client = emu.client()
    account = {"partnerID": "1", "apikey": "k", "shortcode": "SHOP", "message": "Code 4821"}
    for mobile in ["0712345678"] + [f"07220000{i:02d}" for i in range(11)]:
        client.post("/api/services/sendsms", json={**account, "mobile": mobile})
    with pytest.raises(AssertionError) as info:
        emu.last_code("0712345678")
    text = str(info.value)
    assert "12 outbound message(s), 1 to '0712345678':\n" in text
    assert "  to '+254712345678' via sendbulk (rejected): 'Code 4821'\n" in text
    assert "and to other numbers:\n  ... and 1 earlier\n" in text


def _failure(call: Callable[[], object]) -> str:
    with pytest.raises(AssertionError) as info:
        call()
    return str(info.value)


def test_a_failure_lists_only_what_there_is(emu: InProcessEmulator) -> None:
    """No empty heading: nothing sent, nothing to that number, nothing to others."""
    assert _failure(lambda: emu.last_message("+14155550100")).endswith(
        "; no outbound messages at all"
    )
    nothing = _failure(lambda: emu.last_message("+14155550100", provider="sendbulk"))
    assert nothing == "no message was sent to '+14155550100'; no outbound messages at all"
    store_message(emu, "+14155550199", "elsewhere")
    # the provider asked about sent, to another number: not "none through ringcentral"
    assert _failure(lambda: emu.last_message("+14155550100", provider="ringcentral")) == (
        "no message was sent to '+14155550100'; 1 outbound message(s):\n"
        "  to '+14155550199' via ringcentral (queued): 'elsewhere'"
    )
    assert _failure(lambda: emu.last_code("+14155550100")).endswith(
        "; 1 outbound message(s):\n  to '+14155550199' via ringcentral (queued): 'elsewhere'"
    )
    assert _failure(lambda: emu.last_code("+14155550199")).endswith(
        "; 1 outbound message(s), 1 to '+14155550199':\n"
        "  to '+14155550199' via ringcentral (queued): 'elsewhere'"
    )


def test_a_failure_lists_the_newest_ten_and_counts_the_rest(emu: InProcessEmulator) -> None:
    for i in range(10):
        store_message(emu, "+14155550199", f"message {i}")
    text = _failure(lambda: emu.last_code("+14155550100"))
    assert "earlier" not in text and "'message 0'" in text
    store_message(emu, "+14155550199", "message 10")
    text = _failure(lambda: emu.last_code("+14155550100"))
    assert "11 outbound message(s):\n  ... and 1 earlier\n  to " in text
    assert "'message 0'" not in text and text.endswith("'message 10'")


def test_last_code_without_a_code_says_what_was_sent(emu: InProcessEmulator) -> None:
    store_message(emu, "+14155550199", "Your code is 9999")
    with pytest.raises(AssertionError, match=r"no message with a 4-8 digit code.*\+14155550100"):
        emu.last_code("+14155550100")


def test_last_message(emu: InProcessEmulator) -> None:
    store_message(emu, "+14155550100", "first")
    store_message(emu, "+14155550100", "second")
    assert emu.last_message("+14155550100")["text"] == "second"
    with pytest.raises(AssertionError, match="no message was sent to '\\+1999'"):
        emu.last_message("+1999")


def test_a_number_stored_in_two_forms_is_listed_oldest_first(emu: InProcessEmulator) -> None:
    """One number stored with and without its ``+`` (a short code...): one list, by age."""
    for to, text in (("+14155550100", "one"), ("14155550100", "two"), ("+14155550100", "three")):
        store_message(emu, to, text)
    for to in ("+14155550100", "14155550100"):
        assert [m["text"] for m in emu.messages(to=to)] == ["one", "two", "three"]
        assert [m["text"] for m in emu.sent_messages(to)] == ["one", "two", "three"]
    assert emu.last_message("14155550100")["text"] == "three"


def test_wait_for_message_returns_at_once_when_it_is_there(
    emu: InProcessEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_message(emu, "+14155550100", "hi")
    assert emu.wait_for_message(to="+14155550100", timeout=0)["text"] == "hi"
    # Found on the first look (exactly `count` of them): no poll, whatever the timeout.
    store_message(emu, "+14155550100", "again")

    def no_sleep(seconds: float) -> None:
        raise AssertionError(f"slept {seconds}s with the messages already there")

    monkeypatch.setattr("emulator.testing.helpers.time.sleep", no_sleep)
    assert emu.wait_for_message(to="+14155550100", timeout=60)["text"] == "again"
    assert emu.wait_for_message(to="+14155550100", count=2, timeout=60)["text"] == "again"


def test_wait_for_message_sees_a_message_sent_from_another_thread(
    emu: InProcessEmulator,
) -> None:
    timer = threading.Timer(0.05, store_message, (emu, "+14155550100", "late 4321"))
    timer.start()
    try:
        found = emu.wait_for_message(to="+14155550100", contains="late", timeout=5)
    finally:
        timer.join()
    assert found["text"] == "late 4321"


def test_last_code_waits_for_a_code_sent_from_another_thread(emu: InProcessEmulator) -> None:
    store_message(emu, "+14155550100", "no code here")
    timer = threading.Timer(0.05, store_message, (emu, "+14155550100", "Your code is 4321"))
    timer.start()
    try:
        assert emu.last_code("+14155550100", timeout=5) == "4321"
    finally:
        timer.join()


def test_wait_for_message_counts(emu: InProcessEmulator) -> None:
    store_message(emu, "+14155550100", "one")
    with pytest.raises(AssertionError, match=r"waited 0.05s for 2 message\(s\).*found 1;"):
        emu.wait_for_message(to="+14155550100", count=2, timeout=0.05)
    store_message(emu, "+14155550100", "two")
    assert emu.wait_for_message(to="+14155550100", count=2, timeout=0)["text"] == "two"


def test_wait_for_message_timeout_lists_what_was_sent(emu: InProcessEmulator) -> None:
    store_message(emu, "+14155550199", "elsewhere")
    with pytest.raises(AssertionError) as info:
        emu.wait_for_message(to="+14155550100", timeout=0.02)
    assert "to='+14155550100'" in str(info.value)
    assert "'+14155550199' via ringcentral (queued): 'elsewhere'" in str(info.value)


def test_waiting_for_a_status_says_which_status_each_message_has(emu: InProcessEmulator) -> None:
    """The usual mistake on a virtual clock is not advancing it: the error shows it."""
    store_message(emu, "+14155550100", "code 1234")
    with pytest.raises(AssertionError, match=r"via ringcentral \(queued\): 'code 1234'"):
        emu.wait_for_message(to="+14155550100", status="delivered", timeout=0)
    with pytest.raises(AssertionError, match=r"on a virtual one, advance\(\) it"):
        emu.wait_for_message(to="+14155550100", status="delivered", timeout=0)


def test_a_provider_that_sent_nothing_is_named_and_the_others_listed(
    emu: InProcessEmulator,
) -> None:
    store_message(emu, "+61412345678", "code 4321", provider="fonedynamics")
    for call in (emu.last_code, emu.last_message):
        with pytest.raises(AssertionError) as info:
            call("+61412345678", provider="sendbulk")
        assert "none through sendbulk;" in str(info.value)
        assert "'+61412345678' via fonedynamics (queued): 'code 4321'" in str(info.value)


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        ({"provider": "fonedynamic"}, r"unknown provider 'fonedynamic' \(known: .*fonedynamics"),
        ({"status": "Delivered"}, r"unknown status 'Delivered' \(valid: queued, sent, delivered"),
    ],
)
def test_a_misspelled_filter_is_an_error_not_nothing_sent(
    emu: InProcessEmulator, options: dict[str, str], complaint: str
) -> None:
    store_message(emu, "+14155550100", "code 1234")
    with pytest.raises(ValueError, match=complaint):
        emu.sent_messages(**options)
    with pytest.raises(ValueError, match=complaint):
        emu.wait_for_message("+14155550100", timeout=0, **options)
    with pytest.raises(ValueError, match=complaint):
        emu.messages(**options)


def test_wait_for_message_rejects_a_zero_count(emu: InProcessEmulator) -> None:
    with pytest.raises(ValueError, match="count"):
        emu.wait_for_message(count=0)


def test_requests_journal_is_empty_on_a_fresh_emulator(emu: InProcessEmulator) -> None:
    assert emu.requests() == []
