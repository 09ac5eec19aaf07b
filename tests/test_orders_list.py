"""`account orders` against a CA whose orders list has no end: pages, URLs and order fetches
are bounded, repeats are fetched once, and what was left out is said.

The server is tests/scripted_ca.py on 127.0.0.1, not Pebble: Pebble's orders lists are honest
and short, and cannot be made endless or padded with repeats."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import CliRunner
from tests.scripted_ca import Answer, ScriptedCa, scripted_ca
from tui.acme.orders import MAX_ORDER_PAGES, MAX_ORDER_URLS
from tui.cli.account import SHOWN_ORDERS

ORDER = {"status": "valid", "identifiers": [{"type": "dns", "value": "a.test"}]}


@pytest.fixture
def ca() -> Iterator[ScriptedCa]:
    with scripted_ca() as server:
        account = {"status": "valid", "orders": f"{server.base}/orders/0"}
        server.routes["/acct"] = Answer(201, account, headers={"Location": f"{server.base}/acct/1"})
        server.routes["/acct/1"] = Answer(200, account)
        yield server


def _orders(cli: CliRunner, ca: ScriptedCa) -> tuple[str, list[str]]:
    """stderr of `account orders`, and the paths it asked for under /orders/ and /o/."""
    assert cli("key", "generate", "k.pem").returncode == 0
    result = cli("--endpoint", ca.directory_url, "--key", "k.pem", "account", "orders")
    assert result.returncode == 0, result.stderr
    asked = [path for _, path in ca.requests if path.startswith(("/orders/", "/o/"))]
    return result.stderr, asked


def test_endless_next_pages_stop_at_the_page_cap(cli: CliRunner, ca: ScriptedCa) -> None:
    """Every page names a next one (a bounded script, 50 pages past the cap): it was 1.6 GiB in
    20 s and no end."""
    for n in range(MAX_ORDER_PAGES + 50):
        link = {"Link": f'<{ca.base}/orders/{n + 1}>;rel="next"'}
        ca.routes[f"/orders/{n}"] = Answer(body={"orders": [f"{ca.base}/o/{n}"]}, headers=link)
        ca.routes[f"/o/{n}"] = Answer(body=ORDER)
    stderr, asked = _orders(cli, ca)
    pages = [path for path in asked if path.startswith("/orders/")]
    assert len(pages) == MAX_ORDER_PAGES
    assert len(asked) - len(pages) == min(SHOWN_ORDERS, MAX_ORDER_PAGES)
    assert "the CA lists more orders than acmedash reads; the first 100 shown" in stderr


def test_a_page_of_repeats_and_many_orders_fetches_each_shown_order_once(
    cli: CliRunner, ca: ScriptedCa
) -> None:
    """One page: 150 orders, each named three times, among empty strings and non-strings. Each
    of the first 100 is fetched once; the other 50 are counted, not fetched."""
    urls = [f"{ca.base}/o/{n}" for n in range(150)]
    ca.routes["/orders/0"] = Answer(body={"orders": [*urls, "", 5, None, *urls, *urls]})
    for n in range(150):
        ca.routes[f"/o/{n}"] = Answer(body=ORDER)
    stderr, asked = _orders(cli, ca)
    fetched = [path for path in asked if path.startswith("/o/")]
    assert sorted(fetched) == sorted(f"/o/{n}" for n in range(SHOWN_ORDERS))
    assert "50 more orders not shown; the first 100 are" in stderr


def test_more_urls_than_the_cap_is_said(cli: CliRunner, ca: ScriptedCa) -> None:
    """One page of more distinct URLs than MAX_ORDER_URLS: only the first 100 are fetched, and the
    cut is said."""
    urls = [f"{ca.base}/o/{n}" for n in range(MAX_ORDER_URLS + 1)]
    ca.routes["/orders/0"] = Answer(body={"orders": urls})
    for n in range(SHOWN_ORDERS):
        ca.routes[f"/o/{n}"] = Answer(body=ORDER)
    stderr, _ = _orders(cli, ca)
    assert "the CA lists more orders than acmedash reads" in stderr
