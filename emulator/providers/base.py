"""What a provider package plugs into the emulator, and shared request guards."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from ..core.clock import parse_duration
from ..core.delays import Delays
from ..core.journal import FAULT
from ..core.models import Message
from ..core.webhooks import WebhookJob

if TYPE_CHECKING:
    from ..emulator import Emulator
    from ..scenario.schema import Scenario

__all__ = [
    "CALLER_FOUND",
    "RATE_CALLER",
    "RATE_LIMIT",
    "DropConnection",
    "Provider",
    "apply_fault",
    "guarded",
    "spoil",
]

#: Scope key where ``guarded`` leaves the request's rate-limit decision (or None).
RATE_LIMIT = "sms_emulator.rate_limit"
#: Whose bucket the request's rate limit was taken from (``guarded``'s ``caller``).
RATE_CALLER = "sms_emulator.rate_caller"
#: What ``caller`` found out on the way (e.g. who a token speaks for), for the handler
#: to reuse; dropped when a fault holds the request, as it may be stale by then.
CALLER_FOUND = "sms_emulator.caller_found"

Handler = Callable[[Request], Awaitable[Response]]


#: Renders an HTTP error status in the provider's own error shape.
StatusRenderer = Callable[[int, float | None], Response]


class DropConnection(httpx.RemoteProtocolError):
    """Raised by a handler to close the connection without answering.

    A live server aborts the socket; in-process it surfaces as the
    ``httpx.RemoteProtocolError`` a real dropped connection gives.
    """

    def __init__(self, unsent: Response | None = None) -> None:
        super().__init__("Server disconnected without sending a response.")
        #: The answer the request had when the connection was dropped instead (a
        #: ``drop: after`` fault): the journal keeps it, for a test to see what was done.
        self.unsent = unsent


def _default_status_name(message: Message, now: float) -> str:
    return str(message.status_at(now))


def _default_error_code(message: Message, now: float) -> str | None:
    return message.error_code_at(now)


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
    #: The neutral record's ``error_code`` for a message at a time (None unless failed).
    error_code: Callable[[Message, float], str | None] = _default_error_code
    #: Creates an inbound message (and its side effects) for the admin API.
    inbound: Callable[[Emulator, str, str, str], Message] | None = None
    #: Whether ``mount`` matches in any case (``/V2/...``), as on a server whose
    #: routes ignore case; the path is routed with ``mount`` as written here.
    mount_ignores_case: bool = False
    #: Paths shown in the start-up banner.
    paths: tuple[str, ...] = ()
    #: Refuses a scenario whose ``providers.<name>`` options or ``accounts.<name>``
    #: this provider cannot use, by raising ``ValueError`` (or a ``ScenarioError``
    #: naming the field); called at load time, so a bad scenario never activates.
    check_scenario: Callable[[Scenario], None] | None = None
    #: Block after a scenario rate limit is hit, when the limit sets no ``penalty``
    #: (RingCentral: 60 s, restarted by every request during the block).
    rate_limit_penalty: float | None = None
    #: Endpoint names its handlers pass to ``guarded()``: what a scenario's
    #: ``when.endpoint`` may name.
    endpoints: tuple[str, ...] = ()
    #: Names only a rule may give: message decisions made outside a request
    #: (Fone Dynamics' forwarded reply), which no fault can act on.
    rule_endpoints: tuple[str, ...] = ()
    #: The endpoints whose requests send messages: the only ones a rule sees (with
    #: ``rule_endpoints``). Empty: every endpoint.
    sending_endpoints: tuple[str, ...] = ()
    #: Rate-limit groups (``rate_limits: {<name>.<group>: ...}``); none: one bucket.
    rate_limit_groups: tuple[str, ...] = ()
    #: Brings what an older version stored for this provider up to date; called
    #: when an emulator has opened its store and loaded its scenario.
    upgrade_store: Callable[[Emulator], None] | None = None
    #: Told that ``emu.scenario`` was just activated (under the store's hold): provider
    #: state counted from the scenario before it may start again (sendbulk balances).
    scenario_loaded: Callable[[Emulator], None] | None = None
    #: The largest request body the provider's gateway takes, if it has a limit.
    #: The journal reads no further, so the provider's own handler can refuse a
    #: longer body (a ``Content-Length`` over it, before any of it is read).
    max_body: int | None = None
    #: Whether a webhook this provider scheduled is still owed when it comes due
    #: (RingCentral: its subscription may have been deleted or expired meanwhile).
    webhook_wanted: Callable[[Emulator, WebhookJob], bool] | None = None
    #: Told of each attempt to send a webhook this provider scheduled, with the
    #: attempt's record (RingCentral: a receiver failing for long is blacklisted).
    webhook_attempted: Callable[[Emulator, WebhookJob, dict[str, Any]], None] | None = None
    #: Provider state a test may read that no provider endpoint shows (Fone Dynamics'
    #: forwarded emails): name -> the records, JSON-ready, oldest first.  Read by
    #: ``Emulator.provider_view`` and ``GET /_emulator/providers/{name}/{view}``.
    views: tuple[tuple[str, Callable[[Emulator], list[dict[str, Any]]]], ...] = ()


async def apply_fault(
    respond: dict[str, Any],
    render: StatusRenderer,
    delays: Delays,
    stale: Callable[[], bool] | None = None,
) -> Response | None:
    """Carry out the part of a scenario fault that comes before the handler.

    Waits ``delay`` (wall-clock time, so client timeouts really fire; a reset or
    a stopping server ends the wait and drops the connection), drops the
    connection for ``drop: before``, or returns the provider's own error
    response for ``status``.  None means: run the handler (see ``spoil``).
    ``stale``: whether a reset has come since the request arrived (see ``Delays``).
    """
    delay = respond.get("delay")
    if delay and not await delays.wait(parse_duration(delay), stale):
        raise DropConnection()
    drop = respond.get("drop")
    if drop and drop != "after":
        raise DropConnection()
    status = respond.get("status")
    if status:
        retry_after = respond.get("retry_after")
        if retry_after is None and int(status) == 429:
            retry_after = 1.0
        return render(int(status), None if retry_after is None else parse_duration(retry_after))
    return None


#: Statuses whose answers have no body (RFC 9110 15.3.5, 15.4.5).
_NO_BODY = frozenset({204, 304})


def spoil(respond: dict[str, Any], response: Response) -> Response:
    """Carry out the part of a fault that comes after the handler ran.

    The request has been processed (a message may have been accepted), then:
    ``drop: after`` closes the connection without an answer; ``truncate``
    sends the first half of the body (with a matching Content-Length, as a
    proxy cutting the stream would); ``malformed`` sends the body with every
    ``"`` turned into ``'`` and ``}{`` after it — the same status and headers, but
    not JSON, even to a lenient parser.
    """
    if respond.get("drop") == "after":
        raise DropConnection(response)
    if not (respond.get("truncate") or respond.get("malformed")):
        return response
    if response.status_code in _NO_BODY or response.status_code < 200:
        # a body here would be read as the start of the next answer on the connection
        return response
    body = getattr(response, "body", None)
    if not isinstance(body, bytes | bytearray | memoryview):
        return response  # a streamed body: left alone
    body = bytes(body)
    # malformed: '…' strings alone lenient parsers read (Gson, Json.NET); the }{ after not
    cut = respond.get("truncate")
    body = body[: len(body) // 2] if cut else body.replace(b'"', b"'") + b"}{"
    spoilt = Response(body, status_code=response.status_code, background=response.background)
    spoilt.raw_headers = [
        (k, v) for k, v in response.raw_headers if k.lower() != b"content-length"
    ] + [(b"content-length", str(len(body)).encode("latin-1"))]
    return spoilt


def guarded(
    emu: Emulator,
    provider: str,
    endpoint: str,
    render: StatusRenderer,
    *,
    group: str | None = None,
    counted: Callable[[Request], bool] | None = None,
    caller: Callable[[Request], Hashable | Awaitable[Hashable]] | None = None,
) -> Callable[[Handler], Handler]:
    """Wrap a handler so the scenario's rate limits and faults apply to ``endpoint``.

    Order: rate limit (429 from ``render`` with Retry-After), then a fault
    counted for this call (see ``apply_fault`` and ``spoil``), then the
    handler.  The rate-limit decision (or None) is left in
    ``request.scope[RATE_LIMIT]`` for providers that report limits in headers.
    A request ``counted`` says is not (one with no credentials at all, which the
    handler refuses) goes straight to the handler: it takes no token and is no call.
    ``caller`` (plain or async) names the bucket a request counts in, for providers
    that limit each caller separately (left in ``request.scope[RATE_CALLER]``); by
    default all share one.
    """

    declared = emu.providers.get(provider)
    if declared is not None and endpoint not in declared.endpoints:
        # A scenario naming this endpoint would be refused as unknown.
        raise ValueError(f"{provider} endpoint {endpoint!r} is not in its Provider.endpoints")

    asynchronous = inspect.iscoroutinefunction(caller)

    def wrap(handler: Handler) -> Handler:
        async def run(request: Request) -> Response:
            request.scope["sms_emulator.endpoint"] = endpoint
            if counted is not None and not counted(request):
                request.scope[RATE_LIMIT] = None
                return await handler(request)
            if caller is None:
                who: Hashable = ""
            elif asynchronous:
                who = await caller(request)  # type: ignore[misc]
            else:
                who = caller(request)
            request.scope[RATE_CALLER] = who
            # Checked and counted under the hold a reset takes: one from another thread
            # falls wholly before (the request is dropped, its token and call not
            # counted in the fresh buckets and faults) or after.
            with emu.store.atomic():
                emu.drop_if_arrived_before_reset()  # reset while its body came in
                decision = emu.rate_limit(provider, group, who)
                request.scope[RATE_LIMIT] = decision
                if decision is not None and not decision.allowed:
                    return render(429, decision.retry_after)
                engine = emu.engine
                fired = engine.fired_fault(provider, endpoint)
            if fired is None:
                return await handler(request)
            request.scope[FAULT] = engine.fault_as_written(fired)
            respond = engine.scenario.faults[fired].respond
            request.scope.pop(CALLER_FOUND, None)  # a delay may make it stale
            response = await apply_fault(respond, render, emu.delays, emu.arrival_check())
            # Reset during the delay (the next test began; this client has usually
            # given up): nothing of it may land in the fresh state.
            emu.drop_if_arrived_before_reset()
            if response is not None:
                return response
            return spoil(respond, await handler(request))

        run.__name__ = getattr(handler, "__name__", endpoint)
        run.__doc__ = handler.__doc__
        return run

    return wrap
