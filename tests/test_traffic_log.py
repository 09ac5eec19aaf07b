"""The traffic model's state beyond the filter: several runs in one file, clear, marks, filter
history, and the status read API. Hand-made exchanges, no server."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.test_traffic import _post, _rollover
from tui.acme import keys
from tui.acme.traffic import Exchange
from tui.traffic_log import TrafficLog, TrafficStatus


def _two_runs() -> TrafficLog:
    """Run 1: newAccount with k1, a request; run 2 (seq from 1 again): a rollover to k2, then
    requests with k2, and the old k1 (no longer the account's)."""
    k1, k2 = keys.generate_key("ec256"), keys.generate_key("ec256")
    log = TrafficLog()
    log.extend(
        [
            _post(1, k1, {"contact": []}, kid=False, status=201),
            _post(2, k1, ""),
            _post(3, k1, ""),
            _post(1, k1, ""),
            _rollover(2, k1, k2),
            _post(3, k2, ""),
            _post(4, k1, ""),
        ]
    )
    return log


def test_a_file_of_two_runs_names_every_exchange_once() -> None:
    log = _two_runs()
    assert log.runs == 2
    labels = [log.label(i) for i in range(len(log.exchanges))]
    assert labels == ["1:1", "1:2", "1:3", "2:1", "2:2", "2:3", "2:4"]
    assert len(set(labels)) == len(labels)
    assert log.reference(log.exchanges[5]) == "#2:3"
    assert log.label_width >= max(len(label) for label in labels)


def test_one_run_keeps_plain_seqs() -> None:
    log = TrafficLog()
    log.extend(_two_runs().exchanges[:3])
    assert [log.label(i) for i in range(3)] == ["1", "2", "3"]


def test_signatures_are_judged_in_file_order_not_by_seq() -> None:
    """Run 2's rollover (seq 2) must not apply to run 1's seq 3: ordered by seq, run 1's k1
    request was checked against k2 and shown as failing."""
    log = _two_runs()
    verdicts = [log.signature_valid(e) for e in log.exchanges]
    assert verdicts == [True, True, True, True, True, True, False]


def _started_in_order(seqs: list[int]) -> list[Exchange]:
    """Requests numbered `seqs`, each started a millisecond after the one numbered before it
    (as one command sends them), listed in `seqs`' order: the order they finished in."""
    key = keys.generate_key("ec256")
    exchanges = [_post(seq, key, "") for seq in seqs]
    return [replace(e, started=e.started + timedelta(milliseconds=e.seq)) for e in exchanges]


def test_requests_that_finish_out_of_order_stay_in_their_run() -> None:
    """One issuance with two names: the challenge POSTs 9 and 10 ran at once and 10 finished
    first. Taken as a new run, every later exchange was `2:N`."""
    log = TrafficLog()
    log.extend(_started_in_order([1, 2, 3, 4, 5, 6, 7, 8, 10, 9, 11, 12]))
    assert log.runs == 1
    assert [log.label(i) for i in (8, 9, 10)] == ["10", "9", "11"]
    assert log.run_starts() == []


def test_a_new_command_starts_a_run_even_after_requests_out_of_order() -> None:
    """A second command numbers from 1 again (a seq the run has), and an export of marked
    exchanges holds no repeat but drops to a seq started later: both are new runs."""
    log = TrafficLog()
    second = _started_in_order([1, 2])
    later = [replace(e, started=e.started + timedelta(seconds=5)) for e in second]
    log.extend([*_started_in_order([1, 3, 2]), *later])
    assert [log.label(i) for i in range(5)] == ["1:1", "1:3", "1:2", "2:1", "2:2"]
    marked = TrafficLog()
    marked.extend([*_started_in_order([4, 7]), later[1]])
    assert [marked.label(i) for i in range(3)] == ["1:4", "1:7", "2:2"]


def test_a_resend_is_referenced_within_its_run() -> None:
    log = TrafficLog()
    first = _two_runs().exchanges
    log.extend([*first[:4], replace(first[4], resent_from=1)])
    assert log.resent_reference(log.exchanges[4]) == "#2:1"


def test_clear_drops_the_rows_and_keeps_the_account_keys() -> None:
    k1, k2 = keys.generate_key("ec256"), keys.generate_key("ec256")
    log = TrafficLog()
    log.extend([_post(1, k1, {"contact": []}, kid=False, status=201), _rollover(2, k1, k2)])
    log.toggle_mark(1)
    assert log.clear() == 2
    assert (log.exchanges, log.rows, log.marked) == ([], [], set())
    after = [_post(3, k2, ""), _post(4, k1, "")]
    for exchange in after:
        log.append(exchange)
    assert [log.signature_valid(e) for e in after] == [True, False]
    assert [log.label(i) for i in range(2)] == ["3", "4"]


def test_marks_follow_the_exchange_and_export_in_order() -> None:
    log = _two_runs()
    assert log.toggle_mark(5) and log.toggle_mark(1) and not log.toggle_mark(5)
    log.toggle_mark(3)
    assert [log.label(i) for i in sorted(log.marked)] == ["1:2", "2:1"]
    log.apply_filter("status:201")  # the marks stay with their exchanges, shown or not
    assert log.marked_exchanges() == [log.exchanges[1], log.exchanges[3]]


def test_the_status_api_and_its_listener() -> None:
    log = _two_runs()
    seen: list[TrafficStatus] = []
    log.add_listener(lambda: seen.append(log.status()))
    log.apply_filter("status:201")
    log.set_follow(False)
    log.toggle_mark(0)
    log.append(_two_runs().exchanges[1])
    assert seen[-1] == TrafficStatus(total=8, shown=1, follow=False, filter="status:201", marked=1)
    assert str(seen[-1]) == "1 of 8 · follow off · filter: status:201 · 1 marked"
    assert len(seen) == 4


def test_history_keeps_each_applied_filter_once_newest_last() -> None:
    log = TrafficLog()
    for text in ("method:post", "status:4xx", "", "method:post"):
        log.apply_filter(text)
    assert log.history == ["status:4xx", "method:post"]
