"""Issue and renew, shared by `acmedash cert ...` and the dashboard's Orders panel:
choose a solver, make the key and CSR, run the issuance, pick the chain, save the folder, run
the deploy hook; for a renewal, decide on ARI's `replaces`. One implementation with typed
options and results (IssueOptions, IssueResult), so both front ends behave the same.

Light to import: the protocol modules load when an issuance starts, not with the CLI.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.accounts import require_account
from tui.acme.errors import AcmeError, InputError, detached
from tui.acme.key_types import DEFAULT_KEY_TYPE
from tui.user_paths import user_path

if TYPE_CHECKING:
    from cryptography import x509

    from tui.acme.certificates import Chain
    from tui.acme.challenges import Solver
    from tui.acme.client import AcmeClient
    from tui.certstore import Saved
    from tui.dns.method import DnsMethod

CHALLENGES = ("http-01", "dns-01", "tls-alpn-01")

Progress = Callable[[str], None]  # one line of what is happening, for the user to read


def _silent(_line: str) -> None:
    return None


@dataclass(frozen=True)
class SolverChoice:
    challenge: str = "http-01"
    listen: str = "0.0.0.0"  # noqa: S104 - the CA connects from outside
    http_port: int = 80
    tls_port: int = 443
    webroot: str = ""
    dns_hook: str = ""
    # dns-01 published by acmedash itself (RFC 2136 or a lexicon provider); no secrets in it.
    # None, not an empty DnsMethod: tui.dns loads when dns-01 is asked for, not at start-up.
    dns: DnsMethod | None = None


def build_solver(
    choice: SolverChoice, progress: Progress = _silent, dns: dict[str, Any] | None = None
) -> Solver:
    """The solver `choice` names. `dns`: the config's [dns] table (settings.dns), where a DNS
    provider's options live ([dns.PROVIDER]); they may be secrets, so not in `choice`."""
    from tui.acme.challenges import DnsHookSolver, Http01Responder, WebrootSolver
    from tui.acme.tls_alpn import TlsAlpn01Responder

    if choice.challenge == "dns-01":
        if choice.dns_hook:
            return DnsHookSolver(choice.dns_hook)
        if choice.dns is not None and choice.dns.method:
            from tui.dns.solver import build_dns_solver

            return build_dns_solver(choice.dns, dns or {}, progress)
        raise InputError(
            "dns-01 needs a way to publish the TXT record: --dns rfc2136 --dns-server HOST "
            "(or the config's [dns] table), --dns PROVIDER (dns-lexicon), or --dns-hook CMD, "
            "run as `CMD set|clear NAME VALUE`"
        )
    if choice.challenge == "tls-alpn-01":
        return TlsAlpn01Responder(choice.listen, choice.tls_port)
    if choice.challenge != "http-01":
        raise InputError(f"unknown challenge type {choice.challenge!r}")
    if choice.webroot:
        return WebrootSolver(user_path(choice.webroot))
    return Http01Responder(choice.listen, choice.http_port)


def check_names(names: list[str], challenge: str) -> None:
    if not names:
        raise InputError("name at least one domain")
    if challenge != "dns-01" and any(n.startswith("*.") for n in names):
        raise InputError("wildcard names can only be validated with dns-01")
    if challenge == "dns-01" and (ips := [n for n in names if _is_ip(n)]):
        # RFC 8738 §7: "The existing "dns-01" challenge MUST NOT be used to validate IP
        # identifiers."
        raise InputError(f"{ips[0]} is an IP address: validate it with http-01 or tls-alpn-01")


def _is_ip(name: str) -> bool:
    import ipaddress  # not at start-up: only commands that order names need it

    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def folder_for(names: list[str], store: Path = Path("certs")) -> Path:
    return store / names[0].replace("*", "_wildcard").replace(":", "_")


def ordered_names(given: Sequence[str]) -> list[str]:
    """The names as they will be ordered (identifiers.identifier_for: lower case, no trailing
    dot, IDNA), each checked before any request; a name given twice, in any spelling, once
    (per-name orders would otherwise race two orders for one folder)."""
    from tui.acme.identifiers import identifier_for

    return list(dict.fromkeys(identifier_for(name).value for name in given if name.strip()))


def load_certificate_file(path: Path) -> x509.Certificate:
    """A certificate (PEM or DER) to renew, revoke or describe; one clear error otherwise."""
    from tui.acme.certificates import load_certificate

    try:
        return load_certificate(path.read_bytes(), str(path))
    except OSError as exc:
        raise InputError(f"{path}: cannot read certificate ({exc.strerror})") from None


@dataclass(frozen=True)
class IssueOptions:
    """One certificate to order. `csr`: a DER CSR of the user's own (then no key is made and
    no privkey.pem saved); `replaces`: the ARI certificate id it succeeds (RFC 9773 §5)."""

    names: list[str]
    out: Path
    key_type: str = DEFAULT_KEY_TYPE
    csr: bytes | None = None
    profile: str = ""
    replaces: str = ""
    preferred_chain: str = ""
    deploy_hook: str = ""
    reuse_key: Path | None = None  # renew with this certificate key (privkey.pem) again


@dataclass(frozen=True)
class IssueResult:
    """What an issuance did: where the files are, and what the CA issued."""

    names: list[str]
    folder: Path
    cert: Path
    chain: Path
    fullchain: Path
    privkey: Path | None  # None: the key behind a given CSR was never ours
    archived: Path | None  # where the folder's previous files were kept
    order: str
    certificate_url: str | None
    issuer: str  # the top issuer of the chain saved
    chains: list[str]  # the top issuer of every chain offered
    not_after: str  # ISO 8601, UTC
    serial: str  # hexadecimal
    replaces: str  # the ARI certificate id named in the order; "" for none

    def to_json(self) -> dict[str, Any]:
        """The record `acmedash cert ... --json` prints (paths as text, None for none)."""

        def text(path: Path | None) -> str | None:
            return str(path) if path is not None else None

        return {
            "names": self.names,
            "folder": str(self.folder),
            "cert": str(self.cert),
            "chain": str(self.chain),
            "fullchain": str(self.fullchain),
            "privkey": text(self.privkey),
            "archived": text(self.archived),
            "order": self.order,
            "certificate_url": self.certificate_url,
            "issuer": self.issuer,
            "chains": self.chains,
            "not_after": self.not_after,
            "serial": self.serial,
            "replaces": self.replaces or None,
        }


async def run_deploy_hook(command: str, saved: Saved, names: list[str]) -> None:
    """The user's own command line, run by a shell as they wrote it; what it needs to know
    (paths, the names asked for) is in ACMEDASH_* variables, never pasted into the command."""
    from tui.acme.hooks import run_hook

    env = {
        "ACMEDASH_FOLDER": str(saved.folder),
        "ACMEDASH_CERT": str(saved.cert),
        "ACMEDASH_CHAIN": str(saved.chain),
        "ACMEDASH_FULLCHAIN": str(saved.fullchain),
        "ACMEDASH_PRIVKEY": str(saved.privkey or ""),
        "ACMEDASH_DOMAINS": " ".join(names),
    }
    result = await run_hook(command, "acmedash-deploy-hook", [], env)
    if result.returncode != 0:
        raise InputError(
            f"certificate saved in {saved.folder}, but the deploy hook exited {result.returncode}"
            + (f": {result.last_line}" if result.last_line else "")
        )


def rescue_folder() -> Path:
    """Where a certificate goes when its folder cannot take it after issuance:
    $XDG_DATA_HOME/acmedash/rescued/<UTC time>/ (the store's own layout, privkey.pem 0600)."""
    from datetime import UTC, datetime

    from tui.config import default_data_dir

    root = default_data_dir() / "rescued"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root / datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def save_or_rescue(out: Path, chain: Chain, key_pem: bytes | None) -> Saved:
    """Saves in `out`; if that fails now that the certificate exists, saves it in
    rescue_folder() instead and says where in the error: an issued certificate (and the only
    copy of its key) is never dropped."""
    from tui.certstore import save

    try:
        return save(out, chain, key_pem)
    except InputError as failure:
        try:
            rescued = save(rescue_folder(), chain, key_pem)
        except (InputError, OSError) as exc:
            raise InputError(f"{failure}; keeping it elsewhere failed too: {exc}") from None
        raise InputError(
            f"{failure}; the certificate was issued and is kept in {rescued.folder}"
        ) from None


async def issue(
    client: AcmeClient, solver: Solver, options: IssueOptions, progress: Progress = _silent
) -> IssueResult:
    """Order, validate, finalize, download, save, deploy. Needs the client's account (said
    plainly when there is none). Closes the solver (stops the responder) however it ends."""
    try:
        await require_account(client)
        return await _issue_one(client, solver, options, progress)
    finally:
        await solver.close()


async def issue_each(
    client: AcmeClient,
    solver: Solver,
    orders: Sequence[IssueOptions],
    progress: Callable[[str, str], None] = lambda _name, _line: None,
) -> list[IssueResult | Exception]:
    """Several certificates, all ordered at once, sharing one solver (one responder), closed
    when the last one ends. `progress` gets each order's first name. A failed order does not
    stop the others: its entry is the error."""

    from tui.acme.issuance import concurrency_limit

    limit = concurrency_limit()  # one for the whole run: hooks of all names at once, bounded

    async def one(options: IssueOptions) -> IssueResult:
        name = options.names[0]
        try:
            return await _issue_one(
                client, solver, options, lambda line: progress(name, line), limit
            )
        except Exception as exc:
            raise detached(exc) from None  # kept until every order has ended

    try:
        await require_account(client)  # once, not by every order at the same time
        results = await asyncio.gather(*(one(o) for o in orders), return_exceptions=True)
    finally:
        await solver.close()
    outcomes: list[IssueResult | Exception] = []
    for result in results:
        if isinstance(result, Exception) or not isinstance(result, BaseException):
            outcomes.append(result)
        else:
            raise result  # a cancellation or an interrupt is not one name's failure
    return outcomes


async def renewal_replaces(
    client: AcmeClient, certificate: x509.Certificate, progress: Progress = _silent
) -> str:
    """The ARI policy (RFC 9773), for both front ends: the certificate id to name in the new
    order's `replaces` when the CA's renewalInfo answered. A CA without renewalInfo, or a
    lookup that failed in any way, never stops a renewal: it goes on without `replaces`, and
    `progress` says so."""
    from tui.acme.certificates import ari_cert_id

    try:
        window = await client.renewal_info(certificate)
    except AcmeError as exc:
        progress(f"ARI lookup failed ({exc}); renewing without `replaces`")
        return ""
    if window is None:
        progress("the CA offers no ARI (renewalInfo); renewing without `replaces`")
        return ""
    progress(f"ARI suggests renewing between {window.start} and {window.end}")
    return ari_cert_id(certificate)


async def renew(
    client: AcmeClient,
    solver: Solver,
    certificate: x509.Certificate,
    options: IssueOptions,
    progress: Progress = _silent,
) -> IssueResult:
    """A new certificate succeeding `certificate`, as `options` say (usually its own names,
    see renewal_names), with `replaces` decided by renewal_replaces. Closes the solver."""
    try:
        replaces = await renewal_replaces(client, certificate, progress)
    except BaseException:
        await solver.close()
        raise
    return await issue(client, solver, replace(options, replaces=replaces), progress)


async def issue_shared(
    client: AcmeClient, solver: Solver, options: IssueOptions, progress: Progress = _silent
) -> IssueResult:
    """One order on a solver the caller shares between orders and closes itself (`cert renew
    --all`: one responder for every certificate renewed at once, as issue_each does)."""
    return await _issue_one(client, solver, options, progress)


def renewal_names(certificate: x509.Certificate) -> list[str]:
    """The names a renewal orders: the certificate's own, as an order spells them."""
    from tui.acme.certificates import names_of

    return ordered_names(names_of(certificate))


async def _issue_one(
    client: AcmeClient,
    solver: Solver,
    options: IssueOptions,
    progress: Progress,
    limit: asyncio.Semaphore | None = None,
) -> IssueResult:
    from tui.acme import keys
    from tui.acme.issuance import issue as run_issuance
    from tui.certstore import check_writable

    names, csr = options.names, options.csr
    await asyncio.to_thread(check_writable, options.out)
    cert_key_pem: bytes | None = None
    if csr is None:
        cert_key = (
            keys.load_key(options.reuse_key)
            if options.reuse_key
            else keys.generate_key(options.key_type)
        )
        cert_key_pem = keys.key_to_pem(cert_key)
        csr = keys.make_csr(cert_key, names)
    issued = await run_issuance(
        client,
        names,
        solver,
        csr,
        profile=options.profile,
        replaces=options.replaces,
        progress=progress,
        limit=limit,
    )
    chain = issued.chain(options.preferred_chain)
    # Off the event loop: creating and fsyncing four files took 3 ms (on the test machine's
    # disk), time in which the dashboard would not redraw and other orders would not advance.
    saved = await asyncio.to_thread(save_or_rescue, options.out, chain, cert_key_pem)
    if options.deploy_hook:
        await run_deploy_hook(options.deploy_hook, saved, names)
    leaf = chain.certificates[0]
    return IssueResult(
        names=names,
        folder=saved.folder,
        cert=saved.cert,
        chain=saved.chain,
        fullchain=saved.fullchain,
        privkey=saved.privkey,
        archived=saved.archived,
        order=issued.order.url,
        certificate_url=issued.order.certificate,
        issuer=chain.top_issuer,
        chains=[c.top_issuer for c in issued.chains],
        not_after=leaf.not_valid_after_utc.isoformat(),
        serial=f"{leaf.serial_number:x}",
        replaces=options.replaces,
    )
