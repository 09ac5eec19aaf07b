"""Due or not over time, with an injectable clock (never by sleeping): the expiry rule, the ARI
window (RFC 9773) and its Retry-After, a store of 50 with 5 due.

ARI comes from tests/ari_front.py in front of a real Pebble: Debian's Pebble 2.4 has no
renewalInfo. Orders, http-01 validation and certificates are Pebble's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from cryptography import x509

from tests.ari_front import AriFront, ari_front
from tests.certs_for_tests import make_certificate
from tests.conftest import CliRunner, ValidatingPebble
from tui import inventory
from tui.acme.certificates import ari_cert_id
from tui.cli.command import build_parser
from tui.cli.context import Context
from tui.cli.renew import CliClients, _defaults
from tui.config import load_settings
from tui.renew_run import Outcome, Run, jobs_for
from tui.renewal import Status
from tui.renewal_due import decide, iso

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _certificate(days: int = 90) -> x509.Certificate:
    aki = x509.AuthorityKeyIdentifier(b"\x07" * 20, None, None)
    return make_certificate(
        "due.example", aki, start=NOW - timedelta(days=1), days=days, serial=0xABC
    )


def _window(start: datetime, end: datetime, chosen: datetime) -> Status:
    return Status(serial="abc", ari_start=iso(start), ari_end=iso(end), ari_chosen=iso(chosen))


def test_the_expiry_rule_a_third_of_the_lifetime_left() -> None:
    certificate = _certificate(90)
    due_at = certificate.not_valid_after_utc - timedelta(days=30)
    early = decide(certificate, Status(), due_at - timedelta(seconds=1))
    assert not early.due and early.when == due_at and early.replaces == ""
    assert decide(certificate, Status(), due_at).due
    six_days = _certificate(6)
    assert decide(six_days, Status(), six_days.not_valid_after_utc - timedelta(days=2)).due


def test_days_and_force() -> None:
    certificate = _certificate(90)
    expiry = certificate.not_valid_after_utc
    assert not decide(certificate, Status(), expiry - timedelta(days=11), days=10).due
    assert decide(certificate, Status(), expiry - timedelta(days=9), days=10).due
    assert decide(certificate, Status(), NOW, force=True).due


def test_inside_the_ari_window_at_the_chosen_moment_and_at_once_past_it() -> None:
    certificate = _certificate(90)
    start, end = NOW + timedelta(days=10), NOW + timedelta(days=12)
    status = _window(start, end, start + timedelta(hours=7))
    before = decide(certificate, status, start + timedelta(hours=6))
    assert not before.due and before.when == start + timedelta(hours=7)
    at = decide(certificate, status, start + timedelta(hours=7))
    assert at.due and at.replaces == ari_cert_id(certificate)
    later = NOW + timedelta(days=20)  # past a tenth of the lifetime: a window can make it due
    late = _window(later - timedelta(days=3), later - timedelta(days=2), later - timedelta(days=2))
    assert decide(certificate, late, later).due
    past = _window(NOW - timedelta(days=3), NOW - timedelta(days=2), NOW - timedelta(days=2))
    floor = certificate.not_valid_before_utc + timedelta(days=9)
    assert decide(certificate, past, NOW).when == floor, "not before a tenth of the lifetime"
    beyond = certificate.not_valid_after_utc + timedelta(days=30)
    lapse = decide(certificate, _window(beyond, beyond + timedelta(days=1), beyond), NOW)
    assert lapse.when == certificate.not_valid_after_utc - timedelta(days=9), "never past expiry"
    other = Status(**{**status.__dict__, "serial": "def"})
    assert decide(certificate, other, NOW).replaces == "", "a window of another certificate"


@pytest.fixture
def front(validating: ValidatingPebble) -> Iterator[AriFront]:
    with ari_front(validating.pebble) as server:
        yield server


def _http01(validating: ValidatingPebble) -> list[str]:
    port = str(validating.http_port)
    return ["--challenge", "http-01", "--listen", "127.0.0.1", "--http-port", port]


def _issue(
    cli: CliRunner, validating: ValidatingPebble, directory: str, names: list[str]
) -> list[str]:
    args = [*("--endpoint", directory, "--ca-bundle", str(validating.pebble.ca_bundle))]
    args += ["--key", str(cli.workdir / "account.pem")]
    created = cli(*args, "account", "new", "--yes")
    assert created.returncode == 0, created.stderr
    each = [arg for name in names for arg in ("-d", name)]
    issued = cli(*args, "cert", "issue", "--each", *each, *_http01(validating))
    assert issued.returncode == 0, issued.stderr
    return args


async def _run_all(cli: CliRunner, args: list[str], at: datetime) -> list[Outcome]:
    """`cert renew --all` in this process, its clock set to `at`."""
    ctx = Context(build_parser().parse_args([*args, "cert", "renew", "--all"]), cli.config,
                  load_settings(cli.config))  # fmt: skip
    jobs, broken = jobs_for(
        inventory.managed_folders(cli.workdir / "certs"), partial(_defaults, ctx)
    )
    assert broken == []
    clients = CliClients(ctx)
    try:
        return await Run(clients, clock=lambda: at).run(jobs)
    finally:
        await clients.aclose()


async def test_moved_into_the_last_third_they_renew(
    cli: CliRunner, validating: ValidatingPebble
) -> None:
    """Without ARI (Pebble itself): not due now; with the clock moved to the last third of the
    lifetime, each renews, really validated, with the settings remembered at issuance."""
    names = ["t-1.example.test", "t-2.example.test"]
    args = _issue(cli, validating, validating.pebble.directory_url, names)
    now = datetime.now(UTC)
    assert not any(o.due for o in await _run_all(cli, args, now))
    leaf = x509.load_pem_x509_certificate(
        (cli.workdir / "certs" / names[0] / "cert.pem").read_bytes()
    )
    later = leaf.not_valid_after_utc - (leaf.not_valid_after_utc - leaf.not_valid_before_utc) / 3
    outcomes = await _run_all(cli, args, later + timedelta(minutes=1))
    assert [(o.name, o.renewed, o.error) for o in outcomes] == [(n, True, None) for n in names]
    again = await _run_all(cli, args, datetime.now(UTC))
    assert not any(o.due for o in again), "the new certificates are not due yet"


async def test_ari_is_asked_again_only_after_retry_after(
    cli: CliRunner, validating: ValidatingPebble, front: AriFront
) -> None:
    front.retry_after = "3600"
    args = _issue(cli, validating, front.directory_url, ["t-ari.example.test"])
    front.lookups.clear()
    leaf = x509.load_pem_x509_certificate(
        (cli.workdir / "certs" / "t-ari.example.test" / "cert.pem").read_bytes()
    )
    # A window after a tenth of the lifetime (before it, no window makes a certificate due).
    opens = leaf.not_valid_before_utc + (leaf.not_valid_after_utc - leaf.not_valid_before_utc) / 5
    window = {"start": iso(opens), "end": iso(opens + timedelta(days=2))}
    front.windows[ari_cert_id(leaf)] = window
    now = datetime.now(UTC)
    first = await _run_all(cli, args, now)
    assert len(front.lookups) == 1 and not first[0].due
    status = json.loads(
        (cli.workdir / "certs" / "t-ari.example.test" / "renewal-status.json").read_text()
    )
    start, end = (datetime.fromisoformat(status[k]) for k in ("ari_start", "ari_end"))
    chosen = datetime.fromisoformat(status["ari_chosen"])
    assert start <= chosen <= end and first[0].next_renewal == chosen
    await _run_all(cli, args, now + timedelta(minutes=59))
    assert len(front.lookups) == 1, "Retry-After: 3600 not over yet"
    await _run_all(cli, args, now + timedelta(minutes=61))
    assert len(front.lookups) == 2
    status = json.loads(
        (cli.workdir / "certs" / "t-ari.example.test" / "renewal-status.json").read_text()
    )
    assert datetime.fromisoformat(status["ari_chosen"]) == chosen, "same window, same moment"
    renewed = await _run_all(cli, args, chosen + timedelta(seconds=1))
    assert renewed[0].renewed and renewed[0].result is not None
    assert renewed[0].result.replaces == front.lookups[0]


async def test_a_failed_ari_lookup_falls_back_to_the_expiry_rule(
    cli: CliRunner, validating: ValidatingPebble, front: AriFront
) -> None:
    args = _issue(cli, validating, front.directory_url, ["t-down.example.test"])
    front.mode = "fail"
    leaf = x509.load_pem_x509_certificate(
        (cli.workdir / "certs" / "t-down.example.test" / "cert.pem").read_bytes()
    )
    later = leaf.not_valid_after_utc - (leaf.not_valid_after_utc - leaf.not_valid_before_utc) / 4
    outcome = (await _run_all(cli, args, later))[0]
    assert outcome.renewed and outcome.result is not None and outcome.result.replaces == ""
    assert outcome.reason == "a third of the lifetime left"


async def test_a_store_of_50_with_5_due_renews_exactly_those_5(
    cli: CliRunner, validating: ValidatingPebble, front: AriFront
) -> None:
    """The ARI front puts 5 certificates' windows in the past, the others' in the future. The
    clock is past a tenth of the lifetime: before it, no window makes a certificate due."""
    names = [f"s{i:02}.example.test" for i in range(50)]
    args = _issue(cli, validating, front.directory_url, names)
    store = cli.workdir / "certs"
    due = set(names[7::10])
    # Ended by now, not before the certificates' notBefore (such a window is ignored).
    past = {"start": iso(datetime.now(UTC) - timedelta(days=1)), "end": iso(datetime.now(UTC))}
    future = {"start": "2099-01-01T00:00:00Z", "end": "2099-01-02T00:00:00Z"}
    for name in names:
        leaf = x509.load_pem_x509_certificate((store / name / "cert.pem").read_bytes())
        front.windows[ari_cert_id(leaf)] = past if name in due else future
    lifetime = leaf.not_valid_after_utc - leaf.not_valid_before_utc
    before = {name: (store / name / "cert.pem").read_bytes() for name in names}
    outcomes = await _run_all(cli, args, leaf.not_valid_before_utc + lifetime / 5)
    assert {o.name for o in outcomes if o.renewed} == due
    assert {o.name for o in outcomes if o.due} == due
    changed = {name for name in names if (store / name / "cert.pem").read_bytes() != before[name]}
    assert changed == due
    assert all(o.result and o.result.replaces for o in outcomes if o.renewed), "replaces sent"
