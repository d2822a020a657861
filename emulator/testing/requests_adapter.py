"""Run code built on ``requests`` against an in-process emulator (no sockets).

>>> session = requests.Session()
>>> mount_emulator(session, emu)        # every http(s) URL now reaches ``emu``
>>> session.post("https://quicksms.advantasms.com/api/services/sendsms/", json={...})

The host in the URL is ignored: the emulator serves every provider at its real
paths, so production base URLs work unchanged.  The session's retry policy (an
``HTTPAdapter(max_retries=Retry(...))`` mounted before) is kept and applied as
urllib3 applies it over a socket.  Needs ``requests`` installed (it is not a
dependency of the emulator itself).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import httpx
import requests
from requests.adapters import DEFAULT_RETRIES, BaseAdapter
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ReadTimeout as RequestsReadTimeout
from requests.exceptions import RetryError
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import MaxRetryError, ProtocolError, ReadTimeoutError
from urllib3.response import HTTPResponse
from urllib3.util import Retry
from urllib3.util import Timeout as Urllib3Timeout

if TYPE_CHECKING:
    from ..emulator import Emulator

__all__ = ["EmulatorAdapter", "mount_emulator"]


class EmulatorAdapter(BaseAdapter):
    """A ``requests`` transport adapter that hands each request to ``emu``'s app.

    ``max_retries``: as ``HTTPAdapter``'s (a count or a urllib3 ``Retry``), applied as
    urllib3 applies it: answers it retries (``status_forcelist``, a 413, 429 or 503
    with ``Retry-After``) and dropped connections are sent again after its sleep.
    """

    def __init__(self, emu: Emulator, max_retries: Retry | int | None = DEFAULT_RETRIES) -> None:
        super().__init__()
        self._emu = emu
        self._client = emu.client()
        # HTTPAdapter's own default: no retry, and a read error raised as it is (a
        # timeout stays a ReadTimeout, not "Max retries exceeded")
        default = max_retries == DEFAULT_RETRIES
        self.max_retries = Retry(0, read=False) if default else Retry.from_int(max_retries)

    def send(
        self, request: requests.PreparedRequest, timeout: Any = None, **kwargs: Any
    ) -> requests.Response:
        method, url = request.method or "GET", request.url or "/"
        body = request.body
        if hasattr(body, "read"):  # a file: read once, each attempt sends it whole
            body = body.read()  # type: ignore[union-attr]
        retries = self.max_retries
        while True:  # urllib3's HTTPConnectionPool.urlopen, minus the socket
            try:
                response = self._send_once(request, body, timeout)
            except (RequestsConnectionError, RequestsReadTimeout) as exc:
                timed_out = isinstance(exc, RequestsReadTimeout)
                error = (
                    ReadTimeoutError(None, url, str(exc))  # type: ignore[arg-type]
                    if timed_out
                    else ProtocolError("Connection aborted.", exc)
                )
                try:
                    retries = retries.increment(method, url, error=error)
                except MaxRetryError as given_up:  # as HTTPAdapter maps them
                    raise RequestsConnectionError(given_up, request=request) from exc
                except (ProtocolError, ReadTimeoutError) as not_retried:
                    raise type(exc)(not_retried, request=request) from exc
                retries.sleep()
                continue
            has_retry_after = bool(response.headers.get("Retry-After"))
            if not retries.is_retry(method, response.status_code, has_retry_after):
                return response
            try:
                retries = retries.increment(method, url, response=response.raw)
            except MaxRetryError as given_up:
                if retries.raise_on_status:
                    raise RetryError(given_up, request=request) from None
                return response
            retries.sleep(response.raw)

    def _send_once(
        self, request: requests.PreparedRequest, body: Any, timeout: Any
    ) -> requests.Response:
        url = httpx.URL(request.url or "/")
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif body is not None and not isinstance(body, bytes | bytearray):
            body = _chunks(body)  # a generator's chunked upload
        # As http.client writes them: a str value in Latin-1 (httpx would take ASCII only)
        headers = [
            (name, value.encode("latin-1") if isinstance(value, str) else value)
            for name, value in request.headers.items()
        ]
        if self._client.is_closed:  # as requests' pools, made again on use after close()
            self._client = self._emu.client()
        try:
            answer = self._client.request(
                request.method or "GET",
                url.copy_with(scheme="http", host="sms-emulator.test", port=None),
                headers=headers,
                content=body or b"",
                timeout=_timeout(timeout),
            )
        except httpx.RemoteProtocolError as exc:  # a scenario dropped the connection
            raise RequestsConnectionError(str(exc), request=request) from exc
        except httpx.ReadTimeout as exc:  # slower than the caller's timeout (a scenario delay)
            raise RequestsReadTimeout(str(exc), request=request) from exc
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.content
        response._content_consumed = True  # type: ignore[attr-defined]
        # For code that reads the stream (stream=True, then iter_content or raw.read()).
        response.raw = HTTPResponse(
            body=io.BytesIO(answer.content),
            headers=answer.headers.multi_items(),
            status=answer.status_code,
            reason=answer.reason_phrase,
            preload_content=False,
            decode_content=False,
        )
        response.encoding = answer.encoding
        response.url = request.url or ""
        response.reason = answer.reason_phrase
        response.request = request
        return response

    def close(self) -> None:
        self._client.close()


def _chunks(body: Iterable[bytes | str]) -> Iterator[bytes]:
    """A chunked body's chunks as bytes: a str one in UTF-8, as urllib3 sends it."""
    for chunk in body:
        yield chunk.encode("utf-8") if isinstance(chunk, str) else chunk


def _seconds(value: Any) -> float | None:
    """A number of seconds, or None (no limit) for anything else (urllib3's sentinels)."""
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _timeout(value: Any) -> httpx.Timeout:
    """``requests``' timeout for httpx: None, seconds, a (connect, read) pair, or
    urllib3's ``Timeout`` (its ``total`` caps both)."""
    if isinstance(value, tuple):
        connect, read = value
        return httpx.Timeout(None, connect=_seconds(connect), read=_seconds(read))
    if isinstance(value, Urllib3Timeout):
        total = _seconds(value.total)
        connect, read = _seconds(value._connect), _seconds(value._read)
        if total is not None:
            connect = total if connect is None else min(connect, total)
            read = total if read is None else min(read, total)
        return httpx.Timeout(None, connect=connect, read=read)
    return httpx.Timeout(_seconds(value))


def mount_emulator(session: requests.Session, emu: Emulator) -> requests.Session:
    """Route every ``http://`` and ``https://`` request of ``session`` to ``emu``,
    with the retry policy of the adapter each prefix had (``max_retries``).

    An adapter mounted for a host (``https://platform.ringcentral.com``) is replaced
    too: ``requests`` picks the longest prefix, which would still reach the network.
    """
    prefixes = {"http://", "https://"} | {
        prefix for prefix in session.adapters if prefix.lower().startswith(("http://", "https://"))
    }
    for prefix in prefixes:
        replaced = session.adapters.get(prefix)
        retries = getattr(replaced, "max_retries", DEFAULT_RETRIES)
        session.mount(prefix, EmulatorAdapter(emu, retries))
    return session
