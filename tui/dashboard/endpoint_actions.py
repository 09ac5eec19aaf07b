"""The endpoint keys (e t): pick a CA, or switch to the same CA's other environment. Switching
sends nothing; a switch to production (from the picker or with `t`) asks first, with Cancel focused,
because the next key press would talk to a real CA."""

from __future__ import annotations

from typing import Protocol

from tui.acme.errors import InputError
from tui.dashboard.screens.confirm import ConfirmScreen
from tui.dashboard.view import View
from tui.endpoints import Endpoint, resolve


class EndpointView(View, Protocol):
    def use_endpoint(self, endpoint: Endpoint) -> None:
        """Makes `endpoint` the session's (and the settings') endpoint and shows it."""
        ...


def _resolve(view: View, name_or_url: str) -> Endpoint | None:
    try:
        return resolve(name_or_url)
    except InputError as exc:
        view.notify(str(exc), severity="error")
        return None


async def _switch(view: EndpointView, endpoint: Endpoint) -> None:
    """Makes `endpoint` the session's; a switch to production asks first, Cancel focused."""
    workspace = view.workspace
    current = workspace.endpoint
    if endpoint.is_production and endpoint.url != current.url:
        sure = await view.ask(
            ConfirmScreen(
                f"Switch to PRODUCTION: {endpoint.title}",
                f"{endpoint.url}\n\nFrom here on every request goes to a real CA and acts on "
                f"real accounts and certificates; it stays your endpoint {workspace.kept}. Switch?",
                "Yes, switch to production",
            )
        )
        if not sure:
            view.notify(f"Still on {current.environment.badge}: {current.title}")
            return
    view.use_endpoint(endpoint)


async def choose_endpoint(view: EndpointView) -> None:
    from tui.dashboard.screens.endpoint_picker import EndpointPicker

    workspace = view.workspace
    choice = await view.ask(EndpointPicker(workspace.endpoint, workspace.custom_endpoints()))
    endpoint = _resolve(view, choice) if choice else None
    if endpoint is not None:
        await _switch(view, endpoint)


async def switch_twin(view: EndpointView) -> None:
    """`t`: staging <-> production of the same CA; towards production it asks as the picker
    does (one stray `t` once saved production as the endpoint of every later headless run)."""
    endpoint = view.workspace.endpoint
    if not endpoint.twin:
        view.notify(f"{endpoint.title} has no staging/production twin.", severity="warning")
        return
    twin = _resolve(view, endpoint.twin)
    if twin is not None:
        await _switch(view, twin)
