"""Issuing a certificate, start to finish: order, authorizations, challenges, finalize,
download. Everything the solver set up is removed again on success, failure and cancellation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from tui.acme.certificates import Chain
from tui.acme.challenges import Solver, key_authorization
from tui.acme.client import AcmeClient
from tui.acme.errors import InputError, ProblemError
from tui.acme.models import Authorization, Identifier, Order, Problem
from tui.acme.orders import identifier_for

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Issued:
    order: Order
    chains: list[Chain]

    def chain(self, preferred_issuer: str = "") -> Chain:
        """The chain whose top issuer CN matches, else the CA's default (the first)."""
        wanted = preferred_issuer.lower()
        for chain in self.chains:
            if wanted and any(wanted == name.lower() for name in chain.issuer_names):
                return chain
        return self.chains[0]


async def _authorize(
    client: AcmeClient,
    url: str,
    solver: Solver,
    progress: Progress,
    *,
    deadline: float | None,
    cleanups: list[Callable[[], Awaitable[None]]],
) -> Authorization:
    authorization = await client.fetch_authorization(url)
    # As the user wrote it: a wildcard and its apex share an identifier value (RFC 8555 §7.1.3).
    name = (
        f"*.{authorization.identifier.value}"
        if authorization.wildcard
        else (authorization.identifier.value)
    )
    if authorization.status == "valid":
        progress(f"{name}: already authorized")
        return authorization
    challenge = authorization.challenge(solver.challenge_type)
    if challenge is None:
        offered = ", ".join(c.type for c in authorization.challenges) or "none"
        raise InputError(f"{name}: the CA offers no {solver.challenge_type} (offered: {offered})")
    key_auth = key_authorization(challenge.token, client.require_key())
    identifier = Identifier(authorization.identifier.type, name)
    cleanups.append(partial(solver.cleanup, identifier, challenge.token, key_auth))
    await solver.present(identifier, challenge.token, key_auth)
    progress(f"{name}: {solver.challenge_type} ready, asking the CA to validate")
    await client.respond(challenge)
    authorization = await client.wait_authorization(url, deadline)
    if authorization.status != "valid":
        failed = authorization.challenge(solver.challenge_type)
        error = failed.error if failed and failed.error else None
        raise ProblemError(
            error
            or Problem(type="about:blank", detail=f"{name}: authorization {authorization.status}")
        )
    progress(f"{name}: valid")
    return authorization


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
) -> Issued:
    """All authorizations are worked on concurrently; the first failure cancels the others
    (their cleanup still runs) and is raised. The solver belongs to the caller, so several
    orders can share one responder; the caller closes it (workflow.issue_and_save does)."""
    order = await client.new_order(
        [identifier_for(n) for n in names], profile=profile, replaces=replaces
    )
    progress(f"order {order.url}: {order.status}")
    # Cleanup waits until every authorization is settled: `example.org` and `*.example.org`
    # share one TXT name, and removing the first one's record must not pull the other's.
    cleanups: list[Callable[[], Awaitable[None]]] = []
    try:
        if order.status == "pending":
            async with asyncio.TaskGroup() as group:
                for url in order.authorizations:
                    task = _authorize(
                        client, url, solver, progress, deadline=deadline, cleanups=cleanups
                    )
                    group.create_task(task)
    except ExceptionGroup as group_error:
        raise group_error.exceptions[0] from None
    finally:
        for cleanup in cleanups:
            await cleanup()
    progress("finalizing")
    order = await client.finalize(order, csr_der, deadline)
    if order.status != "valid" or not order.certificate:
        raise ProblemError(
            order.error or Problem(type="about:blank", detail=f"order ended {order.status}")
        )
    chains = await client.download_chains(order.certificate)
    progress(f"certificate {order.certificate} ({len(chains)} chain(s))")
    return Issued(order=order, chains=chains)
