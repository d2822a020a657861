"""RingCentral's error shapes: ``ASGErrorResponse`` for the API, RFC 6749 bodies for OAuth.

    RingCentralError                  {"errorCode", "message", "errors": [...]}
    ├── InvalidParameter              400 CMN-101
    ├── CannotParseRequest            400 CMN-104
    ├── HeaderMissing                 400 CMN-110
    ├── UnsupportedMediaType          415 CMN-415
    ├── AuthorizationMissing          401 AGW-401
    ├── AuthorizationInvalid          401 AGW-402
    ├── TokenUnparsable               401 OAU-149
    ├── TokenExpired                  401 OAU-128
    ├── TokenCorrupted                401 OAU-129
    ├── TokenNotFound                 401 OAU-213
    ├── PermissionMissing             403 CMN-401
    ├── ResourceNotFound              404 CMN-102
    ├── RouteNotFound                 404 AGW-404 (``errors: []``)
    ├── MethodNotAllowed              405 AGW-405 (``errors: []``)
    ├── PayloadTooLarge               413 AGW-413 (``errors: []``)
    ├── RateExceeded                  429 CMN-301
    ├── InternalError                 500 CMN-203
    └── ServiceUnavailable            503 CMN-201
    OAuthError                        {"error", "errors": [...], "error_description"}

AGW-405 and AGW-413 are not documented: they follow the gateway's AGW-<status>
pattern (see docs/providers/ringcentral.md).
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any, ClassVar

import msgspec
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ..routing import DirectResponse

__all__ = [
    "AuthorizationInvalid",
    "AuthorizationMissing",
    "CannotParseRequest",
    "HeaderMissing",
    "InternalError",
    "InvalidParameter",
    "MethodNotAllowed",
    "OAuthError",
    "PayloadTooLarge",
    "PermissionMissing",
    "RateExceeded",
    "ResourceNotFound",
    "RingCentralError",
    "RouteNotFound",
    "ServiceUnavailable",
    "TokenCorrupted",
    "TokenExpired",
    "TokenNotFound",
    "TokenUnparsable",
    "UnsupportedMediaType",
    "error_for_status",
    "json_response",
    "render_error",
    "whole_number",
]

JSON = "application/json"


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response with RingCentral's content type."""
    return DirectResponse(msgspec.json.encode(data), status, headers, JSON)


class RingCentralError(Exception):
    """An API error answered as ``ASGErrorResponse``; subclasses set status, code, message."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "CMN-203"
    template: ClassVar[str] = "Internal Server Error"
    #: Gateway errors send ``"errors": []``.
    empty_errors: ClassVar[bool] = False

    def __init__(
        self,
        message: str | None = None,
        *,
        parameter: str | None = None,
        value: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: str,
    ) -> None:
        self.parameter, self.value = parameter, value
        self.message = message or self.template.format(parameter=parameter, value=value)
        self.headers = headers or {}
        self.extra = extra
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"errorCode": self.code, "message": self.message}
        if self.parameter is not None:
            entry["parameterName"] = self.parameter
        if self.value is not None:
            entry["parameterValue"] = self.value
        entry.update(self.extra)
        errors = [] if self.empty_errors else [entry]
        return {"errorCode": self.code, "message": self.message, "errors": errors}

    def response(self) -> Response:
        return json_response(self.body(), self.status, self.headers)


class InvalidParameter(RingCentralError):
    status, code, template = 400, "CMN-101", "Parameter [{parameter}] value is invalid."


#: A body's integer written as a string: ASCII digits, perhaps a minus.
_DIGITS = re.compile(r"-?[0-9]+")
#: Past any lifetime or page size, so as good as a longer number (which int() refuses
#: past 4,300 digits).
_HUGE = 10**18


def whole_number(value: int | float | str | None, parameter: str) -> int | None:
    """A body's integer field: a whole number, or a string of digits, which RingCentral's
    own apps send (``"expiresIn": process.env.WEBHOOK_EXPIRES_IN``); else CMN-101."""
    if value is None or type(value) is int:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = value.strip() if isinstance(value, str) else ""
    if not _DIGITS.fullmatch(text):
        raise InvalidParameter(parameter=parameter, value=str(value))
    digits = text.lstrip("-").lstrip("0") or "0"
    number = int(digits) if len(digits) <= 18 else _HUGE
    return -number if text.startswith("-") else number


class CannotParseRequest(RingCentralError):
    status, code, template = 400, "CMN-104", "Cannot parse request"


class HeaderMissing(RingCentralError):
    status, code, template = 400, "CMN-110", "Header {parameter} should be specified"


class UnsupportedMediaType(RingCentralError):
    status, code, template = 415, "CMN-415", "Content-Type [{value}] is not supported"


class AuthorizationMissing(RingCentralError):
    status, code, template = 401, "AGW-401", "Authorization header is not specified"


class AuthorizationInvalid(RingCentralError):
    status, code, template = 401, "AGW-402", "Invalid Authorization header"


class TokenUnparsable(RingCentralError):
    """RingCentral's error table (developer guide, "API Error Codes"): "401 OAU-149
    Unparsable access token"."""

    status, code, template = 401, "OAU-149", "Unparsable access token"


class TokenExpired(RingCentralError):
    status, code, template = 401, "OAU-128", "Access token expired"


class TokenCorrupted(RingCentralError):
    status, code, template = 401, "OAU-129", "Access token corrupted"


class TokenNotFound(RingCentralError):
    status, code, template = 401, "OAU-213", "Token not found"


class PermissionMissing(RingCentralError):
    status, code = 403, "CMN-401"
    template = (
        "In order to call this API endpoint, application needs to have [{parameter}] permission"
    )

    def body(self) -> dict[str, Any]:
        entry = {"errorCode": self.code, "message": self.message, "permissionName": self.parameter}
        return {"errorCode": self.code, "message": self.message, "errors": [entry]}


class ResourceNotFound(RingCentralError):
    status, code, template = 404, "CMN-102", "Resource for parameter [{parameter}] is not found."


class RouteNotFound(RingCentralError):
    status, code, template, empty_errors = 404, "AGW-404", "Resource not found", True


class MethodNotAllowed(RingCentralError):
    status, code, template, empty_errors = 405, "AGW-405", "Method not allowed", True


class PayloadTooLarge(RingCentralError):
    status, code, template, empty_errors = 413, "AGW-413", "Request entity too large", True


class RateExceeded(RingCentralError):
    status, code, template = 429, "CMN-301", "Request rate exceeded"


class InternalError(RingCentralError):
    status, code, template = 500, "CMN-203", "Internal Server Error"


class ServiceUnavailable(RingCentralError):
    status, code, template = 503, "CMN-201", "Service Temporary Unavailable"


class OAuthError(Exception):
    """An OAuth endpoint error: ``{"error", "errors": [...], "error_description"}``."""

    def __init__(
        self,
        error: str,
        code: str,
        description: str,
        *,
        status: int = 400,
        parameter: str | None = None,
    ) -> None:
        super().__init__(description)
        self.error, self.code, self.description = error, code, description
        self.status, self.parameter = status, parameter

    def body(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"errorCode": self.code, "message": self.description}
        if self.parameter is not None:
            entry["parameterName"] = self.parameter
        return {"error": self.error, "errors": [entry], "error_description": self.description}

    def response(self) -> Response:
        return json_response(self.body(), self.status)


_BY_STATUS: dict[int, type[RingCentralError]] = {
    400: InvalidParameter,
    401: TokenNotFound,
    403: PermissionMissing,
    404: RouteNotFound,
    405: MethodNotAllowed,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    429: RateExceeded,
    500: InternalError,
    503: ServiceUnavailable,
}


#: RFC 9110's reason phrases where Python's differ between versions (3.13 renamed
#: them), so a scenario's fault reads the same on every supported Python.
_PHRASES = {
    413: "Content Too Large",
    414: "URI Too Long",
    416: "Range Not Satisfiable",
    422: "Unprocessable Content",
}


class _GatewayError(RingCentralError):
    empty_errors = True


def _unlisted(status: int, headers: dict[str, str] | None) -> RingCentralError:
    """A status no RingCentral error of ours has (a scenario's 409, 502...): a 5xx is
    CMN-203 with that status; a 4xx a gateway error named by it (``AGW-409``
    "Conflict"), not an "Internal Server Error" a client would misfile."""
    if status >= 500:
        error: RingCentralError = InternalError(headers=headers)
    else:
        try:
            phrase = _PHRASES.get(status) or HTTPStatus(status).phrase
        except ValueError:
            phrase = "Client Error"
        error = _GatewayError(phrase, headers=headers)
        error.code = f"AGW-{status}"  # type: ignore[misc]
    error.status = status  # type: ignore[misc]  # keep the status the fault asked for
    return error


def error_for_status(status: int, headers: dict[str, str] | None = None) -> RingCentralError:
    """The RingCentral error for a bare HTTP status (scenario faults, framework errors)."""
    cls = _BY_STATUS.get(status)
    if cls is None:
        return _unlisted(status, headers)
    if cls is PermissionMissing:
        return cls(parameter="A2PSMS", headers=headers)
    if cls is InvalidParameter:
        return cls(parameter="body", headers=headers)
    if cls is UnsupportedMediaType:
        return cls(value="unknown", headers=headers)
    return cls(headers=headers)


async def render_error(request: Request, exc: Exception) -> Response:
    """The provider app's one exception handler: every error in RingCentral's shape."""
    if isinstance(exc, RingCentralError | OAuthError):
        return exc.response()
    if isinstance(exc, HTTPException):
        headers = dict(exc.headers or {})
        return error_for_status(exc.status_code, headers).response()
    return InternalError().response()
