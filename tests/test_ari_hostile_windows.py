"""ARI windows a hostile CA can send (attacker review, findings 1 and 8a): each is that one
certificate's ARI failure, with the expiry rule as fallback, never the whole run's end.

ARI comes from tests/ari_front.py in front of a real Pebble: Debian's Pebble 2.4 has no
renewalInfo and no CA can be told to send such windows. Orders and certificates are Pebble's."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509

from tests.ari_front import AriFront, ari_front
from tests.conftest import CliRunner, ValidatingPebble
from tests.test_renewal_time import _issue, _run_all
from tui.acme.certificates import ari_cert_id
from tui.renewal_due import iso

OVERFLOWING = [
    {"start": "0001-01-01T00:00:00+01:00", "end": "0001-01-02T00:00:00Z"},
    {"start": "2026-01-01T00:00:00Z", "end": "9999-12-31T23:59:59-01:00"},
]
BEFORE_ISSUANCE = {"start": "2020-01-01T00:00:00Z", "end": "2020-01-02T00:00:00Z"}
EXPIRY_RULE = "a third of the lifetime left"


@pytest.fixture
def front(validating: ValidatingPebble) -> Iterator[AriFront]:
    with ari_front(validating.pebble) as server:
        yield server


def _cert_id(cli: CliRunner, name: str) -> str:
    pem = (cli.workdir / "certs" / name / "cert.pem").read_bytes()
    return ari_cert_id(x509.load_pem_x509_certificate(pem))


def test_windows_outside_datetimes_range_fail_only_their_certificate(
    cli: CliRunner, validating: ValidatingPebble, front: AriFront
) -> None:
    """Year 1 at +01:00 and year 9999 at -01:00 exist only outside UTC's range: they were an
    OverflowError that ended `cert renew --all` (exit 70) for the whole store, every run."""
    names = ["o-1.example.test", "o-2.example.test", "o-ok.example.test"]
    args = _issue(cli, validating, front.directory_url, names)
    for name, window in zip(names, OVERFLOWING, strict=False):
        front.windows[_cert_id(cli, name)] = window
    run = cli(*args, "cert", "renew", "--all")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    lines = {line.split(":")[0]: line for line in run.stdout.splitlines()}
    for name in names[:2]:
        assert f"({EXPIRY_RULE}; ARI lookup failed (the window" in lines[name], run.stdout
    assert "(ARI window 2026-12-01T00:00:00Z to " in lines["o-ok.example.test"], run.stdout
    assert (run.stdout + run.stderr).count("the window does not parse") == 2, run.stderr


def test_a_window_ending_before_the_certificate_was_issued_is_ignored(
    cli: CliRunner, validating: ValidatingPebble, front: AriFront
) -> None:
    """Such a window would make every run renew the fresh certificate again."""
    args = _issue(cli, validating, front.directory_url, ["past.example.test"])
    front.windows[_cert_id(cli, "past.example.test")] = BEFORE_ISSUANCE
    before = (cli.workdir / "certs" / "past.example.test" / "cert.pem").read_bytes()
    run = cli(*args, "cert", "renew", "--all")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("past.example.test: not due until ") and EXPIRY_RULE in run.stdout
    assert "ARI window ignored" in run.stdout + run.stderr, run.stdout + run.stderr
    assert (cli.workdir / "certs" / "past.example.test" / "cert.pem").read_bytes() == before


def test_a_ca_whose_ari_never_answers_does_not_starve_another_cas_certificates(
    cli: CliRunner, validating: ValidatingPebble, front: AriFront
) -> None:
    """40 certificates of a CA whose ARI hangs (more than the 32 shared lookup slots) and one of
    another CA (a second front: another directory URL) with a window. They held every slot
    for the client's whole timeout (60 s a round) while the other CA's certificate waited; now
    each CA has at most ARI_PER_CA slots, a lookup ARI_TIMEOUT, and a CA that timed out is
    skipped for the rest of the run."""
    from tui.renew_run import ARI_TIMEOUT

    slow_names = [f"h{i:02}.example.test" for i in range(40)]
    _issue(cli, validating, front.directory_url, slow_names)
    with ari_front(validating.pebble) as other:
        args = _issue(cli, validating, other.directory_url, ["other-ca.example.test"])
        now = datetime.now(UTC)  # after issuance: the window ends after notBefore
        window = {"start": iso(now - timedelta(days=1)), "end": iso(now)}
        other.windows[_cert_id(cli, "other-ca.example.test")] = window
        front.mode = "hang"
        started = time.monotonic()
        run = cli(*args, "cert", "renew", "--all")
        elapsed = time.monotonic() - started
    assert run.returncode == 0, run.stderr
    # Its window was read (a fresh certificate is not renewed by ARI before a tenth of its
    # lifetime: renewal_due.decide's floor), not starved into the expiry rule.
    assert "other-ca.example.test: not due until " in run.stdout, run.stdout
    assert "(ARI window " in run.stdout.split("other-ca.example.test: ")[1], run.stdout
    assert elapsed < 2 * ARI_TIMEOUT + 10, f"{elapsed:.1f} s"
    assert len(front.lookups) <= 16 + 40, "issuance asked nothing; one round at most"
    assert run.stdout.count(f"({EXPIRY_RULE}; ARI lookup ") == 40, run.stdout


def test_a_window_already_past_does_not_renew_a_fresh_certificate_at_every_run(
    cli: CliRunner, validating: ValidatingPebble, front: AriFront
) -> None:
    """A window that ended a moment ago, after notBefore (attacker 5: `ari:past`), made every
    timer run order a new certificate. Before a tenth of the lifetime it is not due; --force
    still renews."""
    args = _issue(cli, validating, front.directory_url, ["fresh.example.test"])
    now = datetime.now(UTC)  # after issuance: the window ends after notBefore
    past = {"start": iso(now - timedelta(days=1)), "end": iso(now)}
    front.windows[_cert_id(cli, "fresh.example.test")] = past
    cert = cli.workdir / "certs" / "fresh.example.test" / "cert.pem"
    before = cert.read_bytes()
    for _ in range(2):
        run = cli(*args, "cert", "renew", "--all")
        assert run.returncode == 0, run.stderr
        assert run.stdout.startswith("fresh.example.test: not due until "), run.stdout
        assert "(ARI window " in run.stdout, run.stdout
    assert cert.read_bytes() == before
    forced = cli(*args, "cert", "renew", "fresh.example.test", "--force")
    assert forced.returncode == 0, forced.stderr
    assert cert.read_bytes() != before


async def test_an_ari_lookup_that_timed_out_is_kept_for_an_hour(
    cli: CliRunner, validating: ValidatingPebble, front: AriFront, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CA whose ARI never answers (the front hangs: no CA can be told to) cost every
    `cert renew --all` the whole lookup timeout again, per certificate (attacker review 11,
    F6): the failure was not kept. Now it is, for an hour; the runs within it ask nothing and
    say so. In this process with the clock moved (tests/test_renewal_time._run_all)."""
    monkeypatch.setattr("tui.renew_run.ARI_TIMEOUT", 0.5)
    args = _issue(cli, validating, front.directory_url, ["slow.example.test"])
    front.mode = "hang"
    now = datetime.now(UTC)
    [first] = await _run_all(cli, args, now)
    assert "; ARI lookup failed (no answer within 0.5 s))" in first.line(), first.line()
    assert len(front.lookups) == 1
    [second] = await _run_all(cli, args, now + timedelta(minutes=59))
    assert len(front.lookups) == 1, "kept: not asked again"
    retry = f"{now + timedelta(hours=1):%H:%M} UTC"
    said = f"ARI unavailable (cached, retry after {retry}): ARI lookup failed (no answer"
    assert f"({EXPIRY_RULE}; {said}" in second.line(), second.line()
    await _run_all(cli, args, now + timedelta(hours=1, minutes=1))
    assert len(front.lookups) == 2, "asked again once the hour is over"


async def test_a_kept_ari_answer_is_asked_again_under_another_ca_bundle(
    cli: CliRunner, validating: ValidatingPebble, front: AriFront
) -> None:
    """An answer kept from a lookup under one trust (renewal.toml's `ca_bundle`) was used after
    the setting changed (attacker review 11, F7): it is kept with what it was asked with.
    ARI from tests/ari_front.py (Pebble has none)."""
    args = _issue(cli, validating, front.directory_url, ["trust.example.test"])
    now = datetime.now(UTC)
    await _run_all(cli, args, now)
    assert len(front.lookups) == 1
    settings = cli.workdir / "certs" / "trust.example.test" / "renewal.toml"
    bundle = str(validating.pebble.ca_bundle.absolute())
    other = cli.workdir / "another-bundle.pem"
    other.write_bytes(validating.pebble.ca_bundle.read_bytes())
    settings.write_text(settings.read_text().replace(bundle, str(other)))
    await _run_all(cli, args, now + timedelta(minutes=5))
    assert len(front.lookups) == 2, "asked again under the new trust"
    await _run_all(cli, args, now + timedelta(minutes=10))
    assert len(front.lookups) == 2, "that answer is kept in turn"


async def test_a_failed_ari_lookup_is_kept_for_the_cas_retry_after(
    cli: CliRunner, validating: ValidatingPebble, front: AriFront
) -> None:
    """A 500 with Retry-After: 7200 (the front fails on purpose; Pebble has no ARI) is kept
    for those two hours, not the default hour."""
    args = _issue(cli, validating, front.directory_url, ["busy.example.test"])
    front.mode, front.retry_after = "fail", "7200"
    now = datetime.now(UTC)
    await _run_all(cli, args, now)
    asked = len(front.lookups)  # the client's own retries of a 500 included
    [kept] = await _run_all(cli, args, now + timedelta(minutes=90))
    assert len(front.lookups) == asked, "not asked again within the CA's two hours"
    retry = f"{now + timedelta(hours=2):%H:%M} UTC"
    assert f"ARI unavailable (cached, retry after {retry}): ARI lookup failed (" in kept.line()
    await _run_all(cli, args, now + timedelta(hours=2, minutes=1))
    assert len(front.lookups) > asked
