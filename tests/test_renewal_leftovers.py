"""Issue 12's leftovers, as a user meets them, against a Pebble that really validates
(conftest.ValidatingPebble): a key rollover that renewals follow, a CSR's certificate that
renews from its CSR, `cert list` readable at 80 columns, `cert info` asking the CA that
renewal.toml names, `account update` keeping the config's contacts.

Where ARI is needed it comes from tests/ari_front.py in front of the real Pebble: Debian's
Pebble 2.4 has no renewalInfo."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.ari_front import AriFront, ari_front
from tests.conftest import CliRunner, ValidatingPebble, reach
from tui.acme.certificates import ari_cert_id


def _http01(validating: ValidatingPebble) -> list[str]:
    port = str(validating.http_port)
    return ["--challenge", "http-01", "--listen", "127.0.0.1", "--http-port", port]


def _leaf(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


@pytest.fixture
def front(validating: ValidatingPebble) -> Iterator[AriFront]:
    with ari_front(validating.pebble) as server:
        yield server


def test_rollover_moves_the_renewals_to_the_new_key_and_they_renew_from_anywhere(
    cli: CliRunner, validating: ValidatingPebble, tmp_path: Path
) -> None:
    """A1: after `account rollover` the config named the new key by a relative path and every
    renewal.toml still named the old key: `cert renew` from a timer (another folder) failed
    (key not found, then a JWS the CA no longer verifies). Here the config holds only
    relative paths, and the renewal runs from another folder with no flag at all."""
    pebble = validating.pebble
    cli.config.write_text(
        f'endpoint = "{pebble.directory_url}"\nca_bundle = "{pebble.ca_bundle}"\n'
        'account_key = "account.pem"\n'
    )
    assert cli("account", "new", "--yes").returncode == 0
    name = "roll.example.test"
    issued = cli("cert", "issue", "-d", name, *_http01(validating))
    assert issued.returncode == 0, issued.stderr
    issued = cli("cert", "issue", "-d", "roll-out.example.test", *_http01(validating),
                 "--out", "outside")  # fmt: skip
    assert issued.returncode == 0, issued.stderr
    settings = cli.workdir / "certs" / name / "renewal.toml"
    settings.write_text(settings.read_text().replace("[challenge]", "# mine\n[challenge]"))
    other_ca = cli.workdir / "certs" / "other-ca"  # same key path, another CA: not touched
    other_ca.mkdir()
    (other_ca / "cert.pem").write_bytes((cli.workdir / "certs" / name / "cert.pem").read_bytes())
    foreign = settings.read_text().replace(pebble.directory_url, "https://other.test/dir")
    (other_ca / "renewal.toml").write_text(foreign)

    rolled = cli("account", "rollover", "new.pem", "--yes")
    assert rolled.returncode == 0, rolled.stderr
    assert "2 certificates will renew with the new key" in rolled.stdout
    new_key = str(cli.workdir / "new.pem")
    assert tomllib.loads(cli.config.read_text())["account_key"] == new_key
    for folder in (cli.workdir / "certs" / name, cli.workdir / "outside"):
        assert tomllib.loads((folder / "renewal.toml").read_text())["account_key"] == new_key
    assert "# mine\n[challenge]" in settings.read_text(), "the user's comment is kept"
    assert (other_ca / "renewal.toml").read_text() == foreign

    timer = CliRunner(tmp_path / "elsewhere-cwd", cli.config)
    timer.workdir.mkdir()
    before = _leaf(cli.workdir / "certs" / name / "cert.pem").serial_number
    renewed = timer("cert", "renew", name, "--force")
    assert renewed.returncode == 0, renewed.stderr
    assert _leaf(cli.workdir / "certs" / name / "cert.pem").serial_number != before
    outside = timer("cert", "renew", str(cli.workdir / "outside"), "--force")
    assert outside.returncode == 0, outside.stderr


def test_not_due_says_one_line_and_nothing_else(
    cli: CliRunner, validating: ValidatingPebble, front: AriFront
) -> None:
    """A10: a certificate not due printed "renewing without `replaces`" (Pebble, no ARI) or
    "ARI suggests ..." (a CA with ARI) on stderr, about a renewal that did not happen."""
    for index, directory in enumerate((validating.pebble.directory_url, front.directory_url)):
        args = ["--endpoint", directory, "--ca-bundle", str(validating.pebble.ca_bundle)]
        args += ["--key", str(cli.workdir / "account.pem")]
        assert cli(*args, "account", "new", "--yes").returncode == 0
        name = f"quiet-{index}.example.test"
        issued = cli(*args, "cert", "issue", "-d", name, *_http01(validating))
        assert issued.returncode == 0, issued.stderr
        not_due = cli(*args, "cert", "renew", name)
        assert not_due.returncode == 0 and not_due.stderr == ""
        assert not_due.stdout.startswith(f"{name}: not due until ")
        assert len(not_due.stdout.splitlines()) == 1
    assert front.lookups, "the second one asked ARI"


def test_cert_list_shows_every_field_within_80_columns(
    cli: CliRunner, validating: ValidatingPebble, front: AriFront
) -> None:
    names = [f"a-rather-long-name-number-{i}.list.example.test" for i in range(4)]
    args = ["--endpoint", front.directory_url, "--ca-bundle", str(validating.pebble.ca_bundle)]
    args += ["--key", "account.pem"]
    assert cli(*args, "account", "new", "--yes").returncode == 0
    domains = [arg for name in names for arg in ("-d", name)]
    issued = cli(*args, "cert", "issue", *domains, *_http01(validating))
    assert issued.returncode == 0, issued.stderr
    folder = cli.workdir / "certs" / names[0]
    now = datetime.now(UTC)
    window = {"start": (now + timedelta(days=20)).isoformat(timespec="seconds"),
              "end": (now + timedelta(days=21)).isoformat(timespec="seconds")}  # fmt: skip
    front.windows[ari_cert_id(_leaf(folder / "cert.pem"))] = window
    assert cli(*args, "cert", "renew", "--all", "--quiet").returncode == 0

    listed = cli(*args, "cert", "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    folder_line = f"  folder        {folder}"
    assert folder_line in lines, "a path is not cut, to be copied whole"
    assert max(len(line) for line in lines if line != folder_line) <= 80, listed.stdout
    text = listed.stdout
    for name in names:
        assert name in text
    issuer = json.loads(cli(*args, "cert", "list", "--json").stdout)[0]["issuer"]
    assert f"  issuer        {issuer}" in lines
    start = window["start"].replace("+00:00", "Z")
    assert any(line.startswith(f"  ARI window    {start} to ") for line in lines)
    assert any("days left)" in line and line.startswith("  expires") for line in lines)
    assert any(
        line.startswith("  next renewal") and "(by the ARI window)" in line for line in lines
    )
    assert "  last renewal  none yet" in lines
    record = json.loads(cli(*args, "cert", "list", "--json").stdout)[0]
    assert record["ari_window"]["start"] == start
    for key in ("names", "issuer", "not_after", "days_left", "next_renewal", "last_result"):
        assert key in record


def _csr(path: Path, names: list[str]) -> ec.EllipticCurvePrivateKey:
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(csr.public_bytes(serialization.Encoding.PEM))
    return key


def _public(key: ec.EllipticCurvePrivateKey | x509.Certificate) -> bytes:
    der = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    return key.public_key().public_bytes(*der)


def test_a_certificate_from_the_users_csr_renews_from_that_csr(
    cli: CliRunner, validating: ValidatingPebble
) -> None:
    """`cert issue --csr` wrote no renewal.toml, so the certificate was not managed. Now it
    remembers the CSR file, and a renewal reads it again: a CSR replaced by the user (a new
    key) is what the renewal orders, and no private key is ever written."""
    args = [*reach(validating.pebble), "--key", "account.pem"]
    assert cli(*args, "account", "new", "--yes").returncode == 0
    name = "csr.example.test"
    first = _csr(cli.workdir / "my.csr", [name])
    issued = cli(*args, "cert", "issue", "--csr", "my.csr", *_http01(validating))
    assert issued.returncode == 0, issued.stderr
    folder = cli.workdir / "certs" / name
    remembered = tomllib.loads((folder / "renewal.toml").read_text())
    assert remembered["csr"] == str(cli.workdir / "my.csr")
    assert _public(_leaf(folder / "cert.pem")) == _public(first)

    second = _csr(cli.workdir / "my.csr", [name])  # the user's new key, same file
    renewed = cli(*args, "cert", "renew", name, "--force")
    assert renewed.returncode == 0, renewed.stderr
    assert _public(_leaf(folder / "cert.pem")) == _public(second)
    assert not (folder / "privkey.pem").exists()
    assert not list(folder.glob("archive/*/privkey.pem"))
    listed = json.loads(cli(*args, "cert", "list", "--json").stdout)
    assert [row["name"] for row in listed] == [name] and listed[0]["last_result"] == "renewed"


def test_cert_info_asks_the_ca_its_renewal_toml_names_and_no_other(
    cli: CliRunner, validating: ValidatingPebble, front: AriFront
) -> None:
    """The config names no CA (the built-in default): `cert info` of a managed certificate
    asks the CA of its renewal.toml; a copy of it outside that folder is not asked about."""
    args = ["--endpoint", front.directory_url, "--ca-bundle", str(validating.pebble.ca_bundle)]
    args += ["--key", "account.pem"]
    assert cli(*args, "account", "new", "--yes").returncode == 0
    name = "info.example.test"
    assert cli(*args, "cert", "issue", "-d", name, *_http01(validating)).returncode == 0
    cert = cli.workdir / "certs" / name / "cert.pem"
    bundle = ["--ca-bundle", str(validating.pebble.ca_bundle)]
    front.lookups.clear()
    info = cli(*bundle, "cert", "info", str(cert), "--json")
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["ari"]["start"], info.stdout
    assert front.lookups == [ari_cert_id(_leaf(cert))]
    (cli.workdir / "copy.pem").write_bytes(cert.read_bytes())
    copy = cli(*bundle, "cert", "info", "copy.pem")
    assert copy.returncode == 0, copy.stderr
    assert "not asked" in copy.stdout and len(front.lookups) == 1


def test_account_update_keeps_the_contacts_in_the_config(
    cli: CliRunner, validating: ValidatingPebble
) -> None:
    """The CA took the new contacts but the config kept the old ones: the next `account new`
    (another CA) and the dashboard showed the old address."""
    pebble = validating.pebble
    cli.config.write_text(
        "# my settings\n"
        f'endpoint = "{pebble.directory_url}"  # the test CA\n'
        f'ca_bundle = "{pebble.ca_bundle}"\naccount_key = "account.pem"\n'
        'contacts = ["mailto:old@example.test"]  # who gets mail\n'
    )
    assert cli("account", "new", "--yes").returncode == 0
    updated = cli("account", "update", "--contact", "new@example.test", "--json")
    assert updated.returncode == 0, updated.stderr
    assert "warning" not in updated.stderr, "Pebble took the contacts as sent"
    assert json.loads(updated.stdout)["contact"] == ["mailto:new@example.test"]
    text = cli.config.read_text()
    assert tomllib.loads(text)["contacts"] == ["mailto:new@example.test"]
    assert text.startswith("# my settings\n") and "# who gets mail" in text
    shown = cli("account", "show", "--json")
    assert json.loads(shown.stdout)["contact"] == ["mailto:new@example.test"]
