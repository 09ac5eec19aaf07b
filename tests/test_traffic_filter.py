"""The filter language over bodies and headers, negation, regular expressions; and that no
filter a person can type makes it raise anything but its one-line FilterError. Hand-made
exchanges, no server: the language is pure."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tests.json_strategies  # noqa: F401 - the project's hypothesis profile
from tests.test_traffic import _post
from tui.acme import keys
from tui.acme.traffic import Exchange
from tui.traffic_filter import FilterError, Query
from tui.traffic_log import TrafficLog

KEY = keys.generate_key("ec256")


def _signed(seq: int, payload: object, answer: dict[str, object]) -> Exchange:
    """test_traffic's signed POST, with a user agent, a fresh nonce and a JSON answer."""
    return replace(
        _post(seq, KEY, payload),
        request_headers=[("content-type", "application/jose+json"), ("user-agent", "acmedash")],
        response_headers=[("Replay-Nonce", f"fresh-{seq}")]
        + ([("Retry-After", "3")] if seq == 2 else []),
        response_body=json.dumps(answer).encode(),
    )


EXCHANGES = [
    _signed(
        1, {"identifiers": [{"type": "dns", "value": "www.example.org"}]}, {"status": "pending"}
    ),
    _signed(2, "", {"status": "processing"}),
    _signed(3, {"csr": "MIIB"}, {"status": "valid", "certificate": "https://ca.test/cert/9"}),
]


def _seqs(text: str) -> list[int]:
    log = TrafficLog()
    log.extend(EXCHANGES)
    log.apply_filter(text)
    return [e.seq for e in log.shown()]


def test_body_searches_the_decoded_payload_and_the_response() -> None:
    """The request body is base64url on the wire: `www.example.org` is only found decoded."""
    assert _seqs("body:www.example.org") == [1]
    assert _seqs("~b processing") == [2]
    assert _seqs("body:certificate") == [3]
    assert _seqs('body:"status": "valid"') == [], "quotes keep one word; JSON has no such line"

    assert _seqs('body:"{"') == [1, 2, 3]


def test_header_searches_names_and_values_of_both_directions() -> None:
    assert _seqs("header:retry-after") == [2]
    assert _seqs("~h fresh-3") == [3]
    assert _seqs("header:user-agent") == [1, 2, 3]
    assert _seqs('header:"retry-after: 3"') == [2]


def test_negation_and_regular_expressions() -> None:
    assert _seqs("!header:retry-after") == [1, 3]
    assert _seqs("!~b processing !body:pending") == [3]
    assert _seqs("body:/pend|process/") == [1, 2]
    assert _seqs("!body:/pend|process/") == [3]
    assert _seqs("/post$/") == [], "a row's text is `method path status problem`"
    assert _seqs('"/^post /[12] /"') == [1, 2], "quotes keep the spaces in the expression"
    assert _seqs("BODY:/PENDING/") == [1], "case never matters"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("body:/[unclosed/", "not a regular expression: /[unclosed/"),
        ("~b", "~b needs a value"),
        ("header:", "header: needs a value"),
        ("!", "! needs a term"),
        ("status:abc", "status:abc: give a code"),
        ("x" * 1001, "at most 1000 characters"),
    ],
)
def test_a_filter_that_cannot_work_says_why_in_one_line(text: str, message: str) -> None:
    with pytest.raises(FilterError, match=message.replace("[", r"\[").replace("/", "/")) as err:
        Query.parse(text)
    assert "\n" not in str(err.value)


def test_a_refused_filter_leaves_the_shown_rows_as_they_were() -> None:
    log = TrafficLog()
    log.extend(EXCHANGES)
    log.apply_filter("body:pending")
    with pytest.raises(FilterError):
        log.apply_filter("body:/(/")
    assert log.query_text == "body:pending" and [e.seq for e in log.shown()] == [1]


FILTER_ALPHABET = st.sampled_from(
    ["~b", "~h", "~m", "~c", "!", "/", '"', ":", " ", "body", "header", "status", "method",
     "problem", "4xx", "(", "[", "*", "\\", "?", "{1,", "x", "\x00", "é", "any"]
)  # fmt: skip


@given(st.lists(FILTER_ALPHABET, max_size=12).map("".join) | st.text(max_size=60))
def test_no_typed_filter_raises_anything_but_filter_error(text: str) -> None:
    """Property: whatever is typed, parse gives a Query that matches every exchange without an
    exception, or a one-line FilterError the filter box shows."""
    try:
        query = Query.parse(text)
    except FilterError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    for exchange in EXCHANGES:
        assert query.matches(exchange) in (True, False)
