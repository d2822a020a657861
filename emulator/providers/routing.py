"""A provider's Starlette app with a short path from a matched route to its handler.

Starlette runs every request through two middlewares, the router's scan and
``request_response``'s wrappers before the handler sees it: about as much
time as a small provider request spends in the handler itself.  Provider
handlers already catch their own errors into the provider's shape, so for a
request that fully matches a route none of that is needed.  Anything else
(a 404, a 405, a non-HTTP scope) still takes Starlette's usual path, so those
answers are exactly what they were.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.convertors import Convertor
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = [
    "DirectResponse",
    "content_length",
    "declared_length",
    "header",
    "provider_app",
    "read_body",
    "whole_path_routes",
]

Handler = Callable[[Request], Awaitable[Response]]
ErrorHandler = Callable[[Request, Exception], Response | Awaitable[Response]]


class _DirectRoute:
    __slots__ = ("convertors", "endpoint", "methods", "regex", "route")

    def __init__(self, route: Route) -> None:
        self.route = route
        self.regex: re.Pattern[str] = route.path_regex
        self.methods: frozenset[str] = frozenset(route.methods or ())
        self.convertors: dict[str, Convertor[Any]] = route.param_convertors
        self.endpoint: Handler = route.endpoint  # type: ignore[assignment]


def _direct(routes: Sequence[BaseRoute]) -> list[_DirectRoute]:
    """The routes whose endpoint is a plain ``async def handler(request)``."""
    return [
        _DirectRoute(route)
        for route in routes
        if isinstance(route, Route)
        and route.methods
        and inspect.iscoroutinefunction(route.endpoint)
    ]


class _DirectDispatch:
    """ASGI callable: a fully matched route's handler directly, else Starlette's stack."""

    def __init__(
        self,
        app: Starlette,
        fallback: ASGIApp,
        handlers: Mapping[Any, ErrorHandler],
    ) -> None:
        self.app = app
        self.fallback = fallback
        self.routes = _direct(app.router.routes)
        self.handlers = dict(handlers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            root = scope.get("root_path", "")
            if root and path.startswith(root):
                path = path[len(root) :]
            method = scope["method"]
            for route in self.routes:
                match = route.regex.match(path)
                if match is None or method not in route.methods:
                    continue
                params = dict(scope.get("path_params") or {})
                for key, value in match.groupdict().items():
                    params[key] = route.convertors[key].convert(value)
                scope["path_params"] = params
                scope["endpoint"] = route.endpoint  # what Starlette's router puts there too
                scope["route"] = route.route
                await self._handle(route.endpoint, scope, receive, send)
                return
        await self.fallback(scope, receive, send)

    async def _handle(self, endpoint: Handler, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        try:
            response = await endpoint(request)
        except Exception as exc:  # DropConnection too, as in Starlette (see _error)
            await self._error(request, exc, scope, receive, send)
            return
        await response(scope, receive, send)

    async def _error(
        self, request: Request, exc: Exception, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Answer as Starlette would: the closest registered handler's response.

        Like Starlette's ``ServerErrorMiddleware``, an exception only the
        catch-all ``Exception`` handler covers is re-raised once answered, so
        the server still logs it.  ``DropConnection`` is one of those: the
        emulator's entry point discards that answer and drops the socket (a
        provider's own send wrappers still see it, as they did with Starlette).
        """
        cls: type | None = None
        handler = None
        if isinstance(exc, HTTPException):
            handler = self.handlers.get(exc.status_code)  # a handler by status comes first
        if handler is None:
            for cls in type(exc).__mro__:
                handler = self.handlers.get(cls)
                if handler is not None:
                    break
            else:
                raise exc
        response = handler(request, exc)
        if inspect.isawaitable(response):
            response = await response
        await response(scope, receive, send)
        if cls is Exception:
            raise exc


def whole_path_routes(routes: Iterable[BaseRoute]) -> None:
    """Make each route (and mount) match the whole path and nothing less.

    Starlette ends a route's pattern with ``$``, which in Python also matches just
    before a final line feed: ``POST /batches%0A`` was answered as ``/batches`` (a
    batch created) where the providers' servers answer 404.  ``\\Z`` matches only at
    the very end, and a mount's ``.*`` takes a line feed too (else the mount matched
    the path less its line feed, and the admin API's 404 pointed at ``/_emulator//``).
    """
    for route in routes:
        if isinstance(route, Route | Mount):
            pattern = route.path_regex.pattern
            if pattern.endswith("$"):
                route.path_regex = re.compile(pattern[:-1] + r"\Z", re.DOTALL)


class _SortedMethods(set[str]):
    """A route's methods, listed in sorted order: Starlette writes a 405's ``Allow``
    header by joining them, and a plain set's order changes with the hash seed."""

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(set.__iter__(self)))


class _ProviderStarlette(Starlette):
    def build_middleware_stack(self) -> ASGIApp:
        return _DirectDispatch(self, super().build_middleware_stack(), self.exception_handlers)


def provider_app(
    routes: Sequence[BaseRoute], exception_handlers: Mapping[Any, ErrorHandler]
) -> Starlette:
    """A Starlette app for a provider's routes, with the short path described above.

    Handlers are ``async (Request) -> Response``; ``exception_handlers`` render
    errors in the provider's shape (as in ``Starlette(exception_handlers=...)``).
    """
    whole_path_routes(routes)
    app = _ProviderStarlette(routes=list(routes), exception_handlers=dict(exception_handlers))
    for route in app.router.routes:
        if isinstance(route, Route) and route.methods:
            route.methods = _SortedMethods(route.methods)
    return app


class DirectResponse(Response):
    """A ``Response`` whose two usual headers are written out directly.

    Same bytes and order as Starlette's (``content-length``, ``content-type``);
    Starlette works them out through its general header code on every
    response.  Anything unusual (extra headers, a status without a body, a
    ``text/`` type that gets a charset) takes Starlette's own path.
    """

    def init_headers(self, headers: Mapping[str, str] | None = None) -> None:
        media_type = self.media_type
        if (
            headers
            or media_type is None
            or media_type.startswith("text/")
            or self.status_code < 200
            or self.status_code in (204, 304)
        ):
            super().init_headers(headers)
            return
        self.raw_headers = [
            (b"content-length", b"%d" % len(self.body)),
            (b"content-type", media_type.encode("latin-1")),
        ]


def header(request: Request, name: bytes) -> str | None:
    """``request.headers.get(name)`` (``name`` in lower-case bytes), from a dict built once.

    Starlette's ``Headers.get`` scans the header list in Python on every call;
    a handler asking for three headers paid for three scans.
    """
    scope = request.scope
    table: dict[bytes, bytes] | None = scope.get("sms_emulator.headers")
    if table is None:
        # reversed: the first of repeated headers wins, as with Headers.get
        table = scope["sms_emulator.headers"] = dict(reversed(scope["headers"]))
    value = table.get(name)
    return None if value is None else value.decode("latin-1")


#: Past any body's size: what a ``Content-Length`` of more than 19 digits reads as.
_HUGE = 2**63


def content_length(value: str | None) -> int | None:
    """A ``Content-Length`` value as a number, None when absent or not a whole number.

    Blanks around it and leading zeros are taken, as HTTP parsers pass them on.
    ``int()`` is not given the text itself: it refuses over 4,300 digits.
    """
    if value is None:
        return None
    text = value.strip(" \t")
    if not (text.isascii() and text.isdigit()):
        return None
    digits = text.lstrip("0")
    return _HUGE if len(digits) > 19 else int(digits or "0")


def declared_length(scope: Scope) -> int | None:
    """The request's ``Content-Length`` (its first), as ``content_length`` reads it."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return content_length(value.decode("latin-1"))
    return None


#: Scope key: a read stopped at its limit, so no later read can have the whole body.
_CUT_SHORT = "sms_emulator.body_cut_short"


async def read_body(
    request: Request, limit: int | None = None, *, keep: bool = True
) -> bytes | bytearray | None:
    """The request body in one buffer, or None once it is longer than ``limit``.

    Reads ``receive`` directly: Starlette's ``request.stream()`` is an async
    generator, and creating one per request costs more than reading a small
    body.  A body over ``limit`` is not read further.  With ``keep`` the body
    is cached where ``request.body()`` finds it; a handler that frees a huge
    body as soon as it is decoded passes ``keep=False`` (and reads it once).
    """
    cached: bytes | bytearray | None = getattr(request, "_body", None)  # read before
    if cached is not None:
        return None if limit is not None and len(cached) > limit else cached
    if request.scope.get(_CUT_SHORT):
        return None  # an earlier read stopped at its limit: the rest of the body is gone
    declared = content_length(header(request, b"content-length"))
    if limit is not None and declared is not None and declared > limit:
        return None
    message = await request.receive()
    if message["type"] == "http.disconnect":
        raise ClientDisconnect()
    body: bytes | bytearray = message.get("body", b"")
    if message.get("more_body", False):
        body = bytearray(body)
        while message.get("more_body", False):
            if limit is not None and len(body) > limit:
                request.scope[_CUT_SHORT] = True
                return None
            message = await request.receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect()
            body += message.get("body", b"")
    if limit is not None and len(body) > limit:
        request.scope[_CUT_SHORT] = True
        return None
    if keep:
        request._body = body  # what request.body() caches: later reads get the same bytes
    return body
