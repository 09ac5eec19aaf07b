"""The dashboard's keys as data, in two contexts (as mitmproxy's defaultkeys.py): the global
ones, bound on the App and active on every screen, and the workspace's, bound on the main
screen. Every binding has an id, so `[keymap]` in the config file can move it (F1 lists the
ids); the help screen and the command palette are built from these lists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.binding import Binding, BindingType

if TYPE_CHECKING:
    from textual.app import App
    from textual.widget import Widget

# The left tabs in jump-key order, pane id -> (name, short name for a narrow strip): 1-6 jump
# to them, then the traffic list and the detail (navigation.py).
SIDE_PANES = {
    "pane-endpoint": ("CA", "CA"),
    "pane-key": ("Key", "Key"),
    "pane-contacts": ("Contacts", "Cont"),
    "pane-account": ("Account", "Acct"),
    "pane-orders": ("Orders", "Orders"),
    "pane-certificates": ("Certificates", "Certs"),
}
TRAFFIC_KEY, DETAIL_KEY = "7", "8"

# Moving a cursor line, the same in the traffic list and in a detail tab.
CURSOR_BINDINGS: list[BindingType] = [
    Binding("up,k", "cursor(-1)", "Up", show=False),
    Binding("down,j", "cursor(1)", "Down", show=False),
    Binding("pageup", "page(-1)", "Page up", show=False),
    Binding("pagedown", "page(1)", "Page down", show=False),
    Binding("home", "jump(0)", "First", show=False),
    Binding("end", "jump(-1)", "Last", show=False),
]

GLOBAL_BINDINGS: list[BindingType] = [
    Binding(
        "question_mark",
        "keys_here",
        "more",
        id="keys_here",
        tooltip="The keys that act where focus is",
    ),
    Binding("f1", "help", "Keys", id="help", show=False, tooltip="Every key and its keymap id"),
    Binding("q", "quit", "Quit", id="quit"),
    # Before any widget's own ctrl+c (copy, in a text box): over SSH ctrl+c means quit.
    Binding(
        "ctrl+c",
        "quit",
        "Quit",
        id="interrupt",
        show=False,
        priority=True,
        tooltip="Quit; asks first while an operation runs",
    ),
]

WORKSPACE_BINDINGS: list[BindingType] = [
    Binding("d", "directory", "Directory", id="directory", tooltip="GET the directory"),
    Binding("n", "nonce", "Nonce", id="nonce", show=False, tooltip="HEAD newNonce"),
    Binding("a", "new_account", "New acct", id="new_account", tooltip="newAccount (asks for ToS)"),
    Binding("l", "find_account", "Lookup", id="find_account", tooltip="Find the key's account"),
    Binding(
        "i", "account_info", "Info", id="account_info", show=False, tooltip="Fetch the account"
    ),
    Binding("u", "update_contacts", "Push contacts", id="update_contacts", show=False),
    Binding("t", "switch_twin", "Stg/Prod", id="switch_twin", tooltip="Staging <-> production"),
    Binding("e", "choose_endpoint", "Endpoint", id="choose_endpoint", tooltip="Pick a CA"),
    Binding("o", "open_key", "Open key", id="open_key", show=False),
    Binding("g", "generate_key", "Gen key", id="generate_key", show=False),
    Binding("m", "fix_key_mode", "chmod 600", id="fix_key_mode", show=False),
    Binding("slash", "filter", "Filter", id="filter", tooltip="Filter the traffic list"),
    Binding("x", "export_jsonl", "Export", id="export_jsonl", tooltip="Export traffic as JSONL"),
    Binding("X", "export_har", "HAR", id="export_har", show=False),
    Binding("c", "copy_exchange", "Copy", id="copy_exchange", show=False),
    Binding("s", "save_exchange", "Save", id="save_exchange", show=False),
    Binding("r", "resend", "Resend", id="resend", tooltip="Edit the payload, sign again, send"),
    Binding(
        "w",
        "toggle_wrap",
        "Wrap",
        id="toggle_wrap",
        show=False,
        tooltip="Wrap long lines in the exchange detail, or keep them whole to scroll sideways",
    ),
    Binding("I", "issue", "Issue", id="issue", tooltip="Order a certificate (Orders tab)"),
    Binding("R", "renew", "Renew", id="renew", show=False, tooltip="Renew a certificate"),
    Binding("V", "revoke", "Revoke", id="revoke", show=False, tooltip="Revoke a certificate"),
    Binding("K", "rollover", "Key rollover", id="rollover", show=False),
    Binding("D", "deactivate", "Deactivate", id="deactivate", show=False),
    *(
        Binding(str(number), f"jump('{pane}')", f"Go to {name}", id=f"jump_{pane[5:]}", show=False)
        for number, (pane, (name, _)) in enumerate(SIDE_PANES.items(), 1)
    ),
    Binding(TRAFFIC_KEY, "jump('traffic')", "Go to traffic", id="jump_traffic", show=False),
    Binding(DETAIL_KEY, "jump('detail')", "Go to detail", id="jump_detail", show=False),
    Binding(
        "less_than_sign",
        "resize_split(-1)",
        "Narrower",
        id="split_narrower",
        show=False,
        tooltip="The left panel narrower, the traffic wider",
    ),
    Binding(
        "greater_than_sign",
        "resize_split(1)",
        "Wider",
        id="split_wider",
        show=False,
        tooltip="The left panel wider",
    ),
    Binding(
        "z",
        "toggle_side",
        "Hide left",
        id="toggle_side",
        show=False,
        tooltip="Hide the left panel (traffic and detail take the width), or show it",
    ),
    Binding(
        "escape",
        "leave_field",
        "Leave field",
        id="leave_field",
        show=False,
        tooltip="Leave a text box for the traffic list, where the letter keys work again",
    ),
]


# The keys that talk to a CA or change the account key: off (not offered, not run) while a
# traffic file is inspected offline.
ONLINE_ONLY = frozenset(
    {
        "directory",
        "nonce",
        "new_account",
        "find_account",
        "account_info",
        "update_contacts",
        "switch_twin",
        "choose_endpoint",
        "open_key",
        "generate_key",
        "fix_key_mode",
        "resend",
        "issue",
        "renew",
        "revoke",
        "rollover",
        "deactivate",
    }
)


def bindings(*groups: list[BindingType]) -> list[Binding]:
    """The Binding objects of these lists (BINDINGS may also hold plain tuples)."""
    return [b for group in groups for b in group if isinstance(b, Binding)]


def _keys(keys: str) -> list[str]:
    """The keys of a binding or a [keymap] entry (`"up,k"`), in their order."""
    return [key.strip() for key in keys.split(",") if key.strip()]


def keys_left(keymap: dict[str, str], *contexts: list[BindingType]) -> list[tuple[Binding, str]]:
    """(binding, the keys it answers to) for every binding of these contexts once `keymap` is
    applied: its [keymap] entry, else its own keys less those the keymap gave to another
    binding of the same context ("" for none). Textual drops a key taken that way without a
    word (its own clash check skips bindings the keymap does not name), so F1 and the start
    notice count here what is left rather than trust the defaults."""
    left = []
    for context in contexts:
        group = bindings(context)
        for binding in group:
            if binding.id in keymap:
                left.append((binding, keymap[binding.id]))
                continue
            taken = set().union(
                *(_keys(keymap.get(o.id or "", "")) for o in group if o is not binding)
            )
            left.append((binding, ",".join(k for k in _keys(binding.key) if k not in taken)))
    return left


def displaced(keymap: dict[str, str], *contexts: list[BindingType]) -> list[tuple[str, str]]:
    """(binding id, its keys) for each binding the keymap left with no key at all."""
    return [
        (binding.id or binding.action, ", ".join(sorted(_keys(binding.key))))
        for binding, keys in keys_left(keymap, *contexts)
        if not keys
    ]


_ORDER = {b.id: i for i, b in enumerate(bindings(WORKSPACE_BINDINGS, GLOBAL_BINDINGS)) if b.id}


def display_order(binding: Binding) -> int:
    """Where a key goes in the key bar: the order of the lists above, whatever key it is bound
    to (a remapped binding comes last among Textual's active bindings, and an 80-column bar
    cut it off)."""
    return _ORDER.get(binding.id or "", len(_ORDER))


# Keys Textual's key_to_character misses (it looks their names up as Unicode names: `slash` is
# SOLIDUS), so its own "a text box takes this key" filter keeps them: the bar offered `/ Filter`
# in the filter box, where `/` types a slash.
_NAMED_CHARACTERS = {
    "slash": "/",
    "backslash": "\\",
    "at": "@",
    "minus": "-",
    "plus": "+",
    "underscore": "_",
}


def typed_character(key: str) -> str | None:
    """The character `key` types, None for a key that types none (ctrl+x, f1, enter)."""
    from textual.keys import key_to_character

    return _NAMED_CHARACTERS.get(key) or key_to_character(key)


def taken_as_text(focused: Widget | None, node: object, key: str) -> bool:
    """True when a binding of `node` on `key` does not act because the focused widget takes the
    key itself (a text box types it): not for the focused widget's own bindings."""
    if focused is None or node is focused:
        return False
    return focused.check_consume_key(key, typed_character(key))


def key_names(app: App[Any], keys: str) -> str:
    """`?` for question_mark, `<` for less_than_sign: keys as a person presses them, for a
    binding's keys or a [keymap] entry (several, comma-separated)."""
    return ", ".join(
        app.get_key_display(Binding(key.strip(), "")) for key in keys.split(",") if key.strip()
    )
