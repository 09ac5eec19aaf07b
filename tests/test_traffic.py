"""Traffic records, the filter language and HAR export, on hand-made exchanges (no server)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tui.acme import jose, keys
from tui.acme.traffic import Exchange, read_jsonl, signature_valid, to_har
from tui.traffic_filter import FilterError, Query, row_text
from tui.traffic_log import TrafficLog

SAMPLE = Path(__file__).parent / "data" / "sample.jsonl"


def _exchange(seq: int, method: str, status: int | None, problem: str = "") -> Exchange:
    headers = [("content-type", "application/problem+json" if problem else "application/json")]
    body = (
        json.dumps({"type": f"urn:ietf:params:acme:error:{problem}", "detail": "d"})
        if problem
        else "{}"
    )
    return Exchange(
        seq=seq,
        started=datetime(2026, 11, 26, tzinfo=UTC),
        endpoint="https://ca.test/dir",
        method=method,
        url=f"https://ca.test/path/{seq}",
        request_headers=[],
        request_body=b"",
        status=status,
        response_headers=headers if status is not None else [],
        response_body=body.encode() if status is not None else b"",
        error="" if status is not None else "cannot reach https://ca.test",
    )


EXCHANGES = [
    _exchange(1, "GET", 200),
    _exchange(2, "HEAD", 200),
    _exchange(3, "POST", 201),
    _exchange(4, "POST", 400, "badNonce"),
    _exchange(5, "POST", 403, "unauthorized"),
    _exchange(6, "POST", None),
]


def _seqs(text: str) -> list[int]:
    query = Query.parse(text)
    return [e.seq for e in EXCHANGES if query.matches(e) and query.matches(e, row_text(e))]


def test_filter_language() -> None:
    assert _seqs("") == [1, 2, 3, 4, 5, 6]
    assert _seqs("method:post") == [3, 4, 5, 6]
    assert _seqs("status:4xx") == [4, 5]
    assert _seqs("status:201") == [3]
    assert _seqs("status:error") == [6]
    assert _seqs("problem:badnonce") == [4]
    assert _seqs("problem:any") == [4, 5]
    assert _seqs("method:post unauthorized") == [5]
    assert _seqs("/path/2") == [2]
    assert _seqs("Method:POST STATUS:4XX") == [4, 5], "case does not matter"
    with pytest.raises(FilterError, match="status:9xx"):
        Query.parse("status:9xx")


def test_records_round_trip_and_har() -> None:
    exchanges = list(read_jsonl(SAMPLE))
    again = [Exchange.from_record(json.loads(json.dumps(e.to_record()))) for e in exchanges]
    assert [e.to_record() for e in again] == [e.to_record() for e in exchanges]
    har = to_har(exchanges, "test")
    entries = har["log"]["entries"]
    assert har["log"]["version"] == "1.2" and len(entries) == len(exchanges)
    assert entries[2]["request"]["postData"]["text"] == exchanges[2].request_body.decode()
    assert entries[3]["response"]["status"] == 400
    assert entries[2]["response"]["redirectURL"].endswith("/my-account/1")


def test_kid_signatures_verify_from_the_traffic_alone() -> None:
    exchanges = list(read_jsonl(SAMPLE))
    log = TrafficLog()
    log.extend(exchanges)
    assert [log.signature_valid(e) for e in exchanges] == [None, None, True, True]
    assert signature_valid(exchanges[3], {}) is None, "kid unknown: cannot check"
    other = jose.public_jwk(keys.generate_key("ec256"))
    assert signature_valid(exchanges[3], {"https://127.0.0.1:14000/my-account/1": other}) is False


ACCOUNT = "https://ca.test/acct/1"


def _post(
    seq: int, key: jose.PrivateKey, payload: object, *, kid: bool = True, status: int = 200
) -> Exchange:
    """A POST signed by `key` (kid ACCOUNT, or its jwk) and the CA's answer; newAccount-like
    answers (jwk-signed) carry the account's Location."""
    url = f"https://ca.test/{seq}"
    body = jose.sign(key, payload, url=url, nonce=f"n{seq}", kid=ACCOUNT if kid else None)
    return Exchange(
        seq=seq,
        started=datetime(2026, 11, 26, tzinfo=UTC),
        endpoint="https://ca.test/dir",
        method="POST",
        url=url,
        request_headers=[("content-type", "application/jose+json")],
        request_body=json.dumps(body).encode(),
        status=status,
        response_headers=[] if kid else [("location", ACCOUNT)],
        response_body=b"{}",
    )


def _rollover(seq: int, old: jose.PrivateKey, new: jose.PrivateKey, status: int = 200) -> Exchange:
    """RFC 8555 §7.3.5: the inner JWS is signed by the new key (jwk), the outer by the old."""
    old_jwk = jose.public_jwk(old)
    inner = jose.sign(new, {"account": ACCOUNT, "oldKey": old_jwk}, url="k", nonce=None)
    return _post(seq, old, inner, status=status)


def test_each_kid_is_checked_with_the_key_the_account_had_when_it_was_sent() -> None:
    """Three keys over one session; a rollover the CA refused changes nothing; a request signed
    by a key the account no longer has does not verify."""
    k1, k2, k3, k4 = (keys.generate_key("ec256") for _ in range(4))
    log = TrafficLog()
    log.extend(
        [
            _post(1, k1, {"contact": []}, kid=False, status=201),  # newAccount
            _post(2, k1, ""),
            _rollover(3, k1, k2),
            _post(4, k2, ""),
            _rollover(5, k2, k4, status=409),  # refused: the account keeps k2
            _post(6, k2, ""),
            _rollover(7, k2, k3),
            _post(8, k3, ""),
            _post(9, k1, ""),  # the first key, after it was rolled away
        ]
    )
    verdicts = [log.signature_valid(e) for e in log.exchanges]
    assert verdicts == [True, True, True, True, True, True, True, True, False]


def test_a_revocation_by_certificate_key_teaches_no_account_key() -> None:
    """revokeCert signed with the certificate's key (jwk) that a hostile CA answered with the
    account's Location (attacker review, session 8): that key was taken as the account's, and
    every later, valid request of the account read "signature DOES NOT verify"."""
    from tui.acme.encoding import b64url

    account_key, certificate_key = keys.generate_key("ec256"), keys.generate_key("ec256")
    revocation = _post(2, certificate_key, {"certificate": b64url(b"der")}, kid=False)
    log = TrafficLog()
    log.extend(
        [
            _post(1, account_key, {"contact": []}, kid=False, status=201),  # newAccount
            revocation,
            _post(3, account_key, ""),
        ]
    )
    assert revocation.response_headers == [("location", ACCOUNT)], "the CA's Location is there"
    assert [log.signature_valid(e) for e in log.exchanges] == [True, True, True]


def test_a_kid_with_no_known_key_is_not_checked() -> None:
    """An imported file with kid-signed requests only: the verdict says the key is unknown,
    never that the signature fails."""
    from rich.console import Console, Group

    from tui.dashboard.panels.exchange_views import Context, request_view

    log = TrafficLog()
    log.extend([_post(1, keys.generate_key("ec256"), "")])
    assert log.signature_valid(log.exchanges[0]) is None
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(Group(*request_view(log.exchanges[0], Context(valid=None))))
    text = console.export_text()
    assert "key unknown, not checked" in text and "DOES NOT" not in text
