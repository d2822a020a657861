"""The admin API's refusals of bad input: ``AdminError`` (answered as ``{"error": ...}``)
and the check that a handler reads every query parameter it is given."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["AdminError", "Handler", "taking"]

Handler = Callable[[Request], Awaitable[Response]]


class AdminError(Exception):
    """Bad input to the admin API: answered with ``{"error": message}``."""

    def __init__(self, message: str, status: int = 400, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.extra = status, extra


def taking(handler: Handler, *names: str, only_for: str | None = None, **extra: Any) -> Handler:
    """``handler``, refusing a query parameter it does not read (``names``; with
    ``only_for``, read by that method alone): ignored, a typo such as ``?wiat=true``
    would silently make a test race its webhooks."""
    accepted = frozenset(names)

    @functools.wraps(handler)
    async def checked(request: Request) -> Response:
        takes = accepted if only_for in (None, request.method) else frozenset()
        unknown = [name for name in request.query_params if name not in takes]
        if unknown:
            listed = ", ".join(sorted(takes)) or "no query parameters"
            raise AdminError(
                f"unknown query parameter {unknown[0]!r}: {request.method}"
                f" {request.url.path} takes {listed}",
                **extra,
            )
        return await handler(request)

    return checked
