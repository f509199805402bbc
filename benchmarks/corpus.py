"""Seed-shaped dump corpora of any size, for the benchmarks (and the tests that need a big store).

    .venv/bin/python benchmarks/corpus.py --articles 100000 --out /tmp/corpus-100k

Each dump is a listing page of 20 records, newest first, in one section, exactly as the real seeds
are shaped: `<title> DD.MM.YYYY`, then one body line of sentences glued together (`place.The`) that
ends in `Source : https://www.gov.kz/memleket/entities/<agency>/press/news/details/<id>?lang=kk`
(about a third have no source, a few are titled `-`). Three languages (English 70%, Russian 20%,
Kazakh 10%), eight sections, twelve agencies, body lengths like the seeds' (median about 1,600
characters, a long tail to 11,000), gov.kz ids that grow over about five years ending on 20.11.2026.
Deterministic: the same arguments give the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import random
import re
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PER_FILE = 20  # as in the real listing pages
LAST_DAY = date(2026, 11, 20)  # fixed, so a corpus is the same bytes whenever it is made
SECTIONS = ["World", "Economy", "Society", "Politics", "Regions", "Sport", "Әлем", "Қоғам"]
AGENCIES = ["mfa", "mfa-nairobi", "mfa-brussels", "mod", "economy", "mti", "kostanay", "almobl", "duisastana",
            "akimat-goroda-zhanaozen", "zhetysu-archive", "edu"]
PLACES = {
    "en": ["Astana", "Almaty", "Shymkent", "Kostanay", "Aktobe", "Taraz", "Pavlodar", "Karaganda", "Atyrau", "Oral",
           "Semey", "Turkestan", "Kyzylorda", "Petropavl", "Aktau", "Nairobi", "Brussels", "Washington", "Helsinki"],
    "ru": ["Астана", "Алматы", "Шымкент", "Костанай", "Актобе", "Тараз", "Павлодар", "Караганда", "Атырау", "Уральск",
           "Семей", "Туркестан", "Кызылорда", "Петропавловск", "Актау"],
    "kk": ["Астана", "Алматы", "Шымкент", "Қостанай", "Ақтөбе", "Тараз", "Павлодар", "Қарағанды", "Атырау", "Орал",
           "Семей", "Түркістан", "Қызылорда", "Петропавл", "Ақтау", "Жетісу", "Абай", "Ұлытау"],
}
KAZAKH = [
    "Қазақстан Республикасының Сыртқы істер министрі шетелдік әріптесімен кездесті",
    "Тараптар екіжақты ынтымақтастықтың өзекті мәселелерін талқылады",
    "Кездесу барысында сауда-экономикалық байланыстарды дамыту мәселелері қаралды",
    "Облыс әкімі жаңа мектептің ашылу салтанатына қатысты",
    "Жыл басынан бері өңірде жүзден астам жаңа жұмыс орны ашылды",
    "Мемлекет басшысы ұлттық құрама мүшелерін марапаттады",
    "Іс-шара аясында жастарға арналған семинар өтті",
    "Қала тұрғындарына әлеуметтік көмек көрсету жұмыстары жалғасуда",
    "Ауыл шаруашылығы өнімдерінің экспорты артып келеді",
    "Жаңа Конституция халықтың әл-ауқатын арттыруға бағытталған",
    "Мәслихат сессиясында бюджет мәселелері қаралды",
    "Елшілік өкілдері қазақ диаспорасымен кездесу өткізді",
    "Жиында инвестициялық жобаларды іске асыру барысы талқыланды",
    "Спортшылар халықаралық турнирде жүлделі орындарға ие болды",
    "Өңірде жол құрылысы жұмыстары қарқынды жүргізілуде",
    "Мұрағат қызметкерлері тарихи құжаттардың көрмесін ұйымдастырды",
    "Кеңесте алдағы міндеттер айқындалды",
    "Қазақ тілін үйрену курстары шетелде тұратын отандастар үшін ашылды",
    "Білім беру саласындағы өзгерістер туралы баяндама жасалды",
    "Тұрғын үй салу бағдарламасы бойынша жаңа пәтерлер табысталды",
]


def pools() -> dict[str, list[str]]:
    """Sentences by language: the seeds' English and Russian, and written Kazakh."""
    english: list[str] = []
    russian: list[str] = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").split("\n")[4:]:
            if re.search(r"\d{2}\.\d{2}\.\d{4}$", line):
                continue
            body = line.split("Source :")[0]
            for sentence in re.split(r"(?<=[.!?])\s*", body):
                sentence = sentence.strip().rstrip(".")
                if len(sentence) > 30:
                    (russian if re.search("[а-яё]", sentence) else english).append(sentence)
    return {"en": english, "ru": russian, "kk": KAZAKH}


def body_length(rng: random.Random) -> int:
    return min(11_000, max(200, int(rng.lognormvariate(math.log(1600), 0.6))))


def record(rng: random.Random, language: str, sentences: list[str], day: date, news_id: int) -> list[str]:
    # Titles are as varied as real ones: a place and a sentence, so two articles rarely share one.
    title = f"{rng.choice(PLACES[language])}: {rng.choice(sentences)[:110].rstrip(' ,')}"
    if rng.random() < 0.01:
        title = "-"
    wanted, parts = body_length(rng), []
    while sum(len(part) + 1 for part in parts) < wanted:
        parts.append(rng.choice(sentences) + ".")
    body = "".join(parts)  # glued, as the site's paragraphs arrive
    # Kazakh text here comes from twenty sentences: without a source, two of a day would read as
    # translations of one release and merge. Real Kazakh bodies are as varied as the others.
    if language == "kk" or rng.random() < 0.65:
        agency = rng.choice(AGENCIES)
        body += f"Source : https://www.gov.kz/memleket/entities/{agency}/press/news/details/{news_id}?lang=kk"
    return [f"{title} {day:%d.%m.%Y}", body]


def write_corpus(folder: Path, articles: int, seed: int = 1, first_file: int = 0) -> list[Path]:
    """`articles` records in dumps of 20 under `folder`; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    by_language = pools()
    per_day = max(40, math.ceil(articles / 1800))
    start = LAST_DAY - timedelta(days=math.ceil(articles / per_day) - 1)
    written = []
    for number in range(math.ceil(articles / PER_FILE)):
        count = min(PER_FILE, articles - number * PER_FILE)
        lines = ["Enbekshi QazaQ", "", rng.choice(SECTIONS), ""]
        records = []
        for offset in range(count):
            index = number * PER_FILE + offset
            language = rng.choices(("en", "ru", "kk"), (0.7, 0.2, 0.1))[0]
            records.append(record(rng, language, by_language[language], start + timedelta(days=index // per_day),
                                  1_000_000 + index))
        for pair in reversed(records):  # a listing is newest first
            lines.extend(pair)
        text = "\n".join(lines)
        name = f"{first_file + number:05d}_{hashlib.sha256(text.encode()).hexdigest()[:16]}.txt"
        (folder / name).write_text(text, encoding="utf-8")
        written.append(folder / name)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    files = write_corpus(args.out, args.articles, args.seed)
    print(f"{len(files)} dumps, {sum(f.stat().st_size for f in files) / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
