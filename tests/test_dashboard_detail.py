"""The exchange detail pane: nothing the CA sent is out of reach, however long its lines.
Driven with Pilot on hand-made exchanges, no network."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from rich.style import Style
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, OptionList

from tests.conftest import wait_for_screen, wait_until
from tests.test_traffic import _rollover
from tui.acme import jose, keys
from tui.acme.encoding import b64url
from tui.acme.traffic import Exchange, signature_valid
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.exchange_parts import NoCurl, curl, parts
from tui.dashboard.panels.document import Document
from tui.dashboard.panels.exchange_detail import SearchBox
from tui.dashboard.panels.exchange_views import Context, request_view
from tui.dashboard.panels.tabs import TabbedPanes
from tui.dashboard.panels.traffic_list import TrafficList
from tui.dashboard.screens.copy_part import CopyPartScreen
from tui.dashboard.screens.prompt import PromptScreen
from tui.traffic_files import read_traffic

SIZE = (80, 24)
LONG = "https://ca.test/acme/cert/" + "0123456789abcdef" * 8 + "/END-OF-LINE"


def _exchange() -> Exchange:
    body = json.dumps({"status": "valid", "certificate": LONG, "expires": "2026-12-26T00:00:00Z"})
    return Exchange(
        seq=1,
        started=datetime(2026, 11, 26, tzinfo=UTC),
        endpoint="https://ca.test/dir",
        method="POST",
        url="https://ca.test/acme/order/1",
        request_headers=[],
        request_body=b"",
        status=200,
        response_headers=[("content-type", "application/json")],
        response_body=body.encode(),
    )


def _shown(app: AcmeDashApp, widget: Widget) -> str:
    region = widget.scrollable_content_region
    strips = app.screen._compositor.render_strips()
    rows = strips[region.y : region.bottom]
    return "\n".join(s.text[region.x : region.right].rstrip() for s in rows)


async def test_long_lines_wrap_and_w_turns_them_into_a_sideways_scroll() -> None:
    app = AcmeDashApp(Settings(endpoint="pebble"), config_path=None, offline=[_exchange()])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tabs = app.query_one("#exchange-detail TabbedPanes", TabbedPanes)
        tabs.active = "tab-response"
        await pilot.pause()
        pane = app.query_one("#detail-response", Document)
        pane.scroll_end(animate=False)
        await pilot.pause()
        shown = _shown(app, pane)
        assert "END-OF-LINE" in shown.replace("\n", ""), "wrapped: every character on screen"
        assert '"status": "valid",\n' in shown, "the JSON keeps its lines"

        await pilot.press("w")  # no wrap: one JSON line per line, scrolled sideways
        await pilot.pause()
        assert pane.max_scroll_x > 0
        assert "END-OF-LINE" not in _shown(app, pane)
        pane.focus()
        await pilot.press("end", "right", "right", "right")  # to the bottom, then sideways
        pane.scroll_to(x=pane.max_scroll_x, animate=False)
        await pilot.pause()
        assert "END-OF-LINE" in _shown(app, pane)

        await pilot.press("w")
        await pilot.pause()
        assert pane.max_scroll_x == 0


def _tall() -> Exchange:
    """An answer taller than the pane however it is laid out, with a line wider than it."""
    headers = [(f"x-header-{n}", "value") for n in range(20)]
    return replace(_exchange(), response_headers=headers)


async def test_a_tab_filled_while_hidden_wraps_to_the_pane_when_shown() -> None:
    """A tab is filled when chosen, while still hidden: with no width to fold to it kept a
    row per line, and Textual, having placed it already, sent it no Resize, so every long
    line was cut at the edge (`nonce ... came from` ended there, `#18 POST ...` was lost).
    Two exchanges recorded from Pebble (`acmedash demo`, then `x`): from the first one's Raw
    tab to the second one's Response tab."""
    recorded = read_traffic(Path(__file__).parent / "data" / "pebble_challenge_then_authz.jsonl")
    app = _app(*recorded)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tabs = app.query_one("#exchange-detail TabbedPanes", TabbedPanes)
        app.query_one(TrafficList).focus()
        await pilot.press("home")
        tabs.active = "tab-response"
        await pilot.pause()
        tabs.active = "tab-raw"
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause()
        tabs.active = "tab-response"
        await pilot.pause()
        response = app.query_one("#detail-response", Document)
        rows = _shown(app, response).split("\n")
        width = response.scrollable_content_region.width
        assert max(map(len, response.plain.split("\n"))) > width, "a line wider than the pane"
        squeezed = "".join(rows).replace(" ", "")
        assert squeezed in response.plain.replace("\n", "").replace(" ", ""), rows


async def test_another_exchange_is_shown_from_its_first_line_and_column() -> None:
    """The sideways and vertical scroll of one exchange carried over to the next one."""
    app = _app(_tall(), replace(_tall(), seq=2))
    async with app.run_test(size=SIZE) as pilot:
        response = await _open(pilot)
        await pilot.press("w")  # no wrap: long lines scroll sideways
        response.scroll_to(x=response.max_scroll_x, y=response.max_scroll_y, animate=False)
        await pilot.pause()
        assert response.scroll_x > 0 and response.scroll_y > 0
        app.query_one(TrafficList).focus()
        await pilot.press("up")  # the other exchange (the list starts at the newest)
        await pilot.pause()
        assert (response.scroll_x, response.scroll_y) == (0, 0)
        assert _shown(app, response).startswith(" 200\nHeaders")  # its first line, whole


def _nested() -> Exchange:
    """A GET (unsigned: it has a curl form) whose answer nests objects three deep and says
    `valid` four times."""
    body = {
        "status": "valid",
        "identifiers": [{"type": "dns", "value": "valid.example"}],
        "meta": {"profiles": {"classic": "valid for 90 days", "shortlived": "6 days"}},
        "note": "all valid",
    }
    return replace(
        _exchange(),
        seq=7,
        method="GET",
        url="https://ca.test/dir?x='$(touch /tmp/pwned)'",
        request_headers=[("user-agent", "acmedash"), ("host", "ca.test")],
        response_headers=[("content-type", "application/json"), ("replay-nonce", "NONCE-77")],
        response_body=json.dumps(body, indent=1).encode(),
    )


async def _open(pilot: Pilot[None], exchange_tab: str = "tab-response") -> Document:
    app = pilot.app
    await pilot.pause()
    app.query_one("#exchange-detail TabbedPanes", TabbedPanes).active = exchange_tab
    await pilot.pause()
    document = app.query_one(f"#detail-{exchange_tab.removeprefix('tab-')}", Document)
    document.focus()
    await pilot.pause()
    return document


def _app(*exchanges: Exchange) -> AcmeDashApp:
    return AcmeDashApp(Settings(endpoint="pebble"), config_path=None, offline=list(exchanges))


async def test_slash_in_the_detail_searches_it_and_n_shift_n_step_through_the_matches() -> None:
    app = _app(_nested())
    async with app.run_test(size=SIZE) as pilot:
        document = await _open(pilot)
        await pilot.press("slash")
        await pilot.pause()
        box = app.focused
        assert isinstance(box, SearchBox), "/ in the detail opens its own search, not the filter"
        assert not app.query("#traffic-filter")
        await pilot.press(*"VALID", "enter")
        await pilot.pause()
        assert app.focused is document
        assert len(document.matches) == 4, document.matches
        first = document.current
        await pilot.press("n")
        assert document.current == (first + 1) % 4
        await pilot.press("N", "N")
        assert document.current == (first - 1) % 4
        shown = _styles(app, document)
        current = [text for text, style in shown if style.bgcolor is not None and style.bold]
        assert current and all(text.lower() == "valid" for text in current), shown


async def test_one_match_is_said_in_the_singular() -> None:
    app = _app(_exchange())
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("slash", *"END-OF-LINE", "enter")
        await pilot.pause()
        said = [str(n.message) for n in app._notifications]
        assert "1 match: n next, N previous" in said, said


def _styles(app: AcmeDashApp, widget: Document) -> list[tuple[str, Style]]:
    """The segments on screen over `widget` whose background is not the widget's own."""
    region = widget.scrollable_content_region
    strips = app.screen._compositor.render_strips()[region.y : region.bottom]
    own = widget.rich_style.bgcolor
    return [
        (segment.text, segment.style)
        for strip in strips
        for segment in strip.crop(region.x, region.right)
        if segment.style is not None and segment.style.bgcolor not in (None, own)
    ]


async def test_letters_typed_in_the_search_box_run_no_command() -> None:
    """y (copy), z (clear), x (export), space (mark), - (fold) are keys of the panes; typed in
    the search box they are text."""
    app = _app(_nested())
    async with app.run_test(size=SIZE) as pilot:
        document = await _open(pilot)
        await pilot.press("slash", *"yzx-w", "space")
        await pilot.pause()
        assert len(app.screen_stack) == 1, app.screen_stack
        assert app.query_one(SearchBox).value == "yzx-w "
        assert app.query_one(TrafficList).rows and document.wrap
        await pilot.press("escape")
        assert app.focused is document and not app.query(SearchBox)


async def test_minus_folds_json_objects_a_level_and_plus_unfolds() -> None:
    app = _app(_nested())
    async with app.run_test(size=SIZE) as pilot:
        document = await _open(pilot)
        assert '"classic": "valid for 90 days"' in document.plain
        await pilot.press("minus")
        assert '"profiles": {… 2 keys}' in document.plain
        assert "classic" not in document.plain
        await pilot.press("minus", "minus")
        assert '"meta": {… 1 key}' in document.plain
        assert '"identifiers": [… 1 item]' in document.plain
        await pilot.press("plus", "plus", "plus")
        assert '"classic": "valid for 90 days"' in document.plain


async def _cursor_to(pilot: Pilot[None], document: Document, text: str) -> None:
    lines = document.plain.split("\n")
    await pilot.press("home", *["down"] * next(i for i, s in enumerate(lines) if text in s))


async def test_enter_folds_the_object_under_the_cursor_and_brackets_fold_all() -> None:
    """Folding went by depth only: one object could not be folded apart from its siblings."""
    app = _app(_nested())
    async with app.run_test(size=SIZE) as pilot:
        document = await _open(pilot)
        await _cursor_to(pilot, document, '"classic"')
        await pilot.press("enter")  # the innermost object holding the line: profiles
        await pilot.pause()
        assert '"profiles": {… 2 keys}' in document.plain
        assert '"value": "valid.example"' in document.plain, "its siblings stay open"
        await _cursor_to(pilot, document, '"meta": {')
        await pilot.press("enter")
        await pilot.pause()
        assert '"meta": {… 1 key}' in document.plain
        assert '"identifiers": [' in document.plain and "valid.example" in document.plain
        await pilot.press("enter")  # unfolded again, profiles still folded inside it
        await pilot.pause()
        assert '"profiles": {… 2 keys}' in document.plain
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert '"identifiers": [… 1 item]' in document.plain
        assert '"meta": {… 1 key}' in document.plain
        await _cursor_to(pilot, document, '"identifiers"')
        await pilot.press("enter")  # one unfolded out of the folded level; its items keep it
        await pilot.pause()
        assert '"identifiers": [\n    {… 2 keys}\n  ]' in document.plain
        assert '"meta": {… 1 key}' in document.plain
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert '"classic": "valid for 90 days"' in document.plain and "…" not in document.plain


def test_a_fold_marker_cannot_be_forged_by_the_ca() -> None:
    """A string in the body that looks like a fold stays a quoted string."""
    from tui.dashboard.panels.exchange_views import json_block

    text = json_block({"a": {"b": 1}, "fake": "{… 9 keys}"}, fold=1).plain
    assert '"a": {… 1 key}' in text and '"fake": "{… 9 keys}"' in text


async def _pick(pilot: Pilot[None], part: str, key: str) -> None:
    await pilot.press("y")
    await wait_for_screen(pilot, CopyPartScreen)
    options = pilot.app.screen.query_one(OptionList)
    names = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    options.highlighted = names.index(part)
    await pilot.press(key)


async def test_y_copies_one_part_with_osc_52_and_says_so() -> None:
    app = _app(_nested())
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await _pick(pilot, "response header replay-nonce", "enter")
        await wait_until(pilot, lambda: app.clipboard == "NONCE-77", "the nonce copied")
        assert any("OSC 52" in str(n.message) for n in app._notifications)


async def test_y_then_s_writes_the_curl_command_to_a_file_and_says_so(tmp_path: Path) -> None:
    app = _app(_nested())
    target = tmp_path / "again.sh"
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await _pick(pilot, "copy as curl", "s")
        await wait_for_screen(pilot, PromptScreen)
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await wait_until(pilot, target.exists, "the file written")
        assert any(f"Wrote {target}" in str(n.message) for n in app._notifications)
    command = target.read_text()
    assert target.stat().st_mode & 0o777 == 0o600
    assert app.clipboard == "", "a file, not the clipboard"
    url = "https://ca.test/dir?x='$(touch /tmp/pwned)'"
    assert shlex.split(command) == [
        "curl",
        "-sS",
        "-i",
        "--globoff",
        "-H",
        "user-agent: acmedash",
        "--url",
        url,
    ]


async def test_copy_as_curl_trusts_the_configured_ca_bundle_and_carries_no_credential(
    tmp_path: Path,
) -> None:
    """Against Pebble or a private CA, curl without the configured bundle fails its TLS
    check; and a credential header the request carried (a proxy's) stays out."""
    bundle = tmp_path / "my ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    exchange = replace(
        _nested(),
        request_headers=[("user-agent", "acmedash"), ("Proxy-Authorization", "Basic c2VjcmV0")],
    )
    settings = Settings(endpoint="pebble", ca_bundle=str(bundle))
    app = AcmeDashApp(settings, config_path=None, offline=[exchange])
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await _pick(pilot, "copy as curl", "enter")
        await wait_until(pilot, lambda: app.clipboard.startswith("curl"), "the command copied")
    words = shlex.split(app.clipboard)
    assert words[:6] == ["curl", "-sS", "-i", "--globoff", "--cacert", str(bundle)], words
    assert "c2VjcmV0" not in app.clipboard and "Proxy-Authorization" not in app.clipboard


def test_curl_is_offered_for_unsigned_requests_only_and_never_with_control_characters() -> None:
    head = replace(_nested(), method="HEAD", request_headers=[])
    assert (
        curl(head) == "curl -sS -i --globoff --head --url "
        "'https://ca.test/dir?x='\"'\"'$(touch /tmp/pwned)'\"'\"''"
    )
    with pytest.raises(NoCurl, match="single-use"):
        curl(
            replace(_nested(), request_body=b'{"protected": "e30", "payload": "", "signature": ""}')
        )
    with pytest.raises(NoCurl, match="control character"):
        curl(replace(_nested(), url="https://ca.test/\x1b]0;owned\x07"))
    assert "copy as curl" not in parts(replace(_nested(), url="https://ca.test/\n"))


@pytest.mark.parametrize("url", ["-K/tmp/curlrc", "--output=/tmp/x", "file:///etc/passwd"])
def test_curl_never_lets_a_url_from_a_file_become_an_option(url: str) -> None:
    """A traffic file or HAR (not a live CA: live URLs are checked as http(s)) held a URL
    `-K/tmp/curlrc`, which shlex.quote leaves as it is and curl read as its config file."""
    with pytest.raises(NoCurl, match="not http"):
        curl(replace(_nested(), url=url))
    words = shlex.split(curl(_nested()))
    assert words[-2] == "--url", "the URL is --url's value, never an option of its own"


def test_the_rollover_inner_jws_is_decoded_and_checked_with_the_new_key() -> None:
    """RFC 8555 §7.3.5: before, the inner JWS showed as an opaque payload of base64url."""
    old, new = keys.generate_key("ec256"), keys.generate_key("ec256")
    rollover = _rollover(2, old, new)
    shown = "\n".join(t.plain for t in request_view(rollover, Context(valid=True)))
    assert "inner signature verifies with the new key" in shown
    assert '"oldKey": {' in shown and '"account": "https://ca.test/acct/1"' in shown
    assert "Inner protected header (the new key)" in shown
    assert jose.public_jwk(new)["x"] in shown.split("Inner protected header")[1]

    inner = rollover.jws.payload if rollover.jws else {}
    forged = dict(inner, signature=inner["signature"][::-1])
    body = jose.sign(old, forged, url="https://ca.test/2", nonce="n2", kid="https://ca.test/acct/1")
    tampered = replace(rollover, request_body=json.dumps(body).encode())
    shown = "\n".join(t.plain for t in request_view(tampered, Context(valid=True)))
    assert "inner signature DOES NOT verify with the new key" in shown


async def test_f1_lists_the_inspector_keys_and_the_keymap_moves_them() -> None:
    """The detail pane's and the list's new keys have ids: F1 names them, [keymap] remaps."""
    from tui.dashboard.screens.help import HelpScreen

    settings = Settings(endpoint="pebble", keymap={"detail.search": "s"})
    app = AcmeDashApp(settings, config_path=None, offline=[_nested()])
    async with app.run_test(size=SIZE) as pilot:
        document = await _open(pilot)
        await pilot.press("f1")
        await wait_for_screen(pilot, HelpScreen)
        ids = {row[2] for row in app.screen._rows}
        assert {"detail.search", "detail.fold", "detail.copy", "traffic.mark"} <= ids
        await pilot.press("escape")
        await pilot.pause()
        document.focus()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.focused, SearchBox), "s, remapped, opens the search"


def _signed_with(alg: str, jwk: dict[str, str], sign: Callable[[bytes], bytes]) -> Exchange:
    protected = b64url(json.dumps({"alg": alg, "jwk": jwk, "nonce": "n", "url": "u"}).encode())
    payload = b64url(b'{"termsOfServiceAgreed":true}')
    signature = b64url(sign(f"{protected}.{payload}".encode()))
    body = {"protected": protected, "payload": payload, "signature": signature}
    return replace(_exchange(), request_body=json.dumps(body).encode())


def _es512() -> Exchange:
    key = ec.generate_private_key(ec.SECP521R1())
    numbers = key.public_key().public_numbers()

    def sign(data: bytes) -> bytes:
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA512())))
        return r.to_bytes(66, "big") + s.to_bytes(66, "big")

    jwk = {
        "kty": "EC",
        "crv": "P-521",
        "x": b64url(numbers.x.to_bytes(66, "big")),
        "y": b64url(numbers.y.to_bytes(66, "big")),
    }
    return _signed_with("ES512", jwk, sign)


def _eddsa() -> Exchange:
    key = ed25519.Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return _signed_with("EdDSA", {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}, key.sign)


@pytest.mark.parametrize("made", [_es512, _eddsa])
def test_a_signature_acmedash_cannot_check_is_not_called_invalid(
    made: Callable[[], Exchange],
) -> None:
    """Valid ES512 and EdDSA signatures (other clients' traffic, a HAR) were shown in red as
    "signature DOES NOT verify" (attacker review): acmedash checks RS256, ES256 and ES384."""
    exchange = made()
    assert signature_valid(exchange, {}) is None
    shown = "\n".join(t.plain for t in request_view(exchange, Context(valid=None)))
    assert "signature not checked: signed with" in shown and "DOES NOT" not in shown, shown
    assert "acmedash checks RS256, ES256, ES384" in shown
    forged = replace(exchange, request_body=exchange.request_body.replace(b'"u"', b'"v"'))
    assert signature_valid(forged, {}) is None, "not checked either way: no verdict claimed"
