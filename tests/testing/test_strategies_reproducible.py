"""Derandomized draws are the same in every process: an option given as a set is taken
in a fixed order, not the one ``PYTHONHASHSEED`` gives its strings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import emulator
from emulator.testing import strategies


def examples(strategy: st.SearchStrategy[Any], count: int = 15) -> list[str]:
    drawn: list[str] = []

    @settings(
        max_examples=count, database=None, derandomize=True, deadline=None, phases=[Phase.generate]
    )
    @given(strategy)
    def draw(value: Any) -> None:
        drawn.append(repr(value))

    draw()
    return drawn


SET_AND_SEQUENCE = [
    pytest.param(
        strategies.invalid_e164_numbers,
        "kinds",
        {"letter", "no_plus", "short", "long", "leading_zero"},
        ("short", "long", "no_plus", "leading_zero", "letter"),  # as the option's own order
        id="invalid_e164_numbers-kinds",
    ),
    pytest.param(
        strategies.e164_numbers,
        "country_codes",
        {"254", "44", "1", "61"},
        ("1", "44", "61", "254"),  # in numeric order
        id="e164_numbers-country_codes",
    ),
    pytest.param(
        strategies.scenarios,
        "providers",
        frozenset({"sendbulk", "ringcentral", "fonedynamics"}),
        ("ringcentral", "fonedynamics", "sendbulk"),
        id="scenarios-providers",
    ),
    pytest.param(
        strategies.ringcentral_token_forms,
        "grants",
        {"password", "authorization_code", "partner_jwt"},
        ("password", "authorization_code", "partner_jwt"),
        id="ringcentral_token_forms-grants",
    ),
    pytest.param(
        strategies.ringcentral_revoke_forms,
        "tokens",
        {"token-c", "token-a", "token-d", "token-b"},
        ("token-a", "token-b", "token-c", "token-d"),  # sorted
        id="ringcentral_revoke_forms-tokens",
    ),
    pytest.param(
        strategies.ringcentral_message_params,
        "batch_ids",
        {"batch-2", "batch-1", "batch-3"},
        ("batch-1", "batch-2", "batch-3"),
        id="ringcentral_message_params-batch_ids",
    ),
    pytest.param(
        strategies.sendbulk_dlr_bodies,
        "message_ids",
        {"8290843", "8290842", "8290845", "8290844"},
        ("8290842", "8290843", "8290844", "8290845"),
        id="sendbulk_dlr_bodies-message_ids",
    ),
]


@pytest.mark.parametrize(("strategy", "option", "as_set", "as_sequence"), SET_AND_SEQUENCE)
def test_an_option_given_as_a_set_draws_as_its_ordered_sequence(
    strategy: Any, option: str, as_set: Any, as_sequence: tuple[str, ...]
) -> None:
    assert examples(strategy(**{option: as_set})) == examples(strategy(**{option: as_sequence}))


#: Draws from set options in a child process: its set order is its PYTHONHASHSEED's.
DRAW = """
from hypothesis import Phase, given, settings, strategies as st
from emulator.testing import strategies as s

@settings(max_examples=15, database=None, derandomize=True, deadline=None, phases=[Phase.generate])
@given(st.tuples(
    s.invalid_e164_numbers(kinds={"short", "long", "no_plus", "leading_zero", "letter"}),
    s.e164_numbers(country_codes={"1", "44", "61", "254", "49"}),
    s.ringcentral_revoke_forms(tokens={"token-a", "token-b", "token-c", "token-d"}),
    s.sendbulk_dlr_bodies(message_ids={"8290842", "8290843", "8290844", "8290845"}),
))
def draw(values):
    print(repr(values))

draw()
"""


def test_derandomized_draws_from_set_options_are_the_same_under_any_hash_seed() -> None:
    root = str(Path(emulator.__file__).resolve().parents[1])  # this checkout's package
    outputs = []
    for hash_seed in ("0", "1"):
        env = {
            **os.environ,
            "PYTHONHASHSEED": hash_seed,
            "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
        }
        result = subprocess.run(
            [sys.executable, "-c", DRAW], capture_output=True, text=True, env=env, timeout=120
        )
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert outputs[0].count("\n") == 15
    assert outputs[0] == outputs[1]
