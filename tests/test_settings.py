"""The settings schema: defaults, path resolution, and the README table generated from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

from feeds.settings import ConfigError, Settings, load_settings, reference


def test_readme_settings_table_is_the_one_the_schema_generates() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- settings:start -->\n")[1].split("\n<!-- settings:end -->")[0]
    assert table == reference()


def test_relative_paths_follow_the_config_and_flags_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "etc" / "config.yaml"
    config.parent.mkdir()
    config.write_text("paths:\n  seeds: dumps\nfeeds:\n  base_url: https://feeds.example.org/\n")
    monkeypatch.chdir(tmp_path)
    settings = load_settings(config, {"out": Path("public")})
    assert settings.paths.seeds == tmp_path / "etc" / "dumps"
    assert settings.paths.out == tmp_path / "public"
    assert settings.paths.state == tmp_path / "etc" / "state" / "feeds.sqlite3"


def test_base_url_always_names_a_folder(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("feeds:\n  base_url: https://feeds.example.org/kz\n")
    assert str(load_settings(config).feeds.base_url) == "https://feeds.example.org/kz/"


@pytest.mark.parametrize("url", ["https://user:secret@feeds.example.org/", "https://user@feeds.example.org/",
                                 "https://:secret@feeds.example.org/"])
def test_base_url_with_credentials_is_refused_since_every_link_would_publish_them(tmp_path: Path, url: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"feeds:\n  base_url: {url}\n")
    with pytest.raises(ConfigError, match=r"feeds.base_url: .*must not hold a user name or password"):
        load_settings(config)


def test_a_top_level_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("- just\n- a list\n")
    with pytest.raises(ConfigError, match="top level must be a mapping"):
        load_settings(config)


def test_base_url_is_required_and_named_when_missing(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("feeds:\n  max_entries: 10\n")
    with pytest.raises(ConfigError, match=r"config.yaml: feeds.base_url: required key missing"):
        load_settings(config)
    with pytest.raises(ConfigError, match=r"\(no config file\): feeds.base_url: required key missing"):
        load_settings(None)


def test_wording_given_in_one_language_keeps_the_built_in_wording_in_the_others() -> None:
    settings = Settings.model_validate({"feeds": {"base_url": "https://feeds.example.org/"},
                                        "interface": {"article_date": {"en": "Published"}, "home": {"en": "Home", "kk": "Басты"}}})
    assert (settings.interface.article_date.text("en"), settings.interface.article_date.text("ru")) == ("Published", "Дата")
    assert [settings.interface.home.text(language) for language in ("en", "ru", "kk")] == ["Home", "{site}: все ленты", "Басты"]
