"""What a scenario document may hold, judged the same from every source (check-scenario,
``Emulator()``, admin PUT): only what can be shown back as YAML and JSON, ``version`` the
integer 1, and a character YAML does not allow refused in one line that names its line."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import yaml

from emulator import Emulator
from emulator.scenario.loader import ScenarioError, parse_scenario, parse_scenario_text


def _nested(depth: int) -> list[Any]:
    top: list[Any] = []
    inner = top
    for _ in range(depth - 1):
        inner.append([])
        inner = inner[0]
    return top


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("x-notes: {null: 1}\n", "x-notes"),
        ("x-schedule: {on: 9am, off: 5pm}\n", "x-schedule"),  # YAML 1.1 booleans
        ("x-notes:\n  ~: 1\n", "x-notes"),
    ],
)
def test_a_key_that_is_not_text_is_refused_everywhere(
    emu: Emulator, client: httpx.Client, text: str, field: str
) -> None:
    with pytest.raises(ScenarioError, match="quote it") as info:
        parse_scenario_text(text)
    assert info.value.field == field and info.value.line is not None
    with pytest.raises(ScenarioError, match="quote it"):
        parse_scenario(yaml.safe_load(text))
    before = emu.scenario
    response = client.put("/_emulator/scenario", content=text.encode())
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field
    assert emu.scenario is before and emu.own_scenario is before
    assert client.get("/_emulator/scenario").status_code == 200


def test_quoted_keys_in_notes_still_load(client: httpx.Client) -> None:
    text = "x-schedule: {'on': 9am, 'null': 1, 3: three}\n"
    assert client.put("/_emulator/scenario", content=text.encode()).status_code == 200
    shown = client.get("/_emulator/scenario").json()["scenario"]
    assert shown["x-schedule"] == {"on": "9am", "null": 1, "3": "three"}
    assert client.get("/_emulator/ui/scenario").status_code == 200


@pytest.mark.parametrize(
    ("document", "field", "reason"),
    [
        ({"name": "x\ud800"}, "name", "lone UTF-16 surrogate"),
        ({"x-note": ["\udfff"]}, "x-note[0]", "lone UTF-16 surrogate"),
        ({"x-note": 2**64}, "x-note", "more than 64 bits"),
        ({"x-note": {None: 1}}, "x-note", "quote it"),
        ({"x-note": object()}, "x-note", "not a YAML or JSON value"),
        ({"x-note": frozenset({"a"})}, "x-note", "frozenset is not a YAML or JSON value"),
        # its strings' order, and so the scenario shown back, changed with PYTHONHASHSEED
        ({"x-note": {"beta", "alpha"}}, "x-note", r"a set \(YAML !!set\) has no order"),
        ({"x-note": [{"a": {1, 2}}]}, "x-note[0].a", r"a set \(YAML !!set\) has no order"),
        ({"x-note": _nested(150)}, None, "nested more than 100 deep"),
        ({"x-note": _nested(5000)}, None, "nested more than 100 deep"),
    ],
)
def test_a_dict_is_held_to_what_a_document_can_hold(
    document: dict[str, Any], field: str | None, reason: str
) -> None:
    """The same values in YAML text are refused; from a dict they loaded, and then
    ``GET /_emulator/scenario`` answered 500 for as long as the scenario was active."""
    with pytest.raises(ScenarioError, match=reason) as info:
        Emulator(scenario=document)
    if field is not None:
        assert info.value.field == field


def test_what_a_dict_may_hold_is_shown_back_as_json_and_yaml() -> None:
    """Everything the check lets through from a dict, the inspector can show: a
    ``frozenset`` (which YAML's safe dumper cannot write) made its page answer 500."""
    document = {"x-note": {"tuple": (1, 2), "bytes": b"\xff", 3: None}}
    with Emulator(scenario=document) as emu, emu.client() as client:
        assert client.get("/_emulator/scenario").status_code == 200
        assert client.get("/_emulator/ui/scenario").status_code == 200


def test_nesting_is_limited_the_same_in_text_and_dicts(client: httpx.Client) -> None:
    deep = "x-a: " + "[" * 100 + "]" * 100 + "\n"
    refused = client.put("/_emulator/scenario", content=deep.encode())
    assert refused.status_code == 400 and "nested more than 100 deep" in refused.json()["error"]
    fine = "x-a: " + "[" * 99 + "]" * 99 + "\n"
    assert client.put("/_emulator/scenario", content=fine.encode()).status_code == 200
    assert client.get("/_emulator/scenario").status_code == 200
    assert client.get("/_emulator/ui/scenario").status_code == 200  # 500 from 320 deep
    parse_scenario({"x-a": _nested(99)})


@pytest.mark.parametrize(
    ("text", "line"), [("seed: 1\nname: x\x00y\n", 2), ('{"seed": 1,\n "name": "\x01"}', 2)]
)
def test_a_control_character_is_one_line_with_its_line(
    client: httpx.Client, text: str, line: int
) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario_text(text, source="my.yaml")
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"my.yaml:{line}: ")
    assert "is not allowed" in message
    response = client.put("/_emulator/scenario", content=text.encode())
    assert response.status_code == 400 and response.json()["line"] == line


@pytest.mark.parametrize("version", ["true", "1.0", "yes"])
def test_version_is_the_integer_1(version: str) -> None:
    with pytest.raises(ScenarioError, match=r"must be the number 1 \(unquoted\)") as info:
        parse_scenario_text(f"version: {version}\n")
    assert info.value.field == "version"
    assert parse_scenario_text("version: 1\n").version == 1


def test_a_dict_sharing_its_lists_is_checked_once_and_refused_when_it_writes_out_huge() -> None:
    """``a = [a, a]`` forty times over: checked once per shared list (the walk took
    2**40 steps), and refused, as ``GET /_emulator/scenario`` could not show it."""
    shared: list[Any] = ["x"]
    for _ in range(40):
        shared = [shared, shared]
    with pytest.raises(ScenarioError, match="shared many times over"):
        parse_scenario({"x-a": shared})
    small: list[Any] = ["x"]
    for _ in range(10):  # 2,047 lists and 1,024 values written out: fine
        small = [small, small]
    with Emulator(scenario={"x-a": small}) as emu, emu.client() as own:
        assert own.get("/_emulator/scenario").json()["scenario"]["x-a"][0][1][0][0][1][0]
