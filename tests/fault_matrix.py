"""What the fault matrix shares between its CLI and dashboard tests: the operations, the
account and config every cell starts from, the checks that no file was lost or half written,
and the faults x operations table the test session prints (conftest's terminal summary) and
the README shows."""

from __future__ import annotations

import resource
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from tests.fault_proxy import FAULTS, Rule
from tui.acme import keys
from tui.config import load_settings, save_settings

# (method, path prefix at Pebble) of each operation, in the order of an issuance.
OPERATIONS: dict[str, tuple[str, str]] = {
    "directory": ("GET", "/dir"),
    "nonce": ("HEAD", "/nonce-plz"),
    "account new": ("POST", "/sign-me-up"),
    "account show": ("POST", "/my-account/"),
    "account update": ("POST", "/my-account/"),
    "order": ("POST", "/order-plz"),
    "authorization": ("POST", "/authZ/"),
    "challenge": ("POST", "/chalZ/"),
    "finalize": ("POST", "/finalize-order/"),
    "download": ("POST", "/certZ/"),
    "revoke": ("POST", "/revoke-cert"),
}
STEADY = {"PEBBLE_WFE_NONCEREJECT": "0"}
# POSTs acmedash does not repeat after a failure, since the CA may have acted on the first
# (core.post's `idempotent`): account update, newOrder, a challenge, a revocation. Every GET,
# HEAD, POST-as-GET, the account lookup and finalize are repeated (RFC 9110 §9.2.2).
ONE_SHOT = {"account update", "order", "challenge", "revoke"}
# Answers with no body to spoil: HEAD newNonce, and revocation's empty 200.
BODILESS = {"nonce", "revoke"}
# Short limits, so that a stall or a trickle costs seconds, not the default minute.
TIMEOUTS = {"connect": 3.0, "read": 1.5, "request": 4.0, "retry_after_max": 5.0}
# No cell may take longer, whatever the fault: retries and waits included.
WALL_BOUND = 25.0
# Peak resident memory may not grow more in a cell: the 64 MiB body must not be kept.
MEMORY_BOUND_MIB = 48

# (fault, operation) -> what happened, for the table.
RESULTS: dict[tuple[str, str], str] = {}
DASHBOARD_RESULTS: dict[tuple[str, str], str] = {}


def expected(fault: str, operation: str) -> int:
    """The exit code each cell must end with, and why, by fault."""
    once = operation in ONE_SHOT
    if fault == "stall":  # a timeout already cost the whole time: reported (3)
        return 3
    if fault in ("trickle", "reset-mid-body", "truncated") and operation in BODILESS:
        return 0  # nothing to trickle or cut
    if fault == "trickle":  # the request's deadline ends it: reported (3)
        return 3
    if fault in ("reset-before", "reset-mid-body", "truncated", "two-lengths"):
        return 3 if once else 0  # a network failure: repeated when harmless, else reported
    if fault in ("500", "502-html"):
        return 1 if once else 0  # a 5xx without Retry-After: the same
    if fault.endswith(("-after-secs", "-after-date")):
        return 0  # RFC 8555 §6.6 / RFC 9110 §10.2.3: waited out, then repeated
    if fault.endswith("-after-huge") or fault == "problem-no-type":
        return 1  # a wait past retry_after_max, or a problem: the CA's answer, reported
    if fault == "huge-body":
        return 0 if operation == "nonce" else 1  # refused past the size limit; HEAD has no body
    if fault == "json-array" and operation == "directory":
        return 2  # not a directory: the URL the user gave is the wrong one
    if fault == "json-array":
        return 0 if operation in BODILESS else 1
    if fault == "no-nonce":  # a POST's answer without one: a fresh one from newNonce
        return 1 if operation == "nonce" else 0
    if fault == "no-location":  # RFC 8555 §7.3, §7.4: the new account's or order's URL
        return 1 if operation in ("account new", "order") else 0
    if fault == "wrong-type":  # JSON read as JSON whatever the label: nothing lost
        return 0
    raise AssertionError(f"no expectation for {fault}")


def rule(fault: str, operation: str) -> Rule:
    method, path = OPERATIONS[operation]
    return Rule(method, path, fault)


@dataclass
class Start:
    """An account key and a config that remembers its account at Pebble, with short timeouts:
    copied into each cell's folder."""

    folder: Path

    @property
    def key(self) -> Path:
        return self.folder / "account.pem"

    @property
    def config(self) -> Path:
        return self.folder / "config.toml"

    def copy_to(self, folder: Path) -> tuple[Path, Path]:
        key, config = folder / "account.pem", folder / "config.toml"
        shutil.copy2(self.key, key)
        shutil.copy2(self.config, config)
        settings = load_settings(config)
        settings.account_key = str(key)
        save_settings(settings, config)
        return key, config


def short_timeouts(config: Path) -> None:
    settings = load_settings(config)
    for name, value in TIMEOUTS.items():
        setattr(settings.timeouts, name, value)
    save_settings(settings, config)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def assert_files_whole(folder: Path, key_bytes: bytes) -> None:
    """Nothing lost or half written: the account key as it was and 0600, the config parses
    and still remembers the account, every certificate file parses whole, no temp file left."""
    key = folder / "account.pem"
    assert key.read_bytes() == key_bytes
    assert key.stat().st_mode & 0o777 == 0o600
    config = folder / "config.toml"
    assert config.stat().st_mode & 0o777 == 0o600
    assert tomllib.loads(config.read_text())["accounts"], "the remembered account was lost"
    for path in folder.rglob("*"):
        assert not path.name.endswith(".tmp"), f"temp file left: {path}"
        if path.suffix == ".pem" and path.name != "account.pem":
            text = path.read_bytes()
            if b"PRIVATE KEY" in text:
                keys.load_key(path)
                assert path.stat().st_mode & 0o777 == 0o600
            else:
                assert x509.load_pem_x509_certificates(text)


def outcome(code: int, seconds: float) -> str:
    """A cell of the table: how it ended and how long it took."""
    word = {0: "ok", 1: "CA err (1)", 2: "input (2)", 3: "net err (3)"}.get(code, f"EXIT {code}")
    return f"{word} {seconds:.1f}s"


def table(results: dict[tuple[str, str], str], title: str) -> list[str]:
    """Markdown: a row per fault, a column per operation."""
    if not results:
        return []
    operations = [op for op in OPERATIONS if any(op == o for _, o in results)]
    lines = [
        f"### {title}",
        "",
        "| fault | " + " | ".join(operations) + " |",
        "| --- | " + " | ".join("---" for _ in operations) + " |",
    ]
    for fault in FAULTS:
        if not any(f == fault for f, _ in results):
            continue
        cells = [results.get((fault, op), "") for op in operations]
        lines.append(f"| {fault} | " + " | ".join(cells) + " |")
    return lines
