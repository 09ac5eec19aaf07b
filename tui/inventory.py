"""The certificates acmedash manages: where the store is, what is in it, which folder a
`cert renew` may write.

The store is `certs_dir` from the config (a relative path is taken from the config's folder),
else STORE beside an explicitly chosen config (--config, $ACMEDASH_CONFIG), else
$XDG_DATA_HOME/acmedash/certs: never the current folder, since a timer runs in `/`.
Each certificate is a folder in it (certstore's layout). A folder saved elsewhere with
`--out` is listed in STORE/elsewhere.toml, so `--all` and `cert list` find it too.

A managed folder is one acmedash made: it has a renewal.toml, or certstore's `current` link
into archive/ (folders issued before renewal.toml). Only such a folder is written by a
renewal without `--out`: `cert renew /etc/ssl/other.pem` must not drop cert.pem and
privkey.pem beside a file acmedash never wrote.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui.acme.errors import InputError
from tui.acme.fileio import atomic_write
from tui.config import Settings, default_config_path, default_data_dir
from tui.renewal import SETTINGS_FILE, RenewalSettings, Status, load_settings, load_status
from tui.user_paths import user_path

if TYPE_CHECKING:
    from cryptography import x509

STORE = "certs"
ELSEWHERE = "elsewhere.toml"


def store_dir(settings: Settings, config_path: Path) -> Path:
    if settings.certs_dir:
        given = user_path(settings.certs_dir)
        return given if given.is_absolute() else config_path.parent.absolute() / given
    if os.environ.get("ACMEDASH_CONFIG") or config_path != default_config_path():
        return config_path.parent.absolute() / STORE
    return default_data_dir() / STORE


def is_managed(folder: Path) -> bool:
    if (folder / SETTINGS_FILE).is_file():
        return True
    current = folder / "current"
    return current.is_symlink() and os.readlink(current).startswith("archive/")


def elsewhere(store: Path) -> list[Path]:
    """The folders outside the store that issuance registered; a broken list is empty (it
    only adds to what the store itself holds)."""
    try:
        data = tomllib.loads((store / ELSEWHERE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    folders = data.get("folders", [])
    return [Path(f) for f in folders if isinstance(f, str)] if isinstance(folders, list) else []


def register(store: Path, folder: Path) -> None:
    """Remembers a managed folder outside the store, for `--all` and `cert list`."""
    import tomli_w

    folder = folder.absolute()
    if folder.parent == store.absolute():
        return
    known = elsewhere(store)
    if folder in known:
        return
    text = "# Certificate folders outside this store that acmedash manages.\n"
    text += tomli_w.dumps({"folders": [str(f) for f in [*known, folder]]})
    try:
        atomic_write(store / ELSEWHERE, text.encode("utf-8"), mode=0o644)
    except OSError as exc:
        raise InputError(f"{store / ELSEWHERE}: cannot record {folder} ({exc.strerror})") from None


def managed_folders(store: Path) -> list[Path]:
    """Every managed folder with a certificate, the store's first (sorted), then elsewhere's."""
    inside = sorted(p for p in store.iterdir() if p.is_dir()) if store.is_dir() else []
    found: dict[Path, None] = {}  # in order, each once
    for folder in [*inside, *elsewhere(store)]:
        if folder not in found and (folder / "cert.pem").is_file() and is_managed(folder):
            found[folder] = None
    return list(found)


def follow_rollover(store: Path, directory: str, old_key: Path, new_key: Path) -> list[Path]:
    """The managed folders whose renewal.toml named `old_key` as the account key at
    `directory`, now naming `new_key` (absolute): after a key rollover the CA refuses every
    request signed by the old key, so a renewal still naming it would fail. A folder whose
    renewal.toml cannot be read is left for its next renewal to report."""
    from tui.config import ConfigError
    from tui.renewal import replace_account_key

    old = user_path(old_key).resolve()
    moved: list[Path] = []
    for folder in managed_folders(store):
        try:
            settings = load_settings(folder)
        except ConfigError:
            continue
        if settings is None or settings.directory != directory:
            continue
        if user_path(settings.account_key).resolve() == old:
            replace_account_key(folder, settings, str(new_key))
            moved.append(folder)
    return moved


@dataclass
class Entry:
    """One managed certificate. `settings` is None for a folder without renewal.toml."""

    folder: Path
    certificate: x509.Certificate
    settings: RenewalSettings | None
    status: Status

    @property
    def name(self) -> str:
        return self.folder.name


def load_entry(folder: Path, cert: Path | None = None) -> Entry:
    from tui.workflow import load_certificate_file

    certificate = load_certificate_file(cert or folder / "cert.pem")
    return Entry(folder, certificate, load_settings(folder), load_status(folder))


def find(store: Path, name: str) -> Path:
    """A managed folder by its folder name, else by a name its certificate holds."""
    from tui.acme.certificates import names_of

    folders = managed_folders(store)
    for folder in folders:
        if folder.name == name:
            return folder
    wanted = name.strip().lower().rstrip(".")
    for folder in folders:
        try:
            if wanted in names_of(load_entry(folder).certificate):
                return folder
        except InputError:
            continue
    raise InputError(f"no certificate named {name!r} in the store {store} (see `cert list`)")


def renewal_target(given: str, store: Path, out: str | None) -> tuple[Path, Path, Path]:
    """(the certificate to renew, the folder whose settings apply, the folder to write) for
    `cert renew CERT|NAME [--out DIR]`."""
    path = user_path(given)
    if path.is_dir():
        source, cert = path, path / "cert.pem"
    elif path.exists():
        source, cert = path.parent, path
    else:
        source = find(store, given)
        cert = source / "cert.pem"
    if out:
        target = user_path(out)
        _check_foreign(target)
        return cert, source, target
    if cert.name != "cert.pem" or not is_managed(source):
        from tui.workflow import load_certificate_file

        load_certificate_file(cert)  # a file that is no certificate says that first
        raise InputError(
            f"{given}: not the cert.pem of a folder acmedash manages (no {SETTINGS_FILE}, no "
            "current/archive layout); renewing would write cert.pem and privkey.pem there: "
            "pass --out DIR for the new certificate"
        )
    return cert, source, source


def _check_foreign(folder: Path) -> None:
    """`--out DIR` may be new, empty of certificate files, or a folder acmedash manages: a
    save turns cert.pem, privkey.pem, ... into links through current/ and moves the files
    there into archive/, which is not ours to do to a folder acmedash never wrote."""
    from tui.certstore import FILES

    found = [name for name in FILES if (folder / name).exists() or (folder / name).is_symlink()]
    if found and not is_managed(folder):
        raise InputError(
            f"--out {folder}: holds {found[0]}, which acmedash did not write (no "
            f"{SETTINGS_FILE}, no current/archive layout); name a new or empty folder, or the "
            "folder of a managed certificate"
        )
