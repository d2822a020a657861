"""RingCentral's HTTP surface under ``/restapi``: parse the wire, call core, render the wire.

Every endpoint runs inside ``guarded`` (scenario rate limits and faults), catches
every error into RingCentral's shape, and answers with ``X-Rate-Limit-*``; the
``RequestIds`` wrapper adds ``RCRequestId`` to every response, errors included.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import sys
from collections.abc import Awaitable, Callable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import msgspec
from starlette.datastructures import ImmutableMultiDict
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ...core.models import Batch, Direction
from ...core.phone import is_possible_e164
from ...core.ratelimit import retry_after_header
from ...core.store import BatchQuery, MessageQuery
from ..base import CALLER_FOUND, RATE_CALLER, RATE_LIMIT, DropConnection, guarded
from ..routing import declared_length, header, provider_app, read_body
from . import subscriptions
from .auth import (
    Principal,
    authenticate,
    authenticate_client,
    authorization_redirect,
    issue_token,
    rate_limit_client,
    revoke_token,
)
from .batches import create_batch, gc_paused
from .consents import (
    CAMPAIGN_TYPES,
    COVERAGES,
    EXPORT_COLUMNS,
    OPT_STATUSES,
    ConsentSearch,
    ConsentUpdate,
    consent_record,
    delete_failure,
    export_row,
    history_record,
    stored_source,
    update_failure,
)
from .cors import BrowserAccess
from .errors import (
    CannotParseRequest,
    HeaderMissing,
    InternalError,
    InvalidParameter,
    OAuthError,
    PayloadTooLarge,
    PermissionMissing,
    RateExceeded,
    ResourceNotFound,
    RingCentralError,
    UnsupportedMediaType,
    error_for_status,
    json_response,
    render_error,
    whole_number,
)
from .identity import account_info, extension_info
from .limits import rate_headers
from .mapping import STATUS_KEYS, status_name
from .notifications import notify_batch
from .numbers import (
    ACCOUNT_LIST_FILTERS,
    EXTENSION_LIST_FILTERS,
    account_numbers,
    numbers_by_owner,
    phone_number_list,
    sender_numbers,
)
from .optouts import Pager, set_statuses
from .optouts import forget as forget_consent
from .optouts import history_pager as consent_history_pager
from .optouts import pager as optout_pager
from .paging import (
    FIRST,
    Cursor,
    decode_cursor,
    encode_cursor,
    filtered_pager,
    paginate,
)
from .subscriptions import (
    CreateSubscriptionRequest,
    UpdateSubscriptionRequest,
    subscription_body,
)
from .wire import (
    BatchRequest,
    BulkAssignRequest,
    batch_body,
    batch_status,
    created_batch_body,
    decode_json,
    message_body,
    money,
    parse_number,
    parse_time,
)

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = ["MAX_BODY", "RequestIds", "build_app"]

PROVIDER = "ringcentral"
#: ``x-request-max-body-size: 50m``
MAX_BODY = 50 * 1024 * 1024
_FORM_LIMIT = 1024 * 1024
#: Bodies over this size are decoded with the cyclic GC paused.
_LARGE_BODY = 64 * 1024
_DAY = 86_400.0
_MAX_PHONE_FILTERS = 15
#: RFC 6749 5.1: a response carrying tokens must not be cached.
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_BATCH_DECODER = msgspec.json.Decoder(BatchRequest)
_BULK_DECODER = msgspec.json.Decoder(BulkAssignRequest)
_A2P = "/v1.0/account/{accountId}/a2p-sms"
_CONSENTS = "/v2/accounts/{accountId}/sms/consents"
_CONSENT_DECODER = msgspec.json.Decoder(ConsentUpdate)
#: ``UpdateOptRecordList.records``: ``minItems: 1``, ``maxItems: 1000``.
_MAX_CONSENT_RECORDS = 1000
_SEARCH_DECODER = msgspec.json.Decoder(ConsentSearch)
#: ``SearchSmsConsentRecordsRequest``'s ``from`` and ``to`` (``minItems: 1``) and
#: ``listSmsConsentHistoryRecords``' ``to``: ``maxItems: 20``.
_MAX_CONSENT_NUMBERS = 20
_NEW_SUBSCRIPTION_DECODER = msgspec.json.Decoder(CreateSubscriptionRequest)
_SUBSCRIPTION_CHANGE_DECODER = msgspec.json.Decoder(UpdateSubscriptionRequest)
_SUBSCRIPTION = "/v1.0/subscription"
_seq = attrgetter("seq")

Handler = Callable[[Request], Awaitable[Response]]


class RequestIds:
    """Adds ``RCRequestId`` (a seeded UUID) to every response of the wrapped app."""

    def __init__(self, app: ASGIApp, emu: Emulator) -> None:
        self.app, self.emu = app, emu

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        # Drawn before the request is handled: one that stores something saves this
        # counter with its writes, so a server restarted after a crash never repeats it.
        request_id = self.emu.ids.uuid("ringcentral.request").encode("ascii")

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), (b"rcrequestid", request_id)]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_id)


class BodyLimit:
    """RingCentral's gateway (``x-request-max-body-size: 50m``): a request whose
    ``Content-Length`` is over ``MAX_BODY`` is refused on any path, before routing,
    authentication or any of its body.

    A client waiting for ``100 Continue`` sends no body: its connection is closed,
    or a next request on it would be read as that body.  Any other client is
    sending it already, and is left to finish (the server skips it): closed under
    it, the connection would be reset and the client might never read the 413.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (declared_length(scope) or 0) > MAX_BODY:
            waiting = any(
                item.strip().lower() == b"100-continue"
                for name, value in scope["headers"]
                if name == b"expect"
                for item in value.split(b",")
            )
            refusal = PayloadTooLarge(headers={"Connection": "close"} if waiting else None)
            await refusal.response()(scope, receive, send)
            return
        await self.app(scope, receive, send)


# request helpers
def _media_type(request: Request) -> str:
    return (header(request, b"content-type") or "").split(";")[0].strip().lower()


def _require_json(request: Request) -> None:
    media = _media_type(request)
    if not media:
        raise HeaderMissing(parameter="Content-Type")
    if media != "application/json" and not media.endswith("+json"):
        raise UnsupportedMediaType(value=media)


async def _read_body(request: Request, limit: int, *, keep: bool = True) -> bytes | bytearray:
    """The body, in one buffer; 413 once it is over ``limit`` (``keep``: see ``read_body``)."""
    body = await read_body(request, limit, keep=keep)
    if body is None:
        raise PayloadTooLarge()  # the rest of the body is skipped by the server
    return body


def _caller_principal(emu: Emulator, request: Request) -> Principal:
    """Who the bearer token speaks for: the rate limiter's look, unless a fault held on."""
    found: Principal | None = request.scope.get(CALLER_FOUND)
    return found or authenticate(emu, header(request, b"authorization"))


def _principal(emu: Emulator, request: Request, *, also: str | None = None) -> Principal:
    """The caller, checked for the path's account and the ``A2PSMS`` permission
    (or ``also``, where another permission opens the endpoint too)."""
    principal = _caller_principal(emu, request)
    account = request.path_params.get("accountId", "~")
    if account not in ("~", principal.account_id):
        raise ResourceNotFound(parameter="accountId")
    if not principal.has_permission("A2PSMS") and not (also and principal.has_permission(also)):
        raise PermissionMissing(parameter="A2PSMS")
    return principal


def _positive_digits(request: Request, name: str) -> str | None:
    """Query value ``name`` as its significant digits (None when absent or empty); CMN-101
    unless it is a whole number above 0 in ASCII digits (leading zeros allowed)."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    # ASCII digits only: int() would also take "1_0", " 5", "+5" and non-ASCII digits,
    # and refuse (ValueError) more than 4300 digits.
    digits = raw.lstrip("0")
    if not (raw.isascii() and raw.isdigit()) or not digits:
        raise InvalidParameter(parameter=name, value=raw)
    return digits


def _per_page(request: Request, default: int = 1000) -> int:
    digits = _positive_digits(request, "perPage")
    if digits is None:
        return default
    return 1000 if len(digits) > 4 else min(int(digits), 1000)


def _page_number(request: Request) -> int:
    """A page-based list's ``page`` (default 1)."""
    digits = _positive_digits(request, "page")
    if digits is None:
        return 1
    if len(digits) > 9:
        raise InvalidParameter(parameter="page", value=request.query_params["page"])
    return int(digits)


def _number_list_query(request: Request, filters: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """``page``, ``perPage`` (default 100) and the ``filters`` (each repeatable) of a number
    list; a value outside the spec's enum is 400 CMN-101, as RingCentral's API Reference
    lists it for ``usageType`` ("400 CMN-101 Parameter [usageType] value is invalid")."""
    params = request.query_params
    return {
        "page": _page_number(request),
        "per_page": _per_page(request, default=100),
        "filters": {
            name: frozenset(_choices(params, name, allowed)) for name, allowed in filters.items()
        },
    }


def _window(request: Request, now: float, *, open_by_default: bool) -> tuple[float | None, ...]:
    """[from, to) as emulator timestamps; ``dateTo`` defaults to now, ``dateFrom`` to −24 h."""
    params = request.query_params
    raw_from, raw_to = params.get("dateFrom"), params.get("dateTo")
    if open_by_default and not raw_from and not raw_to:
        return (None, None)
    high = parse_time(raw_to, "dateTo") if raw_to else math.nextafter(now, math.inf)
    low = parse_time(raw_from, "dateFrom") if raw_from else (high - _DAY)
    return (low, high)


def _cursor(
    request: Request, kind: str, window: tuple[float | None, ...], token: str | None = None
) -> tuple[Cursor, str]:
    """The page a token names (``token``, else the query's ``pageToken``); ``""``: the
    first page whatever the query says (a search takes its token from its body)."""
    if token is None:
        token = request.query_params.get("pageToken")
    if token:
        return decode_cursor(token, kind), token
    cursor = Cursor(kind, FIRST, 0, window)  # type: ignore[arg-type]
    return cursor, encode_cursor(cursor)


def _choices(params: Any, name: str, allowed: tuple[str, ...]) -> list[str]:
    """A repeatable enum parameter's values; 400 CMN-101 for one not in ``allowed``."""
    values = [v for v in params.getlist(name) if v.strip()]
    for value in values:
        if value not in allowed:
            raise InvalidParameter(parameter=name, value=value)
    return values


def _number_filter(params: Any, name: str, most: int | None = None) -> frozenset[str] | None:
    """A repeatable phone-number parameter; 400 CMN-101 for one that is not a number, or
    for more than ``most`` values (repeats counted)."""
    given = [v for v in params.getlist(name) if v.strip()]
    if most is not None and len(given) > most:
        raise InvalidParameter(parameter=name)
    values = [_checked_number(v, name) for v in given]
    return frozenset(values) if values else None


def _one_number(params: Any, name: str, *, star_is_any: bool = False) -> str | None:
    """A ``from``/``to`` filter as E.164 (None: absent or empty, or ``*`` where it means
    any number); 400 CMN-101 for a value that is not a number."""
    raw = params.get(name) or ""
    if not raw.strip() or (star_is_any and raw.strip() == "*"):
        return None
    return _checked_number(raw, name)


def _checked_number(raw: str, name: str) -> str:
    number = parse_number(raw)
    if not is_possible_e164(number):  # a filter no stored number can match
        raise InvalidParameter(parameter=name, value=raw)
    return number


def _direction(request: Request) -> Direction | None:
    wanted = set()
    for value in request.query_params.getlist("direction"):
        word = value.strip().lower()
        if not word:  # ``direction=``: the JS SDK's ``undefined``
            continue
        if word not in ("inbound", "outbound"):
            raise InvalidParameter(parameter="direction", value=value)
        wanted.add(Direction(word))
    return wanted.pop() if len(wanted) == 1 else None


def _message_query(
    emu: Emulator, request: Request, principal: Principal, window: tuple[float | None, ...]
) -> MessageQuery:
    batch_id = request.query_params.get("batchId") or None
    if batch_id is not None:
        batch = emu.store.get_batch(batch_id)
        if batch is None or batch.provider != PROVIDER or batch.tenant != principal.account_id:
            raise ResourceNotFound(parameter="batchId")
    return MessageQuery(
        provider=PROVIDER,
        tenant=principal.account_id,
        batch_id=batch_id,
        direction=_direction(request),
        numbers=_number_filter(request.query_params, "phoneNumber", _MAX_PHONE_FILTERS),
        created_from=window[0],
        created_to=window[1],
    )


# endpoint plumbing
def _duplicated(parameter: str) -> OAuthError:
    return OAuthError(
        "invalid_request", "OAU-111", "Request parameter duplication detected", parameter=parameter
    )


#: A fault's 4xx on the OAuth endpoints, in their own shape.
_OAUTH_FAULTS = {
    400: OAuthError("invalid_request", "OAU-250", "Bad request", status=400),
    # RFC 6749: a 401 is the client's authentication failing
    401: OAuthError("invalid_client", "OAU-123", "Client authentication is required", status=401),
    # RingCentral's OAU- table answers 403 for a grant the app may not use (OAU-112)
    403: OAuthError(
        "unauthorized_client",
        "OAU-112",
        "The client is unauthorized for the required grant type",
        status=403,
    ),
}


def _render(emu: Emulator, group: str, *, oauth: bool) -> Callable[[int, float | None], Response]:
    """How ``guarded`` answers refusals and scenario faults for this group."""

    def render(status: int, retry_after: float | None) -> Response:
        if status == 429:
            return _too_many(emu, group, retry_after)
        headers = None
        if retry_after is not None:
            headers = {"Retry-After": retry_after_header(retry_after)}
        if oauth and status in _OAUTH_FAULTS:
            response = _OAUTH_FAULTS[status].response()
            if headers:
                response.headers.update(headers)
            return response
        return error_for_status(status, headers).response()

    return render


def _too_many(emu: Emulator, group: str, retry_after: float | None) -> Response:
    seconds = 60.0 if retry_after is None else retry_after
    headers = {
        "Retry-After": retry_after_header(seconds),
        **rate_headers(emu, group, None, refused=True),
    }
    return RateExceeded(headers=headers).response()


def _set_headers(response: Response, headers: dict[str, str]) -> None:
    """``response.headers.update(headers)`` without a scan of the header list per key."""
    added = [
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    ]
    names = {name for name, _ in added}
    kept = [pair for pair in response.raw_headers if pair[0] not in names]
    response.raw_headers = kept + added


def _wants_csv(accept: str) -> bool:
    """Whether ``Accept`` prefers ``text/csv`` (by its q-value) to JSON."""
    quality: dict[str, float] = {}
    for item in accept.lower().split(","):
        media, _, params = item.partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        quality[media.strip()] = q
    csv = quality.get("text/csv", 0.0)
    json = max(quality.get(m, 0.0) for m in ("application/json", "application/*", "*/*"))
    return csv > 0 and csv >= json


def _caller(emu: Emulator, group: str) -> Callable[[Request], Any]:
    """Whose bucket a request in ``group`` counts in: RingCentral limits each user per app.

    A token request counts for its application (``rate_limit_client``), an API call
    for the (user, application) of its bearer token.  Requests the endpoint refuses
    with a 401 share one bucket.
    """
    if group == "auth":

        async def application(request: Request) -> str:
            body = await read_body(request, _FORM_LIMIT)  # kept for the handler
            form = dict(parse_qsl(bytes(body or b"").decode("utf-8", "replace")))
            return rate_limit_client(emu, header(request, b"authorization"), form)

        return application

    def user(request: Request) -> tuple[str, ...]:
        try:
            principal = authenticate(emu, header(request, b"authorization"))
        except RingCentralError:
            return ()
        request.scope[CALLER_FOUND] = principal
        return principal.rate_limit_key

    return user


def _endpoint(
    emu: Emulator, name: str, group: str, handler: Handler, *, oauth: bool = False
) -> Handler:
    async def run(request: Request) -> Response:
        try:
            response = await handler(request)
        except (RingCentralError, OAuthError) as exc:
            response = exc.response()
        except DropConnection:
            raise
        except Exception:
            response = InternalError().response()
        return response

    run.__name__ = name
    limited = guarded(
        emu,
        PROVIDER,
        name,
        _render(emu, group, oauth=oauth),
        group=group,
        caller=_caller(emu, group),
    )(run)

    async def answer(request: Request) -> Response:
        response = await limited(request)
        if response.status_code != 429:  # a 429 already tells the refused numbers
            # on a scenario's 500/503 too: a client pacing itself reads them on every answer
            decision, caller = request.scope[RATE_LIMIT], request.scope.get(RATE_CALLER, "")
            _set_headers(response, rate_headers(emu, group, decision, caller=caller))
        return response

    answer.__name__ = name
    answer.__doc__ = handler.__doc__
    return answer


def _tagged(handler: Handler) -> Handler:
    """``handler`` with an ``ETag`` on its 200: the spec's consents operations each
    declare one, required (``components/headers/ETag``).  Its value, which no source
    shows, is a digest of the body: the same content has the same tag."""

    async def tag(request: Request) -> Response:
        response = await handler(request)
        if response.status_code == 200:
            digest = hashlib.sha256(response.body).hexdigest()[:32]
            _set_headers(response, {"ETag": f'"{digest}"'})
        return response

    tag.__name__ = handler.__name__
    tag.__doc__ = handler.__doc__
    return tag


def _by_method(read: Handler, **others: Handler) -> Handler:
    """One route's handler for several methods (so a 405 lists them all): ``others`` by
    method, ``read`` for GET and HEAD."""

    async def dispatch(request: Request) -> Response:
        return await others.get(request.method, read)(request)

    return dispatch


def build_app(emu: Emulator) -> ASGIApp:
    """RingCentral's app, mounted at ``/restapi``."""

    # OAuth
    async def token(request: Request) -> Response:
        media = _media_type(request)
        if media and media != "application/x-www-form-urlencoded":
            raise OAuthError(
                "invalid_request",
                "CMN-415",
                f"Content-Type [{media}] is not supported",
                status=415,
            )
        form = await _form(request)
        headers = {k.lower(): v for k, v in request.headers.items()}
        return json_response(issue_token(emu, headers, form), headers=_NO_STORE)

    async def authorize(request: Request) -> Response:
        location = authorization_redirect(emu, request.query_params)
        return Response(status_code=302, headers={"Location": location})

    async def revoke(request: Request) -> Response:
        form = await _form(request) if await _read_body(request, _FORM_LIMIT) else {}
        # the token in the body or the query, once: as a repeat in the body is refused
        given = [form["token"]] if "token" in form else []
        given += request.query_params.getlist("token")
        if len(given) > 1:
            raise _duplicated("token")
        value = given[0] if given else None
        if not value:
            raise OAuthError(
                "invalid_request",
                "OAU-250",
                "Required parameter [token] is missing",
                parameter="token",
            )
        headers = {k.lower(): v for k, v in request.headers.items()}
        authenticate_client(emu, headers, form)
        revoke_token(emu, value)
        return Response(status_code=200)

    # a2p-sms
    async def post_batch(request: Request) -> Response:
        principal = _principal(emu, request)
        _require_json(request)
        senders = sender_numbers(emu, principal)
        body = await _read_body(request, MAX_BODY, keep=False)  # 50 MB freed once decoded
        if not body or body.isspace():
            raise CannotParseRequest()
        # decoding 10^6 objects would trigger collections for nothing
        with gc_paused(len(body) > _LARGE_BODY):
            parsed = decode_json(body, _BATCH_DECODER)
            del body  # 50 MB that the decoded strings no longer need
            # ids drawn and used under one hold (see Emulator.reset); a batch refused
            # whole sent no message, so its decisions count for nothing
            with emu.transaction(), emu.engine.tentative():
                batch, rejected = create_batch(emu, principal.account_id, parsed, senders)
                notify_batch(emu, batch)
        # as it stood when created: on a real clock a big batch takes a while to store
        return json_response(created_batch_body(batch, rejected), 201)

    async def list_batches(request: Request) -> Response:
        principal = _principal(emu, request)
        now = emu.time()
        per_page = _per_page(request)
        statuses = {s for s in request.query_params.getlist("status") if s.strip()}
        unknown = statuses - {"Queued", "Processing", "Sent", "Completed"}
        if unknown:
            raise InvalidParameter(parameter="status", value=sorted(unknown)[0])
        sender = _one_number(request.query_params, "from")
        cursor, current = _cursor(request, "b", _window(request, now, open_by_default=False))
        low, high = cursor.window
        query = BatchQuery(
            provider=PROVIDER,
            tenant=principal.account_id,
            sender=sender,
            created_from=low,
            created_to=high,
        )
        store = emu.store

        def older(before: int, limit: int) -> list[Batch]:
            return store.query_batches_before(query, before_seq=before, limit=limit)

        def newer(after: int, limit: int) -> list[Batch]:
            return store.query_batches(query, after_seq=after, limit=limit)

        if statuses:
            older, newer = filtered_pager(
                older, newer, _seq, lambda b: batch_status(b, now)[0] in statuses
            )
        page = paginate(cursor, per_page, older, newer, _seq, current)
        records = [batch_body(b, now) for b in page.records]
        return json_response({"records": records, "paging": page.paging})

    async def get_batch(request: Request) -> Response:
        principal = _principal(emu, request)
        batch = emu.store.get_batch(request.path_params["batchId"])
        if batch is None or batch.provider != PROVIDER or batch.tenant != principal.account_id:
            raise ResourceNotFound(parameter="batchId")
        return json_response(batch_body(batch, emu.time()))

    async def list_messages(request: Request) -> Response:
        principal = _principal(emu, request)
        now = emu.time()
        per_page = _per_page(request)
        view = (request.query_params.get("view") or "Simple").strip().lower()
        if view not in ("simple", "detailed"):
            raise InvalidParameter(parameter="view", value=request.query_params.get("view"))
        has_batch = bool(request.query_params.get("batchId"))
        cursor, current = _cursor(request, "m", _window(request, now, open_by_default=has_batch))
        query = _message_query(emu, request, principal, cursor.window)
        store = emu.store
        page = paginate(
            cursor,
            per_page,
            lambda before, limit: store.query_messages_before(
                query, before_seq=before, limit=limit
            ),
            lambda after, limit: store.query_messages(query, after_seq=after, limit=limit),
            _seq,
            current,
        )
        detailed = view == "detailed"
        records = [message_body(m, now, detailed=detailed) for m in page.records]
        return json_response({"records": records, "paging": page.paging})

    async def get_message(request: Request) -> Response:
        principal = _principal(emu, request)
        message = emu.store.get_message(request.path_params["messageId"])
        if (
            message is None
            or message.provider != PROVIDER
            or message.tenant != principal.account_id
        ):
            raise ResourceNotFound(parameter="messageId")
        return json_response(message_body(message, emu.time(), single=True))

    async def statuses(request: Request) -> Response:
        principal = _principal(emu, request)
        now = emu.time()
        has_batch = bool(request.query_params.get("batchId"))
        window = _window(request, now, open_by_default=has_batch)
        query = _message_query(emu, request, principal, window)
        return json_response(_aggregate(emu.store.query_messages(query), now))

    async def list_optouts(request: Request) -> Response:
        principal = _principal(emu, request)
        params = request.query_params
        wanted = (params.get("status") or "optout").strip().lower()
        allowed = {"optout": {"OptOut"}, "optin": {"OptIn"}, "all": {"OptOut", "OptIn"}}
        if wanted not in allowed:
            raise InvalidParameter(parameter="status", value=params.get("status"))
        # E.164 numbers (``from`` may be ``*``, any): another value is 400, not an empty list
        sender = _one_number(params, "from", star_is_any=True)
        recipient = _one_number(params, "to", star_is_any=True)
        found = optout_pager(
            emu,
            principal.account_id,
            allowed[wanted],
            None if sender is None else {sender},
            None if recipient is None else {recipient},
        )
        if _wants_csv(request.headers.get("accept", "")):
            older, _ = found  # every record, newest first; perPage/pageToken ignored
            return _csv(older(sys.maxsize, sys.maxsize)[::-1])
        return _record_page(request, found, "o", _optout_body, _per_page(request))

    async def bulk_assign(request: Request) -> Response:
        principal = _principal(emu, request)
        data: BulkAssignRequest = await _json_body(request, _BULK_DECODER)
        sender = parse_number(data.sender)
        if not is_possible_e164(sender):
            raise InvalidParameter(parameter="from", value=data.sender)
        if not data.optOuts and not data.optIns:
            raise InvalidParameter(parameter="optOuts")
        result, changes = {}, []
        for key, status, numbers in (
            ("optIns", "OptIn", data.optIns or []),
            ("optOuts", "OptOut", data.optOuts or []),
        ):
            successful, failed = [], []
            for raw in numbers:
                number = parse_number(raw)
                if is_possible_e164(number):
                    changes.append((sender, number, status, "Account"))
                    successful.append(number)
                else:
                    failed.append({"to": raw, "errorMessage": "The recipient number is invalid"})
            result[key] = {"successful": successful, "failed": failed}
        # every number of the request, or (after a crash) none
        set_statuses(emu, principal.account_id, changes)
        return json_response(result)

    async def list_consents(request: Request) -> Response:
        principal = _principal(emu, request, also="SMS")
        found = consents_matching(principal, request.query_params)
        return _record_page(request, found, "k", consent_record, _per_page(request, default=100))

    async def search_consents(request: Request) -> Response:
        """``POST .../consents/search``: the list's filters and paging in a JSON body."""
        principal = _principal(emu, request, also="SMS")
        query: ConsentSearch = await _json_body(request, _SEARCH_DECODER)
        for name, numbers in (("from", query.sender), ("to", query.to)):
            if numbers is not None and not 1 <= len(numbers) <= _MAX_CONSENT_NUMBERS:
                raise InvalidParameter(parameter=name)
        for name, kinds in (("coverage", query.coverage), ("campaignType", query.campaignType)):
            if kinds is not None and not kinds:  # ``minItems: 1``: not "no filter"
                raise InvalidParameter(parameter=name)
        found = consents_matching(principal, ImmutableMultiDict(query.as_query()))
        per_page = whole_number(query.perPage, "perPage")
        per_page = per_page if per_page is not None else 100
        if per_page < 1:
            raise InvalidParameter(parameter="perPage", value=str(query.perPage))
        page = min(per_page, 1000)  # more asked is the most, as the list's perPage
        return _record_page(request, found, "k", consent_record, page, query.pageToken or "")

    def consents_matching(principal: Principal, params: Any) -> tuple[Pager, Pager]:
        wanted = set(_choices(params, "optStatus", OPT_STATUSES) or ["OptOut"])
        senders = _number_filter(params, "from")
        recipients = _number_filter(params, "to")
        coverage = _choices(params, "coverage", COVERAGES)
        # Every record here is one sender's (PhoneNumber coverage) and of no campaign type.
        excluded = bool(_choices(params, "campaignType", CAMPAIGN_TYPES)) or (
            bool(coverage) and "PhoneNumber" not in coverage
        )
        statuses = set() if excluded else wanted
        return optout_pager(emu, principal.account_id, statuses, senders, recipients)

    async def export_consents(request: Request) -> Response:
        principal = _principal(emu, request, also="SMS")
        older, _ = optout_pager(emu, principal.account_id, {"OptOut", "OptIn"})
        rows = [export_row(r) for r in older(sys.maxsize, sys.maxsize)[::-1]]  # newest first
        return _csv_response(EXPORT_COLUMNS, rows)

    async def consent_history(request: Request) -> Response:
        """``GET .../consents/history``: every consent change, newest first; ``to``
        (repeatable, at most 20), ``perPage`` (default 100, at most 1000) and ``pageToken``."""
        principal = _principal(emu, request, also="SMS")
        recipients = _number_filter(request.query_params, "to", _MAX_CONSENT_NUMBERS)
        found = consent_history_pager(emu, principal.account_id, recipients)
        per_page = _per_page(request, default=100)
        return _record_page(request, found, "h", history_record, per_page)

    async def update_consents(request: Request) -> Response:
        principal = _principal(emu, request, also="SMS")
        data: ConsentUpdate = await _json_body(request, _CONSENT_DECODER)
        if not 1 <= len(data.records) <= _MAX_CONSENT_RECORDS:
            raise InvalidParameter(parameter="records")
        failed, changes = [], []
        for item in data.records:
            record, failure = update_failure(item)
            if failure is not None:
                failed.append(failure)
                continue
            assert record is not None
            source = stored_source(record["source"])
            changes.append((record["from"], record["to"], record["optStatus"], source))
        # every record of the request, or (after a crash) none
        set_statuses(emu, principal.account_id, changes)
        return json_response(_modification_summary(failed))

    async def delete_consents(request: Request) -> Response:
        principal = _principal(emu, request, also="SMS")
        data: ConsentUpdate = await _json_body(request, _CONSENT_DECODER)
        pairs, failed = [], []
        for item in data.records:
            pair, failure = delete_failure(item)
            if failure is not None:
                failed.append(failure)
            elif pair is not None:
                pairs.append(pair)
        forget_consent(emu, principal.account_id, pairs)
        return json_response(_modification_summary(failed))

    async def _form(request: Request) -> dict[str, str]:
        body = await _read_body(request, _FORM_LIMIT)
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        form: dict[str, str] = {}
        for key, value in pairs:
            if key in form:
                raise _duplicated(key)
            form[key] = value
        return form

    def route(path: str, name: str, handler: Handler, method: str, group: str) -> Route:
        oauth = group == "auth"
        wrapped = _endpoint(emu, name, group, handler, oauth=oauth)
        return Route(path, wrapped, methods=[method], name=name)

    batches = _by_method(
        _endpoint(emu, "list_batches", "light", list_batches),
        POST=_endpoint(emu, "create_batch", "light", post_batch),
    )
    consents = _by_method(
        _endpoint(emu, "list_consents", "light", _tagged(list_consents)),
        PATCH=_endpoint(emu, "update_consents", "light", _tagged(update_consents)),
        DELETE=_endpoint(emu, "delete_consents", "light", _tagged(delete_consents)),
    )

    def own(request: Request) -> Principal:
        """The caller, when the path names its own account (and extension): ``~`` or its id."""
        principal = _caller_principal(emu, request)
        params = request.path_params
        if params["accountId"] not in ("~", principal.account_id):
            raise ResourceNotFound(parameter="accountId")
        if params.get("extensionId", "~") not in ("~", principal.owner_id):
            raise ResourceNotFound(parameter="extensionId")
        return principal

    def origin(request: Request) -> str:
        return f"{request.url.scheme}://{request.url.netloc}"

    async def phone_numbers(request: Request) -> Response:
        principal = own(request)
        base = (
            f"{origin(request)}/restapi/v1.0/account/"
            f"{principal.account_id}/extension/{principal.owner_id}/phone-number"
        )
        numbers = account_numbers(emu, principal)
        query = _number_list_query(request, EXTENSION_LIST_FILTERS)
        return json_response(phone_number_list(numbers, base, **query))

    async def company_numbers(request: Request) -> Response:
        principal = own(request)
        account = f"{origin(request)}/restapi/v1.0/account/{principal.account_id}"
        owners = numbers_by_owner(emu, principal)
        body = phone_number_list(
            list(owners),
            f"{account}/phone-number",
            owners,
            account,
            **_number_list_query(request, ACCOUNT_LIST_FILTERS),
        )
        return json_response(body)

    def subscription_response(request: Request, record: dict[str, Any]) -> Response:
        return json_response(subscription_body(record, emu.time(), origin(request)))

    async def create_subscription(request: Request) -> Response:
        principal = _caller_principal(emu, request)
        data = await _json_body(request, _NEW_SUBSCRIPTION_DECODER)
        return subscription_response(request, await subscriptions.create(emu, principal, data))

    async def list_subscriptions(request: Request) -> Response:
        principal = _caller_principal(emu, request)
        now, base = emu.time(), origin(request)
        owned = subscriptions.owned(emu, principal)
        records = [subscription_body(r, now, base) for r in owned]
        return json_response({"uri": f"{base}/restapi{_SUBSCRIPTION}", "records": records})

    async def get_subscription(request: Request) -> Response:
        principal = _caller_principal(emu, request)
        record = subscriptions.find(emu, principal, request.path_params["subscriptionId"])
        return subscription_response(request, record)

    async def put_subscription(request: Request) -> Response:
        principal = _caller_principal(emu, request)
        body = await _read_body(request, MAX_BODY)
        data = UpdateSubscriptionRequest()
        if body.strip():  # an empty PUT renews
            _require_json(request)
            data = decode_json(body, _SUBSCRIPTION_CHANGE_DECODER)
        subscription_id = request.path_params["subscriptionId"]
        return subscription_response(
            request, subscriptions.update(emu, principal, subscription_id, data)
        )

    async def delete_subscription(request: Request) -> Response:
        principal = _caller_principal(emu, request)
        subscriptions.delete(emu, principal, request.path_params["subscriptionId"])
        return Response(status_code=204)

    async def renew(request: Request) -> Response:
        principal = _caller_principal(emu, request)
        subscription_id = request.path_params["subscriptionId"]
        return subscription_response(request, subscriptions.renew(emu, principal, subscription_id))

    subscription_list = _by_method(
        _endpoint(emu, "list_subscriptions", "light", list_subscriptions),
        POST=_endpoint(emu, "create_subscription", "medium", create_subscription),
    )
    one_subscription = _by_method(
        _endpoint(emu, "get_subscription", "light", get_subscription),
        PUT=_endpoint(emu, "update_subscription", "medium", put_subscription),
        DELETE=_endpoint(emu, "delete_subscription", "medium", delete_subscription),
    )

    async def get_account(request: Request) -> Response:
        return json_response(account_info(emu, own(request), origin(request)))

    async def get_extension(request: Request) -> Response:
        return json_response(extension_info(emu, own(request), origin(request)))

    routes = [
        route("/oauth/authorize", "authorize", authorize, "GET", "auth"),
        route("/oauth/token", "token", token, "POST", "auth"),
        route("/oauth/revoke", "revoke", revoke, "POST", "auth"),
        Route(f"{_A2P}/batches", batches, methods=["GET", "POST"], name="batches"),
        route(f"{_A2P}/batches/{{batchId}}", "get_batch", get_batch, "GET", "light"),
        route(f"{_A2P}/messages", "list_messages", list_messages, "GET", "light"),
        route(f"{_A2P}/messages/{{messageId}}", "get_message", get_message, "GET", "light"),
        route(f"{_A2P}/statuses", "statuses", statuses, "GET", "light"),
        route(f"{_A2P}/opt-outs", "list_optouts", list_optouts, "GET", "light"),
        route(f"{_A2P}/opt-outs/bulk-assign", "bulk_assign", bulk_assign, "POST", "light"),
        route(
            "/v1.0/account/{accountId}/extension/{extensionId}/phone-number",
            "list_phone_numbers",
            phone_numbers,
            "GET",
            "light",
        ),
        route(
            "/v1.0/account/{accountId}/phone-number",
            "list_company_numbers",
            company_numbers,
            "GET",
            "heavy",  # RingCentral's listAccountPhoneNumbers is in the Heavy group
        ),
        Route(_SUBSCRIPTION, subscription_list, methods=["GET", "POST"], name="subscriptions"),
        Route(
            f"{_SUBSCRIPTION}/{{subscriptionId}}",
            one_subscription,
            methods=["GET", "PUT", "DELETE"],
            name="subscription",
        ),
        route(
            f"{_SUBSCRIPTION}/{{subscriptionId}}/renew",
            "renew_subscription",
            renew,
            "POST",
            "light",
        ),
        Route(_CONSENTS, consents, methods=["GET", "PATCH", "DELETE"], name="consents"),
        route(f"{_CONSENTS}/export", "export_consents", _tagged(export_consents), "GET", "light"),
        route(f"{_CONSENTS}/search", "search_consents", _tagged(search_consents), "POST", "light"),
        route(f"{_CONSENTS}/history", "consent_history", _tagged(consent_history), "GET", "light"),
        route("/v1.0/account/{accountId}", "get_account", get_account, "GET", "light"),
        route(
            "/v1.0/account/{accountId}/extension/{extensionId}",
            "get_extension",
            get_extension,
            "GET",
            "light",
        ),
    ]
    app = provider_app(routes, {HTTPException: render_error, Exception: render_error})
    return RequestIds(BrowserAccess(BodyLimit(app)), emu)  # a preflight carries its id too


def _aggregate(messages: Any, now: float) -> dict[str, Any]:
    """The statuses object: all five keys, ``errorCodeCounts`` on the failure keys."""
    counts = {key: 0 for key in STATUS_KEYS.values()}
    costs = {key: 0.0 for key in STATUS_KEYS.values()}
    codes: dict[str, dict[str, int]] = {"deliveryFailed": {}, "sendingFailed": {}}
    for message in messages:
        key = STATUS_KEYS[status_name(message, now)]
        counts[key] += 1
        if key != "sendingFailed" and message.extra:
            costs[key] += message.segments * message.extra.get("rate", 0.0)
        if key in codes:
            code = message.error_code_at(now)
            if code is not None:
                codes[key][code] = codes[key].get(code, 0) + 1
    body: dict[str, Any] = {}
    # the order of the guide's sample answer and of the spec's MessageStatusesResponse
    for key in ("queued", "delivered", "deliveryFailed", "sent", "sendingFailed"):
        body[key] = {"count": counts[key], "cost": money(costs[key])}
        if key in codes:
            body[key]["errorCodeCounts"] = codes[key]
    return body


def _record_page(
    request: Request,
    found: tuple[Pager, Pager],
    kind: str,
    body_of: Callable[[dict[str, Any]], dict[str, Any]],
    per_page: int,
    token: str | None = None,
) -> Response:
    """A page of the kept records ``found`` (its ``older`` and ``newer``), newest first:
    ``{records, paging}`` (at ``token``, or the request's ``pageToken``)."""
    cursor, current = _cursor(request, kind, (None, None), token)
    older, newer = found
    page = paginate(cursor, per_page, older, newer, _record_seq, current)
    return json_response({"records": [body_of(r) for r in page.records], "paging": page.paging})


def _record_seq(record: dict[str, Any]) -> int:
    return record["seq"]


async def _json_body(request: Request, decoder: msgspec.json.Decoder[Any]) -> Any:
    """A small JSON body (``Content-Type`` checked), decoded; CMN-104 when empty (as any
    text that is no JSON: ``decode_json``)."""
    _require_json(request)
    return decode_json(await _read_body(request, MAX_BODY), decoder)


def _modification_summary(failed: list[dict[str, Any]]) -> dict[str, Any]:
    """``OptRecordsModificationSummary``: ``failedRecords`` has ``minItems: 1`` in the spec
    (where its record lists say ``minItems: 0``), so with nothing failed it is left out."""
    return {"failedRecords": failed} if failed else {}


def _optout_body(record: dict[str, Any]) -> dict[str, str]:
    """An opt-out list record: ``{from, to, status, source}``."""
    return {k: record[k] for k in ("from", "to", "status", "source")}


def _csv(records: list[dict[str, Any]]) -> Response:
    columns = ("from", "to", "status", "source")
    return _csv_response(columns, [[r[c] for c in columns] for r in records])


def _csv_response(columns: Sequence[str], rows: list[list[str]]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return Response(out.getvalue(), media_type="text/csv")
