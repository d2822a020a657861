"""A rule's ``error_code`` that no client could ever see is refused, as docs/scenarios.md
promises for codes that "would do nothing", whichever way the rule leaves it unseen."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.scenario.loader import ScenarioError, parse_scenario


def refused(rule: dict[str, Any]) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario({"rules": [rule]})
    return caught.value


@pytest.mark.parametrize(
    "outcome",
    [
        "no_receipt",
        {"delivered": 3, "no_receipt": 1},
        {"sequence": [{"after": "1s", "status": "sent"}]},  # reported as no_receipt
    ],
)
def test_a_code_on_a_rule_whose_messages_never_fail_is_refused(outcome: Any) -> None:
    """No provider shows a code for a message that stays Sent/Submitted/SentToNetwork:
    the code was accepted and silently dropped, unlike the same code on `delivered`."""
    error = refused({"outcome": outcome, "error_code": "SMS-CAR-411"})
    assert error.field == "rules[0].error_code"
    assert "does nothing" in error.reason


def test_a_code_for_a_provider_the_rule_never_matches_is_refused() -> None:
    error = refused(
        {
            "when": {"provider": "ringcentral"},
            "outcome": "undeliverable",
            "error_code": {"ringcentral": "SMS-CAR-411", "fonedynamics": "CARRIER_X"},
        }
    )
    assert error.field == "rules[0].error_code.fonedynamics"
    assert "matches no fonedynamics message" in error.reason


def test_an_endpoint_only_one_provider_has_limits_the_rule_to_it() -> None:
    """`endpoint: send_batch` is Fone Dynamics' alone: a sendbulk code there does nothing."""
    error = refused(
        {
            "when": {"endpoint": "send_batch"},
            "outcome": "send_failed",
            "error_code": {"sendbulk": "DeliveryImpossible"},
        }
    )
    assert error.field == "rules[0].error_code.sendbulk"


@pytest.mark.parametrize("endpoint", ["sendsms", "sendbulk", "sendotp", ["sendsms", "sendbulk"]])
def test_invalid_number_code_on_a_sendbulk_only_endpoint_must_be_a_gateway_code(
    endpoint: Any,
) -> None:
    """docs/scenarios.md: an invalid_number code "on a rule only sendbulk matches" must be a
    gateway row code.  A rule only sendbulk matches by its endpoint was let through, and
    the gateway answered row 1003 as if the code were not there."""
    error = refused(
        {"when": {"endpoint": endpoint}, "outcome": "invalid_number", "error_code": "SMS-RC-410"}
    )
    assert error.field == "rules[0].error_code"
    assert "no gateway code" in error.reason


@pytest.mark.parametrize(
    "rule",
    [
        {"outcome": {"no_receipt": 1, "undeliverable": 1}, "error_code": "X"},
        # a failure weighted 0 is switched off for now, its code kept for when it is back
        {"outcome": {"delivered": 1, "undeliverable": 0}, "error_code": "X"},
        {"outcome": {"sequence": [{"after": "1s", "status": "failed"}]}, "error_code": "X"},
        {"when": {"endpoint": "send*"}, "outcome": "send_failed", "error_code": {"sendbulk": "X"}},
        {
            "when": {"provider": "fonedynamics", "endpoint": "forward_sms"},
            "outcome": "opted_out",
            "error_code": {"fonedynamics": "X"},
        },
        {"when": {"endpoint": "sendsms"}, "outcome": "invalid_number", "error_code": 1002},
        {"when": {"to": "+1*"}, "outcome": "invalid_number", "error_code": "SMS-RC-410"},
    ],
)
def test_codes_a_client_can_see_are_still_accepted(rule: dict[str, Any]) -> None:
    assert parse_scenario({"rules": [rule]}).rules
