"""`cert renew`, `cert renew --all`, `cert list` as a user runs them, against a Pebble that
really validates (conftest.ValidatingPebble): settings remembered at issuance, nothing repeated
at renewal, and only managed folders written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.conftest import CliRunner, ValidatingPebble, issue_by_dns_hook, reach
from tests.hostile_acme import HostileAcme
from tui.store_lock import store_lock

HOOK = f"{sys.executable} {Path(__file__).parent / 'dns_hook.py'}"


def _http01(validating: ValidatingPebble) -> list[str]:
    port = str(validating.http_port)
    return ["--challenge", "http-01", "--listen", "127.0.0.1", "--http-port", port]


@pytest.fixture
def account(cli: CliRunner, validating: ValidatingPebble) -> list[str]:
    args = [*reach(validating.pebble), "--key", "account.pem", "--traffic", "t.jsonl"]
    created = cli(*args, "account", "new", "--yes")
    assert created.returncode == 0, created.stderr
    return args


def _serial(path: Path) -> int:
    return x509.load_pem_x509_certificate(path.read_bytes()).serial_number


def _whole(folder: Path) -> bool:
    """cert.pem and privkey.pem are a pair (the same public key)."""
    cert = x509.load_pem_x509_certificate((folder / "cert.pem").read_bytes())
    key = serialization.load_pem_private_key((folder / "privkey.pem").read_bytes(), None)
    der = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    return cert.public_key().public_bytes(*der) == key.public_key().public_bytes(*der)


def _orders(cli: CliRunner) -> int:
    traffic = (cli.workdir / "t.jsonl").read_text().splitlines()
    return sum(json.loads(line)["request"]["url"].endswith("/order-plz") for line in traffic)


def _three(cli: CliRunner, validating: ValidatingPebble, account: list[str]) -> dict[str, Path]:
    """Three certificates with different challenge settings, one saved outside the store."""
    dns_env = {"CHALLTESTSRV_MANAGEMENT": str(validating.dns.management_port)}
    tls = ["--challenge", "tls-alpn-01", "--listen", "127.0.0.1"]
    runs = [
        ("r-http.example.test", [*_http01(validating), "--deploy-hook", "echo x >> deployed"]),
        ("r-tls.example.test", [*tls, "--tls-port", str(validating.tls_port)]),
        ("r-dns.example.test", ["--challenge", "dns-01", "--dns-hook", HOOK, "--out", "elsewhere"]),
    ]
    for name, options in runs:
        issued = cli(*account, "cert", "issue", "-d", name, *options, env=dns_env)
        assert issued.returncode == 0, issued.stderr
    store = cli.workdir / "certs"
    return {
        "r-http.example.test": store / "r-http.example.test",
        "r-tls.example.test": store / "r-tls.example.test",
        "r-dns.example.test": cli.workdir / "elsewhere",
    }


def test_three_certificates_remembered_and_renewed_with_their_own_settings(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    folders = _three(cli, validating, account)
    remembered = (folders["r-tls.example.test"] / "renewal.toml").read_text()
    assert 'challenge = "tls-alpn-01"' in remembered
    assert f"tls_port = {validating.tls_port}" in remembered
    assert 'listen = "127.0.0.1"' in remembered
    assert "PRIVATE" not in remembered and "account.pem" in remembered
    assert "dns_hook" in (folders["r-dns.example.test"] / "renewal.toml").read_text()
    before = {name: _serial(folder / "cert.pem") for name, folder in folders.items()}
    orders = _orders(cli)
    env = {"CHALLTESTSRV_MANAGEMENT": str(validating.dns.management_port)}

    quiet = cli(*account, "cert", "renew", "--all", "--quiet", env=env)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == "" and len(quiet.stdout.splitlines()) == 3
    assert all(": not due until " in line for line in quiet.stdout.splitlines())
    assert _orders(cli) == orders, "nothing due, nothing ordered"

    renewed = cli(*account, "cert", "renew", "--all", "--force", "--json", env=env)
    assert renewed.returncode == 0, renewed.stderr
    records = {r["name"]: r for r in json.loads(renewed.stdout)}
    assert set(records) == {folder.name for folder in folders.values()}
    for name, folder in folders.items():
        record = records[folder.name]
        assert record["renewed"] and record["due"] and record["error"] is None
        assert record["next_renewal"] and _serial(folder / "cert.pem") != before[name]
        assert _whole(folder)
    assert (cli.workdir / "deployed").read_text() == "x\nx\n", "issued, then renewed once"
    assert remembered == (folders["r-tls.example.test"] / "renewal.toml").read_text()

    listed = cli(*account, "cert", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {r["name"]: r for r in json.loads(listed.stdout)}
    assert set(rows) == set(records)
    for name, row in rows.items():
        assert row["last_result"] == "renewed" and row["due"] is False
        assert row["not_after"].startswith(records[name]["not_after"][:16])
        assert row["days_left"] > 0 and row["issuer"]
    text = cli(*account, "cert", "list")
    assert "r-tls.example.test" in text.stdout and "  last renewal  renewed " in text.stdout


def test_one_certificate_by_name_due_or_not(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    name = "r-one.example.test"
    assert cli(*account, "cert", "issue", "-d", name, *_http01(validating)).returncode == 0
    cert = cli.workdir / "certs" / name / "cert.pem"
    first = _serial(cert)
    not_due = cli(*account, "cert", "renew", name)
    assert not_due.returncode == 0, not_due.stderr
    assert "not due until" in not_due.stdout and _serial(cert) == first
    by_days = cli(*account, "cert", "renew", name, "--days", "3650", "--json")
    assert by_days.returncode == 0, by_days.stderr
    record = json.loads(by_days.stdout)
    assert record["renewed"] and record["name"] == name and _serial(cert) != first
    unknown = cli(*account, "cert", "renew", "nothing.example.test")
    assert unknown.returncode == 2 and "no certificate named" in unknown.stderr
    both = cli(*account, "cert", "renew", name, "--all")
    assert both.returncode == 2 and "--all" in both.stderr


def test_a_revoked_certificate_is_due_now_and_renew_all_replaces_it(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    """A certificate acmedash revoked was "not due until" two thirds of its lifetime had
    passed, in `cert list` as in `cert renew --all`: the timer left it revoked for years."""
    name = "r-revoked.example.test"
    assert cli(*account, "cert", "issue", "-d", name, *_http01(validating)).returncode == 0
    cert = cli.workdir / "certs" / name / "cert.pem"
    first = _serial(cert)
    assert cli(*account, "cert", "revoke", str(cert), "--yes").returncode == 0
    [record] = json.loads(cli(*account, "cert", "list", "--json").stdout)
    assert record["due"] and record["rule"] == "revoked", record
    listed = cli(*account, "cert", "list").stdout
    assert "(revoked)" in listed and "a third of the lifetime" not in listed, listed
    renewed = cli(*account, "cert", "renew", "--all")
    assert renewed.returncode == 0, renewed.stdout + renewed.stderr
    assert f"{name}: renewed" in renewed.stdout and _serial(cert) != first
    [record] = json.loads(cli(*account, "cert", "list", "--json").stdout)
    assert not record["due"] and record["revoked"] is None, record


def test_a_flag_overrides_for_one_run_and_save_keeps_it(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    name = "r-save.example.test"
    assert cli(*account, "cert", "issue", "-d", name, *_http01(validating)).returncode == 0
    folder = cli.workdir / "certs" / name
    settings = (folder / "renewal.toml").read_text()
    once = cli(*account, "cert", "renew", name, "--force", "--key-type", "rsa2048")
    assert once.returncode == 0, once.stderr
    key = serialization.load_pem_private_key((folder / "privkey.pem").read_bytes(), None)
    assert key.key_size == 2048  # type: ignore[union-attr]
    assert (folder / "renewal.toml").read_text() == settings
    kept = cli(*account, "cert", "renew", name, "--force", "--key-type", "ec384", "--save")
    assert kept.returncode == 0, kept.stderr
    assert 'key_type = "ec384"' in (folder / "renewal.toml").read_text()
    key = (folder / "privkey.pem").read_bytes()
    pinned = cli(*account, "cert", "renew", name, "--force", "--reuse-key", "--save")
    assert pinned.returncode == 0, pinned.stderr
    assert (folder / "privkey.pem").read_bytes() == key and _whole(folder)
    assert "reuse_key = true" in (folder / "renewal.toml").read_text()


def test_a_dns_option_on_renew_means_dns01_as_on_issue(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    """`cert renew --dns-server` on a certificate issued by http-01 renews by dns-01 (it kept
    the remembered http-01 and dropped the option, so the renewal below succeeded): here
    through a server nobody answers on, which dns-01 asks before ordering. Next to
    `--challenge http-01` the contradiction is an input error, as `cert issue` says it."""
    name = "r-dns-implied.example.test"
    assert cli(*account, "cert", "issue", "-d", name, *_http01(validating)).returncode == 0
    dns = ["--dns", "rfc2136", "--dns-server", "127.0.0.1:9", "--dns-timeout", "3"]
    both = cli(*account, "cert", "renew", name, "--force", "--challenge", "http-01", *dns)
    assert both.returncode == 2, both.stderr
    assert both.stderr.splitlines() == [
        "acmedash: --dns publishes a dns-01 record, but --challenge is http-01"
    ]
    implied = cli(*account, "cert", "renew", name, "--force", *dns)
    assert implied.returncode == 3, implied.stdout + implied.stderr
    assert "127.0.0.1:9" in implied.stdout, implied.stdout
    # --dns-hook alone too (it ran http-01 as remembered, the hook never called): here the
    # test's hook, behind one that notes each call; by another account, which Pebble gives
    # no authorization of the first one's to reuse.
    (cli.workdir / "noting.sh").write_text(f'echo "$1" >> calls\nexec {HOOK} "$@"\n')
    dns_env = {"CHALLTESTSRV_MANAGEMENT": str(validating.dns.management_port)}
    other = [*account, "--key", "other.pem"]
    assert cli(*other, "account", "new", "--yes").returncode == 0
    hook = ["--dns-hook", "sh noting.sh"]
    hooked = cli(*other, "cert", "renew", name, "--force", *hook, env=dns_env)
    assert hooked.returncode == 0, hooked.stdout + hooked.stderr
    assert (cli.workdir / "calls").read_text().split() == ["set", "clear"]


def test_a_folder_from_before_renews_with_the_defaults_and_says_so(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    """A folder issued before renewal.toml existed (certstore layout, no settings) still
    renews: with the defaults and this run's flags, said once; --save remembers them."""
    name = "r-old.example.test"
    issued = cli(*account, "cert", "issue", "-d", name, *_http01(validating), "--out", "old")
    assert issued.returncode == 0, issued.stderr
    (cli.workdir / "old" / "renewal.toml").unlink()
    renewed = cli(*account, "cert", "renew", "old/cert.pem", "--force", *_http01(validating))
    assert renewed.returncode == 0, renewed.stderr
    assert "no renewal.toml" in renewed.stderr and "defaults" in renewed.stderr
    assert "with the defaults" in renewed.stdout
    assert not (cli.workdir / "old" / "renewal.toml").exists()
    saved = cli(*account, "cert", "renew", "old", "--force", *_http01(validating), "--save")
    assert saved.returncode == 0, saved.stderr
    assert "http_port" in (cli.workdir / "old" / "renewal.toml").read_text()


def test_renew_writes_only_a_managed_folder(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    """The security leftover: `cert renew other.pem` wrote cert.pem and privkey.pem into the
    folder of any certificate it was given. Now a certificate outside a managed folder needs
    --out, and nothing is written beside it."""
    name = "r-other.example.test"
    assert cli(*account, "cert", "issue", "-d", name, *_http01(validating)).returncode == 0
    stranger = cli.workdir / "etc-ssl"
    stranger.mkdir()
    pem = (cli.workdir / "certs" / name / "cert.pem").read_bytes()
    for file_name in ("other.pem", "cert.pem"):
        (stranger / file_name).write_bytes(pem)
        refused = cli(*account, "cert", "renew", f"etc-ssl/{file_name}", "--force")
        assert refused.returncode == 2, refused.stderr
        assert "not the cert.pem of a folder acmedash manages" in refused.stderr
        assert "--out" in refused.stderr
    assert sorted(p.name for p in stranger.iterdir()) == ["cert.pem", "other.pem"]
    assert (stranger / "cert.pem").read_bytes() == pem
    into = cli(*account, "cert", "renew", "etc-ssl/other.pem", "--force", "--out", "etc-ssl",
               *_http01(validating))  # fmt: skip
    assert into.returncode == 2, into.stderr
    assert "--out etc-ssl: holds cert.pem, which acmedash did not write" in into.stderr
    assert sorted(p.name for p in stranger.iterdir()) == ["cert.pem", "other.pem"]
    assert not (stranger / "cert.pem").is_symlink()
    moved = cli(*account, "cert", "renew", "etc-ssl/other.pem", "--force", "--out", "new",
                *_http01(validating))  # fmt: skip
    assert moved.returncode == 0, moved.stderr
    assert _whole(cli.workdir / "new") and (cli.workdir / "new" / "renewal.toml").exists()
    assert sorted(p.name for p in stranger.iterdir()) == ["cert.pem", "other.pem"]
    listed = json.loads(cli(*account, "cert", "list", "--json").stdout)
    assert str(cli.workdir / "new") in [row["folder"] for row in listed]


@pytest.mark.parametrize("entry", ["archive", "current", "privkey.pem", "renewal.toml"])
def test_an_out_folder_holding_a_link_acmedash_did_not_make_is_refused(
    cli: CliRunner, validating: ValidatingPebble, account: list[str], entry: str
) -> None:
    """Attacker round 7: `--out DIR` holding `archive -> elsewhere` had the certificate and its
    private key written into elsewhere/; a foreign `current` was replaced and reported as the
    kept version; a privkey.pem or renewal.toml link of the user's was silently replaced.
    Each is refused before ordering, nothing written on either side of the link."""
    victim = cli.workdir / "victim"
    victim.mkdir()
    (victim / "target").write_text("ORIGINAL\n")
    out = cli.workdir / "out"
    out.mkdir()
    pointed = victim if entry in ("archive", "current") else victim / "target"
    (out / entry).symlink_to(pointed)
    issued = cli(*account, "cert", "issue", "-d", "r-link.example.test", *_http01(validating),
                 "--out", "out")  # fmt: skip
    assert issued.returncode == 2, issued.stderr
    assert f"out/{entry} is a symbolic link (to {pointed}), which acmedash did not make" in (
        issued.stderr
    )
    assert "nothing was ordered" in issued.stderr and "Traceback" not in issued.stderr
    assert [p.name for p in out.iterdir()] == [entry] and os.readlink(out / entry) == str(pointed)
    assert [p.name for p in victim.iterdir()] == ["target"]
    assert (victim / "target").read_text() == "ORIGINAL\n"
    assert _orders(cli) == 0


def test_renew_into_a_folder_whose_archive_became_a_link_is_refused(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    """The same for `cert renew` of a managed folder whose archive/ was swapped for a link:
    the new version and its key would land in the link's target."""
    issued = cli(*account, "cert", "issue", "-d", "r-swap.example.test", *_http01(validating),
                 "--out", "site")  # fmt: skip
    assert issued.returncode == 0, issued.stderr
    site, elsewhere = cli.workdir / "site", cli.workdir / "elsewhere"
    (site / "archive").rename(elsewhere)
    (site / "archive").symlink_to(elsewhere)
    before, orders = sorted(p.name for p in elsewhere.iterdir()), _orders(cli)
    renewed = cli(*account, "cert", "renew", "site", "--force", *_http01(validating))
    assert renewed.returncode == 2, renewed.stderr
    said = renewed.stdout + renewed.stderr
    assert "site/archive is a symbolic link" in said and "Traceback" not in said
    assert sorted(p.name for p in elsewhere.iterdir()) == before
    assert _orders(cli) == orders


def test_a_hand_editing_mistake_names_the_line_and_fails_only_that_certificate(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    for name in ("r-good.example.test", "r-typo.example.test"):
        assert cli(*account, "cert", "issue", "-d", name, *_http01(validating)).returncode == 0
    settings = cli.workdir / "certs" / "r-typo.example.test" / "renewal.toml"
    text = settings.read_text()
    settings.write_text(text.replace(f"http_port = {validating.http_port}", 'http_port = "80"'))
    line, column = next(
        (n, t.index('"80"') + 1)
        for n, t in enumerate(settings.read_text().splitlines(), 1)
        if "http_port" in t
    )
    one = cli(*account, "cert", "renew", "r-typo.example.test")
    assert one.returncode == 2 and "Traceback" not in one.stderr
    assert f"renewal.toml:{line}:{column}: challenge.http_port must be an integer" in one.stderr, (
        one.stderr
    )
    every = cli(*account, "cert", "renew", "--all", "--force")
    assert every.returncode == 2, every.stderr
    assert "r-good.example.test: renewed" in every.stdout
    assert "r-typo.example.test: renewal failed" in every.stdout


def test_a_second_run_is_refused_while_one_holds_the_store(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    name = "r-lock.example.test"
    assert cli(*account, "cert", "issue", "-d", name, *_http01(validating)).returncode == 0
    with store_lock(cli.workdir / "certs"):
        busy = cli(*account, "cert", "renew", "--all")
    assert busy.returncode == 2 and "another acmedash is renewing" in busy.stderr
    assert f"pid {os.getpid()}" in busy.stderr
    free = cli(*account, "cert", "renew", "--all")
    assert free.returncode == 0, free.stderr


def test_a_killed_run_leaves_whole_certificates_and_no_lock(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    """SIGKILL in the middle of `cert renew --all --force` (once the first certificate has
    been downloaded, while the others are on their way): every folder still holds a
    certificate with its own key, and the next run takes the lock and renews."""
    names = [f"r-kill-{i}.example.test" for i in range(4)]
    each = [arg for name in names for arg in ("-d", name)]
    issued = cli(*account, "cert", "issue", "--each", *each, *_http01(validating))
    assert issued.returncode == 0, issued.stderr
    env = {**os.environ, "ACMEDASH_CONFIG": str(cli.config)}
    traffic = cli.workdir / "t.jsonl"
    seen = len(traffic.read_text().splitlines())
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", *account, "cert", "renew", "--all", "--force"],
        cwd=cli.workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    downloaded = False
    while not downloaded and time.monotonic() < deadline:
        lines = traffic.read_text().splitlines()[seen:]
        downloaded = any("/certZ/" in json.loads(line)["request"]["url"] for line in lines[:-1])
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert downloaded, "the run was killed in the middle, after a first download"
    for name in names:
        assert _whole(cli.workdir / "certs" / name), name
    with store_lock(cli.workdir / "certs"):
        pass  # taken at once: the kernel dropped the killed run's lock
    again = cli(*account, "cert", "renew", "--all", "--force")
    assert again.returncode == 0, again.stderr
    assert all(_whole(cli.workdir / "certs" / name) for name in names)


def test_a_failed_renewal_keeps_the_certificate_records_the_error_and_is_retried(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    """renewal.toml edited by hand: a name added, and a port Pebble does not fetch from, so
    the new name's validation fails (exit 1, the CA's problem; the old names' authorizations
    are reused by Pebble). The certificate in place is untouched, `cert list` shows the error,
    and the next run, with the file put back, renews."""
    from tui.pebble import free_port

    names = ["r-fail.example.test", "r-fine.example.test"]
    for name in names:
        assert cli(*account, "cert", "issue", "-d", name, *_http01(validating)).returncode == 0
    folder = cli.workdir / "certs" / names[0]
    settings = folder / "renewal.toml"
    good = settings.read_text()
    bad = good.replace(str(validating.http_port), str(free_port()))
    settings.write_text(bad.replace("names = [", 'names = [ "r-new.example.test",'))
    before = (folder / "cert.pem").read_bytes()
    failed = cli(*account, "cert", "renew", "--all", "--force")
    assert failed.returncode == 1, failed.stderr
    assert (
        f"{names[0]}: renewal failed" in failed.stdout and f"{names[1]}: renewed" in failed.stdout
    )
    assert (folder / "cert.pem").read_bytes() == before and _whole(folder)
    rows = {r["name"]: r for r in json.loads(cli(*account, "cert", "list", "--json").stdout)}
    assert rows[names[0]]["last_result"] == "failed" and rows[names[0]]["last_error"]
    assert rows[names[1]]["last_result"] == "renewed"
    settings.write_text(good)
    retried = cli(*account, "cert", "renew", names[0], "--force")
    assert retried.returncode == 0, retried.stderr
    assert (folder / "cert.pem").read_bytes() != before
    rows = {r["name"]: r for r in json.loads(cli(*account, "cert", "list", "--json").stdout)}
    assert rows[names[0]]["last_result"] == "renewed" and rows[names[0]]["last_error"] is None


def test_a_renewal_toml_others_may_write_is_refused_and_its_hook_never_runs(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    """Attacker round 6, F1: a renewal.toml in a folder another user owns (an `--out` into a
    shared folder) was obeyed, and its planted deploy hook ran as root. A renewal.toml or a
    folder that others may write, or that another user owns (checked when the tests run as
    root, as CI does), is now refused, with the certificate named and nothing run."""
    name = "r-foreign.example.test"
    assert cli(*account, "cert", "issue", "-d", name, *_http01(validating)).returncode == 0
    folder = cli.workdir / "certs" / name
    settings = folder / "renewal.toml"
    planted = cli.workdir / "planted"
    settings.write_text(
        settings.read_text().replace('deploy_hook = ""', f'deploy_hook = "touch {planted}"')
    )
    owners: list[tuple[int, int | None]] = [(0o666, None)]
    if os.geteuid() == 0:
        owners.append((0o644, 65534))
    for mode, uid in owners:
        settings.chmod(mode)
        if uid is not None:
            os.chown(folder, uid, -1)
        run = cli(*account, "cert", "renew", name, "--force")
        assert run.returncode == 2, run.stdout + run.stderr
        assert "refused" in run.stdout + run.stderr and "renewal.toml" in run.stdout + run.stderr
        assert not planted.exists(), "the planted hook ran"
        settings.chmod(0o644)
        os.chown(folder, os.geteuid(), -1)
    ok = cli(*account, "cert", "renew", name, "--force")
    assert ok.returncode == 0, ok.stderr
    assert planted.exists(), "the same file, ours again, is obeyed"


def test_a_ca_bundle_that_is_no_regular_file_is_refused_at_once(cli: CliRunner) -> None:
    """Attacker round 6, F2: a FIFO as the CA bundle blocked the command before its deadline
    began (opening it waits for a writer), holding the store lock."""
    fifo = cli.workdir / "bundle.fifo"
    os.mkfifo(fifo)
    started = time.monotonic()
    run = cli("--endpoint", "https://127.0.0.1:9/dir", "--ca-bundle", str(fifo), "directory")
    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stderr.splitlines() == [
        f"acmedash: {fifo}: cannot load CA bundle (not a regular file)"
    ]
    assert time.monotonic() - started < 30


def test_renew_all_over_an_empty_store_says_so(cli: CliRunner) -> None:
    """It printed one empty line and exited 0, so a timer looking at the wrong store (see
    test_renewal_schedule) looked like one with nothing due."""
    run = cli("cert", "renew", "--all", "--quiet")
    assert run.returncode == 0 and run.stdout == "", run.stdout
    assert run.stderr.startswith("acmedash: no certificates in "), run.stderr
    assert json.loads(cli("cert", "renew", "--all", "--json").stdout) == []


def test_a_failed_renewal_prints_the_ca_subproblems_one_a_line(
    cli: CliRunner, hostile: HostileAcme
) -> None:
    """The CA's subproblems (RFC 8555 §6.7.1, one per identifier) were only in the traffic
    log: now each is an indented line on stderr under the certificate's failure, escaped (a
    CA's text is untrusted). The fake CA, since Pebble never answers with subproblems."""
    assert issue_by_dns_hook(cli, hostile.directory_url, "/bin/true").returncode == 0
    hostile.hostility.new_order_problem = {
        "type": "urn:ietf:params:acme:error:rejectedIdentifier",
        "detail": "some names were refused",
        "subproblems": [
            {
                "type": "urn:ietf:params:acme:error:rejectedIdentifier",
                "detail": "a.test is on a block list\x1b[2J",
                "identifier": {"type": "dns", "value": "a.test"},
            },
            {
                "type": "urn:ietf:params:acme:error:caa",
                "detail": "CAA forbids\nacmedash: renewed",
                "identifier": {"type": "dns", "value": "b.test"},
            },
        ],
    }
    args = ["--endpoint", hostile.directory_url, "--key", "account.pem"]
    failed = cli(*args, "cert", "renew", "--all", "--force", "--quiet")
    assert failed.returncode == 1, failed.stderr
    assert "a.test: renewal failed: rejectedIdentifier" in failed.stdout
    assert "block list" not in failed.stdout, "the subproblems said twice: inline and below"
    assert "\x1b" not in failed.stderr and "\nacmedash: renewed" not in failed.stderr
    lines = failed.stderr.splitlines()
    assert (
        r"  [a.test] urn:ietf:params:acme:error:rejectedIdentifier [dns:a.test]: "
        r"a.test is on a block list\x1b[2J"
    ) in lines, failed.stderr
    assert (
        r"  [a.test] urn:ietf:params:acme:error:caa [dns:b.test]: CAA forbids\nacmedash: renewed"
    ) in lines, failed.stderr
