"""Account policy for both front ends (RFC 8555 §7.3): create, find, read, update, key
rollover, deactivation, and the account key itself. Decided here once, so `acmedash account
...` and the dashboard's keys behave the same.

What only a person can answer (the terms of service, EAB credentials, a confirmation) is
asked through `Prompts`, which each front end implements in its own way (the CLI: y/N on a
terminal, or --yes; the dashboard: dialogs). Every account URL learnt is remembered by the
Session under its (directory URL, key thumbprint) pair.

Light to import (no httpx, no cryptography until a function needs them): `acmedash key show`
loads keys through here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from tui.acme.errors import InputError, PassphraseRequired, ProblemError
from tui.acme.hooks import PASSPHRASE_ENV
from tui.acme.key_types import DEFAULT_KEY_TYPE
from tui.user_paths import user_path

if TYPE_CHECKING:
    from tui.acme.client import AcmeClient
    from tui.acme.jose import PrivateKey
    from tui.acme.models import Account
    from tui.session import Session

KeyLoader = Callable[[Path], "PrivateKey"]
# How each front end creates an account, in its own advice: inside a dashboard (`acmedash demo`
# above all) the command would run with the user's real config, key and CA, not the dashboard's.
CREATE_BY_COMMAND = "`acmedash account new`"
CREATE_BY_KEY = "a (new account)"


class Prompts(Protocol):
    """The questions account operations may have to ask. Each answer may take a while (a
    dialog), so each is awaited. A front end that cannot ask (no terminal) may raise an
    InputError that says how to answer instead (`--yes`)."""

    async def agree_to_terms(self, url: str) -> bool:
        """Does the user agree to the CA's terms of service at `url` (RFC 8555 §7.3)?"""
        ...

    async def eab_credentials(self) -> tuple[str, str] | None:
        """(key id, base64url MAC key) when the CA requires External Account Binding (RFC 8555
        §7.3.4) and none was given; None: there are none."""
        ...

    async def confirm(self, question: str, *, typed: str = "") -> bool:
        """Yes or no; with `typed`, only typing that word is a yes (for what cannot be undone)."""
        ...


def passphrase_may_be_asked() -> bool:
    """Whether a front end may ask for a key's passphrase: not when $ACMEDASH_KEY_PASSPHRASE
    is set, whose answer is final (a wrong one is an error, never followed by a question)."""
    return PASSPHRASE_ENV not in os.environ


def load_key(path: Path, ask: Callable[[Path], str] | None = None) -> PrivateKey:
    """The account key in `path`. An encrypted key is opened with $ACMEDASH_KEY_PASSPHRASE, or
    else with what `ask` answers (a front end that can ask for a passphrase), when
    passphrase_may_be_asked."""
    from tui.acme import keys

    passphrase = os.environ.get(PASSPHRASE_ENV)
    try:
        return keys.load_key(path, passphrase.encode() if passphrase else None)
    except PassphraseRequired:
        if ask is None or not passphrase_may_be_asked():
            raise
        return keys.load_key(path, ask(path).encode())


def _generate_key(path: Path) -> PrivateKey:
    """A new key of the default type in `path`: 0600, and an existing file is never replaced
    (keys.save_key refuses it, even one that appeared after the check)."""
    from tui.acme import keys

    key = keys.generate_key(DEFAULT_KEY_TYPE)
    keys.save_key(key, path)
    return key


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


async def key_for_new_account(
    path: Path, prompts: Prompts, load: KeyLoader = load_key
) -> tuple[PrivateKey, bool]:
    """(key, generated): the key in `path`, or a new one there if there is none and the user
    agrees. Asked, because a mistyped path would otherwise create an account nobody meant."""
    if _exists(path):
        return load(path), False
    if not await prompts.confirm(
        f"Generate a new {DEFAULT_KEY_TYPE} key at {path}, which does not exist?"
    ):
        raise InputError(f"{path}: key file does not exist; no key generated")
    return _generate_key(path), True


def external_account_binding(kid: str, mac_key: str, *, where: str) -> tuple[str, str] | None:
    """(key id, MAC key) for RFC 8555 §7.3.4, None when neither is set. Half a pair is an
    error, and the MAC key is checked here, before any request; no message quotes it.
    `where` tells the user where a front end takes the two from."""
    from tui.acme.jose import eab_mac_key

    if not (kid or mac_key):
        return None
    if not (kid and mac_key):
        raise InputError(f"External Account Binding needs both a key id and a MAC key ({where})")
    eab_mac_key(mac_key)
    return kid, mac_key


async def new_account(
    session: Session,
    client: AcmeClient,
    prompts: Prompts,
    contacts: list[str],
    eab: tuple[str, str] | None = None,
) -> Account:
    """RFC 8555 §7.3: EAB asked for when the CA requires it and none was given, the terms of
    service agreed to when the CA has any; nothing is sent otherwise. An existing account of
    the key is found, not duplicated (`Account.created` tells which)."""
    directory = await client.directory()
    if eab is None and directory.meta.external_account_required:
        eab = await prompts.eab_credentials()
        if eab is None:
            raise InputError("this CA requires External Account Binding; no account created")
        eab = external_account_binding(*eab, where="both were asked for")
    agreed: bool | None = None
    tos = directory.meta.terms_of_service
    if tos:
        if not await prompts.agree_to_terms(tos):
            raise InputError(f"terms of service not agreed ({tos}); no account created")
        agreed = True
    account = await client.new_account(contacts, terms_agreed=agreed, eab=eab)
    session.remember(client, account.url)
    return account


async def find_account(session: Session, client: AcmeClient) -> Account:
    """RFC 8555 §7.3.1: the key's account looked up afresh, whatever was remembered."""
    account = await client.find_account()
    session.remember(client, account.url)
    return account


async def fetch_account(session: Session, client: AcmeClient) -> Account:
    """The account as the CA has it now (looked up first if its URL is not known yet)."""
    account = await client.fetch_account()
    session.remember(client, account.url)
    return account


async def update_contacts(session: Session, client: AcmeClient, contacts: list[str]) -> Account:
    """RFC 8555 §7.3.2: the contacts replaced by `contacts`."""
    account = await client.update_account(contacts)
    session.remember(client, account.url)
    return account


def contacts_not_taken(account: Account, sent: list[str]) -> str:
    """What to say when the CA's answer to a contact update names other contacts than those
    sent (it may refuse or rewrite some): "updated" alone was a claim the answer did not back.
    Empty when it names the same, in any order, or names none (it need not echo them). The
    settings keep what the user typed: the CA's list is its text, never sent on from here."""
    if "contact" not in account.raw or set(account.contact) == set(sent):
        return ""
    answered = ", ".join(account.contact) or "no contacts"
    return f"the CA answered with {answered}, not the contacts sent ({', '.join(sent) or 'none'})"


def keep_contacts(session: Session, contacts: list[str]) -> bool:
    """After the CA took new contacts: the settings' contacts (what `account new` and the
    dashboard's Contacts panel start from) say the same, saved in place with the config's
    comments kept (config.save_settings). False when they already did."""
    if session.settings.contacts == contacts:
        return False
    session.settings.contacts = list(contacts)
    session.save()
    return True


def no_account(create: str) -> str:
    """The advice for a key without an account; `create`: the front end's way to make one."""
    return f"this key has no account at this CA: {create} creates one"


async def require_account(
    client: AcmeClient, session: Session | None = None, *, create: str = CREATE_BY_COMMAND
) -> str:
    """The account URL, which certificates need: said plainly when the key has none (with
    `create`, the asking front end's way to make one), and remembered in `session` when one
    is given."""
    try:
        url = await client.known_account_url()
    except ProblemError as exc:
        if exc.type.endswith(":accountDoesNotExist"):
            raise InputError(no_account(create)) from None
        raise
    if session is not None:
        session.remember(client, url)
    return url


def problem_hint(problem: ProblemError, create: str) -> str:
    """What a person can do about a CA's problem, said alike by both front ends; `create` names
    the front end's way to create an account. "" when there is nothing to add. The raiser's
    own hint wins: a revocation signed by the certificate's key that the CA answers with
    accountDoesNotExist needs no account (revocation.revoke says so)."""
    if problem.hint:
        return problem.hint
    if problem.type.endswith(":accountDoesNotExist"):
        return f"{no_account(create)}; after a key rollover, use the new key"
    return ""


@dataclass(frozen=True)
class Rollover:
    url: str
    key_path: Path
    generated: bool  # the new key did not exist and was made for the rollover


async def rollover(
    session: Session, client: AcmeClient, new_path: Path, load: KeyLoader = load_key
) -> Rollover:
    """RFC 8555 §7.3.5: the account moves to the key in `new_path`. A missing key file is
    generated there first (the default type, 0600, never over an existing file) without a
    question: naming a new key for a rollover is asking for one. The account is then
    remembered under the new key and forgotten under the old, and the session (and the
    settings' account_key, when it named the old key) signs with the new key. The key is
    generated once the account is known: a rollover refused for want of one makes no file.
    The key is kept by its absolute path: a renewal from a timer runs in `/`."""
    new_path = user_path(new_path).absolute()
    generated = not _exists(new_path)
    existing = None if generated else load(new_path)  # a file that is no key stops it here
    url = await client.known_account_url()  # a key without an account leaves no new file
    new_key = _generate_key(new_path) if existing is None else existing
    old_thumbprint = client.thumbprint
    await client.change_key(new_key)
    session.settings.forget_account(client.directory_url, old_thumbprint)
    session.settings.remember_account(client.directory_url, client.thumbprint, url)
    session.use_key(new_path, new_key)
    session.save()
    return Rollover(url, new_path, generated)


async def deactivate(session: Session, client: AcmeClient, prompts: Prompts) -> Account:
    """RFC 8555 §7.3.6, after a typed confirmation: final, so the account is forgotten."""
    question = (
        f"Deactivate the account of this key at {session.endpoint.title} for good? The CA "
        "will refuse it from then on; its certificates stay valid."
    )
    if not await prompts.confirm(question, typed="deactivate"):
        raise InputError("cancelled; the account was not deactivated")
    account = await client.deactivate_account()
    session.forget(client.directory_url, client.thumbprint)
    return account
