"""The gateway's response codes as exceptions, and the one flat refusal shape.

::

    SendbulkError (1007 "Failed. System error")
    ├── InvalidSenderId 1001        ├── UnsupportedDataType 1009
    ├── NetworkNotAllowed 1002      │   └── NoDlr 1009 "No dlr"
    ├── InvalidMobile 1003          ├── UnsupportedRequestType 1010
    ├── LowCredits 1004             ├── TooManyMessages 1012
    ├── InvalidChildAccount 1005    ├── TooManyContacts 1104
    ├── InvalidCredentials 1006     ├── TryLater 4090
    ├── ConfigurationError 1007     ├── MissingPartnerId 4091
    │                               ├── MissingApiKey 4092
    │                               └── DetailsNotFound 4093

A request-level refusal is a flat object (no ``responses`` key) at HTTP 200:
``{"response-code": 1006, "response-description": "Invalid credentials"}``.
Per-item refusals are rows, built from :data:`DESCRIPTIONS`, not exceptions.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "DESCRIPTIONS",
    "ConfigurationError",
    "DetailsNotFound",
    "InvalidChildAccount",
    "InvalidCredentials",
    "InvalidMobile",
    "InvalidSenderId",
    "LowCredits",
    "MissingApiKey",
    "MissingPartnerId",
    "NetworkNotAllowed",
    "NoDlr",
    "SendbulkError",
    "TooManyContacts",
    "TooManyMessages",
    "TryLater",
    "UnsupportedDataType",
    "UnsupportedRequestType",
    "error_for_status",
]


class SendbulkError(Exception):
    """A refusal in the gateway's flat shape; HTTP 200 unless ``http_status`` says otherwise."""

    http_status = 200
    code = 1007
    description = "Failed. System error"

    def __init__(self, description: str | None = None, **extra: Any) -> None:
        if description is not None:
            self.description = description
        self.extra = extra
        super().__init__(f"{self.code} {self.description}")


class InvalidSenderId(SendbulkError):
    code, description = 1001, "Invalid sender id"


class NetworkNotAllowed(SendbulkError):
    code, description = 1002, "Network not allowed"


class InvalidMobile(SendbulkError):
    code, description = 1003, "Invalid mobile number"


class LowCredits(SendbulkError):
    code, description = 1004, "Low bulk credits"


class InvalidChildAccount(SendbulkError):
    # Spelling as in the reseller credit API's documentation.
    code, description = 1005, "The child acount is invalid. Kindly verify the details"


class InvalidCredentials(SendbulkError):
    code, description = 1006, "Invalid credentials"


class ConfigurationError(SendbulkError):
    """The scenario's sendbulk options or accounts are unusable (explained in a note)."""

    code, description = 1007, "Failed. System error"


class UnsupportedDataType(SendbulkError):
    code, description = 1009, "Unsupported data type"


class NoDlr(UnsupportedDataType):
    description = "No dlr"


class UnsupportedRequestType(SendbulkError):
    code, description = 1010, "Unsupported request type"


class TooManyMessages(SendbulkError):
    code, description = 1012, "Too Many messages on SMS LIST"


class TooManyContacts(SendbulkError):
    code, description = 1104, "Too many comma separated contacts"


class TryLater(SendbulkError):
    code, description = 4090, "Internal Error. Try again after 5 minutes"


class MissingPartnerId(SendbulkError):
    code, description = 4091, "No Partner ID is Set"


class MissingApiKey(SendbulkError):
    code, description = 4092, "No API KEY Provided"


class DetailsNotFound(SendbulkError):
    code, description = 4093, "Details Not Found"


#: Response code → description, for per-item rows.
DESCRIPTIONS: dict[int, str] = {
    cls.code: cls.description
    for cls in (
        InvalidSenderId,
        NetworkNotAllowed,
        InvalidMobile,
        LowCredits,
        InvalidChildAccount,
        InvalidCredentials,
        SendbulkError,
        UnsupportedDataType,
        UnsupportedRequestType,
        TooManyMessages,
        TooManyContacts,
        TryLater,
        MissingPartnerId,
        MissingApiKey,
        DetailsNotFound,
    )
}

_BY_STATUS: dict[int, type[SendbulkError]] = {
    400: UnsupportedRequestType,
    401: InvalidCredentials,
    403: InvalidCredentials,
    404: DetailsNotFound,
    405: UnsupportedRequestType,
}


def error_for_status(status: int) -> SendbulkError:
    """The refusal sent with an HTTP ``status`` (scenario faults, unknown paths)."""
    error = _BY_STATUS.get(status, TryLater)()
    error.http_status = status
    return error
