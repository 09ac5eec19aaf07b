"""The `acmedash` command: headless ACME operations, and the entry to the dashboard.

Never imports textual (the dashboard is imported only when it is started), so scripts start
fast. Exit codes are a contract (EXIT_CODES, shown by --help): 0 ok, 1 the server answered with
a problem, 2 usage, config or input error, 3 network or TLS error, 70 an error acmedash did not
expect (a bug: one line, the traceback only with --debug), 130 interrupted, 141 the reader
of the output went away.

Everything printed goes through an `_Escaped` stream: text from the network (a problem detail,
a status, a URL) cannot drive the terminal. Values that must stay on one line are escaped
with `printable` where they are put into a line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import json
import os
import stat
import sys
import traceback
from collections.abc import Callable, Coroutine
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from tui import cli_certs
from tui.acme import __version__
from tui.acme.errors import AcmeError, InputError, NetworkError, PassphraseRequired, ProblemError
from tui.acme.hooks import EAB_KEY_ENV, PASSPHRASE_ENV
from tui.acme.key_types import DEFAULT_KEY_TYPE, KEY_TYPES
from tui.acme.models import Account
from tui.acme.text import printable
from tui.config import (
    ConfigError,
    Settings,
    configured_eab_mac_key,
    default_config_path,
    import_ini,
    load_settings,
    save_settings,
)
from tui.contacts import normalise_contact
from tui.endpoints import Endpoint, resolve
from tui.secret_file import read_secret_file

if TYPE_CHECKING:
    # httpx and cryptography load only for commands that need them: the dashboard and plain
    # commands start sooner (benchmarks/first_paint.py).
    from tui.acme.client import AcmeClient
    from tui.acme.jose import PrivateKey
    from tui.acme.traffic import Observer

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


_GLOBAL_OPTIONS: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
    (
        ("--config",),
        {"metavar": "PATH", "help": "settings file (default: $ACMEDASH_CONFIG or XDG)"},
    ),
    (("--endpoint",), {"metavar": "NAME|URL", "help": "preset name or directory URL"}),
    (("--key",), {"metavar": "PATH", "help": "account key file"}),
    (("--contact",), {"metavar": "URI", "action": "append", "help": "contact (repeatable)"}),
    (("--ca-bundle",), {"metavar": "PATH", "help": "extra CA bundle to trust for the ACME server"}),
    (("--traffic",), {"metavar": "FILE", "help": "append every HTTP exchange as a JSON line"}),
    (
        ("--yes", "-y"),
        {"action": "store_true", "help": "agree to ToS and confirm production actions"},
    ),
    (("--debug",), {"action": "store_true", "help": "print the traceback of an internal error"}),
)


class _Parser(argparse.ArgumentParser):
    """Every parser of the command, subcommands included (argparse makes them of the parent's
    class): no abbreviations, so a mistyped or newer option (`--dns`) is an error instead of
    landing on an old one (`--dns-hook`); and a usage error is one line, like every other."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_INPUT, f"{self.prog}: {printable(message)} (see {self.prog} --help)\n")


def _global_options(parser: argparse.ArgumentParser, *, nested: bool, contact: bool = True) -> None:
    """Global options work before or after the command (`account new --yes`). On subcommands
    their default is SUPPRESS so that an option given before the command is not reset."""
    for flags, options in _GLOBAL_OPTIONS:
        if flags[0] == "--contact" and not contact:
            continue
        extra: dict[str, Any] = {"default": argparse.SUPPRESS} if nested else {}
        parser.add_argument(*flags, **options, **extra)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="acmedash",
        description="ACME v2 (RFC 8555) dashboard and headless client. "
        "Without a command, opens the dashboard.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"acmedash {__version__}")
    _global_options(parser, nested=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    directory = commands.add_parser("directory", help="fetch and show the directory")
    directory.add_argument("--json", action="store_true")

    key = commands.add_parser("key", help="generate or show account keys").add_subparsers(
        dest="key_command", metavar="ACTION", required=True
    )
    generate = key.add_parser("generate", help="generate a new key (PKCS#8 PEM, 0600)")
    generate.add_argument("path")
    generate.add_argument("--type", choices=KEY_TYPES, default=DEFAULT_KEY_TYPE)
    show = key.add_parser("show", help="key type, public JWK and thumbprint")
    show.add_argument("path")
    show.add_argument("--json", action="store_true")

    account = commands.add_parser(
        "account", help="create, show or update the account"
    ).add_subparsers(dest="account_command", metavar="ACTION", required=True)
    new = account.add_parser("new", help="create an account (agreeing to the ToS)")
    new.add_argument("--json", action="store_true")
    new.add_argument("--eab-kid", metavar="KID", help="External Account Binding key id")
    new.add_argument(
        "--eab-hmac-key-file",
        metavar="FILE",
        help="External Account Binding MAC key (base64url), from a file of mode 0600",
    )
    new.add_argument(
        "--eab-hmac-key",
        metavar="KEY",
        help=f"the MAC key itself: visible to other users (ps); prefer the file or ${EAB_KEY_ENV}",
    )
    account_show = account.add_parser("show", help="look up the key's account and fetch it")
    account_show.add_argument("--json", action="store_true")
    update = account.add_parser("update", help="replace the account's contacts")
    update.add_argument(
        "--contact", metavar="URI", action="append", required=True, dest="new_contacts"
    )
    update.add_argument("--json", action="store_true")
    lifecycle = cli_certs.add_account_parsers(account)

    config = commands.add_parser("config", help="settings file tools").add_subparsers(
        dest="config_command", metavar="ACTION", required=True
    )
    ini = config.add_parser("import-ini", help="import the acme.ini of the NeoPrime scripts")
    ini.add_argument("file")

    inspect = commands.add_parser(
        "inspect", help="open a JSONL traffic file in the dashboard, offline"
    )
    inspect.add_argument("file")
    demo = commands.add_parser("demo", help="the dashboard against a throwaway local Pebble")
    certs = cli_certs.add_cert_parsers(commands)
    for leaf in (
        directory,
        generate,
        show,
        new,
        account_show,
        ini,
        inspect,
        demo,
        *lifecycle,
        *certs,
    ):
        _global_options(leaf, nested=True)
    _global_options(update, nested=True, contact=False)
    return parser


class _Escaped:
    """A terminal stream that escapes control characters on their way out (newline and tab
    kept): the last line of defence, for server text inside a message nobody foresaw."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(printable(text, multiline=True))

    def flush(self) -> None:
        self.stream.flush()


@dataclass
class Context:
    """What every command needs: parsed options, settings, and where to talk to the user."""

    args: argparse.Namespace
    config_path: Path
    settings: Settings
    out: _Escaped = field(default_factory=lambda: _Escaped(sys.stdout))
    err: _Escaped = field(default_factory=lambda: _Escaped(sys.stderr))
    observers: list[Observer] = field(default_factory=list)

    @property
    def interactive(self) -> bool:
        return sys.stdin is not None and sys.stdin.isatty()

    def endpoint(self) -> Endpoint:
        return resolve(self.args.endpoint or self.settings.endpoint)

    def key_path(self) -> Path:
        value = self.args.key or self.settings.account_key
        if not value:
            raise InputError("no account key: pass --key PATH or set account_key in the config")
        return Path(value).expanduser()

    def contacts(self, given: list[str] | None = None) -> list[str]:
        raw = given if given is not None else (self.args.contact or self.settings.contacts)
        return [normalise_contact(c) for c in raw]

    def ask(self, question: str) -> bool:
        self.err.write(f"{question} [y/N] ")
        self.err.flush()
        answer = sys.stdin.readline().strip().lower()
        return answer in ("y", "yes")

    def emit(self, data: Any, text: str) -> None:
        """`--json`: json.dumps with ensure_ascii (its default, said here on purpose) writes
        every non-ASCII character as a \\u escape, C1 controls and U+2028 included, so no
        server text reaches the terminal raw. Otherwise `text`, whose server values the
        caller has passed through `printable`."""
        if getattr(self.args, "json", False):
            self.out.write(json.dumps(data, indent=2, ensure_ascii=True) + "\n")
        else:
            self.out.write(text.rstrip("\n") + "\n")

    def confirm_production(self, action: str) -> None:
        endpoint = self.endpoint()
        if not endpoint.is_production or self.args.yes:
            return
        message = f"{action} on PRODUCTION endpoint {endpoint.title} ({endpoint.url})"
        if not self.interactive:
            raise InputError(f"{message}: pass --yes to confirm")
        if not self.ask(f"About to {message}. Continue?"):
            raise InputError("cancelled")

    def load_key(self, path: Path) -> PrivateKey:
        from tui.acme import keys

        passphrase = os.environ.get(PASSPHRASE_ENV)
        try:
            return keys.load_key(path, passphrase.encode() if passphrase else None)
        except PassphraseRequired:
            if passphrase is not None or not self.interactive:
                raise
            entered = getpass.getpass(f"Passphrase for {printable(str(path))}: ", stream=sys.stderr)
            return keys.load_key(path, entered.encode())

    def client(self, key: PrivateKey | None) -> AcmeClient:
        from tui.session import make_client

        return make_client(
            self.settings,
            self.endpoint(),
            key,
            ca_bundle=self.args.ca_bundle,
            observers=self.observers,
        )

    def remember(self, client: AcmeClient, account: Account) -> None:
        if self.settings.account_for(client.directory_url, client.thumbprint) != account.url:
            self.settings.remember_account(client.directory_url, client.thumbprint, account.url)
            save_settings(self.settings, self.config_path)


def _account_text(account: Account, heading: str) -> str:
    p = printable
    lines = [heading, f"  url:     {p(account.url)}", f"  status:  {p(account.status)}"]
    lines.append(f"  contact: {p(', '.join(account.contact)) or '(none)'}")
    if account.created_at:
        lines.append(f"  created: {p(account.created_at)}")
    if account.orders:
        lines.append(f"  orders:  {p(account.orders)}")
    return "\n".join(lines)


def _account_json(account: Account, client: AcmeClient) -> dict[str, Any]:
    return {
        **account.to_json(),
        "endpoint": client.directory_url,
        "key_thumbprint": client.thumbprint,
    }


async def cmd_directory(ctx: Context) -> int:
    async with ctx.client(None) as client:
        directory = await client.directory()
    p = printable
    endpoint = ctx.endpoint()
    lines = [f"{p(endpoint.title)}  [{endpoint.environment.badge}]  {p(client.directory_url)}"]
    lines += [
        f"  {p(name)}: {p(value)}"
        for name, value in directory.raw.items()
        if isinstance(value, str)
    ]
    meta = directory.meta
    lines.append("meta:")
    lines.append(f"  termsOfService: {p(meta.terms_of_service) or '(none)'}")
    lines.append(f"  website: {p(meta.website) or '(none)'}")
    lines.append(f"  caaIdentities: {p(', '.join(meta.caa_identities)) or '(none)'}")
    lines.append(f"  externalAccountRequired: {str(meta.external_account_required).lower()}")
    lines.append(f"  profiles: {p(', '.join(meta.profiles)) or '(none)'}")
    ctx.emit(directory.raw, "\n".join(lines))
    return EXIT_OK


def _key_info(path: Path, key: PrivateKey) -> dict[str, Any]:
    from tui.acme import jose, keys

    jwk = jose.public_jwk(key)
    mode = stat.S_IMODE(path.stat().st_mode)
    return {
        "path": str(path),
        "type": keys.describe_key(key),
        "alg": jose.algorithm(key),
        "jwk": jwk,
        "thumbprint": jose.thumbprint(jwk),
        "mode": f"{mode:04o}",
    }


def cmd_key_generate(ctx: Context) -> int:
    from tui.acme import keys

    path = Path(ctx.args.path).expanduser()
    key = keys.generate_key(ctx.args.type)
    keys.save_key(key, path)
    info = _key_info(path, key)
    ctx.out.write(
        f"wrote {info['type']} key to {path} (mode 0600)\nthumbprint: {info['thumbprint']}\n"
    )
    return EXIT_OK


def cmd_key_show(ctx: Context) -> int:
    path = Path(ctx.args.path).expanduser()
    info = _key_info(path, ctx.load_key(path))
    text = (
        f"path:       {info['path']}\ntype:       {info['type']} ({info['alg']})\n"
        f"thumbprint: {info['thumbprint']}\nmode:       {info['mode']}\n"
        f"jwk:        {json.dumps(info['jwk'])}"
    )
    if int(info["mode"], 8) & 0o077:
        text += f"\nwarning: {path} is readable by group or others; run chmod 600 {path}"
    ctx.emit(info, text)
    return EXIT_OK


def _key_for_new_account(ctx: Context) -> PrivateKey:
    from tui.acme import keys

    path = ctx.key_path()
    if path.exists():
        return ctx.load_key(path)
    offer = f"Key file {path} does not exist. Generate a new {DEFAULT_KEY_TYPE} key there?"
    if not ctx.args.yes and not (ctx.interactive and ctx.ask(offer)):
        raise InputError(
            f"{path}: key file does not exist; run `acmedash key generate {path}` or pass --yes"
        )
    key = keys.generate_key(DEFAULT_KEY_TYPE)
    keys.save_key(key, path)
    ctx.err.write(f"generated {DEFAULT_KEY_TYPE} key at {path}\n")
    return key


def _external_account_binding(ctx: Context) -> tuple[str, str] | None:
    """(key id, MAC key) for RFC 8555 §7.3.4, or None. The MAC key comes from
    --eab-hmac-key-file, else --eab-hmac-key (which `ps` shows: warned), else the environment
    or the config (config.configured_eab_mac_key). It is checked here, before any request, and
    no message ever quotes it."""
    from tui.acme.jose import eab_mac_key

    args = ctx.args
    if args.eab_hmac_key_file and args.eab_hmac_key:
        raise InputError("give the EAB MAC key once: --eab-hmac-key-file or --eab-hmac-key")
    if args.eab_hmac_key:
        ctx.err.write(
            "acmedash: warning: --eab-hmac-key is visible to other users of this machine (ps); "
            f"use --eab-hmac-key-file FILE or ${EAB_KEY_ENV}\n"
        )
    if args.eab_hmac_key_file:
        mac_key = read_secret_file(Path(args.eab_hmac_key_file).expanduser(), "EAB MAC key")
    else:
        mac_key = args.eab_hmac_key or configured_eab_mac_key(ctx.settings)
    kid = args.eab_kid or ctx.settings.eab_kid
    if not (kid or mac_key):
        return None
    if not (kid and mac_key):
        raise InputError(
            "External Account Binding needs both a key id and a MAC key "
            f"(--eab-kid and --eab-hmac-key-file, ${EAB_KEY_ENV}, or the config)"
        )
    eab_mac_key(mac_key)
    return kid, mac_key


async def cmd_account_new(ctx: Context) -> int:
    ctx.confirm_production("create an account")
    eab = _external_account_binding(ctx)
    contacts = ctx.contacts()
    key = _key_for_new_account(ctx)
    async with ctx.client(key) as client:
        directory = await client.directory()
        if directory.meta.external_account_required and eab is None:
            raise InputError(
                "this CA requires External Account Binding: pass --eab-kid and "
                "--eab-hmac-key-file (or see --help for the other ways)"
            )
        tos = printable(directory.meta.terms_of_service)
        agreed: bool | None = None
        if tos:
            if not ctx.args.yes and not (
                ctx.interactive and ctx.ask(f"Do you agree to the terms of service at {tos}?")
            ):
                raise InputError(f"terms of service not agreed ({tos}); pass --yes to agree")
            agreed = True
        account = await client.new_account(contacts, terms_agreed=agreed, eab=eab)
        ctx.remember(client, account)
        heading = "account created" if account.created else "this key already had an account"
        ctx.emit(_account_json(account, client), _account_text(account, heading))
    return EXIT_OK


async def cmd_account_show(ctx: Context) -> int:
    key = ctx.load_key(ctx.key_path())
    async with ctx.client(key) as client:
        await client.find_account()
        account = await client.fetch_account()
        ctx.remember(client, account)
        ctx.emit(_account_json(account, client), _account_text(account, "account"))
    return EXIT_OK


async def cmd_account_update(ctx: Context) -> int:
    contacts = ctx.contacts(ctx.args.new_contacts)
    ctx.confirm_production("update the account's contacts")
    key = ctx.load_key(ctx.key_path())
    async with ctx.client(key) as client:
        account = await client.update_account(contacts)
        ctx.remember(client, account)
        ctx.emit(_account_json(account, client), _account_text(account, "account updated"))
    return EXIT_OK


def _run_dashboard(ctx: Context, settings: Settings, **kwargs: Any) -> int:
    from tui.dashboard.app import AcmeDashApp  # textual is imported only when the dashboard starts

    AcmeDashApp(settings, ca_bundle=ctx.args.ca_bundle, **kwargs).run()
    return EXIT_OK


def cmd_dashboard(ctx: Context) -> int:
    if ctx.args.endpoint:
        ctx.settings.endpoint = resolve(ctx.args.endpoint).name
    if ctx.args.key:
        ctx.settings.account_key = ctx.args.key
    if ctx.args.contact:
        ctx.settings.contacts = ctx.contacts()
    return _run_dashboard(ctx, ctx.settings, config_path=ctx.config_path)


def cmd_inspect(ctx: Context) -> int:
    from tui.traffic_files import read_traffic

    exchanges = read_traffic(Path(ctx.args.file).expanduser())
    if not exchanges:
        raise InputError(f"{ctx.args.file}: no exchanges in this file")
    settings = replace(
        ctx.settings, endpoint=resolve(exchanges[-1].endpoint or ctx.settings.endpoint).name
    )
    return _run_dashboard(ctx, settings, config_path=None, offline=exchanges)


def cmd_demo(ctx: Context) -> int:
    """A throwaway Pebble and key in a temp folder; the user's settings are neither read for
    the endpoint nor written. Pebble really validates: names resolve to 127.0.0.1 through
    pebble-challtestsrv, and the dashboard's http-01 / tls-alpn-01 responders listen on the
    ports Pebble was told to use."""
    import tempfile

    from tui.acme import keys
    from tui.pebble import ChallTestSrv, Pebble, free_port

    with tempfile.TemporaryDirectory(prefix="acmedash-demo-") as folder:
        dns = ChallTestSrv().start()
        http_port, tls_port = free_port(), free_port()
        pebble = Pebble(
            Path(folder) / "pebble",
            extra_config={"httpPort": http_port, "tlsPort": tls_port},
            dns_server=dns.dns_server,
        )
        try:
            pebble.start()
            key_path = Path(folder) / "account.pem"
            keys.save_key(keys.generate_key(DEFAULT_KEY_TYPE), key_path)
            settings = Settings(
                endpoint=pebble.directory_url,
                account_key=str(key_path),
                contacts=["mailto:demo@example.org"],
                ca_bundle=str(pebble.ca_bundle),
                theme=ctx.settings.theme,
                keymap=ctx.settings.keymap,
            )
            ctx.args.ca_bundle = str(pebble.ca_bundle)
            return _run_dashboard(
                ctx,
                settings,
                config_path=None,
                responder_address="127.0.0.1",
                http_port=http_port,
                tls_port=tls_port,
                files_dir=Path(folder),
            )
        finally:
            pebble.stop()
            dns.stop()


def cmd_config_import_ini(ctx: Context) -> int:
    changed = import_ini(Path(ctx.args.file).expanduser(), ctx.settings)
    save_settings(ctx.settings, ctx.config_path)
    ctx.out.write(f"imported {len(changed)} settings into {ctx.config_path}\n")
    ctx.out.write("".join(f"  {printable(line)}\n" for line in changed))
    return EXIT_OK


Handler = Callable[[Context], "int | Coroutine[Any, Any, int]"]
HANDLERS: dict[tuple[str | None, str | None], Handler] = {
    ("directory", None): cmd_directory,
    ("key", "generate"): cmd_key_generate,
    ("key", "show"): cmd_key_show,
    ("account", "new"): cmd_account_new,
    ("account", "show"): cmd_account_show,
    ("account", "update"): cmd_account_update,
    ("config", "import-ini"): cmd_config_import_ini,
    ("inspect", None): cmd_inspect,
    ("demo", None): cmd_demo,
    (None, None): cmd_dashboard,
    **cli_certs.HANDLERS,
}


# Commands that talk to a CA: they get a head start on loading the TLS trust store.
_TALKS_TO_CA = ("directory", "account", "cert")


def _dispatch(ctx: Context) -> int:
    command = ctx.args.command
    action = getattr(ctx.args, f"{command}_command", None)
    result = HANDLERS[(command, action)](ctx)
    return result if isinstance(result, int) else asyncio.run(result)


def run(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    err = _Escaped(sys.stderr)
    try:
        return _run(args)
    except ProblemError as exc:
        _report_problem(exc, err)
        return EXIT_PROBLEM
    except NetworkError as exc:
        err.write(f"acmedash: network error: {printable(str(exc))}\n")
        return EXIT_NETWORK
    except (InputError, ConfigError) as exc:
        err.write(f"acmedash: {printable(str(exc))}\n")
        return EXIT_INPUT
    except AcmeError as exc:
        err.write(f"acmedash: protocol error: {printable(str(exc))}\n")
        return EXIT_PROBLEM
    except KeyboardInterrupt:
        err.write("acmedash: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`acmedash directory | head -1`): nothing is wrong with
        # acmedash, and nothing more can be said to it; 141 = 128 + SIGPIPE, as git answers.
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        # Not an error we raise on purpose: a bug, said in one line, not as a traceback that
        # looks like a server problem (exit 1); the traceback is there for whoever asks.
        if args.debug:
            err.write(traceback.format_exc())
        err.write(
            f"acmedash: internal error: {type(exc).__name__}: {printable(str(exc))} "
            "(a bug in acmedash; --debug shows where)\n"
        )
        return EXIT_SOFTWARE


def _run(args: argparse.Namespace) -> int:
    with ExitStack() as stack:
        config_path = Path(args.config).expanduser() if args.config else default_config_path()
        ctx = Context(args=args, config_path=config_path, settings=load_settings(config_path))
        if args.command in _TALKS_TO_CA:
            ctx.endpoint()  # a bad endpoint is refused before anything else happens
            from tui.acme import trust

            trust.preload(ctx.settings.ca_bundle_path(args.ca_bundle))
        if args.traffic:
            try:
                stream = stack.enter_context(
                    Path(args.traffic).expanduser().open("a", encoding="utf-8")
                )
            except OSError as exc:
                raise InputError(
                    f"{args.traffic}: cannot open traffic file ({exc.strerror})"
                ) from None
            from tui.acme.traffic import JsonlWriter

            ctx.observers.append(JsonlWriter(stream))
        return _dispatch(ctx)


def _report_problem(exc: ProblemError, err: _Escaped) -> None:
    """The problem document, each value escaped and on its own line (RFC 8555 §6.7)."""
    p, problem = printable, exc.problem
    err.write(f"acmedash: server problem: {p(problem.type)}: {p(problem.detail or str(exc))}\n")
    for sub in problem.subproblems:
        who = f" [{p(str(sub.identifier))}]" if sub.identifier else ""
        err.write(f"  {p(sub.type)}{who}: {p(sub.detail)}\n")
    if exc.retry_after is not None:
        err.write(f"  retry after {exc.retry_after:.0f} s\n")
    if exc.type.endswith(":accountDoesNotExist"):
        err.write(
            "  this key has no account at this CA: `acmedash account new` creates one; "
            "after `account rollover`, use the new key\n"
        )


def main() -> NoReturn:
    """The console script. It ends the process without the interpreter's teardown: every file
    is written, fsynced and closed by then, and the teardown (freeing the modules and OpenSSL's
    state) cost 30 ms of CPU, a tenth of a headless issuance (benchmarks/issuance.py)."""
    code = run(sys.argv[1:])
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe: nothing more can reach it anyway.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
