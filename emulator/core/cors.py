"""Starlette's CORS middleware, with a refused preflight answered in the app's own
error shape instead of Starlette's plain text ("Disallowed CORS method")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp

__all__ = ["CORSWithOwnRefusals"]

#: Given Starlette's reason ("Disallowed CORS method") and the preflight's headers,
#: the app's own 400 answer.
Refusal = Callable[[str, Headers], Response]


class CORSWithOwnRefusals(CORSMiddleware):
    """``CORSMiddleware(app, **options)`` whose refused preflights ``refusal`` answers,
    keeping the CORS headers Starlette gives them (what a browser reads)."""

    def __init__(self, app: ASGIApp, *, refusal: Refusal, **options: Any) -> None:
        super().__init__(app, **options)
        self.refusal = refusal

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        reason = bytes(response.body).decode("utf-8", "replace")
        answer = self.refusal(reason, request_headers)
        framing = {b"content-type", b"content-length"}
        answer.raw_headers = [
            *answer.raw_headers,
            *((name, value) for name, value in response.raw_headers if name not in framing),
        ]
        return answer
