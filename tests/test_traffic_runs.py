"""Exchange numbers in one traffic record: every client of one command counts on from the
same number, and a file holding several commands' runs shows each run apart in the list.
Against the real Pebble (tests/conftest.py) for the recording; the list from a file."""

from __future__ import annotations

from tests.conftest import CliRunner, reach
from tui.acme.traffic import Exchange
from tui.cli.command import build_parser
from tui.cli.context import Context
from tui.cli.renew import CliClients
from tui.config import load_settings
from tui.pebble import Pebble
from tui.renewal import defaults_for


async def test_every_client_of_one_command_numbers_on_from_the_last(
    cli: CliRunner, pebble: Pebble
) -> None:
    """`cert renew --all` makes a client per CA (ARI) and per account key: each counted from
    1, so one --traffic file held seq 1 twice within one run."""
    args = build_parser().parse_args([*reach(pebble), "cert", "renew", "--all"])
    ctx = Context(args, cli.config, load_settings(cli.config))
    seen: list[Exchange] = []
    ctx.observers.append(seen.append)
    async with ctx.session().client() as client:
        await client.directory()
    clients = CliClients(ctx)
    try:
        ari = await clients.unsigned(defaults_for(["a.test"], pebble.directory_url, ""))
        await ari.directory()
        await ari.new_nonce()
    finally:
        await clients.aclose()
    assert [e.seq for e in seen] == list(range(1, len(seen) + 1)), [e.seq for e in seen]
    assert len(seen) >= 3
