"""The outcome/status table covers every neutral value."""

from __future__ import annotations

from emulator.core.models import Outcome, Status
from emulator.providers.fonedynamics.mapping import OUTCOMES, STATUSES


def test_every_neutral_outcome_is_mapped() -> None:
    assert set(OUTCOMES) == {o.value for o in Outcome}
    assert [name for name, m in OUTCOMES.items() if m.rejected] == ["invalid_number"]


def test_every_neutral_status_has_a_fone_word() -> None:
    assert set(STATUSES) == set(Status)
    assert set(STATUSES.values()) <= {"Processing", "Submitted", "Delivered", "Failed"}
