"""What the dashboard's certificate keys do (Orders tab: issue, revoke) and the account's
deactivation: the questions asked, then an operation for View.run. Issuance is
tui/workflow.py, revocation tui/revocation.py, the deactivation tui/accounts.py: the same code
the CLI runs (renewing is certificate_actions.py's, the key rollover key_actions.py's).
Everything here talks to the screen through OrdersView, never to the App."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from tui import accounts, revocation, workflow
from tui.acme.errors import AcmeError, InputError
from tui.dashboard.prompts import DialogPrompts
from tui.dashboard.screens.confirm import ConfirmScreen
from tui.dashboard.screens.prompt import PromptScreen
from tui.dashboard.view import Operation, View
from tui.user_paths import user_path
from tui.workflow import IssueOptions, SolverChoice

if TYPE_CHECKING:
    from cryptography import x509

    from tui.acme.challenges import Solver
    from tui.acme.client import AcmeClient
    from tui.acme.models import Identifier
    from tui.dashboard.panels.orders import OrderForm


class OrdersView(View, Protocol):
    def start_progress(self, title: str) -> None: ...

    def progress(self, line: str) -> None: ...

    def show_certificate(self, info: dict[str, object], path: str) -> None: ...

    def use_key_file(self, path: Path) -> None:
        """Makes `path` the account key (after a rollover)."""
        ...

    def certificates_changed(self) -> None:
        """A certificate of the store was issued or revoked: the Certificates tab lists it."""
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


def _choice(view: OrdersView, form: OrderForm) -> SolverChoice:
    responder = view.workspace.responder
    return SolverChoice(
        challenge=form.challenge,
        listen=responder.address,
        http_port=form.http_port or responder.http_port,
        tls_port=form.tls_port or responder.tls_port,
    )


async def _dns01_solver(view: OrdersView, form: OrderForm) -> tuple[SolverChoice, Solver]:
    """By hand, unless the config's [dns] table names a method and the user picks it; the
    solver then reports its propagation check (each server, yes or not yet) as progress."""
    from tui.dashboard.screens.dns_method import BY_HAND, DnsMethodScreen
    from tui.dns.method import from_config

    table = view.workspace.settings.dns
    method = from_config(table)
    if not method.method:
        return _choice(view, form), ManualDnsSolver(view)
    answer = await view.ask(DnsMethodScreen(method.describe()))
    if answer is None:
        raise InputError("dns-01: no way to publish the TXT records chosen; stopped")
    if answer == BY_HAND:
        return _choice(view, form), ManualDnsSolver(view)
    choice = SolverChoice(challenge="dns-01", dns=method)
    # On a thread: a provider's check imports lexicon and lists its providers (0.5-0.7 s
    # measured), and the secret files are read; the dashboard keeps drawing meanwhile.
    return choice, await asyncio.to_thread(workflow.build_solver, choice, view.progress, table)


async def _solver(view: OrdersView, form: OrderForm) -> tuple[SolverChoice, Solver]:
    """The solver and the choice renewal.toml remembers for it."""
    if form.challenge == "dns-01":
        return await _dns01_solver(view, form)
    choice = _choice(view, form)
    return choice, workflow.build_solver(choice)


def store(view: View) -> Path:
    """The certificate store (inventory.store_dir) of the dashboard's settings."""
    from tui import inventory
    from tui.config import default_config_path

    workspace = view.workspace
    config = workspace.session.config_path or default_config_path()
    return inventory.store_dir(workspace.settings, config)


def _remember(
    view: OrdersView, choice: SolverChoice, options: IssueOptions, directory: str
) -> None:
    """renewal.toml for an issued certificate, as `cert issue` writes it (a dns-01 by hand is
    remembered without a hook: its renewal says it needs one)."""
    from tui import inventory, renewal

    key_path = view.workspace.key_path
    settings = renewal.RenewalSettings(
        directory=directory,
        account_key=str(key_path.absolute()) if key_path else "",
        names=options.names,
        challenge=choice,
        key_type=options.key_type,
        profile=options.profile,
        deploy_hook=options.deploy_hook,
        ca_bundle=renewal.named_bundle(view.workspace.session.ca_bundle),
    )
    renewal.save_settings(options.out, settings)
    inventory.register(store(view), options.out)


async def _ari_window(client: AcmeClient, certificate: x509.Certificate) -> str:
    """The new certificate's ARI window, for the certificate view only (the renewal decision
    is workflow.renewal_replaces')."""
    try:
        window = await client.renewal_info(certificate)
    except AcmeError as exc:
        return f"unavailable ({exc})"
    return f"renew between {window.start} and {window.end}" if window else ""


def _issue_operation(view: OrdersView, form: OrderForm, options: IssueOptions) -> Operation:
    """workflow.issue, then the certificate shown."""
    from tui.acme.certificates import describe

    async def operation(client: AcmeClient) -> str:
        view.start_progress(f"Issuing {', '.join(options.names)}")
        await accounts.require_account(
            client, view.workspace.session, create=accounts.CREATE_BY_KEY
        )
        choice, solver = await _solver(view, form)
        try:
            result = await workflow.issue(client, solver, options, view.progress)
            _remember(view, choice, options, client.directory_url)
        except Exception as exc:
            # The log must end with the failure: a toast fades, and the certificate shown
            # under the log is still the earlier one (a new user read it as renewed).
            view.progress(f"FAILED: {exc}; the certificate below is the earlier one, if any")
            raise
        certificate = workflow.load_certificate_file(result.cert)
        info = describe(certificate)
        info["chain"] = result.chains
        info["ari"] = await _ari_window(client, certificate)
        view.show_certificate(info, str(result.cert))
        view.workspace.last_certificate = result.cert
        view.certificates_changed()
        return f"Certificate saved in {result.folder}"

    return operation


def _options(view: View, form: OrderForm, names: list[str], out: Path) -> IssueOptions:
    return IssueOptions(
        names,
        out,
        key_type=form.key_type,
        profile=form.profile,
        deploy_hook=view.workspace.settings.deploy_hook,
    )


def issue(view: OrdersView, form: OrderForm) -> None:
    """Orders a certificate for the form's names, spelt as the CA will spell them (the CLI's
    workflow.ordered_names), each checked before any request."""
    try:
        names = workflow.ordered_names(form.names)
        workflow.check_names(names, form.challenge)  # before folder_for, which needs a name
        files_dir = view.workspace.files_dir
        if form.out:  # relative: in the session's folder, as in every path box (a demo's own)
            out = view.workspace.folder / user_path(form.out)
        elif files_dir:
            out = files_dir / workflow.folder_for(names)
        else:
            out = workflow.folder_for(names, store(view))
    except InputError as exc:
        view.notify(str(exc), severity="error")
        return
    operation = _issue_operation(view, form, _options(view, form, names, out))
    view.run("Issue certificate", operation, changes_state=True)


async def _certificate_path(view: View, title: str) -> Path | None:
    default = str(view.workspace.last_certificate or "")
    path = await view.ask(PromptScreen(title, default, file_in=view.workspace.folder))
    return Path(path) if path else None


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


async def revoke(view: OrdersView, path: Path | None = None) -> None:
    """Path (a certificate, checked at once; asked unless given: the Certificates tab gives
    its selected one), reason, a confirmation whose default is Cancel, then
    revocation.revoke, signed by the account."""
    if not view.need_key():
        return
    if path is None:
        path = await _certificate_path(view, "Revoke which certificate (cert.pem)?")
    if path is None:
        return
    try:
        certificate = workflow.load_certificate_file(path)
    except InputError as exc:
        view.notify(str(exc), severity="error")
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

    async def operation(client: AcmeClient) -> str:
        from tui.acme.certificates import describe

        # Asked first, for the dashboard's own advice when there is none (revoke's is the CLI's).
        await accounts.require_account(
            client, view.workspace.session, create=accounts.CREATE_BY_KEY
        )
        await revocation.revoke(client, certificate, code)
        revocation.remember(path, certificate, name)
        view.certificates_changed()
        info = describe(certificate)
        info["revoked"] = name  # the Orders tab marks it, not only a toast that fades
        view.show_certificate(info, str(path))
        return f"Revoked {certificate.serial_number:x}"

    view.run("Revoke certificate", operation, changes_state=True)


def deactivate(view: View) -> None:
    """RFC 8555 §7.3.6, for good, after the typed word accounts.deactivate asks for."""
    if not view.need_key():
        return
    workspace = view.workspace

    async def operation(client: AcmeClient) -> str:
        account = await accounts.deactivate(workspace.session, client, DialogPrompts(view))
        workspace.account = account
        view.show_account()
        return f"Account {account.url} is {account.status}"

    view.run("Deactivate account", operation, changes_state=True)
