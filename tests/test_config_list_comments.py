"""Comments in and around the lists of a hand-edited config survive a save (issue 11, forms):
a comment inside a multi-line `contacts = [ ... ]` was dropped with no `.bak`. Lists are edited
in place, item by item; where that cannot keep a comment, the old file is kept as `.bak` and the
save says so (the dashboard shows it)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import CliRunner, reach, wait_until
from tui.acme import keys
from tui.config import load_settings, save_settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.contacts import ContactsPanel
from tui.pebble import Pebble

EXAMPLE = Path(__file__).parent.parent / "config.toml.example"

CONTACTS = """# Who the CA writes to.
contacts = [  # one per line
    # the team first
    "mailto:team@example.org",  # read daily
    "mailto:admin@example.org",
    # then the pager
    "mailto:pager@example.org",  # nights
]  # end of contacts
# after the contacts
"""

ACCOUNTS = """
# Remembered accounts (around)
[[accounts]]
# the staging one
directory = "https://acme-staging-v02.api.letsencrypt.org/directory"
thumbprint = "T1"  # its key
url = "https://acme-staging-v02.api.letsencrypt.org/acme/acct/1"

# between the tables
[[accounts]]
directory = "https://ca.example/dir"
thumbprint = "T2"
url = "https://ca.example/acct/2"
# after the accounts
"""


def _hand_edited(tmp_path: Path) -> Path:
    """config.toml.example with its one-line contacts made a commented multi-line list, and
    two remembered accounts with comments in, between and after them."""
    text = EXAMPLE.read_text()
    line = 'contacts = ["mailto:admin@example.org"]\n'
    assert line in text
    path = tmp_path / "config.toml"
    path.write_text(text.replace(line, CONTACTS) + ACCOUNTS)
    return path


def _comments(text: str) -> Counter[str]:
    """Every comment of the file, whole-line or after a value, counted."""
    found: Counter[str] = Counter()
    for line in text.splitlines():
        if "#" in line and not line.lstrip().startswith(("url", "directory")):
            found[line[line.index("#") :].strip()] += 1
    return found


@pytest.mark.parametrize(
    "contacts",
    [
        ["mailto:team@example.org", "mailto:admin@example.org", "mailto:pager@example.org",
         "mailto:new@example.org"],
        ["mailto:team@example.org", "mailto:pager@example.org"],
        ["mailto:team@example.org", "mailto:boss@example.org", "mailto:pager@example.org"],
        ["mailto:first@example.org", "mailto:team@example.org", "mailto:admin@example.org",
         "mailto:pager@example.org"],
        [],
    ],
    ids=["added", "removed", "edited", "added first", "all removed"],
)  # fmt: skip
def test_every_comment_in_and_around_the_lists_survives_a_save(
    tmp_path: Path, contacts: list[str]
) -> None:
    path = _hand_edited(tmp_path)
    before = path.read_text()
    settings = load_settings(path)
    settings.contacts = contacts
    settings.remember_account("https://ca.example/dir", "T3", "https://ca.example/acct/3")
    settings.remember_account("https://ca.example/dir", "T2", "https://ca.example/acct/22")
    note = save_settings(settings, path)
    after = path.read_text()
    assert _comments(after) == _comments(before), after
    assert note == ""
    assert load_settings(path) == settings
    assert not path.with_name("config.toml.bak").exists()


def test_a_comment_the_editor_cannot_keep_leaves_a_bak_and_says_so(tmp_path: Path) -> None:
    """Two items on one line with a comment inside the list: not edited item by item, so the
    list is rewritten; the file as it was goes to config.toml.bak first, and the save says."""
    path = tmp_path / "config.toml"
    text = 'contacts = [\n  "mailto:a@example.org", "mailto:b@example.org",  # both\n]\n'
    path.write_text(text)
    settings = load_settings(path)
    settings.contacts = ["mailto:c@example.org"]
    note = save_settings(settings, path)
    assert "contacts" in note and "config.toml.bak" in note
    assert path.with_name("config.toml.bak").read_text() == text
    assert load_settings(path).contacts == ["mailto:c@example.org"]


async def test_the_dashboard_tells_when_a_save_kept_a_bak(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('contacts = [\n  "mailto:a@example.org", "mailto:b@example.org",  # both\n]\n')
    app = AcmeDashApp(load_settings(path), config_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        app.main_screen.post_message(ContactsPanel.Changed(["mailto:ops@example.org"]))
        await wait_until(
            pilot,
            lambda: any("config.toml.bak" in n.message for n in app._notifications),
            "the notification",
        )
    assert path.with_name("config.toml.bak").exists()


def test_a_forgotten_account_leaves_its_comments(tmp_path: Path) -> None:
    """A removed [[accounts]] table goes, its comments (a line of their own, or after a value)
    stay as comment lines where it was."""
    path = _hand_edited(tmp_path)
    before = path.read_text()
    settings = load_settings(path)
    settings.forget_account("https://acme-staging-v02.api.letsencrypt.org/directory", "T1")
    note = save_settings(settings, path)
    after = path.read_text()
    assert _comments(after) == _comments(before), after
    assert note == "" and load_settings(path) == settings
    assert 'acme/acct/1"' not in after


def test_the_cli_says_when_a_save_kept_a_bak(pebble: Pebble, cli: CliRunner) -> None:
    """`account new` against the session's Pebble remembers the account, in accounts written
    as an inline array the editor does not follow: the file is written whole, the old one kept,
    and stderr says so."""
    text = (
        "# mine\naccounts = [\n  # the first\n"
        '  { directory = "https://x.test/dir", thumbprint = "T", url = "https://x.test/a/1" },\n]\n'
    )
    cli.config.write_text(text)
    keys.save_key(keys.generate_key("ec256"), cli.workdir / "account.pem")
    done = cli(*reach(pebble), "--key", "account.pem", "account", "new", "--yes")
    assert done.returncode == 0, done.stderr
    assert "config.toml.bak" in done.stderr, done.stderr
    assert cli.config.with_name("config.toml.bak").read_text() == text
