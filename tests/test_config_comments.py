"""A hand-edited config keeps its comments and layout when acmedash saves settings (issue 11
item 9): only the assignments whose values changed are rewritten. Driven from the CLI against
the session's real Pebble, from the dashboard with Pilot (no request sent), and on the text."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from tests.conftest import CliRunner, reach, wait_until
from tui.acme import keys
from tui.config import Settings, load_settings, parse_settings, save_settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.contacts import ContactsPanel
from tui.endpoints import resolve
from tui.pebble import Pebble

EXAMPLE = Path(__file__).parent.parent / "config.toml.example"


def _comments(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("#")]


def _changed_lines(before: str, after: str) -> list[str]:
    """The lines `after` has that `before` had not (difflib's + lines)."""
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line[1:] for line in diff if line.startswith("+") and not line.startswith("+++")]


@pytest.fixture
def example(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    shutil.copy(EXAMPLE, path)
    return path


def _change(settings: Settings, what: str) -> None:
    if what == "endpoint":
        settings.endpoint = "letsencrypt"
    elif what == "contacts":
        settings.contacts = ["mailto:a@example.org", "mailto:b@example.org"]
    elif what == "account":
        settings.remember_account("https://ca.test/dir", "THUMB", "https://ca.test/acct/1")
    elif what == "keymap":
        settings.keymap["traffic.follow"] = "f"
    elif what == "timeout":
        settings.timeouts.read = 12.5


@pytest.mark.parametrize("what", ["endpoint", "contacts", "account", "keymap", "timeout"])
def test_a_save_rewrites_only_the_changed_value(example: Path, what: str) -> None:
    before = example.read_text()
    settings = load_settings(example)
    _change(settings, what)
    save_settings(settings, example)
    after = example.read_text()
    assert _comments(after) == _comments(before)
    assert load_settings(example) == settings
    added = _changed_lines(before, after)
    expected = {
        "endpoint": ['endpoint = "letsencrypt"'],
        "contacts": ['contacts = ["mailto:a@example.org", "mailto:b@example.org"]'],
        "account": [
            "",
            "[[accounts]]",
            'directory = "https://ca.test/dir"',
            'thumbprint = "THUMB"',
            'url = "https://ca.test/acct/1"',
        ],
        "keymap": ['"traffic.follow" = "f"'],
        "timeout": ["read = 12.5"],
    }[what]
    assert added == expected
    assert not example.with_name("config.toml.bak").exists()


def test_accounts_saved_again_and_again_leave_the_file_as_long(example: Path) -> None:
    settings = load_settings(example)
    for number in range(3):
        settings.remember_account("https://a.test/dir", "T", f"https://a.test/acct/{number}")
        settings.remember_account("https://b.test/dir", "T", f"https://b.test/acct/{number}")
        save_settings(settings, example)
    once = example.read_text()
    settings.remember_account("https://a.test/dir", "T", "https://a.test/acct/9")
    save_settings(settings, example)
    assert len(example.read_text().splitlines()) == len(once.splitlines())
    settings.forget_account("https://a.test/dir", "T")
    save_settings(settings, example)
    assert load_settings(example) == settings
    assert _comments(example.read_text()) == _comments(EXAMPLE.read_text())


def test_a_comment_after_a_value_stays_and_new_keys_join_their_section(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '# mine\nendpoint = "pebble"  # the test CA\n\n# timeouts below\n[timeouts]\nread = 5\n'
    )
    settings = load_settings(path)
    settings.endpoint = "letsencrypt"
    settings.theme = "nord"
    settings.timeouts.connect = 3.0
    save_settings(settings, path)
    assert path.read_text() == (
        '# mine\nendpoint = "letsencrypt"  # the test CA\ntheme = "nord"\n\n'
        "# timeouts below\n[timeouts]\nread = 5\nconnect = 3.0\n"
    )


def test_a_layout_the_editor_does_not_follow_is_written_whole_and_kept_aside(
    tmp_path: Path,
) -> None:
    """Dotted keys for a table: editing [timeouts] in place would define it twice, which the
    check (the text parsed again must give the settings) refuses; the file is then written whole
    and the user's text is kept as config.toml.bak."""
    path = tmp_path / "config.toml"
    original = "# dotted\ntimeouts.read = 5\n"
    path.write_text(original)
    settings = load_settings(path)
    settings.timeouts.read = 7.0
    save_settings(settings, path)
    assert load_settings(path) == settings
    assert path.with_name("config.toml.bak").read_text() == original
    assert oct(path.with_name("config.toml.bak").stat().st_mode & 0o777) == "0o600"


def test_cli_account_new_keeps_the_comments(example: Path, pebble: Pebble, cli: CliRunner) -> None:
    assert cli.config == example  # the CLI runs on the copy of the example
    keys.save_key(keys.generate_key("ec256"), cli.workdir / "account.pem")
    done = cli(*reach(pebble), "--key", "account.pem", "account", "new", "--yes")
    assert done.returncode == 0, done.stderr
    text = cli.config.read_text()
    assert _comments(text) == _comments(EXAMPLE.read_text())
    saved = parse_settings(text, cli.config)
    assert [a.directory for a in saved.accounts] == [pebble.directory_url]


async def test_dashboard_endpoint_switch_and_contact_update_keep_the_comments(
    example: Path,
) -> None:
    app = AcmeDashApp(load_settings(example), config_path=example)
    async with app.run_test(size=(80, 24)) as pilot:
        app.main_screen.use_endpoint(resolve("letsencrypt-staging"))
        app.main_screen.use_endpoint(resolve("https://127.0.0.1:9/dir"))
        app.main_screen.post_message(ContactsPanel.Changed(["mailto:ops@example.org"]))
        await wait_until(
            pilot,
            lambda: "ops@example.org" in example.read_text(),
            "the contacts saved",
        )
    text = example.read_text()
    assert _comments(text) == _comments(EXAMPLE.read_text())
    saved = load_settings(example)
    assert saved.endpoint == "https://127.0.0.1:9/dir"
    assert saved.contacts == ["mailto:ops@example.org"]
