"""An order's authorizations are bounded by what was asked (RFC 8555 §7.1.3, §7.4: one per
identifier). A hostile CA listed 1 MiB of authorization URLs (1.5 GiB, 31,795 requests), 500
authorizations for the one name asked (500 dns hook runs, 178 shells at once), or one URL 50
times (100 polls a second on it).

Against tests/hostile_acme.py, a fake CA on 127.0.0.1: Pebble lists one authorization per
identifier and cannot be told to list more, repeat one, or send two for one name.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.conftest import CliRunner, issue_by_dns_hook
from tests.hostile_acme import HostileAcme
from tui.acme import keys
from tui.acme.client import AcmeClient
from tui.acme.errors import ProtocolError
from tui.acme.issuance import AUTHORIZATION_CONCURRENCY, issue
from tui.acme.models import Identifier


@pytest.fixture
def client(hostile_client: AcmeClient) -> AcmeClient:
    """conftest's client with an account at the `hostile` fake CA."""
    return hostile_client


class CountingSolver:
    """Notes what it presents and the most presentations in progress at once."""

    challenge_type = "dns-01"

    def __init__(self) -> None:
        self.presented: list[Identifier] = []
        self.busy = 0
        self.most_busy = 0

    async def present(self, identifier: Identifier, token: str, key_auth: str) -> None:
        self.presented.append(identifier)
        self.busy += 1
        self.most_busy = max(self.most_busy, self.busy)
        await asyncio.sleep(0.02)
        self.busy -= 1

    async def cleanup(self, identifier: Identifier, token: str, key_auth: str) -> None:
        return None

    async def close(self) -> None:
        return None


def _csr(names: list[str]) -> bytes:
    return keys.make_csr(keys.generate_key("ec256"), names)


def _authz_requests(hostile: HostileAcme) -> list[str]:
    return [path for path in hostile.posted if path.startswith("/authz/")]


async def test_one_url_listed_many_times_is_refused_before_any_request(
    hostile: HostileAcme, client: AcmeClient
) -> None:
    hostile.hostility.authz_urls = lambda urls: urls * 500
    solver = CountingSolver()
    with pytest.raises(ProtocolError, match="lists 500 authorizations for 1 identifier"):
        await issue(client, ["a.test"], solver, _csr(["a.test"]))
    assert _authz_requests(hostile) == []
    assert solver.presented == []


async def test_the_same_url_twice_is_refused_before_any_request(
    hostile: HostileAcme, client: AcmeClient
) -> None:
    """Two names, two entries, but one URL twice: no more entries than names, still a lie."""
    hostile.hostility.authz_urls = lambda urls: [urls[0]] * len(urls)
    names = ["a.test", "b.test"]
    solver = CountingSolver()
    with pytest.raises(ProtocolError, match="more than once"):
        await issue(client, names, solver, _csr(names))
    assert _authz_requests(hostile) == []
    assert solver.presented == []


async def test_more_authorizations_than_names_are_refused_before_any_request(
    hostile: HostileAcme, client: AcmeClient
) -> None:
    hostile.hostility.authz_per_name = 3
    solver = CountingSolver()
    with pytest.raises(ProtocolError, match="lists 3 authorizations for 1 identifier"):
        await issue(client, ["a.test"], solver, _csr(["a.test"]))
    assert _authz_requests(hostile) == []
    assert solver.presented == []


async def test_two_authorizations_for_one_name_reach_no_solver(
    hostile: HostileAcme, client: AcmeClient
) -> None:
    hostile.hostility.authz_identifier = {"type": "dns", "value": "a.test"}
    names = ["a.test", "b.test"]
    solver = CountingSolver()
    with pytest.raises(ProtocolError, match=r"two authorizations for 'a\.test'"):
        await issue(client, names, solver, _csr(names))
    assert solver.presented == []


async def test_authorizations_are_solved_a_bounded_number_at_once(
    hostile: HostileAcme, client: AcmeClient
) -> None:
    names = [f"n{i}.test" for i in range(3 * AUTHORIZATION_CONCURRENCY)]
    solver = CountingSolver()
    await issue(client, names, solver, _csr(names))
    assert sorted(i.value for i in solver.presented) == sorted(names)
    assert solver.most_busy == AUTHORIZATION_CONCURRENCY


def test_cli_runs_no_hook_for_a_fanned_out_order(
    hostile: HostileAcme, cli: CliRunner, tmp_path: Path
) -> None:
    """The reviewer's attack_hook_fanout.py, as the user runs it: exit 1, one line, no hook."""
    hostile.hostility.authz_per_name = 50
    ran = tmp_path / "hook.log"
    hook = tmp_path / "hook.sh"
    hook.write_text(f'#!/bin/sh\necho "$1" >> {ran}\n')
    hook.chmod(0o755)
    run = issue_by_dns_hook(cli, hostile.directory_url, str(hook))
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert "lists 50 authorizations for 1 identifier" in run.stderr
    assert not ran.exists()
