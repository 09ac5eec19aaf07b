"""Account contacts (RFC 8555 §7.3): URIs, in practice `mailto:` with exactly one address."""

from __future__ import annotations

import re

from tui.acme.errors import InputError

_EMAIL = re.compile(r"^[^@\s,;<>\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")


def normalise_contact(text: str) -> str:
    """`user@example.org` becomes `mailto:user@example.org`. One address per mailto: because
    CAs (Let's Encrypt among them) reject `mailto:a@x,b@y`."""
    value = text.strip()
    if "@" in value and ":" not in value.split("@", 1)[0]:
        value = f"mailto:{value}"
    scheme, colon, rest = value.partition(":")
    if not colon or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        raise InputError(f"not a contact URI or e-mail address: {text.strip()!r}")
    if scheme.lower() == "mailto" and not _EMAIL.match(rest):
        raise InputError(f"not a valid e-mail contact: {text.strip()!r}")
    return value
