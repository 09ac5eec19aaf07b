"""Starting the dashboard: `acmedash` without a command, `acmedash inspect FILE` (a traffic
file, offline) and `acmedash demo` (against a throwaway local Pebble). Textual is imported
only here, and only when the dashboard starts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from tui import collector
from tui.acme.errors import InputError
from tui.acme.key_types import DEFAULT_KEY_TYPE
from tui.cli.context import Context, Handler
from tui.cli.options import global_options
from tui.config import Settings
from tui.endpoints import resolve
from tui.user_paths import user_path

PEBBLE_FOLDER = "pebble"
DEMO_KEY = "account.pem"
DEMO_STORE = "certs"  # where the Orders tab puts certificates in the demo: files_dir/certs


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
        "are neither used nor written (only the theme and keymap are taken): every file, "
        "certificates and exports included, goes into a temporary folder, which is also the "
        "demo's certificate store. At exit the folder is removed if nothing was saved in it, "
        "else kept, and its path is printed.",
    )
    for leaf in (inspect, demo):
        global_options(leaf, nested=True)


def _run_dashboard(ctx: Context, settings: Settings, **kwargs: Any) -> int:
    from tui.dashboard.app import AcmeDashApp  # textual is imported only when it starts

    try:
        # --traffic FILE records what the dashboard sends too (it was opened, and left empty)
        app = AcmeDashApp(settings, ca_bundle=ctx.args.ca_bundle, recorders=ctx.observers, **kwargs)
        app.run()
    finally:
        collector.resume()  # if it quit before its first paint
    return 0


def cmd_dashboard(ctx: Context) -> int:
    """--endpoint, --key and --contact are for this run, as for any command: the dashboard
    starts with them, and its saves keep the config's values unless changed in it."""
    settings = ctx.settings
    given: dict[str, object] = {}
    if ctx.args.endpoint:
        given["endpoint"] = resolve(ctx.args.endpoint).name
    if ctx.args.key:
        given["account_key"] = ctx.args.key
    if ctx.args.contact:
        given["contacts"] = ctx.contacts()
    for_this_run = {name: (getattr(settings, name), value) for name, value in given.items()}
    for name, value in given.items():
        setattr(settings, name, value)
    return _run_dashboard(ctx, settings, config_path=ctx.config_path, for_this_run=for_this_run)


def cmd_inspect(ctx: Context) -> int:
    from tui.traffic_files import read_traffic

    exchanges = read_traffic(user_path(ctx.args.file))
    if not exchanges:
        raise InputError(f"{ctx.args.file}: no exchanges in this file")
    return _run_dashboard(ctx, ctx.settings, config_path=None, offline=exchanges)


@contextmanager
def demo_world(
    look: Settings, say: Callable[[str], object]
) -> Iterator[tuple[Settings, dict[str, Any]]]:
    """The demo's world, for AcmeDashApp(settings, **kwargs): a throwaway Pebble and account key
    in a temp folder that is also its certificate store, so the demo neither reads nor writes
    the user's config, store or store registry (elsewhere.toml); only the look (theme, keymap)
    is taken from `look`. Pebble really validates: names resolve to 127.0.0.1 through
    pebble-challtestsrv, and the dashboard's http-01 / tls-alpn-01 responders listen on the
    ports Pebble was told to use.

    At the end the folder is removed when it holds only what the demo made itself; when the
    user saved something there (a certificate, a traffic export, a key) it is kept, since
    removing it would lose their work without a word. `say` is told which, and where."""
    import tempfile

    from tui.acme import keys
    from tui.pebble import ChallTestSrv, Pebble, free_port

    folder = Path(tempfile.mkdtemp(prefix="acmedash-demo-"))
    with ExitStack() as stack:
        stack.callback(_clear_away, folder, say)
        dns = ChallTestSrv().start()
        stack.callback(dns.stop)
        http_port, tls_port = free_port(), free_port()
        pebble = Pebble(
            folder / PEBBLE_FOLDER,
            extra_config={"httpPort": http_port, "tlsPort": tls_port},
            dns_server=dns.dns_server,
        )
        stack.callback(pebble.stop)
        pebble.start()
        key_path = folder / DEMO_KEY
        keys.save_key(keys.generate_key(DEFAULT_KEY_TYPE), key_path)
        settings = Settings(
            endpoint=pebble.directory_url,
            account_key=str(key_path),
            contacts=["mailto:demo@example.org"],
            ca_bundle=str(pebble.ca_bundle),
            certs_dir=str(folder / DEMO_STORE),
            theme=look.theme,
            keymap=look.keymap,
        )
        responder = {"responder_address": "127.0.0.1", "http_port": http_port, "tls_port": tls_port}
        yield (
            settings,
            {
                "config_path": None,
                "ca_bundle": str(pebble.ca_bundle),
                "files_dir": folder,
                **responder,
            },
        )


def _saved(folder: Path) -> list[str]:
    """What is in the demo's folder that the demo did not make: the store's certificates
    (not its lock), exports, keys."""
    found: list[str] = []
    for entry in sorted(folder.iterdir()):
        if entry.name == DEMO_STORE and entry.is_dir():
            found += [
                f"{DEMO_STORE}/{e.name}" for e in sorted(entry.iterdir()) if e.name != ".lock"
            ]
        elif entry.name not in (PEBBLE_FOLDER, DEMO_KEY):
            found.append(entry.name)
    return found


def _clear_away(folder: Path, say: Callable[[str], object]) -> None:
    import shutil

    saved = _saved(folder)
    if not saved:
        shutil.rmtree(folder, ignore_errors=True)
        say(f"acmedash demo: removed its folder {folder} (nothing was saved there)")
        return
    shown = ", ".join(saved[:5]) + (f" and {len(saved) - 5} more" if len(saved) > 5 else "")
    say(f"acmedash demo: kept its folder {folder}: you saved {shown} there; delete it when done")


def cmd_demo(ctx: Context) -> int:
    with demo_world(ctx.settings, lambda line: ctx.err.write(line + "\n")) as (settings, options):
        ctx.args.ca_bundle = options.pop("ca_bundle")
        return _run_dashboard(ctx, settings, **options)


HANDLERS: dict[tuple[str | None, str | None], Handler] = {
    ("inspect", None): cmd_inspect,
    ("demo", None): cmd_demo,
    (None, None): cmd_dashboard,
}
