"""Messages and batches put straight into the emulator's store (no provider endpoint).

Used where a test is about the inspector, not about a provider: the texts,
numbers and outcomes are chosen freely.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from emulator import Emulator
from emulator.core.models import Batch, Direction, Message
from emulator.core.segments import analyze

SENDER = "+15550001111"
RECIPIENT = "+15550002222"


def new_message(
    emu: Emulator,
    text: str = "Hello",
    *,
    provider: str = "ringcentral",
    sender: str = SENDER,
    to: str = RECIPIENT,
    outcome: str = "delivered",
    error_code: str | None = None,
    batch_id: str | None = None,
    dispatch_in: float = 0.0,
    direction: Direction = Direction.OUTBOUND,
    extra: dict[str, Any] | None = None,
) -> Message:
    """A message created now on the emulator clock (not yet stored)."""
    info = analyze(text)
    now = emu.time()
    return Message(
        id=f"TEST{emu.ids.next('tests.ui'):05d}",
        provider=provider,
        tenant="acct-1",
        sender=sender,
        to=to,
        text=text,
        segments=info.segments,
        created_at=now,
        dispatch_at=now + dispatch_in,
        plan=emu.plan(outcome, error_code),
        batch_id=batch_id,
        direction=direction,
        encoding=info.encoding,
        extra=extra,
    )


def add_message(emu: Emulator, text: str = "Hello", **kwargs: Any) -> Message:
    """Store one message made by ``new_message`` and return it."""
    message = new_message(emu, text, **kwargs)
    emu.add_messages([message])
    return message


def add_batch(
    emu: Emulator,
    texts: Sequence[str],
    *,
    provider: str = "fonedynamics",
    rejected: Sequence[dict[str, Any]] = (),
    processing: float = 4.0,
    sender: str = SENDER,
) -> Batch:
    """Store a batch of ``texts`` (dispatched evenly over ``processing`` seconds)."""
    batch = Batch(
        id=f"BATCH{emu.ids.next('tests.ui.batch'):03d}",
        provider=provider,
        tenant="acct-1",
        sender=sender,
        created_at=emu.time(),
        size=len(texts),
        processing=processing,
        rejected=list(rejected),
    )
    messages = [
        new_message(
            emu,
            text,
            provider=provider,
            to=f"+1555000{3000 + i}",
            sender=sender,
            batch_id=batch.id,
            dispatch_in=batch.dispatch_time(i) - batch.created_at,
        )
        for i, text in enumerate(texts)
    ]
    emu.add_batch(batch, messages)
    return batch
