"""The one declarative settings schema: it validates `config.yaml` and writes the README's reference.

Relative paths in the file are resolved against the folder that holds the config file, so
`feeds build --config /etc/feeds/config.yaml` works from any working directory.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, StringConstraints, ValidationError, field_validator

LanguageCode = Literal["en", "ru", "kk"]
AGENCY_SLUG = r"^[a-z0-9_-]+$"  # as the parser takes it from /entities/<agency>/, lower-cased
SECTION_SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"  # as `classify.slug` makes it of the dump's section name
MAX_CONFIG_BYTES = 1024 * 1024
UNPRINTABLE = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
MAX_CONFIG_DEPTH = 20
MAX_CONFIG_NODES = 100_000


class Pattern(Protocol):
    """A compiled topic pattern (RE2's, whose own type is not worth importing for)."""

    def findall(self, text: str) -> list[Any]: ...


def compile_pattern(expression: str) -> Pattern:
    """A topic pattern as an RE2 expression, case-insensitive: RE2 runs in time linear in the text
    for every pattern, so no rule in a config file can make a hostile article slow."""
    import re2  # only where topics have patterns

    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    return re2.compile(expression, options)


def _printable(text: str) -> str:
    """Words that reach feeds, pages and HTTP headers: XML cannot carry control characters, and a
    line break in a header would start another one."""
    if UNPRINTABLE.search(text):
        raise ValueError("must not hold control characters, lone surrogates or non-characters")
    return text


Text = Annotated[str, AfterValidator(_printable)]


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file, the key and the reason."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteSettings(_Section):
    name: Text = Field("Enbekshi QazaQ", min_length=1, description="Site name shown in feed titles.")
    url: HttpUrl = Field(
        HttpUrl("https://enbekshiqazaq.kz/"),
        description="Home page of the site; every feed's `rel=\"alternate\"` link.",
    )
    author: Text = Field(
        "Enbekshi QazaQ", min_length=1,
        description="Feed-level `author` name; also each entry's author when the dump names no issuing agency.",
    )


class PathSettings(_Section):
    seeds: Path = Field(Path("seeds"), description="Folder watched for dump files (`*.txt`).")
    out: Path = Field(Path("out"), description="Folder the feeds are published to.")
    state: Path = Field(
        Path("state/feeds.sqlite3"),
        description="SQLite article store; must not lie inside `out`, which is served publicly.",
    )


class FeedSettings(_Section):
    base_url: HttpUrl = Field(
        description="Required. Public URL of the `out` folder; absolute `rel=\"self\"` links are built from it.",
    )
    max_entries: int = Field(50, ge=1, le=10_000, description="Entries in each feed document.")
    summary_chars: int = Field(
        300, ge=40, le=5_000, description="Upper bound on an entry's plain-text summary length."
    )
    default_language: LanguageCode = Field(
        "en", description="Language of an article with no text to detect it from (title `-`, no body)."
    )
    archive_page_size: int = Field(
        50, ge=1, le=10_000,
        description="Entries per RFC 5005 archive document under `out/archive/`; a full page never changes again.",
    )

    @field_validator("base_url")
    @classmethod
    def _directory_url(cls, value: HttpUrl) -> HttpUrl:
        """Feed paths are joined onto base_url, so it must name a folder, with nothing after it."""
        if value.query is not None or value.fragment is not None:
            raise ValueError("must not have a query (?...) or a fragment (#...): feed paths are appended to it")
        if value.username is not None or value.password is not None:
            # Every link of every feed and page is built from it: credentials would be published.
            raise ValueError("must not hold a user name or password (user:pass@): it is published in every link")
        if not str(value).endswith("/"):
            return HttpUrl(str(value) + "/")
        return value


class ArchiveSettings(_Section):
    content: Literal["summary", "full"] = Field(
        "summary",
        description="What an archived entry carries: `summary` (id, title, dates, author, categories, summary and links: "
        "about 1 KB per entry and format) or `full` (its text as well, as in the subscription documents: 3.5 times the "
        "archive's bytes, 87 KB of `out/` per article instead of 34 KB on the benchmark corpus).",
    )


class WatchSettings(_Section):
    interval_seconds: float = Field(
        60, gt=0, le=86_400, description="`feeds watch`: seconds between scans of `paths.seeds`; the upper bound on latency."
    )
    settle_seconds: float = Field(
        2, ge=0, le=3_600,
        description="A dump is read only once it has not been written to for this long (its mtime is that old).",
    )
    lock_timeout_seconds: float = Field(
        30, ge=0, le=3_600, description="How long a run waits for another run's lock before giving up (exit code 75)."
    )
    stale_after: float = Field(
        24, gt=0, le=24 * 365,
        description="Hours without a new or changed dump after which `feeds status --check` and `/healthz` report trouble.",
    )


class RetentionSettings(_Section):
    max_age_days: int | None = Field(
        None, ge=1, le=100_000, description="Articles published longer ago are removed from the store and the feeds; empty: keep all."
    )
    max_articles: int | None = Field(
        None, ge=1, le=10**12, description="At most this many articles are kept, the oldest removed first; empty: keep all."
    )


class SearchSettings(_Section):
    enabled: bool = Field(
        True, description="Build the static full-text search (Pagefind) over the article pages; `feeds build --no-search` "
        "turns it off for one run. Off: `out/pagefind/` and the search pages are removed.",
    )


class ServeSettings(_Section):
    host: Text = Field("127.0.0.1", min_length=1, description="`feeds serve`: address to bind; loopback unless you mean it.")
    port: int = Field(8080, ge=0, le=65_535, description="`feeds serve`: port to listen on (0: any free port).")
    health_port: int | None = Field(
        None, ge=0, le=65_535,
        description="`feeds serve`: port on 127.0.0.1 that answers only `/healthz`, with connections of its own, so no "
        "flood of clients on `port` can starve a health check (0: any free port). Empty: `port` + 1 (any free port "
        "when `port` is 0).",
    )
    cache_control: Text = Field(
        "public, max-age=300", min_length=1, description="`Cache-Control` sent with every file `feeds serve` answers."
    )


    def health_listener(self) -> int:
        """The health listener's port: as set, or the one after `port`."""
        if self.health_port is not None:
            return self.health_port
        return 0 if self.port in (0, 65_535) else self.port + 1


class WebSubSettings(_Section):
    hub: HttpUrl | None = Field(
        None, description="WebSub hub: feeds carry `<link rel=\"hub\">` and the hub is pinged for each changed feed; empty: off."
    )
    timeout_seconds: float = Field(5, gt=0, le=60, description="How long one ping may take before it is retried later.")
    max_attempts: int = Field(8, ge=1, le=100, description="Pings of one feed before it is given up (with an error logged).")


class Labels(_Section):
    """A name in each interface language; Russian and Kazakh fall back to English."""

    en: Text = Field(min_length=1)
    ru: Text | None = None
    kk: Text | None = None

    def text(self, language: str) -> str:
        return getattr(self, language, None) or self.en


class AgencySettings(_Section):
    name: Labels
    includes: list[str] = Field(
        default_factory=list, description="Agency slugs (shell patterns such as `mfa-*`) whose articles this feed also holds."
    )


class SectionSettings(_Section):
    name: Labels


class TopicSettings(_Section):
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    labels: Labels
    keywords: list[str] = Field(default_factory=list, description="Case-insensitive substrings, in any language.")
    patterns: list[str] = Field(default_factory=list, description="Case-insensitive RE2 regular expressions.")
    agencies: list[str] = Field(default_factory=list, description="Agency slugs (shell patterns) whose every article matches.")
    min_body_hits: int = Field(
        2, ge=1, description="Keyword or pattern hits the body needs when the title has none."
    )

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            import re2

            try:
                compile_pattern(pattern)
            except re2.error as exc:
                reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else exc
                raise ValueError(f"{pattern!r} is not an RE2 regular expression: {reason}") from None
        return patterns


class InterfaceSettings(_Section):
    """The wording of the index, article and feed pages in each language; `{site}` stands for
    `site.name`."""

    page_title: Labels = Labels(en="{site}: news feeds", ru="{site}: ленты новостей", kk="{site}: жаңалықтар таспалары")
    intro: Labels = Labels(
        en="Follow the news of {site} in a feed reader: copy a feed's address into your reader. "
           "Every entry links to its original press release on gov.kz.",
        ru="Читайте новости {site} в программе для чтения лент: скопируйте адрес ленты в программу. "
           "Каждая запись ведёт к исходному пресс-релизу на gov.kz.",
        kk="{site} жаңалықтарын таспа оқу бағдарламасында оқыңыз: таспаның мекенжайын бағдарламаға көшіріңіз. "
           "Әр жазба gov.kz сайтындағы түпнұсқа баспасөз хабарламасына апарады.",
    )
    all: Labels = Labels(en="All news", ru="Все новости", kk="Барлық жаңалықтар")
    lang: Labels = Labels(en="By language", ru="По языкам", kk="Тілдер бойынша")
    category: Labels = Labels(en="By section", ru="По разделам", kk="Бөлімдер бойынша")
    agency: Labels = Labels(en="By agency", ru="По ведомствам", kk="Мекемелер бойынша")
    topic: Labels = Labels(en="By topic", ru="По темам", kk="Тақырыптар бойынша")
    feed: Labels = Labels(en="Feed", ru="Лента", kk="Таспа")
    entries: Labels = Labels(en="Entries", ru="Записей", kk="Жазбалар")
    latest: Labels = Labels(en="Latest headline", ru="Последний заголовок", kk="Соңғы жаңалық")
    address: Labels = Labels(en="Address to copy", ru="Адрес для подписки", kk="Жазылу мекенжайы")
    formats: Labels = Labels(en="Other formats", ru="Другие форматы", kk="Басқа пішімдер")
    opml: Labels = Labels(en="Every feed as one OPML file, to import into a feed reader",
                   ru="Все ленты одним файлом OPML для импорта в программу чтения",
                   kk="Барлық таспалар бір OPML файлында, оқу бағдарламасына импорттау үшін")
    partitions: Labels = Labels(
        en="A reader that shows an article only once across all its feeds (newsboat) shows most of them empty after "
           "that file: import instead the feeds that share no article:",
        ru="Программа, которая показывает статью только в одной из своих лент (newsboat), покажет после этого файла "
           "большинство лент пустыми: импортируйте вместо него ленты без общих статей:",
        kk="Мақаланы барлық таспаларының тек біреуінде көрсететін бағдарлама (newsboat) бұл файлдан кейін "
           "таспалардың көбін бос көрсетеді: оның орнына ортақ мақаласы жоқ таспаларды импорттаңыз:",
    )
    partition_lang: Labels = Labels(en="one per language", ru="по одной на язык", kk="әр тілге біреуден")
    partition_category: Labels = Labels(en="one per section", ru="по одной на раздел", kk="әр бөлімге біреуден")
    languages: Labels = Labels(en="Other languages", ru="Другие языки", kk="Басқа тілдер")
    # Article pages.
    home: Labels = Labels(en="{site}: every feed", ru="{site}: все ленты", kk="{site}: барлық таспалар")
    article_date: Labels = Labels(en="Date", ru="Дата", kk="Күні")
    article_agency: Labels = Labels(en="Issued by", ru="Ведомство", kk="Жариялаған мекеме")
    article_section: Labels = Labels(en="Section", ru="Раздел", kk="Бөлім")
    article_topics: Labels = Labels(en="Topics", ru="Темы", kk="Тақырыптар")
    article_source: Labels = Labels(en="Original press release on gov.kz", ru="Исходный пресс-релиз на gov.kz",
                                    kk="gov.kz сайтындағы түпнұсқа баспасөз хабарламасы")
    article_no_source: Labels = Labels(en="No link to the original on gov.kz is known for this press release.",
                                       ru="Ссылка на оригинал этого пресс-релиза на gov.kz неизвестна.",
                                       kk="Бұл баспасөз хабарламасының gov.kz сайтындағы түпнұсқасына сілтеме белгісіз.")
    article_feeds: Labels = Labels(en="Feeds with this article", ru="Ленты с этой статьёй", kk="Осы мақала бар таспалар")
    article_translations: Labels = Labels(en="In other languages", ru="На других языках", kk="Басқа тілдерде")
    # A feed opened in a browser (the XSL view).
    feed_subscribe: Labels = Labels(
        en="This is a web feed. To subscribe, copy its address into a feed reader:",
        ru="Это лента новостей. Чтобы подписаться, скопируйте её адрес в программу для чтения лент:",
        kk="Бұл — жаңалықтар таспасы. Жазылу үшін оның мекенжайын таспа оқу бағдарламасына көшіріңіз:",
    )
    feed_archive: Labels = Labels(
        en="This page is an archive of older entries of a feed. To subscribe, copy the feed's address into a feed reader:",
        ru="Это архив старых записей ленты. Чтобы подписаться, скопируйте адрес ленты в программу для чтения лент:",
        kk="Бұл бет — таспаның ескі жазбаларының мұрағаты. Жазылу үшін таспаның мекенжайын оқу бағдарламасына көшіріңіз:",
    )
    feed_newer: Labels = Labels(en="Newer entries", ru="Более новые записи", kk="Жаңарақ жазбалар")
    feed_older: Labels = Labels(en="Older entries", ru="Более старые записи", kk="Ескірек жазбалар")
    feed_full_text: Labels = Labels(en="Full text", ru="Полный текст", kk="Толық мәтін")
    # The search pages.
    search: Labels = Labels(en="Search every article", ru="Поиск по всем статьям", kk="Барлық мақалалардан іздеу")
    search_intro: Labels = Labels(
        en="Full-text search over every article of {site}, in English, Russian and Kazakh: filter the results by "
           "language, section, agency, topic and year.",
        ru="Полнотекстовый поиск по всем статьям {site} на английском, русском и казахском языках: результаты можно "
           "отфильтровать по языку, разделу, ведомству, теме и году.",
        kk="{site} сайтының барлық мақалалары бойынша ағылшын, орыс және қазақ тілдеріндегі толық мәтінді іздеу: "
           "нәтижелерді тіл, бөлім, мекеме, тақырып және жыл бойынша сүзуге болады.",
    )
    search_newest: Labels = Labels(
        en="The newest articles of each language are searched first.",
        ru="Сначала поиск идёт по самым новым статьям на каждом языке.",
        kk="Алдымен әр тілдегі ең жаңа мақалалардан ізделеді.",
    )
    search_older: Labels = Labels(en="Search the older articles as well", ru="Искать и в более старых статьях",
                                  kk="Ескі мақалалардан да іздеу")
    # The search's filters, over the names of their values (agencies, sections and topics in the page's language).
    filter_language: Labels = Labels(en="Language", ru="Язык", kk="Тіл")
    filter_section: Labels = Labels(en="Section", ru="Раздел", kk="Бөлім")
    filter_agency: Labels = Labels(en="Agency", ru="Ведомство", kk="Мекеме")
    filter_topic: Labels = Labels(en="Topic", ru="Тема", kk="Тақырып")
    filter_year: Labels = Labels(en="Year", ru="Год", kk="Жыл")

    @field_validator("*")
    @classmethod
    def _each_language_falls_back_to_its_default(cls, value: Labels, info: Any) -> Labels:
        """A key given in some languages keeps the built-in wording in the others: a Russian
        page never shows an English override."""
        default = cls.model_fields[info.field_name].default
        return Labels(en=value.en, ru=value.ru or default.ru, kk=value.kk or default.kk)


class Settings(_Section):
    site: SiteSettings = Field(SiteSettings(), description="The site the dumps come from.")
    paths: PathSettings = Field(PathSettings(), description="Where things live.")
    feeds: FeedSettings = Field(description="What the feeds look like.")
    archives: ArchiveSettings = Field(ArchiveSettings(), description="The RFC 5005 archive pages under `out/archive/`.")
    watch: WatchSettings = Field(WatchSettings(), description="How runs are scheduled and serialised.")
    retention: RetentionSettings = Field(RetentionSettings(), description="How much history the store keeps.")
    search: SearchSettings = Field(SearchSettings(), description="Full-text search over every article.")
    serve: ServeSettings = Field(ServeSettings(), description="The built-in HTTP server.")
    websub: WebSubSettings = Field(WebSubSettings(), description="Push to subscribers through a WebSub hub.")
    agencies: dict[Annotated[str, StringConstraints(pattern=AGENCY_SLUG)], AgencySettings] = Field(
        default_factory=dict,
        description="Readable names per gov.kz agency slug (`mfa: {name: {en: ..., ru: ..., kk: ...}, includes: [mfa-*]}`); "
        "an agency without one is titled by its slug.",
    )
    sections: dict[Annotated[str, StringConstraints(pattern=SECTION_SLUG)], SectionSettings] = Field(
        default_factory=dict,
        description="Names per section of the site, by the slug of its feed (`world: {name: {en: World, ru: Мир, "
        "kk: Әлем}}`); a section without one is called what the dump calls it.",
    )
    topics: list[TopicSettings] = Field(
        default_factory=list,
        description="Topic feeds: `slug`, `labels` (en/ru/kk), and match rules `keywords`, `patterns`, `agencies`, "
        "`min_body_hits`. An article gets every topic it matches: in the title, at least `min_body_hits` times in the "
        "body, or by agency.",
    )
    interface: InterfaceSettings = Field(
        InterfaceSettings(),
        description="The pages' wording, by key (the keys below), each `{en: ..., ru: ..., kk: ...}`.",
    )

    @field_validator("topics")
    @classmethod
    def _unique_topics(cls, topics: list[TopicSettings]) -> list[TopicSettings]:
        slugs = [topic.slug for topic in topics]
        duplicated = sorted({slug for slug in slugs if slugs.count(slug) > 1})
        if duplicated:
            raise ValueError(f"topic slugs must be unique: {', '.join(duplicated)} repeated")
        return topics

    def resolved(self, root: Path, cli_paths: dict[str, Path]) -> Settings:
        """Config paths made absolute against `root`, command-line paths against the working
        directory; checked so that the store is never published."""
        values = {name: _resolve(f"paths.{name}", root / getattr(self.paths, name)) for name in PathSettings.model_fields}
        values.update({name: _resolve(f"--{name}", path) for name, path in cli_paths.items()})
        paths = PathSettings(**values)
        if paths.state.is_relative_to(paths.out):
            raise ConfigError(f"paths.state: {paths.state} lies inside paths.out ({paths.out}), which is published")
        if paths.seeds.is_relative_to(paths.out):
            raise ConfigError(f"paths.seeds: {paths.seeds} is paths.out or lies inside it ({paths.out}): "
                              "the dumps would be published and the feeds read as dumps")
        if paths.state.is_relative_to(paths.seeds):
            raise ConfigError(f"paths.state: {paths.state} lies inside paths.seeds ({paths.seeds}), "
                              "where it could be read as a dump")
        return self.model_copy(update={"paths": paths})


def _resolve(name: str, path: Path) -> Path:
    """An absolute path, or a `ConfigError` naming the setting (a symlink loop, a NUL byte)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        raise ConfigError(f"{name}: {str(path)!r} cannot be used: {exc}") from None


def load_settings(config: Path | None, cli_paths: dict[str, Path] | None = None) -> Settings:
    """Read and validate a config file (or the defaults when there is none)."""
    data: Any = {}
    root = Path.cwd()
    label = "(no config file)"
    if config is not None:
        label = str(config)
        root = _resolve("--config", config).parent
        data = _read_yaml(config, label)
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("\n".join(_describe(label, error) for error in exc.errors())) from None
    return settings.resolved(root, cli_paths or {})


def _read_yaml(config: Path, label: str) -> dict[str, Any]:
    """The file's YAML, within bounds: a config is a few kilobytes of plain mappings and lists."""
    try:
        with open(config, "rb") as stream:
            raw = stream.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{label}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{label}: larger than {MAX_CONFIG_BYTES // 1024} KiB: not a config file")
    try:
        # libyaml's parser where PyYAML has it: a tenth of the time of the pure Python one.
        data = yaml.load(raw.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except UnicodeDecodeError:
        raise ConfigError(f"{label}: not UTF-8 text: not a config file") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{label}: not valid YAML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{label}: nested more than {MAX_CONFIG_DEPTH} levels deep") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{label}: the top level must be a mapping of sections")
    _check_shape(data, label)
    return data


def _check_shape(data: Any, label: str) -> None:
    """Refuse a document nested too deep or too large once aliases are expanded (a YAML bomb)."""
    budget = MAX_CONFIG_NODES
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        budget -= 1
        if budget < 0:
            raise ConfigError(f"{label}: more than {MAX_CONFIG_NODES:,} values (aliases expanded): not a config file")
        if depth > MAX_CONFIG_DEPTH:
            raise ConfigError(f"{label}: nested more than {MAX_CONFIG_DEPTH} levels deep")
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for pair in node.items() for child in pair)
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)




def _section(location: tuple[Any, ...]) -> type[BaseModel] | None:
    """The settings section a location names, if it is one."""
    model: Any = Settings
    for part in location:
        field = model.model_fields.get(str(part)) if isinstance(model, type) and issubclass(model, BaseModel) else None
        model = field.annotation if field else None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _describe(label: str, error: Any) -> str:
    """One line per problem: file, dotted key, reason, and a suggestion for a misspelt key."""
    location = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        model: Any = Settings
        for part in error["loc"][:-1]:
            field = model.model_fields.get(str(part)) if isinstance(model, type) and issubclass(model, BaseModel) else None
            model = field.annotation if field else None
        known = list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []
        close = difflib.get_close_matches(str(error["loc"][-1]), known, n=1)
        hint = f" (did you mean {'.'.join([*map(str, error['loc'][:-1]), close[0]])}?)" if close else ""
        return f"{label}: {location}: unknown key{hint}"
    if error["type"] == "missing":
        # A whole section missing: name the keys in it that must be given (`feeds.base_url`).
        section = _section(error["loc"])
        required = [name for name, field in section.model_fields.items() if field.is_required()] if section else []
        return "\n".join(f"{label}: {location}.{name}: required key missing" for name in required) or \
            f"{label}: {location}: required key missing"
    return f"{label}: {location}: {error['msg']}"


def reference() -> str:
    """The settings table for the README, generated from the schema so the two never disagree."""
    rows = ["| key | default | meaning |", "| --- | --- | --- |"]
    for section_name, section_field in Settings.model_fields.items():
        section = section_field.annotation
        if not (isinstance(section, type) and issubclass(section, BaseModel)):
            rows.append(f"| `{section_name}` | empty | {section_field.description} |")
            continue
        for name, field in section.model_fields.items():
            if isinstance(field.default, Labels):
                rows.append(f"| `{section_name}.{name}` | `{field.default.en}` | Page wording, `{{en, ru, kk}}`. |")
                continue
            default = "required" if field.is_required() else "empty" if field.default is None else f"`{field.default}`"
            rows.append(f"| `{section_name}.{name}` | {default} | {field.description} |")
    return "\n".join(rows)
