"""Where signed requests may go: the directory's origin, and the origins its resources name.

Every URL a signed POST goes to came from the CA (a Location header, a JSON field, a Link). A
CA, or whoever can change its answers, that names a URL on another host would otherwise have
that host receive requests signed by the account key, and with them the account URL and the
CA's nonces. RFC 8555 does not say resources must share the directory's origin, so every
origin the directory itself names (newNonce, newAccount, ...) is allowed too; nothing else.
"""

from __future__ import annotations

import functools

from tui.acme.errors import ProtocolError
from tui.acme.models import Directory
from tui.acme.wire import usable_url

# The directory's resources (RFC 8555 §7.1.1, RFC 9773 renewalInfo). Not `meta`: its URLs
# (terms of service, website) are for people, not for requests.
_RESOURCES = (
    "newNonce",
    "newAccount",
    "newOrder",
    "newAuthz",
    "revokeCert",
    "keyChange",
    "renewalInfo",
)

Origin = tuple[str, str, int]


def origin(url: str) -> Origin | None:
    """RFC 6454 §4: scheme, host and port (the scheme's default when none is written); None
    for what cannot be sent at all (wire.usable_url says why, when it is sent)."""
    try:
        parsed = usable_url(url)
    except ValueError:
        return None
    default = {"http": 80, "https": 443}[parsed.scheme]
    return parsed.scheme, parsed.host.lower(), parsed.port or default


def allowed(directory_url: str, directory: Directory) -> frozenset[Origin]:
    urls = (directory_url, *(directory.raw.get(name) for name in _RESOURCES))
    return _origins_of(tuple(url for url in urls if isinstance(url, str)))


@functools.lru_cache(maxsize=16)
def _origins_of(urls: tuple[str, ...]) -> frozenset[Origin]:
    """Cached: asked before every signed request, and parsing the directory's URLs each time
    took 0.1 ms a request."""
    return frozenset(found for url in urls if (found := origin(url)) is not None)


def check(url: str, directory_url: str, directory: Directory, what: str) -> None:
    """A ProtocolError, before anything is sent, when `url` is on an origin `allowed` does not
    hold. `what` names where the URL came from, for the message. A URL that cannot be sent
    at all (no URL, plain http:// off loopback) passes here: the send path refuses it with its
    own reason (wire.usable_url, the one place for that rule)."""
    found = origin(url)
    if found is None or found in allowed(directory_url, directory):
        return
    raise ProtocolError(
        f"the CA gave {what} {url[:200]!r}, on another host than its directory "
        f"{directory_url!r}; refusing to send a signed request there"
    )
