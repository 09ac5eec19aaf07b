"""Settings + endpoint + key -> a ready AcmeClient, and the Session that holds them. Shared by
the CLI and the dashboard so both build clients the same way (options, remembered account URL,
traffic observers) and remember accounts the same way.

Light to import: the protocol client (httpx) and cryptography load when the first client is
made, so the dashboard can hold a Session before its first paint."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.acme.traffic import Observer
from tui.config import ConfigError, Settings, save_settings
from tui.endpoints import Endpoint
from tui.user_paths import user_path

if TYPE_CHECKING:
    from tui.acme.client import AcmeClient, ClientOptions
    from tui.acme.jose import PrivateKey


def client_options(settings: Settings, ca_bundle: str | None = None) -> ClientOptions:
    from tui.acme.client import ClientOptions

    return ClientOptions(
        user_agent=settings.user_agent,
        language=settings.language,
        ca_bundle=settings.ca_bundle_path(ca_bundle),
        connect_timeout=settings.timeouts.connect,
        read_timeout=settings.timeouts.read,
        request_deadline=settings.timeouts.request,
        retry_after_max=settings.timeouts.retry_after_max,
    )


def make_client(
    settings: Settings,
    endpoint: Endpoint,
    key: PrivateKey | None,
    *,
    ca_bundle: str | None = None,
    observers: Iterable[Observer] = (),
    sequence: itertools.count[int] | None = None,
) -> AcmeClient:
    """The account URL is looked up for this exact (directory, key) pair, never borrowed from
    another endpoint: a staging kid must never be sent to production."""
    from tui.acme import jose
    from tui.acme.client import AcmeClient

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


def _same_file(one: Path, other: Path) -> bool:
    """Two spellings of one path (relative and absolute, `~`): as the CLI opens them."""
    return user_path(one).absolute() == user_path(other).absolute()


@dataclass
class Session:
    """One CA endpoint and one account key, with the settings they came from: what both front
    ends hold while they talk to a CA. It makes the clients and keeps the remembered account
    URLs, each under its (directory URL, key thumbprint) pair, saved to `config_path` as soon
    as they change (never when `config_path` is None: a demo or an offline inspection)."""

    settings: Settings
    endpoint: Endpoint
    config_path: Path | None = None
    key_path: Path | None = None
    key: PrivateKey | None = None
    ca_bundle: str | None = None
    observers: list[Observer] = field(default_factory=list)
    sequence: itertools.count[int] | None = None
    save_failed: Callable[[ConfigError], None] | None = None
    # Told when a save kept the old file as .bak (a comment it could not keep): the dashboard
    # shows it.
    save_note: Callable[[str], object] | None = None
    # Settings fields a flag set for this run only (the dashboard's --endpoint, --key,
    # --contact): name -> (the config's value, the flag's). While a field still holds the
    # flag's value, a save writes the config's: `acmedash --endpoint letsencrypt` once made
    # production the endpoint of every later start, as soon as anything was saved.
    for_this_run: dict[str, tuple[object, object]] = field(default_factory=dict)

    def client(self, *, signed: bool = True) -> AcmeClient:
        """A client with the account key, or without one (`signed=False`: the directory, ARI,
        a revocation signed by the certificate's own key)."""
        return make_client(
            self.settings,
            self.endpoint,
            self.key if signed else None,
            ca_bundle=self.ca_bundle,
            observers=self.observers,
            sequence=self.sequence,
        )

    def remember(self, client: AcmeClient, url: str) -> None:
        """The client's account URL, under its directory and its key; saved if it changed."""
        if self.settings.account_for(client.directory_url, client.thumbprint) != url:
            self.settings.remember_account(client.directory_url, client.thumbprint, url)
            self.save()

    def forget(self, directory_url: str, thumbprint: str) -> None:
        self.settings.forget_account(directory_url, thumbprint)
        self.save()

    def use_key(self, path: Path, key: PrivateKey) -> None:
        """From now on the session signs with `key`. The settings' account_key follows only
        when it named the key this session had: a --key given for one command is not made the
        configured key by it."""
        configured = self.settings.account_key
        if configured and self.key_path and _same_file(Path(configured), self.key_path):
            self.settings.account_key = str(path)
            if (flagged := self.for_this_run.get("account_key")) is not None:
                # the dashboard's --key rolled over: this run goes on with the new key, the
                # config keeps the one it names
                self.for_this_run["account_key"] = (flagged[0], str(path))
        self.key_path, self.key = path, key

    def save(self) -> None:
        """Writes the settings to `config_path`. A failure raises ConfigError, unless the front
        end takes it in `save_failed` (the dashboard shows it and goes on: the settings stay
        as they are in memory, and the next save writes them all)."""
        if self.config_path is None:
            return
        kept: dict[str, Any] = {
            name: configured
            for name, (configured, given) in self.for_this_run.items()
            if getattr(self.settings, name) == given
        }
        try:
            note = save_settings(replace(self.settings, **kept), self.config_path)
            if note and self.save_note is not None:
                self.save_note(note)
        except ConfigError as exc:
            if self.save_failed is None:
                raise
            self.save_failed(exc)
