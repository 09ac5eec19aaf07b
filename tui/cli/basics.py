"""`acmedash directory` and `acmedash config import-ini`: the commands that need neither an
account nor the dashboard."""

from __future__ import annotations

from typing import Any

from tui.acme.text import printable
from tui.cli.context import Context, Handler
from tui.cli.options import global_options
from tui.config import import_ini, save_settings
from tui.user_paths import user_path


def add_directory_parser(commands: Any) -> None:
    directory = commands.add_parser("directory", help="fetch and show the directory")
    directory.add_argument("--json", action="store_true")
    global_options(directory, nested=True)


def add_config_parsers(commands: Any) -> None:
    config = commands.add_parser("config", help="settings file tools").add_subparsers(
        dest="config_command", metavar="ACTION", required=True
    )
    ini = config.add_parser("import-ini", help="import the acme.ini of the NeoPrime scripts")
    ini.add_argument("file")
    global_options(ini, nested=True)


async def cmd_directory(ctx: Context) -> int:
    async with ctx.session().client() as client:
        directory = await client.directory()
    p = printable
    endpoint = ctx.endpoint()
    lines = [f"{p(endpoint.title)}  [{endpoint.environment.badge}]  {p(client.directory_url)}"]
    lines += [
        f"  {p(name)}: {p(value)}"
        for name, value in directory.raw.items()
        if isinstance(value, str)
    ]
    meta = directory.meta
    lines.append("meta:")
    lines.append(f"  termsOfService: {p(meta.terms_of_service) or '(none)'}")
    lines.append(f"  website: {p(meta.website) or '(none)'}")
    lines.append(f"  caaIdentities: {p(', '.join(meta.caa_identities)) or '(none)'}")
    lines.append(f"  externalAccountRequired: {str(meta.external_account_required).lower()}")
    lines.append(f"  profiles: {p(', '.join(meta.profiles)) or '(none)'}")
    ctx.emit(directory.raw, "\n".join(lines))
    return 0


def cmd_config_import_ini(ctx: Context) -> int:
    changed = import_ini(user_path(ctx.args.file), ctx.settings)
    save_settings(ctx.settings, ctx.config_path)
    ctx.out.write(f"imported {len(changed)} settings into {ctx.config_path}\n")
    ctx.out.write("".join(f"  {printable(line)}\n" for line in changed))
    return 0


HANDLERS: dict[tuple[str | None, str | None], Handler] = {
    ("directory", None): cmd_directory,
    ("config", "import-ini"): cmd_config_import_ini,
}
