"""Issue-and-save, shared by `acmedash cert issue|renew` and the dashboard's Orders panel:
choose a solver, make the key and CSR, run the issuance, pick the chain, save the folder, run
the deploy hook. One implementation, so both front ends behave the same."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.acme.errors import InputError, ProblemError

if TYPE_CHECKING:
    from tui.acme.certificates import Chain
    from tui.acme.challenges import Solver
    from tui.acme.client import AcmeClient
    from tui.certstore import Saved

CHALLENGES = ("http-01", "dns-01", "tls-alpn-01")


@dataclass(frozen=True)
class SolverChoice:
    challenge: str = "http-01"
    listen: str = "0.0.0.0"  # noqa: S104 - the CA connects from outside
    http_port: int = 80
    tls_port: int = 443
    webroot: str = ""
    dns_hook: str = ""


def build_solver(choice: SolverChoice) -> Solver:
    from tui.acme.challenges import (
        DnsHookSolver,
        Http01Responder,
        TlsAlpn01Responder,
        WebrootSolver,
    )

    if choice.challenge == "dns-01":
        if not choice.dns_hook:
            raise InputError(
                "dns-01 needs a hook command: --dns-hook CMD, run as `CMD set|clear NAME VALUE`"
            )
        return DnsHookSolver(choice.dns_hook)
    if choice.challenge == "tls-alpn-01":
        return TlsAlpn01Responder(choice.listen, choice.tls_port)
    if choice.challenge != "http-01":
        raise InputError(f"unknown challenge type {choice.challenge!r}")
    if choice.webroot:
        return WebrootSolver(Path(choice.webroot).expanduser())
    return Http01Responder(choice.listen, choice.http_port)


def check_names(names: list[str], challenge: str) -> None:
    if not names:
        raise InputError("name at least one domain")
    if challenge != "dns-01" and any(n.startswith("*.") for n in names):
        raise InputError("wildcard names can only be validated with dns-01")


def folder_for(names: list[str]) -> Path:
    return Path("certs") / names[0].replace("*", "_wildcard").replace(":", "_")


async def require_account(client: AcmeClient) -> str:
    """Certificates need an existing account; say so plainly when there is none."""
    try:
        return await client.known_account_url()
    except ProblemError as exc:
        if exc.type.endswith(":accountDoesNotExist"):
            raise InputError(
                "this key has no account at this CA; create one first "
                "(`acmedash account new`, or `a` in the dashboard)"
            ) from None
        raise


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


async def issue_and_save(
    client: AcmeClient,
    names: list[str],
    solver: Solver,
    out: Path,
    *,
    key_type: str = "ec256",
    csr: bytes | None = None,
    profile: str = "",
    replaces: str = "",
    preferred_chain: str = "",
    deploy_hook: str = "",
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Returns what was done, as the CLI's --json prints it. Closes the solver (stops the
    responder) however the issuance ends."""
    try:
        return await _issue_and_save_one(
            client,
            names,
            solver,
            out,
            key_type=key_type,
            csr=csr,
            profile=profile,
            replaces=replaces,
            preferred_chain=preferred_chain,
            deploy_hook=deploy_hook,
            progress=progress,
        )
    finally:
        await solver.close()


async def issue_each_and_save(
    client: AcmeClient,
    names: list[str],
    solver: Solver,
    out_for: Callable[[str], Path],
    *,
    key_type: str = "ec256",
    profile: str = "",
    preferred_chain: str = "",
    deploy_hook: str = "",
    progress: Callable[[str, str], None] = lambda _name, _line: None,
) -> list[dict[str, Any] | Exception]:
    """One certificate per name, all orders at once, sharing one solver (one responder), closed
    when the last one ends. A failed name does not stop the others: its entry is the error."""

    async def one(name: str) -> dict[str, Any]:
        return await _issue_and_save_one(
            client,
            [name],
            solver,
            out_for(name),
            key_type=key_type,
            profile=profile,
            preferred_chain=preferred_chain,
            deploy_hook=deploy_hook,
            progress=lambda line: progress(name, line),
        )

    try:
        results = await asyncio.gather(*(one(name) for name in names), return_exceptions=True)
    finally:
        await solver.close()
    outcomes: list[dict[str, Any] | Exception] = []
    for result in results:
        if isinstance(result, Exception) or not isinstance(result, BaseException):
            outcomes.append(result)
        else:
            raise result  # a cancellation or an interrupt is not one name's failure
    return outcomes


async def _issue_and_save_one(
    client: AcmeClient,
    names: list[str],
    solver: Solver,
    out: Path,
    *,
    key_type: str,
    csr: bytes | None = None,
    profile: str,
    replaces: str = "",
    preferred_chain: str,
    deploy_hook: str,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    from tui.acme import keys
    from tui.acme.issuance import issue
    from tui.certstore import check_writable

    await asyncio.to_thread(check_writable, out)
    cert_key_pem: bytes | None = None
    if csr is None:
        cert_key = keys.generate_key(key_type)
        cert_key_pem = keys.key_to_pem(cert_key)
        csr = keys.make_csr(cert_key, names)
    issued = await issue(
        client, names, solver, csr, profile=profile, replaces=replaces, progress=progress
    )
    chain = issued.chain(preferred_chain)
    # Off the event loop: creating and fsyncing four files took 3 ms (on the test machine's
    # disk), time in which the dashboard would not redraw and other orders would not advance.
    saved = await asyncio.to_thread(save_or_rescue, out, chain, cert_key_pem)
    if deploy_hook:
        await run_deploy_hook(deploy_hook, saved, names)
    leaf = chain.certificates[0]
    return {
        "names": names,
        "folder": str(saved.folder),
        "cert": str(saved.cert),
        "chain": str(saved.chain),
        "fullchain": str(saved.fullchain),
        "privkey": str(saved.privkey) if saved.privkey else None,
        "archived": str(saved.archived) if saved.archived else None,
        "order": issued.order.url,
        "certificate_url": issued.order.certificate,
        "issuer": chain.top_issuer,
        "chains": [c.top_issuer for c in issued.chains],
        "not_after": leaf.not_valid_after_utc.isoformat(),
        "serial": f"{leaf.serial_number:x}",
    }
