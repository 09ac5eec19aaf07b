"""Settings + endpoint + key -> a ready AcmeClient. Shared by the CLI and the dashboard so both
build clients the same way (options, remembered account URL, traffic observers)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from tui.acme import jose
from tui.acme.client import AcmeClient, ClientOptions
from tui.acme.traffic import Observer
from tui.config import Settings
from tui.endpoints import Endpoint


def client_options(settings: Settings, ca_bundle: str | None = None) -> ClientOptions:
    return ClientOptions(
        user_agent=settings.user_agent,
        language=settings.language,
        ca_bundle=settings.ca_bundle_path(ca_bundle),
        connect_timeout=settings.timeouts.connect,
        read_timeout=settings.timeouts.read,
        retry_after_max=settings.timeouts.retry_after_max,
    )


def make_client(
    settings: Settings,
    endpoint: Endpoint,
    key: jose.PrivateKey | None,
    *,
    ca_bundle: str | None = None,
    observers: Iterable[Observer] = (),
    sequence: itertools.count[int] | None = None,
) -> AcmeClient:
    """The account URL is looked up for this exact (directory, key) pair, never borrowed from
    another endpoint: a staging kid must never be sent to production."""
    account_url = None
    if key is not None:
        account_url = settings.account_for(endpoint.url, jose.thumbprint(jose.public_jwk(key)))
    return AcmeClient(
        endpoint.url,
        key=key,
        account_url=account_url,
        options=client_options(settings, ca_bundle),
        observers=observers,
        sequence=sequence,
    )
