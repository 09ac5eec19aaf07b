"""Revocation (RFC 8555 §7.6), shared by `acmedash cert revoke` and the dashboard: the account
looked up first, a CA's refusal said in the terms of what was asked, and a revoked certificate
of the store marked as such in its folder (for `cert list` and the Certificates tab)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from tui.accounts import require_account
from tui.acme.errors import ProblemError

if TYPE_CHECKING:
    from cryptography import x509

    from tui.acme.client import AcmeClient
    from tui.acme.jose import PrivateKey


async def revoke(
    client: AcmeClient,
    certificate: x509.Certificate,
    reason: int = 0,
    certificate_key: PrivateKey | None = None,
) -> None:
    """RFC 8555 §7.6 with an RFC 5280 reason code: signed by the account, or by the
    certificate's own key when given (proof of control that needs no account). A refusal
    is said in the terms of what was asked (revocation_refused). The account is looked up
    first when its URL is not known yet, as for an issuance."""
    if certificate_key is None:
        await require_account(client)
    try:
        await client.revoke(certificate, reason, certificate_key=certificate_key)
    except ProblemError as exc:
        raise revocation_refused(
            exc, reason, by_certificate_key=certificate_key is not None
        ) from None


def revocation_refused(exc: ProblemError, reason: int, *, by_certificate_key: bool) -> ProblemError:
    """The CA's refusal of a revocation, named: a reason it does not take (badRevocationReason),
    or accountDoesNotExist for a request signed by the certificate's key, which RFC 8555 §7.6
    says needs no account: "create an account" would be the wrong advice then."""
    from tui.acme.certificates import BAD_REVOCATION_REASON, reason_name

    problem = exc.problem
    if exc.type == BAD_REVOCATION_REASON:
        detail = f"the CA refuses the revocation reason {reason_name(reason)} ({reason})"
        hint = "try another reason; unspecified (0) is accepted by every CA"
    elif by_certificate_key and exc.type.endswith(":accountDoesNotExist"):
        detail = "the CA does not accept a revocation signed by the certificate's own key"
        hint = "revoke with the account that ordered it instead (leave out --cert-key)"
    else:
        return exc
    full = f"{detail}: {problem.detail}" if problem.detail else detail
    return ProblemError(replace(problem, detail=full), exc.retry_after, hint=hint)


def remember(path: Path, certificate: x509.Certificate, reason: str) -> None:
    """Marks the folder of `path` when `certificate` is the one it holds now (a managed
    folder's cert.pem): its renewal-status.json says revoked, with the reason, until the
    next renewal replaces the certificate. The ARI notes of an earlier certificate go."""
    from tui import inventory, renewal
    from tui.workflow import load_certificate_file

    folder = path.parent
    if path.name != "cert.pem" or not inventory.is_managed(folder):
        return
    if load_certificate_file(path).serial_number != certificate.serial_number:
        return  # the file changed since: a renewal ran meanwhile
    serial = f"{certificate.serial_number:x}"
    status = renewal.load_status(folder)
    if status.serial != serial:
        last = (status.last_attempt, status.last_result, status.last_error)
        status = renewal.Status(serial, *last)
    renewal.save_status(folder, replace(status, revoked=reason))
