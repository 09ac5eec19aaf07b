"""What renewing a certificate needs, remembered beside it, and what its last renewal did.

    FOLDER/renewal.toml          written at issuance (and by `cert renew --save`); the user's to
                                 edit: plain TOML, read with tomllib, errors name file and line
    FOLDER/renewal-status.json   acmedash's own notes: the last run's result, the ARI window
                                 and when to ask again; a cache, rebuilt when lost

No secret is ever written here (no EAB key, passphrase, TSIG secret or provider token): the
account key is a path, and a solver field that holds a secret (named like one, or marked
`metadata={"secret": True}` on workflow.SolverChoice) is left out; it comes from the config or
the environment at renewal time, as at issuance.

The [challenge] table is workflow.SolverChoice's own fields, whatever they are: a field added
there (a new dns-01 method's server, zone, provider) is remembered without a change here.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from tui.acme.errors import InputError
from tui.acme.fileio import atomic_write, temp_name
from tui.acme.key_types import DEFAULT_KEY_TYPE, KEY_TYPES
from tui.config import ConfigError, _Reader, read_toml
from tui.user_paths import user_path
from tui.workflow import CHALLENGES, SolverChoice

SETTINGS_FILE = "renewal.toml"
STATUS_FILE = "renewal-status.json"
SCHEMA_VERSION = 1
_SECRET_NAME = re.compile(r"secret|token|password|passphrase|hmac|credential", re.IGNORECASE)
_HEADER = """\
# How acmedash renews the certificate in this folder (written at issuance).
# Safe to edit by hand; `acmedash cert renew --save` rewrites it. No secrets belong here:
# the account key is a path, EAB/TSIG/provider secrets come from the config or environment.
"""


def _secret(item: Any) -> bool:
    """A field holding a path to a secret (`tsig_secret_file`) is remembered: the path is not
    the secret, and renewing needs it."""
    if item.metadata.get("secret"):
        return True
    return bool(_SECRET_NAME.search(item.name)) and not item.name.endswith("_file")


def remembered_fields() -> list[str]:
    """The SolverChoice fields written to [challenge]."""
    return [f.name for f in fields(SolverChoice) if not _secret(f)]


@dataclass(frozen=True)
class RenewalSettings:
    directory: str
    account_key: str  # a path, never the key
    names: list[str]
    challenge: SolverChoice = field(default_factory=SolverChoice)
    key_type: str = DEFAULT_KEY_TYPE
    reuse_key: bool = False  # order with the folder's privkey.pem again (key pinning)
    profile: str = ""
    preferred_chain: str = ""
    deploy_hook: str = ""
    # A CSR of the user's own (`cert issue --csr`): a path, read again at each renewal, which
    # then makes no key (key_type and reuse_key do not apply). "" : acmedash makes the key.
    csr: str = ""
    # The CA bundle named by --ca-bundle at issuance, as an absolute path: trusted for this
    # certificate's renewal and ARI because the user named it, so a timer needs no flag.
    ca_bundle: str = ""

    def to_toml(self) -> str:
        import tomli_w

        data: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
        data.update({k: v for k, v in asdict(self).items() if k != "challenge"})
        challenge = {k: getattr(self.challenge, k) for k in remembered_fields()}
        dns = challenge.pop("dns", None)
        if dns is not None:  # [challenge.dns]: how dns-01 records are published (tui/dns)
            challenge["dns"] = {f.name: getattr(dns, f.name) for f in fields(dns) if not _secret(f)}
        data["challenge"] = challenge
        return _HEADER + tomli_w.dumps(data)


def named_bundle(given: str | None) -> str:
    """The --ca-bundle named at issuance as renewal.toml keeps it: an absolute path (a timer
    runs elsewhere), "" when none was named."""
    return str(user_path(given).absolute()) if given else ""


def defaults_for(names: list[str], directory: str, account_key: str) -> RenewalSettings:
    """A folder issued before renewal.toml existed: the issue command's defaults."""
    return RenewalSettings(directory=directory, account_key=account_key, names=names)


def _typed(reader: _Reader, obj: dict[str, Any], table: str, key: str, default: Any) -> Any:
    """The value of `key`, of the type of `default` (bool, int, str or list of str)."""
    value = obj.get(key, default)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise reader.fail(table, key, "true or false", value)
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise reader.fail(table, key, "an integer", value)
        return value
    if isinstance(default, list):
        return reader.strings(obj, table, key)
    return reader.string(obj, table, key, default)


def _dns_method(reader: _Reader, challenge: dict[str, Any]) -> Any:
    """[challenge.dns] as a tui.dns.method.DnsMethod (loaded only for dns-01 certificates)."""
    from tui.dns.method import DnsMethod

    table = challenge["dns"]
    if not isinstance(table, dict):
        raise reader.fail("challenge", "dns", "a table", table)
    base = DnsMethod()
    values: dict[str, Any] = {
        f.name: (
            reader.number(table, "challenge.dns", f.name, base.timeout)
            if f.name == "timeout"
            else reader.string(table, "challenge.dns", f.name, getattr(base, f.name))
        )
        for f in fields(DnsMethod)
        if f.name in table and not _secret(f)
    }
    return DnsMethod(**values)


def parse_settings(text: str, path: Path) -> RenewalSettings:
    data, reader = read_toml(text, path)
    version = _typed(reader, data, "", "schema_version", SCHEMA_VERSION)
    if version > SCHEMA_VERSION:
        raise ConfigError(f"{path}: schema_version {version} is newer than this acmedash reads")
    top = {
        f.name: _typed(reader, data, "", f.name, f.default if f.name != "names" else [])
        for f in fields(RenewalSettings)
        if f.name not in ("challenge", "directory", "account_key")
    }
    for required in ("directory", "account_key"):
        top[required] = reader.string(data, "", required, "")
    table = reader.table(data, "challenge")
    base = SolverChoice()
    choice = replace(
        base,
        **{
            k: _typed(reader, table, "challenge", k, getattr(base, k))
            for k in remembered_fields()
            if k in table and k != "dns"
        },
    )
    if "dns" in table:
        choice = replace(choice, dns=_dns_method(reader, table))
    settings = RenewalSettings(challenge=choice, **top)
    if choice.challenge not in CHALLENGES:
        raise reader.fail("challenge", "challenge", f"one of {', '.join(CHALLENGES)}", "text")
    if settings.key_type not in KEY_TYPES:
        raise reader.fail("", "key_type", f"one of {', '.join(KEY_TYPES)}", "text")
    return settings


def load_settings(folder: Path) -> RenewalSettings | None:
    """None when the folder has no renewal.toml (issued before it existed)."""
    path = folder / SETTINGS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from None
    refuse_foreign(path)
    return parse_settings(text, path)


def refuse_foreign(path: Path) -> None:
    """renewal.toml names a deploy hook, a dns hook, a CA and a CA bundle that a renewal
    (often root's, from a timer) runs and trusts: a file, or a folder holding it, that
    another user owns or may write could make us run their command and trust their CA.
    Refused as ssh refuses such an authorized_keys."""
    for where in (path.parent, path):
        info = where.stat()
        mode = stat.S_IMODE(info.st_mode)
        group_may = mode & 0o020 and info.st_gid != os.getegid()  # a umask-002 own group is you
        if info.st_uid != os.geteuid() or mode & 0o002 or group_may:
            raise ConfigError(
                f"{path}: refused, since {where} belongs to another user or others may write "
                f"it (owner uid {info.st_uid}, mode {mode:04o}): its "
                "hooks would run as you"
            )


def save_settings(folder: Path, settings: RenewalSettings) -> Path:
    path = folder / SETTINGS_FILE
    try:
        atomic_write(path, settings.to_toml().encode("utf-8"), mode=0o644)
    except OSError as exc:
        raise InputError(f"{path}: cannot save the renewal settings ({exc.strerror})") from None
    return path


def replace_account_key(folder: Path, settings: RenewalSettings, key: str) -> None:
    """renewal.toml naming `key` as its account key, after a key rollover. Only that line
    changes (config_edit, as the config's own saves): the file is the user's to edit, and
    its comments stay. When the edit does not read back as the same settings with the new
    key, the file is written whole (save_settings)."""
    from tui import config_edit

    path = folder / SETTINGS_FILE
    wanted = replace(settings, account_key=key)
    try:
        text = path.read_text(encoding="utf-8")
        data, _ = read_toml(text, path)
        edited = config_edit.edit(text, data, {**data, "account_key": key})
        if parse_settings(edited, path) == wanted:
            atomic_write(path, edited.encode("utf-8"), mode=0o644)
            return
    except (OSError, UnicodeDecodeError, ConfigError, config_edit.Unsupported):
        pass  # written whole below; a file that cannot be written says so there
    save_settings(folder, wanted)


@dataclass
class Status:
    """The last run's result and the ARI answer for the certificate `serial`; times ISO 8601."""

    serial: str = ""
    last_attempt: str = ""
    last_result: str = ""  # "renewed", "failed", "not due"
    last_error: str = ""
    ari_start: str = ""
    ari_end: str = ""
    ari_chosen: str = ""  # the random moment in the window this client picked (RFC 9773 §4.2)
    ari_next_check: str = ""  # when the CA said to ask again (Retry-After)
    ari_error: str = ""
    ari_asked: str = ""  # when the CA was last asked: a cached answer is shown with it
    # What it was asked with (renewal_due.ari_source: the CA and the trust): an answer got under
    # another CA bundle is not this one's.
    ari_source: str = ""
    revoked: str = ""  # the reason, when this certificate was revoked (revocation.remember)


def load_status(folder: Path) -> Status:
    """Unreadable or foreign content is an empty status: it is only a cache and a record."""
    try:
        data = json.loads((folder / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Status()
    if not isinstance(data, dict):
        return Status()
    known = {f.name for f in fields(Status)}
    return Status(**{k: v for k, v in data.items() if k in known and isinstance(v, str)})


def save_status(folder: Path, status: Status) -> None:
    """Best effort: a status that cannot be written never fails a renewal. Replaced in one
    rename but not fsynced: it is a cache and a record, and 200 fsyncs (12 ms each on the test
    machine's disk) were most of a `renew --all` that had nothing to renew. A temp file a
    killed run leaves is swept by the folder's next certificate save (fileio.sweep_stale)."""
    text = json.dumps(asdict(status), indent=1, sort_keys=True) + "\n"
    tmp = folder / temp_name(STATUS_FILE)
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, folder / STATUS_FILE)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
