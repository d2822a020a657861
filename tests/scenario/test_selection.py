"""Choosing a scenario: Emulator(scenario=...), load_scenario, PUT /_emulator/scenario, marker."""

from __future__ import annotations

import json

import pytest

from emulator import Emulator
from emulator.scenario.loader import ScenarioError


def test_constructor_takes_a_name_a_dict_or_yaml_text(tmp_path) -> None:
    assert Emulator().scenario.name == "happy-path"
    assert Emulator(scenario="opt-outs").scenario.name == "opt-outs"
    assert Emulator(scenario={"name": "d", "seed": 3}).seed == 3
    assert Emulator(scenario="name: t\nseed: 4\n").scenario.name == "t"
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nrules:\n  - outcome: no_receipt\n")
    assert Emulator(scenario=path).scenario.name == "mine"
    assert Emulator(scenario=str(path)).scenario.name == "mine"


def test_seed_argument_overrides_the_scenarios_seed() -> None:
    emu = Emulator(scenario="mixed-delivery", seed=7)
    assert emu.seed == 7
    emu.load_scenario("opt-outs")
    assert emu.seed == 7


@pytest.mark.parametrize(
    ("seed", "complaint"),
    [
        (7.0, "must be an integer, not 7.0"),  # would draw other outcomes than 7
        (True, "must be an integer, not True"),
        ("7", "must be an integer, not '7'"),
        (2**64, r"more than 64 bits"),
        (2**63, r"more than 64 bits"),  # signed: -2**63 to 2**63 - 1
        (-(2**63) - 1, r"more than 64 bits"),
    ],
)
def test_a_seed_argument_is_refused_as_a_scenarios_seed_would_be(seed, complaint) -> None:
    with pytest.raises(ScenarioError, match=complaint):
        Emulator(scenario="mixed-delivery", seed=seed)
    with pytest.raises(ScenarioError, match=complaint):
        Emulator(scenario={"seed": seed})


@pytest.mark.parametrize("seed", [2**63 - 1, -(2**63)])
def test_a_seed_at_either_end_of_64_bits_is_taken(seed: int) -> None:
    assert Emulator(scenario="mixed-delivery", seed=seed).seed == seed
    assert Emulator(scenario={"seed": seed}).seed == seed


def test_an_integer_like_seed_is_read_as_its_integer() -> None:
    """numpy's integers and the like (``__index__``) are integers; floats are not."""

    class NumpyLikeInt:
        def __index__(self) -> int:
            return 7

    assert Emulator(scenario="mixed-delivery", seed=NumpyLikeInt()).seed == 7


def test_invalid_scenario_leaves_the_previous_one_active() -> None:
    emu = Emulator(scenario="opt-outs")
    engine = emu.engine
    assert emu.decide("sendbulk", None, "254712345699", None, "hi").outcome == "opted_out"
    with pytest.raises(ScenarioError, match=r"rules\[1\]\.outcome"):
        emu.load_scenario(
            {"name": "bad", "rules": [{"outcome": "no_receipt"}, {"outcome": "lost"}]}
        )
    assert emu.scenario.name == "opt-outs"
    assert emu.engine is engine
    assert emu.decide("sendbulk", None, "254712345699", None, "hi").outcome == "opted_out"


def test_reset_keeps_the_scenario_and_restarts_its_counters() -> None:
    emu = Emulator(scenario={"faults": [{"calls": [1], "respond": {"status": 500}}]})
    assert emu.engine.fault_for("sendbulk", "sendsms") == {"status": 500}
    assert emu.engine.fault_for("sendbulk", "sendsms") is None
    emu.reset()
    assert emu.engine.fault_for("sendbulk", "sendsms") == {"status": 500}


def test_put_scenario_accepts_yaml_json_and_a_bare_name() -> None:
    emu = Emulator()
    client = emu.client()
    yaml_body = "name: via-yaml\nseed: 11\nrules:\n  - outcome: no_receipt\n"
    response = client.put("/_emulator/scenario", content=yaml_body)
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["seed"], body["version"]) == ("via-yaml", 11, 1)
    assert body["scenario"]["rules"] == [{"outcome": "no_receipt"}]
    assert emu.scenario.name == "via-yaml"

    doc = {"name": "via-json", "rate_limits": {"sendbulk": {"requests": 1, "per": "1s"}}}
    response = client.put(
        "/_emulator/scenario", content=json.dumps(doc), headers={"content-type": "application/json"}
    )
    assert response.status_code == 200
    assert emu.scenario.rate_limits["sendbulk"].requests == 1

    assert client.put("/_emulator/scenario", content="flaky-network").json()["name"] == (
        "flaky-network"
    )
    assert client.get("/_emulator/scenario").json()["name"] == "flaky-network"


def test_put_invalid_scenario_is_refused_with_line_and_field_and_changes_nothing() -> None:
    emu = Emulator(scenario="carrier-failures")
    client = emu.client()
    body = "name: broken\nrules:\n  - when: {to: '+1*'}\n    outcome: {delivred: 1}\n"
    response = client.put("/_emulator/scenario", content=body)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    error = response.json()
    assert error["line"] == 4
    assert error["field"] == "rules[0].outcome.delivred"
    assert "did you mean 'delivered'?" in error["error"]
    assert emu.scenario.name == "carrier-failures"
    assert client.get("/_emulator/scenario").json()["name"] == "carrier-failures"


def test_put_unknown_name_and_bad_yaml_are_refused() -> None:
    client = Emulator().client()
    unknown = client.put("/_emulator/scenario", content="mixed-delivry")
    assert unknown.status_code == 400
    assert "did you mean 'mixed-delivery'?" in unknown.json()["error"]
    broken = client.put("/_emulator/scenario", content="name: x\nrules: [\n")
    assert broken.status_code == 400
    assert "not valid YAML/JSON" in broken.json()["error"]
    assert client.get("/_emulator/scenario").json()["name"] == "happy-path"


@pytest.mark.sms_scenario("no-receipts")
def test_marker_selects_a_shipped_scenario(sms_emulator) -> None:
    assert sms_emulator.scenario.name == "no-receipts"


@pytest.mark.sms_scenario({"name": "inline", "rules": [{"outcome": "send_failed"}]})
def test_marker_takes_an_inline_scenario(sms_emulator) -> None:
    assert sms_emulator.decide("ringcentral", None, "+1", None, "x").outcome == "send_failed"


def test_provider_option_errors_are_caught_at_load_with_their_line() -> None:
    emu = Emulator(scenario="opt-outs")
    text = "name: x\nproviders:\n  sendbulk:\n    brnad: advanta\n"
    with pytest.raises(ScenarioError) as info:
        emu.load_scenario(text)
    assert info.value.field.startswith("providers.sendbulk")
    assert info.value.line in (3, 4)  # the provider names the option or its block
    assert "brnad" in str(info.value)
    assert emu.scenario.name == "opt-outs"
