"""``sms-emulator``: serve, check-scenario, scenarios."""

from __future__ import annotations

import argparse
import gc
import ipaddress
import os
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from ._version import __version__

if TYPE_CHECKING:
    from .emulator import Emulator
    from .providers.base import Provider

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sms-emulator", description="Local emulator of SMS provider APIs.")
    parser.add_argument("--version", action="version", version=f"sms-emulator {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    serve = commands.add_parser("serve", help="run the standalone server")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to listen on; localhost: both 127.0.0.1 and ::1 (default: 127.0.0.1)",
    )
    serve.add_argument(
        "--port", type=int, default=8787, help="TCP port (default: 8787; 0: any free)"
    )
    serve.add_argument(
        "--scenario", default=None, help="shipped scenario name or file (default: happy-path)"
    )
    serve.add_argument("--db", default=None, help="SQLite file (default: in memory)")
    serve.add_argument(
        "--clock",
        choices=("real", "virtual"),
        default="real",
        help="real: time passes; virtual: starts at --start and moves only when"
        " told (POST /_emulator/clock; a reset puts it back) (default: real)",
    )
    serve.add_argument(
        "--start",
        type=_start,
        default=None,
        help="where a virtual clock starts, and where a reset puts it back: an ISO 8601"
        " time (2026-11-26T09:00:00Z), epoch seconds, or 'now' (the wall clock at start-up)"
        " (default: 2026-01-01T00:00:00Z)",
    )
    serve.add_argument(
        "--seed",
        type=_seed,
        default=None,
        help="seed for ids and outcomes (default: the scenario's, else 0)",
    )
    serve.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a name the admin API and inspector also answer at on a loopback address"
        " (a local reverse proxy's, an /etc/hosts alias), repeatable; '*': any. Otherwise"
        " only localhost, *.localhost and IP addresses: a web page that had its own name"
        " point at 127.0.0.1 (DNS rebinding) is refused (default: none)",
    )
    serve.add_argument(
        "--ssl-certfile",
        default=None,
        metavar="FILE",
        help="serve HTTPS with this PEM certificate (chain), for a client whose provider"
        " host is fixed in its code (default: plain HTTP)",
    )
    serve.add_argument(
        "--ssl-keyfile",
        default=None,
        metavar="FILE",
        help="the certificate's PEM private key (default: in --ssl-certfile)",
    )

    check = commands.add_parser("check-scenario", help="validate scenario files")
    check.add_argument("files", nargs="+", metavar="FILE")

    listing = commands.add_parser("scenarios", help="list shipped scenarios")
    listing.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help="print these shipped scenarios' YAML instead, to copy and change",
    )
    return parser


def _seed(text: str) -> int:
    """``--seed``: refused as a scenario's ``seed`` would be."""
    from .scenario.loader import ScenarioError, check_seed

    try:
        return check_seed(int(text))
    except ScenarioError as exc:
        raise argparse.ArgumentTypeError(exc.reason) from None
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, not {text!r}") from None


def _start(text: str) -> float:
    """``--start``: a moment a virtual clock can hold, as ``Emulator(start=...)`` takes it."""
    from .core.clock import VirtualClock

    try:
        return VirtualClock(text).time()  # "now" read, or refused, as the clock does
    except (ValueError, OverflowError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _fail(message: str) -> int:
    print(f"sms-emulator: error: {message}", file=sys.stderr)
    return 2


def _serve(args: argparse.Namespace) -> int:
    import sqlite3

    import uvicorn

    from .core.file_claim import FileInUse
    from .core.sqlite import SchemaVersionError
    from .emulator import Emulator
    from .providers import PROVIDERS
    from .scenario.loader import ScenarioError
    from .serving import uvicorn_config
    from .testing.server import bind_sockets

    if not 0 <= args.port <= 65535:
        return _fail(f"--port {args.port} is not a TCP port")
    if args.start is not None and args.clock != "virtual":
        return _fail("--start needs --clock virtual (a real clock is the wall clock)")
    if not args.host.strip():  # `--host "$UNSET"`: the system would take it as every interface
        return _fail("--host is empty (give 0.0.0.0 or :: to listen on every interface)")
    if args.ssl_keyfile is not None and args.ssl_certfile is None:
        return _fail("--ssl-keyfile needs --ssl-certfile")
    if args.ssl_certfile is not None and (problem := _tls_problem(args)):
        return _fail(problem)
    # From here a SIGTERM or Ctrl-C is a normal exit, the store closed either way:
    # before the server exists, at once; after, by telling it to stop, whenever the
    # signal lands (while it serves, uvicorn's own handlers do the same). A
    # KeyboardInterrupt, or asyncio's own Ctrl-C handler, could land in uvicorn's
    # start-up and leave it serving for ever.
    # SIGHUP too (a closed terminal or SSH session, `timeout -s HUP`): its default
    # would end the process at once, cutting open requests and a webhook in flight.
    stopping = [signal.SIGINT, signal.SIGTERM]
    if hasattr(signal, "SIGHUP"):  # not on Windows
        stopping.append(signal.SIGHUP)
    handlers = {signum: signal.getsignal(signum) for signum in stopping}
    servers: list[uvicorn.Server] = []

    def stop(signum: int, frame: object) -> None:
        if not servers:
            sys.exit(0)
        servers[0].should_exit = True

    for signum in stopping:
        signal.signal(signum, stop)
    emu: Emulator | None = None
    sockets: list[Any] = []
    served = False
    unsaved: Exception | None = None  # the final save's failure (a full disk...)
    try:
        try:
            emu = Emulator(
                scenario=args.scenario,
                clock=args.clock,
                seed=args.seed,
                db=args.db,
                start=args.start,
                allowed_hosts=args.allowed_host,
            )
        except ScenarioError as exc:
            return _fail(f"--scenario: {exc}")
        except (SchemaVersionError, FileInUse) as exc:  # its message starts with the path
            return _fail(f"--db {exc}")
        except (sqlite3.Error, OSError) as exc:
            return _fail(f"--db {args.db}: cannot open SQLite database ({exc})")
        try:
            sockets = bind_sockets(args.host, args.port)
        except OSError as exc:
            return _fail(f"cannot listen on {args.host}:{args.port} ({exc.strerror or exc})")
        config = uvicorn_config(
            emu.app, ssl_certfile=args.ssl_certfile, ssl_keyfile=args.ssl_keyfile
        )
        server = _server_stopping_webhooks_first(config, emu)
        servers.append(server)
        emu.webhooks.start()
        # Everything built so far (modules, the app) lives as long as the process:
        # moved out of the collector's way, it is not revisited on every full pass.
        gc.collect()
        gc.freeze()
        # Ready: the socket listens, so the banner's URL answers as soon as it is read.
        try:
            url = _url(sockets, args.host, "https" if args.ssl_certfile else "http")
            print(_banner(url, emu, args.db, PROVIDERS), flush=True)
        except BrokenPipeError:
            raise  # no one reads on (`serve | true`): stopped quietly, see main
        except OSError as exc:  # `> /dev/full`: a script waiting for the banner never sees it
            _discard_stdout()
            return _fail(f"cannot write to standard output ({exc.strerror or exc})")
        if any(_listens_everywhere(sock) for sock in sockets):
            print(
                f"sms-emulator: warning: listening on every interface ({args.host}): anyone"
                " who can reach this machine can use the admin API (reset, scenario, clock),"
                " which has no authentication",
                file=sys.stderr,
                flush=True,
            )
        served = True
        server.run(sockets=sockets)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if emu is not None:
            # A second Ctrl-C or SIGTERM must not cut the final save short (it waits at
            # most for a webhook in flight).
            for signum in stopping:
                signal.signal(signum, signal.SIG_IGN)
            try:
                emu.close()  # the store is closed (and the file free) even when this fails
            except (sqlite3.Error, OSError) as exc:
                unsaved = exc
                # Said here, where an earlier failure's return (cannot listen...) passes too.
                # Each answered request's writes were committed before its answer: what
                # is left unsaved is counters of ids that nothing stored (the journal's).
                print(
                    f"sms-emulator: error: --db {args.db}: the final save on stopping failed"
                    f" ({exc}); what was answered before is stored",
                    file=sys.stderr,
                    flush=True,
                )
        for signum, handler in handlers.items():  # as they were: an in-process caller goes on
            signal.signal(signum, handler)
        for sock in sockets:  # not served from (no banner shown...): not left to the GC
            sock.close()
    if unsaved is not None:
        return 1
    if served:
        print("sms-emulator stopped", flush=True)
    return 0


def _server_stopping_webhooks_first(config: Any, emu: Emulator) -> Any:
    """A ``uvicorn.Server`` whose shutdown stops the emulator's webhook worker as it starts,
    as ``LiveServer.stop`` does: an admin call waiting for webhooks (``?wait=true``) is
    then answered, not held until ``GRACEFUL_SHUTDOWN`` runs out and cut with a 500."""
    import asyncio

    import uvicorn

    class Server(uvicorn.Server):
        async def shutdown(self, sockets: Any = None) -> None:
            # its delivery in flight is finished first (a thread: it may take a while)
            stopping = asyncio.ensure_future(asyncio.to_thread(emu.webhooks.stop))
            try:
                await super().shutdown(sockets=sockets)
            finally:
                await stopping

    return Server(config)


def _listens_everywhere(sock: Any) -> bool:
    return ipaddress.ip_address(sock.getsockname()[0].split("%")[0]).is_unspecified


def _tls_problem(args: argparse.Namespace) -> str | None:
    """Why ``--ssl-certfile``/``--ssl-keyfile`` cannot serve HTTPS, or None: said before
    anything starts, not as a traceback once the server does."""
    import ssl

    for flag, path in (("--ssl-certfile", args.ssl_certfile), ("--ssl-keyfile", args.ssl_keyfile)):
        try:
            if path is not None:
                open(path, "rb").close()
        except OSError as exc:
            return f"{flag} {path}: {exc.strerror or exc}"
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(
            args.ssl_certfile,
            args.ssl_keyfile,
            password="",  # never a terminal prompt
        )
    except ssl.SSLError as exc:
        return (
            f"--ssl-certfile {args.ssl_certfile}: cannot load the certificate and its key"
            f" ({exc.reason or exc}); both must be PEM, the key unencrypted"
        )
    return None


def _url(sockets: Sequence[Any], host: str, scheme: str = "http") -> str:
    """The server's base URL: ``localhost`` if asked for (it listens on both loopback
    addresses), else the address it is bound to."""
    from .testing.server import base_url

    address, port = sockets[0].getsockname()[:2]
    return base_url(host if host.lower() == "localhost" else address, port, scheme)


def _banner(url: str, emu: Emulator, db: str | None, providers: Sequence[Provider]) -> str:
    lines = [
        f"sms-emulator {__version__} listening on {url}",
        f"  scenario: {emu.scenario.name} (seed {emu.seed}), clock: {emu.clock.kind}, "
        f"store: {db or 'memory'}",
    ]
    for provider in providers:
        lines.append(f"  {provider.title}:")
        lines += [f"    {url}{path}" for path in provider.paths]
    lines.append(f"  admin API: {url}/_emulator/  (health, messages, clock, scenario, requests)")
    lines.append(f"  inspector: {url}/_emulator/ui")
    return "\n".join(lines)


def _check(args: argparse.Namespace) -> int:
    """Validate each file (or shipped name); errors name file:line, field and a fix."""
    from .scenario.loader import ScenarioError, load_scenario

    failed = 0
    for name in args.files:
        try:
            scenario = load_scenario(name)
        except ScenarioError as exc:
            failed += 1
            message = str(exc)
            if exc.source is None:
                message = f"{name}: {message}"
            print(message, file=sys.stderr)
        else:
            counts = ", ".join(
                _count(len(items), what)
                for items, what in (
                    (scenario.rules, "rule"),
                    (scenario.faults, "fault"),
                    (scenario.rate_limits, "rate limit"),
                )
            )
            print(f"{name}: ok ({scenario.name}, version {scenario.version}, {counts})")
    if failed and len(args.files) > 1:
        print(f"{failed} of {len(args.files)} scenarios invalid", file=sys.stderr)
    return 1 if failed else 0


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _show(names: Sequence[str]) -> int:
    """Each named shipped scenario's file, as it is (comments included)."""
    from .scenario.loader import shipped_scenarios, unknown_scenario

    shipped = shipped_scenarios()
    unknown = [name for name in names if name not in shipped]
    if unknown:
        return _fail(str(unknown_scenario(unknown[0], shipped)))
    texts = [shipped[name].read_text(encoding="utf-8") for name in names]
    # one YAML document each, as `---` separates them
    sys.stdout.write("---\n".join(text if text.endswith("\n") else text + "\n" for text in texts))
    return 0


def _list(args: argparse.Namespace) -> int:
    """Shipped scenarios with their descriptions (usable by name anywhere)."""
    from .scenario.loader import ScenarioError, load_scenario, shipped_scenarios

    if args.names:
        return _show(args.names)
    shipped = sorted(shipped_scenarios().items())
    width = max((len(name) for name, _ in shipped), default=0) + 2
    for name, path in shipped:
        try:
            description = load_scenario(path).description
        except ScenarioError as exc:
            description = f"(invalid: {exc})"
        default = " (default)" if name == "happy-path" else ""
        print(f"{name:<{width}}{description}{default}")
    return 0


def _discard_stdout() -> None:
    """What is still buffered for standard output, and all that follows, goes nowhere
    (flushing it at exit would fail again, with a traceback)."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:  # started with it closed (`>&-`): written nowhere
            # Kept for good, so not closed: closefd=False, or at exit Python warns of an
            # unclosed file (a ResourceWarning, shown under -X dev or PYTHONWARNINGS)
            nowhere = os.open(os.devnull, os.O_WRONLY)
            setattr(sys, name, open(nowhere, "w", closefd=False))  # noqa: SIM115
    args = _parser().parse_args(argv)
    handler = {"serve": _serve, "check-scenario": _check, "scenarios": _list}[args.command]
    try:
        return handler(args)
    except BrokenPipeError:  # e.g. `sms-emulator scenarios | head -1`
        _discard_stdout()
        return 0
