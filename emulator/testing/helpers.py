"""Helpers a client test needs most, shared by every emulator flavour.

``MessageHelpers`` is mixed into the in-process fixture's emulator, the live
server and ``RemoteEmulator``; it only needs ``messages()``.  So the same test
code reads sent messages, waits for one, or pulls the last one-time code
whichever way the emulator runs.

Choices (the provider notes say nothing; these are what a test writer expects):

- Numbers are compared by their digits, so ``"+14155550100"`` finds a message
  sent to ``"14155550100"``.  Kenyan local forms (``0712345678``) are matched
  with their ``254`` form too.
- A code is a run of 4–8 digits not touching other digits; the *first* such run
  of the *newest* outbound message to the number that has one (``"Your code is
  482913, valid 10 min"`` → ``"482913"``).
- "Sent" means the provider took it: a message it refused at submit (status
  ``rejected``: a bad number, no credit, an opted-out recipient) is left out unless
  asked for with ``status="rejected"``, so ``last_code`` fails when no SMS went out.
- Waiting polls in real time with a deadline (for live servers, where the
  client under test may send from another thread or process); with nothing to
  wait for it returns on the first poll.
"""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ..core import http
from ..core.phone import same_number
from ..core.webhooks import WAIT_LIMIT, in_a_coroutine
from ..emulator import Emulator

__all__ = [
    "CODE_PATTERN",
    "InProcessEmulator",
    "MessageHelpers",
    "extract_code",
    "same_number",
]

#: A one-time code: 4–8 digits with no digit right before or after.
CODE_PATTERN = re.compile(r"(?<!\d)\d{4,8}(?!\d)")

_T = TypeVar("_T")


def extract_code(text: str) -> str | None:
    """The first 4–8 digit run in ``text`` (a one-time code), or None."""
    found = CODE_PATTERN.search(text or "")
    return found.group(0) if found else None


def _describe(records: list[dict[str, Any]], to: str | None = None) -> str:
    """The newest outbound records, those to ``to`` (a refusal, say) listed first."""
    if not records:
        return "no outbound messages at all"
    mine: list[dict[str, Any]] = []
    others: list[dict[str, Any]] = []
    for record in records:
        (mine if to is not None and same_number(record.get("to"), to) else others).append(record)
    if not mine:
        return f"{len(records)} outbound message(s):\n{_lines(records)}"
    text = f"{len(records)} outbound message(s), {len(mine)} to {to!r}:\n{_lines(mine)}"
    if others:
        text += f"\nand to other numbers:\n{_lines(others)}"
    return text


def _lines(records: list[dict[str, Any]]) -> str:
    lines = [
        f"  to {r.get('to')!r} via {r.get('provider')} ({r.get('status')}): {r.get('text')!r}"
        for r in records
    ]
    more = f"  ... and {len(lines) - 10} earlier\n" if len(lines) > 10 else ""
    return more + "\n".join(lines[-10:])


class MessageHelpers:
    """Reading what a client sent, on anything with ``messages(provider=, to=, status=)``."""

    if TYPE_CHECKING:  # supplied by the class this is mixed into (declared only, so a
        # LiveServer's attribute fall-through to its emulator still finds it)

        def messages(
            self, provider: str | None = None, to: str | None = None, status: str | None = None
        ) -> list[dict[str, Any]]: ...

    def sent_messages(
        self,
        to: str | None = None,
        *,
        provider: str | None = None,
        status: str | None = None,
        contains: str | None = None,
        match: str | re.Pattern[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Outbound messages (neutral records) the provider took, oldest first, filtered.

        ``to`` is compared by digits; ``contains`` is a substring of the text;
        ``match`` a regular expression searched in the text.  Messages refused at
        submit are left out, unless ``status="rejected"`` asks for them.
        """
        pattern = re.compile(match) if isinstance(match, str) else match
        found = []
        for record in self._outbound(provider, status):
            if status is None and record.get("status") == "rejected":
                continue
            if to is not None and not same_number(record.get("to"), to):
                continue
            text = record.get("text") or ""
            if contains is not None and contains not in text:
                continue
            if pattern is not None and not pattern.search(text):
                continue
            found.append(record)
        return found

    def _outbound(self, provider: str | None, status: str | None = None) -> list[dict[str, Any]]:
        """Every outbound record, refused ones too (what a failure message lists, so a
        refusal shows why nothing was sent; ``sent_messages`` filters them)."""
        return [
            record
            for record in self.messages(provider=provider, status=status)
            if record.get("direction", "outbound") == "outbound"
        ]

    def _what_was_sent(self, to: str | None, provider: str | None) -> str:
        """For a failure message: what went out (through other providers too, if the one
        asked for sent nothing)."""
        sent = self._outbound(provider)
        if provider is not None and not sent:
            elsewhere = self._outbound(None)
            if elsewhere:
                return f"none through {provider}; {_describe(elsewhere, to)}"
        return _describe(sent, to)

    def last_message(self, to: str, *, provider: str | None = None) -> dict[str, Any]:
        """The newest outbound message to ``to``; AssertionError if there is none."""
        found = self.sent_messages(to, provider=provider)
        if not found:
            raise AssertionError(
                f"no message was sent to {to!r}; {self._what_was_sent(to, provider)}"
            )
        return found[-1]

    def wait_for_message(
        self,
        to: str | None = None,
        *,
        provider: str | None = None,
        status: str | None = None,
        contains: str | None = None,
        match: str | re.Pattern[str] | None = None,
        count: int = 1,
        timeout: float = 5.0,
        interval: float = 0.02,
    ) -> dict[str, Any]:
        """Poll until at least ``count`` matching outbound messages exist; return the newest.

        Gives up after ``timeout`` real seconds with an AssertionError listing
        what was sent.  ``status`` waits for a neutral status (``delivered``...):
        on a virtual clock nothing changes by waiting, so advance the clock first.
        """
        if count < 1:
            raise ValueError("count must be at least 1")

        def look() -> list[dict[str, Any]]:
            return self.sent_messages(
                to, provider=provider, status=status, contains=contains, match=match
            )

        found = _poll(look, lambda f: len(f) >= count, timeout, interval)
        if len(found) < count:
            wanted = ", ".join(
                f"{k}={v!r}"
                for k, v in (
                    ("to", to),
                    ("provider", provider),
                    ("status", status),
                    ("contains", contains),
                    ("match", match),
                )
                if v is not None
            )
            hint = ""
            if status is not None and self.sent_messages(to, provider=provider):
                hint = " (statuses move with the emulator's clock: on a virtual one, advance() it)"
            raise AssertionError(
                f"waited {timeout}s for {count} message(s) ({wanted or 'any'}), found "
                f"{len(found)}{hint}; {self._what_was_sent(to, provider)}"
            )
        return found[-1]

    def last_code(self, to: str, *, provider: str | None = None, timeout: float = 0.0) -> str:
        """The one-time code (4–8 digits) in the newest message to ``to`` that has one.

        With ``timeout`` > 0, waits that long (real time) for such a message.
        """

        def look() -> str | None:
            for record in reversed(self.sent_messages(to, provider=provider)):
                code = extract_code(record.get("text") or "")
                if code is not None:
                    return code
            return None

        code = _poll(look, lambda c: c is not None, timeout, 0.02)
        if code is None:
            raise AssertionError(
                f"no message with a 4-8 digit code was sent to {to!r}; "
                f"{self._what_was_sent(to, provider)}"
            )
        return code


class SocketClients:
    """``client()`` for a server reached over a socket, each one closed after its test.

    The server fixture calls ``_track_clients()`` before a test and
    ``_close_clients()`` after it, so a client a test left open is closed then,
    not garbage-collected with an open socket (a ``ResourceWarning``, an error
    under ``-W error``).  Clients made outside a test (a session fixture's) are
    left to their maker.
    """

    if TYPE_CHECKING:  # supplied by the class this is mixed into (a LiveServer's property)

        @property
        def url(self) -> str: ...

    def client(self, **kwargs: Any) -> httpx.Client:
        """An ``httpx.Client`` with ``url`` as base URL: requests go over the real socket."""
        client = http.client(base_url=self.url, **kwargs)
        tracked = self.__dict__.get("_tracked_clients")
        if tracked is not None:
            tracked.append(client)
        return client

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` with ``url`` as base URL, over the real socket.

        Not closed for you (that needs the event loop it ran on): use
        ``async with``, or ``await client.aclose()``.
        """
        return http.async_client(base_url=self.url, **kwargs)

    def _track_clients(self) -> None:
        self.__dict__["_tracked_clients"] = []

    def _close_clients(self) -> None:
        for client in self.__dict__.pop("_tracked_clients", None) or ():
            client.close()


class InProcessEmulator(MessageHelpers, Emulator):
    """The ``sms_emulator`` fixture's emulator: an ``Emulator`` plus the helpers."""


def may_wait_for_webhooks() -> bool:
    """Whether a live or remote server's ``advance()``/``inbound()`` waits for the webhooks
    it made due: not from a coroutine, whose event loop may serve the receiver."""
    return not in_a_coroutine()


def warn_if_still_due(due: int) -> None:
    """Warn when such a wait ended with webhooks still due: it ran out (``WAIT_LIMIT``),
    or the server stopped meanwhile."""
    if due:
        warnings.warn(
            f"{due} webhook(s) still due when the wait for them ended (after {WAIT_LIMIT:g} s,"
            " or the server stopped): a receiver that does not answer holds each attempt for"
            " its timeout (see webhook_report() for the attempts)",
            RuntimeWarning,
            stacklevel=3,  # this, advance() or inbound() (or its _async): their caller
        )


def _poll(
    look: Callable[[], _T], done: Callable[[_T], bool], timeout: float, interval: float
) -> _T:
    deadline = time.monotonic() + timeout
    while True:
        result = look()
        if done(result) or time.monotonic() >= deadline:
            return result
        time.sleep(interval)  # real-time ok: waiting on another thread or process
