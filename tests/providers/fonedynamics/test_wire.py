"""Shortcuts on the request path give exactly what the general path gives."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.responses import Response

from emulator import Emulator
from emulator.core.lifecycle import Timing, plan_for
from emulator.core.models import Direction, Message, Outcome, Plan, Status
from emulator.providers.fonedynamics.errors import (
    CONTENT_TYPE,
    SerializationException,
    json_response,
)
from emulator.providers.fonedynamics.mapping import error_code, status_name
from emulator.providers.fonedynamics.routes import CaseInsensitivePaths
from emulator.providers.fonedynamics.wire import (
    message_resource,
    parse_json,
    validate_message,
    validate_messages,
)

NOW = 1_700_000_000.0

PLANS = [plan_for(outcome.value, Timing(), "E1") for outcome in Outcome] + [
    Plan("delivered", ((0.0, Status.SENT), (0.0, Status.DELIVERED))),  # everything at dispatch
    Plan("no_receipt", ((3.0, Status.SENT), (4.0, Status.SENT))),  # a status reached twice
    Plan("no_receipt", initial=Status.SENT),
    Plan("delivered", initial=Status.DELIVERED),
    Plan("delivered", ((3.0, Status.DELIVERED),)),  # a scenario sequence with no sent step
]


def _message(plan: Plan, receipt: bool, dispatch_delay: float) -> Message:
    return Message(
        id="M1",
        provider="fonedynamics",
        tenant="A",
        sender="+61499009990",
        to="+61488023555",
        text="hi",
        segments=1,
        created_at=NOW,
        dispatch_at=NOW + dispatch_delay,
        plan=plan,
        extra={"AccountSid": "A", "PropertySid": "S", "DeliveryReceipt": receipt},
    )


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("receipt", [True, False])
@pytest.mark.parametrize("dispatch_delay", [0.0, 2.0])
def test_message_resource_agrees_with_the_status_functions(
    plan: Plan, receipt: bool, dispatch_delay: float
) -> None:
    message = _message(plan, receipt, dispatch_delay)
    for later in (-1, 0, 0.5, 1, 2, 2.5, 3, 4, 5, 6, 7, 8, 9, 100):
        now = NOW + later
        body = message_resource(message, now)
        status = status_name(message, now)
        assert body["Status"] == status
        assert body["ErrorCode"] == error_code(message, now)
        assert body["NumSegments"] == (0 if status == "Processing" else 1)
        submitted = _submitted(message, now)
        assert body.get("Submitted") == (None if submitted is None else int(submitted))
        delivered = message.reached_at(Status.DELIVERED, now)
        expected = int(delivered) if delivered is not None and status == "Delivered" else None
        assert body.get("Delivered") == expected


def _submitted(message: Message, now: float) -> float | None:
    """When the SMSC had it: Sent, or else Delivered (a plan may skip Sent)."""
    sent = message.reached_at(Status.SENT, now)
    return sent if sent is not None else message.reached_at(Status.DELIVERED, now)


def _reference_resource(message: Message, now: float) -> dict[str, Any]:
    """The resource as a plain dict, built from the status functions: the wire reference."""
    extra = message.extra or {}
    status = status_name(message, now)
    inbound = message.direction == Direction.INBOUND
    body: dict[str, Any] = {
        "MessageSid": message.id,
        "AccountSid": extra.get("AccountSid", message.tenant),
        "PropertySid": extra.get("PropertySid", ""),
        "From": message.sender,
        "To": message.to,
        "Text": message.text,
        "DeliveryReceipt": bool(extra.get("DeliveryReceipt", not inbound)),
        "NumSegments": 0 if status == "Processing" else message.segments,
        "Status": status,
        "Direction": "Receive" if inbound else "Transmit",
    }
    if extra.get("Scheduled") is not None:
        body["Scheduled"] = int(extra["Scheduled"])
    body["Created"] = int(message.created_at)
    if inbound:
        body["Received"] = int(message.created_at)
    else:
        submitted = _submitted(message, now)
        if submitted is not None:
            body["Submitted"] = int(submitted)
        if status == "Delivered":
            delivered = message.reached_at(Status.DELIVERED, now)
            if delivered is not None:
                body["Delivered"] = int(delivered)
    body["ErrorCode"] = error_code(message, now)
    if extra.get("ExternalId") is not None:
        body["ExternalId"] = extra["ExternalId"]
    return body


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"AccountSid": "A", "PropertySid": "S", "DeliveryReceipt": False, "ExternalId": "e1"},
        {"AccountSid": "A", "PropertySid": "S", "Scheduled": NOW + 3, "ExternalId": ""},
    ],
)
@pytest.mark.parametrize("direction", list(Direction))
def test_message_resource_encodes_as_the_reference_dict(
    plan: Plan, extra: dict[str, Any], direction: Direction
) -> None:
    message = _message(plan, True, 2.0)
    message.extra = extra or None
    message.direction = direction
    for later in (-1, 0, 1, 2, 3, 4, 8, 100):
        now = NOW + later
        expected = msgspec.json.encode(_reference_resource(message, now))
        assert msgspec.json.encode(message_resource(message, now)) == expected


def _folded(raw: dict[str, Any]) -> dict[str, Any]:
    """The same message with lower-case keys: never the plain-message shortcut."""
    return {key.lower(): value for key, value in raw.items()}


PLAIN_VALUES = [
    None,
    "",
    " ",
    "+61499009990",
    "+614990099",
    "+4088070206",
    "+1415555010",
    "+14155550100",
    "0499009990",
    "MyShop",
    "My Shop 123",
    "TwelveLetter",
    "12345",
    "Shop!",
    "x\u00e9",
    61499009990,
    1.5,
    True,
    ["+61499009990"],
]


@pytest.mark.parametrize("sender", PLAIN_VALUES)
@pytest.mark.parametrize("to", PLAIN_VALUES)
def test_plain_messages_validate_as_the_general_path_does(sender: Any, to: Any) -> None:
    for text in ("hi", "", None, 7):
        raw = {"From": sender, "To": to, "Text": text}
        assert validate_message(raw, NOW) == validate_message(_folded(raw), NOW)
        without_sender = {"To": to, "Text": text}
        assert validate_message(without_sender, NOW) == validate_message(
            _folded(without_sender), NOW
        )


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(["From", "To", "Text"]),
        st.one_of(st.none(), st.text(max_size=16), st.text("0123456789+", max_size=16)),
    )
)
def test_any_plain_message_validates_as_the_general_path_does(raw: dict[str, Any]) -> None:
    assert validate_message(raw, NOW) == validate_message(_folded(raw), NOW)


def test_a_batch_checks_each_sender_as_a_single_message_would() -> None:
    senders = ["+61499009990", "+4088070206", "MyShop", "Shop!", "+61499009990", "+4088070206"]
    raws = [{"From": sender, "To": "+61488023555", "Text": "hi"} for sender in senders]
    one_by_one = [validate_message(raw, NOW) for raw in raws]
    assert validate_messages(raws, NOW) == one_by_one
    assert [type(item).__name__ for item in one_by_one] == [
        "MessageRequest",
        "ItemError",
        "MessageRequest",
        "ItemError",
        "MessageRequest",
        "ItemError",
    ]


@pytest.mark.parametrize(
    "raw",
    [
        b'{"Messages": [{"To": "+61488023555", "Text": "hi"}]}',
        '{"Text": "Caf\u00e9"}'.encode(),
        b'{"Text": "x"} trailing',
        b"{not json",
        b'{"From": "x",}',
        b'{"Text":' + b"[" * 50_000,
    ],
)
def test_json_from_the_bytes_is_what_the_decoded_text_gives(raw: bytes) -> None:
    def outcome(body: bytes) -> Any:
        try:
            return parse_json(body)
        except SerializationException as exc:
            return exc.message

    # A byte order mark sends the body through the text path, which then drops it.
    assert outcome(raw) == outcome(b"\xef\xbb\xbf" + raw)


def test_a_latin1_json_body_is_read_as_latin1() -> None:
    assert parse_json('{"Text": "Caf\u00e9"}'.encode("latin-1")) == {"Text": "Caf\u00e9"}


@pytest.mark.parametrize("status", [200, 400, 401, 500, 204, 304, 101])
@pytest.mark.parametrize("headers", [None, {}, {"Retry-After": "1"}, {"Content-Length": "0"}])
def test_json_response_headers_are_starlettes(status: int, headers: dict[str, str] | None) -> None:
    body = {"ResponseStatus": {"ErrorCode": "X", "Message": "y"}}
    expected = Response(
        msgspec.json.encode(body), status_code=status, headers=headers, media_type=CONTENT_TYPE
    )
    assert json_response(body, status, headers).raw_headers == expected.raw_headers


def _fixed_segments(path: str) -> str:
    """The documented rule: ``properties``/``messages``/``batchmessages`` spelled as routed."""
    names = {"properties": "Properties", "messages": "Messages", "batchmessages": "BatchMessages"}
    parts = path.split("/")
    if len(parts) > 1:
        parts[1] = names.get(parts[1].lower(), parts[1])
    if len(parts) > 3 and parts[1] == "Properties":
        parts[3] = names.get(parts[3].lower(), parts[3])
    return "/".join(parts)


@pytest.mark.parametrize(
    "path",
    [
        "/Properties/S1/Messages",
        "/Properties/S1/BatchMessages",
        "/Properties/S1/Messages/",
        "/Properties//Messages",
        "/Messages/M1",
        "/Messages",
        "/properties/S1/messages",
        "/PROPERTIES/S1/BATCHMESSAGES",
        "/Properties/S1/messages",
        "/Properties/S1/MessagesX",
        "/Messages\n",
        "/Properties/S1/Messages\n",
        "/messages/M1",
        "/Nothing",
        "/",
        "",
    ],
)
@pytest.mark.parametrize("root", ["", "/v2"])
def test_paths_are_spelled_as_the_routes_spell_them(path: str, root: str) -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["path"])

    scope = {"type": "http", "root_path": root, "path": root + path}
    asyncio.run(CaseInsensitivePaths(app)(scope, None, None))  # type: ignore[arg-type]
    assert seen == [root + _fixed_segments(path)]


def test_a_batch_body_in_several_chunks_is_read_whole(http_scope) -> None:
    emu = Emulator()
    body = json.dumps({"Messages": [{"To": "+61488023555", "Text": "hi"}]}).encode()
    chunks = [body[:10], body[10:25], body[25:]]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        chunk = chunks.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    auth = base64.b64encode(b"A1:t").decode()
    headers = [(b"authorization", f"Basic {auth}".encode()), (b"host", b"test")]
    scope = http_scope("/v2/Properties/S1/BatchMessages", headers)
    asyncio.run(emu.app(scope, receive, send))  # type: ignore[arg-type]
    assert sent[0]["status"] == 200
    (message,) = json.loads(sent[1]["body"])
    assert (message["To"], message["Status"]) == ("+61488023555", "Processing")
