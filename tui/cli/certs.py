"""`acmedash cert issue|revoke|info` (`cert renew` and `cert list` are cli/renew.py). The
issuance and the revocation are tui/workflow.py, shared with the dashboard; this module turns
options into IssueOptions and results into lines, and remembers how each certificate was
issued (renewal.toml) for its renewals. Heavy imports stay inside the handlers so that
`acmedash --help` and the dashboard start without them."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui import accounts, workflow
from tui.acme.errors import AcmeError, InputError
from tui.acme.key_types import DEFAULT_KEY_TYPE, KEY_TYPES
from tui.acme.text import printable
from tui.cli import renew
from tui.cli.context import Context, Handler
from tui.cli.options import global_options, port
from tui.config import ConfigError
from tui.user_paths import user_path
from tui.words import counted
from tui.workflow import CHALLENGES, IssueOptions, IssueResult, SolverChoice

if TYPE_CHECKING:
    from tui.acme.challenges import Solver
    from tui.acme.client import AcmeClient
    from tui.dns.method import DnsMethod
    from tui.renewal import RenewalSettings
    from tui.session import Session


def add_parsers(commands: Any) -> None:
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
    renew.add_parsers(actions, _solver_options)
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
    for leaf in (issue, revoke, info):
        global_options(leaf, nested=True)


def _solver_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--challenge",
        choices=CHALLENGES,
        help="how the CA checks you control the names (default: http-01; dns-01 with any --dns*)",
    )
    parser.add_argument(
        "--http-port",
        type=port,
        default=80,
        metavar="N",
        help="port of the http-01 responder: the one the CA fetches from (default: %(default)s)",
    )
    parser.add_argument(
        "--tls-port",
        type=port,
        default=443,
        metavar="N",
        help="port of the tls-alpn-01 responder (default: %(default)s)",
    )
    parser.add_argument(
        "--listen",
        default="0.0.0.0",  # noqa: S104 - the CA connects from outside
        metavar="ADDRESS",
        help="address the http-01 / tls-alpn-01 responder binds to (default: %(default)s)",
    )
    parser.add_argument("--webroot", metavar="DIR", help="http-01: write files here instead")
    parser.add_argument(
        "--dns-hook",
        metavar="CMD",
        help="dns-01 (implied): run `CMD set|clear NAME VALUE` to publish the TXT record",
    )
    _dns_options(parser)
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


def _dns_options(parser: argparse.ArgumentParser) -> None:
    """dns-01 published by acmedash; each one overrides the config's [dns] key of that name.
    No option takes a secret: `ps` shows the command line to every user."""
    dns = parser.add_argument_group("dns-01 publishing (overrides the config's [dns] table)")
    dns.add_argument(
        "--dns",
        dest="dns_method",
        metavar="rfc2136|PROVIDER",
        help="publish the TXT record by RFC 2136 update, or through a dns-lexicon provider",
    )
    dns.add_argument(
        "--dns-server", metavar="HOST[:PORT]", help="RFC 2136 update server (port 53 default)"
    )
    dns.add_argument("--tsig-key", metavar="NAME", help="TSIG key name")
    dns.add_argument("--tsig-algorithm", metavar="ALG", help="TSIG algorithm (default hmac-sha256)")
    dns.add_argument(
        "--tsig-secret-file",
        metavar="FILE",
        help="0600 file: the base64 secret or a BIND key block (or $ACMEDASH_TSIG_SECRET)",
    )
    dns.add_argument("--dns-alias", metavar="ZONE", help="publish at _acme-challenge.ZONE")
    dns.add_argument(
        "--dns-timeout",
        type=_seconds,
        metavar="SECONDS",
        help="wait this long for every authoritative server (default 120)",
    )


def _seconds(text: str) -> float:
    from tui.dns.method import check_timeout

    try:
        return check_timeout(float(text), "--dns-timeout")
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _dns_method(ctx: Context) -> DnsMethod:
    """The config's [dns] table with the command line's --dns* options on top."""
    from tui.dns import method

    return method.with_overrides(
        method.from_config(ctx.settings.dns), **method.given_options(ctx.args)
    )


def _solver(ctx: Context, choice: SolverChoice) -> Solver:
    return workflow.build_solver(choice, _progress(ctx), ctx.settings.dns)


def _choice(ctx: Context) -> SolverChoice:
    args = ctx.args
    return SolverChoice(
        challenge=args.challenge,
        listen=args.listen,
        http_port=args.http_port,
        tls_port=args.tls_port,
        webroot=args.webroot or "",
        dns_hook=args.dns_hook or "",
        dns=_dns_method(ctx) if args.challenge == "dns-01" else None,
    )


def _options(ctx: Context, names: list[str], out: Path, csr: bytes | None = None) -> IssueOptions:
    args = ctx.args
    return IssueOptions(
        names=names,
        out=out,
        key_type=args.key_type,
        csr=csr,
        profile=args.profile or "",
        preferred_chain=args.preferred_chain or "",
        deploy_hook=args.deploy_hook or ctx.settings.deploy_hook,
    )


async def _account_client(session: Session) -> AcmeClient:
    """A client whose account is known (looked up, and remembered, when it was not)."""
    client = session.client()
    try:
        await accounts.require_account(client, session)
    except BaseException:
        await client.aclose()
        raise
    return client


def _progress(ctx: Context) -> workflow.Progress:
    return lambda line: print(f"  {printable(line)}", file=ctx.err)


def _issued_text(result: IssueResult) -> str:
    lines = [f"certificate for {', '.join(result.names)} saved in {result.folder}"]
    lines.append(f"  expires {result.not_after}, chain to {printable(result.issuer)}")
    if result.archived:
        lines.append(f"  previous files kept in {result.archived}")
    return "\n".join(lines)


async def _issue_each(ctx: Context, names: list[str]) -> int:
    """`cert issue --each`: every name's result is reported; the first failure, raised once the
    others are done, sets the exit code."""
    root = user_path(ctx.args.out) if ctx.args.out else None
    folders = {name: workflow.folder_for([name], renew.store(ctx)) for name in names}
    orders = [
        _options(ctx, [name], root / folder.name if root else folder)
        for name, folder in folders.items()
    ]
    choice = _choice(ctx)
    solver = _solver(ctx, choice)
    async with await _account_client(ctx.account_session()) as client:
        outcomes = await workflow.issue_each(
            client,
            solver,
            orders,
            lambda name, line: print(f"  [{name}] {printable(line)}", file=ctx.err),
        )
    done = [o for o in outcomes if isinstance(o, IssueResult)]
    for result, options in zip(outcomes, orders, strict=True):
        if isinstance(result, IssueResult):
            renew.remember(ctx, choice, options)
    failed = [(n, o) for n, o in zip(names, outcomes, strict=True) if isinstance(o, Exception)]
    ctx.emit(
        [*(r.to_json() for r in done), *({"names": [n], "error": str(e)} for n, e in failed)],
        "\n".join(_issued_text(result) for result in done),
    )
    for name, error in failed[1:]:
        print(f"acmedash: {name}: {printable(str(error))}", file=ctx.err)
    if failed:
        raise failed[0][1]  # reported by cli.command.run, which also sets the exit code
    return 0


def _names_and_csr(ctx: Context) -> tuple[list[str], bytes | None, bool]:
    """(names, CSR, whether the CSR is the config's csr_file). With neither -d nor --csr, the
    configured csr_file is the CSR: the NeoPrime acme.ini's CSRFile flow."""
    args = ctx.args
    names = workflow.ordered_names(args.domains or [])
    if args.each and args.csr:
        raise InputError("--each makes a key and CSR per name; it cannot take --csr")
    csr_path = args.csr
    from_config = not csr_path and not names and not args.each and bool(ctx.settings.csr_file)
    if from_config:
        csr_path = ctx.settings.csr_file
        print(f"  CSR from the config's csr_file: {csr_path}", file=ctx.err)
    csr: bytes | None = None
    if csr_path:
        from tui.acme.csr import read_csr_file

        csr, given = read_csr_file(user_path(csr_path))
        csr_names = workflow.ordered_names(given)
        names = names or csr_names
        if sorted(names) != sorted(csr_names):
            raise InputError(f"-d names {names} differ from the CSR's names {csr_names}")
    if not names:
        raise InputError("name at least one domain with -d NAME (or pass --csr)")
    return names, csr, from_config


def _csr_path(ctx: Context, from_config: bool) -> Path:
    """The CSR file a renewal reads again, by its absolute path (a timer runs in `/`)."""
    given = ctx.settings.csr_file if from_config else ctx.args.csr
    return user_path(given).absolute()


async def cmd_cert_issue(ctx: Context) -> int:
    """With the config's csr_file as the CSR, the full chain is also written to the configured
    chain_file: the NeoPrime acme.ini's ChainFile."""
    from tui.dns.method import implied_challenge

    args = ctx.args
    args.challenge = implied_challenge(args.challenge, args)
    names, csr, from_config = _names_and_csr(ctx)
    csr_path = _csr_path(ctx, from_config) if csr is not None else None
    workflow.check_names(names, args.challenge)
    if args.each:
        ctx.confirm_production(f"issue {counted(len(names), 'certificate')}, one per name")
        return await _issue_each(ctx, names)
    ctx.confirm_production(f"issue a certificate for {', '.join(names)}")
    out = user_path(args.out) if args.out else workflow.folder_for(names, renew.store(ctx))
    choice, options = _choice(ctx), _options(ctx, names, out, csr)
    solver = _solver(ctx, choice)
    async with await _account_client(ctx.account_session()) as client:
        result = await workflow.issue(client, solver, options, _progress(ctx))
    renew.remember(ctx, choice, options, csr_path)
    record, text = result.to_json(), _issued_text(result)
    if from_config and ctx.settings.chain_file:
        from tui.certstore import save_chain_file

        chain_file = user_path(ctx.settings.chain_file)
        archived = save_chain_file(chain_file, result.fullchain)
        record["chain_file"] = str(chain_file)
        text += f"\n  full chain also written to {chain_file} (the config's chain_file)"
        if archived:
            text += f"\n  previous chain file kept in {archived}"
    ctx.emit(record, text)
    return 0


async def cmd_cert_revoke(ctx: Context) -> int:
    from tui import revocation
    from tui.acme import keys
    from tui.acme.certificates import names_of, reason_code, reason_name

    path = user_path(ctx.args.cert)
    certificate = workflow.load_certificate_file(path)
    reason = reason_code(ctx.args.reason)
    ctx.confirm_production(f"revoke the certificate for {', '.join(names_of(certificate))}")
    if ctx.args.cert_key:
        cert_key = keys.load_key(user_path(ctx.args.cert_key))
        async with ctx.session().client() as client:
            await revocation.revoke(client, certificate, reason, cert_key)
    else:
        async with ctx.account_session().client() as client:
            await revocation.revoke(client, certificate, reason)
    revocation.remember(path, certificate, reason_name(reason))  # for `cert list`, the dashboard
    ctx.out.write(f"revoked {certificate.serial_number:x} (reason {reason})\n")
    return 0


def _names_a_ca(ctx: Context) -> bool:
    """Whether the user named the CA to ask about a certificate: --endpoint, or an endpoint
    of their own in the config. The built-in default (Let's Encrypt staging) is no answer: it
    is asked about certificates it never issued (a 404, shown as if ARI were broken), and it
    learns of certificates from other CAs."""
    from tui.config import Settings

    return bool(ctx.args.endpoint) or ctx.settings.endpoint != Settings().endpoint


def _issuing_ca(path: Path, certificate: Any) -> RenewalSettings | None:
    """The renewal.toml of the managed folder this certificate is the current one of: its
    directory is the CA that issued it (a copy elsewhere, or an archived version, has none)."""
    from tui import renewal

    folder = path if path.is_dir() else path.parent
    try:
        settings = renewal.load_settings(folder)
        current = workflow.load_certificate_file(folder / "cert.pem")
    except (InputError, ConfigError):
        return None
    return settings if current.serial_number == certificate.serial_number else None


async def _ari(ctx: Context, path: Path, certificate: Any) -> dict[str, Any] | None:
    """The CA's renewal window: asked of --endpoint, else of the CA in the certificate's
    renewal.toml, else of the config's own endpoint; never of a CA nobody named (then the
    answer says ARI was not asked)."""
    remembered = None if ctx.args.endpoint else _issuing_ca(path, certificate)
    if remembered is None and not _names_a_ca(ctx):
        return {"not_asked": "no CA named: --endpoint, the endpoint in the config, or renewal.toml"}
    session = ctx.session() if remembered is None else renew.session_for(ctx, remembered)
    try:
        async with session.client() as client:
            window = await client.renewal_info(certificate)
    except (AcmeError, InputError) as exc:
        return {"error": str(exc)}
    if window is None:
        return None
    return {"start": window.start, "end": window.end, "explanationURL": window.explanation_url}


async def cmd_cert_info(ctx: Context) -> int:
    from tui.acme.certificates import describe

    path = user_path(ctx.args.cert)
    certificate = workflow.load_certificate_file(path / "cert.pem" if path.is_dir() else path)
    info: dict[str, Any] = describe(certificate)
    info["ari"] = await _ari(ctx, path, certificate)
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
    elif "not_asked" in ari:
        lines.append(f"{'ari':<11}not asked ({ari['not_asked']})")
    else:
        lines.append(f"{'ari':<11}renew between {p(ari['start'])} and {p(ari['end'])}")
    ctx.emit(info, "\n".join(lines))
    return 0


HANDLERS: dict[tuple[str | None, str | None], Handler] = {
    ("cert", "issue"): cmd_cert_issue,
    **renew.HANDLERS,
    ("cert", "revoke"): cmd_cert_revoke,
    ("cert", "info"): cmd_cert_info,
}
