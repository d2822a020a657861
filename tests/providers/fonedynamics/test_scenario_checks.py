"""``providers.fonedynamics`` and ``accounts.fonedynamics`` are checked when a scenario loads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from emulator.cli import main
from emulator.scenario.loader import ScenarioError, parse_scenario, parse_scenario_text

from .conftest import ACCOUNT, MESSAGES, PROPERTY, TOKEN

BODY = {"From": "+61499009990", "To": "+61488023555", "Text": "hi"}


def accounts(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"accounts": {"fonedynamics": list(entries)}}


def refusal(document: dict[str, Any]) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(document)
    return info.value


def test_misspelt_account_keys_are_refused_with_file_line_and_suggestion() -> None:
    text = (
        "accounts:\n"
        "  fonedynamics:\n"
        "    - account_sid: A\n"
        "      token: t\n"
        "      propertys: [S1]\n"
        "      sms_enabeld: false\n"
    )
    with pytest.raises(ScenarioError) as info:
        parse_scenario_text(text, source="fd.yaml")
    assert str(info.value) == (
        "fd.yaml:5: accounts.fonedynamics[0].propertys: unknown key 'propertys'"
        " (did you mean 'properties'?)"
    )
    assert (info.value.field, info.value.line) == ("accounts.fonedynamics[0].propertys", 5)


def test_any_provider_option_is_refused_since_there_are_none() -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario_text("providers:\n  fonedynamics: {bogus_option: 1}\n", source="p.yaml")
    assert str(info.value) == (
        "p.yaml:2: providers.fonedynamics.bogus_option: unknown key 'bogus_option'"
        " (Fone Dynamics takes no options)"
    )


def test_check_scenario_command_fails_on_a_misspelt_account_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "fd.yaml"
    path.write_text(
        "accounts:\n  fonedynamics:\n    - {account_sid: A, token: t, sms_enabeld: no}\n"
    )
    assert main(["check-scenario", str(path)]) == 1
    _, err = capsys.readouterr()
    assert err.splitlines() == [
        f"{path}:3: accounts.fonedynamics[0].sms_enabeld: unknown key 'sms_enabeld'"
        " (did you mean 'sms_enabled'?)"
    ]


@pytest.mark.parametrize(
    ("entry", "field", "reason"),
    [
        (
            {"account_sid": "A", "token": "t", "properties": 5},
            "accounts.fonedynamics[0].properties",
            "must be a list of property sids",
        ),
        (
            {"account_sid": "A", "token": ["t"]},
            "accounts.fonedynamics[0].token",
            "must be a non-empty string",
        ),
        (
            {"account_sid": "A", "token": "t", "properties": [["P"]]},
            "accounts.fonedynamics[0].properties[0]",
            "must be a property sid or a mapping",
        ),
        (
            {"account_sid": "A", "token": "t", "sms_enabled": "false"},
            "accounts.fonedynamics[0].sms_enabled",
            "must be true or false",
        ),
        (
            {"account_sid": "A", "token": "t", "properties": [{"sid": "P", "sms_enabled": None}]},
            "accounts.fonedynamics[0].properties[0].sms_enabled",
            "must be true or false",
        ),
        (
            {"account_sid": "A", "token": "t", "properties": [{"property_sd": "P"}]},
            "accounts.fonedynamics[0].properties[0].property_sd",
            "unknown key 'property_sd' (did you mean 'property_sid'?)",
        ),
        (
            {"account_sid": "A", "token": "t", "properties": [{"sms_enabled": False}]},
            "accounts.fonedynamics[0].properties[0]",
            "property_sid is required",
        ),
        ({"account_sid": "A"}, "accounts.fonedynamics[0]", "token is required"),
        ({"token": "t"}, "accounts.fonedynamics[0]", "account_sid is required"),
        (
            {"account_sid": "A", "AccountSid": "B", "token": "t"},
            "accounts.fonedynamics[0].AccountSid",
            "give only one of account_sid, AccountSid",
        ),
    ],
    ids=[
        "properties-int",
        "token-list",
        "property-item-list",
        "sms-enabled-string",
        "property-sms-enabled-null",
        "property-key-typo",
        "property-without-sid",
        "no-token",
        "no-sid",
        "two-sid-spellings",
    ],
)
def test_unusable_account_settings_are_refused_naming_the_field(
    entry: dict[str, Any], field: str, reason: str
) -> None:
    error = refusal(accounts(entry))
    assert (error.field, error.reason) == (field, reason)


def test_an_account_declared_twice_is_refused() -> None:
    error = refusal(accounts({"account_sid": "A", "token": "t"}, {"AccountSid": "A", "Token": "u"}))
    assert (error.field, error.reason) == (
        "accounts.fonedynamics[1]",
        "account 'A' is declared twice (first at [0])",
    )


def test_a_refused_scenario_never_reaches_a_send() -> None:
    """``properties: 5`` used to load and make every send a 500."""
    with pytest.raises(ScenarioError):
        Emulator(scenario=accounts({"account_sid": "A", "token": "t", "properties": 5}))


def test_every_documented_account_setting_loads_and_applies() -> None:
    emu = Emulator(
        scenario=accounts(
            {"account_sid": ACCOUNT, "token": TOKEN, "properties": [PROPERTY], "sms_enabled": True},
            {"AccountSid": "AOTHER", "Token": "t", "properties": [{"property_sid": "SNOSMS"}]},
            {
                "account_sid": 1234,
                "token": 5678,
                "properties": [4321, {"sid": "SOFF", "sms_enabled": False}, {"PropertySid": "S3"}],
            },
        )
    )
    with emu.client(auth=(ACCOUNT, TOKEN)) as c:
        assert c.post(MESSAGES, json=BODY).status_code == 200
    with emu.client(auth=("AOTHER", "t")) as c:
        assert c.post("/v2/Properties/SNOSMS/Messages", json=BODY).status_code == 200
    with emu.client(auth=("1234", "5678")) as c:
        assert c.post("/v2/Properties/4321/Messages", json=BODY).status_code == 200
        assert c.post("/v2/Properties/S3/Messages", json=BODY).status_code == 200
        assert c.post("/v2/Properties/SOFF/Messages", json=BODY).status_code == 403


def test_accounts_may_be_one_mapping_and_options_empty() -> None:
    scenario = parse_scenario(
        {
            "providers": {"fonedynamics": {}},
            "accounts": {"fonedynamics": {"AccountSid": "A", "Token": "t"}},
        }
    )
    assert scenario.provider_accounts("fonedynamics") == [{"AccountSid": "A", "Token": "t"}]
