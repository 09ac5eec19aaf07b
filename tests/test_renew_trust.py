"""Renewal as a timer runs it (no flags, another working directory) of a certificate issued
with `--ca-bundle`, by `cert issue` and by the dashboard: the bundle is trusted because the user
named it at issuance, and renewal.toml keeps its absolute path for renewal and ARI. Also what
such runs print: only progress lines from a tls-alpn-01 issuance, a failed renewal once, a
cached ARI failure with its time, and `account new --endpoint` naming the config's other CA.
All against a Pebble that validates."""

from __future__ import annotations

import dataclasses
import tomllib

from tests.conftest import CliRunner, ValidatingPebble, reach
from tui.acme import keys
from tui.config import Settings


def _issue_by_tls_alpn(cli: CliRunner, validating: ValidatingPebble) -> str:
    """`cert issue` by tls-alpn-01 with the account made under --ca-bundle; its stderr."""
    common = [*reach(validating.pebble), "--key", "account.pem"]
    created = cli(*common, "account", "new", "--yes")
    assert created.returncode == 0, created.stderr
    tls = ["--challenge", "tls-alpn-01", "--listen", "127.0.0.1"]
    issued = cli(
        *common, "cert", "issue", "-d", "alpn.test", *tls, "--tls-port", str(validating.tls_port)
    )
    assert issued.returncode == 0, issued.stderr
    return issued.stderr


def test_tls_alpn_issuance_prints_only_progress_lines(
    cli: CliRunner, validating: ValidatingPebble
) -> None:
    """asyncio's 'returning true from eof_received() has no effect when using ssl' came from
    the responder's stream protocol when the CA's close arrived before start_tls returned."""
    for _ in range(3):  # the race shows on most runs, not every one
        stderr = _issue_by_tls_alpn(cli, validating)
        strays = [line for line in stderr.splitlines() if not line.startswith("  ")]
        assert strays == [], stderr


def test_a_bundle_named_at_issuance_is_remembered_and_renews_without_flags(
    cli: CliRunner, validating: ValidatingPebble
) -> None:
    _issue_by_tls_alpn(cli, validating)
    folder = cli.workdir / "certs" / "alpn.test"
    remembered = tomllib.loads((folder / "renewal.toml").read_text())
    assert remembered["ca_bundle"] == str(validating.pebble.ca_bundle.absolute())
    elsewhere = cli.workdir / "elsewhere"
    elsewhere.mkdir()
    timer = dataclasses.replace(cli, workdir=elsewhere)
    renewed = timer("cert", "renew", str(folder), "--force")
    assert renewed.returncode == 0, renewed.stderr
    assert "did not verify" not in renewed.stderr
    assert "alpn.test: renewed" in renewed.stdout


def test_account_new_with_endpoint_says_the_config_names_another(
    cli: CliRunner, validating: ValidatingPebble
) -> None:
    cli.config.write_text('endpoint = "letsencrypt-staging"\n')
    created = cli(*reach(validating.pebble), "--key", "account.pem", "account", "new", "--yes")
    assert created.returncode == 0, created.stderr
    assert "--endpoint is for this command only" in created.stderr
    assert "letsencrypt-staging" in created.stderr


def test_a_failed_renewal_is_said_once_and_a_kept_ari_error_is_not_used_under_new_trust(
    cli: CliRunner, validating: ValidatingPebble
) -> None:
    """The first run has no trust for Pebble (the bundle taken out of renewal.toml): its ARI
    lookup and its renewal fail. The ARI failure is kept (renewal-status.json), but with what
    it was asked with: the second run, with the bundle back, asks again and renews."""
    _issue_by_tls_alpn(cli, validating)
    settings = cli.workdir / "certs" / "alpn.test" / "renewal.toml"
    text = settings.read_text()
    settings.write_text("\n".join(x for x in text.splitlines() if "ca_bundle" not in x) + "\n")
    failed = cli("cert", "renew", "--all", "--days", "2000")
    assert failed.returncode == 3, failed.stderr
    assert failed.stdout.count("alpn.test: renewal failed: TLS certificate") == 1, failed.stdout
    assert "acmedash: network error" not in failed.stderr
    fresh = [x for x in failed.stderr.splitlines() if "ARI lookup failed" in x]
    assert len(fresh) == 1 and "cached" not in fresh[0], failed.stderr

    settings.write_text(text)
    renewed = cli("cert", "renew", "--all", "--days", "2000")
    assert renewed.returncode == 0, renewed.stderr
    assert "ARI lookup failed" not in renewed.stderr, "asked again, not the kept failure"
    assert "the CA offers no ARI" in renewed.stderr, renewed.stderr


async def test_a_bundle_named_to_the_dashboard_is_remembered_for_the_timer(
    cli: CliRunner, validating: ValidatingPebble
) -> None:
    """`acmedash --ca-bundle FILE dashboard` (the bundle not in the config): a certificate
    issued from its Orders tab renews by `cert renew NAME --force` with no flags."""
    from tests.test_renewal_dashboard import issue_from_the_orders_tab
    from tui.dashboard.app import AcmeDashApp

    keys.save_key(keys.generate_key("ec256"), cli.workdir / "account.pem")
    settings = Settings(
        endpoint=validating.pebble.directory_url, account_key=str(cli.workdir / "account.pem")
    )
    app = AcmeDashApp(
        settings,
        config_path=cli.config,
        ca_bundle=str(validating.pebble.ca_bundle),
        responder_address="127.0.0.1",
        http_port=validating.http_port,
        tls_port=validating.tls_port,
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await issue_from_the_orders_tab(app, pilot, "dash-bundle.example.test")
    folder = cli.workdir / "certs" / "dash-bundle.example.test"
    remembered = tomllib.loads((folder / "renewal.toml").read_text())
    assert remembered["ca_bundle"] == str(validating.pebble.ca_bundle.absolute())
    renewed = cli("cert", "renew", "dash-bundle.example.test", "--force")
    assert renewed.returncode == 0, renewed.stderr
    assert "dash-bundle.example.test: renewed" in renewed.stdout
