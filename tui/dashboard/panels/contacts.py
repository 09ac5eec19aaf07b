"""Contacts panel: add, edit and remove account contacts, validated before they are kept. A
change is saved in the settings or, when this key has an account at this CA, pushed to it and
saved once the CA took it (main_screen.py): the label above the box says which, so Enter does
nothing unannounced."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from tui.acme.errors import InputError
from tui.contacts import normalise_contact
from tui.dashboard.panels.choice import QuietList
from tui.dashboard.panels.text_box import TextBox


class ContactsPanel(Vertical):
    BINDINGS = [
        Binding("delete,backspace", "remove", "Remove contact", id="contacts.remove"),
        Binding("e", "edit", "Edit contact", id="contacts.edit"),
        # The list claims its letters (QuietList), the screen's `u` among them: the help line
        # below promised `u` here, and it did nothing.
        Binding("u", "screen.update_contacts", "Push contacts", id="contacts.push"),
    ]

    class Changed(Message):
        def __init__(self, contacts: list[str]) -> None:
            self.contacts = contacts
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.contacts: list[str] = []
        # The contact being edited, by value: by its index, a contact removed meanwhile made
        # Enter write past the list's end (IndexError, the dashboard gone) or over another.
        self._editing: str | None = None
        self._list = QuietList(id="contacts-list")
        self._label = Static(id="contact-label", classes="label")

    # {kept}: Workspace.kept, "for this session only" in a demo, which saves no settings.
    SAVED_ONLY = "Add: Enter keeps it {kept} (no account at this CA yet)"
    PUSHES = "Add: Enter updates your account at this CA, then keeps it {kept}"
    PUSHES_PRODUCTION = "Add: Enter asks to update your PRODUCTION account, then keeps it {kept}"

    def compose(self) -> ComposeResult:
        yield self._list
        yield self._label
        yield TextBox(placeholder="you@example.org", id="contact-input")
        yield Static("e: edit  del: remove  u: push to the account", id="contacts-help")

    def show_push(self, account: bool, production: bool, kept: str) -> None:
        """Whether a change goes to an account too (`account`), at a production CA, and where
        the settings keep it (`kept`)."""
        label = self.PUSHES_PRODUCTION if production else self.PUSHES
        self._label.update((label if account else self.SAVED_ONLY).format(kept=kept))

    def set_contacts(self, contacts: list[str]) -> None:
        """The list shows `contacts`, the same row highlighted (the first one at first: `e`
        and Delete, offered in the key bar, did nothing until an arrow key highlighted one)."""
        was = self._list.highlighted or 0
        self.contacts = list(contacts)
        self._list.clear_options()
        self._list.add_options(self.contacts)
        if self.contacts:
            self._list.highlighted = min(was, len(self.contacts) - 1)
        if self._editing is not None and self._editing not in self.contacts:
            self._end_edit()

    def _end_edit(self) -> None:
        self._editing = None
        self.query_one("#contact-input", Input).placeholder = "you@example.org"

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            contact = normalise_contact(event.value)
        except InputError as exc:
            self.notify(str(exc), severity="error")
            return
        if self._editing in self.contacts:
            self.contacts[self.contacts.index(self._editing)] = contact
        elif contact not in self.contacts:
            self.contacts.append(contact)
        event.input.value = ""
        self._end_edit()
        self._changed()

    def _selected(self) -> int | None:
        index = self._list.highlighted
        return index if index is not None and index < len(self.contacts) else None

    def action_remove(self) -> None:
        index = self._selected()
        if index is not None:
            del self.contacts[index]
            self._changed()

    def action_edit(self) -> None:
        index = self._selected()
        if index is None:
            return
        self._editing = self.contacts[index]
        contact_input = self.query_one("#contact-input", Input)
        contact_input.value = self.contacts[index]
        contact_input.placeholder = "edit contact (Enter to keep)"
        contact_input.focus()

    def _changed(self) -> None:
        self.set_contacts(self.contacts)
        self.post_message(self.Changed(list(self.contacts)))
