"""Cross-origin access to the admin API for pages served from this machine.

A browser test whose page runs on a local dev server (``http://localhost:5173``)
may call the admin API itself (reset, move the clock, read messages). Pages from
anywhere else may not: the admin API reads every message and changes the
emulator's state, so its answers carry CORS headers only for loopback origins
(``localhost`` and ``*.localhost``, ``127.x.x.x``, ``[::1]``, any port, http or
https). A request from another origin is answered as without CORS, and the browser keeps the answer
from the page; one that would change something (a POST or PUT, which a page may
send as a form or as ``text/plain`` without asking first) is refused with 403,
unless it comes from the emulator's own pages (the inspector): its origin is the one
the request names in ``Host``, or its body is one no page sends across origins without
a preflight (JSON, YAML), which another origin's page never gets past.  (A reverse proxy
that writes its upstream's ``Host``, or terminates TLS, leaves the inspector's origin
unlike the one the request names.)

A request that reached the emulator on a loopback address over plain HTTP must name it
in ``Host`` as ``localhost`` (or ``*.localhost``) or an IP address, or it is refused
with 403: a page of another site can have its own name point at 127.0.0.1 (DNS
rebinding), and would then be of the emulator's origin, free to read and change
everything.  Names given to ``serve --allowed-host`` (a local reverse proxy's, an
``/etc/hosts`` alias; ``*``: any) are taken too.  Over the emulator's own TLS, or on
another interface (``serve --host 0.0.0.0``, reached by its network name), any ``Host``
is taken.
"""

from __future__ import annotations

import ipaddress
import re

import msgspec
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ..core.cors import CORSWithOwnRefusals

__all__ = ["LOOPBACK_ORIGIN", "LoopbackBrowserAccess"]

#: An origin on this machine: ``*.localhost`` too, which browsers resolve to loopback
#: themselves (RFC 6761), never through DNS.
LOOPBACK_ORIGIN = re.compile(
    r"https?://((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*localhost"
    r"|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d{1,5})?",
    re.ASCII,
)


#: Methods a page from anywhere may have a browser send (they change nothing).
_READING = ("GET", "HEAD", "OPTIONS")

#: The inspector's bodies: a page of another origin has a browser send one only after a
#: preflight, which it does not get past (unlike a form, ``text/plain``, or what a browser
#: sends itself: a ping's ``text/ping``, a CSP report's ``application/csp-report``).
_PREFLIGHTED_TYPES = ("application/json", "application/yaml")


class LoopbackBrowserAccess:
    """Wraps the admin app: CORS (preflights included) for loopback origins only, and
    no change made for a page of another origin."""

    def __init__(self, app: ASGIApp, allowed_hosts: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts
        self.cors = CORSWithOwnRefusals(
            app,
            refusal=_refused_preflight,
            allow_origin_regex=LOOPBACK_ORIGIN.pattern,
            allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE"],
            allow_headers=["Content-Type"],
            max_age=3600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rebound = _rebound_host(scope, self.allowed_hosts) if scope["type"] == "http" else None
        if rebound is not None:
            error = (
                f"Host {rebound!r} is no name of this machine: on a loopback address the admin"
                " API and the inspector answer at localhost or an IP address only (a page"
                " of another site could otherwise have its name point here); a name of"
                " your own (a reverse proxy's) is taken with serve --allowed-host NAME"
            )
            await _error(error, 403)(scope, receive, send)
            return
        origin = _header(scope, b"origin") if scope["type"] == "http" else None
        if origin is None:
            await self.app(scope, receive, send)
        elif LOOPBACK_ORIGIN.fullmatch(origin):
            await self.cors(scope, receive, send)
        elif (
            scope["method"] not in _READING
            and origin != _own_origin(scope)
            and not _preflighted(scope)
        ):
            error = f"a request from a page of {origin} may not change the emulator"
            await _error(error, 403)(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _rebound_host(scope: Scope, allowed: frozenset[str]) -> str | None:
    """The ``Host`` of a request that came over plain HTTP to a loopback address naming
    neither ``localhost`` (``*.localhost``), an IP address nor a name ``allowed``: what a
    page of another site sends once it had its name point at 127.0.0.1 (DNS rebinding).
    None if fine."""
    server = scope.get("server")
    host = _header(scope, b"host")
    if not server or host is None or not _is_loopback(str(server[0])):
        return None
    # uvicorn takes X-Forwarded-Proto from loopback clients, which a page can send to
    # its own origin: https from such a header is no TLS
    if scope.get("scheme") == "https" and _header(scope, b"x-forwarded-proto") is None:
        return None  # a rebound name fails the TLS handshake: the certificate is not its
    name = host.strip().lower()
    if name.startswith("["):  # [::1]:8787
        name = name[1 : name.find("]")] if "]" in name else name
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    name = name.rstrip(".")
    if not name or name == "localhost" or name.endswith(".localhost") or _is_ip(name):
        return None
    if name in allowed or "*" in allowed:
        return None
    return host


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _is_loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1, on a dual-stack socket
    return ip.is_loopback


def _own_origin(scope: Scope) -> str:
    """The origin the emulator's own pages have, as this request reached it."""
    return f"{scope.get('scheme', 'http')}://{_header(scope, b'host') or ''}"


def _preflighted(scope: Scope) -> bool:
    """Whether a browser sends this request across origins only after a preflight (a
    JSON or YAML body): one another origin's page asked for is refused there, so a page
    of the emulator's own origin sent it."""
    content_type = _header(scope, b"content-type") or ""
    return content_type.split(";", 1)[0].strip(" \t").lower() in _PREFLIGHTED_TYPES


def _error(error: str, status: int) -> Response:
    body = msgspec.json.encode({"error": error})
    return Response(body, status_code=status, media_type="application/json")


def _refused_preflight(reason: str, headers: Headers) -> Response:
    """A preflight asking for a method or header the admin API does not take."""
    return _error(reason, 400)
