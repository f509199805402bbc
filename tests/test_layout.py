"""The layout of out/: paths, stylesheet addresses, and file names that always fit."""

from __future__ import annotations

from feeds.layout import archive_file, bounded, embed_file, feed_file, feed_files, is_subscription_document, stylesheet_href


def test_every_file_of_a_feed_has_one_place() -> None:
    assert feed_file("category/world/en", "rss") == "category/world/en.rss"
    assert archive_file("agency/mfa", 0) == "archive/agency/mfa/1.atom"
    assert embed_file("lang/ru") == "embed/lang/ru.html"
    assert feed_files("all") == ["all.atom", "all.rss", "all.json", "embed/all.html"]


def test_only_subscription_documents_are_announced() -> None:
    assert is_subscription_document("lang/en.json") and is_subscription_document("all.atom")
    assert not is_subscription_document("archive/all/3.atom") and not is_subscription_document("embed/all.html")


def test_the_stylesheet_is_addressed_from_each_document() -> None:
    assert stylesheet_href("all.atom") == "assets/feed.xsl"
    assert stylesheet_href("archive/category/world/en/2.atom") == "../../../../assets/feed.xsl"


def test_every_name_that_becomes_a_path_is_short_unique_and_stable() -> None:
    long_agency, other_agency = "a" * 300, "a" * 299 + "b"
    assert bounded("mfa-nairobi") == "mfa-nairobi"
    assert len(bounded(long_agency)) == 60 and bounded(long_agency) == bounded("a" * 300)
    assert bounded(long_agency) != bounded(other_agency) and bounded(long_agency).startswith("a" * 49 + "-")
