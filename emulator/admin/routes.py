"""``/_emulator/*``: health, messages, reset, clock, scenario, inbound, request journal.

Moving the clock and an inbound message may send due webhooks there and then
(in-process, sync mode): that runs in a worker thread, so the event loop keeps
serving a receiver that calls back into the emulator meanwhile.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from typing import TYPE_CHECKING, Any

import msgspec
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .._version import __version__
from ..core.lone_surrogates import decode_allowing_lone_surrogates
from ..core.suggest import did_you_mean
from ..core.webhooks import WAIT_LIMIT
from ..emulator import EmulatorClosed, iso
from ..providers.base import DropConnection
from ..providers.routing import whole_path_routes
from ..scenario.loader import ScenarioError, load_scenario_body
from . import views
from .cors import LoopbackBrowserAccess
from .refusals import AdminError, taking
from .ui import ui_routes

if TYPE_CHECKING:
    from ..emulator import Emulator

__all__ = ["AdminError", "build_admin_app"]

log = logging.getLogger(__name__)


def _json(data: Any, status: int = 200) -> Response:
    return Response(msgspec.json.encode(data), status_code=status, media_type="application/json")


async def _body_json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        raise AdminError("request body must be a JSON object")
    try:
        # a lone surrogate escape ("\ud800", as json.dumps writes it) reads as U+FFFD
        data = decode_allowing_lone_surrogates(msgspec.json.decode, raw)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:  # msgspec: bad UTF-8 in a string
        raise AdminError(f"request body is not valid JSON: {exc}") from None
    except RecursionError:
        raise AdminError("request body is not valid JSON: nested too deep") from None
    if not isinstance(data, dict):
        raise AdminError("request body must be a JSON object")
    return data


def _flag(request: Request, name: str, **extra: Any) -> bool:
    """A ``?name=true|false`` query parameter (``1``/``0`` too; absent: false).  Anything
    else is refused: read as false, a typo or a bare ``?name`` would go unnoticed."""
    flag = request.query_params.get(name, "false").lower()
    if flag not in ("0", "1", "false", "true"):
        raise AdminError(f"{name} must be true or false, not {flag!r}", **extra)
    return flag in ("1", "true")


#: What ``POST /inbound`` reads: all required.
_INBOUND_FIELDS = ("provider", "from", "to", "text")

#: The admin API's endpoints, as ``GET /_emulator/`` lists them.
_INDEX = (
    ("health", "/health"),
    ("messages", "/messages"),
    ("message", "/messages/{id}"),
    ("batches", "/batches"),
    ("batch", "/batches/{id}"),
    ("reset", "/reset"),
    ("clock", "/clock"),
    ("scenario", "/scenario"),
    ("inbound", "/inbound"),
    ("requests", "/requests"),
    ("request", "/requests/{n}"),
    ("webhooks", "/webhooks"),
    ("provider_view", "/providers/{provider}/{view}"),
    ("ui", "/ui"),
)


def _after(request: Request) -> int:
    """The ``after`` query parameter (0 without it): an integer, or 400."""
    try:
        after_text = request.query_params.get("after", "0")
        if not after_text.isascii() or "_" in after_text:  # int() reads "1_0", "١٠"
            raise ValueError(after_text)
        return int(after_text)
    except ValueError:
        number = after_text.strip()
        digits = number.lstrip("+-")
        if not (digits.isascii() and digits.isdigit() and len(number) - len(digits) < 2):
            raise AdminError("'after' must be an integer") from None
        # too long for int() (4,300 digits): its value, or past every entry or before
        # them all
        significant = digits.lstrip("0") or "0"
        if len(significant) <= 20:
            return int(significant) * (-1 if number.startswith("-") else 1)
        return -1 if number.startswith("-") else sys.maxsize


def build_admin_app(emu: Emulator) -> LoopbackBrowserAccess:
    """The admin API for ``emu`` (mounted at ``/_emulator``)."""

    async def health(request: Request) -> Response:
        return _json({"status": "ok", "version": __version__, "instance": emu.instance})

    async def index(request: Request) -> Response:
        """What the start-up banner links to: where everything is."""
        return _json(
            {
                "service": "sms-emulator",
                "version": __version__,
                "admin": {name: f"{request.scope['root_path']}{path}" for name, path in _INDEX},
                "providers": {p.name: list(p.paths) for p in emu.providers.values()},
                # what /providers/{provider}/{view} may name
                "provider_views": {
                    p.name: [name for name, _ in p.views] for p in emu.providers.values() if p.views
                },
            }
        )

    async def messages(request: Request) -> Response:
        params = request.query_params
        status = params.get("status") or None
        provider = params.get("provider") or None
        to = params.get("to") or None
        if to is not None and to.startswith(" "):
            to = "+" + to[1:]
        try:
            return _json({"messages": emu.messages(provider=provider, to=to, status=status)})
        except ValueError as exc:  # an unknown status or provider, named with the known ones
            raise AdminError(str(exc)) from None

    async def reset(request: Request) -> Response:
        emu.reset()
        return _json({"status": "ok"})

    def clock_state() -> dict[str, Any]:
        return {"now": iso(emu.time()), "timestamp": emu.time(), "kind": emu.clock.kind}

    def under_way_if_asked(request: Request) -> frozenset[int] | None:
        """With ``?wait=true``: the attempts under way before the call makes webhooks due
        (see ``WebhookQueue.wait_sent``); None without it.  Refused before anything changes."""
        return emu.webhooks.attempts_under_way() if _flag(request, "wait") else None

    async def sent_if_asked(
        under_way: frozenset[int] | None, answer: dict[str, Any]
    ) -> dict[str, Any]:
        """With ``?wait=true`` (``under_way`` not None), wait for the webhooks due now to
        be attempted (a live server's worker sends them); the answer says how many were
        still due when the wait ended (0 unless ``WAIT_LIMIT`` ran out)."""
        if under_way is not None:
            answer["webhooks_due"] = await run_in_threadpool(
                emu.webhooks.wait_sent, WAIT_LIMIT, under_way
            )
        return answer

    async def clock(request: Request) -> Response:
        if request.method == "POST":
            wait = under_way_if_asked(request)  # refused before the clock moves
            data = await _body_json(request)
            unknown = sorted(set(data) - {"advance", "seconds", "set"})
            if "wait" in unknown:  # the flag is read from the query, as on every endpoint
                raise AdminError(
                    "wait goes in the query string: POST /_emulator/clock?wait=true"
                    ' with the body {"advance": "30s"}'
                )
            if unknown or len(data) != 1 or None in data.values():
                named = f"unknown field {unknown[0]!r}: " if unknown else ""
                raise AdminError(
                    f'{named}give exactly one of {{"advance": "30s"}}, {{"seconds": 30}},'
                    ' {"set": ISO time}'
                )
            try:
                await run_in_threadpool(_move_clock, data)
            except (ValueError, TypeError) as exc:
                raise AdminError(str(exc)) from None
            return _json(await sent_if_asked(wait, clock_state()))
        return _json(clock_state())

    def _move_clock(data: dict[str, Any]) -> None:
        if "set" in data:
            emu._check_open()  # as advance() does: a closed store takes no save
            emu.clock.set(data["set"])
            emu._persist()  # as advance() does: a restart must not go back
            emu.webhooks.notify()
        elif "advance" in data:
            emu.advance(data["advance"])
        else:
            emu.advance(seconds=data["seconds"])

    def scenario_state() -> dict[str, Any]:
        s = emu.scenario
        return {
            "name": s.name,
            "description": s.description,
            "seed": s.seed,
            "version": s.version,
            "scenario": s.source,
            "own": emu.own_scenario.source,
        }

    async def scenario(request: Request) -> Response:
        if request.method == "PUT":
            raw = await request.body()
            # (a typo read as false would make one test's scenario the server's own)
            temporary = _flag(request, "temporary", field=None, line=None)
            if not raw.strip():  # a file that did not reach curl, say: not "no scenario"
                raise AdminError(
                    "scenario body is empty: send YAML or JSON ({} for no rules), or a"
                    " shipped scenario's name",
                    field=None,
                    line=None,
                )
            try:
                # Off the event loop: a large document takes a while to parse, and the
                # emulator goes on answering meanwhile.
                parsed = await run_in_threadpool(
                    load_scenario_body, raw, source="PUT /_emulator/scenario"
                )
                emu.load_scenario(parsed, temporary=temporary)
            except ScenarioError as exc:
                raise AdminError(str(exc), field=exc.field, line=exc.line) from None
        elif request.method == "DELETE":  # back to the server's own, after a temporary one
            emu.load_scenario(emu.own_scenario)
        return _json(scenario_state())

    async def inbound(request: Request) -> Response:
        wait = under_way_if_asked(request)  # refused before the message is taken
        data = await _body_json(request)
        unknown = [k for k in data if k not in _INBOUND_FIELDS]
        if unknown:  # "form" for "from", or a field the inbound message has no use for
            hint = did_you_mean(unknown[0], _INBOUND_FIELDS)
            raise AdminError(
                f"unknown field {unknown[0]!r}{hint}: POST {request.url.path} takes"
                f" {', '.join(_INBOUND_FIELDS)}"
            )
        missing = [k for k in _INBOUND_FIELDS if not isinstance(data.get(k), str)]
        if missing:
            raise AdminError(f"missing or non-string fields: {', '.join(missing)}")
        try:
            record = await run_in_threadpool(
                emu.inbound, data["provider"], data["from"], data["to"], data["text"]
            )
        except ValueError as exc:
            raise AdminError(str(exc)) from None
        return _json(await sent_if_asked(wait, {"message": record}), status=201)

    def provider_param(request: Request) -> str | None:
        provider = request.query_params.get("provider") or None
        if provider is not None:
            try:
                emu.provider(provider)
            except ValueError as exc:
                raise AdminError(str(exc)) from None
        return provider

    async def requests(request: Request) -> Response:
        provider = provider_param(request)
        after = _after(request)
        return _json({"requests": emu.journal.entries(provider=provider, after_id=after)})

    async def webhooks(request: Request) -> Response:
        return _json(emu.webhook_report(after=_after(request)))

    async def provider_view(request: Request) -> Response:
        provider, view = request.path_params["provider"], request.path_params["view"]
        try:
            records = emu.provider_view(provider, view)
        except ValueError as exc:  # names the known providers or views
            raise AdminError(str(exc), 404) from None
        return _json({"provider": provider, "view": view, "records": records})

    # read-only details for the inspector UI (see views.py)
    async def message_detail(request: Request) -> Response:
        detail = views.message_detail(emu, request.path_params["message_id"])
        if detail is None:
            raise AdminError(f"no message {request.path_params['message_id']!r}", 404)
        return _json({"message": detail})

    async def batches(request: Request) -> Response:
        provider = provider_param(request)
        return _json({"batches": views.list_batches(emu, provider=provider)})

    async def batch_detail(request: Request) -> Response:
        detail = views.batch_detail(emu, request.path_params["batch_id"])
        if detail is None:
            raise AdminError(f"no batch {request.path_params['batch_id']!r}", 404)
        return _json({"batch": detail})

    async def request_entry(request: Request) -> Response:
        entry = views.journal_entry(emu, request.path_params["entry_id"])
        if entry is None:
            raise AdminError(f"no request #{request.path_params['entry_id']}", 404)
        return _json({"request": entry})

    async def admin_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, AdminError)
        body = {"error": str(exc)}
        body.update(exc.extra)  # a refused scenario's field and line, null when unknown
        return _json(body, exc.status)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        body: dict[str, Any] = {"error": exc.detail}
        if exc.status_code == 404:  # a mistyped path: where the list of them is
            body["see"] = f"{request.scope.get('root_path', '')}/"
        response = _json(body, exc.status_code)
        allow = (exc.headers or {}).get("Allow")
        if allow is not None:  # a 405's; sorted: Starlette joins a set, in any order
            response.headers["Allow"] = ", ".join(sorted(m.strip() for m in allow.split(",")))
        return response

    async def closed_error(request: Request, exc: Exception) -> Response:
        # closed while this request was under way: as one arriving after, no answer
        raise DropConnection() from None

    async def server_error(request: Request, exc: Exception) -> Response:
        return _json({"error": f"internal error: {type(exc).__name__}: {exc}"}, 500)

    async def store_error(request: Request, exc: Exception) -> Response:
        # A --db write that failed (a full disk...): answered as any 500, but here, not by
        # Starlette's error middleware, which re-raises to uvicorn, which then closes the
        # connection (the client's next call on it would fail unanswered).
        # A misuse (ProgrammingError, InterfaceError) is the emulator's bug: its traceback.
        bug = isinstance(exc, sqlite3.ProgrammingError | sqlite3.InterfaceError)
        log.error(
            "%s %s: the store failed: %s", request.method, request.url.path, exc, exc_info=bug
        )
        return await server_error(request, exc)

    routes = [
        Route("/", taking(index), methods=["GET"]),
        # any query: a GET webhook (a Fone Dynamics receipt's fields) may be pointed here
        Route("/health", health, methods=["GET"]),
        Route("/messages", taking(messages, "provider", "to", "status"), methods=["GET"]),
        Route("/reset", taking(reset), methods=["POST"]),
        Route("/clock", taking(clock, "wait", only_for="POST"), methods=["GET", "POST"]),
        Route(
            "/scenario",
            taking(scenario, "temporary", only_for="PUT", field=None, line=None),
            methods=["GET", "PUT", "DELETE"],
        ),
        Route("/inbound", taking(inbound, "wait"), methods=["POST"]),
        Route("/requests", taking(requests, "provider", "after"), methods=["GET"]),
        Route("/webhooks", taking(webhooks, "after"), methods=["GET"]),
        Route("/providers/{provider}/{view}", taking(provider_view), methods=["GET"]),
        Route("/messages/{message_id}", taking(message_detail), methods=["GET"]),
        Route("/batches", taking(batches, "provider"), methods=["GET"]),
        Route("/batches/{batch_id}", taking(batch_detail), methods=["GET"]),
        Route("/requests/{entry_id:journal_id}", taking(request_entry), methods=["GET"]),
        *ui_routes(emu),
    ]
    whole_path_routes(routes)
    app = Starlette(
        routes=routes,
        exception_handlers={
            AdminError: admin_error,
            EmulatorClosed: closed_error,
            HTTPException: http_error,
            sqlite3.Error: store_error,
            Exception: server_error,
        },
    )
    return LoopbackBrowserAccess(app, emu.allowed_hosts)
