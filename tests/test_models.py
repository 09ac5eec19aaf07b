"""The models read whatever a server sends: a model or a one-line ProtocolError, nothing else.

Property-based (hypothesis): no server is needed to send arbitrary JSON, the parsers are fed it
directly, which is exactly what the client does with a decoded body."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given

from tests.json_strategies import anything
from tui.acme.errors import ProtocolError
from tui.acme.models import (
    Account,
    Authorization,
    Challenge,
    Directory,
    DirectoryMeta,
    Order,
    Problem,
    RenewalInfo,
)

URL = "https://ca.test/acme/x/1"
PARSERS: dict[str, Callable[[Any], object]] = {
    "directory": Directory.from_json,
    "directory meta": DirectoryMeta.from_json,
    "account": lambda v: Account.from_json(URL, v, created=True),
    "problem": lambda v: Problem.from_json(v, 400).summary(),
    "problem body": lambda v: Problem.from_body(json.dumps(v).encode(), None).summary(),
    "challenge": Challenge.from_json,
    "authorization": lambda v: Authorization.from_json(URL, v).challenge("http-01"),
    "order": lambda v: Order.from_json(URL, v),
    "renewal info": RenewalInfo.from_json,
}


@pytest.mark.parametrize("parser", PARSERS.values(), ids=PARSERS.keys())
@given(value=anything)
def test_any_json_is_a_model_or_a_one_line_protocol_error(
    parser: Callable[[Any], object], value: Any
) -> None:
    try:
        parser(value)
    except ProtocolError as exc:
        assert "\n" not in str(exc)


@pytest.mark.parametrize("parser", PARSERS.values(), ids=PARSERS.keys())
@pytest.mark.parametrize("value", [5, "text", [], None, True, [{"status": "valid"}]])
def test_a_body_that_is_not_an_object(parser: Callable[[Any], object], value: Any) -> None:
    """Problems are made of anything; every other resource must be an object."""
    try:
        parser(value)
    except ProtocolError as exc:
        assert "not a JSON object" in str(exc)
    else:
        assert parser in (PARSERS["problem"], PARSERS["problem body"], PARSERS["directory meta"])


def test_wrongly_typed_fields_read_as_absent() -> None:
    order = Order.from_json(
        URL,
        {
            "status": 5,
            "identifiers": 7,
            "authorizations": "https://x",
            "finalize": ["https://x"],
            "error": "boom",
        },
    )
    assert (order.status, order.identifiers, order.authorizations) == ("", (), ())
    assert order.finalize == "" and order.error is None
    authz = Authorization.from_json(URL, {"challenges": [1, 2.5, None], "identifier": "x"})
    assert authz.challenges == () and authz.identifier.value == ""
    problem = Problem.from_json({"status": True, "identifier": [], "type": 3}, 403)
    assert (problem.type, problem.status, problem.identifier) == ("about:blank", 403, None)


def test_nested_problems_cannot_exhaust_the_stack() -> None:
    """A problem nested deeper than the JSON parser goes, and one just shallow enough to parse:
    the first is an unparseable problem, the second one whose subproblems are read one deep."""
    too_deep = ('{"subproblems": [' * 100_000 + "]}" * 100_000).encode()
    assert Problem.from_body(too_deep, 400).detail == "unparseable problem document"
    depth = 400
    parses = ('{"type": "t", "subproblems": [' * depth + "]}" * depth).encode()
    problem = Problem.from_body(parses, 400)
    assert len(problem.subproblems) == 1 and problem.subproblems[0].subproblems == ()


def test_padded_lists_are_refused_before_they_become_models() -> None:
    """Second attacker round: a 1 MiB authorization whose `challenges` held 349,000 `{}` took
    195 MiB as models, fifty of them 13 GiB. Lists past their bound are refused; a problem's
    subproblems are cut to what a terminal can show, saying how many more there were."""
    from tui.acme.models import MAX_SUBPROBLEMS, Authorization, Order, Problem

    padded = json.loads("[" + ",".join(["{}"] * 349_000) + "]")
    with pytest.raises(ProtocolError, match="challenges` lists 349000 entries"):
        Authorization.from_json("https://ca.test/authz/1", {"challenges": padded})
    with pytest.raises(ProtocolError, match="identifiers` lists 349000 entries"):
        Order.from_json("https://ca.test/order/1", {"identifiers": padded})
    with pytest.raises(ProtocolError, match="authorizations` lists 349000 entries"):
        Order.from_json("https://ca.test/order/1", {"authorizations": ["u"] * 349_000})
    problem = Problem.from_json({"type": "t", "subproblems": [{"detail": "x"}] * 5000})
    assert len(problem.subproblems) == MAX_SUBPROBLEMS + 1
    assert problem.subproblems[-1].detail == "and 4900 more subproblems, not shown"
    real = {"type": "http-01", "url": "https://ca.test/c", "token": "t", "status": "pending"}
    assert len(Authorization.from_json("u", {"challenges": [real] * 3}).challenges) == 3
