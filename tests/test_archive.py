"""The RFC 5005 page plan, on sequence numbers alone."""

from __future__ import annotations

from feeds.archive import Page, candidates, occupied_pages, plan, ranges, with_neighbours


def test_a_first_archive_writes_every_page_below_the_boundary() -> None:
    # 20 entries in pages of 7, the newest 5 in the subscription document: 15 archived.
    assert candidates(boundary=15, archived_before=0, removed=[], size=7) == {0, 1, 2}


def test_a_moved_boundary_rewrites_the_pages_it_moved_through_and_the_one_before() -> None:
    assert candidates(boundary=17, archived_before=15, removed=[], size=7) == {2}
    assert candidates(boundary=22, archived_before=15, removed=[], size=7) == {2, 3}
    # The page before gains a `next-archive` link to the new page 3; the one before it does not change.
    assert with_neighbours({2, 3}, occupied=[0, 1, 2, 3]) == {1, 2, 3}


def test_a_boundary_on_a_page_start_fills_an_empty_page_and_relinks_its_occupied_neighbour() -> None:
    assert candidates(boundary=17, archived_before=14, removed=[], size=7) == {2}
    assert with_neighbours({2}, occupied=[0, 2]) == {0, 2}  # page 1 had lost every entry


def test_pages_that_lost_entries_are_candidates_and_full_pages_are_not() -> None:
    assert candidates(boundary=35, archived_before=35, removed=[3, 4], size=7) == {0}


def test_a_page_that_empties_brings_its_neighbours_whose_links_change() -> None:
    occupied = occupied_pages([0, 1, 20, 30], size=7)  # pages 0, 2 and 4; 1 and 3 are empty
    assert occupied == [0, 2, 4]
    assert with_neighbours({1}, occupied) == {0, 1, 2}


def test_the_plan_links_each_page_to_its_nearest_occupied_neighbours() -> None:
    pages = plan({0, 1, 2, 3}, occupied=[0, 2, 3], size=7, boundary=25)
    assert pages == [
        Page(0, 0, 7, None, 2, occupied=True),
        Page(1, 7, 14, 0, 2, occupied=False),
        Page(2, 14, 21, 0, 3, occupied=True),
        Page(3, 21, 25, 2, None, occupied=True),
    ]


def test_ranges_are_what_the_store_is_asked_for() -> None:
    assert ranges({2, 0}, size=50) == [(0, 50), (100, 150)]
