"""What the dashboard's renewal keys do (the Certificates tab's r and a, and R anywhere): list
the store, renew the selected certificate, the one R names or every due one, open one in the
certificate viewer. The decisions and the renewals are tui/renew_run.py, the same code as
`cert renew CERT`: each certificate renews with its own remembered renewal.toml (challenge,
address, ports, key type, profile, hook), never with the Orders form's. The store's lock keeps
a timer's run and the dashboard's apart.

The dashboard talks to one CA with one account key: a certificate remembered with another CA
or key is reported as such (renew it with `acmedash cert renew`), never sent elsewhere."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from tui import inventory
from tui.acme.errors import AcmeError, InputError
from tui.cert_list import describe_entries
from tui.dashboard.orders import OrdersView, store
from tui.dashboard.untrusted import IN_A_LINE, printable
from tui.renewal import RenewalSettings, defaults_for
from tui.renewal_due import utc_now
from tui.user_paths import user_path
from tui.workflow import SolverChoice

if TYPE_CHECKING:
    from tui.acme.client import AcmeClient
    from tui.dashboard.panels.certificates import CertificatesPanel
    from tui.inventory import Entry
    from tui.renew_run import Outcome


async def reload(view: OrdersView, panel: CertificatesPanel) -> None:
    """Read in a thread: hundreds of folders are not read on the UI's turn."""
    where = store(view)
    clock = panel.clock or utc_now
    rows = await asyncio.to_thread(
        lambda: describe_entries(inventory.managed_folders(where), clock)
    )
    panel.show(where, rows)


def open_certificate(view: OrdersView, folder: Path) -> None:
    from tui.acme.certificates import describe
    from tui.renewal_due import ari_window, iso
    from tui.workflow import load_certificate_file

    try:
        entry = inventory.load_entry(folder)
        certificate = load_certificate_file(folder / "cert.pem")
    except (AcmeError, InputError) as exc:
        view.notify(str(exc), title=folder.name, severity="error")
        return
    info = describe(certificate)
    if entry.status.revoked and entry.status.serial == f"{certificate.serial_number:x}":
        info["revoked"] = entry.status.revoked
    window = ari_window(entry.status)
    info["ari"] = f"renew between {iso(window[0])} and {iso(window[1])}" if window else ""
    view.show_certificate(info, str(folder / "cert.pem"))
    view.workspace.last_certificate = folder / "cert.pem"


class DashboardClients:
    """renew_run.Clients over the dashboard's one client (its CA, its account key)."""

    def __init__(self, view: OrdersView, client: AcmeClient) -> None:
        self.view, self.client = view, client
        self._account: str | None = None

    def _check(self, settings: RenewalSettings) -> None:
        if settings.directory != self.client.directory_url:
            raise InputError(
                f"issued from {settings.directory}, not the CA shown here: switch to it or "
                "run `acmedash cert renew`"
            )

    async def unsigned(self, settings: RenewalSettings) -> AcmeClient:
        self._check(settings)
        return self.client

    async def signed(self, settings: RenewalSettings) -> AcmeClient:
        from tui import accounts

        self._check(settings)
        key_path = self.view.workspace.key_path
        if key_path is None or user_path(settings.account_key) != key_path.absolute():
            raise InputError(f"remembered with the account key {settings.account_key}")
        if self._account is None:
            session = self.view.workspace.session
            self._account = await accounts.require_account(
                self.client, session, create=accounts.CREATE_BY_KEY
            )
        return self.client


def _defaults(view: OrdersView, entry: Entry) -> RenewalSettings:
    """A folder without renewal.toml (issued before acmedash remembered settings): the
    defaults, with the dashboard's own responder (its address and ports: the demo's, or the
    ones acmedash was started with) as `cert renew` takes them from its options."""
    from tui.workflow import renewal_names

    workspace = view.workspace
    key = str(workspace.key_path.absolute()) if workspace.key_path else ""
    settings = defaults_for(renewal_names(entry.certificate), workspace.endpoint.url, key)
    responder = workspace.responder
    challenge = SolverChoice(
        listen=responder.address, http_port=responder.http_port, tls_port=responder.tls_port
    )
    return replace(settings, challenge=challenge)


def _report(view: OrdersView, outcomes: list[Outcome]) -> str:
    """Each outcome in the Orders log; each failure also as a notification that names the
    certificate and the reason (the summary toast alone said "1 failed" and nothing more)."""
    for outcome in outcomes:
        view.progress(outcome.line())
        if outcome.error is not None:
            view.notify(
                f"{outcome.name}: {printable(str(outcome.error), limit=IN_A_LINE)}",
                title="Renewal failed",
                severity="error",
                timeout=15,
                markup=False,
            )
    renewed = sum(o.renewed for o in outcomes)
    failed = sum(o.error is not None for o in outcomes)
    return f"{renewed} renewed, {failed} failed, {len(outcomes) - renewed - failed} not due"


def renew(view: OrdersView, panel: CertificatesPanel, folders: list[Path], *, force: bool) -> None:
    """`folders` with force (the selected one, the one R names), or every certificate of the
    store, renewed when due. Then the tab lists the new state, and the certificate viewer
    shows a renewed certificate it was showing (or the one renewed by name)."""
    if not view.need_key():
        return
    # One certificate is named: "Renew certificates" over one left the user wondering
    # which, and whether the others were renewed too.
    one = folders[0].name if len(folders) == 1 else ""

    async def operation(client: AcmeClient) -> str:
        from tui.renew_run import Run, jobs_for
        from tui.store_lock import store_lock

        where = store(view)
        with store_lock(where):
            jobs, outcomes = jobs_for(
                folders or inventory.managed_folders(where), partial(_defaults, view)
            )
            view.start_progress("Renewing " + (one or ("the selected" if force else "all due")))
            run = Run(DashboardClients(view, client), force=force, dns=view.workspace.settings.dns)
            run.progress = lambda name, line: view.progress(f"[{name}] {line}")
            outcomes += await run.run(jobs)
        summary = _report(view, outcomes)
        await reload(view, panel)
        shown = view.workspace.last_certificate
        for outcome in outcomes:
            if outcome.renewed and (len(folders) == 1 or shown == outcome.folder / "cert.pem"):
                open_certificate(view, outcome.folder)
        return summary

    view.run(f"Renew {one}" if one else "Renew certificates", operation, changes_state=True)


async def renew_named(view: OrdersView, panel: CertificatesPanel) -> None:
    """R: a certificate of the store by its cert.pem, folder or name, as `cert renew CERT`
    takes it (inventory.renewal_target), renewed now with its remembered settings."""
    from tui.dashboard.screens.prompt import PromptScreen

    if not view.need_key():
        return
    default = str(view.workspace.last_certificate or "")
    title = "Renew which certificate (cert.pem, folder or name)?"
    answer = await view.ask(PromptScreen(title, default, paths=True))
    if not answer:
        return
    try:
        _cert, folder, _out = inventory.renewal_target(answer.strip(), store(view), None)
    except (AcmeError, InputError) as exc:
        view.notify(str(exc), title="Renew certificate", severity="error", markup=False)
        return
    renew(view, panel, [folder], force=True)
