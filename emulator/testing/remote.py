"""RemoteEmulator: an external emulator (``sms-emulator serve``) driven through its admin API.

It has the methods tests use on an in-process ``Emulator`` or a ``LiveServer``
(``url``, ``reset``, ``advance``, ``now``, ``messages``, ``inbound``,
``load_scenario``, ``requests``...) plus the ``MessageHelpers``, so a test
written against ``sms_emulator_server`` runs unchanged with
``--sms-emulator-url``.

``load_scenario(None)`` restores the server's own scenario (the one it was
started with, or last given without ``?temporary``), not ``happy-path``: the
person who started the server chose it.  Every other scenario is sent as a
temporary one unless ``temporary=False``, so a run killed mid-test leaves the
server's own unchanged.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from ..core import http
from ..core.clock import to_datetime
from ..core.webhooks import WAIT_LIMIT
from ..scenario.loader import holds_no_yaml, is_file, not_utf8, shipped_scenarios
from ..scenario.schema import Scenario
from .helpers import MessageHelpers, SocketClients, may_wait_for_webhooks, warn_if_still_due

__all__ = ["RemoteEmulator", "RemoteEmulatorError", "RemoteEmulatorRefusal"]


#: How the server names a scenario sent in a PUT, in its errors.
_PUT = "PUT /_emulator/scenario"


class RemoteEmulatorError(RuntimeError):
    """The external emulator refused an admin call (or could not be reached)."""

    def __init__(self, message: str, *, status: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.status, self.body = status, body


class RemoteEmulatorRefusal(RemoteEmulatorError, ValueError):
    """A 400: the server refused the arguments (an unknown provider or status, a bad
    scenario...), where an in-process emulator raises ``ValueError``; it is one too, so
    a test expecting that runs unchanged against an external server."""


class RemoteEmulator(SocketClients, MessageHelpers):
    """An emulator running elsewhere, e.g. ``RemoteEmulator("http://127.0.0.1:8787")``."""

    url: str

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self._http = http.client(base_url=self.url, timeout=timeout)
        self._initial_scenario: dict[str, Any] | None = None

    # plumbing
    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, "/_emulator" + path, **kwargs)
        except httpx.HTTPError as exc:
            raise RemoteEmulatorError(
                f"cannot reach the sms-emulator at {self.url}: {exc}"
            ) from exc
        try:
            body = response.json()
        except ValueError:
            body = response.text
        if response.status_code >= 400:
            message = body.get("error") if isinstance(body, dict) else body
            error = RemoteEmulatorRefusal if response.status_code == 400 else RemoteEmulatorError
            raise error(
                f"{method} {self.url}/_emulator{path} → {response.status_code}: {message}",
                status=response.status_code,
                body=body,
            )
        return body

    def _waiting_call(self, path: str, **kwargs: Any) -> tuple[Any, int]:
        """A POST that may make webhooks due, with ``?wait=true`` unless called from a
        coroutine (see ``LiveServer.advance``): its answer, and how many webhooks were
        still due when the server's wait ran out (the caller warns)."""
        if not may_wait_for_webhooks():
            return self._call("POST", path, **kwargs), 0
        timeout = self._http.timeout.read
        timeout = None if timeout is None else timeout + WAIT_LIMIT  # the server waits so long
        answer = self._call("POST", path, params={"wait": "true"}, timeout=timeout, **kwargs)
        return answer, answer.get("webhooks_due", 0)

    def health(self) -> dict[str, Any]:
        """``GET /_emulator/health``; raises RemoteEmulatorError if the server is not there."""
        return self._call("GET", "/health")

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RemoteEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RemoteEmulator({self.url!r})"

    # state
    def reset(self) -> None:
        """Forget messages, journal and counters; the scenario stays."""
        self._call("POST", "/reset")

    def time(self) -> float:
        """The server's clock in epoch seconds."""
        return float(self._call("GET", "/clock")["timestamp"])

    def clock_kind(self) -> str:
        """``"virtual"`` or ``"real"``: the server's ``--clock``."""
        return str(self._call("GET", "/clock")["kind"])

    @property
    def now(self) -> datetime:
        """The server's clock (aware datetime, UTC)."""
        return to_datetime(self.time())

    def advance(
        self, duration: str | float | None = None, *, seconds: float | None = None
    ) -> datetime:
        """Move the server's virtual clock forward (``"30s"``, ``"1h30m"``, ``seconds=30``);
        returns once the webhooks it made due were attempted, as a ``LiveServer``'s."""
        answer, due = self._waiting_call("/clock", json=_clock_body(duration, seconds))
        warn_if_still_due(due)
        return to_datetime(float(answer["timestamp"]))

    async def advance_async(
        self, duration: str | float | None = None, *, seconds: float | None = None
    ) -> datetime:
        """``advance()`` from a coroutine, the event loop running on meanwhile."""
        from starlette.concurrency import run_in_threadpool

        body = _clock_body(duration, seconds)
        answer, due = await run_in_threadpool(lambda: self._waiting_call("/clock", json=body))
        warn_if_still_due(due)  # here: the caller's line, not the thread's
        return to_datetime(float(answer["timestamp"]))

    def messages(
        self, provider: str | None = None, to: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        """Neutral message records, oldest first (``GET /_emulator/messages``)."""
        # The admin API reads an empty parameter as none given; in-process an empty
        # provider or status is unknown, and an empty number matches nothing.
        for name, value in (("provider", provider), ("status", status)):
            if value == "":
                raise RemoteEmulatorRefusal(f"unknown {name} ''")
        if to == "":
            return []
        params = {k: v for k, v in (("provider", provider), ("to", to), ("status", status)) if v}
        return self._call("GET", "/messages", params=params)["messages"]

    def inbound(self, provider: str, sender: str, to: str, text: str) -> dict[str, Any]:
        """Simulate an inbound SMS from ``sender`` to ``to``; returns its record."""
        answer, due = self._inbound(provider, sender, to, text)
        warn_if_still_due(due)
        return answer["message"]

    async def inbound_async(self, provider: str, sender: str, to: str, text: str) -> dict[str, Any]:
        """``inbound()`` from a coroutine, the event loop running on meanwhile."""
        from starlette.concurrency import run_in_threadpool

        answer, due = await run_in_threadpool(self._inbound, provider, sender, to, text)
        warn_if_still_due(due)  # here: the caller's line, not the thread's
        return answer["message"]

    def _inbound(self, provider: str, sender: str, to: str, text: str) -> tuple[Any, int]:
        body = {"provider": provider, "from": sender, "to": to, "text": text}
        # ASCII JSON: a lone surrogate goes as its escape (read as U+FFFD, as in-process)
        content = json.dumps(body).encode("ascii")
        headers = {"Content-Type": "application/json"}
        return self._waiting_call("/inbound", content=content, headers=headers)

    def requests(self, provider: str | None = None, after: int = 0) -> list[dict[str, Any]]:
        """The server's request journal (requests received, responses given), oldest first."""
        params: dict[str, Any] = {"after": after}
        if provider:
            params["provider"] = provider
        return self._call("GET", "/requests", params=params)["requests"]

    def webhook_report(self, *, after: int = 0) -> dict[str, Any]:
        """Pending webhooks and delivery attempts (``GET /_emulator/webhooks``; with
        ``after``, the attempts numbered above it)."""
        return self._call("GET", "/webhooks", params={"after": after})

    def provider_view(self, provider: str, view: str) -> list[dict[str, Any]]:
        """Provider state no provider endpoint shows (``GET
        /_emulator/providers/{provider}/{view}``), oldest first."""
        path = f"/providers/{quote(provider, safe='')}/{quote(view, safe='')}"
        try:
            return self._call("GET", path)["records"]
        except RemoteEmulatorError as exc:
            if exc.status != 404:
                raise
            # no such provider or view: a ValueError in-process
            raise RemoteEmulatorRefusal(str(exc), status=exc.status, body=exc.body) from None

    # scenario
    def scenario(self) -> dict[str, Any]:
        """The active scenario: ``{"name", "description", "seed", "version", "scenario",
        "own"}`` (``own``: the server's own scenario, which temporary ones leave)."""
        return self._call("GET", "/scenario")

    def load_scenario(
        self,
        spec: str | Path | dict[str, Any] | Scenario | None,
        *,
        temporary: bool = True,
    ) -> dict[str, Any]:
        """Activate a scenario on the server (``PUT /_emulator/scenario``).

        ``spec`` is a shipped name, a local file (its text is sent), YAML/JSON
        text, a dict or a ``Scenario``; None restores the server's own scenario.
        Temporary by default (a test's: the server's own stays, see the module
        docstring); ``temporary=False`` makes it the server's own, as a script
        preparing a server for a test run wants.  Returns the scenario state the
        server reports.
        """
        if self._initial_scenario is None:  # what an older server, with no "own", had
            self._initial_scenario = self.scenario()["scenario"]
        if spec is None:
            spec = self.scenario().get("own", self._initial_scenario)
        if isinstance(spec, Scenario):
            spec = spec.source
        source = _PUT
        if isinstance(spec, dict):
            # JSON, as YAML cannot read \ud83d escapes
            content = json.dumps(_dates_as_text(spec), ensure_ascii=False)
            source = ""  # one line the caller never wrote: its errors name the field alone
        elif isinstance(spec, Path) or (
            isinstance(spec, str)
            and "\n" not in spec
            and spec not in shipped_scenarios()
            and (Path(spec).suffix in (".yaml", ".yml", ".json") or is_file(Path(spec)))
        ):  # a local file, as the in-process loader reads it (whatever its name)
            try:
                content = Path(spec).read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:  # worded as in-process
                raise RemoteEmulatorRefusal(str(not_utf8(exc, str(spec)))) from None
            except OSError as exc:  # a ScenarioError in-process too
                raise RemoteEmulatorRefusal(f"cannot read scenario {spec}: {exc}") from None
            source = str(spec)
        else:
            content = str(spec)
        if holds_no_yaml(content):  # an empty file (or only comments) is no rules, as
            content = "{}"  # in-process; the server refuses such a body, as curl -d sends
        try:
            return self._call(
                "PUT",
                "/scenario",
                params={"temporary": "true"} if temporary else None,
                content=content.encode("utf-8"),
                headers={"Content-Type": "application/yaml"},
            )
        except RemoteEmulatorError as exc:
            error = exc.body.get("error") if isinstance(exc.body, dict) else None
            if source == _PUT or not isinstance(error, str) or not error.startswith(_PUT):
                raise
            # The server names the PUT's body (file, line, field): name the local file,
            # or for a dict the field alone, as the in-process loader does.
            where = (
                source + error.removeprefix(_PUT) if source else error.removeprefix(_PUT + ":1: ")
            )
            raise type(exc)(where, status=exc.status, body=exc.body) from None


def _dates_as_text(value: Any) -> Any:
    """``value`` with a YAML file's dates and timestamps (a note's, as a value or a key),
    which JSON has no type for, as ISO 8601 text: what the server reads the YAML as."""
    if isinstance(value, dict):
        return {_dates_as_text(k): _dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_dates_as_text(item) for item in value]
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    return value


def _clock_body(duration: str | float | None, seconds: float | None) -> dict[str, Any]:
    """``POST /_emulator/clock``'s body for ``advance(duration)`` or ``advance(seconds=)``."""
    if (duration is None) == (seconds is None):
        raise TypeError("give a duration or seconds=, not both")
    return {"advance": duration} if duration is not None else {"seconds": seconds}
