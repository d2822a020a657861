"""Fone Dynamics errors and their one wire shape, ``{"ResponseStatus": {...}}``.

Whole-request failures are exceptions rendered by :func:`render_error`;
rejected items of a batch are data (:class:`ItemError`), rendered in place.
Codes the sources document: ``PARAMETER_REQUIRED``, ``INVALID_PHONENUMBER_FORMAT``,
``CONFLICTING_PARAMETERS``, ``FORBIDDEN``, ``FormatException``.  The others here
(``UNAUTHORIZED``, ``MESSAGE_NOT_FOUND``, ``INVALID_PARAMETER``,
``LEASE_LIMIT_REACHED``, ``SerializationException`` and the generic HTTP ones)
are this emulator's choices; see docs/providers/fonedynamics.md.

::

    FoneDynamicsError (400)
    ├── RequestError            400, any code (from an ItemError)
    ├── FormatException         400, malformed Basic credentials
    ├── SerializationException  400, body is not the JSON the endpoint takes
    ├── Unauthorized            401, + WWW-Authenticate: Basic realm="/auth/basic"
    ├── Forbidden               403
    └── MessageNotFound         400
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
from starlette.responses import Response

from ...core.ratelimit import retry_after_header
from ..routing import DirectResponse

__all__ = [
    "CONTENT_TYPE",
    "REALM",
    "FoneDynamicsError",
    "Forbidden",
    "FormatException",
    "ItemError",
    "MessageNotFound",
    "RequestError",
    "SerializationException",
    "Unauthorized",
    "json_response",
    "render_error",
    "render_status",
]

CONTENT_TYPE = "application/json; charset=utf-8"
#: ServiceStack's default realm for its Basic auth provider (the backend looks like ServiceStack).
REALM = "/auth/basic"

#: Codes for statuses raised by the router, scenario faults and rate limits.
STATUS_CODES: dict[int, tuple[str, str]] = {
    400: ("BAD_REQUEST", "The request is invalid."),
    401: ("UNAUTHORIZED", "Authentication is required: use HTTP Basic with AccountSid:Token."),
    403: ("FORBIDDEN", "You do not have permission to perform this action."),
    404: ("NOT_FOUND", "No resource exists at this path."),
    405: ("METHOD_NOT_ALLOWED", "This method is not allowed on this resource."),
    429: ("TOO_MANY_REQUESTS", "Too many requests; retry later."),
    500: ("INTERNAL_SERVER_ERROR", "An internal server error occurred."),
    502: ("BAD_GATEWAY", "Bad gateway."),
    503: ("SERVICE_UNAVAILABLE", "The service is temporarily unavailable."),
    504: ("GATEWAY_TIMEOUT", "Gateway timeout."),
}


@dataclass(frozen=True, slots=True)
class ItemError:
    """One message rejected: ``{"ErrorCode", "Message", "Errors": [{"FieldName"}]}``."""

    code: str
    message: str
    fields: tuple[str, ...] = ()
    status: int = 400  # used when the item is the whole request (E1)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ErrorCode": self.code, "Message": self.message}
        if self.fields:
            body["Errors"] = [{"FieldName": name} for name in self.fields]
        return body


class FoneDynamicsError(Exception):
    """A whole-request failure; subclasses set the status and code."""

    status = 400
    code = "BAD_REQUEST"
    message = "The request is invalid."

    def __init__(
        self, message: str | None = None, *, fields: tuple[str, ...] = (), code: str | None = None
    ) -> None:
        self.message = message or type(self).message
        self.code = code or type(self).code
        self.fields = fields
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        return {"ResponseStatus": ItemError(self.code, self.message, self.fields).body()}

    def headers(self) -> dict[str, str]:
        return {}


class RequestError(FoneDynamicsError):
    """A single message (E1) rejected for the reason in an :class:`ItemError`."""

    def __init__(self, item: ItemError) -> None:
        super().__init__(item.message, fields=item.fields, code=item.code)
        self.status = item.status


class FormatException(FoneDynamicsError):
    code = "FormatException"
    message = "Invalid length for a Base-64 char array or string."


class SerializationException(FoneDynamicsError):
    code = "SerializationException"
    message = "Could not deserialize the request body as JSON."


class Unauthorized(FoneDynamicsError):
    status = 401
    code = "UNAUTHORIZED"
    message = "Invalid AccountSid or Token."

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": f'Basic realm="{REALM}"'}


class Forbidden(FoneDynamicsError):
    status = 403
    code = "FORBIDDEN"
    message = "You do not have permission to access this property."


class MessageNotFound(FoneDynamicsError):
    code = "MESSAGE_NOT_FOUND"
    message = "The requested message was not found."


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A Fone Dynamics JSON response (``application/json; charset=utf-8``)."""
    return DirectResponse(msgspec.json.encode(body), status, headers, CONTENT_TYPE)


def render_error(exc: FoneDynamicsError) -> Response:
    return json_response(exc.body(), exc.status, exc.headers())


def render_status(status: int, retry_after: float | None = None) -> Response:
    """Any HTTP error status in the ResponseStatus shape (used for faults and rate limits)."""
    code, message = STATUS_CODES.get(status, (f"HTTP_{status}", f"HTTP error {status}."))
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = f'Basic realm="{REALM}"'
    if retry_after is not None:
        headers["Retry-After"] = retry_after_header(retry_after)
    elif status == 429:
        headers["Retry-After"] = "1"
    body = {"ResponseStatus": {"ErrorCode": code, "Message": message}}
    return json_response(body, status, headers)
