"""Publishing the TXT record by an RFC 2136 dynamic update, TSIG-signed (RFC 8945).

One update adds one value (other values at the name stay: a wildcard and its apex share
`_acme-challenge.NAME`), one removes exactly that value. A refused update, a bad key or an
unreachable server is one clear message naming the server and the zone; never the secret."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.acme.errors import InputError, NetworkError
from tui.dns.lookup import QUERY_TIMEOUT, Server

if TYPE_CHECKING:
    from tui.dns.tsig import TsigKey

TXT_TTL = 60

_RCODE_MEANING = {
    "REFUSED": "the server refused the update (is the key allowed to change this zone?)",
    "NOTAUTH": "the server rejected the TSIG key (wrong name, algorithm or secret?)",
    "NOTZONE": "the name is outside the zone",
    "SERVFAIL": "the server failed to apply the update",
}


def _required(server: Server | None) -> Server:
    if server is None:
        raise InputError("--dns rfc2136 needs the update server: --dns-server HOST[:PORT]")
    return server


class Rfc2136Publisher:
    """Adds and removes TXT values at one update server."""

    def __init__(self, key: TsigKey | None) -> None:
        self._key = key

    def describe(self) -> str:
        return f"RFC 2136, key {self._key.name}" if self._key else "RFC 2136, unsigned"

    async def add(self, server: Server | None, zone: str, name: str, value: str) -> None:
        await self._send(_required(server), zone, name, value, adding=True)

    async def delete(self, server: Server | None, zone: str, name: str, value: str) -> None:
        await self._send(_required(server), zone, name, value, adding=False)

    async def _send(
        self, server: Server, zone: str, name: str, value: str, *, adding: bool
    ) -> None:
        import dns.asyncquery
        import dns.exception
        import dns.name
        import dns.rcode
        import dns.tsig
        import dns.tsigkeyring
        import dns.update

        what = f"{'adding' if adding else 'removing'} TXT {name} in zone {zone} at {server}"
        keyring, keyname, algorithm = None, None, dns.tsig.HMAC_SHA256
        if self._key is not None:
            keyname = dns.name.from_text(self._key.name)
            algorithm = dns.name.from_text(self._key.algorithm)
            keyring = {keyname: dns.tsig.Key(keyname, self._key.secret, algorithm)}
        update = dns.update.UpdateMessage(
            zone, keyring=keyring, keyname=keyname, keyalgorithm=algorithm
        )
        relative = dns.name.from_text(name).relativize(dns.name.from_text(zone))
        if adding:
            update.add(relative, TXT_TTL, "TXT", f'"{value}"')
        else:
            update.delete(relative, "TXT", f'"{value}"')
        try:
            response = await dns.asyncquery.tcp(
                update, server.address, timeout=QUERY_TIMEOUT * 2, port=server.port
            )
        except dns.tsig.PeerError as exc:
            raise InputError(
                f"{what}: the server rejected the TSIG key ({type(exc).__name__}): "
                "wrong name, algorithm or secret?"
            ) from None
        except dns.exception.Timeout:
            raise NetworkError(f"{what}: no answer within {QUERY_TIMEOUT * 2:.0f} s") from None
        except (OSError, EOFError, dns.exception.DNSException) as exc:
            raise NetworkError(f"{what}: {type(exc).__name__}: {exc}") from None
        rcode = dns.rcode.to_text(response.rcode())
        if rcode != "NOERROR":
            raise InputError(f"{what}: {rcode}: {_RCODE_MEANING.get(rcode, 'the update failed')}")
