"""A name as a person types it -> the identifier ACME orders and X.509 certifies.

The one place that normalises names (RFC 8555 §7.1.3 dns, RFC 8738 ip): the order, the CSR and
every comparison with what a CA answers go through `identifier_for`, so `-d Name.Example.` is
`name.example` in all three and finalize never meets a CSR that names something else. It also
refuses, before any request, what no CA would certify, each with a one-line reason.

Internationalised names are encoded with the IDNA codec of Python's standard library (IDNA 2003,
no new dependency) and refused when that encoding would name a different domain than the one
typed: IDNA 2003 maps `straße` to `strasse` where IDNA 2008, which CAs follow, keeps the `ß`.
Such a name can still be ordered by its xn-- form, which is passed through as the user wrote it.
"""

from __future__ import annotations

import codecs
import ipaddress
import re
import unicodedata

from tui.acme.errors import InputError
from tui.acme.models import Identifier
from tui.acme.text import printable

MAX_NAME = 253  # RFC 1035 §2.3.4, without the trailing dot
MAX_LABEL = 63
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")


def identifier_for(name: str) -> Identifier:
    """`192.0.2.1` and `2001:DB8::1` are ip identifiers in canonical form; anything else is a
    dns name: lower case, trailing dot removed, IDNA-encoded, `*.` allowed as the whole first
    label. InputError, naming the name and the reason, for anything else."""
    text = name.strip()
    if not text:
        raise InputError("empty name")
    shown = printable(text)
    address = _ip_address(text, shown)
    if address is not None:
        return Identifier("ip", address)
    wildcard = text.startswith("*.")
    body = text[2:] if wildcard else text
    if "*" in body:
        raise InputError(f"{shown}: `*` may only be the whole first label, as in *.example.org")
    # The limits first: Python's punycode codec is quadratic, and a CA's 1M-character xn--
    # label cost 276 s of CPU. An A-label is never shorter than its U-label, so a name too
    # long as typed is too long encoded; the encoded form is checked again below.
    lowered = body.lower().removesuffix(".")
    _check_lengths(lowered, shown)
    ascii_name = _a_labels(lowered, shown)
    _check_ldh(ascii_name, shown)
    return Identifier("dns", f"*.{ascii_name}" if wildcard else ascii_name)


def as_received(kind: str, value: str) -> Identifier:
    """An identifier a CA sent (in an order, an authorization, a certificate), spelt as
    `identifier_for` spells what was asked, so the two compare. What `identifier_for` would
    refuse is kept as it came and so matches nothing that was asked."""
    if kind.lower() in ("dns", "ip"):
        try:
            found = identifier_for(value)
        except InputError:
            return Identifier(kind, value)
        if found.type == kind.lower():
            return found
    return Identifier(kind, value)


def _ip_address(text: str, shown: str) -> str | None:
    if "/" in text:
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            return None  # not a network: the dns checks name the bad character
        raise InputError(f"{shown}: a network (CIDR) cannot be certified; name each address")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        raise InputError(f"{shown}: an address with a zone index cannot be certified")
    return str(address)


def _a_labels(name: str, shown: str) -> str:
    if name.isascii():
        for label in name.split("."):
            if label.startswith("xn--"):
                _check_punycode(label, shown)
        return name
    try:
        encoded = name.encode("idna").decode("ascii")
        decoded = encoded.encode("ascii").decode("idna")
    except UnicodeError:
        raise InputError(f"{shown}: not a valid internationalised domain name") from None
    if decoded != unicodedata.normalize("NFC", name):
        raise InputError(
            f"{shown}: IDNA 2003 encodes it as {encoded}, which is another name; "
            "pass the xn-- (IDNA 2008) form of the name you mean"
        )
    return encoded


def _check_punycode(label: str, shown: str) -> None:
    try:
        decoded = codecs.decode(label[4:].encode("ascii"), "punycode")
        valid = codecs.encode(decoded, "punycode").decode("ascii") == label[4:]
    except UnicodeError:
        valid = False
    if not valid:
        raise InputError(f"{shown}: {label} is not a valid xn-- (punycode) label")


def _check_lengths(name: str, shown: str) -> None:
    """RFC 1035 §2.3.4: 253 characters a name (without the trailing dot), 63 a label."""
    if len(name) > MAX_NAME:
        raise InputError(f"{shown}: longer than {MAX_NAME} characters")
    for label in name.split("."):
        if len(label) > MAX_LABEL:
            raise InputError(
                f"{shown}: label {printable(label[:20])}... is longer than {MAX_LABEL}"
            )


def _check_ldh(name: str, shown: str) -> None:
    _check_lengths(name, shown)
    labels = name.split(".")
    for label in labels:
        if not label:
            raise InputError(f"{shown}: empty label (two dots in a row, or a leading dot)")
        if not _LABEL.fullmatch(label):
            raise InputError(
                f"{shown}: label '{printable(label)}' may hold only letters, digits and inner "
                "hyphens"
            )
    if labels[-1].isdigit():
        raise InputError(f"{shown}: not a valid IP address, and not a dns name")
