"""Instants for entries whose dumps give only a date: a documented, deterministic rule.

The rule (README, "Entry times"):
- Every article's `published` lies on its own date, 00:00 to 24:00 in Kazakhstan time (UTC+5).
- Within a day, articles are ordered by gov.kz news id (it grows over time), then by position in
  the dump (the listing is newest first). A record without a news id borrows the id of the next
  older record in its dump that has one, so it keeps its place in the listing.
- New articles of a day are spread evenly over the free stretch of the day between the instants
  already given to their older and newer neighbours, on whole seconds where there is room; those
  newer than every article the day has so far follow the newest one second apart (spread evenly
  over the rest of the day, a day that fills up with dumps would run out of microseconds after a
  dozen dumps and push its newest articles into the next day).
- An instant, once given, is never changed: a later dump can only fill the gaps around it.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone

KAZAKHSTAN = timezone(timedelta(hours=5), "+05:00")
SECOND = 1_000_000
DAY = 86_400 * SECOND


def day_start(day: date) -> int:
    """Microseconds since the epoch at 00:00 of `day` in Kazakhstan."""
    return int(datetime(day.year, day.month, day.day, tzinfo=KAZAKHSTAN).timestamp()) * SECOND


def to_datetime(instant: int) -> datetime:
    return datetime.fromtimestamp(instant // SECOND, KAZAKHSTAN).replace(microsecond=instant % SECOND)


def order_ids(news_ids: Sequence[int | None]) -> list[int]:
    """Per record of one dump (listing order, newest first): its news id, or the id of the next
    older record that has one (the newer one when none is older; 0 when the dump has none)."""
    result: list[int] = []
    borrowed = next((n for n in reversed(news_ids) if n is not None), 0)
    for news_id in reversed(news_ids):
        if news_id is not None:
            borrowed = news_id
        result.append(borrowed)
    return result[::-1]


def place(day: date, taken: Sequence[tuple[int, int]], newcomers: Sequence[int]) -> list[int]:
    """Instants for `newcomers` (order ids, oldest first) on `day`, around `taken`
    ((order id, instant) pairs already published that day). Returns one instant per newcomer,
    strictly increasing, strictly inside the day and distinct from every taken instant."""
    start = day_start(day)
    end = start + DAY
    # By order id, with the latest instant up to each and the earliest from each on: a newcomer
    # costs a bisection, not a pass over the day (a million articles have hundreds a day).
    ordered = sorted(taken)
    oids = [oid for oid, _ in ordered]
    latest = list(itertools.accumulate((at for _, at in ordered), max, initial=start))
    earliest = list(itertools.accumulate((at for _, at in reversed(ordered)), min, initial=end))[::-1]
    bounds: list[tuple[int, int]] = []
    floor = start
    for order_id in newcomers:
        newer = bisect.bisect_right(oids, order_id)
        floor = max(floor, latest[newer])
        ceiling = earliest[newer] if earliest[newer] > floor else min([end, *(at for _, at in ordered[newer:] if at > floor)])
        bounds.append((floor, ceiling))
    instants: list[int] = []
    run_start = 0
    for index in range(1, len(bounds) + 1):
        if index == len(bounds) or bounds[index] != bounds[run_start]:
            low, high = bounds[run_start]
            count = index - run_start
            after_the_newest = low > start and high == end and low + count * SECOND < high
            instants.extend(_steps(low, count) if after_the_newest else _spread(low, high, count))
            run_start = index
    return instants


def _steps(low: int, count: int) -> list[int]:
    """`count` instants one second apart after `low`, on whole seconds."""
    first = low - low % SECOND + SECOND
    return [first + i * SECOND for i in range(count)]


def _spread(low: int, high: int, count: int) -> list[int]:
    """`count` instants evenly inside (low, high): whole seconds when they fit, else microseconds."""
    exact = [low + (high - low) * (i + 1) // (count + 1) for i in range(count)]
    rounded = [at - at % SECOND for at in exact]
    if all(low < at < high for at in rounded) and len(set(rounded)) == count:
        return rounded
    return exact
