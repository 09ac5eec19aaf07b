"""CA presets and custom directory URLs, each classified so staging and production never blur."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from urllib.parse import urlsplit

from tui.acme.errors import InputError
from tui.acme.hosts import is_loopback_host
from tui.acme.text import printable
from tui.words import counted


class Environment(Enum):
    PRODUCTION = "production"
    STAGING = "staging"
    LOCAL = "local"

    @property
    def badge(self) -> str:
        return self.value.upper()


@dataclass(frozen=True)
class Endpoint:
    name: str
    title: str
    url: str
    environment: Environment
    twin: str = ""  # the same CA's other environment: staging <-> production in one key press
    note: str = ""

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION


_PRESETS = (
    Endpoint(
        "letsencrypt",
        "Let's Encrypt",
        "https://acme-v02.api.letsencrypt.org/directory",
        Environment.PRODUCTION,
        twin="letsencrypt-staging",
    ),
    Endpoint(
        "letsencrypt-staging",
        "Let's Encrypt (staging)",
        "https://acme-staging-v02.api.letsencrypt.org/directory",
        Environment.STAGING,
        twin="letsencrypt",
    ),
    Endpoint(
        "zerossl",
        "ZeroSSL",
        "https://acme.zerossl.com/v2/DV90",
        Environment.PRODUCTION,
        note="requires External Account Binding",
    ),
    Endpoint(
        "google",
        "Google Trust Services",
        "https://dv.acme-v02.api.pki.goog/directory",
        Environment.PRODUCTION,
        twin="google-staging",
        note="requires External Account Binding",
    ),
    Endpoint(
        "google-staging",
        "Google Trust Services (staging)",
        "https://dv.acme-v02.test-api.pki.goog/directory",
        Environment.STAGING,
        twin="google",
        note="requires External Account Binding",
    ),
    Endpoint(
        "sslcom-rsa",
        "SSL.com (RSA)",
        "https://acme.ssl.com/sslcom-dv-rsa",
        Environment.PRODUCTION,
        twin="",
        note="requires External Account Binding",
    ),
    Endpoint(
        "sslcom-ecc",
        "SSL.com (ECC)",
        "https://acme.ssl.com/sslcom-dv-ecc",
        Environment.PRODUCTION,
        note="requires External Account Binding",
    ),
    Endpoint(
        "actalis",
        "Actalis",
        "https://acme-api.actalis.com/acme/directory",
        Environment.PRODUCTION,
        note="requires External Account Binding",
    ),
    Endpoint(
        "buypass",
        "Buypass Go SSL",
        "https://api.buypass.com/acme/directory",
        Environment.PRODUCTION,
        twin="buypass-staging",
        note="discontinued in 2025",
    ),
    Endpoint(
        "buypass-staging",
        "Buypass Go SSL (staging)",
        "https://api.test4.buypass.no/acme/directory",
        Environment.STAGING,
        twin="buypass",
        note="discontinued in 2025",
    ),
    Endpoint(
        "pebble",
        "Pebble (local test CA)",
        "https://localhost:14000/dir",
        Environment.LOCAL,
        note="Pebble's test CA; pass its minica.pem with --ca-bundle",
    ),
)
PRESETS: dict[str, Endpoint] = {preset.name: preset for preset in _PRESETS}


UNKNOWN_CA = Endpoint(name="", title="unknown CA", url="", environment=Environment.PRODUCTION)
"""What a traffic file that does not name its CA is shown as: never the config's CA, which may
be another one. Production, as any CA we cannot tell."""


def recorded(directory_urls: Iterable[str], request_urls: Sequence[str]) -> Endpoint:
    """The CA a traffic file was recorded with: a directory URL it names that `resolve` takes
    (the file is untrusted text) and that some request of the file went to (its scheme, host
    and port), else UNKNOWN_CA. A file naming Let's Encrypt production for requests sent to
    127.0.0.1 was badged PRODUCTION, and the reverse LOCAL. A file whose requests went to
    several such CAs is badged as the riskiest (production, then staging), its title saying
    how many others: the first one named was shown, and a file of one staging GET then 29
    production orders read STAGING. Each distinct URL is tried once: a file of 100,000
    exchanges naming one bad URL had it rejected 100,000 times."""
    found: dict[str, Endpoint] = {}
    for url in dict.fromkeys(directory_urls):
        try:
            endpoint = resolve(url)
        except InputError:
            continue
        parts = urlsplit(endpoint.url)
        origin = f"{parts.scheme}://{parts.netloc}/"
        if any(request.startswith(origin) for request in request_urls):
            found.setdefault(endpoint.url, endpoint)
    if not found:
        return UNKNOWN_CA
    risk = list(Environment)  # PRODUCTION first
    chosen = min(found.values(), key=lambda endpoint: risk.index(endpoint.environment))
    if len(found) == 1:
        return chosen
    return replace(chosen, title=f"{chosen.title} and {counted(len(found) - 1, 'other CA')}")


def resolve(name_or_url: str) -> Endpoint:
    """A preset by name, or a custom directory URL: https anywhere, plain http only on loopback.

    A custom URL off loopback counts as production: we cannot know, so we ask before changing
    anything there rather than risk treating a real CA as a sandbox.
    """
    text = name_or_url.strip()
    if text in PRESETS:
        return PRESETS[text]
    for preset in _PRESETS:
        if preset.url == text:
            return preset
    if "://" not in text:
        raise InputError(f"unknown endpoint {text!r}; use a preset ({', '.join(PRESETS)}) or a URL")
    host = _check_url(text)
    environment = Environment.LOCAL if is_loopback_host(host) else Environment.PRODUCTION
    return Endpoint(name=text, title=host, url=text, environment=environment)


def _check_url(text: str) -> str:
    """The URL parsed as the HTTP client will parse it, so a bad one is refused here with a
    reason and before any request, instead of failing somewhere in a send; returns the host."""
    shown = printable(text)
    if any(c.isspace() for c in text) or shown != text:
        raise InputError(f"endpoint URL '{shown}' contains spaces or control characters")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InputError(f"endpoint URL {text!r} does not parse: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise InputError(f"endpoint URL must be https:// (got {parts.scheme}://)")
    host = parts.hostname or ""
    if not host:
        raise InputError(f"endpoint URL {text!r} has no host")
    if port == 0:
        raise InputError(f"endpoint URL {text!r}: port 0 is not a port to connect to")
    if parts.username is not None or parts.password is not None:
        raise InputError(f"endpoint URL for {host} carries a user name or password; ACME uses none")
    if parts.scheme == "http" and not is_loopback_host(host):
        raise InputError(f"refusing plain http:// for {host}: ACME needs https off loopback")
    return host
