"""Where the dashboard puts files the user does not name: `acmedash demo` gives its throwaway
folder (a clone grew a certs/ folder), everything else the current folder. Pilot, mostly no
network (the copy menu's test fetches Pebble's directory);
the certificate itself is covered in test_tmux.py against a validating Pebble."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from tests.conftest import account_settings, wait_for_screen, wait_until
from tui.acme import keys
from tui.acme.hooks import PASSPHRASE_ENV
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.screens.copy_part import CopyPartScreen
from tui.dashboard.screens.generate_key import GenerateKeyScreen
from tui.dashboard.screens.prompt import PromptScreen
from tui.pebble import Pebble


@pytest.mark.parametrize("throwaway", [True, False])
async def test_default_paths_are_in_the_session_s_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, throwaway: bool
) -> None:
    started_in, demo = tmp_path / "cwd", tmp_path / "demo"
    started_in.mkdir()
    monkeypatch.chdir(started_in)
    app = AcmeDashApp(
        Settings(endpoint="https://127.0.0.1:9/dir"),
        config_path=None,
        files_dir=demo if throwaway else None,
    )
    expected = str(demo if throwaway else started_in) + "/"
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app._key_loaded, "the (no) key loaded")
        await pilot.press("x")
        await wait_for_screen(pilot, PromptScreen)
        assert app.screen.query_one(Input).value.startswith(expected)
        await pilot.press("escape")
        await wait_until(pilot, lambda: len(app.screen_stack) == 1, "the prompt closed")
        await pilot.press("g")
        await wait_for_screen(pilot, GenerateKeyScreen)
        assert app.screen.query_one("#path", Input).value == expected + "account.pem"


async def test_y_offers_the_parts_a_get_has_and_saves_where_x_exports(
    pebble: Pebble, tmp_path: Path
) -> None:
    """The directory GET offered "request body (as sent)", which it has not; and `y s` saved
    into the current folder while `x` wrote into the demo's folder: both go by
    Workspace.place."""
    demo = tmp_path / "demo"
    app = AcmeDashApp(account_settings(pebble, tmp_path), config_path=None, files_dir=demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("7", "d")
        await wait_until(pilot, lambda: bool(app.main_screen.traffic.rows), "the directory")
        await pilot.press("8", "y")  # the detail pane's key
        await wait_for_screen(pilot, CopyPartScreen)
        options = app.screen.query_one(OptionList)
        names = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert "request body (as sent)" not in names and "copy as curl" in names, names
        options.highlighted = names.index("response body")
        await pilot.press("s")
        await wait_for_screen(pilot, PromptScreen)
        saved = app.screen.query_one(Input).value
        await pilot.press("escape")
        await wait_until(pilot, lambda: len(app.screen_stack) == 1, "the prompt closed")
        await pilot.press("x")
        await wait_for_screen(pilot, PromptScreen)
        exported = app.screen.query_one(Input).value
    assert Path(saved).parent == Path(exported).parent == demo, (saved, exported)


def _demo_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **settings: str) -> AcmeDashApp:
    """A session whose folder (files_dir, as a demo's) is tmp_path/demo, started from
    tmp_path/cwd: a relative path typed in a dialog must go to the first, never the second."""
    (tmp_path / "cwd").mkdir()
    (tmp_path / "demo").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    return AcmeDashApp(
        Settings(endpoint="https://127.0.0.1:9/dir", **settings),
        config_path=None,
        files_dir=tmp_path / "demo",
    )


async def _answer(pilot: Pilot[None], box: Input, text: str) -> None:
    box.value = ""
    await pilot.press(*text, "enter")
    await pilot.pause()


async def test_a_relative_path_goes_where_the_dialog_says_and_is_kept_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`g` then `o` with bare names, in a demo started elsewhere: the key is made in the
    demo's folder (the folder line said so, the file went to the shell's folder) and the
    settings name it by its absolute path."""
    app = _demo_app(tmp_path, monkeypatch)
    demo = tmp_path / "demo"
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app._key_loaded, "the (no) key loaded")
        await pilot.press("g")
        await wait_for_screen(pilot, GenerateKeyScreen)
        await _answer(pilot, app.screen.query_one("#path", Input), "mine.pem")
        await wait_until(pilot, lambda: app.workspace.key is not None, "the key generated")
        assert app.settings.account_key == str(demo / "mine.pem")
        said = [n.message for n in app._notifications]
        assert any("it is the account key now" in message for message in said), said
        assert (demo / "mine.pem").exists() and not (tmp_path / "cwd" / "mine.pem").exists()
        keys.save_key(keys.generate_key("ec256"), demo / "other.pem")
        await pilot.press("o")
        await wait_for_screen(pilot, PromptScreen)
        assert str(demo) in str(app.screen.query_one("#folder", Static).render())
        await _answer(pilot, app.screen.query_one("#value", Input), "other.pem")
        await wait_until(pilot, lambda: len(app.screen_stack) == 1, "the prompt closed")
        assert app.settings.account_key == str(demo / "other.pem")


async def test_a_path_that_holds_no_key_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`o` with a missing file saved it as the account key and dropped the key that worked."""
    key_path = tmp_path / "account.pem"
    keys.save_key(keys.generate_key("ec256"), key_path)
    app = _demo_app(tmp_path, monkeypatch, account_key=str(key_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.workspace.key is not None, "the key loaded")
        await pilot.press("o")
        await wait_for_screen(pilot, PromptScreen)
        await _answer(pilot, app.screen.query_one("#value", Input), "/no/such/key.pem")
        await wait_until(pilot, lambda: len(app.screen_stack) == 1, "the prompt closed")
        await wait_until(pilot, lambda: bool(app._notifications), "the reason shown")
        message = next(iter(app._notifications)).message
        assert "/no/such/key.pem" in message and f"still {key_path}" in message, message
        assert app.settings.account_key == str(key_path)
        assert app.workspace.key_path == key_path and app.workspace.key is not None


async def test_an_encrypted_key_changes_nothing_until_its_passphrase_opens_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`o` with an encrypted key dropped the key in use and named the new file in the
    settings before its passphrase was typed: Escape there left no key at all. Now the key in
    use stays through Escape and through a wrong passphrase (asked again); the right one
    switches, and only then are the settings changed."""
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    key_path, locked = tmp_path / "account.pem", tmp_path / "locked.pem"
    keys.save_key(keys.generate_key("ec256"), key_path)
    keys.save_key(keys.generate_key("ec256"), locked, b"s3cret")
    app = _demo_app(tmp_path, monkeypatch, account_key=str(key_path))

    def asked() -> bool:
        return isinstance(app.screen, PromptScreen) and app.screen.query_one(Input).password

    def unchanged() -> bool:
        workspace = app.workspace
        return (workspace.key_path, workspace.key_thumbprint) == (key_path, in_use) and (
            app.settings.account_key == str(key_path)
        )

    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.workspace.key is not None, "the key loaded")
        in_use = app.workspace.key_thumbprint
        await pilot.press("o")
        await wait_for_screen(pilot, PromptScreen)
        app.screen.query_one("#value", Input).value = str(locked)  # typed: 6 s of Pilot
        await pilot.press("enter")
        await wait_until(pilot, asked, "the passphrase asked")
        assert unchanged(), "changed before the passphrase was typed"
        await pilot.press("escape")
        await wait_until(pilot, lambda: len(app.screen_stack) == 1, "the question closed")
        assert unchanged(), "Escape left another key in use"
        await pilot.press("o")
        await wait_for_screen(pilot, PromptScreen)
        app.screen.query_one("#value", Input).value = str(locked)  # typed: 6 s of Pilot
        await pilot.press("enter")
        await wait_until(pilot, asked, "the passphrase asked")
        await _answer(pilot, app.screen.query_one(Input), "wrong")
        await wait_until(
            pilot,
            lambda: asked() and "wrong passphrase" in str(app.screen.query_one("#help").render()),
            "the passphrase asked again, saying the one typed was wrong",
        )
        assert unchanged(), "a wrong passphrase left another key in use"
        await _answer(pilot, app.screen.query_one(Input), "s3cret")
        await wait_until(pilot, lambda: app.workspace.key_path == locked, "the key switched")
        assert app.workspace.key is not None and app.workspace.key_thumbprint != in_use
        assert app.settings.account_key == str(locked)


@pytest.mark.parametrize("key", ["g", "x"])
async def test_a_path_that_cannot_be_a_file_is_refused_in_its_dialog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    """`~nosuchuser/x` made a folder named `~nosuchuser`; a folder given for a file asked
    "Replace it?" and then failed (export), or said "refusing to overwrite a key file"
    (generate). Both are refused where they are typed, on the line under the box that names
    the folder, and the dialog stays for a fix."""
    app = _demo_app(tmp_path, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app._key_loaded, "the (no) key loaded")
        await pilot.press(key)
        dialog = GenerateKeyScreen if key == "g" else PromptScreen
        await wait_for_screen(pilot, dialog)
        box = app.screen.query_one("#path" if key == "g" else "#value", Input)
        for typed, said in [("~nosuchuser/x", "no user 'nosuchuser'"), ("~/", "is a folder")]:
            await _answer(pilot, box, typed)
            assert isinstance(app.screen, dialog), f"{typed}: the dialog must stay"
            shown = str(app.screen.query_one("#folder", Static).render())
            assert said in shown, (typed, shown)
    assert list((tmp_path / "cwd").iterdir()) == [] and list((tmp_path / "demo").iterdir()) == []


async def test_an_export_into_a_new_folder_says_it_made_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _demo_app(tmp_path, monkeypatch)
    target = tmp_path / "new" / "deeper" / "t.jsonl"
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app._key_loaded, "the (no) key loaded")
        await pilot.press("x")
        await wait_for_screen(pilot, PromptScreen)
        await _answer(pilot, app.screen.query_one("#value", Input), str(target))
        await wait_until(pilot, target.exists, "the export written")
        await wait_until(pilot, lambda: bool(app._notifications), "said")
        message = next(iter(app._notifications)).message
    assert f"Wrote {target}" in message and "created folders" in message, message


async def test_a_file_that_cannot_be_made_is_said_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`x` into /proc said "/proc/t.jsonl: No such file or directory", as if a file to open
    were missing, not one that could not be made."""
    app = _demo_app(tmp_path, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app._key_loaded, "the (no) key loaded")
        await pilot.press("x")
        await wait_for_screen(pilot, PromptScreen)
        app.screen.query_one("#value", Input).value = "/proc/acmedash-test.jsonl"
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(app._notifications), "the failure shown")
        note = next(iter(app._notifications))
        assert note.title == "Not saved" and note.severity == "error"
        assert note.message.startswith("/proc/acmedash-test.jsonl was not written: "), note.message


async def test_enter_on_an_empty_path_box_asks_for_a_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`s`, ctrl+u, Enter closed the dialog and wrote nothing, without a word (new-user
    review). The box stays, and its folder line asks for a file name."""
    app = _demo_app(tmp_path, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app._key_loaded, "the (no) key loaded")
        await pilot.press("x")
        await wait_for_screen(pilot, PromptScreen)
        await _answer(pilot, app.screen.query_one("#value", Input), "")
        assert isinstance(app.screen, PromptScreen), "the dialog closed on an empty name"
        said = str(app.screen.query_one("#folder", Static).render())
        assert said == "type a file name (Escape cancels)", said
