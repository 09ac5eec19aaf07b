"""`acmedash cert ...` and the account lifecycle commands, as a user runs them, against a
Pebble that really validates (see conftest.ValidatingPebble)."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from cryptography import x509

from tests.ari_front import ari_front
from tests.conftest import (
    EAB_KID,
    EAB_MAC,
    CliRunner,
    ValidatingPebble,
    account_settings,
    http01_options,
    reach,
    settle,
    wait_for_screen,
)
from tui.acme.encoding import decode_part
from tui.pebble import Pebble
from tui.words import counted


@pytest.fixture
def account(cli: CliRunner, validating: ValidatingPebble) -> list[str]:
    """Global options for a fresh account on the validating Pebble."""
    args = [*reach(validating.pebble), "--key", "account.pem", "--traffic", "t.jsonl"]
    created = cli(*args, "--contact", "ops@example.org", "account", "new", "--yes")
    assert created.returncode == 0, created.stderr
    return args


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_issue_info_renew_revoke(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    out = cli.workdir / "site"
    issued = cli(
        *account,
        "cert",
        "issue",
        "-d",
        "cli-a.example.test",
        "-d",
        "cli-b.example.test",
        *http01_options(validating),
        "--out",
        str(out),
        "--json",
        "--deploy-hook",
        'echo "$ACMEDASH_DOMAINS|$ACMEDASH_FULLCHAIN|$ACMEDASH_PRIVKEY" > hook.txt',
    )
    assert issued.returncode == 0, issued.stderr
    result = json.loads(issued.stdout)
    assert result["names"] == ["cli-a.example.test", "cli-b.example.test"]
    for name in ("cert.pem", "chain.pem", "fullchain.pem", "privkey.pem"):
        assert (out / name).exists()
    assert stat.S_IMODE((out / "privkey.pem").stat().st_mode) == 0o600
    full = (out / "fullchain.pem").read_text()
    assert full == (out / "cert.pem").read_text() + (out / "chain.pem").read_text()
    hook = (cli.workdir / "hook.txt").read_text().strip().split("|")
    assert hook == [
        "cli-a.example.test cli-b.example.test",
        str(out / "fullchain.pem"),
        str(out / "privkey.pem"),
    ]
    first = _cert(out / "cert.pem")
    assert "BEGIN PRIVATE KEY" not in issued.stdout + issued.stderr
    assert "PRIVATE KEY" not in (cli.workdir / "t.jsonl").read_text()

    info = cli(*account, "cert", "info", str(out / "cert.pem"), "--json")
    assert info.returncode == 0, info.stderr
    described = json.loads(info.stdout)
    assert described["names"] == ["cli-a.example.test", "cli-b.example.test"]
    assert described["serial"] == f"{first.serial_number:x}"
    assert described["ari"] is None, "Debian's Pebble 2.4 offers no renewalInfo"

    renewed = cli(
        *account,
        "cert",
        "renew",
        str(out / "cert.pem"),
        *http01_options(validating),
        "--force",
        "--json",
    )
    assert renewed.returncode == 0, renewed.stderr
    second = _cert(out / "cert.pem")
    assert second.serial_number != first.serial_number
    archived = Path(json.loads(renewed.stdout)["archived"])
    assert _cert(archived / "cert.pem").serial_number == first.serial_number
    assert stat.S_IMODE((archived / "privkey.pem").stat().st_mode) == 0o600

    revoked = cli(*account, "cert", "revoke", str(out / "cert.pem"), "--reason", "superseded")
    assert revoked.returncode == 0, revoked.stderr
    again = cli(*account, "cert", "revoke", str(out / "cert.pem"))
    assert again.returncode == 1 and "alreadyRevoked" in again.stderr
    by_key = cli(
        *reach(validating.pebble),
        "cert",
        "revoke",
        str(archived / "cert.pem"),
        "--cert-key",
        str(archived / "privkey.pem"),
        "--reason",
        "keyCompromise",
    )
    assert by_key.returncode == 0, by_key.stderr

    orders = cli(*account, "account", "orders", "--json")
    assert orders.returncode == 0, orders.stderr
    listed = json.loads(orders.stdout)
    assert len(listed) == 2 and all(o["status"] == "valid" for o in listed)


def test_names_are_ordered_and_certified_as_normalised(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    """`-d Name.Example.` and a unicode name: the order, the CSR and the certificate all carry
    the normalised name (lower case, no trailing dot, IDNA). The trailing dot once made
    finalize fail ("CSR is missing Order domain"); the unicode name once crashed the CSR."""
    issued = cli(
        *account,
        "cert",
        "issue",
        "-d",
        "CLI-Dot.Example.Test.",
        "-d",
        "bücher-cli.example.test",
        "-d",
        "cli-dot.example.test",  # the first name again, spelt otherwise: ordered once
        *http01_options(validating),
        "--json",
    )
    assert issued.returncode == 0, issued.stderr
    result = json.loads(issued.stdout)
    assert result["names"] == ["cli-dot.example.test", "xn--bcher-cli-q9a.example.test"]
    leaf = _cert(Path(cli.workdir / result["cert"]))
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sorted(san.get_values_for_type(x509.DNSName)) == sorted(result["names"])
    assert result["folder"] == str(cli.workdir / "certs" / "cli-dot.example.test")


def test_dns01_wildcard_through_a_hook(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    """`--dns-hook` alone says dns-01, as the README promises of any --dns* option (a
    wildcard was refused: "can only be validated with dns-01"); next to `--challenge
    http-01` the contradiction is named."""
    hook = f"{sys.executable} {Path(__file__).parent / 'dns_hook.py'}"
    wild = ["cert", "issue", "-d", "*.cliwild.example.test", "--dns-hook", hook]
    both = cli(*account, *wild, "--challenge", "http-01")
    assert both.returncode == 2, both.stderr
    assert both.stderr.splitlines() == [
        "acmedash: --dns-hook publishes a dns-01 record, but --challenge is http-01"
    ]
    result = cli(
        *account,
        "cert",
        "issue",
        "-d",
        "*.cliwild.example.test",
        "-d",
        "cliwild.example.test",
        "--dns-hook",
        hook,
        "--out",
        "wild",
        "--json",
        env={"CHALLTESTSRV_MANAGEMENT": str(validating.dns.management_port)},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["names"] == ["*.cliwild.example.test", "cliwild.example.test"]
    assert "*.cliwild.example.test: valid" in result.stderr
    assert "\n  cliwild.example.test: valid" in result.stderr
    sent = (cli.workdir / "t.jsonl").read_text()
    renew = cli(*account, "cert", "renew", "wild/cert.pem", *http01_options(validating))
    assert renew.returncode == 2 and "dns-01" in renew.stderr, renew.stderr
    assert (cli.workdir / "t.jsonl").read_text() == sent, "refused before any request"


def test_issue_without_an_account_says_how_to_make_one(
    cli: CliRunner, validating: ValidatingPebble
) -> None:
    """Input refused before any request: tests/test_hostile_input.py."""
    stranger = cli(*reach(validating.pebble), "--key", "other.pem", "key", "generate", "other.pem")
    assert stranger.returncode == 0
    no_account = cli(
        *reach(validating.pebble),
        "--key",
        "other.pem",
        "cert",
        "issue",
        "-d",
        "n.example.test",
        *http01_options(validating),
    )
    assert no_account.returncode == 2 and "account new" in no_account.stderr
    assert "Traceback" not in no_account.stderr


def test_rollover_then_deactivate(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    assert cli("key", "generate", "next.pem", "--type", "ec384").returncode == 0
    rolled = cli(*account, "account", "rollover", "next.pem")
    assert rolled.returncode == 0, rolled.stderr
    old = cli(*account, "account", "show")
    assert old.returncode == 1 and "accountDoesNotExist" in old.stderr
    assert "after a key rollover, use the new key" in old.stderr
    new_key = [*reach(validating.pebble), "--key", "next.pem"]
    assert cli(*new_key, "account", "show").returncode == 0
    refused = cli(*new_key, "account", "deactivate")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    gone = cli(*new_key, "account", "deactivate", "--yes")
    assert gone.returncode == 0 and "deactivated" in gone.stdout
    after = cli(*new_key, "account", "orders")
    assert after.returncode == 1 and "unauthorized" in after.stderr


def test_rollover_to_a_key_that_does_not_exist_generates_it(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    """As the dashboard's K does: the new key is made (ec256, 0600) and the account moves to
    it; the config's account_key follows, since it named the old key. An existing file is
    never written over: one that is no key stops the rollover before any request."""
    from tui.config import load_settings, save_settings

    settings = load_settings(cli.config)
    settings.account_key = "account.pem"
    save_settings(settings, cli.config)
    rolled = cli(*account, "account", "rollover", "fresh.pem")
    assert rolled.returncode == 0, rolled.stderr
    fresh_path = cli.workdir / "fresh.pem"  # absolute in the config: a timer runs in `/`
    assert f"generated ec256 key at {fresh_path} (mode 0600)" in rolled.stderr
    assert stat.S_IMODE((cli.workdir / "fresh.pem").stat().st_mode) == 0o600
    assert load_settings(cli.config).account_key == str(fresh_path)
    old = cli(*account, "account", "show")
    assert old.returncode == 1 and "accountDoesNotExist" in old.stderr
    fresh = [*reach(validating.pebble), "--key", "fresh.pem", "--traffic", "t.jsonl"]
    assert cli(*fresh, "account", "show").returncode == 0
    (cli.workdir / "notes.pem").write_text("not a key")
    sent = (cli.workdir / "t.jsonl").read_text()
    refused = cli(*fresh, "account", "rollover", "notes.pem")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr
    assert (cli.workdir / "notes.pem").read_text() == "not a key"
    assert (cli.workdir / "t.jsonl").read_text() == sent, "refused before any request"


@pytest.mark.parametrize("mode", ["fail", "garbage", "window"])
def test_renew_goes_on_when_the_ari_lookup_fails(
    cli: CliRunner, validating: ValidatingPebble, mode: str
) -> None:
    """A renewal never stops at ARI (tests/ari_front.py plays a CA with ARI in front of
    Pebble): a lookup answered with a 500 problem or with no JSON renews without `replaces`
    and says so; a suggested window puts `replaces` into the order."""
    with ari_front(validating.pebble) as front:
        front.mode = mode
        args = [
            *("--endpoint", front.directory_url, "--ca-bundle", str(validating.pebble.ca_bundle)),
            *("--key", "account.pem"),
        ]
        assert cli(*args, "account", "new", "--yes").returncode == 0
        name = f"ari-{mode}.cli.example.test"
        issued = cli(
            *args, "cert", "issue", "-d", name, *http01_options(validating), "--out", "site"
        )
        assert issued.returncode == 0, issued.stderr
        renewed = cli(
            *args,
            "cert",
            "renew",
            "site/cert.pem",
            *http01_options(validating),
            "--force",
            "--json",
        )
    assert renewed.returncode == 0, renewed.stderr
    replaces = json.loads(renewed.stdout)["replaces"]
    if mode == "window":
        assert replaces == front.lookups[0]
        assert "ARI suggests renewing between" in renewed.stderr
    else:
        assert replaces is None
        assert "ARI lookup failed" in renewed.stderr
        assert "renewing without `replaces`" in renewed.stderr


def test_external_account_binding(cli: CliRunner, eab_pebble: Pebble) -> None:
    args = [*reach(eab_pebble), "--key", "eab.pem", "--traffic", "t.jsonl", "--yes"]
    missing = cli(*args, "account", "new")
    assert missing.returncode == 2 and "External Account Binding" in missing.stderr
    wrong = cli(
        *args, "account", "new", "--eab-kid", EAB_KID, "--eab-hmac-key", "AAAA" + EAB_MAC[4:]
    )
    assert wrong.returncode == 1, wrong.stderr
    right = cli(*args, "account", "new", "--eab-kid", EAB_KID, "--eab-hmac-key", EAB_MAC, "--json")
    assert right.returncode == 0, right.stderr
    assert json.loads(right.stdout)["status"] == "valid"
    traffic = (cli.workdir / "t.jsonl").read_text()
    created = [json.loads(line) for line in traffic.splitlines()][-1]
    binding = created["request"]["jws"]["payload"]["externalAccountBinding"]
    assert decode_part(binding["protected"])["kid"] == EAB_KID
    assert created["response"]["status"] == 201
    everything = traffic + missing.stderr + wrong.stderr + right.stdout + right.stderr
    assert EAB_MAC not in everything and EAB_MAC[:20] not in everything


def test_eab_mac_key_from_a_file_the_environment_or_the_config(
    cli: CliRunner, eab_pebble: Pebble
) -> None:
    """The MAC key need not be on the command line, where `ps` shows it: from a 0600 file,
    $ACMEDASH_EAB_HMAC_KEY or the config's eab_hmac_key_file. A file others can read is
    refused before any request; --eab-hmac-key still works, with a warning."""
    key_file = cli.workdir / "eab.key"
    key_file.write_text(EAB_MAC + "\n")
    key_file.chmod(0o644)

    def new_account(
        key: str, *args: str, env: dict[str, str] | None = None
    ) -> CompletedProcess[str]:
        return cli(
            *reach(eab_pebble), "--key", key, "--traffic", f"{key}.jsonl", "--yes",
            "account", "new", "--eab-kid", EAB_KID, *args, env=env,
        )  # fmt: skip

    readable = new_account("a.pem", "--eab-hmac-key-file", "eab.key")
    assert readable.returncode == 2, readable.stderr
    assert readable.stderr.splitlines() == [
        "acmedash: eab.key: the EAB MAC key file has mode 0644, so others may read it; "
        "it must be 0600 or 0400 (chmod 600 eab.key)"
    ]
    assert not (cli.workdir / "a.pem.jsonl").read_text(), "nothing was sent"
    key_file.chmod(0o600)
    from_file = new_account("a.pem", "--eab-hmac-key-file", "eab.key")
    assert from_file.returncode == 0, from_file.stderr
    assert "warning" not in from_file.stderr
    from_env = new_account("b.pem", env={"ACMEDASH_EAB_HMAC_KEY": EAB_MAC})
    assert from_env.returncode == 0, from_env.stderr
    cli.config.write_text(f'eab_kid = "{EAB_KID}"\neab_hmac_key_file = "eab.key"\n')
    from_config = new_account("c.pem")
    assert from_config.returncode == 0, from_config.stderr
    on_argv = new_account("d.pem", "--eab-hmac-key", EAB_MAC)
    assert on_argv.returncode == 0, on_argv.stderr
    assert "warning: --eab-hmac-key is visible to other users" in on_argv.stderr
    bad = new_account("e.pem", "--eab-hmac-key", EAB_MAC[:-1] + "+")
    assert bad.returncode == 2 and "not valid base64url" in bad.stderr
    assert not (cli.workdir / "e.pem.jsonl").read_text(), "nothing was sent"
    written = [*cli.workdir.glob("*.jsonl"), cli.config]
    shown = [
        r.stdout + r.stderr for r in (readable, from_file, from_env, from_config, on_argv, bad)
    ]
    everything = "".join(shown) + "".join(p.read_text() for p in written)
    assert EAB_MAC[:20] not in everything and EAB_MAC[-20:] not in everything


async def test_dashboard_asks_for_external_account_binding(
    eab_pebble: Pebble, tmp_path: Path
) -> None:
    """The MAC key goes into a password box and appears on no screen and in no exchange."""
    from textual.widgets import Input, Static

    from tui.dashboard.app import AcmeDashApp
    from tui.dashboard.screens.confirm import ConfirmScreen
    from tui.dashboard.screens.prompt import PromptScreen

    app = AcmeDashApp(account_settings(eab_pebble, tmp_path), config_path=None)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("a")
        await wait_for_screen(pilot, PromptScreen)
        app.screen.query_one(Input).value = EAB_KID
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        box = app.screen.query_one(Input)
        assert box.password
        box.value = EAB_MAC
        await pilot.press("enter")
        await wait_for_screen(pilot, ConfirmScreen)  # the terms of service
        await pilot.click("#confirm")
        await settle(app)
        assert app.account is not None and app.account.status == "valid"
        screen_text = " ".join(str(s.content) for s in app.query(Static))
        traffic = "".join(json.dumps(e.to_record()) for e in app.query_one("TrafficList").exchanges)  # type: ignore[attr-defined]
        assert EAB_MAC not in screen_text and EAB_MAC not in traffic
        assert app.settings.eab_hmac_key == ""


def test_inspector_decodes_the_external_account_binding(cli: CliRunner, eab_pebble: Pebble) -> None:
    """The nested EAB JWS is shown decoded: its kid and the account JWK, never the MAC key."""
    import io

    from rich.console import Console, Group

    from tui.acme.traffic import read_jsonl
    from tui.dashboard.panels.exchange_views import Context, request_view

    args = [*reach(eab_pebble), "--key", "view.pem", "--traffic", "t.jsonl", "--yes"]
    created = cli(*args, "account", "new", "--eab-kid", EAB_KID, "--eab-hmac-key", EAB_MAC)
    assert created.returncode == 0, created.stderr
    exchange = list(read_jsonl(cli.workdir / "t.jsonl"))[-1]
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(Group(*request_view(exchange, Context())))
    text = console.export_text()
    assert "External Account Binding: protected header" in text
    assert f'"kid": "{EAB_KID}"' in text and '"alg": "HS256"' in text
    assert EAB_MAC not in text


def _resolve_to(validating: ValidatingPebble, name: str, address: str) -> None:
    """An A record in pebble-challtestsrv, through its management API."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{validating.dns.management_port}/add-a",
        data=json.dumps({"host": f"{name}.", "addresses": [address]}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5):  # noqa: S310 - loopback http
        pass


def test_issue_each_orders_a_certificate_per_name_at_once(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    names = [f"each-{i}.example.test" for i in range(3)]
    # Its http-01 validation fails: the name resolves to an address nobody answers on. The
    # other names are still issued.
    bad = "unreachable.example.test"
    _resolve_to(validating, bad, "127.0.0.2")
    issued = cli(
        *account,
        "cert",
        "issue",
        "--each",
        *(arg for name in [*names, bad, names[0]] for arg in ("-d", name)),  # one given twice
        *http01_options(validating),
        "--out",
        "sites",
        "--json",
    )
    assert issued.returncode == 1, issued.stderr
    results = json.loads(issued.stdout)
    assert sorted(r["names"][0] for r in results if "error" not in r) == names
    assert [r["names"] for r in results if "error" in r] == [[bad]]
    assert "server problem" in issued.stderr
    for name in names:
        leaf = _cert(cli.workdir / "sites" / name / "cert.pem")
        san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert san.get_values_for_type(x509.DNSName) == [name]
    # All orders were placed before the first one was finalized: they ran at once.
    records = [json.loads(line) for line in (cli.workdir / "t.jsonl").read_text().splitlines()]
    created = [
        i
        for i, r in enumerate(records)
        if r["request"]["url"].endswith("/order-plz") and r["response"]["status"] == 201
    ]
    finalizes = [i for i, r in enumerate(records) if "/finalize-order/" in r["request"]["url"]]
    assert len(created) == 4 and len(finalizes) >= 3
    assert max(created) < min(finalizes)


def test_issue_each_refuses_a_csr(cli: CliRunner, account: list[str]) -> None:
    result = cli(*account, "cert", "issue", "--each", "-d", "a.test", "--csr", "x.csr")
    assert result.returncode == 2
    assert "--each" in result.stderr and "Traceback" not in result.stderr


def test_configured_csr_file_and_chain_file(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    """The NeoPrime flow: acme.ini's CSRFile in, ChainFile out, nothing on the command line."""
    from tui.acme import keys
    from tui.config import load_settings, save_settings

    csr = cli.workdir / "domain.csr"
    csr.write_bytes(keys.make_csr(keys.generate_key(), ["neoprime.example.test"]))
    settings = load_settings(cli.config)
    settings.csr_file = str(csr)
    settings.chain_file = str(cli.workdir / "chain" / "chain.pem")
    save_settings(settings, cli.config)
    for _ in range(2):
        issued = cli(
            *account, "cert", "issue", *http01_options(validating), "--out", "neo", "--json"
        )
        assert issued.returncode == 0, issued.stderr
        assert "csr_file" in issued.stderr
    result = json.loads(issued.stdout)
    assert result["names"] == ["neoprime.example.test"]
    assert result["privkey"] is None  # the key behind the CSR was never ours
    chain_file = cli.workdir / "chain" / "chain.pem"
    assert result["chain_file"] == str(chain_file)
    assert chain_file.read_text() == (cli.workdir / "neo" / "fullchain.pem").read_text()
    (kept,) = (cli.workdir / "chain" / "archive").iterdir()
    assert (kept / "chain.pem").read_text() != chain_file.read_text()


def test_a_csr_whose_names_do_not_parse_is_one_line(cli: CliRunner, tmp_path: Path) -> None:
    """A CSR of the user's own whose subjectAltName is not DER: exit 2, not an internal error."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import ExtensionOID

    key = ec.generate_private_key(ec.SECP256R1())
    broken = x509.UnrecognizedExtension(ExtensionOID.SUBJECT_ALTERNATIVE_NAME, b"\x30\x05junk")
    csr = x509.CertificateSigningRequestBuilder(x509.Name([])).add_extension(broken, False)
    path = tmp_path / "broken.csr"
    path.write_bytes(csr.sign(key, hashes.SHA256()).public_bytes(Encoding.PEM))
    result = cli("--endpoint", "https://127.0.0.1:9/dir", "cert", "issue", "--csr", str(path))
    assert result.returncode == 2, result.stderr
    assert "subjectAltName extension does not parse" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_info_and_list_say_the_same_whole_days_left(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    """`cert info` said 1825 where `cert list` said 1826 for the same certificate (one
    floored, one rounded), and `--json` gave a float: one count now, whole days rounded down
    (tui.acme.certificates.days_left)."""
    out = cli.workdir / "days"
    issue = [*account, "cert", "issue", "-d", "days.example.test", *http01_options(validating)]
    assert cli(*issue, "--out", str(out)).returncode == 0
    info = json.loads(cli(*account, "cert", "info", str(out), "--json").stdout)
    listed = cli(*account, "cert", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    (row,) = [r for r in json.loads(listed.stdout) if r["folder"] == str(out)]
    assert isinstance(info["days_left"], int) and isinstance(row["days_left"], int)
    assert info["days_left"] == row["days_left"]
    text_info = cli(*account, "cert", "info", str(out)).stdout
    text_list = cli(*account, "cert", "list").stdout
    assert f"days_left  {info['days_left']}\n" in text_info, text_info
    assert f"({counted(info['days_left'], 'day')} left)" in text_list, text_list


def test_the_readme_dns_hook_works_as_written(
    cli: CliRunner, validating: ValidatingPebble, account: list[str]
) -> None:
    """README.md's `pebble-hook.sh`, taken from the README and run by the shell lines there
    (`cat > ... <<'SH'`, `chmod +x`), then used as `--dns-hook ./pebble-hook.sh` for a
    wildcard. Only CHALLTESTSRV_API differs: this challtestsrv's API is not on 8055."""
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    start = readme.index("    cat > pebble-hook.sh <<'SH'\n")
    last = "    chmod +x pebble-hook.sh\n"
    end = readme.index(last, start) + len(last)
    lines = readme[start:end].splitlines()
    assert all(line.startswith("    ") for line in lines)  # one indented block, as shown
    script = "\n".join(line[4:] for line in lines) + "\n"
    made = subprocess.run(["sh", "-c", script], cwd=cli.workdir, check=False)
    assert made.returncode == 0
    api = {"CHALLTESTSRV_API": f"http://127.0.0.1:{validating.dns.management_port}"}
    issue = ["cert", "issue", "-d", "*.readme.example.test", "--challenge", "dns-01"]
    result = cli(*account, *issue, "--dns-hook", "./pebble-hook.sh", "--out", "wild", env=api)
    assert result.returncode == 0, result.stderr
    assert "*.readme.example.test: valid" in result.stderr
    assert (cli.workdir / "wild" / "fullchain.pem").is_file()
