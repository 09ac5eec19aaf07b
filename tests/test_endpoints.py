from __future__ import annotations

import pytest

from tui.acme.errors import InputError
from tui.endpoints import PRESETS, Environment, resolve

EXPECTED = {
    "letsencrypt": Environment.PRODUCTION,
    "letsencrypt-staging": Environment.STAGING,
    "zerossl": Environment.PRODUCTION,
    "google": Environment.PRODUCTION,
    "google-staging": Environment.STAGING,
    "sslcom-rsa": Environment.PRODUCTION,
    "sslcom-ecc": Environment.PRODUCTION,
    "actalis": Environment.PRODUCTION,
    "buypass": Environment.PRODUCTION,
    "buypass-staging": Environment.STAGING,
    "pebble": Environment.LOCAL,
}


def test_every_preset_is_there_and_classified() -> None:
    assert {name: p.environment for name, p in PRESETS.items()} == EXPECTED
    assert PRESETS["pebble"].url == "https://localhost:14000/dir"
    assert "discontinued" in PRESETS["buypass-staging"].note
    assert all(p.url.startswith("https://") for p in PRESETS.values())


def test_twins_point_at_each_other_across_environments() -> None:
    for preset in PRESETS.values():
        if preset.twin:
            twin = PRESETS[preset.twin]
            assert twin.twin == preset.name
            assert {twin.environment, preset.environment} == {
                Environment.STAGING,
                Environment.PRODUCTION,
            }


def test_resolve_by_name_and_by_url() -> None:
    assert resolve("letsencrypt").is_production
    assert (
        resolve("https://acme-staging-v02.api.letsencrypt.org/directory").name
        == "letsencrypt-staging"
    )


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:14000/dir", "http://localhost/dir", "http://[::1]:80/dir"]
)
def test_plain_http_allowed_on_loopback(url: str) -> None:
    assert resolve(url).environment is Environment.LOCAL


def test_custom_https_counts_as_production() -> None:
    endpoint = resolve("https://acme.example.net/directory")
    assert endpoint.is_production and endpoint.url == "https://acme.example.net/directory"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("http://acme.example.net/dir", "refusing plain http"),
        ("http://10.0.0.1/dir", "refusing plain http"),
        # a name under .localhost may resolve anywhere (attacker review, session 8)
        ("http://acme.example.localhost/dir", "refusing plain http"),
        ("ftp://example.net/dir", "must be https"),
        ("lets-encrypt", "unknown endpoint"),
        ("https:///dir", "no host"),
        ("https://[::1", "does not parse: Invalid IPv6 URL"),
        ("https://x.example:99999/dir", "does not parse: Port out of range"),
        ("https://x.example:https/dir", "does not parse"),
        ("https://x.example:0/dir", "port 0"),
        ("https://user:secret@x.example/dir", "for x.example carries a user name or password"),
        ("https://x.example/dir ectory", "spaces or control characters"),
        ("https://x.example/\x1b[2J", r"'https://x\.example/\\x1b\[2J' contains spaces or"),
    ],
)
def test_bad_endpoints(value: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        resolve(value)
    assert "secret" not in str(caught.value)
