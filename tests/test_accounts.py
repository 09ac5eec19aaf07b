"""tui/accounts.py through its library API, driven by tests/scripted_prompts.py as a front end
would drive it, against a real Pebble (and one that requires External Account Binding). The
same operations through the CLI are in test_cli.py and test_cli_certs.py."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import EAB_KID, EAB_MAC
from tests.scripted_prompts import ScriptedPrompts
from tui import accounts
from tui.acme import jose, keys
from tui.acme.errors import InputError, PassphraseRequired, ProblemError
from tui.acme.hooks import PASSPHRASE_ENV
from tui.acme.traffic import Exchange
from tui.config import Settings, load_settings
from tui.endpoints import resolve
from tui.pebble import Pebble
from tui.session import Session


def _session(pebble: Pebble, folder: Path, key_name: str = "account.pem") -> Session:
    key_path = folder / key_name
    key = keys.generate_key("ec256")
    keys.save_key(key, key_path)
    return Session(
        Settings(ca_bundle=str(pebble.ca_bundle), account_key=str(key_path)),
        resolve(pebble.directory_url),
        folder / "config.toml",
        key_path=key_path,
        key=key,
    )


def _thumbprint(key: jose.PrivateKey | None) -> str:
    assert key is not None
    return jose.thumbprint(jose.public_jwk(key))


def _remembered(session: Session) -> str | None:
    """What the saved config file remembers for the session's endpoint and key."""
    assert session.config_path is not None
    saved = load_settings(session.config_path)
    return saved.account_for(session.endpoint.url, _thumbprint(session.key))


async def _no_account(session: Session) -> None:
    async with session.client() as client:
        with pytest.raises(ProblemError) as info:
            await client.find_account()
    assert info.value.type.endswith(":accountDoesNotExist")


async def test_new_account_needs_the_terms_agreed_and_is_remembered(
    pebble: Pebble, tmp_path: Path
) -> None:
    session = _session(pebble, tmp_path)
    refusing = ScriptedPrompts(terms=False)
    async with session.client() as client:
        tos = (await client.directory()).meta.terms_of_service
        with pytest.raises(InputError, match="terms of service not agreed"):
            await accounts.new_account(session, client, refusing, [])
    assert refusing.asked == [f"terms {tos}"]
    await _no_account(session)
    assert not tmp_path.joinpath("config.toml").exists()

    async with session.client() as client:
        account = await accounts.new_account(
            session, client, ScriptedPrompts(), ["mailto:a@example.org"]
        )
    assert account.created and account.contact == ["mailto:a@example.org"]
    assert _remembered(session) == account.url
    async with session.client() as client:
        assert client.account_url == account.url, "the next client carries the kid"
        again = await accounts.new_account(session, client, ScriptedPrompts(), [])
    assert not again.created and again.url == account.url


async def test_an_account_url_belongs_to_one_endpoint_and_one_key(
    pebble: Pebble, harsh_pebble: Pebble, tmp_path: Path
) -> None:
    session = _session(pebble, tmp_path)
    async with session.client() as client:
        account = await accounts.new_account(session, client, ScriptedPrompts(), [])
    elsewhere = replace(
        session, endpoint=resolve(harsh_pebble.directory_url), ca_bundle=str(harsh_pebble.ca_bundle)
    )
    async with elsewhere.client() as client:
        assert client.account_url is None
        with pytest.raises(InputError, match="no account at this CA"):
            await accounts.require_account(client, elsewhere)
    other_key = _session(pebble, tmp_path, "other.pem")
    other_key.settings = session.settings
    async with other_key.client() as client:
        assert client.account_url is None
    assert session.settings.accounts[0].url == account.url
    assert len(session.settings.accounts) == 1


async def test_find_fetch_update_and_require_remember_the_account(
    pebble: Pebble, tmp_path: Path
) -> None:
    session = _session(pebble, tmp_path)
    async with session.client() as client:
        created = await accounts.new_account(session, client, ScriptedPrompts(), [])
    session.settings.accounts.clear()  # as if it had been made elsewhere
    session.save()
    async with session.client() as client:
        assert await accounts.require_account(client, session) == created.url
    assert _remembered(session) == created.url
    session.settings.accounts.clear()
    async with session.client() as client:
        assert (await accounts.fetch_account(session, client)).url == created.url
        assert _remembered(session) == created.url
        updated = await accounts.update_contacts(session, client, ["mailto:b@example.org"])
        assert updated.contact == ["mailto:b@example.org"]
    session.settings.accounts.clear()
    async with session.client() as client:
        found = await accounts.find_account(session, client)
    assert found.url == created.url and found.contact == ["mailto:b@example.org"]
    assert _remembered(session) == created.url


async def test_key_for_new_account_asks_before_generating(tmp_path: Path) -> None:
    path = tmp_path / "new.pem"
    declining = ScriptedPrompts(confirm_answer=False)
    with pytest.raises(InputError, match="key file does not exist; no key generated"):
        await accounts.key_for_new_account(path, declining)
    assert not path.exists()
    assert "does not exist" in declining.asked[0]
    key, generated = await accounts.key_for_new_account(path, ScriptedPrompts())
    assert generated and (path.stat().st_mode & 0o777) == 0o600
    silent = ScriptedPrompts()
    again, generated = await accounts.key_for_new_account(path, silent)
    assert not generated and _thumbprint(again) == _thumbprint(key)
    assert silent.asked == []


def test_an_encrypted_key_opens_with_the_environment_or_by_asking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "locked.pem"
    keys.save_key(keys.generate_key("ec256"), path, b"s3cret")
    asked: list[Path] = []

    def ask(key_path: Path) -> str:
        asked.append(key_path)
        return "s3cret"

    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    with pytest.raises(PassphraseRequired):
        accounts.load_key(path)
    accounts.load_key(path, ask)
    assert asked == [path]
    monkeypatch.setenv(PASSPHRASE_ENV, "s3cret")
    accounts.load_key(path, ask)
    monkeypatch.setenv(PASSPHRASE_ENV, "wrong")
    with pytest.raises(PassphraseRequired):
        accounts.load_key(path, ask)
    assert asked == [path], "a passphrase from the environment is never followed by a question"


def test_external_account_binding_is_a_pair_checked_before_any_request() -> None:
    assert accounts.external_account_binding("", "", where="w") is None
    assert accounts.external_account_binding(EAB_KID, EAB_MAC, where="w") == (EAB_KID, EAB_MAC)
    with pytest.raises(InputError, match=r"needs both a key id and a MAC key \(w\)"):
        accounts.external_account_binding(EAB_KID, "", where="w")
    with pytest.raises(InputError, match="not valid base64url") as info:
        accounts.external_account_binding(EAB_KID, EAB_MAC[:-1] + "+", where="w")
    assert EAB_MAC[:20] not in str(info.value)


async def test_eab_is_asked_for_only_when_required_and_not_given(
    eab_pebble: Pebble, tmp_path: Path
) -> None:
    session = _session(eab_pebble, tmp_path)
    sent: list[Exchange] = []
    session.observers.append(sent.append)
    for answer, error in [
        (None, "requires External Account Binding; no account created"),
        ((EAB_KID, EAB_MAC[:-1] + "+"), "not valid base64url"),
        ((EAB_KID, ""), "needs both a key id and a MAC key"),
    ]:
        prompts = ScriptedPrompts(eab=answer)
        async with session.client() as client:
            with pytest.raises(InputError, match=error):
                await accounts.new_account(session, client, prompts, [])
        assert prompts.asked == ["eab"]
    assert not [e for e in sent if e.method == "POST"], "nothing was sent"
    asked = ScriptedPrompts(eab=(EAB_KID, EAB_MAC))
    async with session.client() as client:
        account = await accounts.new_account(session, client, asked, [])
    assert account.created and asked.asked[0] == "eab"
    given = _session(eab_pebble, tmp_path, "given.pem")
    not_asked = ScriptedPrompts()
    async with given.client() as client:
        await accounts.new_account(given, client, not_asked, [], eab=(EAB_KID, EAB_MAC))
    assert "eab" not in not_asked.asked


async def test_rollover_generates_a_missing_key_and_never_overwrites_one(
    pebble: Pebble, tmp_path: Path
) -> None:
    session = _session(pebble, tmp_path)
    old_thumbprint = _thumbprint(session.key)
    async with session.client() as client:
        account = await accounts.new_account(session, client, ScriptedPrompts(), [])
        new_path = tmp_path / "next.pem"
        done = await accounts.rollover(session, client, new_path)
    assert done == accounts.Rollover(account.url, new_path, generated=True)
    assert (new_path.stat().st_mode & 0o777) == 0o600
    assert _thumbprint(keys.load_key(new_path)) == _thumbprint(session.key) != old_thumbprint
    assert session.key_path == new_path and session.settings.account_key == str(new_path)
    saved = load_settings(tmp_path / "config.toml")
    assert saved.account_key == str(new_path)
    assert saved.account_for(pebble.directory_url, _thumbprint(session.key)) == account.url
    assert saved.account_for(pebble.directory_url, old_thumbprint) is None
    await _no_account(replace(session, key=keys.load_key(tmp_path / "account.pem")))

    existing = tmp_path / "existing.pem"
    keys.save_key(keys.generate_key("ec384"), existing)
    before = existing.read_bytes()
    async with session.client() as client:
        again = await accounts.rollover(session, client, existing)
    assert not again.generated and existing.read_bytes() == before
    assert session.key_path == existing

    dangling = tmp_path / "dangling.pem"
    os.symlink(tmp_path / "nowhere" / "key.pem", dangling)
    async with session.client() as client:
        with pytest.raises(InputError, match="does not exist"):
            await accounts.rollover(session, client, dangling)
    assert not (tmp_path / "nowhere").exists(), "no key is written through a symlink"


def test_the_configured_key_follows_a_rollover_only_when_it_was_the_one_used(
    tmp_path: Path,
) -> None:
    """`acmedash --key other.pem account rollover new.pem` leaves account_key alone."""
    session = Session(
        Settings(account_key="configured.pem"),
        resolve("letsencrypt-staging"),
        key_path=Path("other.pem"),
    )
    session.use_key(Path("new.pem"), keys.generate_key("ec256"))
    assert session.settings.account_key == "configured.pem"
    assert session.key_path == Path("new.pem")


async def test_deactivation_asks_with_a_typed_word_and_forgets_the_account(
    pebble: Pebble, tmp_path: Path
) -> None:
    session = _session(pebble, tmp_path)
    declining = ScriptedPrompts(confirm_answer=False)
    async with session.client() as client:
        await accounts.new_account(session, client, ScriptedPrompts(), [])
        with pytest.raises(InputError, match="not deactivated"):
            await accounts.deactivate(session, client, declining)
        assert (await client.fetch_account()).status == "valid"
        gone = await accounts.deactivate(session, client, ScriptedPrompts())
    assert declining.asked[0].startswith("confirm[deactivate] Deactivate the account")
    assert gone.status == "deactivated"
    assert session.settings.accounts == [] and _remembered(session) is None
