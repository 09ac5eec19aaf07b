"""Settings <-> TOML. tomllib reads, tomli-w writes, every save is atomic and keeps the
file's comments (config_edit.py).

A file that does not parse or has a wrongly typed value is reported as `file:line:column: what`
(config_errors.py) and is never written over: the user's hand-edited config is worth more than
our defaults.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from tui import endpoints
from tui.acme.errors import AcmeError
from tui.acme.fileio import atomic_write, sweep_stale
from tui.acme.hooks import EAB_KEY_ENV
from tui.contacts import normalise_contact
from tui.secret_file import read_secret_file
from tui.user_paths import user_path

SCHEMA_VERSION = 1


class ConfigError(AcmeError):
    """The config file is unreadable or invalid; the message names file, line, column and what
    is wrong (config_errors.py)."""


def default_config_path() -> Path:
    if env := os.environ.get("ACMEDASH_CONFIG"):
        return user_path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "acmedash" / "config.toml"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "acmedash"


@dataclass
class Timeouts:
    connect: float = 10.0
    read: float = 30.0
    # One request, all its attempts, however slowly the CA trickles its answer.
    request: float = 60.0
    retry_after_max: float = 60.0
    # One whole `acmedash` command, every request, retry, Retry-After wait and poll included:
    # a CA answering 503 with Retry-After: 60 three times to each request kept one alive for
    # over 15 minutes. Ten minutes is far more than a real issuance takes.
    command: float = 600.0


@dataclass
class RememberedAccount:
    """An account URL belongs to one CA and one key; both are part of the lookup."""

    directory: str
    thumbprint: str
    url: str


@dataclass
class Settings:
    endpoint: str = "letsencrypt-staging"
    account_key: str = ""
    contacts: list[str] = field(default_factory=list)
    user_agent: str = ""
    language: str = ""
    ca_bundle: str = ""
    csr_file: str = ""
    chain_file: str = ""
    theme: str = ""
    deploy_hook: str = ""
    certs_dir: str = ""  # the certificate store; relative to the config's folder
    eab_kid: str = ""
    eab_hmac_key: str = ""
    eab_hmac_key_file: str = ""
    timeouts: Timeouts = field(default_factory=Timeouts)
    keymap: dict[str, str] = field(default_factory=dict)
    accounts: list[RememberedAccount] = field(default_factory=list)
    # The [dns] table (dns-01 publishing), read by tui.dns.method; kept as written.
    dns: dict[str, Any] = field(default_factory=dict)
    # Keys this version does not know, written back untouched so a newer acmedash loses nothing.
    extra: dict[str, Any] = field(default_factory=dict)

    def ca_bundle_path(self, override: str | None = None) -> Path | None:
        """The extra CA bundle to trust: the command line's, else the configured one."""
        bundle = override if override is not None else self.ca_bundle
        return user_path(bundle) if bundle else None

    def account_for(self, directory: str, thumbprint: str) -> str | None:
        for account in self.accounts:
            if account.directory == directory and account.thumbprint == thumbprint:
                return account.url
        return None

    def remember_account(self, directory: str, thumbprint: str, url: str) -> None:
        for account in self.accounts:
            if account.directory == directory and account.thumbprint == thumbprint:
                account.url = url
                return
        self.accounts.append(RememberedAccount(directory, thumbprint, url))

    def forget_account(self, directory: str, thumbprint: str) -> None:
        self.accounts = [
            a for a in self.accounts if (a.directory, a.thumbprint) != (directory, thumbprint)
        ]


def configured_eab_mac_key(settings: Settings) -> str:
    """The External Account Binding MAC key from outside the command line, for both front ends:
    $ACMEDASH_EAB_HMAC_KEY, else the config's eab_hmac_key_file (0600 and the user's own, see
    secret_file), else its eab_hmac_key; "" when none is set. Never printed by any caller."""
    if from_env := os.environ.get(EAB_KEY_ENV, "").strip():
        return from_env
    if settings.eab_hmac_key_file and settings.eab_hmac_key:
        raise ConfigError("set eab_hmac_key_file or eab_hmac_key in the config, not both")
    if settings.eab_hmac_key_file:
        return read_secret_file(user_path(settings.eab_hmac_key_file), "EAB MAC key")
    return settings.eab_hmac_key


_STRING_KEYS = (
    "endpoint",
    "account_key",
    "user_agent",
    "language",
    "ca_bundle",
    "csr_file",
    "chain_file",
    "theme",
    "deploy_hook",
    "certs_dir",
    "eab_kid",
    "eab_hmac_key",
    "eab_hmac_key_file",
)


def _line_of(text: str, table: str, key: str) -> int | None:
    """The line where `key` is set inside `[table]` ('' for the top level); 1-based."""
    current = ""
    pattern = re.compile(rf"^\s*(\"?){re.escape(key)}\1\s*=")
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?", line)
        if header:
            current = header.group(1)
        elif current == table and pattern.match(line):
            return number
    return None


class _Reader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, table: str, key: str, expected: str, value: Any) -> ConfigError:
        from tui.config_errors import value_column

        line = _line_of(self.text, table, key)
        where = f"{self.path}:{line}:{value_column(self.text, line)}" if line else str(self.path)
        dotted = f"{table}.{key}" if table else key
        return ConfigError(f"{where}: {dotted} must be {expected}, not {type(value).__name__}")

    def string(self, obj: dict[str, Any], table: str, key: str, default: str) -> str:
        value = obj.get(key, default)
        if not isinstance(value, str):
            raise self.fail(table, key, "a string", value)
        return value

    def number(self, obj: dict[str, Any], table: str, key: str, default: float) -> float:
        value = obj.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(table, key, "a positive finite number", value)
        if not math.isfinite(value) or value <= 0:
            raise self.fail(table, key, "a positive finite number", value)
        return float(value)

    def strings(self, obj: dict[str, Any], table: str, key: str) -> list[str]:
        value = obj.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(table, key, "a list of strings", value)
        return list(value)

    def table(self, obj: dict[str, Any], key: str) -> dict[str, Any]:
        value = obj.get(key, {})
        if not isinstance(value, dict):
            raise self.fail("", key, "a table", value)
        return value


def read_toml(text: str, path: Path) -> tuple[dict[str, Any], _Reader]:
    """The document and a reader whose errors say `path:line:column: what` (also renewal.toml's)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        from tui.config_errors import syntax_error

        raise ConfigError(syntax_error(path, text, str(exc))) from None
    return data, _Reader(path, text)


def parse_settings(text: str, path: Path) -> Settings:
    data, reader = read_toml(text, path)
    version = data.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        raise reader.fail("", "schema_version", "an integer", version)
    if version > SCHEMA_VERSION:
        raise ConfigError(
            f"{path}: schema_version {version} is newer than this acmedash understands"
        )
    settings = Settings()
    for name in _STRING_KEYS:
        if name in data:
            setattr(settings, name, reader.string(data, "", name, ""))
    settings.contacts = reader.strings(data, "", "contacts")
    timeouts = reader.table(data, "timeouts")
    defaults = Timeouts()
    settings.timeouts = Timeouts(
        **{
            f.name: reader.number(timeouts, "timeouts", f.name, getattr(defaults, f.name))
            for f in fields(Timeouts)
        }
    )
    keymap = reader.table(data, "keymap")
    settings.keymap = {k: reader.string(keymap, "keymap", k, "") for k in keymap}
    accounts = data.get("accounts", [])
    if not isinstance(accounts, list):
        raise reader.fail("", "accounts", "an array of tables ([[accounts]])", accounts)
    for entry in accounts:
        if not isinstance(entry, dict):
            raise reader.fail("", "accounts", "an array of tables ([[accounts]])", entry)
        settings.accounts.append(
            RememberedAccount(
                **{
                    k: reader.string(entry, "accounts", k, "")
                    for k in ("directory", "thumbprint", "url")
                }
            )
        )
    settings.dns = reader.table(data, "dns")
    known = {*_STRING_KEYS, "contacts", "timeouts", "keymap", "accounts", "schema_version", "dns"}
    settings.extra = {k: v for k, v in data.items() if k not in known}
    return settings


def load_settings(path: Path) -> Settings:
    """Defaults when the file does not exist yet; ConfigError when it is unusable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config ({exc})") from None
    return parse_settings(text, path)


def settings_data(settings: Settings) -> dict[str, Any]:
    """The settings as the TOML document says them."""
    data: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    data.update({k: getattr(settings, k) for k in _STRING_KEYS})
    data["contacts"] = settings.contacts
    data.update(settings.extra)
    data["timeouts"] = {f.name: getattr(settings.timeouts, f.name) for f in fields(Timeouts)}
    data["keymap"] = settings.keymap
    if settings.dns:
        data["dns"] = settings.dns
    data["accounts"] = [
        {"directory": a.directory, "thumbprint": a.thumbprint, "url": a.url}
        for a in settings.accounts
    ]
    return data


def settings_to_toml(settings: Settings) -> str:
    import tomli_w  # only when saving: start-up reads, it does not write

    return tomli_w.dumps(settings_data(settings))


def _edited(settings: Settings, path: Path, text: str) -> tuple[str | None, list[str]]:
    """The file's own text with only the changed values rewritten (config_edit), if that text
    reads back as exactly `settings` (None when it cannot be edited in place); and the keys
    whose comments inside their value it could not keep."""
    from tui import config_edit

    try:
        edited, lost = config_edit.edit_reporting(
            text, settings_data(parse_settings(text, path)), settings_data(settings)
        )
        return (edited, lost) if parse_settings(edited, path) == settings else (None, [])
    except (ConfigError, config_edit.Unsupported):
        return None, []


def save_settings(settings: Settings, path: Path) -> str:
    """Keeps the comments and layout of a hand-edited file: only the values that changed are
    rewritten. When that would lose a comment (one inside a list laid out other than an item
    per line) or the file cannot be edited in place at all, its old text is first kept beside
    it as `<name>.bak`; what it returns says so, for the front end to tell ("" otherwise)."""
    try:
        text: str | None = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        text = None  # a first save; a folder that is a file fails below, as "cannot save"
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot save config: cannot read it first ({exc})") from None
    edited, lost = _edited(settings, path, text) if text is not None else (None, [])
    backup = path.with_name(path.name + ".bak")
    note = ""
    if text is not None and edited is None:
        note = f"{path} was written whole; your version is kept as {backup.name}"
    elif lost:
        note = f"comments inside {', '.join(lost)} in {path} could not be kept; see {backup.name}"
    try:
        if note:
            atomic_write(backup, (text or "").encode("utf-8"), mode=0o600)
        whole = edited if edited is not None else settings_to_toml(settings)
        atomic_write(path, whole.encode("utf-8"), mode=0o600)
        # A save killed mid-way leaves its temp file, a whole copy of the config (an EAB MAC
        # key included): 40 killed savers left 11. The next save removes those of dead writers.
        sweep_stale(path.parent)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot save config ({exc.strerror})") from None
    return note


INI_SECTION = "acme-neoprime"


def import_ini(path: Path, settings: Settings) -> list[str]:
    """Merge the acme.ini of the NeoPrime example scripts into `settings`; returns what changed."""
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    except configparser.Error as exc:
        raise ConfigError(f"{path}: not an INI file: {exc.message.splitlines()[0]}") from None
    if not parser.has_section(INI_SECTION):
        raise ConfigError(f"{path}: no [{INI_SECTION}] section")
    section = parser[INI_SECTION]
    changed: list[str] = []

    def take(option: str, attribute: str, value: str | None = None) -> None:
        if option in section and section[option].strip():
            setattr(settings, attribute, value if value is not None else section[option].strip())
            changed.append(f"{attribute} = {getattr(settings, attribute)!r}  (from {option})")

    if "ACMEDirectory" in section and section["ACMEDirectory"].strip():
        endpoint = endpoints.resolve(section["ACMEDirectory"].strip())
        take("ACMEDirectory", "endpoint", endpoint.name)
    take("UserAgent", "user_agent")
    take("AccountKeyFile", "account_key")
    take("CSRFile", "csr_file")
    take("ChainFile", "chain_file")
    take("Language", "language")
    if "Contacts" in section and section["Contacts"].strip():
        contacts = [normalise_contact(c) for c in section["Contacts"].split(";") if c.strip()]
        settings.contacts = contacts
        changed.append(f"contacts = {contacts!r}  (from Contacts)")
    return changed
