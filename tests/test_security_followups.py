"""The attacker review's leftovers (issue 8's follow-ups), each against a hostile fake CA on
127.0.0.1 (tests/hostile_acme.py, tests/scripted_ca.py): Pebble cannot be told to answer 503
forever, to name URLs on another host, or to list too few authorizations.

- N2: one deadline for a whole command;
- N3: `cert issue --each` runs no more hooks at once than one order may;
- N4: no signed request to a URL on an origin the directory does not name;
- hooks cannot read our secrets, not from their environment nor from /proc/<our pid>/environ;
- an order with fewer authorizations than identifiers is refused.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.hostile_acme import HostileAcme
from tests.scripted_ca import Answer, ScriptedCa, scripted_ca
from tui import workflow
from tui.acme import keys
from tui.acme.challenges import DnsHookSolver
from tui.acme.client import AcmeClient
from tui.acme.errors import ProtocolError
from tui.acme.issuance import AUTHORIZATION_CONCURRENCY, issue
from tui.workflow import IssueOptions


@pytest.fixture
def elsewhere() -> Iterator[HostileAcme]:
    """A second server: another port, so another origin than `hostile`'s directory."""
    with HostileAcme() as server:
        yield server


@pytest.fixture
def client(hostile_client: AcmeClient) -> AcmeClient:
    return hostile_client


def _csr(names: list[str]) -> bytes:
    return keys.make_csr(keys.generate_key("ec256"), names)


# -- N2: a deadline for the whole command -----------------------------------------------------


@pytest.fixture
def ca() -> Iterator[ScriptedCa]:
    with scripted_ca() as server:
        yield server


def test_a_command_ends_at_its_deadline(cli: CliRunner, ca: ScriptedCa) -> None:
    """Every answer a 503 with Retry-After: 5, which the client waits out three times per
    request: 15 s for one request, and without end for a command of many. `[timeouts]
    command = 2` ends it after 2 s, with exit 3 (network) and one line."""
    ca.routes["/dir"] = Answer(503, {"type": "about:blank"}, {"Retry-After": "5"})
    cli.config.write_text("[timeouts]\ncommand = 2\n")
    started = time.monotonic()
    result = cli("--endpoint", ca.directory_url, "directory")
    elapsed = time.monotonic() - started
    assert result.returncode == 3, result.stderr
    assert "did not finish within 2 s ([timeouts] command" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert elapsed < 10


def test_the_command_deadline_has_a_default_and_is_in_the_example_config() -> None:
    from tui.config import Timeouts

    assert Timeouts().command == 600.0
    example = (Path(__file__).parent.parent / "config.toml.example").read_text()
    assert "\ncommand = 600.0\n" in example


# -- N3: --each bounds the hooks of the whole run ---------------------------------------------

# Stays a second, noting the most hooks it saw running at once meanwhile: long enough for
# hooks started together to overlap, on a loaded machine too.
COUNTING_HOOK = """\
import os, sys, time
running, log = sys.argv[1], sys.argv[2]
mine = os.path.join(running, str(os.getpid()))
open(mine, "w").close()
most, end = 0, time.monotonic() + 1.0
while time.monotonic() < end:
    most = max(most, len(os.listdir(running)))
    time.sleep(0.05)
os.unlink(mine)
with open(log, "a") as out:
    out.write(f"{most}\\n")
"""


async def test_each_runs_no_more_hooks_at_once_than_one_order_may(
    client: AcmeClient, tmp_path: Path
) -> None:
    """Fifteen names, one order each: before, every order had its own bound of ten, and all
    fifteen dns hooks ran at once."""
    running, log = tmp_path / "running", tmp_path / "log"
    running.mkdir()
    script = tmp_path / "hook.py"
    script.write_text(COUNTING_HOOK)
    solver = DnsHookSolver(f"{sys.executable} {script} {running} {log}")
    names = [f"n{i}.test" for i in range(AUTHORIZATION_CONCURRENCY + 5)]
    orders = [IssueOptions([name], tmp_path / name) for name in names]
    outcomes = await workflow.issue_each(client, solver, orders)
    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    counts = [int(line) for line in log.read_text().split()]
    assert len(counts) == 2 * len(names), "a set and a clear per name"
    assert max(counts) <= AUTHORIZATION_CONCURRENCY, counts


# -- N4: signed requests only to the directory's origins --------------------------------------


async def test_an_authorization_on_another_origin_gets_no_signed_request(
    hostile: HostileAcme, elsewhere: HostileAcme, client: AcmeClient
) -> None:
    hostile.hostility.authz_urls = lambda urls: [
        url.replace(hostile.base, elsewhere.base) for url in urls
    ]
    with pytest.raises(ProtocolError, match="on another host than its directory"):
        await issue(client, ["a.test"], DnsHookSolver("true"), _csr(["a.test"]))
    assert elsewhere.posted == []


async def test_an_alternate_chain_on_another_origin_gets_no_signed_request(
    hostile: HostileAcme, elsewhere: HostileAcme, client: AcmeClient
) -> None:
    hostile.hostility.alternate_links = lambda url: [f"{elsewhere.base}/cert/1"]
    with pytest.raises(ProtocolError, match="on another host than its directory"):
        await issue(client, ["a.test"], DnsHookSolver("true"), _csr(["a.test"]))
    assert elsewhere.posted == []


async def test_an_account_url_on_another_origin_is_refused_when_received(
    hostile: HostileAcme, elsewhere: HostileAcme
) -> None:
    """Checked as it arrives, not only when first used: it would be remembered in the config
    and be the `kid` of every request."""
    hostile.hostility.account_location = f"{elsewhere.base}/account/1"
    async with AcmeClient(hostile.directory_url, key=keys.generate_key("ec256")) as acme:
        with pytest.raises(ProtocolError, match=r"the account URL .* on another host"):
            await acme.new_account([], terms_agreed=True)
        assert acme.account_url is None
    assert elsewhere.posted == []


async def test_origins_the_directory_names_are_allowed(
    hostile: HostileAcme, elsewhere: HostileAcme, client: AcmeClient
) -> None:
    """RFC 8555 does not make a CA keep every resource on its directory's host: one the
    directory itself names (here newOrder on another port) may be used."""
    from tui.acme import origins
    from tui.acme.models import Directory

    directory = Directory.from_json(
        {**(await client.directory()).raw, "newOrder": f"{elsewhere.base}/new-order"}
    )
    origins.check(f"{elsewhere.base}/order/7", hostile.directory_url, directory, "the order")
    with pytest.raises(ProtocolError):
        origins.check("http://127.0.0.2:1/x", hostile.directory_url, directory, "the order")


# -- hooks get none of our secrets -----------------------------------------------------------

# Walks up from the hook to acmedash and reads each one's /proc/<pid>/environ.
PROC_PROBE = """\
import os, sys
found, pid = [], os.getpid()
for _ in range(4):
    pid = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
    try:
        found.append(b"s3cret-mac-key" in open(f"/proc/{pid}/environ", "rb").read())
    except OSError as exc:
        found.append(type(exc).__name__)
open(sys.argv[1], "a").write(repr(found) + "\\n")
"""


def test_a_hook_cannot_read_our_secrets_from_proc(cli: CliRunner, hostile: HostileAcme) -> None:
    """The real command, given the EAB MAC key in its environment, runs a dns hook that
    reads the environment of every process above it from /proc: the secret is in none."""
    probe = cli.workdir / "probe.py"
    probe.write_text(PROC_PROBE)
    seen = cli.workdir / "seen.txt"
    assert cli("key", "generate", "k.pem").returncode == 0
    hook = f"{sys.executable} {probe} {seen}"
    issue_args = ["--key", "k.pem", "cert", "issue", "-d", "a.test"]
    issue_args += ["--challenge", "dns-01", "--dns-hook"]
    env = {"ACMEDASH_EAB_HMAC_KEY": "s3cret-mac-key"}
    result = cli("--endpoint", hostile.directory_url, *issue_args, hook, env=env)
    assert result.returncode == 0, result.stderr
    lines = seen.read_text().splitlines()
    assert len(lines) == 2, "set and clear"
    assert all("True" not in line for line in lines), lines


# -- an order with too few authorizations -----------------------------------------------------


async def test_an_order_with_fewer_authorizations_than_names_is_refused(
    hostile: HostileAcme, client: AcmeClient
) -> None:
    """Two names, one authorization: the other name would be certified unproven."""
    hostile.hostility.authz_urls = lambda urls: urls[:1]
    with pytest.raises(ProtocolError, match="lists 1 authorizations for 2 identifier"):
        names = ["a.test", "b.test"]
        await issue(client, names, DnsHookSolver("true"), _csr(names))
    assert not any(path.startswith("/authz/") for path in hostile.posted)
    assert not any(path.startswith("/finalize/") for path in hostile.posted)
