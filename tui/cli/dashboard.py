"""Starting the dashboard: `acmedash` without a command, `acmedash inspect FILE` (a traffic
file, offline) and `acmedash demo` (against a throwaway local Pebble). Textual is imported
only here, and only when the dashboard starts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from tui.acme.errors import InputError
from tui.acme.key_types import DEFAULT_KEY_TYPE
from tui.cli.context import Context, Handler
from tui.cli.options import global_options
from tui.config import Settings
from tui.endpoints import resolve


def add_parsers(commands: Any) -> None:
    inspect = commands.add_parser(
        "inspect",
        help="open a JSONL or HAR traffic file in the dashboard, offline",
        description="Opens a traffic file (--traffic FILE, or the dashboard's x / X exports) "
        "in the dashboard without talking to any CA.",
    )
    inspect.add_argument("file", help="a JSONL traffic file or a HAR 1.2 file")
    demo = commands.add_parser(
        "demo",
        help="the dashboard against a throwaway local Pebble",
        description="Starts Debian's pebble and pebble-challtestsrv on free loopback ports, "
        "with a new account key, and opens the dashboard on them. Names resolve to 127.0.0.1 "
        "and Pebble validates for real against the dashboard's own responders. Your settings "
        "are neither used for the endpoint nor written; every file goes into a temporary "
        "folder, removed at exit.",
    )
    for leaf in (inspect, demo):
        global_options(leaf, nested=True)


def _run_dashboard(ctx: Context, settings: Settings, **kwargs: Any) -> int:
    from tui.dashboard.app import AcmeDashApp  # textual is imported only when it starts

    AcmeDashApp(settings, ca_bundle=ctx.args.ca_bundle, **kwargs).run()
    return 0


def cmd_dashboard(ctx: Context) -> int:
    if ctx.args.endpoint:
        ctx.settings.endpoint = resolve(ctx.args.endpoint).name
    if ctx.args.key:
        ctx.settings.account_key = ctx.args.key
    if ctx.args.contact:
        ctx.settings.contacts = ctx.contacts()
    return _run_dashboard(ctx, ctx.settings, config_path=ctx.config_path)


def cmd_inspect(ctx: Context) -> int:
    from tui.traffic_files import read_traffic

    exchanges = read_traffic(Path(ctx.args.file).expanduser())
    if not exchanges:
        raise InputError(f"{ctx.args.file}: no exchanges in this file")
    settings = replace(
        ctx.settings, endpoint=resolve(exchanges[-1].endpoint or ctx.settings.endpoint).name
    )
    return _run_dashboard(ctx, settings, config_path=None, offline=exchanges)


def cmd_demo(ctx: Context) -> int:
    """A throwaway Pebble and key in a temp folder; the user's settings are neither read for
    the endpoint nor written. Pebble really validates: names resolve to 127.0.0.1 through
    pebble-challtestsrv, and the dashboard's http-01 / tls-alpn-01 responders listen on the
    ports Pebble was told to use."""
    import tempfile

    from tui.acme import keys
    from tui.pebble import ChallTestSrv, Pebble, free_port

    with tempfile.TemporaryDirectory(prefix="acmedash-demo-") as folder:
        dns = ChallTestSrv().start()
        http_port, tls_port = free_port(), free_port()
        pebble = Pebble(
            Path(folder) / "pebble",
            extra_config={"httpPort": http_port, "tlsPort": tls_port},
            dns_server=dns.dns_server,
        )
        try:
            pebble.start()
            key_path = Path(folder) / "account.pem"
            keys.save_key(keys.generate_key(DEFAULT_KEY_TYPE), key_path)
            settings = Settings(
                endpoint=pebble.directory_url,
                account_key=str(key_path),
                contacts=["mailto:demo@example.org"],
                ca_bundle=str(pebble.ca_bundle),
                theme=ctx.settings.theme,
                keymap=ctx.settings.keymap,
            )
            ctx.args.ca_bundle = str(pebble.ca_bundle)
            return _run_dashboard(
                ctx,
                settings,
                config_path=None,
                responder_address="127.0.0.1",
                http_port=http_port,
                tls_port=tls_port,
                files_dir=Path(folder),
            )
        finally:
            pebble.stop()
            dns.stop()


HANDLERS: dict[tuple[str | None, str | None], Handler] = {
    ("inspect", None): cmd_inspect,
    ("demo", None): cmd_demo,
    (None, None): cmd_dashboard,
}
