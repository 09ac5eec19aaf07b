"""Plain http:// is for loopback only, for every URL a CA gives, not just the endpoint the user
typed (attacker review, finding 7): a directory naming http://ca.example/... resources passed
the origin check and got signed requests in clear.

The CA is tests/hostile_acme.py: Pebble's directory cannot be made to name such URLs. No
request may leave for ca.example (which does not resolve here: a request tried would be a
network error, exit 3, not the CA problem asserted)."""

from __future__ import annotations

import pytest

from tests.conftest import CliRunner
from tests.hostile_acme import HostileAcme
from tests.test_renewal_time import _certificate
from tui.acme import keys
from tui.acme.client import AcmeClient
from tui.acme.errors import ProtocolError

CLEAR = "http://ca.example"


def test_a_plain_http_new_order_off_loopback_is_refused(
    cli: CliRunner, hostile: HostileAcme
) -> None:
    hostile.hostility.directory_extra = {"newOrder": f"{CLEAR}/new-order"}
    assert cli("key", "generate", "k.pem").returncode == 0
    args = ["--endpoint", hostile.directory_url, "--key", "k.pem", "cert", "issue", "-d", "a.test"]
    run = cli(*args, "--challenge", "dns-01", "--dns-hook", "true")
    assert run.returncode == 1, run.stderr
    assert "plain http:// off loopback" in run.stderr and "Traceback" not in run.stderr
    assert "/new-order" not in " ".join(hostile.posted)


async def test_a_plain_http_renewal_info_off_loopback_is_refused(hostile: HostileAcme) -> None:
    """ARI is an unsigned GET, but its answer decides when certificates are renewed."""
    hostile.hostility.directory_extra = {"renewalInfo": f"{CLEAR}/ari/"}
    key = keys.generate_key("ec256")
    async with AcmeClient(hostile.directory_url, key=key) as acme:
        with pytest.raises(ProtocolError, match="plain http:// off loopback"):
            await acme.renewal_info(_certificate())
