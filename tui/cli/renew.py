"""`acmedash cert renew`, `cert list` and `schedule`: the certificate store over time.

The decisions (due or not, ARI, what a run does to each certificate) are tui/renew_run.py and
tui/renewal_due.py, shared with the dashboard; this module turns options into jobs and
outcomes into lines, holds the store's lock, and makes one client per CA and account key.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.acme.errors import InputError
from tui.acme.key_types import KEY_TYPES
from tui.acme.text import printable
from tui.cli.context import Context, Handler, subproblem_lines
from tui.cli.options import global_options
from tui.user_paths import user_path
from tui.workflow import IssueOptions, SolverChoice

if TYPE_CHECKING:
    from tui.acme.client import AcmeClient
    from tui.inventory import Entry
    from tui.renew_run import Job, Outcome
    from tui.renewal import RenewalSettings
    from tui.session import Session

# Options of `cert renew` that override renewal.toml for one run (and with --save for good),
# besides every SolverChoice field: each defaults to None, "not given".
_OVERRIDES = ("key_type", "reuse_key", "profile", "preferred_chain", "deploy_hook")


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {text!r}") from None
    if not 0 <= value <= 3650:
        raise argparse.ArgumentTypeError(f"--days {value} is out of range (0-3650)")
    return value


def add_parsers(actions: Any, solver_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """`cert renew` and `cert list`, under `cert`. `solver_options` adds the issue command's
    challenge options; here they default to "not given", so renewal.toml decides."""
    renew = actions.add_parser(
        "renew", help="renew a certificate, or every one, when due (remembered settings, ARI)"
    )
    renew.add_argument("cert", metavar="CERT|NAME", nargs="?", help="cert.pem, folder or name")
    renew.add_argument("--all", action="store_true", help="every certificate in the store")
    renew.add_argument("--force", action="store_true", help="renew even when not due")
    renew.add_argument(
        "--days", type=_days, metavar="N", help="due N days before expiry (instead of ARI)"
    )
    renew.add_argument("--save", action="store_true", help="remember this run's options")
    renew.add_argument("--quiet", action="store_true", help="one line per certificate only")
    solver_options(renew)
    renew.add_argument("--key-type", choices=KEY_TYPES)
    renew.add_argument(
        "--reuse-key",
        action=argparse.BooleanOptionalAction,
        help="order with the folder's privkey.pem again (key pinning)",
    )
    renew.add_argument("--profile", metavar="NAME")
    fields = {f.name for f in dataclasses.fields(SolverChoice)}
    for action in renew._actions:
        if action.dest in fields or action.dest in _OVERRIDES:
            action.default = None
            action.help = (action.help or "").split(" (default:")[0] + " (default: remembered)"
    listing = actions.add_parser("list", help="the managed certificates, when each is due")
    listing.add_argument("--json", action="store_true")
    for leaf in (renew, listing):
        global_options(leaf, nested=True)


def add_schedule_parser(commands: Any) -> None:
    schedule = commands.add_parser(
        "schedule", help="a systemd timer or cron line running `cert renew --all --quiet`"
    )
    schedule.add_argument("--install", action="store_true", help="write the files")
    schedule.add_argument("--cron", action="store_true", help="a cron line, not systemd units")
    scope = schedule.add_mutually_exclusive_group()
    scope.add_argument("--user", dest="scope", action="store_const", const="user")
    scope.add_argument("--system", dest="scope", action="store_const", const="system")
    global_options(schedule, nested=True)


def store(ctx: Context) -> Path:
    from tui import inventory

    return inventory.store_dir(ctx.settings, ctx.config_path)


def remember(
    ctx: Context, choice: SolverChoice, options: IssueOptions, csr: Path | None = None
) -> None:
    """After an issuance: renewal.toml in its folder, and the folder known to the store.
    `csr`: the user's CSR file (absolute), which each renewal reads again."""
    from tui import inventory, renewal

    settings = renewal.RenewalSettings(
        directory=ctx.endpoint().url,
        account_key=str(ctx.key_path().absolute()),
        names=options.names,
        challenge=choice,
        key_type=options.key_type,
        profile=options.profile,
        preferred_chain=options.preferred_chain,
        deploy_hook=options.deploy_hook,
        csr=str(csr) if csr else "",
        ca_bundle=renewal.named_bundle(ctx.args.ca_bundle),
    )
    renewal.save_settings(options.out, settings)
    inventory.register(store(ctx), options.out)


def session_for(ctx: Context, settings: RenewalSettings, signed: bool = False) -> Session:
    """A session with the CA of `settings` (its renewal.toml's directory), signing with its
    account key when `signed`; the command's settings, CA bundle and traffic record."""
    from tui.endpoints import resolve
    from tui.session import Session

    key_path = user_path(settings.account_key) if signed else None
    return Session(
        ctx.settings,
        resolve(settings.directory),
        ctx.config_path,
        key_path=key_path,
        key=ctx.load_key(key_path) if key_path else None,
        ca_bundle=ctx.args.ca_bundle or settings.ca_bundle or None,
        observers=ctx.observers,
        sequence=ctx.sequence,
    )


class CliClients:
    """One client per CA (unsigned, for ARI) and per CA and account key (signed), made on
    first use; an account key is loaded only when a certificate is due."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._clients: dict[tuple[str, str, str], AcmeClient] = {}
        self._accounts: dict[tuple[str, str, str], Any] = {}

    async def unsigned(self, settings: RenewalSettings) -> AcmeClient:
        slot = (settings.directory, settings.ca_bundle, "")
        if slot not in self._clients:
            self._clients[slot] = session_for(self.ctx, settings).client()
        return self._clients[slot]

    async def signed(self, settings: RenewalSettings) -> AcmeClient:
        import asyncio

        from tui.accounts import require_account

        slot = (settings.directory, settings.ca_bundle, settings.account_key)
        if slot not in self._accounts:
            session = session_for(self.ctx, settings, signed=True)
            self._clients[slot] = client = session.client()
            self._accounts[slot] = asyncio.ensure_future(require_account(client, session))
        await asyncio.shield(self._accounts[slot])
        return self._clients[slot]

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()


def _overridden(ctx: Context, remembered: RenewalSettings) -> RenewalSettings:
    args = ctx.args
    choice = {
        f.name: getattr(args, f.name)
        for f in dataclasses.fields(SolverChoice)
        if getattr(args, f.name, None) is not None
    }
    top = {k: getattr(args, k) for k in _OVERRIDES if getattr(args, k, None) is not None}
    if args.endpoint:
        from tui.endpoints import resolve

        top["directory"] = resolve(args.endpoint).url
    if args.ca_bundle:
        from tui.renewal import named_bundle

        top["ca_bundle"] = named_bundle(args.ca_bundle)
    if args.key:
        top["account_key"] = str(user_path(args.key).absolute())
    from tui.dns import method

    if dns := method.given_options(args):  # on the remembered method, else the config's [dns]
        base = remembered.challenge.dns or method.from_config(ctx.settings.dns)
        choice["dns"] = method.with_overrides(base, **dns)
    if dns or args.dns_hook is not None:
        choice["challenge"] = method.implied_challenge(args.challenge, args)  # as cert issue
    challenge = dataclasses.replace(remembered.challenge, **choice)
    return dataclasses.replace(remembered, challenge=challenge, **top)


def _defaults(ctx: Context, entry: Entry) -> RenewalSettings:
    from tui import renewal
    from tui.workflow import renewal_names

    names = renewal_names(entry.certificate)
    return renewal.defaults_for(names, ctx.endpoint().url, str(ctx.key_path().absolute()))


def _one_job(ctx: Context, where: Path) -> Job:
    from tui import inventory
    from tui.renew_run import Job

    cert, source, out = inventory.renewal_target(ctx.args.cert, where, ctx.args.out)
    entry = inventory.load_entry(source, cert)
    remembered = entry.settings or _defaults(ctx, entry)
    settings = _overridden(ctx, remembered)
    from tui.workflow import check_names, renewal_names

    names = settings.names or renewal_names(entry.certificate)
    check_names(names, settings.challenge.challenge)  # before any request, as `cert issue`
    return Job(entry, settings, out, save=ctx.args.save or out != source)


def _given_overrides(args: argparse.Namespace) -> list[str]:
    from tui.dns.method import OPTIONS

    names = [f.name for f in dataclasses.fields(SolverChoice)] + [*_OVERRIDES, "out", "save"]
    names += list(OPTIONS)
    return [
        f"--{n.replace('_', '-')}" for n in names if getattr(args, n, None) not in (None, False)
    ]


async def cmd_cert_renew(ctx: Context) -> int:
    """Exit 0 when every certificate is renewed or not due; else the first failure's code."""
    from tui import inventory
    from tui.renew_run import Run, jobs_for
    from tui.store_lock import store_lock

    args = ctx.args
    if bool(args.all) == bool(args.cert):
        raise InputError("name one certificate (CERT or NAME) or pass --all")
    if args.all and (given := _given_overrides(args)):
        raise InputError(f"--all renews each certificate as remembered; {given[0]} needs a CERT")
    where = store(ctx)
    with store_lock(where):
        if args.all:
            jobs, outcomes = jobs_for(inventory.managed_folders(where), partial(_defaults, ctx))
        else:
            jobs, outcomes = [_one_job(ctx, where)], []
        if not args.all:
            ctx.confirm_production(f"renew the certificate in {jobs[0].entry.folder}")
        progress = None if args.quiet else _progress(ctx)
        clients = CliClients(ctx)
        try:
            run = Run(clients, days=args.days, force=args.force, dns=ctx.settings.dns)
            if progress:
                run.progress = progress
            done = await run.run(jobs)
        finally:
            await clients.aclose()
        outcomes += done
        for job, outcome in zip(jobs, done, strict=True):
            if outcome.renewed and job.out != job.entry.folder:
                inventory.register(where, job.out)  # --out: a new managed folder
    records = [o.to_json() for o in outcomes]
    if not outcomes:  # a timer pointed at the wrong store must not look like "nothing due"
        ctx.err.write(f"acmedash: no certificates in {printable(str(where))}\n")
        if args.json:
            ctx.emit([], "")
        return 0
    lines = "\n".join(printable(o.line(subproblems=False)) for o in outcomes)
    ctx.emit(records if args.all else records[0], lines)
    failures = [o.error for o in outcomes if o.error is not None]
    _say_subproblems(ctx, outcomes)
    if failures:
        from tui.cli.context import Reported

        raise Reported(failures[0])  # said in its outcome line; cli.command.run sets the code
    return 0


def _say_subproblems(ctx: Context, outcomes: list[Outcome]) -> None:
    """A failure's line names the CA's problem; the subproblems (one per identifier) follow on
    stderr, a line each under the certificate's name, as the progress lines are."""
    from tui.acme.errors import ProblemError

    for outcome in outcomes:
        if isinstance(outcome.error, ProblemError):
            for line in subproblem_lines(outcome.error.problem):
                ctx.err.write(f"  [{printable(outcome.name)}] {line}\n")


def _progress(ctx: Context) -> Callable[[str, str], None]:
    return lambda name, line: print(f"  [{printable(name)}] {printable(line)}", file=ctx.err)


async def cmd_cert_list(ctx: Context) -> int:
    from tui import inventory
    from tui.cert_list import describe_entries

    rows = describe_entries(inventory.managed_folders(store(ctx)))
    blocks = [row.block() for row in rows] or [f"no certificates in {store(ctx)}"]
    ctx.emit([row.record for row in rows], "\n\n".join(blocks))
    return 0


def cmd_schedule(ctx: Context) -> int:
    from tui import schedule

    args = ctx.args
    plan = schedule.plan(ctx.config_path, cron=args.cron, scope=args.scope or "user")
    if not args.install:
        ctx.out.write(plan.text())
        return 0
    for path in schedule.install(plan):
        ctx.out.write(f"wrote {path}\n")
    ctx.out.write(plan.next_step + "\n")
    return 0


HANDLERS: dict[tuple[str | None, str | None], Handler] = {
    ("cert", "renew"): cmd_cert_renew,
    ("cert", "list"): cmd_cert_list,
    ("schedule", None): cmd_schedule,
}
