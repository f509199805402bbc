"""The rule that turns dates into instants: same day, site order, unique, never moved."""

from __future__ import annotations

from datetime import date

from feeds.timing import DAY, SECOND, day_start, order_ids, place, to_datetime

DAY_ONE = date(2026, 2, 21)


def test_a_fresh_day_is_spread_over_whole_seconds_in_order() -> None:
    instants = place(DAY_ONE, [], [1, 2, 3])
    start = day_start(DAY_ONE)
    assert instants == sorted(instants) and len(set(instants)) == 3
    assert all(start < at < start + DAY and at % SECOND == 0 for at in instants)
    assert to_datetime(instants[1]).isoformat() == "2026-02-21T12:00:00+05:00"


def test_later_arrivals_fill_the_gaps_without_moving_published_instants() -> None:
    first = place(DAY_ONE, [], [10, 30])
    taken = [(10, first[0]), (30, first[1])]
    later = place(DAY_ONE, taken, [5, 20, 40])
    assert later[0] < first[0] < later[1] < first[1] < later[2]
    everything = [at for _, at in taken] + later
    assert len(set(everything)) == 5 and all(day_start(DAY_ONE) < at < day_start(DAY_ONE) + DAY for at in everything)


def test_a_crowded_gap_falls_back_to_microseconds_and_stays_unique() -> None:
    start = day_start(DAY_ONE)
    taken = [(1, start + SECOND), (3, start + 2 * SECOND)]
    instants = place(DAY_ONE, taken, [2] * 5)
    assert all(start + SECOND < at < start + 2 * SECOND for at in instants) and len(set(instants)) == 5


def test_records_without_news_id_borrow_the_next_older_one() -> None:
    assert order_ids([None, 1166722, None, None, 1166705, None]) == [1166722, 1166722, 1166705, 1166705, 1166705, 1166705]
    assert order_ids([None, None]) == [0, 0]


def test_a_day_filled_by_dump_after_dump_keeps_every_article_on_its_date() -> None:
    """A million-article archive has about 27 dumps a day, each newer than the last: spread over
    the rest of the day each time, the twelfth dump ran out of microseconds and its articles went
    into the next day (72% of them at that density)."""
    start, taken = day_start(DAY_ONE), []
    for dump in range(60):
        newcomers = [dump * 100 + i for i in range(20)]
        instants = place(DAY_ONE, taken, newcomers)
        taken += zip(newcomers, instants, strict=True)
    given = [at for _, at in taken]
    assert given == sorted(given) and len(set(given)) == len(given) == 1_200
    assert all(start < at < start + DAY for at in given)
