"""The `acmedash` command: the parser, the exit codes, and running a command.

Never imports textual (the dashboard is imported only when it is started), so scripts start
fast. Exit codes are a contract (EXIT_CODES, shown by --help): 0 ok, 1 the server answered with
a problem, 2 usage, config or input error, 3 network or TLS error, 70 an error acmedash did not
expect (a bug: one line, the traceback only with --debug), 130 interrupted, 141 the reader
of the output went away.

The commands live beside this module, each with its parsers and HANDLERS: basics.py
(directory, config), account.py (key, account), certs.py (cert), dashboard.py (the dashboard,
inspect, demo); context.py holds what they all get.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import io
import os
import sys
import traceback
from collections.abc import Coroutine
from contextlib import ExitStack
from typing import Any, NoReturn

from tui import collector
from tui.acme import __version__
from tui.acme.errors import (
    AcmeError,
    InputError,
    NetworkError,
    NetworkTimeout,
    ProblemError,
    StateError,
)
from tui.acme.text import printable
from tui.cli import dashboard
from tui.cli.context import Context, Escaped, Handler, Reported, subproblem_lines
from tui.cli.options import global_options
from tui.config import ConfigError, default_config_path, load_settings
from tui.user_paths import user_path

EXIT_OK, EXIT_PROBLEM, EXIT_INPUT, EXIT_NETWORK = 0, 1, 2, 3
EXIT_SOFTWARE = 70  # sysexits.h EX_SOFTWARE: an internal error
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE
EXIT_CODES = f"""exit codes:
  {EXIT_OK:<4}done
  {EXIT_PROBLEM:<4}the CA answered with a problem, or not as RFC 8555 says
  {EXIT_INPUT:<4}usage, config or input error
  {EXIT_NETWORK:<4}network or TLS error
  {EXIT_SOFTWARE:<4}internal error (a bug in acmedash): one line; --debug adds the traceback
  {EXIT_INTERRUPTED:<4}interrupted (Ctrl+C)
  {EXIT_BROKEN_PIPE:<4}the reader of the output went away (`| head`)"""


class _Parser(argparse.ArgumentParser):
    """Every parser of the command, subcommands included (argparse makes them of the parent's
    class): no abbreviations, so a mistyped or newer option (`--dns`) is an error instead of
    landing on an old one (`--dns-hook`); and a usage error is one line, like every other."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_INPUT, f"{self.prog}: {printable(message)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from tui.cli import account, basics, certs, renew

    parser = _Parser(
        prog="acmedash",
        description="ACME v2 (RFC 8555) dashboard and headless client. "
        "Without a command, opens the dashboard.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"acmedash {__version__}")
    global_options(parser, nested=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    basics.add_directory_parser(commands)
    account.add_key_parsers(commands)
    account.add_account_parsers(commands)
    basics.add_config_parsers(commands)
    dashboard.add_parsers(commands)
    certs.add_parsers(commands)
    renew.add_schedule_parser(commands)
    return parser


def _dashboard_args(argv: list[str] | None) -> argparse.Namespace | None:
    """Plain `acmedash [global options]` (the dashboard) parsed by the global options alone:
    building the whole parser, every command's options, took 11 ms of the dashboard's first
    paint. Anything else (a command, --help, a mistake) is None: the whole parser's to parse,
    or to explain."""
    quick = argparse.ArgumentParser(add_help=False, allow_abbrev=False, exit_on_error=False)
    global_options(quick, nested=False)
    try:
        args, rest = quick.parse_known_args(sys.argv[1:] if argv is None else argv)
    except argparse.ArgumentError:
        return None
    if rest:
        return None
    args.command = None
    return args


@functools.cache
def handlers() -> dict[tuple[str | None, str | None], Handler]:
    """Every command's handler, by (command, subcommand). The command modules load here and in
    build_parser, not with this one: the dashboard needs none of them (4 ms of its start)."""
    from tui.cli import account, basics, certs, renew

    return {
        **basics.HANDLERS,
        **account.HANDLERS,
        **certs.HANDLERS,
        **dashboard.HANDLERS,
        **renew.HANDLERS,
    }


# Commands that talk to a CA: they get a head start on loading the TLS trust store.
_TALKS_TO_CA = ("directory", "account", "cert")


def _dispatch(ctx: Context) -> int:
    command = ctx.args.command
    action = getattr(ctx.args, f"{command}_command", None)
    result = handlers()[(command, action)](ctx)
    if isinstance(result, int):
        return result
    return asyncio.run(_within_deadline(result, ctx.settings.timeouts.command))


async def _within_deadline(work: Coroutine[Any, Any, int], seconds: float) -> int:
    """The command, ended after `seconds` ([timeouts] command): each request has deadlines of
    its own, but retries, Retry-After waits and polls add up without bound otherwise. The
    network error it ends with is exit 3."""
    deadline = asyncio.timeout(seconds)
    try:
        async with deadline:
            return await work
    except TimeoutError:
        if not deadline.expired():
            raise
        raise NetworkTimeout(
            f"the command did not finish within {seconds:g} s ([timeouts] command in the "
            "config); stopped"
        ) from None


def run(argv: list[str] | None = None) -> int:
    from tui.process_guard import hide_environment

    hide_environment()  # before anything can start a hook: the dashboard too starts here
    args = _dashboard_args(argv) or build_parser().parse_args(argv)
    if args.command not in {command for command, _ in dashboard.HANDLERS}:
        collector.resume()  # the dashboard resumes it after its first paint
    err = Escaped(sys.stderr)
    try:
        return _run(args)
    except Reported as said:  # its one line is out already (cert renew's outcome lines)
        return _report(said.error, Escaped(io.StringIO()), debug=args.debug)
    except (Exception, KeyboardInterrupt) as exc:
        return _report(exc, err, debug=args.debug)


def _report(exc: BaseException, err: Escaped, *, debug: bool) -> int:
    """`exc` said on stderr in one line (a problem: its document), and its exit code."""
    if isinstance(exc, ProblemError):
        _report_problem(exc, err)
        return EXIT_PROBLEM
    if isinstance(exc, NetworkError):
        err.write(f"acmedash: network error: {printable(str(exc))}\n")
        return EXIT_NETWORK
    if isinstance(exc, InputError | ConfigError):
        err.write(f"acmedash: {printable(str(exc))}\n")
        return EXIT_INPUT
    if isinstance(exc, StateError):
        err.write(f"acmedash: {printable(str(exc))}\n")
        return EXIT_PROBLEM
    if isinstance(exc, AcmeError):
        err.write(f"acmedash: protocol error: {printable(str(exc))}\n")
        return EXIT_PROBLEM
    if isinstance(exc, KeyboardInterrupt):
        err.write("acmedash: interrupted\n")
        return EXIT_INTERRUPTED
    if isinstance(exc, BrokenPipeError):
        # The reader went away (`acmedash directory | head -1`): nothing is wrong with
        # acmedash, and nothing more can be said to it; 141 = 128 + SIGPIPE, as git answers.
        return EXIT_BROKEN_PIPE
    # Not an error we raise on purpose: a bug, said in one line, not as a traceback that
    # looks like a server problem (exit 1); the traceback is there for whoever asks.
    if debug:
        err.write("".join(traceback.format_exception(exc)))
    err.write(
        f"acmedash: internal error: {type(exc).__name__}: {printable(str(exc))} "
        "(a bug in acmedash; --debug shows where)\n"
    )
    return EXIT_SOFTWARE


def _run(args: argparse.Namespace) -> int:
    with ExitStack() as stack:
        config_path = user_path(args.config) if args.config else default_config_path()
        ctx = Context(args=args, config_path=config_path, settings=load_settings(config_path))
        if args.command in _TALKS_TO_CA:
            ctx.endpoint()  # a bad endpoint is refused before anything else happens
            from tui.acme import trust

            trust.preload(ctx.settings.ca_bundle_path(args.ca_bundle))
        if args.traffic:
            try:
                # 0600 when made, as the dashboard's exports: traffic holds account URLs and
                # orders (made with the umask's 0644, others could read it)
                fd = os.open(user_path(args.traffic), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                stream = stack.enter_context(open(fd, "a", encoding="utf-8"))
            except OSError as exc:
                raise InputError(
                    f"{args.traffic}: cannot open traffic file ({exc.strerror})"
                ) from None
            from tui.acme.traffic import JsonlWriter

            ctx.observers.append(JsonlWriter(stream))
        return _dispatch(ctx)


def _report_problem(exc: ProblemError, err: Escaped) -> None:
    """The problem document, each value escaped and on its own line (RFC 8555 §6.7)."""
    p, problem = printable, exc.problem
    err.write(f"acmedash: server problem: {p(problem.type)}: {p(problem.detail or str(exc))}\n")
    for line in subproblem_lines(problem):
        err.write(f"  {line}\n")
    if exc.retry_after is not None:
        err.write(f"  retry after {exc.retry_after:.0f} s\n")
    from tui.accounts import CREATE_BY_COMMAND, problem_hint

    if hint := problem_hint(exc, CREATE_BY_COMMAND):
        err.write(f"  {hint}\n")


def main() -> NoReturn:
    """The console script. It ends the process without the interpreter's teardown: every file
    is written, fsynced and closed by then, and the teardown (freeing the modules and OpenSSL's
    state) cost 30 ms of CPU, a tenth of a headless issuance (benchmarks/issuance.py)."""
    code = run(sys.argv[1:])
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            # Output to a pipe waits in the buffer (unless PYTHONUNBUFFERED), so a reader that
            # went away is often found only here: the same 141 as when a write finds it.
            code = code or EXIT_BROKEN_PIPE
        except (OSError, ValueError):
            pass  # a stream closed or gone otherwise: nothing more can reach it anyway
    os._exit(code)
