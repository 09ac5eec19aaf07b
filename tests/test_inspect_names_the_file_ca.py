"""`acmedash inspect FILE` names the CA the file was recorded with, never the config's: the
config may point at production while the file is from Pebble, and a header saying otherwise
misleads whoever reads the traffic. Offline: no CA is needed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Static

from tui import endpoints
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.traffic_files import read_traffic

SAMPLE = Path(__file__).parent / "data" / "sample.jsonl"
CONFIG = Settings(endpoint="letsencrypt-staging")  # what the user's config says


async def _header(path: Path) -> str:
    app = AcmeDashApp(CONFIG, config_path=None, offline=read_traffic(path))
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        return str(app.screen.query_one("#bar", Static).content)


async def test_the_header_names_the_file_ca() -> None:
    header = await _header(SAMPLE)
    assert "127.0.0.1" in header and "Let's Encrypt" not in header, header


async def test_a_file_that_does_not_say_is_unknown_ca(tmp_path: Path) -> None:
    records = [json.loads(line) for line in SAMPLE.read_text().splitlines()]
    silent = tmp_path / "silent.jsonl"
    silent.write_text("".join(json.dumps({**r, "endpoint": ""}) + "\n" for r in records))
    header = await _header(silent)
    assert "unknown CA" in header and "Let's Encrypt" not in header, header


def test_each_named_url_is_tried_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file of 100,000 exchanges naming one rejected URL had it checked 100,000 times."""
    tried: list[str] = []
    real = endpoints.resolve

    def counting(url: str) -> endpoints.Endpoint:
        tried.append(url)
        return real(url)

    monkeypatch.setattr(endpoints, "resolve", counting)
    named = ["http://ca.example/dir"] * 1000 + ["https://127.0.0.1:14000/dir"] * 1000
    requests = ["https://127.0.0.1:14000/nonce-plz"]
    assert "127.0.0.1" in endpoints.recorded(iter(named), requests).url
    assert tried == ["http://ca.example/dir", "https://127.0.0.1:14000/dir"]


@pytest.mark.parametrize(
    ("named", "sent_to", "badge"),
    [
        ("letsencrypt", "https://127.0.0.1:14000/dir", "unknown CA"),
        (
            "https://127.0.0.1:14000/dir",
            "https://acme-v02.api.letsencrypt.org/directory",
            "unknown CA",
        ),
        ("https://127.0.0.1:14000/dir", "https://127.0.0.1:14000/dir", "127.0.0.1"),
    ],
)
def test_a_file_naming_a_ca_its_requests_never_went_to_is_unknown_ca(
    named: str, sent_to: str, badge: str
) -> None:
    """Attacker review, session 8: the badge trusted the file's `endpoint` field alone, so a
    file could dress Pebble traffic as PRODUCTION / Let's Encrypt, or production as LOCAL."""
    url = endpoints.resolve(named).url
    assert endpoints.recorded([url], [sent_to, sent_to + "x"]).title == badge


@pytest.mark.parametrize("order", [1, -1])
def test_a_file_of_several_cas_is_badged_as_the_riskiest(order: int) -> None:
    """Attacker review, session 9: one GET to Let's Encrypt staging, then 29 orders sent to
    production, read STAGING (the first CA the file named); in the other order, PRODUCTION."""
    staging, production = endpoints.PRESETS["letsencrypt-staging"], endpoints.PRESETS["letsencrypt"]
    named = [staging.url, production.url][::order]
    sent = [staging.url, *[production.url.replace("/directory", "/acme/new-order")] * 29]
    shown = endpoints.recorded(named, sent[::order])
    assert shown.environment is endpoints.Environment.PRODUCTION
    assert shown.title == f"{production.title} and 1 other CA"
