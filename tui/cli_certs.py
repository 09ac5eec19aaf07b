"""Headless certificate and account-lifecycle commands: `cert issue|renew|revoke|info` and
`account rollover|deactivate|orders`. Registered by cli.py; heavy imports stay inside the
handlers so that `acmedash --help` and the dashboard start without them."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.acme.errors import AcmeError, InputError
from tui.acme.identifiers import identifier_for
from tui.acme.key_types import DEFAULT_KEY_TYPE, KEY_TYPES
from tui.acme.text import printable
from tui.workflow import (
    CHALLENGES,
    SolverChoice,
    build_solver,
    check_names,
    folder_for,
    issue_and_save,
    issue_each_and_save,
    require_account,
)

if TYPE_CHECKING:
    from cryptography import x509

    from tui.acme.client import AcmeClient
    from tui.cli import Context, Handler


def add_cert_parsers(commands: Any) -> list[argparse.ArgumentParser]:
    """Adds `cert ...`; returns the leaf parsers (cli.py adds the global options to them)."""
    cert = commands.add_parser("cert", help="issue, renew, revoke, inspect certificates")
    actions = cert.add_subparsers(dest="cert_command", metavar="ACTION", required=True)
    issue = actions.add_parser("issue", help="order, validate, finalize, download, save")
    issue.add_argument(
        "-d",
        "--domain",
        dest="domains",
        action="append",
        metavar="NAME",
        help="a dns name, wildcard or IP address (repeatable)",
    )
    _solver_options(issue)
    issue.add_argument(
        "--key-type",
        choices=KEY_TYPES,
        default=DEFAULT_KEY_TYPE,
        help="type of the new certificate key",
    )
    issue.add_argument(
        "--csr", metavar="FILE", help="use this CSR (PEM or DER) instead of a new key"
    )
    issue.add_argument(
        "--profile", metavar="NAME", help="certificate profile, when the CA has them"
    )
    issue.add_argument(
        "--each",
        action="store_true",
        help="one certificate per name, all ordered at once (--out DIR holds a folder per name)",
    )
    renew = actions.add_parser("renew", help="a new certificate for the same names (ARI aware)")
    renew.add_argument("cert", metavar="CERT")
    _solver_options(renew)
    renew.add_argument("--key-type", choices=KEY_TYPES, default=DEFAULT_KEY_TYPE)
    renew.add_argument("--profile", metavar="NAME")
    revoke = actions.add_parser("revoke", help="revoke a certificate")
    revoke.add_argument("cert", metavar="CERT")
    revoke.add_argument("--reason", default="unspecified", metavar="NAME|CODE")
    revoke.add_argument(
        "--cert-key",
        metavar="PATH",
        help="sign with the certificate's own key instead of the account key",
    )
    info = actions.add_parser("info", help="names, issuer, validity, serial, ARI window")
    info.add_argument("cert", metavar="CERT")
    info.add_argument("--json", action="store_true")
    return [issue, renew, revoke, info]


def port(text: str) -> int:
    """An argparse type: a TCP port, 1-65535, so a bad one is a usage error before any order
    is created rather than a failed bind after it."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {value} is out of range (1-65535)")
    return value


def _solver_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--challenge", choices=CHALLENGES, default="http-01")
    parser.add_argument("--http-port", type=port, default=80, metavar="N")
    parser.add_argument("--tls-port", type=port, default=443, metavar="N")
    parser.add_argument(
        "--listen",
        default="0.0.0.0",  # noqa: S104 - the CA connects from outside
        metavar="ADDRESS",
        help="address the http-01 / tls-alpn-01 responder binds to",
    )
    parser.add_argument("--webroot", metavar="DIR", help="http-01: write files here instead")
    parser.add_argument(
        "--dns-hook",
        metavar="CMD",
        help="dns-01: run `CMD set|clear NAME VALUE` to publish the TXT record",
    )
    parser.add_argument("--out", metavar="DIR", help="folder for cert.pem, fullchain.pem, ...")
    parser.add_argument(
        "--preferred-chain",
        metavar="ISSUER_CN",
        help="pick the alternate chain with this issuer common name",
    )
    parser.add_argument(
        "--deploy-hook",
        metavar="CMD",
        help="run after saving, with the file paths in ACMEDASH_* variables",
    )
    parser.add_argument("--json", action="store_true")


def add_account_parsers(account: Any) -> list[argparse.ArgumentParser]:
    rollover = account.add_parser("rollover", help="replace the account key (RFC 8555 §7.3.5)")
    rollover.add_argument("new_key", metavar="NEW_KEY")
    deactivate = account.add_parser("deactivate", help="deactivate the account, for good")
    orders = account.add_parser("orders", help="list the account's orders")
    orders.add_argument("--json", action="store_true")
    return [rollover, deactivate, orders]


def _read_csr(path: Path) -> tuple[bytes, list[str]]:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read CSR ({exc.strerror})") from None
    try:
        csr = (x509.load_pem_x509_csr if b"-----BEGIN" in data else x509.load_der_x509_csr)(data)
    except ValueError:
        raise InputError(f"{path}: not a PEM or DER certificate signing request") from None
    if not csr.is_signature_valid:
        raise InputError(f"{path}: the CSR's signature does not verify")
    try:
        san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [str(n) for n in san.get_values_for_type(x509.DNSName)]
        names += [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        names = []
    return csr.public_bytes(serialization.Encoding.DER), _names(names)


def _names(given: list[str]) -> list[str]:
    """The names as they will be ordered (identifiers.identifier_for: lower case, no trailing
    dot, IDNA), each checked before any request; a name given twice, in any spelling, once
    (--each would otherwise race two orders for one folder)."""
    return list(dict.fromkeys(identifier_for(name).value for name in given if name.strip()))


def _load_cert(path_text: str) -> x509.Certificate:
    from tui.acme.certificates import load_certificate

    path = Path(path_text).expanduser()
    try:
        return load_certificate(path.read_bytes(), str(path))
    except OSError as exc:
        raise InputError(f"{path}: cannot read certificate ({exc.strerror})") from None


def _choice(args: argparse.Namespace) -> SolverChoice:
    return SolverChoice(
        challenge=args.challenge,
        listen=args.listen,
        http_port=args.http_port,
        tls_port=args.tls_port,
        webroot=args.webroot or "",
        dns_hook=args.dns_hook or "",
    )


async def _account_client(ctx: Context) -> AcmeClient:
    """A client whose account is known (looked up, and remembered, when it was not)."""
    client = ctx.client(ctx.load_key(ctx.key_path()))
    try:
        url = await require_account(client)
    except BaseException:
        await client.aclose()
        raise
    if ctx.settings.account_for(client.directory_url, client.thumbprint) != url:
        from tui.config import save_settings

        ctx.settings.remember_account(client.directory_url, client.thumbprint, url)
        save_settings(ctx.settings, ctx.config_path)
    return client


async def _issue_and_save(
    ctx: Context, names: list[str], out: Path, *, csr: bytes | None = None, replaces: str = ""
) -> dict[str, Any]:
    args = ctx.args
    solver = build_solver(_choice(args))
    async with await _account_client(ctx) as client:
        return await issue_and_save(
            client,
            names,
            solver,
            out,
            key_type=args.key_type,
            csr=csr,
            profile=args.profile or "",
            replaces=replaces,
            preferred_chain=args.preferred_chain or "",
            deploy_hook=args.deploy_hook or ctx.settings.deploy_hook,
            progress=lambda line: print(f"  {printable(line)}", file=ctx.err),
        )


def _issued_text(result: dict[str, Any]) -> str:
    lines = [f"certificate for {', '.join(result['names'])} saved in {result['folder']}"]
    lines.append(f"  expires {result['not_after']}, chain to {printable(result['issuer'])}")
    if result["archived"]:
        lines.append(f"  previous files kept in {result['archived']}")
    return "\n".join(lines)


async def _issue_each(ctx: Context, names: list[str]) -> int:
    """`cert issue --each`: every name's result is reported; the first failure, raised once the
    others are done, sets the exit code."""
    args = ctx.args
    root = Path(args.out).expanduser() if args.out else None
    solver = build_solver(_choice(args))
    async with await _account_client(ctx) as client:
        outcomes = await issue_each_and_save(
            client,
            names,
            solver,
            lambda name: root / folder_for([name]).name if root else folder_for([name]),
            key_type=args.key_type,
            profile=args.profile or "",
            preferred_chain=args.preferred_chain or "",
            deploy_hook=args.deploy_hook or ctx.settings.deploy_hook,
            progress=lambda name, line: print(f"  [{name}] {printable(line)}", file=ctx.err),
        )
    done = [o for o in outcomes if not isinstance(o, Exception)]
    failed = [(n, o) for n, o in zip(names, outcomes, strict=True) if isinstance(o, Exception)]
    ctx.emit(
        [*done, *({"names": [n], "error": str(e)} for n, e in failed)],
        "\n".join(_issued_text(result) for result in done),
    )
    for name, error in failed[1:]:
        print(f"acmedash: {name}: {printable(str(error))}", file=ctx.err)
    if failed:
        raise failed[0][1]  # reported by cli.run, which also sets the exit code
    return 0


async def cmd_cert_issue(ctx: Context) -> int:
    """With neither -d nor --csr, the configured csr_file is the CSR and the full chain is also
    written to the configured chain_file: the NeoPrime acme.ini's CSRFile / ChainFile flow."""
    args = ctx.args
    names = _names(args.domains or [])
    csr: bytes | None = None
    if args.each and args.csr:
        raise InputError("--each makes a key and CSR per name; it cannot take --csr")
    csr_path = args.csr
    from_config = not csr_path and not names and not args.each and bool(ctx.settings.csr_file)
    if from_config:
        csr_path = ctx.settings.csr_file
        print(f"  CSR from the config's csr_file: {csr_path}", file=ctx.err)
    if csr_path:
        csr, csr_names = _read_csr(Path(csr_path).expanduser())
        names = names or csr_names
        if sorted(names) != sorted(csr_names):
            raise InputError(f"-d names {names} differ from the CSR's names {csr_names}")
    if not names:
        raise InputError("name at least one domain with -d NAME (or pass --csr)")
    check_names(names, args.challenge)
    if args.each:
        ctx.confirm_production(f"issue {len(names)} certificates, one per name")
        return await _issue_each(ctx, names)
    ctx.confirm_production(f"issue a certificate for {', '.join(names)}")
    out = Path(args.out).expanduser() if args.out else folder_for(names)
    result = await _issue_and_save(ctx, names, out, csr=csr)
    text = _issued_text(result)
    if from_config and ctx.settings.chain_file:
        from tui.certstore import save_chain_file

        chain_file = Path(ctx.settings.chain_file).expanduser()
        archived = save_chain_file(chain_file, Path(result["fullchain"]))
        result["chain_file"] = str(chain_file)
        text += f"\n  full chain also written to {chain_file} (the config's chain_file)"
        if archived:
            text += f"\n  previous chain file kept in {archived}"
    ctx.emit(result, text)
    return 0


async def cmd_cert_renew(ctx: Context) -> int:
    from tui.acme.certificates import ari_cert_id, names_of

    certificate = _load_cert(ctx.args.cert)
    names = _names(names_of(certificate))
    check_names(names, ctx.args.challenge)  # before the ARI request, as for `cert issue`
    ctx.confirm_production(f"renew the certificate for {', '.join(names)}")
    out = (
        Path(ctx.args.out).expanduser() if ctx.args.out else Path(ctx.args.cert).expanduser().parent
    )
    replaces = ""
    async with ctx.client(None) as client:
        window = await client.renewal_info(certificate)
    if window is not None:
        replaces = ari_cert_id(certificate)
        ctx.err.write(
            f"  ARI suggests renewing between {printable(window.start)} and "
            f"{printable(window.end)}\n"
        )
    result = await _issue_and_save(ctx, names, out, replaces=replaces)
    result["replaces"] = replaces or None
    ctx.emit(result, _issued_text(result))
    return 0


async def cmd_cert_revoke(ctx: Context) -> int:
    from tui.acme import keys
    from tui.acme.certificates import names_of, reason_code

    certificate = _load_cert(ctx.args.cert)
    reason = reason_code(ctx.args.reason)
    ctx.confirm_production(f"revoke the certificate for {', '.join(names_of(certificate))}")
    if ctx.args.cert_key:
        cert_key = keys.load_key(Path(ctx.args.cert_key).expanduser())
        async with ctx.client(None) as client:
            await client.revoke(certificate, reason, certificate_key=cert_key)
    else:
        async with ctx.client(ctx.load_key(ctx.key_path())) as client:
            await client.revoke(certificate, reason)
    ctx.out.write(f"revoked {certificate.serial_number:x} (reason {reason})\n")
    return 0


async def cmd_cert_info(ctx: Context) -> int:
    from tui.acme.certificates import describe

    certificate = _load_cert(ctx.args.cert)
    info: dict[str, Any] = describe(certificate)
    try:
        async with ctx.client(None) as client:
            window = await client.renewal_info(certificate)
        info["ari"] = (
            None
            if window is None
            else {
                "start": window.start,
                "end": window.end,
                "explanationURL": window.explanation_url,
            }
        )
    except (AcmeError, InputError) as exc:
        info["ari"] = {"error": str(exc)}
    p = printable
    lines = [
        f"{key:<11}{p(str(value))}" for key, value in info.items() if key not in ("names", "ari")
    ]
    lines.insert(1, f"{'names':<11}{p(', '.join(info['names']))}")
    ari = info["ari"]
    if ari is None:
        lines.append(f"{'ari':<11}not offered by this CA")
    elif "error" in ari:
        lines.append(f"{'ari':<11}unavailable: {p(ari['error'])}")
    else:
        lines.append(f"{'ari':<11}renew between {p(ari['start'])} and {p(ari['end'])}")
    ctx.emit(info, "\n".join(lines))
    return 0


async def cmd_account_rollover(ctx: Context) -> int:
    from tui.config import save_settings

    new_path = Path(ctx.args.new_key).expanduser()
    ctx.confirm_production("replace the account key")
    old_key, new_key = ctx.load_key(ctx.key_path()), ctx.load_key(new_path)
    async with ctx.client(old_key) as client:
        url = await client.known_account_url()
        old = client.thumbprint
        await client.change_key(new_key)
        ctx.settings.forget_account(client.directory_url, old)
        ctx.settings.remember_account(client.directory_url, client.thumbprint, url)
    if ctx.settings.account_key and Path(ctx.settings.account_key).expanduser() == ctx.key_path():
        ctx.settings.account_key = str(new_path)
    save_settings(ctx.settings, ctx.config_path)
    ctx.out.write(f"account {printable(url)} now uses the key in {new_path}\n")
    return 0


async def cmd_account_deactivate(ctx: Context) -> int:
    ctx.confirm_production("deactivate the account")
    if not ctx.args.yes:
        if not ctx.interactive:
            raise InputError("deactivation cannot be undone: pass --yes to confirm")
        ctx.err.write("Deactivation cannot be undone. Type `deactivate` to confirm: ")
        ctx.err.flush()
        import sys

        if sys.stdin.readline().strip() != "deactivate":
            raise InputError("cancelled")
    async with ctx.client(ctx.load_key(ctx.key_path())) as client:
        account = await client.deactivate_account()
        ctx.settings.forget_account(client.directory_url, client.thumbprint)
    from tui.config import save_settings

    save_settings(ctx.settings, ctx.config_path)
    ctx.out.write(f"account {printable(account.url)} is {printable(account.status)}\n")
    return 0


async def cmd_account_orders(ctx: Context) -> int:
    async with ctx.client(ctx.load_key(ctx.key_path())) as client:
        account = await client.fetch_account()
        urls = await client.list_orders(account)
        orders = await asyncio.gather(*(client.fetch_order(u) for u in urls))
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
    return 0


HANDLERS: dict[tuple[str | None, str | None], Handler] = {
    ("cert", "issue"): cmd_cert_issue,
    ("cert", "renew"): cmd_cert_renew,
    ("cert", "revoke"): cmd_cert_revoke,
    ("cert", "info"): cmd_cert_info,
    ("account", "rollover"): cmd_account_rollover,
    ("account", "deactivate"): cmd_account_deactivate,
    ("account", "orders"): cmd_account_orders,
}
