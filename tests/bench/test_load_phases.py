"""bench.load's interleaving: each system's load in phases, ABBA, merged back per system."""

from collections import Counter

from bench.load import Tally, merge, phase_order


def test_phases_alternate_which_system_goes_first() -> None:
    assert phase_order(["ours", "baseline"], 2) == ["ours", "baseline", "baseline", "ours"]
    three = ["ours", "baseline", "baseline", "ours", "ours", "baseline"]
    assert phase_order(["ours", "baseline"], 3) == three
    assert phase_order(["ours"], 2) == ["ours", "ours"]
    order = phase_order(["ours", "baseline"], 4)
    assert Counter(order) == {"ours": 4, "baseline": 4}  # each system gets the same time


def test_phases_merge_into_one_tally_per_system() -> None:
    a, b = Tally(), Tally()
    a.statuses["ask:200"], a.sent, a.ok, a.waited_s = 3, 3, 3, 0.5
    a.latency_ms["ask"] += [10.0, 20.0]
    b.statuses.update({"ask:200": 2, "stream:503": 1})
    b.errors["ask:ReadTimeout"] = 1
    b.sent, b.ok, b.waited_s = 4, 2, 1.0
    b.latency_ms["ask"].append(30.0)
    b.latency_ms["stream_total"].append(40.0)
    total = Tally()
    merge(total, a)
    merge(total, b)
    assert total.statuses == {"ask:200": 5, "stream:503": 1} and total.errors == {"ask:ReadTimeout": 1}
    assert (total.sent, total.ok, total.waited_s) == (7, 5, 1.5)
    assert total.latency_ms["ask"] == [10.0, 20.0, 30.0] and total.latency_ms["stream_total"] == [40.0]
