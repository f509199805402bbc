"""The layout of out/: paths, stylesheet addresses, and file names that always fit."""

from __future__ import annotations

import posixpath

from feeds.layout import (
    archive_file,
    article_file,
    bounded,
    embed_file,
    feed_file,
    feed_files,
    is_subscription_document,
    relative,
    stylesheet_href,
)


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


def test_an_article_page_is_named_by_its_id_in_a_folder_of_its_first_two_hex_digits() -> None:
    assert article_file("urn:uuid:6a5f0c2e-0000-4000-8000-000000000001") == "articles/6a/6a5f0c2e-0000-4000-8000-000000000001.html"
    assert archive_file("lang/en", 0, "json") == "archive/lang/en/1.json"


def test_relative_addresses_are_what_posixpath_would_say() -> None:
    files = ["index.html", "all.atom", "articles/6a/x.html", "articles/11/y.html", "archive/category/world/en/2.rss",
             "embed/lang/en.html", "category/world/en.atom"]
    for file in files:
        for target in files:
            assert relative(target, file) == posixpath.relpath(target, posixpath.dirname(file) or "."), (target, file)


def test_every_name_that_becomes_a_path_is_short_unique_and_stable() -> None:
    long_agency, other_agency = "a" * 300, "a" * 299 + "b"
    assert bounded("mfa-nairobi") == "mfa-nairobi"
    assert len(bounded(long_agency)) == 60 and bounded(long_agency) == bounded("a" * 300)
    assert bounded(long_agency) != bounded(other_agency) and bounded(long_agency).startswith("a" * 49 + "-")


def test_every_format_is_one_row_of_data_that_everything_reads() -> None:
    from feeds import render
    from feeds.layout import CONTENT_TYPES, CROSS_ORIGIN, FEED_DOCUMENTS, FORMATS, SUFFIXES

    assert [form.name for form in FORMATS] == list(SUFFIXES) == list(render.RENDERERS)
    assert all(CONTENT_TYPES[form.suffix] == form.media_type and form.suffix in CROSS_ORIGIN for form in FORMATS)
    assert FEED_DOCUMENTS == {".atom", ".rss"}
