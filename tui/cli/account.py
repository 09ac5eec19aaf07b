"""`acmedash key generate|show` and `acmedash account new|show|update|rollover|deactivate|
orders`. The account policy itself (terms, EAB, remembering, rollover, deactivation) is
tui/accounts.py, shared with the dashboard; this module parses, asks through CliPrompts and
prints."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui import accounts
from tui.acme.errors import AcmeError, InputError, detached
from tui.acme.hooks import EAB_KEY_ENV
from tui.acme.key_types import DEFAULT_KEY_TYPE, KEY_TYPES
from tui.acme.text import printable
from tui.cli.context import Context, Handler
from tui.cli.options import global_options
from tui.config import configured_eab_mac_key
from tui.secret_file import read_secret_file
from tui.user_paths import user_path
from tui.words import counted

if TYPE_CHECKING:
    from tui.acme.client import AcmeClient
    from tui.acme.jose import PrivateKey
    from tui.acme.models import Account, Order


def add_key_parsers(commands: Any) -> None:
    key = commands.add_parser("key", help="generate or show account keys").add_subparsers(
        dest="key_command", metavar="ACTION", required=True
    )
    generate = key.add_parser("generate", help="generate a new key (PKCS#8 PEM, 0600)")
    generate.add_argument("path")
    generate.add_argument("--type", choices=KEY_TYPES, default=DEFAULT_KEY_TYPE)
    show = key.add_parser("show", help="key type, public JWK and thumbprint")
    show.add_argument("path")
    show.add_argument("--json", action="store_true")
    for leaf in (generate, show):
        global_options(leaf, nested=True)


def add_account_parsers(commands: Any) -> None:
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
    show = account.add_parser("show", help="look up the key's account and fetch it")
    show.add_argument("--json", action="store_true")
    update = account.add_parser("update", help="replace the account's contacts")
    update.add_argument(
        "--contact", metavar="URI", action="append", required=True, dest="new_contacts"
    )
    update.add_argument("--json", action="store_true")
    rollover = account.add_parser("rollover", help="replace the account key (RFC 8555 §7.3.5)")
    rollover.add_argument(
        "new_key", metavar="NEW_KEY", help=f"generated ({DEFAULT_KEY_TYPE}) if it does not exist"
    )
    deactivate = account.add_parser("deactivate", help="deactivate the account, for good")
    orders = account.add_parser("orders", help="list the account's orders")
    orders.add_argument("--json", action="store_true")
    for leaf in (new, show, rollover, deactivate, orders):
        global_options(leaf, nested=True)
    global_options(update, nested=True, contact=False)


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
    from tui.acme.fileio import created_folders, missing_folders

    path = user_path(ctx.args.path)
    key = keys.generate_key(ctx.args.type)
    created = missing_folders(path)
    keys.save_key(key, path)
    info = _key_info(path, key)
    if created:
        ctx.out.write(f"created {created_folders(created)}\n")
    ctx.out.write(
        f"wrote {info['type']} key to {path} (mode 0600)\nthumbprint: {info['thumbprint']}\n"
    )
    return 0


def cmd_key_show(ctx: Context) -> int:
    path = user_path(ctx.args.path)
    info = _key_info(path, ctx.load_key(path))
    text = (
        f"path:       {info['path']}\ntype:       {info['type']} ({info['alg']})\n"
        f"thumbprint: {info['thumbprint']}\nmode:       {info['mode']}\n"
        f"jwk:        {json.dumps(info['jwk'])}"
    )
    if int(info["mode"], 8) & 0o077:
        text += f"\nwarning: {path} is readable by group or others; run chmod 600 {path}"
    ctx.emit(info, text)
    return 0


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


def _external_account_binding(ctx: Context) -> tuple[str, str] | None:
    """The options' EAB pair, else the config's (accounts.external_account_binding checks
    it). The MAC key comes from --eab-hmac-key-file, else --eab-hmac-key (which `ps` shows:
    warned), else the environment or the config (config.configured_eab_mac_key)."""
    args = ctx.args
    if args.eab_hmac_key_file and args.eab_hmac_key:
        raise InputError("give the EAB MAC key once: --eab-hmac-key-file or --eab-hmac-key")
    if args.eab_hmac_key:
        ctx.err.write(
            "acmedash: warning: --eab-hmac-key is visible to other users of this machine (ps); "
            f"use --eab-hmac-key-file FILE or ${EAB_KEY_ENV}\n"
        )
    if args.eab_hmac_key_file:
        mac_key = read_secret_file(user_path(args.eab_hmac_key_file), "EAB MAC key")
    else:
        mac_key = args.eab_hmac_key or configured_eab_mac_key(ctx.settings)
    return accounts.external_account_binding(
        args.eab_kid or ctx.settings.eab_kid,
        mac_key,
        where=f"--eab-kid and --eab-hmac-key-file, ${EAB_KEY_ENV}, or the config",
    )


async def cmd_account_new(ctx: Context) -> int:
    ctx.confirm_production("create an account")
    eab = _external_account_binding(ctx)
    contacts = ctx.contacts()
    path = ctx.key_path()
    key, generated = await accounts.key_for_new_account(path, ctx.prompts, ctx.load_key)
    if generated:
        ctx.err.write(f"generated {DEFAULT_KEY_TYPE} key at {path}\n")
    session = ctx.session(key)
    async with session.client() as client:
        account = await accounts.new_account(session, client, ctx.prompts, contacts, eab)
        heading = "account created" if account.created else "this key already had an account"
        ctx.emit(_account_json(account, client), _account_text(account, heading))
    _say_config_endpoint(ctx)
    return 0


def _say_config_endpoint(ctx: Context) -> None:
    """--endpoint is for this command only: say so when the config names another CA, so that
    the next command without it does not look for this account there."""
    from tui.endpoints import resolve

    configured = ctx.settings.endpoint
    if ctx.args.endpoint and resolve(configured).url != ctx.endpoint().url:
        ctx.err.write(
            f"note: --endpoint is for this command only; without it acmedash uses "
            f"{printable(configured)} (endpoint in {ctx.config_path}, or the default): pass "
            "--endpoint (and --ca-bundle) again, or set endpoint there, to use this account\n"
        )


async def cmd_account_show(ctx: Context) -> int:
    session = ctx.account_session()
    async with session.client() as client:
        await accounts.find_account(session, client)
        account = await accounts.fetch_account(session, client)
        ctx.emit(_account_json(account, client), _account_text(account, "account"))
    return 0


async def cmd_account_update(ctx: Context) -> int:
    contacts = ctx.contacts(ctx.args.new_contacts)
    ctx.confirm_production("update the account's contacts")
    session = ctx.account_session()
    async with session.client() as client:
        account = await accounts.update_contacts(session, client, contacts)
    saved = accounts.keep_contacts(session, contacts)
    heading = "account updated" + (f"; contacts saved in {ctx.config_path}" if saved else "")
    ctx.emit(_account_json(account, client), _account_text(account, heading))
    if note := accounts.contacts_not_taken(account, contacts):
        ctx.err.write(f"acmedash: warning: {note}\n")
    return 0


async def cmd_account_rollover(ctx: Context) -> int:
    """The key is remembered by its absolute path (in the config, and in the renewal.toml of
    every certificate renewed with the old key at this CA): a timer runs in `/`."""
    from tui import key_rollover
    from tui.cli.renew import store

    new_path = user_path(ctx.args.new_key).absolute()
    ctx.confirm_production("replace the account key")
    session = ctx.account_session()
    async with session.client() as client:
        done = await key_rollover.rollover(session, client, new_path, store(ctx), ctx.load_key)
    if done.rollover.generated:
        ctx.err.write(f"generated {DEFAULT_KEY_TYPE} key at {new_path} (mode 0600)\n")
    ctx.out.write(f"account {printable(done.rollover.url)} now uses the key in {new_path}\n")
    moved = counted(len(done.moved), "certificate")
    ctx.out.write(f"{moved} will renew with the new key (renewal.toml)\n")
    return 0


async def cmd_account_deactivate(ctx: Context) -> int:
    ctx.confirm_production("deactivate the account")
    session = ctx.account_session()
    async with session.client() as client:
        account = await accounts.deactivate(session, client, ctx.prompts)
    ctx.out.write(f"account {printable(account.url)} is {printable(account.status)}\n")
    return 0


# Orders fetched and shown; the rest are counted. The client sends at most MAX_CONNECTIONS (10)
# requests at once whatever the number of tasks (core's slots), so these wait their turn there.
SHOWN_ORDERS = 100


async def cmd_account_orders(ctx: Context) -> int:
    async with ctx.account_session().client() as client:
        account = await client.fetch_account()
        listing = await client.list_orders(account)

        async def fetch(url: str) -> Order:
            try:
                return await client.fetch_order(url)
            except AcmeError as exc:
                raise detached(exc) from None  # kept until every fetch has ended

        fetched = await asyncio.gather(
            *(fetch(u) for u in listing.urls[:SHOWN_ORDERS]), return_exceptions=True
        )
    orders = []
    for order in fetched:  # every fetch has ended: the first failure is raised, none left behind
        if isinstance(order, BaseException):
            raise order
        orders.append(order)
    rows = [
        {
            "url": o.url,
            "status": o.status,
            "names": [i.value for i in o.identifiers],
            "expires": o.expires,
            "certificate": o.certificate,
        }
        for o in orders
    ]
    p = printable
    text = "\n".join(
        f"{p(o.status):<10} {p(', '.join(i.value for i in o.identifiers))}  {p(o.url)}"
        for o in orders
    )
    ctx.emit(rows, text or "no orders")
    if not listing.complete:
        ctx.err.write(
            f"the CA lists more orders than acmedash reads; the first {len(orders)} shown\n"
        )
    elif len(listing.urls) > len(orders):
        more = len(listing.urls) - len(orders)
        ctx.err.write(f"{more} more orders not shown; the first {len(orders)} are\n")
    return 0


HANDLERS: dict[tuple[str | None, str | None], Handler] = {
    ("key", "generate"): cmd_key_generate,
    ("key", "show"): cmd_key_show,
    ("account", "new"): cmd_account_new,
    ("account", "show"): cmd_account_show,
    ("account", "update"): cmd_account_update,
    ("account", "rollover"): cmd_account_rollover,
    ("account", "deactivate"): cmd_account_deactivate,
    ("account", "orders"): cmd_account_orders,
}
