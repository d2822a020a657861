"""Shortcuts in the wire layer give exactly what the general path gives."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.core.lifecycle import Timing, plan_for
from emulator.core.models import Message, Outcome, Plan, Status
from emulator.providers.fonedynamics.mapping import error_code, status_name
from emulator.providers.fonedynamics.wire import (
    message_resource,
    validate_message,
    validate_messages,
)

NOW = 1_700_000_000.0

PLANS = [plan_for(outcome.value, Timing(), "E1") for outcome in Outcome] + [
    Plan("delivered", ((0.0, Status.SENT), (0.0, Status.DELIVERED))),  # everything at dispatch
    Plan("no_receipt", ((3.0, Status.SENT), (4.0, Status.SENT))),  # a status reached twice
    Plan("no_receipt", initial=Status.SENT),
    Plan("delivered", initial=Status.DELIVERED),
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
        submitted = message.reached_at(Status.SENT, now)
        assert body.get("Submitted") == (None if submitted is None else int(submitted))
        delivered = message.reached_at(Status.DELIVERED, now)
        expected = int(delivered) if delivered is not None and status == "Delivered" else None
        assert body.get("Delivered") == expected


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
