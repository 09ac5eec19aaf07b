"""What the dashboard works on: settings, endpoint, account key, account, the client that talks
to the CA, and the traffic log. No widgets here: the main screen shows this state and the
actions change it, so each piece can be checked (and later shared with the CLI through
tui/session.py) without a terminal.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui.acme.errors import InputError
from tui.acme.models import Account
from tui.acme.traffic import Exchange, Observer
from tui.config import ConfigError, Settings, save_settings
from tui.endpoints import PRESETS, Endpoint, resolve
from tui.traffic_log import TrafficLog

if TYPE_CHECKING:
    # httpx, cryptography and the client load with the first network action, not at start-up.
    from tui.acme.client import AcmeClient
    from tui.acme.jose import PrivateKey


PRESET_URLS = frozenset(preset.url for preset in PRESETS.values())


@dataclass(frozen=True)
class Responder:
    """Where the dashboard's own http-01 / tls-alpn-01 answers listen by default."""

    address: str = "0.0.0.0"  # noqa: S104 - the CA connects from outside
    http_port: int = 80
    tls_port: int = 443


class Workspace:
    def __init__(
        self,
        settings: Settings,
        *,
        config_path: Path | None,
        ca_bundle: str | None = None,
        offline: Iterable[Exchange] | None = None,
        responder: Responder | None = None,
        files_dir: Path | None = None,
    ) -> None:
        """`config_path=None` keeps settings in memory only (demo, inspect); `offline` is a
        traffic file's exchanges, inspected without sending anything; `files_dir` is where
        certificates, exports and keys go unless the user names a place (the demo's throwaway
        folder; None: the current folder, as the CLI)."""
        self.settings = settings
        self.files_dir = files_dir
        self.config_path = config_path
        self.ca_bundle = ca_bundle
        self.offline = offline is not None
        self.log = TrafficLog()
        if offline is not None:
            self.log.extend(offline)
        self.responder = responder or Responder()
        self.endpoint: Endpoint = resolve(settings.endpoint)
        self._used: list[Endpoint] = []  # this session's earlier endpoints, latest first
        self.key_path: Path | None = (
            Path(settings.account_key).expanduser() if settings.account_key else None
        )
        self.key: PrivateKey | None = None
        self.key_thumbprint: str | None = None
        self.key_loaded = False
        self.account: Account | None = None
        self.last_certificate: Path | None = None
        self.confirmed_production: set[str] = set()
        self._client: AcmeClient | None = None
        self._sequence = itertools.count(1)

    def save(self) -> str:
        """Writes the settings when they have a file; returns the problem, or ""."""
        if self.config_path is None:
            return ""
        try:
            save_settings(self.settings, self.config_path)
        except ConfigError as exc:
            return str(exc)
        return ""

    def place(self, relative: Path | str) -> Path:
        """Where a file the user did not name goes: in `files_dir`, else the current folder."""
        return (self.files_dir or Path.cwd()) / relative

    def remembered_url(self) -> str | None:
        """The account URL remembered for this exact (endpoint, key) pair."""
        if self.key_thumbprint is None:
            return None
        return self.settings.account_for(self.endpoint.url, self.key_thumbprint)

    @staticmethod
    def import_client() -> None:
        """httpx and the client modules (60-75 ms of imports): for a thread to load while the
        first screen is looked at, so the first network action does not freeze the screen."""
        import tui.session  # noqa: F401

    def client(self, observer: Observer) -> AcmeClient:
        """The client for the current endpoint and key, made on first use; every exchange it
        makes goes to `observer`."""
        if self._client is None:
            from tui.session import make_client

            self._client = make_client(
                self.settings,
                self.endpoint,
                self.key,
                ca_bundle=self.ca_bundle,
                observers=[observer],
                sequence=self._sequence,
            )
            if self.key is not None and self._client.account_url:
                # An account remembered from an earlier run: from here on, its requests are
                # signed by this key (the traffic log checks them with it).
                from tui.acme.jose import public_jwk

                account_url, jwk = self._client.account_url, public_jwk(self.key)
                self.log.keys.add(account_url, jwk, after_seq=self.log.last_seq)
        return self._client

    def drop_client(self) -> AcmeClient | None:
        """Forgets the client (endpoint or key changed); returns it for the caller to close."""
        client, self._client = self._client, None
        if self.key_loaded and not self.offline:
            # The next client's trust store (30 ms of parsing) loads on a thread now, not on
            # the UI thread when the next action needs it. Not before the first paint.
            from tui.acme import trust

            trust.preload(self.settings.ca_bundle_path(self.ca_bundle))
        return client

    def set_endpoint(self, endpoint: Endpoint) -> AcmeClient | None:
        """Switches endpoint; the account is unknown there until looked up. Returns the old
        client, to close."""
        self._used = [self.endpoint, *(e for e in self._used if e.url != self.endpoint.url)]
        self.endpoint = endpoint
        self.account = None
        return self.drop_client()

    def custom_endpoints(self) -> list[Endpoint]:
        """The directory URLs that are no preset but in use or used before, for the picker:
        the current one, this session's earlier ones (latest first), then those the config
        remembers an account for. One that no longer passes resolve() is left out."""
        candidates = [self.endpoint.url, *(e.url for e in self._used)]
        candidates += [account.directory for account in self.settings.accounts]
        found: dict[str, Endpoint] = {}
        for url in candidates:
            if url in found or url in PRESET_URLS:
                continue
            try:
                found[url] = resolve(url)
            except InputError:
                continue
        return list(found.values())

    def load_key(
        self, path: Path | None, passphrase: bytes | None = None
    ) -> tuple[InputError | None, AcmeClient | None]:
        """Makes the key at `path` (None: no key) the account key. Returns why it did not load
        (PassphraseRequired: ask for one), or None; and the old client, to close."""
        from tui.acme import jose, keys  # cryptography: loaded after the first paint

        self.key_loaded = True
        self.key_path, self.key, self.key_thumbprint = path, None, None
        problem = None
        if path is not None:
            try:
                self.key = keys.load_key(path, passphrase)
                self.key_thumbprint = jose.thumbprint(jose.public_jwk(self.key))
            except InputError as exc:
                problem = exc
        self.account = None
        return problem, self.drop_client()

    def account_changed(self, client: AcmeClient, account: Account) -> None:
        """Remembers the account for this endpoint and key (in the settings, to save)."""
        self.account = account
        self.settings.remember_account(client.directory_url, client.thumbprint, account.url)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
