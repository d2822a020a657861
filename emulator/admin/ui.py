"""The inspector: server-rendered HTML pages under ``/_emulator/ui``.

Pages are Jinja2 templates with autoescaping on, so message texts (which are
attacker-controlled in tests) always render as text.  A small script polls
``/_emulator/ui/live`` about once a second and, when the state changed,
re-fetches the page and swaps in its ``data-live`` regions, so a test run can
be watched as it happens.  Actions (clock, scenario, inbound) call the JSON
admin API directly.  No build step, no network at run time: the CSS and
script ship in ``static/``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Scope

from .._version import __version__
from ..core.journal import BODY_LIMIT
from ..core.models import Direction, Status
from ..emulator import pending_record
from ..scenario.loader import shipped_scenarios
from . import views
from .refusals import AdminError, taking

if TYPE_CHECKING:
    from ..emulator import Emulator

__all__ = ["ui_routes"]

_HERE = Path(__file__).resolve().parent
TEMPLATES = _HERE / "templates"
STATIC = _HERE / "static"
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
PREVIEW = 80
#: What the message list reads from its query string (the filters, paging, and the
#: inbound composer's numbers).
MESSAGE_PARAMS = (
    *("provider", "number", "status", "direction", "batch", "q"),
    *("limit", "before", "after"),
    *("reply_provider", "reply_from", "reply_to"),
)
#: Due webhooks and attempts listed on the webhooks page (all: ``GET /_emulator/webhooks``).
WEBHOOKS_SHOWN = 200

#: Pages never run inline script or load anything from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


_MEDIA_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}
_STATIC_HEADERS = {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}


def _static_assets() -> dict[str, tuple[bytes, str]]:
    """The few shipped assets, read once (served whole: they are a few kilobytes)."""
    return {
        path.name: (path.read_bytes(), _MEDIA_TYPES[path.suffix])
        for path in sorted(STATIC.iterdir())
        if path.suffix in _MEDIA_TYPES
    }


def _clock_text(value: str | None) -> str:
    """``2026-01-01T00:00:05.250000Z`` → ``2026-01-01 00:00:05.250``."""
    if not value:
        return ""
    return value[:10] + " " + value[11:23]


def _preview(text: str, size: int = PREVIEW) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[: size - 1] + "…"


#: JSON nested deeper than this is shown as sent: indented, a body's size grows with
#: the square of its depth (and how deep a parser goes depends on the Python version).
PRETTY_DEPTH = 64


def _pretty(body: str | None) -> str:
    """JSON bodies indented; anything else, and JSON nested very deep, as is."""
    if not body:
        return ""
    try:
        data = msgspec.json.decode(body.encode())
    except (msgspec.DecodeError, UnicodeEncodeError, RecursionError):  # too deep to parse
        return body
    if _deeper_than(data, PRETTY_DEPTH):
        return body
    # Re-indented, not re-encoded: duplicate keys, 1e2, -0 and escapes stay as sent.
    return msgspec.json.format(body.encode(), indent=2).decode()


def _deeper_than(data: object, limit: int) -> bool:
    """Whether decoded JSON nests lists and objects more than ``limit`` deep."""
    level = [data]
    for _ in range(limit):
        level = [
            child
            for item in level
            if isinstance(item, list | dict)
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return False
    return any(isinstance(item, list | dict) for item in level)


def _response_cut(entry: dict[str, Any]) -> str | None:
    """How many bytes a journaled answer had when the journal kept only its first
    ``BODY_LIMIT`` (its ``Content-Length``, else "at least" that many); None if whole."""
    encoded = entry.get("response_body_base64")
    try:  # the exact bytes kept, when not UTF-8; else the text is those bytes
        kept = len(base64.b64decode(encoded)) if encoded else None
    except (binascii.Error, ValueError):
        kept = None
    if kept is None:
        kept = len((entry.get("response_body") or "").encode("utf-8", "surrogatepass"))
    if kept < BODY_LIMIT:
        return None
    headers = {str(k).lower(): v for k, v in (entry.get("response_headers") or {}).items()}
    sent = str(headers.get("content-length", "")).strip()
    if sent.isascii() and sent.isdigit() and len(sent) <= 18:
        return f"{int(sent)} bytes" if int(sent) > kept else None
    return f"at least {kept} bytes"


def _status_class(status: int | None) -> str:
    if status is None:
        return "http-none"
    return f"http-{status // 100}xx"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        clock=_clock_text,
        preview=_preview,
        pretty=_pretty,
        http_class=_status_class,
        response_cut=_response_cut,
    )
    env.globals.update(
        version=__version__, statuses=[s.value for s in Status], body_limit=BODY_LIMIT
    )
    return env


#: Above any id or cursor: what an absurdly large one stands for (a SQLite
#: integer holds no more than 2**63 - 1).
_CEILING = 2**62


def _int_param(request: Request, name: str, errors: list[str]) -> int | None:
    """A whole number of ASCII digits (``²`` and ``٣`` are digits to ``isdigit``), at
    most ``_CEILING``; None for anything else (and, if given, a note in ``errors``)."""
    value = request.query_params.get(name, "")
    if not (value.isascii() and value.isdigit()):
        if value or name in request.query_params:
            errors.append(f"{name} must be a whole number, not {_shown(value)}: ignored")
        return None
    return _CEILING if len(value) > 18 else min(int(value), _CEILING)


def _shown(value: str, size: int = 40) -> str:
    """A query value quoted for a note, shortened."""
    return repr(value if len(value) <= size else value[: size - 1] + "…")


def _unknown_params(request: Request, known: tuple[str, ...], errors: list[str]) -> None:
    """A note in ``errors`` for each query parameter the page does not read: a mistyped
    filter (``stauts=failed``) would otherwise list everything, as if it applied."""
    for name in dict.fromkeys(request.query_params.keys()):
        if name not in known:
            errors.append(f"unknown query parameter {_shown(name)}: ignored")


def ui_routes(emu: Emulator) -> list[BaseRoute]:
    """Routes of the inspector, for the admin app (mounted at ``/_emulator``)."""
    env = _environment()

    def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        base = request.scope.get("root_path", "").rstrip("/")
        page = env.get_template(template).render(
            request=request,
            base=base,
            ui=base + "/ui",
            live=request.state.live,
            live_url=base + ("/ui/live" if request.state.timed else "/ui/live?timed=0"),
            clock_kind=emu.clock.kind,
            providers=emu.providers,
            **context,
        )
        return HTMLResponse(page, status_code=status, headers=SECURITY_HEADERS)

    def page(
        handler: Callable[[Request], Awaitable[Response]], *, timed: bool = True
    ) -> Callable[..., Any]:
        """Take the live fingerprint before reading any state, so no change is missed.

        ``timed=False``: the page shows nothing that follows the clock (see ``live_state``).
        """

        async def run(request: Request) -> Response:
            request.state.timed = timed
            request.state.live = views.live_state(emu, timed=timed)
            return await handler(request)

        return run

    def not_found(request: Request, what: str, *, forgettable: bool = True) -> HTMLResponse:
        """The inspector's 404 page; ``forgettable``: what a reset may have forgotten."""
        return render(request, "not_found.html", 404, what=what, active="", forgettable=forgettable)

    def provider_filter(request: Request, errors: list[str]) -> str:
        """The ``provider`` asked for, or "" (all) with a note in ``errors`` if unknown."""
        provider = request.query_params.get("provider", "")
        if provider and provider not in emu.providers:
            errors.append(f"unknown provider {provider!r}")
            provider = ""
        return provider

    async def messages(request: Request) -> Response:
        params = request.query_params
        errors: list[str] = []
        _unknown_params(request, MESSAGE_PARAMS, errors)
        provider = provider_filter(request, errors)
        status = params.get("status", "")
        direction = params.get("direction", "")
        if status and status not in {s.value for s in Status}:
            errors.append(f"unknown status {status!r}")
            status = ""
        if direction and direction not in {d.value for d in Direction}:
            errors.append(f"unknown direction {direction!r}")
            direction = ""
        flt = views.MessageFilter(
            provider=provider,
            number=params.get("number", "").strip(),
            status=status,
            direction=direction,
            batch=params.get("batch", "").strip(),
            q=params.get("q", "").strip(),
        )
        limit = _int_param(request, "limit", errors)
        if limit is not None and not 1 <= limit <= MAX_PAGE_SIZE:
            errors.append(f"limit must be from 1 to {MAX_PAGE_SIZE}, not {_shown(params['limit'])}")
            limit = min(limit, MAX_PAGE_SIZE) or None
        limit = limit or PAGE_SIZE
        before = _int_param(request, "before", errors)
        after = _int_param(request, "after", errors)
        if before is not None and after is not None:
            errors.append("give before or after, not both: after is used")
        page = views.message_page(emu, flt, before=before, after=after, limit=limit)
        inbound_providers = [p for p in emu.providers.values() if p.inbound is not None]
        compose = {
            "provider": params.get("reply_provider", ""),
            "from": params.get("reply_from", ""),
            "to": params.get("reply_to", ""),
        }
        return render(
            request,
            "messages.html",
            active="messages",
            flt=flt,
            page=page,
            limit=limit,
            custom_limit=limit if limit != PAGE_SIZE else None,
            errors=errors,
            inbound_providers=inbound_providers,
            compose=compose,
            total=emu.store.count_messages(),
        )

    async def message(request: Request) -> Response:
        message_id = request.path_params["message_id"]
        detail = views.message_detail(emu, message_id)
        if detail is None:
            return not_found(request, f"message {message_id}")
        entry = None
        if detail["request"] is not None:
            entry = views.journal_entry(emu, detail["request"]["id"])
        provider = emu.providers.get(detail["provider"])
        return render(
            request,
            "message.html",
            active="messages",
            m=detail,
            entry=entry,
            provider=provider,
            can_reply=provider is not None and provider.inbound is not None,
        )

    async def batches(request: Request) -> Response:
        errors: list[str] = []
        _unknown_params(request, ("provider",), errors)
        provider = provider_filter(request, errors)
        found, total = views.newest_batches(emu, provider=provider or None, limit=MAX_PAGE_SIZE)
        return render(
            request,
            "batches.html",
            active="batches",
            batches=found,
            total=total,
            provider=provider,
            errors=errors,
        )

    async def batch(request: Request) -> Response:
        batch_id = request.path_params["batch_id"]
        detail = views.batch_detail(emu, batch_id, rejected_limit=MAX_PAGE_SIZE)
        if detail is None:
            return not_found(request, f"batch {batch_id}")
        flt = views.MessageFilter(batch=batch_id)
        page = views.message_page(emu, flt, limit=PAGE_SIZE)
        return render(
            request,
            "batch.html",
            active="batches",
            b=detail,
            page=page,
            count_limit=views.COUNT_LIMIT,
        )

    async def journal(request: Request) -> Response:
        errors: list[str] = []
        _unknown_params(request, ("provider", "before"), errors)
        provider = provider_filter(request, errors)
        before = _int_param(request, "before", errors)
        entries, older, newer = views.journal_page(
            emu, provider=provider or None, before=before, limit=PAGE_SIZE
        )
        return render(
            request,
            "requests.html",
            active="requests",
            entries=entries,
            older=older,
            newer=newer,
            provider=provider,
            before=before,
            errors=errors,
        )

    async def journal_entry(request: Request) -> Response:
        entry_id = request.path_params["entry_id"]
        entry = views.journal_entry(emu, entry_id)
        if entry is None:
            return not_found(request, f"request #{entry_id}")
        return render(request, "request.html", active="requests", e=entry)

    async def webhooks(request: Request) -> Response:
        # only the pending webhooks shown are listed: there may be a million
        jobs, pending_count = emu.webhooks.pending_head(WEBHOOKS_SHOWN)
        pending = [pending_record(job) for job in jobs]
        attempts = emu.webhook_attempts()[::-1]
        return render(
            request,
            "webhooks.html",
            active="webhooks",
            attempts=attempts[:WEBHOOKS_SHOWN],
            attempts_kept=len(attempts),
            # all made, the oldest no longer kept included (read after the report)
            attempt_count=max(emu.webhooks.attempts_made, len(attempts)),
            pending=pending,
            pending_count=pending_count,
        )

    async def scenario(request: Request) -> Response:
        s = emu.scenario
        source = s.source
        text = yaml_text(source) if source else ""
        return render(
            request,
            "scenario.html",
            active="scenario",
            s=s,
            source=text,
            shipped=sorted(shipped_scenarios()),
        )

    assets = _static_assets()

    async def static(request: Request) -> Response:
        found = assets.get(request.path_params["name"])
        if found is None:
            body = {"error": f"no static file {request.path_params['name']!r}"}
            return Response(msgspec.json.encode(body), 404, media_type="application/json")
        content, media_type = found
        return Response(content, media_type=media_type, headers=_STATIC_HEADERS)

    async def unknown(request: Request) -> Response:
        """An address no page has: GET gets the inspector's "Not found" page."""
        return not_found(request, f"page {request.url.path}", forgettable=False)

    async def live(request: Request) -> Response:
        for value in request.query_params.getlist("timed"):
            if value not in ("0", "1"):
                raise AdminError(f"timed must be 0 or 1, not {value!r}")
        timed = request.query_params.get("timed") != "0"
        return Response(
            msgspec.json.encode(views.live_state(emu, timed=timed)),
            media_type="application/json",
            headers={"Cache-Control": "no-store"},
        )

    return [
        Route("/ui", page(messages), methods=["GET"]),
        Route("/ui/live", taking(live, "timed"), methods=["GET"]),
        Route("/ui/messages/{message_id}", page(message), methods=["GET"]),
        Route("/ui/batches", page(batches), methods=["GET"]),
        Route("/ui/batches/{batch_id}", page(batch), methods=["GET"]),
        Route("/ui/requests", page(journal, timed=False), methods=["GET"]),
        Route(
            "/ui/requests/{entry_id:journal_id}",
            page(journal_entry, timed=False),
            methods=["GET"],
        ),
        Route("/ui/webhooks", page(webhooks, timed=False), methods=["GET"]),
        Route("/ui/scenario", page(scenario, timed=False), methods=["GET"]),
        Route("/ui/static/{name}", static, methods=["GET"]),
        # A mistyped address (/ui/requests/abc) gets the inspector's page, not the API's JSON
        _ReadOnly("/ui/{rest:path}", page(unknown, timed=False), methods=["GET"]),
    ]


class _ReadOnly(Route):
    """A route only GET and HEAD find: any other method finds no page there (404, as
    before it), not one that refuses it (405 naming GET as allowed)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD"):
            return Match.NONE, {}
        return super().matches(scope)


def yaml_text(source: dict[str, Any]) -> str:
    """A scenario document as YAML, keys in the order written."""
    import yaml

    return yaml.safe_dump(source, sort_keys=False, allow_unicode=True, default_flow_style=False)
