"""The one rule of the layers (DESIGN.md), checked on the source: imports point down only, from
the front ends (cli/, the dashboard) to session/accounts/workflow, to config/endpoints/
certstore, to acme/; and the command-line modules import each other without a circle.

Every import counts, the ones inside functions and under TYPE_CHECKING too: an upward import
that is merely deferred is still an arrow pointing up."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

TUI = Path(__file__).parent.parent / "tui"

# Higher number, higher layer. A module may import its own layer or any below it.
LAYERS = {
    "tui": 0,  # the package itself (tui/__init__.py) only
    "tui.acme": 0,
    "tui.contacts": 1,
    "tui.secret_file": 1,
    "tui.endpoints": 1,
    "tui.config": 1,
    "tui.config_edit": 1,
    "tui.config_errors": 1,
    "tui.certstore": 1,
    "tui.dns": 1,
    "tui.pebble": 1,
    "tui.store_lock": 1,
    "tui.schedule": 1,
    "tui.process_guard": 1,
    "tui.themes": 1,
    "tui.collector": 1,
    "tui.words": 1,
    "tui.user_paths": 1,
    "tui.session": 2,
    "tui.accounts": 2,
    "tui.workflow": 2,
    "tui.revocation": 2,
    "tui.traffic_log": 2,
    "tui.signing_keys": 2,
    "tui.traffic_filter": 2,
    "tui.traffic_files": 2,
    "tui.renewal": 2,
    "tui.renewal_due": 2,
    "tui.inventory": 2,
    "tui.cert_list": 2,
    "tui.renew_run": 2,
    "tui.key_rollover": 2,
    "tui.cli": 3,
    "tui.dashboard": 3,
    "tui.__main__": 4,
    "tui.launch": 4,
}
# Starting the dashboard is the command's job (`acmedash`, `inspect`, `demo`): the one arrow
# from the command line to the other front end.
LAUNCHER = "tui.cli.dashboard"
DASHBOARD = ("tui.dashboard",)


def _module(path: Path) -> str:
    parts = path.relative_to(TUI.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> int:
    for prefix in sorted(LAYERS, key=len, reverse=True):
        if module == prefix or (prefix != "tui" and module.startswith(f"{prefix}.")):
            return LAYERS[prefix]
    raise AssertionError(f"{module}: not in LAYERS; give it its place in the layers")


def _imports(path: Path) -> Iterator[str]:
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            yield base
            # `from tui.cli import account` imports the module tui.cli.account.
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _graph() -> dict[str, set[str]]:
    modules = {_module(p): p for p in TUI.rglob("*.py")}
    return {
        name: {target for target in _imports(path) if target in modules and target != name}
        for name, path in modules.items()
    }


def test_imports_point_down_only() -> None:
    upward = [
        f"{source} -> {target}"
        for source, targets in _graph().items()
        for target in targets
        if _layer(target) > _layer(source)
    ]
    assert upward == []


def test_the_command_line_starts_the_dashboard_and_uses_nothing_else_of_it() -> None:
    crossing = [
        f"{source} -> {target}"
        for source, targets in _graph().items()
        if source.startswith("tui.cli") and source != LAUNCHER
        for target in targets
        if target.startswith(DASHBOARD)
    ]
    assert crossing == []


def _in_circle_check(module: str) -> bool:
    """Both front ends and the layers between them and tui/acme/; not tui/acme/ itself
    (errors.py and models.py name each other for their types)."""
    return module.startswith(("tui.cli", "tui.dashboard")) or 1 <= _layer(module) <= 2


def test_no_circles_among_the_front_ends_and_the_layers_below() -> None:
    """A submodule importing its own package (`from tui.cli import account` runs
    tui/cli/__init__.py, already being run) is no circle; anything else that leads back is."""
    graph = {
        name: {t for t in targets if _in_circle_check(t) and not name.startswith(f"{t}.")}
        for name, targets in _graph().items()
        if _in_circle_check(name)
    }

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph[todo.pop()] - seen:
                if nxt == goal:
                    return True
                seen.add(nxt)
                todo.append(nxt)
        return False

    assert [name for name in graph if reaches(name, name)] == []


def _calls(owner: str, name: str) -> list[str]:
    """The modules that call `owner.name(...)`."""
    found = []
    for path in TUI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            called = node.func if isinstance(node, ast.Call) else None
            if (
                isinstance(called, ast.Attribute)
                and called.attr == name
                and isinstance(called.value, ast.Name)
                and called.value.id == owner
            ):
                found.append(_module(path))
    return found


def test_a_rollover_and_what_follows_it_have_one_place() -> None:
    """The renewal.toml files follow a key rollover from one function both front ends call
    (key_rollover.rollover): each front end used to call accounts.rollover and then
    inventory.follow_rollover itself, and one that forgot the second left its renewals
    signing with a key the CA refuses."""
    assert _calls("inventory", "follow_rollover") == ["tui.key_rollover"]
    assert _calls("accounts", "rollover") == ["tui.key_rollover"]
    assert sorted(_calls("key_rollover", "rollover")) == [
        "tui.cli.account",
        "tui.dashboard.key_actions",
    ]
