"""Baseline server: a bare Starlette endpoint returning a fixed JSON body.

Run with the same uvicorn settings as ``sms-emulator serve`` (httptools and
uvloop through ``uvicorn[standard]``, no access log, no lifespan), so the
ratio measures only what the emulator adds.  ``python bare_app.py PORT``.
"""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY = b'{"id":"1","status":"Processing","batchSize":2,"processedCount":0,"rejected":[]}'


async def fixed(request: Request) -> Response:
    await request.body()  # read the request like the emulator must
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/", fixed, methods=["GET", "POST"])])

if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_level="warning",
        lifespan="off",
        access_log=False,
    )
