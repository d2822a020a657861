"""What a provider package plugs into the emulator, and shared request guards."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from ..core.clock import parse_duration
from ..core.models import Message

if TYPE_CHECKING:
    from ..emulator import Emulator

__all__ = ["DropConnection", "Provider", "guarded"]

Handler = Callable[[Request], Awaitable[Response]]
#: Renders an HTTP error status in the provider's own error shape.
StatusRenderer = Callable[[int, float | None], Response]


class DropConnection(httpx.RemoteProtocolError):
    """Raised by a handler to close the connection without answering.

    A live server aborts the socket; in-process it surfaces as the
    ``httpx.RemoteProtocolError`` a real dropped connection gives.
    """

    def __init__(self) -> None:
        super().__init__("Server disconnected without sending a response.")


def _default_status_name(message: Message, now: float) -> str:
    return str(message.status_at(now))


@dataclass(frozen=True, slots=True)
class Provider:
    """A provider plugged into the emulator (see ``providers/__init__.py``)."""

    name: str
    title: str
    #: Path prefix the provider's app is mounted at (e.g. ``"/restapi"``).
    mount: str
    #: Builds the provider's own Starlette app (with its own error handlers).
    build_app: Callable[[Emulator], ASGIApp]
    #: Provider's word for a message's status at a time (``"Delivered"``...).
    status_name: Callable[[Message, float], str] = _default_status_name
    #: Creates an inbound message (and its side effects) for the admin API.
    inbound: Callable[[Emulator, str, str, str], Message] | None = None
    #: Paths shown in the start-up banner.
    paths: tuple[str, ...] = ()


async def apply_fault(respond: dict[str, Any], render: StatusRenderer) -> Response | None:
    """Carry out a scenario fault; return the response to send instead, if any."""
    delay = respond.get("delay")
    if delay:
        await asyncio.sleep(parse_duration(delay))
    if respond.get("drop"):
        raise DropConnection()
    status = respond.get("status")
    if status:
        retry_after = respond.get("retry_after")
        return render(int(status), None if retry_after is None else parse_duration(retry_after))
    return None


def guarded(
    emu: Emulator, provider: str, endpoint: str, render: StatusRenderer, *, group: str | None = None
) -> Callable[[Handler], Handler]:
    """Wrap a handler so the scenario's rate limits and faults apply to ``endpoint`` first.

    The rate-limit decision (or None) is left in ``request.state.rate_limit``
    for providers that report limits in headers.
    """

    def wrap(handler: Handler) -> Handler:
        async def run(request: Request) -> Response:
            request.scope["sms_emulator.endpoint"] = endpoint
            decision = emu.rate_limit(provider, group)
            request.state.rate_limit = decision
            if decision is not None and not decision.allowed:
                return render(429, decision.retry_after)
            respond = emu.engine.fault_for(provider, endpoint)
            if respond is not None:
                response = await apply_fault(respond, render)
                if response is not None:
                    return response
            return await handler(request)

        run.__name__ = getattr(handler, "__name__", endpoint)
        run.__doc__ = handler.__doc__
        return run

    return wrap
