"""Shared fixtures: a real Pebble (Debian's `pebble` package) per test session, and a way to run
the real `acmedash` command. A missing pebble binary fails the tests that need it; it never
skips them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tui.pebble import Pebble, PebbleError


def _start(folder: Path, env: dict[str, str] | None = None) -> Pebble:
    try:
        return Pebble(folder, env=env or {}).start()
    except PebbleError as exc:
        pytest.fail(f"cannot start Pebble: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def pebble(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pebble]:
    """Pebble with its default 5% badNonce rejection left on: a free robustness test."""
    server = _start(tmp_path_factory.mktemp("pebble"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def harsh_pebble(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pebble]:
    """Pebble rejecting half of all nonces."""
    server = _start(tmp_path_factory.mktemp("pebble-harsh"), {"PEBBLE_WFE_NONCEREJECT": "50"})
    yield server
    server.stop()


def reach(pebble: Pebble) -> list[str]:
    """The global options that point the CLI at a test Pebble."""
    return ["--endpoint", pebble.directory_url, "--ca-bundle", str(pebble.ca_bundle)]


@dataclass
class CliRunner:
    """Runs the real command in a subprocess, so exit codes, stderr and tracebacks are real."""

    workdir: Path
    config: Path

    def __call__(
        self, *args: str, stdin: str = "", env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "ACMEDASH_CONFIG": str(self.config), **(env or {})}
        return subprocess.run(
            [sys.executable, "-m", "tui", *args],
            cwd=self.workdir,
            input=stdin,
            capture_output=True,
            text=True,
            env=full_env,
            timeout=120,
            check=False,
        )


@pytest.fixture
def cli(tmp_path: Path) -> CliRunner:
    return CliRunner(tmp_path, tmp_path / "config.toml")
