"""The Emulator: owns the clock, ids, store, scenario, journal and webhooks. No HTTP here."""

from __future__ import annotations

import dataclasses
import sys
import uuid
import warnings
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeVar

from .core.clock import (
    Clock,
    RealClock,
    VirtualClock,
    make_clock,
    parse_duration,
    to_datetime,
)
from .core.delays import Delays
from .core.ids import IdGenerator
from .core.journal import Journal
from .core.lifecycle import Timing, plan_for, with_error_code
from .core.lone_surrogates import text_read_as_utf8
from .core.models import Batch, Message, Plan, Status
from .core.phone import comparable_digits
from .core.ratelimit import RateDecision, RateLimiter
from .core.store import MemoryStore, MessageQuery, Store
from .core.webhooks import WebhookJob, WebhookQueue
from .scenario.engine import Decision, ScenarioEngine
from .scenario.loader import check_seed, load_scenario
from .scenario.schema import Scenario

if TYPE_CHECKING:
    import httpx
    from starlette.types import ASGIApp

    from .providers.base import Provider

__all__ = ["Emulator", "EmulatorClosed", "iso"]


_ISO_SECONDS: dict[int, str] = {}


#: The neutral status words, in lifecycle order.
_STATUS_WORDS = tuple(s.value for s in Status)


class EmulatorClosed(RuntimeError):
    """A change asked of an emulator ``close()`` has run (its requests get no answer)."""


def iso(timestamp: float) -> str:
    """Emulator time as ISO-8601 UTC with microseconds and a ``Z``."""
    if timestamp < 0:
        return to_datetime(timestamp).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # Formatting the date is most of the cost and changes once a second: keep
    # the recent seconds' text, add the microseconds rounded as datetime does.
    whole = int(timestamp)
    micros = round((timestamp - whole) * 1e6)
    if micros >= 1_000_000:
        whole, micros = whole + 1, micros - 1_000_000
    prefix = _ISO_SECONDS.get(whole)
    if prefix is None:
        if len(_ISO_SECONDS) >= 4096:
            _ISO_SECONDS.clear()
        prefix = _ISO_SECONDS[whole] = to_datetime(whole).strftime("%Y-%m-%dT%H:%M:%S.")
    return f"{prefix}{micros:06d}Z"


class _StoredJobs:
    """Pending webhooks kept in a persistent store, one state entry per job until it is
    done: a restart, even after a crash, sends them still."""

    NAMESPACE = "emulator.webhooks"

    def __init__(self, store: Store) -> None:
        self.store = store

    def holding(self) -> AbstractContextManager[Any]:
        return self.store.transaction()

    def saved(self, jobs: Sequence[WebhookJob]) -> None:
        for job in jobs:
            self.store.put_state(self.NAMESPACE, job.key, job.record())

    def done(self, jobs: Sequence[WebhookJob]) -> None:
        for job in jobs:
            self.store.delete_state(self.NAMESPACE, job.key)

    def kept(self, jobs: Sequence[WebhookJob]) -> list[WebhookJob]:
        return [job for job in jobs if self.store.get_state(self.NAMESPACE, job.key) is not None]

    def pending(self) -> list[dict[str, Any]]:
        return [record for _, record in self.store.state_items(self.NAMESPACE)]


def pending_record(job: WebhookJob) -> dict[str, Any]:
    """A pending webhook as ``webhook_report()`` lists it."""
    return {
        "due": iso(job.due),
        "provider": job.provider,
        "event": job.event,
        "method": job.method,
        "url": job.url,
        "message_id": job.message_id,
        "attempt": job.attempt,
    }


def _stored_forms(to: str | None) -> tuple[str | None, ...]:
    """How a recipient written any way may be stored: ``+`` and its digits, its bare
    digits (a numeric short code), or as written (a sender name)."""
    if to is None:
        return (None,)
    digits = comparable_digits(to)
    forms = dict.fromkeys(("+" + digits, digits, to) if digits else (to,))
    return tuple(forms)


def _seq(message: Message) -> int:
    return message.seq


T = TypeVar("T")

#: The ``Emulator.resets`` a provider request arrived in (set by the app while it is
#: handled): a reset since drops it (``drop_if_arrived_before_reset``), checked before
#: its rate limit, after a fault's delay and, under the store's hold, before its writes.
REQUEST_ARRIVED_IN: ContextVar[int | None] = ContextVar(
    "sms_emulator_request_arrived_in", default=None
)


class _RequestTransaction:
    """``Emulator.transaction()`` for a provider request: the reset check, then the writes."""

    __slots__ = ("emu", "held")

    def __init__(self, emu: Emulator, held: AbstractContextManager[Any]) -> None:
        self.emu, self.held = emu, held

    def __enter__(self) -> None:
        self.held.__enter__()
        try:
            self.emu.drop_if_arrived_before_reset()
        except BaseException:
            self.held.__exit__(*sys.exc_info())
            raise

    def __exit__(self, *exc: Any) -> Any:
        return self.held.__exit__(*exc)


class Emulator:
    """A whole emulator: state plus the ASGI app serving every provider.

    >>> emu = Emulator(scenario="happy-path", clock="virtual", seed=7)
    >>> client = emu.client()          # httpx-compatible, in-process
    >>> emu.advance("30s")
    """

    def __init__(
        self,
        scenario: str | Path | dict[str, Any] | Scenario | None = None,
        *,
        clock: str | Clock = "virtual",
        seed: int | None = None,
        db: str | Path | None = None,
        start: datetime | str | float | None = None,
        allowed_hosts: str | Iterable[str] = (),
    ) -> None:
        self._seed_override = None if seed is None else check_seed(seed)
        #: Names the admin API and the inspector answer at on a loopback address besides
        #: ``localhost`` and IP addresses (``serve --allowed-host``; ``*``: any), lower case.
        names = (allowed_hosts,) if isinstance(allowed_hosts, str) else allowed_hosts
        self.allowed_hosts = frozenset(name.strip().lower().rstrip(".") for name in names)
        #: Which emulator this is (``/_emulator/health`` shows it): two URLs of one server
        #: show the same. Not emulated state, so not drawn from the seed.
        self.instance = uuid.uuid4().hex
        #: ``close()`` ran: requests still arriving get a dropped connection.
        self.closed = False
        if not isinstance(clock, str) and start is not None:
            raise ValueError("start is for a clock the emulator makes: set your clock's time")
        self.clock: Clock = make_clock(clock, start) if isinstance(clock, str) else clock
        self._start = self.clock.time()
        self.store: Store = MemoryStore() if db is None else self._open_sqlite(db)
        try:
            self.journal = Journal()
            #: The journal id a restart goes on after, as last saved (``_persist``).
            self._journal_saved = 0
            #: The ``seq`` of the newest message stored (the journal notes it per request).
            self.newest_seq = 0
            #: How many times ``reset()`` ran (the inspector's fingerprint counts it).
            self.resets = 0
            #: How many scenarios ``load_scenario()`` activated (the inspector's fingerprint too).
            self.scenario_loads = 0
            self.rate_limiter = RateLimiter()
            #: Faults' delays in progress: a reset or ``close()`` ends them (see ``Delays``).
            self.delays = Delays()
            persistent = not isinstance(self.store, MemoryStore)
            self.webhooks = WebhookQueue(
                self.time,
                log=_StoredJobs(self.store) if persistent else None,
                virtual_clock=self.clock.kind == "virtual",
                # A real clock moves without advance(), which sends in sync mode: called
                # in-process (or served by the user's own server), a job due later would
                # wait for ever.
                send_as_time_passes=self.clock.kind != "virtual",
            )
            self.webhooks.wanted = self._webhook_wanted
            self.webhooks.attempted = self._webhook_attempted
            self.ids = IdGenerator(0)
            self._depth = 0  # open transaction() blocks (the store's lock is held)
            self.scenario: Scenario = Scenario()
            self.engine = ScenarioEngine(self.scenario)
            self.load_scenario(scenario)
            self._restore()
        except BaseException:  # a scenario refused...: the store's file is not kept claimed
            if hasattr(self, "webhooks"):
                self.webhooks.close()
            self.store.close()
            raise
        self._app: ASGIApp | None = None

    #: close() closed the store: the webhook queue's hooks write to it no more.
    _store_closed = False

    @staticmethod
    def _open_sqlite(db: str | Path) -> Store:
        from .core.sqlite import SQLiteStore

        return SQLiteStore(db)

    def _restore(self) -> None:
        """Continue ids, the clock (it never goes back) and pending webhooks from a
        persistent store."""
        counters = self.store.get_meta("ids")
        if counters:
            self.ids.restore(counters)
        self._journal_saved = self.store.get_meta("journal", 0)
        self.journal.continue_after(self._journal_saved)
        newest = self.store.query_messages_before(MessageQuery(), before_seq=2**62, limit=1)
        # An earlier run's journal is gone: what it recorded is forgotten.
        self.newest_seq = self.journal.forgotten_seq = newest[-1].seq if newest else 0
        saved_time = self.store.get_meta("clock")
        if saved_time is not None and saved_time > self.clock.time():
            self.clock.set(saved_time)
        stored = _StoredJobs(self.store)
        self.webhooks.restore(stored.pending())
        earlier = self.store.get_meta("webhooks")  # how an earlier version kept them
        if earlier:
            with self.store.transaction():
                stored.saved(self.webhooks.restore(earlier))
                self.store.put_meta("webhooks", [])
        self._upgrade_providers()

    def _webhook_wanted(self, job: WebhookJob) -> bool:
        """Whether ``job`` is still owed, as its provider says (the queue asks when due)."""
        provider = self.providers.get(job.provider)
        check = provider.webhook_wanted if provider is not None else None
        return check is None or check(self, job)

    def _webhook_attempted(self, job: WebhookJob, attempt: dict[str, Any]) -> None:
        """Tell ``job``'s provider of an attempt to send it."""
        provider = self.providers.get(job.provider)
        hook = provider.webhook_attempted if provider is not None else None
        # Not ``closed``: close() lets the attempt in flight finish and be written down
        # (its job done), so the provider must hear of it too, until the store closes.
        if hook is not None and not self._store_closed:
            hook(self, job, attempt)

    def _upgrade_providers(self) -> None:
        """Let each provider bring what an older version stored up to date (and mark
        the store's format, so a store cleared by ``reset()`` is marked again)."""
        for provider in self.providers.values():
            if provider.upgrade_store is not None:
                provider.upgrade_store(self)

    def _persist(self) -> None:
        if not isinstance(self.store, MemoryStore):
            with self.store.transaction():
                self.store.put_meta("ids", self.ids.state())
                self.store.put_meta("clock", self.clock.time())
                # + 1 in a provider request: it is journaled after its writes commit.
                # Never lower than saved before: a request that reserved its id may
                # still be running when a close or the admin clock saves.
                answering = REQUEST_ARRIVED_IN.get() is not None
                saved = max(self._journal_saved, self.journal.last_id + answering)
                self.store.put_meta("journal", saved)
                self._journal_saved = saved

    # time
    def time(self) -> float:
        """Current emulator time in epoch seconds."""
        return self.clock.time()

    @property
    def now(self) -> datetime:
        """Current emulator time (aware datetime, UTC)."""
        return to_datetime(self.clock.time())

    def advance(
        self, duration: str | float | None = None, *, seconds: float | None = None
    ) -> datetime:
        """Move the clock forward (``"30s"``, ``"1h30m"``, ``seconds=30``); deliver due webhooks."""
        self._check_open()
        if duration is None and seconds is None:
            raise TypeError("give a duration ('30s') or seconds=")
        if duration is not None and seconds is not None:
            raise TypeError("give a duration or seconds=, not both")
        amount = parse_duration(duration if duration is not None else seconds)  # type: ignore[arg-type]
        self.clock.advance(amount)
        self._persist()
        with self._warning_if_a_loop_waited():
            self.webhooks.notify()
        return self.now

    @contextmanager
    def _warning_if_a_loop_waited(self) -> Iterator[None]:
        """Warn when a webhook sent inside timed out while a coroutine's loop waited on it
        (after the queue has recorded it: a warning turned error must not lose a job)."""
        queue = self.webhooks
        queue.timed_out_in_a_coroutine = None
        yield
        url = queue.timed_out_in_a_coroutine
        if url is not None:
            queue.timed_out_in_a_coroutine = None
            warnings.warn(
                f"a webhook to {url} timed out while it was sent from a coroutine, whose event"
                " loop waits meanwhile: a receiver that loop serves cannot answer. From a"
                " coroutine, call `await emu.advance_async(...)` or `inbound_async(...)`.",
                RuntimeWarning,
                stacklevel=4,  # this generator, contextlib, advance(): its caller
            )

    async def advance_async(
        self, duration: str | float | None = None, *, seconds: float | None = None
    ) -> datetime:
        """``advance()`` for a coroutine (pytest-asyncio, anyio): due webhooks go out
        from a worker thread while the event loop runs on, so a receiver it serves can
        answer; returns once they are sent."""
        return await self._webhooks_off_the_loop(self.advance, duration, seconds=seconds)

    async def _webhooks_off_the_loop(self, call: Callable[..., T], *args: Any, **kw: Any) -> T:
        """``call``, its due webhooks then sent from a worker thread (anyio's: asyncio or
        trio), not the event loop this coroutine runs on."""
        from starlette.concurrency import run_in_threadpool

        with self.webhooks.deferred() as deferral:
            result = call(*args, **kw)
        await run_in_threadpool(deferral.send)
        return result

    # scenario
    @property
    def seed(self) -> int:
        return self.scenario.seed

    @property
    def timing(self) -> Timing:
        return self.scenario.timing

    def load_scenario(
        self, spec: str | Path | dict[str, Any] | Scenario | None, *, temporary: bool = False
    ) -> Scenario:
        """Validate and activate a scenario; an invalid one leaves the current one active.

        It also becomes the emulator's own scenario (``own_scenario``), unless
        ``temporary``: one test's, which a test run that was killed may leave
        active, and the next run must not take for the server's own.
        """
        self._check_open()
        scenario = load_scenario(spec)
        if self._seed_override is not None:
            scenario = dataclasses.replace(scenario, seed=self._seed_override)
        self.scenario = scenario
        self.scenario_loads += 1
        if not temporary:
            self.own_scenario = scenario
        self.engine = ScenarioEngine(scenario)
        self.rate_limiter.reset()  # its limits may have changed; counts restart as faults' do
        self.ids.seed = scenario.seed
        self.webhooks.retry_delays = scenario.webhooks.retries
        with self.store.transaction():  # one commit on SQLite, however much is forgotten
            for provider in self.providers.values():
                if provider.scenario_loaded is not None:
                    provider.scenario_loaded(self)
        return scenario

    def reset(self) -> None:
        """Forget messages, batches, provider state, journal, webhooks and counters.

        The scenario stays; a virtual clock goes back to where it started, and a
        real clock drops what ``advance()`` added (it is the wall clock again), so
        one test's skip ahead does not carry into the next.
        A request served meanwhile (another thread) falls wholly before or
        after: its ids are drawn and its writes made in one ``transaction()``.
        One that arrived before and has not written yet (a fault's delay, its
        body still coming, or only its checks made) is dropped unprocessed and
        unjournaled, its connection closed: it belongs to the state that is gone.
        """
        self._check_open()
        with self.store.atomic():
            self.webhooks.clear()  # under the store's hold, as the queue writes to the store
            self.store.clear()
            self.journal.clear()
            self._journal_saved = 0
            self.newest_seq = 0
            self.resets += 1
            self.engine.reset()
            self.rate_limiter.reset()
            self.ids.reset()
            if isinstance(self.clock, VirtualClock):
                self.clock = VirtualClock(self._start)  # the webhook queue reads it via time()
            elif isinstance(self.clock, RealClock):
                self.clock.reset()
            self._upgrade_providers()
        # Requests delayed before this belong to the state just gone (not those that
        # arrived since: the next test's).
        self.delays.interrupt(stale_only=True)

    # used by providers
    def decide(
        self, provider: str, endpoint: str | None, to: str, sender: str | None, text: str
    ) -> Decision:
        """The scenario's neutral outcome for one outbound message."""
        return self.engine.decide(provider, endpoint, to, sender, text)

    def rate_limit(
        self, provider: str, group: str | None = None, caller: Hashable = ""
    ) -> RateDecision | None:
        """Take a token from the scenario's bucket for ``provider.group``, else ``provider``.

        Groups are counted separately: a plain ``provider`` limit gives each
        group of that provider without a limit of its own a bucket of that
        size.  None when no limit applies.
        """
        limits = self.scenario.rate_limits
        limit = limits.get(f"{provider}.{group}") if group else None
        if limit is None:
            limit = limits.get(provider)
        if limit is None:
            return None
        penalty = getattr(limit, "penalty", None)
        if penalty is None and provider in self.providers:
            penalty = self.providers[provider].rate_limit_penalty
        return self.rate_limiter.take(
            (provider, group or "", caller), self.time(), limit.requests, limit.per, penalty
        )

    def plan(self, outcome: str | Decision, error_code: str | None = None) -> Plan:
        """The timeline for ``outcome`` under the scenario's timing.

        An outcome from ``decide()`` may carry the message's own plan (a status
        sequence, or seeded jitter); that plan is used, with ``error_code``.
        """
        if isinstance(outcome, Decision):
            error_code = error_code or outcome.error_code
            outcome = outcome.outcome
        carried = getattr(outcome, "plan", None)
        if carried is not None:
            return with_error_code(carried, error_code)
        return plan_for(outcome, self.timing, error_code)

    def transaction(self) -> AbstractContextManager[Any]:
        """Writes made inside are saved together with the ids and clock they used.

        With ``--db`` that is one commit, or nothing if the block raises: a
        crash mid-request can neither keep a message without its charge or
        lease, nor lose the id counters and hand the same ids out again
        after a restart.  Nested blocks are part of the outermost one.  In
        memory it only holds the store (no other thread's write in between).
        """
        held = self.store.transaction() if isinstance(self.store, MemoryStore) else None
        arrived = REQUEST_ARRIVED_IN.get()
        if arrived is None:  # not a provider request's (a test's own call, an admin call)
            return held if held is not None else self._saved_together()
        return _RequestTransaction(self, held if held is not None else self._saved_together())

    def arrived_before_reset(self) -> bool:
        """Whether the provider request being handled here (``REQUEST_ARRIVED_IN``)
        arrived before the latest reset; False outside one."""
        arrived = REQUEST_ARRIVED_IN.get()
        return arrived is not None and arrived != self.resets

    def arrival_check(self) -> Callable[[], bool]:
        """``arrived_before_reset`` of the provider request being handled here, to be
        asked later from any thread (a reset's ``delays.interrupt`` asks it)."""
        arrived = REQUEST_ARRIVED_IN.get()
        return lambda: arrived is not None and arrived != self.resets

    def drop_if_arrived_before_reset(self) -> None:
        """A request that arrived before the latest reset belongs to the state that is
        gone: its connection is dropped, unanswered.  (In a transaction, the check is
        atomic with ``reset()``.)"""
        if self.arrived_before_reset():
            from .providers.base import DropConnection

            raise DropConnection()

    @contextmanager
    def _saved_together(self) -> Iterator[None]:
        with self.store.transaction():
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            if not self._depth:
                self._persist()

    def add_messages(self, messages: Sequence[Message]) -> None:
        with self.transaction():  # with the ids that made them (see transaction())
            self.store.add_messages(messages)
            if messages:
                self.newest_seq = max(self.newest_seq, messages[-1].seq)

    def add_batch(self, batch: Batch, messages: Sequence[Message] = ()) -> None:
        with self.transaction():
            self.store.add_batch(batch, messages)
            if messages:
                self.newest_seq = max(self.newest_seq, messages[-1].seq)

    # inspection
    @property
    def providers(self) -> dict[str, Provider]:
        from .providers import PROVIDERS

        return {p.name: p for p in PROVIDERS}

    def provider(self, name: str) -> Provider:
        """The provider called ``name``; an unknown one is a ``ValueError`` listing
        the known ones (a typo must not read as "nothing was sent")."""
        found = self.providers.get(name)
        if found is None:
            raise ValueError(f"unknown provider {name!r} (known: {', '.join(self.providers)})")
        return found

    def provider_view(self, provider: str, view: str) -> list[dict[str, Any]]:
        """Provider state no provider endpoint shows, as ``GET
        /_emulator/providers/{provider}/{view}`` gives it (Fone Dynamics: ``emails``,
        the forwarded replies; ``leases``, the active leases); oldest first.  An
        unknown provider or view is a ``ValueError`` listing the known ones."""
        views = dict(self.provider(provider).views)
        read = views.get(view)
        if read is None:
            known = ", ".join(views) or "none"
            raise ValueError(f"{provider} has no view {view!r} (known: {known})")
        return read(self)

    def record(self, message: Message, now: float | None = None) -> dict[str, Any]:
        """A message as a neutral record (the admin API's shape)."""
        now = self.time() if now is None else now
        provider = self.providers.get(message.provider)
        status = message.status_at(now)
        return {
            "id": message.id,
            "provider": message.provider,
            "tenant": message.tenant,
            "batch_id": message.batch_id,
            "direction": str(message.direction),
            "from": message.sender,
            "to": message.to,
            "text": message.text,
            "segments": message.segments,
            "encoding": message.encoding,
            "status": str(status),
            "provider_status": provider.status_name(message, now) if provider else str(status),
            "error_code": provider.error_code(message, now)
            if provider
            else message.error_code_at(now),
            "created_at": iso(message.created_at),
            "updated_at": iso(message.changed_at(now)),
        }

    def messages(
        self, provider: str | None = None, to: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        """Neutral records of stored messages, oldest first, optionally filtered.

        ``to`` is compared by its digits, as ``sent_messages`` does
        (``14155550100`` finds ``+14155550100``, Kenyan ``0712345678`` finds
        ``+254712345678``); a sender name without digits as written.  An unknown
        ``provider`` or ``status`` (the neutral words: ``delivered``, not a
        provider's ``Delivered``) is a ``ValueError`` listing the known ones: a
        typo must not read as "nothing was sent".
        """
        if status is not None and status not in _STATUS_WORDS:
            raise ValueError(f"unknown status {status!r} (valid: {', '.join(_STATUS_WORDS)})")
        if provider is not None:
            self.provider(provider)
        now = self.time()
        found: list[Message] = []
        if isinstance(to, str):
            to = text_read_as_utf8(to)  # as stored: no store can hold a lone surrogate
        for form in _stored_forms(to):
            found += self.store.query_messages(MessageQuery(provider=provider, to=form))
        if to is not None:
            found.sort(key=_seq)
        records = (self.record(m, now) for m in found)
        return [r for r in records if status is None or r["status"] == status]

    def requests(self, provider: str | None = None, after: int = 0) -> list[dict[str, Any]]:
        """The request journal (requests received, responses given), oldest first.

        An unknown ``provider`` is a ``ValueError`` listing the known ones.
        """
        if provider is not None:
            self.provider(provider)
        return self.journal.entries(provider=provider, after_id=after)

    def webhook_report(self, *, after: int = 0) -> dict[str, list[dict[str, Any]]]:
        """Pending webhooks (soonest first) and the delivery attempts kept (the newest
        10,000, oldest first; with ``after``, those numbered above it), as ``GET
        /_emulator/webhooks`` gives them."""
        pending = [pending_record(job) for job in self.webhooks.pending()]
        return {"pending": pending, "attempts": self.webhook_attempts(after=after)}

    def webhook_attempts(self, *, after: int = 0) -> list[dict[str, Any]]:
        """``webhook_report()``'s ``attempts``."""
        return [
            dict(a, time=iso(a["time"]))
            for a in self.webhooks.attempts_kept()
            if a["number"] > after
        ]

    def inbound(self, provider: str, sender: str, to: str, text: str) -> dict[str, Any]:
        """Simulate an inbound SMS (a reply) from ``sender`` to ``to`` through ``provider``."""
        self._check_open()
        # Refused as ``POST /_emulator/inbound`` (so a RemoteEmulator) refuses them, with
        # the same words, before any provider code trips over a None or a number.
        fields = (("provider", provider), ("from", sender), ("to", to), ("text", text))
        wrong = [name for name, value in fields if not isinstance(value, str)]
        if wrong:
            raise ValueError(f"missing or non-string fields: {', '.join(wrong)}")
        plugin = self.provider(provider)
        if plugin.inbound is None:
            raise ValueError(f"provider {provider!r} does not take inbound messages")
        # as a provider reads them from any HTTP body (a lone surrogate is no text at all)
        sender, to, text = (text_read_as_utf8(v) for v in (sender, to, text))
        # The reply and what it changed (a forwarded email...) are saved together; its
        # webhook goes out after, outside the store's lock (the receiver may call back).
        # A reply that fails to be saved gives back what its forwarded copy drew.
        with (
            self._warning_if_a_loop_waited(),
            self.webhooks.held(),
            self.transaction(),
            self.engine.tentative(),
        ):
            message = plugin.inbound(self, sender, to, text)
        return self.record(message)  # the hold's end sent its webhook (the clock stood)

    async def inbound_async(self, provider: str, sender: str, to: str, text: str) -> dict[str, Any]:
        """``inbound()`` for a coroutine: its webhook goes out as ``advance_async()``'s do."""
        return await self._webhooks_off_the_loop(self.inbound, provider, sender, to, text)

    # HTTP
    @property
    def app(self) -> ASGIApp:
        """The Starlette ASGI app serving every provider and ``/_emulator``."""
        if self._app is None:
            from .app import build_app

            self._app = build_app(self)
        return self._app

    def client(self, base_url: str = "http://sms-emulator.test", **kwargs: Any) -> httpx.Client:
        """An ``httpx.Client`` that calls the app in-process (no sockets)."""
        import httpx

        from ._transport import InProcessTransport

        return httpx.Client(transport=InProcessTransport(self.app), base_url=base_url, **kwargs)

    def async_client(
        self, base_url: str = "http://sms-emulator.test", **kwargs: Any
    ) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` that calls the app in-process (no sockets), as
        ``client()`` does; usable under asyncio and trio."""
        import httpx

        from ._transport import AsyncInProcessTransport

        return httpx.AsyncClient(
            transport=AsyncInProcessTransport(self.app), base_url=base_url, **kwargs
        )

    def _check_open(self) -> None:
        """Refuse a change to a closed emulator (its store is closed, or would keep what
        no server serves any more) before anything changes."""
        if self.closed:
            raise EmulatorClosed("this emulator is closed (close() ran): make a new Emulator")

    def close(self) -> None:
        """Stop webhooks and close the store (calling it again does nothing)."""
        if self.closed:
            return
        self.closed = True
        self.delays.stop()
        try:
            self.webhooks.close()  # pending ones are in the store until sent (see _StoredJobs)
            self._persist()  # ids drawn without storing a message (tokens...) must not repeat
        finally:
            self._store_closed = True
            self.store.close()  # even when the last save failed: the file is free again

    def __enter__(self) -> Self:
        """``with Emulator(...) as emu:`` closes it at the end, as ``LiveServer`` stops."""
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
