"""What the dashboard's certificate keys do (Orders panel, key rollover, deactivation), as
operations for AcmeDashApp._run: each takes the client and returns the line to notify. The
issuance itself is tui/workflow.py, the same code the CLI runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tui.acme.errors import AcmeError, InputError
from tui.acme.models import Identifier
from tui.workflow import SolverChoice, build_solver, check_names, folder_for, issue_and_save

if TYPE_CHECKING:
    from cryptography import x509

    from tui.acme.challenges import Solver
    from tui.acme.client import AcmeClient
    from tui.acme.jose import PrivateKey
    from tui.app import AcmeDashApp
    from tui.panels.orders import OrderForm

Operation = Callable[["AcmeClient"], Awaitable[str]]


class ManualDnsSolver:
    """dns-01 without a hook: the user publishes the record, told how in a modal."""

    challenge_type = "dns-01"

    def __init__(self, app: AcmeDashApp) -> None:
        self.app = app

    async def present(self, identifier: Identifier, token: str, key_auth: str) -> None:
        from tui.acme.challenges import dns01_name, dns01_value
        from tui.screens.dns_instructions import DnsInstructions

        name, value = dns01_name(identifier), dns01_value(key_auth)
        self.app.orders_panel.add_progress(f"{identifier.value}: publish TXT {name}")
        if not await self.app.push_screen_wait(DnsInstructions(name, value)):
            raise InputError(f"{identifier.value}: the TXT record was not published; stopped")

    async def cleanup(self, identifier: Identifier, token: str, key_auth: str) -> None:
        from tui.acme.challenges import dns01_name

        self.app.orders_panel.add_progress(
            f"you may remove the TXT record {dns01_name(identifier)}"
        )

    async def close(self) -> None:
        return None


def _solver(app: AcmeDashApp, form: OrderForm) -> Solver:
    if form.challenge == "dns-01":
        return ManualDnsSolver(app)
    return build_solver(
        SolverChoice(
            challenge=form.challenge,
            listen=app.responder_address,
            http_port=form.port or app.http_port,
            tls_port=form.port or app.tls_port,
        )
    )


async def _window(client: AcmeClient, certificate: x509.Certificate) -> str:
    try:
        window = await client.renewal_info(certificate)
    except AcmeError as exc:
        return f"unavailable ({exc})"
    return f"renew between {window.start} and {window.end}" if window else ""


def issue_operation(
    app: AcmeDashApp,
    form: OrderForm,
    names: list[str],
    out: Path,
    replaces_cert: x509.Certificate | None = None,
) -> Operation:
    from tui.acme.certificates import ari_cert_id, describe, load_certificate

    check_names(names, form.challenge)

    async def operation(client: AcmeClient) -> str:
        from tui.workflow import require_account

        panel = app.orders_panel
        panel.start(f"{'Renewing' if replaces_cert else 'Issuing'} {', '.join(names)}")
        await require_account(client)
        replaces = ""
        if replaces_cert is not None:
            window = await _window(client, replaces_cert)
            if window.startswith("renew between"):
                replaces = ari_cert_id(replaces_cert)
                panel.add_progress(f"ARI: {window}")
        result = await issue_and_save(
            client,
            names,
            _solver(app, form),
            out,
            key_type=form.key_type,
            profile=form.profile,
            replaces=replaces,
            deploy_hook=app.settings.deploy_hook,
            progress=panel.add_progress,
        )
        certificate = load_certificate(Path(result["cert"]).read_bytes(), result["cert"])
        info = describe(certificate)
        info["chain"] = result["chains"]
        info["ari"] = await _window(client, certificate)
        panel.show_certificate(info, result["cert"])
        app.last_certificate = Path(result["cert"])
        return f"Certificate saved in {result['folder']}"

    return operation


def new_order_operation(app: AcmeDashApp, form: OrderForm) -> Operation:
    check_names(form.names, form.challenge)  # before folder_for, which needs a first name
    out = Path(form.out).expanduser() if form.out else folder_for(form.names)
    return issue_operation(app, form, form.names, out)


def renew_operation(app: AcmeDashApp, form: OrderForm, path: Path) -> Operation:
    from tui.acme.certificates import load_certificate, names_of

    try:
        certificate = load_certificate(path.read_bytes(), str(path))
    except OSError as exc:
        raise InputError(f"{path}: cannot read certificate ({exc.strerror})") from None
    return issue_operation(app, form, names_of(certificate), path.parent, certificate)


def revoke_operation(path: Path, reason: int) -> Operation:
    from tui.acme.certificates import load_certificate

    try:
        certificate = load_certificate(path.read_bytes(), str(path))
    except OSError as exc:
        raise InputError(f"{path}: cannot read certificate ({exc.strerror})") from None

    async def operation(client: AcmeClient) -> str:
        await client.revoke(certificate, reason)
        return f"Revoked {certificate.serial_number:x}"

    return operation


def rollover_operation(app: AcmeDashApp, new_path: Path, new_key: PrivateKey) -> Operation:
    async def operation(client: AcmeClient) -> str:
        url = await client.known_account_url()
        old = client.thumbprint
        await client.change_key(new_key)
        app.settings.forget_account(client.directory_url, old)
        app.settings.remember_account(client.directory_url, client.thumbprint, url)
        app.use_key_file(new_path)
        return f"The account now uses {new_path}"

    return operation


def deactivate_operation(app: AcmeDashApp) -> Operation:
    async def operation(client: AcmeClient) -> str:
        account = await client.deactivate_account()
        app.settings.forget_account(client.directory_url, client.thumbprint)
        app.account = account
        app.account_panel.show_account(account)
        return f"Account {account.url} is {account.status}"

    return operation
