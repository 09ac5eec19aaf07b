"""The certificate store: one atomic switch per save, earlier versions kept, the old layout
migrated, what a killed save left swept, and cert.pem always beside its own privkey.pem."""

from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.certs_for_tests import make_certificate
from tui.acme import keys
from tui.acme.certificates import Chain, parse_chain, to_pem
from tui.acme.errors import InputError
from tui.certstore import FILES, RECORDS, check_writable, save, save_chain_file
from tui.renewal import SETTINGS_FILE, STATUS_FILE

# What a child process runs: save certificates for fresh keys into argv[1], forever.
SAVER = """
import sys
from pathlib import Path
from tests.test_certstore import make_chain
from tui.certstore import save
folder = Path(sys.argv[1])
pairs = [make_chain() for _ in range(4)]
print("ready", flush=True)
while True:
    for chain, key_pem in pairs:
        save(folder, chain, key_pem)
"""


def make_chain(name: str = "store.test") -> tuple[Chain, bytes]:
    """A leaf for a fresh key, signed by a throwaway issuer: (chain, leaf key PEM)."""
    issuer_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), keys.generate_key("ec256")
    leaf = make_certificate(
        name, issuer="issuer", signing_key=issuer_key, public_key=leaf_key.public_key()
    )
    top = make_certificate("issuer", signing_key=issuer_key)
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf, top))
    return parse_chain("https://ca.test/cert/1", pem), keys.key_to_pem(leaf_key)


def _key_matches(folder: Path) -> bool:
    certificate = x509.load_pem_x509_certificate((folder / "cert.pem").read_bytes())
    key = serialization.load_pem_private_key((folder / "privkey.pem").read_bytes(), None)
    der = serialization.Encoding.DER
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    return certificate.public_key().public_bytes(der, spki) == key.public_key().public_bytes(
        der, spki
    )


def _temp_entries(folder: Path) -> list[str]:
    """Every temp file or folder anywhere below `folder` (symlinks not followed)."""
    found = []
    for root, dirs, files in os.walk(folder):
        found += [os.path.join(root, n) for n in dirs + files if n.endswith(".tmp")]
    return found


def test_a_save_switches_all_four_files_through_one_link(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    first_chain, first_key = make_chain()
    first = save(folder, first_chain, first_key)
    assert first.archived is None
    second_chain, second_key = make_chain()
    second = save(folder, second_chain, second_key)
    for name in FILES:
        assert os.readlink(folder / name) == f"current/{name}"
    current = folder / os.readlink(folder / "current")
    assert current.parent == folder / "archive"
    assert second.archived is not None and second.archived != current
    assert (second.archived / "privkey.pem").read_bytes() == first_key
    assert (folder / "privkey.pem").read_bytes() == second_key
    assert (folder / "fullchain.pem").read_bytes() == to_pem(second_chain.certificates)
    assert (folder / "cert.pem").read_text() + (folder / "chain.pem").read_text() == (
        folder / "fullchain.pem"
    ).read_text()
    assert stat.S_IMODE((folder / "privkey.pem").stat().st_mode) == 0o600
    assert _key_matches(folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(["archive", "current", *FILES])
    assert len(list((folder / "archive").iterdir())) == 2


def test_a_csr_save_drops_the_public_privkey_but_keeps_the_old_one(tmp_path: Path) -> None:
    """With the user's CSR we never had the key: privkey.pem must not name the old one."""
    folder = tmp_path / "site"
    old_chain, old_key = make_chain()
    save(folder, old_chain, old_key)
    new_chain, _ = make_chain()
    saved = save(folder, new_chain, None)
    assert saved.privkey is None
    assert not (folder / "privkey.pem").is_symlink() and not (folder / "privkey.pem").exists()
    assert saved.archived is not None
    assert (saved.archived / "privkey.pem").read_bytes() == old_key
    again_chain, again_key = make_chain()
    save(folder, again_chain, again_key)
    assert _key_matches(folder)


def test_the_old_layout_is_migrated_without_loss(tmp_path: Path) -> None:
    """Plain files, an archive/ of copies and a temp file of the old code, killed long ago."""
    folder = tmp_path / "site"
    _, old_key = make_chain()
    folder.mkdir()
    (folder / "cert.pem").write_text("old cert\n")
    (folder / "fullchain.pem").write_text("old fullchain\n")
    (folder / "chain.pem").write_text("old chain\n")
    (folder / "privkey.pem").write_bytes(old_key)
    (folder / "privkey.pem").chmod(0o600)
    older = folder / "archive" / "20250101T000000.000000Z"
    older.mkdir(parents=True)
    (older / "cert.pem").write_text("older cert\n")
    leftover = folder / ".cert.pem.abcd1234.tmp"
    leftover.write_text("half")
    os.utime(leftover, (1_000_000_000, 1_000_000_000))

    new_chain, new_key = make_chain()
    saved = save(folder, new_chain, new_key)
    assert saved.archived is not None
    assert (saved.archived / "cert.pem").read_text() == "old cert\n"
    assert (saved.archived / "privkey.pem").read_bytes() == old_key
    assert stat.S_IMODE((saved.archived / "privkey.pem").stat().st_mode) == 0o600
    assert (older / "cert.pem").read_text() == "older cert\n"
    assert (folder / "privkey.pem").read_bytes() == new_key
    assert _key_matches(folder)
    assert not leftover.exists()
    assert _temp_entries(folder) == []


def test_a_killed_migration_is_finished_without_loss(tmp_path: Path) -> None:
    """Killed after `current` pointed at the migrated version, with some public files still
    plain: those equal to the current ones become links, a differing one is kept too."""
    folder = tmp_path / "site"
    chain, key = make_chain()
    save(folder, chain, key)
    cert = (folder / "cert.pem").read_bytes()
    (folder / "cert.pem").unlink()
    (folder / "cert.pem").write_bytes(cert)
    (folder / "chain.pem").unlink()
    (folder / "chain.pem").write_text("someone's own chain\n")
    next_chain, next_key = make_chain()
    save(folder, next_chain, next_key)
    assert all((folder / name).is_symlink() for name in FILES)
    kept = [v for v in (folder / "archive").iterdir() if (v / "chain.pem").exists()]
    assert "someone's own chain\n" in [(v / "chain.pem").read_text() for v in kept]
    assert _key_matches(folder)


@pytest.mark.parametrize("where", ["a-file", "a-file/below", "/proc/acmedash-test"])
def test_check_writable_refuses_a_folder_it_cannot_make(tmp_path: Path, where: str) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(InputError, match="cannot create or write the certificate folder"):
        check_writable(tmp_path / where)
    check_writable(tmp_path / "new" / "site")
    assert list((tmp_path / "new" / "site").iterdir()) == []


def test_a_save_into_an_unusable_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    chain, key = make_chain()
    with pytest.raises(InputError, match="cannot save the certificate"):
        save(tmp_path / "a-file", chain, key)


def test_a_save_refuses_an_archive_swapped_for_a_link_while_the_order_ran(tmp_path: Path) -> None:
    """check_writable ran before the order; the save checks again, since the folder may have
    changed meanwhile: nothing goes through the link, the public files stay as they were."""
    folder, victim = tmp_path / "site", tmp_path / "victim"
    first_chain, first_key = make_chain()
    save(folder, first_chain, first_key)
    before = (folder / "cert.pem").read_bytes()
    (folder / "archive").rename(victim)
    (folder / "archive").symlink_to(victim)
    kept = sorted(p.name for p in victim.iterdir())
    chain, key = make_chain()
    with pytest.raises(InputError, match=r"site/archive is a symbolic link .*nothing was saved"):
        save(folder, chain, key)
    assert sorted(p.name for p in victim.iterdir()) == kept
    assert (folder / "cert.pem").read_bytes() == before


def test_an_archive_swapped_for_a_link_after_the_check_is_not_written_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The swap between the check and the write, a race no test can time: the check is
    patched out (a mock, standing for the moment after it looked) and the save must still
    not follow the link, since archive/ is opened with O_NOFOLLOW."""
    import tui.certstore

    folder, victim = tmp_path / "site", tmp_path / "victim"
    save(folder, *make_chain())
    (folder / "archive").rename(victim)
    (folder / "archive").symlink_to(victim)
    kept = sorted(p.name for p in victim.iterdir())
    monkeypatch.setattr(tui.certstore, "_refuse_foreign", lambda folder, consequence: None)
    with pytest.raises(InputError, match="cannot save the certificate"):
        save(folder, *make_chain())
    assert sorted(p.name for p in victim.iterdir()) == kept


def test_a_chain_file_is_not_archived_through_a_linked_archive(tmp_path: Path) -> None:
    """The chain file's folder (the NeoPrime acme.ini's ChainFile) gets an archive/ too."""
    site, victim = tmp_path / "site", tmp_path / "victim"
    save(site, *make_chain())
    victim.mkdir()
    (tmp_path / "chain.pem").write_text("old chain")
    (tmp_path / "archive").symlink_to(victim)
    with pytest.raises(InputError, match=r"cannot write the chain file: .*archive is a symbolic"):
        save_chain_file(tmp_path / "chain.pem", site / "fullchain.pem")
    assert list(victim.iterdir()) == []
    assert (tmp_path / "chain.pem").read_text() == "old chain"


def test_the_records_checked_are_the_ones_renewal_writes() -> None:
    """certstore sits below tui.renewal, so it names renewal's files itself."""
    assert RECORDS == (SETTINGS_FILE, STATUS_FILE)


def test_killed_saves_never_split_cert_and_key_nor_pile_up_temp_files(tmp_path: Path) -> None:
    """40 child processes save certificates in a loop and are SIGKILLed at random moments.
    After every kill the public cert.pem belongs to the public privkey.pem, and the temp files
    and folders a killed save leaves are swept by the next save."""
    folder = tmp_path / "site"
    chance = random.Random(8555)  # noqa: S311 - when to kill, not a secret
    root = Path(__file__).resolve().parent.parent
    for kill in range(40):
        child = subprocess.Popen(
            [sys.executable, "-c", SAVER, str(folder)],
            cwd=root,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline() == "ready\n"
        try:
            child.wait(chance.uniform(0.0, 0.06))
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
        child.wait(10)
        child.stdout.close()
        assert child.returncode == -signal.SIGKILL, f"kill {kill}: the saver stopped by itself"
        if (folder / "cert.pem").exists():
            assert _key_matches(folder), f"kill {kill}: cert.pem and privkey.pem differ"
        assert len(_temp_entries(folder)) <= 3, f"kill {kill}: {_temp_entries(folder)}"
    chain, key = make_chain()
    save(folder, chain, key)
    assert _temp_entries(folder) == []
    assert _key_matches(folder)
