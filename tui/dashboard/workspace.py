"""What the dashboard works on: a Session (settings, endpoint, account key, the clients it
makes; the CLI's too), the account shown, the client in use, and the traffic log. No widgets
here: the main screen shows this state and the actions change it, so each piece can be checked
without a terminal.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui import accounts
from tui.acme.errors import InputError, PassphraseRequired
from tui.acme.hooks import PASSPHRASE_ENV
from tui.acme.traffic import Exchange, Observer
from tui.config import Settings
from tui.endpoints import PRESETS, Endpoint, recorded, resolve
from tui.session import Session
from tui.traffic_log import TrafficLog
from tui.user_paths import user_path

if TYPE_CHECKING:
    # httpx, cryptography and the client load with the first network action, not at start-up.
    from tui.acme.client import AcmeClient
    from tui.acme.jose import PrivateKey
    from tui.acme.models import Account


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
        recorders: Iterable[Observer] = (),
        for_this_run: dict[str, tuple[object, object]] | None = None,
    ) -> None:
        """`config_path=None` keeps settings in memory only (demo, inspect); `recorders` get
        every exchange besides the traffic list (--traffic FILE); `offline` is a
        traffic file's exchanges, inspected without sending anything, under the CA the file
        names (never the config's: it may be another); `files_dir` is where
        certificates, exports and keys go unless the user names a place (the demo's throwaway
        folder; None: the current folder, as the CLI). The key named in the settings loads
        later (load_key), after the first paint. `for_this_run`: Session.for_this_run."""
        shown = list(offline) if offline is not None else None
        self.session = Session(
            settings,
            resolve(settings.endpoint)
            if shown is None
            else recorded((e.endpoint for e in shown), [e.url for e in shown]),
            config_path,
            key_path=user_path(settings.account_key) if settings.account_key else None,
            ca_bundle=ca_bundle,
            sequence=itertools.count(1),
            for_this_run=dict(for_this_run or {}),
        )
        self.files_dir = files_dir
        self.recorders = list(recorders)
        self.offline = shown is not None
        self.log = TrafficLog()
        if shown is not None:
            self.log.extend(shown)
        self.responder = responder or Responder()
        self._used: list[Endpoint] = []  # this session's earlier endpoints, latest first
        self.key_thumbprint: str | None = None
        self.key_loaded = False
        self.account: Account | None = None
        self.last_certificate: Path | None = None
        self.confirmed_production: set[str] = set()
        self._client: AcmeClient | None = None

    @property
    def settings(self) -> Settings:
        return self.session.settings

    @property
    def endpoint(self) -> Endpoint:
        return self.session.endpoint

    @property
    def key_path(self) -> Path | None:
        return self.session.key_path

    @property
    def key(self) -> PrivateKey | None:
        return self.session.key

    @property
    def kept(self) -> str:
        """Where a setting the user changes goes, in the words the dashboard's texts use: a
        demo's (or an inspection's) settings are never written, and a label that said "in your
        settings" promised the config file a throwaway session."""
        return "in your settings" if self.session.config_path else "for this session only"

    @property
    def folder(self) -> Path:
        """The session's folder: where a file the user does not name goes, and what a relative
        path typed in a dialog is relative to. `files_dir` (a demo's), else the current one."""
        return self.files_dir or Path.cwd()

    def place(self, relative: Path | str) -> Path:
        return self.folder / relative

    def remembered_url(self) -> str | None:
        """The account URL remembered for this exact (endpoint, key) pair."""
        if self.key_thumbprint is None:
            return None
        return self.settings.account_for(self.endpoint.url, self.key_thumbprint)

    @staticmethod
    def import_client() -> None:
        """httpx and the client modules (60-75 ms of imports): for a thread to load while the
        first screen is looked at, so the first network action does not freeze the screen."""
        import tui.acme.client  # noqa: F401

    def client(self, observer: Observer) -> AcmeClient:
        """The session's client for the current endpoint and key, made on first use and kept
        until either changes; every exchange it makes goes to `observer`."""
        if self._client is None:
            self.session.observers = [observer, *self.recorders]
            self._client = self.session.client()
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

            trust.preload(self.settings.ca_bundle_path(self.session.ca_bundle))
        return client

    def set_endpoint(self, endpoint: Endpoint) -> AcmeClient | None:
        """Switches endpoint; the account is unknown there until looked up. Returns the old
        client, to close."""
        self._used = [self.endpoint, *(e for e in self._used if e.url != self.endpoint.url)]
        self.session.endpoint = endpoint
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
        self, path: Path | None, passphrase: str | None = None
    ) -> tuple[InputError | None, AcmeClient | None]:
        """Makes the key at `path` (None: no key) the account key, opened as accounts.load_key
        opens it for the CLI: with $ACMEDASH_KEY_PASSPHRASE, else with `passphrase` (the one
        the user typed). Returns why it did not load, or None (PassphraseRequired: ask for
        one; never when the environment's passphrase was wrong); and the old client, to
        close. A key that does not load leaves none in use: the one named (in the settings,
        by `o`) is the one shown, with why."""
        problem: InputError | None = None
        if path is not None:
            typed = None if passphrase is None else (lambda _path: passphrase)
            try:
                return None, self.use_key(path, accounts.load_key(path, typed))
            except PassphraseRequired as exc:
                problem = exc
                if not accounts.passphrase_may_be_asked():
                    problem = InputError(f"{exc} (${PASSPHRASE_ENV})")
            except InputError as exc:
                problem = exc
        self.key_loaded = True
        self.session.key_path, self.session.key, self.key_thumbprint = path, None, None
        self.account = None
        return problem, self.drop_client()

    def use_key(self, path: Path, key: PrivateKey) -> AcmeClient | None:
        """Makes `key`, read from `path`, the account key; returns the old client, to close."""
        from tui.acme import jose  # cryptography: loaded after the first paint

        self.key_loaded = True
        self.session.key_path, self.session.key = path, key
        self.key_thumbprint = jose.thumbprint(jose.public_jwk(key))
        self.account = None
        return self.drop_client()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
