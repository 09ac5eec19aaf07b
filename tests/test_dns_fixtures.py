"""The DNS fixtures fail loudly, naming the Debian package, when a server binary is missing;
the dns tests never skip."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.dns_servers import Bind, PowerDns
from tui.pebble import PebbleError


@pytest.mark.parametrize(
    ("server", "package"), [(Bind, "apt-get install bind9"), (PowerDns, "apt-get install pdns")]
)
def test_a_missing_server_binary_is_an_error_naming_the_package(
    server: type[Bind] | type[PowerDns],
    package: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda *_args, **_kwargs: None)
    with pytest.raises(PebbleError, match=package):
        server(tmp_path).start()
