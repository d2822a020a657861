"""Baseline server: a bare Starlette endpoint returning a fixed JSON body.

Stock uvicorn with the settings ``sms-emulator serve`` also uses (httptools and
uvloop through ``uvicorn[standard]``, no access log, no lifespan).  With
``--one-write`` it is served exactly as the emulator is (``emulator.serving``:
each response in one socket write), for reference.
``python bare_app.py PORT [--one-write]``.
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
    port = int(sys.argv[1])
    if "--one-write" in sys.argv[2:]:
        from emulator.serving import uvicorn_config

        uvicorn.Server(uvicorn_config(app, host="127.0.0.1", port=port)).run()
    else:
        uvicorn.run(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
            access_log=False,
        )
