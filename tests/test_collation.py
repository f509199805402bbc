"""Names in the order a reader of each language expects, not by code point."""

from __future__ import annotations

from feeds.collation import sort_key


def ordered(names: list[str], language: str) -> list[str]:
    return sorted(names, key=lambda name: sort_key(name, language))


def test_kazakh_follows_its_own_alphabet() -> None:
    """А Ә Б ... Е Ё Ж ... К Қ ... Н Ң О Ө ... У Ұ Ү ... Ы І Ь ... Я (CLDR's Kazakh tailoring)."""
    names = ["Ішкі істер", "Ыбырай", "Үкімет", "Ұлттық", "Әділет", "Ақмола", "Яссауи", "Қостанай", "Көкшетау",
             "Ёлка", "Ерлан", "Жетісу"]
    assert ordered(names, "kk") == ["Ақмола", "Әділет", "Ерлан", "Ёлка", "Жетісу", "Көкшетау", "Қостанай", "Ұлттық",
                                    "Үкімет", "Ыбырай", "Ішкі істер", "Яссауи"]


def test_russian_follows_the_root_order_where_yo_is_e_and_kazakh_letters_follow_their_base() -> None:
    names = ["Министерство", "Ель", "Ёлка", "Жанаозен", "Яблоко", "Әкімдік", "Акимат", "Ішкі", "Ибрай", "Йошкар"]
    assert ordered(names, "ru") == ["Акимат", "Әкімдік", "Ёлка", "Ель", "Жанаозен", "Ибрай", "Ішкі", "Йошкар",
                                    "Министерство", "Яблоко"]


def test_case_and_accents_count_only_between_otherwise_equal_names() -> None:
    names = ["zhanaozen", "Penal", "Émile", "almaty", "Kostanay", "B", "b", "Emile"]
    assert ordered(names, "en") == ["almaty", "b", "B", "Emile", "Émile", "Kostanay", "Penal", "zhanaozen"]


def test_spaces_and_punctuation_before_digits_before_latin_before_cyrillic() -> None:
    assert ordered(["ҚР-ның", "ҚР Сыртқы", "Astana", "2026", "Алматы", "«Астана»"], "kk") == [
        "«Астана»", "2026", "Astana", "Алматы", "ҚР Сыртқы", "ҚР-ның"]


def test_a_decomposed_name_sorts_as_its_composed_form() -> None:
    assert sort_key("Йошкар", "ru")[0] == sort_key("И\u0306ошкар", "ru")[0]
