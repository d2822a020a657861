"""The Fone Dynamics app mounted at ``/v2``: parse the wire, call the core, render the wire.

E1 ``POST /Properties/{PropertySid}/Messages``, E2 ``POST .../BatchMessages``,
E3 ``GET /Messages/{MessageSid}``, E4 ``GET /Properties/{PropertySid}/Messages``.
Every response, including 404/405/500 inside ``/v2``, is JSON in Fone Dynamics'
shape.  Fixed path segments match case-insensitively, as ServiceStack routes do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ..base import DropConnection, guarded
from ..routing import header, provider_app, read_body
from .auth import authenticate, check_property
from .errors import (
    FoneDynamicsError,
    Forbidden,
    ItemError,
    MessageNotFound,
    RequestError,
    json_response,
    render_error,
    render_status,
)
from .listing import list_messages, parse_query
from .sending import NAME, submit
from .wire import (
    message_resource,
    parse_form,
    parse_json,
    parse_multipart,
    validate_message,
    validate_messages,
)

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = ["build_app"]

Handler = Callable[[Request], Awaitable[Response]]

_SEGMENTS = {"properties": "Properties", "messages": "Messages", "batchmessages": "BatchMessages"}
#: Paths already spelled as the routes spell them (the usual case): nothing to fix.
_CANONICAL_PATH = re.compile(r"/(?:Properties/[^/]*/(?:Messages|BatchMessages)|Messages)(?:/|\Z)")


class CaseInsensitivePaths:
    """Spell the fixed segments (``properties``, ``messages``...) as the routes do."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            root = scope.get("root_path", "")
            path: str = scope["path"]
            if path.startswith(root) and not _CANONICAL_PATH.match(path, len(root)):
                parts = path[len(root) :].split("/")
                fixed = list(parts)
                if len(parts) > 1:
                    fixed[1] = _SEGMENTS.get(parts[1].lower(), parts[1])
                if len(parts) > 3 and fixed[1] == "Properties":
                    fixed[3] = _SEGMENTS.get(parts[3].lower(), parts[3])
                if fixed != parts:
                    # In place: what the handler's guard notes in the scope (its endpoint,
                    # a fault that fired) is read by the journal from this same dict.
                    scope["path"] = root + "/".join(fixed)
        await self.app(scope, receive, send)


def _with_query(body: dict[str, Any], query: dict[str, str], *, form: bool) -> dict[str, Any]:
    """A request's fields from its body and its query string, as ServiceStack binds a
    request DTO (E1's, and E4's search).

    The query string is bound on every verb: over a JSON body (its values win), and
    merged with form fields (a form field wins, being read after the query string).
    """
    if not query:
        return body
    return {**query, **body} if form else {**body, **query}


def _body_fields(request: Request, raw: bytes) -> tuple[dict[str, object], bool]:
    """A request body's fields by its ``Content-Type`` (a form, multipart, else JSON; no
    body: none), and whether it was a form (see ``_with_query``); a JSON body that is not
    an object is a ``SerializationException``."""
    content_type = request.headers.get("content-type", "").lower()
    form = True
    if content_type.startswith("application/x-www-form-urlencoded"):
        data: object = parse_form(raw)
    elif content_type.startswith("multipart/form-data"):
        data = parse_multipart(raw, request.headers["content-type"])
    else:
        data, form = parse_json(raw), False
    if data is None:
        return {}, form
    if not isinstance(data, dict):
        raise FoneDynamicsError(
            "The request body must be a JSON object", code="SerializationException"
        )
    return data, form


def _param_text(value: object) -> str:
    """A JSON body's value as the query string would carry it (``1506038400``, ``true``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    # A number as its text; true/false, an object or an array as JSON: no parameter
    # takes those, so they are refused as the same text in the query string would be.
    return json.dumps(value)


async def _listing_params(request: Request) -> dict[str, str]:
    """E4's parameters: the query string, and a body if one was sent.

    The "Find SMS messages" page shows the search as a JSON object (``{"Date_From":
    1506038400, "Date_To": 1506427200, ...}``), so a GET with such a body is bound as
    E1 binds its body (ServiceStack fills the request DTO from the body on any verb):
    a query value wins over a JSON body's, a form field over the query's.
    """
    query = {key.lower(): value for key, value in request.query_params.items()}
    raw = await read_body(request) or b""
    if not raw.strip():
        return query
    data, form = _body_fields(request, raw)
    body = {
        str(key).lower(): _param_text(value) for key, value in data.items() if value is not None
    }
    return _with_query(body, query, form=form)


def _has_credentials(request: Request) -> bool:
    """The Java SDK sends each call twice: first without credentials, answered 401 with
    the ``WWW-Authenticate`` challenge, then with them. Only the second is a call."""
    return header(request, b"authorization") is not None


def _catching(handler: Handler) -> Handler:
    """Render provider errors, and anything unexpected as a 500, in the ResponseStatus shape."""

    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except FoneDynamicsError as exc:
            return render_error(exc)
        except DropConnection:
            raise  # no answer at all (a fault, a request a reset came after)
        except Exception as exc:  # never a bare 500 page
            body = {"ResponseStatus": {"ErrorCode": type(exc).__name__, "Message": str(exc)}}
            return json_response(body, 500)

    run.__name__ = handler.__name__
    return run


def build_app(emu: Emulator) -> ASGIApp:
    """The Starlette app serving Fone Dynamics' REST v2 messaging for ``emu``."""

    def endpoint(name: str) -> Callable[[Handler], Handler]:
        def wrap(handler: Handler) -> Handler:
            return guarded(emu, NAME, name, render_status, counted=_has_credentials)(
                _catching(handler)
            )

        return wrap

    async def _property(request: Request) -> tuple[str, str]:
        account = authenticate(emu, request)
        property_sid = request.path_params["PropertySid"]
        check_property(account, property_sid)
        return account.sid, property_sid

    @endpoint("send_message")
    async def send_message(request: Request) -> Response:
        account, property_sid = await _property(request)
        raw = await read_body(request) or b""  # no limit: never None
        data, form = _body_fields(request, raw)
        query = request.scope.get("query_string")
        if query:
            data = _with_query(data, parse_form(query), form=form)
        item = validate_message(data, emu.time())
        (result,) = submit(
            emu,
            account=account,
            property_sid=property_sid,
            endpoint="send_message",
            items=[item],
            batch=False,
        )
        if isinstance(result, ItemError):
            raise RequestError(result)
        return json_response({"Message": message_resource(result, emu.time())})

    @endpoint("send_batch")
    async def send_batch(request: Request) -> Response:
        account, property_sid = await _property(request)
        data = parse_json(await read_body(request) or b"")
        if not isinstance(data, dict):
            raise FoneDynamicsError(
                "The request body must be a JSON object with a Messages array",
                code="SerializationException",
            )
        if len(data) == 1 and "Messages" in data:
            messages = data["Messages"]
        else:  # as canonical_keys reads an item: in any case, the last non-null value
            messages = None
            for key, value in data.items():
                if value is not None and key.lower() == "messages":
                    messages = value
        if messages is None or messages == []:
            raise FoneDynamicsError(
                "Required parameter missing: Messages",
                fields=("Messages",),
                code="PARAMETER_REQUIRED",
            )
        if not isinstance(messages, list):
            raise FoneDynamicsError(
                "Messages must be an array of message objects", code="SerializationException"
            )
        now = emu.time()
        results = submit(
            emu,
            account=account,
            property_sid=property_sid,
            endpoint="send_batch",
            items=validate_messages(messages, now),
            batch=True,
        )
        now = emu.time()
        body = [r.body() if isinstance(r, ItemError) else message_resource(r, now) for r in results]
        return json_response(body)

    @endpoint("get_message")
    async def get_message(request: Request) -> Response:
        account = authenticate(emu, request)
        # "Your account and property must be enabled for SMS" (the Retrieve SMS page):
        # the account before any sid is looked up, the message's property once found.
        if not account.sms_enabled:
            raise Forbidden("SMS is not enabled for this account.")
        sid = request.path_params["MessageSid"]
        message = emu.store.get_message(sid)
        if (
            message is None
            or message.provider != NAME
            or message.tenant != account.sid
            or (message.extra or {}).get("Rejected")
        ):
            raise MessageNotFound(fields=("MessageSid",))
        check_property(account, str((message.extra or {}).get("PropertySid", "")))
        return json_response({"Message": message_resource(message, emu.time())})

    @endpoint("list_messages")
    async def list_property_messages(request: Request) -> Response:
        account = authenticate(emu, request)
        property_sid = request.path_params["PropertySid"]
        check_property(account, property_sid)
        query = parse_query(await _listing_params(request))
        return json_response(list_messages(emu, account.sid, property_sid, query))

    async def property_messages(request: Request) -> Response:
        """One route for E1 and E4, so a 405 there lists both methods in ``Allow``."""
        if request.method == "POST":
            return await send_message(request)
        return await list_property_messages(request)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        response = render_status(status)
        if status == 405 and isinstance(exc, HTTPException) and exc.headers:
            response.headers["Allow"] = exc.headers.get("Allow", "")
        return response

    async def server_error(request: Request, exc: Exception) -> Response:
        return render_status(500)

    routes = [
        Route("/Properties/{PropertySid}/Messages", property_messages, methods=["GET", "POST"]),
        Route("/Properties/{PropertySid}/BatchMessages", send_batch, methods=["POST"]),
        Route("/Messages/{MessageSid}", get_message, methods=["GET"]),
    ]
    app = provider_app(routes, {HTTPException: http_error, Exception: server_error})
    return CaseInsensitivePaths(app)
