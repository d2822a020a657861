"""Storing neutral messages directly, for harness tests that need no provider."""

from __future__ import annotations

from emulator import Emulator
from emulator.core.models import Direction, Message
from emulator.core.segments import analyze


def store_message(
    emu: Emulator,
    to: str,
    text: str,
    *,
    provider: str = "ringcentral",
    sender: str = "+16505550100",
    outcome: str = "delivered",
    direction: Direction = Direction.OUTBOUND,
) -> Message:
    """Store one message as a provider would after accepting it."""
    now = emu.time()
    info = analyze(text)
    message = Message(
        id=f"test-{emu.ids.next('test')}",
        provider=provider,
        tenant="tenant",
        sender=sender,
        to=to,
        text=text,
        segments=info.segments,
        created_at=now,
        dispatch_at=now,
        plan=emu.plan(outcome),
        direction=direction,
        encoding=info.encoding,
    )
    emu.add_messages([message])
    return message
