"""The TLS trust store head start (tui/acme/trust.py) gives the same answers as building the
context on the spot, errors included."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.acme import trust
from tui.acme.errors import InputError
from tui.pebble import Pebble


def test_preloaded_context_trusts_the_named_bundle(pebble: Pebble) -> None:
    trust.preload(pebble.ca_bundle)
    context = trust.context(pebble.ca_bundle)
    subjects = [dict(item[0] for item in ca["subject"]) for ca in context.get_ca_certs()]
    assert {"commonName": "acmedash test CA"} in subjects
    # Taken once: the next client gets a context of its own.
    assert trust.context(pebble.ca_bundle) is not context


def test_preload_for_another_bundle_is_not_used(pebble: Pebble, tmp_path: Path) -> None:
    trust.preload(tmp_path / "other.pem")
    context = trust.context(pebble.ca_bundle)
    assert any(
        dict(item[0] for item in ca["subject"]) == {"commonName": "acmedash test CA"}
        for ca in context.get_ca_certs()
    )


def test_a_broken_bundle_is_reported_from_the_preload(tmp_path: Path) -> None:
    bundle = tmp_path / "broken.pem"
    bundle.write_text("not a certificate\n")
    trust.preload(bundle)
    with pytest.raises(InputError, match="cannot load CA bundle"):
        trust.context(bundle)
