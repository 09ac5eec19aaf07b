"""Issuing a certificate, start to finish: order, authorizations, challenges, finalize,
download. Everything the solver set up is removed again on success, failure and cancellation.

The CA is not trusted: the order and every authorization must be for exactly the names asked
for (a hostile CA's `a.test;touch PWNED` never reaches a solver), every token must be base64url,
and the certificate must be for the CSR's key and exactly the names asked for, before anything
is presented, answered or returned for saving.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tui.acme.certificates import Chain
from tui.acme.challenges import CheckedFirst, Solver, check_token, key_authorization
from tui.acme.client import AcmeClient
from tui.acme.errors import InputError, ProblemError, ProtocolError, StateError
from tui.acme.identifiers import as_received
from tui.acme.models import Authorization, Identifier, Order, Problem
from tui.acme.orders import FINAL, identifier_for

Progress = Callable[[str], None]
Cleanup = Callable[[], Awaitable[None]]
T = TypeVar("T")
# Authorizations fetched or solved at once: each may run a hook or hold a poll loop.
AUTHORIZATION_CONCURRENCY = 10


@dataclass(frozen=True)
class Issued:
    order: Order
    chains: list[Chain]

    def chain(self, preferred_issuer: str = "") -> Chain:
        """The chain whose topmost issuer's CN is `preferred_issuer` (case-insensitive), else
        the CA's default (the first). Only the top counts, as certbot's --preferred-chain: in
        Let's Encrypt's 2021 layout both chains pass through ISRG Root X1 (one ends there,
        the other goes on to DST Root CA X3), so matching any issuer picked the long one."""
        wanted = preferred_issuer.lower()
        for chain in self.chains:
            if wanted and chain.top_issuer.lower() == wanted:
                return chain
        return self.chains[0]


def _shown(text: str) -> str:
    """CA text in a message: quoted, escaped (repr), and short."""
    return repr(text[:80]) + ("..." if len(text) > 80 else "")


def _listed(identifiers: Iterable[Identifier]) -> str:
    return ", ".join(sorted(_shown(i.value) for i in identifiers)) or "nothing"


def _check_order(order: Order, asked: set[Identifier]) -> None:
    """RFC 8555 §7.4: the order the CA created is for the identifiers we sent, no others."""
    got = {as_received(i.type, i.value) for i in order.identifiers}
    if got != asked:
        raise ProtocolError(
            f"the CA's order {order.url} is for {_listed(got)}, not for what was asked "
            f"({_listed(asked)}); refusing it"
        )


def _asked_identifier(authorization: Authorization, asked: set[Identifier]) -> Identifier:
    """The requested identifier this authorization is for (§7.1.4: a wildcard's authorization
    names the base domain and sets `wildcard`), or a ProtocolError: an authorization for
    anything else must never reach a solver, whose hooks and files it would steer."""
    raw = authorization.identifier
    value = f"*.{raw.value}" if authorization.wildcard else raw.value
    identifier = as_received(raw.type, value)
    if identifier not in asked:
        raise ProtocolError(
            f"the CA sent an authorization for {raw.type!r}:{_shown(value)}, which this order "
            f"did not ask for (asked: {_listed(asked)}); refusing it"
        )
    return identifier


def _certificate_names(certificate: x509.Certificate) -> set[Identifier]:
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    names: set[Identifier] = set()
    for general in san:
        if isinstance(general, x509.DNSName):
            names.add(as_received("dns", general.value))
        elif isinstance(general, x509.IPAddress):
            names.add(as_received("ip", str(general.value)))
        else:
            names.add(Identifier(type(general).__name__, str(general.value)))
    return names


def _public_key_der(key: x509.Certificate | x509.CertificateSigningRequest) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def check_chains(chains: list[Chain], asked: set[Identifier], csr_der: bytes) -> None:
    """Every chain's leaf certifies the CSR's public key and exactly the names asked for, or a
    ProtocolError: a certificate for another key or other names must never be saved beside
    the private key as if it were its certificate."""
    wanted_key = _public_key_der(x509.load_der_x509_csr(csr_der))
    for chain in chains:
        if not chain.certificates:
            raise ProtocolError(f"{chain.url} holds no certificate")
        leaf = chain.certificates[0]
        if _public_key_der(leaf) != wanted_key:
            raise ProtocolError(
                f"the certificate from {chain.url} is for another public key than the CSR's; "
                "refusing it"
            )
        names = _certificate_names(leaf)
        if names != asked:
            raise ProtocolError(
                f"the certificate from {chain.url} names {_listed(names)}, not what was asked "
                f"({_listed(asked)}); refusing it"
            )


async def _authorize(
    client: AcmeClient,
    authorization: Authorization,
    identifier: Identifier,
    solver: Solver,
    progress: Progress,
    *,
    deadline: float | None,
    cleanups: list[Cleanup],
) -> Authorization:
    # As the user wrote it: a wildcard and its apex share an identifier value (RFC 8555 §7.1.3).
    name = identifier.value
    if authorization.status == "valid":
        progress(f"{name}: already authorized")
        return authorization
    if authorization.status in FINAL:
        # RFC 8555 §7.1.6: only a pending authorization can still become valid; answering a
        # challenge of an invalid, expired, deactivated or revoked one only gets a refusal.
        raise StateError(
            f"{name}: the CA's authorization {authorization.url} is "
            f"{_shown(authorization.status)}{_why(authorization)}; no challenge answered"
        )
    challenge = authorization.challenge(solver.challenge_type)
    if challenge is None:
        offered = ", ".join(_shown(c.type) for c in authorization.challenges) or "none"
        raise InputError(f"{name}: the CA offers no {solver.challenge_type} (offered: {offered})")
    token = check_token(challenge.token)
    key_auth = key_authorization(token, client.require_key())
    cleanups.append(partial(solver.cleanup, identifier, token, key_auth))
    await solver.present(identifier, token, key_auth)
    progress(f"{name}: {solver.challenge_type} ready, asking the CA to validate")
    await client.respond(challenge)
    authorization = await client.wait_authorization(authorization.url, deadline)
    if authorization.status != "valid":
        failed = authorization.challenge(solver.challenge_type)
        error = failed.error if failed and failed.error else None
        raise ProblemError(
            error
            or Problem(type="about:blank", detail=f"{name}: authorization {authorization.status}")
        )
    progress(f"{name}: valid")
    return authorization


def _why(authorization: Authorization) -> str:
    """The error of the authorization's failed challenge, as a clause, when it has one."""
    failed = next((c.error for c in authorization.challenges if c.error), None)
    return f" ({failed.summary()[:200]})" if failed else ""


async def _run_cleanups(
    cleanups: list[Cleanup], progress: Progress, limit: asyncio.Semaphore
) -> Exception | None:
    """Runs every cleanup, whatever the others do; returns the first one's error. Each error
    is also reported, since only one can be raised. A cleanup runs a hook too: it takes a
    place in `limit` as the presenting did."""
    first: Exception | None = None
    for cleanup in cleanups:
        try:
            await _bounded(limit, cleanup)
        except Exception as exc:
            progress(f"cleanup failed: {exc}")
            first = first or exc
    return first


def _authorization_urls(order: Order, asked: set[Identifier]) -> tuple[str, ...]:
    """The order's authorization URLs, before any is fetched. RFC 8555 §7.1.3: the server
    "MUST return an authorization for each of the identifiers" (a valid one may be reused),
    so exactly one per identifier, each listed once. A CA that listed 1 MiB of them, or one
    URL 50 times, had us send tens of thousands of requests and run a hook 500 times; one
    that listed fewer would have had names in the certificate nobody proved control of."""
    urls = order.authorizations
    if len(urls) != len(asked):
        raise ProtocolError(
            f"the CA's order {order.url} lists {len(urls)} authorizations for {len(asked)} "
            "identifier(s), one each (RFC 8555 §7.1.3); refusing it"
        )
    if len(set(urls)) != len(urls):
        twice = next(url for url in urls if urls.count(url) > 1)
        raise ProtocolError(
            f"the CA's order {order.url} lists the authorization {_shown(twice)} more than "
            "once; refusing it"
        )
    return urls


def _one_each(
    authorizations: list[Authorization], asked: set[Identifier]
) -> list[tuple[Authorization, Identifier]]:
    """Each authorization with the asked identifier it is for; two for one identifier would
    run a solver twice for one name, and leave another name without one."""
    paired: dict[Identifier, Authorization] = {}
    for authorization in authorizations:
        identifier = _asked_identifier(authorization, asked)
        if identifier in paired:
            raise ProtocolError(
                f"the CA sent two authorizations for {_shown(identifier.value)} "
                f"({paired[identifier].url} and {authorization.url}); refusing them"
            )
        paired[identifier] = authorization
    return [(authorization, identifier) for identifier, authorization in paired.items()]


async def _bounded(limit: asyncio.Semaphore, job: Callable[[], Awaitable[T]]) -> T:
    async with limit:
        return await job()


def concurrency_limit() -> asyncio.Semaphore:
    """How many authorizations are fetched or solved at once: one for an order, or one
    shared by every order of a run (`cert issue --each`: fifty names, one order each, ran
    fifty dns hooks at once while each order kept to its own ten)."""
    return asyncio.Semaphore(AUTHORIZATION_CONCURRENCY)


async def _all_bounded(jobs: list[Callable[[], Awaitable[T]]], limit: asyncio.Semaphore) -> list[T]:
    """Every job, as many at a time as `limit` lets: a hundred names (a certificate may have
    that many) must not start a hundred hook shells at once. The first failure cancels the
    others."""
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(_bounded(limit, job)) for job in jobs]
    return [task.result() for task in tasks]


async def _authorize_all(
    client: AcmeClient,
    order: Order,
    solver: Solver,
    progress: Progress,
    *,
    asked: set[Identifier],
    deadline: float | None,
    limit: asyncio.Semaphore,
) -> None:
    """Every authorization fetched and checked before any solver runs, then all solved
    concurrently (bounded); the first failure cancels the others and is raised.
    Cleanup waits until every authorization is settled: `example.org` and `*.example.org`
    share one TXT name, and removing the first one's record must not pull the other's. A
    failure wins over cleanup errors; after success, a cleanup error is raised."""
    urls = _authorization_urls(order, asked)
    cleanups: list[Cleanup] = []
    try:
        fetched = await _all_bounded(
            [partial(client.fetch_authorization, url) for url in urls], limit
        )
        await _all_bounded(
            [
                partial(
                    _authorize,
                    client,
                    authorization,
                    identifier,
                    solver,
                    progress,
                    deadline=deadline,
                    cleanups=cleanups,
                )
                for authorization, identifier in _one_each(fetched, asked)
            ],
            limit,
        )
    except BaseException as failure:
        await _run_cleanups(cleanups, progress, limit)
        if isinstance(failure, ExceptionGroup):
            raise failure.exceptions[0] from None
        raise
    cleanup_error = await _run_cleanups(cleanups, progress, limit)
    if cleanup_error is not None:
        raise cleanup_error


async def issue(
    client: AcmeClient,
    names: list[str],
    solver: Solver,
    csr_der: bytes,
    *,
    profile: str = "",
    replaces: str = "",
    deadline: float | None = None,
    progress: Progress = lambda _: None,
    limit: asyncio.Semaphore | None = None,
) -> Issued:
    """The solver belongs to the caller, so several orders can share one responder; the
    caller closes it (workflow.issue does). `limit`: a concurrency_limit shared with other
    orders, so that together they run no more hooks at once than one order would."""
    identifiers = [identifier_for(n) for n in names]
    asked = {as_received(i.type, i.value) for i in identifiers}
    if isinstance(solver, CheckedFirst):
        await solver.check(identifiers)
    order = await client.new_order(identifiers, profile=profile, replaces=replaces)
    _check_order(order, asked)
    progress(f"order {order.url}: {order.status}")
    if order.status == "pending":
        await _authorize_all(
            client,
            order,
            solver,
            progress,
            asked=asked,
            deadline=deadline,
            limit=limit or concurrency_limit(),
        )
    else:
        _authorization_urls(order, asked)  # one per name, whatever the state (§7.1.3)
    if order.status == "valid":
        progress("the CA's order is already valid; nothing to finalize")
    else:
        progress("finalizing")
        order = await client.finalize(order, csr_der, deadline)
    if order.status != "valid" or not order.certificate:
        raise ProblemError(
            order.error or Problem(type="about:blank", detail=f"order ended {order.status}")
        )
    chains = await client.download_chains(order.certificate)
    check_chains(chains, asked, csr_der)
    progress(f"certificate {order.certificate} ({len(chains)} chain(s))")
    return Issued(order=order, chains=chains)
