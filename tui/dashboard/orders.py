"""What the dashboard's certificate keys do (Orders tab: issue, renew, revoke) and the account's
end of life (key rollover, deactivation): the questions asked, then an operation for View.run.
The issuance itself is tui/workflow.py, the same code the CLI runs. Everything here talks to
the screen through OrdersView, never to the App."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from tui.acme.errors import AcmeError, InputError
from tui.acme.models import Identifier
from tui.dashboard.screens.confirm import ConfirmScreen
from tui.dashboard.screens.prompt import PromptScreen
from tui.dashboard.view import Operation, View
from tui.workflow import SolverChoice, build_solver, check_names, folder_for, issue_and_save

if TYPE_CHECKING:
    from cryptography import x509

    from tui.acme.challenges import Solver
    from tui.acme.client import AcmeClient
    from tui.acme.jose import PrivateKey
    from tui.dashboard.panels.orders import OrderForm


class OrdersView(View, Protocol):
    def start_progress(self, title: str) -> None: ...

    def progress(self, line: str) -> None: ...

    def show_certificate(self, info: dict[str, object], path: str) -> None: ...

    def use_key_file(self, path: Path) -> None:
        """Makes `path` the account key (after a rollover)."""
        ...


class ManualDnsSolver:
    """dns-01 without a hook: the user publishes the record, told how in a modal."""

    challenge_type = "dns-01"

    def __init__(self, view: OrdersView) -> None:
        self.view = view

    async def present(self, identifier: Identifier, token: str, key_auth: str) -> None:
        from tui.acme.challenges import dns01_name, dns01_value
        from tui.dashboard.screens.dns_instructions import DnsInstructions

        name, value = dns01_name(identifier), dns01_value(key_auth)
        self.view.progress(f"{identifier.value}: publish TXT {name}")
        if not await self.view.ask(DnsInstructions(name, value)):
            raise InputError(f"{identifier.value}: the TXT record was not published; stopped")

    async def cleanup(self, identifier: Identifier, token: str, key_auth: str) -> None:
        from tui.acme.challenges import dns01_name

        self.view.progress(f"you may remove the TXT record {dns01_name(identifier)}")

    async def close(self) -> None:
        return None


def _solver(view: OrdersView, form: OrderForm) -> Solver:
    if form.challenge == "dns-01":
        return ManualDnsSolver(view)
    responder = view.workspace.responder
    return build_solver(
        SolverChoice(
            challenge=form.challenge,
            listen=responder.address,
            http_port=form.port or responder.http_port,
            tls_port=form.port or responder.tls_port,
        )
    )


async def _window(client: AcmeClient, certificate: x509.Certificate) -> str:
    try:
        window = await client.renewal_info(certificate)
    except AcmeError as exc:
        return f"unavailable ({exc})"
    return f"renew between {window.start} and {window.end}" if window else ""


def _issue_operation(
    view: OrdersView,
    form: OrderForm,
    names: list[str],
    out: Path,
    replaces_cert: x509.Certificate | None = None,
) -> Operation:
    from tui.acme.certificates import ari_cert_id, describe, load_certificate

    check_names(names, form.challenge)

    async def operation(client: AcmeClient) -> str:
        from tui.workflow import require_account

        view.start_progress(f"{'Renewing' if replaces_cert else 'Issuing'} {', '.join(names)}")
        await require_account(client)
        replaces = ""
        if replaces_cert is not None:
            window = await _window(client, replaces_cert)
            if window.startswith("renew between"):
                replaces = ari_cert_id(replaces_cert)
                view.progress(f"ARI: {window}")
        result = await issue_and_save(
            client,
            names,
            _solver(view, form),
            out,
            key_type=form.key_type,
            profile=form.profile,
            replaces=replaces,
            deploy_hook=view.workspace.settings.deploy_hook,
            progress=view.progress,
        )
        certificate = load_certificate(Path(result["cert"]).read_bytes(), result["cert"])
        info = describe(certificate)
        info["chain"] = result["chains"]
        info["ari"] = await _window(client, certificate)
        view.show_certificate(info, result["cert"])
        view.workspace.last_certificate = Path(result["cert"])
        return f"Certificate saved in {result['folder']}"

    return operation


def issue(view: OrdersView, form: OrderForm) -> None:
    """Orders a certificate for the form's names."""
    try:
        check_names(form.names, form.challenge)  # before folder_for, which needs a first name
        out = (
            Path(form.out).expanduser()
            if form.out
            else view.workspace.place(folder_for(form.names))
        )
        operation = _issue_operation(view, form, form.names, out)
    except InputError as exc:
        view.notify(str(exc), severity="error")
        return
    view.run("Issue certificate", operation, changes_state=True)


def _read_certificate(path: Path) -> x509.Certificate:
    from tui.acme.certificates import load_certificate

    try:
        return load_certificate(path.read_bytes(), str(path))
    except OSError as exc:
        raise InputError(f"{path}: cannot read certificate ({exc.strerror})") from None


async def _certificate_path(view: View, title: str) -> Path | None:
    default = str(view.workspace.last_certificate or "")
    path = await view.ask(PromptScreen(title, default, paths=True))
    return Path(path).expanduser() if path else None


async def renew(view: OrdersView, form: OrderForm) -> None:
    """A new certificate for the names of one on disk, saved beside it (ARI `replaces` when
    the CA offers a window)."""
    from tui.acme.certificates import names_of

    if not view.need_key():
        return
    path = await _certificate_path(view, "Renew which certificate (cert.pem)?")
    if path is None:
        return
    try:
        certificate = _read_certificate(path)
        operation = _issue_operation(view, form, names_of(certificate), path.parent, certificate)
    except InputError as exc:
        view.notify(str(exc), severity="error")
        return
    view.run("Renew certificate", operation, changes_state=True)


async def _revocation_reason(view: View) -> tuple[str, int] | None:
    """The RFC 5280 reason as (name, code); None when cancelled or not a reason."""
    from tui.acme.certificates import REASONS, reason_code

    answer = await view.ask(
        PromptScreen(
            "Revocation reason (RFC 5280), by name or code",
            "unspecified",
            help="keyCompromise, superseded, cessationOfOperation, affiliationChanged, ...",
            choices=list(REASONS),
        )
    )
    if answer is None:
        return None
    try:
        code = reason_code(answer.strip())
    except InputError as exc:
        view.notify(str(exc), severity="error")
        return None
    return next(name for name, value in REASONS.items() if value == code), code


async def revoke(view: View) -> None:
    """Path, reason, a confirmation whose default is Cancel, then the revocation."""
    if not view.need_key():
        return
    path = await _certificate_path(view, "Revoke which certificate (cert.pem)?")
    if path is None:
        return
    reason = await _revocation_reason(view)
    if reason is None:
        return
    name, code = reason
    sure = await view.ask(
        ConfirmScreen(
            "Revoke certificate",
            f"Revoke {path} ({name})?\nClients will stop trusting it. This cannot be undone.",
            "Revoke",
        )
    )
    if not sure:
        return
    try:
        certificate = _read_certificate(path)
    except InputError as exc:
        view.notify(str(exc), severity="error")
        return

    async def operation(client: AcmeClient) -> str:
        await client.revoke(certificate, code)
        return f"Revoked {certificate.serial_number:x}"

    view.run("Revoke certificate", operation, changes_state=True)


async def rollover(view: OrdersView) -> None:
    """RFC 8555 §7.3.5: the account moves to another key file (generated when missing); the
    settings and the dashboard follow."""
    from tui.acme import keys

    if not view.need_key():
        return
    answer = await view.ask(
        PromptScreen("New account key file (generated as ec256 if it does not exist)", paths=True)
    )
    if not answer:
        return
    path = Path(answer).expanduser()
    try:
        if path.exists():
            new_key = keys.load_key(path)
        else:
            new_key = keys.generate_key()
            keys.save_key(new_key, path)
    except InputError as exc:
        view.notify(str(exc), severity="error")
        return
    view.run("Key rollover", _rollover_operation(view, path, new_key), changes_state=True)


def _rollover_operation(view: OrdersView, new_path: Path, new_key: PrivateKey) -> Operation:
    async def operation(client: AcmeClient) -> str:
        url = await client.known_account_url()
        old = client.thumbprint
        await client.change_key(new_key)
        settings = view.workspace.settings
        settings.forget_account(client.directory_url, old)
        settings.remember_account(client.directory_url, client.thumbprint, url)
        view.use_key_file(new_path)
        return f"The account now uses {new_path}"

    return operation


async def deactivate(view: View) -> None:
    """RFC 8555 §7.3.6, for good: the user types the word, Enter alone does nothing."""
    from tui.dashboard.screens.typed_confirm import TypedConfirmScreen

    if not view.need_key():
        return
    workspace = view.workspace
    sure = await view.ask(
        TypedConfirmScreen(
            f"Deactivate the account of this key at {workspace.endpoint.title}?\n"
            "The CA will refuse it for good; its certificates stay valid.",
            "deactivate",
        )
    )
    if not sure:
        return

    async def operation(client: AcmeClient) -> str:
        account = await client.deactivate_account()
        workspace.settings.forget_account(client.directory_url, client.thumbprint)
        workspace.account = account
        view.show_account()
        return f"Account {account.url} is {account.status}"

    view.run("Deactivate account", operation, changes_state=True)
