"""A key pressed at once, before the saved account key has loaded (it loads after the first
paint), against a real Pebble."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import settle
from tui.acme import keys
from tui.config import Settings, load_settings, save_settings
from tui.dashboard.app import AcmeDashApp
from tui.pebble import Pebble


async def test_nonce_pressed_before_the_key_loaded(pebble: Pebble, tmp_path: Path) -> None:
    """`n` at once got "unexpected RuntimeError: Cannot send a request, as the client has been
    closed": the key loading after the first paint replaced and closed the client between the
    operation's directory GET and its HEAD newNonce."""
    key = tmp_path / "account.pem"
    keys.save_key(keys.generate_key(), key)
    config = tmp_path / "config.toml"
    settings = Settings(
        endpoint=pebble.directory_url, ca_bundle=str(pebble.ca_bundle), account_key=str(key)
    )
    save_settings(settings, config)
    app = AcmeDashApp(load_settings(config), config_path=config)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("n")
        await settle(app)
        notes = [(n.severity, n.message) for n in app._notifications]
    assert [message for _, message in notes if message.startswith("nonce ")], notes
    assert not [n for n in notes if n[0] == "error"], notes
