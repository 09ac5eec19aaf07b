"""--endpoint, --key and --contact given to the dashboard are for that run, as they are for any
command: `acmedash --endpoint letsencrypt` once made production the configured endpoint of
every later start as soon as anything was saved (an account URL remembered, a theme). No
network: the dashboard's flags parsed as `acmedash` parses them, then the App they start."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tui.acme import keys
from tui.cli import dashboard
from tui.cli.command import _dashboard_args
from tui.cli.context import Context
from tui.config import load_settings
from tui.dashboard.app import AcmeDashApp
from tui.endpoints import resolve
from tui.session import Session


async def test_flags_given_to_the_dashboard_are_saved_only_when_changed_in_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        "# mine\n"
        'endpoint = "letsencrypt-staging"\naccount_key = "mine.pem"\n'
        'contacts = ["mailto:me@example.org"]\n'
    )
    flags = ["--endpoint", "letsencrypt", "--key", "other.pem", "--contact", "x@example.org"]
    args = _dashboard_args(["--config", str(config), *flags])
    assert args is not None
    started: dict[str, Any] = {}

    def run(ctx: Context, settings: Any, **kwargs: Any) -> int:
        started.update(kwargs, settings=settings)
        return 0

    monkeypatch.setattr(dashboard, "_run_dashboard", run)
    dashboard.cmd_dashboard(Context(args, config, load_settings(config)))
    settings = started.pop("settings")
    assert (settings.endpoint, settings.account_key) == ("letsencrypt", "other.pem")
    app = AcmeDashApp(settings, **started)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.endpoint.name == "letsencrypt", "the run uses the flags"
        app.settings.theme = "acme-light"  # any save: a theme, a remembered account URL
        app.main_screen.save_settings()
        saved = tomllib.loads(config.read_text())
        assert saved["theme"] == "acme-light"
        assert saved["endpoint"] == "letsencrypt-staging", "production saved from one flag"
        assert saved["account_key"] == "mine.pem"
        assert saved["contacts"] == ["mailto:me@example.org"]
        app.settings.contacts = ["mailto:new@example.org"]  # changed in the dashboard: kept
        app.main_screen.save_settings()
        saved = tomllib.loads(config.read_text())
        assert saved["contacts"] == ["mailto:new@example.org"]
        assert saved["endpoint"] == "letsencrypt-staging"
        assert config.read_text().startswith("# mine\n")


def test_a_rollover_of_the_flag_s_key_leaves_the_config_s_key(tmp_path: Path) -> None:
    """`acmedash --key other.pem`, then K: the run goes on with the new key, and the config
    still names its own key, not the new one of an account it may not be."""
    config = tmp_path / "config.toml"
    config.write_text('account_key = "mine.pem"\n')
    settings = load_settings(config)
    settings.account_key = "other.pem"
    session = Session(
        settings,
        resolve("pebble"),
        config,
        key_path=Path("other.pem"),
        for_this_run={"account_key": ("mine.pem", "other.pem")},
    )
    session.use_key(Path("other-new.pem"), keys.generate_key("ec256"))
    assert session.settings.account_key == "other-new.pem"
    session.save()
    assert tomllib.loads(config.read_text())["account_key"] == "mine.pem"
