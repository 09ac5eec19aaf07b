"""How dns-01 records get published: the config's `[dns]` table, overridden by the command
line's --dns* options, as one DnsMethod. DnsMethod holds no secret (the TSIG secret is a file
path here, a provider's token stays in its `[dns.PROVIDER]` table), so the renewal settings may
remember it as it is."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

from tui.acme.errors import InputError

RFC2136 = "rfc2136"
DEFAULT_TIMEOUT = 120.0
MAX_TIMEOUT = 3600.0  # an hour: more is a typo, and nan or inf would never end the wait
# The [dns] table's own keys; any other key that holds a table is a provider's options.
KEYS = ("method", "server", "tsig_key", "tsig_algorithm", "tsig_secret_file", "alias", "timeout")


@dataclass(frozen=True)
class DnsMethod:
    method: str = ""  # "" (none: a hook or by hand), "rfc2136" or a dns-lexicon provider
    server: str = ""  # HOST[:PORT]: the update server, asked first for zone and NS hosts
    tsig_key: str = ""
    tsig_algorithm: str = ""
    tsig_secret_file: str = ""  # a path, never the secret
    alias: str = ""  # --dns-alias ZONE: publish at _acme-challenge.ZONE
    timeout: float = DEFAULT_TIMEOUT  # seconds to wait for every authoritative server

    def __post_init__(self) -> None:
        # Every DnsMethod (config, command line, renewal.toml, overrides) passes here.
        check_timeout(self.timeout, "the dns-01 timeout")

    def describe(self) -> str:
        if self.method == RFC2136:
            return f"RFC 2136 at {self.server or '(no server)'}"
        return f"{self.method} (dns-lexicon)" if self.method else "by hand"


def check_timeout(value: object, what: str) -> float:
    """The one check of a dns-01 timeout, wherever it comes from: finite, 0 < t <= 3600."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 < value <= MAX_TIMEOUT
    ):
        raise InputError(f"{what} must be more than 0 and at most {MAX_TIMEOUT:g} seconds")
    return float(value)


def from_config(table: dict[str, Any]) -> DnsMethod:
    """The config's [dns] table (settings.dns) as a DnsMethod, each key's type checked."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS and not isinstance(value, dict):
            raise InputError(f"config: dns.{key} is not a [dns] key ({', '.join(KEYS)})")
    for key in KEYS:
        if key not in table:
            continue
        value = table[key]
        if key == "timeout":
            value = check_timeout(value, "config: dns.timeout")
        elif not isinstance(value, str):
            raise InputError(f"config: dns.{key} must be a string")
        values[key] = value
    return DnsMethod(**values)


def with_overrides(base: DnsMethod, **given: Any) -> DnsMethod:
    """`base` with every option the command line gave (None: not given)."""
    known = {f.name for f in fields(DnsMethod)}
    return replace(base, **{k: v for k, v in given.items() if v is not None and k in known})


# The command line's --dns* options (argparse dests) and the DnsMethod field each sets.
OPTIONS = {
    "dns_method": "method",
    "dns_server": "server",
    "tsig_key": "tsig_key",
    "tsig_algorithm": "tsig_algorithm",
    "tsig_secret_file": "tsig_secret_file",
    "dns_alias": "alias",
    "dns_timeout": "timeout",
}


def given_options(args: Any) -> dict[str, Any]:
    """The --dns* options given on the command line, as DnsMethod fields."""
    return {
        name: getattr(args, dest)
        for dest, name in OPTIONS.items()
        if getattr(args, dest, None) is not None
    }


# What says dns-01 on the command line: the --dns* options, and --dns-hook (certbot's manual
# hooks and lego's --dns mean dns-01 alike; the README promises "any --dns* option").
IMPLYING_DNS01 = (*OPTIONS, "dns_hook")


def implied_challenge(challenge: str | None, args: Any) -> str:
    """`--dns rfc2136` or `--dns-hook CMD` says dns-01 without `--challenge dns-01`; next to
    another --challenge it is a contradiction, said so, not silently dropped. http-01 when
    neither is given."""
    given = [dest for dest in IMPLYING_DNS01 if getattr(args, dest, None) is not None]
    if not given:
        return challenge or "http-01"
    if challenge in (None, "dns-01"):
        return "dns-01"
    option = "--dns" if given[0] == "dns_method" else "--" + given[0].replace("_", "-")
    raise InputError(f"{option} publishes a dns-01 record, but --challenge is {challenge}")


def provider_table(dns: dict[str, Any], provider: str) -> dict[str, Any]:
    """[dns.PROVIDER]: the provider's options, inside the [dns] table."""
    table = dns.get(provider, {})
    if not isinstance(table, dict):
        raise InputError(f"config: dns.{provider} must be a table ([dns.{provider}])")
    return table
