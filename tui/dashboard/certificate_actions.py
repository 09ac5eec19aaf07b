"""What the Certificates tab's keys do: list the store, renew the selected certificate or every
due one, open one in the certificate viewer. The decisions and the renewals are
tui/renew_run.py, the same code as `cert renew`; the store's lock keeps a timer's run and the
dashboard's apart.

The dashboard talks to one CA with one account key: a certificate remembered with another CA
or key is reported as such (renew it with `acmedash cert renew`), never sent elsewhere."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from tui import inventory
from tui.acme.errors import AcmeError, InputError
from tui.cert_list import describe_entries
from tui.dashboard.orders import OrdersView, store
from tui.renewal import RenewalSettings, defaults_for

if TYPE_CHECKING:
    from tui.acme.client import AcmeClient
    from tui.dashboard.panels.certificates import CertificatesPanel
    from tui.renew_run import Job


async def reload(view: OrdersView, panel: CertificatesPanel) -> None:
    """Read in a thread: hundreds of folders are not read on the UI's turn."""
    where = store(view)
    rows = await asyncio.to_thread(lambda: describe_entries(inventory.managed_folders(where)))
    panel.show(where, rows)


def open_certificate(view: OrdersView, folder: Path) -> None:
    from tui.acme.certificates import describe
    from tui.renewal_due import ari_window, iso
    from tui.workflow import load_certificate_file

    try:
        entry = inventory.load_entry(folder)
        certificate = load_certificate_file(folder / "cert.pem")
    except (AcmeError, InputError) as exc:
        view.notify(str(exc), severity="error")
        return
    info = describe(certificate)
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
        if key_path is None or Path(settings.account_key).expanduser() != key_path.absolute():
            raise InputError(f"remembered with the account key {settings.account_key}")
        if self._account is None:
            self._account = await accounts.require_account(self.client, self.view.workspace.session)
        return self.client


def _jobs(view: OrdersView, folders: list[Path]) -> list[Job]:
    from tui.renew_run import Job
    from tui.workflow import renewal_names

    workspace, jobs = view.workspace, []
    key = str(workspace.key_path.absolute()) if workspace.key_path else ""
    for folder in folders:
        entry = inventory.load_entry(folder)
        names = renewal_names(entry.certificate)
        settings = entry.settings or defaults_for(names, workspace.endpoint.url, key)
        jobs.append(Job(entry, settings, folder))
    return jobs


def renew(view: OrdersView, panel: CertificatesPanel, folders: list[Path], *, force: bool) -> None:
    """`folders` with force (the selected one), or every certificate of the store, renewed
    when due."""
    if not view.need_key():
        return

    async def operation(client: AcmeClient) -> str:
        from tui.renew_run import Run
        from tui.store_lock import store_lock

        where = store(view)
        with store_lock(where):
            jobs = _jobs(view, folders or inventory.managed_folders(where))
            view.start_progress("Renewing " + ("the selected certificate" if force else "all due"))
            run = Run(DashboardClients(view, client), force=force, dns=view.workspace.settings.dns)
            run.progress = lambda name, line: view.progress(f"[{name}] {line}")
            outcomes = await run.run(jobs)
        for outcome in outcomes:
            view.progress(outcome.line())
        await reload(view, panel)
        renewed = sum(o.renewed for o in outcomes)
        failed = sum(o.error is not None for o in outcomes)
        return f"{renewed} renewed, {failed} failed, {len(outcomes) - renewed - failed} not due"

    view.run("Renew certificates", operation, changes_state=True)
