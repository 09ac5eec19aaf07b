"""The dashboard: panels on the left, the live traffic inspector on the right.

Every network action runs in an exclusive worker that calls AcmeClient; the UI thread never
waits on the network. The App owns the state (settings, endpoint, key, client) and the panels
only show it or report what the user changed.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.lazy import Lazy
from textual.screen import Screen
from textual.widgets import Input, Static

from tui.acme import __version__
from tui.acme.encoding import Jwk
from tui.acme.errors import AcmeError, InputError, PassphraseRequired, ProblemError
from tui.acme.fileio import atomic_write
from tui.acme.models import Account
from tui.acme.traffic import Exchange, signature_valid, signing_keys, to_har
from tui.config import ConfigError, Settings, default_data_dir, save_settings
from tui.endpoints import Endpoint, resolve
from tui.panels.account import AccountPanel
from tui.panels.contacts import ContactsPanel
from tui.panels.endpoint import EndpointPanel
from tui.panels.exchange_detail import ExchangeDetail
from tui.panels.key import KeyPanel, loose_mode
from tui.panels.key_bar import KeyBar
from tui.panels.orders import OrderForm, OrdersPanel
from tui.panels.tabs import TabbedPanes
from tui.panels.traffic_list import TrafficList
from tui.screens.confirm import ConfirmScreen
from tui.screens.prompt import PromptScreen
from tui.themes import parse_theme, theme_files

if TYPE_CHECKING:
    # httpx and the client load with the first network action, not at start-up.
    from tui.acme.client import AcmeClient
    from tui.acme.jose import PrivateKey
    from tui.screens.resend import ResendScreen


def _resend_screen() -> type[ResendScreen]:
    """TextArea costs start-up time; it loads when a request is first edited."""
    from tui.screens.resend import ResendScreen

    return ResendScreen


def _bindings(*groups: list[BindingType]) -> list[Binding]:
    return [b for group in groups for b in group if isinstance(b, Binding)]


def _import_protocol_client() -> None:
    """httpx and the client modules (60-75 ms of imports here) load on a thread while the
    first screen is looked at, so the first network action does not freeze the screen."""
    import tui.session  # noqa: F401


class AcmeDashApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "acmedash"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Keys", id="help", tooltip="Every key and its keymap id"),
        Binding("d", "directory", "Directory", id="directory", tooltip="GET the directory"),
        Binding("n", "nonce", "Nonce", id="nonce", show=False, tooltip="HEAD newNonce"),
        Binding(
            "a", "new_account", "New acct", id="new_account", tooltip="newAccount (asks for ToS)"
        ),
        Binding("l", "find_account", "Lookup", id="find_account", tooltip="Find the key's account"),
        Binding(
            "i", "account_info", "Info", id="account_info", show=False, tooltip="Fetch the account"
        ),
        Binding("u", "update_contacts", "Push contacts", id="update_contacts", show=False),
        Binding("t", "switch_twin", "Stg/Prod", id="switch_twin", tooltip="Staging <-> production"),
        Binding("e", "choose_endpoint", "Endpoint", id="choose_endpoint", tooltip="Pick a CA"),
        Binding("o", "open_key", "Open key", id="open_key", show=False),
        Binding("g", "generate_key", "Gen key", id="generate_key", show=False),
        Binding("m", "fix_key_mode", "chmod 600", id="fix_key_mode", show=False),
        Binding("slash", "filter", "Filter", id="filter", tooltip="Filter the traffic list"),
        Binding(
            "x", "export_jsonl", "Export", id="export_jsonl", tooltip="Export traffic as JSONL"
        ),
        Binding("X", "export_har", "HAR", id="export_har", show=False),
        Binding("c", "copy_exchange", "Copy", id="copy_exchange", show=False),
        Binding("s", "save_exchange", "Save", id="save_exchange", show=False),
        Binding("r", "resend", "Resend", id="resend", tooltip="Edit the payload, sign again, send"),
        Binding("I", "issue", "Issue", id="issue", tooltip="Order a certificate (Orders tab)"),
        Binding("R", "renew", "Renew", id="renew", show=False, tooltip="Renew a certificate"),
        Binding("V", "revoke", "Revoke", id="revoke", show=False, tooltip="Revoke a certificate"),
        Binding("K", "rollover", "Key rollover", id="rollover", show=False),
        Binding("D", "deactivate", "Deactivate", id="deactivate", show=False),
        Binding(
            "escape",
            "leave_field",
            "Leave field",
            id="leave_field",
            show=False,
            tooltip="Leave a text box for the traffic list, where the letter keys work again",
        ),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        config_path: Path | None,
        ca_bundle: str | None = None,
        offline: Iterable[Exchange] | None = None,
        responder_address: str = "0.0.0.0",  # noqa: S104 - the CA connects from outside
        http_port: int = 80,
        tls_port: int = 443,
    ) -> None:
        """`config_path=None` keeps settings in memory only (demo, inspect). The responder
        address and ports are where http-01 / tls-alpn-01 answers listen by default."""
        super().__init__()
        self.settings = settings
        self.config_path = config_path
        self.ca_bundle = ca_bundle
        self.offline = offline is not None
        self._offline_exchanges = list(offline or [])
        self.endpoint: Endpoint = resolve(settings.endpoint)
        self.key_path: Path | None = (
            Path(settings.account_key).expanduser() if settings.account_key else None
        )
        self.key: PrivateKey | None = None
        self.key_thumbprint: str | None = None
        self._key_loaded = False
        self.account: Account | None = None
        self._client: AcmeClient | None = None
        self._sequence = itertools.count(1)
        self._confirmed_production: set[str] = set()
        self._nonce_source: dict[str, Exchange] = {}
        self._signing_keys: dict[str, Jwk] = {}
        self.key_panel = KeyPanel(id="key-panel")
        self.contacts_panel = ContactsPanel(id="contacts-panel")
        self.account_panel = AccountPanel(id="account-panel")
        self.responder_address, self.http_port, self.tls_port = (
            responder_address,
            http_port,
            tls_port,
        )
        demo_port = http_port if http_port != 80 else None
        self.orders_panel = OrdersPanel(default_port=demo_port, id="orders-panel")
        self.last_certificate: Path | None = None
        self._theme_error = ""
        self._started = False

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="bar")
        with Horizontal(id="main"):
            # Hidden panes mount after the first paint; the App talks to the panel objects,
            # which accept updates before they are mounted.
            yield TabbedPanes(
                {
                    "pane-endpoint": ("CA", EndpointPanel(id="endpoint-panel")),
                    "pane-key": ("Key", Lazy(self.key_panel)),
                    "pane-contacts": ("Contacts", Lazy(self.contacts_panel)),
                    "pane-account": ("Account", Lazy(self.account_panel)),
                    "pane-orders": ("Orders", Lazy(self.orders_panel)),
                },
                id="side",
            )
            with Vertical(id="right"):
                yield TrafficList(id="traffic-list")
                yield ExchangeDetail(id="exchange-detail")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self._load_themes()
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        self.contacts_panel.set_contacts(self.settings.contacts)
        traffic = self.query_one(TrafficList)
        if self.offline:
            traffic.extend(self._offline_exchanges)
            for exchange in self._offline_exchanges:
                self._index(exchange)
        self._apply_endpoint(self.endpoint)
        self.call_after_refresh(self._after_first_paint)
        traffic.focus()
        if self._theme_error:
            self.notify(self._theme_error, title="Theme", severity="warning")
        self._started = True

    def on_resize(self) -> None:
        self.screen.set_class(self.size.width >= 160, "-wide")

    def _load_themes(self) -> None:
        for path in theme_files(default_data_dir() / "themes"):
            try:
                self.register_theme(parse_theme(path))
            except ValueError as exc:
                self._theme_error = f"{exc}; using the default theme"

    def watch_theme(self, theme: str) -> None:
        if self._started and self.settings.theme != theme:
            self.settings.theme = theme
            self._save()

    # -- state ------------------------------------------------------------------------------

    def _save(self) -> None:
        if self.config_path is None:
            return
        try:
            save_settings(self.settings, self.config_path)
        except ConfigError as exc:
            self.notify(str(exc), title="Settings not saved", severity="error")

    def _update_bar(self, busy: str = "") -> None:
        bar = self.query_one("#bar", Static)
        environment = self.endpoint.environment
        for name in ("production", "staging", "local"):
            bar.set_class(environment.value == name, f"-{name}")
        mode = " [OFFLINE INSPECT]" if self.offline else ""
        working = f"  ⟳ {busy}…" if busy else ""
        bar.update(Text(f" {environment.badge} ▌ {self.endpoint.title}{mode}{working}"))

    def _apply_endpoint(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._drop_client()
        self.account = None
        self.query_one(EndpointPanel).show_endpoint(endpoint)
        self._update_bar()
        self._show_account()

    def _drop_client(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            self.run_worker(client.aclose(), group="close")
        if self._key_loaded and not self.offline:
            # The next client's trust store (30 ms of parsing) loads on a thread now, not on
            # the UI thread when the next action needs it. Not before the first paint.
            from tui.acme import trust

            trust.preload(self.settings.ca_bundle_path(self.ca_bundle))

    def _load_key(self, path: Path | None, passphrase: bytes | None = None) -> None:
        from tui.acme import jose, keys  # cryptography: loaded after the first paint

        self._key_loaded = True
        self.key_path, self.key, self.key_thumbprint = path, None, None
        problem = ""
        if path is not None:
            try:
                self.key = keys.load_key(path, passphrase)
                self.key_thumbprint = jose.thumbprint(jose.public_jwk(self.key))
            except PassphraseRequired as exc:
                problem = str(exc)
                self._ask_passphrase(path)
            except InputError as exc:
                problem = str(exc)
        self._drop_client()
        self.account = None
        self.key_panel.show_key(path, self.key, problem)
        self._show_account()

    def _after_first_paint(self) -> None:
        self._ensure_key_loaded()
        if not self.offline:
            self.run_worker(_import_protocol_client, thread=True, group="warm-up")

    def _ensure_key_loaded(self) -> None:
        """The saved key loads right after the first paint, or sooner if an action needs it."""
        if not self._key_loaded:
            self._load_key(self.key_path)

    @work(group="prompt")
    async def _ask_passphrase(self, path: Path) -> None:
        secret = await self.push_screen_wait(PromptScreen(f"Passphrase for {path}", password=True))
        if secret:
            self._load_key(path, secret.encode())

    def _remembered_url(self) -> str | None:
        if self.key_thumbprint is None:
            return None
        return self.settings.account_for(self.endpoint.url, self.key_thumbprint)

    def _show_account(self) -> None:
        self.account_panel.show_account(self.account, self._remembered_url())

    def client(self) -> AcmeClient:
        if self._client is None:
            from tui.session import make_client

            self._client = make_client(
                self.settings,
                self.endpoint,
                self.key,
                ca_bundle=self.ca_bundle,
                observers=[self._record],
                sequence=self._sequence,
            )
        return self._client

    # -- traffic ------------------------------------------------------------------------------

    def _index(self, exchange: Exchange) -> None:
        """Kept up to date as exchanges arrive, so selecting a row never rescans the log."""
        if exchange.nonce_received:
            self._nonce_source[exchange.nonce_received] = exchange
        self._signing_keys.update(signing_keys([exchange]))

    def _record(self, exchange: Exchange) -> None:
        self._index(exchange)
        self.query_one(TrafficList).append(exchange)

    def on_traffic_list_selected(self, message: TrafficList.Selected) -> None:
        exchange = message.exchange
        known = dict(self._signing_keys)
        if self.key is not None and self._client is not None and self._client.account_url:
            from tui.acme.jose import public_jwk

            known.setdefault(self._client.account_url, public_jwk(self.key))
        nonce = exchange.nonce_sent
        origin = self._nonce_source.get(nonce) if nonce else None
        if origin is not None and origin.seq >= exchange.seq:
            origin = None
        self.query_one(ExchangeDetail).show(exchange, signature_valid(exchange, known), origin)

    # -- running ACME operations ---------------------------------------------------------------

    @work(exclusive=True, group="acme")
    async def _run(
        self,
        title: str,
        operation: Callable[[AcmeClient], Awaitable[str]],
        *,
        changes_state: bool = False,
    ) -> None:
        if self.offline:
            self.notify("Offline inspection: no requests are sent.", severity="warning")
            return
        if (
            changes_state
            and self.endpoint.is_production
            and self.endpoint.url not in self._confirmed_production
        ):
            confirmed = await self.push_screen_wait(
                ConfirmScreen(
                    f"PRODUCTION: {self.endpoint.title}",
                    f"{title} on the PRODUCTION endpoint\n{self.endpoint.url}\n\n"
                    "This changes real state at a real CA. Continue?",
                    "Yes, use production",
                )
            )
            if not confirmed:
                self.notify("Cancelled.", severity="warning")
                return
            self._confirmed_production.add(self.endpoint.url)
        self._update_bar(title)
        try:
            message = await operation(self.client())
        except ProblemError as exc:
            self.notify(str(exc), title=f"{title}: server problem", severity="error", timeout=10)
        except AcmeError as exc:
            self.notify(str(exc), title=f"{title} failed", severity="error", timeout=10)
        # A bug must not take the session (and its traffic log) down with it.
        except Exception as exc:
            self.log.error(f"{title}: {exc!r}")
            self.notify(
                f"unexpected {type(exc).__name__}: {exc}", title=f"{title} failed", severity="error"
            )
        else:
            if message:
                self.notify(message, title=title)
        finally:
            self._update_bar()

    def _need_key(self) -> bool:
        self._ensure_key_loaded()
        if self.key is None:
            self.notify("Load or generate an account key first (o / g).", severity="warning")
            self.query_one("#side", TabbedPanes).active = "pane-key"
            return False
        return True

    def _account_changed(self, client: AcmeClient, account: Account) -> None:
        self.account = account
        self.settings.remember_account(client.directory_url, client.thumbprint, account.url)
        self._save()
        self._show_account()

    def action_directory(self) -> None:
        async def operation(client: AcmeClient) -> str:
            directory = await client.directory()
            self.query_one(EndpointPanel).show_directory(directory)
            return ""

        self._run("Get directory", operation)

    def action_nonce(self) -> None:
        async def operation(client: AcmeClient) -> str:
            return f"nonce {await client.new_nonce()}"

        self._run("New nonce", operation)

    def action_new_account(self) -> None:
        if not self._need_key():
            return

        async def operation(client: AcmeClient) -> str:
            directory = await client.directory()
            eab = None
            if directory.meta.external_account_required:
                eab = await self._external_account_binding()
                if eab is None:
                    return "This CA requires External Account Binding; no account created."
            agreed: bool | None = None
            if directory.meta.terms_of_service:
                agreed = await self.push_screen_wait(
                    ConfirmScreen(
                        "Terms of service",
                        f"Creating an account means agreeing to the CA's terms of service:\n\n"
                        f"{directory.meta.terms_of_service}\n\nDo you agree?",
                        "I agree",
                        alarm=False,
                    )
                )
                if not agreed:
                    return "Terms not agreed; no account created."
            account = await client.new_account(self.settings.contacts, terms_agreed=agreed, eab=eab)
            self._account_changed(client, account)
            return "Account created." if account.created else "This key already had an account."

        self._run("New account", operation, changes_state=True)

    async def _external_account_binding(self) -> tuple[str, str] | None:
        """RFC 8555 §7.3.4: the key id and MAC key the CA issued, from the config or asked for.
        The MAC key is typed into a password box and used once; it is never shown or saved."""
        kid, mac_key = self.settings.eab_kid, self.settings.eab_hmac_key
        if not kid:
            title = "This CA requires External Account Binding. Key id (EAB KID):"
            answer = await self.push_screen_wait(PromptScreen(title))
            kid = answer or ""
        if kid and not mac_key:
            title = f"MAC key for {kid} (base64url; not shown, not saved)"
            answer = await self.push_screen_wait(PromptScreen(title, password=True))
            mac_key = answer or ""
        return (kid, mac_key) if kid and mac_key else None

    def action_find_account(self) -> None:
        if not self._need_key():
            return

        async def operation(client: AcmeClient) -> str:
            self._account_changed(client, await client.find_account())
            return "Account found."

        self._run("Find account", operation)

    def action_account_info(self) -> None:
        if not self._need_key():
            return

        async def operation(client: AcmeClient) -> str:
            self._account_changed(client, await client.fetch_account())
            return ""

        self._run("Account info", operation)

    def action_update_contacts(self) -> None:
        if not self._need_key():
            return

        async def operation(client: AcmeClient) -> str:
            self._account_changed(client, await client.update_account(self.settings.contacts))
            return "Contacts updated on the server."

        self._run("Update contacts", operation, changes_state=True)

    def on_contacts_panel_changed(self, message: ContactsPanel.Changed) -> None:
        self.settings.contacts = message.contacts
        self._save()
        if self.account is not None or self._remembered_url():
            self.action_update_contacts()

    # -- endpoint and key ----------------------------------------------------------------------

    def _choose_endpoint(self, name_or_url: str) -> None:
        try:
            endpoint = resolve(name_or_url)
        except InputError as exc:
            self.notify(str(exc), severity="error")
            return
        self.settings.endpoint = endpoint.name
        self._save()
        self._apply_endpoint(endpoint)
        self.notify(f"{endpoint.environment.badge}: {endpoint.title}", timeout=3)

    def action_switch_twin(self) -> None:
        if not self.endpoint.twin:
            self.notify(
                f"{self.endpoint.title} has no staging/production twin.", severity="warning"
            )
            return
        self._choose_endpoint(self.endpoint.twin)

    @work(group="prompt")
    async def action_choose_endpoint(self) -> None:
        from tui.screens.endpoint_picker import EndpointPicker

        choice = await self.push_screen_wait(EndpointPicker(self.endpoint))
        if choice:
            self._choose_endpoint(choice)

    @work(group="prompt")
    async def action_open_key(self) -> None:
        path = await self.push_screen_wait(
            PromptScreen(
                "Account key file (PEM, DER or certbot JWK)", str(self.key_path or ""), paths=True
            )
        )
        if path:
            self.use_key_file(Path(path).expanduser())

    def use_key_file(self, path: Path) -> None:
        self.settings.account_key = str(path)
        self._save()
        self._load_key(path)
        self.query_one("#side", TabbedPanes).active = "pane-key"

    @work(group="prompt")
    async def action_generate_key(self) -> None:
        default = str(self.key_path or Path.cwd() / "account.pem")
        if self.key_path is not None and self.key_path.exists():
            default = str(self.key_path.with_name("account-new.pem"))
        from tui.screens.generate_key import GenerateKeyScreen  # Select: not at start-up

        answer = await self.push_screen_wait(GenerateKeyScreen(default))
        if answer is None:
            return
        path, key_type = Path(answer[0]).expanduser(), answer[1]
        try:
            from tui.acme import keys

            keys.save_key(keys.generate_key(key_type), path)
        except InputError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"Generated {key_type} key at {path}")
        self.use_key_file(path)

    def action_fix_key_mode(self) -> None:
        if self.key_path is None or loose_mode(self.key_path) is None:
            self.notify("The key file's mode is already private.")
            return
        try:
            os.chmod(self.key_path, 0o600)
        except OSError as exc:
            self.notify(f"chmod failed: {exc.strerror}", severity="error")
            return
        self._load_key(self.key_path)
        self.notify(f"{self.key_path} is now 0600")

    # -- traffic tools -----------------------------------------------------------------------------

    def action_filter(self) -> None:
        """The filter box is mounted the first time it is wanted, not at start-up."""
        found = self.query("#traffic-filter")
        if found:
            box = found.first(Input)
        else:
            placeholder = "filter: words, method:POST status:4xx problem:badNonce"
            box = Input(placeholder=placeholder, id="traffic-filter")
            self.query_one("#right").mount(box, before=0)
        box.add_class("-visible")
        box.focus()

    def on_input_submitted(self, message: Input.Submitted) -> None:
        if message.input.id == "traffic-filter":
            traffic = self.query_one(TrafficList)
            traffic.apply_filter(message.value)
            if not message.value:
                message.input.remove_class("-visible")
            traffic.focus()

    def _default_name(self, suffix: str) -> str:
        return str(Path.cwd() / f"acmedash-{datetime.now():%Y%m%d-%H%M%S}{suffix}")

    @work(group="prompt")
    async def _write_file(self, title: str, suffix: str, render: Callable[[], str]) -> None:
        path = await self.push_screen_wait(
            PromptScreen(title, self._default_name(suffix), paths=True)
        )
        if not path:
            return
        target = Path(path).expanduser()
        if target.exists():
            overwrite = await self.push_screen_wait(
                ConfirmScreen(
                    "File exists", f"{target} exists. Replace it?", "Replace", alarm=False
                )
            )
            if not overwrite:
                return
        try:
            atomic_write(target, render().encode("utf-8"), mode=0o600)
        except OSError as exc:
            self.notify(f"{target}: {exc.strerror}", severity="error")
            return
        self.notify(f"Wrote {target}")

    def _shown(self) -> list[Exchange]:
        traffic = self.query_one(TrafficList)
        return [traffic.exchanges[i] for i in traffic.rows]

    def action_export_jsonl(self) -> None:
        self._write_file(
            "Export the shown exchanges as JSONL",
            ".jsonl",
            lambda: "".join(
                json.dumps(e.to_record(), ensure_ascii=False) + "\n" for e in self._shown()
            ),
        )

    def action_export_har(self) -> None:
        self._write_file(
            "Export the shown exchanges as HAR 1.2",
            ".har",
            lambda: json.dumps(to_har(self._shown(), __version__), indent=2),
        )

    def _selected(self) -> Exchange | None:
        exchange = self.query_one(TrafficList).selected
        if exchange is None:
            self.notify("Select an exchange first.", severity="warning")
        return exchange

    def action_copy_exchange(self) -> None:
        exchange = self._selected()
        if exchange is not None:
            self.copy_to_clipboard(json.dumps(exchange.to_record(), indent=2))
            self.notify(
                "Sent to the clipboard with OSC 52; not every terminal (or tmux) passes it on. "
                "Press s to save it to a file instead.",
                title=f"Exchange #{exchange.seq}",
            )

    def action_save_exchange(self) -> None:
        exchange = self._selected()
        if exchange is not None:
            self._write_file(
                f"Save exchange #{exchange.seq} as JSON",
                f"-{exchange.seq}.json",
                lambda: json.dumps(exchange.to_record(), indent=2) + "\n",
            )

    @work(group="prompt")
    async def action_resend(self) -> None:
        exchange = self._selected()
        if exchange is None:
            return
        if exchange.jws is None:
            self.notify("Only signed POSTs can be edited and resent.", severity="warning")
            return
        if not self._need_key():
            return
        use_jwk = "jwk" in exchange.jws.protected
        answer = await self.push_screen_wait(
            _resend_screen()(exchange.url, exchange.jws.payload, use_jwk)
        )
        if answer is None:
            return
        payload, use_jwk = answer

        async def operation(client: AcmeClient) -> str:
            await client.post(exchange.url, payload, use_jwk=use_jwk, resent_from=exchange.seq)
            return f"Resent #{exchange.seq}."

        self._run("Resend", operation, changes_state=True)

    # -- certificates (Orders tab) and the account's end of life --------------------------------

    def _order_form(self) -> OrderForm | None:
        try:
            return self.orders_panel.form()
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return None
        except NoMatches:
            self.notify("Open the Orders tab and fill in the names first.", severity="warning")
            self.query_one("#side", TabbedPanes).active = "pane-orders"
            return None

    def on_orders_panel_submitted(self) -> None:
        self.action_issue()

    def action_issue(self) -> None:
        from tui.certificate_actions import new_order_operation

        form = self._order_form()
        if form is None or not self._need_key():
            return
        if not form.names:
            self.query_one("#side", TabbedPanes).active = "pane-orders"
            self.query_one("#order-names", Input).focus()
            self.notify("Type the names to certify, then Enter.", title="Issue certificate")
            return
        try:
            operation = new_order_operation(self, form)
        except InputError as exc:
            self.notify(str(exc), severity="error")
            return
        self._run("Issue certificate", operation, changes_state=True)

    async def _certificate_path(self, title: str) -> Path | None:
        path = await self.push_screen_wait(
            PromptScreen(title, str(self.last_certificate or ""), paths=True)
        )
        return Path(path).expanduser() if path else None

    @work(group="prompt")
    async def action_renew(self) -> None:
        from tui.certificate_actions import renew_operation

        form = self._order_form()
        if form is None or not self._need_key():
            return
        path = await self._certificate_path("Renew which certificate (cert.pem)?")
        if path is None:
            return
        try:
            operation = renew_operation(self, form, path)
        except InputError as exc:
            self.notify(str(exc), severity="error")
            return
        self._run("Renew certificate", operation, changes_state=True)

    @work(group="prompt")
    async def action_revoke(self) -> None:
        from tui.certificate_actions import revoke_operation

        if not self._need_key():
            return
        path = await self._certificate_path("Revoke which certificate (cert.pem)?")
        if path is None:
            return
        reason = await self._revocation_reason()
        if reason is None:
            return
        name, code = reason
        sure = await self.push_screen_wait(
            ConfirmScreen(
                "Revoke certificate",
                f"Revoke {path} ({name})?\nClients will stop trusting it. This cannot be undone.",
                "Revoke",
            )
        )
        if not sure:
            return
        try:
            operation = revoke_operation(path, reason=code)
        except InputError as exc:
            self.notify(str(exc), severity="error")
            return
        self._run("Revoke certificate", operation, changes_state=True)

    async def _revocation_reason(self) -> tuple[str, int] | None:
        """The RFC 5280 reason as (name, code); None when cancelled or not a reason."""
        from tui.acme.certificates import REASONS, reason_code

        answer = await self.push_screen_wait(
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
            self.notify(str(exc), severity="error")
            return None
        return next(name for name, value in REASONS.items() if value == code), code

    @work(group="prompt")
    async def action_rollover(self) -> None:
        from tui.acme import keys
        from tui.certificate_actions import rollover_operation

        if not self._need_key():
            return
        answer = await self.push_screen_wait(
            PromptScreen(
                "New account key file (generated as ec256 if it does not exist)", paths=True
            )
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
            self.notify(str(exc), severity="error")
            return
        self._run("Key rollover", rollover_operation(self, path, new_key), changes_state=True)

    @work(group="prompt")
    async def action_deactivate(self) -> None:
        from tui.certificate_actions import deactivate_operation
        from tui.screens.typed_confirm import TypedConfirmScreen

        if not self._need_key():
            return
        sure = await self.push_screen_wait(
            TypedConfirmScreen(
                f"Deactivate the account of this key at {self.endpoint.title}?\n"
                "The CA will refuse it for good; its certificates stay valid.",
                "deactivate",
            )
        )
        if sure:
            self._run("Deactivate account", deactivate_operation(self), changes_state=True)

    # -- help and palette ------------------------------------------------------------------------

    def action_leave_field(self) -> None:
        """Escape out of a form field: typed letters no longer go into it, so R, V, ... act."""
        self.query_one("#traffic-list").focus()

    def action_help(self) -> None:
        keymap = self.settings.keymap
        rows = []
        for binding in _bindings(self.BINDINGS, TrafficList.BINDINGS, ContactsPanel.BINDINGS):
            key = keymap.get(binding.id or "", binding.key)
            tooltip = f" - {binding.tooltip}" if binding.tooltip else ""
            rows.append((key, binding.description + tooltip, binding.id or ""))
        from tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(rows))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in _bindings(self.BINDINGS):
            if binding.action in ("quit", "help"):
                continue
            tooltip = f": {binding.tooltip}" if binding.tooltip else ""
            yield SystemCommand(
                binding.description + tooltip,
                f"key: {binding.key}",
                lambda action=binding.action: self.run_action(action),
            )

    async def action_quit(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        self.exit()
