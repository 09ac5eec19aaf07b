"""Names as users type them -> the identifiers ordered and certified (tui.acme.identifiers)."""

from __future__ import annotations

import codecs
import encodings.idna
from typing import NoReturn

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tests.json_strategies  # noqa: F401 - the hypothesis profile
from tui.acme.errors import InputError
from tui.acme.identifiers import as_received, identifier_for
from tui.acme.models import Identifier


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Name.Example.", Identifier("dns", "name.example")),
        ("  a.example  ", Identifier("dns", "a.example")),
        ("bücher.example", Identifier("dns", "xn--bcher-kva.example")),
        ("BÜCHER.example", Identifier("dns", "xn--bcher-kva.example")),
        ("xn--strae-oqa.de", Identifier("dns", "xn--strae-oqa.de")),
        ("*.Example.org", Identifier("dns", "*.example.org")),
        ("*.bücher.example", Identifier("dns", "*.xn--bcher-kva.example")),
        ("192.0.2.1", Identifier("ip", "192.0.2.1")),
        ("2001:DB8:0::1", Identifier("ip", "2001:db8::1")),
        ("a" * 63 + ".example", Identifier("dns", "a" * 63 + ".example")),
        (".".join(["a" * 49] * 5) + ".ab", Identifier("dns", ".".join(["a" * 49] * 5) + ".ab")),
    ],
)
def test_names_are_normalised(name: str, expected: Identifier) -> None:
    assert identifier_for(name) == expected


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "empty name"),
        ("*.*.example", "whole first label"),
        ("a.*.example", "whole first label"),
        ("a*.example", "whole first label"),
        ("*", "whole first label"),
        ("10.0.0.0/8", "CIDR"),
        ("2001:db8::/32", "CIDR"),
        ("fe80::1%eth0", "zone index"),
        ("1.2.3.256", "not a valid IP address"),
        ("10.1", "not a valid IP address"),
        ("a" * 64 + ".example", "longer than 63"),
        (".".join(["a" * 50] * 5) + ".ab", "longer than 253"),
        ("a..example", "empty label"),
        (".example", "empty label"),
        ("-a.example", "letters, digits and inner hyphens"),
        ("a-.example", "letters, digits and inner hyphens"),
        ("a_b.example", "letters, digits and inner hyphens"),
        ("a b.example", "letters, digits and inner hyphens"),
        ("a/b.example", "letters, digits and inner hyphens"),
        ("[::1]", "letters, digits and inner hyphens"),
        ("xn--zz.example", "not a valid xn--"),
        ("straße.de", "IDNA 2003 encodes it as strasse.de, which is another name"),
        ("a\x1b]0;pwned\x07.example", r"a\x1b]0;pwned\x07.example"),
    ],
)
def test_names_no_ca_would_certify_are_refused(name: str, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        identifier_for(name)
    assert reason in str(caught.value)
    assert "\x1b" not in str(caught.value) and "\n" not in str(caught.value)


def _never(*_args: object, **_kwargs: object) -> NoReturn:
    raise AssertionError("IDNA/punycode decoding ran on a name over the length limits")


@pytest.mark.parametrize(
    "name",
    [
        "xn--x-" + "b" * 100_000 + ".example",  # a CA's: 1M characters were 276 s of CPU
        "é" * 100_000 + ".example",
        ".".join(["xn--bcher-kva"] * 20),  # short labels, 279 characters in all
        ".".join(["bücher"] * 40),
    ],
)
def test_length_limits_come_before_any_idna_decoding(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Python's punycode codec is quadratic: the limits (RFC 1035 §2.3.4) must be checked
    first, for what a user types and for what a CA sends (as_received)."""
    monkeypatch.setattr(codecs, "decode", _never)
    monkeypatch.setattr(encodings.idna, "ToASCII", _never)
    with pytest.raises(InputError, match="longer than"):
        identifier_for(name)
    assert as_received("dns", name) == Identifier("dns", name)


@given(st.text(max_size=30))
def test_any_text_is_an_identifier_or_input_error(name: str) -> None:
    """And an identifier is a fixed point: normalising it again changes nothing."""
    try:
        identifier = identifier_for(name)
    except InputError:
        return
    assert identifier.value.isascii()
    assert identifier_for(identifier.value) == identifier
