"""A URL from the CA that cannot be used (port 99999, host `xn--`, a broken IPv6 literal, a
control character, no scheme, none at all) is a ProtocolError naming it: the CA answered not
as RFC 8555 says (exit 1). Before, it escaped as OverflowError, idna.IDNAError or
httpx.InvalidURL (exit 70), or passed for the user's input (exit 2) or the network (exit 3).
The directory URL the user typed stays an input error.

Against tests/scripted_ca.py and tests/hostile_acme.py, fakes on 127.0.0.1: Pebble never hands
out a URL it cannot serve.
"""

from __future__ import annotations

import pytest

from tests.conftest import CliRunner, issue_by_dns_hook
from tests.hostile_acme import HostileAcme
from tests.scripted_ca import Answer, ScriptedCa
from tui.acme import keys
from tui.acme.client import AcmeClient
from tui.acme.errors import InputError, ProtocolError
from tui.acme.tls_alpn import alpn_certificate

BAD_URLS = [
    "http://127.0.0.1:99999/x",
    "http://127.0.0.1:0/x",
    "http://xn--/x",
    "http://[::1/x",
    "http://127.0.0.1:1/\x1b[2J",
    "relative/x",
    "",
    "file:///etc/passwd",
    "http:///x",
]


@pytest.mark.parametrize("bad", BAD_URLS)
async def test_an_unusable_url_from_the_ca_is_a_protocol_error(ca: ScriptedCa, bad: str) -> None:
    ca.routes["/dir"] = Answer(body=ca.directory(newAccount=bad))
    async with AcmeClient(ca.directory_url, key=keys.generate_key("ec256")) as client:
        with pytest.raises(ProtocolError, match="the CA gave a URL acmedash cannot use") as caught:
            await client.new_account([], terms_agreed=True)
    assert repr(bad) in str(caught.value)


@pytest.mark.parametrize("bad", ["http://127.0.0.1:99999/dir", "http://xn--/dir", "rel/dir"])
async def test_an_unusable_directory_url_stays_an_input_error(bad: str) -> None:
    async with AcmeClient(bad) as client:
        with pytest.raises(InputError, match="invalid directory URL"):
            await client.directory()


async def test_a_broken_link_target_is_a_protocol_error(ca: ScriptedCa) -> None:
    """RFC 8288 Link targets are resolved against the response's URL; `<http://[::1>` cannot be."""
    ca.routes["/acct"] = Answer(201, {"status": "valid"}, {"Location": f"{ca.base}/acct/1"})
    ca.routes["/cert"] = Answer(
        body=alpn_certificate("a.test", "none")[0],
        content_type="application/pem-certificate-chain",
        headers={"Link": '<http://[::1>;rel="alternate"'},
    )
    async with AcmeClient(ca.directory_url, key=keys.generate_key("ec256")) as client:
        await client.new_account([], terms_agreed=True)
        with pytest.raises(ProtocolError, match=r"Link target 'http://\[::1'"):
            await client.download_chains(f"{ca.base}/cert")


@pytest.mark.parametrize("bad", ["http://127.0.0.1:99999/x", "http://xn--/x", "rel/x"])
def test_cli_exits_1_on_an_unusable_authorization_url(cli: CliRunner, bad: str) -> None:
    with HostileAcme() as hostile:
        hostile.hostility.authz_urls = lambda urls: [bad]
        run = issue_by_dns_hook(cli, hostile.directory_url, "/bin/true")
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert "the CA gave a URL acmedash cannot use" in run.stderr
